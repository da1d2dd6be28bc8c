"""Keeping secrets out of logs: a logging filter that masks API keys and registered secrets.

Our own code never logs a key, but a library might log a URL, a header or an exception text at
debug level. The filter is a second line of defence on every handler: it masks anything shaped
like a DocSpace API key (``sk-…``) or a ``Bearer`` token, plus any value registered with
:func:`register_secret` (e.g. a webhook secret), in the final message and its arguments.
"""

from __future__ import annotations

import logging
import re
import threading

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


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets masked (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        clean = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        record.msg, record.args = clean, None
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of ``logger`` (root by default) and to the logger itself."""
    target = logger or logging.getLogger()
    if not any(isinstance(f, RedactingFilter) for f in target.filters):
        target.addFilter(RedactingFilter())
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
