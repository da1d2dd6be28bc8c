"""Sharing: room members (``PUT``/``GET files/rooms/{id}/share``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from .. import errors as e
from .. import rules as r
from ..model import Folder, Link, User
from .people import PeopleMixin


class FormRoleBlocking(Exception):
    """A removal names a user holding form roles in a Virtual data room, without ``force``: the
    server answers 200 with ``{"error": 1}`` and changes nothing (see :meth:`SharingMixin.share`)."""


@dataclass
class GroupAce:
    """A group's share of a room, as ``GET files/rooms/{id}/share`` lists it (``sharedToGroup``)."""

    id: str
    name: str
    access: int


@dataclass
class Invitation:
    """One parsed ``RoomInvitation``: ``user_id`` (possibly unknown) or ``email``, and an access."""

    user_id: str | None
    email: str | None
    access: int


class SharingMixin(PeopleMixin):
    """Room membership; e-mail invitations create guests through :class:`PeopleMixin`."""

    def share(
        self, actor: User, room_id: int, invitations: list[Invitation], *, force: bool = False
    ) -> tuple[list[str], str | None]:
        """``PUT files/rooms/{id}/share``; returns (ids to list as members, warning).

        Invitations are processed in order and the loop is not transactional: a 403 on a later
        item leaves earlier ones saved, as on the server.
        """
        # VirtualRoomsController.SetRoomSecurity reads the room with FileStorageService.GetFolderAsync
        # first: 404 when missing, 403 InvalidOperationException "… view the folder content" when
        # the caller may not read it (before any EditAccess check).
        room = self.get_folder(actor, room_id)
        template = self.section(room) == "templates"
        if template:
            self._check_template_invitations(invitations)
        # VirtualRoomsController.SetRoomSecurity, before any invitation is applied: an access-None
        # invitation for a user who holds form roles in a Virtual data room
        # (FileStorageService.ShouldPreventUserDeletion → FileDao.GetUserFormRolesInRoom) ends the
        # request with RoomSecurityError.FormRoleBlockingDeletion unless ``force``: HTTP 200,
        # ``{"error": 1}``, no members, and nobody in the request removed or changed.
        if not force and room.room_type == r.VDR:
            for inv in invitations:
                if inv.access == r.NONE and inv.user_id is not None and inv.user_id in room.form_roles:
                    raise FormRoleBlocking()
        if room.room_type is None:
            raise e.Forbidden(e.MSG_ROLE_NOT_AVAILABLE)
        if not self._can_edit_room(actor, room) or self.section(room) == "archive":
            raise e.AccessDenied()  # no EditAccess right, which archived rooms never grant
        # FileSharingAceHelper.SetAceObjectAsync: in a template only Read/None, for users and groups.
        allowed_for_users = (
            frozenset({r.READ, r.NONE}) if template else r.ROOM_ACCESSES[room.room_type][r.SUBJ_USER]
        )
        warning: str | None = None
        listed: list[str] = []
        for inv in invitations:
            if inv.user_id is not None:
                listed.append(inv.user_id)
            if inv.user_id is not None and inv.user_id in self.state.groups:
                # FileSharingAceHelper.SetAceObjectAsync: an id that is a group
                # (GetGroupInfoAsync) becomes a Group ACE, checked against the room type's group
                # accesses (no RoomManager); access None removes it. Whether the caller may act on
                # it is not checked here, as for ids that name no user.
                if inv.access not in r.ROOM_ACCESSES[room.room_type].get(r.SUBJ_GROUP, frozenset()):
                    raise e.Forbidden(e.MSG_ROLE_NOT_AVAILABLE)
                self._set_ace(room, inv.user_id, inv.access)
                continue
            target = self.user(inv.user_id) if inv.user_id else None
            # An id that names no user (and no group) resolves to the LostUser: active, type Guest.
            lost = inv.user_id is not None and target is None
            if target is not None and not self._visible_to(actor, room, target, inv.access):
                continue  # silently dropped, like guests a room admin did not invite
            if (
                target is not None
                and target.status == 2
                and (inv.access != r.NONE or inv.user_id not in room.members)
            ):
                # FileSharingAceHelper.SetAceObjectAsync skips a Terminated (disabled) user unless the
                # ACE removes a share the user has: a disabled member can still be taken out.
                continue
            if inv.access not in allowed_for_users:
                raise e.Forbidden(e.MSG_ROLE_NOT_AVAILABLE)
            kind = target.kind if target is not None else "guest"  # e-mail invites: the "lost user"
            # FileSharingAceHelper.SetAceObjectAsync skips AvailableUserAccesses for a room template
            # (``root != FolderRoomTemplatesAsync``); the controller has vetted the types already.
            if (not template and inv.access not in r.USER_ACCESSES[kind]) or (
                room.room_type == r.AI
                and kind == "guest"
                and inv.access in (r.ROOM_MANAGER, r.CONTENT_CREATOR)
            ):
                raise e.Forbidden(e.MSG_ROLE_NOT_AVAILABLE)
            if lost and inv.user_id is not None:
                # Stored like any user ACE; GET share joins with the users table and never lists it.
                self._set_ace(room, inv.user_id, inv.access)
                continue
            mailed = False  # an invitation mail goes out: new guests and still-pending accounts
            if target is None and inv.email:
                if inv.access == r.NONE:
                    continue
                target = self.user_by_email(inv.email)
                if target is None:
                    try:
                        target = self._invite_guest(actor, inv.email)
                    except ValueError as exc:
                        warning = warning or str(exc)
                        continue
                elif actor.id not in target.related_to:
                    target.related_to.append(actor.id)  # AddUserRelationAsync
                    self._touch()
                mailed = target.activation_status == 2
            if target is None:
                continue
            # The room's creator is not skipped: FileSharingAceHelper.SetAceObjectAsync skips an ACE
            # naming entry.CreateBy only when it is a link (``w.IsLink && entry.CreateBy == w.Id``,
            # since the fix for Bug 78660), so the owner's own ACE is stored like anyone's.
            current = room.members.get(target.id)
            if inv.access == r.NONE:
                if current is not None:
                    del room.members[target.id]
                    self._touch()
                continue
            if current != inv.access:
                room.members[target.id] = inv.access
                self._touch()
                if mailed:  # SendEmailRoomInviteAsync(limitation: true) → ReduceLimit
                    self.settings.spend_invitation()
        return listed, warning

    def _set_ace(self, room: Folder, subject: str, access: int) -> None:
        """Store one ACE as given, by id (a group's, or an id that names no user): access None
        removes it. The room's last change moves only when something changed."""
        if access == r.NONE:
            if room.members.pop(subject, None) is not None:
                self._touch()
        elif room.members.get(subject) != access:
            room.members[subject] = access
            self._touch()

    def assign_form_role(self, room_id: int, email: str) -> str:
        """Control plane: ``email``'s user gets a role in a form of the Virtual data room
        ``room_id``; returns the user id. KeyError if either is unknown, ValueError for a room of
        another type (``ShouldPreventUserDeletion`` looks at Virtual data rooms only)."""
        user = self.user_by_email(email)
        room = self.folder(room_id)
        if user is None or room is None:
            raise KeyError(f"no user {email!r} or no room {room_id!r}")
        if room.room_type != r.VDR:
            raise ValueError("form roles are only looked at in Virtual data rooms")
        if user.id not in room.form_roles:
            room.form_roles.append(user.id)
            self._touch()
        return user.id

    def disable_user(self, email: str) -> User:
        """Control plane: the account is disabled (EmployeeStatus Terminated, 2), as an admin does
        with ``PUT people/status/2``; KeyError when nobody has that e-mail."""
        user = self.user_by_email(email)
        if user is None:
            raise KeyError(f"no user with e-mail {email!r}")
        if user.status != 2:
            user.status = 2
            self._touch()
        return user

    def create_group(self, name: str) -> str:
        """Control plane: a portal group (its members are not modelled: it can be shared to rooms,
        listed and removed); returns its id."""
        if not name.strip():
            raise ValueError("a group needs a name")
        gid = str(uuid.uuid4())
        self.state.groups[gid] = name.strip()
        self._touch()
        return gid

    def stored_groups(self, room: Folder) -> list[GroupAce]:
        """The room's group ACEs (``SecurityDao.GetPureSharesQuery``, subject type Group)."""
        return [
            GroupAce(gid, self.state.groups[gid], access)
            for gid, access in room.members.items()
            if gid in self.state.groups
        ]

    def _check_template_invitations(self, invitations: list[Invitation]) -> None:
        """``VirtualRoomsController.SetRoomSecurity`` on a room template (``RootId`` is the Templates
        section): the whole request is 403 "The role is not available for this user type" if any
        invitation asks for more than Read/None, or grants access (not None) to an e-mail address,
        a guest or a User-type account (``IsGuestAsync`` / ``IsUserAsync`` by id: group membership,
        so an unknown id passes). Checked before EditAccess, disabled users included."""
        for inv in invitations:
            if inv.access == r.NONE:
                continue
            target = self.user(inv.user_id) if inv.user_id else None
            if inv.access != r.READ or inv.email or (target is not None and target.kind in ("guest", "user")):
                raise e.Forbidden(e.MSG_ROLE_NOT_AVAILABLE)

    def _visible_to(self, actor: User, room: Folder, target: User, access: int) -> bool:
        """Whether an invitation for ``target`` is kept (``VirtualRoomsController.SetRoomSecurity``:
        the room's creator may remove anyone and change its members; everyone else only acts on
        users ``CanUserViewAnotherUserAsync`` lets them see, removals included)."""
        if room.created_by == actor.id and (access == r.NONE or target.id in room.members):
            return True
        return self._can_view(actor, target)

    def members(self, actor: User, room_id: int) -> list[tuple[User, int, bool, bool]]:
        """Share entries as (user, access, is_owner, default): the owner's default ACE first
        (``FileSharing.GetDefaultAcesAsync``: ReadWrite, ``default`` True), then the stored ACEs
        (``ToAceAsync``: ``is_owner`` when the subject is the room's creator, so an owner who
        was invited is listed a second time, with the stored access)."""
        room = self.get_room(actor, room_id)
        owner = self.state.users.get(room.created_by)
        entries: list[tuple[User, int, bool, bool]] = []
        if owner is not None:
            entries.append((owner, r.READ_WRITE, True, True))
        return entries + self.stored_members(room)

    def stored_members(self, room: Folder) -> list[tuple[User, int, bool, bool]]:
        """The room's stored user ACEs, as :meth:`members` lists them (no default owner row)."""
        entries: list[tuple[User, int, bool, bool]] = []
        for uid, access in room.members.items():
            user = self.state.users.get(uid)
            if user is not None:
                entries.append((user, access, uid == room.created_by, False))
        return entries

    def share_entries(
        self, actor: User, room_id: int, filter_type: int, text: str | None
    ) -> list[tuple[User, int, bool, bool] | Link | GroupAce]:
        """``GET files/rooms/{id}/share`` by ``ShareFilterType`` (``SecurityDao.GetPureSharesQuery``).

        0 UserOrGroup: the owner's default ACE, the members (``filterValue`` matches first/last name
        or e-mail), then the groups (by name); 16 User: the users only; 32 Group: the groups only
        (the server orders groups among the users by role; here they come last); 1 invitation links; 2 external
        links, primary first; 4 additional external links; 8 the primary link; 15 every link. Any
        other flag mix falls through the server's switch unfiltered: every stored ACE, without the
        owner's default one and without the text filter.
        """
        room = self._shared_entry(room_id)
        if not self._can_read(actor, room):
            return []  # FileSharing.GetPureSharesAsync: no Read → nothing, still 200
        members = self.members(actor, room_id)
        if filter_type not in (0, 8, 16, 32) and not self._can_edit_room(actor, room):
            return []  # CheckAccessAsync: links other than the primary one need ReadLinks
        needle = r.dotnet_trim(text).casefold() if text else ""
        groups = [g for g in self.stored_groups(room) if needle in g.name.casefold()]
        if filter_type in (0, 16):
            if needle:
                members = [
                    m
                    for m in members
                    if any(needle in v.casefold() for v in (m[0].first_name, m[0].last_name, m[0].email))
                ]
            return [*members, *groups] if filter_type == 0 else list(members)
        if filter_type == 32:
            return list(groups)
        wanted = {
            1: (r.SUBJ_INVITATION,),
            2: (r.SUBJ_PRIMARY, r.SUBJ_EXTERNAL),
            4: (r.SUBJ_EXTERNAL,),
            8: (r.SUBJ_PRIMARY,),
            15: (r.SUBJ_PRIMARY, r.SUBJ_EXTERNAL, r.SUBJ_INVITATION),
        }.get(filter_type)
        if wanted is None:
            return [*self.stored_members(room), *self.stored_groups(room), *room.links]
        links = [x for x in room.links if x.subject in wanted]
        if filter_type == 2:
            links.sort(key=lambda x: x.subject != r.SUBJ_PRIMARY)
        return list(links)
