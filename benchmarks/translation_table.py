"""Notebook 11's table, run ahead: each objective of ``translation.OBJECTIVES`` trained from several seeds on the glyph
pairs and scored on the 376 held-out characters (``translation.translation_scores``).

    python benchmarks/translation_table.py --seeds 0 1 2 3 4 --steps 600 --out benchmarks/translation_table.jsonl
    python benchmarks/translation_table.py --objectives "L1 + GAN" --l1-weights 10 1000 --results 11_lambda

One JSON line per run, appended as each finishes, and the run's first 16 held-out translations in the ``.npz`` beside
it (a killed run loses only the run in progress; a run already there is not run again). ``--results NAME`` then writes
the rows and images of the runs asked for to ``gan_utils/assets/results/NAME.json/.npz`` with ``precomputed.save``,
for the notebook.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from gan_utils import checkpoint, data, models, precomputed, translation


def objective_options(objective: str) -> str | dict:
    """A name of ``translation.OBJECTIVES``, or ``"L1 + GAN, lambda W"``: pix2pix's objective with lambda = W."""
    if objective.startswith("L1 + GAN, lambda "):
        return {**translation.OBJECTIVES["L1 + GAN"], "l1_weight": float(objective.rsplit(" ", 1)[1])}
    return objective


def run_one(objective: str, seed: int, *, steps: int, size: int, batch: int, test, true_out,
            validation=None) -> tuple[dict, np.ndarray]:
    t0 = time.perf_counter()
    gan, result = translation.train_translator(objective_options(objective), size=size, steps=steps,
                                               batch_size=batch, seed=seed)
    src, tgt = data.to_unit_range(test.source), data.to_unit_range(test.target)
    out = np.asarray(models.translate(gan.generator, src))
    scores = translation.translation_scores(out, tgt, test.chars, true_outputs=true_out)
    h = result.history
    if validation is not None:   # characters no notebook reports: a choice can be checked here
        v_out = np.asarray(models.translate(gan.generator, data.to_unit_range(validation.source)))
        v_scores = translation.translation_scores(v_out, data.to_unit_range(validation.target), validation.chars)
    row = {"objective": objective, "seed": seed, "steps": result.step, "size": size, "batch": batch,
           **{k: round(v, 4) for k, v in scores.items()},
           "l1_train_last100": round(float(np.mean(h["l1"][-100:])), 4) if "l1" in h else None,
           "d_real_last100": round(float(np.mean(h["d_real"][-100:])), 3),
           "d_fake_last100": round(float(np.mean(h["d_fake"][-100:])), 3),
           **({"validation": {k: round(v, 4) for k, v in v_scores.items()}} if validation is not None else {}),
           "train_seconds": round(result.seconds, 1), "wall_seconds": round(time.perf_counter() - t0, 1),
           "date": time.strftime("%Y-%m-%d %H:%M")}
    return row, data.to_uint8(out[:16])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--objectives", nargs="+", default=list(translation.OBJECTIVES),
                   choices=list(translation.OBJECTIVES))
    p.add_argument("--l1-weights", type=float, nargs="+", default=[],
                   help="also run L1 + GAN with each of these lambdas (pix2pix's is 100), as 'L1 + GAN, lambda W'")
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--out", type=Path, default=Path("benchmarks/translation_table.jsonl"))
    p.add_argument("--results", default=None, help="also write gan_utils/assets/results/NAME.{json,npz}")
    a = p.parse_args(argv)
    a.objectives = list(a.objectives) + [f"L1 + GAN, lambda {w:g}" for w in a.l1_weights]
    pics = a.out.with_suffix(".npz")
    try:   # where the results go, and what is there, checked before the runs (minutes each)
        for path in (a.out, pics):
            checkpoint.check_target(path)
        done = precomputed.read_rows(a.out, lambda r: (r["objective"], r["seed"], r["steps"], r["size"], r["batch"]))
        images = precomputed.read_arrays(pics)
    except (checkpoint.CheckpointError, ValueError) as e:
        p.exit(2, f"{p.prog}: error: {e}\n")
    test = data.load_glyphs("test", size=a.size)
    true_out = translation.style_outputs(data.to_unit_range(test.target))
    validation = data.load_glyphs("validation", size=a.size)
    for seed in a.seeds:
        for objective in a.objectives:
            key = (objective, seed, a.steps, a.size, a.batch)
            if key in done:
                continue
            row, imgs = run_one(objective, seed, steps=a.steps, size=a.size, batch=a.batch, test=test,
                                true_out=true_out, validation=validation)
            images[f"{objective}|{seed}|{a.steps}|{a.size}|{a.batch}"] = imgs
            precomputed.write_arrays(pics, images)   # all or nothing: a kill keeps the pictures written before
            precomputed.append_row(a.out, row)
            done[key] = row
            print(json.dumps(row, ensure_ascii=False), flush=True)
    if a.results:
        keys = [(o, s, a.steps, a.size, a.batch) for s in a.seeds for o in a.objectives]
        rows = [done[k] for k in keys]
        record = {**precomputed.machine_record(), "command": "python benchmarks/translation_table.py " +
                  shlex.join(argv if argv is not None else sys.argv[1:]),
                  "seconds": round(sum(r["wall_seconds"] for r in rows), 1)}
        pictures = {f"{o}/{s}": images["|".join(map(str, (o, s, *k[2:])))] for (o, s, *_), k in zip(keys, keys)}
        precomputed.save(a.results, {"rows": rows, "chars": test.chars[:16], "images": pictures}, record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
