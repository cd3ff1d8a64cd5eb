"""The payments HTTP API. The monolith mounts this same router."""
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, Field
from shop_chassis import get_db
from shop_chassis.api import WholeNumber, refusals

from payments import domain

router = APIRouter(tags=["payments"])
OrderId = Annotated[str, Field(pattern=r"^[a-zA-Z0-9-]{1,64}$")]
CustomerId = Annotated[str, Field(pattern=r"^[a-zA-Z0-9-]{1,64}$")]
# Stateful tests follow this link: a charge, then the payment read back.
READ_IT = {"Read the payment": {"operationId": "getPayment", "parameters": {"order_id": "$response.body#/order_id"}}}


class ChargeRequest(BaseModel):
    order_id: OrderId = Field(examples=["3f2a9c0d1e4b"])
    amount_cents: WholeNumber = Field(gt=0, le=10_000_000, examples=[9800])
    # Who pays: optional. Only the raised-limit feature (behind its flag) reads it.
    customer_id: CustomerId | None = Field(default=None, examples=["c-0042"])


class Payment(BaseModel):
    order_id: str
    amount_cents: int
    status: Literal["paid", "declined"]  # declined: over the limit; a refusal of the card, not of the request


def limit_cents(request: Request, customer_id: str | None = None) -> int:
    """The card limit; twice as high for a customer the raised-limit feature flag is on for."""
    limit = int(request.app.state.settings.extra["PAYMENTS_LIMIT_CENTS"])
    return 2 * limit if request.app.state.flags.on("raised-limit", customer_id) else limit


@router.post("/payments", operation_id="chargeOrder", responses={200: {"links": READ_IT}})
def charge(body: ChargeRequest, request: Request, conn=Depends(get_db)) -> Payment:
    with conn:
        return domain.charge(conn, body.order_id, body.amount_cents, limit_cents(request, body.customer_id))


@router.get("/payments/{order_id}", operation_id="getPayment", responses=refusals({404: "No such payment"}))
def get_payment(order_id: Annotated[str, Path(pattern=r"^[a-zA-Z0-9-]{1,64}$")],
                conn=Depends(get_db)) -> Payment:
    payment = domain.get_payment(conn, order_id)
    if payment is None:
        raise HTTPException(404, f"no payment for order {order_id!r}")
    return payment
