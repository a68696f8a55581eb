"""The grid search of issue #26: a short run goes end to end and cannot claim the target."""
import json

import grid_search


def test_a_short_run_reports_every_seed_and_misses_the_target(capsys):
    grid_search.main(["--seeds", "0", "1", "--only", "hinge (07's row)", "--steps", "60"])
    rec = json.loads(capsys.readouterr().out.strip())
    assert rec["variant"] == "hinge (07's row)" and rec["steps"] == 60 and rec["anneal"] == 20
    assert len(rec["modes"]) == len(rec["high_quality"]) == 2 and all(0 <= m <= 25 for m in rec["modes"])
    assert rec["meets_target"] is False           # 60 steps cannot put 90% of the samples on the 25 modes


def test_alone_trains_each_seed_by_itself(capsys):
    grid_search.main(["--seeds", "0", "1", "--only", "hinge (07's row)", "--steps", "30", "--alone"])
    recs = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert [r["seeds"] for r in recs] == [[0], [1]] and all(len(r["modes"]) == 1 for r in recs)
