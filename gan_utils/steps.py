"""The GAN container and its jitted update steps.

The update steps are pure functions, ``step(state, real, key) -> (state, metrics)``, on the state of
``nnx.split(gan)``; they are compiled once with plain ``jax.jit`` (``devices.jit_step``) and run unchanged on CPU,
GPU and TPU.

One step = ``k_disc`` discriminator updates, then one generator update (Goodfellow et al., 2014, Alg. 1).
The last discriminator update and the generator update share one generator forward pass: we keep the VJP of
``fake = G(z)``, update D on ``stop_gradient(fake)``, then push the generator loss of the *updated* D back
through that VJP. This is exactly what the PyTorch DCGAN tutorial does (it reuses ``fake`` for both
updates) and saves one generator forward pass per step.
"""
from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from . import devices, losses

__all__ = ["GAN", "step_key", "make_train_step", "make_fused_train_step"]


class GAN(nnx.Module):
    """A generator, a discriminator and their Adam optimizers, as one NNX module (one state to save).

    Args:
      generator: maps z of shape (N, latent_dim) to samples; must have a ``latent_dim`` attribute.
      discriminator: maps samples to logits of shape (N,).
      g_lr, d_lr: Adam learning rates (DCGAN paper: 2e-4 for both).
      b1: Adam's first-moment decay (DCGAN paper: 0.5; the default 0.9 makes GAN training oscillate more).
      b2: Adam's second-moment decay.
    """

    def __init__(self, generator: nnx.Module, discriminator: nnx.Module, *, g_lr: float = 2e-4,
                 d_lr: float = 2e-4, b1: float = 0.5, b2: float = 0.999):
        if not hasattr(generator, "latent_dim"):
            raise TypeError("the generator needs a `latent_dim` attribute (the size of z); "
                            "gan_utils.models generators have one.")
        self.generator = generator
        self.discriminator = discriminator
        self.g_opt = nnx.Optimizer(generator, optax.adam(g_lr, b1, b2), wrt=nnx.Param)
        self.d_opt = nnx.Optimizer(discriminator, optax.adam(d_lr, b1, b2), wrt=nnx.Param)

    @property
    def latent_dim(self) -> int:
        return self.generator.latent_dim


def step_key(key: jax.Array, step: int) -> jax.Array:
    """The key used by training step ``step``: a pure function of (key, step), so a resumed run is exact."""
    return jax.random.fold_in(key, step)


def _one_step(gan: GAN, real: jax.Array, key: jax.Array, *, k_disc: int, generator_loss: str,
              label_smoothing: float) -> dict:
    """k discriminator updates then one generator update, mutating ``gan`` (called inside jit)."""
    G, D = gan.generator, gan.discriminator
    g_loss_fn = losses.GENERATOR_LOSSES[generator_loss]
    reals = real if k_disc > 1 else real[None]
    n = reals.shape[1]
    keys = jax.random.split(key, k_disc)

    def d_loss_fn(D, real, fake):
        r, f = D(real), D(fake)
        return losses.discriminator_loss(r, f, label_smoothing=label_smoothing), (r, f)

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

    (d_loss, (r_logits, f_logits)), d_grads = nnx.value_and_grad(d_loss_fn, has_aux=True)(
        D, reals[-1], jax.lax.stop_gradient(fake))
    gan.d_opt.update(D, d_grads)

    # Generator loss through the *updated* discriminator, back through G's saved VJP.
    g_loss, d_fake = nnx.value_and_grad(lambda f, D: g_loss_fn(D(f)))(fake, D)
    g_grads, _ = g_vjp(d_fake)
    gan.g_opt.update(G, g_grads)
    return {
        "d_loss": d_loss,
        "g_loss": g_loss,
        "d_real": jnp.mean(jax.nn.sigmoid(r_logits)),   # mean D(x) before the update
        "d_fake": jnp.mean(jax.nn.sigmoid(f_logits)),   # mean D(G(z)) before the update
        "g_grad_norm": optax.global_norm(g_grads),
    }


def make_train_step(gan: GAN, *, k_disc: int = 1, generator_loss: str = "non_saturating",
                    label_smoothing: float = 0.0,
                    data_parallel: bool | None = None) -> tuple[nnx.GraphDef, nnx.State, Callable]:
    """Compiles one training step as a pure function.

    Args:
      gan: the GAN whose structure fixes the compiled step (its values are not captured).
      k_disc: discriminator updates per generator update.
      generator_loss: ``"non_saturating"`` (default, -log D(G(z))) or ``"saturating"`` (log(1 - D(G(z)))).
      label_smoothing: one-sided label smoothing for the real targets (0 disables it).
      data_parallel: split each batch across all local devices, parameters replicated (see
        ``data_parallel_shardings``); the default ``None`` does so whenever there is more than one device
        (a Colab TPU's 8 cores, several GPUs), so the same code runs everywhere. The batch size must then be
        a multiple of the device count.

    Returns:
      ``(graphdef, state, step)`` where ``step(state, real, key) -> (state, metrics)`` is jitted;
      ``real`` is a batch (B, ...) for k_disc=1, or (k_disc, B, ...) batches otherwise; metrics is a dict of
      float32 scalars: d_loss, g_loss, d_real (mean D(x)), d_fake (mean D(G(z))), g_grad_norm.
      Put the state back into the module with ``nnx.update(gan, state)``.
    """
    if generator_loss not in losses.GENERATOR_LOSSES:
        raise ValueError(f"unknown generator_loss {generator_loss!r}; choose one of {list(losses.GENERATOR_LOSSES)}.")
    if k_disc < 1:
        raise ValueError(f"k_disc must be at least 1, got {k_disc}.")
    graphdef, state = nnx.split(gan)
    opts = dict(k_disc=k_disc, generator_loss=generator_loss, label_smoothing=label_smoothing)

    def step(state, real, key):
        gan = nnx.merge(graphdef, state)
        metrics = _one_step(gan, real, key, **opts)
        return nnx.state(gan), metrics

    return graphdef, state, devices.jit_step(step, batch_axis=0 if k_disc == 1 else 1, data_parallel=data_parallel)


def make_fused_train_step(gan: GAN, *, k_disc: int = 1, generator_loss: str = "non_saturating",
                          label_smoothing: float = 0.0, data_parallel: bool | None = None,
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
    graphdef, state, _ = make_train_step(gan, k_disc=k_disc, generator_loss=generator_loss,
                                         label_smoothing=label_smoothing)
    opts = dict(k_disc=k_disc, generator_loss=generator_loss, label_smoothing=label_smoothing)
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
