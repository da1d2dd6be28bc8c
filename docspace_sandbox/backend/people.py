"""People: ``GET people/filter``, ``GET people/email`` and the guests that e-mail invitations create."""

from __future__ import annotations

import re

from .. import errors as e
from .. import rules as r
from .. import seed
from ..model import User
from .core import PortalCore

MSG_MAIL_FORMAT = "The specified string is not in the form required for an e-mail address."
_MAIL_DOMAIN = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9.:A-Fa-f]+\]")


class PeopleMixin(PortalCore):
    """The people directory and its visibility rules."""

    def people(
        self,
        actor: User,
        *,
        text: str | None,
        types: list[int] | None,
        start: int,
        count: int,
        employee_status: int | None = None,
        activation_status: int | None = None,
        administrators: bool = False,
        area: int = 0,
    ) -> tuple[list[User], int]:
        """``GET people/filter``: substring over first/last name and e-mail, words ANDed; then
        ``UserQueryFilter``'s status rules (Terminated only for DocSpace admins; Active/Default =
        status Active; Pending = status Pending; other flag mixes do not filter), activation status
        by equality, ``isAdministrator=true`` = DocSpace admins, ``area`` People/Guests."""
        if actor.kind in ("user", "guest"):
            raise e.AccessDenied()
        matches = list(self.state.users.values())
        is_admin = actor.kind in ("owner", "admin")
        if employee_status is None:
            if not is_admin:
                matches = [u for u in matches if u.status != 2]
        elif employee_status == 4:
            matches = [u for u in matches if u.status == 4]
        elif employee_status == 2:
            matches = [u for u in matches if u.status == 2] if is_admin else []
        elif employee_status == 7:
            if not is_admin:
                matches = [u for u in matches if u.status != 2]
        elif employee_status in (1, 5):
            matches = [u for u in matches if u.status == 1]
        if activation_status is not None:
            matches = [u for u in matches if u.activation_status == activation_status]
        if administrators:
            matches = [u for u in matches if u.kind in ("owner", "admin")]
        if area == 1:
            matches = [u for u in matches if u.kind != "guest"]
        elif area == 2:
            matches = [u for u in matches if u.kind == "guest"]
        if not is_admin:  # no IncludeStrangers: guests only when related (DbUserService, Area All/Guests)
            matches = [u for u in matches if u.kind != "guest" or self._can_view(actor, u)]
        if text:
            words = [w.casefold() for w in text.split() if w]
            matches = [
                u
                for u in matches
                if all(
                    w in u.first_name.casefold() or w in u.last_name.casefold() or w in u.email.casefold()
                    for w in words
                )
            ]
        if types:
            # EmployeeType: 0 All, 1 RoomAdmin, 2 Guest, 3 DocSpaceAdmin, 4 User
            kinds: set[str] = set()
            for t in types:
                kinds |= {
                    0: {"owner", "admin", "roomadmin", "user", "guest"},
                    1: {"roomadmin"},
                    2: {"guest"},
                    3: {"owner", "admin"},
                    4: {"user"},
                }.get(t, set())
            matches = [u for u in matches if u.kind in kinds]
        matches.sort(key=lambda u: (u.first_name.casefold(), u.last_name.casefold(), u.email))
        return matches[start : start + count], len(matches)

    def find_person(self, actor: User, email: str) -> User:
        """``GET people/email``: 404 "The user could not be found"; visibility rules for non-admins."""
        if not r.dotnet_trim(email):
            raise e.BadArgument(
                "The value cannot be an empty string or composed entirely of whitespace. (Parameter 'email')"
            )
        user = self.user_by_email(email)
        if user is None:
            raise e.NotFound(e.MSG_USER_NOT_FOUND)
        if not self._can_view(actor, user):
            raise e.AccessDenied()
        return user

    def _invite_guest(self, actor: User, email: str) -> User:
        """``UserManagerWrapper.AddInvitedUserAsync``: a Pending guest (status 4, activation 2).

        ``new MailAddress(email)`` is the only check there (``a@localhost`` passes); its
        FormatException message becomes the share call's ``warning`` (``FileSharing`` catch)."""
        address = email.strip()
        local, _, domain = address.partition("@")
        if not local or not _MAIL_DOMAIN.fullmatch(domain) or any(ch.isspace() for ch in address):
            raise ValueError(MSG_MAIL_FORMAT)
        guest = User(
            seed.user_id(address),
            address,
            "",
            "",
            "guest",
            activation_status=2,
            status=4,
            created=self._now(),
            invited_by=actor.id,
        )
        self.state.add_user(guest)
        self._touch()
        return guest

    def activate(self, email: str) -> User:
        """The invitee accepted: ``UserManagerWrapper`` on registration sets status Active (1) and
        activation status Activated (1). ``KeyError`` when nobody has that e-mail."""
        user = self.user_by_email(email)
        if user is None:
            raise KeyError(f"no user with e-mail {email!r}")
        if (user.status, user.activation_status) != (1, 1):
            user.status, user.activation_status = 1, 1
            self._touch()
        return user
