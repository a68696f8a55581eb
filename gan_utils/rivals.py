"""The two other generative models that notebook 10 sets against the GAN on the same CPU budget.

* ``VAE`` (Kingma & Welling, 2014): an encoder q(z|x) = N(mu(x), diag sigma(x)^2) made of the DCGAN
  discriminator's two strided convolutions, and a decoder that *is* the course's plain ``DCGANGenerator``
  (notebooks 03-05), the mean of a Gaussian p(x|z) = N(G(z), s^2 I) with one learnt s. ``vae_loss`` is the
  negative ELBO on dequantized pixels; ``bits_per_dim`` turns it into a bound on the discrete likelihood;
  ``vae_iwae_bound`` is the tighter importance-weighted bound (Burda et al., 2016).
* ``Denoiser`` and ``Schedule`` (Ho et al., 2020): a small U-Net that predicts the noise eps in
  x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps; ``diffusion_loss`` is the "simple" loss; ``ddim_sample`` draws
  with any number of denoising steps (Song et al., 2021, with no added noise: their eta = 0); ``diffusion_bound``
  is its likelihood bound.
* ``train_for``: one jitted update loop for either, by a wall-clock budget, with a call at set times of training.

Notebook 10 builds each loss by hand first and checks it against these.
"""
from __future__ import annotations

import math
import time
from functools import cache, partial
from typing import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from . import checks, data, devices, models

__all__ = ["VAE", "vae_loss", "vae_iwae_bound", "bits_per_dim", "dequantize", "Schedule", "Denoiser", "diffusion_loss",
           "ddim_sample", "diffusion_bound", "train_for", "budget_run", "race", "load_rival", "MODELS", "ALSO",
           "LEARNING_RATES", "DDIM_STEPS", "DIFFUSION_EMA", "PIXELS", "BIN", "VAE_EMA", "averaged_vae_run"]

PIXELS = 28 * 28            # D, the dimensions of one image
BIN = 1 / 128               # width of one of the 256 grey levels on the course's [-1, 1] scale (2 / 256)


def dequantize(key: jax.Array, x: jax.Array) -> jax.Array:
    """Images in [-1, 1] from ``data.to_unit_range`` (levels p / 127.5 - 1) -> (p + u) / 128 - 1, u ~ U[0, 1).

    A continuous density on dequantized pixels bounds the discrete likelihood (Theis et al., 2016):
    log P(p) >= E_u[log p(x)] + D log BIN, so a density model cannot score by piling mass on the 256 levels.
    """
    # Two scales, both right: the data put level p at p / 127.5 - 1 (so 0 and 255 land on -1 and +1 exactly), while
    # the bins must tile [-1, 1) without overlap, 256 of width 2 / 256 = BIN: level p owns [p, p + 1) * BIN - 1.
    if not isinstance(x, jax.core.Tracer):   # inside the compiled loss it is the batch the loop checked
        x = checks.unit_images(x, "x", ndim=None)
    levels = jnp.round((x + 1) * 127.5)
    return (levels + jax.random.uniform(key, x.shape)) * BIN - 1


class VAE(nnx.Module):
    """Variational autoencoder for MNIST: images (N, 28, 28, 1) in [-1, 1] <-> z (N, latent_dim).

    Args:
      latent_dim: size of z (16, not the GAN's 64: with 64 and a learnt s the VAE drew scribbles from its prior,
        with 16 digits; notebook 10, section 6, and benchmarks/RESULTS.md measure both).
      g_base: channels at 7x7 of the decoder, a ``DCGANGenerator`` (64: the shipped GAN's width).
      e_base: channels of the encoder's first convolution, doubled in the second (32: the GAN discriminator's).
      rngs: the NNX random streams.
    """

    def __init__(self, latent_dim: int = 16, g_base: int = 64, e_base: int = 32, *, rngs: nnx.Rngs):
        for name, value in (("latent_dim", latent_dim), ("g_base", g_base), ("e_base", e_base)):
            checks.count(name, value)          # 0 divided by zero in the initialiser
        self.latent_dim = latent_dim
        self.conv1 = nnx.Conv(1, e_base, (4, 4), strides=(2, 2), rngs=rngs)
        self.conv2 = nnx.Conv(e_base, 2 * e_base, (4, 4), strides=(2, 2), rngs=rngs)
        self.stats = nnx.Linear(7 * 7 * 2 * e_base, 2 * latent_dim, rngs=rngs)
        self.decoder = models.DCGANGenerator(latent_dim, g_base, rngs=rngs)
        # log s: the decoder's one standard deviation (pixels in [-1, 1]). It starts at 0.2 (near where notebook 10's
        # VAEs stand after their first minute), because Adam moves it by about lr per step: from 1 it would take
        # thousands of steps to come down, and the bound would measure that lag, not the model.
        self.log_scale = nnx.Param(jnp.asarray(math.log(0.2), jnp.float32))

    def encode(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        """x (N, 28, 28, 1) -> (mu, log sigma^2), each (N, latent_dim)."""
        h = nnx.leaky_relu(self.conv2(nnx.leaky_relu(self.conv1(x), 0.2)), 0.2)
        mu, logvar = jnp.split(self.stats(h.reshape(x.shape[0], -1)), 2, axis=-1)
        return mu, jnp.clip(logvar, -12.0, 6.0)    # exp(-12) to exp(6): keeps exp() finite early in training

    def decode(self, z: jax.Array) -> jax.Array:
        """z (N, latent_dim) -> the decoder's mean image (N, 28, 28, 1) in [-1, 1]."""
        return self.decoder(z)

    def __call__(self, z: jax.Array) -> jax.Array:
        return self.decode(z)                       # like a generator: models.sample draws the mean image


def vae_loss(vae: VAE, x: jax.Array, key: jax.Array) -> tuple[jax.Array, dict]:
    """Negative ELBO per image (nats), averaged over the batch, on dequantized pixels.

    -ELBO(x) = E_q[-log p(x|z)] + KL(q(z|x) || N(0, I)), with one reparameterised z = mu + sigma * eps and
      -log p(x|z) = sum_i [ (x_i - G(z)_i)^2 / (2 s^2) + log s + log(2 pi) / 2 ],
      KL = sum_j [ mu_j^2 + sigma_j^2 - 1 - log sigma_j^2 ] / 2.

    Args:
      vae: the model.
      x: images (N, 28, 28, 1) in [-1, 1] (``data.to_unit_range``); dequantized here.
      key: for the dequantization and for eps.
    Returns:
      (loss, metrics): metrics hold "nll", "kl" (nats per image, batch means) and "scale" (s).
    """
    k_deq, k_eps = jax.random.split(key)
    x = dequantize(k_deq, x)
    mu, logvar = vae.encode(x)
    z = mu + jnp.exp(0.5 * logvar) * jax.random.normal(k_eps, mu.shape)
    mean = vae.decode(z)
    log_s = vae.log_scale[...]
    nll = _decoder_nll(x, mean, log_s)
    kl = 0.5 * jnp.sum(jnp.square(mu) + jnp.exp(logvar) - 1 - logvar, axis=-1)
    loss = jnp.mean(nll + kl)
    return loss, {"loss": loss, "nll": jnp.mean(nll), "kl": jnp.mean(kl), "scale": jnp.exp(log_s)}


def _decoder_nll(x: jax.Array, mean: jax.Array, log_s: jax.Array) -> jax.Array:
    """-log N(x; mean, s^2 I) per image, summed over its last three axes (28, 28, 1): the VAE's decoder density."""
    return (0.5 * jnp.sum(jnp.square(x - mean), axis=(-3, -2, -1)) * jnp.exp(-2 * log_s)
            + PIXELS * (log_s + 0.5 * math.log(2 * math.pi)))


def bits_per_dim(neg_elbo_nats: float | jax.Array) -> float | jax.Array:
    """A bound on the discrete negative log-likelihood, in bits per pixel, from -ELBO in nats per image on
    dequantized pixels: (-ELBO + D log(1 / BIN)) / (D log 2). 8 bits is a uniform guess over 256 levels."""
    if isinstance(neg_elbo_nats, (str, bytes)):
        raise TypeError(f"neg_elbo_nats must be a number (-ELBO in nats per image), got {neg_elbo_nats!r}.")
    return (neg_elbo_nats + PIXELS * math.log(1 / BIN)) / (PIXELS * math.log(2))


class Schedule:
    """The DDPM forward process: beta_t rising linearly from 1e-4 to 0.02 over T = 1000 steps (Ho et al., 2020),
    abar_t = prod_{s <= t} (1 - beta_s), so x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps.

    Args:
      steps: T.
      beta_start, beta_end: the linear schedule's ends (the paper's values).
    """

    def __init__(self, steps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02):
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
            raise ValueError(f"steps (T) must be an integer >= 2, got {steps!r}.")
        for name, beta in (("beta_start", beta_start), ("beta_end", beta_end)):
            # every beta_t is a variance added at step t: in (0, 1), or abar_t leaves (0, 1] (1.5 made it negative)
            if isinstance(beta, bool) or not isinstance(beta, (int, float, np.integer, np.floating)) or \
                    not 0 < beta < 1:
                raise ValueError(f"{name} must be a number in (0, 1) (a variance per step), got {beta!r}; the paper's "
                                 "are 1e-4 and 0.02.")
        self.steps = int(steps)
        self.betas = np.linspace(beta_start, beta_end, steps, dtype=np.float64)
        self.alpha_bar = jnp.asarray(np.cumprod(1 - self.betas), jnp.float32)   # (T,)

    def noisy(self, x0: jax.Array, t: jax.Array, eps: jax.Array) -> jax.Array:
        """x_t for images x0 (N, 28, 28, 1), integer steps t (N,) in [0, T) and noise eps like x0."""
        ab = self.alpha_bar[t][:, None, None, None]
        return jnp.sqrt(ab) * x0 + jnp.sqrt(1 - ab) * eps


def _check_schedule(model, schedule) -> None:
    """A schedule of the length the denoiser was built for (its time embedding scales t by ``model.steps``)."""
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be a rivals.Schedule (e.g. rivals.Schedule()), got {type(schedule).__name__}.")
    steps = getattr(model, "steps", None)
    if isinstance(steps, (int, np.integer)) and steps != schedule.steps:
        raise ValueError(f"the denoiser was built for T = {steps} steps, the schedule has {schedule.steps}: use "
                         f"rivals.Schedule({steps}), or build the Denoiser with steps={schedule.steps}.")


def _time_embedding(t: jax.Array, dim: int, steps: int) -> jax.Array:
    """Sinusoidal features of t (N,) -> (N, dim), as in the Transformer and DDPM (frequencies 1 to 1/10,000)."""
    half = dim // 2
    freqs = jnp.exp(-math.log(10_000.0) * jnp.arange(half) / half)
    angles = (t.astype(jnp.float32) * (1000.0 / steps))[:, None] * freqs[None]
    return jnp.concatenate([jnp.sin(angles), jnp.cos(angles)], axis=-1)


class _ResBlock(nnx.Module):
    """GroupNorm, swish, 3x3 convolution, plus the time's embedding; again; plus the input
    (1x1 conv if widths differ)."""

    def __init__(self, cin: int, cout: int, tdim: int, *, rngs: nnx.Rngs):
        self.norm1 = nnx.GroupNorm(cin, num_groups=4, rngs=rngs)
        self.conv1 = nnx.Conv(cin, cout, (3, 3), rngs=rngs)
        self.temb = nnx.Linear(tdim, cout, rngs=rngs)
        self.norm2 = nnx.GroupNorm(cout, num_groups=4, rngs=rngs)
        self.conv2 = nnx.Conv(cout, cout, (3, 3), rngs=rngs)
        self.skip = nnx.Conv(cin, cout, (1, 1), rngs=rngs) if cin != cout else None

    def __call__(self, x: jax.Array, temb: jax.Array) -> jax.Array:
        h = self.conv1(nnx.swish(self.norm1(x))) + self.temb(temb)[:, None, None, :]
        h = self.conv2(nnx.swish(self.norm2(h)))
        return h + (x if self.skip is None else self.skip(x))


def _to_blocks(x: jax.Array) -> jax.Array:
    """(N, 28, 28, 1) -> (N, 14, 14, 4): each 2x2 block of pixels as 4 channels
    (the inverse of sub-pixel upsampling)."""
    n = x.shape[0]
    return x.reshape(n, 14, 2, 14, 2).transpose(0, 1, 3, 2, 4).reshape(n, 14, 14, 4)


def _from_blocks(x: jax.Array) -> jax.Array:
    """(N, 14, 14, 4) -> (N, 28, 28, 1), the inverse of ``_to_blocks`` (notebook 03's sub-pixel shuffle)."""
    n = x.shape[0]
    return x.reshape(n, 14, 14, 2, 2).transpose(0, 1, 3, 2, 4).reshape(n, 28, 28, 1)


class Denoiser(nnx.Module):
    """A small U-Net: (x_t (N, 28, 28, 1), t (N,) int) -> the predicted noise eps (N, 28, 28, 1).

    The image enters as 14x14 blocks of 2x2 pixels (4 channels) and leaves the same way (the sub-pixel shuffle of
    notebook 03); in between: a residual block at 14x14 (``base`` channels), two at 7x7 (2 ``base``), one back at
    14x14 on the upsampled features concatenated with the first block's (the U-Net's skip, Ronneberger et al., 2015);
    the time enters every block as sinusoidal features through a small MLP (Ho et al., 2020, without attention).

    Args:
      base: channels at 14x14 (16: small enough to make at least as many steps as the course's GAN on a 2-core
        CPU: in notebook 10's race it made 12,364 steps in 4 minutes, the GAN 10,015; a U-Net at 28x28 with 16
        channels took 312 ms a step against 54 for this one; benchmarks/RESULTS.md, notebook 10's race).
      tdim: size of the time embedding.
      steps: T of the schedule (scales t for the embedding).
      rngs: the NNX random streams.
    """

    def __init__(self, base: int = 16, tdim: int = 64, steps: int = 1000, *, rngs: nnx.Rngs):
        if isinstance(base, bool) or not isinstance(base, (int, np.integer)) or base < 4 or base % 4:
            raise ValueError(f"base must be a multiple of 4, at least 4 (GroupNorm groups of 4), got {base!r}.")
        tdim, steps = checks.count("tdim", tdim), checks.count("steps", steps, 2)
        self.tdim, self.steps = tdim, steps
        self.t1, self.t2 = nnx.Linear(tdim, tdim, rngs=rngs), nnx.Linear(tdim, tdim, rngs=rngs)
        self.inp = nnx.Conv(4, base, (3, 3), rngs=rngs)
        self.block14 = _ResBlock(base, base, tdim, rngs=rngs)
        self.down = nnx.Conv(base, 2 * base, (3, 3), strides=(2, 2), rngs=rngs)
        self.block7a = _ResBlock(2 * base, 2 * base, tdim, rngs=rngs)
        self.block7b = _ResBlock(2 * base, 2 * base, tdim, rngs=rngs)
        self.block_up = _ResBlock(3 * base, base, tdim, rngs=rngs)
        self.out = nnx.Conv(base, 4, (3, 3), rngs=rngs)

    def features(self, x: jax.Array, t: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        """The way down: (x_t, t) -> (the time's embedding (N, tdim), the 14x14 features (N, 14, 14, base), the
        7x7 features (N, 7, 7, 2 base)). A discriminator can read the last two (LADD's heads, benchmarks/
        distill_probe.py)."""
        temb = self.t2(nnx.swish(self.t1(_time_embedding(t, self.tdim, self.steps))))
        h14 = self.block14(self.inp(_to_blocks(x)), temb)
        return temb, h14, self.block7b(self.block7a(self.down(h14), temb), temb)

    def __call__(self, x: jax.Array, t: jax.Array) -> jax.Array:
        temb, h14, h = self.features(x, t)
        h = jax.image.resize(h, (x.shape[0], 14, 14, h.shape[-1]), "nearest")
        h = self.block_up(jnp.concatenate([h, h14], -1), temb)                # (N, 14, 14, base)
        return _from_blocks(self.out(nnx.swish(h)))


def diffusion_loss(model: Denoiser, x0: jax.Array, key: jax.Array, schedule: Schedule) -> tuple[jax.Array, dict]:
    """The DDPM "simple" loss: E_{t, eps} || eps - eps_theta(sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, t) ||^2,
    per pixel, with t uniform on {0, ..., T-1} and eps ~ N(0, I).

    Args:
      model: the denoiser.
      x0: images (N, 28, 28, 1) in [-1, 1].
      key: for t and eps.
      schedule: the forward process.
    Returns:
      (loss, {"loss": loss}).
    """
    _check_schedule(model, schedule)
    k_t, k_eps = jax.random.split(key)
    t = jax.random.randint(k_t, (x0.shape[0],), 0, schedule.steps)
    eps = jax.random.normal(k_eps, x0.shape)
    loss = jnp.mean(jnp.square(eps - model(schedule.noisy(x0, t, eps), t)))
    return loss, {"loss": loss}


def ddim_sample(model: Denoiser, schedule: Schedule, key: jax.Array, n: int, steps: int = 50,
                batch_size: int = 500) -> np.ndarray:
    """Samples by DDIM with no added noise (Song et al.'s eta = 0, 2021): ``steps`` denoising steps on times evenly
    spaced from T-1 to 0; each predicts x0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t) (clipped to [-1, 1]) and
    moves to x_{t'} = sqrt(abar_t') x0 + sqrt(1 - abar_t') eps. One network call per step.

    Returns:
      float32 (n, 28, 28, 1) in [-1, 1].
    """
    _check_schedule(model, schedule)
    checks.count("n", n)
    checks.count("batch_size", batch_size)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= schedule.steps:
        raise ValueError(f"steps must be an integer in 1..{schedule.steps} (denoising steps), got {steps!r}.")
    ts = np.round(np.linspace(schedule.steps - 1, 0, steps)).astype(np.int32)
    ab = np.asarray(schedule.alpha_bar)
    ab_next = np.append(ab[ts[1:]], 1.0).astype(np.float32)    # after the last step: abar = 1, x = x0
    graphdef, state = nnx.split(model)
    run = _compiled(_ddim_run)
    args = (jnp.asarray(ts), jnp.asarray(ab[ts]), jnp.asarray(ab_next))
    out = []
    for i, k in enumerate(jax.random.split(key, -(-n // batch_size))):
        m_ = min(batch_size, n - i * batch_size)
        out.append(np.asarray(run(graphdef, state, jax.random.normal(k, (m_, 28, 28, 1)), *args)))
    return np.concatenate(out)


def _ddim_run(graphdef, state, x, ts, ab_t, ab_next):
    m = nnx.merge(graphdef, state)

    def body(x, i):
        eps = m(x, jnp.full((x.shape[0],), ts[i]))
        x0 = jnp.clip((x - jnp.sqrt(1 - ab_t[i]) * eps) / jnp.sqrt(ab_t[i]), -1, 1)
        eps = (x - jnp.sqrt(ab_t[i]) * x0) / jnp.sqrt(1 - ab_t[i])   # the noise consistent with the clipped x0
        return jnp.sqrt(ab_next[i]) * x0 + jnp.sqrt(1 - ab_next[i]) * eps, None

    x, _ = jax.lax.scan(body, x, jnp.arange(ts.shape[0]))
    return jnp.clip(x, -1, 1)


def _check_digits(x) -> tuple[np.ndarray, int]:
    """x as checked images (N, 28, 28, 1) in [-1, 1], and N, at least 2 (a bound's standard error needs two)."""
    x = checks.unit_images(x, "x")
    if x.ndim != 4 or x.shape[1:] != (28, 28, 1):
        raise ValueError(f"x must be images of shape (N, 28, 28, 1), got {x.shape}.")
    n = int(np.shape(x)[0])
    if n < 2:
        raise ValueError(f"x must hold at least 2 images (the standard error needs them), got {n}.")
    return x, n


def diffusion_bound(model: Denoiser, schedule: Schedule, x: jax.Array, key: jax.Array, *,
                    t_samples: int | None = 100, batch_size: int = 500) -> dict:
    """The diffusion model's bound on the negative log-likelihood, -ELBO in nats per image on dequantized pixels
    (Ho et al., 2020, eq. 5), with the reverse steps' variances fixed at the forward posterior's, beta~_t, and a
    Gaussian decoder N(mu_theta(x_1, 1), beta_1 I) at the last step. Steps counted from 1 as in the paper
    (``schedule`` counts them from 0):

      -ELBO(x0) = KL(q(x_T | x0) || N(0, I))                                        prior term, closed form
                + sum_{t=2..T} beta_t / (2 alpha_t (1 - abar_{t-1})) E||eps - eps_theta(x_t, t)||^2   the steps
                + E||eps - eps_theta(x_1, 1)||^2 / (2 alpha_1) + (D / 2) log(2 pi beta_1)             decoder term

    Each step's KL is between two Gaussians of the same variance beta~_t, so it is the squared error of the noise
    prediction, weighted; the network's loss (``diffusion_loss``) is the same error with every weight set to 1.

    Args:
      model: the denoiser eps_theta(x_t, t).
      schedule: its forward process.
      x: images (N, 28, 28, 1) in [-1, 1] (``data.to_unit_range``); dequantized here.
      key: for the dequantization, the steps drawn and the noise.
      t_samples: the sum over steps 2..T is estimated from this many steps drawn per image, each with probability
        proportional to its weight (unbiased; the weights fall about 120-fold from step 2 to their smallest, so
        uniform draws would be noisier); None: every step once per image (T - 1 network calls per image).
      batch_size: images per network call.
    Returns:
      {"neg_elbo", "prior", "steps", "decoder": means over the images in nats per image; "se": the standard
      error of the mean bound (over the images: their spread, the drawn steps and the noise); "bits_per_dim":
      ``bits_per_dim(neg_elbo)``}.
    """
    _check_schedule(model, schedule)
    checks.count("batch_size", batch_size)
    x, n = _check_digits(x)
    if t_samples is not None and (isinstance(t_samples, bool) or not isinstance(t_samples, (int, np.integer))
                                  or t_samples < 1):
        raise ValueError("t_samples must be a positive integer (steps drawn per image) or None (all), "
                         f"got {t_samples!r}.")
    T = schedule.steps
    beta = np.asarray(schedule.betas, np.float64)
    abar = np.cumprod(1 - beta)
    weight = np.zeros(T)
    weight[1:] = beta[1:] / (2 * (1 - beta[1:]) * (1 - abar[:-1]))      # steps 2..T of the paper
    graphdef, state = nnx.split(model)
    term = _compiled(_bound_term)
    k_deq, k_t, k_eps = jax.random.split(key, 3)
    x0 = dequantize(k_deq, jnp.asarray(x, jnp.float32))
    x0_np = np.asarray(x0, np.float64)
    prior = 0.5 * np.sum(abar[-1] * x0_np ** 2 - abar[-1] - np.log(1 - abar[-1]), axis=(1, 2, 3))

    def errors(t: np.ndarray, k: jax.Array) -> np.ndarray:     # ||eps - eps_theta(x_t, t)||^2 per image, t (n,)
        out = []
        for i, kb in zip(range(0, n, batch_size), jax.random.split(k, -(-n // batch_size))):
            tb = jnp.asarray(t[i:i + batch_size], jnp.int32)
            out.append(np.asarray(term(graphdef, state, x0[i:i + batch_size], tb, schedule.alpha_bar[tb], kb)))
        return np.concatenate(out).astype(np.float64)

    keys = jax.random.split(k_eps, 1 + (T - 1 if t_samples is None else t_samples))
    decoder = errors(np.zeros(n, int), keys[0]) / (2 * (1 - beta[0])) + PIXELS / 2 * math.log(2 * math.pi * beta[0])
    if t_samples is None:
        draws = [np.full(n, t) for t in range(1, T)]
    else:
        # importance sampling: t drawn with probability weight_t / W, so each draw estimates the sum as W * error
        draws = list(np.asarray(jax.random.choice(k_t, T, (t_samples, n), p=jnp.asarray(weight / weight.sum()))))
    if t_samples is None:
        steps = np.sum([weight[t] * errors(t, k) for t, k in zip(draws, keys[1:])], axis=0)
    else:
        steps = weight.sum() * np.mean([errors(t, k) for t, k in zip(draws, keys[1:])], axis=0)
    total = prior + steps + decoder
    return {"neg_elbo": float(total.mean()), "prior": float(prior.mean()), "steps": float(steps.mean()),
            "decoder": float(decoder.mean()), "se": float(total.std(ddof=1) / math.sqrt(n)),
            "bits_per_dim": float(bits_per_dim(total.mean()))}


def vae_iwae_bound(vae: VAE, x: jax.Array, key: jax.Array, *, k: int = 100, batch_size: int = 100) -> dict:
    """The importance-weighted bound (Burda et al., 2016) on the VAE's negative log-likelihood, nats per image on
    dequantized pixels, with k codes per image drawn from the encoder:

      -log p(x) <= -E[ log (1/k) sum_i w_i ],   w_i = p(x | z_i) p(z_i) / q(z_i | x),   z_i ~ q(z | x).

    k = 1 is the ELBO (with the KL term estimated from the one code instead of in closed form); the bound tightens
    as k grows and reaches -log p(x) as k -> infinity. Each image is dequantized once and its k codes share that
    image. The VAE is used as given: pass ``models.inference_copy(vae)`` to use BatchNorm's running statistics.

    Args:
      vae: the model.
      x: images (N, 28, 28, 1) in [-1, 1] (``data.to_unit_range``); dequantized here.
      key: for the dequantization and the codes.
      k: codes per image.
      batch_size: images per call (the decoder sees batch_size * k codes at once).
    Returns:
      {"neg_log_likelihood_bound": the mean bound, nats per image; "se": its standard error over the images;
      "bits_per_dim": ``bits_per_dim`` of the mean; "per_image": each image's bound (N,), for paired comparisons
      (the same key and batch_size dequantize the images the same way whatever k); "k"}.
    """
    checks.count("k", k)
    checks.count("batch_size", batch_size)
    x, n = _check_digits(x)
    graphdef, state = nnx.split(vae)
    run = _compiled(_iwae_batch, (0, 4))
    out = []
    for i, kb in zip(range(0, n, batch_size), jax.random.split(key, -(-n // batch_size))):
        out.append(np.asarray(run(graphdef, state, jnp.asarray(x[i:i + batch_size], jnp.float32), kb, k)))
    bound = -np.concatenate(out).astype(np.float64)
    return {"neg_log_likelihood_bound": float(bound.mean()), "se": float(bound.std(ddof=1) / math.sqrt(n)),
            "bits_per_dim": float(bits_per_dim(bound.mean())), "per_image": bound, "k": int(k)}


def _iwae_batch(graphdef, state, x, key, k):
    """log (1/k) sum_i w_i for each image of the batch x (B, 28, 28, 1)."""
    vae = nnx.merge(graphdef, state)
    k_deq, k_eps = jax.random.split(key)
    x = dequantize(k_deq, x)
    mu, logvar = vae.encode(x)                                            # (B, L)
    eps = jax.random.normal(k_eps, (k,) + mu.shape)                       # (k, B, L)
    z = mu + jnp.exp(0.5 * logvar) * eps
    mean = vae.decode(z.reshape((-1, mu.shape[-1]))).reshape((k,) + x.shape)
    log_px = -_decoder_nll(x, mean, vae.log_scale[...])                  # (k, B)
    log_pz = -0.5 * jnp.sum(jnp.square(z) + math.log(2 * math.pi), axis=-1)
    log_qz = -0.5 * jnp.sum(jnp.square(eps) + logvar + math.log(2 * math.pi), axis=-1)
    return jax.nn.logsumexp(log_px + log_pz - log_qz, axis=0) - math.log(k)


def _bound_term(graphdef, state, x0, t, ab, key):
    eps = jax.random.normal(key, x0.shape)
    a = ab[:, None, None, None]
    pred = nnx.merge(graphdef, state)(jnp.sqrt(a) * x0 + jnp.sqrt(1 - a) * eps, t)
    return jnp.sum(jnp.square(eps - pred), axis=(1, 2, 3))


@cache
def _compiled(fn: Callable, static_argnums: int | tuple[int, ...] = 0) -> Callable:
    """``fn`` jitted once for the whole session (its module structures static): the sampler, the bound's term and the
    importance-weighted bound each compile once per model structure and shape, not once per call."""
    return jax.jit(fn, static_argnums=static_argnums, compiler_options=devices.compiler_options())


def train_for(model: nnx.Module, loss_fn: Callable, images: np.ndarray, *, key: jax.Array, seconds: float,
              marks: Sequence[float] = (), on_mark: Callable | None = None, batch_size: int = 64,
              lr: float = 1e-3, b1: float = 0.9, ema: float | None = None, max_steps: int | None = None) -> dict:
    """Trains ``model`` with Adam on ``loss_fn(model, batch, key) -> (loss, metrics)`` for ``seconds`` of
    training time (or ``max_steps`` steps, whichever comes first); at each time in ``marks`` (seconds of training,
    compilation included) calls ``on_mark(mark, step, model)``, whose own time is not counted. The step is compiled
    with the course's CPU compiler options, as the GAN's is (``devices.compiler_options``).

    Args:
      model: a VAE or a Denoiser (anything whose loss_fn fits); it holds the trained state when this returns.
      loss_fn: e.g. ``vae_loss`` or ``functools.partial(diffusion_loss, schedule=...)``.
      images: float32 (N, 28, 28, 1) in [-1, 1].
      key: the run's key (batch order and the loss's randomness).
      seconds: the budget.
      marks: times (seconds of training) at which to call ``on_mark``; each <= seconds.
      on_mark: e.g. draw and save samples; marks that ``max_steps`` leaves unreached are called at the end.
      batch_size: images per step (64: the GAN's).
      lr, b1: Adam's (1e-3 and 0.9: the usual VAE and small-DDPM settings; DDPM used 2e-4 for its large U-Net).
      ema: keep a moving average of the weights with this decay, warmed up as min(ema, (1 + s) / (10 + s)) at step
        s so that early marks are not the initial weights (DDPM samples from such an average; so does the course's
        GAN, EMA 0.999). ``on_mark`` then gets a copy holding the average, and ``model`` ends holding it.
      max_steps: stop after this many steps even if time is left (None: time alone decides).
    Returns:
      {"steps", "seconds", "history": {"step", "loss", ...}} with the history every 50 steps.
    """
    if not (isinstance(seconds, float) and seconds == math.inf):   # inf: until max_steps (checked below)
        seconds = checks.number("seconds", seconds, low=0, low_open=True)
    if any(not 0 < checks.number("each mark", m) <= seconds for m in marks):
        raise ValueError(f"seconds must be > 0 and every mark in (0, seconds], got {seconds} and {list(marks)}.")
    if max_steps is not None:
        checks.count("max_steps", max_steps)
    elif not seconds < math.inf:
        raise ValueError("seconds is infinite and max_steps is None: the loop would never end; give one of them.")
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) or not 0 < lr < math.inf:
        raise ValueError(f"lr must be a positive, finite learning rate, got {lr!r}.")
    if isinstance(b1, bool) or not isinstance(b1, (int, float, np.integer, np.floating)) or not 0 <= b1 < 1:
        raise ValueError(f"b1 (Adam's first-moment decay) must be in [0, 1), got {b1!r}.")
    if ema is not None and (isinstance(ema, bool) or not isinstance(ema, (int, float, np.integer, np.floating))
                            or not 0 <= ema < 1):
        raise ValueError(f"ema must be a decay in [0, 1) (0 or None: no average), got {ema!r}; DDPM's is 0.9999.")
    if not isinstance(images, tuple):   # MNIST as loaded (uint8 0-255) trained with a first VAE loss of 6.5e7
        images = checks.unit_images(images, "images")
        if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
            fix = " Channels first (NCHW)? np.moveaxis(images, 1, -1)." if images.shape[1:] == (1, 28, 28) else ""
            raise ValueError(f"images must have shape (N, 28, 28, 1) (NHWC), got {images.shape}.{fix}")
    k_data, k_loss = jax.random.split(key)
    sampler = data.BatchSampler(images, batch_size, k_data)
    opt = nnx.Optimizer(model, optax.adam(lr, b1), wrt=nnx.Param)
    graphdef, state = nnx.split((model, opt))
    average = jax.tree_util.tree_map(jnp.array, nnx.state(model, nnx.Param)) if ema else None

    @partial(jax.jit, compiler_options=devices.compiler_options())
    def step(state, average, batch, key, s):
        m, o = nnx.merge(graphdef, state)
        (_, metrics), grads = nnx.value_and_grad(loss_fn, has_aux=True)(m, batch, key)
        o.update(m, grads)
        if ema:
            d = jnp.minimum(ema, (1.0 + s) / (10.0 + s))
            average = jax.tree_util.tree_map(lambda a, p: d * a + (1 - d) * p, average, nnx.state(m, nnx.Param))
        return nnx.state((m, o)), average, metrics

    def averaged() -> nnx.Module:
        copy = nnx.clone(model)
        nnx.update(copy, average)
        return copy

    pending, clock, s, history = sorted(marks), 0.0, 0, {"step": []}
    while clock < seconds and (max_steps is None or s < max_steps):
        t0 = time.perf_counter()
        state, average, metrics = step(state, average, jnp.asarray(sampler.batch(s)), jax.random.fold_in(k_loss, s),
                                       s)
        if s % 50 == 0:
            history["step"].append(s)
            for k, v in metrics.items():
                history.setdefault(k, []).append(float(v))
        else:
            jax.block_until_ready(metrics)
        clock += time.perf_counter() - t0
        s += 1
        while pending and clock >= pending[0]:
            nnx.update((model, opt), state)
            if on_mark is not None:
                on_mark(pending[0], s, averaged() if ema else model)
            pending.pop(0)
    nnx.update((model, opt), state)
    for mark in pending:               # max_steps ended the run first: the marks left see the last step
        if on_mark is not None:
            on_mark(mark, s, averaged() if ema else model)
    if ema:
        nnx.update(model, average)
    return {"steps": s, "seconds": clock, "history": history}


# ---------------------------------------------------------------------------------------------------------------
# The race of notebook 10: each model trained for the same seconds on this machine, scored at set times
# ---------------------------------------------------------------------------------------------------------------
MODELS = ("gan", "vae", "diffusion")
ALSO = ("vae64",)       # run beside them: the VAE with the GAN's 64 latent dimensions (why the race's VAE has 16)
DDIM_STEPS = 50         # denoising steps of the diffusion samples scored along the race (quality against steps: apart)
# Adam's learning rates, from a short probe (one seed each; benchmarks/RESULTS.md): the VAE scored FID 204 / 186 at
# 1e-3 / 3e-3 after 90 s, the diffusion model 260 / 197 / 201 at 1e-3 / 3e-3 / 6e-3 after 2 minutes
LEARNING_RATES = {"vae": 3e-3, "vae64": 3e-3, "diffusion": 3e-3}
DIFFUSION_EMA = 0.999   # the diffusion model is sampled from a weight average, as DDPM's and the race's GAN are


def _gan_for(seed: int, seconds: float, marks: Sequence[float], on_mark: Callable) -> dict:
    """The command line's MNIST default (``python -m gan_utils train --dataset mnist --minutes M``: the
    self-conditioned DCGAN, EMA 0.999) for ``seconds``, its clustering included, calling
    ``on_mark(mark, step, g_ema)`` with a copy of the weight average at the marks (their own time not counted;
    ``GAN.sampler`` re-estimates its BatchNorm statistics later, outside the budget)."""
    from . import clusters, train
    from .config import DEFAULT_CLUSTERS, GANConfig, build_gan
    config = GANConfig(seed=seed, ema=0.999, self_condition=DEFAULT_CLUSTERS)
    x = data.to_unit_range(data.load_mnist("train")[0])
    images = (x, np.zeros(len(x), np.int32))            # the cluster ids are written here as training goes
    gan = build_gan(config)
    k_run, k_data, _ = jax.random.split(jax.random.key(config.seed), 3)   # as `train` splits them
    sc = clusters.SelfConditioning.for_config(config, *images)
    t0, paused = time.perf_counter(), [0.0]             # the first clustering is part of the method: it counts
    sc.start(gan, 0)
    pending = sorted(marks)

    def marker(step, gan, history):
        t = time.perf_counter()
        while pending and t - t0 - paused[0] >= pending[0]:
            on_mark(pending.pop(0), step, nnx.clone(gan.g_ema))   # a copy of the average: sampled after training
        paused[0] += time.perf_counter() - t

    left = seconds - (time.perf_counter() - t0)
    if left <= 0:
        raise ValueError(f"a budget of {seconds} s ends before the first clustering does; give the GAN more seconds.")
    res = train.fit(gan, data.BatchSampler(images, config.batch_size, k_data), key=k_run, minutes=left / 60,
                    config=config, callbacks=[sc, marker], callback_every=25, progress=False)   # ~1 s apart
    clock = time.perf_counter() - t0 - paused[0]
    for m in pending:                                    # the budget's end (the copies at marks took milliseconds)
        on_mark(m, res.step, nnx.clone(gan.g_ema))
    return {"steps": res.step, "seconds": clock, "history": {k: list(map(float, v)) for k, v in res.history.items()
                                                             if k in ("step", "d_loss", "g_loss")}}


def budget_run(model: str, seed: int, seconds: float, marks: Sequence[float], *, n_samples: int = 2000,
               keep: int = 100, train_features: np.ndarray | None = None,
               reference: tuple[np.ndarray, np.ndarray] | None = None, max_steps: int | None = None,
               ema: float | None = None) -> dict:
    """Trains one model on MNIST for ``seconds`` of this machine's time and scores it at each mark.

    Args:
      model: ``"gan"`` (the command line's default recipe), ``"vae"`` (``VAE()``), ``"vae64"`` (``VAE(64)``) or
        ``"diffusion"`` (``Denoiser()``, its weights averaged with ``DIFFUSION_EMA``, sampled by DDIM with
        ``DDIM_STEPS`` steps), all at batch 64; the rivals with Adam at ``LEARNING_RATES``.
      seed: the run's seed (initialisation, batch order, noise).
      seconds: the training budget; marks: times of training (seconds) at which to draw and score samples.
      n_samples: samples scored at each mark (the FID's N: compare only at equal N).
      keep: samples kept per mark, as uint8 images, to show.
      train_features: the classifier's features of the 60,000 training digits (computed here if None), for the
        memorisation score of the last mark's samples (``metrics.memorisation``).
      reference: ``metrics.classifier_outputs`` of the 10,000 test digits, the scores' reference (computed here if
        None).
      max_steps: the rivals only: stop after this many steps even if time is left, the marks left then scored at
        the last step (a smoke test that does not depend on the machine's speed).
      ema: the VAEs only: average their weights with this decay, as the GAN's (``train_for``'s warm-up), and sample
        the average's decoder with its BatchNorm statistics re-estimated on prior draws, as the GAN is sampled.
        None (the race): the last weights, with the statistics of training.
    Returns:
      {"marks", "steps" (reached at each mark), "scores" (one ``metrics.image_metrics`` dict per mark, against
      the test set), "images" uint8 (len(marks), keep, 28, 28), "steps_total", "seconds", "history"}, plus for
      the VAEs "bits_per_dim" and "kl" (its KL term, nats per image) on 2,000 test digits and "scale" (its decoder's
      s) at each mark, "memorisation" of the
      last mark's samples, and the last model's state under "state" (for ``load_rival``).
    """
    from . import metrics
    if model not in MODELS + ALSO:
        raise ValueError(f"model must be one of {MODELS + ALSO}, got {model!r}.")
    if not seconds > 0 or not marks or any(not 0 < m <= seconds for m in marks):   # before minutes of loading
        raise ValueError(f"seconds must be > 0 and marks name at least one time in (0, seconds] (the samples are "
                         f"drawn and scored there), got {seconds} and {list(marks)}.")
    checks.count("n_samples", n_samples, 4)   # precision and recall use the 3rd nearest neighbour
    checks.count("keep", keep, 0)
    if max_steps is not None:
        checks.count("max_steps", max_steps)
    if max_steps is not None and model == "gan":
        raise ValueError("max_steps bounds the rivals' training only; the GAN trains for `seconds` (pass "
                         "max_steps=None).")
    vae = model in ("vae", "vae64")
    if ema is not None and not vae:
        raise ValueError(f"ema averages the VAEs' weights; the GAN and diffusion model have their own (got model "
                         f"{model!r}): pass ema=None.")
    if ema is not None:
        ema = checks.number("ema", ema, low=0, high=1, low_open=True, high_open=True, fix="the GAN's is 0.999")
    key = jax.random.key(seed)
    k_init, k_run, k_sample = jax.random.split(key, 3)
    x_test = data.to_unit_range(data.load_mnist("test", n=2000)[0])
    if reference is None:
        reference = metrics.classifier_outputs(data.load_mnist("test")[0])
    out, drawn, copies = {"marks": [], "steps": [], "scores": [], "images": []}, [], []
    if train_features is None:
        train_features = metrics.classifier_outputs(data.load_mnist("train")[0])[0]
    extra = {"bits_per_dim": [], "scale": [], "kl": []} if vae else {}
    schedule = Schedule()

    def on_mark(mark, step, net):      # keep a copy of the model (milliseconds); sample and score after training
        copies.append(net if model == "gan" else nnx.clone(net))
        out["marks"].append(float(mark))
        out["steps"].append(int(step))

    if model == "gan":
        res = _gan_for(seed, seconds, marks, on_mark)
        state = None
    else:
        images = data.to_unit_range(data.load_mnist("train")[0])
        rngs = nnx.Rngs(int(jax.random.randint(k_init, (), 0, 2**31 - 1)))
        net = VAE(latent_dim=64 if model == "vae64" else 16, rngs=rngs) if vae else Denoiser(rngs=rngs)
        loss = vae_loss if vae else partial(diffusion_loss, schedule=schedule)
        res = train_for(net, loss, images, key=k_run, seconds=seconds, marks=marks, on_mark=on_mark,
                        lr=LEARNING_RATES[model], ema=DIFFUSION_EMA if model == "diffusion" else ema,
                        max_steps=max_steps)
        state = jax.tree_util.tree_map(np.asarray, nnx.to_pure_dict(nnx.state(net)))
    for i, net in enumerate(copies):
        k_draw, k_elbo = jax.random.split(jax.random.fold_in(k_sample, i))
        if model == "diffusion":
            x = ddim_sample(net, schedule, k_draw, n_samples, DDIM_STEPS)
        elif model == "gan" or ema:   # what GAN.sampler() returns: an average, its BatchNorm statistics re-estimated
            sampler = net if model == "gan" else nnx.clone(net.decoder)     # the VAE's average: its decoder
            x = np.asarray(models.sample(models.recalibrate_batchnorm(sampler, jax.random.key(0), n_batches=20,
                                                                      batch_size=256), k_draw, n_samples))
        else:
            x = np.asarray(models.sample(net, k_draw, n_samples))
        drawn.append(data.to_uint8(x.reshape(n_samples, 28, 28)))
        out["scores"].append(metrics.image_metrics(drawn[-1], reference, pr_n=n_samples))
        out["images"].append(drawn[-1][:keep])
        if vae:
            net_eval = models.inference_copy(net)
            parts = [vae_loss(net_eval, x_test[j:j + 500], jax.random.fold_in(k_elbo, j))
                     for j in range(0, len(x_test), 500)]
            extra["bits_per_dim"].append(float(bits_per_dim(np.mean([float(loss) for loss, _ in parts]))))
            extra["kl"].append(float(np.mean([float(m["kl"]) for _, m in parts])))
            extra["scale"].append(float(jnp.exp(net.log_scale[...])))
    # the last mark: how close the samples come to the training digits, against fresh test digits
    out["memorisation"] = metrics.memorisation(metrics.classifier_outputs(drawn[-1])[0], train_features, reference[0])
    return {**out, **extra, "images": np.stack(out["images"]), "steps_total": res["steps"],
            "seconds": res["seconds"], "history": res["history"], **({"state": state} if state else {})}


VAE_EMA = 0.999   # the race's GAN's decay (_gan_for), for the VAE averaged as the GAN is


def averaged_vae_run(race_run: dict, seed: int, *, train_features: np.ndarray | None = None,
                     reference: tuple[np.ndarray, np.ndarray] | None = None, n_samples: int = 2000) -> dict:
    """The race's VAE made like its GAN (notebook 10, Appendix G; ``benchmarks/vae_average.py``): ``VAE()`` from
    ``seed``, trained for exactly the steps of ``race_run`` (the race's ``runs["vae"][str(seed)]``, so the budget is
    the same on any machine), its weights averaged with ``VAE_EMA`` and sampled with its decoder's BatchNorm
    statistics re-estimated on prior draws (``budget_run(..., ema=VAE_EMA)``). Its last weights are the race's (the
    average does not change the gradients), so the race's scores are the comparison.

    Returns:
      {"seed", "steps", "ema", "seconds", "averaged": the scores of the average, "race_last_weights": the race's
      scores of the same seed at its last mark, "machine"}.
    """
    from . import precomputed
    try:
        steps, raw = int(race_run["steps_total"]), race_run["scores"][-1]
    except (KeyError, TypeError, IndexError) as e:
        raise ValueError("race_run must be one VAE run of the race's results, race['runs']['vae'][str(seed)] "
                         f"(with 'steps_total' and 'scores'): {type(e).__name__}: {e}") from e
    # a budget no machine reaches first, ended by the race's step count; scored once, at the end
    r = budget_run("vae", seed, 3600.0, (3600.0,), n_samples=n_samples, train_features=train_features,
                   reference=reference, max_steps=steps, ema=VAE_EMA)

    def rounded(scores: dict) -> dict:     # floats to 4 decimals; counts and the class histogram as they are
        return {k: int(v) if isinstance(v, (int, np.integer)) else round(float(v), 4) if np.ndim(v) == 0 else v
                for k, v in scores.items()}
    return {"seed": seed, "steps": r["steps_total"], "ema": VAE_EMA, "seconds": round(r["seconds"], 1),
            "averaged": rounded(r["scores"][-1]), "race_last_weights": rounded(raw),
            "machine": precomputed.machine_record()}


def race(seeds: Sequence[int] = (0, 1, 2), seconds: float = 240.0, marks: Sequence[float] = (30, 60, 120, 240),
         *, n_samples: int = 2000, denoising_steps: Sequence[int] = (5, 10, 20, 50, 100),
         models: Sequence[str] = MODELS + ALSO, verbose: bool = True) -> dict:
    """Notebook 10's experiment: every model of ``MODELS`` and ``ALSO`` and every seed, one after the other, for the
    same ``seconds`` of training on this machine, scored at ``marks`` (``budget_run``); then the first seed's
    diffusion model sampled with each number of ``denoising_steps`` and scored, at the same N. ``models`` picks a
    subset (notebook 10's longer budget runs ``MODELS`` only, one seed).

    Returns:
      {"runs": {model: {str(seed): budget_run(...)}} (the weights kept for the first seed only),
       "denoising": {"steps": [...], "scores": [...]}, "setup": the arguments}.
    """
    from . import metrics
    if not len(seeds):
        raise ValueError("seeds must name at least one seed, e.g. seeds=(0, 1, 2).")
    if not seconds > 0 or not marks or any(not 0 < m <= seconds for m in marks):
        raise ValueError(f"seconds must be > 0 and marks name at least one time in (0, seconds], got {seconds} and "
                         f"{list(marks)}.")
    unknown = [m for m in models if m not in MODELS + ALSO]
    if unknown or not models:
        raise ValueError(f"models must be a non-empty subset of {MODELS + ALSO}, got {tuple(models)!r}.")
    if denoising_steps and "diffusion" not in models:
        raise ValueError("denoising_steps samples the diffusion model: include 'diffusion' in models, or pass ().")
    models = tuple(models)
    runs = {m: {} for m in models}
    train_features = metrics.classifier_outputs(data.load_mnist("train")[0])[0]
    reference = metrics.classifier_outputs(data.load_mnist("test")[0])
    for model in models:
        for seed in seeds:
            t0 = time.perf_counter()
            r = budget_run(model, seed, seconds, marks, n_samples=n_samples, train_features=train_features,
                           reference=reference)
            if seed != seeds[0]:
                r.pop("state", None)
            runs[model][str(seed)] = r
            if verbose:
                print(f"{model}, seed {seed}: {r['steps_total']:,} steps in {r['seconds']:.0f} s; FID at the marks "
                      f"{[round(s['fid'], 1) for s in r['scores']]} ({time.perf_counter() - t0:.0f} s with scoring)",
                      flush=True)
    schedule = Schedule()
    net = load_rival("diffusion", runs["diffusion"][str(seeds[0])]["state"]) if denoising_steps else None
    scores, seconds_ = [], []
    for s in denoising_steps:
        ddim_sample(net, schedule, jax.random.key(0), 500, s)       # compile this number of steps, outside the timing
        t0 = time.perf_counter()
        x = ddim_sample(net, schedule, jax.random.key(seeds[0] + 1000 + s), n_samples, s)
        seconds_.append(time.perf_counter() - t0)
        scores.append(metrics.image_metrics(data.to_uint8(x.reshape(-1, 28, 28)), reference, pr_n=n_samples))
        if verbose:
            print(f"diffusion, {s} denoising steps: FID {scores[-1]['fid']:.1f} ({seconds_[-1]:.0f} s)", flush=True)
    return {"runs": runs, "denoising": {"steps": list(denoising_steps), "scores": scores, "seconds": seconds_},
            "setup": {"seeds": list(seeds), "seconds": seconds, "marks": list(marks), "n_samples": n_samples,
                      "ddim_steps": DDIM_STEPS, "models": list(models)}}


def load_rival(model: str, state: dict) -> nnx.Module:
    """A trained ``VAE`` (model ``"vae"``, for the race's "vae" and "vae64": the latent size is read from the
    weights) or ``Denoiser`` (``"diffusion"``) from the weights ``budget_run`` kept (``nnx.to_pure_dict`` form: nested
    dicts of arrays)."""
    if model not in ("vae", "diffusion"):
        raise ValueError("model must be 'vae' or 'diffusion' (the GAN loads with gan_utils.checkpoint), "
                         f"got {model!r}.")
    try:
        if model == "vae":     # the size of z from the weights: the encoder's last layer gives (mu, log sigma^2)
            net = VAE(latent_dim=int(np.shape(state["stats"]["kernel"])[-1]) // 2, rngs=nnx.Rngs(0))
        else:
            net = Denoiser(rngs=nnx.Rngs(0))
        current = nnx.state(net)
        nnx.replace_by_pure_dict(current, jax.tree_util.tree_map(jnp.asarray, state))
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise ValueError(f"state is not the weights of a {model} that budget_run keeps (its 'state', nested dicts of "
                         f"arrays): {type(e).__name__}: {e}") from e
    nnx.update(net, current)
    return net
