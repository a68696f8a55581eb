"""Labels without labels: k-means, purity and NMI, the self-conditioned generator, re-clustering inside ``fit``,
and ``train --self-condition``."""
import json
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from gan_utils import checkpoint, clusters, data, models, train
from gan_utils.config import GANConfig, build_gan


def blobs(n_per=100, k=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, 5)) * 10
    x = np.concatenate([c + rng.normal(size=(n_per, 5)) for c in centres]).astype(np.float32)
    return x, np.repeat(np.arange(k), n_per)


def test_kmeans_finds_separated_blobs_and_keeps_a_given_start():
    x, y = blobs()
    c, a = clusters.kmeans(x, 3, jax.random.key(0))
    assert c.shape == (3, 5) and a.shape == (300,) and a.dtype == jnp.int32
    s = clusters.cluster_scores(a, y)
    assert s["purity"] == 1.0 and s["nmi"] == pytest.approx(1.0) and s["k_used"] == 3
    # started from the blobs' means in some order, the order is kept: cluster i stays cluster i
    order = np.array([2, 0, 1])
    c2, a2 = clusters.kmeans(x, 3, jax.random.key(9), init=np.stack([x[y == i].mean(0) for i in order]))
    np.testing.assert_array_equal(np.asarray(a2), np.argsort(order)[y])
    np.testing.assert_array_equal(np.asarray(clusters.assign(x, c2)), np.asarray(a2))
    with pytest.raises(ValueError, match="k must be an integer in 2..N"):
        clusters.kmeans(x, 1, jax.random.key(0))
    with pytest.raises(ValueError, match=r"init must have shape \(k, F\)"):
        clusters.kmeans(x, 3, jax.random.key(0), init=np.zeros((2, 5)))
    with pytest.raises(ValueError, match="2-D array"):
        clusters.kmeans(x[0], 3, jax.random.key(0))


def test_cluster_scores_against_hand_computed_values():
    y = np.array([0, 0, 1, 1])
    assert clusters.cluster_scores([5, 5, 7, 7], y)["nmi"] == pytest.approx(1.0)   # renamed classes: still 1
    s = clusters.cluster_scores([0, 1, 0, 1], y)                                   # independent of the classes
    assert s["nmi"] == pytest.approx(0.0, abs=1e-12) and s["purity"] == 0.5
    s = clusters.cluster_scores([0, 0, 0, 1], y)   # purity (2 + 1) / 4; I = H(Y) - H(Y|C) by hand
    h = lambda p: -sum(q * np.log(q) for q in p if q > 0)   # noqa: E731
    mi = h([.5, .5]) - 0.75 * h([2 / 3, 1 / 3])
    assert s["purity"] == 0.75 and s["nmi"] == pytest.approx(mi / np.sqrt(h([.75, .25]) * h([.5, .5])))
    with pytest.raises(ValueError, match="same N"):
        clusters.cluster_scores([0, 1], [0, 1, 1])


def test_the_self_conditioned_generator_draws_its_cluster_from_z():
    g = models.SelfConditionedGenerator(latent_dim=8, num_clusters=3, base=8, rngs=nnx.Rngs(0))
    g.prior[...] = jnp.array([0.2, 0.0, 0.8])
    z = jax.random.normal(jax.random.key(1), (20_000, 8))
    share = np.bincount(np.asarray(g.clusters_of(z)), minlength=3) / len(z)
    np.testing.assert_allclose(share, [0.2, 0.0, 0.8], atol=0.01)     # an empty cluster is never drawn
    assert models.takes_labels(g) and not models.takes_labels(models.DCGANGenerator(8, 8, rngs=nnx.Rngs(0)))
    x = models.sample(g, jax.random.key(2), 6)                          # no labels asked: sampled like any G
    assert x.shape == (6, 28, 28, 1)
    g.eval()
    zz = z[:4]
    np.testing.assert_allclose(g(zz), g(zz, g.clusters_of(zz)), atol=1e-6)
    assert not np.allclose(g(zz, jnp.zeros(4, jnp.int32)), g(zz, jnp.full(4, 2, jnp.int32)))
    with pytest.raises(ValueError, match="num_clusters must be an integer >= 2"):
        models.SelfConditionedGenerator(latent_dim=8, num_clusters=1, rngs=nnx.Rngs(0))


def test_config_checks_and_checkpoint_keep_the_prior(tmp_path):
    for bad in (dict(self_condition=1), dict(self_condition=5, conditional=True), dict(self_condition=5, pack=2),
                dict(dataset="ring", self_condition=5)):
        with pytest.raises(ValueError, match="self_condition"):
            GANConfig(**bad)
    assert GANConfig.from_dict({"dataset": "mnist"}).self_condition == 0   # older configs: off
    cfg = GANConfig(self_condition=4, g_base=8, d_base=4, ema=0.9)
    gan = build_gan(cfg)
    assert isinstance(gan.generator, models.SelfConditionedGenerator)
    assert gan.discriminator.num_classes == 4
    gan.generator.prior[...] = jnp.array([0.1, 0.2, 0.3, 0.4])
    checkpoint.save(tmp_path / "c", gan, step=3, key=jax.random.key(0), config=cfg)
    back = checkpoint.load_gan(tmp_path / "c")
    np.testing.assert_allclose(back.generator.prior[...], [0.1, 0.2, 0.3, 0.4])


def test_reclustering_inside_fit_changes_the_labels_and_the_prior():
    x, y = data.load_mnist("train", n=600)
    images = data.to_unit_range(x)
    labels = np.zeros(len(images), np.int32)
    gan = build_gan(GANConfig(self_condition=4, g_base=8, d_base=4, ema=0.9, batch_size=16))
    sc = clusters.SelfConditioning(images, labels, 4, jax.random.key(3), every=4, score_labels=y)
    first = sc.start(gan)
    assert len(set(labels.tolist())) > 1 and first["step"] == 0 and 0 < first["nmi"] <= 1
    np.testing.assert_allclose(gan.generator.prior[...], np.bincount(labels, minlength=4) / 600, atol=1e-6)
    batches = data.BatchSampler((images, labels), 16, jax.random.key(4))
    train.fit(gan, batches, key=jax.random.key(5), steps=8, fuse=1, callbacks=[sc], callback_every=4,
              progress=False)
    assert [e["step"] for e in sc.log] == [0, 4, 8]
    # what the last re-clustering set is what the trained GAN holds (fit goes on from the callbacks' GAN)
    np.testing.assert_allclose(gan.generator.prior[...], sc.log[-1]["shares"], atol=1e-5)
    np.testing.assert_allclose(gan.g_ema.prior[...], sc.log[-1]["shares"], atol=1e-5)
    with pytest.raises(ValueError, match="int32 numpy array"):
        clusters.SelfConditioning(images, labels.astype(np.int64), 4, jax.random.key(0))


def test_train_self_condition_on_the_command_line(tmp_path):
    run = tmp_path / "run"
    cli = [sys.executable, "-m", "gan_utils"]
    out = subprocess.run(cli + ["train", "--self-condition", "3", "--steps", "4", "--batch-size", "16", "--g-base",
                                "16", "--d-base", "8", "--sample-every", "2", "--out", str(run), "--quiet"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "purity" in out.stdout and "which training never sees" in out.stdout
    metrics = json.loads((run / "metrics.json").read_text())
    assert [e["step"] for e in metrics["clusters"]] == [0] and len(metrics["clusters"][0]["shares"]) == 3
    out = subprocess.run(cli + ["sample", "--checkpoint", str(run), "--n", "12", "--out", str(tmp_path / "s.npz")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert np.load(tmp_path / "s.npz")["samples"].shape == (12, 28, 28)


# --- careless inputs (issue 50) ----------------------------------------------------------------------------------

def test_kmeans_and_assign_refuse_nan_and_mismatched_centres():
    """k-means on NaN put every point in cluster 0."""
    x, _ = blobs()
    bad = x.copy()
    bad[4, 2] = np.nan
    for call in (lambda: clusters.kmeans(bad, 3, jax.random.key(0)), lambda: clusters.assign(bad, x[:3]),
                 lambda: clusters.assign(x, np.where(x[:3] > 0, np.inf, x[:3])),
                 lambda: clusters.kmeans(x, 3, jax.random.key(0), init=np.full((3, 5), np.nan))):
        with pytest.raises(ValueError, match="NaN or Inf"):
            call()
    with pytest.raises(ValueError, match="as many features"):
        clusters.assign(x, x[:3, :2])
    with pytest.raises(ValueError, match="iters"):
        clusters.kmeans(x, 3, jax.random.key(0), iters=-1)
    c, a = clusters.kmeans(x.tolist(), np.int64(3), jax.random.key(0))         # a list, a NumPy integer
    np.testing.assert_array_equal(a, clusters.kmeans(x, 3, jax.random.key(0))[1])


def test_cluster_scores_refuses_labels_that_are_not_class_numbers():
    """Float or negative labels scored a purity of 1.0."""
    for clusters_, labels in (([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1]), ([0, 1, 0, 1], [0.5, 1.5, 2.5, 3.5]),
                              ([0, 1, 0, 1], [-1, -2, -3, -4]), ([0, 1, 0, 1], [np.nan, 0, 1, 1]),
                              (np.zeros((2, 2), int), np.zeros((2, 2), int))):
        with pytest.raises(ValueError, match="integers|>= 0"):
            clusters.cluster_scores(clusters_, labels)
    assert clusters.cluster_scores([0, 1, 0, 1], [2.0, 3.0, 2.0, 3.0])["purity"] == 1.0   # whole floats are classes


def test_self_conditioning_refuses_a_k_it_cannot_use_when_built():
    """A k other than the GAN's gave a broadcasting error at start(); k = 1 or k > N waited until start()."""
    images = np.zeros((40, 28, 28, 1), np.float32)
    labels = np.zeros(40, np.int32)
    for k in (1, 41, 2.5):
        with pytest.raises(ValueError, match=r"k must be an integer in 2\.\.40"):
            clusters.SelfConditioning(images, labels, k, jax.random.key(0))
    with pytest.raises(ValueError, match="score_labels"):
        clusters.SelfConditioning(images, labels, 3, jax.random.key(0), score_labels=np.zeros(3))
    gan = build_gan(GANConfig(self_condition=4, g_base=8, d_base=4))
    with pytest.raises(ValueError, match="built for 4 clusters, this SelfConditioning makes 3"):
        clusters.SelfConditioning(images, labels, 3, jax.random.key(0)).start(gan)
    with pytest.raises(ValueError, match="N = 0"):
        clusters.discriminator_features(gan.discriminator, images[:0])
    with pytest.raises(ValueError, match="batch_size"):
        clusters.discriminator_features(gan.discriminator, images, batch_size=0)
