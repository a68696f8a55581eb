"""The rival probe of notebook 10: a tiny VAE run goes end to end, a frozen s stays frozen, a wrong model is refused."""
import pytest

import rivals_probe


def test_a_tiny_vae_run_with_a_frozen_scale():
    rec = rivals_probe.probe("vae", seed=0, seconds=1.0, lr=3e-3, latent=8, fixed_scale=0.3, n=200)
    assert rec["steps"] > 0 and rec["latent"] == 8
    assert rec["scale"] == pytest.approx(0.3, abs=1e-3)      # Adam did not move it
    assert rec["fid"] > 50, "one second of training cannot draw digits"
    # an untrained VAE's bound is about 28 bits per pixel (notebook 10): a second of training must lower it
    assert 0 < rec["bits_per_dim"] < 25 and rec["kl"] >= 0


def test_an_unknown_model_is_refused():
    with pytest.raises(ValueError, match="'vae' or 'diffusion'"):
        rivals_probe.probe("gan", seed=0, seconds=1.0, lr=1e-3)
