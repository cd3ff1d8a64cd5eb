"""shipyard.traffic counts what a user would call a failure."""
from shipyard.exercises.fixtures import refusing_url, silent_url
from shipyard.traffic import Traffic, works


def test_a_refused_and_a_hung_request_both_count_as_not_working():
    assert not works(("GET", refusing_url() + "/products", None), timeout=0.2)
    assert not works(("GET", silent_url() + "/products", None), timeout=0.2)


def test_traffic_records_every_request_and_marks_the_action_window():
    traffic = Traffic({"hung": ("GET", silent_url() + "/", None)}, slo=0.05).during(lambda: None, settle=0.2)
    assert traffic.sent("hung") >= 2 and traffic.failed("hung") == traffic.sent("hung")
    assert 0 < traffic.marks["started"] <= traffic.marks["finished"]
    assert all(record.seconds >= 0.05 for record in traffic.records)


def test_probes_wait_for_hung_requests_together_not_one_after_another():
    import time

    from shipyard.traffic import probe

    hung = ("GET", silent_url() + "/", None)
    started = time.monotonic()
    assert probe({"a": hung, "b": hung, "c": hung}, timeout=0.5) == {"a": False, "b": False, "c": False}
    assert time.monotonic() - started < 1.4
