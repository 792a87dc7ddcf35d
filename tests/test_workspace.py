"""Workspace guarantees that need real processes: one writer, clear lock errors, crash safety."""

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from aima.core import Workspace, WorkspaceLockedError

HOLD = """
import sys, time, pandas as pd
from aima.core import Workspace
ws = Workspace(sys.argv[1])
print("ready", flush=True)
time.sleep(120)
"""

CRASH = """
import sys, numpy as np, pandas as pd
from aima.core import Workspace
ws = Workspace(sys.argv[1])
i = 0
while True:   # keep replacing a large table until killed
    i += 1
    df = pd.DataFrame({"k": np.arange(200_000), "v": np.full(200_000, float(i))})
    ws.write("big", df)
    print(i, flush=True)
"""


def _spawn(code, *args):
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], stdout=subprocess.PIPE, text=True)


def test_second_writer_gets_locked_error_with_pid(tmp_path):
    path = tmp_path / "w.duckdb"
    Workspace(path).close()
    holder = _spawn(HOLD, path)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WorkspaceLockedError, match=f"locked by PID {holder.pid}"):
            Workspace(path)
        with pytest.raises(WorkspaceLockedError, match=f"locked by PID {holder.pid}"):
            Workspace(path, read_only=True)
    finally:
        holder.kill()
        holder.wait()
    with Workspace(path) as ws:  # free again once the holder is gone
        assert ws.tables() == ["quarantine"]


def test_killed_writer_leaves_a_consistent_workspace(tmp_path):
    path = tmp_path / "w.duckdb"
    with Workspace(path) as ws:
        ws.write("big", pd.DataFrame({"k": [0], "v": [0.0]}))
    writer = _spawn(CRASH, path)
    try:
        for _ in range(3):  # let it complete a few writes, then kill it mid-way
            assert writer.stdout.readline()
        time.sleep(0.05)
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait()
    with Workspace(path) as ws:
        big = ws.read("big")
        assert len(big) == 200_000 and big.v.nunique() == 1  # one complete write, never a mix
        log = ws.read("_aima_writes")
        assert (log.table_name == "big").sum() >= 3
