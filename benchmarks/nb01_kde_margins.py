"""The margins of notebook 01's section 8 checks (an implicit model's KDE likelihood), measured over random curves.

``python benchmarks/nb01_kde_margins.py --seeds 0-99`` (from the repository root) runs the code of section 8, taken
from the notebook's own source so that it cannot drift from it, with ``key = jax.random.key(seed)`` in place of the
notebook's key (a new random 1-D -> 2-D generator and new samples per seed). It prints one JSON line per seed with
the on-curve slope of log q against log(1/h) over the three smallest bandwidths (the check asks |slope - 1| < 0.5:
closer to a curve's 1 than to a 2-D density's 0 or a point mass's 2) and the off-curve gap over -d^2/(2h^2) at the
smallest bandwidth (the check asks within 2% of 1), then a summary line with their ranges. Results and dates:
``benchmarks/RESULTS.md``. Not part of the course package.
"""
from __future__ import annotations

import argparse
import json
import math
import os

import jax
import jax.numpy as jnp
import numpy as np

NOTEBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "notebooks",
                        "01_probability_background.py")
# the notebook's tolerances, copied: a change to the check cell must be made here too
SLOPE_TOL, GAP_TOL, LEVEL_TOL = 0.5, 0.005, 0.5
START, END = "key, k1, k2, k3 = jax.random.split(key, 4)", "fig, (ax, bx, cx) = plt.subplots(1, 3"
# the level against its limit is appendix D's (the lecture core keeps section 8's two laws)
LEVEL_START, LEVEL_END = "rho = math.exp(-0.3**2 / 2)", "# Check: at h = 0.001"


def section8(seed: int) -> dict:
    """Section 8 of notebook 01 with its key replaced by ``jax.random.key(seed)``, and appendix D's level: the numbers
    their checks assert on."""
    src = open(NOTEBOOK).read()
    scope = {"jax": jax, "jnp": jnp, "np": np, "math": math, "key": jax.random.key(seed)}
    for start, end in ((START, END), (LEVEL_START, LEVEL_END)):
        a = src.index(start)
        exec(src[a:src.index(end, a)], scope)
    hs, ll_on, ll_off, d = scope["hs"], scope["ll_on"], scope["ll_off"], scope["d_off"]
    return {"seed": seed, "slope_on": round(float(scope["slope_on"]), 4),
            "gap_ratio": round(float((ll_off[-1] - ll_on[-1]) / (-d * d / (2 * hs[-1] ** 2))), 5),
            "level_gap": round(float(scope["level_gap"]), 4), "d_off": round(d, 4),
            "ll_off_last": round(float(ll_off[-1]), 1),
            "monotone": bool(np.all(np.diff(ll_off) < 0) and np.all(np.diff(ll_on) > 0))}


def _seeds(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0-99", help="a range such as 0-99 (default: 100 random curves)")
    rows = [section8(s) for s in _seeds(parser.parse_args(argv).seeds)]
    for row in rows:
        print(json.dumps(row))
    slopes, ratios = [r["slope_on"] for r in rows], [r["gap_ratio"] for r in rows]
    levels = sorted(abs(r["level_gap"]) for r in rows)
    print(json.dumps({"curves": len(rows), "slope_min": min(slopes), "slope_max": max(slopes),
                      "gap_ratio_min": min(ratios), "gap_ratio_max": max(ratios),
                      "level_gap_abs_median": levels[len(levels) // 2], "level_gap_abs_max": levels[-1],
                      "checks_pass": sum(abs(r["slope_on"] - 1) < SLOPE_TOL and abs(r["gap_ratio"] - 1) < GAP_TOL
                                         and abs(r["level_gap"]) < LEVEL_TOL and r["ll_off_last"] < -1000
                                         and r["monotone"] for r in rows)}))


if __name__ == "__main__":
    main()
