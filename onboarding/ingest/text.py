"""CSV decoding: encoding and delimiter detection, and refusing binary content.

We parse with the standard ``csv`` module rather than ``pandas.read_csv``: CRM exports often have
title lines above the header, so rows have different lengths, which the C parser rejects; and the
csv module gives every cell back exactly as text, with no NA guessing to switch off.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

from onboarding.ingest.errors import BinaryContentError, EmptyFileError, MalformedTextError, TooManyRowsError

__all__ = ["DELIMITERS", "DecodedText", "decode", "detect_delimiter", "parse_csv"]

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")

_SAMPLE_BYTES = 64 * 1024
_SAMPLE_LINES = 50
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
)


@dataclass(frozen=True)
class DecodedText:
    """Decoded file text and the encoding that produced it."""

    text: str
    encoding: str
    legacy_lines: tuple[int, ...] = ()
    """Lines (1-based) of a mostly UTF-8 file that are not UTF-8, read as cp1252 (see :func:`_mixed`)."""


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:_SAMPLE_BYTES]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _refuse_binary(filename: str, data: bytes) -> None:
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise BinaryContentError(
                f"'{filename}' is not a text CSV file: it looks like {what}. "
                "Export the client list as CSV, XLSX or ODS."
            )


def decode(data: bytes, filename: str, encoding: str | None = None) -> DecodedText:
    """Decode CSV bytes: BOM first, then UTF-16 by NUL pattern, strict UTF-8, cp1252, latin-1.

    cp1252 (Excel's "CSV" on Western Windows) is tried before latin-1 because it is a superset for
    printable text; latin-1 decodes anything and is the last resort for the bytes cp1252 leaves
    undefined. A caller-chosen ``encoding`` skips detection.
    """
    _refuse_binary(filename, data)
    if encoding is None:
        if data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            encoding = _utf16_without_bom(data)
    candidates = [encoding] if encoding else ["utf-8", "cp1252", "latin-1"]
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            bom = codecs.BOM_UTF8 if candidate == "utf-8-sig" and data.startswith(codecs.BOM_UTF8) else b""
            utf8 = (candidate == "utf-8" and encoding is None) or bom  # Excel's "CSV UTF-8" has the BOM
            if utf8 and (mixed := _mixed(data[len(bom) :])) is not None:
                _refuse_control_characters(mixed.text, filename)
                return mixed
            continue
        _refuse_control_characters(text, filename)
        return DecodedText(text=text, encoding=candidate)
    raise BinaryContentError(f"'{filename}' could not be decoded as {encoding} text.")


def _mixed(data: bytes) -> DecodedText | None:
    """A file that is UTF-8 but for some lines (two exports pasted together, one line typed in
    another editor): decoded line by line, each UTF-8 line as UTF-8 and the others as cp1252,
    with those lines named. Decoding it whole as cp1252, as before, garbled every accented name
    of the UTF-8 lines (``Müller`` → ``MÃ¼ller``) without a word. None when the file (not valid
    UTF-8 as a whole) has no line that holds UTF-8 beyond ASCII: a cp1252 file."""
    lines = data.split(b"\n")
    texts: list[str] = []
    legacy: list[int] = []
    utf8_beyond_ascii = False
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8")
            utf8_beyond_ascii = utf8_beyond_ascii or not line.isascii()
        except UnicodeDecodeError:
            text = _legacy(line)
            legacy.append(number)
        texts.append(text)
    if not utf8_beyond_ascii:
        return None
    return DecodedText(text="\n".join(texts), encoding="utf-8", legacy_lines=tuple(legacy))


def _legacy(line: bytes) -> str:
    """A line that is not UTF-8: cp1252, or latin-1 for the bytes cp1252 leaves undefined."""
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def _refuse_control_characters(text: str, filename: str) -> None:
    """Text files have almost no control characters; a binary file decoded as latin-1 has many.

    A few stray ones (a NUL, an escape sequence) do not make a file binary: the rows holding them
    are refused one by one, wherever they are (:mod:`onboarding.ingest.cells`).
    """
    sample = text[:_SAMPLE_BYTES]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise BinaryContentError(
            f"'{filename}' does not look like a CSV file: it contains binary data. "
            "Export the client list as CSV (UTF-8), XLSX or ODS."
        )


def detect_delimiter(text: str) -> str:
    """Pick the delimiter that splits the most sample lines into the same number (>1) of fields.

    Counting consistent lines rather than raw characters keeps a comma inside "Acme, Inc." from
    winning in a semicolon file, and lets title lines above the header (one field) be outvoted.
    """
    lines = text.splitlines()[:_SAMPLE_LINES]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter) if any(row)]
        except csv.Error:  # e.g. a gigantic quoted cell: this delimiter cannot be the answer
            continue
        common = Counter(w for w in widths if w > 1).most_common(1)
        if not common:
            continue
        width, count = common[0]
        score = (count, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def parse_csv(text: str, delimiter: str, row_limit: int, slack: int) -> list[list[str]]:
    """Split CSV text into records (a quoted multi-line cell stays one record, as in Excel).

    Reading stops as soon as there are more than ``row_limit + slack`` non-blank records (slack
    covers title lines and the header), so a huge file fails fast. A leading ``sep=;`` line
    (Excel's delimiter hint) is dropped, as Excel does, so record numbers match the rows on screen.
    """
    max_records = row_limit + slack
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise EmptyFileError("The file is empty: there is no header row and no client.")
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    nonblank = 0
    try:
        for row in reader:
            if any(row):
                nonblank += 1
                if nonblank > max_records:
                    raise TooManyRowsError(
                        f"The file has more than {row_limit:,} client rows, the limit. "
                        "Split it into smaller files or raise the row limit."
                    )
            rows.append(row)
    except csv.Error as exc:
        raise MalformedTextError(
            f"The file cannot be read as CSV near record {reader.line_num:,}: {exc}. "
            "A cell that large is not client data; check the export, or save it as XLSX."
        ) from None
    if sep_hint(text) is not None and rows:
        del rows[0]  # Excel consumes the hint: the header is then row 1 on screen
    return rows


def sep_hint(text: str) -> str | None:
    """Excel writes ``sep=;`` as the first line to name the delimiter."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    if first.lower().startswith("sep=") and len(first) == 5:
        return first[4]
    return None
