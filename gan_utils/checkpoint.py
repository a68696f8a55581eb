"""Checkpoints: both networks, both optimizer states, the step, the config, the RNG key and the history.

Format: a directory holding ``state.msgpack`` (every array of ``nnx.state(gan)``, written with
``flax.serialization``; msgpack stores data only, so loading executes no code, unlike pickle), ``meta.json`` (step,
key, config, library versions, and the SHA-256 of state.msgpack, checked on load) and ``history.npz`` (the metric
history, one compact array per metric; older checkpoints keep it in meta.json, and ``load_meta`` reads both). A
checkpoint is written into a temporary directory beside the target and renamed into place, so a crash mid-write never
leaves a half checkpoint and the previous one survives until the new one is complete; a kill between the two renames
of a replacement is repaired when the checkpoint is next read. Every other file (``atomic_file``) is written to a
temporary file and renamed over its target, for the same reason.
"""
from __future__ import annotations

import contextlib
import glob
import hashlib
import io
import json
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
import warnings
from pathlib import Path
from typing import Iterator

import jax
import numpy as np
from flax import nnx, serialization

from .config import GANConfig, build_gan

__all__ = ["save", "restore", "load_meta", "save_module", "load_module", "CheckpointError", "load_gan",
           "load_pretrained", "PRETRAINED_DIR", "pretrained_dir", "Networks", "export_weights", "resolve",
           "atomic_file", "STATE_FILE", "META_FILE", "HISTORY_FILE", "RUN_SUBDIR", "FRAMES_FILE",
           "PRETRAINED_CONDITIONAL_DIR", "PRETRAINED_SELFCOND_DIR", "PRETRAINED_DCGAN_DIR", "PRETRAINED_GLYPHS_DIR",
           "PRETRAINED_STYLEGAN_DIR",
           "PRETRAINED_KINDS",
           "lock", "check_target", "METRICS_FILE", "RUN_FILE"]

STATE_FILE, META_FILE, HISTORY_FILE = "state.msgpack", "meta.json", "history.npz"
RUN_SUBDIR = "checkpoint"  # `train --out RUN` keeps its checkpoint in RUN/checkpoint, beside its images
FRAMES_FILE = "frames.npz"  # `train` writes its sample grids there (steps, uint8 images); `export` ships them too
# What a checkpoint folder holds: the only folder contents a save may replace (anything else is the learner's)
CHECKPOINT_FILES = frozenset({STATE_FILE, META_FILE, HISTORY_FILE, FRAMES_FILE})
METRICS_FILE = "metrics.json"  # `train` writes its summary, the doctor's verdict and the history there
# The files `train --out RUN` writes beside RUN/checkpoint: no other writer may replace them (check_target)
RUN_FILE = re.compile(r"samples(_\d{6,})?\.png|" + re.escape(FRAMES_FILE) + "|" + re.escape(METRICS_FILE))
FORMAT_VERSION = 1
_ASSETS = Path(__file__).parent / "assets"
# The three generators shipped with the package (each written by `python -m gan_utils train ... --out`, then
# `export`; the commands are in docs/pretrained.md). The self-conditioned DCGAN of notebook 09 is the default: it is
# unconditional (no label asked) and scored MNIST-FID 2.91 against the plain DCGAN's 49.1 (benchmarks/RESULTS.md).
PRETRAINED_SELFCOND_DIR = _ASSETS / "pretrained_selfcond"      # `train --self-condition 40` (notebook 09)
PRETRAINED_DCGAN_DIR = _ASSETS / "pretrained_dcgan"            # `train --self-condition 0`: the plain DCGAN (03-05)
PRETRAINED_CONDITIONAL_DIR = _ASSETS / "pretrained_conditional"  # `train --conditional` (notebook 08)
PRETRAINED_GLYPHS_DIR = _ASSETS / "pretrained_glyphs"          # `train --dataset glyphs`: pix2pix (notebook 11)
PRETRAINED_STYLEGAN_DIR = _ASSETS / "pretrained_stylegan"      # `train --model stylegan ...` (notebook 14)
PRETRAINED_KINDS = {"selfcond": PRETRAINED_SELFCOND_DIR, "dcgan": PRETRAINED_DCGAN_DIR,
                    "conditional": PRETRAINED_CONDITIONAL_DIR, "glyphs": PRETRAINED_GLYPHS_DIR,
                    "stylegan": PRETRAINED_STYLEGAN_DIR}   # the names `sample --pretrained KIND` takes
PRETRAINED_DIR = PRETRAINED_SELFCOND_DIR   # the default one: `load_pretrained()`, `sample --pretrained`


class CheckpointError(RuntimeError):
    """A checkpoint is missing, incomplete or does not fit the model it is restored into."""


def _to_numpy(tree):
    return jax.tree_util.tree_map(lambda x: np.asarray(jax.random.key_data(x)) if jax.dtypes.issubdtype(
        getattr(x, "dtype", None), jax.dtypes.prng_key) else np.asarray(x), tree)


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a reused pid reads as alive: its leftovers are then merely kept)."""
    if pid == os.getpid():
        return False                       # our own leftovers: none is in use between two writes
    if os.name != "posix":
        return True                        # no safe probe elsewhere: keep the leftovers
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


# A file name holds at most 255 bytes (Linux, macOS and Windows file systems alike). A temporary adds to the name of its
# target ".", ".tmp-" or ".old-", a pid of up to 7 digits, "-" and 8 random characters (and a short suffix): a
# valid 236-byte name would give a 258-byte temporary. Longer names are shortened in the temporaries (and the lock).
_NAME_MAX, _TEMP_ADDS, _SUFFIX_MAX = 255, 24, 16


def _suffix(path: Path) -> str:
    """The suffix a temporary of ``path`` keeps (np.savez and savefig read it), or "" for an unusually long one."""
    return path.suffix if len(os.fsencode(path.suffix)) <= _SUFFIX_MAX else ""


def _stem(path: Path) -> str:
    """The part of ``path``'s name that its temporaries and its lock file carry: the name itself, or, for a name too
    long to take their additions, its start and a hash of the whole name (the same every time, so leftovers are
    found)."""
    raw = os.fsencode(path.name)
    budget = _NAME_MAX - _TEMP_ADDS - _SUFFIX_MAX
    if len(raw) <= budget:
        return path.name
    head = raw[:budget - 13].decode(errors="ignore")          # never half a UTF-8 character
    return f"{head}~{hashlib.sha256(raw).hexdigest()[:12]}"


def _leftovers(path: Path, kind: str) -> list[Path]:
    """Temporaries of ``path`` left by a killed writer: ``.NAME.tmp-PID-...`` / ``.NAME.old-PID...`` beside it."""
    return sorted(path.parent.glob(f".{glob.escape(_stem(path))}.{kind}-*"))


def _writer(path: Path, leftover: Path) -> int | None:
    """The pid of the process that made ``leftover`` (a temporary of ``path``), from its name."""
    pid = leftover.name[len(f".{_stem(path)}.xxx-"):].split("-")[0].split(".")[0]
    return int(pid) if pid.isdigit() else None


def _in_use(path: Path, leftover: Path) -> bool:
    """Whether another process that runs made ``leftover``: it is writing ``path`` right now."""
    pid = _writer(path, leftover)
    return pid is not None and _pid_alive(pid)


def _ours(path: Path, leftover: Path) -> bool:
    """Whether ``leftover`` is a temporary that a writer of ``path`` made and left (a kill mid-save): its name carries a
    writer's pid, no process that runs now is writing it, and a folder holds nothing but a checkpoint's files. Only
    those are ever deleted: a file of the learner's that merely looks like one is kept."""
    if _writer(path, leftover) is None or _in_use(path, leftover):
        return False
    if leftover.is_symlink() or not leftover.is_dir():
        return not leftover.is_symlink()
    try:
        return all(p.name in CHECKPOINT_FILES and p.is_file() and not p.is_symlink() for p in leftover.iterdir())
    except OSError:
        return False


def _remove_stale(path: Path) -> None:
    """Deletes the temporaries of ``path`` whose writing process is gone (a kill mid-save leaves them)."""
    for p in _leftovers(path, "tmp") + _leftovers(path, "old"):
        if not _ours(path, p):
            continue                       # another process is writing right now, or it is not a temporary of ours
        with contextlib.suppress(OSError):
            shutil.rmtree(p) if p.is_dir() else p.unlink()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Holds SIGINT and SIGTERM while a checkpoint is written: the first that arrives is delivered when the block
    ends, to the handler that was there, so a second Ctrl-C or a `kill` during the save stops the run after the save,
    not in its middle (which would lose the steps since the last checkpoint). A second one during the same block is
    delivered at once (a save that hangs can still be stopped; the previous checkpoint is kept). Python runs signal
    handlers in the main thread only: elsewhere this holds nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {}

    def restore():
        for s, h in previous.items():
            signal.signal(s, h)
        previous.clear()

    def hold(signum, frame):
        if not held:
            held.append(signum)
            return
        held.clear()                        # the second: stop now, as the handler that was there would
        restore()
        signal.raise_signal(signum)
        raise KeyboardInterrupt             # (only reached where that handler returns)

    for s in (signal.SIGINT, signal.SIGTERM):
        h = signal.getsignal(s)
        if h is not None and h != signal.SIG_IGN:   # None: a handler set outside Python, which is left alone
            previous[s] = signal.signal(s, hold)
    try:
        yield
    finally:
        restore()
        for s in held:
            signal.raise_signal(s)


# Locks held by this process: lock file -> [file descriptor, depth]. A lock is reentrant within a process (`train`
# holds its run's lock, and fit and every save inside it ask for the same one).
_LOCKS: dict[str, list] = {}


def _lock_file(path: Path) -> Path:
    path = Path(os.path.realpath(path))
    return path.parent / f".{_stem(path)}.lock"


def _holder() -> str:
    """This process, as the lock file names it: its pid and command."""
    argv = list(sys.argv) or ["python"]
    if argv[0].endswith("__main__.py"):        # python -m gan_utils ...
        argv[0] = f"python -m {Path(argv[0]).parent.name}"
    else:
        argv[0] = Path(argv[0]).name or "python"
    return f"{os.getpid()}\n{' '.join(argv)[:300]}\n"


def _refuse_held(path: Path, file: Path, text: str) -> None:
    pid, _, command = text.partition("\n")
    who = f"process {pid.strip()} ({command.strip()})" if pid.strip().isdigit() else "another process"
    raise CheckpointError(f"{path} is in use by {who}, which writes it; two runs writing one folder would overwrite "
                          f"each other's checkpoints. Wait for it to finish or stop it"
                          + (f" (kill {pid.strip()})" if pid.strip().isdigit() else "")
                          + ", or choose another folder." + ("" if _flock else
                                                              f" (If it no longer runs, delete {file}.)"))


try:
    import fcntl as _fcntl
    _flock = True
except ImportError:                            # Windows: a lock file created exclusively, its pid probed
    _flock = False


def _acquire(path: Path, file: Path) -> int:
    for _ in range(20):
        if not _flock:
            try:
                fd = os.open(file, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                text = file.read_text(errors="replace") if file.exists() else ""
                pid = text.partition("\n")[0].strip()
                if pid.isdigit() and _pid_alive(int(pid)):
                    _refuse_held(path, file, text)
                with contextlib.suppress(OSError):   # the lock of a process that is gone: taken over
                    file.unlink()
                continue
        else:
            fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
            except OSError:                    # held: by a process that runs (the system frees a dead one's)
                text = os.pread(fd, 1000, 0).decode(errors="replace")
                os.close(fd)
                _refuse_held(path, file, text)
            try:                               # its holder may have removed it between our open and our lock
                same = os.fstat(fd).st_ino == os.stat(file).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
        os.write(fd, _holder().encode())
        return fd
    raise CheckpointError(f"could not lock {path} ({file} keeps changing); try again.")


@contextlib.contextmanager
def lock(path: str | os.PathLike) -> Iterator[None]:
    """Holds folder ``path`` (a run or a checkpoint) for this process while the block runs: another process that
    asks for it meanwhile gets a CheckpointError naming this one (its pid and command), so two runs never write one
    folder. ``train``, ``fit`` (its ``checkpoint_dir``), ``export`` and every save take it; reading needs no lock.

    The lock is the file ``.NAME.lock`` beside ``path``, holding the pid and command of its holder. The operating
    system releases it when the process ends, however it ends, so a lock file that a killed process left behind is
    simply taken over. Reentrant within a process.
    """
    path = Path(path)
    file = _lock_file(path)
    key = str(file)
    if key in _LOCKS:
        _LOCKS[key][1] += 1
        try:
            yield
        finally:
            _LOCKS[key][1] -= 1
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    fd = _acquire(path, file)
    _LOCKS[key] = [fd, 1]
    try:
        yield
    finally:
        del _LOCKS[key]
        with contextlib.suppress(OSError):
            file.unlink()                      # before closing: no one can take a lock on a removed file (see above)
        os.close(fd)


def _inside_checkpoint(path: Path) -> Path | None:
    """The checkpoint folder that holds ``path`` (one of the folders above it), or None."""
    here = Path(os.path.realpath(path)).parent
    for folder in (here, *here.parents):
        if (folder / META_FILE).is_file() and (folder / STATE_FILE).is_file():
            return folder
    return None


def _run_of(path: Path) -> Path | None:
    """The training run (a ``train --out`` folder) one of whose own files ``path`` is (``RUN_FILE``: its grids,
    frames.npz, metrics.json), unless this process is that run's `train` (it holds the run's lock); else None."""
    if not RUN_FILE.fullmatch(path.name):
        return None
    folder = Path(os.path.realpath(path.parent))
    ckpt = folder / RUN_SUBDIR
    if not ((ckpt / META_FILE).is_file() and (ckpt / STATE_FILE).is_file()):
        return None
    return None if str(_lock_file(ckpt)) in _LOCKS else folder


def check_target(path: str | os.PathLike, *, checkpoint_folder: bool = False) -> None:
    """Refuses, before anything is computed, a path that a write could not take or should not take: one inside a
    checkpoint folder (a file there makes the checkpoint's next save fail, or that save deletes it), one of the files
    a training run wrote beside its checkpoint (its grids, frames.npz, metrics.json: only that run's `train` replaces
    them), a symbolic link to nothing and, with ``checkpoint_folder``, a file or a folder of other files (a save would
    delete them).

    The one guard of every write: the saves and ``atomic_file`` themselves, the command line's ``--out`` of each
    command and ``fit``'s ``checkpoint_dir`` before training, ``precomputed.append_row``, and the output paths of
    scripts/ and benchmarks/ before their work, so that a write that cannot or should not happen is found first.

    Raises:
      CheckpointError: the path and the fix, in one line.
    """
    path = Path(path)
    if path.is_symlink() and not path.exists():
        raise CheckpointError(f"{path} is a symbolic link to {os.readlink(path)}, which does not exist; create it "
                              "(or remove the link), or choose another path.")
    holder = _inside_checkpoint(path)
    if holder is not None:
        raise CheckpointError(f"{path} is inside the checkpoint folder {holder}: a file there would stop its next "
                              "save (or be deleted by it). Choose a path outside it, "
                              f"e.g. {holder.parent / path.name}.")
    run = _run_of(path)
    if run is not None:
        raise CheckpointError(f"{path} is the training run {run}'s own {path.name} (train writes it beside the run's "
                              "checkpoint): writing it would replace the run's file. Choose another name, e.g. "
                              f"{run.parent / (run.name + '_' + path.name)}.")
    if checkpoint_folder:
        _check_replaceable(path)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[Path]:
    """Write a file all or nothing: yields a temporary path beside ``path`` (same suffix), renamed over ``path``
    when the block ends without error; on any error (a full disk, Ctrl-C) it is deleted and ``path`` is untouched.

    Example: ``with atomic_file("run/frames.npz") as tmp: np.savez_compressed(tmp, **frames)``.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "is a folder, not a file name", str(path))
    check_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{_stem(path)}.tmp-{os.getpid()}-", suffix=_suffix(path))
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        with open(tmp, "rb+") as f:        # on disk before the rename, so the rename never exposes a partial file
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)               # mkstemp makes it private; the result is as readable as any other file
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _check_replaceable(path: Path) -> None:
    """Refuses to replace anything but a checkpoint folder, so that a save never deletes the learner's files."""
    if not path.exists():
        return
    if not path.is_dir():
        raise CheckpointError(f"{path} is a file, not a checkpoint folder; choose another path (a new folder).")
    other = sorted(p.name for p in path.iterdir() if p.name not in CHECKPOINT_FILES)
    if other:
        raise CheckpointError(f"{path} holds files that are not part of a checkpoint ({', '.join(other[:3])}"
                              f"{', ...' if len(other) > 3 else ''}); writing a checkpoint there would delete them. "
                              "Choose a new folder (or empty this one).")


def _atomic_write_dir(path: Path, files: dict[str, bytes]) -> None:
    path = Path(path)
    check_target(path, checkpoint_folder=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    # one writer at a time (lock), and a Ctrl-C or a `kill` that arrives meanwhile waits for the save to end
    with lock(path), _signals_held():
        _recover(path)                     # a complete leftover of a killed save is the one to keep, not to delete
        _remove_stale(path)
        tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{_stem(path)}.tmp-{os.getpid()}-"))
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a checkpoint is as readable as any other file
        old = None
        try:
            for name, data in files.items():
                with open(tmp / name, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
            if path.exists():
                # a new name every time: a leftover of another process (or of a reused pid) can never be in the way
                old = path.with_name(f".{_stem(path)}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
                os.replace(path, old)
                os.replace(tmp, path)          # a kill between the two renames is repaired by _recover
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, path)
        except BaseException:
            if old is not None and not path.exists():   # the second rename failed: put the previous checkpoint back
                with contextlib.suppress(OSError):
                    os.replace(old, path)
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _json_safe(d):
    """``d`` with NaN/Inf as None and numpy scalars as Python numbers, through dicts, lists and tuples
    (for JSON: meta.json here, metrics.json and the doctor's reports elsewhere)."""
    if isinstance(d, dict):
        return {k: _json_safe(v) for k, v in d.items()}
    if isinstance(d, (list, tuple)):
        return [_json_safe(v) for v in d]
    if isinstance(d, np.integer):
        return int(d)
    if isinstance(d, (float, np.floating)):
        return float(d) if math.isfinite(d) else None
    return d


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _history_file(history: dict) -> bytes | None:
    """history.npz holding a metric history (lists of numbers), or None for anything else (kept in meta.json).

    A step's metrics are float32 values (computed on the device): stored as float32 they read back exactly, in a
    fifth of the space JSON takes, so meta.json stays small however long the run.
    """
    arrays = {}
    for k, v in history.items():
        try:
            a = np.asarray(v)
        except ValueError:                 # ragged lists
            return None
        if a.ndim != 1 or a.dtype.kind not in "iuf" or not k.isidentifier():
            return None
        if a.dtype.kind == "f" and np.array_equal(a.astype(np.float32), a, equal_nan=True):
            a = a.astype(np.float32)
        arrays[k] = a
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _save_module(path: Path, module: nnx.Module, meta: dict | None, extra: dict[str, bytes] | None = None) -> None:
    state = serialization.msgpack_serialize(_to_numpy(nnx.state(module).to_pure_dict()))
    meta = dict(meta or {})
    files = {STATE_FILE: state}
    history = meta.get("history")
    if isinstance(history, dict) and (hist := _history_file(history)) is not None:
        files[HISTORY_FILE] = hist
        meta["history"] = {"file": HISTORY_FILE}   # load_meta puts the lists back
    meta.update(format_version=FORMAT_VERSION, module=type(module).__name__, state_sha256=_sha256(state),
                versions={"jax": jax.__version__, "flax": __import__("flax").__version__})
    files[META_FILE] = _json_bytes(meta)
    _atomic_write_dir(Path(path), {**files, **(extra or {})})


def _json_bytes(meta: dict) -> bytes:
    """Strict JSON (NaN and Infinity, which strict parsers refuse, written as null), as meta.json is written."""
    try:
        return json.dumps(meta, indent=1, allow_nan=False).encode()
    except ValueError:
        return json.dumps(_json_safe(meta), indent=1, allow_nan=False).encode()


def _load_judge(path: str | os.PathLike, module: nnx.Module, fix: str) -> nnx.Module:
    """A shipped judge (the MNIST classifier of the metrics, notebook 11's style classifier): its weights restored into
    ``module``, which is returned in eval mode. A missing file raises FileNotFoundError with ``fix``."""
    if not (Path(path) / STATE_FILE).exists():
        raise FileNotFoundError(f"no weights at {path}. {fix}")
    load_module(path, module)
    module.eval()
    return module


def save_module(path: str | os.PathLike, module: nnx.Module, meta: dict | None = None) -> None:
    """Saves every variable of an NNX module (parameters, BatchNorm statistics, optimizer state, RNG counters).

    Args:
      path: directory to write (replaced atomically if it holds a checkpoint; any other content is refused).
      module: any NNX module, e.g. a ``GAN`` or a bare generator.
      meta: JSON-serialisable extras stored in meta.json (a ``history`` of metric lists goes to history.npz).

    Raises:
      CheckpointError: ``path`` is a file, or a folder holding other files than a checkpoint's.
    """
    _save_module(Path(path), module, meta)


def _read_meta(path: Path) -> dict:
    """meta.json of checkpoint folder ``path``, without the history; CheckpointError naming the file if unreadable."""
    file = path / META_FILE
    try:
        meta = json.loads(file.read_bytes())
    except (OSError, ValueError) as e:    # ValueError: truncated or not JSON (JSONDecodeError, UnicodeDecodeError)
        raise CheckpointError(f"{file} is unreadable ({e}): the checkpoint is damaged (an interrupted copy or a full "
                              "disk). Copy it again, or train again from an earlier checkpoint.") from e
    if not isinstance(meta, dict):
        raise CheckpointError(f"{file} is not a checkpoint's meta.json (it holds a {type(meta).__name__}).")
    return meta


def _usable(path: Path) -> int | None:
    """The step of the checkpoint in folder ``path`` if it is complete and its state matches its checksum, else None."""
    try:
        meta = _read_meta(path)
        state = (path / STATE_FILE).read_bytes()
    except (CheckpointError, OSError):
        return None
    if "state_sha256" in meta and _sha256(state) != meta["state_sha256"]:
        return None
    return meta["step"] if isinstance(meta.get("step"), int) else 0


def _recover(path: Path) -> Path | None:
    """Repairs the state a kill between the two renames of a save leaves: no ``path``, but a complete copy beside it.

    Moves the newest complete copy (the new one, else the old one) back to ``path`` and returns ``path``; returns
    the copy itself if it cannot be moved (a read-only folder), or None if there is nothing to recover.
    """
    if path.exists():
        return None
    found = [(step, kind == "tmp", p) for kind in ("tmp", "old") for p in _leftovers(path, kind)
             if p.is_dir() and not _in_use(path, p) and (step := _usable(p)) is not None]
    if not found:
        return None
    step, _, best = max(found)
    try:
        os.replace(best, path)
    except OSError:
        return best
    warnings.warn(f"{path} was missing after an interrupted save; restored its complete copy (step {step}).",
                  stacklevel=3)
    return path


def resolve(path: str | os.PathLike) -> Path:
    """The checkpoint directory for ``path``: the path itself, or ``path/checkpoint`` for a ``train --out`` folder.

    A checkpoint whose save was killed between its two renames is recovered from the complete copy beside it.

    Raises:
      CheckpointError: neither holds a checkpoint.
    """
    path = Path(path)
    for p in (path, path / RUN_SUBDIR):
        for _ in range(100):
            if (p / META_FILE).exists() and (p / STATE_FILE).exists():
                return p
            if (found := _recover(p)) is not None:
                return found
            # another process is between the two renames of its save: its new copy is in place in a moment
            if not any(_in_use(p, q) for q in _leftovers(p, "old")):
                break
            time.sleep(0.05)
    raise CheckpointError(f"{path} is not a gan_utils checkpoint (it needs {STATE_FILE} and {META_FILE}). "
                          "Pass the folder given to `train --out`, or to checkpoint.save.")


def load_meta(path: str | os.PathLike) -> dict:
    """Reads meta.json of a checkpoint directory (or of the ``train --out`` folder that holds one), with the metric
    history under ``"history"`` (from history.npz, or from meta.json itself in older checkpoints)."""
    path = resolve(path)
    meta = _read_meta(path)
    if isinstance(meta.get("history"), dict) and meta["history"].get("file") == HISTORY_FILE:
        file = path / HISTORY_FILE
        try:
            with np.load(file) as z:
                meta["history"] = {k: z[k].tolist() for k in z.files}
        except Exception as e:   # a truncated or damaged file: zipfile, zlib and OSError errors among others
            # the weights do not need it (they have their own checksum): they load, without the curves
            meta["history"] = {}
            warnings.warn(f"{file} is unreadable ({type(e).__name__}: {e}): the metric history (the loss curves up "
                          f"to step {meta.get('step')}) is lost; the weights are intact and load without it, and a "
                          "resumed run records its history from there on. Copy the file again to keep the curves.",
                          stacklevel=2)
    return meta


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
      CheckpointError: the checkpoint is missing, damaged (it fails its checksum), or its arrays do not match the
        module's structure or shapes.
    """
    path = resolve(path)
    meta = load_meta(path)
    file = path / STATE_FILE
    data = file.read_bytes()
    if "state_sha256" in meta and _sha256(data) != meta["state_sha256"]:   # older checkpoints have no checksum
        raise CheckpointError(f"{file} is corrupt: its SHA-256 differs from the one in {META_FILE} (a damaged disk, "
                              "an interrupted copy or an edit). Copy the checkpoint again, or train again from an "
                              "earlier one.")
    try:
        raw = _msgpack_restore(data)
    except Exception as e:   # msgpack's and flax's decoding errors have no common base class
        raise CheckpointError(f"{file} is unreadable ({type(e).__name__}: {e}); the checkpoint is damaged. Copy it "
                              "again, or train again from an earlier checkpoint.") from e
    if not isinstance(raw, dict):
        raise CheckpointError(f"{file} holds no model state; pass a folder written by checkpoint.save.")
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
    try:
        if isinstance(meta["step"], bool) or not isinstance(meta["step"], int) or meta["step"] < 0:
            raise ValueError(f"step {meta['step']!r} is not a step number")
        key = jax.random.wrap_key_data(np.asarray(meta["key"], np.uint32))
    except (KeyError, TypeError, ValueError, OverflowError) as e:
        raise CheckpointError(f"{resolve(path) / META_FILE} lacks a usable step or run key ({type(e).__name__}: {e}), "
                              "so the run cannot continue from it: the checkpoint is damaged. Copy it again, or "
                              "sample it without resuming (its weights load).") from e
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
      dst: the folder to write: a new one, or a previous export (replaced atomically, with the run's frames.npz);
        ``load_gan``/``load_pretrained`` read it.
    Returns:
      the meta dict written (config, step, the metric history, library versions).
    Raises:
      CheckpointError: ``dst`` is the run itself (or holds it), a training checkpoint, or a folder of other files.
    """
    src_dir, dst = resolve(src), Path(dst)
    here, run = dst.resolve(), (Path(src).resolve(), src_dir.resolve())
    if any(r == here or r.is_relative_to(here) for r in run):
        raise CheckpointError(f"{dst} is the run being exported (or holds it): exporting there would replace the "
                              f"run. Choose another folder, e.g. {dst.name}_export.")
    check_target(dst, checkpoint_folder=True)
    if (dst / META_FILE).exists():
        old = _read_meta(dst)
        if old.get("module", "GAN") != "Networks":
            raise CheckpointError(f"{dst} holds a training checkpoint (with its optimizer state), not a previous "
                                  "export; exporting there would replace it. Choose another folder.")
        if old.get("exported_from") != Path(src).name:   # a re-export of the same run replaces its export; no other
            raise CheckpointError(f"{dst} holds the export of another run, {old.get('exported_from')!r} (step "
                                  f"{old.get('step')}); exporting {Path(src).name!r} there would replace it. Choose "
                                  "another folder, or delete that export first.")
    with lock(dst):                        # no other process writes dst meanwhile
        return _export(src, src_dir, dst)


def _export(src, src_dir: Path, dst: Path) -> dict:
    gan = load_gan(src_dir)
    meta = load_meta(src_dir)
    keep = {k: meta[k] for k in ("step", "config", "history") if k in meta}
    keep["exported_from"] = Path(src).name
    if gan.g_ema is not None:
        keep["generator"] = "g_ema (weight average), BatchNorm statistics re-estimated by GAN.sampler()"
    # the run's sample grids (train writes them beside its checkpoint), so a notebook can replay the training;
    # written in the same atomic step as the weights
    run_dir = src_dir.parent if src_dir.name == RUN_SUBDIR else Path(src)
    frames = run_dir / FRAMES_FILE if (run_dir / FRAMES_FILE).is_file() else None
    _save_module(dst, Networks(gan.sampler(), gan.discriminator), keep,
                 {FRAMES_FILE: frames.read_bytes()} if frames else None)
    return load_meta(dst)


def pretrained_dir(kind: str | None = None) -> Path:
    """The folder of a shipped generator.

    Args:
      kind: ``"selfcond"``, ``"dcgan"``, ``"conditional"``, ``"glyphs"`` or ``"stylegan"`` (``PRETRAINED_KINDS``);
        None, the default: ``$GAN_UTILS_PRETRAINED_DIR`` if set (your own run in its place), else
        ``PRETRAINED_DIR`` (self-conditioned).
    """
    if kind is None:
        return Path(os.environ.get("GAN_UTILS_PRETRAINED_DIR") or PRETRAINED_DIR)
    if kind not in PRETRAINED_KINDS:
        raise ValueError(f"kind must be one of {sorted(PRETRAINED_KINDS)} (or None for the default), got {kind!r}.")
    return PRETRAINED_KINDS[kind]


def load_pretrained(path: str | os.PathLike | None = None, *, kind: str | None = None, **renamed):
    """A generator shipped inside the package, with its discriminator (a few MB of msgpack, no code on load).

    Args:
      path: another checkpoint folder to load instead (e.g. the ``--out`` folder of your own ``train``).
      kind: which shipped one (the names of ``sample --pretrained KIND``): None or ``"selfcond"``, the default:
        the self-conditioned DCGAN (notebook 09), unconditional, sampled with no label; ``"dcgan"``: the plain
        DCGAN that notebooks 03-05 build and train (one Gaussian to ten digits, with hybrids between them);
        ``"conditional"``: the class-conditional DCGAN of notebook 08, sampled with
        ``models.sample(gan.generator, key, n, labels=7)``; ``"glyphs"``: notebook 11's pix2pix translator of
        64x64 printed glyphs into brush glyphs, run with ``models.translate(gan.generator, source)``; ``"stylegan"``:
        notebook 14's style-based generator (``stylegan.StyleGenerator``), unconditional. None also
        honours ``$GAN_UTILS_PRETRAINED_DIR``.
    Returns:
      a ``gan_utils.steps.GAN``; ``gan.generator`` and ``gan.discriminator`` are the trained networks (the
      generator is the one to sample, the weight average when the run kept one) and
      ``load_meta(...)["history"]`` holds its training curves.
    Raises:
      CheckpointError: the weights are missing (e.g. an install without package data).
      ValueError: an unknown ``kind``.
    """
    if renamed:   # the keywords before 2026-11-24: conditional=True, self_conditioned=True
        raise TypeError(f"load_pretrained() takes no {', '.join(sorted(renamed))}= any more: pass "
                        "kind='conditional', kind='selfcond' (the default) or kind='dcgan' (the plain DCGAN).")
    if path is not None and kind is not None:
        raise ValueError("pass path= (a folder of yours) or kind= (a shipped generator), not both.")
    if path is not None and not Path(path).exists():
        if isinstance(path, str) and path in (*PRETRAINED_KINDS, "default"):   # load_pretrained("conditional")
            raise ValueError(f"load_pretrained({path!r}) reads {path!r} as a folder, and there is none: for the "
                             f"shipped generator of that name pass it as kind: load_pretrained(kind={path!r}).")
        raise CheckpointError(f"no checkpoint at {path}: pass the --out folder of `python -m gan_utils train` (or "
                              "leave path out for the shipped generator).")
    path = Path(path) if path is not None else pretrained_dir(kind)
    if not path.exists():
        raise CheckpointError(f"no pretrained weights at {path}: reinstall gan_utils with its package data, or "
                              "train them with the command in the README and pass the --out folder as path=.")
    return load_gan(path)
