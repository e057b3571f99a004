"""Tasks and notifications: who may give and change tasks, refusals naming the field,
every transition, reminders and notifications once (C13), pages and the API."""

from __future__ import annotations

import datetime
import json
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.core.testing import smtp_sink
from punkt.work import services
from punkt.work.models import Notification, Task, TaskStatus

pytestmark = pytest.mark.django_db


def test_a_task_for_oneself_needs_no_role(world: Any) -> None:
    due = timezone.now() + datetime.timedelta(hours=3)
    task = services.task_create(actor=world.service_a, title="  Oddzwonić do pani Nowak ",
                                due_at=due)
    assert task.title == "Oddzwonić do pani Nowak" and task.assignee == world.service_a
    assert task.branch_id == world.a.pk and task.status == TaskStatus.OPEN
    assert AuditEvent.objects.filter(action="work.task.create", object_id=str(task.pk)).exists()
    assert not Notification.objects.exists()  # nobody else to tell


def test_the_manager_gives_a_task_and_the_assignee_hears_once(world: Any) -> None:
    task = services.task_create(actor=world.manager_a, title="Przygotować ofertę",
                                assignee_id=world.service_a.pk)
    note = Notification.objects.get(recipient=world.service_a)
    assert "Przygotować ofertę" in note.title and note.url == f"/work/tasks/{task.pk}/"
    assert note.title.startswith(world.manager_a.full_name)  # Polish: "… zleca Ci zadanie"
    services.notify(recipient=world.service_a, kind="task.assigned", title="x",
                    key=f"task.assigned:{task.pk}")
    assert Notification.objects.filter(recipient=world.service_a).count() == 1


def test_only_a_manager_of_the_branch_gives_tasks_to_others(world: Any) -> None:
    with pytest.raises(ActionDenied):
        services.task_create(actor=world.service_a, title="Dla kierownika",
                             assignee_id=world.manager_a.pk)
    with pytest.raises(ValidationFailed) as refused:  # B's employee works elsewhere
        services.task_create(actor=world.manager_a, title="Dla B", assignee_id=world.service_b.pk)
    assert refused.value.field == "assignee"
    assert not Task.objects.exists()


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"due_at": "jutro"}, "due_at"),
    ({"due_at": "3026-01-01T10:00"}, "due_at"),
    ({"remind_at": "2026-13-01T10:00"}, "remind_at"),
    ({"customer_id": "abc"}, "customer"),
    ({"assignee_id": "x"}, "assignee"),
    ({"subject_type": "contracts.contract", "subject_id": "1 OR 1"}, "subject"),
    ({"subject_type": "nothing.here", "subject_id": "1"}, "subject"),
])
def test_bad_input_names_the_field(world: Any, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.task_create(actor=world.manager_a, **{"title": "Zadanie", **fields})
    assert refused.value.field == field
    assert not Task.objects.exists()


def test_another_branchs_customer_cannot_be_linked(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    theirs = customer(world, branch=world.b, actor=world.service_b)
    with pytest.raises(ValidationFailed) as refused:
        services.task_create(actor=world.service_a, title="Cudzy", customer_id=theirs.pk)
    assert refused.value.field == "customer"


def test_every_transition_from_every_state(world: Any) -> None:
    task = services.task_create(actor=world.manager_a, title="Zadanie",
                                assignee_id=world.service_a.pk)
    with pytest.raises(Conflict):
        services.task_move(actor=world.service_a, task_id=task.pk, action="reopen")
    done = services.task_move(actor=world.service_a, task_id=task.pk, action="complete")
    assert done.status == TaskStatus.DONE and done.progress == 100 and done.done_at
    assert Notification.objects.filter(recipient=world.manager_a, kind="task.done").count() == 1
    for action in ("complete", "cancel"):
        with pytest.raises(Conflict):
            services.task_move(actor=world.service_a, task_id=task.pk, action=action)
    with pytest.raises(ValidationFailed) as refused:
        services.task_update(actor=world.service_a, task_id=task.pk, progress=10)
    assert refused.value.field == "status"
    services.task_move(actor=world.manager_a, task_id=task.pk, action="reopen")
    cancelled = services.task_move(actor=world.manager_a, task_id=task.pk, action="cancel")
    assert cancelled.status == TaskStatus.CANCELLED
    assert services.task_move(actor=world.service_a, task_id=task.pk,
                              action="reopen").status == TaskStatus.OPEN


def test_strangers_do_not_see_or_change_a_task(world: Any) -> None:
    task = services.task_create(actor=world.service_a, title="Moje")
    for stranger in (world.retention_a, world.manager_b, world.service_b):
        with pytest.raises(NotFound):
            services.task_move(actor=stranger, task_id=task.pk, action="complete")
        with pytest.raises(NotFound):
            services.task_update(actor=stranger, task_id=task.pk, progress=50)
    # the branch's manager does (work.task.manage)
    assert services.task_update(actor=world.manager_a, task_id=task.pk,
                                progress=40).progress == 40


@pytest.mark.parametrize("value", ["-1", "101", "pół", True, "50.5"])
def test_progress_is_a_whole_percent(world: Any, value: Any) -> None:
    task = services.task_create(actor=world.service_a, title="Moje")
    with pytest.raises(ValidationFailed) as refused:
        services.task_update(actor=world.service_a, task_id=task.pk, progress=value)
    assert refused.value.field == "progress"
    task.refresh_from_db()
    assert task.progress == 0


def test_reminders_ring_once_even_when_the_job_runs_twice(world: Any) -> None:
    now = timezone.now()
    due = services.task_create(actor=world.service_a, title="Przypomnij",
                               remind_at=now - datetime.timedelta(minutes=1))
    services.task_create(actor=world.service_a, title="Później",
                         remind_at=now + datetime.timedelta(hours=1))
    assert services.send_due_reminders(now) == 1
    assert services.send_due_reminders(now) == 0
    notes = Notification.objects.filter(recipient=world.service_a, kind="task.reminder")
    assert [n.title for n in notes] == ["Przypomnienie: Przypomnij"]
    # a new reminder time rings again
    services.task_update(actor=world.service_a, task_id=due.pk,
                         remind_at=now - datetime.timedelta(seconds=1))
    assert services.send_due_reminders(now) == 1


def test_notifications_are_rendered_in_the_recipients_language(world: Any) -> None:
    world.service_a.language = "en"
    world.service_a.save()
    services.task_create(actor=world.manager_a, title="Offer", assignee_id=world.service_a.pk)
    assert "gave you a task" in Notification.objects.get(recipient=world.service_a).title


def test_reading_notifications(world: Any) -> None:
    services.notify(recipient=world.service_a, kind="x", title="Jeden", url="/customers/")
    services.notify(recipient=world.service_a, kind="x", title="Dwa")
    first = Notification.objects.get(title="Jeden")
    with pytest.raises(NotFound):  # someone else's
        services.notification_open(actor=world.manager_a, notification_id=first.pk)
    services.notification_open(actor=world.service_a, notification_id=first.pk)
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    assert services.notifications_read_all(actor=world.service_a) == 1


def test_my_work_bell_and_pages(world: Any, client_as: Any) -> None:
    c = client_as(world.service_a)
    services.task_create(actor=world.manager_a, title="Zadanie od kierownika",
                         assignee_id=world.service_a.pk,
                         due_at=timezone.now() - datetime.timedelta(hours=1))
    page = c.get(reverse("work:my_work")).content.decode()
    assert "Zadanie od kierownika" in page and "po terminie" in page
    bell = c.get(reverse("work:bell")).content.decode()
    assert 'data-testid="bell-count">1<' in bell
    dashboard = c.get(reverse("core:dashboard")).content.decode()
    assert "Zadanie od kierownika" in dashboard
    note = Notification.objects.get(recipient=world.service_a)
    opened = c.post(reverse("work:notification_open", args=[note.pk]))
    assert opened.status_code == 302 and opened["Location"] == note.url
    assert c.get(reverse("work:bell")).content.decode().strip() == ""
    # the service employee cannot see the branch's task list
    assert c.get(reverse("work:task_list")).status_code == 403


def test_task_form_keeps_input_and_names_the_field(world: Any, client_as: Any) -> None:
    c = client_as(world.manager_a)
    form = c.get(reverse("work:task_new")).content.decode()
    assert world.service_a.full_name in form  # a colleague to choose
    bad = c.post(reverse("work:task_new"), {"title": "Ważne", "due_at": "zła data"})
    html = bad.content.decode()
    assert bad.status_code == 200 and 'value="Ważne"' in html and 'aria-invalid="true"' in html
    assert not Task.objects.exists()
    ok = c.post(reverse("work:task_new"), {"title": "Ważne", "assignee_id": world.service_a.pk,
                                           "due_at": "2026-12-24T12:00"})
    task = Task.objects.get()
    assert ok["Location"] == reverse("work:task_detail", args=[task.pk])
    assert timezone.localtime(task.due_at).hour == 12  # a form's time is Warsaw time
    listing = c.get(reverse("work:task_list")).content.decode()
    assert "Ważne" in listing and world.service_a.full_name in listing
    c.post(reverse("work:task_act", args=[task.pk, "complete"]))
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_api_tasks_and_notifications(world: Any, client_as: Any) -> None:
    c = client_as(world.manager_a)

    def send(method: str, path: str, body: Any) -> Any:
        return getattr(c, method)(path, json.dumps(body), content_type="application/json")

    bad = send("post", "/api/v1/work/tasks", {"title": "", "assignee_id": world.service_a.pk})
    assert bad.status_code == 422 and "title" in bad.content.decode()
    made = send("post", "/api/v1/work/tasks", {"title": "Z API",
                                               "assignee_id": world.service_a.pk})
    assert made.status_code == 201, made.content
    tid = made.json()["id"]
    patched = send("patch", f"/api/v1/work/tasks/{tid}", {"progress": 30})
    assert patched.json()["progress"] == 30 and patched.json()["url"] == f"/work/tasks/{tid}/"
    moved = send("post", f"/api/v1/work/tasks/{tid}/complete", {})
    assert moved.json()["status"] == "done"
    assert send("post", f"/api/v1/work/tasks/{tid}/complete", {}).status_code == 409
    assert send("patch", f"/api/v1/work/tasks/{tid}", {"progress": 101}).status_code == 422
    theirs = client_as(world.service_a)
    listed = theirs.get("/api/v1/work/notifications").json()
    assert listed["unread"] == 1 and listed["items"][0]["title"].endswith("Z API")
    read = theirs.post(f"/api/v1/work/notifications/{listed['items'][0]['id']}/read")
    assert read.json()["read_at"] is not None
    assert client_as(world.manager_b).get(f"/api/v1/work/tasks/{tid}").status_code == 404


def test_daily_digest_once_a_day_and_only_when_asked(world: Any, client_as: Any,
                                                     settings: Any) -> None:
    """(C13) The day is claimed before the e-mail goes: a second run sends nothing."""
    services.task_create(actor=world.manager_a, title="Oddzwonić do pani Nowak",
                         assignee_id=world.service_a.pk,
                         due_at=timezone.now() - datetime.timedelta(hours=1))
    services.task_create(actor=world.manager_a, title="Cudze", assignee_id=world.retention_a.pk,
                         due_at=timezone.now())
    assert services.send_digests() == 0  # nobody asked for it
    c = client_as(world.service_a)
    c.post(reverse("work:digest_set"), {"daily_digest": "1"})
    page = c.get(reverse("work:notification_list")).content.decode()
    assert "Wyłącz codzienny e-mail" in page
    with smtp_sink(settings) as sink:  # through SMTP, as in production
        assert services.send_digests() == 1
        assert services.send_digests() == 0
    assert len(sink.messages) == 1
    mail = sink.messages[0]
    subject = str(make_header(decode_header(mail["Subject"])))
    body = mail.get_payload(decode=True).decode()
    assert mail["To"] == world.service_a.email and subject.startswith("Punkt: Twoja praca")
    assert "Oddzwonić do pani Nowak" in body and "po terminie" in body
    assert "Cudze" not in body and "/work/tasks/" in body
    c.post(reverse("work:digest_set"), {"daily_digest": "0"})
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert services.send_digests(tomorrow) == 0


def test_the_profile_shows_open_tasks_to_whoever_may_open_them(world: Any,
                                                               client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer

    cust = customer(world)
    services.task_create(actor=world.service_a, title="Moje o kliencie", customer_id=cust.pk)
    url = reverse("customers:customer_detail", args=[cust.pk])
    assert "Moje o kliencie" in client_as(world.service_a).get(url).content.decode()
    assert "Moje o kliencie" in client_as(world.manager_a).get(url).content.decode()
    # a colleague without the task and without work.task.manage does not see it
    assert "Moje o kliencie" not in client_as(world.retention_a).get(url).content.decode()
