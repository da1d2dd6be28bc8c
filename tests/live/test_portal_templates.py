"""Room templates as the product relies on them, on the sandbox and (with -m live) a real portal."""

from __future__ import annotations

import time
from collections.abc import Callable

from support.portal import Portal

from onboarding.docspace import FolderType, RoomType, SearchArea, TemplateJob


def _finished(status: Callable[[], TemplateJob | None], timeout: float = 120.0) -> TemplateJob:
    """Poll a template job's status until it is completed."""
    deadline = time.monotonic() + timeout
    while True:
        job = status()
        if job is not None and job.is_completed:
            return job
        assert time.monotonic() < deadline, "the template job did not finish"
        time.sleep(0.2)


def _template(portal: Portal) -> int:
    source = portal.room("Onboarding template source", RoomType.CUSTOM)
    portal.api.create_folder(source.id, "Invoices")
    portal.api.start_room_template(source.id, f"Onboarding test template {portal.run}")
    job = _finished(portal.api.room_template_status)
    assert not job.error, job.error
    portal.rooms.append(job.result_id)
    return job.result_id


def test_a_template_lives_in_the_templates_section(portal: Portal) -> None:
    """A template made from a room is listed under searchArea=4 (rootFolderType 30), not under Any."""
    template_id = _template(portal)
    listed = {t.id: t for t in portal.api.list_templates()}
    assert listed[template_id].root_folder_type == FolderType.ROOM_TEMPLATES
    assert template_id not in {r.id for r in portal.api.list_rooms(search_area=SearchArea.ANY)}


def test_a_room_from_a_template_carries_the_requests_tag_and_the_templates_contents(portal: Portal) -> None:
    """The job's room has the template's type and folders and the tag sent with the start."""
    template_id = _template(portal)
    tag = f"onboarding-test:{portal.run}"
    started = portal.api.start_room_from_template(template_id, "Onboarding from template", tags=[tag])
    assert started is not None and not started.error
    job = _finished(portal.api.room_from_template_status)
    assert not job.error and job.result_id > 0, job
    portal.rooms.append(job.result_id)
    room = portal.api.get_room(job.result_id)
    assert (room.room_type, room.tags) == (int(RoomType.CUSTOM), [tag])
    assert [f.title for f in portal.api.folder_contents(room.id).folders] == ["Invoices"]
