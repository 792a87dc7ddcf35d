"""Connectors against local fake APIs (in-process threads, no network, no real sleeps in-process): the `aima sync` and
`aima connectors list` commands as a user runs them, tokens that never leak, throttling, expired tokens, malformed
pages and resumable partial failures without duplicates."""

import json
import os
import subprocess

import pandas as pd
import pytest

from aima.connectors.base import STATE_TABLE, sync, sync_state
from aima.connectors.fakes import FakeKlaviyo, FakeShopify, klaviyo_records, shopify_records
from aima.connectors.http import ConnectorAuthError, ConnectorError, FakeClock, MalformedResponseError
from aima.core import Workspace
from conftest import BIN, ROOT

AIMA = str(BIN / "aima")
SHOP_TOKEN, KLAVIYO_KEY = "shpat_9f8e7d6c5b4a39281706f5e4", "pk_1a2b3c4d5e6f7a8b9c0d1e2f3a"


@pytest.fixture
def tokens(monkeypatch):
    monkeypatch.setenv("SHOPIFY_ACCESS_TOKEN", SHOP_TOKEN)
    monkeypatch.setenv("KLAVIYO_API_KEY", KLAVIYO_KEY)


def aima(*args, env=None):
    e = {**os.environ, "CI": "true", **(env or {})}
    return subprocess.run([AIMA, *args], capture_output=True, text=True, env=e, cwd=ROOT, timeout=300)


def snapshot(ws, *tables):
    "The tables' rows, sorted by their keys, to compare workspaces."
    keys = {
        "orders": "order_id",
        "order_items": ["order_id", "line_number"],
        "customers": "customer_id",
        "events": "event_id",
        "campaigns": "campaign_id",
    }
    return {t: ws.read(t).sort_values(keys[t]).reset_index(drop=True) for t in tables}


def test_cli_sync_json_and_the_token_never_leaks(tmp_path, tokens):
    from aima.log import setup_logging

    wsf, logf = tmp_path / "shop.duckdb", tmp_path / "aima.log"
    with FakeShopify(shopify_records(seed=3), token=SHOP_TOKEN) as shop:  # the real command, in a subprocess
        r = aima("--log-level", "DEBUG", "sync", "shopify", "-w", str(wsf), "--base-url", shop.url, "--json")
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert out["tables"]["orders"] == {"fetched": 33, "imported": 33, "quarantined": 0}  # 30 orders + 3 refunds
        assert out["tables"]["customers"]["imported"] == 12
        setup_logging("DEBUG", file=logf)  # a second run in-process, logging to a file at DEBUG
        try:
            with Workspace(str(wsf)) as ws:
                again = sync(ws, "shopify", base_url=shop.url)
        finally:
            setup_logging("WARNING")
        sent = {h.get("x-shopify-access-token") for _, _, _, h in shop.requests}
    assert again["tables"]["orders"]["fetched"] == 1  # only the record at the cursor, rewritten
    assert sent == {SHOP_TOKEN}  # the token goes to the API, in the header...
    files = [wsf, logf, *(p for p in (tmp_path / "shop.artifacts").rglob("*") if p.is_file())]
    leaks = [str(p) for p in files if SHOP_TOKEN.encode() in p.read_bytes()]
    text = r.stdout + r.stderr + json.dumps(again)
    assert (leaks, SHOP_TOKEN in text) == ([], False)  # ...and nowhere else: not the workspace, logs or output
    assert "shopify" in logf.read_text()  # the log was written
    with Workspace(str(wsf), read_only=True) as ws:
        assert ws.table("orders").count().execute() == 33
        assert set(sync_state(ws, "shopify")) == {"products", "customers", "orders"}


def test_cli_expired_token_unknown_source_and_list(tmp_path, tokens):
    import typer
    from typer.testing import CliRunner

    from aima.connectors.cli import register

    app = typer.Typer()
    register(app)
    run = lambda *a: CliRunner().invoke(app, list(a))
    wsf = tmp_path / "w.duckdb"
    with FakeShopify(shopify_records(), token="shpat_a_newer_token") as shop:
        r = run("sync", "shopify", "-w", str(wsf), "--base-url", shop.url, "--json")
    assert r.exit_code == 1 and "refused the token (HTTP 401" in r.output, r.output
    assert SHOP_TOKEN not in r.output
    with Workspace(str(wsf), read_only=True) as ws:
        assert not ws.exists("orders") and sync_state(ws, "shopify") == {}
    r = run("connectors", "list", "--json")
    assert r.exit_code == 0, r.output
    listed = {c["name"]: c for c in json.loads(r.output)}
    assert listed["shopify"]["credentials"] == ["SHOPIFY_ACCESS_TOKEN", "SHOPIFY_SHOP"]
    assert listed["klaviyo"]["streams"] == ["profiles", "campaigns", "events"]
    r = run("sync", "nope", "-w", str(wsf))
    assert r.exit_code == 1 and "No connector called 'nope'" in r.output


def test_missing_credentials_name_the_variable(monkeypatch):
    monkeypatch.delenv("KLAVIYO_API_KEY", raising=False)
    with pytest.raises(ConnectorAuthError, match="set the environment variable KLAVIYO_API_KEY"):
        sync(Workspace(":memory:"), "klaviyo", base_url="http://127.0.0.1:9")


def test_shopify_throttling_429_5xx_are_retried_without_sleeping(tokens):
    ws, clock = Workspace(":memory:"), FakeClock()
    with FakeShopify(shopify_records(seed=3), token=SHOP_TOKEN, bucket=4) as shop:
        shop.fail(429, headers={"Retry-After": "3.0"}, path="orders.json", body='{"errors":"Exceeded 2 calls/second"}')
        shop.fail(502, times=2, path="customers.json")
        out = sync(ws, "shopify", base_url=shop.url, clock=clock, page_size=10)
    assert out["tables"]["orders"]["imported"] == 33
    # customers: two 502s (backoff 1 s, 2 s); orders: a 429 (Retry-After 3 s), then each page answered with the
    # call-limit header at 4/4 asks for a pause of (4 - 4/2) / 2 = 1 s, the time the bucket needs to leak back to half
    assert clock.slept == [1.0, 2.0, 3.0, 1.0, 1.0, 1.0]
    assert out["http"]["waits"] == 6
    assert ws.table("orders").count().execute() == 33


def test_shopify_malformed_page_writes_nothing_and_resume_has_no_duplicates(tokens):
    rec = shopify_records(seed=3)
    ws, clean = Workspace(":memory:"), Workspace(":memory:")
    with FakeShopify(rec, token=SHOP_TOKEN) as shop:
        sync(clean, "shopify", base_url=shop.url, clock=FakeClock(), page_size=10)
        shop.fail(200, body='{"orders": [{"id": 1, "note": "no updated_at"}]}', path="orders.json", after=1)
        with pytest.raises(MalformedResponseError, match="1 page\\(s\\) of shopify orders were saved"):
            sync(ws, "shopify", base_url=shop.url, clock=FakeClock(), page_size=10)
        # page 1 (by updated_at) is in with its refunds and lines, page 2 wrote nothing
        by_update = sorted(rec["orders"], key=lambda o: (pd.Timestamp(o["updated_at"]), o["id"]))[:10]
        assert sorted(ws.read("orders").order_id.str.split("-").str[0].unique()) == sorted(
            str(o["id"]) for o in by_update
        )
        shop.fail(200, body=b"<html>502 Bad Gateway</html>", path="orders.json", after=1)
        with pytest.raises(MalformedResponseError, match="not valid JSON"):
            sync(ws, "shopify", base_url=shop.url, clock=FakeClock(), page_size=10)
        sync(ws, "shopify", base_url=shop.url, clock=FakeClock(), page_size=10)  # resumes
    a, b = snapshot(ws, "orders", "order_items", "customers"), snapshot(clean, "orders", "order_items", "customers")
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t], check_dtype=False)


def test_klaviyo_partial_failure_resumes_and_reruns_are_idempotent(tokens):
    rec = klaviyo_records(n_events=60, seed=4)
    ws, clean = Workspace(":memory:"), Workspace(":memory:")
    with FakeKlaviyo(rec, key=KLAVIYO_KEY) as kl:
        sync(clean, "klaviyo", base_url=kl.url, clock=FakeClock(), page_size=5)
        clock = FakeClock()
        kl.fail(503, times=6, path="/api/events", after=2)  # page 3 of events: a try and five retries, all 503
        with pytest.raises(ConnectorError, match="HTTP 503 .* after 5 retries.*2 page\\(s\\) of klaviyo events"):
            sync(ws, "klaviyo", base_url=kl.url, clock=clock, page_size=5)
        assert clock.slept == [1.0, 2.0, 4.0, 8.0, 16.0]
        state = ws.read(STATE_TABLE).set_index("stream")
        assert (state.loc["events", "rows"], ws.table("events").count().execute()) == (20, 14)  # 6 "Placed Order"
        kl.fail(429, headers={"Retry-After": "7"}, path="/api/events")
        clock = FakeClock()
        out = sync(ws, "klaviyo", base_url=kl.url, clock=clock, page_size=5)
        assert clock.slept == [7.0]
        assert out["streams"]["profiles"]["pages"] == 1  # profiles: only the overlap at the cursor again
        before = snapshot(ws, "events", "customers", "campaigns")
        n_quarantined = ws.table("quarantine").count().execute()
        again = sync(ws, "klaviyo", base_url=kl.url, clock=FakeClock(), page_size=5)
        since = sync(ws, "klaviyo", base_url=kl.url, clock=FakeClock(), page_size=5, since="2024-02-01")
    assert again["tables"]["events"]["fetched"] < since["tables"]["events"]["fetched"] == 60
    after = snapshot(ws, "events", "customers", "campaigns")
    ref = snapshot(clean, "events", "customers", "campaigns")
    for t in before:
        pd.testing.assert_frame_equal(after[t], before[t], check_dtype=False)
        pd.testing.assert_frame_equal(after[t], ref[t], check_dtype=False)
    assert ws.table(STATE_TABLE).count().execute() == 3
    assert ws.table("quarantine").count().execute() == n_quarantined  # re-read rows are not quarantined twice


def _ads_crm(name):
    "A fake API, its records, the env it needs, and a clock (31 Jan 2024) for the connectors of wave two."
    from aima.connectors.ga4 import FakeGA4, ga4_records
    from aima.connectors.hubspot import FakeHubSpot, hubspot_records
    from aima.connectors.meta import FakeMeta, meta_records

    clock = lambda: FakeClock(pd.Timestamp("2024-01-31T12:00", tz="UTC").timestamp())
    if name == "meta":
        env = {"META_ACCESS_TOKEN": "EAAB_9f8e7d6c5b4a3928", "META_AD_ACCOUNT_ID": "42"}
        return lambda: FakeMeta(meta_records(days=30), token=env["META_ACCESS_TOKEN"], account="42"), env, clock
    if name == "ga4":
        env = {"GA4_ACCESS_TOKEN": "ya29.9f8e7d6c5b4a3928", "GA4_PROPERTY_ID": "777"}
        return lambda: FakeGA4(ga4_records(days=25), token=env["GA4_ACCESS_TOKEN"], prop="777"), env, clock
    env = {"HUBSPOT_ACCESS_TOKEN": "pat-na1-9f8e7d6c5b4a3928"}
    return lambda: FakeHubSpot(hubspot_records(seed=6), token=env["HUBSPOT_ACCESS_TOKEN"]), env, clock


@pytest.mark.parametrize(
    "name,path,tables",
    [
        ("meta", "/insights", ["spend", "campaigns"]),
        ("ga4", ":runReport", ["kpis", "ga4_traffic"]),
        ("hubspot", "/search", ["customers", "orders", "hubspot_deals", "events"]),
    ],
)
def test_ads_and_crm_connectors_survive_bad_days(name, path, tables, monkeypatch):
    fake, env, clock = _ads_crm(name)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    ws, clean = Workspace(":memory:"), Workspace(":memory:")
    with fake() as api:
        sync(clean, name, base_url=api.url, clock=clock(), page_size=5)
        api.fail(503, path=path).fail(200, body='{"unexpected": true}', path=path, after=1)
        c = clock()
        with pytest.raises(MalformedResponseError, match="Nothing from it was written"):
            sync(ws, name, base_url=api.url, clock=c, page_size=5)
        assert c.slept[0] == 1.0  # the 503 was retried after a backoff
        out = sync(ws, name, base_url=api.url, clock=clock(), page_size=5)  # resumes
        api.token = "rotated"
        with pytest.raises(ConnectorAuthError, match="refused the token"):
            sync(ws, name, base_url=api.url, clock=clock(), page_size=5)
        assert all(v not in json.dumps(out) for v in env.values() if len(v) > 8)
    for t in tables:
        a, b = ws.read(t), clean.read(t)
        cols = [c for c in a.columns if c not in ("extra",)]
        a, b = a.sort_values(cols[:3]).reset_index(drop=True), b.sort_values(cols[:3]).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_shopify_webhooks_server_signed_duplicate_and_refund():
    import threading
    import urllib.error
    import urllib.request

    from aima.connectors.webhooks import WEBHOOK_TABLE, make_server, sign_shopify

    secret, ws = "whsec_3c4d5e6f7a8b", Workspace(":memory:")
    order = shopify_records(seed=3)["orders"][4]
    srv = make_server(ws, "127.0.0.1", 0, secret)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/webhooks/shopify"

    def post(payload, topic, wid, signature=None):
        body = json.dumps(payload).encode()
        sig = sign_shopify(body, secret) if signature is None else signature
        req = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "X-Shopify-Topic": topic,
                "X-Shopify-Webhook-Id": wid,
                "X-Shopify-Hmac-Sha256": sig,
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    try:
        assert post(order, "orders/create", "w1", signature="")[0] == 401
        assert post(order, "orders/create", "w1", signature=sign_shopify(b"other", secret))[0] == 401
        assert not ws.exists("orders") and not ws.exists(WEBHOOK_TABLE)  # nothing written
        status, out = post(order, "orders/create", "w1")
        assert (status, out["tables"]["orders"]["imported"], out["tables"]["customers"]["imported"]) == (200, 2, 1)
        assert post(order, "orders/create", "w1") == (200, {"duplicate": "w1"})
        updated = {**order, "total_price": "1.00", "refunds": []}
        assert post(updated, "orders/updated", "w2")[0] == 200
        refund = {**order["refunds"][0], "id": 4242}
        assert post(refund, "refunds/create", "w3")[0] == 200
    finally:
        srv.shutdown()
        srv.server_close()
    o = ws.read("orders").set_index("order_id")
    oid = str(order["id"])
    assert o.loc[oid, "amount"] == 1.0 and o.loc[f"{oid}-R4242", "customer_id"] == str(order["customer"]["id"])
    assert ws.table(WEBHOOK_TABLE).count().execute() == 3


@pytest.fixture
def memory_keyring():
    "The OS keyring replaced by an in-memory backend (keyring's own plug-in API), restored afterwards."
    keyring = pytest.importorskip("keyring", reason="keyring: the optional `connectors` extra is not installed")
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.store = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    old = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        yield keyring
    finally:
        keyring.set_keyring(old)


def test_credentials_from_the_keyring_sync_and_never_leak(memory_keyring, monkeypatch, tmp_path):
    from aima.connectors.http import credential

    monkeypatch.delenv("KLAVIYO_API_KEY", raising=False)
    with pytest.raises(ConnectorAuthError, match="keyring set aima KLAVIYO_API_KEY"):
        credential("KLAVIYO_API_KEY", "klaviyo")
    memory_keyring.set_password("aima", "KLAVIYO_API_KEY", KLAVIYO_KEY)
    assert credential("KLAVIYO_API_KEY", "klaviyo") == KLAVIYO_KEY
    monkeypatch.setenv("KLAVIYO_API_KEY", "pk_from_the_environment")
    assert credential("KLAVIYO_API_KEY", "klaviyo") == "pk_from_the_environment"  # the environment wins
    monkeypatch.delenv("KLAVIYO_API_KEY")
    wsf = tmp_path / "k.duckdb"
    with FakeKlaviyo(klaviyo_records(seed=4), key=KLAVIYO_KEY) as kl, Workspace(str(wsf)) as ws:
        out = sync(ws, "klaviyo", base_url=kl.url, clock=FakeClock())
        sent = {h.get("authorization") for _, _, _, h in kl.requests}
    assert out["tables"]["customers"]["imported"] == 10
    assert sent == {f"Klaviyo-API-Key {KLAVIYO_KEY}"}
    assert KLAVIYO_KEY.encode() not in wsf.read_bytes() and KLAVIYO_KEY not in json.dumps(out)


def test_klaviyo_and_hubspot_webhooks_signed_replayed_and_duplicate(monkeypatch):
    import threading
    import time
    import urllib.error
    import urllib.request

    from aima.connectors.hubspot import FakeHubSpot, hubspot_records
    from aima.connectors.webhooks import WEBHOOK_TABLE, make_server, sign_hubspot, sign_klaviyo

    secrets = {"klaviyo": "klaviyo-secret-0123456789", "hubspot": "hubspot-app-secret"}
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-0a1b2c3d")
    ws = Workspace(":memory:")
    public = "https://hooks.example.com"
    srv = make_server(ws, "127.0.0.1", 0, secrets, public_url=public)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"

    def post(path, body, headers):
        req = urllib.request.Request(base + path, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    ev = klaviyo_records(seed=6)["events"][:3]
    items = [{"topic": "event:klaviyo.clicked_email", "external_id": e["id"], "payload": {"data": e}} for e in ev]
    kbody = json.dumps({"data": items, "meta": {"klaviyo_webhook_id": "wh_9"}}).encode()
    now = str(int(time.time()))
    kh = {"Klaviyo-Webhook-Id": "wh_9", "Klaviyo-Timestamp": now, "Content-Type": "application/json"}
    hbody = json.dumps([{"eventId": 7, "subscriptionType": "deal.creation", "objectId": 9007}]).encode()
    ms = str(int(time.time() * 1000))
    try:
        assert post("/webhooks/klaviyo", kbody, {**kh, "Klaviyo-Signature": sign_klaviyo(b"x", now, "k")})[0] == 401
        old = str(int(time.time()) - 3600)
        stale = {**kh, "Klaviyo-Timestamp": old, "Klaviyo-Signature": sign_klaviyo(kbody, old, secrets["klaviyo"])}
        assert post("/webhooks/klaviyo", kbody, stale)[0] == 401  # an hour old: refused as a replay
        assert not ws.exists("events") and not ws.exists(WEBHOOK_TABLE)
        good = {**kh, "Klaviyo-Signature": sign_klaviyo(kbody, now, secrets["klaviyo"])}
        status, out = post("/webhooks/klaviyo", kbody, good)
        assert (status, out["tables"]["events"]["imported"]) == (200, 3)
        assert post("/webhooks/klaviyo", kbody, good) == (200, {"duplicate": [e["id"] for e in ev]})
        with FakeHubSpot(hubspot_records(seed=5), token="pat-na1-0a1b2c3d") as hs:
            ws.config.connectors.base_urls["hubspot"] = hs.url
            wrong = sign_hubspot("POST", f"{base}/webhooks/hubspot", hbody, ms, secrets["hubspot"])
            hh = {"X-HubSpot-Request-Timestamp": ms, "Content-Type": "application/json"}
            assert post("/webhooks/hubspot", hbody, {**hh, "X-HubSpot-Signature-v3": wrong})[0] == 401
            sig = sign_hubspot("POST", f"{public}/webhooks/hubspot", hbody, ms, secrets["hubspot"])
            status, out = post("/webhooks/hubspot", hbody, {**hh, "X-HubSpot-Signature-v3": sig})
            assert (status, out["tables"]["orders"]["imported"]) == (200, 1), out
            assert post("/webhooks/hubspot", hbody, {**hh, "X-HubSpot-Signature-v3": sig}) == (
                200,
                {"duplicate": ["7"]},
            )
            assert sum(p.startswith("/crm/") for _, p, _, _ in hs.requests) == 2  # one batch read + associations
        assert post("/webhooks/shopify", b"{}", {"X-Shopify-Hmac-Sha256": "x"})[0] == 503  # no secret configured
    finally:
        srv.shutdown()
        srv.server_close()
    e = ws.read("events")
    assert set(e.event_type) == {"email_click"} and len(e) == 3
    assert ws.read("orders").set_index("order_id").loc["hubspot:9007", "customer_id"] == "hubspot:507"
    assert ws.table(WEBHOOK_TABLE).count().execute() == 4
