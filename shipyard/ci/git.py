"""A developer's working copy: a real git clone, driven from Python for the lessons."""
import os
import shutil
import subprocess
from pathlib import Path

# Commits need an author; these keep a learner's own git configuration out of it.
IDENTITY = {"GIT_AUTHOR_EMAIL": "dev@shipyard.invalid", "GIT_COMMITTER_EMAIL": "dev@shipyard.invalid",
            "GIT_COMMITTER_NAME": "shipyard", "GIT_CONFIG_NOSYSTEM": "1"}


class GitError(RuntimeError):
    pass


def git(cwd: Path, *args: str, author: str = "shipyard", check: bool = True) -> str:
    env = {**os.environ, **IDENTITY, "GIT_AUTHOR_NAME": author}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if check and done.returncode:
        raise GitError(f"git {' '.join(args)} failed: {(done.stderr or done.stdout).strip()}")
    return (done.stdout + done.stderr).strip()


class Repo:
    """A clone of a CI server's origin (see `Server.clone`)."""

    def __init__(self, path: Path, author: str, server=None):
        self.path, self.author, self.server = Path(path), author, server

    def git(self, *args: str, check: bool = True) -> str:
        return git(self.path, *args, author=self.author, check=check)

    def write(self, relative: str, text: str) -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def read(self, relative: str) -> str:
        return (self.path / relative).read_text()

    def copy(self, source: Path, into: str = ".") -> None:
        """Copy a folder's contents into the working copy (no caches, no databases)."""
        shutil.copytree(source, self.path / into, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3*", ".pytest_cache"))

    def commit(self, message: str) -> str:
        """Stage everything and commit; the new commit's sha."""
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.sha()

    def sha(self, ref: str = "HEAD") -> str:
        return self.git("rev-parse", ref)

    @property
    def branch(self) -> str:
        return self.git("symbolic-ref", "--short", "HEAD")  # also before the first commit

    def push(self, branch: str | None = None):
        """Push the branch to origin; the CI run the push started, if a server watches it."""
        branch = branch or self.branch
        self.git("push", "-q", "origin", f"HEAD:refs/heads/{branch}")
        return self.server.run_for(self.sha(), branch) if self.server else None

    def try_push(self, branch: str) -> str:
        """Push HEAD to a branch of origin and return git's own words, whether origin took
        the push or refused it (origin's path shortened to `origin`)."""
        said = self.git("push", "origin", f"HEAD:refs/heads/{branch}", check=False)
        origin = self.git("remote", "get-url", "origin")
        return "\n".join(line.rstrip() for line in said.replace(origin, "origin").splitlines())

    def __repr__(self) -> str:
        return f"<Repo of {self.author}, on {self.branch}>"
