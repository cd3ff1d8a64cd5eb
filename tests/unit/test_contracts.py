"""shipyard.contracts: the renames lesson 04 and exercise 04 apply to a copy of a service
either change the source as written or fail loudly, never leave the copy as it was; a
service's last logged error is read once it is there."""
import shutil

import pytest

from shipyard import contracts
from shipyard.paths import SERVICES


@pytest.mark.parametrize("service", sorted(contracts.RENAMES))
def test_each_rename_changes_exactly_one_line_of_todays_source_to_send_the_field_under_its_new_name(service):
    file, field, alias = contracts.RENAMES[service]
    copy = contracts.changed_copy(service)
    before, after = (SERVICES / service / file).read_text().splitlines(), (copy / file).read_text().splitlines()
    changed = [(old, new) for old, new in zip(before, after) if old != new]
    assert len(before) == len(after) and len(changed) == 1
    old, new = changed[0]
    assert old.strip().startswith(f"{field}:") and f'Field(serialization_alias="{alias}")' in new
    assert (copy.parent / "pacts" / f"orders-{service}.json").is_file()  # beside it, as in the shop
    assert f"-{old}" in contracts.change(service) and f"+{new}" in contracts.change(service)


def test_a_field_declared_with_a_comment_keeps_its_comment_after_the_rename(tmp_path):
    shop = copy_of_the_shop(tmp_path)
    api = shop / "catalog" / "catalog" / "api.py"
    api.write_text(api.read_text().replace("    price_cents: int\n", "    price_cents: int  # in cents\n"))
    assert '+    price_cents: int = Field(serialization_alias="price")  # in cents' in contracts.change("catalog", shop)


@pytest.mark.parametrize("reformatted", ["    price_cents: int = 0\n", "    price_cents : int\n", "    cents: int\n"])
def test_a_rename_whose_field_was_reformatted_away_fails_loudly_naming_the_file(tmp_path, reformatted):
    shop = copy_of_the_shop(tmp_path)
    api = shop / "catalog" / "catalog" / "api.py"
    api.write_text(api.read_text().replace("    price_cents: int\n", reformatted))
    with pytest.raises(contracts.ChangeDidNotApply, match="catalog/api.py declares the field 'price_cents' 0 times"):
        contracts.changed_copy("catalog", root=shop)


def copy_of_the_shop(tmp_path):
    shutil.copytree(SERVICES / "catalog", tmp_path / "catalog")
    shutil.copytree(SERVICES / "pacts", tmp_path / "pacts")
    return tmp_path


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
