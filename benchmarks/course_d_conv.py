"""Would the course discriminator's stride-2 convolutions gain from tf_dcgan.py's trick?

``gan_utils.models.DCGANDiscriminator`` has two ``nnx.Conv`` 4x4 stride 2 ("SAME", i.e. padding 1): 1 -> 64 at
28x28 and 64 -> 128 at 14x14. A 4x4 stride-2 convolution with padding 1 is exactly a 2x2 stride-1 "VALID"
convolution of ``space_to_depth(pad(x, 1))`` with the kernel regrouped (tap t = 2a + b: the 2x2 kernel indexes a,
the 4x channels b). This script, run from the repository root (``python benchmarks/course_d_conv.py``):

1. checks the rewrite equals nnx.Conv's output (and gradients);
2. times, per layer at batch 64 (jitted with ``gan_utils.devices.compiler_options()``), each product of training
   (forward, input gradient, kernel gradient) in both forms, and the forward + backward (``value_and_grad``
   wrt input and kernel) of the direct form, the space-to-depth form and the best of each product combined
   through ``jax.custom_vjp``; all interleaved (A, B, C, A, B, C, ...) so that they share any background load;
3. estimates the share of the whole course DCGAN training step (``steps.make_train_step(build_gan(GANConfig()))``)
   these layers take, from the products each step runs, and measures the step with and without the combined
   form (interleaved again), after checking both steps compute the same update.

Nothing here changes gan_utils. Figures and their date/load go to benchmarks/RESULTS.md by hand.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

if importlib.util.find_spec("gan_utils") is None:   # a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jax   # noqa: E402
import jax.numpy as jnp   # noqa: E402
import numpy as np   # noqa: E402
from flax import nnx   # noqa: E402

from gan_utils import config, devices, models, steps   # noqa: E402

DN = ("NHWC", "HWIO", "NHWC")


# ----------------------------------------------------------------------------------------------- the two forms

def conv_direct(x, w, b):
    """What nnx.Conv(k=4, strides=2, padding="SAME") computes on even sizes: a strided conv with padding 1."""
    return jax.lax.conv_general_dilated(x, w, (2, 2), [(1, 1), (1, 1)], dimension_numbers=DN) + b


def s2d_kernel(w):
    """(4, 4, C, O) -> (2, 2, 4C, O): tap t = 2a + b goes to kernel index a, channel block b (space_to_depth's
    channel order is (b_y, b_x, c))."""
    c, o = w.shape[2:]
    return w.reshape(2, 2, 2, 2, c, o).transpose(0, 2, 1, 3, 4, 5).reshape(2, 2, 4 * c, o)


def conv_s2d(x, w, b):
    """The same function as ``conv_direct``: space_to_depth(pad(x, 1)), then a 2x2 stride-1 VALID conv."""
    s = models.space_to_depth(jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0))))
    return jax.lax.conv_general_dilated(s, s2d_kernel(w), (1, 1), "VALID", dimension_numbers=DN) + b


FORMS = {"direct": conv_direct, "s2d": conv_s2d}


def combined(fwd_form: str, dx_form: str, dw_form: str):
    """The layer with each product computed by the named form, through ``jax.custom_vjp``."""
    ffwd, fdx, fdw = FORMS[fwd_form], FORMS[dx_form], FORMS[dw_form]

    @jax.custom_vjp
    def f(x, w, b):
        return ffwd(x, w, b)

    def fwd(x, w, b):
        return ffwd(x, w, b), (x, w)

    def bwd(res, g):
        x, w = res
        dx = jax.vjp(lambda x: fdx(x, w, 0.0), x)[1](g)[0]
        dw = jax.vjp(lambda w: fdw(x, w, 0.0), w)[1](g)[0]
        return dx, dw, jnp.sum(g, axis=(0, 1, 2))

    f.defvjp(fwd, bwd)
    return f


class FastStride2Conv(nnx.Module):
    """nnx.Conv(4x4, stride 2, SAME) with the same parameters (names and values), computed by ``fn``."""

    def __init__(self, conv: nnx.Conv, fn):
        self.kernel = nnx.Param(conv.kernel[...])
        self.bias = nnx.Param(conv.bias[...])
        self.fn = fn

    def __call__(self, x):
        return self.fn(x, self.kernel[...], self.bias[...])


# ----------------------------------------------------------------------------------------------- timing

def jit(fn):
    return jax.jit(fn, compiler_options=devices.compiler_options())


def interleaved_ms(fns: dict, args: dict, repeats: int, block_seconds: float) -> dict:
    """Median over ``repeats`` interleaved blocks of the ms per call of each function (compiled, warmed up)."""
    n = {}
    for name, f in fns.items():
        jax.block_until_ready(f(*args[name]))
        jax.block_until_ready(f(*args[name]))
        t = time.perf_counter()
        jax.block_until_ready(f(*args[name]))
        n[name] = max(2, int(block_seconds / max(time.perf_counter() - t, 1e-6)))
    out = {name: [] for name in fns}
    for _ in range(repeats):
        for name, f in fns.items():
            t = time.perf_counter()
            for _ in range(n[name]):
                r = f(*args[name])
            jax.block_until_ready(r)
            out[name].append(1e3 * (time.perf_counter() - t) / n[name])
    return {name: statistics.median(v) for name, v in out.items()}


def load() -> float:
    return os.getloadavg()[0]


# ----------------------------------------------------------------------------------------------- the layers

def layer_products(name, x, conv: nnx.Conv, repeats, block_seconds, log):
    w, b = conv.kernel[...], conv.bias[...]
    want = conv(x)
    for form, f in FORMS.items():   # the rewrite is exact: same output as nnx.Conv
        np.testing.assert_allclose(np.asarray(f(x, w, b)), np.asarray(want), atol=1e-5, rtol=1e-5)
    g = jax.random.normal(jax.random.key(7), want.shape)
    fns, args = {}, {}
    for form, f in FORMS.items():
        fns[f"{form} fwd"] = jit(lambda x, w, b, f=f: f(x, w, b))
        fns[f"{form} dx"] = jit(lambda x, w, g, f=f: jax.vjp(lambda x: f(x, w, 0.0), x)[1](g)[0])
        fns[f"{form} dw"] = jit(lambda x, w, g, f=f: jax.vjp(lambda w: f(x, w, 0.0), w)[1](g)[0])
        args[f"{form} fwd"], args[f"{form} dx"], args[f"{form} dw"] = (x, w, b), (x, w, g), (x, w, g)
    ms = interleaved_ms(fns, args, repeats, block_seconds)
    best = {p: min(FORMS, key=lambda form: ms[f"{form} {p}"]) for p in ("fwd", "dx", "dw")}
    log(f"{name}: " + ", ".join(f"{k} {v:.2f}" for k, v in ms.items()) + f" ms; fastest: {best}")
    return ms, best


def layer_fwd_bwd(name, x, conv: nnx.Conv, best, repeats, block_seconds, log):
    w, b = conv.kernel[...], conv.bias[...]
    probe = jax.random.normal(jax.random.key(8), conv(x).shape)
    forms = {"direct": conv_direct, "s2d": conv_s2d,
             "combined": combined(best["fwd"], best["dx"], best["dw"])}
    grads, fns = {}, {}
    for form, f in forms.items():
        vg = jax.value_and_grad(lambda x, w, f=f: jnp.sum(f(x, w, b) * probe), argnums=(0, 1))
        fns[form] = jit(vg)
        grads[form] = fns[form](x, w)
    for form in ("s2d", "combined"):   # same value and gradients as autodiff of the direct form
        for a, c in zip(jax.tree_util.tree_leaves(grads[form]), jax.tree_util.tree_leaves(grads["direct"])):
            np.testing.assert_allclose(np.asarray(a), np.asarray(c), atol=2e-4, rtol=2e-4)
    ms = interleaved_ms(fns, {k: (x, w) for k in fns}, repeats, block_seconds)
    log(f"{name} forward + backward (value_and_grad wrt x and kernel): "
        + ", ".join(f"{k} {v:.2f}" for k, v in ms.items()) + " ms")
    return ms


# ----------------------------------------------------------------------------------------------- the step

# Products of each D convolution in one course training step (k_disc = 1): the D update runs D(real) and D(fake)
# (2 forwards, 2 kernel gradients; input gradients only below conv2's), the G update D(fake) through the updated
# D (1 forward and the input gradient down to the fake images; no kernel gradients).
STEP_PRODUCTS = {"conv1": {"fwd": 3, "dx": 1, "dw": 2}, "conv2": {"fwd": 3, "dx": 3, "dw": 2}}


def step_ab(batch, best_by_layer, repeats, block_seconds, log):
    gan_a = config.build_gan(config.GANConfig())
    gan_b = config.build_gan(config.GANConfig())          # same seed: same weights
    d = gan_b.discriminator
    for layer in ("conv1", "conv2"):
        bst = best_by_layer[layer]
        setattr(d, layer, FastStride2Conv(getattr(d, layer), combined(bst["fwd"], bst["dx"], bst["dw"])))
    gan_b = steps.GAN(gan_b.generator, d, g_lr=2e-4, d_lr=2e-4, b1=0.5)   # fresh Adam over the new layers
    real = jax.random.uniform(jax.random.key(3), (batch, 28, 28, 1), minval=-1, maxval=1)
    key = steps.step_key(jax.random.key(0), 0)
    fns, states, params = {}, {}, {}
    for name, gan in (("nnx.Conv (now)", gan_a), ("combined forms", gan_b)):
        graphdef, state, step = steps.make_train_step(gan, data_parallel=False)
        fns[name], states[name] = step, state
        new_state, metrics = step(state, real, key)        # one step from the same weights: the same update
        trained = nnx.merge(graphdef, new_state)
        params[name] = (metrics, jax.tree_util.tree_leaves(nnx.state(trained.discriminator, nnx.Param)),
                        jax.tree_util.tree_leaves(nnx.state(trained.generator, nnx.Param)))
    (ma, da, ga), (mb, db, gb) = params.values()
    for k in ma:
        np.testing.assert_allclose(float(ma[k]), float(mb[k]), rtol=1e-4, atol=1e-5)
    assert len(da) == len(db) == 6 and len(ga) == len(gb)
    for a, b in zip(da + ga, db + gb):   # Adam's first step is about lr * sign(grad) (lr = 2e-4): far below that
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=5e-5)
    ms = interleaved_ms({n: (lambda s, f=f: f(s, real, key)[1]["d_loss"]) for n, f in fns.items()},
                        {n: (states[n],) for n in fns}, repeats, block_seconds)
    log("course DCGAN training step, batch %d: " % batch + ", ".join(f"{k} {v:.1f}" for k, v in ms.items()) + " ms")
    return ms


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python benchmarks/course_d_conv.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--batch", type=int, default=64, help="batch size (the course trains at 64)")
    p.add_argument("--repeats", type=int, default=7, help="interleaved timed blocks per variant (median reported)")
    p.add_argument("--block-seconds", type=float, default=0.5, help="length of one timed block")
    p.add_argument("--skip-step", action="store_true", help="only the layers, not the whole training step")
    args = p.parse_args(argv)
    log = lambda s: print(s, flush=True)   # noqa: E731
    log(f"backend {jax.default_backend()}, jax {jax.__version__}, compiler options {devices.compiler_options()}, "
        f"1-minute load {load():.2f}")
    d = models.DCGANDiscriminator(rngs=nnx.Rngs(0))
    x1 = jax.random.uniform(jax.random.key(1), (args.batch, 28, 28, 1), minval=-1, maxval=1)
    x2 = nnx.leaky_relu(d.conv1(x1), 0.2)
    products, best, fwd_bwd = {}, {}, {}
    for name, conv, x in (("conv1", d.conv1, x1), ("conv2", d.conv2, x2)):
        products[name], best[name] = layer_products(name, x, conv, args.repeats, args.block_seconds, log)
        fwd_bwd[name] = layer_fwd_bwd(name, x, conv, best[name], args.repeats, args.block_seconds, log)
    in_step = {form: sum(n * products[layer][f"{form} {prod}"]
                         for layer, counts in STEP_PRODUCTS.items() for prod, n in counts.items())
               for form in FORMS}
    in_step["best"] = sum(n * products[layer][f"{best[layer][prod]} {prod}"]
                          for layer, counts in STEP_PRODUCTS.items() for prod, n in counts.items())
    log("the two convolutions' products in one step (" + str(STEP_PRODUCTS) + "): "
        + ", ".join(f"{k} {v:.1f} ms" for k, v in in_step.items()))
    if not args.skip_step:
        step = step_ab(args.batch, best, args.repeats, 2 * args.block_seconds, log)
        now, new = step.values()
        log(f"share of the step in these convolutions (direct forms): {100 * in_step['direct'] / now:.0f}%; "
            f"projected from the products: {in_step['direct'] - in_step['best']:.1f} ms "
            f"({100 * (in_step['direct'] - in_step['best']) / now:.1f}%) less per step; "
            f"measured: {now - new:.1f} ms ({100 * (now - new) / now:.1f}%)")
    log(f"1-minute load {load():.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
