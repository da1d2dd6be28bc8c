"""The CLI under hostile conditions: terminal controls, echoed keys, bad paths, a closed pipe."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from support.engine import Harness, make_clients, write_csv
from support.sheets import filtered_workbook

from onboarding import cli
from onboarding.journal import SqliteJournal

ROOT = Path(__file__).resolve().parents[2]


def _one_line_error(text: str) -> None:
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error:"), lines


def test_terminal_controls_from_the_journal_are_printed_escaped(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ESC/OSC, C1 and bidi overrides already in a journal are printed as visible escapes, never raw."""
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    run_id = journal.start_run(portal=harness.sandbox.url, actor="t", owner="o", total=1, blueprint={})
    hostile = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202eevil"
    journal.upsert_client(harness.sandbox.url, "C-\x1b[31m1", name=hostile, status="failed", run_id=run_id,
                          error=hostile)  # fmt: skip
    journal.add_event(run_id, harness.sandbox.url, "C-\x1b[31m1", "room", "failed", hostile)
    journal.close()
    assert cli.main(["status", "--run", run_id, *env]) == 0
    out = capsys.readouterr().out
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in out
    assert "\\x1b]0;owned\\x07" in out and "\\u202eevil" in out


class _EchoingProxy(BaseHTTPRequestHandler):
    """Forwards to the sandbox, but answers room creation with an error quoting the request headers."""

    upstream = ""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        auth = self.headers.get("Authorization", "")
        if self.command == "POST" and self.path.startswith("/api/2.0/files/rooms"):
            message = f"proxy refused: Authorization: {auth}; token={auth.split()[-1]}"
            data = json.dumps({"error": {"message": message}, "status": 1, "statusCode": 403}).encode()
            status = 403
        else:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            resp = requests.request(
                self.command, self.upstream + self.path, data=body, headers=headers, timeout=10
            )
            data, status = resp.content, resp.status_code
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echoing_proxy(harness: Harness) -> Iterator[str]:
    handler = type("Handler", (_EchoingProxy,), {"upstream": harness.sandbox.url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_proxy_echoing_the_key_leaks_it_nowhere(
    harness: Harness, echoing_proxy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """An error body quoting the Authorization header reaches CLI output, journal and exports masked."""
    key = harness.sandbox.api_key
    monkeypatch.setenv("DOCSPACE_API_KEY", key)
    monkeypatch.setenv("DOCSPACE_DATA_DIR", str(tmp_path))
    journal = tmp_path / "j.sqlite3"
    sheet = write_csv(tmp_path / "c.csv", make_clients(2))
    args = ["--portal", echoing_proxy, "--journal", str(journal)]
    assert cli.main(["run", str(sheet), *args]) == 1
    assert cli.main(["status", "--run", SqliteJournal(journal).runs()[0].run_id, *args]) == 0
    for fmt in ("csv", "xlsx", "jsonl"):
        assert cli.main(["export", *args, "-o", str(tmp_path / f"r.{fmt}")]) == 0
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert "proxy refused" in printed and key not in printed
    db = sqlite3.connect(journal)
    stored = "\n".join(
        str(row) for table in ("clients", "events", "runs") for row in db.execute(f"SELECT * FROM {table}")
    )
    db.close()
    assert "proxy refused" in stored and key not in stored
    assert "proxy refused" in (tmp_path / "r.csv").read_text(encoding="utf-8")
    for fmt in ("csv", "xlsx", "jsonl"):
        data = (tmp_path / f"r.{fmt}").read_bytes()
        assert key.encode() not in data
        assert key[3:].encode() not in data


def test_deeply_nested_blueprint_is_one_line_and_exit_2(
    env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A blueprint TOML nested thousands of levels deep is refused in one line with exit code 2."""
    bp = tmp_path / "deep.toml"
    bp.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    sheet = write_csv(tmp_path / "c.csv", make_clients(1))
    assert cli.main(["plan", str(sheet), *env, "--blueprint", str(bp)]) == 2
    err = capsys.readouterr().err
    _one_line_error(err)
    assert "deep.toml" in err and "nested" in err


def test_unwritable_journal_is_one_line_and_exit_2(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A journal path that cannot be created (below a regular file) is a one-line error, exit 2."""
    monkeypatch.setenv("DOCSPACE_API_KEY", harness.sandbox.api_key)
    monkeypatch.setenv("DOCSPACE_DATA_DIR", str(tmp_path))
    blocker = tmp_path / "plain-file"
    blocker.write_text("x", encoding="utf-8")
    sheet = write_csv(tmp_path / "c.csv", make_clients(1))
    code = cli.main(["plan", str(sheet), "--portal", harness.sandbox.url, "--journal", str(blocker / "j.db")])
    assert code == 2
    err = capsys.readouterr().err
    _one_line_error(err)
    assert "journal" in err


def test_unwritable_export_paths_are_one_line_and_exit_2(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`export -o` and `run --export` into a missing folder: one line, exit 2, and run writes nothing."""
    sheet = write_csv(tmp_path / "c.csv", make_clients(1))
    assert cli.main(["export", *env, "-o", str(tmp_path / "missing" / "r.csv")]) == 2
    _one_line_error(capsys.readouterr().err)
    assert cli.main(["run", str(sheet), *env, "--export", str(tmp_path / "missing" / "r.csv")]) == 2
    _one_line_error(capsys.readouterr().err)
    assert harness.writes_logged() == []


def test_exports_are_created_private(env: list[str], tmp_path: Path) -> None:
    """An export file is created 0600: it holds client details and invitation links."""
    old = os.umask(0o022)
    try:
        assert cli.main(["export", *env, "-o", str(tmp_path / "r.csv")]) == 0
    finally:
        os.umask(old)
    assert (tmp_path / "r.csv").stat().st_mode & 0o777 == 0o600


def test_plan_into_a_closed_pipe_is_one_line_not_a_traceback(harness: Harness, tmp_path: Path) -> None:
    """`plan … | head` with the reader gone: one line on stderr, exit 1, no traceback."""
    sheet = write_csv(tmp_path / "c.csv", make_clients(300))
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    environment = {
        **os.environ,
        "DOCSPACE_API_KEY": harness.sandbox.api_key,
        "DOCSPACE_DATA_DIR": str(tmp_path),
    }
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "onboarding.cli", "plan", str(sheet), "--portal", harness.sandbox.url],
            stdout=write_end, stderr=subprocess.PIPE, cwd=ROOT, env=environment, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    err = proc.stderr.decode()
    assert "Traceback" not in err and "Exception ignored" not in err, err
    _one_line_error(err)
    assert "pipe" in err
    assert proc.returncode == 1


def test_a_password_in_a_command_line_journal_address_is_warned_about_never_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`journal migrate --to postgresql://u:pw@…` warns that argv is public, and prints no password."""
    source = tmp_path / "j.sqlite3"
    SqliteJournal(source).close()
    url = "postgresql://onboarding:Pw9@127.0.0.1:1/db"  # port 1 on loopback: refused at once
    code = cli.main(["journal", "migrate", "--from", str(source), "--to", url])
    err = capsys.readouterr().err
    assert code == 2
    assert "--to address holds a password" in err and "~/.pgpass" in err
    assert "Pw9" not in err


def test_rows_hidden_in_the_sheet_are_left_out_unless_asked_for(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run` leaves a row hidden by a filter out and says so; --select naming it, or
    --include-hidden, onboards it (one room each, never two)."""
    path = tmp_path / "filtered.xlsx"
    path.write_bytes(filtered_workbook())
    sheet = str(path)

    def onboarded() -> list[str]:
        return sorted(t for r in harness.rooms() for t in r["tags"] if t.startswith("client:H-"))

    assert cli.main(["run", sheet, *env]) == 0
    assert "1 row(s) hidden in the sheet left out" in capsys.readouterr().err
    assert onboarded() == ["client:H-0", "client:H-2"]
    assert cli.main(["run", "--select", "H-1", sheet, *env]) == 0
    assert onboarded() == ["client:H-0", "client:H-1", "client:H-2"]
    assert cli.main(["run", "--include-hidden", sheet, *env]) == 0
    assert onboarded() == ["client:H-0", "client:H-1", "client:H-2"]
