"""The pix2pix probe of issue #47: its scores mean what they say, and the no-training row runs end to end."""
import json

import numpy as np

import pix2pix_probe
from gan_utils import data


def test_scores_of_the_truth_a_blur_and_a_shuffle():
    test, bank = data.load_glyphs("test", size=16, n=50), data.load_glyphs("all", size=16)
    t, b = data.to_unit_range(test.target), data.to_unit_range(bank.target)
    perfect = pix2pix_probe.scores(t, t, test.chars, b, bank.chars)
    assert perfect == {"l1": 0.0, "nn_content": 1.0, "sharpness": 1.0}
    blur = (t + np.roll(t, 1, 1) + np.roll(t, 1, 2) + np.roll(t, (1, 1), (1, 2))) / 4
    assert pix2pix_probe.scores(blur, t, test.chars, b, bank.chars)["sharpness"] < 0.9
    wrong = pix2pix_probe.scores(np.roll(t, 1, 0), t, test.chars, b, bank.chars)
    assert wrong["nn_content"] == 0.0 and wrong["l1"] > 0.2    # every glyph named as its neighbour's character


def test_the_source_row_runs(capsys):
    pix2pix_probe.main(["--size", "16", "--only", "source"])
    row = json.loads(capsys.readouterr().out.strip())
    assert row["model"] == "source" and 0.2 < row["nn_content"] < 1 and row["l1"] > 0.1
