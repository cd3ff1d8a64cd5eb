"""A service process and a group of replicas are both an `Instance`: one shape that deploy
strategies, checkers and plots use without asking which kind they have."""
import time

import pytest

from shipyard import services
from shipyard.instances import NOT_ANSWERING, NOT_READY, READY, Instance


@pytest.fixture(params=["one process", "two replicas"])
def instance(request):
    started = services.start("catalog") if request.param == "one process" else services.start_replicas("catalog", 2)
    yield started
    started.stop()


def test_a_process_and_replicas_are_instances_that_answer_ready_and_name_their_processes(instance):
    assert isinstance(instance, Instance)
    assert instance.alive and instance.health() == READY
    assert instance.ids and all(id_.isdigit() for id_ in instance.ids) and instance.url.startswith("http://127.0.0.1:")


def test_a_killed_instance_keeps_its_address_answers_nothing_and_a_restart_serves_it_again(instance):
    url, before = instance.url, instance.ids
    instance.kill()
    assert not instance.alive and instance.health(timeout=0.3) == NOT_ANSWERING
    instance.restart()
    assert instance.url == url and instance.health() == READY and set(instance.ids).isdisjoint(before)


def test_an_instance_that_answers_but_is_not_ready_says_so(tmp_path):
    (tmp_path / "sick.py").write_text(
        "from fastapi import FastAPI, Response\napp = FastAPI()\n"
        "@app.get('/health')\ndef health(response: Response):\n    response.status_code = 503\n    return {}\n")
    sick = services.start("sick:app", app_dir=tmp_path, wait=False)
    try:
        deadline = time.monotonic() + 20
        while (said := sick.health()) == NOT_ANSWERING and time.monotonic() < deadline:
            time.sleep(0.05)
        assert said == NOT_READY
    finally:
        sick.stop()
