"""What one training step does, as one record: ``StepOptions``, with the names and defaults it chooses from.

This module imports no JAX: the recipe (``config``), the losses, the step and the playground all read it without an
import cycle, and the command line's ``--help`` stays instant. ``losses.GENERATOR_LOSSES`` and
``losses.DISCRIMINATOR_LOSSES`` map the names below to the functions (a test keeps the two lists equal).
"""
from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass

__all__ = ["PENALTIES", "GENERATOR_LOSS_NAMES", "DISCRIMINATOR_LOSS_NAMES", "PAIRED_LOSSES", "AUGMENTS", "AUGMENT_OPS",
           "StepOptions"]

# The stabilisers of D, each with the default of its ``penalty_weight``
PENALTIES = {
    "none": None,   # no penalty, no constraint
    "r1": 10.0,     # gamma of R1 (Mescheder et al. 2018 use 10 for their image GANs; StyleGAN's FFHQ runs too)
    "r2": 10.0,     # gamma of R2, the same as R1's (the same formula, at the fakes)
    "r1+r2": 10.0,  # one gamma for both, gamma/2 (E||grad at reals||^2 + E||grad at fakes||^2): R3GAN's penalty
    #                 (Huang et al. 2024), which tunes gamma per dataset; 10 is R1's default here
    "gp": 10.0,     # lambda of WGAN-GP (Gulrajani et al. 2017 use 10 in every experiment)
    "clip": 0.01,   # the clipping bound c of the original WGAN (Arjovsky et al. 2017)
}
# "none" gives G no adversarial term: pix2pix's L1-only baseline (Isola et al. 2017, Table 1)
GENERATOR_LOSS_NAMES = ("non_saturating", "saturating", "hinge", "lsgan", "wasserstein", "none", "relativistic")
# "bce" is the cross-entropy of a real-vs-fake classifier, the only one that takes label smoothing
DISCRIMINATOR_LOSS_NAMES = ("bce", "hinge", "lsgan", "wasserstein", "relativistic")
# The generator losses that pair each fake with a real sample, so G's update reads D on the real batch too
PAIRED_LOSSES = ("relativistic",)
# What D sees, for a GAN trained on little data (notebook 14, ``gan_utils.augment``): every image it judges, real and
# generated, augmented with a fixed probability (DiffAugment: Zhao et al. 2020), or with one that adapts to how sure
# D is of the training images (ADA: Karras et al. 2020)
AUGMENTS = ("none", "diffaugment", "ada")
# The operations, in the order applied: DiffAugment's colour (brightness, contrast; saturation does nothing to grey
# images), translation and cutout policies
AUGMENT_OPS = ("brightness", "contrast", "translation", "cutout")


@dataclass(frozen=True)
class StepOptions:
    """The options of one training step (``steps.train_step``), validated once, here.

    One step is ``k_disc`` updates of D, then one update of G (Goodfellow et al. 2014, Algorithm 1). Every option is
    off by default, which gives notebook 05's step. ``GANConfig.step_options()`` gives a recipe's;
    ``steps.make_train_step``, ``train.fit`` and the playground take one. A record also unpacks as keyword arguments
    (``**options``), as the dict it replaced did.
    """
    k_disc: int = 1                        # D updates per G update (Goodfellow et al. 2014 use k = 1)
    generator_loss: str = "non_saturating"  # one of GENERATOR_LOSS_NAMES: -log D(G(z)) by default
    discriminator_loss: str = "bce"        # one of DISCRIMINATOR_LOSS_NAMES: the cross-entropy by default
    label_smoothing: float = 0.0           # one-sided: real targets 1 - this ("bce" only; Salimans et al. 2016)
    penalty: str = "none"                  # D's stabiliser, one of PENALTIES: "r1" / "r2" (at the real / generated
    #                                        batch), "r1+r2" (both, R3GAN's), "gp" (WGAN-GP), each added to D's
    #                                        loss; "clip" (D's weights kept in [-c, c] after each update). With
    #                                        PacGAN's packing, taken per pack
    penalty_weight: float | None = None    # gamma (r1, r2, r1+r2), lambda (gp) or c (clip); None: the paper's,
    #                                        PENALTIES
    l1_weight: float = 0.0                 # pix2pix's lambda (Isola et al. 2017 use 100): G's loss adds
    #                                        lambda * mean|G(source) - target|; 0 leaves the term out
    r1: float = 0.0                        # the older spelling of penalty="r1", penalty_weight=r1 (its metric keeps
    #                                        its old name, r1_penalty), so older code and configs mean what they meant
    augment: str = "none"                  # one of AUGMENTS: every image D sees (real and fake, in D's update and in
    #                                        G's) passes through gan_utils.augment.apply first
    augment_p: float = 1.0                 # "diffaugment": the probability of each operation (Zhao et al.: 1)
    ada_target: float = 0.6                # "ada": the r_t = E[sign D(real)] that p is steered to (Karras et al.: 0.6)
    ada_kimg: float = 20.0                 # "ada": thousands of real images over which p can go from 0 to 1. Karras et
    #                                        al. use 500 for runs of 25 million images; a CPU run sees about 200,000

    def __post_init__(self):
        k = self.k_disc
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"k_disc (D updates per G update) must be a whole number >= 1, got {k!r}.")
        for name in ("label_smoothing", "l1_weight", "r1", "penalty_weight"):
            v = getattr(self, name)
            if v is None and name == "penalty_weight":
                continue
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not 0 <= v < math.inf:
                if name == "penalty_weight":
                    raise ValueError(f"penalty_weight must be a positive, finite number, got {v!r}; None takes the "
                                     f"default, {PENALTIES.get(self.penalty)}.")
                fix = {"r1": "; 0 turns it off", "l1_weight": "; 0 turns the L1 term off, Isola et al. (2017) use 100"}
                raise ValueError(f"{name} must be a finite number >= 0, got {v!r}{fix.get(name, '')}.")
            object.__setattr__(self, name, float(v))
        object.__setattr__(self, "k_disc", int(self.k_disc))
        if self.augment not in AUGMENTS:
            raise ValueError(f"unknown augment {self.augment!r}; choose one of {list(AUGMENTS)}.")
        for name, interval, inside, fix in (
                ("augment_p", "[0, 1]", lambda v: 0 <= v <= 1, "1 is DiffAugment's"),
                ("ada_target", "(0, 1)", lambda v: 0 < v < 1, "ADA's is 0.6"),
                ("ada_kimg", "(0, inf)", lambda v: 0 < v < math.inf, "ADA's is 500 for long runs; 20 suits a CPU run")):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not inside(v):
                raise ValueError(f"{name} must be a number in {interval}, got {v!r}; {fix}.")
            object.__setattr__(self, name, float(v))
        if self.augment != "diffaugment" and self.augment_p != 1.0:
            raise ValueError(f"augment_p={self.augment_p} sets how often augment='diffaugment' applies each "
                             f"operation (ADA adapts its own); with augment={self.augment!r} leave augment_p at 1, "
                             "or choose augment='diffaugment'.")
        if self.generator_loss not in GENERATOR_LOSS_NAMES:
            raise ValueError(f"unknown generator_loss {self.generator_loss!r}; choose one of "
                             f"{list(GENERATOR_LOSS_NAMES)}.")
        if self.discriminator_loss not in DISCRIMINATOR_LOSS_NAMES:
            raise ValueError(f"unknown discriminator_loss {self.discriminator_loss!r}; choose one of "
                             f"{list(DISCRIMINATOR_LOSS_NAMES)}.")
        if self.label_smoothing and self.discriminator_loss != "bce":
            raise ValueError(f"label_smoothing applies to the 'bce' discriminator loss, not "
                             f"{self.discriminator_loss!r}; pass label_smoothing=0.")
        if not self.label_smoothing < 1:
            raise ValueError(f"label_smoothing must be below 1 (the real targets are 1 - it), got "
                             f"{self.label_smoothing}; 0.1 is common, 0 turns it off.")
        if self.penalty not in PENALTIES:
            raise ValueError(f"unknown penalty {self.penalty!r}; choose one of {list(PENALTIES)}.")
        if self.r1 and (self.penalty, self.penalty_weight) not in (("none", None), ("r1", self.r1)):
            raise ValueError(f"r1={self.r1} is the older spelling of penalty='r1', penalty_weight={self.r1}; it cannot "
                             f"be combined with penalty={self.penalty!r}. Pass one of them: set r1=0, or leave penalty "
                             "at 'none'.")
        if self.penalty == "none" and self.penalty_weight is not None:
            raise ValueError(f"penalty_weight={self.penalty_weight} needs a penalty; pick one of "
                             f"{list(PENALTIES)[1:]}, or leave penalty_weight=None.")
        if self.penalty != "none" and self.penalty_weight == 0:
            raise ValueError(f"penalty_weight must be positive for penalty {self.penalty!r}, got 0.0; None takes the "
                             f"default, {PENALTIES[self.penalty]}.")
        if self.generator_loss == "none" and not self.l1_weight:
            raise ValueError("generator_loss='none' leaves G with nothing to learn from; give it l1_weight > 0 "
                             "(pix2pix's L1-only baseline) or choose an adversarial loss.")

    @property
    def applied_penalty(self) -> str:
        """The penalty the step applies: ``penalty``, or "r1" when given as ``r1 > 0``."""
        return "r1" if self.r1 else self.penalty

    @property
    def applied_weight(self) -> float:
        """Its weight: the one given, else the paper's (``PENALTIES``); 0.0 without a penalty."""
        if self.r1:
            return self.r1
        return self.penalty_weight if self.penalty_weight is not None else PENALTIES[self.penalty] or 0.0

    @property
    def penalty_metric(self) -> str:
        """The name of the penalty's metric: "penalty", or "r1_penalty" for the older spelling."""
        return "r1_penalty" if self.r1 else "penalty"

    def replace(self, **changes) -> "StepOptions":
        """A copy with some options changed (validated again)."""
        return dataclasses.replace(self, **changes)

    # A record unpacks as keyword arguments (``make_train_step(gan, **options)``), as the dict it replaced did
    def keys(self):
        return [f.name for f in dataclasses.fields(self)]

    def __getitem__(self, name: str):
        if name not in self.keys():
            raise KeyError(name)
        return getattr(self, name)
