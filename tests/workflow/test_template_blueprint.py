"""A blueprint naming a room template: one write per room, the rest as usual, exactly once."""

from __future__ import annotations

import re

import pytest
from support.engine import Client, Harness, make_clients
from support.room_templates import make_template
from support.sandbox_api import Api

from onboarding.blueprint import Blueprint
from onboarding.errors import ConfigError

FROM_TEMPLATE = "/api/2.0/files/rooms/fromTemplate"
CONTENTS = ["Contracts", "Invoices"]
WELCOME = ["Welcome to your client room.pdf"]


def _template(harness: Harness, title: str = "Client room", room_type: int = 2) -> int:
    template_id = make_template(Api(harness.sandbox), title, room_type=room_type)
    harness.sandbox.clear_log()
    return template_id


def _blueprint(template: int | str) -> Blueprint:
    return Blueprint.from_dict({"room_template": str(template)})


def _rooms_of(harness: Harness, clients: list[Client]) -> dict[str, list[dict]]:
    rooms = harness.rooms()
    return {c.client_id: [r for r in rooms if f"client:{c.client_id}" in r["tags"]] for c in clients}


def _assert_one_full_room_each(harness: Harness, clients: list[Client]) -> None:
    for client_id, rooms in _rooms_of(harness, clients).items():
        assert len(rooms) == 1, (client_id, len(rooms))
        room = rooms[0]
        assert sorted(f["title"] for f in room["folders"]) == CONTENTS, client_id
        assert room["files"] == WELCOME, client_id
        assert any(m["email"] == "anna.manager@sandbox.example" for m in room["members"]), client_id
        assert len([lk for lk in room["links"] if lk["linkType"] == 0]) == 1, client_id


def _posts(harness: Harness, path: str) -> int:
    return sum(1 for r in harness.sandbox.request_log() if r["method"] == "POST" and r["path"] == path)


def test_rooms_come_from_the_template_with_one_write_each(harness: Harness) -> None:
    """Each client gets one room with the template's folders and file, the manager, the client
    invited and a link; the room costs one write (no create-room, folder or copy calls)."""
    template_id = _template(harness)
    clients = make_clients(3)
    result = harness.engine(_blueprint(template_id)).run(clients)
    assert result.exit_code == 0, result.errors
    _assert_one_full_room_each(harness, clients)
    log = harness.sandbox.request_log()
    writes = [r for r in log if r["method"] in ("POST", "PUT", "DELETE")]
    assert _posts(harness, FROM_TEMPLATE) == 3
    assert not [r for r in writes if re.search(r"files/(rooms|folder/\d+|file/\d+/copyas)$", r["path"])]
    assert len(writes) == 3 * 3  # room from template, share, link


def test_the_template_is_found_by_its_title(harness: Harness) -> None:
    """``room_template`` may be the template's title; the run resolves it to its id."""
    _template(harness, "Onboarding room")
    result = harness.engine(_blueprint("Onboarding room")).run(make_clients(1))
    assert result.exit_code == 0, result.errors


@pytest.mark.parametrize(
    ("name", "message"),
    [("No such template", "no room template is titled 'No such template'"), ("99999", "does not exist")],
    ids=["title", "id"],
)
def test_an_unknown_template_is_refused_before_any_write(harness: Harness, name: str, message: str) -> None:
    """A template that is not on the portal stops the plan with a specific message and no write."""
    _template(harness)
    with pytest.raises(ConfigError, match=message):
        harness.engine(_blueprint(name)).plan(make_clients(1))
    assert not [r for r in harness.sandbox.request_log() if r["method"] != "GET"]


def test_a_template_of_another_room_type_is_refused(harness: Harness) -> None:
    """A Custom-room template under a Collaboration blueprint is refused, naming both types."""
    template_id = _template(harness, room_type=5)
    with pytest.raises(
        ConfigError, match="makes a Custom room, but the blueprint's room type is Collaboration"
    ):
        harness.engine(_blueprint(template_id)).plan(make_clients(1))


def test_a_room_is_not_a_template(harness: Harness) -> None:
    """The id of an ordinary room is refused: it is not in the Templates section."""
    room = Api(harness.sandbox).room()
    with pytest.raises(ConfigError, match="is not a room template"):
        harness.engine(_blueprint(room["id"])).plan(make_clients(1))


def test_a_lost_start_answer_is_settled_not_repeated(harness: Harness) -> None:
    """Chaos: the start's answer is dropped (the job was queued); the run waits for the tenant's
    job, finds the room by its tag and never starts a second job for the client."""
    template_id = _template(harness)
    harness.sandbox.backend.op_delay_s = 3600  # jobs end on status polls only: still running when looked for
    harness.sandbox.set_faults(
        {"rules": [{"method": "POST", "path": "fromTemplate$", "fault": "drop", "times": 1}]}
    )
    clients = make_clients(2)
    result = harness.engine(_blueprint(template_id)).run(clients)
    assert result.exit_code == 0, result.errors
    _assert_one_full_room_each(harness, clients)
    assert _posts(harness, FROM_TEMPLATE) == 2
    assert result.stats["retries"] >= 1


def test_a_job_lost_half_way_is_found_and_finished(harness: Harness) -> None:
    """A job whose worker died half way (room tagged, file copied, no folders, no status) is found
    by the next run by its tag and its missing folders are made; no second job, no second room."""
    template_id = _template(harness)
    harness.sandbox.backend.op_delay_s = 3600
    api = Api(harness.sandbox)
    [client] = make_clients(1)
    body = {
        "templateId": template_id,
        "title": f"Client - {client.name}",
        "tags": [f"client:{client.client_id}"],
    }
    assert api.post("files/rooms/fromTemplate", json=body).status_code == 200
    api.session.post(f"{harness.sandbox.url}/__sandbox__/templates/crash", json={})
    harness.sandbox.clear_log()
    result = harness.engine(_blueprint(template_id)).run([client])
    assert result.exit_code == 0, result.errors
    _assert_one_full_room_each(harness, [client])
    assert _posts(harness, FROM_TEMPLATE) == 0


def test_another_callers_job_does_not_become_the_clients_room(harness: Harness) -> None:
    """Single flight: while someone else's job runs, our start is swallowed (the answer is theirs);
    the run sees the finished room is not the client's and starts its own job afterwards."""
    template_id = _template(harness)
    harness.sandbox.backend.op_delay_s = 3600
    api = Api(harness.sandbox)
    foreign = {"templateId": template_id, "title": "Someone else's room", "tags": ["other:1"]}
    assert api.post("files/rooms/fromTemplate", json=foreign).status_code == 200
    clients = make_clients(1)
    result = harness.engine(_blueprint(template_id)).run(clients)
    assert result.exit_code == 0, result.errors
    _assert_one_full_room_each(harness, clients)
    titles = [r["title"] for r in harness.rooms()]
    assert titles.count("Someone else's room") == 1
    assert _posts(harness, FROM_TEMPLATE) == 3  # the foreign start, ours swallowed, ours again


def test_a_second_run_finds_every_room_and_writes_nothing(harness: Harness) -> None:
    """Re-running a template batch starts no job and writes nothing: every client is done."""
    template_id = _template(harness)
    clients = make_clients(3)
    assert harness.engine(_blueprint(template_id)).run(clients).exit_code == 0
    harness.sandbox.clear_log()
    again = harness.engine(_blueprint(template_id)).run(clients)
    assert again.exit_code == 0, again.errors
    assert not [r for r in harness.sandbox.request_log() if r["method"] != "GET"]
    _assert_one_full_room_each(harness, clients)


def test_the_plan_counts_three_writes_per_fresh_client(harness: Harness) -> None:
    """The cost model: room from template + share + link = 3 writes per client (8 step by step)."""
    template_id = _template(harness)
    clients = make_clients(4)
    plan = harness.engine(_blueprint(template_id)).plan(clients)
    assert plan.writes == 3 * 4
    assert harness.engine().plan(clients).writes == 8 * 4


def test_the_estimate_counts_the_template_turns_one_after_another() -> None:
    """Template jobs take turns: the estimate is at least clients x turn calls x latency."""
    from onboarding.workflow.estimate import PortalModel, batch_seconds

    model = PortalModel(latency=0.05, samples=10, writes_in_flight=15, per_window=None, window=60)
    parallel = batch_seconds(model, clients=150, writes=450, reads=600, per_window=None)
    turns = batch_seconds(model, clients=150, writes=450, reads=600, per_window=None, serial=450)
    assert turns >= 150 * 3 * 0.05 > parallel


def test_audit_checks_the_templates_contents_and_repair_copies_them_back(harness: Harness) -> None:
    """Audit of template rooms compares them with the template (a deleted folder is reported) and
    repair makes the folder again with its file copied from the template; then the audit matches."""
    from onboarding.workflow.aftercare import Aftercare

    template_id = _template(harness)
    clients = make_clients(2)
    assert harness.engine(_blueprint(template_id)).run(clients).exit_code == 0
    care = Aftercare(harness.engine(_blueprint(template_id)), None)
    assert [a.differences for a in care.audit()] == [[], []]
    api = harness.client()
    room = next(r for r in harness.rooms() if "client:C-0001" in r["tags"])
    invoices = next(f for f in api.folder_contents(room["id"]).folders if f.title == "Invoices")
    api.settle_operations(api.delete_folder(invoices.id))
    api.settle_operations(api.delete_file(next(f.id for f in api.folder_contents(room["id"]).files)))
    found = {a.client_id: [d.item for d in a.differences] for a in care.audit()}
    assert found == {"C-0001": ["folder Invoices", "file /Welcome to your client room.pdf"], "C-0002": []}
    report = care.repair()
    assert report.result is not None and report.result.exit_code == 0, report
    assert [a.differences for a in care.audit()] == [[], []]
    _assert_one_full_room_each(harness, clients)


def test_the_plans_turns_count_only_fresh_template_clients(harness: Harness) -> None:
    """The estimate's serial term: one turn per client whose room comes from a template, none for
    step-by-step clients or clients already done."""
    from onboarding.workflow import template_room

    template_id = _template(harness)
    clients = make_clients(3)
    engine = harness.engine(_blueprint(template_id))
    plan = engine.plan(clients)
    turns = template_room.serial_cost(plan.context, plan.clients)
    assert turns == (3 * template_room.TURN_CALLS, 3 * template_room.TURN_PAUSE)
    assert engine.run(plan).exit_code == 0
    again = engine.plan(clients)
    assert template_room.serial_cost(again.context, again.clients) == (0, 0)
    steps = harness.engine().plan(make_clients(2, prefix="S"))
    assert template_room.serial_cost(steps.context, steps.clients) == (0, 0)


def test_a_form_template_holding_a_plain_file_is_refused(harness: Harness) -> None:
    """A Form filling room template holding a file that is not a PDF form is refused by name: the
    portal's job would leave that file out of every room made from it."""
    api = Api(harness.sandbox)
    template_id = _template(harness, room_type=1)  # it holds the intake form
    my = api.get("files/@my").json()["response"]["files"]
    welcome = next(f for f in my if f["title"].startswith("Welcome"))
    copied = api.post(
        f"files/file/{welcome['id']}/copyas",
        json={"destFolderId": template_id, "destTitle": welcome["title"]},
    )
    assert copied.status_code == 200, copied.text  # a template is outside the Form filling rule
    bp = Blueprint.from_dict({"room_template": str(template_id), "room_type": 1, "client_role": 7,
                              "manager_fallback_role": 7, "link": {"access": 7}})  # fmt: skip
    with pytest.raises(
        ConfigError,
        match=re.escape("holds 'Welcome to your client room.pdf', which is not an ONLYOFFICE PDF form"),
    ):
        harness.engine(bp).plan(make_clients(1))
