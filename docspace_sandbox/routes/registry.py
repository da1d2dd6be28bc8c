"""The route registry and what every handler shares: the request, the reply, paging helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import errors as e
from ..backend import Backend
from ..binding import Body, Query
from ..model import User


@dataclass
class Request:
    """What a handler sees: route parameters, query, body and the authenticated user (or None)."""

    method: str
    path: str
    params: dict[str, str]
    query: Query
    body: bytes
    content_type: str | None
    actor: User | None

    def json(self, dto: str) -> Body:
        """The ``[FromBody]`` payload (415/400 like ASP.NET when absent or broken)."""
        return Body.parse(self.body, self.content_type, dto)

    def user(self) -> User:
        """The caller; routes without ``anonymous=True`` only run for authenticated callers."""
        assert self.actor is not None
        return self.actor

    def int_param(self, name: str) -> int:
        """A numeric route id; anything else names no entry (-1)."""
        raw = self.params[name]
        return int(raw) if raw.isdigit() else -1


@dataclass
class Reply:
    """A successful result; ``response=None`` drops the key and makes ``count`` 0."""

    response: Any = None
    count: int | None = None
    total: int | None = None


Handler = Callable[[Backend, Request], Reply]


@dataclass(frozen=True)
class Route:
    """One endpoint; ``anonymous`` mirrors ``[AllowAnonymous]`` (no 401 challenge)."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    anonymous: bool = False


ROUTES: list[Route] = []


def route(method: str, path: str, *, anonymous: bool = False) -> Callable[[Handler], Handler]:
    """Register a handler; ``{name}`` segments become route parameters."""
    regex = "^/api/2\\.0/" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$"

    def register(fn: Handler) -> Handler:
        ROUTES.append(Route(method, re.compile(regex), fn, anonymous))
        # Fewer parameters first (stable): like ASP.NET routing, a literal segment beats a
        # parameter, so ``files/rooms`` or ``files/fileops`` never fall to ``files/{folderId}``.
        ROUTES.sort(key=lambda r: r.pattern.groups)
        return fn

    return register


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """(route, params, path_known): the most specific route for this method, and whether any
    method fits the path (405 rather than 404)."""
    known = False
    for candidate in ROUTES:
        found = candidate.pattern.match(path)
        if found is None:
            continue
        known = True
        if candidate.method == method:
            return candidate, found.groupdict(), True
    return None, {}, known


def null_argument(name: str) -> e.BadArgument:
    """The server's ``ArgumentNullException`` for a missing value."""
    return e.BadArgument(
        f"Value cannot be null. (Parameter '{name}')",
        dotnet_type="System.ArgumentNullException",
        hresult=-2147467261,
    )


def paging(query: Query) -> tuple[int, int]:
    """``startIndex`` and ``count`` (1–100, default 100) as ``ApiContext`` reads them."""
    count = query.integer("count", 100, low=1, high=100)
    start = query.integer("startIndex", 0)
    return start, count


def check_start(start: int) -> None:
    """A negative ``startIndex`` reaches the DAO's ``Skip`` and fails there (400)."""
    if start < 0:
        raise e.BadArgument(
            f"from ('{start}') must be greater than or equal to '0'. (Parameter 'from')\nActual value was {start}.",
            dotnet_type="System.ArgumentOutOfRangeException",
            hresult=-2146233086,
        )
