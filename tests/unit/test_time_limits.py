"""Learner code runs with a deadline in a helper thread (shipyard.exercises.limits)."""
import threading

import pytest

from shipyard.exercises.limits import TimeLimit, call_with_deadline


def test_an_answer_stopped_at_its_deadline_has_run_its_cleanup_before_the_check_answers():
    cleaned_up = threading.Event()

    def answer():
        try:
            while True:
                pass
        finally:
            cleaned_up.set()  # as a `with` block's exit stops a mock server

    with pytest.raises(TimeLimit):
        call_with_deadline(answer, seconds=0.2)
    assert cleaned_up.is_set()


def test_an_answer_within_its_deadline_gives_its_value_and_its_error():
    assert call_with_deadline(lambda x: x * 2, 21, seconds=2) == 42
    with pytest.raises(KeyError):
        call_with_deadline(lambda: {}["missing"], seconds=2)
