"""Where things are: the course's folders, and this process's own temporary directory."""
import atexit
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "sample-services"
NOTEBOOKS, SOLUTIONS, EXERCISES = ROOT / "notebooks", ROOT / "solutions", ROOT / "exercises"

_workdir: Path | None = None


def workdir() -> Path:
    """A temporary directory private to this kernel, removed when it exits.

    Thirty learners on one server run the same notebooks: nothing may share state.
    """
    global _workdir
    if _workdir is None:
        _workdir = Path(tempfile.mkdtemp(prefix="shipyard-"))
        atexit.register(shutil.rmtree, _workdir, ignore_errors=True)
    return _workdir
