"""The test run's own machinery (conftest.py, tests/kernel_run.py, scripts/test_times.py): the time budget fails a
run that passes it, a stalled notebook fails by its deadline naming its cell, the record orders and marks the run."""
import json
from pathlib import Path

import nbformat
import pytest

import course_scripts

ROOT = Path(__file__).resolve().parents[1]


def _root_conftest():
    """The repository's conftest.py (the budget and the order), not tests/conftest.py."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


root_conftest = _root_conftest()

test_times = course_scripts.load("test_times")


def _rows(*pairs):
    return [{"test": t, "worker": "gw0", "start": 1000.0 + i, "s": s} for i, (t, s) in enumerate(pairs)]


def test_the_budget_fails_a_run_that_passes_it_and_names_the_slowest_files():
    rows = _rows(("notebooks/07.ipynb::Cell 1", 300.0), ("notebooks/07.ipynb::Cell 2", 100.0), ("tests/a.py::t", 5.0))
    ok, text = root_conftest.budget_verdict(25 * 60 + 1, 25, rows)
    assert not ok and "OVER IT" in text and "notebooks/07.ipynb" in text.splitlines()[1], text
    ok, text = root_conftest.budget_verdict(24 * 60, 25, rows)
    assert ok and "within it" in text and "400.0 s" in text, text


def test_the_budget_scales_up_on_a_slower_machine_never_down():
    rows = _rows(("tests/a.py::t", 5.0))
    ok, text = root_conftest.budget_verdict(40 * 60, 25, rows, machine_s=0.2, reference_s=0.1)   # twice as slow
    assert ok and "x 2.00" in text, text
    ok, text = root_conftest.budget_verdict(51 * 60, 25, rows, machine_s=0.2, reference_s=0.1)
    assert not ok, text
    ok, text = root_conftest.budget_verdict(26 * 60, 25, rows, machine_s=0.05, reference_s=0.1)   # faster: 25 still
    assert not ok and " x " not in text, text
    assert root_conftest.machine_seconds() > 0


def test_the_budget_is_recorded_in_the_repository():
    import tomllib
    ini = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert 0 < float(ini["test_budget_minutes"]) <= 25 and ini["timeout"] <= 300, ini
    record = json.loads((ROOT / "tests" / "test_times.json").read_text())
    assert 0 < record["machine_seconds"] < 10, "the record needs the speed of the machine that made it"


def test_the_record_orders_files_longest_first_and_marks_slow_tests(tmp_path):
    record = test_times.summarise(_rows(("tests/a.py::quick", 0.5), ("tests/a.py::long", 4.0),
                                        ("notebooks/01.ipynb::Cell 0", 9.0), ("tests/b.py::t", 20.0)))
    assert list(record["files"]) == ["tests/b.py", "notebooks/01.ipynb", "tests/a.py"]
    assert record["slow_tests"] == {"tests/a.py::long": 4.0, "tests/b.py::t": 20.0}   # notebooks: slow as a whole
    with pytest.raises(ValueError, match="run the full suite"):
        test_times.summarise([])


def test_the_committed_record_knows_every_test_file():
    """A file the record does not know is placed by a guess; refresh the record (scripts/test_times.py)."""
    files = json.loads((ROOT / "tests" / "test_times.json").read_text())["files"]
    here = {str(p.relative_to(ROOT)) for d in ("tests", "benchmarks") for p in (ROOT / d).glob("test_*.py")}
    here |= {str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    missing = sorted(here - set(files))
    assert missing == [], f"not in tests/test_times.json: {missing} (python scripts/test_times.py after a full run)"


def test_a_stalled_notebook_fails_by_its_deadline_and_names_its_cell(tmp_path):
    import kernel_run
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("import time\ntime.sleep(120)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    with pytest.raises(kernel_run.NotebookStalled, match="notebook 0, cell 1 started"):
        kernel_run.execute(nb, "python3", tmp_path, deadline=15)
    nb.cells = nb.cells[:1] + [nbformat.v4.new_code_cell("print(x + 1)")]
    out = kernel_run.execute(nb, "python3", tmp_path, deadline=60)
    assert out.cells[1].outputs[0]["text"] == "2\n"
