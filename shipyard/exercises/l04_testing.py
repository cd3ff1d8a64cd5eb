"""Lesson 04's task: a consumer contract that catches a breaking change in the provider.

The learner describes, as a Pact interaction, what orders needs from payments. The checker
runs orders' real PaymentsClient against Pact's mock (the consumer side), then verifies the
pact against the real payments and against a copy with `status` renamed: a good contract
passes the first and fails the second."""
import os
import tempfile
from pathlib import Path

from shipyard import contracts, services
from shipyard.exercises.task import Task, Wrong
from shipyard.paths import workdir

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")


def consumer_pact(payments_contract) -> Path:
    """Run the consumer side: the learner's interactions, orders' client against the mock."""
    import httpx
    from pact import Pact

    pact = Pact("orders", "payments").with_specification("V4")
    payments_contract(pact)
    if not any(True for _ in pact.interactions("All")):
        raise Wrong("Your contract has no interactions: add one with `pact.upon_receiving(...)`.")
    client = contracts.orders_clients().PaymentsClient
    with pact.serve(addr="127.0.0.1", raises=False, verbose=False) as mock:
        try:
            status = client(httpx.Client(timeout=2), str(mock.url)).charge("0123456789ab", 1900)
        except Exception as error:
            raise Wrong("orders' payments client, run against your contract's mock, failed "
                        f"({type(error).__name__}: {error}). Describe the request it sends (POST /payments "
                        "with a JSON body of order_id and amount_cents) and the answer it reads (200, a "
                        "JSON body with status).") from None
        if mock.mismatches:
            raise Wrong(f"The mock did not expect what orders sent: {str(mock.mismatches)[:300]}")
    if status not in ("paid", "declined"):
        raise Wrong(f"orders read the status {status!r} from your contract's example; use 'paid'.")
    folder = Path(tempfile.mkdtemp(dir=workdir()))
    pact.write_file(folder)
    return folder / "orders-payments.json"


def _check(payments_contract) -> str:
    if not callable(payments_contract):
        raise Wrong("`payments_contract` should be a function: `def payments_contract(pact): ...`")
    pact_file = consumer_pact(payments_contract)
    with services.start("payments", label="payments-for-checks") as real:
        today = contracts.verify("payments", real.url, pact_file)
    if not today.ok:
        raise Wrong("Your contract fails against today's payments, which orders works with: it asks for "
                    f"more than orders needs. The verifier says: {_first_failure(today.output)}")
    try:
        changed = contracts.start_changed("payments")
    except contracts.ChangeDidNotApply as error:  # the course's fault, not the learner's: say so
        raise Wrong(f"The check could not finish, and not because of your contract: {error}. "
                    "This is a bug in the course; please report it.") from None
    with changed:
        after = contracts.verify("payments", changed.url, pact_file)
    if after.ok:
        raise Wrong("Your contract still passes when payments renames `status` to `outcome`, yet orders "
                    "reads `status`: say in the response body that orders needs it.")
    return ("Your contract passes against payments as it is and fails when `status` is renamed: "
            f"{_first_failure(after.output)}")


def _first_failure(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if "->" in line or "FAILED" in line]
    return lines[-1] if lines else output.strip().splitlines()[-1]


payments_contract = Task(
    name="payments_contract", lesson="04-testing-microservices", checker=_check, seconds=40,
    hints=["Start with `pact.upon_receiving('a charge for an order').with_request('POST', '/payments')`.",
           "Give the request body with matchers: `.with_body({'order_id': match.str('o-1'), "
           "'amount_cents': match.int(1900)}, 'application/json')`, then `.will_respond_with(200)`.",
           "orders reads only `status` from the answer: `.with_body({'status': match.str('paid')}, "
           "'application/json')` on the response makes payments promise it."])
