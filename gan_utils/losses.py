"""GAN losses, all computed from discriminator *logits* and numerically stable.

Notation: ``D(x) = sigmoid(l(x))`` where ``l`` is the discriminator's logit. We never take the log
of ``sigmoid(l)``: for ``l = -1e4`` the sigmoid underflows to 0 and the log returns -inf. Instead we use
the identities

    log D(x)       = log_sigmoid(l)  = -softplus(-l)
    log(1 - D(x))  = log_sigmoid(-l) = -softplus(l)

which are finite (and have finite gradients) for every finite logit, +-1e4 included.
Each loss is a mean over the batch and returns a float32 scalar.

The relativistic pairing loss (Jolicoeur-Martineau, 2019; R3GAN: Huang et al., 2024) pairs each real sample with a
generated one and reads only the difference of their logits, ``sigmoid(l(x) - l(G(z)))``: the probability that the
real one of the pair is the more real; G's loss then needs D's logits on the real batch too (``PAIRED_LOSSES``).

The least-squares (Mao et al., 2017) and Wasserstein (Arjovsky et al., 2017) losses read the discriminator's raw
output as a score, not through a sigmoid (a WGAN's discriminator is called the *critic*). Their stabilisers are
pure functions of a critic function ``critic(x) -> (N,)`` scores: the gradient penalties ``r1_penalty``,
``r2_penalty`` (Mescheder et al., 2018) and ``gradient_penalty`` (Gulrajani et al., 2017), and the original WGAN's
``clip_weights``; ``PENALTIES`` lists them with their default weights.
"""
from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from . import checks, options

__all__ = ["bce_with_logits", "discriminator_loss", "generator_loss_saturating",
           "generator_loss_non_saturating", "value_function", "discriminator_loss_hinge", "generator_loss_hinge",
           "discriminator_loss_lsgan", "generator_loss_lsgan", "critic_loss_wasserstein",
           "generator_loss_wasserstein", "generator_loss_none", "discriminator_loss_relativistic",
           "generator_loss_relativistic", "r1_penalty", "r2_penalty", "gradient_penalty",
           "clip_weights", "GENERATOR_LOSSES", "DISCRIMINATOR_LOSSES", "PAIRED_LOSSES", "PENALTIES"]


def _check(logits, name: str) -> jnp.ndarray:
    """Rejects integer or complex input, and NaN when the values are concrete (outside jit)."""
    logits = jnp.asarray(logits)
    if not jnp.issubdtype(logits.dtype, jnp.floating):
        raise TypeError(f"{name} must be floating-point logits, got dtype {logits.dtype}. "
                        f"Pass the discriminator's raw output (before any sigmoid), e.g. d(x).astype(jnp.float32).")
    if logits.ndim == 0:
        raise ValueError(f"{name} must have a batch axis, e.g. shape (N,), got a scalar.")
    if not isinstance(logits, jax.core.Tracer) and bool(jnp.any(jnp.isnan(logits))):
        raise ValueError(f"{name} contains NaN; the discriminator has diverged or its input had NaN. "
                         "Lower the learning rate or check the data.")
    return logits


def bce_with_logits(logits: jax.Array, targets: float | jax.Array) -> jax.Array:
    """Mean binary cross-entropy of ``sigmoid(logits)`` against ``targets`` in [0, 1].

    .. math:: \\mathrm{BCE} = -\\frac1N\\sum_i \\big[t_i \\log\\sigma(l_i) + (1-t_i)\\log(1-\\sigma(l_i))\\big]
              = \\frac1N\\sum_i \\big[t_i\\,\\mathrm{softplus}(-l_i) + (1-t_i)\\,\\mathrm{softplus}(l_i)\\big]

    Args:
      logits: (N,) float logits.
      targets: scalar or (N,) targets in [0, 1].
    Returns:
      scalar mean loss.
    """
    logits = _check(logits, "logits")
    if not isinstance(targets, jax.core.Tracer):
        t = np.asarray(targets, np.float64)
        if t.size and not (np.all(np.isfinite(t)) and t.min() >= 0 and t.max() <= 1):
            raise ValueError(f"targets must lie in [0, 1] (1: real, 0: fake; 0.9 with label smoothing), got "
                             f"[{t.min():g}, {t.max():g}].")
    t = jnp.asarray(targets, logits.dtype)
    return jnp.mean(t * jax.nn.softplus(-logits) + (1 - t) * jax.nn.softplus(logits))


def discriminator_loss(real_logits: jax.Array, fake_logits: jax.Array, *, label_smoothing: float = 0.0) -> jax.Array:
    """The discriminator's loss, the negated value function (cross-entropy of a real-vs-fake classifier).

    .. math:: L_D = -\\mathbb{E}_{x\\sim p}[\\log D(x)] - \\mathbb{E}_{z}[\\log(1 - D(G(z)))]

    With one-sided label smoothing ``s`` the real targets are ``1 - s`` instead of 1 (Salimans et al., 2016).
    At the equilibrium D = 1/2 everywhere, so L_D = 2 log 2 ~= 1.386.

    Args:
      real_logits: (N,) logits of D on real data.
      fake_logits: (M,) logits of D on generated data.
      label_smoothing: s in [0, 1); 0 is the plain GAN loss.
    Returns:
      scalar loss.
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}; 0.1 is a common choice.")
    return bce_with_logits(real_logits, 1.0 - label_smoothing) + bce_with_logits(fake_logits, 0.0)


def generator_loss_saturating(fake_logits: jax.Array) -> jax.Array:
    """The generator's loss in the original minimax game (it saturates when D rejects fakes confidently).

    .. math:: L_G^{\\text{sat}} = \\mathbb{E}_z[\\log(1 - D(G(z)))] = -\\mathbb{E}_z[\\mathrm{softplus}(l(G(z)))]

    Its gradient with respect to the logit is ``-sigmoid(l)``, which goes to 0 as D(G(z)) -> 0: early in
    training, when D wins easily, the generator stops learning. At the equilibrium it equals -log 2.

    Args:
      fake_logits: (N,) logits of D on generated data.
    Returns:
      scalar loss (minimised by the generator).
    """
    fake_logits = _check(fake_logits, "fake_logits")
    return -jnp.mean(jax.nn.softplus(fake_logits))


def generator_loss_non_saturating(fake_logits: jax.Array) -> jax.Array:
    """The non-saturating generator loss of Goodfellow et al. (2014), used in practice.

    .. math:: L_G^{\\text{ns}} = -\\mathbb{E}_z[\\log D(G(z))] = \\mathbb{E}_z[\\mathrm{softplus}(-l(G(z)))]

    Same fixed point as the saturating loss, but its gradient ``sigmoid(l) - 1`` is largest exactly when
    D(G(z)) is near 0. At the equilibrium it equals log 2 ~= 0.693.

    Args:
      fake_logits: (N,) logits of D on generated data.
    Returns:
      scalar loss (minimised by the generator).
    """
    return bce_with_logits(fake_logits, 1.0)


def value_function(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
    """The minimax value V(D, G), which D maximises and G minimises.

    .. math:: V(D, G) = \\mathbb{E}_{x\\sim p}[\\log D(x)] + \\mathbb{E}_z[\\log(1 - D(G(z)))]

    At the global optimum (q = p, D = 1/2) it equals -log 4 ~= -1.386.

    Args:
      real_logits: (N,) logits of D on real data.
      fake_logits: (M,) logits of D on generated data.
    Returns:
      scalar V.
    """
    return -discriminator_loss(real_logits, fake_logits)


def discriminator_loss_hinge(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
    """The discriminator's hinge loss (Lim & Ye, 2017; Miyato et al., 2018).

    .. math:: L_D^{\\text{hinge}} = \\mathbb{E}_{x\\sim p}[\\max(0, 1 - l(x))] + \\mathbb{E}_z[\\max(0, 1 + l(G(z)))]

    D is rewarded only until its logit is beyond the margin (l >= 1 on real data, l <= -1 on fakes): samples
    already classified with margin give no gradient. At l = 0 everywhere it equals 2; a perfect D reaches 0.

    Args:
      real_logits: (N,) logits of D on real data.
      fake_logits: (M,) logits of D on generated data.
    Returns:
      scalar loss.
    """
    real_logits = _check(real_logits, "real_logits")
    fake_logits = _check(fake_logits, "fake_logits")
    return jnp.mean(jax.nn.relu(1 - real_logits)) + jnp.mean(jax.nn.relu(1 + fake_logits))


def generator_loss_hinge(fake_logits: jax.Array) -> jax.Array:
    """The generator's loss paired with the hinge discriminator loss (Lim & Ye, 2017; Miyato et al., 2018).

    .. math:: L_G^{\\text{hinge}} = -\\mathbb{E}_z[l(G(z))]

    Its gradient with respect to each logit is the constant ``-1/N``: it never saturates. At l = 0 it equals 0.

    Args:
      fake_logits: (N,) logits of D on generated data.
    Returns:
      scalar loss (minimised by the generator).
    """
    fake_logits = _check(fake_logits, "fake_logits")
    return -jnp.mean(fake_logits)


def discriminator_loss_lsgan(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
    """The least-squares discriminator loss of LSGAN (Mao et al., 2017, with a = 0, b = c = 1).

    .. math:: L_D^{\\text{LS}} = \\tfrac12\\,\\mathbb{E}_{x\\sim p}[(l(x) - 1)^2] + \\tfrac12\\,\\mathbb{E}_z[l(G(z))^2]

    D regresses its raw output ``l`` (no sigmoid) to 1 on real data and to 0 on fakes. Unlike the cross-entropy,
    a fake far on the correct side of the boundary is still penalised, so its gradient does not vanish. At
    l = 0 everywhere it equals 0.5; a perfect D reaches 0.

    Args:
      real_logits: (N,) raw outputs of D on real data.
      fake_logits: (M,) raw outputs of D on generated data.
    Returns:
      scalar loss.
    """
    real_logits = _check(real_logits, "real_logits")
    fake_logits = _check(fake_logits, "fake_logits")
    return 0.5 * jnp.mean(jnp.square(real_logits - 1)) + 0.5 * jnp.mean(jnp.square(fake_logits))


def generator_loss_lsgan(fake_logits: jax.Array) -> jax.Array:
    """The least-squares generator loss of LSGAN (Mao et al., 2017, with c = 1).

    .. math:: L_G^{\\text{LS}} = \\tfrac12\\,\\mathbb{E}_z[(l(G(z)) - 1)^2]

    G pulls D's output on its samples towards the value D gives real data. Its gradient with respect to each
    output is ``(l - 1)/N``: largest for the fakes D rejects most. At l = 0 it equals 0.5.

    Args:
      fake_logits: (N,) raw outputs of D on generated data.
    Returns:
      scalar loss (minimised by the generator).
    """
    fake_logits = _check(fake_logits, "fake_logits")
    return 0.5 * jnp.mean(jnp.square(fake_logits - 1))


def critic_loss_wasserstein(real_scores: jax.Array, fake_scores: jax.Array) -> jax.Array:
    """The critic's loss of the Wasserstein GAN (Arjovsky et al., 2017, Alg. 1), to be minimised.

    .. math:: L_f^{\\text{W}} = \\mathbb{E}_z[f(G(z))] - \\mathbb{E}_{x\\sim p}[f(x)]

    For a 1-Lipschitz critic ``f``, ``-min L_f`` is the Wasserstein-1 distance between the data and the generator
    (Kantorovich-Rubinstein duality). Without a Lipschitz constraint (``clip_weights``, ``gradient_penalty`` or
    spectral normalisation) the scores grow without bound. Its gradient is the constant ``+-1/N``.

    Args:
      real_scores: (N,) raw outputs of the critic on real data.
      fake_scores: (M,) raw outputs of the critic on generated data.
    Returns:
      scalar loss.
    """
    real_scores = _check(real_scores, "real_scores")
    fake_scores = _check(fake_scores, "fake_scores")
    return jnp.mean(fake_scores) - jnp.mean(real_scores)


def generator_loss_wasserstein(fake_scores: jax.Array) -> jax.Array:
    """The generator's loss of the Wasserstein GAN (Arjovsky et al., 2017, Alg. 1).

    .. math:: L_G^{\\text{W}} = -\\mathbb{E}_z[f(G(z))]

    The same formula as ``generator_loss_hinge``: G raises the critic's score of its samples. At f = 0 it equals 0.

    Args:
      fake_scores: (N,) raw outputs of the critic on generated data.
    Returns:
      scalar loss (minimised by the generator).
    """
    fake_scores = _check(fake_scores, "fake_scores")
    return -jnp.mean(fake_scores)


def _paired(real_logits, fake_logits) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Checks the two logit batches of a paired loss: finite floats of one shape (pair i is real i with fake i)."""
    real_logits = _check(real_logits, "real_logits")
    fake_logits = _check(fake_logits, "fake_logits")
    if real_logits.shape != fake_logits.shape:
        raise ValueError(f"the relativistic loss pairs real sample i with generated sample i, so the two batches must "
                         f"have one shape; got real {real_logits.shape} and fake {fake_logits.shape}. Draw as many "
                         f"fakes as the real batch holds.")
    return real_logits, fake_logits


def discriminator_loss_relativistic(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
    """The discriminator's relativistic pairing loss (RpGAN: Jolicoeur-Martineau, 2019; R3GAN: Huang et al., 2024).

    .. math:: L_D^{\\text{Rp}} = \\mathbb{E}_{x\\sim p,\\,z}\\big[\\mathrm{softplus}\\big(l(G(z)) - l(x)\\big)\\big]
              = -\\mathbb{E}\\big[\\log\\sigma\\big(l(x) - l(G(z))\\big)\\big]

    The cross-entropy of one question about each pair (real i, fake i): "is the real one more real than the fake
    one?". Only differences of logits count, so adding a constant to every logit changes nothing. At l(x) = l(G(z))
    it equals log 2 ~= 0.693.

    Args:
      real_logits: (N,) logits of D on real data.
      fake_logits: (N,) logits of D on generated data, paired with ``real_logits`` row by row.
    Returns:
      scalar loss.
    """
    real_logits, fake_logits = _paired(real_logits, fake_logits)
    return jnp.mean(jax.nn.softplus(fake_logits - real_logits))


def generator_loss_relativistic(fake_logits: jax.Array, real_logits: jax.Array) -> jax.Array:
    """The generator's relativistic pairing loss: the discriminator's with the roles swapped (R3GAN's G loss).

    .. math:: L_G^{\\text{Rp}} = \\mathbb{E}_{x\\sim p,\\,z}\\big[\\mathrm{softplus}\\big(l(x) - l(G(z))\\big)\\big]

    G wants each of its samples to look more real than the real sample it is paired with. The real logits enter as
    data: G's gradient flows through ``fake_logits`` only. At l(x) = l(G(z)) it equals log 2 ~= 0.693.

    Args:
      fake_logits: (N,) logits of D on generated data.
      real_logits: (N,) logits of D on the real batch it is paired with.
    Returns:
      scalar loss (minimised by the generator).
    """
    real_logits, fake_logits = _paired(real_logits, fake_logits)
    return jnp.mean(jax.nn.softplus(real_logits - fake_logits))


# Penalties. Each takes the critic as a plain function x (N, ...) -> scores (N,); pass a module's forward pass as
# e.g. ``lambda x: nnx.merge(graphdef, state)(x)`` so that the penalty is differentiable in ``state``'s parameters.

def _check_weight(name: str, value):
    """A penalty's weight: a finite number >= 0 when it is concrete (a traced value inside jit is the step's own)."""
    if isinstance(value, jax.core.Tracer):
        return value
    return checks.number(name, value, low=0)


def _check_batch(x, name: str) -> jnp.ndarray:
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise TypeError(f"{name} must be a floating-point batch, got dtype {x.dtype}; the gradient with respect to "
                        "integers is undefined. Scale the data first, e.g. gan_utils.data.to_unit_range.")
    if x.ndim < 2:
        raise ValueError(f"{name} must be a batch of shape (N, ...), got shape {x.shape}; add the batch axis, "
                         f"e.g. {name}[None].")
    return x


def _input_gradients(critic: Callable[[jax.Array], jax.Array], x: jax.Array) -> jax.Array:
    """Each example's gradient of the critic's score with respect to that example, (N, ...) like ``x``: the
    gradient of ``sum(critic(x))`` (the row-wise trick; see ``r1_penalty``)."""
    def total(x):
        scores = critic(x)
        if scores.shape != x.shape[:1]:
            raise ValueError(f"the critic must return one score per example, shape ({x.shape[0]},), got "
                             f"{scores.shape}; index the logit, e.g. lambda x: D(x)[:, 0].")
        return jnp.sum(scores)
    return jax.grad(total)(x)


def _squared_norms(grads: jax.Array) -> jax.Array:
    """(N, ...) per-example gradients -> (N,) squared Euclidean norms ``||g_i||^2``."""
    return jnp.sum(jnp.square(grads).reshape(grads.shape[0], -1), axis=1)


def _r1_from_gradients(grads: jax.Array, gamma: float) -> jax.Array:
    """``gamma/2 * mean_i ||g_i||^2`` from per-example input gradients (N, ...); see ``r1_penalty``."""
    return 0.5 * gamma * jnp.mean(_squared_norms(grads))


def _gp_from_gradients(grads: jax.Array, weight: float) -> jax.Array:
    """``weight * mean_i (||g_i||_2 - 1)^2`` from per-example input gradients (N, ...); see ``gradient_penalty``.

    The norm is written so that its gradient stays finite where a gradient is exactly zero (``sqrt`` at 0 has an
    infinite derivative, which double backpropagation would turn into NaN).
    """
    sq = _squared_norms(grads)
    safe = jnp.where(sq > 0, sq, 1.0)
    norm = jnp.where(sq > 0, jnp.sqrt(safe), 0.0)
    return weight * jnp.mean(jnp.square(norm - 1))


def r1_penalty(critic: Callable[[jax.Array], jax.Array], real: jax.Array, gamma: float = 10.0) -> jax.Array:
    """The R1 gradient penalty on real data (Mescheder et al., 2018), added to the critic's loss.

    .. math:: R_1 = \\frac{\\gamma}{2}\\,\\mathbb{E}_{x\\sim p}\\big[\\|\\nabla_x f(x)\\|^2\\big]

    It pushes the critic's gradient at the data to zero, so that D cannot keep pushing G past the data: with it
    the GAN dynamics converge locally where plain GANs and WGAN-GP oscillate (Mescheder et al., 2018, Secs. 3-4).
    All the per-example gradients come from one backward pass: the gradient of ``sum_i f(x_i)`` with respect to
    the batch is, row by row, ``grad f(x_i)``, valid because examples do not interact in the critic. A layer that
    mixes examples (minibatch standard deviation, or BatchNorm in training mode) breaks it: row i then also holds
    x_i's influence on the other examples' scores (the official StyleGAN2-ADA code computes its R1 this way all
    the same, with its minibatch-std layer on). PacGAN's packs do not break it: a pack is then the example. The
    penalty is differentiable with respect to the critic's parameters (double backpropagation), so minimising it
    changes the critic.

    Args:
      critic: x (N, ...) -> scores (N,); a plain function, e.g. ``lambda x: nnx.merge(graphdef, state)(x)``.
      real: (N, ...) real data.
      gamma: the penalty's weight; 10 is Mescheder et al.'s value for their image experiments.
    Returns:
      scalar penalty.
    """
    gamma = _check_weight("gamma", gamma)
    return _r1_from_gradients(_input_gradients(critic, _check_batch(real, "real")), gamma)


def r2_penalty(critic: Callable[[jax.Array], jax.Array], fake: jax.Array, gamma: float = 10.0) -> jax.Array:
    """The R2 gradient penalty on generated data (Mescheder et al., 2018): R1's formula at the fakes.

    .. math:: R_2 = \\frac{\\gamma}{2}\\,\\mathbb{E}_z\\big[\\|\\nabla_x f(x)\\|^2_{x = G(z)}\\big]

    Pass the fakes without a path to the generator (``jax.lax.stop_gradient``): the penalty trains the critic.

    Args:
      critic: x (N, ...) -> scores (N,), as for ``r1_penalty``.
      fake: (N, ...) generated data.
      gamma: the penalty's weight (10, as R1's).
    Returns:
      scalar penalty.
    """
    gamma = _check_weight("gamma", gamma)
    return _r1_from_gradients(_input_gradients(critic, _check_batch(fake, "fake")), gamma)


def gradient_penalty(critic: Callable[[jax.Array], jax.Array], real: jax.Array, fake: jax.Array, key: jax.Array,
                     weight: float = 10.0) -> jax.Array:
    """The gradient penalty of WGAN-GP (Gulrajani et al., 2017, eq. 3): the critic's gradient norm pulled to 1.

    .. math:: GP = \\lambda\\,\\mathbb{E}_{\\hat x}\\big[(\\|\\nabla_{\\hat x} f(\\hat x)\\|_2 - 1)^2\\big],\\quad
              \\hat x = \\epsilon x + (1 - \\epsilon)\\,\\tilde x,\\ \\epsilon \\sim U[0, 1]

    with one ``epsilon`` per example, drawn with ``key``, on the line between real example ``x_i`` and fake
    ``x~_i``. It is a soft 1-Lipschitz constraint that replaces weight clipping. The per-example gradients come from
    one backward pass (the row-wise trick of ``r1_penalty``, with its caveat) and the penalty is differentiable in
    the critic's parameters.

    Args:
      critic: x (N, ...) -> scores (N,), as for ``r1_penalty``.
      real: (N, ...) real data.
      fake: (N, ...) generated data, the same shape (pass it through ``jax.lax.stop_gradient``).
      key: PRNG key of the interpolation coefficients.
      weight: lambda; 10 is the value Gulrajani et al. use in all their experiments.
    Returns:
      scalar penalty.
    """
    real, fake = _check_batch(real, "real"), _check_batch(fake, "fake")
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must have the same shape to interpolate between them, got {real.shape} and "
                         f"{fake.shape}; draw as many fakes as real examples.")
    eps = jax.random.uniform(key, (real.shape[0],) + (1,) * (real.ndim - 1), real.dtype)
    x_hat = eps * real + (1 - eps) * fake
    return _gp_from_gradients(_input_gradients(critic, x_hat), _check_weight("weight", weight))


def clip_weights(tree: Any, c: float = 0.01) -> Any:
    """The original WGAN's Lipschitz constraint: every parameter clipped to [-c, c] (Arjovsky et al., 2017, Alg. 1).

    Applied to the critic's parameters after each of its updates. Arjovsky et al. use c = 0.01 with RMSProp at a
    learning rate of 5e-5, and note that clipping is "a clearly terrible way to enforce a Lipschitz constraint":
    too small a c makes the gradients vanish, too large a c makes the critic slow to train.

    Args:
      tree: a pytree of arrays, e.g. ``nnx.state(critic, nnx.Param)``; non-floating leaves are returned as they are.
      c: the clipping bound, positive.
    Returns:
      the same tree with every floating-point leaf clipped to [-c, c].
    """
    c = checks.number("the clipping bound c", c, low=0, low_open=True, fix="Arjovsky et al. (2017) use 0.01")
    return jax.tree_util.tree_map(
        lambda x: jnp.clip(x, -c, c) if jnp.issubdtype(jnp.asarray(x).dtype, jnp.floating) else x, tree)


def generator_loss_none(fake_logits: jax.Array) -> jax.Array:
    """No adversarial term: ``0``, whatever D says. pix2pix's L1-only baseline (Isola et al., 2017, Table 1) trains
    the generator on ``l1_weight``'s reconstruction term alone (``steps.make_train_step``).

    Args:
      fake_logits: D's logits on generated samples (unused).
    Returns:
      the scalar 0.0.
    """
    return 0.0 * jnp.mean(fake_logits)


GENERATOR_LOSSES = {"non_saturating": generator_loss_non_saturating, "saturating": generator_loss_saturating,
                    "hinge": generator_loss_hinge, "lsgan": generator_loss_lsgan,
                    "wasserstein": generator_loss_wasserstein, "none": generator_loss_none,
                    "relativistic": generator_loss_relativistic}
# The generator losses that also read D's logits on the real batch: ``loss(fake_logits, real_logits)``
PAIRED_LOSSES = options.PAIRED_LOSSES
# "bce" is the cross-entropy of a real-vs-fake classifier (``discriminator_loss``; it takes label_smoothing=).
DISCRIMINATOR_LOSSES = {"bce": discriminator_loss, "hinge": discriminator_loss_hinge,
                        "lsgan": discriminator_loss_lsgan, "wasserstein": critic_loss_wasserstein,
                        "relativistic": discriminator_loss_relativistic}
# The stabilisers of D (steps.make_train_step's ``penalty=``), each with the default of its ``penalty_weight``: the
# one table, gan_utils.options (which has no JAX, so that the command line's --help reads it at once)
PENALTIES = options.PENALTIES
