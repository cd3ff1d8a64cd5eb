"""Production's deployments read from a hand-written release log and a repository's commits."""
import pytest

from shipyard.delivery.log import ReleaseLog
from shipyard.delivery.releases import Release
from shipyard.deploy.history import deployments


def release(repo, n: int) -> Release:
    commit = repo.git("rev-parse", f"HEAD~{n}")
    return Release.from_record({"project": "p", "version": f"1.0.{n}", "commit": commit, "wheel": f"p-1.0.{n}.whl",
                                "sha256": str(n)})


def test_promotions_and_rollbacks_become_dora_deployments(repo, tmp_path):
    for n in range(3):
        repo.write(f"change-{n}.txt", str(n))
        repo.commit(f"change {n}")
    first, second, bad = release(repo, 2), release(repo, 0), release(repo, 1)
    log = ReleaseLog(tmp_path / "releases.jsonl")
    log.record("weights set", first, environment="production", backend="a", weights={"a": 100})
    log.record("weights set", bad, environment="production", backend="b", weights={"a": 75, "b": 25})
    log.record("weights set", bad, environment="production", backend="b", weights={"a": 100})
    log.record("rolled back", bad, environment="production", backend="b")
    log.record("weights set", second, environment="production", backend="c", weights={"a": 50, "c": 50})
    log.record("weights set", second, environment="production", backend="c", weights={"a": 0, "c": 100})
    log.record("weights set", second, environment="production", backend="c", weights={"c": 100})  # counted once
    log.record("weights set", second, environment="staging", backend="s", weights={"s": 100})  # not production
    at = [e["at"] for e in log.entries()]
    found = deployments(log, repo.path)
    assert [(d.version, d.failed) for d in found] == [("1.0.2", False), ("1.0.1", True), ("1.0.0", False)]
    assert len(found[0].commits) == 2  # "payments as a repository" and change 0
    assert len(found[2].commits) == 2  # changes 1 and 2: the rolled-back one shipped nothing
    assert found[1].deployed_at == at[1] and found[1].restored_at == at[3]  # from its first traffic
    assert found[2].deployed_at == at[5]
    assert found[0].commits[0] == pytest.approx(float(repo.git("log", "-1", "--format=%ct", first.commit)))
