"""Notebook 11's brush writer in a real browser: JupyterLab 4 and Notebook 7, in Debian's Chromium driven by Playwright.

What a reader does, checked on the page: the view renders (not its PNG snapshot or its text), D's patch map is drawn
in plots.D_CMAP's colours, the cursor over a glyph outlines the patch under it (its cell on the map, its receptive
field on the GAN's glyph and the source, at widgets.patch_geometry's box) and the label gives D's probability for
it, leaving clears them, and typing new characters redraws the columns. An untrained 32x32 translator is enough: the
test is about the widget, not the GAN. Screenshots go to test-artifacts/browser/.
"""
import re

import nbformat
import numpy as np
import pytest

from browser import (FRONTENDS, canvas_pixels, console_errors, count_colour, open_notebook,  # noqa: F401
                     run_all_cells, screenshot, wait_kernel_idle, wait_widget, widget_errors)

pytestmark = pytest.mark.browser

HILITE = (0x6A, 0x1B, 0x9A)          # patchmap.js's outline colour
ROOT = ".gan-brush"
# Page errors of Notebook 7 (7.6.5) itself, not of the widget: the first at start-up in a notebook holding only
# print(1), the second when JupyterLab has used the same server before it
FRONTEND_NOISE = ("pageerror: Cannot read properties of undefined (reading 'schema')",
                  "pageerror: Command 'filebrowser:open-path' not registered.")
SOURCE = """\
from gan_utils import translation, widgets
gan = translation.build_translator(32, base=8, d_base=8)     # untrained: the widget is under test, not the GAN
widgets.brush_writer(gan.generator, discriminator=gan.discriminator, text="生成")"""


def _canvas(role: str, k: int) -> str:
    return f'{ROOT} canvas[data-role="{role}"] >> nth={k}'


def _geometry() -> dict:
    """The boxes the widget must draw, from the same architecture (the geometry does not depend on the weights)."""
    from flax import nnx
    from gan_utils import models, widgets
    return widgets.patch_geometry(models.PatchDiscriminator(32, 8, n_down=2, rngs=nnx.Rngs(0)))


def _hover(page, selector: str, fx: float, fy: float, patches: int = 8) -> tuple[int, int]:
    """Moves the mouse to (fx, fy) of the canvas (fractions of its box); returns the (row, col) of the map's cell
    there (8x8 patches: 32x32 glyphs and two strided convolutions)."""
    canvas = page.locator(selector)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"], steps=4)
    return int(fy * patches), int(fx * patches)


def _purple(pixels) -> tuple:
    """(count, bounding box (top, left, bottom, right) in canvas pixels) of the outline's colour."""
    mask = (np.abs(pixels[..., :3].astype(int) - HILITE).max(-1) <= 30) & (pixels[..., 3] > 200)
    if not mask.any():
        return 0, None
    ys, xs = np.nonzero(mask)
    return int(mask.sum()), (ys.min(), xs.min(), ys.max() + 1, xs.max() + 1)


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_brush_writer_hover_outlines_the_patch_and_typing_redraws(jupyter, chromium, frontend):
    from matplotlib.colors import to_rgb
    from gan_utils.plots import D_CMAP
    geometry = _geometry()
    assert geometry["patches"] == 8
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SOURCE)]
    name = jupyter.add(nb, f"brush_{frontend}.ipynb")
    with open_notebook(chromium, jupyter, name, frontend) as page:
        run_all_cells(page)
        wait_kernel_idle(page, timeout=300)
        wait_widget(page, f'{ROOT} canvas[data-role="fake"]', timeout=120, extra_reprs=("BrushView",))
        root = page.locator(ROOT)
        assert page.locator(f'{ROOT} canvas[data-role="fake"]').count() == 2
        assert [page.locator(_canvas("fake", k)).get_attribute("data-char") for k in (0, 1)] == ["生", "成"]
        label = page.locator(f'{ROOT} [data-role="label"]')
        idle = label.inner_text()
        assert idle.startswith("Hover over a glyph"), idle
        assert _purple(canvas_pixels(page, _canvas("fake", 1)))[0] == 0, "an outline before any hover"

        # the cursor over the second character's GAN glyph, a little right of and below the centre
        r, c = _hover(page, _canvas("fake", 1), 0.6, 0.55)
        page.wait_for_function(f"document.querySelector('{ROOT}').dataset.hover === '1,{r},{c}'", timeout=10_000)
        top, left, bottom, right = geometry["boxes"][r * 8 + c]
        assert page.locator(_canvas("fake", 1)).get_attribute("data-box") == f"{top},{left},{bottom},{right}"
        assert page.locator(_canvas("source", 1)).get_attribute("data-box") == f"{top},{left},{bottom},{right}"
        text = label.inner_text()
        found = re.search(r"D: ([01]\.\d\d) real \(patch (\d+),(\d+) sees (\d+)x(\d+) px", text)
        assert found, f"the label does not give D's verdict on the patch: {text!r}"
        assert (int(found[2]), int(found[3])) == (r, c)
        assert (int(found[4]), int(found[5])) == (right - left, bottom - top)      # width x height, clipped
        p = float(label.get_attribute("data-p"))
        assert 0 <= p <= 1 and abs(float(found[1]) - p) <= 0.005
        screenshot(page, f"brush_{frontend}_hover", full_page=False)

        # the outline drawn where patch_geometry says (the canvas is 96 px for 32 image pixels: 3 px each)
        side = page.locator(_canvas("fake", 1)).evaluate("c => c.width")
        k = side / 32
        n, bounds = _purple(canvas_pixels(page, _canvas("fake", 1)))
        assert n > 50, "no outline on the GAN's glyph"
        assert np.allclose(bounds, np.array([top, left, bottom, right]) * k, atol=2), (bounds, top, left, bottom, right)
        assert _purple(canvas_pixels(page, _canvas("source", 1)))[0] > 50, "no outline on the source D sees"
        assert _purple(canvas_pixels(page, _canvas("real", 1)))[0] == 0, "D does not see the true glyph"
        assert _purple(canvas_pixels(page, _canvas("fake", 0)))[0] == 0, "the other character is outlined too"
        dmap = canvas_pixels(page, _canvas("d", 1))
        n, bounds = _purple(dmap)
        cell = side / 8
        assert n > 20 and np.allclose(bounds, (r * cell, c * cell, (r + 1) * cell, (c + 1) * cell), atol=2), bounds
        # the map's colour there is plots.D_CMAP of the probability in the label
        centre = dmap[int((r + 0.5) * cell), int((c + 0.5) * cell), :3]
        want = np.round(np.array(to_rgb(D_CMAP(p))) * 255)
        assert np.abs(centre - want).max() <= 3, (centre, want, p)

        # over the map itself: another patch; then away: no outline, the idle label
        r2, c2 = _hover(page, _canvas("d", 0), 0.1, 0.9)
        page.wait_for_function(f"document.querySelector('{ROOT}').dataset.hover === '0,{r2},{c2}'", timeout=10_000)
        assert f"patch {r2},{c2} " in label.inner_text()
        assert _purple(canvas_pixels(page, _canvas("fake", 1)))[0] == 0, "the first outline stayed"
        page.mouse.move(5, 5)
        page.wait_for_function(f"document.querySelector('{ROOT}').dataset.hover === ''", timeout=10_000)
        assert label.inner_text() == idle and _purple(canvas_pixels(page, _canvas("fake", 0)))[0] == 0

        # typing new characters redraws the columns (the text box sends its value on Enter)
        version = int(root.get_attribute("data-version"))
        box = page.locator(".jp-OutputArea-output .widget-text input").first
        box.fill("对抗网络")
        box.press("Enter")
        page.wait_for_function(f"Number(document.querySelector('{ROOT}').dataset.version) > {version}"
                               f" && document.querySelectorAll('{ROOT} canvas[data-role=\"fake\"]').length === 4",
                               timeout=60_000)
        assert [page.locator(_canvas("fake", k)).get_attribute("data-char") for k in range(4)] == list("对抗网络")
        _hover(page, _canvas("fake", 3), 0.5, 0.5)
        page.wait_for_function(f"document.querySelector('{ROOT}').dataset.hover === '3,4,4'", timeout=10_000)
        screenshot(page, f"brush_{frontend}_typed", full_page=False)
        assert widget_errors(page, extra_reprs=("BrushView",)) == []
        assert [e for e in console_errors(page) if e not in FRONTEND_NOISE] == []
