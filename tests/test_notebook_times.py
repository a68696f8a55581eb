"""Every notebook prints its own time last, from a normal-mode run, and the README's table
takes its times from there."""
from pathlib import Path

import course_scripts
import pytest

ROOT = Path(__file__).resolve().parents[1]
nt = course_scripts.load("notebook_times")
IPYNBS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("ipynb", IPYNBS, ids=lambda p: p.stem)
def test_the_last_output_is_the_notebooks_own_time_from_a_normal_run(ipynb):
    t = nt.notebook_time(ipynb)
    assert t is not None, (f"{ipynb.name}: its last code cell must print course.top_to_bottom(T_START), and the "
                           "committed outputs must come from a full run: "
                           f"./course.sh execute notebooks/{ipynb.stem}.py")
    assert not t["under_test"], f"{ipynb.name} was saved from a test-mode run: ./course.sh execute it"
    assert 0 < t["minutes"] < 120


def test_the_readme_table_agrees_with_the_notebooks():
    rows = nt.readme_table_rows((ROOT / "README.md").read_text())
    for nb, t in nt.times().items():
        assert nb in rows, f"notebook {nb} has no row in the README's table"
        assert rows[nb][-1] == nt.cell(t), (f"README says {rows[nb][-1]!r} for notebook {nb}, its last line says "
                                            f"{nt.cell(t)!r}: python scripts/notebook_times.py --readme")


def test_the_time_line_is_parsed_and_a_test_run_is_told_apart(monkeypatch):
    import time

    from gan_utils import course
    monkeypatch.setenv("GAN_COURSE_TEST", "1")
    line = course.top_to_bottom(time.perf_counter() - 90)
    m = nt.LINE.search(line)
    assert m and float(m["minutes"]) == 1.5 and "under test" in m["rest"]
    monkeypatch.delenv("GAN_COURSE_TEST")
    m = nt.LINE.search(course.top_to_bottom(time.perf_counter() - 30))
    assert m and float(m["minutes"]) == 0.5 and "under test" not in m["rest"]


def test_the_readme_rewrite_changes_only_the_time_column():
    text = "| # | notebook | what | old header |\n|---|---|---|---|\n| 01 | [a](x) | b | about 1 min |\nother line\n"
    out = nt.rewrite_readme(text, {"01": {"minutes": 0.4, "date": "2026-11-23", "rest": "load average 1.3 on 2 CPUs",
                                          "under_test": False}})
    assert out == ("| # | notebook | what | " + nt.COLUMN + " |\n|---|---|---|---|\n| 01 | [a](x) | b | 0.4 min "
                   "(2026-11-23, load 1.3) |"
                   "\nother line\n")


def test_section_times_add_up_the_cells_under_each_heading_wherever_it_sits(tmp_path):
    """The teachers' page tables ({cell-times}): seconds from Jupyter's execution record, per "## " section, a
    heading in the middle of a markdown cell included, MyST's anchors (inline math dropped)."""
    def run(seconds):
        return {"cell_type": "code", "source": ["x = 1\n"], "outputs": [], "metadata": {"execution": {
            "iopub.execute_input": "2026-11-26T03:00:00.000000Z",
            "shell.execute_reply": f"2026-11-26T03:00:{seconds:02d}.500000Z"}}}
    cells = [{"cell_type": "markdown", "source": ["# 99 Title"], "metadata": {}}, run(2),
             {"cell_type": "markdown", "source": ["## 1. First: $p$ and $q$"], "metadata": {}}, run(3), run(10),
             {"cell_type": "markdown", "source": ["Closing words.\n", "\n", "## 2. Second\n", "\n", "Words."],
              "metadata": {}}, run(4), {"cell_type": "code", "source": ["never run"], "outputs": [], "metadata": {}},
             {"cell_type": "markdown", "source": ["## Appendix A: more"], "metadata": {}}, run(1)]
    nb = tmp_path / "99_x.ipynb"
    nb.write_text(__import__("json").dumps({"cells": cells}))
    got = [(s["title"], s["anchor"], s["cells"], round(s["seconds"], 1), s["appendix"]) for s in nt.section_times(nb)]
    assert got == [("Setup and introduction", "", 1, 2.5, False),
                   ("1. First: $p$ and $q$", "1-first--and-", 2, 14.0, False),
                   ("2. Second", "2-second", 1, 4.5, False), ("Appendix A: more", "appendix-a-more", 1, 1.5, True)]
