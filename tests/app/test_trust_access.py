"""Access to the dashboard in each mode: open sandbox, read-only real portal, password, OIDC, allowed.

The "real portal" is a sandbox on a free port given to the app through DOCSPACE_URL and
DOCSPACE_API_KEY, so the dashboard treats it as a live portal (``settings.sandbox`` is False).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import OIDC, texts, unescape, upload_sample
from support.waiting import wait_until

from onboarding import access
from onboarding.journal import Journal
from ui import auth, live

PAGES = ["pages/home.py", "pages/upload.py", "pages/onboard.py", "pages/results.py", "pages/settings.py"]
PASSWORD = "correct horse battery staple"
HASH = access.hash_password(PASSWORD, n=2**10)  # cheap parameters keep the test fast
ROW = f"onboard_one_{live.widget_id('CL-1001')}"


def onboard_one(at: AppTest, journal: Journal) -> AppTest:
    """Upload the sample, onboard CL-1001 from its row, and wait until the journal has it."""
    upload_sample(at, "clients.csv")
    at.switch_page("pages/onboard.py").run()
    at.button(key=ROW).click().run()
    assert not at.exception
    wait_until(lambda: any(r.client_id == "CL-1001" and r.status == "onboarded" for r in journal.clients()))
    return at


def actors(journal: Journal) -> tuple[set[str], set[str]]:
    """(actors of the runs, ``onboarded_by`` of the clients)."""
    return {r.actor for r in journal.runs()}, {c.onboarded_by for c in journal.clients()}


def sign_in_shown(at: AppTest) -> bool:
    return any(t.value == "Sign in" for t in at.title)


def test_sandbox_is_open_and_records_anonymous_sandbox(app: AppTest, journal: Callable[[], Journal]) -> None:
    """Zero configuration: no sign-in, no read-only notice, and runs are recorded as "anonymous (sandbox)"."""
    at = app.run()
    assert not at.exception
    assert not sign_in_shown(at) and "Read-only" not in texts(at)
    j = journal()
    onboard_one(at, j)
    assert actors(j) == ({access.ANONYMOUS_SANDBOX}, {access.ANONYMOUS_SANDBOX})


def test_real_portal_without_sign_in_is_read_only_everywhere(app: AppTest, real_portal: object) -> None:
    """A real portal with no sign-in: every page says why it is read-only; write buttons are disabled."""
    at = app.run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception
        notice = [w.value for w in at.warning if "Read-only" in w.value]
        assert notice, f"no read-only notice on {page}"
        assert "no sign-in is configured" in notice[0] and "allow_unauthenticated" in notice[0]
    assert at.button(key="bp_save_button").disabled  # on Settings
    upload_sample(at, "clients.csv")
    at.switch_page("pages/onboard.py").run()
    start, row = at.button(key="onboard_start_batch"), at.button(key=ROW)
    assert start.disabled and row.disabled
    assert "read-only" in (start.proto.help or "")


def test_read_only_notice_gives_a_command_that_runs_and_says_when_a_change_counts(
    app: AppTest, real_portal: object
) -> None:
    """The read-only notice names the project's Python for hash-password and when a new setting is read."""
    at = app.run()
    notice = next(w.value for w in at.warning if "Read-only" in w.value)
    assert "`.venv/bin/python -m onboarding.access hash-password`" in notice
    assert "read when the page is reloaded" in notice and "needs a restart" in notice


def test_read_only_ignores_a_forged_click(
    app: AppTest, real_portal: object, journal: Callable[[], Journal]
) -> None:
    """A forged click on a disabled write button changes nothing: no run, no room (Streamlit drops it,
    and every write path checks access again)."""
    at = upload_sample(app.run(), "clients.csv")
    at.switch_page("pages/onboard.py").run()
    button = at.button(key=ROW)
    assert button.disabled
    button.proto.disabled = False  # what a hand-made websocket message could claim
    button.click().run()
    assert not at.exception
    assert real_portal.state()["rooms"] == []  # type: ignore[attr-defined]
    assert journal().runs() == []


def test_password_sign_in_refuses_wrong_slows_down_and_records_password_user(
    app: AppTest, real_portal: object, journal: Callable[[], Journal]
) -> None:
    """Password mode: only the sign-in form shows; a wrong password is refused and slowed down; the
    right one lets you onboard as "password user"; signing out brings the form back."""
    app.secrets["docspace"] = {"dashboard_password_hash": HASH}
    at = app.run()
    assert not at.exception
    assert sign_in_shown(at)
    assert real_portal.url not in texts(at)  # type: ignore[attr-defined]  # nothing of the portal shows
    at.switch_page("pages/results.py").run()
    assert sign_in_shown(at) and not at.dataframe

    at.text_input(key=auth.PASSWORD_FIELD).input("not the password")
    at.button(key="auth_sign_in").click().run()
    assert any("Wrong password" in e.value for e in at.error)
    assert sign_in_shown(at)
    at.text_input(key=auth.PASSWORD_FIELD).input(PASSWORD)
    at.button(key="auth_sign_in").click().run()
    assert any("wait" in e.value for e in at.error), "the next attempt right after a failure is slowed down"
    assert sign_in_shown(at)
    assert at.text_input(key=auth.PASSWORD_FIELD).value == ""  # the password is not kept

    at.session_state[auth.RETRY_AT] = 0.0  # the backoff has passed
    at.text_input(key=auth.PASSWORD_FIELD).input(PASSWORD)
    at.button(key="auth_sign_in").click().run()
    assert not at.exception and not sign_in_shown(at)
    assert "Signed in as password user" in "\n".join(c.value for c in at.sidebar.caption)
    j = journal()
    onboard_one(at, j)
    assert actors(j) == ({access.PASSWORD_USER}, {access.PASSWORD_USER})

    at.button(key="auth_sign_out").click().run()
    assert sign_in_shown(at)


def test_password_is_enforced_in_the_sandbox_too(app: AppTest) -> None:
    """A configured password protects the zero-configuration sandbox as well."""
    app.secrets["docspace"] = {"dashboard_password_hash": HASH}
    at = app.run()
    assert not at.exception
    assert sign_in_shown(at)
    assert at.text_input(key=auth.PASSWORD_FIELD)


def test_oidc_sign_in_allows_writes_and_records_the_email(
    app: AppTest, real_portal: object, journal: Callable[[], Journal]
) -> None:
    """OIDC mode: a logged-out user sees the sign-in button; a logged-in one onboards as their e-mail."""
    app.secrets["auth"] = OIDC
    app.user = {"is_logged_in": False}
    at = app.run()
    assert not at.exception
    assert sign_in_shown(at) and at.button(key="auth_login_default")
    at.user = {"is_logged_in": True, "email": "ops@example.com", "name": "Ops"}
    at.run()
    assert not at.exception and not sign_in_shown(at)
    assert "Read-only" not in texts(at)
    assert "Signed in as Ops (ops@example.com)" in "\n".join(unescape(c.value) for c in at.sidebar.caption)
    j = journal()
    onboard_one(at, j)
    assert actors(j) == ({"ops@example.com"}, {"ops@example.com"})


@pytest.mark.parametrize("where", ["secrets", "environment"])
def test_allow_unauthenticated_writes_with_a_warning(
    app: AppTest,
    real_portal: object,
    journal: Callable[[], Journal],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    """allow_unauthenticated (secrets or environment) lets a real portal be written, with a warning on every page."""
    if where == "secrets":
        app.secrets["docspace"] = {"allow_unauthenticated": True}
    else:
        monkeypatch.setenv(access.ALLOW_ENV, "true")
    at = app.run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception
        assert any("No sign-in" in w.value for w in at.warning), f"no warning on {page}"
    j = journal()
    onboard_one(at, j)
    assert actors(j) == ({access.ANONYMOUS_ALLOWED}, {access.ANONYMOUS_ALLOWED})


def test_secrets_example_documents_every_access_option() -> None:
    """.streamlit/secrets.toml.example, uncommented, parses and configures OIDC, password, allow and webhook."""
    example = Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.toml.example"
    settings_lines = [
        m.group(1)
        for line in example.read_text(encoding="utf-8").splitlines()
        if (m := re.match(r"^# (?:# )?(\[[a-z.]+\]|[a-z_]+ = .*)$", line))
    ]
    secrets = tomllib.loads("\n".join(settings_lines))
    for name in ("dashboard_password_hash", "allow_unauthenticated", "webhook_url", "webhook_secret"):
        assert name in secrets["docspace"]
    config = access.load_access_config(secrets, {})
    assert config.oidc and not config.oidc_problem
    assert config.providers == (None, "microsoft")
    assert "hash-password" in example.read_text(encoding="utf-8")


REQUIRE_WRITE_SCRIPT = """
from ui import auth, chrome
with chrome.guard():
    auth.require_write("archive rooms")
    import streamlit as st
    st.success("written")
"""


def test_every_write_path_checks_access_on_the_server(real_portal: object) -> None:
    """require_write (called by every write path) refuses a read-only session with the reason, not a traceback."""
    at = AppTest.from_string(REQUIRE_WRITE_SCRIPT, default_timeout=30).run()
    assert not at.exception
    assert not at.success
    refusal = " ".join(unescape(e.value) for e in at.error)
    assert "may not archive rooms" in refusal and "no sign-in is configured" in refusal
