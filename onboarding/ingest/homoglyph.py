"""E-mail addresses whose letters mix Latin with Cyrillic or Greek within one part: look-alikes.

Why: ``anna@bеta.example.com`` with a Cyrillic ``е`` is a valid address (an internationalised
domain) on another domain than ``beta.example.com``, which it looks exactly like. The invitation,
and the room's documents with it, would go to whoever holds that domain. A real name in another
script is one script per part (``пример.рф``, ``müller.de``), so only a part (the local part, or
one label of the domain) that mixes Latin with Cyrillic or Greek letters is reported.
"""

from __future__ import annotations

import unicodedata

__all__ = ["mixed_script_parts"]

_CONFUSABLE_SCRIPTS = frozenset({"CYRILLIC", "GREEK"})


def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    if ch.isascii():
        return "LATIN"
    return unicodedata.name(ch, "").split(" ", 1)[0] or None


def mixed_script_parts(address: str) -> list[tuple[str, list[str]]]:
    """The parts of ``address`` mixing Latin and Cyrillic or Greek letters, each with its non-Latin letters named."""
    if address.isascii():
        return []
    local, _, domain = address.rpartition("@")
    found: list[tuple[str, list[str]]] = []
    for part in [local, *domain.split(".")]:
        scripts = {_script(ch) for ch in part} - {None}
        if "LATIN" in scripts and scripts & _CONFUSABLE_SCRIPTS:
            odd = [
                f"'{ch}' ({unicodedata.name(ch, 'unnamed')})"
                for ch in dict.fromkeys(part)
                if _script(ch) in _CONFUSABLE_SCRIPTS
            ]
            found.append((part, odd))
    return found
