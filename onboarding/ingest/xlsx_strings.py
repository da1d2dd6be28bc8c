"""Text in XLSX XML as calamine reads it: element text, rich-text string items, shared strings.

Rules of calamine 0.37 (``xlsx/mod.rs``: ``read_shared_strings``, ``read_string_with_bufs``;
``utils.rs``: ``unescape_entity_to_buffer``): element text has its line ends normalised (XML
1.0) and the five XML entities and character references decoded; any other ``&`` is an error
there, so :class:`~onboarding.ingest.xlsx_parts.Unsupported` here. A ``<t>`` is trimmed of ASCII
white space unless ``xml:space="preserve"``; a string item is all its ``<t>`` outside phonetic
runs (``<rPh>``), joined. calamine also turns ``_xHHHH_`` into characters: text holding ``_x``
is left to it (Unsupported).
"""

from __future__ import annotations

import re
import zipfile

from onboarding.ingest.xlsx_parts import Unsupported, member

__all__ = ["decode_part", "shared_strings", "string_item", "t_value", "text"]

WHITE = " \t\r\n"
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_RUN_TOKEN = re.compile(
    r'(<t>)([^<]*)</t>|(<t xml:space="preserve">)([^<]*)</t>|<t/>'
    r"|<rPh\b[^<>]*>(?:[^<]|<(?!/?rPh\b))*</rPh>|</?r>|<rPr/>"
    r'|<rPr>(?:<[A-Za-z]+(?:\s+[\w:]+="[^"<]*")*+\s*+/>)*+</rPr>'
    r"|<phoneticPr\b[^<>]*/>|[ \t\r\n]+|([\s\S])"
)
_SST_OPEN = re.compile(r"^(?:\ufeff)?(?:\s*<\?xml[^<>]*\?>)?\s*<sst\b[^<>]*?(/?)>")
_SIMPLE_ITEM = re.compile(r"<si><t>([^<]*)</t></si>")
"""Most string items; :func:`shared_strings` splits the table on them."""
_SST_TOKEN = re.compile(
    r"(<si>)<t>([^<&]*)</t></si>|(<si>)((?:[^<]|<(?!/si>|si[\s/>]))*)</si>|(<si/>)|[ \t\r\n]+|([\s\S])"
)


def decode_part(data: bytes) -> str:
    """A part's XML as text: UTF-8 only (calamine honours other declared encodings)."""
    head = data[:200]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or re.match(
        rb"""\s*<\?xml[^>]*?encoding\s*=\s*["'](?![Uu][Tt][Ff]-?8["'])""", head
    ):
        raise Unsupported("encoding")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unsupported("not UTF-8") from None


def _xml_char(code: int) -> str:
    if (
        code in (9, 10, 13)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    ):
        return chr(code)
    raise Unsupported("character reference")


def _entity(m: re.Match[str]) -> str:
    if m.group(1):
        return _NAMED[m.group(1)]
    return _xml_char(int(m.group(2)) if m.group(2) else int(m.group(3), 16))


def text(raw: str) -> str:
    """Element text as quick-xml gives it: line ends normalised, then the entities decoded."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in raw:
        if "&" in _ENTITY.sub("", raw):
            raise Unsupported("unknown entity")
        raw = _ENTITY.sub(_entity, raw)
    return raw


def t_value(raw: str, preserve: bool = False) -> str:
    """The value of one ``<t>``."""
    value = text(raw)
    if not preserve:
        value = value.strip(WHITE)
    if "_x" in value:
        raise Unsupported("_xHHHH_ escape")
    return value


def string_item(content: str) -> str:
    """The text of a ``<si>`` or ``<is>``: every ``<t>`` outside phonetic runs, joined."""
    parts: list[str] = []
    for plain, raw, kept, kept_raw, bad in _RUN_TOKEN.findall(content):
        if bad:
            raise Unsupported("string item")
        if plain:
            parts.append(t_value(raw))
        elif kept:
            parts.append(t_value(kept_raw, True))
    return "".join(parts)


def shared_strings(zf: zipfile.ZipFile) -> list[str]:
    """``xl/sharedStrings.xml`` as calamine's string table (empty when the part is missing)."""
    data = member(zf, "xl/sharedStrings.xml")
    if data is None:
        return []
    xml = decode_part(data)
    opened = _SST_OPEN.match(xml)
    if opened is None or "<!" in xml[: opened.end()]:
        raise Unsupported("shared strings")
    if opened.group(1):
        return []
    end = xml.find("</sst>", opened.end())
    if end < 0:
        raise Unsupported("shared strings end")
    body = xml[opened.end() : end]
    parts = _SIMPLE_ITEM.split(body)
    between, simple = parts[0::2], parts[1::2]
    if "".join(between).strip(WHITE):  # some items are not a plain <si><t>: one at a time, in order
        return _items(body)
    if "&" in body or "\r" in body or "_x" in body:
        return [t_value(raw) for raw in simple]
    return [raw.strip(WHITE) for raw in simple]


def _items(body: str) -> list[str]:
    strings: list[str] = []
    append = strings.append
    for simple, raw, generic, content, empty, bad in _SST_TOKEN.findall(body):
        if bad:
            raise Unsupported("shared string")
        if simple:
            append(t_value(raw))
        elif generic:
            append(string_item(content))
        elif empty:
            append("")
    return strings
