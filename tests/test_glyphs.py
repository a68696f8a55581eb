"""The glyph pairs of notebook 11: the shipped file, its loader's checks, and the rendering script (tested on the
DejaVu fonts that matplotlib ships, so no test needs the CJK fonts)."""
import hashlib
import json
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from course_scripts import render_glyphs

from gan_utils import data

DEJAVU = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def test_shipped_file_matches_its_checksum_and_provenance():
    assert hashlib.sha256(data.GLYPHS_FILE.read_bytes()).hexdigest() == data.GLYPHS_SHA256
    assert data.GLYPHS_FILE.stat().st_size < 5e6            # small enough for a clone and for Colab's install
    full = data.load_glyphs("all")
    p = full.provenance
    assert p["source"]["family"] == "Noto Sans CJK SC" and p["target"]["family"] == "LXGW WenKai"
    assert p["source"]["license"] == p["target"]["license"] == "SIL Open Font License 1.1"
    assert len(p["source"]["sha256"]) == 64 and p["command"].startswith("python scripts/render_glyphs.py")
    # every level-1 character of GB2312, in the standard's order, none dropped
    assert full.chars == "".join(render_glyphs.gb2312_level1()) and len(full) == 3755
    assert p["dropped"] == {"blank": [], "missing glyph": []}


def test_splits_are_fixed_disjoint_and_a_tenth():
    train, test, full = data.load_glyphs("train"), data.load_glyphs("test"), data.load_glyphs("all")
    assert len(train) == 3379 and len(test) == 376 and len(train) + len(test) == len(full)
    assert not set(train.chars) & set(test.chars) and len(set(full.chars)) == len(full)
    # the held-out set is the one the script draws (a seeded permutation), not one the loader re-draws
    mask = render_glyphs.held_out_mask(len(full))
    assert test.chars == "".join(c for c, m in zip(full.chars, mask) if m)
    for pairs in (train, test):
        assert pairs.source.shape == pairs.target.shape == (len(pairs), 64, 64, 1)
        assert pairs.source.dtype == pairs.target.dtype == np.uint8
    assert not full.source.flags.writeable          # a cached array a learner cannot change for the next call


def test_pairs_are_aligned_ink_on_paper():
    full = data.load_glyphs("all", size=32)
    s, t = full.source[..., 0] / 255.0, full.target[..., 0] / 255.0
    # ink on paper, as MNIST: the borders are blank and most pixels are paper
    assert s[:, 0].max() == 0 and t[:, :, -1].max() == 0
    assert 0.05 < s.mean() < 0.3 and 0.03 < t.mean() < 0.3
    assert set(np.unique(data.load_glyphs("test").source)) <= set(range(0, 256, 17))   # 16 grey levels
    # the same character's strokes overlap far more than two different characters' (pairs not shuffled), and
    # best where they are: the shift that overlaps them most is within a pixel for most pairs (not offset)
    def overlap(a, b):
        return ((a * b).sum((1, 2)) / np.sqrt((a * a).sum((1, 2)) * (b * b).sum((1, 2)))).mean()

    def best_shift_within_a_pixel(a, b):
        shifts = [(dy, dx) for dy in range(-3, 4) for dx in range(-3, 4)]
        scores = np.stack([(a * np.roll(b, d, (1, 2))).sum((1, 2)) for d in shifts], 1)
        return (np.abs(np.array(shifts)[scores.argmax(1)]).max(1) <= 1).mean()

    other = np.roll(t, 1, axis=0)
    same_overlap, other_overlap = overlap(s, t), overlap(s, other)   # 0.66 and 0.43 for the committed file
    assert same_overlap > 0.55 and same_overlap > other_overlap + 0.15, (same_overlap, other_overlap)
    near, near_other = best_shift_within_a_pixel(s, t), best_shift_within_a_pixel(s, other)   # 0.94 and 0.41
    assert near > 0.85 and near_other < 0.6, (near, near_other)


def test_sizes_are_area_averages_and_n_keeps_the_first():
    big, small = data.load_glyphs("test", n=7), data.load_glyphs("test", size=32, n=7)
    want = np.rint(big.source.reshape(7, 32, 2, 32, 2, 1).astype(np.float32).mean((2, 4))).astype(np.uint8)
    np.testing.assert_array_equal(small.source, want)
    assert small.chars == big.chars == data.load_glyphs("test").chars[:7]
    assert data.load_glyphs("train", size=16, n=3).target.shape == (3, 16, 16, 1)


def test_index_and_select():
    full = data.load_glyphs("all")
    rows = full.index("你好 世界")
    assert "".join(full.chars[i] for i in rows) == "你好世界"
    picked = full.select(rows)
    np.testing.assert_array_equal(picked.target, full.target[rows])
    with pytest.raises(KeyError, match="'A𠀋'.*load_glyphs\\('all'\\)"):
        full.index("你A好𠀋")
    with pytest.raises(TypeError, match="str of characters"):
        full.index(["你"])


def test_bad_arguments_name_the_fix():
    with pytest.raises(ValueError, match="'train', 'test', 'all' or 'validation'"):
        data.load_glyphs("val")
    with pytest.raises(ValueError, match="size must be one of"):
        data.load_glyphs(size=28)
    with pytest.raises(ValueError, match="n must be in 1..376"):
        data.load_glyphs("test", n=377)


def test_missing_damaged_or_foreign_files_name_the_fix(tmp_path):
    with pytest.raises(data.GlyphDataError, match="does not exist.*render_glyphs.py"):
        data.load_glyphs(path=tmp_path / "nope.npz")
    lfs = tmp_path / "lfs.npz"
    lfs.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 3\n")
    with pytest.raises(data.GlyphDataError, match="Git LFS pointer"):
        data.load_glyphs(path=lfs)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(data.GlyphDataError, match="not a glyph-pair file"):
        data.load_glyphs(path=junk)
    wrong = tmp_path / "wrong.npz"
    z = np.zeros((2, 8, 8, 1), np.float32)
    np.savez(wrong, source=z, target=z, chars=np.array(["a", "b"]), held_out=np.zeros(2, bool),
             provenance=np.array("{}"))
    with pytest.raises(data.GlyphDataError, match="wrong shape or dtype"):
        data.load_glyphs(path=wrong)


def test_the_shipped_file_damaged_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "hei2kai.npz"
    raw = bytearray(data.GLYPHS_FILE.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    copy.write_bytes(bytes(raw))
    monkeypatch.setattr(data, "GLYPHS_FILE", copy)
    data._read_glyphs.cache_clear()
    try:
        with pytest.raises(data.GlyphDataError, match="does not match its SHA-256"):
            data.load_glyphs("test")
    finally:
        data._read_glyphs.cache_clear()


def test_rendering_aligns_pairs_and_drops_missing_and_blank(tmp_path):
    sans = render_glyphs.load_font(str(DEJAVU / "DejaVuSans.ttf"), 0, 64, "DejaVu Sans")
    serif = render_glyphs.load_font(str(DEJAVU / "DejaVuSerif-Italic.ttf"), 0, 64, "DejaVu Serif")
    src, tgt, kept, dropped, offset = render_glyphs.render_pairs(list("aB 啊g"), sans, serif, size=32, canvas=160,
                                                                 margin=0.06)
    assert len(offset) == 2 and all(abs(v) < 20 for v in offset)
    assert kept == ["a", "B", "g"] and dropped == {"blank": [" "], "missing glyph": ["啊"]}
    assert src.shape == tgt.shape == (3, 32, 32) and src.dtype == np.uint8
    for a, b in zip(src, tgt):
        # the union of the two ink boxes fills the square up to the margin on its longer side, in both images
        rows = np.flatnonzero((a > 0).any(1) | (b > 0).any(1))
        cols = np.flatnonzero((a > 0).any(0) | (b > 0).any(0))
        assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 >= 32 * (1 - 2 * 0.06) - 2
        assert a.max() == 255 and b.max() == 255 and set(np.unique(a)) <= set(range(0, 256, 17))
    # one font against itself gives identical pairs: the shared crop adds no offset of its own
    same_src, same_tgt, _, _, no_offset = render_glyphs.render_pairs(list("aBg"), sans, sans, size=32, canvas=160,
                                                                     margin=0.06)
    np.testing.assert_array_equal(same_src, same_tgt)
    assert no_offset == [0.0, 0.0]


def test_held_out_mask_is_seeded():
    a, b = render_glyphs.held_out_mask(100), render_glyphs.held_out_mask(100)
    np.testing.assert_array_equal(a, b)
    assert a.sum() == 10 and not np.array_equal(a, render_glyphs.held_out_mask(100, seed=12))


def test_script_refuses_a_bad_size():
    with pytest.raises(SystemExit):
        render_glyphs.main(["--size", "4"])
    info = json.loads(str(np.load(data.GLYPHS_FILE)["provenance"]))
    assert info["size"] == 64 and info["held_out"].startswith("376 characters")


def test_fontconfig_faces_are_told_apart_by_their_own_style(monkeypatch):
    """fc-list answers "LXGW WenKai:style=Regular" with the Light file too (its style names are "Light,Regular"), and
    sorted by file name Light comes first: the committed files were drawn from it while their record said Regular."""
    listing = ("/f/lxgw-wenkai/LXGWWenKai-Light.ttf: LXGW WenKai,霞鹜文楷,LXGW WenKai Light:"
               "style=Light,Regular:index=0\n"
               "/f/lxgw-wenkai/LXGWWenKai-Regular.ttf: LXGW WenKai,霞鹜文楷:style=Regular:index=0\n"
               "/f/noto/NotoSansCJK-Bold.ttc: Noto Sans CJK JP,Noto Sans CJK JP Bold:style=Bold,Regular:index=0\n"
               "/f/noto/NotoSansCJK-Bold.ttc: Noto Sans CJK SC,Noto Sans CJK SC Bold:style=Bold,Regular:index=2\n")

    class Done:
        stdout = listing
    monkeypatch.setattr(render_glyphs.subprocess, "run", lambda *a, **k: Done)
    assert render_glyphs.find_font("LXGW WenKai", "Regular") == ("/f/lxgw-wenkai/LXGWWenKai-Regular.ttf", 0)
    assert render_glyphs.find_font("LXGW WenKai", "Light") == ("/f/lxgw-wenkai/LXGWWenKai-Light.ttf", 0)
    assert render_glyphs.find_font("Noto Sans CJK SC", "Bold") == ("/f/noto/NotoSansCJK-Bold.ttc", 2)
    with pytest.raises(SystemExit, match="not installed"):
        render_glyphs.find_font("Smiley Sans", "Oblique")


def test_the_record_names_the_face_rendered_and_the_notices_ship_beside_the_glyphs():
    for path in (data.GLYPHS_FILE, data.STYLES_FILE, data.HAND_FILE):
        with np.load(path) as z:
            record = json.loads(str(z["provenance"]))
        for font in (v for v in record.values() if isinstance(v, dict) and "file" in v):
            stem = Path(font["file"]).stem
            declared = {"LXGWWenKai-Light": "Light", "SmileySans-Oblique": "Oblique", "NotoSansCJK-Bold": "Bold"}
            assert font["face"] == declared.get(stem, "Regular"), (path.name, font)
    folder = data.GLYPHS_FILE.parent
    notices = (folder / "FONTS.md").read_text(encoding="utf-8")
    for family in ("Noto Sans CJK SC", "Noto Serif CJK SC", "LXGW WenKai", "Smiley Sans", "Ma Shan Zheng"):
        assert family in notices and family in (Path(__file__).resolve().parents[1] / "LICENSE-CONTENT.md").read_text()
    assert "SIL OPEN FONT LICENSE Version 1.1" in (folder / "OFL.txt").read_text()
