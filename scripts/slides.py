"""Slides from the notebooks: one reveal.js deck per notebook's lecture core, made by nbconvert's slides exporter.

    python scripts/slides.py notebooks/05_training_loop.ipynb ... -o DIR    # DIR/05_training_loop.html ...
    ./course.sh book                                                        # every deck, English and Chinese, into
                                                                            # _build/book/slides and zh/slides

A deck is the notebook as committed (its saved outputs, never re-run), cut to what a class sees. The rules, which a
cell's own ``slideshow`` metadata overrides (Jupyter's "Slide Type" in the property inspector; jupytext keeps it in
the .py as ``# %% slideshow={"slide_type": "skip"}``):

- only the lecture core: the cells from the first "## Appendix" heading on are left out;
- a markdown cell that opens with a heading starts a slide; any other markdown cell a sub-slide below it (reveal's
  vertical slides: the space bar walks through them in order);
- a long markdown cell is cut between paragraphs into sub-slides of at most about ``WORDS`` words each, and a
  section heading inside a cell starts a slide there;
- a code cell is a sub-slide of its own, its code and its outputs;
- the setup cell (the first code cell), the check cells (first line ``# Check``, after the test suite's
  ``# NBVAL_...`` markers, which no slide shows), the exercises' answer and checker
  cells (``# Your answers``, ``# Checker``) are skipped: the class sees the lesson, not the scaffolding.

reveal.js itself (5.2.1, MIT) is vendored in docs/_static/reveal.js/ with its licence (README.txt says how), so a deck
works offline; formulas use the site's own MathJax (docs are built with sphinx-mathjax-offline), found at ``--static``
(default: the site's ``_static`` folder, one level above the decks). A slide taller than the screen scrolls.
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "scripts" / "slides_template"
SKIPPED = ("# Check", "# Your answers", "# Checker")
WORDS = 110                     # a slide of prose read aloud in under a minute, in 26-pixel type on a 1280x800 slide
APPENDIX = re.compile(r"^##\s+(Appendix|附录)", re.M)
NBVAL = re.compile(r"^# NBVAL\w*[^\n]*\n?", re.M)      # the test suite's markers (tests/), not the lesson's
BADGE = re.compile(r"\[!\[[^]]*\]\(https://colab\.research\.google\.com/assets/[^)]*\)\]\([^)]*\)\n*")


def core_length(cells: list[dict]) -> int:
    """The index of the cell where the first "## Appendix" heading is (at its start or inside it; the number of
    cells if there is none)."""
    for i, c in enumerate(cells):
        if c["cell_type"] == "markdown" and APPENDIX.search("".join(c["source"])):
            return i
    return len(cells)


def core_cells(cells: list[dict], length: int | None = None) -> list[dict]:
    """The lecture core: the cells before the first appendix heading, and the part of its cell above it.
    ``length``: where the appendix starts (``core_length`` of the English notebook, for a translated one)."""
    length = core_length(cells) if length is None else length
    out = copy.deepcopy(cells[:length])
    if length < len(cells) and cells[length]["cell_type"] == "markdown":
        src = "".join(cells[length]["source"])
        m = APPENDIX.search(src)
        if m and src[:m.start()].strip():
            out.append({**copy.deepcopy(cells[length]), "source": src[:m.start()].rstrip()})
    return out


def slide_type(cell: dict, first_code: bool) -> str:
    """The cell's slide type: its own ``slideshow`` metadata, else the module's rules."""
    own = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
    if own:
        return own
    src = NBVAL.sub("", "".join(cell["source"])).lstrip()
    if cell["cell_type"] == "markdown":
        return "slide" if src.startswith("#") else "subslide"
    if cell["cell_type"] != "code" or first_code or src.startswith(SKIPPED):
        return "skip"
    return "subslide"


def blocks(markdown: str) -> list[str]:
    """A markdown text cut at its blank lines, except inside a code fence or a $$ display."""
    out, current, fence, math = [], [], False, False
    for line in markdown.split("\n"):
        if not line.strip() and not fence and not math:
            if current:
                out.append("\n".join(current))
                current = []
            continue
        current.append(line)
        if line.lstrip().startswith("```"):
            fence = not fence
        math ^= line.count("$$") % 2 == 1
    if current:
        out.append("\n".join(current))
    return out


def split_markdown(cell: dict, words: int = WORDS) -> list[dict]:
    """A markdown cell as one or more cells of at most about ``words`` words, cut between paragraphs; a heading
    stays with what follows it. The first keeps the cell's slide type, the others are sub-slides."""
    chunks, current, count = [], [], 0
    for block in blocks(cell["source"]):
        n = len(block.split())
        heading = block.startswith("## ")            # a section that starts inside a cell starts a slide
        if current and (heading or count + n > words) and not current[-1].lstrip().startswith("#"):
            chunks.append(current)
            current, count = [], 0
        current.append(block)
        count += n
    if current:
        chunks.append(current)
    cells = []
    for i, chunk in enumerate(chunks):
        c = copy.deepcopy(cell)
        c["source"] = "\n\n".join(chunk)
        if i:
            c["metadata"]["slideshow"] = {"slide_type": "slide" if chunk[0].startswith("## ") else "subslide"}
            c["id"] = f"{cell.get('id', 'cell')}-{i}"
        cells.append(c)
    return cells


def deck_notebook(nb: dict, core: int | None = None) -> dict:
    """The notebook a deck shows: its lecture core (``core``: where the appendix starts, if not found here), each
    cell with its slide type."""
    cells = core_cells(nb["cells"], core)
    nb = {**nb, "cells": []}
    seen_code, out = False, []
    for c in cells:
        if c["cell_type"] == "markdown":       # the Colab badge: a class has the notebook open already (and offline)
            c["source"] = BADGE.sub("", "".join(c["source"]))
        elif c["cell_type"] == "code":
            c["source"] = NBVAL.sub("", "".join(c["source"]))
        c.setdefault("metadata", {}).setdefault("slideshow", {})["slide_type"] = slide_type(
            c, c["cell_type"] == "code" and not seen_code)
        seen_code |= c["cell_type"] == "code"
        if c["metadata"]["slideshow"]["slide_type"] == "skip":
            continue
        out.extend(split_markdown(c) if c["cell_type"] == "markdown" else [c])
    nb["cells"] = out
    return nb


def build(ipynb: Path, out: Path, *, static: str = "../_static", english: Path | None = None,
          page: str | None = None, language: str = "en") -> Path:
    """Writes the deck of ``ipynb`` to ``out`` (an .html file). ``english``: the English notebook whose core length
    a translated one uses (same cells, translated headings); ``page``: a link back to the notebook's page."""
    import nbformat
    from nbconvert import SlidesExporter

    nb = nbformat.reads(ipynb.read_text(encoding="utf-8"), as_version=4)      # sources joined into strings
    core = core_length(json.loads(english.read_text(encoding="utf-8"))["cells"]) if english else None
    deck = nbformat.from_dict(deck_notebook(nb, core))
    exporter = SlidesExporter(template_name="course", extra_template_basedirs=[str(TEMPLATE)])
    title = next((m[1] for c in deck.cells if c.cell_type == "markdown"
                  for m in [re.match(r"#\s+(.+)", c.source)] if m), ipynb.stem)
    html, _ = exporter.from_notebook_node(deck, resources={
        "metadata": {"name": title}, "course": {"static": static.rstrip("/"), "page": page or "",
                                                "language": language}})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+", type=Path, help="notebooks/NN_name.ipynb ...")
    ap.add_argument("-o", "--out", type=Path, required=True, help="folder for the decks (NN_name.html)")
    ap.add_argument("--static", default="../_static",
                    help="where the decks find reveal.js/ and mathjax/ (relative to the decks; default: the site's)")
    args = ap.parse_args(argv)
    for nb in args.notebooks:
        if not nb.is_file() or nb.suffix != ".ipynb":
            ap.error(f"no notebook {nb} (give e.g. notebooks/05_training_loop.ipynb)")
        print(build(nb, args.out / f"{nb.stem}.html", static=args.static))
    return 0


if __name__ == "__main__":
    sys.exit(main())
