"""Notebook 08's drawing pipeline without a browser: data.center_digit (MNIST's own normalisation) and the
DrawingCanvas widget's Python side (the pixels its view sends, clearing, bad arguments)."""
import numpy as np
import pytest

from gan_utils import data, widgets


def _mnist(n=200):
    x, _ = data.load_mnist("test", n=n)
    return x[..., 0].astype(np.float32) / 255.0


def test_center_digit_leaves_mnist_digits_as_they_are():
    """MNIST digits are already in MNIST's format: normalising them again changes (almost) nothing."""
    x = _mnist()
    out = np.stack([data.center_digit(a) for a in x])
    assert out.shape == x.shape and out.dtype == np.float32
    assert np.abs(out - x).max(axis=(1, 2)).mean() < 0.01


def test_center_digit_undoes_a_move_and_a_zoom():
    """A digit drawn twice as big, off-centre, on a 112-pixel pad comes back where MNIST puts it."""
    x = _mnist(20)
    for a in x:
        pad = np.zeros((112, 112), np.float32)
        pad[5:61, 50:106] = np.kron(a, np.ones((2, 2), np.float32))
        out = data.center_digit(pad)
        assert np.corrcoef(out.ravel(), a.ravel())[0, 1] > 0.9
        ink = out.sum()
        cy, cx = (np.arange(28) @ out.sum(1)) / ink, (np.arange(28) @ out.sum(0)) / ink
        assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
        rows, cols = np.flatnonzero(out.max(1) > 0.05), np.flatnonzero(out.max(0) > 0.05)
        assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= 21


def test_center_digit_accepts_uint8_and_a_channel_axis():
    x, _ = data.load_mnist("test", n=1)
    np.testing.assert_allclose(data.center_digit(x[0]), data.center_digit(x[0, ..., 0].astype(np.float32) / 255),
                               atol=1e-6)


def test_center_digit_refuses_an_empty_or_wrong_image():
    with pytest.raises(ValueError, match="no ink"):
        data.center_digit(np.zeros((56, 56)))
    with pytest.raises(ValueError, match=r"\(H, W\)"):
        data.center_digit(np.ones((2, 28, 28)))


def test_drawing_canvas_reads_what_its_view_sends():
    canvas = widgets.DrawingCanvas()
    assert canvas.image() is None                             # blank pad
    n = canvas.resolution
    px = np.zeros((n, n), np.uint8)
    px[10:40, 26:30] = 255                                    # a vertical stroke, as the view sends it (ints 0-255)
    seen = []
    canvas.observe(lambda change: seen.append(change["new"]), names="strokes")
    canvas.pixels = px.ravel().tolist()
    canvas.strokes += 1
    img = canvas.image()
    assert img.shape == (n, n) and img.max() == 1.0 and img[20, 27] == 1.0 and img[0, 0] == 0.0
    assert seen == [1]
    assert data.center_digit(img).shape == (28, 28)
    canvas.clear()
    assert canvas.image() is None


def test_drawing_canvas_refuses_bad_settings():
    with pytest.raises(ValueError, match="resolution"):
        widgets.DrawingCanvas(resolution=500)
    with pytest.raises(ValueError, match="brush"):
        widgets.DrawingCanvas(brush=0)
