"""Lesson 02's tasks and challenges.

`shipping_service`: a tiny service of the learner's own, started as real processes (one
configured, one not) and probed over HTTP for every condition the task states."""
import math
import os
import re
import time
from pathlib import Path

import httpx

from shipyard import services
from shipyard.exercises.challenges import Choice, Option, Prediction
from shipyard.exercises.task import Task, Unfinished, Wrong
from shipyard.paths import workdir

PRICE_PER_KG_CENTS = 250  # what the checker configures, to see that the service reads it
DEFAULT_PER_KG = 100  # what the task says a service without PRICE_PER_KG_CENTS charges
STARTUP = 10  # seconds a learner's service gets to answer its first request (a busy, shared machine)
REQUEST = 3  # seconds each request of the probe may take
LOG_LINES = 6


def shipping_file() -> Path:
    """Where the exercise's %%writefile cell puts the learner's service."""
    folder = workdir() / "exercise-02"
    folder.mkdir(exist_ok=True)
    return folder / "shipping.py"


# -- shipping_service ------------------------------------------------------------------------
def _compiles(path: Path) -> None:
    """A file that does not compile is named by its line, before any process is started."""
    try:
        compile(path.read_text(), path.name, "exec")
    except SyntaxError as error:
        text = (error.text or "").strip()
        raise Wrong(f"{path.name} does not compile: {error.msg} at line {error.lineno} of the file "
                    f"(line {(error.lineno or 0) + 1} of the cell, counting its %%writefile line)"
                    + (f": `{text}`" if text else "") + ". Fix it and run the %%writefile cell again.") from None


def _launch(path: Path, env: dict, label: str) -> services.Service:
    """Start the learner's file as its own process, without waiting. `env` is all of the
    service's PRICE_PER_KG_CENTS: one the kernel happens to have is not passed on."""
    saved = os.environ.pop("PRICE_PER_KG_CENTS", None)
    try:
        return services.start(f"{path.stem}:app", env, app_dir=path.parent, label=label, wait=False)
    finally:
        if saved is not None:
            os.environ["PRICE_PER_KG_CENTS"] = saved


def _listening(service: services.Service, started: str) -> None:
    """Wait until the service answers GET /health with anything at all (what it answers is
    probed later); say in words if it exits first or never answers."""
    deadline = time.monotonic() + STARTUP
    with httpx.Client(timeout=1) as client:
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                break
            try:
                client.get(service.url + "/health")
                return
            except httpx.HTTPError:
                pass  # not listening yet: the request waited in the socket's queue
    log = service.logs(LOG_LINES).strip()
    if "NotImplementedError" in log:
        raise Unfinished
    quoted = f" Its last log lines:\n{log}" if log else ""
    code = service.process.poll()
    if code is None:
        raise Wrong(f"Your service, {started}, did not answer /health within {STARTUP} s, so the check stopped "
                    "it. Does something wait at import (a sleep, a loop, input()), or in /health itself?" + quoted)
    raise Wrong(f"Your service, {started}, exited with code {code} before it listened." + (
        quoted if log else " It wrote nothing to its log: does the file call sys.exit() or exit() at import?"))


def _call(service: services.Service, method: str, path: str, **kwargs) -> httpx.Response:
    try:
        return httpx.request(method, service.url + path, timeout=REQUEST, **kwargs)
    except httpx.TimeoutException:
        raise Wrong(f"{method} {path} did not answer within {REQUEST} s. Does it wait for something?") from None
    except httpx.HTTPError as error:
        raise Wrong(f"{method} {path} got no answer ({type(error).__name__}): did the service stop? "
                    f"Its log ends:\n{service.logs(LOG_LINES)}") from None


def _json(response: httpx.Response):
    try:
        return response.json()
    except ValueError:
        return None


_RAISED = re.compile(r"^[A-Za-z_][\w.]*(: .*)?$")  # a traceback's last line: "KeyError: 'X'"
_NOT_RAISED = ("INFO:", "ERROR:", "WARNING:", "Traceback", "During handling", "The above")


def _what_raised(service: services.Service, file: str) -> str:
    """The exception a crash logged, and the line of the learner's file it came from. The
    server writes the traceback just after its answer: poll its log for a moment."""
    deadline = time.monotonic() + 2
    while True:
        lines = service.logs(400).splitlines()
        raised = [line for line in lines if _RAISED.match(line) and not line.startswith(_NOT_RAISED)]
        if raised or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if not raised:
        return f"Its log ends:\n{service.logs(LOG_LINES)}"
    frames = [i for i, line in enumerate(lines) if line.strip().startswith("File ") and file in line]
    where = ""
    if frames:
        found = re.search(r"line (\d+), in (\S+)", lines[frames[-1]])
        code = lines[frames[-1] + 1].strip() if frames[-1] + 1 < len(lines) else ""
        if found:
            where = f", at line {found[1]} of {file} (in {found[2]})" + (f": `{code}`" if code else "")
    return f"Its log says: {raised[-1]}{where}."


def _crashed(service: services.Service, answer: httpx.Response, what: str) -> None:
    if answer.status_code == 500:  # an exception nobody handled (a 503 is an answer: it is probed as one)
        raise Wrong(f"{what} crashed with 500. {_what_raised(service, service.spec.app.split(':')[0] + '.py')}")


def _healthy(service: services.Service) -> None:
    health = _call(service, "GET", "/health")
    _crashed(service, health, "GET /health")
    body = _json(health)
    if health.status_code != 200 or not isinstance(body, dict) or body.get("status") != "ok":
        raise Wrong(f"GET /health answered {health.status_code} {health.text[:80]!r}; the task, and this "
                    'checker, ask for that exact body: 200 {"status": "ok"} (services.start and Kubernetes look '
                    "only at the status code).")


def _price_of(weight: float, per_kg: int) -> tuple[float, int]:
    exact = 500 + weight * per_kg
    return exact, round(exact)


def _why_refused(weight: float) -> str:
    if weight == 30:
        return " 30 kg is the most the task allows, so it is allowed: `le=30`, not `lt=30`."
    if not float(weight).is_integer():
        return " A weight need not be whole: `weight_kg: float`, not `int`."
    return ""


def _rate(weight: float, price: int) -> int | None:
    """The price per kg a quote was made with, if one whole number of cents per kg explains it."""
    rate = round((price - 500) / weight)
    return rate if rate != 0 and _price_of(weight, rate)[1] == price else None


def _quotes(service: services.Service, weight: float, per_kg: int, started: str) -> None:
    exact, expected = _price_of(weight, per_kg)
    what = f"A parcel of {weight:g} kg, with the service {started}"
    answer = _call(service, "POST", "/quote", json={"weight_kg": weight})
    _crashed(service, answer, f"POST /quote for {weight:g} kg, {started},")
    body = _json(answer)
    price = body.get("price_cents") if isinstance(body, dict) else None
    if answer.status_code != 200 or price is None:
        raise Wrong(f"{what}, should get 200 {{'price_cents': {expected}}}; your service answered "
                    f"{answer.status_code} {answer.text[:80]!r}." + (_why_refused(weight) if answer.status_code == 422 else ""))
    if isinstance(price, float) and not price.is_integer():
        raise Wrong(f"{what}, got price_cents {price!r}: not a whole number of cents. Round it: round() "
                    "gives the nearest int.")
    if not isinstance(price, int) or isinstance(price, bool):
        raise Wrong(f"{what}, got price_cents {price!r}: a price in cents is a JSON integer ({round(price) if isinstance(price, float) else expected}, "
                    "not a float or a string). round(x) gives an int; round(x, 0) gives a float.")
    if body != {"price_cents": expected}:
        way = ("cut down to a whole cent (int() or //), not rounded" if price == math.floor(exact) != expected
               else "rounded up (math.ceil), not to the nearest cent" if price == math.ceil(exact) != expected
               else f"priced with {_rate(weight, price)} cents per kg, not {per_kg}" if _rate(weight, price) else "")
        raise Wrong(f"{what}, should get {{'price_cents': {expected}}} (500 + {weight:g} × {per_kg} = {exact:g}, "
                    f"rounded to the nearest cent); your service answered {body}" + (f": {way}." if way else "."))


def _refuses(service: services.Service, bad: dict, why: str) -> None:
    refused = _call(service, "POST", "/quote", json=bad)
    _crashed(service, refused, f"POST /quote with {bad} ({why})")
    if refused.status_code == 422 and isinstance(_json(refused), dict):
        return
    if refused.status_code == 422:
        raise Wrong(f"POST /quote with {bad} ({why}) answered 422 without a JSON body: say what is wrong as JSON.")
    if refused.status_code == 400:
        raise Wrong(f"POST /quote with {bad} ({why}) answered 400; the task says 422, the status FastAPI "
                    "gives every request its model refuses. Let a pydantic Field (gt, le) refuse it.")
    raise Wrong(f"POST /quote with {bad} ({why}) answered {refused.status_code} {refused.text[:80]!r}; "
                "bad input should get 422 with a JSON message (a pydantic Field with gt and le does that).")


def _probe(configured: services.Service, default: services.Service) -> None:
    with_price = f"started with PRICE_PER_KG_CENTS={PRICE_PER_KG_CENTS}"
    _healthy(configured)
    # 1.2345 kg needs rounding up (int() cuts it down), 1.001 kg down (math.ceil rounds it up);
    # 30 kg is the most allowed, 0.001 kg is more than zero.
    for weight in (1.2345, 1.001, 2, 0.5, 30, 0.001):
        _quotes(configured, weight, PRICE_PER_KG_CENTS, with_price)
    for bad, why in [({}, "no weight"), ({"weight_kg": "heavy"}, "not a number"), ({"weight_kg": 0}, "zero"),
                     ({"weight_kg": -1}, "less than zero"), ({"weight_kg": 31}, "over 30 kg"),
                     ({"weight_kg": 30.01}, "over 30 kg")]:
        _refuses(configured, bad, why)
    _quotes(default, 2, DEFAULT_PER_KG, "started without PRICE_PER_KG_CENTS")


def _check_shipping(path: Path) -> str:
    path = Path(path)
    if not path.exists():
        raise Wrong("There is no shipping service yet: run the %%writefile cell, then check again.")
    _compiles(path)
    configured = _launch(path, {"PRICE_PER_KG_CENTS": str(PRICE_PER_KG_CENTS)}, "your-shipping")
    default = _launch(path, {}, "your-shipping-default")
    try:
        _listening(configured, f"started with PRICE_PER_KG_CENTS={PRICE_PER_KG_CENTS}")
        _listening(default, "started without PRICE_PER_KG_CENTS")
        _probe(configured, default)
    finally:
        configured.stop()
        default.stop()
    return (f"Your service started as its own process, twice: with PRICE_PER_KG_CENTS={PRICE_PER_KG_CENTS} "
            f"it charged that, without it {DEFAULT_PER_KG}. It rounded prices to whole cents, refused missing, "
            "non-numeric, zero, negative and over-30 kg weights with 422 (and took 30 kg), and reported healthy.")


shipping_service = Task(
    name="shipping_service", lesson="02-anatomy-of-a-service", checker=_check_shipping, seconds=30,
    get_answer=shipping_file,
    hints=["Three pieces: a pydantic model `Parcel` with `weight_kg`, `GET /health` and `POST /quote`.",
           "`weight_kg: float = Field(gt=0, le=30)` makes FastAPI answer 422 for bad weights by itself: "
           "gt=0 refuses zero, le=30 takes 30 itself.",
           "The price is configuration: `int(os.environ.get('PRICE_PER_KG_CENTS', '100'))`, read at import "
           "or in the endpoint (a process's environment is fixed when it starts).",
           "Return `{'price_cents': 500 + round(parcel.weight_kg * per_kg)}`: round() gives the nearest "
           "whole cent, as an int."])


# -- platform_action: liveness or readiness (conceptual) --------------------------------------
ACTIONS = ("restart", "stop traffic", "nothing")
SITUATIONS = {  # key: (the situation, the right action, why; and why each wrong action is wrong)
    "disk gone": (
        "The folder with the service's database has been taken away, as in section 2.9.",
        "stop traffic",
        {"stop traffic": "Readiness fails (the catalog's /health/ready answered 503 in section 2.9) and liveness "
                         "passes: the platform sends it no traffic until the disk is back.",
         "restart": "A restart does not bring the disk back. In section 2.9 the same catalog process, not "
                    "restarted, was ready again the moment the disk returned; a restart loop would only add downtime.",
         "nothing": "Every real request would fail with a 500 (reviews' did in section 2.9) while the platform "
                    "keeps sending traffic: that is why readiness checks the database."}),
    "deadlock": (
        "A bug has left every worker of the process waiting on a lock: no request, /health/live included, gets "
        "an answer.",
        "restart",
        {"restart": "Liveness fails (the process no longer answers at all), and only a new process gets out of a "
                    "deadlock: the platform restarts it.",
         "stop traffic": "Out of traffic, a hung process stays hung for ever: nothing in it will undo the deadlock. "
                         "Liveness exists for this: a process that no longer answers gets restarted.",
         "nothing": "Traffic would keep going to a process that answers nothing: every request waits until its "
                    "timeout."}),
    "six stars": (
        "Clients keep posting reviews with six stars.",
        "nothing",
        {"nothing": "A client's bad input is answered with a 422 (section 2.5) and nothing is stored: the service "
                    "is alive and ready, both probes pass.",
         "restart": "The service is fine: a 422 is its correct answer. Restarting it for a client's mistake would "
                    "let any bad client take it down for everyone.",
         "stop traffic": "The service is fine: a 422 is its correct answer. Taking it out of traffic for a client's "
                         "mistake would let one bad client stop every good one."}),
    "starting": (
        "The process has just started and is still opening its database and loading its data.",
        "stop traffic",
        {"stop traffic": "Not ready yet: readiness fails until it can do its work, so no request reaches it "
                         "too early (Kubernetes' documentation gives loading data at startup as the example). "
                         "services.start waits for the same thing: the first 200 from /health.",
         "restart": "A restart would begin the loading again: a service restarted while it starts never "
                    "finishes starting. It answers liveness; it is just not ready.",
         "nothing": "Requests would reach a service that cannot do its work yet, and fail."}),
}


def _check_actions(platform_action) -> str:
    if not callable(platform_action):
        raise Wrong("`platform_action` should be a function: `def platform_action(situation): ...`")
    wrong = []
    for key, (situation, right, why) in SITUATIONS.items():
        answer = platform_action(key)
        action = answer.strip().lower() if isinstance(answer, str) else answer
        if action not in ACTIONS:
            raise Wrong(f"platform_action({key!r}) returned {answer!r}: answer one of "
                        f"{', '.join(map(repr, ACTIONS))}.")
        if action != right:
            wrong.append(f"- {key!r} ({situation}) is not {action!r}: {why[action]}")
    if wrong:
        raise Wrong(f"{len(wrong)} of {len(SITUATIONS)} answers are not what the platform should do:\n"
                    + "\n".join(wrong))
    return " ".join(f"{key!r}: {why[right]}" for key, (_situation, right, why) in SITUATIONS.items())


platform_action = Task(
    name="platform_action", lesson="02-anatomy-of-a-service", checker=_check_actions, seconds=5,
    hints=["Two questions: does the process answer at all (liveness), and can it do its work (readiness)? "
           "A failing liveness probe gets a process restarted; a failing readiness probe takes it out of traffic.",
           "Ask for each situation: would a new process fix it? Only then 'restart'. Will it get better by "
           "itself, or once something outside it comes back? Then 'stop traffic' meanwhile.",
           "A client's mistake is not the service's illness: a 422 is a healthy answer.",
           "`return {'disk gone': ..., 'deadlock': ..., 'six stars': ..., 'starting': ...}[situation]`, "
           "each value one of 'restart', 'stop traffic', 'nothing'."])


# -- owner: a business split into services, counted (boundary) -----------------------------------
SERVICES = ("catalog", "orders", "payments", "shipping")
DATA = ("product name", "price", "stock", "weight", "price per kg", "charges", "payment limit",
        "order lines", "order status")
# Each flow: the service it starts at, and its steps: the data each step reads or changes together.
FLOWS = {
    "place an order": ("orders", [("read the price", {"price"}), ("take the stock", {"stock"}),
                                  ("quote the shipping", {"weight", "price per kg"}),
                                  ("charge", {"charges", "payment limit"}),
                                  ("record the order", {"order lines", "order status"})]),
    "browse the shop": ("catalog", [("list products", {"product name", "price", "stock"})]),
    "restock": ("catalog", [("add stock", {"stock"})]),
    "change a price": ("catalog", [("set the price", {"price"})]),
    "weigh a new product": ("shipping", [("record its weight", {"weight"})]),
    "change the shipping rates": ("shipping", [("set the price per kg", {"price per kg"})]),
    "refund an order": ("payments", [("refund its charge", {"charges"})]),
    "raise the payment limit": ("payments", [("set the limit", {"payment limit"})]),
    "track an order": ("orders", [("read its status", {"order status"})]),
}
BEST = {"product name": "catalog", "price": "catalog", "stock": "catalog", "weight": "shipping",
        "price per kg": "shipping", "charges": "payments", "payment limit": "payments",
        "order lines": "orders", "order status": "orders"}


def calls(owners: dict[str, str]) -> dict[str, list[tuple[str, list[str]]]]:
    """For each flow, its steps that call other services: (step, [the services it calls]).
    A step calls every service, other than the one the flow runs in, that owns some of its data."""
    found = {}
    for flow, (runs_in, steps) in FLOWS.items():
        found[flow] = [(step, called) for step, data in steps
                       if (called := sorted({owners[d] for d in data} - {runs_in}))]
    return found


def spread(owners: dict[str, str]) -> list[tuple[str, list[str]]]:
    """The steps whose data the split puts in more than one service: (step, [those services])."""
    return [(step, owning) for _runs_in, steps in FLOWS.values() for step, data in steps
            if len(owning := sorted({owners[d] for d in data})) > 1]


def count(owners: dict[str, str]) -> int:
    """The calls between services one of each flow makes."""
    return sum(len(called) for steps in calls(owners).values() for _step, called in steps)


def _owners(owner) -> dict[str, str]:
    if not callable(owner):
        raise Wrong("`owner` should be a function: `def owner(data): ...` returning a service's name.")
    owners = {}
    for data in DATA:
        try:
            answer = owner(data)
        except KeyError:
            raise Wrong(f"owner({data!r}) raised KeyError: every piece of data needs an owner.") from None
        service = answer.strip().lower() if isinstance(answer, str) else answer
        if service not in SERVICES:
            raise Wrong(f"owner({data!r}) returned {answer!r}: the services are {', '.join(SERVICES)}.")
        owners[data] = service
    return owners


def _check_owner(owner) -> str:
    owners = _owners(owner)
    split_steps, cost, fewest = spread(owners), count(owners), count(BEST)
    if not split_steps and cost == fewest:  # the only such split (tests/exercises count them all)
        return (f"Your split keeps every step's data in one service and costs {fewest} calls between services "
                "for one of each flow, the fewest there are: placing an order calls the catalog twice (the price, "
                "then the stock), shipping and payments once each, and every other flow stays inside the service "
                "it starts at. Each service owns the data its own capability changes.")
    lines = [f"Your split costs {cost} calls between services for one of each flow"
             + (f" (the fewest possible is {fewest})." if cost != fewest else ", as few as the best split, but:")]
    if split_steps:
        lines.append("Steps whose data your split puts in more than one service, so the rule that ties it "
                     "together is left to whoever calls them (section 2.10 showed what that costs): "
                     + "; ".join(f"'{step}' ({', '.join(sorted(_data_of(step)))}) is in {' and '.join(owning)}"
                                 for step, owning in split_steps) + ".")
    best = calls(BEST)
    for flow, steps in calls(owners).items():
        made, needed = sum(len(c) for _s, c in steps), sum(len(c) for _s, c in best[flow])
        if made > needed:
            said = "; ".join(f"'{step}' calls {' and '.join(called)}" for step, called in steps)
            lines.append(f"- {flow} (starts in {FLOWS[flow][0]}) makes {made} call{'s' * (made != 1)}, "
                         f"the best split {needed}: {said}")
    raise Wrong("\n".join(lines))


def _data_of(step_name: str) -> set[str]:
    return next(data for _runs_in, steps in FLOWS.values() for step, data in steps if step == step_name)


owner = Task(
    name="owner", lesson="02-anatomy-of-a-service", checker=_check_owner, seconds=5,
    hints=["A service owns the data its capability changes, and the flows of its own team should not need "
           "anybody else. Calls between services are for one capability asking another.",
           "Look at who starts each flow: restocking is the catalog's work, changing the rates shipping's.",
           "A product's weight means something to shipping (a parcel), not to the catalog: who weighs it?",
           "`return {'product name': 'catalog', 'price': 'catalog', 'stock': 'catalog', 'weight': ..., ...}[data]`."])


# -- the lesson's challenges (never graded): each wrong option is a misconception its run refutes ---
with_closes = Choice("with_closes", "When a `with conn:` block of sqlite3 ends, is the connection closed?", [
    Option("Yes: leaving a `with` block always closes what it opened, as it does for a file",
           "No: the run shows the connection answering a query after the block. A `with` block does what the "
           "object's own __exit__ says; sqlite3's commits or rolls back."),
    Option("No: it commits the transaction (or rolls it back on an error); the connection stays open until close()",
           "The connection answers after the block, and only close() ends it. That is why db() closes "
           "it in a finally.", right=True),
    Option("Yes, unless an error happened inside the block",
           "No: with or without an error, sqlite3's block ends the transaction only. The run shows the "
           "connection still open after a block that ended without error, and close() is what ends it."),
])

disk_gone = Choice("disk_gone", "With its disk gone, what will the catalog answer on /health/live and /health/ready?", [
    Option("503 on both: a service that cannot read its data is down",
           "No: the run shows /health/live answering 200. The process answers, and a restart would not bring "
           "the disk back: only readiness fails."),
    Option("200 on both: the process is still running, so it is healthy",
           "No: the run shows /health/ready answering 503, with the reason. Readiness reads the database; "
           "a running process is not yet a working one (reviews' /health says ok while its requests fail)."),
    Option("200 on /health/live and 503 on /health/ready: alive, not ready",
           "The process answers (live), and it cannot read its database (not ready), so a platform "
           "would send it no traffic without restarting it.", right=True),
    Option("Nothing: the process crashes when its database file goes away",
           "No: the run shows both processes answering. SQLite opens the file for each request (db() and the "
           "chassis alike), so a missing file is an error for that request, not the end of the process."),
])

extra_calls = Prediction(
    "extra_calls", "The paid order (2 keyboards) causes some requests in the shop. How many more will it cause "
    "in the split by table?",
    ["none: the same calls, only to other services",
     "one or a few more: the stock is read, then written back, where the catalog reserves it in one call",
     "twice as many or more: with a service per table, everything is a call"],
    outcome=lambda extra: 0 if extra[0] <= 0 else 1 if extra[0] < extra[1] else 2)
