"""The Clients table's read model: one row per client, the current upload merged with the journal.

A person works from one table (issue 14 item 4), so every client the journal knows on this portal
and every row of the upload in use become one :class:`ClientEntry` each, with a
:class:`ClientState` that says where it stands for a person, the real room title and URLs the
journal recorded, and the client link hidden once the room is archived (the link no longer leads
anywhere the client may go).

It is built for 2,000 rows and more on every page run: the journal is read once for the whole
portal (never per row), and entries are slotted dataclasses built from the records as they are,
with no validation per row.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from onboarding.journal import ClientRecord
from onboarding.workflow.context import ClientLike
from onboarding.workflow.identity import identity_differences
from onboarding.workflow.status import ClientState, ClientStatus

STATE_OF_STATUS: dict[str, ClientState] = {
    ClientStatus.PENDING: ClientState.READY,
    ClientStatus.RUNNING: ClientState.RUNNING,
    ClientStatus.DONE: ClientState.ONBOARDED,
    ClientStatus.FAILED: ClientState.FAILED,
    ClientStatus.BLOCKED: ClientState.BLOCKED,
    ClientStatus.DEFERRED: ClientState.DEFERRED,
    ClientStatus.ARCHIVED: ClientState.ARCHIVED,
    ClientStatus.OFFBOARDED: ClientState.ARCHIVED,
    ClientStatus.LOCKED: ClientState.READY,
}
"""The journal's stored status → the state a person sees (when nothing in the upload changes it)."""

ONBOARDABLE = frozenset(
    {ClientState.NEW, ClientState.READY, ClientState.FAILED, ClientState.BLOCKED, ClientState.DEFERRED}
)
"""States a run may start from (failed, blocked and deferred ones are a retry)."""
RETRY = frozenset({ClientState.FAILED, ClientState.BLOCKED, ClientState.DEFERRED})


@dataclass(frozen=True, slots=True)
class ClientEntry:
    """One client as the Clients table shows it (values as the journal or the upload hold them)."""

    client_id: str
    name: str
    email: str
    manager_email: str
    state: ClientState
    status: str
    """The journal's status ("" when the journal has never seen the client)."""
    room_id: int | None
    room_title: str
    """The room's real title as the journal recorded it ("" before a room exists)."""
    room_url: str
    link_url: str
    """The client's invitation link; "" while none exists and once the room is archived."""
    link_expires: str
    link_sign_in_only: bool
    error: str
    run_id: str
    onboarded_at: float | None
    updated_at: float
    joined_at: float | None
    in_upload: bool
    differences: tuple[tuple[str, str, str], ...]
    """For a conflict: (field, journal's value, upload's value) for name and e-mail that differ."""
    record: ClientRecord | None
    row: ClientLike | None

    @property
    def client(self) -> ClientLike | None:
        """What a run onboards: the upload's row (every column) or else the journal's record."""
        return self.row if self.row is not None else self.record

    @property
    def can_onboard(self) -> bool:
        return self.state in ONBOARDABLE and self.client is not None

    @property
    def is_retry(self) -> bool:
        return self.state in RETRY

    @property
    def can_archive(self) -> bool:
        """A room exists and is not archived (and no run is working on the client)."""
        return self.room_id is not None and self.state not in (ClientState.ARCHIVED, ClientState.RUNNING)

    @property
    def can_restore(self) -> bool:
        return self.state == ClientState.ARCHIVED and self.room_id is not None

    @property
    def can_deliver(self) -> bool:
        """Onboarded clients are what the CRM receives."""
        return self.status == ClientStatus.DONE


def state_of(
    record: ClientRecord | None,
    *,
    busy: bool = False,
    conflict: bool = False,
    now: float | None = None,
) -> ClientState:
    """The state of one client from its journal record, whether a live run holds it, and conflict.

    A record left ``running`` by a process that died (its lease ran out) is ready to resume, not
    running.
    """
    if busy:
        return ClientState.RUNNING
    if conflict:
        return ClientState.CONFLICT
    if record is None:
        return ClientState.NEW
    state = STATE_OF_STATUS.get(record.status, ClientState.READY)
    if state == ClientState.RUNNING:
        live = record.lease_until is not None and record.lease_until > (time.time() if now is None else now)
        return ClientState.RUNNING if live else ClientState.READY
    return state


def _entry(
    cid: str,
    record: ClientRecord | None,
    row: ClientLike | None,
    state: ClientState,
    differences: tuple[tuple[str, str, str], ...] = (),
) -> ClientEntry:
    archived = state == ClientState.ARCHIVED
    src = row if row is not None else record
    r = record
    return ClientEntry(
        client_id=cid,
        name=src.name if src is not None else "",
        email=(src.email or "") if src is not None else "",
        manager_email=(src.manager_email or "") if src is not None else "",
        state=state,
        status=r.status if r else "",
        room_id=r.room_id if r else None,
        room_title=r.room_title if r else "",
        room_url=r.room_url if r else "",
        link_url="" if r is None or archived else r.link_url,
        link_expires="" if r is None or archived else r.link_expires,
        link_sign_in_only=False if r is None or archived else r.link_sign_in_only,
        error=r.error if r else "",
        run_id=r.run_id if r else "",
        onboarded_at=r.onboarded_at if r else None,
        updated_at=r.updated_at if r else 0.0,
        joined_at=r.joined_at if r else None,
        in_upload=row is not None,
        differences=differences,
        record=record,
        row=row,
    )


def build(
    rows: Sequence[ClientLike],
    records: Iterable[ClientRecord],
    *,
    busy: Collection[str] | Mapping[str, str] = (),
    choices: Mapping[str, str] | None = None,
    now: float | None = None,
) -> list[ClientEntry]:
    """Every client once: the upload's rows first (file order), then the journal's others by id.

    The order is stable while runs change the clients (a table's row selection must keep
    pointing at the same clients from one page run to the next).

    ``choices`` are the person's answers to identity conflicts (client id → ``skip``, ``update``
    or ``new:<id>``): a skipped row leaves the journal's client as it is, an updated one is ready
    for the next run, and a row given a new id is a new client under that id.
    """
    now = time.time() if now is None else now
    choices = choices or {}
    known = {r.client_id: r for r in records}
    busy_ids = _still_busy(busy, known)
    out: list[ClientEntry] = []
    seen: set[str] = set()
    for row in rows:
        cid, choice = row.client_id, choices.get(row.client_id, "")
        if choice == "skip" or cid in seen:
            continue
        if choice.startswith("new:"):
            new_id = choice.removeprefix("new:")
            rec = known.get(new_id)
            state = state_of(rec, busy=new_id in busy_ids, now=now)
            out.append(_entry(new_id, rec, _renamed(row, new_id), state))
            seen.add(new_id)
            continue
        rec = known.get(cid)
        diffs = identity_differences(rec, row.name, row.email)
        differences = tuple((k, old, new) for k, (old, new) in diffs.items())
        conflict = bool(diffs) and choice != "update"
        state = state_of(rec, busy=cid in busy_ids, conflict=conflict, now=now)
        if diffs and choice == "update" and state == ClientState.ONBOARDED:
            state = ClientState.READY  # the run updates the record (and invites a new e-mail)
        out.append(_entry(cid, rec, row, state, differences))
        seen.add(cid)
    rest = sorted((r for cid, r in known.items() if cid not in seen), key=lambda r: r.client_id)
    for rec in rest:
        out.append(_entry(rec.client_id, rec, None, state_of(rec, busy=rec.client_id in busy_ids, now=now)))
    return out


FINISHED_IN_RUN = frozenset(
    {
        ClientStatus.DONE,
        ClientStatus.FAILED,
        ClientStatus.BLOCKED,
        ClientStatus.DEFERRED,
        ClientStatus.ARCHIVED,
        ClientStatus.OFFBOARDED,
    }
)
"""Stored statuses that end a client's part in the run that wrote them."""


def _still_busy(
    busy: Collection[str] | Mapping[str, str], known: Mapping[str, ClientRecord]
) -> frozenset[str]:
    """The clients a live run still works on.

    ``busy`` maps a client to the live run holding it (or is a plain set of ids). A run's thread
    lives on after its clients are finished (after-run notifications, the CRM webhook), so a client
    whose record that same run already finished is shown as the record says, not as running.
    """
    if not isinstance(busy, Mapping):
        return frozenset(busy)
    out = set()
    for cid, run_id in busy.items():
        rec = known.get(cid)
        if rec is not None and rec.run_id == run_id and rec.status in FINISHED_IN_RUN:
            continue
        out.add(cid)
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class _Renamed:
    """An upload row onboarded under a new id (the person's answer to a conflict)."""

    client_id: str
    name: str
    email: str | None
    manager_email: str | None
    extra: dict[str, str]


def _renamed(row: ClientLike, client_id: str) -> ClientLike:
    return _Renamed(client_id, row.name, row.email, row.manager_email, dict(row.extra))


def search_text(entry: ClientEntry) -> str:
    """What the search box looks in: id, name, e-mail, manager and room title, case-folded."""
    return "\x1f".join(
        (entry.client_id, entry.name, entry.email, entry.manager_email, entry.room_title)
    ).casefold()


def select_clients(
    entries: Sequence[ClientEntry],
    *,
    states: Collection[str] = (),
    text: str = "",
    run_id: str | None = None,
    upload_only: bool = False,
) -> list[ClientEntry]:
    """The entries that pass the filters (each empty filter passes everything).

    ``text`` matches anywhere in id, name, e-mail, manager or room title, ignoring case; every
    word of it must match.
    """
    words = text.casefold().split()
    wanted = frozenset(states)
    out = []
    for e in entries:
        if wanted and e.state not in wanted:
            continue
        if run_id is not None and e.run_id != run_id:
            continue
        if upload_only and not e.in_upload:
            continue
        if words:
            hay = search_text(e)
            if not all(w in hay for w in words):
                continue
        out.append(e)
    return out


def state_counts(entries: Iterable[ClientEntry]) -> dict[ClientState, int]:
    """How many entries are in each state (every state present, zeros included)."""
    out = dict.fromkeys(ClientState, 0)
    for e in entries:
        out[e.state] += 1
    return out
