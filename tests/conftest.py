"""Shared pytest setup: the project root, flags for slow tests, the external datasets folder, a local HTTP server."""
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
    config.addinivalue_line("markers", "slow: takes minutes; runs with --runslow (make test-slow)")
    config.addinivalue_line("markers", "browser: drives Debian's chromium with playwright (skips when either is missing)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow (make test-slow)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


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
