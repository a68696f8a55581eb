"""The course's input checks: the one place that says what a public function of ``gan_utils`` refuses.

Every public function that takes images, counts or hyperparameters goes through these (issue #68: new modules
skipped the checks the old ones had learnt, and gave silently wrong results on 0-255 images, NaN, empty batches or
a learning rate of -1). Each check either returns the value in the form the caller computes with, or raises one
clear error that names the fix:

* ``finite``: no NaN or Inf (a diverged generator);
* ``unit_images``: a batch of NHWC images as floats in [-1, 1] (the generator's tanh range), optionally uint8
  pixels converted; refuses 0-255 floats, other integers, NaN, the wrong shape and empty batches;
* ``count`` and ``step``: whole numbers (2.5 and 32.0 are refused rather than truncated; True is not 1);
* ``number``: a real, finite number in a range (a learning rate > 0, a weight >= 0, a probability);
* ``chars``: one character per row;
* ``rows``: indices or a boolean mask of the right length, to select rows.

This module imports nothing from the package, so every module can use it.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

__all__ = ["RANGE_TOL", "DIVERGED", "finite", "pixels_to_unit", "unit_images", "glyphs_32", "count", "step", "number",
           "chars", "rows", "flag"]

RANGE_TOL = 1e-3   # how far float images may stray outside [-1, 1] by rounding before a check refuses them
DIVERGED = ": the generator has diverged (check the training losses)"


def finite(x, what: str = "the values", why: str = DIVERGED) -> None:
    """Refuses NaN and Inf in ``x`` (any numeric array): ValueError naming ``what`` and ``why``."""
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.inexact) and not np.all(np.isfinite(x)):
        raise ValueError(f"NaN or Inf in {what}{why}.")


def pixels_to_unit(x: np.ndarray) -> np.ndarray:
    """uint8 pixels in [0, 255] -> float32 in [-1, 1]: ``x / 127.5 - 1`` (the one formula of the course)."""
    if np.asarray(x).dtype != np.uint8:
        raise TypeError(f"pixels_to_unit takes uint8 pixels in [0, 255], got dtype {np.asarray(x).dtype}.")
    return np.asarray(x).astype(np.float32) / 127.5 - 1.0


def unit_images(x, what: str = "images", *, shape: tuple | None = None, uint8: bool = False, min_count: int = 1,
                square: bool = False, ndim: int | None = 4, noisy: bool = False) -> np.ndarray:
    """A batch of images (N, H, W, C) as float32 in [-1, 1], checked.

    Args:
      x: the images (a NumPy or JAX array, or a list).
      what: their name in the messages (``"source"``, ``"the translated glyphs"``).
      shape: the trailing shape (H, W, C) they must have; None in a place accepts any size there.
      uint8: also accept uint8 pixels in [0, 255] (255 = ink for glyphs), converted with ``pixels_to_unit``.
      min_count: the fewest images the caller can compute with (0 allows an empty batch).
      square: H must equal W.
      ndim: the number of dimensions (4: NHWC); None checks only dtype, range and finiteness, for a caller that
        accepts more layouts and checks them itself.
      noisy: values outside [-1, 1] are allowed (images with noise added, as a network may be probed with), but
        not floats that look like pixel values (none below 0, some above 1).
    Raises:
      TypeError: integers (other than uint8 where allowed), bools or non-numbers.
      ValueError: the wrong number of dimensions or trailing shape, fewer than ``min_count`` images, NaN or Inf,
        or floats outside [-1, 1] (pixel values in [0, 255], say).
    """
    a = np.asarray(x)
    if a.dtype == np.uint8 and uint8:
        a = pixels_to_unit(a)
    elif a.dtype.name == "bfloat16":   # JAX's half precision (ml_dtypes): floats, compared in float32
        a = a.astype(np.float32)
    elif not np.issubdtype(a.dtype, np.floating):
        if a.dtype == np.uint8:
            fix = "scale uint8 pixels with gan_utils.data.to_unit_range"
        elif a.dtype == bool:
            fix = "gan_utils.data.to_unit_range maps black and white (False, True) to -1 and 1"
        elif np.issubdtype(a.dtype, np.integer):
            fix = "pixels in [0, 255] as np.asarray(x, np.uint8), then gan_utils.data.to_unit_range"
        else:
            fix = "pass a numeric array"
        accepted = "uint8 pixels or floats in [-1, 1]" if uint8 else "floats in [-1, 1] (the generator's tanh range)"
        raise TypeError(f"{what} must be {accepted}, got dtype {a.dtype}: {fix}.")
    if ndim is None:
        pass
    elif a.ndim != 4:
        want = "(N, " + ", ".join("S" if s is None else str(s) for s in shape) + ")" if shape else "(N, H, W, C)"
        raise ValueError(f"{what} must be a batch of images {want} (NHWC), got shape {a.shape}"
                         + _axis_hint(a.shape, shape) + ".")
    elif shape is not None and any(s is not None and s != t for s, t in zip(shape, a.shape[1:])):
        want = ", ".join("S" if s is None else str(s) for s in shape)
        raise ValueError(f"{what} must have shape (N, {want}), got {a.shape}.")
    elif square and a.shape[1] != a.shape[2]:
        raise ValueError(f"{what} must be square (N, S, S, C), got {a.shape}.")
    if ndim is not None and len(a) < min_count:
        raise ValueError(f"no {what} (N = 0): pass at least {min_count}." if not len(a) else
                         f"{what}: got {len(a)}, need at least {min_count}.")
    finite(a, what, "" if uint8 else DIVERGED)
    outside = a.size and (a.min() < -1 - RANGE_TOL or a.max() > 1 + RANGE_TOL)
    if not outside and a.size and a.min() >= 0 and a.max() > 0:
        # [0, 1] images pass the range check but read as grey-on-grey: warned, not refused, since a generator may
        # really draw nothing darker than mid-grey (a collapsed, all-white batch)
        warnings.warn(f"{what} lie in [{a.min():.3g}, {a.max():.3g}], with nothing below 0: images in [0, 1]? The "
                      "course's images are in [-1, 1] (the background at -1): scale them with x * 2 - 1.",
                      stacklevel=3)
    if outside and (not noisy or a.min() >= 0):
        raise ValueError(f"{what} must lie in [-1, 1] (the generator's tanh range), got [{a.min():.3g}, "
                         f"{a.max():.3g}]. Pass uint8 pixels as np.asarray(x, np.uint8) and scale them with "
                         "gan_utils.data.to_unit_range; scale [0, 1] floats with x * 2 - 1.")
    return a.astype(np.float32, copy=False)


def _axis_hint(got: tuple, shape: tuple | None) -> str:
    """For a 3-D array: which axis is missing, the channel (N, H, W) or the batch (H, W, C)."""
    if len(got) != 3:
        return ""
    if shape is not None and shape[-1] is not None and got[-1] == shape[-1] and \
            all(s is None or s == t for s, t in zip(shape[:2], got[:2])):
        return ": one image? add the batch axis with x[None]"
    if got[-1] in (1, 3) and (shape is None or shape[-1] is None):
        return ": one image (H, W, C)? add the batch axis with x[None]; a batch without channels? use x[..., None]"
    return ": add the channel axis with x[..., None]"


def glyphs_32(images) -> np.ndarray:
    """What the glyph judges read (the style and font CNNs, the legibility reader): uint8 glyphs (255 = ink) or
    floats in [-1, 1], (N, 32, 32[, 1]) or (N, 64, 64[, 1]) -> float32 (N, 32, 32, 1) in [-1, 1], 64x64 ones
    area-averaged."""
    x = np.asarray(images)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] != 1 or x.shape[1] != x.shape[2] or x.shape[1] % 32:
        raise ValueError(f"glyphs must have shape (N, 32, 32, 1) or (N, 64, 64, 1), got {np.shape(images)}.")
    x = unit_images(x, "glyphs", uint8=True)
    f = x.shape[1] // 32
    return x.reshape(len(x), 32, f, 32, f, 1).mean((2, 4)) if f > 1 else x


def count(name: str, value, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer in ``minimum`` .. ``maximum`` (a Python, NumPy or 0-d JAX integer) as an int. 2.5 or 32.0
    is refused, not truncated; True is not 1."""
    ok = (not isinstance(value, (bool, np.bool_)) and np.ndim(value) == 0
          and (isinstance(value, numbers.Integral) or np.issubdtype(np.asarray(value).dtype, np.integer)))
    if ok:
        value = int(value)
        if value >= minimum and (maximum is None or value <= maximum):
            return value
    bound = f"in {minimum}..{maximum}" if maximum is not None else f">= {minimum}"
    hint = " (a whole number: write it without a decimal point)" if isinstance(value, float) and \
        float(value).is_integer() else ""
    raise ValueError(f"{name} must be an integer {bound}, got {value!r}{hint}.")


def step(name: str, value) -> int:
    """A step number: a whole number >= 0, as an int."""
    return count(name, value, 0)


def number(name: str, value, *, low: float = -math.inf, high: float = math.inf, low_open: bool = False,
           high_open: bool = False, fix: str = "") -> float:
    """A real, finite number in [low, high] (open at an end with ``low_open`` / ``high_open``) as a float; a
    numeric string ("0.5") or a bool is refused. ``fix`` is added to the message (e.g. "2e-4 is common")."""
    if _is_real(value):
        v = float(value)
        if (math.isfinite(v) and (v > low if low_open else v >= low) and (v < high if high_open else v <= high)):
            return v
    if low == 0 and low_open and high == math.inf:    # the common case, in words
        raise ValueError(f"{name} must be a positive, finite number, got {value!r}" + (f"; {fix}" if fix else "")
                         + ".")
    lo = "" if low == -math.inf else f"{'>' if low_open else '>='} {low:g}"
    hi = "" if high == math.inf else f"{'<' if high_open else '<='} {high:g}"
    bound = " and ".join(b for b in (lo, hi) if b)
    raise ValueError(f"{name} must be a finite number{' ' + bound if bound else ''}, got {value!r}"
                     + (f"; {fix}" if fix else "") + ".")


def _is_real(value) -> bool:
    """A real number: Python's, NumPy's or a 0-d array of a real dtype; not a bool, a str or a complex."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return False
    if isinstance(value, numbers.Real):
        return True
    if not hasattr(value, "dtype") or np.ndim(value) != 0:
        return False
    dtype = np.asarray(value).dtype
    return dtype != np.bool_ and (np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating))


def flag(name: str, value) -> bool:
    """A switch: True or False (a Python or NumPy bool); "no" or "False" would be read as true, so refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def chars(value, n: int, name: str = "chars") -> str:
    """A str with one character per row (``n`` rows)."""
    if not isinstance(value, str) or len(value) != n:
        raise ValueError(f"{name} must be a str with one character per glyph ({n}), got {value!r:.40}.")
    return value


def rows(value, n: int, what: str = "rows") -> np.ndarray:
    """Row positions of a set of ``n``: integer indices (negative count from the end) or a boolean mask of length
    ``n``, as int64 indices. An empty list selects nothing."""
    a = np.asarray(value)
    if a.ndim != 1:
        raise ValueError(f"{what} must be a 1-D list of indices or a boolean mask, got shape {a.shape}.")
    if a.dtype == bool:
        if len(a) != n:
            raise ValueError(f"a boolean mask of {what} needs one entry per row ({n}), got {len(a)}.")
        return np.flatnonzero(a)
    if a.size == 0:
        return np.zeros(0, np.int64)
    if not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"{what} must be integer indices or a boolean mask, got dtype {a.dtype}.")
    if a.min() < -n or a.max() >= n:
        raise IndexError(f"{what} must lie in -{n} .. {n - 1} (there are {n} rows), got {a.min()} .. {a.max()}.")
    return a.astype(np.int64)
