"""Issue #72's style-based generator (gan_utils.stylegan): the modulated convolution against its definition (a
weight per sample), demodulation's invariance to the style's scale, style mixing and truncation in W, and a training
step."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from gan_utils import models, steps, stylegan
from gan_utils.__main__ import main
from gan_utils.config import GANConfig, build_gan
from gan_utils.options import StepOptions


def test_modulated_conv_is_a_convolution_with_each_samples_own_demodulated_weight():
    conv = stylegan.ModulatedConv(3, 5, 4, rngs=nnx.Rngs(0))
    x = jax.random.normal(jax.random.key(1), (2, 6, 6, 3))
    w = jax.random.normal(jax.random.key(2), (2, 4))
    y = conv(x, w)
    s = conv.affine(w)
    for n in range(2):                           # StyleGAN2's equations 1 and 3, one sample at a time
        weight = conv.conv.kernel[...] * s[n][None, None, :, None]                 # (3, 3, c_in, c_out)
        weight = weight / jnp.sqrt(jnp.sum(weight ** 2, axis=(0, 1, 2)) + 1e-8)
        ref = jax.lax.conv_general_dilated(x[n:n + 1], weight, (1, 1), "SAME",
                                           dimension_numbers=("NHWC", "HWIO", "NHWC"))
        np.testing.assert_allclose(y[n:n + 1], ref + conv.bias[...], rtol=1e-4, atol=1e-5)


def test_demodulation_makes_the_output_blind_to_the_styles_overall_scale():
    conv = stylegan.ModulatedConv(4, 4, 2, rngs=nnx.Rngs(0))
    x = jax.random.normal(jax.random.key(1), (3, 5, 5, 4))
    w = jax.random.normal(jax.random.key(2), (3, 2))
    y = conv(x, w)
    conv.affine.kernel[...] = conv.affine.kernel[...] * 7.0
    conv.affine.bias[...] = conv.affine.bias[...] * 7.0      # s -> 7 s for every channel
    np.testing.assert_allclose(conv(x, w), y, rtol=1e-4, atol=1e-5)
    plain = stylegan.ModulatedConv(4, 4, 2, demodulate=False, rngs=nnx.Rngs(0))
    y1 = plain(x, w)
    plain.affine.kernel[...] = plain.affine.kernel[...] * 7.0
    plain.affine.bias[...] = plain.affine.bias[...] * 7.0
    np.testing.assert_allclose(plain(x, w) - plain.bias[...], 7 * (y1 - plain.bias[...]), rtol=1e-4, atol=1e-4)


def test_synthesis_layers_mixing_and_truncation():
    g = stylegan.StyleGenerator(latent_dim=8, w_dim=8, base=8, rngs=nnx.Rngs(0))
    z = jax.random.normal(jax.random.key(1), (4, 8))
    w = g.mapping(z)
    x = g.synthesis(w)
    assert x.shape == (4, 28, 28, 1) and float(jnp.abs(x).max()) <= 1
    np.testing.assert_allclose(g.synthesis(jnp.repeat(w[:, None], 6, axis=1)), x)   # one w = the same w per layer
    w2 = g.mapping(jax.random.normal(jax.random.key(2), (4, 8)))
    ws = g.mix(w, w2, cut=3)
    np.testing.assert_array_equal(ws[:, :3], jnp.repeat(w[:, None], 3, axis=1))
    np.testing.assert_array_equal(ws[:, 3:], jnp.repeat(w2[:, None], 3, axis=1))
    assert not np.allclose(g.synthesis(ws), x)
    mean = w.mean(axis=0)
    np.testing.assert_allclose(stylegan.truncate(w, mean, 0.0), jnp.broadcast_to(mean, w.shape), rtol=1e-6)
    np.testing.assert_allclose(stylegan.truncate(w, mean, 1.0), w, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(stylegan.truncate(w, mean, 0.5), (w + mean) / 2, rtol=1e-5, atol=1e-6)
    # noise: a key changes the image once a layer's noise strength is not 0 (it starts at 0)
    np.testing.assert_allclose(g.synthesis(w, jax.random.key(3)), x, atol=1e-6)
    g.noise_strength[4][...] = jnp.ones_like(g.noise_strength[4][...])
    assert not np.allclose(g.synthesis(w, jax.random.key(3)), g.synthesis(w))
    for bad, match in ((dict(base=2), "base"), (dict(mixing=1.5), "mixing")):
        with pytest.raises(ValueError, match=match):
            stylegan.StyleGenerator(**bad, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match="cut"):
        g.mix(w, w2, cut=6)
    with pytest.raises(ValueError, match="synthesis"):
        g.synthesis(jnp.zeros((4, 5, 8)))


def test_training_calls_mix_a_share_of_the_batch_and_a_step_trains_every_part():
    g = stylegan.StyleGenerator(latent_dim=8, w_dim=8, base=8, mixing=1.0, noise=False, rngs=nnx.Rngs(0))
    z = jax.random.normal(jax.random.key(1), (6, 8))
    one_w = g.synthesis(g.mapping(z))
    assert not np.allclose(g(z), one_w)                  # every sample mixed with a second w from some layer on
    np.testing.assert_allclose(models.inference_copy(g)(z), one_w, atol=1e-6)   # inference mode: no mixing
    assert np.allclose(stylegan.StyleGenerator(latent_dim=8, w_dim=8, base=8, mixing=0.0, noise=False,
                                               rngs=nnx.Rngs(0))(z), one_w)
    gan = steps.GAN(stylegan.StyleGenerator(latent_dim=8, w_dim=8, base=8, rngs=nnx.Rngs(0)),
                    models.DCGANDiscriminator(base=4, rngs=nnx.Rngs(1)), g_lr=1e-2, d_lr=1e-3)
    before = nnx.state(gan.generator, nnx.Param)
    before = jax.tree.map(jnp.array, before)
    graphdef, state, step = steps.make_train_step(gan, StepOptions())
    x = jax.random.uniform(jax.random.key(2), (8, 28, 28, 1), minval=-1, maxval=1)
    for i in range(2):
        state, m = step(state, x, jax.random.key(i))
    assert np.isfinite(float(m["g_loss"]))
    nnx.update(gan, state)
    after = nnx.state(gan.generator, nnx.Param)
    moved = jax.tree.map(lambda a, b: bool(jnp.any(a != b)), before, after)
    assert all(jax.tree.leaves(moved))                    # mapping, constant, styles, convolutions, noise strengths


def test_config_and_command_line_build_the_style_based_generator(tmp_path):
    gan = build_gan(GANConfig(model="stylegan", g_base=8, d_base=4))
    assert isinstance(gan.generator, stylegan.StyleGenerator) and gan.generator.base == 8
    for bad, match in ((dict(model="stylegan", dataset="ring"), "needs dataset 'mnist'"),
                       (dict(model="stylegan", g_extra=1), "g_extra"),
                       (dict(model="stylegan", self_condition=10), "self_condition")):
        with pytest.raises(ValueError, match=match):
            GANConfig(**bad)
    # the command line builds the same record (its training and sampling paths are the DCGAN's, tested in test_cli)
    assert main(["train", "--model", "stylegan", "--dataset", "ring", "--steps", "1",
                 "--out", str(tmp_path / "x")]) == 2


def test_the_style_mixing_control_draws_the_mix_that_synthesis_draws():
    import matplotlib
    matplotlib.use("Agg")
    from gan_utils import widgets
    g = stylegan.StyleGenerator(latent_dim=4, w_dim=4, base=4, rngs=nnx.Rngs(0))
    fig = widgets.draw_style_mix(g, seed_coarse=1, seed_fine=2, cut=3)
    shown = fig.axes[2].images[0].get_array()                  # the large mixed digit, drawn in [0, 1]
    e = models.inference_copy(g)
    w = e.mapping(jnp.stack([jax.random.normal(jax.random.key(s), (4,)) for s in (1, 2)]))
    want = (np.asarray(e.synthesis(e.mix(w[:1], w[1:], 3), jax.random.key(0)))[0, ..., 0] + 1) / 2
    np.testing.assert_allclose(np.asarray(shown), want, atol=1e-5)
    assert "cut at layer 3" in fig.axes[2].get_title()
    box = widgets.style_mixer(g, cut=2)
    assert box.snapshot() is not None                           # the static picture before the kernel runs
