"""Notebook 12's new hand: its file and rendering, the hand judge, few-shot fine-tuning and the imitation measures
(``gan_utils.imitation``), and the shipped table against a fresh measurement."""
import hashlib
import json
import shutil
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from course_scripts import render_glyphs
from flax import nnx

from gan_utils import checkpoint, data, imitation, precomputed, styles

DEJAVU = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def test_hand_file_checksum_provenance_and_loader():
    assert hashlib.sha256(data.HAND_FILE.read_bytes()).hexdigest() == data.HAND_SHA256
    plain, full = data.load_glyph_styles("all"), data.load_glyph_styles("all", hand=True)
    assert full.styles == plain.styles + ("hand",) and full.targets.shape == (3755, 5, 32, 32, 1)
    assert np.array_equal(full.targets[:, :4], plain.targets) and full.chars == plain.chars
    assert data.load_glyph_styles("test", hand=True).chars == data.load_glyphs("test").chars
    made = full.provenance["hand"]
    assert made["hand"]["family"] == "Ma Shan Zheng" and made["hand"]["license"] == "SIL Open Font License 1.1"
    assert made["dropped"] == {"blank": [], "missing glyph": []} and made["command"].startswith(
        "python scripts/render_glyphs.py --hand")
    hand = full.style("hand")
    assert set(np.unique(hand[:50])) <= set(range(0, 256, 17)) and hand.max() == 255
    # a hand of its own: on average far from the brush font it starts from, in pixels
    assert np.abs(hand[:200].astype(int) - full.style("kai")[:200]).mean() > 15
    with pytest.raises(ValueError, match="leave path out"):
        data.load_glyph_styles(hand=True, path=data.STYLES_FILE)


def test_a_damaged_hand_file_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "hand32.npz"
    bad.write_bytes(data.HAND_FILE.read_bytes()[:-100])
    monkeypatch.setattr(data, "HAND_FILE", bad)
    data._read_hand.cache_clear()
    try:
        with pytest.raises(data.GlyphDataError, match="SHA-256.*render_glyphs.py --hand"):
            data.load_glyph_styles("test", hand=True)
    finally:
        data._read_hand.cache_clear()


def _package(tmp_path: Path) -> Path:
    """A stand-in for the npm package: two 'subsets' (DejaVu files) listed by unicode range in 400.css."""
    (tmp_path / "files").mkdir()
    shutil.copy(DEJAVU / "DejaVuSerif.ttf", tmp_path / "files" / "x-0-400-normal.woff")
    shutil.copy(DEJAVU / "DejaVuSerif.ttf", tmp_path / "files" / "x-1-400-normal.woff")
    css = ""
    for i, ranges in enumerate(("U+41-42", "U+61,U+67")):
        css += ("/* x */\n@font-face {\n  font-family: 'DejaVu Serif';\n  src: url(./files/x-%d-400-normal.woff2) "
                "format('woff2'), url(./files/x-%d-400-normal.woff) format('woff');\n  unicode-range: %s;\n}\n"
                % (i, i, ranges))
    (tmp_path / "400.css").write_text(css)
    (tmp_path / "package.json").write_text(json.dumps({"version": "9.9.9"}))
    return tmp_path


def test_hand_fonts_and_rendering_in_another_files_frame(tmp_path, monkeypatch):
    monkeypatch.setitem(render_glyphs.HAND, "family", "DejaVu Serif")
    font_for, version = render_glyphs.hand_fonts(_package(tmp_path), 64)
    assert version == "9.9.9" and font_for("A") is font_for("B") and font_for("a") is not font_for("A")
    assert font_for("Z") is None
    with pytest.raises(SystemExit, match="npm pack"):
        render_glyphs.hand_fonts(tmp_path / "files", 64)
    sans = render_glyphs.load_font(str(DEJAVU / "DejaVuSans.ttf"), 0, 64, "DejaVu Sans")
    bold = render_glyphs.load_font(str(DEJAVU / "DejaVuSans-Bold.ttf"), 0, 64, "DejaVu Sans")
    fonts, offsets = [sans, bold], [[0.0, 0.0], [0.0, 0.0]]
    images, kept, dropped, offset, clipped = render_glyphs.render_hand(list("ABaZg"), fonts, offsets, font_for,
                                                                      size=32, canvas=160, margin=0.06)
    assert kept == list("ABag") and dropped["missing glyph"] == ["Z"] and images.shape == (4, 32, 32)
    assert images.dtype == np.uint8 and set(np.unique(images)) <= set(range(0, 256, 17))
    # the frame is the other fonts': their own crop (align_many) is cut with the same box
    box = render_glyphs.crop_box([render_glyphs.draw(f, "A", 160) for f in fonts], 0.06)
    again = render_glyphs.crop(render_glyphs.draw(font_for("A"), "A", 160, tuple(offset)), box, 32)
    assert np.array_equal(images[0], again)
    assert np.array_equal(render_glyphs.align_many([render_glyphs.draw(f, "A", 160) for f in fonts], 32, 0.06)[0],
                          render_glyphs.crop(render_glyphs.draw(sans, "A", 160), box, 32))
    # a hand drawn larger than the frame is kept, cut at the edge, and named
    big = render_glyphs.load_font(str(DEJAVU / "DejaVuSerif.ttf"), 0, 110, "DejaVu Serif")
    *_, clipped_big = render_glyphs.render_hand(list("AB"), fonts, offsets, lambda c: big, size=32, canvas=160,
                                                margin=0.06)
    assert clipped == [] and clipped_big == ["A", "B"]


def test_hand_judge_reads_the_hand_and_its_record():
    judge = styles.load_hand_classifier()
    assert judge.classes == styles.HAND_STYLES == styles.FONT_STYLES + ("hand",)
    meta = checkpoint.load_meta(styles.HAND_CLASSIFIER_DIR)
    assert meta["command"].endswith("--fonts --hand --epochs 6") and meta["held_out_hand_accuracy"] > 0.98
    test = data.load_glyph_styles("test", hand=True)
    p = styles.font_probabilities(test.style("hand"), judge)
    assert p.shape == (376, 6) and (p.argmax(1) == 5).mean() > 0.98
    assert (styles.font_probabilities(test.style("kai"), judge).argmax(1) == 5).mean() < 0.02
    # the content reading with the hand in its bank reads the true hand glyphs as their characters
    assert styles.content_any_font(data.to_unit_range(test.style("hand")[:50]), test.chars[:50], hand=True) == 1.0


def test_fine_tune_learns_its_pairs_and_leaves_the_generator_alone():
    g0 = styles.load_pretrained_styles()
    before = nnx.state(g0, nnx.Param)
    train = data.load_glyph_styles("train", n=4, hand=True)
    same, log0 = imitation.fine_tune(g0, train.source[:0], train.style("hand")[:0])
    assert log0["l1"].shape == (0,) and same is not g0
    g, log = imitation.fine_tune(g0, train.source[:2], train.style("hand")[:2], steps=40, batch_size=4, seed=1)
    assert log["l1"].shape == (40,) and log["l1"][-5:].mean() < 0.7 * log["l1"][:5].mean()
    after = nnx.state(g0, nnx.Param)
    assert all(np.array_equal(a, b) for a, b in zip(jax_leaves(before), jax_leaves(after)))
    kai = np.eye(4, dtype=np.float32)[0]
    src = data.to_unit_range(train.source[:2])
    moved = np.abs(styles.draw_in_style(g, src, kai) - styles.draw_in_style(g0, src, kai)).mean()
    assert moved > 0.02
    with pytest.raises(ValueError, match="one of the generator's fonts"):
        imitation.fine_tune(g0, train.source[:1], train.style("hand")[:1], code="hand")
    with pytest.raises(ValueError, match="same characters"):
        imitation.fine_tune(g0, train.source[:2], train.style("hand")[:1])
    with pytest.raises(ValueError, match=r"\(N, 32, 32, 1\)"):
        imitation.fine_tune(g0, train.source[:2, ..., 0], train.style("hand")[:2])


def jax_leaves(state):
    import jax
    return [np.asarray(x) for x in jax.tree_util.tree_leaves(state)]


def test_measure_imitation_and_a_nested_run():
    test = data.load_glyph_styles("test", n=30, hand=True)
    train = data.load_glyph_styles("train", n=40, hand=True)
    g0 = styles.load_pretrained_styles()
    m0 = imitation.measure_imitation(g0, test)
    assert "memorisation" not in m0 and m0["images"].shape == (30, 32, 32, 1)
    assert m0["passes"] < 0.1 and m0["content"] > 0.8 and abs(sum(m0["called"]) - 1) < 1e-3
    rows = imitation.imitation_run(3, (0, 1, 3), steps=5, generator=g0, train=train, test=test)
    assert [r["k"] for r in rows] == [0, 1, 3] and rows[0]["steps"] == 0 and rows[0]["final_l1"] is None
    assert rows[2]["chars"].startswith(rows[1]["chars"]) and len(rows[2]["chars"]) == 3
    assert rows[0]["passes"] == m0["passes"] and "images" not in rows[1]
    assert 0 <= rows[2]["memorisation"]["share_closer"] <= 1 and rows[2]["copy_line"] == pytest.approx(
        0.05 + 2 * np.sqrt(0.05 * 0.95 / 30))
    with pytest.raises(ValueError, match="increasing counts"):
        imitation.imitation_run(0, (2, 1), generator=g0, train=train, test=test)


def test_shipped_table_matches_a_fresh_zero_shot_measurement():
    results, record = precomputed.load("12_hand")
    rows = results["rows"]
    assert [r["seed"] for r in rows] == [0, 1, 2, 3, 4] and record["command"].startswith(
        "python benchmarks/hand_table.py")
    for r in rows:
        assert [x["k"] for x in r["shots"]] == list(imitation.SHOTS)
    fresh = imitation.measure_imitation(styles.load_pretrained_styles(), data.load_glyph_styles("test", hand=True))
    k0 = rows[0]["shots"][0]
    assert abs(fresh["passes"] - k0["passes"]) < 0.01 and abs(fresh["content"] - k0["content"]) < 0.01
    assert results["reference"][0]["shots"][0]["k"] == 3379


def test_jsonl_rows_resume(tmp_path):
    log = tmp_path / "sweep.jsonl"
    assert precomputed.read_rows(log, lambda r: r["seed"]) == {}
    precomputed.append_row(log, {"seed": 1, "name": "一"})
    precomputed.append_row(log, {"seed": 2})
    rows = precomputed.read_rows(log, lambda r: r["seed"])
    assert list(rows) == [1, 2] and rows[1]["name"] == "一"
