"""Deleting a duplicate counts only once the listing no longer shows it (converge._delete).

Two runs share one key, so one user's queue of file operations: the other run's poll can dequeue
our delete's result, and waiting then ends without the outcome. A delete whose
operation vanished while the copy is still listed must be made again, not reported done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from onboarding.errors import DocSpaceError
from onboarding.workflow import converge


@dataclass
class FakePortal:
    """Folder ids listed in one room; the first ``lost`` deletes vanish without deleting."""

    listed: set[int]
    lost: int = 0
    deletes: list[int] = field(default_factory=list)

    def delete_folder(self, item: int) -> list[object]:
        self.deletes.append(item)
        if self.lost:
            self.lost -= 1
        else:
            self.listed.discard(item)
        return [object()]

    def settle_operations(self, ops: list[object], read: Callable[..., Any] | None = None) -> None:
        pass  # dequeued by someone else: finished, outcome unknown

    def listing(self, parent: int, *, refresh: bool = False) -> tuple[list[Any], list[Any]]:
        return [], [SimpleNamespace(id=i) for i in sorted(self.listed)]


def _ctx(portal: FakePortal, events: list[str]) -> Any:
    return SimpleNamespace(
        api=portal,
        caller=SimpleNamespace(write=lambda call, what: call(), read=lambda call, what="": call()),
        listing=portal.listing,
        emit=lambda step, outcome, detail: events.append(detail),
    )


def test_a_delete_whose_operation_vanished_is_made_again_until_the_copy_is_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first delete of copy 12 is lost: it is deleted again and reported once, when gone."""
    monkeypatch.setattr(converge.time, "sleep", lambda s: None)
    portal, events = FakePortal(listed={11, 12}, lost=1), list[str]()
    assert converge._delete(_ctx(portal, events), 1, [12], folder=True) == 1
    assert portal.deletes == [12, 12] and portal.listed == {11}
    assert events == ["deleted duplicate folder 12 (a concurrent run's copy)"]


def test_a_copy_that_never_goes_fails_the_client_visibly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every delete lost: after the last try the run says the duplicate is still there."""
    monkeypatch.setattr(converge.time, "sleep", lambda s: None)
    portal: FakePortal = FakePortal(listed={11, 12}, lost=99)
    with pytest.raises(DocSpaceError, match="still listed"):
        converge._delete(_ctx(portal, []), 1, [12], folder=True)
    assert portal.deletes == [12] * converge.DELETE_TRIES
