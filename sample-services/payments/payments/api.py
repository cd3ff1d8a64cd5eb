"""The payments HTTP API. The monolith mounts this same router."""
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, Field
from shop_chassis import get_db

from payments import domain

router = APIRouter(tags=["payments"])
OrderId = Annotated[str, Field(pattern=r"^[a-zA-Z0-9-]{1,64}$")]


class ChargeRequest(BaseModel):
    order_id: OrderId
    amount_cents: int = Field(gt=0, le=10_000_000, strict=True)


class Payment(BaseModel):
    order_id: str
    amount_cents: int
    status: str


def limit_cents(request: Request) -> int:
    return int(request.app.state.settings.extra["PAYMENTS_LIMIT_CENTS"])


@router.post("/payments")
def charge(body: ChargeRequest, request: Request, conn=Depends(get_db)) -> Payment:
    with conn:
        return domain.charge(conn, body.order_id, body.amount_cents, limit_cents(request))


@router.get("/payments/{order_id}", responses={404: {"description": "No such payment"}})
def get_payment(order_id: Annotated[str, Path(pattern=r"^[a-zA-Z0-9-]{1,64}$")],
                conn=Depends(get_db)) -> Payment:
    payment = domain.get_payment(conn, order_id)
    if payment is None:
        raise HTTPException(404, f"no payment for order {order_id!r}")
    return payment
