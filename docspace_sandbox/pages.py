"""Read-only HTML pages for what the sandbox hands out as web addresses.

The engine stores room addresses as the DocSpace web client routes them
(``/rooms/shared/{id}/filter?folder={id}``, ``/rooms/archived/{id}/…``) and link addresses as
``/s/{key}``; a real portal opens its web UI there. The sandbox has no UI, so without these pages
every such address in a journal or export was a 404. Each page shows what the address stands for
(a room with its folders, files, members and links; an invitation or external link with the room
and role it grants) as plain HTML: every value from the portal state goes through
:func:`html.escape`, and the page carries a CSP that allows no script.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs

from . import rules as r
from .backend import Backend
from .model import Folder, User
from .seed import FOLDER_ARCHIVE, FOLDER_ROOMS

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
ROOM_TYPE_NAMES = {
    r.FILLING: "Form filling room",
    r.COLLAB: "Collaboration room",
    r.CUSTOM: "Custom room",
    r.PUBLIC: "Public room",
    r.VDR: "Virtual data room",
    r.AI: "AI room",
}
ROLE_NAMES = {
    r.READ_WRITE: "Owner",
    r.READ: "Viewer",
    r.REVIEW: "Reviewer",
    r.COMMENT: "Commenter",
    r.FILL_FORMS: "Form filler",
    r.ROOM_MANAGER: "Room manager",
    r.EDITING: "Editor",
    r.CONTENT_CREATOR: "Content creator",
}
_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#222}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;"
    "text-align:left}.note{color:#666}"
)


def render(backend: Backend, path: str, query: str) -> tuple[int, str] | None:
    """(status, HTML) for a page path, or None when the path is not a page address.

    The caller holds the backend lock.
    """
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 3 and parts[0] == "rooms" and parts[1] in ("shared", "archived"):
        folder = parse_qs(query).get("folder", [""])[0]
        return room_page(backend, _number(parts[2]), _number(folder) if folder else None)
    if len(parts) == 2 and parts[0] == "s":
        return link_page(backend, parts[1])
    return None


def room_page(backend: Backend, room_id: int, folder_id: int | None) -> tuple[int, str]:
    """A room (or, with ``?folder=``, one of its folders): path, folders, files, members, links."""
    room = backend.folder(room_id)
    if room is None or room.room_type is None:
        return 404, _page(
            "Room not found", "<p>There is no room with this address in the sandbox portal.</p>"
        )
    shown = room
    if folder_id is not None and folder_id != room.id:
        inner = backend.folder(folder_id)
        if inner is None or backend.parent_room(inner) is not room:
            return 404, _page("Folder not found", "<p>This room has no such folder.</p>")
        shown = inner
    archived = backend.section(room) == "archive"
    section = "archived" if archived else "shared"
    kind = ROOM_TYPE_NAMES.get(room.room_type, "Room")
    crumbs = " / ".join(_folder_link(room, f, section) for f in backend.path(shown) if f.system is None)
    folders, files = backend.children(shown.id)
    body = [
        f"<p>{escape(kind)}{' — archived' if archived else ''}"
        + (f" · tags: {escape(', '.join(room.tags))}" if room.tags else "")
        + "</p>",
        f"<p>{crumbs}</p>",
        "<h2>Folders</h2>",
        _table(["Title"], [[_folder_link(room, f, section)] for f in folders], "No folders."),
        "<h2>Files</h2>",
        _table(["Title", "Size"], [[escape(f.title), f"{f.size:,} bytes"] for f in files], "No files."),
    ]
    if shown is room:
        body += ["<h2>Members</h2>", _members(backend, room), "<h2>Links</h2>", _links(backend, room)]
    return 200, _page(shown.title, "\n".join(body))


def link_page(backend: Backend, key: str) -> tuple[int, str]:
    """What an invitation or external link opens: the room and the role it grants (never its password)."""
    found = next(
        ((room, link) for room in _rooms(backend) for link in room.links if link.key == key),
        None,
    )
    if found is None:
        return 404, _page("Link not found", "<p>This link does not exist or was removed.</p>")
    room, link = found
    role = escape(ROLE_NAMES.get(link.access, r.FILE_SHARE_BY_VALUE.get(link.access, str(link.access))))
    kind = "an invitation to join" if link.subject == r.SUBJ_INVITATION else "access to"
    lines = [
        f"<p>This link gives {kind} the room <strong>{escape(room.title)}</strong> as <strong>{role}</strong>.</p>"
    ]
    if backend.section(room) == "archive":
        lines.append("<p class='note'>The room is archived.</p>")
    if link.expiration and link.expiration[:19] < backend.now_text()[:19]:  # FileShareLink.IsExpired
        lines.append("<p><strong>This link has expired.</strong></p>")
    elif link.expiration:
        lines.append(f"<p>Valid until {escape(link.expiration[:19].replace('T', ' '))} UTC.</p>")
    if link.password:
        lines.append("<p>A password is required to open it.</p>")
    if link.internal:
        lines.append("<p>Only signed-in portal users can open it.</p>")
    if link.max_use_count is not None:
        lines.append(f"<p>Used {link.current_use_count} of {link.max_use_count} times.</p>")
    lines.append("<p class='note'>Sandbox portal: nobody is invited or signed in by opening this page.</p>")
    return 200, _page(link.title or "Room link", "\n".join(lines))


def _rooms(backend: Backend) -> list[Folder]:
    return [*backend.children(FOLDER_ROOMS)[0], *backend.children(FOLDER_ARCHIVE)[0]]


def _members(backend: Backend, room: Folder) -> str:
    rows: list[list[str]] = []
    owner = backend.user(room.created_by)
    entries: list[tuple[User | None, int]] = [(owner, r.READ_WRITE)] if owner else []
    entries += [(backend.user(uid), access) for uid, access in room.members.items()]
    for user, access in entries:
        if user is None:
            continue
        name = f"{user.first_name} {user.last_name}".strip() or user.email
        state = {1: "active", 2: "disabled", 4: "invited, not joined yet"}.get(user.status, "")
        rows.append([escape(name), escape(user.email), escape(ROLE_NAMES.get(access, str(access))), state])
    return _table(["Name", "E-mail", "Role", "Status"], rows, "No members.")


def _links(backend: Backend, room: Folder) -> str:
    rows = [
        [
            f"<a href='{escape(backend.share_link_url(link), quote=True)}'>{escape(link.title)}</a>",
            "Invitation" if link.subject == r.SUBJ_INVITATION else "External",
            escape(ROLE_NAMES.get(link.access, str(link.access))),
            escape(link.expiration[:10]) if link.expiration else "never",
        ]
        for link in room.links
    ]
    return _table(["Title", "Kind", "Role", "Expires"], rows, "No links.")


def _folder_link(room: Folder, folder: Folder, section: str) -> str:
    return f"<a href='/rooms/{section}/{room.id}/filter?folder={folder.id}'>{escape(folder.title)}</a>"


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    """Cells arrive escaped (they may hold links this module built)."""
    if not rows:
        return f"<p class='note'>{escape(empty)}</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)} · DocSpace sandbox</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>\n{body}\n</body></html>"
    )


def _number(text: str) -> int:
    return int(text) if text.isdigit() else -1
