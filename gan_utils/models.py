"""Generators and discriminators in Flax NNX.

* ``MLPGenerator`` / ``MLPDiscriminator``: small fully connected nets for 1-D and 2-D toy data.
* ``DCGANGenerator`` / ``DCGANDiscriminator``: DCGAN-style convolutional nets for 28x28x1 images (NHWC).

* ``ConditionalDCGANGenerator`` / ``ProjectionDiscriminator``: the class-conditional pair of notebook 08 (a label
  y in 0..9 goes in beside z, and beside the image).

* ``UNetGenerator`` / ``PatchDiscriminator``: pix2pix's pair for image-to-image translation (notebook 11): an
  encoder-decoder whose skips carry the source's layout to the output, and a discriminator that judges (source,
  output) pairs patch by patch; ``translate`` runs the generator on source images.

* ``sample``: draws from a generator in inference mode; ``layer_table``: a model's layers, shapes and parameters.

The discriminators take three stabilisers, each off by default (and then the network, its parameter names and its
initialisation are those of the plain model): spectral normalisation of every layer (``SpectralNorm``, Miyato et
al., 2018), a minibatch standard deviation feature (``minibatch_std``, Karras et al., 2018) and PacGAN's packing
(``pack_samples``, Lin et al., 2018).

Why sub-pixel upsampling? On XLA:CPU the backward pass of a stride-2 ``nnx.ConvTranspose`` is many times slower
than that of a sub-pixel convolution (a stride-1 3x3 convolution to 4x the channels, then depth-to-space) of the
same output shape. Both are learned upsamplers (Shi et al., 2016); the sub-pixel form is also free of the uneven
overlap that gives transposed convolutions their checkerboard artefacts. Notebook 03 measures all three ways, in
front of the reader; benchmarks/RESULTS.md keeps dated figures.
"""
from __future__ import annotations

import math
import numbers
from functools import partial
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from . import checks

__all__ = ["depth_to_space", "space_to_depth", "Upsample", "MLPGenerator", "MLPDiscriminator",
           "DCGANGenerator", "DCGANDiscriminator", "count_params", "UPSAMPLE_MODES", "inference_copy", "sample",
           "recalibrate_batchnorm", "layer_table", "format_layer_table", "SpectralNorm", "minibatch_std",
           "pack_samples", "ConditionalBatchNorm", "ConditionalDCGANGenerator", "ProjectionDiscriminator",
           "generator_inputs", "class_labels", "ClusterPrior", "SelfConditionedGenerator", "takes_labels",
           "UNetGenerator", "PatchDiscriminator", "receptive_field", "translate"]

UPSAMPLE_MODES = ("subpixel", "transpose", "resize")

# Two names that differ between flax 0.11 (what Colab ships, 2026-08) and 0.12 (the course's pin): a list of layers
# is an ``nnx.List`` in 0.12 and a plain list in 0.11, and 0.11 iterates submodules with a method, 0.12 a function.
_ModuleList = getattr(nnx, "List", list)


def _iter_modules(module: nnx.Module):
    return nnx.iter_modules(module) if hasattr(nnx, "iter_modules") else module.iter_modules()


def depth_to_space(x: jax.Array, r: int = 2) -> jax.Array:
    """Pixel shuffle: (N, H, W, r*r*C) -> (N, H*r, W*r, C). Channel block (i, j) goes to sub-pixel (i, j)."""
    r = checks.count("r", r)
    n, h, w, c = x.shape
    if c % (r * r):
        raise ValueError(f"depth_to_space needs channels divisible by r*r={r * r}, got {c}.")
    x = x.reshape(n, h, w, r, r, c // (r * r)).transpose(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h * r, w * r, c // (r * r))


def space_to_depth(x: jax.Array, r: int = 2) -> jax.Array:
    """Inverse of depth_to_space: (N, H, W, C) -> (N, H/r, W/r, r*r*C)."""
    r = checks.count("r", r)
    n, h, w, c = x.shape
    if h % r or w % r:
        raise ValueError(f"space_to_depth needs H and W divisible by {r}, got {h}x{w}.")
    x = x.reshape(n, h // r, r, w // r, r, c).transpose(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h // r, w // r, r * r * c)


class Upsample(nnx.Module):
    """Learned 2x upsampling, (N, H, W, C_in) -> (N, 2H, 2W, C_out), in one of three ways.

    Args:
      in_features: C_in.
      out_features: C_out.
      mode: ``"subpixel"`` (3x3 conv to 4*C_out channels, then depth_to_space; the default, fastest on CPU),
        ``"transpose"`` (4x4 stride-2 transposed conv, the classic DCGAN layer), or ``"resize"``
        (nearest-neighbour resize, then 3x3 conv; Odena et al., 2016).
      rngs: the NNX random streams for initialisation.
    """

    def __init__(self, in_features: int, out_features: int, *, mode: str = "subpixel", rngs: nnx.Rngs):
        _check_build("Upsample", rngs, in_features=in_features, out_features=out_features)
        if mode not in UPSAMPLE_MODES:
            raise ValueError(f"unknown upsample mode {mode!r}; choose one of {UPSAMPLE_MODES}.")
        self.mode = mode
        if mode == "subpixel":
            self.conv = nnx.Conv(in_features, 4 * out_features, (3, 3), rngs=rngs)
        elif mode == "transpose":
            self.conv = nnx.ConvTranspose(in_features, out_features, (4, 4), strides=(2, 2), rngs=rngs)
        else:
            self.conv = nnx.Conv(in_features, out_features, (3, 3), rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        if self.mode == "subpixel":
            return depth_to_space(self.conv(x))
        if self.mode == "transpose":
            return self.conv(x)
        return self.conv(jnp.repeat(jnp.repeat(x, 2, axis=1), 2, axis=2))


def _l2_normalize(x: jax.Array, eps: float) -> jax.Array:
    return x / (jnp.linalg.norm(x) + eps)


class SpectralNorm(nnx.Module):
    """Spectral normalisation of a layer (Miyato et al., 2018): its kernel W is used as ``W / sigma(W)``.

    ``sigma(W)``, the largest singular value of the kernel reshaped to a (fan_in, out) matrix, is estimated by power
    iteration (Miyato et al., 2018, Alg. 1): ``u`` (out,) is kept between calls, and each call runs ``n_steps``
    iterations ``v = W u / ||W u||``, ``u = W^T v / ||W^T v||`` from it, then ``sigma = v^T W u``. The gradient
    flows through ``sigma`` with ``u`` and ``v`` held constant, as in the paper. In training mode (the default, and
    after ``.train()``) each call stores the new ``u`` and ``sigma``; after ``.eval()`` a call runs the same
    iterations from the stored ``u`` and stores nothing, so inference is a pure function of the state.

    The stored kernel stays the raw W; only the forward pass uses W / sigma. Why not ``nnx.SpectralNorm``? In flax
    0.12.8 it writes W / sigma back into the kernel on every call, ``.eval()`` included, and keys its ``u`` and
    ``sigma`` by tuples, which ``gan_utils.checkpoint`` (msgpack) cannot save.

    Args:
      layer: an ``nnx.Linear`` or ``nnx.Conv`` (anything with a ``kernel`` whose last axis is the output).
      n_steps: power iterations per call; Miyato et al. use 1, since ``u`` carries over from step to step.
      eps: added to the norms in the iteration, so an all-zero kernel gives no NaN.
      rngs: the NNX random streams (``u`` starts as a random unit vector).
    """

    def __init__(self, layer: nnx.Module, *, n_steps: int = 1, eps: float = 1e-12, rngs: nnx.Rngs):
        _check_build("SpectralNorm", rngs)
        n_steps = checks.count("n_steps (power iterations per call; 1 is the paper's)", n_steps)
        kernel = layer.kernel[...]
        self.layer, self.n_steps, self.eps = layer, n_steps, eps
        self.use_running_average = False   # what .train() and .eval() switch (as in BatchNorm): eval stores nothing
        self.u = nnx.BatchStat(_l2_normalize(jax.random.normal(rngs.params(), kernel.shape[-1:], kernel.dtype), eps))
        self.sigma = nnx.BatchStat(jnp.ones((), kernel.dtype))   # the last estimate (a diagnostic; 1 until a call)

    def _estimate(self) -> tuple[jax.Array, jax.Array]:
        """(sigma, u) from ``n_steps`` power iterations on the current kernel, starting at the stored ``u``."""
        w = self.layer.kernel[...]
        w = w.reshape(-1, w.shape[-1])                     # (fan_in, out)
        u = self.u[...]
        for _ in range(self.n_steps):
            v = _l2_normalize(w @ u, self.eps)             # (fan_in,)
            u = _l2_normalize(w.T @ v, self.eps)           # (out,)
        u, v = jax.lax.stop_gradient(u), jax.lax.stop_gradient(v)
        return v @ w @ u, u

    def normalized_kernel(self) -> jax.Array:
        """The kernel the forward pass uses, ``W / sigma(W)`` (with the iterations of one call; stores nothing)."""
        sigma, _ = self._estimate()
        return self.layer.kernel[...] / sigma

    def __call__(self, x: jax.Array) -> jax.Array:
        sigma, u = self._estimate()
        if not self.use_running_average:
            self.u[...] = u
            self.sigma[...] = jax.lax.stop_gradient(sigma)
        layer = nnx.merge(*nnx.split(self.layer), copy=True)   # new Variables on the same arrays: W stays stored
        layer.kernel[...] = self.layer.kernel[...] / sigma
        return layer(x)


def minibatch_std(x: jax.Array, eps: float = 1e-8) -> jax.Array:
    """Appends the minibatch standard deviation feature (Karras et al., 2018, Sec. 3): (N, ..., C) -> (N, ..., C+1).

    The standard deviation of every feature (at every position) over the batch, averaged over all of them into one
    number, is appended as one more feature (a constant channel for images). A batch of near-identical samples (a
    collapsed generator) has a small value, so D can tell it from real batches and G is pushed towards variety.

    .. math:: s = \\frac{1}{|F|}\\sum_{f\\in F}\\sqrt{\\tfrac1N \\textstyle\\sum_i (x_{if} - \\bar x_f)^2 + \\epsilon}

    Args:
      x: (N, ..., C) features, N >= 2.
      eps: added to the variance so that the square root has a finite gradient at zero spread.
    Returns:
      (N, ..., C + 1): ``x`` with ``s`` appended on the last axis. It mixes the examples of a batch, so it changes
      with the batch and the row-wise gradient trick of ``losses.r1_penalty`` no longer gives exact per-example
      gradients.
    """
    if x.shape[0] < 2:
        raise ValueError(f"minibatch_std needs at least 2 examples to measure their spread, got a batch of "
                         f"{x.shape[0]}; train with batch_size >= 2 (times pack).")
    s = jnp.mean(jnp.sqrt(jnp.var(x, axis=0) + eps))
    return jnp.concatenate([x, jnp.broadcast_to(s, x.shape[:-1] + (1,)).astype(x.dtype)], axis=-1)


def pack_samples(x: jax.Array, m: int) -> jax.Array:
    """PacGAN's packing (Lin et al., 2018): m consecutive samples concatenated on the last axis, (N, ..., C) ->
    (N // m, ..., m * C).

    Row j of the result is ``concatenate([x[j*m], ..., x[j*m + m - 1]], axis=-1)``: for points (N, d) it is
    (N // m, m * d); for images (N, H, W, C) it is (N // m, H, W, m * C), the samples stacked as channels. A
    discriminator that judges m samples jointly sees the lack of variety of a collapsed generator, which one sample
    cannot show (Lin et al., 2018). Both the real and the fake batch are packed before D.

    Args:
      x: (N, ...) a batch with N divisible by m.
      m: samples per pack (1 returns ``x`` itself).
    Returns:
      (N // m, ..., m * C).
    """
    m = checks.count("m (samples per pack; 1 turns packing off)", m)
    if m == 1:
        return x
    n = x.shape[0]
    if x.ndim < 2 or n % m:
        raise ValueError(f"pack_samples needs a batch (N, ...) with N divisible by the pack size {m}, got shape "
                         f"{tuple(x.shape)}; choose a batch size that is a multiple of {m}.")
    x = x.reshape(n // m, m, *x.shape[1:])
    return jnp.moveaxis(x, 1, -2).reshape(n // m, *x.shape[2:-1], m * x.shape[-1])


def _check_build(what: str, rngs, **sizes) -> None:
    """Clear errors for a model's constructor arguments: ``rngs`` an ``nnx.Rngs``, each size a positive integer (or a
    sequence of them), instead of an error from deep inside flax."""
    if not isinstance(rngs, nnx.Rngs):
        raise TypeError(f"{what} needs rngs=nnx.Rngs(seed), e.g. rngs=nnx.Rngs(0); got {rngs!r} "
                        f"({type(rngs).__name__}).")
    for name, value in sizes.items():
        values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
        if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in values):
            shape = "a sequence of positive integers, e.g. (128, 128)" if isinstance(value, (tuple, list)) \
                else "a positive integer"
            raise ValueError(f"{what}: {name} must be {shape}, got {value!r}.")


def _check_pack(pack: int) -> None:
    checks.count("pack (PacGAN's samples per pack; 1 turns it off)", pack)


def _check_input(x: jax.Array, trailing: tuple, what: str, pack: int = 1) -> None:
    if x.ndim != 1 + len(trailing) or tuple(x.shape[1:]) != trailing:
        raise ValueError(f"{what} expects input of shape (N, {', '.join(map(str, trailing))}), got {tuple(x.shape)}."
                         + (" Add the channel axis with x[..., None]." if trailing[-1:] == (1,) and x.ndim == 3 else "")
                         + (f" It judges packs of {pack} samples: pass models.pack_samples(x, {pack})."
                            if pack > 1 else ""))
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise TypeError(f"{what} expects floating-point input, got dtype {x.dtype}. "
                        "Scale uint8 images with gan_utils.data.to_unit_range first.")


class MLPGenerator(nnx.Module):
    """Maps latent noise z of shape (N, latent_dim) to points of shape (N, out_dim) through ReLU layers.

    Args:
      latent_dim: size of z (2 is enough for 2-D toy data and easy to draw).
      out_dim: dimension of the data (1 or 2 for the toy problems).
      hidden: widths of the hidden layers.
      rngs: the NNX random streams for initialisation.
    """

    def __init__(self, latent_dim: int = 2, out_dim: int = 2, hidden: Sequence[int] = (128, 128), *, rngs: nnx.Rngs):
        _check_build("MLPGenerator", rngs, latent_dim=latent_dim, out_dim=out_dim, hidden=hidden)
        self.latent_dim, self.out_dim = latent_dim, out_dim
        sizes = (latent_dim, *hidden)
        self.hidden = _ModuleList([nnx.Linear(a, b, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:])])
        self.out = nnx.Linear(sizes[-1], out_dim, rngs=rngs)

    def __call__(self, z: jax.Array) -> jax.Array:
        _check_input(z, (self.latent_dim,), "MLPGenerator")
        for layer in self.hidden:
            z = nnx.relu(layer(z))
        return self.out(z)


class MLPDiscriminator(nnx.Module):
    """Maps points of shape (N, in_dim) to real-vs-fake logits of shape (N,) through LeakyReLU layers.

    Args:
      in_dim: dimension of the data.
      hidden: widths of the hidden layers.
      spectral_norm: wrap every Linear in ``SpectralNorm`` (Miyato et al., 2018). The raw weights are initialised
        as without it (the power-iteration vectors are drawn from ``rngs`` after them).
      minibatch_std: append the minibatch standard deviation (``minibatch_std``, Karras et al., 2018) as one more
        input of the last Linear (hidden[-1] + 1 inputs).
      pack: PacGAN's pack size m (Lin et al., 2018): the input is ``pack_samples(x, m)``, shape (N, m * in_dim),
        and there is one logit per pack. 1 is no packing.
      rngs: the NNX random streams for initialisation.
    """

    def __init__(self, in_dim: int = 2, hidden: Sequence[int] = (128, 128), *, spectral_norm: bool = False,
                 minibatch_std: bool = False, pack: int = 1, rngs: nnx.Rngs):
        _check_build("MLPDiscriminator", rngs, in_dim=in_dim, hidden=hidden)
        _check_pack(pack)
        self.in_dim, self.pack, self.minibatch_std = in_dim, pack, bool(minibatch_std)
        sizes = (in_dim * pack, *hidden)
        self.hidden = _ModuleList([nnx.Linear(a, b, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:])])
        self.out = nnx.Linear(sizes[-1] + self.minibatch_std, 1, rngs=rngs)
        if spectral_norm:
            self.hidden = _ModuleList([SpectralNorm(layer, rngs=rngs) for layer in self.hidden])
            self.out = SpectralNorm(self.out, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        _check_input(x, (self.in_dim * self.pack,), "MLPDiscriminator", self.pack)
        for layer in self.hidden:
            x = nnx.leaky_relu(layer(x), 0.2)
        if self.minibatch_std:
            x = minibatch_std(x)
        return self.out(x)[:, 0]


class DCGANGenerator(nnx.Module):
    """DCGAN-style generator: z (N, latent_dim) -> images (N, 28, 28, 1) in [-1, 1].

    Layers (with the defaults latent_dim=64, base=128, extra=0):
      Linear 64 -> 7*7*128, BatchNorm, ReLU, reshape to (N, 7, 7, 128)
      Upsample 128 -> 64 (14x14), BatchNorm, ReLU
      Upsample 64 -> 1 (28x28), tanh

    With ``extra = k > 0`` the generator gets more capacity at full resolution (k = 2 shown):
      Linear 64 -> 7*7*128, BatchNorm, ReLU, reshape to (N, 7, 7, 128)
      Upsample 128 -> 64 (14x14), BatchNorm, ReLU
      Upsample 64 -> 32 (28x28), BatchNorm, ReLU           (bn2)
      k times: Conv 3x3 stride 1, 32 -> 32 (28x28), BatchNorm, ReLU   (extra_convs[i], extra_bns[i])
      Conv 3x3, 32 -> 1 (28x28), tanh                      (out)

    With ``extra = 0`` the network, its parameter names and its initialisation are those of the original
    two-upsampling DCGAN, so weights saved before ``extra`` existed load unchanged.

    Args:
      latent_dim: size of z.
      base: channels at 7x7; halved at 14x14 (and quartered at 28x28 when ``extra > 0``).
      extra: number of extra 3x3 stride-1 convolution + BatchNorm + ReLU stages at 28x28 (0 = none).
      upsample: one of ``UPSAMPLE_MODES`` (see ``Upsample``).
      rngs: the NNX random streams for initialisation.
    """

    def __init__(self, latent_dim: int = 64, base: int = 128, *, extra: int = 0, upsample: str = "subpixel",
                 rngs: nnx.Rngs):
        _check_build("DCGANGenerator", rngs, latent_dim=latent_dim, base=base)
        if extra < 0:
            raise ValueError(f"extra (stages at 28x28) must be 0 or more, got {extra}.")
        if base < (4 if extra else 2):
            raise ValueError(f"base must be at least {4 if extra else 2} (it is halved at 14x14"
                             f"{' and quartered at 28x28' if extra else ''}), got {base}.")
        self.latent_dim, self.base, self.extra = latent_dim, base, extra
        self.fc = nnx.Linear(latent_dim, 7 * 7 * base, use_bias=False, rngs=rngs)  # BN adds the bias
        self.bn0 = nnx.BatchNorm(7 * 7 * base, momentum=0.9, rngs=rngs)
        self.up1 = Upsample(base, base // 2, mode=upsample, rngs=rngs)
        self.bn1 = nnx.BatchNorm(base // 2, momentum=0.9, rngs=rngs)
        if not extra:
            self.up2 = Upsample(base // 2, 1, mode=upsample, rngs=rngs)
            return
        c = base // 4
        self.up2 = Upsample(base // 2, c, mode=upsample, rngs=rngs)
        self.bn2 = nnx.BatchNorm(c, momentum=0.9, rngs=rngs)
        self.extra_convs = _ModuleList([nnx.Conv(c, c, (3, 3), use_bias=False, rngs=rngs) for _ in range(extra)])
        self.extra_bns = _ModuleList([nnx.BatchNorm(c, momentum=0.9, rngs=rngs) for _ in range(extra)])
        self.out = nnx.Conv(c, 1, (3, 3), rngs=rngs)

    def __call__(self, z: jax.Array) -> jax.Array:
        _check_input(z, (self.latent_dim,), "DCGANGenerator")
        x = nnx.relu(self.bn0(self.fc(z))).reshape(z.shape[0], 7, 7, self.base)
        x = nnx.relu(self.bn1(self.up1(x)))
        if not self.extra:
            return jnp.tanh(self.up2(x))
        x = nnx.relu(self.bn2(self.up2(x)))                      # (N, 28, 28, base // 4)
        for conv, bn in zip(self.extra_convs, self.extra_bns):
            x = nnx.relu(bn(conv(x)))
        return jnp.tanh(self.out(x))


class DCGANDiscriminator(nnx.Module):
    """DCGAN-style discriminator: images (N, 28, 28, 1) in [-1, 1] -> logits (N,).

    Layers (with the default base=64):
      Conv 4x4 stride 2, 1 -> 64 (14x14), LeakyReLU(0.2), Dropout
      Conv 4x4 stride 2, 64 -> 128 (7x7), LeakyReLU(0.2), Dropout
      Linear 7*7*128 -> 1

    Args:
      base: channels of the first convolution; doubled in the second.
      dropout: dropout rate after each convolution (0 disables it; 0.3 is the TensorFlow tutorial's value).
      spectral_norm: wrap both convolutions and the Linear in ``SpectralNorm`` (Miyato et al., 2018). The raw
        weights are initialised as without it (the power-iteration vectors are drawn from ``rngs`` after them).
      minibatch_std: append the minibatch standard deviation (``minibatch_std``, Karras et al., 2018) as one more
        channel of the 7x7 features, before the Linear (7*7*(2*base + 1) inputs): as in Karras et al., a constant
        feature map at the last resolution, where it describes the whole image.
      pack: PacGAN's pack size m (Lin et al., 2018): the input is ``pack_samples(x, m)``, shape (N, 28, 28, m)
        (the m images as channels), and there is one logit per pack. 1 is no packing.
      rngs: the NNX random streams for initialisation (and for dropout, when enabled).
    """

    def __init__(self, base: int = 64, *, dropout: float = 0.0, spectral_norm: bool = False,
                 minibatch_std: bool = False, pack: int = 1, rngs: nnx.Rngs):
        _check_build("DCGANDiscriminator", rngs, base=base)
        _check_pack(pack)
        self.pack, self.minibatch_std = pack, bool(minibatch_std)
        self.conv1 = nnx.Conv(pack, base, (4, 4), strides=(2, 2), rngs=rngs)
        self.conv2 = nnx.Conv(base, 2 * base, (4, 4), strides=(2, 2), rngs=rngs)
        self.drop = nnx.Dropout(dropout, rngs=rngs)
        self.fc = nnx.Linear(7 * 7 * (2 * base + self.minibatch_std), 1, rngs=rngs)
        if spectral_norm:
            self.conv1, self.conv2, self.fc = (SpectralNorm(layer, rngs=rngs)
                                               for layer in (self.conv1, self.conv2, self.fc))

    def features(self, x: jax.Array) -> jax.Array:
        """Penultimate features, the Linear's input: (N, 7*7*2*base), or (N, 7*7*(2*base + 1)) with
        ``minibatch_std``."""
        _check_input(x, (28, 28, self.pack), "DCGANDiscriminator", self.pack)
        x = self.drop(nnx.leaky_relu(self.conv1(x), 0.2))
        x = self.drop(nnx.leaky_relu(self.conv2(x), 0.2))
        if self.minibatch_std:
            x = minibatch_std(x)
        return x.reshape(x.shape[0], -1)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.fc(self.features(x))[:, 0]


class ConditionalBatchNorm(nnx.Module):
    """BatchNorm whose scale and shift are chosen by the class (de Vries et al., 2017; Miyato & Koyama, 2018).

    ``x`` is normalised with the batch statistics (running averages in inference mode) of a BatchNorm without scale
    and bias, then multiplied by ``scale[y]`` and shifted by ``shift[y]``: one (features,) pair per class, started at
    1 and 0, so at initialisation it is a plain BatchNorm.

    Args:
      features: C, the size of the last axis.
      num_classes: number of classes.
      momentum: of the running statistics (0.9, as the course's other BatchNorms).
      rngs: the NNX random streams.
    """

    def __init__(self, features: int, num_classes: int, *, momentum: float = 0.9, rngs: nnx.Rngs):
        _check_build("ConditionalBatchNorm", rngs, features=features, num_classes=num_classes)
        self.bn = nnx.BatchNorm(features, momentum=momentum, use_scale=False, use_bias=False, rngs=rngs)
        self.scale = nnx.Embed(num_classes, features, embedding_init=nnx.initializers.ones, rngs=rngs)
        self.shift = nnx.Embed(num_classes, features, embedding_init=nnx.initializers.zeros, rngs=rngs)

    def __call__(self, x: jax.Array, y: jax.Array) -> jax.Array:
        """x (N, ..., C), y (N,) int -> (N, ..., C)."""
        shape = (x.shape[0],) + (1,) * (x.ndim - 2) + (x.shape[-1],)
        return self.bn(x) * self.scale(y).reshape(shape) + self.shift(y).reshape(shape)


def _check_labels(y: jax.Array, n: int, num_classes: int, what: str) -> None:
    if not hasattr(y, "shape") or y.shape != (n,):
        raise ValueError(f"{what} needs one class label per example: y of shape ({n},), got "
                         f"{getattr(y, 'shape', type(y).__name__)}. For one class, pass jnp.full({n}, label).")
    if not jnp.issubdtype(y.dtype, jnp.integer):
        raise TypeError(f"{what} expects integer class labels in 0..{num_classes - 1}, got dtype {y.dtype}; "
                        "pass y.astype(jnp.int32), not one-hot vectors.")


class ConditionalDCGANGenerator(nnx.Module):
    """Class-conditional DCGAN generator: (z (N, latent_dim), y (N,) int) -> images (N, 28, 28, 1) in [-1, 1].

    The generator of ``DCGANGenerator`` with the label entering twice, the two classic ways: an embedding of y
    concatenated to z (Mirza & Osindero, 2014) and class-dependent BatchNorm scales and shifts
    (``ConditionalBatchNorm``; de Vries et al., 2017, as in Miyato & Koyama, 2018):
      Linear (latent_dim + embed_dim) -> 7*7*base, ConditionalBatchNorm, ReLU, reshape to (N, 7, 7, base)
      Upsample base -> base/2 (14x14), ConditionalBatchNorm, ReLU
      Upsample base/2 -> 1 (28x28), tanh

    Args:
      latent_dim: size of z.
      num_classes: number of classes (10 digits).
      base: channels at 7x7 (halved at 14x14).
      embed_dim: size of the label's embedding concatenated to z.
      upsample: one of ``UPSAMPLE_MODES``.
      rngs: the NNX random streams.
    """

    def __init__(self, latent_dim: int = 64, num_classes: int = 10, base: int = 64, *, embed_dim: int = 16,
                 upsample: str = "subpixel", rngs: nnx.Rngs):
        _check_build("ConditionalDCGANGenerator", rngs, latent_dim=latent_dim, embed_dim=embed_dim)
        num_classes, base = checks.count("num_classes", num_classes, 2), checks.count("base", base, 2)
        if num_classes < 2 or base < 2 or embed_dim < 1:
            raise ValueError(f"need num_classes >= 2, base >= 2 and embed_dim >= 1; got {num_classes}, {base} and "
                             f"{embed_dim}.")
        self.latent_dim, self.num_classes, self.base = latent_dim, num_classes, base
        self.embed = nnx.Embed(num_classes, embed_dim, rngs=rngs)
        self.fc = nnx.Linear(latent_dim + embed_dim, 7 * 7 * base, use_bias=False, rngs=rngs)
        self.bn0 = ConditionalBatchNorm(7 * 7 * base, num_classes, rngs=rngs)
        self.up1 = Upsample(base, base // 2, mode=upsample, rngs=rngs)
        self.bn1 = ConditionalBatchNorm(base // 2, num_classes, rngs=rngs)
        self.up2 = Upsample(base // 2, 1, mode=upsample, rngs=rngs)

    def __call__(self, z: jax.Array, y: jax.Array) -> jax.Array:
        _check_input(z, (self.latent_dim,), "ConditionalDCGANGenerator")
        _check_labels(y, z.shape[0], self.num_classes, "ConditionalDCGANGenerator")
        h = self.fc(jnp.concatenate([z, self.embed(y)], axis=-1))
        x = nnx.relu(self.bn0(h, y)).reshape(z.shape[0], 7, 7, self.base)
        x = nnx.relu(self.bn1(self.up1(x), y))
        return jnp.tanh(self.up2(x))


class ClusterPrior(nnx.Variable):
    """The share of the training data in each cluster of a self-conditioned GAN: set by re-clustering, not by the
    optimizer (which updates ``nnx.Param`` only), and saved with the generator."""


class SelfConditionedGenerator(nnx.Module):
    """An unconditional generator built from a class-conditional one and a discrete code drawn from z:
    z (N, latent_dim) -> images (N, 28, 28, 1) in [-1, 1], with no label asked of the caller.

    Self-conditioned GAN (Liu et al., 2020, "Diverse Image Generation via Self-Conditioned GANs"): the training data
    are clustered without labels (k-means on the discriminator's features, ``gan_utils.clusters``), and the cluster
    ids play the labels of a class-conditional GAN (``ConditionalDCGANGenerator`` with a ``ProjectionDiscriminator``
    over ``num_clusters`` classes). A sample's cluster is read from its own z: ``c = F^-1(Phi(z[:, 0]))``, the
    inverse of the clusters' cumulative shares (``prior``) at the normal CDF of z's first coordinate, so c follows
    the data's cluster shares, G stays a function of z alone (every sampler of the course works unchanged), and a
    straight walk in z crosses from one cluster to the next in a jump instead of through hybrid digits.

    In training the step passes the real batch's cluster ids as ``y`` (as for any conditional GAN); the prior only
    decides c when y is not given.

    Args:
      latent_dim: size of z (the first coordinate also picks the cluster).
      num_clusters: k, the number of clusters.
      base: channels at 7x7 of the conditional generator.
      rngs: the NNX random streams.
    """

    def __init__(self, latent_dim: int = 64, num_clusters: int = 10, base: int = 64, *, rngs: nnx.Rngs):
        if isinstance(num_clusters, bool) or not isinstance(num_clusters, numbers.Integral) or num_clusters < 2:
            raise ValueError(f"num_clusters must be an integer >= 2, got {num_clusters!r}.")
        self.latent_dim, self.num_clusters = latent_dim, int(num_clusters)
        self.net = ConditionalDCGANGenerator(latent_dim, num_clusters, base, rngs=rngs)
        self.prior = ClusterPrior(jnp.full((num_clusters,), 1.0 / num_clusters))   # (k,) shares, summing to 1

    def clusters_of(self, z: jax.Array) -> jax.Array:
        """(N,) int32 cluster of each z (N, latent_dim): the prior's quantile at Phi(z[:, 0])."""
        _check_input(z, (self.latent_dim,), "SelfConditionedGenerator")
        u = jax.scipy.stats.norm.cdf(z[:, 0])
        edges = jnp.cumsum(self.prior[...])[:-1]
        return jnp.searchsorted(edges, u, side="right").astype(jnp.int32)

    def __call__(self, z: jax.Array, y: jax.Array | None = None) -> jax.Array:
        return self.net(z, self.clusters_of(z) if y is None else y)


def takes_labels(generator: nnx.Module) -> bool:
    """True for a generator that the training step must give labels: class-conditional, self-conditioned, or
    image-conditioned (pix2pix's ``UNetGenerator``, whose "label" is the source image)."""
    return (getattr(generator, "num_classes", None) is not None or getattr(generator, "num_clusters", None) is not None
            or getattr(generator, "image_conditioned", False))


class ProjectionDiscriminator(nnx.Module):
    """Class-conditional DCGAN discriminator with a projection (Miyato & Koyama, 2018):
    (images (N, 28, 28, 1), y (N,) int) -> logits (N,).

    ``D(x, y) = w . phi(x) + b + embed(y) . phi(x)``: the features ``phi(x)`` of ``DCGANDiscriminator`` (two strided
    convolutions, flattened), an unconditional score, plus the inner product of the features with a learned vector
    per class. The label is not an input to the convolutions: it only asks "do these features look like class y?",
    which is the form the log-ratio of two class-conditional densities takes when both are log-linear in phi(x)
    (Miyato & Koyama, 2018, Sec. 3).

    Args:
      base: channels of the first convolution (doubled in the second).
      num_classes: number of classes.
      dropout: dropout rate after each convolution (0 = off).
      spectral_norm: wrap the convolutions and the Linear in ``SpectralNorm``.
      rngs: the NNX random streams.
    """

    def __init__(self, base: int = 32, num_classes: int = 10, *, dropout: float = 0.0, spectral_norm: bool = False,
                 minibatch_std: bool = False, rngs: nnx.Rngs):
        _check_build("ProjectionDiscriminator", rngs, base=base)
        num_classes = checks.count("num_classes", num_classes, 2)
        self.num_classes = num_classes
        self.body = DCGANDiscriminator(base, dropout=dropout, spectral_norm=spectral_norm,
                                       minibatch_std=minibatch_std, rngs=rngs)
        n_features = 7 * 7 * (2 * base + bool(minibatch_std))
        # each class vector starts as small as the Linear's weights (LeCun normal: std 1/sqrt(fan_in))
        self.embed = nnx.Embed(num_classes, n_features,
                               embedding_init=nnx.initializers.normal(n_features ** -0.5), rngs=rngs)

    def __call__(self, x: jax.Array, y: jax.Array) -> jax.Array:
        _check_labels(y, x.shape[0], self.num_classes, "ProjectionDiscriminator")
        h = self.body.features(x)                                     # (N, F)
        return self.body.fc(h)[:, 0] + jnp.sum(self.embed(y) * h, axis=-1)


def count_params(module: nnx.Module) -> int:
    """Number of trainable scalars (nnx.Param) in a module."""
    return sum(x.size for x in jax.tree_util.tree_leaves(nnx.state(module, nnx.Param)))


def inference_copy(module: nnx.Module) -> nnx.Module:
    """A copy of ``module`` in inference mode (BatchNorm uses its running statistics, Dropout is off).

    The copy shares the module's arrays and leaves the module itself in whatever mode it was (training, during
    ``fit``), so drawing samples in the middle of training changes nothing.
    """
    graphdef, state = nnx.split(module)
    copy = nnx.merge(graphdef, state)
    copy.eval()
    return copy


def class_labels(n: int, num_classes: int, labels=None) -> jax.Array:
    """The (n,) int32 class labels to ask a conditional generator for.

    Args:
      n: number of samples.
      num_classes: the generator's number of classes.
      labels: None for the classes in turn (0, 1, ..., 9, 0, 1, ...: a balanced set), an int for one class, or
        (n,) ints.
    Returns:
      (n,) int32 labels, checked to be in 0..num_classes-1.
    """
    n, num_classes = checks.count("n", n), checks.count("num_classes", num_classes)
    if labels is None:
        return jnp.arange(n, dtype=jnp.int32) % num_classes
    y = jnp.full((n,), labels) if jnp.ndim(labels) == 0 else jnp.asarray(labels)
    _check_labels(y, n, num_classes, "labels")
    if int(jnp.min(y)) < 0 or int(jnp.max(y)) >= num_classes:
        raise ValueError(f"labels must be in 0..{num_classes - 1} (the generator has {num_classes} classes), got "
                         f"{int(jnp.min(y))}..{int(jnp.max(y))}.")
    return y.astype(jnp.int32)


def generator_inputs(generator: nnx.Module, z: jax.Array, labels=None) -> tuple:
    """The arguments to call a generator with: ``(z,)``, or ``(z, y)`` for a class-conditional one.

    Args:
      generator: any generator of this module.
      z: (N, latent_dim) latent codes.
      labels: for a conditional generator (one with ``num_classes``): see ``class_labels`` (None: the classes in
        turn). Must be None for an unconditional one.
    Returns:
      the tuple to unpack into the generator's call.
    """
    k = getattr(generator, "num_classes", None)
    if k is None:
        if labels is not None:
            raise ValueError(f"{type(generator).__name__} is not class-conditional; drop labels= (a conditional "
                             "generator is models.ConditionalDCGANGenerator).")
        return (z,)
    return (z, class_labels(z.shape[0], k, labels))


@partial(jax.jit, static_argnums=(0,))
def _sample_jit(graphdef, state, z, y):
    g = nnx.merge(graphdef, state)
    return g(z) if y is None else g(z, y)


def sample(generator: nnx.Module, key: jax.Array | None, n: int, *, z: jax.Array | None = None,
           labels=None, batch_size: int = 1000) -> jax.Array:
    """Draws n samples from a generator in inference mode (BatchNorm uses its running statistics).

    Args:
      generator: a generator with a ``latent_dim`` attribute.
      key: PRNG key for z ~ N(0, I); ignored (may be None) when ``z`` is given.
      n: number of samples.
      z: optional latent codes of shape (n, latent_dim) to use instead of drawing them.
      labels: class labels for a conditional generator (see ``class_labels``: None = the classes in turn, an int,
        or (n,) ints); must be None for an unconditional one.
      batch_size: samples per compiled call (bounds memory).
    Returns:
      (n, ...) samples, e.g. (n, 28, 28, 1) images in [-1, 1].
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n (the number of samples) must be an integer >= 1, got {n!r}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1 (samples per compiled call), got {batch_size!r}.")
    if z is not None:
        z = jnp.asarray(z)
        if z.shape != (n, generator.latent_dim):
            raise ValueError(f"z must have shape (n, latent_dim) = ({n}, {generator.latent_dim}), got {z.shape}.")
    elif key is None:
        raise ValueError("pass a PRNG key (e.g. jax.random.key(0)) to draw z, or the latent codes as z=.")
    else:   # one key per batch of batch_size (the draws, and so the samples, of every earlier version)
        keys = jax.random.split(key, math.ceil(n / batch_size))
        z = jnp.concatenate([jax.random.normal(k, (min(batch_size, n - i * batch_size), generator.latent_dim))
                             for i, k in enumerate(keys)])
    args = generator_inputs(generator, z, labels)
    graphdef, state = nnx.split(inference_copy(generator))
    out = [_sample_jit(graphdef, state, *(a[i:i + batch_size] for a in args), *([None] * (2 - len(args))))
           for i in range(0, n, batch_size)]
    return jnp.concatenate(out) if len(out) > 1 else out[0]


@partial(jax.jit, static_argnums=(0, 3))
def _batch_stats_jit(graphdef, state, key, n):
    g = nnx.merge(graphdef, state)
    g(*generator_inputs(g, jax.random.normal(key, (n, g.latent_dim))))
    return nnx.state(g, nnx.BatchStat)


def recalibrate_batchnorm(generator: nnx.Module, key: jax.Array, *, n_batches: int = 20,
                          batch_size: int = 256) -> nnx.Module:
    """Re-estimates a generator's BatchNorm running statistics for its current weights ("standing statistics").

    The running statistics that training leaves behind belong to the weights that produced them. A generator
    whose weights were set otherwise (an exponential moving average of the trained ones, ``steps.GAN.g_ema``)
    needs statistics of its own: this runs it in training mode on ``n_batches`` batches of fresh
    z ~ N(0, I) and sets each BatchNorm's ``mean`` and ``var`` to the plain average, over those batches, of
    the batch statistics (what BatchNorm normalises with in training mode). The result depends only on the
    weights and ``key``, not on the old statistics nor on BatchNorm's momentum.

    Args:
      generator: a generator with a ``latent_dim`` attribute; changed in place (only its BatchNorm statistics).
      key: PRNG key of the z batches.
      n_batches: number of batches averaged.
      batch_size: samples per batch (the batch statistics are those of batches of this size).
    Returns:
      ``generator`` (for chaining). A generator without BatchNorm is returned unchanged.
    """
    n_batches, batch_size = checks.count("n_batches", n_batches), checks.count("batch_size", batch_size, 2)
    probe = nnx.clone(generator)      # new Variables: nothing done to the probe reaches the generator
    bns = [m for _, m in _iter_modules(probe) if isinstance(m, nnx.BatchNorm)]
    if not bns:
        return generator
    probe.train()
    for bn in bns:                    # momentum 0: each forward pass leaves exactly that batch's statistics
        bn.momentum = 0.0
        bn.mean[...] = jnp.zeros_like(bn.mean[...])
        bn.var[...] = jnp.ones_like(bn.var[...])
    graphdef, state = nnx.split(probe)
    total = None
    for k in jax.random.split(key, n_batches):
        stats = _batch_stats_jit(graphdef, state, k, batch_size)
        total = stats if total is None else jax.tree_util.tree_map(jnp.add, total, stats)
    nnx.update(generator, jax.tree_util.tree_map(lambda s: s / n_batches, total))
    return generator


def layer_table(module, *inputs, depth: int = 1) -> list[dict]:
    """Traces a model and lists each layer's output shape and parameter count, in the order they run.

    Nothing is computed: the forward pass runs under ``jax.eval_shape``, with every submodule at ``depth``
    (1 = the model's own attributes, e.g. ``fc``, ``bn0``, ``up1``) wrapped to record its output shape.
    The table therefore follows the model's code, whatever layers it has.

    Why not ``nnx.tabulate``? Flax's summary (checked with flax 0.12.8) counts RNG-stream counters (Dropout's) in
    its "Total Parameters", needs about 120 columns before it stops truncating shapes, and shows a layer once per
    call; this table reports trainable parameters only, in 67 columns, which is what the course's lessons count.

    Args:
      module: an NNX module, e.g. ``DCGANGenerator``.
      *inputs: example inputs or ``jax.ShapeDtypeStruct`` s, e.g. ``jax.ShapeDtypeStruct((1, 64), jnp.float32)``.
      depth: how deep in the module tree to report layers.
    Returns:
      a list of dicts ``{"name", "type", "output_shape", "params"}`` (one per call; a layer called twice
      appears twice), then a last row ``{"name": "total", ...}`` with the model's output shape and its
      total trainable parameter count (which includes layers that were never called).
    """
    depth = checks.count("depth", depth)

    def n_params(m):
        return int(sum(x.size for x in jax.tree_util.tree_leaves(nnx.state(m, nnx.Param))))

    def layers(mod):
        return {id(m): ".".join(map(str, path)) for path, m in nnx.iter_graph(mod)
                if isinstance(m, nnx.Module) and len(path) == depth}

    subs = layers(module)
    rows: list[dict] = []
    originals = {}

    def wrap(cls):
        orig = cls.__call__

        def call(self, *a, **k):
            out = orig(self, *a, **k)
            if id(self) in subs:
                shape = tuple(out.shape) if hasattr(out, "shape") else None
                rows.append({"name": subs[id(self)], "type": cls.__name__, "output_shape": shape,
                             "params": n_params(self)})
            return out
        return orig, call

    types = {type(m) for path, m in nnx.iter_graph(module) if id(m) in subs}
    graphdef, state = nnx.split(module)

    def forward(state, *xs):  # a copy of the module, so tracing mutates nothing (e.g. BatchNorm statistics)
        copy = nnx.merge(graphdef, state)
        subs.clear()
        subs.update(layers(copy))
        return copy(*xs)

    try:
        for cls in types:
            originals[cls], cls.__call__ = wrap(cls)
        out = jax.eval_shape(forward, state, *inputs)
    finally:
        for cls, orig in originals.items():
            cls.__call__ = orig
    rows.append({"name": "total", "type": type(module).__name__, "output_shape": tuple(out.shape),
                 "params": n_params(module)})
    return rows


def format_layer_table(rows: list[dict]) -> str:
    """Formats ``layer_table`` rows as a fixed-width text table (batch axis shown as N)."""
    def shape(s):
        return ("(N, " + ", ".join(map(str, s[1:])) + ")" if len(s) > 1 else "(N,)") if s else "-"
    lines = [f"{'layer':<10} {'type':<22} {'output shape':<20} {'parameters':>12}", "-" * 67]
    for r in rows[:-1]:
        lines.append(f"{r['name']:<10} {r['type']:<22} {shape(r['output_shape']):<20} {r['params']:>12,}")
    t = rows[-1]
    lines += ["-" * 67, f"{'total':<10} {t['type']:<22} {shape(t['output_shape']):<20} {t['params']:>12,}"]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------------
# Image-to-image translation (pix2pix: Isola et al., 2017), notebook 11.

def receptive_field(kernels: Sequence[int], strides: Sequence[int]) -> int:
    """Side in input pixels of what one output unit of a stack of convolutions sees:
    ``1 + sum_l (k_l - 1) * prod_{j < l} s_j`` (each layer widens it by k - 1 of its input's pixels, and an input
    pixel of layer l spans the product of the strides before it)."""
    rf, jump = 1, 1
    if len(kernels) != len(strides):
        raise ValueError(f"receptive_field needs one stride per kernel, got {len(kernels)} kernels and "
                         f"{len(strides)} strides.")
    for k, s in zip(kernels, strides, strict=True):
        rf, jump = rf + (k - 1) * jump, jump * s
    return rf


class UNetGenerator(nnx.Module):
    """pix2pix's generator: a source image (N, S, S, 1) in [-1, 1] -> its translation (N, S, S, 1) in [-1, 1].

    An encoder halves the image to a 4x4 bottleneck with strided 4x4 convolutions (channels doubling from ``base``
    up to ``8 * base``); a decoder doubles it back with the course's sub-pixel ``Upsample``; a **skip** concatenates
    each encoder map to the decoder map of the same size, so the source's layout (where every stroke is) reaches the
    output without squeezing through the bottleneck: input and output share their layout, and only the style has
    to be learnt (Isola et al., 2017, Sec. 3.2.1). GroupNorm (8 groups) after each inner layer: per-example
    statistics, so a translation does not depend on the rest of the batch and needs no running averages.

    It takes no noise: Isola et al. found their generator learnt to ignore z (Sec. 3.1), so ``latent_dim`` is 0 and
    the z the training step passes (shape (N, 0)) is unused. The 4x4 bottleneck is deliberate: on XLA:CPU,
    convolutions on 2x2 or 1x1 maps with many channels are far slower per FLOP (issue #47 measured one 3x3 conv on a
    2x2x512 map at 1 s against 25 ms for a 4x4x256->512 conv with twice the FLOPs).

    With ``n_styles = K > 0`` it also takes a **style code** (notebook 12; zi2zi's font embedding, Tian 2017): the
    condition is then (N, S, S, 1 + K), the source glyph and K constant planes holding the code, a weight per target
    font (one-hot for a font; ``(1 - t, t)`` between two), so the course's conditional step carries both as one array
    (``gan_utils.styles.style_condition`` builds it). The code picks a learnt vector, ``e = code @ E`` with E (K,
    ``style_dim``); e is tiled over the map and concatenated to the bottleneck and to every decoder layer's input, so
    each scale of the decoder hears which style to draw (zi2zi concatenates it at the bottleneck only).

    Args:
      size: the image side S, a power of 2 from 8 to 256 (the glyphs: 32 or 64).
      base: channels of the first encoder layer.
      n_styles: target styles K the generator is conditioned on (0: none, pix2pix).
      style_dim: length of each style's learnt vector.
      rngs: the NNX random streams for initialisation.
    """
    latent_dim = 0
    image_conditioned = True

    def __init__(self, size: int = 32, base: int = 32, *, n_styles: int = 0, style_dim: int = 16, rngs: nnx.Rngs):
        _check_build("UNetGenerator", rngs, size=size, base=base)
        if isinstance(n_styles, bool) or not isinstance(n_styles, numbers.Integral) or n_styles < 0:
            raise ValueError(f"UNetGenerator: n_styles must be an integer >= 0 (0: no style code), got {n_styles!r}.")
        if n_styles and (isinstance(style_dim, bool) or not isinstance(style_dim, numbers.Integral) or style_dim < 1):
            raise ValueError(f"UNetGenerator: style_dim must be an integer >= 1, got {style_dim!r}.")
        depth = int(math.log2(size)) - 2          # halvings from S down to 4
        if size != 4 * 2 ** depth or depth < 1 or size > 256:
            raise ValueError(f"UNetGenerator: size must be a power of 2 from 8 to 256, got {size}.")
        self.size, self.base, self.n_styles = size, base, int(n_styles)
        widths = [min(base * 2 ** i, 8 * base) for i in range(depth)]        # encoder outputs, S/2 .. 4
        ins = [1] + widths[:-1]
        self.down = _ModuleList([nnx.Conv(a, b, (4, 4), strides=(2, 2), rngs=rngs) for a, b in zip(ins, widths)])
        self.down_norms = _ModuleList([nnx.GroupNorm(b, num_groups=min(8, b), rngs=rngs) for b in widths[1:]])
        # decoder: from 4x4 back up; each up-layer after the first also takes the skip of its size
        outs = widths[::-1][1:] + [base]                                     # decoder outputs, 8 .. S
        extra = style_dim if n_styles else 0                                 # the style vector, tiled
        ups_in = [widths[-1] + extra] + [2 * w + extra for w in outs[:-1]]
        if n_styles:
            self.style_table = nnx.Param(jax.random.normal(rngs.params(), (n_styles, style_dim)))
        self.up = _ModuleList([Upsample(a, b, rngs=rngs) for a, b in zip(ups_in, outs)])
        self.up_norms = _ModuleList([nnx.GroupNorm(b, num_groups=min(8, b), rngs=rngs) for b in outs])
        self.out = nnx.Conv(base + 1, 1, (3, 3), rngs=rngs)   # sees the source itself too: the last skip

    def style_vector(self, code: jax.Array) -> jax.Array:
        """The learnt vector of a style code (N, K): ``code @ E``, (N, style_dim)."""
        return code @ self.style_table[...]

    def __call__(self, z: jax.Array, source: jax.Array) -> jax.Array:
        _check_input(source, (self.size, self.size, 1 + self.n_styles), "UNetGenerator"
                     + (f" (source glyph + {self.n_styles} style planes: gan_utils.styles.style_condition)"
                        if self.n_styles else ""))
        if self.n_styles:
            source, code = source[..., :1], source[..., 1:].mean((1, 2))
            e = self.style_vector(code)[:, None, None, :]
        skips, x = [source], source
        for i, conv in enumerate(self.down):
            x = conv(x)
            x = nnx.leaky_relu(self.down_norms[i - 1](x) if i else x, 0.2)   # no norm on the first layer (pix2pix)
            skips.append(x)
        skips.pop()                                                           # the bottleneck is x itself
        for up, norm in zip(self.up, self.up_norms):
            if self.n_styles:
                x = jnp.concatenate([x, jnp.broadcast_to(e, x.shape[:3] + e.shape[-1:])], axis=-1)
            x = nnx.relu(norm(up(x)))
            x = jnp.concatenate([x, skips.pop()], axis=-1)
        return jnp.tanh(self.out(x))


class PatchDiscriminator(nnx.Module):
    """pix2pix's PatchGAN: (image (N, S, S, 1), source (N, S, S, 1)) -> logits (N, P, P), one per patch.

    The two images are stacked as channels, so D judges a *pair*: is this image a true translation of this source?
    With ``paired=False`` (CycleGAN's discriminators, notebook 12) it reads the image alone, ``D(image)``: is this a
    glyph of its font? Without pairs there is no source to compare with.
    ``n_down`` strided 4x4 convolutions, then two stride-1 4x4 convolutions (the last one to one channel); each logit
    sees a ``receptive_field`` x ``receptive_field`` patch of the pair, not the whole image (Isola et al., 2017,
    Sec. 3.2.2: a Markovian discriminator that models high-frequency structure, leaving the low frequencies to L1).
    The losses of ``gan_utils.losses`` average over every logit, so each patch is one real-or-fake example. It has no
    normalisation layer, as the course's DCGAN discriminator: a norm's statistics over the whole map would let every
    logit see every pixel, and the patch would be a patch in name only.

    Args:
      size: the image side S (at least 2 ** n_down * 2).
      base: channels of the first convolution, doubled at each later one (up to 8 * base).
      n_down: strided convolutions; 1, 2, 3 give patches of 16, 34, 70 pixels.
      spectral_norm: wrap every convolution in ``SpectralNorm``.
      paired: True: judge (image, source) pairs; False: judge images alone.
      n_styles: K > 0 (paired only): the source carries K style planes as well (``UNetGenerator(n_styles=K)``'s
        condition), so D judges "a true translation of this source in this style".
      rngs: the NNX random streams for initialisation.
    """

    def __init__(self, size: int = 32, base: int = 32, *, n_down: int = 2, spectral_norm: bool = False,
                 paired: bool = True, n_styles: int = 0, rngs: nnx.Rngs):
        _check_build("PatchDiscriminator", rngs, size=size, base=base, n_down=n_down)
        if isinstance(n_styles, bool) or not isinstance(n_styles, numbers.Integral) or n_styles < 0 or (
                n_styles and not paired):
            raise ValueError(f"PatchDiscriminator: n_styles must be an integer >= 0, and 0 with paired=False (an "
                             f"unpaired D reads no source), got n_styles={n_styles!r}, paired={paired}.")
        self.n_styles = int(n_styles)
        if size < 2 ** n_down * 2:
            raise ValueError(f"PatchDiscriminator: n_down={n_down} halves a {size}x{size} image below 2x2; use "
                             f"n_down <= {int(math.log2(size)) - 1}.")
        self.size, self.n_down, self.paired = size, n_down, bool(paired)
        widths = [min(base * 2 ** i, 8 * base) for i in range(n_down + 1)]
        ins = [2 + self.n_styles if paired else 1] + widths[:-1]
        self.convs = _ModuleList([nnx.Conv(a, b, (4, 4), strides=(2, 2) if i < n_down else (1, 1), rngs=rngs)
                                  for i, (a, b) in enumerate(zip(ins, widths))])
        self.out = nnx.Conv(widths[-1], 1, (4, 4), rngs=rngs)
        if spectral_norm:
            self.convs = _ModuleList([SpectralNorm(c, rngs=rngs) for c in self.convs])
            self.out = SpectralNorm(self.out, rngs=rngs)

    @property
    def receptive_field(self) -> int:
        """Side in pixels of the patch each logit judges."""
        n = len(self.convs)
        return receptive_field([4] * (n + 1), [2] * self.n_down + [1] * (n + 1 - self.n_down))

    def __call__(self, x: jax.Array, source: jax.Array | None = None) -> jax.Array:
        _check_input(x, (self.size, self.size, 1), "PatchDiscriminator")
        if self.paired != (source is not None):
            raise TypeError("this PatchDiscriminator judges " + ("(image, source) pairs: call D(image, source)."
                            if self.paired else "images alone (paired=False): call D(image), with no source."))
        h = x
        if self.paired:
            _check_input(source, (self.size, self.size, 1 + self.n_styles), "PatchDiscriminator (its source)")
            h = jnp.concatenate([x, source], axis=-1)
        for conv in self.convs:
            h = nnx.leaky_relu(conv(h), 0.2)
        return self.out(h)[..., 0]


@partial(jax.jit, static_argnums=(0,))
def _translate_jit(graphdef, state, source):
    g = nnx.merge(graphdef, state)
    return g(jnp.zeros((source.shape[0], 0), source.dtype), source)


def translate(generator: nnx.Module, source, *, batch_size: int = 500) -> jax.Array:
    """Runs an image-to-image generator (``UNetGenerator``) on source images, in inference mode.

    Args:
      generator: a generator with ``image_conditioned``.
      source: (N, S, S, 1) float images in [-1, 1] (``data.to_unit_range`` of the glyphs' uint8); for a
        style-conditioned generator (N, S, S, 1 + K), ``styles.style_condition``'s.
      batch_size: images per compiled call (bounds memory).
    Returns:
      (N, S, S, 1) translations in [-1, 1].
    """
    if not getattr(generator, "image_conditioned", False):
        raise TypeError(f"translate needs an image-to-image generator (models.UNetGenerator), got "
                        f"{type(generator).__name__}; draw from a noise-to-image generator with models.sample.")
    checks.count("batch_size", batch_size)   # images per compiled call
    if source is None or isinstance(source, str):
        raise TypeError(f"translate's source must be images (N, S, S, 1) in [-1, 1], got {source!r:.40}.")
    if np.ndim(source) == 3:
        raise ValueError(f"translate expects (N, S, S, 1) images, got shape {np.shape(source)}; add the channel axis "
                         "with source[..., None].")
    # the range check is on the first channel (a style generator's K planes hold the code, weights of any size);
    # noise beyond [-1, 1] is allowed: notebook 12 probes F with noisy glyphs (cycle.hidden_detail)
    checks.unit_images(np.asarray(source)[..., :1], "translate's source", min_count=0, noisy=True)
    source = jnp.asarray(source, jnp.float32)
    if len(source) == 0:   # nothing to translate: an empty batch of the generator's output shape
        if hasattr(generator, "size"):
            _check_input(source, (generator.size, generator.size, 1 + getattr(generator, "n_styles", 0)),
                         "translate's source")
        return jnp.zeros(source.shape[:3] + (1,), jnp.float32)
    graphdef, state = nnx.split(inference_copy(generator))
    out = [_translate_jit(graphdef, state, source[i:i + batch_size]) for i in range(0, len(source), batch_size)]
    return jnp.concatenate(out) if len(out) > 1 else out[0]
