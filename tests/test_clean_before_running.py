"""A notebook opened before it runs shows figures, never a widget's repr; the seed-shifted normal-mode check works.

- every widget output committed in notebooks/*.ipynb carries a PNG (what JupyterLab, Notebook 7, GitHub and nbviewer
  show before a kernel has run) and a readable text line instead of the Python repr;
- ``widgets.SnapshotBox`` and the boxes ``interactive_figure`` returns put that PNG into their display bundle;
- ``scripts/verify_notebook.py`` shifts every seed (``jax.random.key``, ``PRNGKey``, ``np.random.default_rng``, and so
  ``nnx.Rngs``), runs the normal mode (no ``GAN_COURSE_TEST``) and reports every failing cell.
"""
import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _widget_outputs(nb_path: Path):
    nb = json.loads(nb_path.read_text())
    for index, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if WIDGET_VIEW in out.get("data", {}):
                yield index, out["data"]


@pytest.mark.parametrize("nb_path", sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_every_committed_widget_output_carries_a_static_picture(nb_path):
    for index, data in _widget_outputs(nb_path):
        assert "image/png" in data, (f"{nb_path.name} cell {index}: a widget output without a PNG shows its repr "
                                     "before the notebook runs; display it through widgets.SnapshotBox")
        assert base64.b64decode(data["image/png"]).startswith(PNG_MAGIC)
        text = "".join(data.get("text/plain", ""))
        assert "children=" not in text and "object at 0x" not in text, (nb_path.name, index, text[:200])


def test_interactive_figure_and_snapshot_box_bundle_a_png():
    import ipywidgets as w
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure
    from gan_utils import widgets

    def draw(a=1.0):
        plt.plot([0, a])

    box = widgets.interactive_figure(draw, a=w.FloatSlider(value=0.5, description="slope"))
    assert isinstance(box, widgets.SnapshotBox) and isinstance(box, w.VBox)
    bundle = box._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)
    assert "slope = 0.5" in bundle["text/plain"] and "VBox(" not in bundle["text/plain"]
    # the picture follows the controls: a new value draws a new figure, and the bundle carries it
    box.children[0].children[0].value = 2.0
    assert box._repr_mimebundle_()["image/png"] != bundle["image/png"]
    # a snapshot given as bytes, as a figure, as a function; none at all leaves the plain widget bundle
    fig = Figure(figsize=(1, 1))
    fig.subplots().plot([0, 1])
    for snap in (widgets.figure_png(fig), fig, lambda: fig):
        assert widgets.SnapshotBox([w.Label("x")], snapshot=snap).snapshot_png().startswith(PNG_MAGIC)
    plain = widgets.SnapshotBox([w.Label("x")])._repr_mimebundle_()
    assert "image/png" not in plain and WIDGET_VIEW in plain


def test_live_training_reports_progress_in_its_title():
    import numpy as np
    from gan_utils import widgets
    live = widgets.LiveTraining(np.zeros((4, 2)), steps=100)
    assert live.progress(0) == "step 0 of 100"
    import time
    live._started = (0, time.perf_counter() - 2.0)           # 50 steps in 2 s: 25 steps/s, 2 s left
    text = live.progress(50)
    assert text.startswith("step 50 of 100, 25 steps/s, about 2 s left"), text


# ------------------------------------------------------------------------------------------------ verify

sys.path.insert(0, str(REPO / "scripts"))


def test_seed_shift_moves_every_seed_by_the_offset(tmp_path):
    import verify_notebook
    (tmp_path / "sitecustomize.py").write_text(verify_notebook.SHIFT_SEEDS)
    code = """
import jax, numpy as np, subprocess, sys
from flax import nnx
raw_key = jax.random.key.__wrapped__
same = lambda a, b: bool((jax.random.key_data(a) == jax.random.key_data(b)).all())
assert same(jax.random.key(0), raw_key(3)) and not same(jax.random.key(0), raw_key(0))
assert same(jax.random.key(np.int32(2)), raw_key(5))
assert (jax.random.PRNGKey(1) == jax.random.PRNGKey.__wrapped__(4)).all()
assert np.random.default_rng(0).integers(1 << 30) == np.random.default_rng.__wrapped__(3).integers(1 << 30)
assert same(nnx.Rngs(0).params.key.value, raw_key(3))   # nnx.Rngs goes through jax.random.key
# a process started from here (a command line the notebook runs) is shifted the same way
child = subprocess.run([sys.executable, "-c", "import jax; print(int(jax.random.key_data(jax.random.key(0))[-1]))"],
                       capture_output=True, text=True, check=True)
assert child.stdout.strip() == "3", child.stdout
print("shifted")
"""
    env = {**os.environ, "GAN_VERIFY_SEED_OFFSET": "3", "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0 and "shifted" in out.stdout, out.stderr[-2000:]


def test_verify_runs_the_normal_mode_with_shifted_seeds_and_lists_every_failing_cell(tmp_path, monkeypatch):
    import nbformat
    import verify_notebook
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os, jax\nSEED = 0\n"
                                          "TESTING = os.environ.get('GAN_COURSE_TEST') == '1'"),
                nbformat.v4.new_code_cell("assert not TESTING, 'verify must run the normal mode'"),
                nbformat.v4.new_code_cell("x = int(jax.random.randint(jax.random.key(SEED), (), 0, 1000))\n"
                                          "raw = getattr(jax.random.key, '__wrapped__', jax.random.key)\n"
                                          "assert x == int(jax.random.randint(raw(0), (), 0, 1000))"),
                nbformat.v4.new_code_cell("raise ValueError('a second failure')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "99_probe.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setenv("GAN_COURSE_TEST", "1")                 # as under ./course.sh test: verify must drop it
    shifted = verify_notebook.verify(path, 1, tmp_path, timeout=120)
    assert not shifted["passed"]
    assert [e["cell"] for e in shifted["errors"]] == [2, 3], shifted   # the seed-dependent cell and the other failure
    same = verify_notebook.verify(path, 0, tmp_path, timeout=120)
    assert [e["cell"] for e in same["errors"]] == [3], same
    assert not (tmp_path / "99_probe.py").exists() and json.loads(path.read_text())["cells"][2]["outputs"] == []
