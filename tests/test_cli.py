import json
import subprocess
import sys

import numpy as np

from gan_utils import checkpoint
from gan_utils.__main__ import main


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "gan_utils", *args], capture_output=True, text=True, timeout=600)


def test_help_explains_every_option():
    r = run_cli("train", "--help")
    assert r.returncode == 0
    for opt in ("--dataset", "--model", "--steps", "--minutes", "--out", "--batch-size", "--lr", "--seed",
                "--resume", "--loss", "--penalty", "--penalty-weight", "--spectral-norm", "--minibatch-std", "--pack",
                "--ema"):
        assert opt in r.stdout
    assert run_cli("sample", "--help").returncode == 0


def test_wrong_option_or_path_is_one_line_not_a_traceback(tmp_path):
    r = run_cli("train", "--dataset", "cifar", "--steps", "1", "--out", str(tmp_path))
    assert r.returncode == 2 and "invalid choice" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("sample", "--checkpoint", str(tmp_path / "nope"), "--out", str(tmp_path / "s.npz"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "no checkpoint" in r.stderr
    r = run_cli("train", "--dataset", "ring", "--model", "dcgan", "--steps", "5", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "--model mlp" in r.stderr and "Traceback" not in r.stderr


def test_train_then_sample_toy(tmp_path):
    out = tmp_path / "ring"
    assert main(["train", "--dataset", "ring", "--steps", "300", "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "metrics.json").read_text())["summary"]
    assert summary["step"] == 300 and (out / "samples.png").exists()
    # the papers' scores of 2,500 samples (notebook 07's table), and notebook 07's recipe with its annealed half
    assert 0 <= summary["modes_covered"] <= 8 and 0 <= summary["high_quality_fraction"] <= 1
    config = checkpoint.load_meta(out)["config"]
    assert (config["batch_size"], config["hidden"], config["lr"], config["d_lr"], config["lr_anneal"]) == \
        (256, [128, 128, 128], 3e-3, 1e-3, 300)
    assert main(["train", "--dataset", "grid", "--steps", "4", "--lr-decay", "4", "--out", str(tmp_path / "d"),
                 "--quiet"]) == 0
    assert checkpoint.load_meta(tmp_path / "d")["config"]["lr_anneal"] == 0     # --lr-decay instead
    assert main(["sample", "--checkpoint", str(out), "--n", "50", "--out", str(tmp_path / "s.npz")]) == 0
    s = np.load(tmp_path / "s.npz")["samples"]
    assert s.shape == (50, 2) and np.all(np.isfinite(s))


def test_train_resume_and_sample_mnist(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--dataset", "mnist", "--steps", "6", "--batch-size", "16", "--out", str(out),
                 "--quiet", "--sample-every", "3"]) == 0
    # the checkpoint (written after the grids) must not wipe the grids beside it
    assert (out / "samples_000003.png").exists() and (out / "samples.png").exists()
    assert (out / "metrics.json").exists() and (out / "checkpoint" / "meta.json").exists()
    assert main(["train", "--dataset", "mnist", "--steps", "8", "--batch-size", "16", "--out", str(out),
                 "--quiet", "--resume"]) == 0
    assert json.loads((out / "metrics.json").read_text())["summary"]["step"] == 8
    assert main(["sample", "--checkpoint", str(out), "--n", "20", "--out", str(tmp_path / "s.npz")]) == 0
    s = np.load(tmp_path / "s.npz")["samples"]
    assert s.shape == (20, 28, 28) and s.dtype == np.uint8


def test_export_ships_networks_only_and_loads_back(tmp_path):
    from gan_utils import checkpoint, models
    import jax
    out, shipped = tmp_path / "run", tmp_path / "shipped"
    assert main(["train", "--dataset", "mnist", "--steps", "3", "--batch-size", "8", "--out", str(out),
                 "--quiet"]) == 0
    assert main(["export", "--checkpoint", str(out), "--out", str(shipped)]) == 0
    full = (checkpoint.resolve(out) / checkpoint.STATE_FILE).stat().st_size
    small = (shipped / checkpoint.STATE_FILE).stat().st_size
    assert small < 0.4 * full                                    # Adam's two moments are gone
    a, b = checkpoint.load_gan(out), checkpoint.load_pretrained(shipped)
    z = jax.random.normal(jax.random.key(0), (4, a.latent_dim))
    np.testing.assert_array_equal(models.sample(a.generator, None, 4, z=z), models.sample(b.generator, None, 4, z=z))
    assert checkpoint.load_meta(shipped)["step"] == 3


def test_resume_keeps_the_runs_own_recipe(tmp_path, capsys):
    out = tmp_path / "ring"
    assert main(["train", "--dataset", "ring", "--steps", "20", "--ema", "0.9", "--lr", "1e-3", "--out", str(out),
                 "--quiet"]) == 0
    assert main(["train", "--dataset", "ring", "--steps", "30", "--out", str(out), "--quiet", "--resume"]) == 0
    assert "differing from this command line" in capsys.readouterr().out
    from gan_utils import checkpoint
    meta = checkpoint.load_meta(out)
    assert meta["step"] == 30 and meta["config"]["ema"] == 0.9 and meta["config"]["lr"] == 1e-3


# -- issue #50: runs, folders, signals and processes ------------------------------------------------------------------

import shutil  # noqa: E402

import pytest  # noqa: E402


def one_line(capsys, rc, code=None):
    err = capsys.readouterr().err
    assert rc != 0 and (code is None or rc == code), err
    assert "Traceback" not in err and err.startswith("error: ") and err.strip().count("\n") == 0, err
    return err


@pytest.fixture
def ring(ring20, tmp_path):
    shutil.copytree(ring20, tmp_path / "run")
    return tmp_path / "run"


def test_mnist_mlp_trains_through_its_sample_grids(tmp_path):
    """The documented `--model mlp` on MNIST: its generator has no tanh, and the doctor's look at each grid took
    its values beyond [-1, 1] for an error, which stopped the run at its first grid."""
    out = tmp_path / "mlp"
    assert main(["train", "--dataset", "mnist", "--model", "mlp", "--steps", "30", "--sample-every", "10",
                 "--out", str(out), "--quiet"]) == 0
    assert checkpoint.load_meta(out)["step"] == 30 and (out / "samples_000030.png").exists()


def test_an_error_after_training_started_keeps_the_steps(ring, capsys, monkeypatch):
    from gan_utils import doctor

    def broken(self, step, gan, history):
        raise ValueError("the doctor broke")
    monkeypatch.setattr(doctor.Doctor, "__call__", broken)
    rc = main(["train", "--dataset", "ring", "--steps", "1000", "--sample-every", "10", "--out", str(ring),
               "--quiet", "--resume"])
    err = one_line(capsys, rc, 2)
    step = checkpoint.load_meta(ring)["step"]
    assert 20 < step < 1000                                           # the steps up to the failing callback
    assert "the doctor broke" in err and f"saved: {ring} at step {step}; continue with" in err


def test_overwrite_never_deletes_a_checkpoint_folder_of_the_learners_files(ring, capsys):
    (ring / "checkpoint" / "my_model.pt").write_text("mine")
    err = one_line(capsys, main(["train", "--dataset", "ring", "--steps", "5", "--out", str(ring), "--quiet",
                                 "--overwrite"]), 1)
    assert "my_model.pt" in err
    assert (ring / "checkpoint" / "my_model.pt").read_text() == "mine" and checkpoint.load_meta(ring)["step"] == 20


def test_no_command_writes_inside_a_runs_checkpoint_folder(ring, tmp_path, capsys):
    inside = ring / "checkpoint" / "sub"
    for args in (["export", "--checkpoint", str(ring), "--out", str(inside)],
                 ["train", "--dataset", "ring", "--steps", "5", "--out", str(inside), "--quiet"],
                 ["sample", "--checkpoint", str(ring), "--n", "3", "--out", str(inside / "s.npz")]):
        assert "inside the checkpoint folder" in one_line(capsys, main(args))
    assert not inside.exists()
    # so the run still resumes and saves
    assert main(["train", "--dataset", "ring", "--steps", "25", "--out", str(ring), "--quiet", "--resume"]) == 0
    assert checkpoint.load_meta(ring)["step"] == 25


def test_a_save_that_cannot_happen_is_refused_before_training(ring, capsys, monkeypatch):
    """A checkpoint folder that holds other files: refused at once, not after the training."""
    (ring / "checkpoint" / "notes.txt").write_text("mine")
    from gan_utils import train
    monkeypatch.setattr(train, "fit", lambda *a, **k: pytest.fail("trained before refusing"))
    assert "notes.txt" in one_line(capsys, main(["train", "--dataset", "ring", "--steps", "30", "--out", str(ring),
                                                 "--quiet", "--resume"]))
    assert (ring / "checkpoint" / "notes.txt").read_text() == "mine"


def test_out_a_dangling_link_is_named(ring, tmp_path, capsys):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere")
    (tmp_path / "link.npz").symlink_to(tmp_path / "nowhere.npz")
    for args in (["train", "--dataset", "ring", "--steps", "5", "--out", str(link), "--quiet"],
                 ["export", "--checkpoint", str(ring), "--out", str(link)],
                 ["sample", "--checkpoint", str(ring), "--n", "3", "--out", str(link) + ".npz"]):
        err = one_line(capsys, main(args))
        assert "symbolic link" in err and "nowhere" in err


def test_a_second_train_on_one_run_is_refused_naming_the_first(ring, capsys):
    import subprocess
    import sys
    holder = subprocess.Popen([sys.executable, "-c", "import time\nfrom gan_utils import checkpoint\n"
                               f"with checkpoint.lock({str(ring / 'checkpoint')!r}):\n    print('held', flush=True)\n"
                               "    time.sleep(120)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        err = one_line(capsys, main(["train", "--dataset", "ring", "--steps", "30", "--out", str(ring), "--quiet",
                                     "--resume"]))
        assert f"in use by process {holder.pid}" in err
    finally:
        holder.kill()
        holder.wait()
    assert main(["train", "--dataset", "ring", "--steps", "25", "--out", str(ring), "--quiet", "--resume"]) == 0


def test_metrics_json_is_strict_json_and_old_files_still_read(ring, monkeypatch):
    """Samples that miss a mode have an infinite reverse KL: written as null (JavaScript and jq refuse Infinity)."""
    from gan_utils import metrics
    real = metrics.toy_mode_metrics
    monkeypatch.setattr(metrics, "toy_mode_metrics", lambda *a, **k: {**real(*a, **k), "reverse_kl": float("inf")})
    assert main(["train", "--dataset", "ring", "--steps", "25", "--out", str(ring), "--quiet", "--resume"]) == 0
    text = (ring / "metrics.json").read_text()
    summary = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in metrics.json"))["summary"]
    assert summary["reverse_kl"] is None and summary["step"] == 25
    from gan_utils import doctor
    old = json.loads(text)
    old["summary"]["reverse_kl"] = float("inf")
    (ring / "metrics.json").write_text(json.dumps(old))             # as written before: Infinity
    assert doctor.diagnose_run(ring).verdict in doctor.VERDICTS


def test_resume_names_only_the_options_this_command_line_set(ring, capsys):
    """A toy run's --lr-anneal defaults to its --steps: resuming with more steps did not set it."""
    capsys.readouterr()
    assert main(["train", "--dataset", "ring", "--steps", "30", "--out", str(ring), "--quiet", "--resume"]) == 0
    assert "differing" not in capsys.readouterr().out
    assert main(["train", "--dataset", "ring", "--steps", "31", "--b1", "0.9", "--out", str(ring), "--quiet",
                 "--resume"]) == 0
    assert "differing from this command line: {'b1': 0.5}" in capsys.readouterr().out


def test_an_interrupt_before_training_says_nothing_was_saved(tmp_path, capsys, monkeypatch):
    import gan_utils.__main__ as cli

    def interrupted(config):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "_training_data", interrupted)
    assert main(["train", "--dataset", "ring", "--steps", "5", "--out", str(tmp_path / "new"), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert "nothing was trained yet, so nothing was saved" in err and "--resume" not in err
    assert not (tmp_path / "new").exists()                            # and no empty folder is left
