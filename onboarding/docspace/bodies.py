"""What requests carry: share invitations, link bodies, and tag look-ups cut to the line limit.

Kept apart from ``client.py`` (one method per endpoint) because these are pure values that the
workflow builds and tests check without a portal.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any
from urllib.parse import urlencode

from onboarding.docspace.enums import FileShare, LinkType

PAGE_SIZE = 100
"""The server's maximum ``count`` for listings (``count`` > 100 is a 400)."""

TAG_QUERY_LIMIT = 6000
"""Most characters of the encoded ``tags`` parameter in one room look-up (the line limit is 8 KB)."""


def tag_chunks(tags: Sequence[str], *, limit: int = TAG_QUERY_LIMIT) -> list[list[str]]:
    """``tags`` (deduplicated, in order) cut into look-up requests that each fit under ``limit``.

    A chunk holds at most ``PAGE_SIZE`` tags and its URL-encoded JSON array at most ``limit``
    characters, measured as the transport sends it; a single tag longer than that gets a chunk
    of its own (the portal, not this client, then decides). Form encoding maps each character on
    its own, so a chunk's size is the sum of its parts' (linear: a plan looks up 10,000 tags).
    """
    chunks: list[list[str]] = []
    current = TagQuery()
    for tag in dict.fromkeys(tags):
        if not current.fits(tag, limit=limit):
            chunks.append(current.tags)
            current = TagQuery()
        current.add(tag)
    if current.tags:
        chunks.append(current.tags)
    return chunks


def _encoded_len(text: str) -> int:
    """``len(quote_plus(text))`` without building it: a space is ``+``, other unsafe bytes ``%XX``."""
    data = text.encode()
    return len(data) + 2 * (len(data.translate(None, _SAFE)) - data.count(b" "))


_SAFE = bytes(string.ascii_letters + string.digits + "_.-~", "ascii")
"""What ``quote_plus`` leaves as it is."""


_EMPTY = len(urlencode({"tags": "[]"}))
"""``tags=%5B%5D``: the parameter around the array's items."""
_SEPARATOR = _encoded_len(", ")
"""``json.dumps`` puts ``", "`` between items."""


class TagQuery:
    """Tags gathered for one look-up request, the size of their encoded query kept as they come.

    The run's shared look-up (:class:`~onboarding.workflow.tag_rooms.TagRooms`) asks, for each
    tag a client parks, whether it still fits the pending request: measured once per tag, not
    by encoding the whole batch again each time.
    """

    def __init__(self) -> None:
        self.tags: list[str] = []
        self._seen: set[str] = set()
        self._size = _EMPTY - _SEPARATOR
        self._measured: tuple[str, int] | None = None
        """The last tag measured and its cost: :meth:`fits` then :meth:`add` measure it once."""

    @property
    def size(self) -> int:
        """Characters of ``tags=<JSON array>`` once form-encoded, as ``requests`` puts it in the URL."""
        return self._size if self._seen else _EMPTY

    def fits(self, tag: str, *, limit: int = TAG_QUERY_LIMIT) -> bool:
        """Whether ``tag`` can join (a first tag always can; a repeated one costs nothing)."""
        if not self._seen or tag in self._seen:
            return True
        return len(self._seen) < PAGE_SIZE and self._size + self._cost(tag) <= limit

    def add(self, tag: str) -> None:
        self.tags.append(tag)
        if tag not in self._seen:
            self._seen.add(tag)
            self._size += self._cost(tag)

    def _cost(self, tag: str) -> int:
        if self._measured is None or self._measured[0] != tag:
            self._measured = (tag, _cost(tag))
        return self._measured[1]


def _cost(tag: str) -> int:
    """Characters ``tag`` adds to the query: itself quoted and encoded, and the separator before it."""
    return _SEPARATOR + _encoded_len(_json_string(tag))


_json_string: Callable[[str], str] = encode_basestring
"""``json.dumps(tag, ensure_ascii=False)`` for a string, without building an encoder per call."""


@dataclass(frozen=True)
class Invitation:
    """One entry of ``invitations`` in ``PUT files/rooms/{id}/share``: a user id *or* an e-mail."""

    access: FileShare
    user_id: str | None = None
    email: str | None = None

    def to_wire(self) -> dict[str, Any]:
        if bool(self.user_id) == bool(self.email):
            raise ValueError("an invitation names exactly one of user_id or email")
        key = "id" if self.user_id else "email"
        return {key: self.user_id or self.email, "access": int(self.access)}


@dataclass(frozen=True)
class LinkRequest:
    """Body of ``PUT files/rooms/{id}/links`` (RoomLinkRequest); ``link_id`` set = update."""

    link_type: LinkType
    access: FileShare
    title: str | None = None
    link_id: str | None = None
    expiration_date: str | None = None
    max_use_count: int | None = None
    password: str | None = None
    deny_download: bool | None = None

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"linkType": int(self.link_type), "access": int(self.access)}
        optional = {
            "title": self.title,
            "linkId": self.link_id,
            "expirationDate": self.expiration_date,
            "maxUseCount": self.max_use_count,
            "password": self.password,
            "denyDownload": self.deny_download,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return body


@dataclass(frozen=True)
class RoomFromTemplate:
    """Body of ``POST files/rooms/fromTemplate`` (``CreateRoomFromTemplateDto``: ``templateId`` and
    ``title`` required). The room type comes from the template; ``tags`` are the request's only (the
    template's own are not copied, ``FileStorageService.CreateRoomFromTemplateAsync``), so the
    client's tag goes here and is on the room from the moment it is saved."""

    template_id: int
    title: str
    tags: tuple[str, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"templateId": self.template_id, "title": self.title}
        if self.tags:
            body["tags"] = list(self.tags)
        return body
