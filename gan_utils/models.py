"""Generators and discriminators in Flax NNX.

* ``MLPGenerator`` / ``MLPDiscriminator``: small fully connected nets for 1-D and 2-D toy data.
* ``DCGANGenerator`` / ``DCGANDiscriminator``: DCGAN-style convolutional nets for 28x28x1 images (NHWC).

Why sub-pixel upsampling? On a 2-core CPU (XLA:CPU, jax 0.10.2, batch 128) the backward pass of a stride-2
``nnx.ConvTranspose`` from 14x14x128 to 28x28x64 took 2.6 s, while a sub-pixel convolution (a stride-1 3x3
convolution to 4x the channels, then depth-to-space) of the same output shape took 0.32 s. Both are learned
upsamplers of the same expressive power (Shi et al., 2016); the sub-pixel form is also free of the uneven
overlap that gives transposed convolutions their checkerboard artefacts. Notebook 03 measures all three.
"""
from __future__ import annotations

from typing import Sequence

import jax
import jax.numpy as jnp
from flax import nnx

__all__ = ["depth_to_space", "space_to_depth", "Upsample", "MLPGenerator", "MLPDiscriminator",
           "DCGANGenerator", "DCGANDiscriminator", "count_params", "UPSAMPLE_MODES", "SpaceToDepthConv",
           "SubpixelConvTranspose", "TFTutorialGenerator", "TFTutorialDiscriminator"]

UPSAMPLE_MODES = ("subpixel", "transpose", "resize")


def depth_to_space(x: jax.Array, r: int = 2) -> jax.Array:
    """Pixel shuffle: (N, H, W, r*r*C) -> (N, H*r, W*r, C). Channel block (i, j) goes to sub-pixel (i, j)."""
    n, h, w, c = x.shape
    if c % (r * r):
        raise ValueError(f"depth_to_space needs channels divisible by r*r={r * r}, got {c}.")
    x = x.reshape(n, h, w, r, r, c // (r * r)).transpose(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h * r, w * r, c // (r * r))


def space_to_depth(x: jax.Array, r: int = 2) -> jax.Array:
    """Inverse of depth_to_space: (N, H, W, C) -> (N, H/r, W/r, r*r*C)."""
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


def _check_input(x: jax.Array, trailing: tuple, what: str) -> None:
    if x.ndim != 1 + len(trailing) or tuple(x.shape[1:]) != trailing:
        raise ValueError(f"{what} expects input of shape (N, {', '.join(map(str, trailing))}), got {tuple(x.shape)}."
                         + (" Add the channel axis with x[..., None]." if trailing[-1:] == (1,) and x.ndim == 3 else ""))
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
        self.latent_dim, self.out_dim = latent_dim, out_dim
        sizes = (latent_dim, *hidden)
        self.hidden = nnx.List([nnx.Linear(a, b, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:])])
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
      rngs: the NNX random streams for initialisation.
    """

    def __init__(self, in_dim: int = 2, hidden: Sequence[int] = (128, 128), *, rngs: nnx.Rngs):
        self.in_dim = in_dim
        sizes = (in_dim, *hidden)
        self.hidden = nnx.List([nnx.Linear(a, b, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:])])
        self.out = nnx.Linear(sizes[-1], 1, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        _check_input(x, (self.in_dim,), "MLPDiscriminator")
        for layer in self.hidden:
            x = nnx.leaky_relu(layer(x), 0.2)
        return self.out(x)[:, 0]


class DCGANGenerator(nnx.Module):
    """DCGAN-style generator: z (N, latent_dim) -> images (N, 28, 28, 1) in [-1, 1].

    Layers (with the defaults latent_dim=64, base=128):
      Linear 64 -> 7*7*128, BatchNorm, ReLU, reshape to (N, 7, 7, 128)
      Upsample 128 -> 64 (14x14), BatchNorm, ReLU
      Upsample 64 -> 1 (28x28), tanh

    Args:
      latent_dim: size of z.
      base: channels at 7x7; halved at 14x14.
      upsample: one of ``UPSAMPLE_MODES`` (see ``Upsample``).
      rngs: the NNX random streams for initialisation.
    """

    def __init__(self, latent_dim: int = 64, base: int = 128, *, upsample: str = "subpixel", rngs: nnx.Rngs):
        self.latent_dim, self.base = latent_dim, base
        self.fc = nnx.Linear(latent_dim, 7 * 7 * base, use_bias=False, rngs=rngs)  # BN adds the bias
        self.bn0 = nnx.BatchNorm(7 * 7 * base, momentum=0.9, rngs=rngs)
        self.up1 = Upsample(base, base // 2, mode=upsample, rngs=rngs)
        self.bn1 = nnx.BatchNorm(base // 2, momentum=0.9, rngs=rngs)
        self.up2 = Upsample(base // 2, 1, mode=upsample, rngs=rngs)

    def __call__(self, z: jax.Array) -> jax.Array:
        _check_input(z, (self.latent_dim,), "DCGANGenerator")
        x = nnx.relu(self.bn0(self.fc(z))).reshape(z.shape[0], 7, 7, self.base)
        x = nnx.relu(self.bn1(self.up1(x)))
        return jnp.tanh(self.up2(x))


class DCGANDiscriminator(nnx.Module):
    """DCGAN-style discriminator: images (N, 28, 28, 1) in [-1, 1] -> logits (N,).

    Layers (with the default base=64):
      Conv 4x4 stride 2, 1 -> 64 (14x14), LeakyReLU(0.2), Dropout
      Conv 4x4 stride 2, 64 -> 128 (7x7), LeakyReLU(0.2), Dropout
      Linear 7*7*128 -> 1

    Args:
      base: channels of the first convolution; doubled in the second.
      dropout: dropout rate after each convolution (0 disables it; 0.3 is the TensorFlow tutorial's value).
      rngs: the NNX random streams for initialisation (and for dropout, when enabled).
    """

    def __init__(self, base: int = 64, *, dropout: float = 0.0, rngs: nnx.Rngs):
        self.conv1 = nnx.Conv(1, base, (4, 4), strides=(2, 2), rngs=rngs)
        self.conv2 = nnx.Conv(base, 2 * base, (4, 4), strides=(2, 2), rngs=rngs)
        self.drop = nnx.Dropout(dropout, rngs=rngs)
        self.fc = nnx.Linear(7 * 7 * 2 * base, 1, rngs=rngs)

    def features(self, x: jax.Array) -> jax.Array:
        """Penultimate features (N, 7*7*2*base)."""
        _check_input(x, (28, 28, 1), "DCGANDiscriminator")
        x = self.drop(nnx.leaky_relu(self.conv1(x), 0.2))
        x = self.drop(nnx.leaky_relu(self.conv2(x), 0.2))
        return x.reshape(x.shape[0], -1)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.fc(self.features(x))[:, 0]


def count_params(module: nnx.Module) -> int:
    """Number of trainable scalars (nnx.Param) in a module."""
    return sum(x.size for x in jax.tree_util.tree_leaves(nnx.state(module, nnx.Param)))


# --- Stride-2 convolutions rewritten as stride-1 ones (same function, same parameters) --------------------------
#
# XLA:CPU runs stride-1 convolutions well but the backward pass of stride-2 ones slowly (for a transposed 5x5
# stride-2 convolution 7x7x128 -> 14x14x64 at batch 128, jax 0.10.2 on a 2-core CPU: forward 0.14 s, backward
# about 4 s). Both layers below keep a plain (k, k, C_in, C_out) kernel, exactly like PyTorch's Conv2d /
# ConvTranspose2d with padding (k-1)//2, and compute the *same function* through stride-1 convolutions:
#
# * SpaceToDepthConv, stride 2:  y[o] = sum_k x[2o + k - p] w[k].  Write the input index as 2(o + d) + a with
#   phase a in {0, 1}: after space_to_depth (phase a of pixel j is channel block a of pixel j), it is a
#   stride-1 convolution over the offsets d with the kernel K[d, a] = w[2d + a + p] (0 where no tap exists).
# * SubpixelConvTranspose, stride 2:  y[2m + a] = sum over i, k with 2i + k - p = 2m + a of x[i] w[k].  For
#   each output phase a it is a stride-1 convolution over the input offsets d = i - m with K[d, a] =
#   w[a + p - 2d], and the phases are interleaved (a "sub-pixel convolution", Shi et al., 2016, with its
#   kernels tied to the transposed one). We run one convolution per 2-D phase with only its own taps (for
#   k = 5: 3x3, 3x2, 2x3 and 2x2, i.e. exactly the 25 taps of the original): measured on the 2-core CPU at
#   batch 128 (CPU time, forward + backward): direct 1.72 s, one 3x3 conv to 4 C_out + depth_to_space 0.21 s,
#   four phase convolutions 0.16 s.
#
# For the forward convolution XLA:CPU's strided kernel is already good at k = 5 (forward + backward of the
# discriminator's 14x14x64 -> 7x7x128 layer: direct 0.16 s, space_to_depth + 3x3 conv 0.23 s, four phase
# convolutions 0.19 s), so TFTutorialDiscriminator uses it by default. tests/test_bench.py checks both layers
# against their direct definitions and against PyTorch's Conv2d / ConvTranspose2d.

def _phase_taps(k: int, p: int, transpose: bool):
    """Index tables (E, 2) into a kernel axis of length k+1 (index k = a zero tap), and the conv padding."""
    import numpy as np
    ds = {}
    for tap in range(k):
        a = (tap - p) % 2
        d = (tap - p - a) // 2 if not transpose else (a + p - tap) // 2
        ds[(d, a)] = tap
    lo, hi = min(d for d, _ in ds), max(d for d, _ in ds)
    idx = np.full((hi - lo + 1, 2), k, dtype=np.int32)
    for (d, a), tap in ds.items():
        idx[d - lo, a] = tap
    return idx, (-lo, hi)


class _OddKernelConv(nnx.Module):
    """Shared parameters of SpaceToDepthConv and SubpixelConvTranspose: an odd (k, k, C_in, C_out) kernel
    (lecun_normal, as nnx.Conv) and an optional bias; padding (k-1)//2, stride 1 or 2."""

    def __init__(self, in_features: int, out_features: int, kernel_size: int = 5, *, strides: int = 2,
                 use_bias: bool = True, direct: bool = False, rngs: nnx.Rngs):
        if strides not in (1, 2):
            raise ValueError(f"strides must be 1 or 2, got {strides}.")
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd (\"same\" padding), got {kernel_size}; for 4x4 stride-2 "
                             "layers use Upsample(mode='subpixel') or nnx.Conv.")
        self.in_features, self.out_features, self.k, self.strides = in_features, out_features, kernel_size, strides
        self.p, self.direct = (kernel_size - 1) // 2, direct
        init = nnx.initializers.lecun_normal()
        self.kernel = nnx.Param(init(rngs.params(), (kernel_size, kernel_size, in_features, out_features)))
        self.bias = nnx.Param(jnp.zeros((out_features,))) if use_bias else None


class SpaceToDepthConv(_OddKernelConv):
    """A 2-D convolution with PyTorch's ``Conv2d(C_in, C_out, k, stride, padding=(k-1)//2)`` semantics.

    Stride 2 runs as space_to_depth followed by a stride-1 convolution with the rearranged kernel (see the
    comment above); stride 1 is a plain convolution. Input (N, H, W, C_in) with even H, W for stride 2;
    output (N, H/stride, W/stride, C_out).

    Args:
      in_features, out_features: C_in, C_out.
      kernel_size: k (odd sizes give "same" padding).
      strides: 1 or 2.
      use_bias: add a learned bias.
      direct: compute with a strided ``lax.conv`` instead (the reference definition; slower on CPU).
      rngs: the NNX random streams for initialisation.
    """

    def __call__(self, x: jax.Array) -> jax.Array:
        from jax import lax
        w, p, dn = self.kernel[...], self.p, ("NHWC", "HWIO", "NHWC")
        if self.strides == 1 or self.direct:
            y = lax.conv_general_dilated(x, w, (self.strides,) * 2, [(p, p), (p, p)], dimension_numbers=dn)
        else:
            idx, pad = _phase_taps(self.k, p, transpose=False)
            wp = jnp.pad(w, ((0, 1), (0, 1), (0, 0), (0, 0)))
            kk = wp[idx[:, None, :, None], idx[None, :, None, :]]   # (E, E, 2, 2, C_in, C_out)
            e = idx.shape[0]
            kk = kk.reshape(e, e, 4 * self.in_features, self.out_features)
            y = lax.conv_general_dilated(space_to_depth(x), kk, (1, 1), [pad, pad], dimension_numbers=dn)
        return y if self.bias is None else y + self.bias[...]


class SubpixelConvTranspose(_OddKernelConv):
    """A 2-D transposed convolution with PyTorch's ``ConvTranspose2d(C_in, C_out, k, stride,
    padding=(k-1)//2, output_padding=stride-1)`` semantics: (N, H, W, C_in) -> (N, stride*H, stride*W, C_out).

    Stride 2 runs as a stride-1 convolution to 4*C_out channels followed by depth_to_space (a sub-pixel
    convolution whose kernel is the transposed kernel rearranged, see the comment above); stride 1 is a
    convolution with the flipped kernel.

    Args:
      in_features, out_features: C_in, C_out.
      kernel_size: k.
      strides: 1 or 2.
      use_bias: add a learned bias.
      direct: compute with ``lax.conv_transpose`` instead (the reference definition; slow backward on CPU).
      rngs: the NNX random streams for initialisation.
    """

    def __call__(self, x: jax.Array) -> jax.Array:
        from jax import lax
        w, k, p, s, dn = self.kernel[...], self.k, self.p, self.strides, ("NHWC", "HWIO", "NHWC")
        if self.direct:
            # PyTorch's definition: y[s*i + t - p] += x[i] w[t]  ==  the gradient of a strided conv.
            y = lax.conv_general_dilated(x, w[::-1, ::-1], (1, 1), [(k - 1 - p, k - 1 - p + s - 1)] * 2,
                                         lhs_dilation=(s, s), dimension_numbers=dn)
        elif s == 1:
            y = lax.conv_general_dilated(x, w[::-1, ::-1], (1, 1), [(k - 1 - p, p)] * 2, dimension_numbers=dn)
        else:
            # One stride-1 convolution per output phase (a_y, a_x), each with only its own taps (3x3, 3x2,
            # 2x3 and 2x2 for k = 5: no multiplications by zero), then the phases are interleaved.
            idx, (lo, _) = _phase_taps(k, p, transpose=True)
            taps = [[e for e in range(idx.shape[0]) if idx[e, a] < k] for a in (0, 1)]
            rows = []
            for ay in (0, 1):
                cols = []
                for ax in (0, 1):
                    ey, ex = taps[ay], taps[ax]
                    kk = w[idx[ey, ay]][:, idx[ex, ax]]
                    cols.append(lax.conv_general_dilated(x, kk, (1, 1), [(lo - ey[0], ey[-1] - lo),
                                                                         (lo - ex[0], ex[-1] - lo)],
                                                         dimension_numbers=dn))
                rows.append(jnp.stack(cols, axis=3))          # (N, H, W, 2 [a_x], C_out)
            n, h, w_, _, c = rows[0].shape
            y = jnp.stack(rows, axis=2).reshape(n, 2 * h, 2 * w_, c)   # (N, H, 2 [a_y], W, 2 [a_x], C_out)
        return y if self.bias is None else y + self.bias[...]


class TFTutorialGenerator(nnx.Module):
    """The generator of TensorFlow's DCGAN tutorial, z (N, 100) -> images (N, 28, 28, 1) in [-1, 1].

    Layers (as in https://www.tensorflow.org/tutorials/generative/dcgan):
      Linear 100 -> 7*7*256 (no bias), BatchNorm, LeakyReLU(0.3), reshape to (N, 7, 7, 256)
      ConvTranspose 5x5 stride 1, 256 -> 128 (no bias), BatchNorm, LeakyReLU
      ConvTranspose 5x5 stride 2, 128 -> 64 (14x14, no bias), BatchNorm, LeakyReLU
      ConvTranspose 5x5 stride 2, 64 -> 1 (28x28, no bias), tanh
    with PyTorch's padding convention (padding 2, output_padding 1), so ``bench`` can compare it with the same
    network in PyTorch weight for weight. The stride-2 layers run as sub-pixel convolutions
    (``SubpixelConvTranspose``); ``direct=True`` uses ``lax.conv_transpose`` (same function, slower on CPU).

    Args:
      latent_dim: size of z (100 in the tutorial).
      direct: compute the transposed convolutions directly.
      rngs: the NNX random streams for initialisation.
    """

    def __init__(self, latent_dim: int = 100, *, direct: bool = False, rngs: nnx.Rngs):
        self.latent_dim = latent_dim
        bn = dict(momentum=0.9, epsilon=1e-5, rngs=rngs)   # PyTorch's BatchNorm defaults (momentum 0.1)
        self.fc = nnx.Linear(latent_dim, 7 * 7 * 256, use_bias=False, rngs=rngs)
        self.bn0 = nnx.BatchNorm(7 * 7 * 256, **bn)
        self.up1 = SubpixelConvTranspose(256, 128, 5, strides=1, use_bias=False, direct=direct, rngs=rngs)
        self.bn1 = nnx.BatchNorm(128, **bn)
        self.up2 = SubpixelConvTranspose(128, 64, 5, strides=2, use_bias=False, direct=direct, rngs=rngs)
        self.bn2 = nnx.BatchNorm(64, **bn)
        self.up3 = SubpixelConvTranspose(64, 1, 5, strides=2, use_bias=False, direct=direct, rngs=rngs)

    def __call__(self, z: jax.Array) -> jax.Array:
        _check_input(z, (self.latent_dim,), "TFTutorialGenerator")
        x = nnx.leaky_relu(self.bn0(self.fc(z)), 0.3).reshape(z.shape[0], 7, 7, 256)
        x = nnx.leaky_relu(self.bn1(self.up1(x)), 0.3)
        x = nnx.leaky_relu(self.bn2(self.up2(x)), 0.3)
        return jnp.tanh(self.up3(x))


class TFTutorialDiscriminator(nnx.Module):
    """The discriminator of TensorFlow's DCGAN tutorial, images (N, 28, 28, 1) -> logits (N,).

    Layers: Conv 5x5 stride 2, 1 -> 64 (14x14), LeakyReLU(0.3), Dropout(0.3); Conv 5x5 stride 2, 64 -> 128
    (7x7), LeakyReLU(0.3), Dropout(0.3); Linear 7*7*128 -> 1, with PyTorch's padding (2).

    Args:
      dropout: dropout rate (0.3 in the tutorial).
      direct: compute the strided convolutions with a strided ``lax.conv`` (default: faster on XLA:CPU
        for 5x5 kernels) rather than as space_to_depth + stride-1 convolutions (same function).
      rngs: the NNX random streams for initialisation (and dropout).
    """

    def __init__(self, *, dropout: float = 0.3, direct: bool = True, rngs: nnx.Rngs):
        self.conv1 = SpaceToDepthConv(1, 64, 5, strides=2, direct=direct, rngs=rngs)
        self.conv2 = SpaceToDepthConv(64, 128, 5, strides=2, direct=direct, rngs=rngs)
        self.drop = nnx.Dropout(dropout, rngs=rngs)
        self.fc = nnx.Linear(7 * 7 * 128, 1, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        _check_input(x, (28, 28, 1), "TFTutorialDiscriminator")
        x = self.drop(nnx.leaky_relu(self.conv1(x), 0.3))
        x = self.drop(nnx.leaky_relu(self.conv2(x), 0.3))
        return self.fc(x.reshape(x.shape[0], -1))[:, 0]
