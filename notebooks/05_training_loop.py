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

# %% [markdown] slideshow={"deck": {"notes": "Before you say anything: start the training cell of section 3 in the notebook. It trains while we do sections 1 and 2 on the board.\nToday is the first time the generator and the discriminator train together. Ask the class: when should we stop a GAN? Keep the answers; we come back to them at the loss curves.", "text": "# 05 The training loop\n\nNotebooks 03 and 04 built the two players. Today they play.\n\n- the **alternating update**, by hand, and why we **compile** it\n- training the DCGAN on MNIST, with a **fixed latent batch**\n- reading the **loss curves**; **checkpoint and resume**, exactly\n- what **failure** looks like, and the **GAN doctor**"}, "slide_type": "slide"}
# # 05 The training loop
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gans-in-jax/blob/main/notebooks/05_training_loop.ipynb)
#
# Notebooks 03 and 04 built the two players. Here they play. We write the alternating update by hand, compile it,
# and train the course's DCGAN on MNIST live.
#
# **You will learn**
#
# - the **alternating update**: one discriminator step, then one generator step;
# - why we **compile** the whole step once with `jit`;
# - to **train** the DCGAN on MNIST and follow a **fixed latent batch** as it learns;
# - to read **loss curves** against their equilibrium values $2\log 2$ and $\log 2$;
# - to **save a checkpoint, interrupt and resume**, bit for bit;
# - what **failure** looks like, and how the **GAN doctor** reads the signs.
#
# Section 7 says how to run it on a **Colab GPU or TPU**.
#
# *Time:* the 5,000 training steps take a minute or two on a 2-core CPU (the training cell prints its time). No time to wait? Set `USE_PRETRAINED = True`
# in the setup cell: it loads shipped weights instead of training.

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
from pathlib import Path
import jax, jax.numpy as jnp, numpy as np, matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from flax import nnx
from gan_utils import checkpoint, data, exercises, losses, metrics, models, plots, steps, train, widgets
from gan_utils.config import GANConfig, build_gan
from gan_utils.plots import REAL_COLOR, FAKE_COLOR, D_COLOR, EQUILIBRIUM
USE_PRETRAINED = False  # True: skip the training (minutes) and load the shipped plain DCGAN (this recipe) instead
USE_PRETRAINED |= os.environ.get("GAN_COURSE_PRETRAINED") == "1"  # lets the test suite run this path too
# Your run (checkpoints, the GIF) goes to a visible folder beside this notebook, where notebook 06 finds it to score
# it; a test run uses another one, so it never overwrites yours. (On Colab: the Files pane; download what you keep.)
OUT = Path("runs") / ("05_test" if os.environ.get("GAN_COURSE_TEST") == "1" else "05_training_loop")
OUT.mkdir(parents=True, exist_ok=True)
print(f"outputs in {OUT.resolve()}")
SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
course.style()  # the course's figure style; GAN_COURSE_PROJECTOR=1: projector mode, for a hall
print(f"JAX {jax.__version__} on {jax.devices()}")


# %% [markdown] slideshow={"deck": {"notes": "Write the two losses on the board. softplus(-l) is -log D, softplus(l) is -log(1 - D): the stable cross-entropy from logits of notebook 01.\nThe generator loss is the non-saturating one of notebook 02: -log D(G(z)), not log(1 - D(G(z))). Section 6 shows what the other one does.\nAsk: why do we hold G fixed in D's step? (We only want D's gradient there; G gets its own step.)", "text": "## 1. The alternating update\n\n$D(x) = \\sigma(\\ell(x))$, with logit $\\ell$. One step on $B$ real $x_i$ and codes $z_i \\sim \\mathcal N(0, I)$:\n\n1. **D step**: descend $L_D = \\frac1B\\sum_i \\big[\\operatorname{softplus}(-\\ell(x_i)) + \\operatorname{softplus}(\\ell(G(z_i)))\\big]$, with $G$ fixed\n2. **G step**: descend $L_G = \\frac1B\\sum_i \\operatorname{softplus}(-\\ell(G(z_i)))$, through the **updated** $D$\n\nBoth players: Adam, $\\beta_1 = 0.5$, learning rate $10^{-3}$."}, "slide_type": "slide"}
# ## 1. The alternating update, by hand
#
# Notebook 02 derived the game. The discriminator is $D(x) = \sigma(\ell(x))$, with logit $\ell$. Its losses use
# $\operatorname{softplus}$, the stable cross-entropy from logits of notebook 01. One training step on a batch of
# $B$ real images $x_i$ and latent codes $z_i \sim \mathcal N(0, I)$ is:
#
# 1. **discriminator step**: descend
#    $\;L_D = \frac1B\sum_i \operatorname{softplus}(-\ell(x_i)) + \frac1B\sum_i \operatorname{softplus}(\ell(G(z_i)))\;$
#    in $D$'s parameters, with $G(z_i)$ held fixed;
# 2. **generator step**: descend the non-saturating loss of notebook 02,
#    $\;L_G = \frac1B\sum_i \operatorname{softplus}(-\ell(G(z_i)))\; = -\frac1B\sum_i\log D(G(z_i))$, in $G$'s
#    parameters, through the *updated* discriminator.
#
# Why alternate? A *simultaneous* update would step both players from their old parameters at once. On notebook
# 02's game $xy$ (section 5), such steps spiral away from the equilibrium; alternating steps circle it.
#
# Both use Adam with $\beta_1 = 0.5$, as in the DCGAN paper, but with a learning rate of $10^{-3}$, five times the
# paper's (section 3 says why). In Flax NNX:

# %% slideshow={"deck": {"notes": "Read it line by line. stop_gradient keeps D's step from touching G. The generator step calls D after d_opt.update, so it sees the updated discriminator.\nThe loss functions are one line each; the notebook checks them against gan_utils.losses. The course's own step, gan_utils.steps.train_step, does the same from named pieces.", "text": "### The step in Flax NNX: seven lines\n\n```python\ndef train_step_by_hand(G, D, g_opt, d_opt, real, key):\n    z = jax.random.normal(key, (real.shape[0], G.latent_dim))\n    fake = jax.lax.stop_gradient(G(z))        # G fixed in D's step\n    d_loss, d_grads = nnx.value_and_grad(d_loss_fn)(D, real, fake)\n    d_opt.update(D, d_grads)                  # 1. discriminator step\n    g_loss, g_grads = nnx.value_and_grad(g_loss_fn)(G, D, z)\n    g_opt.update(G, g_grads)                  # 2. generator step\n    return d_loss, g_loss\n```"}, "slide_type": "slide"}
def d_loss_fn(D, real, fake):
    r, f = D(real), D(fake)
    return jnp.mean(jax.nn.softplus(-r)) + jnp.mean(jax.nn.softplus(f))   # -log D(x) - log(1 - D(G(z)))

def g_loss_fn(G, D, z):
    return jnp.mean(jax.nn.softplus(-D(G(z))))                            # -log D(G(z))

def train_step_by_hand(G, D, g_opt, d_opt, real, key):
    z = jax.random.normal(key, (real.shape[0], G.latent_dim))
    fake = jax.lax.stop_gradient(G(z))                 # G is held fixed during D's step
    d_loss, d_grads = nnx.value_and_grad(d_loss_fn)(D, real, fake)
    d_opt.update(D, d_grads)                           # 1. discriminator step
    g_loss, g_grads = nnx.value_and_grad(g_loss_fn)(G, D, z)
    g_opt.update(G, g_grads)                           # 2. generator step, through the updated D
    return d_loss, g_loss

# The course's recipe: the defaults of gan_utils.config.GANConfig (section 3 and Appendix B say why).
CONFIG = GANConfig(seed=SEED)

def new_gan(seed=SEED):
    # The course DCGAN (notebooks 03 and 04) at the recipe's widths, with its two Adam optimizers, held together by
    # gan_utils.steps.GAN (and, when the recipe keeps one, a moving average of the generator's weights).
    return build_gan(CONFIG.replace(seed=seed))

x_train = data.to_unit_range(data.load_mnist("train")[0])      # (60000, 28, 28, 1) float32 in [-1, 1]
BATCH = 64
key, k_data = jax.random.split(key)
batches = data.BatchSampler(x_train, BATCH, k_data)              # batch(step): a pure function of the step
print("training images:", x_train.shape, x_train.dtype, f"range [{x_train.min():.0f}, {x_train.max():.0f}]")

# %% [markdown]
# A check: our hand-written losses equal those of `gan_utils.losses`, and a few eager steps (run without compiling;
# section 2) change both networks.

# %% slideshow={"deck": {"output": true}, "slide_type": "fragment"}
hand = new_gan()
key, k1, k2 = jax.random.split(key, 3)
real = jnp.asarray(batches.batch(0))
r_logits, f_logits = jax.random.normal(k1, (2, 64)) * 3
assert jnp.allclose(d_loss_fn(lambda x: x, r_logits, f_logits), losses.discriminator_loss(r_logits, f_logits), atol=1e-6)
assert jnp.allclose(g_loss_fn(lambda z: z, lambda x: x, f_logits), losses.generator_loss_non_saturating(f_logits),
                    atol=1e-6)   # G and D stand-ins that pass the logits through: the hand-written loss itself

w_before = np.array(hand.generator.fc.kernel[...]), np.array(hand.discriminator.fc.kernel[...])
timings = {}
train_step_by_hand(hand.generator, hand.discriminator, hand.g_opt, hand.d_opt, real, jax.random.fold_in(k2, 99))  # warm-up:
t0 = time.perf_counter()                         # the first eager step also prepares every operation once
for s in range(3):
    d_l, g_l = train_step_by_hand(hand.generator, hand.discriminator, hand.g_opt, hand.d_opt, real, jax.random.fold_in(k2, s))
    jax.block_until_ready(g_l)
timings["by hand, eager (no jit)"] = (time.perf_counter() - t0) / 3
assert np.isfinite(float(d_l)) and np.isfinite(float(g_l))
assert not np.array_equal(w_before[0], hand.generator.fc.kernel[...]), "the generator did not move"
assert not np.array_equal(w_before[1], hand.discriminator.fc.kernel[...]), "the discriminator did not move"
print(f"after 3 eager steps: d_loss = {float(d_l):.3f}, g_loss = {float(g_l):.3f}; "
      f"{timings['by hand, eager (no jit)']:.2f} s per step")


# %% [markdown] slideshow={"deck": {"notes": "Concept question 2: why compile the whole training step, not only the networks? Let the class answer before the numbers.\nThe answer: eagerly, the two forward passes, two backward passes and two Adam updates are many small operations, each sent from Python. Compiled, they are one program.", "text": "## 2. Compile once, then run fast\n\n- **Eager**: Python sends every operation to the device, one by one.\n- **`nnx.jit`**: trace the whole step once, compile it into one program, reuse it.\n- The first call pays for the compile; every later call is fast.\n- the course's step: `step(state, real, key) -> (state, metrics)`, compiled."}, "slide_type": "slide"}
# ## 2. Compile once, then run fast
#
# Notebook 00 (section 3) taught `jax.jit`; here it compiles a whole training step. We time the hand-written step
# eagerly and with `nnx.jit`, which handles NNX objects. The course's own step, `steps.make_train_step`, compiles
# the same update into a pure function `step(state, real, key) -> (state, metrics)`. Its metrics include $D(x)$,
# $D(G(z))$ and $G$'s gradient norm; Appendix A times it.

# %% slideshow={"deck": {"big": {"find": "eager is (\\d+)x slower", "say": "times slower: the same hand-written step, run eagerly against compiled"}, "output": true}, "slide_type": "fragment"}
def time_compiled(run_one, n):
    # First call = trace + compile + run; then the mean of n calls.
    t0 = time.perf_counter(); jax.block_until_ready(run_one(0)); first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(1, n + 1):
        out = run_one(i)
    jax.block_until_ready(out)
    return first, (time.perf_counter() - t0) / n

N_TIME = 3 if TESTING else 10
jit_step = nnx.jit(train_step_by_hand)
first, per = time_compiled(lambda i: jit_step(hand.generator, hand.discriminator, hand.g_opt, hand.d_opt,
                                              real, jax.random.fold_in(k2, 10 + i)), N_TIME)
timings["by hand, nnx.jit: first call"], timings["by hand, nnx.jit: one step"] = first, per
for name, t in timings.items():
    print(f"{name:<42} {t * 1000:8.0f} ms")
print(f"the same hand-written step: eager is {timings['by hand, eager (no jit)'] / timings['by hand, nnx.jit: one step']:.0f}x "
      "slower than compiled")

# %% [markdown]
# The first call compiles the step, or loads it from a disk cache (`./course.sh` turns the cache on). Every later
# call is faster than the eager step. So the whole update is one jitted function, compiled once and reused.
# Appendix A times the course's step and a compile from scratch.

# %% [markdown] slideshow={"deck": {"notes": "Look at the live picture now. The fixed codes show how the map from z to G(z) changes, not new random samples.\nThe recipe is not the DCGAN paper's: it scored best per CPU-minute in a search (Appendix B), one seed each, by a margin near the noise.\nDiscussion question: the recipe won on one seed each. How much would you trust it? If the training is too slow here, set USE_PRETRAINED = True, or press the stop button: fit keeps every finished step.", "text": "## 3. Training on MNIST, live\n\n- `train.fit` runs the compiled step in a loop, records every step, stops on NaN\n- every 250 steps: $G(z)$ for the **same 64 codes** $z$\n- budget in **steps** (5,000), not minutes: every machine trains the same run\n- **the recipe**: half-width networks, Adam at $10^{-3}$, $\\beta_1 = 0.5$, batches of 64, non-saturating loss"}, "slide_type": "slide"}
# ## 3. Training on MNIST, live
#
# `gan_utils.train.fit` runs the compiled step in a loop. It records every step's metrics and stops on NaN. Every
# `callback_every` steps it calls our callback, `widgets.LiveTraining`. The callback draws $G(z)$ for the **same 64
# latent codes** each time, so the frames show how the map $z \mapsto G(z)$ changes. It also draws the losses. The
# green line under them is the GAN doctor's verdict (section 6), read from only 500 samples.
#
# **The stop button** (Kernel > Interrupt) ends the training early without losing it: `fit` keeps every finished
# step, and the cells below carry on with the model as it is. Checkpoints go to `runs/05_training_loop/`, where
# notebook 06 finds your run.
#
# **Budget.** We fix the budget in steps (`STEPS`), not minutes, so every machine trains the same number of steps.
#
# **The recipe.** The plain DCGAN of notebooks 03 and 04, with **half the channels** in every layer (`g_base=64`,
# `d_base=32`): Adam at $10^{-3}$ and $\beta_1 = 0.5$, batches of 64, the non-saturating loss. They are not the DCGAN
# paper's settings: they scored best **per CPU-minute** in a search (Appendix B), one seed each, by a margin near the
# noise. A larger learning rate gets both players somewhere sooner. A half-width step is cheaper, so the same minutes
# buy more steps.
#
# `USE_PRETRAINED = True` loads the shipped plain DCGAN instead: this recipe plus a moving average of $G$'s weights,
# trained for 10,000 steps.

# %% slideshow={"deck": {"big": {"find": "([\\d.]+) steps/s", "say": "training steps per second, on 2 CPUs"}, "figure": true, "notes": "Left: the 64 fixed codes at the last step. Right: both losses, with their equilibrium values dashed. The green line is the GAN doctor's verdict (section 6).\nThe cell prints the run's time, which moves with the machine. Point out: the losses jump early, then settle, but they do not settle on the dashed lines. We read them in section 4.", "text": "### 5,000 steps of the DCGAN on MNIST"}, "slide_type": "slide"}
STEPS = 40 if TESTING else 5000          # a few minutes on a 2-core CPU, with its load (time and load printed below)
EVERY = 20 if TESTING else 250           # a frame of the fixed latent batch every EVERY steps
key, k_run, k_fixed = jax.random.split(key, 3)
z_fixed = jax.random.normal(k_fixed, (64, 64))   # 64 codes, each of the generator's 64 latent numbers
# The picture under this cell redraws G(z_fixed) and the losses every EVERY steps while it trains; every frame is
# kept (live.frames) for Appendix E's animation. Press the stop button (or Kernel > Interrupt) when you have seen
# enough: the training ends there, and the cells below work with the model and the history up to that step.
# doctor=CONFIG: show the GAN doctor's verdict (section 6), which reads the run's settings from its config.
live = widgets.LiveTraining(z_fixed, steps=STEPS, doctor=CONFIG)

if USE_PRETRAINED:
    gan = checkpoint.load_pretrained(kind="dcgan")           # the plain DCGAN (the package's default is notebook 09's)
    pretrained_meta = checkpoint.load_meta(checkpoint.pretrained_dir("dcgan"))
    history = pretrained_meta["history"]
    CONFIG = GANConfig.from_dict(pretrained_meta["config"]).replace(seed=SEED)   # new_gan() now builds this recipe
    shipped = np.load(checkpoint.pretrained_dir("dcgan") / checkpoint.FRAMES_FILE)  # the shipped run's own frames
    frames = [(int(s), data.to_unit_range(img[..., None])) for s, img in zip(shipped["step"], shipped["images"])]
    live.doctor(frames[-1][0], gan, history)        # the verdict under the picture, for the shipped run
    live.show(frames[-1][0], frames[-1][1], history)
    print(f"loaded the pretrained DCGAN ({history['step'][-1] + 1} steps of training) with its {len(frames)} frames,\n"
          f"one every {frames[1][0]} steps (its own fixed z, drawn by `python -m gan_utils train`)")
else:
    gan = new_gan()
    live(0, gan, None)
    result = train.fit(gan, batches, key=k_run, steps=STEPS, callbacks=[live], callback_every=EVERY,
                       checkpoint_dir=OUT / "checkpoint", checkpoint_every=1000, config=CONFIG, stop_on_interrupt=True,
                       progress=False)
    frames, history = live.frames, result.history
    rate = (result.step) / (result.seconds - result.compile_seconds)   # the picture's title also counts the compile
    print(f"{result.step} steps in {result.seconds:.0f} s (first call, compile or cache load, {result.compile_seconds:.1f} s):\n"
          f"{rate:.1f} steps/s = {rate * BATCH:.0f} images/s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if result.interrupted:
        print(f"you stopped the training at step {result.step} of {STEPS}:\n"
              "the cells below use the model and its history up to there")
    print(f"checkpoint (with the recipe, for notebook 06):\n{(OUT / 'checkpoint').resolve()}")

# %%
# Check: the run is complete and healthy.
assert len(frames) >= 2 and frames[-1][1].shape == (64, 28, 28, 1)
assert all(np.isfinite(history[k]).all() for k in ("d_loss", "g_loss"))
# Did it learn digit-like images? Background pixels (below -0.9): real digits have most of them, the untrained
# generator's grey speckle almost none; and how many different digits the classifier sees in the fixed batch.
background = lambda imgs: float(np.mean(np.asarray(imgs) < -0.9))
n_digits = lambda imgs: len(np.unique(np.asarray(metrics.classifier_outputs(imgs)[1]).argmax(1)))  # [1]: class probs
bg_real = background(x_train[:1000])
print(f"background pixels: real {bg_real:.0%}, first frame {background(frames[0][1]):.0%}, last frame "
      f"{background(frames[-1][1]):.0%};\ndifferent digits in the fixed batch: first frame {n_digits(frames[0][1])}, "
      f"last frame {n_digits(frames[-1][1])}")
if not USE_PRETRAINED:
    assert background(frames[-1][1]) > background(frames[0][1]) + 0.1      # the generator learned a black background
    assert TESTING or (n_digits(frames[-1][1]) >= 8 and abs(background(frames[-1][1]) - bg_real) < 0.1)
last = slice(-min(200, len(history["step"])), None)
print("mean over the last steps:", {k: round(float(np.mean(history[k][last])), 3) for k in ("d_loss", "g_loss", "d_real", "d_fake")})


# %% [markdown]
# ### The fixed latent batch, step by step
#
# Each frame is $G(z_1), \dots, G(z_{64})$ for the same $z$'s. The strip below shows six frames, from noise at step 0
# to digits; Appendix E plays all of them, with the blobs and strokes in between. Does each image keep its identity?
# The cell counts the codes that change digit between consecutive frames, by notebook 06's classifier. A second
# count keeps only the images the classifier is over 90% sure of in both frames.

# %% slideshow={"deck": {"big": {"find": "in the last \\d+ pairs of frames, (\\d+ to \\d+) of the 64 codes", "say": "of the 64 codes still change digit between frames, in the last 5 pairs"}, "figure": true, "notes": "Misconception: \"the digits stop changing once they look good\". Between frames 250 steps apart, late in the run, many of the 64 codes still change digit: the range is on the slide.\nBut the codes the classifier is over 90% sure of almost never change: 0 to 2 per pair. It is the ambiguous images that keep moving.\nConcept question 7: after 5,000 steps, does each code keep its digit? Not fully.", "text": "### The same 16 codes over training: noise, blobs, strokes, digits"}, "slide_type": "slide"}
# The same frames as a static strip, for readers who cannot play Appendix E's animation (on GitHub, or in print).
picks = np.unique(np.linspace(0, len(frames) - 1, 6).round().astype(int))
fig, axes = plt.subplots(1, len(picks), figsize=(2.2 * len(picks), 2.6), squeeze=False)
for ax, i in zip(axes[0], picks):
    step, imgs = frames[i]
    plots.show_images(imgs[:16], nrow=4, ax=ax, title=f"step {step}")
fig.suptitle("G(z) for the same 16 latent codes over training", y=1.04)
plt.show()

# How much does each image still change? Digits by the course's classifier (notebook 06), per pair of frames.
probs = [np.asarray(metrics.classifier_outputs(imgs)[1]) for _, imgs in frames]   # [1]: the 10 class probabilities
print("between consecutive frames: codes (of 64) whose digit changes\n(all / with the classifier over 90% sure in "
      "both frames) and the mean |pixel change|")
late = []
for (s0, a), (s1, b), p0, p1 in list(zip(frames, frames[1:], probs, probs[1:]))[-5:]:
    flip = p0.argmax(1) != p1.argmax(1)
    late.append(int(flip.sum()))
    sure = flip & (p0.max(1) > 0.9) & (p1.max(1) > 0.9)
    print(f"  step {s0:>5} -> {s1:>5}: {int(flip.sum()):>2} / {int(sure.sum()):>2} codes change digit, "
          f"mean |change| {np.abs(b - a).mean():.3f}")
print(f"in the last {len(late)} pairs of frames, {min(late)} to {max(late)} of the 64 codes change digit:\n"
      + ("ambiguous images keep changing digit; confident ones almost never do" if max(late) > 0
         else "no code changes digit any more"))

# %% slideshow={"deck": {"figure": true, "notes": "Ask the class to find the fakes' faults: broken strokes, a few shapes that are no digit. Most are clearly digits, of many classes.\nLooking is the first test; the next slide puts numbers on it with notebook 06's yardstick.", "text": "### 100 fresh samples after training, beside 100 real digits"}, "slide_type": "slide"}
# The generator after training: 100 fresh samples (inference mode: BatchNorm uses its running statistics).
key, sub = jax.random.split(key)
final = np.asarray(models.sample(gan.sampler(), sub, 100))
fig, axes = plt.subplots(1, 2, figsize=(11, 5.6))
plots.show_images(final, nrow=10, ax=axes[0], title=f"generated: 100 samples after {history['step'][-1] + 1} steps")
key, sub = jax.random.split(key)
plots.show_images(x_train[np.asarray(jax.random.choice(sub, len(x_train), (100,), replace=False))], nrow=10,
                  ax=axes[1], title="real: 100 MNIST training images")
axes[0].title.set_color(FAKE_COLOR); axes[1].title.set_color(REAL_COLOR)
plt.show()

# %% [markdown]
# Does the generator draw digits of every class? Notebook 06's yardstick, built on a small MNIST classifier, puts
# numbers on it. The **MNIST-FID** compares the classifier's features of generated and of real digits; lower is
# better. **Precision** measures quality, **recall** variety; notebook 06 builds all three.

# %% slideshow={"deck": {"big": {"find": "MNIST-FID on \\d+ samples: ([\\d.]+)", "say": "MNIST-FID on 10,000 samples against the test set (lower is better)"}, "notes": "MNIST-FID is a distance between a small MNIST classifier's features of real and of generated digits. Notebook 06 builds it, and precision and recall.\nAll ten digits are there; the least and the most frequent are printed under the FID, and a perfect generator gives 10% each. Precision is quality, recall is variety.\nDo not compare this FID with numbers from papers: they use another network and other sample sizes.", "output": true, "text": "### How good? Notebook 06's yardstick"}, "slide_type": "slide"}
N_EVAL = 1000 if TESTING else 10_000       # FID is biased upwards at small N: compare only at equal N
key, sub = jax.random.split(key)
fake = np.asarray(models.sample(gan.sampler(), sub, N_EVAL))
scores = metrics.image_metrics(fake, data.load_mnist("test")[0][:N_EVAL], pr_n=min(N_EVAL, 5000))
share = np.asarray(scores["class_histogram"]) / N_EVAL
print(f"MNIST-FID on {N_EVAL} samples: {scores['fid']:.1f};  digits present (>= 1% of samples): "
      f"{scores['digits_covered']} of 10")
print("share of each digit 0-9:", " ".join(f"{v:.2f}" for v in share)
      + f"\n(least {share.min():.1%}, most {share.max():.1%}; a perfect generator: 10% each)")
print(f"mean classifier confidence: {scores['mean_confidence']:.3f}; precision {scores['precision']:.2f}, "
      f"recall {scores['recall']:.2f}")
if not TESTING:                              # the 5,000-step budget's promise (a short test run cannot keep it)
    assert scores["fid"] < 75, f"MNIST-FID {scores['fid']:.1f}: runs of the recipe score about 50-63 (Appendix B)"
    assert scores["recall"] > 0.7, "low recall: the generator lost variety"
    assert scores["precision"] > 0.45, "low precision: many samples look like no real digit"
    assert share.min() > 0.03 and share.max() < 0.25, "some digit is (nearly) missing or dominates"
else:                                        # 40 steps: blobs, far from digits, but already better than noise
    assert scores["fid"] < 800, scores["fid"]   # uniform noise scores about 890 (notebook 06)

# %% [markdown] slideshow={"deck": {"notes": "Concept question 1: at the equilibrium, what are L_D and L_G? Should a healthy run settle on these values? Let them compute 2 log 2 and log 2 first.\nWhat to watch instead: L_D stays well away from 0, and D(x) stays above D(G(z)), both away from 1 and 0. The samples are the real judge; the numbers only warn.", "text": "## 4. Reading the curves\n\nAt the equilibrium of notebook 02, $q = p$ and $D = \\frac12$ everywhere:\n\n$$L_D = -\\log\\tfrac12 - \\log\\left(1 - \\tfrac12\\right) = 2\\log 2, \\qquad L_G = -\\log\\tfrac12 = \\log 2$$\n\nA real run does **not** reach them: $G$ never matches the data exactly."}, "slide_type": "slide"}
# ## 4. Reading the curves
#
# At the equilibrium of notebook 02 the generator matches the data and $D = \tfrac12$ everywhere, so the losses are
# $$L_D = -\log\tfrac12 - \log\left(1-\tfrac12\right) = 2\log 2 \approx 1.386, \qquad L_G = -\log\tfrac12 = \log 2 \approx 0.693.$$
# `plots.plot_history` draws them dashed, each in its loss's colour. A real run does **not** reach these lines: its
# generator never matches the data exactly, so $D$ keeps telling them apart. What matters is that $L_D$ stays well
# away from 0 (the discriminator is not winning outright). And $D(x)$ should stay above $D(G(z))$, both away from 1
# and 0. The cell also prints how the averages moved over the second half of the run. The samples are the real
# judge; the numbers only warn.

# %% slideshow={"deck": {"big": {"find": "last steps: d_loss ([\\d.]+)", "say": "$L_D$ at the end of the run; at equilibrium $2\\log 2$"}, "figure": true, "notes": "Misconception: \"in a healthy run the losses reach equilibrium\". This run ends with d_loss well below its equilibrium 1.39 and g_loss well above its 0.69 (the values on the screen), and the doctor calls it healthy.\nRight panel: D(x) above D(G(z)), both away from 0 and 1. That is the healthy sign.\nOver the second half the gap widened a little: D is slowly gaining. A trend to watch, not a failure; the samples decide.", "text": "### The live run: losses and $D$'s outputs"}, "slide_type": "slide"}
plots.plot_history(history, smooth=50)
plt.tight_layout(); plt.show()
tail = {k: float(np.mean(history[k][last])) for k in ("d_loss", "g_loss", "d_real", "d_fake")}
print(f"last steps: d_loss {tail['d_loss']:.2f} (equilibrium {EQUILIBRIUM['d_loss']:.2f}), "
      f"g_loss {tail['g_loss']:.2f} (equilibrium {EQUILIBRIUM['g_loss']:.2f}),\n"
      f"{'':12}D(x) {tail['d_real']:.2f}, D(G(z)) {tail['d_fake']:.2f} (both 0.50 at equilibrium)")
n_hist = len(history["step"])
mid = slice(n_hist // 2, n_hist // 2 + min(200, n_hist // 4 + 1))
drift = {k: float(np.mean(history[k][last]) - np.mean(history[k][mid])) for k in ("d_loss", "g_loss", "d_real", "d_fake")}
print(f"change from the middle of the run (step {history['step'][mid.start]}) to its end:\n"
      + ", ".join(f"{k} {v:+.2f}" for k, v in drift.items()))
gap = drift["d_real"] - drift["d_fake"]       # a widening gap: D is pulling ahead of G
print(f"the gap D(x) - D(G(z)) " + (f"widened by {gap:.2f}: D is slowly gaining, a trend to watch (the samples decide)"
      if gap > 0.05 else f"narrowed by {-gap:.2f}: G is catching up" if gap < -0.05 else
      f"moved by {gap:+.2f}: it held over the second half"))
assert tail["d_loss"] > 0.5 and 0.1 < tail["d_fake"] < tail["d_real"] < 0.9, tail   # the "D wins" run below fails this

# %% [markdown] slideshow={"deck": {"notes": "Discussion question: why must keys and batches be functions of the step for an exact resume? If the key were split on every step, or batches came from a shuffled stream, the resumed run would see other random numbers.\nRun B is stopped by a callback that raises KeyboardInterrupt, as the stop button does. The restored models start from another initialisation, so restore must overwrite everything.", "text": "## 5. Save, interrupt, resume: exactly\n\n- a checkpoint holds **everything** the next step needs: both networks, both Adam states, BatchNorm statistics, step, key, history\n- step $s$ uses the key `fold_in(key, s)` and the batch `batches.batch(s)`: **pure functions of $s$**\n- run A goes straight on; run B is interrupted, restored into a fresh model, finished"}, "slide_type": "slide"}
# ## 5. Save, interrupt, resume: exactly
#
# A long run must survive a closed laptop or a Colab time-out. `checkpoint.save` writes everything the next step
# depends on: both networks, both Adam states, the BatchNorm statistics, the step number, the run's PRNG key and the
# history. Step $s$ uses the key `step_key(key, s)` $=$ `fold_in(key, s)` and the batch `batches.batch(s)`. Both are
# pure functions of $s$, so a resumed run sees the same random numbers and batches as the uninterrupted one.
#
# From one checkpoint, run A trains straight on for `EXTRA` steps. Run B saves a checkpoint every `EXTRA/4` steps and
# is **interrupted** after the first checkpoint past the middle, as by the stop button. We restore that
# checkpoint into a *fresh* model and finish. A and B must agree bit for bit.

# %%
EXTRA = 20 if TESTING else 40
CK = EXTRA // 4
S = history["step"][-1] + 1
checkpoint.save(OUT / "start", gan, step=S, key=k_run, history=history)

# A: straight through.
gan_a = new_gan(seed=123)                      # a different init: restore must overwrite everything
s0, key_a, meta = checkpoint.restore(OUT / "start", gan_a)
res_a = train.fit(gan_a, batches, key=key_a, steps=S + EXTRA, start_step=s0, history=meta["history"], fuse=1, progress=False)
# fuse=1: one step per compiled call, so run B's callback and checkpoints fall exactly on every CK-th step; on a GPU, fit would
# otherwise run 50 steps per call (Appendix F)

# B: checkpoints every CK steps, interrupted after the first checkpoint past the middle.
def interrupt(step, gan, hist):
    if step > S + EXTRA // 2:
        raise KeyboardInterrupt(f"stopped at step {step}")

gan_b = new_gan(seed=456)
s0, key_b, meta = checkpoint.restore(OUT / "start", gan_b)
try:
    train.fit(gan_b, batches, key=key_b, steps=S + EXTRA, start_step=s0, history=meta["history"], fuse=1,
              progress=False, callbacks=[interrupt], callback_every=CK, checkpoint_dir=OUT / "run_b", checkpoint_every=CK)
except KeyboardInterrupt as e:
    print(f"interrupted: {e} (run B, which started at step {S})")
del gan_b                                        # the process is gone: only the checkpoint survives

gan_b2 = new_gan(seed=789)
s1, key_b2, meta = checkpoint.restore(OUT / "run_b", gan_b2)
print(f"resuming from the checkpoint at step {s1}; {EXTRA - (s1 - S)} steps to go")
res_b = train.fit(gan_b2, batches, key=key_b2, steps=S + EXTRA, start_step=s1, history=meta["history"], fuse=1, progress=False)

# %% slideshow={"deck": {"big": {"find": "max \\|difference\\|[^:]*: (\\S+)", "say": "largest difference over all 55 arrays, between run A and the resumed run B (on CPU)"}}, "slide_type": "fragment"}
leaves_a = jax.tree.leaves(nnx.state(gan_a))       # every array of the model, its optimizers and counters
leaves_b = jax.tree.leaves(nnx.state(gan_b2))
# Random keys have a key dtype of their own, not numbers: the difference skips them.
diff = max(float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))
           for a, b in zip(leaves_a, leaves_b) if not jax.dtypes.issubdtype(a.dtype, jax.dtypes.prng_key))
same_history = all(res_a.history[k] == res_b.history[k] for k in res_a.history)
print(f"{len(leaves_a)} arrays (weights, Adam moments, BatchNorm statistics, counters) compared")
print(f"max |difference| between the uninterrupted and the resumed run: {diff}")
print(f"metric histories identical: {same_history}")
if jax.default_backend() == "cpu":   # GPUs may reorder float sums between runs; on CPU XLA is deterministic
    assert diff == 0.0 and same_history

# %% [markdown] slideshow={"deck": {"notes": "Concept question 3, before the figure: with 5 D steps per G step, D wins. Predict the generator's gradient under the non-saturating and under the saturating loss.\nThe healthy run's first 40 steps are the reference, dotted in the figure.", "text": "## 6. What failure looks like: (a) the discriminator wins\n\nGive $D$ an edge: **5 D steps per G step** (`k_disc=5`), 40 steps.\n\n- run 1: the non-saturating generator loss\n- run 2: the **saturating** loss $\\log(1 - D(G(z)))$ of notebook 02\n\nThe signs: $D(x) \\to 1$, $D(G(z)) \\to 0$, $L_D \\to 0$."}, "slide_type": "slide"}
# ## 6. What failure looks like
#
# **(a) The discriminator wins.** We give the discriminator 5 updates per generator update (`k_disc=5`), in a short
# run of the same DCGAN. A second run also uses the *saturating* generator loss $\log(1 - D(G(z)))$ of notebook 02.
# The healthy run's first steps are the reference. The signs:
# $D(x) \to 1$, $D(G(z)) \to 0$, $L_D \to 0$; with the saturating loss, also a falling generator gradient.

# %% slideshow={"deck": {"big": {"find": "saturating loss: generator gradient norm [\\s\\S]*?\\(x([\\d.]+)\\)", "say": "the saturating generator's gradient norm, last step over first"}, "figure": true, "notes": "Misconception: \"you can see a winning D in the samples\". After 40 steps no run draws digits; only the numbers show it: D(x) = 0.993 with k_disc=5.\nThe non-saturating gradient even grew (x2.85): its weight 1 - D(G(z)) is near 1. The saturating one fell to 0.23 of its start, and Adam does not undo a falling gradient (notebook 04).", "text": "### Five D steps: $D$ wins; the saturating generator starves"}, "slide_type": "slide"}
FAIL_STEPS = 12 if TESTING else 40
key, k_fail = jax.random.split(key)
n = min(FAIL_STEPS, len(history["step"]))
healthy_first = {k: np.asarray(history[k][:n]) for k in history} if not USE_PRETRAINED else None
fail_runs = {}
t0 = time.perf_counter()
for name, loss in (("k_disc=5", "non_saturating"), ("k_disc=5 + saturating loss", "saturating")):
    g_fail = new_gan()
    res = train.fit(g_fail, batches, key=k_fail, steps=FAIL_STEPS, k_disc=5, generator_loss=loss, progress=False)
    fail_runs[name] = (g_fail, res.history, res.steps_per_second)
print(f"two runs of {FAIL_STEPS} steps with k_disc=5 in {time.perf_counter() - t0:.0f} s")

fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), gridspec_kw={"width_ratios": [1, 1, 0.8]})
runs_ls = {"k_disc=5": "--", "k_disc=5 + saturating loss": "-"}   # line style: the run; colour: the quantity
for name, (_, h, _) in fail_runs.items():
    axes[0].plot(h["step"], h["d_real"], color=REAL_COLOR, ls=runs_ls[name])
    axes[0].plot(h["step"], h["d_fake"], color=FAKE_COLOR, ls=runs_ls[name])
    axes[1].semilogy(h["step"], h["g_grad_norm"], color=FAKE_COLOR, ls=runs_ls[name])
if healthy_first is not None:
    runs_ls["healthy run (section 3)"] = ":"
    axes[0].plot(healthy_first["step"], healthy_first["d_real"], color=REAL_COLOR, ls=":")
    axes[0].plot(healthy_first["step"], healthy_first["d_fake"], color=FAKE_COLOR, ls=":")
    axes[1].semilogy(healthy_first["step"], healthy_first["g_grad_norm"], color=FAKE_COLOR, ls=":")
axes[0].set(xlabel="training step", ylabel="mean D output", ylim=(0, 1), title="D(x) and D(G(z))")
axes[1].set(xlabel="training step", ylabel="generator gradient norm", title="Generator gradient norm (before Adam)")
handles = [Line2D([], [], color=REAL_COLOR, label="D(x)"), Line2D([], [], color=FAKE_COLOR, label="D(G(z)); G's gradient")]
handles += [Line2D([], [], color="0.35", ls=ls, label=name) for name, ls in runs_ls.items()]
fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=11, frameon=False)   # one key, below
key, sub = jax.random.split(key)
sat_gan = fail_runs["k_disc=5 + saturating loss"][0]
plots.show_images(np.asarray(models.sample(sat_gan.generator, sub, 36)), nrow=6, ax=axes[2],
                  title=f"G after {FAIL_STEPS} steps,\nk_disc=5 + saturating loss")
plt.tight_layout(rect=(0, 0.09, 1, 1)); plt.show()
tails = {name: {k: float(np.mean(h[k][-5:])) for k in ("d_real", "d_fake", "d_loss", "g_grad_norm")}
         for name, (_, h, _) in fail_runs.items()}
if healthy_first is not None:
    tails["healthy run"] = {k: float(np.mean(healthy_first[k][-5:])) for k in ("d_real", "d_fake", "d_loss", "g_grad_norm")}
print(f"mean of the last 5 steps     {'D(x)':>7} {'D(G(z))':>9} {'L_D':>7} {'|grad G|':>9}")
for name, t in tails.items():
    print(f"{name:<28} {t['d_real']:>7.3f} {t['d_fake']:>9.4f} {t['d_loss']:>7.3f} {t['g_grad_norm']:>9.2e}")
for name, (_, h, _) in fail_runs.items():
    g = np.asarray(h["g_grad_norm"])
    print(f"{name}: generator gradient norm {g[0]:.2e} at the first step,\n"
          f"{'':4}{g[-5:].mean():.2e} at the end "
          f"(x{g[-5:].mean() / g[0]:.2f})")
sat = tails["k_disc=5 + saturating loss"]
assert sat["d_fake"] < 0.1 and sat["d_loss"] < 0.3, sat
assert sat["g_grad_norm"] < tails["k_disc=5"]["g_grad_norm"] / 3, tails

# %% [markdown] slideshow={"deck": {"notes": "Concept question 4: what separates the two failures? Collapse: every sample is fine, the variety is gone. Non-convergence: the samples are not on the data at all.\nConcept question 5, a prediction before the figure: five times the learning rate makes the toy GAN fail. True or false? Take a vote.", "text": "### (b) Non-convergence, and how to tell it from mode collapse\n\nThe ring of 8 Gaussians. **High-quality fraction**: samples within 3 standard deviations of a mode.\n\n- **mode collapse**: few modes, but a **high** high-quality fraction\n- **non-convergence**: a **low** fraction that stays low; samples keep moving\n\nThree MLP GANs: Adam $2\\cdot10^{-4}$, $\\beta_1 = 0.5$ (baseline); 5 times the rate; $\\beta_1 = 0.9$."}, "slide_type": "slide"}
# In this seed, after 40 steps, five discriminator steps push $D(G(z))$ and $L_D$ toward 0: the discriminator wins.
# Yet the non-saturating generator still gets a large gradient. Its loss weights each fake's gradient by
# $1 - D(G(z))$, near 1 here; the saturating loss weights it by $D(G(z))$, near 0 (notebook 02, section 4). So the
# saturating generator's gradient falls within a few steps, and Adam does not undo that (notebook 04). Both runs
# still fail: $D$ wins either way. The non-saturating loss only keeps $G$'s gradient alive; fewer D steps remove
# $D$'s edge. No run draws digits yet: the numbers show this failure, the samples do not.
#
# **(b) Non-convergence, and how to tell it from mode collapse.** On 2-D data we can see every sample. We train on
# the ring of 8 Gaussians (notebook 03, σ = 0.05). At five snapshots we measure the **high-quality fraction**: the
# share of samples within 3 standard deviations of a mode (notebook 06). We also count the modes covered. One
# high-quality sample covers a mode, so all 8 can be covered while the fraction is low. At the end of a run, the two
# numbers tell two failures apart:
#
# - **mode collapse**: few modes, but a *high* high-quality fraction. Every sample looks fine; the variety is gone.
# - **non-convergence**: a *low* high-quality fraction that stays low, with samples that move from snapshot to
#   snapshot. The players chase each other across the plane. (Early in any run the fraction is low too.)
#
# Three small MLP GANs change one setting each. The baseline is the DCGAN paper's optimizer (Adam $2\cdot10^{-4}$,
# $\beta_1 = 0.5$). The second has five times its learning rate. The third has Adam's default $\beta_1 = 0.9$, which
# "resulted in training oscillation and instability" in the DCGAN paper (section 4). Each trains from 5 seeds.

# %% slideshow={"deck": {"figure": true, "notes": "Top: the baseline sends its samples along rays through every mode, then pulls them onto the ring. Middle: five times the rate reaches the ring sooner and stays. Bottom: beta1 = 0.9 squeezes the samples into one narrow wedge that points somewhere else at every snapshot.\nAnswer to the vote: false. The large rate is no failure here.", "text": "### Five snapshots of seed 0 in each setting"}, "slide_type": "slide"}
ring = data.ring(std=0.05)
key, k_ring = jax.random.split(key)
x_ring = np.asarray(ring.sample(k_ring, 50_000))
TOY_STEPS = 2000                        # a few seconds per run, so the test suite runs the same lesson
SNAPS = 5

def run_toy(lr, b1, seed=SEED):
    rngs = nnx.Rngs(seed)
    toy = steps.GAN(models.MLPGenerator(2, 2, rngs=rngs), models.MLPDiscriminator(2, rngs=rngs), g_lr=lr, d_lr=lr, b1=b1)
    snaps = []
    def snap(step, gan, hist):
        fake = np.asarray(models.sample(gan.generator, jax.random.key(seed + 3), 1000))
        m = metrics.toy_mode_metrics(fake, ring)
        snaps.append((step, fake, m["modes_covered"], m["high_quality_fraction"]))
    train.fit(toy, data.BatchSampler(x_ring, 128, jax.random.key(seed + 1)), key=jax.random.key(seed + 2),
              steps=TOY_STEPS, callbacks=[snap], callback_every=TOY_STEPS // SNAPS, progress=False)
    return snaps

def diagnose(modes, hq):
    # the two numbers together: what a snapshot shows
    if hq < 0.5:
        return "non-convergence (samples off the modes)"
    return "healthy" if modes == 8 else "mode collapse (few modes, on them)"

SETTINGS = {"baseline: lr 2e-4, beta1 0.5": (2e-4, 0.5), "lr 1e-3 (5x), beta1 0.5": (1e-3, 0.5),
            "lr 2e-4, beta1 0.9": (2e-4, 0.9)}
N_TOY_SEEDS = 5                          # one seed is one draw: each setting is trained from 5 seeds (the first is shown)
t0 = time.perf_counter()
toy_seeds = {name: [run_toy(lr, b1, seed=SEED + 10 * i) for i in range(N_TOY_SEEDS)]
             for name, (lr, b1) in SETTINGS.items()}
toy_runs = {name: runs[0] for name, runs in toy_seeds.items()}
print(f"{len(SETTINGS) * N_TOY_SEEDS} toy runs of {TOY_STEPS} steps in {time.perf_counter() - t0:.0f} s")
fig, axes = plt.subplots(3, SNAPS, figsize=(2.9 * SNAPS, 10))
for row, (name, snaps) in zip(axes, toy_runs.items()):
    for ax, (step, fake, modes, hq) in zip(row, snaps):
        ax.scatter(x_ring[:500, 0], x_ring[:500, 1], s=2, color=REAL_COLOR, alpha=0.5)
        ax.scatter(fake[:, 0], fake[:, 1], s=2, color=FAKE_COLOR, alpha=0.4)
        ax.set(xlim=(-1.6, 1.6), ylim=(-1.6, 1.6), aspect="equal", xticks=[], yticks=[])
        ax.set_title(f"step {step}: {modes}/8 modes, {hq:.0%} HQ", fontsize=11)
    row[0].set_ylabel(name, fontsize=12)
fig.suptitle(f"Data (blue) and generator samples (orange) over training, seed {SEED} of each setting; "
             "HQ = high-quality fraction", y=1.0)
plt.tight_layout(); plt.show()
for name, snaps in toy_runs.items():
    print(f"{name:<30} (modes, high-quality) at the snapshots:\n{'':<30} "
          + ", ".join(f"({m}, {hq:.0%})" for _, _, m, hq in snaps) + f"\n{'':<30} -> at the end: {diagnose(*snaps[-1][2:])}")
base_s, fast_s, b09_s = (toy_seeds[k] for k in SETTINGS)
final_hq = {name: np.array([r[-1][3] for r in runs]) for name, runs in toy_seeds.items()}
print("final high-quality fraction, mean over the seeds:\n"
      + ", ".join(f"{name} {v.mean():.0%}" for name, v in final_hq.items()))
# Checks over all 5 seeds of what the text below states (Appendix C checks more).
assert all(r[-1][2] == 8 for r in fast_s) and sum(r[-1][2] == 8 for r in base_s) >= 3, \
    [r[-1][2] for r in base_s + fast_s]
assert final_hq["lr 1e-3 (5x), beta1 0.5"].min() > 0.6, final_hq
assert final_hq["lr 1e-3 (5x), beta1 0.5"].mean() > final_hq["baseline: lr 2e-4, beta1 0.5"].mean(), final_hq
assert final_hq["lr 2e-4, beta1 0.9"].max() < 0.5, final_hq

# %% [markdown] slideshow={"deck": {"notes": "Misconception: \"a large learning rate is what breaks a GAN\". With five times the rate every seed ended with 8 of 8 modes; Adam's beta1 = 0.9 was the failure, as the DCGAN paper (section 4) reports.\nThe final high-quality fraction, mean over the seeds: 57% for the baseline, 83% for the 5x rate, 4% for beta1 = 0.9.", "text": "### Over 5 seeds each\n\n- **baseline**: by step 2,000 some seeds are on the ring, some not yet\n- **5 times the learning rate**: all 8 modes, most samples on them, in every seed\n- $\\beta_1 = 0.9$: off the modes in every seed: **non-convergence**\n\nCounting modes alone would call the wedge a collapse; the high-quality fraction says it is not on a mode either."}, "slide_type": "slide"}
# The pictures show seed 0; the assertions check the end of every run, over all 5 seeds (Appendix C prints them).
#
# - The **baseline** sends its samples along rays through every mode, then pulls them onto the ring. How far it gets
#   by step 2,000 depends on the seed.
# - **Five times the learning rate** is no failure here. Every seed ends with all 8 modes and most samples on them.
#   Its final high-quality fraction beats the baseline's on average.
# - **$\beta_1 = 0.9$** is the failure. In seed 0 its samples form one narrow wedge that points elsewhere at every
#   snapshot (Appendix C prints its spread and direction). Every seed ends off the modes: non-convergence.
#
# Counting modes alone would call this a collapse onto one mode; the high-quality fraction says the samples are not
# on it either. In an image GAN, collapse shows as near-copies, or as missing digits (notebook 06).

# %% [markdown] slideshow={"deck": {"notes": "This table is the practical take-away of the lecture. Go through it row by row and point back to the slide that showed each sign.\nDiscussion question: what would you plot to tell collapse from non-convergence on MNIST, where we cannot see every sample in 2-D? (A digit histogram from a classifier, a grid of samples over time, precision and recall: notebook 06.)", "text": "### Signs to watch for\n\n| what you see | it means | try |\n|---|---|---|\n| $L_D \\to 0$, $D(x) \\to 1$, $D(G(z)) \\to 0$ | D wins | non-saturating loss, fewer D steps |\n| samples off the data, moving; low HQ | non-convergence | $\\beta_1 = 0.5$ |\n| near-copies; digits missing | mode collapse | notebook 06's metrics, 07's stabilisers |\n| a loss is NaN | divergence | a lower learning rate |\n| losses fine, samples stuck | losses are no quality measure | look at samples; FID |"}, "slide_type": "slide"}
# **Signs to watch for, in one table**
#
# | what you see | what it means | what to try |
# |---|---|---|
# | $L_D \to 0$, $D(x)\to1$, $D(G(z))\to0$; with the saturating loss, a falling generator gradient | the discriminator wins | the non-saturating loss (the default), fewer D steps, one-sided label smoothing (notebook 04) |
# | samples off the data and moving; a low high-quality fraction that stays low | non-convergence | $\beta_1 = 0.5$ (section 6b); exercise 3 tries a 25x learning rate |
# | many near-copies; modes or digits missing, each sample fine | mode collapse | notebook 06's metrics; notebook 07's stabilisers (minibatch standard deviation, PacGAN) |
# | a loss becomes NaN | divergence | `fit` stops and keeps the last good state; lower the learning rate |
# | samples stop improving while losses look fine | the losses are no quality measure | look at samples; FID (notebook 06) |
#
# ### The GAN doctor: the table as code
#
# `gan_utils.doctor` reads the signs of this table from a run and names the failure: `healthy`,
# `discriminator_wins`, `mode_collapse`, `non_convergence`, `diverged` or `too_early`. It also gives its evidence and
# what to try; the command line gives it too (`python -m gan_utils doctor RUN`). Here it reads every run of this
# section; Appendix D gives its thresholds.

# %% slideshow={"deck": {"big": {"find": "section 3: the live run\\s+(\\w+)", "say": "its verdict on the live run of section 3, far from the equilibrium losses"}, "notes": "The doctor agrees with every run we described: the live run is healthy, both k_disc=5 runs are discriminator_wins, and every beta1 = 0.9 run is non_convergence. The command line gives it too: python -m gan_utils doctor RUN.\nConcept question 8: the doctor calls two baseline seeds non_convergence after 2,000 steps, with only 34% and 21% of their samples near a mode (printed in Appendix D). Is it sure those runs failed? No: one look cannot say whether they would reach the ring later.", "text": "### The GAN doctor: the table as code\n\n`gan_utils.doctor` reads the signs and names the failure, with its evidence and what to try."}, "slide_type": "slide"}
import textwrap
from gan_utils import doctor
readings = {"section 3: the live run": doctor.diagnose_gan(gan, history, CONFIG)}
for name, (_, h, _) in fail_runs.items():       # D's outputs alone show D winning: no samples needed
    readings[f"6a: {name}"] = doctor.diagnose(h)
for name, runs in toy_seeds.items():            # the last snapshot's 1,000 samples of each seed
    for i, snaps in enumerate(runs):
        step, fake, _, _ = snaps[-1]
        # No history was kept for the toy runs: a stand-in one gives only the step; the samples give the signs.
        readings[f"6b: {name}, seed {SEED + 10 * i}"] = doctor.diagnose({"step": [step - 1]}, doctor.toy_signals(fake, ring))
for name, d in readings.items():
    if not name.startswith("6b"):             # the 15 toy readings, with their reasons: Appendix D
        print(f"{name:<44} {d.verdict}\n" + textwrap.fill(d.reason, 100, initial_indent="    ", subsequent_indent="    "))
toy_verdicts = {name: [readings[f"6b: {name}, seed {SEED + 10 * i}"].verdict for i in range(N_TOY_SEEDS)] for name in SETTINGS}
for name, v in toy_verdicts.items():
    print(f"6b: {name:<40} " + ", ".join(f"{v.count(x)} {x}" for x in sorted(set(v))) + f" (of {N_TOY_SEEDS} seeds)")
if not TESTING:      # the shortened test runs are too short for a verdict (fewer than 20 steps in 6a, 40 in section 3)
    assert readings["section 3: the live run"].verdict == "healthy", readings["section 3: the live run"]
    assert all(readings[f"6a: {name}"].verdict == "discriminator_wins" for name in fail_runs), readings
assert toy_verdicts["lr 2e-4, beta1 0.9"] == ["non_convergence"] * N_TOY_SEEDS, toy_verdicts
assert toy_verdicts["lr 1e-3 (5x), beta1 0.5"].count("healthy") >= 4, toy_verdicts

# %% [markdown]
# Where this notebook described a run, the doctor agrees (the cell asserts it): the live run is `healthy`, both
# `k_disc=5` runs are `discriminator_wins`, and every $\beta_1 = 0.9$ run is `non_convergence`. A baseline seed that
# has not reached the ring by step 2,000 also gets `non_convergence`: one look cannot say whether it would arrive
# later. Appendix D says where the doctor's line differs from section 6b's.
#
# ## 7. On a Colab GPU or TPU
#
# In Colab choose *Runtime > Change runtime type > GPU* (or *TPU*) and run all: JAX finds the accelerator by itself.
# On a GPU, `fit` fuses 50 steps into one compiled call. These paths were not measured on an accelerator, so time
# your own run before you raise the budget. Appendix F gives the details.

# %% [markdown] slideshow={"deck": {"notes": "Five lines to remember. On a Colab GPU or TPU the same notebook runs unchanged (section 7); time your own run before raising the budget.\nNext time, notebook 06: how good are these digits, in numbers we can trust?", "text": "## Summary\n\n- one step: a D step on real and fixed fakes, then a G step through the **updated** D; compiled once\n- a healthy run does **not** reach $2\\log 2$ and $\\log 2$: $L_D$ away from 0, $D(x) > D(G(z))$\n- keys and batches are functions of the step: a resumed run is **bit for bit** the same (CPU)\n- D wins: $D(x) \\to 1$, $D(G(z)) \\to 0$; non-convergence: low high-quality fraction, moving samples\n- the samples are the judge; the numbers only warn"}, "slide_type": "slide"}
# ## Summary
#
# - One GAN step: a discriminator step on real and fixed fake images, then a generator step through the updated
#   discriminator. Compiled once, it runs faster than eagerly.
# - After 5,000 steps the DCGAN draws digits of all ten classes; images still change late in training.
# - A run does not reach $2\log 2$ and $\log 2$. In a healthy run $L_D$ stays away from 0, and $D(x) > D(G(z))$,
#   both away from 0 and 1.
# - A checkpoint holds everything the next step needs, and keys and batches are functions of the step: a resumed run
#   is bit for bit the uninterrupted one (on CPU).
# - "D wins": $D(x) \to 1$, $D(G(z)) \to 0$, $L_D \to 0$; with the saturating loss, the generator's gradient falls
#   too. Non-convergence: a low high-quality fraction, moving samples. Mode collapse: few modes, a high high-quality
#   fraction.
# - The GAN doctor (`gan_utils.doctor`) reads these signs as a verdict, with its evidence and a fix.

# %% [markdown] slideshow={"deck": {"notes": "Homework: the three exercises; the checker cell grades each one and gives a hint for a wrong answer.\nReading: Appendices A-F, above all Appendix B, the search that chose the recipe.", "text": "## Exercises (checked in the notebook)\n\n1. **$L_D$ by hand** for given outputs of $D$\n2. **Two gradients**: the non-saturating against the saturating one, at a small $D(G(z))$\n3. **Change one setting**: `run_toy(5e-3, 0.5)`, 25 times the baseline's rate. Healthy, collapse or non-convergence?\n\nNext: [06 Evaluating GANs](../notebooks/06_evaluating_gans.html): FID, precision and recall."}, "slide_type": "slide"}
# ## Exercises
#
# The checker below grades each exercise; for a wrong answer it says "not yet", with a hint.
#
# 1. A discriminator outputs $D(x) = 0.7$ on every real image and $D(G(z)) = 0.2$ on every fake. What is its loss
#    $L_D$ (section 1, natural logarithms)? Store it in `answer_1`.
# 2. Suppose $D(G(z)) = 0.01$ for every fake. By what factor is the non-saturating generator gradient with respect
#    to the logit, $|\partial(-\log\sigma(\ell))/\partial\ell|$, larger than the saturating one,
#    $|\partial\log(1-\sigma(\ell))/\partial\ell|$? Store it in `answer_2`.
# 3. **Change one setting and run it.** Train `run_toy(5e-3, 0.5)` of section 6(b): 25 times the baseline's learning
#    rate. Store the high-quality fraction of its last snapshot in `answer_3` (the fourth element of the last tuple,
#    between 0 and 1). Is it non-convergence, collapse or healthy? What does that say about the learning rate as a
#    cause of failure on this toy?

# %%
# Your answers (replace the None's), then run the checker below.
answer_1 = None
answer_2 = None
answer_3 = None

# %%
# Checker: one line per exercise; unanswered ones are reported, a wrong one fails this cell after the full report.
# NBVAL_CHECK_OUTPUT
exercises.check("05", answer_1=answer_1, answer_2=answer_2, answer_3=answer_3, x_ring=x_ring)

# %% [markdown]
# **Next:** [06 Evaluating GANs](06_evaluating_gans.ipynb): how good are these digits? FID, precision and recall, and
# a classifier's view of which digits the generator draws.

# %% [markdown]
# ## Appendix A: compile time and compiler options
#
# The first cell below times the course's own step, `steps.make_train_step`, as section 2 timed the hand-written one.
# Its first call pays for tracing and compiling, or loads the program from the persistent compilation cache when one
# is configured (`./course.sh` turns it on). To time a real compile, the second cell switches the cache off and
# compiles a fresh program (a new batch size) from scratch.
#
# The hand-written jitted step and the `gan_utils` step differ in three ways, so their gap is not put down to any
# one of them. `gan_utils`
# runs $G$'s forward pass once per step, not twice (PyTorch's DCGAN tutorial also runs it once). It is a pure
# `jax.jit` function, with no NNX graph handling per call. And it is compiled with `devices.compiler_options()`, which on CPU tells XLA to
# run convolutions with its own kernels instead of the YNNPACK library. That option was measured for the full-width
# network on another 2-core CPU, an AMD EPYC: 426 -> 603 images/s at batch 64 (`benchmarks/RESULTS.md`, "How JAX got
# ahead on this CPU"). It was not measured in this notebook.

# %%
# The course's step, timed as section 2 timed the hand-written one; then the speed of section 6a's runs.
g = new_gan()
graphdef, state, step_fn = steps.make_train_step(g)
holder = {"state": state}
def run_lib(i):
    holder["state"], m = step_fn(holder["state"], real, steps.step_key(k2, i))
    return m["g_loss"]
first, per = time_compiled(run_lib, N_TIME)
timings["gan_utils step: first call"], timings["gan_utils step: one step"] = first, per
for name, t in timings.items():
    print(f"{name:<42} {t * 1000:8.0f} ms")
print(f"the first compiled call of the gan_utils step\n(a compile, or a load from the disk cache) costs about "
      f"{timings['gan_utils step: first call'] / timings['gan_utils step: one step']:.0f} gan_utils steps\n"
      f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: timings move with the machine's load).")
print("section 6a's runs (five D updates per step), steps per second: "
      + ", ".join(f"{name} {sps:.1f}" for name, (_, _, sps) in fail_runs.items()))

# %%
cache_dir = jax.config.jax_compilation_cache_dir
print(f"persistent compilation cache: {cache_dir or 'off'}")
# A cold compile, measured with the cache switched off: a fresh program (a new batch size) compiled from scratch. JAX
# decides once per process whether it uses the cache, so the switch needs a reset of that decision, both ways.
from jax.experimental.compilation_cache import compilation_cache
jax.config.update("jax_enable_compilation_cache", False)
compilation_cache.reset_cache()
real_cold = jnp.asarray(batches.batch(1))[:48]
t0 = time.perf_counter(); jax.block_until_ready(step_fn(holder["state"], real_cold, steps.step_key(k2, 99))[1]["g_loss"])
cold = time.perf_counter() - t0
jax.config.update("jax_enable_compilation_cache", True)
compilation_cache.reset_cache()
print(f"a cold compile of the gan_utils step (cache off, batch 48): {cold:.1f} s, about "
      f"{cold / timings['gan_utils step: one step']:.0f} steps; the first calls above may have loaded their programs "
      f"from the cache instead")

# %% [markdown]
# ## Appendix B: the search that chose the recipe
#
# The recipe of section 3 (half-width networks, Adam at $10^{-3}$ and $\beta_1 = 0.5$, batch 64, the non-saturating
# loss) won a search for the best digits **per CPU-minute**, made with the course's harness
# (`python benchmarks/quality.py`, one row per run in
# [`benchmarks/quality_results.md`](../benchmarks/quality_results.md)). Each run trained for 5 minutes of an idle
# 2-core CPU (or, where the machine was shared, for the number of steps those 5 minutes give that recipe). Each
# scored 10,000 samples with MNIST-FID against the test set (lower is better; real training digits score 0.77 at
# that size, notebook 06 measures it). There is one seed per row, and differences under about 10 FID are noise:
# three seeds of the recipe, each trained for a real 5 minutes (5,100-5,350 steps, a little fewer than the 5,600 of
# the table below), scored 57.2, 58.1 and 50.4. All numbers in this table and the next paragraph are from
# `benchmarks/quality_results.md`.
#
# | the runs of the search (one seed each) | steps (5 minutes' worth) | MNIST-FID |
# |---|---|---|
# | the DCGAN paper's optimizer (Adam $2\cdot10^{-4}$, $\beta_1$ 0.5), full-width networks, batch 64 | 2,250 | 126.2 |
# | learning rate $5\cdot10^{-4}$ | 2,330 | 89.3 |
# | learning rate $10^{-3}$ | 2,330 | 67.3 |
# | learning rate $2\cdot10^{-3}$ | 2,330 | 65.7 |
# | $5\cdot10^{-4}$, half-width networks | 5,600 | 66.3 |
# | **$10^{-3}$, half-width networks (the recipe)** | 5,600 | **55.1** |
# | the recipe + a moving average of $G$'s weights (EMA, decay 0.995) | 5,600 | 55.9 |
# | the recipe at batch 32 | 11,200 | 63.5 |
#
# Two effects dominate, and both are about *time*. Larger steps get both players somewhere sooner: the learning rate
# alone took FID from 126.2 to 67.3, and stopped helping between $10^{-3}$ and $2\cdot10^{-3}$ (65.7, within noise).
# (The DCGAN paper found $10^{-3}$ too high for its networks and much longer training; for 5 CPU minutes it wins.)
# And on a CPU a step is cheaper the less arithmetic it does. The half-width step is much cheaper (the cell below
# times both), so the same minutes buy more than twice as many steps: 55.1 against 67.3 at $10^{-3}$, one seed each,
# at the edge of the noise. Other changes were tried at other settings, each against its own baseline:
#
# - a discriminator learning 4x faster (TTUR, full width): 153.8 against 126.2;
# - batch 128 at $10^{-3}$: 113.4 against 67.3;
# - a wider discriminator at $5\cdot10^{-4}$: 95.9 against 89.3 (within noise);
# - the hinge loss: 81.0 against 89.3; EMA 0.995 at $5\cdot10^{-4}$: 85.4 against 89.3 (both within noise);
# - an extra 28x28 stage in the generator: 79.4 against 89.3 at full width (within noise), 72.9 with a half-width
#   generator and a full-width discriminator, and 151.8 against 66.3 with both networks at half width;
# - batch 32 at $5\cdot10^{-4}$: 70.8 against 89.3. It helped there, but not on top of the recipe (63.5 against 55.1
#   in the table).
#
# The moving average did not beat the recipe either.
#
# **Why this notebook keeps the plain DCGAN.** The command line's MNIST default is a different model: notebook 09's
# self-conditioned GAN. It clusters the training digits without labels and gives the generator a discrete choice of
# cluster. On the same 5 CPU minutes it drew much better digits: MNIST-FID 5.51 against the plain DCGAN's 55.2, one
# run each on the same machine (`benchmarks/RESULTS.md`, "Labels without labels"). That 55.2 is not the table's 55.1:
# it is another run of the recipe, from the command line two days later on an AMD EPYC, where the plain DCGAN made
# 8,050 steps in its 5 minutes against the table's 5,600 on an Intel Xeon. This notebook still trains the
# plain DCGAN because it teaches the training loop of the two networks built in notebooks 03 and 04. The
# self-conditioned GAN adds a conditional generator, a projection discriminator and re-clustering on top of that loop;
# each is taught where it comes from (notebooks 08 and 09). Look for digits in section 3's samples that belong to two
# classes at once: notebook 09 measures how many the plain DCGAN draws, why, and what fixes it.
#
# The cell below builds both widths, counts their parameters and times one compiled step of each.

# %%
full = build_gan(GANConfig(g_base=128, d_base=64))              # notebook 03's and 04's widths
recipe = build_gan(GANConfig(seed=SEED))                        # the recipe: GANConfig's defaults
step_ms = {}
for name, g in (("notebooks 03/04 (full width)", full), ("the recipe (half width)", recipe)):
    _, st, fn = steps.make_train_step(g)
    hold = {"state": st}
    def run_one(i, fn=fn, hold=hold):
        hold["state"], m = fn(hold["state"], real, steps.step_key(k2, i))
        return m["g_loss"]
    step_ms[name] = 1000 * time_compiled(run_one, N_TIME)[1]
    print(f"{name:<30} generator {models.count_params(g.generator):>9,}  discriminator "
          f"{models.count_params(g.discriminator):>7,} parameters; one compiled step {step_ms[name]:.0f} ms")
cost_ratio = step_ms["notebooks 03/04 (full width)"] / step_ms["the recipe (half width)"]
print(f"a full-width step costs {cost_ratio:.1f}x a half-width step on this machine, now")
print("the recipe:", {k: getattr(GANConfig(), k) for k in ("lr", "b1", "batch_size", "g_base", "d_base", "loss", "ema")})
assert models.count_params(recipe.generator) < models.count_params(full.generator) / 2   # a fact of the two sizes
# About 4x the multiply-adds: on a CPU (compute-bound) that is well over 1.5x the time; a GPU or TPU runs such small
# steps below its capacity, where the ratio can be near 1, and a shared test machine's timings are not figures.
if not TESTING and jax.default_backend() == "cpu":
    assert cost_ratio > 1.5, cost_ratio
del full, recipe

# %% [markdown]
# ## Appendix C: the toy runs of section 6b, closer
#
# The cell below prints, for seed 0 of each setting, the direction of the samples' centroid and their spread at
# each snapshot. Samples spread round the ring have a spread of about 1, the ring's radius. With $\beta_1 = 0.9$ the
# spread falls well below that: the samples are squeezed into a narrow wedge. Its centroid direction jumps from
# snapshot to snapshot. (For a narrow wedge far from the centre that direction means something; for samples spread
# round the ring it does not.) Averaged over all 25 snapshots of the 5 seeds, the $\beta_1 = 0.9$ runs cover at most
# two modes with few samples of high quality (asserted). A single snapshot can catch more as the wedge sweeps past a
# mode, so the best snapshot is printed, not asserted.
#
# The cell then prints every seed's last snapshot. The mean over all snapshots counts the early ones too. So the
# five-times rate can average fewer modes than the baseline, from snapshots before its last, and still end
# with all 8 in every seed.
#
# The baseline ends with all 8 modes in most seeds. Over 18 runs of each setting, measured while writing this, one
# baseline run ended on a single mode, and the five-times rate ended with all 8 modes in every run.
#
# The collapse of the papers' standard GANs, in notebook 06's literature table (its Appendix I), is the other kind: few modes, with
# almost every sample on them.

# %%
for name, snaps in toy_runs.items():                      # seed 0: where the samples point, and how far they spread
    angles = [np.degrees(np.arctan2(*fake.mean(0)[::-1])) for _, fake, _, _ in snaps]
    spread = [float(np.linalg.norm(fake.std(0))) for _, fake, _, _ in snaps]
    print(f"{name:<30} centroid direction (degrees): {', '.join(f'{a:+.0f}' for a in angles)};\n"
          f"{'':<30} spread: {', '.join(f'{v:.2f}' for v in spread)}")
print(f"over {N_TOY_SEEDS} seeds, the last snapshot (modes, high-quality) and,\nover all snapshots, the most modes and "
      "the highest high-quality fraction:")
for name, runs in toy_seeds.items():
    print(f"{name:<30} end: " + ", ".join(f"({r[-1][2]}, {r[-1][3]:.0%})" for r in runs)
          + f";\n{'':<30} most modes " + ", ".join(str(max(m for _, _, m, _ in r)) for r in runs)
          + "; highest HQ " + ", ".join(f"{max(hq for *_, hq in r):.0%}" for r in runs)
          + f";\n{'':<30} mean over all {N_TOY_SEEDS * SNAPS} snapshots: {np.mean([m for r in runs for *_, m, _ in r]):.1f} modes, "
          + f"{np.mean([hq for r in runs for *_, hq in r]):.0%} HQ")
b09_modes = np.array([m for r in b09_s for *_, m, _ in r])
b09_hq = np.array([hq for r in b09_s for *_, hq in r])
# beta1 = 0.9 is checked on the whole run, not on its best snapshot. Over its 25 snapshots it covers about 1 mode with
# about 5% of its samples on one (0.8 modes and 4% over 10 other seeds run while checking this). With every seed
# shifted by 2, one snapshot went past 2 modes or 30%, so the best snapshot is printed, not asserted.
assert b09_modes.mean() <= 2 and b09_hq.mean() < 0.15, (b09_modes, b09_hq)

# %% [markdown]
# ## Appendix D: the GAN doctor's thresholds
#
# The doctor's rules are the table's of section 6, with thresholds. D wins when, over the last fifth of the steps (at
# least 20), $D(x) \ge 0.9$ and $D(G(z)) \le 0.1$; a healthy run sits near 0.7 and 0.3. D winning is read from step
# 20; the other verdicts wait for step 200, before which every run still draws noise or a blob. On toy data,
# non-convergence is called when fewer than half the samples lie near a mode, and collapse when fewer than 90% of the
# modes each hold at least a quarter of their fair share. On MNIST, notebook 06's classifier says whether the samples are
# digits and whether a digit is missing; the cell below prints the live run's evidence.
#
# Its line between healthy and non-convergence is not section 6b's. A sample counts as near a mode within a quarter of
# the distance between modes, a little under 4 σ on this ring, where the high-quality fraction asks for 3 σ. So a
# baseline seed with fewer than half its samples of high quality can still be `healthy` (not in this run); compare
# the doctor's lines below with Appendix C's high-quality fractions: each seed's share near a mode is a little above
# them. Its reading of the saturating run rests on D's outputs: the falling
# gradient of section 6a enters its evidence only once a run is five of its windows long, longer than these 40 steps.
# How often the doctor is right over runs with known failures, toy and MNIST, is measured in
# `benchmarks/doctor_accuracy.py` (the table is in `benchmarks/RESULTS.md`).

# %%
for name, d in readings.items():              # section 6's toy readings, seed by seed, with their reasons
    if name.startswith("6b"):
        print(f"{name:<44} {d.verdict}\n" + textwrap.fill(d.reason, 100, initial_indent="    ", subsequent_indent="    "))
# gap: the smallest distance between two modes; "near" is doctor.NEAR_SIGMA sigmas, or gap / 4 if that is less.
gap = np.sqrt(((ring.means[:, None] - ring.means[None]) ** 2).sum(-1))[~np.eye(len(ring.means), dtype=bool)].min()
near_sigma = min(doctor.NEAR_SIGMA * ring.stds[0], gap / 4) / ring.stds[0]   # that radius, in sigmas
print(f"\non this ring (sigma {ring.stds[0]:g}, neighbouring modes {gap:.3f} apart)\nthe doctor's 'near a mode' is within "
      f"{near_sigma:.1f} sigma; the high-quality fraction asks for 3")
live_ev = readings["section 3: the live run"].evidence
if "fid" in live_ev:
    print(f"\nthe live run's evidence: MNIST-FID {live_ev['fid']:.1f} (500 samples against the test set),\ndigit "
          f"shares from {live_ev['least_digit']:.1%} to {live_ev['most_digit']:.1%}, mean confidence "
          f"{live_ev['mean_confidence']:.2f}")
print("\nthe doctor's line for the saturating run, as `train` prints it:\n"
      + textwrap.fill(str(readings["6a: k_disc=5 + saturating loss"]), 100))

# %% [markdown]
# ## Appendix E: the fixed latent batch as an animation
#
# Section 3's frames of the same 64 codes, played as an animation: blobs appear first, then strokes, then digits. The
# cell also saves it as `runs/05_training_loop/training.gif`, for slides.

# %%
def draw_frame(ax, frame):
    step, imgs = frame
    plots.show_images(imgs, nrow=8, ax=ax, title=f"G(z) for a fixed z, step {step}")

gif_path = OUT / "training.gif"
anim = plots.animate(frames, draw_frame, interval=500, figsize=(4.2, 4.4), gif_path=gif_path)
print(f"{len(frames)} frames; GIF: {gif_path} ({gif_path.stat().st_size / 1e3:.0f} kB)")
anim

# %% [markdown]
# ## Appendix F: on a Colab GPU or TPU, in detail
#
# Section 7 in full. These paths were not measured on an accelerator for this course (`benchmarks/RESULTS.md`), so
# time your own run before raising the budget:
#
# - **GPU**: `fit` fuses 50 steps into one compiled `lax.scan` call (`devices.default_fuse`), which removes Python's
#   per-step dispatch. Check `result.steps_per_second` before raising `STEPS` or `BATCH`.
# - **Several devices** (e.g. a TPU's cores): `fit` splits every batch across them (data parallel,
#   `devices.data_parallel_shardings`), so use a batch size that is a multiple of `len(jax.devices())`.
# - **Exact resume** is asserted on CPU only; GPUs may sum floats in a different order from run to run.
# - **From a terminal**: `python -m gan_utils train --dataset mnist --steps 5000 --self-condition 0 --out run`
#   trains this notebook's recipe; add `--resume` to continue an interrupted run. The command line takes
#   `GANConfig`'s defaults but two: without `--self-condition 0` it trains notebook 09's self-conditioned GAN, and on
#   toy data it anneals a run's second half (`--lr-anneal`, notebook 07).

# %%
print(course.top_to_bottom(T_START))
