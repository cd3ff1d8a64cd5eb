"""catalog: the shop's products, their prices and their stock."""
__version__ = "1.0.0"
