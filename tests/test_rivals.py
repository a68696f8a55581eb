"""The VAE and the diffusion model of notebook 10 (gan_utils.rivals), and the memorisation score."""
import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from gan_utils import data, metrics, models, rivals


def test_dequantize_keeps_each_pixel_in_its_own_grey_level():
    levels = np.arange(256, dtype=np.float32)
    x = jnp.asarray(levels / 127.5 - 1).reshape(1, 16, 16, 1)        # data.to_unit_range's scale
    y = np.asarray(rivals.dequantize(jax.random.key(0), x)).ravel()
    np.testing.assert_array_equal(np.floor((y + 1) / rivals.BIN), levels)
    assert y.min() >= -1 and y.max() < 1


def test_bits_per_dim_of_a_uniform_density_is_eight():
    # the uniform density on [-1, 1]^D: -log p = D log 2 nats, 8 bits per pixel for 256 levels
    assert rivals.bits_per_dim(rivals.PIXELS * math.log(2)) == pytest.approx(8.0)
    assert rivals.bits_per_dim(0.0) == pytest.approx(7.0)


def test_vae_loss_is_the_negative_elbo_written_out():
    vae = rivals.VAE(latent_dim=8, g_base=8, e_base=4, rngs=nnx.Rngs(0))
    x = jnp.asarray(np.random.default_rng(0).integers(0, 256, (4, 28, 28, 1)) / 127.5 - 1, jnp.float32)
    key = jax.random.key(1)
    loss, m = rivals.vae_loss(vae, x, key)
    # by hand, with the same keys
    k_deq, k_eps = jax.random.split(key)
    xd = rivals.dequantize(k_deq, x)
    mu, logvar = vae.encode(xd)
    z = mu + jnp.exp(0.5 * logvar) * jax.random.normal(k_eps, mu.shape)
    mean, s = vae.decode(z), float(jnp.exp(vae.log_scale[...]))
    # -log p(x|z) from the Gaussian's own log-density; KL(N(mu, sigma^2) || N(0, 1)) from its definition's closed form
    nll = [-float(jnp.sum(jax.scipy.stats.norm.logpdf(xd[i], mean[i], s))) for i in range(4)]
    kl = [float(jnp.sum(-jnp.log(jnp.exp(0.5 * logvar[i])) + (jnp.exp(logvar[i]) + mu[i] ** 2) / 2 - 0.5))
          for i in range(4)]
    assert float(loss) == pytest.approx(np.mean(nll) + np.mean(kl), rel=1e-5)
    assert float(m["kl"]) == pytest.approx(np.mean(kl), rel=1e-5) and float(m["scale"]) == pytest.approx(0.2)



def test_the_iwae_bound_is_the_log_mean_of_importance_weights_written_out():
    vae = models.inference_copy(rivals.VAE(latent_dim=4, g_base=8, e_base=4, rngs=nnx.Rngs(0)))
    x = jnp.asarray(np.random.default_rng(0).integers(0, 256, (3, 28, 28, 1)) / 127.5 - 1, jnp.float32)
    key, k = jax.random.key(2), 5
    got = rivals.vae_iwae_bound(vae, x, key, k=k, batch_size=3)      # one batch: its key is split(key, 1)[0]
    k_deq, k_eps = jax.random.split(jax.random.split(key, 1)[0])
    xd = rivals.dequantize(k_deq, x)
    mu, logvar = vae.encode(xd)
    sd, s = jnp.exp(0.5 * logvar), float(jnp.exp(vae.log_scale[...]))
    z = mu + sd * jax.random.normal(k_eps, (k,) + mu.shape)
    norm = jax.scipy.stats.norm
    by_hand = []
    for i in range(3):      # each weight from the three Gaussians' own log-densities
        logw = [float(jnp.sum(norm.logpdf(xd[i], vae.decode(z[j, i:i + 1])[0], s)) + jnp.sum(norm.logpdf(z[j, i]))
                      - jnp.sum(norm.logpdf(z[j, i], mu[i], sd[i]))) for j in range(k)]
        by_hand.append(-(np.logaddexp.reduce(logw) - np.log(k)))
    np.testing.assert_allclose(got["per_image"], by_hand, rtol=1e-5)
    assert got["neg_log_likelihood_bound"] == pytest.approx(np.mean(by_hand), rel=1e-5) and got["k"] == k


def test_the_iwae_bound_tightens_with_k_and_starts_at_the_elbo():
    vae = models.inference_copy(rivals.VAE(latent_dim=4, g_base=8, e_base=4, rngs=nnx.Rngs(0)))
    x = data.to_unit_range(np.random.default_rng(1).integers(0, 256, (64, 28, 28, 1)).astype(np.uint8))
    bounds = {k: rivals.vae_iwae_bound(vae, x, jax.random.key(3), k=k) for k in (1, 8, 64)}
    # the same key dequantizes the images the same way for every k: the bound falls image by image on average
    assert bounds[64]["neg_log_likelihood_bound"] < bounds[8]["neg_log_likelihood_bound"] \
        < bounds[1]["neg_log_likelihood_bound"]
    elbo = float(rivals.vae_loss(vae, jnp.asarray(x), jax.random.key(4))[0])     # KL in closed form, other noise
    assert abs(bounds[1]["neg_log_likelihood_bound"] - elbo) < 3 * bounds[1]["se"] + 1e-3 * abs(elbo)
    for bad in ({"k": 0}, {"batch_size": 0}):
        with pytest.raises(ValueError, match="k|batch_size"):
            rivals.vae_iwae_bound(vae, x, jax.random.key(0), **bad)
    with pytest.raises(ValueError, match="at least 2 images"):
        rivals.vae_iwae_bound(vae, x[:1], jax.random.key(0))


def test_the_schedule_is_ddpms():
    sch = rivals.Schedule()
    ab = np.asarray(sch.alpha_bar)
    assert ab.shape == (1000,) and np.all(np.diff(ab) < 0)
    assert ab[0] == pytest.approx(1 - 1e-4) and ab[-1] == pytest.approx(4.04e-5, rel=0.02)   # Ho et al.: ~4e-5
    with pytest.raises(ValueError, match="steps"):
        rivals.Schedule(1)


class _Oracle(nnx.Module):
    """The exact noise predictor for data that is one image c: eps = (x_t - sqrt(abar_t) c) / sqrt(1 - abar_t)."""

    def __init__(self, c, schedule):
        self.c, self.ab = nnx.Variable(c), nnx.Variable(schedule.alpha_bar)

    def __call__(self, x, t):
        ab = self.ab[...][t][:, None, None, None]
        return (x - jnp.sqrt(ab) * self.c[...]) / jnp.sqrt(1 - ab)


class _GaussianOracle(nnx.Module):
    """The exact noise predictor for data x0 ~ N(0, sigma^2 I): E[eps | x_t] = sqrt(1 - a) x_t / (a sigma^2 + 1 - a)."""

    def __init__(self, sigma, schedule):
        self.sigma, self.ab = sigma, nnx.Variable(schedule.alpha_bar)

    def __call__(self, x, t):
        a = self.ab[...][t][:, None, None, None]
        return jnp.sqrt(1 - a) * x / (a * self.sigma ** 2 + 1 - a)


def _ddim_gain(sigma: float, steps: int) -> float:
    """For data N(0, sigma^2) and its exact denoiser every DDIM step is linear, x' = c_t x: the product of the c_t,
    from DDPM's betas and DDIM's update written out here (independently of gan_utils.rivals)."""
    ab = np.cumprod(1 - np.linspace(1e-4, 0.02, 1000))
    ts, gain = np.round(np.linspace(999, 0, steps)).astype(int), 1.0
    for i, t in enumerate(ts):
        a, a_next = ab[t], (ab[ts[i + 1]] if i + 1 < steps else 1.0)
        v = a * sigma ** 2 + 1 - a                     # the variance of x_t
        x0_coef, eps_coef = np.sqrt(a) * sigma ** 2 / v, np.sqrt(1 - a) / v
        gain *= np.sqrt(a_next) * x0_coef + np.sqrt(1 - a_next) * eps_coef
    return gain


@pytest.mark.parametrize("steps", [10, 100])
def test_ddim_with_the_exact_denoiser_of_gaussian_data_scales_the_noise_as_ddim_does(steps):
    """x_T ~ N(0, I) comes out as gain * x_T; the gain tends to sigma as the steps grow (DDIM is a first-order
    integrator: 100 steps give 0.957 sigma). A wrong update (square roots swapped, eps not re-derived, times off)
    gives another spread."""
    sch, sigma = rivals.Schedule(), 0.3
    x = rivals.ddim_sample(_GaussianOracle(sigma, sch), sch, jax.random.key(0), 64, steps=steps, batch_size=32)
    assert abs(float(x.std()) - _ddim_gain(sigma, steps)) < 0.005, (float(x.std()), _ddim_gain(sigma, steps))
    assert abs(float(x.mean())) < 0.01
    assert abs(_ddim_gain(sigma, 1000) / sigma - 1) < 0.01          # and with many steps, the data's own spread


@pytest.mark.parametrize("steps", [1, 5, 50])
def test_ddim_with_the_exact_denoiser_lands_on_the_data(steps):
    sch = rivals.Schedule()
    c = jnp.asarray(np.random.default_rng(0).uniform(-0.9, 0.9, (28, 28, 1)), jnp.float32)
    x = rivals.ddim_sample(_Oracle(c, sch), sch, jax.random.key(0), 7, steps=steps, batch_size=4)
    assert x.shape == (7, 28, 28, 1)
    np.testing.assert_allclose(x, np.broadcast_to(c, x.shape), atol=1e-3)
    with pytest.raises(ValueError, match="denoising steps"):
        rivals.ddim_sample(_Oracle(c, sch), sch, jax.random.key(0), 2, steps=0)


def test_denoiser_shapes_and_the_loss_of_predicting_zero():
    sch = rivals.Schedule()
    model = rivals.Denoiser(base=8, rngs=nnx.Rngs(0))
    x = jnp.zeros((3, 28, 28, 1))
    assert model(x, jnp.array([0, 500, 999])).shape == (3, 28, 28, 1)
    zero = lambda x, t: jnp.zeros_like(x)                                # predicts no noise: the loss is E[eps^2] = 1
    loss, _ = rivals.diffusion_loss(zero, jnp.zeros((256, 28, 28, 1)), jax.random.key(0), sch)
    assert float(loss) == pytest.approx(1.0, abs=0.01)
    with pytest.raises(ValueError, match="multiple of 4"):
        rivals.Denoiser(base=6, rngs=nnx.Rngs(0))


def test_train_for_lowers_the_loss_and_calls_the_marks_in_order():
    rng = np.random.default_rng(0)
    images = np.clip(rng.normal(-0.8, 0.3, (256, 28, 28, 1)), -1, 1).astype(np.float32)
    vae = rivals.VAE(latent_dim=8, g_base=8, e_base=4, rngs=nnx.Rngs(0))
    seen = []
    probe = lambda: float(rivals.vae_loss(models.inference_copy(vae), jnp.asarray(images[:64]), jax.random.key(5))[0])
    before = probe()
    res = rivals.train_for(vae, rivals.vae_loss, images, key=jax.random.key(0), seconds=4.0, marks=(1.0, 2.0),
                           on_mark=lambda mark, step, model: seen.append((mark, step)), batch_size=32)
    assert ([m for m, _ in seen] == [1.0, 2.0]
            and 1 <= seen[0][1] <= seen[1][1] <= res["steps"])   # one step may pass both
    assert res["seconds"] >= 4.0 and res["history"]["step"][0] == 0
    seen.clear()
    more = rivals.train_for(vae, rivals.vae_loss, images, key=jax.random.key(1), seconds=120.0, max_steps=60,
                            marks=(120.0,), on_mark=lambda mark, step, model: seen.append((mark, step)),
                            batch_size=32)                              # steps, not seconds: the same on a busy machine
    assert more["steps"] == 60 and probe() < before
    assert seen == [(120.0, 60)]                       # a mark max_steps left unreached sees the last step
    assert models.sample(vae, jax.random.key(0), 5).shape == (5, 28, 28, 1)   # a VAE samples like a generator
    with pytest.raises(ValueError, match="mark"):
        rivals.train_for(vae, rivals.vae_loss, images, key=jax.random.key(0), seconds=1.0, marks=(2.0,))


def test_diffusion_trains_through_train_for():
    images = np.full((128, 28, 28, 1), -1.0, np.float32)
    sch = rivals.Schedule()
    model = rivals.Denoiser(base=8, rngs=nnx.Rngs(0))
    loss = partial(rivals.diffusion_loss, schedule=sch)
    probe = lambda: float(loss(model, jnp.asarray(images[:64]), jax.random.key(5))[0])
    before = probe()
    res = rivals.train_for(model, loss, images, key=jax.random.key(0), seconds=120.0, max_steps=40, batch_size=16,
                           ema=0.9)
    assert res["steps"] == 40 and probe() < before                     # the model ends holding the average


def test_a_trained_rival_survives_the_round_trip_of_the_committed_results():
    """What budget_run keeps (nnx.to_pure_dict as numpy) rebuilds the same network with load_rival."""
    def kept(net):
        return jax.tree_util.tree_map(np.asarray, nnx.to_pure_dict(nnx.state(net)))

    vae, den = rivals.VAE(rngs=nnx.Rngs(3)), rivals.Denoiser(rngs=nnx.Rngs(7))
    z, x, t = jax.random.normal(jax.random.key(0), (3, vae.latent_dim)), jnp.zeros((2, 28, 28, 1)), jnp.array([3, 900])
    np.testing.assert_array_equal(models.sample(rivals.load_rival("vae", kept(vae)), None, 3, z=z),
                                  models.sample(vae, None, 3, z=z))
    np.testing.assert_array_equal(rivals.load_rival("diffusion", kept(den))(x, t), den(x, t))
    wide = rivals.VAE(latent_dim=64, rngs=nnx.Rngs(4))                 # the size of z comes from the weights
    z64 = jax.random.normal(jax.random.key(1), (3, 64))
    np.testing.assert_array_equal(models.sample(rivals.load_rival("vae", kept(wide)), None, 3, z=z64),
                                  models.sample(wide, None, 3, z=z64))
    with pytest.raises(ValueError, match="'vae' or 'diffusion'"):
        rivals.load_rival("gan", kept(vae))


def test_race_runs_a_subset_of_the_models_and_refuses_what_it_cannot_run(monkeypatch):
    """race(models=...) trains only those models (notebook 10's longer budget); unknown names and a denoising study
    without the diffusion model are refused before anything trains."""
    with pytest.raises(ValueError, match="subset"):
        rivals.race(models=("vae", "flow"))
    with pytest.raises(ValueError, match="include 'diffusion'"):
        rivals.race(models=("vae",))
    calls = []

    def fake_budget_run(model, seed, seconds, marks, **kw):
        calls.append((model, seed, seconds, tuple(marks)))
        return {"steps_total": 1, "seconds": seconds, "scores": [{"fid": 1.0}], "state": {"w": np.zeros(1)}}

    monkeypatch.setattr(rivals, "budget_run", fake_budget_run)
    monkeypatch.setattr(metrics, "classifier_outputs", lambda x: (np.zeros((len(x), 2)), np.zeros((len(x), 10))))
    out = rivals.race(seeds=(4, 5), seconds=3.0, marks=(1.0, 3.0), models=("gan", "vae"), denoising_steps=(),
                      verbose=False)
    assert calls == [(m, s, 3.0, (1.0, 3.0)) for m in ("gan", "vae") for s in (4, 5)]
    assert sorted(out["runs"]) == ["gan", "vae"] and out["setup"]["models"] == ["gan", "vae"]
    assert "state" in out["runs"]["vae"]["4"] and "state" not in out["runs"]["vae"]["5"]   # weights: first seed only
    assert out["denoising"]["steps"] == []


def test_diffusion_bound_of_the_exact_denoiser_of_gaussian_pixels_is_its_expectation():
    """For pixels ~ N(0, v), the best noise prediction is linear and its error known, E||eps - eps*||^2 =
    D abar v / (abar v + 1 - abar) per step, so the bound's expectation is a sum of known terms. Every step summed
    and the importance-sampled estimate must land on it within 4 standard errors, and a bound on a density model
    cannot fall below the data's entropy (a wrong weight of a factor of 2 would)."""
    schedule, v = rivals.Schedule(), 0.3 ** 2

    class GaussianDenoiser(nnx.Module):
        def __call__(self, x, t):
            a = schedule.alpha_bar[t][:, None, None, None]
            return jnp.sqrt(1 - a) * x / (a * v + 1 - a)

    x = np.clip(np.random.default_rng(0).normal(0, math.sqrt(v), (64, 28, 28, 1)), -1, 1).astype(np.float32)
    beta = schedule.betas
    abar, D = np.cumprod(1 - beta), rivals.PIXELS
    err = D * abar * v / (abar * v + 1 - abar)
    expected = (0.5 * np.mean(np.sum(abar[-1] * x.astype(np.float64) ** 2 - abar[-1] - np.log(1 - abar[-1]), (1, 2, 3)))
                + np.sum(beta[1:] / (2 * (1 - beta[1:]) * (1 - abar[:-1])) * err[1:])
                + err[0] / (2 * (1 - beta[0])) + D / 2 * math.log(2 * math.pi * beta[0]))
    entropy = D * 0.5 * math.log(2 * math.pi * math.e * v)
    assert expected > entropy
    for t_samples in (None, 100):
        r = rivals.diffusion_bound(GaussianDenoiser(), schedule, x, jax.random.key(1), t_samples=t_samples)
        assert abs(r["neg_elbo"] - expected) < 4 * r["se"], (t_samples, r, expected)
        assert r["neg_elbo"] == pytest.approx(r["prior"] + r["steps"] + r["decoder"])
        assert r["bits_per_dim"] == pytest.approx(rivals.bits_per_dim(r["neg_elbo"]))
    with pytest.raises(ValueError, match="t_samples"):
        rivals.diffusion_bound(GaussianDenoiser(), schedule, x, jax.random.key(1), t_samples=0)
    with pytest.raises(ValueError, match="at least 2 images"):
        rivals.diffusion_bound(GaussianDenoiser(), schedule, x[:1], jax.random.key(1))


def test_space_to_depth_and_back():
    x = jnp.arange(2 * 784.0).reshape(2, 28, 28, 1)
    blocks = rivals._to_blocks(x)
    assert blocks.shape == (2, 14, 14, 4) and blocks[0, 0, 0].tolist() == [0.0, 1.0, 28.0, 29.0]
    np.testing.assert_array_equal(rivals._from_blocks(blocks), x)


def test_memorisation_tells_a_copier_from_fresh_samples():
    rng = np.random.default_rng(0)
    train, test, fresh = (rng.normal(size=(n, 16)) for n in (2000, 500, 500))
    copies = train[:500] + 0.01 * rng.normal(size=(500, 16))
    fair, copier = (metrics.memorisation(f, train, test) for f in (fresh, copies))
    assert abs(fair["share_closer"] - 0.05) < 0.04 and copier["share_closer"] > 0.95
    assert copier["median_distance"] < fair["test_median_distance"] / 10
    line = metrics.copy_line(len(fresh))
    assert fair["share_closer"] < line < copier["share_closer"]
    np.testing.assert_allclose(metrics.nearest_distances(train[:3], train), 0, atol=1e-6)
    with pytest.raises(ValueError, match="same width"):
        metrics.nearest_distances(train[:, :3], train)


def test_the_copy_line_leaves_room_for_sampling_noise():
    """copy_line(N) = 5% plus two standard errors: a model like fresh digits (each sample closer with probability
    0.05) stays below it about 97.7% of the time; the bare 5% it crosses about half the time."""
    assert metrics.copy_line(2000) == pytest.approx(0.05 + 2 * (0.05 * 0.95 / 2000) ** 0.5)
    assert metrics.copy_line(2000) == pytest.approx(0.0597, abs=1e-4)
    assert metrics.copy_line(2000, 0.1) > metrics.copy_line(2000) > metrics.copy_line(20000) > 0.05
    shares = np.random.default_rng(0).binomial(2000, 0.05, size=20000) / 2000
    assert 0.96 < np.mean(shares < metrics.copy_line(2000)) < 0.99
    assert 0.4 < np.mean(shares > 0.05) < 0.6
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="n_samples must be an integer >= 1"):
            metrics.copy_line(bad)
    with pytest.raises(ValueError, match="quantile must be in"):
        metrics.copy_line(100, 1.0)


# --- careless inputs (issue 50) ----------------------------------------------------------------------------------

def test_the_schedule_refuses_betas_outside_0_1():
    """Schedule(10, 0.5, 1.5) gave a negative alpha-bar."""
    for start, end in ((0.5, 1.5), (0.0, 0.02), (1e-4, 1.0), (float("nan"), 0.02), (-0.1, 0.02)):
        with pytest.raises(ValueError, match=r"in \(0, 1\)"):
            rivals.Schedule(10, start, end)
    assert np.all(np.asarray(rivals.Schedule(10, 0.5, 0.1).alpha_bar) > 0)


def test_a_schedule_of_another_length_than_the_denoisers_is_refused():
    den, short = rivals.Denoiser(base=4, rngs=nnx.Rngs(0)), rivals.Schedule(500)
    x = jnp.zeros((2, 28, 28, 1))
    for call in (lambda: rivals.ddim_sample(den, short, jax.random.key(0), 2, 2),
                 lambda: rivals.diffusion_loss(den, x, jax.random.key(0), short),
                 lambda: rivals.diffusion_bound(den, short, x, jax.random.key(0), t_samples=1)):
        with pytest.raises(ValueError, match=r"T = 1000 steps, the schedule has 500"):
            call()
    with pytest.raises(TypeError, match="rivals.Schedule"):
        rivals.ddim_sample(den, 1000, jax.random.key(0), 2, 2)
    for n in (0, -1, 2.5):                                               # n = 0: "need at least one array"
        with pytest.raises(ValueError, match="n must be an integer >= 1"):
            rivals.ddim_sample(den, rivals.Schedule(), jax.random.key(0), n, 2)
    with pytest.raises(ValueError, match="batch_size"):
        rivals.ddim_sample(den, rivals.Schedule(), jax.random.key(0), 2, 2, batch_size=0)
    with pytest.raises(TypeError, match="to_unit_range"):
        rivals.diffusion_bound(den, rivals.Schedule(), np.zeros((2, 28, 28, 1), np.uint8), jax.random.key(0))


def test_train_for_refuses_pixels_and_settings_that_train_nothing():
    """MNIST as loaded (uint8 0-255) trained with a first VAE loss of 6.5e7; lr=nan, lr=-1, ema=1.5 and
    max_steps=-1 were accepted."""
    vae = rivals.VAE(latent_dim=8, g_base=8, e_base=4, rngs=nnx.Rngs(0))
    images = np.full((64, 28, 28, 1), -1.0, np.float32)
    run = lambda x=images, **kw: rivals.train_for(vae, rivals.vae_loss, x, key=jax.random.key(0),
                                                  **{"seconds": 60.0, "max_steps": 1, "batch_size": 32, **kw})
    with pytest.raises(TypeError, match="to_unit_range"):
        run(np.zeros((64, 28, 28, 1), np.uint8))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        run(np.full((64, 28, 28, 1), 255.0, np.float32))
    with pytest.raises(ValueError, match="NaN or Inf"):
        run(np.full((64, 28, 28, 1), np.nan, np.float32))
    with pytest.raises(ValueError, match="moveaxis"):
        run(np.zeros((64, 1, 28, 28), np.float32))
    for kw, match in ((dict(lr=float("nan")), "lr"), (dict(lr=-1.0), "lr"), (dict(ema=1.5), "ema"),
                      (dict(b1=1.0), "b1"), (dict(max_steps=-1), "max_steps"), (dict(max_steps=0), "max_steps"),
                      (dict(seconds=float("inf"), max_steps=None), "never end")):
        with pytest.raises(ValueError, match=match):
            run(**kw)
    assert run()["steps"] == 1
    with pytest.raises(ValueError, match="marks"):                     # an IndexError after training, before
        rivals.budget_run("vae", 0, 1.0, ())
    with pytest.raises(ValueError, match="max_steps bounds the rivals"):   # before minutes of loading
        rivals.budget_run("gan", 0, 1.0, (1.0,), max_steps=10)
    with pytest.raises(ValueError, match="ema averages the VAEs"):         # the diffusion model has its own
        rivals.budget_run("diffusion", 0, 1.0, (1.0,), ema=0.999)
    with pytest.raises(ValueError, match="ema must be"):
        rivals.budget_run("vae", 0, 1.0, (1.0,), ema=1.0)
    with pytest.raises(ValueError, match="at least one seed"):
        rivals.race(seeds=())


def test_load_rival_and_the_vae_name_what_is_wrong():
    for model, state in (("vae", {}), ("diffusion", {"x": np.zeros(1)})):        # a KeyError 'stats' before
        with pytest.raises(ValueError, match="budget_run keeps"):
            rivals.load_rival(model, state)
    with pytest.raises(ValueError, match="latent_dim must be an integer >= 1"):  # a ZeroDivisionError before
        rivals.VAE(latent_dim=0, rngs=nnx.Rngs(0))
