"""Every YAML file in configs/ is a valid AIMA configuration layer."""

from pathlib import Path

import pytest

from aima.config import AimaConfig, load_config
from conftest import ROOT

FILES = sorted(p for p in (ROOT / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_config_file_is_valid(path):
    cfg = load_config(path, config_dir=ROOT / "configs", env={})
    assert isinstance(cfg, AimaConfig)


def test_base_yaml_matches_documented_defaults():
    cfg = load_config(config_dir=ROOT / "configs", env={})
    assert cfg.workspace.uri == "aima.duckdb"
    assert cfg.retention.churn_horizons == [30, 60, 90]
    assert cfg.source_of("workspace.uri").endswith("configs/base.yaml")
