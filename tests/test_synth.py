"""The synthetic shop against its own ground truth: closed forms (BG/NBD, Gamma-Gamma), randomised uplift,
churn signals, journeys, media mix and mentions, on 20,000 customers; canonical tables; reproducibility."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from aima.core import Workspace
from aima.data.schema import SCHEMA, validate
from aima.data.synth import SynthConfig, bgnbd_expected_repeats, engagement_factor, generate_shop
from aima.data.synth_marketing import geometric_adstock, hill_saturation, logistic_saturation

N = 20_000


@pytest.fixture(scope="module")
def shop():
    return generate_shop(N, seed=11)


def _window_weeks(shop):
    cfg, tc = shop.config, shop.truth["customers"]
    end = pd.Timestamp(cfg.start, tz="UTC") + pd.Timedelta(weeks=cfg.weeks)
    return ((end - tc.acquired_at).dt.total_seconds() / 604800).to_numpy()


def test_tables_are_canonical_and_valid():
    s = generate_shop(3000, seed=4)
    assert set(s.tables) == set(SCHEMA) - {"interventions"}
    for name, df in s.tables.items():
        assert list(df.columns) == SCHEMA[name].names, name
        res = validate(name, df)
        assert len(res.rejected) == 0, (name, res.rejected.head().to_dict("records"))
        assert len(res.valid) == len(df) > 0


def test_same_seed_same_frames_and_streams_are_independent():
    a, b, c = generate_shop(1500, seed=7), generate_shop(1500, seed=7), generate_shop(1500, seed=8)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    for name, v in a.truth.items():
        if isinstance(v, pd.DataFrame):
            pd.testing.assert_frame_equal(v, b.truth[name])
        else:
            assert v == b.truth[name]
    assert not a.tables["orders"].amount.equals(c.tables["orders"].amount)
    # fewer tables, or other mention settings, leave the customer side unchanged
    d = generate_shop(1500, seed=7, tables=["orders", "mentions"], mentions_per_day=5)
    assert set(d.tables) == {"orders", "mentions"}
    pd.testing.assert_frame_equal(a.tables["orders"], d.tables["orders"])
    with pytest.raises(ValueError, match="Unknown table"):
        generate_shop(100, tables=["order"])


def test_latents_follow_the_population_distributions(shop):
    cfg, tc = shop.config, shop.truth["customers"]
    assert tc.lam.mean() == pytest.approx(cfg.r / cfg.alpha, rel=0.03)
    assert tc.lam.var() == pytest.approx(cfg.r / cfg.alpha**2, rel=0.1)
    assert tc.p_dropout.mean() == pytest.approx(cfg.a / (cfg.a + cfg.b), rel=0.03)
    assert tc.nu.mean() == pytest.approx(cfg.q / cfg.gamma, rel=0.03)
    # personas differ in the direction their definitions say
    by = tc.groupby("persona")[["lam", "p_dropout", "mean_order_value"]].mean()
    assert by.lam.idxmax() == "loyal" and by.p_dropout.idxmax() == "fickle"
    assert by.mean_order_value.idxmax() == "premium" and by.mean_order_value.idxmin() == "deal_seeker"
    assert shop.truth["personas"].share.between(0.1, 0.35).all()


def test_repeat_purchases_match_bgnbd_expectation(shop):
    cfg, tc = shop.config, shop.truth["customers"]
    T = _window_weeks(shop)
    nat = shop.truth["orders"][shop.truth["orders"].source == "bgnbd"]
    repeats = nat.groupby("customer_id").size().reindex(tc.customer_id).to_numpy() - 1  # first purchase is not a repeat
    assert (repeats == tc.n_repeat.to_numpy()).all()
    expected = bgnbd_expected_repeats(T, cfg.r, cfg.alpha, cfg.a, cfg.b)
    se = repeats.std() / np.sqrt(len(repeats))
    assert abs(repeats.mean() - expected.mean()) < 4 * se, (repeats.mean(), expected.mean(), se)
    # and per acquisition cohort (short vs long windows)
    for part in (T < np.median(T), T >= np.median(T)):
        assert repeats[part].mean() == pytest.approx(expected[part].mean(), rel=0.06)
    # given the latents, E[X(T) | lambda, p] = (1 - exp(-lambda p T)) / p
    assert repeats.mean() == pytest.approx(tc.expected_repeat.mean(), rel=0.04)


def test_churn_times_and_alive_flags_are_consistent(shop):
    tc = shop.truth["customers"].set_index("customer_id")
    o = shop.tables["orders"].assign(source=shop.truth["orders"].source.to_numpy())
    nat = o[o.source == "bgnbd"]
    last = nat.groupby("customer_id").ordered_at.max()
    dead = tc[~tc.alive]
    end = pd.Timestamp(shop.config.start, tz="UTC") + pd.Timedelta(weeks=shop.config.weeks)
    assert (tc[tc.alive].churn_at > end).all() and (dead.churn_at <= end).all()
    # a BG/NBD customer dies right after a repeat purchase: the last one
    gap = (last[dead.index] - dead.churn_at).dt.total_seconds().abs()
    assert (gap <= 1).all()
    assert (dead.n_repeat >= 1).all()
    assert 0.2 < tc.alive.mean() < 0.8


def test_order_values_match_gamma_gamma(shop):
    cfg = shop.config
    o = shop.tables["orders"]
    expected = cfg.p * cfg.gamma / (cfg.q - 1)
    first = o.amount[shop.truth["orders"].is_first.to_numpy()]  # one per customer: independent draws
    assert abs(first.mean() - expected) < 4 * first.std() / np.sqrt(len(first)), (first.mean(), expected)
    nat = o[(shop.truth["orders"].source == "bgnbd").to_numpy()]
    per = nat.groupby("customer_id").amount.agg(["sum", "size"])  # orders of one customer share nu: cluster-robust s.e.
    mean = per["sum"].sum() / per["size"].sum()
    se = np.sqrt(((per["sum"] - mean * per["size"]) ** 2).sum()) / per["size"].sum()
    assert abs(mean - expected) < 4 * se, (mean, expected, se)
    # each customer's average tracks the true p / nu
    tc = shop.truth["customers"].set_index("customer_id")
    per = o[(shop.truth["orders"].source == "bgnbd").to_numpy()].groupby("customer_id").amount.agg(["mean", "size"])
    per = per[per["size"] >= 5]
    assert np.corrcoef(per["mean"], tc.mean_order_value[per.index])[0, 1] > 0.8
    # lines add up to orders, discounts are consistent
    it = shop.tables["order_items"]
    sums = it.groupby("order_id")[["amount", "discount", "quantity"]].sum().loc[o.order_id]
    assert np.allclose(sums.amount, o.amount, atol=0.011)
    assert np.allclose(sums.discount, o.discount, atol=0.011)
    assert (sums.quantity.to_numpy() == o["items"].to_numpy()).all()
    assert np.allclose(it.amount, it.quantity * it.unit_price - it.discount, atol=0.011)
    assert 0 < it.is_new_arrival.mean() < 0.5


def test_treated_minus_control_matches_true_uplift(shop):
    u = shop.truth["uplift"]
    t, c = u[u.treated], u[~u.treated]
    ate = t.converted.mean() - c.converted.mean()
    se = np.sqrt(t.converted.var() / len(t) + c.converted.var() / len(c))
    assert abs(ate - u.cate.mean()) < 4 * se, (ate, u.cate.mean(), se)
    assert u.cate.mean() > 4 * se  # the effect is detectable
    # only treated, alive customers get campaign-driven orders
    assert not u[~u.treated].incremental.any() and not u[~u.alive].incremental.any()
    assert (u[~u.alive].cate == 0).all()
    src = shop.truth["orders"].source
    assert (src == "campaign").sum() == u.incremental.sum()
    # heterogeneity: deal seekers respond most, by persona the effects line up with the truth
    per = u.merge(shop.truth["customers"][["customer_id", "persona"]])
    emp = per[per.treated].groupby("persona").converted.mean() - per[~per.treated].groupby("persona").converted.mean()
    true = per.groupby("persona").cate.mean()
    assert true.idxmax() == "deal_seeker" and emp.idxmax() == "deal_seeker"
    assert np.corrcoef(emp[true.index], true)[0, 1] > 0.8
    # campaigns table agrees with the members
    camp = shop.tables["campaigns"].set_index("campaign_id")
    g = (
        u.assign(control=~u.treated, treated_conv=u.treated & u.converted)
        .groupby("campaign_id")[["control", "treated_conv"]]
        .agg(["size", "sum"])
    )
    assert (camp.loc[g.index, "audience_size"].to_numpy() == g["control"]["size"].to_numpy()).all()
    assert (camp.loc[g.index, "control_size"].to_numpy() == g["control"]["sum"].to_numpy()).all()
    assert (camp.loc[g.index, "conversions"].to_numpy() == g["treated_conv"]["sum"].to_numpy()).all()


def test_engagement_fades_before_churn(shop):
    tc = shop.truth["customers"]
    dead = tc[~tc.alive & ((tc.churn_at - tc.acquired_at).dt.days > 120)][["customer_id", "churn_at", "acquired_at"]]
    ev = shop.tables["events"]
    e = ev[ev.event_type.isin(["email_sent", "email_open", "cart_abandon", "wishlist_add"])][
        ["customer_id", "event_type", "occurred_at"]
    ].merge(dead)
    days = (e.churn_at - e.occurred_at).dt.total_seconds() / 86400
    e = e.assign(last30=(days >= 0) & (days < 30))[days >= 0]
    n = e.groupby(["event_type", "last30"]).size().unstack()
    exposure = pd.Series({False: ((dead.churn_at - dead.acquired_at).dt.days - 30).sum(), True: 30 * len(dead)})
    rate = n / exposure
    open_rate = n.loc["email_open"] / n.loc["email_sent"]
    assert open_rate[True] < 0.5 * open_rate[False], open_rate
    assert rate.loc["cart_abandon", True] < 0.5 * rate.loc["cart_abandon", False]
    assert rate.loc["wishlist_add", True] < 0.5 * rate.loc["wishlist_add", False]
    # alive customers keep engaging at the end; the factor itself
    assert tc[tc.alive].engagement_end.mean() > 0.9 > 0.2 > tc[~tc.alive].engagement_end.mean()
    assert engagement_factor(0.0, 100.0, shop.config) == 1.0


def test_journeys_recover_channel_effects(shop):
    cfg = shop.config
    tp = shop.tables["touchpoints"]
    assert tp[tp.converted].journey_id.nunique() == N
    assert tp[tp.converted].customer_id.nunique() == N and tp[~tp.converted].customer_id.isna().all()
    x = pd.crosstab(tp.journey_id, tp.channel).clip(upper=1)
    y = tp.groupby("journey_id").converted.first()[x.index]
    m = LogisticRegression(C=1e6, max_iter=2000).fit(x.to_numpy(), y.to_numpy())
    coef = pd.Series(m.coef_[0], index=x.columns)
    for ch, beta in cfg.channel_effects.items():
        if ch != "intercept":
            assert coef[ch] == pytest.approx(beta, abs=0.12), (ch, coef[ch], beta)
    assert m.intercept_[0] == pytest.approx(cfg.channel_effects["intercept"], abs=0.12)
    ce = shop.truth["channel_effects"].set_index("channel")
    assert ce.shapley_share.sum() == pytest.approx(1.0)
    assert ce.shapley_share.idxmax() == "paid_search" and ce.shapley_share.idxmin() == "display"
    # the converting journey ends at the customer's first order, worth that order
    first = shop.tables["orders"][shop.truth["orders"].is_first.to_numpy()].set_index("customer_id")
    last = tp[tp.converted].groupby("customer_id").agg(when=("occurred_at", "max"), value=("conversion_value", "first"))
    assert (last.when < first.ordered_at[last.index]).all()
    assert np.allclose(last.value, first.amount[last.index])


def test_media_truth_reproduces_revenue():
    s = generate_shop(300, seed=2, mmm_noise=0.0)
    cfg, sp, kp = s.config, s.tables["spend"], s.tables["kpis"]
    total = s.truth["media_baseline"].baseline.to_numpy().copy()
    for ch, p in cfg.mmm_channels.items():
        x = geometric_adstock(sp[sp.channel == ch].spend.to_numpy(), p["decay"], cfg.adstock_max_lag) / p["mean_spend"]
        total += p["beta"] * logistic_saturation(x, p["lam"])
    assert np.allclose(kp.revenue, total, atol=0.05)
    m = s.truth["media"].set_index("channel")
    assert np.allclose(m.roi, m.contribution / m.spend)
    assert m.roi.idxmax() == "paid_search" and m.roi.idxmin() == "display"
    h = generate_shop(300, seed=2, saturation="hill").truth["media_weekly"]
    assert np.allclose(
        h.saturation,
        hill_saturation(
            h.adstock,
            h.channel.map(lambda c: cfg.mmm_channels[c]["K"]),
            h.channel.map(lambda c: cfg.mmm_channels[c]["s"]),
        ),
    )


def test_mentions_bots_anomalies_and_sentiment(shop):
    mt, au = shop.truth["mentions"], shop.truth["authors"]
    bots, people = au[au.is_bot], au[~au.is_bot & (au.posts > 0)]
    assert bots.posts.mean() > 10 * people.posts.mean()
    assert bots.duplicate_share.mean() > 0.95 and people.duplicate_share.mean() < 0.1
    assert bots.follower_count.median() < 0.25 * people.follower_count.median()
    mn = shop.tables["mentions"].assign(is_bot=mt.is_bot.to_numpy())
    hours = mn.posted_at.dt.hour
    assert hours[mn.is_bot].between(0, 5).mean() > 2 * hours[~mn.is_bot].between(0, 5).mean()
    asp = shop.truth["mention_aspects"].merge(mt[["mention_id", "brand", "is_bot", "anomaly"]])
    calm = asp[~asp.is_bot & (asp.anomaly == "")]
    emp = calm.groupby(["brand", "aspect"]).sentiment.mean()
    truth = shop.truth["aspect_sentiment"].set_index(["brand", "aspect"]).expected
    assert np.abs(emp - truth[emp.index]).max() < 0.15
    an = shop.truth["anomalies"].set_index("kind")
    drop = asp[
        ~asp.is_bot
        & (asp.anomaly == "sentiment_drop")
        & (asp.brand == shop.config.brand)
        & (asp.aspect == an.loc["sentiment_drop", "aspect"])
    ]
    assert (
        (drop.sentiment == -1).mean() > 0.6 > 0.4 > (calm.sentiment == -1).mean()
    )  # truth: 85% negative during the drop
    assert (mt[mt.anomaly == "bot_burst"].is_bot.mean()) > 3 * mt[mt.anomaly == ""].is_bot.mean()
    rated = mn[mn.rating.notna()].merge(mt[["mention_id", "mean_sentiment"]])
    assert np.corrcoef(rated.rating, rated.mean_sentiment)[0, 1] > 0.7


def test_to_workspace_round_trip(tmp_path):
    s = generate_shop(400, seed=3)
    with Workspace(tmp_path / "w.duckdb") as ws:
        written = s.to_workspace(ws)
        for name, df in s.tables.items():
            assert written[name] == len(df)
            got, want = ws.table(name).schema(), SCHEMA[name].ibis_schema()
            assert got.names == want.names
            assert all(got[c] == want[c] or (got[c].is_timestamp() and want[c].is_timestamp()) for c in want.names), (
                name
            )
        assert ws.read("interventions").empty
        back = ws.read("orders").sort_values("order_id", ignore_index=True)
        assert np.allclose(back.amount.astype(float), s.tables["orders"].amount)
        assert len(ws.read("truth_uplift")) == len(s.truth["uplift"])
        assert set(ws.read("truth_params").key) >= {"r", "alpha", "a", "b", "p", "q", "gamma"}


def test_config_contract_errors():
    with pytest.raises(ValueError, match="a must differ from 1"):
        SynthConfig(a=1.0)
    with pytest.raises(ValueError, match="must be below weeks"):
        SynthConfig(weeks=40, acquisition_weeks=40)
    with pytest.raises(ValueError, match="no entry in channel_effects"):
        SynthConfig(touch_mix={"carrier_pigeon": 1.0})
    with pytest.raises(ValueError, match="Extra inputs"):
        generate_shop(100, colour="red")
    s = generate_shop(
        200, seed=1, n_campaigns=0, newsletter_every_weeks=0, prospect_journeys=False, n_bots=0, n_anomalies=0
    )
    assert s.tables["campaigns"].empty and "touchpoints" not in s.tables and s.truth["uplift"].empty
    for name, df in s.tables.items():
        assert len(validate(name, df).rejected) == 0
