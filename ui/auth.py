"""Signing in to the dashboard, and whether this session may write.

The decisions are in :mod:`onboarding.access`; this module reads the secrets, the environment and
the session (``st.user`` for OIDC, a flag for the shared password) and draws the sign-in screen,
the sidebar's identity and sign-out, and the notice every page opens with when it cannot write.
Every write path calls :func:`require_write`, so a disabled button is not the only guard.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Mapping
from typing import Any

import streamlit as st

from onboarding import Access, AccessDenied, Policy, access
from ui import display, session

log = logging.getLogger("ui.auth")

SIGNED_IN = "auth_password_signed_in"
"""Fingerprint of the password hash this session signed in with (absent: not signed in)."""
FAILURES = "auth_password_failures"
RETRY_AT = "auth_password_retry_at"
PROBLEM = "auth_password_problem"
PASSWORD_FIELD = "auth_password"


def policy() -> Policy:
    """The policy for the portal in use (broken settings count as a real portal: fail closed)."""
    config = access.load_access_config(session.secrets(), os.environ)
    try:
        sandbox = session.settings().sandbox
    except Exception:
        sandbox = False
    return access.decide(config, sandbox=sandbox)


def _oidc_user() -> Mapping[str, Any] | None:
    try:
        return dict(st.user.to_dict())
    except Exception:  # no auth configured: st.user may not be usable
        return None


def current(pol: Policy | None = None) -> Access:
    """This session's access: may it write, who is acting, and why not."""
    pol = pol or policy()
    password_ok = pol.mode == "password" and st.session_state.get(SIGNED_IN) == access.hash_fingerprint(
        pol.password_hash
    )
    return access.resolve(
        pol, oidc_user=_oidc_user() if pol.mode == "oidc" else None, password_ok=password_ok
    )


def actor() -> str:
    """Who is acting, as recorded with each run (``onboarded_by``)."""
    try:
        return current().actor
    except Exception:
        return access.ANONYMOUS_READ_ONLY


def can_write() -> bool:
    try:
        return current().can_write
    except Exception:
        return False


def why_not() -> str:
    """Why this session may not write ("" when it may): the help text of disabled write buttons."""
    try:
        acc = current()
    except Exception as exc:
        return f"Access could not be decided: {type(exc).__name__}."
    return "" if acc.can_write else _plain(acc.reason)


def _plain(text: str) -> str:
    return text.replace("`", "").replace("**", "")


def require_write(what: str = "make changes") -> Access:
    """The session's access when it may write; otherwise :class:`AccessDenied` (shown as advice)."""
    acc = current()
    if not acc.can_write:
        log.warning("refused a write (%s): %s", what, acc.reason)
        raise AccessDenied(f"This dashboard may not {what} for you. {_plain(acc.reason)}")
    return acc


# -- the password ------------------------------------------------------------------------------


def _try_password() -> None:
    password = st.session_state.get(PASSWORD_FIELD) or ""
    st.session_state[PASSWORD_FIELD] = ""  # the password is not kept in the session
    now = time.time()
    wait = float(st.session_state.get(RETRY_AT, 0.0)) - now
    if wait > 0:
        st.session_state[PROBLEM] = f"Too many wrong passwords: wait {math.ceil(wait)} s and try again."
        return
    pol = policy()
    if pol.mode != "password" or not pol.password_hash:
        return
    keys = access.throttle_keys(getattr(st.context, "ip_address", None))  # shared by all sessions
    if (wait := access.SIGN_IN_THROTTLE.admit(keys)) > 0:
        st.session_state[PROBLEM] = f"Too many wrong passwords: wait {math.ceil(wait)} s and try again."
        return
    if password and access.verify_password(password, pol.password_hash):
        access.SIGN_IN_THROTTLE.succeeded(keys)
        st.session_state[SIGNED_IN] = access.hash_fingerprint(pol.password_hash)
        st.session_state.pop(FAILURES, None)
        st.session_state.pop(RETRY_AT, None)
        log.info("a session signed in with the dashboard password")
        return
    failures = int(st.session_state.get(FAILURES, 0)) + 1
    delay = access.backoff_seconds(failures)
    st.session_state[FAILURES] = failures
    st.session_state[RETRY_AT] = now + delay
    log.warning("wrong dashboard password (%d in a row in this session)", failures)
    st.session_state[PROBLEM] = f"Wrong password. Wait {math.ceil(delay)} s before the next attempt."


def sign_out_password() -> None:
    st.session_state.pop(SIGNED_IN, None)


def _provider_label(provider: str | None) -> str:
    return "Sign in" if provider is None else f"Sign in with {provider.replace('-', ' ').title()}"


def sign_in_screen(pol: Policy) -> None:
    """The only thing a session that has not signed in sees."""
    st.title("Sign in")
    st.caption("DocSpace Onboarding is protected: sign in to see and onboard clients.")
    with st.container(border=True, width=480):
        if pol.mode == "oidc":
            for provider in pol.providers:
                st.button(
                    _provider_label(provider),
                    key=f"auth_login_{provider or 'default'}",
                    type="primary",
                    icon=":material/login:",
                    on_click=st.login,
                    args=(provider,) if provider else (),
                )
            return
        with st.form("auth_password_form", border=False):
            st.text_input(
                "Dashboard password", key=PASSWORD_FIELD, type="password", autocomplete="current-password"
            )
            st.form_submit_button(
                "Sign in", key="auth_sign_in", type="primary", icon=":material/login:", on_click=_try_password
            )
        if problem := st.session_state.pop(PROBLEM, None):
            st.error(problem, icon=":material/lock:")


def gate() -> Access:
    """Draw the sign-in screen and stop the page when sign-in is needed; else the session's access."""
    pol = policy()
    acc = current(pol)
    if acc.needs_sign_in:
        sign_in_screen(pol)
        st.stop()
    return acc


def notice(acc: Access | None = None) -> None:
    """What every page says when this session cannot write, or writes without sign-in on a real portal."""
    pol = policy()
    acc = acc or current(pol)
    if not acc.can_write and not acc.needs_sign_in:
        st.warning(f"**Read-only.** {acc.reason}", icon=":material/lock:")
    elif pol.warning:
        st.warning(pol.warning, icon=":material/lock_open:")


def sidebar() -> None:
    """Who is signed in, and the sign-out button."""
    try:
        pol = policy()
        acc = current(pol)
    except Exception:
        return
    with st.sidebar:
        if acc.signed_in:
            name = acc.actor
            if pol.mode == "oidc":
                user = _oidc_user() or {}
                if user.get("name") and user.get("email"):
                    name = f"{user['name']} ({user['email']})"
            st.caption(f"Signed in as {display.md(name)}")
            st.button(
                "Sign out",
                key="auth_sign_out",
                icon=":material/logout:",
                on_click=st.logout if pol.mode == "oidc" else sign_out_password,
            )
        elif acc.needs_sign_in:
            st.caption("Not signed in")
        elif not acc.can_write:
            st.badge("Read-only", icon=":material/lock:", color="gray")
        elif pol.warning:
            st.badge("No sign-in", icon=":material/lock_open:", color="red")
        else:
            st.caption(f"Acting as {display.md(acc.actor)}")
