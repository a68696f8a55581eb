"""The Dirac-GAN claims of benchmarks/relativistic_toy.py, checked with the package's own losses."""
import jax
import jax.numpy as jnp
import numpy as np

from relativistic_toy import dirac

from gan_utils import losses


def test_on_the_dirac_gan_the_relativistic_game_is_the_standard_game():
    """Real point 0, fake point theta, D's logit psi * x: both losses give D and G the same gradients everywhere."""
    for theta, psi in [(1.0, 1.0), (-0.7, 2.3), (3.0, -0.4)]:
        def d_losses(psi, theta):
            real, fake = jnp.array([psi * 0.0]), jnp.array([psi * theta])
            return losses.discriminator_loss(real, fake), losses.discriminator_loss_relativistic(real, fake)

        def g_losses(theta, psi):
            real, fake = jnp.array([psi * 0.0]), jnp.array([psi * theta])
            return losses.generator_loss_non_saturating(fake), losses.generator_loss_relativistic(fake, real)

        gd = [jax.grad(lambda p, i=i: d_losses(p, theta)[i])(psi) for i in (0, 1)]
        gg = [jax.grad(lambda t, i=i: g_losses(t, psi)[i])(theta) for i in (0, 1)]
        np.testing.assert_allclose(gd[0], gd[1], rtol=1e-6)
        np.testing.assert_allclose(gg[0], gg[1], rtol=1e-6)
        assert abs(float(gd[0])) > 1e-3 and abs(float(gg[0])) > 1e-3      # not equal because both vanish


def test_no_penalty_circles_and_any_penalty_converges():
    none, r1, r2, both = (dirac(p) for p in ("none", "r1", "r2", "r1+r2"))
    assert [e[0] for e in none["eigenvalues"]] == [0.0, 0.0]              # a centre: no pull toward (0, 0)
    assert none["distance"][5000] > 0.1                                   # still far after 5,000 steps
    for d in (r1, r2, both):
        assert all(e[0] < -0.1 for e in d["eigenvalues"])
        assert d["distance"][1000] < 1e-5
    assert r1 == r2                                                        # on this game R1 and R2 are one term
