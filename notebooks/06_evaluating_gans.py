# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 Evaluating GANs
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gans-in-jax/blob/main/notebooks/06_evaluating_gans.ipynb)
#
# A trained GAN hands us a sampler and nothing else. How good is it? This notebook builds the tools to answer
# with numbers, and checks every tool before trusting it.
#
# **You will learn**
# - why a GAN has no likelihood to report, shown on the generator's Jacobian;
# - the Fréchet distance between two Gaussians, derived step by step, computed stably, and turned into
#   **MNIST-FID** with a small classifier shipped in `gan_utils` (the Inception network is the wrong judge for digits);
# - why FID has a floor that depends on the number of samples, and how to report it honestly;
# - the **Inception-style score**, and what it cannot see;
# - **precision and recall** of generated samples (Kynkäänniemi et al., 2019): quality and coverage as two numbers;
# - the **sanity checks** every metric must pass, run here: real against real, noise, blur, a one-digit generator;
# - **mode coverage** on the 2-D ring and grid, beside the numbers of VEEGAN and PacGAN;
# - `python -m gan_utils evaluate`, which prints all of this as JSON.

# %%
# Setup: install the course package if it is missing (e.g. on Colab), then imports, seed and devices.
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("gan_utils") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "gan-utils @ git+https://github.com/gan-course/gans-in-jax"], check=True)
import json, math, tempfile, time
from pathlib import Path
import jax, jax.numpy as jnp, numpy as np, matplotlib.pyplot as plt
from flax import nnx
from gan_utils import checkpoint, data, metrics, models, plots, steps, train
from gan_utils.plots import REAL_COLOR, FAKE_COLOR
SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
plt.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80, "axes.spines.top": False, "axes.spines.right": False})
print(f"JAX {jax.__version__} on {jax.devices()}")

# %% [markdown]
# ## 1. Why a GAN has no likelihood to report
#
# A model that defines a density $q(x)$ is judged by the average log-likelihood of held-out data,
# $\frac1N\sum_i \log q(x_i)$. A GAN's generator defines its distribution only as a **push-forward**:
# draw $z\sim\mathcal N(0, I_{64})$, output $x = G(z)\in\mathbb R^{784}$.
#
# All of these outputs lie on the image of a 64-dimensional space under a smooth map: a surface of dimension at
# most 64 inside the 784-dimensional image space. Near a point $z$ the map is its linearisation
# $G(z+\delta)\approx G(z) + J(z)\,\delta$, with the Jacobian $J(z)\in\mathbb R^{784\times 64}$, whose rank is at most
# 64. A set of dimension 64 has volume zero in $\mathbb R^{784}$, so:
#
# - the generator's distribution has **no density** in $\mathbb R^{784}$: $q(x)=0$ off the surface and is undefined (infinite) on it;
# - a real test image lies off the surface with probability 1, so its log-likelihood is $-\infty$ for *every* GAN,
#   good or bad. The number cannot rank models.
#
# Goodfellow et al. (2014) reported Parzen-window (kernel density) estimates instead; Theis et al. (2016) showed
# those can rank models in the wrong order even in 6 dimensions. So we compare **samples with samples**, in a space
# where distances mean something. First, the rank, measured:

# %%
# The Jacobian dG/dz of a DCGAN generator at one z: a 784 x 64 matrix. Its rank bounds the dimension of the
# set of images the generator can produce near G(z).
key, k_init, k_z = jax.random.split(key, 3)
G = models.DCGANGenerator(latent_dim=64, rngs=nnx.Rngs(int(jax.random.randint(k_init, (), 0, 2**31 - 1))))
G.eval()
z = jax.random.normal(k_z, (1, 64))
J = jax.jacfwd(lambda z: G(z).reshape(-1))(z)[:, 0, :]          # (784, 64)
sv = np.linalg.svd(np.asarray(J, np.float64), compute_uv=False)
rank = int(np.sum(sv > sv[0] * 1e-6))
print(f"Jacobian shape {J.shape}; numerical rank {rank}: the samples near G(z) span at most {rank} of 784 dimensions")  # NBVAL_CHECK_OUTPUT
assert J.shape == (784, 64) and rank <= 64


# %% [markdown]
# ## 2. The Fréchet distance between two Gaussians
#
# Replace each image set by a Gaussian fitted to its **features** $f(x)\in\mathbb R^D$ (mean $\mu$, covariance
# $\Sigma$) and measure how far apart the two Gaussians are. The Fréchet distance (the 2-Wasserstein distance) is
# the smallest mean squared distance over all ways of pairing the two distributions:
#
# $$d^2(P_1,P_2) = \min_{\text{couplings of } X\sim P_1,\ Y\sim P_2} \ \mathbb E\,\|X-Y\|^2 .$$
#
# **Step 1: expand.** For any coupling, with $C=\operatorname{Cov}(X,Y)$ the cross-covariance,
#
# $$\mathbb E\|X-Y\|^2 = \|\mu_1-\mu_2\|^2 + \operatorname{tr}\Sigma_1 + \operatorname{tr}\Sigma_2 - 2\operatorname{tr} C,$$
#
# so minimising the distance means **maximising $\operatorname{tr} C$**, subject to the joint covariance
# $\begin{pmatrix}\Sigma_1 & C\\ C^\top & \Sigma_2\end{pmatrix}$ being positive semi-definite.
#
# **Step 2: one dimension.** With variances $s_1^2, s_2^2$, Cauchy–Schwarz gives $C\le s_1 s_2$, reached by the
# monotone map $Y=\mu_2+\frac{s_2}{s_1}(X-\mu_1)$. Hence $d^2=(\mu_1-\mu_2)^2+(s_1-s_2)^2$.
#
# **Step 3: many dimensions.** The best coupling is again a linear map, $Y=\mu_2+A(X-\mu_1)$ with $A$ symmetric positive
# semi-definite (Dowson & Landau, 1982; Olkin & Pukelsheim, 1982). It must turn $\Sigma_1$ into $\Sigma_2$:
# $A\Sigma_1A=\Sigma_2$. Write $S=\Sigma_1^{1/2}$. Then
#
# $$A = S^{-1}\,(S\Sigma_2S)^{1/2}\,S^{-1}
# \quad\text{satisfies}\quad
# A\Sigma_1A = S^{-1}(S\Sigma_2S)^{1/2}\,S^{-1}S^2S^{-1}\,(S\Sigma_2S)^{1/2}S^{-1} = S^{-1}(S\Sigma_2S)S^{-1}=\Sigma_2 .$$
#
# Its cross-covariance is $C=\Sigma_1A$, so $\operatorname{tr}C=\operatorname{tr}\big(S^2S^{-1}(S\Sigma_2S)^{1/2}S^{-1}\big)=\operatorname{tr}(S\Sigma_2S)^{1/2}$.
#
# **Step 4: the formula.**
#
# $$\boxed{\,d^2 = \|\mu_1-\mu_2\|^2 + \operatorname{tr}\Sigma_1 + \operatorname{tr}\Sigma_2 - 2\operatorname{tr}\big(\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2}\big)^{1/2}\,}$$
#
# FID papers write the last term as $\operatorname{tr}(\Sigma_1\Sigma_2)^{1/2}$. It is the same number:
# $\Sigma_1\Sigma_2 = S\,(S\Sigma_2S)\,S^{-1}$ is *similar* to $S\Sigma_2S$, so the two share their eigenvalues
# $\lambda_i\ge0$, and both traces equal $\sum_i\sqrt{\lambda_i}$.
#
# **How to compute it.** $\Sigma_1\Sigma_2$ is not symmetric; a general matrix square root of it (`scipy.linalg.sqrtm`)
# works in complex arithmetic and, for nearly singular covariances, returns imaginary parts or garbage. The symmetric
# form $S\Sigma_2S$ is positive semi-definite, so a symmetric eigensolver (`eigh`) gives real eigenvalues; we clip the
# tiny negative ones that rounding creates to 0 and sum their square roots. Everything in float64.
#
# We check each step with numbers on a 2-D example, from scratch:

# %%
def sqrtm_sym(a):
    # square root of a symmetric PSD matrix: a = V diag(w) V^T  ->  V diag(sqrt(w)) V^T
    w, v = np.linalg.eigh(a)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T

def frechet_by_hand(mu1, s1, mu2, s2):
    S = sqrtm_sym(s1)
    lam = np.linalg.eigvalsh(S @ s2 @ S)                      # eigenvalues of the symmetric form
    return np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.sum(np.sqrt(np.clip(lam, 0, None)))

mu1, S1 = np.array([0.0, 0.0]), np.array([[2.0, 0.8], [0.8, 1.0]])
mu2, S2 = np.array([1.0, -1.0]), np.array([[1.0, -0.3], [-0.3, 0.5]])
d2 = frechet_by_hand(mu1, S1, mu2, S2)

# Step 3 checked by simulation: the map Y = mu2 + A (X - mu1) turns N(mu1, S1) into N(mu2, S2) ...
S = sqrtm_sym(S1)
A = np.linalg.inv(S) @ sqrtm_sym(S @ S2 @ S) @ np.linalg.inv(S)
key, sub = jax.random.split(key)
X = mu1 + np.asarray(jax.random.normal(sub, (200_000, 2)), np.float64) @ np.linalg.cholesky(S1).T
Y = mu2 + (X - mu1) @ A.T
# ... and its mean squared distance E|X - Y|^2 is d^2; an arbitrary coupling (independent X, Y) does worse.
key, sub = jax.random.split(key)
Y_indep = mu2 + np.asarray(jax.random.normal(sub, (200_000, 2)), np.float64) @ np.linalg.cholesky(S2).T
print(f"d^2 by the formula        : {d2:.4f}")
print(f"tr sqrt(S1 S2) two ways   : {np.sum(np.sqrt(np.linalg.eigvals(S1 @ S2).real)):.4f} (eig of S1 S2), "
      f"{np.sum(np.sqrt(np.linalg.eigvalsh(S @ S2 @ S))):.4f} (eig of S S2 S)")
print(f"optimal coupling, sampled : E|X-Y|^2 = {np.mean(np.sum((X - Y) ** 2, 1)):.2f}, cov(Y) = {np.cov(Y.T).round(2).tolist()}")
print(f"independent coupling      : E|X-Y|^2 = {np.mean(np.sum((X - Y_indep) ** 2, 1)):.2f}")
assert np.allclose(A @ S1 @ A, S2) and np.allclose(A, A.T)
assert abs(np.mean(np.sum((X - Y) ** 2, 1)) - d2) < 0.02 * d2
assert np.mean(np.sum((X - Y_indep) ** 2, 1)) > d2 + 1.0
assert abs(d2 - metrics.frechet_distance(mu1, S1, mu2, S2)) < 1e-12            # gan_utils computes the same

# %% [markdown]
# **Near-singular covariances are the normal case.** With $N$ samples of $D$ features the sample covariance has
# rank at most $N-1$, and ReLU features that never fire give zero rows. Below, 100 samples in 128 dimensions:
# the naive route (eigenvalues of the non-symmetric $\Sigma_1\Sigma_2$) returns complex and negative eigenvalues whose
# square roots are not real; the symmetric route stays real, and the distance of a set to itself is 0.

# %%
rng = np.random.default_rng(SEED)
F1 = rng.normal(size=(100, 128)) * np.r_[np.ones(120), np.zeros(8)]   # 8 dead features
F2 = rng.normal(size=(100, 128)) * np.r_[np.ones(120), np.zeros(8)]
C1, C2 = np.cov(F1.T), np.cov(F2.T)
lam_naive = np.linalg.eigvals(C1 @ C2)
print(f"rank of each covariance: {np.linalg.matrix_rank(C1)} of 128")
print(f"naive eig(S1 S2): {np.sum(np.abs(lam_naive.imag) > 0)} complex, {np.sum(lam_naive.real < 0)} negative real parts "
      f"(smallest {lam_naive.real.min():.1e})")
lam_sym = np.linalg.eigvalsh(sqrtm_sym(C1) @ C2 @ sqrtm_sym(C1))
print(f"symmetric form  : all real, smallest {lam_sym.min():.1e} (clipped to 0)")
print(f"FID(F1, F1) = {metrics.fid_from_features(F1, F1):.6f}, FID(F1, F2) = {metrics.fid_from_features(F1, F2):.1f}")
assert metrics.fid_from_features(F1, F1) < 1e-6 and np.isfinite(metrics.fid_from_features(F1, F2))

# %% [markdown]
# ## 3. MNIST-FID: the Fréchet distance between classifier features
#
# FID (Heusel et al., 2017) uses the 2048 penultimate features of an Inception network trained on ImageNet photographs.
# For digits that judge is wrong (its features describe colour photographs; 28×28 grey digits must be upscaled to fit)
# and it needs a download. `gan_utils` ships its own judge: `metrics.MnistClassifier`, a 4-layer CNN
# (three 3×3 conv + max-pool blocks, a 128-unit layer, a 10-way output), trained by `scripts/train_classifier.py`
# with the command in its docstring. Its **128 penultimate features** give MNIST-FID, its **class probabilities** give
# the Inception-style score and the class histogram. A judge must first be a good classifier:

# %%
clf = metrics.load_classifier()
meta = metrics.classifier_meta()
print(f"parameters: {models.count_params(clf):,}; shipped test accuracy {meta['test_accuracy']:.4f} "
      f"({meta['test_errors']} errors in 10,000); rebuilt by: {meta['command']}")   # NBVAL_CHECK_OUTPUT

# %%
x_test, y_test = data.load_mnist("test")
x_train, y_train = data.load_mnist("train")
feat_test, prob_test = metrics.classifier_outputs(x_test)        # float64 (10000, 128), (10000, 10)
acc = np.mean(prob_test.argmax(1) == y_test)
print(f"measured now: accuracy {acc:.4f}; features {feat_test.shape}, probabilities {prob_test.shape}")
assert acc > 0.99 and feat_test.dtype == np.float64

# %% [markdown]
# ### The floor, and why it depends on the number of samples
#
# Two sets of **real** digits are not at distance 0: each set's mean and covariance are estimates, and the
# estimation noise adds to $d^2$. This *floor* is what a perfect generator would score. Below: training images
# against the test set (10,000 images), for growing numbers $N$ of training images. The noise in
# $\hat\Sigma$ shrinks like $1/N$, so FID is **biased upwards by about $c/N$** (Chong & Forsyth, 2020): a line in $1/N$.
# Two FIDs are comparable only at the same $N$ and against the same reference set.

# %%
sizes = [500, 1000, 2000, 5000] if TESTING else [500, 1000, 2000, 5000, 10000, 20000]
key, sub = jax.random.split(key)
perm = np.asarray(jax.random.permutation(sub, len(x_train)))
feat_train, prob_train = metrics.classifier_outputs(x_train[perm[:max(sizes)]])
floor = {n: metrics.fid_from_features(feat_train[:n], feat_test) for n in sizes}
slope, intercept = np.polyfit(1 / np.array(sizes), [floor[n] for n in sizes], 1)
for n in sizes:
    print(f"real (train, N={n:>5}) vs real (test, 10,000): FID {floor[n]:7.3f}")
print(f"fit: FID ~ {intercept:.3f} + {slope:.0f} / N")
fig, ax = plt.subplots(figsize=(6, 3.4))
ns = np.geomspace(min(sizes), max(sizes), 100)
ax.plot(ns, intercept + slope / ns, "--", color="gray", label=f"fit {intercept:.2f} + {slope:.0f} / N")
ax.plot(sizes, [floor[n] for n in sizes], "o", color=REAL_COLOR, label="train vs test (both real)")
ax.set_xscale("log"); ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
ax.set_xlabel("N, number of training images (against all 10,000 test images)"); ax.set_ylabel("MNIST-FID")
ax.set_title("The real-against-real floor of MNIST-FID shrinks like 1/N"); ax.legend(fontsize=8)
plt.show()
print(f"extrapolated to N = infinity: {intercept:.2f}; almost all of the floor is the 1/N bias of the estimate")
assert floor[500] > floor[2000] > floor[max(sizes)] and floor[max(sizes)] < 1.0 and abs(intercept) < 0.5


# %% [markdown]
# ## 4. The Inception-style score, and what it misses
#
# The Inception Score (Salimans et al., 2016) asks two things of the classifier's $p(y\mid x)$: each sample should be
# **confidently** one class (low entropy of $p(y\mid x)$), and the classes should be **balanced** over samples
# (high entropy of $p(y)=\mathbb E_x\,p(y\mid x)$). Both are in one number:
#
# $$\mathrm{IS} = \exp\Big(\mathbb E_x\,\mathrm{KL}\big(p(y\mid x)\,\|\,p(y)\big)\Big) = \exp\big(H(y) - \mathbb E_x H(y\mid x)\big)\in[1, 10].$$
#
# It never looks at real data. A "generator" that replays **one image per digit** is confident and perfectly balanced,
# so it scores near the maximum, while FID (and recall, below) sees that it has no variety at all:

# %%
def is_by_hand(p):
    py = p.mean(0)
    return float(np.exp(np.mean(np.sum(p * (np.log(p + 1e-30) - np.log(py + 1e-30)), 1))))

ten = np.stack([x_train[np.flatnonzero(y_train == d)[0]] for d in range(10)])   # one training image per digit
replay = np.repeat(ten, 200, axis=0)                                           # 2,000 "samples"
f_rep, p_rep = metrics.classifier_outputs(replay)
n_cmp = 2000
print(f"real (2,000 training images): IS {is_by_hand(prob_train[:n_cmp]):.2f}, FID {floor[2000]:.2f}")
print(f"replay of 10 images (2,000) : IS {is_by_hand(p_rep):.2f}, FID {metrics.fid_from_features(f_rep, feat_test):.1f}")
assert abs(is_by_hand(p_rep) - metrics.inception_score(p_rep)) < 1e-9
assert metrics.inception_score(p_rep) > 9.0 and metrics.fid_from_features(f_rep, feat_test) > 20 * floor[2000]

# %% [markdown]
# ## 5. Precision and recall
#
# FID folds two failures into one number: samples that look wrong (low **quality**) and real variety the generator
# never produces (low **coverage**). Kynkäänniemi et al. (2019) separate them. Estimate each set's support in feature
# space as a union of balls: around every point a ball whose radius is the distance to its $k$-th nearest neighbour in
# the same set ($k=3$). Then
#
# - **precision** = fraction of generated samples inside the real support (are the samples realistic?);
# - **recall** = fraction of real samples inside the generated support (is the real variety produced?).
#
# In two dimensions we can draw it: a generator that covers one of three clusters well has high precision, low recall.

# %%
key, k1, k2 = jax.random.split(key, 3)
centres = np.array([[-2.0, 0.0], [0.0, 2.0], [2.0, 0.0]])
real2d = centres[np.arange(150) % 3] + 0.4 * np.asarray(jax.random.normal(k1, (150, 2)))
fake2d = centres[0] + 0.3 * np.asarray(jax.random.normal(k2, (150, 2)))
def knn_radius(x, k=3):
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    return np.sort(d, 1)[:, k]                                  # column 0 is the point itself
r_real, r_fake = knn_radius(real2d), knn_radius(fake2d)
d_fr = np.sqrt(((fake2d[:, None] - real2d[None]) ** 2).sum(-1))  # (fake, real)
precision = np.mean((d_fr <= r_real[None, :]).any(1))
recall = np.mean((d_fr.T <= r_fake[None, :]).any(1))
print(f"by hand: precision {precision:.2f}, recall {recall:.2f}")
print("gan_utils: precision {:.2f}, recall {:.2f}".format(*metrics.precision_recall(real2d, fake2d)))
fig, ax = plt.subplots(figsize=(6, 3.6))
for p, r in zip(real2d, r_real):
    ax.add_patch(plt.Circle(p, r, color=REAL_COLOR, alpha=0.08, lw=0))
ax.scatter(*real2d.T, s=8, color=REAL_COLOR, label="real")
ax.scatter(*fake2d.T, s=8, color=FAKE_COLOR, label="generated")
ax.set_aspect("equal"); ax.set_xlim(-4, 4); ax.set_ylim(-1.8, 3.8)
ax.set_xlabel("feature 1"); ax.set_ylabel("feature 2")
ax.set_title(f"Real support (k-NN balls): precision {precision:.2f}, recall {recall:.2f}"); ax.legend(fontsize=8)
plt.show()
assert np.allclose((precision, recall), metrics.precision_recall(real2d, fake2d))
assert precision > 0.8 and recall < 0.5


# %% [markdown]
# ## 6. Sanity checks every metric must pass
#
# Before a metric scores a GAN it must score things whose answer we know. On 2,000 images each, against the
# 10,000 test digits:
#
# | input | what a sound metric must say |
# |---|---|
# | real training digits | at the floor; IS near 10; all 10 digits; precision and recall high |
# | uniform noise | far worse than real on every number |
# | blurred real digits (Gaussian, σ = 1.5 px) | clearly worse FID and recall, though still digits |
# | a "generator" that draws only the digit 1 | collapsed coverage: 1 digit, IS near 1, recall far below real |
# | replay of 10 training images | IS fooled (near 10); FID and recall not |

# %%
def gaussian_blur(images, sigma):
    r = int(3 * sigma)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2); k /= k.sum()
    x = images[..., 0].astype(np.float64)
    x = np.apply_along_axis(lambda v: np.convolve(v, k, mode="same"), 1, x)
    x = np.apply_along_axis(lambda v: np.convolve(v, k, mode="same"), 2, x)
    return np.clip(np.round(x), 0, 255).astype(np.uint8)[..., None]

n_check = 2000
real_imgs = x_train[perm[:n_check]]
key, sub = jax.random.split(key)
noise = np.asarray(jax.random.randint(sub, (n_check, 28, 28, 1), 0, 256), np.uint8)
blurred = gaussian_blur(real_imgs, 1.5)
ones = x_train[np.flatnonzero(y_train == 1)[:n_check]]
ref = (feat_test, prob_test)
checks = {"real (train)": metrics.image_metrics((feat_train[:n_check], prob_train[:n_check]), ref, pr_n=n_check),
          "uniform noise": metrics.image_metrics(noise, ref, pr_n=n_check),
          "blurred real": metrics.image_metrics(blurred, ref, pr_n=n_check),
          "only the digit 1": metrics.image_metrics(ones, ref, pr_n=n_check),
          "replay of 10 images": metrics.image_metrics((f_rep, p_rep), ref, pr_n=n_check)}

def table(rows):
    cols = ["fid", "inception_score", "digits_covered", "class_reverse_kl", "precision", "recall"]
    print(f"{'':22s}" + "".join(f"{c:>17s}" for c in cols))
    for name, m in rows.items():
        print(f"{name:22s}" + "".join(f"{m[c]:17.3f}" if isinstance(m[c], float) else f"{m[c]:17d}" for c in cols))
table(checks)
fig, axes = plt.subplots(1, 4, figsize=(11, 3))
for ax, (name, imgs) in zip(axes, [("real (train)", real_imgs), ("uniform noise", noise),
                                   ("blurred real", blurred), ("only the digit 1", ones)]):
    plots.show_images(imgs[:36], nrow=6, ax=ax, title=name)
plt.show()

# %%
# The checks, as asserts: every metric ranks the known cases the right way.
c = checks
assert c["real (train)"]["fid"] < 2.0 and c["real (train)"]["digits_covered"] == 10
assert c["real (train)"]["inception_score"] > 9.5 and min(c["real (train)"]["precision"], c["real (train)"]["recall"]) > 0.6
assert c["uniform noise"]["fid"] > 100 * c["real (train)"]["fid"] and c["uniform noise"]["precision"] < 0.05
assert c["blurred real"]["fid"] > 10 * c["real (train)"]["fid"] and c["blurred real"]["recall"] < 0.1 * c["real (train)"]["recall"]
assert c["only the digit 1"]["digits_covered"] == 1 and c["only the digit 1"]["inception_score"] < 1.5
assert c["only the digit 1"]["recall"] < 0.2 and c["only the digit 1"]["class_reverse_kl"] > 2.0
assert c["replay of 10 images"]["inception_score"] > 9.0 and c["replay of 10 images"]["recall"] < 0.05
print("all sanity checks pass")
print(f"but precision alone would pass blurred digits ({c['blurred real']['precision']:.2f}) and one-digit samples "
      f"({c['only the digit 1']['precision']:.2f}) as well as real ones ({c['real (train)']['precision']:.2f})")

# %% [markdown]
# **Precision fails the blur check on its own.** Blurred digits, and a generator of nothing but ones, land inside the real
# support: a few real outliers have a huge $k$-NN radius, and the union of their balls swallows whole regions of feature
# space. That is why precision is always read *with* recall (which drops to about 0 for both), and why Naeem et al. (2020)
# proposed "density and coverage" to make it robust to outliers. No single number suffices: report FID with its floor,
# the class histogram, precision and recall together.

# %% [markdown]
# ## 7. Scoring the shipped generator
#
# `gan_utils` ships a DCGAN generator trained on MNIST (`python -m gan_utils sample --pretrained`). We score it the
# same way, at the same $N$ as the floor beside it, first with the Python API, then with the command line, which prints
# the same numbers as JSON (the keys are documented in `gan_utils/metrics.py`). To score your own run, point
# `GEN_DIR` at the folder you gave `python -m gan_utils train --out`.

# %%
GEN_DIR = checkpoint.pretrained_dir()          # the shipped DCGAN; or Path("my_run"), your own `train --out` folder
n_gen = 2000 if TESTING else 10000
HAVE_GENERATOR = (GEN_DIR / checkpoint.META_FILE).exists()
key, sub = jax.random.split(key)               # split either way, so later cells draw the same keys
if HAVE_GENERATOR:
    gmeta = checkpoint.load_meta(GEN_DIR)
    gan = checkpoint.load_gan(GEN_DIR)
    fake = data.to_uint8(models.sample(gan.generator, sub, n_gen))
    scores = {f"real (train), N={n_gen}": metrics.image_metrics((feat_train[:n_gen], prob_train[:n_gen]), ref),
              f"generator, N={n_gen}": metrics.image_metrics(fake, ref)}
    table(scores)
    g = scores[f"generator, N={n_gen}"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 1.6]})
    plots.show_images(fake[:64], nrow=8, ax=axes[0], title=f"generator samples (step {gmeta.get('step', '?')})")
    real_hist = np.asarray(scores[f"real (train), N={n_gen}"]["class_histogram"])
    axes[1].bar(np.arange(10) - 0.2, real_hist / real_hist.sum(), 0.4, color=REAL_COLOR, label="real (train)")
    axes[1].bar(np.arange(10) + 0.2, np.asarray(g["class_histogram"]) / n_gen, 0.4, color=FAKE_COLOR, label="generator")
    axes[1].axhline(0.1, color="gray", ls="--", lw=1)
    axes[1].set_xticks(range(10)); axes[1].set_xlabel("digit (classifier's argmax)"); axes[1].set_ylabel("share of samples")
    axes[1].set_title(f"Class histogram: {g['digits_covered']} of 10 digits covered"); axes[1].legend(fontsize=8)
    plt.show()
    assert g["digits_covered"] == 10 and g["fid"] > scores[f"real (train), N={n_gen}"]["fid"]
    assert g["fid"] < c["uniform noise"]["fid"] / 2 and g["recall"] > c["only the digit 1"]["recall"]
else:
    print(f"No generator checkpoint at {GEN_DIR}: this install lacks the pretrained weights.\n"
          "Train one with `python -m gan_utils train --dataset mnist --steps 3000 --out my_run` and set "
          "GEN_DIR = Path('my_run') above; the rest of the notebook does not need it.")

# %%
# The same from the command line: draw samples into an .npz, then `evaluate` them (with the real floor).
if HAVE_GENERATOR:
    n_cli = 1000 if TESTING else 10000
    src = ["--pretrained"] if GEN_DIR == checkpoint.PRETRAINED_DIR else ["--checkpoint", str(GEN_DIR)]
    run = lambda *a: subprocess.run([sys.executable, "-m", "gan_utils", *a], check=True, capture_output=True, text=True)
    with tempfile.TemporaryDirectory() as tmp:
        npz = str(Path(tmp) / "samples.npz")
        print(f"$ python -m gan_utils sample {' '.join(src)} --n {n_cli} --out samples.npz")
        run("sample", *src, "--n", str(n_cli), "--out", npz)
        t0 = time.perf_counter()
        out = json.loads(run("evaluate", "--samples", npz, "--real", "mnist-train", "--compact").stdout)
    print(f"$ python -m gan_utils evaluate --samples samples.npz --real mnist-train   ({time.perf_counter() - t0:.0f} s)")
    for k, v in out.items():
        print(f"{k}: {json.dumps(v)}")
    assert out["samples"]["n"] == out["real"]["n"] == n_cli and out["samples"]["fid"] > out["real"]["fid"]

# %% [markdown]
# ## 8. Mode coverage on the ring and the grid
#
# On 2-D mixtures we know every mode, so coverage can be counted directly. VEEGAN (Srivastava et al., 2017) and
# PacGAN (Lin et al., 2018) draw 2,500 samples and call a sample **high quality** if it lies within 3 standard deviations
# of its nearest mode; a mode is **covered** if at least one high-quality sample falls on it; the **reverse KL**
# $\mathrm{KL}(q\,\|\,p)$ compares the histogram $q$ of high-quality samples over modes with the true weights $p$
# (uniform). `metrics.toy_mode_metrics` computes all three. We train the small MLP GAN of notebook 05 on each
# (`gan_utils.data.ring()`: 8 modes, radius 1, σ = 0.01; `grid()`: 25 modes, spacing 2, σ = 0.05), briefly:

# %%
toy_steps = 1000 if TESTING else 5000
toy = {}
for name in ("ring", "grid"):
    dist = data.toy_dataset(name)
    key, k_data, k_batch, k_init, k_fit, k_eval = jax.random.split(key, 6)
    pts = np.asarray(dist.sample(k_data, 100_000))
    rngs = nnx.Rngs(int(jax.random.randint(k_init, (), 0, 2**31 - 1)))
    gan_toy = steps.GAN(models.MLPGenerator(latent_dim=2, out_dim=2, hidden=(256, 256), rngs=rngs),
                        models.MLPDiscriminator(in_dim=2, hidden=(256, 256), rngs=rngs), g_lr=1e-4, d_lr=1e-4)
    res = train.fit(gan_toy, data.BatchSampler(pts, 256, k_batch), key=k_fit, steps=toy_steps, progress=False)
    samples_toy = np.asarray(models.sample(gan_toy.generator, k_eval, 2500))
    toy[name] = (dist, pts, samples_toy, metrics.toy_mode_metrics(samples_toy, dist))
    print(f"{name}: {toy_steps} steps in {res.seconds:.1f} s")

# %%
literature = {"ring": {"VEEGAN Table 1: GAN": 1, "PacGAN Table 1: GAN": 6.3},
              "grid": {"VEEGAN Table 1: GAN": 3.3, "PacGAN Table 1: GAN": 17.3}}
print(f"{'':8s}{'modes covered':>26s}{'high-quality':>14s}{'reverse KL':>12s}   literature (standard GAN, modes)")
for name, (dist, pts, s, m) in toy.items():
    lit = ", ".join(f"{k} {v}" for k, v in literature[name].items())
    print(f"{name:8s}{m['modes_covered']:>19d} of {m['n_modes']:<4d}{m['high_quality_fraction']:>14.1%}"
          f"{m['reverse_kl']:>12.3f}   {lit}")
fig, axes = plt.subplots(1, 2, figsize=(11, 5))
for ax, (name, (dist, pts, s, m)) in zip(axes, toy.items()):
    ax.scatter(*pts[:2500].T, s=3, color=REAL_COLOR, alpha=0.4, label="real")
    ax.scatter(*s.T, s=3, color=FAKE_COLOR, alpha=0.4, label="generated")
    for mu, sd, cnt in zip(dist.means, dist.stds, m["mode_histogram"]):
        ax.add_patch(plt.Circle(mu, 3 * sd, fill=False, color="k" if cnt else "red", lw=1 if cnt else 2.5, zorder=3))
    lim = 1.6 if name == "ring" else 5.5
    ax.set_xlim(-lim, lim); ax.set_ylim(-lim, lim); ax.set_aspect("equal")
    ax.set_xlabel("$x_1$"); ax.set_ylabel("$x_2$")
    ax.set_title(f"{name}: {m['modes_covered']}/{m['n_modes']} modes, {m['high_quality_fraction']:.0%} high quality\n"
                 "(circles: 3 std; red = mode missed)")
    ax.legend(loc="upper right", fontsize=8, markerscale=3)
plt.show()
for name, (dist, pts, s, m) in toy.items():   # what the true distribution scores, and what our GAN must reach
    truth = metrics.toy_mode_metrics(pts[:2500], dist)
    assert truth["modes_covered"] == truth["n_modes"] and truth["high_quality_fraction"] > 0.98
    assert m["modes_covered"] >= 1 and 0 <= m["high_quality_fraction"] <= 1

# %% [markdown]
# Read the three numbers together. "Modes covered" alone is lenient: one high-quality sample is enough, so a blurry
# generator that smears mass over the whole ring covers every mode while only a fraction of its samples are of high
# quality (σ = 0.01 makes "within 3σ" a disc of radius 0.03). Our run is short (5,000 steps of a 2×256 MLP, one seed;
# 1,000 under the test suite), the papers train longer and average over many runs (VEEGAN: 10), so compare the method
# and the definitions, not the digits: count what can be counted, and print the literature's number, with its
# definition, beside yours.
#
# ## Summary
#
# - A GAN's samples lie on a surface of dimension at most 64 in 784-dimensional space (the Jacobian's rank, measured),
#   so it has no density and no likelihood to report. We compare samples with samples, in a feature space.
# - The Fréchet distance between Gaussians is $\|\mu_1-\mu_2\|^2+\operatorname{tr}\Sigma_1+\operatorname{tr}\Sigma_2-2\operatorname{tr}(\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2})^{1/2}$;
#   computed through the symmetric form and `eigh` in float64 it stays real for singular covariances.
# - **MNIST-FID** uses the shipped classifier's 128 features. Real against real is not 0: the floor shrinks like $1/N$,
#   so report FID with $N$, the reference set and the floor beside it.
# - The **Inception-style score** checks confidence and balance but never sees real data: replaying 10 images scores near 10.
# - **Precision** (quality) and **recall** (coverage) split what FID mixes.
# - Every metric passed its **sanity checks**: real near the floor, noise and blur far worse, one digit collapses coverage.
# - On the ring and the grid, modes covered, high-quality fraction and reverse KL are defined exactly as in VEEGAN and PacGAN.
# - `python -m gan_utils evaluate --samples samples.npz [--real mnist-train]` prints all of it as JSON.
#
# ## Exercises
#
# 1. **The roles swapped.** Compute the FID of the first 2,000 *test* features (`feat_test[:2000]`) against all the
#    *training* features in `feat_train`. Store it in `ex1`. Is it close to `floor[2000]`, and why not exactly?
# 2. **A metric that fails a sanity check.** The distance between mean pixel intensities,
#    $|\bar x_{\text{test}}-\bar x_{\text{gen}}|$ in [0, 255] units, is a "metric" too. Compute it for the real training
#    images `real_imgs` (`ex2_real`) and for the blurred ones `blurred` (`ex2_blur`). Which sanity check does it fail?
# 3. **Truncation.** Sample the shipped generator with $z$ scaled by 0.5 (`models.sample(..., z=0.5 * z)`), score it with
#    `metrics.image_metrics`, and compare precision and recall with the unscaled samples. Store the metrics dict in `ex3`
#    (skip if there is no generator).

# %%
# Your answers here (set ex1, ex2_real, ex2_blur, ex3), then run the checker below.
ex1 = ex2_real = ex2_blur = ex3 = None


# %%
# Checker: run after your answers.
def check_exercises():
    if ex1 is not None:
        want = metrics.fid_from_features(feat_test[:2000], feat_train)
        print("1:", f"correct ({ex1:.3f} vs floor[2000] = {floor[2000]:.3f}: both are real-against-real at N = 2,000; "
              "the reference sets differ, so the estimation noise differs)" if abs(ex1 - want) < 1e-6
              else f"expected {want:.3f}")
    if ex2_real is not None and ex2_blur is not None:
        want = [abs(float(x_test.mean()) - float(v.mean())) for v in (real_imgs, blurred)]
        ok = np.allclose([ex2_real, ex2_blur], want, atol=1e-3)
        print("2:", f"correct: {ex2_real:.2f} for real, {ex2_blur:.2f} for blurred. Blurring keeps the mean intensity, so "
              "this 'metric' cannot tell blurred digits from real ones: it fails the blur check." if ok
              else f"expected {want[0]:.2f} and {want[1]:.2f} (use float means of the uint8 images)")
    if ex3 is not None:
        print("3:", "done: truncation raises precision and lowers recall" if {"precision", "recall"} <= set(ex3)
              else "ex3 should be the dict returned by metrics.image_metrics")
    if all(v is None for v in (ex1, ex2_real, ex2_blur, ex3)):
        print("no answers yet: set ex1, ex2_real, ex2_blur, ex3 above")
check_exercises()

# %% [markdown]
# ---
# This is the last notebook of the course. Back to [the course overview](../README.md); for further reading, the
# papers cited above: Heusel et al. (2017) for FID, Salimans et al. (2016) for the Inception Score, Kynkäänniemi
# et al. (2019) for precision and recall, Chong & Forsyth (2020) for FID's bias, Srivastava et al. (2017, VEEGAN) and
# Lin et al. (2018, PacGAN) for mode counting.
