"""Shared pytest setup: the project root, flags for slow tests, the external datasets folder, a local HTTP server,
and the skip check: every skip is listed at the end, and on CI (`CI=true`) a skip whose reason is not in
tests/expected_skips.txt fails the run (see `aima.workbench.skips`)."""

import contextlib
import functools
import http.server
import os
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EXTERNAL = Path(os.environ.get("AIMA_PATHS__EXTERNAL_DATASETS", ROOT.parent / "shared" / "datasets"))


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="also run tests marked slow")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: over ~20 s; runs with --runslow (make test-slow), like `#| slow` cells")
    config.addinivalue_line(
        "markers", "spark: needs local Spark (Java 17, pyspark); runs with --runslow, like `#| spark` cells"
    )
    config.addinivalue_line(
        "markers", "browser: drives Debian's chromium with playwright (skips when either is missing)"
    )


_SKIPS: list[tuple[str, str]] = []  # (test id, reason) of every skipped test in this session


def _reason(report) -> str:
    lr = report.longrepr
    text = lr[2] if isinstance(lr, tuple) and len(lr) == 3 else str(lr)
    return text.removeprefix("Skipped: ")


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        _SKIPS.append((report.nodeid, _reason(report)))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    from aima.workbench.skips import in_ci, is_expected, record_skip

    for nodeid, reason in _SKIPS:
        record_skip(reason, nodeid, kind="pytest")
    session.config._aima_unexpected = bad = [(n, r) for n, r in _SKIPS if not is_expected(r)]
    if bad and in_ci() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _SKIPS:
        return
    from aima.workbench.skips import in_ci

    bad = getattr(config, "_aima_unexpected", [])
    tr = terminalreporter
    tr.section(f"skips: {len(_SKIPS)}, {len(bad)} not in tests/expected_skips.txt")
    for nodeid, reason in _SKIPS:
        tr.write_line(f"{'UNEXPECTED ' if (nodeid, reason) in bad else ''}{nodeid}: {reason}")
    if bad and in_ci():
        tr.write_line(
            f"FAILED: {len(bad)} unexpected skip(s) on CI (CI=true). Provide what they need, or add the reason "
            "to tests/expected_skips.txt if the skip is expected there.",
            red=True,
            bold=True,
        )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    for item in items:
        for flag in ("slow", "spark"):
            if flag in item.keywords:
                item.add_marker(pytest.mark.skip(reason=f"{flag}: run with --runslow (make test-slow)"))
                break


@pytest.fixture
def external_dataset():
    "Path to a file under the external datasets folder, or skip with the reason when it is absent."

    def get(relpath: str) -> Path:
        p = EXTERNAL / relpath
        if not p.exists():
            pytest.skip(f"external dataset {relpath} not found under {EXTERNAL} (set AIMA_PATHS__EXTERNAL_DATASETS)")
        return p

    return get


@contextlib.contextmanager
def local_http_server(directory, handler=None):
    "Serve `directory` on 127.0.0.1 (random port) from a thread; yields the base URL and stops the server afterwards."

    class Quiet(handler or http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()
        th.join(timeout=5)


PG_BIN = Path(os.environ.get("AIMA_PG_BIN", "/usr/local/bin"))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """A throw-away local Postgres cluster: `initdb` into a temporary folder, `pg_ctl start` on a free 127.0.0.1 port
    (unix socket in the same folder), trust auth for user `aima`, stopped and deleted at teardown. Yields the
    server URL `postgres://aima@127.0.0.1:PORT`. Skips with the reason when the binaries or psycopg are missing.
    As root (initdb refuses to run as root) the cluster runs as user `nobody`."""
    import shutil
    import subprocess
    import tempfile

    initdb, pg_ctl = (shutil.which(n, path=f"{PG_BIN}:{os.environ.get('PATH', '')}") for n in ("initdb", "pg_ctl"))
    if not (initdb and pg_ctl):
        pytest.skip(f"postgres: initdb/pg_ctl not found in {PG_BIN} or on PATH (apt-get install postgresql)")
    pytest.importorskip("psycopg", reason="postgres: install aima[postgres] (ibis-framework[postgres], psycopg)")
    as_root = os.geteuid() == 0
    if as_root:  # pytest's tmp folders are private to root; the server user needs its own
        base = Path(tempfile.mkdtemp(prefix="aima-pg-"))
        shutil.chown(base, "nobody", "nogroup")
    else:
        base = tmp_path_factory.mktemp("pg")
    pre = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if as_root else []
    data, port = base / "data", _free_port()
    run = functools.partial(subprocess.run, capture_output=True, text=True, cwd=base)
    r = run([*pre, initdb, "-D", str(data), "-U", "aima", "--auth=trust", "-E", "UTF8", "--no-sync"])
    if r.returncode:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"initdb failed: {r.stderr[-2000:]}")
    opts = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={base} -c fsync=off"
    r = run([*pre, pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "-t", "60", "start"])
    if r.returncode:
        log = (base / "log").read_text() if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"pg_ctl start failed: {r.stderr[-1000:]} {log[-2000:]}")
    try:
        yield f"postgres://aima@127.0.0.1:{port}"
    finally:
        run([*pre, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server):
    "A fresh, empty database on the session's throw-away cluster, as a `Workspace` URL (dropped afterwards)."
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    yield f"{postgres_server}/{name}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
