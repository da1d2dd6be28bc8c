"""Cached resources and look-ups: what is worth computing once, and for whom.

* Process-wide (``st.cache_resource``): the sandbox portal and the run registry. Both must outlive
  any browser session — a batch keeps running after its tab is closed.
* Shared (``st.cache_data``): parsed uploads. They hold client data but no secret, and the cache
  key is the file's content, so a session can only hit an entry for bytes it uploaded itself.
* Per session (``scope="session"``): anything read from the portal with the session's API key.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import streamlit as st

from onboarding import (
    Blueprint,
    ClientBatch,
    ColumnMapping,
    Edits,
    IngestSettings,
    RawTable,
    RunRegistry,
    Suggestion,
    apply_edits,
    email_suggestions,
    private_folder,
    read_table,
    review_table,
    route_segments,
    tidy_emails,
)

if TYPE_CHECKING:
    from onboarding import FolderContent, Onboarding, User

PORTAL_TTL_SECONDS = 60
"""How long a portal look-up (who am I, a folder listing) is reused before it is read again."""


@st.cache_resource(show_spinner="Starting the sandbox portal…")
def sandbox(data_dir: str) -> Any:
    """The in-process sandbox portal, started once per server process (and per data folder).

    Its state file sits in the data folder, so demo rooms survive a restart of the dashboard
    just as the journal does, and remembers the port, so room and link addresses stay valid.
    """
    import docspace_sandbox  # imported lazily: only zero-configuration mode needs it

    state = Path(data_dir) / "sandbox-state.json"
    private_folder(state.parent, what="data folder")
    return docspace_sandbox.start(port=0, state_file=str(state), keep_port=True)


@st.cache_resource
def registry() -> RunRegistry:
    """The one registry of background batches for this server process."""
    return RunRegistry()


@st.cache_data(max_entries=8, show_spinner="Reading the spreadsheet…")
def read_upload(data: bytes, filename: str, sheet: str | None, settings_json: str) -> RawTable:
    """Read an upload's sheet as text; the same bytes and sheet are never parsed twice (an edit
    validates again, it does not read the workbook again)."""
    limits = IngestSettings.model_validate_json(settings_json).limits
    return read_table(data, filename, sheet=sheet, limits=limits)


class Upload(NamedTuple):
    """What identifies a batch in the caches: the file, its sheet and mapping, the ingest settings
    (all JSON), the person's edits (``{sheet: Edits.to_json()}``) and, when it has segments, the
    blueprint (JSON: each row is checked and titled by its segment's blueprint)."""

    data: bytes
    filename: str
    sheet: str | None
    mapping_json: str | None
    settings_json: str
    edits_json: str = "{}"
    segments_json: str = ""

    def table(self) -> RawTable:
        """The sheet as read from the file (cached)."""
        return read_upload(self.data, self.filename, self.sheet, self.settings_json)

    def edits_of(self, raw: RawTable) -> Edits:
        """The person's edits of the sheet ``raw`` was read from."""
        return Edits.from_json(json.loads(self.edits_json).get(raw.sheet or "", []))


@st.cache_data(max_entries=16, show_spinner="Checking the rows…")
def parse_upload(upload: Upload) -> ClientBatch:
    """Validate an upload with its mapping and the person's edits (the rules the file was checked by)."""
    mapping = ColumnMapping.model_validate_json(upload.mapping_json) if upload.mapping_json else None
    settings = IngestSettings.model_validate_json(upload.settings_json)
    raw = upload.table()
    batch = review_table(raw, upload.edits_of(raw), mapping, settings)
    if not upload.segments_json:
        return batch
    return route_segments(batch, Blueprint.model_validate_json(upload.segments_json))


@st.cache_data(max_entries=4, show_spinner=False)
def fix_candidates(upload: Upload) -> tuple[dict[tuple[int, str], str], list[Suggestion]]:
    """The bulk fixes' candidates for a batch (cells to tidy, suggested corrections), computed once
    per state of the upload rather than on every rerun (100,000 rows take about a second)."""
    batch = parse_upload(upload)
    if batch.blocked:
        return {}, []
    raw = upload.table()
    raw = apply_edits(raw, upload.edits_of(raw))
    return tidy_emails(raw, batch.mapping), email_suggestions(raw, batch.mapping)


@st.cache_data(max_entries=8, show_spinner=False)
def load_blueprint_file(path: str, mtime_ns: int) -> Blueprint:
    """A blueprint TOML, read again only when the file changes (``mtime_ns`` is the cache key)."""
    del mtime_ns
    return Blueprint.load(path)


def fingerprint(*parts: object) -> str:
    """A short digest that identifies a connection without containing its key."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:16]


@st.cache_data(
    ttl=PORTAL_TTL_SECONDS, scope="session", show_spinner="Asking the portal who the key belongs to…"
)
def whoami(connection: str, _service: Onboarding) -> User:
    """The key's own account (``GET people/@self``), per session and connection."""
    del connection
    return _service.whoami()


@st.cache_data(ttl=PORTAL_TTL_SECONDS, scope="session", show_spinner="Reading the folder…")
def folder_listing(connection: str, folder_id: int | None, _service: Onboarding) -> FolderContent:
    """A folder of "My documents" (``None``: its root), per session and connection."""
    del connection
    return _service.browse(folder_id)


@st.cache_data(ttl=PORTAL_TTL_SECONDS, scope="session", show_spinner="Reading the room templates…")
def room_templates(connection: str, _service: Onboarding) -> list[tuple[int, str, int | None]]:
    """The portal's room templates the key sees, as (id, title, room type), per session and connection."""
    del connection
    return [(t.id, t.title, t.room_type) for t in _service.room_templates()]


def clear_portal_lookups() -> None:
    """Forget the session's portal look-ups (after the connection or the portal changed)."""
    whoami.clear()
    folder_listing.clear()
    room_templates.clear()
