"""Checkpoints: both networks, both optimizer states, the step, the config, the RNG key and the history.

Format: a directory holding ``state.msgpack`` (every array of ``nnx.state(gan)``, written with
``flax.serialization``; msgpack stores data only, so loading executes no code, unlike pickle) and
``meta.json`` (step, key, config, history, library versions). A checkpoint is written into a temporary
directory beside the target and renamed into place, so a crash mid-write never leaves a half checkpoint
and the previous one survives until the new one is complete.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import jax
import numpy as np
from flax import nnx, serialization

from .config import GANConfig, build_gan

__all__ = ["save", "restore", "load_meta", "save_module", "load_module", "CheckpointError", "load_gan",
           "load_pretrained", "PRETRAINED_DIR", "pretrained_dir", "Networks", "export_weights", "resolve",
           "STATE_FILE", "META_FILE", "RUN_SUBDIR", "FRAMES_FILE", "PRETRAINED_CONDITIONAL_DIR"]

STATE_FILE, META_FILE = "state.msgpack", "meta.json"
FORMAT_VERSION = 1
# The demo DCGAN shipped with the package (written by `python -m gan_utils train ... --out`; see the README).
PRETRAINED_DIR = Path(__file__).parent / "assets" / "pretrained_dcgan"
# The class-conditional DCGAN of notebook 08 (`train --conditional`; the command is in the README)
PRETRAINED_CONDITIONAL_DIR = Path(__file__).parent / "assets" / "pretrained_conditional"


class CheckpointError(RuntimeError):
    """A checkpoint is missing, incomplete or does not fit the model it is restored into."""


def _to_numpy(tree):
    return jax.tree_util.tree_map(lambda x: np.asarray(jax.random.key_data(x)) if jax.dtypes.issubdtype(
        getattr(x, "dtype", None), jax.dtypes.prng_key) else np.asarray(x), tree)


def _atomic_write_dir(path: Path, files: dict[str, bytes]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.tmp-"))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; a checkpoint is as readable as any other file
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        if path.exists():
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def save_module(path: str | os.PathLike, module: nnx.Module, meta: dict | None = None) -> None:
    """Saves every variable of an NNX module (parameters, BatchNorm statistics, optimizer state, RNG counters).

    Args:
      path: directory to write (replaced atomically if it exists).
      module: any NNX module, e.g. a ``GAN`` or a bare generator.
      meta: JSON-serialisable extras stored in meta.json.
    """
    state = _to_numpy(nnx.state(module).to_pure_dict())
    meta = dict(meta or {})
    meta.update(format_version=FORMAT_VERSION, module=type(module).__name__,
                versions={"jax": jax.__version__, "flax": __import__("flax").__version__})
    _atomic_write_dir(Path(path), {STATE_FILE: serialization.msgpack_serialize(state),
                                   META_FILE: json.dumps(meta, indent=1).encode()})


RUN_SUBDIR = "checkpoint"  # `train --out RUN` keeps its checkpoint in RUN/checkpoint, beside its images
FRAMES_FILE = "frames.npz"  # `train` writes its sample grids there (steps, uint8 images); `export` ships them too


def resolve(path: str | os.PathLike) -> Path:
    """The checkpoint directory for ``path``: the path itself, or ``path/checkpoint`` for a ``train --out`` folder.

    Raises:
      CheckpointError: neither holds a checkpoint.
    """
    path = Path(path)
    for p in (path, path / RUN_SUBDIR):
        if (p / META_FILE).exists() and (p / STATE_FILE).exists():
            return p
    raise CheckpointError(f"{path} is not a gan_utils checkpoint (it needs {STATE_FILE} and {META_FILE}). "
                          "Pass the folder given to `train --out`, or to checkpoint.save.")


def load_meta(path: str | os.PathLike) -> dict:
    """Reads meta.json of a checkpoint directory (or of the ``train --out`` folder that holds one)."""
    return json.loads((resolve(path) / META_FILE).read_text())


def _msgpack_restore(raw: bytes):
    """``flax.serialization.msgpack_restore``, with integer keys allowed on every flax version.

    NNX states have integer keys (the layers of a list, the steps of a chain); flax 0.12 reads them, flax 0.11 (what
    Colab ships, 2026-08) refuses them (msgpack's ``strict_map_key``), so there the same decoding is done with them
    allowed, using flax's own helpers.
    """
    try:
        return serialization.msgpack_restore(raw)
    except ValueError as e:
        if "strict_map_key" not in str(e):
            raise
        import msgpack
        tree = msgpack.unpackb(raw, ext_hook=serialization._msgpack_ext_unpack, raw=False, strict_map_key=False)
        return serialization._unchunk_array_leaves_in_place(tree)


def load_module(path: str | os.PathLike, module: nnx.Module) -> dict:
    """Restores the variables saved by ``save_module`` into ``module`` (in place); returns the meta dict.

    Raises:
      CheckpointError: the checkpoint is missing or its arrays do not match the module's structure or shapes.
    """
    path = resolve(path)
    meta = load_meta(path)
    raw = _msgpack_restore((path / STATE_FILE).read_bytes())
    target = nnx.state(module)
    want = target.to_pure_dict()
    flat_want = dict(jax.tree_util.tree_flatten_with_path(want)[0])
    flat_got = dict(jax.tree_util.tree_flatten_with_path(raw)[0])
    missing = [jax.tree_util.keystr(k) for k in flat_want if k not in flat_got]
    if missing:
        raise CheckpointError(f"{path} does not fit this {type(module).__name__}: it lacks {missing[:3]}"
                              f"{'...' if len(missing) > 3 else ''}. Build the model with the config in "
                              f"{Path(path) / META_FILE}.")
    for k, v in flat_want.items():
        got = flat_got[k]
        want_shape = jax.random.key_data(v).shape if jax.dtypes.issubdtype(v.dtype, jax.dtypes.prng_key) else v.shape
        if tuple(np.shape(got)) != tuple(want_shape):
            raise CheckpointError(f"{path}: {jax.tree_util.keystr(k)} has shape {np.shape(got)}, the model expects "
                                  f"{want_shape}. Build the model with the config in {Path(path) / META_FILE}.")

    def restore_leaf(v, got):
        if jax.dtypes.issubdtype(v.dtype, jax.dtypes.prng_key):
            return jax.random.wrap_key_data(got, impl=jax.random.key_impl(v))
        return jax.numpy.asarray(got, dtype=v.dtype)

    new = jax.tree_util.tree_map(restore_leaf, want, jax.tree_util.tree_map(lambda x: x, raw,
                                 is_leaf=lambda x: isinstance(x, np.ndarray)))
    nnx.replace_by_pure_dict(target, new)
    nnx.update(module, target)
    return meta


def save(path: str | os.PathLike, gan: nnx.Module, *, step: int, key: jax.Array,
         config: GANConfig | dict | None = None, history: dict | None = None) -> None:
    """Saves a training run: the GAN (networks and optimizers), step, run key, config and metric history.

    Args:
      path: checkpoint directory (replaced atomically).
      gan: the ``GAN`` being trained.
      step: the number of steps done.
      key: the run's PRNG key (the one passed to ``fit``), so that a resumed run continues exactly.
      config: the ``GANConfig`` that rebuilds the models (or a JSON-serialisable dict of your own).
      history: metric history from ``fit``.
    """
    key_data = np.asarray(jax.random.key_data(key)).tolist()
    save_module(path, gan, {"step": int(step), "key": key_data, "key_impl": str(jax.random.key_impl(key)),
                            "config": config.to_dict() if isinstance(config, GANConfig) else (config or {}),
                            "history": history or {}})


def restore(path: str | os.PathLike, gan: nnx.Module) -> tuple[int, jax.Array, dict]:
    """Restores a run saved by ``save`` into ``gan`` (in place).

    Returns:
      ``(step, key, meta)``: pass ``start_step=step, key=key, history=meta["history"]`` to ``fit`` to resume.
    """
    meta = load_module(path, gan)
    key = jax.random.wrap_key_data(np.asarray(meta["key"], np.uint32))
    return int(meta["step"]), key, meta


def load_gan(path: str | os.PathLike):
    """Rebuilds the GAN saved in a ``python -m gan_utils train --out`` folder and loads its weights.

    The models are built from the ``config`` in meta.json, so the caller needs to know nothing about them.

    Args:
      path: a checkpoint directory written by ``train --out`` or ``checkpoint.save`` with a CLI config.
    Returns:
      a ``gan_utils.steps.GAN`` (generator, discriminator, optimizers, and ``g_ema`` when the config has
      ``ema``) holding the saved state; its generators are in training mode, as after ``fit`` (``models.sample``
      switches to inference mode by itself). Sample ``gan.sampler()`` (``gan.sampling_generator`` with the
      BatchNorm statistics of a weight average re-estimated). Exported weights (``Networks``) hold one generator,
      the one to sample: it is loaded as ``generator`` and, with ``ema``, as ``g_ema`` too.
    Raises:
      CheckpointError: the folder is not a checkpoint, or it has no model config to rebuild from.
    """
    meta = load_meta(path)
    if not {"model", "seed"} <= set(meta.get("config") or {}):
        raise CheckpointError(f"{path} has no model config in {META_FILE} to rebuild the GAN from; restore it into "
                              "a GAN you build yourself with checkpoint.restore(path, gan).")
    try:
        config = GANConfig.from_dict(meta["config"])
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{path}: the config in {META_FILE} does not describe a GAN ({e}).") from e
    gan = build_gan(config)
    module = meta.get("module", "GAN")
    if module == "GAN":   # a training checkpoint: everything, g_ema included
        load_module(path, gan)
        return gan
    if module == "Networks":  # weights only (as shipped): both networks, no optimizer state
        load_module(path, Networks(gan.generator, gan.discriminator))
    else:  # a generator saved on its own
        load_module(path, gan.generator)
    if gan.g_ema is not None:   # the one generator shipped is the one to sample (export_weights)
        nnx.update(gan.g_ema, nnx.state(gan.generator))
    return gan


class Networks(nnx.Module):
    """The two networks of a GAN without their optimizers: what ``export_weights`` ships."""

    def __init__(self, generator: nnx.Module, discriminator: nnx.Module):
        self.generator = generator
        self.discriminator = discriminator


def export_weights(src: str | os.PathLike, dst: str | os.PathLike) -> dict:
    """Writes the networks of a training checkpoint without the optimizer state (a third of the size).

    The generator written is the one to sample, ``GAN.sampler()``: the trained generator, or, when the run kept a
    weight average, ``g_ema`` with its BatchNorm statistics re-estimated for its weights (with the defaults of
    ``GAN.sampler``, so the export is reproducible).

    Args:
      src: a checkpoint folder written by ``train --out``.
      dst: the folder to write (replaced atomically); ``load_gan``/``load_pretrained`` read it.
    Returns:
      the meta dict written (config, step, the metric history, library versions).
    """
    gan = load_gan(src)
    meta = load_meta(src)
    keep = {k: meta[k] for k in ("step", "config", "history") if k in meta}
    keep["exported_from"] = Path(src).name
    if gan.g_ema is not None:
        keep["generator"] = "g_ema (weight average), BatchNorm statistics re-estimated by GAN.sampler()"
    save_module(dst, Networks(gan.sampler(), gan.discriminator), keep)
    frames = Path(src) / FRAMES_FILE
    if frames.exists():   # the run's sample grids (train writes them), so a notebook can replay the training
        shutil.copyfile(frames, Path(dst) / FRAMES_FILE)
    return load_meta(dst)


def pretrained_dir() -> Path:
    """Where ``load_pretrained`` looks: ``$GAN_UTILS_PRETRAINED_DIR`` if set, else ``PRETRAINED_DIR``."""
    return Path(os.environ.get("GAN_UTILS_PRETRAINED_DIR") or PRETRAINED_DIR)


def load_pretrained(path: str | os.PathLike | None = None, *, conditional: bool = False):
    """The course's pretrained MNIST DCGAN, shipped inside the package (a few MB of msgpack, no code on load).

    Args:
      path: another checkpoint folder to load instead; default ``$GAN_UTILS_PRETRAINED_DIR`` if set, else
        ``gan_utils/assets/pretrained_dcgan``.
      conditional: load the class-conditional DCGAN instead (``PRETRAINED_CONDITIONAL_DIR``; notebook 08): sample
        it with ``models.sample(gan.generator, key, n, labels=7)``.
    Returns:
      a ``gan_utils.steps.GAN``; ``gan.generator`` and ``gan.discriminator`` are the trained networks (the
      generator is the one to sample, the weight average when the run kept one) and
      ``load_meta(...)["history"]`` holds its training curves.
    Raises:
      CheckpointError: the weights are missing (e.g. an install without package data).
    """
    path = Path(path or (PRETRAINED_CONDITIONAL_DIR if conditional else pretrained_dir()))
    if not path.exists():
        raise CheckpointError(f"no pretrained weights at {path}: reinstall gan_utils with its package data, or "
                              "train them with the command in the README and pass the --out folder as path=.")
    return load_gan(path)
