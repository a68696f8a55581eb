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
# # 03 The generator
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gans-in-jax/blob/main/notebooks/03_generator.ipynb)
#
# Notebook 01 sampled by pushing noise through a map, $x = g(z)$; notebook 02 showed that the GAN game makes the
# pushed-forward distribution match the data. This notebook builds the map itself: a neural network $G_\theta$.
#
# **You will learn**
#
# - how a small **MLP generator** pushes 2-D Gaussian noise forward, and what a ReLU network can do to the plane;
# - the **DCGAN-style generator** for 28x28 digits, with a layer-by-layer table of shapes and parameter counts
#   computed from the model itself;
# - three ways to **upsample** (transposed convolution, resize then convolve, sub-pixel convolution), their
#   **checkerboard artefacts**, and their **speed on this CPU**, measured; and why `gan_utils` uses sub-pixel convolutions;
# - **BatchNorm**, the **tanh** output, and why the data is scaled to $[-1, 1]$;
# - what an **untrained** generator draws;
# - the course's **pretrained** generator: a sample grid, a **latent interpolation** widget and a **latent explorer**.

# %%
# Setup: install the course package if it is missing (e.g. on Colab), then imports, seed and devices.
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("gan_utils") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "gan-utils @ git+https://github.com/gan-course/gans-in-jax"], check=True)
import math, time
from functools import partial
import jax, jax.numpy as jnp, numpy as np, matplotlib.pyplot as plt
from flax import nnx
from gan_utils import checkpoint, data, devices, models, plots, steps, train, widgets
from gan_utils.plots import REAL_COLOR, FAKE_COLOR, D_COLOR
SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
plt.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80, "axes.spines.top": False, "axes.spines.right": False})
print(f"JAX {jax.__version__} on {jax.devices()}")


# %% [markdown]
# ## 1. From push-forward to a neural network
#
# A generator is a map $G_\theta: \mathbb R^{d_z} \to \mathbb R^{d_x}$. Draw $z \sim \mathcal N(0, I)$; then
# $x = G_\theta(z)$ has the **push-forward** distribution $q_\theta = (G_\theta)_\# \mathcal N(0, I)$ (notebook 01).
# There is no formula for $q_\theta(x)$, only samples, which is all the GAN game needs.
#
# For 2-D toy data a multilayer perceptron with ReLU units is enough:
# $$h_1 = \mathrm{relu}(W_1 z + b_1),\quad h_2 = \mathrm{relu}(W_2 h_1 + b_2),\quad G(z) = W_3 h_2 + b_3,$$
# with $W_1 \in \mathbb R^{128\times 2}$, $W_2 \in \mathbb R^{128\times128}$, $W_3 \in \mathbb R^{2\times128}$. By hand, in
# `jax.numpy`:

# %%
def init_mlp(key, sizes=(2, 128, 128, 2)):
    # LeCun-normal weights (std 1/sqrt(fan_in)), zero biases: Flax's nnx.Linear default.
    params = []
    for k, (a, b) in zip(jax.random.split(key, len(sizes) - 1), zip(sizes[:-1], sizes[1:])):
        params.append((jax.random.normal(k, (a, b)) / math.sqrt(a), jnp.zeros(b)))
    return params

def mlp_generator(params, z):
    for W, b in params[:-1]:
        z = jax.nn.relu(z @ W + b)
    W, b = params[-1]
    return z @ W + b

key, k_init, k_z = jax.random.split(key, 3)
params = init_mlp(k_init)
z = jax.random.normal(k_z, (5000, 2))
x = mlp_generator(params, z)
n_hand = sum(W.size + b.size for W, b in params)
print("z", z.shape, "-> G(z)", x.shape, f"; parameters: {n_hand:,}")

# %% [markdown]
# `gan_utils.models.MLPGenerator` is the same network as an NNX module (we use it from now on). Check: copying our
# weights into it gives the same outputs, and the parameter count is
# $(2\cdot128 + 128) + (128\cdot128 + 128) + (128\cdot2 + 2) = 17{,}154$.

# %%
# NBVAL_CHECK_OUTPUT
mlp = models.MLPGenerator(latent_dim=2, out_dim=2, hidden=(128, 128), rngs=nnx.Rngs(SEED))
for layer, (W, b) in zip([*mlp.hidden, mlp.out], params):
    layer.kernel[...], layer.bias[...] = W, b
assert jnp.allclose(mlp(z), x, atol=1e-5)
assert models.count_params(mlp) == n_hand == (2 * 128 + 128) + (128 * 128 + 128) + (128 * 2 + 2)
print("MLPGenerator parameters:", models.count_params(mlp))

# %% [markdown]
# **What a ReLU network does to the plane.** Each ReLU unit is zero on one side of a line in $z$-space, so the
# plane is cut into convex pieces, and $G$ is *affine* on each piece: it stretches, rotates and folds the plane.
# Below, a grid of latent lines and the samples, pushed through the untrained $G$ (left), and through a $G$
# trained as a GAN on the ring of 8 Gaussians (right; `gan_utils.train.fit`, the loop of notebook 05). Training
# bends and folds the same plane so that almost all the Gaussian mass lands on the 8 modes.

# %%
ring = data.ring(std=0.05)
key, k_data, k_fit = jax.random.split(key, 3)
x_ring = np.asarray(ring.sample(k_data, 50_000))
toy = steps.GAN(models.MLPGenerator(2, 2, rngs=nnx.Rngs(SEED)), models.MLPDiscriminator(2, rngs=nnx.Rngs(SEED + 1)))
untrained_toy_G = nnx.clone(toy.generator)
TOY_STEPS = 500 if TESTING else 2000
t0 = time.perf_counter()
res = train.fit(toy, data.BatchSampler(x_ring, 128, k_data), key=k_fit, steps=TOY_STEPS, progress=False)
print(f"trained the toy GAN for {TOY_STEPS} steps in {time.perf_counter() - t0:.1f} s")

def draw_pushforward(ax, G, title):
    lines = np.linspace(-2.5, 2.5, 11)
    t = np.linspace(-2.5, 2.5, 200)
    for c in lines:
        for pts in (np.stack([t, np.full_like(t, c)], 1), np.stack([np.full_like(t, c), t], 1)):
            y = np.asarray(G(jnp.asarray(pts, jnp.float32)))
            ax.plot(y[:, 0], y[:, 1], color="0.6", lw=0.6)
    y = np.asarray(G(z))
    ax.scatter(x_ring[:1500, 0], x_ring[:1500, 1], s=3, color=REAL_COLOR, alpha=0.5, label="data (ring)")
    ax.scatter(y[:1500, 0], y[:1500, 1], s=3, color=FAKE_COLOR, alpha=0.5, label="G(z)")
    ax.set(xlim=(-1.8, 1.8), ylim=(-1.8, 1.8), aspect="equal", xlabel="$x_1$", ylabel="$x_2$", title=title)
    ax.legend(loc="upper right", fontsize=8, markerscale=3)

fig, axes = plt.subplots(1, 3, figsize=(14, 4.6))
g = np.linspace(-2.5, 2.5, 11)
for c in g:
    axes[0].axhline(c, color="0.6", lw=0.6); axes[0].axvline(c, color="0.6", lw=0.6)
axes[0].scatter(z[:1500, 0], z[:1500, 1], s=3, color="0.3", alpha=0.4)
axes[0].set(xlim=(-2.5, 2.5), ylim=(-2.5, 2.5), aspect="equal", xlabel="$z_1$", ylabel="$z_2$",
            title="latent space: grid lines and z ~ N(0, I)")
draw_pushforward(axes[1], untrained_toy_G, "pushed through the untrained G")
draw_pushforward(axes[2], toy.generator, f"pushed through G after {TOY_STEPS} GAN steps")
plt.tight_layout(); plt.show()

# %%
# Check: the trained generator puts most samples on the ring's modes; the untrained one does not.
from gan_utils.metrics import toy_mode_metrics
before = toy_mode_metrics(np.asarray(untrained_toy_G(z)), ring)
after = toy_mode_metrics(np.asarray(toy.generator(z)), ring)
print(f"samples within 3 std of a mode: untrained {before['high_quality_fraction']:.0%}, "
      f"trained {after['high_quality_fraction']:.0%}; modes covered {after['modes_covered']}/8")
assert after["high_quality_fraction"] > before["high_quality_fraction"]

# %% [markdown]
# ## 2. The DCGAN generator for 28x28 digits
#
# For images an MLP wastes parameters: it must learn separately that a stroke looks the same everywhere. A
# **convolutional** generator (DCGAN, Radford et al., 2016) starts from a small, deep feature map and repeatedly
# doubles its size while halving its depth:
#
# $$z \in \mathbb R^{64} \xrightarrow{\text{Linear, BN, ReLU}} 7\times7\times128 \xrightarrow{\text{up}\times2,\ \text{BN, ReLU}} 14\times14\times64
# \xrightarrow{\text{up}\times2,\ \tanh} 28\times28\times1.$$
#
# `gan_utils.models.DCGANGenerator` is this network. The table below is **computed from the model**, not typed:
# `models.layer_table` runs the forward pass under `jax.eval_shape` (shapes only, no arithmetic) and records the
# output shape of every layer as it is called, so it stays right if the architecture changes. (ReLU, reshape
# and tanh have no parameters and no module, so they do not appear.)

# %%
# NBVAL_CHECK_OUTPUT
G = models.DCGANGenerator(latent_dim=64, rngs=nnx.Rngs(SEED))
rows = models.layer_table(G, jax.ShapeDtypeStruct((1, G.latent_dim), jnp.float32))
print(models.format_layer_table(rows))

# %%
# Check the table against the model and against the formulas for the parameter counts.
byname = {r["name"]: r for r in rows[:-1]}
assert rows[-1]["output_shape"] == (1, 28, 28, 1) and rows[-1]["params"] == models.count_params(G)
assert sum(r["params"] for r in rows[:-1]) == models.count_params(G)
fc_out = int(np.prod(byname["fc"]["output_shape"][1:]))
assert byname["fc"]["params"] == G.latent_dim * fc_out               # Linear without bias: BatchNorm's beta adds it
assert byname["bn0"]["params"] == 2 * fc_out                          # gamma and beta per feature
c_in, c_out = G.up1.conv.in_features, G.up1.conv.out_features
assert byname["up1"]["params"] == 3 * 3 * c_in * c_out + c_out       # a 3x3 conv to 4x the channels, plus biases
print(f"fc: {G.latent_dim} x {fc_out} = {byname['fc']['params']:,};  up1: 3*3*{c_in}*{c_out} + {c_out} = {byname['up1']['params']:,}")
key, sub = jax.random.split(key)
imgs = G(jax.random.normal(sub, (8, G.latent_dim)))
assert imgs.shape == (8, 28, 28, 1) and float(jnp.abs(imgs).max()) <= 1.0

# %% [markdown]
# ## 3. Three ways to upsample
#
# Each "up x2" is a *learned* upsampling from $H\times W\times C_{in}$ to $2H\times2W\times C_{out}$ (class
# `models.Upsample`, argument `mode`):
#
# 1. **Transposed convolution** (`"transpose"`, the classic DCGAN layer): every input pixel *stamps* a
#    $k\times k$ copy of the kernel, scaled by its value, onto the output at stride $s$:
#    $y[s\,i + a] \mathrel{+}= x[i]\,w[a]$. Output size $(H-1)s + k - 2p$; with $k=4$, $s=2$, $p=1$: $2H$.
# 2. **Resize, then convolve** (`"resize"`, Odena et al., 2016): repeat each pixel $2\times2$ (nearest
#    neighbour), then an ordinary $3\times3$ convolution.
# 3. **Sub-pixel convolution** (`"subpixel"`, Shi et al., 2016): an ordinary $3\times3$ convolution to $4C_{out}$
#    channels at the low resolution, then `depth_to_space` moves channel block $(a, b)$ to sub-pixel $(a, b)$ of
#    each $2\times2$ output cell. All the arithmetic happens at the low resolution.
#
# `depth_to_space` on one pixel with 4 channels:

# %%
# NBVAL_CHECK_OUTPUT
one_pixel = jnp.arange(1.0, 5.0).reshape(1, 1, 1, 4)         # channels 1, 2, 3, 4
print(models.depth_to_space(one_pixel)[0, :, :, 0])
assert jnp.array_equal(models.space_to_depth(models.depth_to_space(one_pixel)), one_pixel)

# %% [markdown]
# ### Checkerboard artefacts
#
# When the kernel size $k$ is not divisible by the stride $s$, the stamps of a transposed convolution **overlap
# unevenly** (Odena, Dumoulin and Olah, "Deconvolution and checkerboard artifacts", 2016). The cleanest way to see
# it: a constant image through a transposed convolution whose kernel is all ones. Every output pixel then counts
# how many stamps cover it. With $k=3$, $s=2$ a pixel is covered by 1 or 2 stamps along each axis, so the counts
# alternate $1, 2, 4$: a checkerboard, before any learning. With $k=4$, $s=2$ the interior is even (2 stamps per
# axis); resize-convolution and sub-pixel convolution are even by construction.

# %%
# NBVAL_CHECK_OUTPUT
flat = jnp.ones((1, 8, 8, 1))
def ones_layer(layer):
    layer.kernel[...] = jnp.ones_like(layer.kernel[...])
    return layer
up_layers = {
    "transposed conv, k=3, s=2": ones_layer(nnx.ConvTranspose(1, 1, (3, 3), strides=(2, 2), use_bias=False, rngs=nnx.Rngs(0))),
    "transposed conv, k=4, s=2": ones_layer(nnx.ConvTranspose(1, 1, (4, 4), strides=(2, 2), use_bias=False, rngs=nnx.Rngs(0))),
    "resize + 3x3 conv": ones_layer(models.Upsample(1, 1, mode="resize", rngs=nnx.Rngs(0)).conv),
    "sub-pixel 3x3 conv": ones_layer(models.Upsample(1, 1, mode="subpixel", rngs=nnx.Rngs(0)).conv),
}
outputs = {
    "transposed conv, k=3, s=2": up_layers["transposed conv, k=3, s=2"](flat),
    "transposed conv, k=4, s=2": up_layers["transposed conv, k=4, s=2"](flat),
    "resize + 3x3 conv": up_layers["resize + 3x3 conv"](jnp.repeat(jnp.repeat(flat, 2, 1), 2, 2)),
    "sub-pixel 3x3 conv": models.depth_to_space(up_layers["sub-pixel 3x3 conv"](flat)),
}
for name, y in outputs.items():
    centre = np.asarray(y[0, 6:10, 6:10, 0]).astype(int)
    print(f"{name:<27} output {tuple(y.shape[1:3])}, centre 4x4: {centre.tolist()}")

# %%
fig, axes = plt.subplots(1, 4, figsize=(14, 3.6))
for ax, (name, y) in zip(axes, outputs.items()):
    im = ax.imshow(np.asarray(y[0, :, :, 0]), cmap="magma", interpolation="nearest")
    ax.set_title(name, fontsize=10); ax.set_xticks([]); ax.set_yticks([])
    plt.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="overlap count")
fig.suptitle("A constant 8x8 image upsampled with all-ones kernels: uneven overlap = checkerboard", y=1.02)
plt.tight_layout(); plt.show()
assert len(np.unique(np.asarray(outputs["transposed conv, k=3, s=2"][0, 4:12, 4:12]))) == 3      # 1, 2, 4
for name in ("transposed conv, k=4, s=2", "resize + 3x3 conv", "sub-pixel 3x3 conv"):
    assert len(np.unique(np.asarray(outputs[name][0, 4:12, 4:12]))) == 1                           # even interior


# %% [markdown]
# Even overlap removes the *structural* checkerboard, not every periodic pattern: with random weights a sub-pixel
# convolution draws its four sub-pixels from four independent kernels, and a transposed convolution with $k=4$
# from four different $2\times2$ slices of its kernel; training must make them agree. Below, untrained generators
# of each mode (same seed, same latent codes). The number measures the $2\times2$ periodic pattern: the spread of
# the four sub-pixel means over the image, divided by the pixel standard deviation (0 = none).

# %%
def checkerboard_score(imgs):
    x = np.asarray(imgs)[..., 0]
    phase_means = np.stack([x[:, a::2, b::2].mean((1, 2)) for a in (0, 1) for b in (0, 1)], 1)   # (N, 4)
    return float(np.mean(phase_means.std(1) / (x.std((1, 2)) + 1e-8)))

key, sub = jax.random.split(key)
z16 = jax.random.normal(sub, (16, 64))
untrained = {}
for mode in models.UPSAMPLE_MODES:
    g_mode = models.DCGANGenerator(upsample=mode, rngs=nnx.Rngs(SEED))
    untrained[mode] = np.asarray(models.sample(g_mode, None, 16, z=z16))
fig, axes = plt.subplots(1, 3, figsize=(12, 4.4))
for ax, (mode, imgs) in zip(axes, untrained.items()):
    plots.show_images(imgs, nrow=4, ax=ax, title=f"untrained, upsample={mode!r}\ncheckerboard score {checkerboard_score(imgs):.2f}")
plt.tight_layout(); plt.show()


# %% [markdown]
# Read the scores: at initialisation the **sub-pixel** generator has the *strongest* $2\times2$ pattern, because its
# four sub-pixels come from four independent random kernels; the transposed one follows, and resize-convolution,
# which copies each pixel to all four sub-pixels before convolving, has almost none. The fix for sub-pixel layers
# is known (ICNR initialisation, Aitken et al., 2017: start the four kernels equal, which makes the layer exactly a
# resize-convolution at step 0), but training removes the pattern anyway: the pretrained sub-pixel generator in
# section 6 scores like real digits. The structural checkerboard of uneven overlap, in contrast, is built into
# the layer and training must fight it at every step.
#
# ### Speed on this CPU
#
# The three layers have (nearly) the same number of parameters and the same output shape, but not the same cost.
# We time a forward and backward pass (the gradient with respect to the weights and the input, as in training) of
# each `Upsample` mode at batch 128, for the generator's two upsampling layers, and of the whole generator.

# %%
def fwd_bwd_seconds(module, x, repeats):
    graphdef, state = nnx.split(module)
    # compiled as gan_utils compiles its training steps: devices.compiler_options() (notebook 05 explains it)
    @partial(jax.jit, compiler_options=devices.compiler_options())
    def loss_and_grads(state, x):           # gradients for the weights and the input, as in training
        m = nnx.merge(graphdef, state)
        return nnx.value_and_grad(lambda m, x: jnp.mean(m(x) ** 2), argnums=(0, 1))(m, x)
    jax.block_until_ready(loss_and_grads(state, x))           # compile (not timed)
    best = float("inf")
    for _ in range(repeats):                                   # best of `repeats`: least disturbed by other load
        t0 = time.perf_counter(); jax.block_until_ready(loss_and_grads(state, x)); best = min(best, time.perf_counter() - t0)
    return best

REPEATS = 1 if TESTING else 3
B = 128
key, k1, k2, k3 = jax.random.split(key, 4)
cases = {"7x7x128 -> 14x14x64": (128, 64, jax.random.normal(k1, (B, 7, 7, 128))),
         "14x14x64 -> 28x28x1": (64, 1, jax.random.normal(k2, (B, 14, 14, 64)))}
speed = {}
for mode in models.UPSAMPLE_MODES:
    for name, (cin, cout, xin) in cases.items():
        speed[mode, name] = fwd_bwd_seconds(models.Upsample(cin, cout, mode=mode, rngs=nnx.Rngs(0)), xin, REPEATS)
    speed[mode, "whole generator"] = fwd_bwd_seconds(models.DCGANGenerator(upsample=mode, rngs=nnx.Rngs(0)),
                                                     jax.random.normal(k3, (B, 64)), REPEATS)
cols = [*cases, "whole generator"]
print(f"forward + backward at batch {B}, best of {REPEATS}, milliseconds  "
      f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, {jax.default_backend()})")
print(f"{'mode':<10}" + "".join(f"{c:>22}" for c in cols))
for mode in models.UPSAMPLE_MODES:
    print(f"{mode:<10}" + "".join(f"{1000 * speed[mode, c]:>22.0f}" for c in cols))
whole = {m: 1000 * speed[m, "whole generator"] for m in models.UPSAMPLE_MODES}
print(f"whole generator on this machine, now: sub-pixel {whole['subpixel']:.0f} ms, resize {whole['resize']:.0f} ms, "
      f"transposed {whole['transpose']:.0f} ms ({whole['transpose'] / whole['subpixel']:.1f}x the sub-pixel time)")

# %% [markdown]
# **The choice of `gan_utils`.** On XLA:CPU the backward pass of a stride-2 transposed convolution is slow (it
# becomes a convolution with a dilated input, mostly multiplications by inserted zeros), while the sub-pixel
# layer is a plain stride-1 $3\times3$ convolution at the *low* resolution plus a reshape. The last line printed
# above compares the three whole generators on the machine running this notebook.
# Resize-convolution does the same number of multiply-adds as sub-pixel (a $3\times3$ convolution from $C_{in}$
# channels at $2H\times2W$ equals one to $4C_{out}$ channels at $H\times W$), but on an input four times larger
# with mostly repeated values: somewhat slower on the deep layer, much slower on the output layer (the table above). Sub-pixel
# convolution is as expressive as a transposed convolution (Shi et al., 2016) and has even overlap, so
# `DCGANGenerator` uses `upsample="subpixel"` by default; the other modes are there to compare.
#
# ## 4. BatchNorm, tanh, and data in $[-1, 1]$
#
# **BatchNorm** (Ioffe and Szegedy, 2015) normalises each feature over the batch, then rescales it with learned
# $\gamma, \beta$:
# $$\hat h = \frac{h - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}},\qquad \mathrm{BN}(h) = \gamma \hat h + \beta,\qquad
# \mu_B = \tfrac1B\sum_i h_i,\ \ \sigma_B^2 = \tfrac1B\sum_i (h_i - \mu_B)^2.$$
# It keeps every layer's input on a fixed scale whatever the weights do, which in DCGAN keeps the generator
# from collapsing all $z$ to one output early on. In training mode it uses the batch's statistics and updates
# running averages ($\text{running} \leftarrow 0.9\cdot\text{running} + 0.1\cdot\text{batch}$); in inference mode
# (`model.eval()`, used by `models.sample`) it uses the running averages, so a sample does not depend on the rest
# of its batch.

# %%
key, sub = jax.random.split(key)
zb = jax.random.normal(sub, (256, 64))
h = G.fc(zb)                                  # before BatchNorm
G.train()
h_bn = G.bn0(h)                               # training mode: batch statistics
print(f"before BN: feature means in [{float(h.mean(0).min()):.2f}, {float(h.mean(0).max()):.2f}], "
      f"stds in [{float(h.std(0).min()):.2f}, {float(h.std(0).max()):.2f}]")
print(f"after BN (gamma=1, beta=0 at init): |mean| <= {float(jnp.abs(h_bn.mean(0)).max()):.1e}, "
      f"stds in [{float(h_bn.std(0).min()):.3f}, {float(h_bn.std(0).max()):.3f}]")
assert float(jnp.abs(h_bn.mean(0)).max()) < 1e-4 and float(jnp.abs(h_bn.std(0) - 1).max()) < 1e-2
G2 = nnx.clone(G); G2.eval()                 # inference mode: the running averages (after one update here)
gap = float(jnp.abs(G2.bn0(h) - h_bn).max())
print(f"inference mode normalises with the running averages instead: max |train-mode - inference-mode output| = {gap:.2f}")
assert gap > 0.1
G.bn0.mean[...] = jnp.zeros_like(G.bn0.mean[...]); G.bn0.var[...] = jnp.ones_like(G.bn0.var[...])  # undo the running update

# %% [markdown]
# **tanh and the data range.** The last layer is $\tanh$, whose range is $(-1, 1)$; the data is scaled to match,
# $x = \text{pixel}/127.5 - 1$ (`data.to_unit_range`), so black is $-1$ and white is $+1$. The output layer can then
# reach every data value, symmetric around 0 where $\tanh$ is steepest, and the discriminator sees real and fake
# images on the same scale. (A sigmoid output with data in $[0, 1]$ would work too; DCGAN chose tanh, and the
# zero-centred range also suits the discriminator's first layer.)

# %%
# NBVAL_CHECK_OUTPUT
print([round(float(v), 4) for v in data.to_unit_range(np.array([0, 1, 127, 128, 255], np.uint8))])
print(data.to_uint8(np.array([-1.0, 0.0, 1.0])).tolist())

# %%
x_real, y_real = data.load_mnist("train", n=2000)
xr = data.to_unit_range(x_real)
key, sub = jax.random.split(key)
x_untrained = np.asarray(models.sample(G, sub, 2000))
fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
axes[0].hist(xr.ravel(), bins=60, range=(-1, 1), color=REAL_COLOR, alpha=0.7, density=True, label="real MNIST pixels")
axes[0].hist(x_untrained.ravel(), bins=60, range=(-1, 1), color=FAKE_COLOR, alpha=0.7, density=True, label="untrained G pixels")
axes[0].set(yscale="log", xlabel="pixel value", ylabel="density (log scale)", title="Pixel values in [-1, 1]")
axes[0].legend(fontsize=8)
zz = np.linspace(-4, 4, 200)
axes[1].plot(zz, np.tanh(zz), color=FAKE_COLOR, lw=2, label="tanh(a): the generator's output")
axes[1].axhspan(-1, 1, color=REAL_COLOR, alpha=0.08, label="range of the scaled data")
axes[1].set(xlabel="pre-activation a", ylabel="output", title="The output layer's range matches the data's")
axes[1].legend(fontsize=8)
plt.tight_layout(); plt.show()
print(f"real pixels: {np.mean(xr == -1):.0%} exactly -1 (background), mean {xr.mean():.2f}; "
      f"untrained G: mean {x_untrained.mean():.2f}, std {x_untrained.std():.2f}")
assert xr.min() == -1 and xr.max() == 1 and np.abs(x_untrained).max() < 1

# %% [markdown]
# ## 5. What an untrained generator draws
#
# At initialisation the weights are random, so the last layer's pre-activations are random mixtures of the latent
# code: $\tanh$ turns them into grey, speckled textures. They do vary with $z$, but nothing in them is a stroke on
# a black background. All the structure of a digit must come from training. A simple number tells them apart: the
# fraction of *background* pixels (below $-0.9$), about 80% for MNIST.

# %%
key, sub = jax.random.split(key)
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
plots.show_images(np.asarray(models.sample(G, sub, 64)), nrow=8, ax=axes[0], title="untrained generator: 64 samples")
plots.show_images(xr[:64], nrow=8, ax=axes[1], title="real MNIST: 64 images")
axes[0].title.set_color(FAKE_COLOR); axes[1].title.set_color(REAL_COLOR)
plt.show()
background = lambda imgs: float(np.mean(np.asarray(imgs) < -0.9))
print(f"background pixels (< -0.9): real {background(xr):.0%}, untrained G {background(x_untrained):.0%}")
assert background(x_untrained) < 0.5 < background(xr)

# %% [markdown]
# ## 6. The pretrained generator
#
# `gan_utils` ships a DCGAN trained with its own command line (the command is in the README; notebook 05 trains
# the same network live). It is the generator of this notebook at **half the width** (64 channels at 7x7 instead of
# 128: per minute of CPU the smaller pair learns faster, as notebook 05 measures), and what ships is a moving
# average of its weights over training. `checkpoint.load_pretrained()` rebuilds it from the config saved beside the
# weights (msgpack: loading executes no code).

# %%
pre = checkpoint.load_pretrained()
meta = checkpoint.load_meta(checkpoint.pretrained_dir())
Gp = pre.generator
print(f"pretrained: {meta['step']} steps at batch {meta['config']['batch_size']}, latent_dim {Gp.latent_dim}, "
      f"{Gp.base} channels at 7x7, {models.count_params(Gp):,} generator parameters")
key, sub = jax.random.split(key)
samples = np.asarray(models.sample(Gp, sub, 100))
plots.show_images(samples, nrow=10, title="pretrained generator: 100 samples")
plt.show()

# %%
# Check: valid images with digit statistics: mostly black background, and varied across z.
assert samples.shape == (100, 28, 28, 1) and np.abs(samples).max() <= 1
spread = float(np.std(samples, axis=0).mean())
print(f"background pixels: pretrained {background(samples):.0%}, untrained {background(x_untrained):.0%}, real {background(xr):.0%}; "
      f"pixel std across z: pretrained {spread:.2f}, real {float(xr.std(0).mean()):.2f}")
assert background(samples) > 0.6 and spread > 0.2
print(f"checkerboard score (section 3): pretrained {checkerboard_score(samples):.2f}, real digits {checkerboard_score(xr[:100]):.2f}, "
      f"untrained sub-pixel generator {checkerboard_score(untrained['subpixel']):.2f}")
assert checkerboard_score(samples) < checkerboard_score(untrained["subpixel"])

# %% [markdown]
# ### Latent interpolation
#
# Walk from $z_A$ to $z_B$ and draw $G$ along the way. If the generator has learned a smooth map, the digits morph
# continuously rather than jumping. Walk along the **great circle** (slerp) rather than the straight line: for
# $z \sim \mathcal N(0, I_{64})$, $\|z\| \approx \sqrt{64} = 8$ almost surely, and the straight line's midpoint of
# two independent codes has norm about $8/\sqrt2 \approx 5.7$, a region the generator never saw in training.

# %%
za, zb = (np.asarray(jax.random.normal(jax.random.key(s), (64,))) for s in (3, 7))
mid_lin = widgets.interpolate_latents(za, zb, 0.5, "linear")[0]
mid_slerp = widgets.interpolate_latents(za, zb, 0.5, "slerp")[0]
print(f"|z_A| = {np.linalg.norm(za):.2f}, |z_B| = {np.linalg.norm(zb):.2f}; midpoint: linear {np.linalg.norm(mid_lin):.2f}, "
      f"slerp {np.linalg.norm(mid_slerp):.2f}")
widgets.draw_interpolation(Gp, seed_a=3, seed_b=7, t=0.5, n=9)
plt.show()

# %%
# Interactive: pick two seeds and move t (needs a running kernel).
widgets.latent_interpolation(Gp, seed_a=3, seed_b=7, n=9)

# %% [markdown]
# ### A latent explorer
#
# Which directions in $z$ matter? At a point $z$ the Jacobian $J = \partial G(z)/\partial z$ ($784\times64$) says how
# each latent direction changes the image; its singular value decomposition $J = U\Sigma V^\top$ orders the
# directions: the first column of $V$ changes the image most, by $\sigma_1$ per unit step
# (`widgets.latent_directions`). The explorer moves $z$ along the top three; each row shows steps from $-3$ to $+3$.

# %%
z0 = np.asarray(jax.random.normal(jax.random.key(3), (64,)))
dirs, gains = widgets.latent_directions(Gp, z0, k=3)
print("singular values (pixel change per unit step):", [round(float(g), 2) for g in gains])
assert np.allclose(dirs @ dirs.T, np.eye(3), atol=1e-4) and gains[0] >= gains[1] >= gains[2]
widgets.draw_latent_explorer(Gp, z0, dirs, [1.5, 0.0, -1.5], gains)
plt.show()

# %%
# Interactive: pick a seed and move along the three steepest directions (needs a running kernel).
widgets.latent_explorer(Gp, seed=3, k=3)

# %% [markdown]
# ## Summary
#
# - A generator is a push-forward map; a ReLU MLP folds the plane piecewise-affinely and training bends it onto the data.
# - The DCGAN generator goes $z \to 7\times7\times128 \to 14\times14\times64 \to 28\times28\times1$; the table of
#   shapes and parameter counts comes from the model itself (`models.layer_table`).
# - Transposed convolutions with $k$ not divisible by $s$ overlap unevenly (counts $1, 2, 4$ for $k=3$, $s=2$);
#   resize-convolution and sub-pixel convolution do not. Sub-pixel is also the fastest on CPU, so `gan_utils` uses it.
# - BatchNorm normalises with batch statistics in training and running averages in inference; tanh's range
#   $(-1, 1)$ matches data scaled by $\text{pixel}/127.5 - 1$.
# - Untrained: grey speckle with almost no background. Pretrained: digits, with smooth interpolations and meaningful latent directions.
#
# ## Exercises
#
# 1. A transposed convolution with kernel $k=4$, stride $s=2$ and padding $p=1$ maps a $7\times7$ input to what
#    size? Store the side length in `answer_1` (an int).
# 2. How many parameters does `models.Upsample(64, 32, mode="subpixel")` have? Work it out by hand and store it in
#    `answer_2` (then check with `models.count_params`).
# 3. Write `scale_to_unit(pixels)` that maps uint8 pixels to float32 in $[-1, 1]$ as `data.to_unit_range` does.

# %%
# Your answers (replace the None's), then run the checker below.
answer_1 = None
answer_2 = None
def scale_to_unit(pixels):
    return None


# %%
def check_exercises(answer_1, answer_2, scale_to_unit, verbose=True):
    ok = [answer_1 == (7 - 1) * 2 + 4 - 2 * 1,
          answer_2 == models.count_params(models.Upsample(64, 32, mode="subpixel", rngs=nnx.Rngs(0)))]
    try:
        px = np.arange(256, dtype=np.uint8)
        got = np.asarray(scale_to_unit(px))
        ok.append(got.dtype == np.float32 and np.allclose(got, data.to_unit_range(px), atol=1e-6))
    except Exception:
        ok.append(False)
    if verbose:
        for i, good in enumerate(ok, 1):
            print(f"exercise {i}: {'correct' if good else 'not yet'}")
    return ok

check_exercises(answer_1, answer_2, scale_to_unit)
# The checker itself is tested with the reference answers:
assert all(check_exercises(14, 3 * 3 * 64 * 128 + 128, lambda p: (p.astype(np.float32) / 127.5 - 1), verbose=False))

# %% [markdown]
# <details><summary>Solutions</summary>
#
# 1. $(7-1)\cdot2 + 4 - 2\cdot1 = 14$.
# 2. A $3\times3$ convolution from 64 to $4\cdot32 = 128$ channels: $3\cdot3\cdot64\cdot128 + 128 = 73{,}856$.
# 3. `return pixels.astype(np.float32) / 127.5 - 1`.
# </details>
#
# **Next:** [04 The discriminator](04_discriminator.ipynb): the other player, a classifier of real and fake
# images, and why it must be trained with stable losses.
