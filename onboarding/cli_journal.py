"""The CLI's shared-journal sub-commands: ``journal migrate`` and ``worker``.

Kept apart from :mod:`onboarding.cli` (which wires them in) because they are about where the
journal lives and who carries out queued runs, not about onboarding a spreadsheet.
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from onboarding.errors import ConfigError

if TYPE_CHECKING:
    from onboarding.service import Onboarding

EXIT_OK, EXIT_FAILED = 0, 1


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``journal`` (with ``migrate``) and ``worker`` to the CLI's sub-commands."""
    journal = sub.add_parser("journal", help="manage the journal (copy it into a shared database)")
    actions = journal.add_subparsers(dest="journal_command", required=True)
    migrate = actions.add_parser(
        "migrate", help="copy a journal (records, runs, events, deliveries) into another, e.g. PostgreSQL"
    )
    migrate.add_argument(
        "--from", dest="source", required=True, metavar="PATH|URL", help="the journal to copy"
    )
    migrate.add_argument("--to", dest="target", required=True, metavar="PATH|URL", help="e.g. postgresql://…")
    worker = sub.add_parser(
        "worker", parents=[common], help="carry out runs queued on the dashboard (needs a shared journal)"
    )
    worker.add_argument(
        "--until-idle",
        action="store_true",
        help="exit when nothing is queued or held by another worker (a dead worker's run is taken over)",
    )
    worker.add_argument("--poll", type=float, default=1.0, metavar="SECONDS", help="queue poll interval")
    worker.add_argument(
        "--concurrency", type=concurrency, metavar="N", help="writes in flight (1-15; shared by all workers)"
    )
    worker.add_argument("--rpm", metavar="N|auto|off", help="requests per minute (shared by all workers)")


def concurrency(text: str) -> int:
    """A ``--concurrency`` value: 1 to 15 writes in flight (0 would silently mean the default)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a whole number of writes in flight (1-15)") from None
    if not 1 <= value <= 15:
        raise argparse.ArgumentTypeError("writes in flight must be from 1 to 15")
    return value


def cmd_journal(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``journal migrate --from … --to …``: copy a journal and verify that every row arrived."""
    from onboarding.journal import open_journal
    from onboarding.journal.migrate import copy_journal
    from onboarding.journal.sql import SqlJournal

    if args.source == args.target:
        raise ConfigError("--from and --to name the same journal")
    if "://" not in args.source and not Path(args.source).is_file():
        # Opening a journal file creates it: a mistyped path would be copied as an empty journal.
        raise ConfigError(f"--from: no journal file at {args.source}")
    source, target = open_journal(args.source), open_journal(args.target)
    try:
        assert isinstance(source, SqlJournal) and isinstance(target, SqlJournal)
        report = copy_journal(source, target)
        for line in report.lines():
            print(line, file=out)
        print(f"journal copied from {source.describe()} to {target.describe()}", file=out)
    finally:
        source.close()
        target.close()
    return EXIT_OK


def cmd_worker(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``worker``: take runs queued for this portal and carry them out until stopped (SIGTERM)."""
    from onboarding.journal import open_journal
    from onboarding.worker import Worker

    if not svc.shared_journal:
        raise ConfigError(
            "a worker needs a shared journal: pass --journal postgresql://… or set DOCSPACE_JOURNAL_URL"
        )
    queue = open_journal(svc.settings.journal, pool_size=2, lease_seconds=svc.settings.journal_lease_seconds)
    try:
        worker = Worker(
            svc, queue, say=lambda line: print(line, file=out, flush=True), poll_seconds=args.poll
        )
        previous = signal.signal(signal.SIGTERM, lambda *_: worker.stop())
        print(
            f"{worker.name} waiting for runs on {svc.portal_key} in {queue.describe()}", file=out, flush=True
        )
        try:
            done = worker.serve(until_idle=args.until_idle)
        finally:
            signal.signal(signal.SIGTERM, previous)
        print(f"worker stopped after {done} queued runs", file=out)
    finally:
        queue.close()
    return EXIT_OK
