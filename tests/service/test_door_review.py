"""The door's review counts: new / already onboarded / conflict, from one batch read of the journal."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.engine import make_clients

from onboarding import Onboarding


def test_review_counts_from_one_journal_read(door: Onboarding, monkeypatch: pytest.MonkeyPatch) -> None:
    """After two clients are onboarded: one unchanged (onboarded), one renamed (conflict), one new."""
    c1, c2, c3 = make_clients(3)
    door.run([c1, c2])
    reads: list[int] = []
    journal = door._journal
    real = journal.get_many

    def counted(portal: str, ids: object) -> object:
        reads.append(len(list(ids)))  # type: ignore[call-overload]
        return real(portal, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(journal, "get_many", counted)
    counts = door.review_counts([c1, replace(c2, name="Firma 2 Ärzte & Co"), c3])
    assert (counts.new, counts.onboarded, counts.conflicts, counts.unfinished) == (1, 1, 1, 0)
    assert reads == [3]
    assert door.review_counts([]).new == 0 and reads == [3]
