"""Lightning DDP on CPU: `SequenceEmbedder(strategy="ddp", accelerator="cpu", devices=2)` trains in two processes.

Lightning's `ddp` launcher re-runs the launching command for every extra rank, so the fit runs in a small script (with
a `__main__` guard, as the recipe in nbs/10_customers/04_embed.ipynb says), never inside the pytest process. Every
rank writes what it saw; the test checks that two distinct processes trained, agreed on the weights and the loss
fell."""

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

SCRIPT = """
import hashlib, json, os, sys
import torch
from aima.customers.embed import SequenceEmbedder, slice_agreement, toy_sequences

if __name__ == "__main__":
    out = sys.argv[1]
    X, _ = toy_sequences(60, seed=0)
    tiny = dict(dim=16, d_model=16, n_heads=2, n_layers=1, max_slice=16, batch_size=15, random_state=0)
    m = SequenceEmbedder(max_epochs=8, strategy="ddp", accelerator="cpu", devices=2, **tiny).fit(X)
    w = torch.cat([p.detach().flatten() for p in m.net_.parameters()]).numpy().tobytes()
    report = dict(rank=m.global_rank_, world_size=m.world_size_, pid=os.getpid(), losses=m.loss_history_,
                  weights=hashlib.sha256(w).hexdigest(), seconds=m.train_seconds_, top1=slice_agreement(m, X)["top1"])
    with open(os.path.join(out, f"rank{m.global_rank_}.json"), "w") as f:
        json.dump(report, f)
"""


def _two_ranks(tmp_path, text: str, name: str) -> list[dict]:
    "Run the training script `text` (saved as `name`) in a fresh interpreter; the two ranks' JSON reports."
    pytest.importorskip("lightning", reason="install aima[torch]")
    script = tmp_path / name
    script.write_text(text)
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env.pop("LOCAL_RANK", None)
    r = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return [json.loads((tmp_path / f"rank{i}.json").read_text()) for i in (0, 1)]


@pytest.mark.slow
def test_sequence_embedder_ddp_on_two_cpu_processes(tmp_path):
    ranks = _two_ranks(tmp_path, SCRIPT, "train_ddp.py")
    assert [x["rank"] for x in ranks] == [0, 1]
    assert [x["world_size"] for x in ranks] == [2, 2]
    assert ranks[0]["pid"] != ranks[1]["pid"]  # two processes trained
    assert ranks[0]["weights"] == ranks[1]["weights"]  # DDP kept the replicas identical
    assert ranks[0]["losses"] == ranks[1]["losses"]  # the epoch loss is averaged over both ranks
    losses = ranks[0]["losses"]
    assert len(losses) == 8 and losses[-1] < 0.8 * losses[0], losses
    r0 = ranks[0]
    print(f"ddp: 2 processes, loss {losses[0]:.3f} -> {losses[-1]:.3f}, {r0['seconds']} s, top1 {r0['top1']}")


CAMPAIGN_SCRIPT = """
import hashlib, json, os, sys
import torch
from aima.campaigns.multitask import MultiTaskPredictor
from aima.campaigns.predict import synthetic_campaigns

if __name__ == "__main__":
    out = sys.argv[1]
    df = synthetic_campaigns(120, seed=0)
    m = MultiTaskPredictor(max_epochs=15, cv=2, batch_size=32, strategy="ddp", accelerator="cpu", devices=2).fit(df)
    w = b"".join(torch.cat([p.detach().flatten() for p in n.parameters()]).numpy().tobytes() for n in m.nets_)
    report = dict(rank=m.global_rank_, world_size=m.world_size_, pid=os.getpid(), losses=m.loss_history_,
                  weights=hashlib.sha256(w).hexdigest(), q=m.q_, click=m.predict(df.head(5)).click_rate.tolist())
    with open(os.path.join(out, f"rank{m.global_rank_}.json"), "w") as f:
        json.dump(report, f)
"""


@pytest.mark.slow
def test_campaign_predictor_ddp_on_two_cpu_processes(tmp_path):
    "`MultiTaskPredictor(strategy='ddp', accelerator='cpu', devices=2)`: each fold network trains in two processes."
    ranks = _two_ranks(tmp_path, CAMPAIGN_SCRIPT, "train_campaigns_ddp.py")
    assert [x["rank"] for x in ranks] == [0, 1]
    assert [x["world_size"] for x in ranks] == [2, 2]
    assert ranks[0]["pid"] != ranks[1]["pid"]  # two processes trained
    assert ranks[0]["weights"] == ranks[1]["weights"]  # both fold networks identical across the replicas
    assert ranks[0]["losses"] == ranks[1]["losses"]  # epoch losses averaged over both ranks
    assert ranks[0]["q"] == ranks[1]["q"] and ranks[0]["click"] == ranks[1]["click"]  # same intervals, same predictions
    for losses in ranks[0]["losses"]:  # one history per fold network
        assert len(losses) == 15 and losses[-1] < 0.8 * losses[0], losses
    print("campaign ddp: 2 processes, fold losses", [(f"{x[0]:.3f}", f"{x[-1]:.3f}") for x in ranks[0]["losses"]])
