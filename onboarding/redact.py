"""Keeping secrets out of logs and output: masking API keys and registered secrets.

Our own code never logs a key, but a library might log a URL, a header or an exception text at
debug level, and a portal or a proxy in front of it may echo the ``Authorization`` header in an
error body. :func:`redact` masks anything shaped like a DocSpace API key (``sk-…``) or a
``Bearer`` token, plus any value registered with :func:`register_secret` (the key, a webhook
secret). It runs in the logging filter on every handler, on every message built from a network
answer, at the journal and export write points and on everything the CLI prints.

:func:`printable` makes text safe for a terminal: control characters (ESC starts the sequences
that retitle a window, rewrite the screen or forge a hyperlink) and bidirectional overrides are
shown as visible escapes such as ``\\x1b`` or ``\\u202e``.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata

_KEY_RE = re.compile(r"\b(sk-)[A-Za-z0-9_\-]{6,}")
_BEARER_RE = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=\-]{6,}", re.IGNORECASE)
_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Mask this exact value wherever it appears in a log record from now on."""
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with keys, bearer tokens and registered secrets masked."""
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, "***")
    text = _KEY_RE.sub(r"\1***", text)
    return _BEARER_RE.sub(r"\1***", text)


_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})


def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str, *, keep: str = "") -> str:
    """``text`` with control, bidi-override, private-use and unassigned characters as visible escapes.

    ``keep`` names characters to pass through (the CLI keeps the line breaks, tabs and carriage
    returns of its own layout). Backslashes are left alone: the escapes are for a reader, not a parser.
    """
    plain = text
    for ch in keep:  # kept characters (the CLI's tabs and line breaks) are not what isprintable() checks here
        plain = plain.replace(ch, " ")
    if plain.isprintable():  # no control, format (bidi), private-use, unassigned or separator character
        return text
    out = []
    for ch in text:
        if ch in keep or (ch not in _BIDI_CONTROLS and unicodedata.category(ch) not in _UNSAFE_CATEGORIES):
            out.append(ch)
        else:
            out.append(_visible(ch))
    return "".join(out)


def for_display(text: str) -> str:
    """A network or journal message as one safe line: secrets masked, controls escaped."""
    return printable(redact(text))


def _scrub(record: logging.LogRecord) -> None:
    """Mask secrets in a record's message, exception text and stack in place."""
    if getattr(record, "_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:
        return
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record.msg, record.args = redact(message), None
    record._redacted = True


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets masked (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        _scrub(record)
        return True


_factory_lock = threading.Lock()
_factory_installed = False


def _install_factory() -> None:
    """Mask every record as it is made, whichever logger makes it and whichever handler writes it.

    A filter on the root logger sees only records logged on the root itself, and a filter on a
    handler only that handler's: a record of ``onboarding.worker`` with no handler configured went
    to Python's last-resort handler on standard error, and a handler added later (Streamlit's own)
    wrote tracebacks as they were. The record factory runs for every record of every logger.
    """
    global _factory_installed
    with _factory_lock:
        if _factory_installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _scrub(record)
            return record

        logging.setLogRecordFactory(factory)
        _factory_installed = True


def install(logger: logging.Logger | None = None) -> None:
    """Mask secrets in every log record from now on (the record factory), and attach the filter to
    every handler of ``logger`` (root by default) and to the logger itself."""
    _install_factory()
    target = logger or logging.getLogger()
    if not any(isinstance(f, RedactingFilter) for f in target.filters):
        target.addFilter(RedactingFilter())
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
