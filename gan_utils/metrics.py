"""Measuring a GAN: MNIST-FID, an Inception-style score, class and mode coverage, precision and recall.

A GAN has no likelihood to report, so we judge its samples with a network trained for something else. The
Inception network of FID and the Inception Score was trained on colour photographs and needs a download;
for MNIST this package ships its own judge, ``MnistClassifier`` (a 5-layer CNN: three convolutions and two dense
layers, 0.13 M parameters, above 99% test accuracy), trained by ``scripts/train_classifier.py``. Rebuild the shipped
weights with::

    GAN_UTILS_MNIST_DIR=/path/to/mnist python scripts/train_classifier.py

which writes ``gan_utils/assets/mnist_classifier/`` (``state.msgpack`` + ``meta.json`` with the test
accuracy; msgpack stores data only, so loading it runs no code).

What is measured
  * MNIST-FID: the Frechet distance between Gaussians fitted to the classifier's 128 penultimate features
    of two image sets, in float64 (``frechet_distance``). Lower is better; real-against-real is the floor.
  * Inception-style score: ``exp E_x KL(p(y|x) || p(y))`` with the classifier's probabilities; 1 to 10.
  * Class histogram: how many samples the classifier puts in each digit, digits covered, and the reverse
    KL of that histogram from the reference's.
  * Precision and recall (Kynkaanniemi et al., 2019): the fraction of generated samples inside the k-NN
    balls of the real features, and of real samples inside those of the generated ones.
  * For the 2-D ring and grid (``toy_mode_metrics``): modes covered, the fraction of high-quality samples
    (within 3 standard deviations of the nearest mode) and the reverse KL of the mode histogram, as
    defined by VEEGAN (Srivastava et al., 2017) and PacGAN (Lin et al., 2018).

Command line: ``python -m gan_utils evaluate --samples samples.npz [--real mnist-train]`` prints JSON:

  ``{"samples": {...}, "real": {...} (only with --real), "reference": {...}, "classifier": {...}}``

  For images, ``samples`` and ``real`` hold
    n                  number of images scored
    fid                MNIST-FID against the reference set (lower is better; compare at equal n only)
    inception_score    Inception-style score with the shipped classifier (10 = ten confident, balanced digits)
    class_histogram    ten counts: images the classifier assigns to digits 0..9
    digits_covered     digits holding at least ``min_share`` (1%) of the images
    class_reverse_kl   KL(sample class histogram || reference class histogram), nats (0 = same balance)
    mean_confidence    mean of the classifier's top probability (low = ambiguous, digit-less images)
    precision, recall  Kynkaanniemi et al. (2019) with k = 3, on up to ``--pr-n`` images of each set
  ``reference`` holds ``source`` and ``n``; ``classifier`` the shipped classifier's ``test_accuracy``.
  Samples of a class-conditional generator (an .npz with ``labels``, from ``sample`` of a ``--conditional`` run)
  add ``conditional``: class_accuracy, per_class_accuracy, n_per_class and, against mnist-test, per_class_fid
  (``conditional_metrics``).
  For 2-D toy samples (``--dataset ring|grid``), ``samples`` holds n, dataset, n_modes, modes_covered,
  high_quality_fraction, reverse_kl (null when no sample is of high quality) and mode_histogram.
"""
from __future__ import annotations

import json
import math
import os
import warnings
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from . import checks, data
from .checkpoint import _json_safe   # the one cleaner of what is written as JSON (meta.json, metrics.json)

__all__ = ["CLASSIFIER_DIR", "MnistClassifier", "load_classifier", "classifier_meta", "classifier_outputs",
           "gaussian_stats", "sqrtm_psd", "trace_sqrt_product", "frechet_distance", "fid_from_features",
           "kid_from_features", "inception_score", "class_histogram", "histogram_reverse_kl", "precision_recall",
           "toy_mode_metrics",
           "image_metrics", "conditional_metrics", "nearest_distances", "memorisation", "copy_line", "load_images",
           "evaluate"]

CLASSIFIER_DIR = Path(__file__).parent / "assets" / "mnist_classifier"
FEATURE_DIM = 128


# ----------------------------------------------------------------------------------------------------------
# The judge: a small MNIST classifier
# ----------------------------------------------------------------------------------------------------------

class MnistClassifier(nnx.Module):
    """A small CNN for 28x28 digits: images (N, 28, 28, 1) in [-1, 1] -> logits (N, 10).

    Layers (no BatchNorm, so training and inference compute the same features):
      Conv 3x3 1 -> 32, ReLU, max-pool 2 (14x14)
      Conv 3x3 32 -> 64, ReLU, max-pool 2 (7x7)
      Conv 3x3 64 -> 64, ReLU, max-pool 2 (3x3)
      Linear 576 -> 128, ReLU                 <- ``features``: the 128 numbers MNIST-FID compares
      Dropout (training only), Linear 128 -> 10  <- logits; softmax gives p(y|x)

    Args:
      dropout: dropout rate before the last layer while training (eval mode disables it).
      rngs: the NNX random streams for initialisation and dropout.
    """

    def __init__(self, *, dropout: float = 0.3, rngs: nnx.Rngs):
        self.conv1 = nnx.Conv(1, 32, (3, 3), rngs=rngs)
        self.conv2 = nnx.Conv(32, 64, (3, 3), rngs=rngs)
        self.conv3 = nnx.Conv(64, 64, (3, 3), rngs=rngs)
        self.fc1 = nnx.Linear(3 * 3 * 64, FEATURE_DIM, rngs=rngs)
        self.drop = nnx.Dropout(dropout, rngs=rngs)
        self.fc2 = nnx.Linear(FEATURE_DIM, 10, rngs=rngs)

    def features(self, x: jax.Array) -> jax.Array:
        """Penultimate features (N, 128), the same in training and eval mode."""
        if x.ndim != 4 or tuple(x.shape[1:]) != (28, 28, 1):
            raise ValueError(f"MnistClassifier expects images of shape (N, 28, 28, 1), got {tuple(x.shape)}.")
        pool = lambda h: nnx.max_pool(h, (2, 2), strides=(2, 2))
        x = pool(nnx.relu(self.conv1(x)))
        x = pool(nnx.relu(self.conv2(x)))
        x = pool(nnx.relu(self.conv3(x)))
        return nnx.relu(self.fc1(x.reshape(x.shape[0], -1)))

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.fc2(self.drop(self.features(x)))


@lru_cache(maxsize=2)
def _load_classifier_cached(path: str) -> MnistClassifier:
    from . import checkpoint
    return checkpoint._load_judge(path, MnistClassifier(rngs=nnx.Rngs(0)), "Rebuild the classifier's weights with "
                                  "`python scripts/train_classifier.py` (from the repository root, "
                                  "with MNIST available).")


def load_classifier(path: str | os.PathLike = CLASSIFIER_DIR) -> MnistClassifier:
    """The shipped MNIST classifier (in eval mode), loaded once per process."""
    return _load_classifier_cached(str(Path(path).resolve()))


def classifier_meta(path: str | os.PathLike = CLASSIFIER_DIR) -> dict:
    """meta.json of the shipped classifier (test accuracy, training settings, the command that made it)."""
    return json.loads((Path(path) / "meta.json").read_text())


@jax.jit
def _forward(graphdef, state, x):
    model = nnx.merge(graphdef, state)
    h = model.features(x)
    return h, jax.nn.softmax(model.fc2(h), axis=-1)


def _as_model_input(images) -> np.ndarray:
    """uint8 (N, 28, 28[, 1]) in [0, 255], bool (black and white) or float (N, 28, 28[, 1]) in [-1, 1] -> float32
    (N, 28, 28, 1), N >= 1."""
    x = np.asarray(images)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[1:] != (28, 28, 1):
        fix = (" Channels first (NCHW)? Move them last: np.moveaxis(x, 1, -1)." if x.ndim == 4 and x.shape[1:] ==
               (1, 28, 28) else " Flat images? Reshape them: x.reshape(-1, 28, 28, 1)." if x.ndim == 2 and
               x.shape[1] == 784 else "")
        raise ValueError(f"expected MNIST-sized images of shape (N, 28, 28) or (N, 28, 28, 1), got {x.shape}.{fix}")
    if len(x) == 0:
        raise ValueError("no images to score (N = 0): pass at least one image.")
    if x.dtype in (np.uint8, bool):
        return data.to_unit_range(x)
    if np.issubdtype(x.dtype, np.integer):
        raise data._integer_pixels_error("the classifier", x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"images must be uint8 in [0, 255] or floats in [-1, 1], got dtype {x.dtype}.")
    return checks.unit_images(x, "float images", ndim=None).astype(np.float32)


def classifier_outputs(images, classifier: MnistClassifier | None = None,
                       batch_size: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Runs the classifier over images in batches.

    Args:
      images: uint8 (N, 28, 28[, 1]) in [0, 255] or float (N, 28, 28[, 1]) in [-1, 1].
      classifier: default: the shipped one (``load_classifier()``).
      batch_size: images per compiled call.
    Returns:
      ``(features, probs)``: float64 (N, 128) penultimate features and float64 (N, 10) class probabilities.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1 (images per compiled call), got {batch_size!r}.")
    x = _as_model_input(images)
    model = classifier or load_classifier()
    model.eval()
    graphdef, state = nnx.split(model)
    feats, probs = [], []
    for i in range(0, len(x), batch_size):
        chunk = x[i:i + batch_size]
        pad = batch_size - len(chunk) if len(x) > batch_size else 0  # one compiled shape for every batch
        h, p = _forward(graphdef, state, jnp.asarray(np.pad(chunk, ((0, pad), (0, 0), (0, 0), (0, 0)))))
        feats.append(np.asarray(h)[:len(chunk)])
        probs.append(np.asarray(p)[:len(chunk)])
    return np.concatenate(feats).astype(np.float64), np.concatenate(probs).astype(np.float64)


# ----------------------------------------------------------------------------------------------------------
# Frechet distance
# ----------------------------------------------------------------------------------------------------------

_NONFINITE = ": a diverged generator's images? The metrics need finite numbers (check the training losses)"


def _features(x, name: str = "features", min_rows: int = 1) -> np.ndarray:
    """The one check of a feature set that every metric goes through: ``x`` as float64 (N, D) with N >= ``min_rows``
    and no NaN or Inf (NumPy, JAX arrays and lists alike)."""
    f = np.asarray(x, np.float64)
    if f.ndim != 2 or len(f) < min_rows:
        raise ValueError(f"{name} must have shape (N, D) with N >= {min_rows}, got {f.shape}.")
    checks.finite(f, name, _NONFINITE)
    return f


def gaussian_stats(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean (D,) and unbiased covariance (D, D) of features (N, D), in float64."""
    f = _features(features, min_rows=2)
    return f.mean(0), np.cov(f, rowvar=False)


def _symmetric(a: np.ndarray, name: str) -> np.ndarray:
    a = np.asarray(a, np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {a.shape}.")
    checks.finite(a, name, _NONFINITE)
    if np.abs(a - a.T).max(initial=0.0) > 1e-6 * np.abs(a).max(initial=0.0):   # rounding leaves far less
        raise ValueError(f"{name} is not symmetric, so it is not a covariance matrix (np.cov(features, rowvar=False) "
                         "gives one).")
    return 0.5 * (a + a.T)


def _check_psd(w: np.ndarray, name: str) -> None:
    """A covariance's eigenvalues ``w`` are >= 0 up to rounding: a clearly negative one means it is no covariance (and
    the clipping that absorbs rounding would hide it, returning a distance of 0)."""
    if w.size and w.min() < -1e-8 * max(np.abs(w).max(), np.finfo(np.float64).tiny):
        raise ValueError(f"{name} has a negative eigenvalue ({w.min():.3g}), so it is not a covariance matrix "
                         "(covariances are positive semi-definite: np.cov(features, rowvar=False) gives one).")


def sqrtm_psd(a) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix, via ``a = V diag(w) V^T``.

    Returns ``V diag(sqrt(max(w, 0))) V^T``: real and symmetric by construction. Eigenvalues that rounding
    made slightly negative (a near-singular covariance) are set to 0 instead of becoming imaginary.
    """
    w, v = np.linalg.eigh(_symmetric(a, "a"))
    _check_psd(w, "a")
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def trace_sqrt_product(cov1, cov2) -> float:
    """``tr sqrt(cov1 cov2)`` for covariance matrices, computed stably and in real arithmetic.

    ``cov1 cov2`` is not symmetric, and a general matrix square root of it (``scipy.linalg.sqrtm``) goes
    through complex numbers and can return small imaginary parts or fail when the covariances are nearly
    singular. But ``cov1 cov2 = S (S cov2 S) S^-1`` with ``S = sqrt(cov1)``, so it has the same eigenvalues
    as the symmetric positive semi-definite ``M = S cov2 S`` (this holds for singular ``cov1`` too, since
    ``AB`` and ``BA`` share their eigenvalues). Hence ``tr sqrt(cov1 cov2) = sum_i sqrt(lambda_i(M))``, with
    ``M``'s eigenvalues from a symmetric eigensolver, clipped at 0.
    """
    s = sqrtm_psd(cov1)
    cov2 = _symmetric(cov2, "cov2")
    if cov2.shape != s.shape:
        raise ValueError(f"cov1 and cov2 must be covariances of the same features, got shapes {s.shape} and "
                         f"{cov2.shape}.")
    _check_psd(np.linalg.eigvalsh(cov2), "cov2")
    m = s @ cov2 @ s
    w = np.linalg.eigvalsh(0.5 * (m + m.T))
    return float(np.sum(np.sqrt(np.clip(w, 0.0, None))))


def frechet_distance(mu1, cov1, mu2, cov2) -> float:
    """Frechet (2-Wasserstein squared) distance between N(mu1, cov1) and N(mu2, cov2), in float64.

    ``d^2 = |mu1 - mu2|^2 + tr(cov1) + tr(cov2) - 2 tr sqrt(cov1 cov2)`` (Dowson and Landau, 1982), with the
    trace term from ``trace_sqrt_product``. Never negative (rounding below 0 is clipped).
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    cov1, cov2 = _symmetric(cov1, "cov1"), _symmetric(cov2, "cov2")
    if mu1.shape != mu2.shape or cov1.shape != cov2.shape or cov1.shape != mu1.shape * 2:
        raise ValueError(f"shapes do not fit: mu1 {mu1.shape}, cov1 {cov1.shape}, mu2 {mu2.shape}, cov2 {cov2.shape}.")
    checks.finite(mu1, "mu1", _NONFINITE)
    checks.finite(mu2, "mu2", _NONFINITE)
    _check_psd(np.linalg.eigvalsh(cov1), "cov1")
    d2 = float(np.sum((mu1 - mu2) ** 2) + np.trace(cov1) + np.trace(cov2) - 2 * trace_sqrt_product(cov1, cov2))
    return max(d2, 0.0)


def fid_from_features(features1, features2) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (N1, D) and (N2, D).

    Warns when a set has no more samples than dimensions: its covariance is then singular and the distance mostly
    measures the small sample (MNIST-FID needs a few thousand images; compare FIDs at equal n only).
    """
    f1, f2 = _features(features1, "features1", 2), _features(features2, "features2", 2)
    n, d = min(len(f1), len(f2)), f1.shape[-1]
    if 2 <= n <= d:
        warnings.warn(f"FID from {n} samples of {d}-dimensional features is dominated by the small sample (the "
                      f"covariance needs more than {d} samples); use at least {d + 1}, better 2,000 or more.",
                      stacklevel=2)
    return frechet_distance(*gaussian_stats(f1), *gaussian_stats(f2))


def _mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased squared MMD between feature sets x (m, D) and y (n, D) with KID's cubic polynomial kernel
    k(a, b) = (a . b / D + 1)^3: the mean of k over distinct pairs within x and within y, minus twice its mean
    across (the diagonal k(a, a) is left out, which removes the bias FID has at small N)."""
    d = x.shape[1]
    kxx, kyy, kxy = ((x @ x.T / d + 1) ** 3, (y @ y.T / d + 1) ** 3, (x @ y.T / d + 1) ** 3)
    m, n = len(x), len(y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2 * kxy.mean())


def kid_from_features(features1, features2, *, subsets: int = 100, subset_size: int | None = None,
                      seed: int = 0) -> tuple[float, float]:
    """Kernel Inception Distance (Binkowski et al., 2018) between two feature sets (N1, D) and (N2, D): the unbiased
    squared MMD with kernel k(a, b) = (a . b / D + 1)^3, averaged over ``subsets`` random subsets of ``subset_size``
    rows of each set (default: half the smaller set, at most 1,000), drawn without replacement by a NumPy generator
    seeded with ``seed``. Returns (mean, standard deviation over the subsets).

    Unlike FID, its expected value does not depend on N: two samples of one distribution score 0 on average (a
    single estimate may be negative), so KIDs from small sets can be compared; the spread says how far apart two
    KIDs must be before they differ.
    """
    f1, f2 = _features(features1, "features1", 2), _features(features2, "features2", 2)
    if f1.shape[1] != f2.shape[1]:
        raise ValueError(f"the feature sets have {f1.shape[1]} and {f2.shape[1]} dimensions: read both with one judge.")
    subsets = checks.count("subsets", subsets)
    largest = min(len(f1), len(f2))
    m = max(2, min(largest // 2, 1000)) if subset_size is None else checks.count("subset_size", subset_size, 2,
                                                                                     largest)
    rng = np.random.default_rng(checks.count("seed", seed, 0))
    values = [_mmd2_unbiased(f1[rng.choice(len(f1), m, replace=False)], f2[rng.choice(len(f2), m, replace=False)])
              for _ in range(subsets)]
    return float(np.mean(values)), float(np.std(values))


# ----------------------------------------------------------------------------------------------------------
# Scores from class probabilities
# ----------------------------------------------------------------------------------------------------------

def inception_score(probs) -> float:
    """``exp( E_x KL(p(y|x) || p(y)) )`` with ``p(y)`` the mean of ``p(y|x)`` (Salimans et al., 2016).

    Between 1 (every image gets the same prediction, or none is confident) and the number of classes (every
    image confidently one class, all classes equally often). Probs: (N, C), rows summing to 1.
    """
    p = np.asarray(probs, np.float64)
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"probs must have shape (N, classes) with N >= 1, got {p.shape}.")
    checks.finite(p, "probs", _NONFINITE)
    if not (np.all(np.isfinite(p)) and p.min() >= 0 and np.allclose(p.sum(1), 1.0, atol=1e-3)):
        # logits or scores give a number above the score's maximum (the number of classes), which means nothing
        raise ValueError("probs must be class probabilities: rows of non-negative numbers summing to 1 (e.g. "
                         f"jax.nn.softmax(logits)); got values in [{np.nanmin(p):.3g}, {np.nanmax(p):.3g}] with row "
                         f"sums up to {np.nanmax(np.abs(p.sum(1))):.3g}.")
    py = p.mean(0, keepdims=True)
    kl = np.sum(p * (np.log(np.clip(p, 1e-30, None)) - np.log(np.clip(py, 1e-30, None))), axis=1)
    return float(np.exp(kl.mean()))


def class_histogram(probs, n_classes: int = 10) -> np.ndarray:
    """Counts (n_classes,) of the predicted class (argmax) of probs (N, n_classes), or of integer labels (N,)."""
    checks.count("n_classes", n_classes)
    p = np.asarray(probs)
    if p.ndim == 2:
        checks.finite(p, "probs", _NONFINITE)
        if p.shape[1] != n_classes:
            raise ValueError(f"probs has {p.shape[1]} classes per row, n_classes is {n_classes}.")
        return np.bincount(p.argmax(1), minlength=n_classes)
    return np.bincount(_check_labels(p, n_classes), minlength=n_classes)


def _check_labels(labels, n_classes: int | None, name: str = "labels") -> np.ndarray:
    """Integer labels (N,) in 0..n_classes-1 (any number >= 0 for ``n_classes=None``) as int64, or a ValueError (never
    dropped, wrapped or read as other numbers silently): the one check of class and cluster numbers."""
    y = np.asarray(labels)
    if y.ndim != 1 or (y.size and not (np.issubdtype(y.dtype, np.integer) or (
            np.issubdtype(y.dtype, np.floating) and np.all(np.mod(y, 1) == 0)))):
        raise ValueError(f"{name} must be (N,) integers (class numbers), got shape {y.shape} and dtype {y.dtype}.")
    y = y.astype(np.int64)
    if y.size and (y.min() < 0 or (n_classes is not None and y.max() >= n_classes)):
        span = f"0..{n_classes - 1}" if n_classes is not None else "whole numbers >= 0"
        raise ValueError(f"{name} must be in {span}, got values from {y.min()} to {y.max()}.")
    return y


def histogram_reverse_kl(counts, reference) -> float:
    """``KL(q || p)`` in nats between the normalised histograms q = counts and p = reference.

    The "reverse" KL of PacGAN: it is large when the samples put mass where the reference has little; a
    missing mode only costs through the renormalisation of q. Returns inf if counts are all zero.
    """
    q = np.asarray(counts, np.float64)
    p = np.asarray(reference, np.float64)
    if q.shape != p.shape:
        raise ValueError(f"counts {q.shape} and reference {p.shape} must have the same shape.")
    if not (np.all(np.isfinite(q)) and np.all(np.isfinite(p)) and q.min(initial=0) >= 0 and p.min(initial=0) >= 0):
        raise ValueError("counts and reference must be histograms: finite, non-negative numbers.")
    if p.sum() <= 0:
        raise ValueError("reference has no counts (empty or all zeros): a histogram to compare with needs some.")
    if q.sum() <= 0:
        return math.inf
    q, p = q / q.sum(), p / p.sum()
    m = q > 0
    if np.any(p[m] <= 0):
        return math.inf
    return float(np.sum(q[m] * np.log(q[m] / p[m])))


# ----------------------------------------------------------------------------------------------------------
# Precision and recall (Kynkaanniemi et al., 2019)
# ----------------------------------------------------------------------------------------------------------

def _sq_dists(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.sum(a * a, 1)[:, None] + np.sum(b * b, 1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d, 0.0)


def _knn_radii(x: np.ndarray, k: int, chunk: int) -> np.ndarray:
    """Squared distance from each row of x to its k-th nearest other row."""
    out = np.empty(len(x))
    for i in range(0, len(x), chunk):
        d = _sq_dists(x[i:i + chunk], x)
        out[i:i + chunk] = np.partition(d, k, axis=1)[:, k]  # index 0 is the point itself (distance 0)
    return out


def _inside_any(points: np.ndarray, centres: np.ndarray, radii: np.ndarray, chunk: int) -> np.ndarray:
    hits = np.empty(len(points), bool)
    for i in range(0, len(points), chunk):
        hits[i:i + chunk] = np.any(_sq_dists(points[i:i + chunk], centres) <= radii[None, :], axis=1)
    return hits


def nearest_distances(features, reference, chunk: int = 256) -> np.ndarray:
    """Euclidean distance from each row of ``features`` (N, F) to its nearest row of ``reference`` (M, F): (N,)."""
    checks.count("chunk", chunk)
    x, ref = _features(features), _features(reference, "reference")
    if x.shape[1] != ref.shape[1]:
        raise ValueError(f"features and reference must be 2-D with the same width, got {x.shape} and {ref.shape}.")
    return np.sqrt(np.concatenate([_sq_dists(x[i:i + chunk], ref).min(1) for i in range(0, len(x), chunk)]))


def memorisation(sample_features, train_features, test_features, quantile: float = 0.05) -> dict:
    """How close generated digits come to the training digits, measured against fresh real digits.

    d(x) is the distance, in the classifier's features, from x to its nearest training digit. Real test digits were
    never trained on, so their d says how close a new digit of the same distribution falls by chance. A model that
    places digits like fresh ones puts about ``quantile`` of its samples below the test digits' ``quantile``-quantile
    of d, give or take sampling noise; one that copies training digits puts clearly more: read ``share_closer``
    against ``copy_line(N, quantile)``, not against ``quantile`` itself.

    Args:
      sample_features: (N, F) features of generated images (``classifier_outputs(images)[0]``).
      train_features: (M, F) features of the training images the model learnt from.
      test_features: (K, F) features of held-out real images.
      quantile: the share of test digits that defines "close" (0.05: the closest twentieth).
    Returns:
      {"median_distance": median d of the samples, "test_median_distance": that of the test digits,
       "threshold": the test digits' quantile of d, "share_closer": share of samples with d below it (``quantile``
       for a model that places digits like fresh real ones; more for a copier), "quantile"}.
    """
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must be in (0, 1), got {quantile}.")
    train_features = _features(train_features, "train_features")
    d_sample = nearest_distances(_features(sample_features, "sample_features"), train_features)
    d_test = nearest_distances(_features(test_features, "test_features"), train_features)
    threshold = float(np.quantile(d_test, quantile))
    return {"median_distance": float(np.median(d_sample)), "test_median_distance": float(np.median(d_test)),
            "threshold": threshold, "share_closer": float(np.mean(d_sample < threshold)), "quantile": quantile}


def copy_line(n_samples: int, quantile: float = 0.05) -> float:
    """The share of ``memorisation``'s ``share_closer`` above which N samples say copying: ``quantile`` plus two
    standard errors of a share at N, ``q + 2 sqrt(q (1 - q) / N)`` (0.0597 for 2,000 samples at q = 0.05).

    A model whose samples sit like fresh digits lands below it about 97.7% of the time (one-sided, normal
    approximation); the line leaves out the noise of the threshold itself, estimated from the test digits.
    """
    checks.count("n_samples", n_samples)
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must be in (0, 1), got {quantile}.")
    return float(quantile + 2 * np.sqrt(quantile * (1 - quantile) / n_samples))


def precision_recall(real_features, fake_features, k: int = 3, chunk: int = 1000) -> tuple[float, float]:
    """Improved precision and recall of Kynkaanniemi et al. (2019), in feature space.

    Each set's manifold is estimated as the union of balls around its points, each with the radius to the
    point's k-th nearest neighbour in the same set. Precision = fraction of generated points inside the real
    manifold (quality); recall = fraction of real points inside the generated manifold (coverage).

    Args:
      real_features: (N, D). fake_features: (M, D). k: neighbour index of the radius (the paper's k = 3).
    Returns:
      ``(precision, recall)``, each in [0, 1].
    """
    r, f = np.asarray(real_features, np.float64), np.asarray(fake_features, np.float64)
    if r.ndim != 2 or f.ndim != 2 or r.shape[1] != f.shape[1]:
        raise ValueError(f"features must be (N, D) and (M, D) with the same D, got {r.shape} and {f.shape}.")
    r, f = _features(r, "real_features"), _features(f, "fake_features")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k (the neighbour that sets each ball's radius) must be an integer >= 1, got {k!r}; the "
                         "paper uses 3.")
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValueError(f"chunk must be an integer >= 1, got {chunk!r}.")
    if min(len(r), len(f)) <= k:
        raise ValueError(f"need more than k={k} points in each set, got {len(r)} and {len(f)}.")
    precision = _inside_any(f, r, _knn_radii(r, k, chunk), chunk).mean()
    recall = _inside_any(r, f, _knn_radii(f, k, chunk), chunk).mean()
    return float(precision), float(recall)


# ----------------------------------------------------------------------------------------------------------
# 2-D toy data: modes covered, high-quality samples, reverse KL (VEEGAN, PacGAN)
# ----------------------------------------------------------------------------------------------------------

def toy_mode_metrics(samples, mixture, n_std: float = 3.0, min_count: int = 1) -> dict:
    """Mode coverage of 2-D samples from a Gaussian mixture, as in VEEGAN (Table 1) and PacGAN (Table 1).

    Each sample is assigned to its nearest mode in units of that mode's standard deviation; it is of *high
    quality* if that distance is below ``n_std`` (3). A mode is *covered* if at least ``min_count`` (1)
    high-quality samples fall on it. The reverse KL compares the histogram of the high-quality samples over
    the modes with the mixture weights. (The papers draw 2,500 samples.)

    Args:
      samples: (N, 2) points, N >= 1. mixture: a ``gan_utils.data.GaussianMixture`` (e.g. ``data.ring()``).
      n_std: the high-quality radius, in standard deviations (> 0). min_count: an integer >= 1.
    Returns:
      dict with n, n_modes, modes_covered, high_quality_fraction, reverse_kl (inf if no high-quality
      sample) and mode_histogram (list of counts).
    """
    if not isinstance(mixture, data.GaussianMixture):
        raise TypeError(f"mixture must be a gan_utils.data.GaussianMixture, e.g. data.ring() or data.toy_dataset("
                        f"'grid'), got {type(mixture).__name__}.")
    checks.count("min_count", min_count)       # 0 would count every mode as covered, even with no samples
    if isinstance(n_std, bool) or not isinstance(n_std, (int, float, np.integer, np.floating)) or \
            not 0 < n_std < math.inf:
        raise ValueError(f"n_std must be a positive, finite number of standard deviations, got {n_std!r}.")
    x = np.asarray(samples, np.float64)
    if x.ndim != 2 or x.shape[1] != mixture.dim:
        raise ValueError(f"samples must have shape (N, {mixture.dim}), got {x.shape}.")
    if len(x) == 0:
        raise ValueError("samples hold no points (N = 0): draw some from the generator first.")
    # NaN points would count as "no mode" and look like mode collapse
    checks.finite(x, "samples", ": the generator has diverged (check the training losses)")
    d = np.sqrt(np.sum((x[:, None, :] - mixture.means[None]) ** 2, -1)) / mixture.stds[None, :]  # (N, K)
    nearest = d.argmin(1)
    good = d[np.arange(len(x)), nearest] < n_std
    hist = np.bincount(nearest[good], minlength=len(mixture.means))
    return {"n": int(len(x)), "n_modes": int(len(hist)), "modes_covered": int(np.sum(hist >= min_count)),
            "high_quality_fraction": float(good.mean()),
            "reverse_kl": histogram_reverse_kl(hist, mixture.weights), "mode_histogram": hist.tolist()}


# ----------------------------------------------------------------------------------------------------------
# Everything at once, and loading image sets
# ----------------------------------------------------------------------------------------------------------

def image_metrics(images, reference, *, classifier: MnistClassifier | None = None, pr_n: int = 5000,
                  min_share: float = 0.01, seed: int = 0) -> dict:
    """Every image metric of ``images`` against ``reference`` (see the module docstring for the keys).

    Args:
      images: uint8 (N, 28, 28[, 1]) or float in [-1, 1]; or a precomputed ``(features, probs)`` pair.
      reference: the same, for the real reference set (e.g. the MNIST test set).
      classifier: default: the shipped one.
      pr_n: at most this many images of each set for precision and recall (their cost grows as n^2).
      min_share: a digit is covered if it gets at least this fraction of the images.
      seed: picks the precision/recall subsets when a set is larger than pr_n.
    """
    pr_n = checks.count("pr_n", pr_n, 4)   # precision and recall need more than k = 3 neighbours in each set
    f, p = images if isinstance(images, tuple) else classifier_outputs(images, classifier)
    rf, rp = reference if isinstance(reference, tuple) else classifier_outputs(reference, classifier)
    hist = class_histogram(p)
    rng = np.random.default_rng(seed)
    pick = lambda a: a[rng.choice(len(a), pr_n, replace=False)] if len(a) > pr_n else a
    precision, recall = precision_recall(pick(rf), pick(f))
    return {"n": int(len(f)), "fid": round(fid_from_features(f, rf), 4),
            "inception_score": round(inception_score(p), 4), "class_histogram": hist.tolist(),
            "digits_covered": int(np.sum(hist >= min_share * len(f))),
            "class_reverse_kl": round(histogram_reverse_kl(hist, class_histogram(rp)), 5),
            "mean_confidence": round(float(p.max(1).mean()), 4),
            "precision": round(precision, 4), "recall": round(recall, 4)}


def conditional_metrics(outputs, labels, reference=None, reference_labels=None, n_classes: int = 10) -> dict:
    """How well a class-conditional generator gives the class it was asked for.

    Args:
      outputs: ``(features, probs)`` of the samples (``classifier_outputs``), or the images themselves.
      labels: (N,) the class each sample was generated for.
      reference: ``(features, probs)`` (or images) of real images, for the per-class FID; None skips it.
      reference_labels: (M,) their classes.
      n_classes: number of classes.
    Returns:
      ``class_accuracy`` (share of samples the classifier puts in the requested class), ``per_class_accuracy``
      (one per class), and with a reference ``per_class_fid`` (each class's samples against the real images of
      that class; FID is biased upwards at small n, so compare per-class FIDs with each other and at equal n) and
      ``n_per_class``.
    """
    f, p = outputs if isinstance(outputs, tuple) else classifier_outputs(outputs)
    labels = np.asarray(labels)
    if labels.shape != (len(p),):
        raise ValueError(f"need one label per sample: {len(p)} samples, labels of shape {labels.shape}.")
    labels = _check_labels(labels, n_classes)
    hit = np.asarray(p).argmax(1) == labels
    out = {"class_accuracy": round(float(hit.mean()), 5),
           "per_class_accuracy": [round(float(hit[labels == c].mean()), 5) if np.any(labels == c) else None
                                  for c in range(n_classes)],
           "n_per_class": [int(np.sum(labels == c)) for c in range(n_classes)]}
    if reference is not None:
        rf, _ = reference if isinstance(reference, tuple) else classifier_outputs(reference)
        rl = _check_labels(reference_labels, n_classes)
        out["per_class_fid"] = [round(fid_from_features(f[labels == c], rf[rl == c]), 3)
                                if np.sum(labels == c) > 1 else None for c in range(n_classes)]
    return out


def _npz_array(path: Path, key: str, required: bool = True) -> np.ndarray | None:
    """The array ``key`` of an .npz file written by ``python -m gan_utils sample`` (as stored), or None if absent
    and not ``required``."""
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist; write samples with "
                                f"`python -m gan_utils sample --pretrained --out {path}` (or --checkpoint DIR).")
    try:
        z = np.load(path)
        if not isinstance(z, np.lib.npyio.NpzFile):
            raise ValueError("it holds one unnamed array, not an .npz archive")
        with z:
            arrays = {k: z[k] for k in z.files if k == key}
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error) as e:   # empty, truncated, not an .npz
        raise ValueError(f"{path} is not a readable .npz of samples ({type(e).__name__}: {e}); write one with "
                         f"`python -m gan_utils sample --out {path}` or np.savez(path, samples=images).") from e
    if key not in arrays and required:
        raise ValueError(f"{path} has no array '{key}' (it has {list(z.files)}); write it with "
                         f"`python -m gan_utils sample` or np.savez(path, {key}=images).")
    return arrays.get(key)


def _npz_samples(path: Path) -> np.ndarray:
    """The array ``samples`` of an .npz file written by ``python -m gan_utils sample`` (as stored)."""
    return _npz_array(path, "samples")


def _npz_labels(path: Path) -> np.ndarray | None:
    """The array ``labels`` of a ``sample`` .npz from a class-conditional generator, or None."""
    labels = _npz_array(path, "labels", required=False)
    return None if labels is None else np.asarray(labels)


def _to_uint8_images(x, source: str) -> np.ndarray:
    """uint8 images in [0, 255] from a set of samples: generator output (floats in [-1, 1]) or uint8 as they are;
    pixel values in [0, 1] or [0, 255] (floats or integers) and bools converted with a note; anything else refused.

    Scoring pixels in [0, 255] as if they were in [-1, 1] gives an FID of about 700 without a word: hence the check.
    """
    x = np.asarray(x)
    if x.dtype == np.uint8:
        return x
    if x.dtype == bool:
        warnings.warn(f"{source}: bool images read as black (False) and white (True) pixels.", stacklevel=3)
        return x.astype(np.uint8) * 255
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise TypeError(f"{source}: images must be numbers (uint8 in [0, 255] or floats in [-1, 1]), got dtype "
                        f"{x.dtype}.")
    if x.size == 0:
        raise ValueError(f"{source} holds no images (shape {x.shape}).")
    xf = x.astype(np.float64)
    if not np.all(np.isfinite(xf)):
        raise ValueError(f"{source} contains NaN or Inf: the generator has diverged (check the training losses).")
    lo, hi, tol = xf.min(), xf.max(), 1e-3
    if np.issubdtype(x.dtype, np.floating) and lo >= -1 - tol and hi <= 1 + tol and lo < 0:
        return data.to_uint8(xf)                             # generator output: tanh's range, background near -1
    if lo >= 0 and hi <= 1 + tol and np.issubdtype(x.dtype, np.floating):
        warnings.warn(f"{source}: floats in [0, 1] read as pixel intensities in [0, 1] (generator output lies in "
                      "[-1, 1], with a background near -1).", stacklevel=3)
        return np.clip(np.rint(xf * 255), 0, 255).astype(np.uint8)
    if lo >= 0 and hi <= 255:
        warnings.warn(f"{source}: {x.dtype} values in [{lo:g}, {hi:g}] read as pixel values in [0, 255].",
                      stacklevel=3)
        return np.clip(np.rint(xf), 0, 255).astype(np.uint8)
    raise ValueError(f"{source}: images must be generator output in [-1, 1] (or pixel values in [0, 1] or [0, 255]); "
                     f"got {x.dtype} values in [{lo:.4g}, {hi:.4g}]. Scale them into [-1, 1].")


def _png_to_uint8(path: Path) -> np.ndarray:
    import matplotlib.image as mpimg
    try:
        img = mpimg.imread(path)  # PNG: float32 in [0, 1], (H, W), (H, W, 3) or (H, W, 4)
    except Exception as e:   # truncated or not a PNG: Pillow and matplotlib raise several kinds
        raise ValueError(f"{path} is not a readable PNG image ({type(e).__name__}: {e}); remove it from the "
                         "folder or replace it.") from e
    if img.ndim == 3:
        img = img[..., :3].mean(-1)
    if img.dtype != np.uint8:
        img = np.clip(np.round(img * 255.0), 0, 255).astype(np.uint8)
    if img.shape != (28, 28):
        raise ValueError(f"{path} is {img.shape[1]}x{img.shape[0]}; the MNIST classifier needs 28x28 images.")
    return img


def load_images(source: str | os.PathLike) -> np.ndarray:
    """Loads a set of 28x28 grey images as uint8 (N, 28, 28, 1), white digits on black as in MNIST.

    Args:
      source: ``"mnist-train"`` or ``"mnist-test"``; an ``.npz`` file (key ``samples``, as written by
        ``python -m gan_utils sample``; uint8 in [0, 255] or floats in [-1, 1]); a folder of ``.png`` files;
        or a folder holding an MNIST IDX image file (``*images-idx3-ubyte`` or ``*images-idx3-ubyte.gz``; the
        training file if there are several).
    """
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"load_images reads a file or a folder (or mnist-train / mnist-test), got a "
                        f"{type(source).__name__}; score arrays of images with evaluate(images) or "
                        "classifier_outputs(images).")
    s = str(source)
    if s in ("mnist-train", "mnist-test"):
        return np.asarray(data.load_mnist(s.split("-")[1])[0])
    path = Path(s)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist; pass an .npz file, a folder of PNGs or of MNIST IDX "
                                "files, or mnist-train / mnist-test.")
    if path.is_file() and (path.suffix == ".npz" or _is_zip(path)):
        x = _npz_samples(path)
        if x.ndim not in (3, 4):
            raise ValueError(f"{path}: 'samples' has shape {x.shape}; images are (N, 28, 28) or (N, 28, 28, 1).")
        x = _to_uint8_images(x, str(path))
        return x if x.ndim != 3 else x[..., None]
    if path.is_file():
        try:
            return data.read_idx(path)[..., None]
        except ValueError as e:
            raise ValueError(f"{e} Pass an .npz written by `python -m gan_utils sample`, a folder of 28x28 PNGs, "
                             "or a folder of MNIST IDX files.") from e
    idx = sorted(path.glob("*images-idx3-ubyte*"), key=lambda p: ("train" not in p.name, p.name))
    if idx:  # an MNIST folder holds both splits: take the training images (the test set is the usual reference)
        return data.read_idx(idx[0])[..., None]
    pngs = sorted(path.glob("*.png"))
    if not pngs:
        raise ValueError(f"{path} holds no .png files and no MNIST IDX image file (*images-idx3-ubyte[.gz]).")
    return np.stack([_png_to_uint8(p) for p in pngs])[..., None]


def _is_zip(path: Path) -> bool:
    """Whether a file is a zip archive (an .npz whatever its name)."""
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def evaluate(samples: str | os.PathLike | np.ndarray, *, real: str | os.PathLike | None = None,
             reference: str | os.PathLike | None = None, dataset: str | None = None, n: int | None = None,
             pr_n: int = 5000, seed: int = 0) -> dict:
    """What ``python -m gan_utils evaluate`` prints (see the module docstring for the keys).

    Args:
      samples: images or 2-D points (a NumPy or JAX array, e.g. what ``models.sample`` returns, or a list), or
        anything ``load_images`` reads (2-D points only from .npz).
      real: a set of real images scored exactly like the samples (same n): its FID is the floor. Images only.
      reference: the real images every FID is measured against (None: ``mnist-test``). Images only: 2-D points are
        measured against their mixture.
      dataset: ``"ring"`` or ``"grid"`` for 2-D samples; inferred as MNIST for images.
      n: score only the first n samples (and n real images).
      pr_n: at most this many images of each set for precision and recall.
      seed: which real images are used when ``real`` has more than n.
    """
    path = isinstance(samples, (str, os.PathLike))
    npz = path and Path(samples).is_file() and (str(samples).endswith(".npz") or _is_zip(Path(samples)))
    labels = None
    if not path:
        x = np.asarray(samples)     # NumPy, JAX (models.sample) or a list
    elif npz or str(samples).endswith(".npz"):
        x = _npz_samples(Path(samples))
        labels = _npz_labels(Path(samples)) if npz else None
    else:
        x = load_images(samples)
    source = str(samples) if path else "samples"
    if labels is not None and labels.shape != (len(x),):   # checked before n keeps the first n of both
        raise ValueError(f"{source} holds {len(x)} samples but labels of shape {labels.shape}: a class-conditional "
                         "sample file has one label per sample (write it with `python -m gan_utils sample`).")
    if n is not None:
        checks.count("n", n, 2)
        x = x[:n]
    checks.count("pr_n", pr_n, 4)   # precision and recall need more than k = 3 neighbours in each set
    if x.ndim == 2 and x.shape[1] == 2:  # 2-D toy points
        if dataset not in data.TOY_DATASETS:
            raise ValueError(f"these are 2-D points; pass --dataset {' or '.join(sorted(data.TOY_DATASETS))} "
                             "to say which mixture they came from.")
        given = [name for name, v in (("--real", real), ("--reference", reference)) if v is not None]
        if given:
            raise ValueError(f"{' and '.join(given)}: for images only; 2-D points are measured against the {dataset} "
                             f"mixture itself: drop {' and '.join(given)}.")
        if len(x) == 0:
            raise ValueError(f"{source} holds no points (shape {x.shape}); write samples with `python -m gan_utils "
                             "sample --checkpoint RUN --out FILE.npz`.")
        return {"samples": _json_safe({**toy_mode_metrics(x, data.toy_dataset(dataset)), "dataset": dataset})}
    reference = "mnist-test" if reference is None else reference
    if dataset not in (None, "mnist"):
        raise ValueError(f"--dataset {dataset} expects 2-D points of shape (N, 2), got an array of shape {x.shape}.")
    if x.ndim not in (3, 4):
        raise ValueError(f"{source}: expected images (N, 28, 28[, 1]) or 2-D points (N, 2), got shape {x.shape}.")
    x = _to_uint8_images(x, source)
    if real is not None and str(real) == str(reference):
        raise ValueError(f"--real and the reference are both {reference}; real-against-itself is 0 by definition. "
                         "Use --real mnist-train for the real-against-real floor.")
    ref = load_images(reference)
    ref_out = classifier_outputs(ref)
    x_out = classifier_outputs(x)   # once, for every metric below
    out = {"samples": image_metrics(x_out, ref_out, pr_n=pr_n, seed=seed)}
    if labels is not None:   # a class-conditional generator's samples: did each come out as the class asked for?
        ref_labels = np.asarray(data.load_mnist("test")[1]) if str(reference) == "mnist-test" else None
        out["conditional"] = conditional_metrics(x_out, labels[:len(x)],   # as many as the samples (checked above)
                                                 ref_out if ref_labels is not None else None, ref_labels)
    if real is not None:
        r = load_images(real)
        if len(r) > len(x):
            r = r[np.sort(np.random.default_rng(seed).choice(len(r), len(x), replace=False))]
        out["real"] = {"source": str(real), **image_metrics(r, ref_out, pr_n=pr_n, seed=seed)}
    out["reference"] = {"source": str(reference), "n": int(len(ref))}
    meta = classifier_meta() if (CLASSIFIER_DIR / "meta.json").exists() else {}
    out["classifier"] = {"test_accuracy": meta.get("test_accuracy")}
    return _json_safe(out)


def cmd_evaluate(args) -> None:
    result = evaluate(args.samples, real=args.real, reference=args.reference, dataset=args.dataset, n=args.n,
                      pr_n=args.pr_n, seed=args.seed)
    print(json.dumps(result, indent=None if args.compact else 1))


