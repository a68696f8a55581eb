"""The label-share harness of notebook 08 builds the notebook's own discriminators and measures what its checks say."""
import json

import nb08_label_share


def test_label_share_of_one_initialisation(capsys):
    nb08_label_share.main(["--seeds", "3"])
    row, summary = (json.loads(line) for line in capsys.readouterr().out.strip().splitlines())
    assert row["seed"] == 3 and summary["seeds"] == "3-3"
    # the one-hot x 16 multiplies the label's part by exactly 16 (the same initial weights); the wide head's 128
    # units and the narrow head's 10 both start with the label weak; the projection's label term starts large
    assert abs(row["late concatenation, scaled"] / row["late concatenation"] - 16) < 0.1     # printed to 4 decimals
    assert row["late concatenation"] < 0.15 and row["late concatenation, wide"] < 0.15 and row["projection"] > 0.5
