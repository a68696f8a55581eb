import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from gan_utils import models


@pytest.mark.parametrize("mode", models.UPSAMPLE_MODES)
def test_dcgan_shapes_and_range(mode):
    g = models.DCGANGenerator(upsample=mode, rngs=nnx.Rngs(0))
    x = g(jax.random.normal(jax.random.key(0), (5, 64)))
    assert x.shape == (5, 28, 28, 1)
    assert float(jnp.abs(x).max()) <= 1.0
    d = models.DCGANDiscriminator(rngs=nnx.Rngs(1))
    assert d(x).shape == (5,)
    assert d.features(x).shape == (5, 7 * 7 * 128)


def test_parameter_counts():
    # Linear 64*6272 (no bias) + BN 2*6272 + conv 3*3*128*256+256 + BN 2*64 + conv 3*3*64*4+4
    assert models.count_params(models.DCGANGenerator(rngs=nnx.Rngs(0))) == \
        64 * 6272 + 2 * 6272 + 9 * 128 * 256 + 256 + 2 * 64 + 9 * 64 * 4 + 4
    assert models.count_params(models.DCGANDiscriminator(rngs=nnx.Rngs(0))) == \
        16 * 64 + 64 + 16 * 64 * 128 + 128 + 6272 + 1
    assert models.count_params(models.MLPGenerator(rngs=nnx.Rngs(0))) == 2 * 128 + 128 + 128 * 128 + 128 + 128 * 2 + 2


def test_depth_to_space_is_the_inverse_of_space_to_depth_and_places_subpixels():
    x = jnp.arange(2 * 3 * 3 * 8, dtype=jnp.float32).reshape(2, 3, 3, 8)
    y = models.depth_to_space(x)
    assert y.shape == (2, 6, 6, 2)
    np.testing.assert_array_equal(models.space_to_depth(y), x)
    # channel block (i, j) of input pixel (0, 0) lands on output pixel (i, j)
    np.testing.assert_array_equal(y[0, 0, 1], x[0, 0, 0, 2:4])
    np.testing.assert_array_equal(y[0, 1, 0], x[0, 0, 0, 4:6])
    with pytest.raises(ValueError, match="divisible"):
        models.depth_to_space(jnp.zeros((1, 2, 2, 3)))


def test_mlp_shapes():
    g = models.MLPGenerator(latent_dim=3, out_dim=2, hidden=(16,), rngs=nnx.Rngs(0))
    d = models.MLPDiscriminator(in_dim=2, hidden=(16, 16), rngs=nnx.Rngs(0))
    assert d(g(jnp.zeros((7, 3)))).shape == (7,)


def test_same_seed_same_model_and_samples():
    a = models.DCGANGenerator(rngs=nnx.Rngs(3))
    b = models.DCGANGenerator(rngs=nnx.Rngs(3))
    z = jax.random.normal(jax.random.key(1), (4, 64))
    np.testing.assert_array_equal(a(z), b(z))
    c = models.DCGANGenerator(rngs=nnx.Rngs(4))
    assert not np.allclose(a(z), c(z))


def test_bad_input_errors_name_the_fix():
    d = models.DCGANDiscriminator(rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match=r"x\[\.\.\., None\]"):
        d(jnp.zeros((2, 28, 28)))
    with pytest.raises(TypeError, match="to_unit_range"):
        d(jnp.zeros((2, 28, 28, 1), jnp.uint8))
    with pytest.raises(ValueError, match=r"\(N, 64\)"):
        models.DCGANGenerator(rngs=nnx.Rngs(0))(jnp.zeros((2, 100)))
    with pytest.raises(ValueError, match="unknown upsample mode"):
        models.Upsample(4, 4, mode="bilinear", rngs=nnx.Rngs(0))
