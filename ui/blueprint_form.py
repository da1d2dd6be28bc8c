"""The Settings page's blueprint editor: a draft (plain dict) that widgets edit and that is
validated by :class:`~onboarding.blueprint.Blueprint` — the page offers only the roles a room
type allows, and shows the blueprint's own error message for anything else.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from onboarding import Blueprint, ConfigError, FileShare, RoomType
from ui import state

DRAFT = "settings_bp_draft"
TEMPLATES_NONCE = "settings_bp_templates_nonce"
WIDGETS = "bp_"
"""Prefix of every blueprint widget key (dropped to re-seed them from the draft)."""


def draft(current: Blueprint) -> dict[str, Any]:
    """The draft being edited (created from the blueprint in force on first use)."""
    if DRAFT not in st.session_state:
        st.session_state[DRAFT] = current.model_dump(mode="python")
    value: dict[str, Any] = st.session_state[DRAFT]
    return value


def load(bp: Blueprint) -> None:
    """Replace the draft (discard, defaults, an uploaded file) and re-seed every widget."""
    st.session_state[DRAFT] = bp.model_dump(mode="python")
    state.drop(WIDGETS)
    state.bump(TEMPLATES_NONCE)


def templates_key() -> str:
    return f"bp_templates_{st.session_state.get(TEMPLATES_NONCE, 0)}"


def choices(roles: frozenset[FileShare]) -> list[FileShare]:
    """A rule's roles as the editor offers them: strongest first."""
    return sorted(roles, key=int, reverse=True)


def user_roles(room_type: RoomType) -> list[FileShare]:
    return choices(Blueprint.member_roles(room_type))


def guest_roles(room_type: RoomType) -> list[FileShare]:
    return choices(Blueprint.guest_roles(room_type))


def client_roles(room_type: RoomType) -> list[FileShare]:
    return choices(Blueprint.client_roles(room_type))


def link_kind(room_type: RoomType) -> str:
    return Blueprint.link_kind_for(room_type)


def link_roles(room_type: RoomType) -> list[FileShare]:
    return choices(Blueprint.link_roles_for(room_type))


def role_label(role: FileShare) -> str:
    return role.label


def check(data: dict[str, Any]) -> tuple[Blueprint | None, str]:
    """The draft as a blueprint, or the reason it is not one."""

    try:
        return Blueprint.from_dict(data, source="blueprint"), ""
    except ConfigError as exc:
        return None, str(exc).removeprefix("blueprint: ")
