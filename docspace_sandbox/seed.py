"""The seeded demo portal: seven people, "My documents" with the template files for each account an
API key may belong to (owner, DocSpace admin, room admin), empty Rooms and Archive."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable

from .model import File, Folder, PortalState, User

SEED_DATE = "2026-01-15T09:00:00.0000000Z"
FOLDER_MY, FOLDER_ROOMS, FOLDER_ARCHIVE = 1, 2, 3
FOLDER_TEMPLATES = 6  # the Templates section (room templates), below the shared id counter
_NAMESPACE = uuid.UUID("8f0d6c1e-5b7a-4c2e-9d3f-2a1b0c9d8e7f")

OWNER_EMAIL = "owner@sandbox.example"
ADMIN_EMAIL = "dana.admin@sandbox.example"
ROOM_ADMIN_EMAIL = "rita.roomadmin@sandbox.example"
# ``--key-user`` → whose account the API key is.
KEY_USER_EMAILS = {"owner": OWNER_EMAIL, "admin": ADMIN_EMAIL, "room-admin": ROOM_ADMIN_EMAIL}
# Section-folder ids of the admin's and the room admin's My documents, and the id ranges of what
# is seeded in them: below the shared counter (which starts at 100), so the owner's entries and
# every room keep the ids they had before these accounts existed.
_OTHER_MY_DOCUMENTS = ((ADMIN_EMAIL, 4, range(10, 20)), (ROOM_ADMIN_EMAIL, 5, range(20, 30)))
MY_DOCUMENTS_IDS = (FOLDER_MY, *(folder_id for _, folder_id, _ in _OTHER_MY_DOCUMENTS))

# (email, first, last, kind)
PEOPLE = (
    (OWNER_EMAIL, "Olivia", "Owner", "owner"),
    ("anna.manager@sandbox.example", "Anna", "Manager", "roomadmin"),
    ("ben.manager@sandbox.example", "Ben", "Manager", "roomadmin"),
    ("carl.user@sandbox.example", "Carl", "User", "user"),
    ("gina.guest@sandbox.example", "Gina", "Guest", "guest"),
    (ADMIN_EMAIL, "Dana", "Admin", "admin"),
    (ROOM_ADMIN_EMAIL, "Rita", "Roomadmin", "roomadmin"),
)

# (title, size in bytes)
MY_FILES = (
    ("Welcome to your client room.pdf", 123_392),
    ("How to use the client portal.pdf", 245_760),
    ("Price list 2026.xlsx", 18_944),
    ("NDA template.docx", 31_232),
)
TEMPLATE_FILES = (("Engagement letter.docx", 27_648),)
FORM_FILE = ("Client intake form.pdf", 88_064)
"""An ONLYOFFICE PDF form in each My documents (the seeded PDFs above are plain PDFs): the only
kind of file a Form filling room takes."""
_FORM_FILE_IDS = {FOLDER_MY: 30, 4: 19, 5: 29}
"""Its fixed id per My documents: outside the shared counter, so every other id stays as it was."""


@functools.lru_cache(maxsize=4096)
def user_id(email: str) -> str:
    """Deterministic GUID per e-mail, so ids survive resets and restarts (cached: the API key's
    holder is looked up by it on every request)."""
    return str(uuid.uuid5(_NAMESPACE, email.lower()))


def build() -> PortalState:
    """A fresh copy of the demo portal."""
    owner = user_id(OWNER_EMAIL)
    state = PortalState(owner_id=owner)
    for fid, title, system in (
        (FOLDER_MY, "My documents", "my"),
        (FOLDER_ROOMS, "Rooms", "rooms"),
        (FOLDER_ARCHIVE, "Archive", "archive"),
    ):
        state.add_folder(Folder(fid, title, None, SEED_DATE, owner, SEED_DATE, system=system))
    _fill_my_documents(state, FOLDER_MY, owner, state.new_id)
    add_key_users(state)
    return state


def add_key_users(state: PortalState) -> bool:
    """Give the state the seeded people and the admin's and room admin's My documents it lacks
    (a ``--state`` file written before those accounts existed); True when anything was added."""
    added = False
    if FOLDER_TEMPLATES not in state.folders:  # state files from before room templates
        state.add_folder(
            Folder(
                FOLDER_TEMPLATES, "Templates", None, SEED_DATE, state.owner_id, SEED_DATE, system="templates"
            )
        )
        added = True
    for email, first, last, kind in PEOPLE:
        uid = user_id(email)
        if uid not in state.users:
            state.add_user(User(uid, email, first, last, kind, created=SEED_DATE))
            added = True
    for email, folder_id, ids in _OTHER_MY_DOCUMENTS:
        if folder_id in state.folders:
            continue
        holder = user_id(email)
        state.add_folder(Folder(folder_id, "My documents", None, SEED_DATE, holder, SEED_DATE, system="my"))
        _fill_my_documents(state, folder_id, holder, iter(ids).__next__)
        added = True
    for my_id, form_id in _FORM_FILE_IDS.items():  # also for state files from before it existed
        my = state.folders.get(my_id)
        if my is not None and form_id not in state.files:
            title, size = FORM_FILE
            state.add_file(File(form_id, title, my_id, size, SEED_DATE, my.created_by, is_form=True))
            added = True
    return added


def _fill_my_documents(state: PortalState, my_id: int, holder: str, new_id: Callable[[], int]) -> None:
    """The welcome files and a Templates folder, created by the folder's holder."""
    for title, size in MY_FILES:
        fid = new_id()
        state.add_file(File(fid, title, my_id, size, SEED_DATE, holder))
    templates = new_id()
    state.add_folder(Folder(templates, "Templates", my_id, SEED_DATE, holder, SEED_DATE))
    for title, size in TEMPLATE_FILES:
        fid = new_id()
        state.add_file(File(fid, title, templates, size, SEED_DATE, holder))
