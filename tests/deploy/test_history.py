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
    production = {"environment": "production"}
    log.record("deploy started", first, **production, backend="a")
    log.record("weights set", first, **production, backend="a", weights={"a": 100})
    log.record("deploy started", bad, **production, backend="b")
    log.record("weights set", bad, **production, backend="b", weights={"a": 75, "b": 25})
    log.record("weights set", bad, **production, backend="b", weights={"a": 0, "b": 100})  # all of it, then
    log.record("weights set", bad, **production, backend="b", weights={"a": 100})
    log.record("rolled back", bad, **production, backend="b")
    log.record("deploy started", second, **production, backend="a")  # a backend's name, used again
    log.record("weights set", second, **production, backend="a", weights={"b": 50, "a": 50})
    log.record("weights set", second, **production, backend="a", weights={"b": 0, "a": 100})
    log.record("weights set", second, **production, backend="a", weights={"a": 100})  # counted once
    log.record("deploy started", first, **production, backend="c")  # never took traffic: not a deployment
    log.record("deploy failed", first, **production, backend="c")
    log.record("deploy started", second, environment="staging", backend="s")  # not production
    log.record("weights set", second, environment="staging", backend="s", weights={"s": 100})
    at = [e["at"] for e in log.entries()]
    found = deployments(log, repo.path)
    assert [(d.version, d.failed) for d in found] == [("1.0.2", False), ("1.0.1", True), ("1.0.0", False)]
    assert len(found[0].commits) == 2  # "payments as a repository" and change 0
    assert len(found[2].commits) == 2  # changes 1 and 2: the rolled-back one shipped nothing
    assert found[1].deployed_at == at[3] and found[1].restored_at == at[6]  # from its first traffic
    assert found[2].deployed_at == at[9]
    assert found[0].commits[0] == pytest.approx(float(repo.git("log", "-1", "--format=%ct", first.commit)))
