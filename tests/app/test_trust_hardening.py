"""Dashboard hardening: guessing the password from fresh sessions, probing ports through Settings,
a hostile blueprint upload, and odd data already in the journal."""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import texts

from onboarding import access
from onboarding.journal import Journal
from ui import auth

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"
PASSWORD = "correct horse battery staple"
HASH = access.hash_password(PASSWORD, n=2**10)


@pytest.fixture
def frozen_throttle(monkeypatch: pytest.MonkeyPatch) -> access.SignInThrottle:
    """A fresh process-wide throttle whose clock stands still (every guess is "right away")."""
    throttle = access.SignInThrottle(clock=lambda: 1000.0)
    monkeypatch.setattr(access, "SIGN_IN_THROTTLE", throttle)
    return throttle


def fresh_session() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["docspace"] = {"dashboard_password_hash": HASH}
    return at.run()


def guess(at: AppTest, password: str) -> str:
    at.text_input(key=auth.PASSWORD_FIELD).input(password)
    at.button(key="auth_sign_in").click().run()
    assert not at.exception
    return " ".join(e.value for e in at.error)


def test_password_guesses_from_fresh_sessions_are_throttled_server_side(
    real_portal: object, frozen_throttle: access.SignInThrottle
) -> None:
    """Five wrong guesses from five fresh sessions; a sixth session is refused even with the right password."""
    for i in range(5):
        assert "Wrong password" in guess(fresh_session(), f"guess number {i}")
    at = fresh_session()
    problem = guess(at, PASSWORD)
    assert "Too many wrong passwords" in problem
    assert any(t.value == "Sign in" for t in at.title), "the right password was not even checked"
    assert frozen_throttle.failures(access.EVERYONE) == 5


def test_a_right_password_is_not_counted_as_a_failure(
    real_portal: object, frozen_throttle: access.SignInThrottle
) -> None:
    """Signing in with the right password leaves the shared failure count where it was."""
    at = fresh_session()
    guess(at, PASSWORD)
    assert not any(t.value == "Sign in" for t in at.title)
    assert frozen_throttle.failures(access.EVERYONE) == 0


class _Listener:
    """A loopback port that is open: it accepts and either answers some HTTP or hangs up."""

    def __init__(self, answer: bytes | None) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.answer = answer

    def connected(self) -> bool:
        """True when a connection is waiting (nobody accepts it unless serving)."""
        return bool(select.select([self.sock], [], [], 0)[0])

    def serve(self) -> None:
        def loop() -> None:
            while True:
                try:
                    conn, _ = self.sock.accept()
                except OSError:
                    return
                with conn:
                    if self.answer is not None:
                        conn.recv(65536)
                        conn.sendall(self.answer)

        threading.Thread(target=loop, daemon=True).start()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listeners() -> Iterator[Callable[[bytes | None], _Listener]]:
    made: list[_Listener] = []

    def make(answer: bytes | None) -> _Listener:
        made.append(_Listener(answer))
        return made[-1]

    yield make
    for listener in made:
        listener.close()


def try_portal(at: AppTest, url: str) -> str:
    at.switch_page("pages/settings.py").run()
    at.text_input(key="settings_session_url").input(url)
    at.text_input(key="settings_session_key").input("sk-" + "p" * 40)
    button = at.button(key="settings_session_submit")
    button.proto.disabled = False  # what a hand-made websocket message could claim
    button.click().run()
    assert not at.exception
    return " ".join(e.value for e in at.error)


def test_read_only_visitor_cannot_make_the_server_connect(
    app: AppTest, real_portal: object, listeners: Callable[[bytes | None], _Listener]
) -> None:
    """On a read-only dashboard "Test and use" is refused before any connection is made."""
    open_port = listeners(None)
    at = app.run()
    at.switch_page("pages/settings.py").run()
    assert at.button(key="settings_session_submit").disabled
    assert "write-level" in (at.button(key="settings_session_submit").proto.help or "")
    try_portal(at, f"http://127.0.0.1:{open_port.port}")  # a forged click on the disabled button
    assert not open_port.connected(), "the server connected although the visitor may not try portals"


def test_connection_errors_do_not_tell_open_ports_from_closed_ones(
    app: AppTest, sandbox: object, listeners: Callable[[bytes | None], _Listener]
) -> None:
    """A closed port, an open port that hangs up and one that answers non-DocSpace HTTP read the same."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
    hang_up, web, missing = (
        listeners(None),
        listeners(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
        listeners(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
    )
    for listener in (hang_up, web, missing):
        listener.serve()
    at = app.run()
    try:
        ports = [closed.getsockname()[1], hang_up.port, web.port, missing.port]
        messages = {try_portal(at, f"http://127.0.0.1:{port}").replace(str(port), "PORT") for port in ports}
    finally:
        closed.close()
    assert len(messages) == 1, messages
    assert "No DocSpace portal answered" in messages.pop()


def test_deeply_nested_blueprint_upload_is_a_clear_message(app: AppTest, sandbox: object) -> None:
    """A blueprint TOML nested thousands of levels deep is refused on Settings with a message, no traceback."""
    at = app.run()
    at.switch_page("pages/settings.py").run()
    deep = ("a = " + "[" * 5000 + "]" * 5000 + "\n").encode()
    at.file_uploader(key="settings_bp_upload").upload("deep.toml", deep, "application/toml").run()
    at.button(key="settings_bp_load").click().run()
    assert not at.exception
    assert "nested too deeply" in texts(at)


ODD = "Odd\x00\x01\x1b]0;t\x07\x1f\u202eName"


def test_results_page_survives_odd_data_already_in_the_journal(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """Control characters recorded before ingestion refused them: Results renders and offers downloads."""
    j = journal()
    portal = sandbox.url  # type: ignore[attr-defined]
    run_id = j.start_run(portal=portal, actor="t", owner="o", total=1, blueprint={})
    j.upsert_client(
        portal, "ODD-1", name=ODD, status="failed", error=ODD, run_id=run_id, extra={"Notes": ODD}
    )
    j.add_event(run_id, portal, "ODD-1", "room", "failed", ODD)
    at = app.run()
    for page in ("pages/home.py", "pages/onboard.py", "pages/results.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        assert "Something unexpected" not in " ".join(e.value for e in at.error), page
    assert at.get("download_button")


def test_check_joins_is_refused_server_side_for_a_session_that_may_not_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "Check joins" (journal writes, client.joined to the CRM) checks access itself, not only its button."""
    from onboarding import AccessDenied
    from ui import drift_panel

    calls: list[object] = []

    class _Service:
        def check_joins(self, ids: object = None) -> None:
            calls.append(ids)

    monkeypatch.setattr(
        auth, "current", lambda pol=None: access.Access(can_write=False, actor="anon", reason="x")
    )
    with pytest.raises(AccessDenied):
        drift_panel._check_joins(_Service(), ["C-1"])  # type: ignore[arg-type]
    assert calls == []
