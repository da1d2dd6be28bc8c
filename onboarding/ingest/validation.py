"""Validate a :class:`RawTable` under a mapping and settings, collecting every issue.

Nothing here stops at the first problem: each row is checked completely, duplicates are found
across the whole sheet, and file-level problems (a required field with no column, a pattern that
names an unknown column) are reported as issues with no row number, so the caller can show the
mapping editor instead of a crash.

100,000 rows must validate in well under two seconds, so the per-row work is kept to what each row
really needs: cell checks run a column at a time (:mod:`onboarding.ingest.cells`), patterns are
compiled once, e-mail verdicts are cached per domain, and valid rows skip pydantic validation
(their fields were just checked).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import TypeAdapter

from onboarding.ingest.cells import CellProblem, cell_problems
from onboarding.ingest.mapping import auto_map, normalize_header
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
)
from onboarding.ingest.rows import check_row
from onboarding.titles import (
    MAX_TAG_LENGTH,
    MAX_TITLE_LENGTH,
    PatternError,
    pattern_fields,
    portal_title,
    render_pattern,
    replaced_characters,
    utf16_length,
)

__all__ = [
    "PREVIEW_ISSUES",
    "PREVIEW_ROW",
    "PREVIEW_STATUS",
    "PREVIEW_TITLE",
    "validate",
]

PREVIEW_ROW = "_row"
PREVIEW_STATUS = "_status"
PREVIEW_ISSUES = "_issues"
PREVIEW_TITLE = "_room_title"

_LABELS: dict[FieldName, str] = {
    "client_id": "client ID",
    "name": "client name",
    "email": "e-mail",
    "manager_email": "account manager e-mail",
}


@dataclass
class _Context:
    """What every row needs: column positions and how pattern placeholders resolve."""

    raw: RawTable
    mapping: ColumnMapping
    settings: IngestSettings
    index: dict[str, int]
    extra: list[str]
    placeholders: dict[str, FieldName | str] = field(default_factory=dict)
    """Placeholder -> canonical field, or a header for an extra column."""
    title_column: str | None = None
    cells: dict[int, list[CellProblem]] = field(default_factory=dict)
    """Cell-level findings by row index (see :func:`onboarding.ingest.cells.cell_problems`)."""
    title_template: tuple[str, list[str]] | None = None
    tag_template: tuple[str, list[str]] | None = None
    field_columns: list[tuple[FieldName, int]] = field(default_factory=list)
    """Mapped fields and their column index, computed once rather than per row."""
    field_of: dict[str, FieldName] = field(default_factory=dict)


def _resolve_placeholder(name: str, ctx: _Context) -> FieldName | str | None:
    if name in CANONICAL_FIELDS:
        return name
    if name in ctx.index:
        return name
    norm = normalize_header(name)
    return next((h for h in ctx.raw.headers if normalize_header(h) == norm), None)


def _file_issue(code: str, message: str, field_name: FieldName | None = None) -> Issue:
    return Issue(row_number=None, column=None, field=field_name, severity="error", code=code, message=message)


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
            hint = " or choose the e-mail as the key" if f == "client_id" else ""
            issues.append(
                _file_issue(
                    "missing_column", f"No column is mapped to the {_LABELS[f]}. Choose one{hint}.", f
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


def _pattern_values(ctx: _Context, cleaned: dict[str, str | None], row: list[str]) -> dict[str, str]:
    return {
        name: (cleaned.get(target) or "") if target in CANONICAL_FIELDS else row[ctx.index[target]]
        for name, target in ctx.placeholders.items()
    }


_CLIENTS = TypeAdapter(list[ClientRow])
_MARK = re.compile("\x00([0-9]+)\x00")
_REPLACED = re.compile('[\t*+:"<>?|\\\\/\U00010000-\U0010ffff]')
"""A superset of what :func:`~onboarding.titles.replaced_characters` reports, to skip it cheaply."""


def _compile(pattern: str) -> tuple[str, list[str]] | None:
    """A pattern as a ``str.format`` template over its placeholder names, built once per batch.

    Rendering with numbered NUL markers uses :func:`~onboarding.titles.render_pattern`'s own
    parsing (``{{`` escapes, any header as a name); a pattern that itself holds NUL is left to it.
    """
    names = pattern_fields(pattern)
    if "\x00" in pattern:
        return None
    marked = render_pattern(pattern, {n: f"\x00{i}\x00" for i, n in enumerate(names)})
    parts = _MARK.split(marked)
    template = "".join(
        "{" + p + "}" if i % 2 else p.replace("{", "{{").replace("}", "}}") for i, p in enumerate(parts)
    )
    return template, names


def _render(compiled: tuple[str, list[str]] | None, fields: dict[str, str], pattern: str) -> str:
    if compiled is None:
        return render_pattern(pattern, fields)
    template, names = compiled
    return template.format(*[fields[n] for n in names])


def _row_issues(
    ctx: _Context, position: int, number: int, row: list[str]
) -> tuple[dict[str, Any] | None, list[Issue]]:
    """Everything that can be said about one row on its own (duplicates come later).

    A valid row comes back as the fields of its :class:`ClientRow`; :func:`validate` builds them all
    in one pydantic call, which costs less than a model per row.
    """
    m, s = ctx.mapping, ctx.settings
    issues: list[Issue] = []

    def add(
        severity: str, code: str, message: str, column: str | None, f: FieldName | None, value: str | None
    ) -> None:
        issues.append(
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

    for cell in ctx.cells.get(position, ()):
        header = ctx.raw.headers[cell.column]
        add(cell.severity, cell.code, cell.message, header, ctx.field_of.get(header), cell.value)

    values: dict[str, str] = {f: row[i] for f, i in ctx.field_columns}
    cleaned, problems = check_row(values, email_required=s.email_required, key=s.key)
    for f, code, message in problems:
        add("error", code, message, m.header_for(f), f, values.get(f, ""))
    if cleaned is None or (issues and any(i.severity == "error" for i in issues)):
        return None, issues

    fields = _pattern_values(ctx, cleaned, row)
    # Rendered as titles.room_names does for the plan (trimmed), from templates compiled once.
    raw_title = _render(ctx.title_template, fields, s.title_pattern).strip()
    plain = len(raw_title) <= MAX_TITLE_LENGTH // 2 and not _REPLACED.search(raw_title)
    title = raw_title if plain else portal_title(raw_title)
    if not title:
        add(
            "error",
            "title_empty",
            f"The room title is empty once the pattern '{s.title_pattern}' is applied; the portal rejects it.",
            ctx.title_column,
            None,
            raw_title,
        )
        return None, issues
    if not plain and utf16_length(raw_title) > MAX_TITLE_LENGTH:
        add(
            "warning",
            "title_too_long",
            f"The room title is longer than {MAX_TITLE_LENGTH} characters; it will be cut to: '{title}'.",
            ctx.title_column,
            None,
            title,
        )
    replaced = [] if plain else replaced_characters(raw_title)
    if replaced:
        shown = " ".join(repr(ch) for ch in replaced)
        add(
            "warning",
            "title_characters_replaced",
            f"The portal replaces {shown} with '_' in room titles; the room will be called '{title}'.",
            ctx.title_column,
            None,
            title,
        )
    tag = _render(ctx.tag_template, fields, s.tag_pattern).strip()
    if len(tag) > MAX_TAG_LENGTH // 2 and utf16_length(tag) > MAX_TAG_LENGTH:
        add(
            "warning",
            "tag_too_long",
            f"The room tag is longer than {MAX_TAG_LENGTH} characters; the portal may refuse it.",
            m.header_for("client_id"),
            "client_id",
            tag,
        )

    client = {
        "row_number": number,
        "client_id": cleaned["client_id"],
        "name": cleaned["name"],
        "email": cleaned["email"],
        "manager_email": cleaned["manager_email"],
        "extra": {h: row[ctx.index[h]] for h in ctx.extra},
        "room_title": title,
        "room_tag": tag,
    }
    return client, issues


def _duplicate_issues(ctx: _Context, numbers: list[int], rows: list[list[str]]) -> list[Issue]:
    """Later rows repeating a client key are errors; a repeated e-mail is only a warning.

    Keys are compared trimmed and case-insensitively: the key becomes a room tag, and the portal
    matches tags with a case-insensitive collation, so "c-1" and "C-1" would be the same client.
    """
    issues: list[Issue] = []
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
        col = ctx.index[header]
        first: dict[str, int] = {}
        for number, row in zip(numbers, rows, strict=True):
            value = row[col].strip()
            if not value:
                continue
            norm = value.casefold()
            if norm in first:
                tail = " Only the first row is imported." if severity == "error" else ""
                issues.append(
                    Issue(
                        row_number=number,
                        column=header,
                        field=f,
                        severity=severity,
                        code=code,
                        value=value,
                        message=f"The same {label} '{value}' is already in row {first[norm]}.{tail}",
                    )
                )
            else:
                first[norm] = number
    return issues


def _preview(raw: RawTable, status: list[str], messages: list[str], titles: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(raw.rows, columns=raw.headers, dtype="str")
    frame.insert(0, PREVIEW_TITLE, titles)
    frame.insert(0, PREVIEW_ISSUES, messages)
    frame.insert(0, PREVIEW_STATUS, status)
    frame.insert(0, PREVIEW_ROW, raw.row_numbers)
    return frame


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
    if not any(i.severity == "error" for i in issues):
        ctx.field_columns = [(f, index[h]) for f, h in mapping.mapped().items() if h in index]
        ctx.field_of = {h: f for f, h in mapping.mapped().items()}
        identity = {i for _, i in ctx.field_columns}
        ctx.cells = cell_problems(raw.rows, raw.headers, identity, settings.limits.max_cell_chars)
        ctx.title_template = _compile(settings.title_pattern)
        ctx.tag_template = _compile(settings.tag_pattern)
        by_row: dict[int, dict[str, Any]] = {}
        for position, (number, row) in enumerate(zip(raw.row_numbers, raw.rows, strict=True)):
            client, row_issues = _row_issues(ctx, position, number, row)
            issues.extend(row_issues)
            if client is not None:
                by_row[number] = client
        issues.extend(_duplicate_issues(ctx, raw.row_numbers, raw.rows))
        rejected = {i.row_number for i in issues if i.severity == "error"}
        clients = _CLIENTS.validate_python([c for num, c in by_row.items() if num not in rejected])
        titles = [by_row[num]["room_title"] if num in by_row else "" for num in raw.row_numbers]
        issues.sort(key=lambda i: (i.row_number or 0, index.get(i.column or "", -1)))

    per_row: dict[int, list[Issue]] = {}
    for issue in issues:
        if issue.row_number is not None:
            per_row.setdefault(issue.row_number, []).append(issue)
    blocked = any(i.row_number is None and i.severity == "error" for i in issues)
    status = ["not checked" if blocked else "valid"] * n
    messages = [""] * n
    where = {number: p for p, number in enumerate(raw.row_numbers)} if per_row else {}
    for number, found in per_row.items():  # only rows with issues need more than the default
        p = where[number]
        if not blocked:
            status[p] = "error" if any(i.severity == "error" for i in found) else "warning"
        messages[p] = "; ".join(f"{i.column}: {i.message}" if i.column else i.message for i in found)

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
        preview=_preview(raw, status, messages, titles),
    )
