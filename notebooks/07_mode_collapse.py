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
# # 07 Mode collapse and the stabilisers that fix it
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gans-in-jax/blob/main/notebooks/07_mode_collapse.ipynb)
#
# Notebooks 02 to 06 trained GANs that worked. This one is about the ways they fail, and about the changes to the
# losses and the discriminator that the literature proposes against them, each measured here, on the same data,
# under one protocol, several seeds each.
#
# **You will learn**
# - why GANs fail, as a chain of measured facts: data on a thin set -> a discriminator that is perfect -> generator
#   gradients that vanish (saturating loss) or grow (non-saturating loss) -> a Wasserstein critic whose gradient
#   stays informative where the Jensen-Shannon divergence is flat at $\log 2$;
# - **mode collapse** for real (a generator that sits on a few modes, with samples of high quality), told apart from
#   **non-convergence** (samples on no mode), with the discriminator's map and the gradient arrows that show the chase;
# - the **stabilisers**, each built by hand: least-squares, hinge and Wasserstein losses, weight clipping, the gradient
#   penalty (WGAN-GP), R1/R2, spectral normalisation, the minibatch standard deviation, PacGAN's packing and an average
#   of the generator's weights; each checked against `gan_utils` (spectral normalisation and the average through their
#   properties);
# - how they compare on the ring and the grid, 5 seeds each, beside the papers' own tables (VEEGAN, PacGAN);
# - how to watch for collapse on MNIST, through the class histogram of the course's classifier during training;
# - the **GAN playground**: a live 2-D GAN in the notebook (GAN Lab's views, plus every loss and stabiliser here).

# %%
# Setup: the course package (from this clone; on Colab, from GitHub), then imports, seed and devices.
import importlib.util, os, subprocess, sys, time
T_START = time.perf_counter()  # this notebook's time, top to bottom, is printed by its last cell
REPO = "https://github.com/gan-course/gans-in-jax"  # = gan_utils.course.REPO_URL (scripts/set_repository.py)
CLONE = next((os.path.abspath(p) for p in ("..", ".") if os.path.isfile(f"{p}/gan_utils/course.py")), None)
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
# Sections 2, 4 and 5 show precomputed results (115 toy runs and two MNIST runs: about 55 minutes on a 2-core CPU).
# True: re-run them here and save them (gan_utils/precomputed.py says where); the notebook then shows your run.
RUN_EXPERIMENTS = False
SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
plt.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80, "axes.spines.top": False, "axes.spines.right": False})
print(f"JAX {jax.__version__} on {jax.devices()}")

# %% [markdown]
# ## 1. Why GANs fail, one measured link at a time
#
# ### 1.1 Two distributions that do not overlap: JSD is flat, Wasserstein is not
#
# Real data rarely fills the space it lives in: digits are a thin set among all 28x28 images, and a generator's
# outputs form a surface of dimension at most the size of $z$ (notebook 06 measured the Jacobian's rank). Two such
# thin sets almost never overlap. The simplest case (a 1-D reduction of Arjovsky et al., 2017, Example 1): two point masses on a line,
# $p = \delta_0$ and $q_\theta = \delta_\theta$, sliding past each other as $\theta$ goes from $-1$ to $1$. We compute,
# on a grid of spacing 0.001 (a 1-D reduction of their example), the Jensen-Shannon divergence (what the minimax GAN minimises, notebook 02), the
# Kullback-Leibler divergence, and the Wasserstein-1 distance $W_1(p, q) = \int |F_p(x) - F_q(x)|\,dx$ (the area
# between the two CDFs: the least mass times distance needed to move $q$ onto $p$).

# %%
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
print(f"JSD(p, q_theta) for theta != 0: between {jsds[apart].min():.6f} and {jsds[apart].max():.6f} "
      f"(log 2 = {math.log(2):.6f}); at theta = 0: {jsds[~apart][0]:.1f}")
print(f"KL(p || q_theta) for theta != 0: {'inf' if np.all(np.isinf(kls[apart])) else 'finite somewhere'}")
print(f"W1(p, q_theta) - |theta|: largest deviation {np.abs(w1s - np.abs(thetas)).max():.1e}")

fig, ax = plt.subplots(figsize=(7, 3.2))
ax.plot(thetas, jsds, "o-", color=D_COLOR, ms=3, label="JSD(p, q_theta)")
ax.plot(thetas, w1s, "s-", color="#2e7d32", ms=3, label="W1(p, q_theta)")
ax.axhline(math.log(2), color="gray", ls=":", lw=1)
ax.set_xlabel("theta (where q's mass sits)"); ax.set_ylabel("divergence / distance")
ax.set_title("Two point masses sliding past each other: JSD is flat at log 2, W1 = |theta|", fontsize=10)
ax.legend(fontsize=8); plt.show()

# %%
# Check (exact on the grid): JSD is log 2 wherever the masses are apart and 0 where they meet; W1 is |theta|.
assert np.allclose(jsds[apart], math.log(2), atol=1e-12) and jsds[~apart][0] == 0.0
assert np.all(np.isinf(kls[apart])) and np.abs(w1s - np.abs(thetas)).max() < 1e-9
print("checked: JSD = log 2 for every theta != 0, KL infinite, W1 = |theta|")

# %% [markdown]
# A generator that moves $\theta$ towards 0 gets no signal from JSD: it is the same $\log 2$ at $\theta = 1$ and at
# $\theta = 0.001$, so its gradient is zero everywhere except at the single point where it jumps. $W_1$ falls
# linearly all the way: its gradient says "move left" with the same strength everywhere.
#
# ### 1.2 A discriminator that is perfect, and what it does to the generator's gradient
#
# The same picture in 2-D, with a generator that has one parameter: real data lies on the segment $x_1 = 0$,
# $x_2 \in [0, 1]$; the generator $G_\theta(z) = (\theta, z)$, $z \sim U[0, 1]$, puts its samples on the parallel
# segment $x_1 = \theta$, here $\theta = 0.5$ (Arjovsky et al., 2017, Example 1). We train a discriminator (the course's
# `MLPDiscriminator`, two hidden layers of 64) with Adam on the cross-entropy of notebook 04, for 0, 10, 100, 1,000 and
# 3,000 steps, and after each we measure its accuracy and the generator's gradient $\partial L_G/\partial\theta$ under
# the two generator losses of notebook 02: saturating, $\mathbb E\log(1 - D(G_\theta(z)))$, and non-saturating,
# $-\mathbb E\log D(G_\theta(z))$.

# %%
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

# %%
# Check: D becomes perfect; the saturating gradient falls by orders of magnitude while the non-saturating one grows.
acc_end, sat, ns = perfect[-1][1], [r[3] for r in perfect], [r[4] for r in perfect]
assert acc_end == 1.0 and perfect[-1][2] < 1e-3
assert abs(sat[-1]) < 0.01 * max(abs(s) for s in sat) and abs(ns[-1]) > 10 * abs(ns[1])
print(f"D is perfect (accuracy {acc_end:.3f}); the saturating gradient fell to {abs(sat[-1]) / max(abs(s) for s in sat):.1e} "
      f"of its largest value, the non-saturating one grew {abs(ns[-1]) / abs(ns[1]):.0f}-fold from step 10")

# %% [markdown]
# The supports do not overlap, so a discriminator can separate them perfectly, and training makes it do so (accuracy
# 1, $D(G(z))$ driven towards 0). Then (Arjovsky & Bottou, 2017, Theorems 2.4 and 2.6):
#
# - the **saturating** loss's gradient **vanishes**: with $D = \sigma(l)$, $\partial\log(1 - D)/\partial\theta =
#   -D\,\partial l/\partial\theta$, and $D \to 0$ on the fakes faster than the logit's slope grows, so the better $D$
#   gets, the less $G$ learns (the printed column falls by orders of magnitude);
# - the **non-saturating** loss's gradient **explodes**:
#   $-\partial\log D/\partial\theta = -(1 - D)\,\partial l/\partial\theta$; the factor $1 - D$ tends to 1, and the
#   slope of the logit keeps growing as $D$ sharpens its boundary (in the run saved here the printed column grows
#   45-fold from step 10, still rising at 3,000 steps though more slowly): the generator's steps grow with how long
#   $D$ has trained, and Theorem 2.6 shows their noise grows too (not measured here).
#
# Neither tells the generator how far it is from the data: the discriminator's verdict is "fake", steeply, at
# every $\theta \neq 0$.
#
# ### 1.3 A Wasserstein critic keeps an informative gradient
#
# The Kantorovich-Rubinstein duality writes $W_1(p, q) = \sup_{\|f\|_L \le 1} \mathbb E_p f(x) - \mathbb E_q f(x)$: a
# **critic** $f$ (any real function, no sigmoid) with slope at most 1 everywhere. WGAN-GP (Gulrajani et al., 2017)
# trains it by minimising $\mathbb E_q f - \mathbb E_p f$ plus a **gradient penalty** $\lambda\,\mathbb E(\|\nabla f(\hat
# x)\| - 1)^2$ at random points $\hat x$ between real and generated samples (section 3 builds both). Train it on the
# same pair of segments, and measure its estimate of $W_1$ (which is exactly $\theta = 0.5$ here) and the generator's
# gradient $\partial(-\mathbb E f(G_\theta(z)))/\partial\theta$:

# %%
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

# %%
# Check: the trained critic estimates W1 = theta within 10%, and the generator's gradient is about 1, not 0 or 40.
assert abs(wgan_rows[-1][1] - THETA) < 0.1 * THETA and 0.8 < abs(wgan_rows[-1][2]) < 1.25, wgan_rows[-1]
print(f"W1 estimate {wgan_rows[-1][1]:.3f} (true {THETA}); generator gradient {wgan_rows[-1][2]:.3f} (true slope 1)")

# %% [markdown]
# In the run saved here, the critic's estimate approaches the true distance $0.5$ and the generator's gradient
# approaches 1, the slope of $W_1 = |\theta|$ (slightly above both: the penalty is soft), and stays there up to the
# 3,000 steps measured. This is the chain the rest of the notebook builds on: thin supports make $D$ perfect, a
# perfect $D$ ruins the gradient of the usual losses, and a critic held to slope 1 keeps it. The chain is about
# *non-convergence* (no useful gradient). Mode collapse, next, is a different failure.

# %% [markdown]
# ## 2. Mode collapse, and how it differs from not converging
#
# Two failures are often both called "mode collapse". In **mode collapse** proper, the generator's samples are good,
# they sit on modes of the data, but on only some of them: it ignores the rest. In **non-convergence**, the samples
# are not on the data at all: the generator chases a moving discriminator and never settles. The metrics of notebook
# 06 tell them apart only together: few modes covered *with* a high high-quality fraction is collapse; few modes with
# almost no high-quality samples is non-convergence.
#
# We train one GAN on the ring (8 modes, σ = 0.01), **the recipe**: generator and discriminator MLPs with three hidden
# layers of 128 units, 2-D Gaussian noise, batch 256, Adam ($\beta_1 = 0.5$) at learning rate 3e-3 for $G$ and 1e-3
# for $D$ (chosen by a small search on the plain GAN, 3 seeds per setting; benchmarks/RESULTS.md). Then the same GAN
# with **one** change each. Every panel shows the data (blue), 1,000 samples (orange), $D$'s decision map (blue: "real",
# orange: "fake", white: undecided) and the gradient arrows: the direction in which the generator's loss pushes each
# of 128 samples.

# %%
RECIPE = dict(g_layers=3, g_width=128, d_layers=3, d_width=128, g_lr=3e-3, d_lr=1e-3)
STEPS, ANNEAL = 6000, 2000     # the last ANNEAL steps at a tenth of the learning rates
SEEDS = range(5)
DEMOS = {"the recipe": {}, "one change: G's learning rate x 10": dict(g_lr=3e-2),
         "one change: D's learning rate / 100": dict(d_lr=1e-5)}
ring_means = data.ring().means

def concentration(samples):
    """Share of the samples nearest to the 2 modes that get the most (1/4 for an even spread, 1 when collapsed)."""
    nearest = np.argmin(((np.asarray(samples)[:, None] - ring_means[None]) ** 2).sum(-1), 1)
    return float(np.sort(np.bincount(nearest, minlength=len(ring_means)))[-2:].sum() / len(nearest))

def collapse_demo():
    """The recipe and its two one-change variants, 5 seeds each (trained at once, `train_seeds`), scored at the end."""
    return {name: train_seeds(PlaygroundConfig(data="ring", seed=SEED, **{**RECIPE, **change}), SEEDS, STEPS,
                              anneal=ANNEAL) for name, change in DEMOS.items()}

demo_runs = precomputed.run_or_load(
    "07_collapse_demo", collapse_demo, rerun=precomputed.rerun_requested(RUN_EXPERIMENTS),
    command="RUN_EXPERIMENTS = True in notebooks/07_mode_collapse (or GAN_COURSE_RUN_EXPERIMENTS=1 ./course.sh "
            "execute notebooks/07_mode_collapse.py)")
demo_runs.pop("record")
for name in DEMOS:
    print(f"{name}:")
    for r in demo_runs[name]:
        print(f"   seed {r['seed']}: {r['modes_covered']}/8 modes, {r['high_quality_fraction']:6.1%} high quality, "
              f"{concentration(r['samples']):5.1%} of samples nearest the 2 busiest modes, "
              f"reverse KL {r['reverse_kl']:.2f}")

# %% [markdown]
# The 15 runs above take minutes on a 2-core CPU: they are precomputed (the first printed line says when, on what
# and in how long; `RUN_EXPERIMENTS = True` in the setup cell re-runs them). The panels below train three of
# them again here, each seed alone, and watch them at four moments, the last after the low-learning-rate steps (for
# each change, the seed with the fewest modes at the end above; for the recipe, seed 0). The check after the panels
# asks these re-runs for what the precomputed runs show.

# %%
fewest = {name: min(runs, key=lambda r: (r["modes_covered"], -r["high_quality_fraction"]))["seed"]
          for name, runs in demo_runs.items()}
fewest["the recipe"] = SEED
PANEL_STEPS, PANEL_ANNEAL = (200, 100) if TESTING else (STEPS, ANNEAL)   # under test: shorter, same pictures
snaps = (PANEL_STEPS // 24, PANEL_STEPS // 6, PANEL_STEPS - PANEL_ANNEAL, PANEL_STEPS)
snap_rows = []
fig, axes = plt.subplots(len(DEMOS), len(snaps), figsize=(4 * len(snaps), 4.1 * len(DEMOS)))
for row, (name, change) in zip(axes, DEMOS.items()):
    gan = ToyGAN(PlaygroundConfig(data="ring", seed=fewest[name], **{**RECIPE, **change}))
    done = 0
    for ax, s in zip(row, snaps):
        if s > PANEL_STEPS - PANEL_ANNEAL and done == PANEL_STEPS - PANEL_ANNEAL:
            gan.set_learning_rates(gan.config.g_lr / 10, gan.config.d_lr / 10)
        gan.train(s - done)
        done = s
        m = gan.mode_metrics()
        snap_rows.append((name, fewest[name], s, m["modes_covered"], m["high_quality_fraction"]))
        draw_frame(gan, ax=ax, layers=("heatmap", "real", "fake", "arrows"),
                   title=f"{name}, seed {fewest[name]}\nstep {s}: {m['modes_covered']}/8 modes, "
                         f"{m['high_quality_fraction']:.0%} high quality")
plt.tight_layout(); plt.show()
for name, seed, s, modes, hq in snap_rows:
    print(f"{name}, seed {seed}, step {s:5d}{' (after the low-learning-rate steps)' if s == PANEL_STEPS else ''}: "
          f"{modes}/8 modes, {hq:.1%} high quality")
# Check (full run): the three re-runs end as the precomputed runs do. Over 13 seeds of each (benchmarks/RESULTS.md,
# "Notebook 07's section-2 demos, more seeds") the recipe ended with 6 to 8 modes, G's learning rate x 10 with at most
# 1, and D's learning rate / 100 with at most 2.7% of high-quality samples.
end = {name: (modes, hq) for name, _, s, modes, hq in snap_rows if s == PANEL_STEPS}
if not TESTING:
    (rec_modes, _), (glr_modes, _), (_, slow_hq) = (end[name] for name in DEMOS)
    assert rec_modes >= 5 and rec_modes > glr_modes + 2 and slow_hq < 0.05, end

# %%
# Check (the precomputed runs, or yours): the recipe covers 7 modes or more on average over the seeds and in at least
# 4 of the 5; with G's learning rate x 10, in every seed the samples sit
# together (at most 2 modes covered, at least 90% of them nearest the 2 busiest modes) and in at least 3 of the 5 that
# spot is a mode, over 90% of high quality (collapse; 17 of 18 such runs were, benchmarks/RESULTS.md: the 18th sat
# next to a mode); with D's learning rate / 100 fewer than 5% of the samples are on any mode (non-convergence).
mean = lambda name, k: float(np.mean([r[k] for r in demo_runs[name]]))
assert all(np.isfinite(r["samples"]).all() for runs in demo_runs.values() for r in runs)
recipe_modes = [r["modes_covered"] for r in demo_runs["the recipe"]]
assert np.mean(recipe_modes) >= 7 and sum(m >= 7 for m in recipe_modes) >= 4, recipe_modes
collapse = [(r["modes_covered"], round(r["high_quality_fraction"], 3), round(concentration(r["samples"]), 3))
            for r in demo_runs["one change: G's learning rate x 10"]]
assert all(m <= 2 and c >= 0.9 for m, _, c in collapse) and sum(hq > 0.9 for _, hq, _ in collapse) >= 3, collapse
stuck = [round(r["high_quality_fraction"], 3) for r in demo_runs["one change: D's learning rate / 100"]]
assert all(hq < 0.05 for hq in stuck), stuck
glr_runs = demo_runs["one change: G's learning rate x 10"]
print(f"G's learning rate x 10: {sum(r['high_quality_fraction'] > 0.9 for r in glr_runs)} of {len(SEEDS)} seeds end with "
      f"over 90% of their samples on a mode; the least concentrated seed has "
      f"{min(concentration(r['samples']) for r in glr_runs):.1%} of its samples nearest the 2 busiest modes")
for name in DEMOS:
    print(f"{name}: mean over {len(SEEDS)} seeds {mean(name, 'modes_covered'):.1f}/8 modes, "
          f"{mean(name, 'high_quality_fraction'):.1%} high quality, "
          f"{np.mean([concentration(r['samples']) for r in demo_runs[name]]):.1%} nearest the 2 busiest modes")

# %% [markdown]
# Three pictures, told apart by the metrics read together (the printed lines):
#
# - **The recipe** covers nearly every mode in the run saved here (7.8 of 8 on average over the 5 seeds, printed), with
#   about 97% of its samples of high quality, spread over the modes unevenly: on average more of them nearest the two
#   busiest modes than the 25% of an even spread (the per-seed lines show how uneven, and the reverse KL). The check
#   above asks of your run: at least 7 modes on average over the 5 seeds, and at least 7 in at least 4 seeds. (The
#   panels' seed 0, trained alone rather than in a batch of five, can end with another mode count than the batched
#   run's seed 0: the float rounding differs between the two ways of running, and GAN training amplifies it.)
# - **Mode collapse**, with `g_lr` ten times the recipe's: every seed ends with its samples **all together**, nearest
#   one or two modes (printed above), and in most seeds that spot is a mode, every sample of high quality (the
#   printed count; a seed can also collapse onto a spot next to a mode, with no sample within 3σ of it). The panels
#   follow the seed with the fewest modes: its samples stay in one small clump or a short line that $D$ chases around
#   the plane (the clump sits where $D$'s map is orange, "fake", and the arrows push it out); in the run saved here,
#   trained alone, it ends as a clump at one mode with some samples strung away from it. Each sample in a clump on a
#   mode is good; the distribution is wrong. No single sample shows this failure, which is what section 3.4's fixes
#   address: they let $D$ see several samples at once.
# - **Non-convergence**, with `d_lr` a hundred times smaller: almost none of the samples are on any mode in any seed
#   (printed above). $D$ learns too slowly to draw a useful map (the saved panels' map stays nearly white,
#   undecided), and the generator's samples stay in a small clump near the centre that drifts from snapshot to
#   snapshot without reaching the data. Few modes covered here means the generator never got there, not that it
#   chose some.
#
# Both failures cover few modes; only the high-quality column says which one it is.

# %% [markdown]
# ## 3. The stabilisers, each built by hand and checked against `gan_utils`
#
# Each stabiliser changes one thing: the loss, a constraint on the discriminator, what the discriminator sees, or
# which generator weights we sample. Each is a few lines; we write it here, then check that the version in
# `gan_utils` (which `fit`, the command line and the playground use) computes the same numbers, or, for spectral
# normalisation and the weight average, has the property the hand-written version shows.
#
# ### 3.1 Losses: least squares, hinge, Wasserstein
#
# With $l$ the discriminator's raw output (a logit, or for WGAN a critic score):
#
# | loss | discriminator minimises | generator minimises | paper |
# |---|---|---|---|
# | non-saturating (notebook 02) | $-\mathbb E\log\sigma(l(x)) - \mathbb E\log(1-\sigma(l(G(z))))$ | $-\mathbb E\log\sigma(l(G(z)))$ | Goodfellow et al. 2014 |
# | least squares (LSGAN) | $\tfrac12\mathbb E(l(x)-1)^2 + \tfrac12\mathbb E\,l(G(z))^2$ | $\tfrac12\mathbb E(l(G(z))-1)^2$ | Mao et al. 2017 |
# | hinge | $\mathbb E\max(0, 1-l(x)) + \mathbb E\max(0, 1+l(G(z)))$ | $-\mathbb E\,l(G(z))$ | Lim & Ye 2017; Miyato et al. 2018 |
# | Wasserstein | $\mathbb E\,l(G(z)) - \mathbb E\,l(x)$ (with $l$ 1-Lipschitz) | $-\mathbb E\,l(G(z))$ | Arjovsky et al. 2017 |

# %%
def lsgan_d(real, fake):   return 0.5 * jnp.mean((real - 1) ** 2) + 0.5 * jnp.mean(fake ** 2)
def lsgan_g(fake):         return 0.5 * jnp.mean((fake - 1) ** 2)
def hinge_d(real, fake):   return jnp.mean(jax.nn.relu(1 - real)) + jnp.mean(jax.nn.relu(1 + fake))
def hinge_g(fake):         return -jnp.mean(fake)
def wgan_d(real, fake):    return jnp.mean(fake) - jnp.mean(real)
def wgan_g(fake):          return -jnp.mean(fake)

key, k1, k2 = jax.random.split(key, 3)
l_real, l_fake = 3 * jax.random.normal(k1, (512,)), 3 * jax.random.normal(k2, (512,))
pairs = {"LSGAN": ((lsgan_d, lsgan_g), (losses.discriminator_loss_lsgan, losses.generator_loss_lsgan)),
         "hinge": ((hinge_d, hinge_g), (losses.discriminator_loss_hinge, losses.generator_loss_hinge)),
         "Wasserstein": ((wgan_d, wgan_g), (losses.critic_loss_wasserstein, losses.generator_loss_wasserstein))}
for name, ((d_ours, g_ours), (d_lib, g_lib)) in pairs.items():
    err = max(abs(float(d_ours(l_real, l_fake) - d_lib(l_real, l_fake))), abs(float(g_ours(l_fake) - g_lib(l_fake))))
    assert err < 1e-5, (name, err)
    print(f"{name:12s} ours vs gan_utils.losses: largest difference {err:.1e}")

# %% [markdown]
# What each generator loss does with a sample the discriminator rejects confidently (a very negative $l$) is in its
# derivative $\partial L_G/\partial l$ per sample. Plotted against $l$:

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
ax.legend(fontsize=8); plt.show()
at = {name: float(-s[np.argmin(np.abs(np.asarray(l_axis) + 8))]) for name, s in slopes.items()}
print("push at l = -8 (a confidently rejected sample): " + ", ".join(f"{k} {v:.4f}" for k, v in at.items()))

# %% [markdown]
# The saturating loss gives a rejected sample almost no push (section 1.2's vanishing gradient), the non-saturating
# one a push of 1 that stays bounded per sample, LSGAN a push that *grows* with how far the output is from its target
# (it penalises being far from the decision boundary, not just being on the wrong side), and hinge/Wasserstein a
# constant push of 1 whatever $l$ is.
#
# ### 3.2 Keeping the critic Lipschitz: weight clipping, the gradient penalty, R1 and R2
#
# The Wasserstein loss needs $\|\nabla_x f\| \le 1$. Arjovsky et al. (2017) **clip** every weight to $[-c, c]$ after each
# update ($c = 0.01$); Gulrajani et al. (2017) show that clipping pushes the critic towards too simple functions and
# add instead the **gradient penalty** $\lambda\,\mathbb E_{\hat x}(\|\nabla f(\hat x)\|_2 - 1)^2$ with $\hat x = \epsilon
# x + (1 - \epsilon) G(z)$, $\epsilon \sim U[0, 1]$ per example, $\lambda = 10$. Mescheder et al. (2018) penalise the
# gradient only on real data, **R1** $= \frac\gamma2\mathbb E_{x\sim p}\|\nabla f(x)\|^2$ (and **R2**, the same on
# generated data), and prove that R1 makes the GAN converge locally where the plain GAN oscillates. R1 and R2 are not
# Lipschitz constraints: they pull the gradient towards 0, not 1, and go with the usual GAN losses (section 4 uses R1
# with the non-saturating loss). Each needs the
# gradient of the critic with respect to its *input*, for every example; because examples do not interact in the
# critic, the gradient of $\sum_i f(x_i)$ with respect to the batch gives all of them in one backward pass.

# %%
def my_clip(params, c):
    return jax.tree.map(lambda w: jnp.clip(w, -c, c), params)

def my_gradient_penalty(critic, real, fake, key, weight):
    eps = jax.random.uniform(key, (real.shape[0], 1))
    x_hat = eps * real + (1 - eps) * fake
    grads = jax.grad(lambda x: jnp.sum(critic(x)))(x_hat)          # row i: the gradient at x_hat[i]
    return weight * jnp.mean((jnp.linalg.norm(grads, axis=1) - 1) ** 2)

def my_r1(critic, real, gamma):
    grads = jax.grad(lambda x: jnp.sum(critic(x)))(real)
    return gamma / 2 * jnp.mean(jnp.sum(grads ** 2, axis=1))

key, k_init, k_x, k_y, k_gp = jax.random.split(key, 5)
crit_def, crit_params = nnx.split(models.MLPDiscriminator(2, (64, 64), rngs=nnx.Rngs(SEED)))
critic = lambda x: nnx.merge(crit_def, crit_params, copy=True)(x)
xr, xf = jax.random.normal(k_x, (256, 2)), jax.random.normal(k_y, (256, 2)) + 2
checks = {"gradient penalty": (my_gradient_penalty(critic, xr, xf, k_gp, 10.0),
                               losses.gradient_penalty(critic, xr, xf, k_gp, 10.0)),
          "R1": (my_r1(critic, xr, 10.0), losses.r1_penalty(critic, xr, 10.0)),
          "R2": (my_r1(critic, xf, 10.0), losses.r2_penalty(critic, xf, 10.0))}
for name, (ours, lib) in checks.items():
    assert abs(float(ours - lib)) < 1e-5 * max(1.0, abs(float(lib))), (name, ours, lib)
    print(f"{name:17s} ours {float(ours):.6f}  gan_utils {float(lib):.6f}")
clipped = my_clip(crit_params, 0.01)
assert all(bool(jnp.all(a == b)) for a, b in zip(jax.tree.leaves(clipped), jax.tree.leaves(losses.clip_weights(crit_params, 0.01))))
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
# A layer $x \mapsto Wx$ stretches no vector by more than $\sigma(W)$, its largest singular value; LeakyReLU stretches
# by at most 1. So a network whose every weight is divided by its own $\sigma$ is 1-Lipschitz (Miyato et al., 2018).
# Computing $\sigma$ exactly (an SVD) at every step is costly; **power iteration** estimates it: keep a vector $u$,
# repeat $v \leftarrow Wu/\|Wu\|$, $u \leftarrow W^\top v/\|W^\top v\|$, then $\sigma \approx v^\top W u$. Miyato et al. run
# one iteration per training step, carrying $u$ over: the weights change slowly, so $u$ stays close to the top
# singular vector.

# %%
def power_iteration(W, u, n):
    for _ in range(n):
        v = W @ u / jnp.linalg.norm(W @ u)
        u = W.T @ v / jnp.linalg.norm(W.T @ v)
    return v @ W @ u, u

key, k_w, k_u = jax.random.split(key, 3)
W = jax.random.normal(k_w, (64, 32)) / 8
sigma_true = float(np.linalg.svd(np.asarray(W), compute_uv=False)[0])
u0 = jax.random.normal(k_u, (32,))
for n in (1, 3, 10, 30):
    print(f"{n:3d} power iterations: sigma {float(power_iteration(W, u0, n)[0]):.5f}  (SVD: {sigma_true:.5f})")
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
# ### 3.4 Letting the discriminator see a whole batch: minibatch standard deviation and PacGAN
#
# A discriminator that judges one sample at a time cannot see that a generator produces the *same* sample every time:
# each one is realistic. Two fixes give it the batch. The **minibatch standard deviation** (Karras et al., 2018) appends
# one feature to every example: the standard deviation of each feature over the batch, averaged. **PacGAN** (Lin et
# al., 2018) feeds the discriminator $m$ samples at once, concatenated, all real or all generated. We build both, check
# them against `gan_utils.models`, and measure what they see on a collapsed batch (every sample on one mode of the
# ring) against a real one.

# %%
def my_minibatch_std(x, eps=1e-8):
    s = jnp.mean(jnp.sqrt(jnp.var(x, axis=0) + eps))
    return jnp.concatenate([x, jnp.full((x.shape[0], 1), s)], axis=1)

def my_pack(x, m):
    return x.reshape(x.shape[0] // m, m * x.shape[1])     # rows (x_0, x_1), (x_2, x_3), ...

ring = data.ring()
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
# One number, or one pair, is enough to tell the batches apart: the collapsed batch's spread is tiny, and its packs
# always hold two samples of one mode, which a real pack does only about one time in eight.
#
# ### 3.5 An average of the generator's weights
#
# The generator's weights never settle: each step moves them by about the learning rate, in a direction the current
# discriminator chose. Sampling from an exponential moving average $\bar\theta \leftarrow \beta\bar\theta +
# (1-\beta)\theta$ (Yazici et al., 2019; Karras et al., 2018 use it for every image they show) averages that jitter
# out without changing training. On a parameter that jitters around a value, the average's spread is far smaller:

# %%
key, k_j = jax.random.split(key)
theta_path = 1.0 + 0.1 * np.asarray(jax.random.normal(k_j, (5000,)))      # a parameter jittering around 1
ema_path, avg = [], theta_path[0]
for t in theta_path:
    avg = 0.99 * avg + 0.01 * t
    ema_path.append(avg)
ema_path = np.asarray(ema_path)
print(f"spread over the last 2,500 steps: raw {theta_path[2500:].std():.4f}, average (beta 0.99) "
      f"{ema_path[2500:].std():.4f}, about sqrt((1 - beta) / (1 + beta)) = {math.sqrt(0.01 / 1.99):.3f} times the raw spread")
assert ema_path[2500:].std() < 0.15 * theta_path[2500:].std()

# %% [markdown]
# ## 4. The stabilisers compared on the ring and the grid
#
# **The protocol.** Every method is section 2's recipe with one change: generator and discriminator MLPs with three
# hidden layers of 128 units (the playground's default, two layers of 64, covers the ring but leaves most grid samples
# off the modes: benchmarks/RESULTS.md has the search), 2-D Gaussian noise, batch 256, Adam ($\beta_1 = 0.5$) at
# learning rate 3e-3 for $G$ and 1e-3 for $D$, `STEPS` steps of which the last `ANNEAL` at a tenth of both learning
# rates (the samples jitter around the modes by about a step size: one ring run went from 41% to 89% high quality
# after such steps, benchmarks/RESULTS.md), 5 seeds per method, all 5 trained at once
# (`train_seeds`, a `vmap` over the seeds), then 2,500 samples per run scored as VEEGAN and PacGAN do. The plain GAN's
# ring runs are trained again here, as one more row of the same protocol. The 100 runs take about 40 minutes on a
# 2-core CPU, more than a class period: the table is **precomputed** (the cell says when, where and how long), and
# `RUN_EXPERIMENTS = True` in the setup cell re-runs it in place. The cell after the table re-runs two of its rows
# here, from one seed each, to show that the committed numbers follow from this code on your machine.

# %%
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
    keyed "dataset/method", and the grid samples of the first seed (for the figure below)."""
    out = {}
    for dataset in datasets:
        for name, change in methods.items():
            runs = train_seeds(PlaygroundConfig(data=dataset, seed=SEED, **RECIPE, **change), seeds, steps, anneal=anneal)
            out[f"{dataset}/{name}"] = {
                "seeds": [r["seed"] for r in runs], "modes_covered": [r["modes_covered"] for r in runs],
                "high_quality_fraction": [r["high_quality_fraction"] for r in runs],
                "reverse_kl": [r["reverse_kl"] for r in runs], "seconds": runs[0]["seconds"],
                "first_samples": np.asarray(runs[0]["samples"], np.float32)}
    return out

stabilisers = precomputed.run_or_load(
    "07_stabilisers", compare_methods, rerun=precomputed.rerun_requested(RUN_EXPERIMENTS),
    command="RUN_EXPERIMENTS = True in notebooks/07_mode_collapse (or GAN_COURSE_RUN_EXPERIMENTS=1 ./course.sh "
            "execute notebooks/07_mode_collapse.py)")
# the same dicts train_seeds returns (one per seed), rebuilt from the stored columns
results = {tuple(k.split("/", 1)): [dict(seed=s, modes_covered=m, high_quality_fraction=h, reverse_kl=r, seconds=v["seconds"],
                                         samples=v["first_samples"] if i == 0 else None)
                                    for i, (s, m, h, r) in enumerate(zip(v["seeds"], v["modes_covered"],
                                                                         v["high_quality_fraction"], v["reverse_kl"]))]
           for k, v in stabilisers.items() if k != "record"}
print(f"{len(results) * len(SEEDS)} runs of {FULL_STEPS:,} steps, {stabilisers['record']['seconds'] / 60:.0f} minutes "
      "on the machine that computed them")

def summary(rows):
    col = lambda k: np.array([r[k] for r in rows], float)
    return {"modes": col("modes_covered"), "hq": 100 * col("high_quality_fraction"), "rkl": col("reverse_kl"),
            "seconds": rows[0]["seconds"]}

table = {key_: summary(rows) for key_, rows in results.items()}
fmt = lambda a, d=1: f"{a.mean():.{d}f} ± {a.std():.{d}f}" if np.all(np.isfinite(a)) else f"inf in {int(np.sum(~np.isfinite(a)))} runs"
print(f"{'method':24s} | {'ring: modes of 8':>16s} {'high quality %':>15s} {'reverse KL':>14s} | "
      f"{'grid: modes of 25':>17s} {'high quality %':>15s} {'reverse KL':>14s} | s/run")
for name in METHODS:
    r, g = table["ring", name], table["grid", name]
    print(f"{name:24s} | {fmt(r['modes']):>16s} {fmt(r['hq']):>15s} {fmt(r['rkl'], 2):>14s} | "
          f"{fmt(g['modes']):>17s} {fmt(g['hq']):>15s} {fmt(g['rkl'], 2):>14s} | {max(r['seconds'], g['seconds']):.1f}")
table_rows = {name: float(table["ring", name]["hq"].mean()) / 100 for name in METHODS}   # for exercise 5
best_ring = max(METHODS, key=lambda n: (table["ring", n]["modes"].mean(), table["ring", n]["hq"].mean()))
def grid_rank(n):   # high quality among the methods that cover at least 20 of the 25 modes on average, then the rest
    g = table["grid", n]
    return (g["modes"].mean() >= 20, g["hq"].mean(), g["modes"].mean())
best_grid = max(METHODS, key=grid_rank)
best_stabiliser = max([n for n in METHODS if METHODS[n]], key=grid_rank)     # the best that changes something
print(f"best on the ring (modes, then high quality): {best_ring}; best on the grid (high quality among those with "
      f">= 20 modes): {best_grid}; best stabiliser on the grid: {best_stabiliser}")

# %% [markdown]
# The papers' own rows, as printed in their Table 1 (mean over their runs; PacGAN gives ± one standard error, we give
# ± one standard deviation over 5 seeds). VEEGAN (Srivastava et al., 2017) averages 5 runs; PacGAN (Lin et al., 2018)
# 10 trials of 400 epochs over 100,000 points at batch 100, a generator of four layers of 400 units with BatchNorm and
# a maxout discriminator, Adam at 1e-4 (its repository's `synthetic_data_experiments` configuration). Both use the same
# data as ours (ring: radius 1, σ = 0.01; grid: spacing 2, σ = 0.05, as PacGAN's code sets them) and the same 3σ rule.

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
for name in dict.fromkeys(("GAN (non-saturating)", "PacGAN2", best_ring, best_grid)):   # each once
    r, g = table["ring", name], table["grid", name]
    print(f"{'this notebook: ' + name:40s} | {r['modes'].mean():>10.1f} {r['hq'].mean():>6.1f} {r['rkl'].mean():>8.2f} | "
          f"{g['modes'].mean():>10.1f} {g['hq'].mean():>6.1f} {g['rkl'].mean():>8.2f}")

# %%
# Samples of one seed per method on the grid, the harder of the two (2,500 points over the 25 modes in blue).
fig, axes = plt.subplots(2, 5, figsize=(16, 6.6))
grid_pts = data.grid().sample(jax.random.key(1), 2500)
for ax, name in zip(axes.ravel(), METHODS):
    pts = results["grid", name][0]["samples"]
    ax.scatter(grid_pts[:, 0], grid_pts[:, 1], s=2, color=REAL_COLOR)
    ax.scatter(pts[:, 0], pts[:, 1], s=2, color=FAKE_COLOR, alpha=0.5)
    m = results["grid", name][0]
    ax.set_title(f"{name}\n{m['modes_covered']}/25 modes, {m['high_quality_fraction']:.0%} high quality", fontsize=9)
    ax.set_xlim(-6, 6); ax.set_ylim(-6, 6); ax.set_aspect("equal"); ax.set_xticks([]); ax.set_yticks([])
fig.suptitle("Grid, seed 0 of each method: data (blue) and 2,500 generated samples (orange)", y=1.0)
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
print(f"methods at the issue's target (mean over seeds): ring 8/8 with >= 90% high quality: {target_ring or 'none'}; "
      f"grid >= 24/25 with >= 90%: {target_grid or 'none'}")

# %%
# The table follows from this code: two of its rows re-run here (first seed only, the full protocol) must land within
# the committed spread over 5 seeds, widened on each side by that spread's own width (at least 2 modes and 15 points
# of high quality). On another CPU, or with other seeds, the re-run is a new draw, and a new draw falls outside the
# range of 5 others about one time in three: with seeds shifted by 2, the plain GAN's re-run covered 14 grid modes
# against a committed 18-25. The widened band still fails a broken run (a collapsed or diverged generator). The rows:
# the plain GAN on the grid and the stabiliser that did best there, the comparison the text below leans on.
t0 = time.perf_counter()
respot = compare_methods({n: METHODS[n] for n in dict.fromkeys(("GAN (non-saturating)", best_stabiliser))},
                         datasets=("grid",), seeds=[SEEDS[0]])

def band(values, least):
    lo, hi = min(values), max(values)
    pad = max(hi - lo, least)
    return lo - pad, hi + pad

for k, row in respot.items():
    ref = stabilisers[k]
    modes, hq = row["modes_covered"][0], row["high_quality_fraction"][0]
    m_lo, m_hi = band(ref["modes_covered"], 2)
    q_lo, q_hi = band(ref["high_quality_fraction"], 0.15)
    print(f"{k}, re-run here: {modes}/25 modes, {hq:.1%} high quality; committed over 5 seeds: "
          f"{min(ref['modes_covered'])}-{max(ref['modes_covered'])} modes, "
          f"{min(ref['high_quality_fraction']):.1%}-{max(ref['high_quality_fraction']):.1%}; "
          f"accepted: {max(m_lo, 0):g}-{min(m_hi, 25):g} modes, {max(q_lo, 0):.0%}-{min(q_hi, 1):.0%}")
    assert m_lo <= modes <= m_hi, (k, modes)
    assert q_lo <= hq <= q_hi, (k, hq)
print(f"2 re-runs in {time.perf_counter() - t0:.0f} s, each within the accepted band")

# %% [markdown]
# **Reading the table** (the precomputed runs; with `RUN_EXPERIMENTS = True` your own replace them). On the **ring**,
# the recipe alone nearly reaches the issue's target: 7.8 of 8 modes (one seed of five missed one) with 96.9% of
# high-quality samples, and LSGAN, hinge, minibatch std, PacGAN2 and the weight average cover all 8 modes in every
# seed with 95.6-97.0%: perhaps because, with a discriminator this size, a G learning rate three times D's and the
# low-learning-rate steps, there is little left for a stabiliser to fix; the papers' GAN rows (VEEGAN: 1 mode;
# PacGAN: 6.3 modes) are beaten by the plain GAN here. The R1 penalty covers all 8 with fewer samples on them (85.9%;
# its $\gamma = 10$ is the image-model default, and we did not try others); WGAN-GP (7.4 modes, 62.4%), spectral
# normalisation (6.6 ± 2.8 modes, 61.8 ± 37.5%: one seed on a single mode) and weight clipping (3.8 modes, 2.8%) do
# worse than the plain GAN.
#
# The **grid** separates them. The plain GAN covers 22.0 of 25 modes with 50.1 ± 31.5% high quality, a large spread
# between seeds; the figure above (its first seed) shows samples along lines between modes. Two losses cover nearly
# every mode with about 70% of the samples on them and a smaller spread: **hinge** (24.4 modes, 70.7 ± 10.6%) and
# **LSGAN** (24.2, 69.1 ± 7.8%); with 5 seeds they are not told apart. R1 (24.8, 33.0%) and minibatch std (23.8,
# 47.1%) cover the modes with more samples between them. PacGAN2, which PacGAN's paper reports at 23.8 modes and
# 91.3%, gets 17.0 modes and 3.0% here, with our MLPs and 6,000 steps instead of its maxout discriminator and 400
# epochs; the weight average (20.4 modes, 43.4%) does not beat the plain GAN. WGAN-GP (2.4 modes), weight clipping
# (12.2) and spectral normalisation (1.2) fail on the grid with this recipe. These three change what $D$ can express
# (a 1-Lipschitz critic, or every layer normalised) and were tried at the recipe's learning rates and with one critic
# step per generator step; WGAN-GP's paper uses 5 critic steps, Adam at 1e-4 and $\beta_1 = 0$. The table measures
# each method under one protocol, not each method at its best, and the recipe was tuned on the plain GAN.
#
# Against the **issue's targets** (printed above): 8/8 ring modes with at least 90% high quality is met by five
# methods, not by the plain GAN (one seed missed a mode); at least 24/25 grid modes with at least 90% is met by none.
# The best grid rows reach the modes but not the precision: about 70% of the samples within 3σ, against 91.3-95.7% in
# PacGAN's table, whose runs are far longer (400 epochs over 100,000 points against our 6,000 steps, which took the
# printed seconds per run here).
#
# These runs are one draw of a chaotic game: the same code and keys, run on a 2-core machine of the same kind a day
# earlier, gave the plain GAN 18.4 grid modes and 20.1% high quality, and R1 76.5% on the ring (benchmarks/RESULTS.md). Read a
# difference between two rows as real only when it is large against their ± columns.

# %% [markdown]
# ## 5. MNIST: the class histogram during training
#
# On the toy data we count modes directly. On MNIST the ten digits play the modes' part: the course's classifier
# (notebook 06) labels 1,000 samples every few hundred steps, and the histogram of labels shows whether the generator
# drops digits (collapse), over-produces some, or recovers. We train the course's DCGAN recipe (notebook 05,
# `GANConfig()`), and the same recipe with the stabiliser that did best on the grid in section 4 (`best_stabiliser`,
# chosen by the code from the table, not by hand; `GANConfig` has the same option names), with the same seed and data
# order.

# %%
from gan_utils import train
from gan_utils.config import GANConfig, build_gan

MNIST_STEPS, MNIST_EVERY = 3000, 250
x_train = data.to_unit_range(data.load_mnist("train")[0])
key, k_data, k_run, k_hist = jax.random.split(key, 4)
mnist_runs = {"DCGAN (course recipe)": GANConfig(seed=SEED),
              f"DCGAN + {best_stabiliser}": GANConfig(seed=SEED, **METHODS[best_stabiliser])}

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
assert set(mnist_runs) == set(mnist) - {"record"}, ("the saved runs used another stabiliser than this table's best: "
                                                    "re-run them (RUN_EXPERIMENTS = True)", list(mnist))
mnist_hist = {name: list(zip(mnist[name]["steps"], mnist[name]["shares"])) for name in mnist_runs}
for name in mnist_runs:
    final = mnist_hist[name][-1][1]
    print(f"{name}: {MNIST_STEPS} steps in {mnist[name]['seconds']:.0f} s; final digit shares {np.round(100 * final).astype(int)} %, "
          f"least {final.min():.1%}, most {final.max():.1%}, reverse KL to uniform {metrics.histogram_reverse_kl(final, np.ones(10)):.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 3.6), sharey=True)
# ten colours for ten digits, none of them the course's blue (real) or orange (generated)
digit_colors = ["#4d4d4d", "#c7c7c7", *plt.cm.tab10.colors[2:]]
for ax, (name, snaps) in zip(axes, mnist_hist.items()):
    steps_ = [s for s, _ in snaps]
    shares = np.array([h for _, h in snaps])                 # (snapshots, 10)
    ax.stackplot(steps_, shares.T, colors=[digit_colors[(d + 2) % 10] for d in range(10)], labels=[str(d) for d in range(10)])
    ax.set_xlabel("training step"); ax.set_ylabel("share of 1,000 samples")
    ax.set_title(f"{name}: digits the classifier sees", fontsize=10)
    ax.set_xlim(0, steps_[-1]); ax.set_ylim(0, 1)
axes[1].legend(ncol=10, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18))
plt.tight_layout(); plt.show()
rkl_paths = {name: [metrics.histogram_reverse_kl(h, np.ones(10)) for _, h in snaps] for name, snaps in mnist_hist.items()}
for name, path in rkl_paths.items():
    print(f"{name}: reverse KL of the digit histogram to uniform, snapshot by snapshot: "
          + " ".join(f"{v:.2f}" for v in path))

# %%
# Check: the saved course-recipe run ends with every digit drawn (none below 1% of the samples) and a reverse KL far
# below a one-digit generator's log 10 = 2.30. Then the same recipe re-run here for its first MNIST_CHECK_STEPS steps
# must land near the saved run's histogram at that step, so the saved run follows from this code on your machine.
# The tolerance, MNIST_CHECK_TOL, is wide: a reverse KL of 0.24 at step 500 here can be about 0 to 0.5 on another
# run, while a collapsed generator sits near 2.3 (a bound from the saved runs' snapshots, not yet from 5 seeds).
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

# %% [markdown]
# Both runs (one seed each, precomputed) start from an untrained generator whose 1,000 samples the classifier puts
# in one class (reverse KL 2.30 = log 10 at step 0: an untrained generator is "collapsed" by this measure), spread out
# within the first few hundred steps, and end with every digit drawn (the least and most drawn digits and the reverse
# KL to the uniform histogram are printed above: within 0.01 of each other for the two runs). The early snapshots
# over-produce a few digits (the tall bands before step 1,000) and both recover. In this seed, with this recipe and
# 3,000 steps, the plain DCGAN did not collapse on MNIST, so the stabiliser had no collapse to fix here; hinge, the
# best stabiliser on the grid, ended about where the plain run ended. One seed is not a general result: the check
# above asks of your machine only that the first 500 steps of the recipe land near the saved run. Section 2's
# way to collapse (a generator learning rate far above the discriminator's) is the thing to try next on MNIST, with
# `GANConfig(lr=..., d_lr=...)` (`lr` is the generator's when `d_lr` is set).
#
# ## 6. The playground: try it yourself
#
# Everything in this notebook can be replayed live in the **GAN playground** below (`gan_utils.playground.Playground`):
# GAN Lab's views (the data in blue, the generator's samples in orange, the discriminator's decision map, the
# generator's manifold, gradient arrows on the samples) with every loss and stabiliser of section 3, the mode metrics
# charted as it trains, step buttons (one step of D, of G, of both) and a fixed seed. **Copy as code** prints the
# settings and every action taken, so any run you find can be rerun in a cell. Things to try:
#
# - the defaults (ring, non-saturating loss): watch the samples find the modes (all eight in the run saved here,
#   printed below), then press *step G* a few times and follow the arrows;
# - the grid; then `D steps per G step` 5 with the Wasserstein loss and penalty `gp`;
# - section 2's two failures, one setting each;
# - **draw data**: click and drag on the canvas to place your own points, then *train on drawing*.
#
# Readers without a running kernel see a snapshot of the playground instead (the picture is taken when the cell runs).

# %%
pg = playground.Playground(seed=SEED)
pg.run(500 if TESTING else 3000)        # a trained state to start from (and for the snapshot)
pg

# %%
# Check: the playground's engine trained the ring: its view shows covered modes, and "copy as code" reproduces it.
m_pg = pg.gan.mode_metrics()
print(f"playground after {pg.gan.step[1]} steps: {m_pg['modes_covered']}/8 modes, {m_pg['high_quality_fraction']:.1%} high quality")
print(pg.code())
ns = {}
exec(pg.code().replace("draw_frame(gan)", ""), ns)
same = all(np.allclose(a, b, atol=1e-5) for a, b in zip(jax.tree.leaves(ns["gan"].state["g"]), jax.tree.leaves(pg.gan.state["g"])))
assert same and m_pg["modes_covered"] >= (2 if TESTING else 6)
assert TESTING or m_pg["high_quality_fraction"] > 0.05   # one seed, no low-learning-rate phase: its share wobbles
print("the printed code reproduces the playground's generator (checked)")

# %% [markdown]
# The 1-D version of the playground (densities $p$ and $q$ and $D(x)$, as in notebook 02) is
# `Playground(data="bimodal", noise="gaussian_1d")`; notebook 02 uses it to add step buttons to its hand-written GAN.
#
# ## Summary
#
# - **Thin supports make GANs fail.** Two point masses apart have JSD = log 2 whatever the distance and
#   $W_1 = |\theta|$; in the run saved here a discriminator separates two parallel segments perfectly (accuracy
#   1.000), after which the saturating loss's gradient vanishes (to 2.7e-04 of its peak) and the non-saturating one
#   grows (45-fold); a WGAN-GP critic estimates $W_1$ (0.515 for 0.5) and gives the generator a gradient near 1 (printed), the
#   slope of $W_1$.
# - **Collapse and non-convergence are different failures.** A generator learning rate ten times the recipe's (30
#   times the discriminator's) put every seed's samples in one clump, in most seeds on one mode and all of high
#   quality; a discriminator learning a hundred times more slowly left almost none of them on any mode. Report modes
#   covered *and* high quality together.
# - **The stabilisers** are each a few lines: LSGAN, hinge and Wasserstein losses; weight clipping, the gradient
#   penalty, R1/R2; spectral normalisation by power iteration; the minibatch standard deviation and PacGAN's packs, which
#   let $D$ see a batch; an average of $G$'s weights. `gan_utils` has each (`losses`, `models`), selectable from `fit`,
#   the command line (`--loss`, `--penalty`, `--spectral-norm`, `--minibatch-std`, `--pack`, `--ema`) and the
#   playground.
# - **Measured under one protocol** (5 seeds each, in the precomputed runs), the recipe itself nearly solves the
#   ring (7.8 of 8 modes, 96.9% high quality) and five stabilisers cover all 8 modes in every seed; on the grid hinge
#   and LSGAN cover 24.2-24.4 of 25 modes with about 70% of their samples on them, short of PacGAN's much longer runs;
#   Wasserstein losses and spectral normalisation failed with this recipe.
# - On MNIST neither run (one seed each, precomputed) collapsed: both ended with every digit drawn, between 6.0% and
#   15.8% of the samples each; the class histogram during training is the tool to watch for collapse there.
#
# ## Exercises
#
# The checker below grades each exercise separately and says "not yet" (with a hint) for a wrong answer; the answers
# are not in this notebook.
#
# 1. **JSD of two shifted uniform distributions.** $p = U[0, 1]$ and $q = U[\theta, 1 + \theta]$ overlap when
#    $|\theta| < 1$. Compute $\mathrm{JSD}(p, q)$ in nats for $\theta = 0.25$ (by hand or on a grid, as in section 1.1)
#    and store it in `ex1`.
# 2. **The Wasserstein distance of the same pair**: $W_1(p, q)$ for $\theta = 0.25$, in `ex2`.
# 3. **A gradient penalty by hand.** For the critic $f(x) = 2 x_1 - x_2$, what is the WGAN-GP penalty with
#    $\lambda = 10$, whatever the real and generated batches? Store it in `ex3`.
# 4. **PacGAN's input.** How many inputs does the first layer of a PacGAN4 discriminator have on 2-D data, and how many
#    on 28x28x1 images with the DCGAN discriminator (channels of its first convolution's input)? Store the pair in `ex4`.
# 5. **Read your table.** Which method of section 4 had the highest mean high-quality fraction on the ring in *your*
#    run? Store its name (a key of `METHODS`) in `ex5`.

# %%
# Your answers here (set ex1 ... ex5), then run the checker below.
ex1 = ex2 = ex3 = ex4 = ex5 = None

# %%
# Checker: one line per exercise; unanswered ones are reported, a wrong one fails this cell after the full report.
# NBVAL_CHECK_OUTPUT
exercises.check("07", ex1=ex1, ex2=ex2, ex3=ex3, ex4=ex4, ex5=ex5, table=table_rows)

# %%
print(course.top_to_bottom(T_START))

# %% [markdown]
# ---
# Next: [notebook 08](08_conditional_generation.ipynb), asking the generator for a digit (conditional GANs, the
# latent space, and inverting your own drawing). Back to [the course overview](../README.md). Further reading: Arjovsky & Bottou (2017) and Arjovsky et al. (2017) for section 1; Metz et al. (2017) and Srivastava et al.
# (2017, VEEGAN) for mode collapse on the ring; Mao et al. (2017), Lim & Ye (2017), Gulrajani et al. (2017), Mescheder et
# al. (2018), Miyato et al. (2018), Karras et al. (2018) and Lin et al. (2018, PacGAN) for section 3's stabilisers.
