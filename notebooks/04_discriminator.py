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
# # 04 The discriminator
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gans-in-jax/blob/main/notebooks/04_discriminator.ipynb)
#
# The discriminator is the generator's only teacher: the generator never sees a real image, only the gradient of
# the discriminator's opinion. This notebook builds it, makes its loss numerically safe, and shows, with numbers,
# what goes wrong when it becomes too good.
#
# **You will learn**
#
# - the discriminator as a **binary classifier** of real and fake, and the optimum $D^\star = p/(p+q)$ it estimates;
# - the **convolutional discriminator** of the course, layer by layer;
# - why the loss is computed **from logits**: the values where the naive $\log(\sigma(x))$ returns $-\infty$ or NaN;
# - to train the discriminator **alone** against a fixed generator and watch it **win** (accuracy near 1), while
#   the **saturating** generator gradient **vanishes**, measured;
# - **dropout** and **one-sided label smoothing**, and what each does to $D$'s confidence;
# - **what the discriminator looks at**: its input gradient as an image.

# %%
# Setup: install the course package if it is missing (e.g. on Colab), then imports, seed and devices.
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("gan_utils") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "gan-utils @ git+https://github.com/gan-course/gans-in-jax"], check=True)
import math, time
from functools import partial
import jax, jax.numpy as jnp, numpy as np, matplotlib.pyplot as plt, optax
from flax import nnx
from gan_utils import checkpoint, data, losses, models, plots
from gan_utils.plots import REAL_COLOR, FAKE_COLOR, D_COLOR
SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
plt.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80, "axes.spines.top": False, "axes.spines.right": False})
print(f"JAX {jax.__version__} on {jax.devices()}")

# %% [markdown]
# ## 1. The discriminator is a classifier
#
# $D$ maps an image $x$ to a **logit** $\ell(x) \in \mathbb R$ and a probability $D(x) = \sigma(\ell(x)) = 1/(1+e^{-\ell(x)})$
# that $x$ is real. It is trained by binary cross-entropy with label 1 for data $x \sim p$ and 0 for samples
# $G(z) \sim q$:
# $$L_D = -\,\mathbb E_{x\sim p}\log D(x) \;-\; \mathbb E_{z}\log\bigl(1 - D(G(z))\bigr).$$
# For a fixed generator, minimising pointwise ($\min_D\, -p\log D - q\log(1-D)$, derivative $-p/D + q/(1-D) = 0$)
# gives the optimum of notebook 02:
# $$D^\star(x) = \frac{p(x)}{p(x) + q(x)}.$$
# $D$ is the density-ratio estimator of notebook 01, and the generator learns by following its gradient.
#
# ## 2. The convolutional discriminator
#
# For 28x28 images, `gan_utils.models.DCGANDiscriminator` mirrors the generator of notebook 03: two $4\times4$
# convolutions with **stride 2** halve the resolution ($28 \to 14 \to 7$) while the channels grow
# ($1 \to 64 \to 128$), then one linear layer gives the logit. DCGAN's choices: strided convolutions instead of
# pooling (the network learns its own downsampling), and **LeakyReLU** $\max(x, 0.2x)$ instead of ReLU, so that
# the gradient that flows back to the *generator* through $D$ is never cut to zero. The table is computed from
# the model (`models.layer_table`, notebook 03):

# %%
# NBVAL_CHECK_OUTPUT
D = models.DCGANDiscriminator(rngs=nnx.Rngs(SEED))
rows = models.layer_table(D, jax.ShapeDtypeStruct((1, 28, 28, 1), jnp.float32))
print(models.format_layer_table(rows))

# %%
# Check: logits of shape (N,), and the parameter counts from the formulas (k*k*C_in*C_out + C_out).
byname = {r["name"]: r for r in rows[:-1]}
c1, c2 = D.conv1.out_features, D.conv2.out_features
assert byname["conv1"]["params"] == 4 * 4 * 1 * c1 + c1
assert byname["conv2"]["params"] == 4 * 4 * c1 * c2 + c2
assert byname["fc"]["params"] == 7 * 7 * c2 + 1
assert rows[-1]["params"] == models.count_params(D)
x_real_u8, y_real = data.load_mnist("train", n=20000)
x_real = data.to_unit_range(x_real_u8)
logits = D(jnp.asarray(x_real[:8]))
assert logits.shape == (8,) and bool(jnp.all(jnp.isfinite(logits)))
print("untrained D(x) on 8 real digits:", [round(float(v), 2) for v in jax.nn.sigmoid(logits)])

# %% [markdown]
# ## 3. Cross-entropy from logits
#
# The loss needs $\log D = \log\sigma(\ell)$ and $\log(1-D) = \log(1-\sigma(\ell))$. Computed literally in float32
# they break:
#
# - $\sigma(\ell)$ rounds to exactly 0 for $\ell \lesssim -104$ ($e^{-104}$ is below float32's smallest number), so
#   $\log\sigma(\ell) = -\infty$;
# - $1 - \sigma(\ell)$ rounds to exactly 0 as soon as $\sigma(\ell)$ rounds to 1, for $\ell \gtrsim 17$ (float32 has 24
#   bits, and $e^{-17} < 2^{-24}$), so $\log(1-\sigma(\ell)) = -\infty$, already for a *moderately* confident
#   discriminator;
# - the gradient of $\log\sigma(\ell)$ through $\sigma$ is $\sigma'(\ell)/\sigma(\ell) = 0/0$ = NaN where $\sigma$ underflows.
#
# The fix is algebra. Since $\sigma(\ell) = 1/(1+e^{-\ell})$ and $1-\sigma(\ell) = \sigma(-\ell)$:
# $$-\log\sigma(\ell) = \log(1 + e^{-\ell}) = \operatorname{softplus}(-\ell), \qquad
# -\log(1-\sigma(\ell)) = \operatorname{softplus}(\ell),$$
# and softplus is evaluated without overflow as $\operatorname{softplus}(u) = \max(u, 0) + \log(1 + e^{-|u|})$
# (`jax.nn.softplus`; `jax.nn.log_sigmoid` is $-\operatorname{softplus}(-\ell)$). Its derivatives are exact too:
# $\partial_\ell[-\log\sigma(\ell)] = \sigma(\ell) - 1$ and $\partial_\ell[-\log(1-\sigma(\ell))] = \sigma(\ell)$.
# Every loss in `gan_utils.losses` takes logits and uses this form. The numbers:

# %%
# NBVAL_CHECK_OUTPUT
ells = jnp.array([-1000.0, -120.0, -50.0, -20.0, 0.0, 20.0, 50.0, 1000.0], jnp.float32)
naive_real = lambda l: -jnp.log(jax.nn.sigmoid(l))            # -log D(x)
naive_fake = lambda l: -jnp.log(1 - jax.nn.sigmoid(l))        # -log(1 - D(G(z)))
naive_softplus = lambda l: jnp.log(1 + jnp.exp(-l))           # log(1 + e^-l) written out: overflows instead
stable_real = lambda l: jax.nn.softplus(-l)
stable_fake = lambda l: jax.nn.softplus(l)
grad = lambda f: jax.vmap(jax.grad(f))(ells)
cols = {"-log sig(l) naive": naive_real(ells), "log(1+e^-l) naive": naive_softplus(ells), "softplus(-l)": stable_real(ells),
        "-log(1-sig) naive": naive_fake(ells), "softplus(l)": stable_fake(ells),
        "d/dl naive": grad(naive_real), "d/dl stable": grad(stable_real)}
print(f"{'logit l':>8}" + "".join(f"{c:>19}" for c in cols))
for i, l in enumerate(np.asarray(ells)):
    print(f"{l:>8.0f}" + "".join(f"{float(v[i]) + 0.0:>19.6g}" for v in cols.values()))   # + 0.0 prints -0 as 0

# %%
# Check: the stable forms are finite everywhere and equal to gan_utils.losses; the naive ones fail where stated.
assert bool(jnp.all(jnp.isfinite(stable_real(ells)))) and bool(jnp.all(jnp.isfinite(stable_fake(ells))))
assert bool(jnp.all(jnp.isfinite(grad(stable_real))))
assert float(naive_real(jnp.float32(-1000))) == np.inf and float(naive_fake(jnp.float32(20))) == np.inf
assert np.isnan(float(jax.grad(naive_real)(jnp.float32(-1000))))
for l in np.asarray(ells):
    one = jnp.array([l])
    assert jnp.allclose(losses.bce_with_logits(one, jnp.ones(1)), stable_real(one), rtol=1e-6)
    assert jnp.allclose(losses.bce_with_logits(one, jnp.zeros(1)), stable_fake(one), rtol=1e-6)
assert jnp.allclose(losses.discriminator_loss(ells, -ells), jnp.mean(stable_real(ells)) + jnp.mean(stable_fake(-ells)), rtol=1e-6)
print("gan_utils.losses agrees with softplus at every logit, including +-1000")

# %% [markdown]
# Note the row $\ell = 20$: a discriminator 99.9999998% sure that a fake is real already gives the naive
# fake-loss $+\infty$. In training, logits of $\pm 20$ to $\pm 50$ are common once $D$ is winning (we will see them below),
# so the naive loss would turn into NaN within a few hundred steps.
#
# ## 4. The discriminator alone: it wins, and the saturating gradient vanishes
#
# Fix a generator and train only $D$. Against a fixed $q$ the optimum $D^\star = p/(p+q)$ is a perfect classifier
# wherever $p$ and $q$ do not overlap, and for images they hardly ever do: the discriminator **wins**. What does
# that do to the generator's learning signal? Through a logit $\ell = \ell(G(z))$ the two generator losses of
# notebook 02 have the gradients
# $$\frac{\partial}{\partial\ell}\log\bigl(1-\sigma(\ell)\bigr) = -\sigma(\ell) = -D(G(z)) \quad\text{(saturating, minimax)}, \qquad
# \frac{\partial}{\partial\ell}\bigl[-\log\sigma(\ell)\bigr] = -(1 - D(G(z))) \quad\text{(non-saturating)}.$$
# As $D(G(z)) \to 0$ the first vanishes and the second tends to $-1$. We measure the full gradient norm
# $\|\nabla_\theta L_G\|$ with respect to the generator's weights, for both losses, while $D$ trains.
#
# Two fixed generators: the **untrained** one of notebook 03 (easy to spot) and the shipped **pretrained** one
# (hard: its samples look like digits). $D$ trains with Adam ($2\cdot10^{-4}$, $\beta_1 = 0.5$) on batches of 32 real
# and 32 fake images; every few steps we measure its accuracy on 256 *held-out* real test images and 256 fresh fakes.

# %%
x_test = data.to_unit_range(data.load_mnist("test", n=256)[0])
pretrained = checkpoint.load_pretrained()
G_untrained = models.DCGANGenerator(rngs=nnx.Rngs(SEED))
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
          f"D(G(z)) {log['d_fake'][0]:.2f} -> {log['d_fake'][-1]:.4f}, mean fake logit {log['fake_logit'][-1]:.1f}; "
          f"|grad| saturating {log['grad_saturating'][0]:.2e} -> {log['grad_saturating'][-1]:.2e}, "
          f"non-saturating {log['grad_non_saturating'][0]:.2e} -> {log['grad_non_saturating'][-1]:.2e}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
for log, ls, name in ((log_u, "-", "vs untrained G"), (log_p, "--", "vs pretrained G")):
    axes[0].plot(log["step"], log["accuracy"], color=D_COLOR, ls=ls, label=name)
    axes[1].plot(log["step"], log["d_real"], color=REAL_COLOR, ls=ls, label=f"D(x), {name}")
    axes[1].plot(log["step"], log["d_fake"], color=FAKE_COLOR, ls=ls, label=f"D(G(z)), {name}")
    axes[2].semilogy(log["step"], log["grad_saturating"], color=FAKE_COLOR, ls=ls, label=f"saturating, {name}")
    axes[2].semilogy(log["step"], log["grad_non_saturating"], color=D_COLOR, ls=ls, label=f"non-saturating, {name}")
axes[0].set(xlabel="discriminator steps", ylabel="held-out accuracy", title="The discriminator wins", ylim=(0.4, 1.02))
axes[0].axhline(1.0, color="gray", lw=0.8, ls=":")
axes[1].set(xlabel="discriminator steps", ylabel="mean D output", title="D(x) -> 1, D(G(z)) -> 0", ylim=(0, 1))
axes[2].set(xlabel="discriminator steps", ylabel="generator gradient norm", title="The saturating gradient vanishes")
for ax in axes:
    ax.legend(fontsize=7)
plt.tight_layout(); plt.show()

# %%
# Check: D beats the untrained generator, and the saturating gradient collapses relative to the non-saturating one.
ratio_start = log_u["grad_saturating"][0] / log_u["grad_non_saturating"][0]
ratio_end = log_u["grad_saturating"][-1] / log_u["grad_non_saturating"][-1]
print(f"vs untrained G: saturating / non-saturating gradient norm {ratio_start:.2f} at the start, {ratio_end:.1e} at the end; "
      f"D(G(z)) = {log_u['d_fake'][-1]:.1e}")
assert log_u["accuracy"][-1] > 0.95
assert ratio_end < 0.05 and ratio_end < ratio_start / 5
assert log_p["accuracy"][-1] > log_p["accuracy"][0]

# %% [markdown]
# The ratio of the two gradient norms follows the formula: at the start $D(G(z)) \approx \tfrac12$ and the two
# losses push about equally; once $D(G(z))$ is near 0 the saturating loss gives the generator almost nothing,
# although this is exactly when it most needs to move. This is why every GAN in this course uses the
# **non-saturating** loss (Goodfellow et al., 2014, section 3) and why notebook 05's "discriminator wins" failure
# is worst with the saturating one. Against the pretrained generator the accuracy climbs far more slowly (the
# numbers are printed above): its samples look like digits to this discriminator. Still, against a *fixed*
# generator the discriminator heads for the optimum $D^*$ of notebook 02, which tells the two distributions apart
# wherever they differ, and the generator's gradient changes as it gets there; so the two are trained in
# alternation, each step of one answered by a step of the other.
#
# ## 5. Taming the discriminator: dropout and one-sided label smoothing
#
# **Dropout** (rate $r$) zeroes each feature with probability $r$ during training and scales the rest by
# $1/(1-r)$; $D$ must classify with random parts of itself missing, a regulariser against memorising the
# training images. It is off at inference (`D.eval()`); `DCGANDiscriminator(dropout=0.3)` is the TensorFlow
# tutorial's setting.
#
# **One-sided label smoothing** (Salimans et al., 2016) uses the target $1-\alpha$ (e.g. $0.9$) for real images
# and keeps 0 for fakes. Pointwise, the loss becomes $-p\,[(1-\alpha)\log D + \alpha\log(1-D)] - q\log(1-D)$;
# setting its derivative $-(1-\alpha)p/D + (\alpha p + q)/(1-D)$ to zero gives
# $$D^\star_\alpha(x) = \frac{(1-\alpha)\,p(x)}{p(x) + q(x)} \le 1-\alpha,$$
# so the real logit is capped near $\log\frac{1-\alpha}{\alpha} = \log 9 \approx 2.2$ and $D$ cannot become
# arbitrarily confident. Why only one side? Smoothing the fake target to $\beta$ would give
# $D^\star = \frac{(1-\alpha)p + \beta q}{p + q}$, which equals $\beta > 0$ where $p = 0 < q$: the discriminator
# would stop telling the generator to leave regions with no data at all.
#
# Both, measured against the untrained generator (where the plain discriminator became confident fastest, above)
# with everything else equal:

# %%
key, k3, k4 = jax.random.split(key, 3)
t0 = time.perf_counter()
_, log_ls = train_d_alone(G_untrained, k3, label_smoothing=0.1)
_, log_do = train_d_alone(G_untrained, k4, dropout=0.3)
print(f"{2 * D_STEPS} more discriminator steps in {time.perf_counter() - t0:.0f} s")
print(f"after {D_STEPS} steps vs the untrained G     accuracy   D(x)  D(G(z))  max real logit  |grad| non-sat.")
for name, log in (("plain", log_u), ("label smoothing 0.1", log_ls), ("dropout 0.3", log_do)):
    print(f"{name:<36} {log['accuracy'][-1]:>8.3f} {log['d_real'][-1]:>6.3f} {log['d_fake'][-1]:>8.3f} "
          f"{log['max_real_logit'][-1]:>15.2f} {log['grad_non_saturating'][-1]:>16.2e}")

# %%
# Check: with one-sided smoothing D(x) stays near or below 1 - alpha = 0.9, unlike the plain discriminator.
print(f"mean D(x) on held-out real digits: plain {log_u['d_real'][-1]:.3f}, smoothed {log_ls['d_real'][-1]:.3f} (cap 0.9); "
      f"largest real logit: plain {log_u['max_real_logit'][-1]:.1f}, smoothed {log_ls['max_real_logit'][-1]:.1f} (log 9 = {math.log(9):.2f})")
assert log_ls["d_real"][-1] < 0.93
if log_u["d_real"][-1] > 0.93:    # once the plain D is confident, the smoothed one must be less so
    assert log_ls["d_real"][-1] < log_u["d_real"][-1] and log_ls["max_real_logit"][-1] < log_u["max_real_logit"][-1]

# %% [markdown]
# ## 6. What the discriminator looks at
#
# The gradient of the logit with respect to the input, $\nabla_x \ell(x)$, is an image: it says which pixels, made
# brighter, would make $D$ more convinced that $x$ is real (blue) or fake (orange). This is also *exactly* the
# signal the generator receives: by the chain rule, $\nabla_\theta L_G = -\sum_i (1 - D(G(z_i)))\,
# \bigl(\partial G(z_i)/\partial\theta\bigr)^\top \nabla_x \ell(G(z_i))$ for the non-saturating loss. We use the
# discriminator trained with the shipped generator (`checkpoint.load_pretrained().discriminator`, in balance with
# its generator) on real test digits and on generated ones.

# %%
D_pre = pretrained.discriminator
D_pre.eval()
key, sub = jax.random.split(key)
fakes = np.asarray(models.sample(pretrained.generator, sub, 6))
images = np.concatenate([x_test[:6], fakes])
input_grad = jax.vmap(jax.grad(lambda x: D_pre(x[None])[0]))(jnp.asarray(images))
d_out = np.asarray(jax.nn.sigmoid(D_pre(jnp.asarray(images))))
assert input_grad.shape == images.shape and bool(jnp.all(jnp.isfinite(input_grad)))
fig, axes = plt.subplots(2, 12, figsize=(14, 2.9))
for i in range(12):
    axes[0, i].imshow(images[i, ..., 0], cmap="gray", vmin=-1, vmax=1)
    axes[0, i].set_title(f"{'real' if i < 6 else 'fake'}\nD={d_out[i]:.2f}", fontsize=8,
                         color=REAL_COLOR if i < 6 else FAKE_COLOR)
    g = np.asarray(input_grad[i, ..., 0])
    lim = np.abs(g).max()
    axes[1, i].imshow(g, cmap=plots.D_CMAP, vmin=-lim, vmax=lim)
for ax in axes.ravel():
    ax.set_xticks([]); ax.set_yticks([])
axes[0, 0].set_ylabel("image", fontsize=8); axes[1, 0].set_ylabel("d logit / dx", fontsize=8)
fig.suptitle("Input gradients of the pretrained discriminator: blue = brighter here looks more real, orange = more fake", y=1.04)
plt.show()


# %% [markdown]
# The raw input gradients are noisy and cover the whole image, background included, with their largest values
# in and around the strokes: $D$ reacts to every pixel, so the generator is pushed to keep the background clean
# as well as to shape its strokes. This map, pulled back through $G$, is the correction the generator receives at
# every step of notebook 05. (Smoother "saliency" maps average such gradients over noisy copies of the input;
# SmoothGrad, Smilkov et al., 2017.)
#
# ## Summary
#
# - $D$ is a binary classifier; its optimum for a fixed generator is $D^\star = p/(p+q)$.
# - The course discriminator: two stride-2 $4\times4$ convolutions with LeakyReLU(0.2), then a linear logit;
#   its table and parameter counts come from the model.
# - Always compute $-\log\sigma(\ell) = \operatorname{softplus}(-\ell)$ and $-\log(1-\sigma(\ell)) = \operatorname{softplus}(\ell)$:
#   the naive forms give $+\infty$ from $\ell = 20$ and NaN gradients at $\ell = -1000$.
# - Trained alone, $D$ wins (held-out accuracy near 1) and the saturating generator gradient vanishes (by orders of
#   magnitude, measured) while the non-saturating one stays; so we use the non-saturating loss and alternate.
# - One-sided label smoothing caps $D(x)$ at $1-\alpha$ (measured: 0.90, largest real logit near $\log 9$); dropout
#   regularises $D$ but does not stop it from beating a weak generator.
# - $\nabla_x\ell$ shows what $D$ looks at, and is what the generator learns from.
#
# ## Exercises
#
# 1. Write `neg_log_sigmoid(l)` $= -\log\sigma(\ell)$ that is finite and accurate for every float32 $\ell$, using only
#    `jnp.maximum`, `jnp.abs`, `jnp.exp` and `jnp.log1p`.
# 2. With one-sided label smoothing $\alpha = 0.1$, what is $D^\star_\alpha(x)$ where $q(x) = p(x)$ (the generator is
#    perfect there)? Store it in `answer_2`.
# 3. If $D(G(z)) = 0.001$ for every fake, what is the ratio of the saturating to the non-saturating gradient with respect
#    to the logit, $\sigma(\ell)/(1-\sigma(\ell))$? Store it in `answer_3`.

# %%
# Your answers (replace the None's), then run the checker below.
def neg_log_sigmoid(l):
    return None
answer_2 = None
answer_3 = None


# %%
def check_exercises(neg_log_sigmoid, answer_2, answer_3, verbose=True):
    ok = []
    try:
        l = jnp.array([-1000.0, -30.0, -1.0, 0.0, 1.0, 30.0, 1000.0], jnp.float32)
        got = jnp.asarray(neg_log_sigmoid(l))
        ok.append(bool(jnp.all(jnp.isfinite(got))) and bool(jnp.allclose(got, jax.nn.softplus(-l), rtol=1e-5, atol=1e-7)))
    except Exception:
        ok.append(False)
    ok.append(answer_2 is not None and abs(answer_2 - 0.45) < 1e-6)
    ok.append(answer_3 is not None and abs(answer_3 - 0.001 / 0.999) < 1e-6)
    if verbose:
        for i, good in enumerate(ok, 1):
            print(f"exercise {i}: {'correct' if good else 'not yet'}")
    return ok

check_exercises(neg_log_sigmoid, answer_2, answer_3)
# The checker itself is tested with the reference answers:
assert all(check_exercises(lambda l: jnp.maximum(-l, 0) + jnp.log1p(jnp.exp(-jnp.abs(l))), 0.9 / 2, 0.001 / 0.999, verbose=False))

# %% [markdown]
# <details><summary>Solutions</summary>
#
# 1. `return jnp.maximum(-l, 0) + jnp.log1p(jnp.exp(-jnp.abs(l)))` (softplus of $-\ell$).
# 2. $D^\star_\alpha = (1-\alpha)p/(p+p) = 0.9/2 = 0.45$.
# 3. $0.001/0.999 \approx 0.001$: the saturating loss pushes a thousand times less.
# </details>
#
# **Next:** [05 The training loop](05_training_loop.ipynb): the two players trained in alternation, live, on MNIST.
