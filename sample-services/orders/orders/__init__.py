"""orders: places orders, asking the catalog for stock and payments for money."""
__version__ = "1.1.0"
