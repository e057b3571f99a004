"""Browser: "My work" at 1366×768. The manager gives a service employee a task from a
customer's profile; the employee sees the bell's count, opens the notification, reports
progress and marks the task done; the manager's bell then says it is done."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_contract_walk import signed_in  # noqa: F401 - fixture
from tests.world import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(Path(os.environ.get("PUNKT_E2E_SHOTS", tmp_path)) / name),
                    full_page=True)


def test_a_task_given_from_the_profile_is_done_by_the_employee(
        signed_in: Any, problems: Any, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from punkt.contracts.tests.factories import customer
    from punkt.work.models import Task, TaskStatus

    world = make_world()
    cust = customer(world)
    manager = signed_in(world.manager_a.email)
    manager.set_viewport_size({"width": 1366, "height": 768})
    manager.goto(f"/customers/{cust.pk}/")
    manager.get_by_role("link", name="Nowe zadanie").click()
    # The URL first: if the click is ever lost again (one CI run), the failure says where
    # the page stayed instead of "no such label".
    expect(manager).to_have_url(re.compile(r"/work/tasks/new/\?"))
    expect(manager.get_by_role("heading", name="Nowe zadanie")).to_be_visible()
    manager.get_by_label("Co jest do zrobienia").fill("Oddzwonić w sprawie faktury")
    manager.get_by_label("Dla").select_option(label=world.service_a.full_name)
    manager.get_by_label("Termin").fill("2030-01-15T12:00")
    _shot(manager, tmp_path, "work-task-new-1366.png")
    with manager.expect_navigation():
        manager.get_by_role("button", name="Zapisz zadanie").click()
    expect(manager.get_by_text("Zapisano zadanie.")).to_be_visible()
    assert manager.url.endswith(f"/customers/{cust.pk}/")  # back on the profile
    task = Task.objects.get()
    assert task.customer_id == cust.pk and task.assignee_id == world.service_a.pk

    service = signed_in(world.service_a.email)
    service.set_viewport_size({"width": 1366, "height": 768})
    service.goto("/")
    expect(service.get_by_test_id("bell-count")).to_have_text("1")
    service.get_by_test_id("bell").click()
    expect(service.get_by_test_id("my-tasks")).to_contain_text("Oddzwonić w sprawie faktury")
    _shot(service, tmp_path, "work-my-work-1366.png")
    service.goto("/work/notifications/")
    _shot(service, tmp_path, "work-notifications-1366.png")
    with service.expect_navigation():
        service.get_by_role("button", name="Oddzwonić w sprawie faktury").click()
    expect(service.get_by_role("heading", name="Oddzwonić w sprawie faktury")).to_be_visible()
    service.get_by_label("Postęp (%)").fill("50")
    with service.expect_navigation():
        service.get_by_role("button", name="Zapisz", exact=True).click()
    _shot(service, tmp_path, "work-task-detail-1366.png")
    with service.expect_navigation():
        service.get_by_test_id("task-complete").click()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.progress == 100
    expect(service.get_by_test_id("bell-count")).to_have_count(0)

    manager.goto("/work/tasks/?status=done")
    expect(manager.get_by_test_id("task-table")).to_contain_text("Oddzwonić w sprawie faktury")
    expect(manager.get_by_test_id("bell-count")).to_have_text("1")
    _shot(manager, tmp_path, "work-branch-tasks-1366.png")
    problems.assert_clean()
