"""One contract, two buses: the fake the component tests use (`InMemoryBus`) and the real
one (`NatsBus` on a real NATS JetStream server) pass the same tests, so a component test
that passes with the fake is not passing because the fake is kinder than the broker.

Each test is written once against `Bus`'s methods only. What differs is time: the real bus
delivers on a thread of its own, so every expectation is awaited with a deadline, and
"nothing more will come" is read from the broker (nothing left unacknowledged)."""
import itertools
import time

import pytest
from shop_chassis.events import InMemoryBus, NatsBus

from shipyard import bus as broker_module

_unique = itertools.count()


def poll(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class Fake:
    """The fake: one object is publisher and consumer; everything happens before publish returns."""

    def __init__(self):
        self.publisher = self.consumer = InMemoryBus()

    def reconnect(self):
        return self.consumer  # the same durable name is the same consumer

    def settled(self, subject: str, durable: str) -> bool:
        return not self.consumer.unacknowledged

    def close(self):
        pass


class Nats:
    """The real bus: a publisher and a consumer, two clients of one broker, as two services are."""

    def __init__(self, broker):
        self.broker = broker
        self.publisher, self.consumer = NatsBus(broker.url, "publisher"), NatsBus(broker.url, "consumer")
        self._clients = [self.publisher, self.consumer]

    def reconnect(self):
        self._clients.remove(self.consumer)
        self.consumer.close()  # the service stops; its durable consumer stays on the broker
        self.consumer = NatsBus(self.broker.url, "consumer-again")
        self._clients.append(self.consumer)
        return self.consumer

    def settled(self, subject: str, durable: str) -> bool:
        return self.broker.backlog(subject.split(".")[0].upper(), durable) == 0

    def close(self):
        for client in self._clients:
            client.close()


@pytest.fixture(scope="module")
def broker():  # one server; each test has a stream of its own on it
    with broker_module.start() as running:
        yield running


@pytest.fixture(params=["in-memory", "nats"])
def buses(request):
    made = Fake() if request.param == "in-memory" else Nats(request.getfixturevalue("broker"))
    yield made
    made.close()


@pytest.fixture
def subject():
    return f"t{next(_unique)}.placed"  # a stream of its own per test: T0, T1, ...


def test_a_subscriber_gets_each_event_as_json_would_carry_it(buses, subject):
    got = []
    buses.consumer.subscribe(subject, "reader", got.append)
    buses.publisher.publish(subject, {"order_id": "o-1", "items": ("a", "b")}, msg_id="m-1")
    assert poll(lambda: got == [{"order_id": "o-1", "items": ["a", "b"]}])


def test_an_event_published_before_anyone_subscribed_is_kept_for_a_new_durable_consumer(buses, subject):
    buses.publisher.publish(subject, {"n": 1}, msg_id="m-1")
    got = []
    buses.consumer.subscribe(subject, "late", got.append)
    assert poll(lambda: got == [{"n": 1}])


def test_a_retried_publish_with_the_same_message_id_is_delivered_once(buses, subject):
    got = []
    buses.consumer.subscribe(subject, "reader", got.append)
    for msg_id in ("m-1", "m-1", "m-2"):
        buses.publisher.publish(subject, {"id": msg_id}, msg_id=msg_id)
    assert poll(lambda: {"id": "m-2"} in got and buses.settled(subject, "reader"))
    assert got == [{"id": "m-1"}, {"id": "m-2"}]


def test_a_handler_raising_value_error_drops_the_event_and_the_consumer_goes_on(buses, subject):
    seen = []

    def handler(event):
        seen.append(event)
        if event["bad"]:
            raise ValueError("not an order")

    buses.consumer.subscribe(subject, "reader", handler)
    buses.publisher.publish(subject, {"bad": True}, msg_id="m-1")  # the publisher is not told
    buses.publisher.publish(subject, {"bad": False}, msg_id="m-2")
    assert poll(lambda: {"bad": False} in seen and buses.settled(subject, "reader"))
    assert seen == [{"bad": True}, {"bad": False}]


def test_a_handler_raising_any_other_error_gets_the_event_again_until_it_succeeds(buses, subject):
    deliveries = []

    def handler(event):
        deliveries.append(event)
        if len(deliveries) < 3:
            raise RuntimeError("the database is locked")

    buses.consumer.subscribe(subject, "reader", handler)
    buses.publisher.publish(subject, {"n": 1}, msg_id="m-1")  # the publisher is not told either
    assert poll(lambda: len(deliveries) == 3 and buses.settled(subject, "reader"))
    assert deliveries == [{"n": 1}] * 3


def test_a_durable_consumer_resumes_where_it_left_off(buses, subject):
    first, second = [], []
    buses.consumer.subscribe(subject, "reader", first.append)
    buses.publisher.publish(subject, {"n": 1}, msg_id="m-1")
    assert poll(lambda: first == [{"n": 1}] and buses.settled(subject, "reader"))
    consumer = buses.reconnect()  # the service restarts
    consumer.subscribe(subject, "reader", second.append)
    buses.publisher.publish(subject, {"n": 2}, msg_id="m-2")
    assert poll(lambda: second == [{"n": 2}] and buses.settled(subject, "reader"))
    assert first == [{"n": 1}]


def test_a_subject_whose_first_token_is_a_wildcard_names_no_stream_and_is_refused(buses):
    with pytest.raises(ValueError, match="names its stream"):
        buses.publisher.publish("*.placed", {}, msg_id="m-1")
    with pytest.raises(ValueError, match="names its stream"):
        buses.consumer.subscribe(">", "everything", print)


def test_an_event_that_is_not_json_is_refused_before_it_is_sent(buses, subject):
    with pytest.raises(TypeError):
        buses.publisher.publish(subject, {"when": time}, msg_id="m-1")
