"""How often the GAN doctor is right: its verdict on runs with known failures against a ground truth from the samples.

    python benchmarks/doctor_accuracy.py                    # every run of RUNS (toy and MNIST), about 12 min on 2 cores
    python benchmarks/doctor_accuracy.py --only toy         # the toy runs only (a few minutes)
    python benchmarks/doctor_accuracy.py --list

Each run trains a recipe exactly as ``python -m gan_utils train`` does (``build_gan`` + ``fit`` with the run's
``GANConfig``), then

* asks the doctor, as ``train`` does at its end: ``doctor.diagnose_gan`` on the run's history and a few hundred
  samples drawn with key 0 (2,000 toy points, 500 digits);
* computes the **ground truth** from more samples drawn with another key: on toy data with the literature's measure
  (the 3-sigma high-quality fraction, modes covered), on MNIST with the doctor's own lines (FID 150, digit shares) on
  four times the samples, and D's accuracy measured afresh:

  - ``diverged``: training stopped on a NaN/Inf loss (``TrainingDiverged``), a sample is NaN/Inf, or (toy data) a
    sample lies ``TRUTH_FAR`` times farther out than the farthest mode, or D's logit on fresh real data passes
    ``TRUTH_LOGIT`` (weights blown up, which MNIST's tanh samples cannot show);
  - off the data: toy data, fewer than ``TRUTH_HQ`` of 2,500 samples of high quality (within 3 sigma of a mode, the
    VEEGAN/PacGAN measure); MNIST, an MNIST-FID of 2,000 samples against the test set above ``TRUTH_FID``. Off the
    data is ``discriminator_wins`` when D, measured afterwards on 2,000 fresh real and 2,000 fresh generated examples
    (not the training batches the doctor reads), classifies at least ``TRUTH_D_ACC`` of each correctly, and
    ``non_convergence`` otherwise;
  - ``mode_collapse``: on the data, but toy data with fewer than 90% of the modes covered by at least
    ``TRUTH_MODE_MIN`` high-quality samples each; MNIST, a digit below 2% or above 30% of the 2,000 samples (the same
    shares the doctor uses, on four times the samples and another draw);
  - ``healthy`` otherwise.

The recipes in ``RUNS`` are the failures the course shows (notebooks 04, 05 and 07) and the command line's defaults,
each from several seeds. The label each run was *meant* to show is printed beside the truth, but the table scores the
doctor against the truth, which is what the run did.

Writes ``benchmarks/doctor_results.jsonl`` (one record per run) and ``benchmarks/doctor_results.md`` (the runs, the
confusion table and the accuracy per class).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

TRUTH_HQ = 0.1          # toy: fewer than 10% of samples within 3 sigma is off the data (healthy runs: 35-95%)
TRUTH_MODE_MIN = 10     # toy: a mode is covered by at least 10 of the 2,500 samples (0.4%; a fair share is 4-12.5%)
TRUTH_FID = 150.0       # MNIST: a 5-minute run of the default recipe scores 50-58 (RESULTS.md); noise scores 300+
TRUTH_FAR = 1000.0      # toy: a sample 1,000 times farther out than the farthest mode has blown up
TRUTH_LOGIT = 1e4       # D's logit on fresh real data beyond 10,000 (a probability of 1 - e^-10000): blown up
TRUTH_D_ACC = 0.95      # D right on 95% of fresh real and of fresh fakes: D has won

# The toy rows below were measured (2026-11-24) on the command line's toy recipe of that day: two hidden layers of
# 128, batches of 64, Adam at 2e-4 for both networks. Notebook 07's recipe became the default after (three layers,
# batches of 256, 3e-3 / 1e-3, an annealed half); the rows keep the recipe they were measured on, so that a re-run
# measures the same runs.
EARLIER_TOY = dict(batch_size=64, lr=2e-4, hidden=(128, 128))
# name -> (meant, dataset, GANConfig overrides, steps, seeds); toy overrides are over EARLIER_TOY, except where they
# hold CURRENT: then the command line's toy recipe of today, as `train --dataset ring --steps N` runs it (its defaults,
# the second half annealed)
CURRENT = {"recipe": "current"}
RUNS = {
    "ring, today's default": ("healthy", "ring", CURRENT, 10_000, (0, 1, 2, 3, 4)),
    "grid, today's default": ("healthy", "grid", CURRENT, 10_000, (0, 1, 2, 3, 4)),
    "ring default": ("healthy", "ring", {}, 10_000, (0, 1, 2)),
    "grid default": ("healthy", "grid", {}, 10_000, (0, 1, 2)),
    "ring beta1 0.9 (notebook 05, 6b)": ("non_convergence", "ring", {"b1": 0.9}, 4_000, (0, 1, 2)),
    "ring D lr / 100 (notebook 07, 2)": ("non_convergence", "ring", {"d_lr": 2e-6}, 4_000, (0, 1, 2)),
    "ring G lr x 25": ("mode_collapse", "ring", {"lr": 5e-3, "d_lr": 2e-4}, 4_000, (0, 1, 2)),
    "grid G lr x 25": ("mode_collapse", "grid", {"lr": 5e-3, "d_lr": 2e-4}, 4_000, (0, 1, 2)),
    "ring G lr x 5, notebook 07's MLPs": ("mode_collapse", "ring",
                                          {"hidden": (128, 128, 128), "lr": 1.5e-2, "d_lr": 1e-3}, 6_000, (0, 1, 2)),
    "grid G lr x 5, notebook 07's MLPs": ("mode_collapse", "grid",
                                          {"hidden": (128, 128, 128), "lr": 1.5e-2, "d_lr": 1e-3}, 6_000, (0, 1, 2)),
    "ring saturating, k 5, D lr x 5": ("discriminator_wins", "ring",
                                       {"loss": "saturating", "k_disc": 5, "d_lr": 1e-3}, 2_000, (0, 1, 2)),
    "ring lr 30": ("discriminator_wins", "ring", {"lr": 30.0}, 1_000, (0, 1, 2)),
    "ring lr 1e4": ("diverged", "ring", {"lr": 1e4}, 1_000, (0, 1, 2)),
    "mnist default": ("healthy", "mnist", {}, 1500, (0, 1, 2)),
    "mnist saturating, k 5 (notebook 05, 6a)": ("discriminator_wins", "mnist",
                                                {"loss": "saturating", "k_disc": 5}, 300, (0, 1)),
    "mnist beta1 0.9, lr 1e-2": ("non_convergence", "mnist", {"b1": 0.9, "lr": 1e-2}, 600, (0, 1)),
    "mnist D lr x 10 (TTUR gone too far)": ("discriminator_wins", "mnist", {"lr": 2e-4, "d_lr": 2e-3}, 800, (0, 1)),
    "mnist G lr x 10": ("mode_collapse", "mnist", {"lr": 1e-2, "d_lr": 1e-3}, 800, (0, 1)),
    "mnist lr 10": ("diverged", "mnist", {"lr": 10.0}, 300, (0,)),
}


def training_data(config):
    import jax
    import numpy as np
    from gan_utils import data
    if config.dataset == "mnist":
        return data.to_unit_range(data.load_mnist("train")[0])
    return np.asarray(data.toy_dataset(config.dataset).sample(jax.random.key(config.seed + 1), config.toy_points))


def d_accuracy(gan, real, fake) -> tuple[float, float]:
    """D's accuracy on fresh real and generated examples (score > 0: "real")."""
    import numpy as np
    D = gan.discriminator
    D.eval()
    r = np.concatenate([np.asarray(D(real[i:i + 500])) for i in range(0, len(real), 500)])
    f = np.concatenate([np.asarray(D(fake[i:i + 500])) for i in range(0, len(fake), 500)])
    D.train()
    return float((r > 0).mean()), float((f < 0).mean())


def d_logit_size(gan, real) -> float:
    """The largest |D(x)| on fresh real data: a blown-up discriminator answers in millions."""
    import numpy as np
    D = gan.discriminator
    D.eval()
    out = float(np.max(np.abs(np.asarray(D(real[:500])))))
    D.train()
    return out


def ground_truth(gan, config, x, diverged: bool) -> tuple[str, dict]:
    import jax
    import numpy as np
    from flax import nnx
    from gan_utils import data, metrics, models
    if diverged:
        return "diverged", {"diverged": True}
    params = jax.tree.leaves(nnx.state(gan, nnx.Param))
    if not all(bool(np.all(np.isfinite(np.asarray(p)))) for p in params):
        return "diverged", {"nonfinite_weights": True}
    key = jax.random.key(12345)
    g = gan.sampler()
    rng = np.random.default_rng(7)
    if config.dataset == "mnist":
        fake = np.asarray(models.sample(g, key, 2000)).reshape(2000, 28, 28, 1)
        if not np.all(np.isfinite(fake)):
            return "diverged", {"nonfinite_samples": True}
        test = data.to_unit_range(data.load_mnist("test")[0])
        m = metrics.image_metrics(fake, test, pr_n=2000)
        shares = np.asarray(m["class_histogram"]) / 2000
        ev = {"fid": m["fid"], "least_digit": float(shares.min()), "most_digit": float(shares.max()),
              "mean_confidence": m["mean_confidence"]}
        off = m["fid"] > TRUTH_FID
        collapse = shares.min() < 0.02 or shares.max() > 0.3
        real = x[rng.choice(len(x), 2000, replace=False)]
    else:
        fake = np.asarray(models.sample(g, key, 2500))
        if not np.all(np.isfinite(fake)):
            return "diverged", {"nonfinite_samples": True}
        mix = data.toy_dataset(config.dataset)
        if np.abs(fake).max() > TRUTH_FAR * np.abs(mix.means).max():
            return "diverged", {"max_abs_sample": float(np.abs(fake).max())}
        m = metrics.toy_mode_metrics(fake, mix, min_count=TRUTH_MODE_MIN)
        ev = {"high_quality_fraction": m["high_quality_fraction"], "modes_covered": m["modes_covered"],
              "n_modes": m["n_modes"]}
        off = m["high_quality_fraction"] < TRUTH_HQ
        collapse = m["modes_covered"] < 0.9 * m["n_modes"]
        real = x[rng.choice(len(x), 2000, replace=False)]
        fake = fake[:2000]
    logit = d_logit_size(gan, np.asarray(real))
    if logit > TRUTH_LOGIT:     # D's weights have blown up, though its outputs (and tanh's samples) stay finite
        return "diverged", {**ev, "max_abs_d_logit": logit}
    if off:
        acc_r, acc_f = d_accuracy(gan, np.asarray(real), np.asarray(fake[:2000]))
        ev.update(d_acc_real=acc_r, d_acc_fake=acc_f)
        return ("discriminator_wins" if min(acc_r, acc_f) >= TRUTH_D_ACC else "non_convergence"), ev
    return ("mode_collapse" if collapse else "healthy"), ev


def run_one(name: str, meant: str, dataset: str, overrides: dict, steps: int, seed: int) -> dict:
    import jax
    from gan_utils import config as config_lib, data, doctor, train
    if overrides.get("recipe") == "current":
        recipe = {"lr_anneal": steps}      # what `train` sets for a toy run of known length
    else:
        recipe = {**EARLIER_TOY, **overrides} if dataset != "mnist" else overrides
    config = config_lib.GANConfig(dataset=dataset, seed=seed, **recipe)
    x = training_data(config)
    gan = config_lib.build_gan(config)
    k_run, k_data, _ = jax.random.split(jax.random.key(config.seed), 3)
    t0 = time.perf_counter()
    diverged = False
    try:
        res = train.fit(gan, data.BatchSampler(x, config.batch_size, k_data), key=k_run, steps=steps, config=config,
                        progress=False)
        history = res.history
    except train.TrainingDiverged as e:
        diverged, history = True, dict(e.result.history)
        for k, v in (("d_loss", math.nan), ("g_loss", math.nan), ("step", e.step)):
            history.setdefault(k, []).append(v)
    seconds = time.perf_counter() - t0
    verdict = doctor.diagnose_gan(gan, history, config)
    truth, ev = ground_truth(gan, config, x, diverged)
    return {"run": name, "meant": meant, "dataset": dataset, "overrides": overrides, "steps": steps, "seed": seed,
            "seconds": round(seconds, 1), "truth": truth, "truth_evidence": ev, "verdict": verdict.verdict,
            "reason": verdict.reason, "evidence": verdict.to_dict()["evidence"]}


def report(rows: list[dict]) -> str:
    from gan_utils import doctor
    classes = [v for v in doctor.VERDICTS if v != "too_early"]
    lines = ["| run | seed | steps | meant | truth (from the samples) | doctor | |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['run']} | {r['seed']} | {r['steps']} | {r['meant']} | {r['truth']} | {r['verdict']} | "
                     f"{'right' if r['truth'] == r['verdict'] else '**wrong**'} |")
    right = sum(r["truth"] == r["verdict"] for r in rows)
    lines += ["", f"Doctor right on {right} of {len(rows)} runs ({right / max(len(rows), 1):.0%}).", "",
              "Confusion (rows: truth, columns: the doctor's verdict):", "",
              "| truth \\ doctor | " + " | ".join(classes) + " | runs | right |",
              "|---|" + "---|" * (len(classes) + 2)]
    for t in classes:
        mine = [r for r in rows if r["truth"] == t]
        if not mine:
            continue
        counts = [sum(r["verdict"] == v for r in mine) for v in classes]
        ok = sum(r["verdict"] == t for r in mine)
        lines.append(f"| {t} | " + " | ".join(str(c) for c in counts) + f" | {len(mine)} | {ok / len(mine):.0%} |")
    wrong = [r for r in rows if r["truth"] != r["verdict"]]
    if wrong:
        lines += ["", "Wrong verdicts:", ""]
        for r in wrong:
            lines.append(f"- {r['run']}, seed {r['seed']}: truth {r['truth']} ({_fmt(r['truth_evidence'])}), "
                         f"doctor {r['verdict']}: {r['reason']}")
    return "\n".join(lines)


def _fmt(d: dict) -> str:
    return ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in d.items())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", choices=["toy", "mnist"], help="run only the toy or only the MNIST runs")
    p.add_argument("--run", action="append", help="run only this named run (repeatable; see --list)")
    p.add_argument("--list", action="store_true", help="list the runs and exit")
    p.add_argument("--out", default=str(HERE / "doctor_results"), help="path stem of the .jsonl and .md written")
    args = p.parse_args(argv)
    if args.list:
        for name, (meant, ds, ov, steps, seeds) in RUNS.items():
            print(f"{name}: meant {meant}; {ds} {ov} {steps} steps, seeds {list(seeds)}")
        return 0
    from bench import machine_info
    import jax
    from gan_utils import checkpoint
    outputs = (Path(args.out + ".md"), Path(args.out + ".jsonl"))
    try:   # where the report goes, checked before the runs (minutes), not after them
        for path in outputs:
            checkpoint.check_target(path)
    except checkpoint.CheckpointError as e:
        p.exit(2, f"{p.prog}: error: {e}\n")
    rows = []
    t0 = time.perf_counter()
    for name, (meant, ds, ov, steps, seeds) in RUNS.items():
        if args.run and name not in args.run:
            continue
        if args.only and (ds == "mnist") != (args.only == "mnist"):
            continue
        for seed in seeds:
            r = run_one(name, meant, ds, ov, steps, seed)
            rows.append(r)
            print(f"{name} seed {seed}: truth {r['truth']}, doctor {r['verdict']} ({r['seconds']} s): {r['reason']}",
                  flush=True)
    m = machine_info()
    stamp = (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {m['cpu']}, {m['cores']} cores, "
             f"jax {jax.__version__}")
    flags = (f" --only {args.only}" if args.only else "") + "".join(f' --run "{r}"' for r in args.run or [])
    text = (f"# The doctor against the samples\n\n`python benchmarks/doctor_accuracy.py{flags}"
            f"{'' if args.out == str(HERE / 'doctor_results') else ' --out ' + args.out}` ({stamp}; "
            f"{time.perf_counter() - t0:.0f} s)\n\n"
            + report(rows) + "\n")
    with checkpoint.atomic_file(outputs[0]) as tmp:    # each all or nothing
        tmp.write_text(text)
    with checkpoint.atomic_file(outputs[1]) as tmp:
        tmp.write_text("".join(json.dumps({**r, "date": stamp}) + "\n" for r in rows))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
