"""The opportunity's rules: a stage is left only with what it requires (the reason said),
a refusal keeps the sale open with a task to try again, won only at the last stage, lost
with a reason of its stage (the stage kept), reopened where it stopped; control dates
kept as one task each of the owner, moved with the date, cancelled when the sale ends;
a seller works on their own sales, the manager on any of the branch's; every transition
from every state (C10)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.pipeline import services
from punkt.pipeline.models import ControlDate, Opportunity, OpportunityStatus
from punkt.pipeline.tests.factories import fill, opportunity, reason, stage
from punkt.pipeline.workflows import OPPORTUNITY_FLOW
from punkt.work.models import Task

pytestmark = pytest.mark.django_db

ALL_STEPS = ("move", "control", "win", "lose", "reopen", "reassign")


def test_opened_at_the_first_stage_numbered_owned_and_on_the_timeline(world: Any) -> None:
    o = opportunity(world, amount="2 399,50", expected_close="2027-03")
    assert o.number.startswith("SZ/") and o.number.endswith("/000001")
    assert o.stage.code == "presentation" and o.status == OpportunityStatus.OPEN
    assert o.owner_id == world.service_a.pk and o.branch_id == world.a.pk
    assert o.amount == Decimal("2399.50") and o.expected_close == datetime.date(2027, 3, 1)
    assert o.customer.timeline.filter(kind="opportunity").count() == 1
    assert AuditEvent.objects.filter(action="pipeline.opportunity.create").count() == 1
    assert list(o.events.values_list("action", flat=True)) == ["open"]


@pytest.mark.parametrize(("field", "value", "code"), [
    ("title", "", "required"), ("title", "x" * 201, "too_long"),
    ("amount", "12,345", "invalid"), ("amount", "9" * 30, "too_large"),
    ("expected_close", "2027-13", "invalid"), ("expected_close", "1999-01", "invalid"),
    ("customer_id", "abc", "invalid"), ("stage_id", "999999", "invalid"),
    ("product_id", "999999", "invalid")])
def test_bad_input_names_the_field_and_stores_nothing(world: Any, field: str, value: str,
                                                      code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        opportunity(world, **{field: value})
    assert caught.value.code == code
    assert caught.value.field == field.removesuffix("_id")
    assert not Opportunity.objects.exists()


def test_a_stage_is_left_only_with_what_it_requires(world: Any) -> None:
    o = opportunity(world)
    offer = stage("offer")
    with pytest.raises(ValidationFailed) as caught:
        services.opportunity_move(actor=world.service_a, opportunity_id=o.pk,
                                  stage_id=offer.pk)
    assert caught.value.field == "stage" and "Prezentacja" in caught.value.message
    assert "daty wysłania protokołu" in caught.value.message
    fill(world, o, "minutes")
    services.opportunity_move(actor=world.service_a, opportunity_id=o.pk, stage_id=offer.pk)
    # skipping stages checks every stage left: the offer needs its validity date
    with pytest.raises(ValidationFailed) as skipped:
        services.opportunity_move(actor=world.service_a, opportunity_id=o.pk,
                                  stage_id=stage("payment").pk)
    assert "daty ważności oferty" in skipped.value.message
    # back is always allowed (the offer to clarify)
    services.opportunity_move(actor=world.service_a, opportunity_id=o.pk,
                              stage_id=stage("presentation").pk)
    o.refresh_from_db()
    assert o.stage.code == "presentation"
    assert [e.action for e in o.events.all()].count("move") == 2
    with pytest.raises(Conflict):
        services.opportunity_move(actor=world.service_a, opportunity_id=o.pk,
                                  stage_id=stage("presentation").pk)


def test_a_refusal_keeps_the_sale_open_with_a_task_to_try_again(world: Any) -> None:
    o = opportunity(world)
    retry = timezone.localdate() + datetime.timedelta(days=14)
    with pytest.raises(ValidationFailed) as no_date:
        services.opportunity_refuse(actor=world.service_a, opportunity_id=o.pk,
                                    reason_id=reason("presentation").pk, retry_on="")
    assert no_date.value.field == "retry_on"
    with pytest.raises(ValidationFailed) as past:
        services.opportunity_refuse(actor=world.service_a, opportunity_id=o.pk,
                                    reason_id=reason("presentation").pk,
                                    retry_on=timezone.localdate() - datetime.timedelta(days=1))
    assert past.value.field == "retry_on"
    with pytest.raises(ValidationFailed) as other_stage:
        services.opportunity_refuse(actor=world.service_a, opportunity_id=o.pk,
                                    reason_id=reason("offer").pk, retry_on=retry)
    assert other_stage.value.field == "reason"
    services.opportunity_refuse(actor=world.service_a, opportunity_id=o.pk,
                                reason_id=reason("presentation").pk, retry_on=retry,
                                note="Po urlopie")
    o.refresh_from_db()
    assert o.status == OpportunityStatus.OPEN
    control = ControlDate.objects.get(opportunity=o, kind="retry")
    assert control.on == retry and control.task is not None
    task = control.task
    assert task.assignee_id == world.service_a.pk and task.status == "open"
    assert task.subject_type == "pipeline.opportunity" and task.subject_id == str(o.pk)
    assert timezone.localtime(task.due_at).date() == retry
    assert o.events.filter(action="refuse").get().note.endswith("Po urlopie")


def test_control_dates_move_their_task_and_clearing_cancels_it(world: Any) -> None:
    o = opportunity(world)
    day = timezone.localdate() + datetime.timedelta(days=3)
    first = services.control_set(actor=world.service_a, opportunity_id=o.pk,
                                 kind="minutes", on=day)
    assert first is not None
    services.control_set(actor=world.service_a, opportunity_id=o.pk, kind="minutes",
                         on=day + datetime.timedelta(days=2))
    assert Task.objects.filter(subject_id=str(o.pk)).count() == 1  # moved, not a second
    task = Task.objects.get(subject_id=str(o.pk))
    assert timezone.localtime(task.due_at).date() == day + datetime.timedelta(days=2)
    services.control_set(actor=world.service_a, opportunity_id=o.pk, kind="minutes", on="")
    task.refresh_from_db()
    assert task.status == "cancelled" and not ControlDate.objects.filter(opportunity=o).exists()
    with pytest.raises(ValidationFailed) as bad:
        services.control_set(actor=world.service_a, opportunity_id=o.pk, kind="lunch", on=day)
    assert bad.value.field == "kind"
    with pytest.raises(ValidationFailed) as bad_day:
        services.control_set(actor=world.service_a, opportunity_id=o.pk, kind="minutes",
                             on="31.12.2026")
    assert bad_day.value.field == "on"


def _to_closing(world: Any, o: Any) -> None:
    fill(world, o, "minutes", "offer_valid", "invoice_due", "event")
    services.opportunity_move(actor=world.service_a, opportunity_id=o.pk,
                              stage_id=stage("closing").pk)


def test_won_only_at_the_last_stage_with_the_next_contact_agreed(world: Any) -> None:
    o = opportunity(world)
    with pytest.raises(Conflict):
        services.opportunity_win(actor=world.service_a, opportunity_id=o.pk)
    _to_closing(world, o)
    with pytest.raises(ValidationFailed) as lacking:
        services.opportunity_win(actor=world.service_a, opportunity_id=o.pk)
    assert "daty następnego kontaktu" in lacking.value.message
    fill(world, o, "survey", "next_contact")
    services.opportunity_win(actor=world.service_a, opportunity_id=o.pk, note="Zadowolony")
    o.refresh_from_db()
    assert o.status == OpportunityStatus.WON and o.closed_at is not None
    open_tasks = set(Task.objects.filter(subject_id=str(o.pk), status="open")
                     .values_list("title", flat=True))
    # the survey and the next contact stay: the customer is now "between sales" (R11.5)
    assert len(open_tasks) == 2
    assert Task.objects.filter(subject_id=str(o.pk), status="cancelled").count() == 4


def test_lost_with_a_reason_the_stage_kept_and_reopened_there(world: Any) -> None:
    o = opportunity(world)
    fill(world, o, "minutes")
    services.opportunity_move(actor=world.service_a, opportunity_id=o.pk,
                              stage_id=stage("offer").pk)
    with pytest.raises(ValidationFailed) as no_reason:
        services.opportunity_lose(actor=world.service_a, opportunity_id=o.pk, reason_id="")
    assert no_reason.value.field == "reason"
    services.opportunity_lose(actor=world.service_a, opportunity_id=o.pk,
                              reason_id=reason("offer").pk, note="Za drogo")
    o.refresh_from_db()
    assert (o.status, o.stage.code, o.loss_reason_id) == ("lost", "offer", reason("offer").pk)
    assert o.loss_note == "Za drogo"
    assert Task.objects.filter(subject_id=str(o.pk), status="open").count() == 0
    services.opportunity_reopen(actor=world.service_a, opportunity_id=o.pk)
    o.refresh_from_db()
    assert (o.status, o.stage.code, o.loss_reason_id) == ("open", "offer", None)


def test_a_seller_works_on_their_own_sales_the_manager_on_any(world: Any) -> None:
    o = opportunity(world)
    with pytest.raises(ActionDenied):
        services.control_set(actor=world.retention_a, opportunity_id=o.pk, kind="minutes",
                             on=timezone.localdate())
    with pytest.raises(ActionDenied):
        services.opportunity_reassign(actor=world.service_a, opportunity_id=o.pk,
                                      owner_id=world.retention_a.pk)
    services.control_set(actor=world.manager_a, opportunity_id=o.pk, kind="minutes",
                         on=timezone.localdate())
    services.opportunity_reassign(actor=world.manager_a, opportunity_id=o.pk,
                                  owner_id=world.retention_a.pk)
    o.refresh_from_db()
    assert o.owner_id == world.retention_a.pk
    # the open task went with it
    assert Task.objects.get(subject_id=str(o.pk)).assignee_id == world.retention_a.pk
    with pytest.raises(ValidationFailed) as cashier:
        services.opportunity_reassign(actor=world.manager_a, opportunity_id=o.pk,
                                      owner_id=world.cashier_a.pk)
    assert cashier.value.field == "owner"
    with pytest.raises(ValidationFailed) as other_branch:
        services.opportunity_reassign(actor=world.manager_a, opportunity_id=o.pk,
                                      owner_id=world.service_b.pk)
    assert other_branch.value.field == "owner"


def test_another_branch_cannot_see_or_touch_it(world: Any) -> None:
    o = opportunity(world)
    with pytest.raises(NotFound):
        services.opportunity_move(actor=world.manager_b, opportunity_id=o.pk,
                                  stage_id=stage("offer").pk)
    with pytest.raises(ActionDenied):
        opportunity(world, actor=world.cashier_a)


@pytest.mark.parametrize("status", list(OpportunityStatus.values))
@pytest.mark.parametrize("action", ALL_STEPS)
def test_every_transition_from_every_state(world: Any, status: str, action: str) -> None:
    """(C10) The table says which steps each state allows; a step from any other state is
    refused as a conflict, and nothing changes."""
    o = opportunity(world)
    Opportunity.objects.filter(pk=o.pk).update(status=status)
    o.refresh_from_db()
    allowed = status in OPPORTUNITY_FLOW.transition(action).sources
    if allowed:
        OPPORTUNITY_FLOW.ensure_state(o, action)
    else:
        with pytest.raises(Conflict):
            OPPORTUNITY_FLOW.ensure_state(o, action)
        calls = {
            "move": lambda: services.opportunity_move(
                actor=world.manager_a, opportunity_id=o.pk, stage_id=stage("offer").pk),
            "control": lambda: services.control_set(
                actor=world.manager_a, opportunity_id=o.pk, kind="minutes", on="2027-01-05"),
            "win": lambda: services.opportunity_win(actor=world.manager_a, opportunity_id=o.pk),
            "lose": lambda: services.opportunity_lose(
                actor=world.manager_a, opportunity_id=o.pk, reason_id=reason(None).pk),
            "reopen": lambda: services.opportunity_reopen(actor=world.manager_a,
                                                          opportunity_id=o.pk),
            "reassign": lambda: services.opportunity_reassign(
                actor=world.manager_a, opportunity_id=o.pk, owner_id=world.retention_a.pk),
        }
        with pytest.raises(Conflict):
            calls[action]()
        assert Opportunity.objects.get(pk=o.pk).status == status


def test_a_control_point_done_completes_its_task_and_is_no_longer_overdue(world: Any) -> None:
    from punkt.pipeline import selectors
    from punkt.work import services as work

    o = opportunity(world)
    past = timezone.localdate() - datetime.timedelta(days=2)
    minutes = services.control_set(actor=world.service_a, opportunity_id=o.pk,
                                   kind="minutes", on=past)
    survey = services.control_set(actor=world.service_a, opportunity_id=o.pk, kind="survey",
                                  on=past)
    assert minutes is not None and survey is not None
    assert selectors.overdue_controls(minutes, timezone.localdate())
    services.control_done(actor=world.service_a, opportunity_id=o.pk, kind="minutes")
    minutes = ControlDate.objects.select_related("task").get(pk=minutes.pk)
    assert minutes.is_done and minutes.task is not None and minutes.task.status == "done"
    assert not selectors.overdue_controls(minutes, timezone.localdate())
    with pytest.raises(Conflict):
        services.control_done(actor=world.service_a, opportunity_id=o.pk, kind="minutes")
    # the task completed on "My work" counts too
    assert survey.task is not None
    work.task_move(actor=world.service_a, task_id=survey.task.pk, action="complete")
    survey = ControlDate.objects.select_related("task").get(pk=survey.pk)
    assert survey.is_done and not selectors.overdue_controls(survey, timezone.localdate())


def test_customers_between_sales_without_a_next_step_are_listed_and_told(
        world: Any, client_as: Any) -> None:
    """R11.5: a lost sale with no next contact leaves the customer without a next step;
    a next contact or a new open sale gives them one; the daily check tells the seller
    once per day (C9)."""
    from django.urls import reverse

    from punkt.pipeline import selectors
    from punkt.work.models import Notification

    o = opportunity(world)
    assert not selectors.without_next_step(user=world.manager_a).exists()  # a sale is open
    services.opportunity_lose(actor=world.service_a, opportunity_id=o.pk,
                              reason_id=reason(None).pk)
    rows = list(selectors.without_next_step(user=world.manager_a))
    assert [(r["customer_id"], r["owner_id"]) for r in rows] == [
        (o.customer_id, world.service_a.pk)]
    assert not selectors.without_next_step(user=world.manager_b).exists()  # branch B
    day = timezone.localdate()
    assert services.tell_sellers_without_next_step(day) == 1
    services.tell_sellers_without_next_step(day)  # the job run twice: told once
    assert Notification.objects.filter(recipient=world.service_a,
                                       kind="pipeline.no_next_step").count() == 1
    page = client_as(world.manager_a).get(reverse("pipeline:between_sales")).content.decode()
    assert str(o.customer) in page and str(world.service_a) in page
    mine = client_as(world.service_a).get(reverse("work:my_work")).content.decode()
    assert 'data-testid="my-between-sales"' in mine
    services.control_set(actor=world.service_a, opportunity_id=o.pk, kind="next_contact",
                         on=day + datetime.timedelta(days=30))
    assert not selectors.without_next_step(user=world.manager_a).exists()
    dash = client_as(world.manager_a).get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="pipeline-attention"' not in dash
