"""Challenges inside a lesson: think first, then let the run answer. Never graded, never stored.

- `Choice`: a multiple-choice question. Every wrong option is a misconception the lesson's
  run refutes, and each option carries its own one-line explanation.
- `Prediction`: "predict, then run". The learner commits to an outcome before running the
  next cell; that cell measures the outcome and calls `reveal(measured)`, which says how the
  prediction compares. With no prediction (Run All, nbval) it says what the run shows.

`answer()` and `reveal()` are pure functions of their inputs: the widgets only call them, so
tests check the words without a browser. A notebook cell that shows a challenge is tagged
`challenge`.
"""
from dataclasses import dataclass, field

import ipywidgets as widgets
from IPython.display import display

from shipyard.exercises.task import Feedback


@dataclass(frozen=True)
class Option:
    text: str
    why: str  # one line: why this is right, or which misconception it is and what the run shows
    right: bool = False


class _Widget(widgets.VBox):
    """A challenge's widget, whose stored plain-text form says what it is."""

    def __init__(self, label: str, children):
        super().__init__(children)
        self.label = label

    def __repr__(self) -> str:
        return f"[{self.label}: run this cell to answer]"


def _options_widget(challenge, on_choose) -> _Widget:
    choices = widgets.RadioButtons(options=[(label, i) for i, label in enumerate(challenge.labels)], value=None,
                                   layout=widgets.Layout(width="auto"))
    button = widgets.Button(description=challenge.button, button_style="primary")
    output = widgets.Output()

    def click(_button):
        output.clear_output()
        with output:
            display(on_choose(choices.value))

    button.on_click(click)
    question = widgets.HTML(f"<b>{challenge.kind}:</b> {challenge.question}")
    return _Widget(f"{challenge.kind}: {challenge.question}", [question, choices, button, output])


@dataclass
class Choice:
    """A multiple-choice question with exactly one right option."""

    name: str
    question: str
    options: list[Option]
    kind = "Challenge"
    button = "Answer"

    def __post_init__(self):
        if sum(o.right for o in self.options) != 1:
            raise ValueError(f"challenge {self.name} needs exactly one right option")

    @property
    def labels(self) -> list[str]:
        return [option.text for option in self.options]

    def answer(self, choice: int | None) -> Feedback:
        if choice is None or not 0 <= choice < len(self.options):
            return Feedback("unfinished", "Choose one of the options first.")
        option = self.options[choice]
        return Feedback("right" if option.right else "misconception", option.why)

    def _ipython_display_(self):
        display(_options_widget(self, self.answer))


@dataclass
class Prediction:
    """Predict, then run. `outcome(measured)` names the option the run's measurement matches."""

    name: str
    question: str
    options: list[str]
    outcome: object  # a function: the measured value -> the index of the option it matches
    predicted: int | None = field(default=None, repr=False)
    kind = "Predict, then run"
    button = "Commit"

    @property
    def labels(self) -> list[str]:
        return self.options

    def commit(self, choice: int | None) -> Feedback:
        if choice is None or not 0 <= choice < len(self.options):
            return Feedback("unfinished", "Choose one of the options first.")
        self.predicted = choice
        return Feedback("prediction", f"You predicted: {self.options[choice]}. Now run the next cell.")

    def reveal(self, measured, shown: str | None = None) -> Feedback:
        """Compare the prediction with what the run measured (`shown`: how to print it)."""
        actual = self.outcome(measured)
        seen = f"the run shows: {self.options[actual]}" + (f" ({shown})" if shown is not None else "")
        if self.predicted is None:
            return Feedback("prediction", f"No prediction was made; {seen}.")
        if self.predicted == actual:
            return Feedback("right", f"You predicted it: {seen}.")
        return Feedback("misconception", f"You predicted {self.options[self.predicted]!r}, but {seen}.")

    def _ipython_display_(self):
        display(_options_widget(self, self.commit))
