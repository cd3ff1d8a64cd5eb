"""The answers the chassis gives before a service's code runs (400, 405, 413, 422) are JSON,
and every operation's OpenAPI lists the ones it can give, with the body's schema."""
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from shop_chassis import Settings, create_app
from shop_chassis.api import Error, WholeNumber, refusals

LIMIT = 1000
NOT_UTF8 = b'{"count": "\xb0\x0b"}'


class Things(BaseModel):
    count: WholeNumber = Field(gt=0, le=100)


router = APIRouter()


@router.get("/things", operation_id="listThings")
def list_things() -> list[int]:
    return [1, 2]


@router.post("/things", operation_id="addThings", responses={
    200: {"links": {"List them": {"operationId": "listThings"}, "Elsewhere": {"operationId": "notHere"}}},
    **refusals({409: "Too many things"})})
def add_things(body: Things) -> dict:
    return {"count": body.count}


def serve(folder, limit: int = LIMIT) -> TestClient:
    return TestClient(create_app(Settings("demo", database_path=str(folder / "demo.sqlite3"), max_body_bytes=limit),
                                 "1.0.0", [router], lambda conn: None))


@pytest.fixture
def client(tmp_path):
    with serve(tmp_path) as client:
        yield client


@pytest.fixture
def document(client):
    return client.get("/openapi.json").json()


def test_a_body_that_is_not_json_gets_a_400_with_the_documented_error_saying_so(client, document):
    response = client.post("/things", content=NOT_UTF8, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"detail": "the body is not JSON: it is not UTF-8 text"}
    assert document["paths"]["/things"]["post"]["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}


def test_a_body_nested_too_deeply_to_read_gets_a_400_saying_so(tmp_path):
    depth = 200_000  # deeper than Python's JSON reader goes, on any version
    with serve(tmp_path, limit=depth) as client:
        response = client.post("/things", content=b"[" * depth, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "nests too deeply" in response.json()["detail"]


def test_a_body_streamed_past_the_limit_without_a_length_gets_a_413_not_a_400(client):
    chunks = (b" " * 100 for _ in range(LIMIT // 100 + 1))  # no Content-Length: sent chunked
    response = client.post("/things", content=chunks, headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json() == {"detail": f"request body larger than {LIMIT} bytes"}


def test_a_405_names_every_method_of_its_path_not_only_those_of_the_first_route_tried(client):
    response = client.options("/things")
    assert response.status_code == 405 and response.json() == {"detail": "Method Not Allowed"}
    assert response.headers["allow"] == "GET, POST"


@pytest.mark.parametrize("count", [7, 7.0, 7e0])
def test_a_whole_number_is_an_integer_however_json_writes_it_as_json_schema_says(client, count):
    response = client.post("/things", json={"count": count})
    assert response.status_code == 200 and response.json() == {"count": 7}


@pytest.mark.parametrize("count", [7.5, "7", True, None, 1e300])
def test_a_fraction_a_string_a_boolean_or_a_huge_number_is_still_refused_with_422(client, count):
    response = client.post("/things", json={"count": count})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "count"]


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_or_infinity_in_a_body_gets_a_json_422_not_a_crash(client, constant):
    response = client.post("/things", content=b'{"count": ' + constant + b"}",
                           headers={"content-type": "application/json"})
    assert response.status_code == 422 and isinstance(response.json()["detail"][0]["input"], str)


def test_an_operation_that_takes_a_body_documents_400_413_and_422_besides_its_own_answers(document):
    answers = document["paths"]["/things"]["post"]["responses"]
    assert set(answers) == {"200", "400", "409", "413", "422"}
    for status in ("400", "409", "413"):
        assert answers[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert answers["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HTTPValidationError"}
    assert document["components"]["schemas"]["Error"] == Error.model_json_schema()


def test_an_operation_without_body_or_parameters_documents_only_what_it_answers(document):
    assert set(document["paths"]["/things"]["get"]["responses"]) == {"200"}


def test_a_link_to_an_operation_the_app_lacks_is_left_out_of_its_document(document):
    assert list(document["paths"]["/things"]["post"]["responses"]["200"]["links"]) == ["List them"]
