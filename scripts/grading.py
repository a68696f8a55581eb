"""The assessment kit: a graded release of the notebooks' exercises, made and graded with Otter-Grader.

    ./course.sh release [NN ...] [-o DIR] [--no-checker]   # DIR (default _build/release): student/ and instructor/
    ./course.sh grade NN SUBMISSION... [--release DIR] [-o grades.csv]   # a grade table for notebook NN
    ./course.sh key NN ID... [-o key.csv]                 # each student's numbers and right answers (ids or tables)

**Why Otter-Grader** (7.0.0, BSD-3; both were tried on notebook 00 with a right and a wrong submission, and both
graded them right): its student notebooks need nothing in their cell metadata, so a notebook that went through
Colab, VS Code or JupyterLab grades the same (nbgrader finds its cells by metadata and checksums); its
``autograder.zip`` is what Gradescope takes as it is; ``otter run`` grades one submission on the teacher's machine
without Docker or a JupyterHub; and it installs beside the pinned JupyterLab without adding server extensions to
the learners' Lab (nbgrader 0.9.6 adds its formgrader and assignment menus to every Lab of the environment).

**What the release is.** For each notebook, from the notebook as committed (``notebooks/NN_name.ipynb``, outputs
cleared), an Otter "master" notebook is written and given to ``otter assign``:

- the exercise answer cell (``# Your answers``) holds the worked solution of ``docs/solutions.md`` (``# solutions:
  NN``) inside Otter's solution markers; the student version gets the cell exactly as the course has it (the
  placeholders ``None``), the instructor version the solution;
- each numbered exercise K becomes Otter question ``exK`` with its points (``teach/points.json``): a public test
  (the student's ``grader.check("exK")`` says whether it is answered; it carries no points) and a hidden test that
  grades the answer with the course's own checker, ``gan_utils.exercises.grade``, given the same notebook data as
  the notebook's checker cell (e.g. 05's ``x_ring``);
- the notebook's own checker cell stays (the learner's feedback); ``--no-checker`` takes it out (an exam);
- **per-student numbers**: a grading cell after the setup cell holds ``STUDENT_ID = None``; a student who sets the id
  the teacher gave gets numbers of their own in the exercises that are worked from their text's numbers
  (``gan_utils.exercises.VARIANTS``), printed by a cell above the answers (``exercises.show_numbers``), and the hidden
  tests grade against that id's numbers; ``None`` keeps the text's.

``--lang zh`` makes it from the Chinese notebooks (``notebooks/zh``), with the release's own lines in Chinese.

What it writes: ``DIR/student/NN_name.ipynb`` to hand out; ``DIR/instructor/NN/`` with the instructor notebook
(solutions and hidden tests), ``autograder.zip`` (Gradescope's programming assignment, or ``grade`` below), and
beside them ``DIR/instructor/rubrics.md``, ``points.json`` and ``question_bank/`` (the written parts and the quiz
bank, kept out of the public site). Nothing outside ``DIR`` is written; a DIR that holds anything but an earlier
release is refused.

**Grading.** ``grade`` runs ``otter run`` on each submission (a student's ``.ipynb``; its file name is the
student's name in the table), on this machine, with the course's environment, and writes one row per submission:
the id it set (``STUDENT_ID``: check it is that student's), each exercise's points, the total and the maximum; the
written parts (``teach/points.json``'s ``written``) get an empty column each, for the teacher to fill from the rubric.
A submission that fails to run gets a row that says so, and the others are still graded.
"""
from __future__ import annotations

import argparse
import ast
import copy
import csv
import inspect
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TEACH = ROOT / "teach"
SOLUTIONS = ROOT / "docs" / "solutions.md"
MARKER = ".gan-course-release"           # a folder that holds it is an earlier release, safe to replace
ANSWERS = "# Your answers"
STUDENT_LINE = "STUDENT_ID = "             # the line of the grading cell a student sets
CHECKER = "# Checker"
# the release's own prose in each language (the notebooks' prose comes from the notebooks themselves)
TEXT = {
    "en": {"question": "**Exercise {k}** ({p}{extra}): your answer is {names} in the answer cell above. "
                       "`grader.check(\"ex{k}\")` only checks that you gave an answer: \"passed\" does not mean it "
                       "is right. The checker cell at the end of the exercises tells you that.",
           "extra": ", + {w} for your written answer below, graded by hand",
           "numbers": "# Your numbers: use these, not the numbers in the exercise text. Give at least 3 decimals "
                      "(0.713, not 0.71), or let Python compute the answer.",
           "grading": "# Grading: this notebook is a teacher's release; grader.check(\"exK\") says whether "
                      "exercise K is answered.",
           "id": "# your id from your teacher, e.g. \"ab123\": your exercises get numbers of their own",
           "no_otter": "Otter-Grader is not installed here (as on Colab), so this cannot check: the checker cell "
                       "at the end of the exercises grades your answers, and your teacher grades the notebook you "
                       "hand in",
           "written": "**Graded by hand: what you write in the cell below.**",
           "written_item": "- **{id}**: {title} ({p})",
           "points": ("{n} point", "{n} points"),
           "written_cell": "*Your written answers:* double-click this cell and write here. Start each answer with "
                           "its name, e.g. **ex3:** or **g1:**.",
           "badge": "*Your teacher's release of this notebook: work in this file (on Colab: File > Upload "
                    "notebook), not in the course's own copy, which has no grading cells. To hand it in: restart and "
                    "run all (JupyterLab: Kernel > Restart Kernel and Run All Cells; Colab: Runtime > Restart "
                    "session and run all), then hand in this .ipynb file (Colab: File > Download > Download .ipynb). "
                    "A red error in the checker cell is fine: the autograder still grades every exercise.*"},
    "zh": {"question": "**练习 {k}**（{p}{extra}）：你的答案是上方答案单元格中的 {names}。"
                       "`grader.check(\"ex{k}\")` 只检查你是否作答：「passed」并不表示答案正确。"
                       "练习末尾的检查单元格会告诉你是否正确。",
           "extra": "，另有 {w} 分给下面的书面回答，由教师人工评分",
           "numbers": "# 你的数值：请用这些数值，而不是练习正文中的数值。答案至少保留 3 位小数（0.713，而不是 0.71），"
                      "或者让 Python 算出答案。",
           "grading": "# 评分：本笔记本是教师发布的版本；grader.check(\"exK\") 显示练习 K 是否已作答。",
           "id": "# 教师给你的编号，例如 \"ab123\"：你的练习会有自己的一组数值",
           "no_otter": "这里没有安装 Otter-Grader（Colab 上就是这样），所以无法检查："
                       "练习末尾的检查单元格会为你的答案评分，你提交的笔记本由教师评分",
           "written": "**人工评分：你在下面单元格中写的内容。**",
           "written_item": "- **{id}**：{title}（{p}）",
           "points": ("{n} 分", "{n} 分"),
           "written_cell": "*你的书面回答：*双击这个单元格，在这里写。"
                           "每个回答以它的名称开头，例如 **ex3:** 或 **g1:**。",
           "badge": "*这是教师发布的版本：请在这个文件里作答（在 Colab 上：文件 > 上传笔记本），不要用课程自己的那份，"
                    "那份没有评分单元格。提交方法：重启并全部运行（JupyterLab：Kernel > Restart Kernel and Run All "
                    "Cells；Colab：代码执行程序 > 重启会话并运行全部），然后提交这个 .ipynb 文件（Colab：文件 > 下载 > "
                    "下载 .ipynb）。检查单元格出现红色错误也没关系：自动评分器仍会为每道练习评分。*"},
}
BLOCK = re.compile(r"```python\n# solutions: (\d\d)\n(.*?)```", re.S)


class ReleaseError(Exception):
    """A release or grading request that cannot be done as asked; the message names the fix."""


def _exercises():
    sys.path.insert(0, str(ROOT))
    from gan_utils import exercises
    return exercises


def notebook_path(nb: str, lang: str = "en") -> Path:
    """``notebooks/NN_name.ipynb`` for a notebook number ``NN`` (``"5"`` reads as ``"05"``); ``lang="zh"``: the
    Chinese notebook (``notebooks/zh/``, generated from the catalogues)."""
    if not re.fullmatch(r"\d{1,2}", str(nb)):
        raise ReleaseError(f"{nb!r} is not a notebook number: give two digits, e.g. 05")
    if lang not in TEXT:
        raise ReleaseError(f"no release in {lang!r}: give --lang en or --lang zh")
    nb = f"{int(nb):02d}"
    folder = NOTEBOOKS if lang == "en" else NOTEBOOKS / lang
    found = sorted(folder.glob(f"{nb}_*.ipynb"))
    if not found:
        raise ReleaseError(f"no notebook {nb} in {folder}: the notebooks with exercises are "
                           + ", ".join(sorted(_exercises().NOTEBOOKS)))
    return found[0]


def exercise_names(nb: str) -> dict[str, int]:
    """The checker's answer names and the exercise each grades: ``answer_K``, ``exK`` and ``exK_...`` grade K;
    any other name (a function the learner writes) grades the first exercise no name claims, in order."""
    exercises = _exercises()
    params = [p.name for p in inspect.signature(exercises.NOTEBOOKS[nb]).parameters.values()
              if p.kind is p.POSITIONAL_OR_KEYWORD]
    numbers = sorted(exercises.grade(nb))
    out = {p: k for p in params if (k := exercises._exercise_of(p)) is not None}
    free = [k for k in numbers if k not in out.values()]
    for p in params:
        if p not in out:
            out[p] = free.pop(0)
    if sorted(set(out.values())) != numbers:
        raise ReleaseError(f"notebook {nb}: the checker's names {params} do not map onto its exercises {numbers}")
    return out


def points(nb: str) -> dict[int, float]:
    """Points of each exercise of notebook ``nb`` (``teach/points.json``); every exercise needs an entry."""
    table = json.loads((TEACH / "points.json").read_text(encoding="utf-8"))
    numbers = sorted(set(exercise_names(nb).values()))
    given = {int(k): float(v) for k, v in table.get(nb, {}).items() if k.isdigit()}
    if sorted(given) != numbers:
        raise ReleaseError(f"teach/points.json gives notebook {nb} exercises {sorted(given)}; its checker grades "
                           f"{numbers}: give each its points")
    return given


def split(nb: str) -> dict[int, tuple[float, float]]:
    """{exercise: (auto points, written points)} for the exercises whose rubric (``teach/rubrics.md``) splits them
    ("**Split:** auto A, written W"): the autograder gives A; the teacher grades W from the written answer."""
    text = (TEACH / "rubrics.md").read_text(encoding="utf-8")
    section = re.search(rf"^## {nb}\b.*?(?=^## \d\d\b|\Z)", text, re.S | re.M)
    out = {}
    for k, body in re.findall(r"^### Exercise (\d+)\b.*?\n(.*?)(?=^### |\Z)", section.group(0) if section else "",
                              re.S | re.M):
        m = re.search(r"\*\*Split:\*\* auto (\d+(?:\.\d+)?), written (\d+(?:\.\d+)?)", body)
        if m:
            out[int(k)] = (float(m.group(1)), float(m.group(2)))
    for k, (a, w) in out.items():
        if a + w != points(nb)[k]:
            raise ReleaseError(f"teach/rubrics.md splits notebook {nb}'s exercise {k} into {a:g} + {w:g}, but "
                               f"teach/points.json gives it {points(nb)[k]:g}: make them agree")
    return out


def written(nb: str) -> list[dict]:
    """The parts of notebook ``nb`` a teacher grades by hand: each split exercise's written part, then the "Going
    further" items (``teach/points.json``), as {"id", "points", "title"}."""
    table = json.loads((TEACH / "points.json").read_text(encoding="utf-8")).get(nb, {})
    parts = [{"id": f"ex{k}", "points": w, "title": f"exercise {k}, the question it asks in words"}
             for k, (_, w) in sorted(split(nb).items())]
    return parts + [dict(w) for w in table.get("written", [])]


def commit() -> str | None:
    """The commit the release is made from, when the clone has no uncommitted change to what it uses."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "notebooks", "gan_utils", "teach", "docs"],
                               cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return None if dirty.stdout.strip() else head.stdout.strip()


def solution(nb: str) -> str | None:
    """The worked solution block of ``docs/solutions.md`` for notebook ``nb`` (None: worked in prose only)."""
    for number, code in BLOCK.findall(SOLUTIONS.read_text(encoding="utf-8")):
        if number == nb:
            return code.rstrip() + "\n"
    return None


def _checker_data(source: str, nb: str) -> list[str]:
    """The notebook data the checker cell passes (its keyword-only arguments, e.g. ``x_ring=x_ring``), as source."""
    tree = ast.parse(source)
    names = set(exercise_names(nb))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "check":
            # a name the notebook may not have defined (its cell failed) passes None: only the exercise that needs
            # it loses its points
            return [f"{kw.arg}=" + (f"globals().get({kw.value.id!r})" if isinstance(kw.value, ast.Name)
                                    else ast.unparse(kw.value)) for kw in node.keywords if kw.arg not in names]
    raise ReleaseError(f"notebook {nb}: its checker cell does not call exercises.check")


def _points(text: dict, n: float) -> str:
    """'1 point', '3 points' (or the language's)."""
    return text["points"][n != 1].format(n=f"{n:g}")


def master(nb: str, no_checker: bool = False, lang: str = "en", pin: str | None = None):
    """The Otter master notebook of notebook ``nb`` (an nbformat notebook), in ``lang``; ``pin``: the commit a
    notebook opened away from a clone (Colab) installs the package from, instead of the newest ``main``."""
    import nbformat
    path = notebook_path(nb, lang)
    text = TEXT[lang]
    src = nbformat.read(path, as_version=4)
    names, pts = exercise_names(nb), points(nb)
    answer_i = [i for i, c in enumerate(src.cells) if c.cell_type == "code" and c.source.startswith(ANSWERS)]
    checker_i = [i for i, c in enumerate(src.cells) if c.cell_type == "code" and c.source.startswith(CHECKER)]
    if len(answer_i) != 1 or len(checker_i) != 1:
        raise ReleaseError(f"{path.name}: expected one '{ANSWERS}' cell and one '{CHECKER}' cell, found "
                           f"{len(answer_i)} and {len(checker_i)}")
    data = _checker_data(src.cells[checker_i[0]].source, nb)
    config = {"name": path.stem, "solutions_pdf": False, "export_cell": False, "check_all_cell": False,
              "init_cell": False, "run_tests": False, "generate": True, "strip_solutions_from_all_cells": True,
              "requirements": "requirements.txt", "overwrite_requirements": False}
    cells = [nbformat.v4.new_raw_cell("# ASSIGNMENT CONFIG\n" + "\n".join(f"{k}: {json.dumps(v)}"
                                                                           for k, v in config.items()))]
    setup_done = False
    for i, cell in enumerate(src.cells):
        cell = copy.deepcopy(cell)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
        if i == checker_i[0] and no_checker:
            continue
        if pin and cell.cell_type == "code" and not setup_done:
            cell.source = cell.source.replace('@main"', f'@{pin}"')
        if i == 0 and cell.cell_type == "markdown":
            # the Colab badge opens the course's own copy, which has no grading cells: this file is the one to open
            cell.source = re.sub(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)", text["badge"], cell.source)
        if i == answer_i[0]:
            worked = solution(nb)
            # the placeholders first, so an answer the worked solution leaves out stays None (not a NameError)
            body = cell.source.rstrip() + "\n" + (worked if worked is not None else
                                                  "# (worked in prose in docs/solutions.md: these answers need the "
                                                  "notebook's arrays)\n")
            cell.source = ('""" # BEGIN PROMPT\n' + cell.source.rstrip() + '\n"""; # END PROMPT\n'
                           "# BEGIN SOLUTION NO PROMPT\n" + body + "# END SOLUTION\n")
            # the student's own numbers, just above the answers (the text's, when no id is set)
            cells.append(nbformat.v4.new_code_cell(f"{text['numbers']}\nexercises.show_numbers({nb!r})"))
            cells.append(cell)
            by_hand = written(nb)
            if by_hand:
                cells.append(nbformat.v4.new_markdown_cell(text["written"] + "\n\n" + "\n".join(
                    text["written_item"].format(id=w["id"], title=w["title"], p=_points(text, w["points"]))
                    for w in by_hand)))
                cells.append(nbformat.v4.new_markdown_cell(text["written_cell"]))
            splits = split(nb)
            auto = {k: splits.get(k, (pts[k], 0))[0] for k in pts}
            for k in sorted(pts):
                mine = [n for n, e in names.items() if e == k]
                cells.append(nbformat.v4.new_raw_cell(f"# BEGIN QUESTION\nname: ex{k}\npoints: {auto[k]:g}"))
                extra = text["extra"].format(w=_points(text, splits[k][1])) if k in splits else ""
                cells.append(nbformat.v4.new_markdown_cell(text["question"].format(
                    k=k, p=_points(text, auto[k]), extra=extra, names=", ".join(f"`{n}`" for n in mine))))
                cells.append(nbformat.v4.new_raw_cell("# BEGIN TESTS"))
                unanswered = " and ".join(f"{n} is not None" for n in mine)
                cells.append(nbformat.v4.new_code_cell(
                    '""" # BEGIN TEST CONFIG\npoints: 0\n""" # END TEST CONFIG\n'
                    f"assert {unanswered}, 'exercise {k}: replace None in the answer cell'"))
                args = ", ".join(["student_id=STUDENT_ID"] + [f"{n}={n}" for n in mine] + data)
                cells.append(nbformat.v4.new_code_cell(
                    f'""" # BEGIN TEST CONFIG\nhidden: true\npoints: {auto[k]:g}\n""" # END TEST CONFIG\n'
                    # a fresh copy of the checker, not the module the notebook imported (which its code could
                    # have changed)
                    "import importlib.util as _u\n"
                    "_spec = _u.find_spec('gan_utils.exercises')\n"
                    "_checker = _u.module_from_spec(_spec)\n"
                    "_spec.loader.exec_module(_checker)\n"
                    f"_status, _hint = _checker.grade({nb!r}, {args})[{k}]\n"
                    f"assert _status == 'correct', _hint"))
                cells.append(nbformat.v4.new_raw_cell("# END TESTS"))
                cells.append(nbformat.v4.new_raw_cell("# END QUESTION"))
            continue
        cells.append(cell)
        if not setup_done and cell.cell_type == "code":
            # right after the setup cell (the first code cell): the student's id, and Otter's grader where Otter
            # is installed (the course's environment, a JupyterHub, the autograder). Not installed on the fly:
            # otter-grader needs ipywidgets 8, and Colab runs 7 (installing it would replace Colab's widgets), so
            # there grader.check says so and the notebook's own checker grades
            setup_done = True
            cells.append(nbformat.v4.new_code_cell(
                f"{text['grading']}\n"
                f"{STUDENT_LINE}None   {text['id']}\n"
                "from gan_utils import exercises as _exercises\n"
                "_exercises.student(STUDENT_ID)\n"
                "try:\n"
                "    import otter\n"
                f"    grader = otter.Notebook({path.name!r})\n"
                "except ImportError:\n"
                "    class _NoOtter:\n"
                "        def check(self, question):\n"
                f"            print(f\"{{question}}: {text['no_otter']}\")\n"
                "    grader = _NoOtter()"))
    out = copy.deepcopy(src)
    out.cells = cells
    return out


def _requirements(pin: str | None = None) -> str:
    """The grading environment for Gradescope: the course's runtime pins (constraints.txt) and the package."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        m = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if m:
            pins[m.group(1).lower()] = line.strip()
    wanted = ["jax", "jaxlib", "flax", "optax", "numpy", "matplotlib", "ipywidgets", "anywidget", "msgpack"]
    lines = [pins[w] for w in wanted if w in pins]
    from gan_utils import course
    lines.append(f"gan_utils @ git+{course.REPO_URL}" + (f"@{pin}" if pin else ""))
    return "\n".join(lines) + "\n"


def _check_dir(out: Path) -> None:
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ReleaseError(f"{out} exists and is not a release this command made: give an empty or new folder "
                           "with -o")


def _readme(nbs: list[str], no_checker: bool, lang: str, pin: str | None = None) -> str:
    """What the release folder holds and what to do with it (the whole story: docs/grading.md)."""
    version = (f"Made from commit {pin}: on Colab the notebooks install the course at that commit, and so does the "
               "Gradescope autograder (push it to GitHub first), so every student's numbers and checks stay those of "
               "this release." if pin else
               "Made from a clone with uncommitted changes, so it names no commit: on Colab the notebooks install "
               "the newest course from GitHub, whose exercises or numbers may differ. Commit, push and release again "
               "for a pinned release.")
    return (f"# The graded release of notebooks {', '.join(nbs)} ({lang})\n\n"
            "Made by `./course.sh release`; the course's page *Grading the course* (docs/grading.md) says more. "
            + version + "\n\n"
            "- `student/`: hand these out. Each student sets `STUDENT_ID` (the id you give) in the cell after the "
            "setup cell, answers in the answer cell, and hands in the `.ipynb`."
            + (" The notebooks' own checker cell is left out (an exam release).\n" if no_checker else
               " The notebook's own checker tells them which answers are right.\n")
            + "- `instructor/NN/`: keep these. `NN_name.ipynb` holds the worked solutions and the hidden tests; "
              "`autograder.zip` is Gradescope's autograder (a programming assignment) and what `./course.sh grade` "
              "uses.\n"
              "- `instructor/rubrics.md`, `points.json`, `question_bank/`: the points and rubrics of every exercise "
              "and written part, and eight quiz questions per notebook with answers.\n\n"
              "Grade a folder of submissions: `./course.sh grade NN submissions/ --release THIS_FOLDER -o grades.csv`. "
              "The table gives each exercise's points, the id each student set (check it is theirs) and an empty "
              "column per written part, for you to fill from the rubric.\n")


def release(nbs: list[str], out: Path, no_checker: bool = False, lang: str = "en") -> list[Path]:
    """Write the release of notebooks ``nbs`` into ``out`` (``lang``: "en", or "zh" from the Chinese notebooks);
    returns the student notebooks written."""
    import nbformat
    from otter.assign import main as otter_assign
    exercises = _exercises()
    nbs = [f"{int(n):02d}" if re.fullmatch(r"\d{1,2}", str(n)) else n for n in nbs] or sorted(exercises.NOTEBOOKS)
    for nb in nbs:               # every request checked before anything is written
        notebook_path(nb, lang)
        if nb not in exercises.NOTEBOOKS:
            raise ReleaseError(f"notebook {nb} has no checked exercises")
        points(nb)
    _check_dir(out)
    out.mkdir(parents=True, exist_ok=True)
    pin = commit()
    (out / MARKER).write_text(f"made by scripts/grading.py release from commit {pin or '(uncommitted changes)'}\n")
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for nb in nbs:
            path = notebook_path(nb, lang)
            work = Path(tmp) / nb
            (work / "dist").mkdir(parents=True)
            nbformat.write(master(nb, no_checker, lang, pin), work / path.name)
            (work / "requirements.txt").write_text(_requirements(pin))
            try:                 # in this process: one import of Otter for every notebook (seconds each)
                otter_assign(str(work / path.name), str(work / "dist"), no_run_tests=True)
            except Exception as e:
                raise ReleaseError(f"otter assign failed on notebook {nb}: {type(e).__name__}: {e}") from e
            student = out / "student" / path.name
            student.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(work / "dist" / "student" / path.name, student)
            instructor = out / "instructor" / nb
            if instructor.exists():
                shutil.rmtree(instructor)
            instructor.mkdir(parents=True)
            (zipped,) = (work / "dist" / "autograder").glob("*.zip")
            shutil.copy(zipped, instructor / "autograder.zip")
            shutil.copy(work / "dist" / "autograder" / path.name, instructor / path.name)
            shutil.copy(work / path.name, instructor / ("master_" + path.name))
            written.append(student)
    (out / "README.md").write_text(_readme(nbs, no_checker, lang, pin), encoding="utf-8")
    teach_out = out / "instructor"
    for name in ("rubrics.md", "points.json"):
        shutil.copy(TEACH / name, teach_out / name)
    if (teach_out / "question_bank").exists():
        shutil.rmtree(teach_out / "question_bank")
    (teach_out / "question_bank").mkdir()
    for bank in sorted((TEACH / "question_bank").glob("*.md")):    # links to a notebook: its student version here
        (teach_out / "question_bank" / bank.name).write_text(
            bank.read_text(encoding="utf-8").replace("](../../notebooks/", "](../../student/"), encoding="utf-8")
    return written


def _student_id_of(path: Path, known: frozenset = frozenset()) -> tuple[str, str]:
    """(the STUDENT_ID a submission's code sets last, a warning): the value the hidden tests grade with, as far as
    reading the code tells (empty: None, or unreadable); the warning names a second assignment or a call of
    ``exercises.student``, which the hidden tests do not follow, and code that could change what is graded
    (``globals()``, ``exec``, an assignment to the checker...) in any cell that is not one of the release's own
    (``known``: their sources)."""
    try:
        import nbformat
        cells = nbformat.read(path, as_version=4).cells
    except Exception:
        return "", ""
    found = [m.group(1) for c in cells if c.cell_type == "code"
             for m in re.finditer(r"^\s*STUDENT_ID\s*=\s*([^#\n]*)", c.source, re.M)]
    warn = []
    if len(found) > 1:
        warn.append(f"STUDENT_ID set {len(found)} times")
    others = [c.source for c in cells if c.cell_type == "code" and c.source.strip() not in known
              and not c.source.startswith(tuple(t["grading"] for t in TEXT.values()))]
    if any(re.search(r"\bstudent\(", src) for src in others):
        warn.append("calls exercises.student (the hidden tests use STUDENT_ID)")
    if any("STUDENT_ID" in src for src in others):
        warn.append("STUDENT_ID appears outside the grading cell")
    tampering = [w for w, pattern in (("globals()", r"\bglobals\s*\("), ("exec/eval", r"\b(?:exec|eval)\s*\("),
                                      ("setattr", r"\bsetattr\s*\("), ("sys.modules", r"sys\.modules"),
                                      ("importlib", r"\bimportlib\b"),
                                      ("assigns to the checker",
                                       r"\b(?:exercises|gan_utils)\.\w+\s*=[^=]|\.(?:grade|check|numbers)\s*=[^=]"))
                 if any(re.search(pattern, src) for src in others)]
    if tampering:
        warn.append("code to read by hand: " + ", ".join(tampering))
    value = found[-1].strip().strip("\"'") if found else ""
    return ("" if value == "None" else value), "; ".join(warn)


def _hints(result: dict) -> str:
    """The checker's hints for the exercises a run lost points on (the hidden tests' assertion messages)."""
    out = []
    for t in result.get("tests", []):
        if t.get("name", "").startswith("ex") and (t.get("score") or 0) < (t.get("max_score") or 0):
            m = re.findall(r"AssertionError: (.*)", t.get("output", ""))
            out.append(f"{t['name']}: {m[-1].strip() if m else 'raised or not answered'}")
    return " | ".join(out)


def _written_answers(path: Path) -> str:
    """The student's written-answers cell (the markdown cell under the release's "your written answers" line)."""
    try:
        import nbformat
        cells = nbformat.read(path, as_version=4).cells
    except Exception:
        return ""
    lists = tuple(t["written"] for t in TEXT.values())          # the list above it, which students leave alone
    for i, c in enumerate(cells):
        if c.cell_type == "markdown" and c.source.startswith(lists):
            out = []
            for n in cells[i + 1:]:                               # the cell under it, and any the student added
                if n.cell_type != "markdown" or n.source.startswith(("**Exercise", "**练习")):
                    break
                text = n.source
                for t in TEXT.values():
                    text = text.replace(t["written_cell"], "")
                out.append(text.strip())
            return "\n\n".join(x for x in out if x)
    return ""


def _run_one(zipped: Path, f: Path, timeout: float) -> tuple[dict | None, str]:
    """(Otter's results, an error) for one submission."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            run = subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(zipped), "-o", tmp,
                                  str(f.resolve())], capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"stopped after {timeout:g} s (--timeout)"
        result = Path(tmp) / "results.json"
        if run.returncode != 0 or not result.exists():
            return None, (run.stderr.strip().splitlines() or ["otter run failed"])[-1][:200]
        return json.loads(result.read_text()), ""


def grade(nb: str, submissions: list[Path], release_dir: Path, table: Path, timeout: float = 1800,
          jobs: int = 1) -> list[dict]:
    """Grade each submission of notebook ``nb`` with the release's autograder (each stopped after ``timeout``
    seconds; ``jobs`` at a time); write and return the table, and beside it the written answers
    (``<table>-written.md``). Ids that two submissions share are flagged in ``warning``."""
    nb = f"{int(nb):02d}" if re.fullmatch(r"\d{1,2}", str(nb)) else nb
    zipped = release_dir / "instructor" / nb / "autograder.zip"
    if not zipped.exists():
        raise ReleaseError(f"no {zipped}: make the release first (./course.sh release {nb} -o {release_dir})")
    files = []
    for s in submissions:
        files += sorted(s.glob("*.ipynb")) if s.is_dir() else [s]
    missing = [str(f) for f in files if not f.is_file() or f.suffix != ".ipynb"]
    if missing or not files:
        raise ReleaseError("give the students' .ipynb files (or folders of them); not found or not a notebook: "
                           + (", ".join(missing) or "none given"))
    pts = points(nb)
    by_hand = written(nb)
    splits = split(nb)
    auto_pts = {k: splits.get(k, (pts[k], 0))[0] for k in pts}
    made = (release_dir / MARKER).read_text() if (release_dir / MARKER).exists() else ""
    here = commit()
    if here and f"commit {here}" not in made:
        print(f"warning: this clone is at commit {here[:10]}, the release was {made.strip() or 'made elsewhere'}: "
              "the checker here grades; if the exercises or their numbers changed since, check out the release's "
              "commit first", file=sys.stderr)
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
        runs = list(pool.map(lambda f: _run_one(zipped, f, timeout), files))
    rows = []
    import nbformat
    readme = release_dir / "README.md"        # its title ends with the release's language: "(zh)"
    lang = "zh" if readme.exists() and readme.read_text(encoding="utf-8").split("\n", 1)[0].endswith("(zh)") else "en"
    released = release_dir / "student" / notebook_path(nb, lang).name
    known = (frozenset(c.source.strip() for c in nbformat.read(released, as_version=4).cells)
             if released.exists() else frozenset())
    for f, (result, error) in zip(files, runs):
        sid, warning = _student_id_of(f, known)
        row: dict = {"student": f.stem, "id": sid, "warning": warning, "error": error}
        if result is not None:
            scores = {t["name"]: t.get("score") for t in result["tests"]}
            for k in sorted(pts):
                row[f"ex{k}"] = scores.get(f"ex{k}", 0.0) or 0.0
            row["hints"] = _hints(result)
        for w in by_hand:
            row[f"{w['id']} (written, /{w['points']:g})"] = ""
        auto = [row.get(f"ex{k}", 0.0) for k in sorted(pts)]
        row["auto total"] = sum(auto)
        row["auto max"] = sum(auto_pts.values())
        rows.append(row)
    ids = [r["id"] for r in rows if r["id"]]
    for r in rows:
        if r["id"] and ids.count(r["id"]) > 1:
            r["warning"] = "; ".join(filter(None, [r["warning"], f"id {r['id']} is in {ids.count(r['id'])} "
                                                                 "submissions"]))
    header = ["student", "id"] + [f"ex{k}" for k in sorted(pts)] + [k for k in rows[0] if "(written" in k] + [
        "auto total", "auto max", "hints", "warning", "error"]
    table.parent.mkdir(parents=True, exist_ok=True)
    with open(table, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        for row in rows:
            w.writerow({h: row.get(h, "") for h in header})
    if by_hand:
        digest = [f"# Written answers, notebook {nb}\n", "Parts graded by hand: " + "; ".join(
            f"{w['id']}: {w['title']} ({w['points']:g})" for w in by_hand) + "\n"]
        for f, row in zip(files, rows):
            digest.append(f"## {row['student']} (id {row['id'] or 'none'})\n\n{_written_answers(f) or '(nothing)'}\n")
        table.with_name(table.stem + "-written.md").write_text("\n".join(digest), encoding="utf-8")
    return rows


def key(nb: str, ids: list[str], table: Path | None = None) -> list[dict]:
    """Each student's numbers and right answers (with the checker's tolerance) for notebook ``nb``'s exercises with
    per-student numbers: a key for partial credit. ``ids``: student ids, or grade tables (CSV) whose ``id`` column
    holds them."""
    exercises = _exercises()
    nb = f"{int(nb):02d}" if re.fullmatch(r"\d{1,2}", str(nb)) else nb
    exercises.grade(nb)                      # refuses a notebook without exercises, naming the ones with
    found: list[str] = []
    for i in ids:
        if i.endswith(".csv"):
            if not Path(i).is_file():
                raise ReleaseError(f"no grade table {i}: give ids, or the CSV that ./course.sh grade wrote")
            with open(i, encoding="utf-8") as fh:
                found += [r["id"] for r in csv.DictReader(fh) if r.get("id")]
        else:
            found.append(i)
    if not found:
        raise ReleaseError("give at least one student id (e.g. ab123) or a grade table with an id column")
    rows = []
    for sid in dict.fromkeys(found):
        try:
            answers = exercises.answer_key(nb, sid)
        except (TypeError, ValueError) as e:
            raise ReleaseError(str(e)) from e
        for k, (want, tol) in answers.items():
            spec = exercises.VARIANTS[nb][k]
            rows.append({"id": sid, "exercise": k, "numbers": spec.say.format(**exercises.numbers(nb, k, sid)),
                         "answer": f"{want:.6g}", "tolerance": f"{tol:g}"})
    if table:
        table.parent.mkdir(parents=True, exist_ok=True)
        with open(table, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["id"])
            w.writeheader()
            w.writerows(rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="./course.sh release|grade", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("release", help="student and instructor versions of the notebooks' exercises")
    r.add_argument("notebooks", nargs="*", help="notebook numbers (default: every notebook with exercises)")
    r.add_argument("-o", "--out", type=Path, default=ROOT / "_build" / "release")
    r.add_argument("--no-checker", action="store_true", help="leave the notebook's own checker cell out (an exam)")
    r.add_argument("--lang", default="en", choices=sorted(TEXT), help="zh: from the Chinese notebooks (notebooks/zh)")
    g = sub.add_parser("grade", help="grade the students' submissions of one notebook into a CSV table")
    g.add_argument("notebook", help="the notebook number, e.g. 05")
    g.add_argument("submissions", nargs="+", type=Path, help="students' .ipynb files or folders of them")
    g.add_argument("--release", type=Path, default=ROOT / "_build" / "release", help="the release folder")
    g.add_argument("-o", "--out", type=Path, default=Path("grades.csv"), help="the table (CSV)")
    g.add_argument("--timeout", type=float, default=1800, help="seconds one submission may run (default 1800)")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1; one per core)")
    k = sub.add_parser("key", help="each student's numbers and right answers, for partial credit")
    k.add_argument("notebook", help="the notebook number, e.g. 05")
    k.add_argument("ids", nargs="+", help="student ids, or grade tables (CSV) from ./course.sh grade")
    k.add_argument("-o", "--out", type=Path, default=None, help="also write the key as a CSV table")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "release":
            written = release(args.notebooks, args.out, args.no_checker, args.lang)
            print(f"{len(written)} student notebooks in {args.out / 'student'}; instructor versions, autograders "
                  f"(autograder.zip: Gradescope, or ./course.sh grade), rubrics and question bank in "
                  f"{args.out / 'instructor'}")
        elif args.cmd == "key":
            for row in key(args.notebook, args.ids, args.out):
                print(f"{row['id']}  exercise {row['exercise']}: {row['numbers']}  ->  {row['answer']} "
                      f"(+- {row['tolerance']})")
        else:
            rows = grade(args.notebook, args.submissions, args.release, args.out, args.timeout, args.jobs)
            for row in rows:
                tail = (f"  ERROR: {row['error']}" if row.get("error") else "") + (
                    f"  WARNING: {row['warning']}" if row.get("warning") else "")
                print(f"{row['student']}: {row['auto total']:g} / {row['auto max']:g}{tail}")
            print(f"grade table: {args.out}")
    except ReleaseError as e:
        print(f"{ap.prog}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
