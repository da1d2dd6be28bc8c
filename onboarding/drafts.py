"""Drafts: the upload a person was working on, kept on the server so a reload or a new tab finds it.

A browser session forgets everything on reload. The batch of a run is in the journal, but the
spreadsheet, its sheet and mapping, the cell edits, the selection and the conflict choices were
lost, and with them the work of fixing rows. A draft keeps exactly those, one per person (the
signed-in user; without sign-in, one per machine), in the data folder beside the journal:

* ``<user digest>.bin`` — the file's bytes, written only when the file changes;
* ``<user digest>.json`` — name, SHA-256 of the bytes, sheet, mapping, edits, selection, choices.

Both are private files (0600 in a 0700 folder, :mod:`onboarding.files`) replaced atomically. A
draft holds client data and nothing else: no API key, password or session secret ever goes in,
and the user appears only as a digest. Drafts are bounded: the file as large as an upload may be,
the state to :data:`MAX_STATE_BYTES`, and at most :data:`MAX_DRAFTS` people (the oldest go first).
A draft that does not read back whole (a crash between the two writes, a hand edit) is ignored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from onboarding.files import private_folder, replace_private
from onboarding.ingest.models import ColumnMapping, IngestLimits
from onboarding.review import Edits

log = logging.getLogger(__name__)

__all__ = ["MAX_DRAFTS", "MAX_STATE_BYTES", "Draft", "DraftStore"]

VERSION = 1
MAX_STATE_BYTES = 32 * 1024 * 1024
"""The JSON part: 200,000 edited cells and 100,000 selected ids fit."""
MAX_DRAFTS = 200
"""People with a draft in one data folder; saving one more removes the oldest."""


@dataclass(frozen=True)
class Draft:
    """Everything needed to put a person back where they were on the Upload page."""

    name: str
    data: bytes
    sheet: str | None = None
    mapping: ColumnMapping | None = None
    edits: dict[str, Edits] = field(default_factory=dict)
    """Sheet name ("" for a file without sheets) → that sheet's edits."""
    selected: list[str] | None = None
    """``None``: every valid row (the person has not changed the selection)."""
    choices: dict[str, str] = field(default_factory=dict)
    saved_at: float = 0.0

    def state(self) -> dict[str, object]:
        """The JSON part (everything but the bytes)."""
        return {
            "version": VERSION,
            "name": self.name,
            "sha256": hashlib.sha256(self.data).hexdigest(),
            "size": len(self.data),
            "sheet": self.sheet,
            "mapping": self.mapping.model_dump() if self.mapping is not None else None,
            "edits": {sheet: e.to_json() for sheet, e in self.edits.items() if e},
            "selected": self.selected,
            "choices": self.choices,
            "saved_at": self.saved_at or time.time(),
        }


def _from_state(state: dict[str, object], data: bytes) -> Draft:
    mapping = state.get("mapping")
    edits = state.get("edits")
    selected = state.get("selected")
    choices = state.get("choices")
    sheet = state.get("sheet")
    return Draft(
        name=str(state["name"]),
        data=data,
        sheet=sheet if isinstance(sheet, str) else None,
        mapping=ColumnMapping.model_validate(mapping) if isinstance(mapping, dict) else None,
        edits={str(k): Edits.from_json(v) for k, v in edits.items()} if isinstance(edits, dict) else {},
        selected=[str(s) for s in selected] if isinstance(selected, list) else None,
        choices={str(k): str(v) for k, v in choices.items()} if isinstance(choices, dict) else {},
        saved_at=float(state.get("saved_at") or 0.0),  # type: ignore[arg-type]
    )


class DraftStore:
    """One folder of drafts, one draft per user."""

    def __init__(
        self,
        folder: str | Path,
        *,
        max_file_bytes: int = IngestLimits().max_file_bytes,
        max_drafts: int = MAX_DRAFTS,
    ) -> None:
        self.folder = Path(folder)
        self.max_file_bytes = max_file_bytes
        self.max_drafts = max_drafts

    def _paths(self, user: str) -> tuple[Path, Path]:
        stem = hashlib.sha256(f"draft\x1f{user}".encode()).hexdigest()[:32]
        return self.folder / f"{stem}.json", self.folder / f"{stem}.bin"

    def save(self, user: str, draft: Draft) -> bool:
        """Keep ``draft`` as ``user``'s; ``False`` (and nothing kept) when it is over the bounds."""
        state = draft.state()
        text = json.dumps(state, ensure_ascii=False).encode("utf-8")
        if len(draft.data) > self.max_file_bytes or len(text) > MAX_STATE_BYTES:
            log.info("draft not kept: over the size bounds (%d bytes of file)", len(draft.data))
            self.discard(user)
            return False
        state_path, data_path = self._paths(user)
        private_folder(self.folder, what="drafts folder")
        if self._stored_sha(state_path, data_path) != state["sha256"]:
            replace_private(data_path, draft.data, what="draft")
        replace_private(state_path, text, what="draft")
        self._prune(keep=state_path)
        return True

    def load(self, user: str) -> Draft | None:
        """``user``'s draft, or ``None`` when there is none or it does not read back whole."""
        state_path, data_path = self._paths(user)
        try:
            state = json.loads(state_path.read_bytes())
            data = data_path.read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(state, dict) or state.get("version") != VERSION:
            return None
        if hashlib.sha256(data).hexdigest() != state.get("sha256"):
            return None
        try:
            return _from_state(state, data)
        except (KeyError, TypeError, ValueError):
            return None

    def discard(self, user: str) -> None:
        """Remove ``user``'s draft (the person removed the file)."""
        for path in self._paths(user):
            path.unlink(missing_ok=True)

    @staticmethod
    def _stored_sha(state_path: Path, data_path: Path) -> str | None:
        """The digest of the bytes already on disk for this user (so an unchanged file is not rewritten)."""
        try:
            sha = json.loads(state_path.read_bytes()).get("sha256")
        except (OSError, ValueError, AttributeError):
            return None
        return str(sha) if data_path.exists() else None

    def _prune(self, keep: Path) -> None:
        states = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in states[: max(0, len(states) - self.max_drafts)]:
            if old != keep:
                old.unlink(missing_ok=True)
                old.with_suffix(".bin").unlink(missing_ok=True)
