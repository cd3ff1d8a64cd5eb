"""Events between services, behind one small synchronous interface.

`Bus` is what a service codes against. `NatsBus` is the real one: NATS JetStream, which
keeps every event in a stream and remembers each durable consumer's place in it. `InMemoryBus` is
the fake for component tests: the same interface and the same delivery rules, delivering
at once in the caller's thread.

Delivery is at least once: a handler that raises, or a process that dies before the
acknowledgement, gets the event again. So every handler must be idempotent.

The chassis knows no service's subjects. It knows one naming rule: the first token of a
subject names the stream that keeps it (`orders.placed` is kept in the stream ORDERS,
which holds `orders.>`). A stream is created the first time a service publishes to it or
subscribes to it, whichever comes first.
"""
import asyncio
import json
import logging
import threading
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger("shop.events")
log.addHandler(logging.NullHandler())  # a library: the service's app decides where logs go


def stream_for(subject: str) -> tuple[str, list[str]]:
    """The stream that keeps `subject`, and the subjects it holds: `orders.placed` ->
    ("ORDERS", ["orders.>"]). A subject whose first token is a wildcard names no stream."""
    first = subject.split(".", 1)[0]
    if first in ("*", ">", ""):
        raise ValueError(f"{subject!r}: the first token of a subject names its stream; it cannot be a wildcard")
    return first.upper().replace("-", "_"), [f"{first}.>"]


Handler = Callable[[dict], None]


class BusUnavailable(Exception):
    """The broker did not take the event."""


class Bus(Protocol):
    def publish(self, subject: str, event: dict, msg_id: str) -> None:
        """Hand `event` to the broker; return once it is stored. `msg_id` makes a retried
        publish of the same event a no-op."""

    def subscribe(self, subject: str, durable: str, handler: Handler) -> None:
        """Call `handler(event)` for every event on `subject` (wildcards allowed), as the
        durable consumer `durable`: it resumes where it left off after a restart. A handler
        raising ValueError marks a bad event (dropped, logged); any other error retries it."""

    def close(self) -> None: ...


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS wildcards: `*` is one token, `>` the rest."""
    want, have = pattern.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(have) > i
        if i >= len(have) or token not in ("*", have[i]):
            return False
    return len(want) == len(have)


class InMemoryBus:
    """The fake, keeping the `Bus` contract in memory: every event is kept in `published`
    (as a consumer would get it: through JSON). A durable consumer gets every matching event
    kept so far when it subscribes, and each new one before `publish` returns. A handler
    raising ValueError drops the event (kept in `dropped`); any other error delivers it
    again, at once. NATS redelivers without end; the fake stops after `max_deliveries` so a
    test cannot hang, and keeps the event in `unacknowledged`."""

    def __init__(self, max_deliveries: int = 5):
        self.max_deliveries = max_deliveries
        self.published: list[tuple[str, dict]] = []
        self.dropped: list[tuple[str, dict, str]] = []  # subject, event, durable
        self.unacknowledged: list[tuple[str, dict, str]] = []
        self._consumers: dict[str, list] = {}  # durable -> [pattern, handler, events seen]
        self._ids: set[str] = set()
        # One delivery at a time, as a consumer's pump does; re-entrant, for handlers that publish.
        self._lock = threading.RLock()

    def publish(self, subject: str, event: dict, msg_id: str) -> None:
        stream_for(subject)  # a subject the real bus could not keep is refused here too
        payload = json.dumps(event)  # what is not JSON fails here, as it does on the real bus
        with self._lock:
            if msg_id in self._ids:  # JetStream drops a repeated msg_id the same way
                return
            self._ids.add(msg_id)
            self.published.append((subject, json.loads(payload)))
            self._catch_up()

    def subscribe(self, subject: str, durable: str, handler: Handler) -> None:
        stream_for(subject)
        with self._lock:
            position = self._consumers.get(durable, [None, None, 0])[2]  # a durable resumes where it left off
            self._consumers[durable] = [subject, handler, position]
            self._catch_up()

    def _catch_up(self) -> None:
        # Handlers may publish: delivering in order, one event at a time, per consumer.
        for durable, consumer in list(self._consumers.items()):
            while consumer[2] < len(self.published):
                subject, event = self.published[consumer[2]]
                consumer[2] += 1
                if subject_matches(consumer[0], subject):
                    self._deliver(subject, event, durable, consumer[1])

    def _deliver(self, subject: str, event: dict, durable: str, handler: Handler) -> None:
        for delivery in range(1, self.max_deliveries + 1):
            if delivery > 1:
                log.info("%s: %s delivered again (delivery %d)", durable, subject, delivery)
            try:
                handler(json.loads(json.dumps(event)))  # a copy: a handler cannot change what is kept
            except ValueError as error:
                log.error("%s: dropped a bad event on %s: %s", durable, subject, error)
                self.dropped.append((subject, event, durable))
                return
            except Exception as error:
                log.warning("%s: %s failed (%r), it will come again", durable, subject, error)
            else:
                return
        self.unacknowledged.append((subject, event, durable))

    def close(self) -> None:
        pass


async def _quiet(error: Exception) -> None:
    # nats-py logs every connection error with a traceback; one line says enough.
    log.warning("broker: %s", error or type(error).__name__)


class NatsBus:
    """The real bus. nats-py is asynchronous; the services are not, so the client lives on
    a private event loop in a thread of its own and the methods wait for it."""

    def __init__(self, url: str, name: str, ack_wait: float = 1.0):
        import nats  # only services that use events need the client installed

        self.ack_wait, self._pumps = ack_wait, []  # the consuming tasks, to stop on close
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name=f"{name}-events", daemon=True).start()
        self._nc = self._wait(nats.connect(
            url, name=name, error_cb=_quiet, connect_timeout=2, reconnect_time_wait=0.2,
            max_reconnect_attempts=-1))
        self._js = self._nc.jetstream()
        self._streams: set[str] = set()  # the streams this client has made sure of

    def _ensure_stream(self, subject: str, timeout: float = 10) -> None:
        name, subjects = stream_for(subject)
        if name not in self._streams:  # idempotent on the broker: whoever comes first creates it
            self._wait(self._js.add_stream(name=name, subjects=subjects), timeout)
            self._streams.add(name)

    def _wait(self, coroutine, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def publish(self, subject: str, event: dict, msg_id: str) -> None:
        stream_for(subject)  # ValueError: a subject no stream could keep
        payload = json.dumps(event).encode()
        try:
            self._ensure_stream(subject, timeout=2)
            self._wait(self._js.publish(subject, payload, headers={"Nats-Msg-Id": msg_id}, timeout=2))
        except Exception as error:
            raise BusUnavailable(f"the broker did not store {subject}: {error!r}") from error

    def subscribe(self, subject: str, durable: str, handler: Handler) -> None:
        from nats.js.api import ConsumerConfig

        self._ensure_stream(subject)
        config = ConsumerConfig(ack_wait=self.ack_wait, max_ack_pending=1000)
        subscription = self._wait(self._js.pull_subscribe(subject, durable=durable, config=config))
        self._wait(self._start(self._pump(subscription, handler, durable)))

    async def _start(self, coroutine) -> None:
        self._pumps.append(asyncio.create_task(coroutine))

    async def _pump(self, subscription, handler: Handler, durable: str) -> None:
        import nats.errors

        while not self._nc.is_closed:
            try:
                messages = await subscription.fetch(batch=100, timeout=1)
            except nats.errors.TimeoutError:
                continue  # nothing waiting
            except Exception as error:  # broker gone for a moment: the client reconnects
                log.warning("%s: fetch failed (%s), retrying", durable, type(error).__name__)
                await asyncio.sleep(0.2)
                continue
            for message in messages:
                await self._deliver(message, handler, durable)

    async def _deliver(self, message, handler: Handler, durable: str) -> None:
        if message.metadata.num_delivered > 1:
            log.info("%s: %s delivered again (delivery %d)", durable, message.subject, message.metadata.num_delivered)
        try:
            # The handler blocks (SQLite, HTTP): run it off the loop, which stays free to
            # carry the handler's own publishes.
            await asyncio.to_thread(handler, json.loads(message.data))
        except ValueError as error:  # includes bad JSON and pydantic's ValidationError
            log.error("%s: dropped a bad event on %s: %s", durable, message.subject, error)
            await message.term()
        except Exception as error:
            log.warning("%s: %s failed (%r), it will come again", durable, message.subject, error)
            await message.nak(delay=0.1)
        else:
            await message.ack()

    async def _shutdown(self) -> None:
        for pump in self._pumps:
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        await self._nc.close()

    def close(self) -> None:
        try:
            self._wait(self._shutdown(), timeout=3)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)

