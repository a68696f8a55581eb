"""Helpers added for notebooks 03-05: layer tables, image rows, latent interpolation and explorer widgets,
and loading the pretrained GAN."""
import jax
import jax.numpy as jnp
import matplotlib
import numpy as np
import pytest
from flax import nnx

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gan_utils import checkpoint, metrics, models, plots, steps, widgets  # noqa: E402
from gan_utils.config import build_gan  # noqa: E402

CONFIG = dict(dataset="mnist", model="dcgan", batch_size=8, lr=2e-4, b1=0.5, latent_dim=8, k_disc=1, seed=3,
              toy_points=10, label_smoothing=0.0, dropout=0.0)


def test_layer_table_follows_the_model():
    g = models.DCGANGenerator(latent_dim=16, base=32, rngs=nnx.Rngs(0))
    before = jax.tree_util.tree_map(np.asarray, nnx.state(g))
    rows = models.layer_table(g, jax.ShapeDtypeStruct((2, 16), jnp.float32))
    # every row's shape is what running the layer really gives, and the counts add up
    assert rows[-1]["output_shape"] == (2, 28, 28, 1)
    assert rows[-1]["params"] == models.count_params(g)
    assert sum(r["params"] for r in rows[:-1]) == models.count_params(g)
    names = [r["name"] for r in rows[:-1]]
    assert names[0] == "fc" and all(isinstance(getattr(g, n), nnx.Module) for n in names)
    assert rows[0]["output_shape"] == (2, 7 * 7 * 32) and (2, 14, 14, 16) in [r["output_shape"] for r in rows]
    assert rows[-2]["output_shape"] == (2, 28, 28, 1)
    assert rows[0]["params"] == 16 * 7 * 7 * 32   # Linear without bias
    # tracing changed nothing (BatchNorm statistics included) and the classes are unpatched afterwards
    after = jax.tree_util.tree_map(np.asarray, nnx.state(g))
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree_util.tree_leaves(before),
                                                     jax.tree_util.tree_leaves(after)))
    assert nnx.Linear.__call__.__qualname__ == "Linear.__call__"
    text = models.format_layer_table(rows)
    assert "(N, 28, 28, 1)" in text and f"{models.count_params(g):,}" in text


def test_layer_table_discriminator_logits():
    d = models.DCGANDiscriminator(base=8, rngs=nnx.Rngs(0))
    rows = models.layer_table(d, jnp.zeros((3, 28, 28, 1)))
    assert rows[-1]["output_shape"] == (3,)
    assert "(N,)" in models.format_layer_table(rows)
    assert [r["output_shape"] for r in rows if r["name"] == "conv2"] == [(3, 7, 7, 16)]


def test_interpolate_latents_endpoints_and_norm():
    rng = np.random.default_rng(0)
    z0, z1 = rng.normal(size=64), rng.normal(size=64)
    for method in ("slerp", "linear"):
        path = widgets.interpolate_latents(z0, z1, np.linspace(0, 1, 5), method)
        assert path.shape == (5, 64)
        np.testing.assert_allclose(path[0], z0, atol=1e-5)
        np.testing.assert_allclose(path[-1], z1, atol=1e-5)
    # slerp keeps the norm of equal-norm codes; the linear midpoint shrinks it
    z1 = z1 * np.linalg.norm(z0) / np.linalg.norm(z1)
    mid_s = widgets.interpolate_latents(z0, z1, 0.5, "slerp")[0]
    mid_l = widgets.interpolate_latents(z0, z1, 0.5, "linear")[0]
    assert abs(np.linalg.norm(mid_s) - np.linalg.norm(z0)) < 1e-4 * np.linalg.norm(z0)
    assert np.linalg.norm(mid_l) < 0.9 * np.linalg.norm(z0)
    with pytest.raises(ValueError, match="slerp"):
        widgets.interpolate_latents(z0, z1, 0.5, "cubic")


def test_latent_directions_are_the_steepest():
    g = models.DCGANGenerator(latent_dim=8, base=16, rngs=nnx.Rngs(1))
    z = np.asarray(jax.random.normal(jax.random.key(0), (8,)))
    dirs, gains = widgets.latent_directions(g, z, k=3)
    assert dirs.shape == (3, 8) and np.all(np.diff(gains) <= 1e-6)
    np.testing.assert_allclose(dirs @ dirs.T, np.eye(3), atol=1e-4)
    # a small step along direction 1 changes the image by about gain * step, more than a random direction
    eps = 1e-2
    img = lambda zz: np.asarray(models.sample(g, None, 1, z=zz[None].astype(np.float32))).ravel()
    change = np.linalg.norm(img(z + eps * dirs[0]) - img(z)) / eps
    assert abs(change - gains[0]) < 0.05 * gains[0]
    r = np.random.default_rng(0).normal(size=8)
    r /= np.linalg.norm(r)
    assert np.linalg.norm(img(z + eps * r) - img(z)) / eps <= gains[0] * 1.01


def test_drawing_functions_and_widgets_run():
    g = models.DCGANGenerator(latent_dim=8, base=16, rngs=nnx.Rngs(2))
    fig = widgets.draw_interpolation(g, 1, 2, t=0.3, n=5)
    assert len(fig.axes) == 2
    plt.close(fig)
    z = np.zeros(8, np.float32)
    dirs = np.eye(8, dtype=np.float32)[:2]
    fig = widgets.draw_latent_explorer(g, z, dirs, [0.5, -1.0])
    assert len(fig.axes) == 3
    plt.close(fig)
    with pytest.raises(ValueError, match="one amount per direction"):
        widgets.draw_latent_explorer(g, z, dirs, [0.5])
    box = widgets.latent_interpolation(g, n=5)
    box.children[0].children[2].value = 0.9   # moving the slider redraws without error
    box = widgets.latent_explorer(g, k=2)
    box.children[0].children[1].value = 1.0
    plt.close("all")
    ax = plots.show_image_row(np.zeros((4, 28, 28, 1)), ["a", "b", "c", "d"], highlight=1)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
    plt.close("all")


def test_load_gan_and_pretrained_roundtrip(tmp_path, monkeypatch):
    gan = build_gan(CONFIG)
    # change the weights, so that loading must restore them rather than rebuild the initial ones
    gan.generator.fc.kernel[...] = gan.generator.fc.kernel[...] + 1.0
    checkpoint.save(tmp_path / "run", gan, step=7, key=jax.random.key(0), config=CONFIG, history={"step": [1]})
    for loaded in (checkpoint.load_gan(tmp_path / "run"), checkpoint.load_pretrained(tmp_path / "run")):
        assert isinstance(loaded, steps.GAN)
        for a, b in zip(jax.tree_util.tree_leaves(nnx.state(gan, nnx.Param)),
                        jax.tree_util.tree_leaves(nnx.state(loaded, nnx.Param))):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    monkeypatch.setenv("GAN_UTILS_PRETRAINED_DIR", str(tmp_path / "run"))
    assert checkpoint.load_pretrained().latent_dim == 8
    with pytest.raises(checkpoint.CheckpointError, match="no checkpoint at .*missing: pass the --out folder"):
        checkpoint.load_pretrained(tmp_path / "missing")      # a folder of the learner's: no advice to reinstall
    checkpoint.save_module(tmp_path / "bare", gan.generator, {})
    with pytest.raises(checkpoint.CheckpointError, match="no model config"):
        checkpoint.load_gan(tmp_path / "bare")


@pytest.mark.skipif(not checkpoint.PRETRAINED_DIR.exists(), reason="the pretrained weights are not in this checkout")
def test_shipped_pretrained_weights_load_and_draw_digits():
    monkeypatch_env = pytest.MonkeyPatch()
    monkeypatch_env.delenv("GAN_UTILS_PRETRAINED_DIR", raising=False)
    gan = checkpoint.load_pretrained()
    monkeypatch_env.undo()
    x = np.asarray(models.sample(gan.generator, jax.random.key(0), 16))
    assert x.shape == (16, 28, 28, 1) and np.all(np.abs(x) <= 1)
    size = sum(f.stat().st_size for f in checkpoint.PRETRAINED_DIR.iterdir())
    assert size < 8 * 2**20, f"the shipped weights take {size / 2**20:.1f} MB; keep them to a few MB"


@pytest.mark.skipif(not checkpoint.PRETRAINED_DIR.exists(), reason="the pretrained weights are not in this checkout")
def test_shipped_generator_scores_what_the_readme_says(monkeypatch):
    """`sample --pretrained --n 10000` (seed 0) then `evaluate`: the shipped generator's row
    (README, docs/measuring.md)."""
    monkeypatch.delenv("GAN_UTILS_PRETRAINED_DIR", raising=False)
    gan = checkpoint.load_pretrained()
    x = np.asarray(models.sample(gan.sampler(), jax.random.key(0), 10_000))
    s = metrics.evaluate(x)["samples"]
    assert abs(s["fid"] - 2.91) < 0.2, s["fid"]                 # README: 2.91 (CPU; other backends round differently)
    assert abs(s["precision"] - 0.81) < 0.02 and abs(s["recall"] - 0.77) < 0.02, s
    assert s["digits_covered"] == 10 and min(s["class_histogram"]) > 800   # README: every digit 8.4% or more


def test_animation_player_needs_no_network():
    """The JavaScript player of plots.animate loads nothing from a CDN: its buttons are text, and it still plays."""
    html = plots.animate([0, 1, 2], lambda ax, f: ax.plot([0, f]), interval=100, figsize=(2, 2)).data
    assert "http://" not in html and "https://" not in html and '<i class="fa' not in html
    assert "&#x25B6;" in html and "anim" in html and html.count("data:image/png;base64") == 3
    with pytest.raises(ValueError, match="player changed"):
        plots.offline_player('<link rel="stylesheet" href="https://example.org/x.css"><i class="fa fa-new"></i>')


def test_gaussian_blur_keeps_mass_and_shape():
    x = np.zeros((2, 28, 28, 1))
    x[:, 14, 14] = 1.0
    y = widgets.gaussian_blur(x, 1.0)
    assert y.shape == x.shape and abs(y.sum() - 2.0) < 1e-9          # a point far from the border keeps its mass
    assert y[0, 14, 14, 0] < 0.2 and y[0, 14, 15, 0] > 0.05          # ... spread to its neighbours
    np.testing.assert_array_equal(widgets.gaussian_blur(x, 0), x)
    assert widgets.gaussian_blur(x, 6.0).shape == x.shape           # a kernel wider than the image keeps the shape
    with pytest.raises(ValueError, match="sigma"):
        widgets.gaussian_blur(x, -1)


def test_edit_digit_amount_zero_is_the_digit_and_errors_name_the_fix():
    rng = np.random.default_rng(0)
    digit = np.clip(rng.normal(-0.5, 0.6, (28, 28, 1)), -1, 1).astype(np.float32)
    other = -digit
    for edit in widgets.EDITS:
        same = widgets.edit_digit(digit, edit, 0.0, other=other)
        moved = widgets.edit_digit(digit, edit, 1.0, other=other)
        assert same.shape == moved.shape == (28, 28, 1), edit
        np.testing.assert_allclose(same, digit, atol=1e-6, err_msg=edit)
        assert np.abs(moved - digit).mean() > 0.01 and np.all(np.abs(moved) <= 1 + 1e-6), edit
    np.testing.assert_allclose(widgets.edit_digit(digit, "blend toward a fake", 1.0, other=other), other, atol=1e-6)
    with pytest.raises(ValueError, match="one of"):
        widgets.edit_digit(digit, "rotate", 0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        widgets.edit_digit(digit, "blur", 1.5)
    with pytest.raises(ValueError, match="other="):
        widgets.edit_digit(digit, "blend toward a fake", 0.5)
    with pytest.raises(ValueError, match="one \\(28, 28, 1\\) image"):
        widgets.edit_digit(np.zeros((2, 28, 28, 1)), "blur", 0.5)


def test_discriminator_view_and_widget_redraw():
    d = models.DCGANDiscriminator(base=8, rngs=nnx.Rngs(0))
    rng = np.random.default_rng(1)
    real = rng.uniform(-1, 1, (4, 28, 28, 1)).astype(np.float32)
    fake = rng.uniform(-1, 1, (4, 28, 28, 1)).astype(np.float32)
    fig = widgets.draw_discriminator_view(d, real[0], "blend toward a fake", 0.5, other=fake[0], n_curve=3)
    assert len(fig.axes) >= 4
    plt.close("all")
    box = widgets.discriminator_verdict(d, real, fake, index=1, edit="blur", amount=0.25)
    before = box.snapshot_png()
    assert before.startswith(b"\x89PNG")               # opened before running, the notebook shows this figure
    controls = box.children[0].children
    controls[2].value = 0.75                          # the amount slider redraws
    controls[1].value = "blend toward a fake"         # the edit dropdown too
    controls[0].value = 3
    assert box.snapshot_png() != before                # the picture follows the controls
    plt.close("all")
    # compiled once per discriminator while its weights stay the same arrays; training it in place recompiles
    assert widgets._d_functions(d)[0] is widgets._d_functions(d)[0]
    before_training = widgets._d_functions(d)[0]
    kernel = next(v for _, v in nnx.iter_graph(d) if isinstance(v, nnx.Param))
    kernel[...] = kernel[...] + 1
    assert widgets._d_functions(d)[0] is not before_training
    with pytest.raises(ValueError, match="index must be in 0..3"):
        widgets.discriminator_verdict(d, real, fake, index=4)
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\)"):
        widgets.discriminator_verdict(d, real[..., 0], fake)


def test_degrade_images_changes_only_what_it_says():
    rng = np.random.default_rng(0)
    pool = rng.integers(0, 256, (300, 28, 28), dtype=np.uint8)
    labels = np.arange(300) % 10
    same = widgets.degrade_images(pool, labels, n=50, seed=4)
    assert same.shape == (50, 28, 28, 1) and same.dtype == np.uint8
    # unchanged: every image is one of the pool's, none repeated
    flat = {p.tobytes() for p in pool}
    assert all(s[..., 0].tobytes() in flat for s in same) and len({s.tobytes() for s in same}) == 50
    np.testing.assert_array_equal(widgets.degrade_images(pool, labels, n=50, seed=4), same)   # the seed fixes it
    kept = widgets.degrade_images(pool, labels, n=50, digits=3, seed=4)
    index = {p.tobytes(): lab for p, lab in zip(pool, labels)}
    assert {index[s[..., 0].tobytes()] for s in kept} <= {0, 1, 2}
    copies = widgets.degrade_images(pool, labels, n=50, duplicates=0.6, seed=4)
    assert len({s.tobytes() for s in copies}) == 10 + 20    # the first 30 are copies of 10 images; 20 left as drawn
    blurred = widgets.degrade_images(pool, labels, n=50, blur=1.0, seed=4).astype(float)
    assert np.abs(np.diff(blurred, axis=2)).mean() < 0.5 * np.abs(np.diff(same.astype(float), axis=2)).mean()
    noisy = widgets.degrade_images(pool, labels, n=50, noise=0.2, seed=4)
    assert np.abs(noisy.astype(float) - same).mean() > 10
    with pytest.raises(ValueError, match="labels="):
        widgets.degrade_images(pool, n=50, digits=5)
    with pytest.raises(ValueError, match="uint8"):
        widgets.degrade_images(pool.astype(np.float32), labels, n=50)
    with pytest.raises(ValueError, match="smaller n"):
        widgets.degrade_images(pool, labels, n=50, digits=1)
    with pytest.raises(ValueError, match="1..10"):
        widgets.degrade_images(pool, labels, n=50, digits=0)


def test_metric_explorer_scores_and_redraws():
    """The unchanged set of real digits scores like real data; dropping digits lowers the score and recall."""
    from gan_utils import data
    x, y = data.load_mnist("train", n=3000)
    x_ref, _ = data.load_mnist("test", n=500)
    ref = metrics.classifier_outputs(x_ref)
    box = widgets.metric_explorer(x, y, ref, n=300, seed=0)
    before = box.snapshot_png()
    assert before.startswith(b"\x89PNG")
    blur, noise, digits, duplicates = box.children[0].children
    digits.value = 3                                  # the slider redraws the figure
    assert box.snapshot_png() != before
    plt.close("all")
    same = metrics.image_metrics(widgets.degrade_images(x, y, n=300), ref, pr_n=300)
    dropped = metrics.image_metrics(widgets.degrade_images(x, y, n=300, digits=3), ref, pr_n=300)
    assert dropped["inception_score"] < 3.5 < 7 < same["inception_score"]
    assert dropped["recall"] < same["recall"] - 0.2 and dropped["fid"] > same["fid"] + 20
