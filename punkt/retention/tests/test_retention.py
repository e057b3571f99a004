"""Retention (R5): the worklist, calls and their outcomes, the renewal confirmed by the
customer on a durable medium, end-of-term notices once (C9), churn."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from punkt.contracts import documents
from punkt.contracts import services as contract_services
from punkt.contracts.models import Contract, ContractStatus, Offer, OfferStatus
from punkt.contracts.tests import factories as f
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.customers import services as customers
from punkt.customers.models import Customer, TimelineEntry
from punkt.messaging.models import Message, MessageKind
from punkt.retention import selectors, services
from punkt.retention.models import CaseStatus, RenewalConfirmation, RetentionCase

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _today() -> None:
    """Today as the test runs, not as the module was imported: a run may cross midnight."""
    global TODAY
    TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> Any:
    settings.VAR_DIR = tmp_path
    with translation.override("en"):
        yield


def active(world: Any, ends_in: int, *, quantity: int = 1, cust: Any = None,
           branch_actor: Any = None) -> Contract:
    """An active contract whose term ends ``ends_in`` days after TODAY."""
    actor = branch_actor or world.service_a
    manager = world.manager_a if actor in (world.service_a, world.retention_a) \
        else world.manager_b
    c = f.prepared(world, actor=actor, quantity=quantity, cust=cust)
    contract_services.contract_sign(actor=actor, contract_id=c.pk)
    contract_services.batch_collect(actor=manager, branch_id=c.branch_id)
    contract_services.contract_review(actor=manager, contract_id=c.pk, approve=True,
                                      signatures=["Klient", "Pracownik"])
    contract_services.contract_finalise(actor=world.expert, contract_id=c.pk, approve=True)
    ends = TODAY + datetime.timedelta(days=ends_in)
    Contract.objects.filter(pk=c.pk).update(
        ends_on=ends, starts_on=documents.add_months(ends + datetime.timedelta(days=1), -24))
    return Contract.objects.get(pk=c.pk)


def test_worklist_ranks_by_date_or_value_and_hides_closed(world: Any) -> None:
    soon, later, far = active(world, 10), active(world, 40, quantity=3), active(world, 200)
    active(world, -1)  # already ended
    rows = list(selectors.worklist(user=world.retention_a, today=TODAY))
    assert [r.pk for r in rows] == [soon.pk, later.pk]
    by_value = selectors.worklist(user=world.retention_a, sort="value", today=TODAY)
    assert [r.pk for r in by_value] == [later.pk, soon.pk]
    assert far.pk not in [r.pk for r in selectors.worklist(user=world.retention_a,
                                                            horizon_days=120, today=TODAY)]
    services.log_call(actor=world.retention_a, contract_id=soon.pk, outcome="declined",
                      reason="Przechodzi do konkurencji", today=TODAY)
    assert [r.pk for r in selectors.worklist(user=world.retention_a, today=TODAY)] == [later.pk]
    assert list(selectors.worklist(user=world.manager_b, today=TODAY)) == []
    with pytest.raises(ActionDenied):
        selectors.worklist(user=world.cashier_a, today=TODAY)


def test_call_outcomes_are_required_and_checked(world: Any) -> None:
    c = active(world, 20)
    cases = [({"outcome": ""}, "outcome"), ({"outcome": "declined"}, "reason"),
             ({"outcome": "callback"}, "callback_on"),
             ({"outcome": "callback", "callback_on": "2030-06-01"}, "callback_on"),
             ({"outcome": "callback", "callback_on": "jutro"}, "callback_on")]
    for args, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            services.log_call(actor=world.retention_a, contract_id=c.pk, today=TODAY, **args)
        assert exc.value.field == field, args
    services.log_call(actor=world.retention_a, contract_id=c.pk, outcome="unreachable",
                      today=TODAY)
    services.log_call(actor=world.retention_a, contract_id=c.pk, outcome="callback",
                      callback_on=(TODAY + datetime.timedelta(days=2)).isoformat(),
                      note="po 17:00", today=TODAY)
    case = c.retention_case
    case.refresh_from_db()
    assert (case.status, case.last_outcome, case.attempts) == (CaseStatus.OPEN, "callback", 2)
    assert case.callback_on == TODAY + datetime.timedelta(days=2)
    due = selectors.worklist(user=world.retention_a, due_only=True,
                             today=TODAY + datetime.timedelta(days=2))
    assert [r.pk for r in due] == [c.pk]
    assert TimelineEntry.objects.filter(customer_id=c.customer_id, kind="call").count() == 2
    with pytest.raises(ActionDenied):
        services.log_call(actor=world.service_a, contract_id=c.pk, outcome="unreachable",
                          today=TODAY)
    with pytest.raises(ActionDenied):
        services.log_call(actor=world.manager_b, contract_id=c.pk, outcome="unreachable",
                          today=TODAY)


def test_yes_on_the_phone_sends_a_proposal_and_the_customer_accepts(
        world: Any, client: Any, client_as: Any, settings: Any) -> None:
    from punkt.core.testing import smtp_sink
    from punkt.messaging.services import deliver_now

    old = active(world, 25)
    services.log_call(actor=world.retention_a, contract_id=old.pk, outcome="renewed",
                      note="Klient chce zostać", today=TODAY)
    case = old.retention_case
    case.refresh_from_db()
    offer = case.renewal_offer
    assert offer is not None
    assert case.status == CaseStatus.OFFER_SENT and offer.status == OfferStatus.PRESENTED
    assert offer.renews_id == old.pk and offer.total_gross == old.total_gross
    assert not Contract.objects.filter(renews=old).exists()  # not a contract yet (art. 20)
    mail = Message.objects.get(source_id=str(offer.pk))
    assert mail.kind == MessageKind.SERVICE and mail.attachment_name.endswith(".pdf")
    assert "{{ link }}" in mail.body  # the secret link is made when sending, never stored
    with smtp_sink(settings) as sink:
        deliver_now(mail.pk)
    sent = next(p for p in sink.messages[0].walk() if p.get_content_type() == "text/plain")
    token = sent.get_payload(decode=True).decode().split("/potwierdzenie/")[1].split("/")[0]
    assert not Message.objects.filter(body__contains=token).exists()
    # Staff cannot accept it for the customer (art. 20).
    with pytest.raises(Conflict) as exc:
        from punkt.contracts import services as offers

        offers.offer_decide(actor=world.retention_a, offer_id=offer.pk, accepted=True)
    assert exc.value.code == "customer_accepts"
    page = client.get(f"/potwierdzenie/{token}/")
    assert page.status_code == 200 and offer.number in page.content.decode()
    assert client.get("/potwierdzenie/nie-ma-takiego/").status_code == 404
    accepted = client.post(f"/potwierdzenie/{token}/", HTTP_USER_AGENT="Firefox")
    assert accepted.status_code == 200 and 'data-testid="accepted"' in accepted.content.decode()
    again = client.post(f"/potwierdzenie/{token}/")
    assert again.status_code == 409
    confirmation = RenewalConfirmation.objects.get(offer=offer)
    assert confirmation.accepted_ip == "127.0.0.1" and confirmation.accepted_agent == "Firefox"
    offer.refresh_from_db()
    case.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and case.status == CaseStatus.RENEWED
    assert Message.objects.filter(key=f"renewal-accepted:{offer.pk}").count() == 1
    box = client_as(world.retention_a).get(reverse("retention:worklist") + "?part=renewals",
                                           HTTP_HX_REQUEST="true").content.decode()
    assert reverse("contracts:contract_prepare", args=[offer.pk]) in box
    # The new contract is prepared from the accepted offer, linked to the old one.
    template = Contract.objects.get(pk=old.pk).template
    new = contract_services.contract_prepare(actor=world.retention_a, offer_id=offer.pk,
                                             template_version_id=template.pk, term_months=24)
    assert new.renews_id == old.pk
    assert old.pk not in [r.pk for r in selectors.worklist(user=world.retention_a,
                                                            today=TODAY)]


def test_an_expired_proposal_cannot_be_accepted(world: Any, client: Any) -> None:
    old = active(world, 25)
    services.log_call(actor=world.retention_a, contract_id=old.pk, outcome="renewed",
                      today=TODAY)
    offer = Offer.objects.get(renews=old)
    token = services.proposal_link(offer.pk).rstrip("/").rsplit("/", 1)[1]
    RenewalConfirmation.objects.filter(offer=offer).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(Conflict) as exc:
        services.confirmation_accept(token=token, ip=None, agent="")
    assert exc.value.code == "expired"
    page = client.get(f"/potwierdzenie/{token}/")  # no personal data on a closed link
    assert page.status_code == 410 and old.customer.display_name not in page.content.decode()
    with pytest.raises(NotFound):
        services.confirmation_accept(token="x" * 43, ip=None, agent="")


def test_templates_respect_marketing_consent(world: Any) -> None:
    c = active(world, 30)
    with pytest.raises(Conflict) as exc:
        services.send_template(actor=world.retention_a, contract_id=c.pk,
                               template_code="retention-email")
    assert exc.value.code == "no_consent"
    customers.consent_record(actor=world.retention_a, customer_id=c.customer_id,
                             purpose="marketing_email", granted=True)
    attempt = services.send_template(actor=world.retention_a, contract_id=c.pk,
                                     template_code="retention-email")
    assert attempt.message is not None and c.number in attempt.message.subject
    assert "Zofia Żółkiewska" in attempt.message.body


def test_end_of_term_notices_go_once_without_consent(world: Any) -> None:
    by_mail = active(world, 20)
    by_sms = active(world, 25)
    Customer.objects.filter(pk=by_sms.customer_id).update(email="", phone="+48601000111")
    active(world, 45)  # outside the 30-day notice period
    assert services.send_end_of_term_notices(TODAY) == 2
    assert services.send_end_of_term_notices(TODAY) == 0
    mail = Message.objects.get(key=f"eot:{by_mail.pk}")
    sms = Message.objects.get(key=f"eot:{by_sms.pk}")
    assert (mail.channel, mail.kind, bool(mail.attachment_stored)) == ("email", "service", True)
    assert sms.channel == "sms" and by_sms.number in sms.body


def test_churn_counts_customers_who_left_per_branch_and_month(world: Any) -> None:
    """R5.3: a customer whose contract stopped with no other active contract and no
    renewal left; counted from the kept figures once the daily job ends the contracts."""
    left = active(world, 2)
    stayed = active(world, 2)
    renewal = f.prepared(world, cust=stayed.customer)
    Contract.objects.filter(pk=renewal.pk).update(renews=stayed)
    contract_services.contracts_end_due(today=TODAY + datetime.timedelta(days=3))
    month = (TODAY + datetime.timedelta(days=2)).replace(day=1)
    report = selectors.churn(user=world.manager_a, month=month,
                             today=TODAY + datetime.timedelta(days=3))
    (row,) = report.rows
    assert (row.ended, row.left, str(row.rate)) == (2, 1, "50.0")
    assert report.company[-1].month >= month
    assert [r.left for r in report.company if r.month == month] == [1]
    left.refresh_from_db()
    assert left.status == ContractStatus.ENDED and left.left_on == left.ends_on
    assert selectors.churn(user=world.manager_b, month=month).rows == []


@pytest.mark.parametrize("left,previous,met", [
    (85, 100, True), (86, 100, False), (0, 0, True), (1, 0, False), (0, None, None),
    (17, 20, True), (18, 20, False), (5, 6, True), (6, 6, False)])
def test_the_goal_is_15_percent_fewer_than_the_month_before(left: int, previous: int | None,
                                                            met: bool | None) -> None:
    assert selectors.goal_met(left, previous) is met


def test_pages_and_refusals(world: Any, client_as: Any) -> None:
    c = active(world, 15)
    retention = client_as(world.retention_a)
    listing = retention.get(reverse("retention:worklist")).content.decode()
    assert "Zofia Żółkiewska" in listing
    dash = retention.get("/").content.decode()
    assert 'data-testid="panel-ending"' in dash
    page = retention.get(reverse("retention:case", args=[c.pk])).content.decode()
    assert "Zadzwoń" in page or "Rozmowa" in page
    done = retention.post(reverse("retention:call", args=[c.pk]), {"outcome": "declined"},
                          follow=True).content.decode()
    assert "Podaj, dlaczego klient odmówił" in done
    retention.post(reverse("retention:call", args=[c.pk]),
                   {"outcome": "unreachable", "note": "poczta głosowa"})
    after = retention.get(reverse("retention:case", args=[c.pk])).content.decode()
    assert "poczta głosowa" in after
    assert client_as(world.manager_b).get(reverse("retention:case", args=[c.pk])
                                          ).status_code == 404
    assert client_as(world.service_a).get(reverse("retention:worklist")).status_code == 403
    churn = client_as(world.expert).get(reverse("retention:churn"))
    assert churn.status_code == 200


def test_one_proposal_at_a_time_and_a_new_one_after_expiry(world: Any) -> None:
    old = active(world, 25)
    services.log_call(actor=world.retention_a, contract_id=old.pk, outcome="renewed",
                      today=TODAY)
    with pytest.raises(Conflict) as exc:
        services.log_call(actor=world.retention_a, contract_id=old.pk, outcome="renewed",
                          today=TODAY)
    assert exc.value.code == "pending"
    first = Offer.objects.get(renews=old)
    RenewalConfirmation.objects.filter(offer=first).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    services.log_call(actor=world.retention_a, contract_id=old.pk, outcome="renewed",
                      today=TODAY)
    first.refresh_from_db()
    assert first.status == OfferStatus.DECLINED
    assert Offer.objects.filter(renews=old, status=OfferStatus.PRESENTED).count() == 1
    # The renewal contract continues the old term.
    second = Offer.objects.get(renews=old, status=OfferStatus.PRESENTED)
    Offer.objects.filter(pk=second.pk).update(status=OfferStatus.ACCEPTED)
    new = contract_services.contract_prepare(actor=world.retention_a, offer_id=second.pk,
                                             template_version_id=old.template_id, term_months=24)
    assert new.starts_on == old.ends_on + datetime.timedelta(days=1)


def test_no_proposal_without_an_address(world: Any) -> None:
    old = active(world, 25)
    Customer.objects.filter(pk=old.customer_id).update(email="", phone="")
    with pytest.raises(ValidationFailed) as exc:
        services.log_call(actor=world.retention_a, contract_id=old.pk, outcome="renewed",
                          today=TODAY)
    assert exc.value.field == "outcome"


def test_declining_on_the_phone_closes_the_pending_proposal(world: Any) -> None:
    old = active(world, 25)
    services.log_call(actor=world.retention_a, contract_id=old.pk, outcome="renewed",
                      today=TODAY)
    offer = Offer.objects.get(renews=old)
    token = services.proposal_link(offer.pk).rstrip("/").rsplit("/", 1)[1]
    services.log_call(actor=world.retention_a, contract_id=old.pk, outcome="declined",
                      reason="Jednak rezygnuje", today=TODAY)
    with pytest.raises(Conflict):
        services.confirmation_accept(token=token, ip=None, agent="")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    assert RetentionCase.objects.get(contract=old).status == CaseStatus.DECLINED


def test_proposals_and_notices_are_not_sent_by_hand(world: Any) -> None:
    c = active(world, 30)
    for code in ("end-of-term-email", "renewal-proposal-email"):
        with pytest.raises(ValidationFailed) as exc:
            services.send_template(actor=world.retention_a, contract_id=c.pk,
                                   template_code=code)
        assert exc.value.field == "template"


def test_one_failing_notice_does_not_stop_the_others(world: Any, monkeypatch: Any) -> None:
    bad, good = active(world, 10), active(world, 12)
    real = services._notice

    def flaky(contract: Any, key: str) -> int:
        if contract.pk == bad.pk:
            raise RuntimeError("PDF renderer crashed")
        return real(contract, key)

    monkeypatch.setattr(services, "_notice", flaky)
    assert services.send_end_of_term_notices(TODAY) == 1
    assert Message.objects.get(key=f"eot:{bad.pk}").status == "failed"
    assert Message.objects.get(key=f"eot:{good.pk}").status == "queued"


def test_call_backs_due_show_in_my_work(world: Any, client_as: Any) -> None:
    """"My work" lists the customers whose call-back date has come (R5.2, R15.1)."""
    from django.urls import reverse
    from django.utils import timezone

    contract = active(world, 30)
    services.log_call(actor=world.retention_a, contract_id=contract.pk, outcome="callback",
                      callback_on=timezone.localdate().isoformat())
    page = client_as(world.retention_a).get(reverse("work:my_work")).content.decode()
    assert 'data-testid="callbacks"' in page and contract.customer.display_name in page
    other = client_as(world.cashier_a).get(reverse("work:my_work")).content.decode()
    assert 'data-testid="callbacks"' not in other
