"""Clusters without labels: k-means, how well clusters match classes, and self-conditioning for ``fit``.

A self-conditioned GAN (Liu et al., 2020, "Diverse Image Generation via Self-Conditioned GANs") replaces the labels of
a class-conditional GAN by clusters of the training data in the discriminator's feature space, re-clustered as
training goes (the features improve with D). Notebook 09 builds it by hand; ``python -m gan_utils train
--self-condition K`` runs it through ``SelfConditioning``, a ``fit`` callback. The labels of MNIST never enter: they
only score the clusters (``cluster_scores``).
"""
from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from . import checks

__all__ = ["kmeans", "assign", "cluster_scores", "discriminator_features", "SelfConditioning", "RECLUSTER_EVERY",
           "FIT_POINTS"]

RECLUSTER_EVERY = 1000   # steps between re-clusterings: 10 over a 10,000-step run, each about 3 s on 2 cores
FIT_POINTS = 10_000      # training images k-means is fitted on (then every image is assigned): 60,000 x 3,136
#                          features would take 750 MB


def _check_features(x, what: str = "features") -> np.ndarray:
    """The one check of points to cluster: (N, F) with N >= 1 and no NaN or Inf (NaN put every point in cluster 0).
    Returns them as float32 (NumPy, JAX arrays and lists alike)."""
    x = np.asarray(x, np.float32)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"{what} must be a 2-D array (N, F) with N >= 1, got shape {x.shape}.")
    checks.finite(x, what, ": features of NaN images or of a diverged discriminator? (check the training "
                                "losses)")
    return x


@jax.jit
def _nearest(x: jax.Array, c: jax.Array) -> jax.Array:
    d = jnp.sum(c * c, axis=1)[None, :] - 2.0 * x @ c.T   # ||x - c||^2 up to ||x||^2, which ties do not need
    return jnp.argmin(d, axis=1).astype(jnp.int32)


@partial(jax.jit, static_argnums=(2, 3))
def _lloyd(x: jax.Array, c: jax.Array, k: int, iters: int) -> tuple[jax.Array, jax.Array]:
    def body(_, c):
        a = _nearest(x, c)
        onehot = jax.nn.one_hot(a, k, dtype=x.dtype)                          # (N, k)
        counts = onehot.sum(axis=0)
        means = (onehot.T @ x) / jnp.maximum(counts, 1.0)[:, None]
        return jnp.where(counts[:, None] > 0, means, c)                       # an empty cluster keeps its centre
    c = jax.lax.fori_loop(0, iters, body, c)
    return c, _nearest(x, c)


def _plus_plus(x: jax.Array, k: int, key: jax.Array) -> jax.Array:
    """k-means++ seeding (Arthur & Vassilvitskii, 2007): each new centre drawn with probability ~ squared distance."""
    keys = jax.random.split(key, k)
    idx = [int(jax.random.randint(keys[0], (), 0, x.shape[0]))]
    d2 = jnp.sum((x - x[idx[0]]) ** 2, axis=1)
    for i in range(1, k):
        j = int(jax.random.choice(keys[i], x.shape[0], p=d2 / jnp.sum(d2)))
        idx.append(j)
        d2 = jnp.minimum(d2, jnp.sum((x - x[j]) ** 2, axis=1))
    return x[jnp.asarray(idx)]


def kmeans(x, k: int, key: jax.Array, *, init=None, iters: int = 30) -> tuple[jax.Array, jax.Array]:
    """Lloyd's k-means.

    Args:
      x: (N, F) points.
      k: number of clusters (2 <= k <= N).
      key: PRNG key for the k-means++ seeding (unused when ``init`` is given).
      init: optional (k, F) starting centres (e.g. the means of an earlier clustering, so cluster i stays cluster i).
      iters: Lloyd iterations (fixed, so the loop compiles once).
    Returns:
      (centres (k, F), assignment (N,) int32).
    """
    x = jnp.asarray(_check_features(x, "x"))
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= x.shape[0]:
        raise ValueError(f"k must be an integer in 2..N (N = {x.shape[0]} points), got {k!r}.")
    k = int(k)
    checks.count("iters", iters, 0)
    c = _plus_plus(x, k, key) if init is None else jnp.asarray(_check_features(init, "init"))
    if c.shape != (k, x.shape[1]):
        raise ValueError(f"init must have shape (k, F) = ({k}, {x.shape[1]}), got {c.shape}.")
    return _lloyd(x, c, k, int(iters))


def assign(x, centres) -> jax.Array:
    """(N,) int32: the nearest of ``centres`` (k, F) for each point of ``x`` (N, F)."""
    x, c = _check_features(x, "x"), _check_features(centres, "centres")
    if c.shape[1] != x.shape[1]:
        raise ValueError(f"centres must have as many features as x: x is {x.shape}, centres {c.shape}.")
    return _nearest(jnp.asarray(x), jnp.asarray(c))


def cluster_scores(clusters, labels) -> dict:
    """How well clusters match classes: purity and normalised mutual information.

    purity = (1/N) sum_c max_y n(c, y): the share of points in their cluster's majority class (1 = each cluster one
    class; it rises with k, so compare it at equal k). NMI = I(C; Y) / sqrt(H(C) H(Y)) (Strehl & Ghosh, 2002):
    0 for clusters independent of the classes, 1 for the classes themselves (up to renaming).

    Args:
      clusters: (N,) ints, the cluster of each point.
      labels: (N,) ints, its class (used only to score, never to cluster).
    Returns:
      {"purity", "nmi", "k_used"} (k_used: clusters with at least one point).
    """
    from .metrics import _check_labels   # cluster and class numbers: integers >= 0 (1.5 or -1 scored purity 1.0)
    c, y = _check_labels(clusters, None, "clusters"), _check_labels(labels, None, "labels")
    if c.shape != y.shape or c.size == 0:
        raise ValueError(f"clusters and labels must be two non-empty (N,) arrays of the same N, got {c.shape} and "
                         f"{y.shape}.")
    _, ci = np.unique(c, return_inverse=True)
    _, yi = np.unique(y, return_inverse=True)
    table = np.zeros((ci.max() + 1, yi.max() + 1))
    np.add.at(table, (ci, yi), 1.0)
    p = table / table.sum()
    pc, py = p.sum(1), p.sum(0)
    nz = p > 0
    mi = float(np.sum(p[nz] * np.log(p[nz] / np.outer(pc, py)[nz])))
    hc, hy = -float(np.sum(pc * np.log(pc))), -float(np.sum(py * np.log(py)))
    nmi = mi / math.sqrt(hc * hy) if hc > 0 and hy > 0 else 0.0
    return {"purity": float(table.max(axis=1).sum() / table.sum()), "nmi": nmi, "k_used": int(len(pc))}


@partial(jax.jit, static_argnums=(0,))
def _features_jit(graphdef, state, x):
    d = nnx.merge(graphdef, state)
    h = d.body.features(x) if hasattr(d, "body") else d.features(x)
    return h / (jnp.linalg.norm(h, axis=1, keepdims=True) + 1e-8)


def discriminator_features(discriminator: nnx.Module, images, *, batch_size: int = 2000) -> np.ndarray:
    """The discriminator's last features phi(x), scaled to unit length: (N, F) float32 from images (N, 28, 28, 1).

    Works for a ``ProjectionDiscriminator`` (its body's features) and a ``DCGANDiscriminator``; runs D in inference
    mode (no dropout), in batches of ``batch_size``.
    """
    images = checks.unit_images(images, "images", shape=(28, 28, 1))
    checks.count("batch_size", batch_size)
    d = nnx.clone(discriminator)
    d.eval()
    graphdef, state = nnx.split(d)
    return np.concatenate([np.asarray(_features_jit(graphdef, state, jnp.asarray(images[i:i + batch_size])))
                           for i in range(0, len(images), batch_size)])


class SelfConditioning:
    """Keeps a self-conditioned GAN's pseudo-labels: clusters of the training images in D's features.

    Build it on the images and the label array that the ``BatchSampler`` reads (``BatchSampler((images, labels),
    ...)``); ``start(gan)`` clusters once before training (with D as it is: at step 0, random features), and as a
    ``fit`` callback it re-clusters every ``every`` steps: D's features of ``FIT_POINTS`` images, k-means started
    from the means of the current clusters in the new features (so cluster i stays cluster i), then every image is
    assigned. The label array is changed in place (the next batches carry the new ids) and the generator's
    ``prior`` (and ``g_ema``'s) is set to the new cluster shares.

    Args:
      images: (N, 28, 28, 1) training images in [-1, 1].
      labels: (N,) int32 array that the sampler reads; overwritten with cluster ids.
      k: number of clusters.
      key: PRNG key (the subset of images and the first seeding).
      every: steps between re-clusterings.
      score_labels: the true classes (N,), used only to report purity and NMI in ``log``; never for clustering.
    """

    def __init__(self, images, labels: np.ndarray, k: int, key: jax.Array, *, every: int = RECLUSTER_EVERY,
                 score_labels=None):
        if not isinstance(labels, np.ndarray) or labels.shape != (len(images),) or labels.dtype != np.int32:
            raise ValueError("labels must be the (N,) int32 numpy array the BatchSampler reads (it is changed in "
                             "place), e.g. np.zeros(len(images), np.int32).")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a whole number of steps >= 1, got {every!r}.")
        n_fit = min(FIT_POINTS, len(images))      # k-means runs on this many images: k must fit in them
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= n_fit:
            raise ValueError(f"k must be an integer in 2..{n_fit} (clusters of the {n_fit} images k-means is fitted "
                             f"on), got {k!r}.")
        if score_labels is not None and np.shape(score_labels) != (len(images),):
            raise ValueError(f"score_labels must hold one class per image: {len(images)} images, score_labels of "
                             f"shape {np.shape(score_labels)}.")
        self.images, self.labels, self.k, self.every = images, labels, int(k), every
        self.score_labels = None if score_labels is None else np.asarray(score_labels)
        k_sub, self._k_seed = jax.random.split(key)
        self._subset = np.sort(np.asarray(jax.random.permutation(k_sub, len(images))[:n_fit]))
        self.centres = None
        self.last_step = None
        self.log: list[dict] = []

    @classmethod
    def for_config(cls, config, images, labels: np.ndarray, *, score_labels=None) -> "SelfConditioning":
        """The self-conditioning of a run of ``config`` (a ``GANConfig`` with ``self_condition`` = K clusters), keyed
        by its seed as ``python -m gan_utils train`` keys it, so a notebook can repeat a command-line run."""
        key = jax.random.fold_in(jax.random.key(config.seed), 7)
        return cls(images, labels, config.self_condition, key, score_labels=score_labels)

    def recluster(self, step: int, gan) -> dict:
        """Clusters now, with ``gan``'s discriminator; returns (and logs) the step, shares and scores."""
        prior = getattr(getattr(gan, "generator", None), "prior", None)
        if prior is None:
            raise TypeError("self-conditioning needs a self-conditioned GAN: build_gan(GANConfig(self_condition=K)).")
        if tuple(np.shape(prior[...])) != (self.k,):
            raise ValueError(f"the GAN was built for {np.shape(prior[...])[0]} clusters, this SelfConditioning makes "
                             f"{self.k}: build both from one K (GANConfig(self_condition=K) and "
                             "SelfConditioning.for_config(config, ...)).")
        sub = discriminator_features(gan.discriminator, self.images[self._subset])
        if self.centres is None:
            centres, _ = kmeans(sub, self.k, self._k_seed)
        else:   # start from the current clusters' means in the new features: cluster i stays cluster i
            old = self.labels[self._subset]
            means = np.stack([sub[old == i].mean(0) if np.any(old == i) else np.asarray(self.centres[i])
                              for i in range(self.k)])
            centres, _ = kmeans(sub, self.k, self._k_seed, init=means)
        new = np.concatenate([np.asarray(assign(discriminator_features(gan.discriminator, self.images[i:i + 5000]),
                                                centres)) for i in range(0, len(self.images), 5000)])
        self.labels[:] = new
        self.centres = centres
        shares = np.bincount(new, minlength=self.k) / len(new)
        prior = jnp.asarray(shares, jnp.float32)
        for g in (gan.generator, getattr(gan, "g_ema", None)):
            if g is not None:
                g.prior[...] = prior
        entry = {"step": int(step), "shares": [round(float(s), 5) for s in shares]}
        if self.score_labels is not None:
            entry.update(cluster_scores(new, self.score_labels))
        self.log.append(entry)
        self.last_step = step
        return entry

    def start(self, gan, step: int = 0) -> dict:
        """The clustering before training (or at a resumed run's first step)."""
        return self.recluster(step, gan)

    def __call__(self, step: int, gan, history) -> None:
        if self.last_step is None or step - self.last_step >= self.every:
            self.recluster(step, gan)
