"""The CLI's after-onboarding sub-commands: ``check-joins``, ``renew``, ``audit``, ``repair``,
``offboard`` and ``restore``.

Kept apart from :mod:`onboarding.cli` (which wires them in) because they work on clients the
journal already holds, not on a spreadsheet. Exit codes as the CLI's: ``audit`` exits 1 when a
client differs, ``repair`` when one still differs after it, the others 1 when something failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from onboarding.errors import ConfigError
from onboarding.workflow.status import ClientStatus

if TYPE_CHECKING:
    from onboarding.service import Onboarding

EXIT_OK, EXIT_FAILED = 0, 1


def _ids(text: str | None) -> list[str] | None:
    return [s.strip() for s in text.split(",") if s.strip()] if text else None


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the after-onboarding sub-commands."""
    joins = sub.add_parser(
        "check-joins", parents=[common], help="which invited clients joined (one read per pending client)"
    )
    joins.add_argument("--select", metavar="ID,...", help="only these client ids")
    joins.add_argument(
        "--expiring",
        type=float,
        metavar="DAYS",
        help="also list clients not joined whose link expires within DAYS",
    )
    renew = sub.add_parser("renew", parents=[common], help="extend or make again a client's link")
    renew.add_argument("client_ids", nargs="+", metavar="ID")
    audit = sub.add_parser(
        "audit",
        parents=[common],
        help="compare onboarded rooms with the journal and the blueprint (reads only)",
    )
    audit.add_argument("--select", metavar="ID,...", help="only these client ids")
    audit.add_argument("--json", action="store_true", help="print the differing clients as JSON")
    audit.add_argument(
        "--accept", action="append", metavar="ID:ITEM", default=[], help="accept a difference (repeatable)"
    )
    repair = sub.add_parser("repair", parents=[common], help="restore what an audit finds missing")
    repair.add_argument("--select", metavar="ID,...", help="only these client ids")
    off = sub.add_parser("offboard", parents=[common], help="remove a client's access, then archive its room")
    off.add_argument("client_ids", nargs="+", metavar="ID")
    restore = sub.add_parser("restore", parents=[common], help="unarchive a room and give access back")
    restore.add_argument("client_ids", nargs="+", metavar="ID")


def _left_out(svc: Onboarding, ids: list[str] | None, what: str, err: TextIO) -> None:
    """A client ``--select`` names that is not onboarded (offboarded, failed…) is said to be left
    out, rather than a bare "0 client(s) differ" (an unknown one is refused by the door, and so is
    a journal with no client of the portal at all)."""
    if ids is None:
        return
    records = svc.records_of(ids)
    for cid in ids:
        rec = records.get(cid)
        if rec is not None and rec.status != ClientStatus.DONE:
            print(f"{cid}: {rec.status}, so not {what}ed (only onboarded clients are)", file=err)


def cmd_check_joins(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``check-joins``: record who joined; ``client.joined`` goes to the webhook once per client."""
    _left_out(svc, _ids(args.select), "check", err)
    report = svc.check_joins(_ids(args.select))
    print(
        f"check-joins: {report.checked} pending client(s) checked, {len(report.joined)} joined now", file=out
    )
    for cid in report.joined:
        print(f"{cid}\tjoined", file=out)
    if args.expiring is not None:
        for rec in svc.expiring_links(args.expiring):
            print(f"{rec.client_id}\tnot joined, link expires {rec.link_expires} (renew it)", file=out)
    for cid, msg in report.errors.items():
        print(f"{cid}: {msg}", file=err)
    return EXIT_FAILED if report.errors else EXIT_OK


def _each(ids: list[str], out: TextIO, line: Callable[[str], str]) -> int:
    """One client after another (the first failure stops the rest; run again to resume)."""
    for cid in ids:
        print(f"{cid}\t{line(cid)}", file=out)
    return EXIT_OK


def cmd_renew(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``renew ID…``: each client's link extended (or made again); the export shows the new one."""

    def renew(cid: str) -> str:
        rec = svc.renew(cid)
        return f"{rec.link_url}\texpires {rec.link_expires or 'never'}"

    return _each(args.client_ids, out, renew)


def cmd_audit(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``audit``: exit 0 when every room matches, 1 with the differences per client otherwise."""
    from onboarding.workflow.audit import normalise_item

    accepted = []
    for spec in args.accept:  # all checked before any is stored
        cid, sep, item = spec.partition(":")
        if not sep or not cid.strip() or not item.strip():
            raise ConfigError(f"--accept takes CLIENT_ID:ITEM (e.g. C-0001:link), not {spec!r}")
        try:
            accepted.append((cid.strip(), normalise_item(item)))
        except ValueError as exc:
            raise ConfigError(f"--accept {spec!r}: {exc}") from None
    if accepted:
        try:
            svc.accept_all(accepted)  # all or none: one wrong item stores nothing
        except ValueError as exc:
            raise ConfigError(f"--accept: {exc}; nothing was accepted") from None
    for cid, item in accepted:
        print(f"{cid}: accepted {item!r}", file=err)
    ids = _ids(args.select)
    _left_out(svc, ids, "audit", err)
    print(f"audit: about {svc.audit_cost(ids)} reads", file=err)
    differ = [a for a in svc.audit(ids) if a.differences]
    if args.json:
        print(json.dumps({"clients": [a.as_dict() for a in differ]}, indent=2, ensure_ascii=False), file=out)
    else:
        for a in differ:
            for d in a.differences:
                print(f"{a.client_id}\t{d.item}\texpected {d.expected}\tfound {d.found}", file=out)
        print(f"audit: {len(differ)} client(s) differ", file=out)
    return EXIT_FAILED if differ else EXIT_OK


def cmd_repair(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``repair``: plan from an audit, then run the steps that restore what is missing. Exits 1 when
    a step failed or something is left (an archived room, an extra member), as ``audit`` would
    after it: a nightly ``repair`` in a script must not report a room that still differs as fine."""
    _left_out(svc, _ids(args.select), "repair", err)
    report = svc.repair(_ids(args.select))
    for cid, items in report.repaired.items():
        print(f"{cid}\trepaired\t{', '.join(items)}", file=out)
    for cid, items in report.not_repaired.items():
        print(f"{cid}\tnot repaired\t{', '.join(items)}", file=out)
    failed = report.result.errors if report.result else {}
    for cid, msg in failed.items():
        print(f"{cid}: {msg}", file=err)
    print(f"repair: {len(report.repaired)} client(s) repaired, {len(report.not_repaired)} left", file=out)
    return EXIT_FAILED if failed or report.not_repaired else EXIT_OK


def cmd_offboard(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``offboard ID…``: members and links removed, then the room archived (run again to resume)."""
    return _each(args.client_ids, out, lambda cid: f"offboarded\t(run {svc.offboard(cid)})")


def cmd_restore(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``restore ID…``: rooms unarchived and access made again per the blueprint."""
    code = EXIT_OK
    for cid in args.client_ids:
        result = svc.restore(cid)
        ok = result.count(ClientStatus.DONE) == 1
        code = code if ok else EXIT_FAILED
        print(f"{cid}\t{'restored' if ok else 'failed: ' + result.errors.get(cid, '')}", file=out)
    return code


def last_audit_line(svc: Onboarding) -> str:
    """For ``run``'s summary: when the rooms were last compared with the journal, and how to do it."""
    when = svc.last_audit()
    if when is None:
        return "drift: never audited; run `docspace-onboard audit` to compare the rooms with the journal"
    stamp = dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"drift: last audit {stamp}; run `docspace-onboard audit` to check again"


COMMANDS = {
    "check-joins": cmd_check_joins,
    "renew": cmd_renew,
    "audit": cmd_audit,
    "repair": cmd_repair,
    "offboard": cmd_offboard,
    "restore": cmd_restore,
}
