"""Per-segment blueprints in the upload review: the segment column, each row's segment, its room title.

A row's segment travels in one place, ``ClientRow.extra`` under the blueprint's segment column name
(``[segments] column``): that is where the plan, the run and the journal read it
(:meth:`~onboarding.blueprint.Blueprint.choose`). When the file spells the header otherwise
("Tier" for "Segment") the person maps it in the review (``ColumnMapping.segment``), and its cells
are carried under the configured name, so nothing downstream needs the file's spelling.

Rows are checked here, after the file's own checks, so a problem is fixed in the review rather than
found as a blocked row in the plan: a value that names no segment is the row's error (quoting the
value, the column and the valid names) and the other rows go on. The room title is the row's own
blueprint's, rendered exactly as the plan renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from onboarding.ingest.models import ClientBatch, ClientRow, ColumnMapping, Issue
from onboarding.ingest.preview import PREVIEW_ISSUES, PREVIEW_ROW, PREVIEW_STATUS, PREVIEW_TITLE
from onboarding.segments import SegmentRules, UnknownSegment
from onboarding.titles import PatternError, room_names

if TYPE_CHECKING:
    import pandas as pd

    from onboarding.blueprint import Blueprint

__all__ = ["UNKNOWN_SEGMENT", "route_segments", "segment_header"]

UNKNOWN_SEGMENT = "segment_unknown"
SEGMENT_TITLE = "segment_title"


def segment_header(rules: SegmentRules, mapping: ColumnMapping, headers: list[str]) -> str | None:
    """The file's segment column: the one the person mapped, else the header spelling the configured name."""
    if mapping.segment is not None and mapping.segment in headers:
        return mapping.segment
    return rules.header_in(headers)


def route_segments(batch: ClientBatch, blueprint: Blueprint) -> ClientBatch:
    """``batch`` with each valid row checked against the blueprint's segments (see the module doc).

    Without segments, or for a batch a file-level error stopped, the batch is returned as it is.
    """
    rules = blueprint.segments
    if rules is None or batch.blocked:
        return batch
    header = segment_header(rules, batch.mapping, batch.headers)
    clients: list[ClientRow] = []
    found: list[Issue] = []
    titles: dict[int, str] = {}
    for c in batch.clients:
        problem, title = _check(c, header, rules, blueprint)
        if problem is not None:
            found.append(problem)
            continue
        extra = _carried(c.extra, header, rules.column)
        if title != c.room_title:
            titles[c.row_number] = title
        same = title == c.room_title and extra is c.extra
        clients.append(c if same else c.model_copy(update={"extra": extra, "room_title": title}))
    issues = sorted([*batch.issues, *found], key=lambda i: i.row_number or 0)
    return ClientBatch(
        preview=_Preview(batch, found, titles),
        clients=clients,
        issues=issues,
        mapping=batch.mapping.model_copy(update={"segment": header}),
        settings=batch.settings,
        source=batch.source,
        headers=batch.headers,
        total_rows=batch.total_rows,
    )


def _check(
    c: ClientRow, header: str | None, rules: SegmentRules, default: Blueprint
) -> tuple[Issue | None, str]:
    """(the row's error, or None; its room title under its segment's blueprint)."""
    value = (c.extra.get(header) or "").strip() if header else ""
    try:
        name = rules.name_for(value, column=header)
    except UnknownSegment as exc:
        return _error(c, header, UNKNOWN_SEGMENT, str(exc), value), c.room_title
    bp = default.for_segment(name)
    if bp.title_pattern == default.title_pattern:
        return None, c.room_title
    fields = {**c.extra, "client_id": c.client_id, "name": c.name}
    fields |= {"email": c.email or "", "manager_email": c.manager_email or ""}
    try:
        title = room_names(bp.title_pattern, bp.tag_pattern, fields).title
    except PatternError as exc:
        return _error(c, header, SEGMENT_TITLE, f"the {name} blueprint's room title: {exc}", value), ""
    if not title:
        message = f"the {name} blueprint's room title {bp.title_pattern!r} is empty for this row"
        return _error(c, header, SEGMENT_TITLE, message, value), ""
    return None, title


def _error(c: ClientRow, header: str | None, code: str, message: str, value: str) -> Issue:
    return Issue(
        row_number=c.row_number,
        column=header,
        field=None,
        severity="error",
        code=code,
        message=message,
        value=value,
    )


def _carried(extra: dict[str, str], header: str | None, column: str) -> dict[str, str]:
    """The row's extra columns with the segment cell under the configured name (file order kept).

    A different column already spelt exactly like the configured name keeps its cells under
    ``"<name> (not the segment)"``, so the export loses nothing.
    """
    if header is None or header == column or header not in extra:
        return extra
    out: dict[str, str] = {}
    for key, text in extra.items():
        if key == header:
            out[column] = text
        elif key == column:
            out[f"{column} (not the segment)"] = text
        else:
            out[key] = text
    return out


@dataclass(frozen=True)
class _Preview:
    """What builds the preview: the batch's own, with these rows' errors and room titles in
    (a picklable object: the dashboard caches batches with ``st.cache_data``)."""

    base: ClientBatch
    found: list[Issue] = field(default_factory=list)
    titles: dict[int, str] = field(default_factory=dict)

    def __call__(self) -> pd.DataFrame:
        if not self.found and not self.titles:
            return self.base.preview
        frame = self.base.preview.copy()
        where = {int(n): p for p, n in enumerate(frame[PREVIEW_ROW])}
        status, text, title = (
            list(frame.columns).index(c) for c in (PREVIEW_STATUS, PREVIEW_ISSUES, PREVIEW_TITLE)
        )
        for issue in self.found:
            p = where[issue.row_number or 0]
            frame.iat[p, status] = "error"
            said = f"{issue.column}: {issue.message}" if issue.column else issue.message
            frame.iat[p, text] = "; ".join(t for t in (str(frame.iat[p, text] or ""), said) if t)
        for number, new in self.titles.items():
            frame.iat[where[number], title] = new
        return frame
