"`aima mta`: multi-touch attribution of a paths file and of a workspace's touchpoints, end to end."

import json
import subprocess

import numpy as np
import pandas as pd

from conftest import BIN
from aima.core import Workspace


def _aima(*args):
    return subprocess.run([str(BIN / "aima"), "mta", *map(str, args)], capture_output=True, text=True)


PATHS = pd.DataFrame(
    {
        "path": ["search > email", "social > search", "email", "social"],
        "total_conversions": [4, 2, 1, 0],
        "total_conversion_value": [40.0, 10.0, 5.0, 0.0],
        "total_null": [6, 8, 9, 12],
    }
)


def test_mta_paths_file(tmp_path):
    f = tmp_path / "paths.csv"
    PATHS.to_csv(f, sep=";", index=False)
    r = _aima(f, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out["paths"], out["conversions"], out["nulls"]) == (4, 7, 35)
    assert list(out["methods"]) == [
        "first",
        "last",
        "linear",
        "time_decay",
        "position",
        "markov_1",
        "markov_2",
        "shapley",
    ]
    assert out["methods"]["first"] == {
        "email": {"conversions": 1.0, "value": 5.0, "share": round(1 / 7, 6)},
        "search": {"conversions": 4.0, "value": 40.0, "share": round(4 / 7, 6)},
        "social": {"conversions": 2.0, "value": 10.0, "share": round(2 / 7, 6)},
    }
    for m, ch in out["methods"].items():
        assert abs(sum(c["conversions"] for c in ch.values()) - 7) < 1e-3, m
    from aima.attribution.mta import attribute  # exact Markov: the same answer in-process, every run

    again = attribute(PATHS, ["markov_1"]).set_index("channel").conversions.round(4).to_dict()
    assert again == {c: v["conversions"] for c, v in out["methods"]["markov_1"].items()}


def test_mta_bad_input(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("path,total_conversions\na > > b,1\n")
    r = _aima(f)
    assert r.returncode == 1 and "row 1 has an empty path or an empty step" in r.stderr, r.stderr


def test_mta_workspace(tmp_path):
    from aima.data.synth import generate_shop

    ws_path = tmp_path / "w.duckdb"
    r = _aima("--workspace", ws_path)
    assert r.returncode == 1 and "no touchpoints table" in r.stderr
    tp = generate_shop(200, seed=2, tables=["touchpoints"]).tables["touchpoints"]
    with Workspace(ws_path) as ws:
        ws.write("touchpoints", tp.drop(columns=["extra", "campaign_id"]))
    r = _aima("--workspace", ws_path, "--json", "--methods", "linear,markov_1,shapley,attention")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["conversions"] == 200 and out["table"] == "attribution_credits"
    with Workspace(ws_path) as ws:
        t = ws.read("attribution_credits")
    assert sorted(t.method.unique()) == ["attention", "linear", "markov_1", "shapley"]
    assert set(t.channel) == set(tp.channel)
    assert np.allclose(t.groupby("method").conversions.sum(), 200)
    # the attention model trained on the journeys with the time gaps between touches, not on the aggregated paths
    from aima.attribution.attention import AttentionMTA, encode_journeys, journey_touches

    assert out["attention_gaps"] is True
    with Workspace(ws_path) as ws:
        tj = encode_journeys(journey_touches(ws.table("touchpoints")).to_pandas())
    want = AttentionMTA(random_state=0).fit(tj).credits().set_index("channel").conversions
    got = t[t.method == "attention"].set_index("channel").conversions[want.index]
    assert np.allclose(got, want, atol=1e-3), (got, want)


def test_heuristics_equal_channelattribution_reference(external_dataset):
    from aima.attribution.heuristics import heuristic_credits
    from aima.attribution.journeys import read_paths

    data = external_dataset("mta_channelattribution_paths/Data.csv")
    ref = pd.read_csv(data.parent / "heuristic_attribution_reference.csv").set_index("channel_name").sort_index()
    got = heuristic_credits(read_paths(data), ["first", "last", "linear"])
    for m in ("first", "last", "linear"):
        g = got[got.method == m].set_index("channel")
        assert np.allclose(g.conversions, ref[f"{m}_touch_conversions"], atol=1e-4, rtol=0)
        assert np.allclose(g.value, ref[f"{m}_touch_value"], atol=1e-4, rtol=0)
