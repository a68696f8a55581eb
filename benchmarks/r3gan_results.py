"""Notebook 13's precomputed results: the ring and MNIST rows of R3GAN's loss and penalty, shipped with gan_utils.

Reads the rows the two experiments wrote, benchmarks/relativistic_toy.jsonl (notebook 07's ring collapse, 5 seeds,
each loss and penalty; `python benchmarks/relativistic_toy.py`, about 35 minutes on 2 cores) and
benchmarks/r3gan_race.jsonl (MNIST at equal step time, 5 seeds each; the commands are in r3gan_race.py, about 45
minutes of training), with the cost of one step on the machine that ran them (benchmarks/RESULTS.md, 2026-11-28),
and writes them to gan_utils/assets/results/13_r3gan.json, where notebook 13 reads them (on Colab too):

    python benchmarks/r3gan_results.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# ms per step on MNIST, the command line's default networks, batch 64, measured one after the other on the quiet
# 2-core machine of the race (benchmarks/RESULTS.md, "R3GAN's loss and penalty on the course's networks")
COST_MS = {"course": 63.1, "relativistic": 61.5, "relativistic + r1 + r2": 173.9, "r1": 124.4}
COMMAND = ("python benchmarks/relativistic_toy.py; python benchmarks/quality.py --recipe course --steps 3600 "
           "--seeds S and --recipe r3gan --set penalty_weight=G --steps 1300 --seeds S; python "
           "benchmarks/r3gan_race.py /tmp/quality_*; python benchmarks/r3gan_results.py")


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main(argv=None) -> int:
    from gan_utils import precomputed
    ring, race = rows(HERE / "relativistic_toy.jsonl"), rows(HERE / "r3gan_race.jsonl")
    record = {**precomputed.machine_record(), "command": COMMAND,
              "date": min(r["date"] for r in ring).replace(" UTC", "").replace(" ", "T") + ":00+00:00",
              "seconds": round(sum(r["seconds"] for r in ring) + sum(r["train_seconds"] for r in race), 1)}
    path = precomputed.save("13_r3gan", {"ring": ring, "race": race, "cost_ms": COST_MS}, record)
    print(f"{len(ring)} ring rows and {len(race)} MNIST runs written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
