"""Devices and the compiler: how the update steps are compiled and spread over CPU, GPU and TPU.

* ``jit_step``: ``jax.jit`` on one device; with several, the same function data-parallel over a ``Mesh``.
* ``compiler_options``: XLA:CPU options for the training steps (the fast convolution path).
* ``default_fuse`` / ``scan_unroll``: how many steps one compiled call runs, and whether its loop is unrolled.
* ``enable_compilation_cache``: keep compiled programs on disk between sessions.

Measured figures behind these choices, with their dates and machines, are in ``benchmarks/RESULTS.md``.
"""
from __future__ import annotations

import functools
import os
from typing import Callable

import jax
import numpy as np
from flax import nnx

__all__ = ["CPU_COMPILER_OPTIONS", "compiler_options", "data_parallel_shardings", "jit_step", "uses_convolutions",
           "default_fuse", "scan_unroll", "enable_compilation_cache"]

# XLA:CPU hands convolutions (and some element-wise ops) to the YNNPACK library by default; on the course's CPU
# those convolutions ran clearly slower than XLA's own (Eigen) ones (benchmarks/RESULTS.md, "YNNPACK"). An empty
# list of library fusion types turns YNNPACK off for the training step. Ignored on GPU and TPU.
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


def jit_step(fn: Callable, *, batch_axis: int, data_parallel: bool | None) -> Callable:
    """Compiles ``fn(state, real, key, *rest)``: plain ``jax.jit`` on one device, data-parallel on several.

    Args:
      fn: a pure step function.
      batch_axis: the batch axis of ``real``.
      data_parallel: split ``real`` across all local devices (parameters replicated); ``None`` does so whenever
        there is more than one device, so the same code runs on a laptop and on a Colab TPU.
    Returns:
      The compiled step (with ``.lower`` for cost analysis and ``.jitted``, the underlying jitted function).
    """
    n_dev = len(jax.local_devices())
    if data_parallel is None:
        data_parallel = n_dev > 1
    if not data_parallel:
        return jax.jit(fn, compiler_options=compiler_options())
    repl, batch = data_parallel_shardings(batch_axis)
    jitted = jax.jit(fn, out_shardings=repl, compiler_options=compiler_options())

    def step(state, real, key, *rest):
        size = jax.tree_util.tree_leaves(real)[0].shape[batch_axis]   # real: an array, or (images, labels)
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


def uses_convolutions(module: nnx.Module) -> bool:
    """Whether any submodule is a convolution (these lose XLA:CPU's fast path inside a compiled loop)."""
    return any(isinstance(m, (nnx.Conv, nnx.ConvTranspose)) for _, m in module.iter_modules())


def _convolutions_on_cpu(gan: nnx.Module) -> bool:
    return uses_convolutions(gan) and jax.default_backend() == "cpu"


def default_fuse(gan: nnx.Module) -> int:
    """How many steps ``fit`` runs per compiled call: 1 for convolutional models on CPU, else 50.

    Fusing steps into one ``lax.scan`` removes per-step dispatch overhead, which dominates small MLP steps on
    every backend. On XLA:CPU a convolutional step inside a rolled loop loses the fast convolution path and runs
    many times slower; unrolling the loop keeps it but multiplies the compile time, and a DCGAN step is long
    enough that its dispatch overhead is negligible. So convolutional models are not fused on CPU.
    """
    return 1 if _convolutions_on_cpu(gan) else 50


def scan_unroll(gan: nnx.Module) -> int | bool:
    """``lax.scan``'s ``unroll`` for a fused step: fully unrolled for convolutional models on CPU (see
    ``default_fuse``), else 1 (a rolled loop)."""
    return True if _convolutions_on_cpu(gan) else 1


def enable_compilation_cache(path: str | None = None, *, min_compile_seconds: float = 0.0) -> str:
    """Keeps compiled steps on disk, so re-running a notebook (or a new process) skips compiling them.

    JAX reads ``JAX_COMPILATION_CACHE_DIR`` by itself, but only caches programs that took at least one second
    to compile; the course's steps mostly compile faster than that on a small CPU, so this also lowers that
    threshold. Call it once, before the first compiled call (the setup cell).

    Args:
      path: the cache folder; default ``$JAX_COMPILATION_CACHE_DIR``, else ``~/.cache/gan_utils/jax``.
      min_compile_seconds: cache programs that took at least this long to compile.
    Returns:
      The cache folder in use.
    """
    path = path or os.environ.get("JAX_COMPILATION_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "gan_utils", "jax")
    os.makedirs(path, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", min_compile_seconds)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return path
