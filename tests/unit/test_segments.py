"""Per-segment blueprints: TOML shape, the portal's rules per segment, and routing a row to its blueprint."""

from __future__ import annotations

import pytest

from onboarding.blueprint import Blueprint
from onboarding.docspace import FileShare, RoomType
from onboarding.errors import ConfigError
from onboarding.segments import UnknownSegment

SEGMENTED = """
folders = ["Invoices", "Contracts"]
templates = []

[segments]
column = "Segment"

[segments.Enterprise]
room_type = "virtual data room"
folders = ["Data room", "Contracts"]
[segments.Enterprise.link]
expires_in_days = 30

[segments.SMB]
"""


def _bp() -> Blueprint:
    return Blueprint.from_toml(SEGMENTED)


def test_a_segment_overrides_fields_of_the_default() -> None:
    """Enterprise: VDR, its own folders, the default's link merged with a 30-day expiry."""
    enterprise = _bp().for_segment("Enterprise")
    assert enterprise.room_type == RoomType.VIRTUAL_DATA
    assert enterprise.folders == ["Data room", "Contracts"]
    assert (enterprise.link.expires_in_days, enterprise.link.title) == (30, "Invitation for {name}")
    assert enterprise.segments is None


def test_an_empty_segment_table_is_the_default() -> None:
    """`[segments.SMB]` with no keys gives a blueprint equal to the default's settings."""
    bp = _bp()
    smb = bp.for_segment("SMB")
    assert smb.model_dump(exclude={"segments"}) == bp.model_dump(exclude={"segments"})


@pytest.mark.parametrize(
    ("cells", "segment", "room_type"),
    [
        ({"Segment": "Enterprise"}, "Enterprise", RoomType.VIRTUAL_DATA),
        ({"segment ": "  enterprise "}, "Enterprise", RoomType.VIRTUAL_DATA),
        ({"Segment": "SMB"}, "SMB", RoomType.COLLABORATION),
        ({"Segment": ""}, "", RoomType.COLLABORATION),
        ({"Segment": "Default"}, "", RoomType.COLLABORATION),
        ({"Region": "EU"}, "", RoomType.COLLABORATION),
    ],
    ids=["exact", "case-and-spaces", "smb", "empty-cell", "default-word", "no-column"],
)
def test_a_row_gets_the_blueprint_its_cell_names(cells: dict, segment: str, room_type: RoomType) -> None:
    """The column is matched ignoring case and spaces; an empty cell or no column gives the default."""
    name, bp = _bp().choose(cells)
    assert (name, bp.room_type) == (segment, room_type)


def test_an_unknown_segment_is_refused_with_the_known_ones() -> None:
    """A cell naming no segment raises, quoting the cell, the column and the valid names."""
    with pytest.raises(UnknownSegment, match=r"'Gold' in column 'Segment'.*'Enterprise', 'SMB'"):
        _bp().choose({"Segment": "Gold"})


def test_without_segments_every_row_gets_the_blueprint() -> None:
    """A blueprint without [segments] ignores any Segment column."""
    bp = Blueprint()
    assert bp.choose({"Segment": "Gold"}) == ("", bp)


def test_the_toml_round_trips() -> None:
    """Saving and loading keeps the column and every segment's overrides."""
    bp = _bp()
    again = Blueprint.from_toml(bp.to_toml())
    assert again == bp
    assert again.segments is not None and again.segments.names == ["Enterprise", "SMB"]
    assert again.for_segment("Enterprise").link.expires_in_days == 30


@pytest.mark.parametrize(
    ("segment", "message"),
    [
        (
            "room_type = 8\nclient_role = 5",
            r"segment 'Bad': client role Reviewer \(5\) is not available .*Virtual",
        ),
        ("room_type = 1", r"segment 'Bad': client role .* Form filling room"),
        (
            'room_type = "filling forms"\nclient_role = 7\nmanager_fallback_role = 7\nlink = {access = 7, expires_in_days = 30}',
            r"segment 'Bad': .*primary link",
        ),
        (
            "room_type = 8\nlink = {password = 'secret-pass-1'}",
            r"segment 'Bad': an invitation link cannot have a password",
        ),
        ('tag_pattern = "crm:{client_id}"', r"segment 'Bad' may not change the tag pattern"),
        ("lnk = 1", r"segment 'Bad': lnk: unknown setting"),
        ('[segments.Bad.segments]\ncolumn = "X"', r"segment 'Bad': a segment cannot have segments"),
    ],
    ids=["vdr-role", "forms-role", "primary-link-expiry", "invitation-password", "tag", "misspelt", "nested"],
)
def test_a_segment_that_breaks_a_portal_rule_is_refused(segment: str, message: str) -> None:
    """Each segment is checked like a whole blueprint; the message names the segment and the rule."""
    text = f'[segments]\ncolumn = "Segment"\n[segments.Bad]\n{segment}\n'
    with pytest.raises(ConfigError, match=message):
        Blueprint.from_toml(text)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('column = ""', "names no column"),
        ('column = "S"\nEnterprise = 3', "must be a table"),
        ('column = "S"\n[segments.default]', "cannot name a segment"),
        ('column = "S"\n[segments.smb]\n[segments.SMB]', "differ only in letter case"),
        ("[segments.SMB]", r"segments\.column: Field required"),
    ],
    ids=["empty-column", "not-a-table", "default-name", "case-twins", "no-column"],
)
def test_the_segments_table_itself_is_checked(table: str, message: str) -> None:
    """The column must be named, and each segment must be a distinctly named table."""
    text = table if table.startswith("[") else f"[segments]\n{table}"
    with pytest.raises(ConfigError, match=message):
        Blueprint.from_toml(text)


def test_the_default_roles_are_kept_unless_a_segment_changes_them() -> None:
    """A segment inherits the default's roles (here Editor for the client) and may set its own."""
    bp = Blueprint.from_dict(
        {
            "client_role": 10,
            "segments": {"column": "Tier", "Gold": {"room_type": 8}, "Basic": {"client_role": 2}},
        }
    )
    assert bp.for_segment("Gold").client_role == FileShare.EDITING
    assert bp.for_segment("Basic").client_role == FileShare.READ


def test_a_segment_may_switch_between_a_room_template_and_its_own_contents() -> None:
    """Setting room_template drops the inherited folders and files; setting folders drops an inherited template."""
    bp = Blueprint.from_dict(
        {"segments": {"column": "Segment", "Enterprise": {"room_template": "Data room"}}}
    )
    enterprise = bp.for_segment("Enterprise")
    assert (enterprise.room_template, enterprise.folders, enterprise.templates) == ("Data room", [], [])
    bp = Blueprint.from_dict(
        {"room_template": "42", "segments": {"column": "Segment", "SMB": {"folders": ["Invoices"]}}}
    )
    assert (bp.for_segment("SMB").room_template, bp.for_segment("SMB").folders) == (None, ["Invoices"])
