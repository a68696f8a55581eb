"""Notebook 14's race: the style-based generator against the plain DCGAN it replaces, at equal step time.

The runs are `benchmarks/quality.py` runs (each the command line a learner types, then 10,000 samples) with a step
budget each, so that load on the machine changes no result: the plain DCGAN ("plain": `--self-condition 0`) at
3,600 steps and the style generator ("stylegan": `--model stylegan --penalty r1 --penalty-weight 0.01 --b1 0 --b2
0.99`, the same discriminator) at 1,000 steps, as one of its steps cost 3.5 times the DCGAN's on the 2-core CPU (400
steps of each, one after the other: 213 against 60 ms; benchmarks/RESULTS.md, 2026-11-29). The ablation runs
(seed 0, 1,000 steps) take the style recipe without R1, with the course's Adam moments, or with neither. The runs
of 2026-11-29:

    python benchmarks/quality.py --recipe plain --steps 3600 --seeds S       # S = 0 ... 4
    python benchmarks/quality.py --recipe stylegan --steps 1000 --seeds S
    python benchmarks/quality.py --recipe stylegan --set penalty=none --set penalty_weight=None --steps 1000 --seeds 0
    python benchmarks/quality.py --recipe stylegan --set b1=0.5 --set b2=0.999 --steps 1000 --seeds 0
    python benchmarks/quality.py --recipe stylegan --set penalty=none --set penalty_weight=None --set b1=0.5 \
        --set b2=0.999 --steps 1000 --seeds 0

which leave each run's folder in the temporary directory. This script reads those folders and writes one row per run
to benchmarks/style_race.jsonl (the same fields as r3gan_race.py's rows, the recipe named from the run's config):

    python benchmarks/style_race.py /tmp/quality_plain_* /tmp/quality_stylegan_*
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "style_race.jsonl"


def label(config: dict) -> str:
    """The recipe of a run from its stored config: plain, stylegan, or the style recipe less what it dropped."""
    if config.get("model") != "stylegan":
        return "plain"
    changed = []
    if config["penalty"] != "r1":
        changed.append("no R1" if config["penalty"] == "none" else f"{config['penalty']} in place of R1")
    if config["b1"] != 0.0:
        changed.append("Adam b1 0.5, b2 0.999")
    return ", ".join(["stylegan", *changed])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", type=Path, help="run folders of benchmarks/quality.py")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    missing = [str(r) for r in args.runs if not (r / "samples_quality.npz").exists()]
    if missing:
        p.error(f"not a finished quality.py run (no samples_quality.npz): {', '.join(missing)}")
    sys.path.insert(0, str(HERE))
    from r3gan_race import summarise          # the same scores, computed the same way
    from gan_utils import metrics
    reference = metrics.classifier_outputs(metrics.load_images("mnist-test"))
    rows = []
    for run in sorted(args.runs, key=lambda r: r.stat().st_mtime):
        config = json.loads((run / "checkpoint" / "meta.json").read_text())["config"]
        rows.append({**summarise(run, reference), "recipe": label(config), "model": config.get("model", "dcgan"),
                     "b1": config["b1"], "b2": config["b2"]})
    with open(args.out, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    for r in rows:
        print(f"{r['recipe']:30s} seed {r['seed']} {r['steps']:>5,} steps {r['train_seconds']:>6.1f} s  "
              f"FID {r['fid']:6.2f}  P {r['precision']:.2f} R {r['recall']:.2f}  digits {r['digits_covered']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
