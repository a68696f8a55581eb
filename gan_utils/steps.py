"""The GAN container and its jitted update steps.

The update steps are pure functions, ``step(state, real, key) -> (state, metrics)``, on the state of
``nnx.split(gan)``; they are compiled once with plain ``jax.jit`` (``devices.jit_step``) and run unchanged on CPU,
GPU and TPU.

One step = ``k_disc`` discriminator updates, then one generator update (Goodfellow et al., 2014, Alg. 1).
The last discriminator update and the generator update share one generator forward pass: we keep the VJP of
``fake = G(z)``, update D on ``stop_gradient(fake)``, then push the generator loss of the *updated* D back
through that VJP. This is exactly what the PyTorch DCGAN tutorial does (it reuses ``fake`` for both
updates) and saves one generator forward pass per step.

Options of the recipe (each off by default, so the default step is the one above): the hinge loss
(``discriminator_loss="hinge"``, ``generator_loss="hinge"``), the R1 gradient penalty on real data (``r1``), and an
exponential moving average of the generator's weights (``GAN(..., ema=decay)``, kept in ``GAN.g_ema``).
"""
from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from . import devices, losses, models

__all__ = ["GAN", "step_key", "make_train_step", "make_fused_train_step"]


class GAN(nnx.Module):
    """A generator, a discriminator and their Adam optimizers, as one NNX module (one state to save).

    Args:
      generator: maps z of shape (N, latent_dim) to samples; must have a ``latent_dim`` attribute.
      discriminator: maps samples to logits of shape (N,).
      g_lr, d_lr: Adam learning rates (DCGAN paper: 2e-4 for both).
      b1: Adam's first-moment decay (DCGAN paper: 0.5; the default 0.9 makes GAN training oscillate more).
      b2: Adam's second-moment decay.
      ema: decay of an exponential moving average of the generator's weights (0 = none; e.g. 0.999). When on,
        ``g_ema`` is a second generator, a copy of ``generator`` at construction, whose parameters the training
        step moves after every generator update: ``ema = decay * ema + (1 - decay) * param``
        (Karras et al., 2018; Yazici et al., 2019); its BatchNorm statistics are copied from ``generator``.
        It is part of the module, so checkpoints save it and a resumed run continues it exactly.
    """

    def __init__(self, generator: nnx.Module, discriminator: nnx.Module, *, g_lr: float = 2e-4,
                 d_lr: float = 2e-4, b1: float = 0.5, b2: float = 0.999, ema: float = 0.0):
        if not hasattr(generator, "latent_dim"):
            raise TypeError("the generator needs a `latent_dim` attribute (the size of z); "
                            "gan_utils.models generators have one.")
        if not 0.0 <= ema < 1.0:
            raise ValueError(f"ema (the decay of the generator's weight average) must be in [0, 1), got {ema}; "
                             "0 turns it off, 0.999 is common.")
        self.generator = generator
        self.discriminator = discriminator
        self.g_opt = nnx.Optimizer(generator, optax.adam(g_lr, b1, b2), wrt=nnx.Param)
        self.d_opt = nnx.Optimizer(discriminator, optax.adam(d_lr, b1, b2), wrt=nnx.Param)
        self.ema_decay = float(ema)
        # new Variables (sharing the initial arrays): the average starts at the generator's initialisation
        self.g_ema = nnx.clone(generator) if ema > 0 else None

    @property
    def latent_dim(self) -> int:
        return self.generator.latent_dim

    @property
    def sampling_generator(self) -> nnx.Module:
        """The generator to draw samples from: ``g_ema`` when the weight average is on, else ``generator``.

        ``g_ema`` carries the live generator's BatchNorm statistics (copied by every step); ``sampler()`` gives a
        copy with statistics re-estimated for the averaged weights, which sample better.
        """
        return self.g_ema if self.g_ema is not None else self.generator

    def sampler(self, key: jax.Array | None = None, *, n_batches: int = 20, batch_size: int = 256) -> nnx.Module:
        """The generator to sample, ready: ``generator`` itself when the weight average is off; otherwise a copy
        of ``g_ema`` whose BatchNorm statistics are re-estimated for its weights (``models.recalibrate_batchnorm``
        on ``n_batches`` batches of ``batch_size`` fresh z drawn with ``key``, default ``jax.random.key(0)``).

        Re-estimated statistics sample better than the copied ones, which belong to the live weights (measured in
        benchmarks/RESULTS.md). The GAN itself is left unchanged, so a run continues exactly after sampling.
        """
        if self.g_ema is None:
            return self.generator
        key = jax.random.key(0) if key is None else key
        return models.recalibrate_batchnorm(nnx.clone(self.g_ema), key, n_batches=n_batches, batch_size=batch_size)


def step_key(key: jax.Array, step: int) -> jax.Array:
    """The key used by training step ``step``: a pure function of (key, step), so a resumed run is exact."""
    return jax.random.fold_in(key, step)


def _r1_and_real_logits(D: nnx.Module, real: jax.Array, gamma: float) -> tuple[jax.Array, jax.Array]:
    """D's logits on ``real`` and the R1 penalty ``gamma/2 * mean_i ||grad_x l(x_i)||^2`` (Mescheder et al., 2018).

    One forward pass gives both: the gradient of ``sum(l(x))`` with respect to the batch is, row by row, each
    example's input gradient (examples do not interact in D). The penalty stays differentiable with respect to
    D's parameters (a gradient of a gradient), so D's update minimises it.
    """
    d_def, d_state = nnx.split(D)

    def logit_sum(x, d_state):   # pure: D's state (e.g. Dropout's RNG counter) goes in and comes out
        d = nnx.merge(d_def, d_state, copy=True)   # new Variables, so Dropout may advance its RNG in here
        logits = d(x)
        return jnp.sum(logits), (logits, nnx.state(d))

    (_, (logits, d_state_new)), grad_x = jax.value_and_grad(logit_sum, has_aux=True)(real, d_state)
    nnx.update(D, d_state_new)
    sq_norm = jnp.sum(jnp.square(grad_x).reshape(grad_x.shape[0], -1), axis=1)
    return logits, 0.5 * gamma * jnp.mean(sq_norm)


def _one_step(gan: GAN, real: jax.Array, key: jax.Array, *, k_disc: int, generator_loss: str,
              label_smoothing: float, discriminator_loss: str = "bce", r1: float = 0.0) -> dict:
    """k discriminator updates then one generator update, mutating ``gan`` (called inside jit)."""
    G, D = gan.generator, gan.discriminator
    g_loss_fn = losses.GENERATOR_LOSSES[generator_loss]
    if discriminator_loss == "bce":
        def adversarial(r, f):
            return losses.discriminator_loss(r, f, label_smoothing=label_smoothing)
    else:
        adversarial = losses.DISCRIMINATOR_LOSSES[discriminator_loss]
    reals = real if k_disc > 1 else real[None]
    n = reals.shape[1]
    keys = jax.random.split(key, k_disc)

    def d_loss_fn(D, real, fake):
        if not r1:     # the plain step: no penalty, nothing extra traced
            r, f = D(real), D(fake)
            return adversarial(r, f), (r, f)
        r, penalty = _r1_and_real_logits(D, real, r1)
        f = D(fake)
        adv = adversarial(r, f)
        return adv + penalty, (r, f, adv, penalty)

    for i in range(k_disc - 1):  # extra discriminator updates, each on fresh fakes (k is small: unrolled)
        fake = jax.lax.stop_gradient(G(jax.random.normal(keys[i], (n, G.latent_dim))))
        grads = nnx.grad(d_loss_fn, has_aux=True)(D, reals[i], fake)[0]
        gan.d_opt.update(D, grads)

    # Last discriminator update and the generator update share this forward pass of G.
    z = jax.random.normal(keys[-1], (n, G.latent_dim))
    g_def, g_params, g_rest = nnx.split(G, nnx.Param, ...)

    def g_forward(params, rest):  # rest (BatchNorm statistics) is an argument: NNX forbids closing over it
        g = nnx.merge(g_def, params, rest)
        return g(z), nnx.state(g, nnx.Not(nnx.Param))  # BatchNorm statistics move forward here

    fake, g_vjp, g_rest_new = jax.vjp(g_forward, g_params, g_rest, has_aux=True)
    nnx.update(G, g_rest_new)

    (d_loss, (r_logits, f_logits, *r1_parts)), d_grads = nnx.value_and_grad(d_loss_fn, has_aux=True)(
        D, reals[-1], jax.lax.stop_gradient(fake))
    gan.d_opt.update(D, d_grads)

    # Generator loss through the *updated* discriminator, back through G's saved VJP.
    g_loss, d_fake = nnx.value_and_grad(lambda f, D: g_loss_fn(D(f)))(fake, D)
    g_grads, _ = g_vjp(d_fake)
    gan.g_opt.update(G, g_grads)
    if gan.g_ema is not None:
        _update_ema(gan.g_ema, G, gan.ema_decay)
    metrics = {
        "d_loss": r1_parts[0] if r1 else d_loss,         # the adversarial part, comparable across runs
        "g_loss": g_loss,
        "d_real": jnp.mean(jax.nn.sigmoid(r_logits)),   # mean D(x) before the update
        "d_fake": jnp.mean(jax.nn.sigmoid(f_logits)),   # mean D(G(z)) before the update
        "g_grad_norm": optax.global_norm(g_grads),
    }
    if r1:
        metrics["r1_penalty"] = r1_parts[1]              # gamma/2 * mean ||grad_x D(x)||^2 before the update
    return metrics


def _update_ema(g_ema: nnx.Module, G: nnx.Module, decay: float) -> None:
    """``ema = decay * ema + (1 - decay) * param`` for every ``nnx.Param``; BatchNorm statistics copied from G.

    The copied running statistics belong to the live weights, not the averaged ones; they cost nothing and keep
    ``g_ema`` usable as it is, but ``GAN.sampler()`` re-estimates them for the averaged weights before sampling,
    which measured better (MNIST, 400 steps, decay 0.99: FID 294 against 317).
    """
    avg = jax.tree_util.tree_map(lambda e, p: decay * e + (1.0 - decay) * p,
                                 nnx.state(g_ema, nnx.Param), nnx.state(G, nnx.Param))
    nnx.update(g_ema, avg, nnx.state(G, nnx.Not(nnx.Param)))


def _check_options(k_disc: int, generator_loss: str, discriminator_loss: str, label_smoothing: float,
                   r1: float) -> dict:
    if generator_loss not in losses.GENERATOR_LOSSES:
        raise ValueError(f"unknown generator_loss {generator_loss!r}; choose one of {list(losses.GENERATOR_LOSSES)}.")
    if discriminator_loss not in losses.DISCRIMINATOR_LOSSES:
        raise ValueError(f"unknown discriminator_loss {discriminator_loss!r}; choose one of "
                         f"{list(losses.DISCRIMINATOR_LOSSES)}.")
    if k_disc < 1:
        raise ValueError(f"k_disc must be at least 1, got {k_disc}.")
    if label_smoothing and discriminator_loss != "bce":
        raise ValueError(f"label_smoothing applies to the 'bce' discriminator loss, not {discriminator_loss!r}; "
                         "pass label_smoothing=0.")
    if not r1 >= 0:
        raise ValueError(f"r1 (the R1 penalty's gamma) must be >= 0, got {r1}; 0 turns it off.")
    return dict(k_disc=k_disc, generator_loss=generator_loss, label_smoothing=label_smoothing,
                discriminator_loss=discriminator_loss, r1=float(r1))


def make_train_step(gan: GAN, *, k_disc: int = 1, generator_loss: str = "non_saturating",
                    label_smoothing: float = 0.0, discriminator_loss: str = "bce", r1: float = 0.0,
                    data_parallel: bool | None = None) -> tuple[nnx.GraphDef, nnx.State, Callable]:
    """Compiles one training step as a pure function.

    Args:
      gan: the GAN whose structure fixes the compiled step (its values are not captured).
      k_disc: discriminator updates per generator update.
      generator_loss: ``"non_saturating"`` (default, -log D(G(z))), ``"saturating"`` (log(1 - D(G(z)))) or
        ``"hinge"`` (-l(G(z))); see ``losses.GENERATOR_LOSSES``.
      label_smoothing: one-sided label smoothing for the real targets (0 disables it; ``"bce"`` only).
      discriminator_loss: ``"bce"`` (default, the cross-entropy of ``losses.discriminator_loss``) or ``"hinge"``
        (``losses.discriminator_loss_hinge``).
      r1: gamma of the R1 penalty ``gamma/2 * mean_i ||grad_x l(x_i)||^2`` on the real batch, added to D's loss
        (Mescheder et al., 2018); 0 (default) leaves it out of the compiled step entirely.
      data_parallel: split each batch across all local devices, parameters replicated (see
        ``data_parallel_shardings``); the default ``None`` does so whenever there is more than one device
        (a Colab TPU's 8 cores, several GPUs), so the same code runs everywhere. The batch size must then be
        a multiple of the device count.

    Returns:
      ``(graphdef, state, step)`` where ``step(state, real, key) -> (state, metrics)`` is jitted;
      ``real`` is a batch (B, ...) for k_disc=1, or (k_disc, B, ...) batches otherwise; metrics is a dict of
      float32 scalars: d_loss (the adversarial loss, without the penalty), g_loss, d_real (mean D(x)),
      d_fake (mean D(G(z))), g_grad_norm, and r1_penalty when r1 > 0. When the GAN has ``g_ema``, the step
      updates it after the generator.
      Put the state back into the module with ``nnx.update(gan, state)``.
    """
    opts = _check_options(k_disc, generator_loss, discriminator_loss, label_smoothing, r1)
    graphdef, state = nnx.split(gan)

    def step(state, real, key):
        gan = nnx.merge(graphdef, state)
        metrics = _one_step(gan, real, key, **opts)
        return nnx.state(gan), metrics

    return graphdef, state, devices.jit_step(step, batch_axis=0 if k_disc == 1 else 1, data_parallel=data_parallel)


def make_fused_train_step(gan: GAN, *, k_disc: int = 1, generator_loss: str = "non_saturating",
                          label_smoothing: float = 0.0, discriminator_loss: str = "bce", r1: float = 0.0,
                          data_parallel: bool | None = None,
                          unroll: int | bool | None = None) -> tuple[nnx.GraphDef, nnx.State, Callable]:
    """Like ``make_train_step``, but one compiled call runs many steps (a ``lax.scan``).

    ``fused(state, reals, key, start_step) -> (state, metrics)`` with ``reals`` of shape (n, B, ...) (or
    (n, k_disc, B, ...)); step ``start_step + i`` uses ``step_key(key, start_step + i)`` exactly as the
    single step would, and metrics holds arrays of shape (n,). Fusing removes per-step dispatch overhead, a
    big win for small MLPs on any backend.

    ``unroll`` is passed to ``lax.scan``; the default, ``devices.scan_unroll(gan)``, unrolls the loop completely
    for convolutional models on CPU, where a rolled loop loses XLA:CPU's fast convolution path (figures in
    benchmarks/RESULTS.md). Unrolling costs compile time proportional to n, which is why
    ``devices.default_fuse`` does not fuse those models on CPU at all.
    """
    opts = _check_options(k_disc, generator_loss, discriminator_loss, label_smoothing, r1)
    graphdef, state = nnx.split(gan)
    if unroll is None:
        unroll = devices.scan_unroll(gan)

    def fused(state, reals, key, start_step):
        def body(state, xs):
            real, i = xs
            gan = nnx.merge(graphdef, state)
            metrics = _one_step(gan, real, step_key(key, start_step + i), **opts)
            return nnx.state(gan), metrics
        return jax.lax.scan(body, state, (reals, jnp.arange(reals.shape[0])), unroll=unroll)

    return graphdef, state, devices.jit_step(fused, batch_axis=1 if k_disc == 1 else 2, data_parallel=data_parallel)
