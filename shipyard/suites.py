"""Run a test suite as a real pytest process, and time it: lesson 04's pyramid.

    unit = suites.run("unit", "sample-services/orders/tests/unit")
    unit.passed, unit.seconds, unit.per_test_ms

Plugins are not auto-loaded (schemathesis, nbval, playwright... cost seconds of start-up
that no suite here needs); the few that are needed are named.
"""
import ast
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from shipyard import processes
from shipyard.paths import ROOT

PLUGINS = ["-p", "pytest_timeout"]


@dataclass(frozen=True)
class Suite:
    name: str
    passed: int
    failed: int
    seconds: float  # wall time of the whole pytest process
    output: str

    @property
    def tests(self) -> int:
        return self.passed + self.failed

    @property
    def per_test_ms(self) -> float:
        return 1000 * self.seconds / max(self.tests, 1)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.passed > 0

    def __repr__(self) -> str:
        verdict = "passed" if self.ok else "FAILED"
        return f"{self.name}: {self.passed} passed, {self.failed} failed in {self.seconds:.1f} s ({verdict})"


def _count(word: str, summary: str) -> int:
    found = re.search(rf"(\d+) {word}", summary)
    return int(found.group(1)) if found else 0


def run(name: str, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Suite:
    """`python -m pytest -q args...` from the course's folder; what it reported, and how long it took."""
    command = [sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider", *PLUGINS, *args]
    # Hypothesis's own default place when run from the course (gitignored): its Unicode
    # tables, which take seconds to build, are built once rather than at every Run All.
    hypothesis = os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY", str(ROOT / ".hypothesis"))
    child_env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "HYPOTHESIS_STORAGE_DIRECTORY": hypothesis,
                 **(env or {})}
    started = time.perf_counter()
    done = processes.run(command, timeout, cwd=ROOT, env=child_env)  # dies with the kernel
    seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    return Suite(name, _count("passed", summary), _count("failed", summary) + _count("error", summary), seconds, output)


def source(path, test: str) -> str:
    """The source of one test function in a test file, to show in a lesson."""
    text = Path(path).read_text()
    node = next(n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef) and n.name == test)
    return ast.get_source_segment(text, node)
