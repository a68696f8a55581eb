"""Interactive controls built from ipywidgets only (they work in JupyterLab, classic Notebook and Colab).

Every widget's update function is an ordinary function, so a notebook can also call it once in a plain
cell: the figure then appears in the committed output, for readers without a kernel.
"""
from __future__ import annotations

from typing import Callable

__all__ = ["interactive_figure"]


def interactive_figure(update: Callable, **controls):
    """Wires widgets to a drawing function: every change redraws ``update(**values)`` in an output area.

    Args:
      update: a function that draws a figure (with matplotlib) from keyword values, e.g.
        ``update(mean=0.0, std=1.0)``.
      **controls: one ipywidget per keyword of ``update``, e.g. ``mean=FloatSlider(...)``.
    Returns:
      an ``ipywidgets.VBox`` holding the controls and the output; display it (or leave it last in a cell).
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    if not controls:
        raise ValueError("interactive_figure needs at least one control, e.g. mean=ipywidgets.FloatSlider().")
    out = w.Output()

    def redraw(_=None):
        with out:
            out.clear_output(wait=True)
            update(**{k: c.value for k, c in controls.items()})
            plt.show()

    for c in controls.values():
        c.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap")), out])
