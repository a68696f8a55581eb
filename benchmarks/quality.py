"""Quality per CPU-minute: train a named recipe exactly as a learner would, score 10,000 samples, keep a row.

    python benchmarks/quality.py --list
    python benchmarks/quality.py --recipe course --minutes 5                  # one run, wall-clock budget
    python benchmarks/quality.py --recipe course --steps 2000 --seeds 0 1 2   # step budget: noise-free comparisons
    python benchmarks/quality.py --recipe course --set lr=5e-4 --set ema=0.999 --minutes 5   # an ad-hoc variant

Each run is the command line a learner uses: ``python -m gan_utils train --out DIR --minutes M`` (or ``--steps``)
with the recipe's options as flags, then ``python -m gan_utils sample --checkpoint DIR --n 10000``, so compile
time, data loading and everything else a learner waits for is inside the budget. The samples are scored with the
course's own metrics (``gan_utils.metrics.evaluate`` against the 10,000 MNIST test digits): MNIST-FID, the mean
classifier confidence, the share of the most and least drawn digit, precision and recall. Every run appends one
row to ``benchmarks/quality_results.md`` (and the full record to ``quality_results.jsonl``) with the recipe, the
budget, the steps reached, the machine, its load and the date.

Timings are only comparable on a quiet machine: the script prints the load average before and after each run
and records it. Compare recipes at equal wall-clock budgets (what a learner has) and, where the difference is
small, over several seeds.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS_MD = HERE / "quality_results.md"
RESULTS_JSONL = HERE / "quality_results.jsonl"

# Named recipes: GANConfig fields that differ from the command line's defaults (gan_utils.config.GANConfig).
# Each is a hypothesis from the literature; the search table in RESULTS.md says which ones won per minute.
FULL_WIDTH = {"g_base": 128, "d_base": 64}   # notebook 03's and 04's networks, the defaults before the search
PLAIN = {"self_condition": 0}   # the plain DCGAN: every recipe of the first two searches
#                                 (before `train` self-conditioned)

RECIPES: dict[str, dict] = {
    "course": {},                                        # the command line's defaults: since 2026-11-24 the
    #                                                      self-conditioned GAN (40 clusters);
    #                                                      rows before name the plain
    "plain": PLAIN,                                      # the second search's winner, the plain half-width DCGAN
    "selfcond10": {"self_condition": 10},                # self-conditioned on 10 clusters (lost to 20 and 40)
    "selfcond20": {"self_condition": 20},                # self-conditioned on 20 clusters (lost to 40)
    # the recipe before the search (the DCGAN paper's Adam 2e-4, the full-width networks); rows of
    # quality_results.md dated before 2026-11-22 04:40 UTC name it "course"
    "dcgan_paper": {"lr": 2e-4, **FULL_WIDTH, **PLAIN},
    "lr5e-4": {"lr": 5e-4, **FULL_WIDTH, **PLAIN},                # notebook 05's live run before the search
    "ema": {"lr": 5e-4, **FULL_WIDTH, "ema": 0.995, **PLAIN},     # average of G's weights; window ~200 steps
    "hinge": {"lr": 5e-4, **FULL_WIDTH, "loss": "hinge", **PLAIN},  # hinge loss (Lim & Ye 2017)
    "extra": {"lr": 5e-4, **FULL_WIDTH, "g_extra": 1, **PLAIN},   # a 3x3 conv stage at 28x28 in G
    "ttur": {"lr": 2.5e-4, "d_lr": 1e-3, **FULL_WIDTH, **PLAIN},  # two time-scales: D 4x faster (Heusel et al. 2017)
    "wide_d": {"lr": 5e-4, **FULL_WIDTH, "d_base": 96, **PLAIN},  # a wider discriminator (1.5x channels)
    "batch128": {"lr": 1e-3, **FULL_WIDTH, "batch_size": 128, **PLAIN},  # fewer, better-informed updates
    "small": {"lr": 5e-4, "g_base": 64, "d_base": 32, **PLAIN},   # half-width networks: 2.4x the steps per minute
    # R3GAN's loss and penalty on the course's networks (Huang et al. 2024): each real paired with a fake, R1 + R2
    # with one gamma (--set penalty_weight=G); 2.8x the course's cost per step on the 2-core CPU (RESULTS.md)
    "r3gan": {"loss": "relativistic", "penalty": "r1+r2"},
    # notebook 14's style-based generator (gan_utils.stylegan: mapping network, learnt constant, modulated
    # convolutions, noise, style mixing) against the plain DCGAN it replaces, same discriminator; with the course's
    # Adam and no penalty it drew one shape for every z, with R1 and StyleGAN2's Adam moments it trained (RESULTS.md)
    "stylegan": {"model": "stylegan", "penalty": "r1", "penalty_weight": 0.01, "b1": 0.0, "b2": 0.99, **PLAIN},
}

HEADER = ("| date | machine | load | recipe | options | budget | steps | img/s | MNIST-FID | confidence "
          "| digits min-max % | precision | recall |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")


def machine() -> str:
    from bench import machine_info   # the speed benchmark's description of the machine
    info = machine_info()
    return f"{info['cpu']}, {info['cores']} cores"


def load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def parse_value(text: str):
    """'5e-4' -> 0.0005, '3' -> 3, 'hinge' -> 'hinge', '64,32' -> [64, 32], 'None' -> None (a field's default
    of None, e.g. penalty_weight; 'none' stays the word, a choice of penalty)."""
    if text == "None":
        return None
    if "," in text:
        return [parse_value(t) for t in text.split(",")]
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def cli_flags(options: dict) -> list[str]:
    """GANConfig fields as ``python -m gan_utils train`` flags (``d_lr`` -> ``--d-lr``); a field set to None is left
    to the command line's default (None)."""
    flags = []
    for k, v in options.items():
        if v is None:
            continue
        flags += [f"--{k.replace('_', '-')}", ",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)]
    return flags


def run_one(recipe: str, options: dict, *, seed: int, minutes: float | None, steps: int | None,
            n_samples: int, keep: Path | None = None) -> dict:
    """Trains, samples and scores one run; returns its record."""
    from gan_utils import metrics

    out = keep or Path(tempfile.mkdtemp(prefix=f"quality_{recipe}_"))
    budget = ["--minutes", str(minutes)] if minutes is not None else ["--steps", str(steps)]
    cmd = [sys.executable, "-m", "gan_utils", "train", "--dataset", "mnist", *budget, "--out", str(out),
           "--seed", str(seed), "--quiet", "--sample-every", "1000000", *cli_flags(options)]
    load_before, t0 = load(), time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    if r.returncode:
        raise RuntimeError(f"training failed ({' '.join(cmd)}):\n{r.stderr[-2000:]}")
    summary = json.loads(next(l for l in reversed(r.stdout.splitlines()) if l.startswith("{")))
    npz = out / "samples_quality.npz"
    r = subprocess.run([sys.executable, "-m", "gan_utils", "sample", "--checkpoint", str(out), "--n",
                        str(n_samples), "--seed", str(seed + 1000), "--out", str(npz)], capture_output=True,
                       text=True, cwd=REPO)
    if r.returncode:
        raise RuntimeError(f"sampling failed:\n{r.stderr[-2000:]}")
    scores = metrics.evaluate(str(npz))["samples"]
    hist = scores["class_histogram"]
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(),
            "load_before": round(load_before, 2), "load_after": round(load(), 2), "recipe": recipe,
            "options": options, "seed": seed, "budget": f"{minutes} min" if minutes is not None else f"{steps} steps",
            "steps": summary["step"], "train_seconds": summary["seconds"],
            "images_per_second": summary["images_per_second"], "wall_seconds": round(time.time() - t0, 1),
            "fid": scores["fid"], "mean_confidence": scores["mean_confidence"],
            "min_share": round(min(hist) / sum(hist), 4), "max_share": round(max(hist) / sum(hist), 4),
            "digits_covered": scores["digits_covered"], "precision": scores["precision"],
            "recall": scores["recall"], "inception_score": scores["inception_score"], "class_histogram": hist,
            "out": str(out) if keep else None}


def append(rec: dict) -> None:
    """Appends a record to the jsonl file and a row to the markdown table (header written once)."""
    from gan_utils import precomputed
    precomputed.append_row(RESULTS_JSONL, rec)
    opts = ", ".join(f"{k}={v}" for k, v in rec["options"].items()) or "defaults"
    row = (f"| {rec['date']} | {rec['machine']} | {rec['load_before']}-{rec['load_after']} | {rec['recipe']} "
           f"(seed {rec['seed']}) | {opts} | {rec['budget']} | {rec['steps']:,} | {rec['images_per_second']:.0f} "
           f"| **{rec['fid']:.1f}** | {rec['mean_confidence']:.3f} | {100 * rec['min_share']:.1f}-"
           f"{100 * rec['max_share']:.1f} | {rec['precision']:.2f} | {rec['recall']:.2f} |\n")
    new = not RESULTS_MD.exists()
    with open(RESULTS_MD, "a") as f:
        if new:
            f.write("# Quality per CPU-minute: every run of `benchmarks/quality.py`\n\n"
                    "MNIST-FID of 10,000 samples against the 10,000 MNIST test digits with the course's classifier "
                    "(real training digits: 0.77). Rows are appended by the script; the summary and what it means "
                    "are in RESULTS.md.\n\n" + HEADER)
        f.write(row)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--list", action="store_true", help="print the named recipes and exit")
    p.add_argument("--recipe", default="course", help="a name from --list")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="override a GANConfig field of the recipe (repeatable), e.g. --set lr=5e-4")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, help="wall-clock budget per run, compile included")
    budget.add_argument("--steps", type=int, help="or a step budget (comparisons free of machine noise)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0], help="one run per seed")
    p.add_argument("--n-samples", type=int, default=10_000, help="samples scored per run")
    p.add_argument("--keep", help="keep the run folder here (e.g. to export the generator); one seed only")
    p.add_argument("--no-append", action="store_true", help="print the record, do not add it to the tables")
    args = p.parse_args(argv)
    if args.list:
        for name, opts in RECIPES.items():
            print(f"{name:12s} {opts or '(the command line defaults)'}")
        return 0
    if args.recipe not in RECIPES:
        p.error(f"unknown recipe {args.recipe!r}; --list shows them")
    if args.minutes is None and args.steps is None:
        p.error("give a budget: --minutes M or --steps N")
    if args.keep and len(args.seeds) > 1:
        p.error("--keep takes one seed")
    if args.keep:   # the run folder kept, checked before the training (train checks it again): one line, no traceback
        from gan_utils import checkpoint
        try:
            checkpoint.check_target(Path(args.keep))
            checkpoint.check_target(Path(args.keep) / checkpoint.RUN_SUBDIR, checkpoint_folder=True)
        except checkpoint.CheckpointError as e:
            p.exit(2, f"{p.prog}: error: {e}\n")
    options = dict(RECIPES[args.recipe])
    for s in args.set:
        k, _, v = s.partition("=")
        if not v:
            p.error(f"--set expects FIELD=VALUE, got {s!r}")
        options[k] = parse_value(v)
    from gan_utils import config
    config.GANConfig(**options)   # fail fast, with GANConfig's message, on a misspelt field or a bad value
    shared = REPO.parent / "shared" / "data" / "mnist"   # the offline copy beside the repository, as in CI
    if "GAN_UTILS_MNIST_DIR" not in os.environ and shared.is_dir():
        os.environ["GAN_UTILS_MNIST_DIR"] = str(shared)
    for seed in args.seeds:
        print(f"== {args.recipe} {options} seed {seed}: load {load():.2f}", flush=True)
        rec = run_one(args.recipe, options, seed=seed, minutes=args.minutes, steps=args.steps,
                      n_samples=args.n_samples, keep=Path(args.keep) if args.keep else None)
        print(json.dumps({k: v for k, v in rec.items() if k != "class_histogram"}), flush=True)
        if not args.no_append:
            append(rec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
