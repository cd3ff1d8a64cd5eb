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


def cell_source(lesson: str, task: str) -> str:
    """The task's cell in the solution notebook, markers and all."""
    return _solution_cells(lesson)[task]


def without_magic(source: str) -> str:
    """A cell without its leading cell magic line: the Python that runs (or the file)."""
    return source.split("\n", 1)[1] if source.startswith("%%") else source


def solution_source(lesson: str, task: str) -> str:
    """The worked answer to `task`, as the solution notebook has it, markers removed."""
    return _MARKER_LINE.sub("", cell_source(lesson, task)).strip() + "\n"


def solution_code(lesson: str, task: str) -> str:
    return without_magic(solution_source(lesson, task))
