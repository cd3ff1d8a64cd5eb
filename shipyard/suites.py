"""Run a test suite as a real pytest process: what it reported, what each test cost, and what
the process cost around the tests. Lesson 04's pyramid.

    unit = suites.run("unit", "sample-services/orders/tests/unit")
    unit.passed, unit.per_test_ms, unit.startup_seconds

Each test's own duration is pytest's (its JUnit XML report: setup, call and teardown of that
test, its fixtures included). What the process took beyond the sum of those is pytest's
start-up: the interpreter, imports, plugins and collection.

Plugins are not auto-loaded (schemathesis, nbval, playwright... cost seconds of start-up
that no suite here needs); the few that are needed are named.
"""
import ast
import os
import re
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shipyard.paths import ROOT, workdir
from shipyard.runtime import processes

PLUGINS = ["-p", "pytest_timeout"]


@dataclass(frozen=True)
class Suite:
    name: str
    cases: tuple[tuple[str, float], ...]  # (test, its own seconds, as pytest measured it)
    failures: tuple[tuple[str, str], ...]  # (test, what pytest said) for each test that failed
    seconds: float  # wall time of the whole pytest process
    output: str

    @property
    def durations(self) -> tuple[float, ...]:
        return tuple(seconds for _, seconds in self.cases)

    def duration(self, test: str) -> float:
        """One test's own seconds, by its name."""
        return next(seconds for name, seconds in self.cases if name == test)

    @property
    def tests(self) -> int:
        return len(self.cases)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def passed(self) -> int:
        return self.tests - self.failed

    @property
    def test_seconds(self) -> float:
        """The tests' own time, added up."""
        return sum(self.durations)

    @property
    def per_test_ms(self) -> float:
        """What one test costs on average, by pytest's own durations."""
        return 1000 * self.test_seconds / max(self.tests, 1)

    @property
    def startup_seconds(self) -> float:
        """The rest of the process's wall time: the interpreter's start-up (and that of the
        small process that ties it to the kernel), imports, collection, wrap-up."""
        return max(self.seconds - self.test_seconds, 0.0)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.passed > 0

    def __repr__(self) -> str:
        verdict = "passed" if self.ok else "FAILED"
        return (f"{self.name}: {self.passed} passed, {self.failed} failed ({verdict}); "
                f"{milliseconds(self.per_test_ms)} per test, {duration(self.test_seconds)} for all {self.tests}; "
                f"the process's start-up, collection and wrap-up {self.startup_seconds:.1f} s")


def milliseconds(ms: float) -> str:
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms"


def duration(seconds: float) -> str:
    """Seconds as a reader wants them: milliseconds under a second (3.0 ms, not 0.00 s)."""
    return milliseconds(1000 * seconds) if seconds < 1 else f"{seconds:.2f} s"


def _count(word: str, summary: str) -> int:
    found = re.search(rf"(\d+) {word}", summary)
    return int(found.group(1)) if found else 0


def _read_junit(path: Path) -> tuple[list[tuple[str, float]], list[tuple[str, str]]]:
    cases, failures = [], []
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("skipped") is not None:
            continue
        cases.append((case.get("name", "?"), float(case.get("time", 0))))
        for bad in (case.find("failure"), case.find("error")):
            if bad is not None:
                failures.append((case.get("name", "?"), (bad.text or bad.get("message") or "").strip()))
                break
    return cases, failures


def run(name: str, *args: str, env: dict[str, str] | None = None, timeout: float = 120,
        cwd: Path = ROOT) -> Suite:
    """`python -m pytest -q args...` from `cwd` (the course's folder); what it reported, what
    each test took, and how long the whole process took."""
    report = Path(tempfile.mkdtemp(prefix="suite-", dir=workdir())) / "junit.xml"
    command = [sys.executable, "-m", "pytest", "-q", "--color=no", "-o", "addopts=", "-p", "no:cacheprovider", *PLUGINS,
               f"--junitxml={report}", "-o", "junit_family=xunit2", *args]
    # Hypothesis's own default place when run from the course (gitignored): its Unicode
    # tables, which take seconds to build, are built once rather than at every Run All.
    hypothesis = os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY", str(ROOT / ".hypothesis"))
    child_env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "HYPOTHESIS_STORAGE_DIRECTORY": hypothesis,
                 "PY_COLORS": "0",  # a kernel may force colour; the report is read as text
                 **(env or {})}
    with _showing_progress(name):
        started = time.perf_counter()
        done = processes.run(command, timeout, cwd=cwd, env=child_env)  # dies with the kernel
        seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    if report.exists():
        cases, failures = _read_junit(report)
    else:  # pytest ended before it could report: what it printed
        summary = output.strip().splitlines()[-1] if output.strip() else ""
        failures = [("pytest", summary)] * (_count("failed", summary) + _count("error", summary) or 1)
        cases = [("?", 0.0)] * _count("passed", summary) + [(name, 0.0) for name, _ in failures]
    return Suite(name, tuple(cases), tuple(failures), seconds, output)


@contextmanager
def _showing_progress(name: str):
    """In a notebook, a line that counts the seconds while pytest runs, emptied when it ends
    (so the stored output is the same at every run); elsewhere, nothing."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        yield
        return
    if getattr(get_ipython(), "kernel", None) is None:
        yield
        return
    # Shown empty, then updated: a checker that reads only what a cell first displays (nbval)
    # sees the same empty line as the stored notebook, whose last update empties it again.
    handle = display({"text/plain": ""}, raw=True, display_id=True)
    done, began = threading.Event(), time.monotonic()

    def tick():
        while not done.wait(0.5):
            handle.update({"text/plain": f"pytest: {name}, running for {time.monotonic() - began:.0f} s"}, raw=True)

    ticker = threading.Thread(target=tick, name="suite-progress", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        done.set()
        ticker.join()
        handle.update({"text/plain": ""}, raw=True)


def source(path, test: str) -> str:
    """The source of one test function in a test file, to show in a lesson."""
    text = Path(path).read_text()
    node = next(n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef) and n.name == test)
    return ast.get_source_segment(text, node)
