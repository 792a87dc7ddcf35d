"""The importer on every source kind, on messy input (hypothesis fuzzing), and its no-data-loss contract."""

import functools
import http.server
import json
import os
import sqlite3
import subprocess

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aima.core import Workspace
from aima.data.imports import import_source, read_source
from conftest import BIN, ROOT, local_http_server

ORDERS = pd.DataFrame(
    {
        "Order No": ["A-1", "A-2", "A-2", "A-3"],
        "Buyer Email": ["ann@x.com", "bo@y.org", "bo@y.org", "cy@z.net"],
        "Order Placed": ["2024-02-13", "2024-02-14", "2024-02-14", "2024-03-01"],
        "Product": ["Saree", "Kurta", "Scarf", "Lamp"],
        "Qty": [1, 2, 1, 3],
        "Unit Price": [1200.0, 350.5, 99.0, 10.0],
    }
)


def _check(out, rows=4, imported=4):
    assert out["rows"] == rows and out["imported"] == imported and out["imported"] + out["quarantined"] == out["rows"]
    assert out["tables"]["orders"] == 3 and out["tables"]["order_items"] == 4


@pytest.mark.parametrize("encoding,sep", [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", "\t"), ("utf-16", "|")])
def test_text_encodings_and_delimiters(tmp_path, encoding, sep):
    df = ORDERS.assign(Product=["Saree", "Kurta", "Scarf", "Café lamp"])
    df.to_csv(tmp_path / "o.csv", sep=sep, index=False, encoding=encoding)
    with Workspace(tmp_path / "w.duckdb") as ws:
        out = import_source(ws, tmp_path / "o.csv")
        _check(out)
        assert "Café lamp" in ws.read("order_items").product_name.tolist()


def test_excel_every_sheet_and_one_sheet(tmp_path):
    with pd.ExcelWriter(tmp_path / "o.xlsx") as xw:
        ORDERS.iloc[:2].to_excel(xw, sheet_name="Jan", index=False)
        ORDERS.iloc[2:].to_excel(xw, sheet_name="Feb", index=False)
    with Workspace(tmp_path / "w.duckdb") as ws:
        out = import_source(ws, tmp_path / "o.xlsx")
        assert out["rows"] == 4 and out["imported"] == 4  # same layout on every sheet: read as one table
        assert set(ws.read("orders").order_id) == {"A-1", "A-2", "A-3"}
        assert ws.read("order_items").groupby("order_id").size()["A-2"] == 2  # lines of A-2 from two sheets
    only = import_source(None, tmp_path / "o.xlsx", sheet="Feb", preview=True)
    assert only["rows"] == 2
    with pd.ExcelWriter(tmp_path / "two.xlsx") as xw:  # different layouts: one source per sheet
        ORDERS.to_excel(xw, sheet_name="orders", index=False)
        pd.DataFrame({"Email": ["new@q.com", "bad"], "City": ["Leeds", "York"]}).to_excel(
            xw, sheet_name="crm", index=False
        )
    with Workspace(tmp_path / "w2.duckdb") as ws:
        out = import_source(ws, tmp_path / "two.xlsx")
        assert [s["source"].rsplit("[", 1)[1] for s in out["sources"]] == ["orders]", "crm]"]
        assert (out["rows"], out["imported"] + out["quarantined"]) == (6, 6)


def test_json_ndjson_parquet(tmp_path):
    ORDERS.to_json(tmp_path / "o.json", orient="records")
    lines = [json.dumps(r) for r in ORDERS.to_dict("records")] + ["{not json"]
    (tmp_path / "o.ndjson").write_text("\n".join(lines) + "\n")
    ORDERS.to_parquet(tmp_path / "o.parquet")
    for name, rows, q in [("o.json", 4, 0), ("o.ndjson", 5, 1), ("o.parquet", 4, 0)]:
        with Workspace(tmp_path / f"{name}.duckdb") as ws:
            out = import_source(ws, tmp_path / name)
            assert (out["rows"], out["quarantined"]) == (rows, q), name
            assert out["tables"]["orders"] == 3
            if q:
                assert ws.read("quarantine").reason[0].startswith("line is not valid JSON")


@pytest.fixture
def http_server(tmp_path):
    with local_http_server(tmp_path, _SheetHandler) as url:
        yield url, tmp_path


class _SheetHandler(http.server.SimpleHTTPRequestHandler):
    "Serves /spreadsheets/d/ID/export?format=csv&gid=G from ID_G.csv, like Google's CSV export."

    requests = []

    def do_GET(self):
        _SheetHandler.requests.append(self.path)
        if self.path.startswith("/spreadsheets/d/"):
            sid = self.path.split("/")[3]
            gid = self.path.split("gid=")[1] if "gid=" in self.path else "0"
            self.path = f"/{sid}_{gid}.csv"
        return super().do_GET()


def test_google_sheet_link_through_local_server(http_server):
    base, folder = http_server
    ORDERS.to_csv(folder / "SHEETID_77.csv", index=False)
    link = f"{base}/spreadsheets/d/SHEETID/edit#gid=77"
    with Workspace(folder / "w.duckdb") as ws:
        _check(import_source(ws, link))
    assert any("export?format=csv&gid=77" in p for p in _SheetHandler.requests)
    with pytest.raises(ValueError, match="Anyone with the link"):
        import_source(None, f"{base}/spreadsheets/d/MISSING/edit", preview=True)


def test_sql_tables_sqlite_and_duckdb(tmp_path):
    con = sqlite3.connect(tmp_path / "shop.db")
    ORDERS.to_sql("orders_export", con, index=False)
    con.close()
    with Workspace(tmp_path / "other.duckdb") as other:
        other.write("orders_export", ORDERS)
    with Workspace(tmp_path / "w.duckdb") as ws:
        _check(import_source(ws, f"sqlite:///{tmp_path / 'shop.db'}", table="orders_export"))
    with Workspace(tmp_path / "w2.duckdb") as ws:
        out = import_source(
            ws, f"duckdb://{tmp_path / 'other.duckdb'}", query='SELECT * FROM orders_export WHERE "Qty" > 0'
        )
        _check(out)


def test_dayfirst_is_decided_for_the_whole_column(tmp_path):
    df = pd.DataFrame(
        {"order id": ["1", "2", "3"], "date": ["03/02/2024", "04/02/2024", "25/02/2024"], "total": ["10", "20", "30"]}
    )
    df.to_csv(tmp_path / "d.csv", index=False)
    with Workspace(tmp_path / "w.duckdb") as ws:
        out = import_source(ws, tmp_path / "d.csv")
        assert out["dayfirst"] is True
        days = ws.read("orders").sort_values("order_id").ordered_at.dt.strftime("%m-%d").tolist()
        assert days == ["02-03", "02-04", "02-25"]  # 03/02 is 3 February because 25/02 exists


def test_failed_import_leaves_workspace_unchanged(tmp_path, monkeypatch):
    ORDERS.to_csv(tmp_path / "o.csv", index=False)
    bad = ORDERS.assign(**{"Order Placed": ["2024-02-13", "when?", "2024-02-14", "2024-03-01"]})
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with Workspace(tmp_path / "w.duckdb") as ws:
        import_source(ws, tmp_path / "o.csv")
        before = {
            t: ws.read(t).sort_values(ws.read(t).columns[0]).reset_index(drop=True)
            for t in ("orders", "order_items", "customers", "_aima_imports")
        }

        def boom(*a, **k):
            raise RuntimeError("disk full")

        monkeypatch.setattr(Workspace, "quarantine", boom)
        with pytest.raises(RuntimeError, match="disk full"):
            import_source(ws, tmp_path / "bad.csv")
        for t, df in before.items():
            pd.testing.assert_frame_equal(ws.read(t).sort_values(df.columns[0]).reset_index(drop=True), df)


def test_online_retail_sample_imports_without_losses(tmp_path):
    path = ROOT / "datasets/online_retail_sample/online_retail_sample_1000_customers.csv.gz"
    with Workspace(tmp_path / "w.duckdb") as ws:
        out = import_source(ws, path)
        fields = {c: m["field"] for c, m in out["mapping"].items()}
        assert fields == {
            "InvoiceNo": "order_id",
            "StockCode": "sku",
            "Description": "product_name",
            "Quantity": "quantity",
            "InvoiceDate": "order_date",
            "UnitPrice": "unit_price",
            "CustomerID": "customer_id",
            "Country": "country",
        }
        assert (out["rows"], out["imported"], out["quarantined"]) == (98407, 98407, 0)
        items = ws.table("order_items")
        assert round(items.amount.sum().execute(), 2) == 1991433.48  # card's reference sum
        assert items.is_return.sum().execute() == 2359  # cancellation lines kept and flagged
        assert out["tables"] == {"customers": 1000, "orders": 5487, "order_items": 98407}


def test_cli_import_json_preview_and_map(tmp_path):
    ORDERS.rename(columns={"Unit Price": "col_x"}).to_csv(tmp_path / "o.csv", index=False)
    env = {**os.environ, "CI": "true"}
    run = lambda *a: subprocess.run([str(BIN / "aima"), *a], capture_output=True, text=True, env=env, timeout=300)
    r = run("import", str(tmp_path / "o.csv"), "--preview", "--json", "--map", "col_x=unit_price")
    assert r.returncode == 0, r.stderr
    pv = json.loads(r.stdout)
    assert pv["mapping"]["col_x"]["field"] == "unit_price" and "preview" in pv and not (tmp_path / "w.duckdb").exists()
    r = run("import", str(tmp_path / "o.csv"), "-w", str(tmp_path / "w.duckdb"), "--json", "--map", "col_x=unit_price")
    out = json.loads(r.stdout)
    assert {k: out[k] for k in ("rows", "imported", "quarantined")} == {"rows": 4, "imported": 4, "quarantined": 0}
    assert set(out) >= {"rows", "imported", "quarantined", "mapping", "tables"}
    r = run("import", str(tmp_path / "o.csv"), "-w", str(tmp_path / "w.duckdb"), "--map", "nope")
    assert r.returncode == 1 and "use COLUMN=field" in r.stderr


# ---------------------------------------------------------------- fuzzing
HEADERS = {
    "order_id": ["Order ID", "order_no", "Invoice", "ORDER NUMBER", "Bill No"],
    "date": ["Order Date", "created_at", "Order Placed", "InvoiceDate", "date"],
    "amount": ["Grand Total", "GMV", "sale amount", "Total", "Amount"],
    "email": ["Buyer Email", "mail", "E-mail", "customer_email"],
    "phone": ["Mobile", "Contact No", "Phone", "tel"],
    "city": ["Thana", "District", "City", "Zone", "Area"],
}
MONEY = {
    "uk": lambda v: f"£{v:,.2f}",
    "eu": lambda v: f"{v:,.2f} €".replace(",", "X").replace(".", ",").replace("X", "."),
    "plain": lambda v: f"{v:.2f}",
    "bdt": lambda v: f"৳{v:,.0f}",
}
DATES = {"iso": "%Y-%m-%d", "dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y", "iso_t": "%Y-%m-%d %H:%M:%S"}


@st.composite
def messy_export(draw):
    n = draw(st.integers(1, 40))
    heads = {k: draw(st.sampled_from(v)) for k, v in HEADERS.items()}
    money, datefmt = draw(st.sampled_from(sorted(MONEY))), draw(st.sampled_from(sorted(DATES)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    rows = []
    for i in range(n):
        r = {
            heads["order_id"]: f"O{rng.integers(1, n + 5)}",
            heads["date"]: days[i].strftime(DATES[datefmt]),
            heads["amount"]: MONEY[money](float(rng.uniform(1, 5000))),
            heads["email"]: f"user{rng.integers(0, 20)}@shop.com",
            heads["phone"]: f"+44 7{rng.integers(100000000, 999999999)}",
            heads["city"]: rng.choice(["Leeds", "Dhaka", "Köln", ""]),
        }
        kind = rng.random()
        if kind < 0.1:
            r[heads["amount"]] = rng.choice(["abc", "12..5", "£"])
        elif kind < 0.2:
            r[heads["date"]] = rng.choice(["31/31/2024", "yesterday", "2024-13-45"])
        elif kind < 0.25:
            r[heads["order_id"]] = ""
        elif kind < 0.3:
            r[heads["email"]] = "not-an-email"
        rows.append(r)
    df = pd.DataFrame(rows)
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    text = df.to_csv(sep=sep, index=False)
    broken = draw(st.integers(0, 3))
    lines = text.splitlines()
    for _ in range(broken):  # rows with too many fields (an unquoted delimiter)
        lines.insert(int(rng.integers(1, len(lines) + 1)), sep.join(["x"] * (len(df.columns) + 2)))
    return ("\n".join(lines) + "\n").encode(enc, errors="replace"), n + broken


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=messy_export())
def test_fuzz_no_crash_no_loss_idempotent(tmp_path_factory, data):
    raw, n_rows = data
    d = tmp_path_factory.mktemp("fuzz")
    (d / "export.csv").write_bytes(raw)
    with Workspace(d / "w.duckdb") as ws:
        try:
            out = import_source(ws, d / "export.csv")
        except ValueError as e:  # only the documented 'cannot tell what these rows are' may refuse a file
            assert "cannot tell what these rows are" in str(e) or "need a" in str(e)
            return
        assert out["rows"] == n_rows
        assert out["imported"] + out["quarantined"] == out["rows"]
        q = ws.read("quarantine")
        assert len(q) == out["quarantined"] and q.reason.str.len().min() > 0 if len(q) else True
        snapshot = {t: ws.read(t) for t in ws.tables()}
        again = import_source(ws, d / "export.csv")
        assert "already imported" in again["skipped"]
        for t, df in snapshot.items():
            assert len(ws.read(t)) == len(df)


# ---------------------------------------------------------------- whole-file garbage
def _hostile_files(d):
    """Files a new user might hand over by mistake:
    name -> (bytes, the error expected, or the counts when it must import)."""
    import gzip
    import io
    import zipfile

    good = ORDERS.to_csv(index=False).encode()
    xlsx = io.BytesIO()
    ORDERS.to_excel(xlsx, index=False)
    xlsx = xlsx.getvalue()
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("orders.csv", good)
    empty_sheet, header_sheet = io.BytesIO(), io.BytesIO()
    pd.DataFrame().to_excel(empty_sheet, index=False)
    ORDERS.iloc[:0].to_excel(header_sheet, index=False)
    gz = gzip.compress(good)
    return {
        "random.csv": (np.random.default_rng(7).integers(0, 256, 20_000, dtype=np.uint8).tobytes(), "not a text file"),
        "header_only.csv": (
            b"Order No,Buyer Email,Order Placed,Qty,Unit Price\n",
            "a header row (5 columns) and no data rows",
        ),
        "empty.csv": (b"", "the file is empty"),
        "truncated.csv.gz": (gz[: len(gz) // 2], "gzip file is damaged or cut short"),
        "truncated.xlsx": (xlsx[: len(xlsx) // 2], "workbook is damaged or cut short"),
        "archive.xlsx": (zipped.getvalue(), "a zip archive, not an Excel workbook (it holds orders.csv)"),
        "empty_sheet.xlsx": (empty_sheet.getvalue(), "every sheet is empty"),
        "header_only.xlsx": (header_sheet.getvalue(), "a header row (6 columns) and no data rows"),
        "note.xlsx": (b"just a note, not a workbook\n", "plain text, not a workbook"),
        "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "xlrd"),
        "broken.parquet": (b"PAR1" + b"\x00" * 64, "Parquet file is damaged"),
        # the wrong extension for a readable file simply works: (rows, imported, quarantined)
        "workbook_named.csv": (xlsx, (4, 4, 0)),
        "csv_named.xlsx": (good, (4, 4, 0)),
        "gzip_named.csv": (gz, (4, 4, 0)),
        # no value in the date column is a date: the column is not recognised, and the error says how to map it
        "no_dates.csv": (
            ORDERS.assign(**{"Order Placed": "when?"}).to_csv(index=False).encode(),
            "orders need an order date column",
        ),
    }


@pytest.mark.parametrize("name", sorted(_hostile_files(".")))
def test_whole_file_garbage_one_clear_error_nothing_written(tmp_path, name):
    raw, error = _hostile_files(tmp_path)[name]
    (tmp_path / name).write_bytes(raw)
    with Workspace(tmp_path / "w.duckdb") as ws:
        import_source(ws, _write_orders(tmp_path))  # a workspace that already holds data
        before = ws.row_counts(include_meta=True)
        if isinstance(error, tuple):
            out = import_source(ws, tmp_path / name)
            assert (out["rows"], out["imported"], out["quarantined"]) == error
            return
        with pytest.raises(ValueError) as e:
            import_source(ws, tmp_path / name)
        msg = str(e.value)
        assert error in msg and msg.startswith(str(tmp_path / name)) and "\n" not in msg
        assert ws.row_counts(include_meta=True) == before  # nothing half-written


def _write_orders(d):
    ORDERS.assign(**{"Order No": ["B-1", "B-2", "B-2", "B-3"]}).to_csv(d / "first.csv", index=False)
    return d / "first.csv"


def test_cli_hostile_file_is_one_line_error(tmp_path):
    (tmp_path / "random.csv").write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    r = subprocess.run(
        [str(BIN / "aima"), "import", str(tmp_path / "random.csv"), "--workspace", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        env={**os.environ, "CI": "true"},
        timeout=300,
    )
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'random.csv'}: this is not a text file (binary content) and "
        "not a workbook, Parquet or gzip file either; export the data as CSV, Excel or JSON "
        "and import that file."
    ]


def test_a_failing_sheet_rolls_back_the_whole_workbook(tmp_path):
    with pd.ExcelWriter(tmp_path / "two.xlsx") as xw:
        ORDERS.to_excel(xw, sheet_name="orders", index=False)
        pd.DataFrame({"Colour": ["red", "blue"], "Size": ["S", "M"]}).to_excel(xw, sheet_name="notes", index=False)
    with Workspace(tmp_path / "w.duckdb") as ws:
        with pytest.raises(ValueError, match="cannot tell what these rows are"):
            import_source(ws, tmp_path / "two.xlsx")
        assert [t for t in ("orders", "order_items", "customers") if ws.exists(t) and len(ws.read(t))] == []


# ---------------------------------------------------------------- ids
def test_whole_number_float_ids_are_stored_as_written_integers(tmp_path):
    df = pd.DataFrame(
        {
            "InvoiceNo": ["536365", "536365", "536366", "536367"],
            "InvoiceDate": ["2010-12-01 08:26", "2010-12-01 08:26", "2010-12-01 08:28", "2010-12-01 08:34"],
            "UnitPrice": ["2.55", "3.39", "1.85", "1.69"],
            "Quantity": ["6", "6", "6", "32"],
            "CustomerID": ["17850.0", "17850.0", "", "13047.0"],
        }
    )
    df.to_csv(tmp_path / "retail.csv", index=False)
    with Workspace(tmp_path / "w.duckdb") as ws:
        import_source(ws, tmp_path / "retail.csv")
        assert sorted(ws.read("customers").customer_id) == ["13047", "17850"]
        assert sorted(ws.read("orders").customer_id.dropna()) == ["13047", "17850"]
    df.assign(CustomerID=["17850.0", "17850.0", "C-1", "13047.0"]).to_csv(tmp_path / "mixed.csv", index=False)
    df.assign(CustomerID=["17850.5", "17850.5", "", "13047.0"]).to_csv(tmp_path / "fraction.csv", index=False)
    for name, ids in [("mixed.csv", ["13047.0", "17850.0", "C-1"]), ("fraction.csv", ["13047.0", "17850.5"])]:
        with Workspace(tmp_path / f"{name}.duckdb") as ws:
            import_source(ws, tmp_path / name)
            assert sorted(ws.read("customers").customer_id) == ids, name
    pd.DataFrame(
        {"order": ["1", "2"], "date": ["2024-01-01", "2024-01-02"], "total": [5.0, 6.0], "customer": [12503.0, np.nan]}
    ).to_parquet(tmp_path / "float_ids.parquet")
    with Workspace(tmp_path / "p.duckdb") as ws:
        import_source(ws, tmp_path / "float_ids.parquet", mapping={"customer": "customer_id"})
        assert ws.read("customers").customer_id.tolist() == ["12503"]


# ---------------------------------------------------------------- CDNOW files
@pytest.mark.parametrize(
    "text,ids",
    [
        (
            " customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n 00002 19970112  1   12.00\n",
            ["00001", "00002"],
        ),
        (" 00001 19970101  1   11.77\n 00002 19970112  1   12.00\n", ["00001", "00002"]),
        (" 00001 0001 19970101  1   11.77\n 00002 0001 19970112  1   12.00\n", ["00001", "00002"]),
        ("customer_id,date,number_of_cds,dollar_value\n1,1997-01-01,1,11.77\n2,1997-01-12,1,12.0\n", ["1", "2"]),
    ],
)
def test_read_cdnow_every_distributed_shape(tmp_path, text, ids):
    from aima.retention.clv import read_cdnow

    (tmp_path / "cdnow.txt").write_text(text)
    tx = read_cdnow(tmp_path / "cdnow.txt")
    assert tx.customer_id.tolist() == ids
    assert tx.date.dt.strftime("%Y-%m-%d").tolist() == ["1997-01-01", "1997-01-12"]
    assert (tx.quantity.tolist(), tx.amount.tolist()) == ([1, 1], [11.77, 12.0])


def test_read_cdnow_wrong_file_is_one_clear_error(tmp_path):
    from aima.retention.clv import read_cdnow

    (tmp_path / "x.txt").write_text("a b c\n1 2 3\n")
    with pytest.raises(ValueError, match=r"x.txt: expected CDNOW's 4 columns"):
        read_cdnow(tmp_path / "x.txt")
    (tmp_path / "y.txt").write_text(" 00001 1997-13-01  1   11.77\n")
    with pytest.raises(ValueError, match=r"y.txt: row 1 is not a CDNOW transaction"):
        read_cdnow(tmp_path / "y.txt")


@functools.cache
def _valid_export(fmt: str) -> bytes:
    "The same bytes every time (a workbook carries its save time), so hypothesis can replay its draws."
    import gzip
    import io

    if fmt == "xlsx":
        buf = io.BytesIO()
        ORDERS.to_excel(buf, index=False)
        return buf.getvalue()
    raw = ORDERS.to_csv(index=False).encode()
    return gzip.compress(raw, mtime=0) if fmt == "csv.gz" else raw


@st.composite
def damaged_file(draw):
    "A valid export (CSV, gzip CSV or workbook) under a right or wrong name, cut short and/or with bytes overwritten."
    fmt = draw(st.sampled_from(["csv", "csv.gz", "xlsx"]))
    raw = _valid_export(fmt)
    cut = draw(st.integers(0, len(raw)))
    raw = bytearray(raw[:cut])
    for pos, byte in draw(st.lists(st.tuples(st.integers(0, max(len(raw) - 1, 0)), st.integers(0, 255)), max_size=3)):
        if raw:
            raw[pos] = byte
    return bytes(raw), draw(st.sampled_from([fmt, "csv", "xlsx", "parquet", "json"]))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=damaged_file())
def test_fuzz_damaged_files_clear_error_or_no_loss(tmp_path_factory, data):
    raw, ext = data
    d = tmp_path_factory.mktemp("damaged")
    path = d / f"export.{ext}"
    path.write_bytes(raw)
    with Workspace(d / "w.duckdb") as ws:
        before = ws.row_counts(include_meta=True)
        try:
            out = import_source(ws, path)
        except ValueError as e:  # one clear line that names the file, and nothing written
            assert str(e).startswith(str(path)) and "\n" not in str(e).strip(), str(e)
            assert ws.row_counts(include_meta=True) == before
            return
        assert out["imported"] + out["quarantined"] == out["rows"]
        assert len(ws.read("quarantine")) == out["quarantined"]


# ---------------------------------------------------------------- DuckDB and pandas parse alike
def _money_text():
    number = st.floats(-1e7, 1e7, allow_nan=False).map(lambda v: round(v, 2))
    shapes = [
        lambda v: f"{v}",
        lambda v: f"{v:,.2f}",
        lambda v: f"£{v:,.2f}",
        lambda v: f"${abs(v):.2f}",
        lambda v: f"{v:.0f}",
        lambda v: f"({abs(v):.2f})",
        lambda v: f"€ {v:.3f}",
        lambda v: f"{v:,.2f} GBP",
        lambda v: f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."),
        lambda v: f"৳{abs(v):,.0f}",
    ]
    return st.one_of(
        st.tuples(number, st.sampled_from(shapes)).map(lambda t: t[1](t[0])),
        st.sampled_from(["", " ", "abc", "12..5", "£", "1,23,4", "-", " 7 ", "1e3"]),
    )


def _date_text():
    day = st.dates(pd.Timestamp("1990-01-01").date(), pd.Timestamp("2030-12-31").date())
    fmts = [
        "%Y-%m-%d",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S+02:00",
        "%d/%m/%Y",
        "%m/%d/%Y",
        "%d/%m/%Y %H:%M",
        "%d-%m-%Y",
        "%d.%m.%Y",
        "%d %b %Y",
        "%Y/%m/%d",
        "%d/%m/%y",
    ]
    return st.one_of(
        st.tuples(day, st.sampled_from(fmts)).map(lambda t: t[0].strftime(t[1])),
        st.sampled_from(["", "soon", "2024-13-45", "31/31/2024", "2024-02-30", "3000-01-01"]),
    )


@settings(max_examples=60, deadline=None)
@given(values=st.lists(_money_text(), min_size=1, max_size=30))
def test_money_parsed_in_duckdb_equals_the_pandas_path(values):
    from aima.data.detect import parse_money

    s = pd.Series(values, dtype="object")
    fast, slow = parse_money(s), parse_money(s, engine="pandas")
    pd.testing.assert_series_equal(fast[0], slow[0], check_names=False)
    assert fast[1].fillna("-").tolist() == slow[1].fillna("-").tolist()
    assert fast[2].tolist() == slow[2].tolist()


@settings(max_examples=60, deadline=None)
@given(values=st.lists(_date_text(), min_size=1, max_size=30))
def test_dates_parsed_in_duckdb_equal_the_pandas_path(values):
    from aima.data.detect import parse_dates

    s = pd.Series(values, dtype="object")
    fast, slow = parse_dates(s), parse_dates(s, engine="pandas")
    assert fast[2] == slow[2]  # the same day-first decision
    pd.testing.assert_series_equal(fast[0], slow[0], check_names=False)
    assert fast[1].tolist() == slow[1].tolist()
