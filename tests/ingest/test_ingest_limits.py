"""File-level problems become IngestError subclasses with clear messages, never crashes."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from onboarding.ingest import (
    BinaryContentError,
    CorruptWorkbookError,
    EmptyFileError,
    FileTooLargeError,
    HeaderOnlyError,
    IngestError,
    IngestLimits,
    PasswordProtectedError,
    SuspiciousArchiveError,
    TooManyColumnsError,
    TooManyRowsError,
    UnsupportedFormatError,
    read_table,
)

_SPEC = importlib.util.spec_from_file_location(
    "make_corpus", Path(__file__).resolve().parents[1] / "data" / "ingest" / "make_corpus.py"
)
assert _SPEC is not None and _SPEC.loader is not None
_MAKE_CORPUS = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_MAKE_CORPUS)
cfb = _MAKE_CORPUS.cfb
"""A minimal OLE container naming the given streams (the corpus generator's)."""

Corpus = Callable[[str], bytes]


@pytest.mark.parametrize("name", ["empty.csv", "whitespace_only.csv", "empty.xlsx"])
def test_empty_file(corpus: Corpus, name: str) -> None:
    """No content at all is an EmptyFileError."""
    with pytest.raises(EmptyFileError):
        read_table(corpus(name), name)


@pytest.mark.parametrize("name", ["header_only.csv", "header_then_blank.csv", "header_only.xlsx"])
def test_header_only(corpus: Corpus, name: str) -> None:
    """A header with no client rows is a HeaderOnlyError naming the header row."""
    with pytest.raises(HeaderOnlyError, match="row 1"):
        read_table(corpus(name), name)


def test_file_too_large_is_refused_before_reading() -> None:
    """Bytes over max_file_bytes are refused with the sizes in the message."""
    with pytest.raises(FileTooLargeError, match="limit"):
        read_table(b"x" * 2048, "big.csv", limits=IngestLimits(max_file_bytes=1024))


def test_too_many_csv_rows() -> None:
    """More data rows than max_rows is a TooManyRowsError."""
    data = b"ID,Name\n" + b"".join(b"%d,N\n" % i for i in range(50))
    with pytest.raises(TooManyRowsError, match="10"):
        read_table(data, "rows.csv", limits=IngestLimits(max_rows=10, header_search_rows=5))


def test_row_limit_is_inclusive() -> None:
    """Exactly max_rows data rows is accepted."""
    data = b"ID,Name\n" + b"".join(b"%d,N\n" % i for i in range(10))
    assert len(read_table(data, "rows.csv", limits=IngestLimits(max_rows=10)).rows) == 10


def test_too_many_columns() -> None:
    """More columns than max_columns is a TooManyColumnsError."""
    data = (",".join(f"c{i}" for i in range(20)) + "\n" + ",".join("v" * 20) + "\n").encode()
    with pytest.raises(TooManyColumnsError):
        read_table(data, "wide.csv", limits=IngestLimits(max_columns=10))


@pytest.mark.parametrize(("name", "what"), [("binary.csv", "binary"), ("pdf_renamed.csv", "PDF")])
def test_binary_content_named_csv(corpus: Corpus, name: str, what: str) -> None:
    """A 'CSV' that is binary is refused and the message says why."""
    with pytest.raises(BinaryContentError, match=what):
        read_table(corpus(name), name)


@pytest.mark.parametrize("name", ["corrupt_truncated.xlsx", "text_named.xlsx"])
def test_corrupt_workbook(corpus: Corpus, name: str) -> None:
    """A truncated workbook or a text file named .xlsx is a CorruptWorkbookError."""
    with pytest.raises(CorruptWorkbookError):
        read_table(corpus(name), name)


def test_encrypted_workbook(corpus: Corpus) -> None:
    """An OLE container with an EncryptedPackage stream is reported as password-protected."""
    with pytest.raises(PasswordProtectedError, match="password-protected"):
        read_table(corpus("encrypted.xlsx"), "encrypted.xlsx")


def test_legacy_xls_renamed_xlsx_is_named_as_such(corpus: Corpus) -> None:
    """An unencrypted Excel 97-2003 workbook named .xlsx is called an old .xls with the fix, not 'password-protected or not an xlsx'."""
    with pytest.raises(
        UnsupportedFormatError, match=r"old-style Excel 97-2003 workbook \(\.xls\) under a \.xlsx name"
    ) as err:
        read_table(corpus("ole_not_encrypted.xlsx"), "ole_not_encrypted.xlsx")
    assert "save it as Excel Workbook (.xlsx)" in str(err.value)


def test_legacy_word_document_renamed_xlsx_is_named_as_such() -> None:
    """An old Word .doc named .xlsx is called a Word document."""
    with pytest.raises(UnsupportedFormatError, match=r"Word document \(\.doc\)"):
        read_table(cfb(["WordDocument", "1Table"]), "clients.xlsx")


def test_other_ole_file_named_xlsx() -> None:
    """An OLE file that is neither a workbook nor a Word document says 'password-protected or not an xlsx'."""
    with pytest.raises(PasswordProtectedError, match="password-protected or not an xlsx"):
        read_table(cfb(["PowerPoint Document"]), "clients.xlsx")


@pytest.mark.parametrize(("name", "what"), [("legacy.xls", ".xls"), ("word_renamed.xlsx", "Word")])
def test_unsupported_formats(corpus: Corpus, name: str, what: str) -> None:
    """Legacy .xls and a Word document are refused with a hint."""
    with pytest.raises(UnsupportedFormatError, match=what):
        read_table(corpus(name), name)


def test_unknown_extension() -> None:
    """A text file with an unknown extension lists the supported ones."""
    with pytest.raises(UnsupportedFormatError, match=r"\.xlsx"):
        read_table(b"a,b\n1,2\n", "clients.json")


def test_zip_bomb_refused_by_declared_size(corpus: Corpus) -> None:
    """A workbook expanding to 300 MB is refused before anything is decompressed."""
    with pytest.raises(SuspiciousArchiveError, match=r"300\.0 MB"):
        read_table(corpus("zip_bomb.xlsx"), "zip_bomb.xlsx")


def test_zip_bomb_refused_by_compression_ratio(corpus: Corpus) -> None:
    """A member compressed over 100:1 is refused even under the total size limit."""
    with pytest.raises(SuspiciousArchiveError, match="zip bomb"):
        read_table(corpus("zip_ratio.xlsx"), "zip_ratio.xlsx")


def test_too_many_zip_members(corpus: Corpus) -> None:
    """An archive with more parts than max_zip_members is refused."""
    with pytest.raises(SuspiciousArchiveError, match="parts"):
        read_table(corpus("plain.xlsx"), "plain.xlsx", limits=IngestLimits(max_zip_members=3))


def test_sparse_xlsx_grid_refused_before_parsing(corpus: Corpus) -> None:
    """A value in XFD1048576 is refused from the sheet XML, before calamine allocates the grid."""
    with pytest.raises(TooManyRowsError, match="1,048,576"):
        read_table(corpus("sparse_grid.xlsx"), "sparse_grid.xlsx")


def test_ods_repeated_row_bomb_refused(corpus: Corpus) -> None:
    """A non-empty ODS row repeated a million times is refused before parsing."""
    with pytest.raises(TooManyRowsError, match="1,000,001"):
        read_table(corpus("ods_repeat_bomb.ods"), "ods_repeat_bomb.ods")


def test_every_error_has_a_code_and_message() -> None:
    """IngestError carries a stable code and the user-facing message."""
    with pytest.raises(IngestError) as info:
        read_table(b"", "x.csv")
    assert (info.value.code, str(info.value)) == ("empty_file", info.value.message)
