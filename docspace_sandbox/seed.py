"""The seeded demo portal: five people, the owner's "My documents", empty Rooms and Archive."""

from __future__ import annotations

import uuid

from .model import File, Folder, PortalState, User

SEED_DATE = "2026-01-15T09:00:00.0000000Z"
FOLDER_MY, FOLDER_ROOMS, FOLDER_ARCHIVE = 1, 2, 3
_NAMESPACE = uuid.UUID("8f0d6c1e-5b7a-4c2e-9d3f-2a1b0c9d8e7f")

OWNER_EMAIL = "owner@sandbox.example"

# (email, first, last, kind)
PEOPLE = (
    (OWNER_EMAIL, "Olivia", "Owner", "owner"),
    ("anna.manager@sandbox.example", "Anna", "Manager", "roomadmin"),
    ("ben.manager@sandbox.example", "Ben", "Manager", "roomadmin"),
    ("carl.user@sandbox.example", "Carl", "User", "user"),
    ("gina.guest@sandbox.example", "Gina", "Guest", "guest"),
)

# (title, size in bytes)
MY_FILES = (
    ("Welcome to your client room.pdf", 123_392),
    ("How to use the client portal.pdf", 245_760),
    ("Price list 2026.xlsx", 18_944),
    ("NDA template.docx", 31_232),
)
TEMPLATE_FILES = (("Engagement letter.docx", 27_648),)


def user_id(email: str) -> str:
    """Deterministic GUID per e-mail, so ids survive resets and restarts."""
    return str(uuid.uuid5(_NAMESPACE, email.lower()))


def build() -> PortalState:
    """A fresh copy of the demo portal."""
    owner = user_id(OWNER_EMAIL)
    state = PortalState(owner_id=owner)
    for email, first, last, kind in PEOPLE:
        uid = user_id(email)
        state.users[uid] = User(uid, email, first, last, kind, created=SEED_DATE)
    for fid, title, system in (
        (FOLDER_MY, "My documents", "my"),
        (FOLDER_ROOMS, "Rooms", "rooms"),
        (FOLDER_ARCHIVE, "Archive", "archive"),
    ):
        state.add_folder(Folder(fid, title, None, SEED_DATE, owner, SEED_DATE, system=system))
    for title, size in MY_FILES:
        fid = state.new_id()
        state.add_file(File(fid, title, FOLDER_MY, size, SEED_DATE, owner))
    templates = state.new_id()
    state.add_folder(Folder(templates, "Templates", FOLDER_MY, SEED_DATE, owner, SEED_DATE))
    for title, size in TEMPLATE_FILES:
        fid = state.new_id()
        state.add_file(File(fid, title, templates, size, SEED_DATE, owner))
    return state
