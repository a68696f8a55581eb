"""The slide decks (scripts/slides.py): the rules that cut a notebook into slides, the metadata that overrides them
(kept by jupytext), and one real deck built from a committed notebook. The site's decks are read in Chromium by
tests/test_book.py."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jupytext
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import slides  # noqa: E402


def md(text: str, **meta) -> dict:
    return {"cell_type": "markdown", "source": text, "metadata": meta, "id": f"m{abs(hash(text)) % 10**6}"}


def code(text: str, **meta) -> dict:
    return {"cell_type": "code", "source": text, "metadata": meta, "outputs": [], "execution_count": None,
            "id": f"c{abs(hash(text)) % 10**6}"}


def kinds(nb: dict) -> list[tuple[str, str]]:
    return [(c["source"].split("\n")[0][:20], c["metadata"]["slideshow"]["slide_type"]) for c in nb["cells"]]


def test_the_rules_keep_the_lesson_and_leave_out_the_scaffolding():
    nb = {"cells": [md("# 05 Title\n\n[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
                       "(https://colab.research.google.com/github/x/y.ipynb)\n\nIntro."),
                    code("# Setup: the course package\nimport os"),
                    md("## 1. A section\n\nWhy."), code("x = 1\nprint(x)"), md("More prose."),
                    code("# Check: x is one.\nassert x == 1"), code("# NBVAL_CHECK_OUTPUT\n# Check: also\nassert x"),
                    code("# NBVAL_CHECK_OUTPUT\nprint(x)"),
                    code("# Check: shown anyway\nassert x", slideshow={"slide_type": "subslide"}),
                    code("y = 2", slideshow={"slide_type": "skip"}),
                    md("## Exercises\n\n1. Do it."), code("# Your answers (replace the None's)\nex1 = None"),
                    code("# Checker: one line per exercise\nexercises.check()"),
                    md("## Appendix A: details"), code("z = 3")], "metadata": {}}
    deck = slides.deck_notebook(nb)
    assert kinds(deck) == [("# 05 Title", "slide"), ("## 1. A section", "slide"), ("x = 1", "subslide"),
                           ("More prose.", "subslide"), ("print(x)", "subslide"), ("# Check: shown anywa", "subslide"),
                           ("## Exercises", "slide")]
    assert "colab-badge" not in deck["cells"][0]["source"] and "Intro." in deck["cells"][0]["source"]
    assert nb["cells"][0]["source"].count("colab") == 3             # the notebook itself is not changed
    assert slides.core_length(nb["cells"]) == 13
    assert slides.core_length([md("## 附录 A：细节")]) == 0            # a Chinese notebook's appendix
    assert slides.core_length([md("## 1. Only a core")]) == 1
    mid = [md("## 1. A section"), md("Last words.\n\n## Appendix A: more\n\nDetails."), md("More details.")]
    assert slides.core_length(mid) == 1                               # an appendix that starts inside a cell
    assert [c["source"] for c in slides.core_cells(mid)] == ["## 1. A section", "Last words."]


def test_a_long_cell_is_cut_between_paragraphs_never_inside_code_or_a_display():
    para = lambda i: " ".join(f"w{i}" for _ in range(60))          # noqa: E731 (60 words)
    fence = "```python\nx = 1\n\ny = 2\n```"
    display = "$$\na = b\n\n+ c\n$$"
    cell = md("\n\n".join(["## Heading", para(1), fence, para(2), display, para(3), para(4)]))
    parts = slides.split_markdown(cell, words=100)
    texts = [p["source"] for p in parts]
    assert texts[0].startswith("## Heading\n\n" + para(1))          # the heading stays with what follows it
    assert all(len(t.split()) <= 100 + 60 for t in texts) and len(parts) >= 3
    assert sum(t.count(fence) for t in texts) == 1 and sum(t.count(display) for t in texts) == 1
    assert "\n\n".join(texts) == cell["source"]                       # nothing lost, nothing reordered
    assert [p["metadata"].get("slideshow", {}).get("slide_type") for p in parts[1:]] == ["subslide"] * (len(parts) - 1)
    assert len({p["id"] for p in parts}) == len(parts)
    short = md("One short paragraph.")
    assert slides.split_markdown(short) == [short]


def test_jupytext_keeps_a_cells_slide_metadata_and_nothing_else():
    """A deck is authored in the cells' slide metadata: the .py pair of a notebook keeps it exactly (so a deck edited
    on either side survives the sync), and no other cell metadata."""
    nb = jupytext.read(REPO / "notebooks" / "01_probability_background.py")
    ipynb = json.loads((REPO / "notebooks" / "01_probability_background.ipynb").read_text())
    in_py = [c.metadata["slideshow"] for c in nb.cells if c.metadata.get("slideshow")]
    assert in_py and in_py == [c["metadata"]["slideshow"] for c in ipynb["cells"] if "slideshow" in c["metadata"]]
    assert all(set(c.metadata) <= {"slideshow", "lines_to_next_cell"} for c in nb.cells)   # the latter: jupytext's own
    text = jupytext.writes(nb, "py:percent")
    assert '# %% [markdown] slideshow={"deck": {"notes": ' in text


def test_a_deck_from_a_committed_notebook(tmp_path):
    source = REPO / "notebooks" / "05_training_loop.ipynb"
    out = slides.build(source, tmp_path / "deck.html", static="../_static", page="../notebooks/05_training_loop.html")
    html = out.read_text()
    nb = json.loads(source.read_text())
    core = slides.core_length(nb["cells"])
    assert 0 < core < len(nb["cells"])
    assert "<title>05 The training loop: slides</title>" in html
    assert "../_static/reveal.js/dist/reveal.js" in html and "width: 1280, height: 720" in html
    assert 'href="../notebooks/05_training_loop.html"' in html and 'class="jp-Notebook course-authored"' in html
    slides_ = sum(c.get("metadata", {}).get("slideshow", {}).get("slide_type") == "slide"
                  and "deck" in c["metadata"]["slideshow"] for c in nb["cells"])
    assert html.count('<aside class="notes">') == slides_ and slides_ in slides.SLIDES
    for left_out in ("CLONE = next(", "# Check: the run is complete", "Appendix A:", "colab-badge.svg",
                     "cdn.", "unpkg.com", "require.js", "the code ("):
        assert left_out not in html, left_out
    assert '<p class="course-big">' in html                             # a headline number, from the output
    assert re.search(r"<img[^>]+src=\"data:image/png;base64", html)   # the committed figures


def test_the_rules_still_cut_a_notebook_without_an_authored_deck(tmp_path):
    """A notebook of a contributor who has not authored a deck yet still gets one, cut by the rules."""
    nb = json.loads((REPO / "notebooks" / "05_training_loop.ipynb").read_text())
    for c in nb["cells"]:
        c.get("metadata", {}).pop("slideshow", None)
    path = tmp_path / "05_training_loop.ipynb"
    path.write_text(json.dumps(nb))
    html = slides.build(path, tmp_path / "deck.html").read_text()
    assert html.count("<section") >= 30 and "the code (" in html and '<aside class="notes">' not in html


def test_a_section_that_starts_inside_a_cell_starts_a_slide():
    parts = slides.split_markdown(md("Closing words of section 1.\n\n## 2. The next section\n\nIts first words."))
    assert [p["source"].split("\n")[0] for p in parts] == ["Closing words of section 1.", "## 2. The next section"]
    assert parts[1]["metadata"]["slideshow"]["slide_type"] == "slide"


# ------------------------------------------------------------------------------------------- authored decks
def authored_nb(n_slides: int = 15, **first) -> dict:
    """A core of ``n_slides`` markdown slides with notes, the first with ``first``'s deck entries, and a code cell
    whose output prints a number and draws a picture."""
    cells = [md("# 99 A title"), code("x = 1", slideshow={"slide_type": "slide", "deck": {
        "text": "## A measured number", "notes": "Say what the number means.", **first}})]
    cells[1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "FID 62.61 after 5,000 steps\n"},
                           {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo="}}]
    cells += [md(f"## Idea {i}", slideshow={"slide_type": "slide", "deck": {"text": f"## Idea {i}",
                                                                              "notes": f"Notes {i}."}})
              for i in range(n_slides - 1)]
    return {"cells": cells + [md("## Appendix A: more", slideshow={"slide_type": "slide", "deck": {
        "text": "left out", "notes": "an appendix is no part of the lecture"}})], "metadata": {}}


def test_an_authored_deck_shows_what_its_cells_ask_and_the_notes_beside_them():
    nb = slides.deck_notebook(authored_nb(big={"find": r"FID ([\d.]+)", "say": "MNIST-FID"}, figure=True,
                                          output=True, code=True))
    cells = nb["cells"]
    kinds_ = [(c["cell_type"], c["metadata"]["slideshow"]["slide_type"]) for c in cells]
    assert kinds_[:6] == [("markdown", "slide"), ("markdown", "-"), ("code", "-"), ("code", "-"), ("code", "-"),
                          ("markdown", "notes")]
    assert '<p class="course-big">62.61</p>' in cells[1]["source"]           # the number comes from the output
    assert cells[2]["source"] == "x = 1" and not cells[2]["metadata"]["course"]["hide_input"]
    assert cells[3]["outputs"][0]["text"].startswith("FID 62.61") and cells[3]["metadata"]["course"]["hide_input"]
    assert "image/png" in cells[4]["outputs"][0]["data"]
    assert sum(k == ("markdown", "slide") for k in kinds_) == 15                 # the appendix's entry is left out
    assert all(c["source"] != "left out" for c in cells)
    assert sum(k == ("markdown", "notes") for k in kinds_) == 15


def test_an_authored_deck_refuses_what_it_cannot_show():
    def refused(nb, match):
        with pytest.raises(ValueError, match=match):
            slides.deck_notebook(nb)
    refused(authored_nb(big={"find": r"IS ([\d.]+)"}), "prints nothing that matches")
    refused(authored_nb(figure=2), "asks for picture 2")
    refused(authored_nb(n_slides=14), "15-25 slides, this one 14")
    refused(authored_nb(n_slides=26), "15-25 slides, this one 26")
    nb = authored_nb()
    nb["cells"][1]["metadata"]["slideshow"]["deck"]["notes"] = " "
    refused(nb, "every slide needs speaker notes")
    nb = authored_nb(code=True)
    nb["cells"][1]["source"] = "\n".join(f"x{i} = {i}" for i in range(16))
    refused(nb, "16 lines of code on one slide")
    nb = authored_nb()
    nb["cells"][1]["metadata"]["slideshow"]["slide_type"] = "subslide"
    refused(nb, "'slide' or 'fragment'")
    nb = authored_nb()
    nb["cells"].insert(1, md("a step", slideshow={"slide_type": "fragment", "deck": {"text": "step"}}))
    refused(nb, "a fragment needs a slide before it")


def test_a_fragment_joins_the_slide_before_it():
    nb = authored_nb()
    nb["cells"].insert(2, md("then", slideshow={"slide_type": "fragment", "deck": {"text": "**then this**"}}))
    cells = slides.deck_notebook(nb)["cells"]
    assert [(c["source"], c["metadata"]["slideshow"]["slide_type"]) for c in cells[:3]] == [
        ("## A measured number", "slide"), ("Say what the number means.", "notes"), ("**then this**", "fragment")]


COMMITTED = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("ipynb", COMMITTED, ids=lambda p: p.stem)
def test_every_notebook_has_an_authored_lecture_deck_in_both_languages(ipynb):
    """15-25 slides with speaker notes, at most 6 code slides, built from the committed outputs (every picture and
    headline number found), in English and in the Chinese notebook generated from it."""
    zh = REPO / "notebooks" / "zh" / ipynb.name        # a released Chinese notebook (docs/locale/zh_CN/released.txt)
    for source in (ipynb, *([zh] if zh.exists() else [])):
        cells = slides.core_cells(json.loads(source.read_text(encoding="utf-8"))["cells"],
                                  slides.core_length(json.loads(ipynb.read_text(encoding="utf-8"))["cells"]))
        assert slides.authored(cells), f"{source}: its core has no authored deck (scripts/slides.py)"
        decks = [c["metadata"]["slideshow"] for c in cells if "deck" in c.get("metadata", {}).get("slideshow", {})]
        assert sum(d["slide_type"] == "slide" for d in decks) in slides.SLIDES, source
        assert sum(bool(d["deck"].get("code")) for d in decks) <= 6, source
        deck = slides.deck(source, ipynb if source != ipynb else None)
        assert sum(c.metadata.slideshow.slide_type == "notes" for c in deck.cells) == \
            sum(d["slide_type"] == "slide" for d in decks)


# -- the teaching page's plans: a tested 50-minute cut of every core -------------------------------------------------

TEACHING = REPO / "docs" / "teaching.md"
PLAN = re.compile(r"^\*\*(50 minutes|75 minutes|Fallback|Homework)\.\*\*(.*?)(?=\n\n|\Z)", re.M | re.S)
REF = re.compile(r"§(\d+(?:\.\d+)?)\.?(?: ([A-Z][^.,:;()§]*))?")
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? (.*)$", re.M)


def plans(text: str) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """The teaching page's plans: notebook number -> plan ("50 minutes", ...) -> [(section, title or "")]."""
    out: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for part in re.split(r"^## (?=\d\d )", text, flags=re.M)[1:]:
        out[part[:2]] = {kind: [(m[1], (m[2] or "").strip()) for m in REF.finditer(body)]
                         for kind, body in PLAN.findall(part)}
    return out


def sections_and_slides(cells: list[dict]) -> tuple[dict[str, str], list[str]]:
    """A core's numbered headings (number -> title) and, for each slide of its authored deck, its section's number."""
    heads, at, slid = {}, "0", []
    for cell in cells:
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        found = HEADING.findall(source) if cell["cell_type"] == "markdown" else []
        heads.update(found)
        kind = cell.get("metadata", {}).get("slideshow", {})
        if "deck" in kind and kind.get("slide_type") == "slide":
            slid.append(found[0][0] if found else at)
        at = found[-1][0] if found else at
    return heads, slid


def _same_title(heading: str, named: str) -> bool:
    """The page names a section by its heading's words, or by their start ("§4 The stabilisers compared, from ..."),
    and its sentence may go on after them ("§4 Reading the curves on the live run")."""
    a, b = (re.sub(r"\W+", " ", t).strip().lower() for t in (heading, named))
    return a.startswith(b) or b.startswith(a + " ")


def plan_problems(plan: dict[str, list[tuple[str, str]]], heads: dict[str, str], slid: list[str]) -> list[str]:
    """What a plan names that the core does not have: a section, a title that is not its heading's, or (for the
    50-minute plan, the one the deck gives) a section without a slide."""
    problems = []
    for kind, refs in plan.items():
        for number, title in refs:
            if number not in heads:
                problems.append(f"{kind}: §{number} is not a section of the core")
            elif title and not _same_title(heads[number], title):
                problems.append(f"{kind}: §{number} is called {title!r} on the page, {heads[number]!r} in the core")
            elif kind == "50 minutes" and not any(s == number or s.startswith(number + ".") for s in slid):
                problems.append(f"{kind}: §{number} has no slide in the deck")
    return problems


def test_a_plan_that_names_a_missing_or_renamed_section_or_one_without_slides_fails():
    heads, slid = sections_and_slides([md("## 1. Densities\n\nText.", slideshow={"slide_type": "slide", "deck": {}}),
                                       md("More on densities."), md("### 1.1 The inverse CDF"),
                                       code("x = 1", slideshow={"slide_type": "slide", "deck": {}}),
                                       md("## 2. Sampling by noise")])
    assert heads == {"1": "Densities", "1.1": "The inverse CDF", "2": "Sampling by noise"} and slid == ["1", "1.1"]
    page = ("## 01 Probability\n\n**50 minutes.** §1 Densities. §1.1 The inverse CDF, live.\n\n"
            "**75 minutes.** All of §2 and §1.\n\n## 02 Next\n\n**50 minutes.** §3.")
    assert plans(page) == {"01": {"50 minutes": [("1", "Densities"), ("1.1", "The inverse CDF")],
                                  "75 minutes": [("2", ""), ("1", "")]}, "02": {"50 minutes": [("3", "")]}}
    assert plan_problems(plans(page)["01"], heads, slid) == []
    assert plan_problems({"50 minutes": [("3", "")]}, heads, slid) == ["50 minutes: §3 is not a section of the core"]
    assert "called 'Samples'" in plan_problems({"x": [("1", "Samples")]}, heads, slid)[0]
    assert plan_problems({"x": [("1", "Densities, live"), ("1", "Densities of the run")]}, heads, slid) == []
    assert plan_problems({"x": [("1", "Dens")]}, heads, slid) == []   # a word cut short still names its start
    assert len(plan_problems({"x": [("1.1", "The CDF"), ("2", "Sampling by noises")]}, heads, slid)) == 2
    assert plan_problems({"50 minutes": [("2", "Sampling")]}, heads, slid) == \
        ["50 minutes: §2 has no slide in the deck"]


def test_every_notebooks_plans_name_sections_of_its_core_and_the_50_minute_plan_has_its_slides():
    page = plans(TEACHING.read_text(encoding="utf-8"))
    assert set(page) == {p.stem[:2] for p in COMMITTED}, "every notebook has its plans on docs/teaching.md"
    problems = []
    for ipynb in COMMITTED:
        plan = page[ipynb.stem[:2]]
        assert "50 minutes" in plan and plan["50 minutes"], f"{ipynb.stem}: no 50-minute plan naming its sections"
        cells = slides.core_cells(json.loads(ipynb.read_text(encoding="utf-8"))["cells"])
        problems += [f"{ipynb.stem}: {p}" for p in plan_problems(plan, *sections_and_slides(cells))]
    assert not problems, "\n".join(problems)


def test_the_chinese_teaching_page_keeps_every_section_number():
    from babel.messages.pofile import read_po
    with open(REPO / "docs" / "locale" / "zh_CN" / "LC_MESSAGES" / "teaching.po", "rb") as f:
        catalogue = read_po(f)
    def numbers(text: str) -> list[str]:      # §2, or "section 2", which Chinese writes 第 2 节
        return sorted("".join(m) for m in re.findall(r"§(\d+(?:\.\d+)?)|[Ss]ection (\d+(?:\.\d+)?)\b|"
                                                     r"第 ?(\d+(?:\.\d+)?) ?节", text))
    wrong = [m.id[:60] for m in catalogue if m.id and m.string and numbers(m.id) != numbers(m.string)]
    assert not wrong, wrong
