"""The toy GAN's two ways to train, on the command line's toy recipe: ``train.fit`` (the course's fused step, host
batches) against the playground's ``ToyGAN`` (the same step, ``steps._one_step``, with batches drawn on the device
from its pool: one engine since issue #27), and the course's fused step alone.

``python benchmarks/toy_engines.py --steps 10000 --repeats 3`` (from the repository root, nothing else running)
prints one JSON line per run: ``fit`` trains ``config.build_gan(GANConfig(dataset="ring"))`` with ``train.fit`` (no
callbacks; training seconds exclude the first call's compile), ``step`` runs the same fused step on one fixed set of 50
batches (no host work: what the step itself costs), ``toygan`` trains ``playground.ToyGAN`` with the same networks,
rates and batch. Results and dates: ``benchmarks/RESULTS.md``. Not part of the course package.
"""
from __future__ import annotations

import argparse
import json
import time

import jax
import jax.numpy as jnp
import numpy as np

from gan_utils import config, data, playground, steps, train

FUSE = 50   # train.fit's fused call on CPU for MLPs (devices.default_fuse)


def _recipe(n: int) -> config.GANConfig:
    return config.GANConfig(dataset="ring", lr_anneal=n)     # the command line's default for a run of n steps


def _ring(cfg: config.GANConfig) -> np.ndarray:
    return np.asarray(data.toy_dataset("ring").sample(jax.random.key(cfg.seed + 1), cfg.toy_points))


def time_fit(n: int) -> dict:
    cfg = _recipe(n)
    gan = config.build_gan(cfg)
    k_run, k_data = jax.random.split(jax.random.key(cfg.seed))
    r = train.fit(gan, data.BatchSampler(_ring(cfg), cfg.batch_size, k_data), key=k_run, steps=n, config=cfg,
                  progress=False)
    return {"engine": "fit", "steps": n, "train_s": round(r.seconds - r.compile_seconds, 2),
            "compile_s": round(r.compile_seconds, 2)}


def time_step(n: int) -> dict:
    cfg = _recipe(n)
    gan = config.build_gan(cfg)
    sampler = data.BatchSampler(_ring(cfg), cfg.batch_size, jax.random.key(1))
    _, state, fused = steps.make_fused_train_step(gan, **cfg.step_options())
    reals, key = jnp.asarray(sampler.batches(0, FUSE)), jax.random.key(2)
    state, _ = fused(state, reals, key, 0)                      # compile
    jax.block_until_ready(state)
    t = time.perf_counter()
    for s in range(0, n - n % FUSE, FUSE):
        state, _ = fused(state, reals, key, s)
    jax.block_until_ready(state)
    return {"engine": "step", "steps": n - n % FUSE, "train_s": round(time.perf_counter() - t, 2)}


def time_toygan(n: int) -> dict:
    cfg = _recipe(n)
    (width,) = set(cfg.hidden)
    gan = playground.ToyGAN(playground.PlaygroundConfig(
        data="ring", g_layers=len(cfg.hidden), g_width=width, d_layers=len(cfg.hidden), d_width=width, g_lr=cfg.lr,
        d_lr=cfg.d_lr, batch_size=cfg.batch_size))
    gan.train(1)                                                 # compile (one compilation serves every n)
    jax.block_until_ready(gan.state)
    t = time.perf_counter()
    gan.train(n)
    jax.block_until_ready(gan.state)
    return {"engine": "toygan", "steps": n, "train_s": round(time.perf_counter() - t, 2)}


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000, help="training steps per run (default 10,000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per engine, alternating (default 3)")
    args = parser.parse_args(argv)
    rows = []
    for _ in range(args.repeats):
        for run in (time_fit, time_step, time_toygan):
            rows.append(run(args.steps))
            print(json.dumps(rows[-1]), flush=True)
    return rows


if __name__ == "__main__":
    main()
