"""The relativistic pairing loss and R1 / R2 on small problems: the Dirac-GAN and notebook 07's collapse on the ring.

    python benchmarks/relativistic_toy.py                 # both parts; rows appended to relativistic_toy.jsonl
    python benchmarks/relativistic_toy.py --dirac-only    # the Dirac-GAN alone (instant)

1. The Dirac-GAN (Mescheder et al. 2018): the data is the point 0, G puts all its mass on theta, D's logit is
   psi * x. With one real and one fake point, the relativistic loss softplus(l(fake) - l(real)) = softplus(psi theta)
   is the cross-entropy's D loss up to a constant, and G's relativistic loss softplus(l(real) - l(fake)) is the
   non-saturating one: the two games are the same game. The gradient of psi * x with respect to x is psi everywhere,
   so R1 and R2 are both gamma/2 psi^2 and R1 + R2 is twice that. The script runs alternating gradient steps (D, then
   G on the updated D, as the course's step) from (theta, psi) = (1, 1) and prints the distance to the equilibrium
   (0, 0) after each number of steps, and the eigenvalues of the linearised simultaneous dynamics at (0, 0).
2. Notebook 07's ring with its recipe and one change, G's learning rate x 5 (1.5e-2), which drops modes (notebook 07,
   section 2), 5 seeds each trained at once (`playground.train_seeds`, 6,000 steps of which the last 2,000 annealed):
   the standard loss and the relativistic loss, each with no penalty, R1, R2 or R1 + R2 (gamma 10, the course's
   default). Modes covered (of 8) and the high-quality fraction of 2,500 samples per seed.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "relativistic_toy.jsonl"
RECIPE = dict(g_layers=3, g_width=128, d_layers=3, d_width=128, g_lr=3e-3, d_lr=1e-3)   # notebook 07's
COLLAPSE = dict(g_lr=1.5e-2)                                                          # its section 2's x 5
SETTINGS = {f"{loss} + {pen}": dict(loss=loss, penalty=pen)
            for loss in ("non_saturating", "relativistic") for pen in ("none", "r1", "r2", "r1+r2")}


def dirac(penalty: str, gamma: float = 1.0, lr: float = 0.1, steps=(100, 1000, 5000)) -> dict:
    """Alternating gradient steps on the Dirac-GAN from (theta, psi) = (1, 1); the distance to (0, 0) after each of
    ``steps``. One function for both losses: on this game they coincide (module docstring)."""
    sig = lambda t: 1.0 / (1.0 + np.exp(-t))                               # noqa: E731
    n = {"none": 0, "r1": 1, "r2": 1, "r1+r2": 2}[penalty]                 # how many gamma/2 psi^2 terms
    theta, psi, out = 1.0, 1.0, {}
    for s in range(1, max(steps) + 1):
        psi -= lr * (sig(psi * theta) * theta + n * gamma * psi)          # D: d/dpsi softplus(psi theta) + penalty
        theta -= lr * (-sig(-psi * theta) * psi)                          # G: d/dtheta softplus(-psi theta)
        if s in steps:
            out[s] = float(np.hypot(theta, psi))
    # the simultaneous gradient field near (0, 0): d(theta)/dt = psi/2, d(psi)/dt = -theta/2 - n gamma psi
    eig = np.linalg.eigvals(np.array([[0.0, 0.5], [-0.5, -n * gamma]]))
    return {"distance": out, "eigenvalues": [[float(e.real), float(e.imag)] for e in eig]}


def ring(settings: dict, seeds=range(5)) -> list[dict]:
    from gan_utils import playground
    rows = []
    for name, change in settings.items():
        t0 = time.time()
        config = playground.PlaygroundConfig(data="ring", seed=0, **{**RECIPE, **COLLAPSE, **change})
        runs = playground.train_seeds(config, list(seeds), 6000, anneal=2000)
        rows.append({"setting": name, **change, "g_lr": COLLAPSE["g_lr"], "seeds": list(seeds),
                     "modes": [int(r["modes_covered"]) for r in runs],
                     "high_quality": [round(float(r["high_quality_fraction"]), 4) for r in runs],
                     "seconds": round(time.time() - t0, 1), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())})
        r = rows[-1]
        print(f"{name:28s} modes {r['modes']} (mean {np.mean(r['modes']):.1f})  high quality "
              f"{np.round(100 * np.array(r['high_quality']), 1).tolist()}  {r['seconds']:.0f} s", flush=True)
        with open(OUT, "a") as f:
            f.write(json.dumps(r) + "\n")
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dirac-only", action="store_true")
    p.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS))
    args = p.parse_args(argv)
    for pen in ("none", "r1", "r2", "r1+r2"):
        d = dirac(pen)
        print(f"Dirac-GAN, {pen:6s}: distance to (0, 0) " + ", ".join(f"{v:.3g} after {s}" for s, v in
                                                                     d["distance"].items())
              + "; eigenvalues " + ", ".join(f"{re:+.3f}{im:+.3f}i" for re, im in d["eigenvalues"]))
    if not args.dirac_only:
        ring({k: SETTINGS[k] for k in args.settings})
    return 0


if __name__ == "__main__":
    sys.exit(main())
