"""Every lesson, opened in JupyterLab in a real browser: clear, Run All, fresh results."""
import re

import nbformat
import pytest

from conftest import course_notebooks
from shipyard.paths import ROOT

NUMBER = re.compile(r"\d+(?:\.\d+)?")


def committed_numbers(path: str) -> set[str]:
    notebook = nbformat.read(ROOT / path, as_version=4)
    text = " ".join(str(output) for cell in notebook.cells for output in cell.get("outputs", []))
    return set(NUMBER.findall(text))


@pytest.mark.parametrize("path", course_notebooks("notebooks"))
def test_a_lesson_runs_top_to_bottom_in_the_browser_and_shows_results_of_this_run(open_notebook, path):
    notebook = open_notebook(path)
    notebook.clear_outputs()
    notebook.run_all()
    assert notebook.errors() == []
    shown = notebook.outputs()
    assert shown, "Run All showed no output at all"
    fresh = set(NUMBER.findall(" ".join(shown))) - committed_numbers(path)
    assert fresh, "every figure shown is one the committed notebook already holds: did anything run?"
