"""pix2pix in gan_utils (notebook 11): the U-Net generator, the PatchGAN discriminator, the L1 term of the course's
step, and training it with fit on the glyph pairs."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from gan_utils import checkpoint, data, losses, models, steps, train


def _pix2pix(size=16, base=8, n_down=1, **kw):
    g = models.UNetGenerator(size, base, rngs=nnx.Rngs(0))
    d = models.PatchDiscriminator(size, base, n_down=n_down, rngs=nnx.Rngs(1))
    return steps.GAN(g, d, g_lr=2e-4, d_lr=2e-4, **kw)


def _glyphs(n=32, size=16):
    pairs = data.load_glyphs("train", size=size, n=n)
    return data.to_unit_range(pairs.target), data.to_unit_range(pairs.source)


def test_unet_shapes_and_its_skips_carry_the_layout():
    for size in (8, 32):
        g = models.UNetGenerator(size, 8, rngs=nnx.Rngs(0))
        x = jax.random.uniform(jax.random.key(0), (2, size, size, 1), minval=-1, maxval=1)
        y = models.translate(g, x)
        assert y.shape == x.shape and float(jnp.abs(y).max()) <= 1
    assert g.latent_dim == 0 and models.takes_labels(g)
    # a pixel of the source reaches the output pixel at the same place through the last skip, at initialisation
    g = models.UNetGenerator(16, 8, rngs=nnx.Rngs(0))
    jac = jax.grad(lambda x: g(jnp.zeros((1, 0)), x)[0, 8, 8, 0])(jnp.zeros((1, 16, 16, 1)))[0, ..., 0]
    assert float(jnp.abs(jac[8, 8])) > 0 and int(jnp.argmax(jnp.abs(jac))) // 16 in (7, 8, 9)
    with pytest.raises(ValueError, match="power of 2 from 8 to 256"):
        models.UNetGenerator(24, 8, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 16, 16, 1\)"):
        g(jnp.zeros((1, 0)), jnp.zeros((1, 32, 32, 1)))


@pytest.mark.parametrize("n_down,want", [(1, 16), (2, 34), (3, 70)])
def test_patch_discriminator_receptive_field_is_what_one_logit_sees(n_down, want):
    size = 96
    d = models.PatchDiscriminator(size, 2, n_down=n_down, rngs=nnx.Rngs(0))
    assert d.receptive_field == want == models.receptive_field([4] * (n_down + 2), [2] * n_down + [1, 1])
    x = jax.random.normal(jax.random.key(1), (1, size, size, 1))
    logits = d(x, x)
    i = logits.shape[1] // 2
    grad = jax.grad(lambda a: d(a, x)[0, i, i])(x)[0, ..., 0]      # which input pixels move that one logit
    rows, cols = np.flatnonzero(np.abs(grad).sum(1) > 0), np.flatnonzero(np.abs(grad).sum(0) > 0)
    assert rows[-1] - rows[0] + 1 <= want and cols[-1] - cols[0] + 1 <= want
    assert rows[-1] - rows[0] + 1 >= want - 3       # all of it, bar the zero weights of padding-free edges


def test_discriminator_judges_the_pair_not_the_image_alone():
    d = models.PatchDiscriminator(16, 8, n_down=1, rngs=nnx.Rngs(0))
    x, s1, s2 = jax.random.normal(jax.random.key(0), (3, 1, 16, 16, 1))
    assert d(x, s1).shape == (1, 8, 8)
    assert not np.allclose(d(x, s1), d(x, s2))      # the same image scores differently beside another source
    with pytest.raises(ValueError, match="its source"):
        d(x, jnp.zeros((1, 8, 8, 1)))
    with pytest.raises(ValueError, match="n_down <= 3"):
        models.PatchDiscriminator(16, 8, n_down=4, rngs=nnx.Rngs(0))


def test_translate_in_batches_matches_one_call_and_refuses_bad_input():
    g = models.UNetGenerator(16, 8, rngs=nnx.Rngs(0))
    _, src = _glyphs(7)
    one = models.translate(g, src)
    np.testing.assert_allclose(models.translate(g, src, batch_size=3), one, atol=1e-6)
    np.testing.assert_allclose(one, g(jnp.zeros((7, 0)), jnp.asarray(src)), atol=1e-6)
    with pytest.raises(TypeError, match="to_unit_range"):
        models.translate(g, data.load_glyphs("test", size=16, n=2).source)
    with pytest.raises(ValueError, match=r"source\[..., None\]"):
        models.translate(g, src[..., 0])
    with pytest.raises(TypeError, match="models.sample"):
        models.translate(models.DCGANGenerator(rngs=nnx.Rngs(0)), src)


def test_the_step_without_l1_traces_no_l1_term():
    tgt, src = _glyphs(4)
    gan = _pix2pix()
    graphdef, state = nnx.split(gan)

    def abs_ops(options):   # |G(source) - target| is the only absolute value in the step
        def step(state):
            g = nnx.merge(graphdef, state)
            return steps.train_step(g.generator, g.discriminator, g.g_opt, g.d_opt, (tgt, src), jax.random.key(0),
                                    options)
        return str(jax.make_jaxpr(step)(state)).count(" abs ")

    # the adversarial losses' stable softplus has its own |x|: the L1 term adds to those, and 0 adds nothing
    assert abs_ops(steps.StepOptions(l1_weight=100.0)) > abs_ops(steps.StepOptions()) == abs_ops(
        steps.StepOptions(l1_weight=0.0))
    with pytest.raises(ValueError, match="finite number >= 0"):
        steps.StepOptions(l1_weight=-1.0)
    with pytest.raises(ValueError, match="nothing to learn from"):
        steps.StepOptions(generator_loss="none")


def test_l1_term_reports_its_parts_and_leaves_g_loss_adversarial():
    tgt, src = _glyphs(8)
    gan = _pix2pix()
    _, state, step = steps.make_train_step(gan, l1_weight=100.0)
    fake = gan.generator(jnp.zeros((8, 0)), jnp.asarray(src))
    _, m = step(state, (jnp.asarray(tgt), jnp.asarray(src)), jax.random.key(0))
    np.testing.assert_allclose(m["l1"], jnp.mean(jnp.abs(fake - tgt)), rtol=1e-5)
    assert 0 < float(m["g_loss"]) < 5            # the non-saturating term alone, not 100 x L1 (about 50 here)
    assert set(m) == {"d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm", "l1"}


def test_l1_only_baseline_updates_g_by_the_l1_gradient_alone():
    tgt, src = _glyphs(8)
    gan = _pix2pix()
    g_params = nnx.state(gan.generator, nnx.Param)
    g_def, _, g_rest = nnx.split(gan.generator, nnx.Param, ...)

    def l1_loss(params):
        return 10.0 * jnp.mean(jnp.abs(nnx.merge(g_def, params, g_rest)(jnp.zeros((8, 0)), jnp.asarray(src)) - tgt))

    want = optax.global_norm(jax.grad(l1_loss)(g_params))
    _, state, step = steps.make_train_step(gan, generator_loss="none", l1_weight=10.0)
    _, m = step(state, (jnp.asarray(tgt), jnp.asarray(src)), jax.random.key(0))
    np.testing.assert_allclose(m["g_grad_norm"], want, rtol=1e-4)
    assert float(m["g_loss"]) == 0.0 and losses.generator_loss_none(jnp.ones(3)) == 0.0


def test_fit_trains_pix2pix_on_glyph_pairs_and_resumes_exactly(tmp_path):
    tgt, src = _glyphs(64)
    key = jax.random.key(3)

    def run(steps_, start=0, gan=None, hist=None):
        gan = gan or _pix2pix(ema=0.9)
        batches = data.BatchSampler((tgt, src), 16, jax.random.key(4))
        return gan, train.fit(gan, batches, key=key, steps=steps_, start_step=start, l1_weight=100.0, fuse=1,
                              progress=False, checkpoint_dir=str(tmp_path / "run"), history=hist)

    gan, result = run(60)
    l1 = result.history["l1"]
    assert len(l1) == 60 and np.mean(l1[-10:]) < 0.7 * np.mean(l1[:5])     # it learns the glyphs (1.0 -> about 0.4)
    assert gan.g_ema is not None and models.translate(gan.g_ema, src[:2]).shape == (2, 16, 16, 1)
    # stop at 30, restore from the checkpoint into a fresh GAN, go on to 60: the same weights
    run(30)
    fresh = _pix2pix(ema=0.9)
    step, _, meta = checkpoint.restore(tmp_path / "run", fresh)
    assert step == 30
    _, resumed = run(60, start=30, gan=fresh, hist=meta.get("history"))
    for a, b in zip(jax.tree_util.tree_leaves(nnx.state(gan.generator)),
                    jax.tree_util.tree_leaves(nnx.state(fresh.generator))):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------------------------- the scores
from gan_utils import translation  # noqa: E402


def test_ssim_is_one_for_identical_images_and_falls_with_blur_and_shift():
    t = data.to_unit_range(data.load_glyphs("test", size=32, n=20).target)
    np.testing.assert_allclose(translation.ssim(t, t), 1.0, atol=1e-5)
    blur = (t + np.roll(t, 1, 1) + np.roll(t, 1, 2) + np.roll(t, (1, 1), (1, 2))) / 4
    shifted = np.roll(t, 1, 2)
    s_blur, s_shift, s_other = (translation.ssim(x, t).mean() for x in (blur, shifted, np.roll(t, 1, 0)))
    assert 1 > s_blur > s_other and 1 > s_shift > s_other, (s_blur, s_shift, s_other)
    assert abs(translation.ssim(t, blur).mean() - s_blur) < 1e-5            # symmetric
    with pytest.raises(ValueError, match="same shape"):
        translation.ssim(t, t[:3])
    with pytest.raises(ValueError, match="at least 11"):
        translation.ssim(t[:, :8, :8], t[:, :8, :8])


def test_sharpness_reads_a_blur_and_refuses_nan():
    t = data.to_unit_range(data.load_glyphs("test", size=32, n=20).target)
    blur = (t + np.roll(t, 1, 1) + np.roll(t, 1, 2) + np.roll(t, (1, 1), (1, 2))) / 4
    assert translation.sharpness(t, t) == 1.0 and translation.sharpness(blur, t) < 0.85
    with pytest.raises(ValueError, match="NaN or Inf"):
        translation.sharpness(t * np.nan, t)


def test_scores_of_a_table_row_with_any_classifier():
    pairs = data.load_glyphs("test", size=32, n=30)
    t, s = data.to_unit_range(pairs.target), data.to_unit_range(pairs.source)
    judge = translation.StyleClassifier(rngs=nnx.Rngs(0))
    judge.eval()
    same = translation.translation_scores(t, t, pairs.chars, classifier=judge)
    assert same["l1"] == 0 and abs(same["ssim"] - 1) < 1e-5 and same["sharpness"] == 1 and abs(same["fid"]) < 1e-3
    other = translation.translation_scores(s, t, pairs.chars, classifier=judge)
    assert other["l1"] > 0.2 and other["ssim"] < 0.9 and other["fid"] > 0
    # 64x64 glyphs are read at the classifier's 32x32
    big = data.to_unit_range(data.load_glyphs("test", n=30).target)
    assert translation.style_outputs(big, judge)["features"].shape == (30, 128)
    with pytest.raises(ValueError, match="one character per glyph"):
        translation.translation_scores(t, t, pairs.chars[:-1], classifier=judge)
    with pytest.raises(ValueError, match="reading does not know"):
        translation.translation_scores(t[:1], t[:1], "A", classifier=judge)
    with pytest.raises(ValueError, match="no glyphs"):
        translation.style_outputs(t[:0], judge)


def test_content_reading_names_true_glyphs_and_tolerates_a_pixel():
    full = data.load_glyphs("all", size=32)
    rows = full.index("生成对抗网络")
    t = data.to_unit_range(full.target[rows])
    np.testing.assert_array_equal(translation.content_reading(t, full), rows)
    moved = translation.content_reading(np.roll(t, 1, axis=2), full)          # every stroke a pixel to the right
    assert (moved == rows).mean() >= 5 / 6
    # the printed source is read right far less often than the true brush glyph (66% against 100%)
    test = data.load_glyphs("test", size=32)
    src_read = translation.content_reading(data.to_unit_range(test.source), full)
    want = np.array([full.chars.index(c) for c in test.chars])
    assert 0.4 < (src_read == want).mean() < 0.8
    with pytest.raises(ValueError, match="one size"):
        translation.content_reading(data.to_unit_range(data.load_glyphs("test", size=16, n=2).target), full)


def test_brush_text_draws_the_rows_and_names_missing_characters():
    import matplotlib.pyplot as plt
    from gan_utils import widgets
    pairs = data.load_glyphs("all", size=16)
    g = models.UNetGenerator(16, 8, rngs=nnx.Rngs(0))
    d = models.PatchDiscriminator(16, 8, n_down=1, rngs=nnx.Rngs(1))
    fig = widgets.draw_brush_text(g, "你好 A𠀋", discriminator=d, pairs=pairs)
    axes = [a for a in fig.get_axes() if a.get_label() != "<colorbar>"]
    assert len(axes) == 4 * 2                                            # 4 rows x 2 characters found
    bars = [a for a in fig.get_axes() if a.get_label() == "<colorbar>"]   # the key to D's colours, with D's row
    assert len(bars) == 1 and bars[0].get_ylabel() == "D: probability real"
    assert "not in the glyph data" in fig._suptitle.get_text() and "A𠀋" in fig._suptitle.get_text()
    assert [a.get_ylabel() for a in axes[::2]] == ["printed (source)", "the GAN's brush", "the font's brush (true)",
                                                   "D on each patch"]
    plt.close(fig)
    empty = widgets.draw_brush_text(g, "abc", pairs=pairs)
    assert "type Chinese characters" in empty.axes[0].texts[0].get_text()
    plt.close(empty)
    with pytest.raises(ValueError, match="load_glyphs\\('all', size=16\\)"):
        widgets.draw_brush_text(g, "你", pairs=data.load_glyphs("all", size=32))
    box = widgets.brush_writer(g, pairs=pairs, text="生成")
    bundle = box._repr_mimebundle_()
    data_ = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "image/png" in data_                                          # a picture before the kernel runs
    box.children[0].children[0].value = "对抗"                           # typing redraws without an error


@pytest.mark.parametrize("size,n_down,spectral_norm", [(32, 2, False), (16, 1, True)])
def test_patch_geometry_is_the_box_of_pixels_each_logit_sees(size, n_down, spectral_norm):
    """The brush writer outlines widgets.patch_geometry's boxes: each must be exactly the pixels (of the image and of
    its source) that move that logit, clipped to the image, whatever the padding does at the edges."""
    from gan_utils import widgets
    d = models.PatchDiscriminator(size, 4, n_down=n_down, spectral_norm=spectral_norm, rngs=nnx.Rngs(1))
    d.eval()                  # spectral norm: no update of its power iteration between the two calls below
    geo = widgets.patch_geometry(d)
    assert geo["field"] == d.receptive_field and len(geo["boxes"]) == geo["patches"] ** 2
    pair = jax.random.uniform(jax.random.key(0), (1, size, size, 2), minval=-1, maxval=1)
    logits = lambda v: d(v[..., :1], v[..., 1:])[0]
    jac = np.asarray(jax.jacrev(lambda v: logits(v).ravel())(pair))[:, 0]        # (P * P, S, S, 2)
    seen = np.abs(jac).max(-1) > 0
    for k, (top, left, bottom, right) in enumerate(geo["boxes"]):
        box = np.zeros((size, size), bool)
        box[top:bottom, left:right] = True
        np.testing.assert_array_equal(seen[k], box, err_msg=f"patch {divmod(k, geo['patches'])}")
    # the same read the other way: one changed pixel moves exactly the logits whose boxes hold it
    y, x = size // 3, size - 2
    moved = np.abs(np.asarray(logits(pair.at[0, y, x, 0].add(0.5)) - logits(pair))).ravel() > 0
    holds = [t <= y < b and l <= x < r for t, l, b, r in geo["boxes"]]
    np.testing.assert_array_equal(moved, holds)


def test_brush_writer_sends_the_glyphs_d_and_geometry_and_refuses_bad_input():
    import base64
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex
    from gan_utils import plots, translation, widgets
    pairs = data.load_glyphs("all", size=16)
    gan = translation.build_translator(16, base=8, d_base=8, patch_layers=1)
    open_figures = plt.get_fignums()
    box = widgets.brush_writer(gan.generator, discriminator=gan.discriminator, text="你好 A𠀋", pairs=pairs)
    view = box.children[1]
    assert isinstance(view, widgets.BrushView) and [g["char"] for g in view.glyphs] == ["你", "好"]
    assert "A𠀋" in view.note and view.geometry == widgets.patch_geometry(gan.discriminator)
    assert view.cmap == [to_hex(plots.D_CMAP(i)) for i in range(256)]       # the browser draws plots.D_CMAP
    picked = pairs.select(pairs.index("你好"))
    src = data.to_unit_range(picked.source)
    fake = np.asarray(models.translate(gan.generator, src))
    ink = np.frombuffer(base64.b64decode(view.glyphs[1]["fake"]), np.uint8).reshape(16, 16)
    assert np.abs(ink.astype(float) / 127.5 - 1 - fake[1, ..., 0]).max() <= 1 / 127.5   # 255 = ink, as the data
    want = 1 / (1 + np.exp(-np.asarray(gan.discriminator(fake, src))))
    np.testing.assert_allclose(view.glyphs[1]["d"], want[1].ravel(), atol=1e-4)   # D on (GAN's glyph, source)
    bundle = box._repr_mimebundle_()
    assert "image/png" in (bundle[0] if isinstance(bundle, tuple) else bundle)   # a picture before running,
    assert plt.get_fignums() == open_figures                                     # and no stray figure left open
    box.children[0].children[0].value = "生成对抗"                         # typing redraws the view
    assert "".join(g["char"] for g in view.glyphs) == "生成对抗" and view.note == ""
    box.children[0].children[0].value = "abc"
    assert view.glyphs == [] and "type Chinese characters" in view.note
    without_d = widgets.brush_writer(gan.generator, text="你", pairs=pairs).children[1]
    assert without_d.glyphs[0]["d"] is None and without_d.geometry == {}
    with pytest.raises(TypeError, match=r"brush_writer\(gan.generator, discriminator=gan.discriminator\)"):
        widgets.brush_writer(gan, pairs=pairs)
    with pytest.raises(TypeError, match="text='生成'"):
        widgets.brush_writer(gan.generator, text=["生"], pairs=pairs)
    with pytest.raises(ValueError, match="max_chars"):
        widgets.brush_writer(gan.generator, max_chars=0, pairs=pairs)
    big_d = models.PatchDiscriminator(32, 4, n_down=1, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match="judges 32x32 images but the generator makes 16x16.*gan.discriminator"):
        widgets.brush_writer(gan.generator, discriminator=big_d, pairs=pairs)
    with pytest.raises(TypeError, match="patch_geometry needs a models.PatchDiscriminator"):
        widgets.brush_writer(gan.generator, discriminator=gan.generator, pairs=pairs)


def test_train_translator_runs_each_objective_and_is_seeded():
    small = data.load_glyphs("train", size=16, n=64)
    runs = {name: translation.train_translator(name, size=16, steps=6, batch_size=8, pairs=small, base=8, d_base=8,
                                               patch_layers=1)
            for name in translation.OBJECTIVES}
    for name, (gan, result) in runs.items():
        assert result.step == 6 and ("l1" in result.history) == (translation.OBJECTIVES[name]["l1_weight"] > 0)
    assert max(runs["L1 only"][1].history["g_loss"]) == 0.0          # no adversarial term reaches G
    again, _ = translation.train_translator("L1 + GAN", size=16, steps=6, batch_size=8, pairs=small, base=8,
                                            d_base=8, patch_layers=1)
    a = nnx.state(runs["L1 + GAN"][0].generator, nnx.Param)
    b = nnx.state(again.generator, nnx.Param)
    for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_array_equal(x, y)                           # the same seed, the same run
    with pytest.raises(ValueError, match="choose one of \\['L1 only'"):
        translation.train_translator("L2", size=16, steps=1, pairs=small)
