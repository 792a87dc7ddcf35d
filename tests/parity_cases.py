"""Engine-side computations run the same way on any workspace engine, and a comparison of their results.

Used by the parity tests: DuckDB against Postgres (tests/test_postgres.py) and against local Spark
(tests/test_engines.py, tests/test_features_parity.py). Each case takes a Workspace that already holds the shared inputs
(`load_inputs`) and returns a pandas DataFrame sorted by its key."""

import functools

import numpy as np
import pandas as pd

from conftest import ROOT

SAMPLE = ROOT / "datasets/online_retail_sample/online_retail_sample_1000_customers.csv.gz"
AS_OF, CAL_END, OBS_END = "2011-09-01", "2011-06-30", "2011-12-09"


@functools.cache
def inputs() -> dict[str, pd.DataFrame]:
    "Canonical orders and order_items of the online-retail sample (1,000 customers) and 300 synthetic journeys."
    from aima.core import Workspace
    from aima.data.imports import import_source
    from aima.data.synth import generate_shop

    with Workspace(":memory:") as ws:
        import_source(ws, SAMPLE)
        out = {t: ws.read(t) for t in ("orders", "order_items")}
    out["touchpoints"] = generate_shop(300, seed=3, tables=["touchpoints"]).tables["touchpoints"]
    return out


def load_inputs(ws, names=("orders", "order_items", "touchpoints")):
    "Write the shared inputs into workspace `ws` as canonical tables."
    from aima.data.schema import to_canonical

    for name in names:
        ws.write(name, to_canonical(name, inputs()[name]))


def rfm(ws) -> pd.DataFrame:
    "lifetimes-style frequency / recency / T / monetary_value per customer (daily periods) at AS_OF."
    from aima.customers.features import rfm_summary

    return rfm_summary(ws.table("orders"), as_of=AS_OF).to_pandas().set_index("customer_id").sort_index()


def btyd(ws) -> pd.DataFrame:
    "The BTYD calibration/holdout summary (weeks) that the CLV models fit on, computed in the engine."
    from aima.retention.clv import calibration_summary

    return calibration_summary(ws.table("orders"), CAL_END, OBS_END, at="ordered_at", amount="amount")


def features(ws) -> pd.DataFrame:
    "The whole customer feature table at AS_OF."
    from aima.customers.features import feature_table

    df = feature_table(ws, as_of=AS_OF).to_pandas().drop(columns="as_of")
    return df.sort_values("customer_id").set_index("customer_id")


def journeys(ws) -> pd.DataFrame:
    "Distinct conversion paths of the touchpoints table with their totals (attribution's input)."
    from aima.attribution.journeys import workspace_paths

    return workspace_paths(ws).sort_values("path").set_index("path")


CASES = {"rfm": rfm, "btyd": btyd, "features": features, "journeys": journeys}


def assert_agree(a: pd.DataFrame, b: pd.DataFrame, rtol=1e-9, atol=1e-9) -> float:
    """Same index, columns and values (numbers to `rtol`/`atol`, everything else as text); returns the largest
    absolute difference between numeric cells (the parity figure)."""
    assert a.index.astype(str).tolist() == b.index.astype(str).tolist()
    assert list(a.columns) == list(b.columns)
    worst = 0.0
    for c in a.columns:
        x, y = a[c], b[c]
        nx, ny = pd.to_numeric(x, errors="coerce"), pd.to_numeric(y, errors="coerce")
        numeric = (
            nx.notna().sum() == x.notna().sum()
            and ny.notna().sum() == y.notna().sum()
            and not pd.api.types.is_bool_dtype(x)
            and not pd.api.types.is_bool_dtype(y)
        )
        if numeric:
            fx, fy = nx.astype(float).to_numpy(), ny.astype(float).to_numpy()
            np.testing.assert_allclose(fx, fy, rtol=rtol, atol=atol, equal_nan=True, err_msg=c)
            both = ~(np.isnan(fx) | np.isnan(fy))
            worst = max(worst, float(np.abs(fx[both] - fy[both]).max(initial=0.0)))
        else:
            norm = lambda s: s.astype(object).where(s.notna(), None).astype(str).tolist()  # noqa: E731
            assert norm(x) == norm(y), c
    return worst
