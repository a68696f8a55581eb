"""Notebook 14's precomputed results, shipped with gan_utils (gan_utils/assets/results/14_*.json):

* ``14_little_data``: the little-data study (benchmarks/little_data.jsonl: the plain DCGAN on 600 digits, 6,000
  steps, 5 seeds each of no augmentation, DiffAugment and ADA; about 95 minutes on 2 cores), its 8,000-step pilots
  (little_data_pilots.jsonl) and one rerun of the no-augmentation run, seed 0, that also kept the samples nearest a
  training digit (little_data_nearest.jsonl);
* ``14_style_race``: the style generator against the plain DCGAN at equal step time, and the ablation of the style
  recipe (benchmarks/style_race.jsonl; the commands are in style_race.py), with the cost of a step of each.

    python benchmarks/little_data_results.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# ms per step on MNIST, batch 64, 400 steps of each twice, one after the other, on the 2-core machine of the race
# (benchmarks/RESULTS.md, 2026-11-29): the plain DCGAN and the style generator with its recipe (R1 every step)
COST_MS = {"plain": 60.0, "stylegan": 212.8}
STUDY = ("python benchmarks/little_data.py --augment none diffaugment ada --seeds 0 1 2 3 4 --steps 6000 --every 500; "
         "python benchmarks/little_data.py --augment none --seeds 0 --steps 6000 --every 500 --out "
         "benchmarks/little_data_nearest.jsonl")
RACE = ("python benchmarks/quality.py --recipe plain --steps 3600 --seeds S; python benchmarks/quality.py --recipe "
        "stylegan --steps 1000 --seeds S; python benchmarks/style_race.py /tmp/quality_*")


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def stamp(rows_: list[dict]) -> str:
    return min(r["date"] for r in rows_).replace(" UTC", "").replace(" ", "T") + ":00+00:00"


def main(argv=None) -> int:
    from gan_utils import precomputed
    study, pilots = rows(HERE / "little_data.jsonl"), rows(HERE / "little_data_pilots.jsonl")
    nearest = rows(HERE / "little_data_nearest.jsonl")[-1]
    for r in study + pilots:            # the figures use the nearest rerun's pictures; keep the file small
        r.pop("shown", None), r.pop("nearest", None)
    record = {**precomputed.machine_record(), "command": STUDY, "date": stamp(study),
              "seconds": round(sum(r["train_seconds"] for r in study + [nearest]), 1)}
    path = precomputed.save("14_little_data", {"study": study, "pilots": pilots, "nearest": nearest}, record)
    print(f"{len(study)} study runs, {len(pilots)} pilots and the nearest rerun written to {path}")
    if not (HERE / "style_race.jsonl").exists():
        print("no benchmarks/style_race.jsonl yet: run the race (style_race.py says how), then this script again")
        return 1
    race = rows(HERE / "style_race.jsonl")
    main_runs = [r for r in race if r["recipe"] in ("plain", "stylegan")]
    ablation = [r for r in race if r["recipe"] not in ("plain", "stylegan")]
    record = {**precomputed.machine_record(), "command": RACE, "date": stamp([{"date": r["summarised"]} for r in race]),
              "seconds": round(sum(r["train_seconds"] for r in race), 1)}
    path = precomputed.save("14_style_race", {"race": main_runs, "ablation": ablation, "cost_ms": COST_MS}, record)
    print(f"{len(main_runs)} race runs and {len(ablation)} ablation runs written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
