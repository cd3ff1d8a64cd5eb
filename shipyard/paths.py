"""Where things are: the course's folders, and this process's own temporary directory."""
import atexit
import shutil
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "sample-services"
NOTEBOOKS, SOLUTIONS, EXERCISES = ROOT / "notebooks", ROOT / "solutions", ROOT / "exercises"

_workdir: Path | None = None


def program(name: str) -> str | None:
    """A program from a wheel the course installs (nats-server, traefik, act: beside this
    Python), or else from PATH (conda-forge's, a system package's); None if neither has it."""
    beside_python = Path(sysconfig.get_path("scripts")) / name
    return str(beside_python) if beside_python.exists() else shutil.which(name)


def workdir() -> Path:
    """A temporary directory private to this kernel, removed when it exits.

    Thirty learners on one server run the same notebooks: nothing may share state.
    """
    global _workdir
    if _workdir is None:
        _workdir = Path(tempfile.mkdtemp(prefix="shipyard-"))
        atexit.register(shutil.rmtree, _workdir, ignore_errors=True)
    return _workdir
