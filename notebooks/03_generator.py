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

# %% [markdown] slideshow={"deck": {"notes": "Notebook 01 sampled by pushing noise through a map. Notebook 02 showed that the GAN game makes that push-forward match the data. Today we build the map: a neural network.\nMost numbers on the slides are saved outputs of the notebook. The toy GAN training is the slow part: we show it from the outputs.", "text": "# 03 The generator\n\nThe map $z \\mapsto G_\\theta(z)$ itself, built and checked:\n\n- a small MLP generator, and what ReLUs do to the plane\n- the DCGAN generator for 28x28 digits\n- three ways to upsample, and checkerboard artefacts\n- BatchNorm and $\\tanh$; untrained against pretrained samples\n- walking in latent space"}, "slide_type": "slide"}
# # 03 The generator
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gans-in-jax/blob/main/notebooks/03_generator.ipynb)
#
# Notebook 01 sampled by pushing noise through a map, $x = g(z)$. Notebook 02 showed that the GAN game makes the
# pushed-forward distribution match the data. This notebook builds the map itself: a neural network $G_\theta$.
#
# **You will learn**
#
# - what a small **MLP generator** does to 2-D noise;
# - the **DCGAN generator** for 28x28 digits;
# - three ways to **upsample**, **checkerboard artefacts**, and why `gan_utils` uses sub-pixel convolution;
# - **BatchNorm** in both its modes, and why the course's discriminator has none;
# - the **tanh** output, and data in $[-1, 1]$;
# - what **untrained** and **pretrained** generators draw; **latent interpolation** and a **latent explorer**.

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
import jax, jax.numpy as jnp, numpy as np, matplotlib.pyplot as plt
from flax import nnx
from gan_utils import checkpoint, data, devices, exercises, metrics, models, plots, steps, train, widgets
from gan_utils.plots import REAL_COLOR, FAKE_COLOR, D_COLOR
SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
course.style()  # the course's figure style; GAN_COURSE_PROJECTOR=1: projector mode, for a hall
print(f"JAX {jax.__version__} on {jax.devices()}")

# %% [markdown] slideshow={"deck": {"notes": "Recall notebook 01: a generator is a push-forward of noise. Here the map is a network with two hidden layers of 128 ReLU units.\nDiscussion question 1: why can a 64-number code not give a density over 784 pixels? Answer: the samples lie on an at most 64-dimensional set, so there is no density in pixel space.", "text": "## 1. From push-forward to a neural network\n\n$z \\sim \\mathcal N(0, I)$, then $x = G_\\theta(z)$ has the push-forward distribution $q_\\theta$.\n\nWe can **sample** $q_\\theta$; we cannot **evaluate** it. The GAN game needs only samples.\n\nA ReLU MLP for 2-D toy data:\n\n$$G(z) = W_3\\,\\mathrm{relu}\\big(W_2\\,\\mathrm{relu}(W_1 z + b_1) + b_2\\big) + b_3$$"}, "slide_type": "slide"}
# ## 1. From push-forward to a neural network
#
# A generator is a map $G_\theta: \mathbb R^{d_z} \to \mathbb R^{d_x}$. Its input $z$, the *latent code* (notebook
# 01's noise), lives in the *latent space*. Its output lives in the data space: $d_x = 2$ for the toy data below, 784
# pixels for a digit. Draw $z \sim \mathcal N(0, I)$; then $x = G_\theta(z)$ has the **push-forward** distribution
# $q_\theta$ (notebook 01). We usually cannot evaluate a density of $q_\theta$. Section 2's generator maps 64 numbers
# to 784 pixels, so its samples lie on an at most 64-dimensional set: no density at all. We only have samples, and the
# GAN game needs nothing more.
#
# For 2-D toy data a multilayer perceptron (MLP) with ReLU units is enough:
# $$h_1 = \mathrm{relu}(W_1 z + b_1),\quad h_2 = \mathrm{relu}(W_2 h_1 + b_2),\quad G(z) = W_3 h_2 + b_3,$$
# with $W_1 \in \mathbb R^{128\times 2}$, $W_2 \in \mathbb R^{128\times128}$, $W_3 \in \mathbb R^{2\times128}$. By hand, in
# `jax.numpy`:

# %% slideshow={"deck": {"big": {"find": "parameters: ([\\d,]+)", "say": "parameters of the MLP $2 \\to 128 \\to 128 \\to 2$, written by hand in `jax.numpy`"}}, "slide_type": "fragment"}
def init_mlp(key, sizes=(2, 128, 128, 2)):
    # weights with std 1/sqrt(fan_in), zero biases
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
# `gan_utils.models.MLPGenerator` is the same network as a Flax NNX module (Appendix F checks it).
#
# **What a ReLU network does to the plane.** Each first-layer ReLU unit is zero on one side of a line in $z$-space.
# Each second-layer unit is zero on one side of a bent, piecewise-linear curve. Together they cut the plane into convex
# pieces. On each piece $G$ is *affine*: it stretches, rotates and folds the plane.
#
# The figure pushes a latent grid and samples $z \sim \mathcal N(0, I)$ (left) through the untrained $G$ (middle), and
# through $G$ after 2,000 GAN steps on a ring of 8 Gaussians (right; `train.fit`, notebook 05's loop). The check below
# counts the samples near each mode. One sample already "covers" a mode, so coverage alone says little. Appendix I
# trains four more seeds: the share near a mode varies a lot.

# %% slideshow={"deck": {"figure": true, "notes": "Left: the latent grid and Gaussian samples. Middle: the untrained G; each ReLU cuts the plane along a line, and G is affine on each piece. Right: after 2000 GAN steps on a ring of 8 Gaussians.\nPoint at the grid lines: training stretches, rotates and folds the plane so that the mass goes to the modes. Some samples still sit on the bridges between modes.", "text": "### A ReLU network folds the plane; training bends it toward the data"}, "slide_type": "slide"}
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
    ax.legend(loc="upper right", fontsize=9, markerscale=3)

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

# %% slideshow={"deck": {"big": {"find": ", trained (\\d+%)", "say": "of the samples within 3 std of a mode after training, this run (untrained: 2%)"}, "notes": "Misconception: \"a trained toy GAN puts its mass on the modes\". Only 58% to 76% of the samples land near a mode, depending on the seed.\nConcept question 8: why is \"covers 8 of 8 modes\" weak on its own? Because one sample counts: the untrained generator already covers 4 of 8. Appendix I adds how evenly: over its 5 seeds the emptiest mode got as little as 0.45 of its even share.", "text": "### How much mass lands on the modes?\n\nOver 5 seeds (Appendix I): 58%, 61%, 59%, 66%, 76% of the samples near a mode.\n\n\"8 of 8 modes covered\" is a weak claim: one sample covers a mode."}, "slide_type": "slide"}
# Check: training moves much of the Gaussian mass onto the ring's modes (Appendix I repeats it for 4 more seeds).
from gan_utils.metrics import toy_mode_metrics
before = toy_mode_metrics(np.asarray(untrained_toy_G(z)), ring)
after = toy_mode_metrics(np.asarray(toy.generator(z)), ring)
print(f"samples within 3 std of a mode: untrained {before['high_quality_fraction']:.0%}, "
      f"trained {after['high_quality_fraction']:.0%}; modes covered: untrained {before['modes_covered']}/8, "
      f"trained {after['modes_covered']}/8")
print(f"samples within 3 std of each of the 8 modes, out of {len(z):,}:\nuntrained {before['mode_histogram']}, "
      f"trained {after['mode_histogram']}")
k_seeds = jax.random.fold_in(key, 3)   # Appendix I's four more seeds (`key` itself is not split)

# %% [markdown] slideshow={"deck": {"notes": "An MLP on 784 pixels would have to learn the same stroke at every position. A convolution reuses its weights everywhere.\nDCGAN (Radford et al., 2016) is the standard recipe. Each \"up x2\" is a learned upsampling: section 3. BN is BatchNorm: section 4.", "text": "## 2. The DCGAN generator for 28x28 digits\n\nA convolution shares one small kernel over all positions: a stroke is a stroke everywhere.\n\n$$z \\in \\mathbb R^{64} \\xrightarrow{\\text{Linear, BN, ReLU}} 7{\\times}7{\\times}128 \\xrightarrow{\\text{up}\\times2,\\ \\text{BN, ReLU}} 14{\\times}14{\\times}64 \\xrightarrow{\\text{up}\\times2,\\ \\tanh} 28{\\times}28{\\times}1$$\n\nStart small with many channels; double the size, reduce the channels."}, "slide_type": "slide"}
# ## 2. The DCGAN generator for 28x28 digits
#
# For images an MLP wastes parameters: it must learn separately that a stroke looks the same everywhere. A
# $k\times k$ **convolution** slides one small weight array, the *kernel*, over the image. Each output pixel is a
# weighted sum of the $k\times k$ input pixels around it, over all input *channels* (feature maps), with one kernel per
# output channel. With *stride* $s$ the kernel moves $s$ pixels at a time. So a convolution from $C_{in}$ to $C_{out}$
# channels has $k^2 C_{in} C_{out}$ weights plus $C_{out}$ biases. The first Linear layer has no bias: the BatchNorm
# after it adds one.
#
# A **convolutional** generator (DCGAN, Radford et al., 2016) starts from a small map with many channels. It doubles
# the map's size twice, halving the channels first and ending with one:
#
# $$z \in \mathbb R^{64} \xrightarrow{\text{Linear, BN, ReLU}} 7\times7\times128 \xrightarrow{\text{up}\times2,\ \text{BN, ReLU}} 14\times14\times64
# \xrightarrow{\text{up}\times2,\ \tanh} 28\times28\times1.$$
#
# BN is BatchNorm (section 4). Each "up x2" is a learned upsampling, here a sub-pixel convolution (section 3).
#
# `gan_utils.models.DCGANGenerator` is this network. With the default `extra=0`, its forward pass, `__call__`, comes down to three lines:
# ```python
# x = nnx.relu(self.bn0(self.fc(z))).reshape(z.shape[0], 7, 7, self.base)   # base = 128 channels
# x = nnx.relu(self.bn1(self.up1(x)))
# return jnp.tanh(self.up2(x))
# ```
# `models.layer_table` computes its table from the model, with shapes only (`jax.eval_shape`).

# %% slideshow={"deck": {"notes": "This table is not typed by hand: models.layer_table runs a forward pass of shapes only, with jax.eval_shape.\nMost parameters are in the first Linear layer, 64 times 6272. The last upsampling to one channel is tiny.\nAsk: why does the Linear layer have no bias? BatchNorm's beta adds one right after it.", "output": true, "text": "### Shapes and parameters, computed from the model"}, "slide_type": "slide"}
# NBVAL_CHECK_OUTPUT
G = models.DCGANGenerator(latent_dim=64, rngs=nnx.Rngs(SEED))
rows = models.layer_table(G, jax.ShapeDtypeStruct((1, G.latent_dim), jnp.float32))
print(models.format_layer_table(rows))

# %%
# Draw 8 images (Appendix J checks the table against the model and three counts against their formulas).
key, sub = jax.random.split(key)
imgs = models.sample(G, sub, 8)        # models.sample leaves G's BatchNorm state as it was (section 4)
assert imgs.shape == (8, 28, 28, 1)

# %% [markdown] slideshow={"deck": {"notes": "Three layers that all double the size and all learn. Transposed convolution is the classic DCGAN layer.\nA practical warning for students who port PyTorch code: PyTorch's padding p is not Flax's padding. The notebook checks that Flax's padding=1 gives 12x12, not 14x14.", "text": "## 3. Three ways to upsample ($H \\to 2H$)\n\n1. **Transposed convolution**: each input pixel stamps a $k\\times k$ copy of the kernel, at stride $s$\n2. **Resize, then convolve**: repeat each pixel $2\\times2$, then a $3\\times3$ convolution\n3. **Sub-pixel convolution**: a $3\\times3$ convolution to $4C_{out}$ channels at low resolution, then `depth_to_space`"}, "slide_type": "slide"}
# ## 3. Three ways to upsample
#
# Each "up x2" is a *learned* upsampling from $H\times W\times C_{in}$ to $2H\times2W\times C_{out}$
# (`models.Upsample`, argument `mode`):
#
# 1. **Transposed convolution** (`"transpose"`, the classic DCGAN layer). Every input pixel *stamps* a $k\times k$
#    copy of the kernel, scaled by its value, onto the output at stride $s$: $y[s\,i + a] \mathrel{+}= x[i]\,w[a]$.
#    The stamps cover $(H-1)s + k$ pixels. PyTorch's `ConvTranspose2d(padding=p)` crops $p$ from each border, so
#    $k=4$, $s=2$, $p=1$ give $(H-1)s + k - 2p = 2H$.
# 2. **Resize, then convolve** (`"resize"`, Odena et al., 2016): repeat each pixel $2\times2$, then apply an ordinary
#    $3\times3$ convolution.
# 3. **Sub-pixel convolution** (`"subpixel"`, Shi et al., 2016): an ordinary $3\times3$ convolution to $4C_{out}$
#    channels at the low resolution. Then `depth_to_space` moves channel block $(a, b)$ to sub-pixel $(a, b)$ of each
#    $2\times2$ output cell. All the arithmetic happens at the low resolution.

# %% [markdown]
# `depth_to_space` on one pixel with 4 channels:

# %% slideshow={"deck": {"code": true, "notes": "Channels 1, 2, 3, 4 of one pixel become a 2x2 block. All the arithmetic of a sub-pixel layer happens at the low resolution; this rearranging is free.\nspace_to_depth is its exact inverse, and the assert checks it.", "output": true, "text": "### `depth_to_space`: 4 channels become one $2\\times2$ cell"}, "slide_type": "slide"}
# NBVAL_CHECK_OUTPUT
one_pixel = jnp.arange(1.0, 5.0).reshape(1, 1, 1, 4)         # channels 1, 2, 3, 4
print(models.depth_to_space(one_pixel)[0, :, :, 0])
assert jnp.array_equal(models.space_to_depth(models.depth_to_space(one_pixel)), one_pixel)

# %% [markdown] slideshow={"deck": {"notes": "Concept question 1, ask before the next slide: predict the pattern of counts for k = 3, s = 2, and for k = 4, s = 2.\nAnswer on the next slide: for k = 3 the counts alternate 1, 2, 4, a checkerboard before any learning. For k = 4 the interior is even.", "text": "### Checkerboard artefacts\n\nIf $k$ is not divisible by $s$, the stamps of a transposed convolution **overlap unevenly**.\n\nTest: a constant image, a kernel of all ones. Each output pixel counts the stamps that cover it."}, "slide_type": "slide"}
# ### Checkerboard artefacts
#
# When the kernel size $k$ is not divisible by the stride $s$, the stamps of a transposed convolution **overlap
# unevenly** (Odena, Dumoulin and Olah, 2016). To see it, pass a constant image through one whose kernel is all ones.
# Every output pixel then counts the stamps that cover it. With $k=3$, $s=2$ a pixel is covered by 1 or 2 stamps along
# each axis, so the counts alternate $1, 2, 4$: a checkerboard, before any learning. With $k=4$, $s=2$ the interior is
# even, with 2 stamps per axis. Resize-convolution and sub-pixel convolution are even by construction. All four layers
# below use Flax's default padding, `"SAME"`: it crops the transposed stamps to exactly $2H$ and keeps an ordinary convolution's size, so each output is $16\times16$
# (Appendix G compares PyTorch's padding).

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
print(f"{'layer':<25}  {'output':<8}  centre 4x4")
for name, y in outputs.items():
    centre = np.asarray(y[0, 6:10, 6:10, 0]).astype(int)
    print(f"{name:<25}  {tuple(y.shape[1:3])!s:<8}  {centre.tolist()}")

# %% slideshow={"deck": {"figure": true, "notes": "Only the k = 3 transposed convolution has the pattern. The k = 4 one, resize-convolution and sub-pixel convolution are even inside; only the borders differ.\nThis is the structural checkerboard of Odena, Dumoulin and Olah (2016).", "text": "### Uneven overlap = checkerboard, before any learning"}, "slide_type": "slide"}
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
# At the borders fewer stamps or kernel taps fall inside the image, so the counts drop there. Even overlap removes the
# *structural* checkerboard, not every periodic pattern. Untrained, a sub-pixel layer draws its four sub-pixels from
# four independent kernels; a $k=4$ transposed layer, from four $2\times2$ slices of its kernel. Training must make
# them agree. Below are three untrained generators, one per `mode` (same seed, same codes). The **checkerboard score**
# measures the $2\times2$ pattern: the spread of the four sub-pixel means, divided by the pixel standard deviation
# (0 = none).

# %% slideshow={"deck": {"big": {"find": "subpixel, 5 initial seeds: .*\\(mean ([\\d.]+)\\)", "say": "mean checkerboard score, untrained sub-pixel, over 5 seeds (transposed 0.51, resize 0.04)"}, "figure": true, "notes": "Misconception: \"sub-pixel convolution has no checkerboard\". Untrained, its four sub-pixels come from four independent kernels, so it has a 2x2 pattern: mean score 0.40, against 0.51 for transposed and 0.04 for resize.\nThe score is the spread of the four sub-pixel means over the pixel std (0 = none). The titles show one seed, 0.51 and 0.36; which of the two is stronger depends on the seed.\nConcept question 2 asks exactly this. Training removes the pattern: we see it at the end.", "text": "### Even overlap is not enough: three untrained generators"}, "slide_type": "slide"}
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
scores = {mode: checkerboard_score(imgs) for mode, imgs in untrained.items()}
fig, axes = plt.subplots(1, 3, figsize=(12, 4.4))
for ax, (mode, imgs) in zip(axes, untrained.items()):
    plots.show_images(imgs[:4], nrow=2, ax=ax, title=f"untrained, upsample={mode!r}\ncheckerboard score {scores[mode]:.2f}")
plt.tight_layout(); plt.show()
print("checkerboard score at initialisation: " + ", ".join(f"{m} {v:.2f}" for m, v in scores.items()))
# One initialisation is one draw: the same scores for 5 initial seeds (same latent codes)
seed_scores = {mode: np.array([checkerboard_score(models.sample(models.DCGANGenerator(
    upsample=mode, rngs=nnx.Rngs(SEED + i)), None, 16, z=z16)) for i in range(5)]) for mode in models.UPSAMPLE_MODES}
for mode, v in seed_scores.items():
    print(f"{mode:>9}, 5 initial seeds: " + " ".join(f"{x:.2f}" for x in v) + f"  (mean {v.mean():.2f})")
strongest = int(np.sum(seed_scores["subpixel"] > seed_scores["transpose"]))
print(f"sub-pixel above transposed in {strongest} of 5 seeds")
# what holds for every seed: resize-convolution has almost no pattern, the two others a clear one
assert seed_scores["resize"].max() < 0.1, seed_scores
assert min(seed_scores["subpixel"].min(), seed_scores["transpose"].min()) > 2 * seed_scores["resize"].max(), seed_scores

# %% [markdown] slideshow={"deck": {"notes": "Each output pixel of the k = 4 transposed layer reads a 2x2 window of the input, which lies inside the sub-pixel layer's 3x3 window. So no expressiveness is lost.\nThe notebook builds the sub-pixel weights from a random transposed layer: the outputs agree to float32 rounding, 4.8e-07.\nDiscussion question 2: the sub-pixel layer has 2.25 times the parameters. When is that a fair price? (Concept question 3.)", "text": "### Why `gan_utils` uses sub-pixel convolution\n\n- a $3\\times3$ sub-pixel layer can represent **any** $4\\times4$ stride-2 transposed layer\n- the price: more parameters\n- the gain: speed; the transposed generator trains several times slower on the course's CPUs"}, "slide_type": "slide"}
# You see contrast and texture: faint streaks (transposed), smooth blobs (resize). The $2\times2$ pattern is hard to
# see; the score measures it. The titles show one seed; over 5 initial seeds the sub-pixel and transposed means are
# 0.40 and 0.51, and which is stronger depends on the seed. Resize-convolution copies each pixel to all four
# sub-pixels before convolving, so it has almost none (mean 0.04). Training removes the pattern (section 6). Appendix
# A's ICNR initialisation removes it from the start.
#
# ### Why `gan_utils` uses sub-pixel convolution
#
# A $3\times3$ sub-pixel layer can represent any $4\times4$ stride-2 transposed layer (Shi et al., 2016,
# [arXiv](https://arxiv.org/abs/1609.07009)). Each output pixel of the transposed layer reads a $2\times2$ window of the
# input, inside the sub-pixel layer's $3\times3$ window. Appendix K builds the sub-pixel weights from a random
# transposed layer: the outputs agree to float32 rounding. The price is more parameters: $3\cdot3\cdot4 = 36$ weights
# per channel pair against $4\cdot4 = 16$, so 2.25 times as many (the cell below).
#
# Both layers overlap evenly, so speed decides. Appendix B times them: on the course's CPUs the transposed generator
# trains several times slower, and the resize one is slower too. So `DCGANGenerator` uses `upsample="subpixel"` by
# default.

# %% slideshow={"deck": {"big": {"find": "sub-pixel / transposed = ([\\d.]+x)", "say": "parameters of the sub-pixel layer against the transposed one, for the 128-to-64 layer"}}, "slide_type": "fragment"}
n_up = {m: models.count_params(models.Upsample(128, 64, mode=m, rngs=nnx.Rngs(0))) for m in ("subpixel", "transpose")}
print(f"parameters for the 128->64 layer: sub-pixel / transposed = {n_up['subpixel'] / n_up['transpose']:.2f}x")

# %% [markdown] slideshow={"deck": {"notes": "BatchNorm keeps each layer's input on a fixed scale. DCGAN found it critical for deep generators.\nThe notebook writes it by hand as a pure function and checks it against Flax's nnx.BatchNorm in both modes: they agree to float32 rounding.\nRunning averages use momentum 0.9 in the course's generator.", "text": "## 4. BatchNorm\n\n$$\\mathrm{BN}(h) = \\gamma\\,\\frac{h - \\mu_B}{\\sqrt{\\sigma_B^2 + \\varepsilon}} + \\beta$$\n\n- **training mode**: batch statistics $\\mu_B, \\sigma_B^2$; updates running averages\n- **inference mode**: the running averages; a sample ignores its batch"}, "slide_type": "slide"}
# For the 128-to-64 layer the sub-pixel layer has 2.25 times the parameters of the transposed one.
#
# ## 4. BatchNorm, tanh, and data in $[-1, 1]$
#
# **BatchNorm** (Ioffe and Szegedy, 2015) normalises each feature over a batch of $B$ samples $h_1, \dots, h_B$, then
# rescales it with learned $\gamma, \beta$:
# $$\hat h = \frac{h - \mu_B}{\sqrt{\sigma_B^2 + \varepsilon}},\qquad \mathrm{BN}(h) = \gamma \hat h + \beta,\qquad
# \mu_B = \tfrac1B\sum_i h_i,\ \ \sigma_B^2 = \tfrac1B\sum_i (h_i - \mu_B)^2.$$
# On a feature map (B, H, W, C) a feature is a channel, so `bn1` has $2\cdot64 = 128$ parameters. BatchNorm keeps every
# layer's input on a fixed scale, whatever the weights do. DCGAN found it critical for deep generators.
#
# BatchNorm has **two modes**. *Training* mode uses the batch's statistics and updates running averages:
# $\text{running} \leftarrow 0.9\cdot\text{running} + 0.1\cdot\text{batch}$ in the course's generator. *Inference* mode
# (`model.eval()`) uses the running averages, so a sample does not depend on its batch. Below is BatchNorm by hand, as a
# pure function, checked against Flax's `nnx.BatchNorm` in both modes.

# %%
def batchnorm(h, gamma, beta, running_mean, running_var, *, train, momentum=0.9, eps=1e-5):
    # h: (B, F). Returns (output, (new running mean, new running var)); inference mode leaves them as they were.
    if train:
        mu, var = h.mean(0), h.var(0)                       # biased variance (1/B), as in the formula above
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        mu, var = running_mean, running_var
    return gamma * (h - mu) / jnp.sqrt(var + eps) + beta, (running_mean, running_var)

key, sub, k_gb = jax.random.split(key, 3)
zb = jax.random.normal(sub, (256, 64))
h = G.fc(zb)                                   # the generator's first layer, before its BatchNorm: (256, 6272)
F = h.shape[1]
gamma, beta = 1 + 0.1 * jax.random.normal(k_gb, (F,)), jnp.linspace(-0.5, 0.5, F)   # not the trivial 1 and 0
bn = nnx.BatchNorm(F, momentum=G.bn0.momentum, rngs=nnx.Rngs(0))   # the generator's momentum, 0.9 (asserted below)
# a fresh layer, not the generator's: no running statistic leaks into later cells
bn.scale[...], bn.bias[...] = gamma, beta
stats = (bn.mean[...], bn.var[...])            # Flax's initial running mean and variance: 0 and 1 (asserted below)
assert G.bn0.momentum == G.bn1.momentum == 0.9 and not stats[0].any() and bool((stats[1] == 1).all())

bn.train()
out_flax = bn(h)
out_hand, stats = batchnorm(h, gamma, beta, *stats, train=True)
train_gap = float(jnp.abs(out_flax - out_hand).max())
stat_gap = max(float(jnp.abs(bn.mean[...] - stats[0]).max()), float(jnp.abs(bn.var[...] - stats[1]).max()))
bn.eval()
out_flax_eval = bn(h[:5])                      # inference mode: 5 samples, normalised with the running averages
out_hand_eval, _ = batchnorm(h[:5], gamma, beta, *stats, train=False)
eval_gap = float(jnp.abs(out_flax_eval - out_hand_eval).max())
alone_gap = float(jnp.abs(bn(h[:1]) - out_flax_eval[:1]).max())     # one sample alone: the same output in eval mode
train_alone = float(jnp.abs(batchnorm(h[:5], gamma, beta, *stats, train=True)[0][0] - out_hand[0]).max())

# %% slideshow={"deck": {"big": {"find": "batch of 256 vs a batch of 5: outputs differ by up to ([\\d.]+)", "say": "largest change of one sample's output, in a batch of 256 against a batch of 5 (inference mode: 0)"}, "notes": "Concept question 4: does a sample's BatchNorm output depend on the other samples of its batch? In training mode yes, by up to 2.37 here; in inference mode not at all.\nSo models.sample always runs an inference-mode copy: samples drawn during training neither depend on their batch nor change the running averages.", "text": "### In training mode, a sample depends on its batch"}, "slide_type": "slide"}
# Check: the hand-written BatchNorm equals Flax's in training mode (outputs and updated running statistics) and
# in inference mode; in inference mode a sample's output does not depend on its batch, in training mode it does.
print(f"before BN: feature means in [{float(h.mean(0).min()):.2f}, {float(h.mean(0).max()):.2f}], "
      f"stds in [{float(h.std(0).min()):.2f}, {float(h.std(0).max()):.2f}]")
print(f"training mode:  max |Flax - by hand| = {train_gap:.1e} (outputs), {stat_gap:.1e} (running statistics)")
print(f"inference mode: max |Flax - by hand| = {eval_gap:.1e}; one sample alone vs in a batch of 5: {alone_gap:.1e}")
print(f"training mode, the same sample in a batch of 256 vs a batch of 5: outputs differ by up to {train_alone:.2f}")
assert train_gap < 1e-4 and stat_gap < 1e-5 and eval_gap < 1e-4 and alone_gap < 1e-5 and train_alone > 0.1

# %% [markdown] slideshow={"deck": {"notes": "Misconception: \"BatchNorm in the discriminator is harmless\". D can then use batch statistics instead of judging each image. Notebook 04 measures how far it moves the verdict on one real digit.\nConcept question 5: why does the course's D have no BatchNorm, although DCGAN's had one? Gulrajani et al. (2017) dropped it for the gradient penalty.", "text": "### Why the course's discriminator has no BatchNorm\n\n- DCGAN put BatchNorm in $D$ too\n- $D$ sees batches that are **all real** or **all fake**\n- with BatchNorm, one image's verdict depends on its batch\n- per-sample penalties (notebook 07) lose their meaning"}, "slide_type": "slide"}
# The last line is why sampling needs inference mode: in training mode a sample's output depends on its batch.
# `models.sample` therefore runs an inference-mode copy (`models.inference_copy`), which also leaves the running
# averages alone.
#
# **Why the course's discriminator has no BatchNorm.** DCGAN's discriminator had BatchNorm; the course's (notebook 04)
# has none. $D$ sees batches that are all real or all fake, so with BatchNorm it could judge the batch's statistics,
# not each image. Notebook 04 measures the effect on one real digit's verdict.

# %% [markdown] slideshow={"deck": {"notes": "Concept question 6: which values do pixels 0, 128 and 255 get? Let the class compute, then show the fragment.\nBoth ranges are centred on 0, where tanh is steepest. Real and fake images reach D on one scale.", "text": "### The output layer: $\\tanh$, and data in $[-1, 1]$\n\n$$x = \\text{pixel}/127.5 - 1 \\qquad \\text{black} = -1,\\ \\text{white} = +1$$\n\n$\\tanh$ has the range $(-1, 1)$: the output can come as close as we like to every data value, background included."}, "slide_type": "slide"}
# **tanh and the data range.** The last layer is $\tanh$, with range $(-1, 1)$. The data is scaled to match,
# $x = \text{pixel}/127.5 - 1$ (`data.to_unit_range`): black is $-1$, white is $+1$. The output can then come
# arbitrarily close to every data value, including the background at exactly $-1$. Both ranges are centred on 0, where
# $\tanh$ is steepest. Appendix H plots the pixel values of real digits and of the untrained generator.

# %% slideshow={"deck": {"output": true}, "slide_type": "fragment"}
# NBVAL_CHECK_OUTPUT
print([round(float(v), 4) for v in data.to_unit_range(np.array([0, 1, 127, 128, 255], np.uint8))])
print(data.to_uint8(np.array([-1.0, 0.0, 1.0])).tolist())

# %%
x_real, y_real = data.load_mnist("train", n=2000)
xr = data.to_unit_range(x_real)
key, sub = jax.random.split(key)
x_untrained = np.asarray(models.sample(G, sub, 2000))
assert xr.min() == -1 and xr.max() == 1 and np.abs(x_untrained).max() < 1

# %% [markdown]
# ## 5. What an untrained generator draws
#
# At initialisation the weights are random (Appendix C compares two ways to draw them), so the last layer's
# pre-activations are random mixtures of the latent code. $\tanh$ turns them into grey, speckled textures. They vary
# with $z$, but none is a stroke on a black background. One number tells them apart: the fraction of *background*
# pixels, those below $-0.9$.

# %% slideshow={"deck": {"figure": true, "notes": "Grey speckle that varies with z, but no stroke on a black background. One number tells them apart: the fraction of background pixels, below -0.9.\nIt is 82% for real digits and 0% for the untrained generator. This is the starting point of every training run in notebook 05.", "text": "## 5. What an untrained generator draws"}, "slide_type": "slide"}
key, sub = jax.random.split(key)
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
plots.show_images(np.asarray(models.sample(G, sub, 64)), nrow=8, ax=axes[0], title="untrained generator: 64 samples")
plots.show_images(xr[:64], nrow=8, ax=axes[1], title="real MNIST: 64 images")
axes[0].title.set_color(FAKE_COLOR); axes[1].title.set_color(REAL_COLOR)
plt.show()
background = lambda imgs: float(np.mean(np.asarray(imgs) < -0.9))
spread_untrained = float(np.std(x_untrained, axis=0).mean())
print(f"background pixels (< -0.9): real {background(xr):.0%}, untrained G {background(x_untrained):.0%};\n"
      f"pixel std across z: untrained G {spread_untrained:.2f}, real {float(xr.std(0).mean()):.2f}")
assert 0.75 < background(xr) < 0.9 and background(x_untrained) < 0.05 and spread_untrained > 0.05

# %% [markdown]
# Real digits have 82% background pixels, the untrained generator 0%.

# %% [markdown]
# ## 6. The pretrained generators
#
# `gan_utils` ships a trained generator of this architecture, the **plain DCGAN**
# (`checkpoint.load_pretrained(kind="dcgan")`); notebook 05 trains the same network live. It has **half the width**
# of the generator above: 64 channels at 7x7, not 128 (notebook 05's Appendix B explains why).

# %% slideshow={"deck": {"figure": true, "notes": "Shipped with gan_utils: the same architecture at half width, 64 channels at 7x7, 282,052 generator parameters. It trained for 10000 steps at batch 64; its weights are an exponential moving average with decay 0.999 (notebook 07).\nNothing trains in class: checkpoint.load_pretrained(kind=\"dcgan\") loads it.", "text": "## 6. The pretrained plain DCGAN: 100 samples"}, "slide_type": "slide"}
pre = checkpoint.load_pretrained(kind="dcgan")   # rebuilt from its saved config (msgpack: loading runs no code)
meta = checkpoint.load_meta(checkpoint.pretrained_dir("dcgan"))
Gp = pre.generator
print(f"pretrained: {meta['step']} steps at batch {meta['config']['batch_size']}, latent_dim {Gp.latent_dim}, "
      f"{Gp.base} channels at 7x7,\n{models.count_params(Gp):,} generator parameters, "
      f"weights averaged with EMA decay {meta['config']['ema']}")
assert Gp.base == G.base // 2 and 0 < meta["config"]["ema"] < 1
key, sub = jax.random.split(key)
samples = np.asarray(models.sample(Gp, sub, 100))
plots.show_images(samples, nrow=10, title="the plain DCGAN (pretrained): 100 samples")
plt.show()

# %% slideshow={"deck": {"big": {"find": "checkerboard score \\(section 3\\): pretrained ([\\d.]+)", "say": "checkerboard score of the pretrained sub-pixel generator (real digits: 0.01, untrained: 0.51)"}, "notes": "Background pixels: 80% for the pretrained samples, 82% for real digits. Training removed the sub-pixel pattern: the score is that of real digits.\nDiscussion question 3: what does a hybrid digit, a 4 that is also a 9, say about the map z to G(z)? It is continuous: between a 4 region and a 9 region of z-space it must pass through something in between.", "text": "### Trained: real background, no checkerboard\n\nMost samples are digits. Some are two digits at once: a 4 that is also a 9."}, "slide_type": "slide"}
# Check: valid images with digit statistics: mostly black background, and varied across z.
assert samples.shape == (100, 28, 28, 1) and np.abs(samples).max() <= 1
spread = float(np.std(samples, axis=0).mean())
print(f"background pixels: pretrained {background(samples):.0%}, untrained {background(x_untrained):.0%}, real {background(xr):.0%};\n"
      f"pixel std across z: pretrained {spread:.2f}, real {float(xr.std(0).mean()):.2f}")
assert background(samples) > 0.6 and spread > 0.2
print(f"checkerboard score (section 3): pretrained {checkerboard_score(samples):.2f}, real digits {checkerboard_score(xr[:100]):.2f},\n"
      f"untrained sub-pixel generator {checkerboard_score(untrained['subpixel']):.2f}")
assert abs(checkerboard_score(samples) - checkerboard_score(xr[:100])) < 0.02

# %% [markdown] slideshow={"deck": {"notes": "Concept question 7, ask first: about how long is z? How long is the straight-line midpoint of two independent codes?\nIn 64 dimensions the Gaussian mass sits on a thin shell: over 100,000 draws the norm has mean 7.97 and std 0.71. Codes as short as the linear midpoint are rare in training.", "text": "### Latent interpolation: straight line or great circle?\n\nFor $z \\sim \\mathcal N(0, I_{64})$: $\\|z\\| \\approx \\sqrt{64} = 8$.\n\n- straight line: the midpoint of two codes is **short**, about $8/\\sqrt2$\n- **slerp** moves on the great circle and keeps the norm"}, "slide_type": "slide"}
# The pretrained weights are an exponential moving average (EMA, notebook 07) of the training weights. Each step keeps
# 0.999 of the average, so it mostly reflects the last $1/(1 - 0.999) = 1000$ of the 10,000 steps.
#
# Most samples are digits, with nearly real digits' background fraction (80% against 82%) and checkerboard score
# (0.01). Some are two digits at once, such as a 4 that is also a 9. The package's *default* generator,
# `checkpoint.load_pretrained()`, draws far fewer such hybrids. But it picks a digit cluster from $z$, so a walk in
# its $z$ jumps between digits (Appendix D). We walk the plain one.
#
# ### Latent interpolation
#
# Walk from $z_A$ to $z_B$ and draw $G$ along the way. If $G$ is smooth, the digits morph rather than jump. We use
# spherical linear interpolation (**slerp**, White, 2016). With $\omega$ the angle between the two codes,
# $$z_t = \frac{\sin((1-t)\,\omega)}{\sin\omega}\,z_A + \frac{\sin(t\,\omega)}{\sin\omega}\,z_B,\qquad 0 \le t \le 1.$$
# It follows the great circle, not the straight line, and keeps the norm near the codes' own. For
# $z \sim \mathcal N(0, I_{64})$ the norm $\|z\|$ is near $\sqrt{64} = 8$. Two independent codes are nearly
# orthogonal, so the straight line's midpoint has norm about $\sqrt{8^2 + 8^2}/2 = 8/\sqrt2 \approx 5.7$, rare in
# training. Appendix E measures how rare, and whether the digits there are worse (barely).

# %% slideshow={"deck": {"big": {"find": "midpoint: linear ([\\d.]+)", "say": "norm of the straight-line midpoint; slerp's is 7.91, and $\\|z\\|$ has mean 7.97"}, "figure": true, "notes": "Misconception: \"the straight line between two codes is a typical path\". Its midpoint has norm 6.05, the slerp midpoint 7.91, while the norm of z has mean 7.97.\nEach of the 8 steps changes the image by 0.15 to 0.35 of the whole change: no single jump. Live: the widget below this cell moves t and changes the seeds.", "text": "### Walk from seed 3 to seed 7: the digit morphs, it does not jump"}, "slide_type": "slide"}
za, zb = (np.asarray(jax.random.normal(jax.random.key(s), (64,))) for s in (3, 7))
mid_lin = widgets.interpolate_latents(za, zb, 0.5, "linear")[0]
mid_slerp = widgets.interpolate_latents(za, zb, 0.5, "slerp")[0]
print(f"|z_A| = {np.linalg.norm(za):.2f}, |z_B| = {np.linalg.norm(zb):.2f}; midpoint: linear {np.linalg.norm(mid_lin):.2f}, "
      f"slerp {np.linalg.norm(mid_slerp):.2f}")
norms = np.linalg.norm(np.random.default_rng(0).standard_normal((100_000, Gp.latent_dim)), axis=1)
print(f"|z| over 100,000 draws of N(0, I_{Gp.latent_dim}): mean {norms.mean():.2f}, std {norms.std():.2f}")
assert abs(norms.mean() - 8) < 0.1 and norms.std() < 1   # (the pair's midpoint is one draw: Appendix E takes 200 pairs)

widgets.draw_interpolation(Gp, seed_a=3, seed_b=7, t=0.5, n=9)
plt.show()
frames = np.asarray(models.sample(Gp, None, 9, z=jnp.asarray(widgets.interpolate_latents(za, zb, np.linspace(0, 1, 9)))))
frame_steps = np.linalg.norm(np.diff(frames.reshape(9, -1), axis=0), axis=1) / np.linalg.norm((frames[-1] - frames[0]).ravel())
print("L2 change between consecutive frames of the strip, as a fraction of the change\nfrom the first to the last:",
      [round(float(v), 2) for v in frame_steps])
print(f"largest step: frame {frame_steps.argmax()} -> {frame_steps.argmax() + 1}, {frame_steps.max():.2f} of the whole change")
assert frame_steps.max() < 0.5

# %% [markdown]
# Over 100,000 draws $\|z\|$ has mean 7.97 and standard deviation 0.71. Each of the 8 steps along the strip changes
# the image by 15-35% of the end-to-end change. They add up to more than the whole change, because the path through
# image space is curved. No single step carries most of the change. The widget below starts from the same strip.

# %%
# Interactive: pick two seeds and move t (needs a running kernel).
widgets.latent_interpolation(Gp, seed_a=3, seed_b=7, n=9)

# %% [markdown]
# ### A latent explorer
#
# Which directions in $z$ matter? The Jacobian $J = \partial G(z)/\partial z$ ($784\times64$) says how a small change
# of $z$ changes the image; `widgets.latent_directions` computes it with `jax.jacfwd`. Among all unit directions in
# $z$, one changes the image most: $d_1$, with **gain** $s_1$, the L2 change of the image per unit step. At right
# angles to $d_1$, $d_2$ changes it most, and so on. The singular value decomposition of $J$ gives these directions;
# the gains are its *singular values*. The cell checks them with finite steps, and against random directions.
#
# The large image is $G(z + d_1 - d_3)$ (its title). Each row moves one direction from $-3$ to $+3$ and keeps the
# other two at the title's amounts, so each row's boxed frame is the large image. The interactive explorer below
# starts at $z$ itself, so its boxed frames show $G(z)$, another digit.

# %% slideshow={"deck": {"big": {"find": "changes the image ([\\d.]+x) as much", "say": "the image change along the top direction, against an average random direction"}, "figure": true, "notes": "The Jacobian of G at z is 784 by 64; its singular vectors are the latent directions that change the image most. The top gain is 28.18, checked by a finite step.\nEach row walks one direction from -3 to +3. Direction 1 turns a 1 into a 6: a few directions carry most of the change. Live, if time allows: the explorer widget below the cell.", "text": "### A latent explorer: the steepest directions of $G$ at $z$"}, "slide_type": "slide"}
z0 = np.asarray(jax.random.normal(jax.random.key(3), (64,)))
dirs, gains = widgets.latent_directions(Gp, z0, k=3)
print("singular values (L2 norm of the image change per unit step, to first order):", [round(float(g), 2) for g in gains])
assert np.allclose(dirs @ dirs.T, np.eye(3), atol=1e-4) and gains[0] >= gains[1] >= gains[2]
# Finite steps of size eps along the top direction and along 20 random unit directions, on the real generator.
eps = 0.1
image_of = lambda zs: np.asarray(models.sample(Gp, None, len(zs), z=jnp.asarray(zs, jnp.float32))).reshape(len(zs), -1)
rand_dirs = np.random.default_rng(0).standard_normal((20, Gp.latent_dim))
rand_dirs /= np.linalg.norm(rand_dirs, axis=1, keepdims=True)
g0 = image_of(z0[None])
change_top = np.linalg.norm(image_of(z0[None] + eps * dirs) - g0, axis=1) / eps
change_rand = np.linalg.norm(image_of(z0[None] + eps * rand_dirs) - g0, axis=1) / eps
print(f"image change per unit step, step {eps}: top three directions {[round(float(v), 2) for v in change_top]};\n"
      f"20 random directions: mean {change_rand.mean():.2f}, largest {change_rand.max():.2f};\n"
      f"the top direction changes the image {change_top[0] / change_rand.mean():.1f}x as much as an average random one")
assert abs(change_top[0] / gains[0] - 1) < 0.1 and change_top[0] > change_rand.max()
widgets.draw_latent_explorer(Gp, z0, dirs, [1.0, 0.0, -1.0], gains)   # amounts on the strips' grid: the boxed frames are the large image
plt.show()

# %%
# Interactive: pick a seed and move along the three steepest directions (needs a running kernel).
widgets.latent_explorer(Gp, seed=3, k=3)

# %% [markdown] slideshow={"deck": {"notes": "Five lines to remember. Notebook 04 builds the other player, the discriminator, and measures what BatchNorm would do to it. Notebook 05 trains this generator live.", "text": "## Summary\n\n- a generator is a **push-forward**; a ReLU MLP folds the plane piecewise-affinely\n- DCGAN: $z \\to 7{\\times}7{\\times}128 \\to 14{\\times}14{\\times}64 \\to 28{\\times}28{\\times}1$\n- uneven overlap ($k=3$, $s=2$) makes a checkerboard; `gan_utils` uses **sub-pixel** convolution\n- BatchNorm: two modes; sampling uses inference mode; $D$ has none\n- $\\tanh$ matches data in $[-1, 1]$; walk latent space with **slerp**"}, "slide_type": "slide"}
# ## Summary
#
# - A generator is a push-forward map. A ReLU MLP folds the plane piecewise-affinely; training bends it toward the
#   data, by an amount that varies from seed to seed (Appendix I).
# - The DCGAN generator goes $z \to 7\times7\times128 \to 14\times14\times64 \to 28\times28\times1$.
# - Transposed convolutions with $k$ not divisible by $s$ overlap unevenly (counts $1, 2, 4$ for $k=3$, $s=2$). A
#   sub-pixel layer overlaps evenly, can represent the $k=4$ transposed layer (Appendix K), and trains faster
#   (Appendix B): `gan_utils` uses it.
# - BatchNorm: batch statistics in training mode, running averages in inference mode (used for sampling). The
#   course's discriminator has none: it would make one image's verdict depend on its batch.
# - tanh's range $(-1, 1)$ matches data scaled by $\text{pixel}/127.5 - 1$.
# - The untrained generator draws grey speckle; the pretrained one draws digits. Its latent walks morph smoothly, and
#   its steepest latent direction changes the image 6.6 times as much as an average random one.

# %% [markdown] slideshow={"deck": {"notes": "Homework: the three exercises; the checker cell grades each and gives a hint for a wrong answer.\nReading: Appendices A-K. Appendix B times the upsampling layers at home; Appendix E measures how rare short codes are.", "text": "## Exercises (checked in the notebook)\n\n1. **Output size** of a PyTorch-style transposed convolution, $k=3$, $s=2$, $p=1$, on $7\\times7$\n2. **Parameters** of `Upsample(64, 32, mode=\"subpixel\")`, by hand\n3. **Write code**: `to_pixels(x)`, from $[-1, 1]$ back to uint8\n\nNext: [04 The discriminator](../notebooks/04_discriminator.html): the other player."}, "slide_type": "slide"}
# ## Exercises
#
# The checker below grades each exercise and gives a hint for a wrong answer.
#
# 1. A transposed convolution with kernel $k=3$, stride $s=2$ and padding $p=1$ **in PyTorch's convention**
#    (`ConvTranspose2d(kernel_size=3, stride=2, padding=1)`) maps a $7\times7$ input to what size? Store the side
#    length in `answer_1` (an int), then check it with Flax's equivalent padding, `padding=((k-1-p, k-1-p),)*2`
#    (section 3 and Appendix G).
# 2. How many parameters does `models.Upsample(64, 32, mode="subpixel")` have? Work it out by hand and store it in
#    `answer_2` (then check with `models.count_params`).
# 3. **Write code.** Write `to_pixels(x)`, the inverse of `data.to_unit_range`. It maps floats in $[-1, 1]$ to uint8
#    pixels as `data.to_uint8` does, without calling it: round to the nearest pixel value, and clip values outside
#    $[-1, 1]$ to 0 and 255.

# %%
# Your answers (replace the None's), then run the checker below.
answer_1 = None
answer_2 = None
def to_pixels(x):
    return None

# %%
# Checker: one line per exercise; unanswered ones are reported, a wrong one fails this cell after the full report.
exercises.check("03", answer_1=answer_1, answer_2=answer_2, to_pixels=to_pixels)

# %% [markdown]
# **Next:** [04 The discriminator](04_discriminator.ipynb): the other player, a classifier of real and fake
# images, and why it must be trained with stable losses.

# %% [markdown]
# ## Appendix A: ICNR, a sub-pixel layer without the initial pattern
#
# ICNR initialisation (Aitken et al., 2017) starts a sub-pixel layer's four kernels equal. At step 0 the layer is then
# a low-resolution convolution followed by a nearest-neighbour resize. Every $2\times2$ output cell is constant, so
# the checkerboard score is exactly 0. The cell applies ICNR to both layers of section 3's untrained sub-pixel
# generator. It scores the final image, and each of the 64 channels of the first layer's $14\times14$ output as an
# image. The course does not use ICNR, because training removes the pattern anyway (section 6).

# %%
def icnr(up):
    # ICNR on a sub-pixel Upsample: copy the kernel (and bias) of sub-pixel (0, 0) to the other three
    kernel, bias = up.conv.kernel[...], up.conv.bias[...]
    c = kernel.shape[-1] // 4                          # output channels; channel block (a, b) feeds sub-pixel (a, b)
    up.conv.kernel[...], up.conv.bias[...] = jnp.tile(kernel[..., :c], (1, 1, 1, 4)), jnp.tile(bias[:c], 4)

def up1_score(g_):
    # the 2x2 pattern of the first upsampling layer's own output (N, 14, 14, 64), each channel scored as an image
    g_ = models.inference_copy(g_)
    h = nnx.relu(g_.bn0(g_.fc(z16))).reshape(len(z16), 7, 7, g_.base)
    y = np.asarray(g_.up1(h))
    return checkerboard_score(y.transpose(0, 3, 1, 2).reshape(-1, *y.shape[1:3], 1))

g_plain = models.DCGANGenerator(upsample="subpixel", rngs=nnx.Rngs(SEED))    # the same untrained generator as above
g_icnr = nnx.clone(g_plain)
icnr(g_icnr.up1); icnr(g_icnr.up2)
score_icnr = checkerboard_score(models.sample(g_icnr, None, 16, z=z16))
up1_plain, up1_icnr = up1_score(g_plain), up1_score(g_icnr)
print(f"checkerboard score of the untrained sub-pixel generator: {scores['subpixel']:.2f} as initialised, "
      f"{score_icnr:.2f} with ICNR; of its first layer's 14x14x64 output: {up1_plain:.2f} as initialised, "
      f"{up1_icnr:.2f} with ICNR")
assert score_icnr < 1e-6 and up1_icnr < 1e-6 and up1_plain > 0.1

# %% [markdown]
# ## Appendix B: the speed of the three upsampling layers
#
# The three layers have the same input and output shapes but **not** the same number of parameters. A transposed
# convolution has a $4\times4$ kernel, resize-convolution a $3\times3$ one, and sub-pixel convolution a $3\times3$ one
# to four times the output channels. So this compares the layers as they are used, not at equal parameters. We time
# each `Upsample` mode at batch 128, for the two upsampling layers of the full-width generator and for the whole
# generator. We time the forward pass alone, and a forward and backward pass (the gradients with respect to the
# weights and the input, as in training). For the deep layer we also time the two gradients separately. Timings
# belong to a machine, so the cells print their own conclusions.

# %%
def best_seconds(fn, args, repeats):
    jax.block_until_ready(fn(*args))                           # compile (not timed)
    best = float("inf")
    for _ in range(repeats):                                   # best of `repeats`: least disturbed by other load
        t0 = time.perf_counter(); jax.block_until_ready(fn(*args)); best = min(best, time.perf_counter() - t0)
    return best

def timings_ms(module, x, repeats, split=False):
    # forward alone and forward + backward; with split=True also forward + only one of the two gradients
    graphdef, state = nnx.split(module)
    loss = lambda m, x: jnp.mean(m(x) ** 2)
    # compiled as gan_utils compiles its training steps: devices.compiler_options() (notebook 05, Appendix A, explains it)
    jit = partial(jax.jit, compiler_options=devices.compiler_options())
    fns = {"forward": jit(lambda s, x: loss(nnx.merge(graphdef, s), x)),
           "forward + backward": jit(lambda s, x: nnx.value_and_grad(loss, argnums=(0, 1))(nnx.merge(graphdef, s), x))}
    if split:
        fns["forward + input gradient"] = jit(lambda s, x: jax.value_and_grad(lambda x: loss(nnx.merge(graphdef, s), x))(x))
        fns["forward + weight gradient"] = jit(lambda s, x: nnx.value_and_grad(loss)(nnx.merge(graphdef, s), x))
    return {name: 1000 * best_seconds(f, (state, x), repeats) for name, f in fns.items()}

def multiply_adds(up, h):
    # per image, for an Upsample on an h x h input: kernel size x the positions the kernel is applied at
    # (for the transposed convolution: one stamp per input pixel, the inserted zeros not counted)
    positions = {"subpixel": h * h, "transpose": h * h, "resize": (2 * h) ** 2}[up.mode]
    return int(np.prod(up.conv.kernel[...].shape)) * positions

REPEATS = 2 if TESTING else 3
B = 128
k1, k2, k3 = jax.random.split(jax.random.fold_in(key, 31), 3)   # a side stream: the appendices leave `key` alone
cases = {"7x7x128 -> 14x14x64": (128, 64, jax.random.normal(k1, (B, 7, 7, 128))),
         "14x14x64 -> 28x28x1": (64, 1, jax.random.normal(k2, (B, 14, 14, 64)))}
deep = "7x7x128 -> 14x14x64"
cols = [*cases, "whole generator"]
ms, n_params, madds = {}, {}, {}
for mode in models.UPSAMPLE_MODES:
    n_params[mode], madds[mode] = [], []
    for name, (cin, cout, xin) in cases.items():
        up = models.Upsample(cin, cout, mode=mode, rngs=nnx.Rngs(0))
        ms[mode, name] = timings_ms(up, xin, REPEATS, split=(name == deep))
        n_params[mode].append(models.count_params(up)); madds[mode].append(multiply_adds(up, xin.shape[1]))
    g_mode = models.DCGANGenerator(upsample=mode, rngs=nnx.Rngs(0))
    ms[mode, "whole generator"] = timings_ms(g_mode, jax.random.normal(k3, (B, 64)), REPEATS)
    n_params[mode].append(models.count_params(g_mode))

print(f"batch {B}, best of {REPEATS}, milliseconds  "
      f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, {jax.default_backend()})")
print(f"{'':<10}" + "".join(f"{c:>22}" for c in cols))
for what in ("forward + backward", "forward"):
    print(what + ":")
    for mode in models.UPSAMPLE_MODES:
        print(f"{mode:<10}" + "".join(f"{ms[mode, c][what]:>22.0f}" for c in cols))
print("parameters:")
for mode in models.UPSAMPLE_MODES:
    print(f"{mode:<10}" + "".join(f"{n:>22,}" for n in n_params[mode]))
print("multiply-adds per image, millions:")
for mode in models.UPSAMPLE_MODES:
    print(f"{mode:<10}" + "".join(f"{n / 1e6:>22.2f}" for n in madds[mode]))
print(f"{deep}, split of the backward pass (ms): "
      + ", ".join(f"{m} {ms[m, deep]['forward + input gradient']:.0f} with the input gradient only, "
                  f"{ms[m, deep]['forward + weight gradient']:.0f} with the weight gradient only" for m in models.UPSAMPLE_MODES))

# %%
# What the table says, as ratios, and checks of the orderings the text below relies on.
fb = {m: {c: ms[m, c]["forward + backward"] for c in cols} for m in models.UPSAMPLE_MODES}
whole = {m: fb[m]["whole generator"] for m in models.UPSAMPLE_MODES}
print(f"whole generator, forward + backward, on this machine, now: sub-pixel {whole['subpixel']:.0f} ms, "
      f"resize {whole['resize']:.0f} ms ({whole['resize'] / whole['subpixel']:.1f}x), "
      f"transposed {whole['transpose']:.0f} ms ({whole['transpose'] / whole['subpixel']:.1f}x the sub-pixel time)")
for c in cols:
    fastest = min(models.UPSAMPLE_MODES, key=lambda m: fb[m][c])
    print(f"fastest forward + backward for {c}: {fastest} ({fb[fastest][c]:.0f} ms)")
tr, sp = ms["transpose", deep], ms["subpixel", deep]
print(f"the transposed {deep} layer vs the sub-pixel one: forward {tr['forward']:.0f} vs {sp['forward']:.0f} ms, "
      f"forward + input gradient {tr['forward + input gradient']:.0f} vs {sp['forward + input gradient']:.0f} ms, "
      f"forward + weight gradient {tr['forward + weight gradient']:.0f} vs {sp['forward + weight gradient']:.0f} ms, "
      f"with {madds['transpose'][0] / madds['subpixel'][0]:.2f}x the sub-pixel layer's multiply-adds")
print("resize-convolution's forward + backward time / sub-pixel's: "
      + ", ".join(f"{c} {fb['resize'][c] / fb['subpixel'][c]:.1f}x" for c in cols))
assert n_params["subpixel"][0] == 4 * (n_params["resize"][0] - 64) + 4 * 64      # 4x the kernels and the biases
assert madds["subpixel"] == madds["resize"] and madds["transpose"][0] < madds["subpixel"][0] / 2
# Timings belong to a machine (another CPU, a GPU or a TPU orders them differently), so they are reported, not asserted:
orderings = {"transposed generator > 2x the sub-pixel one": whole["transpose"] > 2 * whole["subpixel"],
             "resize generator slower than the sub-pixel one": whole["resize"] > whole["subpixel"],
             "transposed layer: weight gradient > 5x its input gradient":
                 tr["forward + weight gradient"] > 5 * tr["forward + input gradient"],
             "transposed layer's forward and input gradient within 2x of the sub-pixel layer's":
                 all(0.5 < tr[part] / sp[part] < 2 for part in ("forward", "forward + input gradient"))}
print(f"the orderings the text describes, on this machine ({jax.default_backend()}): "
      + "; ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in orderings.items()))

# %% [markdown]
# The clearest result is the split of the transposed layer's backward pass. Its gradient with respect to the kernel
# takes far longer than its gradient with respect to the input (the third ordering line). Yet the layer does fewer than
# half the sub-pixel layer's multiply-adds (asserted). So the time goes to how XLA:CPU computes that one gradient, not
# to the arithmetic. `benchmarks/RESULTS.md` records the same split, dated, for a $5\times5$ kernel on another run. The
# other orderings move with the machine and its load; the ordering lines above say which held in this run, and the
# "fastest" lines on which layer each mode was fastest. Resize-convolution does the same number of multiply-adds as sub-pixel: a $3\times3$
# convolution from $C_{in}$ channels at $2H\times2W$ equals one to $4C_{out}$ channels at $H\times W$. But it works on
# an input four times larger, with mostly repeated values.

# %% [markdown]
# ## Appendix C: DCGAN's initialisation against Flax's default
#
# DCGAN initialised every weight from $\mathcal N(0, 0.02^2)$ (Radford et al., 2016, section 4). The course keeps
# Flax's defaults: LeCun-normal kernels, with standard deviation $1/\sqrt{\text{fan-in}}$ (truncated at two standard
# deviations), and zero biases. In training mode, behind a BatchNorm, the scale of the previous layer's weights does not
# matter: BatchNorm divides it out with the batch's statistics. So there the choice matters most for the **last**
# layer, whose output goes straight into tanh. In inference mode a fresh BatchNorm divides by its initial running
# statistics (mean 0, variance 1), that is by nothing, so every layer's scale counts. The cell compares the two initial
# scales layer by layer, and the untrained generator's pixels with each, in both modes.

# %%
def reinit_normal(module, std, key):
    # every kernel ~ N(0, std^2), biases 0, BatchNorm untouched: DCGAN's initialisation
    m = nnx.clone(module)
    for path, p in nnx.iter_graph(m):
        if isinstance(p, nnx.Param) and path[-1] == "kernel":
            key, sub = jax.random.split(key)
            p[...] = std * jax.random.normal(sub, p[...].shape)
    return m

k_re, k_zi = jax.random.split(jax.random.fold_in(key, 41))   # a side stream: the appendices leave `key` alone
G_dcgan_init = reinit_normal(G, 0.02, k_re)
z_init = jax.random.normal(k_zi, (256, G.latent_dim))
print(f"{'layer':<8}{'fan-in':>8}{'LeCun std':>11}{'DCGAN std':>11}")
for name, layer in (("fc", G.fc), ("up1", G.up1.conv), ("up2", G.up2.conv)):
    kernel = layer.kernel[...]
    fan_in = int(np.prod(kernel.shape[:-1]))
    print(f"{name:<8}{fan_in:>8}{float(kernel.std()):>11.4f}{0.02:>11.4f}")
def pixel_std_training_mode(g_):
    # as during training: BatchNorm with batch statistics (on a copy, so no running statistic changes)
    g_ = nnx.clone(g_); g_.train()
    return float(g_(z_init).std())
out_std = {name: pixel_std_training_mode(g_) for name, g_ in (("Flax default", G), ("DCGAN N(0, 0.02)", G_dcgan_init))}
# as section 5 draws the untrained generator: models.sample, inference mode, fresh running statistics
out_std_inf = {name: float(models.sample(g_, None, len(z_init), z=z_init).std())
               for name, g_ in (("Flax default", G), ("DCGAN N(0, 0.02)", G_dcgan_init))}
print("std of the untrained generator's pixels, training mode: "
      + ", ".join(f"{k} {v:.3f}" for k, v in out_std.items()))
print("std of the untrained generator's pixels, inference mode (models.sample): "
      + ", ".join(f"{k} {v:.3f}" for k, v in out_std_inf.items()))
assert out_std["DCGAN N(0, 0.02)"] < out_std["Flax default"]
assert out_std_inf["DCGAN N(0, 0.02)"] < 0.25 * out_std_inf["Flax default"]
# Behind a BatchNorm the scale divides out: shrink fc's and up1's kernels to DCGAN's scale (their biases are 0)
# and the training-mode output barely changes (only through BatchNorm's epsilon).
G_shrunk = nnx.clone(G)
for layer in (G_shrunk.fc, G_shrunk.up1.conv):
    layer.kernel[...] = layer.kernel[...] * (0.02 / float(layer.kernel[...].std()))
g_a, g_b = nnx.clone(G), nnx.clone(G_shrunk); g_a.train(); g_b.train()
shrink_gap = float(jnp.abs(g_a(z_init) - g_b(z_init)).max())
shrink_gap_inf = float(jnp.abs(models.sample(G, None, len(z_init), z=z_init)
                               - models.sample(G_shrunk, None, len(z_init), z=z_init)).max())
print(f"fc and up1 kernels rescaled to std 0.02, last layer untouched: max |change of the output| = {shrink_gap:.1e} "
      f"in training mode, {shrink_gap_inf:.2f} in inference mode")
assert shrink_gap < 1e-3 and shrink_gap_inf > 0.1

# %% [markdown]
# With DCGAN's initialisation the last layer's weights are smaller than the LeCun ones (the table). In training mode
# the untrained generator's pixels then start nearer 0: a fainter speckle, with a smaller pixel standard deviation.
# Rescaling the two layers that feed a BatchNorm barely moves the training-mode output; what remains comes from the
# $\varepsilon$ inside BatchNorm's square root. In inference mode, the way section 5 draws the untrained generator, a
# fresh BatchNorm divides nothing out. Every layer's small weights multiply, so the DCGAN-initialised generator's
# pixels are nearly constant grey, and the same rescaling moves the output a lot. Either way the network starts far
# from digits and training sets the scale. The course did not measure a quality difference between the two, so it
# keeps the library default.

# %% [markdown]
# ## Appendix D: the package's default generator
#
# The package's default generator (`checkpoint.load_pretrained()`, and `python -m gan_utils sample --pretrained`) is
# section 6's network made *class-conditional*: it takes a digit label as a second input, as in notebook 08. The label
# is replaced by one of 40 clusters, found in the training digits without any label and picked by the first coordinate
# of $z$. This is a **self-conditioned GAN**. Notebook 09 explains why one Gaussian mapped continuously onto ten digits
# draws hybrids, and builds this fix. The cell draws 1,000 samples of each generator. With the course's digit
# classifier (notebook 06), it counts the samples whose most likely digit has probability below 0.9: an unsure
# classifier, a sample between digits.

# %%
default = checkpoint.load_pretrained()          # the package's default: notebook 09's self-conditioned DCGAN
G_default = default.generator
bn0 = G_default.net.bn0                          # BatchNorm at 7x7, with a scale and a shift per cluster
print(f"the default generator: {type(G_default).__name__} with {G_default.num_clusters} clusters, "
      f"{models.count_params(G_default):,} parameters ({bn0.scale.embedding.size + bn0.shift.embedding.size:,} of "
      f"them the per-cluster BatchNorm scales and shifts at 7x7); the plain one: {models.count_params(Gp):,}")
# a side stream of `key`, so the cells after this one draw the same keys as they would without it
k_plain, k_default = jax.random.split(jax.random.fold_in(key, 6))
unsure, x_plain, x_default = {}, None, None
for name, g_, k_ in (("plain DCGAN", Gp, k_plain), ("default (self-conditioned)", G_default, k_default)):
    x_ = np.asarray(models.sample(g_, k_, 1000))
    unsure[name] = float(np.mean(metrics.classifier_outputs(x_)[1].max(1) < 0.9))
    x_plain, x_default = (x_, x_default) if name == "plain DCGAN" else (x_plain, x_)
unsure["real training digits"] = float(np.mean(metrics.classifier_outputs(xr[:1000])[1].max(1) < 0.9))
for name, v in unsure.items():
    print(f"{name:<27} samples with classifier confidence below 0.9: {v:.1%}")
print(f"the default generator draws {unsure['default (self-conditioned)'] / unsure['plain DCGAN']:.2f} times as many "
      f"samples below 0.9 as the plain DCGAN, in this draw")
assert unsure["default (self-conditioned)"] < unsure["plain DCGAN"] / 2
fig, axes = plt.subplots(1, 2, figsize=(11, 5.6))
plots.show_images(x_plain[:100], nrow=10, ax=axes[0], title="plain DCGAN (kind='dcgan')")
plots.show_images(x_default[:100], nrow=10, ax=axes[1], title="default: self-conditioned (notebook 09)")
for ax in axes:
    ax.title.set_color(FAKE_COLOR)
plt.show()

# %% [markdown]
# The default generator draws about a fifth as many unsure samples as the plain one, near real digits' share. So it
# draws fewer samples between digits, in this draw of 1,000 each; notebook 09 measures both on
# 10,000 samples with the full set of scores. Its digits are the ones to put on a projector. Section 6 keeps the plain
# one for the latent space: the default reads a cluster from $z$'s first coordinate, so a walk in $z$ jumps from one
# cluster's digit to another's (notebook 09 measures those walks).

# %% [markdown]
# ## Appendix E: are linear midpoints worse?
#
# Codes as short as a linear midpoint are rare in training; the cell counts how rare, over the shipped generator's
# whole run. Whether the generator draws worse digits there is a separate, empirical question. So the cell also scores
# the midpoints of 200 random pairs both ways: by their background fraction and by the shipped discriminator's mean
# logit.

# %%
short = float(np.mean(norms <= np.linalg.norm(mid_lin)))
n_codes = meta["step"] * meta["config"]["batch_size"]
print(f"{short:.2%} of N(0, I_{Gp.latent_dim}) codes are no longer than this pair's linear midpoint ({np.linalg.norm(mid_lin):.2f}): "
      f"about {short * n_codes:,.0f} of the {n_codes:,} codes "
      f"the shipped generator trained on")

# Midpoints of 200 random pairs: linear vs slerp, scored by the background fraction and by the shipped discriminator.
rng = np.random.default_rng(1)
z_pairs = rng.standard_normal((2, 200, Gp.latent_dim)).astype(np.float32)
z_sets = {"endpoints": z_pairs[0],
          "linear midpoints": (z_pairs[0] + z_pairs[1]) / 2,
          "slerp midpoints": np.concatenate([widgets.interpolate_latents(a, b, 0.5, "slerp") for a, b in zip(*z_pairs)])}
D_pre = models.inference_copy(pre.discriminator)
mid_score = {}                                   # (background fraction, mean discriminator logit)
for name, zs in z_sets.items():
    imgs_ = models.sample(Gp, None, len(zs), z=jnp.asarray(zs))
    mid_score[name] = (background(imgs_), float(D_pre(imgs_).mean()))
    print(f"{name:<17} mean |z| {np.linalg.norm(zs, axis=1).mean():.2f}, background {mid_score[name][0]:.1%}, "
          f"mean discriminator logit {mid_score[name][1]:+.2f}")
print(f"(real digits: background {background(xr):.1%}, mean discriminator logit {float(D_pre(jnp.asarray(xr[:200])).mean()):+.2f})")
print(f"at the linear midpoints the images keep most of a digit's background: {mid_score['linear midpoints'][0]:.1%} "
      f"against {mid_score['endpoints'][0]:.1%} at the endpoints")
plots.show_images(np.asarray(models.sample(Gp, None, 8, z=jnp.asarray(z_sets["linear midpoints"][:8]))), nrow=8,
                  title="the pretrained generator at 8 linear midpoints (codes of norm about 5.7)")
plt.show()
lower = mid_score["linear midpoints"][1] < mid_score["slerp midpoints"][1]
print(f"the shipped discriminator's mean logit is {'lower' if lower else 'higher'} at the linear midpoints than at "
      f"the slerp ones ({mid_score['linear midpoints'][1]:+.2f} against {mid_score['slerp midpoints'][1]:+.2f}), and "
      f"all three sets sit far below real digits: it does not settle the question")
# over the 200 pairs, the typical linear midpoint is shorter than 99% of the codes the generator was trained on
short_200 = float(np.mean(norms <= np.median(np.linalg.norm(z_sets["linear midpoints"], axis=1))))
print(f"over the 200 pairs, {short_200:.2%} of N(0, I) codes are no longer than the median linear midpoint")
assert short_200 < 0.01, short_200
assert mid_score["linear midpoints"][0] < mid_score["slerp midpoints"][0]
assert abs(mid_score["slerp midpoints"][0] - mid_score["endpoints"][0]) < 0.01

# %% [markdown]
# For this generator the answer is: barely (one draw of 200 pairs). At the linear midpoints its images have slightly less background
# than at the endpoints (80.2% against 81.4%), while the slerp midpoints keep the endpoints' fraction. The shipped
# discriminator is no referee here: its mean logits for the three sets differ by less than their distance to real
# digits. A discriminator is trained to separate real from generated images, not to score how digit-like an image is.
# The effect is small for this generator. Short codes are rare in training, not absent, and the images there look like
# digits, most of them clearly (the row of 8 linear midpoints).

# %% [markdown]
# ## Appendix F: the package's MLP generator against the hand-made one
#
# Section 1 wrote the MLP generator by hand, in `jax.numpy`. `gan_utils.models.MLPGenerator` is the same network as a
# Flax NNX module, and section 1's toy GAN uses it. The cell copies our weights into it and checks that it gives the
# same outputs. Its parameter count is $(2\cdot128 + 128) + (128\cdot128 + 128) + (128\cdot2 + 2) = 17{,}154$: the
# weights and biases of the three layers.

# %%
# NBVAL_CHECK_OUTPUT
mlp = models.MLPGenerator(latent_dim=2, out_dim=2, hidden=(128, 128), rngs=nnx.Rngs(SEED))
for layer, (W, b) in zip([*mlp.hidden, mlp.out], params):
    layer.kernel[...], layer.bias[...] = W, b
assert jnp.allclose(mlp(z), x, atol=1e-5)
assert models.count_params(mlp) == n_hand == (2 * 128 + 128) + (128 * 128 + 128) + (128 * 2 + 2)
print("MLPGenerator parameters:", models.count_params(mlp))

# %% [markdown]
# ## Appendix G: transposed-convolution padding in PyTorch and in Flax
#
# Section 3 gave the output size of PyTorch's `ConvTranspose2d(padding=p)`: $(H-1)s + k - 2p$, which is $2H$ for
# $k=4$, $s=2$, $p=1$. Flax's `nnx.ConvTranspose` counts padding differently: PyTorch's $p$ is Flax's
# `padding=((k-1-p, k-1-p),)*2`. `models.Upsample` uses Flax's default, `padding="SAME"`. The cell passes a $7\times7$
# input through a $k=4$, $s=2$ layer. It checks that `"SAME"` and `((2, 2), (2, 2))` give the same $14\times14$
# layer, and that Flax's `padding=1` gives $12\times12$.

# %%
# NBVAL_CHECK_OUTPUT
# A 7x7 input through a k=4, s=2 transposed convolution, under Flax's three ways to write the padding.
x7 = jax.random.normal(jax.random.key(0), (1, 7, 7, 1))
convt = {pad: nnx.ConvTranspose(1, 1, (4, 4), strides=(2, 2), padding=pad, rngs=nnx.Rngs(0))
         for pad in ("SAME", ((2, 2), (2, 2)), ((1, 1), (1, 1)))}
for pad, layer in convt.items():
    print(f"Flax padding={pad!s:<18} -> output {layer(x7).shape[1]}x{layer(x7).shape[2]}")
print(f"PyTorch's formula (H-1)s + k - 2p with p=1: {(7 - 1) * 2 + 4 - 2 * 1}")
assert convt["SAME"](x7).shape[1] == convt[((2, 2), (2, 2))](x7).shape[1] == (7 - 1) * 2 + 4 - 2 * 1 == 14
assert jnp.array_equal(convt["SAME"](x7), convt[((2, 2), (2, 2))](x7))        # the same layer, not only the same size
assert convt[((1, 1), (1, 1))](x7).shape[1] == 12

# %% [markdown]
# ## Appendix H: the pixel values of real digits and of the untrained generator
#
# Section 4 scales the data to $[-1, 1]$, the range of the output layer's $\tanh$. DCGAN chose tanh because "using a
# bounded activation allowed the model to learn more quickly to saturate and cover the color space of the training
# distribution" (Radford et al., 2016, section 3). The figure shows the pixel values of real digits and of section 5's
# untrained generator (left, log scale), beside $\tanh$ itself (right). Most real pixels are background, at exactly
# $-1$. The untrained generator's pixels spread around 0.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
axes[0].hist(xr.ravel(), bins=60, range=(-1, 1), color=REAL_COLOR, alpha=0.7, density=True, label="real MNIST pixels")
axes[0].hist(x_untrained.ravel(), bins=60, range=(-1, 1), color=FAKE_COLOR, alpha=0.7, density=True, label="untrained G pixels")
axes[0].set(yscale="log", ylim=(None, 1e3), xlabel="pixel value", ylabel="density (log scale)",
            title="Pixel values in [-1, 1]")
axes[0].legend(loc="upper center", fontsize=9)   # above the bars: the headroom of ylim
zz = np.linspace(-4, 4, 200)
axes[1].plot(zz, np.tanh(zz), color=FAKE_COLOR, lw=2, label="tanh(a): the generator's output")
axes[1].axhspan(-1, 1, color=REAL_COLOR, alpha=0.08, label="range of the scaled data")
axes[1].set(xlabel="pre-activation a", ylabel="output", title="The output layer's range matches the data's")
axes[1].legend(fontsize=9)
plt.tight_layout(); plt.show()
print(f"real pixels: {np.mean(xr == -1):.0%} exactly -1 (background), mean {xr.mean():.2f}; "
      f"untrained G: mean {x_untrained.mean():.2f}, std {x_untrained.std():.2f}")

# %% [markdown]
# ## Appendix I: section 1's toy GAN, from five seeds
#
# One run is one draw: how much mass lands near a mode after 2,000 steps varies a lot from seed to seed. The cell
# trains section 1's toy GAN from 4 more seeds (a few seconds each) and tests what holds across the five: every run is far above the untrained generator, and most fill every mode. One sample
# already "covers" a mode, so it also prints how evenly the modes are filled: the emptiest mode's count divided by an
# even share of the samples near a mode (1: perfectly even).

# %%
def train_toy(seed, key_):
    k_d, k_f = jax.random.split(key_)
    gan_ = steps.GAN(models.MLPGenerator(2, 2, rngs=nnx.Rngs(seed)), models.MLPDiscriminator(2, rngs=nnx.Rngs(seed + 1)))
    train.fit(gan_, data.BatchSampler(np.asarray(ring.sample(k_d, 50_000)), 128, k_d), key=k_f, steps=TOY_STEPS,
              progress=False)
    return toy_mode_metrics(np.asarray(gan_.generator(z)), ring)

runs = [after] + [train_toy(SEED + 2 * i, k) for i, k in enumerate(jax.random.split(k_seeds, 4), 1)]
hq = np.array([r["high_quality_fraction"] for r in runs])
# the least-filled mode's share of an even split of the samples near a mode (1 = perfectly even)
evenness = np.array([min(r["mode_histogram"]) / max(sum(r["mode_histogram"]) / 8, 1) for r in runs])
print(f"after {TOY_STEPS} steps, over 5 seeds (section 1's run first):\n"
      f"near a mode {', '.join(f'{v:.0%}' for v in hq)} (untrained: {before['high_quality_fraction']:.0%});\n"
      f"least-filled mode / even share {', '.join(f'{v:.2f}' for v in evenness)}\n"
      f"(a 'covered' mode needs only one sample: by that criterion the "
      f"untrained generator already covers {before['modes_covered']})")
if TESTING:   # the test suite's 500 steps: only far above the untrained generator on average
    assert hq.mean() > 2 * before["high_quality_fraction"], (hq, before["high_quality_fraction"])
else:
    # every run is far above the untrained generator, on average a large part of the mass lies near a mode, and most
    # runs give every mode a real share (in some run one mode can be nearly empty: the game had not settled at 2,000)
    assert hq.min() > 3 * before["high_quality_fraction"], (hq, before["high_quality_fraction"])
    assert hq.mean() > 0.2 and np.sum(evenness > 0.2) >= 3, (evenness, hq)

# %% [markdown]
# ## Appendix J: section 2's table checked, and the untrained generator's BatchNorm state
#
# The first cell checks section 2's table against the model, and the `fc`, `bn0` and `up1` counts against their formulas. The
# `up1` layer is a sub-pixel convolution (section 3): a $3\times3$ convolution to four times the output channels, plus
# biases. The second cell checks that `G`'s BatchNorm running statistics are still those of a freshly built generator.
# Every cell ran `G` through `models.sample` (an inference-mode copy), on clones, or only through its `fc` layer, so section 5 drew a really
# untrained generator.

# %%
assert rows[-1]["output_shape"] == (1, 28, 28, 1) and rows[-1]["params"] == models.count_params(G)
assert sum(r["params"] for r in rows[:-1]) == models.count_params(G)
byname = {r["name"]: r for r in rows[:-1]}
fc_out = int(np.prod(byname["fc"]["output_shape"][1:]))
assert byname["fc"]["params"] == G.latent_dim * fc_out               # Linear without bias: BatchNorm's beta adds it
assert byname["bn0"]["params"] == 2 * fc_out                          # gamma and beta per feature
c_in, c_out = G.up1.conv.in_features, G.up1.conv.out_features
assert byname["up1"]["params"] == 3 * 3 * c_in * c_out + c_out       # a 3x3 conv to 4x the channels, plus biases
print(f"fc: {G.latent_dim} x {fc_out} = {byname['fc']['params']:,};  up1: 3*3*{c_in}*{c_out} + {c_out} = {byname['up1']['params']:,}")

# %%
fresh_stats = nnx.state(models.DCGANGenerator(latent_dim=64, rngs=nnx.Rngs(SEED)), nnx.BatchStat)
assert all(bool(jnp.array_equal(a, b)) for a, b in
           zip(jax.tree.leaves(nnx.state(G, nnx.BatchStat)), jax.tree.leaves(fresh_stats), strict=True))
print("G's BatchNorm running statistics are still those of a freshly built generator")

# %% [markdown]
# ## Appendix K: a sub-pixel layer that computes a transposed one
#
# Section 3 says that a $3\times3$ sub-pixel layer can represent any $4\times4$ stride-2 transposed layer. The cell
# builds one from the other. It feeds a random transposed layer one *impulse* (a single input pixel set to 1) per
# input channel. The response is the kernel's stamp. Output sub-pixel $(a, b)$ of the cell at input position
# $(i, j)$ reads input pixel $(i + d_i, j + d_j)$ with weight `resp[2*(c0 - di) + a, 2*(c0 - dj) + b]`, where `c0` is
# the impulse's position. Offsets with $|d_i|, |d_j| \le 1$ fill the sub-pixel kernel; all others must be 0. Then the
# two layers get the same random input.

# %%
cin, cout, H = 3, 2, 8
T = models.Upsample(cin, cout, mode="transpose", rngs=nnx.Rngs(1))
T.conv.bias[...] = jax.random.normal(jax.random.key(5), (cout,))         # a non-zero bias too
c0 = H // 2
kernel, outside = np.zeros((3, 3, cin, 4 * cout), np.float32), 0.0
for ci in range(cin):
    impulse = jnp.zeros((1, H, H, cin)).at[0, c0, c0, ci].set(1.0)
    resp = np.asarray(T(impulse) - T(jnp.zeros_like(impulse)))[0]       # the response to one input pixel, no bias
    for a, b in ((0, 0), (0, 1), (1, 0), (1, 1)):                       # output sub-pixel (a, b) of each 2x2 cell
        for di in range(-2, 3):
            for dj in range(-2, 3):                                     # output (2i+a, 2j+b) reads input (i+di, j+dj)
                v = resp[2 * (c0 - di) + a, 2 * (c0 - dj) + b]
                if max(abs(di), abs(dj)) <= 1:
                    kernel[di + 1, dj + 1, ci, (2 * a + b) * cout:(2 * a + b + 1) * cout] = v
                else:
                    outside = max(outside, float(np.abs(v).max()))
S = models.Upsample(cin, cout, mode="subpixel", rngs=nnx.Rngs(0))
S.conv.kernel[...], S.conv.bias[...] = jnp.asarray(kernel), jnp.tile(T.conv.bias[...], 4)
x_test = jax.random.normal(jax.random.key(2), (4, 7, 7, cin))
gap = float(jnp.abs(S(x_test) - T(x_test)).max())
print(f"largest weight outside the 3x3 window: {outside:.1e}; max |sub-pixel - transposed output| = {gap:.1e}")
assert outside == 0.0 and gap < 1e-5

# %%
print(course.top_to_bottom(T_START))
