"""The catalog's HTTP API. The monolith mounts this same router."""
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path
from pydantic import BaseModel, Field
from shop_chassis import get_db
from shop_chassis.api import WholeNumber, refusals

from catalog import domain

router = APIRouter(tags=["catalog"])
ProductId = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,40}$")]
UNKNOWN = {404: "Unknown product"}
# The stateful tests follow these: a product read or changed, then read or changed again.
THE_PRODUCT = {"product_id": "$response.body#/id"}
NEXT = {f"{verb} the product": {"operationId": op, "parameters": THE_PRODUCT}
        for verb, op in (("Read", "getProduct"), ("Reserve", "reserveProduct"), ("Release", "releaseProduct"))}


class Product(BaseModel):
    id: str
    name: str
    price_cents: int
    stock: int


class Quantity(BaseModel):
    quantity: WholeNumber = Field(gt=0, le=1000, examples=[2])


def _existing(conn, product_id: str) -> dict:
    product = domain.get_product(conn, product_id)
    if product is None:
        raise HTTPException(404, f"unknown product {product_id!r}")
    return product


@router.get("/products", operation_id="listProducts")
def list_products(conn=Depends(get_db)) -> list[Product]:
    return domain.list_products(conn)


@router.get("/products/{product_id}", operation_id="getProduct",
            responses={200: {"links": NEXT}, **refusals(UNKNOWN)})
def get_product(product_id: ProductId, conn=Depends(get_db)) -> Product:
    return _existing(conn, product_id)


@router.post("/products/{product_id}/reserve", operation_id="reserveProduct",
             responses={200: {"links": NEXT}, **refusals({**UNKNOWN, 409: "Not enough stock"})})
def reserve(product_id: ProductId, body: Quantity, conn=Depends(get_db)) -> Product:
    with conn:
        _existing(conn, product_id)
        if not domain.reserve(conn, product_id, body.quantity):
            raise HTTPException(409, f"not enough {product_id!r} in stock")
        return _existing(conn, product_id)


@router.post("/products/{product_id}/release", operation_id="releaseProduct",
             responses={200: {"links": NEXT}, **refusals(UNKNOWN)})
def release(product_id: ProductId, body: Quantity, conn=Depends(get_db)) -> Product:
    with conn:
        _existing(conn, product_id)
        domain.release(conn, product_id, body.quantity)
        return _existing(conn, product_id)
