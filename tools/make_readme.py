"""Generate README.md from nbs/index.ipynb (what `nbdev_readme` does, without needing Quarto).

`python tools/make_readme.py` writes README.md; `--check` exits 1 if README.md is out of date.
"""

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
HEADER = "<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n\n"


def render() -> str:
    nb = nbformat.read(ROOT / "nbs" / "index.ipynb", as_version=4)
    parts = []
    for cell in nb.cells:
        src = cell.source.strip()
        if not src or src.startswith("#|") and "hide" in src.splitlines()[0]:
            continue
        if cell.cell_type == "markdown":
            parts.append(src)
        elif cell.cell_type == "code":
            parts.append(f"```python\n{src}\n```")
    return HEADER + "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    text = render()
    readme = ROOT / "README.md"
    if "--check" in sys.argv:
        if not readme.exists() or readme.read_text(encoding="utf-8") != text:
            print(
                "README.md is out of date with nbs/index.ipynb. Fix: python tools/make_readme.py, then commit.",
                file=sys.stderr,
            )
            sys.exit(1)
        print("ok: README.md matches nbs/index.ipynb")
    else:
        readme.write_text(text, encoding="utf-8")
        print(f"wrote {readme}")
