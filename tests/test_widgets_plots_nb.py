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
    with pytest.raises(checkpoint.CheckpointError, match="no pretrained weights"):
        checkpoint.load_pretrained(tmp_path / "missing")
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
    """`sample --pretrained --n 10000` (seed 0) then `evaluate`: the README's row for the shipped generator."""
    monkeypatch.delenv("GAN_UTILS_PRETRAINED_DIR", raising=False)
    gan = checkpoint.load_pretrained()
    x = np.asarray(models.sample(gan.sampler(), jax.random.key(0), 10_000))
    s = metrics.evaluate(x)["samples"]
    assert abs(s["fid"] - 48.8) < 0.5, s["fid"]                 # README: 48.8 (CPU; other backends round differently)
    assert s["digits_covered"] == 10 and min(s["class_histogram"]) > 500


def test_animation_player_needs_no_network():
    """The JavaScript player of plots.animate loads nothing from a CDN: its buttons are text, and it still plays."""
    html = plots.animate([0, 1, 2], lambda ax, f: ax.plot([0, f]), interval=100, figsize=(2, 2)).data
    assert "http://" not in html and "https://" not in html and '<i class="fa' not in html
    assert "&#x25B6;" in html and "anim" in html and html.count("data:image/png;base64") == 3
    with pytest.raises(ValueError, match="player changed"):
        plots.offline_player('<link rel="stylesheet" href="https://example.org/x.css"><i class="fa fa-new"></i>')
