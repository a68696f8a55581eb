"""Every number on a teacher's page is bound to the output, file or worked answer that shows it.

    python scripts/page_numbers.py            # list each number with no binding, or whose source no longer shows it
    python scripts/page_numbers.py --bind     # bind the unbound ones it can (prints each with its line, to read);
                                              # lists the rest, to bind by hand in tests/page_numbers.json

The pages (``PAGES``: the README, the home page, the teaching page, the concept questions and the worked solutions)
quote numbers that the notebooks measure. A teacher reads them aloud beside the notebook on the screen, so a number
there that the committed outputs no longer print is a contradiction in front of a class. The notebooks' own prose is
checked by tests/test_notebook_claims.py; this does the same for the pages, more strictly: each number is bound to
one place, so a one-digit change on a page, or a re-run that prints another value, fails tests/test_page_numbers.py.

Which numbers: those that look like measurements (a decimal point, a percent, a thousands separator, an exponent, a
ratio such as ``4x``, or three or more digits) and the counts written ``N of M`` or ``N to M of the K``; outside
code, display math, links, headings and references (notebook, section, exercise, appendix numbers; citation years).
Inline math counts (the teaching page writes measured values in it), except on the worked solutions, where it is the
arithmetic of a derivation whose answer tests/test_solutions.py grades.

Each occurrence is keyed by (page, section, the number as written, its index among equal numbers of the section);
a section is a ``## NN`` heading's notebook, or a table row or list item that starts with a notebook's number. Its
binding (``BINDINGS``) says where the number is shown:

- ``{"notebook": "06", "cell": ID, "line": TEXT}``: a line of that cell's committed outputs, which must still be
  printed there and show the number (at the precision written: ``62.6`` is shown by ``62.61``, ``35.6%`` by
  ``0.356``);
- ``{"file": PATH, "line": TEXT}``: a line of a file of the repository (benchmarks' results) that shows it;
- ``{"solution": "08", "name": "ex1"}``: a variable of the worked solutions' ``# solutions: 08`` block, which the
  test runs (and tests/test_solutions.py grades);
- ``{"why": TEXT}``: not a measurement (a setting, a definition computed in the sentence), with the reason.
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("README.md", "docs/index.md", "docs/teaching.md", "docs/questions.md", "docs/solutions.md")
BINDINGS = ROOT / "tests" / "page_numbers.json"
# pages whose inline math is worked arithmetic, not quoted measurements (tests/test_solutions.py grades the answers)
DERIVATIONS = ("docs/solutions.md",)
# files a page may quote besides the notebooks: the benchmarks' dated results
FILES = ("benchmarks/RESULTS.md", "benchmarks/quality_results.md", "docs/pretrained.md")

_FENCE = re.compile(r"^```.*?^```[^\n]*$", re.S | re.M)
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
_INLINE_MATH = re.compile(r"\$[^$\n]+\$")
_MASKS = [re.compile(p, f) for p, f in [
    (r"`[^`\n]+`", 0),                                        # inline code: settings and names
    (r"\]\([^)]*\)|https?://\S+|<[^>\n]+>", 0),               # links, addresses, HTML comments and tags
    (r"^#+ .*$", re.M),                                       # headings
    (r"^\s*\d+\.\s", re.M),                                   # list numbers
    (r"\{[\w-]+\}`[^`]*`", 0),                                # MyST roles
    (r"(?i)(§|\b(notebooks?|sections?|cells?|exercises?|appendix|appendices|issue|chapter|table|figure|lecture|"
     r"session|week|question|part|level|row|column|slide)\s*)\d+(\.\d+)*[a-z]?"
     r"(\s*(-|–|and|or|to|,)\s*\d+(\.\d+)*[a-z]?)*", 0),       # references
    (r"(?<=et al\., )\d{4}[a-z]?|(?<=[(,] )(19|20)\d\d[a-z]?(?=[);,])|(?<=\()(19|20)\d\d(?=\))", 0),   # years
    (r"\b20\d\d-\d\d-\d\d\b", 0),                             # dates
]]
_NUMBER = re.compile(r"(?:(?<![\w.])|(?<=[\s(]x))[-+−]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(e[-+]?\d+)?(\s?%|x\b|×)?", re.I)
_OF = re.compile(r"(?<![\w.,])(\d+)(?: to (\d+))? of (?:the |its )?(\d+)(?![\w.,]\d)")
_ROW = re.compile(r"\| (\d\d) \||- \*\*(\d\d)\*\*")
_HEADING2 = re.compile(r"^## (?:(\d\d)\b)?", re.M)
_BASE64 = re.compile(r"[A-Za-z0-9+/=\\]{40,}")        # an image inlined in an HTML output
_WORD = re.compile(r"[a-z][a-z-]{3,}")
_COMMON = set("that this with from than their there when which what each only have been into over under about "
              "after before same while where against between both more most less also does give gives shows "
              "show notebook notebooks section printed prints".split())


def _value(written: str) -> tuple[float, int, bool]:
    """(value, decimals, is_percent) of a number as written."""
    m = _NUMBER.fullmatch(written.strip()) or _NUMBER.match(written.strip())
    whole, frac, exp, unit = m.group(1), m.group(2) or "", m.group(3) or "", (m.group(4) or "").strip()
    value = float((whole.replace(",", "") + frac + exp).replace("−", "-"))
    if written.strip().startswith(("-", "−")):
        value = -value
    return value, (len(frac) - 1 if frac and not exp else 0), unit == "%"


def _measurement(written: str) -> bool:
    value, _, percent = _value(written)
    return ("." in written or percent or "," in written or "e" in written.lower()
            or written.endswith(("x", "×")) or abs(value) >= 100)


def mask(text: str, inline_math: bool = True) -> str:
    """``text`` with what holds no quoted number blanked (same length, newlines kept); ``inline_math=False`` blanks
    inline math too."""
    out = list(text)

    def blank(m):
        for i in range(m.start(), m.end()):
            if out[i] != "\n":
                out[i] = " "
    for pattern in (_FENCE, _DISPLAY_MATH, *_MASKS, *([] if inline_math else [_INLINE_MATH])):
        for m in pattern.finditer("".join(out)):
            blank(m)
    return "".join(out)


def section_at(text: str, pos: int) -> str:
    """The section of position ``pos``: the notebook of a table row or list item that starts with its number, else of
    the ``## NN`` heading above it; "top" under any other heading."""
    line = text[text.rfind("\n", 0, pos) + 1:]
    if (m := _ROW.match(line)):
        return m.group(1) or m.group(2)
    heading = [m for m in _HEADING2.finditer(text, 0, pos)]
    return heading[-1].group(1) or "top" if heading else "top"


def occurrences(page: str, text: str | None = None) -> list[dict]:
    """Every quoted number of ``page`` (a path relative to the repository), in order: its key and its context."""
    text = (ROOT / page).read_text(encoding="utf-8") if text is None else text
    masked = mask(text, inline_math=page not in DERIVATIONS)
    found = []
    for m in _NUMBER.finditer(masked):
        written = m.group(0).strip().lstrip("+")
        if _measurement(written):
            found.append((m.start() + m.group(0).index(written), m.end(), written))
    for m in _OF.finditer(masked):                   # counts: "8 of 8 modes", "9 to 17 of the 64 codes"
        found += [(m.start(g), m.end(g), m.group(g)) for g in (1, 2) if m.group(g)]
    found.sort()
    seen: dict[tuple, int] = {}
    out = []
    for start, end, written in found:
        section = section_at(text, start)
        key = (section, written)
        seen[key] = seen.get(key, -1) + 1
        context = " ".join(text[max(0, start - 90):end + 40].split())
        out.append({"page": page, "section": section, "number": written, "nth": seen[key], "context": context,
                    "start": start})
    return out


def key(o: dict) -> tuple:
    return o["page"], o["section"], o["number"], o["nth"]


def shows(line: str, written: str) -> bool:
    """Whether a printed line shows the number as written (rounded to the decimals written; a percent may be printed
    as a fraction, a fraction as a percent). A number of one significant digit (0.9, 5%) names nothing by rounding:
    it must be printed with that value, in its own unit (0.90 is "0.9"; 0.86 and 86% are not)."""
    value, decimals, percent = _value(written)
    tol = 0.5 * 10 ** (-decimals) + 1e-12
    mantissa = re.sub(r"[^\d.]", "", written.lower().split("e")[0])
    digits = mantissa.replace(".", "").lstrip("0") if "." in mantissa else mantissa.strip("0")
    loose = len(digits) > 1                     # significant digits: 0.030 has two, 0.9 and 500 one
    for m in _NUMBER.finditer(line):
        v, _, p = _value(m.group(0))
        if not loose and (p != percent or abs(abs(v) - abs(value)) > 1e-9):
            continue
        if m.start() and line[m.start() - 1] in "0123456789%":     # the dash of a range, 21%-25%, not a sign
            v = abs(v)
        # a percent may be shown as a fraction (35.6% as 0.356), a fraction as a percent, or a percent in a table
        # column headed "%" (1.3 for 1.3%)
        for scale in {1, 0.01 if percent and not p else 100 if p and not percent else 1}:
            if abs(v - value * scale) <= tol * scale:
                return True
    return False


def output_lines(nb: dict) -> dict[str, list[str]]:
    """cell id -> the lines of its text outputs (stream, text/plain, text/markdown, text/html)."""
    lines = {}
    for cell in nb["cells"]:
        texts = []
        for out in cell.get("outputs", []):
            if "text" in out:
                texts.append("".join(out["text"]))
            for mime in ("text/plain", "text/markdown", "text/html"):
                data = out.get("data", {}).get(mime)
                if data:
                    texts.append("".join(data) if isinstance(data, list) else data)
        if texts:
            lines[cell["id"]] = [l.strip() for t in texts for l in t.splitlines()
                                 if l.strip() and not _BASE64.fullmatch(l.strip()) and "base64," not in l]
    return lines


class Sources:
    """What the bindings point at, read once: the notebooks' output lines, the files, the solutions' values."""

    def __init__(self):
        self.notebooks = {p.name[:2]: output_lines(json.loads(p.read_text(encoding="utf-8")))
                          for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
        self.files = {f: [l.strip() for l in (ROOT / f).read_text(encoding="utf-8").splitlines() if l.strip()]
                      for f in FILES if (ROOT / f).exists()}
        self._solutions = None

    def solutions(self) -> dict[str, dict]:
        if self._solutions is None:
            page = (ROOT / "docs" / "solutions.md").read_text(encoding="utf-8")
            self._solutions = {}
            for nb, code in re.findall(r"```python\n# solutions: (\d\d)\n(.*?)```", page, re.S):
                namespace: dict = {}
                exec(compile(code, f"docs/solutions.md, notebook {nb}", "exec"), namespace)
                self._solutions[nb] = {k: v for k, v in namespace.items()
                                       if isinstance(v, (int, float)) and not isinstance(v, bool)}
        return self._solutions

    def problem(self, o: dict, b: dict) -> str | None:
        """What is wrong with binding ``b`` of occurrence ``o``, or None."""
        w = o["number"]
        if "why" in b:
            return None if str(b["why"]).strip() else "a 'why' binding with no reason"
        if "notebook" in b:
            lines = self.notebooks.get(b["notebook"], {}).get(b.get("cell"))
            if lines is None:
                return f"notebook {b['notebook']} has no cell {b.get('cell')!r} with outputs"
            if b.get("line") not in lines:
                return f"notebook {b['notebook']}, cell {b['cell']} no longer prints {b.get('line')!r}"
        elif "file" in b:
            if b.get("line") not in self.files.get(b["file"], []):
                return f"{b['file']} has no line {b.get('line')!r}"
        elif "solution" in b:
            value = self.solutions().get(b["solution"], {}).get(b.get("name"))
            if value is None:
                return f"the solutions block {b['solution']} defines no number {b.get('name')!r}"
            return None if shows(repr(float(value)), w) or shows(f"{value:.12g}", w) else \
                f"the solutions block {b['solution']} computes {b['name']} = {value:.6g}, not {w}"
        else:
            return f"a binding of no known kind: {b}"
        return None if shows(b["line"], w) else f"the bound line does not show {w}: {b['line']!r}"

    def moved(self, o: dict, old: dict) -> list[dict]:
        """The lines of the old binding's cell that show ``o``, the one sharing most words with the old line first."""
        words = set(_WORD.findall(old.get("line", "").lower()))
        lines = self.notebooks.get(old["notebook"], {}).get(old["cell"], [])
        found = [(len(words & set(_WORD.findall(l.lower()))), l) for l in lines if shows(l, o["number"])]
        return [{"notebook": old["notebook"], "cell": old["cell"], "line": l}
                for _, l in sorted(found, key=lambda t: -t[0])]

    def candidates(self, o: dict) -> list[dict]:
        """Bindings that would show ``o``, best first (most words shared with the page's context)."""
        words = set(_WORD.findall(o["context"].lower())) - _COMMON
        nbs = [o["section"]] if o["section"] in self.notebooks else \
            re.findall(r"(?i)notebooks?\s+(\d\d)", o["context"]) or list(self.notebooks)
        found = []
        if o["page"] == "README.md" and o["section"] in self.notebooks:    # a row's run time: the notebook's last line
            words |= {"bottom", "minutes", "load", "average"}
        for nb in nbs:
            for cell, lines in self.notebooks[nb].items():
                found += [(len(words & set(_WORD.findall(l.lower()))), {"notebook": nb, "cell": cell, "line": l})
                          for l in lines if shows(l, o["number"])]
        for f, lines in self.files.items():
            found += [(len(words & set(_WORD.findall(l.lower()))) - 1, {"file": f, "line": l})
                      for l in lines if len(l) < 2000 and shows(l, o["number"])]
        if o["page"] == "docs/solutions.md" and o["section"] in self.solutions():
            found += [(5, {"solution": o["section"], "name": n}) for n, v in self.solutions()[o["section"]].items()
                      if shows(f"{v:.12g}", o["number"])]
        found.sort(key=lambda t: -t[0])
        # a line sharing no word with the page's sentence is taken only for a number precise enough to name itself
        precise = len(re.sub(r"\D", "", o["number"]).lstrip("0")) >= 4
        return [b for score, b in found if score >= 1 or (precise and score >= 0)]


def load(rows: bool = False) -> dict[tuple, dict]:
    """key -> binding (``rows``: key -> the whole row, with the context it was bound in)."""
    if not BINDINGS.exists():
        return {}
    return {(b["page"], b["section"], b["number"], b["nth"]): b if rows else b["source"]
            for b in json.loads(BINDINGS.read_text(encoding="utf-8"))}


def _same_place(a: str, b: str) -> bool:
    """Whether two contexts are the same sentence (edited a little): an old binding whose occurrence now sits in
    another sentence (a number inserted before it shifts the count) is bound again, not kept."""
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.6


def problems(texts: dict[str, str] | None = None, bindings: dict | None = None,
             sources: Sources | None = None) -> list[str]:
    """One line per number on the pages with no binding or a binding its source no longer supports, and per
    binding with no number; ``texts`` (page -> text), for tests, checks only those pages, with that text."""
    bindings = load() if bindings is None else bindings
    sources = sources or Sources()
    pages = list(texts) if texts else PAGES
    out, seen = [], set()
    for page in pages:
        for o in occurrences(page, (texts or {}).get(page)):
            k = key(o)
            seen.add(k)
            b = bindings.get(k)
            if b is None:
                out.append(f"{page} [{o['section']}] {o['number']}: no binding (…{o['context']}…)")
            elif (p := sources.problem(o, b)):
                out.append(f"{page} [{o['section']}] {o['number']}: {p}")
    out += [f"{k[0]} [{k[1]}] {k[2]} (#{k[3]}): bound, but the page no longer has it" for k in bindings
            if k[0] in pages and k not in seen]
    return out


def bind() -> None:
    """Keep every binding that still holds; bind each other number to its best candidate; list what is left."""
    old, sources = load(rows=True), Sources()
    rows, left = [], []
    for page in PAGES:
        for o in occurrences(page):
            row = old.get(key(o))
            b = row and row["source"]
            same = row is not None and _same_place(row.get("context", ""), o["context"])
            if not same or sources.problem(o, b):
                # a re-run that reflowed a bound line: the same cell, the line sharing most words with the old one
                found = sources.moved(o, b) if same and "cell" in b else []
                how = "moved within its cell" if found else "bound"
                found = found or sources.candidates(o)
                if not found:
                    left.append(o)
                    continue
                b = found[0]
                print(f"{how} {page} [{o['section']}] {o['number']}  …{o['context']}…\n    -> {b}")   # read it
            rows.append({"page": page, "section": o["section"], "number": o["number"], "nth": o["nth"],
                         "context": o["context"], "source": b})
    BINDINGS.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for o in left:
        print(f"UNBOUND {o['page']} [{o['section']}] {o['number']}  …{o['context']}…")
    print(f"{len(rows)} bound, {len(left)} left to bind by hand ({BINDINGS.relative_to(ROOT)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bind", action="store_true", help="bind what can be bound, list the rest")
    args = parser.parse_args(argv)
    if args.bind:
        bind()
        return 0
    found = problems()
    print("\n".join(found) or "every number on the pages is bound to what shows it")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
