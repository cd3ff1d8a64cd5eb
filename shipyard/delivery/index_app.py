"""The child side of `shipyard.delivery.index`: pypiserver serving one folder of packages.

Anyone may download; uploading asks for the user and password the kernel made; a version,
once published, is never overwritten; and a package the index does not hold is not fetched
from pypi.org (pypiserver's fallback is off: nothing here leaves the machine).
"""
import os
import secrets

import pypiserver
from a2wsgi import WSGIMiddleware


def _may_upload(user: str, password: str) -> bool:
    expected = f"{os.environ['INDEX_USER']}:{os.environ['INDEX_PASSWORD']}".encode()
    return secrets.compare_digest(f"{user}:{password}".encode(), expected)


# pypiserver is a WSGI app; the course's runner serves ASGI, hence the adapter.
app = WSGIMiddleware(pypiserver.app(
    roots=[os.environ["INDEX_PACKAGES"]], authenticate=["update"], auther=_may_upload,
    overwrite=False, disable_fallback=True, health_endpoint="/health"))
