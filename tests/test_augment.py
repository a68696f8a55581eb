"""Issue #72's little-data tools: DiffAugment's operations (Zhao et al. 2020) on hand-made images, ADA's controller
(Karras et al. 2020) on hand-computed numbers, both through the training step, GANConfig's ``augment`` and
``subset``, checkpoints and the command line."""
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from gan_utils import augment, checkpoint, data, models, steps
from gan_utils.__main__ import main
from gan_utils.config import GANConfig, build_gan
from gan_utils.options import AUGMENT_OPS, StepOptions

N = 400


def dot_images(n: int = N) -> jnp.ndarray:
    """n black images (-1) with one white pixel at the centre (14, 14)."""
    x = -jnp.ones((n, 28, 28, 1))
    return x.at[:, 14, 14, 0].set(1.0)


def test_brightness_shifts_each_image_by_one_amount_within_half():
    x = jax.random.uniform(jax.random.key(0), (N, 28, 28, 1), minval=-1, maxval=1)
    d = augment.brightness(x, jax.random.key(1)) - x
    np.testing.assert_allclose(d, d[:, :1, :1, :1] * jnp.ones_like(d), atol=1e-6)   # one shift per image
    shifts = np.asarray(d[:, 0, 0, 0])
    assert shifts.min() >= -0.5 and shifts.max() <= 0.5
    assert shifts.min() < -0.4 and shifts.max() > 0.4        # the whole range is used (400 draws)


def test_contrast_keeps_each_mean_and_scales_the_deviation_by_half_to_three_halves():
    x = jax.random.uniform(jax.random.key(0), (N, 28, 28, 1), minval=-1, maxval=1)
    y = augment.contrast(x, jax.random.key(1))
    np.testing.assert_allclose(y.mean(axis=(1, 2, 3)), x.mean(axis=(1, 2, 3)), atol=1e-5)
    dev_x = x - x.mean(axis=(1, 2, 3), keepdims=True)
    dev_y = y - y.mean(axis=(1, 2, 3), keepdims=True)
    scale = np.asarray(jnp.sum(dev_y * dev_x, axis=(1, 2, 3)) / jnp.sum(dev_x ** 2, axis=(1, 2, 3)))
    np.testing.assert_allclose(dev_y, dev_x * scale[:, None, None, None], atol=1e-5)   # one factor per image
    assert scale.min() >= 0.5 and scale.max() <= 1.5 and scale.min() < 0.6 and scale.max() > 1.4


def test_translation_moves_a_dot_by_whole_pixels_up_to_an_eighth_each_way_and_pads_with_zero():
    y = np.asarray(augment.translation(dot_images(), jax.random.key(2)))
    for img in y[..., 0]:
        (r,), (c,) = np.nonzero(img == 1.0)        # the dot, still one pixel, moved
        assert abs(r - 14) <= 4 and abs(c - 14) <= 4
        assert set(np.unique(img)) <= {-1.0, 0.0, 1.0}   # the uncovered border is 0, the rest as it was
    rows = [np.nonzero(img == 1.0)[0][0] - 14 for img in y[..., 0]]
    assert set(rows) == set(range(-4, 5))          # every shift from -4 to 4 (int(28 / 8 + 0.5) = 4) occurs
    assert np.mean(y == 0.0) > 0                   # some padding shows
    # an image moved by (dy, dx) has |dy| rows and |dx| columns of padding: count them back
    img = y[0, ..., 0]
    dy, dx = np.nonzero(img == 1.0)[0][0] - 14, np.nonzero(img == 1.0)[1][0] - 14
    assert np.sum(np.all(img == 0.0, axis=1)) == abs(dy) and np.sum(np.all(img == 0.0, axis=0)) == abs(dx)


def test_cutout_zeroes_one_square_of_half_the_side_clipped_at_the_border():
    y = np.asarray(augment.cutout(jnp.ones((N, 28, 28, 1)), jax.random.key(3)))[..., 0]
    for img in y:
        rows, cols = np.nonzero(img == 0.0)
        assert len(rows) > 0
        h, w = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
        assert len(rows) == h * w and h <= 14 and w <= 14          # one rectangle, at most 14 x 14
        if 0 < rows.min() and rows.max() < 27 and 0 < cols.min() and cols.max() < 27:
            assert h == w == 14                                    # away from the border: the full square
    sizes = [np.sum(img == 0.0) for img in y]
    assert max(sizes) == 196 and min(sizes) < 196


def test_apply_uses_each_operation_with_probability_p_and_is_differentiable():
    x = dot_images()
    np.testing.assert_array_equal(augment.apply(x, jax.random.key(4), 0.0), x)      # p = 0: the images themselves
    y = augment.apply(x, jax.random.key(4), 0.5, ops=("translation",))
    moved = np.mean(np.asarray(y[:, 14, 14, 0]) != 1.0)
    # translated with probability 0.5, of which a shift of (0, 0) (1 in 81) leaves the dot: 0.494 expected
    assert 0.40 < moved < 0.59, moved                                               # 400 draws: +-4.5 sd
    assert np.all(np.asarray(augment.apply(x, jax.random.key(4), 1.0, ops=("cutout",))).min(axis=(1, 2, 3)) == -1)
    g = jax.grad(lambda x: jnp.sum(augment.apply(x, jax.random.key(5)) ** 2))(x)
    assert np.all(np.isfinite(g)) and np.any(g != 0)
    with pytest.raises(ValueError, match="augment='none'"):
        augment.apply(jnp.zeros((4, 2)), jax.random.key(0))
    with pytest.raises(ValueError, match="choose from"):
        augment.apply(x, jax.random.key(0), ops=("rotate",))
    with pytest.raises(ValueError, match="p must be"):
        augment.apply(x, jax.random.key(0), 1.5)
    assert AUGMENT_OPS == tuple(augment._OPS)


def test_ada_update_moves_p_every_four_steps_by_the_images_seen_over_kimg():
    s = augment.AdaState()
    for i in range(3):                       # D sure of every real image: r_t = 1 > 0.6, but p waits for step 4
        augment.ada_update(s, jnp.float32(1.0), 64, target=0.6, kimg=1.0)
        assert float(s.p[...]) == 0.0 and float(s.seen[...]) == 64 * (i + 1)
    augment.ada_update(s, jnp.float32(1.0), 64, target=0.6, kimg=1.0)
    np.testing.assert_allclose(s.p[...], 256 / 1000)         # 4 steps x 64 images / (1 x 1000)
    assert float(s.seen[...]) == 0 and float(s.signs[...]) == 0
    for _ in range(4):                       # r_t = 0.5 < 0.6: down by the same amount
        augment.ada_update(s, jnp.float32(0.5), 64, target=0.6, kimg=1.0)
    np.testing.assert_allclose(s.p[...], 0.0, atol=1e-7)
    for _ in range(8):                       # and never below 0 ...
        augment.ada_update(s, jnp.float32(-1.0), 64, target=0.6, kimg=1.0)
    assert float(s.p[...]) == 0.0
    for _ in range(40):                      # ... nor above 1
        augment.ada_update(s, jnp.float32(1.0), 64, target=0.6, kimg=0.1)
    assert float(s.p[...]) == 1.0
    # r_t is the mean over the four steps, not the last batch's
    s = augment.AdaState()
    for m in (0.9, 0.9, 0.9, -0.2):
        augment.ada_update(s, jnp.float32(m), 64, target=0.6, kimg=1.0)
    np.testing.assert_allclose(s.p[...], 0.256)       # mean 0.625 > 0.6: up, though the last batch says -0.2
    for m in (0.9, 0.9, 0.9, -0.9):
        augment.ada_update(s, jnp.float32(m), 64, target=0.6, kimg=1.0)
    np.testing.assert_allclose(s.p[...], 0.0, atol=1e-7)   # mean 0.45 < 0.6: down


def _gan(ada: bool = False):
    g = models.DCGANGenerator(latent_dim=16, base=16, rngs=nnx.Rngs(0))
    d = models.DCGANDiscriminator(base=8, rngs=nnx.Rngs(1))
    return steps.GAN(g, d, g_lr=1e-3, d_lr=1e-3, ada=ada)


def _run(gan, options, n_steps, x):
    graphdef, state, step = steps.make_train_step(gan, options)
    out = []
    for i in range(n_steps):
        state, m = step(state, x, jax.random.key(i))
        out.append({k: float(v) for k, v in m.items()})
    nnx.update(gan, state)
    return out


@pytest.fixture(scope="module")
def digits():
    return jnp.asarray(data.to_unit_range(data.load_mnist("train", n=64)[0]))


@pytest.fixture(scope="module")
def plain(digits):
    """Four plain steps on 64 digits (compiled once for the tests below)."""
    return _run(_gan(), StepOptions(), 4, digits)


def test_ada_at_p_zero_is_the_plain_step_and_its_p_rises_when_d_is_sure_of_the_reals(digits, plain):
    x = digits
    ada = _run(_gan(ada=True), StepOptions(augment="ada", ada_kimg=0.5), 24, x)
    for a, b in zip(plain, ada):                        # p = 0 for steps 1-4: the same updates, to the bit
        assert {k: a[k] for k in a} == {k: b[k] for k in a}
    assert ada[3]["augment_p"] == pytest.approx(
        np.clip(np.sign(np.mean([m["d_real_sign"] for m in ada[:4]]) - 0.6) * 256 / 500, 0, 1), abs=1e-6)
    assert max(m["augment_p"] for m in ada) > 0         # D is soon sure of 64 repeated digits: p moves up
    with pytest.raises(ValueError, match="ada=True"):
        _run(_gan(), StepOptions(augment="ada"), 1, x)
    gan = _gan()                 # the playground's lone steps carry no ADA state: they say which step does
    with pytest.raises(ValueError, match="only train_step"):
        steps.discriminator_step(gan.generator, gan.discriminator, gan.d_opt, x, jax.random.key(0),
                                 StepOptions(augment="ada"))
    with pytest.raises(ValueError, match="only train_step"):
        steps.generator_step(gan.generator, gan.discriminator, gan.g_opt, 8, jax.random.key(0),
                             StepOptions(augment="ada"))


def test_diffaugment_changes_what_d_sees_and_g_learns_through_it(digits, plain):
    aug = _run(_gan(), StepOptions(augment="diffaugment"), 1, digits)[0]
    assert aug["d_real"] != plain[0]["d_real"] and aug["augment_p"] == 1.0
    assert aug["g_grad_norm"] > 0
    # G's gradient passes through the augmentation: through cutout's zeros it is exactly 0 for the cut pixels
    g_def, g_state = nnx.split(_gan().generator)
    d = models.DCGANDiscriminator(base=8, rngs=nnx.Rngs(1))
    fake = nnx.merge(g_def, g_state)(jax.random.normal(jax.random.key(0), (8, 16)))
    grad = jax.grad(lambda f: jnp.sum(d(augment.apply(f, jax.random.key(1), ops=("cutout",)))))(fake)
    cut = np.asarray(augment.apply(jnp.ones_like(fake), jax.random.key(1), ops=("cutout",))) == 0
    assert np.all(np.asarray(grad)[cut] == 0) and np.any(np.asarray(grad)[~cut] != 0)


def test_subset_indices_are_fixed_sorted_nested_and_checked():
    a = data.subset_indices(600)
    np.testing.assert_array_equal(a, data.subset_indices(600))
    assert len(a) == 600 and np.all(np.diff(a) > 0) and a.max() < 60_000
    assert set(a) <= set(data.subset_indices(6000))
    assert len(np.unique(data.load_mnist("train")[1][a])) == 10
    for bad in (0, -1, 60_001, 2.5, True):
        with pytest.raises(ValueError, match="600 for 1%"):
            data.subset_indices(bad)


def test_config_options_build_and_check():
    gan = build_gan(GANConfig(dataset="mnist", self_condition=0, augment="ada", subset=600, g_base=8, d_base=4))
    assert isinstance(gan.ada, augment.AdaState)
    assert build_gan(GANConfig(dataset="mnist", self_condition=0, g_base=8, d_base=4)).ada is None
    opts = GANConfig(augment="diffaugment", augment_p=0.5).step_options()
    assert (opts.augment, opts.augment_p) == ("diffaugment", 0.5)
    old = GANConfig.from_dict({"dataset": "mnist"})            # a stored config from before the options: off
    assert (old.augment, old.subset) == ("none", 0)
    for kwargs, match in ((dict(dataset="ring", augment="diffaugment"), "model 'dcgan'"),
                          (dict(dataset="ring", subset=600), "model 'dcgan'"),
                          (dict(subset=10), "batch"), (dict(subset=70_000), "600 for 1%"),
                          (dict(augment="mixup"), "choose one of"),
                          (dict(augment_p=0.5), "augment='diffaugment'"),
                          (dict(augment="ada", ada_target=1.5), "ada_target"),
                          (dict(augment="ada", ada_kimg=0), "ada_kimg")):
        with pytest.raises(ValueError, match=match):
            GANConfig(**kwargs)


def test_ada_p_is_saved_and_restored_with_the_gan(tmp_path):
    gan = _gan(ada=True)
    gan.ada.p[...] = jnp.float32(0.375)
    checkpoint.save(tmp_path / "ck", gan, step=3, key=jax.random.key(0))
    other = _gan(ada=True)
    checkpoint.restore(tmp_path / "ck", other)
    assert float(other.ada.p[...]) == 0.375


def test_command_line_trains_on_a_subset_with_ada(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--subset", "128", "--augment", "ada", "--ada-kimg", "1", "--self-condition", "0",
                 "--g-base", "8", "--d-base", "4", "--steps", "12", "--out", str(out), "--quiet"]) == 0
    meta = json.loads((out / "checkpoint" / "meta.json").read_text())
    assert (meta["config"]["subset"], meta["config"]["augment"]) == (128, "ada")
    history = json.loads((out / "metrics.json").read_text())["history"]
    assert len(history["augment_p"]) == 12 and history["augment_p"][-1] > 0
    assert main(["train", "--dataset", "ring", "--augment", "diffaugment", "--steps", "5",
                 "--out", str(tmp_path / "x")]) == 2
