"""Lesson 04's tasks and challenges.

Task `payments_contract`: the learner writes orders' consumer test for payments, a Pact
interaction and orders' real client run against Pact's mock. The checker watches the mock
(was it called? with what the interaction describes?), runs orders' real client against the
interaction with orders of its own, then verifies the pact against real payments processes:
as it is, with a card limit that declines every charge, and with `status` renamed. A good
contract passes the first two and fails the third.
"""
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from shipyard import contracts, services
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
