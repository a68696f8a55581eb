import json

import jax
import numpy as np
import pytest
from flax import nnx

from gan_utils import checkpoint, models, steps


def make(seed):
    return steps.GAN(models.DCGANGenerator(base=16, rngs=nnx.Rngs(seed)),
                     models.DCGANDiscriminator(base=8, dropout=0.3, rngs=nnx.Rngs(seed + 1)))


def test_round_trip_restores_everything(tmp_path):
    a = make(0)
    _, state, step = steps.make_train_step(a)
    state, _ = step(state, jax.numpy.zeros((4, 28, 28, 1)), jax.random.key(0))   # non-trivial optimizer state
    nnx.update(a, state)
    key = jax.random.key(42)
    checkpoint.save(tmp_path / "ck", a, step=7, key=key, config={"model": "dcgan"}, history={"d_loss": [1.0]})
    b = make(1)
    step_, key_, meta = checkpoint.restore(tmp_path / "ck", b)
    assert step_ == 7 and meta["config"] == {"model": "dcgan"} and meta["history"] == {"d_loss": [1.0]}
    np.testing.assert_array_equal(jax.random.key_data(key_), jax.random.key_data(key))
    sa, sb = jax.tree_util.tree_leaves(nnx.state(a)), jax.tree_util.tree_leaves(nnx.state(b))
    assert len(sa) == len(sb)
    for x, y in zip(sa, sb):
        if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
            x, y = jax.random.key_data(x), jax.random.key_data(y)
        np.testing.assert_array_equal(x, y)


def test_format_executes_no_code(tmp_path):
    checkpoint.save(tmp_path / "ck", make(0), step=0, key=jax.random.key(0))
    raw = (tmp_path / "ck" / checkpoint.STATE_FILE).read_bytes()
    assert b"pickle" not in raw and not raw.startswith(b"\x80")    # msgpack, not a pickle stream
    json.loads((tmp_path / "ck" / checkpoint.META_FILE).read_text())


def test_overwrite_is_atomic_and_leaves_no_temporaries(tmp_path):
    a = make(0)
    checkpoint.save(tmp_path / "ck", a, step=1, key=jax.random.key(0))
    checkpoint.save(tmp_path / "ck", a, step=2, key=jax.random.key(0))
    assert checkpoint.load_meta(tmp_path / "ck")["step"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck"]


def test_failed_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    a = make(0)
    checkpoint.save(tmp_path / "ck", a, step=1, key=jax.random.key(0))

    def boom(*args, **kw):
        raise OSError("disk full (simulated)")
    monkeypatch.setattr(checkpoint.serialization, "msgpack_serialize", boom)
    with pytest.raises(OSError, match="disk full"):
        checkpoint.save(tmp_path / "ck", a, step=2, key=jax.random.key(0))
    assert checkpoint.load_meta(tmp_path / "ck")["step"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck"]


def test_wrong_model_or_missing_checkpoint_gives_clear_error(tmp_path):
    checkpoint.save(tmp_path / "ck", make(0), step=0, key=jax.random.key(0))
    other = steps.GAN(models.DCGANGenerator(base=32, rngs=nnx.Rngs(0)),
                      models.DCGANDiscriminator(base=8, dropout=0.3, rngs=nnx.Rngs(0)))
    with pytest.raises(checkpoint.CheckpointError, match="shape.*config"):
        checkpoint.restore(tmp_path / "ck", other)
    with pytest.raises(checkpoint.CheckpointError, match="not a gan_utils checkpoint"):
        checkpoint.restore(tmp_path / "nothing", make(0))


def test_ema_gan_saves_loads_and_exports_its_average(tmp_path):
    from gan_utils.config import GANConfig, build_gan
    c = GANConfig(g_base=16, d_base=8, ema=0.5, seed=3)
    gan = build_gan(c)
    _, state, step = steps.make_train_step(gan)
    for i in range(3):
        state, _ = step(state, jax.random.uniform(jax.random.key(i), (4, 28, 28, 1), minval=-1, maxval=1),
                        jax.random.key(10 + i))
    nnx.update(gan, state)
    checkpoint.save(tmp_path / "ck", gan, step=3, key=jax.random.key(0), config=c)
    z = jax.random.normal(jax.random.key(1), (5, 64))

    def draw(g):
        return np.asarray(models.sample(g, None, 5, z=z))

    live, avg = draw(gan.generator), draw(gan.g_ema)
    assert not np.array_equal(live, avg)
    loaded = checkpoint.load_gan(tmp_path / "ck")               # a training checkpoint: g_ema restored
    assert loaded.sampling_generator is loaded.g_ema
    np.testing.assert_array_equal(draw(loaded.g_ema), avg)
    np.testing.assert_array_equal(draw(loaded.generator), live)
    ready = draw(gan.sampler())                                  # g_ema with re-estimated BatchNorm statistics
    assert not np.array_equal(ready, avg)
    checkpoint.export_weights(tmp_path / "ck", tmp_path / "shipped")
    shipped = checkpoint.load_pretrained(tmp_path / "shipped")  # weights only: the average is the generator
    assert checkpoint.load_meta(tmp_path / "shipped")["module"] == "Networks"
    for g in (shipped.generator, shipped.sampling_generator, shipped.sampler()):   # re-estimating is idempotent
        np.testing.assert_array_equal(draw(g), ready)
    for a, b in zip(jax.tree_util.tree_leaves(nnx.state(shipped.generator, nnx.Param)),
                    jax.tree_util.tree_leaves(nnx.state(gan.g_ema, nnx.Param))):
        np.testing.assert_array_equal(a, b)                      # the averaged weights themselves
