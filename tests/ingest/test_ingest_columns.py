"""Validation a column at a time: same verdicts as row by row, bad rows named, rows built without re-validation."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import pytest

from onboarding.ingest import ClientRow, IngestSettings, load_clients
from onboarding.ingest.columns import check_columns
from onboarding.ingest.models import checked_rows
from onboarding.ingest.rows import check_row

MIXED = [
    {"client_id": "C-1", "name": "Acme", "email": "a@example.com", "manager_email": ""},
    {"client_id": " ", "name": "", "email": "nope", "manager_email": "bad@"},
    {"client_id": "C-3", "name": " Beta ", "email": " Info@Example.COM ", "manager_email": "M@Corp.example"},
    {"client_id": "", "name": "Gamma", "email": "", "manager_email": "m@corp.example"},
    {"client_id": "C-5", "name": "Delta", "email": "x@bücher.de", "manager_email": "x@localhost"},
    {"client_id": "C-6", "name": "Eps", "email": "a@example.com", "manager_email": ""},
]


@pytest.mark.parametrize(
    ("key", "email_required"), [("client_id", True), ("client_id", False), ("email", True), ("email", False)]
)
def test_a_column_check_gives_each_row_its_own_verdict(key: str, email_required: bool) -> None:
    """Checking six mixed rows as columns gives, row by row, what checking each row alone gives."""
    fields = ("client_id", "name", "email", "manager_email")
    columns = {f: [row[f] for row in MIXED] for f in fields}
    together = check_columns(columns, len(MIXED), email_required=email_required, key=key)  # type: ignore[arg-type]
    for position, row in enumerate(MIXED):
        alone, problems = check_row(row, email_required=email_required, key=key)
        assert together.problems.get(position, []) == problems
        if alone is not None:
            assert {f: together.cleaned(f)[position] for f in fields} == alone  # type: ignore[arg-type]
    assert set(together.problems) == {1, 3, 4}


def test_checked_rows_equal_validated_rows() -> None:
    """Rows built without validation equal ClientRow(**fields): fields, dump, fields set, copies, JSON."""
    fields = {
        "row_number": 7,
        "client_id": "C-7",
        "name": "Acme",
        "email": "a@example.com",
        "manager_email": None,
        "extra": {"Country": "DE"},
        "room_title": "Client - Acme",
        "room_tag": "client:C-7",
    }
    [built] = checked_rows([dict(fields)])
    validated = ClientRow(**fields)
    assert built == validated
    assert built.model_dump() == validated.model_dump()
    assert built.model_fields_set == validated.model_fields_set
    assert built.model_copy(update={"name": "B"}).name == "B" and built.name == "Acme"
    assert ClientRow.model_validate_json(built.model_dump_json()) == validated


def test_bad_rows_among_thousands_are_named_and_the_rest_go_through() -> None:
    """In 3,000 rows, each bad row gets its message naming row and column; every other row is imported intact."""
    lines = ["Client ID,Company,Email,Country"] + [
        f"C-{i},Company {i},c{i}@example.com,DE" for i in range(3000)
    ]
    lines[1] = "C-0,Company 0,not-an-address,DE"  # first row (sheet row 2)
    lines[1500] = "C-1499,,c1499@example.com,DE"  # blank name (row 1501)
    lines[2000] = "c-5,Company dup,d@example.com,DE"  # repeats C-5 (row 2001)
    lines[3000] = "C-2999,Comp\x1bany,c2999@example.com,DE"  # control character (row 3001)
    batch = load_clients("\n".join(lines).encode(), "c.csv")
    found = [(i.row_number, i.column, i.code) for i in batch.errors]
    assert found == [
        (2, "Email", "invalid_email"),
        (1501, "Company", "required"),
        (2001, "Client ID", "duplicate_key"),
        (3001, "Company", "control_characters"),
    ]
    assert "row 7" in batch.errors[2].message  # C-5 is on sheet row 7
    assert len(batch.clients) == 2996
    for client in batch.clients:
        i = int(client.client_id[2:])
        assert (client.row_number, client.email, client.name) == (i + 2, f"c{i}@example.com", f"Company {i}")
        assert client.extra == {"Country": "DE"} and client.room_title == f"Client - Company {i}"


@pytest.mark.parametrize("enabled", [True, False])
def test_validation_leaves_garbage_collection_as_it_found_it(enabled: bool) -> None:
    """Collection is paused while a sheet is checked, and switched back on only if it was on."""
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        load_clients(b"ID,Company,Email\n1,A,a@example.com\n", "x.csv")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_validation_imports_no_pandas_until_the_preview_is_shown() -> None:
    """The CLI never shows the preview, so loading a sheet must not import pandas (about 0.5 s); the preview still works."""
    code = textwrap.dedent(
        """
        import sys
        from onboarding.ingest import load_clients
        batch = load_clients(b"ID,Company,Email\\n1,Acme,a@example.com\\n2,,b@example.com\\n", "x.csv")
        assert len(batch.clients) == 1, batch.issues
        assert "pandas" not in sys.modules, "pandas imported by validation"
        preview = batch.preview
        assert list(preview["_status"]) == ["valid", "error"] and preview is batch.preview
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_batch_keeps_a_preview_frame_it_is_given() -> None:
    """ClientBatch(preview=<DataFrame>) still works as before: the frame is the preview."""
    import pandas as pd

    from onboarding.ingest import ClientBatch

    batch = load_clients(b"ID,Company,Email\n1,A,a@example.com\n", "x.csv", settings=IngestSettings())
    frame = pd.DataFrame({"_row": [2]})
    copy = ClientBatch(preview=frame, **{f: getattr(batch, f) for f in ClientBatch.model_fields})
    assert copy.preview is frame and copy.clients == batch.clients
