"""After onboarding, over HTTP against the sandbox: joins, drift audit/repair, offboard/restore.

Damage is done out of band as a person in DocSpace would: a member set to None (``PUT
rooms/{id}/share`` access 0), the link deleted (``PUT rooms/{id}/links`` access 0), a folder
deleted (``DELETE files/folder/{id}``, an async operation), a room archived.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from crm.test_webhook import Receiver
from support.engine import Harness, make_clients, write_csv
from support.waiting import wait_until

from onboarding import cli
from onboarding.docspace import DocSpaceClient, FileShare, Invitation, LinkRequest, LinkType

N = 24


def _onboard(harness: Harness, env: list[str], tmp_path: Path, n: int) -> list[str]:
    clients = make_clients(n)
    sheet = write_csv(tmp_path / "c.csv", clients)
    assert cli.main(["run", str(sheet), *env]) == 0
    return [c.client_id for c in clients]


def _room(harness: Harness, cid: str) -> dict:
    return next(r for r in harness.rooms() if f"client:{cid}" in r["tags"])


def _export(env: list[str], tmp_path: Path) -> dict[str, dict[str, str]]:
    target = tmp_path / "export.csv"
    assert cli.main(["export", "-o", str(target), *env]) == 0
    rows = csv.DictReader(io.StringIO(target.read_text(encoding="utf-8")))
    return {r["client_id"]: r for r in rows}


def _damage(api: DocSpaceClient, harness: Harness, ids: list[str]) -> None:
    """Remove a member, delete the link, delete a folder, archive a room: one client each."""
    member, link, folder, archived = (_room(harness, cid) for cid in ids)
    client_email = next(m["email"] for m in member["members"] if m["email"].startswith("contact"))
    who = next(m for m in api.room_members(member["id"]) if m.user and m.user.email == client_email)
    assert who.user is not None
    api.share_room(member["id"], [Invitation(access=FileShare.NONE, user_id=who.user.id)])
    (lk,) = api.room_links(link["id"])
    api.set_room_link(
        link["id"],
        LinkRequest(link_type=LinkType(lk.link_type), access=FileShare.NONE, link_id=lk.shared_link.id),
    )
    fid = next(f["id"] for f in folder["folders"] if f["title"] == "Invoices")
    api.call("DELETE", f"files/folder/{fid}", body={"deleteAfter": True, "immediately": True})
    api.wait_operation(api.archive_room(archived["id"]))
    wait_until(lambda: all(f["title"] != "Invoices" for f in _room(harness, ids[2])["folders"]))


def test_audit_finds_exactly_the_damaged_rooms_and_repair_restores_them(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """4 rooms damaged out of band: audit exits 1 listing those 4; repair fixes 3 and exits 1 (the
    archived one waits for restore); audit then reports only the archived room, and after restore
    audit and repair exit 0."""
    ids = _onboard(harness, env, tmp_path, N)
    assert cli.main(["audit", *env]) == 0
    damaged = [ids[3], ids[7], ids[11], ids[19]]
    api = harness.client()
    _damage(api, harness, damaged)
    capsys.readouterr()
    assert cli.main(["audit", "--json", *env]) == 1
    report = json.loads(capsys.readouterr().out)
    found = {c["client_id"]: {d["item"]: d for d in c["differences"]} for c in report["clients"]}
    assert set(found) == set(damaged)
    member, link, folder, archived = (found[cid] for cid in damaged)
    assert list(member) == [
        f"member contact{int(damaged[0][2:]):04d}@client{int(damaged[0][2:]):04d}.example"
    ]
    assert next(iter(member.values()))["found"] == "not a member"
    assert list(link) == ["link"] and link["link"]["found"] == "none"
    assert "folder Invoices" in folder and set(folder) <= {"folder Invoices"} | {
        k for k in folder if k.startswith("file Invoices/")
    }
    assert list(archived) == ["room archived"]

    assert cli.main(["repair", *env]) == 1  # the archived room is left
    out = capsys.readouterr().out
    assert f"{damaged[3]}\tnot repaired\troom archived" in out
    assert all(f"{cid}\trepaired" in out for cid in damaged[:3])
    assert cli.main(["audit", "--json", *env]) == 1
    left = json.loads(capsys.readouterr().out)["clients"]
    assert [c["client_id"] for c in left] == [damaged[3]]
    rows = _export(env, tmp_path)
    (new_link,) = api.room_links(_room(harness, damaged[1])["id"])
    assert rows[damaged[1]]["client_link"] == new_link.url and rows[damaged[1]]["status"] == "onboarded"
    assert cli.main(["restore", damaged[3], *env]) == 0
    assert cli.main(["audit", *env]) == 0
    assert cli.main(["repair", *env]) == 0


def test_a_link_made_again_by_repair_reaches_the_crm_once_per_change(
    harness: Harness, env: list[str], tmp_path: Path, hook: Receiver
) -> None:
    """A deleted link made again by `repair` goes to the CRM as one client.link_renewed with the
    new link; deleted and repaired again, another with a key of its own; a repair with nothing to
    do, and `webhook`, send nothing more (client.onboarded keeps its one key)."""
    (cid,) = _onboard(harness, env, tmp_path, 1)
    api, rid = harness.client(), _room(harness, cid)["id"]
    made = []
    for _ in range(2):
        (lk,) = api.room_links(rid)
        req = LinkRequest(link_type=LinkType(lk.link_type), access=FileShare.NONE, link_id=lk.shared_link.id)
        api.set_room_link(rid, req)
        assert cli.main(["repair", "--select", cid, *env]) == 0
        (new,) = api.room_links(rid)
        made.append(new.url)
    assert cli.main(["repair", *env]) == 0
    assert cli.main(["webhook", *env]) == 0
    assert _export(env, tmp_path)[cid]["client_link"] == made[1] != made[0]
    renewed = [p["client"] for p in hook.accepted.values() if p["type"] == "client.link_renewed"]
    assert [(c["client_id"], c["client_link"], c["status"]) for c in renewed] == [
        (cid, url, "onboarded") for url in made
    ]
    assert [p["type"] for p in hook.accepted.values()].count("client.onboarded") == 1
    assert all(n == 1 for n in hook.attempts.values())


def test_accepted_difference_is_no_longer_reported(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`audit --accept ID:ITEM` keeps that difference out of later audits (exit 0)."""
    (cid,) = _onboard(harness, env, tmp_path, 1)
    api = harness.client()
    (lk,) = api.room_links(_room(harness, cid)["id"])
    api.set_room_link(
        _room(harness, cid)["id"],
        LinkRequest(link_type=LinkType(lk.link_type), access=FileShare.NONE, link_id=lk.shared_link.id),
    )
    assert cli.main(["audit", *env]) == 1
    assert cli.main(["audit", "--accept", f"{cid}:link", *env]) == 0
    assert cli.main(["audit", "--accept", "no-colon", *env]) == 2


def test_check_joins_marks_exactly_the_activated_clients_and_tells_the_crm_once(
    harness: Harness, env: list[str], tmp_path: Path, hook: Receiver
) -> None:
    """5 of 8 invitees activated in the sandbox: those 5 are joined (export yes + joined_at), with one
    client.joined delivery each, also after a second check-joins."""
    ids = _onboard(harness, env, tmp_path, 8)
    joined = ids[:5]
    for cid in joined:
        n = int(cid[2:])
        harness.sandbox.activate_user(f"contact{n:04d}@client{n:04d}.example")
    assert cli.main(["check-joins", *env]) == 0
    assert cli.main(["check-joins", *env]) == 0
    rows = _export(env, tmp_path)
    assert {cid for cid, r in rows.items() if r["client_joined"] == "yes" and r["joined_at"]} == set(joined)
    events = [p for p in hook.accepted.values() if p["type"] == "client.joined"]
    assert sorted(p["client"]["client_id"] for p in events) == sorted(joined)
    assert all(hook.attempts[k] == 1 for k, p in hook.accepted.items() if p["type"] == "client.joined")


def test_a_new_e_mail_resets_the_join_so_check_joins_follows_the_new_address(
    harness: Harness, env: list[str], tmp_path: Path, hook: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    """A joined client's e-mail replaced (`run --on-conflict update`): the export and the
    client.updated say not joined; check-joins checks the new address, and once it joins records
    it and sends client.joined again, with a key of its own."""
    (cid,) = _onboard(harness, env, tmp_path, 1)
    harness.sandbox.activate_user("contact0001@client0001.example")
    assert cli.main(["check-joins", *env]) == 0
    assert _export(env, tmp_path)[cid]["client_joined"] == "yes"
    new = "new.contact@client0001.example"
    (row,) = make_clients(1)
    sheet = write_csv(tmp_path / "new.csv", [dataclasses.replace(row, email=new)])
    assert cli.main(["run", "--on-conflict", "update", "--select", cid, str(sheet), *env]) == 0
    exported = _export(env, tmp_path)[cid]
    assert (exported["client_email"], exported["client_joined"], exported["joined_at"]) == (new, "no", "")
    (updated,) = [p["client"] for p in hook.accepted.values() if p["type"] == "client.updated"]
    assert (updated["client_email"], updated["client_joined"], updated["joined_at"]) == (new, "no", "")
    capsys.readouterr()
    assert cli.main(["check-joins", *env]) == 0
    assert "1 pending client(s) checked, 0 joined now" in capsys.readouterr().out
    harness.sandbox.activate_user(new)
    assert cli.main(["check-joins", *env]) == 0
    assert cli.main(["check-joins", *env]) == 0
    assert _export(env, tmp_path)[cid]["client_joined"] == "yes"
    joined = [p["client"]["client_email"] for p in hook.accepted.values() if p["type"] == "client.joined"]
    assert joined == ["contact0001@client0001.example", new]
    assert all(hook.attempts[k] == 1 for k, p in hook.accepted.items() if p["type"] == "client.joined")


def _onboarded_at(tmp_path: Path, client_id: str) -> tuple[str, float]:
    with sqlite3.connect(tmp_path / "j.sqlite3") as db:
        row = db.execute(
            "SELECT status, onboarded_at FROM clients WHERE client_id = ?", (client_id,)
        ).fetchone()
    return (row[0], row[1])


def test_offboard_then_restore_leaves_the_room_as_the_blueprint_says(
    harness: Harness, env: list[str], tmp_path: Path, hook: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    """offboard removes members and links and archives; restore unarchives and gives access back
    and keeps the date the client was first onboarded; both are in the journal's history and each
    is one webhook event."""
    (cid,) = _onboard(harness, env, tmp_path, 1)
    first = _onboarded_at(tmp_path, cid)
    assert cli.main(["offboard", cid, *env]) == 0
    room = _room(harness, cid)
    assert room["archived"] and room["links"] == [] and [m["owner"] for m in room["members"]] == [True]
    assert cli.main(["offboard", cid, *env]) == 0  # resumable: nothing left to do
    assert cli.main(["restore", cid, *env]) == 0
    room = _room(harness, cid)
    assert not room["archived"] and len([lk for lk in room["links"] if lk["linkType"] == 0]) == 1
    assert {m["email"] for m in room["members"] if not m["owner"]} >= {"contact0001@client0001.example"}
    assert first[1] and _onboarded_at(tmp_path, cid) == first == ("onboarded", first[1])
    assert cli.main(["audit", *env]) == 0
    capsys.readouterr()
    assert cli.main(["status", *env]) == 0
    kinds = [line.split("\t")[1] for line in capsys.readouterr().out.splitlines()]
    assert kinds.count("offboard") == 2 and kinds.count("restore") == 1
    types = sorted(
        p["type"] for p in hook.accepted.values() if p["type"] not in ("run.finished", "client.onboarded")
    )
    assert types == ["client.offboarded", "client.restored"]  # the repeated offboard told nobody


def test_restoring_an_active_complete_room_tells_the_crm_nothing_new(
    harness: Harness, env: list[str], tmp_path: Path, hook: Receiver
) -> None:
    """restore run twice after an offboard sends client.restored once (the second finds the room
    active and complete), and restore of a client never offboarded sends none; both exit 0."""
    offboarded, never = _onboard(harness, env, tmp_path, 2)
    assert cli.main(["offboard", offboarded, *env]) == 0
    for _ in range(2):
        assert cli.main(["restore", offboarded, *env]) == 0
        assert cli.main(["restore", never, *env]) == 0
    restored = [p["client"]["client_id"] for p in hook.accepted.values() if p["type"] == "client.restored"]
    assert restored == [offboarded]
    assert all(hook.attempts[k] == 1 for k, p in hook.accepted.items() if p["type"] == "client.restored")


def test_undoing_an_unfinished_offboard_tells_the_crm_nothing(
    harness: Harness, env: list[str], tmp_path: Path, hook: Receiver
) -> None:
    """An offboard that did not finish (its link removal refused) sent no client.offboarded; the
    restore that undoes it sends no client.restored either: for the CRM the client never left."""
    (cid,) = _onboard(harness, env, tmp_path, 1)
    rid = _room(harness, cid)["id"]
    harness.sandbox.set_faults(
        {"rules": [{"fault": "error500", "path": f"rooms/{rid}/links", "method": "PUT", "times": None}]}
    )
    assert cli.main(["offboard", cid, *env]) == 1
    harness.sandbox.set_faults(None)
    assert cli.main(["restore", cid, *env]) == 0
    assert not _room(harness, cid)["archived"]
    lifecycle = [
        p["type"] for p in hook.accepted.values() if p["type"] not in ("run.finished", "client.onboarded")
    ]
    assert lifecycle == []


def test_restore_with_a_blueprint_of_another_room_type_leaves_the_room_archived(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A client onboarded into a Custom room, offboarded, then restored with the default
    (Collaboration) blueprint: restore refuses before any write (exit 2, naming both types and
    --blueprint), and the room stays in the Archive instead of being unarchived and left half done."""
    custom = tmp_path / "custom.toml"
    custom.write_text("room_type = 5\n", encoding="utf-8")
    (cid,) = _onboard(harness, [*env, "--blueprint", str(custom)], tmp_path, 1)
    assert cli.main(["offboard", cid, *env, "--blueprint", str(custom)]) == 0
    writes = len(harness.writes_logged())
    capsys.readouterr()
    assert cli.main(["restore", cid, *env]) == 2
    err = capsys.readouterr().err
    assert "is a Custom room, but the blueprint makes Collaboration rooms" in err and "--blueprint" in err
    assert _room(harness, cid)["archived"] and len(harness.writes_logged()) == writes
    assert cli.main(["restore", cid, *env, "--blueprint", str(custom)]) == 0
    assert not _room(harness, cid)["archived"]


def test_a_run_of_the_master_file_skips_offboarded_and_rolled_back_clients_and_keeps_their_status(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file still lists an offboarded and a rolled-back client: plan says skip (offboarded:
    restore it to onboard again / rolled back), run exits 0 without a write, and their journal
    status, export and room stay as they were (no "blocked", no "rolled back" for the offboarded)."""
    clients = make_clients(3)
    sheet = write_csv(tmp_path / "c.csv", clients)
    assert cli.main(["run", str(sheet), *env]) == 0
    offboarded, archived, onboarded = (c.client_id for c in clients)
    assert cli.main(["offboard", offboarded, *env]) == 0
    assert cli.main(["archive", archived, *env]) == 0
    capsys.readouterr()
    assert cli.main(["plan", str(sheet), *env]) == 0
    out = capsys.readouterr().out
    assert f"{offboarded}\tskip\t" in out and f"{archived}\tskip\t" in out and f"{onboarded}\tdone\t" in out
    assert f"skip: offboarded: restore it to onboard again (`docspace-onboard restore {offboarded}`" in out
    assert f"skip: rolled back: its room {_room(harness, archived)['id']} is in the Archive" in out
    assert "1 done, 2 skipped (offboarded or rolled back), 0 blocked" in out
    writes = len(harness.writes_logged())
    for _ in range(2):  # every later run of the file too
        assert cli.main(["run", str(sheet), *env]) == 0
    assert len(harness.writes_logged()) == writes
    rows = _export(env, tmp_path)
    assert [rows[cid]["status"] for cid in (offboarded, archived, onboarded)] == [
        "offboarded",
        "archived",
        "onboarded",
    ]
    assert _room(harness, offboarded)["archived"] and _room(harness, archived)["archived"]


def test_an_offboard_killed_half_way_is_left_alone_by_run_and_repair_and_finished_by_offboard(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """offboard killed (SIGKILL) once the members are removed, its link removal held by the portal:
    run exits 1 saying the offboard did not finish and how to finish it, repair invites nobody
    back, the export says offboarded, and offboard again removes the link and archives the room."""
    clients = make_clients(1)
    sheet = write_csv(tmp_path / "c.csv", clients)
    assert cli.main(["run", str(sheet), *env]) == 0
    cid, rid = clients[0].client_id, _room(harness, clients[0].client_id)["id"]
    hold = {"fault": "latency", "path": f"rooms/{rid}/links", "method": "PUT", "latency_ms": 60_000}
    harness.sandbox.set_faults({"rules": [hold]})
    proc = subprocess.Popen(
        [sys.executable, "-m", "onboarding.cli", "offboard", cid, *env],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: [m["owner"] for m in _room(harness, cid)["members"]] == [True])
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    harness.sandbox.set_faults(None)
    room = _room(harness, cid)
    assert not room["archived"] and len(room["links"]) == 1
    writes = len(harness.writes_logged())
    capsys.readouterr()
    assert cli.main(["run", str(sheet), *env]) == 1
    assert f"run `docspace-onboard offboard {cid}` again to finish it" in capsys.readouterr().err
    assert cli.main(["repair", "--select", cid, *env]) == 0
    assert len(harness.writes_logged()) == writes  # nobody invited back, no link made
    assert _export(env, tmp_path)[cid]["status"] == "offboarded"
    assert cli.main(["offboard", cid, *env]) == 0
    room = _room(harness, cid)
    assert room["archived"] and room["links"] == [] and [m["owner"] for m in room["members"]] == [True]
    assert _export(env, tmp_path)[cid]["error"] == ""
    assert cli.main(["run", str(sheet), *env]) == 0


def test_expiring_links_are_listed_and_renew_makes_the_link_again(
    harness: Harness, env: list[str], tmp_path: Path, hook: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    """Links expiring within N days of clients not joined are listed; renew re-makes a deleted link
    (the room keeps one invitation link), the export shows it and the CRM gets client.link_renewed."""
    bp = tmp_path / "bp.toml"
    bp.write_text("[link]\nexpires_in_days = 3\n", encoding="utf-8")
    env = [*env, "--blueprint", str(bp)]
    ids = _onboard(harness, env, tmp_path, 2)
    capsys.readouterr()
    assert cli.main(["check-joins", "--expiring", "7", *env]) == 0
    assert (
        sorted(line.split("\t")[0] for line in capsys.readouterr().out.splitlines() if "expires" in line)
        == ids
    )
    assert cli.main(["check-joins", "--expiring", "1", *env]) == 0
    assert "expires" not in capsys.readouterr().out
    api, rid = harness.client(), _room(harness, ids[0])["id"]
    (old,) = api.room_links(rid)
    req = LinkRequest(link_type=LinkType(old.link_type), access=FileShare.NONE, link_id=old.shared_link.id)
    api.set_room_link(rid, req)
    assert cli.main(["renew", ids[0], *env]) == 0
    (new,) = api.room_links(rid)
    assert new.url != old.url and new.shared_link.expiration_date
    assert _export(env, tmp_path)[ids[0]]["client_link"] == new.url
    renewed = [p for p in hook.accepted.values() if p["type"] == "client.link_renewed"]
    assert [p["client"]["client_link"] for p in renewed] == [new.url]


def test_a_person_added_by_hand_is_reported_left_by_repair_and_silenced_by_accept_or_the_blueprint(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Carl given Editor access to two rooms by hand: audit reports him as an extra member; repair
    restores the deleted link beside him but leaves him (removing people is a person's call) and
    says how to accept him; accepting him (as typed, any case) silences one room, the blueprint's
    known_members both; an item that is no audit item, or no difference of the room now (which
    would hide that person when added later), is refused (exit 2)."""
    first, second = _onboard(harness, env, tmp_path, 2)
    api = harness.client()
    carl = api.find_user_by_email("carl.user@sandbox.example")
    assert carl is not None
    for cid in (first, second):
        api.share_room(_room(harness, cid)["id"], [Invitation(access=FileShare.EDITING, user_id=carl.id)])
    (lk,) = api.room_links(_room(harness, first)["id"])
    api.set_room_link(
        _room(harness, first)["id"],
        LinkRequest(link_type=LinkType(lk.link_type), access=FileShare.NONE, link_id=lk.shared_link.id),
    )
    capsys.readouterr()
    assert cli.main(["audit", "--json", *env]) == 1
    found = {c["client_id"]: c["differences"] for c in json.loads(capsys.readouterr().out)["clients"]}
    extra = {"item": "member carl.user@sandbox.example", "expected": "not a member", "found": "Editor"}
    assert found[first] == [extra, {"item": "link", "expected": found[first][1]["expected"], "found": "none"}]
    assert found[second] == [extra]
    assert cli.main(["repair", "--select", first, *env]) == 1  # Carl is left
    out = capsys.readouterr().out
    assert f"{first}\trepaired\tlink" in out
    assert f"{first}\tnot repaired\tmember carl.user@sandbox.example (not removed by repair" in out
    assert f"`audit --accept {first}:'member carl.user@sandbox.example'`" in out
    assert carl.id in {m.user.id for m in api.room_members(_room(harness, first)["id"]) if m.user}
    assert cli.main(["audit", "--accept", f"{first}:bogus item", *env]) == 2
    assert (
        cli.main(["audit", "--accept", f"{first}:member eve@elsewhere.example", *env]) == 2
    )  # not there (yet)
    assert cli.main(["audit", "--accept", f"{first}:member  Carl.User@Sandbox.Example", *env]) == 1
    capsys.readouterr()
    assert cli.main(["audit", "--json", *env]) == 1
    assert [c["client_id"] for c in json.loads(capsys.readouterr().out)["clients"]] == [second]
    blueprint = tmp_path / "bp.toml"
    blueprint.write_text('known_members = ["@sandbox.example"]\n', encoding="utf-8")
    assert cli.main(["audit", "--blueprint", str(blueprint), *env]) == 0


def test_a_roll_back_tells_the_crm_once_per_time_the_room_goes_to_the_archive(
    harness: Harness, env: list[str], tmp_path: Path, hook: Receiver
) -> None:
    """archive sends client.archived (no link, status archived) once; after a restore, a second
    archive is news again with a key of its own."""
    (cid,) = _onboard(harness, env, tmp_path, 1)
    for _ in range(2):
        assert cli.main(["archive", cid, *env]) == 0
    assert cli.main(["restore", cid, *env]) == 0
    assert cli.main(["archive", cid, *env]) == 0
    events = [(k, p) for k, p in hook.accepted.items() if p["type"] == "client.archived"]
    assert len(events) == 2 and all(hook.attempts[k] == 1 for k, _ in events)
    for key, payload in events:
        assert payload["idempotency_key"] == key and "run_id" not in payload
        client = payload["client"]
        assert (client["client_id"], client["status"], client["client_link"]) == (cid, "archived", "")
    types = [p["type"] for p in hook.accepted.values() if p["type"].startswith("client.")]
    assert types == ["client.onboarded", "client.archived", "client.restored", "client.archived"]
