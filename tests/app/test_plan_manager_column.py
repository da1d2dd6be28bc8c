"""Onboard page: the plan table names the manager the room will have, not only the row's."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest
from support.apptest import onboard_row, table, upload_sample

from onboarding.journal import Journal

BEN = "ben.manager@sandbox.example"


def test_a_kept_manager_is_shown_until_the_room_is_handed_over(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """A finished client whose row names another manager: the table shows the room's manager (Ben)
    as kept, with the file's; after "Hand over" it shows the file's manager and the role she gets."""
    j = journal()
    at = onboard_row(upload_sample(app), j, "CL-1001")
    rec = next(r for r in j.clients() if r.client_id == "CL-1001")
    in_file = rec.manager_email
    j.upsert_client(rec.portal, "CL-1001", manager_email=BEN)
    at.run()
    at.button(key="onboard_refresh_plan").click().run()
    row = table(at, "Action").set_index("Client ID").loc["CL-1001"]
    assert (row["Account manager"], row["Manager access"]) == (BEN, f"kept: the file names {in_file}")
    at.button(key="handover_all").click().run()
    assert not at.exception
    row = table(at, "Action").set_index("Client ID").loc["CL-1001"]
    assert (row["Account manager"], row["Manager access"]) == (in_file, "Room manager")
