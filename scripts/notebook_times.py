"""Each notebook's own time, top to bottom, as its last cell printed it; and the README's table column made from them.

    python scripts/notebook_times.py            # prints the times (notebooks over the 8-minute class period flagged)
    python scripts/notebook_times.py --readme   # rewrites the time column of the README's notebook table

Every notebook ends with ``print(course.top_to_bottom(T_START))``; the committed .ipynb keeps that line from its last
normal-mode run (``./course.sh execute``). tests/test_notebook_times.py fails when the README disagrees with it.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from gan_utils.course import TIME_LINE  # noqa: E402

CLASS_PERIOD_MIN = 8.0          # the course's promise: every notebook, top to bottom, within a class period
LINE = re.compile(re.escape(TIME_LINE) + r" (?P<minutes>[0-9.]+) minutes \((?P<date>\d{4}-\d\d-\d\d);(?P<rest>[^)]*)\)")
COLUMN = "run time, 2-core CPU (its own last line)"


def notebook_time(ipynb: Path) -> dict | None:
    """The time line of the last code cell's output, parsed: minutes, date, rest (load, CPUs, test mode); or None."""
    cells = [c for c in json.loads(ipynb.read_text())["cells"] if c["cell_type"] == "code"]
    if not cells:
        return None
    text = "".join("".join(o.get("text", "")) for o in cells[-1].get("outputs", []) if o.get("output_type") == "stream")
    m = LINE.search(text)
    if not m:
        return None
    return {"minutes": float(m["minutes"]), "date": m["date"], "rest": m["rest"].strip(),
            "under_test": "under test" in m["rest"]}


def times() -> dict[str, dict | None]:
    return {p.stem[:2]: notebook_time(p) for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))}


def _seconds(cell: dict) -> float | None:
    """A code cell's measured time from the execution record Jupyter keeps in its metadata (None if not run)."""
    e = cell.get("metadata", {}).get("execution", {})
    if "iopub.execute_input" not in e or "shell.execute_reply" not in e:
        return None
    start, end = (datetime.fromisoformat(e[k].replace("Z", "+00:00"))
                  for k in ("iopub.execute_input", "shell.execute_reply"))
    return (end - start).total_seconds()


def section_times(ipynb: Path) -> list[dict]:
    """The measured seconds of each "## " section of a notebook, from its last execution (the cells' own records):
    [{"title", "anchor" (MyST's), "cells" (code cells), "seconds", "longest" (seconds), "longest_line" (its
    first line), "appendix" (bool)}], in order; cells before the first section are "Setup and introduction"."""
    sections = [{"title": "Setup and introduction", "anchor": "", "cells": 0, "seconds": 0.0, "longest": 0.0,
                 "longest_line": "", "appendix": False}]
    for c in json.loads(ipynb.read_text())["cells"]:
        src = "".join(c["source"])
        if c["cell_type"] == "markdown":          # a heading may sit anywhere in a cell
            for m in re.finditer(r"^## (.+)$", re.sub(r"(?ms)^```.*?^```", "", src), re.M):
                title = m[1].strip()
                sections.append({"title": title, "anchor": _anchor(title), "cells": 0, "seconds": 0.0, "longest": 0.0,
                                 "longest_line": "",
                                 "appendix": title.startswith("Appendix") or sections[-1]["appendix"]})
            continue
        t = _seconds(c) if c["cell_type"] == "code" else None
        if t is None:
            continue
        s = sections[-1]
        s["cells"] += 1
        s["seconds"] += t
        if t > s["longest"]:
            s["longest"] = t
            s["longest_line"] = next((line for line in src.splitlines() if line.strip()
                                      and not line.startswith("# NBVAL")), "")
    return [s for s in sections if s["cells"] or s["anchor"]]


def _anchor(title: str) -> str:
    """MyST's heading anchor (myst_heading_anchors' slug: inline math dropped, lower case, punctuation dropped,
    each space a hyphen)."""
    slug = re.sub(r"[^\w\- ]", "", re.sub(r"\$[^$]*\$", "", title).lower())
    return re.sub(r"\s", "-", slug)


def cell(t: dict | None) -> str:
    """The README's entry: minutes, date and the load the run shared the machine with (2 cores: above 2 is busy)."""
    if t is None:
        return "not measured"
    load = re.search(r"load average ([0-9.]+)", t["rest"])
    return f"{t['minutes']:.1f} min ({t['date']}{', load ' + load[1] if load else ''})"


def readme_table_rows(text: str) -> dict[str, list[str]]:
    """The README's notebook table: number -> its cells."""
    rows = {}
    for line in text.splitlines():
        m = re.match(r"\| (\d\d) \|", line)
        if m:
            rows[m[1]] = [c.strip() for c in line.strip().strip("|").split("|")]
    return rows


def rewrite_readme(text: str, found: dict[str, dict | None]) -> str:
    out = []
    for line in text.splitlines():
        m = re.match(r"\| (\d\d) \|", line)
        if m and m[1] in found:
            cells = line.strip().strip("|").split("|")
            cells[-1] = f" {cell(found[m[1]])} "
            line = "|" + "|".join(cells) + "|"
        elif line.startswith("| # | notebook |"):
            cells = line.strip().strip("|").split("|")
            cells[-1] = f" {COLUMN} "
            line = "|" + "|".join(cells) + "|"
        out.append(line)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--readme", action="store_true", help="rewrite the README table's time column")
    args = ap.parse_args(argv)
    found = times()
    for nb, t in found.items():
        flag = ("" if t is None or t["minutes"] <= CLASS_PERIOD_MIN
                else f"  OVER the {CLASS_PERIOD_MIN:g}-minute class period")
        note = " (a test-mode run: re-execute it with ./course.sh execute)" if t and t["under_test"] else ""
        print(f"{nb}: {cell(t)}{'' if t is None else ' ' + t['rest']}{note}{flag}")
    if args.readme:
        readme = ROOT / "README.md"
        readme.write_text(rewrite_readme(readme.read_text(), found))
        print(f"rewrote the time column of {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
