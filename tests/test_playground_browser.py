"""The GAN playground in a real browser: JupyterLab 4 and Notebook 7, in Debian's Chromium driven by Playwright.

What a reader does, checked on the canvas's pixels: the widget renders (not its PNG snapshot or its text), "step G"
moves the generated (orange) points, unticking a layer removes its colour from the canvas and ticking it brings it
back, "run" trains and redraws until paused, and the GAN doctor's verdict shows under the canvas.
Screenshots go to test-artifacts/browser/.
"""
import time

import nbformat
import numpy as np
import pytest

from browser import (FRONTENDS, canvas_pixels, open_notebook, run_all_cells,  # noqa: F401
                     screenshot, wait_kernel_idle, wait_widget)

pytestmark = pytest.mark.browser

FIELD = 'canvas[data-role="field"]'
FAKE_RGB, REAL_RGB = (232, 89, 12), (31, 111, 180)      # gan_utils.plots.FAKE_COLOR and REAL_COLOR


def _mask(pixels, rgb, tol=12):
    """Pixels of (almost exactly) one colour; the D map is drawn translucent, so it never matches the dots' colour."""
    d = np.abs(pixels[..., :3].astype(int) - np.array(rgb)).max(-1)
    return (d <= tol) & (pixels[..., 3] > 200)


def _attr(page, name):
    return int(page.locator(".gan-playground").get_attribute(f"data-{name}") or 0)


def _wait_attr(page, name, at_least, timeout=60):
    page.wait_for_function(f"Number(document.querySelector('.gan-playground')?.getAttribute('data-{name}'))"
                           f" >= {at_least}",
                           timeout=timeout * 1000)


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_playground_responds_to_clicks(jupyter, chromium, frontend):
    nb = nbformat.v4.new_notebook()
    # a learning rate the eye can follow in one step (the default 1e-3 moves points by under a pixel per step)
    nb.cells = [nbformat.v4.new_code_cell("from gan_utils.playground import Playground\n"
                                          "pg = Playground(g_lr=0.02, seed=1)\npg")]
    name = jupyter.add(nb, f"playground_{frontend}.ipynb")
    with open_notebook(chromium, jupyter, name, frontend) as page:
        run_all_cells(page)
        wait_kernel_idle(page, timeout=180)
        wait_widget(page, FIELD, timeout=120, extra_reprs=("GAN playground (",))
        _wait_attr(page, "frames", 1)
        before = canvas_pixels(page, FIELD)
        fake0, real0 = _mask(before, FAKE_RGB), _mask(before, REAL_RGB)
        assert fake0.sum() > 200 and real0.sum() > 200, (fake0.sum(), real0.sum())
        screenshot(page, f"playground_{frontend}_0_start")

        # "step G": one generator update; the orange points move, the blue data stays where it was
        page.click('button[data-action="step-g"]')
        _wait_attr(page, "n-g", 1)
        after = canvas_pixels(page, FIELD)
        fake1 = _mask(after, FAKE_RGB)
        moved = (fake0 ^ fake1).sum() / fake0.sum()
        assert moved > 0.2, f"the generated points barely moved after 'step G': {moved:.3f} of their pixels changed"
        assert _attr(page, "n-d") == 0, "'step G' must not update the discriminator"
        screenshot(page, f"playground_{frontend}_1_step_g")

        # toggle the generated layer off: no orange dot left; back on: they return
        page.click('input[data-layer="fake"]')
        off = canvas_pixels(page, FIELD)
        assert _mask(off, FAKE_RGB).sum() == 0, "unticking 'generated' left orange points on the canvas"
        assert _mask(off, REAL_RGB).sum() > 200, "unticking 'generated' removed the real data too"
        screenshot(page, f"playground_{frontend}_2_fake_off")
        page.click('input[data-layer="fake"]')
        assert _mask(canvas_pixels(page, FIELD), FAKE_RGB).sum() > 200

        # the decision map can go too: the canvas then has (almost) only white background and dots
        page.click('input[data-layer="heatmap"]')
        no_map = canvas_pixels(page, FIELD)
        white = (no_map[..., :3].min(-1) > 250).mean()
        assert white > 0.7, f"without D's map the canvas should be mostly white, got {white:.2f}"
        page.click('input[data-layer="heatmap"]')

        # run: trains and redraws continuously until paused
        frames0 = _attr(page, "frames")
        page.click('button[data-action="run"]')
        _wait_attr(page, "n-g", 200, timeout=120)
        page.click('button[data-action="run"]')
        time.sleep(0.5)
        assert _attr(page, "frames") >= frames0 + 5
        n_g = _attr(page, "n-g")
        time.sleep(1.0)
        assert _attr(page, "n-g") == n_g, "training went on after pause"
        screenshot(page, f"playground_{frontend}_3_after_run")

        # the GAN doctor's line under the canvas: a verdict of gan_utils.doctor, with its reason, shown in the page
        doc = page.locator('[data-role="doctor"]')
        verdict = doc.get_attribute("data-verdict")
        assert verdict in ("healthy", "discriminator_wins", "mode_collapse", "non_convergence", "diverged",
                           "too_early"), verdict
        assert doc.is_visible() and doc.inner_text().startswith("doctor: "), doc.inner_text()
