"""The in-process XLSX reader gives exactly the parsing child's rows, or declines so the child reads.

Every workbook here goes through both readers: the example files, the generated hostile
workbooks, and odd-but-valid sheets (rich text, phonetic runs, entities, formulas, booleans,
styles, empty and out-of-order cells). The child (calamine) is the reference.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

import pytest

from onboarding.ingest import IngestError, IngestLimits, read_table
from onboarding.ingest.archive import open_archive
from onboarding.ingest.workbook import read_in_child
from onboarding.ingest.xlsx_fast import fast_read

_DATA = Path(__file__).resolve().parents[1] / "data"
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile_workbooks", _DATA / "hostile_workbooks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


HW = _generator()
_STYLES = (
    f'<styleSheet {_NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="0.00&quot;x&quot;"/></numFmts>'
    '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="4"/><xf numFmtId="164"/></cellXfs>'
    "</styleSheet>"
)
_SST = (
    f'<sst {_NS} count="9" uniqueCount="9">'
    "<si><t>Client ID</t></si><si><t>Company</t></si><si><t>E-mail address</t></si>"
    "<si><t>  C-1 \n</t></si>"
    '<si><r><rPr><b/><sz val="11"/><rFont val="Calibri"/></rPr><t>Acme</t></r><r><t xml:space="preserve"> Ltd </t></r>'
    '<rPh sb="0" eb="1"><t>ak</t></rPh><phoneticPr fontId="1"/></si>'
    "<si><t>office@acme.example</t></si>"
    "<si><t>R&amp;D &lt;x&gt; &#233;&#x20AC;</t></si>"
    "<si><t>line\r\nbreak\rhere</t></si>"
    "<si/>"
    "</sst>"
)


def _header() -> str:
    return (
        '<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c></row>\n  '
        '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" s="0" t="s"><v>4</v></c><c r="C2" t="s"><v>5</v></c></row>'
    )


ODD_FAST = {
    "shared_strings": HW.xlsx(
        _header() + '<row r="3"><c r="A3" t="s"><v>6</v></c><c r="B3" t="s"><v>7</v></c>'
        '<c r="C3" t="s"><v>8</v></c></row>',
        shared_strings=_SST,
    ),
    "inline_kinds": HW.xlsx(
        _header() + '<row r="4"><c r="A4" t="inlineStr"><is><t xml:space="preserve">  kept  </t></is></c>'
        '<c r="B4" t="inlineStr"><is><r><t>rich</t></r><r><rPr><i/></rPr><t xml:space="preserve"> text</t></r></is></c>'
        '<c r="C4" t="inlineStr"><is><t>a &amp; b&#10;c</t></is></c></row>',
        shared_strings=_SST,
    ),
    "numbers_and_formulas": HW.xlsx(
        _header()
        + '<row r="5"><c r="A5"><v>1</v></c><c r="B5" s="0"><v>1.50</v></c><c r="C5" s="2"><v>-0</v></c>'
        '<c r="D5" t="n"><v>1e3</v></c><c r="E5"><v>123456789012345678</v></c><c r="F5"><v>.5</v></c>'
        '<c r="G5" s="99"><v>0.1</v></c></row>'
        '<row r="6"><c r="A6" t="b"><v>1</v></c><c r="B6" t="b"><v>0</v></c>'
        '<c r="C6" t="str"><f>CONCAT("a","b")</f><v>a&amp;b</v></c><c r="D6"><f>1+1</f><v>2</v></c>'
        '<c r="E6"><f t="shared" si="0"/><v>3</v></c><c r="F6" t="str"><v></v></c><c r="G6"><v></v></c></row>',
        shared_strings=_SST,
        styles=_STYLES,
    ),
    "empty_and_unordered": HW.xlsx(
        _header()
        + '<row r="8"><c r="C8" t="inlineStr"><is><t>third</t></is></c><c r="A8" t="inlineStr"><is><t>first</t></is></c>'
        '<c r="B8" s="1"/><c r="D8" t="inlineStr"><v>ignored</v></c></row>'
        '<row r="9"><c r="A9" t="inlineStr"><is><t>old</t></is></c><c r="A9" t="inlineStr"><is><t>new</t></is></c></row>'
        '<row r="12" ht="20" customHeight="1"/><row r="11"><c r="E11" s="1"/></row>',
        shared_strings=_SST,
    ),
    "whitespace_between_tags": HW.xlsx(
        "\n  "
        + _header()
        .replace("</c><c", "</c>\n\t<c")
        .replace('"><c', '">\r\n <c')
        .replace("</c></row>", "</c>\n</row>"),
        shared_strings=_SST,
    ),
}
_PLAIN_SST = (
    f'<sst {_NS} count="6" uniqueCount="6">'
    "<si><t>Client ID</t></si><si><t>Company</t></si><si><t>E-mail address</t></si>"
    "<si><t> C-1\n</t></si><si><t>Acme Ltd</t></si><si><t>office@acme.example</t></si></sst>"
)
ODD_FAST["plain_shared_strings"] = HW.xlsx(_header(), shared_strings=_PLAIN_SST)
ODD_FAST["plain_shared_strings_escaped"] = HW.xlsx(
    _header(), shared_strings=_PLAIN_SST.replace("Acme Ltd", "Acme &amp; Sons&#10;Ltd")
)
ODD_FAST["shared_string_index_as_inline"] = HW.xlsx(
    _header()
    + '<row r="3"><c r="A3" t="s"><is><t>inline wins</t></is></c><c r="B3" t="s"><v>1</v></c></row>',
    shared_strings=_PLAIN_SST,
)
ODD_DECLINED = {
    "error_value": HW.xlsx(_header() + '<row r="3"><c r="A3" t="e"><v>#DIV/0!</v></c></row>', shared_strings=_SST),
    "iso_date": HW.xlsx(_header() + '<row r="3"><c r="A3" t="d"><v>2024-01-02</v></c></row>', shared_strings=_SST),
    "no_reference": HW.xlsx(_header() + '<row r="3"><c t="inlineStr"><is><t>x</t></is></c></row>',
                            shared_strings=_SST),
    "excel_escape": HW.xlsx(_header() + '<row r="3"><c r="A3" t="inlineStr"><is><t>a_x000D_b</t></is></c></row>',
                            shared_strings=_SST),
    "unknown_entity": HW.xlsx(_header() + '<row r="3"><c r="A3" t="inlineStr"><is><t>&nbsp;</t></is></c></row>',
                              shared_strings=_SST),
    "index_with_leading_zero": HW.xlsx(_header() + '<row r="3"><c r="A3" t="s"><v>01</v></c></row>',
                                       shared_strings=_PLAIN_SST),
    "doctype": HW.xlsx(_header(), shared_strings=_SST).replace(b"", b""),
}  # fmt: skip


def _patched(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    """The same workbook with ``old`` replaced by ``new`` (once) in one part."""
    import zipfile

    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info, body.replace(old, new, 1) if info.filename == part else body)
    return out.getvalue()


def _with_doctype(data: bytes) -> bytes:
    """The same workbook with an entity-declaring DOCTYPE in the sheet (which must never be expanded here)."""
    return _patched(
        data, "xl/worksheets/sheet1.xml", b"<worksheet", b'<!DOCTYPE w [<!ENTITY e "boom">]><worksheet'
    )


ODD_DECLINED["doctype"] = _with_doctype(ODD_DECLINED["doctype"])
# Inputs that would make a backtracking pattern take forever: declined at once instead.
ODD_DECLINED["spaces_then_junk"] = HW.xlsx(_header() + " " * 200_000 + "junk", shared_strings=_SST)
ODD_DECLINED["long_number"] = HW.xlsx(_header() + f'<row r="3"><c r="A3"><v>{"1" * 20_000}x</v></c></row>',
                                      shared_strings=_SST)  # fmt: skip
EXAMPLES = sorted(p.name for p in (_DATA / "ingest").iterdir() if p.suffix in (".xlsx", ".xlsm"))
HOSTILE = [c for c in HW.cases() if c.name.endswith(".xlsx")]


def _both(data: bytes, sheet: str | None = None) -> tuple[object, object]:
    """``(fast, child)``: the fast reader's answer (``None``: declined) and the child's rows or error."""
    try:
        archive = open_archive(data, "book.xlsx", IngestLimits())
    except IngestError as exc:
        return None, type(exc)
    fast = fast_read(archive, sheet)
    try:
        child: object = read_in_child(data, archive, sheet)
    except IngestError as exc:
        child = (type(exc), exc.message)
    return fast, child


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_workbooks_read_the_same(name: str) -> None:
    """Each example workbook: the fast reader declines or returns the child's rows, sheet and sheet list."""
    fast, child = _both((_DATA / "ingest" / name).read_bytes())
    assert fast is None or fast == child


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_hostile_workbooks_are_left_to_the_child_or_read_the_same(case: object) -> None:
    """Each hostile workbook: declined (the child refuses it, under its caps) or read exactly as the child reads it."""
    fast, child = _both(case.data)  # type: ignore[attr-defined]
    assert fast is None or fast == child
    if not case.readable:  # type: ignore[attr-defined]
        assert fast is None


@pytest.mark.parametrize("name", sorted(ODD_FAST))
def test_odd_but_ordinary_sheets_are_read_here_exactly(name: str) -> None:
    """Rich text, entities, formulas, booleans, styles, empty and repeated cells: read here, same rows as the child."""
    fast, child = _both(ODD_FAST[name])
    assert fast is not None, "the fast reader declined a sheet it is meant to read"
    assert fast == child


@pytest.mark.parametrize("name", sorted(ODD_DECLINED))
def test_features_the_fast_reader_cannot_promise_go_to_the_child(name: str) -> None:
    """Custom formats, errors, unreferenced cells, _xHHHH_ escapes, unknown entities, a DOCTYPE: declined."""
    fast, _ = _both(ODD_DECLINED[name])
    assert fast is None


def test_every_sheet_of_a_workbook_is_chosen_as_the_child_chooses(corpus: object) -> None:
    """Sheet choice by name (and the default: first visible) matches the child for every sheet, hidden ones too."""
    data = (_DATA / "ingest" / "multi_sheet.xlsx").read_bytes()
    for sheet in (None, "Lookup", "Active clients", "Prospects"):
        fast, child = _both(data, sheet)
        assert fast is not None and fast == child, sheet
    assert _both(data, "Nope")[0] is None  # the child names the sheets in its message


def test_openpyxl_workbooks_read_here() -> None:
    """What openpyxl writes (the benchmark's workbook), with a title row and a blank row, is read here exactly."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Clients")
    ws.append(["Client list export"])
    ws.append([])
    ws.append(["Client ID", "Company", "E-mail address", "Since", "Seats", "Active"])
    for i in range(40):
        ws.append([f"{i:05d}", f"Company {i} & Co", f"c{i}@example.com", "2020-01-02", i * 1.5, i % 2 == 0])
    out = io.BytesIO()
    wb.save(out)
    fast, child = _both(out.getvalue())
    assert fast is not None and fast == child


def test_read_table_uses_the_fast_reader_without_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """An ordinary workbook is read without starting the parsing child."""
    started: list[object] = []
    monkeypatch.setattr("onboarding.ingest.workbook.subprocess.Popen", lambda *a, **k: started.append(a))
    table = read_table(ODD_FAST["shared_strings"], "book.xlsx")
    assert started == []
    assert table.rows[0] == ["C-1", "Acme Ltd ", "office@acme.example"]
    assert table.rows[1] == ["R&D <x> é€", "line\nbreak\nhere", ""]


_DATE_STYLES = (
    f"<styleSheet {_NS}><cellXfs>"
    + "".join(f'<xf numFmtId="{n}"/>' for n in (0, 14, 22, 46, 20, 47, 45, 17))
    + "</cellXfs></styleSheet>"
)
_SERIALS = [0.0, 1e-9, 0.5, 0.999999, 1.0, 1.5, 59.0, 59.5, 60.0, 60.25, 61.0, 366.0, 43831.0, 43831.604166666664,
            44256.5, 45000.999999999, 2958465.0, 2958465.9999999, 2958466.0, 1e7, -0.25, -1.0, -600000.0,
            0.5 / 86_400_000, 1.5 / 86_400_000, 2.5 / 86_400_000, 44000 + 0.5 / 86_400_000]  # fmt: skip


def _date_book(values: list[float]) -> bytes:
    cells = "".join(
        f'<row r="{i + 3}">'
        + "".join(f'<c r="{col}{i + 3}" s="{s}"><v>{v!r}</v></c>' for s, col in enumerate("ABCDEFGH"))
        + "</row>"
        for i, v in enumerate(values)
    )
    return HW.xlsx(_header() + cells, shared_strings=_SST, styles=_DATE_STYLES)


@pytest.mark.parametrize("epoch_1904", [False, True])
def test_dates_times_and_durations_render_as_the_child_renders_them(epoch_1904: bool) -> None:
    """Serial numbers in the built-in date, time and duration formats (1900 and 1904 epochs) give the child's text."""
    import random

    rng = random.Random(1904 if epoch_1904 else 1900)
    values = (
        _SERIALS
        + [rng.uniform(-100, 80_000) for _ in range(150)]
        + [float(rng.randrange(1, 80_000)) for _ in range(50)]
    )
    data = _date_book(values)
    if epoch_1904:
        data = _patched(data, "xl/workbook.xml", b"<sheets>", b'<workbookPr date1904="1"/><sheets>')
    fast, child = _both(data)
    assert fast is not None, "the fast reader declined built-in date formats"
    assert fast == child


_FORMAT_CODES = [
    "yyyy-mm-dd", "dd.mm.yyyy", "yyyy-mm-dd h:mm:ss", "[$-409]mmmm d, yyyy", "DD/MM/YY", "H:MM:SS;@", "m\"M\"d\"D\";@",
    "0.00", "#,##0", "0%", "0.00E+00", "@", "General", "0.00_);(0.00)", "[Red]0.00", "#,##0.00 \"EUR\"", ";;;",
    "[>=100]0;0", "[h]:mm:ss", "[mm]:ss", "[ss].000", "[h]", "[Blue]\\+[h]:mm;[Red]\\-[h]:mm", "mm:ss", "h:mm AM/PM",
    "a", "AM/PM", "A/P", "\\Y000000", "#,##0.0####\" YMD\"", "\"Y: \"0.00\"m\";\"Y: \"-0.00\"m\"", "[$-404]e\"x\"m",
    "0_ ;[Red]\\-0\\ ", "[[h]]", "[hh]:mm", "[hH]:mm", "[h]]", "]h", "*0.00", "_(* #,##0_)", "[$€-2] #,##0.00",
    "é[h]", "[é]m", "Ä", "yyyy\"年\"m\"月\"d\"日\"",
]  # fmt: skip


def test_custom_number_formats_are_read_as_the_child_reads_them() -> None:
    """Custom formats (dates, times, elapsed times, numbers, quoted and escaped text) give the child's text for each value."""
    from xml.sax.saxutils import quoteattr

    fmts = "".join(
        f"<numFmt numFmtId={quoteattr(str(164 + i))} formatCode={quoteattr(code)}/>"
        for i, code in enumerate(_FORMAT_CODES)
    )
    xfs = "".join(f'<xf numFmtId="{164 + i}"/>' for i in range(len(_FORMAT_CODES)))
    styles = f"<styleSheet {_NS}><numFmts>{fmts}</numFmts><cellXfs>{xfs}</cellXfs></styleSheet>"
    rows = "".join(
        f'<row r="{n + 3}">'
        + "".join(f'<c r="{t_col(i)}{n + 3}" s="{i}"><v>{v!r}</v></c>' for i in range(len(_FORMAT_CODES)))
        + "</row>"
        for n, v in enumerate([0.25, 1.0, 45000.5, 2.75])
    )
    fast, child = _both(HW.xlsx(_header() + rows, shared_strings=_SST, styles=styles))
    assert fast is not None, "the fast reader declined custom formats"
    assert fast == child


def t_col(index: int) -> str:
    from onboarding.ingest.reader import column_letter

    return column_letter(index)


_POOL = "abcXYZ019 .,;:-@&<>\"'\n\té€日😀\u00a0"


def _random_text(rng: object) -> str:
    import random

    assert isinstance(rng, random.Random)
    text = "".join(rng.choice(_POOL) for _ in range(rng.randrange(0, 12)))
    return text.replace("\n", "\r\n") if rng.random() < 0.1 else text


def _xml_text(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text)


_CELL_KINDS = [
    '<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>',
    '<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>',
    '<c r="{ref}" t="s"><v>{index}</v></c>',
    '<c r="{ref}" s="{style}"><v>{number}</v></c>',
    '<c r="{ref}" t="b"><v>{bit}</v></c>',
    '<c r="{ref}" t="str"><f>A1&amp;"x"</f><v>{text}</v></c>',
    '<c r="{ref}"><f>1+1</f><v>{small}</v></c>',
    '<c r="{ref}" s="{style}"/>',
    '<c r="{ref}" s="{style}"><v>{serial}</v></c>',
]
"""Every kind of cell the fast reader knows, filled with random values by :func:`_random_book`."""


def _random_book(seed: int) -> bytes:
    """A workbook of random cells in every kind the fast reader knows, with random shapes around them."""
    import random

    rng = random.Random(seed)
    items = [_random_text(rng) for _ in range(30)]
    sst = "".join(
        f"<si><t>{_xml_text(t)}</t></si>" if rng.random() < 0.7 else
        f'<si><r><t xml:space="preserve">{_xml_text(t)}</t></r><r><rPr><b/></rPr><t>{_xml_text(t[:3])}</t></r>'
        f"<rPh sb=\"0\" eb=\"1\"><t>x</t></rPh></si>"
        for t in items
    )  # fmt: skip
    shared = f'<sst {_NS} count="{len(items)}" uniqueCount="{len(items)}">{sst}</sst>'

    def cell(ref: str) -> str:
        number = rng.choice(
            [str(rng.randrange(-(10**6), 10**6)), repr(rng.uniform(-1e6, 1e6)), f"{rng.random():.3e}"]
        )
        return _CELL_KINDS[rng.randrange(len(_CELL_KINDS))].format(
            ref=ref, text=_xml_text(_random_text(rng)), index=rng.randrange(len(items)), number=number,
            bit=rng.randrange(2), small=rng.randrange(100), style=rng.randrange(8), serial=repr(rng.uniform(0, 60000)),
        )  # fmt: skip

    from onboarding.ingest.reader import column_letter

    rows = []
    for r in sorted(rng.sample(range(3, 40), 12)):
        cols = sorted(rng.sample(range(8), rng.randrange(1, 8)))
        rows.append(f'<row r="{r}">' + "".join(cell(f"{column_letter(c)}{r}") for c in cols) + "</row>")
    codes = ["yyyy-mm-dd", "0.00", "[h]:mm", "d/m/yy h:mm"]
    fmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{c}"/>' for i, c in enumerate(codes))
    ids = [0, 14, 22, 46, 164, 165, 166, 167]
    xfs = "".join(f'<xf numFmtId="{i}"/>' for i in ids)
    styles = f"<styleSheet {_NS}><numFmts>{fmts}</numFmts><cellXfs>{xfs}</cellXfs></styleSheet>"
    return HW.xlsx(_header() + "".join(rows), shared_strings=shared, styles=styles)


def test_random_sheets_read_the_same_as_the_child() -> None:
    """30 seeded random sheets (strings with entities, line breaks, emoji; numbers, dates, booleans, formulas): same rows."""
    fast_count = 0
    for seed in range(30):
        fast, child = _both(_random_book(seed))
        assert fast is None or fast == child, seed
        fast_count += fast is not None
    assert fast_count >= 25, "the fast reader declined most random sheets"
