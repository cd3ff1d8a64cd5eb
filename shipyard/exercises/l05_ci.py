"""Lesson 05's tasks and challenges.

Tasks, rising in difficulty: which way of integrating answers which need (from the lesson's
measured runs); a test that catches a regression; a workflow that turns red on one; a
workflow of jobs ordered with `needs:`. All but the first are checked for real: a workflow
is pushed with the catalog to a fresh origin watched by `shipyard.ci`; a test is run by
pytest against payments as it is and as regressed. A check stops everything it starts."""
import re
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from shipyard import ci
from shipyard.ci import examples
from shipyard.ci.run import ANSI, run_group
from shipyard.exercises.challenges import Choice, Option, Prediction
from shipyard.exercises.matching import check_matching
from shipyard.exercises.task import Task, Unfinished, Wrong
from shipyard.paths import SERVICES, workdir

# A regression: reserving no longer checks the stock (the database's CHECK then fails: a 500).
CATALOG_REGRESSION = ("catalog/catalog/domain.py", ' AND stock >= ?",\n        (quantity, product_id, quantity))',
                      '",\n        (quantity, product_id))')
# A lint error: an import nobody uses (ruff's F401).
CATALOG_LINT_ERROR = ("catalog/catalog/domain.py", '"""', 'import os  # nobody uses it\n"""')
# A regression at the edge: a charge of exactly the limit is declined.
PAYMENTS_REGRESSION = ("payments/domain.py", "amount_cents <= limit_cents", "amount_cents < limit_cents")
RUN_SECONDS = 60  # a push's run: the catalog's tests take seconds, more on a busy machine


def apply(folder: Path, regression: tuple[str, str, str]) -> None:
    file, old, new = regression
    text = (folder / file).read_text()
    if old not in text:
        raise RuntimeError(f"the regression no longer applies to {file}")
    (folder / file).write_text(text.replace(old, new, 1))


def _failures(log: str) -> str:
    """pytest's FAILED or ERROR lines, or else the log's last line (before the shell's exit status)."""
    lines = [line for line in ANSI.sub("", log).splitlines() if line.strip() and not line.startswith("(exit status")]
    return " / ".join([line for line in lines if line.startswith(("FAILED", "ERROR"))][:2] or lines[-1:])


def _last_lines(run: ci.Run) -> str:
    if run.error:
        return run.error
    failed = run.failed_steps()
    return f"job {failed[0][0]!r}, step {failed[0][1].name!r}: {_failures(failed[0][1].log)}" if failed else ""


# --- which_way (conceptual) -----------------------------------------------------------------
TRUNK, PR_GATE, LONG_BRANCHES = "trunk", "pull request gate", "long-lived branches"
NEEDS = {
    "a": "A release may be cut from main at any moment, so main must never take a commit whose build is red.",
    "b": "When main turns red, the team wants one suspect commit, found without bisect having to run the tests.",
    "c": "Two developers change the same file all week and want the fewest lines of conflict to resolve by hand.",
    "d": "The team wants git to report as few merge conflicts as possible, however big each one is.",
}
# The right choice for each need, and why each wrong one is wrong, from lesson 05's runs (5.4, 5.5).
WAYS = {
    "a": (PR_GATE, {
        TRUNK: "on trunk a push lands on main first and is built after: in 5.5 main went red on trunk 3 times "
               "over the 3 seeds, each time until the fix was pushed.",
        LONG_BRANCHES: "a branch that builds green on its own can still break main when it is merged: in 5.5 all "
                       "6 branch builds were green and main still broke, 3 times over the 3 seeds."}),
    "b": (TRUNK, {
        LONG_BRANCHES: "merging a long-lived branch brings all of it at once: in 5.5 the largest red build brought "
                       "4 commits (median), and bisect had to run the tests and named the merge commit.",
        PR_GATE: "a gate decides what may merge, not how much arrives at once: a pull request of a long-lived "
                 "branch still brings all its commits, and its green build did not stop the merge of two green "
                 "branches breaking main in 5.5."}),
    "c": (TRUNK, {
        LONG_BRANCHES: "in 5.5 long-lived branches left more lines in conflict (median 24 against 15 on trunk, "
                       "more in every seed): the overlaps piled up until the merge.",
        PR_GATE: "a gate checks builds; conflicts are met when work is merged, gate or not. What made them smaller "
                 "in 5.5 was merging each change to trunk at once."}),
    "d": (LONG_BRANCHES, {
        TRUNK: "in 5.5 trunk met more conflicts (median 4 against 3, more in every seed): rebasing each small "
               "change meets each overlap on its own, each a small one.",
        PR_GATE: "a gate checks builds; it changes neither when work meets nor how. Fewer, bigger conflicts came "
                 "in 5.5 from merging everything at the end, on long-lived branches."}),
}


def _check_which_way(which_way) -> str:
    return check_matching(which_way, "which_way", WAYS, {"TRUNK": TRUNK, "PR_GATE": PR_GATE,
                                                         "LONG_BRANCHES": LONG_BRANCHES}, "need",
        "All four right. A gate keeps red commits off main; trunk keeps each red build to one suspect and each "
        "conflict small; long-lived branches meet fewer conflicts, but bigger ones, and break main at the merge.")


which_way = Task(
    name="which_way", lesson="05-continuous-integration", checker=_check_which_way, seconds=5,
    hints=["Each need is about one thing the lesson measured or showed: what a red build may reach (5.4), how "
           "many commits a red build brings and what bisect blames, and the conflicts git met (5.5).",
           "A gate (5.4) refused the red pull request and every direct push; it does not change how work meets. "
           "Trunk and long-lived branches (5.5) differ in how much arrives on main at once.",
           "Read 5.5's printed lines: merge conflicts (the count), lines in conflict, commits in the largest red "
           "build, and what bisect named. One need is answered by the way whose count was lower."])


# --- limit_test -----------------------------------------------------------------------------
PYTEST_SECONDS = 20


def test_file() -> Path:
    """Where the exercise's %%writefile cell puts the learner's test."""
    folder = workdir() / "exercise-05"
    folder.mkdir(exist_ok=True)
    return folder / "test_limit.py"


def _pytest(test: Path, regressed: bool) -> tuple[int | None, str]:
    """pytest on the test in a copy of payments (regressed or not): its exit code (None after
    PYTEST_SECONDS) and output. The copy, and every process the test started, are gone after."""
    folder = Path(tempfile.mkdtemp(prefix="limit-test-", dir=workdir()))
    try:
        copy = folder / "payments"
        shutil.copytree(SERVICES / "payments", copy, ignore=shutil.ignore_patterns("__pycache__"))
        if regressed:
            apply(copy, PAYMENTS_REGRESSION)
        shutil.copy(test, copy / "tests" / "unit" / test.name)
        env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
               "COLUMNS": "200",  # pytest shortens its FAILED lines to the terminal's width
               "HOME": str(folder)}
        code = run_group([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"tests/unit/{test.name}"],
                         PYTEST_SECONDS, copy, env, folder / "pytest.log")
        return code, (folder / "pytest.log").read_text(errors="replace")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _collection_error(log: str) -> str:
    lines = [line[1:].strip() for line in ANSI.sub("", log).splitlines() if line.startswith("E ")]
    return lines[-1] if lines else _failures(log)


def _check_test(path: Path) -> str:
    path = Path(path)
    if not path.exists():
        raise Wrong("There is no test file yet: run the %%writefile cell, then check again.")
    source = path.read_text()
    if "NotImplementedError" in source:
        raise Unfinished
    try:
        compile(source, path.name, "exec")
    except SyntaxError as error:
        raise Wrong(f"Your test file does not compile: {path.name}, line {error.lineno}: {error.msg}. "
                    "Fix it in the %%writefile cell and run that cell again.") from None
    for regressed, where in ((False, "on payments as it is"), (True, "with the regression")):
        code, log = _pytest(path, regressed)
        if code is None:
            raise Wrong(f"Your test did not finish within {PYTEST_SECONDS} s {where}: does it wait for something "
                        "(a sleep, a server, input)? A unit test of `domain.charge` needs none of them.")
        if code == 5:
            raise Wrong("pytest found no test in your file: name the function `test_...`.")
        if code in (2, 3, 4):
            raise Wrong(f"pytest could not run your file {where}: {_collection_error(log)}")
        if not regressed and code != 0:
            raise Wrong(f"Your test fails on payments as it is; it should pass there. pytest says: {_failures(log)}")
        if regressed and code == 0:
            raise Wrong("Your test still passes when a charge of exactly the limit is declined. "
                        "Charge exactly `limit_cents` and expect 'paid'.")
    return f"Your test passes on payments as it is and catches the regression: {_failures(log)}"


limit_test = Task(
    name="limit_test", lesson="05-continuous-integration", checker=_check_test, seconds=60, get_answer=test_file,
    hints=["A regression at an edge is caught by a test at exactly that edge, which passes now and fails after.",
           "A unit test needs no service: `from payments import domain`, and an in-memory database: "
           "`conn = sqlite3.connect(':memory:')`, `conn.row_factory = sqlite3.Row`, `domain.init_schema(conn)`.",
           "`assert domain.charge(conn, 'o-1', 500, limit_cents=500)['status'] == 'paid'`: exactly the limit."])


# --- the workflows: pushed to a fresh origin ----------------------------------------------
@contextmanager
def _catalog(workflow: str):
    """A fresh origin and CI server, a clone holding the catalog and `workflow`; all gone after."""
    if not isinstance(workflow, str) or "raise NotImplementedError" in workflow:
        raise Unfinished
    server = ci.start()
    try:
        repo = examples.service_repository(server.clone("checker"), "catalog")
        repo.write(".github/workflows/ci.yml", workflow)
        yield server, repo
    finally:
        server.stop()  # the step running now ends with all its processes; queued runs are cancelled
        shutil.rmtree(server.folder, ignore_errors=True)


def _push(server, repo, message: str, what: str, planned=None) -> ci.Run:
    """Commit and push to main; wait for the run's verdict. `planned(run)` is called as soon
    as the server has planned the run's jobs, before they run."""
    repo.commit(message)
    run = repo.push("main")
    deadline = time.monotonic() + RUN_SECONDS
    while planned and not run.jobs and not run.finished and time.monotonic() < deadline:
        time.sleep(0.05)
    if planned and run.jobs:
        planned(run)
    try:
        run = server.wait(run, timeout=RUN_SECONDS)
    except TimeoutError:
        running = [f"job {job.id!r}, step {step.name!r}" for job in run.jobs for step in job.steps
                   if step.status == "running"]
        raise Wrong(f"Your workflow's run on {what} did not finish within {RUN_SECONDS} s"
                    + (f" ({running[0]} was still running)" if running else "")
                    + ". Does a step wait for something that never comes? The check stopped it.") from None
    if run.status == "error":
        raise Wrong(f"The CI server could not run your workflow: {run.error}")
    if run.status == "skipped":
        raise Wrong("Nothing ran on a push to main: say `on: push` (with `branches: [main]` if you like).")
    return run


def _installed(run: ci.Run) -> bool:
    """Some step installed the packages: ci-install.py's words, or pip's."""
    return any(re.search(r"packages were there|Requirement already satisfied|Successfully installed", step.log)
               for job in run.jobs for step in job.steps)


def _check_workflow(workflow: str) -> str:
    with _catalog(workflow) as (server, repo):
        good = _push(server, repo, "The catalog, with its workflow", "good code")
        if good.status != "success":
            raise Wrong(f"Your workflow failed on good code: {_last_lines(good)}")
        if not _installed(good):
            raise Wrong("Your workflow is green, but no step installed the packages: on GitHub the tests would "
                        "find no pytest. Run `python ci-install.py` (or pip) before the tests.")
        apply(repo.path, CATALOG_REGRESSION)
        bad = _push(server, repo, "Reserve without looking at the stock", "the regression")
        if bad.status == "success":
            raise Wrong("Your workflow stayed green on a commit that lets the catalog sell stock it does not "
                        "have. Does it run the catalog's tests (`python -m pytest` in the catalog folder), and "
                        "does a failing test fail its step (no `|| true`)?")
    return f"Green on good code ({good.seconds:.1f} s from push to verdict), red on the regression: {_last_lines(bad)}"


catalog_workflow = Task(
    name="catalog_workflow", lesson="05-continuous-integration", checker=_check_workflow, seconds=150,
    hints=["A workflow says when it runs (`on:`) and what runs: jobs of steps, each a command whose failure fails "
           "the build. Start from the lesson's workflow.",
           "The steps: `uses: actions/checkout@v4`, `uses: actions/setup-python@v5`, "
           "`run: python ci-install.py` (pip only for what is missing), then the tests.",
           "Run the catalog's tests from its folder: `working-directory: catalog` and "
           "`run: python -m pytest -q tests`."])


# --- catalog_pipeline: jobs ordered with needs ---------------------------------------------
PIPELINE = ["lint", "component", "contract"]


def _jobs(run: ci.Run) -> dict[str, str]:
    return {job.id: job.status for job in run.jobs}


def _ordered(run: ci.Run) -> None:
    """The planned jobs are the three asked for, each needing the one before."""
    found = [job.id for job in run.jobs]
    if sorted(found) != sorted(PIPELINE):
        raise Wrong(f"Your workflow's jobs are {found}; the task asks for exactly {PIPELINE}.")
    needs = {job.id: set(job.needs) for job in run.jobs}
    if "lint" not in needs["component"]:
        raise Wrong(f"`component` needs {sorted(needs['component']) or 'nothing'}: say `needs: lint`, so the "
                    "tests wait for lint and never run on code that fails it.")
    if "component" not in needs["contract"]:
        raise Wrong(f"`contract` needs {sorted(needs['contract']) or 'nothing'}: say `needs: component` "
                    "(or `needs: [lint, component]`), so it runs only once the component tests are green.")
    if needs["lint"]:
        raise Wrong(f"`lint` needs {sorted(needs['lint'])}: it is the first check and needs nothing.")


def _check_pipeline(workflow: str) -> str:
    with _catalog(workflow) as (server, repo):
        good = _push(server, repo, "The catalog, with its pipeline", "good code", planned=_ordered)
        if good.status != "success":
            raise Wrong(f"Your workflow failed on good code: {_last_lines(good)}")
        if not _installed(good):
            raise Wrong("Your workflow is green, but no step installed the packages: on GitHub, each job starts on "
                        "a fresh machine. Run `python ci-install.py` in every job, before its checks.")
        apply(repo.path, CATALOG_LINT_ERROR)
        lint = _push(server, repo, "An import nobody uses", "a lint error")
        jobs = _jobs(lint)
        if jobs["lint"] != "failure":
            raise Wrong(f"Your `lint` job was {jobs['lint']} on a commit that adds an import nobody uses. Does it "
                        "run `ruff check catalog chassis`, without `--exit-zero` or `|| true`?")
        ran = [job for job in ("component", "contract") if jobs[job] != "skipped"]
        if ran:
            raise Wrong(f"Lint failed, yet {' and '.join(ran)} ran anyway ({jobs}). The jobs after lint should "
                        "need it.")
        repo.git("revert", "--no-edit", "HEAD")
        apply(repo.path, CATALOG_REGRESSION)
        bad = _push(server, repo, "Reserve without looking at the stock", "the regression")
        jobs = _jobs(bad)
        if jobs["component"] != "failure":
            raise Wrong(f"Your `component` job was {jobs['component']} on a commit that lets the catalog sell stock "
                        "it does not have. Does it run `python -m pytest -q tests/component` in the catalog folder?")
        if jobs["contract"] != "skipped":
            raise Wrong(f"The component tests failed, yet `contract` was {jobs['contract']}: it should need "
                        "`component`.")
    return (f"Jobs in order {' → '.join(PIPELINE)}. A lint error stopped the build at lint ({lint.seconds:.1f} s "
            f"from push to verdict, no test run); the regression was caught by {_last_lines(bad)}")


catalog_pipeline = Task(
    name="catalog_pipeline", lesson="05-continuous-integration", checker=_check_pipeline, seconds=210,
    hints=["The cheap check first, the slower ones only once it is green: a job runs after the jobs it `needs`, "
           "and is skipped if one of them failed.",
           "Three jobs, each starting like the lesson's: checkout, setup-python, `python ci-install.py`. "
           "`lint` runs `ruff check catalog chassis`; `component` and `contract` run pytest in `catalog`.",
           "`component:` gets `needs: lint` and runs `python -m pytest -q tests/component` with "
           "`working-directory: catalog`; `contract:` gets `needs: component` and runs `tests/contract`."])


# --- the lesson's challenges (never graded): each wrong option is a misconception its run refutes
def _install_outcome(share: float) -> int:
    """The install steps' seconds over the whole run's."""
    return 0 if share > 0.5 else 1 if share >= 0.25 else 2


install_share = Prediction(
    "install_share", "Every job runs an install step before its checks. The three install steps' seconds added up: "
    "what share is that of the first run's time, from push to verdict?",
    ["most of it: installing is what a CI run spends its time on",
     "a quarter to a half: one step in three of each job",
     "under a quarter: here pip finds every package already there"],
    outcome=_install_outcome)

skipped = Choice("skipped", "Bob's pull request breaks a unit test. What will `integration`, which needs `lint` and "
                 "`unit`, do in its build?", [
    Option("Run anyway, so the build reports every failure at once",
           "No: a job runs only when every job it needs succeeded. The run shows `integration` skipped: the slow "
           "tests never start on code the fast ones already refused."),
    Option("Run first, because it is the slowest and should start early",
           "No: `needs` is an order. The run shows lint and unit running first; integration waits for both, and "
           "here never ran."),
    Option("Be skipped: a job whose needs did not all succeed does not run",
           "That is what `needs` means. The run shows lint green, unit red and integration skipped, with its "
           "steps.", right=True),
])

red_merge = Choice("red_merge", "Bob's pull request is red. He is sure the test is wrong, not his change. Can he get "
                   "his commit onto main?", [
    Option("Yes: the author may merge a red pull request if he is sure",
           "No: the server refuses the merge, whoever asks: 'required check failed'. A required check is not the "
           "author's call; fixing the test would be a change of its own, built like any other."),
    Option("Yes: protection stops merges, but he can still push to main directly",
           "No: origin's pre-receive hook refuses any push to main the server did not make by merging a green pull "
           "request; the run shows git's 'pre-receive hook declined'."),
    Option("Not until the pull request's build is green",
           "A protected main takes a change only through a pull request whose build is green: the merge is refused "
           "and so is a direct push. Once Bob reverts, the new build is green and the merge goes through.",
           right=True),
])

green_branches = Choice("green_branches", "In 5.5, every long-lived branch was built on its own before it was merged, "
                        "and every one of those builds was green. What happened to main?", [
    Option("It stayed green: two green branches make a green main",
           "No: main broke, 3 times over the 3 seeds. Each branch was green against the main it started from; "
           "merged together, a call by the old name met the rename, and only the combination was red."),
    Option("It broke, and bisect named one developer's change as the cause",
           "No: bisect named a merge commit every time on long-lived branches: neither change was wrong alone, "
           "only the two together."),
    Option("It broke, and the first bad commit bisect found was the merge itself",
           "A green branch says its changes work against an older main. The break was in the combination, so "
           "the first bad commit was the merge, and the largest red build brought several commits at once.",
           right=True),
])
