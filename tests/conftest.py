"""Shared pytest setup: the project root, flags for slow tests, and the external datasets folder."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EXTERNAL = Path(os.environ.get("AIMA_PATHS__EXTERNAL_DATASETS", ROOT.parent / "shared" / "datasets"))


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="also run tests marked slow")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes minutes; runs with --runslow (make test-slow)")


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
