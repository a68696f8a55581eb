"""GAN losses, all computed from discriminator *logits* and numerically stable.

Notation: ``D(x) = sigmoid(l(x))`` where ``l`` is the discriminator's logit. We never take the log
of ``sigmoid(l)``: for ``l = -1e4`` the sigmoid underflows to 0 and the log returns -inf. Instead we use
the identities

    log D(x)       = log_sigmoid(l)  = -softplus(-l)
    log(1 - D(x))  = log_sigmoid(-l) = -softplus(l)

which are finite (and have finite gradients) for every finite logit, +-1e4 included.
Each loss is a mean over the batch and returns a float32 scalar.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

__all__ = ["bce_with_logits", "discriminator_loss", "generator_loss_saturating",
           "generator_loss_non_saturating", "value_function", "discriminator_loss_hinge", "generator_loss_hinge",
           "GENERATOR_LOSSES", "DISCRIMINATOR_LOSSES"]


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


GENERATOR_LOSSES = {"non_saturating": generator_loss_non_saturating, "saturating": generator_loss_saturating,
                    "hinge": generator_loss_hinge}
# "bce" is the cross-entropy of a real-vs-fake classifier (``discriminator_loss``; it takes label_smoothing=).
DISCRIMINATOR_LOSSES = {"bce": discriminator_loss, "hinge": discriminator_loss_hinge}
