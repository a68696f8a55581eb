"""Generators and discriminators in Flax NNX.

* ``MLPGenerator`` / ``MLPDiscriminator``: small fully connected nets for 1-D and 2-D toy data.
* ``DCGANGenerator`` / ``DCGANDiscriminator``: DCGAN-style convolutional nets for 28x28x1 images (NHWC).

* ``sample``: draws from a generator in inference mode; ``layer_table``: a model's layers, shapes and parameters.

Why sub-pixel upsampling? On XLA:CPU the backward pass of a stride-2 ``nnx.ConvTranspose`` is many times slower
than that of a sub-pixel convolution (a stride-1 3x3 convolution to 4x the channels, then depth-to-space) of the
same output shape. Both are learned upsamplers (Shi et al., 2016); the sub-pixel form is also free of the uneven
overlap that gives transposed convolutions their checkerboard artefacts. Notebook 03 measures all three ways, in
front of the reader; benchmarks/RESULTS.md keeps dated figures.
"""
from __future__ import annotations

import math
from functools import partial
from typing import Sequence

import jax
import jax.numpy as jnp
from flax import nnx

__all__ = ["depth_to_space", "space_to_depth", "Upsample", "MLPGenerator", "MLPDiscriminator",
           "DCGANGenerator", "DCGANDiscriminator", "count_params", "UPSAMPLE_MODES", "inference_copy", "sample",
           "recalibrate_batchnorm", "layer_table", "format_layer_table"]

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
        self.extra_convs = nnx.List([nnx.Conv(c, c, (3, 3), use_bias=False, rngs=rngs) for _ in range(extra)])
        self.extra_bns = nnx.List([nnx.BatchNorm(c, momentum=0.9, rngs=rngs) for _ in range(extra)])
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


def inference_copy(module: nnx.Module) -> nnx.Module:
    """A copy of ``module`` in inference mode (BatchNorm uses its running statistics, Dropout is off).

    The copy shares the module's arrays and leaves the module itself in whatever mode it was (training, during
    ``fit``), so drawing samples in the middle of training changes nothing.
    """
    graphdef, state = nnx.split(module)
    copy = nnx.merge(graphdef, state)
    copy.eval()
    return copy


@partial(jax.jit, static_argnums=(0, 3))
def _sample_jit(graphdef, state, key, n):
    g = nnx.merge(graphdef, state)
    return g(jax.random.normal(key, (n, g.latent_dim)))


def sample(generator: nnx.Module, key: jax.Array | None, n: int, *, z: jax.Array | None = None,
           batch_size: int = 1000) -> jax.Array:
    """Draws n samples from a generator in inference mode (BatchNorm uses its running statistics).

    Args:
      generator: a generator with a ``latent_dim`` attribute.
      key: PRNG key for z ~ N(0, I); ignored (may be None) when ``z`` is given.
      n: number of samples.
      z: optional latent codes of shape (n, latent_dim) to use instead of drawing them.
      batch_size: samples per compiled call (bounds memory).
    Returns:
      (n, ...) samples, e.g. (n, 28, 28, 1) images in [-1, 1].
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}.")
    g = inference_copy(generator)
    if z is not None:
        z = jnp.asarray(z)
        if z.shape != (n, generator.latent_dim):
            raise ValueError(f"z must have shape (n, latent_dim) = ({n}, {generator.latent_dim}), got {z.shape}.")
        return g(z)
    if key is None:
        raise ValueError("pass a PRNG key (e.g. jax.random.key(0)) to draw z, or the latent codes as z=.")
    graphdef, state = nnx.split(g)
    keys = jax.random.split(key, math.ceil(n / batch_size))
    out = [_sample_jit(graphdef, state, k, min(batch_size, n - i * batch_size)) for i, k in enumerate(keys)]
    return jnp.concatenate(out) if len(out) > 1 else out[0]


@partial(jax.jit, static_argnums=(0, 3))
def _batch_stats_jit(graphdef, state, key, n):
    g = nnx.merge(graphdef, state)
    g(jax.random.normal(key, (n, g.latent_dim)))
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
    if n_batches < 1 or batch_size < 2:
        raise ValueError(f"need n_batches >= 1 and batch_size >= 2, got {n_batches} and {batch_size}.")
    probe = nnx.clone(generator)      # new Variables: nothing done to the probe reaches the generator
    bns = [m for _, m in nnx.iter_modules(probe) if isinstance(m, nnx.BatchNorm)]
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
