"""Notebook 12's style space: the glyph-styles file and its rendering, the style code through the U-Net and the
PatchGAN, the conditioned training step, the font judge, the content reading in any font, paths between fonts, the
shipped generator against its record, and the control's figure."""
import hashlib
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from course_scripts import render_glyphs
from flax import nnx

from gan_utils import checkpoint, data, models, styles, widgets

DEJAVU = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def test_shipped_styles_file_checksum_splits_and_provenance():
    assert hashlib.sha256(data.STYLES_FILE.read_bytes()).hexdigest() == data.STYLES_SHA256
    full, test = data.load_glyph_styles("all"), data.load_glyph_styles("test")
    assert full.styles == ("kai", "song", "heibold", "smiley") == styles.FONT_STYLES[1:]
    assert full.source.shape == (3755, 32, 32, 1) and full.targets.shape == (3755, 4, 32, 32, 1)
    assert full.chars == "".join(render_glyphs.gb2312_level1())
    # the held-out characters are notebook 11's, so both notebooks test on the same 376
    assert test.chars == data.load_glyphs("test").chars and len(data.load_glyph_styles("train")) == 3379
    p = full.provenance
    assert [p[f"target {i}"]["style"] for i in range(4)] == list(full.styles) and p["source"]["style"] == "hei"
    assert all(p[r]["license"] == "SIL Open Font License 1.1" for r in ("source", "target 0", "target 3"))
    assert p["command"].startswith("python scripts/render_glyphs.py --styles")
    # ink on paper, 16 levels, and the fonts differ: the same character is not the same picture in two fonts
    assert set(np.unique(full.targets[:50])) <= set(range(0, 256, 17)) and full.targets.max() == 255
    assert np.abs(full.style("kai")[:50].astype(int) - full.style("song")[:50]).mean() > 20


def test_style_loader_arguments_and_damaged_files(tmp_path):
    g = data.load_glyph_styles("test", n=5)
    assert len(g) == 5 and g.select([1, 3]).chars == g.chars[1] + g.chars[3]
    assert np.array_equal(g.style("hei"), g.source) and np.array_equal(g.style("song"), g.targets[:, 1])
    with pytest.raises(KeyError, match="no style 'fangsong'.*'hei'"):
        g.style("fangsong")
    with pytest.raises(ValueError, match="split must be"):
        data.load_glyph_styles("val")
    with pytest.raises(ValueError, match="n must be in 1..376"):
        data.load_glyph_styles("test", n=0)
    with pytest.raises(data.GlyphDataError, match="does not exist.*--styles"):
        data.load_glyph_styles(path=tmp_path / "nope.npz")
    pairs_file = tmp_path / "pairs.npz"
    pairs_file.write_bytes(data.GLYPHS_FILE.read_bytes())
    with pytest.raises(data.GlyphDataError, match="not a glyph-styles file"):
        data.load_glyph_styles(path=pairs_file)


def test_rendering_several_fonts_crops_each_character_together():
    sans = render_glyphs.load_font(str(DEJAVU / "DejaVuSans.ttf"), 0, 64, "DejaVu Sans")
    serif = render_glyphs.load_font(str(DEJAVU / "DejaVuSerif-Italic.ttf"), 0, 64, "DejaVu Serif")
    bold = render_glyphs.load_font(str(DEJAVU / "DejaVuSans-Bold.ttf"), 0, 64, "DejaVu Sans")
    images, kept, dropped, offsets = render_glyphs.render_styles(list("aB 啊g"), [sans, serif, bold], size=32,
                                                                 canvas=160, margin=0.06)
    assert kept == ["a", "B", "g"] and dropped == {"blank": [" "], "missing glyph": ["啊"]}
    assert images.shape == (3, 3, 32, 32) and images.dtype == np.uint8 and offsets[0] == [0.0, 0.0]
    for row in images:   # the union of all three ink boxes fills the square up to the margin
        ink = (row > 0).any(0)
        rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
        assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 >= 32 * (1 - 2 * 0.06) - 2
    # two fonts: the same crop as notebook 11's pairs
    a, b = render_glyphs.align_many([render_glyphs.draw(f, "g", 160) for f in (sans, serif)], 32, 0.06)
    pa, pb = render_glyphs.align_pair(render_glyphs.draw(sans, "g", 160), render_glyphs.draw(serif, "g", 160), 32, 0.06)
    assert np.array_equal(a, pa) and np.array_equal(b, pb)
    with pytest.raises(SystemExit):
        render_glyphs.main(["--styles", "hei"])    # the source is not a target


def test_style_condition_and_codes():
    x = data.to_unit_range(data.load_glyph_styles("test", n=3).source)
    c = styles.style_condition(x, [0.25, 0.75, 0, 0])
    assert c.shape == (3, 32, 32, 5) and np.array_equal(c[..., 0], x[..., 0])
    assert np.allclose(c[..., 1:], [0.25, 0.75, 0, 0])
    per = styles.style_condition(x, np.eye(4, dtype=np.float32)[:3])
    assert np.allclose(per[1, 5, 7, 1:], [0, 1, 0, 0])
    with pytest.raises(TypeError, match="to_unit_range"):
        styles.style_condition(data.load_glyph_styles("test", n=3).source, [1, 0, 0, 0])
    with pytest.raises(ValueError, match="one weight per target font"):
        styles.style_condition(x, np.ones((2, 4)))
    with pytest.raises(ValueError, match="NaN"):
        styles.style_condition(x, [np.nan, 0, 0, 1])
    path = styles.path_codes("kai", "smiley", 5)
    assert path.shape == (5, 4) and np.allclose(path.sum(1), 1)
    assert np.array_equal(path[0], [1, 0, 0, 0]) and np.array_equal(path[-1], [0, 0, 0, 1])
    assert np.allclose(path[2], [0.5, 0, 0, 0.5])
    with pytest.raises(ValueError, match="unknown target style 'hei'"):
        styles.path_codes("hei", "kai")
    with pytest.raises(ValueError, match="points must be"):
        styles.path_codes("kai", "song", 1)
    targets, conds = styles.style_examples(data.load_glyph_styles("test", n=2))
    assert targets.shape == (8, 32, 32, 1) and conds.shape == (8, 32, 32, 5)
    assert np.allclose(conds[5, 0, 0, 1:], [0, 1, 0, 0])   # character 1 in font 1
    assert np.array_equal(targets[5], data.to_unit_range(data.load_glyph_styles("test", n=2).targets[1, 1]))


def test_the_code_reaches_the_output_and_bad_conditions_are_refused():
    g = models.UNetGenerator(32, 8, n_styles=4, style_dim=4, rngs=nnx.Rngs(0))
    x = data.to_unit_range(data.load_glyph_styles("test", n=2).source)
    z = np.zeros((2, 0), np.float32)
    one, other = (np.asarray(g(z, styles.style_condition(x, code))) for code in ([1, 0, 0, 0], [0, 0, 0, 1]))
    assert one.shape == (2, 32, 32, 1) and np.abs(one - other).mean() > 1e-3
    with pytest.raises(ValueError, match="1 \\+ 4|source glyph \\+ 4 style planes"):
        g(z, x)
    with pytest.raises(ValueError, match="n_styles must be"):
        models.UNetGenerator(32, 8, n_styles=-1, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match="paired=False"):
        models.PatchDiscriminator(32, 8, paired=False, n_styles=4, rngs=nnx.Rngs(0))
    d = models.PatchDiscriminator(32, 8, n_styles=4, rngs=nnx.Rngs(0))
    assert d(one, styles.style_condition(x, [1, 0, 0, 0])).shape == (2, 8, 8)
    with pytest.raises(ValueError, match="its source"):
        d(one, x)
    with pytest.raises(TypeError, match="style-conditioned"):
        styles.draw_in_style(models.UNetGenerator(32, 8, rngs=nnx.Rngs(0)), x, [1, 0, 0, 0])
    with pytest.raises(ValueError, match="knows 4 styles"):
        styles.draw_in_style(g, x, [1, 0, 0])


def test_training_moves_the_style_table_and_reports_l1():
    glyphs = data.load_glyph_styles("train", n=16)
    gan, result = styles.train_style_translator(steps=3, batch_size=8, glyphs=glyphs, base=8, d_base=8, style_dim=4)
    before = styles.build_style_translator(4, base=8, d_base=8, style_dim=4).generator.style_table[...]
    assert not np.allclose(np.asarray(gan.generator.style_table[...]), np.asarray(before))
    assert len(result.history["l1"]) == 3 and np.isfinite(result.history["l1"]).all()


def test_font_judge_reads_every_held_out_font_and_the_content_reading_names_characters():
    test = data.load_glyph_styles("test", n=120)
    meta = checkpoint.load_meta(styles.FONT_CLASSIFIER_DIR)
    assert meta["classes"] == list(styles.FONT_STYLES)
    for k, name in enumerate(styles.FONT_STYLES):
        p = styles.font_probabilities(test.style(name))
        assert p.shape == (120, 5) and np.allclose(p.sum(1), 1, atol=1e-4)
        assert (p.argmax(1) == k).mean() >= 0.97, name
        x = data.to_unit_range(test.style(name))
        assert styles.content_any_font(x, test.chars) == 1.0
    # read against the wrong characters, almost none match: the reading can fail
    wrong = test.chars[1:] + test.chars[0]
    assert styles.content_any_font(data.to_unit_range(test.style("smiley")), wrong) < 0.05
    with pytest.raises(ValueError, match="one character per glyph"):
        styles.content_any_font(data.to_unit_range(test.source), test.chars[:3])


def test_shipped_generator_reproduces_its_record():
    g = styles.load_pretrained_styles()
    meta = checkpoint.load_meta(styles.PRETRAINED_STYLES_DIR)
    assert meta["styles"] == list(data.load_glyph_styles("test").styles) and g.n_styles == 4
    test = data.load_glyph_styles("test")
    x = data.to_unit_range(test.source)
    for k, name in enumerate(test.styles):
        out = styles.draw_in_style(g, x, np.eye(4, dtype=np.float32)[k])
        judged = (styles.font_probabilities(out).argmax(1) == k + 1).mean()
        record = meta["held_out_fonts"][name]
        assert abs(judged - record["judge_calls_it"]) <= 0.01, name
        assert abs(styles.content_any_font(out, test.chars) - record["content"]) <= 0.01, name


def test_style_path_measures_and_the_control_figure():
    g = styles.load_pretrained_styles()
    test = data.load_glyph_styles("test", n=40)
    r = styles.style_path(g, test, "kai", "song", points=3)
    assert r["probs"].shape == (3, 5) and r["images"].shape == (3, 40, 32, 32, 1)
    assert np.allclose(r["called"].sum(1), 1) and np.allclose(r["nearest_font"].sum(1), 1)
    # the ends are the fonts: nearer their own true glyphs than the other end's
    assert r["to_a"][0] < r["to_b"][0] and r["to_b"][-1] < r["to_a"][-1]
    # the control: a pixel blend's ends are the true glyphs, and its middle is the average of the two
    blend = styles.pixel_path(test, "kai", "heibold", points=3)
    kai, heibold = (data.to_unit_range(test.style(s)) for s in ("kai", "heibold"))
    assert blend["to_a"][0] == 0 and blend["to_b"][-1] == 0 and blend["nearest"][0] == 0
    assert np.allclose(blend["images"][1], (kai + heibold) / 2)
    assert blend["to_font"].shape == (3, 5) and np.allclose(blend["to_font"][:, 1], blend["to_a"])
    assert np.allclose(blend["to_a"], [np.abs(img - kai).mean() for img in blend["images"]])   # L1 by hand
    fig = widgets.draw_style_path(g, "生成 对抗x", "kai", "smiley", t=0.3)
    texts = " ".join(t.get_text() for ax in fig.axes for t in [ax.title])
    assert "t = 0.30" in texts and "from kai (t = 0) to smiley (t = 1)" in texts
    assert any("x" in t.get_text() for t in fig.texts)   # the character not in the data is named
    with pytest.raises(ValueError, match="t must be a number in"):
        widgets.draw_style_path(g, "生", t=1.5)
    with pytest.raises(ValueError, match="unknown target style"):
        widgets.style_explorer(g, a="fangsong")
    box = widgets.style_explorer(g, "生成", "song", "heibold", t=0.5)
    assert box.snapshot_png()[:8] == b"\x89PNG\r\n\x1a\n"
