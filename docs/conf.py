"""The course's website: Sphinx + MyST-NB + the Sphinx Book Theme, built from the committed notebooks.

    ./course.sh book          # builds _build/book and prints the path of its index.html last

Why this stack (see also docs/contributing.md): it is what the JAX, Flax and jax-ai-stack docs are built with, and it
is pure Python: the pinned packages (pyproject.toml's ``docs`` extra, constraints.txt) install into the course's own
.venv with pip, build offline in well under a minute, and need no Node.js. Jupyter Book 2 (mystmd) would need Node
and downloads its theme when it builds; Jupyter Book 1 is a wrapper around this same stack. MyST-NB renders the
saved outputs of each .ipynb without running it (``nb_execution_mode = "off"``).

What this file adds to the defaults, each for a reason:

* the notebooks stay where they are: ``docs/notebooks`` is made at build time as a link to ``../notebooks``
  (git-ignored; a copy where links cannot be made), so a page's name is the notebook's path in the repository and
  the theme's Colab button opens exactly ``gan_utils.course.colab_url(name)``;
* widgets: every widget output of the committed notebooks carries a PNG snapshot beside its widget view; the
  site shows that PNG (``nb_mime_priority_overrides``) and loads no widget JavaScript from a CDN
  (``nb_ipywidgets_js = {}``): a page cannot run Python, so a live widget could only say "Loading widget";
* math: MathJax 3 is served from the site itself (``sphinx-mathjax-offline``), so pages typeset offline too;
* links from a notebook or page to a file of the repository (``../README.md``, ``../benchmarks/...``) point to
  the page that holds it on the site, or to the file on GitHub (``RepositoryLinks``); the notebooks' Colab badge
  image is served from the site (no third-party request to read a page).
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))   # the site's helpers: i18n, notebook_times, slides
from gan_utils import course  # noqa: E402  (standard library and packaging only: the one repository address)


def _link_notebooks() -> None:
    """docs/notebooks -> ../notebooks (a symbolic link; where the system makes none, a copy of the .ipynb files)."""
    link, target = DOCS / "notebooks", ROOT / "notebooks"
    if link.is_symlink() and link.resolve() == target.resolve():
        return
    if not link.exists() and not link.is_symlink():
        try:
            link.symlink_to(Path("..") / "notebooks", target_is_directory=True)
            return
        except OSError:
            link.mkdir()
    if link.is_dir() and not link.is_symlink():        # the copy: refreshed on every build, mtimes kept
        for nb in sorted(target.glob("[0-9][0-9]_*.ipynb")):
            shutil.copy2(nb, link / nb.name)


_link_notebooks()

# -- the project ---------------------------------------------------------------------------------------------------
project = "GANs from first principles, in JAX"
author = "the course's contributors"
copyright = "the course's contributors, Apache-2.0"
root_doc = "index"
extensions = ["myst_nb", "sphinx_copybutton", "sphinx-mathjax-offline", "sphinx_design"]
exclude_patterns = ["_build", "notebooks/runs", "notebooks/zh", "locale", "**/.ipynb_checkpoints", "Thumbs.db",
                    ".DS_Store"]
suppress_warnings = ["myst.header"]           # included files (RESULTS.md) start at their own heading levels

# -- MyST and MyST-NB ----------------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
myst_dmath_double_inline = True               # $$...$$ inside a paragraph is display math, as Jupyter shows it
nb_execution_mode = "off"                     # the committed outputs, never re-executed
nb_merge_streams = True
nb_ipywidgets_js = {}                         # no widget JavaScript: the snapshot PNG is shown instead
nb_mime_priority_overrides = [
    ("html", "application/vnd.jupyter.widget-view+json", None),   # never the widget view: its PNG snapshot
]

# -- the Chinese edition (scripts/i18n.py; ./course.sh book builds it into _build/book/zh) --------------------------
locale_dirs = ["locale/"]                     # docs/locale/zh_CN/LC_MESSAGES/<page>.po, made by ./course.sh i18n
gettext_compact = False                       # one catalogue per page
gettext_location = False                      # no file:line comments (they differ between clones)
gettext_uuid = False
ZH = "zh_CN"

# -- HTML ----------------------------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "GANs from first principles, in JAX"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_last_updated_fmt = None
html_context = {"default_mode": "auto"}       # light or dark as the reader's system is (the theme logs an error without)
html_show_sourcelink = False
html_theme_options = {
    "repository_url": course.REPO_URL,
    "repository_branch": course.BRANCH,
    "path_to_docs": "",                        # page "notebooks/01_x" is the repository's notebooks/01_x.ipynb
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
copybutton_exclude = ".linenos, .gp, .go"

# -- links into the repository -------------------------------------------------------------------------------------
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
PAGE_OF = {"README.md": "index", "CONTRIBUTING.md": "contributing", "benchmarks/RESULTS.md": "results"}


class RepositoryLinks(SphinxTransform):
    """A relative link to a file of the repository becomes a link to its page on the site (README.md: the home
    page) or to the file on GitHub; the Colab badge image is the site's own copy."""
    default_priority = 500

    def _file(self, node) -> tuple[Path, str] | None:
        """The repository file a MyST link node points to, and its #anchor; None for anything else."""
        if node.get("reftype") != "myst":
            return None
        target, _, anchor = node["reftarget"].partition("#")
        if not target or "://" in target:
            return None
        if isinstance(node, addnodes.pending_xref) and node.get("refdomain") == "doc":
            # a file outside docs/ (docs/notebooks resolves to ../notebooks): MyST names it by its absolute path
            # without its suffix, which no page has
            if target in self.env.found_docs or not os.path.isabs(target):
                return None
            found = [Path(target + ext) for ext in (".md", ".ipynb", "") if Path(target + ext).is_file()]
            return (found[0], anchor or node.get("reftargetid") or "") if found else None
        here = (DOCS / self.env.docname).parent.resolve()     # the real folder: docs/notebooks is ../notebooks
        path = (here / target).resolve()
        return (path, anchor) if path.exists() else None

    def apply(self, **kwargs) -> None:
        for node in list(self.document.findall(nodes.image)):
            if node.get("uri") == COLAB_BADGE:
                node["uri"] = "/_static/colab-badge.svg"
                node["candidates"] = {"*": "_static/colab-badge.svg"}
        for node in list(self.document.findall(addnodes.download_reference)) + \
                list(self.document.findall(addnodes.pending_xref)):
            found = self._file(node)
            if found is None:
                continue
            path, anchor = found
            try:
                rel = path.resolve().relative_to(ROOT.resolve()).as_posix()
            except ValueError:
                continue
            # notebooks/NN_x.ipynb (docs/notebooks links to it) and docs/NAME.md: their pages
            page = PAGE_OF.get(rel) or self.env.path2doc(str(ROOT / rel if rel.startswith("docs/") else DOCS / rel))
            if page in self.env.found_docs:
                new = addnodes.pending_xref("", *node.children, refdomain="doc", reftarget=page,
                                            reftargetid=anchor or None, refdoc=self.env.docname, reftype="myst",
                                            refexplicit=node.get("refexplicit", True))
            else:
                kind = "tree" if path.is_dir() else "blob"
                new = nodes.reference("", "", *node.children, internal=False,
                                      refuri=f"{course.REPO_URL}/{kind}/{course.BRANCH}/{rel}"
                                             + (f"#{anchor}" if anchor else ""))
            node.replace_self(new)


def _no_widget_state(app, pagename, templatename, context, doctree) -> None:
    """Leave the widgets' saved state (up to 0.1 MB a page) out of the page: with no widget JavaScript nothing reads
    it. Runs before MyST-NB adds a page's scripts (its handler has the default priority, 500)."""
    from myst_nb.sphinx_ import NbMetadataCollector
    try:
        NbMetadataCollector.get_js_files(app.env, pagename).pop("ipywidgets_state", None)
    except (KeyError, AttributeError):    # not a notebook
        pass


def _chinese(app, config) -> None:
    """In the Chinese build, a message without a current translation is marked (docs/_static/course.css)."""
    if config.language == ZH:
        config.translation_progress_classes = "untranslated"
        import logging
        import re
        import jieba                              # Chinese search; it logs its dictionary's loading otherwise
        jieba.setLogLevel(logging.WARNING)
        # the glossary's terms are words to the search (jieba alone cuts 判别器 into 判别 + 器)
        words = ROOT / "_build" / "jieba_words.txt"
        words.parent.mkdir(exist_ok=True)
        from i18n import glossary_rows        # the one reader of docs/locale/zh_CN/glossary.md
        chinese = sorted({w for _, zh, _ in glossary_rows() for w in re.findall(r"[\u4e00-\u9fff]{2,}", zh)})
        words.write_text("".join(f"{w} 100000 n\n" for w in chinese), encoding="utf-8")
        config.html_search_options = {"dict": str(words)}
        # Sphinx 9.0.4's Chinese search ships the English stemmer (Latin words in Chinese text) but names it
        # window.Stemmer = ChineseStemmer, which no script defines: the search page then finds nothing
        from sphinx.search.zh import SearchChinese
        if SearchChinese.js_stemmer_rawcode == "english-stemmer.js":
            SearchChinese.language_name = "English"


def _other_language(app, pagename, templatename, context, doctree) -> None:
    """A "中文 / English" link on every page to the same page in the other language (the Chinese site is the
    folder zh/ of the English one); in the Chinese site, the Colab button opens the Chinese notebook, where one is
    released."""
    up = "../" * pagename.count("/")
    if app.config.language == ZH:
        href, label = f"../{up}{pagename}.html", "English"
        _colab_to_chinese(context.get("header_buttons", []))
    else:
        href, label = f"{up}zh/{pagename}.html", "中文"
    slides = ""
    if pagename.startswith("notebooks/") and (ROOT / f"{pagename}.ipynb").is_file():   # its deck (_build_decks)
        slides = (f' · <a href="{up}slides/{pagename.split("/")[-1]}.html">'
                  f'{"幻灯片" if app.config.language == ZH else "slides"}</a>')
    if "body" in context:
        context["body"] = (f'<p class="language-switch"><a href="{href}" hreflang="{"en" if label == "English" else "zh"}"'
                           f'>{label}</a>{slides}</p>\n' + context["body"])


def _build_decks(app, exception) -> None:
    """Every notebook's slide deck (scripts/slides.py) into the site's slides/ folder: the Chinese site's from the
    Chinese notebook, where there is one. A deck is rebuilt only when its notebook or the deck code changed."""
    if exception is not None or app.builder.format != "html":
        return
    import slides
    code = max(p.stat().st_mtime for p in [ROOT / "scripts" / "slides.py", *slides.TEMPLATE.rglob("*")])
    for english in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        source = ROOT / "notebooks" / "zh" / english.name if app.config.language == ZH else english
        source = source if source.is_file() else english
        out = Path(app.outdir) / "slides" / f"{english.stem}.html"
        if out.is_file() and out.stat().st_mtime > max(code, source.stat().st_mtime, english.stat().st_mtime):
            continue
        slides.build(source, out, english=english, page=f"../notebooks/{english.stem}.html",
                     language="zh" if app.config.language == ZH else "en")


def _colab_to_chinese(buttons) -> None:
    for button in buttons:
        if isinstance(button, dict):
            url = button.get("url", "")
            name = url.rsplit("/notebooks/", 1)[-1]
            if "colab.research.google.com" in url and "/notebooks/" in url and "/notebooks/zh/" not in url \
                    and (ROOT / "notebooks" / "zh" / name).is_file():   # a released notebook; else the English one
                button["url"] = url.replace("/notebooks/", "/notebooks/zh/")
            for value in button.values():
                if isinstance(value, list):
                    _colab_to_chinese(value)


class CellTimes(SphinxDirective):
    """```{cell-times} NN_name``` : a table of the measured seconds of each section of notebook NN_name, from the
    execution record its last run left in the committed .ipynb (scripts/notebook_times.py), for the teachers' page."""
    required_arguments = 1

    def run(self):
        from notebook_times import notebook_time, section_times
        ipynb = ROOT / "notebooks" / f"{self.arguments[0]}.ipynb"
        if not ipynb.is_file():
            raise self.error(f"cell-times: no notebook {ipynb.relative_to(ROOT)} (give its stem, e.g. 05_training_loop)")
        rows = ["| section | code cells | seconds | its longest cell |", "|---|--:|--:|---|"]
        for part in (False, True):
            sections = [x for x in section_times(ipynb) if x["appendix"] == part]
            for x in sections:
                title = x["title"].replace("|", "\\|")
                link = f"[{title}](notebooks/{ipynb.name}#{x['anchor']})" if x["anchor"] else title
                line = x["longest_line"].replace("`", "'").replace("|", "\\|")[:60]
                rows.append(f"| {link} | {x['cells']} | {x['seconds']:.0f} | "
                            + (f"{x['longest']:.0f} s: `{line}`" if x["longest"] >= 1 else "") + " |")
            rows.append(f"| **{'appendices' if part else 'lecture core'}, in all** | {sum(x['cells'] for x in sections)} | "
                        f"**{sum(x['seconds'] for x in sections):.0f}** | |")
        t = notebook_time(ipynb)
        when = (f"its last run, {t['date']} ({t['minutes']:.1f} minutes top to bottom; {t['rest']})" if t
                else "its last run")
        text = (f"Seconds per section of notebook {self.arguments[0][:2]}, as Jupyter recorded them in {when}; a "
                f"load average above 2 means the 2-core machine was shared, so an idle one is faster.\n\n"
                + "\n".join(rows))
        return self.parse_text_to_nodes(text)


def setup(app):
    app.add_directive("cell-times", CellTimes)
    app.add_transform(RepositoryLinks)
    app.connect("config-inited", _chinese)
    app.connect("html-page-context", _other_language, priority=600)   # after the theme's launch buttons (501)
    app.connect("html-page-context", _no_widget_state, priority=400)
    app.connect("build-finished", _build_decks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
