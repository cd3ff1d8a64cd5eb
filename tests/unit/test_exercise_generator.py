"""exercises/ is made from solutions/: answers out, stubs in, outputs gone."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from shipyard.exercises.generate import exercise_from, stub_out
from shipyard.exercises.notebooks import solution_code, solution_source

SOLVED = """def area(w, h):
    ### BEGIN SOLUTION
    if w < 0:
        raise ValueError
    return w * h
    ### END SOLUTION
"""


def test_an_answer_becomes_a_stub_at_its_own_indentation():
    assert stub_out(SOLVED) == "def area(w, h):\n    raise NotImplementedError  # your code here\n"


def test_unbalanced_markers_are_an_error_not_a_silent_leak():
    with pytest.raises(ValueError, match="unbalanced"):
        stub_out("### BEGIN SOLUTION\nsecret = 42\n")


def test_an_exercise_keeps_the_prose_and_loses_answers_and_outputs():
    cell = new_code_cell(SOLVED, outputs=[new_output("stream", text="hi")], execution_count=3)
    exercise = exercise_from(new_notebook(cells=[cell]))
    (code,) = exercise.cells
    assert "return w * h" not in code.source and code.outputs == [] and code.execution_count is None
    assert "nbval-ignore-output" in code.metadata["tags"]
    assert cell.outputs, "the solution itself is left untouched"


def test_an_exercise_carries_no_widget_state_from_the_solutions_run():
    solved = new_notebook(cells=[new_code_cell(SOLVED)], metadata={"widgets": {"state": {}}, "language_info": {"name": "python"}})
    assert set(exercise_from(solved).metadata) == {"language_info"}


def test_a_solutions_explanation_stays_out_of_the_exercise():
    why = new_markdown_cell("Why it is right: ...", metadata={"tags": ["solution-only"]})
    task = new_markdown_cell("## Task")
    exercise = exercise_from(new_notebook(cells=[task, new_code_cell(SOLVED), why]))
    assert [cell.source for cell in exercise.cells if cell.cell_type == "markdown"] == ["## Task"]


def test_a_solution_is_shown_without_its_markers():
    shown = solution_source("00-welcome", "check_health")
    assert "def check_health" in shown and "BEGIN SOLUTION" not in shown


def test_the_code_of_a_writefile_solution_is_the_file_without_the_magic():
    code = solution_code("02-anatomy-of-a-service", "shipping_service")
    assert code.startswith("import os") and "%%writefile" not in code


def test_every_solution_task_cell_has_an_answer_to_hide():
    from shipyard.paths import SOLUTIONS

    for path in SOLUTIONS.glob("*.ipynb"):
        tasks = [c for c in nbformat.read(path, as_version=4).cells if c.metadata.get("shipyard", {}).get("task")]
        assert tasks, f"{path.name} has no task cell"
        assert all("### BEGIN SOLUTION" in c.source for c in tasks), path.name
