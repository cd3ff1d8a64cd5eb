"""Shared by every test run: a throwaway home for Jupyter, IPython and matplotlib and for
every temporary file, removed at the end; a final check that no service or kernel outlives
the tests that started it; and the order xdist hands tests out in."""
import copy
import os
import random
import shutil
import tempfile
import time
import uuid

import psutil
import pytest

# One home per test run, shared by xdist's workers and any pytest a test starts (paths stay
# short: Chromium's sockets live in it); only the process that made it removes it.
_MADE_HERE = "SHIPYARD_TEST_HOME" not in os.environ
_HOME = os.environ.setdefault("SHIPYARD_TEST_HOME", tempfile.mkdtemp(prefix="shipyard-tests-"))
# Kernels killed on purpose cannot clean up after themselves: their temp dirs go here.
os.environ["TMPDIR"] = os.path.join(_HOME, "tmp")
os.makedirs(os.environ["TMPDIR"], exist_ok=True)
tempfile.tempdir = None  # forget the cached location
# Set before any kernel starts, so kernels inherit them and write nothing into $HOME.
for variable in ("IPYTHONDIR", "MPLCONFIGDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
    os.environ[variable] = os.path.join(_HOME, variable.lower())
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
# Hypothesis keeps its examples and its Unicode tables (seconds to rebuild) there. A pytest
# that a lesson starts is given the course's own folder for them (shipyard.suites).
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(_HOME, "hypothesis"))
# Every process this run starts inherits the mark, even one orphaned by a killed parent.
RUN_MARK = os.environ.setdefault("SHIPYARD_TEST_RUN", uuid.uuid4().hex)


def _ours_still_running() -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if process.pid == os.getpid() or not any(ours in cmdline for ours in ("shipyard.", "ipykernel", "nats-server")):
            continue
        try:
            if process.environ().get("SHIPYARD_TEST_RUN") == RUN_MARK and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.Error:
            pass  # ended while we looked, or not ours to read
    return found


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput") or not _MADE_HERE:
        # An xdist worker, or a pytest that a test or a lesson started from the course's
        # folder (lesson 04's suites): only the run that made the home checks, once
        # everything has ended. (A child that checked found the kernel that started it, a
        # process of this run, waited 5 s for it to end and then failed.)
        return
    deadline = time.monotonic() + 5
    while (left := _ours_still_running()) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        print("\nprocesses outlived the tests:", *(" ".join(p.cmdline()) for p in left), sep="\n  ")
        session.exitstatus = 1
    if _MADE_HERE:
        shutil.rmtree(_HOME, ignore_errors=True)


# How xdist hands tests out: one by one (the longest first, so the workers finish together
# instead of one waiting on a straggler), except a notebook's cells, which share one kernel
# and so go to one worker together. (xdist's own loadgroup cannot do this under pytest 9:
# the group it writes into a test's id no longer reaches the scheduler.)
HEAVY = ("tests/reliability/", "tests/e2e/")


# nbval's kernels talk over Unix sockets, as the other tests' do (shipyard/tools/kernels.py).
try:
    import nbval.kernel
    from shipyard.tools.kernels import start_ipc_kernel

    def _nbval_kernel(startup_timeout=60, kernel_name="python", **kwargs):
        """nbval's own start_new_kernel (its spec manager knows --nbval-current-env's kernel)."""
        return start_ipc_kernel(startup_timeout, kernel_name, **kwargs,
                                manager_options={"kernel_spec_manager": nbval.kernel.NbvalKernelspecManager()})

    nbval.kernel.start_new_kernel = _nbval_kernel
except ImportError:  # nbval is a test dependency; a conftest must load without it
    pass


# Lessons and solutions also run twice in a row in one kernel, as a learner who runs them
# again without restarting would: after nbval's own pass over a notebook, the same kernel runs
# every cell again and nbval compares the second run's outputs with the stored ones too. (One
# execution serves two gates: nbval's first pass is the rerun's first run.)
RUN_TWICE = ("notebooks/", "solutions/")
# The notebooks are handed out in a random order, a new one each test run, so lessons run
# after different lessons on the same machine; the seed is printed, to repeat an order.
ORDER_SEED = int(os.environ.setdefault("SHIPYARD_ORDER_SEED", str(random.randrange(10_000))))


def pytest_report_header(config):
    return f"notebooks in a random order: SHIPYARD_ORDER_SEED={ORDER_SEED}"


def _again(cell):
    """nbval's item for a cell, run a second time in its notebook's kernel. With a copy of the
    stored cell: nbval merges a cell's stored streams into the first one in place, so a second
    comparison against the same object would see the merged text twice."""
    return type(cell).from_parent(cell.parent, name=f"{cell.name}, run 2", cell_num=cell.cell_num,
                                  cell=copy.deepcopy(cell.cell), options=cell.options)


def pytest_collection_modifyitems(config, items):
    notebooks: dict[str, list] = {}
    for item in [item for item in items if item.nodeid.split("::")[0].endswith(".ipynb")]:
        notebooks.setdefault(item.nodeid.split("::")[0], []).append(item)
    order = sorted(notebooks)
    random.Random(ORDER_SEED).shuffle(order)
    others = [item for item in items if not item.nodeid.split("::")[0].endswith(".ipynb")]
    # Long work first (the browser and reliability gates, then the notebooks), quick tests
    # last, so the workers run out of work at about the same time.
    items[:] = ([item for item in others if item.nodeid.startswith(HEAVY)]
                + [item for path in order for item in
                   notebooks[path] + ([_again(c) for c in notebooks[path]] if path.startswith(RUN_TWICE) else [])]
                + [item for item in others if not item.nodeid.startswith(HEAVY)])


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """`-n auto`: a worker per core, and one more. With one per core the cores were idle a
    third of the time (user and system CPU 69% of two cores' wall time): tests wait for
    deadlines, services, kernels and a browser, and the extra worker runs while they do."""
    return len(os.sched_getaffinity(0)) + 1


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class NotebooksTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::")[0]
            return path if path.endswith(".ipynb") else nodeid

    return NotebooksTogether(config, log)
