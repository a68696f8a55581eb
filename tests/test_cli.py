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
