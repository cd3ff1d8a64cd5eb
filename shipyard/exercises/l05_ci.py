"""Lesson 05's tasks: a workflow that turns red on a regression, and a test that catches one.

Both are checked for real: the workflow is pushed with the catalog to a fresh origin watched
by `shipyard.ci`; the test is run by pytest against payments as it is and as regressed."""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from shipyard import ci, processes
from shipyard.ci import examples
from shipyard.ci.run import ANSI
from shipyard.exercises.task import Task, Unfinished, Wrong
from shipyard.paths import SERVICES, workdir

# A regression: reserving no longer checks the stock (the database's CHECK then fails: a 500).
CATALOG_REGRESSION = ("catalog/catalog/domain.py", ' AND stock >= ?",\n        (quantity, product_id, quantity))',
                      '",\n        (quantity, product_id))')
# A regression at the edge: a charge of exactly the limit is declined.
PAYMENTS_REGRESSION = ("payments/domain.py", "amount_cents <= limit_cents", "amount_cents < limit_cents")


def apply(folder: Path, regression: tuple[str, str, str]) -> None:
    file, old, new = regression
    text = (folder / file).read_text()
    if old not in text:
        raise RuntimeError(f"the regression no longer applies to {file}")
    (folder / file).write_text(text.replace(old, new, 1))


def _failures(log: str) -> str:
    """pytest's FAILED lines, or else the log's last line."""
    lines = [line for line in ANSI.sub("", log).splitlines() if line.strip()]
    return " / ".join([line for line in lines if line.startswith("FAILED")][:2] or lines[-1:])


def _last_lines(run: ci.Run) -> str:
    if run.error:
        return run.error
    failed = run.failed_steps()
    return f"step {failed[0][1].name!r}: {_failures(failed[0][1].log)}" if failed else ""


def _check_workflow(workflow: str) -> str:
    if not isinstance(workflow, str) or "raise NotImplementedError" in workflow:
        raise Unfinished
    server = ci.start()
    try:
        repo = examples.service_repository(server.clone("checker"), "catalog")
        repo.write(".github/workflows/ci.yml", workflow)
        repo.commit("The catalog, with its workflow")
        good = server.wait(repo.push("main"), timeout=90)
        if good.status == "error":
            raise Wrong(f"The CI server could not run your workflow: {good.error}")
        if good.status == "skipped":
            raise Wrong("Nothing ran on a push to main: say `on: push` (with `branches: [main]` if you like).")
        if good.status != "success":
            raise Wrong(f"Your workflow failed on good code, {_last_lines(good)}")
        apply(repo.path, CATALOG_REGRESSION)
        repo.commit("Reserve without looking at the stock")
        bad = server.wait(repo.push("main"), timeout=90)
        if bad.status == "success":
            raise Wrong("Your workflow stayed green on a commit that lets the catalog sell stock it does not "
                        "have. Does it run the catalog's tests (`python -m pytest` in the catalog folder)?")
    finally:
        server.stop()
    return (f"Green on good code ({good.seconds:.1f} s from push to verdict), red on the regression: "
            f"{_last_lines(bad)}")


def test_file() -> Path:
    """Where the exercise's %%writefile cell puts the learner's test."""
    folder = workdir() / "exercise-05"
    folder.mkdir(exist_ok=True)
    return folder / "test_limit.py"


def _pytest(test: Path, regressed: bool) -> subprocess.CompletedProcess:
    copy = Path(tempfile.mkdtemp(dir=workdir())) / "payments"
    shutil.copytree(SERVICES / "payments", copy, ignore=shutil.ignore_patterns("__pycache__"))
    if regressed:
        apply(copy, PAYMENTS_REGRESSION)
    shutil.copy(test, copy / "tests" / "unit" / test.name)
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return processes.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"tests/unit/{test.name}"],
                         60, cwd=copy, env=env)


def _check_test(path: Path) -> str:
    path = Path(path)
    if not path.exists():
        raise Wrong("There is no test file yet: run the %%writefile cell, then check again.")
    if "NotImplementedError" in path.read_text():
        raise Unfinished
    good = _pytest(path, regressed=False)
    if good.returncode == 5:
        raise Wrong("pytest found no test in your file: name the function `test_...`.")
    if good.returncode != 0:
        raise Wrong(f"Your test fails on payments as it is; it should pass there. pytest says: {_failures(good.stdout)}")
    bad = _pytest(path, regressed=True)
    if bad.returncode == 0:
        raise Wrong("Your test still passes when a charge of exactly the limit is declined. "
                    "Charge exactly `limit_cents` and expect 'paid'.")
    return f"Your test passes on payments as it is and catches the regression: {_failures(bad.stdout)}"


catalog_workflow = Task(
    name="catalog_workflow", lesson="05-continuous-integration", checker=_check_workflow, seconds=120,
    hints=["Start from the lesson's workflow: `on: push`, and a job with `steps`.",
           "The steps: `uses: actions/checkout@v4`, `uses: actions/setup-python@v5`, "
           "`run: python ci-install.py` (pip only for what is missing), then the tests.",
           "Run the catalog's tests from its folder: `working-directory: catalog` and "
           "`run: python -m pytest -q tests`."])

limit_test = Task(
    name="limit_test", lesson="05-continuous-integration", checker=_check_test, seconds=60, get_answer=test_file,
    hints=["A unit test needs no service: `from payments import domain`, and an in-memory database.",
           "`conn = sqlite3.connect(':memory:')`, `conn.row_factory = sqlite3.Row`, `domain.init_schema(conn)`.",
           "`assert domain.charge(conn, 'o-1', 500, limit_cents=500)['status'] == 'paid'`: exactly the limit."])
