"""The code passes ruff (configured in pyproject.toml: pyflakes, pycodestyle, lines of at most 120 characters)."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _ruff() -> list[str]:
    exe = Path(sys.executable).with_name("ruff")
    if exe.exists():
        return [str(exe)]
    if shutil.which("ruff"):
        return [shutil.which("ruff")]
    pytest.fail("ruff is not installed: `pip install -e '.[dev]' -c constraints.txt` installs it (the README's test "
                "command does).")


def test_ruff_passes():
    out = subprocess.run(_ruff() + ["check", "--output-format", "concise", "."], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 0, f"ruff found problems (fix them, or `ruff check --fix` the fixable ones):\n{out.stdout}"


def test_ruff_would_catch_a_problem(tmp_path):
    # the check can fail: an unused import and a line of 121 characters are reported under this configuration
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nx = '" + "a" * 115 + "'\n")
    out = subprocess.run(_ruff() + ["check", "--output-format", "concise", "--config", str(ROOT / "pyproject.toml"),
                                    str(bad)], capture_output=True, text=True)
    assert out.returncode == 1 and "F401" in out.stdout and "E501" in out.stdout
