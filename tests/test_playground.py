"""The GAN playground (gan_utils/playground.py): its config's checks, the toy data, the ToyGAN engine (what each
update moves, reproducibility, replay, learning-rate changes, every loss and stabiliser), the frame it draws,
train_seeds with annealing, and the anywidget Playground driven through its message handler (no browser)."""
import base64
import dataclasses

import jax
import jax.numpy as jnp
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from flax import nnx  # noqa: E402

from gan_utils import config as config_lib, losses, models  # noqa: E402
from gan_utils.playground import (DATASETS_1D, DATASETS_2D, Playground, PlaygroundConfig, ToyGAN,  # noqa: E402
                                  draw_frame, toy_data, train_seeds)

TINY = dict(g_width=16, d_width=16, batch_size=32)      # small nets: every test here compiles its own runs
ONE_D = dict(data="bimodal", noise="gaussian_1d")
PNG = b"\x89PNG\r\n\x1a\n"


def arrays(tree):
    return [np.asarray(x) for x in jax.tree.leaves(tree)]


def identical(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(arrays(a), arrays(b), strict=True))


def assert_close(a, b, rtol=1e-5, atol=1e-6):
    for x, y in zip(arrays(a), arrays(b), strict=True):
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol)


def learning_rate(gan, name):
    return float(gan.state[f"{name}_opt"].hyperparams["learning_rate"])


def adam_mu(gan, name):
    return gan.state[f"{name}_opt"].inner_state[0].mu


# ---- PlaygroundConfig -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, fix", [
    (dict(data="spiral"), r"unknown data 'spiral'; choose one of .*'ring'.*'bimodal'"),
    (dict(noise="normal_2d"), r"unknown noise 'normal_2d'; choose one of .*'gaussian_<k>d'"),
    (dict(noise="gaussian_0d"), r"unknown noise 'gaussian_0d'"),
    (dict(noise="gaussian_2"), r"unknown noise 'gaussian_2'"),
    (dict(loss="bogus"), r"unknown loss 'bogus'; choose one of .*'wgan'"),
    (dict(penalty="l2"), r"unknown penalty 'l2'; choose one of .*'gp'"),
    (dict(data="bimodal"), r"1-D data \('bimodal'\) takes 1-D noise: use noise='gaussian_1d'"),
    (dict(data="gaussian", noise="uniform_2d"), r"use noise='gaussian_1d' or 'uniform_1d'"),
    (dict(data="bimodal", noise="gaussian_64d"), r"1-D data \('bimodal'\) takes 1-D noise"),
    (dict(data="bimodal", noise="gaussian_12d"), r"1-D data \('bimodal'\) takes 1-D noise"),
    (dict(batch_size=30, pack=4), r"pack \(4\) must divide batch_size \(30\)"),
    (dict(data="custom"), r"data='custom' needs at least two drawn points: pass points="),
    (dict(data="custom", points=((0.0, 0.0),)), r"at least two drawn points"),
    (dict(g_lr=0.0), r"learning rates must be positive, got g_lr=0.0"),
    (dict(d_lr=-1e-3), r"learning rates must be positive, got g_lr=0.001, d_lr=-0.001"),
    (dict(g_lr=float("nan")), r"learning rates must be positive"),
    (dict(g_optimizer="adagrad"), r"g_optimizer must be one of \('adam', 'sgd', 'rmsprop'\)"),
    (dict(b1=1.0), r"b1 and b2 must be in \[0, 1\)"),
    (dict(g_width=0), r"g_width must be a positive integer"),
    (dict(ema=1.0), r"ema must be in \[0, 1\)"),
])
def test_config_errors_name_the_fix(kwargs, fix):
    with pytest.raises(ValueError, match=fix):
        PlaygroundConfig(**kwargs)
    with pytest.raises(ValueError, match=fix):      # replace() checks too (the widget builds configs this way)
        PlaygroundConfig().replace(**kwargs)


def test_config_accepts_k_dimensional_noise_and_reports_its_changes():
    c = PlaygroundConfig()
    assert (c.data_dim, c.noise_dim) == (2, 2) and c.changed() == {}
    assert PlaygroundConfig(noise="gaussian_64d").noise_dim == 64
    assert PlaygroundConfig(noise="uniform_3d").noise_dim == 3
    assert PlaygroundConfig(noise="uniform_1d").noise_dim == 1          # 1-D noise into 2-D data is fine
    one = PlaygroundConfig(**ONE_D)
    assert (one.data_dim, one.noise_dim) == (1, 1)
    assert one.changed() == ONE_D
    c2 = c.replace(data="grid", g_lr=3e-4, spectral_norm=True)
    assert c2.changed() == {"data": "grid", "g_lr": 3e-4, "spectral_norm": True}
    assert c.changed() == {}                                             # replace() made a new config
    # drawn points are normalised to a tuple of float pairs (hashable, comparable, printable in code())
    custom = PlaygroundConfig(data="custom", points=[[0, 1], np.array([1.0, 0.0])])
    assert custom.points == ((0.0, 1.0), (1.0, 0.0))
    assert custom.changed() == {"data": "custom", "points": ((0.0, 1.0), (1.0, 0.0))}
    assert custom == PlaygroundConfig(data="custom", points=((0, 1), (1, 0)))


# ---- toy_data ---------------------------------------------------------------------------------------------------

MODES = {"ring": 8, "grid": 25, "bimodal": 2, "gaussian": 1}


@pytest.mark.parametrize("name", DATASETS_2D + DATASETS_1D)
def test_toy_data_shapes_extent_and_mixture(name):
    extra = dict(points=((-1.0, 0.5), (1.0, -0.5))) if name == "custom" else {}
    extra.update(noise="gaussian_1d" if name in DATASETS_1D else "gaussian_2d")
    cfg = PlaygroundConfig(data=name, **extra)
    pts, mixture, extent = toy_data(cfg, 4000)
    dim = 1 if name in DATASETS_1D else 2
    assert pts.shape == (4000, dim) and pts.dtype == np.float32 and np.all(np.isfinite(pts))
    # the view holds the data, and the data fills the view (not a speck in its middle)
    assert np.mean(np.all(np.abs(pts) <= extent, axis=1)) >= 0.995
    assert np.abs(pts).max() > extent / 3
    if name in MODES:
        assert mixture is not None and len(mixture.weights) == MODES[name] and mixture.dim == dim
        # every point lies near a mode of the mixture that is returned
        dist = np.linalg.norm(pts[:, None, :] - mixture.means[None].astype(np.float32), axis=-1)
        nearest = dist.argmin(1)
        assert np.all(dist.min(1) <= 6 * mixture.stds[nearest] * np.sqrt(dim))
        assert len(np.unique(nearest)) == MODES[name]                    # and every mode is used
    else:
        assert mixture is None
    if name == "bimodal":
        np.testing.assert_allclose(sorted(mixture.means[:, 0]), [-1.2, 1.2])
    # seeded: the same config gives the same pool, another seed another
    np.testing.assert_array_equal(toy_data(cfg, 4000)[0], pts)
    assert not np.array_equal(toy_data(cfg.replace(seed=1), 4000)[0], pts)


def test_toy_data_custom_uses_the_drawn_points():
    drawn = ((-1.0, 0.5), (1.0, -0.5), (0.2, 1.2))
    pts, mixture, _ = toy_data(PlaygroundConfig(data="custom", points=drawn), 3000)
    d = np.linalg.norm(pts[:, None] - np.array(drawn, np.float32)[None], axis=-1)
    assert mixture is None and d.min(1).max() < 0.2                     # jitter of 0.03 around a drawn point
    counts = np.bincount(d.argmin(1), minlength=3)
    assert np.all(counts > 800)                                          # each drawn point is used, about equally


# ---- ToyGAN: what each update moves ---------------------------------------------------------------------------

def test_train_counts_updates_and_step_buttons_move_only_their_network():
    gan = ToyGAN(PlaygroundConfig(k_disc=2, **TINY))
    assert gan.step == (0, 0) and gan.train(0) == {} and gan.step == (0, 0)
    with pytest.raises(ValueError, match="n must be >= 0"):
        gan.train(-1)
    m = gan.train(3)
    assert gan.step == (6, 3)                          # k_disc D updates per step
    # the course's step's metrics (steps._one_step): a penalty is reported only when there is one
    assert {"d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm"} <= m.keys() and "penalty" not in m
    assert all(isinstance(v, float) and np.isfinite(v) for v in m.values())

    before = gan.state
    m = gan.step_g()
    assert gan.step == (6, 4) and set(m) == {"g_loss", "g_grad_norm"}
    for k in ("d", "d_rest", "d_opt"):                 # D untouched, bit for bit
        assert identical(gan.state[k], before[k]), k
    assert not identical(gan.state["g"], before["g"]) and not identical(gan.state["g_opt"], before["g_opt"])

    before = gan.state
    m = gan.step_d()
    assert gan.step == (7, 4) and "d_loss" in m and "g_loss" not in m
    for k in ("g", "g_rest", "g_opt", "ema"):
        assert identical(gan.state[k], before[k]), k
    assert not identical(gan.state["d"], before["d"])

    before = gan.state
    gan.step_both()
    assert gan.step == (9, 5)
    assert not identical(gan.state["g"], before["g"]) and not identical(gan.state["d"], before["d"])
    assert gan.log == [("both", 3), ("g", 1), ("d", 1), ("both", 1)]


def test_runs_are_reproducible_chunking_does_not_matter_and_replay_reproduces():
    cfg = PlaygroundConfig(**TINY)
    b = ToyGAN(cfg)
    b.train(50)
    once = b.state
    b.train(1)
    b.state = b.init_state(0)                         # the state is a pytree: start over on the same engine
    assert identical(b.state, ToyGAN(cfg).state)      # ... which is the state a new engine starts from
    b.train(50)
    assert identical(b.state, once)                   # same config, same actions: the same run
    b.state, b.log = b.init_state(0), []
    b.train(20)
    b.train(30)
    assert b.log == [("both", 50)]
    assert_close(b.state, once)                       # however the steps were chunked
    other = b.init_state(1)
    assert not identical(other["g"], once["g"]) and not identical(other["d"], b.init_state(0)["d"])

    # a mixed history, replayed on a fresh engine
    b.step_d()
    b.step_g()
    b.step_g()
    b.train(5)
    assert b.log == [("both", 50), ("d", 1), ("g", 2), ("both", 5)]
    fresh = ToyGAN(cfg).replay(b.log)
    assert fresh.step == b.step == (56, 57)
    assert_close(fresh.state, b.state)
    with pytest.raises(ValueError, match="unknown action 'jump'"):
        ToyGAN(cfg).replay([("jump", 1)])


def test_a_lone_generator_step_leaves_a_spectrally_normalised_discriminator_as_it_was():
    """G's loss runs D forward, which moves spectral normalisation's power-iteration vectors inside the course's
    step; the playground's "step G" button must still leave D bit for bit (its map must not move)."""
    gan = ToyGAN(PlaygroundConfig(spectral_norm=True, **TINY))
    gan.train(2)
    before, heat = gan.state, gan.frame()["heat"]
    gan.step_g()
    for k in ("d", "d_rest", "d_opt"):
        assert identical(gan.state[k], before[k]), k
    assert np.array_equal(gan.frame()["heat"], heat)
    assert not identical(gan.state["g"], before["g"])


def test_set_learning_rates_changes_the_rate_keeps_the_moments_and_replays():
    cfg = PlaygroundConfig(**TINY)
    gan = ToyGAN(cfg)
    gan.train(5)
    start = gan.state
    mu_g, mu_d = adam_mu(gan, "g"), adam_mu(gan, "d")
    fast, _ = gan._g_jit(start)                       # one G update at the old rate (the engine's own update)
    step_fast = [x - y for x, y in zip(arrays(fast["g"]), arrays(start["g"]))]

    gan.set_learning_rates(g_lr=1e-5)
    assert learning_rate(gan, "g") == pytest.approx(1e-5) and learning_rate(gan, "d") == pytest.approx(1e-3)
    assert gan.config.g_lr == 1e-5 and gan.config.d_lr == 1e-3 and gan.initial_config.g_lr == 1e-3
    assert identical(adam_mu(gan, "g"), mu_g) and identical(adam_mu(gan, "d"), mu_d)
    assert int(gan.state["g_opt"].inner_state[0].count) == 5        # Adam's step count kept too
    gan.step_g()
    step_slow = [x - y for x, y in zip(arrays(gan.state["g"]), arrays(start["g"]))]
    # same moments, 100x smaller rate: Adam's update is 100x smaller
    ratio = np.linalg.norm(np.concatenate([s.ravel() for s in step_slow])) / np.linalg.norm(
        np.concatenate([s.ravel() for s in step_fast]))
    assert ratio == pytest.approx(0.01, rel=1e-3)
    with pytest.raises(ValueError, match="d_lr must be positive"):
        gan.set_learning_rates(d_lr=0.0)
    # the change is in the log, so replaying the log from the initial config redoes it
    gan.set_learning_rates(d_lr=5e-4)
    gan.train(3)
    fresh = ToyGAN(gan.initial_config).replay(gan.log)
    assert fresh.config == gan.config
    assert learning_rate(fresh, "d") == pytest.approx(5e-4)
    assert_close(fresh.state, gan.state)


# ---- every loss and stabiliser ----------------------------------------------------------------------------------

# every loss, penalty and stabiliser at least once, in combinations (each run compiles: few runs keep this quick)
STABILISED = [
    dict(loss="non_saturating", spectral_norm=True),
    dict(loss="saturating", penalty="r1", **ONE_D),
    dict(loss="hinge", penalty="r2", pack=2),
    dict(loss="lsgan", minibatch_std=True, ema=0.9, **ONE_D),
    dict(loss="wgan", penalty="gp"),
    dict(loss="wgan", penalty="clip", penalty_weight=0.05),
    dict(loss="wgan", penalty="clip", pack=2, **ONE_D),
    dict(loss="relativistic", penalty="r1+r2", pack=2),
]


def test_the_combinations_cover_every_option():
    assert {o["loss"] for o in STABILISED} == set(config_lib.LOSSES)
    assert {o.get("penalty", "none") for o in STABILISED} == set(config_lib.PENALTIES)
    for flag in ("spectral_norm", "minibatch_std", "pack", "ema"):
        assert any(flag in o for o in STABILISED), flag


@pytest.mark.parametrize("options", STABILISED, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_every_loss_and_stabiliser_trains_and_draws(options):
    gan = ToyGAN(PlaygroundConfig(**TINY, **options))
    before = gan.state
    m = gan.train(20)
    assert gan.step == (20, 20)
    assert all(np.isfinite(v) for v in m.values()), m
    for k in ("g", "d", "ema"):
        assert all(np.all(np.isfinite(x)) for x in arrays(gan.state[k])), k
    assert not identical(gan.state["g"], before["g"]) and not identical(gan.state["d"], before["d"])
    if options.get("penalty") in ("r1", "r2", "r1+r2", "gp"):
        assert m["penalty"] > 0
    # the discriminator really has the options asked for (a filter once dropped spectral_norm=True as "== 1")
    d = nnx.merge(gan.d_def, gan.state["d"], gan.state["d_rest"])
    has_sn = any(isinstance(mod, models.SpectralNorm) for _, mod in d.iter_modules())
    assert has_sn == bool(options.get("spectral_norm")) and d.pack == options.get("pack", 1)
    assert d.minibatch_std == bool(options.get("minibatch_std"))
    if options.get("penalty") == "clip":
        c = options.get("penalty_weight", 0.01)
        top = max(np.abs(x).max() for x in arrays(gan.state["d"]))
        assert top <= c * (1 + 1e-6) and top == pytest.approx(c)      # clipped, and the clip is active
    if not options.get("ema"):
        assert identical(gan.state["ema"], gan.state["g"])           # without ema, the "average" is G itself
    before = gan.state
    m = gan.step_g()                                  # the lone G button: a paired loss draws its own real batch
    assert np.isfinite(m["g_loss"]) and identical(gan.state["d"], before["d"])
    assert not identical(gan.state["g"], before["g"])
    fr = gan.frame()
    assert all(np.all(np.isfinite(v)) for v in fr.values())
    assert fr["heat"].min() >= 0 and fr["heat"].max() <= 1
    assert fr["arrows_at"].shape == fr["arrows"].shape == (128, gan.config.data_dim)
    check_arrows(gan, fr)


def check_arrows(gan, fr):
    """The arrows point the way the generator's loss decreases: a small step of the points along them lowers the
    generator loss computed on those points (D fixed), a step against them raises it."""
    x, a = fr["arrows_at"], fr["arrows"]
    s = gan.state

    score = lambda points: gan._D(s["d"], s["d_rest"], gan._pack(jnp.asarray(points)))[0]     # noqa: E731
    # a paired loss (the relativistic one) pairs the points with the pool's first real points, as the frame does
    real = (score(s["pool"][:x.shape[0]]),) if gan.options.generator_loss in losses.PAIRED_LOSSES else ()

    def g_loss(points):
        return float(gan.g_loss_fn(score(points), *real))

    assert np.abs(a).max() > 0
    step = 1e-2 * gan.extent / np.abs(a).max()
    assert g_loss(x + step * a) < g_loss(x) < g_loss(x - step * a)


def test_ema_samples_come_from_the_average():
    gan = ToyGAN(PlaygroundConfig(ema=0.9, **TINY))
    gan.train(20)
    s = gan.state
    assert not identical(s["ema"], s["g"])
    z = gan.z_frame
    from_ema = np.asarray(gan._G(s["ema"], s["g_rest"], z))
    from_g = np.asarray(gan._G(s["g"], s["g_rest"], z))
    fake = gan.frame()["fake"]
    np.testing.assert_allclose(fake, from_ema, rtol=1e-5, atol=1e-6)
    assert np.abs(fake - from_g).max() > 1e-4
    np.testing.assert_allclose(gan.samples(300, seed=2),
                               gan._G(s["ema"], s["g_rest"], gan._noise(jax.random.key(2), 300)), atol=1e-6)


# ---- frame ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("options, shapes", [
    (dict(), dict(fake=(1000, 2), manifold=(289, 2), heat=(2304,), arrows_at=(128, 2), arrows=(128, 2))),
    (dict(noise="uniform_1d"), dict(fake=(1000, 2), manifold=(161, 2), heat=(2304,))),
    (dict(data="moons", noise="gaussian_64d"), dict(fake=(1000, 2), manifold=(289, 2), heat=(2304,))),
    (dict(loss="lsgan", **ONE_D), dict(fake=(1000, 1), manifold=(161, 1), heat=(240,), arrows_at=(128, 1),
                                       arrows=(128, 1))),
], ids=["2d", "noise1", "noise64", "1d"])
def test_frame_shapes_and_heat(options, shapes):
    gan = ToyGAN(PlaygroundConfig(**TINY, **options))
    fr = gan.frame()
    assert set(fr) == {"fake", "manifold", "heat", "arrows_at", "arrows"}
    for k, shape in shapes.items():
        assert fr[k].shape == shape, k
    assert all(v.dtype == np.float32 and np.all(np.isfinite(v)) for v in fr.values())
    assert fr["heat"].min() >= 0 and fr["heat"].max() <= 1 and np.ptp(fr["heat"]) > 0
    assert np.abs(fr["arrows"]).max() > 0
    for k, v in gan.frame().items():                  # the frame's noise is fixed: a frame is a function of the state
        np.testing.assert_array_equal(v, fr[k])
    check_arrows(gan, fr)


# ---- mode metrics -----------------------------------------------------------------------------------------------

def test_mode_metrics_only_where_there_are_modes():
    assert ToyGAN(PlaygroundConfig(data="moons", **TINY)).mode_metrics() is None
    assert ToyGAN(PlaygroundConfig(**ONE_D, **TINY)).mode_metrics() is None
    grid = ToyGAN(PlaygroundConfig(data="grid", **TINY)).mode_metrics(n=500)
    assert grid["n_modes"] == 25 and grid["n"] == 500


def test_a_trained_ring_covers_more_modes_than_at_initialisation():
    gan = ToyGAN()                                      # the defaults: the ring, trained as the notebook does
    start = gan.mode_metrics()
    assert start["n_modes"] == 8 and start["modes_covered"] <= 2
    gan.train(1500)
    end = gan.mode_metrics()
    assert end["modes_covered"] >= 6 and end["modes_covered"] > start["modes_covered"]
    assert end["high_quality_fraction"] > start["high_quality_fraction"]


# ---- train_seeds ------------------------------------------------------------------------------------------------

def test_train_seeds_rows_and_anneal_match_a_manual_run():
    cfg = PlaygroundConfig(**TINY)
    rows = train_seeds(cfg, [0, 1], 30, anneal=10, n_eval=400, chunk=7)
    assert [r["seed"] for r in rows] == [0, 1]
    for r in rows:
        assert {"seed", "steps", "seconds", "samples", "modes_covered", "n_modes", "high_quality_fraction",
                "reverse_kl", "d_loss", "g_loss"} <= r.keys()
        assert r["steps"] == 30 and r["n_modes"] == 8 and r["samples"].shape == (400, 2)
        assert np.isfinite(r["d_loss"]) and np.isfinite(r["g_loss"]) and r["seconds"] > 0
    assert not np.allclose(rows[0]["samples"], rows[1]["samples"])
    # seed 0 shares config.seed's data pool: it is the run of a ToyGAN annealed by hand
    gan = ToyGAN(cfg)
    gan.train(30)
    plain = gan.samples(400, seed=0)
    gan.state = gan.init_state(0)
    gan.train(20)
    gan.set_learning_rates(g_lr=cfg.g_lr / 10, d_lr=cfg.d_lr / 10)
    gan.train(10)
    np.testing.assert_allclose(rows[0]["samples"], gan.samples(400, seed=0), rtol=1e-3, atol=1e-4)
    assert np.abs(rows[0]["samples"] - plain).max() > 1e-3                # annealing mattered


def test_train_seeds_snapshots_watch_the_runs_without_changing_them():
    cfg = PlaygroundConfig(**TINY)
    plain = train_seeds(cfg, [0, 1], 30, anneal=10, n_eval=400)
    watched = train_seeds(cfg, [0, 1], 30, anneal=10, n_eval=400, snapshots=(0, 5, 25, 30), frames=(5, 30))
    for p, w in zip(plain, watched):
        np.testing.assert_allclose(w["samples"], p["samples"], rtol=1e-5, atol=1e-6)   # the same runs
        assert [s["step"] for s in w["snapshots"]] == [0, 5, 25, 30]
        assert [("frame" in s) for s in w["snapshots"]] == [False, True, False, True]
        last = w["snapshots"][-1]
        np.testing.assert_allclose(last["centre"], w["samples"].mean(0), rtol=1e-5, atol=1e-6)
        assert last["spread"] == pytest.approx(float(np.sqrt(w["samples"].var(0).sum())), rel=1e-5)
        assert last["modes_covered"] == w["modes_covered"]
        assert set(last["frame"]) == {"fake", "heat", "arrows_at", "arrows"} and last["frame"]["heat"].shape == (2304,)
    # a snapshot's frame is the frame of that run at that step: seed 0 by hand, 5 steps
    gan = ToyGAN(cfg)
    gan.train(5)
    np.testing.assert_allclose(watched[0]["snapshots"][1]["frame"]["fake"], gan.frame()["fake"], rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="frames a subset"):
        train_seeds(cfg, [0], 10, snapshots=(5,), frames=(6,))


def test_train_seeds_bad_arguments():
    cfg = PlaygroundConfig(**TINY)
    with pytest.raises(ValueError, match=r"anneal must be between 0 and steps \(10\), got 11"):
        train_seeds(cfg, [0], 10, anneal=11)
    with pytest.raises(ValueError, match="seeds must name at least one seed"):
        train_seeds(cfg, [], 10)


# ---- the widget -------------------------------------------------------------------------------------------------

def recorder(widget):
    sent = []
    widget.send = lambda content, buffers=None: sent.append((content, buffers))
    return sent


def check_frame(msg, buffers, n_d, n_g, reset=False, dim=2):
    assert msg["type"] == "frame" and (msg["n_d"], msg["n_g"]) == (n_d, n_g) and msg["reset"] is reset
    assert msg["dim"] == dim
    assert len(buffers) == len(msg["shapes"]) == 6
    for b, shape in zip(buffers, msg["shapes"]):
        assert len(b) == 4 * int(np.prod(shape))
    assert msg["shapes"][0] == [1000, dim] and msg["shapes"][1] == [1000, dim]
    assert msg["shapes"][2] == ([2304] if dim == 2 else [240])


def test_widget_messages_drive_the_engine():
    w = Playground(PlaygroundConfig(**TINY), steps_per_frame=4)
    sent = recorder(w)
    assert w.settings == {**dataclasses.asdict(w.gan.config), "points": []}
    assert "wgan" in w.choices["loss"] and "bimodal" in w.choices["data"]

    w._on_msg(w, {"cmd": "run", "steps": 3}, [])
    check_frame(*sent[-1], 3, 3)
    fake = np.frombuffer(sent[-1][1][1], np.float32).reshape(1000, 2)
    np.testing.assert_allclose(fake, w.gan.frame()["fake"])       # the buffers carry the frame's arrays
    msg = sent[-1][0]
    assert msg["modes"]["n_modes"] == 8 and msg["history"]["step"] == [3] and len(msg["history"]["modes"]) == 1
    w._on_msg(w, {"cmd": "run"}, [])                             # steps_per_frame by default
    check_frame(*sent[-1], 7, 7)
    w._on_msg(w, {"cmd": "step", "which": "d"}, [])
    check_frame(*sent[-1], 8, 7)
    w._on_msg(w, {"cmd": "step", "which": "g"}, [])
    check_frame(*sent[-1], 8, 8)
    w._on_msg(w, {"cmd": "step", "which": "both"}, [])
    check_frame(*sent[-1], 9, 9)
    w._on_msg(w, {"cmd": "frame"}, [])
    check_frame(*sent[-1], 9, 9)
    assert len(sent) == 6 and w.history["step"] == [3, 7, 7, 8, 9]
    w._on_msg(w, {"cmd": "code"}, [])
    assert sent[-1][0]["type"] == "code" and sent[-1][0]["code"] == w.code()
    w._on_msg(w, {"cmd": "step", "which": "sideways"}, [])       # a bad message is reported in the widget
    assert sent[-1][0]["type"] == "error" and "sideways" in sent[-1][0]["message"] and w.gan.step == (9, 9)
    w._on_msg(w, {"cmd": "reset"}, [])
    check_frame(*sent[-1], 0, 0, reset=True)
    assert w.history["step"] == [] and w.gan.log == []


def test_widget_settings_live_reset_and_errors():
    w = Playground(PlaygroundConfig(**TINY), steps_per_frame=4)
    sent = recorder(w)
    w.run(5)
    mu = adam_mu(w.gan, "g")
    gan = w.gan
    w.settings = {**w.settings, "g_lr": 5e-4}                    # live: the run goes on at the new rate
    assert w.gan is gan and w.gan.step == (5, 5) and w.gan.config.g_lr == 5e-4
    assert learning_rate(w.gan, "g") == pytest.approx(5e-4) and identical(adam_mu(w.gan, "g"), mu)
    check_frame(*sent[-1], 5, 5)

    n = len(sent)
    w.settings = {**w.settings, "pack": 3}                        # 32 is not a multiple of 3
    assert len(sent) == n + 1 and sent[-1][0]["type"] == "error"
    assert "pack (3) must divide batch_size (32)" in sent[-1][0]["message"]
    assert w.gan is gan and w.gan.config.pack == 1 and w.gan.step == (5, 5)

    w.settings = {**w.settings, "pack": 1, "data": "bimodal"}     # 1-D data with the 2-D noise: the fix is named
    assert sent[-1][0]["type"] == "error" and "noise='gaussian_1d'" in sent[-1][0]["message"]
    assert w.gan is gan
    w.settings = {**w.settings, "noise": "gaussian_1d"}           # ... and applying it resets onto the new data
    assert w.gan is not gan and w.gan.config.data == "bimodal" and w.gan.step == (0, 0)
    assert w.gan.config.g_lr == 5e-4                              # the other settings carry over
    msg, buffers = sent[-1]
    check_frame(msg, buffers, 0, 0, reset=True, dim=1)
    assert msg["modes"] is None and len(msg["density"]) == 240 and msg["extent"] == 4.0


def test_widget_code_reproduces_the_run():
    w = Playground(PlaygroundConfig(**TINY), steps_per_frame=4)
    recorder(w)
    w._on_msg(w, {"cmd": "run", "steps": 6}, [])
    w.settings = {**w.settings, "g_lr": 2e-4}
    w._on_msg(w, {"cmd": "step", "which": "g"}, [])
    w._on_msg(w, {"cmd": "run", "steps": 2}, [])
    code = w.code()
    assert "g_lr=0.0002" not in code.splitlines()[1]              # the run started at the default rate
    ns = {}
    exec(code, ns)
    plt.close("all")
    assert ns["gan"].step == w.gan.step == (8, 9)
    assert ns["gan"].config == w.gan.config
    assert_close(ns["gan"].state, w.gan.state)


def test_widget_static_views(tmp_path):
    w = Playground(PlaygroundConfig(**TINY))
    recorder(w)
    w.run(2)
    bundle = w._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert base64.b64decode(data["image/png"]).startswith(PNG)
    assert "GAN playground (ring, 2 generator updates)" in data["text/plain"]
    png = w.snapshot(tmp_path / "snap.png")
    assert png.startswith(PNG) and (tmp_path / "snap.png").read_bytes() == png


def test_draw_frame_draws_a_saved_frame_with_a_common_arrow_scale():
    """Snapshots drawn afterwards show their own frame, and one arrow_scale makes arrows comparable across panels:
    each arrow is its push times the scale (the default rescales every panel to the same longest arrow)."""
    gan = ToyGAN(seed=0)
    saved = gan.frame()
    gan.train(50)
    fig, (a0, a1) = plt.subplots(1, 2)
    draw_frame(gan, ax=a0, layers=("fake", "arrows"), frame=saved, arrow_scale=0.5)
    quiver = [c for c in a0.collections if c.__class__.__name__ == "Quiver"][0]
    np.testing.assert_allclose(quiver.U, saved["arrows"][:, 0] * 0.5, rtol=1e-6)
    points = [c for c in a0.collections if c.__class__.__name__ == "PathCollection"][0]
    np.testing.assert_allclose(points.get_offsets(), saved["fake"], rtol=1e-6)   # the saved frame, not the current
    draw_frame(gan, ax=a1, layers=("arrows",))
    default = [c for c in a1.collections if c.__class__.__name__ == "Quiver"][0]
    longest = max(np.abs(default.U).max(), np.abs(default.V).max())
    assert longest == pytest.approx(0.12 * gan.extent, rel=1e-5)   # the longest component: 12% of the half-width
    with pytest.raises(ValueError, match="arrow_scale"):
        draw_frame(gan, ax=a1, arrow_scale=-1.0)
    plt.close(fig)


# ---- careless inputs (issue 50) ---------------------------------------------------------------------------------

def test_toygan_playground_and_train_seeds_take_a_dict_through_one_conversion():
    """ToyGAN({...}) and Playground({...}) failed with "'dict' object has no attribute 'replace'", while
    doctor.Doctor took a dict."""
    as_dict = dict(TINY, data="grid")
    assert ToyGAN(as_dict).config == ToyGAN(PlaygroundConfig(**as_dict)).config == PlaygroundConfig(**as_dict)
    assert ToyGAN(as_dict, seed=3).config.seed == 3
    assert Playground(as_dict).gan.config.data == "grid"
    assert PlaygroundConfig.from_dict(dataclasses.asdict(PlaygroundConfig(**as_dict))) == PlaygroundConfig(**as_dict)
    assert toy_data(as_dict, 10)[0].shape == (10, 2)
    with pytest.raises(ValueError, match=r"unknown playground config keys \['foo'\]"):
        ToyGAN({"foo": 1})
    with pytest.raises(ValueError, match=r"unknown playground settings \['foo'\]"):
        ToyGAN(foo=1)
    for bad in ("grid", config_lib.GANConfig(dataset="ring")):
        with pytest.raises(TypeError, match="PlaygroundConfig or a dict"):
            ToyGAN(bad)


def test_playground_config_keeps_every_coordinate_or_refuses_the_points():
    """A third coordinate of a custom point was dropped silently."""
    for points in (((0, 0, 5), (1, 1, 5)), ((0,), (1,)), (0, 1, 2, 3), "ab", ("ab", "cd")):
        with pytest.raises(ValueError, match=r"points must be \(x, y\) pairs"):
            PlaygroundConfig(data="custom", points=points)
    assert PlaygroundConfig(data="custom", points=np.array([[0, 0], [1, 1.0]])).points == ((0.0, 0.0), (1.0, 1.0))
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        PlaygroundConfig(seed=-1)


def test_counts_of_actions_seeds_and_layers_are_checked():
    gan = ToyGAN(**TINY)
    for actions in ([("d", 2.5)], [("g", -3)], [("set", 5)], ["both"]):      # 2.5 was 2 and -3 nothing, silently
        with pytest.raises(ValueError, match="count|pair|dict"):
            gan.replay(actions)
    assert gan.step == (0, 0) and gan.log == []
    for seeds in (3, [2.5], [-1]):
        with pytest.raises(ValueError, match="seed"):
            train_seeds(PlaygroundConfig(**TINY), seeds, 2)
    for kw in (dict(anneal=1.5), dict(snapshots=[1.5])):
        with pytest.raises(ValueError, match="anneal|snapshot"):
            train_seeds(PlaygroundConfig(**TINY), [0], 2, **kw)
    for layers in ("real", ["foo"]):
        with pytest.raises(ValueError, match="layers"):
            draw_frame(gan, layers=layers)
    for n in (0, -1, 2.5):
        with pytest.raises(ValueError, match="n must be"):
            toy_data(PlaygroundConfig(), n)
    plt.close("all")
