"""Unpaired image-to-image translation (notebook 12): CycleGAN (Zhu et al., 2017) on the glyphs of notebook 11.

Without pairs, no loss can compare a translation with its true answer. CycleGAN trains two translators instead,
``g``: X -> Y (printed "hei" to brush "kai") and ``f``: Y -> X, and two discriminators, ``d_y`` (is this a brush
glyph?) and ``d_x`` (is this a printed glyph?), each reading one image alone (``PatchDiscriminator(paired=False)``).
What ties a translation to its input is the **cycle**: f(g(x)) should give x back, and g(f(y)) should give y.

The generators' loss, for a batch x of printed glyphs and an unrelated batch y of brush glyphs:

.. math:: L = L_{adv}(d_y(g(x))) + L_{adv}(d_x(f(y))) + \\lambda_{cyc} (|f(g(x)) - x|_1 + |g(f(y)) - y|_1)
          + \\lambda_{id} (|g(y) - y|_1 + |f(x) - x|_1)

with the non-saturating loss ``losses.generator_loss_non_saturating`` for L_adv (the paper uses least squares;
notebook 11's pix2pix uses this one, so the two notebooks' GAN terms are the same), lambda_cyc = 10 and
lambda_id = 0.5 * 10 = 5 (the paper's values). The identity term asks a translator to leave a glyph already in
its output font alone. The discriminators' loss is ``losses.discriminator_loss`` on real glyphs of their font
against the translations of the same step (no history buffer of earlier translations, which the paper keeps).

The step is pure and compiled: ``step(state, x, y) -> (state, metrics)`` on ``nnx.split(cyclegan)``.
"""
from __future__ import annotations

import time
from pathlib import Path
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from . import checks, data, losses, models, translation

__all__ = ["CycleGAN", "cycle_losses", "make_cycle_step", "train_cyclegan", "CYCLE_WEIGHT", "IDENTITY_WEIGHT",
           "PRETRAINED_CYCLEGAN_DIR", "load_pretrained", "quantise", "hidden_detail", "METHODS", "compare_run"]

CYCLE_WEIGHT = 10.0       # lambda_cyc (Zhu et al., 2017, Sec. 4)
IDENTITY_WEIGHT = 5.0     # lambda_id = 0.5 * lambda_cyc (their Sec. 5.2, for paintings -> photos)
PRETRAINED_CYCLEGAN_DIR = Path(__file__).resolve().parent / "assets" / "pretrained_cyclegan"


class _Pair(nnx.Module):
    """Two modules updated by one optimizer (the two generators, or the two discriminators)."""

    def __init__(self, a: nnx.Module, b: nnx.Module):
        self.a, self.b = a, b


class CycleGAN(nnx.Module):
    """Two U-Net translators and two unpaired PatchGANs, with their Adam optimizers, as one NNX module.

    ``g``: X -> Y and ``f``: Y -> X are ``models.UNetGenerator``; ``d_y`` and ``d_x`` are
    ``models.PatchDiscriminator(paired=False)``. Adam with beta1 0.5 and lr 2e-4 (the paper's), one optimizer for
    the two generators (their losses are coupled by the cycle) and one for the two discriminators.

    Args:
      size: the glyphs' side (8 to 256, a power of 2).
      base, d_base: channels of the generators' and discriminators' first layers (notebook 11's: 32 and 32).
      patch_layers: the discriminators' strided convolutions (2: 34-pixel patches, as notebook 11).
      lr: Adam's learning rate for all four networks.
      seed: g from ``seed``, f from ``seed + 1``, d_y from ``seed + 2``, d_x from ``seed + 3``.
    """

    def __init__(self, size: int = 32, *, base: int = 32, d_base: int = 32, patch_layers: int = 2,
                 lr: float = 2e-4, seed: int = 0):
        lr = checks.number("lr", lr, low=0, low_open=True, fix="Adam's step size; the paper's is 2e-4")
        seed = checks.count("seed", seed, 0)
        g, f = (models.UNetGenerator(size, base, rngs=nnx.Rngs(seed + i)) for i in (0, 1))
        d_y, d_x = (models.PatchDiscriminator(size, d_base, n_down=patch_layers, paired=False,
                                              rngs=nnx.Rngs(seed + i)) for i in (2, 3))
        self.generators, self.discriminators = _Pair(g, f), _Pair(d_y, d_x)
        self.g_opt = nnx.Optimizer(self.generators, optax.adam(lr, 0.5), wrt=nnx.Param)
        self.d_opt = nnx.Optimizer(self.discriminators, optax.adam(lr, 0.5), wrt=nnx.Param)

    g = property(lambda self: self.generators.a, doc="The translator X -> Y (printed -> brush).")
    f = property(lambda self: self.generators.b, doc="The translator Y -> X (brush -> printed).")
    d_y = property(lambda self: self.discriminators.a, doc="Judges glyphs of Y (brush) alone.")
    d_x = property(lambda self: self.discriminators.b, doc="Judges glyphs of X (printed) alone.")


def _translate(generator, images):
    return generator(jnp.zeros((images.shape[0], 0), images.dtype), images)


def cycle_losses(generators: _Pair, discriminators: _Pair, x: jax.Array, y: jax.Array, *,
                 cycle_weight: float = CYCLE_WEIGHT, identity_weight: float = IDENTITY_WEIGHT):
    """The generators' loss (the module's equation) for printed glyphs x and brush glyphs y, (N, S, S, 1) in
    [-1, 1], not pairs. Returns ``(loss, (terms, translations))``: the scalar loss; a dict of its terms (``adv``,
    ``cycle``, ``identity``, each before its weight); and ``(g(x), f(y))``, which the discriminators' update uses."""
    g, f = generators.a, generators.b
    d_y, d_x = discriminators.a, discriminators.b
    gx, fy = _translate(g, x), _translate(f, y)
    adv = losses.generator_loss_non_saturating(d_y(gx)) + losses.generator_loss_non_saturating(d_x(fy))
    cycle = jnp.abs(_translate(f, gx) - x).mean() + jnp.abs(_translate(g, fy) - y).mean()
    identity = (jnp.abs(_translate(g, y) - y).mean() + jnp.abs(_translate(f, x) - x).mean()
                if identity_weight else jnp.zeros(()))
    loss = adv + cycle_weight * cycle + identity_weight * identity
    return loss, ({"adv": adv, "cycle": cycle, "identity": identity}, (gx, fy))


def _discriminator_loss(discriminators: _Pair, x, y, gx, fy):
    d_y, d_x = discriminators.a, discriminators.b
    real_y, fake_y, real_x, fake_x = d_y(y), d_y(gx), d_x(x), d_x(fy)
    loss = losses.discriminator_loss(real_y, fake_y) + losses.discriminator_loss(real_x, fake_x)
    return loss, {"d_y_real": jax.nn.sigmoid(real_y).mean(), "d_y_fake": jax.nn.sigmoid(fake_y).mean()}


def make_cycle_step(cyclegan: CycleGAN, *, cycle_weight: float = CYCLE_WEIGHT,
                    identity_weight: float = IDENTITY_WEIGHT):
    """Compiles one CycleGAN update: the generators first (on the discriminators as they are), then the
    discriminators on that step's translations (held fixed). Returns ``(graphdef, state, step)`` with
    ``step(state, x, y) -> (state, metrics)``: a pure function of the state of ``nnx.split(cyclegan)``."""
    cycle_weight, identity_weight = (checks.number(n, w, low=0, fix="0 drops the term") for n, w in
                                     (("cycle_weight", cycle_weight), ("identity_weight", identity_weight)))
    graphdef, state = nnx.split(cyclegan)

    @jax.jit
    def step(state, x, y):
        model = nnx.merge(graphdef, state)
        loss_fn = partial(cycle_losses, cycle_weight=cycle_weight, identity_weight=identity_weight)
        (g_loss, (terms, (gx, fy))), grads = nnx.value_and_grad(loss_fn, has_aux=True)(
            model.generators, model.discriminators, x, y)
        model.g_opt.update(model.generators, grads)
        gx, fy = jax.lax.stop_gradient(gx), jax.lax.stop_gradient(fy)
        (d_loss, probs), d_grads = nnx.value_and_grad(_discriminator_loss, has_aux=True)(
            model.discriminators, x, y, gx, fy)
        model.d_opt.update(model.discriminators, d_grads)
        return nnx.state(model), {"g_loss": g_loss, "d_loss": d_loss, **terms, **probs}

    return graphdef, state, step


def train_cyclegan(x_images, y_images, *, size: int = 32, steps: int | None = 600, minutes: float | None = None,
                   batch_size: int = 32, seed: int = 0, cycle_weight: float = CYCLE_WEIGHT,
                   identity_weight: float = IDENTITY_WEIGHT, callbacks=(), callback_every: int = 100,
                   **build) -> tuple[CycleGAN, dict]:
    """Trains a CycleGAN on two unpaired sets of glyphs, uint8 (N, S, S, 1) (255 = ink) or floats in [-1, 1].

    Args:
      x_images, y_images: glyphs of the source font and of the target font; they need not be the same characters
        or the same number.
      size: their side S.
      steps, minutes: train for this many steps, or this many minutes of wall-clock time (compile included).
      batch_size: glyphs of each font per step.
      seed: initialisation (``CycleGAN(seed=...)``) and the two fonts' batch orders.
      cycle_weight, identity_weight: lambda_cyc and lambda_id.
      callbacks: functions ``cb(step, cyclegan, history)`` (as ``train.fit``'s), called every ``callback_every``
        steps and at the end.
      **build: more options of ``CycleGAN`` (base, d_base, patch_layers, lr).
    Returns:
      ``(cyclegan, history)``: the trained model and a dict of per-step metric arrays (with ``step`` and
      ``seconds``, the wall-clock time since the start, compilation included).
    """
    if (steps is None) == (minutes is None):
        raise ValueError("give exactly one of steps (a number of updates) or minutes (a wall-clock budget).")
    if steps is not None:
        steps = checks.count("steps", steps)            # 0 would return an untrained model as if trained
    else:
        minutes = checks.number("minutes", minutes, low=0, low_open=True)
    size = checks.count("size", size)
    xs, ys = (checks.unit_images(a, name, shape=(size, size, 1), uint8=True)
              for a, name in ((x_images, "x_images"), (y_images, "y_images")))
    batch_size = checks.count("batch_size", batch_size)
    callback_every = checks.count("callback_every", callback_every)
    seed = checks.count("seed", seed, 0)
    if callable(callbacks) or not all(callable(cb) for cb in callbacks):   # found now, not after the training
        raise TypeError("callbacks must be a list of functions cb(step, cyclegan, history), e.g. callbacks=[show].")
    cycle_weight, identity_weight = (checks.number(n, v, low=0) for n, v in (("cycle_weight", cycle_weight),
                                                                             ("identity_weight", identity_weight)))
    model = CycleGAN(size, seed=seed, **build)
    x_batches = data.BatchSampler(xs, batch_size, jax.random.key(seed + 10))
    y_batches = data.BatchSampler(ys, batch_size, jax.random.key(seed + 11))
    graphdef, state, step_fn = make_cycle_step(model, cycle_weight=cycle_weight, identity_weight=identity_weight)
    history: dict[str, list] = {}
    start, s = time.perf_counter(), 0
    deadline = start + 60 * minutes if minutes is not None else None

    def sync():
        nnx.update(model, state)
        return {k: np.asarray(v) for k, v in history.items()}

    while (s < steps) if steps is not None else (time.perf_counter() < deadline):
        state, metrics = step_fn(state, jnp.asarray(x_batches.batch(s)), jnp.asarray(y_batches.batch(s)))
        s += 1
        for k, v in {"step": s, **jax.device_get(metrics), "seconds": time.perf_counter() - start}.items():
            history.setdefault(k, []).append(float(v))
        if not np.isfinite(history["g_loss"][-1]):
            raise FloatingPointError(f"CycleGAN diverged at step {s} (a loss is NaN or Inf); lower lr or restart "
                                     "with another seed.")
        if callbacks and s % callback_every == 0:
            hist = sync()
            for cb in callbacks:
                cb(s, model, hist)
    hist = sync()
    for cb in callbacks if s % callback_every else ():
        cb(s, model, hist)
    return model, hist


def load_pretrained(path=PRETRAINED_CYCLEGAN_DIR):
    """The shipped CycleGAN's two generators (seed 0 of ``benchmarks/cyclegan_table.py``: 3,000 steps at 32x32 on
    the unpaired halves; float16 weights), in inference mode: ``(g, f)``, printed -> brush and brush -> printed."""
    from . import checkpoint
    pair = _Pair(*(models.UNetGenerator(32, 32, rngs=nnx.Rngs(0)) for _ in range(2)))
    checkpoint._load_judge(path, pair, "Re-install gan_utils (it ships the CycleGAN), or train one with `python "
                           "benchmarks/cyclegan_table.py --seeds 0 --save-generators DIR`.")
    return pair.a, pair.b


def quantise(x, levels: int) -> np.ndarray:
    """Rounds images (N, S, S, C) in [-1, 1] to ``levels`` evenly spaced grey levels (2: black or white, -1 or 1)."""
    levels = checks.count("levels", levels, 2)   # 2: black or white
    # any shape (a batch, one glyph, a row of pixels); values beyond [-1, 1] (noise added) are clipped
    x = checks.unit_images(x, "x", ndim=None, noisy=True)
    q = np.round((np.clip(x, -1, 1) + 1) / 2 * (levels - 1)) / (levels - 1)
    return (2 * q - 1).astype(np.float32)


def hidden_detail(g, f, x, y, *, noise=(0.02, 0.05, 0.1, 0.2), levels=(16, 4, 2), seed: int = 0) -> dict:
    """What comes back through ``f`` (Chu et al., 2017): printed glyphs x and the true brush glyphs y of the same
    characters, (N, S, S, 1) in [-1, 1]. ``f`` rebuilds x from ``g(x)``; from ``g(x)`` with Gaussian noise of each
    std in ``noise``; from ``g(x)`` rounded to each number of grey ``levels``; and from y, a brush glyph ``g`` never
    touched. Returns {input name: {"l1", "ssim"} of f(input) against x, and "change", the mean |input - g(x)|}."""
    x, y = (checks.unit_images(a, name, shape=(None, None, 1), square=True) for a, name in ((x, "x"), (y, "y")))
    if x.shape != y.shape:
        raise ValueError(f"x and y must be the same characters in the two fonts, got shapes {x.shape} and {y.shape}.")
    noise = [checks.number("each noise std", s, low=0) for s in np.atleast_1d(noise).tolist()]
    seed = checks.count("seed", seed, 0)
    levels = [checks.count("each number of grey levels", k, 2) for k in np.atleast_1d(levels).tolist()]
    gx = np.asarray(models.translate(g, x))
    rng = np.random.default_rng(seed)
    inputs = {"g(x)": gx,
              **{f"g(x) + noise {s:g}": (gx + s * rng.standard_normal(gx.shape)).astype(np.float32) for s in noise},
              **{f"g(x) in {k} grey levels": quantise(gx, k) for k in levels},
              "true brush glyph y": y}
    out = {}
    for name, inp in inputs.items():
        rec = np.asarray(models.translate(f, inp))
        out[name] = {"l1": float(np.abs(rec - x).mean()), "ssim": float(translation.ssim(rec, x).mean()),
                     "change": float(np.abs(inp - gx).mean())}
    return out


# Notebook 12's race: the same glyphs of each font for the same steps, without pairs and with them.
METHODS = ("CycleGAN", "pix2pix, pairs of A")


def compare_run(method: str, seed: int, half_a, half_b, test, *, steps: int = 3000, evals=(3000,),
                batch: int = 32, size: int = 32, true_outputs: dict | None = None) -> tuple[dict, object, dict]:
    """One run of notebook 12's table (``benchmarks/cyclegan_table.py``): ``method`` of ``METHODS`` trained from
    ``seed``, scored on ``test`` (``data.load_glyphs("test")``) at each step of ``evals`` (the last must be ``steps``).

    "CycleGAN" sees the printed glyphs of ``half_a`` and the brush glyphs of ``half_b`` (``GlyphPairs.halves``);
    "pix2pix, pairs of A" sees the pairs of ``half_a`` (``translation.train_translator``, notebook 11's recipe).
    Returns ``(row, model, images)``: a dict of the final scores, the ``curve`` of scores at each of ``evals``,
    training diagnostics, ``hidden`` (``hidden_detail``, CycleGAN only) and the machine's record; the trained
    ``CycleGAN`` or ``GAN``; and {eval step: the first 16 held-out translations, uint8}.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {list(METHODS)}.")
    evals = sorted(checks.count("each step of evals", e) for e in evals)
    if not evals or evals[-1] != steps:
        raise ValueError(f"evals must end at steps ({steps}), the final score; got {evals}.")
    from . import precomputed
    t0 = time.perf_counter()
    src, tgt = data.to_unit_range(test.source), data.to_unit_range(test.target)
    true_outputs = true_outputs or translation.style_outputs(tgt)
    curve, images = [], {}
    generator_of = (lambda m: m.g) if method == "CycleGAN" else (lambda m: m.generator)

    def score(step, model, history):
        if step in evals:
            out = np.asarray(models.translate(generator_of(model), src))
            s = translation.translation_scores(out, tgt, test.chars, true_outputs=true_outputs)
            curve.append({"step": step, **{k: round(v, 4) for k, v in s.items()}})
            images[step] = data.to_uint8(out[:16])

    every = int(np.gcd.reduce(evals))
    last100 = lambda h, k: round(float(np.mean(h[k][-100:])), 4)   # noqa: E731
    if method == "CycleGAN":
        model, hist = train_cyclegan(half_a.source, half_b.target, size=size, steps=steps, batch_size=batch,
                                     seed=seed, callbacks=[score], callback_every=every)
        seconds = hist["seconds"][-1]
        hidden = hidden_detail(model.g, model.f, src, tgt, seed=seed)
        extra = {"cycle_last100": last100(hist, "cycle"), "identity_last100": last100(hist, "identity"),
                 "d_real_last100": last100(hist, "d_y_real"), "d_fake_last100": last100(hist, "d_y_fake"),
                 "hidden": {k: {m: round(v, 4) for m, v in d.items()} for k, d in hidden.items()}}
    else:
        model, result = translation.train_translator("L1 + GAN", size=size, steps=steps, batch_size=batch,
                                                     seed=seed, pairs=half_a, callbacks=[score],
                                                     callback_every=every)
        seconds, hist = result.seconds, result.history
        extra = {"d_real_last100": last100(hist, "d_real"), "d_fake_last100": last100(hist, "d_fake")}
    row = {"method": method, "seed": seed, "steps": steps, "size": size, "batch": batch, "curve": curve,
           **{k: v for k, v in curve[-1].items() if k != "step"}, **extra,
           "train_seconds": round(seconds, 1), "wall_seconds": round(time.perf_counter() - t0, 1),
           "date": time.strftime("%Y-%m-%d %H:%M"), "machine": precomputed.machine_record()}
    return row, model, images
