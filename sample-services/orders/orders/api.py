"""The orders HTTP API. `request.app.state.ports(conn)` gives the catalog and payments
ports: HTTP clients in the orders service, in-process calls in the monolith."""
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, Field
from shop_chassis import get_db
from shop_chassis.api import WholeNumber, refusals

from orders import domain

router = APIRouter(tags=["orders"])
# What can be done next with a placed order: read it back; where its document has them (the
# monolith's), read its product and its payment too. The chassis drops the links to operations
# a document lacks. Stateful tests follow these links.
FOLLOW_UPS = {
    "Read the order": {"operationId": "getOrder", "parameters": {"order_id": "$response.body#/id"}},
    "Read its product": {"operationId": "getProduct", "parameters": {"product_id": "$response.body#/product_id"}},
    "Read its payment": {"operationId": "getPayment", "parameters": {"order_id": "$response.body#/id"}}}


class OrderRequest(BaseModel):
    product_id: str = Field(pattern=r"^[a-z0-9-]{1,40}$", examples=["keyboard"])
    quantity: WholeNumber = Field(gt=0, le=1000, examples=[2])


class Order(BaseModel):
    id: str
    product_id: str
    quantity: int
    amount_cents: int
    status: Literal["paid", "payment_declined", "pending"]


@router.post("/orders", status_code=201, operation_id="placeOrder", responses={
    201: {"links": FOLLOW_UPS}, **refusals({409: "Not enough stock", 422: "Unknown product",
                                         503: "A service the order needs did not answer"})})
def place_order(body: OrderRequest, request: Request, conn=Depends(get_db)) -> Order:
    catalog, payments = request.app.state.ports(conn)
    try:
        with conn:
            order = domain.place_order(conn, catalog, payments, body.product_id, body.quantity)
    except domain.UnknownProduct:
        raise HTTPException(422, f"unknown product {body.product_id!r}") from None
    except domain.OutOfStock:
        raise HTTPException(409, f"not enough {body.product_id!r} in stock") from None
    except domain.Unavailable as error:
        raise HTTPException(503, f"order not placed: {error}") from error
    if (relay := getattr(request.app.state, "outbox", None)) is not None:
        relay.flush(block=False)  # committed: publish its event now rather than at the relay's next turn
    return order


@router.get("/orders", operation_id="listOrders")
def list_orders(conn=Depends(get_db)) -> list[Order]:
    return domain.list_orders(conn)


@router.get("/orders/{order_id}", operation_id="getOrder", responses=refusals({404: "No such order"}))
def get_order(order_id: Annotated[str, Path(pattern=r"^[a-f0-9]{1,32}$")], conn=Depends(get_db)) -> Order:
    order = domain.get_order(conn, order_id)
    if order is None:
        raise HTTPException(404, f"no order {order_id!r}")
    return order
