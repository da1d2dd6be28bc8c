"""People: ``people/@self``, ``people/email``, ``people/filter``."""

from __future__ import annotations

from .. import dtos
from ..backend import Backend
from ..binding import (
    ACTIVATION_STATUSES,
    AREAS,
    EMPLOYEE_STATUSES,
    EMPLOYEE_TYPES,
)
from .registry import Reply, Request, null_argument, paging, route


@route("GET", "people/@self")
def get_self(backend: Backend, req: Request) -> Reply:
    """The API key's user."""
    return Reply(dtos.employee_full(backend, req.user()))


@route("GET", "people/email")
def get_by_email(backend: Backend, req: Request) -> Reply:
    """``[EmailAddress]`` (one '@', not first or last), then lookup."""
    email = req.query.text("email")
    if email is not None:
        at = email.find("@")
        if at <= 0 or at == len(email) - 1 or at != email.rfind("@") or "\r" in email or "\n" in email:
            req.query.errors["email"] = ["The Email field is not a valid e-mail address."]
        elif len(email) > 255:
            req.query.errors["email"] = ["The field Email must be a string with a maximum length of 255."]
    req.query.validate()
    if email is None:
        raise null_argument("email")
    return Reply(dtos.employee_full(backend, backend.find_person(req.user(), email)))


@route("GET", "people/filter")
def people_filter(backend: Backend, req: Request) -> Reply:
    """Paged people search; envelope carries ``count`` and ``total``."""
    start, count = paging(req.query)
    single = req.query.enum("employeeType", EMPLOYEE_TYPES)
    many = req.query.enums("employeeTypes", EMPLOYEE_TYPES)
    employee_status = req.query.flags("employeeStatus", EMPLOYEE_STATUSES)
    activation_status = req.query.flags("activationStatus", ACTIVATION_STATUSES)
    is_admin = req.query.boolean("isAdministrator")
    area = req.query.enum("area", AREAS)
    req.query.validate()
    types = [single] if single is not None else many
    users, total = backend.people(
        req.user(),
        text=req.query.text("filterValue"),
        types=types or None,
        start=max(start, 0),
        count=count,
        employee_status=employee_status,
        activation_status=activation_status,
        administrators=is_admin is True,
        area=area or 0,
    )
    return Reply([dtos.employee_full(backend, u) for u in users], count=len(users), total=total)


@route("GET", "settings/invitationsettings", anonymous=True)
def invitation_settings(backend: Backend, req: Request) -> Reply:
    """``SettingsController.GetTenantUserInvitationSettings`` (``[AllowAnonymous]``): whether the
    portal lets its members invite new members and new guests (``TenantUserInvitationSettings``)."""
    return Reply({"allowInvitingMembers": True, "allowInvitingGuests": backend.settings.guest_invites})


@route("GET", "settings/security/password")
def password_settings(backend: Backend, req: Request) -> Reply:
    """``SecurityController.GetPasswordSettings`` (``Roles = "Authenticated"``): the portal's
    password policy, which also applies to external-link passwords (``FileSharing`` ->
    ``PasswordSettingsManager.CheckPassword``)."""
    return Reply(backend.settings.password_settings_dto())
