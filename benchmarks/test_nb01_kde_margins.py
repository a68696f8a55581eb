"""The margin harness of notebook 01's section 8 runs the notebook's own code and measures what its checks assert."""
import json

import nb01_kde_margins


def test_section8_runs_the_notebooks_code_and_its_checks_hold_on_two_curves(capsys):
    nb01_kde_margins.main(["--seeds", "0-1"])
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert [r["seed"] for r in lines[:2]] == [0, 1] and lines[2]["curves"] == 2
    # the notebook's checks, which held on 100 curves with margins (benchmarks/RESULTS.md)
    assert lines[2]["checks_pass"] == 2 and 0.5 < lines[2]["slope_min"] <= lines[2]["slope_max"] < 1.5
