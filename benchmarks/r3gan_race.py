"""R3GAN's loss and penalty against the course's recipe on MNIST, at equal step time: the table of the runs.

The runs are `benchmarks/quality.py` runs (each the command line a learner types, then 10,000 samples), with a step
budget each so that load on the machine changes no result: the course's recipe ("course") at 3,600 steps and R3GAN's
loss and penalty on the same networks ("r3gan": --loss relativistic --penalty r1+r2) at 1,300 steps, 2.8 times fewer,
as one of its steps costs 2.8 times the course's on the 2-core CPU (benchmarks/RESULTS.md, 2026-11-28). Its gamma was
picked first on seed 0 from 0.1, 1 and 10. The runs of 2026-11-28 were made with

    python benchmarks/quality.py --recipe r3gan --set penalty_weight=G --steps 1300 --seeds 0   # G = 0.1, 1, 10
    python benchmarks/quality.py --recipe course --steps 3600 --seeds S                          # S = 0 ... 4
    python benchmarks/quality.py --recipe r3gan --set penalty_weight=G --steps 1300 --seeds S    # the chosen G

which leave each run's folder (checkpoint, samples_quality.npz) in the temporary directory. This script reads those
folders and writes one row per run to benchmarks/r3gan_race.jsonl: the recipe from the run's own config, its steps
and training seconds, and the scores of its 10,000 samples against the 10,000 MNIST test digits in the course
classifier's features: FID, KID (Binkowski et al. 2018, the unbiased estimate, mean and spread over 100 subsets of
1,000; `metrics.kid_from_features`), precision, recall and the digit shares.

    python benchmarks/r3gan_race.py /tmp/quality_course_* /tmp/quality_r3gan_*
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "r3gan_race.jsonl"


def summarise(run: Path, reference: tuple) -> dict:
    """One run folder of quality.py -> its row (recipe from its stored config, scores of its kept samples)."""
    from gan_utils import metrics
    meta = json.loads((run / "checkpoint" / "meta.json").read_text())
    c = meta["config"]
    train = json.loads((run / "metrics.json").read_text())["summary"]
    samples = np.load(run / "samples_quality.npz")["samples"]
    out = metrics.classifier_outputs(samples)
    scores = metrics.image_metrics(out, reference)
    kid, kid_sd = metrics.kid_from_features(out[0], reference[0])
    hist = np.asarray(scores["class_histogram"])
    return {"run": run.name, "recipe": "r3gan" if c["loss"] == "relativistic" else "course", "seed": c["seed"],
            "loss": c["loss"], "penalty": c["penalty"], "penalty_weight": c["penalty_weight"], "steps": meta["step"],
            "train_seconds": train.get("seconds"), "compile_seconds": train.get("compile_seconds"),
            "n": len(samples), "fid": scores["fid"], "kid": round(kid, 6), "kid_sd": round(kid_sd, 6),
            "precision": scores["precision"], "recall": scores["recall"],
            "mean_confidence": scores["mean_confidence"], "digits_covered": scores["digits_covered"],
            "min_share": round(float(hist.min() / hist.sum()), 4),
            "max_share": round(float(hist.max() / hist.sum()), 4),
            "summarised": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", type=Path, help="run folders of benchmarks/quality.py")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    missing = [str(r) for r in args.runs if not (r / "samples_quality.npz").exists()]
    if missing:
        p.error(f"not a finished quality.py run (no samples_quality.npz): {', '.join(missing)}")
    from gan_utils import metrics
    reference = metrics.classifier_outputs(metrics.load_images("mnist-test"))
    rows = [summarise(r, reference) for r in sorted(args.runs, key=lambda r: r.stat().st_mtime)]
    with open(args.out, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    for r in rows:
        print(f"{r['recipe']:7s} seed {r['seed']} gamma {r['penalty_weight']} {r['steps']:>5,} steps "
              f"{r['train_seconds']:>6.1f} s  FID {r['fid']:6.2f}  KID {r['kid']:6.3f} +- {r['kid_sd']:.3f}  "
              f"P {r['precision']:.2f} R {r['recall']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
