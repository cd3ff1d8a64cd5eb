"""The shop's service chassis: what every service needs and none should write again.

A chassis (Chris Richardson's name for it) gives each service the same health check,
metrics, error bodies, body-size limit and database handling, so a service's own code is
only its business capability. Services depend on it like on any library.
"""
from shop_chassis.app import Settings, create_app
from shop_chassis.db import get_db

__all__ = ["create_app", "Settings", "get_db"]
__version__ = "0.2.0"
