"""Answers as the notebooks hold them: the solution, its stub, and wrong variants."""
from shipyard.exercises.generate import stub_out
from shipyard.exercises.notebooks import cell_source, solution_code, without_magic


def define(code: str, name: str):
    """Run an answer cell's code, as the notebook would, and return what it defines."""
    namespace: dict = {}
    exec(compile(code, f"<answer {name}>", "exec"), namespace)
    return namespace[name]


def solution(lesson: str, task: str):
    return define(solution_code(lesson, task), task)


def stub_code(lesson: str, task: str) -> str:
    """What the exercise notebook holds for the task: the solution with its answer stubbed."""
    return without_magic(stub_out(cell_source(lesson, task)))


def stub(lesson: str, task: str):
    return define(stub_code(lesson, task), task)
