"""The course's website (docs/, `./course.sh book`): built from the committed notebooks without running them, then
read page by page in headless Chromium, served over HTTP as GitHub Pages serves it.

The build runs once per test session (the `book` fixture) with exactly the command `./course.sh book` runs after its
install step, read from course.sh so that the two cannot drift apart.
"""
from __future__ import annotations

import fcntl
import json
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from gan_utils import course

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "_build" / "book"
NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# the README's details, each on a page of its own (docs/NAME.md), all linked from the home page
PAGES = ["installing", "command-line", "package", "playground", "pretrained", "measuring", "speed", "results",
         "testing", "contributing", "notation", "teaching", "solutions", "questions"]
WIDGET_TEXT = ("children=", "object at 0x", "Error displaying widget", "Loading widget", "widget-view+json")
TEX_LEFT = re.compile(r"\$\$|\\\(|\\\[|\\(frac|sqrt|mathrm|mathbb|mathcal|log|sum|int|left|right|nabla|partial)\b")


def _book_commands() -> list[list[str]]:
    """The sphinx-build lines of course.sh's `book` branch (the English site, then the Chinese), with this
    interpreter."""
    text = (REPO / "course.sh").read_text()
    branch = text[text.index('if [ "$cmd" = book ]'):]
    branch = branch[:branch.index("\nfi\n")]
    commands = []
    for line in (l.strip() for l in branch.splitlines() if "-m sphinx" in l):
        argv = shlex.split(line.replace('"${@:2}"', ""))
        assert argv[0] == ".venv/bin/python", line
        commands.append([sys.executable] + argv[1:])
    return commands


@pytest.fixture(scope="session")
def book() -> dict:
    """Build the site once (under a lock: parallel test workers share _build/book); return its log."""
    (REPO / "_build").mkdir(exist_ok=True)
    with open(REPO / "_build" / ".book.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        t0, log = time.perf_counter(), ""
        for command in _book_commands():
            out = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
            assert out.returncode == 0, f"the book build failed:\n{out.stdout[-4000:]}\n{out.stderr[-4000:]}"
            log += out.stdout + out.stderr
        seconds = time.perf_counter() - t0
    return {"log": log, "seconds": seconds}


def test_course_sh_book_prints_the_index_last():
    text = (REPO / "course.sh").read_text()
    branch = text[text.index('if [ "$cmd" = book ]'):]
    branch = branch[:branch.index("\nfi\n")]
    assert 'echo "$PWD/_build/book/index.html"' in branch and branch.rstrip().endswith("exit 0"), branch
    english, chinese = _book_commands()
    assert english[-2:] == ["docs", "_build/book"] and chinese[-2:] == ["docs", "_build/book/zh"], _book_commands()
    assert "language=zh_CN" in chinese
    assert "/_build/" in (REPO / ".gitignore").read_text().splitlines()


def test_the_build_has_no_warning(book):
    warnings = [l for l in book["log"].splitlines() if "WARNING" in l or "ERROR" in l]
    assert warnings == [], "\n".join(warnings)
    assert book["seconds"] < 300, f"the book took {book['seconds']:.0f} s to build"


def test_every_notebook_has_its_page_in_order_with_its_colab_link(book):
    index = (BOOK / "index.html").read_text()
    positions = []
    for nb in NOTEBOOKS:
        page = BOOK / "notebooks" / f"{nb}.html"
        assert page.is_file(), f"no page for notebooks/{nb}.ipynb"
        html = page.read_text()
        assert f'href="{course.colab_url(nb + ".ipynb")}"' in html, (f"{nb}: no link to "
                                                                      f"{course.colab_url(nb + '.ipynb')}")
        positions.append(index.index(f'href="notebooks/{nb}.html"'))
    assert positions == sorted(positions), "the home page lists the notebooks out of order"
    for name in PAGES:
        assert (BOOK / f"{name}.html").is_file() and f'href="{name}.html"' in index, f"{name}: not on the home page"
    assert (BOOK / "search.html").is_file() and (BOOK / "searchindex.js").is_file()


def test_pages_show_saved_outputs_and_widget_snapshots_never_widget_views(book):
    for nb in NOTEBOOKS:
        cells = json.loads((REPO / "notebooks" / f"{nb}.ipynb").read_text())["cells"]
        outputs = [o for c in cells for o in c.get("outputs", [])]
        pngs = sum("image/png" in o.get("data", {}) and "text/html" not in o["data"] for o in outputs)
        widgets = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
        html = (BOOK / "notebooks" / f"{nb}.html").read_text()
        images = len(re.findall(r'<img[^>]+src="\.\./_images/', html))
        assert images >= pngs, (f"{nb}: {pngs} PNG outputs (of which {widgets} widget snapshots), "
                                f"{images} images on its page")
        for text in WIDGET_TEXT:
            assert text not in html, f"{nb}: {text!r} on its page"
        assert "embed-amd.js" not in html and "require.min.js" not in html, f"{nb}: widget JavaScript loaded"


def test_the_readme_table_is_on_the_home_page(book):
    index = (BOOK / "index.html").read_text()
    for nb in NOTEBOOKS:
        assert index.count(f'href="notebooks/{nb}.html"') >= 2, f"{nb}: the README's table row is not on the home page"
    assert "colab.research.google.com/assets" not in index, "the Colab badge must be the site's own copy"


# ----------------------------------------------------------------------------------------------- in the browser

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(book):
    """The built folder served by `python -m http.server` on a free port, as a static host serves it."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(BOOK)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("python -m http.server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _pages() -> list[str]:
    return ["index.html"] + [f"notebooks/{nb}.html" for nb in NOTEBOOKS] + [f"{p}.html" for p in PAGES] + \
        ["search.html"]


READ_PAGE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const images = await Promise.all(Array.from(document.images).map(async (img) => {
    img.loading = 'eager';
    try { await img.decode(); } catch (e) {}
    return {src: img.currentSrc || img.src, width: img.naturalWidth};
  }));
  const article = document.querySelector('article') || document.body;
  const prose = article.cloneNode(true);
  prose.querySelectorAll('pre, code, .cell_input, .cell_output, .output').forEach(e => e.remove());
  const math = Array.from(article.querySelectorAll('.math')).filter(e => !e.querySelector('mjx-container')).length;
  const colab = Array.from(document.querySelectorAll('a[href]')).filter(a => a.href.startsWith(
      'https://colab.research.google.com/github/'));
  return {images, text: article.innerText, prose: prose.textContent, untypeset: math,
          colab: colab.map(a => ({href: a.href, visible: !!(a.offsetWidth || a.offsetHeight)}))};
}"""


@pytest.mark.browser
def test_every_page_reads_well_in_chromium(site, chromium):
    problems = []
    chinese = ["zh/" + p + ".html" for p in _released()]       # the released Chinese pages read as well
    for name in _pages() + chinese:
        page = chromium.new_page()
        errors, outside = [], []
        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.on("response", lambda r, errors=errors: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

        def local_only(route, outside=outside):
            if route.request.url.startswith(site):
                route.continue_()
            else:                                   # the site must not need the network to read
                outside.append(route.request.url)
                route.abort()
        page.route("**/*", local_only)
        try:
            page.goto(site + name, wait_until="load", timeout=60_000)
            got = page.evaluate(READ_PAGE)
            page.wait_for_timeout(200)              # late console errors
        finally:
            page.close()
        broken = [i["src"] for i in got["images"] if i["width"] == 0]
        where = f"{name}:"
        problems += [f"{where} console error: {e}" for e in errors]
        problems += [f"{where} requested {u} (not on the site)" for u in outside]
        problems += [f"{where} image not decoded: {b}" for b in broken]
        problems += [f"{where} raw widget text {t!r}" for t in WIDGET_TEXT if t in got["text"]]
        if got["untypeset"]:
            problems.append(f"{where} {got['untypeset']} math elements not typeset by MathJax")
        left = TEX_LEFT.findall(got["prose"])
        if left:
            problems.append(f"{where} un-typeset TeX in the text: {left[:5]}")
        if name.removeprefix("zh/").startswith("notebooks/"):
            url = course.colab_url(("zh/" if name.startswith("zh/") else "") + Path(name).stem + ".ipynb")
            hrefs = [c["href"] for c in got["colab"]]
            if url not in hrefs or not any(c["visible"] for c in got["colab"] if c["href"] == url):
                problems.append(f"{where} no visible link to {url} (found {hrefs})")
    assert problems == [], "\n".join(problems)


# ----------------------------------------------------------------------------------------------- the Chinese edition

ZH_BOOK = BOOK / "zh"


def _released() -> list[str]:
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import i18n
        return i18n.released()
    finally:
        sys.path.remove(str(REPO / "scripts"))


def test_every_page_links_to_itself_in_the_other_language(book):
    for name in _pages():
        if name == "search.html":                   # the theme's search page has no body of ours
            continue
        up = "../" * name.count("/")
        en, zh = (BOOK / name).read_text(), (ZH_BOOK / name).read_text()
        assert f'<p class="language-switch"><a href="{up}zh/{name}" hreflang="zh">中文</a>' in en, name
        assert f'<p class="language-switch"><a href="../{up}{name}" hreflang="en">English</a>' in zh, name
        assert '<html lang="zh-CN"' in zh and '<html lang="en"' in en, name


def test_the_chinese_notebook_pages_open_the_chinese_notebooks_in_colab(book):
    released = _released()
    for nb in NOTEBOOKS:
        html = (ZH_BOOK / "notebooks" / f"{nb}.html").read_text()
        links = set(re.findall(r'href="(https://colab\.research\.google\.com/github/[^"]+)"', html))
        chinese = (REPO / "notebooks" / "zh" / f"{nb}.ipynb").is_file()
        # the badge and the button open the Chinese notebook, or the English one while there is none (not released)
        assert links == {course.colab_url(f"zh/{nb}.ipynb" if chinese else f"{nb}.ipynb")}, f"{nb}: {links}"
        if f"notebooks/{nb}" in released:           # released: its Chinese notebook is committed
            assert chinese, nb


def test_a_released_page_is_chinese_and_an_unreleased_one_marks_what_awaits_translation(book):
    released = _released()
    assert "index" in released and "notebooks/01_probability_background" in released, released
    for page in released:
        html = (ZH_BOOK / f"{page}.html").read_text()
        left = re.findall(r'<(p|li|h[1-6]|td|th|dt|dd|span)\b[^>]*class="[^"]*\buntranslated\b[^>]*>(.{0,80})', html)
        assert left == [], f"{page}: messages left English: {left[:5]}"
    awaiting = [p for p in _pages() if p.removesuffix(".html") not in released and p != "search.html"]
    for name in awaiting:
        if re.search(r'class="[^"]*\buntranslated\b', (ZH_BOOK / name).read_text()):
            break
    else:
        pytest.fail(f"none of the unreleased pages {awaiting} marks an untranslated paragraph")
    css = (BOOK / "_static" / "course.css").read_text()
    assert ".untranslated" in css and "待翻译" in css


# ------------------------------------------------------------------------------------------------- the slide decks

def test_every_notebook_page_links_to_its_deck_in_both_languages(book):
    for nb in NOTEBOOKS:
        first = json.loads((REPO / "notebooks" / f"{nb}.ipynb").read_text())["cells"][0]["source"][0]
        for site, link, lang in ((BOOK, "slides", "en"), (ZH_BOOK, "幻灯片", "zh-CN")):
            page, deck = site / "notebooks" / f"{nb}.html", site / "slides" / f"{nb}.html"
            assert f'<a href="../slides/{nb}.html">{link}</a></p>' in page.read_text(), (site, nb)
            html = deck.read_text()
            assert f'<html lang="{lang}">' in html and 'href="../notebooks/' + nb + '.html"' in html, (site, nb)
            assert "CLONE = next(" not in html and "# Check:" not in html, (site, nb)   # setup and checks left out
        # the deck opens on its title slide: the notebook's number and its title (as the deck's author shortened it)
        title = re.search(r"<title>(.*?): slides</title>", (BOOK / "slides" / f"{nb}.html").read_text()).group(1)
        assert title.startswith(nb[:2] + " ") and first.lstrip("# ").startswith(title.split(":")[0]), (nb, title)


RAW_TEX = """(() => Array.from(document.querySelectorAll('.jp-MarkdownOutput')).filter(e =>
    /\\$\\$|\\\\frac|\\\\log/.test(e.innerText)).length)"""
READ_DECK = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const leaves = document.querySelectorAll('.reveal .slides section:not(.stack)').length;
  const images = await Promise.all(Array.from(document.images).map(async (img) => {
    try { await img.decode(); } catch (e) {}
    return img.naturalWidth;
  }));
  const raw = """ + RAW_TEX + """();
  const sections = Array.from(document.querySelectorAll('.reveal .slides section:not(.stack)'));
  const tall = [], silent = [];
  for (const [i, s] of sections.entries()) {       // every fragment shown: the slide at its fullest
    Reveal.slide(i, 0, 99);
    if (s.scrollHeight > s.clientHeight + 2) tall.push(i + 1);
    const notes = s.querySelector('aside.notes');
    if (!notes || !notes.innerText.trim()) silent.push(i + 1);
  }
  Reveal.slide(0, 0, 0);
  return {total: Reveal.getTotalSlides(), leaves, broken: images.filter(w => w === 0).length,
          typeset: document.querySelectorAll('mjx-container').length, raw,
          scale: Reveal.getScale(), tall, silent};
}"""


@pytest.mark.browser
def test_every_deck_presents_offline_in_chromium(site, chromium):
    """Every deck, English and Chinese, on a 1280x720 projector: reveal.js starts from the site's own copy, 15-25
    slides, each with speaker notes and none taller than the screen (every fragment shown), the formulas typeset by
    the site's MathJax, every figure decodes, nothing is fetched from outside, the arrow key moves on."""
    problems = []
    for name in [f"{lang}slides/{nb}.html" for lang in ("", "zh/") for nb in NOTEBOOKS]:
        page = chromium.new_page(viewport={"width": 1280, "height": 720})
        errors = []
        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site) else (
            errors.append(f"requested {route.request.url}"), route.abort()))
        try:
            page.goto(site + name, wait_until="load", timeout=60_000)
            try:                                    # MathJax typesets after the load event
                page.wait_for_function(RAW_TEX + "() === 0", timeout=30_000)
            except Exception:
                pass                                # counted below
            got = page.evaluate(READ_DECK)
            page.keyboard.press("ArrowRight")
            moved = page.evaluate("Reveal.getIndices().h")
        finally:
            page.close()
        problems += [f"{name}: {e}" for e in errors]
        if got["total"] not in range(15, 26) or got["total"] != got["leaves"]:
            problems.append(f"{name}: {got['total']} slides for {got['leaves']} sections (a lecture: 15-25, all "
                            "top-level, so the arrow keys walk every one)")
        if got["tall"] or got["silent"]:
            problems.append(f"{name}: slides taller than 1280x720: {got['tall']}; slides with no notes: "
                            f"{got['silent']}")
        if got["broken"] or not got["typeset"] or got["raw"] or moved != 1 or not 0.5 < got["scale"] <= 1.01:
            problems.append(f"{name}: {got}, after one arrow key: slide {moved}")
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
def test_the_chinese_site_reads_searches_and_switches_language_in_chromium(site, chromium):
    """A Chinese reader: the home page in Chinese, search for 判别器 finds notebook 04, the language link leads to
    the same page in English and back, and an untranslated paragraph is visibly marked."""
    page = chromium.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(site + "zh/index.html", wait_until="load", timeout=60_000)
        assert "生成对抗网络" in page.inner_text("article")
        page.goto(site + "zh/search.html?q=判别器", wait_until="load", timeout=60_000)
        page.wait_for_selector("#search-results li", timeout=60_000)
        found = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.getAttribute('href'))")
        assert any("04_discriminator" in (h or "") for h in found), found
        page.goto(site + "zh/notebooks/01_probability_background.html", wait_until="load", timeout=60_000)
        page.click("p.language-switch a")
        page.wait_for_load_state("load")
        assert page.url == site + "notebooks/01_probability_background.html", page.url
        page.click("p.language-switch a")
        page.wait_for_load_state("load")
        assert page.url == site + "zh/notebooks/01_probability_background.html", page.url
        page.goto(site + "zh/results.html", wait_until="load", timeout=60_000)
        marker = page.evaluate("""() => { const p = document.querySelector('p.untranslated');
            return p ? getComputedStyle(p, '::before').content : null; }""")
        assert marker and "待翻译" in marker, marker
    finally:
        page.close()
    assert errors == [], errors
