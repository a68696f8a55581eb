"""The GAN container and its jitted update steps.

The update steps are pure functions, ``step(state, real, key) -> (state, metrics)``, on the state of
``nnx.split(gan)``; they are compiled once with plain ``jax.jit`` (``devices.jit_step``) and run unchanged on CPU,
GPU and TPU.

One step = ``k_disc`` discriminator updates, then one generator update (Goodfellow et al., 2014, Alg. 1).
The last discriminator update and the generator update share one generator forward pass: we keep the VJP of
``fake = G(z)``, update D on ``stop_gradient(fake)``, then push the generator loss of the *updated* D back
through that VJP. This is exactly what the PyTorch DCGAN tutorial does (it reuses ``fake`` for both
updates) and saves one generator forward pass per step.

Options of the recipe (each off by default, so the default step is the one above): the hinge, least-squares and
Wasserstein losses (``discriminator_loss=``, ``generator_loss=``; ``losses.DISCRIMINATOR_LOSSES``,
``losses.GENERATOR_LOSSES``), a stabiliser of D (``penalty="r1" | "r2" | "gp" | "clip"`` with ``penalty_weight``;
``losses.PENALTIES``; ``r1=gamma`` is the older spelling of ``penalty="r1"``), and an exponential moving average of
the generator's weights (``GAN(..., ema=decay)``, kept in ``GAN.g_ema``). The discriminator's own options need
nothing here: spectral normalisation and the minibatch standard deviation live in the model, and PacGAN's packing
(``discriminator.pack``, see ``models.pack_samples``) makes the step pack both the real and the fake batch before D.

A class-conditional GAN (a generator with ``num_classes``: ``models.ConditionalDCGANGenerator`` with
``models.ProjectionDiscriminator``) takes batches ``(images, labels)``; the fakes of a step are generated for the
real batch's labels, so D compares real and generated digits of the same classes, and G is asked for them.

pix2pix (notebook 11) is the same conditional step with an image as the label: batches ``(targets, sources)``,
``G(z, source)`` (``models.UNetGenerator``, which ignores z) and ``D(image, source)`` (``models.PatchDiscriminator``),
plus one term in G's loss, ``l1_weight * mean|G(z, source) - target|`` (Isola et al., 2017: lambda = 100).
"""
from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from . import devices, losses, models

__all__ = ["GAN", "step_key", "make_train_step", "make_fused_train_step"]


def _rate(lr: float, decay: int, anneal: int = 0):
    """Adam's learning rate: ``lr``; or (decay > 0) lr until update decay/2, then linearly down to 0 at ``decay``; or
    (anneal > 0) lr until update anneal/2, then lr / 10."""
    if decay:
        return lambda count: lr * jnp.clip(2.0 * (1.0 - count / decay), 0.0, 1.0)
    if anneal:
        return lambda count: jnp.where(count < anneal // 2, lr, lr / 10)
    return lr


class GAN(nnx.Module):
    """A generator, a discriminator and their Adam optimizers, as one NNX module (one state to save).

    Args:
      generator: maps z of shape (N, latent_dim) to samples; must have a ``latent_dim`` attribute.
      discriminator: maps samples to logits of shape (N,).
      g_lr, d_lr: Adam learning rates (DCGAN paper: 2e-4 for both).
      b1: Adam's first-moment decay (DCGAN paper: 0.5; the default 0.9 makes GAN training oscillate more).
      b2: Adam's second-moment decay.
      lr_decay: 0 for constant learning rates; N > 0: each rate stays constant for N/2 updates, then falls linearly to
        0 at update N (counted in each optimizer's own updates, so with k_disc D's rate falls k times sooner).
        Quality of the shipped DCGAN got worse after 10,000 steps at a constant rate (benchmarks/RESULTS.md).
      lr_anneal: 0 for constant learning rates; N > 0: each rate stays constant for N/2 updates (counted as
        lr_decay's), then drops to a tenth (notebook 07's toy recipe). Not together with lr_decay.
      ema: decay of an exponential moving average of the generator's weights (0 = none; e.g. 0.999). When on,
        ``g_ema`` is a second generator, a copy of ``generator`` at construction, whose parameters the training
        step moves after every generator update: ``ema = decay * ema + (1 - decay) * param``
        (Karras et al., 2018; Yazici et al., 2019); its BatchNorm statistics are copied from ``generator``.
        It is part of the module, so checkpoints save it and a resumed run continues it exactly.
    """

    def __init__(self, generator: nnx.Module, discriminator: nnx.Module, *, g_lr: float = 2e-4,
                 d_lr: float = 2e-4, b1: float = 0.5, b2: float = 0.999, ema: float = 0.0, lr_decay: int = 0,
                 lr_anneal: int = 0):
        if not hasattr(generator, "latent_dim"):
            raise TypeError("the generator needs a `latent_dim` attribute (the size of z); "
                            "gan_utils.models generators have one.")
        if not 0.0 <= ema < 1.0:
            raise ValueError(f"ema (the decay of the generator's weight average) must be in [0, 1), got {ema}; "
                             "0 turns it off, 0.999 is common.")
        self.generator = generator
        self.discriminator = discriminator
        for name, n in (("lr_decay", lr_decay), ("lr_anneal", lr_anneal)):
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise ValueError(f"{name} must be a whole number of updates >= 0 (0 = a constant rate), got {n!r}.")
        if lr_decay and lr_anneal:
            raise ValueError("lr_decay and lr_anneal are two schedules for a run's second half: set one of them to 0.")
        self.g_opt = nnx.Optimizer(generator, optax.adam(_rate(g_lr, lr_decay, lr_anneal), b1, b2), wrt=nnx.Param)
        self.d_opt = nnx.Optimizer(discriminator, optax.adam(_rate(d_lr, lr_decay, lr_anneal), b1, b2), wrt=nnx.Param)
        self.ema_decay = float(ema)
        # new Variables (sharing the initial arrays): the average starts at the generator's initialisation
        self.g_ema = nnx.clone(generator) if ema > 0 else None

    @property
    def latent_dim(self) -> int:
        return self.generator.latent_dim

    @property
    def sampling_generator(self) -> nnx.Module:
        """The generator to draw samples from: ``g_ema`` when the weight average is on, else ``generator``.

        ``g_ema`` carries the live generator's BatchNorm statistics (copied by every step); ``sampler()`` gives a
        copy with statistics re-estimated for the averaged weights, which sample better.
        """
        return self.g_ema if self.g_ema is not None else self.generator

    def sampler(self, key: jax.Array | None = None, *, n_batches: int = 20, batch_size: int = 256) -> nnx.Module:
        """The generator to sample, ready: ``generator`` itself when the weight average is off; otherwise a copy
        of ``g_ema`` whose BatchNorm statistics are re-estimated for its weights (``models.recalibrate_batchnorm``
        on ``n_batches`` batches of ``batch_size`` fresh z drawn with ``key``, default ``jax.random.key(0)``).

        Re-estimated statistics sample better than the copied ones, which belong to the live weights (measured in
        benchmarks/RESULTS.md). The GAN itself is left unchanged, so a run continues exactly after sampling.
        """
        if self.g_ema is None:
            return self.generator
        key = jax.random.key(0) if key is None else key
        return models.recalibrate_batchnorm(nnx.clone(self.g_ema), key, n_batches=n_batches, batch_size=batch_size)


def step_key(key: jax.Array, step: int) -> jax.Array:
    """The key used by training step ``step``: a pure function of (key, step), so a resumed run is exact."""
    return jax.random.fold_in(key, step)


def _scores_and_input_grads(D: nnx.Module, x: jax.Array, *labels) -> tuple[jax.Array, jax.Array]:
    """D's scores on ``x`` (N,) and each example's input gradient (N, ...), from one forward and one backward pass.

    The gradient of ``sum(D(x))`` with respect to the batch is, row by row, each example's input gradient (examples
    do not interact in D; see ``losses.r1_penalty`` for the exceptions). It stays differentiable with respect to
    D's parameters (a gradient of a gradient), so D's update minimises a penalty built from it. D's state (e.g.
    Dropout's RNG counter, spectral normalisation's power iteration) goes in and comes back, so nothing is lost.
    ``labels`` (a conditional D's class labels) are passed on to D and are not differentiated.
    """
    d_def, d_state = nnx.split(D)

    def score_sum(x, d_state):   # pure: D's state (e.g. Dropout's RNG counter) goes in and comes out
        d = nnx.merge(d_def, d_state, copy=True)   # new Variables, so Dropout may advance its RNG in here
        scores = d(x, *labels)
        return jnp.sum(scores), (scores, nnx.state(d))

    (_, (scores, d_state_new)), grad_x = jax.value_and_grad(score_sum, has_aux=True)(x, d_state)
    nnx.update(D, d_state_new)
    return scores, grad_x


def _one_step(gan: GAN, real: jax.Array, key: jax.Array, *, k_disc: int, generator_loss: str,
              label_smoothing: float, discriminator_loss: str = "bce", penalty: str = "none",
              penalty_weight: float = 0.0, penalty_metric: str = "penalty", noise: Callable | None = None,
              update_g: bool = True, l1_weight: float = 0.0) -> dict:
    """k discriminator updates then one generator update, mutating ``gan`` (called inside jit).

    The toy playground (``playground.ToyGAN``) runs on this same step, with two options the course's GANs leave at
    their defaults: ``noise(key, n) -> z`` (n, latent_dim) draws z (default: a standard normal), and the one-network
    buttons, ``k_disc=0`` (the generator's update alone, against D as it is; ``real`` is then unused) and
    ``update_g=False`` (D's updates alone). ``gan`` needs ``generator``, ``discriminator``, ``g_opt`` and ``d_opt``
    (anything with ``update(model, grads)``), ``g_ema`` and ``ema_decay``.
    """
    G, D = gan.generator, gan.discriminator
    if noise is None:
        def noise(k, n):
            return jax.random.normal(k, (n, G.latent_dim))
    m = getattr(D, "pack", 1)                       # PacGAN: D judges packs of m samples
    conditional = models.takes_labels(G)   # a class-conditional or self-conditioned generator
    if conditional:   # real = (images, labels); the fakes are asked for the same labels, so D sees the same classes
        real, labels = real
        if m > 1:
            raise ValueError("PacGAN's packing mixes the samples of a pack, which a class-conditional D cannot "
                             "judge against one label; use pack=1.")
        labels_k = labels if k_disc > 1 else labels[None]
    g_loss_fn = losses.GENERATOR_LOSSES[generator_loss]
    if discriminator_loss == "bce":
        def adversarial(r, f):
            return losses.discriminator_loss(r, f, label_smoothing=label_smoothing)
    else:
        adversarial = losses.DISCRIMINATOR_LOSSES[discriminator_loss]
    reals = real if k_disc > 1 else real[None]
    n = reals.shape[1]   # k_disc = 0 (G alone): real is a batch whose size is the number of fakes G makes
    if n % m:
        raise ValueError(f"the discriminator judges packs of {m} samples (pack={m}), but the batch has {n}; "
                         f"use a batch size that is a multiple of {m}.")
    keys = jax.random.split(key, max(k_disc, 1))
    added = penalty in ("r1", "r2", "gp")           # a term added to D's loss ("clip" constrains the weights)
    gp_keys = (jax.random.split(jax.random.fold_in(key, 1), k_disc) if penalty == "gp" and k_disc
               else [None] * max(k_disc, 1))

    def d_loss_fn(D, real, fake, gp_key, *y):   # y: (labels,) for a conditional GAN, else ()
        real, fake = models.pack_samples(real, m), models.pack_samples(fake, m)
        if not added:  # the plain step: no penalty, nothing extra traced
            r, f = D(real, *y), D(fake, *y)
            return adversarial(r, f), (r, f)
        if penalty == "r1":     # the logits on real data come from the penalty's forward pass
            r, grads = _scores_and_input_grads(D, real, *y)
            f = D(fake, *y)
            pen = losses._r1_from_gradients(grads, penalty_weight)
        elif penalty == "r2":   # ... on fakes, likewise
            r = D(real, *y)
            f, grads = _scores_and_input_grads(D, fake, *y)
            pen = losses._r1_from_gradients(grads, penalty_weight)
        else:                   # "gp": a third forward pass, at points between real and fake (packs)
            r, f = D(real, *y), D(fake, *y)
            eps = jax.random.uniform(gp_key, (real.shape[0],) + (1,) * (real.ndim - 1), real.dtype)
            _, grads = _scores_and_input_grads(D, eps * real + (1 - eps) * fake, *y)
            pen = losses._gp_from_gradients(grads, penalty_weight)
        adv = adversarial(r, f)
        return adv + pen, (r, f, adv, pen)

    def d_update(grads):
        gan.d_opt.update(D, grads)
        if penalty == "clip":   # WGAN's weight clipping, after every update of D
            nnx.update(D, losses.clip_weights(nnx.state(D, nnx.Param), penalty_weight))

    def y_of(i):   # the labels of discriminator update i, as extra arguments of G and D
        return (labels_k[i],) if conditional else ()

    for i in range(k_disc - 1):  # extra discriminator updates, each on fresh fakes (k is small: unrolled)
        fake = jax.lax.stop_gradient(G(noise(keys[i], n), *y_of(i)))
        grads = nnx.grad(d_loss_fn, has_aux=True)(D, reals[i], fake, gp_keys[i], *y_of(i))[0]
        d_update(grads)

    # Last discriminator update and the generator update share this forward pass of G.
    z = noise(keys[-1], n)
    y = y_of(max(k_disc, 1) - 1)
    metrics = {}
    if not update_g:            # D's updates alone (the playground's "D step" button): G's forward pass as above
        fake = G(z, *y)
    else:
        g_def, g_params, g_rest = nnx.split(G, nnx.Param, ...)

        def g_forward(params, rest):  # rest (BatchNorm statistics) is an argument: NNX forbids closing over it
            g = nnx.merge(g_def, params, rest)
            return g(z, *y), nnx.state(g, nnx.Not(nnx.Param))  # BatchNorm statistics move forward here

        fake, g_vjp, g_rest_new = jax.vjp(g_forward, g_params, g_rest, has_aux=True)
        nnx.update(G, g_rest_new)

    if k_disc:
        (d_loss, (r_logits, f_logits, *pen_parts)), d_grads = nnx.value_and_grad(d_loss_fn, has_aux=True)(
            D, reals[-1], jax.lax.stop_gradient(fake), gp_keys[-1], *y)
        d_update(d_grads)
        metrics["d_loss"] = pen_parts[0] if added else d_loss    # the adversarial part, comparable across runs

    if update_g:
        # Generator loss through the *updated* discriminator, back through G's saved VJP (and the packing, if any).
        if not l1_weight:
            g_loss, d_fake = nnx.value_and_grad(lambda f, D: g_loss_fn(D(models.pack_samples(f, m), *y)))(fake, D)
        else:   # pix2pix: plus lambda * mean|G(z, source) - target|, the target being the real batch of the same rows
            def g_total(f, D):
                adv, l1 = g_loss_fn(D(models.pack_samples(f, m), *y)), jnp.mean(jnp.abs(f - reals[-1]))
                return adv + l1_weight * l1, (adv, l1)

            (_, (g_loss, metrics["l1"])), d_fake = nnx.value_and_grad(g_total, has_aux=True)(fake, D)
        g_grads, _ = g_vjp(d_fake)
        gan.g_opt.update(G, g_grads)
        if gan.g_ema is not None:
            _update_ema(gan.g_ema, G, gan.ema_decay)
        metrics["g_loss"] = g_loss
    if k_disc:
        metrics["d_real"] = jnp.mean(jax.nn.sigmoid(r_logits))   # mean D(x) before the update (sigmoid of any score)
        metrics["d_fake"] = jnp.mean(jax.nn.sigmoid(f_logits))   # mean D(G(z)) before the update
    if update_g:
        metrics["g_grad_norm"] = optax.global_norm(g_grads)
    if added and k_disc:
        metrics[penalty_metric] = pen_parts[1]          # the penalty term before the update
    return metrics


def _update_ema(g_ema: nnx.Module, G: nnx.Module, decay: float) -> None:
    """``ema = decay * ema + (1 - decay) * param`` for every ``nnx.Param``; BatchNorm statistics copied from G.

    The copied running statistics belong to the live weights, not the averaged ones; they cost nothing and keep
    ``g_ema`` usable as it is, but ``GAN.sampler()`` re-estimates them for the averaged weights before sampling,
    which measured better (MNIST, 400 steps, decay 0.99: FID 294 against 317).
    """
    avg = jax.tree_util.tree_map(lambda e, p: decay * e + (1.0 - decay) * p,
                                 nnx.state(g_ema, nnx.Param), nnx.state(G, nnx.Param))
    nnx.update(g_ema, avg, nnx.state(G, nnx.Not(nnx.Param)))


def _check_options(k_disc: int, generator_loss: str, discriminator_loss: str, label_smoothing: float,
                   r1: float, penalty: str, penalty_weight: float | None, l1_weight: float = 0.0) -> dict:
    if generator_loss not in losses.GENERATOR_LOSSES:
        raise ValueError(f"unknown generator_loss {generator_loss!r}; choose one of {list(losses.GENERATOR_LOSSES)}.")
    if discriminator_loss not in losses.DISCRIMINATOR_LOSSES:
        raise ValueError(f"unknown discriminator_loss {discriminator_loss!r}; choose one of "
                         f"{list(losses.DISCRIMINATOR_LOSSES)}.")
    if k_disc < 1:
        raise ValueError(f"k_disc must be at least 1, got {k_disc}.")
    if label_smoothing and discriminator_loss != "bce":
        raise ValueError(f"label_smoothing applies to the 'bce' discriminator loss, not {discriminator_loss!r}; "
                         "pass label_smoothing=0.")
    if not r1 >= 0:
        raise ValueError(f"r1 (the R1 penalty's gamma) must be >= 0, got {r1}; 0 turns it off.")
    if penalty not in losses.PENALTIES:
        raise ValueError(f"unknown penalty {penalty!r}; choose one of {list(losses.PENALTIES)}.")
    metric = "penalty"
    if r1:
        if penalty != "none":
            raise ValueError(f"r1={r1} is the older spelling of penalty='r1', penalty_weight={r1}; it cannot be "
                             f"combined with penalty={penalty!r}. Pass one of them.")
        penalty, penalty_weight, metric = "r1", r1, "r1_penalty"   # reported under its old name
    if penalty == "none":
        if penalty_weight is not None:
            raise ValueError(f"penalty_weight={penalty_weight} needs a penalty; pick one of "
                             f"{list(losses.PENALTIES)[1:]}, or leave penalty_weight=None.")
        penalty_weight = 0.0
    elif penalty_weight is None:
        penalty_weight = losses.PENALTIES[penalty]
    elif not penalty_weight > 0:
        raise ValueError(f"penalty_weight of {penalty!r} must be positive, got {penalty_weight}; None takes the "
                         f"default, {losses.PENALTIES[penalty]}.")
    if not 0 <= l1_weight < float("inf"):
        raise ValueError(f"l1_weight (pix2pix's lambda) must be a finite number >= 0, got {l1_weight}; 0 turns the "
                         "L1 term off, Isola et al. (2017) use 100.")
    extra = {"l1_weight": float(l1_weight)} if l1_weight else {}   # absent at 0: the step traces exactly as before
    if generator_loss == "none" and not l1_weight:
        raise ValueError("generator_loss='none' leaves G with nothing to learn from; give it l1_weight > 0 (pix2pix's "
                         "L1-only baseline) or choose an adversarial loss.")
    return dict(k_disc=k_disc, generator_loss=generator_loss, label_smoothing=label_smoothing,
                discriminator_loss=discriminator_loss, penalty=penalty, penalty_weight=float(penalty_weight),
                penalty_metric=metric, **extra)


def make_train_step(gan: GAN, *, k_disc: int = 1, generator_loss: str = "non_saturating",
                    label_smoothing: float = 0.0, discriminator_loss: str = "bce", r1: float = 0.0,
                    penalty: str = "none", penalty_weight: float | None = None, l1_weight: float = 0.0,
                    data_parallel: bool | None = None) -> tuple[nnx.GraphDef, nnx.State, Callable]:
    """Compiles one training step as a pure function.

    Args:
      gan: the GAN whose structure fixes the compiled step (its values are not captured).
      k_disc: discriminator updates per generator update.
      generator_loss: ``"non_saturating"`` (default, -log D(G(z))), ``"saturating"`` (log(1 - D(G(z)))),
        ``"hinge"`` (-l(G(z))), ``"lsgan"`` (least squares) or ``"wasserstein"`` (-f(G(z))); see
        ``losses.GENERATOR_LOSSES``.
      label_smoothing: one-sided label smoothing for the real targets (0 disables it; ``"bce"`` only).
      discriminator_loss: ``"bce"`` (default, the cross-entropy of ``losses.discriminator_loss``), ``"hinge"``,
        ``"lsgan"`` or ``"wasserstein"`` (the critic's loss); see ``losses.DISCRIMINATOR_LOSSES``.
      r1: gamma of the R1 penalty ``gamma/2 * mean_i ||grad_x l(x_i)||^2`` on the real batch, added to D's loss
        (Mescheder et al., 2018); 0 (default) leaves it out of the compiled step entirely. The older spelling of
        ``penalty="r1", penalty_weight=r1``, kept so that older code and configs mean what they meant (its metric
        keeps its name, ``r1_penalty``).
      penalty: D's stabiliser, one of ``losses.PENALTIES``: ``"none"`` (default), ``"r1"`` (``losses.r1_penalty``
        on the real batch), ``"r2"`` (``losses.r2_penalty`` on the fakes), ``"gp"`` (WGAN-GP's
        ``losses.gradient_penalty``), each added to D's loss, or ``"clip"`` (every parameter of D clipped to
        [-c, c] after each of its updates, ``losses.clip_weights``). With PacGAN's packing the penalties are taken
        per pack, D's examples (WGAN-GP's interpolation coefficient is then one per pack).
      penalty_weight: gamma (r1, r2), lambda (gp) or the bound c (clip); None (default) takes the penalty's
        default in ``losses.PENALTIES`` (10, 10, 10 and 0.01).
      l1_weight: pix2pix's lambda (Isola et al., 2017, use 100): adds ``l1_weight * mean|G(z, source) - target|`` to
        G's loss, for an image-conditioned GAN whose batches are ``(targets, sources)``; 0 (default) leaves it out
        of the compiled step. With ``generator_loss="none"`` G learns from this term alone (the L1-only baseline).
      data_parallel: split each batch across all local devices, parameters replicated (see
        ``data_parallel_shardings``); the default ``None`` does so whenever there is more than one device
        (a Colab TPU's 8 cores, several GPUs), so the same code runs everywhere. The batch size must then be
        a multiple of the device count.

    Returns:
      ``(graphdef, state, step)`` where ``step(state, real, key) -> (state, metrics)`` is jitted;
      ``real`` is a batch (B, ...) for k_disc=1, or (k_disc, B, ...) batches otherwise (for a class-conditional
      GAN, the pair (images, labels (B,) or (k_disc, B))); metrics is a dict of
      float32 scalars: d_loss (the adversarial loss, without the penalty), g_loss, d_real (mean D(x)),
      d_fake (mean D(G(z))), g_grad_norm, ``penalty`` for r1, r2 and gp (``r1_penalty`` when given as r1 > 0), and
      ``l1`` (the mean absolute error to the target, before the update) with l1_weight > 0; g_loss is then the
      adversarial part alone.
      d_real and d_fake are the mean sigmoid of D's output whatever the loss: D's probability for the
      cross-entropy, a squashed score for the hinge, least-squares and Wasserstein losses (0.5 = a score of 0).
      With packing they are means over packs. When the GAN has ``g_ema``, the step updates it after the
      generator.
      Put the state back into the module with ``nnx.update(gan, state)``.
    """
    opts = _check_options(k_disc, generator_loss, discriminator_loss, label_smoothing, r1, penalty, penalty_weight,
                          l1_weight)
    graphdef, state = nnx.split(gan)

    def step(state, real, key):
        gan = nnx.merge(graphdef, state)
        metrics = _one_step(gan, real, key, **opts)
        return nnx.state(gan), metrics

    return graphdef, state, devices.jit_step(step, batch_axis=0 if k_disc == 1 else 1, data_parallel=data_parallel)


def make_fused_train_step(gan: GAN, *, k_disc: int = 1, generator_loss: str = "non_saturating",
                          label_smoothing: float = 0.0, discriminator_loss: str = "bce", r1: float = 0.0,
                          penalty: str = "none", penalty_weight: float | None = None, l1_weight: float = 0.0,
                          data_parallel: bool | None = None,
                          unroll: int | bool | None = None) -> tuple[nnx.GraphDef, nnx.State, Callable]:
    """Like ``make_train_step``, but one compiled call runs many steps (a ``lax.scan``).

    ``fused(state, reals, key, start_step) -> (state, metrics)`` with ``reals`` of shape (n, B, ...) (or
    (n, k_disc, B, ...)); step ``start_step + i`` uses ``step_key(key, start_step + i)`` exactly as the
    single step would, and metrics holds arrays of shape (n,). Fusing removes per-step dispatch overhead, a
    big win for small MLPs on any backend.

    ``unroll`` is passed to ``lax.scan``; the default, ``devices.scan_unroll(gan)``, unrolls the loop completely
    for convolutional models on CPU, where a rolled loop loses XLA:CPU's fast convolution path (figures in
    benchmarks/RESULTS.md). Unrolling costs compile time proportional to n, which is why
    ``devices.default_fuse`` does not fuse those models on CPU at all.
    """
    opts = _check_options(k_disc, generator_loss, discriminator_loss, label_smoothing, r1, penalty, penalty_weight,
                          l1_weight)
    graphdef, state = nnx.split(gan)
    if unroll is None:
        unroll = devices.scan_unroll(gan)

    def fused(state, reals, key, start_step):
        def body(state, xs):
            real, i = xs
            gan = nnx.merge(graphdef, state)
            metrics = _one_step(gan, real, step_key(key, start_step + i), **opts)
            return nnx.state(gan), metrics
        n = jax.tree_util.tree_leaves(reals)[0].shape[0]   # reals: an array, or (images, labels)
        return jax.lax.scan(body, state, (reals, jnp.arange(n)), unroll=unroll)

    return graphdef, state, devices.jit_step(fused, batch_axis=1 if k_disc == 1 else 2, data_parallel=data_parallel)
