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

# %% [markdown] slideshow={"deck": {"text": "# 14 A GAN from little data, and StyleGAN's ideas\n\nWhat a 2026 class asks after DCGAN, **measured on a 2-core CPU**.\n\n- 600 digits: the discriminator **overfits**\n- **DiffAugment** and **ADA**: augment what $D$ sees, without leaks\n- the **style-based generator**: mapping network, modulated convolutions, noise\n- style mixing, truncation in $W$, and a race at equal CPU time", "notes": "Two questions from practice. How do you train a GAN on a few hundred images, a hand's calligraphy or a small archive? And how do StyleGAN's generators draw and edit?\nAsk first: with 600 training images, what goes wrong with a classifier? (It overfits.) Today we watch the discriminator, which is a classifier, do exactly that."}, "slide_type": "slide"}
# # 14 A GAN from little data, and StyleGAN's ideas at small scale
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gans-in-jax/blob/main/notebooks/14_stylegan_little_data.ipynb)
#
# The course's digit generators (notebooks 05 to 10) train on MNIST's 60,000 digits. Many real problems have a few
# hundred images: one person's handwriting, a small archive. This notebook trains the course's DCGAN on 600 digits and watches its
# discriminator overfit them. Then it builds a fix from 2020: augment every image the discriminator sees, real
# and fake alike. The second half builds StyleGAN's generator at MNIST's size and measures its two famous tricks.
#
# **You will learn**
# - how to see a discriminator **overfit**: its accuracy on its training digits against unseen digits;
# - **DiffAugment** (Zhao et al., 2020): one differentiable transform for every image $D$ sees;
# - why augmenting only the real images **leaks** into the samples, shown live;
# - **ADA** (Karras et al., 2020): a controller that sets how often to augment from $D$'s outputs;
# - the **style-based generator**: a mapping network, a learnt constant, modulated convolutions, noise;
# - **style mixing** and **truncation in W**, measured, and what the style generator costs at equal CPU time.

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
from flax import nnx
from gan_utils import augment, checkpoint, config, data, exercises, metrics, models, plots
from gan_utils import precomputed, stylegan, train, widgets
SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
course.style()  # the course's figure style; GAN_COURSE_PROJECTOR=1: projector mode, for a hall
print(f"JAX {jax.__version__} on {jax.devices()}")

# %% [markdown] slideshow={"deck": {"text": "## 1. 600 digits: does $D$ learn digits, or these digits?\n\n- notebook 05's DCGAN, trained on **600** digits (1% of MNIST)\n- every 250 steps: the share of real digits $D$ calls real\n  - the **600 it trains on**\n  - **600 it never sees**\n- learns digits: the two stay close; overfits: they part", "notes": "D's accuracy on a set of real digits is the share whose logit is above 0.\nAsk the class to predict the two curves before running the cell: where do they start, and do they part? The cell trains for about two minutes; talk through section 2's equations while it runs if you like."}, "slide_type": "slide"}
# ## 1. Six hundred digits: the discriminator overfits
#
# `data.subset_indices(600)` picks 600 training digits (1% of MNIST), the same 600 in every run. We train notebook
# 05's plain DCGAN on them. Every 250 steps we show $D$ two sets of real digits: the 600 it trains on, and 600 test
# digits it never sees. $D$'s **accuracy** on a set of real digits is the share it calls real (logit above 0). If
# $D$ learns what a digit looks like, the two accuracies stay close. If it memorises its 600 digits, they part.
# This is one seed, a demonstration; section 5 has five.

# %%
SUBSET, STEPS, EVERY = 600, (200 if TESTING else 2000), (50 if TESTING else 250)
recipe = config.GANConfig(dataset="mnist", self_condition=0, subset=SUBSET, seed=SEED)   # notebook 05's DCGAN
x_all, _ = data.load_mnist("train")
x_train = data.to_unit_range(x_all[data.subset_indices(SUBSET)])        # (600, 28, 28, 1) in [-1, 1]
x_test, _ = data.load_mnist("test")
x_unseen = data.to_unit_range(x_test[:SUBSET])                           # 600 digits D never trains on

def called_real(disc, x):
    """The share of x that D calls real (logit > 0)."""
    return float(jnp.mean(disc(jnp.asarray(x)) > 0))

curve = []
def probe(step, gan, history):
    curve.append((step, called_real(gan.discriminator, x_train), called_real(gan.discriminator, x_unseen)))

gan = config.build_gan(recipe)
key, k_run, k_data = jax.random.split(key, 3)
train.fit(gan, data.BatchSampler(x_train, recipe.batch_size, k_data), key=k_run, steps=STEPS, config=recipe,
          callbacks=[probe], callback_every=EVERY, progress=False)
gaps = [a - b for _, a, b in curve]                  # training share minus unseen share, probe by probe
late = float(np.mean(gaps[-4:]))
print(f"{SUBSET} training digits, a probe every {EVERY} steps. At step {curve[0][0]:,}, D calls {gaps[0]:+.0%} more\n"
      f"of its training digits real than of unseen ones. Over the last 4 probes: {late:+.0%} on average\n"
      f"(training {np.mean([c[1] for c in curve[-4:]]):.0%}, unseen {np.mean([c[2] for c in curve[-4:]]):.0%}).")
if not TESTING:   # the study's 5 seeds (section 5) all had gaps of 0.23 to 0.55 at steps 1,500 and 2,000
    assert late > 0.1, "D did not tell its training digits from unseen ones: see section 5's five seeds"

# %% slideshow={"deck": {"text": "### The curves part", "figure": true, "notes": "Both shares swing, because G and D keep chasing each other: the level says little, the gap says a lot. The printed line gives the gap at the first probe and over the last four.\nMisconception to raise: \"a D that calls its training digits real is doing its job\". Only the comparison with unseen digits tells learning from memorising.\nOne seed, live: section 5 has five seeds and 6,000 steps."}, "slide_type": "slide"}
fig, ax = plt.subplots(figsize=(8.5, 4.2))
s, a_tr, a_un = np.array(curve).T
ax.plot(s, a_tr, "o-", color=plots.REAL_COLOR, label="the 600 training digits")
ax.plot(s, a_un, "s--", color=plots.REAL_COLOR, alpha=0.6, label="600 unseen test digits")
ax.set(xlabel="training step", ylabel="share D calls real", ylim=(-0.03, 1.03),
       title=f"D on 600 digits: training against unseen (seed {SEED})")
ax.legend(loc="lower left")
plt.tight_layout()
plt.show()

# %% [markdown] slideshow={"deck": {"text": "## 2. DiffAugment: one transform $T$ for every image $D$ sees\n\n$$L_D = \\mathbb E\\,\\mathrm{softplus}(-\\ell(T(x))) + \\mathbb E\\,\\mathrm{softplus}(\\ell(T(G(z))))$$\n\n$$L_G = \\mathbb E\\,\\mathrm{softplus}(-\\ell(T(G(z))))$$\n\n- $G$'s gradient passes **through** $T$: $T$ must be differentiable\n- brightness, contrast, translation (up to 1/8 of the side), cutout (half the side)", "notes": "Zhao et al. (2020). The same random transform family for reals and fakes, in both players' updates.\nAsk: why must T be differentiable? (G's loss reads D(T(G(z))); the chain rule runs through T.)\nIn [-1, 1], the 0 that translation pads with and cutout paints is mid-grey. Remember that for section 3."}, "slide_type": "slide"}
# Both shares swing, because $G$ and $D$ keep chasing each other. But the curves move apart: $D$ trusts its own 600
# digits more than new ones. It has memorised part of its training set, it **overfits**. $G$ is trained to please
# this $D$, so $D$'s gradient favours those 600 digits. Section 5 measures, over five seeds, whether the samples
# end up copying them.
#
# ## 2. DiffAugment: transform every image $D$ sees
#
# A classifier that memorises is usually given **augmented** data: each training image shifted, cropped or
# recoloured at random. Section 3 shows why that fails for a GAN. Zhao et al. (2020) apply a random transform
# $T$, drawn afresh for each image, to **every** image $D$ sees, real and fake, in $D$'s update and in $G$'s:
#
# $$L_D = \mathbb E_x\big[\mathrm{softplus}(-\ell(T(x)))\big] + \mathbb E_z\big[\mathrm{softplus}(\ell(T(G(z))))\big],
#   \qquad L_G = \mathbb E_z\big[\mathrm{softplus}(-\ell(T(G(z))))\big].$$
#
# $G$'s gradient passes through $T$, so $T$ must be **differentiable** in the image: "Diff" in DiffAugment. The
# course uses four of its transforms: brightness, contrast, **translation** (up to 1/8 of the side, 4 pixels here,
# the border filled with 0) and **cutout** (a square of half the side set to 0). In $[-1, 1]$, 0 is mid-grey. Here are translation
# and cutout by hand.

# %% slideshow={"deck": {"text": "### Translation and cutout, by hand", "figure": true, "notes": "The by-hand functions give the same images as gan_utils.augment for the same random draws (the asserts). Rows: the digits, translated, cut out, and all four transforms at once, which is what D sees in training.\nAsk: could you still tell which digit each bottom-row image is? D has to."}, "slide_type": "slide"}
def translate_by_hand(x, dy, dx):
    """Each image of x (N, H, W, C) moved dy[n] rows down and dx[n] columns right, the uncovered border 0."""
    out = np.zeros_like(x)
    h, w = x.shape[1:3]
    for n in range(len(x)):
        ys, xs = slice(max(dy[n], 0), h + min(dy[n], 0)), slice(max(dx[n], 0), w + min(dx[n], 0))
        yt, xt = slice(max(-dy[n], 0), h + min(-dy[n], 0)), slice(max(-dx[n], 0), w + min(-dx[n], 0))
        out[n, ys, xs] = x[n, yt, xt]
    return out

def cutout_by_hand(x, cy, cx, side=14):
    """Each image of x with the side x side square centred at (cy[n], cx[n]) set to 0 (it may overhang)."""
    out = np.array(x)
    for n in range(len(x)):
        out[n, max(cy[n] - side // 2, 0):cy[n] + side // 2, max(cx[n] - side // 2, 0):cx[n] + side // 2] = 0
    return out

eight = np.asarray(x_train[:8])
key, k_t, k_c = jax.random.split(key, 3)
ky, kx = jax.random.split(k_t)     # the same draws as augment.translation: up to 4 pixels each way
dy, dx = (np.asarray(jax.random.randint(k, (8,), -4, 5)) for k in (ky, kx))
assert np.array_equal(translate_by_hand(eight, dy, dx), np.asarray(augment.translation(eight, k_t)))
ky, kx = jax.random.split(k_c)     # the same draws as augment.cutout: a centre anywhere in 0..28
cy, cx = (np.asarray(jax.random.randint(k, (8, 1, 1), 0, 29)).ravel() for k in (ky, kx))
assert np.array_equal(cutout_by_hand(eight, cy, cx), np.asarray(augment.cutout(eight, k_c)))
print("Translation and cutout by hand give the same images as gan_utils.augment, for the same random draws.")
key, k_all = jax.random.split(key)
rows = {"the digits": eight, "translated": translate_by_hand(eight, dy, dx), "cut out": cutout_by_hand(eight, cy, cx),
        "all four (DiffAugment)": np.asarray(augment.apply(eight, k_all))}
fig, axes = plt.subplots(len(rows), 1, figsize=(8.5, 5.2))
for ax, (name, imgs) in zip(axes, rows.items()):
    plots.show_image_row(imgs, ax=ax, title=name)
plt.tight_layout()
plt.show()

# %% [markdown]
# What does $G$ learn through a cutout? The gradient of the cut image with respect to the image is 1 outside the
# square and 0 inside: $G$ gets no signal about pixels $D$ did not see, and the rest passes through unchanged.

# %% slideshow={"deck": {"text": "### What $G$ learns through a cutout", "output": true, "notes": "The gradient of the cut image with respect to the image is 0 on the hidden pixels and 1 elsewhere: G gets no signal about what D did not see, and the rest passes through unchanged.\nTranslation's gradient is a shift back, the same idea."}, "slide_type": "slide"}
# NBVAL_CHECK_OUTPUT
one = jnp.asarray(eight[:1])
grad = jax.grad(lambda x: jnp.sum(augment.cutout(x, k_c)))(one)[0, ..., 0]      # d(sum of the cut image)/d(image)
hidden = np.asarray(augment.cutout(jnp.full_like(one, -1.0), k_c))[0, ..., 0] == 0   # where the square fell
assert hidden.any() and np.all(grad[hidden] == 0) and np.all(grad[~hidden] == 1)
print(f"Gradient through cutout: 0 on the {hidden.sum()} hidden pixels, 1 on the other {(~hidden).sum()}.")

# %% [markdown] slideshow={"deck": {"text": "## 3. Augment only the real images?\n\nAs for a classifier: cut out the **data**, leave the fakes alone.\n\n- then \"has a grey square\" means \"real\" to $D$\n- what will $G$ draw?", "notes": "This is the natural first attempt, and Zhao et al. (2020) show it fails. Take a vote: will G draw squares? The cell trains for about a minute."}, "slide_type": "slide"}
# ## 3. Why the fakes too: a leak, live
#
# Suppose we augment the **data** instead, as for a classifier: only the real images get cutout squares. Then
# "has a grey square" means "real" to $D$, and $G$ is rewarded for drawing grey squares. The cell below trains the
# same DCGAN on the 600 digits, with every real batch cut out (a sampler written by hand) and the fakes left alone.

# %% slideshow={"deck": {"text": "### The augmentation leaks into the samples", "output": true, "figure": true, "notes": "The printed line compares mid-grey pixels in the real digits, in section 1's samples (no augmentation) and in the leaky run's samples; the squares are visible in the grid.\nAsk: why does G learn squares although no loss asks for them? (D's only evidence of 'real' includes the square; G follows D's gradient.)\nDiffAugment shows D both T(x) and T(G(z)): a square then says nothing about which is which."}, "slide_type": "slide"}
class CutoutReals:
    """Batches of the 600 digits, each image cut out: the data augmented, so D sees squares only on reals."""
    def __init__(self, images, batch_size, key):
        self.sampler, self.key = data.BatchSampler(images, batch_size, key), key
    def batch(self, step):
        return augment.cutout(jnp.asarray(self.sampler.batch(step)), jax.random.fold_in(self.key, step))

LEAK_STEPS = 100 if TESTING else 1000
leaky = config.build_gan(recipe)
key, k_run, k_data, k_z = jax.random.split(key, 4)
k_z, k_plain = jax.random.split(k_z)
train.fit(leaky, CutoutReals(x_train, recipe.batch_size, k_data), key=k_run, steps=LEAK_STEPS, config=recipe,
          progress=False)
leak_samples = np.asarray(models.sample(leaky.generator, k_z, 2000))

def grey_share(x):
    """The share of pixels within 0.1 of 0: mid-grey, the colour of a cutout square."""
    return float(np.mean(np.abs(np.asarray(x)) < 0.1))

plain_samples = np.asarray(models.sample(gan.generator, k_plain, 2000))   # section 1's run: no augmentation
print(f"Mid-grey pixels (within 0.1 of 0, a cutout square's colour): {grey_share(x_train):.1%} of the real\n"
      f"digits' pixels, {grey_share(plain_samples):.1%} of section 1's samples (no augmentation, {STEPS:,} steps),\n"
      f"{grey_share(leak_samples):.1%} of the leaky run's samples ({LEAK_STEPS:,} steps).")
plots.show_images(leak_samples[:32], nrow=16, title="Samples of a GAN whose real images alone were cut out")
plt.show()

# %% [markdown] slideshow={"deck": {"text": "## 4. ADA: augment with probability $p$, and adapt $p$\n\n$$r_t = \\mathbb E_x\\big[\\mathrm{sign}\\,\\ell(T(x))\\big]$$\n\n$$p \\leftarrow \\mathrm{clip}\\Big(p + \\mathrm{sign}(r_t - 0.6)\\,\\frac{N}{\\text{kimg}\\cdot 1000},\\ 0,\\ 1\\Big)$$\n\n- $r_t$ near 1: $D$ is sure of every training image: raise $p$\n- every 4 steps; kimg: ADA 500, here 20", "notes": "Karras et al. (2020). r_t is measured on the augmented real images D just trained on; N is the number of images since the last move (4 x 64 here).\nWhy not always p = 1? G is then judged only after T; for some transforms two different image sets look alike after T. Images left clean with probability 1 - p make G's clean images count. Karras et al. saw leaks from about p = 0.8 on, and none below.\nAsk: what does the target 0.6 mean in words? (If D calls a share q real, r_t = 2q - 1; 0.6 means q = 0.8.)"}, "slide_type": "slide"}
# The samples carry grey squares: the augmentation **leaked**. DiffAugment cannot leak this way. $D$ sees $T(x)$
# and $T(G(z))$, so a square says nothing about which is which. Appendix A checks the study's samples for squares.
#
# ## 4. ADA: let $D$'s outputs set how often to augment
#
# DiffAugment transforms every image. **ADA** (adaptive discriminator augmentation; Karras et al., 2020) applies
# each transform with a probability $p$ and adjusts $p$ as training goes. It watches an overfitting signal, the
# mean sign of $D$'s logits on the real images it just trained on:
#
# $$r_t = \mathbb E_x\big[\mathrm{sign}\,\ell(T(x))\big], \qquad
#   p \leftarrow \mathrm{clip}\Big(p + \mathrm{sign}(r_t - 0.6)\,\frac{N}{\text{kimg} \cdot 1000},\ 0,\ 1\Big).$$
#
# If $D$ calls a share $q$ of those images real, $r_t = q - (1 - q) = 2q - 1$. So $r_t = 1$ means all are called
# real, $r_t = 0$ half of them, and the target 0.6 means $q = 0.8$. Above the target $p$ rises; below, it falls.
# ADA moves $p$ every 4 steps; $N$ is the number of images since the last move (here 4 x 64). kimg, a thousand
# images, sets the speed: $p$ can go from 0 to 1 in kimg x 1,000 images (ADA: kimg 500, for runs of millions of
# images; the course: kimg 20).
#
# Why not always $p = 1$? Transforming reals and fakes alike removes section 3's leak, but $G$ is then judged only
# after $T$. Take random quarter turns: after $T$, upright digits and digits all turned on their side look the
# same, so $G$ could draw them on their side. If each image is left clean with probability $1 - p$, $D$ also sees clean images, so
# $G$'s clean images must look right too. Karras et al. saw their transforms leak into samples only from
# $p \approx 0.8$ on. The course's ADA uses DiffAugment's four transforms, not ADA's own 18.

# %% slideshow={"deck": {"text": "### ADA's controller, by hand", "code": true, "notes": "Four steps with mean signs 0.9, 0.7, 0.8 and 0.6: r_t = 0.75 is above 0.6, so p rises by 4 x 64 / (20 x 1000) = 0.0128. Four steps at r_t = 0.35 then take it back to 0. The package's ada_update agrees (the assert).\nExercise 1 asks for a move down from p = 0.3."}, "slide_type": "slide"}
# NBVAL_CHECK_OUTPUT
def ada_by_hand(p, mean_signs, target=0.6, batch=64, kimg=20.0):
    """One move of p after 4 D updates whose real logits had these mean signs (4 numbers)."""
    r_t = np.mean(mean_signs)                              # the same batch size each step: the plain mean
    return float(np.clip(p + np.sign(r_t - target) * batch * len(mean_signs) / (kimg * 1000), 0, 1))

state = augment.AdaState()
for s in (0.9, 0.7, 0.8, 0.6):                            # D sure of its reals: r_t = 0.75 > 0.6
    augment.ada_update(state, jnp.asarray(s), 64, target=0.6, kimg=20.0)
p_up = float(state.p[...])
for s in (0.2, 0.5, 0.4, 0.3):                            # D unsure: r_t = 0.35 < 0.6, so p moves down again
    augment.ada_update(state, jnp.asarray(s), 64, target=0.6, kimg=20.0)
p_down = float(state.p[...])
assert abs(p_up - ada_by_hand(0.0, [0.9, 0.7, 0.8, 0.6])) + abs(p_down - ada_by_hand(p_up, [0.2, 0.5, 0.4, 0.3])) < 1e-7
print(f"r_t = 0.75 above the target: p goes from 0 to {p_up:.4f} after 4 steps of 64 images;\n"
      f"then r_t = 0.35 below it: p goes back to {p_down:.4f} (gan_utils.augment.ada_update agrees).")

# %% [markdown] slideshow={"deck": {"text": "## 5. Five seeds: what augmentation buys on 600 digits\n\n- none, DiffAugment, ADA: 6,000 steps, 5 seeds each\n- **memorised**: samples closer to a training digit than all but 5% of test digits are (notebook 10)\n- fresh digits: 5%; the copy line: 5.97% at 2,000 samples\n- far below 5%: samples farther from the digits than real digits are", "notes": "Precomputed with benchmarks/little_data.py.\nAsk for predictions: does DiffAugment close D's gap? Does it give better samples?"}, "slide_type": "slide"}
# ## 5. Five seeds: what augmentation buys on 600 digits
#
# The shipped study trained the same DCGAN on the same 600 digits for 6,000 steps, 5 seeds each: $D$ sees images
# as they are (**none**), through **DiffAugment**, or through **ADA** (target 0.6, kimg 20). Each run was scored on
# 2,000 samples as in notebook 06 (the curves below use 1,000 samples every 500 steps: noisier, and not
# comparable with the table's FID). **Memorisation** is notebook 10's measure, on the samples. Measure each test
# digit's distance to its nearest training digit; $d$ is the distance that only 5% of test digits fall below.
# Memorisation is the share of samples closer than $d$ to a training digit. Fresh digits score 5%; above the copy line (5.97% at 2,000 samples) a model copies. A share far **below** 5% is
# not better than fresh digits: it means samples farther from the training digits than new real digits are.
# The runs were precomputed by `benchmarks/little_data.py`.

# %% slideshow={"deck": {"text": "### The study", "output": true, "notes": "Read the rows: DiffAugment's gap is 0.00 to 0.06 against 0.66 to 0.84 without augmentation; its memorisation share is 0.00 to 0.25% against 1.45 to 3.30%. All are under the 5% of fresh digits, and DiffAugment's samples sit farthest from the training digits.\nBut FID: 89.5 on average with DiffAugment against 82.4 without, and recall is lower. ADA kept p at 0.14 to 0.22, and its gap stayed at 0.59 to 0.75: its moves up and down nearly balanced while D called 84 to 97% of its training digits real and 6 to 22% of unseen ones.\nMisconception to raise: \"a lower memorisation share is always better\". It also falls when samples are far from every digit; read it with FID and recall."}, "slide_type": "slide"}
little, record = precomputed.load("14_little_data")
print("Shipped with gan_utils:", precomputed.describe(record).replace(", jax", ",\njax"))
runs = {m: [r for r in little["study"] if r["augment"] == m] for m in ("none", "diffaugment", "ada")}
# D's gap: the share of training digits called real minus that of unseen digits, over the last 4 probes (4,500 to
# 6,000 steps), as both shares swing from probe to probe
gap = {m: np.array([np.mean([p["train_real"] - p["held_real"] for p in r["curve"][-4:]]) for r in rs])
       for m, rs in runs.items()}
mem = {m: 100 * np.array([r["memorisation"]["share_closer"] for r in rs]) for m, rs in runs.items()}
fid = {m: np.array([r["scores"]["fid"] for r in rs]) for m, rs in runs.items()}
rec = {m: np.array([r["scores"]["recall"] for r in rs]) for m, rs in runs.items()}
span = lambda v, f: f"{v.min():{f}} to {v.max():{f}}"
print(f"{'D sees':12s} {'D: train - unseen':>18s} {'memorised %':>13s} {'FID: mean (range)':>22s} {'recall':>13s}")
for m in runs:
    fid_text = f"{fid[m].mean():.1f} ({span(fid[m], '.1f')})"
    print(f"{m:12s} {span(gap[m], '.2f'):>18s} {span(mem[m], '.2f'):>13s} {fid_text:>22s} {span(rec[m], '.2f'):>13s}")
median_d = {m: np.array([r["memorisation"]["median_distance"] for r in rs]) for m, rs in runs.items()}
print("Median distance of a sample to its nearest training digit:\n"
      + ", ".join(f"{m} {span(median_d[m], '.1f')}" for m in runs)
      + f"; test digits {runs['none'][0]['memorisation']['test_median_distance']:.1f}.\n"
      f"Copy line at 2,000 samples: {100 * runs['none'][0]['copy_line']:.2f}%.")
p_end = np.array([r["curve"][-1]["p"] for r in runs["ada"]])
moves = runs["ada"][0]["steps"] // 4                     # ADA moved p every 4 steps,
most = ada_by_hand(0.0, [1, 1, 1, 1])                   # by at most section 4's one move
end = {k: np.array([r["curve"][-1][k] for r in runs["ada"]]) for k in ("train_real", "held_real")}
print(f"ADA: {moves:,} moves of p, each by {most:.4f}; p ended at {span(p_end, '.2f')}. At step 6,000 its D called\n"
      f"{span(100 * end['train_real'], '.0f')}% of its clean training digits real, "
      f"{span(100 * end['held_real'], '.0f')}% of unseen ones.")
assert all(len(rs) == 5 for rs in runs.values())
assert gap["diffaugment"].max() < gap["none"].min() and mem["diffaugment"].max() < mem["none"].min()

# %% slideshow={"deck": {"text": "### Over training", "figure": true, "notes": "Left: D's gap between training and unseen digits; grey (none) and purple (ADA) climb, green (DiffAugment) stays near 0. Right: FID of 1,000 samples; grey reached its lowest between 3,500 and 5,500 steps, then rose again.\nMisconception to raise: \"augmentation always gives better samples\". Here it stops the memorising; at this budget it does not lower FID."}, "slide_type": "slide"}
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
colours = {"none": "tab:gray", "diffaugment": "tab:green", "ada": "tab:purple"}
for m, rs in runs.items():
    for i, r in enumerate(rs):
        c = r["curve"]
        steps_ = [p["step"] for p in c]
        axes[0].plot(steps_, [p["train_real"] - p["held_real"] for p in c], color=colours[m], alpha=0.7,
                     label=m if i == 0 else None)
        axes[1].plot(steps_, [p["fid_1000"] for p in c], color=colours[m], alpha=0.7, label=m if i == 0 else None)
axes[0].set(xlabel="training step", ylabel="share called real: training - unseen",
            title="D's memorising, 5 seeds each")
axes[1].set(xlabel="training step", ylabel="FID (1,000 samples)", title="Sample quality, 5 seeds each")
axes[0].legend(loc="upper left", title="D sees")
axes[1].legend(loc="upper right", title="D sees")
plt.tight_layout()
plt.show()

# %% [markdown]
# DiffAugment stops $D$ overfitting in every seed: its gap is at most 0.06, against 0.66 to 0.84 without
# augmentation. Its memorisation share is lower too: at most 0.25%, against 1.45% to 3.30%. Every run is under the
# 5% of fresh digits, so at 6,000 steps none copies yet (Appendix A shows the nearest samples). The low share is no
# gain in itself: DiffAugment's samples sit farthest from the training digits (median distance 9.9 to 10.1, test
# digits 7.1). And DiffAugment does **not** buy a better FID at 6,000 steps: its mean is 89.5 against 82.4, and
# its recall is lower. Here DiffAugment fixed $D$, not the samples. Whether it wins with longer training is not
# settled here (Appendix B: one seed to 8,000 steps).
#
# ADA did not stop the overfitting. $p$ could rise by 0.0128 at each of 1,500 moves, yet it ended at 0.14 to 0.22:
# its moves up and down nearly balanced. Meanwhile its $D$ called 84% to 97% of its clean training
# digits real and only 6% to 22% of unseen ones. By section 4's rule that would put $r_t$ above 0.6 and raise
# $p$. But $r_t$ is taken on the augmented batch at every step, these shares on clean digits at one probe, and
# the study did not log $r_t$: which held $p$ down is not measured here.

# %% [markdown] slideshow={"deck": {"text": "## 6. The style-based generator\n\n- $z \\to$ **mapping network** $\\to w$\n- a **learnt constant** 7 x 7 x 64 starts every image\n- every convolution **styled** by $w$: weights $\\theta'_{kio} = \\theta_{kio}\\, s_i$\n- **demodulated**: each output channel divided by $\\sqrt{\\sum_{k,i} \\theta'^2_{kio} + \\epsilon}$\n- **noise** after each convolution", "notes": "Karras et al. (2019, StyleGAN; 2020, StyleGAN2). In DCGAN, z enters once; here w enters every layer.\nDemodulation replaces StyleGAN's AdaIN: it keeps each layer's output at a steady scale without normalising the feature maps themselves.\nAsk: if every style s is multiplied by 3, what happens to the output?"}, "slide_type": "slide"}
# ## 6. The style-based generator
#
# In the DCGAN, $z$ enters once, at the first layer. **StyleGAN** (Karras et al., 2019) changes where it enters:
#
# - a **mapping network** (an MLP) turns $z$ into $w$; the space of all $w$ is called $W$;
# - the image starts from a **learnt constant** (here 7 x 7 x 64), the same for every sample;
# - every convolution is **styled** by $w$: a linear layer with a bias, $s = Aw + b$, gives a scale $s_i$ per input
#   channel $i$;
# - **noise** is added after each convolution, each channel's strength learnt.
#
# So the generator has two parts: `mapping` ($z \to w$) and `synthesis` (the $w$ of every layer $\to$ an image).
# StyleGAN2 (Karras et al., 2020) styles a layer by scaling the convolution's weights. With $\theta_{kio}$ the weight from input channel
# $i$ to output channel $o$ at kernel position $k$ (one of the 3 x 3), the **modulated** weights are $\theta'_{kio} = \theta_{kio}\,
# s_i$. Then they are **demodulated**: each output channel $o$ is divided by $\sqrt{\sum_{k,i} \theta'^2_{kio} +
# \epsilon}$. So each sample gets its own weights. The cell builds that by hand and checks it against
# `stylegan.ModulatedConv` (which computes the same numbers another way: Appendix D).

# %% slideshow={"deck": {"text": "### A modulated convolution, by hand\n\nOne kernel per sample:\n\n```python\nk = kernel * s[None, None, :, None]                  # modulate\nk = k / jnp.sqrt(jnp.sum(k ** 2, axis=(0, 1, 2),\n                         keepdims=True) + 1e-8)     # demodulate\n```", "output": true, "notes": "One kernel per sample: scale the input channels by s, then divide each output channel by its norm. jax.vmap runs it per sample. The package computes the same numbers with one shared convolution (the check prints the largest difference).\nThe answer to the question: multiplying every style by 3 changes nothing: demodulation divides it out."}, "slide_type": "slide"}
def modulated_conv_by_hand(x, s, kernel):
    """x (N, H, W, I), styles s (N, I), kernel (3, 3, I, O) -> (N, H, W, O): one demodulated kernel per sample."""
    def one(xn, sn):
        k = kernel * sn[None, None, :, None]                                     # modulate: scale input channels
        k = k / jnp.sqrt(jnp.sum(k ** 2, axis=(0, 1, 2), keepdims=True) + 1e-8)  # demodulate each output channel
        # a plain 2-D convolution of one image: stride 1, zero padding, layouts NHWC (image) and HWIO (kernel)
        return jax.lax.conv_general_dilated(xn[None], k, (1, 1), "SAME",
                                            dimension_numbers=("NHWC", "HWIO", "NHWC"))[0]
    return jax.vmap(one)(x, s)              # vmap: one() on each sample, like a loop over N

conv = stylegan.ModulatedConv(8, 4, w_dim=16, rngs=nnx.Rngs(SEED))
key, k_x, k_w = jax.random.split(key, 3)
x, w = jax.random.normal(k_x, (3, 7, 7, 8)), jax.random.normal(k_w, (3, 16))
by_hand = modulated_conv_by_hand(x, conv.affine(w), conv.conv.kernel[...]) + conv.bias[...]   # [...]: a parameter's array
print(f"by hand against stylegan.ModulatedConv: largest difference {float(jnp.max(jnp.abs(by_hand - conv(x, w)))):.1e}")
assert jnp.allclose(by_hand, conv(x, w), atol=1e-4)
louder = modulated_conv_by_hand(x, 3.0 * conv.affine(w), conv.conv.kernel[...]) + conv.bias[...]
print(f"every style x 3: largest change {float(jnp.max(jnp.abs(louder - by_hand))):.1e} (demodulation removes it)")
assert jnp.allclose(louder, by_hand, atol=1e-4)

# %% [markdown]
# Demodulation makes a style's overall size irrelevant: only the **ratios** between channels matter. It keeps each
# layer's output at a steady scale.
#
# The course ships a style generator trained on all of MNIST (`stylegan.StyleGenerator`, 106,097 parameters; its
# command is in `docs/pretrained.md`). It uses StyleGAN2's recipe: R1 penalty and Adam with
# $\beta_1 = 0$. With notebook 05's recipe (no penalty, Adam with $\beta_1 = 0.5$) the same network collapsed: it
# drew only 2 digits (Appendix C).

# %% slideshow={"deck": {"text": "### The shipped style generator", "figure": true, "notes": "Trained on all of MNIST with R1 and Adam beta1 0, the recipe of StyleGAN2 (the command is in docs/pretrained.md). With the course's recipe the same network collapsed to 2 digits (Appendix C): StyleGAN2's Adam moments (beta1 0, beta2 0.99) stopped it, in one seed.\nIt has 106,097 parameters against 282,052 for notebook 05's DCGAN generator: the style generator is smaller, but a step costs more (section 9)."}, "slide_type": "slide"}
style_gan = checkpoint.load_pretrained(kind="stylegan")
SG = models.inference_copy(style_gan.generator)        # a copy for drawing, without training's random mixing
print(f"style generator: {models.count_params(SG):,} parameters; notebook 05's DCGAN generator: "
      f"{models.count_params(checkpoint.load_pretrained(kind='dcgan').generator):,}.")
key, k_z, k_noise = jax.random.split(key, 3)
synthesis = nnx.jit(lambda g, ws, k: g.synthesis(ws, k))
w32 = SG.mapping(jax.random.normal(k_z, (32, SG.latent_dim)))
plots.show_images(np.asarray(synthesis(SG, w32, k_noise)), nrow=16, title="The shipped style generator")
plt.show()

# %% [markdown]
# ## 7. Style mixing: coarse from one sample, fine from another
#
# $w$ enters the generator at six layers, numbered from 0: layer 0 at 7 x 7, layers 1 and 2 at 14 x 14, layers 3
# and 4 at 28 x 28, layer 5 the output. Each layer can take its own $w$. **Style mixing** cuts at a layer: the
# layers before the cut take one sample's $w$ (the coarse layers), the rest another's (the fine layers). Training
# mixes two $w$ this way in 90% of each batch (the printed share), so each layer learns to work with any other
# layer's style. In the grid the cut is at layer 3. Each row takes its coarse layers from the sample on the left,
# each column its fine layers from the sample on top.

# %% slideshow={"deck": {"text": "## 7. Style mixing\n\nCut at layer 3. Rows: coarse layers 0-2 (7 x 7, 14 x 14) from the left; columns: fine layers 3-5 (28 x 28) from the top.", "figure": true, "notes": "Training mixes two w in 90% of each batch, at a random layer, so each layer learns to work with any other layer's style.\nAsk: in each row, what stays and what changes? (The digit stays; the strokes change a little.)"}, "slide_type": "slide"}
print(f"Style mixing in training: {SG.mixing:.0%} of each batch.")
key, k_a, k_b = jax.random.split(key, 3)
w_coarse, w_fine = (SG.mapping(jax.random.normal(k, (5, SG.latent_dim))) for k in (k_a, k_b))
grid = np.full((6, 6, 28, 28), -1.0)
grid[1:, 0] = np.asarray(synthesis(SG, w_coarse, k_noise))[..., 0]
grid[0, 1:] = np.asarray(synthesis(SG, w_fine, k_noise))[..., 0]
for i in range(5):
    grid[i + 1, 1:] = np.asarray(synthesis(SG, SG.mix(jnp.repeat(w_coarse[i:i + 1], 5, 0), w_fine, cut=3),
                                           k_noise))[..., 0]
fig, ax = plt.subplots(figsize=(5.2, 5.2))
ax.imshow(np.concatenate([np.concatenate(list(np.pad(r, ((0, 0), (1, 1), (1, 1)), constant_values=1)), 1)
                          for r in grid], 0), cmap="gray", vmin=-1, vmax=1)
ax.set(xticks=[], yticks=[], xlabel="fine layers (3-5: 28 x 28) from the top row",
       ylabel="coarse layers (0-2: 7 x 7, 14 x 14) from the left", title="Style mixing, cut at layer 3")
plt.tight_layout()
plt.show()

# %% [markdown]
# Along each row the digit stays; only its strokes change a little. So which layers decide the digit? The cell
# mixes 1,000 pairs at each cut and asks the course's classifier which source the mixed digit follows.

# %% slideshow={"deck": {"big": {"find": "cut at layer 3: the mixed digit is the coarse source's digit in (\\d+%)", "say": "of mixes at layer 3 keep the coarse sample's digit"}, "output": true, "notes": "With the cut at layer 1, only the 7 x 7 layer takes the coarse sample's w, and the digit follows it in 26% of pairs; at layer 3 in 92%. So the 14 x 14 layers decide which digit is drawn; the 28 x 28 layers change strokes.\nDemonstrate the control after this slide: two seeds, move the cut."}, "slide_type": "slide"}
N_MIX = 100 if TESTING else 1000
key, k_a, k_b = jax.random.split(key, 3)
wa, wb = (SG.mapping(jax.random.normal(k, (N_MIX, SG.latent_dim))) for k in (k_a, k_b))
label = lambda ws: metrics.classifier_outputs(np.asarray(synthesis(SG, ws, k_noise)))[1].argmax(1)
la, lb = label(wa), label(wb)
differ = la != lb                                            # pairs whose two sources are different digits
follows = {cut: float(np.mean(label(SG.mix(wa, wb, cut))[differ] == la[differ])) for cut in range(1, 6)}
print(f"Of {N_MIX:,} pairs, {differ.sum()} are of two different digits.")
for cut, share in follows.items():
    print(f"cut at layer {cut}: the mixed digit is the coarse source's digit in {share:.0%} of "
          f"{differ.sum()} pairs of different digits")

# %% [markdown]
# Layer 0 alone (cut at layer 1) decides the digit in only about a quarter of the pairs; layers 0 to 2 (cut at
# layer 3) in about nine of ten. So the 14 x 14 layers decide which digit is drawn; the 28 x 28 layers change its strokes. The control below
# mixes two samples of your choice. Move the cut to
# see where the shape is decided and where only the strokes change.

# %%
widgets.style_mixer(SG, seed_coarse=1, seed_fine=2, cut=3)

# %% [markdown] slideshow={"deck": {"text": "## 8. Truncation in $W$ against truncation in $z$\n\n- in $W$: $w' = \\bar w + \\psi\\,(w - \\bar w)$\n- in $z$: each coordinate redrawn until it lies in $[-t, t]$\n- pixel norm, $z/\\sqrt{\\mathrm{mean}(z^2)}$: **scaling** $z$ changes nothing", "notes": "Ask: notebook 06 traded recall for precision by truncating z. Which space do you expect to give the better trade here?"}, "slide_type": "slide"}
# ## 8. Truncation in W against truncation in z
#
# Notebook 06 truncated $z$: codes near the centre give typical samples, so precision rises and recall falls.
# StyleGAN truncates in $W$ instead, towards the average $\bar w$ of many samples:
# $w' = \bar w + \psi\,(w - \bar w)$. The mapping network starts with **pixel norm**, $z / \sqrt{\mathrm{mean}(z^2)}$,
# so scaling $z$ towards 0 does nothing here: pixel norm scales it back. For $z$ we use notebook 06's method
# instead: each coordinate of $z$ drawn again until it lies in $[-t, t]$. ($t$ is notebook 06's $\psi$, renamed here to keep $\psi$ for $W$.)

# %%
key, k_z = jax.random.split(key)
z_many = jax.random.normal(k_z, (10_000, SG.latent_dim))
assert jnp.allclose(SG.mapping(0.5 * z_many[:100]), SG.mapping(z_many[:100]), atol=1e-5)   # pixel norm
w_mean = jnp.mean(SG.mapping(z_many), axis=0)
reference = metrics.classifier_outputs(x_test)
N_TRUNC = 300 if TESTING else 2000
z, w = z_many[:N_TRUNC], SG.mapping(z_many[:N_TRUNC])

def truncated_normal(z, t, rng):
    """z with every coordinate beyond +-t drawn again from the normal until it falls inside (notebook 06)."""
    z = np.array(z)
    while (out := np.abs(z) > t).any():
        z[out] = rng.standard_normal(out.sum())
    return z

scores = {"W": {}, "z": {}}
for psi in (1.0, 0.8, 0.6, 0.4):
    scores["W"][psi] = metrics.image_metrics(np.asarray(synthesis(SG, stylegan.truncate(w, w_mean, psi), k_noise)),
                                             reference, pr_n=N_TRUNC)
for t in (np.inf, 1.5, 1.0, 0.5):
    zt = truncated_normal(z, t, np.random.default_rng(SEED))
    scores["z"][t] = metrics.image_metrics(np.asarray(synthesis(SG, SG.mapping(jnp.asarray(zt)), k_noise)),
                                           reference, pr_n=N_TRUNC)
for space, row in scores.items():
    for level, sc in row.items():
        print(f"truncation in {space}, {'psi' if space == 'W' else 't'} = {level:g}: precision {sc['precision']:.2f}, "
              f"recall {sc['recall']:.2f}, FID {sc['fid']:.1f}, digits {sc['digits_covered']}")
change = {}                                  # the largest move from no truncation (each row's first level)
for space, row in scores.items():
    base = next(iter(row.values()))
    change[space] = {m: max(abs(sc[m] - base[m]) for sc in row.values()) for m in ("precision", "recall")}
print(f"Largest change from no truncation: in W, precision {change['W']['precision']:.2f}, recall "
      f"{change['W']['recall']:.2f};\nin z, precision {change['z']['precision']:.2f}, recall {change['z']['recall']:.2f}.")
if not TESTING:   # 2,000 samples: recall's noise is a few hundredths
    assert change["W"]["recall"] > 0.25 and max(change["z"].values()) < 0.1

# %% slideshow={"deck": {"text": "### Precision against recall", "figure": true, "notes": "Truncation in W: from psi 1 to 0.4 precision rises from 0.72 to 0.82 and recall falls from 0.59 to 0.17, the trade of notebook 06.\nTruncation in z moves both by a few hundredths at most (the last printed line). After pixel norm only z's direction counts, and a cut normal's directions are still spread almost evenly.\nAsk: why would StyleGAN truncate in W at all? (W is where the mapping network has put the typical samples near the average.)"}, "slide_type": "slide"}
fig, ax = plt.subplots(figsize=(7.5, 4.5))
for space, c, m in (("W", "tab:purple", "o-"), ("z", "tab:gray", "s--")):
    pr = np.array([(sc["recall"], sc["precision"]) for sc in scores[space].values()])
    ax.plot(pr[:, 0], pr[:, 1], m, color=c, label=f"truncation in {space}")
    offsets = [(6, 4)] * 3 if space == "W" else [(-62, 4), (8, -4), (-62, -12)]   # z's points sit close together
    for (r_, p_), level, off in zip(pr[1:], list(scores[space])[1:], offsets):   # point 0: no truncation in both
        ax.annotate(f"{'psi' if space == 'W' else 't'} = {level:g}", (r_, p_), textcoords="offset points",
                    xytext=off, fontsize=10, color=c)
ax.annotate("no truncation", pr[0], textcoords="offset points", xytext=(-40, 10), fontsize=10)
ax.margins(x=0.08, y=0.12)
ax.set(xlabel="recall (variety)", ylabel="precision (quality)",
       title=f"Truncation on the style generator ({N_TRUNC:,} samples each)")
ax.legend(loc="lower left")
plt.tight_layout()
plt.show()

# %% [markdown]
# Truncation in $W$ trades variety for quality as notebook 06's did: as $\psi$ falls, recall falls and precision
# rises. Truncation in $z$ moves both far less: a few hundredths at most, where $W$'s recall falls by about 0.4.
# The mapping network sees only $z$'s direction (pixel norm removes its length). Cutting each coordinate at
# $\pm t$ still leaves $z$ pointing in every direction about equally often, so $w$ hardly changes.
#
# ## 9. The race at equal CPU time
#
# Does the style generator beat the DCGAN it replaces? Both used the same discriminator and were trained on all
# of MNIST's training digits (not the 600) as a learner would (`benchmarks/quality.py`), for the same CPU time: each step was timed on a quiet machine, and the
# step budgets were set from that. One style-generator step costs about 3.5 DCGAN steps. So in the same time the DCGAN makes 3,600 steps and the
# style generator about 1,000. Each run drew 10,000 digits, scored as in notebook 06. The DCGAN here is notebook
# 05's plain one, without notebook 09's self-conditioning, so its FID is not comparable with the course's default
# generator's. The shipped style generator of sections 6 to 8 trained longer (`docs/pretrained.md`).

# %% slideshow={"deck": {"text": "## 9. The race at equal CPU time\n\nThe style generator (1,000 steps) against the plain DCGAN (3,600 steps), same $D$, 5 seeds", "output": true, "notes": "The DCGAN has the lower FID in 5 of 5 seeds: 65.0 against 80.0 on average, with recall 0.81 against 0.38.\nMisconception to raise: \"a newer architecture wins at any size\". StyleGAN's pieces pay at high resolution and long training; here the style generator buys control (sections 7 and 8), not FID.\nAsk: what would give the style generator a fairer race? (More time; R1 every 16 steps, as StyleGAN2 does.)"}, "slide_type": "slide"}
race, race_record = precomputed.load("14_style_race")
by = {k: [r for r in race["race"] if r["recipe"] == k] for k in ("plain", "stylegan")}
cost = race["cost_ms"]   # ms a step, measured one after the other on the race's quiet machine
print(f"A step cost {cost['stylegan']:.0f} ms for the style generator and {cost['plain']:.0f} ms for the DCGAN: "
      f"{cost['stylegan'] / cost['plain']:.1f} times.")
for k, rs in by.items():
    f = np.array([r["fid"] for r in rs])
    print(f"{k:8s} {rs[0]['steps']:>5,} steps x {cost[k]:.0f} ms = {rs[0]['steps'] * cost[k] / 1000:.0f} s: FID "
          f"{f.mean():.1f}, precision {np.mean([r['precision'] for r in rs]):.2f}, "
          f"recall {np.mean([r['recall'] for r in rs]):.2f}\n{'':9s}FID seed by seed: {', '.join(f'{v:.1f}' for v in f)}")
assert all(len(rs) == 5 for rs in by.values())
wins = sum(a["fid"] < b["fid"] for a, b in zip(sorted(by["plain"], key=lambda r: r["seed"]),
                                                sorted(by["stylegan"], key=lambda r: r["seed"])))
print(f"The DCGAN has the lower FID in {wins} of 5 seeds.")
assert wins == 5     # the shipped record; the prose says 5 of 5

# %% [markdown]
# At equal CPU time the DCGAN has the lower FID in 5 of 5 seeds (means 65.0 against 80.0) and a far higher recall
# (0.81 against 0.38); precision is about the same. StyleGAN's pieces were made for 1024 x 1024 faces trained for
# days (Karras et al., 2019). On 28 x 28 digits for about 213 seconds of steps, their cost per step bought nothing that
# FID measures. What the style generator gives here is **control**: style mixing (section 7) and truncation in $W$
# (section 8).

# %% [markdown] slideshow={"deck": {"text": "## Summary\n\n- $D$ on 600 digits **overfits**\n- **DiffAugment**: one differentiable $T$ for reals and fakes; closed the gap; no better FID at 6,000 steps\n- augmenting only the reals **leaks**\n- **ADA** adapts $p$ from the sign of $D$'s logits; here $p$ stayed low\n- StyleGAN: mapping, constant, modulation + demodulation, noise; coarse layers decide the digit\n- truncation in $W$ trades recall for precision\n- equal CPU time: the DCGAN wins on FID; the style generator buys control", "notes": "The two halves meet in practice: StyleGAN2-ADA is a style generator trained with adaptive augmentation, for datasets of a few thousand images.\nWhat this notebook did not show: DiffAugment winning on FID (one seed to 8,000 steps, Appendix B; five seeds would be needed)."}, "slide_type": "slide"}
# ## Summary
#
# - A discriminator trained on 600 digits **overfits**: it calls far more of its training digits real than new
#   ones.
# - **DiffAugment** transforms every image $D$ sees, real and fake, through a differentiable $T$. On 600 digits it
#   closed $D$'s gap in 5 of 5 seeds, but did not lower FID at 6,000 steps.
# - Augmenting only the real images **leaks**: the samples carry the augmentation.
# - **ADA** sets the augmentation's probability $p$ from the sign of $D$'s real logits; here $p$ stayed low and $D$
#   still overfitted.
# - The **style-based generator**: $z \to w$ by a mapping network, a learnt constant, convolutions modulated by $w$
#   and demodulated; the coarse layers decide the digit, the fine layers the strokes.
# - **Truncation in W** trades recall for precision; in $z$, after pixel norm, it acts far less.
# - At equal CPU time the plain DCGAN had the lower FID in 5 of 5 seeds: here the style generator buys control,
#   not FID.

# %% [markdown] slideshow={"deck": {"text": "## Exercises (checked in the notebook)\n\n1. **ADA's step**: $p = 0.3$, mean signs 0.5, 0.6, 0.4, 0.5\n2. **Demodulate** a kernel by hand\n3. **How big is the gap?** From the shipped study", "notes": "Homework: the three exercises; the checker cell grades each and gives a hint for a wrong answer.\nGoing further: run section 3 with translation instead of cutout: does the leak show as shifted digits? Reading: Zhao et al. (2020); Karras et al. (2019, 2020a, 2020b)."}, "slide_type": "slide"}
# ## Exercises
#
# 1. **ADA's step.** $p = 0.3$; in the last 4 steps of 64 images the mean signs were 0.5, 0.6, 0.4 and 0.5. With
#    target 0.6 and kimg 20, what is $p$ after the move? Put it in `ex1`.
# 2. **Demodulate by hand.** Write `demodulate(kernel, s)`: kernel (3, 3, I, O), styles s (I,) -> the modulated and
#    demodulated kernel (3, 3, I, O), with $\epsilon = 10^{-8}$.
# 3. **How big is the gap?** From the shipped study (`runs`), the mean over the 5 seeds without augmentation of
#    $D$'s gap as section 5 defines it (the last 4 probes). Put it in `ex3`.
#
# **Going further** (written, not checked): run section 3 with `augment.translation` in place of `augment.cutout`.
# Does the leak show? Measure it with a number, not only a look.

# %%
# Your answers
ex1 = None          # p after the move
def demodulate(kernel, s):
    return None     # the modulated, demodulated kernel (3, 3, I, O)
ex3 = None          # the mean gap, no augmentation

# %%
# Checker
exercises.check("14", ex1=ex1, demodulate=demodulate, ex3=ex3)

# %% [markdown]
# The appendices hold the study seed by seed, two longer pilots, and what made the style generator train.

# %% [markdown]
# ## Appendix A: the study, seed by seed
#
# Every run of section 5: $D$'s two accuracies at step 6,000 (the share called real), ADA's final $p$,
# memorisation and the three leak measures: the spread of the centre of ink (translation would widen it), the
# spread of the background level (brightness would) and the share of mid-grey pixels (cutout would raise it).
# Then the step at which each run's FID on 1,000 samples was lowest: 3,500 to 5,500 without augmentation, 4,500 to
# 5,500 with DiffAugment.

# %%
print(f"{'D sees':12s} seed  train unseen     p  memo%   FID  recall  centre  backgr  grey%")
for m, rs in runs.items():
    for r in rs:
        c, lk = r["curve"][-1], r["leaks"]
        print(f"{m:12s} {r['seed']:4d} {c['train_real']:6.2f} {c['held_real']:6.2f} {c['p']:5.2f} "
              f"{100 * r['memorisation']['share_closer']:6.2f} {r['scores']['fid']:5.1f} {r['scores']['recall']:7.2f} "
              f"{lk['centre_spread']:7.2f} {lk['background_spread']:7.3f} {100 * lk['grey_share']:6.2f}")
real = runs["none"][0]["real_leaks"]
print(f"{'real digits':12s} {'':45s} {real['centre_spread']:7.2f} {real['background_spread']:7.3f} "
      f"{100 * real['grey_share']:6.2f}")
best = {m: [min(r["curve"], key=lambda p: p["fid_1000"])["step"] for r in rs] for m, rs in runs.items()}
print("\nStep of the lowest FID (1,000 samples), seed by seed:")
for m in runs:
    print(f"  {m:12s} {', '.join(f'{b:,}' for b in best[m])}")

# %% [markdown]
# What does "near a training digit" look like? These are the four samples, of 2,000, nearest a training digit in
# the classifier's features, from a run without augmentation (seed 0), each beside that digit. All four are ones.
# A fresh digit can sit close to a training digit too; that is why notebook 10's measure compares samples with
# fresh digits, not with nothing.

# %%
near = little["nearest"]
pairs = np.stack([np.stack(near["nearest"]["samples"]), np.stack(near["nearest"]["training"])], 1).astype(np.uint8)
fig, axes = plt.subplots(1, 4, figsize=(8.5, 2.6))
for ax, (sample, digit) in zip(axes, pairs):
    ax.imshow(np.concatenate([sample, np.full((28, 2), 255), digit], 1), cmap="gray", vmin=0, vmax=255)
    ax.set_axis_off()
    ax.set_title("sample | training digit", fontsize=10)
fig.suptitle(f"Nearest to a training digit (no augmentation, seed 0; memorised: "
             f"{100 * near['memorisation']['share_closer']:.2f}% of 2,000)")
plt.tight_layout()
plt.show()
print("The classifier reads the four samples as", metrics.classifier_outputs(pairs[:, 0])[1].argmax(1))

# %% [markdown]
# ## Appendix B: one seed to 8,000 steps
#
# Two pilots before the study, seed 0, to 8,000 steps (`benchmarks/little_data_pilots.jsonl`). Without augmentation
# FID was best at 4,000 steps and then rose, and at the end memorisation was over the copy line. With DiffAugment FID
# went down overall, with a bump between 4,000 and 6,000 steps. The FID at the end is on 2,000 fresh samples; at
# these values its sampling noise is as large as the small-N bias, so compare it with section 5's table, not with
# the 1,000-sample points. This is one seed: whether DiffAugment wins on FID with longer training needs five seeds at 8,000 to
# 10,000 steps, which this course has not run yet.

# %%
for r in (r for r in little["pilots"] if "fid_1000" in r["curve"][0]):   # the two 8,000-step pilots
    pts = ", ".join(f"{p['step']:,}: {p['fid_1000']:.0f}" for p in r["curve"] if p["step"] % 2000 == 0)
    print(f"{r['augment']:12s} FID (1,000 samples) at steps {pts}\n{'':12s} at the end: FID (2,000) "
          f"{r['scores']['fid']:.1f}, memorised {100 * r['memorisation']['share_closer']:.2f}% "
          f"(copy line {100 * r['copy_line']:.2f}%)")

# %% [markdown]
# ## Appendix C: what made the style generator train
#
# The shipped recipe differs from the course's in two ways: the R1 penalty ($\gamma = 0.01$) and Adam's moments
# ($\beta_1 = 0$, $\beta_2 = 0.99$ in place of 0.5 and 0.999). Three more runs of 1,000 steps (seed 0, one run
# each, from `benchmarks/style_race.py`) drop one change or both. Without StyleGAN2's moments the generator
# collapsed, with R1 or without: it drew 2 digits, recall 0. Without R1 it trained, with a higher FID than the full
# recipe in this one seed. So StyleGAN2's moments ($\beta_1 = 0$, $\beta_2 = 0.99$) stopped the collapse here; with one seed, R1's part is a
# direction, not a measurement.

# %%
full = next(r for r in by["stylegan"] if r["seed"] == 0)        # the race's run: R1 and Adam (0, 0.99)
for r in [full] + race["ablation"]:
    print(f"{r['recipe']:40s} FID {r['fid']:5.1f}, precision {r['precision']:.2f}, recall {r['recall']:.2f}, "
          f"{r['digits_covered']} digits")

# %% [markdown]
# ## Appendix D: what this notebook leaves out of StyleGAN
#
# `gan_utils.stylegan` keeps the ideas this notebook measures and leaves out choices made for 1024 x 1024 faces:
# equalised learning rates (except in the mapping network, which learns 100 times slower, as in StyleGAN), path
# length regularisation, lazy R1, skip connections to the output, and the blur after upsampling. StyleGAN3's
# alias-free layers (Karras et al., 2021) are left out too: they were made for details that move smoothly in
# animations, not for 28 x 28 digits.
# Part of section 9's cost per step is R1 at every step; StyleGAN2 computes it only every 16 steps (lazy R1).
#
# The package's `ModulatedConv` computes section 6's numbers without a kernel per sample: it scales the
# input channels by $s$, convolves once with the shared weights, then divides each output channel by its
# demodulation factor. The first StyleGAN (Karras et al., 2019) styled a layer with AdaIN instead: normalise each
# feature map, then scale and shift it; demodulation keeps AdaIN's steady scale without normalising the feature
# maps themselves. DiffAugment's colour transform also changes saturation, which does nothing to grey digits: the
# course leaves it out.

# %%
print(course.top_to_bottom(T_START))
