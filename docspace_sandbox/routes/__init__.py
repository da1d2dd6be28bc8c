"""The API routes, one module per resource (as the backend is split): bind the request, call the
backend, render the DTO. No state lives here; :mod:`.registry` holds the route table.
"""

from __future__ import annotations

from . import files, operations, people, rooms, sharing, templates
from .registry import ROUTES, Reply, Request, Route, match, route

__all__ = [
    "ROUTES",
    "Reply",
    "Request",
    "Route",
    "files",
    "match",
    "operations",
    "people",
    "rooms",
    "route",
    "sharing",
    "templates",
]
