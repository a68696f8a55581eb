"""Real-browser test harness: JupyterLab / Notebook 7 served from a temporary folder, driven by Playwright
through Debian's Chromium (Playwright's own `playwright install` download is not needed).

Not collected by pytest (no test_ prefix). A test module uses it like this:

    import pytest
    from browser import FRONTENDS, open_notebook, run_all_cells, wait_kernel_idle, wait_widget   # fixtures: conftest.py

    pytestmark = pytest.mark.browser

    @pytest.mark.parametrize("frontend", FRONTENDS)
    def test_x(jupyter, chromium, frontend):
        name = jupyter.add(REPO / "notebooks/03_generator.ipynb")   # or an nbformat notebook and a name
        with open_notebook(chromium, jupyter, name, frontend) as page:
            run_all_cells(page)
            wait_kernel_idle(page)
            wait_widget(page, 'canvas[data-role="field"]')            # fails at once on a widget error
            pixels = canvas_pixels(page, 'canvas[data-role="field"]')

`jupyter` and `chromium` are session-scoped fixtures (one server and one browser for the whole run), registered
once in tests/conftest.py; a test module must not import its own copy (a second Playwright instance in the same
thread fails). When Chromium, the playwright package or (for
"notebook7") Notebook 7 is missing, they skip the test saying how to get it, and fail it under CI=true. Every
helper that takes `page` works for both front ends: they share JupyterLab's components, and each exposes its
app as `window.jupyterapp` (the server runs with expose_app_in_browser).
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "browser"
FRONTENDS = ("lab", "notebook7")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
HOW_TO_GET = ("the browser tests need Chromium and the playwright Python package: `apt-get install chromium` "
              "(or set GAN_COURSE_CHROMIUM to a Chromium binary) and `pip install playwright` (./course.sh test "
              "installs the package; Playwright's own `playwright install` browser download is not needed)")


# ------------------------------------------------------------------------------------------------ Chromium

def _missing(what: str):
    """Skip the test; under CI (CI=true) fail instead, so that a CI run cannot pass without its browser tests."""
    if os.environ.get("CI") == "true":
        pytest.fail(what + " (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(what)


def find_chromium() -> str:
    """Path of the Chromium binary: $GAN_COURSE_CHROMIUM, else `chromium` on PATH, else /usr/bin/chromium.
    Skips the calling test (with how to get it) when there is none or when playwright is not installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("playwright is not installed: " + HOW_TO_GET)
    env = os.environ.get("GAN_COURSE_CHROMIUM")
    candidates = [env] if env else [shutil.which("chromium"), "/usr/bin/chromium"]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    _missing(f"no Chromium at {env or '/usr/bin/chromium'}: " + HOW_TO_GET)


def require_frontend(frontend: str):
    """Skip (fail under CI) a "notebook7" test when Notebook 7 is not installed."""
    assert frontend in FRONTENDS, frontend
    if frontend == "notebook7":
        from importlib.metadata import PackageNotFoundError, version
        try:
            major = int(version("notebook").split(".")[0])
        except PackageNotFoundError:
            major = 0
        if major < 7:
            _missing("Notebook 7 is not installed: pip install 'notebook>=7'")


@contextmanager
def launch_chromium(headless: bool = True):
    """A Playwright Browser on Debian's Chromium; closed (with Playwright) on exit."""
    path = find_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=headless, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def chromium():
    """Session-scoped Playwright Browser (skips when Chromium or playwright is missing)."""
    with launch_chromium() as b:
        yield b


# ------------------------------------------------------------------------------------------------ Jupyter

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """A running `jupyter lab` (which also serves Notebook 7 when `notebook` is installed)."""

    def __init__(self, root: Path, port: int, token: str, log: Path, proc: subprocess.Popen):
        self.root, self.port, self.token, self.log, self.proc = root, port, token, log, proc
        self.base = f"http://127.0.0.1:{port}"

    def url(self, name: str, frontend: str = "lab") -> str:
        """URL that opens notebook `name` (relative to root) in `frontend` ("lab" or "notebook7")."""
        prefix = {"lab": "lab/tree", "notebook7": "notebooks"}[frontend]
        # ?reset: JupyterLab restores the last workspace (earlier tests' notebooks, as tabs in the DOM); start clean
        reset = "reset&" if frontend == "lab" else ""
        return f"{self.base}/{prefix}/{name}?{reset}token={self.token}"

    def add(self, nb, name: str | None = None) -> str:
        """Put a notebook into the served folder: a path (copied; e.g. REPO / "notebooks/03_generator.ipynb")
        or an nbformat NotebookNode (written; `name` required). Returns its name relative to root."""
        import nbformat
        if isinstance(nb, (str, Path)):
            name = name or Path(nb).name
            shutil.copyfile(nb, self.root / name)
        else:
            assert name, "name= is needed for an in-memory notebook"
            # without a kernelspec the front end asks which kernel to start, and the test would wait on the dialog
            nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                                  "language": "python"})
            nbformat.write(nb, self.root / name)
        return name

    def api(self, path: str, method: str = "GET", timeout: float = 5):
        req = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"},
                                     data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
        return json.loads(body) if body else None

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def _kernel_env() -> dict:
    env = dict(os.environ)
    env["GAN_COURSE_TEST"] = "1"
    # Inline figures, as a learner sees them (course.sh test exports MPLBACKEND=Agg for nbval).
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env.pop("JUPYTER_TOKEN", None)
    return env  # GAN_UTILS_MNIST_DIR and the JAX cache settings pass through unchanged


def _write_settings(config_dir: Path):
    # No "receive Jupyter news?" toast over the notebook, no request to the internet.
    d = config_dir / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    d.mkdir(parents=True)
    (d / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false",
                                                                    "checkForUpdates": False}))


@contextmanager
def jupyter_server(root: Path | None = None, timeout: float = 90):
    """Start `python -m jupyterlab` (this venv's) on 127.0.0.1, a free port and a random token, serving `root`
    (a new temporary folder by default), with its own config/runtime dirs; yield a JupyterServer once
    /api/status answers. On exit (error included) it shuts the server and its kernels down, killing what is
    left after 15 s."""
    tmp = Path(tempfile.mkdtemp(prefix="gan-browser-"))
    root = Path(root) if root else tmp / "root"
    root.mkdir(parents=True, exist_ok=True)
    env = _kernel_env()
    env.update(JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_DATA_DIR=str(tmp / "data"), IPYTHONDIR=str(tmp / "ipython"))
    _write_settings(tmp / "config")
    token, log = uuid.uuid4().hex, tmp / "server.log"
    server = None
    try:
        for _attempt in range(3):  # a free port can be taken between choosing it and binding it
            port = _free_port()
            cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}",
                   f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
                   "--JupyterNotebookApp.expose_app_in_browser=True"]
            if os.geteuid() == 0:
                cmd.append("--allow-root")
            with open(log, "ab") as f:
                proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=f, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
            server = JupyterServer(root, port, token, log, proc)
            deadline = time.monotonic() + timeout
            while proc.poll() is None and time.monotonic() < deadline:
                try:
                    server.api("status", timeout=2)
                    break
                except OSError:
                    time.sleep(0.3)
            else:
                if proc.poll() is None:
                    raise RuntimeError(f"JupyterLab did not answer in {timeout:.0f} s:\n{server.log_tail()}")
                continue  # exited (port taken?): try another port
            break
        else:
            raise RuntimeError(f"JupyterLab did not start:\n{server.log_tail()}")
        yield server
    finally:
        if server is not None:
            _stop(server)
        shutil.rmtree(tmp, ignore_errors=True)


def _stop(server: JupyterServer):
    import psutil  # an ipykernel dependency
    proc = server.proc
    try:
        procs = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        procs = []
    if proc.poll() is None:
        try:
            server.api("shutdown", method="POST")  # shuts every kernel down, then the server
        except OSError:
            pass
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    # kernels run in their own sessions: kill any the shutdown left behind
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass


@pytest.fixture(scope="session")
def jupyter():
    """Session-scoped JupyterServer serving a temporary folder (add notebooks with jupyter.add(...)).
    Skips, like `chromium`, when the browser side is missing, so no server starts for nothing."""
    find_chromium()
    with jupyter_server() as s:
        yield s


# ------------------------------------------------------------------------------------------------ pages

@contextmanager
def open_notebook(browser, server: JupyterServer, name: str, frontend: str = "lab", timeout: float = 90,
                  viewport=(1400, 1000)):
    """Open notebook `name` in `frontend` in a fresh browser context; yield the Page once the notebook is shown
    and its kernel is connected and idle. Console errors and page errors are recorded (console_errors(page)).
    On exit the page closes; the kernel is shut down so the next open starts clean."""
    require_frontend(frontend)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page._gan_console = []
    page.on("console", lambda m: m.type == "error" and page._gan_console.append(m.text))
    page.on("pageerror", lambda e: page._gan_console.append(f"pageerror: {e}"))
    try:
        page.goto(server.url(name, frontend), timeout=timeout * 1000)
        page.wait_for_function(
            "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " return !!(w && w.content && w.content.widgets && w.sessionContext"
            " && w.sessionContext.session && w.sessionContext.session.kernel); }",
            timeout=timeout * 1000, polling=250)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=timeout * 1000)
        wait_kernel_idle(page, timeout)
        yield page
    finally:
        try:
            for k in server.api("kernels"):
                server.api(f"kernels/{k['id']}", method="DELETE")
        except OSError:
            pass
        context.close()


_NOTEBOOK_JS = "window.jupyterapp.shell.currentWidget"


def run_all_cells(page):
    """Run every cell: JupyterLab's `notebook:run-all-cells` command (what Run > Run All Cells invokes; the same
    command id in Notebook 7), executed through the app's command registry."""
    page.evaluate(f"async () => {{ {_NOTEBOOK_JS}.content.activate();"
                  " await window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def kernel_status(page) -> str:
    """The kernel status the notebook shows: 'idle', 'busy', 'starting', 'unknown', ..."""
    return page.evaluate(f"() => {_NOTEBOOK_JS}.sessionContext.kernelDisplayStatus")


def wait_kernel_idle(page, timeout: float = 120, settle: float = 0.75):
    """Wait until the kernel is idle and no cell shows a `[*]` prompt, continuously for `settle` seconds (run-all
    leaves short idle gaps between cells). Raises TimeoutError saying what was still running."""
    deadline, since = time.monotonic() + timeout, None
    js = (f"() => {{ const nb = {_NOTEBOOK_JS};"
          " const busy = [...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')]"
          "   .filter(p => p.textContent.includes('*')).length;"
          " return [nb.sessionContext.kernelDisplayStatus, busy]; }")
    while True:
        status, running = page.evaluate(js)
        if status == "idle" and running == 0:
            since = since or time.monotonic()
            if time.monotonic() - since >= settle:
                return
        else:
            since = None
        if time.monotonic() > deadline:
            raise TimeoutError(f"kernel not idle after {timeout:.0f} s: status {status!r}, {running} cell(s) [*]")
        time.sleep(0.2)


def cell_outputs(page) -> list[str]:
    """Text of each output area in the notebook, in order."""
    return page.locator(".jp-Notebook .jp-OutputArea-output").all_inner_texts()


def console_errors(page) -> list[str]:
    """console.error messages and uncaught page errors seen since the page opened."""
    return list(getattr(page, "_gan_console", []))


# a widget's text/plain repr shown instead of the widget (no widget manager / front-end extension)
_WIDGET_REPR = re.compile(r"\b(?:Int|Float|FloatLog|Selection)?(?:Range)?Slider\(|\b(?:V|H|Grid)?Box\(|"
                          r"\b(?:Label|HTML|HTMLMath|Button|Output|Dropdown|Checkbox|ToggleButtons?|Play|Tab|"
                          r"Accordion|Image|Text|Textarea|IntText|FloatText|Select|SelectMultiple|RadioButtons|"
                          r"ColorPicker|Progress|IntProgress|FloatProgress|interactive)\((?:children|value|"
                          r"description|layout|options|min|max|style|outputs)=")
_WIDGET_ERRORS = ("Error displaying widget", "Failed to load model class", "Error creating widget",
                  "Could not create a model", "Could not create a view", "model not found")


def widget_errors(page, extra_reprs: tuple[str, ...] = ()) -> list[str]:
    """Every sign that a widget did not render: an error text in an output ("Error displaying widget",
    "Failed to load model class", ...), a widget's text repr shown instead of it (`IntSlider(value=...`,
    `VBox(children=...`; add your own class names in `extra_reprs`, e.g. ("Playground",)), a widget output
    still at "Loading widget...", and console/page errors that mention widgets or anywidget. [] when fine."""
    found = []
    for text in cell_outputs(page):
        for e in _WIDGET_ERRORS:
            if e in text:
                found.append(f"output: {text.strip()[:300]}")
                break
        else:
            if _WIDGET_REPR.search(text) or any(re.search(rf"\b{re.escape(n)}\(", text) for n in extra_reprs):
                found.append(f"repr instead of widget: {text.strip()[:300]}")
            elif "Loading widget..." in text:
                found.append("widget still loading")
    found += [f"console: {m[:300]}" for m in console_errors(page) if re.search(r"widget|anywidget|model", m, re.I)]
    return found


def wait_widget(page, selector: str, timeout: float = 30, extra_reprs: tuple[str, ...] = ()):
    """Wait until `selector` (e.g. ".widget-slider", 'canvas[data-role="field"]') is visible in an output, and
    return its Locator; fail at once, with widget_errors(page), when a widget error shows up instead."""
    loc = page.locator(".jp-OutputArea-output").locator(selector).first
    deadline = time.monotonic() + timeout
    while True:
        errors = widget_errors(page, extra_reprs)
        if errors:
            raise AssertionError(f"widget did not render: {errors}")
        if loc.is_visible():
            return loc
        if time.monotonic() > deadline:
            raise AssertionError(f"no {selector!r} in the outputs after {timeout:.0f} s; outputs: {cell_outputs(page)}")
        time.sleep(0.25)


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a PNG of the page as test-artifacts/browser/<name>.png (repository root) and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name) + ".png")
    page.screenshot(path=str(path), full_page=full_page)
    return path


# ------------------------------------------------------------------------------------------------ canvas

def canvas_pixels(page, selector: str, timeout: float = 30):
    """RGBA pixels of the first canvas matching `selector` (CSS; pierces open shadow roots), read in the browser
    with getImageData: a numpy uint8 array of shape (height, width, 4) at the canvas's own resolution.
    A WebGL canvas is copied onto a 2-D one first."""
    import numpy as np
    loc = page.locator(selector).first
    loc.wait_for(state="attached", timeout=timeout * 1000)
    loc.scroll_into_view_if_needed(timeout=timeout * 1000)
    w, h, b64 = loc.evaluate("""(c) => {
        let ctx = null;
        try { ctx = c.getContext('2d', {willReadFrequently: true}); } catch (e) {}
        if (!ctx) { const t = document.createElement('canvas'); t.width = c.width; t.height = c.height;
                    ctx = t.getContext('2d'); ctx.drawImage(c, 0, 0); }
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let s = '';
        for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
        return [c.width, c.height, btoa(s)];
    }""")
    return np.frombuffer(base64.b64decode(b64), np.uint8).reshape(h, w, 4)


def count_colour(pixels, rgb, tol: int = 40, min_alpha: int = 1) -> int:
    """How many pixels of canvas_pixels(...) are within `tol` (per channel) of colour `rgb` and not transparent."""
    import numpy as np
    px = pixels.astype(np.int16)
    close = (np.abs(px[..., :3] - np.asarray(rgb, np.int16)) <= tol).all(-1)
    return int((close & (px[..., 3] >= min_alpha)).sum())
