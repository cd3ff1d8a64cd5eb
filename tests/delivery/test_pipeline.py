"""The delivery workflow on the CI server: a green push leaves one release in the index and
that very file running in staging; a red one publishes nothing."""
import textwrap

import httpx
import pytest

from shipyard import ci, delivery
from shipyard.ci import act
from shipyard.delivery.pipeline import delivery_repository


@pytest.fixture
def shop():
    started = delivery.start()
    server = ci.start()
    started.connect(server)
    yield started, server
    server.stop()
    started.stop()


def test_a_green_push_publishes_one_wheel_and_staging_runs_its_hash_while_production_waits(shop):
    deliver, server = shop
    ana = delivery_repository(server.clone("ana"))
    ana.commit("payments with its delivery pipeline")
    run = server.wait(ana.push(), 120)
    assert run.status == "success", run.error or [(s.name, s.log) for j in run.jobs for s in j.steps]
    (digest,) = deliver.index.files().values()
    assert deliver.staging.sha256 == digest and deliver.staging.release.commit == ana.sha()
    assert deliver.production.instance is None
    assert [r.sha256 for r in deliver.log.ready()] == [digest]


def test_a_failing_test_makes_the_run_red_and_nothing_is_published_or_deployed(shop):
    deliver, server = shop
    ana = delivery_repository(server.clone("ana"))
    ana.write("payments/tests/unit/test_broken.py", "def test_broken():\n    assert False\n")
    ana.commit("a change that breaks a test")
    run = server.wait(ana.push(), 120)
    assert run.status == "failure"
    assert deliver.index.files() == {} and deliver.staging.instance is None and deliver.log.entries() == []


@pytest.mark.skipif(not act.isolation(), reason="runs share this machine's network where namespaces are not allowed")
def test_a_run_reaches_the_exposed_services_and_no_other_port_of_the_kernel(shop):
    _, server = shop
    other = delivery.start_index()  # a service of this kernel that was not exposed
    try:
        ana = server.clone("ana")
        ana.write(".github/workflows/probe.yml", textwrap.dedent(f"""
            on: push
            jobs:
              probe:
                runs-on: ubuntu-latest
                steps:
                  - run: python -c "import urllib.request; urllib.request.urlopen('${{{{ vars.INDEX_URL }}}}/simple/')"
                  - run: python -c "import urllib.request; urllib.request.urlopen('{other.url}/simple/', timeout=2)"
            """))
        ana.commit("probe")
        run = server.wait(ana.push(), 60)
        assert [s.status for s in run.jobs[0].steps] == ["success", "failure"]
    finally:
        other.stop()


@pytest.mark.parametrize("path, body, status, says", [
    ("/environments/qa/deployments", {}, 404, "no environment 'qa'"),
    ("/somewhere", {}, 404, "no such endpoint"),
    ("/environments/staging/deployments", {"version": "1"}, 400, "not a release record"),
    ("/environments/staging/smoke-tests", {}, 409, "nothing runs in staging"),
])
def test_the_deploy_api_answers_bad_requests_with_a_json_message(shop, path, body, status, says):
    deliver, _ = shop
    answer = httpx.post(deliver.api.url + path, json=body)
    assert answer.status_code == status and says in answer.json()["message"]


def test_the_deploy_api_refuses_a_body_that_is_not_json(shop):
    deliver, _ = shop
    answer = httpx.post(deliver.api.url + "/environments/staging/deployments", content=b"{ nope")
    assert answer.status_code == 400 and "not JSON" in answer.json()["message"]


def test_production_through_the_api_refuses_what_was_not_approved(shop):
    deliver, server = shop
    ana = delivery_repository(server.clone("ana"))
    ana.commit("payments with its delivery pipeline")
    assert server.wait(ana.push(), 120).status == "success"
    record = deliver.log.entries()[-1]  # the staged release
    answer = httpx.post(deliver.api.url + "/environments/production/deployments", json=record)
    assert answer.status_code == 409 and "is not approved" in answer.json()["message"]
    assert deliver.production.instance is None
