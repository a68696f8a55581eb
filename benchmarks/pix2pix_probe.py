"""A first probe of pix2pix on the glyph pairs (issue #47): L1 only against L1 + GAN at one size, scored on the
376 held-out characters. Not yet notebook 11's table (one seed, no intervals): it sizes the notebook's runs.

    python benchmarks/pix2pix_probe.py --size 32 --steps 1500 --out benchmarks/pix2pix_probe.jsonl

Scores, each on held-out characters against the true LXGW WenKai glyph:
  * l1: mean absolute error in [-1, 1] units;
  * nn_content: share of outputs whose nearest true glyph (Euclidean, among all 3,755 characters) is the right
    character: a nearest-neighbour content classifier with one example per class;
  * sharpness: mean gradient magnitude of the output over that of the true glyph (1 = as crisp; a blurred average
    of plausible strokes scores below 1).
"""
from __future__ import annotations

import argparse
import json
import time

import jax
import numpy as np
from flax import nnx

from gan_utils import checkpoint, data, models, precomputed, steps, train


def scores(out: np.ndarray, target: np.ndarray, chars: str, bank: np.ndarray, bank_chars: str) -> dict:
    """out, target: (N, S, S, 1) in [-1, 1]; bank: every true target glyph (M, S, S, 1)."""
    flat, b = out.reshape(len(out), -1), bank.reshape(len(bank), -1)
    d2 = (flat ** 2).sum(1)[:, None] - 2 * flat @ b.T + (b ** 2).sum(1)[None]
    where = {c: i for i, c in enumerate(bank_chars)}
    nn = (d2.argmin(1) == np.array([where[c] for c in chars])).mean()

    def grad_mag(x):
        return np.abs(np.diff(x, axis=1)).mean() + np.abs(np.diff(x, axis=2)).mean()

    return {"l1": float(np.abs(out - target).mean()), "nn_content": float(nn),
            "sharpness": float(grad_mag(out) / grad_mag(target))}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--base", type=int, default=32)
    p.add_argument("--n-down", type=int, default=2)
    p.add_argument("--lam", type=float, default=100.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", choices=("source", "l1", "gan"), nargs="*", default=("source", "l1", "gan"))
    p.add_argument("--out", default=None, help="append one JSON line per row here")
    p.add_argument("--png", default=None, help="save held-out rows (source / each model / true) here")
    a = p.parse_args(argv)
    try:   # where the rows and the picture go, checked before the training (minutes)
        for path in filter(None, (a.out, a.png)):
            checkpoint.check_target(path)
    except checkpoint.CheckpointError as e:
        p.exit(2, f"{p.prog}: error: {e}\n")
    train_pairs, test = data.load_glyphs("train", size=a.size), data.load_glyphs("test", size=a.size)
    bank = data.load_glyphs("all", size=a.size)
    tgt, src = data.to_unit_range(train_pairs.target), data.to_unit_range(train_pairs.source)
    t_tgt, t_src = data.to_unit_range(test.target), data.to_unit_range(test.source)
    bank_x = data.to_unit_range(bank.target)
    rows, pictures = [], {"source": t_src}
    for name in a.only:
        t0 = time.perf_counter()
        if name == "source":
            out, info = t_src, {}
        else:
            key = jax.random.key(a.seed)
            k_init, k_data, k_run = jax.random.split(key, 3)
            g = models.UNetGenerator(a.size, a.base, rngs=nnx.Rngs(int(jax.random.randint(k_init, (), 0, 2**30))))
            d = models.PatchDiscriminator(a.size, a.base, n_down=a.n_down, rngs=nnx.Rngs(a.seed + 1))
            gan = steps.GAN(g, d, g_lr=2e-4, d_lr=2e-4, b1=0.5)
            opts = dict(l1_weight=a.lam) if name == "gan" else dict(l1_weight=a.lam, generator_loss="none")
            result = train.fit(gan, data.BatchSampler((tgt, src), a.batch, k_data), key=k_run, steps=a.steps,
                               progress=False, **opts)
            out = np.asarray(models.translate(gan.generator, t_src))
            h = result.history
            info = {"steps": result.step, "train_seconds": round(result.seconds, 1),
                    "images_per_second": round(result.step * a.batch / max(result.seconds - result.compile_seconds,
                                                                          1e-9), 1),
                    "last_l1_train": round(float(np.mean(h["l1"][-100:])), 4),
                    "last_d_real": round(float(np.mean(h["d_real"][-100:])), 3),
                    "last_d_fake": round(float(np.mean(h["d_fake"][-100:])), 3),
                    "params_g": models.count_params(g), "params_d": models.count_params(d),
                    "receptive_field": d.receptive_field}
        row = {"model": name, "size": a.size, "seed": a.seed, "lam": a.lam, "base": a.base, "batch": a.batch,
               **info, **{k: round(v, 4) for k, v in scores(out, t_tgt, test.chars, bank_x, bank.chars).items()},
               "date": time.strftime("%Y-%m-%d"), "wall_seconds": round(time.perf_counter() - t0, 1)}
        print(json.dumps(row), flush=True)
        rows.append(row)
        pictures[name] = out
        if a.out:
            precomputed.append_row(a.out, row)
    if a.png:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        pictures["true"] = t_tgt
        names, cols = list(pictures), 16
        fig, axes = plt.subplots(len(names), cols, figsize=(cols * 0.8, len(names) * 0.9))
        for r, n in enumerate(names):
            for c in range(cols):
                axes[r, c].imshow(pictures[n][c, ..., 0], cmap="gray_r", vmin=-1, vmax=1)
                axes[r, c].set_xticks([]), axes[r, c].set_yticks([])
            axes[r, 0].set_ylabel(n, rotation=0, ha="right", va="center")
        with checkpoint.atomic_file(a.png) as tmp:
            fig.savefig(tmp, dpi=100, bbox_inches="tight")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
