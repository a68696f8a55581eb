"""Imitating a hand (notebook 12, section 7): how few glyphs of a new hand a pretrained style generator needs.

The new hand is Ma Shan Zheng, a brush handwriting font by Ma ShanZheng (Google Fonts, SIL OFL 1.1;
``data.load_glyph_styles(hand=True)``, style "hand"), which the shipped style generator never saw. Pieces:

* ``fine_tune``: a copy of the style generator trained on k (source, hand) pairs with pix2pix's L1 term alone,
  one code for the hand (the kai code, the nearest brush font the generator knows);
* the **hand judge**: ``styles.load_hand_classifier``, the font judge's CNN with a sixth class, "hand";
* ``measure_imitation``: on the 376 held-out characters, the share the hand judge calls "hand" (the imitation
  passes), content kept (``styles.content_any_font`` with the hand in the bank), L1 to the true hand glyph, and
  memorisation against the k training glyphs (``metrics.memorisation``, notebook 10's measure, in the judge's
  features);
* ``imitation_run``: one seed of the table, k = 0, 1, 2, 5, ... glyphs, nested (each k's glyphs hold the smaller k's).
"""
from __future__ import annotations

import time
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from . import checks, data, metrics, reader, styles, translation

__all__ = ["START_CODE", "SHOTS", "fine_tune", "measure_imitation", "imitation_run"]

START_CODE = "kai"                        # the hand starts from this font's code: both are brush regular scripts
SHOTS = (0, 1, 2, 5, 10, 20, 50, 100)    # glyphs of the hand shown, in the table of ``benchmarks/hand_table.py``


@partial(jax.jit, static_argnums=0)
def _l1_step(graphdef, state, condition, target):
    g, opt = nnx.merge(graphdef, state)

    def loss_fn(g):
        return jnp.abs(g(jnp.zeros((len(condition), 0)), condition) - target).mean()

    loss, grads = nnx.value_and_grad(loss_fn)(g)
    opt.update(g, grads)
    return nnx.state((g, opt)), {"l1": loss}


def fine_tune(generator: nnx.Module, source, target, *, code: str = START_CODE, steps: int = 300,
              batch_size: int = 16, lr: float = 2e-4, seed: int = 0) -> tuple[nnx.Module, dict]:
    """Fine-tunes a copy of a style generator on k pairs of a new hand, with the L1 term of pix2pix alone.

    Args:
      generator: a style generator (``styles.load_pretrained_styles()``); it is not changed.
      source, target: k source glyphs and the hand's glyphs of the same characters, (k, 32, 32, 1) uint8 or floats in
        [-1, 1]; k = 0 returns an unchanged copy.
      code: the target font whose one-hot code the hand is drawn with (``START_CODE``).
      steps, batch_size, lr: Adam (b1 0.5, as pix2pix) steps on batches drawn with replacement from the k pairs.
      seed: the batches' key.
    Returns:
      (the fine-tuned copy, {"l1": (steps,) training L1, "seconds": wall time}).
    """
    one_hot = _one_hot(code)
    seed = checks.count("seed", seed, 0)
    if not getattr(generator, "n_styles", 0):
        raise TypeError("generator must be a style generator, styles.load_pretrained_styles(); got "
                        f"{type(generator).__name__}.")
    x, y = (_unit(a, name) for a, name in ((source, "source"), (target, "target")))
    if x.shape != y.shape:
        raise ValueError(f"source and target must be the same characters, got shapes {x.shape} and {y.shape}.")
    steps, batch_size = checks.count("steps", steps), checks.count("batch_size", batch_size)
    lr = checks.number("lr", lr, low=0, low_open=True, fix="2e-4 is pix2pix's")
    g = nnx.clone(generator)
    if not len(x):
        return g, {"l1": np.zeros(0), "seconds": 0.0}
    condition = styles.style_condition(x, one_hot)
    condition, y = jnp.asarray(condition), jnp.asarray(y)
    opt = nnx.Optimizer(g, optax.adam(lr, b1=0.5), wrt=nnx.Param)
    graphdef, state = nnx.split((g, opt))
    picks = jax.random.randint(jax.random.key(seed), (steps, batch_size), 0, len(x))   # one key, split by row
    t0, losses = time.perf_counter(), []
    for rows in picks:
        state, m = _l1_step(graphdef, state, condition[rows], y[rows])
        losses.append(m["l1"])
    g, _ = nnx.merge(graphdef, state)
    return g, {"l1": np.asarray(jax.device_get(losses)), "seconds": time.perf_counter() - t0}


def _one_hot(code: str) -> np.ndarray:
    """The style code (K,) of one of the generator's fonts, by name."""
    names = styles.FONT_STYLES[1:]
    if not isinstance(code, str) or code not in names:
        raise ValueError(f"code must be one of the generator's fonts {list(names)}, got {code!r}.")
    return np.eye(len(names), dtype=np.float32)[names.index(code)]


def _unit(images, name: str) -> np.ndarray:
    return checks.unit_images(images, name, shape=(32, 32, 1), uint8=True, min_count=0)


def measure_imitation(generator: nnx.Module, test: data.GlyphStyles, train_hand=None, *, code: str = START_CODE,
                      classifier: translation.StyleClassifier | None = None) -> dict:
    """How well a (fine-tuned) style generator imitates the hand on held-out characters.

    Args:
      generator: the style generator; it draws ``test.source`` with ``code``'s one-hot code.
      test: held-out characters with the hand (``data.load_glyph_styles("test", hand=True)``).
      train_hand: the k hand glyphs it was fine-tuned on, (k, 32, 32, 1) (None or k = 0: no memorisation row).
      classifier: the hand judge (default ``styles.load_hand_classifier()``).
    Returns:
      dict: ``passes`` (the share the judge calls "hand"), ``called`` (share called each of ``HAND_STYLES``),
      ``content`` (``content_any_font`` with the hand in the bank), ``legibility`` (``reader.legibility``: read by a
      judge that learnt the characters from five other fonts), ``l1`` (to the true hand glyph), and with
      training glyphs ``memorisation`` (``metrics.memorisation``: drawn glyphs against the k training glyphs, measured
      against the true held-out hand glyphs) and ``copy_line`` (``metrics.copy_line`` for the test count);
      ``images`` (N, 32, 32, 1).
    """
    if "hand" not in test.styles:
        raise ValueError("test holds no hand glyphs to compare with: load it with "
                         "data.load_glyph_styles('test', hand=True).")
    judge = classifier or styles.load_hand_classifier()
    if "hand" not in getattr(judge, "classes", ()):
        raise ValueError(f"the classifier's classes {getattr(judge, 'classes', None)} have no 'hand', so nothing "
                         "could pass as the hand: use styles.load_hand_classifier() (or leave classifier out).")
    x = styles.draw_in_style(generator, data.to_unit_range(test.source), _one_hot(code))
    features, logits = translation.classifier_logits(x, judge)
    called = np.bincount(logits.argmax(1), minlength=len(styles.HAND_STYLES)) / len(x)
    true = test.style("hand")
    out = {"passes": float(called[styles.HAND_STYLES.index("hand")]), "called": called.round(4).tolist(),
           "content": styles.content_any_font(x, test.chars, hand=True), "legibility": reader.legibility(x, test.chars),
           "l1": float(np.abs(x - data.to_unit_range(true)).mean()), "images": x}
    if train_hand is not None and len(train_hand):
        train_features = translation.classifier_logits(train_hand, judge)[0]
        test_features = translation.classifier_logits(true, judge)[0]
        out["memorisation"] = metrics.memorisation(features, train_features, test_features)
        out["copy_line"] = metrics.copy_line(len(x))
    return out


def imitation_run(seed: int, shots=SHOTS, *, steps: int = 300, generator: nnx.Module | None = None,
                  train: data.GlyphStyles | None = None, test: data.GlyphStyles | None = None) -> list[dict]:
    """One seed of notebook 12's imitation table: a seeded order of the training characters; for each k in
    ``shots``, the style generator fine-tuned on the first k (``fine_tune``, batch key ``seed``) and measured on the
    held-out characters (``measure_imitation``). Returns one row per k (images left out)."""
    from . import precomputed
    g0 = generator if generator is not None else styles.load_pretrained_styles()
    train = train if train is not None else data.load_glyph_styles("train", hand=True)
    test = test if test is not None else data.load_glyph_styles("test", hand=True)
    seed = checks.count("seed", seed, 0)
    shots = [checks.count("each of shots", k, 0) for k in np.atleast_1d(shots).tolist()] if np.size(shots) else []
    if not shots or sorted(set(shots)) != list(shots) or shots[-1] > len(train):
        raise ValueError(f"shots must be increasing counts in 0..{len(train)}, got {shots}.")
    order = np.random.default_rng(seed).permutation(len(train))
    rows = []
    for k in shots:
        picked = train.select(order[:k])
        g, log = fine_tune(g0, picked.source, picked.style("hand"), steps=steps, seed=seed)
        m = measure_imitation(g, test, picked.style("hand"))
        m.pop("images")
        rows.append({"seed": seed, "k": k, "steps": steps if k else 0, "chars": picked.chars,
                     "train_seconds": round(log["seconds"], 1), "final_l1": round(float(log["l1"][-20:].mean()), 4)
                     if k else None, "machine": precomputed.machine_record(), **m})
    return rows
