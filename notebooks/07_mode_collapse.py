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

# %% [markdown] slideshow={"deck": {"notes": "Today: why GANs fail, one measured link at a time, then what fixes them. This is the 50-minute cut of a notebook planned for two lectures.\nLeft to reading: Appendix E (the new losses, spectral normalisation, the weight average), 4.1 (a longer schedule), Appendix D (MNIST: the class histogram during training), and Appendices A-E. Of section 4.2 we show one number.\nOpen with a question: who has seen a GAN draw the same picture again and again? Was that generator \"bad\", or only \"narrow\"?", "text": "# 07 Mode collapse, and which stabilisers fix it\n\nHow GANs fail, measured, and which fixes work:\n\n- why a perfect discriminator ruins the generator's gradient, and how a Wasserstein critic keeps it\n- **mode collapse**, and how to tell it from failures that look like it\n- two **stabilisers** built by hand: the gradient penalty and PacGAN\n- the stabilisers compared over 5 seeds; the **GAN playground**, live"}, "slide_type": "slide"}
# # 07 Mode collapse, and which stabilisers fix it
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gans-in-jax/blob/main/notebooks/07_mode_collapse.ipynb)
#
# This notebook measures how GANs fail, and the proposed fixes.
#
# **You will learn**
# - why a perfect discriminator ruins the generator's gradient, and how a Wasserstein critic keeps it;
# - what **mode collapse** is, and how to tell it from failures that look like it;
# - two **stabilisers** built by hand, the gradient penalty and PacGAN;
# - how the stabilisers compare over 5 seeds, and which fix a collapse;
# - the **GAN playground**, a live 2-D GAN (Appendix D watches for collapse on MNIST).

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
import jax, jax.numpy as jnp, numpy as np, matplotlib.pyplot as plt, optax
from flax import nnx
from gan_utils import data, exercises, losses, metrics, models, plots, playground, precomputed
from gan_utils.plots import REAL_COLOR, FAKE_COLOR, D_COLOR
from gan_utils.playground import PlaygroundConfig, ToyGAN, train_seeds, draw_frame
# Sections 2, 4, 5 and the appendices show precomputed results (175 toy runs and two MNIST runs: about 62 minutes on
# a 2-core CPU; each result prints when, where and in how long it was computed).
# True: re-run them here and save them (gan_utils/precomputed.py says where); the notebook then shows your run.
RUN_EXPERIMENTS = False
SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
course.style()  # the course's figure style; GAN_COURSE_PROJECTOR=1: projector mode, for a hall
print(f"JAX {jax.__version__} on {jax.devices()}")

# %% [markdown] slideshow={"deck": {"notes": "The Wasserstein-1 distance is new today; JSD and KL come from notebook 01.\nConcept question 1, before the next slide: with theta = 0.3, compute JSD, KL(p||q) and W1. Which one tells the generator where to go? Give the class a minute.", "text": "## 1. Why GANs fail: two sets that do not overlap\n\nReal data fill a thin set (digits among all 28x28 images). A generator's outputs: a surface of dimension at most the size of $z$. **Two thin sets almost never overlap.**\n\nSimplest case: data $p = \\delta_0$, model $q_\\theta = \\delta_\\theta$ (all mass at $\\theta$).\n\n$$W_1(p, q) = \\int |F_p(x) - F_q(x)|\\,dx$$\n\nthe area between the two CDFs: the least \"mass times distance\" that moves $q$ onto $p$."}, "slide_type": "slide"}
# ## 1. Why GANs fail, one measured link at a time
#
# ### 1.1 Two distributions that do not overlap: JSD is flat, Wasserstein is not
#
# Real data fills a thin set of its space (digits among all 28x28 images). A generator's outputs form a surface of
# dimension at most the size of $z$. Two thin sets almost never overlap.
#
# The simplest case (after Arjovsky et al., 2017, Example 1): the data $p = \delta_0$ and the model $q_\theta =
# \delta_\theta$, point masses at 0 and at $\theta$. We slide $\theta$ from $-1$ to $1$ and compute JSD, KL
# (notebook 01) and the **Wasserstein-1 distance** $W_1(p, q) = \int |F_p(x) - F_q(x)|\,dx$. It is the area between the CDFs: the
# least "mass times distance" that moves $q$ onto $p$.

# %% slideshow={"deck": {"figure": true, "notes": "Answer to question 1: JSD is log 2 = 0.693147 for every theta that is not 0, near or far; KL is infinite; W1 is |theta|, 0.3 here.\nOnly W1 says how far and which way: its slope is plus or minus 1 everywhere. JSD gives no gradient at all. This is notebook 01's flat JSD, in its most extreme form.", "text": "### Sliding $\\theta$ from $-1$ to $1$: JSD is flat, $W_1 = |\\theta|$"}, "slide_type": "slide"}
x_line = np.linspace(-2, 2, 4001)
dx = x_line[1] - x_line[0]

def point_mass(theta):
    h = np.zeros_like(x_line)
    h[np.argmin(np.abs(x_line - theta))] = 1.0
    return h

def kl(a, b):                                     # KL(a || b) of two histograms on the grid; inf off b's support
    m = a > 0
    return math.inf if np.any(b[m] == 0) else float(np.sum(a[m] * np.log(a[m] / b[m])))

def jsd(a, b):
    m = (a + b) / 2
    return 0.5 * kl(a, m) + 0.5 * kl(b, m)

def w1(a, b):                                     # area between the CDFs
    return float(np.sum(np.abs(np.cumsum(a) - np.cumsum(b))) * dx)

thetas = np.round(np.linspace(-1, 1, 41), 3)
p0 = point_mass(0.0)
jsds = np.array([jsd(p0, point_mass(t)) for t in thetas])
w1s = np.array([w1(p0, point_mass(t)) for t in thetas])
kls = np.array([kl(p0, point_mass(t)) for t in thetas])
apart = thetas != 0
print(f"JSD(p || q_theta) for theta != 0: between {jsds[apart].min():.6f} and {jsds[apart].max():.6f} "
      f"(log 2 = {math.log(2):.6f});\nat theta = 0: {jsds[~apart][0]:.1f}")
print(f"KL(p || q_theta) for theta != 0: {'inf' if np.all(np.isinf(kls[apart])) else 'finite somewhere'}")
print(f"W1(p, q_theta) - |theta|: largest deviation {np.abs(w1s - np.abs(thetas)).max():.1e}")

fig, ax = plt.subplots(figsize=(7, 3.2))
ax.plot(thetas, jsds, "o", color=D_COLOR, ms=3, label=r"$\mathrm{JSD}(p\,\Vert\,q_\theta)$")
ax.plot(thetas, w1s, "s-", color="#2e7d32", ms=3, label=r"$W_1(p, q_\theta)$")
ax.axhline(math.log(2), color="gray", ls=":", lw=1)
ax.set_xlabel("theta (where q's mass sits)"); ax.set_ylabel("divergence / distance")
ax.set_title("Two point masses sliding past each other: JSD is flat at log 2, W1 = |theta|", fontsize=10)
ax.legend(fontsize=9); plt.show()

# %%
# Check (exact on the grid): JSD is log 2 wherever the masses are apart and 0 where they meet; W1 is |theta|.
assert np.allclose(jsds[apart], math.log(2), atol=1e-12) and jsds[~apart][0] == 0.0
assert np.all(np.isinf(kls[apart])) and np.abs(w1s - np.abs(thetas)).max() < 1e-9
print("checked: JSD = log 2 for every theta != 0, KL infinite, W1 = |theta|")

# %% [markdown] slideshow={"deck": {"notes": "The two segments never overlap, so D can become perfect. The generator does not move: we only look at the gradient it would get.\nConcept question 2: if D becomes perfect, what happens to the saturating gradient? To the non-saturating one? Ask for a prediction by show of hands: smaller, larger, the same.", "text": "### 1.2 A perfect discriminator, and the generator's gradient\n\n- data: the segment $x_1 = 0$, $0 \\le x_2 \\le 1$\n- generator: $G_\\theta(z) = (\\theta, z)$, $z \\sim U[0, 1]$, at $\\theta = 0.5$: a parallel segment\n- train $D$ (cross-entropy) for 0 to 3000 steps against this fixed generator\n- measure $\\partial L_G/\\partial\\theta$: **saturating** and **non-saturating** loss"}, "slide_type": "slide"}
# JSD is $\log 2$ for every $\theta \neq 0$, near or far: it gives no gradient. KL is infinite. $W_1 = |\theta|$, and
# its slope $\pm 1$ moves $\theta$ towards 0 from either side.
#
# ### 1.2 A discriminator that is perfect, and what it does to the generator's gradient
#
# The data lies on the segment $x_1 = 0$, $0 \le x_2 \le 1$. The generator $G_\theta(z) = (\theta, z)$,
# $z \sim U[0, 1]$, draws a parallel segment at $\theta = 0.5$. We train $D$ with notebook 04's cross-entropy for 0 to
# 3,000 steps. Each time, we measure its accuracy and the generator's gradient $\partial L_G/\partial\theta$, for the
# saturating and the non-saturating loss (notebook 02).

# %% slideshow={"deck": {"notes": "Read the table row by row: accuracy reaches 1.000 after 10 steps; mean D(G(z)) falls to 3.58e-06.\nThe saturating gradient falls by orders of magnitude. The non-saturating one grows from 0.90 to 40.76.\nNeither follows the distance to the data: their size is set by how long D has trained, not by where the generator is.", "output": true, "text": "### $D$ becomes perfect: one gradient vanishes, the other grows\n\nSaturating: a factor $D(G(z)) \\to 0$. Non-saturating: a factor $1 - D(G(z)) \\to 1$, times $D$'s slope, which keeps growing."}, "slide_type": "slide"}
THETA = 0.5
D_STEPS = (0, 10, 100, 1000, 3000)

def real_segment(k, n):                          # x = (0, u), u ~ U[0, 1]
    return jnp.stack([jnp.zeros(n), jax.random.uniform(k, (n,))], 1)

def g_theta(theta, z):                           # the one-parameter generator
    return jnp.stack([jnp.full_like(z, theta), z], 1)

key, k_z, k_eval = jax.random.split(key, 3)
z_probe = jax.random.uniform(k_z, (1024,))
real_probe = real_segment(k_eval, 1024)
adam = optax.adam(1e-3, b1=0.5)

def train_critic(d_loss_fn, key, steps=D_STEPS, penalty=None):
    """Trains a fresh MLP D against the fixed generator at THETA; yields (step, graphdef, params) at each of steps."""
    graphdef, params = nnx.split(models.MLPDiscriminator(2, (64, 64), rngs=nnx.Rngs(SEED)))
    opt_state = adam.init(params)

    @jax.jit
    def update(params, opt_state, k):
        k1, k2, k3 = jax.random.split(k, 3)
        real, fake = real_segment(k1, 256), g_theta(THETA, jax.random.uniform(k2, (256,)))
        def loss(params):
            d = lambda x: nnx.merge(graphdef, params)(x)
            extra = penalty(d, real, fake, k3) if penalty else 0.0
            return d_loss_fn(d(real), d(fake)) + extra
        grads = jax.grad(loss)(params)
        updates, opt_state = adam.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    done = 0
    for target in steps:
        while done < target:
            params, opt_state = update(params, opt_state, jax.random.fold_in(key, done))
            done += 1
        yield target, graphdef, params

def g_grad(loss_fn, graphdef, params):           # dL_G / dtheta at THETA
    return float(jax.grad(lambda th: loss_fn(nnx.merge(graphdef, params)(g_theta(th, z_probe))))(THETA))

key, k_d = jax.random.split(key)
perfect = []
for step, gd, gp in train_critic(losses.discriminator_loss, k_d):
    d = nnx.merge(gd, gp)
    acc = float((jnp.mean(d(real_probe) > 0) + jnp.mean(d(g_theta(THETA, z_probe)) < 0)) / 2)
    perfect.append((step, acc, float(jnp.mean(jax.nn.sigmoid(d(g_theta(THETA, z_probe))))),
                    g_grad(losses.generator_loss_saturating, gd, gp), g_grad(losses.generator_loss_non_saturating, gd, gp)))
print(f"{'D steps':>8s} {'accuracy':>9s} {'mean D(G(z))':>13s} {'dL_G/dtheta saturating':>23s} {'non-saturating':>15s}")
for step, acc, dfake, gs, gn in perfect:
    print(f"{step:8d} {acc:9.3f} {dfake:13.2e} {gs:23.2e} {gn:15.2f}")

# %% slideshow={"deck": {"big": {"find": "fell to ([\\d.]+e[-+]\\d+) of its largest", "say": "the saturating gradient at the end, as a fraction of its largest value; the non-saturating one grew 45-fold from step 10"}}, "slide_type": "fragment"}
# Check: D becomes perfect; the saturating gradient falls by orders of magnitude while the non-saturating one grows.
# (Margins over 5 other seeds: benchmarks/nb07_check_margins.py section1.)
acc_end, sat, ns = perfect[-1][1], [r[3] for r in perfect], [r[4] for r in perfect]
assert acc_end == 1.0 and perfect[-1][2] < 1e-3
assert abs(sat[-1]) < 0.01 * max(abs(s) for s in sat) and abs(ns[-1]) > 10 * abs(ns[1])
print(f"D is perfect (accuracy {acc_end:.3f}); the saturating gradient fell to {abs(sat[-1]) / max(abs(s) for s in sat):.1e} "
      f"of its largest value,\nthe non-saturating one grew {abs(ns[-1]) / abs(ns[1]):.0f}-fold from step 10")

# %% [markdown] slideshow={"deck": {"notes": "This is the Kantorovich-Rubinstein duality: the best 1-Lipschitz critic's mean gap is W1 itself.\nMisconception to raise here: \"a perfect D gives the best gradient\". The last slide showed the opposite: a perfect D gave a gradient of 2.7e-04 of its largest value, or one that grew 45-fold.\nConcept question 3: the critic trains on the same segments. What gradient should the generator get? (The slope of W1 = |theta|.)", "text": "### 1.3 A Wasserstein critic keeps an informative gradient\n\n$$W_1(p, q) = \\sup_{\\|f\\|_L \\le 1} \\ \\mathbb E_p f(x) - \\mathbb E_q f(x)$$\n\n- the **critic** $f$: any real function with slope at most 1 (1-Lipschitz)\n- WGAN-GP holds its slope near 1 with a **gradient penalty** (section 3.2)\n- same segments: $W_1 = 0.5$ exactly, and its slope in $\\theta$ is 1"}, "slide_type": "slide"}
# The supports do not overlap, so $D$ becomes perfect. Then (Arjovsky & Bottou, 2017):
#
# - the **saturating** gradient **vanishes**: its factor $D(G(z))$ goes to 0 faster than $D$'s slope (how fast its
#   logit changes as $\theta$ moves) grows;
# - the **non-saturating** gradient **grows**, tens of times from step 10: its factor $1 - D(G(z))$ goes to 1, and
#   $D$'s slope keeps growing.
#
# Neither follows the distance to the data. Their size follows how long $D$ has trained.
#
# ### 1.3 A Wasserstein critic keeps an informative gradient
#
# $W_1$ has a second form, which a network can learn (the Kantorovich-Rubinstein duality; Villani, 2008, ch. 5):
#
# $$W_1(p, q) = \sup_{\|f\|_L \le 1} \ \mathbb E_p f(x) - \mathbb E_q f(x).$$
#
# $\sup$ is the largest value over all such $f$. $\|f\|_L \le 1$ says that $f$'s slope is at most 1 everywhere ($f$ is
# **1-Lipschitz**). On section 1.1's point masses ($\theta > 0$), $f(x) = -x$ gives $f(0) - f(\theta) = \theta = W_1$,
# and no such $f$ does better. The **critic** is a network $f$ trained to reach this sup. WGAN-GP (Gulrajani et al., 2017) holds its slope near 1
# with a **gradient penalty** (section 3.2). We train it on the same segments, where $W_1 = 0.5$.

# %% slideshow={"deck": {"notes": "The estimate E_p f - E_q f settles near the true 0.5, and the generator's gradient near 1, the slope of W1.\nCompare with the last table: 40.76 there, about 1 here, and it no longer depends on how long the critic trained.\nA gradient of the wrong size stalls the generator or makes it overshoot: one cause of non-convergence. Mode collapse is a different failure, next.", "output": true, "text": "### The critic estimates $W_1$, and the gradient settles near 1"}, "slide_type": "slide"}
key, k_c = jax.random.split(key)
wgan_rows = []
for step, gd, gp in train_critic(losses.critic_loss_wasserstein, k_c,
                                 penalty=lambda f, r, g, k: losses.gradient_penalty(f, r, g, k, 10.0)):
    f = nnx.merge(gd, gp)
    w_est = float(jnp.mean(f(real_probe)) - jnp.mean(f(g_theta(THETA, z_probe))))
    wgan_rows.append((step, w_est, g_grad(losses.generator_loss_wasserstein, gd, gp)))
print(f"{'critic steps':>12s} {'E_p f - E_q f':>14s} {'dL_G/dtheta':>12s}   (true W1 = {THETA}, its slope 1)")
for step, w_est, gw in wgan_rows:
    print(f"{step:12d} {w_est:14.3f} {gw:12.3f}")

# %% slideshow={"deck": {"big": {"find": "generator gradient ([\\d.]+)", "say": "the generator's gradient after 3000 critic steps (the slope of $W_1 = |\\theta|$ is 1)"}}, "slide_type": "fragment"}
# Check: the trained critic estimates W1 = theta within 10%, and the generator's gradient is about 1, not 0 or 40.
# (Margins over 5 other seeds: benchmarks/nb07_check_margins.py section1.)
assert abs(wgan_rows[-1][1] - THETA) < 0.1 * THETA and 0.8 < abs(wgan_rows[-1][2]) < 1.25, wgan_rows[-1]
print(f"W1 estimate {wgan_rows[-1][1]:.3f} (true {THETA}); generator gradient {wgan_rows[-1][2]:.3f} (true slope 1)")

# %% [markdown]
# The estimate settles near the true 0.5, and the gradient near 1, the slope of $W_1$. A gradient of the wrong size
# stalls the generator or makes it overshoot: one cause of non-convergence (notebook 05, section 6b). Mode collapse is
# a different failure.

# %% [markdown] slideshow={"deck": {"notes": "The recipe: MLPs with three hidden layers of 128, batch 256, Adam with beta1 0.5, learning rate 3e-3 for G and 1e-3 for D, 6000 steps, the last 2000 at a tenth of both rates.\nDiscussion question 1: why does counting modes need the high-quality fraction beside it? And why is the high-quality fraction alone not enough? Keep the answers for the next slide.", "text": "## 2. Mode collapse, and how to tell it from look-alikes\n\n- **diversity**: modes covered, distinct samples, spread\n- **fidelity**: high-quality fraction (within 3\u03c3 of a mode), median distance to a mode\n\n**Mode collapse**: many $z$ map to a few outputs. **Non-convergence**: samples off the data, and moving.\n\nThe ring (8 modes, \u03c3 = 0.01): one recipe, then **one change** at a time, 5 seeds each."}, "slide_type": "slide"}
# ## 2. Mode collapse, and how to tell it from look-alikes
#
# Two measurements describe a set of samples:
#
# - **diversity**: the modes covered, the distinct samples, and the *spread* (the root of the summed variances: 1.0
#   for the ring's data, 0 for one point);
# - **fidelity**: notebook 06's high-quality fraction (the share within 3σ of a mode) and the median distance to the
#   nearest mode, in σ.
#
# **Mode collapse** is a loss of diversity: many $z$ map to a few outputs. **Non-convergence** leaves the samples off
# the data, and moving (notebook 05, section 6b); we track their centre.
#
# **The recipe** on the ring (8 modes, σ = 0.01): MLPs with three hidden layers of 128, batch 256, Adam
# ($\beta_1 = 0.5$) at 3e-3 for $G$ and 1e-3 for $D$, 6,000 steps, the last 2,000 at a tenth of both rates. We change
# **one** thing at a time, 5 seeds each (precomputed). A `PlaygroundConfig` holds a run's settings;
# `train_seeds` trains one run per seed, all at once.

# %%
RECIPE = dict(g_layers=3, g_width=128, d_layers=3, d_width=128, g_lr=3e-3, d_lr=1e-3)
STEPS, ANNEAL = 6000, 2000     # the last ANNEAL steps at a tenth of the learning rates
SEEDS = range(5)
DEMOS = {"the recipe": {}, "one change: G's learning rate x 5": dict(g_lr=1.5e-2),
         "one change: G's learning rate x 10": dict(g_lr=3e-2), "one change: D's learning rate / 100": dict(d_lr=1e-5)}
SNAPSHOTS = tuple(range(0, STEPS + 1, 250))                   # every run is measured every 250 steps
FRAMES = (STEPS // 24, STEPS // 6, STEPS - ANNEAL, STEPS)     # and its playground view kept at four of them
ring = data.ring()
SIGMA = float(ring.stds.mean())

def describe(samples):
    """Diversity and fidelity of a set of 2-D samples: their spread (the root of the summed variances), the number of
    distinct points, and the median distance to the nearest mode of the ring in units of sigma."""
    s = np.asarray(samples)
    nearest = np.sqrt(((s[:, None] - ring.means[None]) ** 2).sum(-1)).min(1)
    return {"spread": float(np.sqrt(s.var(0).sum())), "distinct": len(np.unique(s, axis=0)),
            "median_sigma": float(np.median(nearest) / SIGMA)}

def collapse_demo():
    """The recipe and its three one-change variants, 5 seeds each (trained at once, `train_seeds`), watched every 250
    steps and scored at the end."""
    return {name: train_seeds(PlaygroundConfig(data="ring", seed=SEED, **{**RECIPE, **change}), SEEDS, STEPS,
                              anneal=ANNEAL, snapshots=SNAPSHOTS, frames=FRAMES) for name, change in DEMOS.items()}

demo_runs = precomputed.run_or_load(
    "07_collapse_demo", collapse_demo, rerun=precomputed.rerun_requested(RUN_EXPERIMENTS),
    command="RUN_EXPERIMENTS = True in notebooks/07_mode_collapse (or GAN_COURSE_RUN_EXPERIMENTS=1 ./course.sh "
            "execute notebooks/07_mode_collapse.py)")
demo_record = demo_runs.pop("record")
key, k_ring = jax.random.split(key)
print(f"the ring's data: {describe(ring.sample(k_ring, 2500))['spread']:.2f} spread, 8 modes, sigma {SIGMA}")

# %% slideshow={"deck": {"big": {"find": "x 10: mean over 5 seeds [\\d.]+/8 modes, ([\\d.]+%) high quality", "say": "high quality with $G$'s rate x 10: every seed draws **one point** for all 2500 codes"}, "notes": "Misconception: \"high quality means healthy\". With G's rate x 10, 100.0% of the samples are high quality, and there is 1 distinct sample: the point sits on a mode.\nConcept question 5, true or false: a high-quality fraction near 100% means the generator is healthy. False: G x 5 reads 97.3%, like the recipe, but covers only 5.4 of 8 modes.\nSo read diversity beside fidelity, always.", "text": "### Four runs, one change each (mean over 5 seeds)\n\n| setting | modes of 8 | high quality | distinct samples |\n|---|---|---|---|\n| the recipe | 8.0 | 97.3% | 2500 |\n| $G$'s rate x 5 | 5.4 | 97.3% | 1332 to 1636 |\n| $G$'s rate x 10 | 1.0 | 100.0% | 1 |\n| $D$'s rate / 100 | 0.6 | 0.6% | 2264 to 2500 |"}, "slide_type": "slide"}
# Check (the precomputed runs, or yours): the four settings are the four pictures described below.
def measured(name):
    return [{**describe(r["samples"]), "modes": r["modes_covered"], "hq": r["high_quality_fraction"]}
            for r in demo_runs[name]]
recipe, dropping, dead, lagging = (measured(name) for name in DEMOS)
assert all(np.isfinite(r["samples"]).all() for runs in demo_runs.values() for r in runs)
assert np.mean([m["modes"] for m in recipe]) >= 7 and sum(m["modes"] >= 7 for m in recipe) >= 4, recipe
assert all(m["spread"] > 0.7 and m["median_sigma"] < 3 for m in recipe), recipe
assert all(m["hq"] > 0.9 and m["median_sigma"] < 3 and 100 <= m["distinct"] <= 2000 and m["spread"] > 0.3
           for m in dropping), dropping
assert np.mean([m["modes"] for m in dropping]) <= np.mean([m["modes"] for m in recipe]) - 1, dropping
assert sum(m["distinct"] <= 10 for m in dead) >= 4, dead
assert all(m["median_sigma"] > 20 and m["hq"] < 0.05 and m["distinct"] >= 1000 for m in lagging), lagging
for name, rows in zip(DEMOS, (recipe, dropping, dead, lagging)):
    print(f"{name}: mean over {len(SEEDS)} seeds {np.mean([m['modes'] for m in rows]):.1f}/8 modes, "
          f"{np.mean([m['hq'] for m in rows]):.1%} high quality,\n  {min(m['distinct'] for m in rows)} to "
          f"{max(m['distinct'] for m in rows)} distinct samples, spread {min(m['spread'] for m in rows):.3f} to "
          f"{max(m['spread'] for m in rows):.3f},\n  median distance to a mode {min(m['median_sigma'] for m in rows):.1f} "
          f"to {max(m['median_sigma'] for m in rows):.1f} sigma")


# %% [markdown]
# One typical seed per setting at four moments: data (blue), 1,000 samples (orange) and $G$'s push (grey arrows, often
# too short to see). "push" in a title is the largest component, in absolute value, of any arrow ($-\partial L_G/\partial x$). The background
# is $D(x)$: blue where $D$ says "real", white where it cannot tell (1/2), orange where it says "fake". A star marks a
# one-point generator. At step 250 the D / 100 samples lie outside the view (spread 43).

# %% slideshow={"deck": {"figure": true, "notes": "Rows: the recipe, G's rate x 5, G's rate x 10 (the star: one point for every z), D's rate / 100. Blue dots: data; orange: 1,000 samples; the pale background is D's decision map.\nPoint at the G x 5 row: nearly every sample sits on a mode, but whole modes are empty, held by D's blue islands.\nIn the D / 100 row the samples vary, but never settle on the data.", "text": "### One typical seed per setting, at steps 250, 1000, 4000, 6000\n\nRows: the recipe \u00b7 $G$'s rate x 5 \u00b7 $G$'s rate x 10 (\u2605: one point) \u00b7 $D$'s rate / 100"}, "slide_type": "slide"}
def typical(runs):
    """The seed in the middle of the runs, ordered by high-quality fraction, then by modes."""
    return sorted(runs, key=lambda r: (r["high_quality_fraction"], r["modes_covered"]))[len(runs) // 2]

shown = {name: typical(runs) for name, runs in demo_runs.items()}
viewer = ToyGAN(PlaygroundConfig(data="ring", seed=SEED))   # draws the frames: the data and the view's extent
panels = {name: [snap for snap in r["snapshots"] if "frame" in snap] for name, r in shown.items()}
push = max(float(np.abs(snap["frame"]["arrows"]).max()) for snaps in panels.values() for snap in snaps)
arrow_scale = 0.12 * viewer.extent / push                  # one scale for every panel: the longest push is 12% wide
ROW = {"the recipe": "the recipe", "one change: G's learning rate x 5": "G's rate x 5",     # row labels
       "one change: G's learning rate x 10": "G's rate x 10", "one change: D's learning rate / 100": "D's rate / 100"}
fig, axes = plt.subplots(len(DEMOS), len(FRAMES), figsize=(4 * len(FRAMES), 4.1 * len(DEMOS)))
for row, (name, snaps) in zip(axes, panels.items()):
    for ax, snap in zip(row, snaps):
        strongest = float(np.abs(snap["frame"]["arrows"]).max())
        draw_frame(viewer, ax=ax, layers=("heatmap", "real", "fake", "arrows"), frame=snap["frame"],
                   arrow_scale=arrow_scale,
                   title=f"step {snap['step']}: {snap['modes_covered']}/8 modes,\n"
                         f"{snap['high_quality_fraction']:.0%} high quality, push {strongest:.2g}")
        ax.title.set_fontsize(11)
        
        fake = snap["frame"]["fake"]
        if np.ptp(fake, axis=0).max() < 1e-6:   # one point for every z: a star marks it
            ax.scatter(*np.clip(fake[0], -viewer.extent, viewer.extent), s=250, marker="*", color=FAKE_COLOR,
                       edgecolor="black", zorder=5, clip_on=False)
    row[0].set_ylabel(f"{ROW[name]}, seed {shown[name]['seed']}\n$x_2$", fontsize=11)
plt.tight_layout(); plt.show()
for name, r in shown.items():
    snaps = r["snapshots"]
    moves = [float(np.linalg.norm(b["centre"] - a["centre"])) for a, b in zip(snaps, snaps[1:])]
    late = [m for a, m in zip(snaps[1:], moves) if 1000 < a["step"] <= STEPS - ANNEAL]
    at = [s for s in snaps if "frame" in s]
    steps_at = ", ".join(str(s["step"]) for s in at)
    spreads_at = ", ".join(f"{s['spread']:.3f}" for s in at)
    print(f"{name}, seed {r['seed']}: spread at steps {steps_at}:\n  {spreads_at}; the samples' centre moved "
          f"{np.mean(late):.3f} per 250 steps on average\n  between step 1,000 and {STEPS - ANNEAL:,} (largest "
          f"{max(late):.3f}), {np.mean(moves[-ANNEAL // 250:]):.3f} in the low-learning-rate steps")

# %% [markdown] slideshow={"deck": {"notes": "Collapse is a loss of diversity; non-convergence shows in movement. The recipe's centre settles once the rates drop; the D / 100 centre keeps moving.\nWhy does G x 5 draw fewer distinct points? A ReLU layer whose units all output 0 maps a whole region of z to one point.\nConcept question 4: the two failed runs, G x 10 and D / 100: what tells them apart? (Spread 0 against varied samples far from the data.)", "text": "### Collapse or non-convergence?\n\n- $G$'s rate x 5: **mode collapse**. Good samples, too few places.\n- $G$'s rate x 10: a generator that **ignores $z$** (spread 0).\n- $D$'s rate / 100: **non-convergence**. Samples vary, but 47.3 to 61.7\u03c3 from a mode, and they keep moving.\n\n| centre moved per 250 steps | steps 1000 to 4000 | low rates |\n|---|---|---|\n| the recipe | 0.093 | 0.009 |\n| $D$'s rate / 100 | 0.379 | 0.593 |"}, "slide_type": "slide"}
# Four pictures:
#
# - **The recipe** covers all 8 modes in every seed, with a spread near the data's (0.979 to 1.000).
# - **G's learning rate x 5: mode collapse.** 97.3% of the samples are of high quality, yet only 5.4 of 8 modes are
#   covered on average, by 1,332 to 1,636 distinct points of 2,500. (Repeats are exact where every unit of one ReLU
#   layer outputs 0: $G$ maps that whole region of $z$ to one point.) In the figure's last two panels, $D$ paints the
#   two dropped modes blue ("real"), yet no sample goes there.
# - **G's learning rate x 10: a generator that ignores $z$.** Every seed draws one point for all 2,500 codes (spread
#   0). It sits on a mode, so the high-quality column reads 100%.
# - **D's learning rate / 100: a discriminator too slow to teach.** The samples vary, but sit 47.3 to 61.7σ from a
#   mode, in median.
#
# **Non-convergence** shows in the centre's movement. From step 1,000 to 4,000, the D / 100 centre moves 0.379 per 250
# steps on average, the recipe's 0.093. At the low rates it keeps moving (0.593); the recipe's settles (0.009).
# Appendix A has every seed, and more.
#
# ### 2.1 The GAN doctor reads these runs
#
# Notebook 05's GAN doctor (`gan_utils.doctor`) asks the same two questions, then gives a verdict, evidence and a
# fix. Are half the samples within 10σ of a mode? Does each mode hold a quarter of its fair share?

# %% slideshow={"deck": {"notes": "The doctor is notebook 05's gan_utils.doctor: a verdict, the evidence, and a fix to try. It agrees with our reading in every run.\nIt is stricter than \"modes covered\", which counts a mode with a single sample. For the recipe, the least-held mode still had 120 or more of 2,500 samples, against a quarter of a fair share, 78.", "text": "### 2.1 The GAN doctor asks the same two questions\n\n- **on the data?** half the samples within 10\u03c3 of a mode\n- **covering all of it?** each of the 8 modes holds a quarter of its fair share\n\n| run | verdict, all 5 seeds |\n|---|---|\n| the recipe | healthy |\n| $G$'s rate x 5, x 10 | mode_collapse |\n| $D$'s rate / 100 | non_convergence |"}, "slide_type": "slide"}
import textwrap
from gan_utils import doctor
verdicts = {name: [doctor.diagnose({"step": [r["steps"] - 1]}, doctor.toy_signals(r["samples"], ring)) for r in runs]
            for name, runs in demo_runs.items()}
for name, ds in verdicts.items():
    print(f"{ROW[name]:<15} " + ", ".join(d.verdict for d in ds))       # ROW: the short row labels of the figure
print("\nfor example, seed 0 of G's learning rate x 5:\n"
      + textwrap.fill(str(verdicts["one change: G's learning rate x 5"][0]), 100, break_on_hyphens=False))
recipe_least = [min(r["mode_histogram"]) for r in demo_runs["the recipe"]]
flagged = [i for i, d in enumerate(verdicts["the recipe"]) if d.verdict == "mode_collapse"]
print(f"\nthe recipe's least-held mode per seed (of 2,500 samples): {recipe_least},\nagainst a quarter of a fair "
      f"share, {2500 / 8 / 4:.0f}; the doctor calls {len(flagged)} of its 5 runs mode collapse (seeds {flagged})")
count = lambda name, v: sum(d.verdict == v for d in verdicts[name])
assert count("one change: D's learning rate / 100", "non_convergence") == 5
assert count("one change: G's learning rate x 5", "mode_collapse") >= 4
assert count("one change: G's learning rate x 10", "mode_collapse") >= 4

# %% [markdown]
# The verdicts match our reading: D / 100 is `non_convergence`; G x 5 and the one-point G x 10 are `mode_collapse`.

# %% [markdown] slideshow={"deck": {"notes": "Four families. Each is a GANConfig field, a command-line flag and a playground control; the notebook builds every one and checks it against the library.\nReading: Appendix E (the losses, spectral normalisation by power iteration, the weight average).\nConcept question 6 is for home: a sample with logit -8; the LSGAN push is 9, hinge pushes with 1, the saturating loss with 0.0003 (the figure in Appendix E).", "text": "## 3. The stabilisers, each a few lines\n\n- **new losses**: least squares (LSGAN), hinge, Wasserstein\n- **a Lipschitz critic**: weight clipping, gradient penalty, R1 / R2, spectral normalisation\n- **a $D$ that sees the batch**: minibatch standard deviation, PacGAN\n- **an average of $G$'s weights**\n\nToday, by hand: the **gradient penalty** and **PacGAN**. Each is checked against `gan_utils`."}, "slide_type": "slide"}
# ## 3. The stabilisers, each built by hand and checked against `gan_utils`
#
# Four families: new losses, a Lipschitz critic, a $D$ that sees the batch, and an average of $G$'s weights. We build the gradient penalty (section 3.2), the minibatch std and PacGAN (section 3.4) by hand. Appendix E builds the others.
#
# ### 3.1 Losses: least squares, hinge, Wasserstein
#
# With $\ell$ the discriminator's raw output (a logit; for WGAN the critic's score, $f$ in section 1.3):
#
# | loss | discriminator minimises | generator minimises | paper |
# |---|---|---|---|
# | non-saturating (notebook 02) | $-\mathbb E\log\sigma(\ell(x)) - \mathbb E\log(1-\sigma(\ell(G(z))))$ | $-\mathbb E\log\sigma(\ell(G(z)))$ | Goodfellow et al. 2014 |
# | least squares (LSGAN) | $\tfrac12\mathbb E(\ell(x)-1)^2 + \tfrac12\mathbb E\,\ell(G(z))^2$ | $\tfrac12\mathbb E(\ell(G(z))-1)^2$ | Mao et al. 2017 |
# | hinge | $\mathbb E\max(0, 1-\ell(x)) + \mathbb E\max(0, 1+\ell(G(z)))$ | $-\mathbb E\,\ell(G(z))$ | Lim & Ye 2017; Miyato et al. 2018 |
# | Wasserstein | $\mathbb E\,\ell(G(z)) - \mathbb E\,\ell(x)$ (with $\ell$ 1-Lipschitz) | $-\mathbb E\,\ell(G(z))$ | Arjovsky et al. 2017 |
#
# Appendix E checks them and plots how hard each one pushes a rejected sample.

# %% [markdown] slideshow={"deck": {"notes": "The Wasserstein loss needs a slope of at most 1. The penalty asks for slope 1 at points between a real and a generated sample, with lambda = 10.\nWhy the gradient of the sum: the critic scores each input alone, so one gradient of the sum gives every row's gradient at once.\nThe cousins: weight clipping to [-0.01, 0.01], and R1, which pulls the slope on real data to 0, not 1.", "text": "### 3.2 The gradient penalty (WGAN-GP)\n\n$$\\lambda\\,\\mathbb E_{\\hat x}\\big(\\|\\nabla f(\\hat x)\\|_2 - 1\\big)^2, \\qquad \\hat x = \\varepsilon x + (1 - \\varepsilon)\\,G(z),\\ \\ \\varepsilon \\sim U[0, 1]$$\n\n```python\ndef my_gradient_penalty(critic, real, fake, key, weight):\n    eps = jax.random.uniform(key, (real.shape[0], 1))\n    x_hat = eps * real + (1 - eps) * fake\n    grads = jax.grad(lambda x: jnp.sum(critic(x)))(x_hat)\n    return weight * jnp.mean((jnp.linalg.norm(grads, axis=1) - 1) ** 2)\n```"}, "slide_type": "slide"}
# ### 3.2 Keeping the critic Lipschitz: weight clipping, the gradient penalty, R1 and R2
#
# The Wasserstein loss needs $\|\nabla_x f\| \le 1$. Three ways ask for it, or for something close:
#
# - **weight clipping** (Arjovsky et al., 2017): clip every weight to $[-c, c]$, $c = 0.01$, after each update;
# - the **gradient penalty** (Gulrajani et al., 2017): add $\lambda\,\mathbb E_{\hat x}(\|\nabla f(\hat x)\|_2 - 1)^2$,
#   $\lambda = 10$, at points $\hat x = \varepsilon x + (1 - \varepsilon) G(z)$, $\varepsilon \sim U[0, 1]$, between
#   a real and a generated sample;
# - **R1** (Mescheder et al., 2018): add $\frac\gamma2\mathbb E_{x\sim p}\|\nabla f(x)\|^2$ on real data,
#   $\gamma = 10$ (**R2**: on generated data). It pulls the slope to 0, not 1, and provably makes the usual GAN
#   converge locally.

# %% slideshow={"deck": {"big": {"find": "GP ([\\d.]+) \\(10 x 4\\^2", "say": "the penalty of a linear critic $f(x) = w \\cdot x$, $|w| = 5$: $10\\,(5 - 1)^2$, at any points"}}, "slide_type": "fragment"}
def my_gradient_penalty(critic, real, fake, key, weight):
    eps = jax.random.uniform(key, (real.shape[0], 1))
    x_hat = eps * real + (1 - eps) * fake
    grads = jax.grad(lambda x: jnp.sum(critic(x)))(x_hat)          # row i: the gradient at x_hat[i] (inputs are scored
                                                                   # one by one, so one gradient of the sum gives all)
    return weight * jnp.mean((jnp.linalg.norm(grads, axis=1) - 1) ** 2)

# keys for Appendix E's checks: drawn here so every later key stays as before
key, k1, k2 = jax.random.split(key, 3)
key, k_init, k_x, k_y, k_gp = jax.random.split(key, 5)
crit_def, crit_params = nnx.split(models.MLPDiscriminator(2, (64, 64), rngs=nnx.Rngs(SEED)))
critic = lambda x: nnx.merge(crit_def, crit_params, copy=True)(x)   # copy=True: fresh copies, crit_params untouched
xr, xf = jax.random.normal(k_x, (256, 2)), jax.random.normal(k_y, (256, 2)) + 2
checks = {"gradient penalty": (my_gradient_penalty(critic, xr, xf, k_gp, 10.0),
                               losses.gradient_penalty(critic, xr, xf, k_gp, 10.0))}   # Appendix E: R1, R2, clipping
for name, (ours, lib) in checks.items():
    assert abs(float(ours - lib)) < 1e-5 * max(1.0, abs(float(lib))), (name, ours, lib)
    print(f"{name:17s} ours {float(ours):.6f}  gan_utils {float(lib):.6f}")
# A linear critic f(x) = w.x has gradient w everywhere: GP = lambda (|w| - 1)^2 and R1 = gamma/2 |w|^2 exactly.
w = jnp.array([3.0, 4.0])
lin = lambda x: x @ w
print(f"linear critic, |w| = 5: GP {float(losses.gradient_penalty(lin, xr, xf, k_gp, 10.0)):.4f} (10 x 4^2 = 160), "
      f"R1 {float(losses.r1_penalty(lin, xr, 10.0)):.4f} (10/2 x 25 = 125)")
assert abs(float(losses.gradient_penalty(lin, xr, xf, k_gp, 10.0)) - 160) < 1e-3
assert abs(float(losses.r1_penalty(lin, xr, 10.0)) - 125) < 1e-3

# %% [markdown]
# ### 3.3 Spectral normalisation
#
# Spectral normalisation (Miyato et al., 2018) divides each weight matrix by its largest singular value, so the
# network is 1-Lipschitz. Appendix E builds it.

# %% [markdown] slideshow={"deck": {"notes": "D-star = p / (p + q) is small where q piles up, so D does see a clump. But the generator moves the whole clump together.\nA pack of 2 is a pair: a collapsed generator makes pairs from one mode, which real pairs rarely are. The minibatch standard deviation does the same with one feature: 0.706 on a real batch, 0.010 on a collapsed one.\nAsk: how often should two real samples of the ring fall on the same mode? (1 in 8.)", "text": "### 3.4 Let $D$ see the batch: PacGAN\n\nA $D$ that judges one sample at a time sees a clump, but gives **every sample in it the same gradient**: the clump moves, it does not spread.\n\nPacGAN: $D$ judges $m$ samples at once, concatenated, all real or all generated.\n\n```python\ndef my_pack(x, m):\n    return x.reshape(x.shape[0] // m, m * x.shape[1])   # pairs of rows\n```"}, "slide_type": "slide"}
# ### 3.4 Letting the discriminator see a whole batch: minibatch standard deviation and PacGAN
#
# A $D$ that judges one sample at a time sees a clump ($D^\star = p/(p+q)$ is small where $q$ piles up). But it gives
# every sample in the clump the same gradient: the clump moves, it does not spread (Salimans et al., 2016). Two fixes
# show $D$ the batch:
#
# - the **minibatch standard deviation** (Karras et al., 2018) appends one feature to every example: the batch's
#   standard deviation, averaged over features;
# - **PacGAN** (Lin et al., 2018) feeds $D$ $m$ samples at once, concatenated, all real or all generated.
#
# We measure both on a real batch and on a collapsed one (all on one mode).

# %% slideshow={"deck": {"big": {"find": "collapsed ([\\d.]+)\\s*$", "say": "of the packs of 2 from a collapsed batch hold one mode twice; real packs: 0.094 (chance: 1 in 8)"}}, "slide_type": "fragment"}
def my_minibatch_std(x, eps=1e-8):     # (gan_utils' MLP D appends it to its last hidden layer instead)
    s = jnp.mean(jnp.sqrt(jnp.var(x, axis=0) + eps))
    return jnp.concatenate([x, jnp.full((x.shape[0], 1), s)], axis=1)

def my_pack(x, m):
    return x.reshape(x.shape[0] // m, m * x.shape[1])     # rows (x_0, x_1), (x_2, x_3), ...

# keys for Appendix E's checks: drawn here so every later key stays as before
key, k_w, k_u = jax.random.split(key, 3)
key, k_real, k_col = jax.random.split(key, 3)
real_batch = ring.sample(k_real, 256)
collapsed = jnp.asarray(ring.means[0], jnp.float32) + 0.01 * jax.random.normal(k_col, (256, 2))   # all on mode 0
assert np.allclose(my_minibatch_std(real_batch), models.minibatch_std(real_batch), atol=1e-6)
assert np.array_equal(my_pack(real_batch, 2), models.pack_samples(real_batch, 2))
print(f"minibatch std feature: real batch {float(my_minibatch_std(real_batch)[0, -1]):.3f}, "
      f"collapsed batch {float(my_minibatch_std(collapsed)[0, -1]):.3f}")
def same_mode_fraction(x):                 # packs of 2 whose two samples sit on the same mode
    nearest = np.argmin(((np.asarray(x)[:, None] - ring.means[None]) ** 2).sum(-1), 1)
    return float(np.mean(nearest[0::2] == nearest[1::2]))
print(f"packs of 2 with both samples on the same mode: real {same_mode_fraction(real_batch):.3f} "
      f"(1/8 = 0.125 expected), collapsed {same_mode_fraction(collapsed):.3f}")

# %% [markdown]
# The std feature reads 0.706 for the real batch and 0.010 for the collapsed one. Every pack of 2 in the collapsed
# batch holds one mode twice, against 0.094 of the real packs (chance alone gives 1 in 8).
#
# ### 3.5 An average of the generator's weights
#
# $G$'s weights never settle. We can sample from their moving average instead (Yazici et al., 2019); training is
# unchanged. Appendix E builds it.

# %% [markdown] slideshow={"deck": {"notes": "100 runs, precomputed: 18 minutes on the machine that computed them. Leave it so in class.\nAt 5 seeds, 2 standard errors is a loose bar: two equal methods can cross it by chance. A crossing is a hint, not a proof.\nOn the ring, WGAN-GP and weight clipping fall behind (3.6 and 4.4 of 8 modes). The grid separates the methods.", "text": "## 4. The stabilisers compared\n\n- \u00a72's recipe with **one change** per method\n- the ring (8 modes) and the **grid** (25 modes)\n- 5 seeds each, 2500 samples scored per run, as in the PacGAN paper\n- mean \u00b1 standard deviation; \"different\": more than 2 standard errors apart\n\nThe ring is solved by the recipe alone: 8.0 of 8 modes, 97.3% high quality."}, "slide_type": "slide"}
# ## 4. The stabilisers compared on the ring and the grid
#
# Every method is section 2's recipe with one change. Its 5 seeds train at once (`train_seeds`), each scored on 2,500
# samples, as in the PacGAN paper; the 100 runs are precomputed. The table gives the mean ± one standard deviation over
# seeds; "different" means more than 2 standard errors apart. A run with no high-quality sample has an infinite
# reverse KL ("inf in 2 runs").

# %% slideshow={"deck": {"notes": "LSGAN and the minibatch std beat the plain GAN's high quality by more than 2 standard errors; R1 covers all 25 modes in every seed; hinge's seeds spread too widely to place it.\nMisconception: \"the Wasserstein GAN fixes everything\". At the recipe's settings WGAN-GP covers 2.2 modes and spectral normalisation 0.8 (concept question 7).\nDiscussion question 2: no method reached the PacGAN paper's level (24 of 25 modes with 90% high quality). Is the method wrong, or the budget? Appendix C: with a longer schedule hinge and LSGAN meet it.", "text": "### The grid separates them (mean over 5 seeds)\n\n| method | modes of 25 | high quality % |\n|---|---|---|\n| GAN (non-saturating) | 20.0 | 16.2 |\n| LSGAN | 23.0 | 73.6 |\n| hinge | 21.2 | 42.5 |\n| minibatch std | 23.6 | 50.1 |\n| R1 penalty | 25.0 | 25.0 |\n| PacGAN2 | 16.8 | 2.6 |\n| WGAN-GP | 2.2 | 1.1 |\n| spectral norm | 0.8 | 0.7 |\n| WGAN, weight clipping | 12.4 | 1.3 |"}, "slide_type": "slide"}
# keys for Appendix E's checks: drawn here so every later key stays as before
key, k_j = jax.random.split(key)
METHODS = {                                   # each: the one change from the plain GAN, as PlaygroundConfig fields
    "GAN (non-saturating)": {},
    "LSGAN": dict(loss="lsgan"),
    "hinge": dict(loss="hinge"),
    "WGAN, weight clipping": dict(loss="wgan", penalty="clip"),
    "WGAN-GP": dict(loss="wgan", penalty="gp"),
    "R1 penalty": dict(penalty="r1"),
    "spectral norm": dict(spectral_norm=True),
    "minibatch std": dict(minibatch_std=True),
    "PacGAN2": dict(pack=2),
    "G weight average": dict(ema=0.999),
}
FULL_STEPS, FULL_ANNEAL = 6000, 2000        # the protocol's length (section 2's STEPS and ANNEAL outside the tests)

def compare_methods(methods=METHODS, datasets=("ring", "grid"), seeds=SEEDS, steps=FULL_STEPS, anneal=FULL_ANNEAL):
    """Trains every method on every dataset from every seed (the seeds of one method at once); returns the scores,
    keyed "dataset/method", and the first seed's samples (Appendix B draws those of the grid)."""
    out = {}
    for dataset in datasets:
        for name, change in methods.items():
            runs = train_seeds(PlaygroundConfig(data=dataset, seed=SEED, **RECIPE, **change), seeds, steps, anneal=anneal)
            out[f"{dataset}/{name}"] = stored_columns(runs, runs[0]["seconds"])
    return out


def stored_columns(runs, seconds):
    """What is saved of train_seeds' per-seed dicts: one list per score, the time, the first seed's samples."""
    return {"seeds": [r["seed"] for r in runs], "modes_covered": [r["modes_covered"] for r in runs],
            "high_quality_fraction": [r["high_quality_fraction"] for r in runs],
            "reverse_kl": [r["reverse_kl"] for r in runs], "seconds": seconds,
            "first_samples": np.asarray(runs[0]["samples"], np.float32)}

stabilisers = precomputed.run_or_load(
    "07_stabilisers", compare_methods, rerun=precomputed.rerun_requested(RUN_EXPERIMENTS),
    command="RUN_EXPERIMENTS = True in notebooks/07_mode_collapse (or GAN_COURSE_RUN_EXPERIMENTS=1 ./course.sh "
            "execute notebooks/07_mode_collapse.py)")
# table[dataset, method]: one array per score, one value per seed (high quality in %)
table = {tuple(k.split("/", 1)): {"modes": np.array(v["modes_covered"], float), "rkl": np.array(v["reverse_kl"], float),
                                  "hq": 100 * np.array(v["high_quality_fraction"], float), "seconds": v["seconds"]}
         for k, v in stabilisers.items() if k != "record"}
print(f"{len(table) * len(SEEDS)} runs of {FULL_STEPS:,} steps, {stabilisers['record']['seconds'] / 60:.0f} minutes "
      "on the machine that computed them")
# ± one standard deviation over the seeds (ddof=1: the sample standard deviation)
fmt = lambda a, d=1: f"{a.mean():.{d}f} ± {a.std(ddof=1):.{d}f}" if np.all(np.isfinite(a)) else f"inf in {int(np.sum(~np.isfinite(a)))} runs"
# two tables, the ring's and the grid's, so each line fits a projector; s/run: the slower of the two datasets
print(f"{'method':24s} | {'ring: modes of 8':>16s} {'high quality %':>15s} {'reverse KL':>14s}")
for name in METHODS:
    r = table["ring", name]
    print(f"{name:24s} | {fmt(r['modes']):>16s} {fmt(r['hq']):>15s} {fmt(r['rkl'], 2):>14s}")
print(f"\n{'method':24s} | {'grid: modes of 25':>17s} {'high quality %':>15s} {'reverse KL':>14s} | s/run")
for name in METHODS:
    r, g = table["ring", name], table["grid", name]
    print(f"{name:24s} | {fmt(g['modes']):>17s} {fmt(g['hq']):>15s} {fmt(g['rkl'], 2):>14s} | "
          f"{max(r['seconds'], g['seconds']):.1f}")
ring_rkl = {name: list(table["ring", name]["rkl"]) for name in METHODS}   # for exercise 5

def tied(a, b):
    """Two rows' means closer than 2 standard errors of their difference (se = std, ddof=1, / sqrt(seeds))."""
    se = lambda x: x.std(ddof=1) / math.sqrt(len(x))
    return bool(abs(a.mean() - b.mean()) <= 2 * math.hypot(se(a), se(b)))

# %% [markdown]
# **Reading the table.**
#
# - **The ring** is solved by the recipe alone: 8 of 8 modes in every seed, 97.3% high quality. Five stabilisers do
#   the same (95.8% to 97.4%); R1 puts fewer samples on the modes (74.1%).
# - **The grid** separates the methods. The plain GAN covers 20.0 of 25 modes, with 16.2% high quality. LSGAN (73.6%)
#   and the minibatch std (50.1%) beat it by more than 2 standard errors. R1 covers all 25 modes in every seed. Hinge's
#   seeds spread too widely to place it. PacGAN2 gets 2.6% (Appendix B draws each method's grid samples).
# - **Three fail on the grid** at the recipe's settings: WGAN-GP, spectral normalisation and weight clipping cover
#   2.2, 0.8 and 12.4 of 25 modes. Section 1.3's critic trained thousands of steps against a fixed $G$; here it takes
#   one step per generator step, at the recipe's rates (Appendix C runs the papers' settings).
# - **No method reaches the PacGAN paper's level** on the grid (our target: at least 24 of 25 modes, 90% high
#   quality).
#
# At 5 seeds, 2 standard errors is a loose bar: a crossing is a hint. Appendix B reads the table in full.
#
# ### 4.1 The grid solved by a longer schedule
#
# Appendix C shows that a longer schedule, its second half annealed, solves the grid: hinge and LSGAN meet the target
# in every seed. The schedule matters more than the loss.
#
# ### 4.2 The stabilisers against section 2's collapse
#
# The recipe does not collapse on the ring. So we add one stabiliser at a time to section 2's collapse, $G$'s learning
# rate x 5.

# %% slideshow={"deck": {"big": {"find": "PacGAN2\\s+([\\d.]+) \u00b1", "say": "modes of 8 with PacGAN2, against 5.4 with no stabiliser (R1: 7.8)"}, "notes": "Misconception: \"one stabiliser is best everywhere\". PacGAN2, poor on the grid (its high-quality column reads 2.6), brings this collapse back to 7.6 of 8 modes, against 5.4: more than 2 standard errors apart. Concept question 8.\nR1 gives 7.8, at a cost: its high quality falls to 69.9. Hinge does not help: two of its seeds cover no mode.\nThe right stabiliser depends on the failure. The rest of 4.2 is reading.", "text": "### 4.2 The stabilisers against \u00a72's collapse\n\n$G$'s rate x 5, plus one stabiliser at a time, 5 seeds each."}, "slide_type": "slide"}
COLLAPSE = DEMOS["one change: G's learning rate x 5"]
FIXES = ("minibatch std", "PacGAN2", "hinge", "LSGAN", "R1 penalty")

def collapse_fixes():
    """Section 2's collapse setting with each stabiliser of FIXES added, 5 seeds each, scored at the end."""
    return {name: train_seeds(PlaygroundConfig(data="ring", seed=SEED, **{**RECIPE, **COLLAPSE, **METHODS[name]}),
                              SEEDS, STEPS, anneal=ANNEAL) for name in FIXES}

fixes = precomputed.run_or_load(
    "07_collapse_fixes", collapse_fixes, rerun=precomputed.rerun_requested(RUN_EXPERIMENTS),
    command="RUN_EXPERIMENTS = True in notebooks/07_mode_collapse (or GAN_COURSE_RUN_EXPERIMENTS=1 ./course.sh "
            "execute notebooks/07_mode_collapse.py)")
fixes.pop("record")
fix_rows = {"no stabiliser (section 2)": demo_runs["one change: G's learning rate x 5"], **fixes}
base_modes = np.array([r["modes_covered"] for r in fix_rows["no stabiliser (section 2)"]], float)
print(f"G's learning rate x 5 ({COLLAPSE['g_lr']}), with:      modes of 8   high quality %")
for name, runs in fix_rows.items():
    modes = np.array([r["modes_covered"] for r in runs], float)
    hq = 100 * np.array([r["high_quality_fraction"] for r in runs])
    apart = "" if name not in fixes else ("  (modes apart from no stabiliser by > 2 standard errors)" if not tied(modes, base_modes)
                                          else "  (modes within 2 standard errors of no stabiliser)")
    print(f"  {name:27s} {fmt(modes):>12s} {fmt(hq):>16s}\n      modes per seed {', '.join(str(int(m)) for m in modes)}{apart}")
fixed = [n for n in FIXES if not tied(np.array([r["modes_covered"] for r in fixes[n]], float), base_modes)
         and np.mean([r["modes_covered"] for r in fixes[n]]) > base_modes.mean()]
print(f"stabilisers that cover more modes than no stabiliser, beyond 2 standard errors: {', '.join(fixed) or 'none'}")
if not precomputed.rerun_requested(RUN_EXPERIMENTS):    # the text below reads the committed runs
    assert set(fixed) == {"PacGAN2", "R1 penalty"}, fixed

# %% [markdown]
# PacGAN2 and R1 bring modes back: 7.6 and 7.8 of 8 on average, against 5.4, more than 2 standard errors apart. R1
# costs more high quality (69.9%; PacGAN2 92.3%). PacGAN2, poor on the grid, helps here: the right stabiliser depends
# on the failure.
#
# ## 5. MNIST: the class histogram during training
#
# On MNIST the ten digits are the modes. Appendix D labels the samples with notebook 06's classifier during training:
# the label histogram shows digits dropped or over-produced.

# %% [markdown] slideshow={"deck": {"notes": "The playground replays this notebook live; its views follow GAN Lab (Kahng et al.), a browser GAN visualiser.\nRun it live now if the kernel is warm. Ask the class which failure to try first, and to predict what the doctor will say under the canvas.", "text": "## 6. The GAN playground: try it yourself\n\nData, samples, $D$'s map, the generator's manifold (grey lines) and its gradient arrows, live. Try:\n\n- the defaults: watch the samples find the ring's modes\n- the grid; then 5 $D$ steps per $G$ step, Wasserstein loss, penalty `gp`\n- section 2's two failures\n- **draw data** on the canvas, then *train on drawing*"}, "slide_type": "slide"}
# ## 6. The playground: try it yourself
#
# The **GAN playground** (`gan_utils.playground.Playground`) replays this notebook live, after GAN Lab (Kahng et
# al., 2018): data, samples, $D$'s map, the generator's manifold (grey lines: the image of a grid of $z$) and gradient
# arrows. Grey lines that cross the ring's empty centre are $G$ jumping between modes: one continuous map must pass
# through the gaps. Try:
#
# - the defaults: watch the samples find the ring's modes;
# - the grid; then `D steps per G step` 5, the Wasserstein loss and penalty `gp`;
# - section 2's two failures;
# - **draw data** on the canvas, then *train on drawing*.
#
# Without a kernel you see a snapshot.

# %% slideshow={"deck": {"figure": true, "notes": "This is the widget's saved snapshot. Orange: samples; the grey lines: the image of a grid of z; arrows: the generator's push.\nThe grey lines crossing the empty centre are z-regions mapped between modes: the generator is one continuous map, so it must pass through the gap somewhere.\n\"Copy as code\" prints the few lines that reproduce this state.", "text": "### The playground after 3000 steps on the ring"}, "slide_type": "slide"}
# keys for Appendix D's MNIST run: drawn here so every later key stays as before
key, k_data, k_run, k_hist = jax.random.split(key, 4)
pg = playground.Playground(seed=SEED)
pg.run(500 if TESTING else 3000)        # a trained state to start from (and for the snapshot)
pg

# %% slideshow={"deck": {"big": {"find": "after 3000 steps: (\\d/8) modes", "say": "modes covered, 61.0% high quality; the doctor says healthy"}}, "slide_type": "fragment"}
# Check: the playground's engine trained the ring: its view shows covered modes ("copy as code": Appendix E checks it).
m_pg = pg.gan.mode_metrics()
print(f"playground after {pg.gan.step[1]} steps: {m_pg['modes_covered']}/8 modes, {m_pg['high_quality_fraction']:.1%} high quality")
print(pg.code())
assert m_pg["modes_covered"] >= (2 if TESTING else 6)
assert TESTING or m_pg["high_quality_fraction"] > 0.05   # one seed, no low-learning-rate phase: its share wobbles
print(textwrap.fill(f"the line under the canvas: {pg.diagnosis}", 100, break_on_hyphens=False))
assert pg.diagnosis.step == pg.gan.step[1] and pg.diagnosis.verdict != "diverged"

# %% [markdown] slideshow={"deck": {"notes": "Four lines to remember. The first is the theory (section 1), the second how to measure (section 2), the last two what the 5-seed comparisons say (section 4).\nOn MNIST the ten digits are the modes: Appendix D watches the class histogram during training. It is reading, and notebook 09 comes back to it.", "text": "## Summary\n\n- **a perfect $D$ ruins the gradient** on thin supports: saturating vanishes, non-saturating grows; a WGAN-GP critic gives $W_1$'s slope\n- **mode collapse is a loss of diversity**: read modes and distinct samples beside the high-quality fraction\n- each **stabiliser** is a few lines; none is best everywhere\n- on the grid LSGAN and the minibatch std beat the plain GAN; against a collapse PacGAN2 and R1 bring modes back"}, "slide_type": "slide"}
# ## Summary
#
# - **A perfect $D$ ruins the generator's gradient** on thin supports: the saturating one vanished, the
#   non-saturating one grew tens of times. A WGAN-GP critic kept it near 1.
# - **Mode collapse is a loss of diversity.** Read the modes covered and the distinct samples beside the high-quality
#   fraction: a one-point generator scores 100%.
# - **Each stabiliser** is a few lines and one field of `PlaygroundConfig` (notebook 05's `GANConfig` has the same
#   field). Three are built here; Appendix E builds the others.
# - **Over 5 seeds**, the recipe alone solves the ring. On the grid LSGAN (73.6% high quality) and the minibatch std
#   (50.1%) beat the plain GAN (16.2%). Against section 2's collapse, PacGAN2 and R1 brought most modes back (7.6 and
#   7.8 of 8, against 5.4).
# - **On MNIST**, Appendix D watches the class histogram for collapse.

# %% [markdown] slideshow={"deck": {"notes": "Homework: the five exercises; the checker cell grades each and gives a hint for a wrong answer. Exercise 4 trains for about a minute.\nExercise 3 is the linear-critic example of section 3.2 with another w. For exercise 4, a much smaller batch is one to try.\nReading: sections 4.1 and 4.2, and Appendices A-E.", "text": "## Exercises (checked in the notebook)\n\n1. **JSD** of two shifted uniform distributions\n2. **$W_1$** of the same pair\n3. **A gradient penalty by hand** for a linear critic\n4. **Make it collapse**, without $G$'s learning rate, and let the doctor judge\n5. **Which differences are real?** 2 standard errors, by hand\n\nNext: [08 Conditional generation](../notebooks/08_conditional_generation.html): asking the generator for a digit."}, "slide_type": "slide"}
# ## Exercises
#
# 1. **JSD of two shifted uniform distributions.** $p = U[0, 1]$ and $q = U[\theta, 1 + \theta]$. Compute
#    $\mathrm{JSD}(p\,\Vert\,q)$ in nats for $\theta = 0.25$ (by hand or on a grid). Store it in `ex1`.
# 2. **The Wasserstein distance of the same pair**: $W_1(p, q)$ for $\theta = 0.25$, in `ex2`.
# 3. **A gradient penalty by hand.** For the critic $f(x) = 2 x_1 - x_2$, what is the WGAN-GP penalty with
#    $\lambda = 10$, whatever the batches? Store it in `ex3`. (Section 3.2 does this for another critic.)
# 4. **Make it collapse, and let the doctor judge.** Store in `ex4` a dict of `PlaygroundConfig` fields to change in
#    `RECIPE` (`help(PlaygroundConfig)` lists them). The checker trains it with
#    `train_seeds(PlaygroundConfig(data="ring", seed=SEED, **{**RECIPE, **ex4}), [0, 1, 2], STEPS, anneal=ANNEAL)`
#    (about a minute on 2 cores). It passes when the doctor says **mode collapse** in all three seeds. It turns away
#    section 2's answer, a higher `g_lr`: try $D$'s width (`d_width`), the loss, or a much smaller `batch_size`.
# 5. **Which differences are real?** Compare each section-4 method's reverse KL on the ring (`ring_rkl[name]`, one
#    value per seed) with the plain GAN's. They differ when the means differ by more than $2\sqrt{se_a^2 + se_b^2}$
#    ($se$: the standard deviation over seeds, `ddof=1`, over $\sqrt{5}$). Skip methods with an infinite value. Store
#    the set of names told apart in `ex5`.

# %%
# Your answers here (set ex1 ... ex5), then run the checker below (exercise 4 trains for about a minute).
ex1 = ex2 = ex3 = ex4 = ex5 = None

# %%
# Checker: one line per exercise; unanswered ones are reported, a wrong one fails this cell after the full report.
# NBVAL_CHECK_OUTPUT
exercises.check("07", ex1=ex1, ex2=ex2, ex3=ex3, ex4=ex4, ex5=ex5, table=ring_rkl, recipe=RECIPE)

# %% [markdown]
# ---
# **Next:** [notebook 08](08_conditional_generation.ipynb), asking the generator for a digit (conditional GANs).
# Back to [the course overview](../README.md). Further reading is at the end of this notebook.

# %% [markdown]
# ## Appendix A: section 2 seed by seed, a re-run, and two readings of the collapse
#
# Every run of section 2, seed by seed:

# %%
for name in DEMOS:
    print(f"{name}:")
    for r in demo_runs[name]:
        d = describe(r["samples"])
        print(f"   seed {r['seed']}: {r['modes_covered']}/8 modes, {r['high_quality_fraction']:6.1%} high quality | "
              f"spread {d['spread']:.3f}, {d['distinct']:4d} distinct of 2,500 | median distance to a mode "
              f"{d['median_sigma']:5.1f} sigma | reverse KL {r['reverse_kl']:.2f}")

# %% [markdown]
# The committed runs follow from this code. The first 1,000 steps of the recipe and of the x 5 setting are re-run here.
# On the machine and versions that made them, the two must agree up to float rounding.

# %%
# The committed runs follow from this code: the first CHECK_STEPS steps of the recipe and of the collapse setting,
# 5 seeds trained at once as above, re-run here. On the machine and versions that made them the re-run must agree with
# the committed snapshot (exactly, up to float rounding); elsewhere it is a new draw, and only printed.
CHECK_STEPS = 250 if TESTING else 1000
t0 = time.perf_counter()
same_platform = precomputed.same_platform(demo_record)
for name in list(DEMOS)[:2]:
    again = train_seeds(PlaygroundConfig(data="ring", seed=SEED, **{**RECIPE, **DEMOS[name]}), SEEDS, CHECK_STEPS,
                        snapshots=[s for s in SNAPSHOTS if s <= CHECK_STEPS])     # the same chunks as the committed run
    saved = [next(s for s in r["snapshots"] if s["step"] == CHECK_STEPS) for r in demo_runs[name]]
    here = [describe(r["samples"]) for r in again]
    show = lambda xs: ", ".join(f"{x['spread']:.3f}" for x in xs)
    print(f"{name}, step {CHECK_STEPS}: spreads of the 5 seeds re-run here {show(here)}; committed {show(saved)}")
    if same_platform:
        assert all(abs(h["spread"] - s["spread"]) < 1e-4 for h, s in zip(here, saved)), (here, saved)
print(f"re-run in {time.perf_counter() - t0:.0f} s; "
      + ("same machine and versions as the committed runs: checked to agree" if same_platform
         else "another machine or other versions than the committed runs: a new draw, printed, not compared"))

# %% [markdown]
# **Reading the seeds.** The spread flags a generator shrinking towards a point more than one dropping modes: on a
# ring, dropping opposite modes keeps it high. G's learning rate x 5 keeps over 90% of high quality in every seed, but
# covers fewer modes than the recipe in 4 of 5 seeds (seed 1 keeps all 8), and draws far fewer distinct points in every
# seed. D's learning rate / 100 leaves the samples, in some seeds, as a clump (a spread of about 0.2, against the data's
# 1.0). Few modes covered there means that the generator had not reached the data by the end.
#
# **Two readings of the x 5 collapse, not tested.** It is consistent with the mode-seeking term of notebook 02, though
# that was derived for an optimal $D$, and here $D$ lags behind $G$. A competing reading is dead units: exact duplicate
# samples from different $z$ mean that $G$ is constant on whole regions of $z$. The x 10 generator is the extreme case.
# In a ReLU network, a layer that is inactive for every $z$ makes $G$ constant (we did not inspect the weights). The
# weights below such a layer get no gradient, so no change to $D$ can bring the generator back. Only the parameters
# above it, at least the output's bias, still move the point.
#
# **Movement, in full** (one seed each, under section 2's panels; per 250 steps, on average unless said). Between
# steps 1,000 and 4,000 the D / 100 row's centre travels 0.379, and up to 0.897 in one interval, nearly the ring's
# radius. Once the rates drop it still travels 0.593, where the recipe's settles (0.009). The x 5 row moves about
# twice as far as the recipe's (0.200 against 0.093) and
# settles too (0.024). The x 10 row's single point moves least between steps 1,000 and 4,000 (0.050), though not once
# the rates drop (0.031): a generator that no longer depends on $z$ has little left to move. The centre is a coarse
# measure: it sees a point or a clump move, not samples hopping between modes. At the panels' common arrow scale the
# bottom rows' pushes are too weak to see; each title gives the largest.
#
# **The doctor, in detail.** It sees only the final samples, so its `non_convergence` means samples off the data, not
# the moving centre of section 2's definition. It cannot see whether a one-point generator's units are dead, though the
# fix it suggests for collapse, a lower learning rate for $G$, is section 2's. A mode counts in the "modes covered"
# column with one sample of 2,500. So a run with one mode held by a handful of samples would read 8 of 8 there, and
# mode collapse for the doctor. In the recipe's runs every mode holds more than a quarter of its share (78 samples of
# 2,500), so the doctor calls none of them collapse.

# %%
# Check: the doctor's verdicts on the recipe follow its rule (half the samples near the data, all 8 modes held).
for d, run in zip(verdicts["the recipe"], demo_runs["the recipe"]):
    sig = doctor.toy_signals(run["samples"], ring)
    assert (d.verdict == "healthy") == (sig["near_fraction"] >= 0.5 and sig["modes_held"] == 8), (d, sig)
print("the doctor's verdicts on the recipe's 5 runs follow its rule (checked)")

# %% [markdown]
# ## Appendix B: the stabiliser table in detail
#
# **The protocol, in full.** The recipe was chosen by a small search on the plain GAN, 3 seeds per setting
# (benchmarks/RESULTS.md). The playground's default networks, two layers of 64, cover the ring but leave most grid
# samples off the modes (benchmarks/RESULTS.md has the search). The annealed steps matter: the samples jitter around
# the modes, and smaller steps shrink the jitter. One ring run went from 41% to 89% of high quality after such steps
# (benchmarks/RESULTS.md). The plain GAN's ring runs are trained again for the table, as one more row of the protocol.
#
# **Who leads, and who differs from the plain GAN**: the table's rows compared two by two with section 4's `tied`
# (and the per-seed runs rebuilt for the grid figure below).

# %%
# the same dicts train_seeds returns (one per seed), rebuilt from the stored columns
results = {tuple(k.split("/", 1)): [dict(seed=s, modes_covered=m, high_quality_fraction=h, reverse_kl=r, seconds=v["seconds"],
                                         samples=v["first_samples"] if i == 0 else None)
                                    for i, (s, m, h, r) in enumerate(zip(v["seeds"], v["modes_covered"],
                                                                         v["high_quality_fraction"], v["reverse_kl"]))]
           for k, v in stabilisers.items() if k != "record"}

def summary(rows):
    col = lambda k: np.array([r[k] for r in rows], float)
    return {"modes": col("modes_covered"), "hq": 100 * col("high_quality_fraction"), "rkl": col("reverse_kl"),
            "seconds": rows[0]["seconds"]}

def grid_rank(n):   # high quality among the methods that cover at least 20 of the 25 modes on average, then the rest
    g = table["grid", n]
    return (g["modes"].mean() >= 20, g["hq"].mean(), g["modes"].mean())
best_stabiliser = max([n for n in METHODS if METHODS[n]], key=grid_rank)     # leads the stabilisers on the grid
lead = table["grid", best_stabiliser]
tied_with = [n for n in METHODS if n != best_stabiliser and table["grid", n]["modes"].mean() >= 20
             and tied(table["grid", n]["hq"], lead["hq"])]
print(f"on the grid, {best_stabiliser} leads the stabilisers in high quality (among those with >= 20 modes),\nbut "
      f"within 2 standard errors of it: {', '.join(tied_with) or 'none'}; 5 seeds do not rank them")

def versus_plain(dataset, column):
    """The methods whose column differs from the plain GAN's by more than 2 standard errors: (higher, lower)."""
    base = table[dataset, "GAN (non-saturating)"][column]
    higher, lower = [], []
    for n in list(METHODS)[1:]:
        a = table[dataset, n][column]
        if np.all(np.isfinite(a)) and not tied(a, base):
            (higher if a.mean() > base.mean() else lower).append(n)
    return higher, lower

for dataset, column, label in (("ring", "modes", "ring, modes"), ("ring", "hq", "ring, high quality"),
                               ("grid", "modes", "grid, modes"), ("grid", "hq", "grid, high quality")):
    higher, lower = versus_plain(dataset, column)
    print(f"{label}: beyond 2 standard errors of the plain GAN, higher: {', '.join(higher) or 'none'};\n  "
          f"lower: {', '.join(lower) or 'none'}")

# %% [markdown]
# **The papers' own rows**, as published in their Table 1 (mean over their runs; PacGAN gives ± one standard error, we
# give ± one standard deviation over 5 seeds). VEEGAN (Srivastava et al., 2017) averages 5 runs; PacGAN (Lin et al.,
# 2018) 10 trials of 400 epochs over 100,000 points at batch 100, a generator of four layers of 400 units with BatchNorm
# and a maxout discriminator, Adam at 1e-4 (its repository's `synthetic_data_experiments` configuration). PacGAN's runs
# use the same data as ours (ring: radius 1, σ = 0.01; grid: spacing 2, σ = 0.05, as its code sets them) and the same
# 3σ rule, and report VEEGAN's rows beside its own under that protocol; for VEEGAN's own settings see its section 5.1.

# %%
PAPERS = {   # (ring modes, ring high-quality %, ring reverse KL, grid modes, grid high-quality %, grid reverse KL)
    "VEEGAN Table 1: GAN": (1, 99.3, None, 3.3, 0.5, None),
    "VEEGAN Table 1: ALI": (2.8, 0.13, None, 15.8, 1.6, None),
    "VEEGAN Table 1: Unrolled GAN": (7.6, 35.6, None, 23.6, 16, None),
    "VEEGAN Table 1: VEEGAN": (8, 52.9, None, 24.6, 40, None),
    "PacGAN Table 1: GAN": (6.3, 98.2, 0.45, 17.3, 94.8, 0.70),
    "PacGAN Table 1: ALI": (6.6, 97.6, 0.36, 24.1, 95.7, 0.14),
    "PacGAN Table 1: PacGAN2": (7.9, 95.6, 0.07, 23.8, 91.3, 0.13),
    "PacGAN Table 1: PacGAN3": (7.8, 97.7, 0.10, 24.6, 94.2, 0.06),
    "PacGAN Table 1: PacGAN4": (7.8, 95.9, 0.07, 24.8, 93.6, 0.04),
}
show = lambda v: "-" if v is None else f"{v:g}"
print(f"{'source':40s} | {'ring modes':>10s} {'HQ %':>6s} {'rev. KL':>8s} | {'grid modes':>10s} {'HQ %':>6s} {'rev. KL':>8s}")
for src, v in PAPERS.items():
    print(f"{src:40s} | {show(v[0]):>10s} {show(v[1]):>6s} {show(v[2]):>8s} | {show(v[3]):>10s} {show(v[4]):>6s} {show(v[5]):>8s}")
for name in dict.fromkeys(("GAN (non-saturating)", "PacGAN2", best_stabiliser, *tied_with)):   # each once
    r, g = table["ring", name], table["grid", name]
    print(f"{'this notebook: ' + name:40s} | {r['modes'].mean():>10.1f} {r['hq'].mean():>6.1f} {r['rkl'].mean():>8.2f} | "
          f"{g['modes'].mean():>10.1f} {g['hq'].mean():>6.1f} {g['rkl'].mean():>8.2f}")

# %% [markdown]
# Samples of one seed per method on the grid, the harder data set:

# %%
# Samples of one seed per method on the grid, the harder of the two (2,500 points over the 25 modes in blue).
fig, axes = plt.subplots(2, 5, figsize=(16, 6.6))
grid_pts = data.grid().sample(jax.random.key(1), 2500)
for ax, name in zip(axes.ravel(), METHODS):
    pts = results["grid", name][0]["samples"]
    ax.scatter(grid_pts[:, 0], grid_pts[:, 1], s=2, color=REAL_COLOR)
    ax.scatter(pts[:, 0], pts[:, 1], s=2, color=FAKE_COLOR, alpha=0.5)
    m = results["grid", name][0]
    rank = 1 + sum(h > m["high_quality_fraction"] for h in stabilisers[f"grid/{name}"]["high_quality_fraction"])
    outside = float(np.mean(np.abs(pts).max(1) > 6))      # samples beyond the frame
    ax.set_title(f"{name}\n{m['modes_covered']}/25 modes, {m['high_quality_fraction']:.0%} high quality\n"
                 f"(its #{rank} of 5 seeds{f'; {outside:.0%} outside the frame' if outside >= 0.005 else ''})",
                 fontsize=9)
    ax.set_xlim(-6, 6); ax.set_ylim(-6, 6); ax.set_aspect("equal")
    ax.set_xlabel("$x_1$", fontsize=9); ax.set_ylabel("$x_2$", fontsize=9); ax.tick_params(labelsize=9)
fig.suptitle("Grid, seed 0 of each method (its rank among the 5 seeds by high quality in brackets): "
             "data (blue) and 2,500 generated samples (orange)", y=1.0)
plt.tight_layout(); plt.show()

# %%
# Check: the table is not degenerate: the plain GAN covers the ring, and some method reaches at least 20 of the
# grid's 25 modes on average. (The time per run is a property of the machine: printed, not asserted.)
per_run = max(t["seconds"] for t in table.values())
print(f"slowest method: {per_run:.1f} s per run (5 runs trained at once, wall time / 5)")
assert table["ring", "GAN (non-saturating)"]["modes"].mean() >= 7
assert max(table["grid", n]["modes"].mean() for n in METHODS) >= 20
target_ring = [n for n in METHODS if table["ring", n]["modes"].mean() == 8 and table["ring", n]["hq"].mean() >= 90]
target_grid = [n for n in METHODS if table["grid", n]["modes"].mean() >= 24 and table["grid", n]["hq"].mean() >= 90]
print(f"methods at PacGAN's level (about its best rows; mean over seeds): ring 8/8 with >= 90% high quality: "
      f"{target_ring or 'none'}; grid >= 24/25 with >= 90%: {target_grid or 'none'}")
# The weight average never changes training: its runs follow the plain GAN's seed by seed, so compare them in pairs.
ema_gain = table["grid", "G weight average"]["hq"] - table["grid", "GAN (non-saturating)"]["hq"]
print(f"the weight average against the plain GAN on the grid, seed by seed (high quality, points): "
      f"{', '.join(f'{g:+.1f}' for g in ema_gain)}: {'lower in every seed' if np.all(ema_gain < 0) else 'mixed'}")
spectral_ring = stabilisers["ring/spectral norm"]
worst = int(np.argmin(spectral_ring["modes_covered"]))
print(f"spectral norm on the ring, worst seed: {spectral_ring['modes_covered'][worst]} mode, "
      f"{spectral_ring['high_quality_fraction'][worst]:.1%} high quality")

# %%
# The table follows from this code: two of its rows re-run here (first seed only, the full protocol) must not fall
# below the committed runs by more than a sound run can: at least the committed fewest modes less that row's own range
# (at least 2), and at least half the committed lowest high-quality fraction. The re-run trains its seed alone, where
# the table trained 5 seeds in one batch: the float rounding differs, and GAN training amplifies it, so even on this
# machine it is a new draw (the committed seed 0 is printed beside it). How far a new draw lands: seeds 0-9 trained
# alone on the machine that made the table gave the plain GAN 15-25 modes and 8.2-82.1% high quality, LSGAN 22-25
# modes and 53.0-78.2%, and with every seed shifted by 1 LSGAN's re-run reached 48.8% (benchmarks/RESULTS.md;
# `python benchmarks/nb07_check_margins.py table --seeds 0 1 2 3 4 5 6 7 8 9` measures it): so no
# upper bound (one seed alone can beat all five committed ones by far), and a floor that a collapsed or non-converged
# run fails (under 4% high quality for the plain GAN, under 34% for LSGAN). The rows: the plain GAN on the grid and
# the stabiliser that leads on the grid, the comparison the text below leans on.
t0 = time.perf_counter()
respot = compare_methods({n: METHODS[n] for n in dict.fromkeys(("GAN (non-saturating)", best_stabiliser))},
                         datasets=("grid",), seeds=[SEEDS[0]])

for k, row in respot.items():
    ref = stabilisers[k]
    modes, hq = row["modes_covered"][0], row["high_quality_fraction"][0]
    m_lo = min(ref["modes_covered"]) - max(max(ref["modes_covered"]) - min(ref["modes_covered"]), 2)
    q_lo = min(ref["high_quality_fraction"]) / 2
    print(f"{k}, re-run here: {modes}/25 modes, {hq:.1%} high quality (committed seed 0: {ref['modes_covered'][0]}, "
          f"{ref['high_quality_fraction'][0]:.1%}); committed over 5 seeds: "
          f"{min(ref['modes_covered'])}-{max(ref['modes_covered'])} modes, "
          f"{min(ref['high_quality_fraction']):.1%}-{max(ref['high_quality_fraction']):.1%}; "
          f"accepted: at least {m_lo:g} modes and {q_lo:.1%}")
    assert modes >= m_lo, (k, modes)
    assert hq >= q_lo, (k, hq)
print(f"2 re-runs in {time.perf_counter() - t0:.0f} s, each above its floor")

# %% [markdown]
# **Reading the table, in full** (the precomputed runs; with `RUN_EXPERIMENTS = True` your own replace them). On the
# **ring**, the recipe alone covers all 8 modes in every seed with 97.3% of high-quality samples, and
# so do LSGAN, hinge, minibatch std, PacGAN2, the weight average and the R1 penalty: in modes, none of them differs
# from the plain GAN by more than 2 standard errors. With a discriminator this size, a G learning rate three
# times D's and the low-learning-rate steps, the plain GAN leaves a stabiliser little to fix on the ring; the recipe
# was tuned with the plain GAN, on this ring and on the grid (benchmarks/RESULTS.md), so the papers' GAN rows
# (VEEGAN: 1 mode; PacGAN: 6.3 modes), run with other networks and budgets and not tuned there, are not a fair
# comparison with ours. The R1 penalty covers all 8 with fewer samples on them (74.1%; its $\gamma = 10$ is the
# image-model default, and we did not try others). PacGAN2 (96.7%) is also below the plain GAN in high quality by more
# than 2 standard errors: a gap of less than a point, which the two rows' narrow spreads (± 0.3 and ± 0.5) let 5
# seeds detect, not one that matters to the picture. Weight clipping (4.4 modes, 1.6%) and WGAN-GP (3.6 modes, 29.7%)
# are worse than the plain GAN in modes and in high quality; spectral normalisation (6.4 ± 3.6 modes, 74.0 ± 41.6%)
# lost one seed of five entirely (0 modes, 0.0% high quality), but with 5 seeds its means are within 2 standard errors of
# the plain GAN's.
#
# The **grid** separates some of them. The plain GAN covers 20.0 of 25 modes with 16.2 ± 8.2% high quality; the
# grid figure shows its seed 0 with the other methods' (the bracket in each title gives the seed's rank among its 5).
# **LSGAN** leads the stabilisers in high quality (23.0 modes, 73.6 ± 4.3%), above the plain GAN by more than 2
# standard errors, as is **minibatch std** (23.6 modes, 50.1 ± 14.2%). **Hinge** (21.2 modes, 42.5 ± 36.6%) is tied
# with LSGAN and with the plain GAN: its seeds spread so widely that 5 of them do not place it. Only R1
# (25.0 modes in every seed, 25.0%) covers more grid modes than the plain GAN by more than 2 standard errors, with its
# high quality tied. With 5 seeds "more than 2 standard errors" is a loose bar (two equal methods cross it about one
# time in ten), and this notebook makes about 40 such comparisons: read a single crossing as a lead to test with more
# seeds, not a result. PacGAN2, which PacGAN's paper reports at 23.8 modes and 91.3%, gets 16.8 modes and 2.6% here
# on average: its high quality below the plain GAN's worst seed (6.8%, in the re-run cell's line), its modes within
# the plain GAN's range (14-23); its paper used a maxout
# discriminator and 400 epochs, we used our MLPs and 6,000 steps, and with packs of 2 our $D$ sees 128 packs per
# step: we did not measure which of these matters. The weight average follows the plain GAN's runs seed by seed (it
# does not change training) and ends below them on the grid in four seeds of five, by 0.5 to 9.0 points, and above in
# one (the paired differences are in the check cell's line): no consistent effect here. WGAN-GP (2.2 modes), weight
# clipping (12.4) and spectral normalisation (0.8) fail on the grid with this recipe. These three change what $D$ can
# express (a 1-Lipschitz critic, or every layer normalised) and were tried at the recipe's learning rates and with one
# critic step per generator step; WGAN-GP's paper uses 5 critic steps, Adam at 1e-4 and $\beta_1 = 0$. The table
# measures each method under one protocol, not each method at its best, and the recipe was tuned on the plain GAN.
#
# Against **PacGAN's level**: 8/8 ring modes with at least 90% high quality is met on average by six
# methods, the plain GAN among them. At least 24/25 grid modes with at least 90% is met by none. The best grid rows
# reach most modes but not the precision: at most about 74% of the samples within 3σ, against 91.3-95.7% in PacGAN's
# table, whose runs are far longer (400 epochs over 100,000 points against our 6,000 steps, seconds per run here,
# as the cell above prints). Appendix C trains longer.
#
# Runs move: earlier runs of this table (same keys) drew other numbers. One on 2026-11-22 (another 2-core machine, an
# earlier version of the code) gave the plain GAN 18.4 grid modes and 20.1% high quality, and R1 76.5% on the ring;
# the one committed before the toy GANs took `gan_utils`' own training step (whose generator update reuses the batch
# of $z$ that $D$'s last update saw, so the same keys make other draws) gave the plain GAN 22.0 grid modes and 50.1%
# high quality, and hinge 70.7% (benchmarks/RESULTS.md, "One engine, second attempt"). Read a difference between two rows as real only when it is large against their ± columns.

# %% [markdown]
# **Section 4.2's runs in detail**: each setting's distinct samples and spread over its 5 seeds, and the seeds that
# draw a single point.

# %%
for name, runs in fix_rows.items():
    d = [describe(r["samples"]) for r in runs]
    single = [int(r["modes_covered"]) for r, x in zip(runs, d) if x["distinct"] == 1]   # modes of each one-point seed
    print(f"{name:27s} distinct samples {min(x['distinct'] for x in d)}-{max(x['distinct'] for x in d)}, "
          f"spread {min(x['spread'] for x in d):.2f}-{max(x['spread'] for x in d):.2f}"
          + (f"; {len(single)} seed(s) drawing a single point, on {', '.join(map(str, single))} mode(s)" if single else ""))

# %% [markdown]
# ## Appendix C: the grid solved, and the Lipschitz methods at their papers' settings
#
# No row of the table reaches PacGAN's level on the grid (at least 24 of 25 modes with at least 90% high quality). Is
# that a limit of the methods, or of the protocol (6,000 steps, tuned on the plain GAN)? And do the three Lipschitz
# methods that failed on the grid also fail at their own papers' settings? A search over recipes for the grid
# (`benchmarks/grid_search.py`: each variant screened on 2 seeds; its every line of output is in
# `benchmarks/grid_search_results.jsonl`, its table in benchmarks/RESULTS.md) found that what reaches the target is
# **a longer schedule with a long annealed phase**, with the hinge loss: four variants met it in both screening seeds
# (12,000 steps with half or with 2,000 of them at a tenth of both learning rates, 20,000 with half, and 12,000 with
# networks of 4 layers of 256), while a network of 4 layers of 256, a batch of 512, 8-D noise or a weight average,
# each on the table's 6,000 steps, stayed below 90% in at least one of two seeds. That search ran an earlier version
# of the training step (its generator update drew a new batch of $z$; this notebook's reuses the one that $D$'s last
# update saw, as `gan_utils`' own step does). With this one, 12,000 steps with the second half annealed met the target
# in 3 of 5 seeds (the lowest at 55.6%; benchmarks/RESULTS.md, "One engine, second attempt"), and **20,000 steps, the
# second half annealed** in 10 of 10 (two batches of 5, the lowest at 91.6%; `benchmarks/grid_search_one_engine.jsonl`):
# we kept that. Below it runs on
# seeds 0-4, the search's own seeds (the same numbers as the search's line): a re-run that shows the code makes them,
# not a held-out test. Beside it, the two other losses under the same schedule: is it the loss or the schedule?
#
# Then WGAN, WGAN-GP and spectral normalisation with their papers' optimisers, for 12,000 generator steps (no
# annealing; with 5 critic steps per generator step, three times the recipe's 20,000 discriminator updates; our MLPs,
# batch of 256 and grid as in the table): WGAN with RMSProp at 5e-5, 5 critic steps per generator
# step and weights clipped to ±0.01 (Arjovsky et al., 2017, Algorithm 1); WGAN-GP with Adam at 1e-4,
# $\beta_1 = 0$, $\beta_2 = 0.9$, 5 critic steps and $\lambda = 10$ (Gulrajani et al., 2017, Algorithm 1); spectral
# normalisation with the hinge loss, Adam at 2e-4, $\beta_1 = 0$, $\beta_2 = 0.9$ and 5 discriminator steps (the
# authors' code: `configs/sn_cifar10_unconditional.yml` in pfnet-research/sngan_projection, whose training also
# lowers the learning rate linearly to 0 over the run; these runs keep it constant). These are the papers' optimiser
# settings for images, not their toy budgets: WGAN-GP's own script for this grid (`gan_toy.py` in
# igul222/improved_wgan_training) trains for 100,000 generator iterations, with $\lambda = 0.1$, Adam's
# $\beta_1 = 0.5$ and networks of three layers of 512. Precomputed like the table; the cell prints how long it took.

# %%
GRID_RUNS = {   # name: (changes to RECIPE, generator steps, of which the last ones annealed to a tenth)
    "hinge, 20,000 steps": (dict(loss="hinge"), 20000, 10000),
    "GAN (non-saturating), same": ({}, 20000, 10000),
    "LSGAN, same": (dict(loss="lsgan"), 20000, 10000),
    "WGAN, clipping, paper's": (dict(loss="wgan", penalty="clip", g_optimizer="rmsprop", d_optimizer="rmsprop",
                                     g_lr=5e-5, d_lr=5e-5, k_disc=5), 12000, 0),
    "WGAN-GP, paper's": (dict(loss="wgan", penalty="gp", g_lr=1e-4, d_lr=1e-4, b1=0.0, b2=0.9, k_disc=5), 12000, 0),
    "spectral norm, authors'": (dict(loss="hinge", spectral_norm=True, g_lr=2e-4, d_lr=2e-4, b1=0.0, b2=0.9,
                                     k_disc=5), 12000, 0),
}

def grid_solved(runs=GRID_RUNS, seeds=SEEDS):
    """Each recipe of `runs` on the grid from every seed (all seeds at once), scored as the table is."""
    out = {}
    for name, (change, steps, anneal) in runs.items():
        t0 = time.perf_counter()
        rs = train_seeds(PlaygroundConfig(data="grid", seed=SEED, **{**RECIPE, **change}), seeds, steps, anneal=anneal)
        out[name] = stored_columns(rs, round(time.perf_counter() - t0, 1))
    return out

solved = precomputed.run_or_load(
    "07_grid_solved", grid_solved, rerun=precomputed.rerun_requested(RUN_EXPERIMENTS),
    command="RUN_EXPERIMENTS = True in notebooks/07_mode_collapse (or GAN_COURSE_RUN_EXPERIMENTS=1 ./course.sh "
            "execute notebooks/07_mode_collapse.py)")
solved_rows = {n: summary([dict(modes_covered=m, high_quality_fraction=h, reverse_kl=r, seconds=solved[n]["seconds"])
                    for m, h, r in zip(solved[n]["modes_covered"], solved[n]["high_quality_fraction"],
                                       solved[n]["reverse_kl"])]) for n in GRID_RUNS}
meets = {n: bool(np.all(solved_rows[n]["modes"] >= 24) and np.all(solved_rows[n]["hq"] >= 90)) for n in GRID_RUNS}
print(f"{'grid, 5 seeds':29s} | {'modes of 25':>11s} {'fewest':>6s} | {'high quality %':>14s} {'lowest':>6s} | "
      f"{'reverse KL':>11s} | target in every seed | s for 5 seeds")
for n in GRID_RUNS:
    g = solved_rows[n]
    print(f"{n:29s} | {fmt(g['modes']):>11s} {g['modes'].min():>6.0f} | {fmt(g['hq']):>14s} {g['hq'].min():>6.1f} | "
          f"{fmt(g['rkl'], 2):>11s} | {'yes' if meets[n] else 'no':>20s} | {g['seconds']:.0f}")
print(f"the table's hinge row (6,000 steps, 2,000 annealed): {fmt(table['grid', 'hinge']['modes'])} modes, "
      f"{fmt(table['grid', 'hinge']['hq'])}% high quality")
hinge_long = solved_rows["hinge, 20,000 steps"]["hq"]
for other in ("GAN (non-saturating), same", "LSGAN, same"):
    print(f"hinge against {other.split(',')[0]} under the same schedule, high quality: "
          f"{'tied (within 2 standard errors)' if tied(hinge_long, solved_rows[other]['hq']) else 'apart by more than 2 standard errors'}"
          f" ({hinge_long.mean():.1f} against {solved_rows[other]['hq'].mean():.1f})")
print(f"hinge, 20,000 steps against the table's 6,000, high quality: "
      f"{'tied' if tied(hinge_long, table['grid', 'hinge']['hq']) else 'apart by more than 2 standard errors'}")
print(f"meet the target (>= 24 modes, >= 90% high quality) in every one of 5 seeds: "
      f"{', '.join(n for n in GRID_RUNS if meets[n]) or 'none'}")
if not precomputed.rerun_requested(RUN_EXPERIMENTS):    # the text below reads the committed runs
    assert [n for n in GRID_RUNS if meets[n]] == ["hinge, 20,000 steps", "LSGAN, same"], meets
    assert tied(hinge_long, solved_rows["LSGAN, same"]["hq"]) and not tied(hinge_long, table["grid", "hinge"]["hq"])
    assert tied(hinge_long, solved_rows["GAN (non-saturating), same"]["hq"])
    assert solved_rows["GAN (non-saturating), same"]["modes"].min() == 23
    for n, old in (("WGAN, clipping, paper's", "WGAN, weight clipping"), ("WGAN-GP, paper's", "WGAN-GP"),
                   ("spectral norm, authors'", "spectral norm")):   # more modes than under the recipe, few on them
        assert solved_rows[n]["modes"].mean() > table["grid", old]["modes"].mean() + 2 and solved_rows[n]["hq"].mean() < 30

# %%
fig, axes = plt.subplots(1, len(GRID_RUNS), figsize=(3.1 * len(GRID_RUNS), 3.6))
for ax, n in zip(axes, GRID_RUNS):
    pts = solved[n]["first_samples"]
    ax.scatter(grid_pts[:, 0], grid_pts[:, 1], s=2, color=REAL_COLOR)
    ax.scatter(pts[:, 0], pts[:, 1], s=2, color=FAKE_COLOR, alpha=0.5)
    ax.set_title(f"{n}\n{solved[n]['modes_covered'][0]}/25 modes, {solved[n]['high_quality_fraction'][0]:.0%} "
                 "high quality", fontsize=9)
    ax.set_xlim(-6, 6); ax.set_ylim(-6, 6); ax.set_aspect("equal")
    ax.set_xlabel("$x_1$", fontsize=9); ax.set_ylabel("$x_2$", fontsize=9); ax.tick_params(labelsize=9)
fig.suptitle("Grid, seed 0 of each recipe of Appendix C: data (blue) and 2,500 generated samples (orange)", y=1.02)
plt.tight_layout(); plt.show()

# %%
# The solved row follows from this code: its first seed, re-run here alone, must land in a band below the target: at
# least 22 modes and 80% high quality. A seed trained alone is a new draw (the float order differs from the batch of
# 5 above): seeds 0-9 each trained alone on the machine that made the table gave 23-25 modes and 89.6-94.5% (seed 0:
# 25 modes, 94.2%; benchmarks/grid_search_one_engine.jsonl), so the band leaves about 10 points below the lowest, while
# 4 of the 5 seeds of the table's 6,000-step hinge row (3.4-82.9%) fall below it. How often a sound run on another
# machine falls below the band is not measured: 10 runs do not show the tail.
t0 = time.perf_counter()
check = grid_solved({"hinge, 20,000 steps": GRID_RUNS["hinge, 20,000 steps"]}, seeds=[SEEDS[0]])["hinge, 20,000 steps"]
m0, h0 = check["modes_covered"][0], check["high_quality_fraction"][0]
print(f"hinge, 20,000 steps (10,000 annealed), seed {SEEDS[0]} re-run here in {time.perf_counter() - t0:.0f} s: "
      f"{m0}/25 modes, {h0:.1%} high quality (committed: {solved['hinge, 20,000 steps']['modes_covered'][0]}, "
      f"{solved['hinge, 20,000 steps']['high_quality_fraction'][0]:.1%})")
assert m0 >= 22 and h0 >= 0.80, (m0, h0)

# %% [markdown]
# **Reading Appendix C** (precomputed, 5 seeds; ± one standard deviation; the lines under the table say which
# differences exceed 2 standard errors). The longer schedule solves the grid in these runs: with the hinge loss 24.8 ±
# 0.4 modes and 94.8 ± 1.5% high quality, every seed at least 24 modes and 92.6%, against 42.5 ± 36.6% for the same
# loss on the table's 6,000 steps. At this length the loss matters little: LSGAN meets the target in every seed too
# (24.4 modes, 94.0 ± 1.1%), and the non-saturating GAN reaches 94.0 ± 0.9% (tied with hinge) and misses it only in
# one seed's modes (23 of 25). It is the schedule, more than the loss. Two cautions about "every seed". These 5 seeds
# were trained as one batch (as were the search's 10, in two batches of 5). Trained one at a time, the same 10 seeds
# met the target in 8 (seed 4 covered 23 modes, seed 6 reached 89.6%), and from the command line (below) in all 10
# (benchmarks/RESULTS.md): the recipe reaches PacGAN's level in most runs, 28 of the 30 measured, not in every run; LSGAN under the same schedule met it in 8 of the search's 10 seeds (two at 22 and 23 modes). Treating the
# 30 as independent draws (they are 10 seeds trained three ways), 5 seeds of 5 would come out about seven times in
# ten ($0.93^5 \approx 0.71$), a rough figure. And the recipe was picked by a search on this grid, scored with these
# metrics: it is tuned to them.
#
# At their papers' optimiser settings, spectral normalisation and weight clipping no longer fail as under the table's
# recipe, WGAN-GP only in part (more modes, few samples on them), and none succeeds:
# spectral normalisation covers 24.2 of 25 modes (0.8 under the table's recipe) with 26.4 ± 13.1% of the samples
# within 3σ, weight clipping 23.6 modes (12.4) with 13.5 ± 3.3%, WGAN-GP 11.2 ± 6.6 modes (2.2; fewest 2) with 3.4%.
# More modes are reached than under the table's recipe, but these runs also take twice the table's generator steps
# and, with 5 critic steps per generator step, ten times its discriminator updates (60,000 against 6,000): settings
# and budget are not separated here, and which of them brought the modes back was not measured. The samples stay off
# the modes (in the figure, seed 0: spectral normalisation's generator draws curves that thread through the modes,
# weight clipping's the square's edges and diagonals with a haze inside, WGAN-GP's a haze over and beyond the
# square): with learning rates 5 to 60 times below the recipe's and no annealed phase, 12,000 generator steps were not
# enough here. We did not run them longer, anneal them, or search their settings as we
# searched hinge's, so this is not a ranking of the methods, only a measure of each at one budget.
#
# **From the command line**: `python -m gan_utils train --dataset grid --loss hinge --steps 20000 --out grid` trains
# this recipe (the command line's defaults for the toy data are the recipe, with the second half of the
# steps annealed) and ends with the modes covered and the high-quality fraction of 2,500 samples; over seeds 0-9 it
# met the target in all 10, the lowest at 91.8% (benchmarks/RESULTS.md, "The grid from the command line, one engine").

# %% [markdown]
# ## Appendix D: the MNIST run checked here
#
# Section 5's run, in full. On MNIST the ten digits are the modes. The course's classifier (notebook 06) labels 1,000
# samples every 250 steps. The label histogram shows digits dropped or over-produced. We train the DCGAN recipe
# (`GANConfig()`, notebook 05) and the same with the hinge loss: one seed each, precomputed.

# %%
from gan_utils import train
from gan_utils.config import GANConfig, build_gan

MNIST_STEPS, MNIST_EVERY = 3000, 250
x_train = data.to_unit_range(data.load_mnist("train")[0])   # k_data, k_run, k_hist: split in section 6
mnist_runs = {"DCGAN (course recipe)": GANConfig(seed=SEED),
              "DCGAN + hinge": GANConfig(seed=SEED, **METHODS["hinge"])}     # section 4.1's loss

def class_shares(gan, n=1000):
    imgs = models.sample(gan.sampler(), k_hist, n)          # the same latent codes at every snapshot
    return metrics.class_histogram(np.asarray(metrics.classifier_outputs(imgs)[1])) / n

def mnist_experiment(runs=mnist_runs, steps=MNIST_STEPS, every=MNIST_EVERY):
    """Each run from the same seed and data order; the classifier's digit shares of 1,000 samples every `every` steps."""
    out = {}
    for name, cfg in runs.items():
        gan = build_gan(cfg)
        snaps = [(0, class_shares(gan))]
        t0 = time.perf_counter()
        train.fit(gan, data.BatchSampler(x_train, cfg.batch_size, k_data), key=k_run, steps=steps, progress=False,
                  callbacks=[lambda s, g, h: snaps.append((s, class_shares(g)))], callback_every=every,
                  **cfg.step_options())
        out[name] = {"steps": [int(s) for s, _ in snaps], "shares": np.array([h for _, h in snaps], np.float32),
                     "seconds": round(time.perf_counter() - t0, 1)}
    return out

mnist = precomputed.run_or_load(
    "07_mnist_histogram", mnist_experiment, rerun=precomputed.rerun_requested(RUN_EXPERIMENTS),
    command="RUN_EXPERIMENTS = True in notebooks/07_mode_collapse (or GAN_COURSE_RUN_EXPERIMENTS=1 ./course.sh "
            "execute notebooks/07_mode_collapse.py)")
assert set(mnist_runs) == set(mnist) - {"record"}, ("the saved runs are not mnist_runs' "
                                                    "settings: re-run them (RUN_EXPERIMENTS = True)", list(mnist))
mnist_hist = {name: list(zip(mnist[name]["steps"], mnist[name]["shares"])) for name in mnist_runs}
for name in mnist_runs:
    final = mnist_hist[name][-1][1]
    print(f"{name}: {MNIST_STEPS} steps in {mnist[name]['seconds']:.0f} s; final digit shares {np.round(100 * final).astype(int)} %,\n  "
          f"least {final.min():.1%}, most {final.max():.1%}, reverse KL to uniform {metrics.histogram_reverse_kl(final, np.ones(10)):.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 3.6), sharey=True)
# ten colours for ten digits, none of them the course's blue (real) or orange (generated)
digit_colors = ["#222222", "#b2df8a", *plt.cm.tab10.colors[2:]]   # black, light green, then tab10
for ax, (name, snaps) in zip(axes, mnist_hist.items()):
    steps_ = [s for s, _ in snaps]
    shares = np.array([h for _, h in snaps])                 # (snapshots, 10)
    ax.stackplot(steps_, shares.T, colors=[digit_colors[(d + 2) % 10] for d in range(10)], labels=[str(d) for d in range(10)])
    ax.set_xlabel("training step"); ax.set_ylabel("share of 1,000 samples")
    ax.set_title(f"{name}: digits the classifier sees", fontsize=10)
    ax.set_xlim(0, steps_[-1]); ax.set_ylim(0, 1)
axes[1].legend(ncol=10, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.18))
plt.tight_layout(); plt.show()
rkl_paths = {name: [metrics.histogram_reverse_kl(h, np.ones(10)) for _, h in snaps] for name, snaps in mnist_hist.items()}
for name, path in rkl_paths.items():
    print(f"{name}: reverse KL of the digit histogram to uniform, snapshot by snapshot:\n  "
          + " ".join(f"{v:.2f}" for v in path))

# %% [markdown]
# Both runs start in one class (reverse KL 2.30 = log 10). They spread out within a few hundred steps and end with every
# digit at 6.0% to 15.8% of the samples: no collapse in this seed. Collapse is harder to provoke here than on the ring:
# $G$'s rate 10 times $D$'s (`GANConfig(lr=1e-2, d_lr=1e-3)`) gave one healthy run and one off the data in two seeds of
# 800 steps (benchmarks/RESULTS.md).
#
# **The check.** The saved course-recipe run must end with every digit drawn. Then the same recipe is re-run here for
# its first 500 steps, and must land near the saved run's histogram at that step (the cell's comment gives the tolerance
# and why).

# %%
# Check: the saved course-recipe run ends with every digit drawn (none below 1% of the samples) and a reverse KL far
# below a one-digit generator's log 10 = 2.30. Then the same recipe re-run here for its first MNIST_CHECK_STEPS steps
# must land near the saved run's histogram at that step, so the saved run follows from this code on your machine.
# The tolerance, MNIST_CHECK_TOL, is wide: over 5 other seeds (benchmarks/nb07_check_margins.py mnist, RESULTS.md) the
# reverse KL at step 500 was 0.15 to 0.34, with every digit drawn (the least at 2.3% of the samples or more), and this
# one earlier re-run on a CPU other than the saved run's came out at 0.347 against its 0.240 (least digit 0.8%): differences up to
# about 0.11, under the tolerance. A reverse KL this close can still hide a partial collapse, so a second check asks what one
# would break: at least 9 of the 10 digits drawn, each of them in more than 0.5% of the samples (a generator missing
# two digits, the rest even, has a reverse KL of only log(10/8) = 0.22 and would pass the first check).
MNIST_CHECK_STEPS, MNIST_CHECK_TOL = 500, 0.25
uniform = np.ones(10)
plain_final = mnist_hist["DCGAN (course recipe)"][-1][1]
assert plain_final.min() > 0.01 and metrics.histogram_reverse_kl(plain_final, uniform) < 0.2, plain_final
print(f"course recipe at the end (saved): least drawn digit {plain_final.min():.1%}, reverse KL "
      f"{metrics.histogram_reverse_kl(plain_final, uniform):.3f} (one digit only: {math.log(10):.2f})")
here = mnist_experiment({"DCGAN (course recipe)": mnist_runs["DCGAN (course recipe)"]}, MNIST_CHECK_STEPS,
                        MNIST_CHECK_STEPS)["DCGAN (course recipe)"]
saved_at = dict(mnist_hist["DCGAN (course recipe)"])[MNIST_CHECK_STEPS]
rkl_here, rkl_saved = (metrics.histogram_reverse_kl(h, uniform) for h in (here["shares"][-1], saved_at))
print(f"step {MNIST_CHECK_STEPS}, re-run here in {here['seconds']:.0f} s: reverse KL {rkl_here:.3f}, least drawn digit "
      f"{here['shares'][-1].min():.1%}; saved run at that step: {rkl_saved:.3f}, {saved_at.min():.1%}")
assert abs(rkl_here - rkl_saved) < MNIST_CHECK_TOL, (rkl_here, rkl_saved)
assert np.sum(here["shares"][-1] > 0.005) >= 9, here["shares"][-1]

# %% [markdown]
# ## Appendix E: the other stabilisers by hand (the losses, spectral normalisation, the weight average)
#
# Section 3 builds the gradient penalty, the minibatch std and PacGAN. Here are the others, each checked against
# `gan_utils`.
#
# **Weight clipping, R1 and R2** (section 3.2), ours against `gan_utils.losses`, on section 3.2's critic and batches:

# %%
def my_clip(params, c):
    return jax.tree.map(lambda w: jnp.clip(w, -c, c), params)

def my_r1(critic, real, gamma):
    grads = jax.grad(lambda x: jnp.sum(critic(x)))(real)
    return gamma / 2 * jnp.mean(jnp.sum(grads ** 2, axis=1))

checks = {"R1": (my_r1(critic, xr, 10.0), losses.r1_penalty(critic, xr, 10.0)),
          "R2": (my_r1(critic, xf, 10.0), losses.r2_penalty(critic, xf, 10.0))}
for name, (ours, lib) in checks.items():
    assert abs(float(ours - lib)) < 1e-5 * max(1.0, abs(float(lib))), (name, ours, lib)
    print(f"{name:17s} ours {float(ours):.6f}  gan_utils {float(lib):.6f}")
clipped = my_clip(crit_params, 0.01)
assert all(bool(jnp.all(a == b)) for a, b in zip(jax.tree.leaves(clipped), jax.tree.leaves(losses.clip_weights(crit_params, 0.01))))

# %% [markdown]
# **The losses of section 3.1**, ours against `gan_utils.losses`:

# %%
def lsgan_d(real, fake):   return 0.5 * jnp.mean((real - 1) ** 2) + 0.5 * jnp.mean(fake ** 2)
def lsgan_g(fake):         return 0.5 * jnp.mean((fake - 1) ** 2)
def hinge_d(real, fake):   return jnp.mean(jax.nn.relu(1 - real)) + jnp.mean(jax.nn.relu(1 + fake))
def hinge_g(fake):         return -jnp.mean(fake)
def wgan_d(real, fake):    return jnp.mean(fake) - jnp.mean(real)
def wgan_g(fake):          return -jnp.mean(fake)

l_real, l_fake = 3 * jax.random.normal(k1, (512,)), 3 * jax.random.normal(k2, (512,))
pairs = {"LSGAN": ((lsgan_d, lsgan_g), (losses.discriminator_loss_lsgan, losses.generator_loss_lsgan)),
         "hinge": ((hinge_d, hinge_g), (losses.discriminator_loss_hinge, losses.generator_loss_hinge)),
         "Wasserstein": ((wgan_d, wgan_g), (losses.critic_loss_wasserstein, losses.generator_loss_wasserstein))}
for name, ((d_ours, g_ours), (d_lib, g_lib)) in pairs.items():
    err = max(abs(float(d_ours(l_real, l_fake) - d_lib(l_real, l_fake))), abs(float(g_ours(l_fake) - g_lib(l_fake))))
    assert err < 1e-5, (name, err)
    print(f"{name:12s} ours vs gan_utils.losses: largest difference {err:.1e}")

# %% [markdown]
# How hard does each generator loss push a sample that $D$ rejects, one with a very negative $\ell$? The derivative
# $\partial L_G/\partial\ell$ tells:

# %%
l_axis = jnp.linspace(-8, 8, 321)
g_losses = {"saturating": losses.generator_loss_saturating, "non-saturating": losses.generator_loss_non_saturating,
            "LSGAN": losses.generator_loss_lsgan, "hinge / Wasserstein": losses.generator_loss_hinge}
slopes = {name: np.asarray(jax.vmap(jax.grad(lambda l, f=f: f(l[None])))(l_axis)) for name, f in g_losses.items()}
fig, ax = plt.subplots(figsize=(7, 3.4))
for (name, s), c in zip(slopes.items(), ["#9e9e9e", D_COLOR, "#2e7d32", "#7b3fa0"]):
    ax.plot(l_axis, -s, color=c, lw=2, label=name)
ax.set_xlabel("discriminator output l on a generated sample (negative: judged fake)")
ax.set_ylabel("-dL_G/dl  (push towards 'real')")
ax.set_title("How hard each generator loss pushes a sample, by how fake D finds it", fontsize=10)
ax.legend(fontsize=9); plt.show()
at = {name: float(-s[np.argmin(np.abs(np.asarray(l_axis) + 8))]) for name, s in slopes.items()}
print("push at l = -8 (a confidently rejected sample):\n  " + ", ".join(f"{k} {v:.4f}" for k, v in at.items()))

# %% [markdown]
# At $\ell = -8$ the saturating push is 0.0003 (section 1.2's vanishing gradient); non-saturating, hinge and
# Wasserstein push with 1. LSGAN's push grows with the distance from its target (9 here). Past $\ell = 1$ it pulls
# "too real" samples back. The push on the sample itself also scales with $D$'s slope $\partial\ell/\partial x$.
#
# **Spectral normalisation** (section 3.3). A layer $x \mapsto Wx$ stretches no vector by more than $\|W\|_2$, the
# largest singular value of $W$ (notebook 03; its *spectral norm*). LeakyReLU stretches by at most 1. So dividing every
# weight matrix by its $\|W\|_2$ makes the network 1-Lipschitz (Miyato et al., 2018). **Power iteration** estimates
# $\|W\|_2$ cheaply: repeat $v \leftarrow Wu/\|Wu\|$ and $u \leftarrow W^\top v/\|W^\top v\|$, then read
# $\|W\|_2 \approx v^\top W u$.

# %%
def power_iteration(W, u, n):
    for _ in range(n):
        v = W @ u / jnp.linalg.norm(W @ u)
        u = W.T @ v / jnp.linalg.norm(W.T @ v)
    return v @ W @ u, u

W = jax.random.normal(k_w, (64, 32)) / 8
sigma_true = float(np.linalg.svd(np.asarray(W), compute_uv=False)[0])
u0 = jax.random.normal(k_u, (32,))
for n in (1, 3, 10, 30):
    print(f"{n:3d} power iterations: ||W||_2 estimate {float(power_iteration(W, u0, n)[0]):.5f}  (SVD: {sigma_true:.5f})")
# gan_utils.models.SpectralNorm runs one iteration per call in training mode; after a few calls its normalised
# kernel has largest singular value 1, and a discriminator built with spectral_norm=True has gradient norm <= 1.
sn_d = models.MLPDiscriminator(2, (64, 64), spectral_norm=True, rngs=nnx.Rngs(SEED))
for _ in range(30):
    sn_d(xr)                                           # training mode: each call refines u
sigmas = [float(np.linalg.svd(np.asarray(layer.normalized_kernel()), compute_uv=False)[0])
          for layer in [*sn_d.hidden, sn_d.out]]
sn_d.eval()
grad_norms = jnp.linalg.norm(jax.grad(lambda x: jnp.sum(sn_d(x)))(jax.random.normal(k_u, (4096, 2)) * 3), axis=1)
print(f"largest singular value of each normalised layer: {', '.join(f'{s:.4f}' for s in sigmas)}")
print(f"gradient norm of the normalised D at 4,096 random points: max {float(grad_norms.max()):.3f} (bound: 1)")
assert all(abs(s - 1) < 1e-3 for s in sigmas) and float(grad_norms.max()) <= 1.0 + 1e-3

# %% [markdown]
# **An average of the generator's weights** (section 3.5). $G$'s weights never settle. We can sample from their
# exponential moving average instead, $\bar\theta \leftarrow \beta\bar\theta + (1-\beta)\theta$, with a decay $\beta$
# near 1 (Yazici et al., 2019; Karras et al., 2018). Training is unchanged. For independent jitter, the average's
# spread is about $\sqrt{(1-\beta)/(1+\beta)}$ times the raw spread; section 4 measures its effect on samples.

# %%
theta_path = 1.0 + 0.1 * np.asarray(jax.random.normal(k_j, (5000,)))      # a parameter jittering around 1
ema_path, avg = [], theta_path[0]
for t in theta_path:
    avg = 0.99 * avg + 0.01 * t
    ema_path.append(avg)
ema_path = np.asarray(ema_path)
print(f"spread over the last 2,500 steps: raw {theta_path[2500:].std():.4f}, average (beta 0.99) "
      f"{ema_path[2500:].std():.4f},\nabout sqrt((1 - beta) / (1 + beta)) = {math.sqrt(0.01 / 1.99):.3f} times the raw spread")
assert ema_path[2500:].std() < 0.15 * theta_path[2500:].std()

# Check against gan_utils: the playground's engine keeps the average of G's weights (`ema=`); after each of 50 steps we
# record G's weights and average them by hand, from the initial weights, as above.
ema_gan = ToyGAN(PlaygroundConfig(data="ring", seed=SEED, ema=0.99))
hand = ema_gan.state["g"]
for _ in range(50):
    ema_gan.step_both()
    hand = jax.tree.map(lambda a, w: 0.99 * a + 0.01 * w, hand, ema_gan.state["g"])
gap = max(float(jnp.abs(a - b).max()) for a, b in zip(jax.tree.leaves(hand), jax.tree.leaves(ema_gan.state["ema"])))
moved = max(float(jnp.abs(a - b).max()) for a, b in zip(jax.tree.leaves(ema_gan.state["ema"]),
                                                        jax.tree.leaves(ema_gan.state["g"])))
print(f"gan_utils' average after 50 steps: largest difference from the hand-made average {gap:.1e};\nit differs from "
      f"G's current weights by up to {moved:.3f}")
assert gap < 1e-5 and moved > 1e-3      # float32 rounding over 50 steps: under 1e-6 here (printed)

# %% [markdown]
# **The playground's "copy as code"** (section 6): the lines it printed there rebuild the same generator.

# %%
ns = {}
exec(pg.code().replace("draw_frame(gan)", ""), ns)
same = all(np.allclose(a, b, atol=1e-5) for a, b in zip(jax.tree.leaves(ns["gan"].state["g"]), jax.tree.leaves(pg.gan.state["g"])))
assert same
print("the printed code reproduces the playground's generator (checked)")

# %% [markdown]
# ## Further reading
#
# Arjovsky & Bottou (2017) and Arjovsky et al. (2017) for section 1; their Theorem 2.6 adds that with a noisy, nearly
# perfect $D$ the non-saturating update follows a Cauchy distribution, with no useful mean (not measured here). Metz et
# al. (2017) and Srivastava et al. (2017, VEEGAN) for mode collapse on the ring. Mao et al. (2017), Lim & Ye (2017),
# Gulrajani et al. (2017), Mescheder et al. (2018), Miyato et al. (2018), Karras et al. (2018) and Lin et al. (2018,
# PacGAN) for section 3's stabilisers.

# %%
print(course.top_to_bottom(T_START))
