"""The catalog's HTTP API. The monolith mounts this same router."""
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path
from pydantic import BaseModel, Field
from shop_chassis import get_db

from catalog import domain

router = APIRouter(tags=["catalog"])
ProductId = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,40}$")]


class Product(BaseModel):
    id: str
    name: str
    price_cents: int
    stock: int


class Quantity(BaseModel):
    quantity: int = Field(gt=0, le=1000, strict=True)


def _existing(conn, product_id: str) -> dict:
    product = domain.get_product(conn, product_id)
    if product is None:
        raise HTTPException(404, f"unknown product {product_id!r}")
    return product


@router.get("/products")
def list_products(conn=Depends(get_db)) -> list[Product]:
    return domain.list_products(conn)


@router.get("/products/{product_id}", responses={404: {"description": "Unknown product"}})
def get_product(product_id: ProductId, conn=Depends(get_db)) -> Product:
    return _existing(conn, product_id)


@router.post("/products/{product_id}/reserve",
             responses={404: {"description": "Unknown product"}, 409: {"description": "Not enough stock"}})
def reserve(product_id: ProductId, body: Quantity, conn=Depends(get_db)) -> Product:
    with conn:
        _existing(conn, product_id)
        if not domain.reserve(conn, product_id, body.quantity):
            raise HTTPException(409, f"not enough {product_id!r} in stock")
        return _existing(conn, product_id)


@router.post("/products/{product_id}/release", responses={404: {"description": "Unknown product"}})
def release(product_id: ProductId, body: Quantity, conn=Depends(get_db)) -> Product:
    with conn:
        _existing(conn, product_id)
        domain.release(conn, product_id, body.quantity)
        return _existing(conn, product_id)
