"""A miniature of how image tokenizers are trained in 2026 (issue #71, notebook 13 section 6): an autoencoder with a
patch discriminator, as VQGAN (Esser et al., 2021) and latent diffusion's autoencoders (Rombach et al., 2022) are,
against the same autoencoder with the squared error alone.

    python benchmarks/patch_autoencoder.py                      # 2 weights x 5 seeds, 1,500 steps each (~20 min)
    python benchmarks/patch_autoencoder.py --weights 0 0.1 --seeds 0 --steps 500     # a quick look

The autoencoder squeezes a 28 x 28 digit through 8 numbers: the course's VAE encoder (two strided convolutions and a
linear layer, ``rivals.VAE``'s shapes, used deterministically) and the course's DCGAN generator as decoder. With the
squared error alone it learns the average of the digits that share a code, so it blurs (notebook 11's lesson). With
``--weights W`` the loss adds W times the non-saturating generator loss of notebook 11's PatchGAN (``models.
PatchDiscriminator``, unpaired, one strided convolution: each logit judges a 16-pixel patch), which the
discriminator learns at the same time against real digits. Blau and Michaeli (2018) call what follows the
perception-distortion trade-off: a decoder cannot be both the closest on average and indistinguishable from data.

Scored on the reconstructions of 2,000 test digits (the first 2,000 of MNIST's test set): their squared error and
how often the course's classifier reads the original's label from them (what the code kept), and, against the
other 8,000 test digits, FID, precision and recall (what the reconstructions look like). The 2,000 originals against
the same 8,000 give the floor a perfect autoencoder would reach. Each run appends one row to
benchmarks/patch_autoencoder.jsonl, with 8 reconstructions for the figure; ``--results`` writes the rows to
gan_utils/assets/results/13_autoencoder.json, where notebook 13 reads them.
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
import optax
from flax import nnx

HERE = Path(__file__).resolve().parent
OUT = HERE / "patch_autoencoder.jsonl"
N_TEST, SHOWN = 2000, 8                 # scored reconstructions; the first SHOWN are kept for the figure


class Autoencoder(nnx.Module):
    """x (N, 28, 28, 1) in [-1, 1] -> code (N, latent) -> x_hat (N, 28, 28, 1): the VAE's encoder and decoder."""

    def __init__(self, latent: int, *, rngs: nnx.Rngs):
        from gan_utils import rivals
        self.vae = rivals.VAE(latent, rngs=rngs)     # its log-scale parameter is unused here

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.vae.decode(self.vae.encode(x)[0])


def train(weight: float, seed: int, steps: int, latent: int, images: np.ndarray) -> tuple[Autoencoder, dict]:
    from gan_utils import data, losses, models
    rngs = nnx.Rngs(seed)
    ae = Autoencoder(latent, rngs=rngs)
    disc = models.PatchDiscriminator(28, 16, n_down=1, paired=False, rngs=rngs)
    ae_opt = nnx.Optimizer(ae, optax.adam(1e-3, 0.5), wrt=nnx.Param)     # the course's MNIST rate and beta1
    d_opt = nnx.Optimizer(disc, optax.adam(1e-3, 0.5), wrt=nnx.Param)
    graphdef, state = nnx.split((ae, disc, ae_opt, d_opt))

    @jax.jit
    def step(state, x):
        ae, disc, ae_opt, d_opt = nnx.merge(graphdef, state)
        metrics = {}
        if weight:                                   # D: real digits against reconstructions (cross-entropy)
            fake = jax.lax.stop_gradient(ae(x))

            def d_loss(disc):
                return losses.discriminator_loss(disc(x), disc(fake))

            metrics["d_loss"], grads = nnx.value_and_grad(d_loss)(disc)
            d_opt.update(disc, grads)

        def loss(ae):
            x_hat = ae(x)
            mse = jnp.mean(jnp.square(x_hat - x))
            adv = losses.generator_loss_non_saturating(disc(x_hat)) if weight else jnp.zeros(())   # -log D(x_hat)
            return mse + weight * adv, {"mse": mse, "adv": adv}

        (_, aux), grads = nnx.value_and_grad(loss, has_aux=True)(ae)
        ae_opt.update(ae, grads)
        return nnx.state((ae, disc, ae_opt, d_opt)), {**metrics, **aux}

    sampler = data.BatchSampler(images, 64, jax.random.key(seed))
    history, t0 = [], time.perf_counter()
    for n in range(steps):
        state, met = step(state, jnp.asarray(sampler.batch(n)))
        if n % 500 == 0 or n == steps - 1:
            history.append({"step": n, **{k: round(float(v), 4) for k, v in met.items()}})
            print(f"  weight {weight:g} seed {seed}", history[-1], flush=True)
    return nnx.merge(graphdef, state)[0], {"history": history, "train_seconds": round(time.perf_counter() - t0, 1)}


def main(argv=None) -> int:
    from gan_utils import data, metrics
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.1],
                   help="weights W of the adversarial term (0: the squared error alone)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--latent", type=int, default=8, help="numbers in the code")
    p.add_argument("--results", action="store_true", help="write the rows of patch_autoencoder.jsonl to "
                                                          "gan_utils/assets/results/13_autoencoder.json and stop")
    args = p.parse_args(argv)
    if args.results:
        return write_results()
    train_images = data.to_unit_range(data.load_mnist("train")[0])
    test_u8, test_labels = data.load_mnist("test")
    test = data.to_unit_range(test_u8)
    reference = metrics.classifier_outputs(test_u8[N_TEST:])
    floor = metrics.image_metrics(test_u8[:N_TEST], reference, pr_n=N_TEST)
    print(f"originals: FID {floor['fid']:.2f}, precision {floor['precision']:.2f}, recall {floor['recall']:.2f}")
    for seed in args.seeds:
        for weight in args.weights:
            ae, run = train(weight, seed, args.steps, args.latent, train_images)
            ae.eval()                            # the decoder's BatchNorm uses its running statistics
            recon = np.concatenate([np.asarray(nnx.jit(lambda ae, x: ae(x))(ae, test[i:i + 500]))
                                    for i in range(0, N_TEST, 500)])
            recon = np.clip(recon, -1, 1)
            u8 = data.to_uint8(recon.reshape(-1, 28, 28))
            f, probs = metrics.classifier_outputs(u8)
            sc = metrics.image_metrics((f, probs), reference, pr_n=N_TEST)
            row = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "weight": weight, "seed": seed,
                   "steps": args.steps, "latent": args.latent, **run,
                   "mse": round(float(np.mean(np.square(recon - test[:N_TEST]))), 5),
                   "label_kept": round(float(np.mean(probs.argmax(1) == test_labels[:N_TEST])), 4),
                   "fid": sc["fid"], "precision": sc["precision"], "recall": sc["recall"],
                   "digits_covered": sc["digits_covered"],
                   "floor": {k: floor[k] for k in ("fid", "precision", "recall")},
                   "shown": u8[:SHOWN].tolist()}
            print(f"weight {weight:g} seed {seed}: squared error {row['mse']:.4f}, label kept "
                  f"{row['label_kept']:.3f}, FID {row['fid']:.2f}, precision {row['precision']:.2f}, recall "
                  f"{row['recall']:.2f} ({run['train_seconds']:.0f} s)", flush=True)
            with open(OUT, "a") as out:
                out.write(json.dumps(row) + "\n")
    return 0


def write_results() -> int:
    from gan_utils import precomputed
    rows = [json.loads(line) for line in OUT.read_text().splitlines() if line.strip()]
    for row in rows:          # the figure's reconstructions as uint8 arrays (the package stores them in an .npz)
        row["shown"] = np.asarray(row["shown"], np.uint8)
    record = {**precomputed.machine_record(), "command": "python benchmarks/patch_autoencoder.py; python "
              "benchmarks/patch_autoencoder.py --results",
              "date": min(r["date"] for r in rows).replace(" UTC", "").replace(" ", "T") + ":00+00:00",
              "seconds": round(sum(r["train_seconds"] for r in rows), 1)}
    path = precomputed.save("13_autoencoder", {"runs": rows, "n_scored": N_TEST}, record)
    print(f"{len(rows)} runs written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
