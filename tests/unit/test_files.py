"""Files that hold client details (journal, exports, blueprint, data folder) are created private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from onboarding import files
from onboarding.blueprint import Blueprint
from onboarding.errors import ConfigError
from onboarding.journal import SqliteJournal as Journal


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> object:
    """A umask of 022 (the usual default): private modes must not depend on the caller's umask."""
    import os

    old = os.umask(0o022)
    yield None
    os.umask(old)


def test_journal_folder_and_file_are_created_private(tmp_path: Path) -> None:
    """A new journal in a new data folder: every created folder 0700, the journal and its WAL files 0600."""
    path = tmp_path / "data" / "deeper" / "journal.sqlite3"
    journal = Journal(path)
    journal.upsert_client("p", "C1", name="Acme")
    try:
        assert mode(tmp_path / "data") == 0o700
        assert mode(tmp_path / "data" / "deeper") == 0o700
        for f in path.parent.iterdir():
            assert mode(f) == 0o600, f
    finally:
        journal.close()


def test_blueprint_save_is_private_and_atomic(tmp_path: Path) -> None:
    """A saved blueprint is 0600 (also when it replaces an older, world-readable file)."""
    path = tmp_path / "blueprint.toml"
    path.write_text("", encoding="utf-8")
    path.chmod(0o644)
    Blueprint().save(path)
    assert mode(path) == 0o600
    assert Blueprint.load(path) == Blueprint()
    assert [p.name for p in tmp_path.iterdir()] == ["blueprint.toml"]


def test_write_private_creates_0600_and_truncates(tmp_path: Path) -> None:
    """An export written with write_private is 0600 and holds exactly the new bytes."""
    target = tmp_path / "out.csv"
    files.write_private(target, b"a much longer first version")
    files.write_private(target, b"short")
    assert target.read_bytes() == b"short"
    assert mode(target) == 0o600


def test_unusable_locations_are_config_errors_naming_the_path(tmp_path: Path) -> None:
    """A path below a regular file cannot be created: a ConfigError that names it, not an OSError."""
    blocker = tmp_path / "plain-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="plain-file"):
        files.write_private(blocker / "out.csv", b"x", what="export")
    with pytest.raises(ConfigError, match="journal"):
        Journal(blocker / "journal.sqlite3")
    with pytest.raises(ConfigError, match="plain-file"):
        files.check_writable(blocker / "out.csv", what="export")
