"""Production's deployments as DORA counts them, read from the release log and git.

Each "deploy started" in an environment begins one deployment. It counts once it took
traffic: deployed when it had all of it, or, if it was rolled back, failed, deployed when it
first had some (customers met it then) and restored when the rollback was. A successful
deployment ships the commits its commit has that no earlier successful one had, at the times
git recorded them (to the second).
"""
from pathlib import Path

from shipyard.ci.git import git
from shipyard.delivery.log import ReleaseLog
from shipyard.deploy.dora import Deployment


def commit_times(repo: Path, commit: str, shipped: list[str]) -> tuple[float, ...]:
    """When each commit reachable from `commit` and from none of `shipped` was made."""
    lines = git(repo, "log", "--format=%ct", commit, *(f"^{old}" for old in shipped)).splitlines()
    return tuple(float(line) for line in lines if line.strip())


def _attempts(entries: list[dict]) -> list[list[dict]]:
    """The entries, split at each "deploy started"."""
    attempts: list[list[dict]] = []
    for entry in entries:
        if entry["event"] == "deploy started":
            attempts.append([])
        if attempts:
            attempts[-1].append(entry)
    return attempts


def deployments(log: ReleaseLog, repo: Path, environment: str = "production") -> list[Deployment]:
    found, shipped = [], []
    for attempt in _attempts([e for e in log.entries() if e.get("environment") == environment]):
        first = full = rolled_back = None
        for entry in attempt:
            weights, backend = entry.get("weights") or {}, entry.get("backend")
            if entry["event"] == "weights set" and weights.get(backend):
                first = first or entry["at"]
                if full is None and all(not w for name, w in weights.items() if name != backend):
                    full = entry["at"]
            elif entry["event"] == "rolled back":
                rolled_back = entry["at"]
        start = attempt[0]
        if rolled_back is not None and first is not None:
            found.append(Deployment(start["version"], (), first, failed=True, restored_at=rolled_back))
        elif full is not None:
            found.append(Deployment(start["version"], commit_times(repo, start["commit"], shipped), full))
            shipped.append(start["commit"])
    return found
