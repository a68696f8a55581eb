"""The notebooks are their own sources: each .ipynb (with outputs) is paired with a percent-format .py (jupytext).

These tests fail when a pair is out of sync (an edit made on one side only), when a notebook has no pair, and
when a notebook's opening cells leave the course's shared template (title and Colab badge, then the setup cell).
"""
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
IPYNBS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
sys.path.insert(0, str(NOTEBOOKS.parent))
from gan_utils import course  # noqa: E402
from course_scripts import load  # noqa: E402  (tests/course_scripts.py)

slides = load("slides")   # scripts/slides.py: where a notebook's lecture core ends (its decks and plans use the same)

# The setup cell every notebook opens with (house style: one setup cell). Only the imports between the head and
# the tail differ from notebook to notebook. The address is gan_utils.course's (scripts/set_repository.py).
SETUP_HEAD = f'''# Setup: the course package (from this clone; on Colab, from GitHub), then imports, seed and devices.
import importlib.util, os, subprocess, sys, time
T_START = time.perf_counter()  # this notebook's time, top to bottom, is printed by its last cell
REPO = "{course.REPO_URL}"  # = gan_utils.course.REPO_URL (scripts/set_repository.py)
CLONE = next((os.path.abspath(p) for p in ("..", ".", "../..") if os.path.isfile(f"{{p}}/gan_utils/course.py")), None)
if CLONE:  # a clone of the course: use it, not a download
    sys.path.insert(0, CLONE)
elif importlib.util.find_spec("gan_utils") is None:  # Colab: the course alone, keeping Colab's jax and widgets
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "gan-utils @ " + os.environ.get("GAN_COURSE_REPO", f"git+{{REPO}}@{course.BRANCH}")], check=True)
    importlib.invalidate_caches()
from gan_utils import course
print(course.setup(CLONE))  # installs what is missing (gan_utils/course.py); says so if a restart is needed
'''
SETUP_TAIL = '''SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
course.style()  # the course's figure style; GAN_COURSE_PROJECTOR=1: projector mode, for a hall
print(f"JAX {jax.__version__} on {jax.devices()}")'''

HOW_TO_SYNC = ("after editing one side, run `jupytext --sync notebooks/{name}` (the file edited last wins; "
               "see CONTRIBUTING.md)")


def _cells(nb):
    return [(c.cell_type, c.source) for c in nb.cells]


def test_every_notebook_has_its_text_pair():
    assert len(IPYNBS) >= 6, f"expected the course's notebooks in {NOTEBOOKS}"
    texts = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    assert [p.stem for p in texts] == [p.stem for p in IPYNBS], (
        "every notebooks/NN_name.ipynb needs its notebooks/NN_name.py and vice versa: "
        "create the missing one with `jupytext --set-formats ipynb,py:percent notebooks/NN_name.ipynb`")


@pytest.mark.parametrize("ipynb", IPYNBS, ids=lambda p: p.stem)
def test_pair_in_sync(ipynb):
    nb = nbformat.read(ipynb, as_version=4)
    text = jupytext.read(ipynb.with_suffix(".py"))
    a, b = _cells(nb), _cells(text)
    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    assert a == b, (f"{ipynb.name} and {ipynb.with_suffix('.py').name} differ from cell {first} on "
                    f"({len(a)} vs {len(b)} cells): " + HOW_TO_SYNC.format(name=ipynb.name))
    assert nb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent", (
        f"{ipynb.name} is not paired: run `jupytext --set-formats ipynb,py:percent notebooks/{ipynb.name}`")


@pytest.mark.parametrize("ipynb", IPYNBS, ids=lambda p: p.stem)
def test_opening_cells_follow_the_template(ipynb):
    nb = nbformat.read(ipynb, as_version=4)
    title = nb.cells[0]
    number = ipynb.name[:2]
    assert title.cell_type == "markdown" and title.source.startswith(f"# {number} "), (
        f"{ipynb.name} must open with a markdown title '# {number} ...'")
    badge = course.colab_url(ipynb.name)
    assert badge in title.source, f"{ipynb.name}: the Colab badge must link to {badge}"
    assert "**You will learn**" in title.source, f"{ipynb.name}: the opening cell lists what the reader will learn"
    setup = next(c for c in nb.cells if c.cell_type == "code")
    assert setup.source.startswith(SETUP_HEAD), (
        f"{ipynb.name}: the setup cell must start with the shared template (tests/test_notebook_sources.py)")
    assert setup.source.endswith(SETUP_TAIL), (
        f"{ipynb.name}: the setup cell must end with the shared template (tests/test_notebook_sources.py)")
    setups = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("# Setup:")]
    assert len(setups) == 1, f"{ipynb.name} has {len(setups)} setup cells; the course has one per notebook"


def test_sync_check_catches_an_edit(tmp_path):
    """The check above can fail: a markdown edit made on the text side only is a mismatch."""
    src = IPYNBS[0]
    text = jupytext.read(src.with_suffix(".py"))
    text.cells[0].source = re.sub(r"^# (\d\d) ", r"# \1 Edited: ", text.cells[0].source)
    assert _cells(nbformat.read(src, as_version=4)) != _cells(text)


WIDTH = 100     # characters a projector at 1280x720 and a learner's notebook show on one line


def _core_printed_lines(nb) -> list[tuple[str, str]]:
    """(cell id, line) for every printed line of a notebook's lecture core (the cells before its first appendix)."""
    out = []
    for cell in slides.core_cells(nb.cells):
        for o in cell.get("outputs", []):
            out += [(cell.get("id", "?"), line) for line in o.get("text", "").splitlines()]
    return out


@pytest.mark.parametrize("ipynb", IPYNBS, ids=lambda p: p.stem)
def test_no_printed_line_of_a_lecture_core_is_wider_than_a_projector(ipynb):
    wide = [(cid, len(line), line[:60]) for cid, line in _core_printed_lines(nbformat.read(ipynb, 4))
            if len(line) > WIDTH]
    assert not wide, (f"{ipynb.name}: printed lines over {WIDTH} characters in the lecture core (break the sentence "
                      f"with \\n, or narrow the table): {wide[:5]}")


def test_the_width_check_can_fail():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("stream", text="x" * 101 + "\nshort\n")]),
        nbformat.v4.new_markdown_cell("## Appendix A: wide is fine here"),
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("stream", text="y" * 300)])])
    assert [len(l) for _, l in _core_printed_lines(nb)] == [101, 5]


# A wrapped line of prose that starts with "1." or "1)" (also "01)") is read by Markdown as a numbered list that
# interrupts the paragraph: the sentence is cut in two on the page, and in two messages for the translator.
_LIST_START = re.compile(r"0*1[.)]\s")
_NOT_PROSE = re.compile(r"\s*([-+*]\s|\d+[.)]\s|#|\||\$\$|```|>)")


def _wrapped_list_starts(nb) -> list[str]:
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for prev, line in zip(lines, lines[1:]):
            if (prev.strip() and not _NOT_PROSE.match(prev) and not prev.rstrip().endswith(":")
                    and _LIST_START.match(line)):
                found.append(f"{prev.strip()[-30:]} / {line[:30]}")
    return found


@pytest.mark.parametrize("ipynb", IPYNBS, ids=lambda p: p.stem)
def test_no_prose_line_wraps_into_a_numbered_list(ipynb):
    found = _wrapped_list_starts(nbformat.read(ipynb, 4))
    assert not found, (f"{ipynb.name}: a wrapped line starts with '1.' or '1)', which Markdown reads as a new list "
                       f"(re-wrap the sentence): {found[:5]}")


def test_the_list_start_check_can_fail():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("We compute KL (notebook\n01) and JSD.\n\nThree steps:\n1. one\n2. two"),
        nbformat.v4.new_markdown_cell("- a list item\n1. is not prose")])
    assert _wrapped_list_starts(nb) == ["We compute KL (notebook / 01) and JSD."]


# A lecture core is read in one sitting: its prose has a budget (words as the before-stop check counts them, outside
# math and inline code). Cores were cut to about 2,000-2,170 words in issue #65; the margin leaves room for a fix.
CORE_WORDS = 2250


def core_words(nb) -> int:
    text = [cell["source"] for cell in slides.core_cells(nb.cells) if cell["cell_type"] == "markdown"]
    plain = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", "X", "\n".join(text), flags=re.S)
    return len(re.findall(r"[A-Za-z][A-Za-z'-]*", plain))


@pytest.mark.parametrize("ipynb", IPYNBS, ids=lambda p: p.stem)
def test_a_lecture_core_keeps_its_word_budget(ipynb):
    words = core_words(nbformat.read(ipynb, 4))
    assert words <= CORE_WORDS, (f"{ipynb.name}: its lecture core has {words} words of prose, over {CORE_WORDS}: move "
                                 "a margin, a table or a second measurement to an appendix, linked in one sentence")


def test_the_word_budget_counts_only_the_core():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("Two words, and $x + y$ `code` here."),
        nbformat.v4.new_markdown_cell("## Appendix A: many words " + "word " * 5000)])
    assert core_words(nb) == 6     # "Two words, and X X here.": a formula or code counts as one word
