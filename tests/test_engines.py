"""The same Workspace code on embedded DuckDB and on a local Spark session gives the same answers."""

import shutil

import pandas as pd
import pytest

from aima.core import Workspace

ORDERS = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": ["x", "y", "x"], "amount": [10.0, 20.0, 5.5]})
UPDATE = pd.DataFrame({"order_id": ["c", "d"], "customer_id": ["x", "z"], "amount": [7.5, 1.0]})


def _exercise(ws):
    ws.write("orders", ORDERS)
    ws.write("orders", UPDATE, mode="upsert", keys="order_id")
    ws.write("orders", UPDATE, mode="upsert", keys="order_id")  # idempotent
    t = ws.table("orders")
    per_customer = (
        t.group_by("customer_id").aggregate(n=t.count(), revenue=t.amount.sum()).order_by("customer_id").to_pandas()
    )
    return ws.read("orders").sort_values("order_id").reset_index(drop=True), per_customer, ws.row_counts()


@pytest.mark.spark
@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 on PATH")
def test_duckdb_and_spark_agree(tmp_path):
    pytest.importorskip("pyspark", reason="install aima[spark]")
    with Workspace(tmp_path / "w.duckdb") as ws:
        duck = _exercise(ws)
    with Workspace("pyspark") as ws:
        assert ws.backend == "pyspark"
        spark = _exercise(ws)
    pd.testing.assert_frame_equal(duck[0], spark[0], check_dtype=False)
    pd.testing.assert_frame_equal(duck[1], spark[1], check_dtype=False)
    assert duck[2] == spark[2] == {"orders": 4, "quarantine": 0}


TX = pd.DataFrame(
    {
        "customer_id": ["a", "a", "a", "a", "b"],
        "amount": [10.0, 5.0, 20.0, 30.0, 7.0],
        "ordered_at": pd.to_datetime(
            ["2024-01-01 09:00", "2024-01-01 18:00", "2024-01-11 00:00", "2024-01-21 00:00", "2024-01-05 00:00"],
            utc=True,
        ),
    }
)


def _rfm(ws):
    from aima.customers.features import rfm_summary

    ws.write("tx", TX)
    expr = rfm_summary(ws.table("tx"), as_of="2024-01-31").order_by("customer_id")
    return expr.to_pandas().set_index("customer_id"), str(ws.con.compile(expr))


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 on PATH")
def test_rfm_summary_duckdb_and_spark_agree(tmp_path):
    "DuckDB reads EPOCH_US (no per-row time-zone cast); Spark keeps the portable epoch seconds; the numbers agree."
    pytest.importorskip("pyspark", reason="install aima[spark]")
    with Workspace(tmp_path / "w.duckdb") as ws:
        duck, duck_sql = _rfm(ws)
    with Workspace("pyspark") as ws:
        spark, spark_sql = _rfm(ws)
    assert ("EPOCH_US" in duck_sql.upper(), "EPOCH_US" in spark_sql.upper()) == (True, False)
    assert duck.loc["a"].tolist() == [2.0, 20.0, 30.0, 25.0]  # two repeat days, day 0 -> 20, 30 days, (20+30)/2
    assert duck.loc["b"].tolist() == [0.0, 0.0, 26.0, 0.0]
    pd.testing.assert_frame_equal(duck, spark, check_dtype=False)


@pytest.mark.spark
@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 on PATH")
def test_journeys_and_btyd_duckdb_and_spark_agree():
    "Journey paths (ordered GROUP_CONCAT) and BTYD calibration summaries: the same on local Spark as on DuckDB."
    pytest.importorskip("pyspark", reason="install aima[spark]")
    from parity_cases import assert_agree, btyd, journeys, load_inputs

    names = ("orders", "touchpoints")
    with Workspace(":memory:") as ws:
        load_inputs(ws, names)
        duck = {"journeys": journeys(ws), "btyd": btyd(ws)}
    with Workspace("pyspark") as ws:
        load_inputs(ws, names)
        spark = {"journeys": journeys(ws), "btyd": btyd(ws)}
    for case, ref in duck.items():
        assert len(ref) > 100
        worst = assert_agree(ref, spark[case])
        print(f"parity {case}: {len(ref)} rows x {ref.shape[1]} columns, max |duckdb - spark| = {worst:.3g}")
