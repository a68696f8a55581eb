"""GANConfig: the one typed recipe that the command line, checkpoints and the pretrained weights share."""
import json

import jax
import numpy as np
import pytest
from flax import nnx

from gan_utils import checkpoint, data, models, train
from gan_utils.config import GANConfig, build_gan


def test_defaults_follow_the_dataset():
    assert (GANConfig().model, GANConfig().latent_dim) == ("dcgan", 64)
    ring = GANConfig(dataset="ring")
    assert (ring.model, ring.latent_dim, ring.data_dim, ring.hidden) == ("mlp", 2, 2, (256, 256))
    assert GANConfig(model="mlp").data_dim == 784


def test_round_trip_through_json():
    c = GANConfig(dataset="grid", lr=1e-3, hidden=[64, 32], seed=7)
    back = GANConfig.from_dict(json.loads(json.dumps(c.to_dict())))
    assert back == c and back.hidden == (64, 32)
    assert c.replace(seed=8).seed == 8 and c.seed == 7


def test_the_shipped_config_reads_back():
    meta = checkpoint.load_meta(checkpoint.PRETRAINED_DIR)
    c = GANConfig.from_dict(meta["config"])
    assert c.model == "dcgan" and c.dataset == "mnist" and c.to_dict()["lr"] == meta["config"]["lr"]


@pytest.mark.parametrize("bad, match", [
    (dict(dataset="cifar"), "unknown dataset"),
    (dict(model="resnet"), "unknown model"),
    (dict(dataset="ring", model="dcgan"), "model 'mlp'"),
    (dict(batch_size=0), "batch_size must be a positive"),
    (dict(lr=-1.0), "lr must be positive"),
    (dict(b1=1.0), r"b1 \(Adam's beta1\)"),
    (dict(dropout=1.5), "dropout"),
])
def test_bad_values_name_the_fix(bad, match):
    with pytest.raises(ValueError, match=match):
        GANConfig(**bad)


def test_unknown_keys_are_refused():
    with pytest.raises(ValueError, match="unknown config keys.*'lr_g'"):
        GANConfig.from_dict({"model": "dcgan", "lr_g": 1e-3})


def test_build_gan_from_a_config_or_its_dict_is_the_same_network():
    c = GANConfig(dataset="ring", hidden=(16, 16), seed=3, lr=1e-3, b1=0.9)
    a, b = build_gan(c), build_gan(c.to_dict())
    for x, y in zip(jax.tree_util.tree_leaves(nnx.state(a, nnx.Param)), jax.tree_util.tree_leaves(nnx.state(b, nnx.Param))):
        np.testing.assert_array_equal(x, y)
    assert [l.out_features for l in a.generator.hidden] == [16, 16]
    assert isinstance(a.generator, models.MLPGenerator) and a.latent_dim == 2


def test_fit_saves_the_config_and_load_gan_rebuilds_it(tmp_path):
    c = GANConfig(dataset="ring", hidden=(8, 8), seed=1)
    gan = build_gan(c)
    x = np.asarray(data.ring().sample(jax.random.key(0), 256))
    calls = []
    train.fit(gan, data.BatchSampler(x, 32, jax.random.key(1)), key=jax.random.key(2), steps=25, fuse=10,
              callbacks=[lambda step, g, h: calls.append(step)], callback_every=10,
              checkpoint_dir=str(tmp_path / "ck"), config=c, progress=False)
    assert calls == [10, 20, 25]   # at each crossing, and once at the end (never twice for one step)
    assert checkpoint.load_meta(tmp_path / "ck")["config"] == c.to_dict()
    loaded = checkpoint.load_gan(tmp_path / "ck")
    z = np.zeros((3, 2), np.float32)
    np.testing.assert_array_equal(models.sample(loaded.generator, None, 3, z=z), models.sample(gan.generator, None, 3, z=z))
