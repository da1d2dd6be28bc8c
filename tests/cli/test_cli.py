"""``docspace-onboard`` end to end against the sandbox: plan, run, status, export, archive."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from support.engine import Client, Harness, make_clients, write_csv

from onboarding import cli
from onboarding.journal import SqliteJournal


def test_plan_lists_actions_and_writes_nothing(
    harness: Harness, env: list[str], tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """`plan` prints one line per client with its action and exits 0; the portal is not written to."""
    sheet = write_csv(tmp_path / "c.csv", make_clients(3))
    assert cli.main(["plan", str(sheet), *env]) == 0
    out = capsys.readouterr().out
    assert out.count("\tcreate\t") == 3
    assert harness.writes_logged() == []


def test_run_exports_results_csv_with_the_crm_columns(
    harness: Harness, env: list[str], tmp_path: Path
) -> None:
    """`run --export` onboards and writes a CSV with room and link for every client."""
    clients = make_clients(3)
    sheet = write_csv(tmp_path / "c.csv", clients)
    out = tmp_path / "results.csv"
    assert cli.main(["run", str(sheet), *env, "--export", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {r["client_id"] for r in rows} == {c.client_id for c in clients}
    for col in (
        "client_name",
        "client_email",
        "room_id",
        "room_title",
        "room_url",
        "client_link",
        "status",
        "error",
    ):
        assert col in rows[0]
    assert all(
        r["status"] == "onboarded" and r["room_id"] and r["client_link"].startswith("http") for r in rows
    )


def test_run_summary_line_reads_as_words(harness: Harness, env: list[str], tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`run` ends with a sentence of counts and calls, not a JSON object beside a Python dict."""
    sheet = write_csv(tmp_path / "c.csv", make_clients(2))
    assert cli.main(["run", str(sheet), *env]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("run "))
    assert ": 2 onboarded in " in line and " s; " in line
    assert "writes, " in line and "duplicates avoided" in line
    assert "{" not in line and "'" not in line


def test_run_help_says_export_holds_every_client_of_the_journal(capsys) -> None:  # type: ignore[no-untyped-def]
    """`run --help` says `--export` writes every client the journal knows, not only the run's."""
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "every client the journal knows on this portal, not only this run's" in text


def test_select_limits_the_run_to_the_named_clients(harness: Harness, env: list[str], tmp_path: Path) -> None:
    """`--select` onboards only the listed client ids."""
    clients = make_clients(3)
    sheet = write_csv(tmp_path / "c.csv", clients)
    assert cli.main(["run", str(sheet), *env, "--select", clients[1].client_id]) == 0
    assert [r["tags"] for r in harness.rooms()] == [[f"client:{clients[1].client_id}"]]


def test_archive_command_rolls_back_a_client(harness: Harness, env: list[str], tmp_path: Path) -> None:
    """`archive CLIENT_ID` moves the room to the Archive and exits 0."""
    clients = make_clients(1)
    sheet = write_csv(tmp_path / "c.csv", clients)
    assert cli.main(["run", str(sheet), *env]) == 0
    assert cli.main(["archive", clients[0].client_id, *env]) == 0
    assert harness.rooms()[0]["archived"] is True


def test_archive_of_an_unknown_client_is_a_usage_error_and_records_nothing(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`archive NOPE` (not in the journal, no room tagged client:NOPE) exits 2 saying so and leaves
    no journal row or run (the export and `status` are as before; `offboard NOPE` still says "not
    in the journal"); an id differing from a client's only in letter case archives nothing (the
    portal's tag look-up ignores case) and names the client; a client missing from this journal
    whose tagged room is on the portal is still archived."""
    (client,) = make_clients(1)
    assert cli.main(["run", str(write_csv(tmp_path / "c.csv", [client])), *env]) == 0
    capsys.readouterr()
    assert cli.main(["status", *env]) == 0
    runs = capsys.readouterr().out
    assert cli.main(["archive", "NOPE", *env]) == 2
    assert capsys.readouterr().err == (
        "error: no client NOPE: not in the journal and no room tagged client:NOPE on the portal\n"
    )
    assert cli.main(["export", *env]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["client_id"] for r in rows] == [client.client_id]
    assert cli.main(["status", *env]) == 0
    assert capsys.readouterr().out == runs
    assert cli.main(["offboard", "NOPE", *env]) == 2
    assert "not in the journal: NOPE" in capsys.readouterr().err
    wrong_case = client.client_id.lower()  # the portal's tag look-up would find the client's room
    assert cli.main(["archive", wrong_case, *env]) == 2
    assert f"(did you mean {client.client_id}?)" in capsys.readouterr().err
    assert harness.rooms()[0]["archived"] is False
    other = [*env[:-1], str(tmp_path / "other.sqlite3")]  # a journal that never saw the client
    assert cli.main(["archive", client.client_id, *other]) == 0
    assert harness.rooms()[0]["archived"] is True


def test_missing_key_is_a_usage_error(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """Without DOCSPACE_API_KEY or a key file the CLI exits 2 and says how to fix it."""
    monkeypatch.delenv("DOCSPACE_API_KEY", raising=False)
    monkeypatch.setenv("DOCSPACE_DATA_DIR", str(tmp_path))
    sheet = write_csv(tmp_path / "c.csv", make_clients(1))
    assert cli.main(["plan", str(sheet), "--portal", harness.sandbox.url]) == 2
    assert "DOCSPACE_API_KEY" in capsys.readouterr().err


def test_unreadable_spreadsheet_is_a_usage_error(env: list[str], tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A file that is not a spreadsheet exits 2 with the reader's message."""
    bad = tmp_path / "c.csv"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    assert cli.main(["plan", str(bad), *env]) == 2
    assert "error:" in capsys.readouterr().err


def test_key_file_is_read_and_the_key_never_printed(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """--api-key-file works, and the key does not appear in anything the CLI prints."""
    monkeypatch.delenv("DOCSPACE_API_KEY", raising=False)
    monkeypatch.setenv("DOCSPACE_DATA_DIR", str(tmp_path))
    key = tmp_path / "key"
    key.write_text(harness.sandbox.api_key + "\n")
    sheet = write_csv(tmp_path / "c.csv", make_clients(2))
    code = cli.main(["run", str(sheet), "--portal", harness.sandbox.url, "--api-key-file", str(key)])
    captured = capsys.readouterr()
    assert code == 0
    assert harness.sandbox.api_key not in captured.out + captured.err


def test_daily_limit_exit_code_is_3(harness: Harness, env: list[str], tmp_path: Path) -> None:
    """When the daily write limit is hit the CLI exits 3 (deferred)."""
    harness.sandbox.set_limits("daily=10")
    sheet = write_csv(tmp_path / "c.csv", make_clients(3))
    assert cli.main(["run", str(sheet), *env]) == 3


def test_a_retry_is_printed_with_its_reason(harness: Harness, env: list[str], tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A 500 on folder creation is retried, and the CLI's event lines say so with the portal's answer."""
    harness.sandbox.set_faults(
        {
            "rules": [
                {"method": "POST", "path": r"^/api/2.0/files/folder/\d+$", "fault": "error500", "times": 1}
            ]
        }
    )
    sheet = write_csv(tmp_path / "c.csv", make_clients(1))
    assert cli.main(["run", str(sheet), *env]) == 0
    captured = capsys.readouterr()
    (line,) = [ln for ln in (captured.out + captured.err).splitlines() if "\tretry" in ln]
    assert line.startswith("C-0001\tfolders\tretry: folder: POST /api/2.0/files/folder/")
    assert "-> 500" in line and "trying again in" in line


def test_portal_and_journal_given_before_the_command_are_used(
    harness: Harness, env: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`docspace-onboard --portal URL --journal J run …` (the order --help shows) goes to that portal
    and journal, not to $DOCSPACE_URL and the default journal; given after the command they win."""
    monkeypatch.setenv("DOCSPACE_URL", "http://127.0.0.1:1")  # nothing listens: using it fails
    sheet = write_csv(tmp_path / "c.csv", make_clients(2))
    assert cli.main([*env, "run", str(sheet)]) == 0
    assert (tmp_path / "j.sqlite3").exists() and len(harness.rooms()) == 2
    other = tmp_path / "other.sqlite3"
    assert (
        cli.main(
            [
                "--journal",
                str(tmp_path / "unused.sqlite3"),
                "plan",
                str(sheet),
                *env[:2],
                "--journal",
                str(other),
            ]
        )
        == 0
    )
    assert other.exists() and not (tmp_path / "unused.sqlite3").exists()


def test_concurrency_zero_and_a_missing_journal_to_migrate_are_refused(
    env: list[str], tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """`--concurrency 0` is a usage error (it used to run at the default), and `journal migrate`
    from a path with no journal says so instead of copying an empty journal it created there."""
    sheet = write_csv(tmp_path / "c.csv", make_clients(1))
    with pytest.raises(SystemExit) as stop:
        cli.main(["run", str(sheet), *env, "--concurrency", "0"])
    assert stop.value.code == 2 and "from 1 to 15" in capsys.readouterr().err
    missing = tmp_path / "nonexistent.sqlite3"
    code = cli.main(["journal", "migrate", "--from", str(missing), "--to", str(tmp_path / "copy.sqlite3")])
    assert code == 2 and "no journal file" in capsys.readouterr().err
    assert not missing.exists() and not (tmp_path / "copy.sqlite3").exists()


def test_run_exits_1_when_rows_of_the_file_were_refused(
    harness: Harness, env: list[str], tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """A file with a refused row: the valid rows are onboarded, the run says how many rows were
    refused and exits 1 (0 means every row onboarded); with --select naming valid rows, 0."""
    good = make_clients(2)
    sheet = write_csv(tmp_path / "c.csv", good)
    with sheet.open("a", encoding="utf-8") as fh:
        fh.write("BAD-1,Bad Row Ltd,not-an-email,anna.manager@sandbox.example\n")
    assert cli.main(["run", str(sheet), *env]) == 1
    assert "1 row of the file refused" in capsys.readouterr().err
    assert len(harness.rooms()) == 2
    assert cli.main(["run", str(sheet), *env, "--select", good[0].client_id]) == 0


def test_plan_lists_the_rows_the_file_refused_and_exits_1_for_them(
    harness: Harness, env: list[str], tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """`plan --json` names each refused row (row, column, message) and counts them, as `run`
    would not onboard them; the valid rows are planned; the exit code is 1, as for `run`."""
    sheet = write_csv(tmp_path / "c.csv", make_clients(2))
    with sheet.open("a", encoding="utf-8") as fh:
        fh.write("BAD-1,Bad Row Ltd,not-an-email,anna.manager@sandbox.example\n")
    capsys.readouterr()
    assert cli.main(["plan", "--json", str(sheet), *env]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["summary"]["refused_rows"] == 1 and len(report["clients"]) == 2
    (issue,) = [i for i in report["file_issues"] if i["severity"] == "error"]
    assert issue["row"] == 4 and issue["column"] == "E-mail address", issue
    assert "1 row of the file refused (see above): not planned" in captured.err
    assert [r for r in harness.sandbox.request_log() if r["method"] != "GET"] == []


def test_export_to_an_unknown_kind_of_file_or_of_an_unknown_run_is_refused(
    harness: Harness, env: list[str], tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """`export -o out.json` says it cannot tell the format (it used to write CSV into it), and
    `export`/`status --run` with a run the journal lacks say so instead of printing nothing."""
    assert cli.main(["run", str(write_csv(tmp_path / "c.csv", make_clients(1))), *env]) == 0
    capsys.readouterr()
    assert cli.main(["export", *env, "-o", str(tmp_path / "out.json")]) == 2
    assert "'.json'" in capsys.readouterr().err and not (tmp_path / "out.json").exists()
    for command in (["export"], ["status"]):
        assert cli.main([*command, *env, "--run", "bogus"]) == 2
        assert "no run 'bogus'" in capsys.readouterr().err
    assert cli.main(["export", *env, "-o", str(tmp_path / "out.jsonl")]) == 0


def test_export_lists_clients_in_id_order_whatever_touched_them_last(
    harness: Harness, env: list[str], tmp_path: Path
) -> None:
    """K-2 before K-10, and a record touched after the run (here renamed) keeps its place: two
    exports of the same journal compare line by line."""
    clients = [
        Client(f"K-{n}", f"Company {n}", f"c{n}@k{n}.example", "anna.manager@sandbox.example")
        for n in (10, 2, 1)
    ]
    assert cli.main(["run", str(write_csv(tmp_path / "k.csv", clients)), *env]) == 0
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    record = next(r for r in journal.clients() if r.client_id == "K-1")
    journal.upsert_client(record.portal, "K-1", name="Company 1 (renamed)")
    target = tmp_path / "out.csv"
    assert cli.main(["export", "-o", str(target), *env]) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["client_id"] for r in rows] == ["K-1", "K-2", "K-10"]
