"""Shared helpers of the notebook build scripts (scripts/build_nb_NN.py).

A build script adds cells with ``md(...)`` and ``code(...)`` and ends with ``write(NAME)``; then execute the
notebook to fill its outputs. ``NB_BUILD_DIR=/tmp/x python scripts/build_nb_03.py`` writes elsewhere (to compare
a rebuild with the committed notebook without overwriting its outputs).
"""
import os
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = []


def md(s: str) -> None:
    cells.append(new_markdown_cell(s.strip("\n")))


def code(s: str) -> None:
    cells.append(new_code_cell(s.strip("\n")))


# The one setup cell every notebook opens with (the house style); only its imports differ between notebooks.
REPO_URL = "https://github.com/gan-course/gans-in-jax"
SETUP_HEAD = f'''# Setup: install the course package if it is missing (e.g. on Colab), then imports, seed and devices.
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("gan_utils") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "gan-utils @ git+{REPO_URL}"], check=True)
'''
SETUP_TAIL = '''SEED = 0
TESTING = os.environ.get("GAN_COURSE_TEST") == "1"  # set by the test suite: shorter training, same lessons
key = jax.random.key(SEED)
plt.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80, "axes.spines.top": False, "axes.spines.right": False})
print(f"JAX {jax.__version__} on {jax.devices()}")
'''


def setup(imports: str) -> None:
    """Adds the setup cell: install-if-missing, then ``imports`` (this notebook's), SEED, TESTING, key, devices."""
    code(SETUP_HEAD + imports.strip("\n") + "\n" + SETUP_TAIL)


def write(name: str, **metadata) -> Path:
    """Writes the cells to notebooks/NAME (or $NB_BUILD_DIR/NAME) with a Python 3 kernelspec."""
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}, **metadata})
    out = Path(os.environ.get("NB_BUILD_DIR") or Path(__file__).resolve().parents[1] / "notebooks") / name
    nbformat.write(nb, out)
    print(f"wrote {out} ({len(cells)} cells)")
    return out
