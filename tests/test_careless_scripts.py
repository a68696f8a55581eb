"""Nothing a learner or teacher does by mistake loses work or ends in a traceback (issue #68): the course's scripts and
commands refuse bad input before they write or install anything, in one line that names the fix.

course.sh runs here from a copy in a temporary folder whose .venv/bin holds stubs that only log their arguments, so
that a test installs nothing and starts no JupyterLab (and a check that let a bad argument through shows as a logged
install).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from babel.messages.catalog import Catalog

import course_scripts

REPO = Path(__file__).resolve().parents[1]
slides = course_scripts.load("slides")
i18n = course_scripts.load("i18n")


# -- scripts/slides.py ------------------------------------------------------------------------------------------------
def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 A tiny lesson\n\nOne paragraph."),
                nbformat.v4.new_code_cell("import os  # the setup cell: skipped"),
                nbformat.v4.new_code_cell("print(1)")]
    nbformat.write(nb, path)
    return path


def _refused(argv: list[str], capsys) -> str:
    """The one line of stderr with which slides.py refused ``argv`` (exit status 2, no traceback)."""
    with pytest.raises(SystemExit) as e:
        slides.main(argv)
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.count("\n") == 1 and "error: " in err and "Traceback" not in err, err
    return err


def test_slides_refuse_a_malformed_or_empty_notebook_in_one_line_and_write_nothing(tmp_path, capsys):
    good = _notebook(tmp_path / "good.ipynb")
    out = tmp_path / "decks"
    empty = nbformat.v4.new_notebook()
    skipped = nbformat.v4.new_notebook()
    skipped.cells = [nbformat.v4.new_code_cell("import os")]                 # only a setup cell: no slide
    cases = {"not_json": "not json", "zero_bytes": "", "a_list": "[1]", "no_cells_key": "{}",
             "no_cells": nbformat.writes(empty), "no_slide": nbformat.writes(skipped)}
    for name, text in cases.items():
        bad = tmp_path / f"{name}.ipynb"
        bad.write_text(text)
        err = _refused([str(good), str(bad), "-o", str(out)], capsys)      # the good one first
        assert str(bad) in err, (name, err)
        assert not out.exists(), name                                     # checked before the first deck
    assert "has no cells" in _refused([str(tmp_path / "no_cells.ipynb"), "-o", str(out)], capsys)


def test_slides_replace_their_own_deck_but_never_a_learners_file(tmp_path, capsys):
    source = _notebook(tmp_path / "lesson.ipynb")
    out = tmp_path / "decks"
    out.mkdir()
    mine = out / "lesson.html"
    mine.write_text("<html><body>my own notes</body></html>")
    err = _refused([str(source), "-o", str(out)], capsys)
    assert str(mine) in err and "--force" in err and "-o" in err
    assert mine.read_text() == "<html><body>my own notes</body></html>"   # nothing lost
    assert slides.main([str(source), "-o", str(out), "--force"]) == 0   # the learner's choice
    assert slides.MARKER in mine.read_text()
    mine.write_text(mine.read_text().replace("A tiny lesson", "An older deck"))
    assert slides.main([str(source), "-o", str(out)]) == 0              # a deck slides.py wrote: replaced
    assert "A tiny lesson" in mine.read_text()


# -- course.sh ---------------------------------------------------------------------------------------------------------
STUB = '#!/bin/sh\necho "$(basename "$0") $*" >> "{log}"\n'


@pytest.fixture
def course(tmp_path):
    """Runs a copy of course.sh whose .venv/bin/{python,jupyter,jupytext} only log; (status, stderr, log lines)."""
    shutil.copy(REPO / "course.sh", tmp_path / "course.sh")
    (tmp_path / "notebooks").mkdir()
    log = tmp_path / "calls.log"
    bin_ = tmp_path / ".venv" / "bin"
    bin_.mkdir(parents=True)
    for name in ("python", "jupyter", "jupytext"):
        (bin_ / name).write_text(STUB.format(log=log))
        (bin_ / name).chmod(0o755)

    def run(*args: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GAN_", "JAX_"))}
        out = subprocess.run(["bash", str(tmp_path / "course.sh"), *args], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=30)
        return out.returncode, out.stderr, log.read_text().splitlines() if log.exists() else []
    run.root = tmp_path
    return run


def test_course_execute_refuses_what_is_not_a_notebook_before_installing_anything(course):
    root = course.root
    (root / "notes.txt").write_text("my notes")
    (root / "notes.py").write_text("print('a script')\n")               # a notes.py beside does not make a notebook
    (root / "helper.py").write_text("def f():\n    return 1\n")
    (root / "notebooks" / "99_new.py").write_text("# %% [markdown]\n# # 99 New\n\n# %%\nx = 1\n")
    for arg in ("notes.txt", "helper.py", "notebooks/99_missing.ipynb", "notebooks"):
        status, err, calls = course("execute", "notebooks/99_new.py", arg)
        assert status == 2 and calls == [], (arg, err, calls)             # nothing installed, nothing run
        assert err.count("\n") == 1 and f"{arg} is not a notebook" in err and "notebooks/03_generator.py" in err, err
    status, err, calls = course("execute", "notebooks/99_new.py")         # a new notebook, written as its .py
    assert status == 0, err
    assert any("pip install" in c for c in calls) and "jupytext --sync notebooks/99_new.py" in calls
    assert any(c.startswith("jupyter nbconvert") and c.endswith("notebooks/99_new.ipynb") for c in calls)


def test_course_lab_passes_a_teachers_arguments_to_jupyterlab(course):
    status, err, calls = course("lab", "--port", "8890", "--no-browser")
    assert status == 0, err
    assert calls[-1].startswith("jupyter lab") and calls[-1].endswith("notebooks/ --port 8890 --no-browser"), calls
    assert course("lab")[2][-1].endswith("notebooks/")                  # without arguments: as before


# -- GAN_COURSE_PROJECTOR ----------------------------------------------------------------------------------------------
def test_projector_mode_reads_the_usual_spellings_of_on_and_off_and_warns_on_a_typo(monkeypatch, capsys):
    import matplotlib.pyplot as plt
    from gan_utils import course
    try:
        for value, on in [("1", True), ("true", True), ("TRUE", True), ("Yes", True), ("on", True), (" 1 ", True),
                          ("0", False), ("false", False), ("No", False), ("OFF", False), ("", False)]:
            monkeypatch.setenv(course.PROJECTOR_ENV, value)
            course.style()
            assert (plt.rcParams["figure.dpi"] == course.PROJECTOR_DPI) is on, value
        monkeypatch.setenv(course.PROJECTOR_ENV, "ture")
        with pytest.warns(UserWarning, match=r"GAN_COURSE_PROJECTOR='ture'.*1, true, yes or on"):
            course.style()
        assert plt.rcParams["figure.dpi"] == 100                          # off, and the setup cell goes on
    finally:
        course.style(projector=False)
        capsys.readouterr()


# -- scripts/i18n.py --check ------------------------------------------------------------------------------------------
def test_i18n_check_fails_a_released_page_with_an_untranslated_or_stale_message(tmp_path, monkeypatch, capsys):
    template = Catalog(locale=None)
    for text in ("A translated paragraph.", "A new paragraph.", "A changed paragraph."):
        template.add(text)
    cat = i18n.merged("page", template, None, {})
    cat["A translated paragraph."].string = "一段已翻译的文字。"
    cat["A changed paragraph."].string = "一段改过的文字。"
    cat["A changed paragraph."].flags.add("fuzzy")
    monkeypatch.setattr(i18n, "LOCALE", tmp_path / "LC_MESSAGES")
    monkeypatch.setattr(i18n, "RELEASED", tmp_path / "released.txt")
    monkeypatch.setattr(i18n, "ZH_NOTEBOOKS", tmp_path / "zh")
    monkeypatch.setattr(i18n, "extract", lambda outdir: {"page": template})   # no Sphinx build
    i18n.LOCALE.mkdir()
    i18n.po_path("page").write_bytes(i18n.dump(cat))                         # the catalogue is up to date
    i18n.RELEASED.write_text("# none released yet\n")
    assert i18n.main(["--check"]) == 0                                       # an unreleased page may be unfinished
    i18n.RELEASED.write_text("page\n")
    capsys.readouterr()
    assert i18n.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "page: 'A new paragraph.': not translated" in err
    assert "page: 'A changed paragraph.': the English changed" in err and "A translated paragraph" not in err


# -- exercise checkers -------------------------------------------------------------------------------------------------
def test_exercise_checkers_refuse_a_number_given_as_a_string():
    import numpy as np
    from gan_utils import exercises
    right = 1 / (1 + np.exp(-0.5))                                           # notebook 02, exercise 1
    assert exercises.grade("02", answer_1=right)[1] == ("correct", "")
    for text in (f"{right:.4f}", np.str_(f"{right:.4f}"), np.array(f"{right:.4f}")):
        status, hint = exercises.grade("02", answer_1=text)[1]
        assert status == "not yet" and "give a number" in hint and "string" in hint, (text, hint)
    status, hint = exercises.grade("01", js_bernoulli=lambda a, b: "0.1")[2]    # a function that returns text
    assert status == "not yet" and "string" in hint and "return a number" in hint, hint
    with pytest.raises(exercises.ExerciseNotYet):
        exercises.check("02", answer_1=str(right))
    status, hint = exercises.grade("06", ex2_real="1.5", ex2_blur=2.0, x_test=np.zeros(2), real_imgs=np.zeros(2),
                                   blurred=np.zeros(2))[2]
    assert status == "not yet" and "give a number" in hint, hint
