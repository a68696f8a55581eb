"""The teacher's pages never contradict the screen (scripts/page_numbers.py): every number that the README, the home
page, the teaching page, the concept questions and the worked solutions quote is bound to the committed output, file
line or worked answer that shows it, so a one-digit change on a page, or a re-run that prints another value, fails."""
from __future__ import annotations

import copy
import random
import re

import pytest

from course_scripts import load

page_numbers = load("page_numbers")


@pytest.fixture(scope="module")
def sources():
    return page_numbers.Sources()


@pytest.fixture(scope="module")
def texts():
    return {p: (page_numbers.ROOT / p).read_text(encoding="utf-8") for p in page_numbers.PAGES}


def test_every_number_on_the_pages_is_bound_to_what_shows_it(sources):
    found = page_numbers.problems(sources=sources)
    assert not found, ("numbers on the teacher's pages that no committed output shows (fix the page, or bind the "
                       "number: python scripts/page_numbers.py --bind):\n" + "\n".join(found[:40]))


def _mutations(texts, n, seed=0):
    """``n`` (page, text with one digit of one quoted number changed, the number) drawn at random over the pages."""
    rng = random.Random(seed)
    every = [(page, o) for page in page_numbers.PAGES for o in page_numbers.occurrences(page, texts[page])]
    out = []
    for page, o in rng.sample(every, n):
        text = texts[page]
        assert text.startswith(o["number"], o["start"])
        at = o["start"] + rng.choice([i for i, ch in enumerate(o["number"]) if ch.isdigit()])
        new = str((int(text[at]) + rng.randrange(1, 10)) % 10)
        out.append((page, text[:at] + new + text[at + 1:], o["number"]))
    return out


def test_a_one_digit_change_to_any_number_on_a_page_fails(sources, texts):
    bindings = page_numbers.load()
    for page, changed, number in _mutations(texts, 60):
        found = page_numbers.problems({page: changed}, bindings, sources)
        assert found and all(f.startswith(page) for f in found), (page, number, found)


def test_a_rerun_that_prints_another_value_fails(sources):
    """The source side: a bound output line that now prints another digit is reported, naming the page's number."""
    bindings = page_numbers.load()
    key, b = next((k, b) for k, b in bindings.items() if "notebook" in b and k[0] == "docs/teaching.md")
    rerun = copy.copy(sources)
    rerun.notebooks = copy.deepcopy(sources.notebooks)
    lines = rerun.notebooks[b["notebook"]][b["cell"]]
    i = lines.index(b["line"])
    lines[i] = re.sub(r"\d(?=\D*$)", lambda m: str((int(m.group(0)) + 1) % 10), lines[i])
    found = page_numbers.problems(bindings=bindings, sources=rerun)
    assert any(f.startswith(f"{key[0]} [{key[1]}] {key[2]}:") and "no longer prints" in f for f in found), found


def test_each_kind_of_binding_can_fail(sources):
    o = {"page": "docs/solutions.md", "section": "08", "number": "37.12", "nth": 0, "context": ""}
    assert sources.problem(o, {"solution": "08", "name": "ex1"}) is None          # the block computes 37.12
    assert "computes" in sources.problem({**o, "number": "37.13"}, {"solution": "08", "name": "ex1"})
    assert "no number" in sources.problem(o, {"solution": "08", "name": "nothing"})
    assert "no reason" in sources.problem(o, {"why": " "})
    assert "no line" in sources.problem(o, {"file": "benchmarks/RESULTS.md", "line": "37.12 is not here"})
    assert "no known kind" in sources.problem(o, {"guess": 1})


def test_shows_reads_the_number_at_the_precision_written():
    shows = page_numbers.shows
    assert shows("FID 62.61 on 10,000 samples", "62.6") and not shows("FID 62.61", "62.7")
    assert shows("high quality 0.356", "35.6%") and shows("only 35.6% of", "0.356")
    assert shows("content 24% (21%-25%)", "25%")                 # a range's dash is not a minus sign
    assert not shows("correlation -0.014", "0.014") and shows("correlation -0.014", "-0.014")
    assert shows("13,516 pairs", "13,516") and not shows("13,516 pairs", "13,517")
    # one significant digit names nothing by rounding: beta1 = 0.9 is not shown by 86% or 0.86, only by 0.9 (0.90)
    assert not shows("86% of the samples", "0.9") and not shows("spread 0.86", "0.9")
    assert shows("beta1 0.9, seed 0", "0.9") and shows("(1 - alpha = 0.90)", "0.9") and shows("3.03e-02", "0.030")
