"""Every lesson, opened in JupyterLab in a real browser: clear, Run All, fresh results, and a
challenge answered in words."""
import importlib
import pkgutil
import re

import nbformat
import pytest

from conftest import course_notebooks
from shipyard import exercises
from shipyard.exercises.challenges import Choice
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
    if notebook.choices().count():  # (a test of challenge counts says every lesson has them)
        answer_the_first_challenge(notebook)


def the_choice_asking(question_shown: str) -> Choice:
    for module in pkgutil.iter_modules(exercises.__path__):
        for value in vars(importlib.import_module(f"shipyard.exercises.{module.name}")).values():
            if isinstance(value, Choice) and value.question in question_shown:
                return value
    raise AssertionError(f"no challenge in shipyard.exercises asks: {question_shown!r}")


def answer_the_first_challenge(notebook):
    challenge = notebook.choices().first
    choice = the_choice_asking(challenge.locator(".widget-html").first.inner_text())
    for option in range(len(choice.options)):
        expected = choice.answer(option)
        shown = notebook.choose(challenge, option)
        assert expected.message in shown, f"option {option} showed {shown!r}"
