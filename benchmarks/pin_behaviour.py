"""Pins the training step's behaviour bit for bit, to check a refactoring of ``gan_utils`` changes no number.

Runs a matrix of recipes (every loss, penalty, k_disc, packing, EMA, the conditional, self-conditioned and glyph
GANs; the single step, the fused step, ``fit`` and the playground's three buttons and ``train_seeds``) for a few steps
on fixed random data, and prints one SHA-256 per case of every array it produced (the final state and every
metric). Run it on the old code and the new on the same machine and compare:

    git stash; python benchmarks/pin_behaviour.py > before.json; git stash pop
    python benchmarks/pin_behaviour.py > after.json; python benchmarks/pin_behaviour.py --compare before.json after.json

The hashes depend on the machine (XLA's kernels differ between CPUs), so they are compared, not committed.

``--programs`` prints instead a hash of each case's compiled training step (XLA's optimised HLO, with the names that
carry Python function names and source lines taken out): equal hashes mean the same program, so the same speed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys

import numpy as np

__all__ = ["cases", "programs", "digest", "main"]


def digest(tree) -> str:
    """SHA-256 of every array leaf of ``tree`` (keys as raw data), in tree order."""
    import jax

    h = hashlib.sha256()
    for leaf in jax.tree_util.tree_leaves(tree):
        if isinstance(leaf, jax.Array) and jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key):
            leaf = jax.random.key_data(leaf)
        a = np.asarray(leaf)
        h.update(str((a.dtype, a.shape)).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:20]


def _step_cases():
    """(name, GANConfig fields, step options beyond the config's) of the step matrix."""
    toy = dict(dataset="ring", hidden=(16, 16), batch_size=32)
    dc = dict(dataset="mnist", g_base=8, d_base=4, batch_size=8)
    return [
        ("mlp default", toy, {}),
        ("mlp k3 saturating smooth", {**toy, "k_disc": 3, "loss": "saturating", "label_smoothing": 0.1}, {}),
        ("mlp hinge r1 k2", {**toy, "k_disc": 2, "loss": "hinge"}, {"r1": 1.0}),
        ("mlp r2", {**toy, "penalty": "r2"}, {}),
        ("mlp wgan gp k2", {**toy, "loss": "wgan", "penalty": "gp", "k_disc": 2}, {}),
        ("mlp wgan clip", {**toy, "loss": "wgan", "penalty": "clip"}, {}),
        ("mlp lsgan pack2 r1 ema", {**toy, "loss": "lsgan", "penalty": "r1", "pack": 2, "ema": 0.9}, {}),
        ("mlp sn mbstd gp", {**toy, "loss": "wgan", "penalty": "gp", "spectral_norm": True, "minibatch_std": True},
         {}),
        ("dcgan default", dc, {}),
        ("dcgan dropout ema k2", {**dc, "dropout": 0.3, "ema": 0.99, "k_disc": 2}, {}),
        ("dcgan conditional r1", {**dc, "conditional": True, "penalty": "r1"}, {}),
        ("dcgan selfcond k2", {**dc, "self_condition": 4, "k_disc": 2}, {}),
        ("dcgan sn pack2 gp", {**dc, "loss": "wgan", "penalty": "gp", "spectral_norm": True, "pack": 2}, {}),
        ("glyphs pix2pix", dict(dataset="glyphs", glyph_size=16, unet_base=4, patch_base=4, patch_layers=1,
                                batch_size=4), {}),
        ("glyphs l1 only", dict(dataset="glyphs", glyph_size=16, unet_base=4, patch_base=4, patch_layers=1,
                                batch_size=4), {"generator_loss": "none"}),
    ]


def _data(config, rng: np.random.Generator, n: int):
    """Fixed random training data of the config's shape: an array, or (images, labels)."""
    if config.dataset == "glyphs":
        s = config.glyph_size
        return (rng.uniform(-1, 1, (n, s, s, 1)).astype(np.float32), rng.uniform(-1, 1, (n, s, s, 1)).astype(
            np.float32))
    if config.dataset == "mnist":
        x = rng.uniform(-1, 1, (n, 28, 28, 1)).astype(np.float32)
        if config.conditional or config.self_condition:
            k = 10 if config.conditional else config.self_condition
            return (x, rng.integers(0, k, n).astype(np.int32))
        return x
    return rng.normal(size=(n, 2)).astype(np.float32)


def cases():
    """Yields (name, digest) for every case."""
    import jax
    import jax.numpy as jnp
    from flax import nnx

    from gan_utils import config as config_lib, data, steps, train
    GANConfig, build_gan = config_lib.GANConfig, config_lib.build_gan

    for name, fields, extra in _step_cases():
        config = GANConfig(**fields)
        opts = {**config.step_options(), **extra}
        rng = np.random.default_rng(0)
        x = _data(config, rng, 64)
        k, b = config.k_disc, config.batch_size

        def batch(i):
            rows = np.arange(i * k * b, (i + 1) * k * b) % 64
            take = jax.tree_util.tree_map(lambda a: a[rows].reshape((k, b) + a.shape[1:]) if k > 1 else a[rows], x)
            return jax.tree_util.tree_map(jnp.asarray, take)

        # the single step, 3 steps
        gan = build_gan(config)
        _, state, step = steps.make_train_step(gan, data_parallel=False, **opts)
        ms = []
        for i in range(3):
            state, m = step(state, batch(i), steps.step_key(jax.random.key(1), i))
            ms.append(m)
        yield f"step: {name}", digest((state, ms))
        # the fused step, 3 steps in one call
        gan = build_gan(config)
        _, state, fused = steps.make_fused_train_step(gan, data_parallel=False, **opts)
        reals = jax.tree_util.tree_map(lambda *a: jnp.stack(a), *[batch(i) for i in range(3)])
        state, m = fused(state, reals, jax.random.key(1), 0)
        yield f"fused: {name}", digest((state, m))
        # fit, 5 steps fused by 2 (2 fused calls and one single step), from a BatchSampler
        gan = build_gan(config)
        sampler = data.BatchSampler(x, b, jax.random.key(3))
        result = train.fit(gan, sampler, key=jax.random.key(2), steps=5, fuse=2, config=config, progress=False,
                           **extra)
        yield f"fit: {name}", digest((nnx.state(gan), {k_: np.asarray(v) for k_, v in sorted(result.history.items())}))

    from gan_utils import playground as pg
    for name, fields in [("default", {}), ("k3 hinge r1 pack2 ema", dict(k_disc=3, loss="hinge", penalty="r1",
                                                                         pack=2, ema=0.9)),
                         ("wgan clip rmsprop sn", dict(loss="wgan", penalty="clip", g_optimizer="rmsprop",
                                                       d_optimizer="rmsprop", spectral_norm=True)),
                         ("gp mbstd uniform 1d", dict(data="bimodal", noise="uniform_1d", penalty="gp",
                                                       minibatch_std=True, loss="lsgan")),
                         ("r2 sgd", dict(penalty="r2", g_optimizer="sgd", d_optimizer="sgd", k_disc=2))]:
        toy = pg.ToyGAN(pg.PlaygroundConfig(g_width=16, d_width=16, batch_size=64, **fields))
        out = [toy.step_d(), toy.step_g(), toy.step_both(), toy.step_d(), toy.train(7), toy.step_g()]
        yield f"playground: {name}", digest((toy.state, out, toy.frame()))
        runs = pg.train_seeds(pg.PlaygroundConfig(g_width=16, d_width=16, batch_size=64, **fields), [0, 1], 20,
                              n_eval=200)
        # every number of each run but its wall time
        yield f"train_seeds: {name}", digest([{k: v for k, v in r.items() if k != "seconds"} for r in runs])


def _normalised_hlo(text: str) -> str:
    """The instructions of an HLO module without what names the Python source (value names, region numbers, stack
    frames), which a refactoring changes without changing the program."""
    import re

    keep = [line for line in text.splitlines() if re.match(r"\s*(%|ROOT|ENTRY|\}|HloModule)", line)]
    out = re.sub(r", metadata=\{[^}]*\}", "", "\n".join(keep))   # op names and source locations
    out = re.sub(r"%[\w.\-]+", "%v", out)
    out = re.sub(r"\b[a-z_]+\.\d+(\.\d+)*:", "p:", out)          # a computation's parameter names
    out = re.sub(r"region_\d+(\.\d+)*", "region", out)
    return re.sub(r", stack_frame_id=\d+", "", out)


def programs():
    """Yields (name, hash of the compiled single step's normalised HLO) for every case of the step matrix."""
    import jax
    import jax.numpy as jnp

    from gan_utils import config as config_lib, steps
    GANConfig, build_gan = config_lib.GANConfig, config_lib.build_gan

    for name, fields, extra in _step_cases():
        config = GANConfig(**fields)
        x = _data(config, np.random.default_rng(0), config.k_disc * config.batch_size)
        k, b = config.k_disc, config.batch_size
        real = jax.tree_util.tree_map(lambda a: jnp.asarray(a.reshape((k, b) + a.shape[1:]) if k > 1 else a), x)
        _, state, step = steps.make_train_step(build_gan(config), data_parallel=False,
                                               **{**config.step_options(), **extra})
        text = step.lower(state, real, jax.random.key(0)).compile().as_text()
        yield f"program: {name}", hashlib.sha256(_normalised_hlo(text).encode()).hexdigest()[:20]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), help="compare two saved outputs")
    parser.add_argument("--programs", action="store_true", help="hash the compiled steps instead of running them")
    args = parser.parse_args(argv)
    if args.compare:
        a, b = (json.load(open(p)) for p in args.compare)
        diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        for k in diff:
            print(f"DIFFERS {k}: {a.get(k)} -> {b.get(k)}")
        print(f"{len(set(a) | set(b)) - len(diff)} of {len(set(a) | set(b))} cases identical")
        return 1 if diff else 0
    out = {}
    for name, d in (programs() if args.programs else cases()):
        out[name] = d
        print(f"{name}: {d}", file=sys.stderr, flush=True)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
