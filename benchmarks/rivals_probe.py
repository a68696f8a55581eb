"""The short probe that chose notebook 10's rival settings: one VAE or diffusion variant, trained for a few seconds.

``python benchmarks/rivals_probe.py vae --latent 16 --lr 3e-3 --seconds 90`` (from the repository root, with
``GAN_UTILS_MNIST_DIR`` set or MNIST downloadable) trains ``gan_utils.rivals.VAE(latent_dim=16)`` with Adam 3e-3
at batch 64 for 90 s of this machine's time and prints one JSON line: steps made, MNIST-FID, precision and recall of
2,000 samples (the decoder's means at z ~ N(0, I); for diffusion, DDIM with 50 steps from the weight average), and
for the VAE its bound in bits per pixel on 2,000 test digits, its KL term (nats per image, training batches) and its
learnt s. ``diffusion --base 16 --lr 3e-3 --seconds 120`` does the same for ``rivals.Denoiser(base=16)``.
``--seeds 0 1 2 3 4`` repeats it per seed. ``--fixed-scale 0.3`` freezes the VAE's s (not trained).

Runs are budgeted in seconds, so their step counts, and with them the scores, follow the machine's speed and load:
run nothing else beside it. Results and dates: ``benchmarks/RESULTS.md``. Not part of the course package.
"""
from __future__ import annotations

import argparse
import json
import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from gan_utils import data, metrics, models, rivals


def probe(model: str, *, seed: int, seconds: float, lr: float, latent: int = 16, base: int = 16,
          fixed_scale: float | None = None, n: int = 2000) -> dict:
    """One run: ``model`` ("vae" or "diffusion") trained for ``seconds``, scored on ``n`` samples; returns a dict."""
    images = data.to_unit_range(data.load_mnist("train")[0])
    reference = metrics.classifier_outputs(data.load_mnist("test")[0])
    rngs = nnx.Rngs(seed)                         # initialisation
    k_run, k_sample = jax.random.key(seed + 1), jax.random.key(seed + 5)   # batch order and noise; the samples
    out = {"model": model, "seed": seed, "seconds": seconds, "lr": lr}
    if model == "vae":
        net = rivals.VAE(latent_dim=latent, rngs=rngs)
        if fixed_scale is not None:       # an nnx.Variable, not a Param: Adam does not move it
            net.log_scale = nnx.Variable(jnp.asarray(math.log(fixed_scale), jnp.float32))
        res = rivals.train_for(net, rivals.vae_loss, images, key=k_run, seconds=seconds, lr=lr)
        x = np.asarray(models.sample(net, k_sample, n))
        x_test = data.to_unit_range(data.load_mnist("test", n=2000)[0])
        ev = models.inference_copy(net)
        neg_elbo = np.mean([float(rivals.vae_loss(ev, x_test[j:j + 500], jax.random.key(j))[0])
                            for j in range(0, len(x_test), 500)])
        out.update(latent=latent, fixed_scale=fixed_scale, bits_per_dim=round(float(rivals.bits_per_dim(neg_elbo)), 3),
                   kl=round(float(np.mean(res["history"]["kl"][-10:])), 1),
                   scale=round(float(jnp.exp(net.log_scale[...])), 3))
    elif model == "diffusion":
        schedule = rivals.Schedule()
        net = rivals.Denoiser(base=base, rngs=rngs)
        res = rivals.train_for(net, partial(rivals.diffusion_loss, schedule=schedule), images, key=k_run,
                               seconds=seconds, lr=lr, ema=rivals.DIFFUSION_EMA)
        x = rivals.ddim_sample(net, schedule, k_sample, n, rivals.DDIM_STEPS)
        out.update(base=base, loss=round(float(np.mean(res["history"]["loss"][-20:])), 4))
    else:
        raise ValueError(f"model must be 'vae' or 'diffusion', got {model!r}.")
    sc = metrics.image_metrics(data.to_uint8(np.asarray(x).reshape(-1, 28, 28)), reference, pr_n=n)
    out.update(steps=res["steps"], fid=round(sc["fid"], 1), precision=round(sc["precision"], 3),
               recall=round(sc["recall"], 3))
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model", choices=("vae", "diffusion"))
    p.add_argument("--seconds", type=float, default=90.0, help="training budget per run (90: the VAE probe's)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate (1e-3: train_for's default)")
    p.add_argument("--latent", type=int, default=16, help="the VAE's latent size (16: rivals.VAE's default)")
    p.add_argument("--base", type=int, default=16, help="the denoiser's channels (16: rivals.Denoiser's default)")
    p.add_argument("--fixed-scale", type=float, default=None, help="freeze the VAE's s at this value")
    p.add_argument("--seeds", type=int, nargs="+", default=[0], help="one run per seed, one after the other")
    p.add_argument("--n", type=int, default=2000, help="samples scored (the FID's N; 2,000 as in notebook 10)")
    a = p.parse_args(argv)
    for seed in a.seeds:
        print(json.dumps(probe(a.model, seed=seed, seconds=a.seconds, lr=a.lr, latent=a.latent, base=a.base,
                               fixed_scale=a.fixed_scale, n=a.n)), flush=True)


if __name__ == "__main__":
    main()
