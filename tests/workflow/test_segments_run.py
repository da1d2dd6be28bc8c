"""Per-segment blueprints over HTTP: each row's segment chooses its room type, folders and link in one run."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from support.engine import Client, Harness
from support.room_templates import make_template
from support.sandbox_api import Api

from onboarding.blueprint import Blueprint
from onboarding.docspace import RoomType
from onboarding.journal import SqliteJournal
from onboarding.workflow.aftercare import Aftercare
from onboarding.workflow.status import Action, ClientStatus

SEGMENTED = Blueprint.load(Path(__file__).parents[2] / "examples" / "blueprint-segments.toml")
"""Enterprise: a data room, its own folders, a 30-day link; SMB: the default collaboration room."""

MANAGER = "anna.manager@sandbox.example"


def _client(cid: str, segment: str) -> Client:
    return Client(cid, f"Company {cid}", f"contact@{cid.lower()}.example", MANAGER, {"Segment": segment})


def _room(h: Harness, cid: str) -> dict:
    (room,) = [r for r in h.rooms() if f"client:{cid}" in r["tags"]]
    return room


def _days_from_now(stamp: str) -> float:
    expires = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    return (expires - dt.datetime.now(dt.UTC)).total_seconds() / 86400


def test_one_run_makes_a_data_room_for_enterprise_and_a_collaboration_room_for_smb(harness: Harness) -> None:
    """Enterprise → VDR with a 30-day invitation link and its folders; SMB and an empty cell → the default."""
    clients = [_client("E-1", "Enterprise"), _client("S-1", "smb"), _client("D-1", "")]
    engine = harness.engine(SEGMENTED)
    plan = engine.plan(clients)
    assert [(c.client_id, c.blueprint_name, c.action) for c in plan.clients] == [
        ("E-1", "Enterprise", Action.CREATE),
        ("S-1", "SMB", Action.CREATE),
        ("D-1", "default", Action.CREATE),
    ]
    result = engine.run(plan)
    assert result.exit_code == 0, result.errors

    vdr, smb, default = (_room(harness, cid) for cid in ("E-1", "S-1", "D-1"))
    assert vdr["roomType"] == RoomType.VIRTUAL_DATA
    assert [f["title"] for f in vdr["folders"]] == ["Due diligence", "Contracts"]
    (link,) = [lk for lk in vdr["links"] if lk["linkType"] == 0]
    assert 29 < _days_from_now(link["expirationDate"]) <= 30
    for room in (smb, default):
        assert room["roomType"] == RoomType.COLLABORATION
        assert [f["title"] for f in room["folders"]] == ["Invoices", "Contracts", "Deliverables"]
        assert all(lk["expirationDate"] is None for lk in room["links"])
    records = SqliteJournal(harness.journal_path).get_many("sandbox-test", ["E-1", "S-1"])
    assert records["E-1"].link_expires and not records["S-1"].link_expires


def test_a_rerun_of_a_segmented_batch_writes_nothing(harness: Harness) -> None:
    """Rooms are found by tag whatever the segment: the second run plans done and makes no write."""
    clients = [_client("E-1", "Enterprise"), _client("S-1", "SMB")]
    assert harness.engine(SEGMENTED).run(clients).exit_code == 0
    before = len(harness.writes_logged())
    again = harness.engine(SEGMENTED)
    assert [c.action for c in again.plan(clients).clients] == [Action.DONE, Action.DONE]
    assert again.run(clients).exit_code == 0
    assert len(harness.writes_logged()) == before


def test_an_unknown_segment_blocks_only_its_row(harness: Harness) -> None:
    """A cell naming no segment blocks that client with the reason; the valid rows are onboarded."""
    clients = [_client("E-1", "Enterprise"), _client("X-1", "Gold")]
    result = harness.engine(SEGMENTED).run(clients)
    assert result.statuses == {"E-1": ClientStatus.DONE, "X-1": ClientStatus.BLOCKED}
    assert "'Gold' in column 'Segment'" in result.errors["X-1"]
    assert [r["tags"] for r in harness.rooms()] == [["client:E-1"]]


def test_a_changed_segment_is_shown_on_the_plan_and_no_room_is_retyped(harness: Harness) -> None:
    """SMB onboarded, then the row says Enterprise: the plan names both, and no room is made or changed."""
    smb = _client("S-1", "SMB")
    assert harness.engine(SEGMENTED).run([smb]).exit_code == 0
    before = len(harness.writes_logged())
    moved = replace(smb, extra={"Segment": "Enterprise"})
    engine = harness.engine(SEGMENTED)
    (cp,) = engine.plan([moved]).clients
    assert (cp.action, cp.segment_before, cp.segment) == (Action.DONE, "SMB", "Enterprise")
    assert any("segment changed from 'SMB' to 'Enterprise'" in w for w in cp.warnings)
    engine.run([moved])
    assert len(harness.writes_logged()) == before
    assert _room(harness, "S-1")["roomType"] == RoomType.COLLABORATION


def test_an_unfinished_room_of_another_segment_is_a_conflict(harness: Harness) -> None:
    """A room started for SMB whose row now says Enterprise (another room type) waits for a person."""
    smb = _client("S-1", "SMB")
    assert harness.engine(SEGMENTED).run([smb]).exit_code == 0
    journal = SqliteJournal(harness.journal_path)
    journal.upsert_client("sandbox-test", "S-1", status="failed")
    (cp,) = harness.engine(SEGMENTED).plan([replace(smb, extra={"Segment": "Enterprise"})]).clients
    assert cp.action == Action.CONFLICT
    assert any("Collaboration room" in r and "Enterprise, was SMB" in r for r in cp.reasons)


def test_an_audit_compares_each_room_with_its_own_segments_blueprint(harness: Harness) -> None:
    """A data room made for Enterprise is not drift against the default's folders, room type or link."""
    clients = [_client("E-1", "Enterprise"), _client("S-1", "SMB")]
    engine = harness.engine(SEGMENTED)
    assert engine.run(clients).exit_code == 0
    audits = {a.client_id: a.differences for a in Aftercare(engine, None).audit()}
    assert audits == {"E-1": [], "S-1": []}
    renewed = Aftercare(engine, None).renew("E-1")
    assert 29 < _days_from_now(renewed.link_expires) <= 30


def test_a_segment_may_make_its_rooms_from_a_room_template(harness: Harness) -> None:
    """Enterprise from a data-room template (one POST fromTemplate), SMB step by step, in one run."""
    template = make_template(Api(harness.sandbox), "Data room template", room_type=int(RoomType.VIRTUAL_DATA))
    bp = Blueprint.from_dict(
        {
            **SEGMENTED.model_dump(mode="json", exclude={"segments"}),
            "segments": {
                "column": "Segment",
                "Enterprise": {
                    "room_type": 8,
                    "room_template": str(template),
                    "link": {"expires_in_days": 30},
                },
            },
        }
    )
    clients = [_client("E-1", "Enterprise"), _client("S-1", "")]
    harness.sandbox.clear_log()
    assert harness.engine(bp).run(clients).exit_code == 0
    vdr, smb = _room(harness, "E-1"), _room(harness, "S-1")
    assert (vdr["roomType"], smb["roomType"]) == (RoomType.VIRTUAL_DATA, RoomType.COLLABORATION)
    assert sorted(f["title"] for f in vdr["folders"]) == ["Contracts", "Invoices"]  # the template's
    assert [f["title"] for f in smb["folders"]] == ["Invoices", "Contracts", "Deliverables"]
    posts = [r["path"] for r in harness.sandbox.request_log() if r["method"] == "POST"]
    assert posts.count("/api/2.0/files/rooms/fromTemplate") == 1


def test_a_list_without_the_segment_column_says_so_on_each_row(harness: Harness) -> None:
    """Rows lacking the column get the default blueprint with a note naming the missing column."""
    (cp,) = (
        harness.engine(SEGMENTED).plan([replace(_client("D-1", ""), extra={"Tier": "Enterprise"})]).clients
    )
    assert (cp.action, cp.blueprint_name) == (Action.CREATE, "default")
    assert any("no column 'Segment'" in w for w in cp.warnings)
    (with_column,) = harness.engine(SEGMENTED).plan([_client("D-2", "")]).clients
    assert not any("no column" in w for w in with_column.warnings)
