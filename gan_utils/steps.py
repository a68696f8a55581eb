"""The GAN container and its training step, in named pieces.

``train_step`` is notebook 05's ``train_step_by_hand`` with its options: ``discriminator_update`` (one small function
per penalty scores D), ``generator_forward`` (G's forward pass, keeping its VJP), ``generator_update`` and
``update_ema``; ``discriminator_step`` and ``generator_step`` are its two halves alone (the playground's buttons). The
options are one record, ``StepOptions`` (``gan_utils.options``). ``make_train_step`` and ``make_fused_train_step``
compile the step as a pure function, ``step(state, real, key) -> (state, metrics)``, on the state of
``nnx.split(gan)``, once, with plain ``jax.jit`` (``devices.jit_step``); it runs unchanged on CPU, GPU and TPU.

One step = ``k_disc`` discriminator updates, then one generator update (Goodfellow et al., 2014, Alg. 1).
The last discriminator update and the generator update share one generator forward pass: we keep the VJP of
``fake = G(z)``, update D on ``stop_gradient(fake)``, then push the generator loss of the *updated* D back
through that VJP. This is exactly what the PyTorch DCGAN tutorial does (it reuses ``fake`` for both
updates) and saves one generator forward pass per step.

Options of the recipe (``StepOptions``; each off by default, so the default step is the one above): the hinge,
least-squares and Wasserstein losses (``discriminator_loss=``, ``generator_loss=``; ``losses.DISCRIMINATOR_LOSSES``,
``losses.GENERATOR_LOSSES``), the relativistic pairing loss (R3GAN's; G's update then also scores the real batch), a
stabiliser of D (``penalty="r1" | "r2" | "r1+r2" | "gp" | "clip"`` with ``penalty_weight``;
``PENALTIES``; ``r1=gamma`` is the older spelling of ``penalty="r1"``), an exponential moving average of the
generator's weights (``GAN(..., ema=decay)``, kept in ``GAN.g_ema``), and augmentation of everything D sees
(``augment="diffaugment" | "ada"``, ``gan_utils.augment``; ADA's adaptive probability lives in ``GAN.ada``). The
discriminator's own options need nothing here: spectral normalisation and the minibatch standard deviation live in
the model, and PacGAN's packing (``discriminator.pack``, see ``models.pack_samples``) makes the step pack both the
real and the fake batch before D.

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

from . import augment, checks, devices, losses, models
from .options import StepOptions

__all__ = ["GAN", "StepOptions", "step_key", "train_step", "discriminator_step", "generator_step",
           "discriminator_update", "generator_forward", "generator_update", "update_ema", "make_train_step",
           "make_fused_train_step"]


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
      ada: keep ADA's adaptive augmentation probability (``augment.AdaState``, as ``ada``) in the GAN, for a step
        with ``augment="ada"``; saved and resumed with it like the weights. False: ``ada`` is None.
    """

    def __init__(self, generator: nnx.Module, discriminator: nnx.Module, *, g_lr: float = 2e-4,
                 d_lr: float = 2e-4, b1: float = 0.5, b2: float = 0.999, ema: float = 0.0, lr_decay: int = 0,
                 lr_anneal: int = 0, ada: bool = False):
        if not hasattr(generator, "latent_dim"):
            raise TypeError("the generator needs a `latent_dim` attribute (the size of z); "
                            "gan_utils.models generators have one.")
        if not 0.0 <= ema < 1.0:
            raise ValueError(f"ema (the decay of the generator's weight average) must be in [0, 1), got {ema}; "
                             "0 turns it off, 0.999 is common.")
        g_lr, d_lr = (v if callable(v) else checks.number(n, v, low=0, low_open=True, fix="the DCGAN paper's is 2e-4")
                      for n, v in (("g_lr", g_lr), ("d_lr", d_lr)))   # a callable: an optax schedule of the step
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
        self.ada = augment.AdaState() if ada else None

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
    if not isinstance(step, jax.core.Tracer):   # inside the compiled step it is the step's own counter
        step = checks.step("step", step)
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


def _normal_noise(G: nnx.Module) -> Callable:
    """The course's z: a standard normal of G's latent size, ``noise(key, n) -> (n, latent_dim)``."""
    return lambda key, n: jax.random.normal(key, (n, G.latent_dim))


# D's scores on the real and the generated batch, and its penalty term (None without one): one small function per
# penalty. Each takes (D, real, fake, y, weight, key); y is (labels,) for a conditional D, else ().
def _scores(D, real, fake, y, weight, key):
    """No penalty (and "clip", which constrains D's weights after its update instead): the two forward passes."""
    return D(real, *y), D(fake, *y), None


def _scores_r1(D, real, fake, y, weight, key):
    """R1: gamma/2 E||grad_x D(x)||^2 at the real batch, whose scores come from the penalty's own forward pass."""
    r, grads = _scores_and_input_grads(D, real, *y)
    return r, D(fake, *y), losses._r1_from_gradients(grads, weight)


def _scores_r2(D, real, fake, y, weight, key):
    """R2: the same penalty at the generated batch."""
    r = D(real, *y)
    f, grads = _scores_and_input_grads(D, fake, *y)
    return r, f, losses._r1_from_gradients(grads, weight)


def _scores_gp(D, real, fake, y, weight, key):
    """WGAN-GP: lambda E(||grad D(x_hat)|| - 1)^2, a third forward pass at random points between real and fake."""
    r, f = D(real, *y), D(fake, *y)
    eps = jax.random.uniform(key, (real.shape[0],) + (1,) * (real.ndim - 1), real.dtype)
    _, grads = _scores_and_input_grads(D, eps * real + (1 - eps) * fake, *y)
    return r, f, losses._gp_from_gradients(grads, weight)


def _scores_r1r2(D, real, fake, y, weight, key):
    """R1 + R2 (R3GAN's): the penalty at both batches, one gamma, each score from its penalty's forward pass."""
    r, grads_r = _scores_and_input_grads(D, real, *y)
    f, grads_f = _scores_and_input_grads(D, fake, *y)
    return r, f, losses._r1_from_gradients(grads_r, weight) + losses._r1_from_gradients(grads_f, weight)


_SCORES = {"none": _scores, "clip": _scores, "r1": _scores_r1, "r2": _scores_r2, "r1+r2": _scores_r1r2,
           "gp": _scores_gp}


def _augmented(x: jax.Array, aug: tuple | None) -> jax.Array:
    """x as D sees it: through ``augment.apply`` with aug = (key, p), or unchanged when aug is None."""
    return x if aug is None else augment.apply(x, *aug)


def _d_loss(D: nnx.Module, real: jax.Array, fake: jax.Array, y: tuple, gp_key, options: StepOptions, aug=None):
    """D's loss: the adversarial loss of its scores, plus its penalty. Aux: the scores, the two terms apart."""
    if aug is not None:                        # real and fake each through their own draw of the augmentations
        k_real, k_fake = jax.random.split(aug[0])
        real, fake = _augmented(real, (k_real, aug[1])), _augmented(fake, (k_fake, aug[1]))
    m = getattr(D, "pack", 1)                  # PacGAN: D judges packs of m samples
    real, fake = models.pack_samples(real, m), models.pack_samples(fake, m)
    r, f, penalty = _SCORES[options.applied_penalty](D, real, fake, y, options.applied_weight, gp_key)
    if options.discriminator_loss == "bce":
        adversarial = losses.discriminator_loss(r, f, label_smoothing=options.label_smoothing)
    else:
        adversarial = losses.DISCRIMINATOR_LOSSES[options.discriminator_loss](r, f)
    return (adversarial if penalty is None else adversarial + penalty), (r, f, adversarial, penalty)


def discriminator_update(D: nnx.Module, d_opt, real: jax.Array, fake: jax.Array, options: StepOptions, *,
                         y: tuple = (), gp_key: jax.Array | None = None, aug: tuple | None = None) -> dict:
    """One update of D on a real batch (B, ...) and a generated one, G held fixed. Returns its metrics: ``d_loss``
    (the adversarial part, comparable across runs), ``d_real`` and ``d_fake`` (the mean sigmoid of D's scores before
    the update), with a penalty added to the loss the penalty term (``options.penalty_metric``), and with
    ``options.augment == "ada"`` ``d_real_sign``, the mean sign of D's real scores (ADA's r_t of this batch).

    ``d_opt`` is anything with ``update(model, grads)`` (an ``nnx.Optimizer``); ``y`` the labels of a conditional D,
    as ``(labels,)``; ``gp_key`` the key of WGAN-GP's interpolation; ``aug`` = (key, p): D sees both batches through
    ``augment.apply`` (None: as they are).
    """
    (_, (r, f, adversarial, penalty)), grads = nnx.value_and_grad(_d_loss, has_aux=True)(
        D, real, jax.lax.stop_gradient(fake), y, gp_key, options, aug)
    d_opt.update(D, grads)
    if options.applied_penalty == "clip":   # WGAN's weight clipping, after every update of D
        nnx.update(D, losses.clip_weights(nnx.state(D, nnx.Param), options.applied_weight))
    metrics = {"d_loss": adversarial, "d_real": jnp.mean(jax.nn.sigmoid(r)), "d_fake": jnp.mean(jax.nn.sigmoid(f))}
    if penalty is not None:
        metrics[options.penalty_metric] = penalty
    if options.augment == "ada":
        metrics["d_real_sign"] = jnp.mean(jnp.sign(r))
    return metrics


def generator_forward(G: nnx.Module, z: jax.Array, y: tuple = ()) -> tuple[jax.Array, Callable]:
    """G's forward pass, ``fake = G(z, *y)``, keeping its VJP so that G's update needs no second pass.

    Returns ``(fake, vjp)``; ``vjp(d_fake)`` gives G's parameter gradients. G's BatchNorm statistics move forward
    here, as in any training-mode call.
    """
    g_def, params, rest = nnx.split(G, nnx.Param, ...)

    def forward(params, rest):   # rest (BatchNorm statistics) is an argument: NNX forbids closing over it
        g = nnx.merge(g_def, params, rest)
        return g(z, *y), nnx.state(g, nnx.Not(nnx.Param))

    fake, vjp, rest_new = jax.vjp(forward, params, rest, has_aux=True)
    nnx.update(G, rest_new)
    return fake, vjp


def generator_update(G: nnx.Module, g_opt, D: nnx.Module, fake: jax.Array, vjp: Callable, options: StepOptions, *,
                     y: tuple = (), target: jax.Array | None = None, real: jax.Array | None = None,
                     aug: tuple | None = None) -> dict:
    """One update of G: its loss on D's scores of ``fake``, pushed back through the VJP of ``generator_forward``.

    With ``options.l1_weight`` (pix2pix) the loss adds ``l1_weight * mean|fake - target|``. A paired loss
    (``options.PAIRED_LOSSES``: the relativistic one) also reads D's scores on ``real``, the real batch, sample i
    paired with fake i. With ``aug`` = (key, p), D judges the fakes (and the paired reals) through
    ``augment.apply``, and G's gradient passes back through it. Returns ``g_loss`` (the adversarial part), ``l1``
    (with the L1 term) and ``g_grad_norm``.
    """
    if options.l1_weight and target is None:
        raise ValueError("l1_weight > 0 compares G's output with its target: pass target= (the real batch).")
    paired = options.generator_loss in losses.PAIRED_LOSSES
    if paired and real is None:
        raise ValueError(f"the {options.generator_loss} generator loss pairs each fake with a real sample: pass "
                         f"real= (a real batch as large as the fakes).")
    m = getattr(D, "pack", 1)
    g_loss_fn = losses.GENERATOR_LOSSES[options.generator_loss]
    # D's scores on the real batch are data for G (the loss is minimised over G only): computed once, outside
    k_fake, k_real = jax.random.split(aug[0]) if aug is not None else (None, None)
    real_scores = (jax.lax.stop_gradient(D(models.pack_samples(_augmented(real, aug and (k_real, aug[1])), m), *y))
                   if paired else None)

    def loss(fake, D):
        scores = D(models.pack_samples(_augmented(fake, aug and (k_fake, aug[1])), m), *y)
        adversarial = g_loss_fn(scores, real_scores) if paired else g_loss_fn(scores)
        if not options.l1_weight:
            return adversarial, {"g_loss": adversarial}
        l1 = jnp.mean(jnp.abs(fake - target))
        return adversarial + options.l1_weight * l1, {"g_loss": adversarial, "l1": l1}

    (_, metrics), d_fake = nnx.value_and_grad(loss, has_aux=True)(fake, D)
    grads, _ = vjp(d_fake)
    g_opt.update(G, grads)
    return {**metrics, "g_grad_norm": optax.global_norm(grads)}


def update_ema(g_ema: nnx.Module, G: nnx.Module, decay: float) -> None:
    """``ema = decay * ema + (1 - decay) * param`` for every ``nnx.Param``; BatchNorm statistics copied from G.

    The copied running statistics belong to the live weights, not the averaged ones; they cost nothing and keep
    ``g_ema`` usable as it is, but ``GAN.sampler()`` re-estimates them for the averaged weights before sampling,
    which measured better (benchmarks/RESULTS.md).
    """
    if not isinstance(decay, jax.core.Tracer):
        decay = checks.number("decay", decay, low=0, high=1, high_open=True, fix="0.999 is common")
    avg = jax.tree_util.tree_map(lambda e, p: decay * e + (1.0 - decay) * p,
                                 nnx.state(g_ema, nnx.Param), nnx.state(G, nnx.Param))
    nnx.update(g_ema, avg, nnx.state(G, nnx.Not(nnx.Param)))


def _per_update(G: nnx.Module, D: nnx.Module, real, k: int) -> tuple[jax.Array, list[tuple], int]:
    """The k real batches (k, B, ...) of a step, the labels of each update (``(labels,)``, or ``()`` for an
    unconditional G) and the batch size B."""
    ys = [()] * k
    if models.takes_labels(G):   # real = (images, labels): the fakes are asked for the same labels
        real, labels = real
        if getattr(D, "pack", 1) > 1:
            raise ValueError("PacGAN's packing mixes the samples of a pack, which a class-conditional D cannot "
                             "judge against one label; use pack=1.")
        ys = [(y,) for y in (labels if k > 1 else labels[None])]
    reals = real if k > 1 else real[None]
    m, n = getattr(D, "pack", 1), reals.shape[1]
    if n % m:
        raise ValueError(f"the discriminator judges packs of {m} samples (pack={m}), but the batch has {n}; "
                         f"use a batch size that is a multiple of {m}.")
    return reals, ys, n


def _keys(key: jax.Array, options: StepOptions) -> tuple[jax.Array, list]:
    """The keys of a step's k D updates (z of each), and of WGAN-GP's interpolations (None without "gp")."""
    k = options.k_disc
    gp = jax.random.split(jax.random.fold_in(key, 1), k) if options.applied_penalty == "gp" else [None] * k
    return jax.random.split(key, k), gp


def _augmentations(key: jax.Array, options: StepOptions, ada: augment.AdaState | None, lone: bool = False) -> list:
    """What each update of a step shows D: (key, p) for each of the k D updates and then G's, or Nones without
    augmentation. p is ``options.augment_p`` for DiffAugment, ADA's current p (``ada.p``) for "ada". ``lone``: for
    the playground's lone D or G step, which carries no ADA state."""
    if options.augment == "none":
        return [None] * (options.k_disc + 1)
    if options.augment == "ada":
        if lone:
            raise ValueError("augment='ada' adapts p over whole training steps, which only train_step (and "
                             "make_train_step, fit) carries; the lone D and G steps take augment='diffaugment'.")
        if ada is None:
            raise ValueError("augment='ada' keeps its probability p in the GAN's state: build the GAN with "
                             "GAN(..., ada=True) (GANConfig(augment='ada') does) and pass it on (ada=gan.ada).")
        p = ada.p[...]
    else:
        p = options.augment_p
    return [(k, p) for k in jax.random.split(jax.random.fold_in(key, 2), options.k_disc + 1)]


def _ada_after_d(ada: augment.AdaState | None, metrics: dict, n: int, options: StepOptions) -> None:
    """ADA's controller, after the step's last D update (``augment.ada_update``); adds ``augment_p``, the p that
    the next step uses, to the metrics of any augmented step."""
    if options.augment == "ada":
        augment.ada_update(ada, metrics["d_real_sign"], n, target=options.ada_target, kimg=options.ada_kimg)
        metrics["augment_p"] = ada.p[...]
    elif options.augment != "none":
        metrics["augment_p"] = jnp.asarray(options.augment_p, jnp.float32)


def train_step(G: nnx.Module, D: nnx.Module, g_opt, d_opt, real, key: jax.Array,
               options: StepOptions = StepOptions(), *, g_ema: nnx.Module | None = None, ema_decay: float = 0.0,
               noise: Callable | None = None, ada: augment.AdaState | None = None) -> dict:
    """One training step, in place: ``options.k_disc`` updates of D, then one update of G through the updated D.

    Notebook 05's ``train_step_by_hand`` with its options, and one saving: the last D update and G's update share one
    forward pass of G (``generator_forward`` keeps its VJP).

    Args:
      G, D: the generator and the discriminator; ``g_opt``, ``d_opt``: their optimizers (``update(model, grads)``).
      real: a batch (B, ...), or k batches (k, B, ...) when ``options.k_disc = k > 1``; for a generator that takes
        labels, the pair ``(images, labels)`` and the fakes are asked for the same labels.
      key: this step's key (``step_key``).
      g_ema, ema_decay: a moving average of G's weights, updated after G (``update_ema``); None for none.
      noise: ``noise(key, n) -> z``; default a standard normal (the playground draws other noise).
      ada: ADA's state (``GAN.ada``), needed with ``options.augment == "ada"``; updated after the last D update.
    Returns:
      the metrics of the last D update and of G's (``discriminator_update``, ``generator_update``), and with
      augmentation ``augment_p``.
    """
    noise = noise or _normal_noise(G)
    reals, ys, n = _per_update(G, D, real, options.k_disc)
    keys, gp_keys = _keys(key, options)
    augs = _augmentations(key, options, ada)
    for i in range(options.k_disc - 1):   # the extra D updates, each on fresh fakes (k is small: unrolled)
        fake = G(noise(keys[i], n), *ys[i])
        discriminator_update(D, d_opt, reals[i], fake, options, y=ys[i], gp_key=gp_keys[i], aug=augs[i])
    fake, vjp = generator_forward(G, noise(keys[-1], n), ys[-1])   # shared by the last D update and G's
    metrics = discriminator_update(D, d_opt, reals[-1], fake, options, y=ys[-1], gp_key=gp_keys[-1],
                                   aug=augs[-2])
    metrics |= generator_update(G, g_opt, D, fake, vjp, options, y=ys[-1], target=reals[-1], real=reals[-1],
                                aug=augs[-1])
    _ada_after_d(ada, metrics, n, options)
    if g_ema is not None:
        update_ema(g_ema, G, ema_decay)
    return metrics


def discriminator_step(G: nnx.Module, D: nnx.Module, d_opt, real, key: jax.Array,
                       options: StepOptions = StepOptions(), *, noise: Callable | None = None) -> dict:
    """The D half of ``train_step`` alone (the playground's "D step" button): k updates of D, G held fixed (its
    BatchNorm statistics still move, as in the full step). The same keys as ``train_step``. Returns the metrics of
    the last update."""
    noise = noise or _normal_noise(G)
    reals, ys, n = _per_update(G, D, real, options.k_disc)
    keys, gp_keys = _keys(key, options)
    augs = _augmentations(key, options, None, lone=True)
    for i in range(options.k_disc):
        metrics = discriminator_update(D, d_opt, reals[i], G(noise(keys[i], n), *ys[i]), options, y=ys[i],
                                       gp_key=gp_keys[i], aug=augs[i])
    return metrics


def generator_step(G: nnx.Module, D: nnx.Module, g_opt, n: int, key: jax.Array,
                   options: StepOptions = StepOptions(), *, g_ema: nnx.Module | None = None, ema_decay: float = 0.0,
                   noise: Callable | None = None, real: jax.Array | None = None) -> dict:
    """The G half of ``train_step`` alone (the playground's "G step" button): one update of G on ``n`` fresh fakes,
    against D as it is; a paired loss (the relativistic one) pairs them with ``real``, a real batch (n, ...).
    Returns ``generator_update``'s metrics."""
    noise = noise or _normal_noise(G)
    fake, vjp = generator_forward(G, noise(jax.random.split(key, 1)[0], n))   # split as train_step's k = 1 splits
    metrics = generator_update(G, g_opt, D, fake, vjp, options, real=real,
                               aug=_augmentations(key, options, None, lone=True)[-1])
    if g_ema is not None:
        update_ema(g_ema, G, ema_decay)
    return metrics


def _as_options(options, fields: dict) -> StepOptions:
    """The step's options: the record given (default ``StepOptions()``), with the fields named by keyword over it."""
    if options is None:
        return StepOptions(**fields)
    if isinstance(options, StepOptions):
        return options.replace(**fields) if fields else options
    raise TypeError(f"options must be a StepOptions (e.g. GANConfig(...).step_options()), got "
                    f"{type(options).__name__}.")


def _gan_step(gan: GAN, real, key: jax.Array, options: StepOptions) -> dict:
    return train_step(gan.generator, gan.discriminator, gan.g_opt, gan.d_opt, real, key, options, g_ema=gan.g_ema,
                      ema_decay=gan.ema_decay, ada=gan.ada)


def make_train_step(gan: GAN, options: StepOptions | None = None, *, data_parallel: bool | None = None,
                    **option_fields) -> tuple[nnx.GraphDef, nnx.State, Callable]:
    """Compiles ``train_step`` on ``gan`` as a pure function of its state.

    Args:
      gan: the GAN whose structure fixes the compiled step (its values are not captured).
      options: the step's options (``StepOptions``, documented there; ``GANConfig.step_options()`` gives a recipe's);
        default all off. ``option_fields`` set some by name, over ``options``: ``make_train_step(gan, k_disc=5)``.
      data_parallel: split each batch across all local devices, parameters replicated (see
        ``data_parallel_shardings``); the default ``None`` does so whenever there is more than one device
        (a Colab TPU's 8 cores, several GPUs), so the same code runs everywhere. The batch size must then be
        a multiple of the device count.

    Returns:
      ``(graphdef, state, step)`` where ``step(state, real, key) -> (state, metrics)`` is jitted;
      ``real`` is a batch (B, ...) for k_disc=1, or (k_disc, B, ...) batches otherwise (for a class-conditional
      GAN, the pair (images, labels (B,) or (k_disc, B))); metrics is a dict of
      float32 scalars: d_loss (the adversarial loss, without the penalty), g_loss, d_real (mean D(x)),
      d_fake (mean D(G(z))), g_grad_norm, ``penalty`` for r1, r2, r1+r2 and gp (``r1_penalty`` when given as r1 > 0),
      and
      ``l1`` (the mean absolute error to the target, before the update) with l1_weight > 0; g_loss is then the
      adversarial part alone.
      d_real and d_fake are the mean sigmoid of D's output whatever the loss: D's probability for the
      cross-entropy, a squashed score for the hinge, least-squares and Wasserstein losses (0.5 = a score of 0).
      With packing they are means over packs. When the GAN has ``g_ema``, the step updates it after the
      generator.
      Put the state back into the module with ``nnx.update(gan, state)``.
    """
    options = _as_options(options, option_fields)
    graphdef, state = nnx.split(gan)

    def step(state, real, key):
        gan = nnx.merge(graphdef, state)
        metrics = _gan_step(gan, real, key, options)
        return nnx.state(gan), metrics

    return graphdef, state, devices.jit_step(step, batch_axis=0 if options.k_disc == 1 else 1,
                                             data_parallel=data_parallel)


def make_fused_train_step(gan: GAN, options: StepOptions | None = None, *, data_parallel: bool | None = None,
                          unroll: int | bool | None = None,
                          **option_fields) -> tuple[nnx.GraphDef, nnx.State, Callable]:
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
    options = _as_options(options, option_fields)
    graphdef, state = nnx.split(gan)
    if unroll is None:
        unroll = devices.scan_unroll(gan)

    def fused(state, reals, key, start_step):
        def body(state, xs):
            real, i = xs
            gan = nnx.merge(graphdef, state)
            metrics = _gan_step(gan, real, step_key(key, start_step + i), options)
            return nnx.state(gan), metrics
        n = jax.tree_util.tree_leaves(reals)[0].shape[0]   # reals: an array, or (images, labels)
        return jax.lax.scan(body, state, (reals, jnp.arange(n)), unroll=unroll)

    return graphdef, state, devices.jit_step(fused, batch_axis=1 if options.k_disc == 1 else 2,
                                             data_parallel=data_parallel)
