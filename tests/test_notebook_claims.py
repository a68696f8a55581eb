"""Every number in a notebook's prose (and in its slide deck's text and speaker notes) is one its own outputs show,
or a cited constant.

The course's promise (DEVELOPERS.md, "Teaching truth"): a number or comparison in markdown is computed by a code
cell of the same notebook, or cited with its source. This check reads each notebook's markdown, takes the numbers
that look like measurements (a decimal point, a percent sign, a thousands separator, a ratio such as ``4x``, or
three or more digits), and looks for each among the numbers printed in that notebook's outputs (stream, text,
HTML; a markdown ``62.6`` matches a printed ``62.61``, ``35.6%`` matches ``0.356``). A number found nowhere must
be in ``CITED`` below with its source, or it is flagged.

What is not read as a claim: LaTeX math (equations, not measurements), inline code (settings and names), links,
headings' section numbers, years in citations, and notebook/section/cell/exercise references.

Run ``python tests/test_notebook_claims.py [notebooks/NN_name.ipynb ...]`` to list every unmatched number with its
cell; that listing is the starting point of a notebook's claims audit.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import slides  # noqa: E402  (scripts/slides.py: where a slide deck keeps its words)

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
IPYNBS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))

# Constants the prose cites rather than computes: notebook prefix -> {number as written: source}.
# Keep each entry's source specific (paper and table, or the file and command that produced it).
CITED: dict[str, dict[str, str]] = {
    "*": {
        "0.02": "DCGAN (Radford et al., 2016), section 4: weights initialised from N(0, 0.02)",
        "0.5": "DCGAN (Radford et al., 2016): Adam beta1 = 0.5; also a probability of one half in the theory",
        "0.999": "Adam's default beta2 (Kingma and Ba, 2015) and the EMA decay of the shipped generator (README)",
        "2e-4": "DCGAN (Radford et al., 2016), section 4: Adam learning rate 0.0002",
        "0.0002": "DCGAN (Radford et al., 2016), section 4: Adam learning rate 0.0002",
        "60,000": "MNIST: 60,000 training images (LeCun et al., 1998)",
        "10,000": "MNIST: 10,000 test images (LeCun et al., 1998); FID is scored on 10,000 samples",
        "784": "28 x 28 = 784 pixels of an MNIST digit",
        "0.693": "log 2 = 0.693..., the ceiling of the Jensen-Shannon divergence",
        "1.386": "log 4 = 1.386...",
        "2048": "Inception-v3's pool features (Heusel et al., 2017) used by image-net FID",
    },
    "02": {
        "0.1": "the teaching example's learning rate, set in a code cell",
    },
    "07": {
        "18.4": "benchmarks/RESULTS.md, notebook 07's stabiliser table, two runs (the 2026-11-22 run's grid GAN modes)",
        "20.1%": "benchmarks/RESULTS.md, notebook 07's stabiliser table, two runs "
                 "(the 2026-11-22 run's grid GAN quality)",
        "76.5%": "benchmarks/RESULTS.md, notebook 07's stabiliser table, two runs "
                 "(the 2026-11-22 run's ring R1 quality)",
        "0.001": "the grid spacing of section 1.1's code cell (np.linspace(-2, 2, 4001))",
        "2.4": "Arjovsky & Bottou (2017), Theorem 2.4 (vanishing gradients on the generator)",
        "2.6": "Arjovsky & Bottou (2017), Theorem 2.6 (instability of the -log D alternative)",
        "400": "PacGAN's repository, synthetic_data_experiments/*/config.py: num_epoch 400; "
               "generator layers of 400 units",
        "100,000": "PacGAN's repository, synthetic_data_experiments/*/config.py: num_sample 100000",
        "100": "PacGAN's repository, synthetic_data_experiments/*/config.py: batch_size 100",
        "1e-4": "PacGAN's repository, synthetic_data_experiments/*/config.py: Adam learning rate 1e-4",
        "0.01": "gan_utils.data.ring (and PacGAN's config): ring modes of standard deviation 0.01",
        "0.05": "gan_utils.data.grid (and PacGAN's config): grid modes of standard deviation 0.05",
        "2,500": "VEEGAN (Srivastava et al., 2017) and PacGAN (Lin et al., 2018) score 2,500 samples; "
                 "so does train_seeds",
        "512": "benchmarks/RESULTS.md, \"Notebook 07's grid solved: a search per recipe\" (the batch-512 variant); "
               "igul222/improved_wgan_training gan_toy.py: DIM = 512 (WGAN-GP's toy networks)",
        "70.7%": "benchmarks/RESULTS.md, \"One engine, second attempt\": the table's grid hinge row "
                 "as committed before",
        "91.6%": "benchmarks/grid_search_one_engine.jsonl (RESULTS.md, \"One engine, second attempt\"): hinge, 20,000 "
                 "steps half annealed, the lowest of seeds 0-9 in batches of 5",
        "89.6%": "benchmarks/grid_search_one_engine.jsonl: the same recipe, seed 6 trained alone",
        "91.8%": "benchmarks/RESULTS.md, \"The grid from the command line, one engine\": the lowest of seeds 0-9",
        "55.6%": "benchmarks/RESULTS.md, \"One engine, second attempt\": the hinge row's lowest seed "
                 "with the one engine",
        "3e-3": "the recipe's G learning rate, set in RECIPE (section 2's code)",
        "1e-3": "the recipe's D learning rate, set in RECIPE (section 2's code)",
        "128": "the recipe's hidden width, set in RECIPE (section 2's code)",
        "256": "the batch size of PlaygroundConfig (gan_utils.playground), used by every run here",
        "1,000": "gan_utils.playground draws 1,000 samples per frame; section 5 classifies 1,000 samples per snapshot",
        "41%": "benchmarks/RESULTS.md, 'The toy recipe of notebook 07': one ring run, 0.41 high quality "
               "before the low-lr steps",
        "89%": "benchmarks/RESULTS.md, 'The toy recipe of notebook 07': the same run, 0.89 "
               "after 2,000 steps at a tenth of the lr",
    },
    "05": {
        "250": "the snapshot interval set in section 3's training cell (EVERY = 250), which the slide deck quotes",
    },
    "06": {
        "99.3": "VEEGAN (Srivastava et al., 2017), Table 1, GAN row: high-quality samples on the 2-D ring",
        "0.5": "VEEGAN (Srivastava et al., 2017), Table 1, GAN row: high-quality samples on the 2-D grid",
        "98.2": "PacGAN (Lin et al., 2018), Table 1, GAN row: high-quality samples on the 2-D ring",
        "94.8": "PacGAN (Lin et al., 2018), Table 1, GAN row: high-quality samples on the 2-D grid",
        "6.3": "PacGAN (Lin et al., 2018), Table 1, GAN row: modes covered on the 2-D ring",
        "17.3": "PacGAN (Lin et al., 2018), Table 1, GAN row: modes covered on the 2-D grid",
        "3.3": "VEEGAN (Srivastava et al., 2017), Table 1, GAN row: modes covered on the 2-D grid",
    },
    "09": {
        "3.73": "benchmarks/RESULTS.md, 'Labels without labels': the class-conditional generator (shipped), "
                "FID 3.73 on 10,000 samples",
        "3.43": "benchmarks/RESULTS.md, the self-conditioned generator's section: the shipped one with "
                "sample keys 0-4, FID 2.91, 3.02, 3.18, 3.43, 3.11",
        "53.5": "benchmarks/RESULTS.md, 'The shipped generator: the default recipe + EMA 0.999, scored as it trained': "
                "MNIST-FID (EMA) at 14,000 steps",
        "14,000": "the same table's row",
        "57.9": "the same table: MNIST-FID (EMA) at 18,000 steps",
        "18,000": "the same table's row",
        "0.60": "the same table: precision at 14,000 steps",
        "0.61": "the same table: precision at 18,000 steps",
    },
    "10": {
        "30": "the race's first scoring mark, 30 s of training, set in rivals.race (marks=(30, 60, 120, 240))",
        "4,000": "the number of copies in section 3's chain check, set in its code (n_copies = 4000), which the slide "
                 "deck quotes",
    },
    "11": {
        "99.0%": "scripts/train_reader.py and benchmarks/RESULTS.md (2026-11-28): the reader's one trial run read the "
                 "hei glyphs at 99.0%",
        "98.2%": "scripts/train_reader.py and benchmarks/RESULTS.md (2026-11-28): the reader's one trial run read the "
                 "kai glyphs at 98.2%",
        "6,857": "the LXGW WenKai README (github.com/lxgw/LxgwWenKai, 补字计划): the full version has 6,857 glyphs "
                 "generated by zi2zi deep learning",
    },
    "12": {
        "128": "the zi2zi repository (Tian, 2017, github.com/kaonashi-tyc/zi2zi): font embeddings of dimension 128 "
               "(embedding_dim), with Lcategory_penalty 1 and Lconst_penalty 15",
        "15,000": "Artsy (B. Sutton, 25 October 2018): Obvious trained the GAN behind Portrait of Edmond de Belamy on "
                  "15,000 portraits of the 14th-20th centuries",
        "432,500": "Artsy (B. Sutton, 25 October 2018): sold at Christie's New York for US$432,500 including fees",
        "00201": "Andersen v. Stability AI Ltd., No. 3:23-cv-00201 (N.D. Cal., filed 13 January 2023)",
        "5.3": "a version number, not a measurement: npm's @fontsource/ma-shan-zheng 5.3.1 (the hand's package)",
        "0.024": "benchmarks/RESULTS.md, 'Imitating a hand' (2026-11-27, Intel Xeon): the largest share closer than "
                 "fresh at k = 1 in that run of the hand table",
        "0.077": "benchmarks/RESULTS.md, 'Imitating a hand' (2026-11-27, Intel Xeon): the one crossing of that run, "
                 "at k = 5",
    },
    "13": {
        "376": "notebooks 11 and 12: the glyph set's 376 held-out characters (data.load_glyphs('test'); a tenth of "
               "3,755), which those notebooks score",
        "30%": "the light blur's weight, set in section 5's code (0.7 * px + 0.3 * box)",
        "512": "GigaGAN (Kang et al., CVPR 2023), abstract: synthesises 512 x 512 images in 0.13 seconds",
    },
    "14": {
        "1%": "600 of MNIST's 60,000 training digits (section 1's SUBSET, printed as 600)",
        "0.6": "ADA's target for r_t (Karras et al., 2020, 'Training generative adversarial networks with limited "
               "data', section 3; gan_utils.options.StepOptions.ada_target)",
        "500": "ADA's adjustment speed: p can go from 0 to 1 in 500k images (Karras et al., 2020, section 3; "
               "ada_kimg = 500 in NVlabs/stylegan2-ada-pytorch)",
        "0.8": "Karras et al. (2020), section 2.3 and Figure 3: the transforms did not leak into samples while p "
               "stayed below about 0.8",
        "90%": "StyleGAN's mixing regularisation: 90% of training images drawn with two latent codes (Karras et al., "
               "2019, section 3.1 and Table 2); gan_utils.stylegan.StyleGenerator's mixing=0.9",
        "1024": "StyleGAN (Karras et al., 2019): FFHQ faces at 1024 x 1024",
    },
}

# Markdown cells that quote a table of measurements from a file of the repository, and say so in the cell: every
# number in a cell that contains the phrase counts as cited. notebook prefix -> [(phrase, source)].
CITED_CELLS: dict[str, list[tuple[str, str]]] = {
    "05": [("All numbers in this table and the next paragraph are from `benchmarks/quality_results.md`",
            "benchmarks/quality_results.md, the search of issue #11 (python benchmarks/quality.py), and "
            "benchmarks/RESULTS.md, 'Labels without labels', for the self-conditioned GAN"),
           ('(`benchmarks/RESULTS.md`, "How JAX got ahead on this CPU")',
            "benchmarks/RESULTS.md, 'How JAX got ahead on this CPU': the compiler option, 426 -> 603 images/s")],
    "10": [("The probe tried three more settings, all left out.",
            "benchmarks/RESULTS.md, 'The probe that chose the rivals' settings' (python benchmarks/rivals_probe.py), "
            "cited by the paragraph before it in the same appendix")],
}

_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.S)
_LINK = re.compile(r"\]\([^)]*\)|https?://\S+|<[^>]+>")
_HEADING_NUM = re.compile(r"^(#+\s*)\d+(\.\d+)*\.?", re.M)
_LIST_NUM = re.compile(r"^\s*\d+\.\s", re.M)
_REF = re.compile(r"(?i)\b(notebooks?|sections?|cells?|exercises?|table|figure|fig\.|eq\.|equation|step|chapter|"
                  r"appendix|algorithm|issue|#)\s*\d+(\.\d+)*")
_YEAR = re.compile(r"\b(1[89]\d\d|20[0-4]\d)[a-z]?\b")
# A ratio may be written with its "x" first, as the notebooks print it ("grew (x2.85)"): the number counts as well.
_NUMBER = re.compile(r"(?:(?<![\w.])[x×](?=\d)|(?<![\w.]))[-+−]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(e[-+]?\d+)?"
                     r"(\s?%|x\b|×)?", re.I)


def _numbers(text: str, starts: bool = False):
    """(as written, value, decimals, is_percent) for each number in text (``starts``: as (its offset, that))."""
    for m in _NUMBER.finditer(text):
        whole, frac, exp, unit = m.group(1), m.group(2) or "", m.group(3) or "", (m.group(4) or "").strip()
        s = whole.replace(",", "") + frac + exp
        try:
            value = float(s)
        except ValueError:
            continue
        decimals = len(frac) - 1 if frac and not exp else 0
        n = m.group(0).strip().lstrip("+"), value, decimals, unit == "%"
        yield (m.start(), n) if starts else n


def _is_claim(written: str, value: float, decimals: int, percent: bool) -> bool:
    """Measurement-like: decimals, a percent, a separator, an exponent, a ratio, or three or more digits."""
    return ("." in written or percent or "," in written or "e" in written.lower()
            or written.endswith(("x", "×")) or abs(value) >= 100)


# A time in milliseconds or seconds: it moves with the machine, so the cell beside the sentence must print it.
_TIMED = re.compile(r"(?<![\w.])\d[\d,]*(\.\d+)?(?=\s?ms\b|\ss\b(?!\^))")   # not "7s" (sevens), not "2 s^2"
# A sentence that says what a run printed or measured: every number in it is a claim, even a small integer, and it
# must be printed by the code cells beside the sentence, as written ("0 in the run shown" once stood beside a cell
# that printed 1.32, while the notebook printed some 0 elsewhere).
_RUN_SAYS = re.compile(r"(?i)\b(the run shown|in (this|the saved|the committed) run|the run saved here)\b")


def prose_numbers(md: str):
    """The claim-like numbers of one markdown cell, with math, code, links and references removed: measurement-like
    ones (``_is_claim``) anywhere, and every number of a sentence that says what a run printed or measured (the last
    item of each tuple: True for those)."""
    for pattern in (_MATH, _CODE, _LINK):
        md = pattern.sub(" ", md)
    md = _HEADING_NUM.sub(r"\1", md)
    md = _LIST_NUM.sub(" ", md)
    md = _REF.sub(" ", md)
    md = _YEAR.sub(" ", md)
    found = []
    for sentence in re.split(r"(?<=[.;:!?])\s+", md):
        run_says = bool(_RUN_SAYS.search(sentence))
        timed = {m.start() for m in _TIMED.finditer(sentence)}   # "115 ms": a time, measured on some machine
        found += [(*n, run_says or start in timed) for start, n in _numbers(sentence, starts=True)
                  if run_says or start in timed or _is_claim(*n)]
    return found


def output_numbers(nb: dict) -> list[float]:
    """Every number printed in the notebook's outputs (stream, text/plain, text/html, text/markdown)."""
    return [v for cell in nb["cells"] for v in cell_numbers(cell)]


def cell_numbers(cell: dict, ranges: bool = True) -> list[float]:
    """Every number one cell's outputs print (``ranges=False``: leaving out the ends of ranges such as "steps 0-99"
    and the numbers of labels such as "step-0", which are not results)."""
    texts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            texts.append("".join(out["text"]))
        for mime in ("text/plain", "text/html", "text/markdown"):
            if mime in out.get("data", {}):
                data = out["data"][mime]
                texts.append("".join(data) if isinstance(data, list) else data)
    if not ranges:
        label = r"(?<![\w.])\d+(\.\d+)?\s*[-–]\s*\d+(\.\d+)?(?![\w.])|(?<=[A-Za-z])-\d+"   # "0-99", "step-0"
        texts = [re.sub(label, " ", t) for t in texts]
    return [v for t in texts for _, v, _, _ in _numbers(t)]


def _matches(value: float, decimals: int, percent: bool, printed: list[float]) -> bool:
    """Whether a printed number rounds to ``value`` (``decimals`` -1: is the very integer)."""
    candidates = [value] if decimals < 0 else [value, value / 100] if percent else [value, value / 100, value * 100]
    tol = 1e-12 if decimals < 0 else 0.5 * 10 ** (-decimals) + 1e-12
    for v in printed:
        for c in candidates:
            scale = 1 if c == value else (1 / 100 if c == value / 100 else 100)
            if abs(v - c) <= tol * scale:
                return True
    return False


def unmatched(ipynb: Path) -> list[tuple[int, str]]:
    """(cell index, number as written) for each prose number that no output shows and CITED does not list."""
    nb = json.loads(ipynb.read_text())
    printed = output_numbers(nb)
    cited = {**CITED["*"], **CITED.get(ipynb.name[:2], {})}
    cited_cells = [phrase for phrase, _ in CITED_CELLS.get(ipynb.name[:2], [])]
    code = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    section, sections, part = None, {}, []   # "4" -> the code cells of section 4 ("## 4." to the next "## ")
    for i, c in enumerate(nb["cells"]):
        text = "".join(c["source"])
        m = re.search(r"^## (?:(\d+)\.|\S)", text, re.M) if c["cell_type"] == "markdown" else None
        if m and m.start() == 0:
            section = m[1] or f"part {i}"
        elif c["cell_type"] == "code" and section:
            sections.setdefault(section, []).append(i)
        part.append(section)                 # the "## " part each cell starts in
        if m and m.start() > 0:              # a heading further down the cell starts a part after it
            section = m[1] or f"part {i}"
    found = []
    for i, cell in enumerate(nb["cells"]):
        # the code cells beside cell i (the last one before it, or itself, and the first one after it), and those of
        # a section the cell says it reads ("section 4's printed lines")
        beside = [c for c in [c for c in code if c <= i][-1:] + [c for c in code if c > i][:1] if part[c] == part[i]]
        source = "".join(cell["source"]) if cell["cell_type"] == "markdown" else ""
        beside += [j for s in re.findall(r"(?i)section (\d+)'s printed lines", source) for j in sections.get(s, [])]
        near = [v for j in beside for v in cell_numbers(nb["cells"][j], ranges=False)]
        texts = []
        if cell["cell_type"] == "markdown" and not any(ph in " ".join("".join(cell["source"]).split())
                                                       for ph in cited_cells):
            texts.append("".join(cell["source"]))
        deck = cell.get("metadata", {}).get("slideshow", {}).get("deck") or {}     # the slide deck's words too
        texts += [holder[k] for holder, k in slides.deck_texts(deck)]
        for written, value, decimals, percent, run_says in (n for t in texts for n in prose_numbers(t)):
            if written.rstrip("%x× ").strip() in cited or written in cited:
                continue
            exact = run_says and not _is_claim(written, value, decimals, percent)   # "0" is not "0.4" rounded
            if not _matches(value, -1 if exact else decimals, percent, near if run_says else printed):
                found.append((i, written))
    return found


@pytest.mark.parametrize("ipynb", IPYNBS, ids=lambda p: p.stem)
def test_prose_numbers_are_printed_or_cited(ipynb):
    found = unmatched(ipynb)
    assert not found, (
        f"{ipynb.name}: numbers in markdown that no output of the notebook prints and that are not cited: "
        + ", ".join(f"cell {i}: {w!r}" for i, w in found)
        + ". Print them from a code cell (better: a printed sentence), or cite the source in CITED "
        "(tests/test_notebook_claims.py).")


def test_the_check_flags_an_unprinted_number_and_passes_a_printed_one(tmp_path):
    """The check can fail: a claim with no output behind it is flagged; the same claim printed passes."""
    md = {"cell_type": "markdown", "metadata": {},
          "source": "The ratio is 4,327x and FID reached 62.6 (see $x^{2.5}$)."}
    code = {"cell_type": "code", "metadata": {}, "source": "", "execution_count": 1, "outputs": []}
    nb = {"cells": [md, code], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "99_probe.ipynb"
    path.write_text(json.dumps(nb))
    assert unmatched(path) == [(0, "4,327x"), (0, "62.6")]
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ratio 4327.2, FID 62.61\n"}]
    path.write_text(json.dumps(nb))
    assert unmatched(path) == []
    md["source"] = "The gradient grew (x2.83)."  # a ratio written x-first is a number too (deck notes once said x2.83)
    path.write_text(json.dumps(nb))
    assert unmatched(path) == [(0, "x2.83")]
    md["source"] = "FID reached 62.7."          # a rounding that the output does not support is still flagged
    path.write_text(json.dumps(nb))
    assert unmatched(path) == [(0, "62.7")]
    md["source"] = "FID reached 62.6; in the run shown the gap was 0."   # said of a run: printed beside it, as is
    path.write_text(json.dumps(nb))
    assert unmatched(path) == [(0, "0")]
    code["outputs"][0]["text"] = "ratio 4327.2, FID 62.61 over steps 0-99 from step-0\n"   # labels, no results
    path.write_text(json.dumps(nb))
    assert unmatched(path) == [(0, "0")]
    code["outputs"][0]["text"] = "ratio 4327.2, FID 62.61, gap 0\n"
    path.write_text(json.dumps(nb))
    assert unmatched(path) == []
    far = {"cell_type": "code", "metadata": {}, "source": "", "execution_count": 2,
           "outputs": [{"output_type": "stream", "name": "stdout", "text": "gap 1.32\n"}]}
    nb["cells"] = [far, {"cell_type": "markdown", "metadata": {}, "source": "More."}, far, md, far, code]
    code["outputs"][0]["text"] = "ratio 4327.2, FID 62.61\n"
    path.write_text(json.dumps(nb))
    assert unmatched(path) == [(3, "0")]        # the 0 printed elsewhere does not count, nor 1.32 beside it
    md["source"] = "FID reached 62.6; one step costs 115 ms, not 7s or 2 s^2."   # a time: printed beside it
    nb["cells"][0] = {**far, "outputs": [{"output_type": "stream", "name": "stdout", "text": "115 ms elsewhere\n"}]}
    path.write_text(json.dumps(nb))
    assert unmatched(path) == [(3, "115")]
    nb["cells"] = [md, code]
    md["source"] = "FID reached 62.6."          # a slide's speaker notes are read as well
    code["metadata"] = {"slideshow": {"slide_type": "slide", "deck": {"notes": "Say: FID 62.6, ratio 4,372x."}}}
    path.write_text(json.dumps(nb))
    assert unmatched(path) == [(1, "4,372x")]


if __name__ == "__main__":
    for arg in sys.argv[1:] or IPYNBS:
        p = Path(arg)
        nb = json.loads(p.read_text())
        rows = unmatched(p)
        print(f"== {p.name}: {len(rows)} unmatched")
        for i, w in rows:
            src = "".join(nb["cells"][i]["source"]).replace("\n", " ")
            k = src.find(w.split()[0])
            print(f"  cell {i:3d} {w!r:12s} ...{src[max(0, k - 70):k + 50]}...")
