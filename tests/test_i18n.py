"""The Chinese edition (scripts/i18n.py, docs/locale/zh_CN): catalogues that follow the English, released pages
complete and faithful in what must not change, Chinese notebooks generated from them and up to date.

The site's Chinese build and its browser check are in tests/test_book.py.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import i18n  # noqa: E402
import slides  # noqa: E402


def test_the_catalogues_and_chinese_notebooks_match_the_current_english():
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "i18n.py"), "--check"], cwd=REPO,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, f"{out.stderr}\n(an English change needs its catalogue update: ./course.sh i18n)"
    assert "notebooks/01_probability_background" in out.stdout      # the progress table


@pytest.mark.parametrize("page", i18n.released())
def test_a_released_page_is_translated_current_and_keeps_what_must_not_change(page):
    problems = i18n.page_problems(page, complete=True)
    assert problems == [], "\n".join(problems[:30])


def test_every_translation_on_every_page_keeps_math_code_links_numbers_and_typography():
    pages = [p.relative_to(i18n.LOCALE).with_suffix("").as_posix() for p in sorted(i18n.LOCALE.rglob("*.po"))]
    assert len(pages) >= 20
    problems = [p for page in pages for p in i18n.page_problems(page, complete=False)]
    assert problems == [], "\n".join(problems[:30])


def test_the_lint_finds_each_kind_of_unfaithful_translation():
    en = "The discriminator $D$ saw 5,000 steps of `fit` ([section 2](#s2))."
    good = "判别器 $D$ 看到了 `fit` 的 5,000 步（[第 2 节](#s2)）。"
    terms = [("discriminator", "判别器")]
    assert i18n.lint(en, good, terms) == []
    assert i18n.lint(en, good.replace("5,000", "5000"), terms) == []           # the same number
    bad = {"numbers": good.replace("5,000", "500"), "math": good.replace("$D$", "$G$"),
           "code": good.replace("`fit`", "fit"), "links": good.replace("#s2", "#s3"),
           "typography": good.replace("判别器 $D$ 看到了 `fit` 的 5,000 步", "判别器$D$看到了`fit`的5,000步"),
           "glossary": good.replace("判别器", "鉴别器")}
    for kind, text in bad.items():
        found = i18n.lint(en, text, terms)
        assert found and found[0].startswith(kind), (kind, found)
    conventions = {     # each of the edition's conventions can fail, and its right form passes
        "nested": ("The critic (a 1-Lipschitz function) stays.", "评判器（一个 1-Lipschitz 函数（function））不变。",
                   "评判器（一个 1-Lipschitz 函数）不变。"),
        "dimensions": ("A 1-D GAN.", "一个 1 维 GAN。", "一个一维 GAN。"),
        "times": ("A gradient 100 times smaller.", "一个小 100 倍的梯度。", "一个被除以 100 的梯度。"),
        "gloss": ("Run the notebook.", "运行这个笔记本（notebook）。", "运行这个笔记本。"),
    }
    for kind, (english, wrong, right) in conventions.items():
        assert any(p.startswith("convention") for p in i18n.lint(english, wrong, [])), kind
        assert i18n.lint(english, right, []) == [], (kind, i18n.lint(english, right, []))
    assert i18n.lint("Filed on 25 October 2018.", "2018 年 10 月 25 日提交。", []) == []       # the month is a number
    assert i18n.lint("In one dimension.", "一维情形。", []) == []                  # no digit in the English, none here
    critic = [("critic", "评判器"), ("style judge", "风格鉴定器")]    # one term per concept (glossary.md)
    assert i18n.lint("The critic's slope.", "评判器的斜率。", critic) == []
    assert i18n.lint("Two critics.", "两个评判器。", critic) == []
    assert i18n.lint("The critic's slope.", "鉴定器的斜率。", critic)[0].startswith("glossary")
    assert i18n.lint("A critical point.", "一个临界点。", critic) == []      # a whole word or its plural, no more
    assert i18n.lint("The style judges agree.", "风格评判器一致。", critic)[0].startswith("glossary")
    assert i18n.nothing_to_translate(r"\mathrm{KL}(p\,\|\,q) = \int p \log\frac pq") and \
        not i18n.nothing_to_translate(r"x \text{ independent}") and not i18n.nothing_to_translate("Open In Colab")
    # short words between formulas or numbers are prose; a display formula's letters are not
    assert not i18n.nothing_to_translate("in $W$: $w' = \\bar w$") and not i18n.nothing_to_translate("1332 to 1636")
    assert i18n.nothing_to_translate(r"f'(y) = \frac ay - \frac{b}{1-y} = 0 \iff a(1-y) = by") and \
        i18n.nothing_to_translate("$x$, $y$ (2,000)")


def test_the_time_lines_a_run_writes_are_translated_from_their_numbers():
    en = ("Seconds per section of notebook 12, as Jupyter recorded them in its last run, 2026-11-27 (2.7 minutes top "
          "to bottom; load average 1.7 on 2 CPUs); a load average above 2 means the 2-core machine was shared, so an "
          "idle one is faster")
    zh = i18n.automatic(en)
    assert zh.startswith("笔记本 12 各节的秒数") and "2026-11-27" in zh and "2.7 分钟" in zh and "平均负载为 1.7" in zh
    assert i18n.lint(en, zh) == []
    assert i18n.automatic("2.7 min (2026-11-27, load 1.7)") == "2.7 分钟（2026-11-27，负载 1.7）"
    assert i18n.automatic("2.7 min (2026-11-27, load 1.7) more") is None and i18n.automatic(en + " Also.") is None


def test_a_changed_english_paragraph_keeps_its_translation_marked_stale_with_the_previous_english(tmp_path,
                                                                                                   monkeypatch):
    monkeypatch.setattr(i18n, "LOCALE", tmp_path)
    template = Catalog(locale=None)
    template.add("The generator maps noise to samples.")
    template.add("$$x = g(z)$$".strip("$"))
    old = i18n.merged("p", template, None, {})
    old["The generator maps noise to samples."].string = "生成器把噪声映射为样本。"
    assert old["x = g(z)"].string == "x = g(z)"                                 # a formula fills itself
    (tmp_path / "p.po").write_bytes(i18n.dump(old))
    assert i18n.page_problems("p", complete=True) == []

    changed = Catalog(locale=None)
    changed.add("The generator maps noise to images.")                        # the English changes
    changed.add("x = g(z)")
    new = i18n.merged("p", changed, i18n.load("p"), {})
    msg = new["The generator maps noise to images."]
    assert msg.fuzzy and msg.string == "生成器把噪声映射为样本。"
    assert list(msg.previous_id) == ["The generator maps noise to samples."]
    text = i18n.dump(new).decode()
    assert "#| msgid \"The generator maps noise to samples.\"" in text and "#, fuzzy" in text
    (tmp_path / "p.po").write_bytes(i18n.dump(new))
    problems = i18n.page_problems("p", complete=True)                        # a released page would now fail
    assert len(problems) == 1 and "the English changed" in problems[0]
    # a paragraph moved to another page keeps its translation (the memory of every catalogue)
    moved = i18n.merged("q", changed, None, i18n.memory({"p": old}))
    assert not moved["The generator maps noise to images."].string            # not the same English: no guess
    again = Catalog(locale=None)
    again.add("The generator maps noise to samples.")
    assert i18n.merged("q", again, None, i18n.memory({"p": old}))[
        "The generator maps noise to samples."].string == "生成器把噪声映射为样本。"


def test_the_previous_english_of_a_stale_message_survives_a_save_and_a_load(tmp_path, monkeypatch):
    # Babel writes a multi-line previous English on one '#|' line and reads '#|' lines back as translator comments:
    # without i18n.dump/load's care, each save wrapped them into more comment lines (hundreds per page).
    monkeypatch.setattr(i18n, "LOCALE", tmp_path)
    cat = Catalog(locale="zh_CN")
    before = 'The "old" paragraph,\nwith `code` on a second line.'
    cat.add("The new paragraph.", "新的段落。", flags=["fuzzy"], previous_id=(before,))
    cat.add("Current.", "当前。")
    (tmp_path / "p.po").write_bytes(i18n.dump(cat))
    text = (tmp_path / "p.po").read_text()
    assert '#| msgid ""\n#| "The \\"old\\" paragraph,\\n"\n#| "with `code` on a second line."' in text
    back = i18n.load("p")
    assert list(back["The new paragraph."].previous_id) == [before] and back["The new paragraph."].fuzzy
    assert all(not m.user_comments for m in back)
    assert i18n.dump(back) == i18n.dump(cat)                                  # saving again changes nothing
    # an older save's wrapped comment is dropped, not kept growing
    (tmp_path / "p.po").write_text(text.replace('#| msgid ""', '# | msgid "The old paragraph, with\n# `code`'))
    assert all(not m.user_comments for m in i18n.load("p"))


def test_a_markdown_cell_is_translated_message_by_message():
    src = ("## 1. Densities\n\nA density $p$\nintegrates to one.\n\n- first *item*\n"
           "- second [link](../docs/notation.md)"
           "\n\n| name | value |\n|---|---|\n| $\\mathrm{KL}(p\\|q)$ | half |\n\n$$\nx = y \\text{ always}\n$$\n"
           "\n![image](figure.png)\n")
    table = {"1. Densities": "1. 密度", "A density $p$ integrates to one.": "密度 $p$ 的积分为一。",
             "first *item*": "第一 *项*", "second [link](../docs/notation.md)": "第二 [链接](../docs/notation.md)",
             "name": "名称", "$\\mathrm{KL}(p|q)$": "$\\mathrm{KL}(p|q)$",
             "x = y \\text{ always}": "x = y \\text{ 总是}"}
    used = set()
    out = i18n.translate_markdown(src, table, used)
    assert out.startswith("## 1. 密度\n\n密度 $p$ 的积分为一。\n\n- 第一 *项*\n- 第二 [链接](../../docs/notation.md)\n")
    assert "| 名称 | value |" in out and "| $\\mathrm{KL}(p\\|q)$ | half |" in out    # the escaped bar stays escaped
    assert "x = y \\text{ 总是}" in out and "![image](../figure.png)" in out      # links one folder deeper
    assert used == set(table)


def test_a_table_row_keeps_every_translated_cell():
    src = ("| method | loss | steps |\n|---|---|---|\n| plain GAN | hinge | 6000 |\n| hinge | hinge | short run |\n"
           "| a \\| b | plain GAN | x |\n")
    table = {"method": "方法", "loss": "损失", "steps": "步数", "plain GAN": "普通 GAN", "hinge": "铰链",
             "short run": "短程运行", "a | b": "甲 | 乙"}
    used = set()
    out = i18n.translate_markdown(src, table, used).split("\n")
    assert out[0] == "| 方法 | 损失 | 步数 |" and out[1] == "|---|---|---|"
    assert out[2] == "| 普通 GAN | 铰链 | 6000 |"
    assert out[3] == "| 铰链 | 铰链 | 短程运行 |"                    # the same English twice in a row: both cells
    assert out[4] == "| 甲 \\| 乙 | 普通 GAN | x |"
    assert used == set(table)


def _table_cells(markdown: str) -> list[str]:
    """The cells of every table row in a markdown text (a \\| is no border)."""
    return [cell.strip().replace("\\|", "|") for line in markdown.split("\n") if line.lstrip().startswith("|")
            for cell in re.split(r"(?<!\\)\|", line.strip().strip("|")) if cell.strip()]


@pytest.mark.parametrize("page", [p for p in i18n.released() if p.startswith("notebooks/")])
def test_no_translated_table_cell_stays_english_in_a_chinese_notebook(page):
    name = page.split("/", 1)[1]
    translated = {m.id: m.string for m in i18n.load(page) if m.id and m.string and not m.fuzzy and m.string != m.id}
    zh = json.loads((REPO / "notebooks" / "zh" / f"{name}.ipynb").read_text())
    texts = ["".join(c["source"]) for c in zh["cells"] if c["cell_type"] == "markdown"]
    texts += [holder[k] for c in zh["cells"] for holder, k in
              slides.deck_texts(c.get("metadata", {}).get("slideshow", {}).get("deck") or {})]
    english = [cell for text in texts for cell in _table_cells(text) if cell in translated]
    assert not english, f"{name}: table cells left in English though the catalogue translates them: {english[:8]}"


@pytest.mark.parametrize("page", [p for p in i18n.released() if p.startswith("notebooks/")])
def test_a_chinese_notebook_is_the_english_one_with_its_markdown_translated(page):
    name = page.split("/", 1)[1]
    en = json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text())
    zh = json.loads((REPO / "notebooks" / "zh" / f"{name}.ipynb").read_text())
    assert len(en["cells"]) == len(zh["cells"])
    changed = 0
    for a, b in zip(en["cells"], zh["cells"]):
        assert a["cell_type"] == b["cell_type"]
        if a["cell_type"] == "code":
            assert a["source"] == b["source"] and a.get("outputs") == b.get("outputs")      # code and outputs identical
        else:
            changed += a["source"] != b["source"]
    assert changed == sum(c["cell_type"] == "markdown" for c in en["cells"]), f"{name}: a markdown cell left English"
    first = "".join(zh["cells"][0]["source"])
    assert f"notebooks/zh/{name}.ipynb" in first and i18n.COLAB_ALT in first          # its badge opens itself
    assert zh["metadata"]["gan_course"]["generated_from"] == f"notebooks/{name}.ipynb"


def test_a_chinese_notebooks_setup_cell_finds_the_clone_two_folders_up():
    zh = REPO / "notebooks" / "zh"
    nb = json.loads(next(zh.glob("*.ipynb")).read_text())
    setup = "".join(nb["cells"][1]["source"])
    line = next(l for l in setup.splitlines() if l.startswith("CLONE = "))
    here = os.getcwd()
    try:
        os.chdir(zh)
        scope = {"os": os}
        exec(line, scope)
    finally:
        os.chdir(here)
    assert scope["CLONE"] == str(REPO)


def test_a_colab_badge_opens_the_chinese_notebook_only_where_one_is_released(monkeypatch):
    badge = ("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research."
             "google.com/github/gan-course/gans-in-jax/blob/main/notebooks/{}.ipynb)")
    monkeypatch.setattr(i18n, "released", lambda: ["index", "notebooks/05_training_loop"])
    released, new = i18n.automatic(badge.format("05_training_loop")), i18n.automatic(badge.format("13_gans_in_2026"))
    assert "/notebooks/zh/05_training_loop.ipynb" in released and i18n.COLAB_ALT in released
    assert "/notebooks/13_gans_in_2026.ipynb" in new and "/zh/" not in new and i18n.COLAB_ALT in new
