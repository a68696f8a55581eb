"""A GAN's recipe as one typed record, and the one factory that builds a GAN from it.

``GANConfig`` is what the command line trains, what a checkpoint's meta.json stores (``config``), and what the
shipped pretrained weights carry; ``build_gan`` turns any of them back into networks and optimizers.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # the record itself needs no JAX: `python -m gan_utils --help` reads its defaults instantly
    from .steps import GAN

__all__ = ["DATASETS", "MODELS", "GANConfig", "build_gan"]

DATASETS = ("mnist", "ring", "grid")
MODELS = ("dcgan", "mlp")


@dataclass(frozen=True)
class GANConfig:
    """Everything needed to rebuild (and retrain) a GAN. Each default carries its reason.

    ``model`` and ``latent_dim`` default from the dataset: ``dcgan`` with 64-dimensional z for MNIST, ``mlp``
    with 2-dimensional z (easy to draw) for the 2-D toy mixtures.
    """
    dataset: str = "mnist"        # "mnist" digits, or a 2-D toy mixture: "ring" (8 modes), "grid" (25)
    model: str | None = None      # "dcgan" (images) or "mlp"; None: dcgan for mnist, mlp for toy data
    batch_size: int = 64          # small batches give more updates per minute on a CPU; DCGAN trains well at 64
    lr: float = 2e-4              # Adam learning rate of both networks: the DCGAN paper's (Radford et al., 2016)
    b1: float = 0.5               # Adam's beta1 (DCGAN paper): 0.5 damps the oscillation of the two-player game
    latent_dim: int | None = None  # size of z; None: 64 for mnist, 2 for toy data
    k_disc: int = 1               # discriminator steps per generator step (Goodfellow et al. 2014 use k = 1)
    seed: int = 0                 # the run's seed: initialisation, data order, noise
    toy_points: int = 100_000     # size of the fixed training set drawn from a toy mixture
    label_smoothing: float = 0.0  # one-sided label smoothing of the real targets (0 = off)
    dropout: float = 0.0          # dropout in the DCGAN discriminator (0 = off; the TF tutorial uses 0.3)
    hidden: tuple[int, ...] = field(default=(256, 256))  # MLP hidden widths (generator and discriminator)

    def __post_init__(self):
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown dataset {self.dataset!r}; choose one of {DATASETS}.")
        model = self.model or ("dcgan" if self.dataset == "mnist" else "mlp")
        if model not in MODELS:
            raise ValueError(f"unknown model {model!r}; choose one of {MODELS}.")
        if model == "dcgan" and self.dataset != "mnist":
            raise ValueError(f"model 'dcgan' needs dataset 'mnist' (images); use model 'mlp' for {self.dataset}.")
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "latent_dim", self.latent_dim or (64 if self.dataset == "mnist" else 2))
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        for name in ("batch_size", "latent_dim", "k_disc", "toy_points"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)}.")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}.")
        if not 0 <= self.b1 < 1:
            raise ValueError(f"b1 (Adam's beta1) must be in [0, 1), got {self.b1}.")
        if not 0 <= self.label_smoothing < 1 or not 0 <= self.dropout < 1:
            raise ValueError(f"label_smoothing and dropout must be in [0, 1), got {self.label_smoothing} and "
                             f"{self.dropout}.")

    @property
    def data_dim(self) -> int:
        """The dimension of one flattened sample: 784 for MNIST, 2 for the toy mixtures."""
        return 784 if self.dataset == "mnist" else 2

    def to_dict(self) -> dict:
        """A JSON-ready dict (what meta.json stores)."""
        d = dataclasses.asdict(self)
        d["hidden"] = list(self.hidden)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "GANConfig":
        """Reads a stored config; keys it does not have take their defaults (older checkpoints)."""
        if isinstance(d, cls):
            return d
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown config keys {unknown}; a GANConfig has {sorted(known)}.")
        return cls(**d)

    def replace(self, **changes) -> "GANConfig":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


def build_gan(config: GANConfig | dict) -> GAN:
    """Builds the freshly initialised GAN a config describes (seeded by ``config.seed``).

    Args:
      config: a ``GANConfig``, or the dict a checkpoint's meta.json stores.
    Returns:
      a ``steps.GAN`` (generator, discriminator, Adam optimizers); restore saved weights into it with
      ``gan_utils.checkpoint``.
    """
    from flax import nnx
    from . import models
    from .steps import GAN

    c = GANConfig.from_dict(config)
    rngs = nnx.Rngs(c.seed)
    if c.model == "dcgan":
        g = models.DCGANGenerator(latent_dim=c.latent_dim, rngs=rngs)
        d = models.DCGANDiscriminator(dropout=c.dropout, rngs=rngs)
    else:
        g = models.MLPGenerator(latent_dim=c.latent_dim, out_dim=c.data_dim, hidden=c.hidden, rngs=rngs)
        d = models.MLPDiscriminator(in_dim=c.data_dim, hidden=c.hidden, rngs=rngs)
    return GAN(g, d, g_lr=c.lr, d_lr=c.lr, b1=c.b1)
