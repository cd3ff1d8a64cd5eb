"""Task and Feedback: the words a learner sees, and where they come from."""
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shipyard.exercises.limits import TimeLimit, call_with_deadline

INTERPRETER_RACE = "AST constructor recursion depth mismatch"  # CPython 3.11, gh-106905 (Task._checked)

_STYLE = {"correct": ("#e6f4ea", "✔ Correct"), "wrong": ("#fce8e6", "✘ Not yet"),
          "unfinished": ("#fef7e0", "… Not finished yet"), "hint": ("#e8f0fe", "Hint"),
          "solution": ("#f1f3f4", "Solution"),
          # a lesson's challenges (never graded): a right answer, a known misconception, a prediction
          "right": ("#e6f4ea", "✔ Right"), "misconception": ("#fce8e6", "✘ A common misconception"),
          "prediction": ("#e8f0fe", "Prediction")}


@dataclass(frozen=True)
class Feedback:
    kind: str  # correct, wrong, unfinished, hint, solution; right, misconception, prediction
    message: str

    @property
    def ok(self) -> bool:
        return self.kind == "correct"

    def __repr__(self) -> str:
        return f"{_STYLE[self.kind][1]}: {self.message}"

    def _repr_html_(self) -> str:
        color, title = _STYLE[self.kind]
        body = (f"<pre>{html.escape(self.message)}</pre>" if self.kind == "solution"
                else html.escape(self.message))
        return (f"<div class='shipyard-feedback shipyard-{self.kind}' style='background:{color};"
                f"padding:6px 10px;border-radius:4px'><b>{title}:</b> {body}</div>")


class Wrong(Exception):
    """Raised by a checker: the answer runs but does the wrong thing. The text is shown."""


class Unfinished(Exception):
    """Raised by a checker that finds the stub still in place."""


@dataclass
class Task:
    """One exercise task.

    checker(answer) runs the answer for real and returns the success message, or raises
    Wrong / Unfinished. get_answer() finds the learner's current answer (by default the
    notebook variable called `name`). solution() shows the cell from solutions/.
    """

    name: str
    lesson: str  # the slug, e.g. "00-welcome"
    checker: Callable[[Any], str]
    hints: list[str]
    seconds: float = 15
    get_answer: Callable[[], Any] | None = None
    _hints_shown: int = field(default=0, repr=False)

    def check(self, answer: Any = None) -> Feedback:
        try:
            answer = answer if answer is not None else self._current_answer()
            return Feedback("correct", self._checked(answer))
        except (Unfinished, NotImplementedError):
            return Feedback("unfinished", f"`{self.name}` still has the stub in it: replace "
                            "`raise NotImplementedError` with your code, run the cell, then check again.")
        except Wrong as wrong:
            return Feedback("wrong", str(wrong))
        except TimeLimit:
            return Feedback("wrong", f"Your code did not finish within {self.seconds:g} s. Is there a loop "
                            "that never ends, or a request without a timeout?")
        except SystemExit as leaving:  # sys.exit() in an answer: words, not IPython's exit warning
            return Feedback("wrong", f"Your code called sys.exit({leaving.code!r}), which ends a whole program. "
                            "A function answers by returning a value (or raising an error it means).")
        except KeyboardInterrupt:
            return Feedback("wrong", "The check was interrupted before it finished: run it again.")
        except BaseException as error:  # the learner's own bug, whatever it raises: one line, no traceback
            return Feedback("wrong", f"Your code raised {type(error).__name__}: {error}".rstrip(": "))

    def _checked(self, answer: Any) -> str:
        try:
            return call_with_deadline(self.checker, answer, seconds=self.seconds)
        except SystemError as error:
            if not str(error).startswith(INTERPRETER_RACE):
                raise
            # CPython 3.11's bug (gh-106905): the garbage collector formatted a traceback in the
            # middle of another AST conversion. Not the answer's doing: check it once more.
            return call_with_deadline(self.checker, answer, seconds=self.seconds)

    def hint(self, level: int | None = None) -> Feedback:
        """Hint number `level` (from 1), or the next one: each call says a little more,
        the last one repeats."""
        if level is None:
            self._hints_shown = min(self._hints_shown + 1, len(self.hints))
            level = self._hints_shown
        level = max(1, min(level, len(self.hints)))
        return Feedback("hint", f"({level} of {len(self.hints)}) {self.hints[level - 1]}")

    def solution(self) -> Feedback:
        from shipyard.exercises.notebooks import solution_source
        return Feedback("solution", solution_source(self.lesson, self.name))

    def panel(self):
        from shipyard.exercises.panel import panel
        return panel(self)

    def _current_answer(self) -> Any:
        if self.get_answer:
            return self.get_answer()
        from IPython import get_ipython
        shell = get_ipython()
        if shell is None or self.name not in shell.user_ns:
            raise Wrong(f"There is no `{self.name}` yet: run the cell that defines it, then check again.")
        return shell.user_ns[self.name]
