"""gan_utils.course: the repository address in one place, and what the setup cell does where it runs.

The setup cell's real runs (a Colab-like environment, a clone opened with plain Jupyter) are in
tests/test_colab_start.py; these tests drive ``course.setup`` through each branch with pip replaced by a recorder.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gan_utils import course

ROOT = Path(__file__).resolve().parents[1]


def test_every_copy_of_the_repository_address_agrees():
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "set_repository.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, (f"{out.stdout} Run `python scripts/set_repository.py` to copy gan_utils.course."
                                 "REPOSITORY into the notebooks and the README.")
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        text = nb.read_text()
        assert course.colab_url(nb.with_suffix(".ipynb").name) in text, (f"{nb.name}: no Colab badge for "
                                                                          f"{course.REPO_URL}")
        assert f'REPO = "{course.REPO_URL}"' in text, f"{nb.name}: the setup cell's REPO is not {course.REPO_URL}"
    readme = (ROOT / "README.md").read_text()
    assert course.SITE_URL in readme, f"the README does not name the website, {course.SITE_URL}"
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert course.colab_url(nb.name) in readme, f"the README has no Colab link to {nb.name}"


def test_the_address_check_can_fail_and_the_script_rewrites(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import set_repository
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    stale = ("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research."
             "google.com/github/someone/old-name/blob/dev/notebooks/01_x.ipynb)\n"
             'REPO = "https://github.com/someone/old-name"\n'
             '"gan-utils @ " + os.environ.get("GAN_COURSE_REPO", f"git+{REPO}@dev")\n')
    fixed = set_repository.rewrite(stale)
    assert fixed != stale and "someone/old-name" not in fixed and "@dev" not in fixed
    assert course.colab_url("01_x.ipynb") in fixed and f'REPO = "{course.REPO_URL}"' in fixed
    escaped = stale.replace('"', '\\"')          # the same lines inside an .ipynb's JSON strings
    assert "someone/old-name" not in set_repository.rewrite(escaped)
    assert set_repository.rewrite(fixed) == fixed


def test_requirements_read_the_clone_and_unmet_ones_are_found():
    reqs = course.requirements(ROOT)
    assert any(r.startswith("jax") for r in reqs) and any(r.startswith("flax") for r in reqs)
    assert course.unmet_requirements(reqs) == []          # this environment is set up
    unmet = dict(course.unmet_requirements(["jax>=99", "surely-not-a-package-xyz>=1", "numpy>=1"]))
    assert set(unmet) == {"jax>=99", "surely-not-a-package-xyz>=1"} and unmet["surely-not-a-package-xyz>=1"] is None


@pytest.fixture
def pip(monkeypatch):
    calls = []
    monkeypatch.setattr(course, "_pip", lambda *args: calls.append(args))
    return calls


def test_a_clone_with_everything_installs_nothing(pip):
    assert course.setup(ROOT) == f"the course from the clone at {ROOT}"
    assert pip == []


def test_a_clone_missing_something_installs_the_clone_editable(pip, monkeypatch):
    monkeypatch.setattr(course, "requirements", lambda clone=None: ["surely-not-a-package-xyz>=1"])
    report = course.setup(ROOT)
    assert pip == [("-e", str(ROOT))] and "installed surely-not-a-package-xyz>=1" in report


@pytest.mark.parametrize("build, spec", [("cuda12", "jax[cuda12]>=99"), ("tpu", "jax[tpu]>=99"), ("cpu", "jax>=99")])
def test_colab_with_an_old_jax_installs_the_runtimes_build_and_asks_for_a_restart(pip, monkeypatch, build, spec):
    monkeypatch.setattr(course, "where", lambda: "colab")
    monkeypatch.setattr(course, "jax_build", lambda: build)
    monkeypatch.setattr(course, "requirements", lambda clone=None: ["jax>=99", "flax>=0.1"])
    with pytest.raises(course.RestartRequired, match=r"restart the runtime .*run this cell again"):
        course.setup(None)
    assert pip == [(spec,)]


def test_colab_with_its_own_versions_installs_nothing(pip, monkeypatch):
    monkeypatch.setattr(course, "where", lambda: "colab")
    monkeypatch.setattr(course, "requirements", lambda clone=None: ["flax>=0.1"])
    assert "with Colab's own jax, flax and ipywidgets" in course.setup(None)
    assert pip == []


def test_elsewhere_a_missing_dependency_gets_a_message_that_names_the_fix(pip, monkeypatch):
    monkeypatch.setattr(course, "where", lambda: "local")
    monkeypatch.setattr(course, "requirements", lambda clone=None: ["surely-not-a-package-xyz>=1"])
    with pytest.raises(course.SetupError, match=re.escape(f"git clone {course.REPO_URL}")):
        course.setup(None)
    assert pip == []


def test_where_sees_colabs_module(monkeypatch):
    assert course.where() == "local"
    monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    assert course.where() == "colab"


def test_style_and_projector_mode_change_how_figures_show_never_what_is_saved(monkeypatch, capsys):
    import matplotlib.pyplot as plt
    monkeypatch.delenv(course.PROJECTOR_ENV, raising=False)
    course.style()
    assert (plt.rcParams["figure.dpi"], plt.rcParams["savefig.dpi"],
            plt.rcParams["axes.spines.top"]) == (100, 100, False)
    assert capsys.readouterr().out == ""                                 # the setup cell stays quiet
    monkeypatch.setenv(course.PROJECTOR_ENV, "1")                        # GAN_COURSE_PROJECTOR=1 ./course.sh lab
    course.style()
    assert plt.rcParams["figure.dpi"] == course.PROJECTOR_DPI > 100 and plt.rcParams["savefig.dpi"] == 100
    assert plt.rcParams["lines.linewidth"] > 1.5 and "projector mode" in capsys.readouterr().out
    course.style(projector=False)                                        # an explicit switch wins over the variable
    assert plt.rcParams["figure.dpi"] == 100 and plt.rcParams["lines.linewidth"] == 1.5
    with pytest.raises(ValueError, match="True, False or None"):
        course.style(projector="yes")
