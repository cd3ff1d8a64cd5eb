"""shipyard.services.Replicas: several processes of one service behind one address, as a
pre-fork server's workers are, replaced one at a time."""
import httpx
import pytest
from ends import gone_within, listening

from shipyard import services


def test_replicas_are_separate_processes_behind_one_address_and_each_also_has_its_own():
    catalog = services.start_replicas("catalog", 2)
    own = [member.url for member in catalog.members]
    assert len(set(catalog.pids)) == 2 and catalog.url not in own and len(set(own)) == 2
    assert all(httpx.get(url + "/health").status_code == 200 for url in [catalog.url, *own])


def test_replicas_share_one_database():
    catalog = services.start_replicas("catalog", 2)
    first, second = catalog.members
    httpx.post(first.url + "/products/mouse/reserve", json={"quantity": 5})
    assert httpx.get(second.url + "/products/mouse").json()["stock"] == 10000 - 5


def test_with_one_replica_crashed_the_others_still_serve_the_address():
    catalog = services.start_replicas("catalog", 2)
    catalog.members[0].kill()
    assert catalog.alive
    assert all(httpx.get(catalog.url + "/products").status_code == 200 for _ in range(10))


def test_a_rolling_restart_replaces_every_process_one_at_a_time_with_the_new_configuration():
    payments = services.start_replicas("payments", 2)
    old_pids, answered_meanwhile = payments.pids, []
    for member in payments.members:  # record who serves while each one is being replaced
        restart = member.restart

        def spied(env=None, timeout=20, me=member, restart=restart):
            others = [m for m in payments.members if m is not me]
            answered_meanwhile.append(all(httpx.get(m.url + "/health").status_code == 200 for m in others))
            return restart(env, timeout)

        member.restart = spied
    payments.restart({"PAYMENTS_LIMIT_CENTS": "100"})
    assert answered_meanwhile == [True, True]
    assert not set(old_pids) & set(payments.pids)
    for url in [payments.url, *(member.url for member in payments.members)]:
        charge = httpx.post(url + "/payments", json={"order_id": f"o-{url[-5:]}", "amount_cents": 200})
        assert charge.json()["status"] == "declined"


def test_stopping_the_replicas_ends_every_process_and_frees_the_shared_port():
    catalog = services.start_replicas("catalog", 2)
    pids, port = catalog.pids, catalog.port
    catalog.stop()
    assert gone_within(pids, 2) and not listening(port)
    assert services.running() == []


def test_stop_all_frees_the_shared_port_of_replicas_too():
    catalog = services.start_replicas("catalog", 2)
    services.stop_all()
    assert not listening(catalog.port) and not catalog.alive


def test_replicas_that_cannot_start_fail_with_the_log_and_leave_no_process_behind(tmp_path):
    (tmp_path / "broken.py").write_text("import no_such_module\n")
    with pytest.raises(services.ServiceFailed, match="No module named 'no_such_module'"):
        services.start_replicas("broken:app", 2, app_dir=tmp_path)
    assert services.running() == []


def test_replicas_of_an_unknown_service_or_of_none_are_clear_errors():
    with pytest.raises(ValueError, match="no service called 'inventory'"):
        services.start_replicas("inventory")
    with pytest.raises(ValueError, match="at least one process"):
        services.Replicas("catalog", services.SHOP["catalog"], count=0)
