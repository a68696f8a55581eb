"""The recipe options of GANConfig (loss, TTUR, beta2, R1, EMA, model sizes): the defaults and the recipe before the
search build the networks notebooks build by hand, and a run that uses all of them trains, checkpoints, exports and
samples its weight average."""
import jax
import numpy as np
import pytest
from flax import nnx

from gan_utils import checkpoint, data, models, steps, train
from gan_utils.__main__ import make_parser
from gan_utils.config import BEFORE_OPTIONS, GANConfig, build_gan

NEW_OPTIONS = ("loss", "d_lr", "b2", "r1", "ema", "g_base", "d_base", "g_extra", "penalty", "penalty_weight",
               "spectral_norm", "minibatch_std", "pack")


def leaves(tree):
    out = []
    for x in jax.tree_util.tree_leaves(tree):
        out.append(jax.random.key_data(x) if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key) else x)
    return out


def assert_same(a, b):
    la, lb = leaves(a), leaves(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        np.testing.assert_array_equal(x, y)


def hand_built_gan(seed=0, *, lr, g_base, d_base):
    """The course GAN built by hand from models and steps, as notebooks 03-05 do."""
    rngs = nnx.Rngs(seed)
    g = models.DCGANGenerator(latent_dim=64, base=g_base, rngs=rngs)
    d = models.DCGANDiscriminator(base=d_base, dropout=0.0, rngs=rngs)
    return steps.GAN(g, d, g_lr=lr, d_lr=lr, b1=0.5)


@pytest.mark.parametrize("config, by_hand", [
    (GANConfig(), dict(lr=1e-3, g_base=64, d_base=32)),                          # today's defaults (the search's)
    (GANConfig(lr=2e-4, **BEFORE_OPTIONS), dict(lr=2e-4, g_base=128, d_base=64)),  # the recipe before the search
])
def test_config_builds_the_hand_built_gan_and_step(config, by_hand):
    gan, ref = build_gan(config), hand_built_gan(**by_hand)
    assert set(nnx.state(gan).to_pure_dict()) == {"generator", "discriminator", "g_opt", "d_opt"}
    assert gan.g_ema is None and gan.sampling_generator is gan.generator
    assert_same(nnx.state(gan), nnx.state(ref))
    real = jax.random.uniform(jax.random.key(0), (8, 28, 28, 1), minval=-1, maxval=1)
    _, s1, step1 = steps.make_train_step(gan, **config.step_options())
    _, s2, step2 = steps.make_train_step(ref)
    (s1, m1), (s2, _) = step1(s1, real, jax.random.key(1)), step2(s2, real, jax.random.key(1))
    assert_same(s1, s2)                                        # same learning rate: same first update
    assert set(m1) == {"d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm"}


def test_toy_data_take_notebook_07s_recipe_and_mnist_keeps_the_searchs_rate():
    assert GANConfig().lr == 1e-3 and GANConfig().d_lr is None
    ring = GANConfig(dataset="ring")
    assert (ring.lr, ring.d_lr, ring.batch_size, ring.hidden) == (3e-3, 1e-3, 256, (128, 128, 128))
    assert (GANConfig(dataset="grid", lr=1e-3).lr == 1e-3
            and GANConfig(dataset="grid", lr=1e-3).d_lr is None)  # lr alone: D at lr too


@pytest.mark.parametrize("kind", sorted(checkpoint.PRETRAINED_KINDS))
def test_shipped_weights_are_the_network_their_config_describes(kind, monkeypatch):
    monkeypatch.delenv("GAN_UTILS_PRETRAINED_DIR", raising=False)
    gan = checkpoint.load_pretrained(kind=kind)
    folder = checkpoint.pretrained_dir(kind)
    config = GANConfig.from_dict(checkpoint.load_meta(folder)["config"])
    ref = build_gan(config.replace(ema=0.0))                  # the shipped generator is the average itself, if any
    checkpoint.load_module(folder, checkpoint.Networks(ref.generator, ref.discriminator))
    assert_same(nnx.state(gan.generator), nnx.state(ref.generator))
    if config.dataset == "glyphs":   # a translator: the same glyphs in, the same translations out
        source = data.to_unit_range(data.load_glyphs("test", size=config.glyph_size, n=16).source)
        np.testing.assert_array_equal(models.translate(gan.generator, source), models.translate(ref.generator, source))
        return
    z = jax.random.normal(jax.random.key(0), (16, gan.latent_dim))
    labels = models.class_labels(16, 10) if config.conditional else None
    np.testing.assert_array_equal(models.sample(gan.generator, None, 16, z=z, labels=labels),
                                  models.sample(ref.generator, None, 16, z=z, labels=labels))


def test_the_default_pretrained_generator_is_the_self_conditioned_one(monkeypatch):
    monkeypatch.delenv("GAN_UTILS_PRETRAINED_DIR", raising=False)
    assert checkpoint.pretrained_dir() == checkpoint.PRETRAINED_DIR == checkpoint.PRETRAINED_SELFCOND_DIR
    assert isinstance(checkpoint.load_pretrained().generator, models.SelfConditionedGenerator)
    assert isinstance(checkpoint.load_pretrained(kind="dcgan").generator, models.DCGANGenerator)
    with pytest.raises(ValueError, match="selfcond"):
        checkpoint.load_pretrained(kind="plain")
    with pytest.raises(TypeError, match="kind='conditional'"):
        checkpoint.load_pretrained(conditional=True)
    with pytest.raises(ValueError, match="not both"):
        checkpoint.load_pretrained(checkpoint.PRETRAINED_DCGAN_DIR, kind="dcgan")


def test_cli_train_options_default_to_the_config():
    args = make_parser().parse_args(["train", "--steps", "1", "--out", "x"])
    default = GANConfig()
    for name in NEW_OPTIONS:
        assert getattr(args, name) == getattr(default, name), name
    args = make_parser().parse_args(["train", "--steps", "1", "--out", "x", "--loss", "hinge", "--d-lr", "4e-4",
                                     "--b2", "0.99", "--r1", "1", "--ema", "0.999", "--g-base", "64",
                                     "--d-base", "32", "--g-extra", "2"])
    assert (args.loss, args.d_lr, args.b2, args.r1, args.ema, args.g_base, args.d_base, args.g_extra) == \
        ("hinge", 4e-4, 0.99, 1.0, 0.999, 64, 32, 2)
    with pytest.raises(SystemExit):
        make_parser().parse_args(["train", "--steps", "1", "--out", "x", "--loss", "wasserstein"])


def test_a_run_with_every_option_trains_reloads_and_ships_its_average(tmp_path):
    x = data.to_unit_range(data.load_mnist("train", n=512)[0])
    c = GANConfig(loss="hinge", d_lr=4e-4, b2=0.99, r1=1.0, ema=0.9, g_base=16, d_base=8, g_extra=1,
                  batch_size=16, seed=1)
    gan = build_gan(c)
    batches = data.BatchSampler(x, c.batch_size, jax.random.key(2))
    r = train.fit(gan, batches, key=jax.random.key(3), steps=6, checkpoint_dir=str(tmp_path / "ck"), config=c,
                  progress=False)   # the config carries the recipe (here its R1 weight) into the step
    assert r.step == 6 and len(r.history["r1_penalty"]) == 6
    assert np.all(np.isfinite(r.history["d_loss"])) and np.all(np.isfinite(r.history["g_loss"]))
    z = jax.random.normal(jax.random.key(4), (4, 64))
    before = leaves(nnx.state(gan))
    avg = np.asarray(models.sample(gan.sampler(), None, 4, z=z))
    for a, b in zip(before, leaves(nnx.state(gan))):          # sampling leaves the run untouched
        np.testing.assert_array_equal(a, b)
    loaded = checkpoint.load_gan(tmp_path / "ck")
    assert_same(nnx.state(loaded), nnx.state(gan))
    checkpoint.export_weights(tmp_path / "ck", tmp_path / "shipped")
    shipped = checkpoint.load_pretrained(tmp_path / "shipped")
    np.testing.assert_array_equal(models.sample(shipped.generator, None, 4, z=z), avg)


def test_sampler_is_the_generator_itself_without_ema():
    gan = build_gan(GANConfig(dataset="ring", hidden=(8, 8)))
    assert gan.sampler() is gan.generator
    ema = build_gan(GANConfig(dataset="ring", hidden=(8, 8), ema=0.9))
    assert ema.sampler() is not ema.g_ema                     # a copy (MLPs have no BatchNorm to re-estimate)
    assert_same(nnx.state(ema.sampler()), nnx.state(ema.g_ema))
