"""Notebook 12's table, run ahead: CycleGAN trained without pairs against pix2pix trained with them, on the same
glyphs, over several seeds, scored on notebook 11's 376 held-out characters as training goes on.

    python benchmarks/cyclegan_table.py --seeds 0 1 2 3 4 --steps 3000 --evals 250 500 1000 2000 3000 \
        --results 12_unpaired --save-generators gan_utils/assets/pretrained_cyclegan

The training characters are cut in two halves once (``GlyphPairs.halves(0)``): A (1,690 characters) and B (1,689).
CycleGAN sees the printed glyphs of A and the brush glyphs of B, so no character is seen in both fonts. pix2pix sees
the pairs of A: as many printed glyphs and as many brush glyphs, now matched. Both train with batch 32 for the same
number of steps, so each sees the same number of glyphs of each font. The seed moves the initialisation and the
batch order; the halves stay.

After each CycleGAN run, what it hides (Chu et al., 2017): how well ``f`` rebuilds the printed glyph x from
``g(x)``, from ``g(x)`` with Gaussian noise or rounded to a few grey levels, and from the true brush glyph of x,
which ``g`` never touched (``cycle.hidden_detail``).

One JSON line per run, appended as each finishes (a killed sweep loses only the run in progress; a run already there
is not run again). ``--results NAME`` writes the rows and the first 16 held-out translations of each final run to
``gan_utils/assets/results/NAME.json/.npz`` (``precomputed.save``); ``--save-generators DIR`` saves seed 0's two
CycleGAN generators (float16) for the notebook.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
from flax import nnx

from gan_utils import checkpoint, cycle, data, precomputed, translation

def save_generators(cyc: cycle.CycleGAN, path: Path, meta: dict) -> None:
    """Seed 0's g and f in float16 (half the size), as one module."""
    half = nnx.clone(cyc.generators)
    nnx.update(half, jax.tree_util.tree_map(lambda v: v.astype(jnp.float16), nnx.state(half, nnx.Param)))
    checkpoint.save_module(path, half, {**meta, "weights_dtype": "float16", "module": "cycle._Pair(UNetGenerator g: "
                                        "hei -> kai, UNetGenerator f: kai -> hei)"})


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--methods", nargs="+", default=list(cycle.METHODS), choices=list(cycle.METHODS))
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--evals", type=int, nargs="+", default=[250, 500, 1000, 2000, 3000])
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--out", type=Path, default=Path("benchmarks/cyclegan_table.jsonl"))
    p.add_argument("--results", default=None, help="also write gan_utils/assets/results/NAME.{json,npz}")
    p.add_argument("--save-generators", type=Path, default=None, help="save seed 0's CycleGAN generators here")
    a = p.parse_args(argv)
    if a.steps not in a.evals:
        p.error("--evals must include --steps (the final score)")
    pics = a.out.with_suffix(".npz")
    try:   # where the results go, and what is there, checked before the runs (minutes each)
        for path in (a.out, pics):
            checkpoint.check_target(path)
        if a.save_generators:
            checkpoint.check_target(a.save_generators, checkpoint_folder=True)
        done = precomputed.read_rows(a.out, lambda r: (r["method"], r["seed"], r["steps"], r["size"], r["batch"]))
        images = precomputed.read_arrays(pics)
    except (checkpoint.CheckpointError, ValueError) as e:
        p.exit(2, f"{p.prog}: error: {e}\n")
    train = data.load_glyphs("train", size=a.size)
    half_a, half_b = train.halves(0)
    test = data.load_glyphs("test", size=a.size)
    true_out = translation.style_outputs(data.to_unit_range(test.target))
    for seed in a.seeds:
        for method in a.methods:
            key = (method, seed, a.steps, a.size, a.batch)
            if key in done and not (a.save_generators and method == "CycleGAN" and seed == 0):
                continue
            row, model, pics_ = cycle.compare_run(method, seed, half_a, half_b, test, steps=a.steps,
                                                  evals=a.evals, batch=a.batch, size=a.size, true_outputs=true_out)
            images.update({f"{method}|{seed}|{a.steps}|{e}": v for e, v in pics_.items()})
            if a.save_generators and method == "CycleGAN" and seed == 0:
                save_generators(model, a.save_generators, {
                    "seed": 0, "steps": a.steps, "size": a.size, "batch": a.batch, "held_out_scores": row["curve"][-1],
                    "command": "python benchmarks/cyclegan_table.py " + shlex.join(argv or sys.argv[1:]),
                    "versions": {"jax": jax.__version__}, "backend": jax.default_backend()})
            if key in done:
                continue
            precomputed.write_arrays(pics, images)   # all or nothing: a kill keeps the pictures written before
            precomputed.append_row(a.out, row)
            done[key] = row
            print(json.dumps({k: v for k, v in row.items() if k not in ("curve", "hidden")}, ensure_ascii=False),
                  flush=True)
    if a.results:
        keys = [(m, s, a.steps, a.size, a.batch) for s in a.seeds for m in a.methods]
        rows = [done[k] for k in keys]
        record = {**rows[0]["machine"], "command": "python benchmarks/cyclegan_table.py " +
                  shlex.join(argv if argv is not None else sys.argv[1:]),
                  "seconds": round(sum(r["wall_seconds"] for r in rows), 1)}
        pictures = {f"{m}/{s}/{e}": images[f"{m}|{s}|{a.steps}|{e}"] for (m, s, *_) in keys for e in a.evals
                    if f"{m}|{s}|{a.steps}|{e}" in images}
        precomputed.save(a.results, {"rows": rows, "chars": test.chars[:16], "half_a": half_a.chars,
                                     "images": pictures}, record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
