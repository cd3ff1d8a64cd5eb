"""Exercise 02, shipping_service: the learner's file started as a real process and probed."""
import pytest

from answers import stub_code
from shipyard.exercises.l02_anatomy import shipping_service as task
from shipyard.exercises.notebooks import solution_code

SOLUTION = solution_code("02-anatomy-of-a-service", "shipping_service")


@pytest.fixture
def write(tmp_path):
    def write(source: str):
        path = tmp_path / "shipping.py"
        path.write_text(source)
        return path
    return write


def variant(old: str, new: str) -> str:
    assert old in SOLUTION
    return SOLUTION.replace(old, new)


def test_the_stub_is_reported_unfinished(write):
    assert task.check(write(stub_code("02-anatomy-of-a-service", "shipping_service"))).kind == "unfinished"


def test_the_solution_passes(write):
    feedback = task.check(write(SOLUTION))
    assert feedback.ok, feedback.message


def test_a_quote_that_raises_is_reported_with_its_log_line(write):
    crashing = variant("per_kg = int(", "per_kg = 1 // 0 + int(")
    feedback = task.check(write(crashing))
    assert feedback.kind == "wrong" and "crashed with 500" in feedback.message
    assert "ZeroDivisionError" in feedback.message or "Traceback" not in feedback.message


def test_a_quote_that_hangs_is_reported_without_hanging_the_check(write):
    hanging = variant("def quote(parcel: Parcel):\n", "def quote(parcel: Parcel):\n    import time; time.sleep(30)\n")
    feedback = task.check(write(hanging))
    assert feedback.kind == "wrong" and "did not answer within 3 s" in feedback.message


def test_a_service_without_validation_is_told_to_answer_422(write):
    lax = variant("weight_kg: float = Field(gt=0, le=30)", "weight_kg: float")
    feedback = task.check(write(lax))
    assert feedback.kind == "wrong" and "'weight_kg': -1" in feedback.message and "422" in feedback.message


def test_a_price_that_ignores_the_environment_is_caught(write):
    fixed = variant('int(os.environ.get("PRICE_PER_KG_CENTS", "100"))', "100")
    feedback = task.check(write(fixed))
    assert feedback.kind == "wrong" and "PRICE_PER_KG_CENTS=250" in feedback.message


def test_a_file_that_does_not_import_says_why(write):
    feedback = task.check(write(SOLUTION + "\ndef broken(:\n"))
    assert feedback.kind == "wrong" and "did not start" in feedback.message and "SyntaxError" in feedback.message


def test_a_missing_file_asks_for_the_writefile_cell(tmp_path):
    feedback = task.check(tmp_path / "shipping.py")
    assert feedback.kind == "wrong" and "%%writefile" in feedback.message
