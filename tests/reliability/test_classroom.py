"""A classroom on one server: six learners run the same lesson at the same moment."""
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from kernels import read, run_in_one_kernel
from shipyard.paths import NOTEBOOKS

LEARNERS = 6
WHERE_AM_I = nbformat.v4.new_code_cell("from shipyard.paths import workdir\nprint(workdir())")


# Six kernels share two cores here: lesson 04 took 206 s. Each cell keeps its own limit.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("lesson", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_six_learners_run_the_same_lesson_at_once_without_colliding(lesson):
    notebook = read(NOTEBOOKS / lesson)
    probe = nbformat.v4.new_notebook(cells=[WHERE_AM_I])

    def learner(_):  # its own kernel: where it keeps its files, then the whole lesson
        where, _lesson = run_in_one_kernel([probe, notebook], cwd=NOTEBOOKS)
        return where.cells[0].outputs[0]["text"].strip()

    with ThreadPoolExecutor(LEARNERS) as pool:
        folders = list(pool.map(learner, range(LEARNERS)))  # any cell's error raises here
    assert len(set(folders)) == LEARNERS, f"learners shared temporary folders: {folders}"
