"""Shared by every test: a throwaway home for Jupyter, IPython and matplotlib, and a
check that no process outlives the tests that started it."""
import os
import tempfile

import psutil
import pytest

_HOME = tempfile.mkdtemp(prefix="shipyard-tests-home-")
# Set before any kernel starts, so kernels inherit them and write nothing into $HOME.
for variable in ("IPYTHONDIR", "MPLCONFIGDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
    os.environ[variable] = os.path.join(_HOME, variable.lower())
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind():
    yield
    left = [p for p in psutil.Process().children(recursive=True) if p.is_running()
            and p.status() != psutil.STATUS_ZOMBIE]
    gone, alive = psutil.wait_procs(left, timeout=5)  # kernels may take a moment to exit
    assert not alive, f"processes outlived the tests: {[p.cmdline() for p in alive]}"
