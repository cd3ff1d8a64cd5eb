"""shipyard.bus: a real NATS JetStream server per kernel, ended with it."""
import json
import os
import signal
import time

import httpx
import psutil
from ends import gone_within, listening

from shipyard import bus
from shipyard.paths import workdir
from shipyard.runtime import processes
from shipyard.tools.kernels import start_ipc_kernel


def poll(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_broker_listens_on_loopback_on_a_port_it_picked_and_keeps_its_store_in_the_kernels_folder():
    with bus.start() as broker:
        assert broker.url.startswith("nats://127.0.0.1:") and not broker.url.endswith(":4222")
        assert broker.folder.parent == workdir()
        assert (broker.folder / "store" / "jetstream").is_dir()
        assert httpx.get(broker.monitoring_url + "/healthz").json() == {"status": "ok"}


def test_two_brokers_run_side_by_side_as_two_learners_would():
    with bus.start() as first, bus.start() as second:
        assert first.url != second.url and first.folder != second.folder


def test_an_event_stays_in_the_stream_until_a_durable_consumer_takes_it():
    from shop_chassis.events import NatsBus

    with bus.start() as broker:
        publisher = NatsBus(broker.url, "publisher")
        publisher.publish("orders.placed", {"order_id": "o-1"}, msg_id="o-1")
        publisher.publish("orders.placed", {"order_id": "o-1"}, msg_id="o-1")  # a retried publish
        publisher.close()
        assert broker.stream_size("ORDERS") == 1
        got = []
        consumer = NatsBus(broker.url, "consumer")
        consumer.subscribe("orders.placed", "payments", got.append)
        try:
            assert poll(lambda: got == [{"order_id": "o-1"}] and broker.backlog("ORDERS", "payments") == 0)
        finally:
            consumer.close()


def test_stopping_a_broker_ends_the_server_and_frees_its_port():
    broker = bus.start()
    server = psutil.Process(broker.pid).children()[0].pid
    port = int(broker.url.rsplit(":", 1)[1])
    broker.stop()
    assert gone_within([server], 5) and not listening(port)
    assert broker not in processes.running()


def test_a_broker_dies_with_its_kernel_even_when_the_kernel_is_killed_with_sigkill():
    manager, client = start_ipc_kernel()
    try:
        printed = []
        client.execute_interactive(
            "import json, psutil\nfrom shipyard import bus\nbroker = bus.start()\n"
            "print(json.dumps([broker.pid, *[c.pid for c in psutil.Process(broker.pid).children()], broker.url]))",
            output_hook=lambda msg: printed.append(msg["content"].get("text", "")), timeout=60)
        *pids, url = json.loads("".join(printed))
        assert len(pids) == 2 and all(psutil.pid_exists(pid) for pid in pids)  # the tether and nats-server
        os.kill(manager.provisioner.process.pid, signal.SIGKILL)
        assert gone_within(pids, 5), "the broker outlived its killed kernel"
        assert not listening(int(url.rsplit(":", 1)[1]))
    finally:
        client.stop_channels()
        manager.cleanup_resources()

