"""Tasks answer in words, whatever the learner's code does."""
import time

import pytest

from shipyard.exercises import Task, Wrong
from shipyard.exercises.limits import TimeLimit, call_with_deadline


def expects_seven(answer):
    if answer() != 7:
        raise Wrong(f"expected 7, got {answer()!r}")
    return "seven it is"


def task(seconds=1.0):
    return Task(name="seven", lesson="00-welcome", checker=expects_seven, seconds=seconds,
                hints=["first hint", "second hint", "last hint"])


def stub():
    raise NotImplementedError


def test_a_right_answer_is_correct_with_the_checkers_message():
    feedback = task().check(lambda: 7)
    assert feedback.ok and feedback.kind == "correct" and feedback.message == "seven it is"


def test_the_stub_is_reported_unfinished_not_wrong():
    feedback = task().check(stub)
    assert feedback.kind == "unfinished" and "raise NotImplementedError" in feedback.message


def test_a_wrong_answer_gets_the_checkers_words():
    feedback = task().check(lambda: 8)
    assert feedback.kind == "wrong" and feedback.message == "expected 7, got 8"


def test_an_answer_that_raises_gets_one_line_and_no_traceback():
    feedback = task().check(lambda: 1 / 0)
    assert feedback.kind == "wrong"
    assert feedback.message == "Your code raised ZeroDivisionError: division by zero"
    assert "Traceback" not in repr(feedback) and "Traceback" not in feedback._repr_html_()


def exits(code):
    def answer():
        raise SystemExit(code)
    return answer


@pytest.mark.parametrize("answer", [exits(0), exits(1), exits("bye")])
def test_an_answer_that_calls_sys_exit_gets_words_and_the_check_goes_on(answer):
    feedback = task().check(answer)
    assert feedback.kind == "wrong" and "sys.exit(" in feedback.message and "returning a value" in feedback.message


def test_an_answer_that_raises_a_base_exception_of_its_own_gets_one_line():
    class Stop(BaseException):
        pass

    def answer():
        raise Stop("no more")
    assert task().check(answer).message == "Your code raised Stop: no more"


def test_an_answer_that_loops_forever_is_stopped_and_reported():
    def spin():
        while True:
            pass

    started = time.monotonic()
    feedback = task(seconds=0.5).check(spin)
    assert feedback.kind == "wrong" and "did not finish within 0.5 s" in feedback.message
    assert time.monotonic() - started < 3


def test_a_stopped_loop_does_not_keep_running_in_the_background():
    counter = []

    def count_forever():
        while True:
            counter.append(1)
            time.sleep(0.001)

    with pytest.raises(TimeLimit):
        call_with_deadline(count_forever, seconds=0.2)
    time.sleep(0.1)
    settled = len(counter)
    time.sleep(0.2)
    assert len(counter) == settled


def test_hints_come_in_tiers_and_the_last_one_repeats():
    t = task()
    messages = [t.hint().message for _ in range(4)]
    assert messages == ["(1 of 3) first hint", "(2 of 3) second hint", "(3 of 3) last hint", "(3 of 3) last hint"]


def test_without_an_answer_and_outside_a_notebook_the_learner_is_told_what_to_run():
    feedback = task().check()
    assert feedback.kind == "wrong" and "There is no `seven` yet" in feedback.message


def test_a_hint_can_be_asked_for_by_its_level():
    t = task()
    assert t.hint(2).message == "(2 of 3) second hint" and t.hint(9).message == "(3 of 3) last hint"


def test_the_panel_has_check_hint_and_solution_buttons_that_call_the_task():
    t = task()
    header, output = t.panel().children
    buttons = {b.description: b for b in header.children[1:]}
    assert list(buttons) == ["Check", "Hint", "Solution"]
    buttons["Hint"].click()
    assert t.hint().message.startswith("(2 of 3)")


def test_a_stored_panel_reads_in_words_before_its_cell_runs():
    shown = task().panel()._repr_mimebundle_()["text/plain"]
    assert shown == "[Check / Hint / Solution buttons for task seven: run this cell to use them]"


def test_a_check_that_meets_cpython_311s_ast_race_is_checked_once_more_and_any_other_system_error_is_the_answers():
    calls = []

    def racy(answer):
        calls.append(answer)
        if len(calls) == 1:
            raise SystemError("AST constructor recursion depth mismatch (before=57, after=74)")
        return "fine"

    assert Task("racy", "00-welcome", racy, hints=["h"]).check(1).kind == "correct" and calls == [1, 1]

    def broken(answer):
        raise SystemError("something else")

    feedback = Task("broken", "00-welcome", broken, hints=["h"]).check(1)
    assert feedback.kind == "wrong" and feedback.message == "Your code raised SystemError: something else"
