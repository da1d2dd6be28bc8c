"""What requests carry: share invitations, link bodies, and tag look-ups cut to the line limit.

Kept apart from ``client.py`` (one method per endpoint) because these are pure values that the
workflow builds and tests check without a portal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
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
    of its own (the portal, not this client, then decides).
    """
    chunks: list[list[str]] = []
    current: list[str] = []
    for tag in dict.fromkeys(tags):
        candidate = [*current, tag]
        if current and (len(candidate) > PAGE_SIZE or _encoded_size(candidate) > limit):
            chunks.append(current)
            candidate = [tag]
        current = candidate
    if current:
        chunks.append(current)
    return chunks


def _encoded_size(tags: list[str]) -> int:
    """Characters of ``tags=<JSON array>`` once form-encoded, as ``requests`` puts it in the URL."""
    return len(urlencode({"tags": json.dumps(tags, ensure_ascii=False)}))


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
