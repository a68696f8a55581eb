"""widgets.LiveTraining: the callback that redraws the sample grid and the losses while notebook 05 trains."""
import jax
import numpy as np
import pytest
from flax import nnx

from gan_utils import models, steps, widgets


def _gan():
    return steps.GAN(models.DCGANGenerator(latent_dim=8, base=16, rngs=nnx.Rngs(0)),
                     models.DCGANDiscriminator(base=8, rngs=nnx.Rngs(1)))


def test_frames_are_kept_and_the_picture_is_a_png():
    z = jax.random.normal(jax.random.key(0), (16, 8))
    live = widgets.LiveTraining(z, steps=100)
    gan = _gan()
    live(0, gan, None)
    history = {"step": list(range(50)), "d_loss": list(np.linspace(1.4, 1.0, 50)),
               "g_loss": list(np.linspace(0.7, 1.5, 50))}
    live(50, gan, history)
    assert [s for s, _ in live.frames] == [0, 50] and live.frames[1][1].shape == (16, 28, 28, 1)
    np.testing.assert_array_equal(live.frames[0][1], models.sample(gan.sampler(), None, 16, z=z))  # the same z
    png = live.png(50, live.frames[1][1], history)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    assert live.handle is None        # outside a notebook nothing is displayed


def test_a_grid_needs_a_square_number_of_codes():
    with pytest.raises(ValueError, match="square number"):
        widgets.LiveTraining(np.zeros((10, 8)))
