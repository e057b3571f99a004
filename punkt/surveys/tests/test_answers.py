"""Answers and their follow-ups (R14.2): a score of 3 or less — 2 explicit, 3 hidden
dissatisfaction, 1 surely also — opens a follow-up for the branch's retention employee
with the fewest open ones (the manager when there is none), a callback task due the next
working day and a notification; one answer per link."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.roles import Role
from punkt.customers.models import TimelineEntry
from punkt.surveys import services
from punkt.surveys.models import FollowUp, Invitation, Response, Score
from punkt.surveys.tests.factories import customer, invitation, questionnaire, scores
from punkt.work.models import Notification, Task, TaskStatus
from tests.world import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("values", "opens"), [((5, 4), False), ((4, 4), False),
                                               ((5, 3), True), ((2, 5), True), ((1, 1), True)])
def test_a_score_of_three_or_less_opens_a_followup(world: Any, values: tuple[int, int],
                                                   opens: bool) -> None:
    inv, token = invitation(world)
    response = services.answer_submit(token=token, scores=scores(inv.questionnaire, *values))
    assert response.lowest == min(values)
    assert FollowUp.objects.filter(response=response).exists() is opens


def test_the_followup_goes_to_the_retention_employee_with_a_task_and_a_bell(world: Any) -> None:
    inv, token = invitation(world)
    response = services.answer_submit(token=token, scores=scores(inv.questionnaire, 2, 4),
                                      comment="Faktura nadal błędna.")
    f = FollowUp.objects.get(response=response)
    assert (f.assignee, f.branch_id, f.customer_id) == (world.retention_a, world.a.pk,
                                                        inv.customer_id)
    task = f.task
    assert task is not None
    assert (task.assignee, task.status, task.customer_id) == (world.retention_a, "open",
                                                              inv.customer_id)
    assert (task.subject_type, task.subject_id) == ("surveys.followup", str(f.pk))
    due = timezone.localtime(task.due_at).date()
    assert due > timezone.localdate() and due.weekday() < 5
    assert Notification.objects.filter(recipient=world.retention_a,
                                       kind="survey.low_score").count() == 1
    assert TimelineEntry.objects.filter(customer_id=inv.customer_id, kind="survey").exists()
    assert [s.value for s in Score.objects.filter(response=response)] == [2, 4]


def test_the_retention_employee_with_fewest_open_followups_gets_it(world: Any) -> None:
    second = make_user("retencja2.a@test.pl", Role.RETENTION, world.a)
    q = questionnaire(world)
    first_inv, token = invitation(world, q)
    services.answer_submit(token=token, scores=scores(q, 2, 2))
    other, token = invitation(world, q, customer(world, email="adam@example.pl"))
    services.answer_submit(token=token, scores=scores(q, 3, 3))
    assert set(FollowUp.objects.values_list("assignee_id", flat=True)) == {
        world.retention_a.pk, second.pk}


def test_the_manager_gets_it_when_the_branch_has_no_retention_employee(world: Any) -> None:
    inv, token = invitation(world, branch=world.b)
    services.answer_submit(token=token, scores=scores(inv.questionnaire, 3, 5))
    assert FollowUp.objects.get().assignee == world.manager_b


def test_a_second_answer_is_refused(world: Any) -> None:
    inv, token = invitation(world)
    services.answer_submit(token=token, scores=scores(inv.questionnaire, 5, 5))
    with pytest.raises(Conflict) as refused:
        services.answer_submit(token=token, scores=scores(inv.questionnaire, 1, 1))
    assert refused.value.code == "answered"
    assert Response.objects.count() == 1 and not FollowUp.objects.exists()


def test_an_expired_link_takes_no_answer(world: Any) -> None:
    inv, token = invitation(world)
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now()
                                                - datetime.timedelta(minutes=1))
    with pytest.raises(Conflict) as refused:
        services.answer_submit(token=token, scores=scores(inv.questionnaire, 5, 5))
    assert refused.value.code == "expired"


def test_every_question_needs_a_score_from_1_to_5(world: Any) -> None:
    inv, token = invitation(world)
    first, second = inv.questionnaire.questions.all()
    for bad in ({f"q{first.pk}": 5}, {f"q{first.pk}": 5, f"q{second.pk}": 6},
                {f"q{first.pk}": 5, f"q{second.pk}": "x"}):
        with pytest.raises(ValidationFailed) as refused:
            services.answer_submit(token=token, scores=bad)
        assert refused.value.field == f"q{second.pk}"
    assert Invitation.objects.get(pk=inv.pk).answered_at is None


def test_a_new_link_replaces_the_old_one(world: Any) -> None:
    inv, old = invitation(world)
    new = services.survey_link(inv.pk).rstrip("/").rpartition("/")[2]
    with pytest.raises(NotFound):
        services.invitation_for(old)
    assert services.invitation_for(new).pk == inv.pk


def test_closing_the_followup_records_the_call_and_completes_the_task(world: Any) -> None:
    inv, token = invitation(world)
    services.answer_submit(token=token, scores=scores(inv.questionnaire, 2, 2))
    f = FollowUp.objects.get()
    with pytest.raises(ValidationFailed) as refused:
        services.followup_move(actor=world.retention_a, followup_id=f.pk, action="close")
    assert refused.value.field == "outcome"
    with pytest.raises(ActionDenied):
        services.followup_move(actor=world.service_a, followup_id=f.pk, action="close",
                               outcome="resolved")
    with pytest.raises(NotFound):
        services.followup_move(actor=world.manager_b, followup_id=f.pk, action="close",
                               outcome="resolved")
    from punkt.complaints.tests.factories import complaint

    with pytest.raises(ValidationFailed) as refused:  # which complaint?
        services.followup_move(actor=world.retention_a, followup_id=f.pk, action="close",
                               outcome="complaint")
    assert refused.value.field == "complaint_id"
    someone_elses = complaint(world)
    theirs = complaint(world, cust=inv.customer)
    for outcome, named in (("complaint", someone_elses.pk), ("resolved", theirs.pk),
                           ("complaint", "abc")):
        with pytest.raises(ValidationFailed) as refused:
            services.followup_move(actor=world.retention_a, followup_id=f.pk, action="close",
                                   outcome=outcome, complaint_id=named)
        assert refused.value.field == "complaint_id"
    closed = services.followup_move(actor=world.retention_a, followup_id=f.pk, action="close",
                                    outcome="complaint", note="Zgłosił reklamację faktury.",
                                    complaint_id=theirs.pk)
    assert (closed.status, closed.outcome, closed.closed_by) == ("closed", "complaint",
                                                                  world.retention_a)
    assert closed.complaint == theirs
    assert Task.objects.get(subject_type="surveys.followup", subject_id=str(f.pk)).status == \
        TaskStatus.DONE
    with pytest.raises(Conflict):
        services.followup_move(actor=world.retention_a, followup_id=f.pk, action="close",
                               outcome="resolved")
    reopened = services.followup_move(actor=world.manager_a, followup_id=f.pk, action="reopen")
    assert (reopened.status, reopened.closed_at, reopened.complaint) == ("open", None, None)


def test_the_counter_opens_a_survey_for_the_branchs_customer(world: Any) -> None:
    q = questionnaire(world)
    cust = customer(world)
    token = services.counter_open(actor=world.service_a, customer_id=cust.pk,
                                  questionnaire_id=q.pk)
    inv = services.invitation_for(token)
    assert (inv.rule, inv.employee, inv.customer_id) == ("counter", world.service_a, cust.pk)
    response = services.answer_submit(token=token, scores=scores(q, 5, 5), at_counter=True)
    assert response.at_counter
    with pytest.raises(ActionDenied):
        services.counter_open(actor=world.service_b, customer_id=cust.pk,
                              questionnaire_id=q.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.counter_open(actor=world.service_a, customer_id=cust.pk,
                              questionnaire_id="x")
    assert refused.value.field == "questionnaire"
