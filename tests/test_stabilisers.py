"""The GAN stabilisers of issue #13: least-squares and Wasserstein losses, the R1 / R2 / WGAN-GP penalties, weight
clipping, spectral normalisation, the minibatch standard deviation and PacGAN's packing, each against its paper's
formula on small hand-computed numbers, then through the training step, GANConfig and the command line."""
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from gan_utils import checkpoint, config as config_lib, data, losses, models, playground, steps, train
from gan_utils.__main__ import main
from gan_utils.config import BEFORE_OPTIONS, GANConfig, build_gan

R = jnp.array([2.0, 0.5, -1.0])      # critic outputs on three real examples
F = jnp.array([-2.0, 0.0, 0.5])      # ... and on three fakes


# ---- losses -----------------------------------------------------------------------------------------------------

def test_lsgan_losses_against_hand_computed_values():
    # 0.5 * mean((r - 1)^2) = 0.5 * (1 + 0.25 + 4) / 3 = 5.25/6;  0.5 * mean(f^2) = 0.5 * (4 + 0 + 0.25) / 3 = 4.25/6
    np.testing.assert_allclose(losses.discriminator_loss_lsgan(R, F), 9.5 / 6, rtol=1e-6)
    # 0.5 * mean((f - 1)^2) = 0.5 * (9 + 1 + 0.25) / 3
    np.testing.assert_allclose(losses.generator_loss_lsgan(F), 10.25 / 6, rtol=1e-6)
    gr, gf = jax.grad(losses.discriminator_loss_lsgan, argnums=(0, 1))(R, F)
    np.testing.assert_allclose(gr, [1 / 3, -0.5 / 3, -2 / 3], rtol=1e-6)        # (r - 1) / N
    np.testing.assert_allclose(gf, [-2 / 3, 0.0, 0.5 / 3], rtol=1e-6, atol=1e-7)  # f / N
    np.testing.assert_allclose(jax.grad(losses.generator_loss_lsgan)(F), [-1.0, -1 / 3, -0.5 / 3], rtol=1e-6)
    zero = jnp.zeros(4)
    assert float(losses.discriminator_loss_lsgan(zero, zero)) == 0.5 and float(losses.generator_loss_lsgan(zero)) == 0.5


def test_wasserstein_losses_against_hand_computed_values():
    # mean(f) - mean(r) = (-1.5/3) - (1.5/3)
    np.testing.assert_allclose(losses.critic_loss_wasserstein(R, F), -1.0, rtol=1e-6)
    np.testing.assert_allclose(losses.generator_loss_wasserstein(F), 0.5, rtol=1e-6)
    gr, gf = jax.grad(losses.critic_loss_wasserstein, argnums=(0, 1))(R, jnp.array([1.0, 2.0]))
    np.testing.assert_allclose(gr, [-1 / 3] * 3, rtol=1e-6)                    # -1/N on real scores
    np.testing.assert_allclose(gf, [0.5, 0.5], rtol=1e-6)                      # +1/M on fake scores
    big = jnp.array([-1e4, 1e4], jnp.float32)
    for fn in (lambda l: losses.discriminator_loss_lsgan(l, l), losses.generator_loss_lsgan,
               lambda l: losses.critic_loss_wasserstein(l, l), losses.generator_loss_wasserstein):
        v, g = jax.value_and_grad(fn)(big)
        assert np.isfinite(v) and np.all(np.isfinite(g))


def test_loss_registries_hold_the_new_losses_and_the_config_names_them():
    assert losses.DISCRIMINATOR_LOSSES["lsgan"] is losses.discriminator_loss_lsgan
    assert losses.DISCRIMINATOR_LOSSES["wasserstein"] is losses.critic_loss_wasserstein
    assert losses.GENERATOR_LOSSES["lsgan"] is losses.generator_loss_lsgan
    assert losses.GENERATOR_LOSSES["wasserstein"] is losses.generator_loss_wasserstein
    for d, g in config_lib.LOSSES.values():
        assert d in losses.DISCRIMINATOR_LOSSES and g in losses.GENERATOR_LOSSES
    assert losses.PENALTIES is config_lib.PENALTIES is playground.PENALTIES   # one table
    assert tuple(config_lib.PENALTIES) == ("none", "r1", "r2", "r1+r2", "gp", "clip")
    assert losses.GENERATOR_LOSSES["relativistic"] is losses.generator_loss_relativistic
    assert losses.DISCRIMINATOR_LOSSES["relativistic"] is losses.discriminator_loss_relativistic
    assert losses.PENALTIES["gp"] == 10.0 and losses.PENALTIES["clip"] == 0.01


def test_relativistic_losses_against_hand_computed_values():
    # pairs (2, -2), (0.5, 0), (-1, 0.5): D's loss is mean softplus(f - r) = mean softplus(-4, -0.5, 1.5)
    want_d = np.mean(np.log1p(np.exp([-4.0, -0.5, 1.5])))
    np.testing.assert_allclose(losses.discriminator_loss_relativistic(R, F), want_d, rtol=1e-6)
    want_g = np.mean(np.log1p(np.exp([4.0, 0.5, -1.5])))                     # G's: the roles swapped
    np.testing.assert_allclose(losses.generator_loss_relativistic(F, R), want_g, rtol=1e-6)
    # only differences count: one constant added to every logit changes neither loss (unlike the cross-entropy)
    np.testing.assert_allclose(losses.discriminator_loss_relativistic(R + 7.0, F + 7.0), want_d, rtol=1e-5)
    assert abs(float(losses.discriminator_loss(R + 7.0, F + 7.0)) - float(losses.discriminator_loss(R, F))) > 1
    # d/df softplus(f - r) = sigmoid(f - r) / N, and the real logits' gradient is its negative
    gr, gf = jax.grad(losses.discriminator_loss_relativistic, argnums=(0, 1))(R, F)
    np.testing.assert_allclose(gf, jax.nn.sigmoid(F - R) / 3, rtol=1e-6)
    np.testing.assert_allclose(gr, -gf, rtol=1e-6)
    zero = jnp.zeros(4)
    np.testing.assert_allclose(losses.generator_loss_relativistic(zero, zero), np.log(2), rtol=1e-6)
    big = jnp.array([-1e4, 1e4], jnp.float32)
    v, g = jax.value_and_grad(losses.discriminator_loss_relativistic)(big, -big)
    assert np.isfinite(v) and np.all(np.isfinite(g))
    with pytest.raises(ValueError, match="pairs real sample i with generated sample i.*as many fakes"):
        losses.discriminator_loss_relativistic(R, F[:2])
    with pytest.raises(ValueError, match="pairs real sample i"):
        losses.generator_loss_relativistic(F, R[:2])


def test_new_losses_bad_input():
    with pytest.raises(TypeError, match="floating-point"):
        losses.critic_loss_wasserstein(jnp.array([1, 2]), jnp.zeros(2))
    with pytest.raises(ValueError, match="fake_logits contains NaN"):
        losses.discriminator_loss_lsgan(jnp.zeros(2), jnp.array([np.nan]))
    with pytest.raises(ValueError, match="batch axis"):
        losses.generator_loss_wasserstein(jnp.float32(1.0))


# ---- penalties --------------------------------------------------------------------------------------------------

W = jnp.array([3.0, 4.0])            # a linear critic f(x) = w.x has gradient w everywhere: ||w|| = 5


def linear(w):
    return lambda x: x @ w


def test_penalties_of_a_linear_critic_have_closed_forms():
    real = jax.random.normal(jax.random.key(0), (8, 2))
    fake = jax.random.normal(jax.random.key(1), (8, 2)) + 3.0
    np.testing.assert_allclose(losses.r1_penalty(linear(W), real, 10.0), 5.0 * 25, rtol=1e-6)    # gamma/2 ||w||^2
    np.testing.assert_allclose(losses.r2_penalty(linear(W), fake, 0.5), 0.25 * 25, rtol=1e-6)
    np.testing.assert_allclose(losses.gradient_penalty(linear(W), real, fake, jax.random.key(2)), 10.0 * 16,
                               rtol=1e-6)                                               # lambda (||w|| - 1)^2
    # image-shaped input: the norm is over all of an example's pixels
    w_img = jnp.full((2, 3, 1), 0.5)                                                    # ||w||^2 = 6 * 0.25
    img = jax.random.normal(jax.random.key(3), (4, 2, 3, 1))
    critic = lambda x: jnp.sum(x * w_img, axis=(1, 2, 3))
    np.testing.assert_allclose(losses.r1_penalty(critic, img, 2.0), 1.5, rtol=1e-6)
    np.testing.assert_allclose(losses.gradient_penalty(critic, img, -img, jax.random.key(4), 1.0),
                               (np.sqrt(1.5) - 1) ** 2, rtol=1e-5)


def _fd_input_grads(f, x, eps=1e-5):
    """Each example's input gradient by central differences, in float64 numpy (f: (d,) -> scalar)."""
    g = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            e = np.zeros(x.shape[1])
            e[j] = eps
            g[i, j] = (f(x[i] + e) - f(x[i] - e)) / (2 * eps)
    return g


def test_penalties_of_a_nonlinear_critic_match_finite_differences():
    a = np.array([[1.0, -0.5, 0.3], [0.2, 0.8, -1.1]])
    f_np = lambda v: np.sum(np.tanh(v @ a)) + 0.3 * np.sum(v ** 2)
    critic = lambda x: jnp.sum(jnp.tanh(x @ jnp.asarray(a, jnp.float32)), axis=1) + 0.3 * jnp.sum(x ** 2, axis=1)
    real = np.random.default_rng(0).normal(size=(6, 2))
    fake = np.random.default_rng(1).normal(size=(6, 2))
    g = _fd_input_grads(f_np, real)
    np.testing.assert_allclose(losses.r1_penalty(critic, jnp.float32(real), 3.0),
                               1.5 * np.mean(np.sum(g ** 2, axis=1)), rtol=1e-4)
    key = jax.random.key(5)
    eps = np.asarray(jax.random.uniform(key, (6, 1)), np.float64)          # the coefficients gradient_penalty draws
    x_hat = eps * real + (1 - eps) * fake
    g_hat = _fd_input_grads(f_np, x_hat)
    want = 10.0 * np.mean((np.linalg.norm(g_hat, axis=1) - 1) ** 2)
    np.testing.assert_allclose(losses.gradient_penalty(critic, jnp.float32(real), jnp.float32(fake), key), want,
                               rtol=1e-4)


def test_penalties_are_differentiable_in_the_critics_parameters():
    real = jax.random.normal(jax.random.key(0), (8, 2))
    fake = jax.random.normal(jax.random.key(1), (8, 2))
    # d/dw [gamma/2 ||w||^2] = gamma w;  d/dw [lambda (||w|| - 1)^2] = 2 lambda (||w|| - 1) w / ||w||
    np.testing.assert_allclose(jax.grad(lambda w: losses.r1_penalty(linear(w), real, 10.0))(W), 10.0 * W, rtol=1e-6)
    np.testing.assert_allclose(jax.grad(lambda w: losses.r2_penalty(linear(w), fake, 2.0))(W), 2.0 * W, rtol=1e-6)
    np.testing.assert_allclose(jax.grad(lambda w: losses.gradient_penalty(linear(w), real, fake, jax.random.key(2)))(W),
                               2 * 10.0 * 4.0 * W / 5.0, rtol=1e-6)
    # a flax module's parameters, as the brief's callers pass them: matches a finite difference along a direction
    D = models.MLPDiscriminator(2, (8, 8), rngs=nnx.Rngs(0))
    gd, params = nnx.split(D, nnx.Param)

    def penalty(params):
        return losses.r1_penalty(lambda x: nnx.merge(gd, params)(x), real, 1.0)

    grads = jax.grad(penalty)(params)
    direction = jax.tree_util.tree_map(lambda p: jax.random.normal(jax.random.key(7), p.shape), params)
    dot = sum(float(jnp.vdot(a, b)) for a, b in zip(jax.tree_util.tree_leaves(grads),
                                                  jax.tree_util.tree_leaves(direction)))
    h = 1e-3
    shifted = lambda s: jax.tree_util.tree_map(lambda p, d: p + s * h * d, params, direction)
    fd = (float(penalty(shifted(1))) - float(penalty(shifted(-1)))) / (2 * h)
    assert abs(dot) > 1e-3
    np.testing.assert_allclose(dot, fd, rtol=2e-2)


def test_gradient_penalty_is_finite_where_the_critics_gradient_is_zero():
    real, fake = jnp.ones((4, 2)), jnp.zeros((4, 2))
    zero = jnp.zeros(2)
    v, g = jax.value_and_grad(lambda w: losses.gradient_penalty(linear(w), real, fake, jax.random.key(0)))(zero)
    assert float(v) == 10.0 and np.all(np.isfinite(g))                 # (0 - 1)^2 * lambda
    naive = jax.grad(lambda w: jnp.sqrt(jnp.sum(jnp.square(w))))(zero)  # the norm written plainly: NaN at 0
    assert not np.all(np.isfinite(naive))


def test_penalties_bad_input():
    x = jnp.zeros((4, 2))
    with pytest.raises(ValueError, match=r"one score per example.*\[:, 0\]"):
        losses.r1_penalty(lambda x: x, x)                               # (N, 2) scores: forgot to index the logit
    with pytest.raises(ValueError, match="same shape"):
        losses.gradient_penalty(linear(W), x, jnp.zeros((3, 2)), jax.random.key(0))
    with pytest.raises(TypeError, match="floating-point batch"):
        losses.r2_penalty(linear(W), jnp.zeros((4, 2), jnp.int32))
    with pytest.raises(ValueError, match="batch of shape"):
        losses.r1_penalty(linear(W), jnp.zeros(2))


def test_clip_weights():
    tree = {"w": jnp.array([-0.5, -0.005, 0.0, 0.02]), "count": jnp.array([7], jnp.int32)}
    out = losses.clip_weights(tree, 0.01)
    np.testing.assert_array_equal(out["w"], np.float32([-0.01, -0.005, 0.0, 0.01]))
    np.testing.assert_array_equal(out["count"], [7])                    # integers (e.g. RNG counters) untouched
    np.testing.assert_array_equal(losses.clip_weights(tree)["w"], out["w"])   # default c = 0.01
    with pytest.raises(ValueError, match="positive.*0.01"):
        losses.clip_weights(tree, 0.0)


# ---- models: spectral norm, minibatch std, packing ----------------------------------------------------------------

def top_singular_value(kernel):
    k = np.asarray(kernel)
    return np.linalg.svd(k.reshape(-1, k.shape[-1]), compute_uv=False)[0]


@pytest.mark.parametrize("make, x", [
    (lambda sn: models.MLPDiscriminator(2, (16, 16), spectral_norm=sn, rngs=nnx.Rngs(0)), jnp.ones((8, 2))),
    (lambda sn: models.DCGANDiscriminator(base=4, spectral_norm=sn, rngs=nnx.Rngs(0)), jnp.ones((2, 28, 28, 1))),
])
def test_spectral_norm_divides_each_kernel_by_its_largest_singular_value(make, x):
    plain, d = make(False), make(True)
    sns = [m for _, m in nnx.iter_modules(d) if isinstance(m, models.SpectralNorm)]
    assert len(sns) == 3                                                # every Linear and Conv
    raw = [np.asarray(m.layer.kernel[...]) for m in sns]
    for a, b in zip(jax.tree_util.tree_leaves(nnx.state(plain, nnx.Param)),
                    jax.tree_util.tree_leaves(nnx.state(d, nnx.Param))):
        np.testing.assert_array_equal(a, b)                             # the raw weights: the plain model's init
    assert any(abs(top_singular_value(k) - 1) > 0.1 for k in raw)      # so that normalising is visible
    for m in sns:
        m.n_steps = 20                                  # power iterations per call (1 in training: u carries over)
    for _ in range(10):
        d(x)
    for m, k in zip(sns, raw):
        np.testing.assert_allclose(top_singular_value(m.normalized_kernel()), 1.0, rtol=1e-3)
        np.testing.assert_allclose(float(m.sigma[...]), top_singular_value(k), rtol=1e-3)
        np.testing.assert_array_equal(m.layer.kernel[...], k)          # the stored kernel stays the raw one


def test_spectral_norm_updates_in_training_and_not_in_eval_and_checkpoints(tmp_path):
    d = models.MLPDiscriminator(2, (8,), spectral_norm=True, rngs=nnx.Rngs(1))
    x = jax.random.normal(jax.random.key(0), (5, 2))
    u0 = np.asarray(d.hidden[0].u[...])                                 # (8,) (the out layer's u is 1-D: +-1)
    d(x)
    assert not np.array_equal(u0, d.hidden[0].u[...])                   # training mode: the iteration is kept
    h = nnx.leaky_relu(d.hidden[0](x), 0.2)
    d.eval()
    stats = [np.asarray(v) for v in jax.tree_util.tree_leaves(nnx.state(d, nnx.BatchStat))]
    y1, y2 = d(x), d(x)
    np.testing.assert_array_equal(y1, y2)                               # eval: a pure function of the state
    for a, b in zip(stats, jax.tree_util.tree_leaves(nnx.state(d, nnx.BatchStat))):
        np.testing.assert_array_equal(a, b)
    # the forward pass uses W / sigma: the out layer by hand
    np.testing.assert_allclose(d.out(h), h @ d.out.normalized_kernel() + d.out.layer.bias[...], rtol=1e-5)
    checkpoint.save_module(tmp_path / "d", d)                           # flax's nnx.SpectralNorm fails here
    back = models.MLPDiscriminator(2, (8,), spectral_norm=True, rngs=nnx.Rngs(9))
    checkpoint.load_module(tmp_path / "d", back)
    back.eval()
    np.testing.assert_array_equal(back(x), y1)
    with pytest.raises(ValueError, match="n_steps"):
        models.SpectralNorm(nnx.Linear(2, 2, rngs=nnx.Rngs(0)), n_steps=0, rngs=nnx.Rngs(0))


def test_minibatch_std_against_numpy():
    h = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    out = np.asarray(models.minibatch_std(jnp.asarray(h)))
    s = np.mean(np.sqrt(np.var(h, axis=0) + 1e-8))                      # population std per feature, averaged
    assert out.shape == (5, 4)
    np.testing.assert_array_equal(out[:, :3], h)
    np.testing.assert_allclose(out[:, 3], s, rtol=1e-6)
    img = np.random.default_rng(1).normal(size=(4, 3, 3, 2)).astype(np.float32)
    out = np.asarray(models.minibatch_std(jnp.asarray(img)))
    assert out.shape == (4, 3, 3, 3)                                    # one constant channel
    np.testing.assert_allclose(out[..., 2], np.mean(np.sqrt(np.var(img, axis=0) + 1e-8)), rtol=1e-6)
    with pytest.raises(ValueError, match="at least 2"):
        models.minibatch_std(jnp.zeros((1, 3)))


def test_minibatch_std_lets_each_logit_see_the_batch():
    x = jax.random.normal(jax.random.key(0), (6, 2))
    moved = x.at[1].add(5.0)                                            # change example 1 only
    plain = models.MLPDiscriminator(2, (8,), rngs=nnx.Rngs(0))
    mb = models.MLPDiscriminator(2, (8,), minibatch_std=True, rngs=nnx.Rngs(0))
    assert mb.out.in_features == 9 and plain.out.in_features == 8
    assert float(plain(x)[0]) == float(plain(moved)[0])
    assert float(mb(x)[0]) != float(mb(moved)[0])                       # example 0's logit depends on example 1
    dc = models.DCGANDiscriminator(base=4, minibatch_std=True, rngs=nnx.Rngs(0))
    assert dc.fc.in_features == 7 * 7 * 9 and dc(jnp.zeros((3, 28, 28, 1))).shape == (3,)


def test_pack_samples_order_shape_and_error():
    x = jnp.arange(12.0).reshape(6, 2)
    p = models.pack_samples(x, 2)
    np.testing.assert_array_equal(p, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]])   # consecutive rows side by side
    assert models.pack_samples(x, 3).shape == (2, 6) and models.pack_samples(x, 1) is x
    img = jax.random.normal(jax.random.key(0), (4, 5, 5, 1))
    p = models.pack_samples(img, 2)
    assert p.shape == (2, 5, 5, 2)
    np.testing.assert_array_equal(p[1, ..., 0], img[2, ..., 0])
    np.testing.assert_array_equal(p[1, ..., 1], img[3, ..., 0])
    with pytest.raises(ValueError, match="divisible by the pack size 2.*multiple of 2"):
        models.pack_samples(jnp.zeros((5, 2)), 2)
    with pytest.raises(ValueError, match="integer >= 1"):
        models.pack_samples(x, 0)


def test_packed_discriminators_take_packs_and_name_the_fix():
    d = models.MLPDiscriminator(2, (8,), pack=3, rngs=nnx.Rngs(0))
    assert d.hidden[0].in_features == 6 and d(models.pack_samples(jnp.zeros((9, 2)), 3)).shape == (3,)
    with pytest.raises(ValueError, match=r"pack_samples\(x, 3\)"):
        d(jnp.zeros((9, 2)))
    dc = models.DCGANDiscriminator(base=4, pack=2, rngs=nnx.Rngs(0))
    assert dc.conv1.in_features == 2 and dc(jnp.zeros((2, 28, 28, 2))).shape == (2,)
    with pytest.raises(ValueError, match="pack"):
        models.MLPDiscriminator(2, pack=0, rngs=nnx.Rngs(0))


# ---- the training step ------------------------------------------------------------------------------------------

def mlp_gan(seed=0, **d_options):
    return steps.GAN(models.MLPGenerator(latent_dim=2, hidden=(16, 16), rngs=nnx.Rngs(seed)),
                     models.MLPDiscriminator(hidden=(16, 16), rngs=nnx.Rngs(seed + 1), **d_options),
                     g_lr=1e-3, d_lr=1e-3)


def leaves(tree):
    return [jax.random.key_data(x) if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key) else x
            for x in jax.tree_util.tree_leaves(tree)]


REAL = jax.random.normal(jax.random.key(0), (16, 2))
KEY = jax.random.key(7)


def one_step(gan, **opts):
    _, state, step = steps.make_train_step(gan, **opts)
    state, m = step(state, REAL, KEY)
    return state, m


@pytest.mark.parametrize("penalty", ["r1", "r2", "r1+r2", "gp"])
def test_step_penalty_is_the_losses_formula_on_d_before_the_update(penalty):
    gan = mlp_gan(3)
    gd, st = nnx.split(gan.discriminator)
    critic = lambda x: nnx.merge(gd, st, copy=True)(x)
    fake = gan.generator(jax.random.normal(jax.random.split(KEY, 1)[-1], (16, 2)))   # the step's fakes
    want = {"r1": lambda: losses.r1_penalty(critic, REAL, 2.0),
            "r2": lambda: losses.r2_penalty(critic, fake, 2.0),
            "r1+r2": lambda: losses.r1_penalty(critic, REAL, 2.0) + losses.r2_penalty(critic, fake, 2.0),
            "gp": lambda: losses.gradient_penalty(critic, REAL, fake,
                                                  jax.random.split(jax.random.fold_in(KEY, 1), 1)[-1], 2.0)}[penalty]()
    _, m = one_step(gan, penalty=penalty, penalty_weight=2.0)
    assert float(want) > 0
    np.testing.assert_allclose(m["penalty"], want, rtol=1e-5)
    _, m0 = one_step(mlp_gan(3))
    np.testing.assert_allclose(m["d_loss"], m0["d_loss"], rtol=1e-6)   # d_loss: the adversarial part only
    assert "penalty" not in m0


def test_r1_argument_is_penalty_r1_under_its_old_metric_name():
    sa, ma = one_step(mlp_gan(), r1=10.0)
    sb, mb = one_step(mlp_gan(), penalty="r1")                          # its default gamma: 10
    for a, b in zip(leaves(sa), leaves(sb)):
        np.testing.assert_array_equal(a, b)                             # the same step, bit for bit
    assert "r1_penalty" in ma and "penalty" not in ma and float(ma["r1_penalty"]) == float(mb["penalty"]) > 0


def test_packed_step_equals_textbook_alternation_on_packs():
    """With pack=2 the step feeds D packs of real and of fake samples: written plainly here, with the LSGAN loss."""
    gan_a, gan_b = mlp_gan(5, pack=2), mlp_gan(5, pack=2)
    state, m = one_step(gan_a, discriminator_loss="lsgan", generator_loss="lsgan")
    nnx.update(gan_a, state)
    z = jax.random.normal(jax.random.split(KEY, 1)[-1], (16, 2))
    fake = gan_b.generator(z)
    pack = lambda x: models.pack_samples(x, 2)
    r0 = gan_b.discriminator(pack(REAL))
    gd = nnx.grad(lambda D: losses.discriminator_loss_lsgan(D(pack(REAL)), D(pack(fake))))(gan_b.discriminator)
    gan_b.d_opt.update(gan_b.discriminator, gd)
    gg = nnx.grad(lambda G: losses.generator_loss_lsgan(gan_b.discriminator(pack(G(z)))))(gan_b.generator)
    gan_b.g_opt.update(gan_b.generator, gg)
    for a, b in zip(jax.tree_util.tree_leaves(nnx.state(gan_a, nnx.Param)),
                    jax.tree_util.tree_leaves(nnx.state(gan_b, nnx.Param))):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m["d_real"], jnp.mean(jax.nn.sigmoid(r0)), rtol=1e-6)   # a mean over the 8 packs
    with pytest.raises(ValueError, match="multiple of 3"):
        steps.make_train_step(mlp_gan(pack=3))[2](nnx.state(mlp_gan(pack=3)), REAL, KEY)


def test_relativistic_step_equals_textbook_pairing():
    """The step with the relativistic loss, written plainly: D on pairs (real i, fake i), then G on the same fakes
    paired with the same real batch, scored by the updated D."""
    gan_a, gan_b = mlp_gan(6), mlp_gan(6)
    state, m = one_step(gan_a, discriminator_loss="relativistic", generator_loss="relativistic")
    nnx.update(gan_a, state)
    z = jax.random.normal(jax.random.split(KEY, 1)[-1], (16, 2))
    fake = gan_b.generator(z)
    gd = nnx.grad(lambda D: losses.discriminator_loss_relativistic(D(REAL), D(fake)))(gan_b.discriminator)
    gan_b.d_opt.update(gan_b.discriminator, gd)
    r = gan_b.discriminator(REAL)
    gg = nnx.grad(lambda G: jnp.mean(jax.nn.softplus(r - gan_b.discriminator(G(z)))))(gan_b.generator)
    gan_b.g_opt.update(gan_b.generator, gg)
    for a, b in zip(jax.tree_util.tree_leaves(nnx.state(gan_a, nnx.Param)),
                    jax.tree_util.tree_leaves(nnx.state(gan_b, nnx.Param))):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # G's update reads D on the real batch it is given: the same update against another real batch differs
    opts = steps.StepOptions(generator_loss="relativistic")
    g_losses = []
    for real in (REAL, REAL + 1.0):
        gan = mlp_gan(6)
        fake, vjp = steps.generator_forward(gan.generator, z)
        g_losses.append(float(steps.generator_update(gan.generator, gan.g_opt, gan.discriminator, fake, vjp, opts,
                                                     real=real)["g_loss"]))
    assert abs(g_losses[0] - g_losses[1]) > 1e-3
    gan = mlp_gan(6)
    fake, vjp = steps.generator_forward(gan.generator, z)
    with pytest.raises(ValueError, match="pass real="):
        steps.generator_update(gan.generator, gan.g_opt, gan.discriminator, fake, vjp,
                               steps.StepOptions(generator_loss="relativistic"))


def test_clip_keeps_every_weight_of_d_in_bounds():
    gan = mlp_gan()
    state, m = one_step(gan, discriminator_loss="wasserstein", generator_loss="wasserstein", penalty="clip")
    nnx.update(gan, state)
    w = np.concatenate([np.ravel(x) for x in jax.tree_util.tree_leaves(nnx.state(gan.discriminator, nnx.Param))])
    assert np.abs(w).max() <= 0.01 and np.mean(np.abs(w) == np.float32(0.01)) > 0.5   # most initial weights > c
    assert "penalty" not in m and np.isfinite(float(m["d_loss"]))
    g = np.concatenate([np.ravel(x) for x in jax.tree_util.tree_leaves(nnx.state(gan.generator, nnx.Param))])
    assert np.abs(g).max() > 0.01                                       # only D is clipped


def test_spectral_norm_iterates_during_training_steps():
    gan = mlp_gan(spectral_norm=True)
    u0 = np.asarray(gan.discriminator.hidden[1].u[...])
    w0 = np.asarray(gan.discriminator.out.layer.kernel[...])
    state, m = one_step(gan, discriminator_loss="hinge", generator_loss="hinge", penalty="r1")
    nnx.update(gan, state)
    assert not np.array_equal(u0, gan.discriminator.hidden[1].u[...])
    assert not np.array_equal(w0, gan.discriminator.out.layer.kernel[...]) and np.isfinite(float(m["penalty"]))


def test_step_options_bad_values_name_the_fix():
    gan = mlp_gan()
    for kw, match in [(dict(penalty="l2"), "unknown penalty"), (dict(r1=1.0, penalty="gp"), "older spelling"),
                      (dict(penalty_weight=1.0), "needs a penalty"), (dict(penalty="gp", penalty_weight=-1.0),
                                                                      "positive.*None takes the default, 10.0")]:
        with pytest.raises(ValueError, match=match):
            steps.make_train_step(gan, **kw)


@pytest.mark.parametrize("recipe", [
    dict(loss="wgan", penalty="gp"),
    dict(loss="wgan", penalty="clip"),
    dict(loss="lsgan", penalty="r2", pack=2),
    dict(loss="hinge", penalty="r1", spectral_norm=True),
    dict(loss="saturating", minibatch_std=True),
    dict(loss="relativistic", penalty="r1+r2", pack=2),
])
def test_short_fits_finish_without_nan(recipe):
    c = GANConfig(dataset="ring", hidden=(16, 16), batch_size=32, seed=1, **recipe)
    gan = build_gan(c)
    x = np.asarray(data.ring().sample(jax.random.key(0), 512))
    d0 = [np.asarray(v) for v in jax.tree_util.tree_leaves(nnx.state(gan.discriminator, nnx.Param))]
    r = train.fit(gan, data.BatchSampler(x, c.batch_size, jax.random.key(1)), key=jax.random.key(2), steps=20,
                  fuse=10, progress=False, config=c)
    h = r.history
    assert r.step == 20 and all(np.all(np.isfinite(v)) for v in h.values())
    assert ("penalty" in h) == (c.penalty in ("r1", "r2", "r1+r2", "gp"))
    assert any(not np.array_equal(a, b) for a, b in
               zip(d0, jax.tree_util.tree_leaves(nnx.state(gan.discriminator, nnx.Param))))


# ---- config and command line ------------------------------------------------------------------------------------

NEW = dict(loss="wgan", penalty="gp", penalty_weight=5.0, spectral_norm=True, minibatch_std=True, pack=2)


def test_config_round_trip_and_old_dicts():
    c = GANConfig(dataset="ring", hidden=(8, 8), **NEW)
    back = GANConfig.from_dict(json.loads(json.dumps(c.to_dict())))
    assert back == c and (back.penalty, back.penalty_weight, back.pack) == ("gp", 5.0, 2)
    old = {k: v for k, v in GANConfig(dataset="ring").to_dict().items() if k not in NEW}
    loaded = GANConfig.from_dict(old)
    assert (loaded.loss, loaded.penalty, loaded.penalty_weight, loaded.spectral_norm, loaded.minibatch_std,
            loaded.pack) == ("non_saturating", "none", None, False, False, 1)
    assert all(BEFORE_OPTIONS[k] == getattr(GANConfig(), k) for k in NEW)  # the stabilisers are off by default
    assert GANConfig.from_dict({"dataset": "ring", "r1": 2.0}).step_options()["r1"] == 2.0   # old r1 configs


def test_config_step_options_and_build_gan_pass_the_stabilisers():
    c = GANConfig(dataset="ring", hidden=(8, 8), **NEW)
    assert dict(**c.step_options()) == dict(k_disc=1, generator_loss="wasserstein", discriminator_loss="wasserstein",
                                    label_smoothing=0.0, r1=0.0, penalty="gp", penalty_weight=5.0, l1_weight=0.0,
                                    augment="none", augment_p=1.0, ada_target=0.6, ada_kimg=20.0)
    d = build_gan(c).discriminator
    assert d.pack == 2 and d.minibatch_std and isinstance(d.out, models.SpectralNorm)
    assert d.hidden[0].layer.in_features == 4 and d.out.layer.in_features == 9
    dc = build_gan(GANConfig(spectral_norm=True, pack=4, d_base=4, g_base=8)).discriminator
    assert isinstance(dc.conv1, models.SpectralNorm) and dc.conv1.layer.in_features == 4


@pytest.mark.parametrize("bad, match", [
    (dict(penalty="l2"), "unknown penalty"),
    (dict(r1=1.0, penalty="r1"), "older spelling.*set r1=0"),
    (dict(penalty_weight=1.0), "needs a penalty"),
    (dict(penalty="r1", penalty_weight=0.0), "penalty_weight must be positive"),
    (dict(penalty="clip"), "use it with loss 'wgan'"),
    (dict(pack=3), "multiple of 3"),
    (dict(pack=0), "positive integer"),
    (dict(batch_size=4, pack=4, minibatch_std=True), "at least 2"),
    (dict(loss="lsgan", label_smoothing=0.1), "label_smoothing=0"),
    (dict(loss="wasserstein"), "unknown loss"),
])
def test_config_bad_stabilisers_name_the_fix(bad, match):
    with pytest.raises(ValueError, match=match):
        GANConfig(dataset="ring", **bad)


def test_cli_trains_wgan_gp_with_every_discriminator_option_and_samples(tmp_path, capsys):
    out = tmp_path / "ring"
    assert main(["train", "--dataset", "ring", "--steps", "20", "--loss", "wgan", "--penalty", "gp",
                 "--spectral-norm", "--pack", "2", "--minibatch-std", "--out", str(out), "--quiet"]) == 0
    meta = checkpoint.load_meta(out)
    assert {k: meta["config"][k] for k in NEW} == dict(NEW, penalty_weight=None)
    hist = json.loads((out / "metrics.json").read_text())["history"]
    assert len(hist["penalty"]) == 20 and np.all(np.isfinite(hist["penalty"]))
    gan = checkpoint.load_gan(out)                                      # rebuilt with spectral norm, packs, std
    assert isinstance(gan.discriminator.out, models.SpectralNorm)
    assert main(["sample", "--checkpoint", str(out), "--n", "10", "--out", str(tmp_path / "s.npz")]) == 0
    capsys.readouterr()
    assert main(["train", "--dataset", "ring", "--steps", "5", "--pack", "3", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "multiple of 3" in err and err.strip().count("\n") == 0
