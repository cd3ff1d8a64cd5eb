"""Every push to main ends in production by itself: a good commit through the canary to all
the traffic, a bad one rolled back with the run red; DORA's keys read from that history."""
import time

import pytest

from shipyard import ci
from shipyard.deploy import dora, examples, history, start
from shipyard.deploy import pipeline as deployment
from shipyard.traffic import Traffic


@pytest.fixture(scope="module")
def pushed():
    """Three pushes under traffic: the first payments, receipts, receipts that check themselves."""
    cd, server = start(), ci.start()
    try:
        cd.connect(server)
        ana = examples.repository(server)
        ana.write(".github/workflows/deployment.yml", deployment.WORKFLOW)
        runs, began = [], time.time()
        for change, message in ((None, "Payments, deployed continuously"), (examples.receipts, "Receipts"),
                                (examples.receipts_check_themselves, "Receipts check themselves")):
            if change:
                change(ana)
            ana.commit(message)
            Traffic(examples.customers(cd.router.url), rate=25).during(lambda: runs.append(server.wait(ana.push())))
        yield cd, ana, runs, began
    finally:
        cd.stop()
        server.stop()


def test_a_green_push_reaches_all_of_productions_traffic_with_no_one_approving(pushed):
    cd, ana, runs, _ = pushed
    assert [run.status for run in runs[:2]] == ["success", "success"]
    good = cd.log.ready()[1]
    assert cd.log.has("promoted", good, environment="production") and not cd.log.has("approved", good)
    full = [e for e in cd.log.entries(good) if e["event"] == "weights set"][-1]
    assert full["weights"][full["backend"]] == 100


def test_a_bad_push_is_rolled_back_by_itself_and_its_run_is_red(pushed):
    cd, ana, runs, _ = pushed
    assert runs[2].status == "failure" and "was rolled back" in runs[2].jobs[-1].steps[-1].log
    assert cd.production.release == cd.log.ready()[1]  # the good release serves again


def test_dora_keys_are_read_from_the_runs_own_history(pushed):
    cd, ana, _, began = pushed
    found = history.deployments(cd.log, ana.path)
    assert [d.failed for d in found] == [False, False, True]
    assert [len(d.commits) for d in found] == [1, 1, 0]  # each good deploy shipped its one new commit
    keys = dora.keys(found, time.time() - began)
    assert keys.change_failure_rate == pytest.approx(1 / 3) and 0 < keys.time_to_restore < 10
    assert 0 < keys.lead_time < 60
