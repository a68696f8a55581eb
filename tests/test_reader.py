"""The legibility judge (gan_utils.reader), KID (metrics.kid_from_features) and the validation pairs (issue #67)."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from gan_utils import data, metrics, reader, translation


def test_validation_pairs_are_characters_no_other_file_holds():
    assert hashlib.sha256(data.VALIDATION_FILE.read_bytes()).hexdigest() == data.VALIDATION_SHA256
    val = data.load_glyphs("validation", size=32)
    assert len(val) == 376 and len(set(val.chars)) == 376
    assert not set(val.chars) & set(data.load_glyphs("all", size=16).chars)
    assert not set(val.chars) & set(data.load_glyph_styles("all", hand=True).chars)
    assert val.source.shape == (376, 32, 32, 1) and data.load_glyphs("validation", size=64).source.shape[1] == 64
    with pytest.raises(ValueError, match="leave path out"):
        data.load_glyphs("validation", path=data.GLYPHS_FILE)


def test_content_reading_knows_the_validation_characters():
    val = data.load_glyphs("validation", size=32)
    true = data.to_unit_range(val.target)
    assert translation.content_accuracy(true, val.chars) > 0.95          # each true glyph is its own template
    assert translation.content_accuracy(true, val.chars[1:] + val.chars[0]) < 0.05


def test_the_reader_reads_fonts_it_never_saw_and_refuses_what_it_does_not_know():
    record = reader.reader_record()
    fonts = set(record["fonts"])
    for course_font in ("Noto Sans CJK SC", "LXGW WenKai", "Noto Serif CJK SC", "Smiley Sans", "Ma Shan Zheng"):
        assert course_font not in fonts                                    # every course font is unseen by it
    test = data.load_glyphs("test", size=32)
    hei = reader.legibility(test.source, test.chars)
    recorded = record["unseen_font_accuracy"]["Noto Sans CJK SC (hei, notebook 11's source)"]
    assert hei > 0.9 and abs(hei - recorded) < 0.05
    # the check can fail: the same glyphs with their characters shifted by one are read as their own, not these
    assert reader.legibility(test.source, test.chars[1:] + test.chars[0]) < 0.02
    noise = np.random.default_rng(0).uniform(-1, 1, (64, 32, 32, 1)).astype(np.float32)
    assert reader.legibility(noise, test.chars[:64]) < 0.05
    assert len(reader.read_chars(test.target[:10])) == 10
    with pytest.raises(ValueError, match="does not know"):
        reader.legibility(test.source[:2], "AB")


def test_translation_scores_report_legibility_and_kid():
    test = data.load_glyphs("test", size=32, n=200)
    src, tgt = data.to_unit_range(test.source), data.to_unit_range(test.target)
    copy = translation.translation_scores(src, tgt, test.chars)
    true = translation.translation_scores(tgt, tgt, test.chars)
    # a printed copy is legible to the reader though it misses the brush font's templates
    assert copy["legibility"] > copy["content"] + 0.1 and true["legibility"] > 0.9
    assert true["kid"] < copy["kid"] - 5 * copy["kid_std"]                # the true glyphs are far nearer themselves


def test_kid_is_unbiased_at_small_n_where_fid_is_not():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2000, 16)), rng.normal(size=(2000, 16))
    small = [metrics.kid_from_features(a[:60], b[:60], seed=s)[0] for s in range(5)]
    large = metrics.kid_from_features(a, b)[0]
    fid_small, fid_large = metrics.fid_from_features(a[:60], b[:60]), metrics.fid_from_features(a, b)
    assert abs(np.mean(small)) < 0.05 and abs(large) < 0.01     # same distribution: about 0 at either size
    assert fid_small > 3 * fid_large                            # FID's bias grows as N falls
    shifted, spread = metrics.kid_from_features(a, b + 0.5)
    assert shifted > 10 * spread                                # a real difference stands out of its spread


def test_kid_matches_its_definition_on_a_hand_computed_case():
    x, y = np.array([[0.0, 1], [1, 0], [1, 1]]), np.array([[2.0, 0], [0, 2], [1, 2]])
    k = lambda a, b: (a @ b / 2 + 1) ** 3  # noqa: E731
    within = lambda s: np.mean([k(s[i], s[j]) for i in range(3) for j in range(3) if i != j])  # noqa: E731
    expected = within(x) + within(y) - 2 * np.mean([k(p, q) for p in x for q in y])
    got, spread = metrics.kid_from_features(x, y, subsets=3, subset_size=3)
    assert got == pytest.approx(expected) and spread == pytest.approx(0)


def test_the_training_script_augments_within_range_and_names_a_missing_font_package(tmp_path):
    import jax
    from course_scripts import load
    train_reader = load("train_reader")
    x = np.zeros((4, 64, 64, 1), np.float32)
    x[:, 20:44, 30:34] = 1.0                                   # one vertical stroke
    out = np.asarray(train_reader.augment(jax.random.key(0), x))
    assert out.shape == (4, 32, 32, 1) and out.min() >= -1 and out.max() <= 1
    assert out.reshape(4, -1).max(1).min() > 0                    # some ink of the stroke survives in every image
    with pytest.raises(SystemExit, match="npm pack"):
        train_reader.fontsource(tmp_path / "zcool-xiaowei" / "package", "ZCOOL XiaoWei", 96)
