"""Reading exercise cells out of the solution notebooks, the single source of answers."""
import re
from functools import lru_cache

import nbformat

from shipyard.paths import SOLUTIONS

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_MARKER_LINE = re.compile(rf"^[ \t]*({BEGIN}|{END})[ \t]*\n?", re.MULTILINE)


def task_of(cell) -> str | None:
    return cell.get("metadata", {}).get("shipyard", {}).get("task")


@lru_cache
def _solution_cells(lesson: str) -> dict[str, str]:
    notebook = nbformat.read(SOLUTIONS / f"{lesson}.ipynb", as_version=4)
    return {task_of(cell): cell.source for cell in notebook.cells if task_of(cell)}


def solution_source(lesson: str, task: str) -> str:
    """The worked answer to `task`, as the solution notebook has it, markers removed."""
    return _MARKER_LINE.sub("", _solution_cells(lesson)[task]).strip() + "\n"


def solution_code(lesson: str, task: str) -> str:
    """The same, without a leading cell magic line: the Python that runs (or the file)."""
    source = solution_source(lesson, task)
    return source.split("\n", 1)[1] if source.startswith("%%") else source
