"""Lesson 05's experiment: two developers, the same work, integrated two ways, for real.

Alice and Bob each make a list of small changes to one tiny project (`pricing.py` and its
tests), in real clones of one origin watched by a CI server that builds every push.

- long-lived branches: each works on a branch of their own, pushing it (its builds are
  green: each branch is consistent with itself), and merges into main at the end;
- trunk: both start each change from the latest main, push it at once (rebasing onto
  whoever pushed first), and look at the build before the next change.

A change is a function of what the developer sees in their own copy, as a person's would
be: Bob calls the price function by the name it has in *his* copy. Conflicts are resolved
the way additive changes are, by keeping both sides. Everything counted is what git and the
CI server reported.
"""
import re
from dataclasses import dataclass, field

from shipyard.ci.git import GitError, Repo
from shipyard.ci.server import Server

PRICING = '''"""Prices in the shop: net price plus tax."""

TAX_RATES = {
    "standard": 20,
}


def price(net_cents, rate="standard"):
    return net_cents * (100 + TAX_RATES[rate]) // 100
'''
TESTS = '''import unittest

import pricing


class Prices(unittest.TestCase):
    def test_the_standard_rate_adds_twenty_percent(self):
        self.assertEqual(pricing.price(1000), 1200)
'''
WORKFLOW = """name: pricing
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: python -m unittest -q
"""


def price_function(repo: Repo) -> str:
    """The name of the price function as this developer's copy has it today."""
    return re.search(r"^def (\w*price)\(", repo.read("pricing.py"), re.M).group(1)


def add_rate(name: str, percent: int):
    def change(repo: Repo) -> str:
        text = repo.read("pricing.py").replace("\n}\n", f'\n    "{name}": {percent},\n}}\n', 1)
        repo.write("pricing.py", text)
        repo.write("test_pricing.py", repo.read("test_pricing.py") + (
            f"\n    def test_the_{name}_rate(self):\n"
            f"        self.assertEqual(pricing.{price_function(repo)}(1000, '{name}'), {1000 + 10 * percent})\n"))
        return f"add the {name} tax rate"
    return change


def rename_price() -> callable:
    def change(repo: Repo) -> str:
        for file in ("pricing.py", "test_pricing.py"):
            repo.write(file, re.sub(r"\bprice\(", "gross_price(", repo.read(file)))
        return "rename price() to gross_price()"
    return change


def add_function(name: str, body: str, expected: str, call: str):
    """A new function built on the price function, named as the developer sees it."""
    def change(repo: Repo) -> str:
        used = price_function(repo)
        repo.write("pricing.py", repo.read("pricing.py") + f"\n\ndef {name}:\n    {body.format(price=used)}\n")
        repo.write("test_pricing.py", repo.read("test_pricing.py") + (
            f"\n    def test_{name.split('(')[0]}(self):\n        self.assertEqual(pricing.{call}, {expected})\n"))
        return f"add {name.split('(')[0]}()"
    return change


ALICE = [add_rate("reduced", 5), rename_price(), add_rate("zero", 0)]
BOB = [add_rate("luxury", 30),
       add_function("discounted(net_cents, percent)", "return {price}(net_cents) * (100 - percent) // 100",
                    "1080", "discounted(1000, 10)"),
       add_function("price_list(nets)", "return [{price}(n) for n in nets]", "[120, 240]", "price_list([100, 200])")]


@dataclass
class Outcome:
    way: str
    conflicts: list[int] = field(default_factory=list)  # lines in conflict, one entry per conflicted hunk
    main_builds: list[tuple] = field(default_factory=list)  # (CI run, how many commits it brought to main)
    other_builds: list = field(default_factory=list)  # runs of feature branches

    @property
    def red_builds(self) -> int:
        return sum(run.status != "success" for run, _ in self.main_builds)

    @property
    def largest_red_batch(self) -> int:
        """Commits in the largest broken build of main: what has to be searched for the cause."""
        return max((commits for run, commits in self.main_builds if run.status != "success"), default=0)


def keep_both_sides(repo: Repo) -> list[int]:
    """Resolve every conflict by keeping both sides (right for additive changes); the
    number of lines in conflict, per hunk."""
    hunks = []
    for file in repo.git("diff", "--name-only", "--diff-filter=U").split():
        kept, inside = [], False
        for line in repo.read(file).splitlines(keepends=True):
            if line.startswith("<<<<<<< "):
                inside = True
                hunks.append(0)
            elif line.startswith("=======") and inside:
                continue
            elif line.startswith(">>>>>>> "):
                inside = False
            else:
                if inside:
                    hunks[-1] += 1
                kept.append(line)
        repo.write(file, "".join(kept))
    repo.git("add", "-A")
    return hunks


def _start(server: Server) -> tuple[Repo, Repo]:
    alice, bob = server.clone("alice"), server.clone("bob")
    alice.write("pricing.py", PRICING)
    alice.write("test_pricing.py", TESTS)
    alice.write(".github/workflows/ci.yml", WORKFLOW)
    alice.commit("A tiny pricing module")
    server.wait(alice.push("main"))
    bob.git("pull", "-q", "origin", "main")
    return alice, bob


def _to_main(server: Server, repo: Repo, outcome: Outcome) -> None:
    """Push to main (rebasing onto whoever was first, conflicts kept both ways), wait for
    the build like a careful developer, and fix a red one at once."""
    before = server.origin_sha("main")
    try:
        repo.git("push", "-q", "origin", "HEAD:refs/heads/main")
    except GitError:  # someone pushed first
        rebased = repo.git("pull", "-q", "--rebase", "origin", "main", check=False)
        while "CONFLICT" in rebased:
            outcome.conflicts += keep_both_sides(repo)
            rebased = repo.git("-c", "core.editor=true", "rebase", "--continue", check=False)
        before = server.origin_sha("main")
        repo.git("push", "-q", "origin", "HEAD:refs/heads/main")
    run = server.wait(server.run_for(repo.sha(), "main"))
    outcome.main_builds.append((run, int(repo.git("rev-list", "--count", f"{before}..HEAD"))))
    if run.status != "success":
        _call_by_todays_name(repo)
        _to_main(server, repo, outcome)


def _call_by_todays_name(repo: Repo) -> None:
    """What the developer does when the build turns red: call the function by its name today."""
    name = price_function(repo)
    for file in ("pricing.py", "test_pricing.py"):
        repo.write(file, re.sub(r"\bprice\(", f"{name}(", repo.read(file)))
    repo.commit(f"call {name}() by its new name")


def long_lived_branches(server: Server) -> Outcome:
    """Each on a branch of their own for all their work; merged into main at the end."""
    outcome = Outcome("long-lived branches")
    alice, bob = _start(server)
    for repo, work in ((alice, ALICE), (bob, BOB)):
        repo.git("checkout", "-q", "-b", f"{repo.author}-feature")
        for change in work:
            repo.commit(change(repo))
            outcome.other_builds.append(repo.push())
    for repo in (alice, bob):
        repo.git("fetch", "-q", "origin")
        if "CONFLICT" in repo.git("merge", "-q", "--no-edit", "origin/main", check=False):
            outcome.conflicts += keep_both_sides(repo)
            repo.git("commit", "-q", "--no-edit")
        _to_main(server, repo, outcome)
    for run in outcome.other_builds:
        server.wait(run)
    return outcome


def trunk(server: Server) -> Outcome:
    """Each change started from the latest main and pushed to main at once."""
    outcome = Outcome("trunk, small merges")
    alice, bob = _start(server)
    for alices, bobs in zip(ALICE, BOB):
        for repo, change in ((alice, alices), (bob, bobs)):  # both start from the latest main
            repo.git("pull", "-q", "--rebase", "origin", "main")
            repo.commit(change(repo))
        for repo in (alice, bob):  # Alice pushes first
            _to_main(server, repo, outcome)
    return outcome


def compare() -> list[Outcome]:
    """Both ways, each on a fresh origin and CI server, side by side (they share nothing)."""
    from concurrent.futures import ThreadPoolExecutor

    from shipyard import ci

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda way: way(ci.start()), (long_lived_branches, trunk)))
