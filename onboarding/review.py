"""Fixing rows in place: a person's cell edits kept with an upload, bulk fixes, the corrected list.

Edits are the new text of (spreadsheet row number, column header) cells. They are applied to the
table as read from the file and the whole table is validated again, so an edited cell is checked
by exactly the rules the file was (a duplicate id created by an edit is found like any other).
The file itself is never changed: its bytes plus the edits are the upload, and that is what a
draft (:mod:`onboarding.drafts`) keeps. Bulk fixes only *compute* edits; nothing is applied
until the caller merges them, so a person can see what a fix would change.

Counting the batch against the journal (new / already onboarded / conflict) lives here too: it is
the review step's summary, made from one batch read of the journal's records.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from onboarding.errors import OnboardingError
from onboarding.ingest.models import (
    ClientBatch,
    ColumnMapping,
    FieldName,
    IngestSettings,
    RawTable,
)
from onboarding.ingest.rows import check_email, looks_like_formula
from onboarding.ingest.validation import validate
from onboarding.journal import ClientRecord
from onboarding.suggest import normalise_email, suggest_email
from onboarding.workflow.context import ClientLike
from onboarding.workflow.identity import identity_differences
from onboarding.workflow.status import ClientStatus

__all__ = [
    "MAX_EDITED_CELLS",
    "CellKey",
    "Edits",
    "ReviewCounts",
    "ReviewError",
    "Suggestion",
    "apply_edits",
    "corrected_csv",
    "count_against_journal",
    "fill_managers",
    "review",
    "suggestions",
    "tidy_emails",
]

CellKey = tuple[int, str]
"""(spreadsheet row number, column header as in the file)."""

MAX_EDITED_CELLS = 200_000
"""Edits kept with one upload (two bulk fixes over the largest file allowed fit); bounds a draft."""

EMAIL_FIELDS: tuple[FieldName, ...] = ("email", "manager_email")


class ReviewError(OnboardingError):
    """A fix that cannot be applied as asked (the message says why and what to do)."""


@dataclass(frozen=True)
class Edits:
    """The cells a person changed, with their new text; empty for an untouched upload."""

    cells: Mapping[CellKey, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.cells)

    def rows(self) -> set[int]:
        """Row numbers with at least one edited cell."""
        return {number for number, _ in self.cells}

    def merged(self, changes: Mapping[CellKey, str], original: RawTable) -> Edits:
        """These edits with ``changes`` on top; a cell set back to the file's own text stops being an edit."""
        index = {h: i for i, h in enumerate(original.headers)}
        where = {n: p for p, n in enumerate(original.row_numbers)}
        cells = dict(self.cells)
        for (number, header), text in changes.items():
            p, c = where.get(number), index.get(header)
            if p is None or c is None:
                raise ReviewError(f"Row {number}, column '{header}' is not in the file; nothing was changed.")
            if original.rows[p][c] == text:
                cells.pop((number, header), None)
            else:
                cells[(number, header)] = text
        if len(cells) > MAX_EDITED_CELLS:
            raise ReviewError(
                f"More than {MAX_EDITED_CELLS:,} edited cells: fix the file itself and upload it again."
            )
        return Edits(cells)

    def to_json(self) -> list[list[Any]]:
        """``[[row, header, text], …]``: JSON has no tuple keys."""
        return [[number, header, text] for (number, header), text in self.cells.items()]

    @classmethod
    def from_json(cls, data: object) -> Edits:
        """The inverse of :meth:`to_json`; entries of the wrong shape are dropped (a hand-edited draft)."""
        cells: dict[CellKey, str] = {}
        for item in data if isinstance(data, list) else []:
            if (
                isinstance(item, list)
                and len(item) == 3
                and isinstance(item[0], int)
                and isinstance(item[1], str)
                and isinstance(item[2], str)
            ):
                cells[(item[0], item[1])] = item[2]
        return cls(cells)


def apply_edits(raw: RawTable, edits: Edits) -> RawTable:
    """``raw`` with the edited cells replaced (a new table; ``raw`` is left as it is).

    Edits naming a row or column this table does not have (another sheet's) are ignored.
    """
    if not edits:
        return raw
    index = {h: i for i, h in enumerate(raw.headers)}
    where = {n: p for p, n in enumerate(raw.row_numbers)}
    rows = list(raw.rows)
    for (number, header), text in edits.cells.items():
        p, c = where.get(number), index.get(header)
        if p is None or c is None:
            continue
        if rows[p] is raw.rows[p]:
            rows[p] = list(rows[p])
        rows[p][c] = text
    return dataclasses.replace(raw, rows=rows)


def review(
    raw: RawTable, edits: Edits, mapping: ColumnMapping | None, settings: IngestSettings
) -> ClientBatch:
    """The batch as validated after the person's edits (the file's own checks, run again)."""
    return validate(apply_edits(raw, edits), mapping, settings)


def _columns(raw: RawTable, mapping: ColumnMapping, fields: Iterable[FieldName]) -> list[tuple[int, str]]:
    index = {h: i for i, h in enumerate(raw.headers)}
    found = [(index[h], h) for f in fields if (h := mapping.header_for(f)) is not None and h in index]
    return list(dict.fromkeys(found))


def tidy_emails(raw: RawTable, mapping: ColumnMapping) -> dict[CellKey, str]:
    """Edits that trim and normalise every client and manager e-mail (see :func:`normalise_email`)."""
    changes: dict[CellKey, str] = {}
    for c, header in _columns(raw, mapping, EMAIL_FIELDS):
        for number, row in zip(raw.row_numbers, raw.rows, strict=True):
            tidy = normalise_email(row[c])
            if tidy != row[c]:
                changes[(number, header)] = tidy
    return changes


def fill_managers(raw: RawTable, mapping: ColumnMapping, address: str) -> dict[CellKey, str]:
    """Edits that put ``address`` in every empty account-manager cell.

    Raises :class:`ReviewError` when no column holds the account manager or the address is invalid.
    """
    columns = _columns(raw, mapping, ("manager_email",))
    if not columns:
        raise ReviewError(
            "No column is mapped to the account manager e-mail: choose one under “Sheet and columns” first."
        )
    normalized, reason = check_email(address.strip())
    if normalized is None:
        raise ReviewError(f"'{address.strip()}' is not a valid e-mail address: {reason}")
    c, header = columns[0]
    return {
        (n, header): normalized
        for n, row in zip(raw.row_numbers, raw.rows, strict=True)
        if not row[c].strip()
    }


@dataclass(frozen=True)
class Suggestion:
    """A likely correction of one e-mail cell (see :func:`onboarding.suggest.suggest_email`)."""

    row_number: int
    header: str
    value: str
    suggestion: str

    @property
    def key(self) -> CellKey:
        return (self.row_number, self.header)


def suggestions(raw: RawTable, mapping: ColumnMapping) -> list[Suggestion]:
    """Every e-mail cell (client and manager) with a suggested correction that is a valid address,
    in row order."""
    found: list[Suggestion] = []
    for c, header in _columns(raw, mapping, EMAIL_FIELDS):
        for number, row in zip(raw.row_numbers, raw.rows, strict=True):
            fixed = suggest_email(row[c]) if "@" in row[c] else None
            if fixed is not None and check_email(fixed)[0] is not None:
                found.append(Suggestion(number, header, row[c], fixed))
    found.sort(key=lambda s: s.row_number)
    return found


def corrected_csv(raw: RawTable, *, excel: bool = False) -> bytes:
    """The (edited) table as UTF-8 CSV with the file's headers; ``excel`` adds a byte-order mark.

    Every row is written, bad ones too, so nothing is lost on the way back to the CRM. A cell a
    spreadsheet would run as a formula gets a leading apostrophe (phone numbers do not).
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    safe = ["'" + v if looks_like_formula(v) else v for v in raw.headers]
    writer.writerow(safe)
    for row in raw.rows:
        writer.writerow(["'" + v if v and looks_like_formula(v) else v for v in row])
    return (b"\xef\xbb\xbf" if excel else b"") + buf.getvalue().encode("utf-8", "replace")


@dataclass(frozen=True)
class ReviewCounts:
    """Where the batch's valid rows stand in the journal, before any plan is made."""

    new: int
    onboarded: int
    conflicts: int
    """Conflicts still waiting for a person's choice (a chosen one is counted as it was resolved)."""
    unfinished: int
    """Started before (failed, deferred, running, archived…): a run resumes or reports them."""
    updates: int = 0
    """Conflicts resolved by updating the journal's record to the row: the next run updates them."""
    skipped: int = 0
    """Rows a person chose to skip (a conflict left as the journal has it): no run takes them."""


def count_against_journal(
    clients: Sequence[ClientLike],
    records: Mapping[str, ClientRecord],
    choices: Mapping[str, str] | None = None,
) -> ReviewCounts:
    """Classify each row by the journal's record under its id (see :mod:`onboarding.workflow.identity`).

    A row whose name or e-mail differs from what was onboarded under its id is a conflict, whatever
    the record's status; otherwise an ``onboarded`` record makes it already onboarded, no record
    (or one nothing was written for) makes it new.

    ``choices`` are the person's answers to conflicts (client id → ``skip``, ``update`` or
    ``new:<id>``, as the Onboard page and :func:`onboarding.directory.build` read them), so these
    counts agree with the plan's: a skipped row is skipped, an updated one is to update, and a row
    given a new id is counted under that id (``records`` must hold the new ids' records too).
    """
    choices = choices or {}
    new = onboarded = conflicts = unfinished = updates = skipped = 0
    for c in clients:
        cid, choice = c.client_id, choices.get(c.client_id, "")
        if choice == "skip":
            skipped += 1
            continue
        if choice.startswith("new:"):
            cid = choice.removeprefix("new:")
        record = records.get(cid)
        if identity_differences(record, c.name, c.email):
            if choice == "update":
                updates += 1
            else:
                conflicts += 1
        elif record is None or record.status in (ClientStatus.PENDING, ClientStatus.BLOCKED):
            new += 1
        elif record.status == ClientStatus.DONE:
            onboarded += 1
        else:
            unfinished += 1
    return ReviewCounts(new, onboarded, conflicts, unfinished, updates, skipped)
