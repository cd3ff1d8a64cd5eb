"""Exercises: every task has `check()`, tiered `hint()`, `solution()` and a widget `panel()`.

A task's checker runs the learner's answer for real and answers in words. Whatever the
answer does (raises, hangs, is not written yet) the learner gets a short message, never a
traceback, and the kernel lives on.
"""
from shipyard.exercises.task import Feedback, Task, Wrong

__all__ = ["Feedback", "Task", "Wrong"]
