"""environment.yml (conda) and pyproject.toml must describe the same environment."""
import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _norm(req: str) -> tuple[str, str]:
    req = req.split(";")[0].strip()
    m = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", req)
    assert m, f"cannot parse requirement {req!r}"
    return m.group(1).lower().replace("_", "-"), m.group(3).replace(" ", "")


def _pyproject_reqs() -> dict:
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in ("notebooks", "dev"):                       # what the environment installs
        reqs += meta["optional-dependencies"][extra]
    return dict(_norm(r) for r in reqs)


def _environment_yml_pip_reqs() -> dict:
    lines = (REPO / "environment.yml").read_text().splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == "- pip:")
    indent = len(lines[start + 1]) - len(lines[start + 1].lstrip())
    out = {}
    for l in lines[start + 1:]:
        if not l.strip() or l.lstrip().startswith("#"):
            continue
        if len(l) - len(l.lstrip()) < indent:
            break
        name, spec = _norm(l.strip()[2:])
        out[name] = spec
    return out


def test_environment_yml_and_pyproject_agree():
    py, env = _pyproject_reqs(), _environment_yml_pip_reqs()
    assert py == env, (f"only in pyproject: {sorted(set(py.items()) - set(env.items()))}; "
                       f"only in environment.yml: {sorted(set(env.items()) - set(py.items()))}")


def test_fragile_libraries_are_pinned_exactly():
    py = _pyproject_reqs()
    for name in ("jax", "jaxlib", "flax", "optax"):
        assert py[name].startswith("=="), f"{name} must be pinned exactly (got {py[name]!r})"


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version
    py = _pyproject_reqs()
    for name in ("jax", "jaxlib", "flax", "optax"):
        assert version(name) == py[name][2:], f"{name} {version(name)} installed, {py[name]} pinned"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "./course.sh test" in readme and "./course.sh lab" in readme
    assert re.search(r"^\./course\.sh test$", ci, re.M)
