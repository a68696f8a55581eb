"""The GAN container, jitted update steps and the training loop.

The update steps are pure functions, ``step(state, real, key) -> (state, metrics)``, on the state of
``nnx.split(gan)``; they are compiled once with plain ``jax.jit`` and run unchanged on CPU, GPU and TPU.

One step = ``k_disc`` discriminator updates, then one generator update (Goodfellow et al., 2014, Alg. 1).
The last discriminator update and the generator update share one generator forward pass: we keep the VJP of
``fake = G(z)``, update D on ``stop_gradient(fake)``, then push the generator loss of the *updated* D back
through that VJP. This is exactly what the PyTorch DCGAN tutorial does (it reuses ``fake`` for both
updates) and saves one generator forward pass per step.
"""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Iterable

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from . import losses

__all__ = ["GAN", "build_gan", "make_train_step", "make_fused_train_step", "sample", "fit", "FitResult",
           "TrainingDiverged", "default_fuse", "step_key", "data_parallel_shardings",
           "enable_compilation_cache"]


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

    return graphdef, state, _jit_step(step, batch_axis=0 if k_disc == 1 else 1, data_parallel=data_parallel)


def make_fused_train_step(gan: GAN, *, k_disc: int = 1, generator_loss: str = "non_saturating",
                          label_smoothing: float = 0.0, data_parallel: bool | None = None,
                          unroll: int | bool | None = None) -> tuple[nnx.GraphDef, nnx.State, Callable]:
    """Like ``make_train_step``, but one compiled call runs many steps (a ``lax.scan``).

    ``fused(state, reals, key, start_step) -> (state, metrics)`` with ``reals`` of shape (n, B, ...) (or
    (n, k_disc, B, ...)); step ``start_step + i`` uses ``step_key(key, start_step + i)`` exactly as the
    single step would, and metrics holds arrays of shape (n,). Fusing removes per-step dispatch overhead, a
    big win for small MLPs on any backend.

    ``unroll`` is passed to ``lax.scan``. The default unrolls the loop completely for convolutional models on
    CPU: inside a loop XLA:CPU loses its fast convolution path (course DCGAN, batch 64, jax 0.10.2, CPU
    time per step: single step 0.31 s, inside a ``lax.scan`` 5.2 s, unrolled scan 0.27 s). Unrolling costs
    compile time proportional to n, which is why ``default_fuse`` does not fuse those models on CPU.
    """
    graphdef, state, _ = make_train_step(gan, k_disc=k_disc, generator_loss=generator_loss,
                                         label_smoothing=label_smoothing)
    opts = dict(k_disc=k_disc, generator_loss=generator_loss, label_smoothing=label_smoothing)
    if unroll is None:
        unroll = True if (_has_conv(gan) and jax.default_backend() == "cpu") else 1

    def fused(state, reals, key, start_step):
        def body(state, xs):
            real, i = xs
            gan = nnx.merge(graphdef, state)
            metrics = _one_step(gan, real, step_key(key, start_step + i), **opts)
            return nnx.state(gan), metrics
        return jax.lax.scan(body, state, (reals, jnp.arange(reals.shape[0])), unroll=unroll)

    return graphdef, state, _jit_step(fused, batch_axis=1 if k_disc == 1 else 2, data_parallel=data_parallel)


def data_parallel_shardings(batch_axis: int = 0, devices=None):
    """The shardings of a data-parallel step: ``(replicated, batch)`` on a 1-D ``Mesh`` named ``"data"``.

    Parameters, optimizer state, keys and metrics are replicated on every device; the batch is split along
    ``batch_axis``. Under ``jax.jit`` XLA then inserts the all-reduces (gradient means, BatchNorm's batch
    statistics), so the step computes the same function as on one device. With several hosts, call
    ``jax.distributed.initialize()`` first and pass ``jax.devices()`` (all hosts' devices).

    Args:
      batch_axis: the axis of the batch in the ``real`` argument.
      devices: the devices to use; default ``jax.local_devices()``.
    Returns:
      ``(replicated, batch)`` ``NamedSharding`` objects.
    """
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
    mesh = Mesh(np.array(devices if devices is not None else jax.local_devices()), ("data",))
    return NamedSharding(mesh, P()), NamedSharding(mesh, P(*([None] * batch_axis), "data"))


# XLA:CPU compiler options for the training steps. jax 0.10.2's XLA:CPU hands convolutions (and some
# element-wise ops) to the YNNPACK library by default; on the course's 2-core CPU those convolutions ran 1.6x
# slower than XLA's own (Eigen) ones: 5x5 conv 7x7x256 -> 128 at batch 128, 107 against 65 ms forward,
# 86 against 60 ms for each gradient, and the TF-tutorial DCGAN's training step 153 against 216 images/s.
# An empty list of library fusion types turns YNNPACK off for the step. Ignored on GPU and TPU.
CPU_COMPILER_OPTIONS = {"xla_cpu_experimental_ynn_fusion_type": ""}


@functools.cache
def compiler_options() -> dict | None:
    """``CPU_COMPILER_OPTIONS`` on the CPU backend when this jaxlib knows them, else None (XLA's defaults)."""
    if jax.default_backend() != "cpu":
        return None
    try:   # an older or newer jaxlib may not have the option: then compile with XLA's defaults
        jax.jit(lambda x: x + 1, compiler_options=CPU_COMPILER_OPTIONS).lower(1.0).compile()
    except Exception:   # noqa: BLE001 (XLA raises several error types for unknown options)
        return None
    return CPU_COMPILER_OPTIONS


def _jit_step(fn: Callable, *, batch_axis: int, data_parallel: bool | None) -> Callable:
    """jax.jit(fn) on one device; with several, the same function jitted with data-parallel shardings."""
    n_dev = len(jax.local_devices())
    if data_parallel is None:
        data_parallel = n_dev > 1
    if not data_parallel:
        return jax.jit(fn, compiler_options=compiler_options())
    repl, batch = data_parallel_shardings(batch_axis)
    jitted = jax.jit(fn, out_shardings=repl, compiler_options=compiler_options())

    def step(state, real, key, *rest):
        size = real.shape[batch_axis]
        if size % n_dev:
            raise ValueError(f"data-parallel training splits the batch across {n_dev} devices, but the batch "
                             f"size is {size}; use a multiple of {n_dev} or pass data_parallel=False.")
        state, key = jax.device_put((state, key), repl)
        rest = jax.device_put(rest, repl)
        return jitted(state, jax.device_put(real, batch), key, *rest)

    step.lower = lambda state, real, key, *rest: jitted.lower(
        jax.device_put(state, repl), jax.device_put(real, batch), jax.device_put(key, repl),
        *jax.device_put(rest, repl))
    step.jitted = jitted
    return step


def _has_conv(gan: nnx.Module) -> bool:
    from . import models
    conv = (nnx.Conv, nnx.ConvTranspose, models.Conv2d, models.ConvTranspose2d)
    return any(isinstance(m, conv) for _, m in gan.iter_modules())


def default_fuse(gan: GAN) -> int:
    """How many steps ``fit`` runs per compiled call: 1 for convolutional models on CPU, else 50.

    Measured on a 2-core CPU with jax 0.10.2: a DCGAN step jitted alone took 120 ms but about 3 s inside a
    ``lax.scan`` (XLA:CPU loses its fast convolution path inside loops; an unrolled scan keeps it, but a
    300 ms step has no dispatch overhead worth saving and unrolling multiplies the compile time), while MLP
    steps run faster fused. On GPU and TPU fusing pays for both.
    """
    return 1 if (_has_conv(gan) and jax.default_backend() == "cpu") else 50


@partial(jax.jit, static_argnums=(0, 3))
def _sample_jit(graphdef, state, key, n):
    g = nnx.merge(graphdef, state)
    return g(jax.random.normal(key, (n, g.latent_dim)))


def sample(generator: nnx.Module, key: jax.Array, n: int, *, z: jax.Array | None = None,
           batch_size: int = 1000) -> jax.Array:
    """Draws n samples from a generator in inference mode (BatchNorm uses its running statistics).

    Args:
      generator: a generator with a ``latent_dim`` attribute.
      key: PRNG key for z ~ N(0, I); ignored when ``z`` is given.
      n: number of samples.
      z: optional latent codes of shape (n, latent_dim) to use instead of drawing them.
      batch_size: samples per compiled call (bounds memory).
    Returns:
      (n, ...) samples, e.g. (n, 28, 28, 1) images in [-1, 1].
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}.")
    graphdef, state = nnx.split(generator)
    g = nnx.merge(graphdef, state)
    g.eval()
    graphdef, state = nnx.split(g)
    if z is not None:
        z = jnp.asarray(z)
        if z.shape != (n, generator.latent_dim):
            raise ValueError(f"z must have shape (n, latent_dim) = ({n}, {generator.latent_dim}), got {z.shape}.")
        return nnx.merge(graphdef, state)(z)
    keys = jax.random.split(key, math.ceil(n / batch_size))
    out = [_sample_jit(graphdef, state, k, min(batch_size, n - i * batch_size)) for i, k in enumerate(keys)]
    return jnp.concatenate(out) if len(out) > 1 else out[0]


class TrainingDiverged(RuntimeError):
    """Raised by ``fit`` when a loss becomes NaN or Inf; the GAN holds the last good state."""

    def __init__(self, message: str, result: "FitResult"):
        super().__init__(message)
        self.result = result


@dataclass
class FitResult:
    """What ``fit`` returns: the step reached, the metric history, and timing."""
    step: int
    history: dict = field(default_factory=dict)
    seconds: float = 0.0
    compile_seconds: float = 0.0

    @property
    def steps_per_second(self) -> float:
        done = len(self.history.get("step", []))
        return done / max(self.seconds - self.compile_seconds, 1e-9)


def fit(gan: GAN, batches, *, key: jax.Array, steps: int | None = None, minutes: float | None = None,
        start_step: int = 0, k_disc: int = 1, generator_loss: str = "non_saturating",
        label_smoothing: float = 0.0, fuse: int | None = None, data_parallel: bool | None = None,
        callbacks: Iterable[Callable] = (), callback_every: int = 500,
        checkpoint_dir: str | None = None, checkpoint_every: int | None = None,
        config: dict | None = None, history: dict | None = None, progress: bool = True) -> FitResult:
    """Trains ``gan`` in place, for a number of steps or a wall-clock budget.

    Args:
      gan: the GAN to train; it holds the trained state when fit returns.
      batches: a ``gan_utils.data.BatchSampler`` (anything with ``batch(step) -> (B, ...)``).
      key: the run's PRNG key; step s uses ``step_key(key, s)``.
      steps: train until this step number (absolute, so a resumed run passes the same value).
      minutes: or train for this many minutes of wall-clock time (compile time included).
      start_step: the step to start from (a restored checkpoint's step).
      k_disc, generator_loss, label_smoothing: see ``make_train_step``.
      fuse: steps per compiled call; default ``default_fuse(gan)``.
      data_parallel: split batches across all local devices (default: when there are several); see
        ``make_train_step``.
      callbacks: functions ``cb(step, gan, history)`` called every ``callback_every`` steps and at the end.
      checkpoint_dir: if given, a checkpoint is written there every ``checkpoint_every`` steps, at the end,
        and (holding the last good state) when training diverges.
      config: saved with checkpoints (e.g. the command line's options).
      history: a previous run's history to extend (for resuming).
      progress: show a tqdm progress bar.

    Returns:
      FitResult with the final step and the metric history (one entry per step).

    Raises:
      TrainingDiverged: a loss became NaN or Inf. The GAN keeps the last good state, which is also saved.
    """
    from tqdm.auto import tqdm
    from . import checkpoint as ckpt

    if (steps is None) == (minutes is None):
        raise ValueError("pass exactly one of steps= (a step count) or minutes= (a wall-clock budget).")
    if steps is not None and steps < start_step:
        raise ValueError(f"steps={steps} is before start_step={start_step}; steps is the step to train until.")
    if not hasattr(batches, "batch"):
        raise TypeError("batches must have a .batch(step) method, e.g. gan_utils.data.BatchSampler(x, 128, key).")
    fuse = fuse or default_fuse(gan)
    maker = make_fused_train_step if fuse > 1 else make_train_step
    graphdef, state, step_fn = maker(gan, k_disc=k_disc, generator_loss=generator_loss,
                                     label_smoothing=label_smoothing, data_parallel=data_parallel)
    hist = {k: list(v) for k, v in (history or {}).items()}
    callbacks = list(callbacks)
    deadline = None if minutes is None else time.perf_counter() + 60 * minutes
    last_good, last_good_step = state, start_step
    step, t0, compile_s = start_step, time.perf_counter(), 0.0
    check_every = max(fuse, 10)  # steps between host syncs: NaN check, history, progress bar
    pending: list = []

    def batch_for(s):
        if k_disc == 1:
            return batches.batch(s)
        return np.stack([batches.batch(s * k_disc + j) for j in range(k_disc)])

    def save(st, s):
        if checkpoint_dir:
            nnx.update(gan, st)
            ckpt.save(checkpoint_dir, gan, step=s, key=key, config=config, history=hist)

    bar = tqdm(total=(steps - start_step) if steps is not None else None, disable=not progress,
               desc="training", unit="step", dynamic_ncols=True)
    try:
        while (steps is None or step < steps) and (deadline is None or time.perf_counter() < deadline):
            n = fuse if steps is None else min(fuse, steps - step)
            if fuse > 1:
                if n < fuse and steps is not None:  # keep one compiled shape: finish with single steps
                    _, _, single = make_train_step(gan, k_disc=k_disc, generator_loss=generator_loss,
                                                   label_smoothing=label_smoothing, data_parallel=data_parallel)
                    for i in range(n):
                        state, m = single(state, jnp.asarray(batch_for(step + i)), step_key(key, step + i))
                        pending.append(([step + i], m))
                else:
                    reals = jnp.asarray(np.stack([batch_for(step + i) for i in range(n)]))
                    state, m = step_fn(state, reals, key, step)
                    pending.append((list(range(step, step + n)), m))   # metrics of shape (n,): split on the host
            else:
                state, m = step_fn(state, jnp.asarray(batch_for(step)), step_key(key, step))
                pending.append(([step], m))
            if step == start_step:
                jax.block_until_ready(state)
                compile_s = time.perf_counter() - t0
            step += n
            bar.update(n)
            due_cb = callbacks and step // callback_every != (step - n) // callback_every
            due_ck = checkpoint_every and step // checkpoint_every != (step - n) // checkpoint_every
            if sum(len(s) for s, _ in pending) >= check_every or due_cb or due_ck:
                n_before = len(hist.get("step", []))
                _flush(pending, hist)
                pending = []
                if not _all_finite(hist, n_before):
                    bad = next(s for s, d, g in zip(hist["step"][n_before:], hist["d_loss"][n_before:],
                                                    hist["g_loss"][n_before:])
                               if not (math.isfinite(d) and math.isfinite(g)))
                    nnx.update(gan, last_good)
                    for k in hist:  # the history ends where the kept state ends
                        hist[k] = hist[k][:n_before]
                    save(last_good, last_good_step)
                    msg = (f"training diverged: a loss became NaN/Inf at step {bad}. The GAN holds the last good "
                           f"state (step {last_good_step})" + (f", saved to {checkpoint_dir}" if checkpoint_dir
                                                                else "") +
                           ". Try a lower learning rate, label_smoothing=0.1, or check the data for NaN.")
                    raise TrainingDiverged(msg, FitResult(last_good_step, hist, time.perf_counter() - t0,
                                                          compile_s))
                last_good, last_good_step = state, step
                bar.set_postfix(d_loss=f"{hist['d_loss'][-1]:.3f}", g_loss=f"{hist['g_loss'][-1]:.3f}",
                                refresh=False)
                if due_cb:
                    nnx.update(gan, state)
                    for cb in callbacks:
                        cb(step, gan, hist)
                if due_ck:
                    save(state, step)
        n_before = len(hist.get("step", []))
        _flush(pending, hist)
        if not _all_finite(hist, n_before):
            nnx.update(gan, last_good)
            for k in hist:
                hist[k] = hist[k][:n_before]
            save(last_good, last_good_step)
            raise TrainingDiverged(f"training diverged in its last steps; the GAN holds the last good state "
                                   f"(step {last_good_step}).",
                                   FitResult(last_good_step, hist, time.perf_counter() - t0, compile_s))
        nnx.update(gan, state)
        if callbacks and step % callback_every:
            for cb in callbacks:
                cb(step, gan, hist)
        save(state, step)
    finally:
        bar.close()
    return FitResult(step, hist, time.perf_counter() - t0, compile_s)


def _all_finite(hist: dict, start: int) -> bool:
    return all(math.isfinite(v) for k in ("d_loss", "g_loss") for v in hist.get(k, [])[start:])


def _flush(pending: list, hist: dict) -> None:
    """Moves pending device metrics to the host history in one transfer.

    ``pending`` holds ``(steps, metrics)`` pairs: one step with scalar metrics, or the n steps of a fused
    call with metrics of shape (n,).
    """
    if not pending:
        return
    ms = jax.device_get([m for _, m in pending])
    for (steps, _), m in zip(pending, ms):
        hist.setdefault("step", []).extend(int(s) for s in steps)
        for k, v in m.items():
            hist.setdefault(k, []).extend(float(x) for x in np.ravel(v))


def enable_compilation_cache(path: str | None = None, *, min_compile_seconds: float = 0.0) -> str:
    """Keeps compiled steps on disk, so re-running a notebook (or a new process) skips compiling them.

    JAX reads ``JAX_COMPILATION_CACHE_DIR`` by itself, but only caches programs that took at least one second
    to compile; the course's steps compile in 0.3 to 4 s on a 2-core CPU, so this also lowers that threshold.
    Call it once, before the first compiled call (the setup cell).

    Args:
      path: the cache folder; default ``$JAX_COMPILATION_CACHE_DIR``, else ``~/.cache/gan_utils/jax``.
      min_compile_seconds: cache programs that took at least this long to compile.
    Returns:
      The cache folder in use.
    """
    import os
    path = path or os.environ.get("JAX_COMPILATION_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "gan_utils", "jax")
    os.makedirs(path, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", min_compile_seconds)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return path


def build_gan(config: dict):
    """Builds the GAN described by a run's config (the ``config`` that ``train --out`` saves in meta.json).

    Args:
      config: dict with model ("dcgan" or "mlp"), dataset, seed, latent_dim, lr, b1 and optionally dropout
        and hidden.
    Returns:
      a freshly initialised ``GAN`` (seeded by config["seed"]); restore weights into it with gan_utils.checkpoint.
    """
    from flax import nnx
    from . import models

    rngs = nnx.Rngs(config["seed"])
    if config["model"] == "dcgan":
        g = models.DCGANGenerator(latent_dim=config["latent_dim"], rngs=rngs)
        d = models.DCGANDiscriminator(dropout=config.get("dropout", 0.0), rngs=rngs)
    elif config["model"] == "mlp":
        dim = 784 if config["dataset"] == "mnist" else 2
        g = models.MLPGenerator(latent_dim=config["latent_dim"], out_dim=dim,
                                hidden=tuple(config.get("hidden", (256, 256))), rngs=rngs)
        d = models.MLPDiscriminator(in_dim=dim, hidden=tuple(config.get("hidden", (256, 256))), rngs=rngs)
    else:
        raise ValueError(f"unknown model {config['model']!r}; choose dcgan or mlp.")
    return GAN(g, d, g_lr=config["lr"], d_lr=config["lr"], b1=config["b1"])
