"""Time every cell of notebooks the way `nbdev_test` runs them, and print the slowest: where the test budget goes.

    python tools/nb_timings.py nbs/60_retention/00_clv.ipynb [more.ipynb ...] [--flags "slow spark"] [--top 10]

Each notebook runs in a fresh `CaptureShell` in its folder with `IN_TEST=1`, skipping `#| eval: false` cells and cells
carrying a test flag (settings.ini's `tst_flags`) that `--flags` does not name, exactly as `nbdev_test` does. One JSON
line per notebook goes to stdout (total seconds, the slowest cells with their first line and directives); a failing
cell stops that notebook and is reported, and the exit status is 1 when any notebook failed.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path


def time_notebook(path: Path, flags: set[str], top: int) -> dict:
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    from nbdev.config import get_config
    from nbdev.process import NBProcessor
    from nbdev.processors import FrontmatterProc

    skip = set(get_config().get("tst_flags", "").split()) - flags
    os.environ["IN_TEST"] = "1"
    nb = NBProcessor(path, procs=FrontmatterProc, process=True).nb
    cells, skipped, start = [], [], time.time()
    k = CaptureShell(path)
    error = None
    with working_directory(path.parent):
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or "nbdev_export" + "(" in cell.source:
                continue
            d = getattr(cell, "directives_", {}) or {}
            first = next((l for l in cell.source.splitlines() if l.strip() and not l.lstrip().startswith("#|")), "")
            if d.get("eval:", [""])[0].lower() == "false" or skip & d.keys():
                skipped.append(
                    {"cell": i + 1, "flags": sorted(skip & d.keys()) or ["eval: false"], "first": first[:70]}
                )
                continue
            t = time.time()
            k.cell(cell)
            cells.append({"cell": i + 1, "s": round(time.time() - t, 2), "first": first[:70], "directives": sorted(d)})
            if k.exc is not None:
                error = f"cell {i + 1}: {type(k.exc).__name__}: {k.exc}"
                break
    return {
        "notebook": str(path),
        "seconds": round(time.time() - start, 1),
        "error": error,
        "slowest": sorted(cells, key=lambda c: -c["s"])[:top],
        "skipped": skipped,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--flags", default="", help="test flags whose cells run too, e.g. 'slow spark'")
    ap.add_argument("--top", type=int, default=5, help="how many of the slowest cells to list per notebook")
    args = ap.parse_args(argv)
    failed = False
    for nb in args.notebooks:
        res = time_notebook(nb.resolve(), set(args.flags.split()), args.top)
        failed |= res["error"] is not None
        print(json.dumps(res), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
