"""The benchmark's building blocks: the rewritten convolutions of tf_dcgan.py compute the same function (and,
when PyTorch is installed, PyTorch's, weight for weight), the FLOP count and the table are right, and
`python benchmarks/bench.py` runs. Speed targets live in benchmarks/RESULTS.md.

Run from the repository root: `pytest benchmarks` (pytest's default "prepend" import mode puts benchmarks/ on
sys.path for this file, so `import bench` and `import tf_dcgan` find the modules beside it)."""
import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from jax import lax

import bench
import tf_dcgan
from gan_utils import models

HERE = Path(__file__).resolve().parent

DN = ("NHWC", "HWIO", "NHWC")


def pytorch_conv_transpose(x, w, k, s):
    """PyTorch's ConvTranspose2d(k, stride=s, padding=(k-1)//2, output_padding=s-1), by its definition:
    y[s*i + t - p] += x[i] w[t], written as a loop over taps (slow, obviously right)."""
    p = (k - 1) // 2
    n, h, wd, _ = x.shape
    big = np.zeros((n, s * h + k, s * wd + k, w.shape[-1]), np.float64)
    for ty in range(k):
        for tx in range(k):
            big[:, ty:ty + s * h:s, tx:tx + s * wd:s] += np.einsum("nhwc,cd->nhwd", x, w[ty, tx])
    return big[:, p:p + s * h, p:p + s * wd]


@pytest.mark.parametrize("k", [3, 5, 7])
@pytest.mark.parametrize("s", [1, 2])
def test_conv_transpose2d_is_the_transposed_convolution(k, s):
    m = tf_dcgan.ConvTranspose2d(3, 4, k, strides=s, use_bias=False, rngs=nnx.Rngs(0))
    x = np.asarray(jax.random.normal(jax.random.key(1), (2, 5, 6, 3)))
    want = pytorch_conv_transpose(x.astype(np.float64), np.asarray(m.kernel[...], np.float64), k, s)
    np.testing.assert_allclose(np.asarray(m(x)), want, atol=2e-5)
    m.direct = True
    np.testing.assert_allclose(np.asarray(m(x)), want, atol=2e-5)


@pytest.mark.parametrize("k", [3, 5])
@pytest.mark.parametrize("s", [1, 2])
def test_conv2d_is_the_strided_convolution(k, s):
    m = tf_dcgan.Conv2d(3, 4, k, strides=s, rngs=nnx.Rngs(0))
    m.bias[...] = jnp.arange(4.0)
    x = jax.random.normal(jax.random.key(1), (2, 8, 10, 3))
    p = (k - 1) // 2
    want = lax.conv_general_dilated(x, m.kernel[...], (s, s), [(p, p), (p, p)], dimension_numbers=DN,
                                    precision="highest") + jnp.arange(4.0)
    np.testing.assert_allclose(np.asarray(m(x)), np.asarray(want), atol=2e-5)


@pytest.mark.parametrize("cls", [tf_dcgan.ConvTranspose2d, tf_dcgan.Conv2d])
@pytest.mark.parametrize("c_out", [3, 8])      # ConvTranspose2d: direct forward for C_out <= 4, sub-pixel above
@pytest.mark.parametrize("size", [6, 7])       # odd sizes: Conv2d's input gradient is cropped
def test_fast_layers_have_the_gradients_of_the_direct_definition(cls, c_out, size):
    """The custom VJPs (input and kernel gradients) equal plain autodiff of the direct definition."""
    x = jax.random.normal(jax.random.key(1), (2, size, size + 1, 3))
    m = cls(3, c_out, 5, strides=2, rngs=nnx.Rngs(0))
    g, st = nnx.split(m)
    probe = jax.random.normal(jax.random.key(2), jax.eval_shape(m, x).shape)
    grads = []
    for direct in (False, True):
        def loss(st, x, direct=direct):
            mm = nnx.merge(g, st)
            mm.direct = direct
            return jnp.sum(jnp.sin(mm(x)) * probe)
        grads.append(jax.grad(loss, argnums=(0, 1))(st, x))
    leaves = [jax.tree_util.tree_leaves(gr) for gr in grads]
    assert len(leaves[0]) == len(leaves[1]) == 3     # kernel, bias, input
    for a, b in zip(*leaves):
        assert float(jnp.max(jnp.abs(b))) > 1e-3    # a gradient that is really there
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-4)


def test_layers_reject_what_they_cannot_do():
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        tf_dcgan.ConvTranspose2d(3, 4, 4, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match="strides must be 1 or 2"):
        tf_dcgan.Conv2d(3, 4, 5, strides=3, rngs=nnx.Rngs(0))


def test_tf_tutorial_models_shapes_and_fast_equals_direct():
    g = tf_dcgan.TFTutorialGenerator(rngs=nnx.Rngs(0))
    d = tf_dcgan.TFTutorialDiscriminator(rngs=nnx.Rngs(1))
    assert models.count_params(g) == 100 * 12544 + 2 * 12544 + 25 * (256 * 128 + 128 * 64 + 64) + 2 * (128 + 64)
    assert models.count_params(d) == 25 * 64 + 64 + 25 * 64 * 128 + 128 + 6272 + 1
    z = jax.random.normal(jax.random.key(2), (4, 100))
    g.eval()
    img = g(z)
    assert img.shape == (4, 28, 28, 1) and float(jnp.max(jnp.abs(img))) <= 1
    d.eval()
    assert d(img).shape == (4,)
    gd = tf_dcgan.TFTutorialGenerator(direct=True, rngs=nnx.Rngs(0))
    gd.eval()
    np.testing.assert_allclose(np.asarray(gd(z)), np.asarray(img), atol=1e-5)
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 28, 28, 1\)"):
        d(img[..., 0])


@pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                    reason="PyTorch (benchmarks/requirements.txt) not installed")
def test_layers_equal_pytorch_weight_for_weight():
    import torch
    torch.manual_seed(0)
    for s in (1, 2):
        tconv = torch.nn.ConvTranspose2d(3, 4, 5, s, padding=2, output_padding=s - 1)
        m = tf_dcgan.ConvTranspose2d(3, 4, 5, strides=s, rngs=nnx.Rngs(0))
        m.kernel[...] = jnp.asarray(tconv.weight.detach().numpy().transpose(2, 3, 0, 1))
        m.bias[...] = jnp.asarray(tconv.bias.detach().numpy())
        x = np.random.default_rng(0).normal(size=(2, 7, 7, 3)).astype(np.float32)
        want = tconv(torch.from_numpy(x.transpose(0, 3, 1, 2))).detach().numpy().transpose(0, 2, 3, 1)
        np.testing.assert_allclose(np.asarray(m(x)), want, atol=1e-5)
        conv = torch.nn.Conv2d(3, 4, 5, s, padding=2)
        m = tf_dcgan.Conv2d(3, 4, 5, strides=s, rngs=nnx.Rngs(0))
        m.kernel[...] = jnp.asarray(conv.weight.detach().numpy().transpose(2, 3, 1, 0))
        m.bias[...] = jnp.asarray(conv.bias.detach().numpy())
        x = np.random.default_rng(1).normal(size=(2, 14, 14, 3)).astype(np.float32)
        want = conv(torch.from_numpy(x.transpose(0, 3, 1, 2))).detach().numpy().transpose(0, 2, 3, 1)
        np.testing.assert_allclose(np.asarray(m(x)), want, atol=1e-5)


def test_model_flops_match_a_hand_count():
    # MLP GAN, G 2-128-128-2 and D 2-128-128-1, batch 8. Multiply-adds per example of one step:
    # G: forward, weight gradients, input gradients of layers 2-3 (not of z).
    g_fwd, d_fwd = 2 * 128 + 128 * 128 + 128 * 2, 2 * 128 + 128 * 128 + 128
    g = 2 * g_fwd + (128 * 128 + 128 * 2)
    # D update on real and fake: forward, weight gradients, input gradients of layers 2-3; G update: D forward
    # on the fakes again and input gradients of all layers (down to the fake images).
    d = 2 * (2 * d_fwd + 128 * 128 + 128) + 2 * d_fwd
    matmul_flops = 2 * 8 * (g + d)
    flops = bench.model_flops("mlp", 8)
    assert matmul_flops <= flops < 1.3 * matmul_flops   # the rest: activations, losses, Adam


def test_table_has_ratio_and_peak_fraction():
    rows = [bench.BenchRow("mlp", "jax", 64, 2000.0, 1.5, 0.1), bench.BenchRow("mlp", "torch", 64, 1000.0, None, 0.1)]
    info = {"date": "today", "cpu": "cpu", "cores": 2, "backend": "cpu", "jax": jax.__version__, "torch": "x",
            "torch_threads": 2, "load_before": 0.5, "load_after": 0.7}
    peak = {"jax_matmul_gflops": 100.0, "peak_gflops": 100.0}
    table = bench.format_table(rows, info, peak)
    assert "| mlp | 64 | 0.10 | jax | 2000 | 1.50 | 3% | **2.00** |" in table
    assert "No GPU or TPU" in table and "load 0.50" in table


def test_models_are_the_measured_ones():
    gan = bench._jax_gan("mlp")     # the toy GAN the benchmark has always timed: 2-128-128, not the default width
    assert [layer.out_features for layer in gan.generator.hidden] == [128, 128]
    assert [layer.out_features for layer in gan.discriminator.hidden] == [128, 128]
    # devices.scan_unroll does not see tf_dcgan's own layers, so the benchmark unrolls the conv models itself
    assert bench._unroll("tf_dcgan") is (True if jax.default_backend() == "cpu" else None)
    assert bench._unroll("mlp") is None
    with pytest.raises(ValueError, match="unknown model"):
        bench._jax_gan("resnet")


def test_runners_train_and_cli_smoke(capsys, monkeypatch):
    quick_peak = bench.measure_peak
    monkeypatch.setattr(bench, "measure_peak", lambda: quick_peak(seconds=0.2, n=512))
    r = bench.jax_runner("mlp", 16)
    assert r.compile_seconds > 0 and r.run(3) > 0
    f = bench.jax_runner("mlp", 16, fused=True)
    assert f.steps_per_call == bench.FUSED_STEPS["mlp"] and f.run(f.steps_per_call) > 0
    assert bench.main(["--quick", "--model", "mlp", "--batch", "16", "--no-torch", "--no-fused"]) == 0
    out = capsys.readouterr().out
    assert "| mlp | 16 |" in out and "FP32 peak" in out


def test_script_runs_from_the_repository_root():
    proc = subprocess.run([sys.executable, "benchmarks/bench.py", "--help"], cwd=HERE.parent, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "--quality-minutes" in proc.stdout and "python benchmarks/bench.py" in proc.stdout


def test_compile_cache_probe_runs_in_fresh_processes():
    res = bench.compile_cache_check("mlp")      # the subprocess code string imports bench and gan_utils
    assert res["first_process_s"] > 0 and res["second_process_s"] > 0 and res["cache_files"] > 0


def test_benchmark_uses_only_public_names_of_gan_utils():
    """The benchmark scripts live outside the package: they use only names in their gan_utils module's __all__."""
    used = []
    for path in sorted(HERE.glob("*.py")):
        tree = ast.parse(path.read_text())
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gan_utils"):
                assert node.module == "gan_utils", f"{path.name}: import the modules, not from {node.module}"
                aliases.update({a.asname or a.name: a.name for a in node.names})
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                used.append((path.name, aliases[node.value.id], node.attr))
    assert len(used) > 15
    private = {u for u in used if u[2] not in importlib.import_module(f"gan_utils.{u[1]}").__all__}
    assert not private, f"benchmarks use names missing from their gan_utils module's __all__: {sorted(private)}"


def test_quality_race_trains_and_scores():
    res = bench.quality_race(minutes=0.05, torch=False, n_samples=500, log=lambda s: None)
    assert [r["name"] for r in res] == ["course DCGAN (JAX)"]
    r = res[0]
    assert r["steps"] >= 1 and r["batch"] == 64 and r["n"] == 500
    assert r["fid"] > 0 and 0 <= r["digits_covered"] <= 10 and sum(r["class_histogram"]) == 500
    table = bench.format_quality(res, 0.05)
    assert "| course DCGAN (JAX) |" in table and "MNIST-FID" in table


def test_toy_cli_reports_its_process_training_and_quality():
    r = bench.toy_cli(n_steps=200)
    assert r["steps"] == 200 and 0 < r["compile_seconds"] <= r["training_seconds"] < r["process_seconds"]
    assert 0 <= r["modes_covered"] <= 8 and 0 <= r["high_quality_fraction"] <= 1
    assert r["command"] == "python -m gan_utils train --dataset ring --steps 200"


def test_pix2pix_row_times_the_translation_step():
    gan = bench._jax_gan("pix2pix")
    assert gan.discriminator.receptive_field == 34 and gan.generator.latent_dim == 0
    targets, sources = bench._data("pix2pix", 4, 3)
    assert targets.shape == sources.shape == (3, 4, 32, 32, 1) and targets.min() == -1 and targets.max() == 1
    r = bench.jax_runner("pix2pix", 4)
    assert r.compile_seconds > 0 and r.run(2) > 0
    # the U-Net and the PatchGAN at 32x32 cost far more per image than the course's 28x28 DCGAN
    flops = bench.model_flops("pix2pix", 4)
    assert flops > 5 * bench.model_flops("dcgan", 4)
    assert "pix2pix" not in bench.TORCH_MODELS
