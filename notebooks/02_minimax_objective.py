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
# # 02 The minimax objective
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gans-in-jax/blob/main/notebooks/02_minimax_objective.ipynb)
#
# A GAN is a game between two networks. The **generator** $G$ turns noise $z$ into samples $G(z)$; the
# **discriminator** $D$ looks at a sample and outputs the probability that it is real. This notebook derives what the
# game optimises, checks every step numerically, and ends with a complete 1-D GAN whose update steps we write by hand.
#
# **You will learn**
#
# - the value function $V(D, G)$, and why training $D$ is ordinary binary classification with cross-entropy;
# - the **optimal discriminator** $D^\star(x) = \dfrac{p(x)}{p(x) + q(x)}$: derived, then matched by a trained MLP;
# - why the game minimises the **Jensen-Shannon divergence**: $C(G) = -\log 4 + 2\,\mathrm{JSD}(p\,\|\,q)$, checked by
#   numerical integration;
# - the **saturating** and **non-saturating** generator losses, their gradients, and a run where the saturating one
#   stalls;
# - **game dynamics**: why simultaneous gradient steps spiral away from the equilibrium and alternating ones cycle,
#   with a widget;
# - a **complete 1-D GAN** in about 40 lines of JAX, trained in seconds, animated until $D \approx \frac12$ and
#   $V \approx -\log 4$.
#
# You need notebook [01](01_probability_background.ipynb) (KL, JS, push-forward, density-ratio trick).

# %%
# Setup: install the course package if it is missing (e.g. on Colab), then imports, seed and devices.
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("gan_utils") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "gan-utils @ git+https://github.com/gan-course/gans-in-jax"], check=True)
import math, time
import jax, jax.numpy as jnp, numpy as np, matplotlib.pyplot as plt, optax
import ipywidgets as widgets
import gan_utils.losses
from gan_utils.data import mixture_1d
from gan_utils.plots import REAL_COLOR, FAKE_COLOR, D_COLOR, plot_density_1d, animate
from gan_utils.widgets import interactive_figure
SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
plt.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80, "axes.spines.top": False, "axes.spines.right": False})
print(f"JAX {jax.__version__} on {jax.devices()}")

# %% [markdown]
# Throughout, the data distribution $p$ is a **two-mode mixture** with overlapping modes,
#
# $$p(x) = \tfrac12\,\mathcal N(x;\,-1.2,\,0.6^2) + \tfrac12\,\mathcal N(x;\,1.2,\,0.6^2),$$
#
# chosen because a small generator fed 1-D Gaussian noise can match it: the ideal map $F^{-1}(\Phi(z))$ from
# notebook 01 is smooth for it. Modes that do not overlap need a map with a near-jump, which a small network
# learns slowly and the GAN game struggles with (exercise 4). We keep float64 NumPy log-densities for the
# integrals, as in notebook 01.

# %%
p = mixture_1d((-1.2, 1.2), (0.6, 0.6))
P_MEANS, P_STDS, P_WEIGHTS = p.means[:, 0], p.stds, p.weights

def log_normal(x, mu, sigma):
    return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma * np.sqrt(2 * np.pi))

def log_p(x):
    x = np.asarray(x, np.float64)[..., None]
    return np.logaddexp.reduce(np.log(P_WEIGHTS) + log_normal(x, P_MEANS, P_STDS), axis=-1)

# The ancestral sampler written by hand in notebook 01 is gan_utils.data.GaussianMixture.sample (jitted):
sample_p = p.sample                    # sample_p(key, n) -> (n,) float32

xs = np.linspace(-15, 15, 30_001)      # integration grid, spacing 0.001


# %% [markdown]
# ## 1. The value function
#
# Let $z \sim p_z = \mathcal N(0, 1)$ and let $q$ be the distribution of $G(z)$: the *push-forward* of the noise
# (notebook 01, section 2.2). The discriminator outputs $D(x) \in (0, 1)$. Goodfellow et al. (2014) define the game
#
# $$\min_G\,\max_D\; V(D, G),\qquad
# V(D, G) = \mathbb E_{x\sim p}\big[\log D(x)\big] + \mathbb E_{z\sim p_z}\big[\log\big(1 - D(G(z))\big)\big]
#         = \mathbb E_{p}\big[\log D\big] + \mathbb E_{q}\big[\log(1 - D)\big].$$
#
# **$D$'s side is plain classification.** Label real samples $y = 1$ and generated ones $y = 0$. The binary
# cross-entropy of notebook 01 is $-[y\log D + (1-y)\log(1-D)]$; averaged over equal numbers of real and fake samples
# it is
#
# $$\mathrm{BCE} = -\tfrac12\,\mathbb E_p[\log D] - \tfrac12\,\mathbb E_q[\log(1-D)] = -\tfrac12\,V(D, G).$$
#
# So **maximising $V$ over $D$ = minimising the cross-entropy of a real-vs-fake classifier**, the density-ratio
# classifier of notebook 01.
#
# **In code, from logits.** $D(x) = \sigma(\ell(x))$ where $\ell$ is the network's raw output. As in notebook 01,
# $\log D = -\mathrm{softplus}(-\ell)$ and $\log(1-D) = -\mathrm{softplus}(\ell)$, so
# $V = -\overline{\mathrm{softplus}(-\ell_{\text{real}})} - \overline{\mathrm{softplus}(\ell_{\text{fake}})}$ (bars are
# batch means). If $D$ knows nothing, $D = \frac12$ everywhere and $V = \log\frac12 + \log\frac12 = -\log 4 \approx -1.3863$.

# %%
def value_fn(real_logits, fake_logits):
    # V(D, G) = E_p[log D] + E_q[log(1 - D)], from logits, stable
    return -jnp.mean(jax.nn.softplus(-real_logits)) - jnp.mean(jax.nn.softplus(fake_logits))

def d_loss_fn(real_logits, fake_logits):
    # the discriminator minimises -V (a sum of two cross-entropies)
    return -value_fn(real_logits, fake_logits)


# %%
# Check: V at D = 1/2 is -log 4; our V equals gan_utils.losses.value_function; it stays finite at huge logits.
# NBVAL_CHECK_OUTPUT
zeros = jnp.zeros(8)
key, k1, k2 = jax.random.split(key, 3)
r, f = 3 * jax.random.normal(k1, (64,)), 3 * jax.random.normal(k2, (64,))
assert abs(float(value_fn(zeros, zeros)) + math.log(4)) < 1e-6
assert jnp.allclose(value_fn(r, f), gan_utils.losses.value_function(r, f), atol=1e-6)
assert jnp.allclose(d_loss_fn(r, f), gan_utils.losses.discriminator_loss(r, f), atol=1e-6)
extreme = float(value_fn(jnp.array([-200.0]), jnp.array([200.0])))
print(f"V(D = 1/2) = {float(value_fn(zeros, zeros)):.4f}  (-log 4 = {-math.log(4):.4f})")
print(f"V when D is confidently wrong (logits -200 on real, +200 on fake) = {extreme:.1f}, finite")

# %% [markdown]
# From here on the course uses **`gan_utils.losses.value_function`** and **`gan_utils.losses.discriminator_loss`**,
# which compute exactly these from logits (the check above compares them).
#
# ## 2. The optimal discriminator
#
# Fix $G$, hence $q$. Write the expectations as integrals over $x$:
#
# $$V(D, G) = \int \Big[\,p(x)\log D(x) + q(x)\log\big(1 - D(x)\big)\Big]\,dx.$$
#
# $D$ may choose its value at every $x$ separately, so we can maximise the integrand **pointwise**. For fixed
# $a = p(x) \ge 0$, $b = q(x) \ge 0$ (not both 0), let $f(y) = a\log y + b\log(1-y)$ on $0 < y < 1$:
#
# $$f'(y) = \frac ay - \frac{b}{1-y} = 0 \iff a(1-y) = by \iff y = \frac{a}{a+b},
# \qquad f''(y) = -\frac{a}{y^2} - \frac{b}{(1-y)^2} < 0,$$
#
# so the stationary point is the maximum. Hence
#
# $$\boxed{D^\star(x) = \frac{p(x)}{p(x) + q(x)}}$$
#
# exactly the Bayes posterior of the density-ratio trick in notebook 01. Where $q = p$, $D^\star = \frac12$.
#
# *Numerical check*: take $q = \mathcal N(0.5, 1)$, and at several $x$ maximise $f$ over a grid of $10^6$ values of $y$
# by brute force; compare with the formula.

# %%
Q_MU, Q_SIGMA = 0.5, 1.0                      # a fixed "generator" distribution q = N(0.5, 1)
def log_q(x):
    return log_normal(np.asarray(x, np.float64), Q_MU, Q_SIGMA)

def d_star(x):
    # p / (p + q) = sigmoid(log p - log q), computed in log space
    return 1 / (1 + np.exp(log_q(x) - log_p(x)))

x_points = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
y_grid = np.linspace(1e-6, 1 - 1e-6, 1_000_001)
brute = np.array([y_grid[np.argmax(np.exp(log_p(x)) * np.log(y_grid) + np.exp(log_q(x)) * np.log1p(-y_grid))]
                  for x in x_points])

# %%
# Check: brute-force maximisation agrees with D* = p / (p + q) to 1e-5 at every point.
# NBVAL_CHECK_OUTPUT
assert np.max(np.abs(brute - d_star(x_points))) < 1e-5
for x, b, d in zip(x_points, brute, d_star(x_points)):
    print(f"x = {x:+.1f}: p = {np.exp(log_p(x)):.4f}, q = {np.exp(log_q(x)):.4f}, "
          f"D* = p/(p+q) = {d:.4f}, brute-force argmax = {b:.4f}")


# %% [markdown]
# ### A trained discriminator finds $D^\star$
#
# In practice nobody knows $p$ or $q$; we only have samples. Train a small **MLP discriminator** (1 input, two hidden
# layers of 64 units with leaky-ReLU, 1 output logit) on fresh batches of real samples from $p$ and fake samples from
# $q$, by minimising the cross-entropy $-V$ with Adam. We then compare it with $D^\star$ on the **bulk**, where
# $(p+q)/2 > 0.05$. We write the network as a plain function of a list of weight
# matrices so that every step is visible; `gan_utils.models.MLPDiscriminator` is the Flax NNX version used from
# notebook 03 on.

# %%
def init_mlp(key, sizes):
    # weights ~ N(0, 1/fan_in), biases 0: a list of (W, b) per layer
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        key, sub = jax.random.split(key)
        params.append((jax.random.normal(sub, (fan_in, fan_out)) / math.sqrt(fan_in), jnp.zeros(fan_out)))
    return params

@jax.jit                      # compiled once per input size, also when called outside a training loop
def mlp(params, x):
    # x: (N,) scalars -> (N,) outputs; leaky-ReLU hidden layers, linear output
    h = x[:, None]
    for W, b in params[:-1]:
        h = jax.nn.leaky_relu(h @ W + b, 0.2)
    W, b = params[-1]
    return (h @ W + b)[:, 0]

def count_params(params):
    return sum(W.size + b.size for W, b in params)

key, sub = jax.random.split(key)
D_params = init_mlp(sub, [1, 64, 64, 1])

# %%
# Check: shapes and parameter count (1*64+64 + 64*64+64 + 64*1+1 = 4353).
# NBVAL_CHECK_OUTPUT
assert count_params(D_params) == 1 * 64 + 64 + 64 * 64 + 64 + 64 + 1 == 4353
assert mlp(D_params, jnp.zeros(5)).shape == (5,)
print("discriminator parameters:", count_params(D_params), "| logits for 5 inputs:", mlp(D_params, jnp.zeros(5)).shape)

# %%
D_STEPS, BATCH = (1500 if TESTING else 3000), 512
# Adam, with the learning rate decayed along a cosine to 2% of its start: late steps average out batch noise
d_opt = optax.adam(optax.cosine_decay_schedule(2e-3, D_STEPS, alpha=0.02), b1=0.5)

@jax.jit
def train_discriminator(params, key):
    def step(carry, key):
        params, opt_state = carry
        k_real, k_fake = jax.random.split(key)
        real = sample_p(k_real, BATCH)
        fake = Q_MU + Q_SIGMA * jax.random.normal(k_fake, (BATCH,))      # samples of q
        loss, grads = jax.value_and_grad(lambda P: d_loss_fn(mlp(P, real), mlp(P, fake)))(params)
        updates, opt_state = d_opt.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), loss
    (params, _), losses = jax.lax.scan(step, (params, d_opt.init(params)), jax.random.split(key, D_STEPS))
    return params, losses

t0 = time.time()
key, sub = jax.random.split(key)
D_params, d_losses = train_discriminator(D_params, sub)
d_losses.block_until_ready()
print(f"{D_STEPS} discriminator steps in {time.time() - t0:.1f} s (including compilation)")

x_line = np.linspace(-4, 4, 801)
m_line = 0.5 * (np.exp(log_p(x_line)) + np.exp(log_q(x_line)))
bulk = m_line > 0.05                                         # the bulk: where (p + q)/2 > 0.05
bulk_mass = np.trapezoid(np.where(bulk, m_line, 0.0), x_line)
d_learned = np.asarray(jax.nn.sigmoid(mlp(D_params, jnp.asarray(x_line, jnp.float32))))
gap = np.abs(d_learned - d_star(x_line))
max_gap, mean_gap = gap[bulk].max(), np.sum(gap * m_line) / np.sum(m_line)
print(f"bulk = [{x_line[bulk][0]:.2f}, {x_line[bulk][-1]:.2f}], holding {100 * bulk_mass:.1f}% of the mass of (p+q)/2")
print(f"max |D - D*| on the bulk = {max_gap:.4f}; mass-weighted mean |D - D*| = {mean_gap:.4f}")
print(f"final loss -V = {float(d_losses[-200:].mean()):.4f}")

# %%
fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 3.6))
ax.fill_between(x_line, np.exp(log_p(x_line)), color=REAL_COLOR, alpha=0.2, lw=0)
ax.plot(x_line, np.exp(log_p(x_line)), color=REAL_COLOR, lw=2, label="data p")
ax.plot(x_line, np.exp(log_q(x_line)), color=FAKE_COLOR, lw=2, label="model q = N(0.5, 1)")
ax.plot(x_line, d_star(x_line), color="gray", lw=4, alpha=0.5, label="D* = p/(p+q)")
ax.plot(x_line, d_learned, color=D_COLOR, lw=1.5, ls="--", label="trained MLP D")
ax.axhline(0.5, color="gray", ls=":", lw=1)
ax.set_ylim(0, 1); ax.set_xlabel("x"); ax.set_ylabel("density  /  D(x)"); ax.legend(fontsize=8, loc="upper left")
ax.set_title("The trained discriminator approaches D*")
bx.plot(x_line, gap, color=D_COLOR)
bx.axvspan(x_line[bulk][0], x_line[bulk][-1], color="gray", alpha=0.1, label="bulk: (p+q)/2 > 0.05")
bx.axhline(0.05, color="red", ls=":", lw=1, label="tolerance 0.05")
bx.set_xlabel("x"); bx.set_ylabel("|D(x) - D*(x)|"); bx.legend(fontsize=8)
bx.set_title(f"Gap: max {max_gap:.3f} on the bulk")
plt.tight_layout(); plt.show()

# %%
# Check: the trained D is within 0.05 of D* everywhere on the bulk of p and q.
assert max_gap < 0.05, max_gap
print(f"max |D - D*| = {max_gap:.4f} < 0.05: checked")


# %% [markdown]
# Outside the bulk there are almost no samples, so nothing tells $D$ what to do there; the gap can grow, and it does
# not matter for the losses, which are expectations under $p$ and $q$.
#
# ## 3. What the generator minimises: $C(G) = -\log 4 + 2\,\mathrm{JSD}(p\,\|\,q)$
#
# If $D$ is always optimal, the generator faces the criterion $C(G) = \max_D V(D, G) = V(D^\star, G)$. Substitute
# $D^\star = \frac{p}{p+q}$ and $1 - D^\star = \frac{q}{p+q}$:
#
# $$C(G) = \mathbb E_p\Big[\log\frac{p}{p+q}\Big] + \mathbb E_q\Big[\log\frac{q}{p+q}\Big].$$
#
# Divide and multiply by 2 inside each log, using $m = \frac{p+q}{2}$, so $\frac{p}{p+q} = \frac12\cdot\frac pm$:
#
# $$C(G) = \mathbb E_p\Big[\log\frac pm - \log 2\Big] + \mathbb E_q\Big[\log\frac qm - \log 2\Big]
# = -2\log 2 + \mathrm{KL}(p\,\|\,m) + \mathrm{KL}(q\,\|\,m).$$
#
# With $2\log 2 = \log 4$ and the definition of JS from notebook 01, $\mathrm{KL}(p\|m) + \mathrm{KL}(q\|m) = 2\,\mathrm{JSD}(p\|q)$:
#
# $$\boxed{C(G) = -\log 4 + 2\,\mathrm{JSD}(p\,\|\,q)}$$
#
# Since $0 \le \mathrm{JSD} \le \log 2$, we get $-\log 4 \le C(G) \le 0$, and the **global minimum $-\log 4$ is reached
# exactly when $q = p$**, where $D^\star = \frac12$. Against an optimal discriminator, the generator minimises the
# Jensen-Shannon divergence.
#
# *Numerical check*, by two independent routes for several $q$:
#
# - $C(G)$ by integrating $p\log D^\star + q\log(1 - D^\star)$ on a grid of spacing 0.001 over $[-15, 15]$;
# - $\mathrm{JSD}$ by the **entropy** identity $\mathrm{JSD} = H(m) - \frac12 H(p) - \frac12 H(q)$ (expand
#   $\mathrm{KL}(p\|m) = -H(p) - \mathbb E_p\log m$ and average), with $H(q) = \frac12\log(2\pi e\sigma^2)$ in closed
#   form for Gaussian $q$.

# %%
def integrate(f):
    return np.trapezoid(f, xs)

def entropy(log_density):
    d = np.exp(log_density)
    return -integrate(np.where(d > 0, d * log_density, 0.0))

LOG_P = log_p(xs)
H_P = entropy(LOG_P)

def C_of_G(log_q_grid):
    # V(D*, G) = int p log D* + q log(1 - D*), with log D* = log p - log(p + q)
    log_sum = np.logaddexp(LOG_P, log_q_grid)
    return integrate(np.exp(LOG_P) * (LOG_P - log_sum) + np.exp(log_q_grid) * (log_q_grid - log_sum))

def jsd_entropy(log_q_grid, H_q):
    log_m = np.logaddexp(LOG_P, log_q_grid) - np.log(2)
    return entropy(log_m) - 0.5 * H_P - 0.5 * H_q

cases = [("N(0.5, 1)", 0.5, 1.0), ("N(0, 1.34) (moments of p)", 0.0, math.sqrt(1.8)), ("N(-1.2, 0.6) (one mode)", -1.2, 0.6),
         ("N(3, 0.5)", 3.0, 0.5), ("N(10, 1) (far away)", 10.0, 1.0), ("q = p", None, None)]
rows = []
for name, mu, sigma in cases:
    if mu is None:
        lq, Hq = LOG_P, H_P
    else:
        lq, Hq = log_normal(xs, mu, sigma), 0.5 * math.log(2 * math.pi * math.e * sigma ** 2)
    C, J = C_of_G(lq), jsd_entropy(lq, Hq)
    rows.append((name, C, J, -math.log(4) + 2 * J))

# %%
# Check: C(G) = -log 4 + 2 JSD to 1e-4 for every q, C(G) = -log 4 at q = p, and C(G) -> 0 (JSD -> log 2) far away.
# NBVAL_CHECK_OUTPUT
print(f"{'q':28s} {'C(G) integrated':>16s} {'JSD (entropies)':>16s} {'-log 4 + 2 JSD':>15s}  |difference|")
for name, C, J, rhs in rows:
    assert abs(C - rhs) < 1e-4, (name, C, rhs)
    C4, J4, rhs4 = (round(v, 4) + 0.0 for v in (C, J, rhs))      # + 0.0 turns -0.0 into 0.0
    print(f"{name:28s} {C4:16.4f} {J4:16.4f} {rhs4:15.4f}  {'< 1e-4' if abs(C - rhs) < 1e-4 else 'TOO LARGE'}")
assert abs(rows[-1][1] + math.log(4)) < 1e-6 and abs(rows[-2][2] - math.log(2)) < 1e-4
print(f"-log 4 = {-math.log(4):.4f}, log 2 = {math.log(2):.4f}")

# %%
mus = np.linspace(-5, 5, 81)
C_curve = [C_of_G(log_normal(xs, m, 0.6)) for m in mus]
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(mus, C_curve, color=FAKE_COLOR, lw=2, label=r"$C(G)$ for $q = \mathcal{N}(\mu, 0.6^2)$")
ax.axhline(-math.log(4), color="gray", ls="--", lw=1, label=r"$-\log 4$ (q = p)")
ax.axhline(0, color="gray", ls=":", lw=1, label=r"0 = $-\log 4 + 2\log 2$ (disjoint)")
for m in P_MEANS:
    ax.axvline(m, color=REAL_COLOR, alpha=0.4, lw=1)
ax.set_xlabel(r"mean $\mu$ of the model q"); ax.set_ylabel(r"$C(G) = V(D^\star, G)$")
ax.set_title("The generator's criterion against an optimal D (blue lines: modes of p)"); ax.legend(fontsize=8)
plt.show()
print(f"C at mu = 0: {C_curve[40]:.4f}; at mu = -1.2 (one mode): {C_curve[int(np.argmin(np.abs(mus + 1.2)))]:.4f}; "
      f"at mu = 5: {C_curve[-1]:.4f}")


# %% [markdown]
# Two things to read off. With the width fixed at 0.6, the lowest $C(G)$ sits on **one mode** ($\mu \approx \pm 1.2$),
# not between them: a model that cannot cover both modes is pushed onto one of them rather than into the gap, a first
# glimpse of mode collapse. And the curve flattens toward 0 far from the data: there JSD is stuck near $\log 2$ (notebook 01, section 6) and the
# slope that should pull $q$ toward $p$ nearly vanishes. The next section shows how this plays out in the
# generator's gradient, and the standard fix.
#
# ## 4. Saturating against non-saturating generator losses
#
# The minimax game asks $G$ to **minimise** $\mathbb E_z[\log(1 - D(G(z)))]$ (the only term of $V$ that depends on
# $G$): the **saturating** loss. Goodfellow et al. noticed that it learns badly early on and proposed the
# **non-saturating** loss: **minimise** $-\mathbb E_z[\log D(G(z))]$ (note the sign: writing $+\log D$ here is a
# common bug, which makes $G$ help $D$). Both are decreasing in $D(G(z))$, so both push fakes toward "real", and both
# have the same fixed point.
#
# Their gradients differ. With $D = \sigma(\ell)$ and $\sigma'(\ell) = \sigma(\ell)(1 - \sigma(\ell))$, per sample:
#
# $$\frac{\partial}{\partial\ell}\log\big(1 - \sigma(\ell)\big) = -\frac{\sigma(1-\sigma)}{1-\sigma} = -\sigma(\ell) = -D,
# \qquad
# \frac{\partial}{\partial\ell}\big[-\log\sigma(\ell)\big] = -\frac{\sigma(1-\sigma)}{\sigma} = -(1 - D).$$
#
# Early in training $D$ easily spots fakes, $D(G(z)) \approx 0$: the saturating gradient $-D \approx 0$ **vanishes**,
# while the non-saturating one, $-(1-D) \approx -1$, is as large as it gets. (The chain rule then multiplies both by
# the same $\partial\ell/\partial\theta_G$.)

# %%
def g_loss_saturating(fake_logits):
    return -jnp.mean(jax.nn.softplus(fake_logits))          # mean log(1 - D), minimised by G

def g_loss_non_saturating(fake_logits):
    return jnp.mean(jax.nn.softplus(-fake_logits))          # mean -log D, minimised by G

d_values = np.array([0.001, 0.01, 0.1, 0.5, 0.9, 0.99])
logits = jnp.log(d_values / (1 - d_values))                 # the logit of each D value
grad_sat = jax.vmap(jax.grad(lambda l: g_loss_saturating(l[None])))(logits)
grad_ns = jax.vmap(jax.grad(lambda l: g_loss_non_saturating(l[None])))(logits)

# %%
# Check: the autodiff gradients equal -D and -(1 - D); our losses equal gan_utils'.
# NBVAL_CHECK_OUTPUT
assert np.allclose(grad_sat, -d_values, atol=1e-6) and np.allclose(grad_ns, -(1 - d_values), atol=1e-6)
assert jnp.allclose(g_loss_saturating(logits), gan_utils.losses.generator_loss_saturating(logits), atol=1e-6)
assert jnp.allclose(g_loss_non_saturating(logits), gan_utils.losses.generator_loss_non_saturating(logits), atol=1e-6)
print("  D(G(z))   d/dlogit saturating   d/dlogit non-saturating")
for d, gs, gn in zip(d_values, grad_sat, grad_ns):
    print(f"{d:9.3f} {float(gs):20.4f} {float(gn):24.4f}")

# %%
dd = np.linspace(0.001, 0.999, 999)
fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 3.6))
ax.plot(dd, np.log(1 - dd), color=FAKE_COLOR, lw=2, ls="--", label=r"saturating: $\log(1 - D)$")
ax.plot(dd, -np.log(dd), color=FAKE_COLOR, lw=2, label=r"non-saturating: $-\log D$")
ax.set_xlabel("D(G(z))"); ax.set_ylabel("generator loss (minimised)"); ax.legend(fontsize=8)
ax.set_title("Both losses fall as fakes look more real")
bx.semilogy(dd, dd, color=FAKE_COLOR, lw=2, ls="--", label=r"saturating: $|\partial/\partial\ell| = D$")
bx.semilogy(dd, 1 - dd, color=FAKE_COLOR, lw=2, label=r"non-saturating: $|\partial/\partial\ell| = 1 - D$")
bx.axvspan(0, 0.1, color="gray", alpha=0.15)
bx.text(0.01, 2e-3, "early training:\nD rejects fakes", fontsize=8)
bx.set_xlabel("D(G(z))"); bx.set_ylabel("gradient size w.r.t. the logit"); bx.legend(fontsize=8)
bx.set_title("...but the saturating gradient vanishes where G is bad")
plt.tight_layout(); plt.show()

# %% [markdown]
# **A run where the saturating loss stalls.** Data $\mathcal N(2, 0.5^2)$; the generator is the simplest
# push-forward, $G(z) = \mu + s\,z$, starting far away at $\mu = -2$, $s = 0.5$. $D$ is the MLP above, first trained
# for 300 steps (it always wins early), then both players alternate: one Adam step for $D$, one plain
# gradient-descent step (learning rate 0.02) for $G$. We use plain gradient descent for $G$ so that its step is
# proportional to its gradient, which is what the theory is about (Adam divides by a running gradient scale, which
# partly hides the problem: exercise 3). Same seeds, same everything; only the generator loss differs. We count the
# steps each run needs to get halfway, from $\mu = -2$ to $\mu > 0$.

# %%
SAT_STEPS = 1000 if TESTING else 2000
toy_d_opt = optax.adam(2e-3, b1=0.5)
def toy_G(g, z):
    return g["mu"] + g["s"] * z

@jax.jit
def run_generator_loss(D, key, saturating):
    # saturating is a traced bool: one compiled program serves both losses
    d_opt_state = toy_d_opt.init(D)
    g = {"mu": jnp.array(-2.0), "s": jnp.array(0.5)}

    def d_step(D, d_opt_state, g, key):
        k1, k2 = jax.random.split(key)
        real = 2.0 + 0.5 * jax.random.normal(k1, (256,))
        fake = toy_G(g, jax.random.normal(k2, (256,)))
        grads = jax.grad(lambda D: d_loss_fn(mlp(D, real), mlp(D, fake)))(D)
        updates, d_opt_state = toy_d_opt.update(grads, d_opt_state, D)
        return optax.apply_updates(D, updates), d_opt_state

    def g_loss(g, D, z):
        l = mlp(D, toy_G(g, z))
        return jnp.where(saturating, g_loss_saturating(l), g_loss_non_saturating(l))

    def step(carry, key):
        D, d_opt_state, g = carry
        k1, k2 = jax.random.split(key)
        D, d_opt_state = d_step(D, d_opt_state, g, k1)
        z = jax.random.normal(k2, (256,))
        grads = jax.grad(g_loss)(g, D, z)
        g = jax.tree.map(lambda w, dw: w - 0.02 * dw, g, grads)
        return (D, d_opt_state, g), {"mu": g["mu"], "d_fake": jnp.mean(jax.nn.sigmoid(mlp(D, toy_G(g, z)))),
                                     "grad_mu": jnp.abs(grads["mu"])}

    k_pre, k_train = jax.random.split(key)
    def pre(carry, key):
        return (*d_step(*carry, g, key),), None
    (D, d_opt_state), _ = jax.lax.scan(pre, (D, d_opt_state), jax.random.split(k_pre, 300))
    _, trace = jax.lax.scan(step, (D, d_opt_state, g), jax.random.split(k_train, SAT_STEPS))
    return trace

key, k_init, k_run = jax.random.split(key, 3)
D_toy = init_mlp(k_init, [1, 64, 64, 1])
t0 = time.time()
# The one deliberate key reuse of the course: both runs get the same D, the same key and so the same batches,
# so that the generator loss is the only difference between them.
trace_sat = run_generator_loss(D_toy, k_run, True)
trace_ns = run_generator_loss(D_toy, k_run, False)
print(f"two runs of {SAT_STEPS} steps in {time.time() - t0:.1f} s")
def halfway(tr):
    # first step at which mu > 0, or None if never
    above = np.asarray(tr["mu"]) > 0
    return int(np.argmax(above)) + 1 if above.any() else None
for name, tr in (("saturating", trace_sat), ("non-saturating", trace_ns)):
    print(f"{name:15s}: first |dL/dmu| = {float(tr['grad_mu'][0]):.4f} at D(G(z)) = {float(tr['d_fake'][0]):.4f}; "
          f"mu after 500 steps {float(tr['mu'][499]):+.3f}; halfway (mu > 0) at step {halfway(tr)}; "
          f"final mu {float(tr['mu'][-1]):+.3f} (target 2)")

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3.4))
steps_axis = np.arange(1, SAT_STEPS + 1)
avg = lambda y, k=25: np.convolve(np.asarray(y), np.ones(k) / k, mode="valid")     # 25-step moving average
for tr, color, ls, name in ((trace_sat, "#7a7a7a", "--", "saturating"), (trace_ns, FAKE_COLOR, "-", "non-saturating")):
    axes[0].plot(steps_axis, tr["mu"], color=color, ls=ls, lw=2, label=name)
    axes[1].plot(steps_axis[12:-12], avg(tr["d_fake"]), color=color, ls=ls, lw=1.5, label=name)
    axes[2].semilogy(steps_axis[12:-12], avg(tr["grad_mu"]), color=color, ls=ls, lw=1.5, label=name)
axes[0].axhline(2, color=REAL_COLOR, ls=":", label="data mean 2"); axes[0].set_ylabel(r"generator mean $\mu$")
axes[1].set_ylabel("mean D(G(z)) (25-step average)"); axes[2].set_ylabel(r"$|\partial L_G / \partial\mu|$ (25-step average)")
axes[0].set_title("Where is the generator?"); axes[1].set_title("How real do fakes look?")
axes[2].set_title("Generator gradient")
for ax in axes:
    ax.set_xlabel("training step"); ax.legend(fontsize=8)
plt.tight_layout(); plt.show()

# %%
# Check: the non-saturating generator is halfway within 50 steps and ends at the data (mu within 0.2 of 2);
# the saturating one, whose first gradient is over 100 times smaller, moves less than 0.1 in its first 500 steps.
mu_ns, moved_sat = float(trace_ns["mu"][-1]), float(trace_sat["mu"][499] - trace_sat["mu"][0])
ratio = float(trace_ns["grad_mu"][0] / trace_sat["grad_mu"][0])
assert halfway(trace_ns) <= 50 and abs(mu_ns - 2) < 0.2, (halfway(trace_ns), mu_ns)
assert ratio > 100 and moved_sat < 0.1, (ratio, moved_sat)
print(f"non-saturating: halfway at step {halfway(trace_ns)}, final mu {mu_ns:+.3f}; saturating: moved {moved_sat:.3f} "
      f"in 500 steps; first-gradient ratio {ratio:.0f}x: checked")


# %% [markdown]
# The saturating generator is not dead, it crawls: with $D(G(z)) \approx 10^{-3}$ its gradient is about a thousand
# times smaller, so for hundreds of steps $\mu$ barely moves. Only when some fakes start to get a noticeable
# $D(G(z))$ does it pick up speed (the printed step counts above). In a real GAN, where $D$ keeps improving, that moment
# may never come. The non-saturating generator gets there in a few dozen steps.
#
# `gan_utils.losses.generator_loss_non_saturating` (the default everywhere in the course) and
# `generator_loss_saturating` compute these two losses from logits.
#
# ## 5. Game dynamics: gradient steps on $\min_x \max_y\, xy$
#
# Even with good losses, a GAN is a **game**, not a minimisation, and gradient steps on games behave differently. The
# smallest example: $V(x, y) = xy$, which player $x$ (the "generator") minimises and player $y$ (the "discriminator")
# maximises. The unique equilibrium is $(0, 0)$. The gradients are $\partial V/\partial x = y$, $\partial V/\partial y = x$.
#
# **Simultaneous steps** (both use the old values), step size $\eta$:
# $x' = x - \eta y,\; y' = y + \eta x$. Then
#
# $$x'^2 + y'^2 = x^2 - 2\eta xy + \eta^2y^2 + y^2 + 2\eta xy + \eta^2x^2 = (1 + \eta^2)(x^2 + y^2),$$
#
# so the distance to the equilibrium grows by $\sqrt{1+\eta^2}$ **every step**: an outward spiral, for every $\eta > 0$.
#
# **Alternating steps** (as GANs are trained: $D$ first, then $G$ sees the new $D$), with $k$ discriminator steps:
# $y' = y + k\eta x$, then $x' = x - \eta y'$. In matrix form
#
# $$\begin{pmatrix}x'\\y'\end{pmatrix} = \begin{pmatrix}1 - k\eta^2 & -\eta\\ k\eta & 1\end{pmatrix}
# \begin{pmatrix}x\\y\end{pmatrix},\qquad \det = (1 - k\eta^2) + k\eta^2 = 1,\qquad \mathrm{tr} = 2 - k\eta^2.$$
#
# Determinant 1 preserves area; for $k\eta^2 < 4$ the eigenvalues are $e^{\pm i\theta}$ with $\cos\theta = 1 - k\eta^2/2$,
# so the iterates **cycle** on an ellipse around $(0, 0)$: bounded, but they never converge. (With $k$ simultaneous
# discriminator steps, $\det = 1 + k\eta^2 > 1$: still a spiral out.)

# %%
def play(eta, k, steps, mode, start=(1.0, 0.0)):
    # iterates of min_x max_y xy; k discriminator (y) steps per generator (x) step
    x, y = start
    path = [(x, y)]
    for _ in range(steps):
        if mode == "simultaneous":
            x, y = x - eta * y, y + k * eta * x
        else:                                   # alternating: y first, then x sees the new y
            y = y + k * eta * x
            x = x - eta * y
        path.append((x, y))
    return np.array(path)

sim = play(0.1, 1, 200, "simultaneous")
alt = play(0.1, 1, 200, "alternating")
r_sim, r_alt = np.hypot(*sim.T), np.hypot(*alt.T)

# %%
# Check: the simultaneous radius grows exactly as (1 + eta^2)^(t/2); alternating iterates stay on a bounded orbit.
# NBVAL_CHECK_OUTPUT
t = np.arange(201)
assert np.allclose(r_sim, (1 + 0.1 ** 2) ** (t / 2), rtol=1e-9)
assert r_alt.max() / r_alt.min() < 1.2
M = np.array([[1 - 3 * 0.1 ** 2, -0.1], [3 * 0.1, 1]])      # alternating with k = 3
assert abs(np.linalg.det(M) - 1) < 1e-12
print(f"eta = 0.1, 200 steps: simultaneous radius {r_sim[-1]:.4f} (theory (1.01)^100 = {1.01 ** 100:.4f}); "
      f"alternating radius stays in [{r_alt.min():.3f}, {r_alt.max():.3f}]")


# %%
def draw_game(eta=0.2, k_disc=1, steps=150):
    sim = play(eta, k_disc, steps, "simultaneous")
    alt = play(eta, k_disc, steps, "alternating")
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.2))
    ax.plot(*sim.T, ".-", color=FAKE_COLOR, lw=0.8, ms=3, label="simultaneous")
    ax.plot(*alt.T, ".-", color=REAL_COLOR, lw=0.8, ms=3, label="alternating")
    ax.plot(0, 0, "k*", ms=12, label="equilibrium (0, 0)"); ax.plot(1, 0, "ko", ms=5, label="start (1, 0)")
    lim = min(max(2.0, 1.1 * np.abs(alt).max()), 6)
    ax.set_xlim(-lim, lim); ax.set_ylim(-lim, lim); ax.set_aspect("equal")
    ax.set_xlabel("x (generator, minimises xy)"); ax.set_ylabel("y (discriminator, maximises xy)")
    ax.legend(fontsize=8, loc="upper right"); ax.set_title(f"min_x max_y xy: eta = {eta:.2f}, k = {k_disc}")
    bx.semilogy(np.hypot(*sim.T), color=FAKE_COLOR, label="simultaneous")
    bx.semilogy(np.hypot(*alt.T), color=REAL_COLOR, label="alternating")
    bx.set_xlabel("step"); bx.set_ylabel("distance to equilibrium"); bx.legend(fontsize=8)
    stable = "bounded cycle" if k_disc * eta ** 2 < 4 else "unstable"
    bx.set_title(f"Alternating: k·eta² = {k_disc * eta ** 2:.2f} -> {stable}")
    plt.tight_layout()

interactive_figure(draw_game,
                   eta=widgets.FloatSlider(value=0.2, min=0.02, max=1.5, step=0.02, description="step size",
                                           continuous_update=False),
                   k_disc=widgets.IntSlider(value=1, min=1, max=5, description="D steps k", continuous_update=False),
                   steps=widgets.IntSlider(value=150, min=10, max=500, step=10, description="steps",
                                           continuous_update=False))

# %%
# The widget's figure, drawn once for readers without a kernel (eta = 0.2, k = 1, 150 steps).
draw_game(0.2, 1, 150); plt.show()

# %% [markdown]
# Real GANs are not bilinear, and a loss with curvature can damp these cycles, but the lesson carries over: plain
# gradient steps on a game **orbit** the equilibrium instead of descending into it. This is why GAN losses oscillate
# rather than decrease, why the training loop alternates (`gan_utils.steps.make_train_step` does $k$ discriminator
# steps then one generator step), and why notebook 05 watches samples, not loss curves.
#
# ## 6. A complete 1-D GAN, written by hand
#
# Everything together: the generator $G$ is an MLP $1 \to 32 \to 32 \to 1$ fed $z \sim \mathcal N(0, 1)$; the
# discriminator $D$ is the $1 \to 64 \to 64 \to 1$ MLP of section 2. Each training step, as in Goodfellow et al.'s
# Algorithm 1:
#
# 1. draw a batch of real $x \sim p$ and noise $z$; take one Adam step on $D$ to **minimise $-V$** (section 1);
# 2. draw fresh noise; take one Adam step on $G$ to **minimise the non-saturating loss** $-\log D(G(z))$ (section 4).
#
# Both steps are written with `jax.grad` and run inside one `jax.lax.scan`, compiled once with `jax.jit`. The
# discriminator gets twice the generator's learning rate (2e-3 against 1e-3), and batches of 512 samples, which keeps
# its estimate of $D^\star$ sharp enough to guide $G$. We stop every few hundred steps to record a snapshot of $q$
# and $D$ for the animation.

# %%
GAN_STEPS = 2000 if TESTING else 3000
N_FRAMES, GAN_BATCH = 20, 512
CHUNK = GAN_STEPS // N_FRAMES
g_opt, d_opt_gan = optax.adam(1e-3, b1=0.5), optax.adam(2e-3, b1=0.5)

def generator(G, z):
    return mlp(G, z)                                    # (N,) noise -> (N,) samples

def gan_step(carry, key):
    G, D, g_state, d_state = carry
    k_real, k_z1, k_z2 = jax.random.split(key, 3)
    # 1. discriminator: minimise -V on real data and on (fixed) fakes
    real = sample_p(k_real, GAN_BATCH)
    fake = generator(G, jax.random.normal(k_z1, (GAN_BATCH,)))
    d_loss, d_grads = jax.value_and_grad(lambda D: d_loss_fn(mlp(D, real), mlp(D, fake)))(D)
    updates, d_state = d_opt_gan.update(d_grads, d_state, D)
    D = optax.apply_updates(D, updates)
    # 2. generator: minimise -log D(G(z)) through the updated discriminator
    z = jax.random.normal(k_z2, (GAN_BATCH,))
    g_loss, g_grads = jax.value_and_grad(lambda G: g_loss_non_saturating(mlp(D, generator(G, z))))(G)
    updates, g_state = g_opt.update(g_grads, g_state, G)
    G = optax.apply_updates(G, updates)
    return (G, D, g_state, d_state), {"d_loss": d_loss, "g_loss": g_loss}

@jax.jit
def train_chunk(carry, key):
    # CHUNK training steps in one compiled loop
    return jax.lax.scan(gan_step, carry, jax.random.split(key, CHUNK))


# %%
key, k_g, k_d = jax.random.split(key, 3)
G, D = init_mlp(k_g, [1, 32, 32, 1]), init_mlp(k_d, [1, 64, 64, 1])
carry = (G, D, g_opt.init(G), d_opt_gan.init(D))
x_plot = np.linspace(-4, 4, 321)
key, k_snap = jax.random.split(key)
z_snap = jax.random.normal(k_snap, (4000,))          # the same noise for every snapshot

def snapshot(carry, step, v):
    G, D = carry[:2]
    return {"step": step, "q_samples": np.asarray(generator(G, z_snap)),
            "d": np.asarray(jax.nn.sigmoid(mlp(D, jnp.asarray(x_plot, jnp.float32)))), "V": v}

frames, history = [snapshot(carry, 0, float("nan"))], []
t0 = time.time()
for i in range(N_FRAMES):
    key, sub = jax.random.split(key)
    carry, metrics = train_chunk(carry, sub)
    history.append(metrics)
    frames.append(snapshot(carry, (i + 1) * CHUNK, -float(metrics["d_loss"][-50:].mean())))
train_seconds = time.time() - t0
history = {k: np.concatenate([h[k] for h in history]) for k in history[0]}
print(f"{GAN_STEPS} GAN steps in {train_seconds:.1f} s (including compilation)")

# %%
P_PLOT = np.exp(log_p(x_plot))

def draw_frame(ax, fr):
    ax.fill_between(x_plot, P_PLOT, color=REAL_COLOR, alpha=0.25, lw=0)
    ax.plot(x_plot, P_PLOT, color=REAL_COLOR, lw=2, label="data p(x)")
    ax.hist(fr["q_samples"], bins=64, range=(-4, 4), density=True, color=FAKE_COLOR, alpha=0.45,
            label="generator samples (q)")
    ax.plot(x_plot, fr["d"], color=D_COLOR, lw=2, label="D(x)")
    ax.axhline(0.5, color="gray", ls=":", lw=1)
    ax.set_xlim(-4, 4); ax.set_ylim(0, 1.05); ax.set_xlabel("x"); ax.set_ylabel("density  /  D(x)")
    v = "" if np.isnan(fr["V"]) else f", V = {fr['V']:.3f} (-log 4 = -1.386)"
    ax.set_title(f"step {fr['step']}{v}", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)

animate(frames, draw_frame, interval=250, figsize=(7, 3.6))

# %%
# Final state, measured on fresh samples: V, and D on the region where the data has mass.
G, D = carry[:2]
key, k1, k2 = jax.random.split(key, 3)
real, z = sample_p(k1, 20_000), jax.random.normal(k2, (20_000,))
fake = generator(G, z)
V_final = float(value_fn(mlp(D, real), mlp(D, fake)))
where_data = P_PLOT > 0.05                                   # the data has mass: p(x) > 0.05
mass_covered = float(np.mean((np.asarray(real) >= x_plot[where_data][0]) & (np.asarray(real) <= x_plot[where_data][-1])))
d_final = frames[-1]["d"]
d_dev = float(np.max(np.abs(d_final[where_data] - 0.5)))
w1 = float(jnp.mean(jnp.abs(jnp.sort(fake) - jnp.sort(real))))   # 1-D Wasserstein distance from sorted samples
print(f"V(D, G) = {V_final:.4f}   (-log 4 = {-math.log(4):.4f})")
print(f"max |D(x) - 1/2| where p(x) > 0.05 (x in [{x_plot[where_data][0]:.2f}, {x_plot[where_data][-1]:.2f}], "
      f"{100 * mass_covered:.1f}% of the data) = {d_dev:.4f}")
print(f"generator mean {float(fake.mean()):+.3f}, std {float(fake.std()):.3f}  (data: 0, {math.sqrt(1.8):.3f}); "
      f"Wasserstein-1 distance q to p = {w1:.3f}")

fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 3.6))
plot_density_1d(x_plot, P_PLOT, None, np.asarray(fake), d_final, ax=ax, title="After training")
s = np.arange(1, GAN_STEPS + 1)
k = 50
smooth = lambda y: np.convolve(y, np.ones(k) / k, mode="valid")
bx.plot(s[k - 1:], -smooth(history["d_loss"]), color=D_COLOR, label="V = -(discriminator loss)")
bx.plot(s[k - 1:], smooth(history["g_loss"]), color=FAKE_COLOR, label="generator loss -log D(G(z))")
bx.axhline(-math.log(4), color=D_COLOR, ls="--", lw=1); bx.axhline(math.log(2), color=FAKE_COLOR, ls="--", lw=1)
bx.set_xlabel("training step"); bx.set_ylabel(f"value ({k}-step average)")
bx.set_title("Losses approach -log 4 and log 2 (dashed)"); bx.legend(fontsize=8)
plt.tight_layout(); plt.show()

# %%
# Check: at the end D is within 0.1 of 1/2 wherever the data has mass, and V is near -log 4.
assert d_dev < 0.1, d_dev
assert abs(V_final + math.log(4)) < 0.02, V_final
assert w1 < 0.15, w1
print(f"max |D - 1/2| = {d_dev:.3f} < 0.1, |V + log 4| = {abs(V_final + math.log(4)):.4f} < 0.02: checked")

# %% [markdown]
# At the end $D$ hovers around $\frac12$ where the data lives: it can no longer tell real from fake, which is what
# $D^\star = p/(p+q) = \frac12$ at $q = p$ predicts, and $V$ sits near $-\log 4$. Note what the losses do *not* do:
# they do not decrease to zero. A GAN's losses settle at the equilibrium values $2\log 2$ (for $D$) and $\log 2$
# (non-saturating $G$), which `gan_utils.plots.EQUILIBRIUM` records.
#
# The training loop above is, step for step, what **`gan_utils.steps.make_train_step`** compiles for Flax NNX models
# (with $k$ discriminator steps, the choice of generator loss, and label smoothing), and `gan_utils.train.fit` runs it
# with progress bars and checkpoints. From notebook 03 on we use those.
#
# ## Summary
#
# | Claim | Derivation | Checked here |
# |---|---|---|
# | $D$'s objective is cross-entropy | $\mathrm{BCE} = -\frac12 V$ | $V(\frac12) = -\log 4$; equals `gan_utils.losses` |
# | $D^\star = p/(p+q)$ | pointwise max of $a\log y + b\log(1-y)$ | brute force to $10^{-5}$; trained MLP within 0.05 |
# | $C(G) = -\log 4 + 2\,\mathrm{JSD}$ | substitute $D^\star$, use $m = \frac{p+q}2$ | integration vs entropies to $10^{-4}$ |
# | saturating loss stalls | gradient $-D$ vs $-(1-D)$ | $\mu$ stuck at $-2$ vs reaches 2 |
# | simultaneous steps spiral out | radius $\times\sqrt{1+\eta^2}$ per step | exact to $10^{-9}$ |
# | alternating steps cycle | $\det = 1$ | radius bounded |
# | a 1-D GAN reaches equilibrium | $q \to p \Rightarrow D \to \frac12, V \to -\log 4$ | $|D - \frac12| < 0.1$, $V \approx -\log 4$ |
#
# ## Exercises
#
# 1. **Optimal discriminator.** For $p = \mathcal N(0, 1)$ and $q = \mathcal N(1, 1)$, compute $D^\star(0)$ by hand and
#    store it in `answer_1`. (Hint: $\log p(0) - \log q(0) = \frac12$.)
# 2. **Disjoint supports.** What is $C(G)$ when $p$ and $q$ never overlap? Store it in `answer_2`.
# 3. **Adam hides saturation (partly).** In `run_generator_loss`, replace the plain gradient step on $g$ by Adam
#    (`optax.adam(0.02)`). Does the saturating generator still stall? Why does dividing by the gradient scale help
#    here, and why is that not a cure? (Open question, no checker.)
# 4. **Separated modes.** Rerun section 6 with `p = mixture_1d((-2, 2), (0.5, 0.5))`. What does the generator do
#    between the modes, and what does $D$ do there? (Open question.)
# 5. **Game dynamics.** For alternating steps with one discriminator step ($k = 1$), below which step size $\eta$
#    do the iterates stay bounded? Store it in `answer_5`, then try values around it in the widget.

# %%
# Your answers (replace None).
answer_1 = None
answer_2 = None
answer_5 = None


# %%
# Checker: run it after answering. Unanswered exercises are reported, not failed.
def check_exercises(answer_1, answer_2, answer_5, verbose=True):
    results = []
    if answer_1 is None:
        results.append("1: not answered yet")
    else:
        assert abs(answer_1 - 1 / (1 + math.exp(-0.5))) < 1e-3, "1: not yet; D* = p/(p+q) = sigmoid(log p - log q)"
        results.append("1: correct")
    if answer_2 is None:
        results.append("2: not answered yet")
    else:
        assert abs(answer_2 - 0.0) < 1e-3, "2: not yet; what is JSD for disjoint supports (notebook 01)?"
        results.append("2: correct")
    if answer_5 is None:
        results.append("5: not answered yet")
    else:
        assert abs(answer_5 - 2.0) < 1e-3, "5: not yet; bounded iff |trace| < 2, trace = 2 - k eta^2"
        results.append("5: correct")
    if verbose:
        print("\n".join(results))

check_exercises(1 / (1 + math.exp(-0.5)), 0.0, 2.0, verbose=False)     # the checker checks itself first
check_exercises(answer_1, answer_2, answer_5)

# %% [markdown]
# <details><summary>Solutions (click)</summary>
#
# 1. $D^\star(0) = \sigma(\log p(0) - \log q(0)) = \sigma(0.5) \approx 0.6225$.
# 2. $\mathrm{JSD} = \log 2$, so $C(G) = -\log 4 + 2\log 2 = 0$: the largest possible value, and flat (no gradient).
# 3. Adam divides each step by a running RMS of recent gradients, so a uniformly tiny gradient still yields
#    steps of size about the learning rate, and $\mu$ moves. But the tiny signal is then amplified together with
#    its noise, and Adam's scale adapts slowly when the gradient suddenly grows; the non-saturating loss is still
#    the standard choice.
# 4. The generator must map a narrow range of $z$ across the gap; samples land between the modes for a long time,
#    $D$ dips below $\frac12$ there, and training needs many more steps (or a bigger generator).
# 5. $\eta = 2$ ($k\eta^2 < 4$); at exactly 2 the eigenvalues are both $-1$ and the orbit grows linearly.
# </details>
#
# **Next:** [03 The generator](03_generator.ipynb): from a 1-D MLP to a convolutional generator for MNIST digits, in
# Flax NNX.
