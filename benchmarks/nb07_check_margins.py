"""The margins of notebook 07's one-seed checks, measured over other seeds (issue #26: an assert on a training
outcome holds with a margin measured over at least 5 seeds).

``python benchmarks/nb07_check_margins.py section1 --seeds 1 2 3 4 5`` (from the repository root) runs the code of
sections 1.2 and 1.3 (a discriminator and a WGAN-GP critic trained on two thin segments), taken from the notebook's
own source so that it cannot drift from it, once per seed (the networks' initialisation and every key), and prints one
JSON line per seed with the numbers its checks assert on. ``mnist`` trains the course recipe (``GANConfig()``) on
MNIST for 500 steps per seed, as section 5's check does, and prints the reverse KL of the digit histogram of 1,000
samples to the uniform one and the least drawn digit's share. ``table`` trains the two grid rows that section 4's
re-run check trains (the plain GAN and LSGAN, the table's leading stabiliser), one seed alone each, at the table's
protocol, with the recipe and methods read from the notebook's source, and prints their modes covered and
high-quality fraction. Results and dates: ``benchmarks/RESULTS.md``. Not part of the course package.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from gan_utils import config, data, losses, metrics, models, train

NOTEBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "notebooks", "07_mode_collapse.py")


def _between(src: str, start: str, end: str) -> str:
    """The notebook's source from the line starting with `start` up to (not including) `end`."""
    a = src.index(start)
    return src[a:src.index(end, a)]


def _before_cell(src: str, start: str, first_line: str) -> str:
    """The notebook's source from `start` up to the header of the cell whose first line is `first_line` (a header
    may carry the cell's slide metadata: `# %% slideshow={...}`)."""
    a = src.index(start)
    return src[a:src.rfind("# %%", a, src.index("\n" + first_line, a))]


def section1(seed: int) -> dict:
    """Sections 1.2-1.3 of notebook 07 with SEED = seed: D's accuracy and D(G(z)) at the end, the saturating
    gradient's end over its largest, the non-saturating one's growth from step 10, the critic's W1 estimate and the
    generator's gradient under the critic (true values 0.5 and 1)."""
    src = open(NOTEBOOK).read()
    code = (_before_cell(src, "THETA = 0.5\n", "# Check: D becomes perfect")
            + _before_cell(src, "key, k_c = jax.random.split(key)\n", "# Check: the trained critic estimates W1"))
    ns = dict(jax=jax, jnp=jnp, np=np, optax=optax, nnx=nnx, losses=losses, models=models, SEED=seed,
              key=jax.random.key(seed), print=lambda *a, **k: None)
    exec(code, ns)
    perfect, w = ns["perfect"], ns["wgan_rows"]
    sat, ns_grad = [r[3] for r in perfect], [r[4] for r in perfect]
    return dict(seed=seed, d_accuracy=float(perfect[-1][1]), d_fake=float(perfect[-1][2]),
                saturating_end_over_max=float(abs(sat[-1]) / max(abs(s) for s in sat)),
                non_saturating_growth=float(abs(ns_grad[-1]) / abs(ns_grad[1])),
                w1_estimate=float(w[-1][1]), generator_gradient=float(w[-1][2]))


def mnist(seed: int, steps: int = 500) -> dict:
    """The course recipe's first `steps` MNIST steps with this seed: the digit histogram of 1,000 samples."""
    x_train = data.to_unit_range(data.load_mnist("train")[0])
    k_data, k_run, k_hist = jax.random.split(jax.random.key(seed), 3)
    cfg = config.GANConfig(seed=seed)
    gan = config.build_gan(cfg)
    t = time.perf_counter()
    train.fit(gan, data.BatchSampler(x_train, cfg.batch_size, k_data), key=k_run, steps=steps, progress=False,
              config=cfg)
    images = models.sample(gan.sampler(), k_hist, 1000)
    shares = metrics.class_histogram(np.asarray(metrics.classifier_outputs(images)[1])) / 1000
    return dict(seed=seed, steps=steps, reverse_kl=round(float(metrics.histogram_reverse_kl(shares, np.ones(10))), 4),
                least_drawn=round(float(shares.min()), 4), digits_over_half_percent=int(np.sum(shares > 0.005)),
                seconds=round(time.perf_counter() - t, 1))


def table(seed: int, rows: tuple[str, ...] = ("GAN (non-saturating)", "LSGAN")) -> list[dict]:
    """Section 4's grid rows `rows` from this seed alone (the re-run check's draw): modes covered, high quality."""
    from gan_utils import playground
    src = open(NOTEBOOK).read()
    ns: dict = {}
    exec(_between(src, "RECIPE = dict(", "\n"), ns)                                        # the recipe's line
    exec(_between(src, "METHODS = {", "\ndef compare_methods"), ns)     # METHODS and FULL_STEPS, FULL_ANNEAL
    out = []
    for name in rows:
        t = time.perf_counter()
        cfg = playground.PlaygroundConfig(data="grid", seed=0, **ns["RECIPE"], **ns["METHODS"][name])  # its SEED
        r = playground.train_seeds(cfg, [seed], ns["FULL_STEPS"], anneal=ns["FULL_ANNEAL"])[0]
        out.append(dict(row=f"grid/{name}", seed=seed, modes=int(r["modes_covered"]),
                        high_quality=round(float(r["high_quality_fraction"]), 4),
                        seconds=round(time.perf_counter() - t, 1)))
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("section1", "mnist", "table"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])   # 0 is the notebook's own
    parser.add_argument("--steps", type=int, default=500)                          # mnist: section 5's check length
    args = parser.parse_args(argv)
    for seed in args.seeds:
        if args.what == "table":
            for row in table(seed):
                print(json.dumps(row), flush=True)
            continue
        row = section1(seed) if args.what == "section1" else mnist(seed, args.steps)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
