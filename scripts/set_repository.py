"""Writes the course's repository address (gan_utils.course.REPOSITORY and BRANCH) everywhere it appears.

The address is typed once, in gan_utils/course.py. The notebooks' Colab badges and setup cells (both files of each
pair, .ipynb and .py, so the pair stays in sync), the README and the website's pages (docs/*.md) carry copies,
which this script rewrites:

    python scripts/set_repository.py          # after changing REPOSITORY (or BRANCH) in gan_utils/course.py
    python scripts/set_repository.py --check  # exit 1 and list the files that disagree (what the test does)
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from gan_utils import course  # noqa: E402  (the clone's own copy; needs no dependency)

# Where a copy of the address lives: (pattern, replacement). Owner/name are GitHub's characters.
_NAME = r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+"
PATTERNS = [
    (re.compile(rf"colab\.research\.google\.com/github/{_NAME}/blob/[A-Za-z0-9_./-]+?/notebooks/"),
     f"colab.research.google.com/github/{course.REPOSITORY}/blob/{course.BRANCH}/notebooks/"),
    (re.compile(rf'REPO = "https://github\.com/{_NAME}"'), f'REPO = "{course.REPO_URL}"'),
    (re.compile(r'f"git\+\{REPO\}@[A-Za-z0-9_./-]+"'), f'f"git+{{REPO}}@{course.BRANCH}"'),
    (re.compile(rf"git clone https://github\.com/{_NAME}(\.git)?"), f"git clone {course.REPO_URL}"),
    # the website, where the README names it ("the course's website, <URL>"), not any other github.io address
    (re.compile(r"(?<=website, <)https://[A-Za-z0-9-]+\.github\.io/[A-Za-z0-9_.-]+/"), course.SITE_URL),
]


def files() -> list[Path]:
    nbs = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    return nbs + [ROOT / "README.md", ROOT / "CONTRIBUTING.md"] + sorted((ROOT / "docs").glob("*.md"))


def rewrite(text: str) -> str:
    for pattern, replacement in PATTERNS:
        # in an .ipynb the cell sources are JSON strings: quotes are escaped there
        text = pattern.sub(lambda m: replacement, text)
        escaped = replacement.replace('"', '\\"')
        text = re.compile(pattern.pattern.replace('"', r'\\"')).sub(lambda m: escaped, text)
    return text


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true", help="only list the files whose copies disagree")
    args = p.parse_args(argv)
    stale = []
    for f in files():
        if not f.exists():
            continue
        old = f.read_text()
        new = rewrite(old)
        if new != old:
            stale.append(f.relative_to(ROOT))
            if not args.check:
                f.write_text(new)
    verb = "disagree with" if args.check else "rewritten to"
    print(f"{len(stale)} file(s) {verb} {course.REPO_URL} ({course.BRANCH})" + "".join(f"\n  {s}" for s in stale))
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
