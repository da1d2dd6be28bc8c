"""A ready-to-send invitation e-mail for one onboarded client, with its link.

The portal's own invitation mail is generic (and optional: blueprints may turn notifications
off), so account managers write their own. This gives them the text to paste into their mail
program: who it is for, the room's real title, the link, and what the link needs (until when it
works; whether the client must sign in). Plain text with one line per paragraph (mail programs
wrap it), so it pastes anywhere unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Invitation:
    """An e-mail to send to one client (``to`` may be empty when the journal has no address)."""

    to: str
    subject: str
    body: str

    @property
    def text(self) -> str:
        """The whole e-mail as one block to copy: headers, a blank line, the body."""
        head = f"To: {self.to}\n" if self.to else ""
        return f"{head}Subject: {self.subject}\n\n{self.body}"


def expiry_date(value: str) -> str:
    """An API date (``2026-12-30T10:00:00.0000000+00:00``, ``…Z``) as ``2026-12-30``; "" when unknown."""
    text = value.strip()
    if not text:
        return ""
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return text


def invitation(
    *,
    name: str,
    email: str,
    room_title: str,
    link_url: str,
    link_expires: str = "",
    sign_in_only: bool = False,
    sender: str = "",
    can_upload: bool = False,
) -> Invitation | None:
    """The invitation e-mail for a client, or ``None`` when it has no link to send (yet, or any more).

    ``sender`` (the account manager's e-mail, usually) signs the mail and is named as the contact.
    ``can_upload``: the client's role in the room lets them add files (the mail says so only then:
    a Viewer told to upload would find no way to).
    """
    if not link_url:
        return None
    greeting = f"Hello {name.strip()}," if name.strip() else "Hello,"
    room = room_title.strip() or "your client room"
    lines = [
        greeting,
        "",
        f"we have set up a private document room for you: “{room}”. You will find the documents we "
        "share with you there" + (", and you can upload your own." if can_upload else "."),
        "",
        "Open your room with this link:",
        link_url,
        "",
    ]
    until = expiry_date(link_expires)
    if until:
        lines.append(f"The link works until {until}; after that, ask us for a new one.")
    if sign_in_only:
        lines.append("The link opens after you sign in to our portal with the account we invited.")
    if until or sign_in_only:
        lines.append("")
    contact = sender.strip()
    lines.append(
        f"If the link does not open, reply to this e-mail or write to {contact}."
        if contact
        else "If the link does not open, reply to this e-mail."
    )
    lines += ["", "Kind regards,", contact] if contact else ["", "Kind regards"]
    return Invitation(
        to=email.strip(), subject=f"Your document room “{room}” is ready", body="\n".join(lines)
    )
