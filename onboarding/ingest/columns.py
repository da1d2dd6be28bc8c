"""The canonical fields checked a column at a time: the same verdicts as :func:`~onboarding.ingest.rows.check_row`.

100,000 rows through ``check_row`` cost about 0.7 s, nearly all of it Python calls per row. Here
each field is one pass over its column (strip, look for blanks), and e-mail verdicts are worked
out once per distinct address (:func:`~onboarding.ingest.rows.email_verdicts`); only rows with a
problem cost anything more. ``tests/ingest/test_ingest_columns.py`` holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from onboarding.ingest.models import FieldName
from onboarding.ingest.rows import RowProblem, email_verdicts

__all__ = ["FieldColumns", "check_columns"]

_REQUIRED: dict[FieldName, str] = {
    "client_id": "The client ID is empty; every client needs a unique key.",
    "name": "The client name is empty.",
    "email": "The e-mail is empty; it is needed to invite the client.",
}


@dataclass
class FieldColumns:
    """Every row's cleaned fields (by position), and the problems of the rows that have any."""

    client_id: list[str]
    name: list[str]
    email: list[str | None]
    manager_email: list[str | None]
    problems: dict[int, list[RowProblem]] = field(default_factory=dict)
    """Row position -> its problems in field order (client ID, name, e-mail, manager), as ``check_row`` lists them."""

    def cleaned(self, f: FieldName) -> Sequence[str | None]:
        """One field's column; a row with problems has no meaningful value in it."""
        columns: dict[FieldName, Sequence[str | None]] = {
            "client_id": self.client_id,
            "name": self.name,
            "email": self.email,
            "manager_email": self.manager_email,
        }
        return columns[f]

    def _add(self, position: int, problem: RowProblem) -> None:
        self.problems.setdefault(position, []).append(problem)


def _stripped(column: Sequence[str] | None, n: int) -> list[str]:
    return [""] * n if column is None else [value.strip() for value in column]


def _blanks(values: list[str]) -> list[int]:
    return [i for i, value in enumerate(values) if not value] if "" in values else []


def check_columns(
    columns: Mapping[FieldName, Sequence[str]], n: int, *, email_required: bool, key: str
) -> FieldColumns:
    """Check the mapped columns of ``n`` rows (a field without a column counts as empty everywhere).

    ``key`` is ``"client_id"`` or ``"email"``, as for :func:`~onboarding.ingest.rows.check_row`.
    """
    client_id = _stripped(columns.get("client_id"), n)
    name = _stripped(columns.get("name"), n)
    emails = _stripped(columns.get("email"), n)
    managers = _stripped(columns.get("manager_email"), n)
    out = FieldColumns(client_id=client_id, name=name, email=[], manager_email=[])
    if key == "client_id":
        for i in _blanks(client_id):
            out._add(i, ("client_id", "required", _REQUIRED["client_id"]))
    for i in _blanks(name):
        out._add(i, ("name", "required", _REQUIRED["name"]))
    out.email = _emails(out, emails, "email", required=email_required or key == "email")
    out.manager_email = _emails(out, managers, "manager_email", required=False)
    if key == "email":
        out.client_id = [e or "" for e in out.email]
    return out


def _emails(out: FieldColumns, values: list[str], f: FieldName, *, required: bool) -> list[str | None]:
    """Normalized addresses (``None`` for blank or invalid), and the problems they make."""
    verdicts = email_verdicts(values)
    if all(reason is None and normalized == value for value, (normalized, reason) in verdicts.items()):
        cleaned: list[str | None] = list(values)  # the usual case: every address already normalized
        for i in _blanks(values):
            cleaned[i] = None
    else:
        cleaned = [verdicts[value][0] if value else None for value in values]
    for i, value in enumerate(values) if None in cleaned else ():
        if not value:
            if required:
                out._add(i, ("email", "required", _REQUIRED["email"]))
            continue
        reason = verdicts[value][1]
        if reason is None:
            continue
        if f == "email":
            out._add(i, ("email", "invalid_email", f"Not a valid e-mail address: {reason}"))
        else:
            out._add(
                i,
                (
                    "manager_email",
                    "invalid_manager_email",
                    f"The account manager is not a valid e-mail address: {reason}",
                ),
            )
    return cleaned
