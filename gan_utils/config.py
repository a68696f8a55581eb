"""A GAN's recipe as one typed record, and the one factory that builds a GAN from it.

``GANConfig`` is what the command line trains, what a checkpoint's meta.json stores (``config``), and what the
shipped pretrained weights carry; ``build_gan`` turns any of them back into networks and optimizers.
"""
from __future__ import annotations

import contextvars
import dataclasses
import math
import numbers
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .options import AUGMENTS, PENALTIES, StepOptions

if TYPE_CHECKING:   # the record itself needs no JAX: `python -m gan_utils --help` reads its defaults instantly
    from .steps import GAN

__all__ = ["DATASETS", "MODELS", "LOSSES", "PENALTIES", "BEFORE_OPTIONS", "TOY_RECIPE", "MAX_SIZES", "GANConfig",
           "build_gan", "check_field_types", "command_line_defaults", "DEFAULT_CLUSTERS", "GLYPH_RECIPE"]

DATASETS = ("mnist", "ring", "grid", "glyphs")   # glyphs: printed -> brush pairs of Chinese characters (notebook 11)
# `train --dataset mnist` self-conditions on this many clusters unless told otherwise (--self-condition 0: the plain
# DCGAN of notebooks 03-05): it won per CPU-minute against 10 and 20 clusters and the plain DCGAN (benchmarks/
# RESULTS.md, "Labels without labels")
DEFAULT_CLUSTERS = 40
MODELS = ("dcgan", "mlp", "pix2pix", "stylegan")
IMAGE_MODELS = ("dcgan", "stylegan")   # the MNIST generators; both are judged by the DCGAN discriminator
# GANConfig.loss -> (discriminator loss, generator loss), names of losses.DISCRIMINATOR_LOSSES / GENERATOR_LOSSES
LOSSES = {"non_saturating": ("bce", "non_saturating"), "saturating": ("bce", "saturating"),
          "hinge": ("hinge", "hinge"), "lsgan": ("lsgan", "lsgan"), "wgan": ("wasserstein", "wasserstein"),
          "relativistic": ("relativistic", "relativistic")}
# The options added by the quality search and the stabilisers, at the values every run used before they existed:
# a config stored without them (an older checkpoint or meta.json) means these, whatever today's defaults are.
# (hidden is older, but its default was (256, 256) until the toy command line was sped up.)
BEFORE_OPTIONS = dict(hidden=(256, 256), loss="non_saturating", d_lr=None, b2=0.999, r1=0.0, ema=0.0, g_base=128,
                      d_base=64, g_extra=0,
                      penalty="none", penalty_weight=None, spectral_norm=False, minibatch_std=False, pack=1,
                      conditional=False, self_condition=0, lr_decay=0, lr_anneal=0, subset=0, augment="none",
                      augment_p=1.0, ada_target=0.6, ada_kimg=StepOptions.ada_kimg)
# The toy mixtures' recipe: notebook 07's, which met issue #26's grid target (>= 24 of 25 modes, >= 90% high-quality
# samples) with the hinge loss and 20,000 steps of which the second half annealed (benchmarks/RESULTS.md). A field
# left None takes these for ring and grid.
# the MLP widths the course has defaulted to (images and glyphs, before and after the toy sweep, the toy recipe): a
# config of a model with no MLP records one of them; any other value is a learner's --hidden it would ignore
_MLP_DEFAULTS = ((128, 128), (256, 256), (128, 128, 128))
TOY_RECIPE = dict(batch_size=256, lr=3e-3, d_lr=1e-3, hidden=(128, 128, 128))
# The fields whose None means "the dataset's value" (GANConfig.__post_init__ resolves them)
_DATASET_DEFAULTS = ("model", "batch_size", "lr", "d_lr", "latent_dim", "hidden", "l1_weight")
_DCGAN_SIZES = ("g_base", "d_base", "g_extra")   # the fields that size a DCGAN; an MLP must leave them alone
# (a style-based generator takes g_base as its channels at 7x7 and d_base for its DCGAN discriminator, not g_extra)
_PIX2PIX_SIZES = ("glyph_size", "unet_base", "patch_base", "patch_layers")   # the translator's; only for glyphs
# The glyph translator's recipe (notebook 11): pix2pix's Adam (2e-4, beta1 0.5) and lambda = 100 (Isola et al. 2017),
# batches of 32 pairs (notebook 11's objectives table: benchmarks/translation_table.py). A field left None takes these.
GLYPH_RECIPE = dict(batch_size=32, lr=2e-4, l1_weight=100.0)
# The largest sizes a config may ask for: far above any model of the course, far below what exhausts a machine. A
# meta.json is read through GANConfig, so a corrupt (or hostile) file cannot ask for a layer of terabytes.
# self_condition: k-means' first clustering of the 60,000 digits grows with k (minutes above 100 clusters on 2 cores:
# benchmarks/RESULTS.md); the course uses 10 to 40, the self-conditioned GAN paper 100 (Liu et al. 2020), so 100 is
# the limit.
MAX_SIZES = dict(batch_size=65_536, latent_dim=4_096, k_disc=100, self_condition=100, toy_points=10_000_000,
                 g_base=1_024, d_base=1_024,
                 g_extra=16, pack=64, hidden=8_192, hidden_layers=16, unet_base=512, patch_base=512, patch_layers=5)


def check_field_types(record) -> None:
    """Checks each field of a dataclass against its annotation, in place (configs from a notebook, the command line
    and a JSON file are checked alike).

    ``int`` fields take integers (not bools, not 2.5), ``float`` fields finite real numbers (stored as floats),
    ``bool`` fields True or False, ``str`` fields strings; ``X | None`` fields also None.

    Raises:
      TypeError: a value of the wrong type (e.g. ``batch_size="64"``, ``spectral_norm="no"``).
      ValueError: a float that is NaN or infinite.
    """
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        kinds = set(str(f.type).replace(" ", "").split("|"))   # the annotation as written, e.g. {"float", "None"}
        if value is None and "None" in kinds:
            continue
        if "bool" in kinds:
            ok, want = isinstance(value, bool), "True or False"
        elif "int" in kinds:
            ok, want = isinstance(value, numbers.Integral) and not isinstance(value, bool), "an integer"
            value = int(value) if ok else value
        elif "float" in kinds:
            ok, want = isinstance(value, numbers.Real) and not isinstance(value, bool), "a number"
            if ok and not math.isfinite(value):
                raise ValueError(f"{f.name} must be a finite number, got {value}.")
            value = float(value) if ok else value
        elif "str" in kinds:
            ok, want = isinstance(value, str), "a string"
        else:
            continue
        if not ok:
            quoted = isinstance(value, str) and "bool" not in kinds   # "64" from a text box or a JSON string
            raise TypeError(f"{f.name} must be {want}{' or None' if 'None' in kinds else ''}, got {value!r} "
                            f"({type(value).__name__}); " + (f"write it without quotes, {f.name}={value}." if quoted
                                                             else f"e.g. {f.name}={f.default!r}." if f.default
                                                             is not None else "None takes the default."))
        object.__setattr__(record, f.name, value)


def _check_sizes(config: "GANConfig") -> None:
    """Refuses sizes above ``MAX_SIZES`` and MLP widths that are not a non-empty tuple of positive integers."""
    h = config.hidden
    if isinstance(h, (str, bytes)) or not isinstance(h, (tuple, list)) or not all(
            isinstance(w, numbers.Integral) and not isinstance(w, bool) for w in h):
        raise TypeError(f"hidden must be a tuple of layer widths, e.g. (256, 256), got {h!r}.")
    if not h or min(h) < 1:
        raise ValueError(f"hidden must hold at least one positive layer width, e.g. (256, 256), got {tuple(h)}.")
    if len(h) > MAX_SIZES["hidden_layers"]:
        raise ValueError(f"hidden has {len(h)} layers, more than the limit of {MAX_SIZES['hidden_layers']}.")
    object.__setattr__(config, "hidden", tuple(int(w) for w in h))
    sizes = {name: getattr(config, name) for name in MAX_SIZES if hasattr(config, name) and name != "hidden"}
    sizes["hidden"] = max(config.hidden)
    for name, value in sizes.items():
        if value is not None and value > MAX_SIZES[name]:
            what = "a hidden width of" if name == "hidden" else f"{name} ="
            if name == "self_condition":
                raise ValueError(f"self_condition = {value:,} clusters is above the limit of {MAX_SIZES[name]} (the "
                                 "first clustering alone would take minutes, and the course uses 10 to 40); choose "
                                 "at most 100 (--self-condition 40 is the default).")
            raise ValueError(f"{what} {value:,} is above the limit of {MAX_SIZES[name]:,} (a model or batch that "
                             "size would not fit in memory); choose a smaller value.")


def _opt(default, help: str, **cli):
    """A GANConfig field: its default and its ``--help`` text, plus what else its command-line flag needs
    (``choices``, ``metavar``; ``command_line_default`` where the command line derives its own, see
    ``command_line_defaults``). ``__main__.make_parser`` makes the ``train`` flags from these."""
    return dataclasses.field(default=default, metadata={"help": help, **cli})


# Set while GANConfig.from_dict reads a stored config: what was refused only after a run could record it (loss 'wgan'
# without a Lipschitz constraint) is then a warning, so that the run still loads.
_READING_STORED = contextvars.ContextVar("reading_stored_config", default=False)


def _model_for(model: str | None, dataset: str) -> str:
    """The model a config means: the one it names, else dcgan for mnist, pix2pix for glyphs and mlp for the toy
    mixtures."""
    return model or {"mnist": "dcgan", "glyphs": "pix2pix"}.get(dataset, "mlp")


@dataclass(frozen=True)
class GANConfig:
    """Everything needed to rebuild (and retrain) a GAN: one field per option, each with its ``--help`` text (the
    command line's ``train`` flags are made from these fields) and, in a comment, the reason for its default.

    ``model``, ``latent_dim``, ``batch_size``, ``lr``, ``d_lr``, ``hidden`` and ``l1_weight`` default from the
    dataset (None: the dataset's value, resolved in ``__post_init__``): ``dcgan`` with 64-dimensional z, batches of 64
    and Adam at 1e-3 for both networks for MNIST; for the 2-D toy mixtures ``mlp`` with 2-dimensional z (easy to draw)
    and notebook 07's recipe, ``TOY_RECIPE``; for glyphs pix2pix's, ``GLYPH_RECIPE``. The command line derives two
    more defaults of its own (``command_line_defaults``).
    """
    dataset: str = _opt("mnist", "mnist digits, a 2-D toy mixture (ring of 8 / grid of 25 Gaussians), or glyphs: "
                                 "printed -> brush pairs of 3,755 Chinese characters, translated by pix2pix (notebook "
                                 "11)", choices=DATASETS)
    model: str | None = _opt(None, "dcgan (images), mlp, pix2pix (glyphs), or stylegan (a style-based generator "
                                   "for mnist, notebook 14, with the DCGAN discriminator); default: dcgan for mnist, "
                                   "pix2pix for glyphs, mlp for toy data", choices=MODELS)
    batch_size: int | None = _opt(None, "examples per step; default 64 for mnist, 256 for toy data, "
                                        f"{GLYPH_RECIPE['batch_size']} for glyphs")
    # mnist: small batches give more updates per minute on a CPU, and DCGAN trains well at 64; toy data: GAN Lab's and
    # PacGAN's size (the mode metrics need many samples anyway)
    lr: float | None = _opt(None, "Adam learning rate of both networks (of G when --d-lr is set); default 1e-3 for "
                                  "mnist; for toy data notebook 07's 3e-3 for G and 1e-3 for D; pix2pix's 2e-4 for "
                                  "glyphs")
    # mnist: the quality search's best per CPU-minute (benchmarks/RESULTS.md, "quality search")
    b1: float = _opt(0.5, "Adam's beta1 (both networks)")
    # the DCGAN paper's: 0.5 damps the oscillation of the two-player game
    latent_dim: int | None = _opt(None, "size of z; default 64 for mnist, 2 for toy data (easy to draw), none for "
                                        "glyphs")
    k_disc: int = _opt(StepOptions.k_disc, "discriminator updates per generator update")
    # Goodfellow et al. (2014) use k = 1
    seed: int = _opt(0, "the run's seed (models, data order, noise)")
    toy_points: int = _opt(100_000, "toy data: the size of the fixed training set drawn from the mixture")
    label_smoothing: float = _opt(StepOptions.label_smoothing,
                                  "one-sided label smoothing of the real targets (0 = off)")
    dropout: float = _opt(0.0, "dropout in the DCGAN discriminator (0 = off)")
    hidden: tuple[int, ...] | None = _opt(None, "MLP hidden widths of G and D, e.g. --hidden 128 128; default three "
                                                "layers of 128 for toy data, two for an MLP on mnist",
                                          metavar="WIDTH")
    # toy data: with two layers most grid samples fell off its modes (notebook 07); 256 wide took more than twice as
    # long per step on a 2-core CPU (benchmarks/RESULTS.md)
    # Options of the quality search (benchmarks/quality.py); BEFORE_OPTIONS has the values runs had before it.
    loss: str = _opt("non_saturating", "non_saturating: cross-entropy for D, -log D(G(z)) for G; saturating: log(1 - "
                                       "D(G(z))) for G; hinge: hinge loss for D, -D_logit(G(z)) for G (Miyato et al. "
                                       "2018); lsgan: least squares (Mao et al. 2017); wgan: Wasserstein critic "
                                       "(Arjovsky et al. 2017), with --penalty gp or clip, or --spectral-norm; "
                                       "relativistic: each real paired with a fake, softplus of their logit "
                                       "difference for D and G (R3GAN: Huang et al. 2024; with --penalty r1+r2)",
                     choices=tuple(LOSSES))
    d_lr: float | None = _opt(None, "discriminator's Adam learning rate (two time-scales, TTUR); default: same as "
                                    "--lr (toy data without --lr: 1e-3)")
    # toy data: notebook 07's recipe, G three times faster than D
    b2: float = _opt(0.999, "Adam's beta2 (both networks)")
    # Adam's (and the DCGAN paper's) default; 0.99 or 0.9 react faster
    r1: float = _opt(StepOptions.r1, "gamma of the R1 gradient penalty on real data (Mescheder et al. 2018); 0 = "
                                     "off (the older spelling of --penalty r1 --penalty-weight R1)")
    ema: float = _opt(0.0, "decay of a moving average of the generator's weights, which is sampled (e.g. 0.999); 0 = "
                           "off")
    g_base: int = _opt(64, "DCGAN generator channels at 7x7 (halved at 14x14)")
    # half notebook 03's 128: per CPU-minute the narrower pair wins, taking 2.4x the steps (the quality search)
    d_base: int = _opt(32, "DCGAN discriminator channels of the first conv (doubled in the second)")
    # half notebook 04's 64, for the same reason
    g_extra: int = _opt(0, "extra 3x3 conv + BatchNorm + ReLU stages at 28x28 in the DCGAN generator")
    # The stabilisers of D (issue #13); each is off by default, which builds and trains exactly the GAN without it.
    penalty: str = _opt(StepOptions.penalty, "D's stabiliser: r1 / r2, the gradient penalty at real / generated data "
                                             "(Mescheder et al. 2018); r1+r2, both with one gamma (R3GAN: Huang et "
                                             "al. 2024); gp, WGAN-GP's (Gulrajani et al. 2017); clip, "
                                             "WGAN's weight clipping (--loss wgan only; Arjovsky et al. 2017)",
                        choices=tuple(PENALTIES))
    penalty_weight: float | None = _opt(StepOptions.penalty_weight,
                                        "gamma (r1, r2, r1+r2), lambda (gp) or the clipping bound c (clip); "
                                        "default: " + ", ".join(f"{k} {w:g}" for k, w in PENALTIES.items() if w)
                                        + " (the papers' values; R3GAN tunes its gamma per dataset)")
    spectral_norm: bool = _opt(False, "spectral normalisation of every layer of D (Miyato et al. 2018)")
    minibatch_std: bool = _opt(False, "give D the minibatch standard deviation as one more feature (Karras et al. "
                                      "2018)")
    pack: int = _opt(1, "PacGAN: D judges packs of this many samples (Lin et al. 2018); must divide --batch-size")
    # Class-conditional generation (issue #15, notebook 08)
    conditional: bool = _opt(False, "a class-conditional DCGAN (G(z, y) and a projection discriminator, Miyato & "
                                    "Koyama 2018), trained on MNIST's labels; sample it with `sample --label 7`")
    lr_decay: int = _opt(0, "learning rates constant until step N/2, then linearly down to 0 at step N (train with "
                            "--steps N); 0 = constant", metavar="N")
    # quality fell after 10,000 steps at a constant rate (benchmarks/RESULTS.md)
    lr_anneal: int = _opt(0, "learning rates constant until step N/2, then a tenth of them; 0 = constant. The "
                             "command line's default: --steps for toy data (notebook 07's recipe) unless --lr-decay "
                             "is set", metavar="N", command_line_default=None)
    # notebook 07: smaller steps shrink the samples' jitter around the modes, and a long annealed half met the grid
    # target
    # Labels without labels (issue #25, notebook 09)
    self_condition: int = _opt(0, "a self-conditioned GAN (Liu et al. 2020; notebook 09): the conditional DCGAN "
                                  "trained on K clusters of the discriminator's features instead of labels, "
                                  "re-clustered every 1000 steps, sampled without labels; 0 = the plain DCGAN of "
                                  f"notebooks 03-05. The command line's default: {DEFAULT_CLUSTERS} for the "
                                  "unconditional MNIST DCGAN", metavar="K", command_line_default=None)
    # Image-to-image translation (issue #47, notebook 11)
    l1_weight: float | None = _opt(None, "glyphs: pix2pix's lambda, G's loss adds LAMBDA * mean|G(source) - target| "
                                         f"(0: the GAN alone); default {GLYPH_RECIPE['l1_weight']:g} for glyphs "
                                         "(Isola et al. 2017), 0 for the datasets without targets", metavar="LAMBDA")
    glyph_size: int = _opt(64, "glyphs: the side of the glyph images", choices=(16, 32, 64))
    unet_base: int = _opt(16, "glyphs: channels of the U-Net generator's first layer (doubling to 8x at its 4x4 "
                              "bottleneck)")
    # 16 at 64x64 trains 139 pairs/s on 2 cores, 32 only 48 (benchmarks/RESULTS.md)
    patch_base: int = _opt(16, "glyphs: channels of the PatchGAN discriminator's first layer")
    patch_layers: int = _opt(2, "glyphs: the PatchGAN's strided convolutions; 1, 2, 3 judge patches of 16, 34, 70 "
                                "pixels")
    # Little data (issue #72, notebook 14)
    subset: int = _opt(0, "mnist: train on N training digits only, the same N whatever the seed "
                          "(data.subset_indices); 0 = all 60,000", metavar="N")
    augment: str = _opt(StepOptions.augment, "what D sees: every image it judges, real and generated, augmented "
                                             "(brightness, contrast, translation, cutout) with probability "
                                             "--augment-p (diffaugment: Zhao et al. 2020) or with one that adapts "
                                             "to how sure D is of the training digits (ada: Karras et al. 2020); "
                                             "mnist's DCGAN only", choices=AUGMENTS)
    augment_p: float = _opt(StepOptions.augment_p, "diffaugment: the probability of each operation (Zhao et al.: 1)")
    ada_target: float = _opt(StepOptions.ada_target, "ada: the share E[sign D(real)] that p is steered to (Karras et "
                                                     "al.: 0.6)")
    ada_kimg: float = _opt(StepOptions.ada_kimg, "ada: thousands of real images over which p can go from 0 to 1 "
                                                 "(Karras et al.: 500, for runs 100 times longer than a CPU's)")

    def __post_init__(self):
        # the fields left None, which take the dataset's values below: replace() lets a new dataset choose them again
        object.__setattr__(self, "_from_dataset", frozenset(n for n in _DATASET_DEFAULTS if getattr(self, n) is None))
        toy = self.dataset in ("ring", "grid")
        glyphs = self.dataset == "glyphs"
        if self.d_lr is None and self.lr is None and toy:
            object.__setattr__(self, "d_lr", TOY_RECIPE["d_lr"])
        for name, mnist in (("batch_size", 64), ("hidden", (128, 128))):
            if getattr(self, name) is None:
                object.__setattr__(self, name, TOY_RECIPE[name] if toy else GLYPH_RECIPE.get(name, mnist) if glyphs
                                   else mnist)
        if self.l1_weight is None:
            object.__setattr__(self, "l1_weight", GLYPH_RECIPE["l1_weight"] if glyphs else 0.0)
        check_field_types(self)
        _check_sizes(self)
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown dataset {self.dataset!r}; choose one of {DATASETS}.")
        model = _model_for(self.model, self.dataset)
        if model not in MODELS:
            raise ValueError(f"unknown model {model!r}; choose one of {MODELS}.")
        if model in IMAGE_MODELS and self.dataset != "mnist":
            raise ValueError(f"model {model!r} needs dataset 'mnist' (images); use model "
                             f"{_model_for(None, self.dataset)!r} for {self.dataset}.")
        if (model == "pix2pix") != glyphs:
            raise ValueError(f"model 'pix2pix' translates the glyph pairs and dataset 'glyphs' needs it; got model "
                             f"{model!r} with dataset {self.dataset!r}: leave model out (None) for the dataset's own.")
        object.__setattr__(self, "model", model)
        if model != "mlp" and "hidden" not in self._from_dataset and tuple(self.hidden) not in _MLP_DEFAULTS \
                and not _READING_STORED.get():
            # hidden sets the toy MLPs' widths; recorded for a DCGAN or a translator, it would describe nothing
            raise ValueError(f"hidden={tuple(self.hidden)} sets the MLP widths of the toy GANs; model {model!r} has "
                             "no MLP: leave hidden out (drop --hidden)"
                             + (", and set unet_base and patch_base for the translator's widths." if glyphs else
                                ", and set g_base and d_base for the DCGAN's widths."))
        if glyphs:
            self._check_translator()
        if self.latent_dim is None:   # (not `or`: latent_dim=0 is an error below, not the default)
            object.__setattr__(self, "latent_dim", 64 if self.dataset == "mnist" else 0 if glyphs else 2)
        object.__setattr__(self, "lr", self.lr if self.lr is not None else (
            1e-3 if self.dataset == "mnist" else GLYPH_RECIPE["lr"] if glyphs else TOY_RECIPE["lr"]))
        for name in ("batch_size", "latent_dim", "k_disc", "toy_points"):
            if name == "latent_dim" and glyphs:
                continue              # the translator takes no noise (models.UNetGenerator): checked above
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)}.")
        if not 0 <= self.seed < 2**62:   # JAX seeds are 64-bit integers (and the CLI derives seed + 1)
            raise ValueError(f"seed must be an integer in 0 .. 2**62, got {self.seed}.")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}.")
        if not 0 <= self.b1 < 1:
            raise ValueError(f"b1 (Adam's beta1) must be in [0, 1), got {self.b1}.")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}.")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {tuple(LOSSES)}.")
        self.step_options()   # the training step's options are validated there (StepOptions), once
        if self.d_lr is not None and not self.d_lr > 0:
            raise ValueError(f"d_lr must be positive, or None for the same as lr; got {self.d_lr}.")
        if not 0 <= self.b2 < 1:
            raise ValueError(f"b2 (Adam's beta2) must be in [0, 1), got {self.b2}; 0.999 is Adam's default.")
        self._check_stabilisers()
        if self.conditional:
            if model != "dcgan":
                raise ValueError("conditional=True builds the class-conditional DCGAN, which needs dataset 'mnist' "
                                 f"and model 'dcgan' (got {self.dataset!r}, {model!r}).")
            if self.pack != 1 or self.g_extra:
                raise ValueError(f"the conditional DCGAN has no PacGAN packing (a pack mixes classes) and no extra "
                                 f"generator stages; set pack=1 and g_extra=0 (got {self.pack}, {self.g_extra}).")
        for name in ("lr_decay", "lr_anneal"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0 (0 = a constant learning rate), got {getattr(self, name)}; "
                                 "e.g. 20000 for a 20,000-step run that decays over its second half.")
        if self.lr_decay and self.lr_anneal:
            raise ValueError(f"lr_decay={self.lr_decay} (a linear decay to 0) and lr_anneal={self.lr_anneal} (a drop "
                             "to a tenth) are two schedules for the second half of a run: set one of them to 0.")
        if self.self_condition:
            if self.self_condition < 2 or model != "dcgan" or self.conditional or self.pack != 1 or self.g_extra:
                raise ValueError(f"self_condition={self.self_condition} asks for a self-conditioned DCGAN on that "
                                 "many clusters (at least 2; 0 = off): it needs dataset 'mnist', model 'dcgan', "
                                 "conditional=False (it makes its own labels), pack=1 and g_extra=0.")
        if self.l1_weight and not glyphs:
            raise ValueError(f"l1_weight={self.l1_weight} is pix2pix's L1 term, for a GAN that translates images; "
                             f"dataset {self.dataset!r} has no targets to compare with. Set l1_weight=0, or use "
                             "dataset 'glyphs'.")
        if not glyphs:
            changed = self._changed(_PIX2PIX_SIZES)
            if changed:
                raise ValueError(f"{', '.join(changed)} size the glyph translator; dataset {self.dataset!r} does not "
                                 "use them: leave them at their defaults, or use dataset 'glyphs'.")
        if (self.augment != "none" or self.subset) and model not in IMAGE_MODELS:
            raise ValueError(f"subset and augment are for the MNIST GANs (images D can judge shifted or cut out); "
                             f"dataset {self.dataset!r} with model {model!r} takes neither: set subset=0 and "
                             "augment='none', or use dataset 'mnist' with model 'dcgan' or 'stylegan'.")
        if model == "stylegan" and (self.g_extra or self.conditional or self.self_condition):
            raise ValueError("the style-based generator (model 'stylegan') has no extra stages and no labels or "
                             "clusters: leave g_extra, conditional and self_condition at 0 (--self-condition 0).")
        if isinstance(self.subset, bool) or not isinstance(self.subset, numbers.Integral) or not (
                0 <= self.subset <= 60_000):
            raise ValueError(f"subset must be a whole number of training digits from 0 (all of them) to 60000, got "
                             f"{self.subset!r}; e.g. 600 for 1% of MNIST.")
        if self.subset and self.subset < self.batch_size:
            raise ValueError(f"subset={self.subset} digits cannot fill a batch of {self.batch_size}: choose at least "
                             f"batch_size digits, or a smaller --batch-size.")
        if self.augment != "none" and self.pack != 1:
            raise ValueError("augment with PacGAN's packing is untested here: use pack=1 with augment.")
        if not 0 <= self.ema < 1:
            raise ValueError(f"ema (the decay of G's weight average) must be in [0, 1), got {self.ema}; 0 turns it "
                             "off, 0.999 is common.")
        if int(self.g_base) < 4 or int(self.d_base) < 1 or int(self.g_extra) < 0:
            raise ValueError(f"need g_base >= 4, d_base >= 1 and g_extra >= 0; got {self.g_base}, {self.d_base} "
                             f"and {self.g_extra}.")
        if model not in IMAGE_MODELS and self.dropout:
            raise ValueError(f"dropout={self.dropout} is the DCGAN discriminator's; the MLP discriminator has no "
                             "dropout, so it would be recorded but not used. Set dropout=0 (drop --dropout), or use "
                             "model 'dcgan' (mnist).")
        if model not in IMAGE_MODELS:
            changed = self._changed(_DCGAN_SIZES)
            if changed:
                raise ValueError(f"{', '.join(changed)} set the DCGAN's size; for model {model!r} set "
                                 + ("unet_base and patch_base (the translator's widths)" if glyphs else
                                    "hidden (the MLP widths)") + " instead.")

    def _changed(self, names) -> list[str]:
        """The fields among ``names`` set to something other than their default."""
        defaults = {f.name: f.default for f in dataclasses.fields(self)}
        return [n for n in names if getattr(self, n) != defaults[n]]

    def _check_translator(self) -> None:
        """The glyph translator's own fields: sizes the networks accept, no options it has no use for."""
        if self.glyph_size not in (16, 32, 64):
            raise ValueError(f"glyph_size must be 16, 32 or 64 (the sizes data.load_glyphs makes), got "
                             f"{self.glyph_size}.")
        if not 1 <= self.patch_layers <= 5 or self.glyph_size < 2 ** self.patch_layers * 2:
            raise ValueError(f"patch_layers={self.patch_layers} halves a {self.glyph_size}x{self.glyph_size} glyph "
                             f"below 2x2; choose 1 to {self.glyph_size.bit_length() - 2}.")
        if self.unet_base < 1 or self.patch_base < 1:
            raise ValueError(f"unet_base and patch_base must be positive channel counts, got {self.unet_base} and "
                             f"{self.patch_base}.")
        if self.latent_dim not in (None, 0):
            raise ValueError(f"the glyph translator takes no noise (Isola et al. 2017 found G ignores it): "
                             f"latent_dim must be 0 or None, got {self.latent_dim}.")
        unused = [name for name, off in (("conditional", False), ("self_condition", 0), ("pack", 1),
                                         ("minibatch_std", False), ("dropout", 0.0), ("toy_points", 100_000))
                  if getattr(self, name) != off]
        if unused:
            raise ValueError(f"{', '.join(unused)} {'belongs' if len(unused) == 1 else 'belong'} to the GANs of "
                             "notebooks 02-09; the glyph translator "
                             "(dataset 'glyphs') has no use for them: leave them at their defaults.")

    def _check_stabilisers(self) -> None:
        if self.loss == "wgan" and self.penalty not in ("gp", "clip") and not self.spectral_norm:
            # the Wasserstein critic's scores are only a distance when D is Lipschitz (Arjovsky et al. 2017);
            # unconstrained, they grow without bound and training does not converge
            message = (f"loss 'wgan' needs a Lipschitz constraint on D: penalty 'gp' (--penalty gp, WGAN-GP), "
                       f"penalty 'clip' (--penalty clip, WGAN's weight clipping) or spectral_norm=True "
                       f"(--spectral-norm); got penalty {self.penalty!r} without spectral normalisation.")
            if not _READING_STORED.get():
                raise ValueError(message)
            warnings.warn(f"the stored run trained with no Lipschitz constraint; it loads as it was trained, but a new "
                          f"run is refused: {message}", stacklevel=4)
        if self.penalty == "clip" and self.loss != "wgan":
            # Clipping is the Wasserstein critic's Lipschitz constraint (Arjovsky et al. 2017), which the other
            # losses do not require: a recipe keeps the two together. steps.make_train_step allows any pair, for
            # experiments.
            raise ValueError(f"penalty 'clip' is the Lipschitz constraint of the Wasserstein GAN; use it with loss "
                             f"'wgan' (got loss {self.loss!r}), or use penalty 'r1' with this loss.")
        if int(self.pack) != self.pack or self.pack < 1:
            raise ValueError(f"pack (samples per PacGAN pack) must be a positive integer, got {self.pack}; 1 is off.")
        object.__setattr__(self, "pack", int(self.pack))
        if self.batch_size % self.pack:
            raise ValueError(f"pack={self.pack} must divide batch_size={self.batch_size}: D judges packs of "
                             f"{self.pack} samples. Use a batch size that is a multiple of {self.pack}.")
        if self.minibatch_std and self.batch_size // self.pack < 2:
            raise ValueError(f"minibatch_std measures the spread of the batch D sees, which needs at least 2 "
                             f"examples (packs); got batch_size={self.batch_size} with pack={self.pack}.")

    @property
    def data_dim(self) -> int:
        """The dimension of one flattened sample: 784 for MNIST, glyph_size ** 2 for glyphs, 2 for the toy
        mixtures."""
        return 784 if self.dataset == "mnist" else self.glyph_size ** 2 if self.dataset == "glyphs" else 2

    def to_dict(self) -> dict:
        """A JSON-ready dict (what meta.json stores)."""
        d = dataclasses.asdict(self)
        d["hidden"] = list(self.hidden)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "GANConfig":
        """Reads a stored config. A key it lacks takes the value runs had before that option existed
        (``BEFORE_OPTIONS``: an older checkpoint was trained without it), else the default."""
        if isinstance(d, cls):
            return d
        if not isinstance(d, dict):
            raise TypeError(f"a config is a GANConfig or the dict a checkpoint stores, got {type(d).__name__} {d!r}; "
                            + (f"e.g. GANConfig(dataset={d!r})." if isinstance(d, str) and d in DATASETS else
                               "e.g. GANConfig(dataset='ring')."))
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown config keys {unknown}; a GANConfig has {sorted(known)}.")
        before = dict(BEFORE_OPTIONS)
        if _model_for(d.get("model"), d.get("dataset", "mnist")) != "dcgan":
            for name in _DCGAN_SIZES:                    # an MLP keeps the defaults (it has no DCGAN sizes)
                before.pop(name)
        d = {**before, **d}
        if _model_for(d.get("model"), d.get("dataset", "mnist")) != "dcgan" and d.get("dropout"):
            warnings.warn(f"this stored config records dropout={d['dropout']} for an MLP, which has no dropout: the "
                          "run trained without it; read as dropout=0.", stacklevel=2)
            d["dropout"] = 0.0
        token = _READING_STORED.set(True)
        try:
            return cls(**d)
        finally:
            _READING_STORED.reset(token)

    def step_options(self) -> StepOptions:
        """The options of the training step this config asks for (``train.fit``, ``steps.make_train_step``): its
        loss as a pair of losses, k_disc, label smoothing, the penalty, pix2pix's L1 weight and the augmentation of
        what D sees. (spectral_norm,
        minibatch_std and pack are the discriminator's; ``build_gan`` sets them.)"""
        d_loss, g_loss = LOSSES[self.loss]
        return StepOptions(k_disc=self.k_disc, generator_loss=g_loss, discriminator_loss=d_loss,
                           label_smoothing=self.label_smoothing, r1=self.r1, penalty=self.penalty,
                           penalty_weight=self.penalty_weight, l1_weight=self.l1_weight, augment=self.augment,
                           augment_p=self.augment_p, ada_target=self.ada_target, ada_kimg=self.ada_kimg)

    def replace(self, **changes) -> "GANConfig":
        """A copy with some fields changed (validated again).

        The copy is the config built from the same arguments with ``changes``: a field that took its dataset's
        default (left None) is derived again. ``GANConfig(dataset="ring").replace(dataset="mnist")`` is the MNIST
        DCGAN with its own batch size, learning rates and latent size, not a copy of the toy recipe's; and
        ``GANConfig(dataset="ring").replace(lr=1e-2)`` trains D at 1e-2, as ``GANConfig(dataset="ring", lr=1e-2)``
        does (the toy recipe's d_lr of 1e-3 goes with its own lr only).
        """
        return dataclasses.replace(self, **{**{n: None for n in self._from_dataset}, **changes})


def command_line_defaults(fields: dict, steps: int | None) -> dict:
    """``fields`` with the two defaults the command line derives where a flag was left out (None), each off in
    ``GANConfig`` itself (so that notebooks build exactly the model they teach):

    - ``self_condition``: ``DEFAULT_CLUSTERS`` for the unconditional MNIST DCGAN (notebook 09's self-conditioned GAN,
      which won per CPU-minute), else 0;
    - ``lr_anneal``: a toy run of known length (``steps``) anneals its second half (notebook 07's recipe), else 0.
    """
    f = dict(fields)
    if f.get("self_condition") is None:
        plain_mnist = (f.get("dataset", "mnist") == "mnist" and f.get("model") in (None, "dcgan")
                       and not f.get("conditional") and not f.get("pack", 1) > 1 and not f.get("g_extra"))
        f["self_condition"] = DEFAULT_CLUSTERS if plain_mnist else 0
    if f.get("lr_anneal") is None:
        f["lr_anneal"] = steps if f.get("dataset") in ("ring", "grid") and steps and not f.get("lr_decay") else 0
    return f


def build_gan(config: GANConfig | dict) -> GAN:
    """Builds the freshly initialised GAN a config describes (seeded by ``config.seed``).

    Args:
      config: a ``GANConfig``, or the dict a checkpoint's meta.json stores.
    Returns:
      a ``steps.GAN`` (generator, discriminator, Adam optimizers, and ``g_ema`` when ``config.ema > 0``); restore
      saved weights into it with ``gan_utils.checkpoint``. Train it with ``train.fit(gan, ...,
      config=config)``.
    """
    # here, not at the top: the recipe imports no JAX, so `python -m gan_utils train --help` and a meta.json read fast
    from flax import nnx

    from . import models
    from .steps import GAN

    c = GANConfig.from_dict(config)
    rngs = nnx.Rngs(c.seed)
    stabilisers = dict(spectral_norm=c.spectral_norm, minibatch_std=c.minibatch_std, pack=c.pack)
    if c.conditional:
        g = models.ConditionalDCGANGenerator(latent_dim=c.latent_dim, num_classes=10, base=c.g_base, rngs=rngs)
        d = models.ProjectionDiscriminator(base=c.d_base, num_classes=10, dropout=c.dropout, rngs=rngs,
                                           spectral_norm=c.spectral_norm, minibatch_std=c.minibatch_std)
    elif c.self_condition:
        g = models.SelfConditionedGenerator(latent_dim=c.latent_dim, num_clusters=c.self_condition, base=c.g_base,
                                            rngs=rngs)
        d = models.ProjectionDiscriminator(base=c.d_base, num_classes=c.self_condition, dropout=c.dropout, rngs=rngs,
                                           spectral_norm=c.spectral_norm, minibatch_std=c.minibatch_std)
    elif c.model == "pix2pix":
        g = models.UNetGenerator(c.glyph_size, c.unet_base, rngs=rngs)
        d = models.PatchDiscriminator(c.glyph_size, c.patch_base, n_down=c.patch_layers, rngs=rngs,
                                      spectral_norm=c.spectral_norm)
    elif c.model == "stylegan":
        from .stylegan import StyleGenerator
        g = StyleGenerator(latent_dim=c.latent_dim, base=c.g_base, rngs=rngs)
        d = models.DCGANDiscriminator(base=c.d_base, dropout=c.dropout, rngs=rngs, **stabilisers)
    elif c.model == "dcgan":
        g = models.DCGANGenerator(latent_dim=c.latent_dim, base=c.g_base, extra=c.g_extra, rngs=rngs)
        d = models.DCGANDiscriminator(base=c.d_base, dropout=c.dropout, rngs=rngs, **stabilisers)
    else:
        g = models.MLPGenerator(latent_dim=c.latent_dim, out_dim=c.data_dim, hidden=c.hidden, rngs=rngs)
        d = models.MLPDiscriminator(in_dim=c.data_dim, hidden=c.hidden, rngs=rngs, **stabilisers)
    return GAN(g, d, g_lr=c.lr, d_lr=c.lr if c.d_lr is None else c.d_lr, b1=c.b1, b2=c.b2, ema=c.ema,
               lr_decay=c.lr_decay, lr_anneal=c.lr_anneal, ada=c.augment == "ada")
