"""Health score validation on real data with a time split (CDNOW from the shared datasets; Online Retail is in the
notebook)."""

from aima.core import Workspace
from aima.customers.features import evaluate_health
from aima.data.imports import import_source


def test_health_score_auroc_on_cdnow(tmp_path, external_dataset):
    path = external_dataset("cdnow_subset/cdnow_subset_transactions.csv")
    with Workspace(tmp_path / "c.duckdb") as ws:
        out = import_source(ws, path, mapping={"dollar_value": "amount", "number_of_cds": "quantity"})
        assert (out["rows"], out["imported"], out["tables"]["customers"]) == (2870, 2870, 1000)
        ev = evaluate_health(ws, "1997-09-30", horizon_days=90)
    print(ev)
    assert ev["customers"] == 1000
    assert ev["auroc_health"] > 0.75 and ev["auroc_health"] >= ev["auroc_recency_only"]
