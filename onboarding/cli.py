"""``docspace-onboard``: the command-line door onto the same engine the dashboard uses.

Exit codes: 0 all clients onboarded; 1 some failed (or were blocked or locked); 2 bad input or
usage; 3 deferred by a portal limit (run again later to resume). It never prompts when standard
input is not a terminal, and the API key is read only from ``DOCSPACE_API_KEY`` or a key file.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from onboarding import cli_aftercare, cli_journal, cli_output, export, files
from onboarding.errors import ConfigError, DocSpaceError, OnboardingError
from onboarding.workflow.identity import CONFLICT_CHOICES, identity_json, identity_lines
from onboarding.workflow.reassign import hand_over_lines, manager_json

if TYPE_CHECKING:
    # Imported where used: pandas, pydantic and requests take ~1.5 s to load, and `--help` or a
    # usage error needs none of them.
    from onboarding.ingest.models import ClientRow
    from onboarding.service import Onboarding
    from onboarding.workflow.engine import RunResult
    from onboarding.workflow.plan import BatchPlan

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DEFERRED = 0, 1, 2, 3


def _common(*, after_command: bool = False) -> argparse.ArgumentParser:
    """The portal and file options, taken before the command or after it.

    After the command they default to "not given" (``SUPPRESS``): a subcommand's own default
    would otherwise overwrite what was given before the command, and ``--portal URL plan …``
    would quietly go to ``$DOCSPACE_URL`` instead.
    """
    kw: dict[str, Any] = {"default": argparse.SUPPRESS} if after_command else {}
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("portal and files")
    g.add_argument("--portal", metavar="URL", help="portal address (default: $DOCSPACE_URL)", **kw)
    g.add_argument(
        "--api-key-file",
        metavar="FILE",
        help="file holding the API key (default: $DOCSPACE_API_KEY)",
        **kw,
    )
    g.add_argument(
        "--journal",
        metavar="PATH|URL",
        help="journal file, or a shared postgresql://user@host/db (default: shared with the dashboard)",
        **kw,
    )
    g.add_argument(
        "--blueprint",
        metavar="FILE",
        help="blueprint TOML (default: the dashboard's, blueprint.toml in the data folder, else the built-in one)",
        **kw,
    )
    return p


def _input_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="client spreadsheet (CSV, XLSX, XLSM, ODS)")
    p.add_argument("--sheet", help="worksheet name (workbooks)")
    p.add_argument("--select", metavar="ID,...", help="only these client ids")
    p.add_argument(
        "--include-hidden",
        action="store_true",
        help="also the rows hidden in an XLSX sheet (by a filter, a group or Hide), left out by default",
    )


def _choice_args(p: argparse.ArgumentParser) -> None:
    """The person's choices, the same on ``plan`` (to preview them) and ``run``."""
    p.add_argument(
        "--on-conflict",
        choices=CONFLICT_CHOICES,
        default="stop",
        help="rows reusing an id onboarded for another name or e-mail: stop (report, exit 1; default), "
        "skip them, or update the records (a new e-mail is invited, the replaced one removed)",
    )
    p.add_argument(
        "--hand-over",
        action="store_true",
        help="onboarded clients whose row names another account manager: invite the new manager "
        "and remove the previous one (default: the room keeps its manager, and the plan says so)",
    )


def _plan(args: argparse.Namespace, svc: Onboarding, clients: Sequence[ClientRow], err: TextIO) -> BatchPlan:
    """The plan with the person's choices (``--on-conflict``, ``--hand-over``): conflicts skipped
    are left out, so nothing is written or recorded for them."""
    ids = [c.client_id for c in clients]
    update = ids if args.on_conflict == "update" else []
    plan = svc.plan(clients, update=update, hand_over=ids if args.hand_over else [])
    if args.on_conflict == "skip":
        for cp in [c for c in plan.clients if c.identity]:
            print(f"{cp.client_id}: conflict skipped ({'; '.join(identity_lines(cp))})", file=err)
        plan.clients = [c for c in plan.clients if not c.identity]
    return plan


def _rpm(text: str) -> int | str:
    if text.strip().casefold() == "off":
        return "off"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number of requests per minute, or off") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1 request per minute (or off)")
    return value


def build_parser() -> argparse.ArgumentParser:
    common = _common(after_command=True)
    parser = argparse.ArgumentParser(
        prog="docspace-onboard",
        description="Onboard business clients into ONLYOFFICE DocSpace rooms in bulk.",
        parents=[_common()],
    )
    sub = parser.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan", parents=[common], help="dry run: what would happen (no writes)")
    _input_args(plan)
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    _choice_args(plan)
    run = sub.add_parser("run", parents=[common], help="onboard the clients (resumes earlier runs)")
    _input_args(run)
    run.add_argument(
        "--concurrency", type=cli_journal.concurrency, metavar="N", help="writes in flight (1-15, default 15)"
    )
    run.add_argument(
        "--rpm",
        type=_rpm,
        metavar="N|off",
        help="requests per minute: N forces a pace, off forces none (default: learned from the portal)",
    )
    run.add_argument(
        "--export",
        metavar="FILE",
        help="when done, write every client the journal knows on this portal, not only this run's "
        "(CSV, or .xlsx/.jsonl; `export --run RUN_ID` writes one run's)",
    )
    run.add_argument(
        "--no-wait",
        action="store_true",
        help="leave clients another run is onboarding right now (locked, exit 1) instead of waiting "
        "for that run to let them go and then finishing them",
    )
    _choice_args(run)
    status = sub.add_parser("status", parents=[common], help="runs and clients in the journal")
    status.add_argument("--run", metavar="RUN_ID", help="one run's clients")
    archive = sub.add_parser(
        "archive", parents=[common], help="roll back: move a client's room to the Archive"
    )
    archive.add_argument("client_id")
    exp = sub.add_parser("export", parents=[common], help="write the results for the CRM")
    exp.add_argument("--run", metavar="RUN_ID", help="only this run's clients")
    exp.add_argument("--format", choices=sorted(export.FORMATS), help="default: from the file name, else csv")
    exp.add_argument("--excel", action="store_true", help="CSV with a byte-order mark for Excel")
    exp.add_argument("--output", "-o", metavar="FILE", help="default: standard output")
    hook = sub.add_parser("webhook", parents=[common], help="send onboarded clients to the CRM webhook")
    hook.add_argument("--select", metavar="ID,...", help="only these client ids")
    hook.add_argument("--resend", action="store_true", help="send again even if delivered before")
    cli_journal.add_parsers(sub, common)
    cli_aftercare.add_parsers(sub, common)
    return parser


def _warn_password_in_argv(args: argparse.Namespace, err: TextIO) -> None:
    """Say so when a journal address on the command line carries a password (never the password).

    Arguments are readable by every account on the machine (``ps``, ``/proc/<pid>/cmdline``) and
    stay in shell history; the address is still used, as before, but the operator learns where the
    password belongs instead.
    """
    from onboarding.journal import address, is_database_url

    for option, value in (("--journal", "journal"), ("--from", "source"), ("--to", "target")):
        url = getattr(args, value, None)
        if is_database_url(url) and address.passwords_of(str(url)):
            address.protect(str(url))  # masked wherever a message might quote it
            print(
                f"warning: the {option} address holds a password, which other accounts on this machine"
                " can read in the process list: put it in ~/.pgpass or PGPASSWORD, or pass the address"
                " in DOCSPACE_JOURNAL_URL",
                file=err,
            )


def _service(args: argparse.Namespace) -> Onboarding:
    from onboarding.service import Onboarding
    from onboarding.settings import load_settings

    explicit: dict[str, Any] = {
        "portal_url": args.portal,
        "journal_path": args.journal,
        "blueprint_path": args.blueprint,
        "api_key_file": args.api_key_file,
    }
    if getattr(args, "concurrency", None):
        explicit["writes_in_flight"] = args.concurrency
    if getattr(args, "rpm", None) is not None:
        explicit["requests_per_minute"] = args.rpm
    settings = load_settings(explicit=explicit)
    if not settings.portal_url:
        raise ConfigError("no portal: pass --portal URL or set DOCSPACE_URL")
    if not settings.api_key:
        raise ConfigError("no API key: set DOCSPACE_API_KEY or pass --api-key-file FILE")
    return Onboarding(settings, actor=f"cli:{getpass.getuser()}")


def _load(
    args: argparse.Namespace, svc: Onboarding, err: TextIO
) -> tuple[list[ClientRow], int, list[dict[str, object]]]:
    """The file's valid clients (``--select``'s if given), how many of its rows were refused (none
    counted under ``--select``: the rows picked are all there is to do), and the file's issues as
    ``plan --json`` lists them."""
    from onboarding.ingest import load_clients

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    batch = load_clients(data, path.name, sheet=args.sheet, settings=svc.blueprint.ingest_settings())
    for issue in batch.issues:
        where = f"row {issue.row_number}" if issue.row_number else "file"
        col = f" [{issue.column}]" if issue.column else ""
        print(f"{issue.severity}: {where}{col}: {issue.message}", file=err)
    clients = list(batch.clients)
    if args.select:
        wanted = [s.strip() for s in args.select.split(",") if s.strip()]
        known = {c.client_id for c in clients}
        missing = [w for w in wanted if w not in known]
        if missing:
            print(f"warning: --select names unknown or invalid clients: {', '.join(missing)}", file=err)
        clients = [c for c in clients if c.client_id in set(wanted)]
    elif batch.hidden_ids and not args.include_hidden:
        hidden = batch.hidden_ids
        clients = [c for c in clients if c.client_id not in hidden]
        print(
            f"note: {len(hidden)} row(s) hidden in the sheet left out; --include-hidden onboards them too",
            file=err,
        )
    if not clients:
        raise ConfigError("no valid clients to work on")
    refused = {i.row_number for i in batch.issues if i.severity == "error" and i.row_number}
    issues: list[dict[str, object]] = [
        {"row": i.row_number, "column": i.column, "severity": i.severity, "message": i.message}
        for i in batch.issues
    ]
    return clients, 0 if args.select else len(refused), issues


def _say_refused(refused: int, outcome: str, err: TextIO) -> None:
    if refused:
        print(
            f"{refused} row{'s' if refused != 1 else ''} of the file refused (see above): {outcome}", file=err
        )


def _estimate_figures(svc: Onboarding, plan: BatchPlan) -> dict[str, float | None]:
    est = svc.estimate(plan)
    limited = None if est.if_limited is None else round(est.if_limited, 2)
    return {"estimate_s": round(est.seconds, 2), "estimate_if_limited_s": limited}


def _cost_lines(plan: BatchPlan, svc: Onboarding) -> list[str]:
    """The batch's cost against the portal's per-minute and per-day limits, in words."""
    s = svc.settings
    days = plan.days_of_writes(s.daily_write_budget)
    lines = [
        f"time: {svc.estimate_text(plan)}",
        f"{plan.writes:,} writes against a daily budget of {s.daily_write_budget:,} POST+PUT"
        + ("" if days == 1 else f": needs {days} days — the rest is deferred and resumes on a later run"),
    ]
    return lines


def _write_export(
    svc: Onboarding, target: str | None, fmt: str | None, excel: bool, run_id: str | None
) -> None:
    suffix = Path(target).suffix.lstrip(".").lower() if target else ""
    if not fmt and suffix and suffix not in export.FORMATS:  # "out.json" must not quietly hold CSV
        names = ", ".join(sorted(export.FORMATS))
        raise ConfigError(
            f"cannot tell the export's format from '.{suffix}': name a .{names} file or pass --format"
        )
    _known_run(svc, run_id)
    data = svc.export(fmt or suffix or "csv", run_id=run_id, excel=excel)
    if target:
        files.write_private(target, data, what="export")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def cmd_plan(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``plan``: a dry run (reads the portal, writes nothing)."""
    from onboarding.workflow.segment_change import segment_json  # pydantic: not for `--help`

    clients, refused, issues = _load(args, svc, err)
    plan = _plan(args, svc, clients, err)
    if args.json:
        rows = [
            {"client_id": c.client_id, "action": c.action, "resume_step": c.resume_step,
             "title": c.title, "tag": c.tag, "blueprint": c.blueprint_name or None, "reasons": c.reasons,
             "warnings": c.warnings, **segment_json(c), **identity_json(c), **manager_json(c)}
            for c in plan.clients
        ]  # fmt: skip
        summary = {
            **plan.summary(),
            "problems": plan.problems,
            **_estimate_figures(svc, plan),
            "cost": _cost_lines(plan, svc),
            "refused_rows": refused,
        }
        print(json.dumps({"summary": summary, "clients": rows, "file_issues": issues}, indent=2), file=out)
    else:
        cli_output.print_plan(plan, out)
        for line in _cost_lines(plan, svc):
            print(line, file=out)
    _say_refused(refused, "not planned", err)  # as `run` says it: these rows would not be onboarded
    return EXIT_FAILED if plan.count("blocked") or plan.count("conflict") or refused else EXIT_OK


def cmd_run(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``run``: onboard the clients (resuming what earlier runs left), then optionally export."""
    if args.export:
        files.check_writable(args.export, what="export")  # before any write to the portal
    clients, refused, _ = _load(args, svc, err)
    plan = _plan(args, svc, clients, err)
    for problem in plan.problems:  # said before the first write, where a script's log keeps it
        print(f"warning: {problem}", file=err)

    def run_once(plan: BatchPlan) -> RunResult:
        progress = cli_output.Progress(len(plan.clients), err)
        result = svc.run(plan, on_event=progress)
        progress.close()
        s = result.summary()
        print(cli_output.run_line(result.run_id, s), file=out)
        waited = cli_output.waited_line(s.get("throttle") or {})
        if waited:
            print(waited, file=out)
        return result

    def again(held: set[str]) -> RunResult:
        return run_once(_plan(args, svc, [c for c in clients if c.client_id in held], err))

    result = run_once(plan)
    if not args.no_wait:
        result = svc.take_over_held(result, again, lambda line: print(line, file=err))
    for cid, msg in result.errors.items():
        print(f"{cid}: {msg}", file=err)
    for line in hand_over_lines(plan, result.statuses):
        print(line, file=err)
    if args.export:
        _write_export(svc, args.export, None, False, None)
    print(cli_aftercare.last_audit_line(svc), file=out)
    _say_refused(refused, "not onboarded", err)  # a script must see that not every row was onboarded
    return EXIT_FAILED if refused and result.exit_code == EXIT_OK else result.exit_code


def _known_run(svc: Onboarding, run_id: str | None) -> None:
    """A ``--run`` that names no run of the journal is a mistake to say, not an empty answer."""
    if run_id and svc.run_record(run_id) is None:
        raise ConfigError(f"the journal has no run {run_id!r} (`status` lists the runs)")


def cmd_status(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``status``: the runs in the journal, or one run's clients."""
    _known_run(svc, args.run)
    if args.run:
        for rec in svc.records(args.run):
            print(f"{rec.client_id}\t{rec.status}\t{rec.room_id or ''}\t{rec.error}", file=out)
    else:
        for run in svc.runs():
            print(f"{run.run_id}\t{run.kind}\t{run.status}\t{run.total} clients\t{run.actor}", file=out)
    return EXIT_OK


def cmd_archive(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``archive``: roll one client back (its room goes to the Archive)."""
    room = svc.archive(args.client_id)
    print(f"client {args.client_id}: room {room} archived", file=out)
    return EXIT_OK


def cmd_webhook(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``webhook``: send onboarded clients to the CRM (again, with ``--resend``)."""
    ids = [i.strip() for i in args.select.split(",")] if args.select else None
    report = svc.deliver(ids, force=args.resend)
    if report is None:
        raise ConfigError("no webhook configured: set DOCSPACE_WEBHOOK_URL and DOCSPACE_WEBHOOK_SECRET")
    print(f"webhook: {report.sent} sent, {report.failed} failed, {report.skipped} skipped", file=out)
    if report.events_sent or report.events_failed:
        print(
            f"webhook: {report.events_sent} earlier event(s) sent again, {report.events_failed} failed again",
            file=out,
        )
    for cid, msg in (report.errors or {}).items():
        print(f"{cid}: {msg}", file=err)
    return EXIT_FAILED if report.failed or report.events_failed else EXIT_OK


def cmd_export(args: argparse.Namespace, svc: Onboarding, out: TextIO, err: TextIO) -> int:
    """``export``: the results for the CRM, to a file or standard output."""
    _write_export(svc, args.output, args.format, args.excel, args.run)
    return EXIT_OK


Command = Callable[[argparse.Namespace, "Onboarding", TextIO, TextIO], int]
COMMANDS: dict[str, Command] = {
    "plan": cmd_plan,
    "run": cmd_run,
    "status": cmd_status,
    "archive": cmd_archive,
    "webhook": cmd_webhook,
    "export": cmd_export,
    "worker": cli_journal.cmd_worker,
    **cli_aftercare.COMMANDS,
}
"""Sub-command name -> its function; a new sub-command is one parser entry and one function here."""


def _command(argv: Sequence[str] | None, out: TextIO, err: TextIO) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from onboarding.ingest import IngestError

    command = COMMANDS.get(args.command)
    if command is None and args.command != "journal":
        parser.error(f"unknown command {args.command}")
    _warn_password_in_argv(args, err)
    try:
        if command is None:  # `journal …` works on journals, not on a portal
            return cli_journal.cmd_journal(args, out, err)
        with _service(args) as svc:
            return command(args, svc, out, err)
    except (ConfigError, IngestError) as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    except DocSpaceError as exc:
        print(f"portal error: {exc}", file=err)
        return EXIT_FAILED
    except OnboardingError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted: run again to resume", file=err)
        return EXIT_DEFERRED


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; whatever goes wrong ends in one line on standard error, never a traceback.

    ``DOCSPACE_DEBUG=1`` lets unexpected errors through with their traceback (for a bug report).
    """
    out, err = cast(TextIO, cli_output.Terminal(sys.stdout)), cast(TextIO, cli_output.Terminal(sys.stderr))
    try:
        code = _command(argv, out, err)
        sys.stdout.flush()  # a closed pipe shows up here rather than at interpreter exit
        return code
    except BrokenPipeError:
        cli_output.discard_stdout()
        problem, code = "the output was closed before everything was written (broken pipe)", EXIT_FAILED
    except (OSError, sqlite3.Error) as exc:
        problem, code = f"{type(exc).__name__}: {exc}", EXIT_FAILED
    except Exception as exc:
        if os.environ.get("DOCSPACE_DEBUG"):
            raise
        problem, code = f"unexpected {type(exc).__name__}: {exc}", EXIT_FAILED
    with contextlib.suppress(OSError):
        print(f"error: {' '.join(problem.split())}", file=err, flush=True)
    return code


def entry() -> None:
    """The console script and ``python -m onboarding.cli``: :func:`main`, then a quick exit.

    Why: tearing the interpreter down module by module (pandas, numpy, pydantic...) took
    0.3-0.8 s after every command, more than many commands themselves. When ``main`` returns,
    nothing is left to do: the journal commits each step as it happens and the service has
    closed it, no thread is working, and the output is flushed here. So the process ends at
    once, skipping only that teardown. Tests call :func:`main`, which returns normally.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    entry()
