"""Every public function of gan_utils refuses bad input with a clear error (issue #68).

One table covers the whole public API: each public function or class (every name in a module's ``__all__`` that can
be called) is either in ``SPECS``, with good arguments and the parameters that take images, counts or numbers, or in
``NO_CHECKED_INPUTS`` with the reason it takes none. A module added without its row fails
``test_every_public_function_is_in_the_table``, so the next module cannot skip the checks.

From each spec the test derives the careless inputs of earlier probes: images as uint8 or 0-255 floats, with NaN,
empty or without the batch axis; counts of 0, 2.5 or True; numbers NaN, negative or given as a string. Each must
raise a ValueError or TypeError (IndexError and KeyError where a position or a name is wrong) from gan_utils' own
code, on one line, saying what to pass: not a traceback from inside NumPy or JAX, and not a silent result.
"""
from __future__ import annotations

import importlib
import inspect
import math
import pkgutil
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import jax
import numpy as np
import pytest
from flax import nnx

import gan_utils
from gan_utils import (augment, checks, clusters, cycle, data, doctor, imitation, losses, metrics, models, playground,
                       plots, reader, rivals, steps, stylegan, styles, translation, widgets)
from gan_utils.config import GANConfig, build_gan

PKG = Path(gan_utils.__file__).resolve().parent

# -- good inputs, small ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """Small valid inputs shared by the specs (loaded once); ``tmp``, a folder for anything a probe might write."""
    test = data.load_glyphs("test", size=32, n=6)
    styles_test = data.load_glyph_styles("test", n=4)
    rng = np.random.default_rng(0)
    digits = np.clip(rng.normal(-0.8, 0.3, (6, 28, 28, 1)), -1, 1).astype(np.float32)
    g, f = cycle.load_pretrained()
    return dict(
        glyphs=data.to_unit_range(test.source), targets=data.to_unit_range(test.target), chars=test.chars,
        pairs=test, styles_test=styles_test, style_g=styles.load_pretrained_styles(), cycle_g=g, cycle_f=f,
        code=np.eye(4, dtype=np.float32)[0], digits=digits, digits_u8=data.to_uint8(digits),
        features=rng.normal(size=(40, 8)).astype(np.float32), points=rng.normal(size=(50, 2)).astype(np.float32),
        ring=data.ring(), key=jax.random.key(0), probs=np.full((6, 10), 0.1, np.float32),
        tmp=tmp_path_factory.mktemp("probes"), labels=np.arange(6) % 10)


@dataclass
class Spec:
    """One public callable ``fn``: ``args(g)`` returns its good keyword arguments from the ``good`` inputs;
    ``images``, ``counts``, ``positives`` (numbers > 0) and ``nonnegatives`` (numbers >= 0) name the parameters to
    probe; ``uint8_ok`` lists image parameters that also take uint8 pixels; ``empty_ok`` those where N = 0 is a
    valid (empty) result; ``skip`` names derived probes that do not apply; ``extra`` adds (label, changes(g) ->
    dict, exception, regex) probes of its own."""
    fn: object
    args: object                       # g -> dict of good keyword arguments
    images: tuple = ()
    counts: tuple = ()
    positives: tuple = ()
    nonnegatives: tuple = ()
    uint8_ok: tuple = ()
    empty_ok: tuple = ()
    extra: list = field(default_factory=list)
    skip: tuple = ()                   # derived probes that do not apply, each with its reason in a comment


def _glyph_scores(g):
    return dict(translated=g["glyphs"], true=g["targets"], chars=g["chars"])


SPECS: dict[str, Spec] = {
    # -- the checks themselves
    "checks.unit_images": Spec(checks.unit_images, lambda g: dict(x=g["glyphs"]), images=("x",)),
    "checks.glyphs_32": Spec(checks.glyphs_32, lambda g: dict(images=g["glyphs"]), images=("images",),
                             uint8_ok=("images",), extra=[
        ("28x28", lambda g: dict(images=np.zeros((2, 28, 28, 1), np.float32)), ValueError, "32, 32")]),
    "checks.count": Spec(checks.count, lambda g: dict(name="value", value=3), counts=("value",)),
    "checks.step": Spec(checks.step, lambda g: dict(name="step", value=3), extra=[
        ("negative", lambda g: dict(value=-1), ValueError, "step must be an integer >= 0"),
        ("fraction", lambda g: dict(value=2.5), ValueError, "step must be an integer")]),
    "checks.number": Spec(checks.number, lambda g: dict(name="value", value=1e-3, low=0, low_open=True),
                          positives=("value",)),
    "checks.finite": Spec(checks.finite, lambda g: dict(x=g["glyphs"]), extra=[
        ("nan", lambda g: dict(x=np.array([np.nan])), ValueError, "NaN or Inf")]),
    "checks.pixels_to_unit": Spec(checks.pixels_to_unit, lambda g: dict(x=g["digits_u8"]), extra=[
        ("floats", lambda g: dict(x=g["digits"]), TypeError, "uint8")]),
    "checks.chars": Spec(checks.chars, lambda g: dict(value="ab", n=2), extra=[
        ("too few", lambda g: dict(value="a"), ValueError, "one character per glyph"),
        ("not a str", lambda g: dict(value=["a", "b"]), ValueError, "must be a str")]),
    "checks.flag": Spec(checks.flag, lambda g: dict(name="hand", value=True), extra=[
        ("'False'", lambda g: dict(value="False"), TypeError, "hand must be True or False"),
        ("1", lambda g: dict(value=1), TypeError, "hand must be True or False")]),
    "checks.rows": Spec(checks.rows, lambda g: dict(value=[0, 1], n=3), extra=[
        ("mask of the wrong length", lambda g: dict(value=[True, False]), ValueError, "one entry per row"),
        ("out of range", lambda g: dict(value=[3]), IndexError, "must lie in"),
        ("floats", lambda g: dict(value=[0.5]), TypeError, "integer indices")]),
    # -- data
    "data.to_unit_range": Spec(data.to_unit_range, lambda g: dict(images=g["digits_u8"]), extra=[
        ("floats", lambda g: dict(images=g["digits"]), TypeError, "already floats"),
        ("int64 pixels", lambda g: dict(images=g["digits_u8"].astype(np.int64)), TypeError, "np.uint8")]),
    "data.to_uint8": Spec(data.to_uint8, lambda g: dict(images=g["digits"]), extra=[
        ("0-255 floats", lambda g: dict(images=g["digits_u8"].astype(np.float32)), ValueError, "pixel values"),
        ("nan", lambda g: dict(images=np.full((2, 2), np.nan)), ValueError, "NaN")]),
    "data.center_digit": Spec(data.center_digit, lambda g: dict(image=np.zeros((28, 28), np.float32) + 0.5),
                              counts=("box", "size")),
    "data.BatchSampler": Spec(data.BatchSampler, lambda g: dict(data=g["points"], batch_size=8, key=g["key"]),
                              counts=("batch_size",)),
    "data.ring": Spec(data.ring, lambda g: dict(), counts=("n_modes",), positives=("radius", "std")),
    "data.grid": Spec(data.grid, lambda g: dict(), counts=("side",), positives=("spacing", "std")),
    "data.mixture_1d": Spec(data.mixture_1d, lambda g: dict(), extra=[
        ("negative std", lambda g: dict(stds=(0.5, -1.0)), ValueError, "std"),
        ("nan mean", lambda g: dict(means=(0.0, np.nan)), ValueError, "finite|NaN")]),
    "data.GaussianMixture": Spec(data.GaussianMixture, lambda g: dict(means=np.zeros((2, 2)), stds=np.ones(2),
                                                                        weights=np.full(2, 0.5)), extra=[
        ("weights not summing to 1", lambda g: dict(weights=np.array([0.2, 0.2])), ValueError, "sum")]),
    "data.toy_dataset": Spec(data.toy_dataset, lambda g: dict(name="ring"), extra=[
        ("unknown", lambda g: dict(name="spiral"), ValueError, "ring")]),
    "data.load_mnist": Spec(data.load_mnist, lambda g: dict(split="test", n=5), extra=[
        ("n = 0", lambda g: dict(n=0), ValueError, "n must be"), ("n = 2.5", lambda g: dict(n=2.5), ValueError,
                                                                    "n must be"),
        ("split", lambda g: dict(split="val"), ValueError, "split must be")]),
    "data.load_glyphs": Spec(data.load_glyphs, lambda g: dict(split="test", size=32, n=3), extra=[
        ("size 32.0", lambda g: dict(size=32.0), ValueError, "size"),
        ("size 30", lambda g: dict(size=30), ValueError, "size"), ("n 2.5", lambda g: dict(n=2.5), ValueError, "n")]),
    "data.load_glyph_styles": Spec(data.load_glyph_styles, lambda g: dict(split="test", n=3), extra=[
        ("hand 'False'", lambda g: dict(hand="False"), TypeError, "True or False"),
        ("n 2.5", lambda g: dict(n=2.5), ValueError, "n"), ("split", lambda g: dict(split="val"), ValueError,
                                                            "split")]),
    "data.GlyphPairs": Spec(lambda **kw: kw["pairs"].select(kw["rows"]), lambda g: dict(pairs=g["pairs"], rows=[0]),
                            extra=[("mask of the wrong length", lambda g: dict(rows=np.ones(2, bool)), ValueError,
                                    "one entry per row")]),
    "data.GlyphStyles": Spec(lambda **kw: kw["glyphs"].select(kw["rows"]), lambda g: dict(glyphs=g["styles_test"],
                                                                                           rows=[0]),
                             extra=[("mask of the wrong length", lambda g: dict(rows=np.ones(9, bool)), ValueError,
                                     "one entry per row")]),
    # -- models
    "models.MLPGenerator": Spec(models.MLPGenerator, lambda g: dict(rngs=nnx.Rngs(0)),
                                counts=("latent_dim", "out_dim")),
    "models.MLPDiscriminator": Spec(models.MLPDiscriminator, lambda g: dict(rngs=nnx.Rngs(0)), counts=("in_dim",)),
    "models.DCGANGenerator": Spec(models.DCGANGenerator, lambda g: dict(latent_dim=4, base=8, rngs=nnx.Rngs(0)),
                                  counts=("latent_dim", "base")),
    "models.DCGANDiscriminator": Spec(models.DCGANDiscriminator, lambda g: dict(base=4, rngs=nnx.Rngs(0)),
                                      counts=("base",)),
    "models.ConditionalDCGANGenerator": Spec(models.ConditionalDCGANGenerator,
                                             lambda g: dict(latent_dim=4, base=8, rngs=nnx.Rngs(0)),
                                             counts=("latent_dim", "num_classes", "base")),
    "models.ProjectionDiscriminator": Spec(models.ProjectionDiscriminator, lambda g: dict(base=4, rngs=nnx.Rngs(0)),
                                           counts=("base", "num_classes")),
    "models.SelfConditionedGenerator": Spec(models.SelfConditionedGenerator,
                                            lambda g: dict(latent_dim=4, base=8, rngs=nnx.Rngs(0)),
                                            counts=("latent_dim", "num_clusters", "base")),
    "models.UNetGenerator": Spec(models.UNetGenerator, lambda g: dict(size=32, base=4, rngs=nnx.Rngs(0)),
                                 counts=("size", "base")),
    "models.PatchDiscriminator": Spec(models.PatchDiscriminator, lambda g: dict(size=32, base=4, rngs=nnx.Rngs(0)),
                                      counts=("size", "base")),
    "models.Upsample": Spec(models.Upsample, lambda g: dict(in_features=4, out_features=4, rngs=nnx.Rngs(0)),
                            counts=("in_features", "out_features")),
    "models.ConditionalBatchNorm": Spec(models.ConditionalBatchNorm, lambda g: dict(features=4, num_classes=3,
                                                                                    rngs=nnx.Rngs(0)),
                                        counts=("features", "num_classes")),
    "models.SpectralNorm": Spec(models.SpectralNorm, lambda g: dict(layer=nnx.Linear(2, 2, rngs=nnx.Rngs(0)),
                                                                    rngs=nnx.Rngs(0)), counts=("n_steps",)),
    "models.sample": Spec(models.sample, lambda g: dict(generator=models.MLPGenerator(rngs=nnx.Rngs(0)), key=g["key"],
                                                        n=4), counts=("n", "batch_size")),
    "models.translate": Spec(models.translate, lambda g: dict(generator=g["cycle_g"], source=g["glyphs"]),
                             images=("source",), counts=("batch_size",), empty_ok=("source",)),
    "models.pack_samples": Spec(models.pack_samples, lambda g: dict(x=g["points"][:8], m=2), counts=("m",)),
    "models.depth_to_space": Spec(models.depth_to_space, lambda g: dict(x=np.zeros((1, 2, 2, 4), np.float32)),
                                  counts=("r",)),
    "models.space_to_depth": Spec(models.space_to_depth, lambda g: dict(x=np.zeros((1, 4, 4, 1), np.float32)),
                                  counts=("r",)),
    "models.class_labels": Spec(models.class_labels, lambda g: dict(n=4, num_classes=10), counts=("n",
                                                                                                 "num_classes")),
    "models.recalibrate_batchnorm": Spec(models.recalibrate_batchnorm, lambda g: dict(
        generator=models.DCGANGenerator(4, 8, rngs=nnx.Rngs(0)), key=g["key"], n_batches=1, batch_size=4),
        counts=("n_batches", "batch_size")),
    "models.minibatch_std": Spec(models.minibatch_std, lambda g: dict(x=g["points"]), extra=[
        ("one sample", lambda g: dict(x=g["points"][:1]), ValueError, "at least 2")]),
    "models.receptive_field": Spec(models.receptive_field, lambda g: dict(kernels=[4, 4], strides=[2, 2]), extra=[
        ("lengths differ", lambda g: dict(strides=[2]), ValueError, "one stride per kernel|same length")]),
    "models.layer_table": Spec(lambda **kw: models.layer_table(kw["module"], np.zeros((1, 2), np.float32),
                                                               depth=kw["depth"]),
                               lambda g: dict(module=models.MLPGenerator(rngs=nnx.Rngs(0)), depth=1),
                               counts=("depth",)),
    # -- losses: logits of any shape; NaN logits are a diverged run
    # (generator_loss_none ignores its logits by design: notebook 11's "L1 only" objective)
    **{f"losses.{n}": Spec(getattr(losses, n), lambda g, n=n: {p: np.zeros(4, np.float32) for p in inspect.signature(
        getattr(losses, n)).parameters if p.endswith(("logits", "scores"))},
        extra=[("nan logits", lambda g, n=n: {next(p for p in inspect.signature(getattr(losses, n)).parameters
                                                   if p.endswith(("logits", "scores"))): np.array([np.nan])},
                ValueError, "NaN")])
       for n in ("discriminator_loss", "generator_loss_saturating", "generator_loss_non_saturating", "value_function",
                 "discriminator_loss_hinge", "generator_loss_hinge", "discriminator_loss_lsgan", "generator_loss_lsgan",
                 "critic_loss_wasserstein", "generator_loss_wasserstein", "discriminator_loss_relativistic",
                 "generator_loss_relativistic")},
    "losses.bce_with_logits": Spec(losses.bce_with_logits, lambda g: dict(logits=np.zeros(4), targets=1.0), extra=[
        ("targets outside [0, 1]", lambda g: dict(targets=2.0), ValueError, "targets")]),
    "losses.r1_penalty": Spec(losses.r1_penalty, lambda g: dict(critic=lambda x: x.sum(-1), real=g["points"]),
                              nonnegatives=("gamma",)),
    "losses.r2_penalty": Spec(losses.r2_penalty, lambda g: dict(critic=lambda x: x.sum(-1), fake=g["points"]),
                              nonnegatives=("gamma",)),
    "losses.gradient_penalty": Spec(losses.gradient_penalty, lambda g: dict(
        critic=lambda x: x.sum(-1), real=g["points"], fake=g["points"], key=g["key"]), nonnegatives=("weight",)),
    "losses.clip_weights": Spec(losses.clip_weights, lambda g: dict(tree={"w": np.ones(2)}), positives=("c",)),
    # -- metrics
    "metrics.classifier_outputs": Spec(metrics.classifier_outputs, lambda g: dict(images=g["digits"]),
                                       images=("images",), uint8_ok=("images",), counts=("batch_size",)),
    "metrics.gaussian_stats": Spec(metrics.gaussian_stats, lambda g: dict(features=g["features"]), extra=[
        ("nan", lambda g: dict(features=np.full((4, 2), np.nan)), ValueError, "NaN"),
        ("one sample", lambda g: dict(features=g["features"][:1]), ValueError, "N >= 2|at least 2")]),
    "metrics.sqrtm_psd": Spec(metrics.sqrtm_psd, lambda g: dict(a=np.eye(2)), extra=[
        ("not square", lambda g: dict(a=np.ones((2, 3))), ValueError, "square")]),
    "metrics.trace_sqrt_product": Spec(metrics.trace_sqrt_product, lambda g: dict(cov1=np.eye(2), cov2=np.eye(2)),
                                       extra=[("sizes differ", lambda g: dict(cov2=np.eye(3)), ValueError,
                                               "shape|same")]),
    "metrics.frechet_distance": Spec(metrics.frechet_distance, lambda g: dict(mu1=np.zeros(2), cov1=np.eye(2),
                                                                              mu2=np.zeros(2), cov2=np.eye(2)),
                                     extra=[("nan mean", lambda g: dict(mu1=np.array([np.nan, 0])), ValueError,
                                             "NaN")]),
    "metrics.fid_from_features": Spec(metrics.fid_from_features, lambda g: dict(features1=g["features"],
                                                                                features2=g["features"]), extra=[
        ("nan", lambda g: dict(features1=np.full((40, 8), np.nan)), ValueError, "NaN")]),
    "metrics.kid_from_features": Spec(metrics.kid_from_features, lambda g: dict(features1=g["features"],
                                                                                features2=g["features"]),
                                      counts=("subsets", "subset_size"), extra=[
        ("nan", lambda g: dict(features1=np.full((40, 8), np.nan)), ValueError, "NaN"),
        ("dimensions differ", lambda g: dict(features2=g["features"][:, :4]), ValueError, "dimensions"),
        ("subset larger than a set", lambda g: dict(subset_size=41), ValueError, "subset_size")]),
    "metrics.inception_score": Spec(metrics.inception_score, lambda g: dict(probs=g["probs"]), extra=[
        ("not probabilities", lambda g: dict(probs=-g["probs"]), ValueError, "probab")]),
    "metrics.class_histogram": Spec(metrics.class_histogram, lambda g: dict(probs=g["probs"]), counts=("n_classes",)),
    "metrics.histogram_reverse_kl": Spec(metrics.histogram_reverse_kl, lambda g: dict(counts=np.ones(10),
                                                                                      reference=np.ones(10)), extra=[
        ("negative counts", lambda g: dict(counts=-np.ones(10)), ValueError, "negative|>= 0")]),
    "metrics.precision_recall": Spec(metrics.precision_recall, lambda g: dict(real_features=g["features"],
                                                                              fake_features=g["features"]),
                                     counts=("k", "chunk")),
    "metrics.toy_mode_metrics": Spec(metrics.toy_mode_metrics, lambda g: dict(samples=g["points"],
                                                                              mixture=g["ring"]),
                                     positives=("n_std",), counts=("min_count",)),
    "metrics.image_metrics": Spec(metrics.image_metrics, lambda g: dict(images=g["digits"], reference=g["digits"],
                                                                        pr_n=4), images=("images",),
                                  uint8_ok=("images",), counts=("pr_n",)),
    "metrics.conditional_metrics": Spec(metrics.conditional_metrics, lambda g: dict(outputs=(g["probs"],
                                                                                             g["features"][:6]),
                                                                                    labels=g["labels"]), extra=[
        ("labels too few", lambda g: dict(labels=g["labels"][:3]), ValueError, "label")]),
    "metrics.nearest_distances": Spec(metrics.nearest_distances, lambda g: dict(features=g["features"],
                                                                                reference=g["features"]),
                                      counts=("chunk",)),
    "metrics.memorisation": Spec(metrics.memorisation, lambda g: dict(
        sample_features=g["features"], train_features=g["features"], test_features=g["features"]), extra=[
        ("quantile 0", lambda g: dict(quantile=0.0), ValueError, "quantile"),
        ("quantile nan", lambda g: dict(quantile=np.nan), ValueError, "quantile")]),
    "metrics.copy_line": Spec(metrics.copy_line, lambda g: dict(n_samples=100), counts=("n_samples",), extra=[
        ("quantile 1.5", lambda g: dict(quantile=1.5), ValueError, "quantile")]),
    # (0-255 floats are converted with a warning there: evaluate reads files of any pixel convention)
    "metrics.evaluate": Spec(metrics.evaluate, lambda g: dict(samples=g["digits_u8"][:, :, :, 0]), extra=[
        ("nan", lambda g: dict(samples=np.full((4, 28, 28), np.nan, np.float32)), ValueError, "NaN")]),
    "metrics.load_images": Spec(metrics.load_images, lambda g: dict(source="no-such-file.npz"), extra=[
        ("missing", lambda g: dict(source="no-such-file.npz"), (FileNotFoundError, ValueError), "no-such-file")]),
    # -- clusters
    "clusters.kmeans": Spec(clusters.kmeans, lambda g: dict(x=g["features"], k=3, key=g["key"]),
                            counts=("k",), extra=[("nan", lambda g: dict(x=np.full((10, 2), np.nan)), ValueError,
                                                   "NaN")]),
    "clusters.assign": Spec(clusters.assign, lambda g: dict(x=g["features"], centres=g["features"][:3]), extra=[
        ("dims differ", lambda g: dict(centres=np.zeros((3, 5))), ValueError, "as many features")]),
    "clusters.cluster_scores": Spec(clusters.cluster_scores, lambda g: dict(clusters=np.arange(6) % 2,
                                                                            labels=g["labels"]), extra=[
        ("lengths differ", lambda g: dict(labels=g["labels"][:3]), ValueError, "length|same|one label")]),
    "clusters.discriminator_features": Spec(clusters.discriminator_features, lambda g: dict(
        discriminator=models.DCGANDiscriminator(4, rngs=nnx.Rngs(0)), images=g["digits"]), images=("images",),
        counts=("batch_size",)),
    "clusters.SelfConditioning": Spec(clusters.SelfConditioning, lambda g: dict(
        images=g["digits"], labels=np.zeros(6, np.int32), k=2, key=g["key"]), counts=("k", "every")),
    # -- translation (notebook 11)
    "translation.StyleClassifier": Spec(translation.StyleClassifier, lambda g: dict(rngs=nnx.Rngs(0)), extra=[
        ("one class", lambda g: dict(classes=("a",)), ValueError, "two distinct"),
        ("dropout 2", lambda g: dict(dropout=2.0), ValueError, "dropout")]),
    "translation.style_outputs": Spec(translation.style_outputs, lambda g: dict(images=g["glyphs"]),
                                      images=("images",), uint8_ok=("images",), counts=("batch_size",)),
    "translation.classifier_logits": Spec(translation.classifier_logits, lambda g: dict(
        images=g["glyphs"], classifier=translation.load_style_classifier()), images=("images",),
        uint8_ok=("images",), counts=("batch_size",)),
    "translation.content_reading": Spec(translation.content_reading, lambda g: dict(images=g["glyphs"]),
                                        images=("images",)),
    "translation.content_accuracy": Spec(translation.content_accuracy, lambda g: dict(images=g["glyphs"],
                                                                                      chars=g["chars"]),
                                         images=("images",), extra=[
        ("chars too short", lambda g: dict(chars=g["chars"][:-1]), ValueError, "one character per glyph")]),
    "translation.ssim": Spec(translation.ssim, lambda g: dict(x=g["glyphs"], y=g["targets"]), images=("x", "y")),
    "translation.sharpness": Spec(translation.sharpness, lambda g: dict(x=g["glyphs"], reference=g["targets"]),
                                  images=("x", "reference"), extra=[
        ("flat reference", lambda g: dict(reference=np.zeros_like(g["targets"])), ValueError, "flat")]),
    "translation.translation_scores": Spec(translation.translation_scores, _glyph_scores,
                                           images=("translated", "true"), extra=[
        ("one glyph", lambda g: dict(translated=g["glyphs"][:1], true=g["targets"][:1], chars=g["chars"][:1]),
         ValueError, "at least 2"),
        ("true_outputs of other glyphs", lambda g: dict(true_outputs=translation.style_outputs(g["targets"][:2])),
         ValueError, "true_outputs holds 2")]),
    "reader.CharReader": Spec(reader.CharReader, lambda g: dict(classes=4, embed=8, rngs=nnx.Rngs(0)),
                              counts=("classes", "embed")),
    "reader.read_chars": Spec(reader.read_chars, lambda g: dict(images=g["glyphs"]), images=("images",),
                              uint8_ok=("images",), counts=("batch_size",), extra=[
        ("a model without its chars", lambda g: dict(model=reader.load_reader()[0]), ValueError, "together")]),
    "reader.legibility": Spec(reader.legibility, lambda g: dict(images=g["glyphs"], true_chars=g["chars"]),
                              images=("images",), uint8_ok=("images",), counts=("batch_size",), extra=[
        ("chars too short", lambda g: dict(true_chars=g["chars"][:-1]), ValueError, "one character per glyph"),
        ("a character it does not know", lambda g: dict(true_chars="A" * len(g["chars"])), ValueError,
         "does not know")]),
    "translation.build_translator": Spec(translation.build_translator, lambda g: dict(base=4, d_base=4),
                                         counts=("size", "base", "d_base"), positives=("lr",)),
    "translation.train_translator": Spec(translation.train_translator, lambda g: dict(
        steps=1, base=4, d_base=4, pairs=g["pairs"], batch_size=2), counts=("batch_size",), positives=("lr",),
        extra=[("steps 0", lambda g: dict(steps=0), ValueError, "steps"),
               ("minutes nan", lambda g: dict(steps=None, minutes=math.nan), ValueError, "minutes"),
               ("seed -1", lambda g: dict(seed=-1), ValueError, "seed"),
               ("progress 'no'", lambda g: dict(progress="no"), TypeError, "True or False")]),
    # -- cycle (notebook 12)
    "cycle.CycleGAN": Spec(cycle.CycleGAN, lambda g: dict(size=32, base=4, d_base=4), counts=("size", "base"),
                           positives=("lr",)),
    "cycle.train_cyclegan": Spec(cycle.train_cyclegan, lambda g: dict(
        x_images=g["glyphs"], y_images=g["targets"], steps=1, batch_size=2, base=4, d_base=4),
        images=("x_images", "y_images"), uint8_ok=("x_images", "y_images"), counts=("batch_size", "size"),
        nonnegatives=("cycle_weight", "identity_weight"), extra=[
            ("callbacks a function", lambda g: dict(callbacks=lambda s, m, h: None), TypeError, "list of functions"),
            ("seed None", lambda g: dict(seed=None), ValueError, "seed"),
            ("steps 0", lambda g: dict(steps=0), ValueError, "steps"),
            ("minutes nan", lambda g: dict(steps=None, minutes=math.nan), ValueError, "minutes")]),
    "cycle.make_cycle_step": Spec(cycle.make_cycle_step, lambda g: dict(cyclegan=cycle.CycleGAN(32, base=4,
                                                                                                d_base=4)),
                                  nonnegatives=("cycle_weight", "identity_weight")),
    "cycle.quantise": Spec(cycle.quantise, lambda g: dict(x=g["glyphs"], levels=2), images=("x",),
                           empty_ok=("x",), counts=("levels",), skip=("x: no batch axis",)),   # any shape
    "cycle.hidden_detail": Spec(cycle.hidden_detail, lambda g: dict(g=g["cycle_g"], f=g["cycle_f"], x=g["glyphs"],
                                                                    y=g["targets"], noise=(0.1,), levels=(2,)),
                                images=("x", "y"), extra=[
        ("negative noise", lambda g: dict(noise=(-0.1,)), ValueError, "noise"),
        ("seed None", lambda g: dict(seed=None), ValueError, "seed"),
        ("1 level", lambda g: dict(levels=(1,)), ValueError, "levels")]),
    "cycle.compare_run": Spec(cycle.compare_run, lambda g: dict(method="CycleGAN", seed=0, half_a=g["pairs"],
                                                                half_b=g["pairs"], test=g["pairs"], steps=1,
                                                                evals=(1,)), extra=[
        ("unknown method", lambda g: dict(method="pix2pix"), ValueError, "unknown method"),
        ("evals past steps", lambda g: dict(evals=(2,)), ValueError, "evals must end"),
        ("an eval at step 0", lambda g: dict(evals=(0, 1)), ValueError, "each step of evals"),
        ("an eval at 1.5", lambda g: dict(evals=(1.5, 1)), ValueError, "each step of evals")]),
    # -- styles (notebook 12)
    "styles.style_condition": Spec(styles.style_condition, lambda g: dict(source=g["glyphs"], code=g["code"]),
                                   images=("source",), empty_ok=("source",), extra=[
        ("scalar code", lambda g: dict(code=1.0), ValueError, "vector of one weight"),
        ("empty code", lambda g: dict(code=[]), ValueError, "empty one"),
        ("nan code", lambda g: dict(code=np.full(4, np.nan)), ValueError, "NaN")]),
    "styles.draw_in_style": Spec(styles.draw_in_style, lambda g: dict(generator=g["style_g"], source=g["glyphs"],
                                                                      code=g["code"]),
                                 images=("source",), counts=("batch_size",), empty_ok=("source",), extra=[
        ("scalar code", lambda g: dict(code=1.0), ValueError, "code needs 4 weights"),
        ("three weights", lambda g: dict(code=np.ones(3)), ValueError, "code needs 4 weights")]),
    "styles.font_probabilities": Spec(styles.font_probabilities, lambda g: dict(images=g["glyphs"]),
                                      images=("images",), uint8_ok=("images",), counts=("batch_size",)),
    "styles.content_any_font": Spec(styles.content_any_font, lambda g: dict(images=g["glyphs"], chars=g["chars"]),
                                    images=("images",), extra=[
        ("hand 'no'", lambda g: dict(hand="no"), TypeError, "True or False")]),
    "styles.path_codes": Spec(styles.path_codes, lambda g: dict(a="kai", b="song"), extra=[
        ("points 1", lambda g: dict(points=1), ValueError, "points must be"),
        ("points 2.5", lambda g: dict(points=2.5), ValueError, "points must be"),
        ("unknown style", lambda g: dict(a="hei"), ValueError, "unknown target style")]),
    "styles.build_style_translator": Spec(styles.build_style_translator, lambda g: dict(base=4, d_base=4,
                                                                                        style_dim=2),
                                          counts=("n_styles", "size", "base", "style_dim"), positives=("lr",)),
    "styles.train_style_translator": Spec(styles.train_style_translator, lambda g: dict(
        steps=1, batch_size=2, glyphs=g["styles_test"], base=4, d_base=4, style_dim=2), counts=("batch_size",),
        nonnegatives=("l1_weight",), extra=[("steps 0", lambda g: dict(steps=0), ValueError, "steps")]),
    "styles.load_pretrained_styles": Spec(styles.load_pretrained_styles, lambda g: dict(), extra=[
        ("another model's folder", lambda g: dict(path=cycle.PRETRAINED_CYCLEGAN_DIR), Exception,
         "not a style generator")]),
    "styles.style_path": Spec(styles.style_path, lambda g: dict(generator=g["style_g"], glyphs=g["styles_test"],
                                                                a="kai", b="song", points=2), extra=[
        ("points 1", lambda g: dict(points=1), ValueError, "points must be"),
        ("glyph pairs", lambda g: dict(glyphs=g["pairs"]), TypeError, "GlyphStyles"),
        ("with the hand", lambda g: dict(glyphs=data.load_glyph_styles("test", n=2, hand=True)), TypeError,
         "without hand=True")]),
    "styles.pixel_path": Spec(styles.pixel_path, lambda g: dict(glyphs=g["styles_test"], a="kai", b="heibold",
                                                                points=2), extra=[
        ("points 1", lambda g: dict(points=1), ValueError, "points must be"),
        ("unknown font", lambda g: dict(b="fangsong"), ValueError, "unknown target style"),
        ("glyph pairs", lambda g: dict(glyphs=g["pairs"]), TypeError, "GlyphStyles")]),
    "styles.measure_generator": Spec(styles.measure_generator, lambda g: dict(generator=g["style_g"],
                                                                              test=g["styles_test"], points=2),
                                     extra=[("points 1", lambda g: dict(points=1), ValueError, "points must be")]),
    "styles.seed_run": Spec(styles.seed_run, lambda g: dict(seed=0, steps=1, batch_size=2, base=4, style_dim=2,
                                                            train=g["styles_test"], test=g["styles_test"]),
                            counts=("steps", "batch_size")),
    # -- imitation (notebook 12)
    "imitation.fine_tune": Spec(imitation.fine_tune, lambda g: dict(generator=g["style_g"], source=g["glyphs"][:2],
                                                                    target=g["targets"][:2], steps=1),
                                images=("source", "target"), uint8_ok=("source", "target"),
                                empty_ok=("source", "target"), counts=("steps", "batch_size"), positives=("lr",),
                                extra=[("unknown code", lambda g: dict(code="hei"), ValueError, "code must be"),
                                       ("a code array", lambda g: dict(code=np.eye(4)[0]), ValueError,
                                        "code must be"),
                                       ("no generator", lambda g: dict(generator=None), TypeError,
                                        "style generator"),
                                       ("seed 2.5", lambda g: dict(seed=2.5), ValueError, "seed")]),
    "imitation.measure_imitation": Spec(imitation.measure_imitation, lambda g: dict(generator=g["style_g"],
                                                                                    test=g["styles_test"]), extra=[
        ("no hand", lambda g: dict(), ValueError, "hand=True"),
        ("the font judge, which has no hand", lambda g: dict(test=data.load_glyph_styles("test", n=2, hand=True),
                                                             classifier=styles.load_font_classifier()),
         ValueError, "have no 'hand'")]),
    "imitation.imitation_run": Spec(imitation.imitation_run, lambda g: dict(seed=0, shots=(0,), steps=1,
                                                                            generator=g["style_g"]), extra=[
        ("shots decreasing", lambda g: dict(shots=(2, 1)), ValueError, "shots must be"),
        ("shots 2.5", lambda g: dict(shots=(0, 2.5)), ValueError, "each of shots"),
        ("no shots", lambda g: dict(shots=()), ValueError, "shots must be"),
        ("seed -1", lambda g: dict(seed=-1), ValueError, "seed")]),
    # -- steps and training
    "steps.GAN": Spec(steps.GAN, lambda g: dict(generator=models.MLPGenerator(rngs=nnx.Rngs(0)),
                                                discriminator=models.MLPDiscriminator(rngs=nnx.Rngs(1))),
                      positives=("g_lr", "d_lr")),
    "steps.StepOptions": Spec(steps.StepOptions, lambda g: dict(), counts=("k_disc",), nonnegatives=("l1_weight",),
                              extra=[("smoothing 1", lambda g: dict(label_smoothing=1.0), ValueError,
                                      "label_smoothing")]),
    "steps.step_key": Spec(steps.step_key, lambda g: dict(key=g["key"], step=1), extra=[
        ("step 2.5", lambda g: dict(step=2.5), ValueError, "step")]),
    "steps.make_train_step": Spec(steps.make_train_step, lambda g: dict(gan=build_gan(GANConfig(dataset="ring",
                                                                                                 hidden=(4,)))),
                                  counts=("k_disc",), extra=[("unknown option", lambda g: dict(k_dics=2), TypeError,
                                                              "k_dics")]),
    "steps.make_fused_train_step": Spec(steps.make_fused_train_step, lambda g: dict(
        gan=build_gan(GANConfig(dataset="ring", hidden=(4,)))), counts=("k_disc",)),
    "steps.update_ema": Spec(steps.update_ema, lambda g: dict(g_ema=models.MLPGenerator(rngs=nnx.Rngs(0)),
                                                              G=models.MLPGenerator(rngs=nnx.Rngs(0)), decay=0.9),
                             extra=[("decay 1.5", lambda g: dict(decay=1.5), ValueError, "decay")]),
    "train.fit": Spec(lambda **kw: __import__("gan_utils.train").train.fit(**kw), lambda g: dict(
        gan=build_gan(GANConfig(dataset="ring", hidden=(4,))), batches=data.BatchSampler(g["points"], 8, g["key"]),
        key=g["key"], steps=1), extra=[
        ("steps 2.5", lambda g: dict(steps=2.5), ValueError, "steps"),
        ("minutes nan", lambda g: dict(steps=None, minutes=math.nan), ValueError, "minutes"),
        ("no key", lambda g: dict(key=0), TypeError, "jax.random.key")]),
    "config.GANConfig": Spec(GANConfig, lambda g: dict(dataset="ring"), counts=("batch_size", "latent_dim", "k_disc"),
                             positives=("lr", "d_lr"), extra=[
        ("hidden on a translator", lambda g: dict(dataset="glyphs", hidden=(64, 64)), ValueError,
         "sets the MLP widths"),
        ("toy_points on a translator", lambda g: dict(dataset="glyphs", toy_points=5), ValueError,
         "toy_points belongs")]),
    "config.build_gan": Spec(build_gan, lambda g: dict(config=GANConfig(dataset="ring")), extra=[
        ("a str", lambda g: dict(config="ring"), TypeError, "GANConfig")]),
    # -- rivals (notebook 10)
    "rivals.VAE": Spec(rivals.VAE, lambda g: dict(latent_dim=2, g_base=4, e_base=4, rngs=nnx.Rngs(0)),
                       counts=("latent_dim", "g_base", "e_base")),
    "rivals.Denoiser": Spec(rivals.Denoiser, lambda g: dict(base=4, tdim=4, steps=10, rngs=nnx.Rngs(0)),
                            counts=("base", "tdim")),
    "rivals.Schedule": Spec(rivals.Schedule, lambda g: dict(steps=10), extra=[
        ("steps 1", lambda g: dict(steps=1), ValueError, "steps"),
        ("beta 1.5", lambda g: dict(beta_end=1.5), ValueError, "beta_end")]),
    "rivals.vae_iwae_bound": Spec(rivals.vae_iwae_bound, lambda g: dict(
        vae=rivals.VAE(2, 4, 4, rngs=nnx.Rngs(0)), x=g["digits"], key=g["key"], k=2), images=("x",),
        counts=("k", "batch_size")),
    "rivals.diffusion_bound": Spec(rivals.diffusion_bound, lambda g: dict(
        model=rivals.Denoiser(4, 4, 10, rngs=nnx.Rngs(0)), schedule=rivals.Schedule(10), x=g["digits"], key=g["key"],
        t_samples=2), images=("x",), counts=("batch_size",)),
    "rivals.ddim_sample": Spec(rivals.ddim_sample, lambda g: dict(
        model=rivals.Denoiser(4, 4, 10, rngs=nnx.Rngs(0)), schedule=rivals.Schedule(10), key=g["key"], n=2, steps=2),
        counts=("n", "steps", "batch_size")),
    "rivals.train_for": Spec(rivals.train_for, lambda g: dict(
        model=rivals.VAE(2, 4, 4, rngs=nnx.Rngs(0)), loss_fn=rivals.vae_loss, images=g["digits"], key=g["key"],
        seconds=0.1, batch_size=2), images=("images",), counts=("batch_size",), positives=("seconds",)),
    "rivals.budget_run": Spec(rivals.budget_run, lambda g: dict(model="vae", seed=0, seconds=0.1, marks=(0.1,)),
                              extra=[("unknown model", lambda g: dict(model="gan2"), ValueError, "model"),
                                     ("n_samples 2", lambda g: dict(n_samples=2), ValueError, "n_samples"),
                                     ("ema 1", lambda g: dict(ema=1.0), ValueError, "ema must be")]),
    "rivals.averaged_vae_run": Spec(rivals.averaged_vae_run, lambda g: dict(
        race_run={"steps_total": 2, "scores": [{"fid": 1.0}]}, seed=0, n_samples=8), extra=[
        ("not a race run", lambda g: dict(race_run={"fid": 1.0}), ValueError, "race_run must be one VAE run")]),
    "rivals.race": Spec(rivals.race, lambda g: dict(seeds=(0,), seconds=0.1, marks=(0.1,)), extra=[
        ("marks past the budget", lambda g: dict(marks=(1.0,)), ValueError, "marks")]),
    "rivals.load_rival": Spec(rivals.load_rival, lambda g: dict(model="vae", state={}), extra=[
        ("unknown model", lambda g: dict(model="gan"), ValueError, "model")]),
    "rivals.bits_per_dim": Spec(rivals.bits_per_dim, lambda g: dict(neg_elbo_nats=100.0), extra=[
        ("a str", lambda g: dict(neg_elbo_nats="100"), TypeError, "number")]),
    "rivals.dequantize": Spec(rivals.dequantize, lambda g: dict(key=g["key"], x=g["digits"]), images=("x",),
                              skip=("x: empty", "x: no batch axis")),   # any shape: it maps pixel values
    # -- doctor
    # (NaN samples are what the doctor diagnoses: its signals report them as "nonfinite", not an error)
    "doctor.toy_signals": Spec(doctor.toy_signals, lambda g: dict(samples=g["points"], mixture=g["ring"]), extra=[
        ("a list of points", lambda g: dict(samples=[1.0, 2.0]), ValueError, "shape|points")]),
    "doctor.mnist_signals": Spec(doctor.mnist_signals, lambda g: dict(images=g["digits"], fid=False),
                                 images=("images",), uint8_ok=("images",), skip=("images: NaN",)),
    "doctor.glyph_signals": Spec(doctor.glyph_signals, lambda g: dict(generator=g["cycle_g"], pairs=g["pairs"]),
                                 extra=[("not pairs", lambda g: dict(pairs=g["glyphs"]), TypeError, "GlyphPairs")]),
    "doctor.training_signals": Spec(doctor.training_signals, lambda g: dict(history={"d_loss": [0.5]}), extra=[
        ("not a dict", lambda g: dict(history=[0.5]), TypeError, "dict")]),
    "doctor.diagnose": Spec(doctor.diagnose, lambda g: dict(history={"d_loss": [0.5]}), extra=[
        ("unknown d_loss", lambda g: dict(d_loss="bc"), ValueError, "d_loss")]),
    # -- widgets and plots that take images or numbers
    # (gaussian_blur blurs values of any range, one image or a batch: only NaN and empty input are refused)
    "widgets.gaussian_blur": Spec(widgets.gaussian_blur, lambda g: dict(images=g["digits"], sigma=1.0),
                                  nonnegatives=("sigma",), extra=[
        ("nan", lambda g: dict(images=np.full((2, 4, 4, 1), np.nan)), ValueError, "NaN"),
        ("empty", lambda g: dict(images=g["digits"][:0]), ValueError, "gaussian_blur needs images")]),
    "widgets.degrade_images": Spec(widgets.degrade_images, lambda g: dict(images=g["digits_u8"], n=4),
                                   counts=("n", "digits"), nonnegatives=("blur", "noise")),
    "widgets.interpolate_latents": Spec(widgets.interpolate_latents, lambda g: dict(z0=np.ones(2), z1=-np.ones(2),
                                                                                    t=0.5), extra=[
        ("unknown method", lambda g: dict(method="cubic"), ValueError, "slerp")]),
    "widgets.edit_digit": Spec(widgets.edit_digit, lambda g: dict(image=g["digits"][0], edit="blur", amount=0.5),
                               extra=[("unknown edit", lambda g: dict(edit="zoom"), ValueError, "edit")]),
    "widgets.draw_brush_text": Spec(widgets.draw_brush_text, lambda g: dict(generator=g["cycle_g"], text="生成"),
                                    counts=("max_chars",)),
    "widgets.brush_writer": Spec(widgets.brush_writer, lambda g: dict(generator=g["cycle_g"]),
                                 counts=("max_chars",)),
    "widgets.draw_style_path": Spec(widgets.draw_style_path, lambda g: dict(generator=g["style_g"], text="生成"),
                                    counts=("max_chars", "points")),
    "widgets.DrawingCanvas": Spec(widgets.DrawingCanvas, lambda g: dict(), counts=("size", "resolution"),
                                  positives=("brush",)),
    "plots.image_grid": Spec(plots.image_grid, lambda g: dict(images=g["digits"]), extra=[
        ("nan", lambda g: dict(images=np.full((2, 4, 4, 1), np.nan)), ValueError, "NaN"),
        ("nrow 0", lambda g: dict(nrow=0), ValueError, "nrow")]),
    "plots.save_image_grid": Spec(plots.save_image_grid, lambda g: dict(path=g["tmp"] / "never-written.png",
                                                                        images=g["digits"]), extra=[
        ("nan", lambda g: dict(images=np.full((2, 4, 4, 1), np.nan)), ValueError, "NaN"),
        ("scale 0", lambda g: dict(scale=0), ValueError, "scale")]),
    "playground.PlaygroundConfig": Spec(playground.PlaygroundConfig, lambda g: dict(),
                                        counts=("g_layers", "g_width", "d_layers", "d_width"), extra=[
        ("unknown data", lambda g: dict(data="spiral"), ValueError, "data")]),
    "playground.train_seeds": Spec(playground.train_seeds, lambda g: dict(config=playground.PlaygroundConfig(),
                                                                          seeds=(0,), steps=1, n_eval=10),
                                   counts=("n_eval", "chunk"), extra=[   # steps = 0: the untrained runs, measured
        ("no seeds", lambda g: dict(seeds=()), ValueError, "seeds"),
        ("steps 2.5", lambda g: dict(steps=2.5), ValueError, "steps"), ("steps -1", lambda g: dict(steps=-1),
                                                                          ValueError, "steps")]),
    "playground.toy_data": Spec(playground.toy_data, lambda g: dict(config=playground.PlaygroundConfig()),
                                counts=("n",)),
    # -- the style-based generator (notebook 14)
    "stylegan.SlowLinear": Spec(stylegan.SlowLinear, lambda g: dict(c_in=2, c_out=2, lr_mul=0.01, rngs=nnx.Rngs(0)),
                                counts=("c_in", "c_out"), positives=("lr_mul",), extra=[
        ("lr_mul 2", lambda g: dict(lr_mul=2.0), ValueError, "lr_mul")]),
    "stylegan.MappingNetwork": Spec(stylegan.MappingNetwork, lambda g: dict(latent_dim=4, w_dim=4, layers=2,
                                                                            rngs=nnx.Rngs(0)),
                                    counts=("latent_dim", "w_dim", "layers")),
    "stylegan.ModulatedConv": Spec(stylegan.ModulatedConv, lambda g: dict(c_in=2, c_out=2, w_dim=2, rngs=nnx.Rngs(0)),
                                   counts=("c_in", "c_out", "w_dim", "kernel")),
    "stylegan.StyleGenerator": Spec(stylegan.StyleGenerator, lambda g: dict(latent_dim=4, w_dim=4, base=4,
                                                                            rngs=nnx.Rngs(0)),
                                    counts=("latent_dim", "w_dim", "base", "mapping_layers"),
                                    nonnegatives=("mixing",), extra=[
        ("base 2", lambda g: dict(base=2), ValueError, "base must be at least 4")]),
    "stylegan.truncate": Spec(stylegan.truncate, lambda g: dict(w=np.zeros((2, 4), np.float32),
                                                                w_mean=np.zeros(4, np.float32), psi=0.7),
                              nonnegatives=("psi",), extra=[("psi 2", lambda g: dict(psi=2.0), ValueError, "psi")]),
    **{f"widgets.{n}": Spec(getattr(widgets, n), lambda g: dict(generator=stylegan.StyleGenerator(
        latent_dim=4, w_dim=4, base=4, rngs=nnx.Rngs(0))), extra=[
        ("a DCGAN generator", lambda g: dict(generator=g["style_g"]), TypeError, "stylegan.StyleGenerator"),
        ("cut 0", lambda g: dict(cut=0), ValueError, "cut"), ("cut 6", lambda g: dict(cut=6), ValueError, "1..5"),
        ("cut 2.5", lambda g: dict(cut=2.5), ValueError, "integer")]) for n in ("draw_style_mix", "style_mixer")},
    # -- little data (notebook 14)
    "data.subset_indices": Spec(data.subset_indices, lambda g: dict(n=600), counts=("n", "total")),
    **{f"augment.{n}": Spec(getattr(augment, n), lambda g: dict(x=g["digits"], key=g["key"]), images=("x",))
       for n in ("brightness", "contrast")},
    **{f"augment.{n}": Spec(getattr(augment, n), lambda g: dict(x=g["digits"], key=g["key"]), images=("x",),
                            positives=("ratio",), extra=[
        ("ratio 2", lambda g: dict(ratio=2.0), ValueError, "ratio")]) for n in ("translation", "cutout")},
    "augment.apply": Spec(augment.apply, lambda g: dict(x=g["digits"], key=g["key"], p=0.5), images=("x",),
                          nonnegatives=("p",), extra=[
        ("p 1.5", lambda g: dict(p=1.5), ValueError, "p must"),
        ("unknown op", lambda g: dict(ops=("rotate",)), ValueError, "choose from"),
        ("points", lambda g: dict(x=g["points"]), ValueError, "augment='none'")]),
    "augment.ada_update": Spec(augment.ada_update, lambda g: dict(state=augment.AdaState(), mean_sign=0.5, n=64,
                                                                   target=0.6, kimg=20.0),
                               counts=("n", "interval"), positives=("kimg", "target"), extra=[
        ("target 1", lambda g: dict(target=1.0), ValueError, "target"),
        ("not a state", lambda g: dict(state=0.5), TypeError, "AdaState")]),
}

# Public callables with no images, counts or numbers to check (or whose only input is a path or a name, checked and
# tested in their own module's tests): each with the reason.
_PATH = "takes a path; its errors are the checkpoint module's (tests/test_checkpoint.py, test_robustness.py)"
_MODULE = "takes a built module or model, not data or numbers"
_ENV = "reads the environment or the machine; no argument a learner passes"
_UI = ("a widget or a drawing callback; its numbers come from the widget's own controls, checked by the functions "
       "it calls")
NO_CHECKED_INPUTS = {
    **{f"checkpoint.{n}": _PATH for n in ("save", "restore", "load_meta", "save_module", "load_module", "load_gan",
                                           "load_pretrained", "pretrained_dir", "export_weights", "resolve",
                                           "atomic_file", "lock", "check_target")},
    "checkpoint.Networks": "the container of an export's networks; built by checkpoint.export_weights",
    **{f"course.{n}": _ENV for n in ("install_source", "where", "requirements", "unmet_requirements", "jax_build",
                                      "setup", "top_to_bottom", "style", "colab_url")},
    **{f"devices.{n}": _MODULE if n in ("uses_convolutions", "default_fuse", "scan_unroll", "jit_step") else _ENV
       for n in ("compiler_options", "data_parallel_shardings", "jit_step", "uses_convolutions", "default_fuse",
                 "scan_unroll", "enable_compilation_cache")},
    **{f"precomputed.{n}": "reads or writes the course's records of heavy runs (tests/test_precomputed.py)"
       for n in ("run_or_load", "load", "save", "describe", "rerun_requested", "machine_record", "same_platform",
                 "read_rows", "append_row", "read_arrays", "write_arrays")},
    "data.mnist_dir": _ENV, "data.read_idx": "reads a file's bytes (tests/test_data.py: truncated, wrong magic)",
    "config.check_field_types": "the type check GANConfig runs on itself (its probes are GANConfig's)",
    "config.command_line_defaults": "fills the command line's defaults into a dict the command line built",
    "options.StepOptions": "the same class as steps.StepOptions (probed there)",
    "exercises.check": "grades a learner's answers (tests/test_exercises.py, test_careless_scripts.py)",
    "exercises.grade": "grades a learner's answers (tests/test_exercises.py, test_careless_scripts.py)",
    **{f"exercises.{n}": "takes a student id, refused unless text or a whole number (tests/test_exercise_variants.py)"
       for n in ("student", "numbers", "show_numbers", "answer_key")},
    "metrics.MnistClassifier": _MODULE, "metrics.load_classifier": _PATH, "metrics.classifier_meta": _PATH,
    "translation.load_style_classifier": _PATH, "styles.load_font_classifier": _PATH,
    "reader.load_reader": _PATH, "reader.reader_record": _PATH,
    "reader.save_reader": "writes a reader the training script built (checkpoint.save_module's guards apply)",
    "styles.load_hand_classifier": _PATH, "cycle.load_pretrained": _PATH,
    "styles.style_examples": "takes a GlyphStyles the loader made (its arrays are checked on loading)",
    "models.count_params": _MODULE, "models.inference_copy": _MODULE, "models.takes_labels": _MODULE,
    "models.format_layer_table": "formats the rows layer_table made",
    "models.generator_inputs": "the internal call convention of models.sample (probed there)",
    "models.ClusterPrior": "an nnx.Variable of cluster shares, set by re-clustering (clusters.SelfConditioning)",
    "cycle.cycle_losses": "the losses traced inside the compiled cycle step; its weights are make_cycle_step's",
    "losses.generator_loss_none": "ignores its logits by design (notebook 11's \"L1 only\" objective)",
    "rivals.vae_loss": "a loss traced inside the jitted step: the images are train_for's (probed there)",
    "rivals.diffusion_loss": "a loss traced inside the jitted step: the images are train_for's (probed there)",
    "steps.train_step": "the pure step traced by make_train_step (probed there); its arrays are traced values",
    "steps.discriminator_step": "a piece of the pure step (steps.make_train_step is probed)",
    "steps.generator_step": "a piece of the pure step (steps.make_train_step is probed)",
    "steps.discriminator_update": "a piece of the pure step (steps.make_train_step is probed)",
    "steps.generator_forward": "a piece of the pure step (steps.make_train_step is probed)",
    "steps.generator_update": "a piece of the pure step (steps.make_train_step is probed)",
    "train.FitResult": "the record fit returns",
    "doctor.Diagnosis": "the record diagnose returns", "doctor.diagnose_gan": _MODULE,
    "doctor.diagnose_run": _PATH, "doctor.Doctor": "a fit callback built from a GANConfig (probed as GANConfig)",
    "plots.D_CMAP": "a colour map", "plots.offline_player": "wraps HTML the course made",
    **{f"plots.{n}": "draws on a Matplotlib axis what the caller computed; the arrays come from functions probed here"
       for n in ("show_images", "plot_losses", "plot_history", "plot_density_1d", "plot_2d", "animate",
                 "show_image_row", "glyph_rows")},
    **{f"widgets.{n}": _UI for n in ("LiveTraining", "SnapshotBox", "figure_png", "interactive_figure",
                                      "latent_directions", "draw_interpolation", "latent_interpolation",
                                      "draw_latent_explorer", "latent_explorer", "draw_discriminator_view",
                                      "discriminator_verdict", "draw_metric_explorer", "metric_explorer",
                                      "patch_geometry", "BrushView", "style_explorer")},
    **{f"playground.{n}": _UI for n in ("ToyGAN", "Playground", "draw_frame")},
    "clusters.SelfConditioning": None,
    "augment.AdaState": "ADA's state, built without arguments (GAN(..., ada=True) does)",
}
NO_CHECKED_INPUTS = {k: v for k, v in NO_CHECKED_INPUTS.items() if v is not None and k not in SPECS}


def _public_callables() -> set[str]:
    names = set()
    for m in pkgutil.iter_modules([str(PKG)]):
        if m.name.startswith("_"):
            continue
        mod = importlib.import_module(f"gan_utils.{m.name}")
        for n in getattr(mod, "__all__", ()):
            obj = getattr(mod, n)
            if callable(obj) and not (isinstance(obj, type) and issubclass(obj, BaseException)):
                names.add(f"{m.name}.{n}")
    return names


def test_every_public_function_is_in_the_table():
    """A public function or class added to gan_utils without a row here fails: give it a Spec (its good arguments
    and the parameters to probe) or, if it takes no images, counts or numbers, a reason in NO_CHECKED_INPUTS."""
    public = _public_callables()
    listed = set(SPECS) | set(NO_CHECKED_INPUTS)
    assert not public - listed, f"not in tests/test_input_checks.py's table: {sorted(public - listed)}"
    assert not listed - public, f"in the table but not public (renamed?): {sorted(listed - public)}"
    assert len(SPECS) >= 150, "the table is meant to probe most of the API"


# -- the careless inputs --------------------------------------------------------------------------------------------

def _bad_images(good):
    """(label, bad value, exceptions, regex) for an image parameter whose good value is ``good``."""
    good = np.asarray(good)
    pixels = np.round((good + 1) * 127.5)
    nan = good.copy()
    nan.flat[0] = np.nan
    return [("uint8", pixels.astype(np.uint8), (TypeError,), "to_unit_range|uint8|floats in"),
            ("0-255 floats", pixels.astype(np.float32), (ValueError,), r"\[-1, 1\]"),
            ("NaN", nan, (ValueError,), "NaN"),
            ("empty", good[:0], (ValueError,), "N = 0|no |at least|N >= 1"),
            ("no batch axis", good[0], (ValueError,), "shape|batch")]


_BAD_COUNTS = [("0", 0), ("2.5", 2.5), ("True", True), ("-3", -3), ("'4'", "4")]
_BAD_POSITIVES = [("NaN", math.nan), ("-1", -1.0), ("0", 0.0), ("inf", math.inf), ("'0.5'", "0.5")]
_BAD_NONNEGATIVES = [("NaN", math.nan), ("-1", -1.0), ("inf", math.inf), ("'0.5'", "0.5")]


@dataclass
class Probe:
    spec: str
    label: str
    changes: object        # g -> dict of arguments replacing the good ones
    errors: tuple
    regex: str


def _probes() -> list[Probe]:
    out = []
    for name, spec in SPECS.items():
        for p in spec.images:
            for i, (label, *_rest) in enumerate(_bad_images(np.zeros((2, 2, 2, 1), np.float32))):
                if (label == "uint8" and p in spec.uint8_ok) or (label == "empty" and p in spec.empty_ok) \
                        or f"{p}: {label}" in spec.skip:
                    continue
                out.append(Probe(name, f"{p}: {label}",
                                 lambda g, p=p, i=i, spec=spec: {p: _bad_images(spec.args(g)[p])[i][1]},
                                 None, f"images:{i}"))
        for p in spec.counts:
            out += [Probe(name, f"{p} = {label}", lambda g, p=p, v=v: {p: v}, (ValueError, TypeError), p)
                    for label, v in _BAD_COUNTS]
        for p in spec.positives:
            out += [Probe(name, f"{p} = {label}", lambda g, p=p, v=v: {p: v}, (ValueError, TypeError), p)
                    for label, v in _BAD_POSITIVES]
        for p in spec.nonnegatives:
            out += [Probe(name, f"{p} = {label}", lambda g, p=p, v=v: {p: v}, (ValueError, TypeError), p)
                    for label, v in _BAD_NONNEGATIVES]
        for label, changes, errors, regex in spec.extra:
            out.append(Probe(name, label, changes, errors if isinstance(errors, tuple) else (errors,), regex))
    return out


PROBES = _probes()


@pytest.mark.parametrize("probe", PROBES, ids=[f"{p.spec}[{p.label}]" for p in PROBES])
def test_a_careless_input_gets_a_clear_error_from_the_course(probe, good):
    spec = SPECS[probe.spec]
    kwargs = {**spec.args(good), **probe.changes(good)}
    errors, regex = probe.errors, probe.regex
    if regex.startswith("images:"):
        _, _, errors, regex = _bad_images(spec.args(good)[probe.label.split(":")[0]])[int(regex[7:])]
    with pytest.raises(Exception) as info:
        spec.fn(**kwargs)
    e = info.value
    assert isinstance(e, errors + (IndexError, KeyError)) if errors != (Exception,) else True, \
        f"{type(e).__name__}: {e}"
    message = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
    assert re.search(regex, message), f"the message does not say {regex!r}: {message}"
    assert "\n" not in message.strip() and 15 < len(message) < 600, f"not one clear line: {message!r}"
    # raised by the course's own code, not from deep inside NumPy or JAX
    frames = traceback.extract_tb(e.__traceback__)
    assert Path(frames[-1].filename).resolve().is_relative_to(PKG), \
        f"raised in {frames[-1].filename}:{frames[-1].lineno}, not by gan_utils: {type(e).__name__}: {message}"


# -- the cases of issue #68 that are not one function's argument ----------------------------------------------------

def test_replace_builds_what_the_same_arguments_build():
    """GANConfig(dataset='ring', lr=1e-2) and GANConfig(dataset='ring').replace(lr=1e-2) trained D at 1e-2 and 1e-3."""
    assert GANConfig(dataset="ring").replace(lr=1e-2) == GANConfig(dataset="ring", lr=1e-2)
    assert GANConfig(dataset="ring").replace(lr=1e-2).d_lr is None               # D at G's rate, as constructed
    assert GANConfig(dataset="ring", d_lr=5e-4).replace(lr=1e-2).d_lr == 5e-4     # a rate given is kept
    assert GANConfig(dataset="ring").replace(seed=3) == GANConfig(dataset="ring", seed=3)


def test_ctrl_c_is_heard_while_the_first_step_compiles():
    """XLA compiles the first step in C++, where Python delivers no KeyboardInterrupt until it returns: fit waits for
    it in short slices, so the interrupt lands at once (here a worker blocked for 5 s stands for the compiler)."""
    import signal
    import threading
    import time
    from gan_utils import train
    release = threading.Event()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)   # pytest-xdist's workers ignore SIGINT
    try:
        threading.Timer(0.3, lambda: signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)).start()
        t0 = time.perf_counter()
        with pytest.raises(KeyboardInterrupt):
            train._interruptible(lambda: release.wait(5.0))
        assert time.perf_counter() - t0 < 2.0
    finally:
        signal.signal(signal.SIGINT, previous)
    release.set()
    assert train._interruptible(lambda x: x + 1, 1) == 2                          # results and errors come back
    with pytest.raises(ZeroDivisionError):
        train._interruptible(lambda: 1 / 0)


def test_sample_writes_a_page_of_glyphs_and_refuses_a_pasted_book(tmp_path, capsys):
    from gan_utils.__main__ import GLYPH_SAMPLES, main
    out = tmp_path / "glyphs.npz"
    assert main(["sample", "--pretrained", "glyphs", "--out", str(out)]) == 0
    assert len(np.load(out)["samples"]) == GLYPH_SAMPLES < 376                   # not all 376 held-out glyphs
    capsys.readouterr()
    assert main(["sample", "--pretrained", "glyphs", "--chars", "生" * 4000, "--out", str(tmp_path / "b.npz")]) == 2
    err = capsys.readouterr().err
    assert "at most 3,755" in err and not (tmp_path / "b.npz").exists()


def test_images_in_0_1_are_warned_about(good):
    """[0, 1] images pass the range check but read as grey-on-grey (translation_scores gave content 0 and an FID of
    4,070): a warning names the scaling; a batch with a dark background stays silent."""
    x = (good["targets"] + 1) / 2
    with pytest.warns(UserWarning, match=r"images in \[0, 1\]\? .* x \* 2 - 1"):
        translation.ssim(x, x)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        translation.ssim(good["targets"], good["targets"])


def test_sample_and_export_never_replace_what_they_did_not_write(tmp_path, capsys):
    from gan_utils.__main__ import main
    mine = tmp_path / "mydata.npz"
    np.savez(mine, x=np.arange(3))                                              # the learner's own data
    before = mine.read_bytes()
    assert main(["sample", "--pretrained", "glyphs", "--chars", "生", "--out", str(mine)]) == 2
    assert "not a file that `sample` wrote" in capsys.readouterr().err and mine.read_bytes() == before
    ours = tmp_path / "glyphs.npz"
    for _ in range(2):                                                           # its own file it replaces
        assert main(["sample", "--pretrained", "glyphs", "--chars", "生", "--out", str(ours)]) == 0
    assert "(step " in capsys.readouterr().out                                   # which step was sampled
    for name in ("a", "b"):
        assert main(["train", "--dataset", "ring", "--steps", str(3 if name == "a" else 1), "--out",
                     str(tmp_path / name), "--quiet"]) == 0
    assert main(["export", "--checkpoint", str(tmp_path / "a"), "--out", str(tmp_path / "exp")]) == 0
    assert main(["export", "--checkpoint", str(tmp_path / "a"), "--out", str(tmp_path / "exp")]) == 0  # again
    capsys.readouterr()
    assert main(["export", "--checkpoint", str(tmp_path / "b"), "--out", str(tmp_path / "exp")]) == 1
    assert "export of another run, 'a' (step 3)" in capsys.readouterr().err
    from gan_utils import checkpoint
    assert checkpoint.load_meta(tmp_path / "exp")["step"] == 3


def test_sample_of_a_translator_refuses_the_options_it_would_ignore(tmp_path, capsys):
    """--seed (no noise), --n beside --chars, and an --n past the held-out set were ignored or quietly capped."""
    from gan_utils.__main__ import main
    out = str(tmp_path / "g.npz")
    for extra, says in ((["--chars", "生", "--seed", "7"], "drop --seed"),
                        (["--chars", "生成", "--n", "5"], "drop --n"), (["--n", "500"], "held-out set has 376")):
        assert main(["sample", "--pretrained", "glyphs", "--out", out, *extra]) == 2
        assert says in capsys.readouterr().err
    assert not (tmp_path / "g.npz").exists()
