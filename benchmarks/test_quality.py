"""The quality-per-minute harness: its recipes are valid command lines, and one tiny run goes end to end."""
import json

import pytest

import quality
from gan_utils import __main__ as cli, config


def test_values_and_flags():
    assert quality.parse_value("5e-4") == 5e-4 and quality.parse_value("3") == 3
    assert quality.parse_value("hinge") == "hinge" and quality.parse_value("64,32") == [64, 32]
    assert quality.parse_value("None") is None and quality.parse_value("none") == "none"   # a default vs a word
    assert quality.cli_flags({"d_lr": 1e-3, "batch_size": 32}) == ["--d-lr", "0.001", "--batch-size", "32"]
    assert quality.cli_flags({"penalty": "none", "penalty_weight": None}) == ["--penalty", "none"]


@pytest.mark.parametrize("name", sorted(quality.RECIPES))
def test_every_recipe_is_a_valid_config_and_command_line(name):
    options = quality.RECIPES[name]
    config.GANConfig(**options)
    args = cli.make_parser().parse_args(["train", "--steps", "1", "--out", "x", *quality.cli_flags(options)])
    for k, v in options.items():
        assert getattr(args, k) == v, (name, k)


def test_a_tiny_run_scores_and_appends(tmp_path, monkeypatch):
    monkeypatch.setattr(quality, "RESULTS_MD", tmp_path / "q.md")
    monkeypatch.setattr(quality, "RESULTS_JSONL", tmp_path / "q.jsonl")
    rec = quality.run_one("course", {"batch_size": 16}, seed=0, minutes=None, steps=3, n_samples=300)
    assert rec["steps"] == 3 and rec["budget"] == "3 steps"
    assert rec["fid"] > 50, "three steps of training cannot draw digits"   # an untrained generator scores badly
    assert 0 <= rec["min_share"] <= rec["max_share"] <= 1 and len(rec["class_histogram"]) == 10
    quality.append(rec)
    quality.append(rec)
    text = (tmp_path / "q.md").read_text()
    assert text.count("| date |") == 1 and text.count("course (seed 0)") == 2
    assert json.loads((tmp_path / "q.jsonl").read_text().splitlines()[0])["recipe"] == "course"
