"""Drafts: one per user, private files, read back whole or not at all, bounded in size and number."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from onboarding.drafts import Draft, DraftStore
from onboarding.ingest.models import ColumnMapping
from onboarding.review import Edits

DATA = b"Client ID,Company,E-mail\nC-1,Alpha,a@example.com\n"


def _draft(**over: object) -> Draft:
    values: dict[str, object] = {
        "name": "clients.csv",
        "data": DATA,
        "sheet": None,
        "mapping": ColumnMapping(client_id="Client ID", name="Company", email="E-mail"),
        "edits": {"": Edits({(2, "E-mail"): "alpha@example.com"})},
        "selected": ["C-1"],
        "choices": {"C-1": "skip"},
    }
    values.update(over)
    return Draft(**values)  # type: ignore[arg-type]


def test_a_saved_draft_reads_back_the_same(tmp_path: Path) -> None:
    """File, sheet, mapping, edits, selection and conflict choices all come back."""
    store = DraftStore(tmp_path / "drafts")
    draft = _draft(sheet="Clients")
    assert store.save("ann@example.com", draft)
    back = store.load("ann@example.com")
    assert back is not None
    assert (back.name, back.data, back.sheet, back.mapping) == (draft.name, DATA, "Clients", draft.mapping)
    assert back.edits == draft.edits and back.selected == ["C-1"] and back.choices == {"C-1": "skip"}


def test_drafts_are_per_user_and_discarded(tmp_path: Path) -> None:
    """Another user sees no draft; discarding removes the draft's files."""
    store = DraftStore(tmp_path)
    store.save("ann", _draft())
    assert store.load("bob") is None
    store.discard("ann")
    assert store.load("ann") is None
    assert list(tmp_path.iterdir()) == []


def test_draft_files_are_private_and_name_no_user(tmp_path: Path) -> None:
    """0600 files in a 0700 folder; the user's name is not in the file names or the content."""
    folder = tmp_path / "drafts"
    DraftStore(folder).save("ann@example.com", _draft())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert "ann" not in path.name
        assert b"ann@example.com" not in path.read_bytes()


def test_a_draft_that_does_not_read_back_whole_is_ignored(tmp_path: Path) -> None:
    """Bytes that do not match the recorded digest (a crash between writes) mean no draft."""
    store = DraftStore(tmp_path)
    store.save("ann", _draft())
    (bin_file,) = tmp_path.glob("*.bin")
    bin_file.write_bytes(b"something else")
    assert store.load("ann") is None
    (json_file,) = tmp_path.glob("*.json")
    json_file.write_text("{not json")
    assert store.load("ann") is None


def test_an_unchanged_file_is_not_written_again(tmp_path: Path) -> None:
    """Saving a new selection rewrites the small state, not the spreadsheet's bytes."""
    store = DraftStore(tmp_path)
    store.save("ann", _draft())
    (bin_file,) = tmp_path.glob("*.bin")
    before = bin_file.stat().st_ino, bin_file.stat().st_mtime_ns
    store.save("ann", _draft(selected=[]))
    after = bin_file.stat().st_ino, bin_file.stat().st_mtime_ns
    assert before == after
    back = store.load("ann")
    assert back is not None and back.selected == []


def test_a_file_over_the_bound_is_not_kept(tmp_path: Path) -> None:
    """A file larger than an upload may be is refused, and the user's older draft goes too."""
    store = DraftStore(tmp_path, max_file_bytes=len(DATA))
    assert store.save("ann", _draft())
    assert not store.save("ann", _draft(data=DATA + b"C-2,Beta,b@example.com\n"))
    assert store.load("ann") is None


def test_the_oldest_drafts_go_when_there_are_too_many(tmp_path: Path) -> None:
    """At most ``max_drafts`` users keep a draft; the least recently saved are removed."""
    store = DraftStore(tmp_path, max_drafts=2)
    for n, user in enumerate(["a", "b", "c"]):
        store.save(user, _draft())
        for path in tmp_path.glob("*.json"):
            if path == store._paths(user)[0]:
                os.utime(path, (1000 + n, 1000 + n))
    assert store.load("a") is None
    assert store.load("b") is not None and store.load("c") is not None
    assert len(list(tmp_path.glob("*.bin"))) == 2
