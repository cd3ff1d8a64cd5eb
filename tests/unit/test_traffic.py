"""shipyard.traffic counts what a user would call a failure, under load that arrives on a
schedule as users do (open loop), not only when the last answer came back."""
import socket
import threading

import pytest

from shipyard.exercises.fixtures import refusing_url, silent_url
from shipyard.traffic import Record, Traffic, probe, works


def test_a_refused_and_a_hung_request_both_count_as_not_working():
    assert not works(("GET", refusing_url() + "/products", None), timeout=0.2)
    assert not works(("GET", silent_url() + "/products", None), timeout=0.2)


def test_requests_leave_on_schedule_whether_or_not_earlier_ones_were_answered():
    traffic = Traffic({"hung": ("GET", silent_url() + "/", None)}, rate=20, deadline=0.2)
    traffic.during(lambda: None, settle=0.3)
    first, *later = traffic.records
    assert later and later[0].started < first.started + first.seconds  # sent while the first still waited
    assert traffic.failed("hung") == traffic.sent("hung")


def test_a_request_without_an_answer_fails_when_its_deadline_passes():
    traffic = Traffic({"hung": ("GET", silent_url() + "/", None)}, rate=20, deadline=0.05)
    traffic.during(lambda: None, settle=0.2)
    assert traffic.sent("hung") >= 2 and traffic.failed("hung") == traffic.sent("hung")
    assert all(record.seconds >= 0.05 for record in traffic.records)


def test_traffic_sends_one_request_per_interval_and_nothing_after_its_longest_stretch():
    traffic = Traffic({"a": ("GET", refusing_url() + "/", None), "b": ("GET", refusing_url() + "/", None)},
                      rate=20, longest=0.25)
    traffic.during(lambda: None, settle=0.5)  # runs past 0.25 s: sending stopped at 0, 0.05 ... 0.2
    assert traffic.sent("a") == traffic.sent("b") == 5


def test_the_action_window_is_marked_inside_the_traffic():
    traffic = Traffic({"refused": ("GET", refusing_url() + "/", None)}).during(lambda: None, settle=0.1)
    assert 0 < traffic.marks["started"] <= traffic.marks["finished"]


def _traffic_with(*oks: bool, rate: float = 10) -> Traffic:
    traffic = Traffic({"x": ("GET", refusing_url(), None)}, rate=rate)
    traffic.records = [Record("x", k / rate, 0.01, ok) for k, ok in enumerate(oks)]
    return traffic


def test_an_outage_runs_from_the_first_failed_request_to_the_next_that_succeeded():
    traffic = _traffic_with(True, False, False, True, True, False, True)
    assert traffic.outages("x") == [(0.1, 0.3), (0.5, 0.6)]
    assert traffic.unavailable("x") == pytest.approx(0.3)
    assert traffic.failed("x") == 3 and traffic.sent("x") == 7


def test_a_capability_that_never_recovers_is_unavailable_until_one_interval_past_its_last_request():
    traffic = _traffic_with(True, True, False, False)
    assert traffic.outages("x") == [(0.2, pytest.approx(0.4))]


def test_a_capability_that_always_answered_was_never_unavailable():
    traffic = _traffic_with(True, True, True)
    assert traffic.outages("x") == [] and traffic.unavailable("x") == 0


def test_probes_wait_for_hung_requests_together_not_one_after_another():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    held, answers = [], {}

    def accept_three():
        for _ in range(3):
            held.append(listener.accept()[0])  # accepted, never answered: hung

    acceptor = threading.Thread(target=accept_three, daemon=True)
    acceptor.start()
    hung = ("GET", url + "/", None)
    prober = threading.Thread(target=lambda: answers.update(probe({"a": hung, "b": hung, "c": hung}, timeout=30)))
    prober.start()
    acceptor.join(timeout=20)  # one after another, only the first would have connected by now
    open_at_once = len(held)
    for connection in held:
        connection.close()  # each hung request now ends, unanswered
    prober.join()
    listener.close()
    assert open_at_once == 3
    assert answers == {"a": False, "b": False, "c": False}
