"""Times the course DCGAN training step (batch 64) of whichever gan_utils is first on the path.

    python benchmarks/course_step_speed.py [N_STEPS]

To compare two versions of the package, check the other one out in a worktree and run this script alternately
with ``PYTHONPATH=/that/worktree`` and without (it reads both the layout before 2026-11-22, where the steps lived
in ``gan_utils.train``, and the current one). Needs ``GAN_UTILS_MNIST_DIR`` or a cached MNIST.
"""
import sys
import time
import json
from pathlib import Path
import jax
import jax.numpy as jnp
import gan_utils
from gan_utils import data
x = data.to_unit_range(data.load_mnist("train", n=6400)[0])
if (Path(gan_utils.__file__).parent / "steps.py").exists():
    from gan_utils import config, steps
    gan = config.build_gan(config.GANConfig())
    make_train_step, step_key = steps.make_train_step, steps.step_key
else:   # the layout before 2026-11-22: these names lived in gan_utils.train (read by name: not today's API).
    import importlib   # (Decided by file, not by ImportError: an editable install would serve the new modules.)
    old = importlib.import_module("gan_utils.train")
    gan = getattr(old, "build_gan")({"model": "dcgan", "dataset": "mnist", "seed": 0, "latent_dim": 64, "lr": 2e-4,
                                     "b1": 0.5})
    make_train_step, step_key = getattr(old, "make_train_step"), getattr(old, "step_key")
_, state, step = make_train_step(gan)
key = jax.random.key(0)
batches = [jnp.asarray(x[i * 64:(i + 1) * 64]) for i in range(100)]
for i in range(3):
    state, m = step(state, batches[i], step_key(key, i))
jax.block_until_ready(state)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 150
t = time.perf_counter()
for i in range(n):
    state, m = step(state, batches[i % 100], step_key(key, i))
jax.block_until_ready(state)
dt = time.perf_counter() - t
print(json.dumps({"pkg": sys.modules[make_train_step.__module__].__file__, "img_s": round(n * 64 / dt, 1),
                  "ms_step": round(1000 * dt / n, 1)}))
