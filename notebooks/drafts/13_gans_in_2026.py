# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: slideshow,-all
#     formats: py:percent
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
# <!-- DRAFT of notebook 13 (issue #71), not released: its first sections, written against the measurements of
# benchmarks/RESULTS.md ("R3GAN's loss and penalty on the course's networks", 2026-11-28). To finish: the few-step
# student, KID at small N, where adversarial losses are in 2026, exercises with checkers, the deck, the Chinese
# edition; then move it to notebooks/13_gans_in_2026.py, pair it with its .ipynb and execute it. -->
#
# # 13 GANs in 2026: the modern recipe, a GAN loss that makes diffusion fast, and measuring at small N
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gans-in-jax/blob/main/notebooks/13_gans_in_2026.ipynb)
#
# Notebooks 02 to 12 follow GANs up to about 2018. Adversarial losses did not stop there: in 2026 they train the
# image tokenizers and autoencoders of diffusion models, vocoders, and the one-step samplers distilled from diffusion
# models. This notebook builds two of those ideas by hand and measures them on this CPU.
#
# **You will learn**
# - the **relativistic pairing** loss of R3GAN (Huang et al., 2024), built from notebook 02's objective;
# - what the penalties R1 and R2 do to the game, on the smallest GAN there is, the Dirac-GAN;
# - what the pairing and the penalties keep on notebook 07's ring, where the standard loss drops modes;
# - what the modern recipe costs and buys on MNIST, at equal CPU time;
# - (to come) how a GAN loss turns a diffusion model into a sampler of 1 to 4 steps;
# - (to come) KID, a distance whose estimate does not depend on the sample size.

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
import jax, jax.numpy as jnp, numpy as np, matplotlib.pyplot as plt
from gan_utils import losses
SEED = 0
key = jax.random.key(SEED)
course.style()
print(f"JAX {jax.__version__} on {jax.devices()}")

# %% [markdown]
# ## 1. Pair each real sample with a fake one
#
# Notebook 02's discriminator solves two separate questions: "is $x$ real?" and "is $G(z)$ real?". Its loss, from
# logits $l$, is
#
# $$L_D = \mathbb E_x\big[\mathrm{softplus}(-l(x))\big] + \mathbb E_z\big[\mathrm{softplus}(l(G(z)))\big].$$
#
# The **relativistic pairing** loss asks one question about each pair of a real sample and a fake one: "is the real
# one more real than the fake one?". It reads only the difference of the two logits:
#
# $$L_D^{\mathrm{Rp}} = \mathbb E_{x, z}\big[\mathrm{softplus}\big(l(G(z)) - l(x)\big)\big], \qquad
#   L_G^{\mathrm{Rp}} = \mathbb E_{x, z}\big[\mathrm{softplus}\big(l(x) - l(G(z))\big)\big].$$
#
# $G$'s loss is $D$'s with the roles swapped, so $G$ needs $D$'s logits on the real batch too.

# %%
def d_loss_paired(real_logits, fake_logits):
    return jnp.mean(jax.nn.softplus(fake_logits - real_logits))   # pair i: real i against fake i

def g_loss_paired(fake_logits, real_logits):
    return jnp.mean(jax.nn.softplus(real_logits - fake_logits))

key, k_r, k_f = jax.random.split(key, 3)
r, f = jax.random.normal(k_r, (64,)), jax.random.normal(k_f, (64,)) - 1.0
assert jnp.allclose(d_loss_paired(r, f), losses.discriminator_loss_relativistic(r, f), atol=1e-6)
assert jnp.allclose(g_loss_paired(f, r), losses.generator_loss_relativistic(f, r), atol=1e-6)
shift = 5.0   # add one number to every logit
print(f"D's paired loss {float(d_loss_paired(r, f)):.4f}; every logit + {shift:g}: "
      f"{float(d_loss_paired(r + shift, f + shift)):.4f}")
print(f"D's standard loss {float(losses.discriminator_loss(r, f)):.4f}; every logit + {shift:g}: "
      f"{float(losses.discriminator_loss(r + shift, f + shift)):.4f}")

# %% [markdown]
# Only differences count: adding one number to every logit leaves the paired loss as it was, and changes the
# standard one. So a relativistic $D$'s logit alone says nothing; the playground draws its map around the median.
#
# ## 2. The smallest GAN: the Dirac-GAN
#
# Mescheder et al. (2018) study a GAN of two numbers. The data is the single point $0$. $G$ puts all its mass on
# one point $\theta$. $D$'s logit is $l(x) = \psi x$. With one real point and one fake point, the pair's difference
# is $\psi\theta - \psi \cdot 0 = \psi\theta$: **the paired game and the standard game are the same game here.** The
# equilibrium is $(\theta, \psi) = (0, 0)$.
#
# R1 penalises $D$'s slope at the real data, R2 at the fakes: $\tfrac{\gamma}{2}\|\nabla_x l\|^2$. The slope of
# $\psi x$ is $\psi$ everywhere, so R1 and R2 are both $\tfrac{\gamma}{2}\psi^2$.

# %%
sig = lambda t: 1 / (1 + np.exp(-t))

def dirac_path(n_penalties, gamma=1.0, lr=0.1, steps=1000):
    """Alternating steps (D, then G on the updated D) from (theta, psi) = (1, 1); n_penalties of R1, R2 (0, 1 or 2)."""
    theta, psi, path = 1.0, 1.0, [(1.0, 1.0)]
    for _ in range(steps):
        psi -= lr * (sig(psi * theta) * theta + n_penalties * gamma * psi)   # D: d/dpsi of softplus(psi theta) + pen.
        theta -= lr * (-sig(-psi * theta) * psi)                             # G: d/dtheta of softplus(-psi theta)
        path.append((theta, psi))
    return np.array(path)

paths = {"no penalty": dirac_path(0), "R1 (or R2)": dirac_path(1), "R1 + R2": dirac_path(2)}
for name, p in paths.items():
    print(f"{name:12s} distance to (0, 0) after 100 / 1,000 steps: {np.hypot(*p[100]):.3g} / {np.hypot(*p[-1]):.3g}")
fig, ax = plt.subplots(figsize=(6, 5))
for name, p in paths.items():
    ax.plot(p[:, 0], p[:, 1], label=name)
ax.plot(0, 0, "k*", ms=12, label="equilibrium")
ax.set(xlabel=r"$\theta$ (where G puts its point)", ylabel=r"$\psi$ (D's slope)", title="The Dirac-GAN, 1,000 steps")
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# Without a penalty the path circles the equilibrium and creeps in slowly. Near $(0, 0)$ the game has eigenvalues
# $\pm 0.5i$: nothing pulls it in. With R1, with R2, or with both, it converges. So this game cannot show why R3GAN
# pairs its samples, nor why it uses both penalties. A game with many modes can.
#
# ## 3. What the pairing and the penalties keep on the ring
#
# Notebook 07's ring with its recipe and one change, $G$'s learning rate $\times 5$, drops modes. Here it is again
# with both losses and each penalty, 5 seeds each (precomputed: `python benchmarks/relativistic_toy.py`, about 35
# minutes on 2 cores).

# %%
import json
rows = [json.loads(line) for line in open(os.path.join(CLONE or ".", "benchmarks", "relativistic_toy.jsonl"))]
print(f"{'loss + penalty':28s} modes of 8 per seed   mean   high quality")
for r_ in rows:
    print(f"{r_['setting']:28s} {' '.join(str(m) for m in r_['modes']):20s} {np.mean(r_['modes']):4.1f}"
          f"   {100 * np.mean(r_['high_quality']):5.1f}%")

# %% [markdown]
# The pairing alone does not stop the drop. With the standard loss, R2 and R1 + R2 leave some seeds on no mode at
# all. With the pairing, every penalised run keeps 7 or 8 modes, and R1 + R2 keeps all 8 in every seed. The
# penalties cost high-quality samples at $\gamma = 10$.
#
# ## 4. The modern recipe on MNIST, at equal CPU time
#
# One step with R1 + R2 costs 2.8 times the course's step on this CPU (173.9 against 63.1 ms: the penalty needs $D$'s
# input gradient on both batches, and a backward pass through it). So at equal time R3GAN's recipe makes 2.8 times
# fewer steps: 1,300 against the course's 3,600, 5 seeds each, every score of notebook 06 on 10,000 samples
# (precomputed: benchmarks/RESULTS.md has the commands).

# %%
race = [json.loads(line) for line in open(os.path.join(CLONE or ".", "benchmarks", "r3gan_race.jsonl"))]
race = [r_ for r_ in race if r_["recipe"] == "course" or (r_["penalty_weight"] == 0.01 and r_["steps"] == 1300)]
print(f"{'recipe':8s} {'steps':>6s} {'FID':>24s} {'KID':>12s} {'precision':>10s} {'recall':>7s}")
for name in ("course", "r3gan"):
    rr = [r_ for r_ in race if r_["recipe"] == name]
    col = lambda k: np.array([r_[k] for r_ in rr])
    print(f"{name:8s} {rr[0]['steps']:6,} {' '.join(f'{v:.1f}' for v in col('fid')):>24s} "
          f"{col('kid').mean():6.2f} +- {col('kid').std(ddof=1):.2f} {col('precision').mean():10.2f} "
          f"{col('recall').mean():7.2f}")
