"""The GAN playground: a small GAN on 1-D or 2-D data, trained live in front of the reader.

Two parts, one job: a training engine for small MLP GANs (``ToyGAN``: the course's own update step,
``steps.train_step``, run as pure jitted functions on the split state of Flax NNX models; also run for several seeds at
once by ``train_seeds``), and a widget (``Playground``) that drives it from the browser. The widget is an
``anywidget`` (one ES module, ``playground.js`` beside this file, no build step):
the browser draws every frame on a canvas from arrays Python sends (real and generated samples, D's decision map,
G's manifold, gradient arrows) and asks for the next frame when it has drawn one, so no thread and no timer run in
the kernel, and no ``jslink``, ``Play`` or ipympl is used (each is broken in at least one notebook front end).

A run is reproducible: every update draws its randomness from ``fold_in(key(seed), update number)``, so the same
settings and the same sequence of actions give the same run however the actions were chunked; ``Playground.code()``
(the "copy as code" button) prints both, and ``ToyGAN.replay`` runs them in a cell.
"""
from __future__ import annotations

import base64
import dataclasses
import math
import numbers
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from . import config as config_lib
from . import data as data_lib
from . import doctor, losses, metrics, models
from . import steps as steps_lib
from .options import StepOptions

__all__ = ["DATASETS_2D", "DATASETS_1D", "NOISES", "OPTIMIZERS", "LAYERS", "PlaygroundConfig", "toy_data",
           "ToyGAN", "train_seeds", "Playground", "draw_frame"]

DATASETS_2D = ("ring", "grid", "line", "moons", "disjoint", "custom")
DATASETS_1D = ("bimodal", "gaussian")
NOISES = ("gaussian_2d", "uniform_2d", "gaussian_1d", "uniform_1d")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
LAYERS = ("real", "fake", "heatmap", "manifold", "arrows")
PENALTIES = config_lib.PENALTIES    # D's stabilisers and their default weights: the one table (gan_utils.options)
_POOL = 20_000          # points drawn once from the data; batches are random rows of this pool
_HEAT = 48              # D's decision map: a 48x48 grid (2-D) or 240 points (1-D)
_MANIFOLD = 17          # G's manifold: the image of a 17x17 grid of z (2-D noise) or of 161 points (1-D noise)
_FRAME_SAMPLES = 1000   # generated points drawn per frame (and measured by the mode metrics)
MAX_LAYERS = 16         # hidden layers per network: far beyond what a 2-D toy needs


@dataclass(frozen=True)
class PlaygroundConfig:
    """Everything that defines a playground run. Each default carries its reason.

    The defaults train the 8-mode ring well within a few thousand steps on a laptop CPU and keep one step near a
    millisecond (two hidden layers of 64: measured in benchmarks/playground_speed.py).
    """
    data: str = "ring"            # 2-D: ring (8 modes), grid (25), line, moons, disjoint, custom; 1-D: bimodal,
    #                               gaussian
    noise: str = "gaussian_2d"    # the generator's input z: gaussian or uniform, 1-D or 2-D ("gaussian_<k>d": any k)
    g_layers: int = 2             # hidden layers of G (ReLU)
    g_width: int = 64             # units per hidden layer of G
    d_layers: int = 2             # hidden layers of D (LeakyReLU 0.2)
    d_width: int = 64             # units per hidden layer of D
    g_optimizer: str = "adam"     # "adam", "sgd" or "rmsprop" (WGAN's, Arjovsky et al. 2017; as PyTorch's RMSprop)
    d_optimizer: str = "adam"
    g_lr: float = 1e-3            # 1e-3 for both: the ring converges in ~2,000 steps at batch 256 (seen in notebook 07)
    d_lr: float = 1e-3
    b1: float = 0.5               # Adam's beta1 (both networks): DCGAN's 0.5 damps the game's oscillation; WGAN-GP's
    #                               paper and SN-GAN's code use 0
    b2: float = 0.999             # Adam's beta2: Adam's default; WGAN-GP's paper and SN-GAN's code use 0.9
    k_disc: int = 1               # D updates per G update (Goodfellow et al. 2014, Algorithm 1: k = 1)
    loss: str = "non_saturating"  # a key of gan_utils.config.LOSSES (the D and G losses of one GAN formulation)
    penalty: str = "none"         # none, r1, r2 (on real / fake data), r1+r2 (both), gp (WGAN-GP), clip (WGAN's)
    penalty_weight: float | None = None   # gamma (r1, r2, r1+r2), lambda (gp) or c (clip); None: the penalty's default
    spectral_norm: bool = False   # spectral normalisation of D's layers (Miyato et al. 2018)
    minibatch_std: bool = False   # minibatch standard deviation feature in D (Karras et al. 2018)
    pack: int = 1                 # PacGAN: D judges packs of this many samples (Lin et al. 2018)
    ema: float = 0.0              # decay of an average of G's weights drawn instead of G (0 = off)
    batch_size: int = 256         # GAN Lab and PacGAN-sized batches; the mode metrics need many samples anyway
    seed: int = 0                 # initialisation, data pool and every update's randomness
    points: tuple = field(default=())   # the drawn points of data="custom", as ((x, y), ...)

    def __post_init__(self):
        lrs = (self.g_lr, self.d_lr)
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in lrs) and \
                not all(0 < v < math.inf for v in lrs):
            raise ValueError(f"learning rates must be positive, got g_lr={self.g_lr}, d_lr={self.d_lr} (and finite: an "
                             "infinite rate trains to NaN at once).")
        config_lib.check_field_types(self)     # g_width=2.5, g_lr="1e-3", spectral_norm="no": refused here
        dim = self.data_dim
        if self.data not in DATASETS_2D + DATASETS_1D:
            raise ValueError(f"unknown data {self.data!r}; choose one of {DATASETS_2D + DATASETS_1D}.")
        kind, _, size = self.noise.partition("_")
        if kind not in ("gaussian", "uniform") or not (size.endswith("d") and size[:-1].isdigit()
                                                       and int(size[:-1]) > 0):
            raise ValueError(f"unknown noise {self.noise!r}; choose one of {NOISES}, or 'gaussian_<k>d' / "
                             "'uniform_<k>d' for k-dimensional z (e.g. 'gaussian_64d').")
        if self.noise_dim > config_lib.MAX_SIZES["latent_dim"]:
            raise ValueError(f"noise of {self.noise_dim} dimensions is above the limit of "
                             f"{config_lib.MAX_SIZES['latent_dim']}.")
        if dim == 1 and self.noise_dim != 1:
            raise ValueError(f"1-D data ({self.data!r}) takes 1-D noise: use noise='gaussian_1d' or 'uniform_1d'.")
        for name in ("g_optimizer", "d_optimizer"):
            if getattr(self, name) not in OPTIMIZERS:
                raise ValueError(f"{name} must be one of {OPTIMIZERS}, got {getattr(self, name)!r}.")
        if self.loss not in config_lib.LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {tuple(config_lib.LOSSES)}.")
        self.step_options()   # the step's options (loss pair, k, penalty and its weight) are validated there, once
        limits = dict(g_layers=MAX_LAYERS, d_layers=MAX_LAYERS, g_width=config_lib.MAX_SIZES["hidden"],
                      d_width=config_lib.MAX_SIZES["hidden"], **{k: config_lib.MAX_SIZES[k]
                                                                 for k in ("k_disc", "batch_size", "pack")})
        for name, limit in limits.items():
            if not 1 <= getattr(self, name) <= limit:
                raise ValueError(f"{name} must be a positive integer up to {limit:,}, got {getattr(self, name)}.")
        if self.batch_size % self.pack:
            raise ValueError(f"pack ({self.pack}) must divide batch_size ({self.batch_size}).")
        if not 0 <= self.ema < 1:
            raise ValueError(f"ema must be in [0, 1), got {self.ema}; 0 turns it off.")
        if not (0 <= self.b1 < 1 and 0 <= self.b2 < 1):
            raise ValueError(f"Adam's b1 and b2 must be in [0, 1), got {self.b1} and {self.b2}; 0.5 and 0.999 are "
                             "the defaults.")
        if not 0 <= self.seed < 2 ** 63:     # numpy's generator of the data pool takes no negative seed
            raise ValueError(f"seed must be an integer >= 0, got {self.seed}.")
        try:
            if isinstance(self.points, (str, bytes)) or any(isinstance(p, (str, bytes)) or len(p) != 2
                                                            for p in self.points):
                raise ValueError("each point needs exactly two coordinates")   # a third one was dropped silently
            pts = tuple((float(p[0]), float(p[1])) for p in self.points)
        except (TypeError, ValueError, IndexError) as e:
            raise ValueError(f"points must be (x, y) pairs of numbers, e.g. ((0.0, 1.0), (1.0, 0.0)); {e}.") from e
        if not all(math.isfinite(c) for p in pts for c in p):
            raise ValueError("points must be finite numbers (a NaN or Inf point makes every update NaN).")
        object.__setattr__(self, "points", pts)
        if self.data == "custom" and len(pts) < 2:
            raise ValueError("data='custom' needs at least two drawn points: pass points=((x, y), ...) or draw them "
                             "on the playground's canvas.")

    def step_options(self) -> StepOptions:
        """The options of the course's step these settings ask for (a weight set without a penalty is ignored, so
        that the controls can keep it while the penalty is off)."""
        d_loss, g_loss = config_lib.LOSSES[self.loss]
        return StepOptions(k_disc=self.k_disc, generator_loss=g_loss, discriminator_loss=d_loss, penalty=self.penalty,
                           penalty_weight=None if self.penalty == "none" else self.penalty_weight)

    @property
    def data_dim(self) -> int:
        """1 for the 1-D datasets, else 2."""
        return 1 if self.data in DATASETS_1D else 2

    @property
    def noise_dim(self) -> int:
        return int(self.noise.split("_")[1][:-1])

    def replace(self, **changes) -> "PlaygroundConfig":
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, d: dict) -> "PlaygroundConfig":
        """A config from a dict of its fields (e.g. ``dataclasses.asdict`` of one, or a recipe); a config is returned
        as it is. Unknown keys are refused with the known ones."""
        if isinstance(d, cls):
            return d
        if not isinstance(d, dict):
            raise TypeError(f"a playground config is a PlaygroundConfig or a dict of its fields, got "
                            f"{type(d).__name__} {d!r:.60}; e.g. PlaygroundConfig(data='grid') or data='grid'.")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown playground config keys {unknown}; a PlaygroundConfig has {sorted(known)}.")
        return cls(**d)

    def changed(self) -> dict:
        """The fields that differ from the defaults (what ``code()`` prints)."""
        base = PlaygroundConfig()
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) != getattr(base, f.name)}


def _as_config(config, changes: dict | None = None) -> PlaygroundConfig:
    """The one conversion of what ToyGAN, Playground, train_seeds and toy_data take: a ``PlaygroundConfig``, a dict of
    its fields, or None (the defaults), with keyword ``changes`` on top (as ``doctor.Doctor`` takes a dict too)."""
    c = PlaygroundConfig() if config is None else PlaygroundConfig.from_dict(config)
    if changes:
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(PlaygroundConfig)})
        if unknown:
            raise ValueError(f"unknown playground settings {unknown}; a PlaygroundConfig has "
                             f"{sorted(f.name for f in dataclasses.fields(PlaygroundConfig))}.")
        c = c.replace(**changes)
    return c


# ----------------------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------------------

def _moons(rng, n):
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    # x spans [-1.5, 1.5] and piles up at the moons' tips: scaled by 1.1 (as before), 9% of the points left the view
    return np.stack([x - 0.5, y - 0.25], 1) + rng.normal(0, 0.04, (n, 2))


def toy_data(config: PlaygroundConfig, n: int = _POOL) -> tuple[np.ndarray, data_lib.GaussianMixture | None, float]:
    """The data of a playground run.

    Returns:
      ``(points, mixture, extent)``: (n, d) float32 points drawn with ``config.seed``; the Gaussian mixture they
      come from when there is one (ring, grid, 1-D data: the mode metrics need it), else None; and the half-width
      of the square (or interval) the playground draws.
    """
    config = _as_config(config)
    _check_steps("n", n, 1)
    rng = np.random.default_rng(config.seed)
    name = config.data
    mixture = None
    if name in ("ring", "grid"):
        mixture = data_lib.toy_dataset(name)
        comp = rng.choice(len(mixture.weights), n, p=mixture.weights)
        pts = mixture.means[comp] + mixture.stds[comp, None] * rng.standard_normal((n, 2))
        extent = 1.6 if name == "ring" else 6.0
    elif name == "line":          # a 1-D support inside the plane: the setting of the JSD-is-flat argument
        t = rng.uniform(-1, 1, n)
        pts = np.stack([t, 0.5 * t], 1) + rng.normal(0, 0.01, (n, 2))
        extent = 1.6
    elif name == "moons":
        pts, extent = _moons(rng, n), 1.6
    elif name == "disjoint":      # two uniform squares with nothing between them
        side = rng.random(n) < 0.5
        pts = rng.uniform(-0.35, 0.35, (n, 2)) + np.where(side[:, None], [-0.8, 0.5], [0.8, -0.5])
        extent = 1.6
    elif name == "custom":
        p = np.asarray(config.points, np.float64)
        pts = p[rng.integers(0, len(p), n)] + rng.normal(0, 0.03, (n, 2))
        extent = 1.6
    else:                         # 1-D: notebook 02's bimodal p, or one Gaussian
        mixture = (data_lib.mixture_1d((-1.2, 1.2), (0.6, 0.6)) if name == "bimodal"
                   else data_lib.mixture_1d((0.0,), (1.0,)))
        comp = rng.choice(len(mixture.weights), n, p=mixture.weights)
        pts = (mixture.means[comp, 0] + mixture.stds[comp] * rng.standard_normal(n))[:, None]
        extent = 4.0
    return pts.astype(np.float32), mixture, extent


# ----------------------------------------------------------------------------------------------------------
# The engine
# ----------------------------------------------------------------------------------------------------------

def _optimizer(name: str, lr: float, b1: float = 0.5, b2: float = 0.999) -> optax.GradientTransformation:
    # inject_hyperparams: the learning rate lives in the optimizer state, so the widget changes it without a reset
    if name == "adam":
        return optax.inject_hyperparams(optax.adam)(learning_rate=lr, b1=b1, b2=b2)
    if name == "rmsprop":   # as PyTorch's RMSprop, which WGAN's authors used: decay 0.99, eps 1e-8 outside the root
        #                     (optax's default puts it inside, a floor of 1e-4 under a clipped critic's small gradients)
        return optax.inject_hyperparams(optax.rmsprop)(learning_rate=lr, decay=0.99, eps=1e-8, eps_in_sqrt=False)
    return optax.inject_hyperparams(optax.sgd)(learning_rate=lr)




class _Optax:
    """An optax transformation and its state, updated in place as ``nnx.Optimizer.update(model, grads)`` is (the
    course's step calls that), so that the playground's pytree state can keep its optimizer states as plain arrays."""

    def __init__(self, tx: optax.GradientTransformation, state):
        self.tx, self.state = tx, state

    def update(self, model: nnx.Module, grads) -> None:
        params = nnx.state(model, nnx.Param)
        updates, self.state = self.tx.update(grads, self.state, params)
        nnx.update(model, optax.apply_updates(params, updates))


class ToyGAN:
    """A small MLP GAN on 1-D or 2-D data, with pure jitted updates: the playground's engine.

    Every update is the course's step (``steps.train_step``, as in ``train.fit`` and the command line): the last D
    update and the G update share one forward pass of G; real batches are random rows of a pool of data drawn once.

    ``state`` is a pytree (the split NNX state of G and D, their optimizer states, the EMA, counters), so
    ``train_seeds`` can train several seeds at once with ``jax.vmap``.

    Args:
      config: a ``PlaygroundConfig``, or a dict of its fields (or its fields as keywords).
    """

    def __init__(self, config: PlaygroundConfig | None = None, **kwargs):
        self.config = c = _as_config(config, kwargs)
        self.initial_config = c      # config changes as set_learning_rates is called; replaying starts from this
        self.pool_np, self.mixture, self.extent = toy_data(c)
        self.pool = jnp.asarray(self.pool_np)
        self._build()
        self.state = self.init_state(c.seed)
        self.log: list = []          # the actions taken: [("both" | "d" | "g", n) or ("set", {learning rates}), ...]

    # -- construction ---------------------------------------------------------------------------------
    def _models(self, seed: int):
        c = self.config
        rngs = nnx.Rngs(seed)
        g = models.MLPGenerator(latent_dim=c.noise_dim, out_dim=c.data_dim, hidden=(c.g_width,) * c.g_layers,
                                rngs=rngs)
        d = models.MLPDiscriminator(in_dim=c.data_dim, hidden=(c.d_width,) * c.d_layers, spectral_norm=c.spectral_norm,
                                    minibatch_std=c.minibatch_std, pack=c.pack, rngs=rngs)
        return g, d

    def _build(self):
        c = self.config
        g, d = self._models(c.seed)
        self.g_def, _, _ = nnx.split(g, nnx.Param, ...)
        self.d_def, _, _ = nnx.split(d, nnx.Param, ...)
        self.g_tx = _optimizer(c.g_optimizer, c.g_lr, c.b1, c.b2)
        self.d_tx = _optimizer(c.d_optimizer, c.d_lr, c.b1, c.b2)
        d_loss_name, g_loss_name = config_lib.LOSSES[c.loss]
        # the losses the step uses (notebook 02 checks them against its own), and the arrows' G loss
        self.d_loss_fn = losses.DISCRIMINATOR_LOSSES[d_loss_name]
        self.g_loss_fn = losses.GENERATOR_LOSSES[g_loss_name]
        self.options = c.step_options()   # the course's step's (steps.train_step); the one-network buttons: k = 1
        self.grid = self._view_grid()
        key = jax.random.key(c.seed + 7919)     # the frame's fixed noise: the same z every frame
        self.z_frame = self._noise(key, _FRAME_SAMPLES)
        self.z_manifold = self._manifold_z()
        self._jit()

    def init_state(self, seed: int) -> dict:
        """The initial state for ``seed`` (networks, optimizers, EMA, update counters)."""
        g, d = self._models(seed)
        _, gp, gr = nnx.split(g, nnx.Param, ...)
        _, dp, dr = nnx.split(d, nnx.Param, ...)
        # the data pool is part of the state (an argument of the compiled functions, not a constant in them), so runs
        # on the ring and on the grid share one compilation (and JAX's persistent compilation cache)
        return {"g": gp, "g_rest": gr, "d": dp, "d_rest": dr, "g_opt": self.g_tx.init(gp), "d_opt": self.d_tx.init(dp),
                "ema": gp, "n_d": jnp.zeros((), jnp.int32), "n_g": jnp.zeros((), jnp.int32),
                "key": jax.random.key_data(jax.random.key(seed)), "pool": self.pool}

    # -- pure pieces ----------------------------------------------------------------------------------
    def _noise(self, key, n):
        c = self.config
        if c.noise.startswith("gaussian"):
            return jax.random.normal(key, (n, c.noise_dim))
        return jax.random.uniform(key, (n, c.noise_dim), minval=-1.0, maxval=1.0)

    def _manifold_z(self):
        c = self.config
        lim = 2.0 if c.noise.startswith("gaussian") else 1.0
        if c.noise_dim == 1:
            return jnp.linspace(-lim, lim, 161)[:, None]
        t = jnp.linspace(-lim, lim, _MANIFOLD)
        zz = jnp.stack(jnp.meshgrid(t, t, indexing="ij"), -1).reshape(-1, 2)
        # z of more than 2 dimensions: the grid spans its first two coordinates, the others are 0
        return jnp.pad(zz, ((0, 0), (0, c.noise_dim - 2)))

    def _view_grid(self):
        e = self.extent
        if self.config.data_dim == 1:
            return jnp.linspace(-e, e, 240)[:, None]
        t = (jnp.arange(_HEAT) + 0.5) / _HEAT * 2 * e - e
        yy, xx = jnp.meshgrid(-t, t, indexing="ij")        # row 0 at the top (y = +e), as the canvas draws it
        return jnp.stack([xx, yy], -1).reshape(-1, 2)

    def _G(self, params, rest, z):
        return nnx.merge(self.g_def, params, rest)(z)

    def _D(self, params, rest, x):
        """D's scores and its updated non-parameter state (spectral norm's power-iteration vectors)."""
        d = nnx.merge(self.d_def, params, rest, copy=True)
        out = d(x)
        return out, nnx.state(d, nnx.Not(nnx.Param))

    def _pack(self, x):
        return models.pack_samples(x, self.config.pack)     # pack 1 returns x itself

    def _key(self, state, stream: int, n):
        return jax.random.fold_in(jax.random.fold_in(jax.random.wrap_key_data(state["key"]), stream), n)

    def _players(self, state) -> tuple:
        """G, D, their optimizers and G's average (None without one), as the course's step takes them. New Variables
        (``copy=True``): the step's in-place updates leave ``state`` itself as it was."""
        c = self.config
        G = nnx.merge(self.g_def, state["g"], state["g_rest"], copy=True)
        D = nnx.merge(self.d_def, state["d"], state["d_rest"], copy=True)
        g_ema = nnx.merge(self.g_def, state["ema"], state["g_rest"], copy=True) if c.ema else None
        return G, D, _Optax(self.g_tx, state["g_opt"]), _Optax(self.d_tx, state["d_opt"]), g_ema

    def _after(self, state, players, n_d: int, n_g: int) -> dict:
        """``state`` after an update of ``players`` (``n_d`` D updates, ``n_g`` G updates)."""
        G, D, g_opt, d_opt, g_ema = players
        _, gp, gr = nnx.split(G, nnx.Param, ...)
        _, dp, dr = nnx.split(D, nnx.Param, ...)
        if not n_d:         # G alone leaves D bit for bit, spectral norm's vectors too (G's loss moved them in D)
            dp, dr = state["d"], state["d_rest"]
        return {**state, "g": gp, "g_rest": gr, "d": dp, "d_rest": dr, "g_opt": g_opt.state, "d_opt": d_opt.state,
                "ema": nnx.state(g_ema, nnx.Param) if g_ema is not None else gp, "n_d": state["n_d"] + n_d,
                "n_g": state["n_g"] + n_g}

    def _update(self, state, k_disc: int, update_g: bool):
        """An update of the course's step (``steps.train_step``, as in ``train.fit`` and the command line), or of one
        of its halves (``steps.discriminator_step``, ``steps.generator_step``): ``k_disc`` D updates (0: none) then,
        if ``update_g``, one G update. Real batches are random rows of the pool; z comes from the configured noise.
        The key is a pure function of the seed and the update counters (D-led steps count D's updates, a lone G
        update G's), so a run does not depend on how its steps were chunked."""
        c = self.config
        key = self._key(state, 0, state["n_d"]) if k_disc else self._key(state, 1, state["n_g"])
        k_real, k_step = jax.random.split(key)
        players = G, D, g_opt, d_opt, g_ema = self._players(state)
        if not k_disc:      # G alone, on as many fakes as a batch (paired with as many real points, for a paired loss)
            real = None
            if self.options.generator_loss in losses.PAIRED_LOSSES:
                real = state["pool"][jax.random.randint(k_real, (c.batch_size,), 0, state["pool"].shape[0])]
            m = steps_lib.generator_step(G, D, g_opt, c.batch_size, k_step, self.options, g_ema=g_ema,
                                         ema_decay=c.ema, noise=self._noise, real=real)
            return self._after(state, players, 0, 1), m
        rows = jax.random.randint(k_real, (k_disc, c.batch_size), 0, state["pool"].shape[0])
        real = state["pool"][rows] if k_disc > 1 else state["pool"][rows][0]
        options = self.options.replace(k_disc=k_disc)
        if not update_g:    # D alone
            m = steps_lib.discriminator_step(G, D, d_opt, real, k_step, options, noise=self._noise)
        else:
            m = steps_lib.train_step(G, D, g_opt, d_opt, real, k_step, options, g_ema=g_ema, ema_decay=c.ema,
                                     noise=self._noise)
        return self._after(state, players, k_disc, int(update_g)), m

    def _d_update(self, state):
        return self._update(state, 1, False)

    def _g_update(self, state):
        return self._update(state, 0, True)

    def _both(self, state, _=None):
        return self._update(state, self.config.k_disc, True)

    def _train(self, state, n):
        """n training steps; n may be traced (a while loop), so one compilation serves every n. Returns the state and
        the metrics of the last step."""
        _, m0 = jax.eval_shape(self._both, state)
        zeros = jax.tree.map(lambda a: jnp.zeros(a.shape, a.dtype), m0)
        return jax.lax.fori_loop(0, n, lambda i, sm: self._both(sm[0]), (state, zeros))

    def _sampler_params(self, state):
        return state["ema"] if self.config.ema else state["g"]

    def _frame(self, state):
        """Everything a frame draws, as arrays (see ``frame``)."""
        c = self.config
        gp = self._sampler_params(state)
        fake = self._G(gp, state["g_rest"], self.z_frame)
        manifold = self._G(gp, state["g_rest"], self.z_manifold)
        # D on the view grid. Packed D judges m samples at once: score each grid point as a pack of m copies of it.
        grid = self.grid if c.pack == 1 else jnp.tile(self.grid, (1, c.pack)).reshape(-1, c.data_dim)
        score = self._D(state["d"], state["d_rest"], self._pack(grid))[0]
        heat = self._to_unit(score)
        # gradient arrows: -dL_G/dx for each generated point (how the generator's loss pushes that sample)
        arrows_x = fake[:128 - 128 % c.pack]
        score_of = lambda x: self._D(state["d"], state["d_rest"], self._pack(x))[0]    # noqa: E731
        # a paired loss (the relativistic one) pairs each point with a real one: the pool's first, a fixed draw
        paired = self.options.generator_loss in losses.PAIRED_LOSSES
        real_scores = score_of(state["pool"][:arrows_x.shape[0]]) if paired else None

        def g_loss_of_points(x):
            return self.g_loss_fn(score_of(x), real_scores) if paired else self.g_loss_fn(score_of(x))

        arrows = -jax.grad(g_loss_of_points)(arrows_x) * arrows_x.shape[0]
        return {"fake": fake, "manifold": manifold, "heat": heat, "arrows_at": arrows_x, "arrows": arrows}

    def _to_unit(self, score):
        """D's score mapped to [0, 1] for the decision map: 1 = "real", 0 = "fake", 1/2 = undecided."""
        d_loss, _ = config_lib.LOSSES[self.config.loss]
        if d_loss in ("bce",):
            return jax.nn.sigmoid(score)
        if d_loss == "lsgan":
            return jnp.clip(score, 0.0, 1.0)
        if d_loss == "hinge":
            return jnp.clip((score + 1) / 2, 0.0, 1.0)
        # a critic's scale is arbitrary, and a relativistic D's logits mean something only as differences (adding a
        # constant to all changes no loss): both are drawn around their median, over their own range
        centred = score - jnp.median(score)
        return 0.5 + 0.5 * centred / (jnp.max(jnp.abs(centred)) + 1e-12)

    def _jit(self):
        self._d_jit = jax.jit(self._d_update)
        self._g_jit = jax.jit(self._g_update)
        self._both_jit = jax.jit(self._both)
        self._train_jit = jax.jit(self._train)
        self._frame_jit = jax.jit(self._frame)
        self._sample_jit = jax.jit(lambda s, key, n: self._G(self._sampler_params(s), s["g_rest"], self._noise(key, n)),
                                   static_argnums=2)

    # -- the public API -------------------------------------------------------------------------------
    @property
    def step(self) -> tuple[int, int]:
        """(D updates, G updates) taken so far."""
        return int(self.state["n_d"]), int(self.state["n_g"])

    def _record(self, action: str, n: int):
        if self.log and self.log[-1][0] == action:
            self.log[-1] = (action, self.log[-1][1] + n)
        else:
            self.log.append((action, n))

    def step_d(self) -> dict:
        """One discriminator update. Returns its metrics (floats)."""
        self.state, m = self._d_jit(self.state)
        self._record("d", 1)
        return {k: float(v) for k, v in m.items()}

    def step_g(self) -> dict:
        """One generator update. Returns its metrics."""
        self.state, m = self._g_jit(self.state)
        self._record("g", 1)
        return {k: float(v) for k, v in m.items()}

    def step_both(self) -> dict:
        """k_disc discriminator updates then one generator update. Returns the metrics of the last of each."""
        self.state, m = self._both_jit(self.state)
        self._record("both", 1)
        return {k: float(v) for k, v in m.items()}

    def train(self, n: int) -> dict:
        """n training steps (each k_disc D updates and one G update) in one compiled call.

        Returns the metrics of the last step (floats), or {} for n = 0.
        """
        _check_steps("n", n, 0)
        if n == 0:
            return {}
        self.state, m = self._train_jit(self.state, jnp.asarray(int(n), jnp.int32))
        self._record("both", int(n))
        return {k: float(v) for k, v in m.items()}

    def replay(self, actions: Sequence[tuple[str, int]]) -> "ToyGAN":
        """Runs a list of actions ``[("both" | "d" | "g", n) or ("set", {"g_lr": .., "d_lr": ..}), ...]`` (a
        ``log``)."""
        for entry in actions:
            if not isinstance(entry, (tuple, list)) or len(entry) != 2:
                raise ValueError(f"each action is a pair (action, count), e.g. ('both', 100), got {entry!r}.")
            action, n = entry
            if action == "set":
                if not isinstance(n, dict):
                    raise ValueError(f"a 'set' action takes a dict of learning rates, e.g. ('set', {{'g_lr': 1e-3}}), "
                                     f"got {n!r}.")
                self.set_learning_rates(**n)
            elif action == "both":
                self.train(n)
            elif action in ("d", "g"):
                _check_steps(f"the count of {action!r}", n, 0)   # 2.5 was 2, -3 was nothing, silently
                for _ in range(int(n)):
                    (self.step_d if action == "d" else self.step_g)()
            else:
                raise ValueError(f"unknown action {action!r}; use 'both', 'd', 'g' or 'set'.")
        return self

    def set_learning_rates(self, g_lr: float | None = None, d_lr: float | None = None) -> None:
        """Changes the learning rates in place (the optimizers' states are kept)."""
        for name, lr in (("g", g_lr), ("d", d_lr)):
            if lr is None:
                continue
            if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < math.inf:
                raise ValueError(f"{name}_lr must be positive and finite, got {lr!r}.")
            opt = self.state[f"{name}_opt"]
            opt.hyperparams["learning_rate"] = jnp.asarray(lr, jnp.float32)
        self.config = self.config.replace(**{k: v for k, v in (("g_lr", g_lr), ("d_lr", d_lr)) if v is not None})
        self.log.append(("set", {"g_lr": self.config.g_lr, "d_lr": self.config.d_lr}))   # so that replay(log) redoes it

    def samples(self, n: int = 2500, seed: int = 0) -> np.ndarray:
        """n generated points (n, data_dim), from the EMA weights when ``ema`` is on."""
        _check_steps("n", n, 1)
        return np.asarray(self._sample_jit(self.state, jax.random.key(seed), int(n)))

    def mode_metrics(self, n: int = 2500, seed: int = 0) -> dict | None:
        """``metrics.toy_mode_metrics`` of n samples (2,500 as in VEEGAN and PacGAN), or None without modes."""
        if self.mixture is None or self.config.data_dim != 2:
            return None
        return metrics.toy_mode_metrics(self.samples(n, seed), self.mixture)

    def frame(self) -> dict:
        """The arrays of one frame, as numpy: ``fake`` (1000, d) generated points; ``manifold`` (17*17 or 161, d)
        G's image of a regular grid of z; ``heat`` (48*48 or 240,) D's verdict in [0, 1] on the view grid (row 0
        at the top); ``arrows_at`` (128, d) and ``arrows`` (128, d): generated points and -dL_G/dx at each."""
        return {k: np.asarray(v) for k, v in self._frame_jit(self.state).items()}


def _check_steps(name: str, n, minimum: int) -> None:
    """A count (steps, samples) must be a whole number: 2.5 steps would silently become 2."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{name} must be >= {minimum} (a whole number), got {n!r}.")


def train_seeds(config: PlaygroundConfig, seeds: Sequence[int], steps: int, *, anneal: int = 0, n_eval: int = 2500,
                chunk: int = 1000, snapshots: Sequence[int] = (), frames: Sequence[int] = ()) -> list[dict]:
    """Trains one run per seed, all at once (``jax.vmap`` over the state), and measures each.

    Every run is the run ``ToyGAN(config.replace(seed=s)).train(steps)`` would give, except for the data pool: all
    seeds share the pool of ``config.seed`` (the data is the same distribution; the initialisation and every update's
    randomness differ per seed). With ``anneal > 0`` the last ``anneal`` of the ``steps`` run at a tenth of both
    learning rates (as ``set_learning_rates`` would do by hand): the samples' jitter around the modes shrinks with
    the step size (notebook 07 measures how much).

    ``snapshots`` watches the runs while they train: at each of these steps every run is measured as at the end (the
    mode metrics of ``n_eval`` samples), and at the steps also in ``frames`` its playground frame (``ToyGAN.frame``:
    the generated points, D's map and the gradient arrows) is kept, so that training can be drawn afterwards with
    ``draw_frame(..., frame=...)``. Snapshots cost a sampling pass each, not a change of the runs: the runs are the
    same with or without them.

    Returns:
      one dict per seed: ``seed``, ``steps``, ``seconds`` (wall time of the batch of runs divided by the number of
      seeds), the mode metrics of ``n_eval`` samples (``toy_mode_metrics``), ``samples`` (n_eval, 2), the last
      ``d_loss``/``g_loss``, and with ``snapshots`` a list ``snapshots`` of dicts: ``step``, ``centre`` (2,) and
      ``spread`` (the root of the summed variances) of the samples, their mode metrics, and at ``frames`` steps a
      ``frame`` (the arrays of ``ToyGAN.frame``, without the manifold).
    """
    config = _as_config(config)
    if isinstance(seeds, (int, np.integer)) or not hasattr(seeds, "__len__") or not len(seeds):
        raise ValueError(f"seeds must name at least one seed, e.g. seeds=range(5), got {seeds!r}.")
    for s in seeds:
        _check_steps("every seed", s, 0)                # 2.5 ran seed 2 and reported 2
    _check_steps("steps", steps, 0)
    _check_steps("anneal", anneal, 0)
    _check_steps("n_eval", n_eval, 1)
    _check_steps("chunk", chunk, 1)        # 0 would loop forever
    gan = ToyGAN(config)
    states = [{k: v for k, v in gan.init_state(int(s)).items() if k != "pool"} for s in seeds]
    state = jax.tree.map(lambda *xs: jnp.stack(xs), *states)

    def train_one(state, pool, n):      # one seed's run; the pool is shared (not batched)
        state, m = gan._train({**state, "pool": pool}, n)
        return {k: v for k, v in state.items() if k != "pool"}, m

    vmapped = jax.jit(jax.vmap(train_one, in_axes=(0, None, None)))
    run = lambda state, n: vmapped(state, gan.pool, jnp.asarray(n, jnp.int32))
    if not 0 <= anneal <= steps:
        raise ValueError(f"anneal must be between 0 and steps ({steps}), got {anneal}.")
    for v in (*snapshots, *frames):
        _check_steps("every snapshot and frame", v, 0)
    snapshots = sorted({int(v) for v in snapshots})
    if any(not 0 <= v <= steps for v in snapshots) or not set(int(v) for v in frames) <= set(snapshots):
        raise ValueError(f"snapshots must be steps between 0 and steps ({steps}), and frames a subset of them; got "
                         f"snapshots={snapshots}, frames={list(frames)}.")
    frames = {int(v) for v in frames}
    sample = jax.jit(jax.vmap(lambda s: gan._G(gan._sampler_params(s), s["g_rest"],
                                               gan._noise(jax.random.key(0), n_eval))))
    frame_of = jax.jit(jax.vmap(lambda s: gan._frame({**s, "pool": gan.pool})))
    watched = [[] for _ in seeds]

    def watch(state, step):
        pts = np.asarray(sample(state))
        fr = jax.device_get(frame_of(state)) if step in frames else None
        for i in range(len(seeds)):
            snap = {"step": step, "centre": pts[i].mean(0), "spread": float(np.sqrt(pts[i].var(0).sum()))}
            if gan.mixture is not None and config.data_dim == 2:
                snap.update(metrics.toy_mode_metrics(pts[i], gan.mixture))
            if fr is not None:
                snap["frame"] = {k: np.asarray(v[i]) for k, v in fr.items() if k != "manifold"}
            watched[i].append(snap)

    t0 = time.perf_counter()
    done, last, seconds_watching = 0, None, 0.0
    while True:
        if done in snapshots:
            t_watch = time.perf_counter()
            watch(state, done)
            seconds_watching += time.perf_counter() - t_watch
        if done >= steps:
            break
        if anneal and done == steps - anneal:
            for name in ("g_opt", "d_opt"):
                state[name].hyperparams["learning_rate"] = state[name].hyperparams["learning_rate"] / 10
        k = min(chunk, steps - done)
        if done < steps - anneal:           # the annealed steps start a chunk of their own
            k = min(k, steps - anneal - done)
        k = min(k, min((v for v in snapshots if v > done), default=steps) - done)   # stop at the next snapshot
        state, last = run(state, k)
        done += k
    jax.block_until_ready(state)
    seconds = (time.perf_counter() - t0 - seconds_watching) / len(seeds)
    pts = np.asarray(sample(state))
    out = []
    for i, s in enumerate(seeds):
        row = {"seed": int(s), "steps": int(steps), "seconds": seconds, "samples": pts[i]}
        if gan.mixture is not None and config.data_dim == 2:
            row.update(metrics.toy_mode_metrics(pts[i], gan.mixture))
        if last is not None:
            row.update(d_loss=float(last["d_loss"][i]), g_loss=float(last["g_loss"][i]))
        if snapshots:
            row["snapshots"] = watched[i]
        out.append(row)
    return out


# ----------------------------------------------------------------------------------------------------------
# A static picture of a frame (matplotlib): the widget's snapshot, and a figure for readers without a kernel
# ----------------------------------------------------------------------------------------------------------

def draw_frame(gan: ToyGAN, ax=None, layers: Sequence[str] = LAYERS, title: str | None = None, *,
               frame: dict | None = None, arrow_scale: float | None = None):
    """Draws the playground's view of ``gan`` with matplotlib (the same layers as the live canvas).

    Args:
      gan: the run to draw (its data, extent and step counts).
      ax: the axes to draw on (default: a new figure).
      layers: which of ``LAYERS`` to draw.
      title: the axes' title (default: the data set and the update counts).
      frame: a frame saved earlier with ``gan.frame()`` to draw instead of the current state (e.g. snapshots taken
        during training, drawn together afterwards).
      arrow_scale: length in data units of a push of 1 (the gradient arrows). Default: the longest arrow of this
        frame is 12% of the view's half-width, which shows directions but hides how strong the push is; pass one
        value for several panels to compare their pushes.
    """
    import matplotlib.pyplot as plt

    from . import plots
    if arrow_scale is not None and not (isinstance(arrow_scale, numbers.Real) and 0 < arrow_scale < math.inf):
        raise ValueError(f"arrow_scale must be a positive number (data units per unit of push), got {arrow_scale!r}.")
    if isinstance(layers, str) or not set(layers) <= set(LAYERS):
        raise ValueError(f"layers must be a list of {LAYERS}, got {layers!r}.")
    fr = gan.frame() if frame is None else frame
    e = gan.extent
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.6))
    if gan.config.data_dim == 1:
        x = np.asarray(gan.grid[:, 0])
        if "heatmap" in layers:
            ax.plot(x, fr["heat"], color=plots.D_COLOR, lw=2, label="D(x)")
        if "real" in layers:
            if gan.mixture is not None:
                ax.fill_between(x, np.asarray(gan.mixture.pdf(x)), color=plots.REAL_COLOR, alpha=0.3, lw=0,
                                label="data p(x)")
        if "fake" in layers:
            ax.hist(fr["fake"][:, 0], bins=60, range=(-e, e), density=True, color=plots.FAKE_COLOR, alpha=0.5,
                    label="generated q(x)")
        ax.set_xlim(-e, e)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("x")
        ax.set_ylabel("density  /  D(x)")
        ax.legend(fontsize=9, loc="upper left")
    else:
        if "heatmap" in layers:
            ax.imshow(fr["heat"].reshape(_HEAT, _HEAT), extent=(-e, e, -e, e), cmap=plots.D_CMAP, vmin=0, vmax=1,
                      alpha=0.3, interpolation="bilinear")   # pale, so orange samples stand out on "fake" ground
        if "manifold" in layers:
            m = fr["manifold"]
            if len(m) == _MANIFOLD * _MANIFOLD:
                m = m.reshape(_MANIFOLD, _MANIFOLD, 2)
                for i in range(_MANIFOLD):
                    ax.plot(m[i, :, 0], m[i, :, 1], color="#7a7a7a", lw=0.5)
                    ax.plot(m[:, i, 0], m[:, i, 1], color="#7a7a7a", lw=0.5)
            else:
                ax.plot(m[:, 0], m[:, 1], color="#7a7a7a", lw=0.8)
        if "real" in layers:
            ax.scatter(gan.pool_np[:1000, 0], gan.pool_np[:1000, 1], s=3, color=plots.REAL_COLOR, label="real")
        if "fake" in layers:
            ax.scatter(fr["fake"][:, 0], fr["fake"][:, 1], s=3, color=plots.FAKE_COLOR, label="generated")
        if "arrows" in layers:
            a = fr["arrows"]
            scale = 0.12 * e / (np.abs(a).max() + 1e-12) if arrow_scale is None else arrow_scale
            ax.quiver(fr["arrows_at"][:, 0], fr["arrows_at"][:, 1], a[:, 0] * scale, a[:, 1] * scale,
                      angles="xy", scale_units="xy", scale=1, color="#444444", width=0.004)
        ax.set_xlim(-e, e)
        ax.set_ylim(-e, e)
        ax.set_aspect("equal")
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
    nd, ng = gan.step
    ax.set_title(title or f"{gan.config.data}: {nd} D and {ng} G updates", fontsize=9)
    return ax


# ----------------------------------------------------------------------------------------------------------
# The widget
# ----------------------------------------------------------------------------------------------------------

def _esm() -> str:
    return (Path(__file__).with_name("playground.js")).read_text()


# anywidget is a declared dependency; the engine above works without it (e.g. in a plain script): widgets.py imports
# it once, optionally, for both of the course's anywidgets (this one and widgets.DrawingCanvas)
from .widgets import _anywidget, _traitlets, _WidgetBase  # noqa: E402

_LIVE_FIELDS = ("g_lr", "d_lr")      # changed without a reset (the optimizers keep their state); any other field resets


class Playground(_WidgetBase):
    """The live GAN playground (GAN Lab in the notebook), for JupyterLab, Notebook 7, VS Code and Colab.

    Display it (leave it last in a cell). Buttons: run/pause, one step of D, of G, of both, reset, slow motion;
    menus for the data, the noise, each network's layers, width, optimizer and learning rate, k, the loss, the
    penalty and the other stabilisers; toggles for each layer (real, generated, D's decision map, G's manifold,
    gradient arrows); live charts of the losses and mode metrics. "Copy as code" prints the settings and the
    actions taken, to reproduce the run in a cell. Readers without a kernel see a PNG snapshot.

    Args:
      config: a ``PlaygroundConfig`` or a dict of its fields; or its fields as keywords, e.g.
        ``Playground(data="grid", loss="wgan", penalty="gp")``.
      steps_per_frame: training steps between two redrawn frames while running (slow motion: one step a frame);
        32 keeps 500+ steps/s at the frame rate a 2-core CPU reaches (benchmarks/playground_speed.py).
    """

    if _anywidget is not None:
        _esm = _esm()
        settings = _traitlets.Dict().tag(sync=True)
        layers = _traitlets.Dict({k: True for k in LAYERS}).tag(sync=True)
        steps_per_frame = _traitlets.Int(32).tag(sync=True)
        choices = _traitlets.Dict().tag(sync=True)

    def __init__(self, config: PlaygroundConfig | None = None, *, steps_per_frame: int = 32, **kwargs):
        if _anywidget is None:
            raise ImportError("the playground widget needs anywidget: pip install anywidget (Colab ships it).")
        _check_steps("steps_per_frame", steps_per_frame, 1)   # 0 or less: "run" would never move
        cfg = _as_config(config, kwargs)
        self.gan = ToyGAN(cfg)
        self.history: dict = {k: [] for k in ("step", "d_loss", "g_loss", "d_real", "d_fake", "modes", "hq", "rkl")}
        super().__init__(settings=self._settings_dict(cfg), steps_per_frame=int(steps_per_frame),
                         choices={"data": list(DATASETS_2D + DATASETS_1D), "noise": list(NOISES),
                                  "optimizer": list(OPTIMIZERS), "loss": list(config_lib.LOSSES),
                                  "penalty": list(PENALTIES)})
        self.observe(self._on_settings, names="settings")
        self.on_msg(self._on_msg)
        self.timings: list = []     # seconds of kernel work per frame: (training, frame, total)
        self.diagnosis = None       # the GAN doctor's verdict on the last frame sent (gan_utils.doctor)

    # -- settings -------------------------------------------------------------------------------------
    @staticmethod
    def _settings_dict(cfg: PlaygroundConfig) -> dict:
        d = dataclasses.asdict(cfg)
        d["points"] = [list(p) for p in cfg.points]
        return d

    def _on_settings(self, change):
        new = dict(change["new"])
        old = self.gan.config
        new["points"] = tuple(tuple(p) for p in new.get("points", ()))
        if new.get("penalty_weight") in ("", None):
            new["penalty_weight"] = None
        try:
            cfg = PlaygroundConfig(**new)
        except (TypeError, ValueError) as e:
            self.send({"type": "error", "message": str(e)})
            return
        if cfg == old:
            return
        if {f.name for f in dataclasses.fields(cfg)
                if getattr(cfg, f.name) != getattr(old, f.name)} <= set(_LIVE_FIELDS):
            self.gan.set_learning_rates(cfg.g_lr, cfg.d_lr)      # (logged by the engine)
            self._send_frame()
            return
        self.reset(cfg)

    def reset(self, config: PlaygroundConfig | None = None) -> None:
        """Starts over (new networks from the seed), with ``config`` if given."""
        self.gan = ToyGAN(config or self.gan.config)
        self.history = {k: [] for k in self.history}
        self._send_frame(reset=True)

    # -- actions --------------------------------------------------------------------------------------
    def step_d(self):
        self._metrics(self.gan.step_d())
        self._send_frame()

    def step_g(self):
        self._metrics(self.gan.step_g())
        self._send_frame()

    def step_both(self):
        self._metrics(self.gan.step_both())
        self._send_frame()

    def run(self, n: int):
        """Trains n steps (as the run button does), then redraws."""
        self._metrics(self.gan.train(n))
        self._send_frame()
        return self

    def code(self) -> str:
        """Python that reproduces this run in a cell: the settings, then the actions taken."""
        cfg = self.gan.initial_config      # not gan.config: that already holds the learning rates set later
        args = ", ".join(f"{k}={v!r}" for k, v in cfg.changed().items())
        lines = ["from gan_utils.playground import ToyGAN, draw_frame",
                 f"gan = ToyGAN({args})"]
        actions = [a for a in self.gan.log]
        if any(a == "set" for a, _ in actions):
            for a, v in actions:
                lines.append(f"gan.set_learning_rates(**{v!r})" if a == "set" else f"gan.replay([({a!r}, {v})])")
        elif actions:
            lines.append(f"gan.replay({actions!r})")
        lines.append("draw_frame(gan)")
        return "\n".join(lines)

    def _metrics(self, m: dict):
        if not m:
            return
        nd, ng = self.gan.step
        h = self.history
        h["step"].append(ng)
        # a step of one player alone has no value for the other's metrics: the last one stands (None before any)
        for k in ("d_loss", "g_loss", "d_real", "d_fake"):
            h[k].append(m.get(k, h[k][-1] if h[k] else None))

    def _on_msg(self, _widget, content, _buffers):
        cmd = content.get("cmd")
        try:
            if cmd == "run":
                t0 = time.perf_counter()
                n = int(content.get("steps", self.steps_per_frame))
                self._metrics(self.gan.train(n))
                t1 = time.perf_counter()
                self._send_frame(run=True)
                t2 = time.perf_counter()
                self.timings.append((t1 - t0, t2 - t1, t2 - t0))
                del self.timings[:-200]
            elif cmd == "step":
                {"d": self.step_d, "g": self.step_g, "both": self.step_both}[content["which"]]()
            elif cmd == "reset":
                self.reset()
            elif cmd == "code":
                self.send({"type": "code", "code": self.code()})
            elif cmd == "frame":
                self._send_frame()
        except Exception as e:        # shown in the widget, never lost in the kernel log
            self.send({"type": "error", "message": f"{type(e).__name__}: {e}"})

    def _send_frame(self, reset: bool = False, run: bool = False):
        fr = self.gan.frame()
        h = self.history
        mm = None
        if self.gan.mixture is not None and self.gan.config.data_dim == 2:
            mm = doctor.toy_signals(fr["fake"], self.gan.mixture)   # the mode metrics, and what the doctor reads
            if mm["nonfinite"]:   # NaN points: toy_mode_metrics raises its error, which the widget shows
                metrics.toy_mode_metrics(fr["fake"], self.gan.mixture)
            if h["step"] and len(h["modes"]) < len(h["step"]):
                h["modes"].append(mm["modes_covered"])
                h["hq"].append(mm["high_quality_fraction"])
                h["rkl"].append(min(mm["reverse_kl"], 10.0))
        self.diagnosis = self._diagnose(mm)
        nd, ng = self.gan.step
        keep = 400                           # chart points kept (the oldest are dropped)
        for k in h:
            del h[k][:-keep]
        real = self.gan.pool_np[:1000]
        extra = {}
        if self.gan.config.data_dim == 1 and self.gan.mixture is not None:
            extra["density"] = [float(v) for v in np.asarray(self.gan.mixture.pdf(self.gan.grid[:, 0]))]
        arrays = [real, fr["fake"], fr["heat"], fr["manifold"], fr["arrows_at"], fr["arrows"]]
        msg = {"type": "frame", "reset": reset, "run": run, "n_d": nd, "n_g": ng, "dim": self.gan.config.data_dim,
               "extent": self.gan.extent, "heat_size": _HEAT, "manifold_side": _MANIFOLD,
               "shapes": [list(a.shape) for a in arrays], "modes": mm and {
                   k: mm[k] for k in ("modes_covered", "n_modes", "high_quality_fraction", "reverse_kl")},
               "doctor": self.diagnosis and {k: v for k, v in self.diagnosis.to_dict().items() if k != "evidence"},
               "history": {k: [None if (isinstance(v, float) and not math.isfinite(v)) else v for v in vals]
                           for k, vals in h.items()}, **extra}
        self.send(msg, [np.ascontiguousarray(a, np.float32).tobytes() for a in arrays])

    def _diagnose(self, sig: dict | None):
        """The GAN doctor's verdict on this frame (``gan_utils.doctor``): the history's D outputs and losses per frame,
        and ``sig``, the ``doctor.toy_signals`` of the frame's 1,000 generated points on the ring or the grid (None on
        data without modes); None before the first step."""
        h = self.history
        if not h["step"]:
            return None
        hist = {"step": list(h["step"]), "d_loss": h["d_loss"], "g_loss": h["g_loss"], "d_real": h["d_real"],
                "d_fake": h["d_fake"]}
        return doctor.diagnose(hist, sig, d_loss=config_lib.LOSSES[self.gan.config.loss][0], step=self.gan.step[1])

    # -- static readers -------------------------------------------------------------------------------
    def snapshot(self, path=None):
        """A PNG of the current view (and, if ``path`` is given, writes it there). Returns the PNG bytes."""
        import matplotlib
        import matplotlib.pyplot as plt

        from .widgets import figure_png
        with matplotlib.rc_context({"figure.dpi": 80}):
            fig, ax = plt.subplots(figsize=(4.6, 4.6))
            draw_frame(self.gan, ax=ax, layers=[k for k, v in self.layers.items() if v],
                       title=f"GAN playground (snapshot): {self.gan.config.data}, "
                             f"{self.gan.step[0]} D / {self.gan.step[1]} G updates")
            png = figure_png(fig)
            plt.close(fig)
        if path is not None:
            from .checkpoint import atomic_file
            with atomic_file(path) as tmp:     # a full disk keeps the earlier snapshot, never half a PNG
                tmp.write_bytes(png)
        return png

    def _repr_mimebundle_(self, **kwargs):
        # The live widget for front ends with a widget manager; a PNG snapshot for static readers (GitHub, nbviewer)
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if data is not None:
            data["image/png"] = base64.b64encode(self.snapshot()).decode()
            data["text/plain"] = (f"GAN playground ({self.gan.config.data}, {self.gan.step[1]} generator updates); "
                                  "run the notebook to use it live.")
        return bundle
