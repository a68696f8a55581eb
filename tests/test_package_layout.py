"""The package's shape: an accurate public API for the notebooks, no import cycle, no benchmark code inside."""
import ast
import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "gan_utils"
MODULES = sorted(p.stem for p in PKG.glob("*.py") if p.stem not in ("__init__", "__main__"))


def _internal_imports(path: Path) -> set[str]:
    """The gan_utils modules a file imports, at any depth (function-local imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gan_utils."):
            found.add(node.module.split(".")[1])
    return found & set(MODULES)


def test_no_import_cycle():
    graph = {m: _internal_imports(PKG / f"{m}.py") for m in MODULES}
    state: dict[str, int] = {}

    def visit(m, path):
        if state.get(m) == 1:
            raise AssertionError("import cycle: " + " -> ".join(path + [m]))
        if state.get(m) == 2:
            return
        state[m] = 1
        for n in sorted(graph[m]):
            visit(n, path + [m])
        state[m] = 2

    for m in MODULES:
        visit(m, [])


@pytest.mark.parametrize("name", MODULES)
def test_all_is_accurate(name):
    mod = importlib.import_module(f"gan_utils.{name}")
    assert hasattr(mod, "__all__"), f"gan_utils.{name} needs an __all__"
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert not missing, f"gan_utils.{name}.__all__ lists names it does not define: {missing}"
    assert len(set(mod.__all__)) == len(mod.__all__)


def _notebook_uses():
    """(notebook, module, name) for every gan_utils name a notebook's code uses."""
    uses = []
    for py in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py")):
        code = "\n".join(l for l in py.read_text().splitlines() if not l.lstrip().startswith("#"))
        imported = set()
        for m in re.finditer(r"^from gan_utils import (.+)$", code, re.M):
            imported |= {x.strip() for x in m.group(1).split(",")}
        for m in re.finditer(r"^from gan_utils\.(\w+) import (.+)$", code, re.M):
            uses += [(py.name, m.group(1), x.strip()) for x in m.group(2).split(",")]
        for mod in imported:
            uses += [(py.name, mod, n)
                     for n in set(re.findall(rf"(?<![\w./]){mod}\.([A-Za-z_]\w*)", code))]  # not in a path
    return uses


def test_notebooks_use_only_public_names():
    uses = _notebook_uses()
    assert len(uses) > 50, "expected the notebooks to use gan_utils"
    private = [u for u in uses if u[2] not in importlib.import_module(f"gan_utils.{u[1]}").__all__]
    assert not private, f"notebooks use names missing from their module's __all__: {sorted(set(private))}"


def test_benchmark_code_lives_beside_the_package():
    assert not (PKG / "bench.py").exists()
    text = "\n".join(p.read_text() for p in PKG.glob("*.py"))
    for name in ("torch", "TFTutorial", "custom_vjp"):
        assert name not in text, f"{name} belongs to benchmarks/, not to the course package"


def test_every_module_is_listed_where_a_newcomer_looks():
    """docs/package.md has a row for every module, and CONTRIBUTING.md's layout table names each (#49: six were
    missing)."""
    rows = set(re.findall(r"^\| `(\w+)` \|", (REPO / "docs" / "package.md").read_text(), re.M))
    assert set(MODULES) <= rows, f"docs/package.md has no row for {sorted(set(MODULES) - rows)}"
    layout = next(l for l in (REPO / "CONTRIBUTING.md").read_text().splitlines() if l.startswith("| `gan_utils/` |"))
    named = set(re.findall(r"`(\w+)`", layout))
    assert set(MODULES) <= named, f"CONTRIBUTING.md's gan_utils/ row does not name {sorted(set(MODULES) - named)}"
