"""Issue #72's little-data study (notebook 14): the course's plain DCGAN trained on 1% of MNIST (600 digits), with D
seeing the images as they are, through DiffAugment (Zhao et al. 2020), or through ADA's adaptive augmentation
(Karras et al. 2020) -- ``gan_utils.augment``, the options ``augment`` and ``subset`` of ``GANConfig``.

    python benchmarks/little_data.py --seeds 0 1 2 3 4 --steps 3000          # the three, five seeds each
    python benchmarks/little_data.py --augment none --seeds 0 --steps 3000    # one

What each run records (one JSON row per run in little_data.jsonl):
* every ``--every`` steps: D's accuracy on the 600 training digits and on 600 held-out test digits (the share it
  calls real: logit > 0), and on 600 fresh samples (the share it calls fake), all as they are (never augmented);
  ADA's p; the FID of 1,000 fresh samples against the test digits (``fid_1000``). Overfitting shows as the two real
  accuracies parting: training digits near 1, held-out ones falling;
* at the end, 2,000 samples scored against the 10,000 test digits as notebook 06 scores them (FID, precision,
  recall, digits covered), memorisation as notebook 10 measures it (``metrics.memorisation``: the share of samples
  nearer a training digit than the closest 5% of test digits are, against ``metrics.copy_line``), and three leak
  measures: the spread of the digits' centre of ink (translation would widen it), the spread of the background level
  (brightness would), and the share of mid-grey pixels (translation's padding and cutout's squares are 0: mid-grey).
The samples are drawn as the course draws them (``models.inference_copy``: BatchNorm's running statistics; no weight
average). Seeds change the networks, the noise and the
batches; the 600 digits are the same in every run (``data.subset_indices``).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "little_data.jsonl"


def leak_measures(images: np.ndarray) -> dict:
    """Three signs of an augmentation leaking into images (N, 28, 28, 1) in [-1, 1]: ``centre_spread`` (px), the
    standard deviation of the centre of ink over images (x and y pooled); ``background_spread``, that of each image's
    median pixel (the background: -1 for a digit on black); ``grey_share``, the share of pixels within 0.1 of 0."""
    x = np.asarray(images, np.float64).reshape(len(images), 28, 28)
    ink = (x + 1) / 2
    mass = ink.sum(axis=(1, 2)) + 1e-9
    grid = np.arange(28)
    cy = (ink.sum(axis=2) * grid).sum(axis=1) / mass
    cx = (ink.sum(axis=1) * grid).sum(axis=1) / mass
    return {"centre_spread": float(np.sqrt((np.var(cy) + np.var(cx)) / 2)),
            "background_spread": float(np.std(np.median(x.reshape(len(x), -1), axis=1))),
            "grey_share": float(np.mean(np.abs(x) < 0.1))}


def d_accuracy(disc, x: np.ndarray, real: bool) -> float:
    """The share of x that D (logits > 0 = real) calls what it is."""
    logits = np.concatenate([np.asarray(disc(jnp.asarray(x[i:i + 300]))) for i in range(0, len(x), 300)])
    return float(np.mean(logits > 0 if real else logits <= 0))


def run(augment: str, seed: int, steps: int, every: int, subset: int, n: int, model: str = "dcgan") -> dict:
    from gan_utils import config as recipe, data, metrics, models, train

    config = recipe.GANConfig(dataset="mnist", self_condition=0, subset=subset, augment=augment, seed=seed, model=model)
    x_all, y_all = data.load_mnist("train")
    keep = data.subset_indices(subset, len(y_all))
    x_train = data.to_unit_range(x_all[keep])
    x_test, y_test = data.load_mnist("test")
    x_held = data.to_unit_range(x_test[:subset])
    gan = recipe.build_gan(config)
    k_run, k_data = jax.random.split(jax.random.key(seed), 2)
    curve = []
    reference = metrics.classifier_outputs(x_test)

    def probe(step, gan, history):
        sampler = models.inference_copy(gan.generator)       # as the course samples: BatchNorm's running statistics
        z = jax.random.normal(jax.random.key(10_000 + step), (subset, gan.latent_dim))
        fake = np.asarray(sampler(z))
        p = float(gan.ada.p[...]) if gan.ada is not None else (1.0 if augment == "diffaugment" else 0.0)
        curve.append({"step": step, "train_real": d_accuracy(gan.discriminator, x_train, True),
                      "held_real": d_accuracy(gan.discriminator, x_held, True),
                      "fake": d_accuracy(gan.discriminator, fake, False), "p": round(p, 4)})
        z = jax.random.normal(jax.random.key(30_000 + step), (1000, gan.latent_dim))
        curve[-1]["fid_1000"] = round(metrics.image_metrics(
            data.to_uint8(np.asarray(sampler(z)).reshape(-1, 28, 28)), reference, pr_n=1000)["fid"], 2)
        print(augment, seed, curve[-1], flush=True)

    t0 = time.perf_counter()
    res = train.fit(gan, data.BatchSampler(x_train, config.batch_size, k_data), key=k_run, steps=steps, config=config,
                    callbacks=[probe], callback_every=every, progress=False)
    seconds = time.perf_counter() - t0
    z = jax.random.normal(jax.random.key(20_000 + seed), (n, gan.latent_dim))
    sampler = models.inference_copy(gan.generator)
    samples = np.concatenate([np.asarray(sampler(z[i:i + 500])) for i in range(0, n, 500)])
    sc = metrics.image_metrics(data.to_uint8(samples.reshape(-1, 28, 28)), reference, pr_n=n)
    feats = metrics.classifier_outputs(data.to_uint8(samples.reshape(-1, 28, 28)))[0]
    train_feats = metrics.classifier_outputs(x_all[keep])[0]
    mem = metrics.memorisation(feats, train_feats, reference[0])
    # for figures: the first 16 samples, and the 4 samples nearest a training digit beside that digit
    f, t = np.asarray(feats, np.float64), np.asarray(train_feats, np.float64)
    d = (f ** 2).sum(1)[:, None] + (t ** 2).sum(1)[None, :] - 2 * f @ t.T          # squared distances (N, 600)
    closest = np.argsort(d.min(axis=1))[:4]
    shown = data.to_uint8(samples[:16].reshape(-1, 28, 28)).tolist()
    nearest = {"samples": data.to_uint8(samples[closest].reshape(-1, 28, 28)).tolist(),
               "training": x_all[keep][d[closest].argmin(axis=1)].reshape(-1, 28, 28).tolist()}
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "model": model, "augment": augment,
            "seed": seed,
            "steps": steps, "subset": subset, "n": n, "train_seconds": round(seconds, 1),
            "steps_per_second": round(res.steps_per_second, 2), "curve": curve,
            "scores": {k: sc[k] for k in ("fid", "precision", "recall", "digits_covered")},
            "memorisation": mem, "copy_line": metrics.copy_line(n),
            "leaks": leak_measures(samples), "real_leaks": leak_measures(x_train), "shown": shown,
            "nearest": nearest}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--augment", nargs="+", default=["none", "diffaugment", "ada"])
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--every", type=int, default=250, help="steps between D-accuracy probes")
    p.add_argument("--subset", type=int, default=600, help="training digits (600 = 1%% of MNIST)")
    p.add_argument("--n", type=int, default=2000, help="samples scored at the end")
    p.add_argument("--model", default="dcgan", choices=("dcgan", "stylegan"))
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    for seed in args.seeds:
        for augment in args.augment:
            row = run(augment, seed, args.steps, args.every, args.subset, args.n, args.model)
            print(json.dumps({k: row[k] for k in ("augment", "seed", "scores", "memorisation", "leaks",
                                                  "train_seconds")}), flush=True)
            with open(args.out, "a") as f:
                f.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
