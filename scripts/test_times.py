"""Record a full test run's times in tests/test_times.json, which orders and marks the next runs (conftest.py).

    ./course.sh test                   # a full run writes _build/test-times/tests.jsonl
    .venv/bin/python scripts/test_times.py [--log _build/test-times/tests.jsonl] [--note "quiet 2-core AMD EPYC"]

The record holds each file's seconds (the sum of its tests, fixtures included) and every test of at least 3 s outside
the notebooks (those are `slow`; the notebooks and browser tests are `slow` whatever their time). Commit it with
the change that moved the times.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "_build" / "test-times" / "tests.jsonl"
TIMES = ROOT / "tests" / "test_times.json"
SLOW_SECONDS = 3.0


def file_of(nodeid: str) -> str:
    """The file of a test id (a notebook's cells, a test module's tests)."""
    return nodeid.split("::", 1)[0]


def summarise(rows: list[dict]) -> dict:
    """{file: seconds}, {slow test: seconds} and the run's span, from the lines of tests.jsonl."""
    if not rows:
        raise ValueError("no tests in the log: run the full suite first (./course.sh test)")
    files: dict[str, float] = {}
    slow: dict[str, float] = {}
    for r in rows:
        f = file_of(r["test"])
        files[f] = round(files.get(f, 0) + r["s"], 1)
        if r["s"] >= SLOW_SECONDS and not f.endswith(".ipynb"):
            slow[r["test"]] = r["s"]
    span = max(r["start"] + r["s"] for r in rows) - min(r["start"] for r in rows)
    return {"files": dict(sorted(files.items(), key=lambda kv: -kv[1])), "slow_tests": dict(sorted(slow.items())),
            "tests": len(rows), "test_seconds": round(sum(files.values())), "span_seconds": round(span)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--log", type=Path, default=LOG, help=f"the run's log (default {LOG.relative_to(ROOT)})")
    ap.add_argument("--note", default="", help="the machine and its load, said in the record")
    args = ap.parse_args(argv)
    try:
        rows = [json.loads(line) for line in args.log.read_text().splitlines() if line.strip()]
        record = summarise(rows)
    except (OSError, ValueError, KeyError) as e:
        ap.error(f"--log {args.log}: {e}")
    try:   # how fast the machine was at the run's start (conftest.py's machine_seconds): the budget's unit
        machine = json.loads((args.log.parent / "machine.json").read_text())["machine_seconds"]
    except (OSError, ValueError, KeyError):
        ap.error(f"no machine.json beside {args.log}: the log must come from a full run of this version's conftest.py")
    record = {"recorded": _dt.date.today().isoformat(), "note": args.note, "machine_seconds": round(machine, 4),
              **record}
    TIMES.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    print(f"{TIMES.relative_to(ROOT)}: {record['tests']} tests, {len(record['files'])} files, "
          f"{record['test_seconds'] / 60:.1f} min of test time, {record['span_seconds'] / 60:.1f} min from first to "
          f"last test")
    return 0


if __name__ == "__main__":
    sys.exit(main())
