"""CycleGAN (gan_utils.cycle) and what notebook 12 builds on: unpaired halves, the unpaired PatchGAN, the loss written
out, the compiled step, the shipped generators and the hidden-detail measure."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from gan_utils import cycle, data, models


class _Copy(nnx.Module):
    """A 'translator' that returns its input: every L1 term of CycleGAN is then 0."""
    def __call__(self, z, x):
        return x


class _Flip(nnx.Module):
    """A translator that inverts ink and paper: applied twice it gives the input back."""
    def __call__(self, z, x):
        return -x


class _Sure(nnx.Module):
    """A discriminator with one logit per image, the same for every image."""
    def __init__(self, logit):
        self.logit = logit

    def __call__(self, x):
        return jnp.full((x.shape[0], 2, 2), self.logit)


def _batch(seed, n=4, s=8):
    return jnp.asarray(np.random.default_rng(seed).uniform(-1, 1, (n, s, s, 1)).astype(np.float32))


def test_halves_are_disjoint_cover_the_set_and_repeat():
    pairs = data.load_glyphs("train", size=16, n=101)
    a, b = pairs.halves(0)
    assert len(a) == 51 and len(b) == 50
    assert not set(a.chars) & set(b.chars) and set(a.chars) | set(b.chars) == set(pairs.chars)
    assert pairs.halves(0)[0].chars == a.chars and pairs.halves(1)[0].chars != a.chars
    i = pairs.chars.index(a.chars[3])
    np.testing.assert_array_equal(a.source[3], pairs.source[i])    # each glyph stays with its character


def test_unpaired_patch_discriminator_reads_one_image_and_refuses_a_source():
    d = models.PatchDiscriminator(16, 8, n_down=1, paired=False, rngs=nnx.Rngs(0))
    x = _batch(0, s=16)
    assert d(x).shape[0] == 4 and d.convs[0].in_features == 1
    with pytest.raises(TypeError, match="no source"):
        d(x, x)
    paired = models.PatchDiscriminator(16, 8, n_down=1, rngs=nnx.Rngs(0))
    with pytest.raises(TypeError, match="D\\(image, source\\)"):
        paired(x)


def test_cycle_losses_follow_the_equation():
    x, y = _batch(1), _batch(2)
    # copying translators: no cycle or identity cost; D's logit 0 everywhere gives each adversarial term log 2
    loss, (terms, (gx, fy)) = cycle.cycle_losses(cycle._Pair(_Copy(), _Copy()), cycle._Pair(_Sure(0.0), _Sure(0.0)),
                                                 x, y)
    assert float(terms["cycle"]) == 0 and float(terms["identity"]) == 0
    np.testing.assert_allclose(float(loss), 2 * np.log(2), rtol=1e-6)
    np.testing.assert_array_equal(gx, x)
    # ink flipped: the cycle gives x back (0), the identity term is mean|-y - y| + mean|-x - x|; D sure it is fake
    loss, (terms, _) = cycle.cycle_losses(cycle._Pair(_Flip(), _Flip()), cycle._Pair(_Sure(-3.0), _Sure(-3.0)),
                                          x, y, cycle_weight=10.0, identity_weight=5.0)
    ident = float(jnp.abs(2 * y).mean() + jnp.abs(2 * x).mean())
    np.testing.assert_allclose(float(terms["identity"]), ident, rtol=1e-6)
    assert float(terms["cycle"]) == 0
    np.testing.assert_allclose(float(loss), 2 * np.log1p(np.exp(3.0)) + 5 * ident, rtol=1e-5)


def test_the_step_trains_all_four_networks_and_bad_weights_are_refused():
    cyc = cycle.CycleGAN(8, base=8, d_base=8, patch_layers=1, seed=0)
    graphdef, state, step = cycle.make_cycle_step(cyc)
    before = jax.tree.map(np.asarray, nnx.state(cyc, nnx.Param))
    x, y = _batch(3), _batch(4)
    for _ in range(2):
        state, metrics = step(state, x, y)
    assert all(np.isfinite(float(v)) for v in metrics.values())
    assert set(metrics) >= {"g_loss", "d_loss", "adv", "cycle", "identity"}
    nnx.update(cyc, state)
    after = nnx.state(cyc, nnx.Param)
    for name in ("generators", "discriminators"):
        for sub in ("a", "b"):
            moved = jax.tree.leaves(jax.tree.map(lambda p, q: float(np.abs(np.asarray(q) - p).max()),
                                                 before[name][sub], after[name][sub]))
            assert max(moved) > 0, f"{name}.{sub} did not move"
    with pytest.raises(ValueError, match="cycle_weight"):
        cycle.make_cycle_step(cyc, cycle_weight=-1.0)


def test_train_cyclegan_runs_with_callbacks_and_checks_its_arguments():
    pairs = data.load_glyphs("train", size=16, n=40)
    a, b = pairs.halves(0)
    seen = []
    model, hist = cycle.train_cyclegan(a.source, b.target, size=16, steps=4, batch_size=8, base=8, d_base=8,
                                       patch_layers=1, callbacks=[lambda s, m, h: seen.append((s, len(h["step"])))],
                                       callback_every=2)
    assert seen == [(2, 2), (4, 4)] and list(hist["step"]) == [1, 2, 3, 4]
    assert np.asarray(models.translate(model.g, data.to_unit_range(a.source))).shape == a.source.shape
    with pytest.raises(ValueError, match="exactly one"):
        cycle.train_cyclegan(a.source, b.target, size=16, steps=None)
    with pytest.raises(ValueError, match=r"\(N, 32, 32, 1\)"):
        cycle.train_cyclegan(a.source, b.target, size=32, steps=2)


def test_quantise_rounds_to_the_levels():
    x = np.array([-1.0, -0.4, 0.1, 0.6, 1.2], np.float32)
    np.testing.assert_array_equal(cycle.quantise(x, 2), [-1, -1, 1, 1, 1])
    np.testing.assert_allclose(cycle.quantise(x, 3), [-1, 0, 0, 1, 1])
    with pytest.raises(ValueError, match="levels"):
        cycle.quantise(x, 1)
    with pytest.raises(TypeError, match="to_unit_range"):                  # uint8 glyphs once came back as 0 and 1
        cycle.quantise(np.array([0, 128, 255], np.uint8), 2)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):                       # so did 0-255 floats
        cycle.quantise(np.array([0.0, 128.0, 255.0]), 2)


def test_the_shipped_cyclegan_scores_what_its_record_says_and_hides_the_source():
    g, f = cycle.load_pretrained()
    test = data.load_glyphs("test", size=32)
    x, y = data.to_unit_range(test.source), data.to_unit_range(test.target)
    from gan_utils import precomputed, translation
    out = np.asarray(models.translate(g, x))
    scores = translation.translation_scores(out, y, test.chars)
    rec = precomputed.load("12_unpaired")[0]["rows"][0]
    assert rec["method"] == "CycleGAN" and rec["seed"] == 0
    for k in ("l1", "ssim", "content"):
        assert abs(scores[k] - rec[k]) < 0.005, (k, scores[k], rec[k])   # float16 weights, another machine
    h = cycle.hidden_detail(g, f, x, y)
    assert h["g(x)"]["l1"] < h["g(x) in 2 grey levels"]["l1"] < h["true brush glyph y"]["l1"]
