"""The training loop: ``fit`` runs the compiled update steps of ``gan_utils.steps`` for a number of steps or a
wall-clock budget, with a history of metrics, checkpoints, callbacks and recovery from divergence.
"""
from __future__ import annotations

import contextlib
import math
import numbers
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from . import checkpoint, devices, steps as steps_lib
from .config import GANConfig
from .data import BatchSampler
from .steps import GAN, step_key

__all__ = ["fit", "FitResult", "TrainingDiverged", "STEP_OPTIONS", "STOP_REQUESTED"]


@dataclass
class FitResult:
    """What ``fit`` returns: the step reached, the metric history, and timing."""
    step: int
    history: dict = field(default_factory=dict)
    seconds: float = 0.0
    compile_seconds: float = 0.0
    interrupted: bool = False   # stopped early by an interrupt (Jupyter's stop button), with fit(stop_on_interrupt=True)

    @property
    def steps_per_second(self) -> float:
        done = len(self.history.get("step", []))
        return done / max(self.seconds - self.compile_seconds, 1e-9)


class TrainingDiverged(RuntimeError):
    """Raised by ``fit`` when a loss becomes NaN or Inf; the GAN holds the last good state."""

    def __init__(self, message: str, result: FitResult, step: int | None = None):
        super().__init__(message)
        self.result = result
        self.step = step        # the step whose loss was NaN/Inf


# The training step's options and their values without a config: the default GANConfig's, derived rather than written
# again so the two cannot drift apart (``steps.make_train_step`` documents each).
STEP_OPTIONS = GANConfig().step_options()

# Set by the command line's SIGTERM handler, which also raises KeyboardInterrupt at once. The raise alone can be lost:
# a signal handler runs wherever the main thread is, and an exception raised inside a garbage-collection callback
# (JAX registers one) is printed and ignored, so the run trained on (seen in CI). fit checks this flag between steps,
# stops as on an interrupt, and clears it.
STOP_REQUESTED = threading.Event()


def fit(gan: GAN, batches, *, key: jax.Array, steps: int | None = None, minutes: float | None = None,
        config: GANConfig | dict | None = None, start_step: int = 0,
        fuse: int | None = None, data_parallel: bool | None = None,
        callbacks: Iterable[Callable] = (), callback_every: int = 500,
        checkpoint_dir: str | None = None, checkpoint_every: int | None = None,
        history: dict | None = None, progress: bool = True, stop_on_interrupt: bool = False,
        **step_options) -> FitResult:
    """Trains ``gan`` in place, for a number of steps or a wall-clock budget.

    Args:
      gan: the GAN to train; it holds the trained state when fit returns.
      batches: a ``gan_utils.data.BatchSampler`` (anything with ``batch(step) -> (B, ...)``; for a
        class-conditional GAN, ``batch(step) -> (images (B, ...), labels (B,))``).
      key: the run's PRNG key; step s uses ``steps.step_key(key, s)``.
      steps: train until this step number (absolute, so a resumed run passes the same value).
      minutes: or train for this many minutes of wall-clock time (compile time included).
      config: the recipe (a ``GANConfig``, or the dict a checkpoint stores), the one way to pass it: its training-step
        options (``config.step_options()``: loss, D steps per G step, penalties, label smoothing) are used, and it is
        saved with checkpoints so that ``checkpoint.load_gan`` can rebuild the GAN. Its architecture options
        (spectral normalisation, minibatch std, packing, EMA) belong to the GAN: ``build_gan(config)`` sets them.
      start_step: the step to start from (a restored checkpoint's step).
      fuse: steps per compiled call; default ``devices.default_fuse(gan)``.
      data_parallel: split batches across all local devices (default: when there are several); see
        ``steps.make_train_step``.
      callbacks: functions ``cb(step, gan, history)`` called every ``callback_every`` steps and at the end. Training
        goes on from the GAN as they leave it (e.g. ``clusters.SelfConditioning`` sets the generator's prior).
      callback_every: steps between callback calls.
      checkpoint_dir: if given, a checkpoint is written there every ``checkpoint_every`` steps, at the end,
        and (holding the last good state) when training diverges.
      checkpoint_every: steps between checkpoints (None: only at the end).
      **step_options: a training-step option set by hand, over the config's (or over ``STEP_OPTIONS`` without one):
        ``k_disc``, ``generator_loss``, ``label_smoothing``, ``discriminator_loss``, ``r1``, ``penalty``,
        ``penalty_weight`` (``steps.make_train_step`` documents each). For experiments that change one thing,
        e.g. notebook 05's ``fit(gan, ..., k_disc=5)``.
      history: a previous run's history to extend (for resuming).
      progress: show a tqdm progress bar.
      stop_on_interrupt: what an interrupt (KeyboardInterrupt: Ctrl-C, Jupyter's stop button) does. Either way the
        GAN keeps every step finished before it, the history is complete up to there, and a checkpoint is written
        (with ``checkpoint_dir``). True: training ends there and fit returns normally (``result.interrupted``), so
        the cells after a stopped training cell work with the model so far; False (default): the interrupt is
        raised again after that, as the command line and scripts expect.

    Returns:
      FitResult with the final step and the metric history (one entry per step).

    Raises:
      TrainingDiverged: a loss became NaN or Inf. The GAN keeps the last good state, which is also saved.
    """
    from tqdm.auto import tqdm

    if (steps is None) == (minutes is None):
        raise ValueError("pass exactly one of steps= (a step count) or minutes= (a wall-clock budget).")
    for name, n in (("steps", steps), ("start_step", start_step)):
        if n is not None and (isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0):
            raise ValueError(f"{name} must be a whole number of steps >= 0, got {n!r}.")
    typed = isinstance(key, jax.Array) and jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key) and key.shape == ()
    if not (typed or (isinstance(key, jax.Array) and key.dtype == jnp.uint32 and key.shape == (2,))):
        raise TypeError(f"key must be one JAX PRNG key, e.g. key=jax.random.key(0); got {type(key).__name__} "
                        f"{getattr(key, 'shape', '')}.")
    if steps is not None and steps < start_step:
        raise ValueError(f"steps={steps} is before start_step={start_step}; steps is the step to train until.")
    if minutes is not None and not 0 < minutes < math.inf:
        raise ValueError(f"minutes must be a positive, finite number, got {minutes}.")
    for name, every in (("callback_every", callback_every), ("checkpoint_every", checkpoint_every)):
        if every is not None and (isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 0):
            # a negative period would still cross multiples (every -5 acting as 5): refuse it
            raise ValueError(f"{name} must be a whole number of steps >= 0 (0: only at the end), got {every!r}.")
    if not hasattr(batches, "batch"):
        raise TypeError("batches must have a .batch(step) method, e.g. gan_utils.data.BatchSampler(x, 128, key).")
    unknown = sorted(set(step_options) - set(STEP_OPTIONS))
    if unknown:
        raise TypeError(f"fit() got unknown option(s) {unknown}: the training step's options are "
                        f"{sorted(STEP_OPTIONS)}; architecture options (spectral_norm, minibatch_std, pack, ema) go "
                        "to build_gan through a GANConfig, and a whole recipe goes in as config=GANConfig(...).")
    if config is not None and not isinstance(config, (GANConfig, dict)):
        raise TypeError(f"config must be a GANConfig (or the dict a checkpoint stores), got {type(config).__name__}.")
    recipe = GANConfig.from_dict(config).step_options() if config is not None else STEP_OPTIONS
    opts = {**recipe, **step_options, "data_parallel": data_parallel}
    k_disc = opts["k_disc"]
    fuse = fuse or devices.default_fuse(gan)
    _, state, single = steps_lib.make_train_step(gan, **opts)   # both compiled once, before the loop
    fused = steps_lib.make_fused_train_step(gan, **opts)[2] if fuse > 1 else None
    hist = {k: list(v) for k, v in (history or {}).items()}
    callbacks = list(callbacks)
    deadline = None if minutes is None else time.perf_counter() + 60 * minutes
    # steps between host syncs (NaN check, history, progress bar's losses): each sync waits for the device, so the host
    # cannot prepare the next batches meanwhile; every 4th fused call rather than every one saved about 0.3-1 s of a
    # 10,000-step toy run's 9-10 s (benchmarks/RESULTS.md). A diverged run falls back at most this many steps.
    check_every = max(4 * fuse, 10)
    t0 = time.perf_counter()
    run = {"state": state, "step": start_step, "good": (state, start_step), "pending": [], "compile": 0.0,
           "called_back_at": None, "saving": False, "saved": None}

    def stack(parts):   # a batch is an array, or a tuple (images, labels) for a class-conditional GAN
        return jax.tree_util.tree_map(lambda *xs: np.stack(xs), *parts)

    def batch_for(s):
        if k_disc == 1:
            return batches.batch(s)
        return stack([batches.batch(s * k_disc + j) for j in range(k_disc)])

    def batches_for(s, n):
        """The batches of steps s .. s + n - 1, stacked (n, ...), or (n, k_disc, ...)."""
        if not isinstance(batches, BatchSampler):   # any object with .batch(step) will do
            return stack([batch_for(s + i) for i in range(n)])
        flat = batches.batches(s * k_disc, n * k_disc)
        if k_disc == 1:
            return flat
        return jax.tree_util.tree_map(lambda a: a.reshape(n, k_disc, *a.shape[1:]), flat)

    def advance(n):
        """Runs steps [step, step + n): one fused call when n == fuse, else single steps."""
        s = run["step"]
        # state, step and pending metrics change in one dict.update, so an interrupt (which Python delivers between
        # bytecodes) never leaves a state without its step number or its metrics
        if fused is not None and n == fuse:
            reals = jax.tree_util.tree_map(jnp.asarray, batches_for(s, n))
            state, m = fused(run["state"], reals, key, s)
            # metrics of shape (n,): split on the host
            run.update(state=state, step=s + n, pending=run["pending"] + [(list(range(s, s + n)), m)])
        else:   # fuse == 1, or the last n < fuse steps of a run (one compiled shape for the fused call)
            for i in range(n):
                real = jax.tree_util.tree_map(jnp.asarray, batch_for(s + i))
                state, m = single(run["state"], real, step_key(key, s + i))
                run.update(state=state, step=s + i + 1, pending=run["pending"] + [([s + i], m)])

    def save(state, s):
        if checkpoint_dir:
            nnx.update(gan, state)
            run["saving"] = True
            checkpoint.save(checkpoint_dir, gan, step=s, key=key, config=config, history=hist)
            run.update(saving=False, saved=s)

    def sync():
        """Moves the pending metrics to the history; on a NaN/Inf loss, falls back to the last good state."""
        n_before = len(hist.get("step", []))
        _flush(run["pending"], hist)
        run["pending"] = []
        bad = next((s for s, d, g in zip(hist.get("step", [])[n_before:], hist.get("d_loss", [])[n_before:],
                                          hist.get("g_loss", [])[n_before:])
                    if not (math.isfinite(d) and math.isfinite(g))), None)
        if bad is None:
            run["good"] = (run["state"], run["step"])
            return
        good_state, good_step = run["good"]
        nnx.update(gan, good_state)
        for k in hist:   # the history ends where the kept state ends
            del hist[k][n_before:]
        save(good_state, good_step)
        raise TrainingDiverged(
            f"training diverged: a loss became NaN/Inf at step {bad}. The GAN holds the last good state (step "
            f"{good_step})" + (f", saved to {checkpoint_dir}" if checkpoint_dir else "") +
            ". Try a lower learning rate, label_smoothing=0.1, or check the data for NaN.",
            FitResult(good_step, hist, time.perf_counter() - t0, run["compile"]), step=bad)

    def call_back():
        nnx.update(gan, run["state"])
        for cb in callbacks:
            cb(run["step"], gan, hist)
        # training goes on from what the callbacks leave (a self-conditioned GAN's callback sets G's cluster prior);
        # a callback that only reads changes nothing here
        run.update(state=nnx.state(gan), called_back_at=run["step"])

    def crossed(every, n):
        return bool(every) and run["step"] // every != (run["step"] - n) // every

    def keep_on_failure(error: BaseException) -> None:
        """After an error (a callback's, a batch's, the device's): the GAN and a checkpoint keep every step finished
        before it; the error then goes on, saying so."""
        with contextlib.suppress(Exception):
            jax.block_until_ready(run["state"])
            try:
                sync()
            except TrainingDiverged:           # the last good state is in the GAN and saved
                return
            nnx.update(gan, run["state"])
        if not checkpoint_dir or run["saving"] or run["step"] == start_step:
            return                             # nothing to save, or the error was the save's own (a full disk)
        try:
            with checkpoint._signals_held():
                save(run["state"], run["step"])
        except Exception as e:                 # the error that stopped training is the one to report
            _note(error, f"saving the run after this error failed too ({type(e).__name__}: {e})")
            return
        error.saved_step = run["step"]
        _note(error, f"the run is saved in {checkpoint_dir} at step {run['step']} (every step before the error)")

    # a save that cannot happen (a folder of other files, a path inside another checkpoint) is refused now, not after
    # the training; and no other process may write the same checkpoint meanwhile
    if checkpoint_dir:
        checkpoint.check_target(checkpoint_dir, checkpoint_folder=True)
    held = contextlib.ExitStack()
    if checkpoint_dir:
        held.enter_context(checkpoint.lock(checkpoint_dir))
    bar = None
    try:
        bar = tqdm(total=(steps - start_step) if steps is not None else None, disable=not progress,
                   desc="training", unit="step", dynamic_ncols=True)
        while (steps is None or run["step"] < steps) and (deadline is None or time.perf_counter() < deadline):
            if STOP_REQUESTED.is_set():
                STOP_REQUESTED.clear()
                raise KeyboardInterrupt
            n = fuse if steps is None else min(fuse, steps - run["step"])
            first = run["step"] == start_step
            advance(n)
            if first:
                jax.block_until_ready(run["state"])
                run["compile"] = time.perf_counter() - t0
            bar.update(n)
            due_cb, due_ck = callbacks and crossed(callback_every, n), crossed(checkpoint_every, n)
            if sum(len(s) for s, _ in run["pending"]) >= check_every or due_cb or due_ck:
                sync()
                bar.set_postfix(d_loss=f"{hist['d_loss'][-1]:.3f}", g_loss=f"{hist['g_loss'][-1]:.3f}",
                                refresh=False)
                if due_cb:
                    call_back()
                if due_ck:
                    save(run["state"], run["step"])
        sync()
        nnx.update(gan, run["state"])
        if callbacks and run["called_back_at"] != run["step"]:
            call_back()
        save(run["state"], run["step"])
    except KeyboardInterrupt as e:
        # run["state"] is the state after the last step that returned: keep it, with its history and a checkpoint;
        # a second Ctrl-C (or SIGTERM) meanwhile waits for the save (checkpoint._signals_held)
        with checkpoint._signals_held():
            jax.block_until_ready(run["state"])
            sync()
            nnx.update(gan, run["state"])
            save(run["state"], run["step"])
        e.saved_step = run["saved"]
        if not stop_on_interrupt:
            raise
        (bar.write if bar is not None else print)(f"stopped at step {run['step']}: the GAN and its history are "
                                                   "kept up to there")
        return FitResult(run["step"], hist, time.perf_counter() - t0, run["compile"], interrupted=True)
    except TrainingDiverged:
        raise
    except Exception as e:
        keep_on_failure(e)
        raise
    finally:
        if bar is not None:
            bar.close()
        held.close()
    return FitResult(run["step"], hist, time.perf_counter() - t0, run["compile"])


def _note(error: BaseException, text: str) -> None:
    """Adds a line to an exception's traceback (Python >= 3.11; earlier versions show the error alone)."""
    if hasattr(error, "add_note"):
        error.add_note(text)


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
