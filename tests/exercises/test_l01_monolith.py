"""Exercise 01: every task's stub, solution, and the near misses learners write."""
import dataclasses

import pytest

from answers import define, solution, stub
from shipyard.exercises import l01_monolith
from shipyard.exercises.l01_monolith import count_failures as task
from shipyard.exercises.notebooks import solution_code

LESSON = "01-monolith-vs-microservices"


def counting(condition: str, timeout: str = "0.5", loop: str = "range(n)", path: str = '"/products"'):
    """A count_failures that counts a request as failed when `condition` holds of its response."""
    return define(f"""import httpx
def count_failures(url, n):
    failures = 0
    with httpx.Client(timeout={timeout}) as client:
        for _ in {loop}:
            try:
                response = client.get(url + {path})
                if {condition}:
                    failures += 1
            except httpx.HTTPError:
                failures += 1
    return failures
""", "count_failures")


RIGHT = "response.status_code != 200"


def test_the_stub_is_reported_unfinished():
    assert task.check(stub(LESSON, "count_failures")).kind == "unfinished"


def test_the_solution_passes():
    feedback = task.check(solution(LESSON, "count_failures"))
    assert feedback.ok, feedback.message


def test_the_near_miss_helper_with_the_right_condition_passes():
    feedback = task.check(counting(RIGHT))
    assert feedback.ok, feedback.message


# -- a status other than 200 is a failure ----------------------------------------------------
def test_an_answer_that_ignores_every_status_is_caught_on_a_503():
    feedback = task.check(counting("False"))
    assert feedback.kind == "wrong" and "answers 503" in feedback.message and "returned 0; expected 4" in feedback.message


def test_an_answer_that_counts_only_5xx_is_caught_on_a_404():
    feedback = task.check(counting("response.status_code >= 500"))
    assert feedback.kind == "wrong" and "answers 404" in feedback.message and "not only a 5xx" in feedback.message


def test_an_answer_that_counts_only_503_is_caught_on_a_404():
    feedback = task.check(counting("response.status_code == 503"))
    assert feedback.kind == "wrong" and "answers 404" in feedback.message


# -- a request that raises is a failure -------------------------------------------------------
def test_an_answer_that_lets_errors_escape_is_told_to_catch_and_count_them():
    no_try = define("""import httpx
def count_failures(url, n):
    return sum(httpx.get(url + "/products", timeout=0.5).status_code != 200 for _ in range(n))
""", "count_failures")
    feedback = task.check(no_try)
    assert feedback.kind == "wrong" and "nothing listens, count_failures raised ConnectError" in feedback.message
    assert "catch httpx.HTTPError" in feedback.message


def test_an_answer_that_catches_errors_but_does_not_count_them_is_caught_where_nothing_listens():
    not_counted = define("""import httpx
def count_failures(url, n):
    failures = 0
    for _ in range(n):
        try:
            failures += httpx.get(url + "/products", timeout=0.5).status_code != 200
        except httpx.HTTPError:
            pass
    return failures
""", "count_failures")
    feedback = task.check(not_counted)
    assert feedback.kind == "wrong" and "nothing listens" in feedback.message and "returned 0; expected 3" in feedback.message


def test_an_answer_that_counts_only_exceptions_is_caught_on_a_503():
    only_errors = define("""import httpx
def count_failures(url, n):
    failures = 0
    for _ in range(n):
        try:
            httpx.get(url + "/products", timeout=0.5)
        except httpx.HTTPError:
            failures += 1
    return failures
""", "count_failures")
    feedback = task.check(only_errors)
    assert feedback.kind == "wrong" and "answers 503" in feedback.message and "not the 200" in feedback.message


def test_an_answer_that_gives_up_at_the_first_error_is_caught():
    gives_up = define("""import httpx
def count_failures(url, n):
    failures = 0
    for _ in range(n):
        try:
            failures += httpx.get(url + "/products", timeout=0.5).status_code != 200
        except httpx.HTTPError:
            return failures + 1
    return failures
""", "count_failures")
    feedback = task.check(gives_up)
    assert feedback.kind == "wrong" and "nothing listens" in feedback.message and "returned 1; expected 3" in feedback.message


# -- give up after half a second ---------------------------------------------------------------
def test_an_answer_with_httpxs_default_five_seconds_is_stopped_and_told_the_task_says_half_a_second():
    feedback = task.check(counting(RIGHT, timeout="5"))
    assert feedback.kind == "wrong" and "still waiting after" in feedback.message and "timeout=0.5" in feedback.message


def test_an_answer_with_a_two_second_timeout_is_stopped_and_told_the_task_says_half_a_second():
    feedback = task.check(counting(RIGHT, timeout="2"))
    assert feedback.kind == "wrong" and "half a second" in feedback.message


def test_an_answer_with_a_one_second_timeout_is_told_how_long_it_took():
    feedback = task.check(counting(RIGHT, timeout="1"))
    assert feedback.kind == "wrong" and "per request" in feedback.message and "timeout=0.5" in feedback.message


def test_an_answer_without_any_timeout_is_stopped_with_words():
    feedback = task.check(counting(RIGHT, timeout="None"))
    assert feedback.kind == "wrong" and "half a second" in feedback.message


# -- send n requests to /products, return the failures ----------------------------------------
def test_an_answer_that_sends_one_request_too_few_is_told_how_many_it_sent():
    feedback = task.check(counting(RIGHT, loop="range(n - 1)"))
    assert feedback.kind == "wrong" and "sent 3 GET {url}/products requests" in feedback.message
    assert "exactly 4" in feedback.message


def test_an_answer_that_retries_failures_is_told_to_send_exactly_n():
    retrying = define("""import httpx
def count_failures(url, n):
    failures = 0
    for _ in range(n):
        for attempt in range(2):
            try:
                if httpx.get(url + "/products", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
        else:
            failures += 1
    return failures
""", "count_failures")
    feedback = task.check(retrying)
    assert feedback.kind == "wrong" and "sent 8 GET {url}/products requests" in feedback.message


def test_an_answer_that_asks_another_path_is_told_which_path():
    feedback = task.check(counting(RIGHT, path='"/health"'))
    assert feedback.kind == "wrong" and "sent 0 GET {url}/products requests (and 4 for other paths)" in feedback.message


def test_an_answer_that_counts_successes_is_told_the_task_asks_for_failures():
    feedback = task.check(counting("response.status_code == 200"))
    assert feedback.kind == "wrong" and "how many succeeded" in feedback.message


def test_an_answer_that_counts_nothing_is_caught():
    feedback = task.check(lambda url, n: 0)
    assert feedback.kind == "wrong" and "sent 0 GET {url}/products requests" in feedback.message


def test_an_answer_that_counts_everything_is_caught_on_the_running_catalog():
    feedback = task.check(lambda url, n: n)
    assert feedback.kind == "wrong" and "running catalog" in feedback.message and "returned 5; expected 0" in feedback.message


# -- whatever the answer does, words ------------------------------------------------------------
def test_an_answer_that_calls_sys_exit_gets_words():
    feedback = task.check(define("import sys\ndef count_failures(url, n):\n    sys.exit(0)", "count_failures"))
    assert feedback.kind == "wrong" and "sys.exit(0)" in feedback.message


def test_an_answer_that_hangs_is_stopped_with_a_friendly_message():
    hanging = define("def count_failures(url, n):\n    while True:\n        pass", "count_failures")
    feedback = dataclasses.replace(task, seconds=2).check(hanging)
    assert feedback.kind == "wrong" and "did not finish within 2 s" in feedback.message


def test_a_variable_that_is_not_a_function_is_explained():
    assert "should be a function" in task.check(3).message


# === what_buys_what =============================================================================
buys = l01_monolith.what_buys_what
RIGHT_CHOICES = {"a": "replicas", "b": "services", "c": "services", "d": "services", "e": "neither", "f": "neither"}


def choosing(**changes):
    return lambda: {**RIGHT_CHOICES, **changes}


def test_what_buys_what_the_stub_is_reported_unfinished():
    assert buys.check(stub(LESSON, "what_buys_what")).kind == "unfinished"


def test_what_buys_what_the_solution_passes():
    feedback = buys.check(solution(LESSON, "what_buys_what"))
    assert feedback.ok, feedback.message


@pytest.mark.parametrize("letter, wrong", [(letter, wrong) for letter, right in RIGHT_CHOICES.items()
                                           for wrong in ("replicas", "services", "neither") if wrong != right])
def test_every_wrong_choice_is_explained_from_the_lessons_run(letter, wrong):
    feedback = buys.check(choosing(**{letter: wrong}))
    assert feedback.kind == "wrong" and feedback.message.startswith("5 of 6 right.")
    assert f"({letter}) not {wrong}: " + l01_monolith.BUYS[letter][1][wrong] in feedback.message


def test_microservices_deploy_without_downtime_is_refuted_by_orderings_outage():
    feedback = buys.check(choosing(a="services"))
    assert "ordering was unavailable" in feedback.message


def test_services_are_faster_is_refuted_by_the_measured_latency():
    feedback = buys.check(choosing(f="services"))
    assert "measured slower per order" in feedback.message


def test_all_wrong_choices_are_explained_at_once():
    feedback = buys.check(choosing(a="services", d="replicas", f="services"))
    assert feedback.message.startswith("3 of 6 right.") and "(a) not" in feedback.message
    assert "(d) not" in feedback.message and "(f) not" in feedback.message


def test_a_missing_letter_is_named():
    feedback = buys.check(lambda: {letter: RIGHT_CHOICES[letter] for letter in "abcde"})
    assert feedback.kind == "wrong" and "Missing: f." in feedback.message


def test_a_choice_outside_the_three_is_named():
    feedback = buys.check(choosing(b="microservices"))
    assert feedback.kind == "wrong" and "For (b) you chose 'microservices'" in feedback.message


def test_a_list_instead_of_a_dict_is_explained():
    feedback = buys.check(lambda: list(RIGHT_CHOICES.values()))
    assert feedback.kind == "wrong" and "should return a dict" in feedback.message


def test_what_buys_what_as_a_dict_instead_of_a_function_is_explained():
    assert "should be a function" in buys.check(RIGHT_CHOICES).message


def test_what_buys_what_calling_sys_exit_gets_words():
    feedback = buys.check(define("import sys\ndef what_buys_what():\n    sys.exit()", "what_buys_what"))
    assert feedback.kind == "wrong" and "sys.exit(None)" in feedback.message


def test_what_buys_what_that_hangs_is_stopped_with_a_friendly_message():
    feedback = dataclasses.replace(buys, seconds=1).check(define(
        "def what_buys_what():\n    while True:\n        pass", "what_buys_what"))
    assert feedback.kind == "wrong" and "did not finish within 1 s" in feedback.message


# === seconds_unavailable ========================================================================
unavailable = l01_monolith.seconds_unavailable
SOLUTION = solution_code(LESSON, "seconds_unavailable")
OK = "ok = status is not None and status < 500 and took <= deadline"


def variant(*replacements):
    code = SOLUTION
    for old, new in zip(replacements[::2], replacements[1::2]):
        assert old in code, old
        code = code.replace(old, new)
    return define(code, "seconds_unavailable")


def counted_by_requests(failed_time: str):
    """An answer that adds up something per failed request instead of the time between sendings."""
    return define(f"""def seconds_unavailable(results, deadline, end):
    total = 0.0
    for i, (sent, took, status) in enumerate(results):
        if not (status is not None and status < 500 and took <= deadline):
            total += {failed_time}
    return total
""", "seconds_unavailable")


def test_seconds_unavailable_the_stub_is_reported_unfinished():
    assert unavailable.check(stub(LESSON, "seconds_unavailable")).kind == "unfinished"


def test_seconds_unavailable_the_solution_passes_on_every_recording_and_a_real_restart():
    feedback = unavailable.check(solution(LESSON, "seconds_unavailable"))
    assert feedback.ok, feedback.message
    assert "On a catalog restarted under traffic in this check" in feedback.message


def test_the_seconds_unavailable_check_stops_the_catalog_it_restarted_even_when_the_answer_raises():
    from shipyard import services
    unavailable.check(solution(LESSON, "seconds_unavailable"))
    raising_on_real_data = define("""def seconds_unavailable(results, deadline, end):
    if len(results) > 10:
        raise ValueError("too many")
    unavailable, down_since = 0.0, None
    for sent, took, status in results:
        ok = status is not None and status < 500 and took <= deadline
        if not ok and down_since is None:
            down_since = sent
        elif ok and down_since is not None:
            unavailable, down_since = unavailable + sent - down_since, None
    return unavailable + (end - down_since if down_since is not None else 0)
""", "seconds_unavailable")
    feedback = unavailable.check(raising_on_real_data)
    assert feedback.kind == "wrong" and "raised ValueError: too many" in feedback.message
    assert not [child for child in services.running() if child.name == "catalog-restarted-by-check"]


# -- no answer is a failure
def test_an_answer_that_calls_no_answer_a_success_is_caught():
    feedback = unavailable.check(variant(OK, "ok = status is None or (status < 500 and took <= deadline)"))
    assert feedback.kind == "wrong" and "refused at 0.20 s" in feedback.message and "None means no answer" in feedback.message


def test_an_answer_that_compares_none_with_a_number_is_told_to_test_for_none_first():
    feedback = unavailable.check(variant(OK, "ok = status < 500 and took <= deadline"))
    assert feedback.kind == "wrong" and "raised TypeError" in feedback.message and "`status is None`" in feedback.message


# -- a 5xx is a failure
def test_an_answer_that_fails_only_requests_without_an_answer_is_caught_on_a_503():
    feedback = unavailable.check(variant(OK, "ok = status is not None and took <= deadline"))
    assert feedback.kind == "wrong" and "a 503 answered at once" in feedback.message and "A 5xx" in feedback.message


def test_an_answer_that_fails_only_a_500_is_caught_on_a_503():
    feedback = unavailable.check(variant("status < 500", "status != 500"))
    assert feedback.kind == "wrong" and "a 503 answered at once" in feedback.message


# -- a 4xx is an answer
def test_an_answer_that_fails_everything_but_200_is_told_a_404_is_an_answer():
    feedback = unavailable.check(variant("status < 500", "status == 200"))
    assert feedback.kind == "wrong" and "a 404 answered at once" in feedback.message and "A 4xx is an answer" in feedback.message


def test_an_answer_that_fails_everything_but_2xx_is_told_a_404_is_an_answer():
    feedback = unavailable.check(variant("status < 500", "200 <= status < 300"))
    assert feedback.kind == "wrong" and "a 404 answered at once" in feedback.message


# -- an answer after the deadline is a failure; the deadline is the one given
def test_an_answer_that_ignores_how_long_a_request_took_is_caught_on_a_late_200():
    feedback = unavailable.check(variant(" and took <= deadline", ""))
    assert feedback.kind == "wrong" and "a 200 that took 0.45 s" in feedback.message and "Compare `took`" in feedback.message


def test_an_answer_with_a_deadline_of_its_own_is_caught_on_a_late_200():
    feedback = unavailable.check(variant("took <= deadline", "took < 0.5"))
    assert feedback.kind == "wrong" and "a 200 that took 0.45 s" in feedback.message


def test_an_answer_with_the_lessons_deadline_written_in_is_told_to_use_the_one_given():
    feedback = unavailable.check(variant("took <= deadline", "took <= 0.3"))
    assert feedback.kind == "wrong" and "deadline of 1 s" in feedback.message and "not 0.3" in feedback.message


# -- unavailable from a failed sending to the next success's sending
def test_an_answer_that_counts_an_interval_per_failed_request_is_caught():
    feedback = unavailable.check(counted_by_requests("results[1][0] - results[0][0]"))
    assert feedback.kind == "wrong" and "refused at 0.20 s" in feedback.message and "returned 0.4; expected 0.3" in feedback.message


def test_an_answer_that_adds_up_the_failed_requests_durations_is_caught():
    feedback = unavailable.check(counted_by_requests("took"))
    assert feedback.kind == "wrong" and "refused at 0.20 s" in feedback.message and "nor for as long as they took" in feedback.message


def test_an_answer_that_ends_an_outage_at_the_last_failure_is_caught():
    last_failure = define("""def seconds_unavailable(results, deadline, end):
    failed = [sent for sent, took, status in results if not (status is not None and status < 500 and took <= deadline)]
    return failed[-1] - failed[0] if failed else 0.0
""", "seconds_unavailable")
    feedback = unavailable.check(last_failure)
    assert feedback.kind == "wrong" and "refused at 0.20 s" in feedback.message


# -- every outage added up
def test_an_answer_from_the_first_failure_to_the_last_recovery_counts_the_good_time_between_and_is_caught():
    span = define("""def seconds_unavailable(results, deadline, end):
    ok = [status is not None and status < 500 and took <= deadline for sent, took, status in results]
    if all(ok):
        return 0.0
    first = next(i for i, good in enumerate(ok) if not good)
    last = max(i for i, good in enumerate(ok) if not good)
    after = next((results[i][0] for i in range(last + 1, len(results)) if ok[i]), end)
    return after - results[first][0]
""", "seconds_unavailable")
    feedback = unavailable.check(span)
    assert feedback.kind == "wrong" and "two outages" in feedback.message and "Add up the outages" in feedback.message


def test_an_answer_that_stops_at_the_first_outage_is_caught():
    feedback = unavailable.check(variant("down_since = None\n", "return unavailable\n"))
    assert feedback.kind == "wrong" and "two outages" in feedback.message


# -- an outage still open at the end lasts until end
def test_an_answer_that_forgets_the_outage_open_at_the_end_is_caught():
    feedback = unavailable.check(variant("unavailable += end - down_since", "pass"))
    assert feedback.kind == "wrong" and "ends while failing" in feedback.message and "until the recording's end" in feedback.message


def test_an_answer_that_ends_the_last_outage_at_the_last_sending_is_caught():
    feedback = unavailable.check(variant("unavailable += end - down_since", "unavailable += results[-1][0] - down_since"))
    assert feedback.kind == "wrong" and "ends while failing" in feedback.message


# -- whatever the answer does, words
def test_seconds_unavailable_calling_sys_exit_gets_words():
    feedback = unavailable.check(define("import sys\ndef seconds_unavailable(results, deadline, end):\n    sys.exit(2)",
                                        "seconds_unavailable"))
    assert feedback.kind == "wrong" and "sys.exit(2)" in feedback.message


def test_seconds_unavailable_that_hangs_is_stopped_with_a_friendly_message():
    feedback = dataclasses.replace(unavailable, seconds=1).check(define(
        "def seconds_unavailable(results, deadline, end):\n    while True:\n        pass", "seconds_unavailable"))
    assert feedback.kind == "wrong" and "did not finish within 1 s" in feedback.message


def test_seconds_unavailable_returning_the_outages_instead_of_their_seconds_is_told_to_return_a_number():
    feedback = unavailable.check(lambda results, deadline, end: [])
    assert feedback.kind == "wrong" and "should return a number of seconds" in feedback.message


# === the lesson's predictions: what each measurement reveals ===================================
@pytest.mark.parametrize("ratio, option", [(0.5, 0), (0.95, 1), (1.1, 1), (1.2, 2), (2.4, 2)])
def test_the_hop_cost_reveal_names_the_option_the_measured_ratio_matches(ratio, option):
    assert l01_monolith.hop_cost.outcome(ratio) == option


@pytest.mark.parametrize("rolled, single, option", [(0.0, 0.44, 1), (0.1, 0.44, 1), (0.3, 0.44, 0), (0.0, 0.0, 0),
                                                    (1.0, 0.44, 2)])
def test_the_roll_reveal_compares_the_rolled_replicas_with_the_one_process(rolled, single, option):
    assert l01_monolith.roll.outcome((rolled, single)) == option


def test_a_roll_prediction_of_as_long_is_called_a_misconception_when_the_replicas_kept_answering():
    roll = dataclasses.replace(l01_monolith.roll)
    roll.commit(0)
    feedback = roll.reveal((0.0, 0.44), "rolled 0.00 s, one process restarted 0.44 s")
    assert feedback.kind == "misconception" and "the other takes the connections" in feedback.message
