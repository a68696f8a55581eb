"""The assessment kit (scripts/grading.py): the release's student and instructor versions, and grading end to end
with Otter-Grader: a right and a wrong submission of notebook 00, made from the student version as a student
would, get the points the course's checker gives them."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import nbformat
import pytest

from course_scripts import load

grading = load("grading")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def exercises():
    from gan_utils import exercises
    return exercises


def test_every_exercise_has_points_and_a_rubric_with_the_same_points(exercises):
    table = json.loads((ROOT / "teach" / "points.json").read_text(encoding="utf-8"))
    rubrics = (ROOT / "teach" / "rubrics.md").read_text(encoding="utf-8")
    assert sorted(k for k in table) == sorted(exercises.NOTEBOOKS)
    for nb in exercises.NOTEBOOKS:
        pts = grading.points(nb)                     # raises unless every checked exercise has points
        assert all(p > 0 for p in pts.values()), nb
        section = re.search(rf"^## {nb}\b.*?(?=^## \d\d\b|\Z)", rubrics, re.S | re.M)
        assert section, f"teach/rubrics.md has no section for notebook {nb}"
        found = {int(k): float(p) for k, p in re.findall(r"^### Exercise (\d+)\b.*?\((\d+(?:\.\d+)?) points?",
                                                             section.group(0), re.M)}
        assert found == pts, f"notebook {nb}: rubric points {found}, teach/points.json {pts}"
        for w in table[nb].get("written", []):
            assert re.search(rf"^### Going further {w['id']}\b.*\({w['points']:g} points?, written\)",
                             section.group(0), re.M), f"notebook {nb}: no rubric for {w['id']}"
        bank = ROOT / "teach" / "question_bank" / f"{nb}.md"
        assert bank.exists() and len(re.findall(r"^## Q\d+", bank.read_text(encoding="utf-8"), re.M)) >= 8, bank


def test_the_checkers_names_map_onto_their_exercises(exercises):
    for nb in exercises.NOTEBOOKS:
        names = grading.exercise_names(nb)
        # an exercise's names answer exactly that exercise: given text, it is the only one graded
        for k in set(names.values()):
            mine = {n: "x" for n, e in names.items() if e == k}
            if all(n.startswith(("answer_", "ex")) for n in mine):
                graded = exercises.grade(nb, **mine)
                assert [e for e, r in graded.items() if r[0] != "not answered"] == [k], (nb, mine)


def test_a_points_table_that_misses_an_exercise_is_refused(monkeypatch, tmp_path):
    (tmp_path / "points.json").write_text(json.dumps({"00": {"1": 2, "2": 3, "3": 1}}))
    monkeypatch.setattr(grading, "TEACH", tmp_path)
    with pytest.raises(grading.ReleaseError, match="give each its points"):
        grading.points("00")


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    written = grading.release([], out)
    return out, written


def test_the_release_has_a_student_and_an_instructor_version_of_every_notebook(release_dir, exercises):
    out, written = release_dir
    assert sorted(p.name[:2] for p in written) == sorted(exercises.NOTEBOOKS)
    for nb in exercises.NOTEBOOKS:
        course = nbformat.read(grading.notebook_path(nb), as_version=4)
        student = nbformat.read(out / "student" / grading.notebook_path(nb).name, as_version=4)
        instructor_dir = out / "instructor" / nb
        assert (instructor_dir / "autograder.zip").stat().st_size > 0
        text = "\n".join(c.source for c in student.cells)
        # the student's answer cell is the course's, placeholders and all; no solution, no hidden test
        answer = [c.source for c in course.cells if c.source.startswith(grading.ANSWERS)][0]
        assert [c.source.rstrip() for c in student.cells if c.source.startswith(grading.ANSWERS)] == [answer.rstrip()]
        assert "_exercises.grade" not in text and "BEGIN SOLUTION" not in text
        worked = grading.solution(nb)
        if worked:
            key = [ln for ln in worked.splitlines() if ln.strip() and not ln.startswith(("import", "from", "#"))]
            assert key and key[-1] not in text, nb
            instructor = (instructor_dir / grading.notebook_path(nb).name).read_text(encoding="utf-8")
            assert json.dumps(key[-1])[1:-1] in instructor, nb
        # every exercise can be checked by the student, and the notebook's own checker stays
        assert sorted(set(re.findall(r'grader\.check\("ex(\d+)"\)', text))) == sorted(
            str(k) for k in grading.points(nb)), nb
        assert any(c.source.startswith(grading.CHECKER) for c in student.cells), nb
        # no Colab badge to the course's own copy (no grading cells there): this file is the one to open
        assert "Open In Colab" not in student.cells[0].source and grading.TEXT["en"]["badge"] in student.cells[0].source
    for name in ("rubrics.md", "points.json"):
        assert (out / "instructor" / name).exists()
    # the written parts have a home in the student's notebook, and a split exercise's autograder gives its auto part
    student = nbformat.read(out / "student" / grading.notebook_path("02").name, as_version=4)
    (hand,) = [c.source for c in student.cells if c.source.startswith("**Graded by hand")]
    assert "- **ex4**: exercise 4, the question it asks in words (1 point)" in hand      # 02: 4 = auto 3 + written 1
    assert "- **g1**: " in hand and "(3 points)" in hand
    assert any(c.source.startswith("**Exercise 4** (3 points, + 1 point for your written answer below")
               for c in student.cells)
    # the instructor's answer cell defines every answer, even one its worked solution leaves out (05's answer_3)
    instructor = nbformat.read(out / "instructor" / "05" / grading.notebook_path("05").name, as_version=4)
    (cell,) = [c.source for c in instructor.cells if "BEGIN SOLUTION" in c.source]
    namespace: dict = {}
    exec(cell.split("# BEGIN SOLUTION NO PROMPT")[1].replace("# END SOLUTION", ""), namespace)
    assert namespace["answer_3"] is None and namespace["answer_1"] is not None
    # the release names its commit, and what opens away from a clone installs the course at it
    readme, pin = (out / "README.md").read_text(encoding="utf-8"), grading.commit()
    setup = [c.source for c in nbformat.read(out / "student" / grading.notebook_path("05").name,
                                             as_version=4).cells if c.cell_type == "code"][0]
    if pin:
        assert f"Made from commit {pin}" in readme and f'@{pin}"' in setup and '@main"' not in setup
    else:
        assert "uncommitted changes" in readme and '@main"' in setup
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "STUDENT_ID" in readme and "./course.sh grade" in readme and "checker tells them" in readme
    assert len(list((out / "instructor" / "question_bank").glob("*.md"))) == len(exercises.NOTEBOOKS)
    for bank in (out / "instructor" / "question_bank").glob("*.md"):       # every relative link lands in the release
        for target in re.findall(r"\]\((\.\.[^)#]+)", bank.read_text(encoding="utf-8")):
            assert (bank.parent / target).resolve().exists(), (bank.name, target)


def test_an_exam_release_leaves_the_checker_out_and_a_folder_of_other_files_is_refused(tmp_path):
    out = tmp_path / "exam"
    (student,) = grading.release(["0"], out, no_checker=True)
    assert "left out (an exam release)" in (out / "README.md").read_text(encoding="utf-8")
    assert not any(c.source.startswith(grading.CHECKER) for c in nbformat.read(student, as_version=4).cells)
    grading.release(["00"], out)                       # an earlier release is replaced
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("a teacher's file")
    with pytest.raises(grading.ReleaseError, match="not a release"):
        grading.release(["00"], other)
    assert (other / "notes.txt").read_text() == "a teacher's file" and len(list(other.iterdir())) == 1
    (zh,) = grading.release(["05"], tmp_path / "zh", lang="zh")         # the Chinese notebooks
    cells = nbformat.read(zh, as_version=4).cells
    assert zh.parent.parent.name == "zh" and any("练习 1" in c.source for c in cells)
    assert any(c.source.startswith("# 训练") or "损失" in c.source for c in cells if c.cell_type == "markdown")
    with pytest.raises(grading.ReleaseError, match="two digits"):
        grading.release(["zero"], tmp_path / "x")
    with pytest.raises(grading.ReleaseError, match="no notebook 42"):
        grading.release(["42"], tmp_path / "x")


def _submission(student: Path, code: str, to: Path) -> Path:
    nb = nbformat.read(student, as_version=4)
    (cell,) = [c for c in nb.cells if c.source.startswith(grading.ANSWERS)]
    cell.source = code
    nbformat.write(nb, to)
    return to


def test_a_right_and_a_wrong_submission_of_notebook_00_get_their_points(release_dir, tmp_path, exercises):
    out, _ = release_dir
    student = out / "student" / grading.notebook_path("00").name
    worked = grading.solution("00")
    subs = tmp_path / "submissions"
    subs.mkdir()
    _submission(student, worked, subs / "ada.ipynb")
    wrong = worked.replace("answer_3 = 3", "answer_3 = 30").replace("return jax.vmap", "return 2 * jax.vmap")
    assert wrong != worked and exercises.grade("00", answer_3=30)[3][0] == "not yet"
    _submission(student, wrong, subs / "bob.ipynb")
    (subs / "eve.ipynb").write_text("{not a notebook")
    # cara sets her id: her own numbers for exercises 1 and 3 (right), the text's answer for 4 (wrong for her)
    n1, n3, n4 = (exercises.numbers("00", k, "ab123") for k in (1, 3, 4))
    assert n4 != exercises.VARIANTS["00"][4].default and n3["m"] != 3
    import jax
    import jax.numpy as jnp
    mine = float(jax.grad(lambda x: jnp.exp(-x ** 2) * jnp.sin(3 * x))(n1["x"]))
    hers = worked.replace("(0.4)", f"({n1['x']})").replace("answer_3 = 3", f"answer_3 = {n3['m']}")
    cara = _submission(student, hers, subs / "cara.ipynb")
    nb = nbformat.read(cara, as_version=4)
    (cell,) = [c for c in nb.cells if grading.STUDENT_LINE + "None" in c.source]
    cell.source = cell.source.replace(grading.STUDENT_LINE + "None", grading.STUDENT_LINE + '"ab123"')
    (written,) = [c for c in nb.cells if c.source.startswith(grading.TEXT["en"]["written_cell"])]
    written.source = "**g1:** the compile time grows with the number of steps"      # she wrote in the cell
    nbformat.write(nb, cara)
    assert f"({n1['x']})" in cara.read_text() and exercises.grade("00", "ab123", answer_1=mine)[1][0] == "correct"
    table = tmp_path / "grades.csv"
    rows = grading.grade("00", [subs], out, table, jobs=2)
    pts = grading.points("00")
    by = {r["student"]: r for r in rows}
    assert by["ada"]["auto total"] == sum(pts.values()) == by["ada"]["auto max"]
    assert by["bob"]["auto total"] == sum(pts.values()) - pts[2] - pts[3]
    assert by["bob"]["ex1"] == pts[1] and by["bob"]["ex2"] == 0 and by["bob"]["ex3"] == 0
    assert by["eve"].get("error") and by["eve"]["auto total"] == 0
    assert by["cara"]["id"] == "ab123" and by["ada"]["id"] == "" and not by["cara"]["warning"]
    # the checker's hints reach the table; the written answers a digest beside it
    assert by["ada"]["hints"] == "" and by["bob"]["hints"].startswith("ex2: ") and "| ex3: a key fixes" in by["bob"][
        "hints"]
    assert "right for the text's numbers" in by["cara"]["hints"]
    digest = (tmp_path / "grades-written.md").read_text(encoding="utf-8")
    assert "## ada (id none)" in digest and "## cara (id ab123)" in digest and "g1: " in digest
    assert "**g1:** the compile time grows" in digest.split("## cara")[1].split("##")[0]
    assert (by["cara"]["ex1"], by["cara"]["ex2"], by["cara"]["ex3"], by["cara"]["ex4"]) == (pts[1], pts[2], pts[3], 0)
    with open(table, encoding="utf-8") as fh:
        read = list(csv.DictReader(fh))
    assert [r["student"] for r in read] == ["ada", "bob", "cara", "eve"]
    assert float(read[1]["auto total"]) == sum(pts.values()) - pts[2] - pts[3]
    assert any("(written" in h for h in read[0])          # the written part's column, for the teacher
    with pytest.raises(grading.ReleaseError, match="not found or not a notebook"):
        grading.grade("00", [tmp_path / "nowhere.ipynb"], out, table)
    with pytest.raises(grading.ReleaseError, match="make the release first"):
        grading.grade("00", [subs], tmp_path / "no-release", table)


def test_where_otter_is_missing_grader_check_says_so_and_the_id_still_sets_the_numbers(release_dir, monkeypatch,
                                                                                    capsys, exercises):
    """Colab has no Otter (and installing it would replace Colab's ipywidgets 7): the grading cell still runs."""
    out, _ = release_dir
    student = nbformat.read(out / "student" / grading.notebook_path("05").name, as_version=4)
    (cell,) = [c for c in student.cells if c.source.startswith(("# Grading", "# 评分"))]
    monkeypatch.setitem(__import__("sys").modules, "otter", None)          # import otter fails, as on Colab
    source = cell.source.replace(grading.STUDENT_LINE + "None", grading.STUDENT_LINE + '"ab123"')
    namespace: dict = {}
    try:
        exec(source, namespace)
        namespace["grader"].check("ex1")
        assert "Otter-Grader is not installed here" in capsys.readouterr().out
        assert exercises.numbers("05", 1) == exercises.numbers("05", 1, "ab123")
    finally:
        exercises.student(None)


CHEAP = {"00", "01", "02", "03", "04", "09", "10", "11"}   # worked answers graded in seconds (no run, no data)


@pytest.mark.parametrize("nb", sorted(CHEAP))
def test_every_hidden_test_passes_the_worked_solution_and_fails_the_unanswered_notebook(release_dir, tmp_path, nb,
                                                                                       monkeypatch):
    """Each exercise's hidden test, as Gradescope and `grade` run it (Otter's own test runner on the autograder's
    test file), given the notebook's worked answers: full points; given the placeholders: none."""
    import zipfile

    from otter.test_files import OKTestFile
    out, _ = release_dir
    with zipfile.ZipFile(out / "instructor" / nb / "autograder.zip") as z:
        z.extractall(tmp_path)
    worked: dict = {"STUDENT_ID": None}
    exec(compile(grading.solution(nb), f"solutions {nb}", "exec"), worked)
    empty = {"STUDENT_ID": None, **{name: None for name in grading.exercise_names(nb)}}
    for k, p in grading.points(nb).items():
        test = OKTestFile.from_file(str(tmp_path / "tests" / f"ex{k}.py"))
        test.run(dict(worked))
        auto = grading.split(nb).get(k, (p, 0))[0]          # a split exercise's written part is graded by hand
        assert test.passed_all and test.score == auto, (nb, k, test.summary())
        test = OKTestFile.from_file(str(tmp_path / "tests" / f"ex{k}.py"))
        test.run(dict(empty))
        assert test.score == 0, (nb, k)
    # a notebook that replaces the checker it imported gains nothing: the hidden tests load a fresh copy
    from gan_utils import exercises
    monkeypatch.setattr(exercises, "grade", lambda *a, **kw: {k: ("correct", "") for k in range(1, 9)})
    test = OKTestFile.from_file(str(tmp_path / "tests" / "ex1.py"))
    test.run(dict(empty))
    assert test.score == 0, nb


def test_the_id_read_is_the_last_one_set_and_a_second_one_or_a_call_of_student_is_flagged(release_dir, tmp_path):
    out, _ = release_dir
    student = out / "student" / grading.notebook_path("00").name
    nb = nbformat.read(student, as_version=4)
    known = frozenset(c.source.strip() for c in nb.cells)
    (cell,) = [c for c in nb.cells if grading.STUDENT_LINE + "None" in c.source]
    cell.source = cell.source.replace(grading.STUDENT_LINE + "None", "STUDENT_ID='ab123'")
    nbformat.write(nb, tmp_path / "a.ipynb")
    assert grading._student_id_of(tmp_path / "a.ipynb", known) == ("ab123", "")
    nb.cells.append(nbformat.v4.new_code_cell("STUDENT_ID = None\nexercises.student('zz9')"))
    nbformat.write(nb, tmp_path / "b.ipynb")
    sid, warning = grading._student_id_of(tmp_path / "b.ipynb", known)
    assert sid == "" and "set 2 times" in warning and "exercises.student" in warning
    nb.cells[-1].source = ("import gan_utils.exercises as m\nm.grade = lambda nb, student_id=None, **a: {}\n"
                           "globals()['STUDENT_ID'] = None")
    nbformat.write(nb, tmp_path / "c.ipynb")
    sid, warning = grading._student_id_of(tmp_path / "c.ipynb", known)
    assert sid == "ab123" and "outside the grading cell" in warning and "globals()" in warning
    assert "assigns to the checker" in warning


def test_the_key_lists_each_students_numbers_and_answers_from_ids_or_a_grade_table(tmp_path, exercises):
    table = tmp_path / "grades.csv"
    table.write_text("student,id,ex1\nada,ab123,2\nbob,,0\ncara,cd456,1\n", encoding="utf-8")
    rows = grading.key("5", [str(table), "ab123"], tmp_path / "key.csv")
    assert [(r["id"], r["exercise"]) for r in rows] == [("ab123", 1), ("ab123", 2), ("cd456", 1), ("cd456", 2)]
    n = exercises.numbers("05", 2, "cd456")
    assert rows[3]["numbers"] == f"D(G(z)) = {n['d']}" and float(rows[3]["answer"]) == pytest.approx(
        (1 - n["d"]) / n["d"], rel=1e-5)
    assert (tmp_path / "key.csv").read_text(encoding="utf-8").startswith("id,exercise,numbers,answer,tolerance")
    with pytest.raises(grading.ReleaseError, match="no grade table"):
        grading.key("05", [str(tmp_path / "none.csv")])
    with pytest.raises(grading.ReleaseError, match="student id"):
        grading.key("05", ["a b"])
