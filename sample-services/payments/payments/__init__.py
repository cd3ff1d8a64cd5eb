"""payments: charges orders, each at most once."""
__version__ = "1.0.0"
