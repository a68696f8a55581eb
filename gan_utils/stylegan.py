"""A style-based generator at MNIST's size (notebook 14): StyleGAN's ideas (Karras et al. 2019, "A style-based
generator architecture for GANs") with StyleGAN2's modulated convolutions (Karras et al. 2020, "Analyzing and
improving the image quality of StyleGAN"), small enough to train on a CPU.

    z (N, latent_dim) --mapping network--> w (N, w_dim)          an MLP: W need not be shaped like a Gaussian
    a learnt constant (7 x 7 x base) --> five modulated 3 x 3 convolutions (7, 14, 14, 28, 28 pixels; nearest
    upsampling before the 14 and 28 ones), each followed by a bias, per-pixel noise and LeakyReLU(0.2) x sqrt(2),
    --> a modulated 1 x 1 convolution to one channel, tanh.

Every convolution is *styled* by w: an affine map of w gives a scale per input channel (``ModulatedConv``); the
weights are multiplied by it and then *demodulated* (each output channel rescaled to unit expected variance), which
is StyleGAN2's replacement for StyleGAN's AdaIN. Each of the six layers can take its own w: ``synthesis(ws)`` with
ws (N, 6, w_dim). Giving the first layers one w and the last another is **style mixing**: the first decide the
coarse shape (7 x 7 and 14 x 14), the last the fine strokes (28 x 28). Training mixes two w at a random layer for
a share ``mixing`` of the batch (StyleGAN's mixing regularisation), so that no layer relies on its neighbours'
style. Truncation in W moves w towards the average w (``truncate``), as notebook 06 truncated z.

Left out, and said so: equalised learning rates (except in the mapping network, which learns 100 times slower,
as in StyleGAN: ``SlowLinear``), path
length regularisation, lazy R1, skip connections to the output and the blur after upsampling: choices for
1024 x 1024 faces, not for 28 x 28 digits trained for minutes. Also different: one noise strength per channel
(StyleGAN's; StyleGAN2 has one per layer), a tanh on the output (as the course's DCGAN), Flax's default
initialisation, and w's average passed to ``truncate`` by the caller (StyleGAN keeps a running average).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from . import checks
from .models import _check_build, _check_input

__all__ = ["SlowLinear", "MappingNetwork", "ModulatedConv", "StyleGenerator", "truncate"]


def _lrelu(x: jax.Array) -> jax.Array:
    """LeakyReLU(0.2) times sqrt(2), StyleGAN's activation: the gain keeps the second moment of unit-variance inputs
    near 1, layer after layer. Without it w shrinks in every mapping layer (std 0.19 after four, at initialisation),
    the styles hardly vary between samples, and a first run drew one digit for every z."""
    return nnx.leaky_relu(x, 0.2) * jnp.sqrt(2.0)


def _pixel_norm(z: jax.Array, eps: float = 1e-8) -> jax.Array:
    """z scaled to unit mean square per sample (StyleGAN normalises z before mapping it)."""
    return z * jax.lax.rsqrt(jnp.mean(jnp.square(z), axis=-1, keepdims=True) + eps)


class SlowLinear(nnx.Module):
    """A linear layer that learns ``lr_mul`` times as fast as its optimizer says (StyleGAN's learning-rate multiplier):
    its parameters are stored 1 / lr_mul times larger and scaled back in the forward pass, so an Adam step, which
    moves a parameter by about the learning rate whatever its size, moves the layer lr_mul times as far. Initialised
    as N(0, 1 / fan_in) weights and zero biases, like a plain layer."""

    def __init__(self, c_in: int, c_out: int, lr_mul: float, *, rngs: nnx.Rngs):
        _check_build("SlowLinear", rngs, c_in=c_in, c_out=c_out)
        lr_mul = checks.number("lr_mul", lr_mul, low=0, high=1, low_open=True, fix="StyleGAN's is 0.01")
        self.kernel = nnx.Param(jax.random.normal(rngs.params(), (c_in, c_out)) / lr_mul)
        self.bias = nnx.Param(jnp.zeros((c_out,)))
        self.gain = lr_mul / c_in ** 0.5
        self.lr_mul = lr_mul

    def __call__(self, x: jax.Array) -> jax.Array:
        return x @ (self.kernel[...] * self.gain) + self.bias[...] * self.lr_mul


class MappingNetwork(nnx.Module):
    """z (N, latent_dim) -> w (N, w_dim): pixel norm, then ``layers`` linear layers, each followed by LeakyReLU(0.2)
    with StyleGAN's gain sqrt(2) (StyleGAN: 8 of 512; here 4 of 64). Its layers learn ``lr_mul`` times as fast as
    the rest of the generator (StyleGAN: 0.01): at the full rate a first run's mapping sent every z to nearly one w
    and the generator drew one digit."""

    def __init__(self, latent_dim: int = 64, w_dim: int = 64, layers: int = 4, *, lr_mul: float = 0.01,
                 rngs: nnx.Rngs):
        _check_build("MappingNetwork", rngs, latent_dim=latent_dim, w_dim=w_dim, layers=layers)
        lr_mul = checks.number("lr_mul", lr_mul, low=0, high=1, low_open=True, fix="StyleGAN's is 0.01")
        sizes = [latent_dim] + [w_dim] * layers
        self.layers = nnx.List([SlowLinear(a, b, lr_mul, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:])])

    def __call__(self, z: jax.Array) -> jax.Array:
        x = _pixel_norm(z)
        for layer in self.layers:
            x = _lrelu(layer(x))
        return x


class ModulatedConv(nnx.Module):
    """A convolution styled by w (StyleGAN2): weight[k, i, o] * s[n, i], with s = affine(w) (N, c_in), then, when
    ``demodulate``, each output channel o of each sample divided by sqrt(sum_{k,i} (weight[k, i, o] s[n, i])^2 + eps).

    Computed as StyleGAN2's unfused form: scale the input channels by s, convolve with the shared weights, scale the
    output channels by the demodulation factor; the same numbers as a per-sample weight, with ordinary convolutions.
    """

    def __init__(self, c_in: int, c_out: int, w_dim: int, kernel: int = 3, *, demodulate: bool = True,
                 rngs: nnx.Rngs):
        _check_build("ModulatedConv", rngs, c_in=c_in, c_out=c_out, w_dim=w_dim, kernel=kernel)
        # the style starts at 1 for every channel (bias 1), as StyleGAN initialises its affine maps
        self.affine = nnx.Linear(w_dim, c_in, bias_init=nnx.initializers.ones, rngs=rngs)
        self.conv = nnx.Conv(c_in, c_out, (kernel, kernel), use_bias=False, rngs=rngs)
        self.bias = nnx.Param(jnp.zeros((c_out,)))
        self.demodulate = demodulate

    def __call__(self, x: jax.Array, w: jax.Array) -> jax.Array:
        """x (N, H, W, c_in), w (N, w_dim) -> (N, H, W, c_out)."""
        s = self.affine(w)                                               # (N, c_in)
        y = self.conv(x * s[:, None, None, :])
        if self.demodulate:
            w2 = jnp.sum(jnp.square(self.conv.kernel[...]), axis=(0, 1))  # (c_in, c_out): sum over the kernel
            y = y * jax.lax.rsqrt(jnp.square(s) @ w2 + 1e-8)[:, None, None, :]
        return y + self.bias[...]


class StyleGenerator(nnx.Module):
    """A style-based generator: z (N, latent_dim) -> images (N, 28, 28, 1) in [-1, 1] (see the module's docstring).

    Args:
      latent_dim: size of z; w_dim: size of w; mapping_layers: depth of the mapping network.
      base: channels at 7 x 7 (halved at 14 x 14, quartered at 28 x 28), as DCGANGenerator's ``base``.
      noise: add per-pixel noise after each convolution (each channel's strength learnt, starting at 0).
      mixing: the share of each training batch drawn with two w, switched at a random layer (0 = never).
      rngs: initialisation; its ``params`` stream also seeds the generator's own stream for noise and mixing.

    ``__call__(z)`` draws noise (and, in training mode, mixing) from the generator's own stream; in inference mode
    (``.eval()``, as ``models.sample`` uses) it mixes nothing. For control, ``synthesis(ws, noise_key)`` with ws
    from ``mapping`` (and ``truncate``, ``mix``).
    """
    N_LAYERS = 6          # five convolutions and the output layer: the places a style enters

    def __init__(self, latent_dim: int = 64, w_dim: int = 64, base: int = 64, *, mapping_layers: int = 4,
                 noise: bool = True, mixing: float = 0.9, rngs: nnx.Rngs):
        _check_build("StyleGenerator", rngs, latent_dim=latent_dim, w_dim=w_dim, base=base,
                     mapping_layers=mapping_layers)
        if base < 4:
            raise ValueError(f"base must be at least 4 (it is quartered at 28x28), got {base}.")
        self.latent_dim, self.w_dim, self.base, self.noise = latent_dim, w_dim, base, bool(noise)
        self.mixing = checks.number("mixing", mixing, low=0, high=1, fix="StyleGAN mixes 90% of each batch: 0.9")
        self.mapping_net = MappingNetwork(latent_dim, w_dim, mapping_layers, rngs=rngs)
        self.const = nnx.Param(jax.random.normal(rngs.params(), (1, 7, 7, base)))
        c = (base, base, base // 2, base // 2, base // 4, base // 4)       # channels into and out of each conv
        self.convs = nnx.List([ModulatedConv(c[i], c[i + 1], w_dim, rngs=rngs) for i in range(5)])
        self.noise_strength = nnx.List([nnx.Param(jnp.zeros((c[i + 1],))) for i in range(5)])
        self.to_image = ModulatedConv(c[5], 1, w_dim, kernel=1, demodulate=False, rngs=rngs)
        self.rngs = nnx.Rngs(style=rngs.params())      # the generator's own stream: noise and mixing
        self.deterministic = False                     # .eval() (models.inference_copy) sets it: no mixing then

    def mapping(self, z: jax.Array) -> jax.Array:
        """z (N, latent_dim) -> w (N, w_dim)."""
        _check_input(z, (self.latent_dim,), "StyleGenerator")
        return self.mapping_net(z)

    def synthesis(self, ws: jax.Array, noise_key: jax.Array | None = None) -> jax.Array:
        """ws (N, 6, w_dim) (one w per layer) or (N, w_dim) (the same w everywhere) -> images (N, 28, 28, 1).
        ``noise_key``: the per-pixel noise's key; None draws no noise (each layer's mean)."""
        if ws.ndim == 2:
            ws = jnp.repeat(ws[:, None], self.N_LAYERS, axis=1)
        _check_input(ws, (self.N_LAYERS, self.w_dim), "StyleGenerator.synthesis")
        n = ws.shape[0]
        x = jnp.broadcast_to(self.const[...], (n, 7, 7, self.base))
        keys = jax.random.split(noise_key, 5) if (noise_key is not None and self.noise) else [None] * 5
        for i, (conv, strength) in enumerate(zip(self.convs, self.noise_strength)):
            if i in (1, 3):                                              # 7 -> 14 -> 28: nearest upsampling
                x = jnp.repeat(jnp.repeat(x, 2, axis=1), 2, axis=2)
            x = conv(x, ws[:, i])
            if keys[i] is not None:
                x = x + strength[...] * jax.random.normal(keys[i], x.shape[:3] + (1,))
            x = _lrelu(x)
        return jnp.tanh(self.to_image(x, ws[:, 5]))

    def __call__(self, z: jax.Array) -> jax.Array:
        """w = mapping(z); in training mode, for a share ``mixing`` of the batch, a second z's w from a random layer
        on; per-pixel noise. Keys come from the generator's own stream."""
        w = self.mapping(z)
        ws = jnp.repeat(w[:, None], self.N_LAYERS, axis=1)
        if self.mixing and not self.deterministic:
            k_z, k_use, k_cut = jax.random.split(self.rngs.style(), 3)
            w2 = self.mapping_net(jax.random.normal(k_z, z.shape, z.dtype))
            cut = jax.random.randint(k_cut, (z.shape[0], 1, 1), 1, self.N_LAYERS)
            use = (jax.random.uniform(k_use, (z.shape[0], 1, 1)) < self.mixing) & (
                jnp.arange(self.N_LAYERS)[None, :, None] >= cut)
            ws = jnp.where(use, w2[:, None], ws)
        return self.synthesis(ws, self.rngs.style() if self.noise else None)

    def mix(self, w_coarse: jax.Array, w_fine: jax.Array, cut: int = 3) -> jax.Array:
        """ws (N, 6, w_dim): ``w_coarse`` for the layers before ``cut`` (1-5), ``w_fine`` from it on. cut 3: the
        7 x 7 and 14 x 14 layers from one, the 28 x 28 layers from the other."""
        cut = checks.count("cut", cut, minimum=1, maximum=self.N_LAYERS - 1)
        layer = jnp.arange(self.N_LAYERS)[None, :, None]
        return jnp.where(layer < cut, w_coarse[:, None], w_fine[:, None])


def truncate(w: jax.Array, w_mean: jax.Array, psi: float) -> jax.Array:
    """The truncation trick in W (Karras et al. 2019): w_mean + psi (w - w_mean); psi = 1 leaves w, psi = 0 gives
    every sample the average w. w_mean: the mean of ``mapping`` over many z (e.g. 10,000)."""
    psi = checks.number("psi", psi, low=0, high=1, fix="1 is no truncation, 0.7 is common")
    return w_mean + psi * (w - w_mean)
