"""The GAN doctor: reads a training run's signals and says, in one line, what is going on and what to try.

Every tutorial answers "it only makes noise, why?" with a list of tips. The course measures each failure in its
notebooks (04 and 05: the discriminator winning; 05 and 07: mode collapse and non-convergence; 05: divergence); the
doctor reads the same signals from a run and names the failure with a verdict from a fixed vocabulary, the numbers
that decided it, and the fix that the course teaches for it, with the notebook section that teaches it.

The signals are ones training already has or can compute cheaply:
  * from the step metrics that ``fit`` (and the playground) record: D's mean output on real and generated batches
    (``d_real``, ``d_fake``), the losses, the generator's gradient norm and its trend, non-finite values;
  * from a few hundred samples drawn when the doctor is asked: the mode metrics on the 2-D toy mixtures
    (``metrics.toy_mode_metrics``), the shipped classifier's class histogram, confidence and MNIST-FID on MNIST.

The rules, in the order they are tried (the first that holds gives the verdict; each threshold is a constant below
with its reason):
  1. ``diverged``: a loss or a sample is NaN or Inf, or a loss's size passed ``LOSS_BLOWUP``.
  2. ``discriminator_wins``: over the last window of steps (at least ``WINDOW_MIN``) D says "real" to real data and
     "fake" to generated data with confidence (mean D(x) >= ``D_WINS_REAL``, mean D(G(z)) <= ``D_WINS_FAKE``). Only
     for D's cross-entropy loss, whose output is a probability; the hinge, least-squares, Wasserstein and
     relativistic scores have no such scale (a relativistic D's logits mean something only as differences). (A
     healthy DCGAN's first 40 steps end near 0.71 / 0.31: notebook 05, section 6a.)
  3. ``too_early``: fewer than ``MIN_STEPS`` steps: every run starts with noise, so the samples are not judged yet.
  4. ``non_convergence``: the samples are not on the data: toy data, fewer than ``NEAR_MIN`` of them within
     ``NEAR_SIGMA`` standard deviations of a mode; MNIST, an MNIST-FID above ``FID_OFF`` (or, where the test set
     cannot be loaded, the classifier's mean confidence below ``CONFIDENCE_MIN``); glyphs, the translations of the
     held-out characters are read as the right character less often than the printed source glyphs themselves
     (``glyph_signals``: a translator that writes worse than copying its input has not learnt the task yet).
  5. ``mode_collapse``: the samples are on the data but not on all of it: toy data, fewer than ``MODES_HELD_MIN`` of
     the modes hold a quarter of their fair share of the samples; MNIST, a digit below ``DIGIT_SHARE_MIN`` of the
     samples or one above ``DIGIT_SHARE_MAX``.
  6. ``healthy``: none of the above. (Healthy is not good: judge quality with ``evaluate``, notebook 06.)

How often the verdicts are right, over runs with known failures, is measured by ``benchmarks/doctor_accuracy.py``
(the table is in benchmarks/RESULTS.md).
"""
from __future__ import annotations

import json
import math
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from .options import DISCRIMINATOR_LOSS_NAMES

if TYPE_CHECKING:
    from . import data, metrics
    from .config import GANConfig

__all__ = ["VERDICTS", "FIXES", "GLYPH_FIXES", "LOSS_BLOWUP", "MIN_STEPS", "WINDOW", "WINDOW_MIN", "WINDOW_MAX",
           "TREND_WINDOWS", "HELD_SHARE", "N_TOY", "N_MNIST", "D_WINS_REAL", "D_WINS_FAKE", "NEAR_SIGMA", "NEAR_MIN",
           "MODES_HELD_MIN", "FID_OFF", "CONFIDENCE_MIN", "DIGIT_SHARE_MIN", "DIGIT_SHARE_MAX", "Diagnosis",
           "training_signals", "toy_signals", "mnist_signals", "glyph_signals", "diagnose", "diagnose_gan",
           "diagnose_run", "Doctor"]

VERDICTS = ("healthy", "discriminator_wins", "mode_collapse", "non_convergence", "diverged", "too_early")

# -- the thresholds, each with its reason -------------------------------------------------------------------------
LOSS_BLOWUP = 1e6       # a loss this large has blown up: at equilibrium the cross-entropy losses are about 1, and a
#                          cross-entropy of 1e6 needs logits of a million (measured: the ring at lr 1e4 reached 3e31
#                          without a NaN, Adam's step being bounded by the learning rate)
MIN_STEPS = 200          # a healthy run still draws noise or a blob before this (notebook 05's first frames)
WINDOW = 0.2             # the training signals are means over the last 20% of the steps (at least 20, at most 500):
WINDOW_MIN, WINDOW_MAX = 20, 500   # one step is noisy; a long window hides a change
TREND_WINDOWS = 5        # G's gradient against its peak is reported once the history holds 5 windows: before that,
#                          "the peak" is a window that overlaps the last one
D_WINS_REAL = 0.9        # D(x) >= 0.9 and D(G(z)) <= 0.1: D classifies about 9 in 10 of each right with
D_WINS_FAKE = 0.1        # confidence; healthy runs sit near 0.7 / 0.3 (the shipped DCGAN's last 500 steps:
#                          0.70 / 0.30), and notebook 05's failing run reaches 1.00 / 0.00
NEAR_SIGMA = 10.0        # toy data: "near the data" is within 10 standard deviations of a mode (a tenth of the
#                          ring's radius, a quarter of the grid's spacing), and never farther than a quarter of the
#                          distance between the two closest modes (so that wide modes do not merge). The papers' 3 sigma
#                          (the high-quality fraction) is too tight for a doctor: a healthy ring run at a constant
#                          learning rate jitters around its modes with 40-70% of its samples inside 3 sigma (notebook 07
#                          measures the jitter)
NEAR_MIN = 0.5           # fewer than half the samples near a mode: they are not on the data
MODES_HELD_MIN = 0.9     # toy data: at least 90% of the modes (8 of 8 on the ring, 23 of 25 on the grid) each hold
HELD_SHARE = 0.25        # a quarter of their fair share of the good samples; fewer is mode collapse
FID_OFF = 150.0          # MNIST: samples with an MNIST-FID above 150 (500 samples against the test set) are not
#                          digits yet: the plain DCGAN scores 50-58 after 5 minutes (the self-conditioned default
#                          of `train`, 5.5), the shipped DCGAN 49 (its
#                          500-sample FID is about 4 higher); an untrained generator scores several hundred
CONFIDENCE_MIN = 0.6     # MNIST without the test set (no FID): the classifier's mean top probability; real test digits
#                          score about 0.99, the shipped DCGAN 0.8
DIGIT_SHARE_MIN = 0.02   # MNIST: every digit should hold about 10%; below 2% it is missing (the shipped DCGAN's
DIGIT_SHARE_MAX = 0.3    # least drawn digit holds 5.2%); above 30% one digit has taken the place of others

_BCE = ("bce",)          # the D losses whose output is a probability (GANConfig.loss non_saturating, saturating)


@dataclass
class _Fix:
    what: str        # one line: what to try
    where: str       # the notebook section that teaches it
    command: str     # the command line's flags for it


FIXES = {
    "healthy": _Fix("nothing to fix; judge the samples' quality with `python -m gan_utils evaluate`",
                    "notebook 06 (evaluating GANs)", ""),
    "too_early": _Fix("train longer: every run starts with noise", "notebook 05, section 3", "--steps / --minutes"),
    "discriminator_wins": _Fix(
        "weaken D's edge: the non-saturating generator loss (the default), one D step per G step, one-sided label "
        "smoothing, or a lower D learning rate", "notebook 04 (the saturating loss) and notebook 05, section 6a",
        "--loss non_saturating --k-disc 1 --label-smoothing 0.1 --d-lr <lower>"),
    "non_convergence": _Fix(
        "calm the game: Adam's beta1 = 0.5, lower learning rates, D's learning rate not far below G's",
        "notebook 05, section 6b and notebook 07, section 2", "--b1 0.5 --lr <lower>"),
    "mode_collapse": _Fix(
        "a stabiliser that covered more modes in notebook 07 (by more than 2 standard errors, 5 seeds): PacGAN's "
        "packing or R1; or a lower generator learning rate", "notebook 07, sections 2 and 4.2",
        "--pack 2 | --penalty r1"),
    "diverged": _Fix("lower the learning rate (or add label smoothing) and check the data for NaN; `fit` keeps the "
                     "last good state", "notebook 05, section 6 (the table of signs)", "--lr <lower> --resume"),
}


# A glyph translator (notebook 11) is judged on held-out characters, not on samples: its own fixes where they differ
GLYPH_FIXES = {
    "healthy": _Fix("nothing to fix; notebook 11's scores on the held-out characters are in metrics.json (heldout_*)",
                    "notebook 11, section 6", ""),
    "non_convergence": _Fix("train longer: at 32x32 the translator passes copying within a few hundred steps; keep "
                            "L1 in the objective (--l1-weight 100), without it the GAN alone did not learn the task",
                            "notebook 11, sections 5 and 6", "--steps <more> --l1-weight 100 --resume"),
}


@dataclass
class Diagnosis:
    """The doctor's answer: a verdict from ``VERDICTS``, the reason in words, the numbers that decided it, the fix.

    ``str(diagnosis)`` is one line for a terminal; ``to_dict()`` is JSON-ready.
    """
    verdict: str
    reason: str
    step: int | None = None
    evidence: dict = field(default_factory=dict)

    @property
    def _fix(self) -> _Fix:
        glyphs = "source_content" in self.evidence and self.verdict in GLYPH_FIXES
        return GLYPH_FIXES[self.verdict] if glyphs else FIXES[self.verdict]

    @property
    def fix(self) -> str:
        return self._fix.what

    @property
    def where(self) -> str:
        return self._fix.where

    @property
    def flags(self) -> str:
        return self._fix.command

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}; the doctor's verdicts are {list(VERDICTS)}.")

    def __str__(self) -> str:
        at = f" at step {self.step}" if self.step is not None else ""
        tail = "" if self.verdict == "healthy" else f". Try: {self.fix} ({self.where})"
        return f"doctor{at}: {self.verdict}: {self.reason}{tail}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(fix=self.fix, where=self.where, flags=self.flags)
        from .checkpoint import _json_safe
        return _json_safe(d)


# -- the signals -----------------------------------------------------------------------------------------------------

def training_signals(history: dict) -> dict:
    """The training signals of a metric history (``fit``'s ``result.history``, a checkpoint's, the playground's).

    Args:
      history: lists per metric, one entry per step (or per frame, in the playground): ``step``, ``d_loss``,
        ``g_loss`` and, when recorded, ``d_real``, ``d_fake`` (mean D output, a probability for the cross-entropy
        loss), ``g_grad_norm``. None marks a missing value (a step of one player alone).
    Returns:
      dict: ``steps`` (entries), ``last_step``, ``window`` (entries averaged) and ``window_steps`` (the training steps
      they span), ``nonfinite_step`` (the first step with a NaN/Inf value, or a loss above ``LOSS_BLOWUP``, or None),
      and window means of each metric present; with ``g_grad_norm`` over at least ``TREND_WINDOWS`` windows,
      ``g_grad_vs_peak``: the last window's mean over the largest mean of any earlier window of the same length (a
      falling gradient is < 1).
    """
    if not isinstance(history, dict):
        raise TypeError(f"history must be a dict of metric lists (fit's result.history), got {type(history).__name__}.")
    steps = list(history.get("step", []))
    n = len(steps) if steps else max((len(v) for v in history.values() if isinstance(v, (list, tuple))), default=0)
    out = {"steps": n, "last_step": int(steps[-1]) + 1 if steps else n, "nonfinite_step": None}
    for key, limit in (("d_loss", LOSS_BLOWUP), ("g_loss", LOSS_BLOWUP), ("d_real", math.inf), ("d_fake", math.inf)):
        bad = next((i for i, v in enumerate(history.get(key, [])) if v is not None and not abs(v) < limit), None)
        if bad is not None:
            at = int(steps[bad]) if bad < len(steps) else bad
            out["nonfinite_step"] = at if out["nonfinite_step"] is None else min(out["nonfinite_step"], at)
    if n == 0:
        out["window"] = out["window_steps"] = 0
        return out
    w = int(min(max(WINDOW * n, WINDOW_MIN), WINDOW_MAX, n))
    out["window"] = w
    if steps:   # the steps the window's entries cover (a playground frame covers the steps since the one before)
        out["window_steps"] = int(steps[-1]) - (int(steps[-w - 1]) if w < n else int(steps[0]) - 1)
    else:
        out["window_steps"] = w
    for key in ("d_real", "d_fake", "d_loss", "g_loss", "g_grad_norm", "penalty"):
        vals = np.asarray([v for v in history.get(key, [])[-w:] if v is not None], np.float64)
        if vals.size:
            out[key] = float(np.mean(vals))
    g = np.asarray([v for v in history.get("g_grad_norm", []) if v is not None], np.float64)
    if g.size >= TREND_WINDOWS * w and np.all(np.isfinite(g)):
        c = np.concatenate([[0.0], np.cumsum(g)])
        means = (c[w:] - c[:-w]) / w                            # every window's mean, the last one last
        out["g_grad_vs_peak"] = float(means[-1] / max(means[:-w].max(), 1e-30))   # against windows before it
    return out


def toy_signals(samples, mixture: data.GaussianMixture) -> dict:
    """The sample signals on a 2-D Gaussian mixture: every key of ``metrics.toy_mode_metrics`` (modes covered, the
    high-quality fraction within 3 sigma, the reverse KL, the mode histogram) plus ``near_fraction`` (samples within
    ``NEAR_SIGMA`` standard deviations of a mode, at most a quarter of the smallest distance between two modes),
    ``median_sigma`` (the median distance to the nearest mode, in its standard deviations), ``modes_held`` (modes
    holding at least ``HELD_SHARE`` of their fair share of the near samples), ``spread`` (root of the summed
    variances, against the data's ``data_spread``) and ``nonfinite``.

    Args:
      samples: (N, 2) generated points. mixture: a ``data.GaussianMixture`` (``data.ring()``, ``data.grid()``).
    """
    from . import metrics
    x = np.asarray(samples, np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"samples must be 2-D points of shape (N, 2), got {x.shape}.")
    if not np.all(np.isfinite(x)):
        return {"nonfinite": True, "n": int(len(x))}
    m = metrics.toy_mode_metrics(x, mixture)
    means, w, stds = np.asarray(mixture.means), np.asarray(mixture.weights), np.asarray(mixture.stds)
    d = np.sqrt(((x[:, None, :] - means[None]) ** 2).sum(-1)) / stds[None, :]       # (N, K), in sigmas
    nearest, dist = d.argmin(1), d.min(1)
    gaps = np.sqrt(((means[:, None] - means[None]) ** 2).sum(-1)) + np.diag(np.full(len(means), np.inf))
    radius = np.minimum(NEAR_SIGMA * stds, gaps.min() / 4)                             # per mode, in data units
    near = dist * stds[nearest] < radius[nearest]
    hist = np.bincount(nearest[near], minlength=len(means)).astype(np.float64)
    held = int(np.sum(hist >= HELD_SHARE * hist.sum() / len(hist))) if hist.sum() else 0
    data_var = np.sum(w * ((means - w @ means) ** 2).sum(1)) + 2 * np.sum(w * stds ** 2)
    return {"nonfinite": False, **m, "near_fraction": float(near.mean()),
            "median_sigma": float(np.median(dist)), "modes_held": held,
            "spread": float(np.sqrt(x.var(0).sum())), "data_spread": float(np.sqrt(data_var))}


_REFERENCE: dict = {}     # id(classifier) -> (classifier, mean, covariance): computed once per process and classifier


def _reference_stats(classifier) -> tuple[np.ndarray, np.ndarray] | None:
    """Mean and covariance of the classifier's features of the 10,000 MNIST test digits (once per process, about
    6 s on 2 cores), or None where MNIST cannot be loaded (not remembered: a later call tries again)."""
    from . import data, metrics
    hit = _REFERENCE.get(id(classifier))
    if hit is not None and hit[0] is classifier:
        return hit[1]
    try:
        test = data.load_mnist("test")[0]
    except (data.MnistDataError, OSError):   # no data and no network: the doctor falls back to the confidence
        return None
    stats = metrics.gaussian_stats(metrics.classifier_outputs(test, classifier)[0])
    _REFERENCE[id(classifier)] = (classifier, stats)
    return stats


def mnist_signals(images, classifier: metrics.MnistClassifier | None = None, *, fid: bool = True) -> dict:
    """The sample signals on MNIST from the shipped classifier: ``fid`` (MNIST-FID of these samples against the test
    set; with 500 samples it reads about 4 higher than with 2,000, measured on the shipped DCGAN), ``digit_shares``
    (10,), ``least_digit`` and ``most_digit`` shares, ``mean_confidence`` (mean top probability) and ``nonfinite``.

    Args:
      images: (N, 28, 28[, 1]) generated digits, float in [-1, 1] or uint8.
      classifier: default: the shipped one.
      fid: compute the FID (needs the MNIST test set; skipped, with no ``fid`` key, where it cannot be loaded).
    """
    from . import metrics
    x = np.asarray(images)
    if x.dtype != np.uint8 and not np.all(np.isfinite(x)):
        return {"nonfinite": True, "n": int(len(x))}
    feats, probs = metrics.classifier_outputs(x, classifier)
    shares = metrics.class_histogram(probs) / len(probs)
    out = {"nonfinite": False, "n": int(len(x)), "digit_shares": [round(float(s), 4) for s in shares],
           "least_digit": float(shares.min()), "most_digit": float(shares.max()),
           "mean_confidence": float(probs.max(1).mean())}
    ref = _reference_stats(classifier) if fid else None
    if ref is not None:
        out["fid"] = metrics.frechet_distance(*metrics.gaussian_stats(feats), *ref)
    return out


# -- the rules -------------------------------------------------------------------------------------------------------

def glyph_signals(generator, pairs: data.GlyphPairs) -> dict:
    """A glyph translator's signals on held-out pairs (``data.load_glyphs("test")`` at its size): ``content``, the
    share of its translations read as the right character (``translation.content_accuracy``), ``source_content``,
    the same share for the printed source glyphs themselves (the bar a translator must pass), and ``l1``, the mean
    absolute error to the true brush glyphs in [-1, 1]."""
    from . import data as data_lib
    from . import models, translation
    if not isinstance(pairs, data_lib.GlyphPairs):
        raise TypeError(f"pairs must be a data.GlyphPairs, e.g. data.load_glyphs('test', size=32); got "
                        f"{type(pairs).__name__}.")
    source, target = data_lib.to_unit_range(pairs.source), data_lib.to_unit_range(pairs.target)
    x = np.asarray(models.translate(generator, source))
    if not np.all(np.isfinite(x)):
        return {"n": len(x), "nonfinite": True}
    return {"n": len(x), "content": translation.content_accuracy(x, pairs.chars),
            "source_content": translation.content_accuracy(source, pairs.chars),
            "l1": float(np.abs(x - target).mean())}


def diagnose(history: dict, samples: dict | None = None, *, d_loss: str = "bce", step: int | None = None) -> Diagnosis:
    """The verdict from the training signals and (optionally) the sample signals, by the rules of the module docstring.

    Args:
      history: the run's metric history (see ``training_signals``).
      samples: ``toy_signals(...)``, ``mnist_signals(...)`` or ``glyph_signals(...)`` of samples drawn now, or None
        (then only the training signals are read, and the verdict says so when it would need samples).
      d_loss: D's loss, ``"bce"`` (the cross-entropy of the non-saturating and saturating recipes), ``"hinge"``,
        ``"lsgan"``, ``"wasserstein"`` or ``"relativistic"``, or a ``GANConfig.loss`` name (``"non_saturating"``
        ...): the D-wins rule reads only the cross-entropy, whose output is a probability.
      step: the step the verdict is for (default: the history's last step + 1).
    """
    from .config import LOSSES
    if d_loss in LOSSES:                       # a GANConfig.loss name: its discriminator loss
        d_loss = LOSSES[d_loss][0]
    if d_loss not in DISCRIMINATOR_LOSS_NAMES:
        raise ValueError(f"d_loss must be D's loss, one of {list(DISCRIMINATOR_LOSS_NAMES)} (or a GANConfig.loss: "
                         f"{sorted(LOSSES)}), got {d_loss!r}.")
    t = training_signals(history)
    s = dict(samples or {})
    step = t["last_step"] if step is None else int(step)
    ev = {k: v for k, v in t.items() if k in ("last_step", "window_steps", "d_real", "d_fake", "d_loss", "g_loss",
                                               "g_grad_vs_peak")}
    ev.update({k: v for k, v in s.items() if k not in ("n", "nonfinite", "digit_shares")})
    if "digit_shares" in s:
        ev["digit_shares"] = s["digit_shares"]
    r = lambda x: f"{x:.2f}"                                                     # noqa: E731
    d_out = (f"; D(x) = {r(t['d_real'])}, D(G(z)) = {r(t['d_fake'])}" if "d_real" in t and "d_fake" in t else "")

    if t["nonfinite_step"] is not None or s.get("nonfinite"):
        where = (f"a loss became NaN/Inf (or passed {LOSS_BLOWUP:g}) at step {t['nonfinite_step']}"
                 if t["nonfinite_step"] is not None else "the samples hold NaN/Inf")
        return Diagnosis("diverged", where, step, {**ev, "nonfinite_step": t["nonfinite_step"]})
    if d_loss in _BCE and t["window"] >= WINDOW_MIN and "d_real" in t and "d_fake" in t \
            and t["d_real"] >= D_WINS_REAL and t["d_fake"] <= D_WINS_FAKE:
        grad = (f"; G's gradient is {t['g_grad_vs_peak']:.2g} of its peak" if "g_grad_vs_peak" in t else "")
        return Diagnosis("discriminator_wins",
                         f"over the last {t['window_steps']} steps D(x) = {r(t['d_real'])} and D(G(z)) = "
                         f"{r(t['d_fake'])} (D wins at >= {D_WINS_REAL} and <= {D_WINS_FAKE}){grad}", step, ev)
    if max(step, t["last_step"]) < MIN_STEPS:
        return Diagnosis("too_early", f"{max(step, t['last_step'])} steps so far; the doctor judges the samples "
                                      f"from step {MIN_STEPS} (every run starts with noise)", step, ev)
    if "high_quality_fraction" in s:                                              # toy data
        near, held, k = s["near_fraction"], s["modes_held"], s["n_modes"]
        if near < NEAR_MIN:
            return Diagnosis("non_convergence", f"only {near:.0%} of the samples lie near a mode (the median sample is "
                                                f"{s['median_sigma']:.0f} sigma from one): they are not on the data",
                             step, ev)
        if held < MODES_HELD_MIN * k:
            return Diagnosis("mode_collapse", f"{near:.0%} of the samples are near the data, but only {held} of {k} "
                                              f"modes hold a fair part of them (at least "
                                              f"{math.ceil(MODES_HELD_MIN * k)} should)", step, ev)
        return Diagnosis("healthy", f"{near:.0%} of the samples near the data, {held} of {k} modes held{d_out}",
                         step, ev)
    if "source_content" in s:                                                     # glyphs
        got, bar = s["content"], s["source_content"]
        said = (f"{got:.0%} of {s['n']} held-out characters are read as the right one (the printed source glyphs "
                f"themselves: {bar:.0%}); L1 to the true glyphs {s['l1']:.3f}")
        if got < bar:
            return Diagnosis("non_convergence", f"only {said}: the translator writes worse than copying its input",
                             step, ev)
        return Diagnosis("healthy", f"{said}{d_out}", step, ev)
    if "mean_confidence" in s:                                                    # MNIST
        conf, lo, hi = s["mean_confidence"], s["least_digit"], s["most_digit"]
        if "fid" in s and s["fid"] > FID_OFF:
            return Diagnosis("non_convergence", f"the samples' MNIST-FID is {s['fid']:.0f} (above {FID_OFF:g}; a "
                                                f"5-minute run of the plain DCGAN scores 50-58): they are not "
                                                f"digits yet", step, ev)
        if conf < CONFIDENCE_MIN:
            return Diagnosis("non_convergence", f"the classifier's mean confidence in the samples is {r(conf)} (below "
                                                f"{CONFIDENCE_MIN}): they are not digits yet", step, ev)
        if lo < DIGIT_SHARE_MIN or hi > DIGIT_SHARE_MAX:
            shares = np.asarray(s["digit_shares"])
            return Diagnosis("mode_collapse", f"digit {int(shares.argmin())} holds {lo:.1%} and digit "
                                              f"{int(shares.argmax())} {hi:.1%} of the samples (each should be near "
                                              f"10%; the doctor flags < {DIGIT_SHARE_MIN:.0%} or > "
                                              f"{DIGIT_SHARE_MAX:.0%})", step, ev)
        return Diagnosis("healthy", f"confident digits ({r(conf)}), every digit between {lo:.1%} and {hi:.1%}"
                                    f"{d_out}", step, ev)
    return Diagnosis("healthy", "no training signal of a failure; the samples were not judged (no modes or digits to "
                                "check them against), so mode collapse and non-convergence cannot be seen", step, ev)


# -- asking the doctor about a GAN, a run folder, or during training --------------------------------------------------

N_TOY = 2000     # samples drawn for the toy signals: 250 per ring mode, 80 per grid mode
N_MNIST = 500    # digits drawn for the classifier's histogram: 50 per digit; one classifier pass, under a second


def _config_of(config):
    from .config import GANConfig
    if config is None or isinstance(config, GANConfig):
        return config
    return GANConfig.from_dict(config)


def diagnose_gan(gan, history: dict, config: GANConfig | dict, *, key=None, step: int | None = None,
                 classifier: metrics.MnistClassifier | None = None) -> Diagnosis:
    """Draws samples from a ``steps.GAN`` trained on ``config`` and diagnoses it with its ``history``.

    Args:
      gan: the GAN (``fit``'s, or ``checkpoint.load_gan``'s); its sampling generator is used (the EMA when on).
      history: its metric history. config: its ``GANConfig`` (or the dict a checkpoint stores).
      key: the samples' key (default ``jax.random.key(0)``): the same key gives the same samples.
      step: the step the verdict is for (default: the history's last step + 1).
      classifier: the MNIST judge (default: the shipped one).

    A class-conditional GAN is asked for every digit in turn, so its digit shares are balanced by construction: they
    say whether G draws the digit it is asked for, not whether it collapses, and a collapse within a class (one
    style per digit) is not seen.
    """
    import jax

    from . import data, models
    cfg = _config_of(config)
    if cfg is None:
        raise ValueError("diagnose_gan needs the run's config (GANConfig): it says which data the samples are of.")
    key = jax.random.key(0) if key is None else key
    g = gan.sampler()
    if cfg.dataset == "mnist":
        labels = models.class_labels(N_MNIST, g.num_classes) if cfg.conditional else None
        x = np.asarray(models.sample(g, key, N_MNIST, labels=labels)).reshape(N_MNIST, 28, 28, 1)
        # the digits as they are seen (the sample grids and `sample` clip to the pixel range): an MLP generator has no
        # tanh, and its values beyond [-1, 1] are not an error of the samples (a no-op for the DCGANs' tanh outputs)
        sig = mnist_signals(np.clip(x, -1.0, 1.0) if np.all(np.isfinite(x)) else x, classifier)
    elif cfg.dataset == "glyphs":   # a translator has no noise to sample: it is judged on the held-out characters
        sig = glyph_signals(g, data.load_glyphs("test", size=cfg.glyph_size))
    else:
        sig = toy_signals(np.asarray(models.sample(g, key, N_TOY)), data.toy_dataset(cfg.dataset))
    from .config import LOSSES
    return diagnose(history, sig, d_loss=LOSSES[cfg.loss][0], step=step)


def diagnose_run(run_dir) -> Diagnosis:
    """Diagnoses the run in a folder written by ``python -m gan_utils train --out RUN_DIR`` (or a checkpoint folder).

    Reads the checkpoint (the generator, the config and the history to its step) and, when the run stopped by
    diverging, the step at which it did (``metrics.json``).
    """
    from . import checkpoint
    run_dir = Path(run_dir)
    try:
        ckpt = checkpoint.resolve(run_dir)
    except checkpoint.CheckpointError as e:
        raise checkpoint.CheckpointError(f"{e} The doctor reads the folder that `train --out` wrote.") from None
    meta = checkpoint.load_meta(ckpt)
    if not meta.get("config"):
        raise checkpoint.CheckpointError(f"{ckpt} holds no config; the doctor needs a run written by `train`.")
    history = dict(meta.get("history") or {})
    run_file = next((p for p in (run_dir / "metrics.json", ckpt.parent / "metrics.json") if p.exists()), None)
    if run_file is not None:
        diverged = _diverged_at(run_file)
        # the checkpoint holds the last good state, before the divergence; a run resumed past that step is not it
        if diverged is not None and diverged >= int(meta.get("step", 0)):
            history.setdefault("d_loss", []).append(float("nan"))
            history.setdefault("g_loss", []).append(float("nan"))
            history.setdefault("step", []).append(int(diverged))
    gan = checkpoint.load_gan(ckpt)
    return diagnose_gan(gan, history, meta["config"], step=int(meta.get("step", 0)))


def _diverged_at(run_file: Path) -> int | None:
    """The step at which a run diverged, from its metrics.json (None: it did not). A file that is not what `train`
    writes is ignored with a warning naming it and the fix: the checkpoint alone is read."""
    try:
        content = json.loads(run_file.read_text())
        if not isinstance(content, dict):
            raise ValueError(f"it holds a {type(content).__name__}, not the dict `train` writes")
        summary = content.get("summary", {})
        if not isinstance(summary, dict):
            raise ValueError(f"its summary is {json.dumps(summary)}, not a dict")
        diverged = summary.get("diverged_at")
        if diverged is None:
            return None
        if isinstance(diverged, bool) or not isinstance(diverged, (int, float)) or not math.isfinite(diverged) \
                or diverged < 0 or diverged != int(diverged):
            raise ValueError(f"diverged_at is {diverged!r}, not a step number")
        return int(diverged)
    except (OSError, ValueError, AttributeError) as e:   # ValueError: not JSON, or not the file train writes
        warnings.warn(f"{run_file} is unreadable or not a `train` metrics file ({e}): ignored, the doctor reads the "
                      "checkpoint alone (a divergence recorded there is not seen). Delete the file, or write it again "
                      "with `train ... --resume`.", stacklevel=3)
        return None


class Doctor:
    """A training callback that asks the doctor every ``callback_every`` steps and reports when the verdict changes.

    ``train.fit(gan, ..., callbacks=[Doctor(config)], callback_every=500)``. ``doctor.diagnoses`` keeps every
    diagnosis; ``doctor.last`` the newest. With ``echo`` (a function of one string, e.g. ``print``), each change of
    verdict is written as one line.
    """

    def __init__(self, config: GANConfig | dict, *, echo: Callable[[str], object] | None = None,
                 classifier: metrics.MnistClassifier | None = None):
        self.config = _config_of(config)
        self.echo = echo
        self.classifier = classifier
        self.diagnoses: list[Diagnosis] = []

    @property
    def last(self) -> Diagnosis | None:
        return self.diagnoses[-1] if self.diagnoses else None

    def __call__(self, step: int, gan, history: dict) -> Diagnosis:
        import jax
        d = diagnose_gan(gan, history or {}, self.config, key=jax.random.key(0), step=step,
                         classifier=self.classifier)
        changed = not self.diagnoses or self.diagnoses[-1].verdict != d.verdict
        self.diagnoses.append(d)
        if changed and self.echo is not None and not (d.verdict == "too_early" and len(self.diagnoses) == 1):
            self.echo(str(d))
        return d
