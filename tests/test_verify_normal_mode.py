"""The learner's run, in CI: a notebook in its normal mode (not the test mode nbval runs) with every seed shifted.

`./course.sh verify` runs any notebook this way (scripts/verify_notebook.py; the table of every notebook at two
offsets is in benchmarks/RESULTS.md). CI can afford the normal mode of notebook 01 only (about 20-35 s; the others take
up to about 7 minutes), so this test runs 01 with an offset that changes every day (1 to 7): over a week CI sees seven
other runs than the committed one.
"""
import datetime
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))


def test_notebook_01_normal_mode_passes_with_shifted_seeds(tmp_path):
    """Run in a process of its own, as `./course.sh verify` runs it (tests/kernel_run.py says why a test worker
    must not drive a kernel with nbclient itself), with a deadline that fails loudly."""
    import json
    import subprocess
    offset = 1 + datetime.date.today().toordinal() % 7
    record = tmp_path / "record.jsonl"
    try:
        done = subprocess.run([sys.executable, str(REPO / "scripts" / "verify_notebook.py"),
                        "notebooks/01_probability_background.py", "--seed-offset", str(offset), "--timeout", "200",
                        "--record", str(record)], cwd=REPO, capture_output=True, text=True, timeout=240)
    except subprocess.TimeoutExpired as stalled:
        raise AssertionError(f"notebook 01 in its normal mode passed its 240 s deadline: {stalled.stderr!r}"[-3000:])
    lines = record.read_text().splitlines() if record.exists() else []
    assert len(lines) == 1, f"scripts/verify_notebook.py recorded {len(lines)} results: {done.stderr[-3000:]}"
    result = json.loads(lines[0])
    assert result["passed"], (f"notebook 01 in its normal mode with seeds shifted by {offset} "
                              f"(reproduce: ./course.sh verify notebooks/01_probability_background.py "
                              f"--seed-offset {offset}): {result['errors'] or result['crashed']}")


def test_a_failing_cell_is_recorded_with_its_line_and_what_it_printed(tmp_path):
    """A failure without an assert message is diagnosable from the record alone: its line and its printed numbers."""
    import verify_notebook
    work = tmp_path / "notebooks"
    work.mkdir()
    nb = work / "99_fails.py"
    nb.write_text('# %%\nx = 41\nprint(f"x is {x}")\nassert x == 42\n\n# %%\nprint("the next cell still runs")\n')
    result = verify_notebook.verify(nb, 1, work, timeout=120)
    assert not result["passed"] and result["crashed"] is None
    (error,) = result["errors"]
    assert error["cell"] == 0 and error["error"].startswith("AssertionError")
    assert "assert x == 42" in error["line"] and error["printed"] == "x is 41\n"


def test_keep_writes_the_executed_notebook_with_its_outputs(tmp_path):
    """--keep: the executed notebook (what every cell printed, under the shifted seeds) is kept for reading after."""
    import nbformat
    import verify_notebook
    work = tmp_path / "notebooks"
    work.mkdir()
    nb = work / "98_prints.py"
    nb.write_text('# %%\nimport jax\nprint("key data", jax.random.key_data(jax.random.key(5)).tolist())\n')
    result = verify_notebook.verify(nb, 3, work, timeout=120, keep=tmp_path / "kept")
    assert result["passed"]
    kept = nbformat.read(str(tmp_path / "kept" / "98_prints.offset3.ipynb"), as_version=4)
    printed = "".join(o.get("text", "") for c in kept.cells for o in c.get("outputs", []))
    assert "key data [0, 8]" in printed, printed      # key(5) ran as key(5 + 3)


def test_a_file_that_is_no_notebook_and_an_unwritable_record_are_refused_before_running(tmp_path, capsys):
    """gan_utils/__init__.py ran as a one-cell notebook and passed; --record DIR raised after the notebook ran."""
    import pytest
    import verify_notebook
    for argv, said in ((["gan_utils/__init__.py"], "is not a notebook"),
                       (["notebooks/01_probability_background.py", "--record", str(tmp_path)], "is a folder"),
                       (["notebooks/01_probability_background.py", "--keep", str(REPO / "README.md")], "--keep")):
        with pytest.raises(SystemExit) as raised:
            verify_notebook.main([str(REPO / a) if a.endswith(".py") else a for a in argv])
        assert raised.value.code == 2 and said in capsys.readouterr().err
