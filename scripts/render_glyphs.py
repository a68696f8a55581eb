"""Renders the glyph pairs of notebook 11: the same character in a plain font (the source) and a brush font (the
target), aligned pixel for pixel, written as one compressed ``.npz`` with its provenance.

    python scripts/render_glyphs.py                       # the committed file: gan_utils/assets/glyphs/hei2kai.npz
    python scripts/render_glyphs.py --size 32 --limit 200 --out /tmp/small.npz    # a quick look
    python scripts/render_glyphs.py --styles          # notebook 12's five fonts: gan_utils/assets/glyphs/styles32.npz
    npm pack @fontsource/ma-shan-zheng@5.3.1 && tar xzf fontsource-ma-shan-zheng-5.3.1.tgz
    python scripts/render_glyphs.py --hand package    # notebook 12's new hand, in the frame of styles32.npz

The fonts are Debian's packages (``apt-get install fonts-noto-cjk fonts-lxgw-wenkai``), found with ``fc-list``:
  * source: Noto Sans CJK SC Regular ("Hei", a sans-serif), SIL Open Font License 1.1;
  * target: LXGW WenKai Light ("Kai", a brush-style regular script), SIL Open Font License 1.1 (until 2026-11-27
    this script asked for "Regular" and fontconfig's first match was the Light file; the committed files were drawn
    from Light, as their SHA-256 shows, and their records now say so).
The rendered glyphs are committed, with the fonts' copyright notices and the OFL beside them
(gan_utils/assets/glyphs/FONTS.md, OFL.txt), so nobody needs the fonts to run the course. Whether a full set of a
font's rendered glyphs counts as a "Modified Version" of the font (the OFL's definition includes "changing formats")
is an open question: LICENSE-CONTENT.md says how the course treats it.

The characters are the 3,755 of GB2312's level 1 (the common hanzi, rows 16-55), listed by Python's own ``gb2312``
codec, in the standard's order. How a pair is drawn:
  1. each font draws the character, large (``--render`` px), at the canvas's centre; the target font is moved by
     one offset for the whole font, the median over all characters of how far its ink box's centre sits from the
     source's (LXGW WenKai draws 8% of the em higher than Noto Sans CJK: a convention of the font's metrics, not
     of the hand), so the two fonts share a centre before any character is cropped;
  2. a glyph the font lacks (it draws the same picture as a code point no font has: the .notdef box) or a blank
     render drops the character;
  3. both renders are cropped to the union of their two ink boxes, made square about its centre, padded by
     ``--margin`` of the side, and resized to ``--size`` together: one shared scale and offset, so where the two
     fonts put a stroke in the same place it lands on the same pixel;
  4. ink is stored as uint8, 255 = full ink on 0 = paper, as MNIST stores its digits, in 16 grey levels (multiples
     of 17): the edges keep their antialiasing, and the file compresses to about 3 MB instead of 6.
A fixed tenth of the characters (a seeded permutation, stored in the file as ``held_out``) is never trained on.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import platform
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "gan_utils" / "assets" / "glyphs" / "hei2kai.npz"
# style name -> (fontconfig family, style, Debian package); the first two are the committed pair.
FONTS = {
    "hei": ("Noto Sans CJK SC", "Regular", "fonts-noto-cjk"),
    "kai": ("LXGW WenKai", "Light", "fonts-lxgw-wenkai"),     # the face the committed files were drawn from
    "song": ("Noto Serif CJK SC", "Regular", "fonts-noto-cjk"),
    "heibold": ("Noto Sans CJK SC", "Bold", "fonts-noto-cjk"),
    "smiley": ("Smiley Sans", "Oblique", "fonts-smiley-sans"),
}
# The styles file of notebook 12 (--styles): the source, then the target fonts the style-conditioned generator learns.
STYLE_TARGETS = ("kai", "song", "heibold", "smiley")
DEFAULT_STYLES_OUT = REPO / "gan_utils" / "assets" / "glyphs" / "styles32.npz"
MISSING = "\U0010fffd"   # a private-use code point no font maps: what it draws is the font's .notdef box
HELD_OUT_SEED, HELD_OUT_SHARE = 11, 0.10
LEVEL = 17   # the step between stored grey levels: 0, 17, ..., 255 (16 levels)


def _gb2312_rows(first: int, last: int) -> list[str]:
    """The hanzi of GB2312's rows first..last (94 cells a row; unassigned cells skipped), in the standard's order."""
    chars = []
    for row in range(first, last + 1):
        for cell in range(1, 95):
            try:
                chars.append(bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312"))
            except UnicodeDecodeError:   # e.g. row 55's last five cells are unassigned
                pass
    return chars


def gb2312_level1() -> list[str]:
    """The 3,755 level-1 hanzi of GB2312 (rows 16-55, 94 cells a row, row 55 stops at 89), in the standard's order."""
    return _gb2312_rows(16, 55)


# A validation split for notebook 11's pairs: characters that no file above holds, so no model trains on them and no
# notebook reports them. They come from GB2312's level 2 (rows 56-87, the less common hanzi), a seeded draw.
VALIDATION_SEED, VALIDATION_SIZE = 12, 376
VALIDATION_SKIP = "牿筢耠"   # drawn by none of the character reader's five fonts (scripts/train_reader.py): skipped
DEFAULT_VALIDATION_OUT = REPO / "gan_utils" / "assets" / "glyphs" / "hei2kai_validation.npz"


def gb2312_level2() -> list[str]:
    """The 3,008 level-2 hanzi of GB2312 (rows 56-87), in the standard's order."""
    return _gb2312_rows(56, 87)


def validation_chars(n: int = VALIDATION_SIZE, seed: int = VALIDATION_SEED) -> list[str]:
    """The first ``n`` of a seeded permutation of GB2312's level 2, leaving out ``VALIDATION_SKIP`` (the rendered
    file keeps those both fonts draw)."""
    level2 = gb2312_level2()
    drawn = [level2[i] for i in np.random.default_rng(seed).permutation(len(level2))]
    return [c for c in drawn if c not in VALIDATION_SKIP][:n]


def find_font(family: str, style: str) -> tuple[str, int]:
    """(file, face index) of an installed font, by fontconfig; a .ttc holds several faces, picked by family name.
    fontconfig lists every face that has ``style`` among its style names (LXGW WenKai's Light file also answers to
    "Regular"), so the face whose own style is ``style`` (the first it lists) wins; then the first file by name."""
    try:
        out = subprocess.run(["fc-list", f"{family}:style={style}", "file", "index", "family", "style"], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise SystemExit(f"fc-list failed ({e}); install fontconfig and the fonts: apt-get install fontconfig "
                         "fonts-noto-cjk fonts-lxgw-wenkai") from None
    found = []
    for line in sorted(out.splitlines()):
        path, _, rest = line.partition(": ")
        fields = dict(f.split("=", 1) for f in rest.split(":")[1:] if "=" in f)
        families, styles = rest.split(":")[0].split(","), fields.get("style", "").split(",")
        if family in families:
            found.append((styles[0] != style, path, int(fields.get("index", 0))))
    if found:
        _, path, index = min(found)
        return path, index
    raise SystemExit(f"the font {family!r} ({style}) is not installed: apt-get install "
                     f"{' '.join(sorted({p for f, s, p in FONTS.values()}))}")


def load_font(path: str, index: int, px: int, family: str | None = None) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(path, px, index=index)
    if family is not None and font.getname()[0] != family:
        raise SystemExit(f"face {index} of {path} is {font.getname()[0]!r}, not {family!r}")
    return font


def draw(font: ImageFont.FreeTypeFont, char: str, canvas: int, offset: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Ink in [0, 1] of one character drawn at the canvas's centre moved by ``offset`` (rows, columns) (anchor 'mm':
    the middle of its advance and of its ascender-descender span)."""
    image = Image.new("L", (canvas, canvas), 0)
    ImageDraw.Draw(image).text((canvas / 2 + offset[1], canvas / 2 + offset[0]), char, fill=255, font=font,
                               anchor="mm")
    return np.asarray(image, np.float32) / 255.0


def ink_box(ink: np.ndarray, threshold: float = 0.05) -> tuple[int, int, int, int] | None:
    rows, cols = np.flatnonzero(ink.max(1) > threshold), np.flatnonzero(ink.max(0) > threshold)
    if len(rows) == 0:
        return None
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def align_pair(a: np.ndarray, b: np.ndarray, size: int, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """Crops two renders to the union of their ink boxes (square, centred, with a margin) and resizes both to
    (size, size) with the same scale: returns two uint8 images, 255 = ink."""
    x, y = align_many([a, b], size, margin)
    return x, y


def align_many(renders: list[np.ndarray], size: int, margin: float) -> list[np.ndarray]:
    """``align_pair`` for any number of renders of one character: one crop, the union of all their ink boxes."""
    box = crop_box(renders, margin)
    return [crop(ink, box, size) for ink in renders]


def crop_box(renders: list[np.ndarray], margin: float) -> tuple[float, float, float, float]:
    """The square crop (left, top, right, bottom) about the union of the renders' ink boxes, padded by ``margin``."""
    boxes = [ink_box(a) for a in renders]
    top, bottom = min(x[0] for x in boxes), max(x[1] for x in boxes)
    left, right = min(x[2] for x in boxes), max(x[3] for x in boxes)
    side = max(bottom - top, right - left) * (1 + 2 * margin)
    cy, cx = (top + bottom) / 2, (left + right) / 2
    return (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)


def crop(ink: np.ndarray, box: tuple[float, float, float, float], size: int) -> np.ndarray:
    """One render cut to ``box`` and resized to (size, size): uint8 in 16 grey levels, 255 = ink."""
    image = Image.fromarray(np.rint(ink * 255).astype(np.uint8))
    # Box filtering over the crop (Pillow's resize with a box is an area average here: antialiased, no ringing)
    small = np.asarray(image.resize((size, size), Image.Resampling.BOX, box=box), np.float32)
    return (np.rint(small / LEVEL) * LEVEL).astype(np.uint8)


def _centre(box) -> np.ndarray:
    return np.array([(box[0] + box[1]) / 2, (box[2] + box[3]) / 2])


def render_pairs(chars: list[str], source: ImageFont.FreeTypeFont, target: ImageFont.FreeTypeFont, *, size: int,
                 canvas: int, margin: float) -> tuple[np.ndarray, np.ndarray, list[str], dict[str, list[str]],
                                                      list[float]]:
    """Renders and aligns every character both fonts have; returns (source, target, kept chars, dropped by reason,
    the target font's offset in pixels of the render, rows and columns)."""
    notdef = [draw(f, MISSING, canvas) for f in (source, target)]
    kept, dropped, shifts = [], {"blank": [], "missing glyph": []}, []
    for c in chars:   # first pass: which characters both fonts draw, and where each font puts them
        a, b = draw(source, c, canvas), draw(target, c, canvas)
        if ink_box(a) is None or ink_box(b) is None:
            dropped["blank"].append(c)
        elif any(np.array_equal(x, n) for x, n in zip((a, b), notdef)):
            dropped["missing glyph"].append(c)
        else:
            kept.append(c)
            shifts.append(_centre(ink_box(a)) - _centre(ink_box(b)))
    offset = np.median(shifts, axis=0) if shifts else np.zeros(2)
    src, tgt = [], []
    for c in kept:        # second pass: the target font moved by the one offset, then each pair cropped together
        x, y = align_pair(draw(source, c, canvas), draw(target, c, canvas, tuple(offset)), size, margin)
        src.append(x)
        tgt.append(y)
    return np.stack(src), np.stack(tgt), kept, dropped, [float(v) for v in offset]


def render_styles(chars: list[str], fonts: list[ImageFont.FreeTypeFont], *, size: int, canvas: int,
                  margin: float) -> tuple[np.ndarray, list[str], dict[str, list[str]], list[list[float]]]:
    """``render_pairs`` for one source and several target fonts (``fonts[0]`` the source): keeps the characters every
    font draws, moves each target font by its own median offset to the source, and crops each character's renders in
    all fonts together (``align_many``). Returns (images (N, F, size, size) uint8, kept chars, dropped by reason, the
    offset of every font)."""
    notdef = [draw(f, MISSING, canvas) for f in fonts]
    kept, dropped, shifts = [], {"blank": [], "missing glyph": []}, []
    for c in chars:
        renders = [draw(f, c, canvas) for f in fonts]
        if any(ink_box(r) is None for r in renders):
            dropped["blank"].append(c)
        elif any(np.array_equal(r, n) for r, n in zip(renders, notdef)):
            dropped["missing glyph"].append(c)
        else:
            kept.append(c)
            shifts.append([_centre(ink_box(renders[0])) - _centre(ink_box(r)) for r in renders])
    offsets = np.median(np.array(shifts), axis=0) if shifts else np.zeros((len(fonts), 2))
    images = [align_many([draw(f, c, canvas, tuple(o)) for f, o in zip(fonts, offsets)], size, margin) for c in kept]
    return np.array(images), kept, dropped, [[float(v) for v in o] for o in offsets]


# Notebook 12's new hand: Ma Shan Zheng, a brush handwriting font by Ma ShanZheng (Google Fonts' METADATA.pb: category
# HANDWRITING; SIL OFL 1.1), a font the style generator never saw. Debian does not package it; npm does, as
# Fontsource's web-font package, split into subsets.
HAND = {"family": "Ma Shan Zheng", "designer": "Ma ShanZheng", "npm": "@fontsource/ma-shan-zheng", "version": "5.3.1",
        "license": "SIL Open Font License 1.1",
        "copyright": "Copyright 2018 The MaShanZheng Project Authors (https://github.com/googlefonts/mashanzheng)"}
DEFAULT_HAND_OUT = REPO / "gan_utils" / "assets" / "glyphs" / "hand32.npz"


def hand_fonts(package: Path, px: int):
    """A function char -> the Ma Shan Zheng font file that holds it, loaded at ``px`` (None if no subset lists it),
    read from the unicode ranges of the npm package's ``400.css``; and the package's version."""
    css_path, meta = package / "400.css", package / "package.json"
    if not css_path.exists() or not meta.exists():
        raise SystemExit(f"{package} is not the unpacked npm package {HAND['npm']}: fetch it with `npm pack "
                         f"{HAND['npm']}@{HAND['version']} && tar xzf fontsource-ma-shan-zheng-{HAND['version']}.tgz` "
                         "and pass the folder `package`.")
    version = json.loads(meta.read_text())["version"]
    return fontsource_font_for(package, HAND["family"], px), version


def fontsource_font_for(package: Path, family: str, px: int):
    """A function char -> the font file of an unpacked Fontsource package that holds it, loaded at ``px`` (None if
    no subset lists it), read from the unicode ranges of the package's ``400.css``; every file must be ``family``."""
    spans = []
    for block in (package / "400.css").read_text().split("@font-face")[1:]:
        file = block.split("url(./files/")[-1].split(")")[0]          # the .woff (zlib; FreeType reads it)
        ranges = block.split("unicode-range:")[1].split(";")[0]
        for part in ranges.split(","):
            lo, _, hi = part.strip()[2:].partition("-")
            spans.append((int(lo, 16), int(hi or lo, 16), file))
    loaded = {}

    def font_for(char: str):
        for lo, hi, file in spans:
            if lo <= ord(char) <= hi:
                if file not in loaded:
                    loaded[file] = load_font(str(package / "files" / file), 0, px, family)
                return loaded[file]
        return None
    return font_for


def render_hand(chars: list[str], fonts: list[ImageFont.FreeTypeFont], offsets, font_for, *, size: int, canvas: int,
                margin: float) -> tuple[np.ndarray, list[str], dict[str, list[str]], list[float], list[str]]:
    """The new hand in the frame of an existing styles file: each character's crop box is the one its source and
    target fonts (``fonts``, moved by their ``offsets``) were cut with, so the hand's glyph lands where the others'
    glyphs of that character lie. The hand is moved by its own median offset to the source. Returns (images (N, size,
    size) uint8, kept chars, dropped by reason, the hand's offset, the characters whose hand ink reaches outside the
    box (kept, clipped at the edge))."""
    dropped, shifts, kept = {"blank": [], "missing glyph": []}, [], []
    notdef = {}
    for c in chars:
        font = font_for(c)
        if font is None:
            dropped["missing glyph"].append(c)
            continue
        ink = draw(font, c, canvas)
        if id(font) not in notdef:
            notdef[id(font)] = draw(font, MISSING, canvas)
        if ink_box(ink) is None:
            dropped["blank"].append(c)
        elif np.array_equal(ink, notdef[id(font)]):
            dropped["missing glyph"].append(c)
        else:
            kept.append(c)
            shifts.append(_centre(ink_box(draw(fonts[0], c, canvas))) - _centre(ink_box(ink)))
    offset = tuple(np.median(shifts, axis=0)) if shifts else (0.0, 0.0)
    images, clipped = [], []
    for c in kept:
        box = crop_box([draw(f, c, canvas, tuple(o)) for f, o in zip(fonts, offsets)], margin)
        ink = draw(font_for(c), c, canvas, offset)
        top, bottom, left, right = ink_box(ink)
        if left < box[0] or top < box[1] or right > box[2] or bottom > box[3]:
            clipped.append(c)
        images.append(crop(ink, box, size))
    return np.array(images), kept, dropped, [float(v) for v in offset], clipped


def held_out_mask(n: int, seed: int = HELD_OUT_SEED, share: float = HELD_OUT_SHARE) -> np.ndarray:
    """A fixed share of the n characters, drawn by a seeded NumPy permutation (written into the file, so it never
    depends on this function again)."""
    mask = np.zeros(n, bool)
    mask[np.random.default_rng(seed).permutation(n)[:round(share * n)]] = True
    return mask


def _package_version(package: str) -> str:
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], check=True, capture_output=True,
                              text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _font(style: str, px: int) -> tuple[ImageFont.FreeTypeFont, dict]:
    """The installed font of a style, loaded at ``px``, and its provenance (file, checksum, package, licence)."""
    family, face, package = FONTS[style]
    path, index = find_font(family, face)
    font = load_font(path, index, px, family)
    if font.getname()[1] != face:      # the record names the face the file declares, never only the one asked for
        raise SystemExit(f"{path} (face {index}) is {family} {font.getname()[1]!r}, not {face!r}: install the "
                         f"{face} face ({package}) or change FONTS in scripts/render_glyphs.py")
    return font, {
        "style": style, "family": family, "face": font.getname()[1], "file": path, "index": index,
        "sha256": _sha256(path),
        "debian_package": package, "package_version": _package_version(package), "license": "SIL Open Font License 1.1"}


def _target(parser: argparse.ArgumentParser, out: Path) -> Path:
    """``out`` (with .npz added, as np.savez adds it), refused in one line before the rendering if a write there could
    not or should not happen (gan_utils.checkpoint.check_target: inside a checkpoint folder, over a run's file)."""
    from gan_utils import checkpoint
    out = out if out.suffix == ".npz" else out.with_name(out.name + ".npz")
    try:
        checkpoint.check_target(out)
    except checkpoint.CheckpointError as e:
        parser.exit(2, f"{parser.prog}: error: {e}\n")
    return out


def _save(out: Path, **arrays) -> None:
    """The .npz written all or nothing: a kill or a full disk keeps the file that was there."""
    from gan_utils import checkpoint
    with checkpoint.atomic_file(out) as tmp, open(tmp, "wb") as f:
        np.savez_compressed(f, **arrays)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", default="hei", choices=sorted(FONTS), help="the plain style (default: hei)")
    p.add_argument("--target", default="kai", choices=sorted(FONTS), help="the brush style (default: kai)")
    p.add_argument("--styles", nargs="*", choices=sorted(FONTS), default=None,
                   help="write notebook 12's styles file instead: the source and these target styles (none named: "
                        f"{' '.join(STYLE_TARGETS)}), 32x32 by default, to {DEFAULT_STYLES_OUT.name}")
    p.add_argument("--size", type=int, default=None, help="side of the stored images in pixels (default: 64; 32 "
                   "with --styles)")
    p.add_argument("--render", type=int, default=256, help="font size of the first, large render, px (default: 256)")
    p.add_argument("--margin", type=float, default=0.06, help="padding on each side, a share of the box (default 0.06)")
    p.add_argument("--limit", type=int, default=None, help="only the first N characters (a quick look)")
    p.add_argument("--out", type=Path, default=None, help=f"the .npz to write (default: {DEFAULT_OUT}, or "
                   f"{DEFAULT_STYLES_OUT} with --styles)")
    p.add_argument("--hand", type=Path, default=None, metavar="PACKAGE",
                   help=f"write notebook 12's new hand instead ({HAND['family']}, from the unpacked npm package "
                   f"{HAND['npm']}@{HAND['version']}), in the frame of the styles file, to {DEFAULT_HAND_OUT.name}")
    p.add_argument("--validation", action="store_true",
                   help=f"write the validation pairs instead: {VALIDATION_SIZE} characters of GB2312's level 2 (seed "
                   f"{VALIDATION_SEED}), in the source and target fonts, to {DEFAULT_VALIDATION_OUT.name}")
    args = p.parse_args(argv)
    if args.validation and (args.hand is not None or args.styles is not None or args.limit is not None):
        p.error("--validation renders the pairs of notebook 11 only: leave out --hand, --styles and --limit")
    if args.hand is not None:
        return _main_hand(args, argv, _target(p, args.out or DEFAULT_HAND_OUT))
    styles = None if args.styles is None else (tuple(args.styles) or STYLE_TARGETS)
    size = args.size or (32 if styles else 64)
    out = _target(p, args.out or (DEFAULT_STYLES_OUT if styles else DEFAULT_VALIDATION_OUT if args.validation
                                  else DEFAULT_OUT))
    if not 8 <= size <= 256:
        p.error("--size must be in 8..256")
    if styles and (args.source in styles or len(set(styles)) != len(styles)):
        p.error("--styles names each target style once, and not the source")
    chars = validation_chars() if args.validation else gb2312_level1()[:args.limit]
    roles = [("source", args.source)] + ([(f"target {i}", s) for i, s in enumerate(styles)] if styles
                                          else [("target", args.target)])
    fonts, provenance = [], {}
    for role, style in roles:
        font, provenance[role] = _font(style, args.render)
        fonts.append(font)
    if styles:
        images, kept, dropped, offset = render_styles(chars, fonts, size=size, canvas=args.render * 2,
                                                      margin=args.margin)
    else:
        source, target, kept, dropped, offset = render_pairs(chars, *fonts, size=size, canvas=args.render * 2,
                                                             margin=args.margin)
    # the held-out tenth is drawn over the full character list, so a font that lacks some characters (Klee One) keeps
    # the held-out characters of the others: a character is held out in every file or in none
    everyone = np.ones(len(chars), bool) if args.validation else held_out_mask(len(chars))
    held_out = everyone[[chars.index(c) for c in kept]]
    provenance.update({
        "characters": (f"validation: {VALIDATION_SIZE} of GB2312 level 2 (rows 56-87), numpy default_rng("
                       f"{VALIDATION_SEED}).permutation, first {VALIDATION_SIZE} leaving out {VALIDATION_SKIP} "
                       "(no font of the character reader draws them); none is in any other glyph file"
                       if args.validation else "GB2312 level 1 (Python's gb2312 codec, rows 16-55)"
                       + (f", first {args.limit}" if args.limit else "")),
        "dropped": dropped, ("offsets_px" if styles else "target_offset_px"): offset, "size": size,
        "render_px": args.render, "margin": args.margin,
        "held_out": ("all: a validation file, never trained on" if args.validation else
                     f"{int(held_out.sum())} characters: numpy default_rng({HELD_OUT_SEED}).permutation, first "
                     f"{HELD_OUT_SHARE:.0%}" + ("" if not sum(map(len, dropped.values())) else
                                                f" of all {len(chars)} characters, those kept here")),
        "ink": "uint8, 255 = ink, 0 = paper (as MNIST); 16 levels, multiples of 17",
        "command": "python scripts/render_glyphs.py " + shlex.join(argv if argv is not None else sys.argv[1:]),
        "date": datetime.date.today().isoformat(), "pillow": Image.__version__,
        "freetype": ImageFont.core.freetype2_version, "python": platform.python_version(),
    })
    common = dict(chars=np.array(kept), held_out=held_out, provenance=np.array(json.dumps(provenance,
                                                                                           ensure_ascii=False)))
    if styles:   # source (N, S, S, 1) and targets (N, K, S, S, 1): character i in every style
        _save(out, source=images[:, 0, ..., None], targets=images[:, 1:, ..., None], styles=np.array(styles),
              **common)
    else:
        _save(out, source=source[..., None], target=target[..., None], **common)
    print(f"{len(kept)} characters ({int(held_out.sum())} held out) in {len(fonts)} fonts, "
          f"{sum(map(len, dropped.values()))} dropped ({', '.join(f'{k}: {len(v)}' for k, v in dropped.items())}); "
          f"{size}x{size}; {out} ({out.stat().st_size / 1e6:.2f} MB, sha256 {_sha256(str(out))})")
    return 0


def _main_hand(args, argv, out: Path) -> int:
    """``--hand``: renders the new hand for every character of the styles file, cropped as that file's glyphs were."""
    frame = np.load(DEFAULT_STYLES_OUT)
    made = json.loads(str(frame["provenance"]))
    chars = [str(c) for c in frame["chars"]][:args.limit]
    styles = ["hei"] + [str(s) for s in frame["styles"]]
    px, margin, size, canvas = made["render_px"], made["margin"], made["size"], made["render_px"] * 2
    fonts, provenance = [], {}
    for style in styles:
        font, info = _font(style, px)
        fonts.append(font)
        provenance[f"frame font {style}"] = info
    offsets = made["offsets_px"]
    for i in range(min(20, len(chars))):   # the installed fonts must crop exactly as the styles file was cropped
        box = crop_box([draw(f, chars[i], canvas, tuple(o)) for f, o in zip(fonts, offsets)], margin)
        again = crop(draw(fonts[0], chars[i], canvas, tuple(offsets[0])), box, size)
        if not np.array_equal(again, frame["source"][i, ..., 0]):
            raise SystemExit(f"the installed fonts do not reproduce {DEFAULT_STYLES_OUT.name} (character {chars[i]}):"
                             " render the styles file again with --styles first, with these fonts.")
    font_for, version = hand_fonts(args.hand, px)
    images, kept, dropped, offset, clipped = render_hand(chars, fonts, offsets, font_for, size=size, canvas=canvas,
                                                         margin=margin)
    files = sorted((args.hand / "files").glob("*.woff"))
    provenance.update({
        "hand": {**HAND, "version": version, "files": f"{len(files)} .woff subsets of the package, chosen per "
                 "character by the unicode ranges of its 400.css", "sha256_of_sorted_woff_files": hashlib.sha256(
                     b"".join(f.read_bytes() for f in files)).hexdigest()},
        "frame": f"{DEFAULT_STYLES_OUT.name}: each character cropped with the box its {len(styles)} fonts were cut "
                 f"with there (sha256 {_sha256(str(DEFAULT_STYLES_OUT))})",
        "hand_offset_px": offset, "clipped": f"{len(clipped)} characters whose hand ink reaches past the box "
                                             f"(kept, cut at the edge): {''.join(clipped)}",
        "dropped": dropped, "size": size, "render_px": px, "margin": margin,
        "held_out": "the styles file's held_out, for the characters kept here",
        "ink": "uint8, 255 = ink, 0 = paper (as MNIST); 16 levels, multiples of 17",
        "command": "python scripts/render_glyphs.py " + shlex.join(argv if argv is not None else sys.argv[1:]),
        "date": datetime.date.today().isoformat(), "pillow": Image.__version__,
        "freetype": ImageFont.core.freetype2_version, "python": platform.python_version()})
    held_out = frame["held_out"][[chars.index(c) for c in kept]]
    _save(out, hand=images[..., None], chars=np.array(kept), held_out=held_out,
          provenance=np.array(json.dumps(provenance, ensure_ascii=False)))
    print(f"{len(kept)} characters ({int(held_out.sum())} held out) in {HAND['family']} {version}, "
          f"{sum(map(len, dropped.values()))} dropped, {len(clipped)} clipped at the box; {size}x{size}; {out} "
          f"({out.stat().st_size / 1e6:.2f} MB, sha256 {_sha256(str(out))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
