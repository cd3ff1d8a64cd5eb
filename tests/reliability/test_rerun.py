"""Restart & Run All is not the only way learners run a lesson: they run it again without
restarting. The root conftest.py has nbval run every lesson and solution a second time in the
kernel of its first pass and compare that run's outputs too; this proves the gate can fail."""
import os
import shutil
import subprocess
import sys

import nbformat

from shipyard.paths import ROOT


def probe_notebook(path, source: str, shown: str | list[str]) -> None:
    """A notebook of one cell, stored with a result (`shown`) or with printed chunks (a list)."""
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = ([nbformat.v4.new_output("stream", name="stdout", text=chunk) for chunk in shown]
                    if isinstance(shown, list) else
                    [nbformat.v4.new_output("execute_result", data={"text/plain": shown}, execution_count=1)])
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def nbval(folder, notebooks: str) -> str:
    """The course's nbval, with the root conftest.py, on a folder of probe notebooks."""
    shutil.copy(ROOT / "conftest.py", folder)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "nbval.plugin", "-p", "no:cacheprovider", "--nbval",
                           "--nbval-current-env", "-q", "-rA", notebooks],  # only nbval: other plugins cost seconds
                          cwd=folder, capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}).stdout


def test_a_lesson_that_shows_something_else_when_run_again_in_its_kernel_fails_its_second_run(tmp_path):
    probe_notebook(tmp_path / "notebooks" / "counts.ipynb", "runs = globals().get('runs', 0) + 1\nruns", "1")
    said = nbval(tmp_path, "notebooks")
    assert "PASSED notebooks/counts.ipynb::Cell 0\n" in said
    assert "FAILED notebooks/counts.ipynb::Cell 0, run 2" in said


def test_a_solution_that_shows_the_same_when_run_again_passes_both_runs(tmp_path):
    probe_notebook(tmp_path / "solutions" / "same.ipynb", "1 + 1", "2")
    said = nbval(tmp_path, "solutions")
    assert "PASSED solutions/same.ipynb::Cell 0\n" in said and "PASSED solutions/same.ipynb::Cell 0, run 2" in said


def test_a_lesson_whose_stored_print_came_in_two_chunks_passes_both_runs(tmp_path):
    probe_notebook(tmp_path / "notebooks" / "chunks.ipynb", "print('one')\nprint('two')", ["one\n", "two\n"])
    said = nbval(tmp_path, "notebooks")
    assert "PASSED notebooks/chunks.ipynb::Cell 0\n" in said and "PASSED notebooks/chunks.ipynb::Cell 0, run 2" in said
