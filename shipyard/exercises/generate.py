"""An exercise notebook from its solution: answers become stubs, outputs are cleared.
`python -m shipyard.tools.build` writes them all."""
import re

import nbformat

from shipyard.exercises.notebooks import BEGIN, END

_ANSWER = re.compile(rf"^([ \t]*){BEGIN}[^\n]*\n.*?^[ \t]*{END}[^\n]*$", re.MULTILINE | re.DOTALL)
STUB = r"\1raise NotImplementedError  # your code here"
# Exercises carry no outputs, so nbval can only check that each cell runs.
IGNORE_OUTPUT = "nbval-ignore-output"
# A solution's explanation (why it is right, what the usual wrong answers get wrong) would
# give the answer away: it stays in solutions/ only.
SOLUTION_ONLY = "solution-only"


def stub_out(source: str) -> str:
    """Replace every marked answer with a stub at the same indentation."""
    if source.count(BEGIN) != source.count(END):
        raise ValueError(f"unbalanced solution markers in:\n{source}")
    return _ANSWER.sub(STUB, source)


def exercise_from(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    exercise = nbformat.from_dict(solution)
    # The solution run's widget state: nothing in an exercise shows it, and it would change
    # the exercise every time the solution is run again.
    exercise.metadata.pop("widgets", None)
    exercise.cells = [cell for cell in exercise.cells if SOLUTION_ONLY not in cell.metadata.get("tags", [])]
    for cell in exercise.cells:
        if cell.cell_type != "code":
            continue
        cell.source = stub_out(cell.source)
        cell.outputs, cell.execution_count = [], None
        tags = cell.metadata.setdefault("tags", [])
        if IGNORE_OUTPUT not in tags:
            tags.append(IGNORE_OUTPUT)
    return exercise
