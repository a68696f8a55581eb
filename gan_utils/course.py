"""Where the course lives and where it runs: the repository address, and the setup cell's job.

``REPOSITORY`` is the one place the course's GitHub address is written. ``python scripts/set_repository.py``
copies it into the notebooks (their setup cells and Colab badges) and the README; tests/test_course.py fails,
naming that command, when they disagree. Publishing the course under another address is a change of this line
and that command.

``setup`` is what every notebook's first cell calls, after making ``gan_utils`` importable (from the clone the
notebook sits in, or on Colab from the repository). It needs nothing but the standard library and ``packaging``
(which matplotlib and pip bring), because it runs before the course's dependencies may be there:

* **in a clone** (``./course.sh lab``, or plain ``jupyter lab`` in any environment): the clone itself, never a
  download. If a dependency is missing or outside the declared ranges, ``pip install -e CLONE`` installs them
  (the ranges of pyproject.toml, which include the versions Colab ships).
* **on Colab**: the preinstalled jax (with its CUDA plugin on GPU runtimes, libtpu on TPU runtimes), flax and
  ipywidgets are kept when they are within the ranges, which are chosen to include them: nothing is upgraded, no
  restart. If a future Colab image ships something older, the matching jax build is installed (``jax[cuda12]`` on
  a GPU, ``jax[tpu]`` on a TPU, plain ``jax`` on CPU) and the cell asks, in one line, for a restart; its next run
  proceeds.
* **elsewhere** (a notebook downloaded on its own): a message with the two ways to get the course.

``style`` is the setup cell's last line: the course's figure style, or **projector mode** for a lecture hall
(``GAN_COURSE_PROJECTOR=1``).
"""
from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["REPOSITORY", "BRANCH", "REPO_URL", "SITE_URL", "colab_url", "install_source", "where", "requirements",
           "unmet_requirements", "jax_build", "setup", "RestartRequired", "SetupError", "top_to_bottom", "style",
           "PROJECTOR_ENV"]

REPOSITORY = "gan-course/gans-in-jax"   # owner/name on GitHub: the only place it is written by hand
BRANCH = "main"                         # the branch the badges open and Colab installs
REPO_URL = f"https://github.com/{REPOSITORY}"
SITE_URL = "https://{}.github.io/{}/".format(*REPOSITORY.split("/"))   # the website (GitHub Pages, docs/)
DIST = "gan-utils"                      # the distribution name of this package (pyproject.toml)


class SetupError(RuntimeError):
    """The course cannot be set up here; the message says what to do."""


class RestartRequired(RuntimeError):
    """Packages already imported in this kernel were upgraded: restart it and run the setup cell again."""


def colab_url(notebook: str) -> str:
    """The "Open in Colab" address of ``notebooks/<notebook>`` (e.g. ``"01_probability_background.ipynb"``)."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/notebooks/{notebook}"


def install_source() -> str:
    """What pip installs the course from outside a clone: ``$GAN_COURSE_REPO`` if set (the tests point it at a
    local clone, e.g. ``git+file:///path/to/clone``), else ``git+REPO_URL@BRANCH``."""
    return os.environ.get("GAN_COURSE_REPO") or f"git+{REPO_URL}@{BRANCH}"


def where() -> str:
    """``"colab"`` in a Google Colab runtime, else ``"local"``."""
    if "google.colab" in sys.modules:
        return "colab"
    try:
        return "colab" if importlib.util.find_spec("google.colab") is not None else "local"
    except (ImportError, ValueError):   # no "google" package at all
        return "local"


def requirements(clone: str | os.PathLike | None = None) -> list[str]:
    """The package's declared requirements (pyproject.toml's ``dependencies``): from the clone's pyproject.toml
    when given, else from the installed distribution's metadata."""
    if clone is not None:
        text = (Path(clone) / "pyproject.toml").read_text()
        try:
            import tomllib
            return list(tomllib.loads(text)["project"]["dependencies"])
        except ModuleNotFoundError:   # Python 3.10: read the one list we need by hand
            block = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", text, re.S | re.M).group(1)
            return re.findall(r'^\s*"([^"]+)"', block, re.M)
    return [r for r in (metadata.requires(DIST) or []) if "extra ==" not in r]


def unmet_requirements(reqs: list[str]) -> list[tuple[str, str | None]]:
    """The requirements not met by what is installed: ``(requirement, installed version or None)`` pairs."""
    from packaging.requirements import Requirement

    unmet = []
    for text in reqs:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate():
            continue
        have = _installed(req.name)
        if have is None or not req.specifier.contains(have, prereleases=True):
            unmet.append((text, have))
    return unmet


def _installed(dist: str) -> str | None:
    """The installed version of a distribution, or None."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def jax_build() -> str:
    """The jax build that matches this machine: ``"cuda12"`` (a GPU: the jax-cuda12 plugin is installed, or an
    NVIDIA device is present), ``"tpu"`` (libtpu is installed, or Colab says TPU), else ``"cpu"``."""
    if _installed("jax-cuda12-plugin") or Path("/dev/nvidia0").exists():
        return "cuda12"
    if _installed("libtpu") or os.environ.get("COLAB_TPU_ADDR") or os.environ.get("TPU_NAME"):
        return "tpu"
    return "cpu"


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *args], check=True)


def _imported(requirement: str) -> bool:
    from packaging.requirements import Requirement
    return Requirement(requirement).name.lower().replace("-", "_") in sys.modules


def setup(clone: str | os.PathLike | None = None) -> str:
    """Makes sure the course's dependencies are installed where this notebook runs; returns a one-line report.

    Args:
      clone: the root of the clone the notebook sits in (the setup cell finds it), or None outside a clone.
    Returns:
      a one-line description of what was used (printed by the setup cell).
    Raises:
      RestartRequired: packages this kernel had already imported were upgraded; restart, run the cell again.
      SetupError: outside a clone and outside Colab, with dependencies missing; the message says what to run.
    """
    place = "clone" if clone is not None else where()
    source = {"clone": f"the course from the clone at {Path(clone).resolve()}" if clone is not None else "",
              "colab": f"the course from {install_source()}", "local": "the installed course package"}[place]
    reqs = requirements(clone)
    unmet = unmet_requirements(reqs)
    if not unmet:
        return source + (", with Colab's own jax, flax and ipywidgets" if place == "colab" else "")
    listing = ", ".join(f"{r} (have {v or 'none'})" for r, v in unmet)
    if place == "local":
        raise SetupError(f"the course's dependencies are missing here: {listing}. Either clone the course and run "
                         f"./course.sh lab (git clone {REPO_URL}), or pip install \"gan-utils @ {install_source()}\" "
                         "in this notebook's environment and restart its kernel.")
    restart = any(v is not None and _imported(r) for r, v in unmet)
    if place == "clone":
        _pip("-e", str(Path(clone).resolve()))
    else:
        jax_reqs = [r for r, _ in unmet if re.match(r"^jax(lib)?\b", r)]
        others = [r for r, _ in unmet if r not in jax_reqs]
        if jax_reqs:   # the jax build of the runtime, so that jaxlib and its plugin stay at one version
            build = jax_build()
            spec = next((r for r in reqs if re.match(r"^jax\s*[<>=!~]", r)), "jax")
            _pip(spec.replace("jax", f"jax[{build}]", 1) if build != "cpu" else spec)
            restart = True  # a new jaxlib (and plugin) only loads in a fresh process
        if others:
            _pip(*others)
    if restart:
        raise RestartRequired("installed " + ", ".join(r for r, _ in unmet) + ": restart the runtime (Colab: "
                              "Runtime > Restart session; Jupyter: Kernel > Restart) and run this cell again.")
    return f"installed {', '.join(r for r, _ in unmet)}; using {source}"


PROJECTOR_ENV = "GAN_COURSE_PROJECTOR"   # =1 (or true, yes, on): every notebook's setup cell turns projector mode on
_ON, _OFF = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
PROJECTOR_DPI = 160                      # figures 1.6 times as large on screen, their text with them
# the notebook's own text in JupyterLab and Notebook 7 (their CSS variables; defaults 14, 13 and 13 pixels); html:root
# outranks the theme's own :root rule (in Notebook 7 a plain :root lost to it: tests/test_projector_browser.py)
PROJECTOR_CSS = ("<style>html:root {{ --jp-content-font-size1: {}px; --jp-code-font-size: {}px; "
                 "--jp-ui-font-size1: {}px; }}</style>")
_projected = False                       # whether this kernel's page has the larger text, to put it back


def _projector_env() -> bool:
    """Whether ``GAN_COURSE_PROJECTOR`` asks for projector mode: 1, true, yes or on (any case) do; 0, false, no, off
    or nothing do not. Any other value is a typo: a warning names the accepted values, and projector mode stays off
    (a warning, not an error: every setup cell reads the variable, and a class must not stop on a typo in it)."""
    value = os.environ.get(PROJECTOR_ENV, "").strip().lower()
    if value not in _ON + _OFF:
        import warnings
        warnings.warn(f"{PROJECTOR_ENV}={os.environ[PROJECTOR_ENV]!r} is neither on nor off, so projector mode stays "
                      "off: set it to 1, true, yes or on (or 0, false, no, off)", stacklevel=3)
    return value in _ON


def style(projector: bool | None = None) -> None:
    """The course's figure style, which every setup cell sets: 100 dpi, no top or right frame.

    **Projector mode** is for a hall: figures drawn at ``PROJECTOR_DPI`` (their text and lines grow with them),
    lines a little thicker, and in JupyterLab and Notebook 7 the notebook's own text larger (``PROJECTOR_CSS``;
    Colab and VS Code keep their pages to themselves: there, zoom with Ctrl and +). Nothing that is computed or
    saved changes: files are still written at 100 dpi.

    Args:
      projector: True or False; None (the setup cells) reads the environment variable ``GAN_COURSE_PROJECTOR``
        (1, true, yes or on, in any case: on), so that ``GAN_COURSE_PROJECTOR=1 ./course.sh lab`` (or
        ``%env GAN_COURSE_PROJECTOR=1`` in Colab, before the setup cell) turns it on for every notebook. Called
        again, it switches; figures drawn after the call follow it.
    """
    import matplotlib.pyplot as plt  # here, not on top: the command line and the site's build import this module
    if projector is None:
        projector = _projector_env()
    elif not isinstance(projector, bool):
        raise ValueError(f"projector must be True, False or None (None: the environment variable {PROJECTOR_ENV}), "
                         f"got {projector!r}.")
    plt.rcParams.update({"figure.dpi": PROJECTOR_DPI if projector else 100, "savefig.dpi": 100,
                         "axes.spines.top": False, "axes.spines.right": False,
                         "lines.linewidth": 2.0 if projector else 1.5})
    global _projected
    if (projector or _projected) and "IPython" in sys.modules:
        from IPython.display import HTML, display
        display(HTML(PROJECTOR_CSS.format(*((20, 17, 16) if projector else (14, 13, 13)))))
        _projected = projector
    if projector:
        print(f"projector mode: figures at {PROJECTOR_DPI} dpi, the notebook's text larger in JupyterLab and "
              f"Notebook 7 (in Colab or VS Code, zoom with Ctrl and +); course.style(projector=False) turns it off")


TIME_LINE = "this notebook, top to bottom:"   # scripts/notebook_times.py reads the README's times from this line


def top_to_bottom(t_start: float) -> str:
    """The line every notebook prints last: its time since ``t_start`` (``time.perf_counter()`` in its setup cell).

    Example: ``this notebook, top to bottom: 4.2 minutes (2026-11-23; load average 1.1 on 2 CPUs)``. Under test
    (``GAN_COURSE_TEST=1``, shortened training) the line says so, so that a test run's time is never read as the
    notebook's.
    """
    import datetime as dt
    minutes = (time.perf_counter() - t_start) / 60
    load = f"load average {os.getloadavg()[0]:.1f} on " if hasattr(os, "getloadavg") else ""
    mode = "; under test, shortened training" if os.environ.get("GAN_COURSE_TEST") == "1" else ""
    return f"{TIME_LINE} {minutes:.1f} minutes ({dt.date.today().isoformat()}; {load}{os.cpu_count()} CPUs{mode})"

