"""Lesson 05's experiment: two developers, the same work, integrated two ways, for real,
over several seeded runs.

In each run Alice and Bob share six small changes to one tiny project (`pricing.py` and its
tests): tax rates added, functions built on the price function, and one rename of that
function. The seed decides who gets which change, in what order, and who pushes or merges
first. They work in real clones of one origin watched by a CI server that builds every push:

- long-lived branches: each works on a branch of their own, pushes it (its build says whether
  the branch is consistent with itself), and merges it into main at the end;
- trunk: both start each change from the latest main, push it at once (rebasing onto
  whoever pushed first), and look at the build before the next change.

A change is a function of what the developer sees in their own copy, as a person's would be:
a caller uses the price function by the name it has in *that* copy. Conflicts are resolved
the way additive changes are, by keeping both sides. When main turns red, the developer who
broke it finds the commit that did with `git bisect run` (the tests, between the last green
main and the red one) and fixes it. Everything counted or timed is what git, the CI server
and the clock reported.
"""
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field

from shipyard.ci.git import IDENTITY, GitError, Repo
from shipyard.ci.server import Server
from shipyard.runtime import processes

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
# The tests need only the standard library: -I -S starts Python without looking at
# site-packages, which keeps a lesson's dozens of builds and bisect steps cheap.
TEST_COMMAND = [sys.executable, "-I", "-S", "-m", "unittest", "-q"]
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
      - run: python -I -S -m unittest -q
"""
FIXES = 3  # attempts at turning a red main green before going back to the last green files
REBASES = 10  # conflicted commits one rebase may stop at (each developer has three)


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


def rename_price():
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


RATES = [("reduced", 5), ("zero", 0), ("luxury", 30), ("books", 7), ("food", 12)]
FUNCTIONS = [("discounted(net_cents, percent)", "return {price}(net_cents) * (100 - percent) // 100",
              "1080", "discounted(1000, 10)"),
             ("price_list(nets)", "return [{price}(n) for n in nets]", "[120, 240]", "price_list([100, 200])"),
             ("doubled(net_cents)", "return 2 * {price}(net_cents)", "2400", "doubled(1000)")]


def plan(seed: int) -> tuple[list, list, random.Random]:
    """The seed's work: six changes (three rates, two functions, one rename) dealt three
    to Alice and three to Bob, in a random order; and the random source for who goes first."""
    rng = random.Random(seed)
    work = ([add_rate(*rate) for rate in rng.sample(RATES, 3)]
            + [add_function(*function) for function in rng.sample(FUNCTIONS, 2)] + [rename_price()])
    rng.shuffle(work)
    return work[:3], work[3:], rng


@dataclass
class Build:
    run: object  # the CI run of main
    commits: int  # how many commits it brought to main

    @property
    def red(self) -> bool:
        return self.run.status != "success"


@dataclass
class Search:
    """Finding the commit that turned main red: `git bisect run` between green and red."""
    commits: int  # commits that could be the cause
    steps: int  # test runs bisect needed
    seconds: float
    merge: bool  # the culprit is a merge commit: the break is in the combination, no single change


@dataclass
class Outcome:
    way: str
    seed: int
    conflicts: list[int] = field(default_factory=list)  # lines in conflict, one entry per conflicted hunk
    main_builds: list[Build] = field(default_factory=list)
    branch_builds: list = field(default_factory=list)  # runs of feature branches
    red_spells: list[float] = field(default_factory=list)  # seconds from a breaking push to main green again
    searches: list[Search] = field(default_factory=list)
    reverted: int = 0  # breaks not fixed within FIXES attempts, reverted instead

    @property
    def red_builds(self) -> int:
        return sum(build.red for build in self.main_builds)

    @property
    def largest_red_batch(self) -> int:
        """Commits in the largest broken build of main: what has to be searched for the cause."""
        return max((build.commits for build in self.main_builds if build.red), default=0)

    @property
    def seconds_red(self) -> float:
        return sum(self.red_spells)

    @property
    def seconds_searching(self) -> float:
        return sum(search.seconds for search in self.searches)


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


def find_culprit(repo: Repo, good: str, bad: str) -> Search:
    """`git bisect run` with the tests between the last green main and the red one."""
    started = time.perf_counter()
    commits = int(repo.git("rev-list", "--count", f"{good}..{bad}"))
    said = repo.git("bisect", "start", bad, good)
    if "is the first bad commit" not in said:  # one candidate: no test needs to run
        # tethered, like every step: the tests bisect starts end with the kernel, and a hang is bounded
        done = processes.run(["git", "bisect", "run", *TEST_COMMAND], 120, cwd=repo.path,
                             env={**os.environ, **IDENTITY, "GIT_AUTHOR_NAME": repo.author})
        said = done.stdout + done.stderr
    found = re.search(r"^([0-9a-f]{40}) is the first bad commit", said, re.M)
    repo.git("bisect", "reset", check=False)
    merge = bool(found) and len(repo.git("rev-list", "--parents", "-n", "1", found.group(1)).split()) > 2
    return Search(commits, said.count("\nrunning ") + said.startswith("running "), time.perf_counter() - started, merge)


def _start(server: Server) -> tuple[Repo, Repo]:
    alice, bob = server.clone("alice"), server.clone("bob")
    alice.write("pricing.py", PRICING)
    alice.write("test_pricing.py", TESTS)
    alice.write(".github/workflows/ci.yml", WORKFLOW)
    alice.commit("A tiny pricing module")
    server.wait(alice.push("main"))
    bob.git("pull", "-q", "origin", "main")
    return alice, bob


def _push_to_main(server: Server, repo: Repo, outcome: Outcome) -> str:
    """Push to main, rebasing onto whoever was first (conflicts kept both ways); main's
    commit before the push."""
    before = server.origin_sha("main")
    try:
        repo.git("push", "-q", "origin", "HEAD:refs/heads/main")
        return before
    except GitError:  # someone pushed first
        pass
    rebased = repo.git("pull", "-q", "--rebase", "origin", "main", check=False)
    for _ in range(REBASES):
        if "CONFLICT" not in rebased:
            break
        outcome.conflicts += keep_both_sides(repo)
        rebased = repo.git("-c", "core.editor=true", "rebase", "--continue", check=False)
    if "CONFLICT" in rebased:
        repo.git("rebase", "--abort", check=False)
        raise RuntimeError(f"{repo.author}'s rebase still stopped at a conflict after {REBASES} resolutions")
    before = server.origin_sha("main")
    repo.git("push", "-q", "origin", "HEAD:refs/heads/main")
    return before


def _last_green(server: Server, fallback: str) -> str:
    """The newest commit whose build of main passed: the commit before a push is green only if
    its own build said so (a push can find main already red, or its build not yet recorded)."""
    return next((r.sha for r in reversed(server.runs) if r.branch == "main" and r.event == "push"
                 and r.status == "success"), fallback)


def _to_main(server: Server, repo: Repo, outcome: Outcome) -> None:
    """Push to main and wait for the build like a careful developer; if it is red, find the
    commit that broke it and fix it at once: up to FIXES attempts, then back to the last green."""
    red_since = last_green = None
    for attempt in range(FIXES + 2):
        before = _push_to_main(server, repo, outcome)
        run = server.wait(server.run_for(repo.sha(), "main"))
        outcome.main_builds.append(Build(run, int(repo.git("rev-list", "--count", f"{before}..HEAD"))))
        if run.status == "success":
            if red_since is not None:
                outcome.red_spells.append(run.finished_at - red_since)
            return
        if red_since is None:
            red_since, last_green = run.queued_at, _last_green(server, before)
            outcome.searches.append(find_culprit(repo, last_green, repo.sha()))
        if attempt < FIXES:
            _call_by_todays_name(repo)
        elif attempt == FIXES:  # give up fixing: main's files as they were when it was last green
            repo.git("read-tree", "-u", "--reset", last_green)
            repo.commit("Back to the last green main")
            outcome.reverted += 1
    raise RuntimeError(f"main stayed red even with the files of its last green commit {last_green[:7]}")


def _call_by_todays_name(repo: Repo) -> None:
    """What the developer does when the build turns red: call the function by its name today."""
    name = price_function(repo)
    for file in ("pricing.py", "test_pricing.py"):
        repo.write(file, re.sub(r"\bprice\(", f"{name}(", repo.read(file)))
    if repo.git("status", "--porcelain"):
        repo.commit(f"call {name}() by its new name")
    else:
        repo.git("commit", "-q", "--allow-empty", "-m", "try the build again")


def long_lived_branches(server: Server, seed: int = 0) -> Outcome:
    """Each on a branch of their own for all their work; merged into main at the end."""
    outcome = Outcome("long-lived branches", seed)
    work = dict(zip(("alice", "bob"), plan(seed)[:2]))
    rng = plan(seed)[2]
    alice, bob = _start(server)
    for repo in (alice, bob):
        repo.git("checkout", "-q", "-b", f"{repo.author}-feature")
        for change in work[repo.author]:
            repo.commit(change(repo))
        outcome.branch_builds.append(repo.push())
    for run in outcome.branch_builds:
        server.wait(run)
    for repo in rng.sample([alice, bob], 2):  # who merges first
        repo.git("fetch", "-q", "origin")
        if "CONFLICT" in repo.git("merge", "-q", "--no-edit", "origin/main", check=False):
            outcome.conflicts += keep_both_sides(repo)
            repo.git("commit", "-q", "--no-edit")
        _to_main(server, repo, outcome)
    return outcome


def trunk(server: Server, seed: int = 0) -> Outcome:
    """Each change started from the latest main and pushed to main at once."""
    outcome = Outcome("trunk", seed)
    alices, bobs, rng = plan(seed)
    alice, bob = _start(server)
    for pair in zip(alices, bobs):
        for repo, change in zip((alice, bob), pair):  # both start from the latest main
            repo.git("pull", "-q", "--rebase", "origin", "main")
            repo.commit(change(repo))
        for repo in rng.sample([alice, bob], 2):  # who pushes first
            _to_main(server, repo, outcome)
    return outcome


WAYS = {"long-lived branches": long_lived_branches, "trunk": trunk}


@dataclass
class Experiment:
    outcomes: list[Outcome]  # every way, every seed

    def of(self, way: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.way == way]

    @property
    def seeds(self) -> list[int]:
        return sorted({o.seed for o in self.outcomes})


# What the lesson compares: (label, unit, per run, smaller is better)
MEASURES = [("merge conflicts", "", lambda o: len(o.conflicts)),
            ("lines in conflict", "", lambda o: sum(o.conflicts)),
            ("red builds of main", "", lambda o: o.red_builds),
            ("commits in the largest red build", "", lambda o: o.largest_red_batch),
            ("seconds main stayed red", " s", lambda o: o.seconds_red),
            ("seconds finding the commit that broke it", " s", lambda o: o.seconds_searching)]


def _number(value: float, unit: str) -> str:
    return f"{value:.2f}{unit}" if unit else f"{value:g}"


def summary(experiment: Experiment) -> list[str]:
    """One sentence per measure, comparing the ways seed by seed: what this run shows."""
    lines = []
    for label, unit, measure in MEASURES:
        long = {o.seed: measure(o) for o in experiment.of("long-lived branches")}
        short = {o.seed: measure(o) for o in experiment.of("trunk")}
        fewer = sum(short[s] < long[s] for s in long)
        more = sum(short[s] > long[s] for s in long)
        same = len(long) - fewer - more
        verdict = (f"trunk had fewer in {fewer}, more in {more}, as many in {same} of {len(long)} seeds"
                   if not unit else f"trunk was shorter in {fewer} and longer in {more} of {len(long)} seeds")
        lines.append(f"{label}: median {_number(statistics.median(long.values()), unit)} on long-lived branches, "
                     f"{_number(statistics.median(short.values()), unit)} on trunk; {verdict}.")
    return lines


def branches(experiment: Experiment) -> str:
    """How the long-lived branches built on their own, before they met main."""
    runs = [run for o in experiment.of("long-lived branches") for run in o.branch_builds]
    green = sum(run.status == "success" for run in runs)
    return f"long-lived branches, built on their own before merging: {len(runs)} builds, {green} green, {len(runs) - green} red."


def culprits(experiment: Experiment) -> list[str]:
    """What bisect found, each way: a merge (no one change to blame) or one commit."""
    lines = []
    for way in WAYS:
        searches = [s for o in experiment.of(way) for s in o.searches]
        merges = sum(s.merge for s in searches)
        lines.append(f"{way}: {len(searches)} breaks of main; bisect ran the tests {sum(s.steps for s in searches)} "
                     f"times in all and named a merge commit as the cause {merges} time(s), a single change "
                     f"{len(searches) - merges} time(s).")
    return lines


def compare(seeds=range(3), workers: int = 8, progress: str | None = None) -> Experiment:
    """Both ways for every seed, each run on a fresh origin and CI server (they share nothing);
    several runs at once, as they spend most of their time waiting for git and CI processes.
    With `progress`, a bar of that title counts the runs as they finish."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from tqdm.auto import tqdm

    from shipyard import ci

    def one(way: str, seed: int) -> Outcome:
        server = ci.start()
        try:
            return WAYS[way](server, seed)
        finally:
            server.stop()

    jobs = [(way, seed) for seed in seeds for way in WAYS]
    with ThreadPoolExecutor(workers) as pool, tqdm(total=len(jobs), desc=progress, disable=progress is None) as bar:
        futures = [pool.submit(one, *job) for job in jobs]
        for future in as_completed(futures):
            future.result()
            bar.update()
        return Experiment([future.result() for future in futures])
