"""Challenges inside lessons: the words behind every widget, without a browser."""
import importlib
import pkgutil

import nbformat
import pytest

import shipyard.exercises as exercises
from shipyard.exercises.challenges import Choice, Option, Prediction, _options_widget
from shipyard.paths import NOTEBOOKS


def choice():
    return Choice("status", "What does a missing product get?", [
        Option("a crash", "No: the run shows the service alive."),
        Option("a 404", "A 4xx says the request was wrong.", right=True),
        Option("a 200", "No: a 200 says it worked."),
    ])


def prediction():
    return Prediction("start", "How long does a start take?", ["under 1 s", "1 s or more"],
                      outcome=lambda seconds: 0 if seconds < 1 else 1)


def test_a_right_choice_is_called_right_with_its_explanation():
    feedback = choice().answer(1)
    assert feedback.kind == "right" and feedback.message == "A 4xx says the request was wrong."


@pytest.mark.parametrize("wrong, explanation", [(0, "No: the run shows the service alive."),
                                                (2, "No: a 200 says it worked.")])
def test_every_wrong_choice_is_a_misconception_with_its_own_explanation(wrong, explanation):
    feedback = choice().answer(wrong)
    assert feedback.kind == "misconception" and feedback.message == explanation


@pytest.mark.parametrize("nothing", [None, -1, 3])
def test_no_choice_or_one_out_of_range_asks_for_a_choice(nothing):
    assert choice().answer(nothing).kind == "unfinished"


def test_a_choice_needs_exactly_one_right_option():
    with pytest.raises(ValueError, match="exactly one right option"):
        Choice("two", "?", [Option("a", "x", right=True), Option("b", "y", right=True)])
    with pytest.raises(ValueError, match="exactly one right option"):
        Choice("none", "?", [Option("a", "x"), Option("b", "y")])


def test_without_a_prediction_the_reveal_says_what_the_run_shows():
    feedback = prediction().reveal(0.4, "0.40 s")
    assert feedback.kind == "prediction"
    assert feedback.message == "No prediction was made; the run shows: under 1 s (0.40 s)."


def test_a_prediction_the_run_confirms_is_right_and_one_it_refutes_is_named():
    right, wrong = prediction(), prediction()
    right.commit(0), wrong.commit(1)
    assert right.reveal(0.4).kind == "right"
    refuted = wrong.reveal(0.4)
    assert refuted.kind == "misconception" and refuted.message.startswith("You predicted '1 s or more', but")


def test_committing_in_the_widget_records_the_prediction_and_answering_shows_words():
    challenge = prediction()
    box = _options_widget(challenge, challenge.commit)
    _question, options, button, _output = box.children
    options.value = 1
    button.click()
    assert challenge.predicted == 1
    assert repr(box) == "[Predict, then run: How long does a start take?: run this cell to answer]"


def lesson_challenges():
    found = []
    for module in pkgutil.iter_modules(exercises.__path__):
        if module.name.startswith("l0"):
            loaded = importlib.import_module(f"shipyard.exercises.{module.name}")
            found += [value for value in vars(loaded).values() if isinstance(value, (Choice, Prediction))]
    return found


def test_every_lesson_challenge_explains_every_option_and_every_prediction_has_two_or_more_outcomes():
    for challenge in lesson_challenges():
        if isinstance(challenge, Choice):
            assert all(option.why.strip() for option in challenge.options), challenge.name
            assert len(challenge.options) >= 3, f"{challenge.name}: a right answer and at least two misconceptions"
        else:
            assert len(challenge.options) >= 2, challenge.name


def challenge_cells(path):
    notebook = nbformat.read(path, as_version=4)
    return [cell for cell in notebook.cells if "challenge" in cell.metadata.get("tags", [])]


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_lesson_has_at_least_three_challenges(path):
    assert len(challenge_cells(path)) >= 3


@pytest.mark.parametrize("share, option", [(0.6, 0), (0.5, 1), (0.25, 1), (0.24, 2), (0.08, 2)])
def test_lesson_05s_install_share_maps_the_measured_share_of_the_run_to_its_option(share, option):
    from shipyard.exercises.l05_ci import install_share
    assert install_share.outcome(share) == option


@pytest.mark.parametrize("running, option", [((False, False), 0), ((True, False), 1), ((True, True), 2), ((False, True), 2)])
def test_lesson_06s_where_it_runs_maps_where_the_release_runs_to_its_option(running, option):
    from shipyard.exercises.l06_delivery import where_it_runs
    assert where_it_runs.outcome(running) == option


@pytest.mark.parametrize("answers, option", [
    ({"c-0": False, "c-1": False, "c-2": False}, 2),
    ({"c-0": True, "c-1": False, "c-2": False}, 0),
    ({"c-0": False, "c-1": True, "c-2": False}, 1),
    ({"c-0": True, "c-1": False, "c-2": True}, 1),
])
def test_lesson_06s_rollout_share_tells_customers_in_order_from_scattered_ones(answers, option):
    from shipyard.exercises.l06_delivery import rollout_share
    assert rollout_share.outcome(answers) == option


@pytest.mark.parametrize("failed, option", [
    ({"recreate": 40, "rolling update": 0, "blue/green": 0, "canary": 0}, 1),
    ({"recreate": 40, "rolling update": 2, "blue/green": 0, "canary": 0}, 3),
    ({"recreate": 0, "rolling update": 0, "blue/green": 0, "canary": 0}, 2),
    ({"recreate": 40, "rolling update": 2, "blue/green": 1, "canary": 3}, 0),
])
def test_lesson_07s_which_loses_maps_the_failed_requests_to_its_option(failed, option):
    from shipyard.exercises.l07_deployment import which_loses
    assert which_loses.outcome(failed) == option


@pytest.mark.parametrize("reached, option", [((15, 66), 1), ((0, 60), 2), ((40, 60), 0), ((30, 60), 1)])
def test_lesson_07s_exposure_maps_the_requests_at_the_bad_version_to_its_option(reached, option):
    from shipyard.exercises.l07_deployment import exposure
    assert exposure.outcome(reached) == option
