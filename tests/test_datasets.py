"""aima.data.datasets on the real shared files (reference numbers from each README), the download/checksum
contract against a local HTTP server, idempotent loads into a workspace, and the CLI commands."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aima.core import Workspace
from aima.data.schema import SCHEMA
from aima.data.datasets import (
    DATASETS,
    ChecksumError,
    DatasetError,
    DatasetNotFoundError,
    Parts,
    datafile,
    dataset,
    list_datasets,
    load,
    locate,
    sha256_file,
)
from aima.data.datasets.core import LOADERS
from conftest import EXTERNAL, ROOT, local_http_server


def _shared(external_dataset, name: str, **options):
    "Load dataset `name` from the shared collection, else from the bundled copy, else skip; check the no-loss contract."
    card = DATASETS[name]
    rel = Path(next(iter(card.files.values())).path).parent
    needed = [card.files[k.lstrip("?")] for k in LOADERS[name][1](**options) if not k.startswith("?")]
    if not (EXTERNAL / rel).is_dir() and all(f.bundled for f in needed):
        folder = ROOT / "datasets" / rel
    else:
        folder = external_dataset(rel.as_posix())
    got = load(name, folder, download_missing=False, **options)
    assert all(got.verified.values()), f"{name}: shared files differ from the card's sha256: {got.files}"
    for t, c in got.counts.items():
        assert c["valid"] + c["rejected"] == c["rows"], (t, c)
        assert list(got.tables[t].columns) == SCHEMA[t].names
        assert len(got.tables[t]) == c["valid"]
    assert got.imported + got.quarantined == got.rows
    assert set(got.extras) <= set(card.extras)
    return got


def _ok(got, primary: str, quarantined: int = 0):
    "One primary row per source record, and only the expected rejects."
    assert got.counts[primary]["rows"] == got.source_rows
    assert got.quarantined == quarantined, got.quarantine.reason.head().tolist()


# --- commerce -----------------------------------------------------------------------------------------------


def test_online_retail(external_dataset):
    got = _shared(external_dataset, "online_retail")
    ref = got.card.reference
    _ok(got, "order_items")
    items, orders, customers = got.tables["order_items"], got.tables["orders"], got.tables["customers"]
    assert (
        (len(items), len(orders), len(customers))
        == (ref["lines"], ref["invoices"], ref["customers"])
        == (98407, 5487, 1000)
    )
    cancel = items.order_id.str.startswith("C")
    assert int(cancel.sum()) == ref["cancellation_lines"] == 2359
    assert items[cancel].is_return.all() and items[items.quantity < 0].is_return.all()
    assert items.amount.sum() == pytest.approx(1991433.48, abs=0.01)
    assert orders.amount.sum() == pytest.approx(items.amount.sum(), abs=0.01)
    assert (orders.status == "cancelled").sum() == orders.order_id.str.startswith("C").sum()
    assert orders.ordered_at.min() == pd.Timestamp("2010-12-01 08:26", tz="UTC")  # GMT in winter
    assert orders.ordered_at.max().date() == pd.Timestamp("2011-12-09").date()
    raw = pd.read_csv(got.files["lines"], dtype={"InvoiceNo": str})
    summer = raw.InvoiceDate.str.startswith("2011-07")
    first_summer = pd.Timestamp(raw[summer].InvoiceDate.min())
    assert orders.ordered_at[orders.ordered_at.dt.month == 7].min() == (
        first_summer - pd.Timedelta(hours=1)
    ).tz_localize("UTC")
    # the bundled copy and the shared copy are the same data: same fingerprint
    assert load("online_retail").fingerprint == got.fingerprint


def test_cdnow(external_dataset):
    got = _shared(external_dataset, "cdnow")
    _ok(got, "orders")
    o = got.tables["orders"]
    raw = pd.read_csv(got.files["transactions"])
    assert len(o) == 2870 and o.customer_id.nunique() == len(got.tables["customers"]) == 1000 and o.order_id.is_unique
    assert (str(o.ordered_at.min().date()), str(o.ordered_at.max().date())) == ("1997-01-01", "1998-06-30")
    assert o.amount.sum() == pytest.approx(raw.dollar_value.sum()) and o["items"].sum() == raw.number_of_cds.sum()
    assert (o.currency == "USD").all()


def test_taobao(external_dataset):
    got = _shared(external_dataset, "taobao")
    ev, buys, ref = got.tables["events"], got.extras["purchases"], got.card.reference
    assert len(ev) + len(buys) == ref["rows"] == 30774 and got.quarantined == 0
    assert ev.event_type.value_counts().to_dict() == {"page_view": 27535, "add_to_cart": 1658, "wishlist_add": 938}
    assert len(buys) == 643 and buys.customer_id.nunique() == 210
    assert len(got.tables["customers"]) == 300
    props = pd.DataFrame([json.loads(p) for p in ev.properties])
    assert pd.concat([props.item_id, buys.item_id]).nunique() == 21615
    assert pd.concat([props.category_id, buys.category_id]).nunique() == 1827


def test_ifood(external_dataset):
    got = _shared(external_dataset, "ifood")
    _ok(got, "customers")
    r = got.extras["responses"]
    assert len(r) == 2240 and r.Response.sum() == 334
    assert {i: int(r[f"AcceptedCmp{i}"].sum()) for i in range(1, 6)} == {1: 144, 2: 30, 3: 163, 4: 167, 5: 163}
    any_acc = r[[f"AcceptedCmp{i}" for i in range(1, 6)]].sum(axis=1) > 0
    assert any_acc.sum() == 463
    assert round(r.Response[any_acc].mean(), 3) == 0.406 and round(r.Response[~any_acc].mean(), 3) == 0.082
    assert sum(json.loads(e)["Complain"] for e in got.tables["customers"].extra) == 21
    pilot = got.tables["campaigns"].set_index("campaign_id").loc["ifood_pilot"]
    assert (pilot.budget, pilot.revenue, pilot.revenue - pilot.budget, pilot.conversions) == (6720, 3674, -3046, 334)


# --- experiments & response -----------------------------------------------------------------------------------


def test_hillstrom(external_dataset):
    got = _shared(external_dataset, "hillstrom")
    _ok(got, "customers")
    ref, out = got.card.reference, got.extras["outcomes"]
    assert out.arm.value_counts().to_dict() == ref["arms"]
    means = out.groupby("arm")[["visit", "conversion", "spend"]].mean()
    for arm in ref["arms"]:
        assert means.loc[arm, "visit"] == pytest.approx(ref["visit"][arm], abs=5e-5)
        assert means.loc[arm, "conversion"] == pytest.approx(ref["conversion"][arm], abs=5e-5)
        assert means.loc[arm, "spend"] == pytest.approx(ref["spend"][arm], abs=5e-4)
    ev = got.tables["events"]
    assert len(ev) == 6400 and (ev.event_type == "campaign_assignment").all()
    assert ev.campaign_id.value_counts().to_dict() == {
        "hillstrom_mens_email": 2180,
        "hillstrom_no_email": 2130,
        "hillstrom_womens_email": 2090,
    }
    camps = got.tables["campaigns"].set_index("campaign_id")
    assert camps.loc["hillstrom_mens_email", "control_size"] == 2130 and camps.loc["hillstrom_no_email", "sends"] == 0
    assert camps.revenue.sum() == pytest.approx(out.spend.sum())


def test_bank_marketing(external_dataset):
    got = _shared(external_dataset, "bank_marketing")
    _ok(got, "customers")
    r = got.extras["responses"]
    assert len(r) == 4119 and r.subscribed.sum() == 451 and round(r.subscribed.mean(), 4) == 0.1095
    assert (r.pdays == 999).any() and set(json.loads(got.tables["customers"].extra[0])) == {
        "age",
        "job",
        "marital",
        "education",
        "default",
        "housing",
        "loan",
    }


def test_upworthy(external_dataset):
    got = _shared(external_dataset, "upworthy")
    _ok(got, "campaigns")
    c, arms = got.tables["campaigns"], got.extras["arms"]
    assert len(c) == 22666 and arms.test_id.nunique() == 4873
    assert c.audience_size.sum() == 81024151 and c.clicks.sum() == 1231208
    winners = arms.groupby("test_id").winner.sum()
    assert ((winners == 1).sum(), (winners == 0).sum(), (winners == 2).sum()) == (1150, 3722, 1)
    prob = arms[arms.problem_period]
    assert (len(prob), prob.test_id.nunique()) == (4308, 1058)


# --- marketing mix ---------------------------------------------------------------------------------------------


def test_mmm_pymc_example(external_dataset):
    got = _shared(external_dataset, "mmm_pymc_example")
    _ok(got, "kpis")
    k, s = got.tables["kpis"], got.tables["spend"]
    assert len(k) == 179 and (str(k.date.min()), str(k.date.max())) == ("2018-04-02", "2021-08-30")
    ctl = pd.DataFrame([json.loads(c) for c in k.controls])
    assert [str(d) for d in k.date[ctl.event_1 == 1]] == ["2019-05-13"] and [
        str(d) for d in k.date[ctl.event_2 == 1]
    ] == ["2020-09-14"]
    assert sorted(s.channel.unique()) == ["x1", "x2"] and (s.geo == "").all()
    raw = pd.read_csv(got.files["weekly"])
    assert s.groupby("channel").spend.sum().to_dict() == pytest.approx(raw[["x1", "x2"]].sum().to_dict())
    # y = scale * (... + 3 * sat(adstock(x1)) + 2 * sat(adstock(x2)) + ...): a free regression recovers betas ~3 and ~2
    tc = got.extras["true_components"]
    X = np.column_stack(
        [
            np.ones(179),
            tc.trend,
            tc.seasonality,
            ctl.event_1,
            ctl.event_2,
            tc.x1_adstock_saturated,
            tc.x2_adstock_saturated,
        ]
    )
    beta = np.linalg.lstsq(X, k.revenue.to_numpy(float) / 1000, rcond=None)[0]
    assert beta[5] == pytest.approx(3.0, abs=0.1) and beta[6] == pytest.approx(2.0, abs=0.1)


def test_mmm_robyn(external_dataset):
    got = _shared(external_dataset, "mmm_robyn_weekly")
    _ok(got, "kpis")
    k, s = got.tables["kpis"], got.tables["spend"]
    assert len(k) == 208 and (str(k.date.min()), str(k.date.max())) == ("2015-11-23", "2019-11-11")
    assert sorted(s.channel.unique()) == ["facebook", "ooh", "print", "search", "tv"] and len(s) == 5 * 208
    events = pd.Series([json.loads(c)["events"] for c in k.controls]).value_counts().to_dict()
    assert events == {"na": 206, "event1": 1, "event2": 1}
    assert s.query("channel == 'search'").clicks.notna().all() and s.query("channel == 'tv'").impressions.isna().all()


@pytest.mark.parametrize(
    "level,variant,rows,geos,channels",
    [
        ("national", "media", 156, 1, 4),
        ("national", "all_channels", 156, 1, 5),
        ("geo", "media", 3120, 20, 4),
        ("geo", "all_channels", 6240, 40, 5),
    ],
)
def test_mmm_meridian(external_dataset, level, variant, rows, geos, channels):
    got = _shared(external_dataset, f"mmm_meridian_{level}", variant=variant)
    _ok(got, "kpis")
    k, s = got.tables["kpis"], got.tables["spend"]
    assert (len(k), k.geo.nunique(), s.channel.nunique(), len(s)) == (rows, geos, channels, rows * channels)
    assert (str(k.date.min()), str(k.date.max()), k.date.nunique()) == ("2021-01-25", "2024-01-15", 156)
    assert (k.geo == "").all() == (level == "national")
    raw = pd.read_csv(got.files[variant])
    assert k.revenue.sum() == pytest.approx((raw.conversions * raw.revenue_per_conversion).sum())


# --- journeys --------------------------------------------------------------------------------------------------


def test_channelattribution_paths(external_dataset):
    got = _shared(external_dataset, "channelattribution_paths")
    ref, tp, paths = got.card.reference, got.tables["touchpoints"], got.extras["paths"]
    assert got.quarantined == 0 and len(paths) == 10000
    assert (paths.conversions.sum(), paths.nulls.sum()) == (19785, 68602)
    assert paths.conversion_value.sum() == pytest.approx(74802.972, abs=1e-3)
    j = tp.drop_duplicates("journey_id")
    assert (len(j), int(j.converted.sum()), len(tp), tp.channel.nunique()) == (88387, 19785, 378209, 12)
    assert j.conversion_value.sum() == pytest.approx(74802.972, abs=1e-3)
    one = load("channelattribution_paths", external_dataset("mta_channelattribution_paths"), expand=False).tables[
        "touchpoints"
    ]
    assert (one.journey_id.nunique(), len(one)) == (10000, 59454)
    # first / last / linear touch from the loaded journeys reproduce the collection's reference (and README numbers)
    first = one[one.touch_index == 1].merge(paths, left_on="journey_id", right_on="path_id")
    last = one.loc[one.groupby("journey_id").touch_index.idxmax()].merge(
        paths, left_on="journey_id", right_on="path_id"
    )
    lin = one.merge(paths, left_on="journey_id", right_on="path_id").assign(w=lambda d: d.conversions / d.touches)
    h = got.extras["heuristic_reference"].set_index("channel_name")
    assert first.groupby("channel").conversions.sum().to_dict() == h.first_touch_conversions.to_dict()
    assert last.groupby("channel").conversions.sum().to_dict() == h.last_touch_conversions.to_dict()
    assert lin.groupby("channel").w.sum().round(4).to_dict() == pytest.approx(
        h.linear_touch_conversions.to_dict(), abs=1e-3
    )
    for ch in ("alpha", "eta", "iota"):
        assert (
            h.loc[ch, "first_touch_conversions"] == ref["first_touch"][ch]
            and h.loc[ch, "last_touch_conversions"] == ref["last_touch"][ch]
        )
        assert h.loc[ch, "linear_touch_conversions"] == pytest.approx(ref["linear_touch"][ch], abs=0.01)


# --- text ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["semeval14_restaurants", "semeval14_laptops"])
def test_semeval(external_dataset, name):
    got = _shared(external_dataset, name)
    _ok(got, "mentions")
    ref, m, a = got.card.reference, got.tables["mentions"], got.extras["aspects"]
    assert len(m) == ref["sentences"]
    terms, cats = a[a.kind == "term"], a[a.kind == "category"]
    assert len(terms) == ref["terms"] and terms.polarity.value_counts().to_dict() == ref["term_polarity"]
    assert len(cats) == ref["categories"]
    if len(cats):
        assert cats.polarity.value_counts().to_dict() == ref["category_polarity"]
    text = terms.merge(m[["mention_id", "text"]], on="mention_id")
    off = sum(t[s:e] != asp for t, s, e, asp in zip(text.text, text.start, text.end, text.aspect))
    assert off == ref.get("terms_with_bad_offsets_in_source", 0), "term offsets must index the stored (trimmed) text"


@pytest.mark.parametrize(
    "split,sentences,cats,pol",
    [
        ("train", 3149, 7090, (1929, 2084, 3077)),
        ("validation", 400, 888, (241, 259, 388)),
        ("all", 3549, 7978, (2170, 2343, 3465)),
    ],
)
def test_mams(external_dataset, split, sentences, cats, pol):
    got = _shared(external_dataset, "mams_acsa", split=split)
    _ok(got, "mentions")
    a = got.extras["aspects"]
    assert (len(got.tables["mentions"]), len(a)) == (sentences, cats)
    assert tuple(a.polarity.value_counts()[["positive", "negative", "neutral"]]) == pol
    assert (a.groupby("mention_id").aspect.nunique() >= 2).all()


def test_amazon_alexa(external_dataset):
    got = _shared(external_dataset, "amazon_alexa_reviews")
    _ok(got, "mentions", quarantined=79)
    assert set(got.quarantine.reason) == {"text is required but empty"}
    lab, m = got.extras["labels"], got.tables["mentions"]
    assert len(lab) == 3150 and lab.rating.value_counts().to_dict() == {5: 2286, 4: 455, 3: 152, 2: 96, 1: 161}
    assert round(lab.rating.mean(), 2) == 4.46 and lab.feedback.value_counts().to_dict() == {1: 2893, 0: 257}
    assert (str(m.posted_at.min().date()), str(m.posted_at.max().date())) == ("2018-05-16", "2018-07-31")


def test_womens_clothing(external_dataset):
    got = _shared(external_dataset, "womens_clothing_reviews")
    _ok(got, "mentions", quarantined=196)
    lab = got.extras["labels"]
    assert (
        lab.rating.value_counts().sort_index().tolist() == [200, 411, 773, 1286, 3330]
        and round(lab.rating.mean(), 3) == 4.189
    )
    assert lab.recommended.sum() == 4923
    assert lab.department.value_counts().head(3).to_dict() == {"Tops": 2678, "Dresses": 1634, "Bottoms": 975}
    assert lab.groupby("rating").recommended.mean().round(3).tolist() == [0.015, 0.068, 0.415, 0.970, 0.998]


def test_sentiment_sentences(external_dataset):
    got = _shared(external_dataset, "sentiment_sentences")
    _ok(got, "mentions")
    lab = got.extras["labels"]
    assert lab.groupby("source").label.agg(["size", "sum"]).to_dict("index") == {
        s: {"size": 1000, "sum": 500} for s in ("amazon", "imdb", "yelp")
    }


def test_twitter_airline(external_dataset):
    got = _shared(external_dataset, "twitter_airline")
    _ok(got, "mentions", quarantined=6)
    assert got.quarantine.reason.str.startswith("duplicate key (mention_id=twitter_").all()
    m, lab = got.tables["mentions"], got.extras["labels"]
    assert len(m) == 10262 and lab.sentiment.value_counts().to_dict() == {
        "negative": 6478,
        "neutral": 2086,
        "positive": 1704,
    }
    assert lab.airline.value_counts().to_dict() == got.card.reference["airlines"]
    assert lab.negative_reason.value_counts().head(2).to_dict() == {"Customer Service Issue": 1994, "Late Flight": 1284}
    share = lab.assign(neg=lab.sentiment == "negative").groupby("airline").neg.mean().round(3)
    assert share.to_dict() == {
        "US Airways": 0.787,
        "American": 0.771,
        "United": 0.689,
        "Southwest": 0.494,
        "Delta": 0.462,
        "Virgin America": 0.365,
    }
    raw = pd.read_csv(got.files["tweets"], dtype=str, keep_default_na=False)
    assert raw.name.nunique() == 5654 and (pd.to_numeric(raw.retweet_count) > 0).sum() == 576
    assert m.posted_at.min() >= pd.Timestamp("2015-02-16 08:00", tz="UTC") and m.posted_at.max() < pd.Timestamp(
        "2015-02-23 08:00", tz="UTC"
    )


def test_opinion_spam(external_dataset):
    got = _shared(external_dataset, "opinion_spam")
    _ok(got, "mentions")
    lab = got.extras["labels"]
    assert lab.groupby(["polarity", "label"]).size().tolist() == [80, 80, 80, 80]
    assert sorted(lab.hotel.unique()) == ["hilton", "james", "monaco", "sofitel"]


# --- retention & accounts -------------------------------------------------------------------------------------


def test_telco_churn(external_dataset):
    got = _shared(external_dataset, "telco_churn")
    _ok(got, "customers")
    lab = got.extras["labels"]
    assert len(lab) == 7043 and lab.churned.sum() == 1869 and round(lab.churned.mean(), 4) == 0.2654
    assert lab.total_charges.isna().sum() == 11 and (lab.tenure_months[lab.total_charges.isna()] == 0).all()
    assert "Churn" not in json.loads(got.tables["customers"].extra[0])


def test_sbg_cohorts(external_dataset):
    got = _shared(external_dataset, "sbg_cohorts")
    _ok(got, "customers")
    life, surv = got.extras["lifetimes"], got.extras["survival"]
    for cohort, alive in got.card.reference["alive"].items():
        c = life[life.cohort == cohort]
        assert [int((c.churn_period.fillna(99) > y).sum()) for y in range(8)] == alive
        assert surv[surv.cohort == cohort].customers_alive.tolist() == alive


def test_twitter_bots(external_dataset):
    got = _shared(external_dataset, "twitter_bots")
    acc = got.extras["accounts"]
    assert got.tables == {} and len(acc) == 1030 and acc.label.value_counts().to_dict() == {"human": 582, "bot": 448}


def test_every_shared_folder_has_a_loader(external_dataset):
    root = external_dataset("README.md").parent
    folders = {Path(f.path).parts[0] for c in DATASETS.values() for f in c.files.values()}
    missing = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name not in folders)
    assert missing == [], f"shared dataset folders without a loader: {missing}"


# --- location, download and checksums -------------------------------------------------------------------------


@pytest.fixture
def http_server(tmp_path):
    "A local HTTP server over tmp_path/www (127.0.0.1, random port), stopped after the test."
    www = tmp_path / "www"
    www.mkdir()
    with local_http_server(www) as url:
        yield url, www


@pytest.fixture
def toy(tmp_path, monkeypatch):
    "A registered dataset 'toy_cdnow' (CDNOW layout, one file, no bundled copy), with no external folder configured."
    body = b"customer_id,date,number_of_cds,dollar_value\n1,1997-01-01,1,9.99\n2,1997-02-01,2,20.0\n"
    monkeypatch.delenv("AIMA_DATA_DIR", raising=False)
    monkeypatch.setenv("AIMA_PATHS__EXTERNAL_DATASETS", str(tmp_path / "no_external"))
    from aima.data.datasets.commerce import _cdnow

    def register(url=None):
        dataset(
            "toy_cdnow",
            title="Toy CDNOW",
            licence="CC0",
            redistributable=True,
            source="this test",
            citation="",
            tables=("customers", "orders"),
            extras=(),
            reference={},
            files={
                "transactions": datafile(
                    "toy_cdnow/tx.csv", __import__("hashlib").sha256(body).hexdigest(), len(body), url=url
                )
            },
        )(_cdnow)

    yield body, register
    DATASETS.pop("toy_cdnow", None)
    LOADERS.pop("toy_cdnow", None)


def test_download_good_and_bad_checksum(http_server, toy, tmp_path):
    base, www = http_server
    body, register = toy
    (www / "toy_cdnow").mkdir()
    (www / "toy_cdnow" / "tx.csv").write_bytes(body)
    (www / "tampered.csv").write_bytes(body.replace(b"9.99", b"9.98"))
    register(url=f"{base}/toy_cdnow/tx.csv")
    cache = tmp_path / "cache"
    got = load("toy_cdnow", cache=cache)  # not found locally -> card URL -> cache
    assert got.files["transactions"] == cache / "toy_cdnow" / "tx.csv" and got.verified == {"transactions": True}
    assert len(got.tables["orders"]) == 2
    (www / "toy_cdnow" / "tx.csv").unlink()  # second load: served from the cache
    assert load("toy_cdnow", cache=cache).fingerprint == got.fingerprint
    with pytest.raises(ChecksumError, match="Checksum mismatch") as e:  # a user URL serving other bytes
        load("toy_cdnow", url=f"{base}/tampered.csv", cache=tmp_path / "cache2")
    assert "expected sha256" in str(e.value) and "removed" in str(e.value)
    assert not any(p.is_file() for p in (tmp_path / "cache2").rglob("*")), "a bad download must not stay in the cache"
    (cache / "toy_cdnow" / "tx.csv").write_bytes(b"corrupted")  # a corrupted cache file is re-fetched
    (www / "toy_cdnow" / "tx.csv").write_bytes(body)
    assert (
        sha256_file(locate("toy_cdnow", cache=cache)["transactions"])
        == DATASETS["toy_cdnow"].files["transactions"].sha256
    )


def test_download_base_url_for_several_files(http_server, tmp_path):
    base, www = http_server
    for f in DATASETS["sentiment_sentences"].files.values():
        (www / Path(f.path).parent).mkdir(exist_ok=True)
        shutil.copy(ROOT / "datasets" / f.path, www / f.path)
    got = load("sentiment_sentences", url=base + "/", cache=tmp_path / "c")
    assert all(got.verified.values()) and len(got.tables["mentions"]) == 3000
    assert all(str(p).startswith(str(tmp_path / "c")) for p in got.files.values())
    with pytest.raises(DatasetError, match="base URL ending in '/'"):
        load("sentiment_sentences", url=base + "/x.txt", cache=tmp_path / "c")


def test_absent_everywhere_is_one_clear_error(http_server, toy, tmp_path):
    base, _ = http_server
    body, register = toy
    register(url=None)
    with pytest.raises(DatasetNotFoundError) as e:
        load("toy_cdnow", cache=tmp_path / "cache")
    msg = str(e.value)
    assert (
        "file toy_cdnow/tx.csv not found" in msg
        and str(tmp_path / "no_external") in msg
        and str(tmp_path / "cache") in msg
    )
    assert "Get the data from: this test" in msg and "--path" in msg
    DATASETS.pop("toy_cdnow")
    LOADERS.pop("toy_cdnow")
    register(url=f"{base}/missing.csv")  # a URL that 404s: says so, no partial file
    with pytest.raises(DatasetNotFoundError, match="Could not download .*missing.csv"):
        load("toy_cdnow", cache=tmp_path / "cache")
    assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))


def test_user_path_file_or_folder(toy, tmp_path):
    body, register = toy
    register()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "tx.csv").write_bytes(body)
    assert load("toy_cdnow", tmp_path / "mine").verified == {"transactions": True}
    assert load("toy_cdnow", tmp_path / "mine" / "tx.csv").counts["orders"]["valid"] == 2
    with pytest.raises(DatasetNotFoundError, match="Looked in: .*elsewhere"):
        load("toy_cdnow", tmp_path / "elsewhere")


def test_bad_names_and_options():
    with pytest.raises(DatasetError, match="Unknown dataset 'hilstrom' \\(did you mean \\['hillstrom'\\]"):
        load("hilstrom")
    with pytest.raises(DatasetError, match="has no option"):
        load("mmm_robyn_weekly", variant="media")


def test_catalogue_and_bundled_files_match_checksums():
    cat = list_datasets()
    assert {
        "online_retail",
        "cdnow",
        "hillstrom",
        "mmm_pymc_example",
        "mmm_robyn_weekly",
        "mmm_meridian_national",
        "mmm_meridian_geo",
        "channelattribution_paths",
        "semeval14_restaurants",
        "semeval14_laptops",
        "mams_acsa",
        "telco_churn",
        "bank_marketing",
        "amazon_alexa_reviews",
        "womens_clothing_reviews",
        "sentiment_sentences",
    } <= set(cat.name)
    sums = dict(
        line.split()[::-1] for line in (ROOT / "datasets" / "SHA256SUMS").read_text().splitlines() if line.strip()
    )
    for card in DATASETS.values():
        for f in card.files.values():
            if f.bundled:
                assert card.redistributable, f"{card.name}: bundles {f.path} but its licence does not allow it"
                assert sha256_file(ROOT / "datasets" / f.path) == f.sha256 == sums[f.path], f.path
                assert (ROOT / "datasets" / Path(f.path).parent / "README.md").is_file() or f.path.startswith(
                    "online_retail_sample/"
                )


# --- workspace ------------------------------------------------------------------------------------------------


def test_reload_into_workspace_is_a_noop(tmp_path):
    path = tmp_path / "w.duckdb"
    with Workspace(path) as ws:
        first = load("online_retail", workspace=ws)
        counts = ws.row_counts()
        assert (counts["order_items"], counts["orders"], counts["customers"]) == (98407, 5487, 1000)
        again = load("online_retail", workspace=ws)
        assert again.skipped and again.import_id is None and ws.row_counts() == counts
        imp = ws.read("_aima_imports")
        assert len(imp) == 1 and imp.fingerprint[0] == first.fingerprint and imp.source[0] == "dataset:online_retail"
        assert imp.rows[0] == imp.imported[0] + imp.quarantined[0]
        load("online_retail", workspace=ws, force=True)  # forced: upsert, no duplicates
        assert ws.row_counts()["order_items"] == 98407
    with Workspace(path) as ws:  # a new session still knows it was loaded
        assert load("online_retail", workspace=ws).skipped


def test_rejects_go_to_the_workspace_quarantine(external_dataset, tmp_path):
    folder = external_dataset("reviews_amazon_alexa")
    with Workspace(tmp_path / "w.duckdb") as ws:
        got = load("amazon_alexa_reviews", folder, workspace=ws)
        q = ws.read("quarantine")
        assert len(q) == 79 and (q.import_id == got.import_id).all() and q.source.str.endswith("amazon_alexa.tsv").all()
        assert ws.row_counts()["mentions"] == 3071 and ws.row_counts()["ds_amazon_alexa_reviews_labels"] == 3150
        load("amazon_alexa_reviews", folder, workspace=ws)
        assert len(ws.read("quarantine")) == 79


def test_cli_list_and_load(tmp_path):
    import typer
    from typer.testing import CliRunner
    from aima.data.datasets import register

    app = typer.Typer()
    app.command("noop")(lambda: None)
    register(app)
    r = CliRunner().invoke(app, ["datasets", "list", "--json"])
    assert r.exit_code == 0 and {d["name"] for d in json.loads(r.stdout)} == set(DATASETS)
    ws = str(tmp_path / "w.duckdb")
    r = CliRunner().invoke(
        app, ["datasets", "load", "mmm_meridian_national", "-o", "variant=all_channels", "--workspace", ws, "--json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["tables"] == {"spend": 780, "kpis": 156} and out["skipped"] is None
    r = CliRunner().invoke(app, ["datasets", "load", "mmm_meridian_national", "-o", "variant=all_channels", "-w", ws])
    assert r.exit_code == 0 and "already imported" in r.stdout
    r = CliRunner().invoke(
        app, ["datasets", "load", "mmm_meridian_national", "--path", str(tmp_path / "nope"), "-w", ws]
    )
    assert r.exit_code == 1 and "not found. Looked in:" in r.output and "Traceback" not in r.output
