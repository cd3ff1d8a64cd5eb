"""payments: charges orders, each at most once."""
__version__ = "1.1.0"
