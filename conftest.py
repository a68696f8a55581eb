"""Where a test run's minutes go: every test's start, end and worker, in _build/test-times/tests.jsonl (one run's).

Read after a slow run (CI's fresh clone keeps it): which tests ran beside which, and where a worker waited."""
import json
import os
import time
from pathlib import Path

import pytest

_LOG = Path(__file__).resolve().parent / "_build" / "test-times" / "tests.jsonl"


def pytest_sessionstart(session):
    """A run starts its own record (in the main process only: xdist's workers start after it)."""
    if not hasattr(session.config, "workerinput"):
        for old in _LOG.parent.glob("*.jsonl"):
            old.unlink()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.time()
    yield
    _LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(_LOG, "a") as f:   # one short line per test: appends from both workers do not interleave
        f.write(json.dumps({"test": item.nodeid, "worker": os.environ.get("PYTEST_XDIST_WORKER", "-"),
                            "start": round(start, 1), "s": round(time.time() - start, 1)}) + "\n")
