"""Exercise 02: every task's stub, solution and the near misses learners write.

shipping_service: the learner's file started as real processes (with and without
PRICE_PER_KG_CENTS) and probed for every condition the task states."""
import itertools
import os
import sys

import psutil
import pytest

from answers import solution, stub, stub_code
from shipyard.exercises import l02_anatomy as ex
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


@pytest.fixture
def nothing_left_behind():
    """Every process a check starts, the check stops: no new child of this process is left."""
    kernel = psutil.Process()
    before = {child.pid for child in kernel.children(recursive=True)}
    yield
    left = [child for child in kernel.children(recursive=True)
            if child.pid not in before and child.status() != psutil.STATUS_ZOMBIE]
    assert left == [], f"the check left {left} running"


def forever(*_args):
    while True:  # a loop that never ends
        pass


def variant(old: str, new: str) -> str:
    assert old in SOLUTION
    return SOLUTION.replace(old, new)


def wrong(write, source: str) -> str:
    feedback = task.check(write(source))
    assert feedback.kind == "wrong", feedback
    return feedback.message


def test_the_stub_is_reported_unfinished(write, nothing_left_behind):
    assert task.check(write(stub_code("02-anatomy-of-a-service", "shipping_service"))).kind == "unfinished"


def test_the_solution_passes_and_leaves_no_process_running(write, nothing_left_behind):
    feedback = task.check(write(SOLUTION))
    assert feedback.ok, feedback.message


# -- the price: 500 + weight × PRICE_PER_KG_CENTS, rounded to a whole cent --------------------
ROUNDED = "500 + round(parcel.weight_kg * per_kg)"


@pytest.mark.parametrize("unrounded", ["500 + parcel.weight_kg * per_kg", "round(500 + parcel.weight_kg * per_kg, 2)"])
def test_a_price_that_is_not_a_whole_number_of_cents_is_caught(write, unrounded):
    message = wrong(write, variant(ROUNDED, unrounded))
    assert "1.2345 kg" in message and "not a whole number of cents" in message


def test_a_price_cut_down_instead_of_rounded_is_named(write):
    message = wrong(write, variant(ROUNDED, "500 + int(parcel.weight_kg * per_kg)"))
    assert "1.2345 kg" in message and "809" in message and "cut down" in message


def test_a_price_rounded_up_is_named(write):
    message = wrong(write, "import math\n" + variant(ROUNDED, "500 + math.ceil(parcel.weight_kg * per_kg)"))
    assert "1.001 kg" in message and "750" in message and "rounded up" in message


def test_a_whole_price_sent_as_a_float_is_told_to_be_an_integer(write):
    message = wrong(write, variant(ROUNDED, "float(500 + round(parcel.weight_kg * per_kg))"))
    assert "809.0" in message and "JSON integer" in message


def test_a_price_sent_as_a_string_is_told_to_be_an_integer(write):
    message = wrong(write, variant(ROUNDED, "str(500 + round(parcel.weight_kg * per_kg))"))
    assert "'809'" in message and "JSON integer" in message


# -- PRICE_PER_KG_CENTS from the environment, 100 when it is not set ------------------------------
READ = 'int(os.environ.get("PRICE_PER_KG_CENTS", "100"))'


def test_a_price_that_ignores_the_environment_is_caught(write):
    message = wrong(write, variant(READ, "100"))
    assert "PRICE_PER_KG_CENTS=250" in message and "809" in message and "100 cents per kg, not 250" in message


@pytest.mark.parametrize("default", ["250", "0"])
def test_a_wrong_default_price_is_caught_by_starting_without_the_variable(write, default):
    message = wrong(write, variant(READ, f'int(os.environ.get("PRICE_PER_KG_CENTS", "{default}"))'))
    assert "without PRICE_PER_KG_CENTS" in message and "700" in message


def test_a_price_with_no_default_read_at_import_exits_without_the_variable(write, nothing_left_behind):
    at_import = variant(READ, "PER_KG").replace("app = FastAPI", 'PER_KG = int(os.environ["PRICE_PER_KG_CENTS"])\napp = FastAPI')
    message = wrong(write, at_import)
    assert "without PRICE_PER_KG_CENTS, exited with code" in message and "KeyError" in message


def test_a_price_with_no_default_read_per_request_crashes_without_the_variable(write):
    message = wrong(write, variant(READ, 'int(os.environ["PRICE_PER_KG_CENTS"])'))
    assert "without PRICE_PER_KG_CENTS" in message and "crashed with 500" in message and "KeyError" in message


def test_a_price_read_at_import_with_the_default_passes(write):
    """The environment of a process is fixed when it starts: reading it once is as right."""
    at_import = variant(READ, "PER_KG").replace(
        "app = FastAPI", 'PER_KG = int(os.environ.get("PRICE_PER_KG_CENTS", "100"))\napp = FastAPI')
    feedback = task.check(write(at_import))
    assert feedback.ok, feedback.message


def test_a_price_set_in_the_kernel_does_not_reach_the_service_started_without_it(write, monkeypatch):
    monkeypatch.setenv("PRICE_PER_KG_CENTS", "100")  # a learner's try, left in os.environ
    assert task.check(write(variant(READ, 'int(os.environ.get("PRICE_PER_KG_CENTS", "0"))'))).kind == "wrong"
    assert os.environ["PRICE_PER_KG_CENTS"] == "100"


# -- a 422 with a JSON message for a weight missing, not a number, zero or less, over 30 kg ------
FIELD = "weight_kg: float = Field(gt=0, le=30)"


def test_a_service_without_validation_is_told_to_answer_422(write):
    message = wrong(write, variant(FIELD, "weight_kg: float"))
    assert "{'weight_kg': 0} (zero)" in message and "422" in message


def test_zero_accepted_by_ge_instead_of_gt_is_caught(write):
    message = wrong(write, variant(FIELD, "weight_kg: float = Field(ge=0, le=30)"))
    assert "{'weight_kg': 0} (zero) answered 200" in message


@pytest.mark.parametrize("limit", ["lt=30", "le=29.99"])
def test_thirty_kg_refused_is_told_it_is_allowed(write, limit):
    message = wrong(write, variant(FIELD, f"weight_kg: float = Field(gt=0, {limit})"))
    assert "30 kg" in message and "le=30" in message


def test_a_limit_above_thirty_kg_is_caught(write):
    message = wrong(write, variant(FIELD, "weight_kg: float = Field(gt=0, le=31)"))
    assert "{'weight_kg': 31} (over 30 kg) answered 200" in message


def test_a_whole_number_weight_is_told_to_take_fractions(write):
    message = wrong(write, variant(FIELD, "weight_kg: int = Field(gt=0, le=30)"))
    assert "1.2345 kg" in message and "weight_kg: float" in message


@pytest.mark.parametrize("status", [400, 404])
def test_bad_input_refused_with_another_status_is_told_to_answer_422(write, status):
    manual = variant(FIELD, "weight_kg: float").replace(
        "def quote(parcel: Parcel):\n",
        "def quote(parcel: Parcel):\n    from fastapi import HTTPException\n"
        f"    if not 0 < parcel.weight_kg <= 30:\n        raise HTTPException({status}, 'bad weight')\n")
    message = wrong(write, manual)
    assert f"(zero) answered {status}" in message and "422" in message


def test_a_weight_of_the_wrong_kind_that_crashes_the_quote_is_reported_as_a_crash(write):
    untyped = variant(FIELD, "weight_kg: object = None").replace("round(parcel.weight_kg", "round(float(parcel.weight_kg)")
    message = wrong(write, untyped)
    assert "crashed with 500" in message and "no weight" in message


# -- GET /health answering {"status": "ok"} ----------------------------------------------------
@pytest.mark.parametrize("answer", ['{"status": "healthy"}', '"ok"', '{"ok": True}'])
def test_a_health_answer_other_than_status_ok_is_caught(write, answer):
    message = wrong(write, variant('return {"status": "ok"}', f"return {answer}"))
    assert "GET /health answered 200" in message and '{"status": "ok"}' in message
    assert "the task, and this checker, ask for that exact body" in message


def test_a_service_without_health_is_told_it_answered_404(write):
    message = wrong(write, variant('@app.get("/health")', '@app.get("/healthz")'))
    assert "GET /health answered 404" in message


def test_a_health_that_answers_503_is_caught(write):
    unready = variant('return {"status": "ok"}', 'from fastapi.responses import JSONResponse\n'
                      '    return JSONResponse({"status": "ok"}, status_code=503)')
    assert "GET /health answered 503" in wrong(write, unready)


# -- a quote that fails or waits -----------------------------------------------------------------
def test_a_quote_that_raises_is_reported_with_its_log_line(write):
    message = wrong(write, variant("per_kg = int(", "per_kg = 1 // 0 + int("))
    assert "crashed with 500" in message and "ZeroDivisionError: integer division or modulo by zero" in message
    line = SOLUTION[:SOLUTION.index("per_kg = int(")].count("\n") + 1
    assert f"at line {line} of shipping.py (in quote): `per_kg = 1 // 0 +" in message


def test_a_quote_that_answers_201_is_told_to_answer_200(write):
    message = wrong(write, variant('@app.post("/quote")', '@app.post("/quote", status_code=201)'))
    assert "should get 200" in message and "answered 201" in message


def test_a_quote_that_hangs_is_reported_without_hanging_the_check(write, nothing_left_behind):
    hanging = variant("def quote(parcel: Parcel):\n", "def quote(parcel: Parcel):\n    import time; time.sleep(30)\n")
    message = wrong(write, hanging)
    assert "did not answer within 3 s" in message


# -- a file that exits, hangs or does not compile --------------------------------------------------
@pytest.mark.parametrize("call, code", [("sys.exit(3)", 3), ("sys.exit()", 0)])
def test_a_service_that_exits_at_import_is_told_its_exit_code(write, nothing_left_behind, call, code):
    message = wrong(write, f"import sys\n{call}\n" + SOLUTION)
    assert f"exited with code {code} before it listened" in message
    assert "Its last log lines" not in message and "sys.exit()" in message


def test_a_service_that_raises_at_import_gets_its_last_log_lines(write, nothing_left_behind):
    message = wrong(write, SOLUTION + "\nraise RuntimeError('no config')\n")
    assert "exited with code 1 before it listened" in message
    assert "Its last log lines:\n" in message and "RuntimeError: no config" in message


def test_a_service_that_hangs_at_import_is_stopped_and_told_so(write, nothing_left_behind, monkeypatch):
    monkeypatch.setattr(ex, "STARTUP", 3)  # a hang is a hang at any limit: the real one is 10 s
    message = wrong(write, "import time\ntime.sleep(600)\n" + SOLUTION)
    assert "did not answer /health within 3 s" in message and "stopped it" in message


def test_a_file_that_does_not_compile_is_told_the_line(write, nothing_left_behind):
    message = wrong(write, SOLUTION + "\ndef broken(:\n")
    line = SOLUTION.count("\n") + 2
    assert f"does not compile: invalid syntax at line {line} of the file" in message and "`def broken(:`" in message


def test_a_missing_file_asks_for_the_writefile_cell(tmp_path):
    feedback = task.check(tmp_path / "shipping.py")
    assert feedback.kind == "wrong" and "%%writefile" in feedback.message


# == platform_action: restart, stop traffic or nothing =============================================
LESSON = "02-anatomy-of-a-service"
RIGHT_ACTIONS = {key: right for key, (_situation, right, _why) in ex.SITUATIONS.items()}


def test_platform_action_stub_is_reported_unfinished():
    assert ex.platform_action.check(stub(LESSON, "platform_action")).kind == "unfinished"


def test_platform_action_solution_passes_with_each_reason():
    feedback = ex.platform_action.check(solution(LESSON, "platform_action"))
    assert feedback.ok, feedback.message
    assert "Liveness fails" in feedback.message and "Readiness fails" in feedback.message


@pytest.mark.parametrize("situation, action, words", [
    ("disk gone", "restart", "A restart does not bring the disk back"),
    ("disk gone", "nothing", "Every real request would fail with a 500"),
    ("deadlock", "stop traffic", "Out of traffic, a hung process stays hung"),
    ("deadlock", "nothing", "every request waits until its timeout"),
    ("six stars", "restart", "Restarting it for a client's mistake"),
    ("six stars", "stop traffic", "Taking it out of traffic for a client's mistake"),
    ("starting", "restart", "never finishes starting"),
    ("starting", "nothing", "cannot do its work yet"),
])
def test_platform_action_each_wrong_action_gets_its_own_explanation(situation, action, words):
    feedback = ex.platform_action.check(lambda s: action if s == situation else RIGHT_ACTIONS[s])
    assert feedback.kind == "wrong" and "1 of 4 answers" in feedback.message
    assert f"{situation!r}" in feedback.message and words in feedback.message


def test_platform_action_restart_for_everything_gets_every_wrong_one_explained():
    feedback = ex.platform_action.check(lambda situation: "restart")
    assert feedback.kind == "wrong" and "3 of 4 answers" in feedback.message


@pytest.mark.parametrize("answer", ["reboot", "readiness", None])
def test_platform_action_an_answer_outside_the_three_is_named(answer):
    feedback = ex.platform_action.check(lambda situation: answer)
    assert feedback.kind == "wrong" and "answer one of 'restart', 'stop traffic', 'nothing'" in feedback.message


def test_platform_action_answers_are_read_without_case_or_spaces():
    assert ex.platform_action.check(lambda s: f"  {RIGHT_ACTIONS[s].upper()} ").ok


def test_platform_action_that_exits_or_hangs_is_answered_in_words():
    assert "sys.exit" in ex.platform_action.check(lambda s: sys.exit(1)).message
    hung = ex.platform_action.check(forever)
    assert hung.kind == "wrong" and "did not finish within 5 s" in hung.message


# == owner: a business split into services, counted ===============================================
def owning(**changes):
    split = {**ex.BEST, **{data.replace("_", " "): service for data, service in changes.items()}}
    return lambda data: split[data]


def test_the_best_split_is_the_only_one_with_no_step_spread_and_the_fewest_calls():
    fewest = [combo for combo in itertools.product(ex.SERVICES, repeat=len(ex.DATA))
              if not ex.spread(owners := dict(zip(ex.DATA, combo))) and ex.count(owners) <= ex.count(ex.BEST)]
    assert [dict(zip(ex.DATA, combo)) for combo in fewest] == [ex.BEST]


def test_one_order_in_the_best_split_calls_catalog_twice_shipping_and_payments_once():
    assert ex.calls(ex.BEST)["place an order"] == [("read the price", ["catalog"]), ("take the stock", ["catalog"]),
                                                 ("quote the shipping", ["shipping"]), ("charge", ["payments"])]


def test_owner_stub_is_reported_unfinished():
    assert ex.owner.check(stub(LESSON, "owner")).kind == "unfinished"


def test_owner_solution_passes():
    feedback = ex.owner.check(solution(LESSON, "owner"))
    assert feedback.ok and "4 calls" in feedback.message, feedback.message


@pytest.mark.parametrize("changes, words", [
    ({"weight": "catalog"}, ["6 calls", "'quote the shipping' (price per kg, weight) is in catalog and shipping",
                             "weigh a new product (starts in shipping) makes 1 call"]),
    ({"price_per_kg": "catalog"}, ["6 calls", "'quote the shipping' (price per kg, weight) is in catalog and shipping"]),
    ({"charges": "orders"}, ["'charge' (charges, payment limit) is in orders and payments",
                             "refund an order (starts in payments) makes 1 call"]),
    ({"price": "orders"}, ["'list products' (price, product name, stock) is in catalog and orders"]),
])
def test_owner_data_moved_from_its_capability_gets_the_steps_it_spreads_and_the_calls_it_costs(changes, words):
    feedback = ex.owner.check(owning(**changes))
    assert feedback.kind == "wrong"
    for said in words:
        assert said in feedback.message


@pytest.mark.parametrize("everything", ["orders", "catalog"])
def test_owner_one_service_owning_everything_costs_the_other_teams_calls(everything):
    feedback = ex.owner.check(lambda data: everything)
    assert feedback.kind == "wrong" and "(the fewest possible is 4)" in feedback.message
    assert "Steps whose data" not in feedback.message and "makes 1 call, the best split 0" in feedback.message


def test_owner_the_whole_catalog_moved_into_orders_keeps_steps_whole_but_costs_calls():
    feedback = ex.owner.check(owning(product_name="orders", price="orders", stock="orders"))
    assert feedback.kind == "wrong" and "5 calls" in feedback.message and "restock (starts in catalog)" in feedback.message


@pytest.mark.parametrize("answer", ["inventory", "Catalog service", 3])
def test_owner_a_service_that_does_not_exist_is_named(answer):
    feedback = ex.owner.check(lambda data: answer)
    assert feedback.kind == "wrong" and "the services are catalog, orders, payments, shipping" in feedback.message


def test_owner_a_missing_piece_of_data_is_named():
    partial = {data: service for data, service in ex.BEST.items() if data != "weight"}
    feedback = ex.owner.check(lambda data: partial[data])
    assert feedback.kind == "wrong" and "owner('weight') raised KeyError" in feedback.message


def test_owner_that_exits_or_hangs_is_answered_in_words():
    assert "sys.exit" in ex.owner.check(lambda data: sys.exit()).message
    hung = ex.owner.check(forever)
    assert hung.kind == "wrong" and "did not finish within 5 s" in hung.message


# == the lesson's challenges ========================================================================
@pytest.mark.parametrize("extra, shop, option", [(0, 4, 0), (1, 4, 1), (3, 4, 1), (4, 4, 2), (9, 4, 2)])
def test_extra_calls_maps_the_requests_an_order_adds_to_its_option(extra, shop, option):
    assert ex.extra_calls.outcome((extra, shop)) == option


def test_extra_calls_reveal_names_what_the_run_counted():
    challenge = ex.extra_calls
    challenge.predicted = None
    assert ex.extra_calls.reveal((1, 4), "5 requests against 4").message == (
        "No prediction was made; the run shows: one or a few more: the stock is read, then written back, where "
        "the catalog reserves it in one call (5 requests against 4).")


@pytest.mark.parametrize("challenge, right", [(ex.with_closes, 1), (ex.disk_gone, 2)])
def test_the_lessons_choices_call_only_the_option_its_run_shows_right(challenge, right):
    kinds = [challenge.answer(i).kind for i in range(len(challenge.options))]
    assert kinds == ["right" if i == right else "misconception" for i in range(len(challenge.options))]
