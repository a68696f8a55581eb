"""The worked solutions (docs/solutions.md) are graded by the notebooks' own checkers: each notebook's
``# solutions: NN`` block runs, and every answer it defines must be "correct" for gan_utils.exercises.grade. An
answer the checker grades against a notebook's arrays (keyword-only parameters) is worked in prose there instead."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from gan_utils import exercises

PAGE = Path(__file__).resolve().parents[1] / "docs" / "solutions.md"
BLOCK = re.compile(r"```python\n# solutions: (\d\d)\n(.*?)```", re.S)


def blocks() -> dict[str, str]:
    found = {}
    for nb, code in BLOCK.findall(PAGE.read_text(encoding="utf-8")):
        assert nb not in found, f"two solution blocks for notebook {nb}"
        found[nb] = code
    return found


def test_the_page_has_a_block_for_every_notebook_with_answers_that_need_no_arrays():
    # 06 grades every answer against the notebook's features, images and generator: worked in prose only
    assert sorted(blocks()) == sorted(set(exercises.NOTEBOOKS) - {"06"})


@pytest.mark.parametrize("nb", sorted(blocks()))
def test_every_worked_answer_passes_the_notebooks_checker(nb):
    namespace: dict = {}
    exec(compile(blocks()[nb], f"docs/solutions.md, notebook {nb}", "exec"), namespace)
    params = [p.name for p in inspect.signature(exercises.NOTEBOOKS[nb]).parameters.values()
              if p.kind is p.POSITIONAL_OR_KEYWORD]
    answers = {name: namespace[name] for name in params if namespace.get(name) is not None}
    assert answers, f"the block of notebook {nb} defines none of {params}"
    graded = exercises.grade(nb, **answers)
    answered = {n: r for n, r in graded.items() if r[0] != "not answered"}
    assert len(answered) == len(answers), (answers.keys(), graded)     # each name is one exercise's answer
    assert all(status == "correct" for status, _ in answered.values()), (nb, answered)
