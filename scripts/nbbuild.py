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


def write(name: str, **metadata) -> Path:
    """Writes the cells to notebooks/NAME (or $NB_BUILD_DIR/NAME) with a Python 3 kernelspec."""
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}, **metadata})
    out = Path(os.environ.get("NB_BUILD_DIR") or Path(__file__).resolve().parents[1] / "notebooks") / name
    nbformat.write(nb, out)
    print(f"wrote {out} ({len(cells)} cells)")
    return out
