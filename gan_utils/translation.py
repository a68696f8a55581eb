"""Measuring an image-to-image translation (notebook 11): how close, how legible, in which style, how crisp.

Every score compares a translated glyph with the true glyph of the same character in the target font, on
characters training never saw (``data.load_glyphs("test")``):

* ``l1``: mean absolute error, in the [-1, 1] units G is trained in (pix2pix's own reconstruction term);
* ``ssim``: structural similarity (Wang et al., 2004), 1 for identical images: it compares local means, contrasts and
  correlations in an 11x11 Gaussian window, so a shifted stroke costs less than with L1 and a blur costs more;
* ``content``: share of glyphs the glyph classifier reads as the right character (of 3,755);
* ``style``: share it calls the target font (LXGW WenKai, "kai") rather than the source (Noto Sans CJK, "hei");
* ``fid``: the Frechet distance between the classifier's features of the translations and of the true glyphs (the
  realism score; at a few hundred glyphs it is biased upwards, so compare rows of the same N only);
* ``sharpness``: mean gradient magnitude over the true glyph's: 1 = as crisp, and a blurred average of all
  plausible strokes, which L1 rewards (Isola et al., 2017, Sec. 3.1), falls below 1.

The glyph classifier (``GlyphClassifier``) is a small CNN trained by ``scripts/train_glyph_classifier.py`` on every
character in both fonts, with random shifts; its weights ship in ``assets/glyph_classifier``.
"""
from __future__ import annotations

import os
from functools import lru_cache, partial
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from . import data, metrics, models

__all__ = ["GlyphClassifier", "GLYPH_CLASSIFIER_DIR", "STYLES", "load_glyph_classifier", "glyph_outputs", "ssim",
           "sharpness", "translation_scores", "CLASSIFIER_SIZE"]

GLYPH_CLASSIFIER_DIR = Path(__file__).resolve().parent / "assets" / "glyph_classifier"
STYLES = ("hei", "kai")        # the style head's classes: source font, target font
CLASSIFIER_SIZE = 32           # the classifier reads 32x32 glyphs; 64x64 ones are area-averaged first
FEATURES = 128


class GlyphClassifier(nnx.Module):
    """A small CNN for 32x32 glyphs: images (N, 32, 32, 1) in [-1, 1] -> (character logits (N, C), style logits (N, 2)).

    Layers (no BatchNorm, so training and inference compute the same features):
      Conv 3x3 1 -> 32, ReLU, max-pool 2 (16x16)
      Conv 3x3 32 -> 64, ReLU, max-pool 2 (8x8)
      Conv 3x3 64 -> 128, ReLU, max-pool 2 (4x4)
      Linear 2048 -> 128, ReLU                 <- ``features``: what the realism score (FID) compares
      Dropout (training only), Linear 128 -> C characters; Linear 128 -> 2 styles (hei, kai)

    Args:
      num_chars: characters it names (the glyph data's 3,755).
      dropout: dropout rate before the heads while training.
      rngs: the NNX random streams.
    """

    def __init__(self, num_chars: int = 3755, *, dropout: float = 0.3, rngs: nnx.Rngs):
        self.num_chars = num_chars
        self.convs = models._ModuleList([nnx.Conv(a, b, (3, 3), rngs=rngs) for a, b in ((1, 32), (32, 64), (64, 128))])
        self.fc = nnx.Linear(4 * 4 * 128, FEATURES, rngs=rngs)
        self.drop = nnx.Dropout(dropout, rngs=rngs)
        self.char_head = nnx.Linear(FEATURES, num_chars, rngs=rngs)
        self.style_head = nnx.Linear(FEATURES, len(STYLES), rngs=rngs)

    def features(self, x: jax.Array) -> jax.Array:
        """Penultimate features (N, 128)."""
        if x.ndim != 4 or tuple(x.shape[1:]) != (CLASSIFIER_SIZE, CLASSIFIER_SIZE, 1):
            raise ValueError(f"GlyphClassifier expects images of shape (N, 32, 32, 1), got {tuple(x.shape)}.")
        pool = partial(nnx.max_pool, window_shape=(2, 2), strides=(2, 2))
        for conv in self.convs:
            x = pool(nnx.relu(conv(x)))
        return nnx.relu(self.fc(x.reshape(x.shape[0], -1)))

    def __call__(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        h = self.drop(self.features(x))
        return self.char_head(h), self.style_head(h)


@lru_cache(maxsize=2)
def _load_cached(path: str) -> GlyphClassifier:
    from . import checkpoint
    if not (Path(path) / checkpoint.STATE_FILE).exists():
        raise FileNotFoundError(f"no glyph classifier at {path}: train one with `python "
                                "scripts/train_glyph_classifier.py`, or re-install gan_utils (it ships one).")
    meta = checkpoint.load_meta(path)
    model = GlyphClassifier(meta.get("num_chars", 3755), rngs=nnx.Rngs(0))
    checkpoint.load_module(path, model)
    model.eval()
    return model


def load_glyph_classifier(path: str | os.PathLike = GLYPH_CLASSIFIER_DIR) -> GlyphClassifier:
    """The shipped glyph classifier (in eval mode), cached."""
    return _load_cached(str(Path(path).resolve()))


@jax.jit
def _forward(graphdef, state, x):
    model = nnx.merge(graphdef, state)
    h = model.features(x)
    return h, model.char_head(h), model.style_head(h)


def _as_classifier_input(images) -> np.ndarray:
    """uint8 glyphs (255 = ink) or floats in [-1, 1], 32x32 or 64x64 -> float32 (N, 32, 32, 1) in [-1, 1]."""
    x = np.asarray(images)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] != 1 or x.shape[1] != x.shape[2] or x.shape[1] % CLASSIFIER_SIZE:
        raise ValueError(f"glyphs must have shape (N, 32, 32, 1) or (N, 64, 64, 1), got {np.shape(images)}.")
    if len(x) == 0:
        raise ValueError("no glyphs to score: pass at least one image.")
    x = data.to_unit_range(x) if x.dtype == np.uint8 else x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError("NaN or Inf in the glyphs: the generator has diverged (check the training losses).")
    f = x.shape[1] // CLASSIFIER_SIZE
    return x.reshape(len(x), CLASSIFIER_SIZE, f, CLASSIFIER_SIZE, f, 1).mean((2, 4)) if f > 1 else x


def glyph_outputs(images, classifier: GlyphClassifier | None = None, batch_size: int = 1000) -> dict:
    """The classifier's reading of glyphs: ``features`` (N, 128), ``char`` (N,) the character index it names (in
    ``data.load_glyphs("all")``'s order), ``char_prob`` (N,) its probability, ``kai`` (N,) the probability of the
    target style."""
    x = _as_classifier_input(images)
    model = classifier or load_glyph_classifier()
    graphdef, state = nnx.split(model)
    outs = [jax.device_get(_forward(graphdef, state, jnp.asarray(x[i:i + batch_size])))
            for i in range(0, len(x), batch_size)]
    h, c, s = (np.concatenate([o[j] for o in outs]) for j in range(3))
    pc, ps = jax.nn.softmax(c, -1), jax.nn.softmax(s, -1)
    return {"features": h, "char": np.asarray(c.argmax(-1)), "char_prob": np.asarray(pc.max(-1)),
            "kai": np.asarray(ps[:, STYLES.index("kai")])}


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
    x, y = (np.asarray(a, np.float32) for a in (x, y))
    if x.shape != y.shape or x.ndim != 4 or x.shape[-1] != 1:
        raise ValueError(f"{name} compares two batches of the same shape (N, S, S, 1), got {x.shape} and {y.shape}.")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError(f"NaN or Inf in the images given to {name}.")
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

    return float(grad_mag(x) / grad_mag(r))


def translation_scores(translated, true, chars: str, *, classifier: GlyphClassifier | None = None,
                       true_outputs: dict | None = None) -> dict:
    """Every score of notebook 11 for translated glyphs against the true glyphs of the same characters.

    Args:
      translated, true: (N, S, S, 1) in [-1, 1] (S = 32 or 64), row i the same character.
      chars: the N characters, to check the classifier's reading against.
      classifier: default the shipped one.
      true_outputs: ``glyph_outputs(true)``, when it is already computed (it is the same for every row of a table).
    Returns:
      dict of floats: l1, ssim, content, style, fid, sharpness (see the module's docstring).
    """
    x, t = _pair(translated, true, "translation_scores")
    if not isinstance(chars, str) or len(chars) != len(x):
        raise ValueError(f"chars must be a str with one character per glyph ({len(x)}), got {chars!r:.40}.")
    where = {c: i for i, c in enumerate(data.load_glyphs("all").chars)}
    missing = [c for c in chars if c not in where]
    if missing:
        raise ValueError(f"the classifier does not know {''.join(missing[:10])!r}: it names the 3,755 characters of "
                         "data.load_glyphs('all').")
    out = glyph_outputs(x, classifier)
    ref = true_outputs or glyph_outputs(t, classifier)
    return {"l1": float(np.abs(x - t).mean()), "ssim": float(ssim(x, t).mean()),
            "content": float((out["char"] == np.array([where[c] for c in chars])).mean()),
            "style": float((out["kai"] > 0.5).mean()),
            "fid": metrics.fid_from_features(out["features"], ref["features"]),
            "sharpness": sharpness(x, t)}
