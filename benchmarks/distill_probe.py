"""A probe for issue #71's few-step student: adversarial diffusion distillation (ADD; Sauer et al. 2023) of notebook
10's 20-minute diffusion model, on this CPU. A prototype to learn what works before the package gets a student.

    python benchmarks/distill_probe.py --seconds 600 --adv 1 --distill 1          # the two terms
    python benchmarks/distill_probe.py --seconds 600 --adv 0 --distill 1          # distillation alone
    python benchmarks/distill_probe.py --seconds 600 --adv 1 --distill 0          # the adversarial term alone

The student is a copy of the teacher (rivals.Denoiser, the weights of notebook 10's Appendix B run, seed 0) that turns
x_s into a clean image in one call, x0 = (x_s - sqrt(1 - abar_s) eps(x_s, s)) / sqrt(abar_s), at a few fixed times s
(ADD's 999, 749, 499, 249; sampling from pure noise at s = 999, then, for more steps, the prediction noised afresh to
the next time). One training step, as in ADD:
  1. real digits x, a student time s, x_s = sqrt(abar_s) x + sqrt(1 - abar_s) eps; the student's x0_hat;
  2. D (the course's DCGAN discriminator, trained from scratch: not the classifier whose features score the runs)
     updates on x against x0_hat with R3GAN's loss and penalty (relativistic, R1 + R2), through the course's step piece
     ``steps.discriminator_update``;
  3. the student updates on adv * (the relativistic generator loss of x0_hat) + distill * E_t[abar_t ||x0_hat -
     sg(teacher's x0 prediction from x0_hat noised to a random time t)||^2] (ADD's distillation term, its
     weighting c(t) = abar_t; sg: no gradient into the teacher).
With ``--d-kind features`` D is LADD's instead (Sauer et al., 2024): small heads on the frozen teacher's own feature
maps of real and student images, both noised to one random time (``FeatureHeads``), so the student's adversarial
gradient passes through the teacher; no penalty.
Scored at the end like notebook 10's race: 2,000 samples against the 10,000 test digits (FID, precision, recall) for
1, 2 and 4 student steps, and the milliseconds per 1,000 samples. One row per run to distill_probe.jsonl.
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
OUT = HERE / "distill_probe.jsonl"
TIMES = (999, 749, 499, 249)          # ADD's four student times (of T = 1000)


def teacher_model():
    from gan_utils import precomputed, rivals
    long = precomputed.run_or_load("10_race_long", lambda: None, rerun=False, command="notebook 10", verbose=False)
    return rivals.load_rival("diffusion", long["runs"]["diffusion"]["0"]["state"])


class FeatureHeads(nnx.Module):
    """LADD's discriminator (Sauer et al., 2024, "Fast high-resolution image synthesis with latent adversarial
    diffusion distillation"): small trainable heads on the *frozen teacher's* features of a noised image, one head
    per scale (the teacher's 14x14 and 7x7 maps); each gives a map of logits. The teacher's weights are not D's:
    they never train, so D is only as strong as its heads, and it judges what the teacher sees."""

    def __init__(self, base: int, width: int = 32, *, rngs: nnx.Rngs):
        self.h14 = nnx.Conv(base, width, (3, 3), rngs=rngs)
        self.o14 = nnx.Conv(width, 1, (1, 1), rngs=rngs)
        self.h7 = nnx.Conv(2 * base, width, (3, 3), rngs=rngs)
        self.o7 = nnx.Conv(width, 1, (1, 1), rngs=rngs)

    def __call__(self, feats: tuple[jax.Array, jax.Array]) -> jax.Array:
        """feats (the teacher's (N, 14, 14, base) and (N, 7, 7, 2 base) maps) -> logits (N, 245): every patch."""
        f14, f7 = feats
        l14 = self.o14(nnx.leaky_relu(self.h14(f14), 0.2)).reshape(f14.shape[0], -1)
        l7 = self.o7(nnx.leaky_relu(self.h7(f7), 0.2)).reshape(f7.shape[0], -1)
        return jnp.concatenate([l14, l7], axis=1)


def teacher_features(teacher, x_t, t):
    """The teacher's 14x14 and 7x7 feature maps of x_t at time t: its forward pass up to its bottleneck."""
    return teacher.features(x_t, t)[1:]


def x0_of(net, x_t, t, ab, floor: float = 0.0):
    """The clean image a noise predictor implies at x_t, time t (N,): (x_t - sqrt(1 - abar) eps) / sqrt(abar).

    ``floor`` > 0 (the student's reading, not the teacher's): abar no smaller than floor, so that at s = 999
    (abar 4e-5) the prediction is not 157 times the network's error but at most 1 / sqrt(floor) times."""
    a = jnp.maximum(ab[t], floor)[:, None, None, None]
    return (x_t - jnp.sqrt(1 - a) * net(x_t, t)) / jnp.sqrt(a)


def student_x0(net, x_t, t, ab, floor: float = 0.0, param: str = "eps"):
    """The student's clean image: the teacher's reading of its output (``param="eps"``, with ``floor``), or the
    v-reading x0 = sqrt(abar) x_t - sqrt(1 - abar) v (``"v"``; Salimans and Ho, 2022), which never divides by
    sqrt(abar): at s = 999 the output is the image itself, not 157 times an error. Initialised from the teacher,
    the v-reading starts from the teacher's noise prediction, not from its clean image."""
    if param == "eps":
        return x0_of(net, x_t, t, ab, floor)
    a = ab[t][:, None, None, None]
    return jnp.sqrt(a) * x_t - jnp.sqrt(1 - a) * net(x_t, t)


def sample(student, ab, key, n: int, steps: int, batch: int = 500, floor: float = 0.0,
           param: str = "eps") -> np.ndarray:
    """The student's samples with ``steps`` of its times: x0 from pure noise at 999, then noised afresh to the next
    time and denoised again. Clipped to [-1, 1]."""
    times = TIMES[:: {1: 4, 2: 2, 4: 1}[steps]][:steps]
    graphdef, state = nnx.split(student)

    @jax.jit
    def run(state, key):
        net = nnx.merge(graphdef, state)
        keys = jax.random.split(key, len(times) + 1)
        x = jax.random.normal(keys[0], (batch, 28, 28, 1))
        for i, s in enumerate(times):
            if i:                                   # the last prediction, noised afresh to this time
                a = ab[s]
                x = jnp.sqrt(a) * x + jnp.sqrt(1 - a) * jax.random.normal(keys[i], x.shape)
            x = jnp.clip(student_x0(net, x, jnp.full((batch,), s), ab, floor, param), -1, 1)
        return x

    return np.concatenate([np.asarray(run(state, k)) for k in jax.random.split(key, -(-n // batch))])[:n]


def main(argv=None) -> int:
    from gan_utils import data, losses, metrics, models, rivals, steps
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=600)
    p.add_argument("--adv", type=float, default=1.0, help="weight of the adversarial term")
    p.add_argument("--distill", type=float, default=1.0, help="weight of the distillation term")
    p.add_argument("--gamma", type=float, default=0.1, help="R1 + R2's gamma for D")
    p.add_argument("--lr", type=float, default=1e-5, help="the student's Adam rate (its x0 is 1/sqrt(abar) = 150 "
                                                          "times its noise prediction at s = 999)")
    p.add_argument("--d-lr", type=float, default=2e-4)
    p.add_argument("--d-b2", type=float, default=0.99, help="D's Adam beta2 (the course's GAN: 0.999)")
    p.add_argument("--ema", type=float, default=0.0, help="decay of a moving average of the student's weights, which "
                                                          "is what gets sampled and scored (0: the student itself)")
    p.add_argument("--param", default="eps", choices=("eps", "v"), help="how the student's output is read (see "
                                                                         "student_x0)")
    p.add_argument("--floor", type=float, default=0.02, help="the student reads abar as at least this (see x0_of)")
    p.add_argument("--clip", type=float, default=1.0, help="the student's gradients clipped to this global norm")
    p.add_argument("--loss", default="relativistic", choices=("relativistic", "non_saturating"),
                   help="the adversarial loss of D and the student (non_saturating: the course's)")
    p.add_argument("--penalty", default="r1+r2", choices=("r1+r2", "r1", "none"), help="D's penalty")
    p.add_argument("--d-base", type=int, default=32, help="channels of D's first layer")
    p.add_argument("--d-kind", default="dcgan", choices=("dcgan", "features"),
                   help="dcgan: the course's DCGAN discriminator on images; features: LADD's heads on the frozen "
                        "teacher's features of images noised to a random time below --d-t (see FeatureHeads)")
    p.add_argument("--d-t", type=int, default=500, help="--d-kind features: the noise times D sees, 0 to this")
    p.add_argument("--backward-sim", action="store_true", help="ADD's backward simulation: the student's input "
                   "x_s comes from its own chain started in pure noise (as sampling makes it), not a noised real digit")
    p.add_argument("--eval-every", type=float, default=0, help="seconds of training between 4-step FIDs on 1,000 "
                                                                 "samples (0: only at the end)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n", type=int, default=2000)
    args = p.parse_args(argv)
    t_start = time.time()
    schedule = rivals.Schedule()
    ab = schedule.alpha_bar
    teacher = teacher_model()
    student = nnx.clone(teacher)
    disc = (models.DCGANDiscriminator(base=args.d_base, rngs=nnx.Rngs(args.seed)) if args.d_kind == "dcgan"
            else FeatureHeads(teacher.block14.conv1.out_features, args.d_base, rngs=nnx.Rngs(args.seed)))
    s_opt = nnx.Optimizer(student, optax.chain(optax.clip_by_global_norm(args.clip), optax.adam(args.lr, 0.5)),
                          wrt=nnx.Param)
    d_opt = nnx.Optimizer(disc, optax.adam(args.d_lr, 0.5, args.d_b2), wrt=nnx.Param)
    d_options = steps.StepOptions(discriminator_loss={"non_saturating": "bce"}.get(args.loss, args.loss),
                                  generator_loss=args.loss,
                                  penalty=args.penalty, penalty_weight=args.gamma if args.penalty != "none" else None)
    t_graph, t_state = nnx.split(teacher)
    graphdef, state = nnx.split((student, disc, s_opt, d_opt))
    ema = nnx.state(student, nnx.Param)         # the averaged weights (a copy: the student's own keep training)
    ema = jax.tree.map(jnp.array, ema)

    @jax.jit
    def ema_update(ema, state):
        new = nnx.state(nnx.merge(graphdef, state)[0], nnx.Param)
        return jax.tree.map(lambda e, w: args.ema * e + (1 - args.ema) * w, ema, new)

    def scored(state):
        """The network that is sampled: the student, or (--ema) the student with its averaged weights."""
        student = nnx.clone(nnx.merge(graphdef, state)[0])
        if args.ema:
            nnx.update(student, ema)
        return student
    times = jnp.asarray(TIMES)

    @jax.jit
    def step(state, real, key):
        student, disc, s_opt, d_opt = nnx.merge(graphdef, state)
        teacher = nnx.merge(t_graph, t_state)
        k_s, k_e, k_t, k_e2 = jax.random.split(key, 4)
        idx = jax.random.randint(k_s, (real.shape[0],), 0, len(TIMES))      # which of the student's times
        s = times[idx]
        a = ab[s][:, None, None, None]
        if not args.backward_sim:   # ADD: a real digit noised to the student's time
            x_s = jnp.sqrt(a) * real + jnp.sqrt(1 - a) * jax.random.normal(k_e, real.shape)
        else:                       # ADD's backward simulation: x_s from the student's own chain, as sampling makes it
            chain_keys = jax.random.split(k_e, len(TIMES))
            x, inputs = jax.random.normal(chain_keys[0], real.shape), []
            for i, ti in enumerate(TIMES):
                if i:
                    an = ab[ti]
                    x = jnp.sqrt(an) * x + jnp.sqrt(1 - an) * jax.random.normal(chain_keys[i], real.shape)
                inputs.append(x)
                if i < len(TIMES) - 1:
                    x = jax.lax.stop_gradient(jnp.clip(student_x0(student, x, jnp.full((real.shape[0],), ti), ab,
                                                                  args.floor, args.param), -1, 1))
            x_s = jnp.stack(inputs)[idx, jnp.arange(real.shape[0])]
        fake = student_x0(student, x_s, s, ab, args.floor, args.param)
        t = jax.random.randint(k_t, (real.shape[0],), 0, schedule.steps)
        e2 = jax.random.normal(k_e2, real.shape)
        if args.d_kind == "dcgan":
            judge = disc
            m = steps.discriminator_update(disc, d_opt, real, fake, d_options)
        else:                       # D sees real and fake noised alike, through the frozen teacher's eyes
            td = jax.random.randint(jax.random.fold_in(k_t, 1), (real.shape[0],), 0, args.d_t + 1)
            ad = ab[td][:, None, None, None]
            e_d = jax.random.normal(jax.random.fold_in(k_e2, 1), real.shape)    # D's own noise
            noised = lambda x: jnp.sqrt(ad) * x + jnp.sqrt(1 - ad) * e_d
            judge = lambda x: disc(teacher_features(teacher, noised(x), td))

            def d_loss(disc):
                r_ = disc(jax.lax.stop_gradient(teacher_features(teacher, noised(real), td)))
                f_ = disc(jax.lax.stop_gradient(teacher_features(teacher, noised(fake), td)))
                return losses.discriminator_loss(r_, f_), (r_, f_)

            (dl, (r_, f_)), g = nnx.value_and_grad(d_loss, has_aux=True)(disc)
            d_opt.update(disc, g)
            m = {"d_loss": dl, "d_real": jnp.mean(jax.nn.sigmoid(r_)), "d_fake": jnp.mean(jax.nn.sigmoid(f_))}
        r_scores = jax.lax.stop_gradient(judge(real))

        def loss(student):
            x0 = student_x0(student, x_s, s, ab, args.floor, args.param)
            adv = (jnp.mean(jax.nn.softplus(r_scores - judge(x0))) if args.loss == "relativistic"
                   else losses.generator_loss_non_saturating(judge(x0)))
            at = ab[t][:, None, None, None]
            target = jax.lax.stop_gradient(x0_of(teacher, jnp.sqrt(at) * x0 + jnp.sqrt(1 - at) * e2, t, ab))
            dist = jnp.mean(ab[t] * jnp.mean(jnp.square(x0 - target), axis=(1, 2, 3)))
            return args.adv * adv + args.distill * dist, {"adv": adv, "distill": dist}

        (_, aux), grads = nnx.value_and_grad(loss, has_aux=True)(student)
        s_opt.update(student, grads)
        return nnx.state((student, disc, s_opt, d_opt)), {**m, **aux}

    images = data.to_unit_range(data.load_mnist("train")[0])
    sampler = data.BatchSampler(images, 64, jax.random.key(args.seed))
    key = jax.random.key(args.seed + 1)
    reference = metrics.classifier_outputs(data.load_mnist("test")[0])
    clock, n, history, evals, next_eval = 0.0, 0, [], [], args.eval_every or float("inf")
    while clock < args.seconds:
        if clock >= next_eval:
            x = sample(scored(state), ab, jax.random.key(3000 + args.seed), 1000, 4, floor=args.floor,
                       param=args.param)
            sc = metrics.image_metrics(data.to_uint8(x.reshape(-1, 28, 28)), reference, pr_n=1000)
            evals.append({"step": n, "seconds": round(clock), "fid_1000": round(sc["fid"], 2),
                          "digits": sc["digits_covered"]})
            print("eval", evals[-1], flush=True)
            next_eval += args.eval_every
        t0 = time.perf_counter()
        state, met = step(state, jnp.asarray(sampler.batch(n)), jax.random.fold_in(key, n))
        if args.ema:
            ema = ema_update(ema, state)
        jax.block_until_ready(met)
        clock += time.perf_counter() - t0
        if n % 100 == 0:
            history.append({"step": n, **{k: round(float(v), 4) for k, v in met.items()}})
            print(history[-1], f"{clock:.0f} s", flush=True)
        n += 1
    student = scored(state)
    row = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), **vars(args), "steps": n,
           "train_seconds": round(clock, 1), "history": history, "evals": evals, "scores": {}}
    for k in (1, 2, 4):
        x = sample(student, ab, jax.random.key(1000 + args.seed), args.n, k, floor=args.floor, param=args.param)
        t0 = time.perf_counter()          # timed again, compiled: the cost of drawing, not of compiling
        sample(student, ab, jax.random.key(2000 + args.seed), args.n, k, floor=args.floor, param=args.param)
        ms = 1000 * (time.perf_counter() - t0) / args.n * 1000
        sc = metrics.image_metrics(data.to_uint8(x.reshape(-1, 28, 28)), reference, pr_n=args.n)
        row["scores"][k] = {"fid": sc["fid"], "precision": sc["precision"], "recall": sc["recall"],
                            "digits_covered": sc["digits_covered"], "ms_per_1000": round(ms, 1)}
        print(f"{k} step(s): FID {sc['fid']:.1f}, precision {sc['precision']:.2f}, recall {sc['recall']:.2f}, "
              f"{sc['digits_covered']} digits, {ms:.0f} ms per 1,000 samples", flush=True)
    row["wall_seconds"] = round(time.time() - t_start, 1)
    with open(OUT, "a") as f:
        f.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
