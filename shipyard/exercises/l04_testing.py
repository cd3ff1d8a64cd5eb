"""Lesson 04's tasks and challenges.

Tasks, rising in difficulty: `cheapest_level` (which level of test is the cheapest that can
catch each of five bugs, every wrong level explained from the lesson's measured costs),
`orders_placed_ok` (a validator for the `orders.placed` message contract, run against events
real orders publishes and against the near misses producers write) and `payments_contract`.
Challenges (never graded): `startup`, `base`, `fake_rules`, `first_to_catch`, each a
misconception the lesson's own run refutes.

Task `payments_contract`: the learner writes orders' consumer test for payments, a Pact
interaction and orders' real client run against Pact's mock. The checker watches the mock
(was it called? with what the interaction describes?), runs orders' real client against the
interaction with orders of its own, then verifies the pact against real payments processes:
as it is, with a card limit that declines every charge, and with `status` renamed. A good
contract passes the first two and fails the third.
"""
import json
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from shipyard import contracts, services
from shipyard.exercises.challenges import Choice, Option, Prediction
from shipyard.exercises.matching import check_matching
from shipyard.exercises.task import Task, Wrong
from shipyard.paths import workdir

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")

# --- payments_contract ---------------------------------------------------------------------
# Charges the checker makes with orders' real client: each order has its own id and amount.
CHARGES = [("0123456789ab", 1900), ("fedcba987654", 4250)]
WHAT_ORDERS_SENDS = ("orders sends POST /payments with a JSON body of `order_id` (a string) and `amount_cents` "
                     "(an integer), and reads `status` from a 200 answer")


class _Watched:
    """Every mock the answer starts through `pact.serve`: what each was sent, and each stopped
    by the check even if the answer never left its `with` block."""

    def __init__(self, pact):
        from pact.pact import PactServer

        self.servers, self.seen = [], []
        watched = self

        class Server(PactServer):
            def __exit__(self, *exc):
                if self._handle:
                    watched.seen.append(list(self.mismatches))
                try:  # what the answer raised (sys.exit, a time limit) goes on, not Pact's mismatches
                    return None if exc[0] else super().__exit__(*exc)
                finally:
                    self._handle = None  # the mock server stops when its handle goes

        def serve(addr="127.0.0.1", port=0, transport="http", transport_config=None, *, raises=True,
                  verbose=True):
            # The course binds 127.0.0.1 only; the answer uses `mock.url`, so the address is its own.
            server = Server(pact._handle, "127.0.0.1", port, transport, transport_config, raises=raises,
                            verbose=False)
            watched.servers.append(server)
            return server

        pact.serve = serve

    def stop(self):
        for server in self.servers:
            if server._handle:  # entered, never left: what it saw, then stopped
                self.seen.append(list(server.mismatches))
            server._handle = None


def _said(mismatches) -> str:
    return "; ".join(" ".join(str(m).split()) for m in mismatches)[:400]


def _unexpected(mismatches) -> list:
    return [m for m in mismatches if type(m).__name__ != "MissingRequest"]


def _new_pact():
    from pact import Pact

    return Pact("orders", "payments").with_specification("V4")


def _run_consumer_test(payments_contract):
    """The answer's own consumer test, its mocks watched. Returns the pact it built."""
    from pact.error import MismatchesError

    pact = _new_pact()
    watched = _Watched(pact)
    raised = None
    try:
        payments_contract(pact)
    except MismatchesError as error:
        watched.seen.append(list(error.mismatches))
    except (Wrong, NotImplementedError):
        raise
    except Exception as error:  # said below, after what the mock saw, which usually explains it
        raised = error
    finally:
        watched.stop()
    for mismatches in watched.seen:
        if _unexpected(mismatches):
            raise Wrong("In your consumer test, the mock got a request your interaction does not describe "
                        f"({_said(_unexpected(mismatches))}). {WHAT_ORDERS_SENDS}.")
    if isinstance(raised, AssertionError):
        raise Wrong(f"Your consumer test's own assertion failed ({raised or 'assert'}): check what orders' "
                    "client returned against your mock.")
    if raised is not None:
        said = f"Your consumer test raised {type(raised).__name__}: {raised}".rstrip(": ")
        if watched.servers:  # orders' client met the mock's answer: the interaction's example
            said += (f". Against the mock, orders' payments client gets your interaction's example answer; "
                     f"{WHAT_ORDERS_SENDS}")
        raise Wrong(said + ".")
    if not any(True for _ in pact.interactions("All")):
        raise Wrong("Your contract has no interactions: add one with `pact.upon_receiving(...)`.")
    if not watched.servers:
        raise Wrong("Your consumer test never started Pact's mock: run orders' client against it, in "
                    "`with pact.serve() as mock:`. A pact no client was run against records a request "
                    "nobody has shown orders sends.")
    if any(watched.seen):
        raise Wrong("Your consumer test never called the mock: it was still waiting for the request your "
                    "interaction describes when the test ended. Call orders' client with `mock.url` "
                    "inside the `with` block; otherwise the pact records a request nobody has shown "
                    "orders sends.")
    return pact


def _orders_client_against(pact) -> None:
    """orders' real payments client, against the answer's interaction, for orders of the check's own."""
    import httpx

    client = contracts.orders_clients().PaymentsClient
    with pact.serve(addr="127.0.0.1", raises=False, verbose=False) as mock:
        for order_id, amount in CHARGES:
            try:
                status = client(httpx.Client(timeout=2), str(mock.url)).charge(order_id, amount)
            except Exception as error:
                error = f"{type(error).__name__}: {error}"
                break
            if status not in ("paid", "declined"):
                error = f"it read the status {status!r}"
                break
        else:
            return
        mismatches = mock.mismatches
    pinned = [m for m in _unexpected(mismatches) if "to be equal to" in str(m)]
    if pinned:
        raise Wrong(f"orders' client, charging order {order_id!r} for {amount} cents against your contract's "
                    f"mock, was refused: your interaction pins example values ({_said(pinned)}). Every order "
                    "has its own id and amount: match their type (`match.str`, `match.int`), not an example.")
    if _unexpected(mismatches):
        raise Wrong(f"orders' payments client, run against your contract's mock, sent a request your interaction "
                    f"does not describe ({_said(_unexpected(mismatches))}). {WHAT_ORDERS_SENDS}.")
    raise Wrong(f"orders' payments client, run against your contract's mock, failed ({error}). "
                f"{WHAT_ORDERS_SENDS}: a 200 answer whose JSON body has `status`, 'paid' or 'declined'.")


@contextmanager
def _payments(env=None, changed=False):
    if changed:
        try:
            service = contracts.start_changed("payments")
        except contracts.ChangeDidNotApply as error:  # the course's fault, not the learner's: say so
            raise Wrong(f"The check could not finish, and not because of your contract: {error}. "
                        "This is a bug in the course; please report it.") from None
    else:
        service = services.start("payments", env, label="payments-for-checks")
    with service:
        yield service


def _check_payments_contract(payments_contract) -> str:
    if not callable(payments_contract):
        raise Wrong("`payments_contract` should be a function: `def payments_contract(pact): ...`")
    pact = _run_consumer_test(payments_contract)
    _orders_client_against(pact)
    folder = Path(tempfile.mkdtemp(dir=workdir()))
    pact.write_file(folder)
    pact_file = folder / "orders-payments.json"
    with _payments() as real:
        today = contracts.verify("payments", real.url, pact_file)
    if not today.ok:
        raise Wrong("Your contract fails against today's payments, which orders works with: it asks for more "
                    f"than orders needs. The verifier says: {_first_failure(today.output)}")
    with _payments({"PAYMENTS_LIMIT_CENTS": "0"}) as declining:
        declines = contracts.verify("payments", declining.url, pact_file)
    if not declines.ok:
        raise Wrong("Your contract fails against a real payments whose card limit declines every charge, and "
                    "orders reads 'declined' as well as 'paid': it pins an example where orders accepts "
                    "either. Match the status by type or by a pattern allowing both. The verifier says: "
                    f"{_first_failure(declines.output)}")
    with _payments(changed=True) as changed:
        after = contracts.verify("payments", changed.url, pact_file)
    if after.ok:
        raise Wrong("Your contract still passes when payments renames `status` to `outcome`, yet orders reads "
                    "`status`: it is too loose. Name `status` as a key of the response body, its value "
                    "matched; a matcher for any key or any value lets it go.")
    return ("Your consumer test ran orders' client against the mock; the contract passes against payments as it "
            "is and as it declines, and fails when `status` is renamed: " + _first_failure(after.output))


def _first_failure(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if "->" in line or "FAILED" in line]
    return lines[-1] if lines else output.strip().splitlines()[-1]


payments_contract = Task(
    name="payments_contract", lesson="04-testing-microservices", checker=_check_payments_contract, seconds=40,
    hints=["A consumer test has three parts: describe the interaction (what orders sends, what it reads back), "
           "run orders' real client against Pact's mock of payments, and check what the client returned.",
           "Describe it as the lesson's catalog example does: `pact.upon_receiving('a charge for an order')"
           ".with_request('POST', '/payments').with_body({...}, 'application/json').will_respond_with(200)"
           ".with_body({...}, 'application/json')`, with `match.str`, `match.int` or `match.regex` for values "
           "that differ from order to order.",
           "The answer's body is `{'status': match.regex('paid', regex='^(paid|declined)$')}`. Then: `with "
           "pact.serve() as mock: status = PaymentsClient(httpx.Client(timeout=2), str(mock.url)).charge('o-1', "
           "1900)` and `assert status == 'paid'`."])


# --- cheapest_level ---------------------------------------------------------------------------
UNIT, COMPONENT, CONTRACT, INTEGRATION = "unit", "component", "contract", "integration"
LEVELS = (UNIT, COMPONENT, CONTRACT, INTEGRATION)
BUGS = {
    "a": "payments marks a charge over its card limit as paid instead of declined.",
    "b": "orders answers 500 instead of 422 when a request's quantity is the text \"two\".",
    "c": "the catalog renames `price_cents` to `price` in its answers; orders still reads `price_cents`.",
    "d": "orders starts writing the amount of each `orders.placed` as text, \"19.00\"; payments reads an integer.",
    "e": "orders is deployed with the address of another NATS server than payments': each passes all its own "
         "tests, and every order on the events path stays pending.",
}
# The cheapest level that can catch each bug, and why each other level is wrong, from lesson 04's run.
CHEAPEST = {
    "a": (UNIT, {
        COMPONENT: "it would catch it, through HTTP, at tens of milliseconds a test (4.7); the limit is a rule of "
                   "payments' domain, which a unit test calls directly, in a few milliseconds at most.",
        CONTRACT: "a contract checks the shape of what crosses between services: 'paid' and 'declined' are both "
                  "strings the pact allows, so the wrong one passes it.",
        INTEGRATION: "it would catch it, after starting three services, at seconds a test (4.6, 4.7): the most "
                     "expensive way to test one rule of one service."}),
    "b": (COMPONENT, {
        UNIT: "the domain never sees the text \"two\": the 422 comes from the service's HTTP API, its request model, "
              "which only a request through the API (TestClient) exercises.",
        CONTRACT: "no other service sends orders a quantity: there is no consumer whose pact holds this request. "
                  "It is orders' own API, tested alone.",
        INTEGRATION: "it would catch it, starting three services for a bug in one: seconds a test, where one service "
                     "alone through TestClient costs tens of milliseconds (4.7)."}),
    "c": (CONTRACT, {
        UNIT: "unit tests call the catalog's domain, which has no JSON: the rename is in the answer's model, and the "
              "catalog's own tests passed with it (4.8).",
        COMPONENT: "the catalog's component tests passed with the rename (4.8): none of them reads the price; only "
                   "orders' pact says what orders reads.",
        INTEGRATION: "it catches it, in seconds and three services started (4.8); the pact failed first, in the "
                     "catalog's own build, starting no other service."}),
    "d": (CONTRACT, {
        UNIT: "the domain decides the amount; writing it into the event's JSON is where it goes wrong, and what "
              "goes on the broker is what the message contract checks.",
        COMPONENT: "orders' component tests check what orders answers, not what payments can read; payments' "
                   "component tests publish the events their authors wrote, with integer amounts.",
        INTEGRATION: "payments would drop the event as bad input and the publisher hears nothing (4.3): an "
                     "integration test would see an order stay pending, seconds later, without saying why. "
                     "orders' message-contract test fails in its own build, naming the field."}),
    "e": (INTEGRATION, {
        UNIT: "no rule of either service is wrong: each passes all its own tests.",
        COMPONENT: "a component test gives each service an in-memory bus inside its own process: it never meets the "
                   "addresses the services are deployed with.",
        CONTRACT: "the message contract checks what an event carries, and it carries the right thing: it never "
                  "reaches payments. Only real processes on a real broker, as deployed, show that."}),
}


def _check_cheapest_level(cheapest_level) -> str:
    return check_matching(cheapest_level, "cheapest_level", CHEAPEST, {"UNIT": UNIT, "COMPONENT": COMPONENT,
                                                                       "CONTRACT": CONTRACT, "INTEGRATION": INTEGRATION},
                          "bug", "All five right. A domain rule is a unit test's, milliseconds; a service's own API a "
                          "component test's; what crosses between services, HTTP or events, a contract test's, in the "
                          "provider's or producer's own build; and only how the services are deployed together needs "
                          "an integration test's seconds.")


cheapest_level = Task(
    name="cheapest_level", lesson="04-testing-microservices", checker=_check_cheapest_level, seconds=5,
    hints=["Ask of each bug: where does it live? In one service's rules, in one service's API, in what crosses "
           "between two services, or only in how they are deployed together? The cheapest test that reaches that "
           "place is the answer.",
           "A level above the cheapest one also catches the bug, but pays for more: the lesson measured milliseconds "
           "for a unit test (or less), tens of milliseconds for a component test, seconds for an integration test.",
           "Look at 4.8: the catalog's own component tests passed the rename, the pact failed it. And at 4.3: a "
           "malformed event is dropped, and its publisher hears nothing."])


# --- orders_placed_ok ---------------------------------------------------------------------------
SCHEMA_FILE = contracts.MESSAGES / "orders.placed.schema.json"
# (what the event is, the event, whether the shared schema accepts it, why)
PLACED = [
    ("the schema's first example", {"order_id": "0123456789ab", "amount_cents": 1900}, True,
     "it is one of the examples the schema itself holds."),
    ("an event with a field payments does not read", {"order_id": "0123456789ab", "amount_cents": 60000,
                                                        "placed_at": "2026-11-28T04:00:00Z"}, True,
     "the schema allows fields it does not name (`additionalProperties: true`): a producer may add one."),
    ("the smallest order the schema allows", {"order_id": "a", "amount_cents": 1}, True,
     "a one-character id and 1 cent are inside the schema's bounds."),
    ("the largest", {"order_id": "o" * 64, "amount_cents": 10_000_000}, True,
     "a 64-character id and 10,000,000 cents are the schema's bounds, included."),
    ("an amount written 1900.0", {"order_id": "o-1", "amount_cents": 1900.0}, True,
     "JSON Schema counts 1900.0 as an integer, as JSON does: the contract accepts it, so a consumer must."),
    ("an event without order_id", {"amount_cents": 1900}, False, "`order_id` is required."),
    ("an event without amount_cents", {"order_id": "o-1"}, False, "`amount_cents` is required."),
    ("an amount as text", {"order_id": "o-1", "amount_cents": "1900"}, False, "`amount_cents` is an integer."),
    ("an amount that is a boolean", {"order_id": "o-1", "amount_cents": True}, False,
     "JSON's true is not an integer, though Python's `isinstance(True, int)` says it is."),
    ("an amount with a fraction", {"order_id": "o-1", "amount_cents": 19.5}, False, "`amount_cents` is an integer."),
    ("an amount of zero", {"order_id": "o-1", "amount_cents": 0}, False, "the schema's minimum is 1."),
    ("a negative amount", {"order_id": "o-1", "amount_cents": -5}, False, "the schema's minimum is 1."),
    ("an amount over the schema's maximum", {"order_id": "o-1", "amount_cents": 10_000_001}, False,
     "the schema's maximum is 10,000,000."),
    ("an empty order_id", {"order_id": "", "amount_cents": 1900}, False,
     "the pattern asks for 1 to 64 letters, digits or dashes."),
    ("an order_id with a space", {"order_id": "o 1", "amount_cents": 1900}, False,
     "the pattern allows letters, digits and dashes only."),
    ("an order_id of 65 characters", {"order_id": "o" * 65, "amount_cents": 1900}, False,
     "the pattern allows 64 characters at most."),
    ("an order_id that is a number", {"order_id": 42, "amount_cents": 1900}, False, "`order_id` is a string."),
    ("a list, not an object", ["o-1", 1900], False, "the schema's type is object."),
]


def _placed_answer(orders_placed_ok, event, what: str) -> bool:
    try:
        answer = orders_placed_ok(json.loads(json.dumps(event)))  # the event as it crosses the broker
    except (Wrong, NotImplementedError):
        raise
    except Exception as error:
        raise Wrong(f"For {what} ({json.dumps(event)}), orders_placed_ok raised {type(error).__name__}: "
                    f"{str(error).splitlines()[0] if str(error) else ''}. A validator answers: return False for "
                    "an event the schema refuses (`is_valid`, not `validate`, which raises).") from None
    if not isinstance(answer, bool):
        raise Wrong(f"For {what}, orders_placed_ok returned {answer!r}; it should return True or False.")
    return answer


def _published_by_orders(count: int = 2, timeout: float = 5) -> list[dict]:
    """The `orders.placed` events real orders publishes, in-process on an in-memory bus, for orders
    placed against a real catalog of the check's own (stopped when the events are in)."""
    from fastapi.testclient import TestClient
    from shop_chassis import Settings
    from shop_chassis.events import InMemoryBus

    orders = services.import_module("orders", "orders.app")
    bus = InMemoryBus()
    database = Path(tempfile.mkdtemp(prefix="orders-for-checks-", dir=workdir())) / "orders.sqlite3"
    with services.start("catalog", label="catalog-for-checks-04") as catalog:
        extra = {**orders.DEFAULTS, "CATALOG_URL": catalog.url, "PAYMENT_FLOW": "events"}
        with TestClient(orders.build(Settings("orders", database_path=str(database), extra=extra), bus=bus)) as client:
            for product, quantity in (("mouse", 1), ("keyboard", 2))[:count]:
                placed = client.post("/orders", json={"product_id": product, "quantity": quantity})
                if placed.status_code != 201:
                    raise Wrong(f"The check could not place an order ({placed.status_code} {placed.text}); this is "
                                "a bug in the course, not in your answer: please report it.")
            deadline = time.monotonic() + timeout  # the outbox publishes a moment after the commit
            while len(events := [e for s, e in bus.published if s == "orders.placed"]) < count:
                if time.monotonic() > deadline:
                    raise Wrong("The check's orders published no orders.placed in time; this is a bug in the course, "
                                "not in your answer: please report it.")
                time.sleep(0.01)
    return events


def _check_orders_placed_ok(orders_placed_ok) -> str:
    if not callable(orders_placed_ok):
        raise Wrong("`orders_placed_ok` should be a function: `def orders_placed_ok(event): ...`")
    for what, event, accepted, why in PLACED:
        if _placed_answer(orders_placed_ok, event, what) is not accepted:
            said = "accepts" if accepted else "refuses"
            raise Wrong(f"For {what} ({json.dumps(event)}), orders_placed_ok returned {not accepted}; the shared "
                        f"schema {said} it: {why}")
    events = _published_by_orders()
    for event in events:
        if not _placed_answer(orders_placed_ok, event, "an event real orders published"):
            raise Wrong(f"orders_placed_ok refused {json.dumps(event)}, an event real orders published in this "
                        "check, and the schema accepts: read the rules from the schema, not from an example.")
    return (f"orders_placed_ok agreed with the shared schema on {len(PLACED)} events, accepting the examples, an "
            "extra field and 1900.0 and refusing every near miss, and accepted the "
            f"{len(events)} orders.placed events real orders published in this check.")


orders_placed_ok = Task(
    name="orders_placed_ok", lesson="04-testing-microservices", checker=_check_orders_placed_ok, seconds=20,
    hints=["The contract is the schema file, not an example: an event is valid exactly when the shared JSON Schema "
           "accepts it. Let a JSON Schema validator decide, rather than rules of your own.",
           "Read it once: `SCHEMA = json.loads((contracts.MESSAGES / 'orders.placed.schema.json').read_text())`. "
           "The `jsonschema` package validates against it; the schema says which draft (`$schema`: 2020-12).",
           "`jsonschema.Draft202012Validator(SCHEMA).is_valid(event)` answers True or False; "
           "`jsonschema.validate` raises instead, which a validator that answers must not."])


# --- the lesson's challenges (never graded): each wrong option is a misconception its run refutes
def _startup_outcome(seconds: tuple[float, float]) -> int:
    """(the tests' own seconds added up, pytest's seconds around them)."""
    tests, around = seconds
    return 0 if tests > 2 * around else 2 if around > 2 * tests else 1


startup = Prediction(
    "startup", "The unit tests of orders and payments run as one pytest process. Which will take longer: the tests "
    "themselves, added up, or pytest around them (starting, importing, collecting, wrapping up)?",
    ["the tests: a test's cost is mostly its own code",
     "about the same, within a factor of two",
     "pytest around them: it is paid once per run, and unit tests take milliseconds"],
    outcome=_startup_outcome)


def _base_outcome(counts: tuple[int, int]) -> int:
    """(unit tests, component tests) in the lesson's runs."""
    unit, component = counts
    return 0 if component < 0.8 * unit else 2 if component > 1.2 * unit else 1


base = Prediction(
    "base", "Next, the component tests of all three services. Compared with the unit tests just run, will they be "
    "fewer or more?",
    ["fewer: unit tests are most of any suite, the pyramid's wide base",
     "about as many, within 20%",
     "more: these services are mostly an HTTP API around a few rules, and each route is tested through it"],
    outcome=_base_outcome)

fake_rules = Choice(
    "fake_rules", "A fake bus could be simpler than NATS: raise a handler's error back at the publisher, deliver "
    "each event once and never again. Would that still be a good fake for component tests?", [
        Option("Yes: a fake may be simpler than what it fakes; component tests only need publish and subscribe",
               "No: the next cell shows the fake dropping the malformed event as NATS does, and in 4.4 one contract "
               "suite runs the same delivery rules on both buses and both pass. A fake with rules of its own lets "
               "component tests pass, or fail, for reasons production never has."),
        Option("No: it must keep the real bus's contract, its delivery rules included, and one contract suite run "
               "against both buses shows it does",
               "The fake is simpler inside (in memory, in the caller's thread), not in what it promises: the run "
               "shows it dropping bad input as NATS does, and the same rules passing on both buses (4.4).",
               right=True),
        Option("It does not matter: what a broker does with a failing handler is for integration tests to find out",
               "No: payments' component test of a malformed event relies on the fake dropping it, and the bus "
               "contract suite checks that rule on the fake and on a real NATS server within the contract run, "
               "with no service started (4.4)."),
    ])

first_to_catch = Choice(
    "first_to_catch", "The catalog renames `price_cents` to `price`. Which test fails first, and where?", [
        Option("The catalog's own component tests, in its build: they call the very API that changed",
               "No: the run shows the catalog's build failing one test only, the pact. Its component tests all pass: "
               "none of the catalog's own tests reads the price."),
        Option("An integration test, once the changed catalog runs beside orders: only running them together shows "
               "that they no longer fit",
               "No: the run shows the pact failing in the catalog's own build, before anything is deployed and "
               "starting the catalog alone, naming the missing key; the integration test needed three services "
               "deployed together, and said only 500."),
        Option("The contract test in the catalog's own build: it replays what orders said it reads",
               "Orders' pact says it reads `price_cents`; the catalog's build replays it against the changed "
               "catalog, and it fails naming the missing key, before anything is deployed.", right=True),
        Option("None: renaming a field in JSON is a harmless tidy-up",
               "No: the run shows orders answering 500 Internal Server Error, with KeyError: 'price_cents' in its "
               "log. A consumer reads fields by name."),
    ])
