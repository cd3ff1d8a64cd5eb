"""Small batches (lesson 07): finding the commit that broke production, when a deploy held
one commit and when it held ten.

    commits = ten_changes(repo, bad_at=7)       # nine harmless changes and the receipts' bug
    found = bisect(repo, good=base, bad=commits[-1])

`bisect` is `git bisect run` with a check of the failure production showed (a large charge
fails): git checks out a commit halfway between the last known good and the first known bad,
the check says which it is, and the suspects halve each step.
"""
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from shipyard.ci.git import IDENTITY, Repo
from shipyard.deploy import examples
from shipyard.paths import workdir
from shipyard.runtime import processes

# The check git runs at each step: exit 1 (bad) if a large charge raises, 0 (good) if not.
CHECK = f"""\
import sqlite3, sys
sys.path.insert(0, "payments")
from payments import domain
with open(sys.argv[1], "a") as tested:
    tested.write("x")
conn = sqlite3.connect(":memory:")
conn.row_factory = sqlite3.Row
domain.init_schema(conn)
try:
    domain.charge(conn, "bisect", {examples.LARGE}, 50000)
except Exception:
    sys.exit(1)
"""


@dataclass(frozen=True)
class Found:
    commit: str  # the first bad commit
    message: str
    steps: int  # commits git checked out and the check tested
    seconds: float


def ten_changes(repo: Repo, bad_at: int = 7) -> list[str]:
    """Ten commits on top of `repo`'s HEAD: harmless notes, and the receipts' bug as number
    `bad_at` (from 1). Their shas, in order."""
    commits = []
    for n in range(1, 11):
        if n == bad_at:
            examples.receipts_check_themselves(repo)
            commits.append(repo.commit("Receipts check themselves"))
        else:
            repo.write(f"payments/notes/change-{n:02d}.md", f"Change {n}: a harmless note.\n")
            commits.append(repo.commit(f"Note {n}"))
    return commits


def bisect(repo: Repo, good: str, bad: str) -> Found:
    folder = Path(tempfile.mkdtemp(prefix="bisect-", dir=workdir()))
    check, tested = folder / "check.py", folder / "tested"
    check.write_text(CHECK)
    started = time.perf_counter()
    repo.git("bisect", "start", bad, good)
    try:
        done = processes.run(["git", "bisect", "run", sys.executable, str(check), str(tested)], timeout=120,
                             cwd=repo.path, env={**os.environ, **IDENTITY})
        first = repo.git("rev-parse", "refs/bisect/bad")
    finally:
        repo.git("bisect", "reset")
    if done.returncode:
        raise RuntimeError(f"git bisect run failed: {(done.stdout + done.stderr).strip()[-1000:]}")
    seconds = time.perf_counter() - started
    return Found(first, repo.git("log", "-1", "--format=%s", first), len(tested.read_text()), seconds)
