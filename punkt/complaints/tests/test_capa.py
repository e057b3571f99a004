"""Corrective and preventive actions (CAPA) on a complaint's cause: set by the manager or
HQ with an owner and a due date (a preventive one names the HQ material or procedure
changed), carried out by the owner, verified by someone else with a note; open ones on
the owner's "My work", overdue flagged."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from punkt.complaints import capa, services
from punkt.complaints.models import Complaint, ComplaintAction
from punkt.complaints.tests.factories import complaint
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def with_cause(world: Any) -> Complaint:
    c = complaint(world)
    services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="acknowledge")
    return services.complaint_move(actor=world.manager_a, complaint_id=c.pk,
                                   action="decide_in_branch", outcome="upheld",
                                   cause="employee_error", cause_note="Zła konfiguracja")


def soon(days: int = 7) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def material() -> Any:
    from punkt.materials.models import Material

    return Material.objects.create(kind="manual", title="Instrukcja konfiguracji routera")


def test_an_action_needs_the_cause_and_its_fields(world: Any) -> None:
    c = complaint(world)
    with pytest.raises(Conflict):
        capa.action_add(actor=world.manager_a, complaint_id=c.pk, kind="corrective",
                        description="x", owner_id=world.service_a.pk, due_on=soon())
    c = with_cause(world)
    base = {"actor": world.manager_a, "complaint_id": c.pk, "kind": "corrective",
            "description": "Szkolenie z konfiguracji", "owner_id": world.service_a.pk,
            "due_on": soon()}
    for field, value in [("description", ""), ("owner_id", ""), ("owner_id",
                                                                  world.service_b.pk),
                         ("due_on", "jutro"), ("due_on", soon(-1)), ("due_on", soon(400)),
                         ("kind", "other")]:
        with pytest.raises(ValidationFailed) as refused:
            capa.action_add(**{**base, field: value})
        assert refused.value.field == field
    with pytest.raises(ValidationFailed) as refused:  # preventive: names what it changes
        capa.action_add(**{**base, "kind": "preventive"})
    assert refused.value.field == "material_id"
    with pytest.raises(ActionDenied):  # the service employee sets no actions
        capa.action_add(**{**base, "actor": world.service_a})
    with pytest.raises(NotFound):  # another branch's manager
        capa.action_add(**{**base, "actor": world.manager_b})


def test_the_owner_does_it_and_someone_else_verifies(world: Any) -> None:
    from punkt.core.models import AuditEvent
    from punkt.work.models import Notification

    c = with_cause(world)
    doc = material()
    row = capa.action_add(actor=world.manager_a, complaint_id=c.pk, kind="preventive",
                          description="Dopisać krok sprawdzenia trybu mostu",
                          owner_id=world.service_a.pk, due_on=soon(), material_id=doc.pk)
    assert row.status == "open" and row.material_id == doc.pk
    assert Notification.objects.filter(recipient=world.service_a, kind="complaint.capa").exists()
    with pytest.raises(ActionDenied):  # only the owner records what was done
        capa.action_move(actor=world.manager_a, complaint_id=c.pk, action_id=row.pk,
                         step="complete", note="zrobione")
    with pytest.raises(ValidationFailed) as refused:
        capa.action_move(actor=world.service_a, complaint_id=c.pk, action_id=row.pk,
                         step="complete", note="")
    assert refused.value.field == "note"
    capa.action_move(actor=world.service_a, complaint_id=c.pk, action_id=row.pk,
                     step="complete", note="Instrukcja uzupełniona")
    with pytest.raises(Conflict):  # twice
        capa.action_move(actor=world.service_a, complaint_id=c.pk, action_id=row.pk,
                         step="complete", note="again")
    back = capa.action_move(actor=world.manager_a, complaint_id=c.pk, action_id=row.pk,
                            step="send_back", note="Brak zrzutów ekranu")
    assert back.status == "open" and back.verified_by_id is None
    capa.action_move(actor=world.service_a, complaint_id=c.pk, action_id=row.pk,
                     step="complete", note="Dodano zrzuty")
    done = capa.action_move(actor=world.manager_a, complaint_id=c.pk, action_id=row.pk,
                            step="verify", note="Sprawdzone na szkoleniu")
    assert done.status == "verified" and done.verified_by_id == world.manager_a.pk
    assert [e.action for e in c.events.filter(action__startswith="capa")] == [
        "capa_add", "capa_complete", "capa_send_back", "capa_complete", "capa_verify"]
    assert AuditEvent.objects.filter(action="complaints.capa.verify").count() == 1


def test_the_owner_cannot_verify_their_own_action(world: Any) -> None:
    c = with_cause(world)
    row = capa.action_add(actor=world.manager_a, complaint_id=c.pk, kind="corrective",
                          description="Poprawić", owner_id=world.manager_a.pk, due_on=soon())
    capa.action_move(actor=world.manager_a, complaint_id=c.pk, action_id=row.pk,
                     step="complete", note="Poprawione")
    with pytest.raises(ActionDenied):
        capa.action_move(actor=world.manager_a, complaint_id=c.pk, action_id=row.pk,
                         step="verify", note="ok")
    done = capa.action_move(actor=world.expert, complaint_id=c.pk, action_id=row.pk,
                            step="verify", note="ok")
    assert done.status == "verified"


def test_open_actions_are_on_my_work_overdue_flagged(world: Any, client_as: Any) -> None:
    c = with_cause(world)
    row = capa.action_add(actor=world.manager_a, complaint_id=c.pk, kind="corrective",
                          description="Szkolenie z konfiguracji routera",
                          owner_id=world.service_a.pk, due_on=soon(1))
    ComplaintAction.objects.filter(pk=row.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=2))
    assert [a.pk for a in capa.my_open(world.service_a)] == [row.pk]
    page = client_as(world.service_a).get(reverse("work:my_work")).content.decode()
    assert 'data-testid="my-capa"' in page and 'data-testid="capa-overdue"' in page
    assert c.number in page
    detail = client_as(world.service_a).get(
        reverse("complaints:complaint_detail", args=[c.pk])).content.decode()
    assert f'data-testid="capa-{row.pk}-complete"' in detail


def test_the_pages_refuse_and_name_the_field(world: Any, client_as: Any) -> None:
    c = with_cause(world)
    add = reverse("complaints:capa_add", args=[c.pk])
    service = client_as(world.service_a)
    service.post(add, {"kind": "corrective", "description": "x",
                       "owner_id": world.service_a.pk, "due_on": soon()})
    assert not ComplaintAction.objects.exists()  # refused: no right
    assert service.get(add).status_code == 403  # nor the form
    manager = client_as(world.manager_a)
    page = manager.get(reverse("complaints:complaint_detail", args=[c.pk])).content.decode()
    # the complaint page links the form; its lists are read only when it is opened
    assert 'data-testid="capa-add-open"' in page and 'data-testid="capa-add"' not in page
    assert f'href="{add}"' in page
    form = manager.get(add).content.decode()
    assert 'data-testid="capa-add"' in form and f'value="{world.service_a.pk}"' in form
    assert c.number in form
    part = manager.get(add, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="capa-add"' in part and "<html" not in part
    refused = manager.post(add, {"kind": "preventive", "description": "Zmiana procedury",
                                 "owner_id": world.service_a.pk, "due_on": soon()})
    assert refused.status_code == 400  # the form again, what was typed kept
    text = refused.content.decode()
    assert "HQ material" in text or "materiał" in text
    assert "Zmiana procedury</textarea>" in text
    assert not ComplaintAction.objects.exists()
    manager.post(add, {"kind": "preventive", "description": "Zmiana procedury",
                       "owner_id": world.service_a.pk, "due_on": soon(),
                       "procedure": "Procedura wydawania routerów"})
    row = ComplaintAction.objects.get()
    step = reverse("complaints:capa_move", args=[c.pk, row.pk, "complete"])
    assert client_as(world.manager_b).post(step, {"note": "x"}).status_code == 404


def test_the_api_sets_and_moves_actions(world: Any, client_as: Any) -> None:
    import json

    c = with_cause(world)
    api = client_as(world.manager_a)
    url = f"/api/v1/complaints/{c.pk}/capa"
    bad = api.post(url, json.dumps({"kind": "preventive", "description": "x",
                                    "owner_id": world.service_a.pk, "due_on": soon()}),
                   content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "material_id"
    made = api.post(url, json.dumps({"kind": "corrective", "description": "Szkolenie",
                                     "owner_id": world.service_a.pk, "due_on": soon()}),
                    content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "open"
    pk = made.json()["id"]
    owner = client_as(world.service_a)
    done = owner.post(f"{url}/{pk}/moves", json.dumps({"step": "complete", "note": "Zrobione"}),
                      content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    mine = owner.post(f"{url}/{pk}/moves", json.dumps({"step": "verify", "note": "ok"}),
                      content_type="application/json")
    assert mine.status_code == 403
    listed = api.get(url).json()
    assert [r["id"] for r in listed] == [pk] and listed[0]["overdue"] is False


def test_an_overdue_action_reminds_its_owner_then_the_managers_once(world: Any) -> None:
    from punkt.work.models import Notification

    c = with_cause(world)
    row = capa.action_add(actor=world.manager_a, complaint_id=c.pk, kind="corrective",
                          description="Szkolenie", owner_id=world.service_a.pk, due_on=soon(3))
    due = row.due_on
    assert capa.remind_overdue(due) == {"owners": 0, "escalated": 0}  # due today: not late
    assert capa.remind_overdue(due + datetime.timedelta(days=1)) == {"owners": 1,
                                                                     "escalated": 0}
    capa.remind_overdue(due + datetime.timedelta(days=2))  # a later run: no second bell
    mine = Notification.objects.filter(recipient=world.service_a, kind="complaint.capa.overdue")
    assert mine.count() == 1 and c.number in mine.get().title
    late = due + datetime.timedelta(days=capa.ESCALATE_AFTER_DAYS)
    assert capa.remind_overdue(late)["escalated"] == 1
    capa.remind_overdue(late)
    told = Notification.objects.filter(recipient=world.manager_a, kind="complaint.capa.overdue")
    assert told.count() == 1 and "tydzień" in told.get().title
    assert not Notification.objects.filter(recipient=world.manager_b,
                                           kind="complaint.capa.overdue").exists()
    # done: nobody is reminded any more
    ComplaintAction.objects.filter(pk=row.pk).update(status="done")
    assert capa.remind_overdue(late + datetime.timedelta(days=1))["owners"] == 0


def test_the_owners_are_those_who_see_the_complaint_read_in_a_fixed_number_of_statements(
        world: Any) -> None:
    """The form's owners: the branch's staff and HQ who may see the complaint — the same
    people as asking each one's access, but in one statement for all of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from punkt.complaints import permissions as perms
    from punkt.organization.models import Employee
    from tests.world import make_user

    c = with_cause(world)
    found = capa.owners(c)
    names = {e.pk for e in found}
    assert world.service_a.pk in names and world.expert.pk in names
    assert world.cashier_a.pk not in names  # a cashier does not see complaints
    assert world.manager_b.pk not in names  # another branch's
    # the reference: each person's access computed on their own (as before)
    fresh = [Employee.objects.get(pk=pk) for pk in
             Employee.objects.filter(memberships__branch__in=[world.a, world.hq],
                                     is_active=True).values_list("pk", flat=True).distinct()]
    assert names == {e.pk for e in fresh
                     if capa.org_perms.can(e, perms.COMPLAINT_VIEW.code, c.branch_id)}
    with CaptureQueriesContext(connection) as before:
        capa.owners(c)
    for i in range(3):
        make_user(f"rk.extra{i}@example.com", "service", world.a)
    with CaptureQueriesContext(connection) as after:
        assert len(capa.owners(c)) == len(found) + 3
    assert len(after.captured_queries) == len(before.captured_queries) <= 3
