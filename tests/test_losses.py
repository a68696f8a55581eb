import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gan_utils import losses, options

jax.config.update("jax_enable_x64", False)


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_against_numpy_reference():
    rng = np.random.default_rng(0)
    r, f = rng.normal(size=64) * 3, rng.normal(size=32) * 3
    Dr, Df = np_sigmoid(r.astype(np.float64)), np_sigmoid(f.astype(np.float64))
    ref_d = -np.mean(np.log(Dr)) - np.mean(np.log(1 - Df))
    np.testing.assert_allclose(losses.discriminator_loss(jnp.float32(r), jnp.float32(f)), ref_d, rtol=1e-5)
    np.testing.assert_allclose(losses.generator_loss_saturating(jnp.float32(f)), np.mean(np.log(1 - Df)), rtol=1e-5)
    np.testing.assert_allclose(losses.generator_loss_non_saturating(jnp.float32(f)), -np.mean(np.log(Df)), rtol=1e-5)
    np.testing.assert_allclose(losses.value_function(jnp.float32(r), jnp.float32(f)), -ref_d, rtol=1e-5)
    s = 0.1
    ref_s = -np.mean((1 - s) * np.log(Dr) + s * np.log(1 - Dr)) - np.mean(np.log(1 - Df))
    np.testing.assert_allclose(losses.discriminator_loss(jnp.float32(r), jnp.float32(f), label_smoothing=s),
                               ref_s, rtol=1e-5)


def test_equilibrium_values():
    zero = jnp.zeros(8)                                       # D = 1/2 everywhere
    assert np.isclose(losses.discriminator_loss(zero, zero), 2 * np.log(2))
    assert np.isclose(losses.value_function(zero, zero), -np.log(4))
    assert np.isclose(losses.generator_loss_non_saturating(zero), np.log(2))
    assert np.isclose(losses.generator_loss_saturating(zero), -np.log(2))


@pytest.mark.parametrize("fn", [lambda l: losses.discriminator_loss(l, l), losses.generator_loss_saturating,
                                losses.generator_loss_non_saturating, lambda l: losses.bce_with_logits(l, 0.3),
                                lambda l: losses.discriminator_loss_hinge(l, l), losses.generator_loss_hinge])
def test_finite_values_and_gradients_at_extreme_logits(fn):
    l = jnp.array([-1e4, -50.0, 0.0, 50.0, 1e4], jnp.float32)
    v, g = jax.value_and_grad(fn)(l)
    assert np.isfinite(v) and np.all(np.isfinite(g))
    naive = jnp.log(jax.nn.sigmoid(l))                       # the form the course warns against
    assert not np.all(np.isfinite(naive))


def test_gradients_match_finite_differences_and_closed_form():
    l = jnp.array([-3.0, -0.5, 0.2, 2.5], jnp.float32)
    n = l.size
    # d/dl of the saturating loss is -sigmoid(l)/n; of the non-saturating one, (sigmoid(l) - 1)/n.
    np.testing.assert_allclose(jax.grad(losses.generator_loss_saturating)(l), -jax.nn.sigmoid(l) / n, rtol=1e-5)
    np.testing.assert_allclose(jax.grad(losses.generator_loss_non_saturating)(l), (jax.nn.sigmoid(l) - 1) / n,
                               rtol=1e-5)
    for fn in (losses.generator_loss_saturating, losses.generator_loss_non_saturating,
               lambda x: losses.discriminator_loss(x, 0.5 * x)):
        g = jax.grad(fn)(l)
        eps = 1e-2
        fd = np.array([(fn(l.at[i].add(eps)) - fn(l.at[i].add(-eps))) / (2 * eps) for i in range(n)])
        np.testing.assert_allclose(g, fd, rtol=2e-2, atol=1e-4)


def test_saturating_gradient_vanishes_where_non_saturating_does_not():
    l = jnp.array([-8.0])                                      # D(G(z)) ~ 3e-4: the discriminator wins
    assert abs(float(jax.grad(losses.generator_loss_saturating)(l)[0])) < 1e-3
    assert abs(float(jax.grad(losses.generator_loss_non_saturating)(l)[0])) > 0.99


def test_bad_input_gives_clear_errors():
    with pytest.raises(TypeError, match="floating-point logits"):
        losses.generator_loss_non_saturating(jnp.array([1, 2]))
    with pytest.raises(ValueError, match="contains NaN"):
        losses.discriminator_loss(jnp.array([np.nan]), jnp.array([0.0]))
    with pytest.raises(ValueError, match="batch axis"):
        losses.generator_loss_saturating(jnp.float32(1.0))
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.discriminator_loss(jnp.zeros(2), jnp.zeros(2), label_smoothing=1.0)


def test_losses_module_imports_no_plotting():
    import subprocess
    import sys
    code = "import sys, gan_utils.losses; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_hinge_losses_against_hand_computed_values():
    r = jnp.array([2.0, 0.5, -1.0])       # relu(1 - r) = [0, 0.5, 2]    -> mean 2.5/3
    f = jnp.array([-2.0, 0.0, 0.5])       # relu(1 + f) = [0, 1, 1.5]    -> mean 2.5/3
    np.testing.assert_allclose(losses.discriminator_loss_hinge(r, f), 5 / 3, rtol=1e-6)
    np.testing.assert_allclose(losses.generator_loss_hinge(f), 0.5, rtol=1e-6)     # -mean(f) = 1.5/3
    # gradients: -1/N on real logits inside the margin (r < 1), 0 outside; +1/N on fakes with f > -1
    gr, gf = jax.grad(losses.discriminator_loss_hinge, argnums=(0, 1))(r, f)
    np.testing.assert_allclose(gr, [0, -1 / 3, -1 / 3], rtol=1e-6)
    np.testing.assert_allclose(gf, [0, 1 / 3, 1 / 3], rtol=1e-6)
    np.testing.assert_allclose(jax.grad(losses.generator_loss_hinge)(f), [-1 / 3] * 3, rtol=1e-6)
    zero = jnp.zeros(4)                    # l = 0 everywhere
    assert float(losses.discriminator_loss_hinge(zero, zero)) == 2.0 and float(losses.generator_loss_hinge(zero)) == 0.0


def test_loss_tables():
    assert losses.DISCRIMINATOR_LOSSES == {"bce": losses.discriminator_loss, "hinge": losses.discriminator_loss_hinge,
                                           "lsgan": losses.discriminator_loss_lsgan,
                                           "wasserstein": losses.critic_loss_wasserstein,
                                           "relativistic": losses.discriminator_loss_relativistic}
    assert tuple(losses.DISCRIMINATOR_LOSSES) == options.DISCRIMINATOR_LOSS_NAMES
    assert tuple(losses.GENERATOR_LOSSES) == options.GENERATOR_LOSS_NAMES
    assert set(losses.PAIRED_LOSSES) <= set(losses.GENERATOR_LOSSES)
    assert losses.GENERATOR_LOSSES["hinge"] is losses.generator_loss_hinge
    assert losses.GENERATOR_LOSSES["non_saturating"] is losses.generator_loss_non_saturating


def test_hinge_bad_input_gives_clear_errors():
    with pytest.raises(TypeError, match="floating-point logits"):
        losses.discriminator_loss_hinge(jnp.array([1, 2]), jnp.zeros(2))
    with pytest.raises(ValueError, match="fake_logits contains NaN"):
        losses.discriminator_loss_hinge(jnp.zeros(2), jnp.array([np.nan]))
    with pytest.raises(ValueError, match="batch axis"):
        losses.generator_loss_hinge(jnp.float32(1.0))
