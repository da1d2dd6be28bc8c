"""A live run on a shared journal is never swept as dead, whatever it is doing when the sweep comes."""

from __future__ import annotations

import time
from typing import Any

from support.engine import make_clients

import docspace_sandbox
from onboarding.blueprint import Blueprint
from onboarding.docspace import DocSpaceClient
from onboarding.journal.postgres import PostgresJournal
from onboarding.workflow.engine import Engine

LEASE = 0.6


class _SlowSkips(PostgresJournal):
    """A journal far from its machine: writing the run's first "already onboarded" event takes
    three leases, during which another machine's sweep looks for dead runs again and again."""

    sweeper: PostgresJournal
    swept = 0
    _slowed = False

    def add_event(
        self, run_id: str, portal: str, client_id: str, step: str, outcome: str, detail: str = ""
    ) -> None:
        if detail == "already onboarded" and not self._slowed:
            self._slowed = True
            deadline = time.monotonic() + 3 * LEASE
            while time.monotonic() < deadline and not self.swept:
                self.swept += self.sweeper.mark_abandoned_runs()
                time.sleep(0.05)
        super().add_event(run_id, portal, client_id, step, outcome, detail)


def _engine(sb: docspace_sandbox.Sandbox, journal: Any) -> Engine:
    return Engine(DocSpaceClient(sb.url, sb.api_key), journal, Blueprint(), portal_key="p", actor="t")


def test_a_run_recording_many_finished_clients_is_not_swept_as_dead(
    portal: docspace_sandbox.Sandbox, pg_url: str
) -> None:
    """A run that spends longer than a lease journaling its already-onboarded clients (a big
    re-run, a slow link to the database) keeps beating: no sweep marks it interrupted meanwhile."""
    clients = make_clients(3)
    first = PostgresJournal(pg_url)
    slow = _SlowSkips(pg_url, lease_seconds=LEASE)
    slow.sweeper = PostgresJournal(pg_url, lease_seconds=LEASE)
    try:
        assert _engine(portal, first).run(clients).exit_code == 0
        result = _engine(portal, slow).run(clients)
        assert slow._slowed and slow.swept == 0, "a live run was swept as dead"
        run = slow.run(result.run_id)
        assert run is not None and run.status == "finished" and result.already == 3
    finally:
        for j in (first, slow, slow.sweeper):
            j.close()
