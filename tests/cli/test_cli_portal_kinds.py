"""``docspace-onboard run`` on each kind of portal (issue #17's Done-when), over HTTP to the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.engine import Client, make_clients, one_room_per_client, write_csv

import docspace_sandbox
from onboarding import cli
from onboarding.docspace import PortalAddress
from onboarding.journal import SqliteJournal

Portal = docspace_sandbox.Sandbox


@pytest.fixture
def start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Starts a sandbox of a given kind and points the CLI's environment at it."""
    started: list[Portal] = []
    monkeypatch.setenv("DOCSPACE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DOCSPACE_URL", raising=False)

    def make(**settings: object) -> tuple[Portal, list[str]]:
        sb = docspace_sandbox.start(port=0, **settings)  # type: ignore[arg-type]
        started.append(sb)
        monkeypatch.setenv("DOCSPACE_API_KEY", sb.api_key)
        return sb, ["--portal", sb.url, "--journal", str(tmp_path / "j.sqlite3")]

    try:
        yield make
    finally:
        for sb in started:
            sb.stop()


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


def _statuses(sb: Portal, tmp_path: Path, clients: list[Client]) -> dict[str, str]:
    """The clients' statuses in the journal the CLI wrote (its portal key is the portal's address)."""
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    records = journal.get_many(PortalAddress.parse(sb.url).base, [c.client_id for c in clients])
    return {cid: rec.status for cid, rec in records.items()}


@pytest.mark.parametrize("key_user", ["admin", "room-admin"])
def test_24_clients_with_a_non_owner_key(start, tmp_path: Path, key_user: str) -> None:  # type: ignore[no-untyped-def]
    """--key-user admin / room-admin (managers are room admins): exit 0, the portal exactly as the blueprint says."""
    sb, args = start(key_user=key_user)
    clients = make_clients(24)
    sheet = write_csv(tmp_path / "clients.csv", clients)
    assert cli.main(["run", str(sheet), *args]) == 0
    rooms = sb.state()["rooms"]
    assert len(rooms) == 24
    one_room_per_client(rooms, clients, _tag)


@pytest.mark.parametrize(
    ("setting", "words"), [("invitation_limit", "invitation limit"), ("room_quota", "allows no more rooms")]
)
def test_a_portal_limit_defers_then_a_raised_limit_finishes(  # type: ignore[no-untyped-def]
    start, tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, words: str
) -> None:
    """Limit 10: exit 3, 10 onboarded, 14 deferred naming the limit, 0 failed; raised: exit 0, one room each."""
    sb, args = start(**{setting: 10})
    clients = make_clients(24)
    sheet = write_csv(tmp_path / "clients.csv", clients)
    assert cli.main(["run", str(sheet), *args]) == 3
    statuses = list(_statuses(sb, tmp_path, clients).values())
    assert (statuses.count("onboarded"), statuses.count("deferred"), statuses.count("failed")) == (10, 14, 0)
    err = capsys.readouterr().err
    assert err.count(words) >= 14
    sb.update_settings({setting: 100})
    assert cli.main(["run", str(sheet), *args]) == 0
    rooms = sb.state()["rooms"]
    assert len(rooms) == 24
    one_room_per_client(rooms, clients, _tag)


def test_150_clients_with_70_character_ids_plan_and_run(start, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Against the 8 KB request-line limit: plan and run succeed, every client gets one room."""
    sb, args = start()
    clients = [
        Client(
            f"{'client-id-' * 6}{i:010d}",
            f"Company {i}",
            f"c{i}@long.example",
            "anna.manager@sandbox.example",
        )
        for i in range(150)
    ]
    assert all(len(c.client_id) == 70 for c in clients)
    sheet = write_csv(tmp_path / "clients.csv", clients)
    assert cli.main(["plan", str(sheet), *args]) == 0
    assert cli.main(["run", str(sheet), *args]) == 0
    assert cli.main(["plan", str(sheet), *args]) == 0  # the look-up of 150 existing rooms, too
    one_room_per_client(sb.state()["rooms"], clients, _tag)
