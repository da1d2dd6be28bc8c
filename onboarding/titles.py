"""Room titles and tags exactly as the DocSpace portal will store them.

The portal trims a room title, rejects it with HTTP 400 when it is longer than 170 characters, and
then replaces every character matched by ``[\\t*+:"<>?|\\\\/\\p{Cs}]`` with ``_`` (server
``Global.ReplaceInvalidCharsAndTruncate``). ``\\p{Cs}`` matches UTF-16 *surrogates*: the portal is
.NET, so an emoji (one Python character outside the BMP, two UTF-16 code units) becomes ``__``,
and lengths are counted in UTF-16 code units, not Python characters.

Ingestion uses this module to warn before anything is sent; the engine uses it to compute the title
it sends and the title it should expect back. It is deliberately free of dependencies.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "MAX_ITEM_TITLE_LENGTH",
    "MAX_LINK_TITLE_LENGTH",
    "MAX_TAG_LENGTH",
    "MAX_TITLE_LENGTH",
    "PatternError",
    "RoomNames",
    "file_title",
    "fit_length",
    "pattern_fields",
    "portal_title",
    "render_pattern",
    "replaced_characters",
    "room_names",
    "utf16_length",
]

MAX_TITLE_LENGTH = 170
"""Longest room title the portal accepts (``Global.MaxTitle``), in UTF-16 code units."""

MAX_ITEM_TITLE_LENGTH = 165
"""Longest folder (and copied file) title we send: create-folder answers 400 past 165 characters."""

MAX_LINK_TITLE_LENGTH = 255
"""Longest room link title the links endpoint accepts."""

MAX_TAG_LENGTH = 255
"""Tag names are stored as varchar(255)."""

_INVALID = frozenset('\t*+:"<>?|\\/')
_INVALID_RE = re.compile(r'[\t*+:"<>?|\\/]')
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
LINE_BREAKS_RE = re.compile("[ \t]*[\r\n\v\f\x85\u2028\u2029]+[ \t]*")
"""Line breaks (with the blanks around them): a title is one line, so they become one space.
The portal would keep them (``ReplaceInvalidCharsAndTruncate`` replaces only tab and
``*+:"<>?|\\/``), and a room list then shows "Client - Acme" over "GmbH"."""
_PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


class PatternError(ValueError):
    """A title or tag pattern is malformed or names a field the row does not have."""


def utf16_length(text: str) -> int:
    """Length as .NET counts it: characters outside the BMP take two code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def replaced_characters(raw: str) -> list[str]:
    """The distinct characters of ``raw`` that the portal will turn into ``_``, in order of appearance.

    Tabs at either end are not listed: the portal trims them before it replaces anything.
    """
    seen: list[str] = []
    for ch in raw.strip():
        if (ch in _INVALID or ord(ch) > 0xFFFF) and ch not in seen:
            seen.append(ch)
    return seen


def portal_title(raw: str, max_len: int = MAX_TITLE_LENGTH) -> str:
    """The title to send, which is also the title the portal will store.

    Sanitising first and truncating second keeps the result stable under the portal's own
    trim-and-replace: sending the returned string stores exactly the returned string. An empty
    result means the portal would reject the title (blank after trimming).
    """
    title = LINE_BREAKS_RE.sub(" ", raw.strip())
    title = _ASTRAL_RE.sub("__", title)  # one .NET surrogate pair -> two replaced code units
    title = _INVALID_RE.sub("_", title)
    if len(title) > max_len:  # only BMP characters remain, so len() is the UTF-16 length
        title = title[:max_len].rstrip()
    return title


def file_title(raw: str, max_len: int = MAX_ITEM_TITLE_LENGTH) -> str:
    """A copied file's title as the portal will store it, so a look-up by title finds the copy.

    The portal lower-cases the extension (``FileDao.SaveFileAsync``, "make lowerCase") and a cut
    must never touch the extension: another extension makes ``copyas`` convert the file (and
    rename on a clash). So a long title loses the end of its stem, not its extension.
    """
    title = portal_title(raw, max_len=1 << 30)  # trim and replace only
    dot = title.rfind(".")
    stem, ext = (title[:dot], title[dot:].lower()) if dot > 0 else (title, "")
    if len(stem) + len(ext) > max_len:  # only BMP characters remain: len() is the UTF-16 length
        stem = stem[: max(1, max_len - len(ext))].rstrip()
    return stem + ext


def fit_length(raw: str, max_len: int) -> str:
    """``raw`` trimmed and cut to ``max_len`` UTF-16 code units, characters kept as they are.

    For link titles: the portal checks only their length, it does not replace characters in them
    as it does in room titles.
    """
    text = raw.strip()
    if len(text) * 2 <= max_len or (len(text) <= max_len and text.isascii()):
        return text  # fits however .NET counts it
    kept: list[str] = []
    used = 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > max_len:
            break
        kept.append(ch)
    return "".join(kept).rstrip()


def pattern_fields(pattern: str) -> list[str]:
    """Placeholder names used by a ``{field}`` pattern, in order; ``{{`` and ``}}`` are literal braces."""
    return list(_parsed(pattern))


@functools.lru_cache(maxsize=256)
def _parsed(pattern: str) -> tuple[str, ...]:
    """:func:`pattern_fields`, parsed once per pattern: a plan renders the same few patterns 20,000 times."""
    names: list[str] = []
    for match in _PLACEHOLDER_RE.finditer(pattern):
        name = match.group(1)
        if name is None:
            continue
        if not name.strip():
            raise PatternError(f"Empty placeholder '{{}}' in pattern {pattern!r}")
        names.append(name)
    stray = _PLACEHOLDER_RE.sub("", pattern)
    if "{" in stray or "}" in stray:
        raise PatternError(
            f"Unbalanced brace in pattern {pattern!r}; write '{{{{' or '}}}}' for a literal brace"
        )
    return tuple(names)


def render_pattern(pattern: str, fields: Mapping[str, str]) -> str:
    """Fill ``{name}`` placeholders from ``fields``.

    Unlike ``str.format`` this accepts any header text as a placeholder (spaces, dots, colons),
    which is what users type when a pattern refers to a spreadsheet column such as ``{Account #}``.
    """
    pieces, tail = _pieces(pattern)
    out: list[str] = []
    try:
        for literal, name in pieces:
            out.append(literal)
            out.append(fields[name])
    except KeyError:
        raise PatternError(f"Pattern {pattern!r} refers to unknown field {{{name}}}") from None
    out.append(tail)
    return "".join(out)


@functools.lru_cache(maxsize=256)
def _pieces(pattern: str) -> tuple[tuple[tuple[str, str], ...], str]:
    """A pattern as (text before, placeholder) pairs and the text after the last one, braces
    unescaped: parsed once, so a plan's 40,000 renders are joins (no regular expression each)."""
    _parsed(pattern)  # validates braces
    pieces: list[tuple[str, str]] = []
    text: list[str] = []
    pos = 0
    for match in _PLACEHOLDER_RE.finditer(pattern):
        text.append(pattern[pos : match.start()])
        pos = match.end()
        name = match.group(1)
        if name is None:
            text.append(match.group(0)[0])
        else:
            pieces.append(("".join(text), name))
            text = []
    text.append(pattern[pos:])
    return tuple(pieces), "".join(text)


@dataclass(frozen=True)
class RoomNames:
    """A client's room title and tag, rendered from the patterns once for ingestion and the plan."""

    raw_title: str
    """The title pattern filled in (trimmed), before the portal's replacements and truncation."""
    title: str
    """The title to send, equal to the title the portal stores (empty: the portal would refuse it)."""
    tag: str
    """The room's tag: how every later run, and a run without the journal, finds the room."""


def room_names(title_pattern: str, tag_pattern: str, fields: Mapping[str, str]) -> RoomNames:
    """Render a client's room title and tag; raises :class:`PatternError` for a field it lacks."""
    raw_title = render_pattern(title_pattern, fields).strip()
    return RoomNames(raw_title, portal_title(raw_title), render_pattern(tag_pattern, fields).strip())
