"""A search for a recipe that solves notebook 07's 25-mode grid (issue #26's target: >= 24 modes covered and >= 90%
high-quality samples in every one of 5 seeds).

``python benchmarks/grid_search.py --seeds 0 1`` (from the repository root) trains each variant below with
``gan_utils.playground.train_seeds`` exactly as notebook 07's table does (the grid, the recipe of section 2 with one
or more changes, 2,500 samples per run scored by ``metrics.toy_mode_metrics``: a mode is covered by >= 10 samples, a
sample is high quality within 3 standard deviations of its nearest mode) and prints one JSON line per variant.
``--only NAME ...`` runs some of them; ``--seeds 0 1 2 3 4`` is the target's check. Results and dates:
``benchmarks/RESULTS.md``. Not part of the course package.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from gan_utils import playground

RECIPE = dict(g_layers=3, g_width=128, d_layers=3, d_width=128, g_lr=3e-3, d_lr=1e-3)   # notebook 07's RECIPE
# name: (changes to the recipe, steps, annealed steps at a tenth of both learning rates)
VARIANTS = {
    "hinge (07's row)": (dict(loss="hinge"), 6000, 2000),
    "hinge, 12,000 steps, half annealed": (dict(loss="hinge"), 12000, 6000),
    "hinge, G weight average 0.999": (dict(loss="hinge", ema=0.999), 6000, 2000),
    "hinge, 4 x 256": (dict(loss="hinge", g_layers=4, g_width=256, d_layers=4, d_width=256), 6000, 2000),
    "hinge, 8-D noise": (dict(loss="hinge", noise="gaussian_8d"), 6000, 2000),
    "hinge, batch 512": (dict(loss="hinge", batch_size=512), 6000, 2000),
    "LSGAN, 4 x 256": (dict(loss="lsgan", g_layers=4, g_width=256, d_layers=4, d_width=256), 6000, 2000),
    "hinge, 4 x 256, 12,000 steps, half annealed": (
        dict(loss="hinge", g_layers=4, g_width=256, d_layers=4, d_width=256), 12000, 6000),
    # after the first screening (two seeds): the longer annealed schedule was the change that helped; is it the loss?
    "hinge, 20,000 steps, half annealed": (dict(loss="hinge"), 20000, 10000),
    "LSGAN, 12,000 steps, half annealed": (dict(loss="lsgan"), 12000, 6000),
    "GAN (non-saturating), 12,000 steps, half annealed": ({}, 12000, 6000),
    "hinge, 12,000 steps, 2,000 annealed": (dict(loss="hinge"), 12000, 2000),
    # with the one toy engine (issue #27: the playground on the course's step), where 12,000 half annealed met the
    # target in 3 of 5 seeds: does a longer schedule, or LSGAN's, hold in every seed?
    "LSGAN, 20,000 steps, half annealed": (dict(loss="lsgan"), 20000, 10000),
    "GAN (non-saturating), 20,000 steps, half annealed": ({}, 20000, 10000),
}


def run(name: str, seeds: list[int], steps: int | None = None) -> dict:
    """One variant on the grid, every seed at once; per-seed modes covered and high-quality fraction. ``steps``
    overrides the variant's (its annealed share kept)."""
    change, full, anneal = VARIANTS[name]
    steps, anneal = (full, anneal) if steps is None else (steps, steps * anneal // full)
    t0 = time.perf_counter()
    config = playground.PlaygroundConfig(data="grid", seed=0, **{**RECIPE, **change})
    runs = playground.train_seeds(config, seeds, steps, anneal=anneal)
    modes = [r["modes_covered"] for r in runs]
    hq = [round(r["high_quality_fraction"], 4) for r in runs]
    return {"variant": name, "changes": change, "steps": steps, "anneal": anneal, "seeds": seeds, "modes": modes,
            "high_quality": hq, "mean_high_quality": round(float(np.mean(hq)), 4),
            "meets_target": all(m >= 24 for m in modes) and all(h >= 0.9 for h in hq),
            "seconds": round(time.perf_counter() - t0, 1)}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--only", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    p.add_argument("--steps", type=int, default=None, help="override every variant's steps (a smoke run); anneal "
                                                            "scales with it")
    p.add_argument("--alone", action="store_true", help="train each seed by itself (a batch of one) instead of all "
                                                         "at once: the float order, hence the run, differs")
    a = p.parse_args(argv)
    for name in a.only:
        for seeds in ([[s] for s in a.seeds] if a.alone else [a.seeds]):
            print(json.dumps(run(name, seeds, a.steps)), flush=True)


if __name__ == "__main__":
    main()
