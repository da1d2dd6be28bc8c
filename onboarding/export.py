"""The CRM hand-off file: one row per client, read from the journal, safe to open in a spreadsheet.

Values a spreadsheet would execute (a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return)
are neutralised with a leading apostrophe. The error column passes through the same redaction as
logs (a proxy may once have echoed the key into an error), and whatever odd data a journal holds,
every format is written: text that cannot be encoded (lone surrogates) and characters that XLSX
cannot store (most C0 controls) are replaced with U+FFFD.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from onboarding.redact import redact

if TYPE_CHECKING:  # pandas costs ~1 s to import: only the functions that build a frame load it
    import pandas as pd

    from onboarding.journal import ClientRecord

COLUMNS = [
    "client_id",
    "client_name",
    "client_email",
    "account_manager",
    "room_id",
    "room_title",
    "room_url",
    "client_link",
    "link_expires",
    "link_sign_in_only",
    "status",
    "error",
    "onboarded_at",
    "onboarded_by",
    "client_joined",
    "joined_at",
]

_HIDING_START = ("\t", "\r")
"""Leading characters that hide what follows from a reader (a formula may come after them)."""
_SURROGATES = re.compile("[\ud800-\udfff]")
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 (and so an XLSX sheet) cannot hold; tab, LF and CR are allowed."""
REPLACEMENT = "\ufffd"
_DIGITS = re.compile(r"(\d+)")


def _text(value: str) -> str:
    """Text that encodes as UTF-8 whatever the journal held."""
    return _SURROGATES.sub(REPLACEMENT, value)


def for_xlsx(value: str) -> str:
    """``value`` with the characters an XLSX cell cannot hold replaced (openpyxl refuses them)."""
    return _NOT_IN_XLSX.sub(REPLACEMENT, value)


def neutralise(value: str) -> str:
    """Prefix text that a spreadsheet would treat as a formula with an apostrophe.

    Phone numbers and negative amounts ("+1 555 0100", "-12.50") are left as they are, as the
    upload's corrected list leaves them (:func:`~onboarding.ingest.rows.looks_like_formula`):
    they cannot run, and an apostrophe would reach the CRM as part of the number.
    """
    from onboarding.ingest.rows import looks_like_formula

    risky = looks_like_formula(value) or value.startswith(_HIDING_START)
    return "'" + value if risky else value


def _iso(ts: float | None) -> str:
    if not ts:
        return ""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime(ISO_FORMAT)


ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""Every time in an export and a webhook payload: ISO 8601, in UTC, to the second."""
_API_TIME = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?")


def api_time(value: str) -> str:
    """A portal's date (``2026-12-30T10:00:00.0000000+03:00``: seven fraction digits, the portal's
    own offset) in the export's form (``2026-12-30T07:00:00Z``); text that is no such date as it is."""
    text = value.strip()
    found = _API_TIME.fullmatch(text)
    if found is None:
        return text
    zone = found.group(2) or "+00:00"  # the API always states its offset; none is taken as UTC
    try:
        when = dt.datetime.fromisoformat(found.group(1) + ("+00:00" if zone == "Z" else zone))
    except ValueError:
        return text
    return when.astimezone(dt.UTC).strftime(ISO_FORMAT)


def in_id_order(records: Sequence[ClientRecord]) -> list[ClientRecord]:
    """By client id, numbers compared as numbers (C-2 before C-10; ids equal that way, such as
    C-2 and C-02, by their text): one order for a journal, so that two
    exports of the same journal compare line by line (the journal's own order moves whenever a
    record is touched, by a join check or a renewal)."""
    return sorted(records, key=lambda r: id_key(r.client_id))


def id_key(client_id: str) -> tuple[list[int | str], str]:
    """The sort key of :func:`in_id_order`, for lists of anything that carries a client id."""
    return ([int(t) if i % 2 else t.casefold() for i, t in enumerate(_DIGITS.split(client_id))], client_id)


LINK_HIDDEN = frozenset({"archived", "offboarded"})
"""Statuses whose room is in the portal's Archive: the client link leads nowhere the client may go,
so the export and the webhook leave it out, as the dashboard does (``restore`` gives it back)."""


def record_row(rec: ClientRecord) -> dict[str, str]:
    """One export row (all values text)."""
    link = "" if rec.status in LINK_HIDDEN else rec.link_url
    row = {
        "client_id": rec.client_id,
        "client_name": rec.name,
        "client_email": rec.email,
        "account_manager": rec.manager_email,
        "room_id": "" if rec.room_id is None else str(rec.room_id),
        "room_title": rec.room_title,
        "room_url": rec.room_url,
        "client_link": link,
        "link_expires": api_time(rec.link_expires) if link else "",
        "link_sign_in_only": ("yes" if rec.link_sign_in_only else "no") if link else "",
        "status": rec.status,
        "error": redact(rec.error),
        "onboarded_at": _iso(rec.onboarded_at),
        "onboarded_by": rec.onboarded_by,
        "client_joined": "yes" if rec.joined_at else "no",
        "joined_at": _iso(rec.joined_at),
    }
    for k, v in rec.extra.items():
        if k not in row:
            row[k] = str(v)
    return {_text(k): _text(v) for k, v in row.items()}


def results_frame(records: Sequence[ClientRecord], *, safe: bool = True) -> pd.DataFrame:
    """The export as a DataFrame of strings; ``safe`` neutralises formula-like values."""
    import pandas as pd

    rows = [record_row(r) for r in records]
    extras: list[str] = []
    for row in rows:
        extras.extend(k for k in row if k not in COLUMNS and k not in extras)
    frame = pd.DataFrame(rows, columns=[*COLUMNS, *extras], dtype="string").fillna("")
    if safe:  # the column names too: an upload's own column may be headed "=HYPERLINK(…)"
        frame = frame.map(lambda v: neutralise(v) if isinstance(v, str) else v)
        frame.columns = [neutralise(str(c)) for c in frame.columns]
    return frame


def to_csv(records: Sequence[ClientRecord], *, excel: bool = False) -> bytes:
    """UTF-8 CSV; ``excel`` adds a BOM so that Excel detects the encoding."""
    # CRLF (RFC 4180) also makes the writer quote any value holding a bare CR or LF.
    text = results_frame(records).to_csv(index=False, lineterminator="\r\n")
    return (b"\xef\xbb\xbf" if excel else b"") + text.encode("utf-8")


SHEET = "Clients"
"""The XLSX export's one sheet."""
MAX_WIDTH = 60
"""Widest column of the XLSX export, in characters (longer text is cut off on screen, not in the cell)."""


def to_xlsx(records: Sequence[ClientRecord]) -> bytes:
    """One sheet of text cells (ids keep their zeros), its header frozen and filterable, each column
    as wide as its longest line up to :data:`MAX_WIDTH`."""
    import pandas as pd
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    frame = results_frame(records)
    frame.columns = [for_xlsx(str(c)) for c in frame.columns]
    frame = frame.map(for_xlsx)
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=SHEET)
        sheet = writer.sheets[SHEET]
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for i, name in enumerate(frame.columns, start=1):
            lines = (line for text in (name, *frame.iloc[:, i - 1]) for line in str(text).splitlines())
            width = max((len(line) for line in lines), default=0)
            sheet.column_dimensions[get_column_letter(i)].width = min(max(width, 6) + 2, MAX_WIDTH)
    return buf.getvalue()


def to_jsonl(records: Sequence[ClientRecord]) -> bytes:
    """JSON Lines for programs (not spreadsheets): values are left as they are."""
    frame = results_frame(records, safe=False)
    lines = (json.dumps(row, ensure_ascii=False) for row in frame.to_dict(orient="records"))
    return ("\n".join(lines) + ("\n" if len(frame) else "")).encode("utf-8")


FORMATS = {"csv": to_csv, "xlsx": to_xlsx, "jsonl": to_jsonl}
