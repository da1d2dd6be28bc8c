"""Every file of the hostile corpus ends in a specific message or a batch — never a traceback — and
no invalid row reaches the portal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from docspace_sandbox.server import Sandbox
from onboarding import cli
from onboarding.ingest import ClientBatch, IngestError, IngestLimits, IngestSettings, load_clients

CORPUS = Path(__file__).resolve().parents[1] / "data" / "ingest"
FILES = sorted(p for p in CORPUS.iterdir() if p.name != "make_corpus.py")


def _generated(tmp_path: Path) -> list[Path]:
    """Files too large to keep in the repository: 100,000+ rows, and one enormous row."""
    big = tmp_path / "rows_100k.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("Client ID,Company,Email\n")
        for i in range(100_001):
            fh.write(f"ID{i:06d},Company {i},c{i}@x{i % 97}.example\n")
    huge = tmp_path / "huge_row.csv"
    huge.write_text("Client ID,Company,Email\n1," + "A" * 3_000_000 + ",a@b.example\n", encoding="utf-8")
    long_names = tmp_path / "names_500.csv"
    long_names.write_text(
        "Client ID,Company,Email\n" + "".join(f"L{i},{'Ö' * 500},l{i}@x.example\n" for i in range(3)),
        encoding="utf-8",
    )
    return [big, huge, long_names]


def _load(path: Path) -> ClientBatch | IngestError:
    try:
        return load_clients(path.read_bytes(), path.name, settings=IngestSettings(limits=IngestLimits()))
    except IngestError as exc:
        return exc


def test_corpus_has_at_least_forty_files() -> None:
    """The hostile corpus keeps at least 40 files."""
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_each_corpus_file_gives_a_message_or_a_batch(path: Path) -> None:
    """A file either fails with a specific, user-facing message or yields rows, each problem explained."""
    outcome = _load(path)
    if isinstance(outcome, IngestError):
        assert outcome.code and len(str(outcome)) > 15, (path.name, str(outcome))
        assert "Traceback" not in str(outcome)
        return
    bad_rows = {i.row_number for i in outcome.errors if i.row_number is not None}
    assert all(c.row_number not in bad_rows for c in outcome.clients), path.name
    assert all(i.message for i in outcome.issues), path.name


def test_generated_extremes_are_refused_or_flagged(tmp_path: Path) -> None:
    """100,000+ rows and a 3 MB cell are refused with a message; 500-character names are flagged, not crashed on."""
    big, huge, names = _generated(tmp_path)
    for refused in (big, huge):
        outcome = _load(refused)
        if isinstance(outcome, ClientBatch):
            assert not outcome.clients or outcome.errors, refused.name
        else:
            assert outcome.code
    batch = _load(names)
    assert isinstance(batch, ClientBatch)
    assert batch.warnings or batch.errors


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_cli_plan_on_each_corpus_file_never_crashes(
    path: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`plan` on any corpus file exits 0, 1 or 2 with a message; it never writes to the portal."""
    monkeypatch.setenv("DOCSPACE_API_KEY", sandbox.api_key)
    monkeypatch.setenv("DOCSPACE_DATA_DIR", str(tmp_path))
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    code = cli.main(["plan", str(path), "--portal", sandbox.url, "--journal", str(tmp_path / "j.db")])
    assert code in (0, 1, 2), err.getvalue()
    assert "Traceback" not in err.getvalue()
    if code == 2:
        assert "error:" in err.getvalue()
    assert [r for r in sandbox.request_log() if r["method"] != "GET"] == []
