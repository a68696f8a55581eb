"""Experiments too long for a class period: run once, committed as data, shown by the notebook, re-run on request.

A notebook that compares many training runs (07's stabilisers, 95 runs of 6,000 steps) would take half an hour on a
2-core CPU. Such an experiment is a function of the notebook; ``run_or_load`` either loads its committed results
(instant) or, when the notebook's ``RUN_EXPERIMENTS`` switch is on, runs the function in place and writes the results
back, with the record of what made them: the command, date, machine, library versions and the time it took.

Results live in the package (``gan_utils/assets/results/<name>.json``, and ``<name>.npz`` for arrays), so that a
notebook opened on Colab, where only the package is installed, finds them too. A result is a dict whose leaves are
numbers, strings, booleans, None, lists, or arrays (numpy or jax); arrays go to the ``.npz`` file, everything else to
the readable ``.json`` file.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import textwrap
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

__all__ = ["RESULTS_DIR", "run_or_load", "load", "save", "describe", "rerun_requested", "machine_record",
           "same_platform", "read_rows", "append_row", "read_arrays", "write_arrays"]

RESULTS_DIR = Path(__file__).parent / "assets" / "results"
ENV_RERUN = "GAN_COURSE_RUN_EXPERIMENTS"   # "1": every notebook re-runs its experiments (the command in the record)
_ARRAY = "__array__"                       # a JSON leaf {"__array__": key} points to the array `key` of the .npz


def rerun_requested(default: bool = False) -> bool:
    """The notebook's switch: ``default`` (the constant at its top), or True when
    ``$GAN_COURSE_RUN_EXPERIMENTS`` is 1."""
    return bool(default) or os.environ.get(ENV_RERUN) == "1"


def machine_record() -> dict[str, Any]:
    """Where a result was computed: date, machine, cores, load, python and library versions, jax backend."""
    import importlib.metadata as md

    import jax
    versions = {}
    for dist in ("jax", "jaxlib", "flax", "optax", "numpy"):
        try:
            versions[dist] = md.version(dist)
        except md.PackageNotFoundError:
            versions[dist] = None
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores", "processor": _cpu_name(),
            "cpu_features": _cpu_features(),
            "load_at_start": None if load is None else round(load, 2), "python": platform.python_version(),
            "backend": jax.default_backend(), **versions}


def same_platform(record: dict) -> bool:
    """Whether ``record`` (a result's record) was made on a machine and software like this one: the same processor,
    instruction-set features, backend and library versions, where a re-run of the same code and keys gives the same
    numbers. A re-run elsewhere is a new draw of the experiment (GAN training amplifies float rounding)."""
    import jax
    here = machine_record()
    keys = ("machine", "processor", "cpu_features", "backend", "python", "jax", "jaxlib", "flax", "optax", "numpy")
    # and the seeds mean what they meant: `./course.sh verify` shifts every seed, which makes every run a new draw
    usual_seeds = np.asarray(jax.random.key_data(jax.random.key(0))).tolist() == [0, 0]
    return usual_seeds and all(record.get(k) == here.get(k) for k in keys)


def _cpuinfo(*prefixes: str) -> str | None:
    """The value of the first line of /proc/cpuinfo that starts with one of ``prefixes``, or None."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(prefixes):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _cpu_features() -> str:
    """A short digest of the CPU's instruction-set flags (XLA compiles for them, so they can change float rounding)."""
    flags = _cpuinfo("flags", "Features")
    if flags is None:
        return platform.processor() or "unknown"
    return hashlib.sha1(" ".join(sorted(flags.split())).encode()).hexdigest()[:12]


def _cpu_name() -> str:
    return _cpuinfo("model name") or platform.processor() or "unknown"


def _split(tree: Any, arrays: dict[str, np.ndarray], path: str) -> Any:
    """JSON-able copy of ``tree`` with every array moved into ``arrays`` (keyed by its path)."""
    if isinstance(tree, dict):
        bad = [k for k in tree if not isinstance(k, str)]
        if bad:
            raise TypeError(f"result keys must be strings, got {bad[:3]} at {path or 'the top'}: use str(key).")
        return {k: _split(v, arrays, f"{path}/{k}") for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [_split(v, arrays, f"{path}/{i}") for i, v in enumerate(tree)]
    if isinstance(tree, (str, bool, type(None))):
        return tree
    if isinstance(tree, (int, float, np.integer, np.floating, np.bool_)):
        return tree.item() if isinstance(tree, np.generic) else tree
    if hasattr(tree, "shape") and hasattr(tree, "dtype"):
        a = np.asarray(tree)
        if a.ndim == 0:
            return a.item()
        arrays[path] = a
        return {_ARRAY: path}
    raise TypeError(f"cannot store {type(tree).__name__} at {path or 'the top'}: results hold numbers, strings, "
                    "lists, dicts and arrays; convert it (e.g. float(x), np.asarray(x)).")


def _join(tree: Any, arrays) -> Any:
    if isinstance(tree, dict):
        if set(tree) == {_ARRAY}:
            return np.asarray(arrays[tree[_ARRAY]])
        return {k: _join(v, arrays) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_join(v, arrays) for v in tree]
    return tree


def _paths(name: str, folder: str | os.PathLike | None) -> tuple[Path, Path]:
    if not name or any(c in name for c in "/\\") or name.startswith("."):
        raise ValueError(f"name must be a plain file stem like '07_stabilisers', got {name!r}.")
    base = Path(folder) if folder is not None else RESULTS_DIR
    return base / f"{name}.json", base / f"{name}.npz"


def save(name: str, results: dict, record: dict, *, folder: str | os.PathLike | None = None) -> Path:
    """Writes ``results`` and its ``record`` (``machine_record()`` plus ``command`` and ``seconds``), all or nothing.

    Returns the path of the ``.json`` file.
    """
    from .checkpoint import atomic_file
    if not isinstance(results, dict):
        raise TypeError(f"results must be a dict, got {type(results).__name__}.")
    arrays: dict[str, np.ndarray] = {}
    body = {"record": _split(record, {}, "record"), "results": _split(results, arrays, "")}
    js, npz = _paths(name, folder)
    if arrays:
        with atomic_file(npz) as tmp:
            np.savez_compressed(tmp, **arrays)
    elif npz.exists():
        npz.unlink()
    with atomic_file(js) as tmp:
        tmp.write_text(json.dumps(body, indent=1) + "\n")
    return js


def load(name: str, *, folder: str | os.PathLike | None = None) -> tuple[dict, dict]:
    """The committed ``(results, record)`` of experiment ``name``.

    Raises:
      FileNotFoundError: no such result; the message says how to make it.
    """
    js, npz = _paths(name, folder)
    if not js.exists():
        raise FileNotFoundError(f"no precomputed result {js}: set RUN_EXPERIMENTS = True at the top of the notebook "
                                f"(or run it with {ENV_RERUN}=1) to compute it.")
    body = json.loads(js.read_text())
    arrays = np.load(npz) if npz.exists() else {}
    try:
        return _join(body["results"], arrays), body["record"]
    finally:
        if arrays:
            arrays.close()


def read_rows(path: str | os.PathLike, key: Callable[[dict], Any]) -> dict:
    """The rows a sweep already wrote to its JSON-lines log (one run per line), by ``key(row)``: a sweep that was
    killed resumes from them (``append_row`` writes each run as it finishes). No file: no rows.

    Raises:
      ValueError: a line that is not a row (half a line left by a kill, an edit): the file and the line to fix, in one
        line. Nothing is skipped, so nothing a sweep appends next can hide a lost row.
    """
    path = Path(path)
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path} is not a JSON-lines file ({e}); nothing was written: move it away, or pass "
                         "another file.") from None
    rows = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError(f"a JSON {type(row).__name__}, not a row")
            rows[key(row)] = row
        except (ValueError, KeyError, TypeError) as e:
            why = getattr(e, "msg", None) or (f"no {e}" if isinstance(e, KeyError) else str(e))
            raise ValueError(f"{path} line {n} is not a row of this sweep ({why}); nothing was written: fix or "
                             "delete that line (a killed run leaves half a line), or move the file away.") from None
    return rows


def append_row(path: str | os.PathLike, row: dict) -> None:
    """Appends one finished run to a sweep's JSON-lines log (``read_rows`` reads them back), on a line of its own
    even after a last line without its newline; never inside a checkpoint folder nor over a run's file
    (``checkpoint.check_target``)."""
    from .checkpoint import check_target
    path = Path(path)
    check_target(path)
    line = json.dumps(row, ensure_ascii=False) + "\n"
    if path.is_file() and path.stat().st_size:
        with open(path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                line = "\n" + line
    with open(path, "a", encoding="utf-8") as f:
        f.write(line)


def read_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every array of the .npz at ``path`` (a sweep's pictures), or {} if there is none.

    Raises:
      ValueError: the file is unreadable (a kill mid-write of an older version, a full disk): named, with what to do,
        in one line; a sweep that rewrote it would lose every picture in it.
    """
    path = Path(path)
    if not path.exists():
        return {}
    try:
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    except Exception as e:   # zipfile, zlib, OSError, a pickle refused, not an .npz at all
        raise ValueError(f"{path} is unreadable ({type(e).__name__}: {e}); nothing was written: move it away (its "
                         "pictures are then made again), or copy a good one back.") from None


def write_arrays(path: str | os.PathLike, arrays: dict) -> None:
    """Writes ``arrays`` to the .npz at ``path``, all or nothing (``checkpoint.atomic_file``)."""
    from .checkpoint import atomic_file
    with atomic_file(path) as tmp, open(tmp, "wb") as f:   # a file object: np.savez adds no ".npz" to its name
        np.savez_compressed(f, **arrays)


def describe(record: dict) -> str:
    """One sentence: when, where, with what and in how long a result was computed."""
    minutes = record.get("seconds", float("nan")) / 60
    return (f"computed on {record.get('date', '?')[:10]} on {record.get('machine', '?')} "
            f"({record.get('processor', '?')}), "
            f"jax {record.get('jax', '?')} on {record.get('backend', '?')}, in {minutes:.1f} minutes")


def run_or_load(name: str, run: Callable[[], dict], *, rerun: bool, command: str,
                folder: str | os.PathLike | None = None, verbose: bool = True) -> dict:
    """The results of experiment ``name``: computed by ``run()`` when ``rerun`` is set, else the committed ones.

    Args:
      name: the file stem, e.g. ``"07_stabilisers"`` (``gan_utils/assets/results/07_stabilisers.json``).
      run: computes the results (a dict of numbers, strings, lists, dicts and arrays).
      rerun: the notebook's ``RUN_EXPERIMENTS`` switch; when True the results are computed here and written back
        (so the notebook shows, and the repository can commit, this run's results).
      command: how to re-run it, kept in the record (e.g. ``"RUN_EXPERIMENTS = True in notebooks/07_mode_collapse"``).
      verbose: print one line saying which happened.
    Returns:
      the results, with the record under the key ``"record"`` (date, machine, versions, ``seconds``, ``command``).
    """
    if rerun:
        record = {**machine_record(), "command": command}
        t0 = time.perf_counter()
        results = run()
        record["seconds"] = round(time.perf_counter() - t0, 1)
        if "record" in results:
            raise ValueError("a result may not use the key 'record': it holds where and how it was computed.")
        path = save(name, results, record, folder=folder)
        if verbose:
            print(f"Ran the experiment here in {record['seconds'] / 60:.1f} minutes; saved to {path}.")
        results = load(name, folder=folder)[0]     # exactly what a later load returns (arrays as numpy)
    else:
        results, record = load(name, folder=folder)
        if verbose:
            print(textwrap.fill(f"Precomputed results ({name}), {describe(record)}. To re-run them here, set "
                                "RUN_EXPERIMENTS = True at the top of this notebook and run it again.", 100))
    return {**results, "record": record}
