"""shop-monolith: catalog, orders and payments in one process with one database."""
__version__ = "1.0.0"
