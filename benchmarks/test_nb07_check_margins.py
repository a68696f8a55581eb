"""The margin harness of notebook 07's checks runs the notebook's own code of sections 1.2-1.3."""
import json

import nb07_check_margins


def test_section1_runs_the_notebooks_code_and_measures_what_its_checks_assert(capsys):
    nb07_check_margins.main(["section1", "--seeds", "1"])
    row = json.loads(capsys.readouterr().out.strip())
    assert row["seed"] == 1 and set(row) >= {"d_accuracy", "saturating_end_over_max", "w1_estimate"}
    # the notebook's own checks, which held on seeds 1-5 with margins (benchmarks/RESULTS.md)
    assert row["d_accuracy"] == 1.0 and row["saturating_end_over_max"] < 0.01 and row["non_saturating_growth"] > 10
    assert abs(row["w1_estimate"] - 0.5) < 0.05 and 0.8 < row["generator_gradient"] < 1.25
