"""Every exercise and solution in JupyterLab: the panel's buttons answer in words."""
import pytest

from conftest import course_notebooks


def run_fresh(open_notebook, path):
    notebook = open_notebook(path)
    notebook.clear_outputs()
    notebook.run_all()
    assert notebook.errors() == []
    assert notebook.panels().count() >= 1, "no Check / Hint / Solution panel"
    return notebook


@pytest.mark.parametrize("path", course_notebooks("exercises"))
def test_an_unanswered_exercise_says_not_finished_and_gives_hints(open_notebook, path):
    notebook = run_fresh(open_notebook, path)
    for panel in notebook.panels().all():
        assert "Not finished yet" in notebook.click_in_panel(panel, "Check")
        assert "(1 of " in notebook.click_in_panel(panel, "Hint")
        assert "(2 of " in notebook.click_in_panel(panel, "Hint")


@pytest.mark.parametrize("path", course_notebooks("solutions"))
def test_a_solution_passes_its_check_in_the_browser(open_notebook, path):
    notebook = run_fresh(open_notebook, path)
    for panel in notebook.panels().all():
        assert "Correct" in notebook.click_in_panel(panel, "Check")
        assert "BEGIN SOLUTION" not in notebook.click_in_panel(panel, "Solution")
