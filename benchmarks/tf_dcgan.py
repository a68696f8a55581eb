"""The TensorFlow DCGAN tutorial's networks in Flax NNX, and the convolution layers they are built from.

``Conv2d`` / ``ConvTranspose2d`` are PyTorch's layers (odd kernels, stride 1 or 2, PyTorch's padding), each of
their three products computed in the fastest equivalent form on CPU; ``TFTutorialGenerator`` /
``TFTutorialDiscriminator`` are the networks that ``benchmarks/bench.py`` races against the same networks in
PyTorch, weight for weight. They serve the benchmark only; the course's own models are in ``gan_utils.models``.
"""
from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
from flax import nnx

__all__ = ["Conv2d", "ConvTranspose2d", "conv2d_stride2", "conv_transpose2d_stride2", "TFTutorialGenerator",
           "TFTutorialDiscriminator"]


def _check_input(x: jax.Array, trailing: tuple, what: str) -> None:
    """Fails early, in one line, on an input of the wrong shape or dtype (the benchmark's own check)."""
    if x.ndim != 1 + len(trailing) or tuple(x.shape[1:]) != trailing:
        raise ValueError(f"{what} expects input of shape (N, {', '.join(map(str, trailing))}), got {tuple(x.shape)}.")
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise TypeError(f"{what} expects floating-point input, got dtype {x.dtype}.")


# --- PyTorch's Conv2d / ConvTranspose2d (odd k, stride 1 or 2), each product computed the fastest way ---------
#
# A stride-2 convolution C and its transposed convolution T (the adjoint of C) each run three products in
# training: the forward pass, the input gradient and the kernel gradient. Each product can be computed in
# several equivalent ways, and on XLA:CPU they differ by up to 40x:
#
# * C, y[o] = sum_t x[2o + t - p] w[t]: a strided ``lax.conv`` ("direct").
# * T, y[2i + t - p] += x[i] w[t]: a ``lax.conv`` with lhs_dilation 2 ("direct": it multiplies the inserted
#   zeros too), or, per output phase a in {0, 1}, y[2m + a] = sum_d x[m + d] w[a + p - 2d]: one small stride-1
#   convolution per 2-D phase over only its own taps (for k = 5: 3x3, 3x2, 2x3 and 2x2, exactly the 25 taps),
#   then the phases interleaved (the "sub-pixel" form, Shi et al., 2016, with its kernels tied to w).
# * The input gradient of C is T with the same kernel (C_in and C_out swapped), and that of T is C.
#
# Measured on the course's 2-core CPU (jax 0.10.2, batch 128, compiled with gan_utils.devices.compiler_options();
# ms for forward / input gradient / kernel gradient):
#   C 14x14x64 -> 7x7x128 (the TF-tutorial D):   direct 15.5 / 51.6 / 19.9;  input gradient as sub-pixel T 19.6;
#                                                 space_to_depth + 3x3 conv 25.5 / 23.5 / 27.2
#   T 7x7x128 -> 14x14x64 (the TF-tutorial G):   direct 58.0 / 18.7 / 851;  sub-pixel 18.4 / 20.0 / 20.7;
#                                                 input gradient as direct C 15.6
#   T 14x14x64 -> 28x28x1 (G's output layer):    direct 3.2 / 2.2 / 5.9;  sub-pixel 6.5 / 5.3 / 7.3
# So the stride-2 layers below pick the fastest form of each product through ``jax.custom_vjp``: C runs
# direct with a sub-pixel input gradient; T runs sub-pixel (direct when C_out <= 4, where each phase is too
# thin to pay) with a direct-C input gradient; kernel gradients differentiate the chosen forward form.
# benchmarks/test_bench.py checks values and gradients against the direct definitions and against PyTorch.

_DN = ("NHWC", "HWIO", "NHWC")


def _conv_direct(x: jax.Array, w: jax.Array, s: int) -> jax.Array:
    """C: PyTorch's Conv2d(k, stride s, padding (k-1)//2); x (N, H, W, C_in), w (k, k, C_in, C_out)."""
    p = (w.shape[0] - 1) // 2
    return jax.lax.conv_general_dilated(x, w, (s, s), [(p, p), (p, p)], dimension_numbers=_DN)


def _conv_t_direct(x: jax.Array, w: jax.Array, s: int) -> jax.Array:
    """T by its definition (lhs-dilated conv): (N, H, W, C_in) -> (N, sH, sW, C_out), w (k, k, C_in, C_out)."""
    k = w.shape[0]
    p = (k - 1) // 2
    return jax.lax.conv_general_dilated(x, w[::-1, ::-1], (1, 1), [(k - 1 - p, k - 1 - p + s - 1)] * 2,
                                        lhs_dilation=(s, s), dimension_numbers=_DN)


def _phase_taps(k: int, p: int):
    """For T with stride 2: per kernel-axis phase a, the input offsets d and kernel taps t = a + p - 2d."""
    taps = {0: [], 1: []}
    for t in range(k):
        a = (t - p) % 2
        taps[a].append(((a + p - t) // 2, t))
    return {a: sorted(v) for a, v in taps.items()}   # [(d, t), ...] by increasing d


def _conv_t_phases(x: jax.Array, w: jax.Array) -> jax.Array:
    """T with stride 2 as four stride-1 phase convolutions, interleaved: (N, H, W, C_in) -> (N, 2H, 2W, C_out)."""
    k = w.shape[0]
    taps = _phase_taps(k, (k - 1) // 2)
    rows = []
    for ay in (0, 1):
        cols = []
        for ax in (0, 1):
            (dy, ty), (dx, tx) = zip(*taps[ay]), zip(*taps[ax])
            kk = w[jnp.array(ty)][:, jnp.array(tx)]                  # (len dy, len dx, C_in, C_out)
            pads = [(-dy[0], dy[-1]), (-dx[0], dx[-1])]              # offsets d = dy[0] .. dy[-1], contiguous
            cols.append(jax.lax.conv_general_dilated(x, kk, (1, 1), pads, dimension_numbers=_DN))
        rows.append(jnp.stack(cols, axis=3))                         # (N, H, W, 2 [a_x], C_out)
    n, h, w_, _, c = rows[0].shape
    return jnp.stack(rows, axis=2).reshape(n, 2 * h, 2 * w_, c)    # (N, H, 2 [a_y], W, 2 [a_x], C_out)


def _conv_t_s2(x: jax.Array, w: jax.Array) -> jax.Array:
    """T with stride 2, the faster forward form: sub-pixel phases, or direct for thin outputs (C_out <= 4)."""
    return _conv_t_direct(x, w, 2) if w.shape[-1] <= 4 else _conv_t_phases(x, w)


def _with_adjoint_vjp(forward: Callable, adjoint: Callable) -> Callable:
    """``forward(x, w)`` as a ``jax.custom_vjp`` whose input gradient is ``adjoint`` (the other layer of the
    pair C, T) with the kernel's C_in and C_out swapped, cropped to x's size (C of odd sizes pads one extra
    row/column), and whose kernel gradient differentiates ``forward`` itself."""
    f = jax.custom_vjp(forward)

    def fwd(x, w):
        return forward(x, w), (x, w)

    def bwd(res, g):
        x, w = res
        dx = adjoint(g, jnp.swapaxes(w, 2, 3))[:, :x.shape[1], :x.shape[2]]
        dw = jax.vjp(lambda w: forward(x, w), w)[1](g)[0]
        return dx, dw

    f.defvjp(fwd, bwd)
    return f


def _conv2d_stride2(x: jax.Array, w: jax.Array) -> jax.Array:
    """PyTorch's Conv2d(k, stride=2, padding=(k-1)//2) without bias, fast on CPU in both directions.

    Args:
      x: (N, H, W, C_in).
      w: (k, k, C_in, C_out), k odd.
    Returns:
      (N, ceil(H/2), ceil(W/2), C_out). Reverse-mode only (``jax.custom_vjp``): for ``jax.jvp`` use
      ``Conv2d(..., direct=True)``.
    """
    return _conv_direct(x, w, 2)


def _conv_transpose2d_stride2(x: jax.Array, w: jax.Array) -> jax.Array:
    """PyTorch's ConvTranspose2d(k, stride=2, padding=(k-1)//2, output_padding=1) without bias, fast on CPU.

    Args:
      x: (N, H, W, C_in).
      w: (k, k, C_in, C_out), k odd.
    Returns:
      (N, 2H, 2W, C_out). Reverse-mode only (``jax.custom_vjp``): for ``jax.jvp`` use
      ``ConvTranspose2d(..., direct=True)``.
    """
    return _conv_t_s2(x, w)


conv2d_stride2 = _with_adjoint_vjp(_conv2d_stride2, adjoint=_conv_transpose2d_stride2)
conv_transpose2d_stride2 = _with_adjoint_vjp(_conv_transpose2d_stride2, adjoint=_conv2d_stride2)


class _OddKernelConv(nnx.Module):
    """Shared parameters of Conv2d and ConvTranspose2d: an odd (k, k, C_in, C_out) kernel (lecun_normal, as
    nnx.Conv) and an optional bias; padding (k-1)//2, stride 1 or 2."""

    def __init__(self, in_features: int, out_features: int, kernel_size: int = 5, *, strides: int = 2,
                 use_bias: bool = True, direct: bool = False, rngs: nnx.Rngs):
        if strides not in (1, 2):
            raise ValueError(f"strides must be 1 or 2, got {strides}.")
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd (\"same\" padding), got {kernel_size}; for 4x4 stride-2 "
                             "layers use Upsample(mode='subpixel') or nnx.Conv.")
        self.in_features, self.out_features, self.k, self.strides = in_features, out_features, kernel_size, strides
        self.direct = direct
        init = nnx.initializers.lecun_normal()
        self.kernel = nnx.Param(init(rngs.params(), (kernel_size, kernel_size, in_features, out_features)))
        self.bias = nnx.Param(jnp.zeros((out_features,))) if use_bias else None


class Conv2d(_OddKernelConv):
    """A 2-D convolution with PyTorch's ``Conv2d(C_in, C_out, k, stride, padding=(k-1)//2)`` semantics.

    Stride 2 runs ``conv2d_stride2`` (a strided convolution whose input gradient is computed as sub-pixel
    convolutions, see the comment above); stride 1 is a plain convolution.

    Args:
      in_features, out_features: C_in, C_out.
      kernel_size: k (odd sizes give "same" padding).
      strides: 1 or 2: (N, H, W, C_in) -> (N, ceil(H/stride), ceil(W/stride), C_out).
      use_bias: add a learned bias.
      direct: differentiate the strided ``lax.conv`` by plain autodiff instead (the reference; slower on CPU,
        but forward-mode differentiable).
      rngs: the NNX random streams for initialisation.
    """

    def __call__(self, x: jax.Array) -> jax.Array:
        w = self.kernel[...]
        if self.strides == 1 or self.direct:
            y = _conv_direct(x, w, self.strides)
        else:
            y = conv2d_stride2(x, w)
        return y if self.bias is None else y + self.bias[...]


class ConvTranspose2d(_OddKernelConv):
    """A 2-D transposed convolution with PyTorch's ``ConvTranspose2d(C_in, C_out, k, stride,
    padding=(k-1)//2, output_padding=stride-1)`` semantics: (N, H, W, C_in) -> (N, stride*H, stride*W, C_out).

    Stride 2 runs ``conv_transpose2d_stride2`` (sub-pixel phase convolutions, with a strided convolution as
    input gradient, see the comment above); stride 1 is a convolution with the flipped kernel.

    Args:
      in_features, out_features: C_in, C_out.
      kernel_size: k.
      strides: 1 or 2.
      use_bias: add a learned bias.
      direct: compute ``lax.conv_transpose``'s definition (an lhs-dilated convolution) by plain autodiff
        instead (the reference: same function, a very slow kernel gradient on CPU).
      rngs: the NNX random streams for initialisation.
    """

    def __call__(self, x: jax.Array) -> jax.Array:
        w, s = self.kernel[...], self.strides
        if self.direct:
            y = _conv_t_direct(x, w, s)
        elif s == 1:
            y = _conv_direct(x, w[::-1, ::-1], 1)
        else:
            y = conv_transpose2d_stride2(x, w)
        return y if self.bias is None else y + self.bias[...]


class TFTutorialGenerator(nnx.Module):
    """The generator of TensorFlow's DCGAN tutorial, z (N, 100) -> images (N, 28, 28, 1) in [-1, 1].

    Layers (as in https://www.tensorflow.org/tutorials/generative/dcgan):
      Linear 100 -> 7*7*256 (no bias), BatchNorm, LeakyReLU(0.3), reshape to (N, 7, 7, 256)
      ConvTranspose 5x5 stride 1, 256 -> 128 (no bias), BatchNorm, LeakyReLU
      ConvTranspose 5x5 stride 2, 128 -> 64 (14x14, no bias), BatchNorm, LeakyReLU
      ConvTranspose 5x5 stride 2, 64 -> 1 (28x28, no bias), tanh
    with PyTorch's padding convention (padding 2, output_padding 1), so ``bench`` can compare it with the same
    network in PyTorch weight for weight. The layers are ``ConvTranspose2d`` (fast on CPU in both directions);
    ``direct=True`` differentiates ``lax.conv_transpose``'s definition instead (same function, slower on CPU).

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
        self.up1 = ConvTranspose2d(256, 128, 5, strides=1, use_bias=False, direct=direct, rngs=rngs)
        self.bn1 = nnx.BatchNorm(128, **bn)
        self.up2 = ConvTranspose2d(128, 64, 5, strides=2, use_bias=False, direct=direct, rngs=rngs)
        self.bn2 = nnx.BatchNorm(64, **bn)
        self.up3 = ConvTranspose2d(64, 1, 5, strides=2, use_bias=False, direct=direct, rngs=rngs)

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
      direct: differentiate the strided ``lax.conv`` by plain autodiff instead of ``conv2d_stride2`` (same
        function, slower on CPU).
      rngs: the NNX random streams for initialisation (and dropout).
    """

    def __init__(self, *, dropout: float = 0.3, direct: bool = False, rngs: nnx.Rngs):
        self.conv1 = Conv2d(1, 64, 5, strides=2, direct=direct, rngs=rngs)
        self.conv2 = Conv2d(64, 128, 5, strides=2, direct=direct, rngs=rngs)
        self.drop = nnx.Dropout(dropout, rngs=rngs)
        self.fc = nnx.Linear(7 * 7 * 128, 1, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        _check_input(x, (28, 28, 1), "TFTutorialDiscriminator")
        x = self.drop(nnx.leaky_relu(self.conv1(x), 0.3))
        x = self.drop(nnx.leaky_relu(self.conv2(x), 0.3))
        return self.fc(x.reshape(x.shape[0], -1))[:, 0]
