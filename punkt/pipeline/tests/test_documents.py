"""The documents of a sale (R11.4, R15.3): offer versions with the price list's gross
prices and a discount per line, the discount above the limit approved by another person
(C11), the minutes, the acceptance act and the questionnaire from the HQ template or the
built-in one, sent by e-mail through the outbox with a signed link, opened by the
customer, and the offer stage left only with the offer sent."""

from __future__ import annotations

import datetime
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from punkt.contracts.models import OfferStatus
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.messaging.models import Message
from punkt.pipeline import sales_documents as docs
from punkt.pipeline import services
from punkt.pipeline.models import ControlDate, SalesDocument
from punkt.pipeline.tests.factories import fill, offer_lines, opportunity, prices, stage

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data,
                          capture_output=True, check=True).stdout.decode()


def week() -> str:
    return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


def of(document: SalesDocument) -> Any:
    assert document.offer is not None
    return document.offer


def offer(world: Any, o: Any, *, discount: str = "0", actor: Any = None,
          price_list: Any = None) -> SalesDocument:
    price_list = price_list or prices(world)
    return docs.offer_version_create(actor=actor or world.service_a, opportunity_id=o.pk,
                                     lines=offer_lines(price_list, discount),
                                     valid_until=week(), text="Montaż w cenie")


def test_an_offer_takes_the_price_lists_gross_prices_and_a_discount_per_line(
        world: Any) -> None:
    o = opportunity(world)
    d = offer(world, o, discount="5")
    lines = list(of(d).lines.order_by("code"))
    assert [(line.code, line.price_gross, line.discount_percent, line.total_gross)
            for line in lines] == [("INT-300", Decimal("59.99"), Decimal("5.00"),
                                    Decimal("56.99")),
                                   ("RTR-1", Decimal("249.00"), Decimal("5.00"),
                                    Decimal("236.55"))]
    assert of(d).total_gross == Decimal("293.54")
    assert of(d).status == OfferStatus.PRESENTED  # 5 % is within the limit
    assert d.version == 1 and d.number == f"{o.number}/OF/1"
    # the validity is the opportunity's control date (a task of the seller)
    control = ControlDate.objects.get(opportunity=o, kind="offer_valid")
    assert control.on.isoformat() == week() and control.task is not None
    text = pdf_text(docs.document_pdf(d))
    assert "Oferta handlowa" in text and d.number in text and "293,54" in text
    assert "249,00" in text and "5%" in text and "Montaż w cenie" in text


def test_a_new_version_supersedes_the_earlier_one(world: Any) -> None:
    o = opportunity(world)
    price_list = prices(world)
    first = offer(world, o, price_list=price_list)
    second = offer(world, o, price_list=price_list)
    of(first).refresh_from_db()
    assert second.version == 2 and of(first).status == OfferStatus.SUPERSEDED
    with pytest.raises(Conflict) as refused:
        docs.document_send(actor=world.service_a, document_id=first.pk)
    assert "nowszą" in refused.value.message


def test_bad_lines_and_dates_are_refused_naming_the_field(world: Any) -> None:
    o = opportunity(world)
    price_list = prices(world)
    for lines, field in (([], "lines"), (offer_lines(price_list, "101"), "lines"),
                         (offer_lines(price_list, "abc"), "lines"),
                         (offer_lines(price_list, "1.234"), "lines")):
        with pytest.raises(ValidationFailed) as bad:
            docs.offer_version_create(actor=world.service_a, opportunity_id=o.pk,
                                      lines=lines, valid_until=week())
        assert bad.value.field == field
    for day in ("", "2020-01-01", "07.12.2026"):
        with pytest.raises(ValidationFailed) as bad_day:
            docs.offer_version_create(actor=world.service_a, opportunity_id=o.pk,
                                      lines=offer_lines(price_list), valid_until=day)
        assert bad_day.value.field == "valid_until"
    assert not SalesDocument.objects.exists()


def test_a_price_list_of_another_branch_is_refused(world: Any) -> None:
    o = opportunity(world)
    other = prices(world, branch=world.b)
    with pytest.raises(ValidationFailed) as bad:
        offer(world, o, price_list=other)
    assert bad.value.field == "lines"


def test_a_discount_above_the_limit_awaits_another_persons_approval(world: Any,
                                                                      settings: Any) -> None:
    """(C11) The author is refused even with the right; the manager approves."""
    assert docs.offers.discount_limit() == Decimal("10")
    o = opportunity(world, actor=world.manager_a)
    d = offer(world, o, discount="15", actor=world.manager_a)
    assert of(d).status == OfferStatus.AWAITING and of(d).max_discount == Decimal("15")
    with pytest.raises(Conflict) as not_yet:
        docs.document_send(actor=world.manager_a, document_id=d.pk)
    assert "zatwierdzić" in not_yet.value.message
    with pytest.raises(ActionDenied):  # the author, although a manager
        docs.document_approve(actor=world.manager_a, document_id=d.pk)
    with pytest.raises(ActionDenied):  # a seller has no right
        docs.document_approve(actor=world.service_a, document_id=d.pk)
    with pytest.raises(NotFound):  # another branch's manager does not see it
        docs.document_approve(actor=world.manager_b, document_id=d.pk)
    docs.document_approve(actor=world.expert, document_id=d.pk)  # HQ
    of(d).refresh_from_db()
    assert of(d).status == OfferStatus.PRESENTED and of(d).approved_by_id == world.expert.pk
    with pytest.raises(Conflict):  # approved once
        docs.document_approve(actor=world.manager_a, document_id=d.pk)
    assert AuditEvent.objects.filter(action="contracts.offer.approve").count() == 1
    assert o.events.filter(action="document_approved").count() == 1
    # exactly the limit needs no approval; the setting moves it
    settings.PUNKT_OFFER_DISCOUNT_LIMIT = "20"
    assert of(offer(world, o, discount="15", actor=world.manager_a)
              ).status == OfferStatus.PRESENTED


def test_an_unapproved_offer_cannot_be_accepted_at_the_counter(world: Any) -> None:
    """(C11) the contract is prepared only from an approved offer."""
    from punkt.contracts import services as contracts

    o = opportunity(world)
    d = offer(world, o, discount="30")
    with pytest.raises(Conflict):
        contracts.offer_decide(actor=world.manager_a, offer_id=of(d).pk, accepted=True)


def test_the_minutes_acceptance_act_and_questionnaire(world: Any) -> None:
    o = opportunity(world)
    with pytest.raises(ValidationFailed) as no_text:
        docs.document_create(actor=world.service_a, opportunity_id=o.pk, kind="minutes")
    assert no_text.value.field == "text"
    minutes = docs.document_create(actor=world.service_a, opportunity_id=o.pk,
                                   kind="minutes", text="Klient <script>x</script>\nDruga")
    text = pdf_text(docs.document_pdf(minutes))
    assert "Notatka ze spotkania" in text and "<script>x</script>" in text and "Druga" in text
    with pytest.raises(ValidationFailed) as no_invoice:
        docs.document_create(actor=world.service_a, opportunity_id=o.pk, kind="acceptance")
    assert no_invoice.value.field == "invoice_ref"
    offer(world, o, discount="0")
    act = docs.document_create(actor=world.service_a, opportunity_id=o.pk, kind="acceptance",
                               invoice_ref="FV/2026/12/7")
    text = pdf_text(docs.document_pdf(act))
    assert "Protokół odbioru" in text and "FV/2026/12/7" in text and "Router" in text
    survey = docs.document_create(actor=world.service_a, opportunity_id=o.pk, kind="survey")
    assert "Ankieta satysfakcji" in pdf_text(docs.document_pdf(survey))
    with pytest.raises(ValidationFailed):
        docs.document_create(actor=world.service_a, opportunity_id=o.pk, kind="contract")


def test_an_hq_template_in_force_is_used(world: Any) -> None:
    from punkt.contracts.tests.factories import publish

    template = publish(world, "minutes_template",
                       b"NOTATKA {{ numer }} dla {{ klient }}: {{ tresc }}",
                       "notatka.txt", title="Notatka firmowa")
    o = opportunity(world)
    d = docs.document_create(actor=world.service_a, opportunity_id=o.pk, kind="minutes",
                             text="Ustalono montaż")
    assert d.template_id == template.pk
    text = pdf_text(docs.document_pdf(d))
    assert f"NOTATKA {d.number}" in text and "Ustalono montaż" in text
    with pytest.raises(ValidationFailed) as unknown:
        publish(world, "offer_template", b"{{ cena_tajna }}", "oferta.txt")
    assert unknown.value.field == "file"


def test_another_seller_or_branch_cannot_prepare_documents(world: Any) -> None:
    o = opportunity(world)
    with pytest.raises(ActionDenied):
        docs.document_create(actor=world.retention_a, opportunity_id=o.pk, kind="survey")
    with pytest.raises(NotFound):
        docs.document_create(actor=world.service_b, opportunity_id=o.pk, kind="survey")
    docs.document_create(actor=world.manager_a, opportunity_id=o.pk, kind="survey")


def test_sent_by_email_through_smtp_with_a_link_that_opens_the_pdf(
        world: Any, settings: Any, client: Any) -> None:
    from punkt.core.testing import smtp_sink
    from punkt.messaging.services import deliver_now

    o = opportunity(world)
    d = offer(world, o)
    sent = docs.document_send(actor=world.service_a, document_id=d.pk)
    assert sent.sent_at is not None and sent.sent_to == "zofia@example.pl"
    message = Message.objects.get(source_type="pipeline.salesdocument", source_id=str(d.pk))
    assert "{{ link }}" in message.body  # the link is made when sending, never stored
    assert message.attachment_name.endswith(".pdf")
    with smtp_sink(settings) as sink:
        assert deliver_now(message.pk) == "sent"
    mail = sink.messages[0]
    assert d.number in mail["Subject"]
    body = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    link = body.get_payload(decode=True).decode().split("/dokument/")[1].split("/")[0]
    attached = next(p for p in mail.walk() if p.get_content_type() == "application/pdf")
    assert "Oferta handlowa" in pdf_text(attached.get_payload(decode=True))
    assert not Message.objects.filter(body__contains=link).exists()
    page = client.get(f"/dokument/{link}/")  # the page does not count as opening
    assert page.status_code == 200 and d.number in page.content.decode()
    d.refresh_from_db()
    assert d.opened_at is None
    for _n in range(2):
        pdf = client.post(f"/dokument/{link}/")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "Oferta handlowa" in pdf_text(pdf.content)
    d.refresh_from_db()
    assert d.opened_at is not None and d.open_count == 2
    assert o.events.filter(action="document_opened").count() == 2
    assert o.events.filter(action="document_sent").count() == 1


def test_a_tampered_expired_or_other_link_shows_nothing(world: Any, client: Any,
                                                        settings: Any) -> None:
    import time_machine

    o = opportunity(world)
    other = opportunity(world, cust=None)
    mine = docs.document_create(actor=world.service_a, opportunity_id=o.pk, kind="survey")
    theirs = docs.document_create(actor=world.service_a, opportunity_id=other.pk,
                                  kind="minutes", text="Tajne ustalenia")
    docs.document_send(actor=world.service_a, document_id=mine.pk)
    link = docs.document_link(mine.pk).split("/dokument/")[1].rstrip("/")
    # another document's id in the same token: the signature no longer matches
    payload, _sep, rest = link.partition(":")
    forged = docs.signing.dumps({"d": theirs.pk}, salt="other-salt")
    for bad in (link[:-2] + ("AA" if not link.endswith("AA") else "BB"), forged,
                payload + ":" + rest[::-1], "nic"):
        page = client.post(f"/dokument/{bad}/")
        assert page.status_code == 404 and b"Tajne" not in page.content
    # a link of a document never sent opens nothing either
    unsent = docs.document_link(theirs.pk).split("/dokument/")[1].rstrip("/")
    assert client.post(f"/dokument/{unsent}/").status_code == 404
    with time_machine.travel(timezone.now() + datetime.timedelta(
            days=settings.PUNKT_DOCUMENT_LINK_DAYS, hours=1)):
        expired = client.post(f"/dokument/{link}/")
    assert expired.status_code == 410 and b"%PDF" not in expired.content
    mine.refresh_from_db()
    assert mine.open_count == 0


def test_nothing_is_sent_when_the_sending_is_rolled_back(world: Any) -> None:
    """(C12) the message and its task go with the transaction."""
    from django.db import transaction

    o = opportunity(world)
    d = docs.document_create(actor=world.service_a, opportunity_id=o.pk, kind="survey")
    with pytest.raises(RuntimeError), transaction.atomic():
        docs.document_send(actor=world.service_a, document_id=d.pk)
        raise RuntimeError
    assert not Message.objects.exists()
    d.refresh_from_db()
    assert d.sent_at is None


def test_a_customer_without_email_is_refused_naming_the_field(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    o = opportunity(world, cust=customer(world, email=""))
    d = docs.document_create(actor=world.service_a, opportunity_id=o.pk, kind="survey")
    with pytest.raises(ValidationFailed) as no_mail:
        docs.document_send(actor=world.service_a, document_id=d.pk)
    assert no_mail.value.field == "email"


def test_the_offer_stage_is_left_only_with_the_offer_sent(world: Any) -> None:
    o = opportunity(world)
    fill(world, o, "minutes")
    services.opportunity_move(actor=world.service_a, opportunity_id=o.pk,
                              stage_id=stage("offer").pk)
    d = offer(world, o, discount="25")
    with pytest.raises(ValidationFailed) as lacking:
        services.opportunity_move(actor=world.service_a, opportunity_id=o.pk,
                                  stage_id=stage("agreement").pk)
    assert "oferty handlowej wysłanej do klienta" in lacking.value.message
    docs.document_approve(actor=world.manager_a, document_id=d.pk)
    docs.document_send(actor=world.service_a, document_id=d.pk)
    services.opportunity_move(actor=world.service_a, opportunity_id=o.pk,
                              stage_id=stage("agreement").pk)
    # a newer version not sent yet: the offer is not sent any more
    services.opportunity_move(actor=world.service_a, opportunity_id=o.pk,
                              stage_id=stage("offer").pk)
    offer(world, o)
    with pytest.raises(ValidationFailed):
        services.opportunity_move(actor=world.service_a, opportunity_id=o.pk,
                                  stage_id=stage("agreement").pk)
