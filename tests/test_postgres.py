"""The same Workspace code on embedded DuckDB and on Postgres (through Ibis) gives the same answers.

The `postgres_url` fixture (tests/conftest.py) starts a throw-away local cluster (initdb + pg_ctl) per session."""

import pandas as pd
import pytest

from aima.core import Workspace
from parity_cases import CASES, assert_agree, load_inputs
from test_engines import _exercise


def test_workspace_on_postgres(postgres_url):
    with Workspace(postgres_url) as ws:
        assert ws.backend == "postgres"
        pg = _exercise(ws)
    with Workspace(":memory:") as ws:
        duck = _exercise(ws)
    pd.testing.assert_frame_equal(duck[0], pg[0], check_dtype=False)
    pd.testing.assert_frame_equal(duck[1], pg[1], check_dtype=False)
    assert duck[2] == pg[2] == {"orders": 4, "quarantine": 0}


@pytest.fixture(scope="module")
def duck_results():
    "Every parity case on embedded DuckDB (the reference)."
    with Workspace(":memory:") as ws:
        load_inputs(ws)
        return {name: case(ws) for name, case in CASES.items()}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_postgres_agrees_with_duckdb(postgres_url, duck_results, case):
    with Workspace(postgres_url) as ws:
        load_inputs(ws)
        pg = CASES[case](ws)
    ref = duck_results[case]
    assert len(ref) > 100
    worst = assert_agree(ref, pg)
    print(f"parity {case}: {len(ref)} rows x {ref.shape[1]} columns, max |duckdb - postgres| = {worst:.3g}")
