"""The character reader: which of 4,131 hanzi a 32x32 glyph shows, read by a CNN that learnt the
characters from five fonts no notebook draws, so it judges **legibility** without favouring any one course font.

Notebook 11's ``content`` reading (``translation.content_reading``) names a glyph by its nearest LXGW WenKai glyph:
fidelity to that one font's stroke placement. This reader is the judge for "can the character be read": it was
trained (``scripts/train_reader.py``) on GB2312's level 1 (3,755 characters) and the validation pairs' 376
characters (``data.load_glyphs("validation")``) in ZCOOL XiaoWei, ZCOOL QingKe HuangYou, ZCOOL KuaiLe,
Long Cang and Zhi Mang Xing (SIL OFL 1.1), with random affine maps, thinner and thicker strokes, blur and noise; every
font of notebooks 11 and 12 is unseen by it, and its accuracy on each is recorded in its ``meta.json``
(``reader_record()``). Like any judge it has an error rate: compare a model's legibility with the true glyphs' (its
reference in that font, not a ceiling: printed copies can score above it), never with 100%.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache, partial
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from . import checks, models

__all__ = ["CharReader", "READER_DIR", "load_reader", "reader_record", "read_chars", "legibility", "save_reader"]

READER_DIR = Path(__file__).resolve().parent / "assets" / "char_reader"
SIZE = 32


class Prototypes(nnx.Variable):
    """The reader's one embedding per character (not trained by gradient: the mean of its fonts' embeddings)."""


class CharReader(nnx.Module):
    """A CNN that maps a 32x32 glyph (N, 32, 32, 1) in [-1, 1] to a unit-length embedding (N, 256), and reads it as
    the character whose **prototype** (the mean embedding of that character in the reader's five fonts) is nearest.

    It is trained contrastively (``scripts/train_reader.py``): a batch holds 128 characters, each drawn in two
    different fonts and augmented; the loss asks each glyph's embedding to be nearer its own character in the other
    font than any of the other 127 (a symmetric cross-entropy over the cosine similarities, times 16). Naming 4,131
    classes from five examples each with a plain softmax head sat at chance for hundreds of steps; matching one
    character across fonts learns at once, and it is what "reading" is.

    Layers (each conv followed by GroupNorm with 8 groups, which normalises each image by itself, so training and
    reading compute the same function, then ReLU):
      Conv 3x3 1 -> 32, max-pool 2 (16x16)
      Conv 3x3 32 -> 64, Conv 3x3 64 -> 64, max-pool 2 (8x8)
      Conv 3x3 64 -> 128, Conv 3x3 128 -> 128, max-pool 2 (4x4)
      Linear 2048 -> 256, scaled to length 1

    Args:
      classes: how many characters it names (4,131 for the shipped reader).
      embed: the embedding's size.
      rngs: the NNX random streams.
    """

    def __init__(self, *, classes: int = 4131, embed: int = 256, rngs: nnx.Rngs):
        checks.count("classes", classes, minimum=2)
        checks.count("embed", embed)
        pairs = ((1, 32), (32, 64), (64, 64), (64, 128), (128, 128))
        self.convs = models._ModuleList([nnx.Conv(a, b, (3, 3), rngs=rngs) for a, b in pairs])
        self.norms = models._ModuleList([nnx.GroupNorm(b, num_groups=8, rngs=rngs) for _, b in pairs])
        self.fc = nnx.Linear(4 * 4 * 128, embed, rngs=rngs)
        self.prototypes = Prototypes(jnp.zeros((classes, embed)))

    def __call__(self, x: jax.Array) -> jax.Array:
        """Unit-length embeddings (N, embed) of glyphs (N, 32, 32, 1)."""
        if x.ndim != 4 or tuple(x.shape[1:]) != (SIZE, SIZE, 1):
            raise ValueError(f"CharReader expects images of shape (N, 32, 32, 1), got {tuple(x.shape)}.")
        pool = partial(nnx.max_pool, window_shape=(2, 2), strides=(2, 2))
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            x = nnx.relu(norm(conv(x)))
            if i in (0, 2, 4):      # after the first conv, then after each pair
                x = pool(x)
        h = self.fc(x.reshape(x.shape[0], -1))
        return h / jnp.maximum(jnp.linalg.norm(h, axis=-1, keepdims=True), 1e-6)

    def similarities(self, x: jax.Array) -> jax.Array:
        """Cosine similarity (N, classes) of each glyph's embedding to each character's prototype."""
        return self(x) @ self.prototypes[...].astype(jnp.float32).T


def reader_record(path: str | os.PathLike = READER_DIR) -> dict:
    """The shipped reader's meta.json: its fonts, recipe, and accuracy on each course font it never saw."""
    file = Path(path) / "meta.json"
    if not file.exists():
        raise FileNotFoundError(f"no reader at {path}. Train it with `python scripts/train_reader.py --fonts DIR`, or "
                                "re-install gan_utils (it ships one).")
    return json.loads(file.read_text())


@lru_cache(maxsize=2)
def _load_cached(path: str) -> tuple[CharReader, str]:
    from . import checkpoint
    record = reader_record(path)
    model = CharReader(classes=record["classes"], embed=record["embed"], rngs=nnx.Rngs(0))
    checkpoint._load_judge(path, model, "Train it with `python scripts/train_reader.py --fonts DIR`, or re-install "
                           "gan_utils (it ships one).")
    return model, record["chars"]


def load_reader(path: str | os.PathLike = READER_DIR) -> tuple[CharReader, str]:
    """The shipped reader (in eval mode), cached, and the characters it names, in the order of its logits."""
    return _load_cached(str(Path(path).resolve()))


@jax.jit
def _best(graphdef, state, x):
    return nnx.merge(graphdef, state).similarities(x).argmax(-1)


def read_chars(images, *, model: CharReader | None = None, chars: str | None = None,
               batch_size: int = 1000) -> str:
    """The character the reader names for each glyph (the one whose prototype is nearest): glyphs 32x32 or 64x64,
    uint8 with 255 = ink or floats in [-1, 1]; a string of length N. ``model`` and ``chars``: another reader and its
    characters, in the order of its prototypes (default: the shipped one)."""
    checks.count("batch_size", batch_size)
    if (model is None) != (chars is None):
        raise ValueError("pass model and chars together (a reader and the characters of its logits), or neither.")
    if model is None:
        model, chars = load_reader()
    x = checks.glyphs_32(images)
    graphdef, state = nnx.split(model)
    best = [np.asarray(_best(graphdef, state, jnp.asarray(x[i:i + batch_size])))
            for i in range(0, len(x), batch_size)]
    return "".join(chars[i] for i in np.concatenate(best)) if best else ""


def legibility(images, true_chars: str, *, model: CharReader | None = None, chars: str | None = None,
               batch_size: int = 1000) -> float:
    """The share of glyphs the reader reads as their character ``true_chars[i]``: legibility to a reader that
    learnt the characters from other fonts. Compare it with the true glyphs' score in the same font (the reader's
    reference there, not a ceiling), not with 1."""
    x = checks.glyphs_32(images)
    checks.chars(true_chars, len(x))
    known = set(chars if chars is not None else load_reader()[1])    # checked before the reading, not after it
    unknown = sorted(set(true_chars) - known)
    if unknown:
        raise ValueError(f"the reader does not know {''.join(unknown[:10])!r}: it names the characters of "
                         "data.load_glyphs('all') and data.load_glyphs('validation').")
    read = read_chars(x, model=model, chars=chars, batch_size=batch_size)
    return float(np.mean([a == b for a, b in zip(read, true_chars)]))


def save_reader(path: str | os.PathLike, model: CharReader, meta: dict) -> None:
    """Writes a reader's weights in float16 with ``meta`` (its characters, fonts, recipe and checks)."""
    from . import checkpoint
    classes, embed = model.prototypes[...].shape
    half = CharReader(classes=classes, embed=embed, rngs=nnx.Rngs(0))
    nnx.update(half, jax.tree_util.tree_map(lambda v: v.astype(jnp.float16), nnx.state(model, nnx.Param)))
    half.prototypes = Prototypes(jnp.asarray(model.prototypes[...], jnp.float16))
    checkpoint.save_module(path, half, meta)
