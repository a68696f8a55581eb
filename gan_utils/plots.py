"""Figures for the course. Real data is always drawn in REAL_COLOR, generated data in FAKE_COLOR, and the
discriminator's D(x) in a colour map that runs from FAKE_COLOR (D = 0, "fake") through white (D = 1/2) to
REAL_COLOR (D = 1, "real"), so a reader can tell what is what in every notebook at a glance.
"""
from __future__ import annotations

import math
import re
from typing import Callable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from . import checks

__all__ = ["REAL_COLOR", "FAKE_COLOR", "D_COLOR", "D_CMAP", "image_grid", "show_images", "save_image_grid",
           "plot_losses", "plot_history", "plot_density_1d", "plot_2d", "animate", "EQUILIBRIUM",
           "show_image_row", "glyph_rows", "offline_player"]

REAL_COLOR = "#1f6fb4"   # blue: data
FAKE_COLOR = "#e8590c"   # orange: generator
D_COLOR = "#2b2b2b"      # near-black: the discriminator's D(x) as a curve
D_CMAP = LinearSegmentedColormap.from_list("d_of_x", [FAKE_COLOR, "#ffffff", REAL_COLOR])

# Values at the game's equilibrium (q = p, D = 1/2 everywhere).
EQUILIBRIUM = {
    "d_loss": 2 * math.log(2),   # -log(1/2) - log(1 - 1/2)
    "g_loss": math.log(2),       # non-saturating: -log(1/2)
    "d_real": 0.5,
    "d_fake": 0.5,
}


def image_grid(images, nrow: int | None = None, pad: int = 1) -> np.ndarray:
    """Tiles images (N, H, W, 1) or (N, H, W) in [-1, 1] or uint8 into one (rows*(H+pad), cols*(W+pad))
    array in [0, 1]."""
    x = np.asarray(images)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3:
        raise ValueError(f"image_grid expects (N, H, W) or (N, H, W, 1) images, got shape {x.shape}.")
    if len(x) == 0:
        raise ValueError("image_grid got no images (an empty array).")
    if nrow is not None and (isinstance(nrow, bool) or not isinstance(nrow, (int, np.integer)) or nrow < 1):
        raise ValueError(f"nrow (images per row) must be an integer >= 1, or None for a square grid; got {nrow!r}.")
    checks.finite(x, "the images")   # NaN would be drawn as black, hiding a diverged generator
    x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else (np.clip(x, -1, 1) + 1) / 2
    n, h, w = x.shape
    ncol = nrow or int(math.ceil(math.sqrt(n)))
    nrows = int(math.ceil(n / ncol))
    out = np.ones((nrows * (h + pad) + pad, ncol * (w + pad) + pad), np.float32)
    for i in range(n):
        r, c = divmod(i, ncol)
        out[pad + r * (h + pad):pad + r * (h + pad) + h, pad + c * (w + pad):pad + c * (w + pad) + w] = x[i]
    return out


def show_images(images, nrow: int | None = None, ax=None, title: str | None = None):
    """Shows a grid of images (see ``image_grid``) on ``ax`` (a new figure if None); returns the Axes."""
    if ax is None:
        n = len(images)
        side = min(8, 0.6 * (nrow or math.ceil(math.sqrt(n))) + 0.5)
        _, ax = plt.subplots(figsize=(side, side))
    ax.imshow(image_grid(images, nrow), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def save_image_grid(path, images, nrow: int | None = None, scale: int = 2) -> None:
    """Writes a grid of images to a PNG file, each pixel enlarged ``scale`` times: whole or not at all, and never
    inside a checkpoint folder nor over a training run's own grids (``checkpoint.atomic_file``, ``check_target``)."""
    from .checkpoint import atomic_file
    scale = checks.count("scale (pixels per image pixel)", scale)
    grid = image_grid(images, nrow)
    grid = np.kron(grid, np.ones((scale, scale), np.float32))
    with atomic_file(path) as tmp:
        plt.imsave(tmp, grid, cmap="gray", vmin=0, vmax=1)   # the temporary keeps the suffix: the same format


def _smooth(y, k):
    y = np.asarray(y, float)
    if k <= 1 or len(y) < k:
        return y
    c = np.cumsum(np.insert(y, 0, 0.0))
    head = c[1:k] / np.arange(1, k)
    return np.concatenate([head, (c[k:] - c[:-k]) / k])


def plot_losses(history: dict, smooth: int = 25, generator_loss: str = "non_saturating", ax=None):
    """The two losses over training (raw values faint, a moving average on top), with their equilibrium values as
    dashed lines. Arguments as ``plot_history``; ``ax``: the Axes to draw on (a new figure if None). Returns it."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.6))
    s = np.asarray(history["step"])
    eq_g = EQUILIBRIUM["g_loss"] if generator_loss == "non_saturating" else -EQUILIBRIUM["g_loss"]
    for key, color, eq, label in (("d_loss", D_COLOR, EQUILIBRIUM["d_loss"], "discriminator loss"),
                                  ("g_loss", FAKE_COLOR, eq_g, "generator loss")):
        ax.plot(s, history[key], color=color, alpha=0.15, lw=0.8)
        ax.plot(s, _smooth(history[key], smooth), color=color, lw=1.8, label=label)
        ax.axhline(eq, color=color, ls="--", lw=1)
    right = ax.get_yaxis_transform()   # x in axes units, y in data: labels outside the frame, clear of the curves
    ax.text(1.01, EQUILIBRIUM["d_loss"], "2 log 2", transform=right, va="center", fontsize=10, color=D_COLOR,
            clip_on=False)
    ax.text(1.01, eq_g, "log 2" if eq_g > 0 else "-log 2", transform=right, va="center", fontsize=10, color=FAKE_COLOR,
            clip_on=False)
    ax.set_xlabel("training step")
    ax.set_ylabel("loss")
    ax.set_title("Losses (dashed: value at equilibrium)")
    ax.legend(loc="upper right", fontsize=10)
    return ax


def plot_history(history: dict, smooth: int = 25, generator_loss: str = "non_saturating", axes=None):
    """Loss curves and D outputs over training, with the equilibrium values as dashed lines.

    Args:
      history: ``FitResult.history`` (lists keyed by step, d_loss, g_loss, d_real, d_fake).
      smooth: moving-average window in steps (raw values are drawn faintly behind).
      generator_loss: which generator loss was used, for its equilibrium value (log 2 or -log 2).
      axes: two Axes to draw on (a new 1x2 figure if None).
    Returns:
      the two Axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    s = np.asarray(history["step"])
    plot_losses(history, smooth, generator_loss, ax=axes[0])
    ax = axes[1]
    for key, color, label in (("d_real", REAL_COLOR, "mean D(x), real"), ("d_fake", FAKE_COLOR, "mean D(G(z)), fake")):
        ax.plot(s, history[key], color=color, alpha=0.15, lw=0.8)
        ax.plot(s, _smooth(history[key], smooth), color=color, lw=1.8, label=label)
    ax.axhline(0.5, color="gray", ls="--", lw=1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("training step")
    ax.set_ylabel("D output")
    ax.set_title("Discriminator outputs (dashed: 1/2 at equilibrium)")
    ax.legend(loc="upper right", fontsize=10)
    return axes


def plot_density_1d(x_grid, p_pdf=None, q_pdf=None, q_samples=None, d_values=None, ax=None,
                    title: str | None = None, bins: int = 60):
    """1-D densities: data p (real colour), model q (fake colour, as a density or a histogram) and D(x).

    Args:
      x_grid: (M,) points at which p_pdf, q_pdf and d_values are given.
      p_pdf: (M,) data density on x_grid.
      q_pdf: (M,) model density on x_grid.
      q_samples: (N,) model samples, drawn as a histogram.
      d_values: (M,) discriminator output D(x) in [0, 1], drawn on a second y-axis with the line D = 1/2.
    Returns:
      the Axes of the densities.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6))
    x_grid = np.asarray(x_grid)
    if p_pdf is not None:
        ax.fill_between(x_grid, np.asarray(p_pdf), color=REAL_COLOR, alpha=0.25, lw=0)
        ax.plot(x_grid, np.asarray(p_pdf), color=REAL_COLOR, lw=2, label="data p(x)")
    if q_samples is not None:
        ax.hist(np.asarray(q_samples), bins=bins, range=(x_grid[0], x_grid[-1]), density=True,
                color=FAKE_COLOR, alpha=0.35, label="generator samples")
    if q_pdf is not None:
        ax.plot(x_grid, np.asarray(q_pdf), color=FAKE_COLOR, lw=2, label="model q(x)")
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.set_xlim(x_grid[0], x_grid[-1])
    handles, labels = ax.get_legend_handles_labels()
    if d_values is not None:
        ax2 = ax.twinx()
        ax2.plot(x_grid, np.asarray(d_values), color=D_COLOR, lw=1.5, ls="-", label="D(x)")
        ax2.axhline(0.5, color="gray", ls=":", lw=1)
        ax2.set_ylim(0, 1)
        ax2.set_ylabel("D(x)")
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, loc="upper left", fontsize=9)
    if title:
        ax.set_title(title)
    return ax


def plot_2d(real=None, fake=None, d_fn: Callable | None = None, lim: float = 1.6, ax=None,
            title: str | None = None, arrows: Callable | None = None, resolution: int = 120, s: float = 4):
    """2-D samples over the discriminator's decision heatmap (as in GAN Lab).

    Args:
      real: (N, 2) data samples (real colour).
      fake: (M, 2) generated samples (fake colour).
      d_fn: maps points (K, 2) to D(x) in [0, 1]; drawn as a heatmap, D = 1/2 as a contour.
      lim: the plot shows [-lim, lim]^2.
      arrows: maps fake points (M, 2) to a direction (M, 2), e.g. the generator's gradient step;
        drawn as arrows from (a subset of) the fake points.
    Returns:
      the Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    if d_fn is not None:
        g = np.linspace(-lim, lim, resolution)
        xx, yy = np.meshgrid(g, g)
        dd = np.asarray(d_fn(np.stack([xx.ravel(), yy.ravel()], 1).astype(np.float32))).reshape(xx.shape)
        im = ax.imshow(dd, origin="lower", extent=(-lim, lim, -lim, lim), cmap=D_CMAP, vmin=0, vmax=1, alpha=0.8)
        ax.contour(xx, yy, dd, levels=[0.5], colors="gray", linewidths=0.8)
        cb = plt.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        cb.set_label("D(x)  (0 = fake, 1 = real)")
    if real is not None:
        real = np.asarray(real)
        ax.scatter(real[:, 0], real[:, 1], s=s, color=REAL_COLOR, alpha=0.6, label="data", lw=0)
    if fake is not None:
        fake = np.asarray(fake)
        ax.scatter(fake[:, 0], fake[:, 1], s=s, color=FAKE_COLOR, alpha=0.6, label="generator", lw=0)
        if arrows is not None:
            sub = fake[:: max(1, len(fake) // 60)]
            v = np.asarray(arrows(sub))
            ax.quiver(sub[:, 0], sub[:, 1], v[:, 0], v[:, 1], color=FAKE_COLOR, angles="xy", width=0.004)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if real is not None or fake is not None:
        ax.legend(loc="upper right", fontsize=9, markerscale=3)
    if title:
        ax.set_title(title)
    return ax


def animate(frames, draw: Callable, interval: int = 200, figsize=(5, 5), gif_path=None):
    """Builds an animation from ``frames`` by calling ``draw(ax, frame)`` on a cleared Axes for each.

    Args:
      frames: a sequence of per-frame data.
      draw: function ``draw(ax, frame)`` that draws one frame.
      interval: milliseconds between frames.
      gif_path: if given, the animation is also written there as a GIF (Pillow, no external tools).
    Returns:
      an ``IPython.display.HTML`` object with the animation (JavaScript player; works without a kernel and without
      network: ``offline_player``). Readers who cannot run JavaScript (GitHub) need a static frame strip beside it.
    """
    from IPython.display import HTML
    from matplotlib import animation

    fig = plt.figure(figsize=figsize)

    def update(i):
        fig.clear()                 # also removes twin axes (e.g. D(x) of plot_density_1d) of the last frame
        draw(fig.add_subplot(), frames[i])
        return []

    anim = animation.FuncAnimation(fig, update, frames=len(frames), interval=interval, blit=False)
    if gif_path:
        from .checkpoint import atomic_file
        with atomic_file(gif_path) as tmp:    # written whole or not at all (a full disk keeps an earlier GIF)
            anim.save(tmp, writer=animation.PillowWriter(fps=max(1, 1000 // interval)))
    html = HTML(offline_player(anim.to_jshtml(default_mode="once")))
    plt.close(fig)
    return html


# matplotlib's JavaScript player draws its buttons with Font Awesome icons loaded from a CDN: offline, or where the
# CDN is blocked, the buttons are blank. Plain Unicode symbols need nothing from the network.
_PLAYER_GLYPHS = {"fa fa-minus": "&minus;", "fa fa-fast-backward": "&#x23EE;",
                  "fa fa-step-backward": "&#x23F4;&#x2759;", "fa fa-play fa-flip-horizontal": "&#x25C0;",
                  "fa fa-pause": "&#x23F8;", "fa fa-play": "&#x25B6;", "fa fa-step-forward": "&#x2759;&#x23F5;",
                  "fa fa-fast-forward": "&#x23ED;", "fa fa-plus": "+"}


def offline_player(html: str) -> str:
    """``html`` from ``Animation.to_jshtml`` with its CDN stylesheet removed and its icon buttons drawn as text.

    Raises:
      ValueError: the player's markup is not the one this function knows (a matplotlib change); the error says so
        rather than returning a player with blank buttons.
    """
    out = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">', "", html)
    for cls, glyph in _PLAYER_GLYPHS.items():
        out = out.replace(f'<i class="{cls}"></i>', glyph)
    if "http://" in out or "https://" in out or '<i class="fa' in out:
        raise ValueError("matplotlib's animation player changed: gan_utils.plots.offline_player no longer removes "
                         "every network resource from it. Update _PLAYER_GLYPHS for this matplotlib version.")
    return out


def glyph_rows(rows: dict, n: int = 10, title: str = "", size: float = 0.9) -> None:
    """Glyphs in rows (notebooks 11 and 12): one row per entry of ``rows`` (name -> images (N, S, S, 1) in [-1, 1]),
    its first ``n`` images in thin frames, ink black on white paper, the name at the row's left; ``size`` inches per
    glyph."""
    if not rows:
        raise ValueError("rows is empty: pass a dict of row name -> images (N, S, S, 1) in [-1, 1].")
    short = {name: len(imgs) for name, imgs in rows.items() if len(imgs) < n}
    if short:
        raise ValueError(f"each row needs at least n={n} images; these have fewer: {short}. Lower n.")
    fig, axes = plt.subplots(len(rows), n, figsize=(size * n + 1.8, size * len(rows) + 0.5), squeeze=False)
    for r, (name, imgs) in enumerate(rows.items()):
        for c in range(n):
            axes[r, c].imshow(np.asarray(imgs[c])[..., 0], cmap="gray_r", vmin=-1, vmax=1)
            axes[r, c].set_xticks([]), axes[r, c].set_yticks([])
            for spine in axes[r, c].spines.values():   # a full thin frame per glyph (the course style hides two sides)
                spine.set_visible(True), spine.set_linewidth(0.6), spine.set_color("#999999")
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=11)
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    plt.show()


def show_image_row(images, labels=None, ax=None, title: str | None = None, highlight: int | None = None):
    """Shows images (N, H, W, 1) in [-1, 1] side by side, with an optional label under each.

    Args:
      images: the images, e.g. the steps of a latent interpolation.
      labels: one string per image (e.g. ``"t=0.25"``).
      highlight: index of an image to frame in FAKE_COLOR (e.g. the slider's position).
    Returns:
      the Axes.
    """
    x = np.asarray(images)
    n, h, w = x.shape[:3]
    if ax is None:
        _, ax = plt.subplots(figsize=(min(1.1 * n, 12), 1.6))
    ax.imshow(image_grid(x, nrow=n, pad=2), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([2 + i * (w + 2) + w / 2 for i in range(n)])
    ax.set_xticklabels(labels if labels is not None else [""] * n, fontsize=9)
    ax.set_yticks([])
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    if highlight is not None:
        from matplotlib.patches import Rectangle
        ax.add_patch(Rectangle((0.5 + highlight * (w + 2), 0.5), w + 2, h + 2, fill=False, lw=2.5,
                               edgecolor=FAKE_COLOR))
    if title:
        ax.set_title(title)
    return ax
