"""Portal settings that make the sandbox behave like a particular real portal.

A real DocSpace portal differs from the sandbox's default (owner key, no limits) in ways a client
must survive. Each setting here copies one server rule, read in ONLYOFFICE/DocSpace-server v3.7.2:

``key_user`` (``owner`` | ``admin`` | ``room-admin``)
    Whose account the sandbox's API key belongs to. ``admin`` is a DocSpace admin (EmployeeType
    DocSpaceAdmin), ``room-admin`` a room admin (EmployeeType RoomAdmin). The visibility rules that
    follow from it live in :mod:`.access`.
``invitation_limit`` (int or None)
    The remaining e-mail invitation budget (``web:invitation-limit``; None = int.MaxValue, i.e. off).
    ``MaxEmailInvitationsAttribute`` (common/ASC.Api.Core/Model/EmailInvitationDto.cs) fails model
    validation with "Invitation limit is exceeded" when a request holds more e-mail entries than
    ``UserInvitationLimitHelper.GetLimit()``; each invitation mail actually sent
    (``StudioNotifyService.SendEmailRoomInviteAsync(..., limitation: true)`` from
    ``FileSharingAceHelper.SetAceObjectAsync``) calls ``ReduceLimit()`` (never below 0).
``room_quota`` (int or None)
    The tariff's room count (``CountRoomFeature``). ``CountRoomChecker.CheckAppend`` counts the
    active rooms (direct children of the Rooms folder; archived rooms do not count) and throws
    ``TenantQuotaException`` ("The number of rooms should not exceed {0}"), which
    ``CustomExceptionHandler`` answers with **402**.
``guest_invites`` (bool)
    ``TenantUserInvitationSettings.AllowInvitingGuests``. When false,
    ``VirtualRoomsController.SetRoomSecurity`` throws ``SecurityException`` (403 "Access denied") for
    the whole request if any invitation carries an e-mail with an access other than None, before
    the room is even looked up (even an e-mail of an existing user counts).
``external_links`` (``public`` | ``internal`` | ``restricted``)
    ``public``: the default. ``internal``: ``FilesSettings.DefaultShareLinkInternal`` is on, so
    ``FileStorageService.ResolveRequiredAuthAsync`` makes a *new* external link (no ``linkId``) in
    any room but a Public room internal (login required); a Form-filling room's primary link is
    created internal. ``restricted``: external sharing is switched off for rooms
    (``DisableShareLink`` with ``ExternalShareApplyToRooms``, which also forces
    DefaultShareLinkInternal on): every link set in a Public room is refused (403 "Access denied"),
    every link set elsewhere is stored internal, and a public primary link of a Public or
    Form-filling room cannot be revoked (``CheckPrimaryLinkRevokeAsync``).
``password_policy`` (``{"min_length", "upper_case", "digits", "spec_symbols"}``)
    The portal's ``PasswordSettings`` (Settings → Security → Password strength), which
    ``PasswordSettingsManager.CheckPassword`` (web/ASC.Web.Core/Utility/PasswordSettings.cs) applies
    to an external link's password: 400 ``ArgumentException`` "Password must contain from N to 30
    characters, only latin letters, no spaces[, capital letters][, digits][, special characters]".
    The default is the server's ``GetDefault()``: 8 characters, nothing else required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from . import errors as e
from . import rules as r

KEY_USERS = ("owner", "admin", "room-admin")
EXTERNAL_LINK_MODES = ("public", "internal", "restricted")
MSG_INVITATION_LIMIT = "Invitation limit is exceeded"  # Resource.ErrorInvitationLimitExceeded
MSG_ROOM_QUOTA = "The number of rooms should not exceed {0}"  # Resource.TariffsFeature_room_exception
MAX_PASSWORD_LENGTH = 30  # PasswordSettingsManager.MaxLength
# PasswordSettingsManager's regex parts (web/ASC.Web.Core/Utility/PasswordSettings.cs), printable
# ASCII as without ``web:password:ascii:cut``: CheckPassword builds its pattern from them.
ALLOWED_CHARACTERS = r"[\x21-\x7E]"
DIGITS = r"(?=.*\d)"
UPPER_CASE = r"(?=.*[A-Z])"
SPEC_SYMBOLS = r"(?=.*[\x21-\x2F\x3A-\x40\x5B-\x60\x7B-\x7E])"
DEFAULT_PASSWORD_POLICY: dict[str, Any] = {
    "min_length": 8,
    "upper_case": False,
    "digits": False,
    "spec_symbols": False,
}


@dataclass
class PortalSettings:
    """The settings in force; the backend holds one instance under its lock."""

    key_user: str = "owner"
    invitation_limit: int | None = None
    room_quota: int | None = None
    guest_invites: bool = True
    external_links: str = "public"
    password_policy: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_PASSWORD_POLICY))

    def __post_init__(self) -> None:
        self.update({f.name: getattr(self, f.name) for f in fields(self)})

    def to_dict(self) -> dict[str, Any]:
        """The ``GET /__sandbox__/settings`` document."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def update(self, data: dict[str, Any]) -> None:
        """Apply a partial settings document; nothing changes unless every value is valid."""
        if not isinstance(data, dict):
            raise ValueError("settings must be a JSON object")
        known = {f.name for f in fields(self)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        checked: dict[str, Any] = {}
        for name, value in data.items():
            if name == "key_user":
                checked[name] = _choice(name, value, KEY_USERS)
            elif name == "external_links":
                checked[name] = _choice(name, value, EXTERNAL_LINK_MODES)
            elif name == "password_policy":
                checked[name] = _password_policy(value)
            elif name == "guest_invites":
                if not isinstance(value, bool):
                    raise ValueError("guest_invites must be true or false")
                checked[name] = value
            else:
                checked[name] = _count(name, value)
        for name, value in checked.items():
            setattr(self, name, value)

    # ------------------------------------------------------------------ rules

    def check_invitation_budget(self, emails: int, prop: str, errors: dict[str, list[str]]) -> None:
        """``MaxEmailInvitationsAttribute``: more e-mail entries than the budget is a validation error."""
        if emails and self.invitation_limit is not None and emails > self.invitation_limit:
            errors.setdefault(prop, []).append(MSG_INVITATION_LIMIT)

    def spend_invitation(self) -> None:
        """``UserInvitationLimitHelper.ReduceLimit``: one invitation mail sent (floor 0)."""
        if self.invitation_limit is not None:
            self.invitation_limit = max(self.invitation_limit - 1, 0)

    def check_guest_invites(self, emailed_with_access: bool) -> None:
        """``SetRoomSecurity``: e-mail invitations while inviting guests is off → 403 for the request."""
        if emailed_with_access and not self.guest_invites:
            raise e.AccessDenied()

    def check_room_quota(self, active_rooms: int) -> None:
        """``CountRoomChecker.CheckAppend``: room N+1 of an N-room tariff → 402."""
        if self.room_quota is not None and active_rooms + 1 > self.room_quota:
            raise e.PaymentRequired(MSG_ROOM_QUOTA.format(self.room_quota))

    def password_settings_dto(self) -> dict[str, Any]:
        """``GET settings/security/password`` (``SecurityController.GetPasswordSettings``): the
        policy and the regex parts ``PasswordSettingsConverter.Convert`` sends with it
        (``PasswordSettingsManager``'s ``*RegexStr``, printable ASCII as by default)."""
        policy = self.password_policy
        return {
            "minLength": policy["min_length"],
            "upperCase": policy["upper_case"],
            "digits": policy["digits"],
            "specSymbols": policy["spec_symbols"],
            "allowedCharactersRegexStr": ALLOWED_CHARACTERS,
            "digitsRegexStr": DIGITS,
            "upperCaseRegexStr": UPPER_CASE,
            "specSymbolsRegexStr": SPEC_SYMBOLS,
        }

    def check_password(self, password: str) -> None:
        """``PasswordSettingsManager.CheckPassword``: the policy's regex (look-aheads for what it
        requires, then 8-bit printable ASCII ``{min,30}``) and ``CheckLengthInRange`` (8 to 30
        whatever the policy's minimum, as ``web:password:min`` is unset); else 400 with the help text."""
        policy = self.password_policy
        pattern = "^"
        if policy["digits"]:
            pattern += DIGITS
        if policy["upper_case"]:
            pattern += UPPER_CASE
        if policy["spec_symbols"]:
            pattern += SPEC_SYMBOLS
        pattern += ALLOWED_CHARACTERS + "{" + f"{policy['min_length']},{MAX_PASSWORD_LENGTH}" + r"}\Z"
        if re.match(pattern, password) is None or not 8 <= len(password) <= MAX_PASSWORD_LENGTH:
            raise e.BadArgument(self.password_help())

    def password_help(self) -> str:
        """``GetPasswordHelpMessage``: what the policy asks for, in Resource.resx's words."""
        policy = self.password_policy
        text = f"Password must contain from {policy['min_length']} to {MAX_PASSWORD_LENGTH} characters"
        text += ", only latin letters, no spaces"
        for key, words in (
            ("upper_case", "capital letters"),
            ("digits", "digits"),
            ("spec_symbols", "special characters"),
        ):
            if policy[key]:
                text += f", {words}"
        return text

    @property
    def default_link_internal(self) -> bool:
        """``FilesSettings.DefaultShareLinkInternal`` (forced on when external sharing is off)."""
        return self.external_links in ("internal", "restricted")

    def resolve_link_internal(self, room_type: int | None, requested: bool, *, new_link: bool) -> bool:
        """``ResolveRequiredAuthAsync`` for a room link being set (access other than None).

        ``new_link`` is the server's ``applyDefault`` (no ``linkId`` in the request, or a primary
        link created on the fly). The result still passes ``FileSharingAceHelper``'s per-room-type
        override (VDR always internal, Public never).
        """
        if requested:
            return True
        if self.external_links == "restricted":
            if room_type == r.PUBLIC:
                raise e.AccessDenied()
            return True
        if new_link and room_type != r.PUBLIC:
            return self.default_link_internal
        return False

    def check_link_revoke(self, room_type: int | None, primary: bool, internal: bool) -> None:
        """``CheckPrimaryLinkRevokeAsync``: with external sharing off, a Public room's primary link
        (and a Form-filling room's public one) would come back public at once, so revoking is refused."""
        if self.external_links != "restricted" or not primary:
            return
        if room_type == r.PUBLIC or (room_type == r.FILLING and not internal):
            raise e.AccessDenied()


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)} (got {value!r})")
    return value


def _count(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number ≥ 0 or null (got {value!r})")
    return value


def _password_policy(value: Any) -> dict[str, Any]:
    """A partial policy over the default; ``min_length`` 1..30 as ``PasswordSettings`` allows."""
    if not isinstance(value, dict):
        raise ValueError("password_policy must be an object")
    unknown = sorted(set(value) - set(DEFAULT_PASSWORD_POLICY))
    if unknown:
        raise ValueError(f"unknown password_policy key(s) {', '.join(unknown)}")
    policy = {**DEFAULT_PASSWORD_POLICY, **value}
    length = policy["min_length"]
    if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= MAX_PASSWORD_LENGTH:
        raise ValueError(f"password_policy.min_length must be 1..{MAX_PASSWORD_LENGTH} (got {length!r})")
    for key in ("upper_case", "digits", "spec_symbols"):
        if not isinstance(policy[key], bool):
            raise ValueError(f"password_policy.{key} must be true or false")
    return policy
