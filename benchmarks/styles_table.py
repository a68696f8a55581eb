"""Notebook 12's style space, run ahead: one generator conditioned on a style code, trained on the four target fonts
of ``data.load_glyph_styles``, over several seeds, scored on the 376 held-out characters.

    python benchmarks/styles_table.py --seeds 0 1 2 3 4 --steps 6000 --results 12_styles \
        --save-generator gan_utils/assets/pretrained_styles

Each run trains ``styles.train_style_translator`` (pix2pix's objective on every (character, font) pair of the 3,379
training characters, batch 32) and then measures, on characters it never saw:

* each font alone (a one-hot code): the font judge's share calling it that font, ``styles.content_any_font``, and
  the L1 to the true glyph;
* every straight path between two fonts (9 codes, ``styles.style_path``): the judge's mean probabilities and calls,
  the content reading, the L1 to each end's true glyphs, and the L1 to the nearest of the five real fonts.

One JSON line per run, appended as each finishes (a killed sweep loses only the run in progress; a run already there
is not run again). ``--results NAME`` writes the rows to ``gan_utils/assets/results/NAME.json/.npz``
(``precomputed.save``); ``--save-generator DIR`` saves seed 0's generator (float16) for the notebook.
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

from gan_utils import checkpoint, data, precomputed, styles


def save_generator(g, path: Path, meta: dict) -> None:
    half = nnx.clone(g)
    nnx.update(half, jax.tree_util.tree_map(lambda v: v.astype(jnp.float16), nnx.state(half, nnx.Param)))
    checkpoint.save_module(path, half, {**meta, "weights_dtype": "float16"})


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--steps", type=int, default=6000)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--base", type=int, default=32)
    p.add_argument("--style-dim", type=int, default=16)
    p.add_argument("--out", type=Path, default=Path("benchmarks/styles_table.jsonl"))
    p.add_argument("--results", default=None, help="also write gan_utils/assets/results/NAME.{json,npz}")
    p.add_argument("--save-generator", type=Path, default=None, help="save seed 0's generator here")
    a = p.parse_args(argv)
    command = "python benchmarks/styles_table.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    try:   # where the results go, and what is there, checked before the runs (minutes each)
        checkpoint.check_target(a.out)
        if a.save_generator:
            checkpoint.check_target(a.save_generator, checkpoint_folder=True)
        done = precomputed.read_rows(a.out, lambda r: (r["seed"], r["steps"], r["batch"], r["base"], r["style_dim"]))
    except (checkpoint.CheckpointError, ValueError) as e:
        p.exit(2, f"{p.prog}: error: {e}\n")
    train, test = data.load_glyph_styles("train"), data.load_glyph_styles("test")
    for seed in a.seeds:
        key = (seed, a.steps, a.batch, a.base, a.style_dim)
        if key in done and not (a.save_generator and seed == 0):
            continue
        row, g = styles.seed_run(seed, steps=a.steps, batch_size=a.batch, base=a.base, style_dim=a.style_dim,
                                 train=train, test=test)
        if a.save_generator and seed == 0:
            save_generator(g, a.save_generator, {
                "seed": 0, "steps": a.steps, "size": 32, "base": a.base, "style_dim": a.style_dim,
                "styles": list(train.styles), "batch": a.batch, "held_out_fonts": row["fonts"], "command": command,
                "versions": {"jax": jax.__version__}, "backend": jax.default_backend()})
        if key not in done:
            precomputed.append_row(a.out, row)
            done[key] = row
        print(json.dumps({"seed": seed, "seconds": row["train_seconds"], "fonts": row["fonts"]}), flush=True)
    if a.results:
        rows = [done[(s, a.steps, a.batch, a.base, a.style_dim)] for s in a.seeds]
        record = {**rows[0]["machine"], "command": command,
                  "seconds": round(sum(r["train_seconds"] for r in rows), 1)}
        precomputed.save(a.results, {"rows": rows}, record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
