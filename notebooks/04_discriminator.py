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

# %% [markdown] slideshow={"deck": {"notes": "Start with the opening sentence: the generator never sees a real image. Everything it learns comes through the discriminator's gradient.\nSo today we ask what kind of teacher D is: how to compute its loss safely, and what it actually rewards. Section 4 trains for a while: we show it from the saved outputs (section 5's runs are in Appendix D).", "text": "# 04 The discriminator\n\nThe generator's only teacher: it never sees a real image, only $D$'s gradient.\n\n- the convolutional discriminator, and why it has no BatchNorm\n- the losses **from logits**, and where the naive forms break\n- $D$ trained alone: what its confidence does to $G$'s gradient\n- dropout and one-sided label smoothing\n- what $D$ looks at"}, "slide_type": "slide"}
# # 04 The discriminator
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gans-in-jax/blob/main/notebooks/04_discriminator.ipynb)
#
# The discriminator is the generator's only teacher. The generator never sees a real image, only the gradient of the
# discriminator's opinion. Symbols follow the course's [notation table](../docs/notation.md): $p$ is the data, $q$
# the model.
#
# **You will learn**
#
# - the course's **convolutional discriminator**, and why it has no BatchNorm;
# - the GAN losses **from logits**, and the logits where the naive forms return $+\infty$ or NaN;
# - to train $D$ **alone** against an easy and a hard fixed generator, and what its confidence does to the
#   generator's gradient under the **saturating** and **non-saturating** losses;
# - **what the discriminator looks at**: its input gradient as an image, and its verdict on 64 edited real digits.
#
# Section 5 names two ways to tame $D$, **dropout** and **one-sided label smoothing**; Appendix D measures them.

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
from flax import nnx
from gan_utils import checkpoint, data, exercises, losses, metrics, models, plots, widgets
from gan_utils.plots import REAL_COLOR, FAKE_COLOR, D_COLOR
SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
course.style()  # the course's figure style; GAN_COURSE_PROJECTOR=1: projector mode, for a hall
print(f"JAX {jax.__version__} on {jax.devices()}")

# %% [markdown] slideshow={"deck": {"notes": "This is the density-ratio trick of notebook 01 and the optimal discriminator of notebook 02, in one line.\nAsk the class: what does the optimal logit learn? The log density ratio, without ever evaluating p or q. The generator learns by following the gradient of this logit.", "text": "## 1. The discriminator is a classifier\n\nLogit $\\ell(x)$, probability $D(x) = \\sigma(\\ell(x))$ that $x$ is real. Binary cross-entropy:\n\n$$L_D = -\\,\\mathbb E_{x\\sim p}\\log D(x) \\;-\\; \\mathbb E_{z}\\log\\bigl(1 - D(G(z))\\bigr)$$\n\nFor a fixed $G$: $D^\\star = \\dfrac{p}{p+q}$, and its logit is $\\ell^\\star = \\log\\dfrac{p}{q}$."}, "slide_type": "slide"}
# ## 1. The discriminator is a classifier
#
# $D$ maps an image $x$ to a **logit** $\ell(x) \in \mathbb R$ and a probability $D(x) = \sigma(\ell(x))$ that $x$ is
# real. It is trained by binary cross-entropy, with label 1 for data $x \sim p$ and 0 for samples $G(z) \sim q$:
# $$L_D = -\,\mathbb E_{x\sim p}\log D(x) \;-\; \mathbb E_{z}\log\bigl(1 - D(G(z))\bigr).$$
# Notebook 01 (section 9) and notebook 02 (section 2) showed what this loss learns. Against a fixed generator its
# optimum is $D^\star = p/(p+q)$, and the optimal logit is the log density ratio $\ell^\star = \log p/q$. The
# generator learns by following the gradient of this logit.
#
# ## 2. The convolutional discriminator
#
# For 28x28 images, `gan_utils.models.DCGANDiscriminator` mirrors the generator of notebook 03. Two $4\times4$
# convolutions with **stride 2** halve the resolution ($28 \to 14 \to 7$) while the channels grow
# ($1 \to 64 \to 128$). One linear layer then gives the logit. Two choices come from DCGAN (Radford et al., 2016,
# section 3):
#
# - **strided convolutions** instead of pooling, so the network learns its own downsampling;
# - **LeakyReLU** $\max(x, 0.2x)$ instead of ReLU. Its slope is never zero, so no unit blocks the gradient that flows
#   back through $D$ to the *generator*.
#
# The table is computed from the model (`models.layer_table`, notebook 03); Appendix F checks its parameter counts.
# Its two Dropout rows are off by default (rate 0); section 5 explains them.

# %% slideshow={"deck": {"notes": "It mirrors the generator of notebook 03. Strided convolutions instead of pooling: the network learns its own downsampling. LeakyReLU has a slope that is never zero, so no unit blocks the gradient that flows back to the generator.\nThe table is computed from the model. The two Dropout rows are off by default; Appendix D uses them.", "output": true, "text": "## 2. The convolutional discriminator\n\nTwo $4\\times4$ convolutions with **stride 2** ($28 \\to 14 \\to 7$), **LeakyReLU** $\\max(x, 0.2x)$, a linear logit."}, "slide_type": "slide"}
# NBVAL_CHECK_OUTPUT
D = models.DCGANDiscriminator(rngs=nnx.Rngs(SEED))
rows = models.layer_table(D, jax.ShapeDtypeStruct((1, 28, 28, 1), jnp.float32))
print(models.format_layer_table(rows))

# %%
# Check: one finite logit per image (Appendix F checks the table's parameter counts).
x_real_u8, y_real = data.load_mnist("train", n=20000)
x_real = data.to_unit_range(x_real_u8)
logits = D(jnp.asarray(x_real[:8]))
assert logits.shape == (8,) and bool(jnp.all(jnp.isfinite(logits)))
print("untrained D(x) on 8 real digits:", [round(float(v), 2) for v in jax.nn.sigmoid(logits)])

# %% [markdown]
# **No BatchNorm.** DCGAN's discriminator had BatchNorm in every layer but the first; the course's has none. In
# training mode, BatchNorm makes each logit depend on the *other* images in the batch (notebook 03, section 4). A GAN
# feeds $D$ batches that are all real or all fake (`d_step` below calls `D(real)` and `D(fake)` separately). So $D$
# could judge the batch rather than the image. We add one BatchNorm (training mode) after the second convolution,
# where DCGAN had its first. We score one real digit among 31 other real digits and among 31 untrained fakes.

# %% slideshow={"deck": {"big": {"find": "moves by ([\\d.]+) with the rest of its batch", "say": "change of one digit's logit with the rest of its batch, with a BatchNorm in $D$ (without: 0)"}, "notes": "Misconception: \"BatchNorm in the discriminator is harmless\". One real digit, scored among 31 real digits and among 31 fakes: with BatchNorm its logit goes from -0.856 to +0.496, a change of 1.352. Without it, nothing moves.\nD sees batches that are all real or all fake, so with BatchNorm it could judge the batch, not the image. Concept question 5 of notebook 03.", "text": "### No BatchNorm: the same digit, among real digits or among fakes"}, "slide_type": "slide"}
G_untrained = models.DCGANGenerator(rngs=nnx.Rngs(SEED))     # the untrained generator of notebook 03
bn = nnx.BatchNorm(D.conv2.out_features, rngs=nnx.Rngs(SEED))   # a throwaway layer, for this measurement only
def d_with_batchnorm(x):
    h = nnx.leaky_relu(D.conv1(x), 0.2)
    h = nnx.leaky_relu(bn(D.conv2(h)), 0.2)                  # batch statistics: training mode
    return D.fc(h.reshape(h.shape[0], -1))[:, 0]
digit = jnp.asarray(x_real[:1])
batch_real = jnp.concatenate([digit, jnp.asarray(x_real[1:32])])
batch_fake = jnp.concatenate([digit, models.sample(G_untrained, jax.random.key(SEED), 31)])
shift = {}
for name, f in (("course D, no BatchNorm", D), ("with BatchNorm", d_with_batchnorm)):
    l_real, l_fake = float(f(batch_real)[0]), float(f(batch_fake)[0])
    shift[name] = abs(l_real - l_fake)
    print(f"{name:<24} logit of the same digit: among real digits {l_real:+.3f}, among fakes {l_fake:+.3f}")
assert shift["course D, no BatchNorm"] < 1e-5 and shift["with BatchNorm"] > 1e-2, shift
print(f"With BatchNorm the verdict on one image moves by {shift['with BatchNorm']:.3f} with the rest of its batch;\n"
      f"without, by {shift['course D, no BatchNorm']:.0e}.")

# %% [markdown] slideshow={"deck": {"notes": "Same value in exact arithmetic, different in float32. The notebook scores twelve logits with both forms, then scans a fine grid for the break points.\nConcept question 1, ask before the number: in float32, which logits break the naive fake loss, and on which images, right or wrong verdicts?", "text": "## 3. The losses from logits, as code\n\n$$-\\log\\sigma(\\ell) = \\operatorname{softplus}(-\\ell), \\qquad -\\log(1-\\sigma(\\ell)) = \\operatorname{softplus}(\\ell)$$\n\n```python\nnaive_fake  = lambda l: -jnp.log(1 - jax.nn.sigmoid(l))   # -log(1 - D(G(z)))\nstable_fake = lambda l: jax.nn.softplus(l)\n```"}, "slide_type": "slide"}
# ## 3. The losses from logits, as code
#
# The loss needs $\log\sigma(\ell)$ and $\log(1-\sigma(\ell))$. Notebook 01 (section 9) showed that computed
# literally in float32 they can return $-\infty$, and derived the stable forms
# $$-\log\sigma(\ell) = \operatorname{softplus}(-\ell), \qquad -\log(1-\sigma(\ell)) = \operatorname{softplus}(\ell).$$
# Their derivatives, $\sigma(\ell) - 1$ and $\sigma(\ell)$, are accurate too. The cell scores twelve logits with the
# naive forms and with `jax.nn.softplus`, then scans a fine grid for the break points. The column "log(1+e^-l) naive"
# shows that softplus written out literally breaks too: $e^{-\ell}$ overflows. A stable form, for exercise 1, is
# $\operatorname{softplus}(u) = \max(u, 0) + \mathrm{log1p}(e^{-|u|})$: $e$ to a power $\le 0$ never overflows. The second
# table differentiates the real image's loss, $-\log\sigma(\ell)$. Every cross-entropy loss in `gan_utils.losses` uses these forms; Appendix E checks two of them.

# %% slideshow={"deck": {"big": {"find": "for l >= ([\\d.]+)", "say": "the naive $-\\log(1-\\sigma(\\ell))$ gives $+\\infty$ and a NaN gradient for a fake with $\\ell \\ge$ this (a real image: $\\ell \\le -87.34$)"}}, "slide_type": "fragment"}
ells = jnp.array([-1000.0, -120.0, -88.0, -87.0, -50.0, -20.0, 0.0, 16.0, 17.0, 20.0, 50.0, 1000.0], jnp.float32)
naive_real = lambda l: -jnp.log(jax.nn.sigmoid(l))            # -log D(x)
naive_fake = lambda l: -jnp.log(1 - jax.nn.sigmoid(l))        # -log(1 - D(G(z)))
naive_softplus = lambda l: jnp.log(1 + jnp.exp(-l))           # log(1 + e^-l) written out: overflows instead
stable_real = lambda l: jax.nn.softplus(-l)
stable_fake = lambda l: jax.nn.softplus(l)
grad = lambda f: jax.vmap(jax.grad(f))(ells)
cols = {"-log sig(l) naive": naive_real(ells), "log(1+e^-l) naive": naive_softplus(ells), "softplus(-l)": stable_real(ells),
        "-log(1-sig) naive": naive_fake(ells), "softplus(l)": stable_fake(ells),
        "d/dl -log sig(l)": grad(naive_real), "d/dl softplus(-l)": grad(stable_real)}
for table in (list(cols)[:5], list(cols)[5:]):      # the losses, then their derivatives: narrow enough to project
    print(f"{'logit l':>8}" + "".join(f"{c:>18}" for c in table))
    for i, l in enumerate(np.asarray(ells)):
        print(f"{l:>8.0f}" + "".join(f"{float(cols[c][i]) + 0.0:>18.6g}" for c in table))   # + 0.0 prints -0 as 0
    print()

# Where exactly do the naive forms break on this backend? Scan the logits in steps of 0.01.
grid = jnp.arange(-100.0, 30.0, 0.01, dtype=jnp.float32)
sig = jax.nn.sigmoid(grid)
breaks = {"-log sigma(l) = inf (sigma(l) == 0)": float(grid[sig == 0].max()),
          "  its d/dl = NaN": float(grid[jnp.isnan(jax.vmap(jax.grad(naive_real))(grid))].max()),
          "-log(1 - sigma(l)) = inf (1 - sigma(l) == 0)": float(grid[(1 - sig) == 0].min()),
          "  its d/dl = NaN ": float(grid[jnp.isnan(jax.vmap(jax.grad(naive_fake))(grid))].min())}
print(f"on {jax.default_backend().upper()}, the naive forms break at:")
for k, v in breaks.items():
    print(f"  {k:<44} {'for l <=' if v < 0 else 'for l >='} {v:.2f}")

# %%
# Check: the stable forms are finite everywhere; the naive ones fail where stated (gan_utils.losses: Appendix E).
assert bool(jnp.all(jnp.isfinite(stable_real(ells)))) and bool(jnp.all(jnp.isfinite(stable_fake(ells))))
assert bool(jnp.all(jnp.isfinite(grad(stable_real))))
assert float(naive_real(jnp.float32(-1000))) == np.inf and float(naive_fake(jnp.float32(20))) == np.inf
assert np.isnan(float(jax.grad(naive_real)(jnp.float32(-1000))))
lo, hi = breaks["-log sigma(l) = inf (sigma(l) == 0)"], breaks["-log(1 - sigma(l)) = inf (1 - sigma(l) == 0)"]
assert -105 < lo < -80 and 15 < hi < 18, breaks

# %% [markdown] slideshow={"deck": {"notes": "First close section 3. Misconception: \"log(sigmoid(l)) is fine in practice\". The naive forms break only on confident mistakes: a fake at 16.64 or above, a real at -87.34 or below. One such image makes the batch loss infinite, and its NaN spoils every weight. So every loss in gan_utils takes logits.\nNow section 4: D trains alone with Adam, learning rate 2e-4, beta1 0.5, on batches of 32 real and 32 fake images. We measure the generator's gradient norm under both losses as D gets better.", "text": "## 4. $D$ alone against a fixed generator\n\n- the **untrained** $G$ of notebook 03: easy fakes\n- the **pretrained** plain DCGAN: fakes that look like digits\n\nGradient of $G$'s loss through the logit: **saturating** $-D(G(z))$, **non-saturating** $-(1 - D(G(z)))$."}, "slide_type": "slide"}
# Read the table by the image each loss is used on: $-\log\sigma(\ell)$ for a *real* image, $-\log(1-\sigma(\ell))$
# for a *fake*. Where $D$ is right, however confident, the naive forms give 0 or the right value. They fail only on
# confident **mistakes**. A fake scored $\ell \ge 16.64$, or a real scored $\ell \le -87.34$, gives $+\infty$ and a
# NaN gradient. One such image makes the batch's mean loss $+\infty$, and its NaN spoils every weight's update.
# So the course computes every loss from logits. Appendix A explains both break points by float32's number format.
#
# ## 4. The discriminator alone against a fixed generator
#
# Fix a generator and train only $D$. If $p$ and $q$ do not overlap, the optimum $D^\star$ is a perfect classifier.
# Arjovsky and Bottou (2017) argue that this is typical for images: real and generated images fill thin,
# low-dimensional sets of pixel space, which rarely overlap. How fast a network gets there depends on the fakes. We
# use two fixed generators:
#
# - the **untrained** generator of notebook 03, whose fakes are easy to spot;
# - the shipped **pretrained** plain DCGAN, whose fakes look like digits. It was trained with notebook 05's recipe,
#   against a discriminator like ours with half as many channels.
#
# $D$ trains with Adam ($2\cdot10^{-4}$, $\beta_1 = 0.5$) on batches of 32 real and 32 fake images. Every few steps
# we measure its accuracy on 256 *held-out* real digits and 256 fresh fakes. The code uses Flax NNX's own versions of
# `jax.jit` and `jax.grad` (`nnx.jit`, `nnx.grad`), which work on a module. An NNX module is a mutable object:
# `opt.update(D, grads)` changes `D`'s weights in place; `d_step` ignores what it returns.
#
# What does a confident $D$ do to the generator's signal? Through the logit, the generator's loss $L_G$ has the
# gradient $-D(G(z))$ if it is **saturating** and $-(1-D(G(z)))$ if it is **non-saturating** (notebook 02, section 4).
# As $D(G(z)) \to 0$, the first vanishes and the second tends to $-1$. While $D$ trains, we measure the norm
# $\|\nabla_\theta L_G\|$ over the generator's weights $\theta$, for both losses. In the figure's right panel, grey
# is the saturating loss and orange the non-saturating one; dashed lines are the pretrained generator.

# %% slideshow={"deck": {"big": {"find": "vs untrained G\\s*: held-out accuracy [\\d.]+ -> ([\\d.]+)", "say": "held-out accuracy after 200 steps against the untrained $G$ (0.64 at the start); against the pretrained $G$ it stays near chance"}, "notes": "Concept question 2, ask now: D is perfect against the untrained generator. Predict the saturating and the non-saturating gradient norms.\nConcept question 3: does a discriminator trained for 200 steps always beat a fixed generator? No: against the pretrained G it stayed near chance, between 0.486 and 0.580 at every probe.", "text": "### Against the untrained $G$, $D$ becomes perfect"}, "slide_type": "slide"}
x_test_u8, y_test = data.load_mnist("test", n=256)
x_test = data.to_unit_range(x_test_u8)
pretrained = checkpoint.load_pretrained(kind="dcgan")   # the plain DCGAN: its D is the one built here, half as wide
D_STEPS = 60 if TESTING else 200
EVAL_EVERY = 10
BATCH = 32

@partial(nnx.jit, static_argnames=("label_smoothing",))
def d_step(D, opt, G, real, key, label_smoothing=0.0):
    fake = jax.lax.stop_gradient(G(jax.random.normal(key, (real.shape[0], G.latent_dim))))
    def loss_fn(D):
        return losses.discriminator_loss(D(real), D(fake), label_smoothing=label_smoothing)
    loss, grads = nnx.value_and_grad(loss_fn)(D)
    opt.update(D, grads)
    return loss

@nnx.jit
def probe(D, G, real, key):
    # D's accuracy and outputs on held-out data, and the generator's gradient norm under both losses.
    z = jax.random.normal(key, (real.shape[0], G.latent_dim))
    r_logits, f_logits = D(real), D(G(z))
    acc = 0.5 * (jnp.mean(r_logits > 0) + jnp.mean(f_logits < 0))
    def norm(loss_fn):
        grads = nnx.grad(lambda G: loss_fn(D(G(z))))(G)
        return optax.global_norm(nnx.state(grads, nnx.Param))
    return dict(accuracy=acc, d_real=jnp.mean(jax.nn.sigmoid(r_logits)), d_fake=jnp.mean(jax.nn.sigmoid(f_logits)),
                fake_logit=jnp.mean(f_logits), max_real_logit=jnp.max(r_logits),
                max_fake_logit=jnp.max(f_logits), min_real_logit=jnp.min(r_logits),
                grad_saturating=norm(losses.generator_loss_saturating),
                grad_non_saturating=norm(losses.generator_loss_non_saturating))

def train_d_alone(G, key, steps=D_STEPS, dropout=0.0, label_smoothing=0.0):
    G = nnx.clone(G); G.eval()      # a fixed generator; eval mode: BatchNorm uses its running statistics
    key, k_init, k_data = jax.random.split(key, 3)
    D = models.DCGANDiscriminator(dropout=dropout, rngs=nnx.Rngs(params=k_init, dropout=k_init))
    opt = nnx.Optimizer(D, optax.adam(2e-4, b1=0.5), wrt=nnx.Param)
    batches = data.BatchSampler(x_real, BATCH, k_data)
    log = {}
    for s in range(steps + 1):
        if s % EVAL_EVERY == 0:
            D.eval()                 # measure without dropout
            m = probe(D, G, jnp.asarray(x_test), jax.random.fold_in(key, 10**6 + s))
            D.train()
            log.setdefault("step", []).append(s)
            for k, v in m.items():
                log.setdefault(k, []).append(float(v))
        if s < steps:
            d_step(D, opt, G, jnp.asarray(batches.batch(s)), jax.random.fold_in(key, s), label_smoothing=label_smoothing)
    D.eval()
    return D, {k: np.array(v) for k, v in log.items()}

t0 = time.perf_counter()
key, k1, k2 = jax.random.split(key, 3)
D_vs_untrained, log_u = train_d_alone(G_untrained, k1)
D_vs_pretrained, log_p = train_d_alone(pretrained.generator, k2)
print(f"{2 * D_STEPS} discriminator steps in {time.perf_counter() - t0:.0f} s")
for name, log in (("untrained G", log_u), ("pretrained G", log_p)):
    print(f"vs {name:<13}: held-out accuracy {log['accuracy'][0]:.2f} -> {log['accuracy'][-1]:.3f}, "
          f"D(G(z)) {log['d_fake'][0]:.2f} -> {log['d_fake'][-1]:.4f}, mean fake logit {log['fake_logit'][-1]:.1f};\n"
          f"{'':18}|grad| saturating {log['grad_saturating'][0]:.2e} -> {log['grad_saturating'][-1]:.2e}, "
          f"non-saturating {log['grad_non_saturating'][0]:.2e} -> {log['grad_non_saturating'][-1]:.2e}")
print(f"vs pretrained G, held-out accuracy over all {len(log_p['step'])} probes: "
      f"between {log_p['accuracy'].min():.3f} and {log_p['accuracy'].max():.3f}")

# %% slideshow={"deck": {"figure": true, "notes": "Misconception: \"a stronger D always teaches G more\". Against the untrained G, the saturating gradient norm falls from 1.44e+00 to 3.03e-02, while the non-saturating one rises from 1.41e+00 to 8.46e+01. Read the right panel: grey solid line down, orange solid line up.\nDashed lines, the pretrained G: D stays near chance, and both gradients grew. No gradient vanished while the fakes were this close to the data.", "text": "### A confident $D$: the saturating gradient vanishes"}, "slide_type": "slide"}
fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
for log, ls, name in ((log_u, "-", "vs untrained G"), (log_p, "--", "vs pretrained G")):
    axes[0].plot(log["step"], log["accuracy"], color=D_COLOR, ls=ls, label=name)
    axes[1].plot(log["step"], log["d_real"], color=REAL_COLOR, ls=ls, label=f"D(x), {name}")
    axes[1].plot(log["step"], log["d_fake"], color=FAKE_COLOR, ls=ls, label=f"D(G(z)), {name}")
    axes[2].semilogy(log["step"], log["grad_saturating"], color="0.55", ls=ls, label=f"saturating, {name}")
    axes[2].semilogy(log["step"], log["grad_non_saturating"], color=FAKE_COLOR, ls=ls, label=f"non-saturating, {name}")
axes[0].set(xlabel="discriminator steps", ylabel="held-out accuracy", ylim=(0.4, 1.02),
            title=f"Held-out accuracy: {log_u['accuracy'][-1]:.2f} vs untrained G, {log_p['accuracy'][-1]:.2f} vs pretrained G")
axes[0].axhline(1.0, color="gray", lw=0.8, ls=":")
axes[1].set(xlabel="discriminator steps", ylabel="mean D output", title="Mean D(x) and D(G(z))", ylim=(0, 1))
axes[2].set(xlabel="discriminator steps", ylabel="generator gradient norm", title="Generator gradient norm, both losses")
for ax in axes:
    ax.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
plt.tight_layout(); plt.show()

# %% slideshow={"deck": {"big": {"find": "gradient norm [\\d.]+ at the start, ([\\d.e+-]+) at the end", "say": "ratio of the saturating to the non-saturating gradient norm at the end; $D/(1-D)$ of the mean $D(G(z))$: 3.7e-04"}, "notes": "Each gradient is a per-fake weight, D or 1 - D, times the same gradient of the logit through G. That common factor cancels in the ratio.\nAt the start both ratios are 1.03; at the end 3.6e-04 against 3.7e-04. The theory of notebook 02 predicts the measurement.", "text": "### The ratio of the two gradients is $D/(1-D)$"}, "slide_type": "slide"}
# Check: D beats the untrained generator, and the ratio of the two gradient norms follows D/(1 - D) of the mean
# D(G(z)); against the pretrained generator D stays far from perfect and the saturating gradient does not collapse.
ratio_start = log_u["grad_saturating"][0] / log_u["grad_non_saturating"][0]
ratio_end = log_u["grad_saturating"][-1] / log_u["grad_non_saturating"][-1]
odds = lambda d: d / (1 - d)
print(f"vs untrained G: saturating / non-saturating gradient norm {ratio_start:.2f} at the start, {ratio_end:.1e} at the end;\n"
      f"{'':16}D/(1 - D) of the mean D(G(z)): {odds(log_u['d_fake'][0]):.2f} and {odds(log_u['d_fake'][-1]):.1e}")
assert log_u["accuracy"][-1] > 0.95
assert ratio_end < 0.05 and ratio_end < ratio_start / 5
assert 0.5 < ratio_end / odds(log_u["d_fake"][-1]) < 2 and 0.5 < ratio_start / odds(log_u["d_fake"][0]) < 2
print(f"vs pretrained G, last / first gradient norm: saturating {log_p['grad_saturating'][-1] / log_p['grad_saturating'][0]:.1f}x, "
      f"non-saturating {log_p['grad_non_saturating'][-1] / log_p['grad_non_saturating'][0]:.1f}x")
assert log_p["accuracy"][-1] < 0.75 and log_p["grad_saturating"][-1] > 0.5 * log_p["grad_saturating"][0]
if not TESTING:                 # the full run: both gradients grew (the text says so)
    assert log_p["grad_saturating"][-1] > log_p["grad_saturating"][0]
    assert log_p["grad_non_saturating"][-1] > log_p["grad_non_saturating"][0]
key, k_u, k_p = jax.random.split(key, 3)   # keys for Appendix B's per-sample view, drawn here

# %% [markdown] slideshow={"deck": {"notes": "Discussion question 2: Adam undoes a constant gradient scale, but not a falling one. Why? Its denominator averages squared gradients over about a thousand steps (decay 0.999), so after a fall the steps stay small.\nConcept question 4. Appendix B: at the end of the run, the worst quarter of fakes gets 9.4% of the saturating weight, against an even 25.0% under the non-saturating loss.\nBecause G's gradient changes as D improves, the two networks train in alternation: notebook 05.", "text": "### Why the non-saturating loss, if Adam rescales?\n\nAdam undoes a **constant** gradient scale. It does not undo:\n\n- a gradient that **falls**: its average of squared gradients lags behind\n- the **per-sample weights**: the saturating loss gives the worst fakes the **least** weight\n\nSo: non-saturating loss, and $D$ and $G$ trained **in alternation**."}, "slide_type": "slide"}
# Against the untrained generator, $D$ becomes perfect: held-out accuracy 0.64 at the start, 1.000 at the end. The
# mean $D(G(z))$ falls from 0.51 to 0.0004. The saturating gradient norm falls with it, from 1.44 to 0.030. The
# non-saturating one *grows*, from 1.41 to 84.6. Each gradient is a weight per fake ($D$ for the saturating loss,
# $1-D$ for the non-saturating one) times the gradient of $D$'s logit through $G$. That second factor is the same for
# both losses, and it grows as $D$ sharpens. So the non-saturating norm rises 60-fold although its weight $1-D$ only
# doubles. The saturating norm rises briefly at first, while this factor grows faster than its weight $D$ falls. In
# the ratio of the two norms the second factor cancels. The ratio tracks $D/(1-D)$ of the mean $D(G(z))$: 1.03 against
# 1.03 at the start, 3.6e-04 against 3.7e-04 at the end.
#
# Against the pretrained generator, $D$ stays near chance at every probe, and both generator gradients *grew*. So a
# discriminator does not always "win" in a given number of steps. No gradient vanished while the fakes were this
# close to the data.
#
# **Why the non-saturating loss?** Adam divides each weight's step by the size of its recent gradients. So a gradient
# that is *constantly* a hundred times smaller gives nearly the same steps. Adam does not undo two things:
#
# - a gradient that *falls*, as the saturating one did above. Adam averages squared gradients over about a thousand
#   steps (decay 0.999), so after a fall its steps stay small until that average catches up.
# - the **per-sample weights**. The saturating loss counts fake $i$ with the weight $D(G(z_i))$, so the worst fakes
#   count **least** (notebook 02, section 4). The non-saturating loss counts them with $1 - D(G(z_i))$, the most.
#
# Appendix B measures both. So the course's GANs use the non-saturating loss by default (Goodfellow et al., 2014, section 3; notebook 07 tries others). As
# $D$ improves, the generator's gradient changes, so the two networks train in alternation (notebook 02, section 6);
# notebook 05 does it on images.

# %% [markdown]
# ## 5. Taming the discriminator: dropout and one-sided label smoothing
#
# Two common ways to make $D$ less confident are **dropout**, which zeroes random features during training, and
# **one-sided label smoothing**, which uses the target $1-\alpha$ for real images and keeps 0 for fakes. Smoothing
# moves the optimum to $D^\star_\alpha = (1-\alpha)\,p/(p+q) \le 1-\alpha$, so its logit is at most
# $\log\frac{1-\alpha}{\alpha}$. Appendix D derives this and trains both against the untrained generator:
# smoothing capped $D$'s confidence, dropout did not.

# %% [markdown] slideshow={"deck": {"notes": "Non-saturating loss, chain rule: a per-fake weight, the Jacobian of G, and the input gradient of D. The last factor is the picture on the next slide.\nWe use the discriminator shipped with the plain DCGAN. It still tells real digits from the shipped generator's samples: held-out accuracy 0.766, mean D(x) 0.590 against D(G(z)) 0.209.", "text": "## 6. What the discriminator looks at\n\nThe input gradient $\\nabla_x \\ell(x)$ is an image: which pixels, made brighter, look more real.\n\nPulled back through $G$, it is what the generator learns from:\n\n$$\\nabla_\\theta L_G = -\\frac1B\\sum_{i=1}^B \\bigl(1 - D(G(z_i))\\bigr)\\Bigl(\\frac{\\partial G(z_i)}{\\partial\\theta}\\Bigr)^{\\!\\top} \\nabla_x \\ell(G(z_i))$$"}, "slide_type": "slide"}
# ## 6. What the discriminator looks at
#
# The gradient of the logit with respect to the input, $\nabla_x \ell(x)$, is an image. It says which pixels, made
# brighter, would make $D$ more sure that $x$ is real (blue) or fake (orange). Weighted and pulled back through $G$,
# it is the signal the generator receives. For the non-saturating loss on a batch of $B$ fakes, the chain rule gives
# $$\nabla_\theta L_G = -\frac1B\sum_{i=1}^B \bigl(1 - D(G(z_i))\bigr)\,
# \Bigl(\frac{\partial G(z_i)}{\partial\theta}\Bigr)^{\!\top} \nabla_x \ell(G(z_i)).$$
# The transposed Jacobian $(\partial G/\partial\theta)^\top$ is the chain rule's last step: it turns a gradient over
# pixels into one over $G$'s weights.
#
# We use the discriminator shipped with the plain DCGAN (`pretrained.discriminator`). At each step it trained against
# the generator's current weights. The shipped generator is instead a running average of those weights over training
# (EMA, decay 0.999, notebook 03), so $D$ never saw exactly its samples. The cell first checks that $D$ still tells
# them from real digits, then draws the input gradients. Each map has its own colour scale: look at *where* the
# colour is, on the strokes or on the background. The fine grid pattern comes from the stride-2 convolutions.

# %% slideshow={"deck": {"figure": true, "notes": "Rows 1 and 3: six real digits and six samples, with D's verdict. Rows 2 and 4: the gradient of the logit with respect to each pixel.\nPoint at the orange and blue speckle outside the digits. Concept question 8, ask before the next slide: is the gradient on the strokes, or everywhere?", "text": "### Input gradients: blue = brighter looks more real"}, "slide_type": "slide"}
D_pre = pretrained.discriminator
D_pre.eval()
key, sub = jax.random.split(key)
fakes_256 = models.sample(pretrained.generator, sub, 256)
r_logits, f_logits = D_pre(jnp.asarray(x_test)), D_pre(fakes_256)
pre_acc = float(0.5 * (jnp.mean(r_logits > 0) + jnp.mean(f_logits < 0)))
print(f"pretrained D on 256 held-out real digits and 256 samples of the shipped generator:\n"
      f"accuracy {pre_acc:.3f}, "
      f"mean D(x) {float(jnp.mean(jax.nn.sigmoid(r_logits))):.3f}, mean D(G(z)) {float(jnp.mean(jax.nn.sigmoid(f_logits))):.3f}")
key, sub = jax.random.split(key)
fakes = np.asarray(models.sample(pretrained.generator, sub, 6))
images = np.concatenate([x_test[:6], fakes])
input_grad = jax.vmap(jax.grad(lambda x: D_pre(x[None])[0]))(jnp.asarray(images))
d_out = np.asarray(jax.nn.sigmoid(D_pre(jnp.asarray(images))))
assert input_grad.shape == images.shape and bool(jnp.all(jnp.isfinite(input_grad)))
fig, axes = plt.subplots(4, 6, figsize=(9, 6.6))
for i in range(12):
    r, c = 2 * (i // 6), i % 6                  # real digits in rows 0-1, fakes in rows 2-3
    axes[r, c].imshow(images[i, ..., 0], cmap="gray", vmin=-1, vmax=1)
    axes[r, c].set_title(f"{'real' if i < 6 else 'fake'}, D={d_out[i]:.2f}", fontsize=11,
                         color=REAL_COLOR if i < 6 else FAKE_COLOR)
    g = np.asarray(input_grad[i, ..., 0])
    lim = np.percentile(np.abs(g), 99)          # the top 1% saturate, so the rest is not washed out
    axes[r + 1, c].imshow(g, cmap=plots.D_CMAP, vmin=-lim, vmax=lim)
for ax in axes.ravel():
    ax.set_xticks([]); ax.set_yticks([])
for r in (0, 2):
    axes[r, 0].set_ylabel("image", fontsize=11); axes[r + 1, 0].set_ylabel("d logit / dx", fontsize=11)
fig.suptitle("Input gradients of the pretrained discriminator: blue = brighter here looks more real, orange = more fake", y=1.04)
plt.show()

# %% slideshow={"deck": {"big": {"find": "carries (\\d+%) of the total", "say": "of the input gradient's total lies on the background, 82% of the pixels"}, "notes": "Answer to concept question 8: everywhere. Per pixel the gradient is larger on the strokes, 0.301 against 0.129, 2.3x. But the background is most of the image, so it carries most of the total.\nSo the generator is corrected on every pixel at every step of notebook 05, not only on its strokes. One draw of 12 images.", "text": "### $D$ looks at every pixel, background included"}, "slide_type": "slide"}
# Where is the gradient? Stroke pixels (brighter than -0.9) against background pixels, over the 12 images.
mag = np.abs(np.asarray(input_grad))
stroke = images > -0.9
stroke_mean, background_mean = mag[stroke].mean(), mag[~stroke].mean()
background_share = mag[~stroke].sum() / mag.sum()
print(f"mean |d logit / dx|: stroke pixels {stroke_mean:.3f}, background pixels {background_mean:.3f} "
      f"({stroke_mean / background_mean:.1f}x);\nthe background ({(~stroke).mean():.0%} of the pixels) "
      f"carries {background_share:.0%} of the total")
assert stroke_mean > background_mean and background_share > 0.5, (stroke_mean, background_mean, background_share)

# %% [markdown]
# The pretrained discriminator is far from chance against the shipped generator: held-out accuracy 0.766, mean
# $D(x)$ 0.590 against $D(G(z))$ 0.209. It trained for a whole GAN run, far longer than section 4's discriminators.
# It still misjudges some digits, such as the real 0 above. Its gradients carry a signal, and they cover the whole
# image. Per pixel they are larger on the strokes (0.301 against 0.129, 2.3x). But the background is 82% of the
# pixels and carries 67% of the total (12 images, one draw). So the generator is corrected on every pixel at every
# step of notebook 05.
#
# ### Move the input yourself
#
# The control below (`gan_utils.widgets.discriminator_verdict`) changes one held-out real digit. It can blend it
# toward a generated digit, blur it, erase a square at its centre, shift it, or add noise. For every change it redraws
# the logit, $D(x)$ and the input gradient, and plots the logit along the edit. Predict each curve first: which edit
# should a discriminator of *digits* punish most?

# %% slideshow={"deck": {"figure": true, "notes": "Live: the widget blends a held-out digit toward a fake, blurs it, erases a square, shifts it or adds noise, and redraws the logit and the input gradient. This picture is the widget as saved: a slight blur already turns the verdict to fake.\nConcept question 7, ask before moving the slider: which edit should sink a discriminator of digits more, erasing a 20x20 square or a 0.75-pixel blur?", "text": "### Edit a real digit, watch the verdict (live in the notebook)"}, "slide_type": "slide"}
key, sub = jax.random.split(key)
fakes_64 = np.asarray(models.sample(pretrained.generator, sub, 64))      # the blend's targets: digit i -> fake i
widgets.discriminator_verdict(D_pre, x_test[:64], fakes_64, index=0, edit="blur", amount=0.25)

# %% [markdown]
# What one digit shows, 64 digits measure. For each edit of the control (`widgets.edit_digit`) at four amounts, the
# table gives the mean logit and the share judged real ($\ell > 0$). At amount 1, blur is a Gaussian of standard
# deviation 3 pixels, erase a centred square of side 20, shift 10 pixels, and noise of standard deviation 1.

# %% slideshow={"deck": {"big": {"find": "moves the mean logit from \\+[\\d.]+ to (-[\\d.]+)", "say": "mean logit after a 0.75-pixel blur (unchanged: +0.58; a 20x20 square erased, 3% of the ink left: -0.30)"}, "notes": "Misconception: \"D checks that an image is a digit\". Erasing a 20x20 square leaves 3% of the ink, yet the mean logit only falls from +0.58 to -0.30. A blur of 0.75 pixel drops it to -7.61, though the digit classifier of notebook 06 still reads 98% of the blurred digits right.\nBlur and noise change the local statistics; removing the shape costs far less.", "text": "### 64 edited digits: a slight blur costs more than erasing the digit"}, "slide_type": "slide"}
amounts = (0.0, 0.25, 0.5, 1.0)
edit_table, edited_sets = {}, {}
for edit in widgets.EDITS:
    for a in amounts:
        edited = edited_sets[edit, a] = np.stack([widgets.edit_digit(x_test[i], edit, a, fakes_64[i]) for i in range(64)])
        l = np.asarray(D_pre(jnp.asarray(edited)))
        edit_table[edit, a] = (float(l.mean()), float((l > 0).mean()))
print(f"{'edit':20s}" + "".join(f"{'amount ' + str(a):>19s}" for a in amounts))
for edit in widgets.EDITS:
    print(f"{edit:20s}" + "".join(f"{edit_table[edit, a][0]:>+7.2f} ({edit_table[edit, a][1]:4.0%} real)" for a in amounts))
unchanged = edit_table["blur", 0.0][0]
slight_blur, most_erased = edit_table["blur", 0.25][0], edit_table["erase", 1.0][0]
blend_mid, blend_ends = edit_table["blend toward a fake", 0.5][0], (unchanged, edit_table["blend toward a fake", 1.0][0])
blur_px, erase_side = 3 * 0.25, round(20 * 1.0)      # widgets.edit_digit: blur 3 x amount pixels, a square 20 x amount
ink = lambda x: np.sum(np.asarray(x) + 1)            # the digit's ink: brightness above the background's -1
ink_left = ink(edited_sets["erase", 1.0]) / ink(x_test[:64])
print(f"a blur of {blur_px:.2f} px moves the mean logit from {unchanged:+.2f} to {slight_blur:+.2f} "
      f"({edit_table['blur', 0.25][1]:.0%} judged real);\nerasing a {erase_side}x{erase_side} square (the images keep "
      f"{ink_left:.0%} of their ink) only to {most_erased:+.2f}\n({edit_table['erase', 1.0][1]:.0%} of them still "
      f"judged real),\nwhich is above the half-erased digits ({edit_table['erase', 0.5][0]:+.2f}) and the generated "
      f"ones ({edit_table['blend toward a fake', 1.0][0]:+.2f})")
print(f"halfway between a real digit and a generated one the mean logit is {blend_mid:+.2f},\nbelow both ends "
      f"({blend_ends[0]:+.2f} real, {blend_ends[1]:+.2f} generated)")
assert slight_blur < most_erased - 2, (slight_blur, most_erased)
assert blend_mid < min(blend_ends) - 2, (blend_mid, blend_ends)
# blur and noise (at half their range) punished more than any erasure
assert max(edit_table["blur", 0.5][0], edit_table["noise", 0.5][0]) < min(edit_table["erase", a][0] for a in amounts) - 5

# %% [markdown] slideshow={"deck": {"notes": "The blend halfway between a real digit and a generated one scores -14.43: below the real end, +0.58, and the generated end, -1.86. Two half-bright strokes look worse than either.\nDiscussion question 1: D rewards sharp strokes more than their shape. What will a generator learn from such a teacher? Keep the answers for notebook 05, where we watch it learn.", "text": "### What kind of teacher is this?\n\n- it rewards **sharp, clean strokes** more than it checks their **shape**\n- a half-way blend of a real and a generated digit: mean logit $-14.43$, below both ends ($+0.58$ and $-1.86$)"}, "slide_type": "slide"}
# On these edited digits, this discriminator checks only weakly that an image *is a digit*. Erasing a 20x20 square
# leaves 3% of the ink, yet the mean logit only falls from +0.58 to -0.30. A blur of 0.75 pixel, which leaves the
# digits easy to read (Appendix C), drops it to -7.61. Blur and noise change the local statistics, and cost far more
# than removing the digit's shape. A half-way blend of a real and a generated digit scores -14.43, below both of its
# ends. So this teacher rewards sharp, clean strokes more than it checks their shape. Appendix C lists what this
# measurement does not show.

# %% [markdown] slideshow={"deck": {"notes": "Six lines to remember. The loss from logits and the non-saturating loss are in every training run from notebook 05 on.\nClose with the teacher question: a generator learns what this D rewards. Notebook 05 trains the two in alternation and shows what comes out.", "text": "## Summary\n\n- $D$ is a classifier; its optimal logit is $\\log p/q$\n- no BatchNorm: an image's verdict must not depend on its batch\n- compute every loss **from logits** with softplus\n- a confident $D$ kills the **saturating** gradient; use the **non-saturating** loss\n- one-sided label smoothing caps $D$'s confidence; dropout did not here\n- $D$ looks at every pixel, and rewards clean strokes more than shape"}, "slide_type": "slide"}
# ## Summary
#
# - $D$ is a binary classifier. For a fixed generator its optimum is $D^\star = p/(p+q)$, with logit $\log p/q$.
# - The course discriminator has two stride-2 convolutions and no BatchNorm. BatchNorm would make an image's logit
#   depend on its batch (here it moved by 1.352).
# - Compute every loss from logits, with softplus. The naive forms give $+\infty$ and NaN gradients on confident
#   mistakes: a fake at $\ell \ge 16.64$, a real at $\ell \le -87.34$.
# - Trained alone, $D$ beats the untrained generator (held-out accuracy 1.000). The saturating gradient then falls
#   from 1.44 to 0.030, while the non-saturating one rises to 84.6. Against the pretrained generator, $D$ stayed near
#   chance.
# - Adam undoes a constant gradient scale, but not a falling one. The saturating loss also gives the worst fakes the
#   least weight. So we use the non-saturating loss, and alternate $D$ and $G$.
# - One-sided label smoothing caps $D$'s confidence; in Appendix D's run, dropout did not lower it.
# - $\nabla_x\ell$ shows what $D$ looks at, and is what the generator learns from. On 64 edited digits, a slight blur
#   sank the pretrained $D$'s mean logit far more than erasing most of the digit.

# %% [markdown] slideshow={"deck": {"notes": "Homework: the four exercises; the checker cell grades each and gives a hint for a wrong answer. Going further, without a checker: train D with dropout 0.5 and compare with the table of Appendix D.\nReading: Appendices A-F. Appendix A explains both break points by float32's number format.", "text": "## Exercises (checked in the notebook)\n\n1. **Write code**: a safe `neg_log_sigmoid(l)`, finite for every float32 logit\n2. $D^\\star_\\alpha$ with $\\alpha = 0.1$ where $q = p$\n3. saturating / non-saturating gradient ratio at $D(G(z)) = 0.001$\n4. **Per-sample weights** of a bad and a good fake, under both losses\n\nNext: [05 The training loop](../notebooks/05_training_loop.html): both players, in alternation."}, "slide_type": "slide"}
# ## Exercises
#
# The checker below grades each exercise and says "not yet", with a hint, for a wrong answer.
#
# 1. **Write code.** Write `neg_log_sigmoid(l)` $= -\log\sigma(\ell)$ that is finite and accurate for every float32
#    $\ell$, using only `jnp.maximum`, `jnp.abs`, `jnp.exp` and `jnp.log1p`. (`jax.nn.softplus` would pass the checker
#    too; write it yourself.)
# 2. With one-sided label smoothing $\alpha = 0.1$, what is $D^\star_\alpha(x)$ where $q(x) = p(x)$ (the generator is
#    perfect there)? Store it in `answer_2`.
# 3. If $D(G(z)) = 0.001$ for every fake, what is the ratio of the saturating to the non-saturating gradient with respect
#    to the logit, $\sigma(\ell)/(1-\sigma(\ell))$? Store it in `answer_3`, to at least 4 significant figures.
# 4. **Per-sample weights.** Two fakes in one batch have $D(G(z)) = 0.1$ (a bad one) and $0.9$ (a good one). Under the
#    saturating loss, how many times more gradient weight does the good fake get than the bad one? Store it in
#    `answer_4`, then compute the same ratio for the non-saturating loss and compare.
#
# **Going further** (open, no checker): the end of Appendix D proposes a dropout experiment.

# %%
# Your answers (replace the None's), then run the checker below.
def neg_log_sigmoid(l):
    return None
answer_2 = None
answer_3 = None
answer_4 = None

# %%
# Checker: one line per exercise; unanswered ones are reported, a wrong one fails this cell after the full report.
exercises.check("04", neg_log_sigmoid=neg_log_sigmoid, answer_2=answer_2, answer_3=answer_3, answer_4=answer_4)

# %% [markdown]
# **Next:** [05 The training loop](05_training_loop.ipynb): the two players trained in alternation, live, on MNIST.

# %% [markdown]
# ## Appendix A: where float32 breaks the naive losses
#
# Two limits of float32 set the break points of section 3.
#
# - $\sigma(\ell)$ becomes exactly 0 once it falls below float32's smallest *normal* number, $2^{-126}$. Smaller
#   results would be *subnormal* numbers, which XLA flushes to zero on this backend. Float32 itself reaches down to
#   the subnormal $2^{-149}$, and numpy keeps it, as the cell shows. Then $\log\sigma(\ell) = -\infty$, and its
#   gradient $\sigma'(\ell)/\sigma(\ell) = 0/0$ is NaN.
# - $1 - \sigma(\ell)$ rounds to exactly 0 once $1 + e^{-\ell}$ rounds to 1. Float32 has 24 bits, so this happens
#   once $e^{-\ell} < 2^{-24}$. Near this point the naive fake loss is already inaccurate: see the row $\ell = 16$ of
#   section 3's table.
#
# How close do real runs come? On held-out images, the runs of section 4 record the largest logit $D$ gives a fake and
# the smallest it gives a real. The second cell prints them: both stay within a few units of zero, far inside the
# break points. But one confident mistake in one batch would be enough.

# %%
# float32's limits, and what numpy and XLA do with a result below the smallest normal number.
tiny, smallest_sub = np.finfo(np.float32).tiny, np.finfo(np.float32).smallest_subnormal
print(f"float32: smallest normal number {tiny:.3e} = e^{math.log(tiny):.2f}, smallest subnormal {smallest_sub:.1e}; "
      f"2^-24 = e^{-24 * math.log(2):.2f}")
s_np, s_jax = 1 / (1 + np.exp(np.float32(87.5))), float(jax.nn.sigmoid(jnp.float32(-87.5)))
print(f"sigma(-87.5) = 1 / (1 + e^87.5): numpy float32 {s_np:.2e} (a subnormal), jax {s_jax:.2e}"
      + (" (flushed to zero)" if s_jax == 0 else ""))

# %%
# Confident mistakes in section 4's runs, against the break points of section 3.
print(f"confident mistakes (section 3), over all probes of both runs: largest fake logit "
      f"{max(log_u['max_fake_logit'].max(), log_p['max_fake_logit'].max()):+.2f},\nsmallest real logit "
      f"{min(log_u['min_real_logit'].min(), log_p['min_real_logit'].min()):+.2f} (the naive losses break beyond "
      f"{hi:+.2f} and {lo:+.2f})")

# %% [markdown]
# ## Appendix B: Adam, the gradient's scale and the per-sample weights
#
# Section 4 says that Adam undoes a constant gradient scale but not a falling one, and that the saturating loss gives
# the worst fakes the least weight. This appendix measures both, with the two discriminators of section 4 and 256
# fakes each. The cells print:
#
# - the share of the total weight that the worst quarter of fakes receives under each loss. It is below a quarter for
#   the saturating loss and at least a quarter for the non-saturating loss, both by construction. The question is how
#   far from a quarter.
# - the cosine between the two losses' gradients over the generator's weights (1: the same direction, only the scale
#   differs);
# - Adam's updates for gradients of different scales.

# %%
def per_sample_view(D, G, key, n=256):
    G = nnx.clone(G); G.eval(); D.eval()
    z = jax.random.normal(key, (n, G.latent_dim))
    d_fake = np.asarray(jax.nn.sigmoid(D(G(z))))
    worst = np.argsort(d_fake)[: n // 4]                          # the quarter D finds least real
    share = {"saturating": d_fake[worst].sum() / d_fake.sum(),
             "non-saturating": (1 - d_fake[worst]).sum() / (1 - d_fake).sum()}
    flat = lambda loss: jnp.concatenate([g.ravel() for g in jax.tree.leaves(
        nnx.state(nnx.grad(lambda G: loss(D(G(z))))(G), nnx.Param))])
    return dict(d_fake=d_fake, share=share, g_sat=flat(losses.generator_loss_saturating),
                g_ns=flat(losses.generator_loss_non_saturating))

cosine = lambda a, b: float(jnp.dot(a, b) / (jnp.linalg.norm(a) * jnp.linalg.norm(b)))
norm = lambda v: float(jnp.linalg.norm(v))
adam = optax.adam(2e-4, b1=0.5)
adam_first_step = lambda g: adam.update(g, adam.init(g))[0]    # a fresh Adam's first update for gradient g

views = {"untrained G": per_sample_view(D_vs_untrained, G_untrained, k_u),
         "pretrained G": per_sample_view(D_vs_pretrained, pretrained.generator, k_p)}
print(f"{'against':<14}{'D(G(z)) min .. max':>22}   worst quarter's share of the weight    cosine(sat, non-sat)")
for name, v in views.items():
    v["cos"] = cosine(v["g_sat"], v["g_ns"])
    shares = f"saturating {v['share']['saturating']:.1%}, non-saturating {v['share']['non-saturating']:.1%}"
    print(f"{name:<14}{v['d_fake'].min():>10.1e} .. {v['d_fake'].max():.2e}   {shares:<38}{v['cos']:>10.3f}")

# Adam and the gradient's scale: (1) a fresh Adam's first update for each loss's gradient; (2) a fresh Adam given
# g and given 0.01 g, with Adam's epsilon and with (almost) none; (3) one weight whose gradient drops 100x after
# 100 steps: Adam is per weight, so one scalar shows how its running average of g^2 lags behind a falling gradient.
v = views["untrained G"]
u_sat, u_ns = adam_first_step(v["g_sat"]), adam_first_step(v["g_ns"])
g = views["pretrained G"]["g_ns"]
adam_gap = norm(adam_first_step(g) - adam_first_step(0.01 * g)) / norm(adam_first_step(g))
adam_eps0 = optax.adam(2e-4, b1=0.5, eps=1e-30)           # epsilon ~ 0 (not 0: some weights' gradient is 0)
gap_eps0 = norm(adam_eps0.update(g, adam_eps0.init(g))[0] - adam_eps0.update(0.01 * g, adam_eps0.init(g))[0])

def adam_updates(grads):                  # Adam's updates for a sequence of scalar gradients
    def one(state, gt):
        u, state = adam.update(gt[None], state)
        return state, u[0]
    return jax.lax.scan(one, adam.init(jnp.zeros(1)), grads)[1]
ups = np.abs(np.asarray(adam_updates(jnp.concatenate([jnp.ones(100), jnp.full(20000, 0.01)]))))
after = ups[100:] / ups[99]               # update size after the drop, relative to the last one before it
recover = 10 + int(np.argmax(after[10:] >= 0.5))
rms = float(jnp.sqrt(jnp.mean(v["g_sat"] ** 2)))
adam_bound = 2e-4 * math.sqrt(v["g_sat"].size)     # each weight's first step is at most the learning rate
print(f"\nvs untrained G: gradient norm saturating {norm(v['g_sat']):.2e}, non-saturating {norm(v['g_ns']):.2e} "
      f"({norm(v['g_ns']) / norm(v['g_sat']):,.0f}x); a fresh Adam's first update: {norm(u_sat):.3f} and {norm(u_ns):.3f}, "
      f"against the bound lr * sqrt(number of weights) = {adam_bound:.3f} that holds for any gradient")
print(f"  (the saturating gradient's RMS per weight, {rms:.1e} over {v['g_sat'].size:,} weights, is {rms / 1e-8:,.0f} "
      f"times Adam's epsilon 1e-8)")
print(f"a fresh Adam given g and given 0.01 g: the updates differ by {adam_gap:.1%} of the update's norm "
      f"({gap_eps0:.0e} with epsilon 1e-30 in place of 1e-8)")
print(f"one weight, gradient 100x smaller after 100 steps: 10 steps later Adam's update is {after[10]:.3f} of what it "
      f"was; back to half its size after {recover:,} steps")

# %%
# Check: Adam undoes a constant scale (g and 0.01 g give the same update but for epsilon; a fresh Adam's first update
# is near its bound lr * sqrt(n) for either loss's gradient) but not a sudden drop; the saturating loss gives the
# worst quarter of fakes clearly less than a quarter of the weight, and the two gradients still point nearly the same way.
assert norm(v["g_ns"]) > 10 * norm(v["g_sat"])
assert max(norm(u_sat), norm(u_ns)) <= adam_bound * 1.0001   # an identity (Adam's first step), not a test of this run
assert adam_gap < 0.25 and gap_eps0 < 1e-6 and after[10] < 0.05 and recover > 1000, (adam_gap, after[10], recover)
share_u, share_p = views["untrained G"]["share"], views["pretrained G"]["share"]
assert max(share_u["saturating"], share_p["saturating"]) < 0.22, (share_u, share_p)
assert share_p["non-saturating"] > (0.28 if not TESTING else 0.25), share_p   # >= 0.25 holds by construction
assert min(v["cos"] for v in views.values()) > 0.9
print(f"worst quarter's share of the saturating weight: {share_u['saturating']:.1%} (untrained G), "
      f"{share_p['saturating']:.1%} (pretrained G); cosines {views['untrained G']['cos']:.3f}, "
      f"{views['pretrained G']['cos']:.3f}: checked")

# %% [markdown]
# In the run saved here:
#
# - **Adam undoes a constant scale.** A fresh Adam given $g$ and given $0.01\,g$ makes updates that differ by about a tenth
#   of the update's norm. All of it comes from Adam's $\epsilon$: with $\epsilon$ near 0 they differ by 6e-09. Against the
#   untrained generator, the saturating gradient is 2,671x smaller than the non-saturating one. Yet a fresh Adam's
#   first step is about $\pm\eta$ per weight, whatever the gradient's size. So its norm is at most $\eta\sqrt n$ =
#   0.169 for any gradient, and the two first updates are 0.158 and 0.169.
# - **Adam does not undo a falling scale.** Adam's average of $g^2$ keeps a fraction $\beta_2 = 0.999$ of itself
#   per step, so it forgets slowly. Ten steps after one weight's gradient drops 100x, its update is 0.011 of what it was. It takes 5,759 steps
#   to get back to half. A discriminator that grows confident quickly causes such a drop: against the untrained
#   generator, the saturating gradient fell from 1.44 to 0.030 in section 4.
# - **The per-sample weights differ as the formula says.** Against the untrained generator, the worst quarter of fakes gets 9.4%
#   of the saturating weight and 25.0% of the non-saturating weight. Against the pretrained generator it gets about
#   19% and 31.1% (the table's second row). Yet on these batches the two gradients point almost the same way: their cosine is near 1
#   against both generators. This holds even against the
#   untrained generator, whose $D(G(z))$ spans 4.2e-05 to 2.41e-03. The fakes' gradients must largely share one
#   direction, so re-weighting them changes their sum little.
#
# So here the weights change the direction of the generator's gradient only slightly. The handicap that shows is the
# gradient's size. Plain gradient descent follows it directly, and Adam follows it whenever it falls faster than Adam's
# memory. Notebook 05 compares the two losses in a short DCGAN run with Adam and a strong discriminator.

# %% [markdown]
# ## Appendix C: what the edited digits do not show
#
# Section 6's measurements have limits:
#
# - The noise row of the table is one noise pattern (`seed=0`), laid over all 64 digits.
# - The edited images are neither data nor the generator's samples, where training constrains $D$. The table shows
#   how this one checkpoint extrapolates, not what it teaches a generator near its own samples.
# - That such a bias lets a GAN's samples be sharp without being digits is a hypothesis, not tested here.
# - Each map is one gradient, and noisy. SmoothGrad (Smilkov et al., 2017) averages such maps over noisy copies of the
#   input to smooth them.
# - $D$'s input gradient reacts to the background. Whether that pushes the generator's background toward clean black
#   is not measured. The sign matters, and $G$'s tanh output passes little gradient where a pixel already sits at
#   $-1$.
#
# One thing the table does not show is whether a blurred digit is still a digit. The cell below asks the course's
# digit classifier (`gan_utils.metrics.classifier_outputs`, a small CNN trained on MNIST's labels; notebook 06 scores
# samples with it) to read the 64 digits with section 6's slight blur.

# %%
# The digit classifier on the 64 slightly blurred digits of section 6's table.
acc_blur = np.mean(metrics.classifier_outputs(edited_sets["blur", 0.25])[1].argmax(1) == y_test[:64])
print(f"a blur of {blur_px:.2f} px: the digit classifier still reads {acc_blur:.0%} of the 64 blurred digits right")

# %% [markdown] slideshow={"deck": {"notes": "With alpha = 0.1 the logit of the optimum is at most log 9, which the notebook prints as 2.20. The loss no longer rewards unbounded confidence.\nConcept question 5: why not smooth the fakes too? A fake target beta > 0 gives D* = beta where p = 0: a flat logit, so D stops telling G to leave regions with no data.\nThe runs use dropout 0.3, the setting of TensorFlow's DCGAN tutorial, and the plain run's key: only the regulariser changes.", "text": "## 5. Taming the discriminator\n\n- **Dropout** $r$: zero each feature with probability $r$ in training\n- **One-sided label smoothing**: target $1-\\alpha$ for real images, 0 for fakes\n\n$$D^\\star_\\alpha(x) = \\frac{(1-\\alpha)\\,p(x)}{p(x) + q(x)} \\le 1-\\alpha, \\qquad \\text{logit} \\le \\log\\tfrac{1-\\alpha}{\\alpha}$$"}, "slide_type": "slide"}
# ## Appendix D: dropout and one-sided label smoothing, measured
#
# Section 5 in full. **Dropout** (rate $r$) zeroes each feature with probability $r$ during training and scales the
# rest by $1/(1-r)$. $D$ must classify with random parts of itself missing, which regularises it (Srivastava et al.,
# 2014). Dropout is off at inference (`D.eval()`). `DCGANDiscriminator(dropout=0.3)` is the setting of TensorFlow's
# DCGAN tutorial (https://www.tensorflow.org/tutorials/generative/dcgan).
#
# **One-sided label smoothing** (Salimans et al., 2016) uses the target $1-\alpha$ (e.g. $0.9$) for real images and
# keeps 0 for fakes. Pointwise, the loss becomes $-p\,[(1-\alpha)\log D + \alpha\log(1-D)] - q\log(1-D)$. Setting its
# derivative to zero gives
# $$D^\star_\alpha(x) = \frac{(1-\alpha)\,p(x)}{p(x) + q(x)} \le 1-\alpha.$$
# So the optimum's logit on a real image is at most $\log\frac{1-\alpha}{\alpha}$, which is $\log 9$ for
# $\alpha = 0.1$. The loss no longer rewards unbounded confidence. Why only one side? A fake target $\beta > 0$ would
# give $D^\star = \frac{(1-\alpha)p + \beta q}{p + q}$. Where $p \ll q$, its logit is nearly the constant
# $\log\frac{\beta}{1-\beta}$, so it gives the generator almost no gradient toward the data. The plain logit,
# $\log p/q$, still slopes toward it.
#
# We measure both against the untrained generator of section 4, where the plain $D$ became confident fastest. We
# reuse the plain run's key: the same initial weights, batches and fakes. Only the regulariser changes.

# %% slideshow={"deck": {"big": {"find": "dropout 0\\.3\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+\\s+([\\d.]+)", "say": "largest real logit with dropout 0.3 (plain: 13.15; label smoothing: 2.39)"}, "notes": "Misconception: \"dropout makes D less confident\". In this run the largest real logit was 13.74 with dropout 0.3 and 13.15 without; accuracy stayed 1.000. An honest negative result, for one key.\nLabel smoothing did what its optimum predicts: mean D(x) 0.873 and a largest real logit of 2.39, a little above the bound 2.20. Concept question 6.\nNeither changed the generator's gradient much: compare the last column.", "output": true, "text": "### After 200 steps against the untrained $G$"}, "slide_type": "slide"}
ALPHA, DROPOUT = 0.1, 0.3
t0 = time.perf_counter()
_, log_ls = train_d_alone(G_untrained, k1, label_smoothing=ALPHA)     # k1: the plain run's key
_, log_do = train_d_alone(G_untrained, k1, dropout=DROPOUT)
print(f"{2 * D_STEPS} more discriminator steps in {time.perf_counter() - t0:.0f} s")
print(f"after {D_STEPS} steps vs the untrained G     accuracy   D(x)  D(G(z))  max real logit  |grad| non-sat.")
for name, log in (("plain", log_u), (f"label smoothing {ALPHA}", log_ls), (f"dropout {DROPOUT}", log_do)):
    print(f"{name:<36} {log['accuracy'][-1]:>8.3f} {log['d_real'][-1]:>6.3f} {log['d_fake'][-1]:>8.3f} "
          f"{log['max_real_logit'][-1]:>15.2f} {log['grad_non_saturating'][-1]:>16.2e}")

# %%
# Check: with one-sided smoothing D(x) stays near or below 1 - alpha, unlike the plain discriminator, and the largest
# real logit stays within twice the optimum's bound; dropout does not stop D from beating the untrained generator.
cap, logit_cap = 1 - ALPHA, math.log((1 - ALPHA) / ALPHA)
print(f"mean D(x) on held-out real digits: plain {log_u['d_real'][-1]:.3f}, smoothed {log_ls['d_real'][-1]:.3f} "
      f"(1 - alpha = {cap:.2f});\nlargest real logit: plain {log_u['max_real_logit'][-1]:.2f}, "
      f"smoothed {log_ls['max_real_logit'][-1]:.2f} (log((1 - alpha) / alpha) = {logit_cap:.2f}), "
      f"dropout {log_do['max_real_logit'][-1]:.2f}")
assert log_ls["d_real"][-1] < cap + 0.03 and log_ls["max_real_logit"][-1] < 2 * logit_cap
assert log_u["d_real"][-1] > cap + 0.03 and log_ls["d_real"][-1] < log_u["d_real"][-1]
assert log_ls["max_real_logit"][-1] < log_u["max_real_logit"][-1]
assert log_do["accuracy"][-1] > 0.95
# dropout left D as confident as without it (the text says "did not make D less confident")
assert log_do["d_real"][-1] > cap + 0.03 and log_do["max_real_logit"][-1] > 0.75 * log_u["max_real_logit"][-1]

# %% [markdown]
# In the run saved here, one-sided label smoothing did what its optimum predicts. The mean $D(x)$ on held-out real
# digits is 0.873, below the cap $1-\alpha$ = 0.90; the plain discriminator reached 1.000. The largest real logit,
# 2.39, is a little above the optimum's bound $\log 9$ = 2.20, because a trained network only approximates
# $D^\star_\alpha$. It is far below the plain discriminator's 13.15. Dropout 0.3 did not make $D$ less confident in
# this run (one key): accuracy 1.000, largest real logit 13.74. Neither changed the generator's gradient much: the
# non-saturating norm is 7.10e+01 with smoothing, 8.53e+01 with dropout and 8.46e+01 without.
#
# **Going further** (open, no checker): train a discriminator with `train_d_alone(G_untrained, k1, dropout=0.5)` and
# compare its last accuracy, mean $D(x)$ and largest real logit with the table above. The key `k1` is the table's, so
# only the dropout rate changes. Does a higher dropout rate make $D$ less confident here?

# %% [markdown]
# ## Appendix E: `gan_utils.losses` against the hand-made forms
#
# Section 3 wrote the stable losses by hand with `jax.nn.softplus`. The course's package must give the same values.
# The cell compares them at section 3's twelve logits, from $-1000$ to $1000$.

# %%
# Check: gan_utils.losses equals the hand-made softplus forms of section 3 at every logit.
for l in np.asarray(ells):
    one = jnp.array([l])
    assert jnp.allclose(losses.bce_with_logits(one, jnp.ones(1)), stable_real(one), rtol=1e-6)
    assert jnp.allclose(losses.bce_with_logits(one, jnp.zeros(1)), stable_fake(one), rtol=1e-6)
assert jnp.allclose(losses.discriminator_loss(ells, -ells), jnp.mean(stable_real(ells)) + jnp.mean(stable_fake(-ells)), rtol=1e-6)
print("gan_utils.losses agrees with softplus at every logit, including +-1000")

# %% [markdown]
# ## Appendix F: the layer table's parameter counts
#
# Section 2's table is computed from the model. A convolution with a $k\times k$ kernel has $k^2 C_{in} C_{out}$
# weights and $C_{out}$ biases; the linear layer has one weight per input and one bias. The cell checks conv1, conv2, fc and the total.

# %%
# Check: the parameter counts from the formulas (k*k*C_in*C_out + C_out).
byname = {r["name"]: r for r in rows[:-1]}
c1, c2 = D.conv1.out_features, D.conv2.out_features
assert byname["conv1"]["params"] == 4 * 4 * 1 * c1 + c1
assert byname["conv2"]["params"] == 4 * 4 * c1 * c2 + c2
assert byname["fc"]["params"] == 7 * 7 * c2 + 1
assert rows[-1]["params"] == models.count_params(D)
print("parameter counts of section 2's table: conv1, conv2, fc and the total match the formulas")

# %%
print(course.top_to_bottom(T_START))
