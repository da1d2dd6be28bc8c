"""`plan` shows which blueprint each row gets when the blueprint has segments."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from onboarding import cli

EXAMPLE = Path(__file__).parents[2] / "examples" / "blueprint-segments.toml"
MANAGER = "anna.manager@sandbox.example"


def _sheet(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Client ID", "Company", "E-mail address", "Account manager", "Segment"])
        for cid, segment in rows:
            w.writerow([cid, f"Company {cid}", f"contact@{cid.lower()}.example", MANAGER, segment])
    return path


def test_plan_json_names_each_rows_blueprint(
    env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plan --json` gives "blueprint" per row (segment or default) and blocks an unknown segment by name."""
    sheet = _sheet(tmp_path / "c.csv", [("E-1", "Enterprise"), ("S-1", "SMB"), ("D-1", ""), ("X-1", "Gold")])
    code = cli.main(["plan", "--json", "--blueprint", str(EXAMPLE), str(sheet), *env])
    rows = {r["client_id"]: r for r in json.loads(capsys.readouterr().out)["clients"]}
    assert code == 1  # the unknown segment's row is blocked
    assert {cid: (r["blueprint"], r["action"]) for cid, r in rows.items()} == {
        "E-1": ("Enterprise", "create"),
        "S-1": ("SMB", "create"),
        "D-1": ("default", "create"),
        "X-1": (None, "blocked"),  # no blueprint: its segment is unknown
    }
    assert rows["E-1"]["title"] == "Data room - Company E-1"
    assert rows["S-1"]["title"] == "Client - Company S-1"
    assert "segment 'Gold' in column 'Segment'" in rows["X-1"]["reasons"][0]


def test_plan_text_and_json_show_a_changed_segment(
    env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After an SMB row is onboarded and the file says Enterprise, the plan shows both segments."""
    bp = ["--blueprint", str(EXAMPLE)]
    assert cli.main(["run", *bp, str(_sheet(tmp_path / "a.csv", [("S-1", "SMB")])), *env]) == 0
    moved = str(_sheet(tmp_path / "b.csv", [("S-1", "Enterprise")]))
    capsys.readouterr()
    cli.main(["plan", "--json", *bp, moved, *env])
    (row,) = json.loads(capsys.readouterr().out)["clients"]
    assert (row["action"], row["blueprint"]) == ("done", "Enterprise")
    assert row["segment_change"] == {"journal": "SMB", "row": "Enterprise"}
    cli.main(["plan", *bp, moved, *env])
    out = capsys.readouterr().out
    assert "[Enterprise]" in out and "segment changed from 'SMB' to 'Enterprise'" in out
