"""Validate a :class:`RawTable` under a mapping and settings, collecting every issue.

Nothing here stops at the first problem: each row is checked completely, duplicates are found
across the whole sheet, and file-level problems (a required field with no column, a pattern that
names an unknown column) are reported as issues with no row number, so the caller can show the
mapping editor instead of a crash.

100,000 rows must validate in well under two seconds, so the work is done a column at a time and
only rows with a problem cost more: cell checks (:mod:`onboarding.ingest.cells`), field checks
with e-mail verdicts per distinct address and domain (:mod:`onboarding.ingest.columns`), titles
and tags from patterns compiled once (:mod:`onboarding.ingest.room_checks`), duplicates by one set
per key column; valid rows become :class:`ClientRow` objects without a second validation, and the
preview table is built when first shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from onboarding.ingest.cells import CellProblem, cell_problems
from onboarding.ingest.columns import FieldColumns, check_columns
from onboarding.ingest.gc_pause import gc_paused
from onboarding.ingest.homoglyph import mixed_script_parts
from onboarding.ingest.lookalike import differing_characters, skeleton
from onboarding.ingest.mapping import SYNONYMS, auto_map, normalize_header
from onboarding.ingest.models import (
    CANONICAL_FIELDS,
    ClientBatch,
    ClientRow,
    ColumnMapping,
    FieldName,
    IngestSettings,
    Issue,
    RawTable,
    SourceInfo,
    checked_rows,
)
from onboarding.ingest.preview import (
    PREVIEW_ISSUES,
    PREVIEW_ROW,
    PREVIEW_STATUS,
    PREVIEW_TITLE,
    PreviewParts,
)
from onboarding.ingest.reader import column_letter, other_sheets_hint
from onboarding.ingest.room_checks import compile_pattern, render_compiled, room_names
from onboarding.titles import PatternError, pattern_fields

__all__ = [
    "PREVIEW_ISSUES",
    "PREVIEW_ROW",
    "PREVIEW_STATUS",
    "PREVIEW_TITLE",
    "validate",
]

_compile = compile_pattern
_render = render_compiled
"""The names validation's pattern helpers had before they moved to :mod:`onboarding.ingest.room_checks`."""

_LABELS: dict[FieldName, str] = {
    "client_id": "client ID",
    "name": "client name",
    "email": "e-mail",
    "manager_email": "account manager e-mail",
}


@dataclass
class _Context:
    """What every check needs: column positions and how pattern placeholders resolve."""

    raw: RawTable
    mapping: ColumnMapping
    settings: IngestSettings
    index: dict[str, int]
    extra: list[str]
    placeholders: dict[str, FieldName | str] = field(default_factory=dict)
    """Placeholder -> canonical field, or a header for an extra column."""
    title_column: str | None = None
    field_columns: list[tuple[FieldName, int]] = field(default_factory=list)
    """Mapped fields and their column index."""
    field_of: dict[str, FieldName] = field(default_factory=dict)


def _resolve_placeholder(name: str, ctx: _Context) -> FieldName | str | None:
    if name in CANONICAL_FIELDS:
        return name
    if name in ctx.index:
        return name
    norm = normalize_header(name)
    return next((h for h in ctx.raw.headers if normalize_header(h) == norm), None)


def _file_issue(
    code: str, message: str, field_name: FieldName | None = None, severity: str = "error"
) -> Issue:
    return Issue(
        row_number=None, column=None, field=field_name, severity=severity, code=code, message=message
    )


def _missing_column(f: FieldName, headers: list[str], hint: str) -> str:
    """Which field has no column, the file's headers, and the header names that are found by themselves.

    Why: "Choose one" alone left the command line, which has no mapping to choose in, with nothing
    to do, and did not say what the file's headers were (an empty header cell reads "Column B").
    """
    shown = ", ".join(f"'{h}'" for h in headers[:12]) + (" …" if len(headers) > 12 else "")
    names = ", ".join(f"'{n}'" for n in SYNONYMS[f][:4])
    return (
        f"No column is mapped to the {_LABELS[f]}: none of the file's headers ({shown}) is a name for "
        f"it such as {names}. Choose its column in the dashboard's column mapping{hint}, or give the column one of "
        "those headers in the file and upload it again."
    )


def _repeated_header_issues(ctx: _Context) -> list[Issue]:
    """A mapped column whose header the file repeats: which one is used, and how to use another.

    Why: a CRM export with two "Email" columns (the company's, empty, then the contact's) had the
    first one mapped, and every row failed with "the e-mail is empty" while the addresses sat in
    the column next to it, renamed "Email (2)" without a word.
    """
    issues: list[Issue] = []
    position = {h: i for i, h in enumerate(ctx.raw.headers)}
    for f, header in ctx.mapping.mapped().items():
        if header not in position or f not in _LABELS:
            continue
        repeats = [
            h for h in ctx.raw.headers if h.startswith(f"{header} (") and _REPEAT.fullmatch(h[len(header) :])
        ]
        if not repeats:
            continue
        letters = ", ".join(column_letter(position[h]) for h in [header, *repeats])
        others = ", ".join(f"'{h}'" for h in repeats)
        issues.append(
            _file_issue(
                "repeated_header",
                f"The file has {len(repeats) + 1} columns headed '{header}' (columns {letters}): the "
                f"{_LABELS[f]} is read from the first, column {column_letter(position[header])}; the "
                f"other{'s read' if len(repeats) > 1 else ' reads'} as {others}. If the {_LABELS[f]} is "
                "in another, choose it in the dashboard's column mapping, or rename the headers in the file.",
                f,
                severity="warning",
            )
        )
    return issues


_REPEAT = re.compile(r" \([2-9][0-9]*\)")
"""The suffix the reader gives a repeated header: " (2)", " (3)"…"""


def _check_setup(ctx: _Context) -> list[Issue]:
    """Mapping and pattern problems that make row validation meaningless."""
    issues: list[Issue] = []
    s, m = ctx.settings, ctx.mapping
    for f, header in m.mapped().items():
        if header not in ctx.index:
            issues.append(
                _file_issue(
                    "unknown_column",
                    f"The {_LABELS[f]} is mapped to column '{header}', but the file has no such column.",
                    f,
                )
            )
    required: list[FieldName] = ["name"]
    required.append("email" if s.key == "email" else "client_id")
    if s.email_required and "email" not in required:
        required.append("email")
    missing: set[str] = set()
    for f in required:
        if m.header_for(f) is None:
            missing.add(f)
            hint = " (or choose the e-mail as the key)" if f == "client_id" else ""
            issues.append(_file_issue("missing_column", _missing_column(f, ctx.raw.headers, hint), f))
    issues.extend(_repeated_header_issues(ctx))
    hint = other_sheets_hint(ctx.raw.sheet, ctx.raw.sheets)
    if missing and hint:  # a workbook whose first sheet is notes or a cover page
        issues.append(
            _file_issue("other_sheets", f"This is sheet '{ctx.raw.sheet}'.{hint}", severity="warning")
        )
    if legacy := ctx.raw.legacy_lines:
        shown = ", ".join(str(n) for n in legacy[:10]) + (
            f" and {len(legacy) - 10} more" if len(legacy) > 10 else ""
        )
        many = len(legacy) > 1
        issues.append(
            _file_issue(
                "mixed_encoding",
                f"Line{'s' if many else ''} {shown} of the file {'are' if many else 'is'} not UTF-8 "
                "like the rest: read as Windows-1252. Check the accented letters of "
                f"{'those rows' if many else 'that row'}, or save the file as CSV UTF-8.",
                severity="warning",
            )
        )
    for label, pattern in (("room title", s.title_pattern), ("room tag", s.tag_pattern)):
        try:
            names = pattern_fields(pattern)
        except PatternError as exc:
            issues.append(_file_issue("bad_pattern", f"The {label} pattern is invalid: {exc}."))
            continue
        for name in names:
            target = _resolve_placeholder(name, ctx)
            if target is None:
                issues.append(
                    _file_issue(
                        "unknown_pattern_field",
                        f"The {label} pattern uses {{{name}}}, which is neither a client field "
                        "({client_id}, {name}, {email}, {manager_email}) nor a column of the file.",
                    )
                )
            elif target in missing:
                continue  # already reported as a missing column
            elif (
                target in CANONICAL_FIELDS
                and m.header_for(target) is None
                and not (target == "client_id" and s.key == "email")
            ):
                issues.append(
                    _file_issue(
                        "unmapped_pattern_field",
                        f"The {label} pattern uses {{{name}}}, but no column is mapped to it.",
                    )
                )
            else:
                ctx.placeholders[name] = target
                if label == "room title" and ctx.title_column is None:
                    ctx.title_column = m.header_for(target) if target in CANONICAL_FIELDS else target
    return issues


def _transpose(rows: list[list[str]], width: int) -> list[Sequence[str]]:
    """The sheet's columns; rows are ``width`` cells long (a shorter one is padded, as the reader does)."""
    if not rows:
        return [() for _ in range(width)]
    columns: list[Sequence[str]] = []
    columns.extend(zip(*rows, strict=False))
    if len(columns) < width:
        columns = []
        columns.extend(zip(*[(row + [""] * width)[:width] for row in rows], strict=True))
    del columns[width:]
    return columns


@dataclass
class _Rows:
    """Row validation's results: issues, the checked clients' fields by position, titles for the preview."""

    issues: list[Issue] = field(default_factory=list)
    clients: dict[int, dict[str, Any]] = field(default_factory=dict)
    rejected: set[int] = field(default_factory=set)
    """Positions with an error."""

    def add(self, number: int, column: str | None, f: FieldName | None, severity: str, code: str, message: str,
            value: str | None) -> None:  # fmt: skip
        self.issues.append(
            Issue(
                row_number=number,
                column=column,
                field=f,
                severity=severity,
                code=code,
                message=message,
                value=value,
            )
        )


def _cell_issues(ctx: _Context, out: _Rows, found: dict[int, list[CellProblem]]) -> None:
    numbers, headers = ctx.raw.row_numbers, ctx.raw.headers
    for position, cells in found.items():
        for cell in cells:
            header = headers[cell.column]
            out.add(
                numbers[position],
                header,
                ctx.field_of.get(header),
                cell.severity,
                cell.code,
                cell.message,
                cell.value,
            )
            if cell.severity == "error":
                out.rejected.add(position)


def _field_issues(ctx: _Context, out: _Rows, checked: FieldColumns, columns: list[Sequence[str]]) -> None:
    numbers, m = ctx.raw.row_numbers, ctx.mapping
    where = dict(ctx.field_columns)
    for position, problems in checked.problems.items():
        for f, code, message in problems:
            value = columns[where[f]][position] if f in where else ""
            out.add(numbers[position], m.header_for(f), f, "error", code, message, value)
        out.rejected.add(position)


def _check_rows(ctx: _Context) -> _Rows:
    """Everything that can be said about each row on its own, then duplicates across rows."""
    raw, s = ctx.raw, ctx.settings
    n = len(raw.rows)
    columns = _transpose(raw.rows, len(raw.headers))
    identity = {i for _, i in ctx.field_columns}
    # A column the room title or tag is made from is checked like the name: a text-direction
    # override there ("Client - Acme (\u202eKU)") would make the room's title read otherwise.
    identity.update(
        ctx.index[t] for t in ctx.placeholders.values() if t not in CANONICAL_FIELDS and t in ctx.index
    )
    out = _Rows()
    found = cell_problems(
        raw.rows, raw.headers, identity, s.limits.max_cell_chars, columns=columns, delimiter=raw.delimiter
    )
    _cell_issues(ctx, out, found)
    checked = check_columns(
        {f: columns[i] for f, i in ctx.field_columns}, n, email_required=s.email_required, key=s.key
    )
    _field_issues(ctx, out, checked, columns)
    _mixed_script_issues(ctx, out, columns)

    valid = [p for p in range(n) if p not in out.rejected] if out.rejected else range(n)
    values: dict[str, Sequence[str]] = {}
    for name, target in ctx.placeholders.items():
        if target in CANONICAL_FIELDS:
            column = checked.cleaned(target)
            values[name] = [column[p] or "" for p in valid]
        else:
            values[name] = (
                [columns[ctx.index[target]][p] for p in valid] if out.rejected else columns[ctx.index[target]]
            )
    names = room_names(s.title_pattern, s.tag_pattern, values, len(valid))
    for finding in names.findings:
        position = valid[finding.position]
        column_name = ctx.mapping.header_for("client_id") if finding.on_tag else ctx.title_column
        f: FieldName | None = "client_id" if finding.on_tag else None
        out.add(
            raw.row_numbers[position],
            column_name,
            f,
            finding.severity,
            finding.code,
            finding.message,
            finding.value,
        )
    out.rejected.update(valid[i] for i in names.rejected)

    extra_rows = list(zip(*(columns[ctx.index[h]] for h in ctx.extra), strict=True)) if ctx.extra else None
    cleaned = (checked.client_id, checked.name, checked.email, checked.manager_email)
    for i, position in enumerate(valid):
        if i in names.rejected:
            continue
        out.clients[position] = {
            "row_number": raw.row_numbers[position],
            "client_id": cleaned[0][position],
            "name": cleaned[1][position],
            "email": cleaned[2][position],
            "manager_email": cleaned[3][position],
            "extra": dict(zip(ctx.extra, extra_rows[position], strict=True)) if extra_rows else {},
            "room_title": names.titles[i],
            "room_tag": names.tags[i],
        }
    _number_id_issues(ctx, out, checked.client_id)
    _duplicate_issues(ctx, out, columns)
    _same_title_issues(ctx, out)
    _sheet_note_issues(ctx, out)
    return out


def _mixed_script_issues(ctx: _Context, out: _Rows, columns: list[Sequence[str]]) -> None:
    """E-mails mixing Latin with Cyrillic or Greek letters in one part (:mod:`onboarding.ingest.homoglyph`): refused, as
    browsers refuse to show such a domain."""
    where = dict(ctx.field_columns)
    for f in ("email", "manager_email"):
        if f not in where:
            continue
        column = columns[where[f]]
        if "\n".join(column).isascii():
            continue
        for position, value in enumerate(column):
            if position in out.rejected or value.isascii():
                continue
            for part, letters in mixed_script_parts(value.strip()):
                domain = part != value.strip().rpartition("@")[0]
                message = (
                    f"The {_LABELS[f]} '{value.strip()}' mixes Latin letters with {', '.join(letters)} in "
                    f"'{part}': it looks like an address it is not, and the invitation would go to "
                    f"{'another domain' if domain else 'another mailbox'} (browsers show such names as "
                    "'xn--…' for that reason). Check the address and type it again."
                )
                out.add(ctx.raw.row_numbers[position], ctx.mapping.header_for(f), f, "error",
                        "mixed_script_email", message, value)  # fmt: skip
                out.rejected.add(position)


_SCIENTIFIC = re.compile(r"(?m)^[0-9](?:[.,][0-9]+[eE][+-]?|[eE][+-])[0-9]+$")
"""``1.23457E+18``, ``1,23457E+18``, ``1.234567890123457e+18``, ``1E+18``: a long number ID as a
spreadsheet shows or a program prints it, its digits past the 15th (or the 6th) gone. ``1E5``
(no sign, no decimals) may be a code and passes."""
_DECIMAL_ZERO = re.compile(r"(?m)^[0-9]+\.0+$")
"""``1001.0``: an integer ID written by a program that read the column as decimals."""


_DATE = re.compile(
    r"(?im)^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}(?: [0-9]{2}:[0-9]{2}:[0-9]{2})?"
    r"|[0-9]{1,2}[-/ ](?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?:[-/ ][0-9]{2,4})?"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[-/ ][0-9]{2,4}"
    r"|[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4})$"
)
"""How a workbook's date cell reads (``2024-01-05``) and how a spreadsheet writes one to CSV
(``5-Jan``, ``Jan-24``, ``1/5/2024``)."""


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _may_hold_dates(joined: str) -> bool:
    """False when no ID can be a date: a few substring searches instead of :data:`_DATE` over every line."""
    if "/" in joined or _ISO_DATE.search(joined) is not None:
        return True
    folded = joined.casefold()
    return any(month in folded for month in _MONTHS)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _number_id_issues(ctx: _Context, out: _Rows, ids: Sequence[str]) -> None:
    """Client IDs a spreadsheet or a program turned into numbers or dates: rounded (refused), given a
    '.0' or made a date (said).

    Why: the ID becomes the room's tag, by which a room is found again. "1.23457E+18" is not the
    CRM's ID (and several clients may round to it); "1001.0" is not "1001", which a clean file
    of next month will carry, and so a second room.
    """
    header = ctx.mapping.header_for("client_id")
    if header is None or ctx.settings.key != "client_id":
        return
    joined = "\n".join(ids)
    scientific = "e" in joined.casefold() and _SCIENTIFIC.search(joined) is not None
    decimal = ".0" in joined and _DECIMAL_ZERO.search(joined) is not None
    dated = _may_hold_dates(joined) and _DATE.search(joined) is not None
    if not scientific and not decimal and not dated:
        return
    for position, value in enumerate(ids):
        number = ctx.raw.row_numbers[position]
        if scientific and _SCIENTIFIC.fullmatch(value):
            message = (
                f"The client ID '{value}' is a number in scientific notation: a spreadsheet stored the "
                "IDs as numbers and kept only their first digits, so this is not the CRM's ID. Format the "
                "ID column as Text (or export it again as text from the CRM), and upload the list again."
            )
            out.add(number, header, "client_id", "error", "id_scientific", message, value)
            out.rejected.add(position)
        elif decimal and _DECIMAL_ZERO.fullmatch(value):
            whole = value.split(".", 1)[0]
            message = (
                f"The client ID '{value}' ends in '.0', as a number written by a program that read the "
                f"IDs as decimals. If the CRM's ID is '{whole}', correct it: a room is found again by its "
                f"exact ID, and '{whole}' in a later list would be another client."
            )
            out.add(number, header, "client_id", "warning", "id_decimal", message, value)
        elif dated and _DATE.fullmatch(value):
            message = (
                f"The client ID '{value}' is a date: a spreadsheet turns IDs such as '1-5' or 'MAR1' into "
                "dates. If the CRM's ID is not this date, format the ID column as Text, type the ID again "
                "(or export it again from the CRM), and upload the list again."
            )
            out.add(number, header, "client_id", "warning", "id_date", message, value)


def _same_title_issues(ctx: _Context, out: _Rows) -> None:
    """A valid row whose room title is an earlier valid row's: a warning (DocSpace allows it, people cannot tell them apart)."""
    titles = {p: c["room_title"] for p, c in out.clients.items() if p not in out.rejected}
    if len(set(titles.values())) == len(titles):
        return
    first: dict[str, tuple[int, str]] = {}
    for position, title in sorted(titles.items()):
        client = out.clients[position]
        if title not in first:
            first[title] = (client["row_number"], client["client_id"])
            continue
        row, other = first[title]
        message = (
            f"The room title '{title}' is the same as row {row}'s (client {other}): two rooms of one name "
            "are hard to tell apart in DocSpace and in the invitation. Make the names differ, or put "
            "{client_id} in the room title pattern."
        )
        out.add(client["row_number"], ctx.title_column, None, "warning", "same_room_title", message, title)


def _sheet_note_issues(ctx: _Context, out: _Rows) -> None:
    """Cells that read as empty though the sheet shows (or computes) something: merged, or a formula never calculated."""
    raw = ctx.raw
    if not raw.merged and not raw.unsaved_formulas and not raw.hidden_rows:
        return
    where = {number: p for p, number in enumerate(raw.row_numbers)}
    for row in raw.hidden_rows:
        if row in where:
            message = (
                f"Row {row} is hidden in the spreadsheet (by a filter, a collapsed group or Hide), so it "
                "is left out: unticked on Upload, and skipped by the command line. To onboard it, tick "
                "it (or run with --include-hidden, or name it in --select)."
            )
            out.add(row, None, None, "warning", "hidden_row", message, "")
    width = len(raw.headers)

    def empty_cell(row: int, column: int) -> str | None:
        """The header of the cell at (row, column) when it is a data cell that reads as empty."""
        p = where.get(row)
        return raw.headers[column] if p is not None and column < width and not raw.rows[p][column] else None

    for first_row, first_col, last_row, last_col in raw.merged:
        top = f"{column_letter(first_col)}{first_row}"
        p = where.get(first_row)
        if p is not None and first_col < width:
            held = raw.rows[p][first_col]
        elif first_row == raw.header_row_number and first_col < width:
            held = raw.headers[first_col]
        else:
            continue  # merged from above the header (a title): nothing of a client's
        if not held:
            continue
        span = f"{top}:{column_letter(last_col)}{last_row}"
        for row in range(first_row + 1, last_row + 1):
            for column in range(first_col, last_col + 1):
                header = empty_cell(row, column)
                if header is None:
                    continue
                message = (
                    f"Cell {column_letter(column)}{row} is part of the merged cells {span}: the value "
                    f"shown there ('{held}') is held by {top} only, so this row's '{header}' is read as "
                    "empty. Unmerge the cells and fill in every row (or type the value here)."
                )
                out.add(row, header, ctx.field_of.get(header), "warning", "merged_cell", message, "")
    for row, column, formula in raw.unsaved_formulas:
        header = empty_cell(row, column)
        if header is None:
            continue
        what = f"the formula ={formula}" if formula else "a formula"
        message = (
            f"Cell {column_letter(column)}{row} holds {what}, but the file has no saved result for it "
            "(it was written by a program and never opened in a spreadsheet), so it is read as empty. "
            "Open the file in Excel or LibreOffice, save it, and upload it again."
        )
        out.add(row, header, ctx.field_of.get(header), "warning", "formula_without_value", message, "")


def _duplicate_issues(ctx: _Context, out: _Rows, columns: list[Sequence[str]]) -> None:
    """Later rows repeating a client key are errors; a repeated e-mail is only a warning.

    Keys are compared trimmed and case-insensitively: the key becomes a room tag, and the portal
    matches tags with a case-insensitive collation, so "c-1" and "C-1" would be the same client.
    A column without repeats (the usual case) costs one set; only one with repeats is walked.
    """
    m, s = ctx.mapping, ctx.settings
    key_field: FieldName = "email" if s.key == "email" else "client_id"
    key_label = "e-mail (the client key)" if key_field == "email" else "client ID"
    checks: list[tuple[FieldName, str, str, str]] = [(key_field, "error", "duplicate_key", key_label)]
    if key_field != "email":
        checks.append(("email", "warning", "duplicate_email", "e-mail"))
    for f, severity, code, label in checks:
        header = m.header_for(f)
        if header is None or header not in ctx.index:
            continue
        values = [v.strip() for v in columns[ctx.index[header]]]
        folded = [v.casefold() for v in values]
        skeletons = _skeletons(values, folded) if f == "client_id" else folded
        distinct = set(skeletons)
        blanks = folded.count("")
        if len(distinct) - (1 if blanks else 0) == len(folded) - blanks:
            continue
        first: dict[str, int] = {}
        first_look: dict[str, tuple[int, str]] = {}
        for position, (value, norm, look) in enumerate(zip(values, folded, skeletons, strict=True)):
            if not value:
                continue
            number = ctx.raw.row_numbers[position]
            if norm in first:
                tail = " Only the first row is imported." if severity == "error" else ""
                message = f"The same {label} '{value}' is already in row {first[norm]}.{tail}"
                out.add(number, header, f, severity, code, message, value)
                if severity == "error":
                    out.rejected.add(position)
            elif look in first_look:
                other_row, other = first_look[look]
                out.add(
                    number, header, f, "error", "lookalike_key", _lookalike(value, other, other_row), value
                )
                out.rejected.add(position)
            else:
                first[norm] = number
                first_look[look] = (number, value)


def _skeletons(values: list[str], folded: list[str]) -> list[str]:
    """Each ID as it reads (:func:`~onboarding.ingest.lookalike.skeleton`); plain ASCII IDs cost one check."""
    joined = "\n".join(values)
    if joined.isascii() and "  " not in joined and "\t" not in joined:
        return folded
    return [skeleton(v) for v in values]


def _lookalike(value: str, other: str, other_row: int) -> str:
    """Why a client ID that reads like an earlier row's is refused, naming the characters that differ."""
    named = differing_characters(value) + [
        c for c in differing_characters(other) if c not in differing_characters(value)
    ]
    what = f"differs only in {', '.join(named)}" if named else "differs only in its spaces"
    return (
        f"The client ID '{value}' looks like '{other}' in row {other_row} but {what}: it would be "
        "another client with a room that looks the same. Type the ID as the CRM has it (plain "
        "'-' and spaces), or give the client an ID of its own."
    )


def validate(
    raw: RawTable, mapping: ColumnMapping | None = None, settings: IngestSettings | None = None
) -> ClientBatch:
    """Check every row of ``raw`` and return the batch: valid clients, all issues, a preview.

    ``mapping`` defaults to :func:`~onboarding.ingest.mapping.auto_map` of the headers.
    """
    settings = settings or IngestSettings()
    mapping = mapping if mapping is not None else auto_map(raw.headers)
    index = {h: i for i, h in enumerate(raw.headers)}
    ctx = _Context(
        raw=raw, mapping=mapping, settings=settings, index=index, extra=mapping.extra_headers(raw.headers)
    )
    issues = _check_setup(ctx)
    clients: list[ClientRow] = []
    n = len(raw.rows)
    titles = [""] * n
    with gc_paused():
        if not any(i.severity == "error" for i in issues):
            ctx.field_columns = [(f, index[h]) for f, h in mapping.mapped().items() if h in index]
            ctx.field_of = {h: f for f, h in mapping.mapped().items()}
            rows = _check_rows(ctx)
            issues.extend(rows.issues)
            clients = checked_rows(c for p, c in rows.clients.items() if p not in rows.rejected)
            for p, c in rows.clients.items():
                titles[p] = c["room_title"]
            issues.sort(key=lambda i: (i.row_number or 0, index.get(i.column or "", -1)))
        status, messages = _row_status(raw, issues)
        return ClientBatch(
            clients=clients,
            issues=issues,
            mapping=mapping,
            settings=settings,
            source=SourceInfo(
                filename=raw.filename,
                format=raw.format,
                sheet=raw.sheet,
                sheets=raw.sheets,
                header_row_number=raw.header_row_number,
                encoding=raw.encoding,
                delimiter=raw.delimiter,
            ),
            headers=raw.headers,
            total_rows=n,
            preview=PreviewParts(raw, status, messages, titles),
        )


def _row_status(raw: RawTable, issues: list[Issue]) -> tuple[list[str], list[str]]:
    """Each row's status and issue text for the preview; only rows with issues need more than the default."""
    per_row: dict[int, list[Issue]] = {}
    for issue in issues:
        if issue.row_number is not None:
            per_row.setdefault(issue.row_number, []).append(issue)
    blocked = any(i.row_number is None and i.severity == "error" for i in issues)
    n = len(raw.rows)
    status = ["not checked" if blocked else "valid"] * n
    messages = [""] * n
    where = {number: p for p, number in enumerate(raw.row_numbers)} if per_row else {}
    for number, found in per_row.items():
        p = where[number]
        if not blocked:
            status[p] = "error" if any(i.severity == "error" for i in found) else "warning"
        messages[p] = "; ".join(f"{i.column}: {i.message}" if i.column else i.message for i in found)
    return status, messages
