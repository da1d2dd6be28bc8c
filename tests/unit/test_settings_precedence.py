"""Where each setting comes from: what the command line names wins over the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboarding.errors import ConfigError
from onboarding.settings import load_settings

SHARED = "postgresql://ops@db.example/onboarding"


def test_an_explicit_journal_file_wins_over_the_shared_journal_in_the_environment(tmp_path: Path) -> None:
    """`--journal FILE` with DOCSPACE_JOURNAL_URL set: the run uses the file, not the team's
    shared journal; without `--journal` the environment's shared journal is used; an explicit
    postgresql:// address is a shared journal too."""
    env = {"DOCSPACE_JOURNAL_URL": SHARED}
    local = tmp_path / "mine.sqlite3"
    chosen = load_settings(explicit={"journal_path": str(local)}, environ=env)
    assert (chosen.journal, chosen.sources["journal_path"]) == (local, "explicit")
    assert "journal_url" not in chosen.sources
    assert load_settings(environ=env).journal == SHARED
    other = "postgresql://ops@other.example/db"
    assert load_settings(explicit={"journal_path": other}, environ=env).journal == other


def test_an_explicit_key_file_wins_over_the_key_in_the_environment(tmp_path: Path) -> None:
    """`--api-key-file F` with DOCSPACE_API_KEY set: F's key is used (the source says so); without
    it, the environment's key; a key given explicitly wins over both."""
    key_file = tmp_path / "key"
    key_file.write_text("sk-from-the-file\n", encoding="utf-8")
    env = {"DOCSPACE_API_KEY": "sk-from-the-environment"}
    chosen = load_settings(explicit={"api_key_file": str(key_file)}, environ=env)
    assert chosen.api_key is not None and chosen.api_key.get_secret_value() == "sk-from-the-file"
    assert chosen.sources["api_key"] == f"key file {key_file}"
    plain = load_settings(environ=env)
    assert plain.api_key is not None and plain.api_key.get_secret_value() == "sk-from-the-environment"
    both = load_settings(explicit={"api_key": "sk-given", "api_key_file": str(key_file)}, environ=env)
    assert both.api_key is not None and both.api_key.get_secret_value() == "sk-given"


def test_a_key_and_a_key_file_both_in_the_environment_are_refused(tmp_path: Path) -> None:
    """DOCSPACE_API_KEY and DOCSPACE_API_KEY_FILE both set: a ConfigError naming both (the key
    variable used to win without a word), unless the command line names the key to use."""
    key_file = tmp_path / "key"
    key_file.write_text("sk-from-the-file\n", encoding="utf-8")
    env = {"DOCSPACE_API_KEY": "sk-from-the-environment", "DOCSPACE_API_KEY_FILE": str(key_file)}
    with pytest.raises(ConfigError, match="both DOCSPACE_API_KEY and DOCSPACE_API_KEY_FILE are set"):
        load_settings(environ=env)
    chosen = load_settings(explicit={"api_key_file": str(key_file)}, environ=env)
    assert chosen.api_key is not None and chosen.api_key.get_secret_value() == "sk-from-the-file"
