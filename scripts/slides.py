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

A deck carries ``MARKER`` in its head: the command replaces a deck it made earlier, but refuses any other file of that
name (``--force`` replaces it), and checks every notebook and output before it writes the first deck.
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
# every deck's <meta name="generator"> (the template writes it): a file with it may be replaced; any other file is the
# learner's, never overwritten without --force
MARKER = "gans-in-jax scripts/slides.py"
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


def deck(ipynb: Path, english: Path | None = None):
    """The deck notebook of ``ipynb`` (``deck_notebook``, as nbformat's node). ValueError, naming the file and what is
    wrong, for a file that is not a readable notebook (not JSON, not nbformat), one with no cells, or one whose
    lecture core has no slide."""
    import nbformat
    try:
        nb = nbformat.reads(ipynb.read_text(encoding="utf-8"), as_version=4)    # sources joined into strings
        nbformat.validate(nb)                   # reads only logs some schema errors; a deck needs a valid notebook
    except Exception as e:                      # NotJSONError, ValidationError, UnicodeDecodeError, a JSON list...
        why = " ".join(str(e).split())[:160] or type(e).__name__
        raise ValueError(f"{ipynb} is not a readable notebook ({why}): give a notebook as Jupyter saves it, e.g. "
                         "notebooks/05_training_loop.ipynb") from None
    if not nb.cells:
        raise ValueError(f"{ipynb} has no cells: there is nothing to put on slides")
    core = core_length(json.loads(english.read_text(encoding="utf-8"))["cells"]) if english else None
    out = nbformat.from_dict(deck_notebook(nb, core))
    if not out.cells:                           # nbconvert's own error ("All cells are hidden") names no file
        raise ValueError(f"{ipynb} has no slide: every cell of its lecture core is skipped (the setup, check, answer "
                         "and checker cells, and cells marked 'skip')")
    return out


def build(ipynb: Path, out: Path, *, static: str = "../_static", english: Path | None = None,
          page: str | None = None, language: str = "en") -> Path:
    """Writes the deck of ``ipynb`` to ``out`` (an .html file). ``english``: the English notebook whose core length
    a translated one uses (same cells, translated headings); ``page``: a link back to the notebook's page.
    ValueError (``deck``) for a notebook with no deck, before anything is written."""
    from nbconvert import SlidesExporter

    cells = deck(ipynb, english)
    exporter = SlidesExporter(template_name="course", extra_template_basedirs=[str(TEMPLATE)])
    title = next((m[1] for c in cells.cells if c.cell_type == "markdown"
                  for m in [re.match(r"#\s+(.+)", c.source)] if m), ipynb.stem)
    html, _ = exporter.from_notebook_node(cells, resources={
        "metadata": {"name": title}, "course": {"static": static.rstrip("/"), "page": page or "",
                                                "language": language, "marker": MARKER}})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


def ours(path: Path) -> bool:
    """Whether the file at ``path`` is a deck this script wrote (``MARKER`` in its head)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return MARKER in f.read(4096)
    except OSError:
        return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+", type=Path, help="notebooks/NN_name.ipynb ...")
    ap.add_argument("-o", "--out", type=Path, required=True, help="folder for the decks (NN_name.html)")
    ap.add_argument("--static", default="../_static",
                    help="where the decks find reveal.js/ and mathjax/ (relative to the decks; default: the site's)")
    ap.add_argument("--force", action="store_true",
                    help="replace an existing NN_name.html in the folder even if this script did not write it")
    args = ap.parse_args(argv)
    from gan_utils import checkpoint           # the one guard of every write (checkpoint.check_target)
    outs = {}
    for nb in args.notebooks:                   # every check before the first deck: a refusal writes nothing
        if not nb.is_file() or nb.suffix != ".ipynb":
            ap.error(f"no notebook {nb} (give e.g. notebooks/05_training_loop.ipynb)")
        out = args.out / f"{nb.stem}.html"
        if out in outs:
            ap.exit(2, f"{ap.prog}: error: {outs[out]} and {nb} would both write {out}: make their decks one at a "
                       "time, into different folders (-o)\n")
        outs[out] = nb
        if out.is_dir():
            ap.exit(2, f"{ap.prog}: error: {out} is a folder: choose another folder for the decks (-o)\n")
        try:                                    # never inside a checkpoint folder, nor over a run's file
            checkpoint.check_target(out)
        except checkpoint.CheckpointError as e:
            ap.exit(2, f"{ap.prog}: error: {e}\n")
        if out.exists() and not args.force and not ours(out):     # a learner's own file of that name: never lost
            ap.exit(2, f"{ap.prog}: error: {out} exists and is not a deck made by slides.py: choose another folder "
                       "(-o) or pass --force to replace it\n")
        try:
            deck(nb)
        except ValueError as e:
            ap.exit(2, f"{ap.prog}: error: {e}\n")
    for out, nb in outs.items():
        print(build(nb, out, static=args.static))
    return 0


if __name__ == "__main__":
    sys.exit(main())
