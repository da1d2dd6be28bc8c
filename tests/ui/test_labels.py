"""The one label table: every status, action, outcome and run status has a label, said once."""

from __future__ import annotations

from onboarding import ALREADY_ONBOARDED, Action, ClientState, ClientStatus, Outcome, RunStatus
from ui import labels


def test_every_member_of_every_status_enum_has_a_label() -> None:
    """Adding a member to a status enum without a label here fails."""
    for kind in (ClientStatus, ClientState, Action, Outcome, RunStatus):
        missing = [m for m in kind if m not in labels.LABELS[kind]]
        assert missing == [], f"{kind.__name__} without a label: {missing}"
    assert labels.status_label(ALREADY_ONBOARDED) == "✔ already onboarded"


def test_labels_look_up_stored_strings_per_kind() -> None:
    """The same stored word gets its own kind's label ("failed" as a status, an outcome, a run)."""
    assert labels.status_label("failed") == "✖ failed"
    assert labels.label(Outcome, "failed") == "✗ failed"
    assert labels.label(RunStatus, "interrupted") == "⚠ interrupted"
    assert labels.label(Action, "resume") == "↻ resume"
    assert labels.status_label("something new") == "something new"


def test_outcome_label_says_the_word_once() -> None:
    """An outcome's mark already holding the word is not repeated; a bare mark gets the word."""
    assert labels.outcome_label("deferred") == "◐ deferred"
    assert labels.outcome_label("done") == "✓ done"
    assert labels.outcome_label("started") == "… started"
    assert labels.outcome_label("unheard-of") == "unheard-of"
