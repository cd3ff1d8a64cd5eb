"""Build once: a service's wheel made from one commit, named by it, and its hash recorded.

    release = build(repo, "payments")      # the commit HEAD points at
    release.version                        # 1.1.0.dev7+g3f2a9c1
    release.wheel, release.sha256          # the one file every later stage uses

The build is the delivery workflow's own (`ci_deliver.py build`, see its doc for the
version), run on a fresh checkout of the commit: the committed files, never a working copy's
changes. The version is valid PEP 440 (setuptools-scm's shape) and says which commit a
running service was built from.
"""
import hashlib
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from shipyard.ci.git import git
from shipyard.delivery import ci_deliver
from shipyard.paths import workdir
from shipyard.runtime import processes


class BuildFailed(RuntimeError):
    """The release could not be built; the message says why."""


@dataclass(frozen=True)
class Release:
    project: str  # the distribution's name, as pip knows it: shop-payments
    version: str
    commit: str
    wheel: Path  # the file (or, for a release built by CI, its name in the index)
    sha256: str
    seconds: float = 0.0  # how long the build took

    @property
    def requirement(self) -> str:
        return f"{self.project}=={self.version}"

    @classmethod
    def from_record(cls, record: dict, folder: Path | None = None) -> "Release":
        """From a release record (dist/release.json, or a release log entry)."""
        return cls(record["project"], record["version"], record["commit"], Path(folder or ".") / record["wheel"],
                   record["sha256"], record.get("seconds", 0.0))

    def __repr__(self) -> str:
        return f"<Release {self.requirement} from {self.commit[:7]}, {self.wheel.name}, sha256 {self.sha256[:12]}…>"


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def build(repo: Path, folder: str = ".", commit: str = "HEAD") -> Release:
    """Build the wheel of the service in `folder` of `repo` as committed at `commit`."""
    started = time.perf_counter()
    sha = git(repo, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}", check=False)
    if not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise BuildFailed(f"{repo} has no commit {commit!r}")
    checkout = Path(tempfile.mkdtemp(prefix="release-", dir=workdir())) / "checkout"
    git(repo, "clone", "-q", "--shared", "--no-checkout", str(Path(repo).resolve()), str(checkout))
    git(checkout, "checkout", "-q", "--detach", sha)
    if not (checkout / folder / "pyproject.toml").is_file():
        raise BuildFailed(f"{repo} has no {folder}/pyproject.toml at {sha[:7]}")
    done = processes.run([sys.executable, ci_deliver.__file__, "build", folder], timeout=120, cwd=checkout)
    if done.returncode:
        raise BuildFailed(f"the build of {folder} at {sha[:7]} failed:\n{(done.stdout + done.stderr).strip()[-2000:]}")
    record = json.loads((checkout / "dist" / "release.json").read_text())
    return Release.from_record({**record, "seconds": time.perf_counter() - started}, checkout / "dist")
