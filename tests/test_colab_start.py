"""The course where Colab starts: the notebooks' setup cells in an environment with Colab's preinstalled versions.

``./course.sh test`` builds ``.colab-env`` from tests/colab_versions.txt (jax 0.7.2, flax 0.11.2, ipywidgets 7.7.1,
... as Colab ships them, on this machine's Python). A Jupyter kernel running in it, with a stand-in ``google.colab``
module on its path (the one thing ``gan_utils.course.where`` looks for), executes notebooks copied out of the clone,
as Colab opens them: their setup cell installs the course from ``$GAN_COURSE_REPO`` (this clone, as a ``file://``
address) with ``--no-deps``, and must leave every preinstalled version alone. pip runs with ``--no-index``: nothing
is downloaded, so an install that needed a dependency would fail the test.
"""
import json
import os
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
COLAB_ENV = ROOT / ".colab-env"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
COLAB = dict(l.split("==") for l in (ROOT / "tests" / "colab_versions.txt").read_text().split() if "==" in l)


def _python() -> Path:
    py = COLAB_ENV / "bin" / "python"
    if not py.exists():
        msg = ("no .colab-env: `./course.sh test` builds it with Colab's preinstalled versions "
               "(tests/colab_versions.txt)")
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return py


def _version(py: Path, dist: str) -> str | None:
    out = subprocess.run([str(py), "-c", f"import importlib.metadata as m; print(m.version({dist!r}))"],
                         capture_output=True, text=True, cwd="/")   # not the clone: its gan_utils.egg-info would count
    return out.stdout.strip() if out.returncode == 0 else None


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """A kernelspec "colab" running .colab-env's Python as Colab's kernel would, with the course not installed."""
    py = _python()
    subprocess.run([str(py), "-m", "pip", "uninstall", "-q", "-y", "gan-utils"], capture_output=True)
    assert _version(py, "gan-utils") is None
    home = tmp_path_factory.mktemp("colab")
    fake = home / "site" / "google" / "colab"
    fake.mkdir(parents=True)
    (fake.parent / "__init__.py").write_text("")
    (fake / "__init__.py").write_text('"""Stand-in for Colab\'s google.colab '
                                      '(gan_utils.course.where looks for it)."""\n')
    env = {"PYTHONPATH": str(home / "site"), "GAN_COURSE_REPO": ROOT.as_uri(), "PIP_NO_INDEX": "1",
           "PIP_NO_BUILD_ISOLATION": "0",   # pip's spelling of --no-build-isolation: build with .colab-env's setuptools
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    spec = home / "kernels" / "colab"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(py), "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "Colab-like",
        "language": "python", "env": env}))
    return {"python": py, "home": home, "env": env}


def _run(colab, ipynb: Path, cells=None, extra_env=None, cell_timeout=180, deadline=240):
    """Executes a copy of ``ipynb`` (outside the clone, like Colab) in the colab kernel, in a process of its own
    (tests/kernel_run.py says why); returns the notebook. A cell over ``cell_timeout`` seconds, or the whole run
    over ``deadline``, fails the test naming the cell."""
    return _run_many(colab, [(ipynb, cells)], extra_env, cell_timeout, deadline)[0]


def _run_many(colab, notebooks, extra_env=None, cell_timeout=180, deadline=240):
    """_run for several (ipynb, cells) pairs, each on a fresh kernel, in one process (it and nbclient start once)."""
    import kernel_run

    jobs = []
    for ipynb, cells in notebooks:
        nb = nbformat.read(ipynb, as_version=4)
        if cells is not None:
            nb.cells = [c for i, c in enumerate(nb.cells) if i in cells]
        work = colab["home"] / ipynb.stem
        work.mkdir(exist_ok=True)
        jobs.append((nb, work))
    kernel = json.loads((colab["home"] / "kernels" / "colab" / "kernel.json").read_text())
    kernel["env"] = {**colab["env"], **(extra_env or {})}   # on top of the runner's environment (jupyter_client)
    (colab["home"] / "kernels" / "colab" / "kernel.json").write_text(json.dumps(kernel))
    start = time.time()
    ran = [nb for nb, _ in jobs]
    try:
        ran = kernel_run.execute_many(jobs, "colab", env={"JUPYTER_PATH": str(colab["home"])},
                                      cell_timeout=cell_timeout, deadline=deadline)
    finally:
        for (ipynb, _), nb in zip(notebooks, ran):
            _log_times(ipynb, nb, (time.time() - start) / len(notebooks))
    return ran


def _log_times(ipynb: Path, nb, wall: float) -> None:
    """Where a run's minutes went (each cell's busy-to-idle time, and the wall time around them: kernel start and
    shutdown), appended to _build/test-times/colab.jsonl, so that a slow CI run can be read afterwards."""
    from datetime import datetime

    def span(c):
        t = c.get("metadata", {}).get("execution", {})
        if "iopub.status.busy" in t and "iopub.status.idle" in t:
            a, b = (datetime.fromisoformat(t[k].replace("Z", "+00:00"))
                    for k in ("iopub.status.busy", "iopub.status.idle"))
            return round((b - a).total_seconds(), 2)
        return None

    cells = {i: span(c) for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    idle = wall - sum(t for t in cells.values() if t)
    if idle > 60:   # kernel start and shutdown take a few seconds; more is worth reading
        import warnings
        warnings.warn(f"{ipynb.name} on Colab's versions: {wall:.0f} s, of which {idle:.0f} s outside its cells "
                      f"(kernel start, shutdown or a lost message); cell times {cells}")
    out = ROOT / "_build" / "test-times"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "colab.jsonl", "a") as f:
        f.write(json.dumps({"notebook": ipynb.name, "at": time.strftime("%H:%M:%S"), "wall_s": round(wall, 1),
                            "cells_s": cells}) + "\n")


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _setup_index(ipynb: Path) -> int:
    nb = nbformat.read(ipynb, as_version=4)
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")


def test_every_setup_cell_installs_the_course_and_keeps_colabs_versions(colab):
    """Each notebook's setup cell, first run on a fresh Colab-like runtime: the course is installed from the
    repository address (no dependency downloaded), every import of the cell works with Colab's versions, and jax,
    flax and ipywidgets are still Colab's afterwards."""
    ran = _run_many(colab, [(ipynb, {_setup_index(ipynb)}) for ipynb in NOTEBOOKS])
    for ipynb, nb in zip(NOTEBOOKS, ran):
        out = _text(nb.cells[0])
        assert "with Colab's own jax, flax and ipywidgets" in out, f"{ipynb.name}: {out}"
        assert f"JAX {COLAB['jax']}" in out, f"{ipynb.name} did not run on Colab's jax: {out}"
    for dist in ("jax", "jaxlib", "flax", "optax", "numpy", "ipywidgets", "matplotlib"):
        assert _version(colab["python"], dist) == COLAB[dist], f"the setup cells changed Colab's {dist}"
    direct = subprocess.run([str(colab["python"]), "-c", "import importlib.metadata as m; "
                             "print(m.distribution('gan-utils').read_text('direct_url.json'))"],
                            capture_output=True, text=True, cwd="/").stdout
    assert ROOT.as_uri() in direct, f"gan-utils was not installed from GAN_COURSE_REPO: {direct}"


def test_notebook_01_runs_top_to_bottom_on_colabs_versions(colab):
    nb = _run(colab, ROOT / "notebooks" / "01_probability_background.ipynb", extra_env={"GAN_COURSE_TEST": "1"})
    assert "JAX " + COLAB["jax"] in _text(
        nb.cells[_setup_index(ROOT / "notebooks" / "01_probability_background.ipynb")])


@pytest.mark.timeout(600)   # the run's own deadline (480 s, below) must be able to act before pytest's 300 s does
def test_notebook_05_pretrained_path_runs_on_colabs_versions(colab):
    # the deadline guards against a hang, it is no speed target: this run took 236 s of the default 240 on a slow
    # 2-core CI machine (2026-11-28, 4.06 times the record's), and passed 240 s on the next one
    nb = _run(colab, ROOT / "notebooks" / "05_training_loop.ipynb",
              extra_env={"GAN_COURSE_TEST": "1", "GAN_COURSE_PRETRAINED": "1"}, deadline=480)
    shown = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(shown) >= 5, f"notebook 05 drew {len(shown)} figures on the pretrained path"


def test_a_clone_opened_with_plain_jupyter_uses_the_clone(colab):
    """A learner who cloned the course and runs `jupyter lab` in an environment without it (here: Colab's
    versions, which fit the declared ranges) gets the clone in front of them: nothing is downloaded or installed."""
    py = colab["python"]
    subprocess.run([str(py), "-m", "pip", "uninstall", "-q", "-y", "gan-utils"], capture_output=True)
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    setup = nb.cells[_setup_index(NOTEBOOKS[0])].source
    head = setup[:setup.index("print(course.setup(CLONE))")] + "print(course.setup(CLONE))\n"
    env = {**os.environ, "GAN_COURSE_REPO": "file:///nonexistent", "PIP_NO_INDEX": "1",
           "PYTHONPATH": "", "PYTHONNOUSERSITE": "1"}
    out = subprocess.run([str(py), "-c", head + "import gan_utils; print(gan_utils.__file__)"],
                         cwd=ROOT / "notebooks", env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"the course from the clone at {ROOT}" in out.stdout
    assert out.stdout.strip().splitlines()[-1].startswith(str(ROOT / "gan_utils")), out.stdout
    assert _version(py, "gan-utils") is None, "the clone's setup cell installed the course instead of using the clone"
