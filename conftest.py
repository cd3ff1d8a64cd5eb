"""Shared by every test run: a throwaway home for Jupyter, IPython and matplotlib, and a
final check that no service or kernel outlives the tests that started it."""
import os
import tempfile
import time
import uuid

import psutil

_HOME = tempfile.mkdtemp(prefix="shipyard-tests-home-")
# Set before any kernel starts, so kernels inherit them and write nothing into $HOME.
for variable in ("IPYTHONDIR", "MPLCONFIGDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
    os.environ[variable] = os.path.join(_HOME, variable.lower())
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = os.path.join(_HOME, "hypothesis")
# Every process this run starts inherits the mark, even one orphaned by a killed parent.
RUN_MARK = os.environ.setdefault("SHIPYARD_TEST_RUN", uuid.uuid4().hex)


def _ours_still_running() -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if process.pid == os.getpid() or not ("shipyard.runner" in cmdline or "ipykernel" in cmdline):
            continue
        try:
            if process.environ().get("SHIPYARD_TEST_RUN") == RUN_MARK and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.Error:
            pass  # ended while we looked, or not ours to read
    return found


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller checks once everything has ended
    deadline = time.monotonic() + 5
    while (left := _ours_still_running()) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        print("\nprocesses outlived the tests:", *(" ".join(p.cmdline()) for p in left), sep="\n  ")
        session.exitstatus = 1
