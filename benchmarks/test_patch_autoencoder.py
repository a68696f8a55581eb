"""Notebook 13's autoencoder miniature: a short run of each loss writes a complete row, and the shipped rows are
what the notebook says they are."""
import json

import numpy as np

import patch_autoencoder
from gan_utils import precomputed


def test_a_short_run_of_each_loss_writes_its_row(tmp_path, monkeypatch):
    monkeypatch.setattr(patch_autoencoder, "OUT", tmp_path / "rows.jsonl")
    monkeypatch.setattr(patch_autoencoder, "N_TEST", 500)
    assert patch_autoencoder.main(["--weights", "0", "0.1", "--seeds", "3", "--steps", "6"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert [(r["weight"], r["seed"], r["steps"]) for r in rows] == [(0.0, 3, 6), (0.1, 3, 6)]
    for r in rows:
        assert 0 < r["mse"] < 4 and 0 <= r["label_kept"] <= 1 and r["fid"] > r["floor"]["fid"] > 0
        assert np.asarray(r["shown"]).shape == (patch_autoencoder.SHOWN, 28, 28)
    assert "d_loss" not in rows[0]["history"][0] and "d_loss" in rows[1]["history"][0]   # D trains only with W > 0


def test_the_shipped_rows_pair_each_seed_with_both_losses():
    results, record = precomputed.load("13_autoencoder")
    runs = results["runs"]
    seeds = {w: sorted(r["seed"] for r in runs if r["weight"] == w) for w in (0.0, 0.1)}
    assert seeds[0.0] == seeds[0.1] == [0, 1, 2, 3, 4] and len(runs) == 10
    assert {r["steps"] for r in runs} == {1500} and results["n_scored"] == patch_autoencoder.N_TEST
    assert all(np.asarray(r["shown"]).dtype == np.uint8 for r in runs)
