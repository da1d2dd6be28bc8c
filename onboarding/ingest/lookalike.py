"""Client IDs that look the same but are different text: a second client, and a second room, by accident.

Why: an ID pasted through Word or a PDF arrives with an en dash (``C–1``) or a non-breaking hyphen
where the CRM has ``C-1``; an Asian-locale spreadsheet types full-width digits (``C-１``). Each is
another key, so another tag and another room, with a title that reads like the first. Comparing
IDs by their *skeleton* (NFKC, case folded, every dash read as ``-``, every space as one space)
finds them; what differs is named so the person can see it.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["differing_characters", "skeleton"]

_DASHES = re.compile("[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d\u00ad\u02d7\u2e3a\u2e3b]")
"""Hyphens and dashes (U+2010–2015), minus signs, soft hyphen and small or full-width forms."""
_SPACES = re.compile(r"\s+")


def skeleton(value: str) -> str:
    """``value`` as it reads: NFKC, dashes as ``-``, runs of white space as one space, case folded."""
    if value.isascii():
        return _SPACES.sub(" ", value.strip()).casefold()
    text = _DASHES.sub("-", unicodedata.normalize("NFKC", value))
    return _SPACES.sub(" ", text.strip()).casefold()


def differing_characters(value: str) -> list[str]:
    """The characters of ``value`` that its skeleton reads as something else (non-ASCII ones), named."""
    found: list[str] = []
    for ch in dict.fromkeys(value):
        if ch.isascii():
            continue
        if skeleton(ch) != ch.casefold() or ch.isspace():
            found.append(f"U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')})")
    return found
