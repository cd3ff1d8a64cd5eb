"""The shop's services answer what their OpenAPI documents say, and say what they answer:
every status a request can get is listed for its operation, with its JSON body's schema.

Each service runs in this process (TestClient) on its own database; orders gets fakes of its
two peers, the monolith its in-process ones."""
import jsonschema
import pytest
from fastapi.testclient import TestClient
from shop_chassis import Settings

from shipyard import services

SERVICES = ("catalog", "orders", "payments", "shop-monolith")
NOT_UTF8 = b'{"quantity": "\xb0\x0b"}'
JSON = {"content-type": "application/json"}


class FakeCatalog:
    def __init__(self):
        self.stock = {"keyboard": 5}

    def get_product(self, product_id):
        return {"id": product_id, "price_cents": 4900} if product_id in self.stock else None

    def reserve(self, product_id, quantity):
        if self.stock[product_id] < quantity:
            return False
        self.stock[product_id] -= quantity
        return True

    def release(self, product_id, quantity):
        self.stock[product_id] += quantity


class FakePayments:
    def __init__(self):
        self.down = False

    def charge(self, order_id, amount_cents):
        if self.down:
            orders_domain = services.import_module("orders", "orders.domain")
            raise orders_domain.Unavailable("payments is down")
        return "paid"


def build(name: str, folder):
    database = str(folder / f"{name}.sqlite3")
    if name == "orders":
        module = services.import_module("orders", "orders.app")
        extra = {**module.DEFAULTS, "CATALOG_URL": "http://catalog.invalid", "PAYMENTS_URL": "http://payments.invalid"}
        return module.build(Settings(name, database_path=database, extra=extra))
    module = services.import_module(name, {"catalog": "catalog.app", "payments": "payments.app",
                                           "shop-monolith": "shop_monolith.app"}[name])
    return module.build(Settings(name, database_path=database, extra={"PAYMENTS_LIMIT_CENTS": "50000"}))


@pytest.fixture(params=SERVICES)
def shop(request, tmp_path):
    """(name, client, its OpenAPI document, the fake payments orders uses, or None)."""
    app = build(request.param, tmp_path)
    with TestClient(app) as client:
        payments = None
        if request.param == "orders":
            catalog, payments = FakeCatalog(), FakePayments()
            app.state.ports = lambda conn: (catalog, payments)
        yield request.param, client, client.get("/openapi.json").json(), payments


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def documented(document: dict, method: str, path: str, status: int) -> dict:
    """The JSON Schema of an answer's body, as the operation documents it; fails if it does not."""
    answers = document["paths"][path][method.lower()]["responses"]
    assert str(status) in answers, f"{method} {path} answers {status}, which its OpenAPI does not list"
    schema = answers[str(status)]["content"]["application/json"]["schema"]
    return {**schema, "components": document["components"]}  # so that its $refs resolve


def check_against_document(document, method, path, response):
    assert response.headers["content-type"] == "application/json"
    jsonschema.validate(response.json(), documented(document, method, path, response.status_code))


def test_a_body_that_is_not_json_gets_the_documented_400(shop):
    name, client, document, _ = shop
    with_body = [(method, path) for method, path, operation in operations(document) if "requestBody" in operation]
    assert with_body, f"{name} has no operation that takes a body"
    for method, path in with_body:
        response = client.request(method, path.replace("{product_id}", "keyboard"), content=NOT_UTF8, headers=JSON)
        assert response.status_code == 400, f"{method} {path}: {response.status_code} {response.text}"
        check_against_document(document, method, path, response)


WHOLE_NUMBERS_WITH_A_POINT = {
    "catalog": [("POST", "/products/{product_id}/reserve", {"quantity": 2.0}),
                ("POST", "/products/{product_id}/release", {"quantity": 417.0})],
    "orders": [("POST", "/orders", {"product_id": "keyboard", "quantity": 2.0})],
    "payments": [("POST", "/payments", {"order_id": "o-1", "amount_cents": 1308.0})],
    "shop-monolith": [("POST", "/orders", {"product_id": "keyboard", "quantity": 2.0}),
                      ("POST", "/products/{product_id}/reserve", {"quantity": 417.0}),
                      ("POST", "/payments", {"order_id": "o-1", "amount_cents": 1308.0})],
}


def test_a_whole_number_written_with_a_decimal_point_is_the_integer_the_document_says_it_may_be(shop):
    """To JSON Schema, and so to OpenAPI, 417.0 is an integer: a service whose document says
    integer takes it, as 417."""
    name, client, document, _ = shop
    for method, path, body in WHOLE_NUMBERS_WITH_A_POINT[name]:
        (field, number), = [(key, value) for key, value in body.items() if isinstance(value, float)]
        assert document["components"]["schemas"][
            {"/orders": "OrderRequest", "/payments": "ChargeRequest"}.get(path, "Quantity")
        ]["properties"][field]["type"] == "integer"
        response = client.request(method, path.replace("{product_id}", "keyboard"), json=body)
        assert response.is_success, f"{method} {path} {body}: {response.status_code} {response.text}"
        check_against_document(document, method, path, response)
        assert field not in response.json() or response.json()[field] == int(number)


def test_a_405_lists_every_method_its_path_supports(shop):
    _, client, document, _ = shop
    for path, item in document["paths"].items():
        url = path.replace("{product_id}", "keyboard").replace("{order_id}", "abc")
        response = client.options(url)
        assert response.status_code == 405
        assert set(response.headers["allow"].split(", ")) == {method.upper() for method in item}, path


ANSWERS = {  # (method, path as documented, url, request, status): every answer each route can give
    "catalog": [
        ("GET", "/products", "/products", {}, 200),
        ("GET", "/products/{product_id}", "/products/keyboard", {}, 200),
        ("GET", "/products/{product_id}", "/products/teapot", {}, 404),
        ("GET", "/products/{product_id}", "/products/Tea%20pot", {}, 422),
        ("POST", "/products/{product_id}/reserve", "/products/keyboard/reserve", {"json": {"quantity": 1}}, 200),
        ("POST", "/products/{product_id}/reserve", "/products/teapot/reserve", {"json": {"quantity": 1}}, 404),
        ("POST", "/products/{product_id}/reserve", "/products/monitor/reserve", {"json": {"quantity": 21}}, 409),
        ("POST", "/products/{product_id}/reserve", "/products/keyboard/reserve", {"json": {"quantity": 0}}, 422),
        ("POST", "/products/{product_id}/reserve", "/products/keyboard/reserve",
         {"content": b"{" + b" " * 70_000 + b"}", "headers": JSON}, 413),
        ("POST", "/products/{product_id}/release", "/products/keyboard/release", {"json": {"quantity": 1}}, 200),
        ("POST", "/products/{product_id}/release", "/products/teapot/release", {"json": {"quantity": 1}}, 404),
        ("POST", "/products/{product_id}/release", "/products/keyboard/release", {"json": {}}, 422),
    ],
    "orders": [
        ("POST", "/orders", "/orders", {"json": {"product_id": "keyboard", "quantity": 1}}, 201),
        ("POST", "/orders", "/orders", {"json": {"product_id": "teapot", "quantity": 1}}, 422),
        ("POST", "/orders", "/orders", {"json": {"product_id": "keyboard", "quantity": "1"}}, 422),
        ("POST", "/orders", "/orders", {"json": {"product_id": "keyboard", "quantity": 99}}, 409),
        ("POST", "/orders", "/orders", {"json": {"product_id": "keyboard", "quantity": 1}, "payments down": True}, 503),
        ("POST", "/orders", "/orders", {"content": b"{" + b" " * 70_000 + b"}", "headers": JSON}, 413),
        ("GET", "/orders", "/orders", {}, 200),
        ("GET", "/orders/{order_id}", "/orders/abc", {}, 404),
        ("GET", "/orders/{order_id}", "/orders/xyz", {}, 422),
    ],
    "payments": [
        ("POST", "/payments", "/payments", {"json": {"order_id": "o-1", "amount_cents": 900}}, 200),
        ("POST", "/payments", "/payments", {"json": {"order_id": "o-2", "amount_cents": 90_000}}, 200),
        ("POST", "/payments", "/payments", {"json": {"order_id": "o 3", "amount_cents": 900}}, 422),
        ("POST", "/payments", "/payments", {"content": b"{" + b" " * 70_000 + b"}", "headers": JSON}, 413),
        ("GET", "/payments/{order_id}", "/payments/o-1", {}, 200),
        ("GET", "/payments/{order_id}", "/payments/nobody", {}, 404),
        ("GET", "/payments/{order_id}", "/payments/no%20body", {}, 422),
    ],
}
ANSWERS["shop-monolith"] = [answer for name in ("catalog", "payments") for answer in ANSWERS[name]] + [
    answer for answer in ANSWERS["orders"] if answer[-1] != 503 and answer[3].get("json", {}).get("quantity") != 99] + [
    ("POST", "/orders", "/orders", {"json": {"product_id": "monitor", "quantity": 21}}, 409)]


def test_every_answer_a_route_gives_is_in_its_openapi_with_the_json_body_it_has(shop):
    name, client, document, payments = shop
    for method, path, url, request, status in ANSWERS[name]:
        request = dict(request)
        if request.pop("payments down", False):
            payments.down = True
        response = client.request(method, url, **request)
        if payments is not None:
            payments.down = False
        assert response.status_code == status, f"{method} {url}: {response.status_code} {response.text[:200]}"
        check_against_document(document, method, path, response)


def test_every_operation_documents_a_json_body_for_each_of_its_errors(shop):
    _, _, document, _ = shop
    for method, path, operation in operations(document):
        for status, answer in operation["responses"].items():
            if int(status) >= 400:
                assert answer["content"]["application/json"]["schema"], f"{method} {path} {status}"
