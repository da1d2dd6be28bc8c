"""The session's view of the product: settings, the service, the blueprint and the current batch.

Settings are resolved on every run (cheap) from, in order: values entered in this session, the
environment, ``.streamlit/secrets.toml``, defaults. With no portal at all the dashboard runs
against the in-process sandbox. The :class:`Onboarding` service holds the API key, so each browser
session builds its own (``scope="session"``); only the run registry is shared by the process.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
from pydantic import SecretStr

from onboarding import (
    Blueprint,
    ClientBatch,
    ClientRow,
    ColumnMapping,
    ConfigError,
    Edits,
    IngestError,
    Onboarding,
    RawTable,
    RunRegistry,
    Settings,
    Suggestion,
    apply_edits,
    default_data_dir,
    load_settings,
    saved_blueprint,
)
from ui import resources

log = logging.getLogger(__name__)

# Session-state keys that are not widgets (widget keys are named where the widget is made).
CONNECTION = "session_connection"
"""``{"portal_url": ..., "api_key": ...}`` entered on the Settings page; memory only, never written."""
LIMITS = "session_limits"
"""Concurrency and rate limits chosen on the Settings page for this session."""
UPLOAD = "upload_file_state"
"""``{"name": str, "data": bytes}`` of the spreadsheet in use (survives leaving the Upload page)."""
SHEET = "upload_sheet_state"
MAPPING = "upload_mapping_state"
SELECTED = "upload_selected_ids"
"""Client ids chosen on the Upload page, in file order."""
CHOICES = "upload_conflict_choices"
"""Client id → what the person chose: "skip", "update" or "new:<id>" for an identity conflict, "handover" for a manager change."""
HAND_OVER = "handover"
"""The choice to hand a finished client's room to the account manager its row names."""
EDITS = "upload_edits_state"
"""Sheet name ("" for none) → the person's cell edits (:class:`onboarding.Edits`) of that sheet."""
DRAFT_CHECKED = "upload_draft_checked"
"""The actor whose draft this session has looked for (looked for again after signing in)."""
RESTORED = "upload_draft_restored"
"""When the draft this session was restored from was saved (popped once the page has said so)."""
RUNS = "onboard_session_runs"
"""Run ids started (or joined) from this session, newest last."""

SANDBOX_SOURCE = "built-in sandbox"
REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_FILES = {
    "clients.xlsx": REPO_ROOT / "examples" / "clients.xlsx",
    "clients.csv": REPO_ROOT / "examples" / "clients.csv",
}


# -- settings ----------------------------------------------------------------------------------


def secrets() -> Mapping[str, Any]:
    """``st.secrets`` as a plain mapping, or empty when there is no secrets file (a fresh clone)."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # StreamlitSecretNotFoundError subclasses it: no secrets file at all
        return {}
    except Exception as exc:  # a secrets.toml that does not parse
        raise ConfigError(f".streamlit/secrets.toml could not be read: {exc}") from None


def settings(*, session_limits: bool = True) -> Settings:
    """The settings in force for this session; the sandbox when no portal is configured at all.

    ``session_limits=False``: without the limits chosen on the Settings page (the configured ones).
    """
    explicit: dict[str, Any] = {}
    explicit.update(st.session_state.get(CONNECTION) or {})
    if session_limits:
        explicit.update(st.session_state.get(LIMITS) or {})
    resolved = load_settings(explicit=explicit, secrets=secrets())
    if resolved.portal_url is None and resolved.api_key is None:
        box = resources.sandbox(str(default_data_dir()))
        sources = {**resolved.sources, "portal_url": SANDBOX_SOURCE, "api_key": SANDBOX_SOURCE}
        return resolved.model_copy(
            update={
                "portal_url": box.url,
                "api_key": SecretStr(box.api_key),
                "sandbox": True,
                "sources": sources,
            }
        )
    if not resolved.configured:
        missing = "DOCSPACE_API_KEY" if resolved.portal_url else "DOCSPACE_URL"
        raise ConfigError(
            f"The portal is only half configured: {missing} is missing. Set both DOCSPACE_URL and "
            "DOCSPACE_API_KEY (environment or .streamlit/secrets.toml), or neither to use the sandbox."
        )
    return resolved


def connection_id(s: Settings) -> str:
    """Identifies the portal and key in cache keys without containing the key."""
    key = s.api_key.get_secret_value() if s.api_key else ""
    return resources.fingerprint(s.portal_url, key, s.sandbox)


def actor() -> str:
    """Who is acting, as recorded with each run: the OIDC e-mail (or name), "password user",
    "anonymous (sandbox)" or "anonymous (allow_unauthenticated)" (see :mod:`onboarding.access`)."""
    from ui import auth  # auth builds on this module

    return auth.actor()


# -- blueprint ---------------------------------------------------------------------------------


def blueprint_path(s: Settings) -> Path:
    """Where the blueprint is loaded from and saved to."""
    return Path(s.blueprint_path) if s.blueprint_path else saved_blueprint()


@dataclass(frozen=True)
class BlueprintState:
    blueprint: Blueprint
    path: Path
    exists: bool
    problem: str = ""
    """Why the file could not be used (the built-in blueprint is used meanwhile)."""


def blueprint_state(s: Settings) -> BlueprintState:
    path = blueprint_path(s)
    if not path.exists():
        if s.blueprint_path:
            return BlueprintState(Blueprint(), path, False, f"the blueprint file {path} does not exist")
        return BlueprintState(Blueprint(), path, False)
    try:
        return BlueprintState(resources.load_blueprint_file(str(path), path.stat().st_mtime_ns), path, True)
    except ConfigError as exc:
        return BlueprintState(Blueprint(), path, True, str(exc))


def blueprint() -> Blueprint:
    return blueprint_state(settings()).blueprint


def save_blueprint(bp: Blueprint) -> Path:
    path = blueprint_path(settings())
    bp.save(path)  # creates its folder private
    resources.load_blueprint_file.clear()
    return path


# -- service and registry ----------------------------------------------------------------------


@st.cache_resource(scope="session", show_spinner=False)
def _service_for(
    connection: str, limits: tuple[int | None, ...], journal: str, _settings: Settings
) -> Onboarding:
    del connection, limits, journal
    svc = Onboarding(_settings, blueprint=Blueprint(), actor=actor(), registry=resources.registry())
    svc.mark_abandoned_runs()  # a run whose process died shows as interrupted, not running
    return svc


def service() -> Onboarding:
    """This session's service, rebuilt only when the portal, key, limits, retries or journal change."""
    s = settings()
    limits = (
        s.writes_in_flight,
        s.reads_in_flight,
        s.requests_per_minute,
        s.daily_write_budget,
        int(getattr(s, "retry_attempts", 0)),
    )
    svc = _service_for(connection_id(s), limits, s.journal_shown, s)
    svc.blueprint = blueprint_state(s).blueprint
    svc.actor = actor()  # whoever is signed in now (a session may sign out and in again)
    return svc


def registry() -> RunRegistry:
    return resources.registry()


def reset_connection() -> None:
    """Forget look-ups made with the previous connection (after a session key was set or cleared)."""
    resources.clear_portal_lookups()
    _service_for.clear()


# -- the current batch -------------------------------------------------------------------------
# Everything of the upload lives in session state and, after each change, in the person's draft
# (onboarding.drafts): a reload or a new tab starts from the draft, so nothing of the review is lost.


def upload() -> dict[str, Any] | None:
    """``{"name", "data"}`` of the spreadsheet in use (restored from the draft after a reload)."""
    restore_draft()
    found: dict[str, Any] | None = st.session_state.get(UPLOAD)
    return found


def _batch_args() -> resources.Upload | None:
    """What identifies the batch in the caches: the file, sheet, mapping, ingest settings, edits and
    the blueprint when it has segments (rows are checked and titled by their segment's blueprint)."""
    up = upload()
    if not up:
        return None
    mapping = st.session_state.get(MAPPING)
    return resources.Upload(
        up["data"],
        up["name"],
        st.session_state.get(SHEET),
        mapping.model_dump_json() if mapping is not None else None,
        _ingest_json(),
        _edits_json(),
        bp.model_dump_json() if (bp := blueprint()).segments is not None else "",
    )


def current_batch() -> ClientBatch | None:
    """The uploaded spreadsheet, parsed with the chosen sheet and mapping, the person's edits applied (cached)."""
    args = _batch_args()
    return None if args is None else resources.parse_upload(args)


def fix_candidates() -> tuple[dict[tuple[int, str], str], list[Suggestion]]:
    """What the bulk fixes would change now: e-mail cells to tidy, and suggested corrections (cached)."""
    args = _batch_args()
    return ({}, []) if args is None else resources.fix_candidates(args)


def readable_batch() -> ClientBatch | None:
    """The current batch, or None when there is none or the file cannot be read (Upload explains)."""
    try:
        return current_batch()
    except IngestError:
        return None


def file_table() -> RawTable | None:
    """The sheet in use exactly as read from the file (no edits)."""
    args = _batch_args()
    return None if args is None else args.table()


def edited_table() -> RawTable | None:
    """The sheet in use with the person's edits in (what bulk fixes and the download work on)."""
    raw = file_table()
    return None if raw is None else apply_edits(raw, edits_of(raw.sheet))


def try_upload(name: str, data: bytes) -> IngestError | None:
    """Use a new spreadsheet, unless it cannot be read: then the file in use stays, and the problem
    is returned for the page to show (a rejected file never replaces a good one)."""
    try:
        resources.read_upload(data, name, None, _ingest_json())
    except IngestError as exc:
        return exc
    set_upload(name, data)
    return None


def set_upload(name: str, data: bytes) -> None:
    """A new spreadsheet: reset sheet, mapping, edits and selection (valid rows get preselected,
    but not rows hidden in the sheet)."""
    st.session_state[UPLOAD] = {"name": name, "data": data}
    for key in (SHEET, MAPPING, SELECTED, CHOICES, EDITS):
        st.session_state.pop(key, None)
    save_draft()


def clear_upload() -> None:
    """Remove the file in use, and with it the draft (the person is done with it)."""
    for key in (UPLOAD, SHEET, MAPPING, SELECTED, CHOICES, EDITS):
        st.session_state.pop(key, None)
    discard_draft()


def set_sheet(sheet: str | None) -> None:
    """Read another sheet: its own automatic mapping and selection (each sheet keeps its edits)."""
    st.session_state[SHEET] = sheet
    for key in (MAPPING, SELECTED):
        st.session_state.pop(key, None)
    save_draft()


def set_mapping(mapping: ColumnMapping | None) -> None:
    """Use this column mapping (``None``: the automatic one); the selection starts afresh."""
    if mapping is None:
        st.session_state.pop(MAPPING, None)
    else:
        st.session_state[MAPPING] = mapping
    st.session_state.pop(SELECTED, None)
    save_draft()


def edits_of(sheet: str | None) -> Edits:
    """The person's edits of one sheet (``None``/"" for a file without sheets)."""
    found: dict[str, Edits] = st.session_state.get(EDITS) or {}
    return found.get(sheet or "", Edits())


def set_edits(sheet: str | None, edits: Edits) -> None:
    found: dict[str, Edits] = dict(st.session_state.get(EDITS) or {})
    found[sheet or ""] = edits
    st.session_state[EDITS] = {k: v for k, v in found.items() if v}
    save_draft()


def _edits_json() -> str:
    found: dict[str, Edits] = st.session_state.get(EDITS) or {}
    return json.dumps({k: v.to_json() for k, v in sorted(found.items())}, ensure_ascii=False)


def _ingest_json() -> str:
    return blueprint().ingest_settings().model_dump_json()


def selected_ids(batch: ClientBatch) -> list[str]:
    """The chosen client ids (all valid rows but those hidden in the sheet, until the person
    changes the selection)."""
    valid = [c.client_id for c in batch.clients]
    chosen = st.session_state.get(SELECTED)
    if chosen is None:
        hidden = batch.hidden_ids
        return [cid for cid in valid if cid not in hidden]
    keep = set(chosen)
    return [cid for cid in valid if cid in keep]


def set_selected(ids: list[str]) -> None:
    st.session_state[SELECTED] = list(ids)
    save_draft()


def selected_clients() -> list[ClientRow]:
    """The selected rows, with the person's conflict choices applied (skipped out, new ids in)."""
    batch = readable_batch()
    if batch is None or batch.blocked:
        return []
    chosen, choices = set(selected_ids(batch)), conflict_choices()
    rows = []
    for c in batch.clients:
        choice = choices.get(c.client_id, "")
        if c.client_id not in chosen or choice == "skip":
            continue
        if choice.startswith("new:"):
            c = c.model_copy(update={"client_id": choice.removeprefix("new:")})
        rows.append(c)
    return rows


def conflict_choices() -> dict[str, str]:
    """Client id → "skip", "update" or "new:<id>", as chosen for identity conflicts in this upload,
    or :data:`HAND_OVER` for a finished client whose room goes to the row's manager."""
    choices: dict[str, str] = st.session_state.get(CHOICES, {})
    return choices


def set_conflict_choices(choices: dict[str, str]) -> None:
    st.session_state[CHOICES] = dict(choices)
    save_draft()


def save_draft() -> None:
    """Keep the upload as it is now as this person's draft (see :mod:`ui.review_draft`)."""
    from ui import review_draft  # it builds on this module

    review_draft.save()


def restore_draft() -> bool:
    """Put this person's draft into a session that has no upload yet (see :mod:`ui.review_draft`)."""
    from ui import review_draft

    return review_draft.restore()


def discard_draft() -> None:
    from ui import review_draft

    review_draft.discard()


def plan_choices() -> dict[str, list[str]]:
    """The person's choices as a plan takes them (``svc.plan(clients, **plan_choices())``): the
    clients whose record is updated to the row's name or e-mail, and those whose room is handed
    to the row's account manager. One place, so every plan of the session makes the same ones."""
    choices = conflict_choices()
    return {
        "update": [cid for cid, choice in choices.items() if choice == "update"],
        "hand_over": [cid for cid, choice in choices.items() if choice == HAND_OVER],
    }


def remember_run(run_id: str) -> None:
    runs: list[str] = st.session_state.setdefault(RUNS, [])
    if run_id in runs:
        runs.remove(run_id)
    runs.append(run_id)
