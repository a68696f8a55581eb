"""Smoke test of the browser harness (tests/browser.py): a slider drives a label through a Python observer,
in JupyterLab and in Notebook 7, exactly as a learner would use it."""
import nbformat
import pytest
from browser import (FRONTENDS, open_notebook, run_all_cells, screenshot,  # noqa: F401
                     wait_kernel_idle, wait_widget, widget_errors)

pytestmark = pytest.mark.browser

SOURCE = """\
import ipywidgets as widgets
slider = widgets.IntSlider(value=3, min=0, max=20, description="x")
label = widgets.Label(value=f"squared: {slider.value ** 2}")
slider.observe(lambda change: setattr(label, "value", f"squared: {change['new'] ** 2}"), names="value")
widgets.VBox([slider, label])
"""


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_slider_updates_label(jupyter, chromium, frontend):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SOURCE)])
    name = jupyter.add(nb, f"smoke_{frontend}.ipynb")
    with open_notebook(chromium, jupyter, name, frontend) as page:
        run_all_cells(page)
        wait_kernel_idle(page, timeout=60)
        try:
            wait_widget(page, ".widget-slider", timeout=20)
        finally:
            screenshot(page, f"smoke_{frontend}_before")
        out = page.locator(".jp-OutputArea-output")
        label = out.locator(".widget-label", has_text="squared:")
        assert label.inner_text() == "squared: 9"

        # drag the handle to about three quarters of the track, as a learner would
        track = out.locator(".widget-slider .noUi-target").bounding_box()
        handle = out.locator(".widget-slider .noUi-handle")
        box = handle.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(track["x"] + 0.75 * track["width"], box["y"] + box["height"] / 2, steps=8)
        page.mouse.up()
        value = _wait_value_squared(page, out, 3, f"smoke_{frontend}")
        assert 10 <= value < 20

        if frontend == "lab":
            # the arrow keys on the focused handle step it by one. (Notebook 7 handles keys in the capture phase,
            # and its command-mode ArrowRight binding, notebook:move-cursor-heading-below-or-expand, takes the key
            # before the slider sees it: a Notebook 7 limitation, not the course's.)
            handle.focus()
            page.keyboard.press("ArrowRight")
            assert _wait_value_squared(page, out, value, f"smoke_{frontend}") == value + 1
        screenshot(page, f"smoke_{frontend}_after")
        assert widget_errors(page) == []


def _wait_value_squared(page, out, old: int, name: str) -> int:
    """Wait until the slider's readout differs from `old` and the label shows its square; return the value."""
    try:
        page.wait_for_function(
            """old => { const r = document.querySelector('.jp-OutputArea-output .widget-readout');
                        const l = [...document.querySelectorAll('.jp-OutputArea-output .widget-label')]
                                  .find(e => e.textContent.startsWith('squared:'));
                        const v = parseInt(r.textContent);
                        return v !== old && l.textContent === `squared: ${v * v}`; }""", arg=old, timeout=15_000)
    except Exception:
        screenshot(page, f"{name}_failed")
        readout = out.locator(".widget-readout").inner_text()
        raise AssertionError(f"the label did not follow the slider: readout {readout!r}, "
                             f"outputs {out.all_inner_texts()}") from None
    return int(out.locator(".widget-readout").inner_text())
