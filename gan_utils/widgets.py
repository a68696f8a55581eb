"""Notebook controls built from ipywidgets only (they work in JupyterLab, Notebook 7, VS Code and Colab), and
``LiveTraining``, a training callback that redraws its picture through an IPython display handle.

Every control here is displayed with a static picture of its current state beside the live widget (a
``SnapshotBox``): a notebook opened before its kernel has run (JupyterLab, Notebook 7, VS Code, GitHub, nbviewer)
shows that figure instead of the widget's Python repr or "model not found", and the live widget replaces it once
the cell runs.
"""
from __future__ import annotations

import base64
import functools
import io
import math
import textwrap
import time
from pathlib import Path
from typing import Callable

import numpy as np

from . import checks

__all__ = ["LiveTraining", "DrawingCanvas", "SnapshotBox",  # noqa: F822 (provided lazily by __getattr__ below)
           "figure_png", "interactive_figure", "interpolate_latents", "latent_directions", "draw_interpolation",
           "latent_interpolation", "draw_latent_explorer", "latent_explorer",
           "EDITS", "gaussian_blur", "edit_digit", "draw_discriminator_view", "discriminator_verdict",
           "degrade_images", "draw_metric_explorer", "metric_explorer", "draw_brush_text", "patch_geometry",
           "BrushView", "brush_writer", "draw_style_path", "style_explorer", "draw_style_mix", "style_mixer"]


class LiveTraining:
    """A training callback that redraws the samples of a fixed latent batch and the loss curves in place.

    ``train.fit(..., callbacks=[live], callback_every=250)`` calls it every 250 steps; each call samples the
    generator for the same ``z`` (so the picture shows the generator's map changing, not new draws), keeps the frame
    in ``live.frames`` (for an animation afterwards) and replaces the picture shown under the cell. The picture is
    a PNG updated through an IPython display handle (``display(..., display_id=True)``, then ``handle.update``),
    which JupyterLab, Notebook 7, VS Code and Colab all update in place, with no widget front end involved; outside
    a notebook it prints nothing and only keeps the frames.

    Args:
      z: (N, latent_dim) latent codes, N a square (64: an 8x8 grid).
      labels: class labels for a conditional generator (see ``models.class_labels``), else None.
      steps: the planned number of steps, for the title ("step 750 of 5000").
      smooth: moving-average window of the loss curves, in steps.
      doctor: the run's ``GANConfig`` (or a ``doctor.Doctor``) to show the GAN doctor's verdict under the picture at
        every call, with its reason and what to try (``gan_utils.doctor``); kept in ``live.diagnoses``.
        None: no verdict.
    """

    def __init__(self, z, *, labels=None, steps: int | None = None, smooth: int = 25, doctor=None):
        n = int(np.asarray(z).shape[0])
        if int(round(n ** 0.5)) ** 2 != n:
            raise ValueError(f"LiveTraining draws a square grid: pass a square number of latent codes (64), got {n}.")
        self.z, self.labels, self.steps, self.smooth = z, labels, steps, smooth
        self.frames: list = []
        self.handle = None
        self._started = None          # (step, time) of the first call: the speed shown in the title
        if doctor is not None:
            from . import doctor as doctor_lib
            doctor = doctor if isinstance(doctor, doctor_lib.Doctor) else doctor_lib.Doctor(doctor)
        self.doctor = doctor

    @property
    def diagnoses(self) -> list:
        """Every verdict shown so far (``doctor.Diagnosis``), or [] without a doctor."""
        return self.doctor.diagnoses if self.doctor is not None else []

    def __call__(self, step: int, gan, history: dict | None) -> None:
        from . import models
        images = np.asarray(models.sample(gan.sampler(), None, len(self.z), z=self.z, labels=self.labels))
        self.frames.append((int(step), images))
        if self._started is None:
            self._started = (int(step), time.perf_counter())
        if self.doctor is not None:
            self.doctor(step, gan, history or {})
        self.show(step, images, history)

    def progress(self, step: int) -> str:
        """"step 750 of 5000, 26 steps/s, about 3 min left": the title's progress report (speed since the first
        call, compilation included; the step alone until a later call gives a speed)."""
        of = f" of {self.steps}" if self.steps else ""
        text = f"step {step}{of}"
        if self._started is not None and step > self._started[0]:
            rate = (step - self._started[0]) / max(time.perf_counter() - self._started[1], 1e-9)
            text += f", {rate:.0f} steps/s"
            if self.steps and self.steps > step:
                left = (self.steps - step) / rate
                text += f", about {left / 60:.0f} min left" if left >= 90 else f", about {left:.0f} s left"
        return text

    def png(self, step: int, images, history: dict | None) -> bytes:
        """The picture: the sample grid beside the two loss curves (PNG bytes)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from . import plots

        fig = Figure(figsize=(9.6, 3.9), dpi=80)
        FigureCanvasAgg(fig)
        ax_img, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.5]})
        plots.show_images(images, nrow=int(round(len(images) ** 0.5)), ax=ax_img,
                          title=f"G(z) for a fixed z\n{self.progress(step)}")
        if history and history.get("step"):
            plots.plot_losses(history, self.smooth, ax=ax_loss)
        else:
            ax_loss.text(0.5, 0.5, "the curves appear after the first steps", ha="center", va="center",
                         transform=ax_loss.transAxes, color="gray")
            ax_loss.set_xlabel("training step")
            ax_loss.set_ylabel("loss")
        ax_loss.set_title("Losses so far (dashed: value at equilibrium)")
        fig.tight_layout()
        last = self.diagnoses[-1] if self.diagnoses else None
        if last is not None:     # the doctor's verdict in a band under the picture: green when healthy, red otherwise
            ok = last.verdict in ("healthy", "too_early")
            text = f"doctor: {last.verdict.replace('_', ' ')} - {last.reason}"
            if last.verdict != "healthy":
                text += f". Try: {last.fix} ({last.where})"
            lines = textwrap.wrap(text, 110)[:4]      # 11-pt text: readable on a projector
            fig.subplots_adjust(bottom=0.15 + 0.05 * len(lines))    # room for the axis labels, then the band
            fig.text(0.01, 0.01, "\n".join(lines), fontsize=11, va="bottom", color="#1b5e20" if ok else "#b71c1c")
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()

    def show(self, step: int, images, history: dict | None) -> None:
        """Draws (the first time) or replaces (afterwards) the picture under the cell."""
        try:
            from IPython import get_ipython
            from IPython.display import Image, display
        except ImportError:
            return
        if get_ipython() is None:
            return
        picture = Image(self.png(step, images, history))
        if self.handle is None:
            self.handle = display(picture, display_id=True)
        else:
            self.handle.update(picture)


try:     # anywidget is a declared dependency (Colab ships it); the rest of this module, and playground's engine, work
    import anywidget as _anywidget  # without it. playground.Playground takes its base class from here too.
    import traitlets as _traitlets
    _WidgetBase = _anywidget.AnyWidget
except ImportError:      # pragma: no cover - exercised only where anywidget is missing
    _anywidget, _traitlets = None, None
    _WidgetBase = object


class DrawingCanvas(_WidgetBase):
    """A pad to draw a digit on with the mouse, a pen or a finger (notebook 08): white strokes on black.

    An anywidget (one ES module, ``drawing.js`` beside this file), so it runs in JupyterLab, Notebook 7, VS Code and
    Colab. At the end of every stroke the pad is averaged down to ``resolution`` x ``resolution`` pixels and sent to
    Python: watch it with ``canvas.observe(fn, names="strokes")`` and read it with ``canvas.image()`` (then
    ``data.center_digit`` puts it into MNIST's format).

    Args:
      size: the pad's side in screen pixels.
      resolution: the side of the image sent to Python (the pad averaged down; 56 = twice MNIST's 28, so that
        ``center_digit`` can still scale the digit to its 20-pixel box without losing the strokes).
      brush: the stroke width in screen pixels (18 of 224 is about the width of an MNIST stroke once scaled).
    """

    if _anywidget is not None:
        _esm = Path(__file__).with_name("drawing.js").read_text()
        size = _traitlets.Int(224).tag(sync=True)
        resolution = _traitlets.Int(56).tag(sync=True)
        brush = _traitlets.Float(18.0).tag(sync=True)
        pixels = _traitlets.List(_traitlets.Int(), []).tag(sync=True)
        strokes = _traitlets.Int(0).tag(sync=True)

    def __init__(self, *, size: int = 224, resolution: int = 56, brush: float = 18.0):
        if _anywidget is None:
            raise ImportError("the drawing pad needs anywidget: pip install anywidget (Colab ships it).")
        size = checks.count("size", size, 8)
        resolution = checks.count("resolution", resolution, 8, size)
        brush = checks.number("brush (stroke width in screen pixels)", brush, low=0, high=size, low_open=True,
                              high_open=True)
        if not 8 <= resolution <= size:
            raise ValueError(f"resolution must be in 8..size ({size}), got {resolution}.")
        if not 0 < brush < size:
            raise ValueError(f"brush (stroke width in screen pixels) must be in (0, {size}), got {brush}.")
        super().__init__(size=int(size), resolution=int(resolution), brush=float(brush))

    def image(self):
        """The drawing: float32 (resolution, resolution) in [0, 1] (white ink on black), or None while it is blank."""
        n = self.resolution
        if len(self.pixels) != n * n:
            return None
        img = np.asarray(self.pixels, np.float32).reshape(n, n) / 255.0
        return img if img.max() > 0 else None

    def clear(self) -> None:
        """Wipes the pad (in every view of it) and the image."""
        self.pixels = []
        self.send({"type": "clear"})


def figure_png(fig) -> bytes:
    """A matplotlib figure as PNG bytes, at the figure's own size and dpi (tight bounding box, as inline plots)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


@functools.lru_cache(maxsize=None)
def _snapshot_box_class():
    import ipywidgets as w

    class SnapshotBox(w.VBox):
        """A ``VBox`` that also carries a static picture of itself, for front ends without a live kernel.

        Displayed, it offers the live widget and, beside it in the same output, a PNG (``image/png``) and a
        one-line text (``text/plain``). A front end with the widget's model (a running kernel) draws the widget;
        one without (a notebook opened before running, GitHub, nbviewer, a built website) draws the PNG instead of
        the widget's repr. The picture is taken when the box is displayed, so the committed output shows the
        widget's state at that moment.

        Args:
          children: the widgets, as for ``ipywidgets.VBox``.
          snapshot: PNG bytes, a matplotlib figure, or a function returning either (called at display time).
          text: the one line shown by text-only readers (and screen readers).
        """

        def __init__(self, children=(), *, snapshot=None, text: str = "an interactive figure: run the notebook "
                                                                     "to use it", **kwargs):
            super().__init__(children=list(children), **kwargs)
            self.snapshot, self.text = snapshot, text

        def snapshot_png(self) -> bytes | None:
            """The static picture, PNG bytes (None when there is none)."""
            snap = self.snapshot() if callable(self.snapshot) else self.snapshot
            if snap is None or isinstance(snap, bytes):
                return snap
            return figure_png(snap)

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)   # ipywidgets 8; ipywidgets 7 displays the widget alone
            data = bundle[0] if isinstance(bundle, tuple) else bundle
            png = self.snapshot_png() if data is not None else None
            if png:
                data["image/png"] = base64.b64encode(png).decode()
                data["text/plain"] = self.text
            return bundle

    SnapshotBox.__qualname__ = "SnapshotBox"
    return SnapshotBox


def __getattr__(name):   # SnapshotBox subclasses ipywidgets.VBox: built on first use, so importing this is cheap
    if name == "SnapshotBox":
        cls = _snapshot_box_class()
        globals()["SnapshotBox"] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def interactive_figure(update: Callable, **controls):
    """Wires widgets to a drawing function: every change redraws ``update(**values)`` in an output area.

    Args:
      update: a function that draws a figure (with matplotlib) from keyword values, e.g.
        ``update(mean=0.0, std=1.0)``.
      **controls: one ipywidget per keyword of ``update``, e.g. ``mean=FloatSlider(...)``.
    Returns:
      a ``SnapshotBox`` (an ``ipywidgets.VBox``) holding the controls and the output; display it (or leave it last
      in a cell). Readers without a kernel see the figure of the controls' values at display time.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    if not controls:
        raise ValueError("interactive_figure needs at least one control, e.g. mean=ipywidgets.FloatSlider().")
    out = w.Output()
    last = {}

    def redraw(_=None):
        with out:
            out.clear_output(wait=True)
            update(**{k: c.value for k, c in controls.items()})
            last["figure"] = plt.gcf()
            plt.show()

    for c in controls.values():
        c.observe(redraw, names="value")
    redraw()
    return _snapshot_box([w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap")), out], last,
                         ", ".join(f"{getattr(c, 'description', '') or k} = {c.value}" for k, c in controls.items()))


def _snapshot_box(children, last: dict, settings: str):
    """A SnapshotBox whose picture is the last figure drawn into ``last["figure"]`` (with the settings in words)."""
    return _snapshot_box_class()(children, snapshot=lambda: last.get("figure"),
                                 text=f"An interactive figure ({settings}); run the notebook to move its controls.")


def interpolate_latents(z0, z1, t, method: str = "slerp"):
    """Points between two latent codes, for t in [0, 1] (scalar or (T,) array) -> (T, latent_dim).

    ``"linear"``: (1 - t) z0 + t z1. Its midpoint of two N(0, I) codes has norm about 0.71x theirs, a region
    the generator rarely saw in training. ``"slerp"`` (White, 2016) moves along the great circle instead,
    sin((1-t) w)/sin(w) z0 + sin(t w)/sin(w) z1 with cos(w) = <z0, z1>/(|z0| |z1|), and keeps the norm.
    """
    if method not in ("slerp", "linear"):
        raise ValueError(f"unknown method {method!r}; choose 'slerp' or 'linear'.")
    z0, z1 = np.asarray(z0, np.float64).ravel(), np.asarray(z1, np.float64).ravel()
    if z0.shape != z1.shape:
        raise ValueError(f"z0 and z1 must have the same shape, got {z0.shape} and {z1.shape}.")
    t = np.atleast_1d(np.asarray(t, np.float64))[:, None]
    if method == "linear":
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    norms = np.linalg.norm(z0) * np.linalg.norm(z1)
    w = np.arccos(np.clip(z0 @ z1 / norms, -1.0, 1.0)) if norms > 0 else 0.0   # a zero code has no direction
    if w < 1e-6:  # (nearly) parallel: slerp is linear
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    return ((np.sin((1 - t) * w) * z0 + np.sin(t * w) * z1) / np.sin(w)).astype(np.float32)


def _check_path(n, t: float = 0.5, method: str = "slerp") -> None:
    """The arguments of a latent path: n images (two ends at least), t in [0, 1], a known method."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n (images along the path) must be an integer >= 2 (its two ends), got {n!r}.")
    if not 0 <= t <= 1:
        raise ValueError(f"t must be in [0, 1] (0: seed A's image, 1: seed B's), got {t}.")
    if method not in ("slerp", "linear"):
        raise ValueError(f"unknown method {method!r}; choose 'slerp' or 'linear'.")


def _seed_z(seed: int, latent_dim: int):
    import jax
    return jax.random.normal(jax.random.key(int(seed)), (latent_dim,))


def _generate(generator, z):
    from .models import sample
    z = np.asarray(z, np.float32)
    return np.asarray(sample(generator, None, len(z), z=z))


def latent_directions(generator, z, k: int = 3):
    """The k latent directions that change the image most at z: the top right-singular vectors of dG/dz.

    Args:
      generator: an image generator (run in inference mode).
      z: one latent code (latent_dim,).
      k: how many directions.
    Returns:
      ``(directions, gains)``: (k, latent_dim) unit vectors and the singular values (pixel change per unit
      step in z, L2 over the image), largest first.
    """
    import jax
    from flax import nnx

    from .models import inference_copy
    graphdef, state = nnx.split(inference_copy(generator))

    def image(z):
        return nnx.merge(graphdef, state)(z[None]).ravel()

    jac = np.asarray(jax.jacfwd(image)(jax.numpy.asarray(z, jax.numpy.float32)))  # (pixels, latent_dim)
    _, sv, vt = np.linalg.svd(jac, full_matrices=False)
    return vt[:k].astype(np.float32), sv[:k]


def draw_interpolation(generator, seed_a: int = 0, seed_b: int = 1, t: float = 0.5, n: int = 9,
                       method: str = "slerp"):
    """Draws the path from G(z_a) to G(z_b) (n images) and, large, the image at position t.

    Args:
      generator: an image generator, e.g. ``checkpoint.load_pretrained(kind="dcgan").generator`` (the default
        generator reads a cluster from z, so its paths jump between clusters: notebook 09).
      seed_a, seed_b: seeds of the two latent codes z = normal(key(seed)).
      t: position on the path, in [0, 1].
      n: images in the strip.
      method: ``"slerp"`` or ``"linear"`` (see ``interpolate_latents``).
    Returns:
      the figure.
    """
    import matplotlib.pyplot as plt

    from .plots import FAKE_COLOR, show_image_row
    _check_path(n, t, method)
    za, zb = _seed_z(seed_a, generator.latent_dim), _seed_z(seed_b, generator.latent_dim)
    ts = np.linspace(0, 1, n)
    imgs = _generate(generator, np.concatenate([interpolate_latents(za, zb, ts, method),
                                                interpolate_latents(za, zb, t, method)]))
    fig = plt.figure(figsize=(min(1.1 * n, 12) + 2, 2.0))
    ax_big = fig.add_axes([0.0, 0.05, 0.16, 0.8])
    ax_row = fig.add_axes([0.18, 0.0, 0.82, 0.9])
    ax_big.imshow((np.clip(imgs[-1, ..., 0], -1, 1) + 1) / 2, cmap="gray", vmin=0, vmax=1)
    ax_big.set_axis_off()
    ax_big.set_title(f"t = {t:.2f}", color=FAKE_COLOR, fontsize=10)
    show_image_row(imgs[:-1], [f"{x:.2f}" for x in ts], ax=ax_row, highlight=int(np.argmin(abs(ts - t))),
                   title=f"{method} path from seed {seed_a} (t = 0) to seed {seed_b} (t = 1)")
    return fig


def latent_interpolation(generator, seed_a: int = 0, seed_b: int = 1, n: int = 9, method: str = "slerp"):
    """A widget: two seeds and a slider t that walks from G(z_a) to G(z_b) (see ``draw_interpolation``)."""
    import ipywidgets as w
    _check_path(n, method=method)   # here, not later inside the widget's callback, where the error is easy to miss
    return interactive_figure(
        lambda seed_a, seed_b, t, method: draw_interpolation(generator, seed_a, seed_b, t, n, method),
        seed_a=w.BoundedIntText(value=seed_a, min=0, max=10**6, description="seed A", layout=w.Layout(width="160px")),
        seed_b=w.BoundedIntText(value=seed_b, min=0, max=10**6, description="seed B", layout=w.Layout(width="160px")),
        t=w.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="t", continuous_update=False),
        method=w.Dropdown(options=["slerp", "linear"], value=method, description="path",
                          layout=w.Layout(width="180px")))


def draw_latent_explorer(generator, z, directions, amounts, gains=None):
    """Draws G(z + sum_i a_i d_i) large, beside a strip per direction showing a_i from -3 to 3.

    Args:
      generator: an image generator.
      z: the starting latent code (latent_dim,).
      directions: (k, latent_dim) unit directions (e.g. from ``latent_directions``).
      amounts: k step sizes a_i along them.
      gains: optional singular values, shown in the labels.
    Returns:
      the figure.
    """
    import matplotlib.pyplot as plt

    from .plots import FAKE_COLOR, show_image_row
    d = np.asarray(directions, np.float32)
    a = np.asarray(amounts, np.float32)
    if d.shape[0] != a.shape[0]:
        raise ValueError(f"one amount per direction: got {d.shape[0]} directions and {a.shape[0]} amounts.")
    z_now = np.asarray(z, np.float32) + a @ d
    steps = np.linspace(-3, 3, 7, dtype=np.float32)
    strips = [z_now + (s - a[i]) * d[i] for i in range(len(d)) for s in steps]
    imgs = _generate(generator, np.stack([z_now, *strips]))
    k = len(d)
    fig = plt.figure(figsize=(10, 1.35 * k + 0.4))
    ax_big = fig.add_axes([0.0, 0.1, 0.22, 0.8])
    ax_big.imshow((np.clip(imgs[0, ..., 0], -1, 1) + 1) / 2, cmap="gray", vmin=0, vmax=1)
    ax_big.set_axis_off()
    terms = "".join(f" {'-' if x < 0 else '+'} {abs(x):.1f} d{i + 1}" for i, x in enumerate(a))
    ax_big.set_title(f"G(z{terms})", fontsize=9, color=FAKE_COLOR)
    for i in range(k):
        ax = fig.add_axes([0.25, 1 - (i + 1) / k + 0.08 / k, 0.75, 0.84 / k])
        lab = f"direction {i + 1}" + (f" (gain {gains[i]:.1f})" if gains is not None else "")
        show_image_row(imgs[1 + 7 * i:1 + 7 * (i + 1)], [f"{s:+.0f}" for s in steps], ax=ax,
                       highlight=int(np.argmin(abs(steps - a[i]))))
        ax.set_title(lab, fontsize=9, loc="left")
    return fig


def latent_explorer(generator, seed: int = 0, k: int = 3):
    """A widget: a seed and k sliders that move z along the k directions that change the image most."""
    import ipywidgets as w
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= generator.latent_dim:
        raise ValueError(f"k (directions, one slider each) must be an integer in 1..{generator.latent_dim} (the "
                         f"latent size), got {k!r}.")
    import matplotlib.pyplot as plt
    seed_box = w.BoundedIntText(value=seed, min=0, max=10**6, description="seed", layout=w.Layout(width="160px"))
    sliders = [w.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.25, description=f"d{i + 1}",
                             continuous_update=False) for i in range(k)]
    out = w.Output()
    cache = {}

    def redraw(_=None):
        s = seed_box.value
        if s not in cache:
            z = np.asarray(_seed_z(s, generator.latent_dim))
            cache.clear()
            cache[s] = (z, *latent_directions(generator, z, k))
        z, dirs, gains = cache[s]
        with out:
            out.clear_output(wait=True)
            last["figure"] = draw_latent_explorer(generator, z, dirs, [sl.value for sl in sliders], gains)
            plt.show()

    last = {}
    for c in (seed_box, *sliders):
        c.observe(redraw, names="value")
    redraw()
    return _snapshot_box([w.HBox([seed_box, *sliders], layout=w.Layout(flex_flow="row wrap")), out], last,
                         f"seed {seed}, {k} latent directions")


# ----------------------------------------------------------------------------------------------------------
# Notebook 04: the discriminator's verdict as its input changes
# ----------------------------------------------------------------------------------------------------------

EDITS = ("blend toward a fake", "blur", "erase", "shift", "noise")


def gaussian_blur(images, sigma: float):
    """Blurs images with a Gaussian of ``sigma`` pixels (separable, zero padding: the border fades to 0).

    Args:
      images: (N, H, W[, 1]) or (H, W[, 1]) floats; blurred in the values given (pass uint8 pictures as floats,
        [-1, 1] images shifted by +1 so that the background is 0).
      sigma: the Gaussian's standard deviation in pixels; 0 returns a copy.
    Returns:
      float64 array of the same shape.
    """
    sigma = checks.number("sigma (the blur, in pixels)", sigma, low=0)
    x = np.array(images, np.float64)
    checks.finite(x, "images", "")
    if x.ndim < 2 or x.size == 0:
        raise ValueError(f"gaussian_blur needs images (N, H, W[, 1]) or one (H, W[, 1]), got shape {x.shape}.")
    if sigma == 0:
        return x
    h_axis = x.ndim - 3 if x.shape[-1] == 1 else x.ndim - 2      # the H axis; W follows it
    # 3 sigma each side, but no longer than the image: np.convolve's "same" output is as long as the longer input
    r = min(max(1, int(3 * sigma)), (min(x.shape[h_axis], x.shape[h_axis + 1]) - 1) // 2)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    for axis in (h_axis, h_axis + 1):
        x = np.apply_along_axis(lambda v: np.convolve(v, k, mode="same"), axis, x)
    return x


def edit_digit(image, edit: str, amount: float, other=None, seed: int = 0):
    """One digit changed by ``edit`` by ``amount`` (0: unchanged, 1: the most), for the discriminator to judge.

    Args:
      image: (28, 28, 1) floats in [-1, 1] (a real digit).
      edit: one of ``EDITS``: ``"blend toward a fake"`` ((1 - a) x + a x', x' = ``other``), ``"blur"`` (Gaussian of
        3a pixels), ``"erase"`` (a centred square of side 20a set to the background), ``"shift"`` (10a pixels to
        the right, background coming in), ``"noise"`` (Gaussian noise of standard deviation a, fixed by ``seed``).
      amount: in [0, 1].
      other: (28, 28, 1) the image blended toward (a generated digit); needed by the blend only.
    Returns:
      float32 (28, 28, 1) in [-1, 1].
    """
    if edit not in EDITS:
        raise ValueError(f"unknown edit {edit!r}; choose one of {EDITS}.")
    if not 0 <= amount <= 1:
        raise ValueError(f"amount must be in [0, 1] (0: the digit unchanged), got {amount}.")
    x = np.asarray(image, np.float32)
    if x.shape != (28, 28, 1):
        raise ValueError(f"edit_digit takes one (28, 28, 1) image in [-1, 1], got shape {x.shape}.")
    if edit == "blend toward a fake":
        if other is None:
            raise ValueError("the blend needs other=, the (28, 28, 1) image to blend toward (a generated digit).")
        out = (1 - amount) * x + amount * np.asarray(other, np.float32).reshape(28, 28, 1)
    elif edit == "blur":
        out = gaussian_blur(x + 1, 3 * amount) - 1          # background -1 -> 0 while blurring: edges fade to it
    elif edit == "erase":
        side = int(round(20 * amount))
        out = x.copy()
        lo = (28 - side) // 2
        out[lo:lo + side, lo:lo + side] = -1
    elif edit == "shift":
        s = int(round(10 * amount))
        out = np.full_like(x, -1)
        out[:, s:] = x[:, :28 - s]
    else:
        out = x + amount * np.random.default_rng(seed).standard_normal(x.shape)
    return np.clip(out, -1, 1).astype(np.float32)


_D_FUNCTIONS: dict = {}


def _d_functions(discriminator):
    """Jitted logits (N, 28, 28, 1) -> (N,) and input gradient (28, 28, 1) -> (28, 28, 1) of D in inference mode.

    Compiled once per discriminator and kept while its weights are the same arrays (a widget redraws many times);
    a discriminator trained further in place gets new ones.
    """
    import jax
    from flax import nnx

    from .models import inference_copy
    leaves = jax.tree_util.tree_leaves(nnx.state(discriminator, nnx.Param))   # the weights now (no copy made)
    cached = _D_FUNCTIONS.get(id(discriminator))
    if cached and len(cached[0]) == len(leaves) and all(a is b for a, b in zip(cached[0], leaves)):
        return cached[1]
    graphdef, state = nnx.split(inference_copy(discriminator))
    logits = jax.jit(lambda x: nnx.merge(graphdef, state)(x).reshape(-1))
    grad = jax.jit(jax.grad(lambda x: nnx.merge(graphdef, state)(x[None]).reshape(())))
    _D_FUNCTIONS.clear()                      # one discriminator at a time: nothing held for long
    _D_FUNCTIONS[id(discriminator)] = (leaves, (logits, grad))
    return _D_FUNCTIONS[id(discriminator)][1]


def draw_discriminator_view(discriminator, image, edit: str = EDITS[0], amount: float = 0.0, *, other=None,
                            n_curve: int = 11):
    """Draws what D makes of a digit as it is edited: the image, D's verdict, its input gradient, the logit's path.

    Args:
      discriminator: an image discriminator returning one logit per image (e.g. the plain DCGAN's,
        ``checkpoint.load_pretrained(kind="dcgan").discriminator``).
      image: (28, 28, 1) a real digit in [-1, 1].
      edit, amount, other: the change (see ``edit_digit``).
      n_curve: points of the logit-against-amount curve (0 to 1).
    Returns:
      the figure, four panels: the digit unchanged, edited (with D(x) and the logit), d logit / dx of the edited
      image (blue: brighter here looks more real, orange: more fake), and the logit along the edit's amounts.
    """
    import matplotlib.pyplot as plt

    from .plots import D_CMAP, D_COLOR, REAL_COLOR
    logits, grad = _d_functions(discriminator)
    amounts = np.linspace(0, 1, n_curve)
    path = np.stack([edit_digit(image, edit, float(a), other) for a in amounts])
    x = edit_digit(image, edit, amount, other)
    curve = np.asarray(logits(np.concatenate([path, x[None]])))
    logit_now = float(curve[-1])
    g = np.asarray(grad(x))[..., 0]
    fig, axes = plt.subplots(1, 4, figsize=(12, 2.9), gridspec_kw={"width_ratios": [1, 1, 1, 1.6]})
    axes[0].imshow(np.asarray(image)[..., 0], cmap="gray", vmin=-1, vmax=1)
    axes[0].set_title(f"real digit\nlogit {curve[0]:+.2f}, D = {1 / (1 + np.exp(-curve[0])):.2f}", fontsize=11,
                      color=REAL_COLOR)
    axes[1].imshow(x[..., 0], cmap="gray", vmin=-1, vmax=1)
    verdict = "real" if logit_now > 0 else "fake"
    axes[1].set_title(f"{edit}, amount {amount:.2f}\nlogit {logit_now:+.2f}, D = {1 / (1 + np.exp(-logit_now)):.2f}"
                      f" ({verdict})", fontsize=11)
    lim = float(np.abs(g).max()) or 1.0
    axes[2].imshow(g, cmap=D_CMAP, vmin=-lim, vmax=lim)
    axes[2].set_title(f"where D looks: d logit / dx\n(largest |value| {lim:.2f})", fontsize=11)
    for ax in axes[:3]:
        ax.set_xticks([])
        ax.set_yticks([])
    ax = axes[3]
    ax.axhline(0, color="gray", lw=0.8, ls="--")
    ax.plot(amounts, curve[:-1], "-o", color=D_COLOR, ms=3, label="D's logit")
    ax.plot([amount], [logit_now], "s", color=D_COLOR, ms=8, mfc="white", label="now")
    ax.set_xlabel(f"amount of {edit}")
    ax.set_ylabel("logit (> 0: judged real)")
    ax.set_title("D's verdict along the edit", fontsize=11)
    ax.legend(fontsize=11, frameon=False)
    fig.tight_layout()
    return fig


def discriminator_verdict(discriminator, real_images, fake_images=None, *, index: int = 0, edit: str = EDITS[0],
                          amount: float = 0.0):
    """A widget: pick a real digit and an edit, move its amount, and watch D's verdict and input gradient redraw.

    Args:
      discriminator: an image discriminator (e.g. ``checkpoint.load_pretrained(kind="dcgan").discriminator``).
      real_images: (N, 28, 28, 1) real digits in [-1, 1]; the digit box picks one.
      fake_images: (N, 28, 28, 1) generated digits in [-1, 1], the blend's targets (digit i blends toward fake i);
        without them the blend is not offered.
      index, edit, amount: the starting digit, edit and amount.
    Returns:
      a ``SnapshotBox`` with the controls and the figure of ``draw_discriminator_view``.
    """
    import ipywidgets as w
    real = np.asarray(real_images, np.float32)
    if real.ndim != 4 or real.shape[1:] != (28, 28, 1):
        raise ValueError(f"real_images must be (N, 28, 28, 1) in [-1, 1], got shape {real.shape}.")
    fake = None if fake_images is None else np.asarray(fake_images, np.float32)
    if fake is not None and (fake.shape[1:] != (28, 28, 1) or len(fake) < len(real)):
        raise ValueError(f"fake_images must be (N, 28, 28, 1) with at least one per real digit ({len(real)}), got "
                         f"shape {fake.shape}.")
    edits = EDITS if fake is not None else EDITS[1:]
    if edit not in edits:
        raise ValueError(f"edit must be one of {edits}" + ("" if fake is not None else
                         " (pass fake_images= for the blend)") + f", got {edit!r}.")
    if not 0 <= index < len(real):
        raise ValueError(f"index must be in 0..{len(real) - 1} (a digit of real_images), got {index}.")

    def update(index, edit, amount):
        return draw_discriminator_view(discriminator, real[index], edit, amount,
                                       other=None if fake is None else fake[index])

    return interactive_figure(
        update,
        index=w.BoundedIntText(value=index, min=0, max=len(real) - 1, description="digit",
                               layout=w.Layout(width="150px")),
        edit=w.Dropdown(options=list(edits), value=edit, description="edit", layout=w.Layout(width="250px")),
        amount=w.FloatSlider(value=amount, min=0.0, max=1.0, step=0.05, description="amount",
                             continuous_update=False))


# ----------------------------------------------------------------------------------------------------------
# Notebook 06: what each metric sees as a sample set is degraded
# ----------------------------------------------------------------------------------------------------------

def degrade_images(images, labels=None, *, n: int = 2000, blur: float = 0.0, noise: float = 0.0, digits: int = 10,
                   duplicates: float = 0.0, seed: int = 0):
    """A set of ``n`` digits drawn from ``images`` and degraded, standing in for a generator's samples.

    The set always has ``n`` images, so that no change of a metric comes from the sample size alone.

    Args:
      images: uint8 (N, 28, 28[, 1]) the pool (e.g. MNIST training digits).
      labels: (N,) their digits; needed when ``digits < 10``.
      n: the set's size.
      blur: Gaussian blur, standard deviation in pixels (0: none).
      noise: Gaussian pixel noise, standard deviation as a fraction of the 0-255 range (0: none).
      digits: keep only the digits 0 .. digits-1 (10: all; 1: only zeros), as a generator that dropped modes.
      duplicates: this fraction of the set replaced by copies of its first 10 images, as a generator that memorised.
      seed: the draw from the pool and the noise.
    Returns:
      uint8 (n, 28, 28, 1).
    """
    x = np.asarray(images)
    if x.dtype != np.uint8 or x.shape[1:3] != (28, 28):
        raise ValueError(f"images must be uint8 (N, 28, 28[, 1]) digits, got {x.dtype} {x.shape}.")
    x = x.reshape(len(x), 28, 28, 1)
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or not 1 <= digits <= 10:
        raise ValueError(f"digits (how many of 0..9 to keep) must be an integer in 1..10, got {digits!r}.")
    n = checks.count("n", n)
    duplicates = checks.number("duplicates (a share)", duplicates, low=0, high=1)
    blur, noise = (checks.number(k, v, low=0) for k, v in (("blur", blur), ("noise", noise)))
    rng = np.random.default_rng(seed)
    pool = np.arange(len(x))
    if digits < 10:
        if labels is None:
            raise ValueError("dropping digits needs labels=, the (N,) digit of each image.")
        pool = np.flatnonzero(np.asarray(labels) < digits)
    if len(pool) < n:
        raise ValueError(f"only {len(pool)} images of the pool are digits 0..{digits - 1}; pass more images or a "
                         f"smaller n (got n={n}).")
    picked = x[rng.choice(pool, n, replace=False)].astype(np.float64)
    copies = int(round(duplicates * n))
    picked[:copies] = picked[np.arange(copies) % 10]
    if blur > 0:
        picked = gaussian_blur(picked, blur)
    if noise > 0:
        picked = picked + 255 * noise * rng.standard_normal(picked.shape)
    return np.clip(np.round(picked), 0, 255).astype(np.uint8)


_METRICS_SHOWN = (("fid", "MNIST-FID", "lower is better"), ("inception_score", "Inception-style score", "max 10"),
                  ("precision", "precision", "max 1"), ("recall", "recall", "max 1"))


def draw_metric_explorer(images, scores: dict, baseline: dict, reference_histogram, settings: str = ""):
    """Draws a scored set beside its metrics: a sample of its images, its digits against the reference's, and
    MNIST-FID, the Inception-style score, precision and recall, each beside the unchanged set's.

    Args:
      images: uint8 (n, 28, 28, 1) the scored set.
      scores: ``metrics.image_metrics`` of the set.
      baseline: ``metrics.image_metrics`` of the unchanged set (drawn in grey).
      reference_histogram: (10,) the reference set's class counts.
      settings: a line that says how the set was made (the figure's title).
    Returns:
      the figure.
    """
    import matplotlib.pyplot as plt

    from .plots import FAKE_COLOR, REAL_COLOR, show_images
    fig = plt.figure(figsize=(13, 3.6))
    grid = fig.add_gridspec(1, 6, width_ratios=[1.7, 1.5, 0.8, 0.8, 0.8, 0.8], wspace=0.6)
    ax = fig.add_subplot(grid[0])
    show_images(images[np.linspace(0, len(images) - 1, 36).astype(int)], nrow=6, ax=ax)   # spread over the set
    ax.set_title("the scored set (36 of them)", fontsize=10)
    ax = fig.add_subplot(grid[1])
    ref = np.asarray(reference_histogram, np.float64)
    hist = np.asarray(scores["class_histogram"], np.float64)
    ax.bar(np.arange(10) - 0.2, ref / ref.sum(), 0.4, color=REAL_COLOR)
    ax.bar(np.arange(10) + 0.2, hist / hist.sum(), 0.4, color=FAKE_COLOR)
    ax.set_xticks(range(10))
    ax.set_xlabel("digit (the classifier's call)")
    ax.set_ylabel("share")
    ax.set_title("digits drawn: real test digits (blue)\nagainst the scored set (orange)", fontsize=10)
    for i, (k, name, note) in enumerate(_METRICS_SHOWN):
        ax = fig.add_subplot(grid[2 + i])
        vals = [baseline[k], scores[k]]
        ax.bar([0, 1], vals, color=["#9a9a9a", FAKE_COLOR], width=0.6)
        for j, v in enumerate(vals):
            ax.text(j, v, f"{v:.2f}" if k != "fid" or v < 100 else f"{v:.0f}", ha="center", va="bottom", fontsize=10)
        ax.set_xticks([0, 1], ["unchanged", "now"], fontsize=10, rotation=30, ha="right", rotation_mode="anchor")
        ax.set_title(f"{name}\n({note})", fontsize=10)
        top = max(vals) if k == "fid" else (10 if k == "inception_score" else 1)
        ax.set_ylim(0, 1.18 * max(top, 1e-9))
    if settings:
        fig.suptitle(settings, y=1.06, fontsize=10)
    return fig


def metric_explorer(images, labels, reference, *, n: int = 2000, seed: int = 0, classifier=None):
    """A widget: blur, add noise to, drop digits from or duplicate a set of real digits, and watch MNIST-FID, the
    Inception-style score, precision and recall redraw (what each metric is blind to).

    Args:
      images: uint8 (N, 28, 28[, 1]) the pool the set is drawn from (real digits, so that the unchanged set is a
        perfect generator); at least ``n`` of each first digit when digits are dropped.
      labels: (N,) their digits.
      reference: the reference set, as ``(features, probs)`` from ``metrics.classifier_outputs`` (or images).
      n: images in the scored set (the metrics' cost grows with it: about a second at 2,000 on a 2-core CPU).
      seed: the set's draw from the pool and its noise.
      classifier: default: the shipped MNIST classifier.
    Returns:
      a ``SnapshotBox`` with the controls and the figure of ``draw_metric_explorer``.
    """
    import ipywidgets as w

    from . import metrics
    ref = reference if isinstance(reference, tuple) else metrics.classifier_outputs(reference, classifier)
    ref_hist = metrics.class_histogram(ref[1])

    def score(imgs):
        return metrics.image_metrics(imgs, ref, classifier=classifier, pr_n=n, seed=seed)

    baseline = score(degrade_images(images, labels, n=n, seed=seed))

    def update(blur, noise, digits, duplicates):
        imgs = degrade_images(images, labels, n=n, blur=blur, noise=noise, digits=digits, duplicates=duplicates,
                              seed=seed)
        what = [f"blur {blur:.1f} px" if blur else "", f"noise {noise:.2f}" if noise else "",
                f"only digits 0-{digits - 1}" if digits < 10 else "",
                f"{duplicates:.0%} copies of 10 images" if duplicates else ""]
        what = ", ".join(x for x in what if x) or "unchanged"
        return draw_metric_explorer(imgs, score(imgs), baseline, ref_hist, f"{n:,} real training digits: {what}")

    slider = dict(continuous_update=False, style={"description_width": "80px"})
    return interactive_figure(
        update,
        blur=w.FloatSlider(value=0.0, min=0.0, max=3.0, step=0.25, description="blur (px)", **slider),
        noise=w.FloatSlider(value=0.0, min=0.0, max=0.5, step=0.05, description="noise", **slider),
        digits=w.IntSlider(value=10, min=1, max=10, description="digits kept", **slider),
        duplicates=w.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.1, description="duplicates", **slider))


def _typed(text: str, chars: str, max_chars: int) -> tuple[str, str]:
    """The typed characters (spaces skipped) that ``chars`` holds, the first ``max_chars`` of them, and those it does
    not hold, each once."""
    wanted = [c for c in text if not c.isspace()]
    known = set(chars)
    return ("".join(c for c in wanted if c in known)[:max_chars],
            "".join(dict.fromkeys(c for c in wanted if c not in known)))


def _brush_rows(generator, discriminator, text: str, pairs, max_chars: int = 12):
    """The glyph rows of ``draw_brush_text``: the (first ``max_chars``) characters found, those missing, and the
    (N, S, S) images."""
    from . import data, models
    checks.count("max_chars (most characters drawn)", max_chars)
    size = generator.size
    pairs = pairs if pairs is not None else data.load_glyphs("all", size=size)
    if pairs.source.shape[1] != size:
        raise ValueError(f"the glyphs are {pairs.source.shape[1]}x{pairs.source.shape[1]} but the generator translates "
                         f"{size}x{size}: load them with data.load_glyphs('all', size={size}).")
    found, missing = _typed(text, pairs.chars, max_chars)
    rows = {}
    if found:
        picked = pairs.select(pairs.index(found))
        src, tgt = data.to_unit_range(picked.source), data.to_unit_range(picked.target)
        # padded with blank glyphs to max_chars: translate compiles once per batch shape (seconds on a CPU), so
        # every length of text reuses one compilation
        padded = np.concatenate([src, -np.ones((max_chars - len(src),) + src.shape[1:], src.dtype)])
        out = np.asarray(models.translate(generator, padded))
        rows = {"printed (source)": src[..., 0], "the GAN's brush": out[:len(src), ..., 0],
                "the font's brush (true)": tgt[..., 0]}
        if discriminator is not None:   # D's verdict on each patch of (GAN's glyph, source): 1 = looks real
            logits = np.asarray(discriminator(out, padded))[:len(src)]
            rows["D on each patch"] = 1 / (1 + np.exp(-logits))
    return found, missing, rows


def draw_brush_text(generator, text: str, *, discriminator=None, pairs=None, max_chars: int = 12):
    """Draws typed characters in the GAN's brush style, beside the printed source and the true brush glyph.

    Args:
      generator: an image-to-image generator (``models.UNetGenerator``) trained on the glyph pairs.
      text: the characters to write (spaces are skipped); the first ``max_chars`` of them are drawn.
      discriminator: optionally its ``models.PatchDiscriminator``: a fourth row shows, for each patch of the GAN's
        glyph, D's probability that it is real (blue) or generated (orange).
      pairs: the glyph pairs to look characters up in (default ``data.load_glyphs("all")`` at the generator's size):
        a glyph is only drawn for characters the data holds (GB2312's 3,755 common characters), as nobody needs the
        fonts to run the course.
      max_chars: most characters drawn.
    Returns:
      the figure (with a line naming any character the data does not hold).
    """
    import matplotlib.pyplot as plt

    from .plots import D_CMAP
    if not isinstance(text, str):
        raise TypeError(f"text must be a str of characters, got {type(text).__name__}.")
    max_chars = checks.count("max_chars (most characters drawn)", max_chars)
    found, missing, rows = _brush_rows(generator, discriminator, text[:4 * max_chars], pairs, max_chars)
    note = (f"not in the glyph data (GB2312's 3,755 common characters): {missing}" if missing else "")
    if not found:
        fig, ax = plt.subplots(figsize=(6, 1.2))
        ax.axis("off")
        ax.text(0.5, 0.5, "type Chinese characters above" + (f"\n{note}" if note else ""), ha="center", va="center",
                fontsize=12)
        return fig
    n, names = len(found), list(rows)
    fig, axes = plt.subplots(len(names), n, figsize=(1.15 * n + 1.6, 1.2 * len(names) + 0.4), squeeze=False)
    for r, name in enumerate(names):
        for c in range(n):
            ax = axes[r, c]
            if name == "D on each patch":
                d_map = ax.imshow(rows[name][c], cmap=D_CMAP, vmin=0, vmax=1, interpolation="nearest")
            else:
                ax.imshow(rows[name][c], cmap="gray_r", vmin=-1, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
            for spine in ax.spines.values():   # a full thin frame per glyph, whatever the notebook's rcParams
                spine.set_visible(True), spine.set_linewidth(0.6), spine.set_color("#999999")
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=11)
    fig.suptitle(note or f"{n} character{'s' * (n > 1)}, translated by the generator", fontsize=11)
    fig.tight_layout()
    if "D on each patch" in names:   # the key to D's colours: white is undecided, the deeper the surer
        fig.colorbar(d_map, ax=axes[names.index("D on each patch"), :].tolist(), fraction=0.03, pad=0.01,
                     label="D: probability real")
    return fig


def patch_geometry(discriminator) -> dict:
    """Where each logit of a ``models.PatchDiscriminator`` looks, walked layer by layer from its convolutions.

    Logit (row, col) sees the input pixels ``[stride * row + offset, stride * row + offset + field)`` (and the same
    for columns), clipped to the image: the rest of its field is the convolutions' zero padding. With "SAME"
    padding and even kernels the field is not centred on the patch's cell of the map (the padding is larger on the
    far side), which is why the offset is computed here rather than assumed.

    Returns:
      a dict: ``size`` (the image side S), ``patches`` (the map's side P), ``stride``, ``offset``, ``field`` (the
      receptive field's side, ``discriminator.receptive_field``) and ``boxes``, the (P * P) clipped boxes
      ``[top, left, bottom, right]`` in image pixels (bottom and right exclusive), row by row.
    """
    from . import models
    if not isinstance(discriminator, models.PatchDiscriminator):
        raise TypeError(f"patch_geometry needs a models.PatchDiscriminator (one logit per patch), got "
                        f"{type(discriminator).__name__}; build one with translation.build_translator.")
    # SpectralNorm wraps its convolution as .layer
    layers = [getattr(layer, "layer", layer) for layer in [*discriminator.convs, discriminator.out]]
    n, stride, offset, field = discriminator.size, 1, 0, 1     # n: the side of the current layer's input
    for layer in layers:
        k, s = layer.kernel_size[0], layer.strides if isinstance(layer.strides, int) else layer.strides[0]
        if layer.padding == "SAME":        # jax.lax's rule: the total padding split with the smaller half first
            out = math.ceil(n / s)
            low = max((out - 1) * s + k - n, 0) // 2
        elif layer.padding == "VALID":
            out, low = (n - k) // s + 1, 0
        else:
            raise ValueError(f"patch_geometry knows 'SAME' and 'VALID' padding, got {layer.padding!r}.")
        # one pixel of this layer's input spans `stride` image pixels: its padding and kernel widen the field by that
        offset, field, stride, n = offset - low * stride, field + (k - 1) * stride, stride * s, out
    size = discriminator.size
    span = [(max(stride * i + offset, 0), min(stride * i + offset + field, size)) for i in range(n)]
    boxes = [[t, l, b, r] for t, b in span for l, r in span]
    return dict(size=size, patches=n, stride=stride, offset=offset, field=field, boxes=boxes)


class BrushView(_WidgetBase):
    """The view of ``brush_writer`` (notebook 11): for each character, the printed source, the GAN's glyph, the true
    brush glyph and D's patch map; the cursor over the GAN's glyph or the map outlines the patch under it, with its
    receptive field on the glyph and its source, and a label gives D's probability that the patch is real.

    An anywidget (one ES module, ``patchmap.js`` beside this file). Python sends the images (base64 uint8,
    255 = ink), D's probabilities, the patches' boxes (``patch_geometry``) and ``plots.D_CMAP`` as a 256-colour
    table, so the browser draws the same colours as the course's figures; the hover itself runs in the browser
    alone, with no round trip to the kernel. Fill it with ``show(generator, text, ...)``.
    """

    if _anywidget is not None:
        _esm = Path(__file__).with_name("patchmap.js").read_text()
        glyphs = _traitlets.List(_traitlets.Dict(), []).tag(sync=True)
        geometry = _traitlets.Dict().tag(sync=True)
        cmap = _traitlets.List(_traitlets.Unicode(), []).tag(sync=True)
        note = _traitlets.Unicode("").tag(sync=True)

    def __init__(self):
        if _anywidget is None:
            raise ImportError("the brush writer needs anywidget: pip install anywidget (Colab ships it).")
        from matplotlib.colors import to_hex

        from .plots import D_CMAP
        # matplotlib maps v in [0, 1] to entry min(int(v * N), N - 1) of N colours: the browser does the same
        super().__init__(cmap=[to_hex(c) for c in D_CMAP(np.arange(D_CMAP.N))])

    def show(self, generator, text: str, *, discriminator=None, pairs=None, max_chars: int = 12) -> None:
        """Draws ``text`` (its first ``max_chars`` characters found in ``pairs``), as ``draw_brush_text`` does."""
        geometry = {} if discriminator is None else patch_geometry(discriminator)
        if geometry and geometry["size"] != generator.size:
            raise ValueError(f"the discriminator judges {geometry['size']}x{geometry['size']} images but the "
                             f"generator makes {generator.size}x{generator.size} ones: pass the discriminator trained "
                             f"with this generator (discriminator=gan.discriminator).")
        max_chars = checks.count("max_chars (most characters drawn)", max_chars)
        found, missing, rows = _brush_rows(generator, discriminator, text[:4 * max_chars], pairs, max_chars)
        ink = lambda x: base64.b64encode(np.round((np.asarray(x) + 1) * 127.5).astype(np.uint8).tobytes()).decode()
        d = rows.get("D on each patch")
        notes = ([] if found else ["type Chinese characters above"]) + \
            ([f"not in the glyph data (GB2312's 3,755 common characters): {missing}"] if missing else [])
        with self.hold_sync():         # one message: the browser redraws once
            self.geometry = geometry
            self.glyphs = [dict(char=ch, source=ink(rows["printed (source)"][i]), fake=ink(rows["the GAN's brush"][i]),
                                real=ink(rows["the font's brush (true)"][i]),
                                d=None if d is None else np.round(d[i], 4).ravel().tolist())
                           for i, ch in enumerate(found)]
            self.note = "; ".join(notes)


def brush_writer(generator, *, discriminator=None, text: str = "生成对抗网络", pairs=None, max_chars: int = 12):
    """A widget: type Chinese characters (your name) and see them in the GAN's brush style, beside the printed
    source and the true brush glyph, and (with ``discriminator``) D's map of which patches it calls generated: the
    cursor over a glyph outlines the patch under it (the square of pixels its logit sees) and gives D's verdict.

    Args:
      generator: the translator's ``models.UNetGenerator`` (``gan.generator``).
      discriminator: its ``models.PatchDiscriminator`` (``gan.discriminator``); None: no patch map.
      text: the starting characters.
      pairs, max_chars: as ``draw_brush_text``.
    Returns:
      a ``SnapshotBox`` with a text box and a ``BrushView``; readers without a kernel see the figure of
      ``draw_brush_text`` for the starting text.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    if hasattr(generator, "generator") and hasattr(generator, "discriminator"):
        raise TypeError("brush_writer takes the GAN's two networks, not the GAN: brush_writer(gan.generator, "
                        "discriminator=gan.discriminator).")
    if not getattr(generator, "image_conditioned", False):
        raise TypeError(f"brush_writer needs an image-to-image generator (models.UNetGenerator, e.g. "
                        f"translation.build_translator().generator), got {type(generator).__name__}.")
    if not isinstance(text, str):
        raise TypeError(f"text must be a str of characters, e.g. text='生成', got {type(text).__name__}.")
    if pairs is None:         # loaded once, not at every keystroke
        from . import data
        pairs = data.load_glyphs("all", size=generator.size)
    view = BrushView()
    show = dict(discriminator=discriminator, pairs=pairs, max_chars=max_chars)
    view.show(generator, text, **show)       # bad networks or glyphs raise here, before anything is displayed
    box = w.Text(value=text, description="characters", continuous_update=False,
                 placeholder="type Chinese characters", style={"description_width": "80px"})
    box.observe(lambda change: view.show(generator, change["new"], **show), names="value")

    def snapshot() -> bytes:      # closed once drawn: the inline backend would show the open figure a second time
        fig = draw_brush_text(generator, box.value, **show)
        try:
            return figure_png(fig)
        finally:
            plt.close(fig)

    return _snapshot_box_class()([w.HBox([box]), view], snapshot=snapshot,
                                 text=f"The brush writer ({box.value!r}); run the notebook to type and to hover "
                                      "over D's patch map.")


def _style_glyphs(text: str, max_chars: int):
    """The characters of ``text`` the styles file holds (the first ``max_chars``), their printed glyphs padded with
    blank glyphs to ``max_chars`` (one compilation for every length of text), and those missing."""
    from . import data
    glyphs = data.load_glyph_styles("all")
    max_chars = checks.count("max_chars (most characters drawn)", max_chars)
    found, missing = _typed(text, glyphs.chars, max_chars)
    src = data.to_unit_range(glyphs.select(glyphs.index(found)).source) if found else np.zeros((0, 32, 32, 1),
                                                                                               np.float32)
    padded = np.concatenate([src, -np.ones((max_chars - len(src), 32, 32, 1), np.float32)])
    return found, missing, padded


def draw_style_path(generator, text: str = "生成对抗网络", a: str = "kai", b: str = "song", t: float = 0.5, *,
                    points: int = 9, max_chars: int = 6):
    """Draws typed characters in a style between two fonts, with the font judge's reading and the walk from a to b.

    Args:
      generator: a style-conditioned generator (``styles.load_pretrained_styles()``).
      text: the characters to draw (GB2312's 3,755 common characters; the first ``max_chars`` found are drawn).
      a, b: the two target fonts (``data.load_glyph_styles().styles``: kai, song, heibold, smiley).
      t: the position between them: the code is ``(1 - t) a + t b``.
      points: glyphs in the strip from a to b (the first character).
    Returns:
      the figure: the text at t (large), the judge's mean probability of each font for it, and the strip.
    """
    import matplotlib.pyplot as plt

    from . import styles
    from .plots import show_image_row
    if not isinstance(text, str):
        raise TypeError(f"text must be a str of characters, got {type(text).__name__}.")
    if isinstance(t, bool) or not isinstance(t, (int, float, np.floating)) or not 0.0 <= float(t) <= 1.0:
        raise ValueError(f"t must be a number in [0, 1] (0: font a, 1: font b), got {t!r}.")
    codes = styles.path_codes(a, b, points)
    found, missing, padded = _style_glyphs(text, max_chars)
    if not found:
        fig, ax = plt.subplots(figsize=(6, 1.2))
        ax.axis("off")
        ax.text(0.5, 0.5, "type Chinese characters above" + (f"\nnot in the glyph data: {missing}" if missing else ""),
                ha="center", va="center", fontsize=12)
        return fig
    code = (1 - float(t)) * codes[0] + float(t) * codes[-1]
    drawn = styles.draw_in_style(generator, padded, code)
    probs = styles.font_probabilities(drawn)[:len(found)].mean(0)
    walk = styles.draw_in_style(generator, np.repeat(padded[:1], points, 0), codes)
    fig = plt.figure(figsize=(11, 4.2))
    ax_text = fig.add_axes([0.0, 0.42, 0.62, 0.5])
    ax_bars = fig.add_axes([0.74, 0.47, 0.24, 0.42])
    ax_walk = fig.add_axes([0.05, 0.0, 0.9, 0.34])
    gap = -np.ones((32, 4), np.float32)   # paper between the glyphs
    line = np.concatenate([part for x in drawn[:len(found), ..., 0] for part in (x, gap)][:-1], axis=1)
    ax_text.imshow(line, cmap="gray_r", vmin=-1, vmax=1)
    ax_text.set_axis_off()
    ax_text.set_title(f"the generator at t = {float(t):.2f}: {1 - float(t):.2f} x {a} + {float(t):.2f} x {b}",
                      fontsize=12)
    names = list(styles.FONT_STYLES)
    ax_bars.barh(range(len(names)), probs, color=["#222222" if i == probs.argmax() else "#aaaaaa"
                                                  for i in range(len(names))])
    ax_bars.set_yticks(range(len(names)), names, fontsize=11)
    ax_bars.invert_yaxis()
    ax_bars.set_xlim(0, 1)
    ax_bars.set_xlabel("mean probability")
    ax_bars.set_title("the font judge reads", fontsize=12)
    ts = np.linspace(0, 1, points)
    show_image_row(-walk, [f"{x:.2f}" for x in ts], ax=ax_walk,   # negated: dark ink on white paper, as the text
                   highlight=int(np.argmin(abs(ts - float(t)))),
                   title=f"the first character, from {a} (t = 0) to {b} (t = 1)")   # no CJK in matplotlib's fonts
    if missing:
        fig.text(0.0, 0.36, f"not in the glyph data: {missing}", fontsize=10)
    return fig


def style_explorer(generator, text: str = "生成对抗网络", a: str = "kai", b: str = "song", t: float = 0.5):
    """A widget: two fonts, the position t between them and the characters to draw (see ``draw_style_path``)."""
    import ipywidgets as w

    from . import styles
    options = list(styles.FONT_STYLES[1:])
    styles.path_codes(a, b)   # a bad font name fails here, not later inside the widget's callback
    return interactive_figure(
        lambda a, b, t, text: draw_style_path(generator, text, a, b, t),
        a=w.Dropdown(options=options, value=a, description="font a", layout=w.Layout(width="170px")),
        b=w.Dropdown(options=options, value=b, description="font b", layout=w.Layout(width="170px")),
        t=w.FloatSlider(value=t, min=0.0, max=1.0, step=0.05, description="t", continuous_update=False),
        text=w.Text(value=text, description="text", continuous_update=False, layout=w.Layout(width="220px")))


def _check_style_generator(generator, cut) -> None:
    from .stylegan import StyleGenerator
    if not isinstance(generator, StyleGenerator):
        raise TypeError(f"generator must be a stylegan.StyleGenerator (e.g. checkpoint.load_pretrained(kind="
                        f"'stylegan').generator), got {type(generator).__name__}.")
    # the same check as StyleGenerator.mix's, here so that a widget refuses a bad cut before its first redraw
    checks.count("cut (the first layer that takes the fine sample's w)", cut, minimum=1,
                 maximum=StyleGenerator.N_LAYERS - 1)


def draw_style_mix(generator, seed_coarse: int = 1, seed_fine: int = 2, cut: int = 3):
    """Draws style mixing (notebook 14): the sample of ``seed_coarse``, that of ``seed_fine``, and the mix that takes
    the layers before ``cut`` from the first and the rest from the second, with the mix at every cut beneath.

    Args:
      generator: a ``stylegan.StyleGenerator`` (drawn in inference mode, with the noise of seed 0).
      seed_coarse, seed_fine: seeds of the two latent codes z = normal(key(seed)).
      cut: 1-5, the first layer (of 6: 7x7, 14x14, 14x14, 28x28, 28x28, output) that takes the fine sample's w.
    Returns:
      the figure.
    """
    import jax
    import jax.numpy as jnp
    import matplotlib.pyplot as plt

    from .models import inference_copy
    from .plots import FAKE_COLOR, show_image_row
    _check_style_generator(generator, cut)
    g = inference_copy(generator)
    z = jnp.stack([_seed_z(seed_coarse, g.latent_dim), _seed_z(seed_fine, g.latent_dim)])
    w = g.mapping(z)
    cuts = list(range(1, g.N_LAYERS))
    ws = jnp.concatenate([jnp.repeat(w[:, None], g.N_LAYERS, 1), g.mix(w[:1], w[1:], cut)]
                         + [g.mix(w[:1], w[1:], c) for c in cuts])
    imgs = np.asarray(g.synthesis(ws, jax.random.key(0)))
    fig = plt.figure(figsize=(10, 3.0))
    big = [fig.add_axes([0.01 + 0.18 * i, 0.2, 0.16, 0.68]) for i in range(3)]
    titles = (f"coarse: seed {seed_coarse}", f"fine: seed {seed_fine}", f"mix, cut at layer {cut}")
    for ax, img, title in zip(big, imgs[:3], titles):
        ax.imshow((np.clip(img[..., 0], -1, 1) + 1) / 2, cmap="gray", vmin=0, vmax=1)
        ax.set_axis_off()
        ax.set_title(title, fontsize=11, color=FAKE_COLOR if "mix" in title else "black")
    row = fig.add_axes([0.56, 0.22, 0.43, 0.62])
    show_image_row(imgs[3:], [f"cut {c}" for c in cuts], ax=row, highlight=cut - 1,
                   title="the mix at every cut")
    fig.text(0.01, 0.05, "layers before the cut take the coarse seed's w (7x7, 14x14 first); the rest the fine "
             "seed's", fontsize=10)
    return fig


def style_mixer(generator, seed_coarse: int = 1, seed_fine: int = 2, cut: int = 3):
    """A widget: two seeds and a slider for the cut; redraws ``draw_style_mix`` (notebook 14)."""
    import ipywidgets as w
    _check_style_generator(generator, cut)   # here, not later inside the widget's callback, where it is easy to miss
    return interactive_figure(
        lambda seed_coarse, seed_fine, cut: draw_style_mix(generator, seed_coarse, seed_fine, cut),
        seed_coarse=w.BoundedIntText(value=seed_coarse, min=0, max=10**6, description="coarse seed",
                                     layout=w.Layout(width="190px")),
        seed_fine=w.BoundedIntText(value=seed_fine, min=0, max=10**6, description="fine seed",
                                   layout=w.Layout(width="190px")),
        cut=w.IntSlider(value=cut, min=1, max=5, description="cut at layer", continuous_update=False))
