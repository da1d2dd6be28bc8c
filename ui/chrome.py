"""The frame of every page: the portal banner, the title, and the guard that turns errors into advice.

No traceback reaches the page. Expected failures (settings, spreadsheet, portal) get a plain
message and what to do; anything else gets a short apology and the exception's type, message and
location in an expander. The full traceback goes to the server log only. Every text shown passes
through :func:`redact`, so the API key cannot appear even if an error message carried it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from onboarding import (
    AccessDenied,
    ConfigError,
    DocSpaceError,
    Forbidden,
    IngestError,
    NotFound,
    OnboardingError,
    PaymentRequired,
    RateLimited,
    RunLocked,
    ServerError,
    Settings,
    TransportError,
    Unauthorized,
)
from onboarding import redact_text as redact_patterns
from ui import auth, display, navigation, session

log = logging.getLogger("ui")

SANDBOX_BANNER = "Sandbox portal — nothing leaves this machine"
REAL_PORTAL_HOWTO = (
    "To use a real portal, set `DOCSPACE_URL` and `DOCSPACE_API_KEY` in the environment or in "
    "`.streamlit/secrets.toml` (copy `.streamlit/secrets.toml.example`), or enter a key for this "
    "session on the **Settings** page."
)


def redact(text: str) -> str:
    """Replace any API key this session knows with its masked form (and anything shaped like a key)."""
    return redactor()(text)


def redactor() -> Callable[[str], str]:
    """:func:`redact` with the session's secrets looked up once, for redacting many texts (a table's
    column): resolving the settings costs about a millisecond, 2,000 times a page run."""
    secrets: list[str] = []
    conn = st.session_state.get(session.CONNECTION) or {}
    if conn.get("api_key"):
        secrets.append(str(conn["api_key"]))
    try:
        s = session.settings()
        for secret in (s.api_key, getattr(s, "webhook_secret", None)):
            if secret:
                secrets.append(secret.get_secret_value())
    except Exception:  # settings themselves may be what failed
        pass
    known = [v for v in sorted(secrets, key=len, reverse=True) if v and len(v) >= 4]

    def apply(text: str) -> str:
        if not text:
            return text
        for value in known:
            text = text.replace(value, "•••")
        return redact_patterns(text)

    return apply


def banner(s: Settings | None) -> None:
    """The line every page opens with: which portal this is."""
    if s is not None and s.sandbox:
        st.info(f"**{SANDBOX_BANNER}.** {REAL_PORTAL_HOWTO}", icon=":material/science:")


@contextmanager
def page(title: str, caption: str = "") -> Iterator[Settings]:
    """Render the banner and title, then run the page body under the error guard.

    Yields the settings in force. When they cannot be resolved the problem is shown and the page
    stops there (the Settings page uses :func:`page_any` to stay usable).
    """
    with page_any(title, caption) as s:
        if s is None:
            st.stop()
        yield s


@contextmanager
def page_any(title: str, caption: str = "") -> Iterator[Settings | None]:
    """Like :func:`page`, but the body also runs when the settings are broken (yields None)."""
    navigation.ensure_framed()
    problem: Exception | None = None
    try:
        s: Settings | None = session.settings()
    except Exception as exc:
        s, problem = None, exc
    banner(s)
    try:
        acc = auth.gate()  # a session that must sign in sees the sign-in form only
    except Exception as exc:  # e.g. secrets.toml does not parse: fail closed, with advice
        show_error(exc)
        st.stop()
    st.title(title)
    if caption:
        st.caption(caption)
    auth.notice(acc)
    if problem is not None:
        show_error(problem)
    with guard():
        yield s


@contextmanager
def guard() -> Iterator[None]:
    """Show any exception raised in the block as advice instead of a traceback.

    Streamlit's own control flow (rerun, stop, switch_page) derives from BaseException and passes.
    """
    try:
        yield
    except Exception as exc:
        show_error(exc)


def explain(exc: BaseException) -> tuple[str, str]:
    """(what happened, what to do) for an exception, in words a person can act on."""
    if isinstance(exc, AccessDenied):
        return str(exc), "Ask whoever runs this dashboard to configure sign-in, then sign in."
    if isinstance(exc, IngestError):
        return exc.message, "Check the file (or export it again from your CRM) and upload it again."
    if isinstance(exc, ConfigError):
        return str(
            exc
        ), "Fix it on the **Settings** page, in `.streamlit/secrets.toml` or in the environment."
    if isinstance(exc, Unauthorized):
        return (
            "The portal refused the API key (401).",
            "The key may be wrong, expired or revoked. Check it on the **Settings** page.",
        )
    if isinstance(exc, Forbidden):
        return (
            f"The portal denied this action (403){_server(exc)}.",
            "The key's account lacks the rights needed; use a DocSpace admin's or room admin's key.",
        )
    if isinstance(exc, PaymentRequired):
        return (
            f"The portal's plan or quota does not allow this (402){_server(exc)}.",
            "Free up rooms or storage, or upgrade the portal's plan.",
        )
    if isinstance(exc, NotFound):
        return f"The portal could not find it (404){_server(exc)}.", "It may have been deleted or moved."
    if isinstance(exc, RateLimited):
        return (
            "The portal is limiting how fast requests may be made (429).",
            "Wait a minute and try again, or lower the rate on the **Settings** page.",
        )
    if isinstance(exc, ServerError):
        return f"The portal had an internal problem ({exc.status}).", "Try again in a few minutes."
    if isinstance(exc, TransportError):
        return (
            "The portal could not be reached.",
            "Check the portal address on the **Settings** page and your network, then try again.",
        )
    if isinstance(exc, RunLocked):
        return str(exc), "Wait for the other run to finish; its progress shows on the **Onboard** page."
    if isinstance(exc, DocSpaceError):
        return (
            f"The portal answered with an error{_server(exc)}.",
            "Try again; if it persists, see the details.",
        )
    if isinstance(exc, OnboardingError):
        return str(exc), "See the details below."
    return (
        "Something unexpected went wrong and this part of the page could not be shown.",
        "Try again. If it keeps happening, send the details below to whoever maintains this tool.",
    )


def _server(exc: DocSpaceError) -> str:
    return f": {exc.server_message}" if exc.server_message else ""


def show_error(exc: BaseException) -> None:
    """Render an exception as a message, advice and (on demand) details."""
    what, todo = explain(exc)
    expected = isinstance(exc, OnboardingError | IngestError)
    if not expected:
        log.error("unexpected error on a page", exc_info=exc)
    # ``what`` may quote a file, a cell or the server: literal text; ``todo`` is our own Markdown
    st.error(f"{display.md(redact(what))}\n\n{redact(todo)}", icon=":material/error:")
    with st.expander("Details"):
        st.text(redact(details(exc)))


def details(exc: BaseException) -> str:
    """Type, message and where it was raised — enough to report, not a traceback dump."""
    lines = [f"{type(exc).__name__}: {exc}"]
    if isinstance(exc, DocSpaceError) and (exc.method or exc.status is not None):
        lines.append(f"request: {exc.method} {exc.path} -> {exc.status}")
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        lines.append(f"raised in {last.name}() at {_short(last.filename)}:{last.lineno}")
    return "\n".join(lines)


def _short(filename: str) -> str:
    parts = filename.replace("\\", "/").split("/")
    return "/".join(parts[-2:])


def sidebar(s: Settings | None) -> None:
    """Which portal, and whether batches are running (on every page)."""
    if auth.current().needs_sign_in:
        return  # nothing about the portal before sign-in
    with st.sidebar:
        if s is None:
            st.caption("Portal: not configured")
            return
        if s.sandbox:
            st.badge("Sandbox portal", icon=":material/science:", color="orange")
        else:
            st.badge("Live portal", icon=":material/cloud:", color="green")
            st.caption(s.portal_url or "")
        try:
            active = session.service().live_runs()
        except Exception:
            active = []
        if active:
            st.badge(
                f"{len(active)} batch{'es' if len(active) > 1 else ''} running",
                icon=":material/sync:",
                color="blue",
            )


def metric_row(count: int) -> list[DeltaGenerator]:
    """``count`` slots for metrics, side by side, that wrap to a new line rather than cut a label.

    ``st.columns`` gives each metric an equal share of the width, and at 1000 px (sidebar open) a
    long label ("Failed or blocked", "Writes needed") ends in an ellipsis. Here each slot is as
    wide as its metric and the row wraps. The gap is "medium": with "large" (4 rem) the Results
    page's five figures took a second line at 1000 px for the last one alone.
    """
    row = st.container(horizontal=True, wrap=True, gap="medium")
    return [row.container(width="content") for _ in range(count)]
