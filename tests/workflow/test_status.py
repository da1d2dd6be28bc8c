"""The one vocabulary: enum values equal the strings journals and exports already hold."""

from __future__ import annotations

import json

import pytest

from onboarding.journal import ARCHIVED, BLOCKED, DEFERRED, DONE, FAILED, PENDING, RUNNING
from onboarding.workflow.status import ClientStatus, Outcome, RunStatus, Step, is_final


def test_client_status_values_are_the_stored_strings() -> None:
    """A journal written with bare strings reads the same: the values did not change."""
    assert {s.name: s.value for s in ClientStatus} == {
        "PENDING": "pending",
        "RUNNING": "running",
        "DONE": "onboarded",
        "FAILED": "failed",
        "DEFERRED": "deferred",
        "ARCHIVED": "archived",
        "BLOCKED": "blocked",
        "OFFBOARDED": "offboarded",
        "LOCKED": "locked",
    }


def test_journal_constants_are_the_enum() -> None:
    """The journal's constants are aliases of the enum, not a second copy."""
    constants = (PENDING, RUNNING, DONE, FAILED, DEFERRED, ARCHIVED, BLOCKED)
    assert all(ClientStatus(c) is c for c in constants)
    assert DONE is ClientStatus.DONE


def test_members_serialise_as_plain_strings() -> None:
    """JSON (exports, run summaries) and f-strings show the value, never ``ClientStatus.DONE``."""
    assert json.dumps({ClientStatus.DONE: Outcome.RETRY}) == '{"onboarded": "retry"}'
    assert f"{Step.FOLDERS}/{RunStatus.INTERRUPTED}" == "folders/interrupted"


@pytest.mark.parametrize(
    ("step", "outcome", "final"),
    [
        (Step.RECORD, Outcome.ONBOARDED, True),
        (Step.LINK, Outcome.FAILED, True),
        (Step.ROOM, Outcome.DEFERRED, True),
        (Step.PLAN, Outcome.BLOCKED, True),
        (Step.CLIENT, Outcome.LOCKED, True),
        (Step.CLIENT, Outcome.SKIPPED, True),
        (Step.ROOM, Outcome.SKIPPED, False),
        (Step.FOLDERS, Outcome.RETRY, False),
        (Step.CLIENT, Outcome.STARTED, False),
        (Step.VERIFY, Outcome.DONE, False),
    ],
)
def test_is_final(step: Step, outcome: Outcome, final: bool) -> None:
    """A client ends with onboarded/failed/deferred/blocked/locked, or skipped as a whole."""
    assert is_final(step, outcome) is final
    assert is_final(str(step), str(outcome)) is final  # plain strings read back from a journal
