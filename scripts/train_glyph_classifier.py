"""Trains the style classifier that gan_utils.translation uses as its judge (notebook 11), and writes the weights.

    python scripts/train_glyph_classifier.py [--check-font /tmp/hei2song.npz]

writes gan_utils/assets/glyph_classifier/ (state.msgpack + meta.json). Recipe: the CNN of
``gan_utils.translation.StyleClassifier``, trained to tell the two fonts of the glyph data apart at 32x32 on the 3,379
training characters in both (6,758 images; the 376 held-out characters are kept for its check), Adam with a
cosine-decayed learning rate, batch 128, dropout 0.3, and three augmentations so that it reads a glyph a generator
drew, not only a font's exact pixels: random shifts of up to 2 pixels, a 3x3 box blur on half the images, and Gaussian
pixel noise of standard deviation up to 0.2.

With ``--fonts`` it trains notebook 12's **font judge** instead (``gan_utils.styles``): the same CNN and recipe with
five classes, the source and the four target fonts of ``data.load_glyph_styles`` (hei, kai, song, heibold, smiley),
on the 3,379 training characters in all five (16,895 images), written to gan_utils/assets/font_classifier/; its
check is the accuracy on each font's held-out characters, clean and augmented. With ``--fonts --hand`` it trains the
**hand judge** of notebook 12's section 7: six classes, the five fonts and the new hand (Ma Shan Zheng, "hand";
``load_glyph_styles(hand=True)``), 20,274 images, written to gan_utils/assets/hand_classifier/.

Its check, written into meta.json: accuracy on the held-out characters in both fonts (clean and augmented), and, with
``--check-font``, the share of a third font it never saw (Noto Serif CJK, "song": ``python scripts/render_glyphs.py
--target song --size 32 --out /tmp/hei2song.npz``) that it calls "kai", a font neither hei nor kai. The weights are
stored in float16 and measured after that rounding.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from gan_utils import checkpoint, data, styles as font_styles
from gan_utils.translation import GLYPH_CLASSIFIER_DIR, STYLES, StyleClassifier, style_outputs

COMMAND = "python scripts/train_glyph_classifier.py"


def augment(x: jax.Array, key: jax.Array, max_shift: int = 2, noise: float = 0.2) -> jax.Array:
    """Random shifts (paper-filled), a 3x3 box blur on half the images, Gaussian noise: (N, 32, 32, 1) in [-1, 1]."""
    n, s = x.shape[0], x.shape[1]
    k_shift, k_blur, k_noise, k_sd = jax.random.split(key, 4)
    p = max_shift
    xp = jnp.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), constant_values=-1.0)
    offs = jax.random.randint(k_shift, (n, 2), 0, 2 * p + 1)
    x = jax.vmap(lambda img, o: jax.lax.dynamic_slice(img, (o[0], o[1], 0), (s, s, 1)))(xp, offs)
    blurred = jax.lax.reduce_window(jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge"), 0.0, jax.lax.add,
                                    (1, 3, 3, 1), (1, 1, 1, 1), "VALID") / 9
    x = jnp.where(jax.random.bernoulli(k_blur, 0.5, (n, 1, 1, 1)), blurred, x)
    sd = jax.random.uniform(k_sd, (n, 1, 1, 1), maxval=noise)
    return jnp.clip(x + sd * jax.random.normal(k_noise, x.shape), -1, 1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check-font", type=Path, default=None, help="a hei->song file of render_glyphs.py to score on")
    ap.add_argument("--fonts", action="store_true", help="train notebook 12's five-font judge instead")
    ap.add_argument("--hand", action="store_true", help="with --fonts: the six-class hand judge (the five fonts and "
                    "the new hand)")
    ap.add_argument("--out", default=None, help=f"where to write (default {GLYPH_CLASSIFIER_DIR}, or "
                    f"{font_styles.FONT_CLASSIFIER_DIR} with --fonts)")
    args = ap.parse_args(argv)
    if args.hand and not args.fonts:
        ap.error("--hand is a variant of --fonts: pass both")
    args.out = args.out or str(font_styles.HAND_CLASSIFIER_DIR if args.hand else font_styles.FONT_CLASSIFIER_DIR
                               if args.fonts else GLYPH_CLASSIFIER_DIR)
    try:   # where the weights go, checked before the training (a save there would be refused after it)
        checkpoint.check_target(args.out, checkpoint_folder=True)
    except checkpoint.CheckpointError as e:
        ap.exit(2, f"{ap.prog}: error: {e}\n")
    if args.fonts and args.check_font:
        ap.error("--check-font checks the two-font judge; the font judge is checked on every font's held-out "
                 "characters")
    classes = font_styles.HAND_STYLES if args.hand else font_styles.FONT_STYLES if args.fonts else STYLES

    if args.fonts:
        fonts, held_fonts = (data.load_glyph_styles(split, hand=args.hand) for split in ("train", "test"))
        x = data.to_unit_range(np.concatenate([fonts.style(c) for c in classes]))
        styles = np.repeat(np.arange(len(classes), dtype=np.int32), len(fonts))
        pairs = fonts
    else:
        pairs, held = data.load_glyphs("train", size=32), data.load_glyphs("test", size=32)
        x = data.to_unit_range(np.concatenate([pairs.source, pairs.target]))
        styles = np.repeat(np.array([STYLES.index("hei"), STYLES.index("kai")], np.int32), len(pairs))
    key = jax.random.key(args.seed)
    k_init, k_run = jax.random.split(key)
    model = StyleClassifier(rngs=nnx.Rngs(params=int(jax.random.randint(k_init, (), 0, 2**31 - 1)), dropout=1),
                            classes=classes)
    steps_per_epoch = len(x) // args.batch_size
    tx = optax.adam(optax.cosine_decay_schedule(args.lr, args.epochs * steps_per_epoch))
    opt = nnx.Optimizer(model, tx, wrt=nnx.Param)
    graphdef, state = nnx.split((model, opt))

    @jax.jit
    def step(state, xb, ys, key):
        model, opt = nnx.merge(graphdef, state)
        xb = augment(xb, key)

        def loss_fn(model):
            s = model(xb)
            return optax.softmax_cross_entropy_with_integer_labels(s, ys).mean(), s

        (loss, s), grads = nnx.value_and_grad(loss_fn, has_aux=True)(model)
        opt.update(model, grads)
        return nnx.state((model, opt)), loss, jnp.mean(s.argmax(-1) == ys)

    t0 = time.perf_counter()
    for epoch in range(args.epochs):
        perm = np.asarray(jax.random.permutation(jax.random.fold_in(k_run, epoch), len(x)))
        logs = []
        for i in range(steps_per_epoch):
            idx = perm[i * args.batch_size:(i + 1) * args.batch_size]
            sk = jax.random.fold_in(jax.random.fold_in(k_run, 10_000 + epoch), i)
            state, *m = step(state, jnp.asarray(x[idx]), jnp.asarray(styles[idx]), sk)
            logs.append(m)
        loss, acc = np.mean(jax.device_get(logs), axis=0)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {loss:.4f}, augmented training accuracy {acc:.4f}; "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
    seconds = time.perf_counter() - t0
    model, _ = nnx.merge(graphdef, state)
    model.eval()
    params = nnx.state(model, nnx.Param)
    nnx.update(model, jax.tree_util.tree_map(lambda v: v.astype(jnp.float16).astype(jnp.float32), params))

    def read(images, key_seed=None):
        xs = data.to_unit_range(images)
        if key_seed is not None:
            xs = np.asarray(augment(jnp.asarray(xs), jax.random.key(key_seed)))
        return style_outputs(xs, model)

    meta = {"trained_on": f"{len(pairs)} training characters in " + (f"all {len(classes)} fonts ({', '.join(classes)})"
                                                                      if args.fonts else "both fonts"),
            "classes": list(classes), "epochs": args.epochs,
            "batch_size": args.batch_size, "lr": args.lr,
            "seed": args.seed, "train_seconds": round(seconds, 1), "load_average": round(os.getloadavg()[0], 1),
            "weights_dtype": "float16", "command": COMMAND + (f" --check-font {args.check_font}" if args.check_font
                                                              else "") + (" --fonts" if args.fonts else "")
            + (" --hand" if args.hand else "")
            + (f" --epochs {args.epochs}" if args.epochs != 8 else ""),
            "input": "glyphs scaled to [-1, 1], shape (N, 32, 32, 1)"}
    if args.fonts:
        half = StyleClassifier(rngs=nnx.Rngs(0), classes=classes)
        for name in classes:   # each font's held-out characters, which it never saw
            for how, seed in (("", None), ("_augmented", 123)):
                xs = data.to_unit_range(held_fonts.style(name))
                if seed is not None:
                    xs = np.asarray(augment(jnp.asarray(xs), jax.random.key(seed)))
                p = font_styles.font_probabilities(xs, model)
                meta[f"held_out_{name}_accuracy{how}"] = round(float((p.argmax(1) == classes.index(name)).mean()), 4)
        return _write(args.out, half, model, meta)
    for name, images in (("hei", held.source), ("kai", held.target)):   # characters it never saw
        for how, seed in (("", None), ("_augmented", 123)):
            called_kai = read(images, key_seed=seed)["kai"] > 0.5
            meta[f"held_out_{name}_accuracy{how}"] = round(float((called_kai == (name == "kai")).mean()), 4)
    if args.check_font:
        other = data.load_glyphs("all", size=32, path=args.check_font)
        meta["unseen_font"] = other.provenance["target"]["family"]
        meta["unseen_font_called_kai"] = round(float((read(other.target)["kai"] > 0.5).mean()), 4)
    return _write(args.out, StyleClassifier(rngs=nnx.Rngs(0)), model, meta)


def _write(out: str, half: StyleClassifier, model: StyleClassifier, meta: dict) -> int:
    """Saves ``model``'s weights in float16 (through the template ``half``) with ``meta``."""
    nnx.update(half, jax.tree_util.tree_map(lambda v: v.astype(jnp.float16), nnx.state(model, nnx.Param)))
    checkpoint.save_module(out, half, meta)
    size = sum(f.stat().st_size for f in Path(out).iterdir())
    print(json.dumps(meta))
    print(f"wrote {out} ({size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
