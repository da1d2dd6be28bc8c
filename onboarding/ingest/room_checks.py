"""Room titles and tags for every valid row, rendered from patterns compiled once, checked a column at a time.

Titles are rendered as :func:`onboarding.titles.room_names` renders them for the plan (trimmed), so
what the preview shows is what the engine sends. Most titles are short and hold nothing the portal
replaces; one search over all of them together establishes that, and only the others go through
:func:`~onboarding.titles.portal_title` and its warnings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from onboarding.titles import (
    LINE_BREAKS_RE,
    MAX_TAG_LENGTH,
    MAX_TITLE_LENGTH,
    pattern_fields,
    portal_title,
    render_pattern,
    replaced_characters,
    utf16_length,
)

__all__ = [
    "RoomNameFinding",
    "RoomNames",
    "compile_pattern",
    "render_column",
    "render_compiled",
    "room_names",
]

Compiled = tuple[str, list[str]]
"""A ``str.format`` template over positional fields, and the placeholder names in that order."""

_MARK = re.compile("\x00([0-9]+)\x00")
_REPLACED = re.compile('[\t*+:"<>?|\\\\/\U00010000-\U0010ffff\r\n\v\f\x85\u2028\u2029]')
"""A superset of what :func:`~onboarding.titles.replaced_characters` reports, to skip it cheaply."""
_PLAIN_LENGTH = MAX_TITLE_LENGTH // 2
"""Titles up to this many characters are within the limit however .NET counts them."""


def compile_pattern(pattern: str) -> Compiled | None:
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


def render_compiled(compiled: Compiled | None, fields: dict[str, str], pattern: str) -> str:
    """One row's rendering (untrimmed); ``compiled`` ``None`` renders ``pattern`` directly."""
    if compiled is None:
        return render_pattern(pattern, fields)
    template, names = compiled
    return template.format(*[fields[n] for n in names])


def render_column(pattern: str, values: dict[str, Sequence[str]], n: int) -> list[str]:
    """``pattern`` rendered and trimmed for ``n`` rows; ``values`` holds each placeholder's column."""
    compiled = compile_pattern(pattern)
    if compiled is None:
        return [render_pattern(pattern, {k: col[i] for k, col in values.items()}).strip() for i in range(n)]
    template, names = compiled
    if not names:
        return [template.format().strip()] * n
    return [template.format(*args).strip() for args in zip(*(values[name] for name in names), strict=True)]


@dataclass(frozen=True)
class RoomNameFinding:
    """One title or tag problem of one row (``position`` indexes the rows checked)."""

    position: int
    severity: str
    code: str
    message: str
    value: str
    on_tag: bool = False
    """The problem is the tag's (reported on the client ID column), not the title's."""


@dataclass
class RoomNames:
    """Titles and tags of the rows checked, with their problems; a row whose title is empty is ``rejected``."""

    titles: list[str]
    tags: list[str]
    findings: list[RoomNameFinding] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)


def room_names(title_pattern: str, tag_pattern: str, values: dict[str, Sequence[str]], n: int) -> RoomNames:
    """Title (as the portal stores it) and tag of ``n`` rows, with the same warnings row by row as before."""
    raw_titles = render_column(title_pattern, values, n)
    out = RoomNames(titles=raw_titles, tags=[])
    joined = "\n".join(raw_titles)  # "\n" is not replaced, so a hit is inside a title
    if "" in raw_titles or max(map(len, raw_titles), default=0) > _PLAIN_LENGTH or _REPLACED.search(joined):
        empty = (
            f"The room title is empty once the pattern '{title_pattern}' is applied; the portal rejects it."
        )
        out.titles = [_title(out, i, raw, empty) for i, raw in enumerate(raw_titles)]
    tags = render_column(tag_pattern, values, n)
    if max(map(len, tags), default=0) > MAX_TAG_LENGTH:
        for i, tag in enumerate(tags):
            if i not in out.rejected and len(tag) > MAX_TAG_LENGTH:
                # Refused here as the plan blocks it (a tag name is a varchar(255) in DocSpace):
                # the upload used to call it a warning that the plan then turned into a block.
                message = (
                    f"The room tag is {len(tag):,} characters long; DocSpace keeps at most "
                    f"{MAX_TAG_LENGTH}. Shorten the client ID (the tag is made from it)."
                )
                out.rejected.add(i)
                out.findings.append(
                    RoomNameFinding(i, "error", "tag_too_long", message, tag[:100] + "…", on_tag=True)
                )
    out.tags = tags
    return out


def _title(out: RoomNames, i: int, raw: str, empty: str) -> str:
    """Row ``i``'s stored title; its findings are added to ``out`` (an empty title rejects the row)."""
    plain = len(raw) <= _PLAIN_LENGTH and not _REPLACED.search(raw)
    title = raw if plain else portal_title(raw)
    if not title:
        out.rejected.add(i)
        out.findings.append(RoomNameFinding(i, "error", "title_empty", empty, raw))
        return title
    if plain:
        return title
    if utf16_length(raw) > MAX_TITLE_LENGTH:
        message = (
            f"The room title is longer than {MAX_TITLE_LENGTH} characters; it will be cut to: '{title}'."
        )
        out.findings.append(RoomNameFinding(i, "warning", "title_too_long", message, title))
    if LINE_BREAKS_RE.search(raw.strip()):
        message = f"Line breaks in a room title become spaces; the room will be called '{title}'."
        out.findings.append(RoomNameFinding(i, "warning", "title_line_breaks", message, title))
    replaced = replaced_characters(raw)
    if replaced:
        shown = " ".join(repr(ch) for ch in replaced)
        message = f"The portal replaces {shown} with '_' in room titles; the room will be called '{title}'."
        out.findings.append(RoomNameFinding(i, "warning", "title_characters_replaced", message, title))
    return title
