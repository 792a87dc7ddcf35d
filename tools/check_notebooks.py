"""Fail if notebooks are not clean (`nbdev_clean` changes them) or aima/ is out of sync (`nbdev_export` changes it).

Used by `make test`. Like nbdev's own CI check it runs the tools in place, so after a failure the working
tree holds the fixed files: review them with `git diff` and commit.
"""

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def snapshot(pattern_dirs):
    out = {}
    for d, pat in pattern_dirs:
        for p in sorted((ROOT / d).rglob(pat)):
            if any(part in (".ipynb_checkpoints", "__pycache__") for part in p.parts):
                continue
            out[str(p.relative_to(ROOT))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def run_and_compare(cmds, dirs, what, fix):
    before = snapshot(dirs)
    cmd = cmds[0][0]
    for args in cmds:
        res = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=ROOT, capture_output=True, text=True)
        if res.returncode != 0:
            print(f"{' '.join(args)} failed:\n{res.stdout}\n{res.stderr}", file=sys.stderr)
            return False
    after = snapshot(dirs)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if changed:
        print(f"{what}: {cmd} changed {len(changed)} file(s):", file=sys.stderr)
        for c in changed:
            print(f"  {c}", file=sys.stderr)
        print(f"Fix: {fix}", file=sys.stderr)
        return False
    print(f"ok: {what}")
    return True


NB_DIRS = [d for d in ("nbs", "dashboards") if (ROOT / d).is_dir()]
# Paper notebooks are papers/<paper>/*.ipynb; executed copies under papers/<paper>/results/ keep their outputs.
PAPER_NBS = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("papers/*/*.ipynb"))
ok = run_and_compare(
    [["nbdev_clean", "--fname", d] for d in NB_DIRS + PAPER_NBS],
    [(d, "*.ipynb") for d in NB_DIRS] + [(str(Path(p).parent), Path(p).name) for p in PAPER_NBS],
    "notebooks are clean",
    "run `nbdev_clean` (or `make check-notebooks`) and commit the cleaned notebooks.",
)
ok = ok and run_and_compare(
    [["nbdev_export"]],
    [("aima", "*.py")],
    "aima/ is in sync with nbs/",
    "edit the notebooks (never aima/*.py), run `nbdev_export` and commit aima/.",
)
sys.exit(0 if ok else 1)
