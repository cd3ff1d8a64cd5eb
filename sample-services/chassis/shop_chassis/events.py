"""Events between services, behind one small synchronous interface.

`Bus` is what a service codes against. `NatsBus` is the real one: NATS JetStream, which
keeps every event in a stream until a durable consumer acknowledges it. `InMemoryBus` is
the fake for component tests: the same interface, delivering at once in the caller's thread.

Delivery is at least once: a handler that raises, or a process that dies before the
acknowledgement, gets the event again. So every handler must be idempotent.
"""
import asyncio
import json
import logging
import threading
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger("shop.events")
log.addHandler(logging.NullHandler())  # a library: the service's app decides where logs go

# The shop's streams: each holds the events of one publisher, whoever starts first creates it.
STREAMS = {"ORDERS": ["orders.>"], "PAYMENTS": ["payments.>"]}

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
    """The fake: every event is kept in `published`; subscribers get it before publish returns."""

    def __init__(self):
        self.published: list[tuple[str, dict]] = []
        self._subscribers: list[tuple[str, Handler]] = []
        self._ids: set[str] = set()

    def publish(self, subject: str, event: dict, msg_id: str) -> None:
        if msg_id in self._ids:  # JetStream drops a repeated msg_id the same way
            return
        self._ids.add(msg_id)
        self.published.append((subject, event))
        for pattern, handler in self._subscribers:
            if subject_matches(pattern, subject):
                handler(event)

    def subscribe(self, subject: str, durable: str, handler: Handler) -> None:
        self._subscribers.append((subject, handler))

    def close(self) -> None:
        pass


async def _quiet(error: Exception) -> None:
    # nats-py logs every connection error with a traceback; one line says enough.
    log.warning("broker: %s", error or type(error).__name__)


class NatsBus:
    """The real bus. nats-py is asynchronous; the services are not, so the client lives on
    a private event loop in a thread of its own and the methods wait for it."""

    def __init__(self, url: str, name: str, ack_wait: float = 2.0):
        import nats  # only services that use events need the client installed

        self.ack_wait, self._pumps = ack_wait, []  # the consuming tasks, to stop on close
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name=f"{name}-events", daemon=True).start()
        self._nc = self._wait(nats.connect(
            url, name=name, error_cb=_quiet, connect_timeout=2, reconnect_time_wait=0.2,
            max_reconnect_attempts=-1))
        self._js = self._nc.jetstream()
        for stream, subjects in STREAMS.items():
            self._wait(self._js.add_stream(name=stream, subjects=subjects))

    def _wait(self, coroutine, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def publish(self, subject: str, event: dict, msg_id: str) -> None:
        payload = json.dumps(event).encode()
        try:
            self._wait(self._js.publish(subject, payload, headers={"Nats-Msg-Id": msg_id}, timeout=2))
        except Exception as error:
            raise BusUnavailable(f"the broker did not store {subject}: {error!r}") from error

    def subscribe(self, subject: str, durable: str, handler: Handler) -> None:
        from nats.js.api import ConsumerConfig

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

