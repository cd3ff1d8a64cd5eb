"""A pytest started inside a test run (lesson 04's suites, the rerun gate's probes) from the
course's folder loads the root conftest.py too; only the run that made the test home checks
for processes left behind."""
import os
import subprocess
import sys

from shipyard import services
from shipyard.paths import ROOT


def test_a_pytest_started_from_the_course_inside_a_run_passes_while_the_runs_processes_live():
    # The service carries the run's mark and is still running, as a lesson's kernel and
    # services are: a child that did the leak check found it, waited for it and failed.
    with services.start("catalog"):
        # lesson 04's unit suite: two services' folders, so the course's own pyproject and
        # conftest.py are pytest's
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
                               "sample-services/orders/tests/unit", "sample-services/payments/tests/unit"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
                              env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert done.returncode == 0, done.stdout[-2000:]
    assert "outlived the tests" not in done.stdout
