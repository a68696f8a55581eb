# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: slideshow,-all
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

# %% [markdown] slideshow={"deck": {"notes": "Today: the probability a GAN needs, nothing more. Every claim on these slides was computed in the notebook; the numbers on the screen are its saved outputs.\nAsk first: who has met KL divergence? Who could say why it is not symmetric? Keep the answers for the KL slide.\nTiming for 50 minutes: one minute each on \u00a71 and \u00a73 (slides 2-3 and 7-8, shown from the outputs), one slide for \u00a78; spend the time on \u00a72, \u00a74-\u00a77 and \u00a79.", "text": "# 01 Probability background\n\nWhat a GAN needs from probability, each idea checked with numbers:\n\n- samples and densities; sampling by transforming noise\n- Monte Carlo and its $1/\\sqrt n$ error\n- maximum likelihood, KL and JSD\n- why a generator has no likelihood, and the classifier that replaces it"}, "slide_type": "slide"}
# # 01 Probability background
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gans-in-jax/blob/main/notebooks/01_probability_background.ipynb)
#
# A generative adversarial network (GAN) turns random noise into samples that look like data. This notebook builds
# the probability it rests on, and checks each idea with a number. The symbols are in the
# [notation table](../docs/notation.md); $p$ is always the data and $q$ the model.
#
# **You will learn**
#
# - a *density* $p(x)$ against *samples* $x_i \sim p$, and how to estimate one from the other;
# - to **sample by transforming noise**, $x = g(z)$: the *push-forward*, a GAN generator;
# - **Monte Carlo** averages and their $1/\sqrt{n}$ error;
# - **maximum likelihood** = minimum **cross-entropy** = minimum $\mathrm{KL}(p\,\|\,q)$;
# - the **KL divergence** (asymmetric) and the **Jensen-Shannon divergence** $\mathrm{JSD}$ (symmetric, at most
#   $\log 2$);
# - **mode covering** against **mode seeking**, with a widget;
# - why a generator has **no likelihood**, and the **density-ratio trick**: a classifier of data against model
#   samples learns $p/(p+q)$: the GAN's discriminator.

# %%
# Setup: the course package (from this clone; on Colab, from GitHub), then imports, seed and devices.
import importlib.util, os, subprocess, sys, time
T_START = time.perf_counter()  # this notebook's time, top to bottom, is printed by its last cell
REPO = "https://github.com/gan-course/gans-in-jax"  # = gan_utils.course.REPO_URL (scripts/set_repository.py)
CLONE = next((os.path.abspath(p) for p in ("..", ".", "../..") if os.path.isfile(f"{p}/gan_utils/course.py")), None)
if CLONE:  # a clone of the course: use it, not a download
    sys.path.insert(0, CLONE)
elif importlib.util.find_spec("gan_utils") is None:  # Colab: the course alone, keeping Colab's jax and widgets
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "gan-utils @ " + os.environ.get("GAN_COURSE_REPO", f"git+{REPO}@main")], check=True)
    importlib.invalidate_caches()
from gan_utils import course
print(course.setup(CLONE))  # installs what is missing (gan_utils/course.py); says so if a restart is needed
import math, time
from functools import partial
import jax, jax.numpy as jnp, numpy as np, matplotlib.pyplot as plt, optax
import ipywidgets as widgets
from gan_utils import exercises
from gan_utils.data import mixture_1d
from gan_utils.plots import REAL_COLOR, FAKE_COLOR, D_COLOR
from gan_utils.widgets import interactive_figure
# (TESTING below is part of the shared template: this notebook does not use it and runs the same under test.)
SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
course.style()  # the course's figure style; GAN_COURSE_PROJECTOR=1: projector mode, for a hall
print(f"JAX {jax.__version__} on {jax.devices()}")

# %% [markdown] slideshow={"deck": {"notes": "The two-mode mixture comes back in every section today: it is the smallest data a generator can get wrong in an interesting way.\nSay it plainly: a GAN never sees a density, only a training set. Everything today is about what we can still do with samples.", "text": "## 1. Densities and samples\n\nA density: $p(x) \\ge 0$, $\\int p(x)\\,dx = 1$, probabilities are areas.\n\nOur running example, two modes:\n\n$$p(x) = \\tfrac12\\,\\mathcal N(x;\\,-2,\\,0.5^2) + \\tfrac12\\,\\mathcal N(x;\\,2,\\,0.5^2)$$\n\nIn GANs we almost never have $p$: we have **samples**."}, "slide_type": "slide"}
# ## 1. Densities and samples
#
# A continuous random variable $X$ has a **density** $p(x) \ge 0$ with $\int p(x)\,dx = 1$. Probabilities are areas
# under it: $P(a \le X \le b) = \int_a^b p(x)\,dx$. Our running example is a mixture of two Gaussians:
#
# $$p(x) = \tfrac12\,\mathcal N(x;\,-2,\,0.5^2) + \tfrac12\,\mathcal N(x;\,2,\,0.5^2),
# \qquad \mathcal N(x;\mu,\sigma^2) = \frac{1}{\sigma\sqrt{2\pi}}\,e^{-(x-\mu)^2/(2\sigma^2)}.$$
#
# `gan_utils.data.mixture_1d()` gives this distribution, with exact `.pdf`, `.cdf` and `.sample`. We also write its
# log-density by hand, and a JAX sampler: pick a component with probability $\frac12$, then draw from that Gaussian.

# %%
p = mixture_1d()                      # modes at -2 and 2, std 0.5, weights 1/2 each
P_MEANS, P_STDS, P_WEIGHTS = p.means[:, 0], p.stds, p.weights

def log_normal(x, mu, sigma):
    # log N(x; mu, sigma^2), float64
    return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma * np.sqrt(2 * np.pi))

def log_p(x):
    # log p(x) for the mixture: log sum_k w_k N(x; ...) by log-sum-exp, log(e^a + e^b) = m + log(e^(a-m) + e^(b-m))
    # with m = max(a, b): the larger term is e^0 = 1, so the sum never underflows to 0
    x = np.asarray(x, np.float64)[..., None]
    return np.logaddexp.reduce(np.log(P_WEIGHTS) + log_normal(x, P_MEANS, P_STDS), axis=-1)

@partial(jax.jit, static_argnums=1)
def sample_p(key, n):
    # ancestral sampling: pick component k with probability w_k, then x = mu_k + sigma_k * (standard normal);
    # categorical takes log-probabilities (logits), hence jnp.log(weights)
    k_comp, k_noise = jax.random.split(key)
    comp = jax.random.categorical(k_comp, jnp.log(jnp.asarray(P_WEIGHTS, jnp.float32)), shape=(n,))
    return jnp.asarray(P_MEANS, jnp.float32)[comp] + jnp.asarray(P_STDS, jnp.float32)[comp] * jax.random.normal(k_noise, (n,))

xs = np.linspace(-8, 8, 4001)          # integration grid, spacing 0.004
dx = xs[1] - xs[0]
p_grid = np.exp(log_p(xs))

# %%
# Check: our density equals gan_utils' and integrates to 1.
# NBVAL_CHECK_OUTPUT
total = np.trapezoid(p_grid, xs)
assert abs(total - 1) < 1e-6, total
assert np.allclose(p_grid, np.asarray(p.pdf(xs)), atol=1e-6)
print(f"integral of p over [-8, 8] = {total:.6f}; P(X < 0) = {np.trapezoid(p_grid[xs < 0], xs[xs < 0]):.4f}")


# %% [markdown]
# In GANs we almost never have the density, only **samples** $x_1,\dots,x_n$: the training set. Two estimates turn
# samples back into a density:
#
# - **Histogram**: cut the line into bins of width $w$; in a bin, $\hat p(x) = \dfrac{\#\{x_i \text{ in the bin}\}}{n\,w}$.
# - **Kernel density estimate (KDE)**: put a Gaussian bump of width $h$ on every sample,
#   $$\hat p_h(x) = \frac1n\sum_{i=1}^n \mathcal N(x;\,x_i,\,h^2).$$
#   We pick the $h$ that gives *held-out* samples the highest average $\log\hat p_h$.
#
# The error is the $L^1$ distance $\int |\hat p - p|\,dx$: 0 is perfect, and 2 means no overlap (each area is 1). The
# KDE converges to $p$, as its $h$ shrinks with $n$. A histogram with 40 fixed bins has a floor (Appendix A, with a
# rule of thumb for $h$).

# %% slideshow={"deck": {"figure": true, "notes": "A kernel density estimate puts a small Gaussian of width h on each sample and averages them.\nPoint at the errors in the panel titles: the KDE is better at every n; with 40 fixed bins the histogram's error cannot fall much below 0.10 (Appendix A). Remember this estimator: section 8 uses it to show why a generator has no likelihood.\nQuestion: what happens to a KDE if h is much too small? (Answer: one spike per sample; it fits the samples, not p. Section 8 pushes this to the limit.)", "text": "### Back from samples to a density: histogram and KDE"}, "slide_type": "slide"}
@jax.jit
def kde(samples, x, h):
    # Gaussian kernel density estimate with bandwidth h at the points x: the mean of n Gaussian bumps
    return jnp.mean(jnp.exp(-0.5 * ((x[:, None] - samples[None, :]) / h) ** 2), axis=1) / (h * jnp.sqrt(2 * jnp.pi))

def choose_bandwidth(samples, held_out, hs=np.geomspace(0.05, 1.0, 10)):
    # the h whose KDE gives the held-out samples the highest average log-density
    scores = [float(jnp.mean(jnp.log(kde(samples, held_out, h) + 1e-30))) for h in hs]
    return hs[int(np.argmax(scores))]

def hist_density(samples, x, bins=40, lim=(-5, 5)):
    # the histogram as a function on the grid x
    counts, edges = np.histogram(np.asarray(samples), bins=bins, range=lim, density=True)
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
    return np.where((x >= lim[0]) & (x < lim[1]), counts[idx], 0.0)

fig, axes = plt.subplots(1, 3, figsize=(13, 3.4), sharey=True)
errors = {}
for ax, n in zip(axes, (100, 1_000, 10_000)):
    key, sub = jax.random.split(key)
    x_all_n = sample_p(sub, n + 1000)
    x_n, x_held = x_all_n[:n], x_all_n[n:]                 # 1,000 held-out samples choose the bandwidth
    h = choose_bandwidth(x_n, x_held)
    kde_n = np.asarray(kde(x_n, jnp.asarray(xs), h), np.float64)
    e_hist = np.trapezoid(np.abs(hist_density(x_n, xs) - p_grid), xs)
    e_kde = np.trapezoid(np.abs(kde_n - p_grid), xs)
    errors[n] = (e_hist, e_kde, h)
    ax.hist(np.asarray(x_n), bins=40, range=(-5, 5), density=True, color=REAL_COLOR, alpha=0.3, label="histogram")
    ax.plot(xs, kde_n, color=D_COLOR, lw=1.5, label=f"KDE, h = {h:.2f}")
    ax.plot(xs, p_grid, color=REAL_COLOR, lw=2, ls="--", label="true p(x)")
    ax.set_xlim(-5, 5); ax.set_xlabel("x")
    ax.set_title(f"n = {n:,}: L1 error hist {e_hist:.3f}, KDE {e_kde:.3f}", fontsize=10)
    ax.legend(fontsize=10, loc="upper center")   # between the two modes, where p is near 0
axes[0].set_ylabel("density")
plt.tight_layout(); plt.show()

# %%
# Check: both estimates get better with more samples, and the held-out h shrinks with n.
assert errors[10_000][0] < errors[100][0] and errors[10_000][1] < errors[100][1]
assert errors[10_000][2] < errors[100][2], errors
print("more samples -> better density estimates: checked")


# %% [markdown] slideshow={"deck": {"notes": "Derive it on the board in one line: apply the increasing F to both sides, then use P(U <= u) = u.\nThe notebook checks its samplers with the Kolmogorov-Smirnov statistic, the largest gap between the samples' CDF and F: 0.0076 for the mixture by bisection, against 0.0115 that correct samples exceed only 1% of the time.", "text": "## 2. Sampling by transforming noise\n\nComputers give uniform $U$. Every other distribution is a **transformation** of it.\n\nInverse CDF: $X = F^{-1}(U)$ has the CDF $F$, because\n\n$$P(X \\le x) = P\\big(U \\le F(x)\\big) = F(x).$$"}, "slide_type": "slide"}
# ## 2. Sampling by transforming noise
#
# Computers produce uniform random numbers $U \sim \mathrm{Uniform}(0,1)$, and from them standard normals. Every
# other distribution is a **transformation** of that noise.
#
# ### 2.1 The inverse-CDF method
#
# Let $F(x) = P(X \le x)$ be the target's cumulative distribution function (CDF), continuous and strictly
# increasing. Set $X = F^{-1}(U)$. Then for every $x$
#
# $$P(X \le x) = P\big(F^{-1}(U) \le x\big) = P\big(U \le F(x)\big) = F(x).$$
#
# The middle step applies the increasing $F$ to both sides; the last uses $P(U \le u) = u$. So $X$ has the CDF $F$.
#
# *Examples*: the exponential distribution with rate $\lambda$ has $F^{-1}(u) = -\log(1-u)/\lambda$, and mean
# $1/\lambda$. Our mixture has no closed-form $F^{-1}$, so we invert its increasing $F$ by **bisection**: halve an
# interval around the answer 40 times (Appendix B measures its precision).
#
# The test: the **Kolmogorov-Smirnov statistic** $\mathrm{KS}_n = \sup_x |\hat F_n(x) - F(x)|$ is the largest gap
# between $F$ and the fraction $\hat F_n(x)$ of the $n$ samples at most $x$. For correct samples and large $n$ it exceeds $1.63/\sqrt n$ only 1% of the time (Appendix B derives the 1.63).

# %%
@partial(jax.jit, static_argnames=("cdf", "iters"))   # compiled once per cdf: 40 steps in one program
def inverse_cdf_bisect(cdf, u, lo=-10.0, hi=10.0, iters=40):
    # Solves cdf(x) = u for every u by bisection (cdf must be increasing).
    def halve(_, bounds):
        lo, hi = bounds
        mid = 0.5 * (lo + hi)
        below = cdf(mid) < u                  # the solution lies above mid
        return jnp.where(below, mid, lo), jnp.where(below, hi, mid)
    lo, hi = jax.lax.fori_loop(0, iters, halve, (jnp.full_like(u, lo), jnp.full_like(u, hi)))
    return 0.5 * (lo + hi)

def ks_statistic(samples, cdf):
    # sup_x |empirical CDF - cdf|, evaluated at the jumps of the empirical CDF
    s = np.sort(np.asarray(samples, np.float64)); n = len(s)
    F = np.asarray(cdf(s), np.float64)
    return max(np.max(np.arange(1, n + 1) / n - F), np.max(F - np.arange(n) / n))

n = 20_000
lam = 1.5
key, k1, k2 = jax.random.split(key, 3)
x_exp = -jnp.log(1 - jax.random.uniform(k1, (n,))) / lam           # exponential via F^{-1}(u)
x_mix = inverse_cdf_bisect(p.cdf, jax.random.uniform(k2, (n,)))     # our mixture via numerical F^{-1}
ks_exp = ks_statistic(x_exp, lambda x: 1 - np.exp(-lam * x))
ks_mix = ks_statistic(x_mix, p.cdf)
ks_crit = 1.63 / math.sqrt(n)
print(f"exponential(rate {lam}): sample mean {float(x_exp.mean()):.4f} (exact 1/rate = {1 / lam:.4f}), "
      f"KS statistic {ks_exp:.4f}")
print(f"mixture by bisection:    KS statistic {ks_mix:.4f}; 1% critical value 1.63/sqrt(n) = {ks_crit:.4f}")
key, k_p_sample = jax.random.split(key)                # Appendix B tests p.sample with this key

# %%
# Check: both samplers pass the Kolmogorov-Smirnov test at the 1% level, and the exponential mean is right.
assert ks_exp < ks_crit and ks_mix < ks_crit, (ks_exp, ks_mix, ks_crit)
assert abs(float(x_exp.mean()) - 1 / lam) < 4 * (1 / lam) / math.sqrt(n)   # within 4 standard errors
print("inverse-CDF sampling: checked")


# %% [markdown] slideshow={"deck": {"notes": "This slide is the bridge to the rest of the course: a generator is a push-forward of noise.\nAsk: where does a generator put little mass? (Where it is steep.) To go from one Gaussian bump to two modes with an empty gap, the map needs a near-jump: the notebook computes a slope of about 1,490 at z = 0 for the exact map.", "text": "### 2.2 The push-forward: $X = g(Z)$, $Z \\sim \\mathcal N(0, 1)$\n\n**This is exactly what a GAN generator is**: $g$ is a network $G_\\theta$.\n\nChange of variables, for an increasing $g$:\n\n$$q(x) = \\frac{\\varphi(z)}{g'(z)}\\bigg|_{z = g^{-1}(x)}$$\n\nSteep $g$: mass stretched thin. Flat $g$: mass piles up.\nThe inverse CDF is one: $g^\\star(z) = F^{-1}(\\Phi(z))$, since $\\Phi(Z)$ is uniform."}, "slide_type": "slide"}
# ### 2.2 The push-forward: any map of noise
#
# Take noise $Z \sim \mathcal N(0, 1)$ and **any** function $g$, and set $X = g(Z)$. The distribution of $X$ is the
# **push-forward** of the noise through $g$. *This is exactly what a GAN generator is*: $g$ is a neural network
# $G_\theta$, and its samples are $G_\theta(z)$ with $z \sim \mathcal N(0, I)$.
#
# For an increasing, differentiable $g$ we can write the CDF $Q$ and the density $q$ of $X$. With $\Phi$ and
# $\varphi$ the standard normal CDF and density:
#
# $$Q(x) = P(g(Z) \le x) = P\big(Z \le g^{-1}(x)\big) = \Phi\big(g^{-1}(x)\big),$$
# $$q(x) = \frac{dQ}{dx} = \varphi\big(g^{-1}(x)\big)\,\frac{d\,g^{-1}(x)}{dx}
#       = \frac{\varphi(z)}{g'(z)}\bigg|_{z = g^{-1}(x)}\qquad\text{(change of variables).}$$
#
# Where $g$ is steep, the noise is stretched thin and the density is low; where $g$ is flat, mass piles up. So
# $g(z) = 0.6\,z + 1.5\tanh(3z)$, steep near $z=0$, splits one Gaussian bump into two peaks.
#
# The inverse CDF is the special case $g^\star(z) = F^{-1}(\Phi(z))$: $\Phi(Z)$ is uniform, so $g^\star$ pushes
# $\mathcal N(0,1)$ **exactly** onto $p$. To cross the empty gap between the modes, $g^\star$ needs a near-jump.
# Put $q = p$ into the change-of-variables formula and solve: $g^{\star\prime}(z) = \varphi(z)/p(g^\star(z))$. By
# symmetry $g^\star(0) = 0$, so its slope at $z = 0$ is $\varphi(0)/p(0)$, huge because $p(0)$ is tiny (Appendix B
# computes it). A small smooth network can hardly make that, so notebook 02 trains its 1-D GAN on modes that overlap.

# %% slideshow={"deck": {"figure": true, "notes": "Left: the two maps, g and the exact map g*. Middle: the histogram of g's samples against the change-of-variables density; they agree. Right: g*'s samples against p.\nMisconception to raise: \"a generator needs a special architecture to make several modes\". Here a smooth map of one Gaussian already makes two peaks.", "text": "### $g(z) = 0.6\\,z + 1.5\\tanh(3z)$ splits one bump into two peaks"}, "slide_type": "slide"}
def g(z):
    return 0.6 * z + 1.5 * jnp.tanh(3 * z)

g_prime = jax.vmap(jax.grad(g))                       # g'(z) by automatic differentiation
phi = lambda z: jnp.exp(-0.5 * z ** 2) / jnp.sqrt(2 * jnp.pi)

xg = jnp.linspace(-4, 4, 801)
z_of_x = inverse_cdf_bisect(g, xg)                    # g is increasing, so bisection inverts it too
q_formula = phi(z_of_x) / g_prime(z_of_x)             # change of variables

key, k_push, k_star = jax.random.split(key, 3)
x_push = g(jax.random.normal(k_push, (50_000,)))      # the push-forward samples
l1_push = float(np.trapezoid(np.abs(hist_density(x_push, np.asarray(xg), bins=80, lim=(-4, 4))
                                    - np.asarray(q_formula)), np.asarray(xg)))
mass_q = float(np.trapezoid(np.asarray(q_formula), np.asarray(xg)))

zs = jnp.linspace(-3, 3, 601)
g_star = inverse_cdf_bisect(p.cdf, jax.scipy.stats.norm.cdf(zs))   # F^{-1}(Phi(z)) pushes N(0,1) onto p

fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
axes[0].plot(zs, g(zs), color=FAKE_COLOR, lw=2, label=r"$g(z) = 0.6z + 1.5\tanh(3z)$")
axes[0].plot(zs, g_star, color="tab:green", lw=2, label=r"$g^\star(z) = F^{-1}(\Phi(z))$")
axes[0].set_xlabel("noise z"); axes[0].set_ylabel("x = g(z)"); axes[0].legend(fontsize=10)
axes[0].set_title("Two maps of Gaussian noise")
axes[1].hist(np.asarray(x_push), bins=80, range=(-4, 4), density=True, color=FAKE_COLOR, alpha=0.35,
             label="samples g(z)")
axes[1].plot(xg, q_formula, color=FAKE_COLOR, lw=2, label=r"$\varphi(z)/g'(z)$ at $z=g^{-1}(x)$")
axes[1].set_xlabel("x"); axes[1].set_ylabel("density"); axes[1].legend(fontsize=10, loc="upper center")
axes[1].set_title(f"Push-forward through g (L1 gap {l1_push:.3f})")
x_star = inverse_cdf_bisect(p.cdf, jax.scipy.stats.norm.cdf(jax.random.normal(k_star, (50_000,))))
axes[2].hist(np.asarray(x_star),
             bins=80, range=(-4, 4), density=True, color=FAKE_COLOR, alpha=0.35, label=r"samples $g^\star(z)$")
axes[2].plot(xs, p_grid, color=REAL_COLOR, lw=2, label="p(x)")
axes[2].set_xlim(-4, 4); axes[2].set_xlabel("x"); axes[2].legend(fontsize=10, loc="upper center")
axes[2].set_title(r"Push-forward through $g^\star$ is exactly p")
plt.tight_layout(); plt.show()
ks_star = ks_statistic(x_star, p.cdf)
print(f"change-of-variables density integrates to {mass_q:.4f}; L1 gap to the histogram of 50,000 samples "
      f"{l1_push:.3f}")
print(f"samples of g*(z): KS statistic against p {ks_star:.4f} (1% critical value {1.63 / math.sqrt(50_000):.4f})")
key, k_dec = jax.random.split(key)                   # Appendix B samples a decreasing map with this key

# %%
# Check: the change-of-variables density is a density and matches the push-forward samples; g* is increasing and
# pushes N(0,1) onto p.
assert abs(mass_q - 1) < 1e-3 and l1_push < 0.08, (mass_q, l1_push)
assert bool(jnp.all(jnp.diff(g_star) > 0)) and ks_star < 1.63 / math.sqrt(50_000)
print("push-forward density: checked")

# %% [markdown] slideshow={"deck": {"notes": "Every GAN loss is an expectation we estimate from a minibatch: this is why the losses are noisy.\nThe rate is free of the dimension (the constant sigma_f is not): that is why we can estimate expectations over 784-pixel images at all.\nQuestion for the class (concept question 6): 100 samples give an RMS error of about 0.2; how many give 0.02?", "text": "## 3. Monte Carlo: averages of samples\n\n$$\\hat\\mu_n = \\frac1n\\sum_{i=1}^n f(x_i), \\qquad \\text{error } \\frac{\\sigma_f}{\\sqrt n}$$\n\nUnbiased; ten times the samples buy only $\\sqrt{10} \\approx 3.16$ times less error,\n**whatever the dimension of $x$**."}, "slide_type": "slide"}
# ## 3. Monte Carlo expectations and their $1/\sqrt n$ error
#
# GAN losses are expectations, $\mu = \mathbb E_{x\sim p}[f(x)]$, that we cannot integrate. We average samples:
#
# $$\hat\mu_n = \frac1n\sum_{i=1}^n f(x_i), \qquad x_i \sim p \text{ independent.}$$
#
# It is **unbiased**, $\mathbb E[\hat\mu_n] = \frac1n\sum_i \mathbb E f(x_i) = \mu$. With
# $\sigma_f^2 = \mathrm{Var}\,f(x)$, the variance of one term, its variance is
#
# $$\mathrm{Var}(\hat\mu_n) = \frac{1}{n^2}\sum_{i=1}^n \mathrm{Var}\,f(x_i) = \frac{\sigma_f^2}{n}.$$
#
# So its root-mean-square (RMS) error is $\sigma_f/\sqrt n$. Ten times more samples buy only $\sqrt{10} \approx 3.16$
# times less error, *whatever the dimension of $x$*. So minibatch losses are noisy, yet expectations over images
# of 784 pixels (notebook 03 on) are within reach.
#
# *Example*: $f(x) = x^2$ under our mixture. A Gaussian with mean $\mu_k$ and width $\sigma_k$ has
# $\mathbb E[x^2] = \mu_k^2 + \sigma_k^2$ and $\mathbb E[x^4] = \mu_k^4 + 6\mu_k^2\sigma_k^2 + 3\sigma_k^4$. A mixture's raw moments $\mathbb E[x^k]$ are the weighted averages of its components'. Both of ours have $\mu_k^2 = 4$ and
# $\sigma_k^2 = 0.25$, so
#
# $$\mu = \mathbb E_p[x^2] = 4 + 0.25 = 4.25,\qquad \mathbb E[x^4] = 16 + 6 + 0.1875 = 22.1875,\qquad
# \sigma_f = \sqrt{22.1875 - 4.25^2} = \sqrt{4.125} \approx 2.031.$$

# %% slideshow={"deck": {"figure": true, "notes": "Read the plot: measured RMS error against n on log-log axes, with the theory line. The slope is -1/2.\nAnswer to the question: about 10,000 samples; the notebook measured 0.1903 at n = 100 and 0.0186 at n = 10,000.", "text": "### The error falls like $1/\\sqrt n$, as the algebra says"}, "slide_type": "slide"}
# The reference values, integrated from p on the grid (the algebra above says 4.25 and 22.1875).
mu_true = np.trapezoid(xs ** 2 * p_grid, xs)
ex4 = np.trapezoid(xs ** 4 * p_grid, xs)
sigma_f = math.sqrt(ex4 - mu_true ** 2)
assert abs(mu_true - 4.25) < 1e-6 and abs(sigma_f ** 2 - 4.125) < 1e-5, (mu_true, sigma_f ** 2)
print(f"by integration: E[x^2] = {mu_true:.4f}, E[x^4] = {ex4:.4f}, sigma_f = {sigma_f:.3f}")

ns = np.array([10, 100, 1_000, 10_000, 100_000])
repeats = 100                          # independent Monte Carlo runs per n (the same in test mode)
t0 = time.perf_counter()
key, sub = jax.random.split(key)
x_mc = sample_p(sub, repeats * ns[-1]).reshape(repeats, ns[-1])        # `repeats` independent runs of 100,000
rms = np.array([float(jnp.sqrt(jnp.mean((jnp.mean(x_mc[:, :n] ** 2, axis=1) - mu_true) ** 2))) for n in ns])
print(f"{repeats * ns[-1]:,} samples drawn and averaged in {time.perf_counter() - t0:.1f} s")
slope = np.polyfit(np.log(ns), np.log(rms), 1)[0]

fig, ax = plt.subplots(figsize=(6, 3.6))
ax.loglog(ns, rms, "o-", color=D_COLOR, label=f"measured RMS error ({repeats} runs per n)")
ax.loglog(ns, sigma_f / np.sqrt(ns), "--", color="gray", label=r"theory $\sigma_f/\sqrt{n}$")
ax.set_xlabel("number of samples n"); ax.set_ylabel(r"RMS error of the estimate of $E[x^2]$")
ax.set_title(f"Monte Carlo error: fitted slope {slope:.3f} (theory -0.5)"); ax.legend(fontsize=10)
plt.show()
for n, r in zip(ns, rms):
    print(f"n = {n:>7,}: RMS error {r:.4f}, theory {sigma_f / math.sqrt(n):.4f}, ratio {r * math.sqrt(n) / sigma_f:.3f}")

# %% slideshow={"deck": {"big": {"find": "slope (-?[\\d.]+)", "say": "the fitted slope of log error against log $n$ (theory: $-0.5$)"}}, "slide_type": "fragment"}
# Check: the error falls like n^(-1/2) and matches sigma_f / sqrt(n) to within 25% at every n.
assert abs(slope + 0.5) < 0.05, slope
assert np.all(np.abs(rms * np.sqrt(ns) / sigma_f - 1) < 0.25)
print(f"Monte Carlo error slope {slope:.3f}: checked")

# %% [markdown] slideshow={"deck": {"notes": "The decomposition is the key line: the entropy H(p) does not depend on theta, so minimising cross-entropy minimises KL(p||q).\nThe arrow is section 3's Monte Carlo average tending to its expectation (the law of large numbers).\nThe notebook fits a Gaussian to samples of N(1.5, 0.8^2) twice, closed form and gradient descent with jax.grad, and they agree to four digits.", "text": "## 4. Maximum likelihood and cross-entropy\n\n$$\\mathrm{NLL}(\\theta) = -\\frac1n\\sum_{i=1}^n \\log q_\\theta(x_i) \\;\\xrightarrow{n\\to\\infty}\\; H(p, q_\\theta) = H(p) + \\mathrm{KL}(p\\,\\|\\,q_\\theta)$$\n\n**Maximum likelihood = minimum cross-entropy = minimum $\\mathrm{KL}(p\\,\\|\\,q_\\theta)$.**\n\nFor a Gaussian: $\\hat\\mu$ = sample mean, $\\hat\\sigma^2$ = mean squared deviation (divided by $n$); gradient descent finds the same."}, "slide_type": "slide"}
# ## 4. Maximum likelihood and cross-entropy
#
# A **model** is a family of densities $q_\theta$. **Maximum likelihood estimation** (MLE) picks the $\theta$ under
# which the data $x_1..x_n \sim p$ is most probable: it minimises the average negative log-likelihood
#
# $$\mathrm{NLL}(\theta) = -\frac1n\sum_{i=1}^n \log q_\theta(x_i)
# \;\xrightarrow{\;n\to\infty\;}\; -\mathbb E_{x\sim p}[\log q_\theta(x)] =: H(p, q_\theta),$$
#
# the **cross-entropy**. (The arrow: section 3's Monte Carlo average tends to its expectation.) Add and subtract
# $\mathbb E_p[\log p]$:
#
# $$H(p, q_\theta) = \underbrace{-\mathbb E_p[\log p]}_{H(p)\text{, entropy, no }\theta}
# + \underbrace{\mathbb E_p\Big[\log\frac{p}{q_\theta}\Big]}_{\mathrm{KL}(p\,\|\,q_\theta)}.$$
#
# So **maximum likelihood = minimum cross-entropy = minimum $\mathrm{KL}(p\,\|\,q_\theta)$**. The cross-entropy never
# goes below the entropy $H(p)$; the NLL of a finite sample can (Appendix C).
#
# For a *Gaussian model* $q_{\mu,\sigma} = \mathcal N(\mu, \sigma^2)$, $-\log q(x) = \log\sigma + \tfrac12\log 2\pi +
# \frac{(x-\mu)^2}{2\sigma^2}$. Set the derivatives of the NLL to zero:
#
# $$\frac{\partial\,\mathrm{NLL}}{\partial\mu} = -\frac1n\sum_i\frac{x_i-\mu}{\sigma^2} = 0 \Rightarrow
# \hat\mu = \frac1n\sum_i x_i, \qquad
# \frac{\partial\,\mathrm{NLL}}{\partial\sigma} = \frac1\sigma - \frac1n\sum_i\frac{(x_i-\mu)^2}{\sigma^3} = 0
# \Rightarrow \hat\sigma^2 = \frac1n\sum_i (x_i-\hat\mu)^2.$$
#
# We fit it both ways: by this closed form, and by gradient descent with `jax.grad`, as neural networks are trained.

# %%
true_mu, true_sigma, n = 1.5, 0.8, 5_000
key, sub = jax.random.split(key)
data = true_mu + true_sigma * jax.random.normal(sub, (n,))

def nll(theta, x):
    # average negative log-likelihood of N(mu, sigma^2); sigma = exp(log_sigma) keeps it positive
    mu, log_sigma = theta["mu"], theta["log_sigma"]
    return jnp.mean(log_sigma + 0.5 * jnp.log(2 * jnp.pi) + 0.5 * ((x - mu) / jnp.exp(log_sigma)) ** 2)

mu_hat, sigma_hat = float(data.mean()), float(jnp.sqrt(jnp.mean((data - data.mean()) ** 2)))   # closed form

opt = optax.adam(0.05)
@jax.jit
def fit(theta):
    def step(carry, _):
        theta, state = carry
        loss, grads = jax.value_and_grad(nll)(theta, data)
        updates, state = opt.update(grads, state)
        return (optax.apply_updates(theta, updates), state), loss
    (theta, _), losses = jax.lax.scan(step, (theta, opt.init(theta)), None, length=1000)
    return theta, losses

theta, nll_curve = fit({"mu": jnp.array(0.0), "log_sigma": jnp.array(0.0)})
mu_gd, sigma_gd = float(theta["mu"]), float(jnp.exp(theta["log_sigma"]))
print(f"closed-form MLE:   mu = {mu_hat:.4f}, sigma = {sigma_hat:.4f}   (truth: {true_mu}, {true_sigma})")
print(f"gradient descent:  mu = {mu_gd:.4f}, sigma = {sigma_gd:.4f}")

# %%
# Check: gradient descent finds the closed-form MLE.
assert abs(mu_gd - mu_hat) < 1e-3 and abs(sigma_gd - sigma_hat) < 1e-3
print("MLE by gradient descent = closed form: checked")

# %% [markdown]
# What if the model **cannot** fit the data, say one Gaussian for our two-mode $p$? MLE still matches the mean and
# standard deviation: with infinite samples, $\mu = 0$ and $\sigma = \sqrt{\mathbb E_p[x^2]}$.

# %% slideshow={"deck": {"big": {"find": "([\\d,]+) times less than at a mode", "say": "times less density of $p$ at the fitted Gaussian's peak ($x = 0$) than at a mode of $p$"}, "notes": "Misconception: \"maximum likelihood finds a typical point\". The best single Gaussian peaks at x = 0, in the empty gap between the modes.\nThe fit is centred at 0 with sigma 2.06: mode covering. KL(p||q) punishes missing any data, so q spreads over both modes. Concept question 2 asks exactly this.\nIf asked: this 1,490 is the same number as the slope of the exact map g* at z = 0 in section 2.2, because p(0) is that far below a mode's height.", "text": "### One Gaussian fitted to two modes, by maximum likelihood"}, "slide_type": "slide"}
key, sub = jax.random.split(key)
x_two = sample_p(sub, 100_000)
print(f"MLE Gaussian for the two-mode p: mu = {float(x_two.mean()):.3f} (exact 0), "
      f"sigma = {float(x_two.std()):.3f} (exact {math.sqrt(4.25):.3f})")
p_0, p_mode = np.exp(log_p(0.0)), np.exp(log_p(-2.0))
print(f"its peak is at x = 0, where p(0) = {p_0:.1e}: {p_mode / p_0:,.0f} times less than at a mode")
assert abs(float(x_two.mean())) < 0.03 and abs(float(x_two.std()) - math.sqrt(4.25)) < 0.03
assert p_0 < 1e-3 * p_mode, (p_0, p_mode)

# %% [markdown]
# The fit has $\sigma = 2.058$ (exact value $\sqrt{4.25} \approx 2.062$). Its peak sits **between** the modes, where $p$ is
# 1,490 times smaller than at a mode. This is *mode covering*; section 7 shows the opposite.


# %% [markdown] slideshow={"deck": {"notes": "Go back to the opening question: why is KL not symmetric? It averages under p, so it punishes q close to 0 where p has mass, and barely cares about q's mass where p has none.\nConcept question 1, before the next slide: for p = N(0, 1) and q = N(1, 2^2), which is larger, KL(p||q) or KL(q||p)?", "text": "## 5. The Kullback-Leibler divergence\n\n$$\\mathrm{KL}(p\\,\\|\\,q) = \\mathbb E_{x\\sim p}\\big[\\log p(x) - \\log q(x)\\big]$$\n\n- never negative (Jensen's inequality); zero only at $q = p$\n- **not symmetric**: it weighs the log-ratio by $p$"}, "slide_type": "slide"}
# ## 5. The Kullback-Leibler divergence
#
# $$\mathrm{KL}(p\,\|\,q) = \int p(x)\log\frac{p(x)}{q(x)}\,dx = \mathbb E_{x\sim p}\big[\log p(x) - \log q(x)\big].$$
#
# **It is never negative.** $\log$ is concave, so Jensen's inequality $\mathbb E[\log Y] \le \log \mathbb E[Y]$ gives
#
# $$-\mathrm{KL}(p\,\|\,q) = \mathbb E_p\Big[\log\frac{q}{p}\Big] \le \log\mathbb E_p\Big[\frac qp\Big]
# = \log\int p\,\frac qp\,dx = \log\int q\,dx = \log 1 = 0,$$
# with equality only when $q/p$ is constant, that is $q = p$.
#
# **It is not symmetric**: in general $\mathrm{KL}(p\,\|\,q) \ne \mathrm{KL}(q\,\|\,p)$. It weighs the log-ratio by
# $p$. So it punishes $q \approx 0$ where $p > 0$ (missing data) heavily, and barely cares about $q > 0$ where
# $p \approx 0$.
#
# **Closed form for two Gaussians** $p = \mathcal N(\mu_1, \sigma_1^2)$, $q = \mathcal N(\mu_2, \sigma_2^2)$. The
# log-ratio is
# $$\log p(x) - \log q(x) = \log\frac{\sigma_2}{\sigma_1} - \frac{(x-\mu_1)^2}{2\sigma_1^2} +
# \frac{(x-\mu_2)^2}{2\sigma_2^2}.$$
#
# Under $x \sim p$: $\mathbb E_p[(x-\mu_1)^2] = \sigma_1^2$, and writing $x - \mu_2 = (x-\mu_1) + (\mu_1-\mu_2)$,
# $\mathbb E_p[(x-\mu_2)^2] = \sigma_1^2 + 2\cdot 0 + (\mu_1-\mu_2)^2$. Therefore
#
# $$\boxed{\mathrm{KL}\big(\mathcal N(\mu_1,\sigma_1^2)\,\|\,\mathcal N(\mu_2,\sigma_2^2)\big)
# = \log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1-\mu_2)^2}{2\sigma_2^2} - \frac12.}$$
#
# For $p = \mathcal N(0, 1)$ and $q = \mathcal N(1, 2^2)$:
# $\mathrm{KL}(p\|q) = \log 2 + \frac{1+1}{8} - \frac12 \approx 0.4431$ and
# $\mathrm{KL}(q\|p) = \log\frac12 + \frac{4+1}{2} - \frac12 \approx 1.3069$, 2.95 times larger.

# %% slideshow={"deck": {"big": {"find": "ratio ([\\d.]+)", "say": "times larger: $\\mathrm{KL}(q\\,\\|\\,p)$ against $\\mathrm{KL}(p\\,\\|\\,q)$, for $p = \\mathcal N(0, 1)$, $q = \\mathcal N(1, 2^2)$"}, "notes": "Misconception: \"KL is a distance\". It is not symmetric: here one direction is almost three times the other.\nThe wide q puts mass where the narrow p has almost none, and KL(q||p) weighs that by q. The next cell checks both values by Monte Carlo, within 2%.", "output": true, "text": "### KL is not symmetric\n\n$$\\mathrm{KL}\\big(\\mathcal N(\\mu_1,\\sigma_1^2)\\,\\|\\,\\mathcal N(\\mu_2,\\sigma_2^2)\\big) = \\log\\frac{\\sigma_2}{\\sigma_1} + \\frac{\\sigma_1^2 + (\\mu_1-\\mu_2)^2}{2\\sigma_2^2} - \\frac12$$"}, "slide_type": "slide"}
def kl_gauss(mu1, s1, mu2, s2):
    # KL( N(mu1, s1^2) || N(mu2, s2^2) ), closed form
    return math.log(s2 / s1) + (s1 ** 2 + (mu1 - mu2) ** 2) / (2 * s2 ** 2) - 0.5

A, B = (0.0, 1.0), (1.0, 2.0)     # p = N(0, 1), q = N(1, 2^2)
# NBVAL_CHECK_OUTPUT
kl_ratio = kl_gauss(*B, *A) / kl_gauss(*A, *B)
assert abs(kl_ratio - 2.95) < 0.01, kl_ratio
print(f"closed form: KL(p||q) = {kl_gauss(*A, *B):.4f}, KL(q||p) = {kl_gauss(*B, *A):.4f}, ratio {kl_ratio:.2f}")


# %% [markdown]
# The **Monte Carlo check** (section 3): draw $x_i \sim p$ and average $\log p(x_i) - \log q(x_i)$.

# %%
def kl_monte_carlo(key, a, b, n=200_000):
    # E_{x ~ N(a)}[log N(x; a) - log N(x; b)] from n samples
    x = a[0] + a[1] * np.asarray(jax.random.normal(key, (n,)), np.float64)
    r = log_normal(x, *a) - log_normal(x, *b)
    return r.mean(), r.std() / math.sqrt(n)

key, k1, k2 = jax.random.split(key, 3)
kl_pq_mc, se_pq = kl_monte_carlo(k1, A, B)
kl_qp_mc, se_qp = kl_monte_carlo(k2, B, A)
rel_pq = abs(kl_pq_mc / kl_gauss(*A, *B) - 1)
rel_qp = abs(kl_qp_mc / kl_gauss(*B, *A) - 1)
print(f"KL(p||q): Monte Carlo {kl_pq_mc:.4f} +- {se_pq:.4f}, closed form {kl_gauss(*A, *B):.4f}, "
      f"relative error {100 * rel_pq:.2f}%")
print(f"KL(q||p): Monte Carlo {kl_qp_mc:.4f} +- {se_qp:.4f}, closed form {kl_gauss(*B, *A):.4f}, "
      f"relative error {100 * rel_qp:.2f}%")

# %%
# Check: the Monte Carlo estimates agree with the closed form to within 2%, and KL is asymmetric.
assert rel_pq < 0.02 and rel_qp < 0.02, (rel_pq, rel_qp)
assert kl_gauss(*B, *A) > 2 * kl_gauss(*A, *B)
print("KL closed form = Monte Carlo (within 2%): checked")


# %% [markdown] slideshow={"deck": {"notes": "Notebook 02 shows that the original GAN, with the best discriminator, minimises this divergence. So its properties are the GAN's.\nDerive the bound if there is time: m >= p/2, so p/m <= 2 and each KL is at most log 2.", "text": "## 6. The Jensen-Shannon divergence\n\n$$\\mathrm{JSD}(p\\,\\|\\,q) = \\tfrac12\\,\\mathrm{KL}(p\\,\\|\\,m) + \\tfrac12\\,\\mathrm{KL}(q\\,\\|\\,m), \\quad m = \\tfrac12(p+q)$$\n\n- symmetric, non-negative\n- **bounded by $\\log 2$**, reached when $p$ and $q$ never overlap"}, "slide_type": "slide"}
# ## 6. The Jensen-Shannon divergence, JSD
#
# Compare $p$ and $q$ with their average $m$:
#
# $$\mathrm{JSD}(p\,\|\,q) = \tfrac12\,\mathrm{KL}(p\,\|\,m) + \tfrac12\,\mathrm{KL}(q\,\|\,m),
# \qquad m = \tfrac12(p + q).$$
#
# - **Symmetric**: swapping $p$ and $q$ swaps the two terms.
# - **Non-negative**, and $0$ only if $p = m = q$ (each KL is $\ge 0$).
# - **Bounded by $\log 2$**: $m \ge \frac12 p$, so $\frac pm \le 2$ and
#   $\mathrm{KL}(p\,\|\,m) = \mathbb E_p[\log\frac pm] \le \log 2$; likewise for $q$. Hence
#   $\mathrm{JSD} \le \log 2 \approx 0.6931$, with equality exactly when $p$ and $q$ never overlap ($p/m = 2$
#   wherever $p > 0$).
#
# Notebook 02 shows that the original GAN, with the best discriminator, minimises this divergence. The bound has a
# dark side: as two Gaussians move apart, JSD flattens at $\log 2$ and says almost nothing about *which way* to
# move. Their KL, $d^2/2$ for unit widths, keeps growing. Without any overlap, JSD is $\log 2$ and KL is infinite:
# neither gives a direction. JSD has no closed form even for two Gaussians, so we integrate on a grid.

# %%
def kl_grid(log_a, log_b, x):
    # KL(a||b) = int a (log a - log b) dx, from log-densities on the grid x (last axis), float64
    a = np.exp(log_a)
    return np.trapezoid(np.where(a > 0, a * (log_a - log_b), 0.0), x, axis=-1)

def js_grid(log_a, log_b, x):
    log_m = np.logaddexp(log_a, log_b) - np.log(2)
    return 0.5 * kl_grid(log_a, log_m, x) + 0.5 * kl_grid(log_b, log_m, x)

x_wide = np.linspace(-15, 60, 75_001)
rows = []
for d in (0, 0.5, 1, 2, 4, 8, 16, 32):
    la, lb = log_normal(x_wide, 0, 1), log_normal(x_wide, d, 1)
    rows.append((d, js_grid(la, lb, x_wide), js_grid(lb, la, x_wide), kl_grid(la, lb, x_wide)))
print(" separation d  JSD(p||q)  JSD(q||p)   KL(p||q) (= d^2/2)")
for d, js_pq, js_qp, kl in rows:
    print(f"{d:12.1f} {js_pq:10.6f} {js_qp:10.6f} {kl:10.3f}")
print(f"log 2 = {math.log(2):.6f}")

# %% slideshow={"deck": {"figure": true, "notes": "Misconception: \"a divergence always says which way to move\". Once the two are far apart, JSD is practically log 2 at every distance: the notebook prints 0.693147 at separations 16 and 32, while KL grows to 512.\nA flat loss gives no gradient. This is the seed of notebook 07's vanishing gradients. Concept question 5.", "text": "### Two Gaussians move apart: JSD flattens at $\\log 2$, KL keeps growing"}, "slide_type": "slide"}
# Both axes logarithmic (d = 0 left out): KL grows as d^2/2 up to 512, JSD stops at log 2; every point is shown.
fig, ax = plt.subplots(figsize=(6.5, 3.6))
ds = np.array([r[0] for r in rows])[1:]
ax.loglog(ds, [r[1] for r in rows[1:]], "o-", color=D_COLOR, label="JSD(p||q)")
ax.loglog(ds, [r[3] for r in rows[1:]], "s--", color="tab:purple", label="KL(p||q)")
ax.axhline(math.log(2), color="gray", ls=":", label="log 2")
ax.set_xlabel("distance d between the means of p = N(0,1) and q = N(d,1)")
ax.set_ylabel("divergence (log scale)"); ax.set_title("JSD saturates at log 2; KL keeps growing")
ax.legend(fontsize=10, loc="upper left")
plt.show()

# %%
# Check, on the table above: JSD is symmetric, at most log 2, and reaches log 2 when p and q separate; the grid KL
# matches the closed form d^2/2.
js_values = np.array([r[1] for r in rows])
assert all(abs(r[1] - r[2]) < 1e-9 and abs(r[3] - r[0] ** 2 / 2) < 1e-6 for r in rows)
assert np.all(js_values <= math.log(2) + 1e-9) and abs(js_values[-1] - math.log(2)) < 1e-6
print(f"JSD symmetric, bounded by log 2 (JSD at d = 32: {js_values[-1]:.6f}): checked")

# %% [markdown] slideshow={"deck": {"notes": "Ask the class to predict before the widget: which divergence picks one mode, and why? KL(q||p) weighs by q, so q must avoid the gap where p is almost 0.\nConcept question 4: JSD's best Gaussian is practically the mode-covering one, but the one on a single mode is only 7% worse.", "text": "## 7. Mode covering against mode seeking\n\nFit one Gaussian $q$ to our two-mode $p$:\n\n- $\\min_q \\mathrm{KL}(p\\,\\|\\,q)$: **covers both modes** (= maximum likelihood)\n- $\\min_q \\mathrm{KL}(q\\,\\|\\,p)$: **picks one mode**\n- $\\min_q \\mathrm{JSD}$: practically the covering one"}, "slide_type": "slide"}
# ## 7. Mode covering against mode seeking (interactive)
#
# Fit one Gaussian $q = \mathcal N(\mu, \sigma^2)$ to our two-mode $p$. Which $q$ is "best" depends on the
# divergence:
#
# - $\mathrm{KL}(p\,\|\,q) = \mathbb E_p[\log p - \log q]$ is large wherever $p$ has mass and $q$ has almost none. Its
#   best $q$ **covers both modes**: $\mathrm{KL}(p\|q) = -H(p) + \log\sigma + \tfrac12\log 2\pi +
#   \frac{\mathrm{Var}_p + (\mathbb E_p x - \mu)^2}{2\sigma^2}$ is smallest at $\mu = \mathbb E_p x = 0$,
#   $\sigma^2 = \mathrm{Var}_p = 4.25$, the MLE of section 4.
# - $\mathrm{KL}(q\,\|\,p) = \mathbb E_q[\log q - \log p]$ is large wherever $q$ puts mass where $p$ has almost none,
#   such as between the modes. Its best $q$ **picks one mode** (mode seeking).
# - $\mathrm{JSD}$ is symmetric: it penalises missing and misplaced mass. Which Gaussian does it prefer?
#
# The next cell finds each divergence's best Gaussian by a grid search; the widget's dashed lines mark their divergence values.

# %%
xq = np.linspace(-10, 10, 2001)
log_p_q = log_p(xq)

def divergences(mu, sigma):
    # KL(p||q), KL(q||p), JSD(p||q) for q = N(mu, sigma^2), by integration on the grid xq
    log_q = log_normal(xq, mu, sigma)
    return kl_grid(log_p_q, log_q, xq), kl_grid(log_q, log_p_q, xq), js_grid(log_p_q, log_q, xq)

# The best single Gaussian for each divergence, by a grid search over (mu, sigma). sigmas[:, None] is a column
# (141, 1), which broadcasts against the grid xq: one call gives the three divergences for all 141 sigmas.
mus, sigmas = np.linspace(-3, 3, 121), np.linspace(0.2, 3.0, 141)
table = np.stack([np.stack(divergences(m, sigmas[:, None]), axis=-1) for m in mus])      # (mu, sigma, 3)
best = {}
for j, name in enumerate(("KL(p||q)", "KL(q||p)", "JSD")):
    i, k = np.unravel_index(np.argmin(table[..., j]), table.shape[:2])
    best[name] = (mus[i], sigmas[k], table[i, k, j])
    print(f"best Gaussian for {name:8s}: mu = {mus[i]:+.2f}, sigma = {sigmas[k]:.2f}, value {table[i, k, j]:.4f}")
js_one_mode = np.where(np.abs(mus)[:, None] >= 1.5, table[..., 2], np.inf)     # only Gaussians centred on a mode
i, k = np.unravel_index(np.argmin(js_one_mode), js_one_mode.shape)
best_js_one_mode = (mus[i], sigmas[k], js_one_mode[i, k])
print(f"best Gaussian for JSD with |mu| >= 1.5 (on one mode): mu = {mus[i]:+.2f}, sigma = {sigmas[k]:.2f}, "
      f"value {js_one_mode[i, k]:.4f},\n  {100 * (js_one_mode[i, k] / best['JSD'][2] - 1):.0f}% above the best JSD")

# %%
# Check: KL(p||q) is minimised by moment matching (mu = 0, sigma = sqrt(4.25)); KL(q||p) by sitting on one mode;
# JSD by covering both modes, with the best one-mode Gaussian within 10% of it.
(mu_a, s_a, _), (mu_b, s_b, _) = best["KL(p||q)"], best["KL(q||p)"]
assert abs(mu_a) < 0.05 and abs(s_a - math.sqrt(4.25)) < 0.02, (mu_a, s_a)
assert abs(abs(mu_b) - 2) < 0.05 and abs(s_b - 0.5) < 0.05, (mu_b, s_b)
assert abs(best["JSD"][0]) < 0.1 and best["JSD"][2] < best_js_one_mode[2] < 1.1 * best["JSD"][2]
print(f"mode covering: mu = {mu_a:+.2f}, sigma = {s_a:.2f}; mode seeking: mu = {mu_b:+.2f}, sigma = {s_b:.2f}")

# %% [markdown]
# The best $\mathrm{KL}(q\|p)$, 0.6931, is $\log 2$: this $q$ is $p$'s component of weight $\frac12$, so
# $\log q - \log p \approx \log 2$. JSD's best Gaussian is practically the mode-covering one (width 2.04 against
# 2.06). But the best Gaussian on one mode is only 7% worse.

# %% slideshow={"deck": {"figure": true, "notes": "In the notebook the two sliders move mu and sigma and redraw the three divergences; the dashed lines are the best values a single Gaussian can reach. This picture is the widget as saved.\nLive: move sigma down to 0.5 and mu to -2, and watch KL(q||p) reach its minimum while KL(p||q) explodes. If the widget does not load: the next slide shows the mode-seeking optimum; the mode-covering one is the maximum-likelihood Gaussian of section 4 (centred at 0, sigma 2.06).", "text": "### Try it: fit $q$ by hand (live in the notebook)"}, "slide_type": "slide"}
def draw_fit(mu=0.0, sigma=1.0):
    kl_pq, kl_qp, js = divergences(mu, sigma)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 3.6), gridspec_kw={"width_ratios": [2, 1]})
    ax.fill_between(xq, np.exp(log_p_q), color=REAL_COLOR, alpha=0.25, lw=0)
    ax.plot(xq, np.exp(log_p_q), color=REAL_COLOR, lw=2, label="data p (two modes)")
    ax.plot(xq, np.exp(log_normal(xq, mu, sigma)), color=FAKE_COLOR, lw=2,
            label=f"model q = N({mu:.2f}, {sigma:.2f}²)")
    ax.set_xlim(-6, 6); ax.set_ylim(0, 1.0); ax.set_xlabel("x"); ax.set_ylabel("density")
    ax.legend(loc="upper left", fontsize=10); ax.set_title("Fit one Gaussian q to a two-mode p")
    names, values = ["KL(p||q)\nmode covering", "KL(q||p)\nmode seeking", "JSD(p||q)\n≤ log 2"], [kl_pq, kl_qp, js]
    bars = bx.barh(names, values, color=["tab:purple", "tab:green", D_COLOR], alpha=0.7)
    for y, (b, v, key_) in enumerate(zip(bars, values, ("KL(p||q)", "KL(q||p)", "JSD"))):
        bx.text(min(v, 4.6) + 0.05, y, f"{v:.3f}", va="center", fontsize=9)
        bx.plot([best[key_][2]] * 2, [y - 0.4, y + 0.4], "k--", lw=1)
    bx.set_xlim(0, 5); bx.invert_yaxis(); bx.set_xlabel("divergence (dashed: best possible)")
    bx.set_title("Live divergences")
    plt.tight_layout()
    return kl_pq, kl_qp, js

slider = dict(continuous_update=False, readout_format=".2f")
interactive_figure(draw_fit,
                   mu=widgets.FloatSlider(value=0.0, min=-3, max=3, step=0.05, description="q mean", **slider),
                   sigma=widgets.FloatSlider(value=1.0, min=0.2, max=3, step=0.05, description="q std", **slider))

# %% [markdown]
# If the sliders do not respond, the next cell draws the two optima. The best $q$ for $\mathrm{KL}(p\|q)$ peaks where
# $p$ has almost no mass; the best for $\mathrm{KL}(q\|p)$ ignores half the data.

# %% slideshow={"deck": {"big": {"find": "q = N\\(-2\\.00, 0\\.50\\^2\\): KL\\(p\\|\\|q\\) = ([\\d.]+)", "say": "$\\mathrm{KL}(p\\,\\|\\,q)$ of the Gaussian that sits on one mode"}, "figure": 1, "notes": "Misconception: \"a mode-seeking fit is harmless\". It looks perfect on one mode, and misses the other completely; its KL(p||q) is far above the mode-covering Gaussian's 0.724.\nWhich would you rather have for a digit generator: blurry digits between classes, or sharp digits of only some classes? That trade-off returns in notebooks 07 and 09.", "text": "### The mode-seeking optimum ignores half the data"}, "slide_type": "slide"}
for name in ("KL(p||q)", "KL(q||p)"):
    mu_, s_, _ = best[name]
    kl_pq, kl_qp, js = draw_fit(mu_, s_)
    plt.suptitle(f"q that minimises {name}", y=1.02); plt.show()
    print(f"q = N({mu_:+.2f}, {s_:.2f}^2): KL(p||q) = {kl_pq:.3f}, KL(q||p) = {kl_qp:.3f}, JSD = {js:.3f}")

# %% [markdown]
# ## 8. An implicit model has no likelihood to maximise
#
# A generator is a push-forward (section 2.2): we can **sample** $x = G_\theta(z)$, but can we evaluate
# $q_\theta(x)$ for maximum likelihood? The change of variables needs an invertible $G_\theta$ and the determinant
# of its matrix of derivatives (the *Jacobian*); a general network has no inverse and no cheap determinant. Worse, a generator usually maps a
# small noise space into a big data space (notebook 03: 64 numbers to 784 pixels). Its samples then lie on a
# *low-dimensional surface*, and $q_\theta$ has no density in data space. Every real image off that surface gets
# log-likelihood $-\infty$: no gradient to follow.
#
# We see this in 2-D, with a random MLP $G: \mathbb R \to \mathbb R^2$ whose samples lie on a curve. We estimate $q$
# with section 1's KDE, in 2-D, and let $h \to 0$. On the curve it climbs like $-\log h$: a disc of radius $h$ holds
# a share $\propto h$ of the samples ($\propto$: proportional to), spread over an area $\propto h^2$. So the slope
# against $\log(1/h)$ is 1 for a curve; it would be 0 for a 2-D density and 2 for a point mass. At a distance $d$ off
# the curve, each nearby kernel term is its on-curve value times $e^{-d^2/(2h^2)}$: the estimate falls $d^2/(2h^2)$ lower
# (Appendix F).

# %% slideshow={"deck": {"figure": true, "notes": "This is why GANs exist: we cannot train a generator by maximum likelihood, even with a kernel density estimate of its samples (concept question 7). Every real image off the surface gets log-likelihood minus infinity: no gradient to follow.\nRead the middle and right panels from left to right: the bandwidth h shrinks to the right. As the bandwidth h shrinks, the estimate climbs like -log h on the curve and falls d^2/(2h^2) below that off it. There is no density in the plane for it to converge to.", "text": "## 8. An implicit model has no likelihood\n\nA generator's samples lie on a low-dimensional surface (64 numbers to 784 pixels). A KDE of samples on a curve, as $h \\to 0$:"}, "slide_type": "slide"}
key, k1, k2, k3 = jax.random.split(key, 4)
W1, b1 = jax.random.normal(k1, (1, 16)), jax.random.normal(k2, (16,))
W2 = jax.random.normal(k3, (16, 2)) / 4

def G_2d(z):
    # a random 1-D -> 2-D "generator": one tanh hidden layer
    return jnp.tanh(z[:, None] @ W1 + b1) @ W2

key, sub = jax.random.split(key)
samples_2d = np.asarray(G_2d(jax.random.normal(sub, (100_000,))), np.float64)
curve = np.asarray(G_2d(jnp.linspace(-6, 6, 200_001)), np.float64)  # the curve itself, densely, for distances
on_curve = np.asarray(G_2d(jnp.array([0.3])), np.float64)[0]
# jax.jacobian: the derivative dG/dz at z = 0.3, the curve's direction there; normal is at a right angle to it
tangent = np.asarray(jax.jacobian(lambda z: G_2d(z[None])[0])(jnp.array(0.3)), np.float64)
normal = np.array([-tangent[1], tangent[0]]) / np.linalg.norm(tangent)

def distance_to_curve(x0):
    return float(np.sqrt(np.min(np.sum((curve - x0) ** 2, axis=1))))

# 0.1 from the point at a right angle, on whichever side the rest of the curve is farther away (a random curve can
# pass near itself); d is the measured distance from there to the whole curve
off_curve = max((on_curve + 0.1 * normal, on_curve - 0.1 * normal), key=distance_to_curve)
d_off = distance_to_curve(off_curve)

def log_kde_2d(x0, h):
    # in logs: at h = 0.001 the off-curve terms are about exp(-5000), which underflows to 0
    d2 = np.sum((samples_2d - x0) ** 2, axis=1)
    return np.logaddexp.reduce(-d2 / (2 * h * h)) - np.log(len(samples_2d) * 2 * np.pi * h * h)

hs = np.array([0.1, 0.03, 0.01, 0.003, 0.001])
ll_on = np.array([log_kde_2d(on_curve, h) for h in hs])
ll_off = np.array([log_kde_2d(off_curve, h) for h in hs])
slope_on = np.polyfit(np.log(1 / hs[-3:]), ll_on[-3:], 1)[0]   # d log q / d log(1/h) over h = 0.01 .. 0.001

fig, (ax, bx, cx) = plt.subplots(1, 3, figsize=(14, 4.4))
ax.scatter(samples_2d[:10_000, 0], samples_2d[:10_000, 1], s=1, color=FAKE_COLOR, alpha=0.3,
           label="samples G(z) (10,000 of them)")
ax.scatter(*on_curve, color="k", marker="o", s=40, label="point on the curve")
ax.scatter(*off_curve, color="k", marker="x", s=50, label=f"point {d_off:.2f} off the curve")
ax.set_aspect("equal"); ax.set_xlabel("$x_1$"); ax.set_ylabel("$x_2$"); ax.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.2))
ax.set_title("A generator from 1-D noise to 2-D:\nsamples on a curve")
bx.semilogx(hs, ll_on, "o-", color=D_COLOR, label="KDE at the point on the curve")
bx.semilogx(hs, ll_on[-1] + np.log(hs[-1] / hs), ":", color="0.5", label=r"slope 1: $-\log h$ + const")
bx.set_xlabel("KDE bandwidth h (shrinking to the right)"); bx.set_ylabel(r"estimated log $q(x)$"); bx.invert_xaxis(); bx.legend(fontsize=10)
bx.set_title(r"On the curve: $\to +\infty$ like $-\log h$")
cx.loglog(hs, ll_on - ll_off, "x-", color=D_COLOR, label="on-curve minus off-curve log q")
cx.loglog(hs, d_off**2 / (2 * hs**2), ":", color="0.5", label=r"$d^2/(2h^2)$")
cx.set_xlabel("KDE bandwidth h (shrinking to the right)"); cx.set_ylabel("gap in log q (log scale)"); cx.invert_xaxis(); cx.legend(fontsize=10)
cx.set_title(r"Off the curve: log q falls $d^2/(2h^2)$ behind")
plt.tight_layout(); plt.show()

# %% slideshow={"deck": {"big": {"find": "off-curve minus on-curve log q = (-?[\\d.]+)", "say": "log-density 0.1 off the curve, minus on it, at $h = 0.001$"}}, "slide_type": "fragment"}
# Check: shrinking h drives the off-curve log-likelihood toward -infinity (below -1,000 at h = 0.001) and the
# on-curve one up. The on-curve slope is closer to 1 (a curve) than to 0 or 2, and at h = 0.001 the off-curve gap
# is within 0.5% of -d^2/(2h^2).
assert ll_off[-1] < -1000 and np.all(np.diff(ll_off) < 0) and np.all(np.diff(ll_on) > 0), (ll_on, ll_off)
gap_off, gap_formula = ll_off[-1] - ll_on[-1], -d_off**2 / (2 * hs[-1] ** 2)
print(f"on the curve, log q rose with slope {slope_on:.2f} against log(1/h) for h = {hs[-3]} .. {hs[-1]} "
      f"(-log h has slope 1)")
print(f"at h = {hs[-1]}, off-curve minus on-curve log q = {gap_off:.1f}; -d^2/(2h^2) = {gap_formula:.1f} "
      f"(d = {d_off:.3f})")
assert abs(slope_on - 1) < 0.5, slope_on
assert abs(gap_off / gap_formula - 1) < 0.005, (gap_off, gap_formula)
print("an implicit model's likelihood degenerates: checked")


# %% [markdown] slideshow={"deck": {"notes": "Derive it with Bayes' rule in two lines. This classifier is the GAN discriminator of notebook 02.\nConcept question 8: what does its logit learn, and why is that useful? It learns log p/q without evaluating either density.\n\"Stably\": in float32, log(sigmoid(-200)) is -inf; the same value written as -softplus(200) is -200. The notebook prints both.", "text": "## 9. The density-ratio trick\n\nLabel data $y = 1$, model samples $y = 0$, equal numbers. The best classifier:\n\n$$P(y = 1 \\mid x) = \\frac{p(x)}{p(x) + q(x)}, \\qquad \\text{its logit } = \\log\\frac{p(x)}{q(x)}$$\n\nWe learn the **ratio** of two densities we cannot evaluate. Train it on logits, stably (binary cross-entropy)."}, "slide_type": "slide"}
# ## 9. The density-ratio trick: a classifier that compares $p$ and $q$
#
# We can sample from $p$ (the data) and $q$ (the generator) but evaluate neither density. Take $n$ samples of each;
# label the data $y = 1$ and the model samples $y = 0$. Given $y = 1$, $x$ has density $p$; given $y = 0$, density
# $q$. With equal class sizes, Bayes' rule gives
#
# $$P(y = 1 \mid x) = \frac{\tfrac12\,p(x)}{\tfrac12\,p(x) + \tfrac12\,q(x)} = \frac{p(x)}{p(x) + q(x)}.$$
#
# So a classifier $c(x) = \sigma(\ell(x))$ trained to predict $y$ learns $p/(p+q)$. Here $\sigma(\ell) = 1/(1+e^{-\ell})$
# is the logistic **sigmoid**, not a standard deviation. Its logit $\ell = \log\frac{c}{1-c}$ learns the **log
# density ratio** $\log\frac{p(x)}{q(x)}$, without evaluating $p$ or $q$.
#
# We fit $c$ by maximum likelihood (section 4): each label is a coin that shows $y = 1$ with probability $c(x)$.
# The average negative log-likelihood of all $N = 2n$ labels is the **binary cross-entropy**:
#
# $$\mathrm{BCE} = -\frac1N\sum_i\big[y_i\log\sigma(\ell_i) + (1-y_i)\log(1-\sigma(\ell_i))\big].$$
#
# Near a point $x$, labels 1 come with density $p(x)$ and labels 0 with $q(x)$. So the loss there is
# $\propto -[p\log c + q\log(1-c)]$, smallest (derivative 0) at $c = p/(p+q)$.
#
# **Compute it from logits, stably.** In float32, $\sigma(\ell)$ is exactly 0 for $\ell$ far below 0 (Appendix E
# finds where), so $\log\sigma(\ell) = -\infty$. Use instead, with $\mathrm{softplus}(u) = \log(1 + e^u)$,
#
# $$\log\sigma(\ell) = -\log(1 + e^{-\ell}) = -\mathrm{softplus}(-\ell),\qquad
# \log(1-\sigma(\ell)) = \log\frac{e^{-\ell}}{1+e^{-\ell}} = -\mathrm{softplus}(\ell),$$
#
# so $\mathrm{BCE} = \frac1N\sum_i\big[y_i\,\mathrm{softplus}(-\ell_i) + (1-y_i)\,\mathrm{softplus}(\ell_i)\big]$, finite
# for every finite logit. `jax.nn.softplus` itself never overflows: it computes $\max(u, 0) + \log(1 + e^{-|u|})$,
# and $e$ to a power of at most 0 is at most 1. Appendix G shows the naive form failing.

# %%
def bce_from_logits(logits, y):
    # binary cross-entropy of sigmoid(logits) against labels y, stable for any finite logit
    return jnp.mean(y * jax.nn.softplus(-logits) + (1 - y) * jax.nn.softplus(logits))

# %% [markdown]
# **The experiment.** $p = \mathcal N(0, 1)$ and $q = \mathcal N(1, 2^2)$ (section 5). Their true log-ratio is a
# quadratic in $x$ (the $-\frac12\log 2\pi$ of each log-density cancels):
#
# $$\log\frac{p(x)}{q(x)} = \Big[-\tfrac{x^2}{2}\Big] - \Big[-\tfrac{(x-1)^2}{8} - \log 2\Big]
# = \underbrace{\log 2 + \tfrac18}_{0.8181} \;\underbrace{-\;\tfrac14}_{-0.25}\,x \;\underbrace{-\;\tfrac38}_{-0.375}\,x^2,$$
#
# so a *logistic regression* with logit $\ell(x) = w_0 + w_1 x + w_2 x^2$ can represent the ideal classifier exactly.
# We train it on samples only and compare:
#
# 1. its weights with $(0.8181, -0.25, -0.375)$;
# 2. $c(x)$ with $p/(p+q)$ on the bulk of the data, where $(p+q)/2 > 0.02$;
# 3. the KL estimate $\mathbb E_{x\sim p}[\ell(x)] \approx \mathbb E_p[\log\frac pq] = \mathrm{KL}(p\|q) = 0.4431$.

# %% slideshow={"deck": {"big": {"find": "KL\\(p\\|\\|q\\) from the classifier: ([\\d.]+)", "say": "$\\mathrm{KL}(p\\,\\|\\,q)$ from the classifier and samples (closed form, \u00a75: printed beside it)"}, "figure": true, "notes": "p = N(0, 1) and q = N(1, 2^2): the true log-ratio is a quadratic, so a logistic regression on (1, x, x^2) can represent it exactly. The learned weights match the true ones to about two decimals, and the KL from the classifier matches the closed form of section 5.\nOne sentence to end on: a classifier between data and generator tells us how far apart they are. That is the discriminator.", "text": "### A logistic regression learns $\\log p/q$ from samples alone"}, "slide_type": "slide"}
n = 20_000
key, k1, k2 = jax.random.split(key, 3)
x_p = jax.random.normal(k1, (n,))                      # data, label 1
x_q = 1.0 + 2.0 * jax.random.normal(k2, (n,))          # model samples, label 0
x_all = jnp.concatenate([x_p, x_q])
y_all = jnp.concatenate([jnp.ones(n), jnp.zeros(n)])

def features(x):
    return jnp.stack([jnp.ones_like(x), x, x ** 2], axis=-1)

def classifier_loss(w):
    return bce_from_logits(features(x_all) @ w, y_all)

opt = optax.adam(0.05)
@jax.jit
def train_classifier(w):
    def step(carry, _):
        w, state = carry
        loss, grads = jax.value_and_grad(classifier_loss)(w)
        updates, state = opt.update(grads, state)
        return (optax.apply_updates(w, updates), state), loss
    (w, _), losses = jax.lax.scan(step, (w, opt.init(w)), None, length=1500)
    return w, losses

w, clf_losses = train_classifier(jnp.zeros(3))
w_true = np.array([math.log(2) + 1 / 8, -0.25, -0.375])
x_line = np.linspace(-4, 6, 1001)                      # covers the whole bulk defined below
c_learned = np.asarray(jax.nn.sigmoid(features(jnp.asarray(x_line)) @ w))
log_pq_true = log_normal(x_line, 0, 1) - log_normal(x_line, 1, 2)
c_true = 1 / (1 + np.exp(-log_pq_true))                # p / (p + q)
bulk = (np.exp(log_normal(x_line, 0, 1)) + np.exp(log_normal(x_line, 1, 2))) / 2 > 0.02
gap = np.max(np.abs(c_learned - c_true)[bulk])
kl_from_classifier = float(jnp.mean(features(x_p) @ w))
print("learned weights:", np.round(np.asarray(w), 4), " true:", np.round(w_true, 4))
print(f"max |c(x) - p/(p+q)| on the bulk [{x_line[bulk][0]:.2f}, {x_line[bulk][-1]:.2f}]: {gap:.4f}")
print(f"KL(p||q) from the classifier: {kl_from_classifier:.4f}; closed form {kl_gauss(*A, *B):.4f}")

fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 3.6))
ax.plot(x_line, np.exp(log_normal(x_line, 0, 1)), color=REAL_COLOR, lw=2, label="p = N(0, 1)")
ax.plot(x_line, np.exp(log_normal(x_line, 1, 2)), color=FAKE_COLOR, lw=2, label="q = N(1, 2²)")
ax.set_xlim(-3, 4); ax.set_xlabel("x"); ax.set_ylabel("density"); ax.legend(loc="upper left", fontsize=10)
ax2 = ax.twinx()
ax2.plot(x_line, c_true, color="gray", lw=3, alpha=0.5, label="p/(p+q)")
ax2.plot(x_line, c_learned, color=D_COLOR, lw=1.5, ls="--", label="classifier c(x)")
ax2.set_ylim(0, 1); ax2.set_ylabel("P(real | x)"); ax2.legend(loc="upper right", fontsize=10)
ax.set_title(f"The classifier learns p/(p+q): max gap {gap:.3f}")
bx.plot(x_line, log_pq_true, color="gray", lw=3, alpha=0.5, label="true log p/q")
bx.plot(x_line, np.asarray(features(jnp.asarray(x_line)) @ w), color=D_COLOR, ls="--", label="classifier logit")
bx.set_xlim(-3, 4); bx.set_ylim(-8, 2); bx.set_xlabel("x"); bx.set_ylabel("log density ratio"); bx.legend(fontsize=10)
bx.set_title("Its logit is the log density ratio")
plt.tight_layout(); plt.show()

# %%
# Check: the classifier recovers the true weights, p/(p+q) to within 0.02, and KL(p||q) to within 5%.
assert np.max(np.abs(np.asarray(w) - w_true)) < 0.05, w
assert gap < 0.02, gap
assert abs(kl_from_classifier / kl_gauss(*A, *B) - 1) < 0.05, kl_from_classifier
print("density-ratio trick: checked")

# %% [markdown]
# This classifier is the GAN **discriminator** $D$ of notebook 02, trained to tell the generator's samples from the
# data.

# %% [markdown] slideshow={"deck": {"notes": "Five lines to remember. Each comes back: the push-forward in notebook 03, JSD in notebook 02, mode seeking in notebook 07, the discriminator in notebooks 02 and 04.", "text": "## Summary\n\n- a generator is a **push-forward** of noise: we can sample, not evaluate\n- Monte Carlo error $\\sigma_f/\\sqrt n$, whatever the dimension\n- maximum likelihood = min $\\mathrm{KL}(p\\,\\|\\,q)$: **mode covering**; $\\mathrm{KL}(q\\,\\|\\,p)$: **mode seeking**\n- JSD is symmetric and stops at $\\log 2$: no direction when apart\n- a classifier of $p$ against $q$ learns $\\log p/q$: the **discriminator**"}, "slide_type": "slide"}
# ## Summary
#
# | Idea | Formula | Checked here |
# |---|---|---|
# | density from samples | histogram, KDE $\frac1n\sum_i\mathcal N(x; x_i, h^2)$ | L1 error falls with $n$ |
# | sampling by inverse CDF | $X = F^{-1}(U)$ | KS test passes at 1% |
# | push-forward (= generator) | $X = g(Z)$, $q(x) = \varphi(z)/g'(z)$ | histogram matches formula |
# | Monte Carlo | error $\sigma_f/\sqrt n$ | fitted slope $\approx -0.5$ |
# | MLE | min NLL = min $H(p,q)$ = min $\mathrm{KL}(p\|q)$ | gradient descent = closed form |
# | KL | $\log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2+(\mu_1-\mu_2)^2}{2\sigma_2^2} - \frac12$ | Monte Carlo within 2% |
# | JSD | $\frac12\mathrm{KL}(p\|m)+\frac12\mathrm{KL}(q\|m) \le \log 2$ | symmetric; $= \log 2$ when apart |
# | mode covering / seeking | $\min_q \mathrm{KL}(p\|q)$ vs $\min_q \mathrm{KL}(q\|p)$ | $\sigma = 2.06$ vs $\sigma = 0.5$ on a mode |
# | implicit models | $q(x) = 0$ off the generator's surface | log-likelihood $\to -\infty$ |
# | density-ratio trick | $P(\text{real}\mid x) = p/(p+q)$ | logistic regression recovers $\log p/q$ |
#
# From here on the course uses `gan_utils.data.mixture_1d` for toy data with exact densities, and
# `gan_utils.losses.bce_with_logits` for the stable cross-entropy.

# %% [markdown] slideshow={"deck": {"notes": "Homework: the three exercises; the checker cell grades each and gives a hint for a wrong answer. Worked solutions are on the site.\nAlso the \"Going further\" question: the features (1, x) in section 9. Reading: Appendices A-G; Appendix E prepares notebook 04 (where float32 runs out).\nDiscussion question for the end, if there is time: a generator can sample but has no density; what can we still compute from its samples?", "text": "## Exercises (checked in the notebook)\n\n1. **KL by hand** for two Gaussians, with the closed form of \u00a75\n2. **JSD of two coins**, as a function\n3. **Unequal modes**: where does the mode-seeking Gaussian sit?\n\nNext: [02 The minimax objective](../notebooks/02_minimax_objective.html): the discriminator as this classifier."}, "slide_type": "slide"}
# ## Exercises
#
# 1. **KL by hand.** With the boxed formula, compute $\mathrm{KL}(\mathcal N(1, 1)\,\|\,\mathcal N(-1, 2^2))$ and
#    store it in `answer_1` (a number).
# 2. **JSD of two coins; write code.** Write `js_bernoulli(a, b)`, the Jensen-Shannon divergence between
#    Bernoulli($a$) and Bernoulli($b$): a sum over the two outcomes, with $0\log 0 = 0$. Check that
#    `js_bernoulli(0, 1)` is $\log 2$.
# 3. **Unequal modes; write code.** Let `p3 = mixture_1d(weights=(0.3, 0.7))` (weight 0.7 on the mode at $+2$) and
#    `log_p3 = np.asarray(p3.log_prob(xq), np.float64)`. Which mean does the best single Gaussian under the
#    *mode-seeking* $\mathrm{KL}(q\,\|\,p_3)$ pick? Store it in `answer_3`. (Hint: search section 7's `mus` and
#    `sigmas` for the smallest `kl_grid(log_normal(xq, mu, s), log_p3, xq)`; `np.log(p3.pdf(xq))` is $-\infty$ in
#    the float32 tails.)
#
# **Going further** (open, no checker): in section 9, replace the features $(1, x, x^2)$ by $(1, x)$. Which part of
# $p/(p+q)$ can the classifier no longer represent, and what happens to the KL estimate?

# %%
# Your answers (replace None).
answer_1 = None

def js_bernoulli(a, b):
    return None

answer_3 = None

# %%
# Checker: one line per exercise; unanswered ones are reported, a wrong one fails this cell after the full report.
exercises.check("01", answer_1=answer_1, js_bernoulli=js_bernoulli, answer_3=answer_3)

# %% [markdown]
# **Next:** [02 The minimax objective](02_minimax_objective.ipynb): this classifier as the discriminator, the optimal
# $D^\star = p/(p+q)$, why the GAN game minimises JSD, and a 1-D GAN trained by hand.

# %% [markdown]
# ## Appendix A: the histogram's floor, and a rule of thumb for $h$
#
# The cell prints section 1's errors and tries a common default for the KDE's bandwidth. Silverman's rule of thumb is
# $h = 1.06\,\hat\sigma\,n^{-1/5}$, with $\hat\sigma$ the samples' standard deviation. It assumes one Gaussian bump.
# Our two modes make $\hat\sigma$ large, so its $h$ is too wide: it *oversmooths*, widening each mode and spilling a little into the gap.

# %%
for n, (eh, ek, h) in errors.items():
    print(f"n = {n:>6,}: L1 error of histogram {eh:.3f}, of KDE {ek:.3f} (h = {h:.3f})")
h_silverman = 1.06 * float(x_n.std()) * len(x_n) ** (-1 / 5)
e_silverman = np.trapezoid(np.abs(np.asarray(kde(x_n, jnp.asarray(xs), h_silverman), np.float64) - p_grid), xs)
print(f"for comparison, Silverman's h = {h_silverman:.3f} at n = 10,000 oversmooths: L1 error {e_silverman:.3f}")

# Check: 10,000 samples give an L1 error below 0.15 (histogram) and 0.06 (KDE); the one-bump rule of thumb does worse
# than the held-out choice.
assert errors[10_000][0] < 0.15 and errors[10_000][1] < 0.06, errors[10_000]
assert e_silverman > errors[10_000][1]

# %% [markdown]
# A 40-bin histogram converges to the bin averages of $p$, so its $L^1$ error tends to their distance from $p$. No
# step function on the same bins does much better: the best one takes the median of $p$ on each bin. To converge to
# $p$, a histogram's bins must shrink as $n$ grows.

# %%
# The limit of the 40-bin histogram: the L1 distance from p to its bin averages (what the histogram tends to).
edges = np.linspace(-5, 5, 41)
bin_avg_values = np.diff(np.asarray(p.cdf(edges), np.float64)) / (edges[1] - edges[0])
bin_of_x = np.clip(np.searchsorted(edges, xs, side="right") - 1, 0, 39)
in_range = (xs >= -5) & (xs < 5)
bin_avg = np.where(in_range, bin_avg_values[bin_of_x], 0.0)
hist_floor = np.trapezoid(np.abs(bin_avg - p_grid), xs)
# The floor of any function constant on these bins (0 outside): the best constant for the L1 error on a bin is the
# median of p's values over the bin, not their mean (on this grid every point of a bin has the same weight).
bin_median_values = np.array([np.median(p_grid[in_range & (bin_of_x == b)]) for b in range(40)])
bin_median = np.where(in_range, bin_median_values[bin_of_x], 0.0)
hist_bound = np.trapezoid(np.abs(bin_median - p_grid), xs)
print(f"a 40-bin histogram converges to the bin averages of p, not to p: their L1 distance to p, {hist_floor:.4f}, is "
      f"its limit as n grows (no 40-bin step function gets below {hist_bound:.4f}); at n = 10,000 it is already "
      f"{errors[10_000][0]:.3f}")

# Check: the 10,000-sample histogram is within 0.03 of its limit and not below the floor of all 40-bin step functions.
assert hist_bound <= hist_floor and hist_bound <= errors[10_000][0] < hist_floor + 0.03, (errors[10_000][0], hist_floor, hist_bound)
print("the histogram's floor: checked")


# %% [markdown]
# ## Appendix B: the Kolmogorov quantile, the precision of bisection, and more checks of section 2
#
# For correct samples and large $n$, $\sqrt n\,\mathrm{KS}_n$ follows the Kolmogorov distribution,
# $P(\sqrt n\,\mathrm{KS}_n > t) \to 2\sum_{k\ge1}(-1)^{k-1}e^{-2k^2t^2}$ (Kolmogorov's limit law; N. Smirnov, "Table for
# estimating the goodness of fit of empirical distributions", *Annals of Mathematical Statistics*, vol. 19). Its 99%
# quantile, found by bisection, is 1.628.
#
# Forty halvings of $[-10, 10]$ would pin $x$ down to $20/2^{40} \approx 2\times10^{-11}$. In float32 the precision of
# $F$ itself is the limit: a rounding error $\varepsilon$ in $F(x)$ moves $x$ by about $\varepsilon/p(x)$. That is
# tiny where $p$ is large, and much larger between the modes, where $F$ is flat. The cell compares with a float64
# inversion.

# %%
# The 99% quantile of the Kolmogorov distribution: solve 2 * sum_k (-1)^(k-1) exp(-2 k^2 t^2) = 0.01 by bisection.
def kolmogorov_tail(t, k=np.arange(1, 101)):
    return 2 * np.sum((-1.0) ** (k - 1) * np.exp(-2 * k * k * t * t))
t_lo, t_hi = 0.5, 3.0                  # the tail falls from about 0.96 to 3e-8 on this interval (printed below)
for _ in range(60):
    t_mid = 0.5 * (t_lo + t_hi)
    t_lo, t_hi = (t_mid, t_hi) if kolmogorov_tail(t_mid) > 0.01 else (t_lo, t_mid)
k99 = 0.5 * (t_lo + t_hi)
print(f"99% quantile of the Kolmogorov distribution: {k99:.4f} (the 1.63 of section 2.1; bisection on [0.5, 3], where the "
      f"tail falls from {kolmogorov_tail(0.5):.2f} to {kolmogorov_tail(3.0):.0e})")

# How precise is the float32 bisection? Compare with a float64 inversion of the same CDF (math.erf, 60 halvings).
erf64 = np.vectorize(math.erf)
def cdf_float64(x):
    x = np.asarray(x, np.float64)[..., None]
    return np.sum(P_WEIGHTS * 0.5 * (1 + erf64((x - P_MEANS) / (P_STDS * math.sqrt(2)))), axis=-1)
u_grid = np.linspace(0.001, 0.999, 4001)
lo64, hi64 = np.full_like(u_grid, -10.0), np.full_like(u_grid, 10.0)
for _ in range(60):
    mid64 = 0.5 * (lo64 + hi64)
    below64 = cdf_float64(mid64) < u_grid
    lo64, hi64 = np.where(below64, mid64, lo64), np.where(below64, hi64, mid64)
x_exact = 0.5 * (lo64 + hi64)
bisect_err = np.abs(np.asarray(inverse_cdf_bisect(p.cdf, jnp.asarray(u_grid, jnp.float32)), np.float64) - x_exact)
near_modes = np.abs(np.abs(x_exact) - 2) < 0.5        # within one std of a mode
x_worst = x_exact[np.argmax(bisect_err)]
print(f"float32 bisection against float64, {len(u_grid):,} values of u: largest error "
      f"{bisect_err[near_modes].max():.1e} within one std of a mode, {bisect_err.max():.1e} overall "
      f"(at x = {x_worst:+.2f}, where p = {np.exp(log_p(x_worst)):.1e}); median {np.median(bisect_err):.1e}")

# Check: 1.63 is the 99% Kolmogorov quantile, and the bisection error is below 1e-6 near the modes, below 1e-4
# everywhere, and largest between the modes.
assert round(k99, 2) == 1.63, k99
assert bisect_err[near_modes].max() < 1e-6 and bisect_err.max() < 1e-4, bisect_err.max()
assert abs(x_worst) < 1, x_worst
print("the Kolmogorov quantile and the bisection's precision: checked")

# %% [markdown]
# **More checks of section 2.** The course's own sampler `p.sample` passes the same KS test. The *decreasing* map
# $F^{-1}(1 - \Phi(z))$ also pushes $\mathcal N(0, 1)$ onto $p$, because $1 - U$ is uniform too. The map $g$
# splits the bump into exactly two peaks. And the exact map $g^\star$ has a slope of $\varphi(0)/p(0)$ at $z = 0$.

# %%
ks_p_sample = ks_statistic(p.sample(k_p_sample, 20_000), p.cdf)
print(f"p.sample (same distribution, other random numbers): KS statistic {ks_p_sample:.4f} "
      f"(1% critical value {1.63 / math.sqrt(20_000):.4f})")
x_decreasing = inverse_cdf_bisect(p.cdf, 1 - jax.scipy.stats.norm.cdf(jax.random.normal(k_dec, (50_000,))))
ks_decreasing = ks_statistic(x_decreasing, p.cdf)
print(f"samples of the decreasing map F^-1(1 - Phi(z)): KS statistic against p {ks_decreasing:.4f}")
q_np, xg_np = np.asarray(q_formula), np.asarray(xg)
q_peaks = np.flatnonzero((q_np[1:-1] > q_np[:-2]) & (q_np[1:-1] > q_np[2:])) + 1     # local maxima of q
q_at_0 = float(phi(0.0) / g_prime(jnp.array([0.0]))[0])
print(f"q has {len(q_peaks)} peaks, at x = {', '.join(f'{v:+.2f}' for v in xg_np[q_peaks])} "
      f"(height {q_np[q_peaks].max():.3f}); between them q(0) = {q_at_0:.3f}")
slope_star_0 = float(phi(0.0)) / float(np.exp(log_p(0.0)))
print(f"slope of g* at z = 0: phi(0) / p(0) = {slope_star_0:,.0f}, "
      f"against {float(g_prime(jnp.array([0.0]))[0]):.1f} for g")

# Check: p.sample and the decreasing map pass the KS test; g splits the bump into exactly two peaks; g* needs a
# slope over 1,000 at z = 0.
assert ks_p_sample < 1.63 / math.sqrt(20_000), ks_p_sample
assert ks_decreasing < 1.63 / math.sqrt(50_000), ks_decreasing
assert len(q_peaks) == 2 and q_at_0 < q_np[q_peaks].min() / 3, (xg_np[q_peaks], q_at_0)
assert slope_star_0 > 1000, slope_star_0

# %% [markdown]
# ## Appendix C: when the NLL falls below the entropy
#
# The NLL of a finite sample is a noisy estimate of the cross-entropy, so it can land on either side of $H(p)$. For
# a Gaussian, the NLL at the MLE is exactly $\tfrac12\log(2\pi e\,\hat\sigma^2)$ and $H(p) = \tfrac12\log(2\pi e\,\sigma^2)$.
# They differ by $\log(\hat\sigma/\sigma)$: the NLL is below $H(p)$ exactly when the sample is less spread out than
# $p$. The cell measures both for section 4's fit.

# %%
entropy_true = 0.5 * math.log(2 * math.pi * math.e * true_sigma ** 2)
nll_mle = float(nll(theta, data))
print(f"NLL at the MLE {nll_mle:.4f} vs entropy H(p) = {entropy_true:.4f} "
      f"(cross-entropy = entropy + KL, and KL(p||q) -> 0)")
print(f"NLL - H(p) = {nll_mle - entropy_true:+.4f} = log(sigma_hat / sigma) = log({sigma_hat:.4f} / {true_sigma}) "
      f"= {math.log(sigma_hat / true_sigma):+.4f}: this sample is "
      f"{'less' if sigma_hat < true_sigma else 'more'} spread out than p, so the NLL is "
      f"{'below' if sigma_hat < true_sigma else 'above'} H(p)")
assert abs(nll_mle - entropy_true) < 0.03                   # the NLL approaches the entropy of p
assert abs((nll_mle - entropy_true) - math.log(sigma_hat / true_sigma)) < 1e-4, (nll_mle, sigma_hat)

# %% [markdown]
# ## Appendix D: the KDE on a curve, against its limit
#
# A curve carrying probability $\rho$ per unit length gives $\hat q_h \to \rho / (\sqrt{2\pi}\, h)$, where
# $\rho = \varphi(z)/\lVert G'(z) \rVert$ is section 2.2's push-forward density along the curve. Section 8's laws need
# $h$ small next to the curve's radius of curvature, the distance at which it passes near itself, and (off the
# curve) $d$. They also need many samples within $h$ of the point: we use 100,000.

# %%
rho = math.exp(-0.3**2 / 2) / math.sqrt(2 * math.pi) / np.linalg.norm(tangent)  # probability per unit length at z = 0.3
level_gap = ll_on[-1] - math.log(rho / (math.sqrt(2 * math.pi) * hs[-1]))   # the KDE against its limit, at h = 0.001

# Check: at h = 0.001 the on-curve log q is within 0.5 of its limit log(rho / (sqrt(2 pi) h)). Over 100 random curves
# (seeds 0-99: benchmarks/nb01_kde_margins.py, RESULTS.md) the distance was at most 0.31 (a curve passing near itself).
print(f"at h = {hs[-1]}, on-curve log q = {ll_on[-1]:.2f}; its limit log(rho / (sqrt(2 pi) h)) = {ll_on[-1] - level_gap:.2f} "
      f"(rho = {rho:.2f} per unit length)")
assert abs(level_gap) < 0.5, level_gap

# %% [markdown]
# ## Appendix E: where float32's sigmoid reaches zero
#
# For very negative $\ell$, $\sigma(\ell) \approx e^{\ell}$, which underflows below the smallest float32. That is half
# the smallest subnormal number where the hardware keeps subnormals, and the smallest normal number where it
# flushes them to zero. The cell finds the point on this machine, between the two.

# %%
l_scan = -jnp.arange(80, 110, 0.01, dtype=jnp.float32)             # logits -80 down to -110
sigmoid_zero_from = float(l_scan[jnp.argmax(jax.nn.sigmoid(l_scan) == 0)])
f32 = np.finfo(np.float32)
print(f"sigmoid(l) is exactly 0 in float32 from l = {sigmoid_zero_from:.2f} on this machine; "
      f"log of the smallest normal float32 = {math.log(f32.tiny):.2f}, "
      f"log of half the smallest subnormal = {math.log(float(f32.smallest_subnormal) / 2):.2f}")
# sigmoid is 0 from somewhere between log(smallest normal float32) and log(half the smallest subnormal)
zero_lo, zero_hi = math.log(float(f32.smallest_subnormal) / 2), math.log(f32.tiny)
assert zero_lo - 0.1 < sigmoid_zero_from < zero_hi + 0.1, sigmoid_zero_from

# %% [markdown]
# ## Appendix F: the two laws of the KDE on a curve
#
# Section 8 estimates the density of samples on a curve by the 2-D version of section 1's KDE,
# $\hat q_h(x) = \frac1n\sum_i \frac{1}{2\pi h^2}\, e^{-\|x - x_i\|^2/(2h^2)}$, and lets $h \to 0$. There is no 2-D
# density for it to converge to, so it blows up on the curve and vanishes off it:
#
# - **On the curve** the log-density climbs like $-\log h$. Draw a disc of radius $h$ around a point of the curve
#   ($\propto$ reads "proportional to"). The piece of curve inside has length about $2h$, so the disc holds a share
#   $\propto h$ of the samples. The KDE spreads that share over the disc's area, $\propto h^2$, so
#   $\hat q_h \propto h / h^2 = 1/h$, and $\log \hat q_h = \log(1/h) + $ a constant: slope 1 against $\log(1/h)$.
#   Samples that fill the plane put a share $\propto h^2$ in the disc (slope 0); samples piled on one point put all
#   of them there (slope 2).
# - **At a distance $d$ from the curve** it falls $d^2/(2h^2)$ below the on-curve value, toward $-\infty$. Near the
#   foot of the perpendicular the curve is almost straight, so a sample a distance $s$ along it lies
#   $\sqrt{d^2 + s^2}$ from the point. Its kernel term is the on-curve one times $e^{-d^2/(2h^2)}$.
#
# Both laws hold for small $h$, so section 8 reads the slope over the three smallest bandwidths (Appendix D: how
# small, and the exact limit of the on-curve level). The cell prints section 8's estimates at every bandwidth.

# %%
# Over 100 random curves (seeds 0-99: benchmarks/nb01_kde_margins.py, RESULTS.md) the on-curve slope ranged
# 0.87-1.08 and the off-curve gap's ratio to -d^2/(2h^2) 0.9999-1.0002.
for h, a, b in zip(hs, ll_on, ll_off):
    print(f"h = {h:<5}: log q on curve {a:6.2f}, off curve {b:8.2f}, off - on {b - a:8.2f} "
          f"(-d^2/(2h^2) = {-d_off**2 / (2 * h * h):7.1f})")

# %% [markdown]
# ## Appendix G: the naive cross-entropy in float32, and the course package's loss
#
# Section 9 computes the binary cross-entropy from logits with softplus, because at $\ell = -200$ float32's
# $\log\sigma(\ell)$ is $-\infty$, while $-\mathrm{softplus}(-\ell)$ gives the exact $-200$. The check also compares
# section 9's `bce_from_logits` with the course package's `gan_utils.losses.bce_with_logits`, which later notebooks use.

# %%
l = jnp.array([-200.0, 0.0, 200.0], jnp.float32)
naive = jnp.log(jax.nn.sigmoid(l))                     # what NOT to write
print("logit               :", l)
print("log(sigmoid(l))     :", naive, " <- -inf at l = -200")
print("-softplus(-l)       :", -jax.nn.softplus(-l))

# %%
# Check: the naive form breaks where float32 runs out, the stable form is exact, and it equals the course package's
# loss.
# NBVAL_CHECK_OUTPUT
import gan_utils.losses
assert bool(jnp.isneginf(naive[0])) and float(-jax.nn.softplus(-l)[0]) == -200.0
y_test = jnp.array([1.0, 0.0, 1.0])
assert jnp.allclose(bce_from_logits(l, y_test), gan_utils.losses.bce_with_logits(l, y_test))
print(f"stable BCE = gan_utils.losses.bce_with_logits = {float(bce_from_logits(l, y_test)):.4f}")

# %%
print(course.top_to_bottom(T_START))
