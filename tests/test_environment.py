"""The course's environments: pyproject.toml's ranges, constraints.txt's exact pins (README commands, CI),
environment.yml (conda, the same pins) and Colab's preinstalled versions (tests/colab_versions.txt)."""
import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _norm(req: str) -> tuple[str, str]:
    req = req.split(";")[0].strip()
    m = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", req)
    assert m, f"cannot parse requirement {req!r}"
    return m.group(1).lower().replace("_", "-"), m.group(3).replace(" ", "")


def _pyproject_reqs(extras: tuple = ("notebooks", "dev", "docs", "teach")) -> dict:
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in extras:                                     # what the environment installs
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


def _pins(path: Path) -> dict:
    """name -> version of a file of exact pins (constraints.txt, tests/colab_versions.txt)."""
    out = {}
    for l in path.read_text().splitlines():
        if l.strip() and not l.startswith("#"):
            name, spec = _norm(l)
            assert spec.startswith("=="), f"{path.name}: {l!r} is not an exact pin"
            out[name] = spec[2:]
    return out


PINS = REPO / "constraints.txt"
COLAB = REPO / "tests" / "colab_versions.txt"


def _fits(name: str, version: str, spec: str) -> bool:
    from packaging.specifiers import SpecifierSet
    return SpecifierSet(spec).contains(version, prereleases=True)


def test_environment_yml_installs_the_pins():
    assert _environment_yml_pip_reqs() == {k: "==" + v for k, v in _pins(PINS).items()}, (
        "environment.yml's pip list must be constraints.txt's pins, line for line")


def test_every_requirement_is_pinned_within_its_range():
    reqs, pins = _pyproject_reqs(), _pins(PINS)
    for name, spec in reqs.items():
        assert name in pins, f"{name} is required (pyproject.toml) but not pinned in constraints.txt"
        assert _fits(name, pins[name], spec), f"the pin {name}=={pins[name]} is outside the declared range {spec!r}"


def test_the_ranges_admit_what_colab_ships():
    """The lowest versions tested (Colab's) fit the ranges, so the setup cell upgrades nothing on Colab; jax, flax
    and ipywidgets start exactly there (nothing older has been tested)."""
    reqs, colab = _pyproject_reqs(extras=()), _pins(COLAB)   # the package's own; Colab runs its own Jupyter
    for name, spec in reqs.items():
        if name in colab:
            assert _fits(name, colab[name], spec), (f"Colab's {name} {colab[name]} is outside {spec!r}: "
                                                    "Colab would upgrade it")
    for name in ("jax", "flax", "ipywidgets"):
        assert f">={colab[name]}" in reqs[name].split(","), (f"{name}'s lowest declared version must be "
                                                             f"Colab's {colab[name]}")


def test_known_broken_versions_are_excluded():
    assert not _fits("ipywidgets", "8.1.9", _pyproject_reqs()["ipywidgets"]), (
        "ipywidgets 8.1.9 renders no slider in VS Code (microsoft/vscode-jupyter#17504): exclude it")
    assert _fits("ipywidgets", "8.1.8", _pyproject_reqs()["ipywidgets"])


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version
    pins = _pins(PINS)
    for name in ("jax", "jaxlib", "flax", "optax", "ipywidgets", "numpy"):
        assert version(name) == pins[name], f"{name} {version(name)} installed, {pins[name]} pinned (constraints.txt)"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "./course.sh test" in readme and "./course.sh lab" in readme
    assert re.search(r"^\./course\.sh test$", ci, re.M)


def test_the_commands_install_every_extra_that_is_pinned():
    """course.sh installs the extras whose pins constraints.txt holds (the website's too: ./course.sh book)."""
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    line = next(l for l in (REPO / "course.sh").read_text().splitlines() if "pip install" in l and "-e " in l)
    for extra in extras:
        assert extra in line, f"course.sh does not install the {extra!r} extra: {line}"

