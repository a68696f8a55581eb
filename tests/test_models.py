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


def test_dcgan_generator_without_extra_keeps_its_layers_and_names():
    g = models.DCGANGenerator(rngs=nnx.Rngs(0))
    assert set(nnx.state(g, nnx.Param).to_pure_dict()) == {"fc", "bn0", "up1", "bn1", "up2"}
    a = models.DCGANGenerator(rngs=nnx.Rngs(3))
    b = models.DCGANGenerator(extra=0, rngs=nnx.Rngs(3))
    z = jax.random.normal(jax.random.key(1), (4, 64))
    np.testing.assert_array_equal(a(z), b(z))


@pytest.mark.parametrize("mode", models.UPSAMPLE_MODES)
def test_dcgan_generator_extra_stages_shapes_and_params(mode):
    g = models.DCGANGenerator(base=32, extra=2, upsample=mode, rngs=nnx.Rngs(0))
    x = g(jax.random.normal(jax.random.key(0), (3, 64)))
    assert x.shape == (3, 28, 28, 1) and float(jnp.abs(x).max()) <= 1.0
    assert len(g.extra_convs) == len(g.extra_bns) == 2 and g.bn2.num_features == 8
    if mode == "subpixel":
        # fc 64*7*7*32 + BN + up1 9*32*64+64 + BN 2*16 + up2 9*16*32+32 + BN 2*8 + 2 x (conv 9*8*8 + BN 2*8)
        # + out conv 9*8*1+1
        assert models.count_params(g) == (64 * 1568 + 2 * 1568 + 9 * 32 * 64 + 64 + 2 * 16 + 9 * 16 * 32 + 32
                                          + 2 * 8 + 2 * (9 * 8 * 8 + 2 * 8) + 9 * 8 + 1)
    with pytest.raises(ValueError, match="base must be at least 4"):
        models.DCGANGenerator(base=2, extra=1, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match="extra"):
        models.DCGANGenerator(extra=-1, rngs=nnx.Rngs(0))


def _bn_stats(g):
    return jax.tree_util.tree_leaves(nnx.state(g, nnx.BatchStat))


def test_recalibrate_batchnorm_averages_batch_statistics_and_ignores_old_values():
    g = models.DCGANGenerator(base=16, extra=1, rngs=nnx.Rngs(0))
    params = jax.tree_util.tree_leaves(nnx.state(g, nnx.Param))
    key = jax.random.key(5)
    models.recalibrate_batchnorm(g, key, n_batches=3, batch_size=32)
    first = _bn_stats(g)
    # bn0 normalises fc(z) directly: its statistics are the average over the 3 batches of mean / var of fc(z)
    zs = [jax.random.normal(k, (32, 64)) for k in jax.random.split(key, 3)]
    h = [g.fc(z) for z in zs]
    np.testing.assert_allclose(g.bn0.mean[...], np.mean([x.mean(0) for x in h], 0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(g.bn0.var[...], np.mean([x.var(0) for x in h], 0), rtol=1e-3, atol=1e-6)
    # old statistics (and momentum) do not matter; weights are untouched
    for bn in (g.bn0, g.bn1, g.bn2, g.extra_bns[0]):
        bn.mean[...] = bn.mean[...] + 100.0
        bn.var[...] = bn.var[...] * 7.0
    assert models.recalibrate_batchnorm(g, key, n_batches=3, batch_size=32) is g
    for a, b in zip(first, _bn_stats(g)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(params, jax.tree_util.tree_leaves(nnx.state(g, nnx.Param))):
        np.testing.assert_array_equal(a, b)
    assert g.bn0.momentum == 0.9 and g.bn0.use_running_average is False   # the generator's own settings stay
    mlp = models.MLPGenerator(rngs=nnx.Rngs(0))
    assert models.recalibrate_batchnorm(mlp, key) is mlp                   # no BatchNorm: nothing to do
