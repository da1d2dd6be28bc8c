"""The dry run: who is blocked and why, who is invited, and what planning costs — before any write."""

from __future__ import annotations

import threading

import pytest
from support.engine import Client, Harness, make_clients
from support.waiting import wait_until

from onboarding.blueprint import Blueprint
from onboarding.errors import ConfigError
from onboarding.journal import DONE


def test_link_title_with_an_unknown_column_blocks_the_client_and_the_run_finishes(harness: Harness) -> None:
    """A link title naming a column the row lacks blocks the client with that reason; the run is finished."""
    bp = Blueprint.from_dict({"link": {"title": "Invitation for {company}"}})
    engine = harness.engine(bp)
    result = engine.run(make_clients(1))
    assert result.statuses == {"C-0001": "blocked"}
    assert "company" in result.errors["C-0001"]
    (run,) = engine.journal.runs()
    assert run.status == "finished"


def test_client_email_of_the_manager_or_the_key_owner_is_not_invited_twice(harness: Harness) -> None:
    """A client e-mail that is the manager's or the key account's is invited once (or not) and verifies."""
    clients = [
        Client("E-1", "Same As Manager", "anna.manager@sandbox.example", "anna.manager@sandbox.example"),
        Client("E-2", "Same As Owner", "owner@sandbox.example", "anna.manager@sandbox.example"),
    ]
    engine = harness.engine()
    plan = engine.plan(clients)
    assert all(not cp.invite_client for cp in plan.clients)
    result = engine.run(plan)
    assert result.exit_code == 0, result.errors
    again = harness.engine().run(clients)
    assert again.exit_code == 0 and again.count(DONE) == 2


def test_manager_not_eligible_falls_back_to_content_creator(harness: Harness) -> None:
    """A plain user named as manager is warned about in the plan and invited as Content creator."""
    clients = make_clients(1, manager="carl.user@sandbox.example")
    engine = harness.engine()
    plan = engine.plan(clients)
    (cp,) = plan.clients
    assert cp.action == "create"
    assert any("Room manager" in w for w in cp.warnings)
    assert engine.run(plan).exit_code == 0
    (room,) = harness.rooms()
    members = {m["email"]: m["access"] for m in room["members"]}
    assert members["carl.user@sandbox.example"] == 11


def test_manager_not_eligible_with_block_fallback_blocks_the_client(harness: Harness) -> None:
    """With fallback 'block', a plain user as manager blocks the client before any write."""
    clients = make_clients(1, manager="carl.user@sandbox.example")
    result = harness.engine(Blueprint(manager_fallback="block")).run(clients)
    assert result.exit_code == 1
    assert harness.rooms() == []
    assert "Room manager" in result.errors[clients[0].client_id]


def test_unknown_manager_blocks_the_client_with_a_clear_reason(harness: Harness) -> None:
    """A manager e-mail that is no portal user blocks that client only."""
    clients = make_clients(2)
    clients[0] = Client(clients[0].client_id, clients[0].name, clients[0].email, "nobody@nowhere.example")
    result = harness.engine().run(clients)
    assert result.statuses[clients[0].client_id] == "blocked"
    assert "not a user of this portal" in result.errors[clients[0].client_id]
    assert result.statuses[clients[1].client_id] == DONE


def test_key_owner_as_manager_is_not_invited(harness: Harness) -> None:
    """When the manager is the key's own account (the room owner), no invitation is sent for them."""
    clients = make_clients(1, manager="owner@sandbox.example")
    assert harness.engine().run(clients).exit_code == 0
    shares = [
        r for r in harness.sandbox.request_log() if r["method"] == "PUT" and r["path"].endswith("/share")
    ]
    (share,) = shares
    assert [i.get("email") for i in share["body"]["invitations"]] == [clients[0].email]


def test_tag_lookup_costs_one_request_per_hundred_clients(harness: Harness) -> None:
    """Planning 250 clients looks their rooms up in ceil(250/100) = 3 requests."""
    clients = make_clients(250)
    harness.engine().plan(clients)
    lookups = [
        r
        for r in harness.sandbox.request_log()
        if r["method"] == "GET" and r["path"] == "/api/2.0/files/rooms"
    ]
    assert len(lookups) == 3


def test_two_templates_with_the_same_destination_are_refused(harness: Harness) -> None:
    """Two templates copied under one title into one folder are a blueprint error before any write."""
    bp = Blueprint.from_dict(
        {
            "templates": [
                {"source": "@my/Welcome to your client room.pdf"},
                {"source": "@my/Welcome to your client room.pdf"},
            ]
        }
    )
    with pytest.raises(ConfigError, match="two template files"):
        harness.engine(bp).plan(make_clients(1))
    assert harness.writes_logged() == []


def test_ingest_and_the_plan_render_the_same_title_and_tag(harness: Harness) -> None:
    """An uploaded row's room title and tag (with characters the portal replaces) are the ones the plan uses."""
    from onboarding.ingest import load_clients

    bp = Blueprint.from_dict({"title_pattern": "  {name} | {City}: ★ ", "tag_pattern": "crm:{client_id}"})
    sheet = "Client ID,Company,E-mail,City\nA-1,Acme  Ltd,a@acme.example,Oslo/Bergen\n"
    batch = load_clients(sheet.encode(), "c.csv", settings=bp.ingest_settings())
    (row,) = batch.clients
    (cp,) = harness.engine(bp).plan([row]).clients
    assert (cp.title, cp.tag) == (row.room_title, row.room_tag) == ("Acme  Ltd _ Oslo_Bergen_ ★", "crm:A-1")


def test_the_plans_look_ups_go_out_together_and_are_all_counted(harness: Harness) -> None:
    """Managers are looked up alongside the account (one round trip); lookup_reads = the GETs seen.

    The sandbox holds every request: the plan must have the account, both managers' look-ups and
    the rest in flight at once. A manager who is the key's own account is looked up anyway (the
    account was not known yet) and that read is counted.
    """
    clients = [
        Client("P-1", "One Ltd", "one@one.example", "anna.manager@sandbox.example"),
        Client("P-2", "Two Ltd", "two@two.example", "carl.user@sandbox.example"),
        Client("P-3", "Three Ltd", "three@three.example", "owner@sandbox.example"),
    ]
    engine = harness.engine(read_timeout=60)  # no retry of a held request may add to what is in flight
    harness.sandbox.clear_log()
    harness.sandbox.pause()
    plans: list = []
    planning = threading.Thread(target=lambda: plans.append(engine.plan(clients)))
    try:
        planning.start()
        # rooms by tag, the account, the invitation settings, three people, "My documents"
        wait_until(lambda: harness.sandbox.in_flight() >= 7, timeout=10)
    finally:
        harness.sandbox.resume()
    planning.join(30)
    (plan,) = plans
    gets = [r for r in harness.sandbox.request_log() if r["method"] == "GET"]
    assert sum(r["path"].endswith("people/email") for r in gets) == 3
    assert plan.lookup_reads == len(gets)
    assert {cp.client_id: cp.action for cp in plan.clients} == {
        "P-1": "create",
        "P-2": "create",
        "P-3": "create",
    }


def test_an_id_differing_only_in_case_does_not_take_over_another_clients_room(harness: Harness) -> None:
    """Client "c-0001" after "C-0001" was onboarded: DocSpace finds the room tagged client:C-0001 for
    client:c-0001 (tags ignore case), so the client is blocked with that reason; the room keeps its
    members and no second room is made."""
    (first,) = make_clients(1)
    assert harness.engine().run([first]).exit_code == 0
    (room,) = harness.rooms()
    members = {m["email"] for m in room["members"]}
    other = Client("c-0001", "Totally Different Ltd", "someone@different.example", first.manager_email)
    engine = harness.engine()
    plan = engine.plan([other])
    assert plan.clients[0].action == "blocked"
    assert "'client:C-0001'" in plan.clients[0].reasons[0] and "letter case" in plan.clients[0].reasons[0]
    result = engine.run([other])
    assert result.statuses == {"c-0001": "blocked"}
    (after,) = harness.rooms()
    assert {m["email"] for m in after["members"]} == members


def test_an_id_that_only_looks_like_an_onboarded_one_is_blocked_not_given_a_second_room(
    harness: Harness,
) -> None:
    """ "C–0001" (an en dash) and "C-０００1" (full-width digits) after "C-0001" was onboarded in an
    earlier run: their tags differ, so the room would not be found; the plan blocks both, naming
    the earlier ID and the characters, and the run makes no second room. "C-0002" goes through."""
    (first,) = make_clients(1)
    assert harness.engine().run([first]).exit_code == 0
    dash = Client("C\u20130001", first.name, first.email, first.manager_email)
    wide = Client("C-\uff10\uff10\uff101", first.name, first.email, first.manager_email)
    fresh = Client("C-0002", "Fresh Ltd", "fresh@client.example", first.manager_email)
    engine = harness.engine()
    plan = {cp.client_id: cp for cp in engine.plan([dash, wide, fresh]).clients}
    assert plan[dash.client_id].action == "blocked" and plan[wide.client_id].action == "blocked"
    reason = plan[dash.client_id].reasons[0]
    assert "only looks like 'C-0001' (onboarded in the journal)" in reason and "U+2013 (EN DASH)" in reason
    assert plan[dash.client_id].writes == 0 and plan["C-0002"].action == "create"
    result = engine.run([dash, wide, fresh])
    assert result.statuses == {dash.client_id: "blocked", wide.client_id: "blocked", "C-0002": "onboarded"}
    assert sorted(t for r in harness.rooms() for t in r["tags"]) == ["client:C-0001", "client:C-0002"]


def test_a_changed_account_manager_of_a_finished_client_is_said_in_the_plan(harness: Harness) -> None:
    """A finished client whose row now names another manager stays done, and the plan says that
    the room keeps the manager the journal has (it used to pass in silence)."""
    (first,) = make_clients(1)
    assert harness.engine().run([first]).exit_code == 0
    moved = Client(first.client_id, first.name, first.email, "ben.manager@sandbox.example")
    (cp,) = harness.engine().plan([moved]).clients
    assert cp.action == "done"
    assert any("ben.manager@sandbox.example" in w and "keeps anna.manager" in w for w in cp.warnings)


def test_a_replaced_email_that_is_the_managers_keeps_the_manager(harness: Harness) -> None:
    """A client first listed with the manager's own e-mail, then updated to its own address: the
    new address is invited and the manager keeps Room manager access (the replaced address is
    only taken away when it is nobody else's)."""
    manager = "anna.manager@sandbox.example"
    first = Client("M-1", "Same As Manager Ltd", manager, manager)
    assert harness.engine().run([first]).exit_code == 0
    moved = Client("M-1", first.name, "own.address@client.example", manager)
    engine = harness.engine()
    result = engine.run(engine.plan([moved], update=["M-1"]))
    assert result.exit_code == 0, result.errors
    (room,) = harness.rooms()
    members = {m["email"]: m["access"] for m in room["members"]}
    assert members[manager] == 9 and members["own.address@client.example"] == 2
