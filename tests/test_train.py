import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from gan_utils import checkpoint, data, models, steps, train


def mlp_gan(seed=0):
    return steps.GAN(models.MLPGenerator(latent_dim=2, hidden=(32, 32), rngs=nnx.Rngs(seed)),
                     models.MLPDiscriminator(hidden=(32, 32), rngs=nnx.Rngs(seed + 1)), g_lr=1e-3, d_lr=1e-3)


def dcgan(seed=0):
    return steps.GAN(models.DCGANGenerator(base=32, rngs=nnx.Rngs(seed)),
                     models.DCGANDiscriminator(base=16, rngs=nnx.Rngs(seed + 1)))


def leaves(m, f=nnx.Param):
    return jax.tree_util.tree_leaves(nnx.state(m, f))


@pytest.fixture(scope="module")
def mnist_small():
    x, _ = data.load_mnist("train", n=2048)
    return data.to_unit_range(x)


def test_step_is_pure_and_returns_scalar_metrics():
    gan = mlp_gan()
    graphdef, state, step = steps.make_train_step(gan)
    real = jax.random.normal(jax.random.key(0), (16, 2))
    s1, m1 = step(state, real, jax.random.key(1))
    s2, m2 = step(state, real, jax.random.key(1))
    assert set(m1) == {"d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm"}
    assert all(v.shape == () for v in m1.values())
    for a, b in zip(jax.tree_util.tree_leaves(s1), jax.tree_util.tree_leaves(s2)):
        np.testing.assert_array_equal(a, b)                   # same inputs, same outputs
    before = leaves(gan)
    nnx.update(gan, s1)
    assert any(not np.array_equal(a, b) for a, b in zip(before, leaves(gan)))   # both nets moved
    assert 0 < float(m1["d_real"]) < 1 and 0 < float(m1["d_fake"]) < 1


def test_k_disc_and_saturating_loss_run():
    gan = mlp_gan()
    _, state, step = steps.make_train_step(gan, k_disc=3, generator_loss="saturating", label_smoothing=0.1)
    state, m = step(state, jnp.zeros((3, 8, 2)), jax.random.key(0))
    assert np.isfinite(float(m["d_loss"])) and float(m["g_loss"]) < 0     # saturating loss is negative
    with pytest.raises(ValueError, match="unknown generator_loss"):
        steps.make_train_step(gan, generator_loss="relativistic_average")


def test_shared_forward_step_equals_textbook_alternation():
    """Our step reuses G's forward pass; it must equal D-update-then-G-update written plainly."""
    from gan_utils import losses
    gan_a, gan_b = mlp_gan(5), mlp_gan(5)
    real = jax.random.normal(jax.random.key(0), (16, 2))
    key = jax.random.key(7)
    _, state, step = steps.make_train_step(gan_a)
    state, _ = step(state, real, key)
    nnx.update(gan_a, state)
    # Plain version, same noise.
    z = jax.random.normal(jax.random.split(key, 1)[-1], (16, 2))
    fake = gan_b.generator(z)
    gd = nnx.grad(lambda D: losses.discriminator_loss(D(real), D(fake)))(gan_b.discriminator)
    gan_b.d_opt.update(gan_b.discriminator, gd)
    gg = nnx.grad(lambda G: losses.generator_loss_non_saturating(gan_b.discriminator(G(z))))(gan_b.generator)
    gan_b.g_opt.update(gan_b.generator, gg)
    for a, b in zip(leaves(gan_a), leaves(gan_b)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_fused_equals_single_steps():
    gan_a, gan_b = mlp_gan(), mlp_gan()
    reals = jax.random.normal(jax.random.key(0), (5, 16, 2))
    key = jax.random.key(3)
    _, sa, step = steps.make_train_step(gan_a)
    for i in range(5):
        sa, _ = step(sa, reals[i], steps.step_key(key, i))
    _, sb, fused = steps.make_fused_train_step(gan_b)
    sb, mb = fused(sb, reals, key, 0)
    assert mb["d_loss"].shape == (5,)
    for a, b in zip(jax.tree_util.tree_leaves(sa), jax.tree_util.tree_leaves(sb)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_fit_on_mnist_subset_changes_the_networks_as_it_should(mnist_small):
    """A short real run: D learns to separate (D(x) > D(G(z))), G moves, losses stay finite, samples change."""
    gan = dcgan()
    g0, d0 = leaves(gan.generator), leaves(gan.discriminator)
    z = jax.random.normal(jax.random.key(9), (16, 64))
    before = np.asarray(models.sample(gan.generator, None, 16, z=z))
    r = train.fit(gan, data.BatchSampler(mnist_small, 32, jax.random.key(0)), key=jax.random.key(1),
                  steps=40, progress=False)
    h = r.history
    assert r.step == 40 and h["step"] == list(range(40))
    assert np.all(np.isfinite(h["d_loss"])) and np.all(np.isfinite(h["g_loss"]))
    assert np.mean(h["d_real"][-10:]) > np.mean(h["d_fake"][-10:])     # D tells real from fake
    assert np.mean(h["d_loss"][-10:]) < h["d_loss"][0]                 # ...better than at the start
    assert all(not np.array_equal(a, b) for a, b in zip(g0, leaves(gan.generator)))
    assert all(not np.array_equal(a, b) for a, b in zip(d0, leaves(gan.discriminator)))
    after = np.asarray(models.sample(gan.generator, None, 16, z=z))
    assert after.shape == (16, 28, 28, 1) and np.abs(after - before).mean() > 0.01


def test_exact_resume_equals_uninterrupted_run(mnist_small, tmp_path):
    key = jax.random.key(0)
    batches = data.BatchSampler(mnist_small, 32, jax.random.key(1))
    straight = dcgan()
    r = train.fit(straight, batches, key=key, steps=12, progress=False)
    first = dcgan()
    train.fit(first, batches, key=key, steps=5, progress=False, checkpoint_dir=str(tmp_path / "ck"))
    resumed = dcgan(seed=99)                                   # different init: everything must come from disk
    step, k, meta = checkpoint.restore(tmp_path / "ck", resumed)
    assert step == 5
    r2 = train.fit(resumed, batches, key=k, steps=12, start_step=step, history=meta["history"], progress=False)
    for a, b in zip(jax.tree_util.tree_leaves(nnx.state(straight)), jax.tree_util.tree_leaves(nnx.state(resumed))):
        if jax.dtypes.issubdtype(a.dtype, jax.dtypes.prng_key):
            a, b = jax.random.key_data(a), jax.random.key_data(b)
        np.testing.assert_array_equal(a, b)
    assert r2.history["d_loss"] == r.history["d_loss"]


def test_minutes_budget_stops():
    gan = mlp_gan()
    x = np.asarray(data.ring().sample(jax.random.key(0), 4096))
    r = train.fit(gan, data.BatchSampler(x, 64, jax.random.key(1)), key=jax.random.key(2), minutes=0.05,
                  progress=False)
    assert r.step > 0 and r.seconds < 0.05 * 60 + 30


def test_nan_stops_with_clear_message_and_keeps_last_good_checkpoint(tmp_path):
    gan = mlp_gan()
    x = np.asarray(data.ring().sample(jax.random.key(0), 4096))

    class Poisoned(data.BatchSampler):
        def batch(self, step):
            b = super().batch(step)
            return b * np.nan if step >= 60 else b

    with pytest.raises(train.TrainingDiverged, match="NaN/Inf at step 60.*last good state") as e:
        train.fit(gan, Poisoned(x, 64, jax.random.key(1)), key=jax.random.key(2), steps=200, fuse=1,
                  progress=False, checkpoint_dir=str(tmp_path / "ck"))
    good = e.value.result.step
    assert 0 < good <= 60
    assert all(np.all(np.isfinite(np.asarray(v))) for v in leaves(gan))
    meta = checkpoint.load_meta(tmp_path / "ck")
    assert meta["step"] == good and len(meta["history"]["d_loss"]) == good
    restored = mlp_gan(seed=5)
    checkpoint.restore(tmp_path / "ck", restored)
    for a, b in zip(leaves(gan), leaves(restored)):
        np.testing.assert_array_equal(a, b)


def test_fit_bad_arguments():
    gan = mlp_gan()
    with pytest.raises(ValueError, match="exactly one of steps"):
        train.fit(gan, data.BatchSampler(np.zeros((10, 2)), 2, jax.random.key(0)), key=jax.random.key(0))
    with pytest.raises(TypeError, match="batch\\(step\\)"):
        train.fit(gan, [np.zeros((2, 2))], key=jax.random.key(0), steps=1)
    with pytest.raises(TypeError, match="latent_dim"):
        steps.GAN(nnx.Linear(2, 2, rngs=nnx.Rngs(0)), models.MLPDiscriminator(rngs=nnx.Rngs(0)))


def test_sample_same_seed_same_samples():
    g = models.DCGANGenerator(rngs=nnx.Rngs(0))
    a = models.sample(g, jax.random.key(1), 2500, batch_size=1000)
    b = models.sample(g, jax.random.key(1), 2500, batch_size=1000)
    assert a.shape == (2500, 28, 28, 1)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="z must have shape"):
        models.sample(g, None, 3, z=jnp.zeros((3, 10)))


def dcgan_ema(seed=0, ema=0.9):
    return steps.GAN(models.DCGANGenerator(base=32, rngs=nnx.Rngs(seed)),
                     models.DCGANDiscriminator(base=16, rngs=nnx.Rngs(seed + 1)), ema=ema)


def test_exact_resume_with_ema_equals_uninterrupted_run(mnist_small, tmp_path):
    key = jax.random.key(0)
    batches = data.BatchSampler(mnist_small, 32, jax.random.key(1))
    straight = dcgan_ema()
    r = train.fit(straight, batches, key=key, steps=12, progress=False)
    first = dcgan_ema()
    train.fit(first, batches, key=key, steps=5, progress=False, checkpoint_dir=str(tmp_path / "ck"))
    resumed = dcgan_ema(seed=99)                              # everything, g_ema included, must come from disk
    step, k, meta = checkpoint.restore(tmp_path / "ck", resumed)
    assert step == 5
    r2 = train.fit(resumed, batches, key=k, steps=12, start_step=step, history=meta["history"], progress=False)
    sa, sb = nnx.state(straight), nnx.state(resumed)
    assert "g_ema" in sa.to_pure_dict()
    for a, b in zip(jax.tree_util.tree_leaves(sa), jax.tree_util.tree_leaves(sb)):
        if jax.dtypes.issubdtype(a.dtype, jax.dtypes.prng_key):
            a, b = jax.random.key_data(a), jax.random.key_data(b)
        np.testing.assert_array_equal(a, b)
    assert r2.history["d_loss"] == r.history["d_loss"]
    # the average moved away from both the initialisation and the live generator
    g0 = leaves(dcgan_ema().g_ema)
    assert all(not np.array_equal(a, b) for a, b in zip(g0, leaves(straight.g_ema)))
    assert all(not np.array_equal(a, b) for a, b in zip(leaves(straight.generator), leaves(straight.g_ema)))


def test_ema_update_follows_its_formula_and_copies_batchnorm_statistics():
    gan = dcgan_ema(ema=0.75)
    assert gan.sampling_generator is gan.g_ema and gan.g_ema is not gan.generator
    ema0 = leaves(gan.g_ema)
    _, state, step = steps.make_train_step(gan)
    state, _ = step(state, jax.random.uniform(jax.random.key(0), (8, 28, 28, 1), minval=-1, maxval=1),
                    jax.random.key(1))
    nnx.update(gan, state)
    for e0, p, e in zip(ema0, leaves(gan.generator), leaves(gan.g_ema)):
        np.testing.assert_allclose(e, 0.75 * e0 + 0.25 * p, rtol=1e-6, atol=1e-7)
    for a, b in zip(leaves(gan.generator, nnx.BatchStat), leaves(gan.g_ema, nnx.BatchStat)):
        np.testing.assert_array_equal(a, b)
    plain = dcgan_ema(ema=0.0)
    assert plain.g_ema is None and plain.sampling_generator is plain.generator
    assert "g_ema" not in nnx.state(plain).to_pure_dict()
    with pytest.raises(ValueError, match="ema"):
        dcgan_ema(ema=1.0)


def test_r1_penalty_is_half_gamma_mean_squared_input_gradient():
    with_r1, without = mlp_gan(3), mlp_gan(3)
    real = jax.random.normal(jax.random.key(0), (16, 2))
    D = nnx.clone(with_r1.discriminator)
    gx = jax.grad(lambda x: jnp.sum(D(x)))(real)                 # row i: grad of D's logit at x_i
    want = 0.5 * 4.0 * float(jnp.mean(jnp.sum(gx ** 2, axis=1)))
    ms = []
    for gan, r1 in ((with_r1, 4.0), (without, 0.0)):
        _, state, step = steps.make_train_step(gan, r1=r1)
        state, m = step(state, real, jax.random.key(1))
        nnx.update(gan, state)
        ms.append(m)
    m, m0 = ms
    np.testing.assert_allclose(m["r1_penalty"], want, rtol=1e-5)
    np.testing.assert_allclose(m["d_loss"], m0["d_loss"], rtol=1e-6)    # d_loss: the adversarial part only
    assert "r1_penalty" not in m0
    # the penalty is differentiated with respect to D's parameters: it changes D's update
    assert not np.array_equal(with_r1.discriminator.out.kernel[...], without.discriminator.out.kernel[...])
    with pytest.raises(ValueError, match="r1"):
        steps.make_train_step(without, r1=-1.0)


def test_recipe_options_run_on_the_dcgan_with_dropout_and_k_disc():
    gan = steps.GAN(models.DCGANGenerator(base=16, extra=1, rngs=nnx.Rngs(0)),
                    models.DCGANDiscriminator(base=8, dropout=0.3, rngs=nnx.Rngs(1)), ema=0.9)
    _, state, step = steps.make_train_step(gan, k_disc=2, generator_loss="hinge", discriminator_loss="hinge", r1=1.0)
    state, m = step(state, jax.random.uniform(jax.random.key(0), (2, 8, 28, 28, 1), minval=-1, maxval=1),
                    jax.random.key(1))
    assert all(np.isfinite(float(v)) for v in m.values()) and float(m["r1_penalty"]) > 0
    with pytest.raises(ValueError, match="unknown discriminator_loss"):
        steps.make_train_step(gan, discriminator_loss="relativistic_average")
    with pytest.raises(ValueError, match="label_smoothing=0"):
        steps.make_train_step(gan, discriminator_loss="hinge", label_smoothing=0.1)


def test_fused_equals_single_steps_with_recipe_options():
    def gan():
        return steps.GAN(models.MLPGenerator(latent_dim=2, hidden=(32, 32), rngs=nnx.Rngs(0)),
                         models.MLPDiscriminator(hidden=(32, 32), rngs=nnx.Rngs(1)), g_lr=1e-3, d_lr=2e-3, ema=0.9)
    opts = dict(generator_loss="hinge", discriminator_loss="hinge", r1=0.5)
    reals = jax.random.normal(jax.random.key(0), (4, 16, 2))
    key = jax.random.key(3)
    _, sa, step = steps.make_train_step(gan(), **opts)
    for i in range(4):
        sa, _ = step(sa, reals[i], steps.step_key(key, i))
    _, sb, fused = steps.make_fused_train_step(gan(), **opts)
    sb, mb = fused(sb, reals, key, 0)
    assert mb["r1_penalty"].shape == (4,)
    for a, b in zip(jax.tree_util.tree_leaves(sa), jax.tree_util.tree_leaves(sb)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


class _StopAt(data.BatchSampler):
    """Presses "stop" (raises KeyboardInterrupt) when asked for the batch of step ``stop``, as Jupyter's stop button
    does in the middle of a training loop."""

    def __init__(self, *a, stop, **k):
        super().__init__(*a, **k)
        self.stop = stop

    def batch(self, step):
        if step == self.stop:
            raise KeyboardInterrupt
        return super().batch(step)


@pytest.mark.parametrize("fuse", [1, 10])
def test_stop_button_keeps_the_model_and_history_up_to_the_last_finished_step(tmp_path, fuse):
    x = np.asarray(data.ring().sample(jax.random.key(0), 4096))
    straight = mlp_gan()
    train.fit(straight, data.BatchSampler(x, 64, jax.random.key(1)), key=jax.random.key(2), steps=40, fuse=fuse,
              progress=False)
    gan = mlp_gan()
    r = train.fit(gan, _StopAt(x, 64, jax.random.key(1), stop=47), key=jax.random.key(2), steps=100, fuse=fuse,
                  progress=False, stop_on_interrupt=True, checkpoint_dir=str(tmp_path / "ck"))
    expected = 47 if fuse == 1 else 40          # a fused call of 10 steps is all or nothing
    assert r.interrupted and r.step == expected
    assert r.history["step"] == list(range(expected)) and len(r.history["d_loss"]) == expected
    if fuse == 10:   # the GAN holds exactly the state after step 40: the uninterrupted run's
        for a, b in zip(leaves(gan), leaves(straight)):
            np.testing.assert_array_equal(a, b)
    assert checkpoint.load_meta(tmp_path / "ck")["step"] == expected
    # without stop_on_interrupt the interrupt goes on up (the command line's Ctrl-C), after keeping the same
    again = mlp_gan()
    with pytest.raises(KeyboardInterrupt):
        train.fit(again, _StopAt(x, 64, jax.random.key(1), stop=47), key=jax.random.key(2), steps=100, fuse=fuse,
                  progress=False, checkpoint_dir=str(tmp_path / "ck2"))
    assert checkpoint.load_meta(tmp_path / "ck2")["step"] == expected
    for a, b in zip(leaves(gan), leaves(again)):
        np.testing.assert_array_equal(a, b)


def test_fit_takes_the_recipe_as_one_config_and_one_option_over_it():
    """config= carries the step options (here hinge and k_disc 2: two D batches per step); an override by name wins;
    a misspelt or architecture option is refused with the way to pass it."""
    from gan_utils.config import GANConfig, build_gan
    c = GANConfig(dataset="ring", model="mlp", loss="hinge", k_disc=2, batch_size=16, seed=0)
    x = np.asarray(data.ring().sample(jax.random.key(0), 256))

    class Counting(data.BatchSampler):
        asked = []

        def batch(self, step):
            self.asked.append(step)
            return super().batch(step)

    b = Counting(x, 16, jax.random.key(1))
    train.fit(build_gan(c), b, key=jax.random.key(2), steps=3, fuse=1, progress=False, config=c)
    assert sorted(b.asked) == list(range(6)), "k_disc=2 from the config: two D batches per step"
    b.asked.clear()
    train.fit(build_gan(c), b, key=jax.random.key(2), steps=3, fuse=1, progress=False, config=c, k_disc=1)
    assert sorted(b.asked) == list(range(3)), "an option passed by name overrides the config's"
    for bad in ({"kdisc": 2}, {"spectral_norm": True}):
        with pytest.raises(TypeError, match="unknown option"):
            train.fit(build_gan(c), b, key=jax.random.key(2), steps=1, progress=False, **bad)
    with pytest.raises(TypeError, match="config must be a GANConfig"):
        train.fit(build_gan(c), b, key=jax.random.key(2), steps=1, progress=False, config="hinge")


def test_lr_decay_holds_the_rate_then_brings_it_to_zero():
    """GANConfig(lr_decay=N): constant rate to update N/2, linear to 0 at N; after N the weights stop moving."""
    from gan_utils.config import GANConfig, build_gan
    from gan_utils.steps import _rate
    rate = _rate(1e-3, 8)
    np.testing.assert_allclose([float(rate(c)) for c in (0, 4, 6, 8, 12)], [1e-3, 1e-3, 5e-4, 0.0, 0.0], atol=1e-12)
    cfg = GANConfig(dataset="ring", lr_decay=4, toy_points=512)
    gan = build_gan(cfg)
    x = np.asarray(jax.random.normal(jax.random.key(0), (512, 2)), np.float32)
    batches = data.BatchSampler(x, 64, jax.random.key(1))
    params = lambda: [np.array(a) for a in jax.tree_util.tree_leaves(nnx.state(gan.generator, nnx.Param))]  # noqa
    train.fit(gan, batches, key=jax.random.key(2), steps=4, config=cfg, fuse=1, progress=False)
    at4 = params()
    train.fit(gan, batches, key=jax.random.key(2), steps=6, start_step=4, config=cfg, fuse=1, progress=False)
    assert all(np.array_equal(a, b) for a, b in zip(at4, params()))     # rate 0 from update 4 on
    with pytest.raises(ValueError, match="lr_decay must be >= 0"):
        GANConfig(lr_decay=-1)


def test_lr_anneal_drops_both_rates_to_a_tenth_halfway():
    """GANConfig(lr_anneal=N): the rate until update N/2, a tenth of it from there on (notebook 07's toy recipe); the
    built GAN's optimizers follow it (their first updates equal a plain run's, the later ones are a tenth as large)."""
    from gan_utils.config import GANConfig, build_gan
    from gan_utils.steps import GAN, _rate
    rate = _rate(1e-3, 0, 8)
    np.testing.assert_allclose([float(rate(c)) for c in (0, 3, 4, 7, 100)], [1e-3, 1e-3, 1e-4, 1e-4, 1e-4], rtol=1e-6)
    x = np.asarray(jax.random.normal(jax.random.key(0), (512, 2)), np.float32)

    def moves(cfg):   # the generator's parameter change in each of 4 single steps
        gan = build_gan(cfg)
        batches = data.BatchSampler(x, 64, jax.random.key(1))
        flat = lambda: np.concatenate([np.ravel(a) for a in jax.tree_util.tree_leaves(nnx.state(gan.generator, nnx.Param))])  # noqa
        out, before = [], flat()
        for s in range(4):
            train.fit(gan, batches, key=jax.random.key(2), steps=s + 1, start_step=s, config=cfg, fuse=1,
                      progress=False)
            after = flat()
            out.append(np.abs(after - before).max())
            before = after
        return np.array(out)

    plain = moves(GANConfig(dataset="ring", toy_points=512, batch_size=64))
    annealed = moves(GANConfig(dataset="ring", toy_points=512, batch_size=64, lr_anneal=4))
    np.testing.assert_allclose(annealed[:2], plain[:2], rtol=1e-5)
    assert np.all(annealed[2:] < 0.2 * plain[2:]), (annealed, plain)   # Adam's step scales with its rate
    with pytest.raises(ValueError, match="two schedules"):
        GAN(models.MLPGenerator(latent_dim=2, out_dim=2, hidden=(4,), rngs=nnx.Rngs(0)),
            models.MLPDiscriminator(in_dim=2, hidden=(4,), rngs=nnx.Rngs(0)), lr_decay=2, lr_anneal=2)


# -- issue #50: nothing trained is lost to an error ------------------------------------------------------------------

def _ring_batches():
    x = np.random.default_rng(0).normal(size=(256, 2)).astype(np.float32)
    return data.BatchSampler(x, 64, jax.random.key(0))


def test_an_error_in_a_callback_keeps_every_step_before_it(tmp_path):
    """Any exception after the first step (a callback's, here) saves what was trained, then goes on."""
    gan = mlp_gan()

    def fails_at_30(step, gan, history):
        if step >= 30:
            raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed") as raised:
        train.fit(gan, _ring_batches(), key=jax.random.key(0), steps=1000, fuse=1, callbacks=[fails_at_30],
                  callback_every=10, checkpoint_dir=tmp_path / "ck", progress=False)
    meta = checkpoint.load_meta(tmp_path / "ck")
    assert meta["step"] == raised.value.saved_step == 30 and len(meta["history"]["step"]) == 30
    assert any("saved in" in n for n in getattr(raised.value, "__notes__", ["saved in"]))
    other = mlp_gan()
    checkpoint.restore(tmp_path / "ck", other)
    for a, b in zip(leaves(gan), leaves(other)):
        np.testing.assert_array_equal(a, b)


def test_fit_refuses_a_checkpoint_dir_it_could_not_save_before_training(tmp_path):
    (tmp_path / "ck").mkdir()
    (tmp_path / "ck" / "notes.txt").write_text("mine")
    gan = mlp_gan()
    before = [np.asarray(x) for x in leaves(gan)]
    with pytest.raises(checkpoint.CheckpointError, match="notes.txt"):
        train.fit(gan, _ring_batches(), key=jax.random.key(0), steps=50, checkpoint_dir=tmp_path / "ck",
                  progress=False)
    for a, b in zip(before, leaves(gan)):                  # refused before the first step
        np.testing.assert_array_equal(a, b)
    assert (tmp_path / "ck" / "notes.txt").read_text() == "mine"


def test_an_interrupt_says_which_step_it_saved(tmp_path):
    def interrupt_at_20(step, gan, history):
        if step >= 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as raised:
        train.fit(mlp_gan(), _ring_batches(), key=jax.random.key(0), steps=1000, fuse=1, callbacks=[interrupt_at_20],
                  callback_every=10, checkpoint_dir=tmp_path / "ck", progress=False)
    assert raised.value.saved_step == checkpoint.load_meta(tmp_path / "ck")["step"] == 20
