"""The test run's time: where its minutes go, in what order the work is handed out, and the budget it must keep.

- Every test's start, end and worker go to _build/test-times/tests.jsonl (one run's; CI's fresh clone keeps it).
- tests/test_times.json records a full run's seconds per file (and the tests over 3 s): the files are handed to the
  two workers longest first, so that no long file starts last while the other worker sits idle (with
  ``--dist loadfile --no-loadscope-reorder``, as ./course.sh test runs them); every notebook, every browser test,
  every test of the built website and every recorded test over 3 s is marked ``slow`` (``./course.sh test -m "not
  slow"``: the quick subset).
- A full run (no paths, no -m, -k or --deselect) fails when its wall time passes ``test_budget_minutes``
  (pyproject.toml), after printing where the minutes went. The budget is in minutes of the machine that made the
  record; a machine measured slower at the run's start (machine_seconds) gets it scaled up, never down.
  ``python scripts/test_times.py`` refreshes the record.
"""
import json
import os
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


def _load_test_times():
    """scripts/test_times.py (not a package): the record's format, read here and written there."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("test_times", ROOT / "scripts" / "test_times.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


test_times = _load_test_times()
_LOG, TIMES, _file = test_times.LOG, test_times.TIMES, test_times.file_of
UNKNOWN_FILE_SECONDS = 30  # where a file the record does not know yet goes in the order (a new file is rarely tiny)


def pytest_addoption(parser):
    parser.addini("test_budget_minutes", "a full run's wall-time budget, in minutes (conftest.py)", default="25")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a notebook, a browser test, a test of the built website or a test "
                            "that took over 3 s in the recorded run (tests/test_times.json); the quick subset: "
                            "-m 'not slow'")
    config._gan_start = time.time()


def _record() -> dict:
    try:
        return json.loads(TIMES.read_text())
    except (OSError, ValueError):
        return {"files": {}, "slow_tests": {}}


def pytest_collection_modifyitems(config, items):
    record = _record()
    files, slow = record.get("files", {}), record.get("slow_tests", {})
    for item in items:
        if (_file(item.nodeid).endswith(".ipynb") or item.get_closest_marker("browser")
                or "book" in getattr(item, "fixturenames", ())      # the site's build, whichever test asks first
                or slow.get(item.nodeid, 0) >= test_times.SLOW_SECONDS):
            item.add_marker(pytest.mark.slow)
    # Longest file first (a stable sort: each file's tests keep their order, as nbval needs).
    first = {}
    for i, item in enumerate(items):
        first.setdefault(_file(item.nodeid), i)
    items.sort(key=lambda it: (-files.get(_file(it.nodeid), UNKNOWN_FILE_SECONDS), first[_file(it.nodeid)]))


def machine_seconds() -> float:
    """Seconds this machine takes now for a fixed piece of work (numpy's matrix products and a Python loop), the best
    of 3: about 0.1 s on the 2-core machine of the record, twice that with both cores busy."""
    import math

    import numpy as np
    a0 = np.random.default_rng(0).standard_normal((256, 256))
    best = math.inf
    for _ in range(3):
        t = time.perf_counter()
        a = a0
        for _ in range(120):
            a = np.tanh(a @ a / 16)
        s = 0
        for i in range(1_600_000):
            s += i % 7
        best = min(best, time.perf_counter() - t)
    return best


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """A run starts its own record (in the main process only, before xdist starts its workers); a full run also
    records how fast this machine is right now (the budget scales with it: budget_verdict)."""
    if not hasattr(session.config, "workerinput"):
        for old in [*_LOG.parent.glob("*.jsonl"), _LOG.parent / "machine.json"]:
            old.unlink(missing_ok=True)
        if not is_full_run(session.config):     # the budget and the record are about full runs only
            return
        session.config._gan_machine = machine_seconds()
        _LOG.parent.mkdir(parents=True, exist_ok=True)
        (_LOG.parent / "machine.json").write_text(json.dumps({"machine_seconds": session.config._gan_machine}))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.time()
    yield
    _LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(_LOG, "a") as f:   # one short line per test: appends from both workers do not interleave
        f.write(json.dumps({"test": item.nodeid, "worker": os.environ.get("PYTEST_XDIST_WORKER", "-"),
                            "start": round(start, 1), "s": round(time.time() - start, 1)}) + "\n")


def is_full_run(config) -> bool:
    """Every test of the testpaths, none filtered out: the run the budget is about."""
    from _pytest.config import Config
    o = config.option
    return (getattr(config, "args_source", None) == Config.ArgsSource.TESTPATHS and not o.markexpr
            and not o.keyword and not (getattr(o, "deselect", None) or []) and not getattr(o, "lf", False)
            and not getattr(o, "exitfirst", False) and not o.collectonly)


def read_log(path: Path = _LOG) -> list[dict]:
    try:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except (OSError, ValueError):
        return []


def budget_verdict(wall_s: float, budget_min: float, rows: list[dict], top: int = 8, machine_s: float | None = None,
                   reference_s: float | None = None) -> tuple[bool, str]:
    """(within budget?, the lines that say so): the wall time against the budget, then the slowest files.

    The budget is in minutes of the machine that recorded tests/test_times.json (``reference_s``: its
    machine_seconds()). A machine that is slower now (``machine_s``: a slower CPU, or other work beside the run)
    gets the budget scaled by how much slower; a faster one keeps the budget as it is."""
    per_file = test_times.summarise(rows)["files"] if rows else {}     # longest first
    serial = sum(per_file.values())
    scale = max(1.0, machine_s / reference_s) if machine_s and reference_s else 1.0
    ok = wall_s <= 60 * budget_min * scale
    lines = [f"test time: {wall_s / 60:.1f} min of wall time ({serial / 60:.1f} min of test time over the workers), "
             f"budget {budget_min:g} min" + (f" x {scale:.2f} (this machine is slower now than the record's: "
                                             f"{machine_s:.3f} s against {reference_s:.3f} s of machine_seconds())"
                                             if scale > 1 else "")
             + ": " + ("within it" if ok else "OVER IT, the run fails")]
    lines += [f"  {s:7.1f} s  {f}" for f, s in list(per_file.items())[:top]]
    if not ok:
        lines.append("A new notebook or test pays for its own minutes: make it or another one faster (docs/testing.md"
                     ", 'The time budget'), or raise test_budget_minutes in pyproject.toml with the reason.")
    return ok, "\n".join(lines)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput") or not is_full_run(config):
        return
    ok, config._gan_budget = budget_verdict(time.time() - config._gan_start,
                                            float(config.getini("test_budget_minutes")), read_log(),
                                            machine_s=getattr(config, "_gan_machine", None),
                                            reference_s=_record().get("machine_seconds"))
    if not ok and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if getattr(config, "_gan_budget", None):
        terminalreporter.write_sep("=", "time budget")
        terminalreporter.write_line(config._gan_budget)
