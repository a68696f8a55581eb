"""Run notebooks in their normal mode with every seed shifted, without saving them: does the lesson hold on
another run?

A learner's run is not the committed run: the same keys take another path on another CPU or XLA build, and a
notebook whose asserts only hold for the committed path stops there. This command runs a notebook top to bottom in
its **normal mode** (not the shortened ``GAN_COURSE_TEST`` mode) in a fresh kernel with every integer seed shifted
by ``--seed-offset``: a ``sitecustomize`` module on the kernel's ``PYTHONPATH`` wraps ``jax.random.key``,
``jax.random.PRNGKey`` and ``numpy.random.default_rng`` so that ``key(s)`` becomes ``key(s + offset)``, in the kernel
and in every Python process it starts (``python -m gan_utils sample --seed 0`` shifts with the notebook). That shifts
the notebook's ``SEED``, every literal key and every seed passed to ``gan_utils`` (``nnx.Rngs``, configs, samplers)
alike, without editing the notebook; a first cell checks that the shift is active. The shipped weights stay what
they are.

The notebook runs in a scratch copy of ``notebooks/`` (files it writes, such as notebook 05's ``runs/``, land there;
notebooks run in one call share it, so 06 scores the 05 run of the same call). The committed ``.ipynb`` is never
written. Every cell runs even after an error, so one run lists every failing cell.

Usage (``./course.sh verify`` calls this with the course's environment)::

    python scripts/verify_notebook.py notebooks/02_minimax_objective.py --seed-offset 1 2
    python scripts/verify_notebook.py notebooks/0*.py --seed-offset 1 --record benchmarks/verify_notebooks.jsonl

Prints one line per run and, last, one JSON object per run. Exit status 1 if any run failed.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Imported by every Python process started with the verify environment (the kernel and whatever it launches, such
# as `python -m gan_utils sample --seed 0`), so a seed on a command line shifts with the notebook's seeds.
SHIFT_SEEDS = '''\
# verify_notebook.py: every integer seed shifted by $GAN_VERIFY_SEED_OFFSET (not part of the notebook)
import os as _os
_OFFSET = int(_os.environ.get("GAN_VERIFY_SEED_OFFSET", "0"))
if _OFFSET:
    import jax as _jax, numpy as _np
    def _shifted(seed):
        if isinstance(seed, bool):
            return seed
        if isinstance(seed, (int, _np.integer)):
            return int(seed) + _OFFSET
        dtype = getattr(seed, "dtype", None)
        if dtype is not None and _np.issubdtype(dtype, _np.integer):
            return seed + _OFFSET
        return seed
    def _wrap(f):
        def shifted(seed, *args, **kwargs):
            return f(_shifted(seed), *args, **kwargs)
        shifted.__wrapped__ = f
        return shifted
    if not hasattr(_jax.random.key, "__wrapped__"):
        _jax.random.key = _wrap(_jax.random.key)
        _jax.random.PRNGKey = _wrap(_jax.random.PRNGKey)
        _np.random.default_rng = _wrap(_np.random.default_rng)
'''

FIRST_CELL = '''\
# verify_notebook.py (not part of the notebook): is every seed shifted in this kernel?
import jax as _jax
assert hasattr(_jax.random.key, "__wrapped__") == ({offset} != 0), "the seed shift is not active"
print("normal mode, every seed shifted by {offset}")
'''


def _scratch(tmp: Path) -> Path:
    """A scratch course: the package and pyproject linked, the notebooks copied (without the learner's runs/)."""
    (tmp / "gan_utils").symlink_to(ROOT / "gan_utils")
    (tmp / "pyproject.toml").symlink_to(ROOT / "pyproject.toml")
    shutil.copytree(ROOT / "notebooks", tmp / "notebooks", ignore=shutil.ignore_patterns("runs", ".ipynb_checkpoints"))
    return tmp / "notebooks"


def _load(path: Path):
    import jupytext
    import nbformat
    src = path.with_suffix(".py") if path.with_suffix(".py").exists() else path.with_suffix(".ipynb")
    nb = jupytext.read(src)
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))   # plain nbformat nodes
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def _not_a_notebook(path: Path) -> str:
    """Why ``path`` names no notebook ("" if it does): a notebook is an .ipynb, or a jupytext percent-format .py (a
    jupytext header, or `# %%` cells). Any other Python file would run as a one-cell notebook and pass."""
    ipynb, py = path.with_suffix(".ipynb"), path.with_suffix(".py")
    if path.suffix not in (".py", ".ipynb", ""):
        return f"a {path.suffix} file"
    if ipynb.is_file():
        return ""
    if not py.is_file():
        return "no such file"
    with open(py, errors="replace") as f:
        text = f.read(1_000_000)
    if "jupytext:" in text[:2000] or text.startswith("# %%") or "\n# %%" in text:
        return ""
    return "a Python file with no jupytext header and no `# %%` cells, not a notebook's .py"


def _execute_off_the_running_loop(client) -> None:
    """client.execute(), in a thread of its own when this one has an asyncio loop marked as running (a test process
    that has driven Chromium with Playwright): nbclient would otherwise drive the kernel through jupyter_core's
    helper thread, where a CI run once waited 20 minutes on a reply already in its socket (tests/kernel_run.py)."""
    import asyncio
    import threading
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        client.execute()
        return
    failed = []

    def run():
        try:
            client.execute()
        except BaseException as exc:   # re-raised in the caller's thread
            failed.append(exc)
    thread = threading.Thread(target=run, name="verify-notebook")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


def verify(path: Path, offset: int, workdir: Path, timeout: int, keep: Path | None = None) -> dict:
    """Run one notebook in normal mode with seeds shifted by ``offset``; return what happened. With ``keep`` (a
    folder), the executed notebook is also written there as ``<name>.offset<offset>.ipynb``, so that the numbers its
    cells printed can be read afterwards (e.g. the margins of its asserts over several offsets)."""
    import nbformat
    from nbclient import NotebookClient
    nb = _load(path)
    nb.cells.insert(0, nbformat.v4.new_code_cell(FIRST_CELL.format(offset=offset)))
    site = Path(workdir).parent / "_verify_site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SHIFT_SEEDS)
    env_before = dict(os.environ)
    os.environ.pop("GAN_COURSE_TEST", None)          # the normal mode: what a learner runs
    os.environ.pop("GAN_COURSE_RUN_EXPERIMENTS", None)   # load the committed results; a re-run would overwrite them
    os.environ["GAN_VERIFY_SEED_OFFSET"] = str(offset)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [env_before.get("PYTHONPATH")])])
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(workdir)}})
    t0 = time.time()
    crashed = None
    try:
        _execute_off_the_running_loop(client)
    except Exception as exc:                          # a dead kernel or a timeout: the run failed
        crashed = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    seconds = time.time() - t0
    if keep is not None:
        Path(keep).mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(Path(keep) / f"{path.stem}.offset{offset}.ipynb"))
    errors = []
    for index, cell in enumerate(nb.cells[1:]):       # cell numbers as in the committed .ipynb (from 0)
        # what the cell printed before it failed: the numbers an assert without a message was about
        printed = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                # the failing line (IPython marks it with an arrow), ANSI colours stripped
                lines = [re.sub(r"\x1b\[[0-9;]*m", "", t) for t in out.get("traceback", [])]
                where = [ln.strip() for t in lines for ln in t.splitlines() if re.match(r"\s*-+>", ln)]
                errors.append({"cell": index, "error": f"{out['ename']}: {out['evalue']}"[:400],
                               "line": where[-1][:300] if where else "", "printed": printed[-800:]})
    return {"notebook": path.stem, "seed_offset": offset, "passed": not errors and crashed is None,
            "seconds": round(seconds, 1), "errors": errors, "crashed": crashed}


def table(jsonl: Path) -> str:
    """The recorded runs as a markdown table: one row per notebook, one column per seed offset (the latest run of
    each pair; a failed run names its failing cells)."""
    latest = {}
    for line in Path(jsonl).read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            latest[r["notebook"], r["seed_offset"]] = r
    offsets = sorted({o for _, o in latest})
    rows = ["| notebook | " + " | ".join(f"seed offset {o}" for o in offsets) + " |",
            "|---|" + "---|" * len(offsets)]
    for nb in sorted({n for n, _ in latest}):
        cells = []
        for o in offsets:
            r = latest.get((nb, o))
            if r is None:
                cells.append("not run")
                continue
            what = "pass" if r["passed"] else "FAIL (" + ", ".join(
                [f"cell {e['cell']}: {e['error'].split(':')[0]}" for e in r["errors"]]
                + ([r["crashed"]] if r["crashed"] else [])) + ")"
            cells.append(f"{what}, {r['seconds'] / 60:.1f} min "
                         f"({r['machine'].split('load ')[-1].replace(' at end', '')} load)")
        rows.append(f"| {nb} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path, help="notebooks/NN_name.py (or .ipynb)")
    ap.add_argument("--seed-offset", type=int, nargs="+", default=[1],
                    help="shift every seed by this much; several values run the notebooks once per value "
                         "(default: 1; 0 reproduces the committed seeds)")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds allowed per cell (default 3600)")
    ap.add_argument("--record", type=Path, help="append each result, with date, machine and versions, to this JSONL")
    ap.add_argument("--keep", type=Path, help="also write each executed notebook into this folder (the committed "
                    ".ipynb is never written)")
    ap.add_argument("--table", type=Path, help="print the results recorded in this JSONL as a markdown table, and exit")
    args = ap.parse_args(argv)
    if args.table:
        try:
            print(table(args.table))
        except (OSError, ValueError, KeyError, TypeError) as e:
            ap.error(f"--table {args.table}: not a JSONL file written by --record ({type(e).__name__}: {e})")
        return 0
    if not args.notebooks:
        ap.error("name at least one notebook, e.g. notebooks/02_minimax_objective.py (or --table FILE.jsonl)")
    for p in args.notebooks:
        why = _not_a_notebook(p)
        if why:
            ap.error(f"{p} is not a notebook ({why}): give a path such as notebooks/02_minimax_objective.py")
    # where the results go, checked before the notebooks run (minutes each), not after
    from gan_utils import checkpoint, precomputed
    for flag, path, folder in (("--record", args.record, False), ("--keep", args.keep, True)):
        if path is None:
            continue
        try:
            checkpoint.check_target(path)       # never inside a checkpoint folder, nor over a run's file
            if folder:
                path.mkdir(parents=True, exist_ok=True)
            elif path.is_dir():
                raise IsADirectoryError(f"{path} is a folder; pass a file name, e.g. {path / 'verify.jsonl'}")
            else:
                with open(path, "a"):
                    pass
        except (OSError, checkpoint.CheckpointError) as e:
            ap.error(f"{flag} {path}: {e}")
    import jax
    results = []
    for offset in args.seed_offset:
        with tempfile.TemporaryDirectory(prefix=f"verify-{offset}-") as tmp:
            nbdir = _scratch(Path(tmp))
            for p in args.notebooks:
                r = verify(p.resolve(), offset, nbdir, args.timeout, keep=args.keep)
                r.update(date=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                         machine=f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at end",
                         jax=jax.__version__)
                results.append(r)
                status = "PASS" if r["passed"] else "FAIL"
                print(f"{status} {r['notebook']} seed offset {offset}: {r['seconds']:.0f} s"
                      + "".join(f"\n    cell {e['cell']}: {e['error']}" for e in r["errors"])
                      + (f"\n    {r['crashed']}" if r["crashed"] else ""), flush=True)
                if args.record:
                    try:                            # on a line of its own, after a last line left unfinished too
                        precomputed.append_row(args.record, r)
                    except (OSError, checkpoint.CheckpointError) as e:   # the result is not lost: it is printed below
                        print(f"could not append to {args.record} ({e}); the result is printed below", flush=True)
    for r in results:
        print(json.dumps(r))
    return 0 if all(r["passed"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
