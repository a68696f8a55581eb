"""Measuring an image-to-image translation (notebook 11): how close, how legible, in which style, how crisp.

Every score compares a translated glyph with the true glyph of the same character in the target font, on
characters training never saw (``data.load_glyphs("test")``):

* ``l1``: mean absolute error, in the [-1, 1] units G is trained in (pix2pix's own reconstruction term);
* ``ssim``: structural similarity (Wang et al., 2004), 1 for identical images: it compares local means, contrasts and
  correlations in an 11x11 Gaussian window, so a shifted stroke costs less than with L1 and a blur costs more;
* ``content``: share of glyphs read as the right character by a nearest-neighbour classifier that holds the true
  target-font glyph of every one of the 3,755 characters (``content_reading``): the glyph is compared, slightly
  blurred so that a one-pixel shift of a stroke costs little, with all 3,755, and the nearest names it. It
  measures fidelity to that one font's stroke placement, not legibility: a printed glyph scores about two in three;
* ``legibility``: share read as the right character by ``gan_utils.reader``'s CNN, which learnt 4,131 characters
  (the 3,755 and the validation characters) from five fonts no notebook uses (every course font is unseen by it;
  its accuracy on the true glyphs is the reference in that font, not a ceiling);
* ``style``: share that a small CNN (``StyleClassifier``) calls the target font (LXGW WenKai, "kai") rather than the
  source (Noto Sans CJK, "hei");
* ``fid``: the Frechet distance between that CNN's features of the translations and of the true glyphs (the
  realism score; at a few hundred glyphs it is biased upwards, so compare rows of the same N only);
* ``kid``, ``kid_std``: the kernel distance on the same features (``metrics.kid_from_features``): unbiased at small
  N, with its spread over subsets (two true glyph sets score about 0);
* ``sharpness``: mean gradient magnitude over the true glyph's: 1 = as crisp, and a blurred average of all
  plausible strokes, which L1 rewards (Isola et al., 2017, Sec. 3.1), falls below 1.

The style classifier is trained by ``scripts/train_glyph_classifier.py`` on the training characters in both fonts,
with random shifts, blur and noise, and checked on the held-out characters; its weights ship in
``assets/glyph_classifier``.
"""
from __future__ import annotations

import os
from functools import lru_cache, partial
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from . import checks, data, metrics, models, reader

__all__ = ["StyleClassifier", "GLYPH_CLASSIFIER_DIR", "STYLES", "load_style_classifier", "style_outputs",
           "classifier_logits", "content_reading", "content_accuracy", "ssim", "sharpness", "translation_scores",
           "CLASSIFIER_SIZE", "OBJECTIVES", "build_translator", "train_translator"]

GLYPH_CLASSIFIER_DIR = Path(__file__).resolve().parent / "assets" / "glyph_classifier"
STYLES = ("hei", "kai")        # the style head's classes: source font, target font
CLASSIFIER_SIZE = 32           # the classifier reads 32x32 glyphs; 64x64 ones are area-averaged first
FEATURES = 128


class StyleClassifier(nnx.Module):
    """A small CNN for 32x32 glyphs: images (N, 32, 32, 1) in [-1, 1] -> style logits (N, C): C = 2 (hei, kai) for
    notebook 11's judge; notebook 12's font judge (``gan_utils.styles``) tells C = 5 fonts apart.

    Layers (no BatchNorm, so training and inference compute the same features):
      Conv 3x3 1 -> 32, ReLU, max-pool 2 (16x16)
      Conv 3x3 32 -> 64, ReLU, max-pool 2 (8x8)
      Conv 3x3 64 -> 128, ReLU, max-pool 2 (4x4)
      Linear 2048 -> 128, ReLU                 <- ``features``: what the realism score (FID) compares
      Dropout (training only), Linear 128 -> C styles (default: hei, kai)

    Args:
      dropout: dropout rate before the head while training.
      classes: the style names, one logit each.
      rngs: the NNX random streams.
    """

    def __init__(self, *, dropout: float = 0.3, classes: tuple = STYLES, rngs: nnx.Rngs):
        if len(classes) < 2 or len(set(classes)) != len(classes):
            raise ValueError(f"StyleClassifier needs at least two distinct class names, got {classes!r}.")
        checks.number("dropout", dropout, low=0, high=1, high_open=True)
        self.classes = tuple(classes)
        self.convs = models._ModuleList([nnx.Conv(a, b, (3, 3), rngs=rngs) for a, b in ((1, 32), (32, 64), (64, 128))])
        self.fc = nnx.Linear(4 * 4 * 128, FEATURES, rngs=rngs)
        self.drop = nnx.Dropout(dropout, rngs=rngs)
        self.head = nnx.Linear(FEATURES, len(self.classes), rngs=rngs)

    def features(self, x: jax.Array) -> jax.Array:
        """Penultimate features (N, 128)."""
        if x.ndim != 4 or tuple(x.shape[1:]) != (CLASSIFIER_SIZE, CLASSIFIER_SIZE, 1):
            raise ValueError(f"StyleClassifier expects images of shape (N, 32, 32, 1), got {tuple(x.shape)}.")
        pool = partial(nnx.max_pool, window_shape=(2, 2), strides=(2, 2))
        for conv in self.convs:
            x = pool(nnx.relu(conv(x)))
        return nnx.relu(self.fc(x.reshape(x.shape[0], -1)))

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.head(self.drop(self.features(x)))


@lru_cache(maxsize=2)
def _load_cached(path: str) -> StyleClassifier:
    from . import checkpoint
    return checkpoint._load_judge(path, StyleClassifier(rngs=nnx.Rngs(0)), "Train the style classifier with `python "
                                  "scripts/train_glyph_classifier.py`, or re-install gan_utils (it ships one).")


def load_style_classifier(path: str | os.PathLike = GLYPH_CLASSIFIER_DIR) -> StyleClassifier:
    """The shipped style classifier (in eval mode), cached."""
    return _load_cached(str(Path(path).resolve()))


@jax.jit
def _forward(graphdef, state, x):
    model = nnx.merge(graphdef, state)
    h = model.features(x)
    return h, model.head(h)


def style_outputs(images, classifier: StyleClassifier | None = None, batch_size: int = 1000) -> dict:
    """The style classifier's reading of glyphs (32x32 or 64x64, uint8 or floats in [-1, 1]): ``features``
    (N, 128) and ``kai`` (N,), the probability of the target style."""
    checks.count("batch_size", batch_size)
    h, s = classifier_logits(images, classifier or load_style_classifier(), batch_size)
    return {"features": h, "kai": np.asarray(jax.nn.softmax(s, -1)[:, STYLES.index("kai")])}


def classifier_logits(images, classifier: StyleClassifier, batch_size: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """A style classifier's penultimate features (N, 128) and logits (N, C) for glyphs (32x32 or 64x64, uint8 or
    floats in [-1, 1]), in batches of ``batch_size`` (bounds memory)."""
    checks.count("batch_size", batch_size)
    if not isinstance(classifier, StyleClassifier):
        raise TypeError(f"classifier must be a StyleClassifier (translation.load_style_classifier(), "
                        f"styles.load_font_classifier()), got {type(classifier).__name__}.")
    x = checks.glyphs_32(images)
    graphdef, state = nnx.split(classifier)
    outs = [jax.device_get(_forward(graphdef, state, jnp.asarray(x[i:i + batch_size])))
            for i in range(0, len(x), batch_size)]
    return tuple(np.concatenate([o[j] for o in outs]) for j in range(2))


def _soften(x: np.ndarray) -> np.ndarray:
    """A 3x3 binomial blur (1-2-1 in each direction), edges repeated: a stroke one pixel off still overlaps."""
    p = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    rows = (p[:, :-2] + 2 * p[:, 1:-1] + p[:, 2:]) / 4
    return (rows[:, :, :-2] + 2 * rows[:, :, 1:-1] + rows[:, :, 2:]) / 4


def _bank(size: int, chars: str | None = None):
    """The content reading's templates at ``size``: every level-1 character (``data.load_glyphs("all")``), and the
    validation characters too when ``chars`` holds one of them."""
    bank = data.load_glyphs("all", size=size)
    if chars is not None and not set(chars) <= set(bank.chars):
        val = data.load_glyphs("validation", size=size)
        bank = data.GlyphPairs(np.concatenate([bank.source, val.source]), np.concatenate([bank.target, val.target]),
                               bank.chars + val.chars, bank.provenance)
    return bank


def content_reading(images, bank=None) -> np.ndarray:
    """Which character each glyph is, by its nearest true target-font glyph: (N,) indices into ``bank.chars``.

    A nearest-neighbour classifier holding one glyph per class, the true LXGW WenKai glyph of each of the 3,755
    characters (``data.load_glyphs("all")`` at the images' size, or ``bank``; ``content_accuracy`` adds the 376
    validation characters when it scores them): both sides are softened by a 3x3 blur,
    and the nearest in Euclidean distance names the character.
    """
    x = checks.unit_images(images, "images", shape=(None, None, 1), square=True)
    bank = bank if bank is not None else data.load_glyphs("all", size=x.shape[1])
    b = data.to_unit_range(bank.target)
    if b.shape[1:] != x.shape[1:]:
        raise ValueError(f"the bank's glyphs are {b.shape[1:]}, the images {x.shape[1:]}: load both at one size.")
    q, r = _soften(x).reshape(len(x), -1), _soften(b).reshape(len(b), -1)
    d2 = (q ** 2).sum(1)[:, None] - 2 * q @ r.T + (r ** 2).sum(1)[None]
    return d2.argmin(1)


def content_accuracy(images, chars: str, bank=None) -> float:
    """The share of glyphs (N, S, S, 1) in [-1, 1] that ``content_reading`` reads as their character, ``chars[i]``
    for row i (``bank``: as ``content_reading``)."""
    x = checks.unit_images(images, "images", shape=(None, None, 1), square=True)
    checks.chars(chars, len(x))
    bank = bank if bank is not None else _bank(x.shape[1], chars)
    where = {c: i for i, c in enumerate(bank.chars)}
    missing = [c for c in chars if c not in where]
    if missing:
        raise ValueError(f"the content reading does not know {''.join(missing[:10])!r}: it names the characters "
                         "of data.load_glyphs('all') and data.load_glyphs('validation').")
    return float((content_reading(x, bank) == np.array([where[c] for c in chars])).mean())


def _gaussian_window(size: int = 11, sigma: float = 1.5) -> jnp.ndarray:
    g = jnp.exp(-0.5 * ((jnp.arange(size) - (size - 1) / 2) / sigma) ** 2)
    g = g / g.sum()
    return jnp.outer(g, g)[:, :, None, None]


@jax.jit
def _ssim_map(x, y):
    w = _gaussian_window()
    blur = partial(jax.lax.conv_general_dilated, rhs=w, window_strides=(1, 1), padding="VALID",
                   dimension_numbers=("NHWC", "HWIO", "NHWC"))
    c1, c2 = (0.01 * 2) ** 2, (0.03 * 2) ** 2          # K1, K2 of Wang et al. times the dynamic range, 2 for [-1, 1]
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx ** 2, blur(y * y) - my ** 2, blur(x * y) - mx * my
    return ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))


def _pair(x, y, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Two batches of glyphs of one shape (N, S, S, 1), floats in [-1, 1], checked by ``checks.unit_images``."""
    x, y = (checks.unit_images(a, f"the images given to {name}", shape=(None, None, 1)) for a in (x, y))
    if x.shape != y.shape:
        raise ValueError(f"{name} compares two batches of the same shape (N, S, S, 1), got {x.shape} and {y.shape}.")
    return x, y


def ssim(x, y) -> np.ndarray:
    """Structural similarity of each pair (Wang et al., 2004; 11x11 Gaussian window of sigma 1.5, K1 = 0.01,
    K2 = 0.03), for images in [-1, 1] of shape (N, S, S, 1) with S >= 11: (N,) values, 1 for identical images."""
    x, y = _pair(x, y, "ssim")
    if x.shape[1] < 11:
        raise ValueError(f"ssim's window is 11x11: images need a side of at least 11, got {x.shape[1]}.")
    return np.asarray(_ssim_map(jnp.asarray(x), jnp.asarray(y)).mean((1, 2, 3)))


def sharpness(x, reference) -> float:
    """Mean gradient magnitude (|horizontal| + |vertical| differences) of ``x`` over that of ``reference``: 1 when
    as crisp as the reference, below 1 when blurred."""
    x, r = _pair(x, reference, "sharpness")

    def grad_mag(a):
        return np.abs(np.diff(a, axis=1)).mean() + np.abs(np.diff(a, axis=2)).mean()

    if x.shape[1] < 2 or x.shape[2] < 2:
        raise ValueError(f"sharpness compares pixel differences: images need at least 2x2 pixels, got {x.shape}.")
    flat = grad_mag(r)
    if flat == 0:   # the ratio would be inf or nan: a reference with no edge has no sharpness to compare with
        raise ValueError("the reference images are flat (one grey level, no edges): sharpness compares with the "
                         "reference's edges; pass true glyphs as the reference.")
    return float(grad_mag(x) / flat)


def translation_scores(translated, true, chars: str, *, classifier: StyleClassifier | None = None,
                       true_outputs: dict | None = None) -> dict:
    """Every score of notebook 11 for translated glyphs against the true glyphs of the same characters.

    Args:
      translated, true: (N, S, S, 1) in [-1, 1] (S = 16, 32 or 64), row i the same character.
      chars: the N characters, to check the content reading against.
      classifier: the style classifier; default the shipped one.
      true_outputs: ``style_outputs(true)``, when it is already computed (it is the same for every row of a table).
    Returns:
      dict of floats: l1, ssim, content, legibility, style, fid, kid, kid_std, sharpness (see the module's
      docstring); legibility, style, fid and kid are None for 16x16 glyphs, which the judges do not read.
    """
    x, t = _pair(translated, true, "translation_scores")
    scores = {"l1": float(np.abs(x - t).mean()), "ssim": float(ssim(x, t).mean()),
              "content": content_accuracy(x, chars), "legibility": None, "style": None, "fid": None, "kid": None,
              "kid_std": None, "sharpness": sharpness(x, t)}
    if len(x) < 2:   # the realism score (FID) needs a spread of features
        raise ValueError(f"translation_scores needs at least 2 glyphs (the FID compares two spreads), got {len(x)}.")
    if x.shape[1] % CLASSIFIER_SIZE == 0:   # the style classifier reads 32x32 (and 64x64, averaged) glyphs only
        out = style_outputs(x, classifier)
        ref = true_outputs or style_outputs(t, classifier)
        if len(ref["features"]) != len(t):   # the FID would compare with another set of glyphs
            raise ValueError(f"true_outputs holds {len(ref['features'])} glyphs' outputs, true holds {len(t)}: pass "
                             "style_outputs(true) of these same glyphs.")
        kid, kid_std = metrics.kid_from_features(out["features"], ref["features"])
        scores.update(style=float((out["kai"] > 0.5).mean()), legibility=reader.legibility(x, chars),
                      fid=metrics.fid_from_features(out["features"], ref["features"]), kid=kid, kid_std=kid_std)
    return scores


# ---------------------------------------------------------------------------------------------------------------------
# Training a translator on the glyph pairs: the course's GAN, step and fit, with pix2pix's networks and objective.

# The objectives notebook 11 compares: the step options of each (``steps.make_train_step``).
OBJECTIVES = {
    "L1 only": dict(generator_loss="none", l1_weight=100.0),          # G regresses the target; D trains, unused
    "GAN only": dict(generator_loss="non_saturating", l1_weight=0.0),  # G learns from D alone
    "L1 + GAN": dict(generator_loss="non_saturating", l1_weight=100.0),  # pix2pix (Isola et al. 2017: lambda 100)
}


def build_translator(size: int = 32, *, base: int = 32, d_base: int = 32, patch_layers: int = 2, lr: float = 2e-4,
                     ema: float = 0.0, seed: int = 0):
    """A pix2pix GAN for glyphs: ``models.UNetGenerator`` and ``models.PatchDiscriminator`` (``patch_layers``
    strided convolutions: 1, 2, 3 give 16, 34, 70-pixel patches) in the course's ``steps.GAN``, Adam with beta1 0.5
    (pix2pix's and DCGAN's). The generator is seeded with ``seed``, the discriminator with ``seed + 1``."""
    from .steps import GAN
    size, base, d_base = (checks.count(n, v) for n, v in (("size", size), ("base", base), ("d_base", d_base)))
    seed = checks.count("seed", seed, 0)
    lr = checks.number("lr", lr, low=0, low_open=True, fix="pix2pix's is 2e-4")
    g = models.UNetGenerator(size, base, rngs=nnx.Rngs(seed))
    d = models.PatchDiscriminator(size, d_base, n_down=patch_layers, rngs=nnx.Rngs(seed + 1))
    return GAN(g, d, g_lr=lr, d_lr=lr, b1=0.5, ema=ema)


def train_translator(objective: str = "L1 + GAN", *, size: int = 32, steps: int | None = 600,
                     minutes: float | None = None, batch_size: int = 32, seed: int = 0, pairs=None,
                     progress: bool = False, callbacks=(), callback_every: int = 100, **build) -> tuple:
    """Trains a translator on the training glyph pairs with ``train.fit``: returns ``(gan, fit_result)``.

    Args:
      objective: a key of ``OBJECTIVES``, or a dict of step options (e.g. ``dict(l1_weight=10.0)``).
      size: glyph side (16, 32 or 64).
      steps, minutes: how long (as ``fit``).
      batch_size: pairs per step.
      seed: the run's seed: initialisation (``build_translator(seed=...)``), batch order and step keys.
      pairs: the training pairs (default ``data.load_glyphs("train", size=size)``).
      progress, callbacks, callback_every: as ``fit``.
      **build: more options of ``build_translator`` (base, d_base, patch_layers, lr, ema).
    """
    from . import train
    if isinstance(objective, str) and objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; choose one of {list(OBJECTIVES)}, or pass the step "
                         "options as a dict, e.g. dict(l1_weight=10.0).")
    options = OBJECTIVES[objective] if isinstance(objective, str) else dict(objective)
    seed = checks.count("seed", seed, 0)
    checks.flag("progress", progress)
    if steps is not None:
        steps = checks.count("steps", steps)       # 0 would return an untrained translator as if trained
    if minutes is not None:
        minutes = checks.number("minutes", minutes, low=0, low_open=True)
    pairs = pairs if pairs is not None else data.load_glyphs("train", size=size)
    batches = data.BatchSampler((data.to_unit_range(pairs.target), data.to_unit_range(pairs.source)), batch_size,
                                jax.random.key(seed + 2))
    gan = build_translator(size, seed=seed, **build)
    result = train.fit(gan, batches, key=jax.random.key(seed + 3), steps=steps, minutes=minutes, progress=progress,
                       callbacks=callbacks, callback_every=callback_every, **options)
    return gan, result
