"""Notebook 10's race, the VAE's side made like the GAN's: the same VAE, the same seeds and the same number of steps
as the race's VAE runs, its weights averaged (EMA 0.999, as the GAN's) and sampled with its decoder's BatchNorm
statistics re-estimated on prior draws (as the GAN's generator is). Scored as the race scores, at N = 2,000.

    python benchmarks/vae_average.py --seeds 0 1 2 --results 10_vae_average

The race (``rivals.race``) gave each model 4 minutes of a 2-core CPU and scored the VAE from its last weights with
the statistics of training. Here each seed trains for exactly the steps its race run reached (read from the race's
results), so the budget is the same on any machine; only the averaging and the statistics differ. The last weights
of this run are the race's (the average does not change the gradients); their scores are the race's rows.

One JSON line per seed, appended as each finishes (a seed already there is not run again). ``--results NAME`` writes
the rows to ``gan_utils/assets/results/NAME.json`` (``precomputed.save``).
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from gan_utils import checkpoint, data, metrics, precomputed, rivals


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--race", default="10_race", help="the race's results, whose VAE steps each seed repeats")
    p.add_argument("--out", type=Path, default=Path("benchmarks/vae_average.jsonl"))
    p.add_argument("--results", default=None, help="also write gan_utils/assets/results/NAME.json")
    a = p.parse_args(argv)
    command = "python benchmarks/vae_average.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    try:   # where the results go, what is there and what the race ran, checked before the runs (minutes each)
        checkpoint.check_target(a.out)
        done = precomputed.read_rows(a.out, lambda r: (r["seed"], r["steps"]))
        race, _ = precomputed.load(a.race)
        race_vae = race["runs"]["vae"]
        missing = [s for s in a.seeds if str(s) not in race_vae]
        if missing:
            raise ValueError(f"the race {a.race!r} has no VAE run for seeds {missing}; it ran {sorted(race_vae)}.")
    except (checkpoint.CheckpointError, ValueError, FileNotFoundError) as e:
        p.exit(2, f"{p.prog}: error: {e}\n")
    train_features = metrics.classifier_outputs(data.load_mnist("train")[0])[0]
    reference = metrics.classifier_outputs(data.load_mnist("test")[0])
    n = int(race["setup"]["n_samples"])
    for seed in a.seeds:
        steps = int(race_vae[str(seed)]["steps_total"])
        if (seed, steps) in done:
            continue
        row = rivals.averaged_vae_run(race_vae[str(seed)], seed, train_features=train_features,
                                      reference=reference, n_samples=n)
        precomputed.append_row(a.out, row)
        done[(seed, steps)] = row
        print(f"seed {seed}: {row['steps']:,} steps in {row['seconds']:.0f} s; FID averaged "
              f"{row['averaged']['fid']:.1f}, the race's last weights {row['race_last_weights']['fid']:.1f}",
              flush=True)
    if a.results:
        rows = [done[k] for k in sorted(done) if k[0] in a.seeds]
        precomputed.save(a.results, {"rows": rows}, {**rows[0]["machine"], "command": command,
                                                     "seconds": round(sum(r["seconds"] for r in rows), 1)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
