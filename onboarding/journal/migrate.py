"""Copy one journal into another (SQLite → PostgreSQL when a team moves to a shared journal).

Everything a journal remembers is copied, in one transaction on the target: runs, client records
(input, status, progress, remote ids), step events (in their order), and CRM deliveries. Leases
are not copied (the old journal's runs are not running on the new one). Rows the target already
has are kept, and a run whose events it already has is not copied twice, so running the copy
again is harmless. Afterwards every source row is looked up in the target: the counts must match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from onboarding.errors import OnboardingError
from onboarding.journal.base import Execute, Row
from onboarding.journal.sql import SqlJournal

KEYED = {
    "runs": ("run_id",),
    "clients": ("portal", "client_id"),
    "deliveries": ("portal", "client_id"),
    "notices": ("portal", "client_id", "event"),
}
"""Tables copied row for row, with the columns that identify a row."""
NOT_COPIED = {"lease_owner", "lease_until", "heartbeat_at", "id"}
"""A lease or heartbeat belongs to a process on the old journal; event ids are the target's own."""


class MigrationError(OnboardingError):
    """The copy did not arrive whole (nothing is left half-copied: it ran in one transaction)."""


_COLUMN = re.compile(r"[a-z_][a-z0-9_]{0,62}")
"""A column name as the journal's schema writes them: the only kind put into an INSERT."""


def _columns(table: str, row: Row) -> list[str]:
    """The row's columns to copy; a name the journal's schema could not have (a hand-made or
    hostile source file) is refused, since column names go into the statement, not its parameters."""
    columns = [c for c in row if c not in NOT_COPIED]
    for column in columns:
        if not _COLUMN.fullmatch(column):
            raise MigrationError(
                f"the source journal's table {table} has a column {column[:40]!r} that no journal has;"
                " nothing was copied"
            )
    return columns


@dataclass
class MigrationReport:
    """Rows per table: in the source, newly written to the target, and found in the target after."""

    source: dict[str, int] = field(default_factory=dict)
    copied: dict[str, int] = field(default_factory=dict)
    verified: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [
            f"{table}: {self.source[table]} in the source, {self.copied[table]} copied,"
            f" {self.verified[table]} verified in the target"
            for table in self.source
        ]


def copy_journal(source: SqlJournal, target: SqlJournal) -> MigrationReport:
    """Copy ``source`` into ``target`` and check that every row arrived; returns the counts."""
    report = MigrationReport()
    data = {table: source._query(f"SELECT * FROM {table}") for table in KEYED}
    events = source._query("SELECT * FROM events ORDER BY id")
    with target._tx() as sql:
        for table, rows in data.items():
            report.source[table] = len(rows)
            report.copied[table] = sum(_insert(sql, table, row) for row in rows)
        have = {r["run_id"] for r in sql("SELECT DISTINCT run_id FROM events", ())}
        report.source["events"] = len(events)
        report.copied["events"] = sum(_insert(sql, "events", e) for e in events if e["run_id"] not in have)
    _verify(source, target, data, events, report)
    return report


def _insert(sql: Execute, table: str, row: Row) -> int:
    columns = _columns(table, row)
    conflict = " ON CONFLICT DO NOTHING RETURNING 1" if table in KEYED else " RETURNING 1"
    marks = ", ".join("?" * len(columns))
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}){conflict}"
    return len(sql(statement, [row[c] for c in columns]))


def _verify(
    source: SqlJournal,
    target: SqlJournal,
    data: dict[str, list[Row]],
    events: Sequence[Row],
    report: MigrationReport,
) -> None:
    for table, rows in data.items():
        keys = KEYED[table]
        present = {tuple(r[k] for k in keys) for r in target._query(f"SELECT {', '.join(keys)} FROM {table}")}
        report.verified[table] = sum(tuple(r[k] for k in keys) in present for r in rows)
    per_run: dict[str, int] = {}
    for r in target._query("SELECT run_id FROM events"):
        per_run[r["run_id"]] = per_run.get(r["run_id"], 0) + 1
    wanted: dict[str, int] = {}
    for e in events:
        wanted[e["run_id"]] = wanted.get(e["run_id"], 0) + 1
    report.verified["events"] = sum(min(n, per_run.get(run, 0)) for run, n in wanted.items())
    short = [t for t in report.source if report.verified[t] != report.source[t]]
    if short:
        raise MigrationError(
            "the copy is incomplete: "
            + "; ".join(line for line in report.lines() if line.split(":")[0] in short)
        )
