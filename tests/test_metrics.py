"""Tests of gan_utils.metrics: the Frechet distance against closed forms and scipy, the scores on known
inputs, toy mode coverage, the shipped classifier's accuracy, and the `evaluate` command line."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from gan_utils import data, metrics

MNIST_AVAILABLE = data.mnist_dir() is not None


def random_cov(rng, d, rank=None):
    a = rng.normal(size=(d, rank or d))
    return a @ a.T / (rank or d)


# --- matrix square root and Frechet distance --------------------------------------------------------------

def test_sqrtm_psd_squares_back():
    rng = np.random.default_rng(0)
    c = random_cov(rng, 20)
    s = metrics.sqrtm_psd(c)
    np.testing.assert_allclose(s @ s, c, atol=1e-10)
    np.testing.assert_allclose(s, s.T, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(s) >= -1e-12)


def test_frechet_closed_form_diagonal():
    # For diagonal covariances, tr sqrt(C1 C2) = sum sqrt(a_i b_i), so d^2 = |mu1-mu2|^2 + sum (sqrt a - sqrt b)^2.
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 9.0])
    mu1, mu2 = np.zeros(3), np.array([1.0, 2.0, 2.0])
    expected = 9.0 + (1 - 2) ** 2 + (2 - 1) ** 2 + 0.0
    assert metrics.frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, abs=1e-10)


def test_frechet_closed_form_rotated_commuting():
    # C1 = Q diag(a) Q^T and C2 = Q diag(b) Q^T commute; the distance is that of the diagonal case.
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    a, b = rng.uniform(0.1, 3, 6), rng.uniform(0.1, 3, 6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    got = metrics.frechet_distance(mu1, q @ np.diag(a) @ q.T, mu2, q @ np.diag(b) @ q.T)
    assert got == pytest.approx(expected, rel=1e-9)


def test_frechet_identical_is_zero_and_symmetric():
    rng = np.random.default_rng(2)
    c1, c2 = random_cov(rng, 10), random_cov(rng, 10)
    mu1, mu2 = rng.normal(size=10), rng.normal(size=10)
    assert metrics.frechet_distance(mu1, c1, mu1, c1) == pytest.approx(0.0, abs=1e-9)
    assert metrics.frechet_distance(mu1, c1, mu2, c2) == pytest.approx(metrics.frechet_distance(mu2, c2, mu1, c1),
                                                                       rel=1e-9)


def test_trace_sqrt_product_matches_scipy():
    scipy_linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(3)
    c1, c2 = random_cov(rng, 30), random_cov(rng, 30)
    ref = np.trace(scipy_linalg.sqrtm(c1 @ c2)).real
    assert metrics.trace_sqrt_product(c1, c2) == pytest.approx(ref, rel=1e-8)


def test_frechet_near_singular_is_finite_and_non_negative():
    # Rank-deficient covariances (fewer samples than dimensions, dead ReLU units): the product has
    # eigenvalues at 0 that rounding pushes slightly negative; a naive sqrtm returns complex numbers.
    rng = np.random.default_rng(4)
    d = 64
    for rank in (1, 5, 40):
        c1, c2 = random_cov(rng, d, rank), random_cov(rng, d, rank)
        c1[:, :3] = c1[:3, :] = 0.0  # three dead features
        for m1, m2 in ((c1, c2), (c1, c1), (c1 * 1e-12, c2)):
            v = metrics.frechet_distance(np.zeros(d), m1, np.zeros(d), m2)
            assert np.isfinite(v) and v >= 0.0
    x = rng.normal(size=(10, d))  # 10 samples in 64 dimensions: a singular covariance
    assert metrics.fid_from_features(x, x) == pytest.approx(0.0, abs=1e-8)


def test_fid_bad_input_names_the_problem():
    with pytest.raises(ValueError, match="square"):
        metrics.frechet_distance(np.zeros(2), np.zeros((2, 3)), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="N >= 2"):
        metrics.gaussian_stats(np.zeros((1, 4)))


def test_fid_of_gaussian_samples_approaches_closed_form():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(20000, 4))
    y = rng.normal(size=(20000, 4)) * 2.0 + 1.0
    # N(0, I) vs N(1, 4I) in 4-D: |mu|^2 = 4, trace term 4 * (1 - 2)^2 = 4.
    assert metrics.fid_from_features(x, y) == pytest.approx(8.0, rel=0.05)


# --- scores from probabilities --------------------------------------------------------------------------

def test_inception_score_extremes():
    confident_balanced = np.eye(10)[np.arange(1000) % 10]
    assert metrics.inception_score(confident_balanced) == pytest.approx(10.0, rel=1e-6)
    one_class = np.eye(10)[np.zeros(1000, int)]
    assert metrics.inception_score(one_class) == pytest.approx(1.0, rel=1e-6)
    uniform = np.full((1000, 10), 0.1)
    assert metrics.inception_score(uniform) == pytest.approx(1.0, rel=1e-6)


def test_class_histogram_and_reverse_kl():
    probs = np.eye(10)[np.array([0, 0, 1, 2, 9])]
    assert metrics.class_histogram(probs).tolist() == [2, 1, 1, 0, 0, 0, 0, 0, 0, 1]
    assert metrics.histogram_reverse_kl([5, 5], [1, 1]) == pytest.approx(0.0)
    assert metrics.histogram_reverse_kl([10, 0], [1, 1]) == pytest.approx(np.log(2))  # one of two modes
    assert metrics.histogram_reverse_kl([0, 0], [1, 1]) == np.inf


def test_precision_recall():
    rng = np.random.default_rng(6)
    real = rng.normal(size=(1000, 8))
    same = rng.normal(size=(1000, 8))
    p, r = metrics.precision_recall(real, same)
    assert p > 0.85 and r > 0.85
    shrunk = 0.05 * rng.normal(size=(1000, 8))  # good quality, no diversity
    p, r = metrics.precision_recall(real, shrunk)
    assert p > 0.95 and r < 0.1
    far = rng.normal(size=(1000, 8)) + 20.0  # neither
    assert metrics.precision_recall(real, far) == (0.0, 0.0)


# --- 2-D toy mode coverage --------------------------------------------------------------------------------

def test_toy_mode_metrics_on_true_and_collapsed_samples():
    import jax
    ring = data.ring()
    x = np.asarray(ring.sample(jax.random.key(0), 2500))
    m = metrics.toy_mode_metrics(x, ring)
    assert m["modes_covered"] == 8 and m["high_quality_fraction"] > 0.98 and m["reverse_kl"] < 0.01
    collapsed = ring.means[0] + 0.01 * np.random.default_rng(0).normal(size=(2500, 2))
    m = metrics.toy_mode_metrics(collapsed, ring)
    assert m["modes_covered"] == 1 and m["reverse_kl"] == pytest.approx(np.log(8), rel=1e-9)
    far = np.full((100, 2), 10.0)
    m = metrics.toy_mode_metrics(far, data.grid())
    assert m["modes_covered"] == 0 and m["high_quality_fraction"] == 0.0 and m["reverse_kl"] == np.inf


# --- the shipped classifier -------------------------------------------------------------------------------

def test_shipped_classifier_exists_and_is_small():
    meta = metrics.classifier_meta()
    assert meta["test_accuracy"] > 0.99
    size = sum(f.stat().st_size for f in metrics.CLASSIFIER_DIR.iterdir())
    assert size < 1_000_000


@pytest.mark.skipif(not MNIST_AVAILABLE, reason="MNIST not available offline (set GAN_UTILS_MNIST_DIR)")
def test_shipped_classifier_accuracy_above_99_percent():
    x, y = data.load_mnist("test")
    x, y = x[-2000:], y[-2000:]  # the harder half of the test set (written by different people)
    feats, probs = metrics.classifier_outputs(x)
    assert feats.shape == (2000, metrics.FEATURE_DIM) and feats.dtype == np.float64
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert np.mean(probs.argmax(1) == y) > 0.99


@pytest.mark.skipif(not MNIST_AVAILABLE, reason="MNIST not available offline (set GAN_UTILS_MNIST_DIR)")
def test_mnist_metrics_pass_the_sanity_checks():
    # Real against real is near the floor; noise is far worse; one digit only collapses coverage.
    test, _ = data.load_mnist("test", n=2000)
    train, labels = data.load_mnist("train", n=6000)
    ref = metrics.classifier_outputs(test)
    real = metrics.image_metrics(train[:2000], ref, pr_n=1000)
    noise = np.random.default_rng(0).integers(0, 256, size=(2000, 28, 28, 1), dtype=np.uint8)
    bad = metrics.image_metrics(noise, ref, pr_n=1000)
    ones = metrics.image_metrics(train[labels == 1][:500], ref, pr_n=500)
    assert real["digits_covered"] == 10 and real["inception_score"] > 9.0
    assert bad["fid"] > 20 * max(real["fid"], 1.0)
    assert ones["digits_covered"] <= 2 and ones["inception_score"] < 1.5 and ones["fid"] > 10 * real["fid"]
    assert real["precision"] > 0.5 and real["recall"] > 0.5 and ones["recall"] < 0.3


# --- loading image sets and the command line ----------------------------------------------------------------

def test_load_images_from_png_folder_idx_and_npz(tmp_path):
    import gzip
    import matplotlib.pyplot as plt
    from PIL import Image  # a dependency of matplotlib
    rng = np.random.default_rng(7)
    imgs = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    for i, im in enumerate(imgs):
        Image.fromarray(im).save(tmp_path / f"{i}.png")  # 8-bit grey PNGs: read back exactly
    np.testing.assert_array_equal(metrics.load_images(tmp_path)[..., 0], imgs)
    rgba = tmp_path / "rgba"
    rgba.mkdir()
    for i, im in enumerate(imgs):  # RGBA PNGs through a colour map: grey recovered to within 1 level
        plt.imsave(rgba / f"{i}.png", im, cmap="gray", vmin=0, vmax=255)
    assert np.abs(metrics.load_images(rgba)[..., 0].astype(int) - imgs).max() <= 1
    idx = tmp_path / "idx"
    idx.mkdir()
    header = bytes([0, 0, 8, 3]) + (3).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    (idx / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(header + imgs.tobytes()))
    np.testing.assert_array_equal(metrics.load_images(idx)[..., 0], imgs)
    (idx / "train-images-idx3-ubyte").write_bytes(header + imgs[::-1].tobytes())  # both splits: train is taken
    np.testing.assert_array_equal(metrics.load_images(idx)[..., 0], imgs[::-1])
    np.savez(tmp_path / "s.npz", samples=imgs)
    assert metrics.load_images(tmp_path / "s.npz").shape == (3, 28, 28, 1)
    with pytest.raises(FileNotFoundError, match="mnist-train"):
        metrics.load_images(tmp_path / "missing")


def run_cli(*args):
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    return subprocess.run([sys.executable, "-m", "gan_utils", "evaluate", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_cli_evaluate_toy_samples(tmp_path):
    import jax
    x = np.asarray(data.grid().sample(jax.random.key(1), 2500))
    np.savez(tmp_path / "grid.npz", samples=x)
    r = run_cli("--samples", str(tmp_path / "grid.npz"), "--dataset", "grid")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)["samples"]
    assert out["modes_covered"] == 25 and out["n_modes"] == 25 and out["high_quality_fraction"] > 0.98
    r = run_cli("--samples", str(tmp_path / "grid.npz"))
    assert r.returncode == 2 and "--dataset" in r.stderr


@pytest.mark.skipif(not MNIST_AVAILABLE, reason="MNIST not available offline (set GAN_UTILS_MNIST_DIR)")
def test_cli_evaluate_images_with_real_floor(tmp_path):
    x, _ = data.load_mnist("train", n=1000)
    np.savez(tmp_path / "s.npz", samples=x[:, :, :, 0])
    r = run_cli("--samples", str(tmp_path / "s.npz"), "--real", "mnist-train", "--pr-n", "500", "--compact")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    keys = {"n", "fid", "inception_score", "class_histogram", "digits_covered", "class_reverse_kl",
            "mean_confidence", "precision", "recall"}
    assert keys <= set(out["samples"]) and keys <= set(out["real"])
    assert out["samples"]["n"] == out["real"]["n"] == 1000 and out["reference"]["n"] == 10000
    assert out["samples"]["digits_covered"] == 10 and out["classifier"]["test_accuracy"] > 0.99
    assert out["real"]["fid"] < 3 * out["samples"]["fid"] + 1.0  # both are real: both near the floor


# --- careless inputs (issue 50) ----------------------------------------------------------------------------

def test_every_metric_refuses_nan_or_inf_through_one_check():
    rng = np.random.default_rng(0)
    f, g = rng.normal(size=(50, 4)), rng.normal(size=(50, 4))
    for bad in (np.nan, np.inf):
        fb = f.copy()
        fb[3, 1] = bad
        probs = rng.dirichlet(np.ones(10), 50)
        probs[0, 0] = bad
        for call in (lambda: metrics.gaussian_stats(fb), lambda: metrics.fid_from_features(fb, g),
                     lambda: metrics.fid_from_features(g, fb), lambda: metrics.precision_recall(g, fb),
                     lambda: metrics.nearest_distances(fb, g), lambda: metrics.nearest_distances(g, fb),
                     lambda: metrics.memorisation(fb, g, f), lambda: metrics.memorisation(f, g, fb),
                     lambda: metrics.memorisation(f, fb, g), lambda: metrics.inception_score(probs),
                     lambda: metrics.class_histogram(probs), lambda: metrics.toy_mode_metrics(fb[:, :2], data.ring()),
                     lambda: metrics.frechet_distance(fb[3], np.eye(4), f[0], np.eye(4)),
                     lambda: metrics.classifier_outputs(np.full((2, 28, 28, 1), bad, np.float32))):
            with pytest.raises(ValueError, match="NaN or Inf"):
                call()


def test_frechet_refuses_matrices_that_are_no_covariance():
    """A negative-definite "covariance" used to give a distance of 0.0: the clipping that absorbs rounding hid it."""
    with pytest.raises(ValueError, match="negative eigenvalue"):
        metrics.frechet_distance(np.zeros(2), -np.eye(2), np.zeros(2), -np.eye(2))
    with pytest.raises(ValueError, match="cov2 has a negative eigenvalue"):
        metrics.frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), -np.eye(2) * 5)
    with pytest.raises(ValueError, match="negative eigenvalue"):
        metrics.sqrtm_psd(-np.eye(3))
    with pytest.raises(ValueError, match="not symmetric"):
        metrics.frechet_distance(np.zeros(2), np.array([[1.0, 5.0], [0.0, 1.0]]), np.zeros(2), np.eye(2))


def test_empty_and_degenerate_inputs_get_an_error_that_names_them():
    rng = np.random.default_rng(1)
    f, empty = rng.normal(size=(20, 4)), np.zeros((0, 4))
    for call, match in ((lambda: metrics.nearest_distances(empty, f), "N >= 1"),
                        (lambda: metrics.nearest_distances(f, empty), "reference must have"),
                        (lambda: metrics.nearest_distances(f, f, chunk=0), "chunk"),
                        (lambda: metrics.memorisation(empty, f, f), "sample_features"),
                        (lambda: metrics.memorisation(f, f, empty), "test_features"),
                        (lambda: metrics.classifier_outputs(np.zeros((0, 28, 28, 1), np.float32)), "no images"),
                        (lambda: metrics.classifier_outputs(np.zeros((2, 1, 28, 28), np.float32)), "moveaxis"),
                        (lambda: metrics.classifier_outputs(np.zeros((2, 784), np.float32)), "reshape"),
                        (lambda: metrics.classifier_outputs(np.zeros((2, 28, 28), np.int64)), "uint8"),
                        (lambda: metrics.histogram_reverse_kl([1, 2], [0, 0]), "no counts"),
                        (lambda: metrics.class_histogram(np.array([0]), 0), "n_classes")):
        with pytest.raises((ValueError, TypeError), match=match):
            call()


def test_toy_mode_metrics_refuses_counts_and_radii_that_mean_nothing():
    import jax
    ring = data.ring()
    x = np.asarray(ring.sample(jax.random.key(0), 200))
    for kw, match in ((dict(min_count=0), "min_count"), (dict(min_count=1.5), "min_count"),
                      (dict(n_std=-1.0), "n_std"), (dict(n_std=float("nan")), "n_std")):
        with pytest.raises(ValueError, match=match):       # min_count=0 "covered" every mode with no samples
            metrics.toy_mode_metrics(x, ring, **kw)
    with pytest.raises(ValueError, match="no points"):
        metrics.toy_mode_metrics(x[:0], ring)
    with pytest.raises(TypeError, match="GaussianMixture"):
        metrics.toy_mode_metrics(x, "ring")
    assert metrics.toy_mode_metrics(jax.numpy.asarray(x), ring) == metrics.toy_mode_metrics(x.tolist(), ring)


def test_evaluate_takes_arrays_and_refuses_what_it_would_ignore(tmp_path):
    import jax
    x = np.asarray(data.ring().sample(jax.random.key(1), 300))
    want = metrics.evaluate(x, dataset="ring")
    assert metrics.evaluate(jax.numpy.asarray(x), dataset="ring") == want        # models.sample returns JAX arrays
    assert metrics.evaluate(x.tolist(), dataset="ring") == want
    np.savez(tmp_path / "none.npz", samples=np.zeros((0, 2), np.float32))
    with pytest.raises(ValueError, match="no points"):                          # it returned n = 0
        metrics.evaluate(tmp_path / "none.npz", dataset="ring")
    for kw in (dict(real="mnist-train"), dict(reference="mnist-test")):           # silently ignored before
        with pytest.raises(ValueError, match="images only"):
            metrics.evaluate(x, dataset="ring", **kw)
    for kw in (dict(n=2.5), dict(n=1), dict(pr_n=4.5)):
        with pytest.raises(ValueError, match="must be an integer"):
            metrics.evaluate(x, dataset="ring", **kw)
    with pytest.raises(TypeError, match="evaluate"):
        metrics.load_images(x)


def test_evaluate_refuses_labels_that_do_not_match_the_samples(tmp_path):
    """Labels longer than the samples were cut to fit without a word."""
    x = np.zeros((10, 28, 28), np.uint8)
    np.savez(tmp_path / "s.npz", samples=x, labels=np.arange(12) % 10)
    with pytest.raises(ValueError, match="one label per sample"):
        metrics.evaluate(tmp_path / "s.npz", n=5)
