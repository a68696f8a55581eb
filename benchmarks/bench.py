"""Benchmark of the complete GAN training step (one discriminator update + one generator update).

``python benchmarks/bench.py`` (from the repository root) measures, in one run on one machine, images per
second and the one-off compile time of:

* ``dcgan``: the course's DCGAN (``gan_utils.models.DCGANGenerator`` / ``DCGANDiscriminator``);
* ``tf_dcgan``: the TensorFlow tutorial's DCGAN (``tf_dcgan.TFTutorialGenerator`` / ``TFTutorialDiscriminator``,
  beside this file),
  plus, at one batch size, the same network written the obvious way (``direct=True``: strided
  ``lax.conv`` / ``lax.conv_transpose``) to show what the stride-1 rewrite buys;
* ``mlp``: the toy 2-D GAN (MLPs with two hidden layers of 128 units);
* ``pix2pix``: notebook 11's image-to-image translation at 32x32 (``models.UNetGenerator`` base 32,
  ``models.PatchDiscriminator`` base 32 with 34-pixel patches, the L1 term at lambda 100) on the glyph pairs;
  JAX only (no PyTorch twin yet);

each as a single jitted step and fused (many steps in one compiled ``lax.scan``), and, when PyTorch is
installed (``pip install -r benchmarks/requirements.txt``), the same architecture in PyTorch eager on the same
data and batch, with the JAX / PyTorch ratio. It also counts each model's FLOPs per step (XLA's cost analysis of the
direct definition, so the zero taps of the rewritten convolutions are not counted as work) and measures the
machine's FP32 matrix-multiply peak, to report the fraction of it each side reaches. ``--quality-minutes 5``
then races quality per wall-clock minute (``quality_race``): the course DCGAN in JAX against the TF tutorial's
DCGAN in PyTorch eager, each trained for 5 minutes and scored with MNIST-FID.

Fairness: both sides use every core (XLA's thread pool; ``torch.set_num_threads(os.cpu_count())``), get the
same batches already in memory, are warmed up before timing (JAX: compiled and run twice; PyTorch: three
steps), and are timed in interleaved blocks (JAX, fused JAX, PyTorch, then again), so that both see the same
load; the figure is the median block. The PyTorch step is the one in PyTorch's DCGAN tutorial, made as
fast as plain PyTorch allows: ``fake`` is computed once and reused, and the discriminator's parameters do
not collect gradients during the generator update (our JAX step does the same, see ``gan_utils.steps``).

This is not part of the course package: it imports ``gan_utils`` through its public names only, and the
TF-tutorial networks and their fast convolution layers from ``tf_dcgan.py`` beside it. Its tests are
``benchmarks/test_bench.py``.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
if importlib.util.find_spec("gan_utils") is None:   # a checkout without `pip install -e .`: use the one beside us
    sys.path.insert(0, str(HERE.parent))

import jax   # noqa: E402
import jax.numpy as jnp   # noqa: E402
import numpy as np   # noqa: E402
from flax import nnx   # noqa: E402

from gan_utils import checkpoint, config, data, devices, metrics, models, steps, train   # noqa: E402
import tf_dcgan   # noqa: E402  (beside this file: python puts benchmarks/ on sys.path for the script)

__all__ = ["MODELS", "TORCH_MODELS", "STEP_OPTIONS", "BenchRow", "machine_info", "measure_peak", "jax_runner",
           "torch_runner", "run_bench", "format_table", "model_flops", "compile_cache_check", "toy_fit", "toy_cli",
           "quality_race", "format_quality", "build_parser", "main"]

MODELS = ("dcgan", "tf_dcgan", "mlp", "pix2pix")
LATENT = {"dcgan": 64, "tf_dcgan": 100, "mlp": 2, "pix2pix": 0}
FUSED_STEPS = {"dcgan": 2, "tf_dcgan": 2, "mlp": 200, "pix2pix": 2}   # steps per fused call (conv: an unrolled
#                                                                       scan on CPU)
CONV_MODELS = ("dcgan", "tf_dcgan", "pix2pix")
TORCH_MODELS = ("dcgan", "tf_dcgan", "mlp")        # the models with a PyTorch twin
STEP_OPTIONS = {"pix2pix": dict(l1_weight=100.0)}  # a model's training-step options beyond the defaults


@dataclass
class BenchRow:
    """One measured configuration."""
    model: str
    impl: str                       # "jax", "jax fused", "jax direct", "torch"
    batch: int
    images_per_second: float
    compile_seconds: float | None   # None for PyTorch (no compile)
    gflop_per_step: float           # the model's FLOPs per step (same for all implementations of a model)
    blocks: list = field(default_factory=list)   # images/s of each timed block

    @property
    def gflops(self) -> float:
        return self.gflop_per_step * self.images_per_second / self.batch


# ------------------------------------------------------------------------------------------- the machine

def machine_info() -> dict:
    """CPU, cores, library versions, XLA flags, load and date of this run."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "cpu": cpu, "cores": os.cpu_count(),
            "jax": jax.__version__, "backend": jax.default_backend(),
            "devices": [str(d) for d in jax.devices()], "python": platform.python_version(),
            "xla_flags": os.environ.get("XLA_FLAGS", ""), "load_before": _load()}
    try:
        import torch
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        info["torch"] = None
    return info


def _load() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def measure_peak(seconds: float = 2.0, n: int = 2048) -> dict:
    """Measured FP32 peak in GFLOP/s: the best n x n matrix multiply of XLA and of PyTorch (if installed)."""
    out = {}
    a = jax.random.normal(jax.random.key(0), (n, n), jnp.float32)
    mm = jax.jit(lambda a, b: a @ b)
    out["jax_matmul_gflops"] = _best_rate(lambda: mm(a, a).block_until_ready(), 2 * n ** 3, seconds)
    try:
        import torch
        t = torch.randn(n, n)
        out["torch_matmul_gflops"] = _best_rate(lambda: torch.mm(t, t), 2 * n ** 3, seconds)
    except ImportError:
        pass
    out["peak_gflops"] = max(out.values())
    return out


def _best_rate(fn: Callable, flop: float, seconds: float) -> float:
    fn()
    best, t_end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        t = time.perf_counter()
        fn()
        best = max(best, flop / (time.perf_counter() - t) / 1e9)
    return best


# ------------------------------------------------------------------------------------------- the models

def _jax_gan(model: str, direct: bool = False, seed: int = 0) -> steps.GAN:
    """The JAX GAN of ``model`` (Adam 2e-4, beta1 0.5 for both networks); ``direct`` only for ``tf_dcgan``."""
    if model == "dcgan":
        return config.build_gan(config.GANConfig(dataset="mnist", model="dcgan", latent_dim=LATENT[model], seed=seed,
                                                 lr=2e-4, b1=0.5))
    if model == "mlp":
        # hidden=(128, 128), not GANConfig's default (256, 256): the toy GAN this benchmark has always measured
        # (and its PyTorch twin in _torch_models) is 2-128-128.
        return config.build_gan(config.GANConfig(dataset="ring", model="mlp", latent_dim=LATENT[model], seed=seed,
                                                 lr=2e-4, b1=0.5, hidden=(128, 128)))
    if model == "tf_dcgan":
        rngs = nnx.Rngs(seed)
        g = tf_dcgan.TFTutorialGenerator(latent_dim=LATENT[model], direct=direct, rngs=rngs)
        d = tf_dcgan.TFTutorialDiscriminator(direct=direct, rngs=rngs)
        return steps.GAN(g, d, g_lr=2e-4, d_lr=2e-4, b1=0.5)
    if model == "pix2pix":
        g = models.UNetGenerator(32, 32, rngs=nnx.Rngs(seed))
        d = models.PatchDiscriminator(32, 32, n_down=2, rngs=nnx.Rngs(seed + 1))
        return steps.GAN(g, d, g_lr=2e-4, d_lr=2e-4, b1=0.5)
    raise ValueError(f"unknown model {model!r}; choose one of {MODELS}.")


def _unroll(model: str) -> bool | None:
    """``unroll`` for the fused step: fully unrolled for the convolutional models on CPU (a rolled ``lax.scan``
    loses XLA:CPU's fast convolution path). Explicit because ``devices.scan_unroll`` only recognises
    ``nnx.Conv`` / ``nnx.ConvTranspose``, not the TF-tutorial nets' own layers; None: the package's default."""
    return True if (model in CONV_MODELS and jax.default_backend() == "cpu") else None


def _data(model: str, batch: int, n_batches: int, seed: int = 0) -> np.ndarray | tuple:
    """n_batches real batches (n_batches, B, ...): MNIST in [-1, 1] (NHWC), points of the ring, or (targets,
    sources) glyph pairs at 32x32 (the pairs repeat when a run asks for more than the 3,379 training pairs)."""
    if model == "pix2pix":
        pairs = data.load_glyphs("train", size=32)
        rows = np.arange(n_batches * batch) % len(pairs)
        return tuple(data.to_unit_range(x[rows]).reshape(n_batches, batch, 32, 32, 1)
                     for x in (pairs.target, pairs.source))
    if model == "mlp":
        x = np.asarray(data.ring().sample(jax.random.key(seed), n_batches * batch), np.float32)
        return x.reshape(n_batches, batch, 2)
    x, _ = data.load_mnist("train", n=n_batches * batch)
    return data.to_unit_range(x).reshape(n_batches, batch, 28, 28, 1)


def model_flops(model: str, batch: int) -> float:
    """FLOPs of one training step of ``model`` at this batch, by XLA's cost analysis of the direct definition."""
    gan = _jax_gan(model, direct=True)
    _, state, step = steps.make_train_step(gan, data_parallel=False, **STEP_OPTIONS.get(model, {}))
    real = np.zeros((batch, *_data_shape(model)), np.float32)
    real = (real, real) if model == "pix2pix" else real
    ca = step.lower(state, real, jax.random.key(0)).compile().cost_analysis()
    ca = ca[0] if isinstance(ca, (list, tuple)) else ca
    return float(ca["flops"])


def _data_shape(model: str) -> tuple:
    return {"mlp": (2,), "pix2pix": (32, 32, 1)}.get(model, (28, 28, 1))


class _Runner:
    """Runs ``n`` training steps (``run(n)``) and returns the seconds they took (synchronised)."""
    compile_seconds: float | None = None
    steps_per_call: int = 1

    def run(self, n: int) -> float:
        raise NotImplementedError


def jax_runner(model: str, batch: int, *, fused: bool = False, direct: bool = False, seed: int = 0) -> _Runner:
    """A JAX runner: ``steps.make_train_step`` (or ``steps.make_fused_train_step``), compiled and warmed up."""
    gan = _jax_gan(model, direct=direct, seed=seed)
    key = jax.random.key(seed)
    r = _Runner()
    options = STEP_OPTIONS.get(model, {})
    if not fused:
        _, state, step = steps.make_train_step(gan, **options)
        d8 = jax.tree_util.tree_map(jnp.asarray, _data(model, batch, 8, seed))
        batches = [jax.tree_util.tree_map(lambda a, i=i: a[i], d8) for i in range(8)]
        keys = [steps.step_key(key, i) for i in range(64)]
        t = time.perf_counter()
        (step.jitted if hasattr(step, "jitted") else step).lower(state, batches[0], keys[0]).compile()
        r.compile_seconds = time.perf_counter() - t
        holder = {"state": state, "i": 0}

        def run(n_steps):
            st, i = holder["state"], holder["i"]
            t = time.perf_counter()
            for _ in range(n_steps):
                st, _m = step(st, batches[i % 8], keys[i % 64])
                i += 1
            jax.block_until_ready(st)
            holder["state"], holder["i"] = st, i
            return time.perf_counter() - t
    else:
        n = FUSED_STEPS[model]
        _, state, fused_step = steps.make_fused_train_step(gan, unroll=_unroll(model), **options)
        reals = jax.tree_util.tree_map(jnp.asarray, _data(model, batch, n, seed))
        t = time.perf_counter()
        (fused_step.jitted if hasattr(fused_step, "jitted") else fused_step).lower(state, reals, key, 0).compile()
        r.compile_seconds = time.perf_counter() - t
        r.steps_per_call = n
        holder = {"state": state, "i": 0}

        def run(n_steps):
            st, i = holder["state"], holder["i"]
            t = time.perf_counter()
            for _ in range(max(1, round(n_steps / n))):
                st, _m = fused_step(st, reals, key, i)
                i += n
            jax.block_until_ready(st)
            holder["state"], holder["i"] = st, i
            return time.perf_counter() - t
    r.run = run
    r.run(r.steps_per_call if fused else 2)   # warm-up: first calls allocate buffers
    return r


def _torch_models(model: str):
    from torch import nn

    class View(nn.Module):
        def __init__(self, *shape):
            super().__init__()
            self.shape = shape

        def forward(self, x):
            return x.view(x.shape[0], *self.shape)

    if model == "tf_dcgan":   # https://www.tensorflow.org/tutorials/generative/dcgan, in PyTorch
        g = nn.Sequential(
            nn.Linear(100, 7 * 7 * 256, bias=False), nn.BatchNorm1d(7 * 7 * 256), nn.LeakyReLU(0.3), View(256, 7, 7),
            nn.ConvTranspose2d(256, 128, 5, 1, 2, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.3),
            nn.ConvTranspose2d(128, 64, 5, 2, 2, output_padding=1, bias=False), nn.BatchNorm2d(64), nn.LeakyReLU(0.3),
            nn.ConvTranspose2d(64, 1, 5, 2, 2, output_padding=1, bias=False), nn.Tanh())
        d = nn.Sequential(
            nn.Conv2d(1, 64, 5, 2, 2), nn.LeakyReLU(0.3), nn.Dropout(0.3),
            nn.Conv2d(64, 128, 5, 2, 2), nn.LeakyReLU(0.3), nn.Dropout(0.3),
            nn.Flatten(), nn.Linear(7 * 7 * 128, 1))
    elif model == "dcgan":    # gan_utils.models.DCGANGenerator / DCGANDiscriminator, in PyTorch
        g = nn.Sequential(
            nn.Linear(64, 7 * 7 * 128, bias=False), nn.BatchNorm1d(7 * 7 * 128), nn.ReLU(), View(128, 7, 7),
            nn.Conv2d(128, 4 * 64, 3, 1, 1), nn.PixelShuffle(2), nn.BatchNorm2d(64), nn.ReLU(),
            nn.Conv2d(64, 4, 3, 1, 1), nn.PixelShuffle(2), nn.Tanh())
        d = nn.Sequential(
            nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(7 * 7 * 128, 1))
    elif model == "mlp":
        g = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))
        d = nn.Sequential(nn.Linear(2, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.LeakyReLU(0.2),
                          nn.Linear(128, 1))
    else:
        raise ValueError(f"unknown model {model!r}; choose one of {MODELS}.")
    return g, d


def _torch_step(model: str, batch: int, seed: int = 0):
    """The PyTorch eager training step of ``model`` (Adam 2e-4, beta1 0.5): ``(generator, one_step(real))``."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    torch.set_num_threads(os.cpu_count() or 1)
    g, d = _torch_models(model)
    g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    latent = LATENT[model]

    def one_step(real):
        fake = g(torch.randn(batch, latent))
        d_opt.zero_grad(set_to_none=True)
        d_loss = bce(d(real), ones) + bce(d(fake.detach()), zeros)
        d_loss.backward()
        d_opt.step()
        for p in d.parameters():   # the generator update needs no gradients of D's parameters
            p.requires_grad_(False)
        g_opt.zero_grad(set_to_none=True)
        g_loss = bce(d(fake), ones)
        g_loss.backward()
        g_opt.step()
        for p in d.parameters():
            p.requires_grad_(True)

    return g, one_step


def torch_runner(model: str, batch: int, *, seed: int = 0) -> _Runner:
    """A PyTorch eager runner of the same architecture and step, on the same batches, warmed up."""
    import torch

    _, one_step = _torch_step(model, batch, seed)
    x = _data(model, batch, 8, seed)
    batches = [torch.from_numpy(np.ascontiguousarray(b.transpose(0, 3, 1, 2) if b.ndim == 4 else b)) for b in x]

    r = _Runner()
    holder = {"i": 0}

    def run(n_steps):
        t = time.perf_counter()
        for _ in range(n_steps):
            one_step(batches[holder["i"] % 8])
            holder["i"] += 1
        return time.perf_counter() - t
    r.run = run
    r.run(3)
    return r


# ------------------------------------------------------------------------------------------- the benchmark

_CACHE_PROBE = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[3])   # benchmarks/, for bench (which finds gan_utils and tf_dcgan)
import jax, numpy as np
import bench
from gan_utils import devices, steps
devices.enable_compilation_cache(sys.argv[1])
gan = bench._jax_gan(sys.argv[2])
_, state, step = steps.make_train_step(gan)
real = np.zeros((64, *bench._data_shape(sys.argv[2])), np.float32)
t = time.perf_counter()
jax.block_until_ready(step(state, real, jax.random.key(0)))
print("FIRST_STEP", time.perf_counter() - t)
"""


def compile_cache_check(model: str = "dcgan") -> dict:
    """Seconds of the first training step (compile included) in two fresh processes sharing a new persistent
    compilation cache (``devices.enable_compilation_cache``): the second should skip compiling."""
    import tempfile
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        for run in ("first_process_s", "second_process_s"):
            proc = subprocess.run([sys.executable, "-c", _CACHE_PROBE, cache, model, str(HERE)],
                                  capture_output=True, text=True, timeout=900)
            if proc.returncode:
                raise RuntimeError(f"compile-cache probe failed:\n{proc.stderr[-2000:]}")
            out[run] = float(next(l for l in proc.stdout.splitlines() if l.startswith("FIRST_STEP")).split()[1])
        out["cache_files"] = sum(len(f) for _, _, f in os.walk(cache))
    return out


def toy_fit(n_steps: int = 10_000, batch: int = 64, seed: int = 0) -> dict:
    """Wall-clock seconds of ``train.fit`` on the 2-D ring for ``n_steps`` steps (the notebook's live demo),
    compile included, with the default fusing (``devices.default_fuse``)."""
    gan = _jax_gan("mlp", seed=seed)
    x = np.asarray(data.ring().sample(jax.random.key(seed), 100_000))
    sampler = data.BatchSampler(x, batch, jax.random.key(seed + 1))
    t = time.perf_counter()
    res = train.fit(gan, sampler, key=jax.random.key(seed + 2), steps=n_steps, progress=False)
    return {"steps": res.step, "batch": batch, "seconds": time.perf_counter() - t,
            "compile_seconds": res.compile_seconds, "fuse": devices.default_fuse(gan)}


def toy_cli(n_steps: int = 10_000, dataset: str = "ring", cache_dir: str | None = None) -> dict:
    """The command line's toy GAN as a learner runs it: ``python -m gan_utils train --dataset ring --steps 10000`` in a
    fresh process (imports, data, compiling, training, checkpoint, plot). Returns the process's wall-clock seconds and
    the training seconds ``train`` itself reports (its metrics.json: ``seconds``, of which ``compile_seconds``).

    ``train`` keeps compiled programs on disk (``devices.enable_compilation_cache``): ``cache_dir`` is that cache for
    this run (``JAX_COMPILATION_CACHE_DIR``); an empty folder measures a learner's first run, the same folder again
    their second."""
    import tempfile
    env = dict(os.environ, **({"JAX_COMPILATION_CACHE_DIR": str(cache_dir)} if cache_dir else {}))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "gan_utils", "train", "--dataset", dataset, "--steps",
                               str(n_steps), "--out", str(out), "--quiet"], capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t
        if proc.returncode:
            raise RuntimeError(f"train failed:\n{proc.stderr[-2000:]}")
        summary = json.loads((out / "metrics.json").read_text())["summary"]
        gan = checkpoint.load_gan(out / checkpoint.RUN_SUBDIR)
        fake = np.asarray(models.sample(gan.sampler(), jax.random.key(1), 2500))
        m = metrics.toy_mode_metrics(fake, data.toy_dataset(dataset))
    return {"command": f"python -m gan_utils train --dataset {dataset} --steps {n_steps}", "process_seconds": wall,
            "training_seconds": summary["seconds"], "compile_seconds": summary["compile_seconds"],
            "steps": summary["step"], "modes_covered": m["modes_covered"],
            "high_quality_fraction": m["high_quality_fraction"]}


def quality_race(minutes: float = 5.0, *, torch: bool | None = None, n_samples: int = 10_000, seed: int = 0,
                 log: Callable = print) -> list[dict]:
    """Quality per wall-clock minute: each contender trains for ``minutes`` on this machine, then is scored.

    * ``course DCGAN (JAX)``: ``train.fit`` of the course's DCGAN at batch 64 (the notebooks' setting),
      compile time included in the budget;
    * ``TF-tutorial DCGAN (PyTorch eager)``: the same step as ``torch_runner`` (batch 128, Adam 2e-4,
      beta1 0.5), on shuffled MNIST, when PyTorch is installed.

    Both are scored on ``n_samples`` samples with ``metrics.image_metrics`` against the MNIST test set
    (MNIST-FID from the shipped classifier, digits covered, precision and recall).

    Returns:
      one dict per contender: name, steps, batch, seconds, and the metrics.
    """
    torch = _has_torch() if torch is None else torch
    x, _ = data.load_mnist("train")
    x = data.to_unit_range(x)                                    # (60000, 28, 28, 1) in [-1, 1]
    test, _ = data.load_mnist("test")
    ref = metrics.classifier_outputs(test)
    out = []

    key = jax.random.key(seed)
    k_data, k_run, k_sample = jax.random.split(key, 3)
    gan = _jax_gan("dcgan", seed=seed)
    log(f"quality race: course DCGAN (JAX), {minutes:g} minutes ...")
    res = train.fit(gan, data.BatchSampler(x, 64, k_data), key=k_run, minutes=minutes, progress=False)
    fake = np.asarray(models.sample(gan.generator, k_sample, n_samples))
    out.append({"name": "course DCGAN (JAX)", "steps": res.step, "batch": 64, "seconds": round(res.seconds, 1),
                **metrics.image_metrics(fake, ref)})
    log(f"  {res.step} steps in {res.seconds:.0f} s: FID {out[-1]['fid']:.1f}, "
        f"{out[-1]['digits_covered']} digits")

    if torch:
        import torch as T
        batch = 128
        g, one_step = _torch_step("tf_dcgan", batch, seed)
        xt = T.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        log(f"quality race: TF-tutorial DCGAN (PyTorch eager), {minutes:g} minutes ...")
        t0, done, perm = time.perf_counter(), 0, T.randperm(len(xt))
        while time.perf_counter() - t0 < 60 * minutes:
            i = done % (len(xt) // batch)
            if i == 0 and done:
                perm = T.randperm(len(xt))                        # a new epoch, reshuffled
            one_step(xt[perm[i * batch:(i + 1) * batch]])
            done += 1
        seconds = time.perf_counter() - t0
        g.eval()
        with T.no_grad():
            fake = np.concatenate([g(T.randn(min(1000, n_samples - i), 100)).numpy()
                                   for i in range(0, n_samples, 1000)])
        out.append({"name": "TF-tutorial DCGAN (PyTorch eager)", "steps": done, "batch": batch,
                    "seconds": round(seconds, 1), **metrics.image_metrics(fake.transpose(0, 2, 3, 1), ref)})
        log(f"  {done} steps in {seconds:.0f} s: FID {out[-1]['fid']:.1f}, {out[-1]['digits_covered']} digits")
    return out


def format_quality(results: list[dict], minutes: float) -> str:
    """The quality race as a markdown table."""
    lines = [f"Quality after {minutes:g} minutes of training on this machine (scored on {results[0]['n']} "
             "samples against the MNIST test set; lower FID is better):", "",
             "| model | steps x batch | MNIST-FID | digits present (>= 1%) | precision | recall |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['name']} | {r['steps']} x {r['batch']} | **{r['fid']:.1f}** | {r['digits_covered']} "
                     f"| {r['precision']:.2f} | {r['recall']:.2f} |")
    return "\n".join(lines)


def _has_torch() -> bool:
    return importlib.util.find_spec("torch") is not None


def run_bench(models=MODELS, batches=(64, 128, 256), *, torch: bool | None = None, fused=("dcgan", "mlp"),
              direct_batch: int | None = 128, repeats: int = 3, block_seconds: float = 2.0,
              log: Callable = print) -> list[BenchRow]:
    """Measures every (model, batch) configuration; returns one BenchRow per implementation.

    Args:
      models: names from ``MODELS``.
      batches: batch sizes.
      torch: include PyTorch eager (default: when it is installed).
      fused: the models whose fused (``lax.scan``) JAX step is also timed (True: all, False: none).
      direct_batch: batch at which ``tf_dcgan`` is also timed in its direct form (None: never).
      repeats: interleaved timed blocks per implementation; the median is reported.
      block_seconds: length of one timed block.
      log: progress printer.
    """
    torch = _has_torch() if torch is None else torch
    rows = []
    for model in models:
        if model not in MODELS:
            raise ValueError(f"unknown model {model!r}; choose from {MODELS}.")
        for batch in batches:
            flop = model_flops(model, batch) / 1e9
            runners = {"jax": jax_runner(model, batch)}
            if fused is True or (fused and model in fused):
                runners["jax fused"] = jax_runner(model, batch, fused=True)
            if model == "tf_dcgan" and batch == direct_batch:
                runners["jax direct"] = jax_runner(model, batch, direct=True)
            if torch and model in TORCH_MODELS:
                runners["torch"] = torch_runner(model, batch)
            # steps per block, from one timed step (fused runners: whole calls)
            n_steps = {}
            for name, r in runners.items():
                sec = r.run(r.steps_per_call) / r.steps_per_call
                n_steps[name] = max(r.steps_per_call, int(block_seconds / max(sec, 1e-6)))
            blocks = {name: [] for name in runners}
            for _ in range(repeats):
                for name, r in runners.items():   # interleaved: every implementation sees the same load
                    sec = r.run(n_steps[name])
                    done = max(1, round(n_steps[name] / r.steps_per_call)) * r.steps_per_call
                    blocks[name].append(done * batch / sec)
            for name, r in runners.items():
                row = BenchRow(model, name, batch, statistics.median(blocks[name]), r.compile_seconds, flop,
                               [round(b, 1) for b in blocks[name]])
                rows.append(row)
                log(f"{model:9s} {name:10s} batch {batch:4d}: {row.images_per_second:9.1f} img/s"
                    + (f", compile {r.compile_seconds:.2f} s" if r.compile_seconds is not None else "")
                    + f", load {_load():.2f}")
    return rows


def format_table(rows: list[BenchRow], info: dict, peak: dict | None = None) -> str:
    """The results as markdown: the machine, then one table row per (model, batch) with the ratios."""
    lines = [f"Measured {info['date']} on {info['cpu']} ({info['cores']} cores), backend {info['backend']}, "
             f"JAX {info['jax']}" + (f", PyTorch {info['torch']} ({info.get('torch_threads')} threads)"
                                      if info.get("torch") else ", PyTorch not installed")
             + (f", XLA_FLAGS={info['xla_flags']!r}" if info.get("xla_flags") else "")
             + f"; 1-minute load {info['load_before']:.2f} before and "
               f"{info.get('load_after', float('nan')):.2f} after.",
             ""]
    if info["backend"] == "cpu":
        lines.append("No GPU or TPU was available: all figures are CPU figures.")
        lines.append("")
    if peak:
        lines.append(f"Measured FP32 peak (best 2048x2048 matmul): XLA {peak['jax_matmul_gflops']:.0f} GFLOP/s"
                     + (f", PyTorch {peak['torch_matmul_gflops']:.0f} GFLOP/s" if "torch_matmul_gflops" in peak else "")
                     + f"; fractions below are of {peak['peak_gflops']:.0f} GFLOP/s.")
        lines.append("")
    lines += ["| model | batch | GFLOP/step | implementation | images/s | compile s | % of peak | JAX / PyTorch |",
              "|---|---:|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        torch_row = next((t for t in rows if t.model == r.model and t.batch == r.batch and t.impl == "torch"), None)
        ratio = (f"**{r.images_per_second / torch_row.images_per_second:.2f}**"
                 if torch_row is not None and r.impl != "torch" else "")
        frac = f"{100 * r.gflops / peak['peak_gflops']:.0f}%" if peak else ""
        comp = f"{r.compile_seconds:.2f}" if r.compile_seconds is not None else "-"
        lines.append(f"| {r.model} | {r.batch} | {r.gflop_per_step:.2f} | {r.impl} | {r.images_per_second:.0f} | "
                     f"{comp} | {frac} | {ratio} |")
    return "\n".join(lines) + "\n"


def cmd_bench(args) -> None:
    info = machine_info()
    if args.toy:
        print(f"machine: {json.dumps(info)}")
        print(f"toy fit: {json.dumps(toy_fit())}", flush=True)
        import tempfile
        with tempfile.TemporaryDirectory() as cache:      # a first run (empty compilation cache), then a second
            for run in ("first run", "second run"):
                print(f"toy command line, {run}: {json.dumps(toy_cli(cache_dir=cache))}", flush=True)
        print(f"load after: {_load()}")
        return
    if args.wait_load is not None:
        t_end = time.time() + 60 * args.wait_minutes
        while (_load() or 0) > args.wait_load and time.time() < t_end:
            print(f"waiting for the 1-minute load ({_load():.2f}) to fall below {args.wait_load}", flush=True)
            time.sleep(20)
        info["load_before"] = _load()
    peak = measure_peak()
    print(f"FP32 peak: {json.dumps({k: round(v) for k, v in peak.items()})}", flush=True)
    batches = tuple(args.batch) if args.batch else ((64,) if args.quick else (64, 128, 256))
    rows = run_bench(tuple(args.models or MODELS), batches, torch=None if not args.no_torch else False,
                     fused=False if args.no_fused else (True if args.fused_all else ("dcgan", "mlp")),
                     direct_batch=None if args.quick else 128,
                     repeats=1 if args.quick else args.repeats, block_seconds=0.3 if args.quick else args.block_seconds,
                     log=lambda s: print(s, flush=True))
    extras = ""
    if not args.quick:
        toy = toy_fit()
        print(f"toy fit: {json.dumps(toy)}", flush=True)
        import tempfile
        with tempfile.TemporaryDirectory() as cache:      # a learner's second run: the compilation cache is warm
            toy_cli(cache_dir=cache)
            cli = toy_cli(cache_dir=cache)
        print(f"toy command line (second run): {json.dumps(cli)}", flush=True)
        cache = compile_cache_check("dcgan")
        print(f"compile cache: {json.dumps(cache)}", flush=True)
        extras = (f"\nToy 2-D GAN (MLPs 2-128-128, batch {toy['batch']}), `train.fit` for {toy['steps']:,} steps "
                  f"on the ring, fused {toy['fuse']} steps per call: **{toy['seconds']:.1f} s** in all, of which "
                  f"{toy['compile_seconds']:.1f} s compiling and the first call. "
                  f"`{cli['command']}` (its defaults, a second run): "
                  f"**{cli['training_seconds']:.1f} s** of training ({cli['compile_seconds']:.1f} s of it compiling), "
                  f"**{cli['process_seconds']:.1f} s** for the whole process.\n\n"
                  f"Persistent compilation cache (`devices.enable_compilation_cache`), course DCGAN, first step of a "
                  f"fresh process: {cache['first_process_s']:.1f} s with an empty cache, "
                  f"**{cache['second_process_s']:.1f} s** in a second process ({cache['cache_files']} cache files).\n")
        info["toy_fit"], info["toy_cli"], info["compile_cache"] = toy, cli, cache
    quality = None
    if args.quality_minutes:
        quality = quality_race(args.quality_minutes, torch=None if not args.no_torch else False,
                               log=lambda s: print(s, flush=True))
        extras += "\n" + format_quality(quality, args.quality_minutes) + "\n"
    info["load_after"] = _load()
    table = format_table(rows, info, peak) + extras
    print()
    print(table)
    if args.out:
        out = Path(args.out)
        with checkpoint.atomic_file(out) as tmp:          # each all or nothing
            tmp.write_text(table)
        with checkpoint.atomic_file(out.with_suffix(".json")) as tmp:
            tmp.write_text(json.dumps({"machine": info, "peak": peak, "rows": [asdict(r) for r in rows],
                                       "quality": quality}, indent=1))
        print(f"wrote {out} and {out.with_suffix('.json')}")


def build_parser() -> argparse.ArgumentParser:
    """The options of ``python benchmarks/bench.py`` (those of the former ``python -m gan_utils bench``)."""
    b = argparse.ArgumentParser(prog="python benchmarks/bench.py",
                                description=__doc__.split("\n\n")[0] + " JAX vs PyTorch eager, images/s and "
                                "compile time.", formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    b.add_argument("--model", dest="models", action="append", choices=MODELS, help="model(s) to time (default: all)")
    b.add_argument("--batch", action="append", type=int, help="batch size(s) (default: 64, 128 and 256)")
    b.add_argument("--repeats", type=int, default=3, help="interleaved timed blocks per implementation")
    b.add_argument("--block-seconds", type=float, default=2.0, help="length of one timed block")
    b.add_argument("--no-torch", action="store_true", help="skip PyTorch even if it is installed")
    b.add_argument("--no-fused", action="store_true", help="skip the fused (lax.scan) JAX step")
    b.add_argument("--fused-all", action="store_true", help="time the fused step of tf_dcgan too (slow to compile)")
    b.add_argument("--toy", action="store_true", help="only the toy GAN: train.fit and the command line, 10,000 steps")
    b.add_argument("--quick", action="store_true", help="batch 64, one short block: a smoke test")
    b.add_argument("--wait-load", type=float, default=None,
                   help="first wait (up to --wait-minutes) until the 1-minute load average is below this")
    b.add_argument("--wait-minutes", type=float, default=30, help="longest wait for --wait-load")
    b.add_argument("--quality-minutes", type=float, default=0,
                   help="then train the course DCGAN (JAX) and the TF-tutorial DCGAN (PyTorch) this long each and "
                        "score both with MNIST-FID (0: skip)")
    b.add_argument("--out", default=None, help="also write the table here (markdown) and the raw figures (.json)")
    return b


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.out:   # where the table goes, checked before the measuring (minutes), not after it
        try:
            for path in (Path(args.out), Path(args.out).with_suffix(".json")):
                checkpoint.check_target(path)
        except checkpoint.CheckpointError as e:
            parser.exit(2, f"{parser.prog}: error: {e}\n")
    try:
        cmd_bench(args)
    except KeyboardInterrupt:
        print("interrupted.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
