"""The training loop: ``fit`` runs the compiled update steps of ``gan_utils.steps`` for a number of steps or a
wall-clock budget, with a history of metrics, checkpoints, callbacks and recovery from divergence.
"""
from __future__ import annotations

import atexit
import contextlib
import dataclasses
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
from .options import StepOptions
from .steps import GAN, step_key

__all__ = ["fit", "FitResult", "TrainingDiverged", "STOP_REQUESTED"]


@dataclass
class FitResult:
    """What ``fit`` returns: the step reached, the metric history, and timing."""
    step: int
    history: dict = field(default_factory=dict)
    seconds: float = 0.0
    compile_seconds: float = 0.0
    interrupted: bool = False   # stopped early by an interrupt (Jupyter's stop), with fit(stop_on_interrupt=True)

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


# Set by the command line's SIGTERM handler, which also raises KeyboardInterrupt at once. The raise alone can be lost:
# a signal handler runs wherever the main thread is, and an exception raised inside a garbage-collection callback
# (JAX registers one) is printed and ignored, so the run trained on (seen in CI). fit checks this flag between steps,
# stops as on an interrupt, and clears it.
STOP_REQUESTED = threading.Event()


def fit(gan: GAN, batches, *, key: jax.Array, steps: int | None = None, minutes: float | None = None,
        config: GANConfig | dict | None = None, options: StepOptions | None = None, start_step: int = 0,
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
      config: the recipe (a ``GANConfig``, or the dict a checkpoint stores): its training-step options
        (``config.step_options()``) are used, and it is saved with checkpoints so that ``checkpoint.load_gan`` can
        rebuild the GAN. Its architecture options (spectral normalisation, minibatch std, packing, EMA) belong to the
        GAN: ``build_gan(config)`` sets them.
      options: the training step's options (``StepOptions``), instead of the config's; default: the config's, or
        without one ``StepOptions()``.
      **step_options: a step option set by name, over those: ``fit(gan, ..., k_disc=5)`` (notebook 05).
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
    from tqdm.auto import tqdm   # here, not at the top: `import gan_utils.train` stays free of tqdm's start-up

    _check_arguments(key, steps, minutes, start_step, callback_every, checkpoint_every, batches, config)
    run = _Run(gan, batches, key, _step_options(config, options, step_options), start_step, fuse, data_parallel,
               config, checkpoint_dir, history)
    callbacks = list(callbacks)
    deadline = None if minutes is None else time.perf_counter() + 60 * minutes
    with run.held(), tqdm(total=(steps - start_step) if steps is not None else None, disable=not progress,
                          desc="training", unit="step", dynamic_ncols=True) as bar:
        try:
            while (steps is None or run.step < steps) and (deadline is None or time.perf_counter() < deadline):
                if STOP_REQUESTED.is_set():
                    STOP_REQUESTED.clear()
                    raise KeyboardInterrupt
                n = run.fuse if steps is None else min(run.fuse, steps - run.step)
                run.advance(n)
                bar.update(n)
                due_callback, due_checkpoint = callbacks and run.crossed(callback_every, n), run.crossed(
                    checkpoint_every, n)
                if run.pending_steps() >= run.check_every or due_callback or due_checkpoint:
                    run.sync()
                    bar.set_postfix(d_loss=f"{run.hist['d_loss'][-1]:.3f}", g_loss=f"{run.hist['g_loss'][-1]:.3f}",
                                    refresh=False)
                    if due_callback:
                        run.call_back(callbacks)
                    if due_checkpoint:
                        run.save()
            run.sync()
            nnx.update(gan, run.state)
            if callbacks and run.called_back_at != run.step:
                run.call_back(callbacks)
            run.save()
        except KeyboardInterrupt as e:
            run.keep_after_interrupt(e)
            if not stop_on_interrupt:
                raise
            bar.write(f"stopped at step {run.step}: the GAN and its history are kept up to there")
            return run.result(interrupted=True)
        except TrainingDiverged:
            raise
        except Exception as e:
            run.keep_on_failure(e)
            raise
    return run.result()


COMPILING_THREAD = "gan_utils-first-step"


@atexit.register
def _let_compilations_end() -> None:
    """A script that exits while an abandoned first step still compiles waits for it: XLA aborts the process (a core
    dump, not an exit) if the interpreter shuts down under its compiler. The command line exits at once instead
    (``__main__``: every file it writes is complete by then)."""
    for t in threading.enumerate():
        if t.name == COMPILING_THREAD:
            t.join()


def _interruptible(fn, *args):
    """``fn(*args)``, run in a helper thread and waited for in short slices. XLA compiles the first step in C++,
    where Python cannot deliver Ctrl-C until it returns (seconds to a minute on a CPU): waiting here, the interrupt
    is raised at once and the GAN is kept as it was; the abandoned compilation ends in the background, unused
    (nothing is donated, so the state it read stays valid)."""
    box = {}

    def run():
        try:
            box["out"] = jax.block_until_ready(fn(*args))
        except BaseException as e:   # re-raised in the caller's thread
            box["error"] = e

    worker = threading.Thread(target=run, name=COMPILING_THREAD, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.05)
    if "error" in box:
        raise box["error"]
    return box["out"]


def _check_arguments(key, steps, minutes, start_step, callback_every, checkpoint_every, batches, config) -> None:
    """Refuses, before anything runs, the arguments of ``fit`` a run cannot start with."""
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
    if config is not None and not isinstance(config, (GANConfig, dict)):
        raise TypeError(f"config must be a GANConfig (or the dict a checkpoint stores), got {type(config).__name__}.")


def _step_options(config, options, by_name: dict) -> StepOptions:
    """The step's options: ``options``, else the config's, else the defaults; then those set by name."""
    names = [f.name for f in dataclasses.fields(StepOptions)]
    unknown = sorted(set(by_name) - set(names))
    if unknown:
        raise TypeError(f"fit() got unknown option(s) {unknown}: the training step's options are {sorted(names)}; "
                        "architecture options (spectral_norm, minibatch_std, pack, ema) go to build_gan through a "
                        "GANConfig, and a whole recipe goes in as config=GANConfig(...).")
    if options is not None and not isinstance(options, StepOptions):
        raise TypeError(f"options must be a StepOptions (e.g. GANConfig(...).step_options()), got "
                        f"{type(options).__name__}.")
    base = options or (GANConfig.from_dict(config).step_options() if config is not None else StepOptions())
    return base.replace(**by_name)


class _Run:
    """The state of one ``fit`` call between its steps: the compiled steps, the training state and its step, the
    metrics not yet on the host, the last state known good, and how to save it all."""

    def __init__(self, gan, batches, key, options: StepOptions, start_step, fuse, data_parallel, config,
                 checkpoint_dir, history):
        self.gan, self.batches, self.key, self.k = gan, batches, key, options.k_disc
        self.config, self.checkpoint_dir, self.start_step = config, checkpoint_dir, start_step
        self.fuse = fuse or devices.default_fuse(gan)
        # both compiled once, before the loop
        _, self.state, self.single = steps_lib.make_train_step(gan, options, data_parallel=data_parallel)
        self.fused = (steps_lib.make_fused_train_step(gan, options, data_parallel=data_parallel)[2] if self.fuse > 1
                      else None)
        self.hist = {k: list(v) for k, v in (history or {}).items()}
        # steps between host syncs (NaN check, history, progress bar's losses): each sync waits for the device, so the
        # host cannot prepare the next batches meanwhile; every 4th fused call rather than every one saved about
        # 0.3-1 s of a 10,000-step toy run's 9-10 s (benchmarks/RESULTS.md). A diverged run falls back at most this
        # many steps.
        self.check_every = max(4 * self.fuse, 10)
        self.t0 = time.perf_counter()
        self.step, self.good, self.pending, self.compile = start_step, (self.state, start_step), [], 0.0
        self.called_back_at, self.saving, self.saved = None, False, None

    def result(self, interrupted: bool = False) -> FitResult:
        return FitResult(self.step, self.hist, time.perf_counter() - self.t0, self.compile, interrupted=interrupted)

    def held(self) -> contextlib.ExitStack:
        """The checkpoint folder checked (a save that cannot happen is refused now, not after the training) and locked
        (no other process may write the same checkpoint meanwhile), for the run's duration."""
        held = contextlib.ExitStack()
        if self.checkpoint_dir:
            checkpoint.check_target(self.checkpoint_dir, checkpoint_folder=True)
            held.enter_context(checkpoint.lock(self.checkpoint_dir))
        return held

    def pending_steps(self) -> int:
        return sum(len(s) for s, _ in self.pending)

    def crossed(self, every, n) -> bool:
        """Whether the last n steps crossed a multiple of ``every``."""
        return bool(every) and self.step // every != (self.step - n) // every

    def _batch(self, s):
        if self.k == 1:
            return self.batches.batch(s)
        return _stack([self.batches.batch(s * self.k + j) for j in range(self.k)])

    def _batches(self, s, n):
        """The batches of steps s .. s + n - 1, stacked (n, ...), or (n, k_disc, ...)."""
        if not isinstance(self.batches, BatchSampler):   # any object with .batch(step) will do
            return _stack([self._batch(s + i) for i in range(n)])
        flat = self.batches.batches(s * self.k, n * self.k)
        if self.k == 1:
            return flat
        return jax.tree_util.tree_map(lambda a: a.reshape(n, self.k, *a.shape[1:]), flat)

    def advance(self, n):
        """Runs steps [step, step + n): one fused call when n == fuse, else single steps."""
        s, first = self.step, self.step == self.start_step
        call = _interruptible if first else (lambda fn, *args: fn(*args))   # the first call compiles
        # state, step and pending metrics change in one assignment each step, so an interrupt (which Python delivers
        # between bytecodes) never leaves a state without its step number or its metrics
        if self.fused is not None and n == self.fuse:
            state, m = call(self.fused, self.state, jax.tree_util.tree_map(jnp.asarray, self._batches(s, n)), self.key,
                            s)
            self.__dict__.update(state=state, step=s + n, pending=self.pending + [(list(range(s, s + n)), m)])
        else:   # fuse == 1, or the last n < fuse steps of a run (one compiled shape for the fused call)
            for i in range(n):
                real = jax.tree_util.tree_map(jnp.asarray, self._batch(s + i))
                state, m = call(self.single, self.state, real, step_key(self.key, s + i))
                self.__dict__.update(state=state, step=s + i + 1, pending=self.pending + [([s + i], m)])
        if first:
            jax.block_until_ready(self.state)
            self.compile = time.perf_counter() - self.t0

    def save(self, state=None, s=None):
        """A checkpoint of ``state`` at step ``s`` (default: now), with ``checkpoint_dir``."""
        if self.checkpoint_dir:
            state, s = (self.state, self.step) if state is None else (state, s)
            nnx.update(self.gan, state)
            self.saving = True
            checkpoint.save(self.checkpoint_dir, self.gan, step=s, key=self.key, config=self.config, history=self.hist)
            self.saving, self.saved = False, s

    def sync(self):
        """Moves the pending metrics to the history; on a NaN/Inf loss, falls back to the last good state."""
        hist, n_before = self.hist, len(self.hist.get("step", []))
        _flush(self.pending, hist)
        self.pending = []
        bad = next((s for s, d, g in zip(hist.get("step", [])[n_before:], hist.get("d_loss", [])[n_before:],
                                          hist.get("g_loss", [])[n_before:])
                    if not (math.isfinite(d) and math.isfinite(g))), None)
        if bad is None:
            self.good = (self.state, self.step)
            return
        good_state, good_step = self.good
        nnx.update(self.gan, good_state)
        for k in hist:   # the history ends where the kept state ends
            del hist[k][n_before:]
        self.save(good_state, good_step)
        raise TrainingDiverged(
            f"training diverged: a loss became NaN/Inf at step {bad}. The GAN holds the last good state (step "
            f"{good_step})" + (f", saved to {self.checkpoint_dir}" if self.checkpoint_dir else "") +
            ". Try a lower learning rate, label_smoothing=0.1, or check the data for NaN.",
            FitResult(good_step, hist, time.perf_counter() - self.t0, self.compile), step=bad)

    def call_back(self, callbacks):
        nnx.update(self.gan, self.state)
        for cb in callbacks:
            cb(self.step, self.gan, self.hist)
        # training goes on from what the callbacks leave (a self-conditioned GAN's callback sets G's cluster prior);
        # a callback that only reads changes nothing here
        self.state, self.called_back_at = nnx.state(self.gan), self.step

    def keep_after_interrupt(self, e: KeyboardInterrupt) -> None:
        """After an interrupt: the GAN, its history and a checkpoint keep the state after the last step that
        returned; a second Ctrl-C (or SIGTERM) meanwhile waits for the save (checkpoint._signals_held)."""
        with checkpoint._signals_held():
            jax.block_until_ready(self.state)
            self.sync()
            nnx.update(self.gan, self.state)
            self.save()
        e.saved_step = self.saved

    def keep_on_failure(self, error: BaseException) -> None:
        """After an error (a callback's, a batch's, the device's): the GAN and a checkpoint keep every step finished
        before it; the error then goes on, saying so."""
        with contextlib.suppress(Exception):
            jax.block_until_ready(self.state)
            try:
                self.sync()
            except TrainingDiverged:           # the last good state is in the GAN and saved
                return
            nnx.update(self.gan, self.state)
        if not self.checkpoint_dir or self.saving or self.step == self.start_step:
            return                             # nothing to save, or the error was the save's own (a full disk)
        try:
            with checkpoint._signals_held():
                self.save()
        except Exception as e:                 # the error that stopped training is the one to report
            _note(error, f"saving the run after this error failed too ({type(e).__name__}: {e})")
            return
        error.saved_step = self.step
        _note(error, f"the run is saved in {self.checkpoint_dir} at step {self.step} (every step before the error)")


def _stack(parts):
    """Batches stacked on a new first axis: a batch is an array, or a tuple (images, labels) of a conditional GAN."""
    return jax.tree_util.tree_map(lambda *xs: np.stack(xs), *parts)


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
