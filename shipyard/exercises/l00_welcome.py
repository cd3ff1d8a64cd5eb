"""Lesson 00's task: ask a service whether it is healthy."""
import httpx

from shipyard.exercises.fixtures import healthy_catalog, refusing_url
from shipyard.exercises.task import Task, Wrong


def _check(check_health) -> str:
    if not callable(check_health):
        raise Wrong("`check_health` should be a function: `def check_health(url): ...`")
    catalog = healthy_catalog()
    answer = check_health(catalog.url)
    if answer is not True:  # a busy machine can make a healthy answer late once: ask again
        answer = check_health(catalog.url)
    if answer is not True:
        raise Wrong(f"The catalog at {catalog.url} is healthy, but check_health returned {answer!r}, "
                    "not True.")
    try:
        answer = check_health(refusing_url())
    except httpx.HTTPError as error:
        raise Wrong(f"Where nothing listens, check_health raised {type(error).__name__}. A health check "
                    "should answer False, not fail: catch httpx.HTTPError.") from None
    if answer is not False:
        raise Wrong(f"Nothing listens at {refusing_url()}, but check_health returned {answer!r}, not False.")
    return "check_health said True for the running catalog and False where nothing listens."


check_health = Task(
    name="check_health", lesson="00-welcome", checker=_check, seconds=10,
    hints=["Send `GET {url}/health` with httpx and look at the status code.",
           "`httpx.get(url + '/health', timeout=1).status_code == 200` is True for a healthy service.",
           "Wrap the request in `try: ... except httpx.HTTPError: return False`: no answer means unhealthy."])
