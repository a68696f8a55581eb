"""Styles as a space (notebook 12): one generator for several target fonts, steered by a style code.

The glyph styles (``data.load_glyph_styles``) hold every character in the source font (Noto Sans CJK SC, "hei") and
in four target fonts: LXGW WenKai ("kai", brush), Noto Serif CJK SC ("song", serif), Noto Sans CJK SC Bold
("heibold") and Smiley Sans Oblique ("smiley", condensed and slanted). Pieces:

* ``style_condition``: a source glyph and a style code, a weight per target font, as one array (N, S, S, 1 + K), the
  condition of ``models.UNetGenerator(n_styles=K)`` and ``models.PatchDiscriminator(n_styles=K)``;
* ``train_style_translator``: pix2pix (notebook 11's step, ``l1_weight`` 100) on every (character, font) pair, so one
  generator learns all K fonts (zi2zi's recipe, Tian 2017, without its extra losses);
* ``load_pretrained_styles``: the shipped generator (``benchmarks/styles_table.py --save-generator``);
* the **font judge**: ``StyleClassifier`` with five classes (hei and the four targets), trained by
  ``scripts/train_glyph_classifier.py --fonts``; ``font_probabilities`` reads glyphs with it;
* ``content_any_font``: does a glyph still read as its character, by its nearest true glyph in any of the five
  fonts (notebook 11's nearest-neighbour reading, with a bank of 5 x 3,755 glyphs);
* ``path_codes`` and ``style_path``: codes on the straight line between two fonts, and what the judge and the
  content reading say along it.
"""
from __future__ import annotations

import itertools
import os
import time
from functools import lru_cache
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from . import checks, data, models, translation

__all__ = ["FONT_STYLES", "HAND_STYLES", "FONT_CLASSIFIER_DIR", "HAND_CLASSIFIER_DIR", "PRETRAINED_STYLES_DIR",
           "style_condition", "style_examples", "build_style_translator", "train_style_translator",
           "load_pretrained_styles", "draw_in_style", "load_font_classifier", "load_hand_classifier",
           "font_probabilities", "content_any_font", "path_codes", "style_path", "pixel_path", "measure_generator",
           "seed_run"]

_ASSETS = Path(__file__).resolve().parent / "assets"
FONT_CLASSIFIER_DIR = _ASSETS / "font_classifier"
PRETRAINED_STYLES_DIR = _ASSETS / "pretrained_styles"
FONT_STYLES = ("hei", "kai", "song", "heibold", "smiley")   # the font judge's classes: the source, then the targets
HAND_STYLES = FONT_STYLES + ("hand",)                        # the hand judge's: the five fonts and the new hand
HAND_CLASSIFIER_DIR = _ASSETS / "hand_classifier"


def _codes(code, n: int, k: int) -> np.ndarray:
    if code is None or isinstance(code, str) or np.ndim(code) not in (1, 2):
        k = k or len(FONT_STYLES) - 1    # a scalar or a name tells no K: the shipped generator's four target fonts
        raise ValueError(f"a style code is a vector of one weight per target font ({k}), e.g. np.eye({k})[0] for "
                         f"the first, or one such row per glyph ({n}, {k}); got {code!r:.40}.")
    c = np.asarray(code, np.float32)
    if c.shape[-1] == 0:   # an empty code: a condition with no style in it
        raise ValueError(f"a style code has one weight per target font; got an empty one, shape {c.shape}.")
    if c.ndim == 1:
        c = np.broadcast_to(c, (n, len(c)))
    if c.shape != (n, k):
        raise ValueError(f"a style code has one weight per target font ({k}), for one glyph or each of the {n}: "
                         f"got shape {np.shape(code)}.")
    if not np.isfinite(c).all():
        raise ValueError("the style code holds NaN or infinite weights.")
    return c


def style_condition(source, code) -> np.ndarray:
    """The condition of a style-conditioned generator: source glyphs (N, S, S, 1) in [-1, 1] and a style code, (K,)
    for all or (N, K) one per glyph (one-hot: a font; ``(1 - t) * a + t * b``: between fonts a and b), as
    (N, S, S, 1 + K) float32: the glyph, then K constant planes holding the code."""
    x = checks.unit_images(source, "source", shape=(None, None, 1), square=True, min_count=0)
    c = _codes(code, len(x), np.shape(code)[-1] if np.ndim(code) else 0)
    planes = np.broadcast_to(c[:, None, None, :], x.shape[:3] + (c.shape[-1],))
    return np.concatenate([x, planes], axis=-1)


def style_examples(glyphs: data.GlyphStyles) -> tuple[np.ndarray, np.ndarray]:
    """Every (character, target font) of ``glyphs`` as one training pair: targets (N K, S, S, 1) and conditions
    (N K, S, S, 1 + K) with one-hot codes, in [-1, 1]; row ``i K + k`` is character i in font k."""
    n, k = glyphs.targets.shape[:2]
    targets = data.to_unit_range(glyphs.targets.reshape((n * k,) + glyphs.targets.shape[2:]))
    source = np.repeat(data.to_unit_range(glyphs.source), k, axis=0)
    return targets, style_condition(source, np.tile(np.eye(k, dtype=np.float32), (n, 1)))


def build_style_translator(n_styles: int = 4, size: int = 32, *, base: int = 32, style_dim: int = 16,
                           d_base: int = 32, patch_layers: int = 2, lr: float = 2e-4, seed: int = 0):
    """notebook 11's ``build_translator`` with a style code: ``UNetGenerator(n_styles=K)`` and a
    ``PatchDiscriminator(n_styles=K)`` that reads (glyph, source, code), in the course's ``steps.GAN``."""
    from .steps import GAN
    n_styles, size, base, style_dim, d_base = (checks.count(n, v) for n, v in (
        ("n_styles", n_styles), ("size", size), ("base", base), ("style_dim", style_dim), ("d_base", d_base)))
    lr = checks.number("lr", lr, low=0, low_open=True, fix="pix2pix's is 2e-4")
    seed = checks.count("seed", seed, 0)
    g = models.UNetGenerator(size, base, n_styles=n_styles, style_dim=style_dim, rngs=nnx.Rngs(seed))
    d = models.PatchDiscriminator(size, d_base, n_down=patch_layers, n_styles=n_styles, rngs=nnx.Rngs(seed + 1))
    return GAN(g, d, g_lr=lr, d_lr=lr, b1=0.5)


def train_style_translator(*, steps: int | None = 600, minutes: float | None = None, batch_size: int = 32,
                           seed: int = 0, glyphs: data.GlyphStyles | None = None, l1_weight: float = 100.0,
                           progress: bool = False, callbacks=(), callback_every: int = 100, **build) -> tuple:
    """Trains one generator on every (character, target font) pair of the training glyphs with pix2pix's objective
    (``train.fit``, non-saturating GAN + ``l1_weight`` L1): returns ``(gan, fit_result)``.

    Args:
      steps, minutes, batch_size, progress, callbacks, callback_every: as ``fit``.
      seed: initialisation (``build_style_translator(seed=...)``), batch order and step keys.
      glyphs: the training glyphs (default ``data.load_glyph_styles("train")``).
      l1_weight: pix2pix's lambda.
      **build: more options of ``build_style_translator`` (base, style_dim, d_base, patch_layers, lr).
    """
    from . import train
    seed = checks.count("seed", seed, 0)
    checks.flag("progress", progress)
    if glyphs is not None and not isinstance(glyphs, data.GlyphStyles):
        raise TypeError(f"glyphs must be a data.GlyphStyles (data.load_glyph_styles('train')), got "
                        f"{type(glyphs).__name__}.")
    if steps is not None:
        steps = checks.count("steps", steps)       # 0 would return an untrained generator as if trained
    if minutes is not None:
        minutes = checks.number("minutes", minutes, low=0, low_open=True)
    l1_weight = checks.number("l1_weight", l1_weight, low=0, fix="pix2pix's is 100")
    glyphs = glyphs if glyphs is not None else data.load_glyph_styles("train")
    targets, conds = style_examples(glyphs)
    batches = data.BatchSampler((targets, conds), batch_size, jax.random.key(seed + 2))
    gan = build_style_translator(len(glyphs.styles), glyphs.source.shape[1], seed=seed, **build)
    result = train.fit(gan, batches, key=jax.random.key(seed + 3), steps=steps, minutes=minutes, progress=progress,
                       callbacks=callbacks, callback_every=callback_every, generator_loss="non_saturating",
                       l1_weight=float(l1_weight))
    return gan, result


_TRAIN_IT = ("Train one with `python benchmarks/styles_table.py --seeds 0 --save-generator DIR`, or re-install "
             "gan_utils (it ships one).")


@lru_cache(maxsize=2)
def _load_generator(path: str) -> nnx.Module:
    from . import checkpoint
    meta = checkpoint.load_meta(path)
    g = models.UNetGenerator(meta["size"], meta["base"], n_styles=len(meta["styles"]), style_dim=meta["style_dim"],
                             rngs=nnx.Rngs(0))
    return checkpoint._load_judge(path, g, _TRAIN_IT)


def load_pretrained_styles(path: str | os.PathLike = PRETRAINED_STYLES_DIR) -> nnx.Module:
    """The shipped style-conditioned generator (eval mode, cached): ``UNetGenerator(n_styles=4)`` for the target
    styles of ``data.load_glyph_styles`` (kai, song, heibold, smiley). ``checkpoint.load_meta(path)`` holds its
    recipe and record."""
    from . import checkpoint
    path = str(Path(path).resolve())
    if not (Path(path) / "meta.json").exists():
        raise FileNotFoundError(f"no style generator at {path} (no meta.json). {_TRAIN_IT}")
    missing = [k for k in ("size", "base", "styles", "style_dim") if k not in checkpoint.load_meta(path)]
    if missing:   # another model's folder (a classifier's, the CycleGAN's): its weights would not fit
        raise checkpoint.CheckpointError(
            f"{path} is not a style generator's folder (its meta.json has no {', '.join(missing)}): pass the folder "
            "benchmarks/styles_table.py --save-generator wrote, or leave path out for the shipped one.")
    return _load_generator(path)


def draw_in_style(generator: nnx.Module, source, code, *, batch_size: int = 500) -> np.ndarray:
    """Source glyphs (N, S, S, 1) in [-1, 1] drawn in the style ``code`` ((K,) or (N, K)): (N, S, S, 1) in [-1, 1]."""
    k = getattr(generator, "n_styles", 0)
    if not k:
        raise TypeError("draw_in_style needs a style-conditioned generator (models.UNetGenerator(n_styles=K)); "
                        "translate a plain one with models.translate.")
    if np.ndim(code) not in (1, 2) or np.shape(code)[-1] != k:
        raise ValueError(f"this generator knows {k} styles: the code needs {k} weights, got shape {np.shape(code)}.")
    return np.asarray(models.translate(generator, jnp.asarray(style_condition(source, code)), batch_size=batch_size))


@lru_cache(maxsize=4)
def _load_classifier(path: str, classes: tuple, flags: str) -> translation.StyleClassifier:
    """A shipped style classifier with ``classes`` (eval mode, cached), trained by
    ``scripts/train_glyph_classifier.py`` with ``flags``."""
    from . import checkpoint
    return checkpoint._load_judge(path, translation.StyleClassifier(classes=classes, rngs=nnx.Rngs(0)),
                                  f"Train it with `python scripts/train_glyph_classifier.py {flags}`, or re-install "
                                  "gan_utils (it ships one).")


def load_font_classifier(path: str | os.PathLike = FONT_CLASSIFIER_DIR) -> translation.StyleClassifier:
    """The shipped five-font judge (eval mode, cached): classes ``FONT_STYLES``."""
    return _load_classifier(str(Path(path).resolve()), FONT_STYLES, "--fonts")


def load_hand_classifier(path: str | os.PathLike = HAND_CLASSIFIER_DIR) -> translation.StyleClassifier:
    """The shipped hand judge (eval mode, cached): the five fonts and the new hand, classes ``HAND_STYLES``."""
    return _load_classifier(str(Path(path).resolve()), HAND_STYLES, "--fonts --hand")


def font_probabilities(images, classifier: translation.StyleClassifier | None = None,
                       batch_size: int = 1000) -> np.ndarray:
    """The font judge's probabilities for glyphs (N, 32, 32, 1), uint8 or floats in [-1, 1]: (N, 5), columns in the
    order of ``FONT_STYLES`` (another judge's classes with ``classifier``: the hand judge's ``HAND_STYLES``)."""
    checks.count("batch_size", batch_size)
    _, logits = translation.classifier_logits(images, classifier or load_font_classifier(), batch_size)
    return np.asarray(jax.nn.softmax(logits, -1))


@lru_cache(maxsize=2)
def _font_bank(hand: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every character of the styles file in all five fonts (and the hand), softened and flattened, and its character
    index."""
    g = data.load_glyph_styles("all", hand=hand)
    images = np.concatenate([g.source[:, None], g.targets], axis=1)          # (N, 5, S, S, 1)
    flat = data.to_unit_range(images.reshape((-1,) + images.shape[2:]))
    labels = np.repeat(np.arange(len(g)), images.shape[1])
    return translation._soften(flat).reshape(len(flat), -1), labels


def content_any_font(images, chars: str, *, hand: bool = False) -> float:
    """The share of glyphs (N, 32, 32, 1) in [-1, 1] whose nearest true glyph, among all 3,755 characters in all five
    fonts (both softened by a 3x3 blur, as notebook 11's ``content_reading``), is their own character ``chars[i]``.
    ``hand=True`` adds the new hand's glyphs to the bank (six fonts)."""
    x = checks.unit_images(images, "images", shape=(32, 32, 1))
    checks.chars(chars, len(x))
    all_chars = data.load_glyph_styles("all").chars
    where = {c: i for i, c in enumerate(all_chars)}
    missing = [c for c in chars if c not in where]
    if missing:
        raise ValueError(f"the content reading does not know {''.join(missing[:10])!r}: it names the 3,755 "
                         "characters of data.load_glyph_styles('all').")
    checks.flag("hand", hand)
    bank, labels = _font_bank(bool(hand))
    q = translation._soften(x).reshape(len(x), -1)
    d2 = (q ** 2).sum(1)[:, None] - 2 * q @ bank.T + (bank ** 2).sum(1)[None]
    return float((labels[d2.argmin(1)] == np.array([where[c] for c in chars])).mean())


def path_codes(a: str, b: str, points: int = 9, styles: tuple = FONT_STYLES[1:]) -> np.ndarray:
    """Style codes on the straight line from font ``a`` to font ``b``: (points, K), row j = (1 - t) a + t b with t
    = j / (points - 1)."""
    for name in (a, b):
        if name not in styles:
            raise ValueError(f"unknown target style {name!r}; choose from {list(styles)}.")
    points = checks.count("points", points, 2)   # the two ends included
    eye = np.eye(len(styles), dtype=np.float32)
    t = np.linspace(0.0, 1.0, points, dtype=np.float32)[:, None]
    return (1 - t) * eye[styles.index(a)] + t * eye[styles.index(b)]


def style_path(generator: nnx.Module, glyphs: data.GlyphStyles, a: str, b: str, points: int = 9,
               classifier: translation.StyleClassifier | None = None) -> dict:
    """Draws every glyph of ``glyphs`` at ``points`` codes from font ``a`` to font ``b``, and measures each point.

    Returns:
      dict: ``t`` (points,); ``probs`` (points, 5), the judge's mean probability of each of ``FONT_STYLES``;
      ``called`` (points, 5), the share of glyphs it calls each font; ``content`` (points,), ``content_any_font``;
      ``to_a``, ``to_b`` (points,), mean L1 to the true glyph in font a and in font b; ``to_font`` (points, 5), mean
      L1 to the true glyph in each of ``FONT_STYLES`` (column 0: the printed input); ``nearest`` (points,), the
      mean over glyphs of the L1 to the closest of the character's five true glyphs (one per font), and
      ``nearest_font`` (points, 5), the share of glyphs closest to each font; ``images`` (points, N, S, S, 1).
    """
    _check_five_fonts(glyphs)
    codes = path_codes(a, b, points, glyphs.styles)
    source = data.to_unit_range(glyphs.source)
    return _measure_path((draw_in_style(generator, source, code) for code in codes), glyphs, a, b, points, classifier)


def pixel_path(glyphs: data.GlyphStyles, a: str, b: str, points: int = 9,
               classifier: translation.StyleClassifier | None = None) -> dict:
    """The control for ``style_path``: no generator, each glyph the pixel blend ``(1 - t) x_a + t x_b`` of the
    character's true glyphs in fonts ``a`` and ``b``, measured at the same ``points`` as ``style_path`` (same dict)."""
    _check_five_fonts(glyphs)
    t = path_codes(a, b, points, glyphs.styles)[:, glyphs.styles.index(b)]      # checks the fonts and points
    true_a, true_b = (data.to_unit_range(glyphs.style(s)) for s in (a, b))
    blends = ((1.0 - tj) * true_a + tj * true_b for tj in t)
    return _measure_path(blends, glyphs, a, b, points, classifier)


def _check_five_fonts(glyphs) -> None:
    if not isinstance(glyphs, data.GlyphStyles) or "hand" in glyphs.styles:
        raise TypeError("glyphs must be the five fonts' data.GlyphStyles, data.load_glyph_styles('test') (without "
                        f"hand=True), got {type(glyphs).__name__}" + (" with the hand" if isinstance(
                            glyphs, data.GlyphStyles) else "") + ".")


def _measure_path(images, glyphs: data.GlyphStyles, a: str, b: str, points: int,
                  classifier: translation.StyleClassifier | None) -> dict:
    """``style_path``'s numbers for each batch of glyphs in ``images`` (one batch per point of the path)."""
    every = np.stack([data.to_unit_range(glyphs.style(s)) for s in FONT_STYLES])       # (5, N, S, S, 1)
    out = {k: [] for k in ("probs", "called", "content", "to_a", "to_b", "to_font", "nearest", "nearest_font",
                           "images")}
    for x in images:
        p = font_probabilities(x, classifier)
        out["probs"].append(p.mean(0))
        out["called"].append(np.bincount(p.argmax(1), minlength=p.shape[1]) / len(p))
        out["content"].append(content_any_font(x, glyphs.chars))
        d = np.abs(x[None] - every).mean((2, 3, 4))                                      # (5, N)
        out["to_font"].append(d.mean(1))
        out["to_a"].append(float(d[FONT_STYLES.index(a)].mean()))
        out["to_b"].append(float(d[FONT_STYLES.index(b)].mean()))
        out["nearest"].append(float(d.min(0).mean()))
        out["nearest_font"].append(np.bincount(d.argmin(0), minlength=len(FONT_STYLES)) / d.shape[1])
        out["images"].append(x)
    result = {k: np.array(v) for k, v in out.items()}
    result["t"] = np.linspace(0.0, 1.0, points)
    return result


def measure_generator(generator: nnx.Module, test: data.GlyphStyles, points: int = 9) -> dict:
    """A style generator's record on held-out characters: ``fonts`` (each font alone, a one-hot code: the judge's
    share calling it that font, ``content_any_font``, L1 to the true glyph) and ``paths`` (every straight path
    between two fonts, ``style_path``'s numbers at ``points`` codes, as lists)."""
    source = data.to_unit_range(test.source)
    fonts = {}
    for k, name in enumerate(test.styles):
        x = draw_in_style(generator, source, np.eye(len(test.styles), dtype=np.float32)[k])
        p = font_probabilities(x)
        fonts[name] = {"judge_calls_it": float((p.argmax(1) == FONT_STYLES.index(name)).mean()),
                       "content": content_any_font(x, test.chars),
                       "l1": float(np.abs(x - data.to_unit_range(test.style(name))).mean())}
    paths = {}
    for a, b in itertools.combinations(test.styles, 2):
        r = style_path(generator, test, a, b, points)
        paths[f"{a}-{b}"] = {k: np.round(v, 4).tolist() for k, v in r.items() if k != "images"}
    return {"fonts": fonts, "paths": paths}


def seed_run(seed: int, *, steps: int = 6000, batch_size: int = 32, base: int = 32, style_dim: int = 16,
             train: data.GlyphStyles | None = None, test: data.GlyphStyles | None = None) -> tuple[dict, nnx.Module]:
    """One run of notebook 12's style table (``benchmarks/styles_table.py``): trains ``train_style_translator`` and
    measures it (``measure_generator``) on the held-out characters. Returns (row, the generator in eval mode)."""
    from . import precomputed
    train = train if train is not None else data.load_glyph_styles("train")
    test = test if test is not None else data.load_glyph_styles("test")
    t0 = time.perf_counter()
    gan, result = train_style_translator(steps=steps, batch_size=batch_size, seed=seed, glyphs=train, base=base,
                                         style_dim=style_dim)
    seconds = time.perf_counter() - t0
    g = gan.generator
    g.eval()
    row = {"seed": seed, "steps": steps, "batch": batch_size, "base": base, "style_dim": style_dim,
           "train_seconds": round(seconds, 1), "machine": precomputed.machine_record(), **measure_generator(g, test),
           "final_metrics": {k: round(float(np.asarray(v)[-50:].mean()), 4) for k, v in result.history.items()
                             if k != "step"}}
    return row, g

