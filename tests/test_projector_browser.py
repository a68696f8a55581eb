"""Projector mode (gan_utils.course.style) in JupyterLab and Notebook 7, as a teacher switches it on and off: the
notebook's text grows and shrinks back, figures are drawn larger, and nothing else in the page breaks."""
import nbformat
import pytest
from browser import FRONTENDS, open_notebook, run_all_cells, screenshot, wait_kernel_idle  # noqa: F401

pytestmark = pytest.mark.browser

CELLS = ["from gan_utils import course\nimport matplotlib.pyplot as plt\ncourse.style()",
         "def figure():\n    fig, ax = plt.subplots(figsize=(4, 3))\n    ax.plot([0, 1], [0, 1])\n"
         "    ax.set_title('a line')\n    plt.show()\nfigure()",
         "course.style(projector=True)\nfigure()",
         "course.style(projector=False)\nfigure()"]
READ = """() => ({text: getComputedStyle(document.documentElement).getPropertyValue('--jp-content-font-size1').trim(),
             widths: [...document.querySelectorAll('.jp-OutputArea-output img')].map(i => i.naturalWidth),
             said: [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText).join(' | ')})"""


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_projector_mode_switches_on_and_off_in_the_notebook(jupyter, chromium, frontend):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELLS[0]), nbformat.v4.new_code_cell(CELLS[1])])
    name = jupyter.add(nb, f"projector_{frontend}.ipynb")
    with open_notebook(chromium, jupyter, name, frontend) as page:
        run_all_cells(page)
        wait_kernel_idle(page, timeout=60)
        before = page.evaluate(READ)
        for source in CELLS[2:]:                      # the teacher adds a cell and runs it, then another
            page.evaluate("""async (source) => { const panel = window.jupyterapp.shell.currentWidget;
                panel.content.activeCellIndex = panel.content.widgets.length - 1;
                await window.jupyterapp.commands.execute('notebook:insert-cell-below');
                panel.content.activeCell.model.sharedModel.setSource(source);
                await window.jupyterapp.commands.execute('notebook:run-cell'); }""", source)
            wait_kernel_idle(page, timeout=60)
            if source.startswith("course.style(projector=True)"):
                on = page.evaluate(READ)
                screenshot(page, f"projector_{frontend}_on")
        off = page.evaluate(READ)
    assert before["text"] == "14px" and len(before["widths"]) == 1, before
    assert on["text"] == "20px" and len(on["widths"]) == 2, on                   # the notebook's text, larger
    assert "projector mode: figures at 160 dpi" in on["said"] and "projector mode" not in before["said"], on
    assert on["widths"][1] > 1.4 * before["widths"][0], on                      # the figure, drawn at 160 dpi
    assert off["text"] == "14px" and len(off["widths"]) == 3, off               # switched back
    assert abs(off["widths"][2] - before["widths"][0]) <= 2, off
