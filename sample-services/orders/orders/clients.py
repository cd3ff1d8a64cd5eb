"""The ports over HTTP: how the orders service reaches catalog and payments."""
import httpx

from orders.domain import Unavailable


class _Remote:
    def __init__(self, client: httpx.Client, base_url: str):
        self.client, self.base_url = client, base_url.rstrip("/")

    def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = self.client.request(method, self.base_url + path, **kwargs)
        except httpx.TransportError as error:
            raise Unavailable(f"{self.base_url} did not answer: {error!r}") from error
        if response.status_code >= 500:
            raise Unavailable(f"{self.base_url} answered {response.status_code}")
        return response


class CatalogClient(_Remote):
    def get_product(self, product_id: str) -> dict | None:
        response = self._call("GET", f"/products/{product_id}")
        return response.json() if response.status_code == 200 else None

    def reserve(self, product_id: str, quantity: int) -> bool:
        return self._call("POST", f"/products/{product_id}/reserve", json={"quantity": quantity}).is_success

    def release(self, product_id: str, quantity: int) -> None:
        self._call("POST", f"/products/{product_id}/release", json={"quantity": quantity})


class PaymentsClient(_Remote):
    def charge(self, order_id: str, amount_cents: int) -> str:
        response = self._call("POST", "/payments", json={"order_id": order_id, "amount_cents": amount_cents})
        if response.status_code != 200:
            raise Unavailable(f"payments refused the charge: {response.status_code}")
        return response.json()["status"]
