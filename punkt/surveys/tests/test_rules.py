"""The sending rules (R14.1): what happened since the rule's watermark is invited once per
customer, questionnaire and occasion; not a customer invited within the quiet period; a
questionnaire that promotes offers only with the channel's consent (C14); one reminder;
the hourly job claimed once per slot (C9)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from punkt.customers import services as customers
from punkt.messaging.models import Message, MessageKind
from punkt.surveys import services
from punkt.surveys.models import Invitation, Rule, Watermark
from punkt.surveys.tests.factories import customer, questionnaire, sale

pytestmark = pytest.mark.django_db


def test_a_first_purchase_invites_the_customer_once_with_a_service_message(world: Any) -> None:
    q = questionnaire(world)
    cust = customer(world)
    s = sale(world, cust)
    assert services.run_rule(q, Rule.FIRST_SALE) == 1
    inv = Invitation.objects.get(questionnaire=q)
    assert (inv.customer_id, inv.source_type, inv.source_id, inv.employee_id, inv.branch_id) == (
        cust.pk, "sales.sale", str(s.pk), world.service_a.pk, world.a.pk)
    message = Message.objects.get(source_type="surveys.invitation", source_id=str(inv.pk))
    assert (message.kind, message.channel, message.to) == (MessageKind.SERVICE, "email",
                                                           "zofia@example.pl")
    assert "{{ link }}" in message.body  # the token is made at send time, never stored
    # the next run finds nothing new: the watermark moved
    assert services.run_rule(q, Rule.FIRST_SALE) == 0
    assert Invitation.objects.count() == 1


def test_a_second_purchase_is_not_a_first_one(world: Any) -> None:
    q = questionnaire(world)
    cust = customer(world)
    sale(world, cust, at=timezone.now() - datetime.timedelta(days=30))
    sale(world, cust)
    assert services.run_rule(q, Rule.FIRST_SALE) == 0


def test_an_occasion_is_invited_once_even_when_the_watermark_is_lost(world: Any) -> None:
    q = questionnaire(world, quiet_days=1)
    cust = customer(world)
    sale(world, cust)
    services.run_rule(q, Rule.FIRST_SALE)
    Watermark.objects.all().delete()
    Invitation.objects.update(created_at=timezone.now() - datetime.timedelta(days=5))
    assert services.run_rule(q, Rule.FIRST_SALE) == 0
    inv = Invitation.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(questionnaire=q, customer=cust, branch=world.a,
                                  rule=Rule.FIRST_SALE, source_type=inv.source_type,
                                  source_id=inv.source_id, token_hash="x" * 64,
                                  created_at=timezone.now(), expires_at=timezone.now())


def test_no_invitation_within_the_quiet_period(world: Any) -> None:
    q = questionnaire(world, quiet_days=30)
    other = questionnaire(world, name="Po reklamacji")
    cust = customer(world)
    sale(world, cust)
    assert services.run_rule(other, Rule.FIRST_SALE) == 1
    assert services.run_rule(q, Rule.FIRST_SALE) == 0


def test_one_invitation_per_customer_per_run(world: Any) -> None:
    q = questionnaire(world)
    first, second = customer(world), customer(world, email="adam@example.pl")
    sale(world, first)
    sale(world, second)
    assert services.run_rule(q, Rule.FIRST_SALE) == 2
    assert set(Invitation.objects.values_list("customer_id", flat=True)) == {first.pk, second.pk}


def test_a_promoting_questionnaire_needs_the_marketing_consent(world: Any) -> None:
    """(C14)"""
    q = questionnaire(world, promotes_offers=True)
    without, agreed = customer(world), customer(world, email="adam@example.pl")
    customers.consent_record(actor=world.manager_a, customer_id=agreed.pk,
                             purpose="marketing_email", granted=True, source="counter")
    sale(world, without)
    sale(world, agreed)
    assert services.run_rule(q, Rule.FIRST_SALE) == 1
    inv = Invitation.objects.get()
    assert inv.customer_id == agreed.pk
    assert Message.objects.get(source_id=str(inv.pk)).kind == MessageKind.MARKETING


def test_sms_when_the_customer_has_no_email(world: Any) -> None:
    q = questionnaire(world)
    cust = customer(world, email="", phone="+48601222333")
    sale(world, cust)
    assert services.run_rule(q, Rule.FIRST_SALE) == 1
    message = Message.objects.get()
    assert (message.channel, message.subject) == ("sms", "")
    assert message.body.endswith("{{ link }}")


def test_a_customer_abroad_is_invited_in_english(world: Any) -> None:
    q = questionnaire(world)
    cust = customer(world, country="DE", postal_code="10115", city="Berlin")
    sale(world, cust)
    services.run_rule(q, Rule.FIRST_SALE)
    assert Invitation.objects.get().language == "en"
    assert Message.objects.get().subject == "How did we do?"


def test_a_product_questionnaire_follows_sales_of_that_product(world: Any) -> None:
    from punkt.catalog.models import Product
    from punkt.complaints.tests.factories import purchase

    router = Product.objects.create(code="SV-ROUTER", name="Router", vat_rate="23")
    q = questionnaire(world, product_id=router.pk)
    cust = customer(world)
    sale(world, cust)  # a sale without the product
    assert services.run_rule(q, Rule.FIRST_SALE) == 0
    other = customer(world, email="adam@example.pl")
    purchase(world, other)  # a different product
    assert services.run_rule(q, Rule.FIRST_SALE) == 0


def test_a_resolved_ticket_invites_its_customer_with_the_assignee(world: Any) -> None:
    from punkt.servicedesk.models import Ticket
    from punkt.servicedesk.tests.factories import desk, ticket

    q = questionnaire(world)
    cust = customer(world)
    t = ticket(world, desk(world), customer_id=cust.pk)
    Ticket.objects.filter(pk=t.pk).update(assignee=world.service_a, status="resolved",
                                          resolved_at=timezone.now())
    assert services.run_rule(q, Rule.TICKET) == 1
    inv = Invitation.objects.get()
    assert (inv.source_type, inv.source_id, inv.employee_id) == (
        "servicedesk.ticket", str(t.pk), world.service_a.pk)


def test_the_yearly_rule_invites_every_active_customer_once_a_year(world: Any) -> None:
    q = questionnaire(world, rules=[Rule.YEARLY])
    a, b = customer(world), customer(world, branch=world.b, email="b@example.pl")
    assert services.run_rule(q, Rule.YEARLY) == 2
    assert set(Invitation.objects.values_list("source_id", flat=True)) == {
        str(timezone.now().year)}
    assert {i.branch_id for i in Invitation.objects.all()} == {a.branch_id, b.branch_id}
    Invitation.objects.update(created_at=timezone.now() - datetime.timedelta(days=60))
    assert services.run_rule(q, Rule.YEARLY) == 0


def test_an_inactive_questionnaire_sends_nothing(world: Any) -> None:
    q = questionnaire(world, is_active=False)
    sale(world, customer(world))
    assert services.run_rules() == {"invited": 0, "reminded": 0}
    assert not Invitation.objects.filter(questionnaire=q).exists()


def test_one_reminder_to_those_who_did_not_answer(world: Any) -> None:
    q = questionnaire(world, reminder_days=7)
    sale(world, customer(world))
    services.run_rule(q, Rule.FIRST_SALE)
    assert services.send_reminders() == 0  # too early
    later = timezone.now() + datetime.timedelta(days=8)
    assert services.send_reminders(later) == 1
    assert services.send_reminders(later) == 0
    reminder = Message.objects.get(key__startswith="survey-reminder:")
    assert reminder.subject.startswith("Przypomnienie")


def test_the_job_is_claimed_once_per_slot(world: Any) -> None:
    """(C9)"""
    from django_tasks_db.models import DBTaskResult

    from punkt.core.jobs import run_due_jobs
    from punkt.core.models import ScheduledRun

    now = timezone.now()
    assert "surveys.invitations" in run_due_jobs(now)
    assert "surveys.invitations" not in run_due_jobs(now)
    assert ScheduledRun.objects.filter(job="surveys.invitations").count() == 1
    assert DBTaskResult.objects.filter(
        task_path="punkt.surveys.tasks.send_invitations").count() == 1


def test_the_job_invites_and_the_messages_are_delivered(world: Any, mailoutbox: Any) -> None:
    from punkt.surveys.tasks import deliver_messages, send_invitations

    questionnaire(world)
    sale(world, customer(world))
    assert send_invitations.call(slot="x") == {"invited": 1, "reminded": 0}
    message = Message.objects.get()
    assert deliver_messages.call([message.pk]) == {"sent": 1}
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "/survey/" in body and "{{ link }}" not in body
    token = body.split("/survey/")[1].split("/")[0]
    assert services.invitation_for(token).pk == Invitation.objects.get().pk


def test_a_consent_withdrawn_before_sending_stops_the_invitation(world: Any,
                                                                   mailoutbox: Any) -> None:
    """(C14)"""
    from punkt.surveys.tasks import deliver_messages

    q = questionnaire(world, promotes_offers=True)
    cust = customer(world)
    customers.consent_record(actor=world.manager_a, customer_id=cust.pk,
                             purpose="marketing_email", granted=True, source="counter")
    sale(world, cust)
    assert services.run_rule(q, Rule.FIRST_SALE) == 1
    customers.consent_record(actor=world.manager_a, customer_id=cust.pk,
                             purpose="marketing_email", granted=False, source="counter")
    assert deliver_messages.call([Message.objects.get().pk]) == {"skipped": 1}
    assert mailoutbox == []
