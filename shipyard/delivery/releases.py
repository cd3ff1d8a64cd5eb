"""Build once: a service's wheel made from one commit, named by it, and its hash recorded.

    release = build(repo, "payments")      # the commit HEAD points at
    release.version                        # 1.1.0.dev7+g3f2a9c1
    release.wheel, release.sha256          # the one file every later stage uses

The version is the one the service's pyproject names (the release the team is working
towards), then `.devN`, N the number of commits up to this one (so a later commit of the
branch sorts higher), then `+g` and the commit's short sha: setuptools-scm's shape, and a
valid PEP 440 version that says which commit a running service was built from.
"""
import hashlib
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from shipyard.ci.git import git
from shipyard.paths import workdir
from shipyard.runtime import processes

_VERSION_LINE = re.compile(r'(?m)^version\s*=\s*"[^"\n]*"')


class BuildFailed(RuntimeError):
    """The release could not be built; the message says why."""


@dataclass(frozen=True)
class Release:
    project: str  # the distribution's name, as pip knows it: shop-payments
    version: str
    commit: str
    wheel: Path
    sha256: str
    seconds: float  # how long the build took

    @property
    def requirement(self) -> str:
        return f"{self.project}=={self.version}"

    def __repr__(self) -> str:
        return f"<Release {self.requirement} from {self.commit[:7]}, {self.wheel.name}, sha256 {self.sha256[:12]}…>"


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def version_at(repo: Path, commit: str, folder: str = ".") -> str:
    """The release version of `folder`'s pyproject at `commit` (see the module's doc)."""
    pyproject = tomllib.loads(git(repo, "show", f"{commit}:{_inside(folder)}pyproject.toml"))
    count = git(repo, "rev-list", "--count", commit)
    return f"{pyproject['project']['version']}.dev{count}+g{git(repo, 'rev-parse', '--short=7', commit)}"


def build(repo: Path, folder: str = ".", commit: str = "HEAD") -> Release:
    """Build the wheel of the service in `folder` of `repo`, exactly as committed at `commit`
    (not the working copy), into a new folder of the kernel."""
    started = time.perf_counter()
    sha = git(repo, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}", check=False)
    if not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise BuildFailed(f"{repo} has no commit {commit!r}")
    source = Path(tempfile.mkdtemp(prefix="release-", dir=workdir()))
    _extract(repo, sha, folder, source)
    project = source / folder
    version = version_at(repo, sha, folder)
    text = (project / "pyproject.toml").read_text()
    if len(_VERSION_LINE.findall(text)) != 1:
        raise BuildFailed(f"{folder}/pyproject.toml must name its version once, as version = \"X.Y.Z\"")
    (project / "pyproject.toml").write_text(_VERSION_LINE.sub(f'version = "{version}"', text))
    out = source / "dist"
    # --no-isolation: the build backend (hatchling) comes from the course's Python, so the
    # build needs no network; a team's CI would let build install it into a fresh one.
    done = processes.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
                          str(project)], timeout=120)
    wheels = sorted(out.glob("*.whl"))
    if done.returncode or not wheels:
        raise BuildFailed(f"the build of {folder} at {sha[:7]} failed:\n{(done.stdout + done.stderr).strip()[-2000:]}")
    wheel = wheels[0]
    name = tomllib.loads(text)["project"]["name"]
    return Release(name, version, sha, wheel, sha256(wheel), time.perf_counter() - started)


def _inside(folder: str) -> str:
    return "" if folder in (".", "") else folder.strip("/") + "/"


def _extract(repo: Path, sha: str, folder: str, into: Path) -> None:
    """The commit's files of `folder` (git archive), nothing of the working copy."""
    done = subprocess.run(["git", "archive", "--format=tar", sha, *([_inside(folder)] if _inside(folder) else [])],
                          cwd=repo, capture_output=True, check=False)
    if done.returncode:
        raise BuildFailed(f"{repo} has no folder {folder!r} at {sha[:7]}: {done.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        archive.extractall(into, filter="data")
