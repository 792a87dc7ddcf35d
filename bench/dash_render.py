"""Dashboards: first-render time of each Voilà page in headless chromium (Debian's, via playwright). Prints JSON lines.

Usage: python bench/dash_render.py [SIZE ...]    (synthetic shop of SIZE customers with every result; default 1000)
Needs chromium (`make browser-deps`) and playwright (dev extra). Target: every page under 5 s.
"""

import sys

from aima.workbench.bench import run

if __name__ == "__main__":
    run("dash_render", sizes=[int(s) for s in sys.argv[1:]] or None)
