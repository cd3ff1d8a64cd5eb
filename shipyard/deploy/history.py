"""Production's deployments as DORA counts them, read from the release log and git.

A deployment is a release that took production traffic: deployed when it had all of it, or,
for one rolled back, when it first had some (customers met it then); failed when it was
rolled back, restored when the rollback was. Each successful deployment ships the commits
its commit has that no earlier successful one had, at the times git recorded (whole seconds).
"""
from pathlib import Path

from shipyard.ci.git import git
from shipyard.delivery.log import ReleaseLog
from shipyard.deploy.dora import Deployment


def commit_times(repo: Path, commit: str, shipped: list[str]) -> tuple[float, ...]:
    """When each commit reachable from `commit` and from none of `shipped` was made."""
    lines = git(repo, "log", "--format=%ct", commit, *(f"^{old}" for old in shipped)).splitlines()
    return tuple(float(line) for line in lines if line.strip())


def deployments(log: ReleaseLog, repo: Path, environment: str = "production") -> list[Deployment]:
    found, shipped = [], []
    first_traffic: dict[str, float] = {}
    done: set[str] = set()
    for entry in log.entries():
        if entry.get("environment") != environment:
            continue
        backend, weights = entry.get("backend"), entry.get("weights") or {}
        if entry["event"] == "weights set" and weights.get(backend):
            first_traffic.setdefault(backend, entry["at"])
            if {w for name, w in weights.items() if name != backend} <= {0} and backend not in done:  # all of it
                done.add(backend)
                found.append(Deployment(entry["version"], commit_times(repo, entry["commit"], shipped), entry["at"]))
                shipped.append(entry["commit"])
        elif entry["event"] == "rolled back" and backend in first_traffic:
            found.append(Deployment(entry["version"], (), first_traffic[backend], failed=True,
                                    restored_at=entry["at"]))
    return found
