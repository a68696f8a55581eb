"""Notebook 12's imitation table, run ahead: how few glyphs of a new hand the style generator needs to pass the hand
judge, over several seeds, scored on the 376 held-out characters.

    python benchmarks/hand_table.py --seeds 0 1 2 3 4 --results 12_hand

For each seed, a seeded order of the 3,379 training characters; for each k in ``--shots`` (0, 1, 2, 5, 10, 20, 50,
100), the shipped style generator (``styles.load_pretrained_styles``) fine-tuned on the first k characters in the new
hand (Ma Shan Zheng; ``imitation.fine_tune``: the L1 term alone, ``--steps`` Adam steps of batch 16, from the kai
code), then measured on characters it never saw (``imitation.measure_imitation``): the share the hand judge calls
"hand", the content kept, the L1 to the true hand glyph, and memorisation against the k training glyphs.

One JSON line per seed, appended as each finishes (a killed sweep loses only the seed in progress; a seed already there
is not run again). ``--results NAME`` writes the rows to ``gan_utils/assets/results/NAME.json`` (``precomputed.save``).
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from gan_utils import checkpoint, data, imitation, precomputed, styles


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--shots", type=int, nargs="+", default=list(imitation.SHOTS))
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--reference-steps", type=int, default=2000, help="the reference: seed 0 fine-tuned on all 3,379 "
                   "training characters for this many steps (0: none)")
    p.add_argument("--out", type=Path, default=Path("benchmarks/hand_table.jsonl"))
    p.add_argument("--results", default=None, help="also write gan_utils/assets/results/NAME.json")
    a = p.parse_args(argv)
    command = "python benchmarks/hand_table.py " + shlex.join(argv if argv is not None else sys.argv[1:])

    def key(r):
        return r["seed"], r["steps"], tuple(x["k"] for x in r["shots"])
    try:   # where the results go, and what is there, checked before the runs
        checkpoint.check_target(a.out)
        done = precomputed.read_rows(a.out, key)
    except (checkpoint.CheckpointError, ValueError) as e:
        p.exit(2, f"{p.prog}: error: {e}\n")
    train, test = data.load_glyph_styles("train", hand=True), data.load_glyph_styles("test", hand=True)
    g0 = styles.load_pretrained_styles()
    for seed in a.seeds:
        if (seed, a.steps, tuple(a.shots)) in done:
            continue
        rows = imitation.imitation_run(seed, tuple(a.shots), steps=a.steps, generator=g0, train=train, test=test)
        row = {"seed": seed, "steps": a.steps, "shots": rows}
        precomputed.append_row(a.out, row)
        done[key(row)] = row
        print(" ".join(f"k={r['k']}: passes {r['passes']:.3f} content {r['content']:.3f}" for r in rows), flush=True)
    reference = (0, a.reference_steps, (len(train),))
    if a.reference_steps and reference not in done:   # what this recipe reaches with every training glyph
        rows = imitation.imitation_run(0, (len(train),), steps=a.reference_steps, generator=g0, train=train, test=test)
        row = {"seed": 0, "steps": a.reference_steps, "shots": rows}
        precomputed.append_row(a.out, row)
        done[reference] = row
        print(f"all {len(train)}: passes {rows[0]['passes']:.3f} content {rows[0]['content']:.3f}", flush=True)
    if a.results:
        rows = [done[(s, a.steps, tuple(a.shots))] for s in a.seeds]
        ref = [done[reference]] if a.reference_steps else []
        seconds = sum(x["train_seconds"] for r in rows + ref for x in r["shots"])
        precomputed.save(a.results, {"rows": rows, "reference": ref},
                         {**rows[0]["shots"][0]["machine"], "command": command, "seconds": round(seconds, 1)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
