"""Lesson 02's task: a tiny service of the learner's own, started and probed for real."""
from pathlib import Path

import httpx

from shipyard import services
from shipyard.exercises.task import Task, Unfinished, Wrong
from shipyard.paths import workdir

PRICE_PER_KG_CENTS = 250  # what the checker configures, to see that the service reads it


def shipping_file() -> Path:
    """Where the exercise's %%writefile cell puts the learner's service."""
    folder = workdir() / "exercise-02"
    folder.mkdir(exist_ok=True)
    return folder / "shipping.py"


def _start(path: Path) -> services.Service:
    if not path.exists():
        raise Wrong("There is no shipping service yet: run the %%writefile cell, then check again.")
    try:
        return services.start(f"{path.stem}:app", {"PRICE_PER_KG_CENTS": str(PRICE_PER_KG_CENTS)},
                              app_dir=path.parent, label="your-shipping", timeout=10)
    except services.ServiceFailed as failed:
        if "NotImplementedError" in str(failed):
            raise Unfinished from None
        last = str(failed).strip().splitlines()[-1]
        raise Wrong(f"Your service did not start. The last line of its log: {last}") from None


def _call(client, method: str, path: str, **kwargs) -> httpx.Response:
    try:
        return client.request(method, path, **kwargs)
    except httpx.TimeoutException:
        raise Wrong(f"{method} {path} did not answer within 3 s. Does it wait for something?") from None


def _probe(service: services.Service) -> None:
    with httpx.Client(base_url=service.url, timeout=3) as client:
        health = _call(client, "GET", "/health")
        if health.status_code != 200 or health.json().get("status") != "ok":
            raise Wrong(f'GET /health answered {health.status_code} {health.text[:80]}; expected 200 {{"status": "ok"}}.')
        for weight in (2, 0.5):
            quote = _call(client, "POST", "/quote", json={"weight_kg": weight})
            expected = {"price_cents": 500 + round(weight * PRICE_PER_KG_CENTS)}
            if quote.status_code >= 500:
                raise Wrong(f"POST /quote crashed with {quote.status_code}. Its log ends: {service.logs(1)}")
            if quote.status_code != 200 or quote.json() != expected:
                raise Wrong(f"A parcel of {weight} kg with PRICE_PER_KG_CENTS={PRICE_PER_KG_CENTS} should get "
                            f"200 {expected}; your service answered {quote.status_code} {quote.text[:80]}.")
        for bad in ({"weight_kg": -1}, {"weight_kg": 0}, {"weight_kg": 31}, {"weight_kg": "heavy"}, {}):
            refused = _call(client, "POST", "/quote", json=bad)
            if refused.status_code != 422 or "json" not in refused.headers.get("content-type", ""):
                raise Wrong(f"POST /quote with {bad} answered {refused.status_code}; bad input should get "
                            "422 with a JSON message (a pydantic Field with gt and le does that).")


def _check(path: Path) -> str:
    service = _start(Path(path))
    try:
        _probe(service)
    finally:
        service.stop()
    return ("Your service started as its own process, read its price from the environment, "
            "quoted correctly, refused bad parcels with 422 and reported healthy.")


shipping_service = Task(
    name="shipping_service", lesson="02-anatomy-of-a-service", checker=_check, seconds=25,
    get_answer=shipping_file,
    hints=["Three pieces: a pydantic model `Parcel` with `weight_kg`, `GET /health` and `POST /quote`.",
           "`weight_kg: float = Field(gt=0, le=30)` makes FastAPI answer 422 for bad weights by itself.",
           "Read the price inside the endpoint: `int(os.environ.get('PRICE_PER_KG_CENTS', '100'))`, "
           "then return `{'price_cents': 500 + round(parcel.weight_kg * per_kg)}`."])
