"""The learner's run, in CI: a notebook in its normal mode (not the test mode nbval runs) with every seed shifted.

`./course.sh verify` runs any notebook this way (scripts/verify_notebook.py; the table of every notebook at two
offsets is in benchmarks/RESULTS.md). CI can afford the normal mode of notebook 01 only (about 35 s; the others take
1.5 to 33 minutes), so this test runs 01 with an offset that changes every day (1 to 7): over a week CI sees seven
other runs than the committed one.
"""
import datetime
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))


def test_notebook_01_normal_mode_passes_with_shifted_seeds(tmp_path):
    import verify_notebook
    offset = 1 + datetime.date.today().toordinal() % 7
    scratch = verify_notebook._scratch(tmp_path)
    result = verify_notebook.verify(REPO / "notebooks/01_probability_background.py", offset, scratch, timeout=600)
    assert result["passed"], (f"notebook 01 in its normal mode with seeds shifted by {offset} "
                              f"(reproduce: ./course.sh verify notebooks/01_probability_background.py "
                              f"--seed-offset {offset}): {result['errors'] or result['crashed']}")
