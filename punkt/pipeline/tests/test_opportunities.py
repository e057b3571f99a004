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
    fill(world, o, "minutes", "offer_valid", "offer_sent", "invoice_due", "event")
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


def test_closed_sales_keep_only_their_control_points(world: Any) -> None:
    """A won sale may get a survey or next contact, a lost one a retry or next contact —
    nothing that belongs to a sale in progress."""
    o = opportunity(world)
    services.opportunity_lose(actor=world.service_a, opportunity_id=o.pk,
                              reason_id=reason(None).pk)
    with pytest.raises(ValidationFailed) as wrong:
        services.control_set(actor=world.service_a, opportunity_id=o.pk, kind="change",
                             on="2027-02-01")
    assert wrong.value.field == "kind"
    services.control_set(actor=world.service_a, opportunity_id=o.pk, kind="next_contact",
                         on="2027-02-01")


def test_reopening_gives_the_cancelled_control_points_their_tasks_back(world: Any) -> None:
    o = opportunity(world)
    fill(world, o, "minutes", "offer_valid")
    services.opportunity_lose(actor=world.service_a, opportunity_id=o.pk,
                              reason_id=reason(None).pk)
    assert not Task.objects.filter(subject_id=str(o.pk), status="open").exists()
    services.opportunity_reopen(actor=world.service_a, opportunity_id=o.pk)
    open_kinds = {c.kind for c in ControlDate.objects.filter(opportunity=o)
                  .select_related("task") if c.task and c.task.status == "open"}
    assert open_kinds == {"minutes", "offer_valid"}


def test_reopened_at_a_stage_taken_out_of_use_moves_to_the_next_in_use(world: Any) -> None:
    from punkt.pipeline import stages as settings

    o = opportunity(world)
    services.opportunity_lose(actor=world.service_a, opportunity_id=o.pk,
                              reason_id=reason(None).pk)
    first = stage("presentation")
    settings.stage_save(actor=world.expert, stage_id=first.pk, name=first.name,
                        position=first.position, probability=first.probability, active=False,
                        requires=first.requires)
    services.opportunity_reopen(actor=world.service_a, opportunity_id=o.pk)
    o.refresh_from_db()
    assert o.stage.code == "offer" and o.status == "open"


def test_reassigning_needs_the_seller_named(world: Any) -> None:
    o = opportunity(world)
    with pytest.raises(ValidationFailed) as caught:
        services.opportunity_reassign(actor=world.manager_a, opportunity_id=o.pk, owner_id="")
    assert caught.value.field == "owner" and caught.value.code == "required"
    assert Opportunity.objects.get(pk=o.pk).owner_id == world.service_a.pk


def test_only_the_manager_opens_a_sale_at_a_later_stage(world: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        opportunity(world, stage_id=stage("closing").pk)
    assert caught.value.field == "stage"
    made = opportunity(world, actor=world.manager_a, stage_id=stage("offer").pk,
                       owner_id=world.service_a.pk)
    assert made.stage.code == "offer" and made.owner_id == world.service_a.pk


def test_editing_changes_only_what_is_given_and_keeps_a_product_no_longer_sold(
        world: Any) -> None:
    from punkt.catalog.models import Product

    product = Product.objects.create(code="PIPE-OLD", name="Stary pakiet", vat_rate="23")
    o = opportunity(world, product_id=product.pk, amount="100,00")
    Product.objects.filter(pk=product.pk).update(is_active=False)
    services.opportunity_update(actor=world.service_a, opportunity_id=o.pk, notes="Nowa")
    o.refresh_from_db()
    assert (o.product_id, o.amount, o.notes) == (product.pk, Decimal("100.00"), "Nowa")
    services.opportunity_update(actor=world.service_a, opportunity_id=o.pk,
                                product_id=product.pk, title="Inny tytuł")
    assert Opportunity.objects.get(pk=o.pk).product_id == product.pk
    with pytest.raises(ValidationFailed) as not_sold:
        opportunity(world, product_id=product.pk)
    assert not_sold.value.field == "product"
    audit = AuditEvent.objects.filter(action="pipeline.opportunity.edit").last()
    assert audit is not None and "title" not in audit.changes


def test_colleagues_see_the_sale_but_are_offered_no_steps(world: Any) -> None:
    o = opportunity(world)
    assert services.allowed_actions(o, world.retention_a) == []
    mine = services.allowed_actions(o, world.service_a)
    assert "move" in mine and "win" not in mine  # not at the last stage
    assert "reassign" in services.allowed_actions(o, world.manager_a)


def test_a_customer_closed_with_by_two_sellers_is_listed_once_under_the_latest(
        world: Any) -> None:
    from punkt.pipeline import selectors

    first = opportunity(world)
    services.opportunity_lose(actor=world.service_a, opportunity_id=first.pk,
                              reason_id=reason(None).pk)
    second = opportunity(world, actor=world.retention_a, cust=first.customer)
    services.opportunity_lose(actor=world.retention_a, opportunity_id=second.pk,
                              reason_id=reason(None).pk)
    rows = list(selectors.without_next_step(user=world.manager_a))
    assert [(r["customer_id"], r["owner_id"]) for r in rows] == [
        (first.customer_id, world.retention_a.pk)]
    assert selectors.without_next_step_counts(user=world.manager_a) == {
        world.retention_a.pk: 1}
    from punkt.customers.models import Customer

    Customer.objects.filter(pk=first.customer_id).update(status="anonymised")
    assert not selectors.without_next_step(user=world.manager_a).exists()


def test_a_date_moved_after_its_task_was_completed_gets_a_new_task(world: Any) -> None:
    from punkt.work import services as work

    o = opportunity(world)
    control = services.control_set(actor=world.service_a, opportunity_id=o.pk,
                                   kind="minutes", on="2027-01-05")
    assert control is not None and control.task is not None
    work.task_move(actor=world.service_a, task_id=control.task.pk, action="complete")
    services.control_set(actor=world.service_a, opportunity_id=o.pk, kind="minutes",
                         on="2027-01-09")
    tasks = dict(Task.objects.filter(subject_id=str(o.pk)).values_list("status", "due_at"))
    assert set(tasks) == {"done", "open"}
    assert timezone.localtime(tasks["open"]).date() == datetime.date(2027, 1, 9)
