"""Under a finished run, the onboarded clients it changed: who took the room over, who was removed."""

from __future__ import annotations

from onboarding import EventRecord, RunProgress
from ui import live


def _progress(*access: tuple[str, str]) -> RunProgress:
    events = [
        EventRecord(i, "r", cid, "access", "done", detail, 0.0) for i, (cid, detail) in enumerate(access)
    ]
    return RunProgress("r", len(access), len(access), {}, {}, {}, {}, False, events)


def test_each_updated_client_says_what_changed_in_its_room() -> None:
    """A hand-over names the new manager and who was removed; an updated e-mail names the replaced
    address it removed; a hand-over from the key's own account (nobody removed) still reads as one
    when the run's plan says so; clients the run did not change are not listed."""
    p = _progress(
        ("C-1", "manager as Room manager; anna@x.example (the previous account manager) removed"),
        ("C-2", "new@c2.example as Viewer; old@c2.example (the replaced address) removed"),
        ("C-3", "manager as Room manager"),
        ("C-4", "already set"),
    )
    managers = {"C-1": "ben@x.example", "C-2": "anna@x.example", "C-3": "ben@x.example"}
    lines = live.change_lines(p, {"updated": ["C-1", "C-2", "C-3"]}, managers, handed_over={"C-3"})
    assert lines == [
        "C-1: handed over to ben@x.example, anna@x.example removed",
        "C-2: record updated, old@c2.example (the replaced address) removed",
        "C-3: handed over to ben@x.example",
    ]
    assert live.change_lines(p, {}, managers) == []
