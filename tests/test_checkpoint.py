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


# -- issue #50: signals, processes, names and damaged files -----------------------------------------------------------

def _ring_save(path, step=1, history=None):
    from gan_utils.config import GANConfig, build_gan
    config = GANConfig(dataset="ring", hidden=(8,), seed=1)
    checkpoint.save(path, build_gan(config), step=step, key=jax.random.key(0), config=config, history=history)


def test_a_signal_during_a_save_waits_for_the_save(tmp_path, monkeypatch):
    """A second Ctrl-C (or a SIGTERM) while the checkpoint is written: the save completes, then the interrupt."""
    import os
    import signal
    _ring_save(tmp_path / "ck", step=1)
    # Python's own Ctrl-C handler, whatever an earlier test in this process (a browser driver) left installed
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    real_fsync, sent = os.fsync, []

    def fsync_then_ctrl_c(fd):
        real_fsync(fd)
        if not sent:                                   # mid-save: after the first file, before the renames
            sent.append(1)
            signal.raise_signal(signal.SIGINT)
    monkeypatch.setattr(checkpoint.os, "fsync", fsync_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        _ring_save(tmp_path / "ck", step=2)
    monkeypatch.undo()
    assert sent and checkpoint.load_meta(tmp_path / "ck")["step"] == 2   # written whole, then interrupted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck"]
    try:
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_second_process_on_one_checkpoint_is_refused_naming_the_first(tmp_path):
    import os
    import subprocess
    import sys
    ck = tmp_path / "ck"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom gan_utils import checkpoint\n"
                               f"with checkpoint.lock({str(ck)!r}):\n    print('held', flush=True)\n"
                               "    time.sleep(120)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(checkpoint.CheckpointError, match=f"in use by process {holder.pid} .*kill {holder.pid}"):
            _ring_save(ck)
        assert not ck.exists()
    finally:
        holder.kill()                                  # killed: its lock file stays behind, stale
        holder.wait()
    assert (tmp_path / ".ck.lock").exists()
    _ring_save(ck, step=3)                             # the dead process's lock is taken over
    assert checkpoint.load_meta(ck)["step"] == 3 and not (tmp_path / ".ck.lock").exists()
    with checkpoint.lock(ck), checkpoint.lock(ck):     # reentrant in one process
        _ring_save(ck, step=4)
    assert os.listdir(tmp_path) == ["ck"]


def test_the_longest_valid_names_get_temporaries_that_fit(tmp_path):
    """A 236-byte name is valid (255 is the limit); its temporaries (.NAME.tmp-PID-XXXXXXXX) must be too."""
    name = "a" * 236
    _ring_save(tmp_path / name, step=1)
    _ring_save(tmp_path / name, step=2)                # a replacement: the old copy is renamed aside
    assert checkpoint.load_meta(tmp_path / name)["step"] == 2
    with checkpoint.atomic_file(tmp_path / ("b" * 251 + ".npz")) as tmp:
        np.savez(tmp, x=np.zeros(2))
    assert sorted(len(p.name) for p in tmp_path.iterdir()) == [236, 255]


def test_nothing_is_written_inside_a_checkpoint_folder(tmp_path):
    """A file or a folder inside a checkpoint makes its next save fail (or that save deletes it)."""
    _ring_save(tmp_path / "ck")
    before = sorted(p.name for p in (tmp_path / "ck").iterdir())
    with pytest.raises(checkpoint.CheckpointError, match="inside the checkpoint folder .*ck"):
        _ring_save(tmp_path / "ck" / "sub")
    with pytest.raises(checkpoint.CheckpointError, match="inside the checkpoint folder"):
        with checkpoint.atomic_file(tmp_path / "ck" / "deeper" / "samples.npz"):
            pass
    with pytest.raises(checkpoint.CheckpointError, match="inside the checkpoint folder"):
        checkpoint.export_weights(tmp_path / "ck", tmp_path / "ck" / "export")
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == before
    _ring_save(tmp_path / "ck", step=5)                # and the next save works
    assert checkpoint.load_meta(tmp_path / "ck")["step"] == 5


def test_an_unreadable_history_loses_the_curves_not_the_weights(tmp_path):
    _ring_save(tmp_path / "ck", step=7, history={"step": [0, 1], "d_loss": [1.0, 2.0]})
    f = tmp_path / "ck" / checkpoint.HISTORY_FILE
    f.write_bytes(f.read_bytes()[:40])
    with pytest.warns(UserWarning, match=r"history\.npz is unreadable.*up to step 7\) is lost; the weights are intact"):
        gan = checkpoint.load_gan(tmp_path / "ck")
    assert gan.latent_dim == 2
    with pytest.warns(UserWarning):
        assert checkpoint.load_meta(tmp_path / "ck")["history"] == {}
    f.unlink()                                         # missing altogether: the same
    from gan_utils.config import GANConfig, build_gan
    with pytest.warns(UserWarning, match="history"):
        step, _, meta = checkpoint.restore(tmp_path / "ck", build_gan(GANConfig(dataset="ring", hidden=(8,), seed=1)))
    assert step == 7 and meta["history"] == {}


def test_meta_json_is_strict_json(tmp_path):
    """NaN and Infinity are not JSON (JavaScript's and jq's parsers refuse them): written as null."""
    _ring_save(tmp_path / "ck", history={"step": [0, 1], "note": [1.0, [float("inf")]]})   # kept in meta.json
    text = (tmp_path / "ck" / checkpoint.META_FILE).read_text()
    meta = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in meta.json"))
    assert meta["history"]["note"] == [1.0, [None]]


def test_load_pretrained_with_the_kind_passed_as_the_path_names_the_keyword(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=r"kind='conditional'"):
        checkpoint.load_pretrained("conditional")
    with pytest.raises(checkpoint.CheckpointError, match="no checkpoint at mine: pass the --out folder"):
        checkpoint.load_pretrained("mine")
