"""Dashboards: the Home page's data states, and a real Voilà server rendering it on 127.0.0.1."""
import os
import subprocess
import sys
import time
import urllib.request

import pandas as pd
import pytest

from aima.core import Workspace
from aima.dash import free_port, home_html, voila_command, workspace_overview
from conftest import ROOT

HOLD = "import sys, time\nfrom aima.core import Workspace\nw = Workspace(sys.argv[1])\nprint('ready', flush=True)\ntime.sleep(120)\n"


@pytest.fixture
def shop(tmp_path):
    path = tmp_path / "shop.duckdb"
    with Workspace(path) as ws:
        ws.write("orders", pd.DataFrame({"order_id": ["a", "b"], "customer_id": ["x", "y"], "amount": [12.5, 7.5], "is_return": [False, False]}))
        ws.write("customers", pd.DataFrame({"customer_id": ["x", "y"]}))
        iid = ws.record_import("march.csv", tables=["orders"], rows=3, imported=2, quarantined=1)
        ws.quarantine(pd.DataFrame([{"import_id": iid, "source": "march.csv", "row_number": 4, "column": "Order Date",
                                     "reason": "Order Date 'soon' is not a date", "raw": {"Order Date": "soon"}}]))
    return path


def test_overview_states(tmp_path, shop):
    assert workspace_overview(tmp_path / "none.duckdb")["state"] == "missing"
    ov = workspace_overview(shop)
    assert ov["state"] == "ok" and ov["headline"] == {"customers": 2, "orders": 2, "revenue": 20.0, "quarantined": 1}
    assert ov["quarantine"][0]["reason"] == "Order Date 'soon' is not a date"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(shop)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        busy = workspace_overview(shop)
        assert busy["state"] == "busy" and "Refresh" in busy["message"]
        assert "Traceback" not in home_html(busy)
    finally:
        holder.kill()
        holder.wait()


def test_voila_serves_home_without_errors(shop):
    port = free_port()
    env = {**os.environ, "AIMA_WORKSPACE": str(shop)}
    proc = subprocess.Popen(voila_command(ROOT / "dashboards", port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page, deadline = None, time.time() + 90
        while time.time() < deadline and page is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/render/home.ipynb", timeout=60).read().decode()
            except OSError:
                time.sleep(1)
        assert page is not None, "Voilà did not answer within 90 s"
        for text in ("AIMA workspace", "Customers", "20.00", "march.csv", "is not a date"):
            assert text in page, text
        assert "Traceback" not in page and "from aima.dash" not in page          # no errors, no source cells
    finally:
        proc.terminate()
        proc.wait(20)
