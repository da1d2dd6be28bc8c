"""The Upload page's draft: the person's upload kept on the server, so a reload or a new tab finds it.

``ui.session`` calls :func:`save` after every change of the upload's state (file, sheet, mapping,
edits, selection, conflict choices) and :func:`restore` before the upload is first read in a
session. The files and their bounds are :mod:`onboarding.drafts`; who the person is comes from
``session.actor()`` (the signed-in user; without sign-in, one per machine).
"""

from __future__ import annotations

import logging

import streamlit as st

from onboarding import ConfigError, Draft, DraftStore
from ui import auth, session

log = logging.getLogger(__name__)


def store() -> DraftStore | None:
    """The drafts folder beside the journal, or None when this session keeps no draft.

    Only a session that may write keeps one: a read-only visitor of a real portal is anonymous, and
    a draft shared by every anonymous visitor would show one person's list to the next.
    """
    if not auth.can_write():
        return None
    return DraftStore(session.settings().journal_path.parent / "drafts")


def save() -> None:
    """Keep the upload as it is now as this person's draft (a failure to write is logged, not fatal)."""
    up = st.session_state.get(session.UPLOAD)
    drafts = store()
    if not up or drafts is None:
        return
    draft = Draft(
        name=up["name"],
        data=up["data"],
        sheet=st.session_state.get(session.SHEET),
        mapping=st.session_state.get(session.MAPPING),
        edits=dict(st.session_state.get(session.EDITS) or {}),
        selected=st.session_state.get(session.SELECTED),
        choices=session.conflict_choices(),
    )
    try:
        drafts.save(session.actor(), draft)
    except ConfigError as exc:
        log.warning("the upload could not be kept as a draft: %s", exc)


def restore() -> bool:
    """Put this person's draft into a session that has no upload yet (once per person and session)."""
    if st.session_state.get(session.UPLOAD):
        return False
    who = session.actor()
    if st.session_state.get(session.DRAFT_CHECKED) == who:
        return False
    st.session_state[session.DRAFT_CHECKED] = who
    drafts = store()
    draft = drafts.load(who) if drafts is not None else None
    if draft is None:
        return False
    st.session_state[session.UPLOAD] = {"name": draft.name, "data": draft.data}
    for key, value in (
        (session.SHEET, draft.sheet),
        (session.MAPPING, draft.mapping),
        (session.SELECTED, draft.selected),
        (session.EDITS, draft.edits or None),
        (session.CHOICES, draft.choices or None),
    ):
        if value is not None:
            st.session_state[key] = value
    st.session_state[session.RESTORED] = draft.saved_at
    return True


def discard() -> None:
    """Forget this person's draft (the file was removed)."""
    found = store()
    if found is not None:
        found.discard(session.actor())
