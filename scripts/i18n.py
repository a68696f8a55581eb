"""The Chinese edition: translation catalogues made from the English pages, and what is generated from them.

    ./course.sh i18n            # refresh docs/locale/zh_CN/LC_MESSAGES/*.po from the English, then notebooks/zh/
    ./course.sh i18n --check    # change nothing; list what is out of date or wrong, exit 1 if anything is

The English notebooks and pages are the only source. Sphinx's gettext builder cuts every page into messages (a
paragraph, a list item, a heading, a table cell); each page has one catalogue, ``docs/locale/zh_CN/LC_MESSAGES/
<page>.po``, committed. Refreshing a catalogue (Babel's ``Catalog.update``, the algorithm of GNU ``msgmerge``):

* a new English message arrives untranslated, unless the same English is translated on another page;
* a changed English message keeps its old translation, marked ``fuzzy``, with the previous English beside it
  (``#| msgid``), so a translator sees what changed; Sphinx never shows a fuzzy translation (the page shows the
  English, marked as awaiting translation, until a translator removes the flag);
* messages with nothing to translate (formulas, code, numbers, links; the Colab badge) are filled automatically.

A page is *released* when it is listed in ``docs/locale/zh_CN/released.txt``; the tests then require every message of
it translated and current. ``notebooks/zh/NN_name.ipynb`` is generated for each released notebook: the English
notebook with its markdown translated message by message, code and outputs identical, and relative links one folder
deeper. It is never edited by hand: ``./course.sh i18n`` rewrites it.
"""
from __future__ import annotations

import argparse
import copy
import datetime
import functools
import io
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, unescape, write_po

import slides  # scripts/slides.py: where a slide deck keeps its words

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANG = "zh_CN"
LOCALE = DOCS / "locale" / LANG / "LC_MESSAGES"
RELEASED = DOCS / "locale" / LANG / "released.txt"
GLOSSARY = DOCS / "locale" / LANG / "glossary.md"
ZH_NOTEBOOKS = ROOT / "notebooks" / "zh"
COLAB_ALT = "在 Colab 中打开"
GENERATED_BY = "./course.sh i18n; do not edit"   # in a Chinese notebook's metadata: the only ones a refresh deletes
# A catalogue's line: a keyword and its quoted string, or a string continued (blank lines and comments aside)
PO_LINE = re.compile(r'(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"\s*')


class CatalogueError(ValueError):
    """A catalogue that does not read cleanly: refreshing it would write it back without what could not be read."""
FIXED_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)

# spans whose text is the same in every language: display and inline math, inline code, a link's target, a URL
MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.S)
CODE = re.compile(r"``.+?``|`[^`\n]+`")
LINK_TARGET = re.compile(r"\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)")
URL = re.compile(r"https?://\S+")
NUMBER = re.compile(r"(?<![A-Za-z0-9_.])[-−]?\d[\d,]*(?:\.\d+)?")
SHORT_WORD = re.compile(r"(?<![A-Za-z])(?:in|on|of|vs|to|or|at|by)(?![A-Za-z])")   # words of prose, too short to
# be caught as words of three letters or more


# -- what must not change in a translation ----------------------------------------------------------------------------
def _strip(text: str) -> str:
    """The text with its math, code, link targets and URLs removed."""
    for pattern in (MATH, CODE, LINK_TARGET, URL):
        text = pattern.sub(" ", text)
    return text


def invariants(text: str) -> dict[str, list[str]]:
    """What a translation must keep exactly: math, inline code, link targets, and the numbers of the prose."""
    prose = _strip(text)
    numbers = sorted(n.replace(",", "").replace("−", "-") for n in NUMBER.findall(prose))
    return {"math": sorted(MATH.findall(text)), "code": sorted(CODE.findall(text)),
            "links": sorted(LINK_TARGET.findall(text)), "numbers": numbers}


def nothing_to_translate(msgid: str) -> bool:
    """True for a message with no words: a formula (display math arrives without its $$), code, numbers, links."""
    prose = re.sub(r"\\(?:mathrm|operatorname|mathbb|mathcal|mathbf|boldsymbol)\{[^}]*\}", " ", _strip(msgid))
    prose = re.sub(r"\\[A-Za-z]+", " ", prose)                   # LaTeX commands are not words; \text{...} is
    if re.search(r"[A-Za-z]{3,}", prose):
        return False
    # a short English word between formulas, code or numbers ("$s$ in 11", "a vs b", "3 to 5") is prose to translate;
    # a display formula (it arrives without its $$: LaTeX commands, no $ or `) is not, whatever its letters
    display_math = "\\" in msgid and "$" not in msgid and "`" not in msgid
    return display_math or not SHORT_WORD.search(prose)


# Messages that scripts/notebook_times.py writes after every run (the README's time column and teaching.md's caption
# of a notebook's section times): translated from their numbers, so a re-run needs no translator.
_RUN_TIME = re.compile(r"([\d.]+) min \((\d{4}-\d\d-\d\d), load ([\d.]+)\)")
_SECTION_TIMES = re.compile(
    r"Seconds per section of notebook (\d\d), as Jupyter recorded them in its last run, (\d{4}-\d\d-\d\d) "
    r"\(([\d.]+) minutes top to bottom; load average ([\d.]+) on 2 CPUs\); a load average above 2 means the 2-core "
    r"machine was shared, so an idle one is faster\.?")


def automatic(msgid: str) -> str | None:
    """The translation of a message that needs no translator, or None."""
    if m := _RUN_TIME.fullmatch(msgid):
        return f"{m[1]} 分钟（{m[2]}，负载 {m[3]}）"
    if m := _SECTION_TIMES.fullmatch(msgid):
        return (f"笔记本 {m[1]} 各节的秒数，取自 Jupyter 在其最近一次运行（{m[2]}）中的记录（从头到尾共 {m[3]} "
                f"分钟；2 个 CPU 上的平均负载为 {m[4]}）；平均负载高于 2 说明这台 2 核机器当时与其他任务共用，"
                "空闲的机器会更快。")
    if msgid.startswith("[![Open In Colab]") and "/notebooks/" in msgid:
        # the badge opens the Chinese notebook, where there is one (a released notebook); else the English one
        m = re.search(r"/notebooks/(\d\d_[\w-]+)\.ipynb", msgid)
        zh = m is None or f"notebooks/{m[1]}" in released()
        badge = msgid.replace("[![Open In Colab]", f"[![{COLAB_ALT}]")
        return badge.replace("/notebooks/", "/notebooks/zh/") if zh else badge
    if msgid == "Open In Colab":
        return COLAB_ALT
    return msgid if nothing_to_translate(msgid) else None


def glossary_rows() -> list[tuple[str, str, str]]:
    """The glossary's table: (English, Chinese, "checked" or "") per row."""
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if GLOSSARY.exists() else []:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and len(cells) >= 3 and not set(cells[0]) <= set("-") \
                and cells[0] != "English":
            rows.append((cells[0], cells[1], cells[-1]))
    return rows


def glossary() -> list[tuple[str, str]]:
    """(English, Chinese) pairs of the glossary's rows marked "checked" (the lint's terms)."""
    return [(en, zh) for en, zh, check in glossary_rows() if check == "checked"]


def typography(text: str) -> str:
    """The text as Chinese typography wants it (autocorrect, in markdown mode so math and code are left alone)."""
    import autocorrect_py
    return autocorrect_py.format_for(text, "markdown")


# The edition's conventions (docs/contributing.md, "The Chinese edition"), each a pattern and what to write instead.
CONVENTIONS = [
    (re.compile(r"（[^（）]*（"), "nested brackets: a parenthesis inside another; drop the inner gloss or rephrase"),
    (re.compile(r"(?<![\d.])[123] ?维"), "dimensions: write 一维, 二维, 三维, not 1 维, 2 维, 3 维"),
    (re.compile(r"(小|少|低|短|慢|近|窄|轻)\s*\d[\d,.]*\s*倍"),
     "'N times smaller' is not 小 N 倍: write 只有……的 1/N, or 大 N 倍 turned around"),
    (re.compile(r"(笔记本|随机种子|样本|单元格)（(notebooks?|random seeds?|samples?|(code )?cells?)）"),
     "no English gloss on an everyday word (笔记本, 随机种子, 样本, 单元格)"),
]
_MONTH = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b")


def lint(msgid: str, msgstr: str, terms: list[tuple[str, str]] | None = None) -> list[str]:
    """What is wrong with one translation: a changed formula, code span, link target or number; Chinese typography
    and the edition's conventions; a checked glossary term translated otherwise."""
    problems = []
    a, b = invariants(msgid), invariants(msgstr)
    for digit, word in (("1", "一维"), ("2", "二维"), ("3", "三维")):   # 1-D is 一维: the number is in the word
        for _ in range(min(a["numbers"].count(digit) - b["numbers"].count(digit), msgstr.count(word))):
            a["numbers"].remove(digit)
    for _ in _MONTH.findall(_strip(msgid)):      # 25 October 2018 is 2018 年 10 月 25 日: the month is a number
        month = re.search(r"(?<![\d.])(1[0-2]|[1-9]) ?月", _strip(msgstr))
        if month and month[1] in b["numbers"]:
            b["numbers"].remove(month[1])
    for kind in a:
        if a[kind] != b[kind]:
            lost = sorted(set(a[kind]) - set(b[kind]))
            added = sorted(set(b[kind]) - set(a[kind]))
            problems.append(f"{kind} differ from the English: missing {lost or a[kind]}, extra {added}")
    if re.search(r"[\u4e00-\u9fff]", msgstr):
        fixed = typography(msgstr)
        if fixed != msgstr:
            problems.append(f"typography: should read {fixed!r}")
        problems += [f"convention: {say} ({hit[0]!r})" for pattern, say in CONVENTIONS
                     if (hit := pattern.search(_strip(msgstr)))]    # not inside code: an example may quote one
    for en, zh in terms if terms is not None else glossary():
        if re.search(rf"\b{re.escape(en)}(?:s|es)?\b", _strip(msgid), re.I) and zh not in msgstr:   # "critic(s)",
            # not "critical"
            problems.append(f"glossary: {en!r} is {zh!r}")
    return problems


def unfinished(page: str, cat: Catalog) -> list[str]:
    """Each message of a page's catalogue that a released page may not have: untranslated, or fuzzy (stale)."""
    out = []
    for msg in cat:
        where = f"{page}: {msg.id[:70]!r}"
        if msg.id and msg.fuzzy:
            out.append(f"{where}: the English changed; update the translation and remove the fuzzy flag")
        elif msg.id and not msg.string:
            out.append(f"{where}: not translated")
    return out


def page_problems(page: str, complete: bool) -> list[str]:
    """Every problem of a page's catalogue (with complete: also each message untranslated or fuzzy)."""
    cat, terms = load(page), glossary()
    if cat is None:
        return [f"{page}: no catalogue: run ./course.sh i18n"]
    out = unfinished(page, cat) if complete else []
    for msg in cat:
        if not msg.id:
            continue
        where = f"{page}: {msg.id[:70]!r}"
        if msg.string and not msg.fuzzy and msg.string not in (msg.id, automatic(msg.id)):
            out += [f"{where}: {p}" for p in lint(msg.id, msg.string, terms)]
    return out


# -- catalogues --------------------------------------------------------------------------------------------------------
def extract(outdir: Path) -> dict[str, Catalog]:
    """Every page's messages, as Sphinx's gettext builder cuts them (page name -> template catalogue)."""
    cmd = [sys.executable, "-m", "sphinx", "-b", "gettext", "-q", "-E", str(DOCS), str(outdir)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0 or out.stderr.strip():
        raise SystemExit(f"the gettext build failed or warned:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    pages = {}
    for pot in sorted(outdir.rglob("*.pot")):
        with open(pot, "rb") as f:
            pages[pot.relative_to(outdir).with_suffix("").as_posix()] = read_po(f)
    for page, template in pages.items():       # a notebook's slide deck (cell metadata) is no part of its page
        if page.startswith("notebooks/"):
            for key in deck_messages(json.loads((ROOT / f"{page}.ipynb").read_text(encoding="utf-8"))):
                if key not in template:
                    template.add(key, locations=[(f"{page}.ipynb", 0)], auto_comments=["slide deck"])
    return pages


def _messages(text: str) -> list[str]:
    """A markdown text's messages, cut as translate_markdown reads them: paragraphs, headings, list items' and table
    cells' text, display math."""
    out = []
    for tok in _parser().parse(text):
        if tok.type == "inline":
            out.append(" ".join(tok.content.split("\n")).strip())
        elif tok.type in ("math_block", "math_block_label"):
            out.append(tok.content.strip())
    return [m for m in out if m]


def deck_messages(nb: dict) -> list[str]:
    """Every message of a notebook's authored slide deck: its slides' text, big numbers' captions and notes."""
    return [m for cell in nb["cells"]
            for holder, k in slides.deck_texts(cell.get("metadata", {}).get("slideshow", {}).get("deck") or {})
            for m in _messages(holder[k])]


def po_path(page: str) -> Path:
    return LOCALE / f"{page}.po"


def read_catalogue(path: Path) -> Catalog:
    """The catalogue at ``path``, read strictly: Babel's reader skips (or cuts short) a line it cannot parse, and a
    refresh would then write the catalogue back without it, losing its translation. CatalogueError names the line."""
    def refuse(line: int, why: str):
        return CatalogueError(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} line {line}: {why}; "
                              f"nothing was written: fix line {line} (or move the file away to start it again)")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise refuse(path.read_bytes()[:e.start].count(b"\n") + 1, "not UTF-8 text") from None
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.startswith("#") and not PO_LINE.fullmatch(line):
            raise refuse(n, f"not a catalogue line ({line[:60]!r}: a keyword and a quoted string, or a string)")
    try:
        return read_po(io.BytesIO(text.encode("utf-8")), locale=LANG, abort_invalid=True)
    except PoFileError as e:
        raise refuse(getattr(e, "lineno", 0) + 1, str(e).split(" on ")[0]) from None


def load(page: str) -> Catalog | None:
    path = po_path(page)
    if not path.exists():
        return None
    catalog = read_catalogue(path)
    for msg in catalog:   # Babel's reader keeps '#|' lines (the previous English) as translator comments
        if any(c.startswith("| msgid") for c in msg.user_comments):
            lines = msg.user_comments
            if msg.fuzzy and all(re.fullmatch(r'\| (msgid )?"(?:[^"\\]|\\.)*"', c) for c in lines):
                msg.previous_id = ("".join(unescape(c[len("| msgid "):] if c.startswith("| msgid") else c[2:])
                                           for c in lines),)
            msg.user_comments = []    # (an older dump's one-line form, wrapped, is unreadable: dropped)
    return catalog


def dump(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, include_previous=True, ignore_obsolete=True, omit_header=False)
    # With width=0 Babel writes a multi-line previous English on one line ('#| msgid "" "a\n" "b"'), which its own
    # reader takes for a translator comment; one string per '#|' line reads back as the previous English.
    def one_per_line(m: re.Match) -> str:
        parts = re.findall(r'"(?:[^"\\]|\\.)*"', m.group(2))
        return f"#| {m.group(1)} " + "\n#| ".join(parts)
    text = re.sub(r'^#\| (msgid|msgctxt) (".*)$', one_per_line, buf.getvalue().decode("utf-8"), flags=re.M)
    return text.encode("utf-8")


def memory(catalogs: dict[str, Catalog]) -> dict[str, str]:
    """English -> Chinese over every catalogue (current and obsolete messages, not fuzzy ones): a paragraph moved to
    another page keeps its translation."""
    known = {}
    for cat in catalogs.values():
        for msg in list(cat) + list(cat.obsolete.values()):
            if msg.id and msg.string and not msg.fuzzy:
                known.setdefault(msg.id, msg.string)
    return known


def merged(page: str, template: Catalog, old: Catalog | None, known: dict[str, str]) -> Catalog:
    """The page's catalogue for the current English (msgmerge's rules; see the module's docstring)."""
    if old is None:
        cat = Catalog(locale=LANG, project=template.project, version=template.version, fuzzy=False)
        cat.update(template)
    else:
        cat = copy.deepcopy(old)
        cat.update(template, no_fuzzy_matching=False, update_header_comment=False)
    cat.revision_date = cat.creation_date = FIXED_DATE   # the header says nothing a refresh should change
    cat.last_translator = "the course's contributors"
    cat.language_team = "Chinese (Simplified)"
    cat.fuzzy = False
    for msg in cat:
        if not msg.id:
            continue
        msg.flags.discard("python-format")       # Babel's guess from a "%" in prose: there are no placeholders
        auto = automatic(msg.id)
        if auto is not None:
            msg.string, msg.previous_id = auto, ()
            msg.flags.discard("fuzzy")
        elif not msg.string and msg.id in known:
            msg.string = known[msg.id]
        if msg.string and re.match(r"\d+\. ", msg.string) and re.match(r"\d+\. ", msg.id):
            # "1. 密度" would be parsed as a numbered list when Sphinx reads the translation: escape the period
            msg.string = re.sub(r"^(\d+)\. ", r"\1\\. ", msg.string)
    return cat


def released() -> list[str]:
    if not RELEASED.exists():
        return []
    return [l.split("#")[0].strip() for l in RELEASED.read_text().splitlines() if l.split("#")[0].strip()]


# -- Chinese notebooks ------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    return MarkdownIt("commonmark").enable("table").use(dollarmath_plugin, double_inline=True)


def _deeper(text: str) -> str:
    """Relative link targets one folder deeper (notebooks/zh/ instead of notebooks/)."""
    def fix(m):
        target = m.group(1)
        if not target or "://" in target or target.startswith(("#", "/", "mailto:")):
            return m.group(0)
        return f"]({'../' + target})"
    return LINK_TARGET.sub(fix, text)


def translate_markdown(source: str, table: dict[str, str], used: set[str], deeper: bool = True) -> str:
    """A markdown cell with each paragraph, heading, list item's paragraph and table cell replaced by its
    translation (as the site shows them: a message without one stays English); ``deeper``: relative links one
    folder deeper, for notebooks/zh/ (a slide deck's links, made for slides/ and zh/slides/, stay)."""
    lines = source.split("\n")
    tokens = _parser().parse(source)
    edits = []                                    # (first line, last line + 1, new lines)
    rows: dict[int, list[str]] = {}               # a table row's cells as translated so far (a row holds many cells)
    for i, tok in enumerate(tokens):
        if tok.map is None or tok.type not in ("inline", "math_block", "math_block_label"):
            continue
        a, b = tok.map
        if tok.type != "inline":                  # display math: its \\text{...} may be translated
            key = tok.content.strip()
            new = table.get(key)
            block = "\n".join(lines[a:b])
            if new and key in block:
                edits.append((a, b, block.replace(key, new, 1).split("\n")))
                used.add(key)
            continue
        key = " ".join(tok.content.split("\n")).strip()
        new = table.get(key)
        if not new:
            continue
        parent = tokens[i - 1].type
        if parent in ("th_open", "td_open"):      # a table cell: replace within its row (a \\| is no border)
            cells = rows.setdefault(a, re.split(r"(?<!\\)\|", lines[a]))
            for j, cell in enumerate(cells):
                if cell.strip().replace("\\|", "|") == tok.content.strip():
                    cells[j] = cell.replace(cell.strip(), new.replace("|", "\\|"), 1)
                    break
            else:
                continue
        else:
            first = tok.content.split("\n")[0]
            pos = lines[a].find(first)
            if pos < 0:
                continue
            edits.append((a, b, [lines[a][:pos] + new]))
        used.add(key)
    edits += [(a, a + 1, ["|".join(cells)]) for a, cells in rows.items()]
    for a, b, new_lines in sorted(edits, reverse=True):
        lines[a:b] = new_lines
    return _deeper("\n".join(lines)) if deeper else "\n".join(lines)


def chinese_notebook(name: str, catalog: Catalog) -> tuple[dict, set[str]]:
    """notebooks/zh/<name>.ipynb's content, and the messages it used."""
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    table = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    used: set[str] = set()
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            src = "".join(cell["source"])
            new = translate_markdown(src, table, used)
            cell["source"] = new.splitlines(keepends=True)
        # the slide deck: its text, captions and speaker notes
        for holder, k in slides.deck_texts(cell.get("metadata", {}).get("slideshow", {}).get("deck") or {}):
            holder[k] = translate_markdown(holder[k], table, used, deeper=False)
    nb["metadata"]["gan_course"] = {"language": LANG, "generated_from": f"notebooks/{name}.ipynb",
                                    "by": GENERATED_BY}
    nb["metadata"].pop("jupytext", None)          # no .py pair: the English notebook is the source
    return nb, used


def notebook_text(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


# -- the command ------------------------------------------------------------------------------------------------------
def refresh(check: bool) -> list[str]:
    """Bring every catalogue and Chinese notebook up to date (or, with check, say what is not); the problems."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        templates = extract(Path(tmp))
    olds = {page: load(page) for page in templates}     # every catalogue read (strictly) before any is written
    orphans = {path.relative_to(LOCALE).with_suffix("").as_posix(): path for path in sorted(LOCALE.rglob("*.po"))}
    orphans = {page: read_catalogue(path) for page, path in orphans.items() if page not in templates}
    # a page renamed or removed: its translations still fill the same English elsewhere
    known = memory({**orphans, **{p: c for p, c in olds.items() if c is not None}})
    cats = {}
    for page, template in templates.items():
        cat = merged(page, template, olds[page], known)
        cats[page] = cat
        text = dump(cat)
        path = po_path(page)
        current = path.read_bytes() if path.exists() else b""
        if _body(text) != _body(current):
            if check:
                problems.append(f"{path.relative_to(ROOT)} does not match the current English: run ./course.sh i18n")
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text)
    for path in sorted(LOCALE.rglob("*.po")):
        page = path.relative_to(LOCALE).with_suffix("").as_posix()
        if page not in templates:
            if check:
                problems.append(f"{path.relative_to(ROOT)} belongs to no page: run ./course.sh i18n")
            else:
                path.unlink()
    wanted = {}
    for page in released():
        if page not in cats:
            problems.append(f"released.txt lists {page!r}, which is no page of the site")
            continue
        if check:     # a released page shows only Chinese: a message left untranslated or stale shows English
            problems += [f"{p} (released page: translate it, or take {page} out of released.txt)"
                         for p in unfinished(page, cats[page])]
        if page.startswith("notebooks/"):
            name = page.split("/", 1)[1]
            nb, _ = chinese_notebook(name, cats[page])
            wanted[ZH_NOTEBOOKS / f"{name}.ipynb"] = notebook_text(nb)
    for path, text in wanted.items():
        if not path.exists() or path.read_text() != text:
            if check:
                problems.append(f"{path.relative_to(ROOT)} is not up to date: run ./course.sh i18n")
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    for path in sorted(ZH_NOTEBOOKS.glob("*.ipynb")) if ZH_NOTEBOOKS.exists() else []:
        if path not in wanted and generated(path):   # a notebook of the learner's there (a copy, notes) is theirs
            if check:
                problems.append(f"{path.relative_to(ROOT)} is of no released page: run ./course.sh i18n")
            else:
                path.unlink()
    return problems


def generated(path: Path) -> bool:
    """Whether the notebook at ``path`` is one this script wrote (``GENERATED_BY`` in its metadata)."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(meta.get("gan_course"), dict) and meta["gan_course"].get("by") == GENERATED_BY


def _body(po: bytes) -> bytes:
    """A catalogue without its header's dates (which say when, not what)."""
    return re.sub(rb'"(POT-Creation-Date|PO-Revision-Date): [^"]*"\n', b"", po)


def progress(page: str) -> dict[str, int]:
    cat = load(page)
    counts = {"messages": 0, "translated": 0, "fuzzy": 0, "missing": 0}
    for msg in cat or []:
        if not msg.id:
            continue
        counts["messages"] += 1
        key = "fuzzy" if msg.fuzzy else "translated" if msg.string else "missing"
        counts[key] += 1
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is out of date")
    parser.add_argument("--lint", metavar="PAGE", nargs="+",
                        help="only check these pages' translations (e.g. notebooks/01_probability_background)")
    args = parser.parse_args(argv)
    try:
        if args.lint:
            problems = [p for page in args.lint for p in page_problems(page, complete=True)]
            print("\n".join(problems) or "no problems")
            return 1 if problems else 0
        problems = refresh(args.check)
    except CatalogueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    rel = set(released())
    print(f"{'page':42} {'messages':>8} {'done':>6} {'fuzzy':>6} {'missing':>8}  released")
    for path in sorted(LOCALE.rglob("*.po")):
        page = path.relative_to(LOCALE).with_suffix("").as_posix()
        c = progress(page)
        print(f"{page:42} {c['messages']:8d} {c['translated']:6d} {c['fuzzy']:6d} {c['missing']:8d}  "
              f"{'yes' if page in rel else ''}")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
