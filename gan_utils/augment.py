"""Differentiable augmentation for a discriminator that sees little data (notebook 14).

With a few hundred training images, D learns them by heart: its accuracy on the training images rises while its
accuracy on held-out real images falls, and its gradients stop telling G anything about digits in general. Two
remedies, both applied here to *every* image D sees, real and generated alike, in D's update and in G's (so G's
gradient passes through the augmentation, which is why every operation is differentiable in the image):

* **DiffAugment** (Zhao et al., 2020, "Differentiable augmentation for data-efficient GAN training"): a fixed policy
  applied with probability 1. Its policies on images in [-1, 1], as in the authors' code: brightness (add
  U(-0.5, 0.5)), contrast (scale the deviation from the image's mean by U(0.5, 1.5)), translation (shift by up to 1/8
  of the side, whole pixels, filling with 0) and cutout (a square of half the side set to 0). Its third colour
  policy, saturation, does nothing to a one-channel image, so it is left out.
* **ADA** (Karras et al., 2020, "Training generative adversarial networks with limited data"): each operation applied
  to each image with a probability p that a controller adapts while training: it measures how sure D is of the
  training images, r_t = E[sign(D(x_real))], and moves p up when r_t is above a target (0.6) and down when below.
  ADA's own pipeline has 18 operations (flips, rotations, scaling, colour, filtering); this one uses DiffAugment's
  four, so the two differ only in how p is set.

Why G does not learn to draw the augmentations ("leaking"): D only ever sees augmented images, real and generated
alike, so G is judged on T(G(z)) against T(x); when the distribution of T(x) pins down that of x, matching the
augmented images means matching the images. Karras et al. (2020, section 2.2) show this holds for any operation
applied with probability p < 1, in principle; in practice they saw leaks from about p = 0.8 on. DiffAugment's
four operations at p = 1 are ones its authors found not to leak; the course measures whether they do here
(``benchmarks/little_data.py``).

Two differences from the papers' code, said here: a gradient penalty (R1, R2, WGAN-GP) is taken at the augmented
image, the gradient of D(T(x)) with respect to T(x), where ADA's code differentiates through T with respect to x;
and with ``k_disc`` > 1, ADA's r_t reads only the last D update of each step.

``apply(x, key, p)`` is the whole pipeline; ``AdaState`` holds ADA's p as part of the GAN's state (``steps.GAN(...,
ada=True)``), and ``ada_update`` is the controller's rule.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from . import checks
from .options import AUGMENT_OPS

__all__ = ["AUGMENT_OPS", "brightness", "contrast", "translation", "cutout", "apply", "AdaState", "ada_update"]


def _check_images(x) -> jax.Array:
    """x as an array, checked: a batch (N, H, W, C) of images near [-1, 1] (an augmented image may leave it). A traced
    value (inside the jitted step) is checked for its shape only."""
    if np.ndim(x) != 4:
        raise ValueError(f"augmentation works on a batch of images (N, H, W, C), got an array of shape "
                         f"{np.shape(x)}; flat or 2-D data (the toy mixtures, an MLP's inputs) has nothing to "
                         "translate or cut out: use augment='none' there (one image: x[None]).")
    if not isinstance(x, jax.core.Tracer):
        x = checks.unit_images(x, noisy=True)
    return jnp.asarray(x)


def _ratio(ratio: float) -> float:
    return checks.number("ratio", ratio, low=0, high=1, low_open=True, fix="the share of the side: DiffAugment's "
                         "translation uses 1/8, its cutout 1/2")


def brightness(x: jax.Array, key: jax.Array) -> jax.Array:
    """(N, H, W, C) -> the same, each image shifted by its own U(-0.5, 0.5)."""
    x = _check_images(x)
    return x + jax.random.uniform(key, (x.shape[0], 1, 1, 1), x.dtype, -0.5, 0.5)


def contrast(x: jax.Array, key: jax.Array) -> jax.Array:
    """(N, H, W, C) -> the same, each image's deviation from its own mean scaled by U(0.5, 1.5)."""
    x = _check_images(x)
    mean = jnp.mean(x, axis=(1, 2, 3), keepdims=True)
    return (x - mean) * jax.random.uniform(key, (x.shape[0], 1, 1, 1), x.dtype, 0.5, 1.5) + mean


def translation(x: jax.Array, key: jax.Array, ratio: float = 0.125) -> jax.Array:
    """(N, H, W, C) -> the same, each image shifted by whole pixels, at most ``ratio`` of its side each way (3 or 4
    pixels on 28 x 28 at 1/8), the uncovered border filled with 0 (DiffAugment's zero padding)."""
    x, ratio = _check_images(x), _ratio(ratio)
    n, h, w, _ = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    ky, kx = jax.random.split(key)
    dy = jax.random.randint(ky, (n,), -sh, sh + 1)
    dx = jax.random.randint(kx, (n,), -sw, sw + 1)
    padded = jnp.pad(x, ((0, 0), (sh, sh), (sw, sw), (0, 0)))
    # the window that starts sh - dy rows down shows the image moved dy rows down (positive: down and right)
    return jax.vmap(lambda img, a, b: jax.lax.dynamic_slice(img, (a, b, 0), (h, w, x.shape[3])))(
        padded, sh - dy, sw - dx)


def cutout(x: jax.Array, key: jax.Array, ratio: float = 0.5) -> jax.Array:
    """(N, H, W, C) -> the same, a square of ``ratio`` of the side (14 x 14 on 28 x 28) set to 0 in each image, its
    centre anywhere in the image (so part of the square may fall outside), as DiffAugment's cutout."""
    x, ratio = _check_images(x), _ratio(ratio)
    n, h, w, _ = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    ky, kx = jax.random.split(key)
    cy = jax.random.randint(ky, (n, 1, 1), 0, h + (1 - ch % 2))
    cx = jax.random.randint(kx, (n, 1, 1), 0, w + (1 - cw % 2))
    rows = jnp.arange(h)[None, :, None]
    cols = jnp.arange(w)[None, None, :]
    inside = ((rows >= cy - ch // 2) & (rows < cy + ch // 2 + ch % 2)
              & (cols >= cx - cw // 2) & (cols < cx + cw // 2 + cw % 2))
    return jnp.where(inside[..., None], jnp.zeros((), x.dtype), x)


_OPS = {"brightness": brightness, "contrast": contrast, "translation": translation, "cutout": cutout}


def apply(x: jax.Array, key: jax.Array, p: float | jax.Array = 1.0,
          ops: tuple[str, ...] = AUGMENT_OPS) -> jax.Array:
    """The augmentation pipeline: each of ``ops``, in order, applied to each image of x (N, H, W, C) with
    probability ``p`` (independently per image and per operation). p = 1 is DiffAugment; ADA adapts p (``AdaState``).
    Differentiable in x; p may be a traced scalar (ADA's, inside a jitted step)."""
    x = _check_images(x)
    if isinstance(ops, str):
        ops = (ops,)
    unknown = [op for op in ops if op not in _OPS]
    if unknown:
        raise ValueError(f"unknown augmentation {unknown[0]!r}; choose from {list(_OPS)}.")
    if not isinstance(p, jax.Array):
        p = checks.number("p", p, low=0, high=1, fix="the probability of each operation: 1 is DiffAugment's")
    for op, k in zip(ops, jax.random.split(key, len(ops))):
        k_op, k_use = jax.random.split(k)
        use = jax.random.uniform(k_use, (x.shape[0], 1, 1, 1)) < p
        x = jnp.where(use, _OPS[op](x, k_op), x)
    return x


class AdaState(nnx.Module):
    """ADA's controller state, part of the GAN (saved with it): ``p``, the probability of each operation (starts
    at 0), and the sum of sign(D(real)) and the number of real images seen since p last moved."""

    def __init__(self):
        self.p = nnx.Variable(jnp.zeros((), jnp.float32))
        self.signs = nnx.Variable(jnp.zeros((), jnp.float32))
        self.seen = nnx.Variable(jnp.zeros((), jnp.float32))
        self.steps = nnx.Variable(jnp.zeros((), jnp.int32))


def ada_update(state: AdaState, mean_sign: jax.Array, n: int, *, target: float, kimg: float,
               interval: int = 4) -> None:
    """ADA's rule, in place, after a D update whose n real scores had mean sign ``mean_sign`` (E[sign D(x)] over the
    batch): add them up; every ``interval`` steps, r_t = their mean over the images seen since the last move, and
    p <- clip(p + sign(r_t - target) * images / (kimg * 1000), 0, 1), images being that count (n * interval). So
    p can cross from 0 to 1 in ``kimg`` thousand images. Karras et al. (2020) use target 0.6, interval 4 and kimg
    500, sized for runs of millions of images; a CPU run of a few thousand steps needs a far smaller kimg
    (``StepOptions.ada_kimg``)."""
    if not isinstance(state, AdaState):
        raise TypeError(f"state must be an augment.AdaState (a GAN's .ada), got {type(state).__name__}.")
    n = checks.count("n", n)
    interval = checks.count("interval", interval)
    kimg = checks.number("kimg", kimg, low=0, low_open=True, fix="ADA's is 500 for long runs; 20 suits a CPU run")
    target = checks.number("target", target, low=0, high=1, low_open=True, high_open=True, fix="ADA's is 0.6")
    signs = state.signs[...] + mean_sign * n
    seen = state.seen[...] + n
    steps = state.steps[...] + 1
    move = steps % interval == 0
    r_t = signs / jnp.maximum(seen, 1.0)
    p = jnp.clip(state.p[...] + jnp.sign(r_t - target) * seen / (kimg * 1000.0), 0.0, 1.0)
    state.p[...] = jnp.where(move, p, state.p[...])
    state.signs[...] = jnp.where(move, 0.0, signs)
    state.seen[...] = jnp.where(move, 0.0, seen)
    state.steps[...] = steps
