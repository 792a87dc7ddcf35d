"""The feature pipeline gives the same numbers on embedded DuckDB and on local Spark (same Ibis code)."""

import shutil

import numpy as np
import pandas as pd
import pytest

from aima.core import Workspace
from aima.customers.features import feature_table
from aima.data.imports import import_source
from aima.data.schema import to_canonical
from conftest import ROOT

SAMPLE = ROOT / "datasets/online_retail_sample/online_retail_sample_1000_customers.csv.gz"


@pytest.mark.spark
@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 on PATH")
def test_features_duckdb_equals_spark(tmp_path):
    pytest.importorskip("pyspark", reason="install aima[spark]")
    with Workspace(tmp_path / "w.duckdb") as ws:
        import_source(ws, SAMPLE)
        tables = {t: ws.read(t) for t in ("orders", "order_items")}
        duck = feature_table(ws, as_of="2011-09-01").to_pandas()
    with Workspace("pyspark") as sp:
        for name, df in tables.items():
            sp.write(name, to_canonical(name, df))
        spark = feature_table(sp, as_of="2011-09-01").to_pandas()
    duck = duck.sort_values("customer_id").reset_index(drop=True)
    spark = spark.sort_values("customer_id").reset_index(drop=True)
    assert len(duck) == len(spark) > 700
    assert list(duck.columns) == list(spark.columns)
    for c in duck.columns:
        if c in ("as_of",):
            continue
        a, b = duck[c], spark[c]
        na, nb = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
        if (
            na.notna().sum() == a.notna().sum()
            and nb.notna().sum() == b.notna().sum()
            and not pd.api.types.is_bool_dtype(a)
        ):
            a, b = na, nb
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            np.testing.assert_allclose(
                a.astype(float), b.astype(float), rtol=1e-6, atol=1e-6, equal_nan=True, err_msg=c
            )
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), c
