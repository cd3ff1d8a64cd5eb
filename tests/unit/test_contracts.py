"""shipyard.contracts: the renames lesson 04 and exercise 04 apply to a copy of a service
either change the source as written or fail loudly, never leave the copy as it was; a
service's last logged error is read once it is there."""
import shutil

import pytest

from shipyard import contracts
from shipyard.paths import SERVICES


@pytest.mark.parametrize("service", sorted(contracts.RENAMES))
def test_each_rename_changes_exactly_its_line_in_todays_source(service):
    file, old, new = contracts.RENAMES[service]
    copy = contracts.changed_copy(service)
    before, after = (SERVICES / service / file).read_text(), (copy / file).read_text()
    assert after == before.replace(old, new) and after != before
    assert (copy.parent / "pacts" / f"orders-{service}.json").is_file()  # beside it, as in the shop


def test_a_rename_whose_line_was_reformatted_fails_loudly_naming_the_file(tmp_path):
    shutil.copytree(SERVICES / "catalog", tmp_path / "catalog")
    shutil.copytree(SERVICES / "pacts", tmp_path / "pacts")
    api = tmp_path / "catalog" / "catalog" / "api.py"
    api.write_text(api.read_text().replace("    price_cents: int\n", "    price_cents: int  # in cents\n"))
    with pytest.raises(contracts.ChangeDidNotApply, match="catalog/api.py holds 'price_cents: int' 0 times"):
        contracts.changed_copy("catalog", root=tmp_path)


class LoggingService:
    """A service whose log line arrives a moment after its answer, as a real one's can."""

    def __init__(self, lines):
        self.lines, self.reads = lines, 0

    def logs(self, lines=20):
        self.reads += 1
        return "\n".join(self.lines[: self.reads])


def test_the_last_error_a_service_logged_is_awaited_and_read_from_its_log():
    service = LoggingService(["INFO: started", "Traceback (most recent call last):", "KeyError: 'price_cents'"])
    assert contracts.last_error(service) == "KeyError: 'price_cents'" and service.reads == 3


def test_a_service_that_logged_no_error_gives_an_empty_answer_after_the_deadline():
    assert contracts.last_error(LoggingService(["INFO: started"]), timeout=0.1) == ""
