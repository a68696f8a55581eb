"""The class-conditional DCGAN: the models' shapes and errors, the training step on (images, labels), sampling by
label, the command line's --conditional and --label."""
import json
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from gan_utils import data, models, steps, train
from gan_utils.config import GANConfig, build_gan


def small(seed=0):
    return steps.GAN(models.ConditionalDCGANGenerator(latent_dim=8, base=16, rngs=nnx.Rngs(seed)),
                     models.ProjectionDiscriminator(base=8, rngs=nnx.Rngs(seed + 1)))


def test_shapes_and_the_projection_formula():
    g, d = small().generator, small().discriminator
    z, y = jnp.zeros((5, 8)), jnp.arange(5)
    x = g(z, y)
    assert x.shape == (5, 28, 28, 1) and float(jnp.max(jnp.abs(x))) <= 1
    h = d.body.features(x)
    expected = d.body.fc(h)[:, 0] + jnp.sum(d.embed.embedding[...][y] * h, axis=1)
    np.testing.assert_allclose(d(x, y), expected, rtol=1e-5, atol=1e-6)
    # the label changes the score only through the projection term
    other = (y + 1) % 10
    np.testing.assert_allclose(d(x, y) - d(x, other),
                               jnp.sum((d.embed.embedding[...][y] - d.embed.embedding[...][other]) * h, axis=1),
                               rtol=1e-4, atol=1e-5)


def test_conditional_batchnorm_starts_as_plain_batchnorm_and_depends_on_the_class():
    cbn = models.ConditionalBatchNorm(3, 4, rngs=nnx.Rngs(0))
    x = jax.random.normal(jax.random.key(0), (16, 3)) * 2 + 1
    y = jnp.arange(16) % 4
    out = cbn(x, y)
    np.testing.assert_allclose(out, (x - x.mean(0)) / jnp.sqrt(x.var(0) + 1e-5), rtol=1e-4, atol=1e-4)
    cbn.scale.embedding[...] = cbn.scale.embedding[...].at[2].set(3.0)
    out2 = cbn(x, y)
    np.testing.assert_allclose(out2[y == 2], 3 * out[y == 2], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out2[y != 2], out[y != 2], rtol=1e-5, atol=1e-5)


def test_bad_labels_get_clear_errors():
    g = small().generator
    with pytest.raises(ValueError, match="one class label per example"):
        g(jnp.zeros((3, 8)), jnp.arange(2))
    with pytest.raises(TypeError, match="integer class labels"):
        g(jnp.zeros((3, 8)), jnp.zeros(3))
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.9"):
        models.sample(g, jax.random.key(0), 3, labels=12)
    with pytest.raises(ValueError, match="not class-conditional"):
        models.sample(models.DCGANGenerator(base=8, rngs=nnx.Rngs(0)), jax.random.key(0), 3, labels=1)
    with pytest.raises(ValueError, match="pack=1"):
        GANConfig(conditional=True, pack=2)
    with pytest.raises(ValueError, match="needs dataset 'mnist'"):
        GANConfig(dataset="ring", conditional=True)


def test_sample_by_label():
    g = small().generator
    a = models.sample(g, jax.random.key(0), 4, labels=7)
    b = models.sample(g, jax.random.key(0), 4, labels=jnp.full(4, 7))
    c = models.sample(g, jax.random.key(0), 4, labels=3)
    np.testing.assert_array_equal(a, b)
    assert float(jnp.max(jnp.abs(a - c))) > 1e-4        # same z, another class: another image
    assert models.generator_inputs(g, jnp.zeros((12, 8)))[1].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_the_step_trains_on_image_label_pairs_and_fused_equals_single():
    x, y = data.load_mnist("train", n=512)
    pairs = (data.to_unit_range(x), y.astype(np.int32))
    batches = data.BatchSampler(pairs, 16, jax.random.key(1))
    xb, yb = batches.batch(0)
    assert xb.shape == (16, 28, 28, 1) and yb.shape == (16,) and yb.dtype == np.int32
    a, b = small(), small()
    ra = train.fit(a, batches, key=jax.random.key(2), steps=6, fuse=1, progress=False)
    rb = train.fit(b, batches, key=jax.random.key(2), steps=6, fuse=3, progress=False)
    for u, v in zip(jax.tree_util.tree_leaves(nnx.state(a, nnx.Param)),
                    jax.tree_util.tree_leaves(nnx.state(b, nnx.Param))):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)
    assert np.all(np.isfinite(ra.history["d_loss"])) and ra.history["step"] == list(range(6))
    assert rb.history["d_loss"] == pytest.approx(ra.history["d_loss"], rel=1e-5)
    # the discriminator's class vectors learned something (they are trained only through the labels)
    assert float(jnp.max(jnp.abs(a.discriminator.embed.embedding[...] -
                                 small().discriminator.embed.embedding[...]))) > 0


def test_penalties_and_k_disc_run_on_the_conditional_gan():
    x, y = data.load_mnist("train", n=256)
    batches = data.BatchSampler((data.to_unit_range(x), y.astype(np.int32)), 8, jax.random.key(1))
    for opts in (dict(penalty="r1"), dict(penalty="gp", discriminator_loss="wasserstein",
                                          generator_loss="wasserstein"), dict(k_disc=2)):
        r = train.fit(small(), batches, key=jax.random.key(0), steps=2, fuse=1, progress=False, **opts)
        assert np.all(np.isfinite(r.history["d_loss"])), opts


def test_build_gan_and_the_cli(tmp_path):
    gan = build_gan(GANConfig(conditional=True, ema=0.99))
    assert isinstance(gan.generator, models.ConditionalDCGANGenerator)
    assert isinstance(gan.discriminator, models.ProjectionDiscriminator)
    assert GANConfig.from_dict({"dataset": "mnist"}).conditional is False     # older configs: unconditional
    run = tmp_path / "run"
    cli = [sys.executable, "-m", "gan_utils"]
    out = subprocess.run(cli + ["train", "--conditional", "--steps", "4", "--batch-size", "16", "--g-base", "16",
                                "--d-base", "8", "--sample-every", "2", "--out", str(run), "--quiet"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads((run / "checkpoint" / "meta.json").read_text())["config"]["conditional"] is True
    out = subprocess.run(cli + ["sample", "--checkpoint", str(run), "--n", "20", "--label", "7",
                                "--out", str(tmp_path / "s7.npz")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    s = np.load(tmp_path / "s7.npz")
    assert s["samples"].shape == (20, 28, 28) and s["samples"].dtype == np.uint8 and set(s["labels"]) == {7}
    bad = subprocess.run(cli + ["sample", "--checkpoint", str(run), "--label", "12", "--out", str(tmp_path / "x.npz")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "--label must be a digit 0..9" in bad.stderr
