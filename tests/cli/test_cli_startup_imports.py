"""What a command-line process imports: modules of other commands and pages stay unloaded.

A ``plan`` or a ``run`` of a CSV list pays for every module it loads before its first request
(issue 16, item 5), so the export's pandas, the CRM webhook (when none is set), the review, the
directory, the workbook readers and the PostgreSQL journal load only where they are used. Each
check runs the command in a fresh interpreter (a test process has imported everything already)
and reads its ``sys.modules``; nothing is timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.engine import Harness, make_clients, write_csv

_PROBE = """
import json, sys
from onboarding.cli import main
try:
    code = main(sys.argv[2:])
except SystemExit as exc:  # --help and usage errors leave through argparse
    code = exc.code
with open(sys.argv[1], "w", encoding="utf-8") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""

NOT_FOR_PLAN_OR_RUN = (
    "email_validator",
    "pandas",
    "psycopg",
    "onboarding.directory",
    "onboarding.invitation",
    "onboarding.journal.postgres",
    "onboarding.review",
    "onboarding.webhook",
    "onboarding.ingest.workbook",
    "onboarding.ingest.xlsx_fast",
)
"""Loaded by other commands and pages (or for a workbook, or an address off the fast path), never
by a plan or a run of a CSV list of plain addresses."""


def _modules(tmp_path: Path, args: list[str]) -> tuple[int, set[str]]:
    """The exit code of ``docspace-onboard <args>`` in a fresh interpreter, and the modules it loaded."""
    report = tmp_path / "modules.json"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(report), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert report.exists(), done.stderr[-2000:]
    found = json.loads(report.read_text(encoding="utf-8"))
    return int(found["code"]), set(found["modules"])


def test_help_loads_neither_pydantic_nor_the_door(tmp_path: Path) -> None:
    """``docspace-onboard --help`` builds its parser without pydantic, the journal or the service."""
    code, loaded = _modules(tmp_path, ["--help"])
    assert code == 0
    assert "onboarding.cli_output" in loaded  # the probe did reach the command line
    assert (
        sorted({"pydantic", "onboarding.journal", "onboarding.service", "onboarding.segments"} & loaded) == []
    )


@pytest.mark.parametrize("command", ["plan", "run"])
def test_plan_and_run_of_a_csv_load_no_other_commands_modules(
    command: str, harness: Harness, env: list[str], tmp_path: Path
) -> None:
    """A ``plan`` and a ``run`` of a CSV list succeed without loading pandas, webhook, review, workbook..."""
    sheet = write_csv(tmp_path / "c.csv", make_clients(2))
    code, loaded = _modules(tmp_path, [command, str(sheet), *env])
    assert code == 0
    assert "onboarding.service" in loaded  # the probe did reach the door
    assert sorted(set(NOT_FOR_PLAN_OR_RUN) & loaded) == []
