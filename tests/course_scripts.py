"""The course's scripts (``scripts/*.py``, not a package) loaded as modules, once, for the tests that call them."""
import importlib.util
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
if str(SCRIPTS) not in sys.path:  # as when a script runs: its folder first, so one script imports another
    sys.path.insert(0, str(SCRIPTS))


def load(name: str):
    """``scripts/<name>.py`` as a module."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_glyphs = load("render_glyphs")
