"""The shop split the wrong way, to measure what that costs (lesson 02): one service per table.

The catalog owns products, prices and stock together, with the rule that ties them: never
sell more than there is (`POST /products/{id}/reserve` checks and takes stock in one step).
Here the same data is split by table instead: `prices` (GET /prices/{id}) and `stock`
(GET and PUT /stock/{id}) are thin read/write services, and `orders` must call both for
every order and keep the stock rule itself: read the stock, decide, write it back.
Payments is the shop's own service. Each app uses the shop's chassis (health, /metrics),
so its requests are counted per route like the shop's.

    uvicorn shipyard.boundaries.by_table:prices   (or :stock, :orders; orders needs
    PRICES_URL, STOCK_URL and PAYMENTS_URL)

Like the shop's services, these import only FastAPI, httpx and the chassis.
"""
import uuid
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, Field
from shop_chassis import Settings, create_app, get_db

# The catalog's seed, split in two (tests check it still matches catalog.domain.SEED).
PRICES = {"keyboard": 4900, "mouse": 1900, "monitor": 18900}
STOCK = {"keyboard": 500, "mouse": 10000, "monitor": 20}
ProductId = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,40}$")]
VERSION = "0.1.0"


# -- prices: one table, read only --------------------------------------------------------
prices_api = APIRouter(tags=["prices"])


def prices_schema(conn) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS prices (id TEXT PRIMARY KEY, price_cents INTEGER NOT NULL)")
    conn.executemany("INSERT OR IGNORE INTO prices VALUES (?, ?)", PRICES.items())


@prices_api.get("/prices/{product_id}", responses={404: {"description": "Unknown product"}})
def get_price(product_id: ProductId, conn=Depends(get_db)) -> dict:
    row = conn.execute("SELECT price_cents FROM prices WHERE id = ?", (product_id,)).fetchone()
    if row is None:
        raise HTTPException(404, f"unknown product {product_id!r}")
    return {"product_id": product_id, "price_cents": row[0]}


# -- stock: one table, read and write; it knows numbers, not the rule ---------------------
stock_api = APIRouter(tags=["stock"])


class Level(BaseModel):
    stock: int = Field(ge=0)


def stock_schema(conn) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS stock (id TEXT PRIMARY KEY, stock INTEGER NOT NULL)")
    conn.executemany("INSERT OR IGNORE INTO stock VALUES (?, ?)", STOCK.items())


@stock_api.get("/stock/{product_id}", responses={404: {"description": "Unknown product"}})
def get_stock(product_id: ProductId, conn=Depends(get_db)) -> dict:
    row = conn.execute("SELECT stock FROM stock WHERE id = ?", (product_id,)).fetchone()
    if row is None:
        raise HTTPException(404, f"unknown product {product_id!r}")
    return {"product_id": product_id, "stock": row[0]}


@stock_api.put("/stock/{product_id}", responses={404: {"description": "Unknown product"}})
def set_stock(product_id: ProductId, body: Level, conn=Depends(get_db)) -> dict:
    with conn:
        if conn.execute("UPDATE stock SET stock = ? WHERE id = ?", (body.stock, product_id)).rowcount != 1:
            raise HTTPException(404, f"unknown product {product_id!r}")
    return {"product_id": product_id, "stock": body.stock}


# -- orders: the same API as the shop's orders, over prices and stock ---------------------
orders_api = APIRouter(tags=["orders"])
DEFAULTS = {"PRICES_URL": "", "STOCK_URL": "", "PAYMENTS_URL": ""}


class OrderRequest(BaseModel):
    product_id: str = Field(pattern=r"^[a-z0-9-]{1,40}$")
    quantity: int = Field(gt=0, le=1000, strict=True)


def orders_schema(conn) -> None:
    conn.execute("""CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, product_id TEXT NOT NULL,
        quantity INTEGER NOT NULL, amount_cents INTEGER NOT NULL, status TEXT NOT NULL)""")


def _call(request: Request, method: str, upstream: str, path: str, **kwargs) -> httpx.Response:
    base = request.app.state.settings.extra[upstream].rstrip("/")
    try:
        response = request.app.state.http.request(method, base + path, **kwargs)
    except httpx.TransportError as error:
        raise HTTPException(503, f"order not placed: {base} did not answer") from error
    if response.status_code >= 500:
        raise HTTPException(503, f"order not placed: {base} answered {response.status_code}")
    return response


def _change_stock(request: Request, product_id: str, by: int) -> bool:
    """The stock rule, outside the service that owns the stock: read, decide, write back."""
    level = _call(request, "GET", "STOCK_URL", f"/stock/{product_id}").json()["stock"]
    if level + by < 0:
        return False
    _call(request, "PUT", "STOCK_URL", f"/stock/{product_id}", json={"stock": level + by})
    return True


@orders_api.post("/orders", status_code=201, responses={
    409: {"description": "Not enough stock"}, 422: {"description": "Invalid order or unknown product"},
    503: {"description": "A service the order needs did not answer"}})
def place_order(body: OrderRequest, request: Request, conn=Depends(get_db)) -> dict:
    price = _call(request, "GET", "PRICES_URL", f"/prices/{body.product_id}")
    if price.status_code == 404:
        raise HTTPException(422, f"unknown product {body.product_id!r}")
    if not _change_stock(request, body.product_id, -body.quantity):
        raise HTTPException(409, f"not enough {body.product_id!r} in stock")
    order = {"id": uuid.uuid4().hex[:12], "product_id": body.product_id, "quantity": body.quantity,
             "amount_cents": price.json()["price_cents"] * body.quantity}
    payment = _call(request, "POST", "PAYMENTS_URL", "/payments",
                    json={"order_id": order["id"], "amount_cents": order["amount_cents"]}).json()["status"]
    if payment == "declined":
        _change_stock(request, body.product_id, body.quantity)  # compensate: no money, no reservation
    order["status"] = "paid" if payment == "paid" else "payment_declined"
    with conn:
        conn.execute("INSERT INTO orders VALUES (:id, :product_id, :quantity, :amount_cents, :status)", order)
    return order


def _connect(app) -> None:
    missing = [name for name, value in app.state.settings.extra.items() if not value]
    if missing:
        raise RuntimeError(f"orders (split by table) needs {' and '.join(missing)} set")
    app.state.http = httpx.Client(timeout=2)


prices = create_app(Settings.from_env("prices"), VERSION, [prices_api], prices_schema)
stock = create_app(Settings.from_env("stock"), VERSION, [stock_api], stock_schema)
orders = create_app(Settings.from_env("orders", **DEFAULTS), VERSION, [orders_api], orders_schema,
                    on_startup=_connect)
