"""The data-parallel training step on 8 simulated CPU devices equals the single-device step.

XLA fixes the number of host devices when JAX starts, so the check runs in a fresh Python process started
with XLA_FLAGS=--xla_force_host_platform_device_count=8 (this pytest process has one device).
"""
import json
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(r"""
    import json
    import jax, jax.numpy as jnp, numpy as np
    from flax import nnx
    from gan_utils import devices, models, steps, train

    assert len(jax.local_devices()) == 8, jax.local_devices()
    out = {}

    def dcgan():   # BatchNorm in G: its batch statistics must be those of the whole batch, not of a shard
        return steps.GAN(models.DCGANGenerator(latent_dim=8, base=16, rngs=nnx.Rngs(0)),
                         models.DCGANDiscriminator(base=8, rngs=nnx.Rngs(1)))

    def mlp():
        return steps.GAN(models.MLPGenerator(latent_dim=2, hidden=(32, 32), rngs=nnx.Rngs(0)),
                         models.MLPDiscriminator(hidden=(32, 32), rngs=nnx.Rngs(1)), g_lr=1e-3, d_lr=1e-3)

    def max_diff(a, b):
        return max(float(jnp.max(jnp.abs(x - y))) for x, y in
                   zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b))
                   if jnp.issubdtype(x.dtype, jnp.floating))

    key = jax.random.key(5)
    # single steps: DCGAN, and MLP with k_disc = 2 (its batches are (k, B, ...), split on axis 1)
    for name, make, shape, k in (("dcgan", dcgan, (16, 28, 28, 1), 1), ("mlp_k2", mlp, (2, 32, 2), 2)):
        real = jax.random.uniform(jax.random.key(0), shape, minval=-1, maxval=1)
        states, metrics = [], []
        for dp in (False, True):
            _, st, step = steps.make_train_step(make(), k_disc=k, data_parallel=dp)
            for i in range(3):
                st, m = step(st, real, steps.step_key(key, i))
            states.append(st)
            metrics.append({k_: float(v) for k_, v in m.items()})
        leaf = jax.tree_util.tree_leaves(states[1])[0]
        out[name] = {"diff": max_diff(*states), "metrics": metrics, "n_shards": len(leaf.sharding.device_set),
                     "replicated": leaf.sharding.is_fully_replicated}

    # the default (data_parallel=None) uses all 8 devices; fused steps too
    reals = jax.random.normal(jax.random.key(1), (4, 32, 2))
    _, st1, single = steps.make_train_step(mlp(), data_parallel=False)
    for i in range(4):
        st1, _ = single(st1, reals[i], steps.step_key(key, i))
    _, st8, fused = steps.make_fused_train_step(mlp())
    st8, m8 = fused(st8, reals, key, 0)
    out["fused"] = {"diff": max_diff(st1, st8), "n_shards": len(jax.tree_util.tree_leaves(st8)[0].sharding.device_set)}

    # inside the compiled step the batch really is split: each device holds 32 / 8 = 4 rows
    _, st, step = steps.make_train_step(mlp())
    sharded = jax.device_put(reals[0], devices.data_parallel_shardings(0)[1])
    out["shard_rows"] = sorted({s.data.shape[0] for s in sharded.addressable_shards})

    # fit() runs data-parallel without being told
    from gan_utils import data
    x = np.asarray(jax.random.normal(jax.random.key(2), (256, 2)))
    res = train.fit(mlp(), data.BatchSampler(x, 32, jax.random.key(3)), key=key, steps=20, progress=False)
    out["fit_finite"] = all(np.isfinite(res.history["d_loss"]))

    try:
        step(st, reals[0][:30], key)
    except ValueError as e:
        out["bad_batch"] = str(e)
    print("RESULT" + json.dumps(out))
""")


@pytest.fixture(scope="module")
def eight_devices():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8", JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(l for l in proc.stdout.splitlines() if l.startswith("RESULT"))
    return json.loads(line[len("RESULT"):])


@pytest.mark.parametrize("name", ["dcgan", "mlp_k2"])
def test_data_parallel_step_matches_single_device(eight_devices, name):
    r = eight_devices[name]
    assert r["n_shards"] == 8 and r["replicated"], "parameters must be replicated on all 8 devices"
    assert r["diff"] < 1e-5, f"8-device state differs from 1-device state by {r['diff']}"
    single, parallel = r["metrics"]
    for k in single:
        assert abs(single[k] - parallel[k]) < 1e-5 * max(1.0, abs(single[k])), (k, single[k], parallel[k])


def test_fused_and_fit_are_data_parallel_by_default(eight_devices):
    assert eight_devices["fused"]["n_shards"] == 8
    assert eight_devices["fused"]["diff"] < 1e-5
    assert eight_devices["shard_rows"] == [4]
    assert eight_devices["fit_finite"]


def test_batch_not_divisible_by_devices_names_the_fix(eight_devices):
    msg = eight_devices["bad_batch"]
    assert "multiple of 8" in msg and "data_parallel=False" in msg
