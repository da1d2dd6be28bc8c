"""The client's reading of the portal's password policy agrees with the sandbox's CheckPassword."""

from __future__ import annotations

import pytest

from docspace_sandbox.portal_settings import PortalSettings
from onboarding.docspace.models import PasswordPolicy

POLICIES = [
    {},
    {"min_length": 12},
    {"digits": True},
    {"upper_case": True, "spec_symbols": True},
    {"min_length": 4, "digits": True},
]
PASSWORDS = [
    "plainpassword",
    "short7",
    "Secret-123!",
    "with space 123",
    "ÄÖÜäöü12345",
    "a" * 31,
    "abcdefg1",
    "ABCDEFGH",
]


@pytest.mark.parametrize("policy", POLICIES, ids=str)
def test_accepts_what_the_portal_accepts(policy: dict[str, object]) -> None:
    """For each policy, ``PasswordPolicy.accepts`` (built from the settings/security/password
    answer) says yes exactly where the sandbox's ``check_password`` lets the password through."""
    settings = PortalSettings()
    settings.password_policy = {**settings.password_policy, **policy}
    ours = PasswordPolicy.model_validate(settings.password_settings_dto())
    for password in PASSWORDS:
        try:
            settings.check_password(password)
            portal = True
        except Exception:
            portal = False
        assert ours.accepts(password) is portal, (policy, password)
