"""What the journal hands back: one client's row, one run, one step event, one CRM delivery.

These are plain read models, the same whichever store holds the journal, so callers never see a
database row type. JSON columns (``extra``, ``progress``, ``summary``, ``blueprint``) are stored as
text and decoded here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from onboarding.workflow.status import ClientStatus

# Client statuses, in the journal and everywhere else (aliases of the one vocabulary).
PENDING, RUNNING, DONE, FAILED, DEFERRED, ARCHIVED, BLOCKED = (
    ClientStatus.PENDING,
    ClientStatus.RUNNING,
    ClientStatus.DONE,
    ClientStatus.FAILED,
    ClientStatus.DEFERRED,
    ClientStatus.ARCHIVED,
    ClientStatus.BLOCKED,
)


@dataclass
class ClientRecord:
    """One client's row in the journal."""

    portal: str
    client_id: str
    name: str = ""
    email: str = ""
    manager_email: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    tag: str = ""
    status: str = PENDING
    step: str = ""
    error: str = ""
    progress: dict[str, Any] = field(default_factory=dict)
    room_id: int | None = None
    room_title: str = ""
    room_url: str = ""
    link_url: str = ""
    link_expires: str = ""
    run_id: str = ""
    onboarded_at: float | None = None
    onboarded_by: str = ""
    updated_at: float = 0.0
    lease_owner: str | None = None
    lease_until: float | None = None
    joined_at: float | None = None
    """When the invited client was first seen active in the room (``check-joins``)."""
    accepted: list[str] = field(default_factory=list)
    """Audit differences a person accepted (their ``accept_key``): no longer reported."""

    @property
    def link_sign_in_only(self) -> bool:
        """The client's link came back internal: it opens only for people signed in to the portal.

        A portal that restricts external sharing turns new external links internal (docs/portals.md);
        the link step records that in its progress, and exports and the Results page say so.
        """
        link = self.progress.get("link")
        return bool(self.link_url) and isinstance(link, dict) and bool(link.get("internal"))

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ClientRecord:
        data = decode(row, "extra", "progress", keep=CLIENT_COLUMNS)
        accepted = data.get("accepted")
        data["accepted"] = json.loads(accepted) if isinstance(accepted, str) and accepted else []
        return cls(**data)


@dataclass(frozen=True)
class RunRecord:
    """One run (or roll-back) as the journal keeps it."""

    run_id: str
    portal: str
    actor: str
    kind: str
    started_at: float
    finished_at: float | None
    status: str
    owner: str
    total: int
    summary: dict[str, Any]
    blueprint: dict[str, Any]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RunRecord:
        return cls(**decode(row, "summary", "blueprint", keep=RUN_COLUMNS))


@dataclass(frozen=True)
class EventRecord:
    """One step outcome of one client in one run."""

    id: int
    run_id: str
    client_id: str
    step: str
    outcome: str
    detail: str
    at: float


CLIENT_COLUMNS = tuple(ClientRecord.__dataclass_fields__)
RUN_COLUMNS = tuple(RunRecord.__dataclass_fields__)
DELIVERY_COLUMNS = ("portal", "client_id", "key", "status", "attempts", "detail", "at")
"""A CRM delivery is handed back as a plain mapping with these keys (the webhook's own record)."""

UPDATABLE = frozenset(CLIENT_COLUMNS) - {
    "portal",
    "client_id",
    "updated_at",
    "lease_owner",
    "lease_until",
}
"""The client fields a caller may set; the key, the clock and the lease belong to the journal."""


def decode(row: Mapping[str, Any], *json_columns: str, keep: tuple[str, ...]) -> dict[str, Any]:
    """A row as a dict of the record's fields, with its JSON columns parsed.

    Columns a newer schema added for the store's own use (e.g. a lease's fencing token) are left
    out, so the records stay the same whichever store they come from.
    """
    data = {k: row[k] for k in keep if k in row}
    for column in json_columns:
        value = data.get(column)
        data[column] = json.loads(value) if isinstance(value, str) and value else (value or {})
    return data


def encode(value: Any) -> Any:
    """A field value as the journal stores it (documents as JSON text)."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value
