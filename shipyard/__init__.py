"""Shipyard: the helper library the course's notebooks import.

Kept light on purpose: importing `shipyard` (as every service child does through
`shipyard.runtime.runner`) must not pull in matplotlib, widgets or HTTP clients.
"""
__version__ = "0.1.0"
