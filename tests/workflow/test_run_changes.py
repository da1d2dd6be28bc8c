"""What a finished run changed on onboarded clients, read back from its access events."""

from __future__ import annotations

from onboarding.workflow.reassign import PREVIOUS_MANAGER, REMOVED, change_lines


def test_each_updated_client_says_what_changed_in_its_room() -> None:
    """A hand-over names the new manager and who was removed; an updated e-mail names the replaced
    address it removed; a hand-over from the key's own account (nobody removed) still reads as one
    when the run's plan says so; clients the run did not change are not listed."""
    access = {
        "C-1": "manager as Room manager" + REMOVED.format(email="anna@x.example", why=PREVIOUS_MANAGER),
        "C-2": "new@c2.example as Viewer"
        + REMOVED.format(email="old@c2.example", why="the replaced address"),
        "C-3": "manager as Room manager",
        "C-4": "already set",
    }
    managers = {"C-1": "ben@x.example", "C-2": "anna@x.example", "C-3": "ben@x.example"}
    lines = change_lines(["C-1", "C-2", "C-3"], access, managers, handed_over={"C-3"})
    assert lines == [
        "C-1: handed over to ben@x.example, anna@x.example removed",
        "C-2: record updated, old@c2.example (the replaced address) removed",
        "C-3: handed over to ben@x.example",
    ]
    assert change_lines([], access, managers) == []
