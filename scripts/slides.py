"""Slides from the notebooks: one reveal.js deck per notebook's lecture core, made by nbconvert's slides exporter.

    python scripts/slides.py notebooks/05_training_loop.ipynb ... -o DIR    # DIR/05_training_loop.html ...
    ./course.sh book                                                        # every deck, English and Chinese, into
                                                                            # _build/book/slides and zh/slides

A deck is the notebook as committed (its saved outputs, never re-run). A notebook whose core carries an **authored
deck** gets that deck; any other is cut by rules.

**The authored deck** (``AUTHORED``). A core cell enters the deck when its ``slideshow`` metadata (Jupyter's slide
metadata, kept by jupytext in the .py header of the cell) has a ``deck`` entry; its ``slide_type`` is ``slide`` (a new
slide) or ``fragment`` (added to the slide before it, shown at the next key press: a derivation step by step). The
entry says what the slide shows, in this order, and what the teacher says:

- ``text``: the slide's markdown (a heading, a few lines, a formula); a markdown cell without it shows nothing else;
- ``big``: ``{"find": REGEX, "say": MARKDOWN}``: the first match of REGEX (its first group, if it has one) in the
  cell's printed output, in large type, with ``say`` under it: the headline number comes from the output, so a
  re-run that prints no match fails the build instead of showing a stale number;
- ``code``: true to show the cell's code (at most ``CODE_LINES`` lines); ``output``: true for its printed text;
- ``figure``: true (the cell's last picture; a widget's saved picture counts) or the index of its picture;
- ``notes``: the speaker notes (reveal.js's ``S`` key): what to say, the misconception to raise, the question to ask.

Every slide needs notes; a deck has ``SLIDES`` slides; every slide is a top-level one, so the arrow keys walk them
all. A build fails, naming the cell, on a missing picture, output match or notes, or on too long code.

**The rules**, for a notebook without an authored deck; a cell's own ``slideshow`` metadata overrides them
(Jupyter's "Slide Type" in the property inspector; jupytext keeps it in the .py as
``# %% slideshow={"slide_type": "skip"}``):

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
SLIDES = range(15, 26)          # an authored deck: 15-25 slides, a 50-minute lecture
CODE_LINES = 15                 # a code slide the class can read at 1280x720
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


def deck_notebook(nb: dict, core: int | None = None, name: str = "the notebook") -> dict:
    """The notebook a deck shows: its lecture core (``core``: where the appendix starts, if not found here), each
    cell with its slide type; an authored deck's cells (``authored_slides``) if the core has one."""
    cells = core_cells(nb["cells"], core)
    if authored(cells):
        return {**nb, "cells": authored_slides(cells, name)}
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


def authored(cells: list[dict]) -> bool:
    """Whether a lecture core carries an authored deck (a cell with a ``deck`` entry)."""
    return any("deck" in c.get("metadata", {}).get("slideshow", {}) for c in cells)


def deck_texts(deck: dict) -> list[tuple[dict, str]]:
    """Where a deck entry keeps words a reader sees or hears (its text, the big number's caption, the notes), as
    (holder, key) pairs: read ``holder[key]``, or replace it (a translation)."""
    places = [(deck, "text"), (deck.get("big") or {}, "say"), (deck, "notes")]
    return [(holder, k) for holder, k in places if holder.get(k)]


def _pictures(cell: dict) -> list[dict]:
    """The cell's outputs that carry a PNG (a figure, or a widget's saved picture), each as a display output."""
    return [{"output_type": "display_data", "metadata": {}, "data": {"image/png": o["data"]["image/png"]}}
            for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]


def _printed(cell: dict) -> str:
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def authored_slides(cells: list[dict], name: str = "the notebook") -> list[dict]:
    """The cells of an authored deck (see the module's docstring): per slide, its markdown, big number, code, output
    and picture, then its notes. ValueError, naming the cell, for what a slide asks and the cell cannot give."""
    out, slides = [], 0

    def add(cell_type, source, kind, outputs=None, hide_input=False):
        c = {"cell_type": cell_type, "metadata": {"slideshow": {"slide_type": kind}}, "source": source,
             "id": f"deck-{len(out)}"}
        if cell_type == "code":
            c.update(execution_count=None, outputs=outputs or [])
            c["metadata"]["course"] = {"hide_input": hide_input}
        out.append(c)

    for cell in cells:
        meta = cell.get("metadata", {}).get("slideshow", {})
        deck = meta.get("deck")
        if deck is None:
            continue
        where = f"{name}, cell {cell.get('id', '?')}"
        kind = meta.get("slide_type", "slide")
        if kind not in ("slide", "fragment"):
            raise ValueError(f"{where}: a deck cell's slide_type is 'slide' or 'fragment', not {kind!r}")
        if kind == "fragment" and not slides:
            raise ValueError(f"{where}: a fragment needs a slide before it")
        if kind == "slide" and not str(deck.get("notes", "")).strip():
            raise ValueError(f"{where}: every slide needs speaker notes (deck.notes): what to say, what to ask")
        slides += kind == "slide"
        pieces = []
        if deck.get("text"):
            pieces.append(("markdown", deck["text"], {}))
        if deck.get("big"):
            found = re.search(deck["big"]["find"], _printed(cell))
            if not found:
                raise ValueError(f"{where}: its output prints nothing that matches {deck['big']['find']!r}: re-run "
                                 "the notebook, or fix the pattern")
            value = found.group(1) if found.groups() else found.group(0)
            say = deck["big"].get("say", "")
            pieces.append(("markdown", f'<p class="course-big">{value}</p>\n\n{say}'.rstrip(), {}))
        if deck.get("code"):
            src = NBVAL.sub("", "".join(cell["source"])).strip("\n")
            if src.count("\n") + 1 > CODE_LINES:
                raise ValueError(f"{where}: {src.count(chr(10)) + 1} lines of code on one slide (at most "
                                 f"{CODE_LINES}): show the lines that teach in the slide's text instead")
            pieces.append(("code", src, {"outputs": [], "hide_input": False}))
        if deck.get("output"):
            pieces.append(("code", "", {"outputs": [{"output_type": "stream", "name": "stdout",
                                                      "text": _printed(cell)}], "hide_input": True}))
        if deck.get("figure") is not None and deck.get("figure") is not False:
            pics = _pictures(cell)
            k = -1 if deck["figure"] is True else deck["figure"]
            if not pics or not -len(pics) <= k < len(pics):
                raise ValueError(f"{where}: the slide asks for picture {deck['figure']} and the cell's saved outputs "
                                 f"have {len(pics)}: re-run the notebook, or fix the deck entry")
            pieces.append(("code", "", {"outputs": [pics[k]], "hide_input": True}))
        if not pieces:
            raise ValueError(f"{where}: the deck entry shows nothing (give text, big, code, output or figure)")
        for i, (cell_type, source, extra) in enumerate(pieces):
            add(cell_type, source, kind if i == 0 else "-", **extra)
        if str(deck.get("notes", "")).strip():
            add("markdown", deck["notes"], "notes")
    if slides not in SLIDES:
        raise ValueError(f"{name}: an authored deck has {SLIDES.start}-{SLIDES.stop - 1} slides, this one {slides}")
    return out


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
    out = nbformat.from_dict(deck_notebook(nb, core, str(ipynb)))
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
                                                "language": language, "marker": MARKER,
                                                "authored": any(c.get("id", "").startswith("deck-")
                                                                for c in cells.cells)}})
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
