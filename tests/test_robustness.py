"""Nothing a learner does loses work (issue #24): careless inputs to the command line and the API get a one-line
error that names the fix, and no failure (a kill, a full disk, a wrong folder) destroys a run, an export or a file."""
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import jax
import numpy as np
import pytest
from flax import nnx

from gan_utils import checkpoint, data, metrics, models, playground
from gan_utils.__main__ import main
from gan_utils.config import GANConfig, build_gan

RING = GANConfig(dataset="ring", hidden=(8, 8), seed=1)


def save_ring(path, step=3, history=None):
    """A small toy checkpoint, written as `train` writes one (config included)."""
    checkpoint.save(path, build_gan(RING), step=step, key=jax.random.key(0), config=RING, history=history)


def one_line_error(capsys, rc, code=2):
    err = capsys.readouterr().err
    assert rc == code and "Traceback" not in err and err.startswith("error: ") and err.strip().count("\n") == 0, err
    return err


@pytest.fixture
def run(ring20, tmp_path):
    shutil.copytree(ring20, tmp_path / "run")
    return tmp_path / "run"


# --- data loss ----------------------------------------------------------------------------------------------------

def test_export_never_deletes_the_learners_files_nor_the_run(run, tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    one_line_error(capsys, main(["export", "--checkpoint", str(run), "--out", str(mine)]), 1)
    assert (mine / "notes.txt").read_text() == "my notes"
    for target in (run, run / checkpoint.RUN_SUBDIR):                 # the run itself, or its checkpoint
        err = one_line_error(capsys, main(["export", "--checkpoint", str(run), "--out", str(target)]), 1)
        assert "the run being exported" in err
    assert checkpoint.load_meta(run)["module"] == "GAN" and (run / "metrics.json").exists()
    save_ring(tmp_path / "other_run")                                 # a training checkpoint is not an export
    one_line_error(capsys, main(["export", "--checkpoint", str(run), "--out", str(tmp_path / "other_run")]), 1)
    assert checkpoint.load_meta(tmp_path / "other_run")["module"] == "GAN"
    for _ in range(2):                                                # a previous export is replaced
        assert main(["export", "--checkpoint", str(run), "--out", str(tmp_path / "shipped")]) == 0
    assert checkpoint.load_meta(tmp_path / "shipped")["module"] == "Networks"


def test_a_save_refuses_a_file_or_a_folder_of_other_files(tmp_path):
    (tmp_path / "f").write_text("x")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "thesis.tex").write_text("x")
    for p in (tmp_path / "f", tmp_path / "d"):
        with pytest.raises(checkpoint.CheckpointError, match="choose|Choose"):
            save_ring(p)
    assert (tmp_path / "f").read_text() == "x" and (tmp_path / "d" / "thesis.tex").read_text() == "x"


def test_train_refuses_to_replace_a_run_without_resume_or_overwrite(run, capsys):
    args = ["train", "--dataset", "grid", "--steps", "5", "--out", str(run), "--quiet"]
    err = one_line_error(capsys, main(args))
    assert "--resume" in err and "--overwrite" in err
    assert checkpoint.load_meta(run)["step"] == 20 and checkpoint.load_meta(run)["config"]["dataset"] == "ring"
    assert main(args + ["--overwrite"]) == 0
    assert checkpoint.load_meta(run)["step"] == 5 and checkpoint.load_meta(run)["config"]["dataset"] == "grid"


def test_resume_without_a_usable_checkpoint_is_an_error_not_a_restart(tmp_path, capsys):
    err = one_line_error(capsys, main(["train", "--dataset", "ring", "--steps", "5", "--out", str(tmp_path / "new"),
                                       "--quiet", "--resume"]))
    assert "nothing to resume" in err and "Drop --resume" in err
    assert not (tmp_path / "new" / checkpoint.RUN_SUBDIR).exists()


def test_a_kill_between_the_two_renames_of_a_save_is_recovered(run, capsys):
    """The state a kill between `checkpoint -> .old` and `.tmp -> checkpoint` leaves: both copies beside, none in
    place. Reading it recovers the newer complete copy; a resumed run continues from it."""
    ck = run / checkpoint.RUN_SUBDIR
    shutil.copytree(ck, run / ".checkpoint.old-99999999")
    old_meta = json.loads((ck / checkpoint.META_FILE).read_text())
    save_ring(run / "newer", step=25)
    os.replace(run / "newer", run / ".checkpoint.tmp-99999999-abc")
    shutil.rmtree(ck)
    with pytest.warns(UserWarning, match="interrupted save"):
        assert checkpoint.load_meta(run)["step"] == 25
    assert ck.is_dir() and not (run / ".checkpoint.tmp-99999999-abc").exists()
    os.replace(ck, run / ".checkpoint.tmp-99999999-abc")              # now only an incomplete new copy and the old
    (run / ".checkpoint.tmp-99999999-abc" / checkpoint.META_FILE).write_text('{"step": 2')
    with pytest.warns(UserWarning):
        assert checkpoint.load_meta(run)["step"] == old_meta["step"]
    assert main(["train", "--dataset", "ring", "--steps", "22", "--out", str(run), "--quiet", "--resume"]) == 0
    assert checkpoint.load_meta(run)["step"] == 22
    assert sorted(p.name for p in run.iterdir() if p.name.startswith(".")) == []   # stale copies cleaned up


def test_a_stale_leftover_of_a_reused_pid_never_blocks_a_save(tmp_path):
    save_ring(tmp_path / "ck", step=1)
    stale = tmp_path / f".ck.old-{os.getpid()}"                       # left by a killed process with our pid
    stale.mkdir()
    (stale / checkpoint.STATE_FILE).write_bytes(b"x")
    save_ring(tmp_path / "ck", step=2)
    save_ring(tmp_path / "ck", step=3)
    assert checkpoint.load_meta(tmp_path / "ck")["step"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck"]


def test_files_are_written_all_or_nothing(tmp_path):
    p = tmp_path / "frames.npz"
    p.write_bytes(b"the good copy")
    with pytest.raises(OSError, match="No space"):
        with checkpoint.atomic_file(p) as tmp:
            tmp.write_bytes(b"half")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert p.read_bytes() == b"the good copy" and sorted(x.name for x in tmp_path.iterdir()) == ["frames.npz"]


def test_a_corrupt_frames_file_on_resume_is_set_aside_with_a_warning(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "--dataset", "mnist", "--batch-size", "8", "--g-base", "8", "--d-base", "4", "--out", str(out),
            "--quiet", "--sample-every", "1"]
    assert main(args + ["--steps", "2"]) == 0
    frames = out / checkpoint.FRAMES_FILE
    frames.write_bytes(frames.read_bytes()[:300])                     # what a kill or a full disk mid-write leaves
    capsys.readouterr()
    assert main(args + ["--steps", "3", "--resume"]) == 0
    assert "unreadable" in capsys.readouterr().err
    assert (out / (checkpoint.FRAMES_FILE + ".unreadable")).exists()
    with np.load(frames) as z:
        assert list(z["step"]) == [3]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_sigterm_saves_the_run_then_exits(tmp_path):
    """`timeout`, a closing terminal and a cluster send SIGTERM: the steps since the last checkpoint are kept."""
    out, log = tmp_path / "run", tmp_path / "stderr.txt"
    with open(log, "w") as err:
        p = subprocess.Popen([sys.executable, "-m", "gan_utils", "train", "--dataset", "ring", "--minutes", "5",
                              "--checkpoint-every", "1000000", "--out",
                              str(out)], stderr=err, stdout=subprocess.DEVNULL)
        try:
            deadline = time.time() + 300
            while time.time() < deadline:       # the progress bar counts steps: wait for some
                time.sleep(0.5)
                text = log.read_text()
                if any(int(n) > 0 for n in re.findall(r"(\d+)step \[", text)):
                    break
            p.send_signal(signal.SIGTERM)
            rc = p.wait(timeout=120)
        finally:
            p.kill()
    assert rc == 143, log.read_text()[-2000:]
    assert "Traceback" not in log.read_text()
    assert checkpoint.load_meta(out)["step"] > 0


def test_a_stop_request_that_no_exception_carried_still_stops_fit_with_a_checkpoint(tmp_path):
    """SIGTERM's KeyboardInterrupt can be swallowed (raised inside JAX's garbage-collection callback, Python prints
    and ignores it: seen in CI, the run trained on for minutes). The flag the handler also sets stops fit between
    steps, with the checkpoint an interrupt writes, and is cleared for the next run."""
    from gan_utils import train
    gan = build_gan(RING)
    batches = data.BatchSampler(np.random.default_rng(0).normal(size=(256, 2)).astype(np.float32), 64,
                                jax.random.key(0))

    def request_at_step_20(step, gan, history):
        if step >= 20:
            train.STOP_REQUESTED.set()    # what the handler does, without the exception

    res = train.fit(gan, batches, key=jax.random.key(0), steps=100_000, fuse=1, callbacks=[request_at_step_20],
                    callback_every=10, checkpoint_dir=tmp_path / "ck", progress=False, stop_on_interrupt=True)
    assert res.interrupted and 20 <= res.step < 100 and not train.STOP_REQUESTED.is_set()
    assert checkpoint.load_meta(tmp_path / "ck")["step"] == res.step
    with pytest.raises(KeyboardInterrupt):         # the command line's way: raised again after saving
        train.STOP_REQUESTED.set()
        train.fit(gan, batches, key=jax.random.key(0), steps=10, progress=False)
    assert not train.STOP_REQUESTED.is_set()


# --- damaged checkpoints ------------------------------------------------------------------------------------------

def test_flipped_bytes_fail_the_checksum_and_name_the_file(tmp_path):
    save_ring(tmp_path / "ck")
    f = tmp_path / "ck" / checkpoint.STATE_FILE
    raw = bytearray(f.read_bytes())
    raw[len(raw) // 2] ^= 0x55
    f.write_bytes(bytes(raw))
    with pytest.raises(checkpoint.CheckpointError, match=r"state\.msgpack is corrupt.*SHA-256"):
        checkpoint.load_gan(tmp_path / "ck")


@pytest.mark.parametrize("name", [checkpoint.META_FILE, checkpoint.STATE_FILE])
def test_a_truncated_checkpoint_file_is_named(tmp_path, name):
    save_ring(tmp_path / "ck")
    f = tmp_path / "ck" / name
    f.write_bytes(f.read_bytes()[:20])
    with pytest.raises(checkpoint.CheckpointError, match=name.replace(".", r"\.")):
        checkpoint.load_gan(tmp_path / "ck")


def test_the_shipped_checkpoints_without_a_checksum_still_load():
    for d in (checkpoint.PRETRAINED_DCGAN_DIR, checkpoint.PRETRAINED_CONDITIONAL_DIR):
        assert "state_sha256" not in json.loads((d / checkpoint.META_FILE).read_text())
        assert checkpoint.load_gan(d).latent_dim == 64 and checkpoint.load_meta(d)["history"]["d_loss"]


def test_the_history_stays_out_of_meta_json_and_reads_back_exactly(tmp_path):
    n = 20_000
    hist = {"step": list(range(n)), "d_loss": [float(np.float32(v)) for v in np.random.default_rng(0).random(n)]}
    save_ring(tmp_path / "ck", history=hist)
    assert (tmp_path / "ck" / checkpoint.META_FILE).stat().st_size < 10_000
    assert checkpoint.load_meta(tmp_path / "ck")["history"] == hist


def test_a_received_config_cannot_ask_for_terabytes(tmp_path):
    save_ring(tmp_path / "ck")
    f = tmp_path / "ck" / checkpoint.META_FILE
    meta = json.loads(f.read_text())
    meta["config"]["hidden"] = [3_000_000]
    f.write_text(json.dumps(meta))
    with pytest.raises(checkpoint.CheckpointError, match="above the limit"):
        checkpoint.load_gan(tmp_path / "ck")


# --- the command line: one line naming the fix ---------------------------------------------------------------------

@pytest.mark.parametrize("extra, match", [
    (["--minutes", "nan"], "finite"), (["--minutes", "inf"], "finite"),
    (["--steps", "5", "--checkpoint-every", "-5"], "--checkpoint-every"),
    (["--steps", "5", "--latent-dim", "0"], "latent_dim"),
    (["--steps", "5", "--lr", "inf"], "lr must be a finite"),
])
def test_train_flags_out_of_range_are_refused(tmp_path, capsys, extra, match):
    err = one_line_error(capsys, main(["train", "--dataset", "ring", "--out", str(tmp_path / "r"), "--quiet", *extra]))
    assert match in err


def test_train_out_an_existing_file_and_too_few_minutes(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert "is a file" in one_line_error(capsys, main(["train", "--dataset", "ring", "--steps", "5", "--out",
                                                       str(tmp_path / "f")]))
    err = one_line_error(capsys, main(["train", "--dataset", "ring", "--minutes", "1e-9", "--out",
                                       str(tmp_path / "r"), "--quiet"]))
    assert "before the first training step" in err


def test_a_full_disk_is_one_line_and_keeps_the_last_checkpoint(run, capsys, monkeypatch):
    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(checkpoint.serialization, "msgpack_serialize", full)
    err = one_line_error(capsys, main(["train", "--dataset", "ring", "--steps", "30", "--out", str(run), "--quiet",
                                       "--resume"]), 1)
    assert "No space left" in err and "free some disk space" in err
    monkeypatch.undo()
    assert checkpoint.load_meta(run)["step"] == 20


def test_sample_needs_a_source_and_honours_the_pretrained_dir(run, tmp_path, capsys, monkeypatch):
    assert "--checkpoint DIR" in one_line_error(capsys, main(["sample", "--out", str(tmp_path / "s.npz")]))
    checkpoint.export_weights(run, tmp_path / "mine")
    monkeypatch.setenv("GAN_UTILS_PRETRAINED_DIR", str(tmp_path / "mine"))
    assert main(["sample", "--pretrained", "--n", "7", "--out", str(tmp_path / "s")]) == 0
    assert np.load(tmp_path / "s.npz")["samples"].shape == (7, 2)     # the toy generator, not the shipped DCGAN
    assert "selfcond, dcgan, conditional" in one_line_error(
        capsys, main(["sample", "--pretrained", "plain", "--out", str(tmp_path / "s")]))
    assert main(["sample", "--pretrained", "dcgan", "--n", "3", "--out",
                 str(tmp_path / "d")]) == 0   # env: default only
    assert np.load(tmp_path / "d.npz")["samples"].shape == (3, 28, 28)


@pytest.mark.parametrize("content", [b"", b"ab", b"not an image set\n" * 10])
def test_evaluate_on_a_file_that_is_not_samples(tmp_path, capsys, content):
    for name in ("s.npz", "s.bin"):
        (tmp_path / name).write_bytes(content)
        err = one_line_error(capsys, main(["evaluate", "--samples", str(tmp_path / name)]))
        assert "gan_utils sample" in err                                 # the fix: how to write samples


# --- wrong results, silently --------------------------------------------------------------------------------------

def test_evaluate_reads_pixel_ranges_or_refuses_them(mnist_dir):
    x = data.load_mnist("test", n=300)[0][..., 0]
    base = metrics.evaluate(x, pr_n=100)["samples"]["fid"]
    for other in (x.astype(np.float32), x / 255.0, x.astype(np.int64)):
        with pytest.warns(UserWarning, match=r"read as pixel"):
            assert metrics.evaluate(other, pr_n=100)["samples"]["fid"] == base
    with pytest.warns(UserWarning, match="bool"):
        metrics.evaluate(x > 127, pr_n=100)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        metrics.evaluate(x.astype(np.float32) * 3 - 400, pr_n=100)


def test_metric_inputs_that_give_meaningless_numbers_are_refused():
    f = np.random.default_rng(0).normal(size=(10, 128))
    with pytest.warns(UserWarning, match="at least 129"):
        metrics.fid_from_features(f, f + 1)
    bad = f.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        metrics.precision_recall(bad, f)
    with pytest.raises(ValueError, match="k"):
        metrics.precision_recall(f, f, k=0)
    with pytest.raises(ValueError, match="probabilities"):
        metrics.inception_score(np.random.default_rng(0).normal(size=(10, 10)) * 5)
    with pytest.raises(ValueError, match=r"0\.\.9"):
        metrics.class_histogram(np.array([0, 3, 12]))
    probs = np.eye(10)[[0, 1, 2]]
    with pytest.raises(ValueError, match=r"0\.\.9"):
        metrics.conditional_metrics((f[:3], probs), np.array([0, 1, 10]))


@pytest.mark.parametrize("bad, match", [
    (dict(lr=float("inf")), "lr must be a finite"), (dict(latent_dim=2.7), "latent_dim must be an integer"),
    (dict(k_disc=2.5), "k_disc must be an integer"), (dict(hidden=()), "hidden must hold"),
    (dict(hidden="256"), r"hidden must be a tuple.*\(256, 256\)"), (dict(spectral_norm="no"), "True or False"),
    (dict(batch_size="64"), "without quotes, batch_size=64"), (dict(latent_dim=0), "latent_dim must be a positive"),
    (dict(dataset="ring", hidden=(3_000_000,)), "above the limit"), (dict(seed=-1), "seed must be")])
def test_config_checks_types_and_ranges(bad, match):
    with pytest.raises((TypeError, ValueError), match=match):
        GANConfig(**bad)


def test_playground_refuses_what_would_train_to_nan():
    for bad in (dict(g_lr=float("inf")), dict(penalty="r1", penalty_weight=-1.0), dict(g_width=2.5),
                dict(data="custom", points=((0.0, 0.0), (float("nan"), 1.0)))):
        with pytest.raises((TypeError, ValueError)):
            playground.PlaygroundConfig(**bad)
    with pytest.raises(ValueError, match="steps_per_frame"):
        playground.Playground(steps_per_frame=0)
    gan = playground.ToyGAN(g_width=8, d_width=8)
    with pytest.raises(ValueError):
        gan.set_learning_rates(g_lr=float("inf"))
    with pytest.raises(ValueError):
        gan.train(2.5)


# --- clear API errors ---------------------------------------------------------------------------------------------

def test_api_misuse_gets_an_error_naming_the_fix():
    with pytest.raises(TypeError, match=r"nnx\.Rngs\(0\)"):
        models.MLPGenerator(rngs=0)
    with pytest.raises(ValueError, match="hidden"):
        models.MLPGenerator(hidden=(0,), rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match="batch_size"):
        models.sample(models.MLPGenerator(hidden=(4,), rngs=nnx.Rngs(0)), jax.random.key(0), 3, batch_size=0)
    with pytest.raises(ValueError, match="n_modes"):
        data.ring(n_modes=0)
    with pytest.raises(ValueError, match="batch_size"):
        data.BatchSampler(np.zeros((10, 2)), 0, jax.random.key(0))
    with pytest.raises(ValueError, match="not an IDX file"):
        data.read_idx(b"")
    from gan_utils import plots, train, widgets
    gan, batches = build_gan(RING), data.BatchSampler(np.zeros((64, 2), np.float32), 8, jax.random.key(0))
    with pytest.raises(TypeError, match=r"jax\.random\.key\(0\)"):
        train.fit(gan, batches, key=0, steps=1, progress=False)
    with pytest.raises(ValueError, match="steps"):
        train.fit(gan, batches, key=jax.random.key(0), steps=2.5, progress=False)
    with pytest.raises(ValueError, match="checkpoint_every"):          # -5 acted as 5
        train.fit(gan, batches, key=jax.random.key(0), steps=1, checkpoint_every=-5, progress=False)
    with pytest.raises(ValueError, match="nrow"):
        plots.image_grid(np.zeros((4, 28, 28)), nrow=-1)
    with pytest.raises(ValueError, match="n "):
        widgets.latent_interpolation(models.DCGANGenerator(base=8, rngs=nnx.Rngs(0)), n=0)


def test_a_corrupt_download_tries_the_next_mirror_and_leaves_no_part_file(mnist_dir, tmp_path, monkeypatch):
    name = "t10k-labels-idx1-ubyte.gz"
    good = (mnist_dir / name).read_bytes()
    served = iter([b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"\xff" * 50, good])   # mirror 1: a damaged deflate stream

    class Response:
        def __init__(self, body):
            self.body = body

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def read(self):
            return self.body

    monkeypatch.setattr(data.urllib.request, "urlopen", lambda *a, **k: Response(next(served)))
    data._download(name, tmp_path / name)
    assert (tmp_path / name).read_bytes() == good and [p.name for p in tmp_path.iterdir()] == [name]


def test_a_corrupt_cached_file_says_delete_it_and_the_learners_folder_says_replace_it(tmp_path, monkeypatch):
    monkeypatch.delenv(data.MNIST_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = data._cache_dir()
    cache.mkdir(parents=True)
    for f in data.MNIST_FILES:
        (cache / f).write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"\xff" * 50)
    data._load_split.cache_clear()
    with pytest.raises(data.MnistDataError, match="corrupt.*Delete it and run again"):
        data.load_mnist("test")
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(cache))
    data._load_split.cache_clear()
    with pytest.raises(data.MnistDataError, match=f"your {data.MNIST_ENV_VAR} folder.*replace it"):
        data.load_mnist("test")
    data._load_split.cache_clear()
