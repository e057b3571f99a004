"""Letters for retention customers with neither e-mail nor phone (issue 15): queued from
the HQ letter template, printed by the branch as today's batch (one PDF, the address in a
DL envelope's window), marked sent once per key, on the customer's timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers.models import Customer, TimelineEntry
from punkt.messaging.models import LetterBatch, Message, MessageStatus, MessageTemplate
from punkt.retention import letters, services
from punkt.retention.models import ContactAttempt
from punkt.retention.tests.test_retention import TODAY, active

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> Any:
    settings.VAR_DIR = tmp_path  # the printed batches' PDFs
    with translation.override("en"):
        yield


def unreachable(world: Any, ends_in: int = 20, **address: str) -> Any:
    """An active contract of a customer with neither e-mail nor phone."""
    c = active(world, ends_in)
    Customer.objects.filter(pk=c.customer_id).update(email="", phone="", **address)
    return c


def pdf_text(data: bytes) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_a_letter_is_queued_printed_once_and_noted(world: Any) -> None:
    c = unreachable(world)
    attempt = services.send_template(actor=world.retention_a, contract_id=c.pk,
                                     template_code="retention-letter")
    letter = attempt.message
    assert attempt.channel == "letter" and letter is not None
    assert (letter.channel, letter.status, letter.letter_batch_id) == ("letter", "queued", None)
    assert letter.to.split("\n") == ["Zofia Żółkiewska", "ul. Floriańska 1", "31-042 Kraków"]
    assert c.number in letter.body and "{{" not in letter.body + letter.subject
    assert list(letters.waiting(user=world.retention_a, branch_id=world.a.pk)) == [letter]
    batch = letters.print_batch(actor=world.retention_a, branch_id=world.a.pk, key="k1")
    letter.refresh_from_db()
    assert (letter.status, letter.letter_batch_id) == (MessageStatus.SENT, batch.pk)
    assert letter.sent_at is not None and batch.count == 1
    text = pdf_text(letters.batch_pdf(batch))
    assert "Żółkiewska" in text and "31-042 Kraków" in text and c.number in text
    assert "Dotyczy:" in text
    entry = TimelineEntry.objects.get(customer_id=c.customer_id, kind="letter")
    assert entry.subject.startswith("Letter sent") and entry.direction == "out"
    assert AuditEvent.objects.filter(action="retention.letters.print").count() == 1
    # The same key again: the same batch; nothing printed twice; then nothing is waiting.
    again = letters.print_batch(actor=world.retention_a, branch_id=world.a.pk, key="k1")
    assert again.pk == batch.pk and getattr(again, "replayed", False)
    with pytest.raises(Conflict) as nothing:
        letters.print_batch(actor=world.retention_a, branch_id=world.a.pk, key="k2")
    assert nothing.value.code == "nothing_to_print"
    assert LetterBatch.objects.count() == 1
    assert TimelineEntry.objects.filter(customer_id=c.customer_id, kind="letter").count() == 1


def test_letters_only_for_customers_with_neither_e_mail_nor_phone(world: Any) -> None:
    reachable = active(world, 20)  # has an e-mail
    with pytest.raises(ValidationFailed) as refused:
        services.send_template(actor=world.retention_a, contract_id=reachable.pk,
                               template_code="retention-letter")
    assert refused.value.field == "template"
    no_address = unreachable(world, street="", city="", postal_code="")
    with pytest.raises(ValidationFailed) as no_street:
        services.send_template(actor=world.retention_a, contract_id=no_address.pk,
                               template_code="retention-letter")
    assert no_street.value.field == "street"
    assert not Message.objects.filter(channel="letter").exists()
    assert not ContactAttempt.objects.exists()


def test_the_correspondence_address_wins_and_the_worker_never_sends_letters(
        world: Any) -> None:
    from punkt.messaging.services import deliver_now

    c = unreachable(world, corr_street="skr. poczt. 12", corr_postal_code="00-950",
                    corr_city="Warszawa")
    letter = services.send_template(actor=world.retention_a, contract_id=c.pk,
                                    template_code="retention-letter").message
    assert letter is not None and letter.to.endswith("skr. poczt. 12\n00-950 Warszawa")
    assert deliver_now(letter.pk) == "queued"
    letter.refresh_from_db()
    assert letter.status == "queued"


def test_hq_edits_the_letter_template_like_the_others(world: Any) -> None:
    from punkt.messaging import services as messaging

    template = MessageTemplate.objects.get(code="retention-letter")
    with pytest.raises(ValidationFailed) as no_subject:
        messaging.template_update(actor=world.expert, template_id=template.pk, name="List",
                                  subject="", body="Umowa {{ numer_umowy }}", is_active=True)
    assert no_subject.value.field == "subject"
    messaging.template_update(actor=world.expert, template_id=template.pk, name="List",
                              subject="Umowa {{ numer_umowy }}",
                              body="Dzień dobry {{ klient }}, umowa {{ numer_umowy }}.",
                              is_active=True)
    c = unreachable(world)
    letter = services.send_template(actor=world.retention_a, contract_id=c.pk,
                                    template_code="retention-letter").message
    assert letter is not None and letter.body == (
        f"Dzień dobry Zofia Żółkiewska, umowa {c.number}.")


def test_printing_is_for_the_branchs_retention_staff(world: Any) -> None:
    c = unreachable(world)
    services.send_template(actor=world.retention_a, contract_id=c.pk,
                           template_code="retention-letter")
    with pytest.raises(ActionDenied):
        letters.print_batch(actor=world.cashier_a, branch_id=world.a.pk, key="x")
    with pytest.raises(NotFound):  # another branch's letters do not exist for B's manager
        letters.print_batch(actor=world.manager_b, branch_id=world.a.pk, key="x")
    with pytest.raises(ValidationFailed) as no_key:
        letters.print_batch(actor=world.retention_a, branch_id=world.a.pk, key="")
    assert no_key.value.field == "Idempotency-Key"
    assert not LetterBatch.objects.exists()


def test_end_of_term_notice_without_e_mail_or_phone_becomes_a_letter(world: Any) -> None:
    c = unreachable(world, 20)
    assert services.send_end_of_term_notices(TODAY) == 1
    assert services.send_end_of_term_notices(TODAY) == 0
    notice = Message.objects.get(key=f"eot:{c.pk}")
    assert (notice.channel, notice.kind, notice.status) == ("letter", "service", "queued")
    assert c.number in notice.body


def test_the_page_prints_once_and_the_api_too(world: Any, client_as: Any) -> None:
    c = unreachable(world)
    r = client_as(world.retention_a)
    case = r.get(reverse("retention:case", args=[c.pk])).content.decode()
    assert "retention-letter" in case and "retention-email" not in case
    r.post(reverse("retention:send", args=[c.pk]), {"template": "retention-letter"})
    page = r.get(reverse("retention:letters")).content.decode()
    assert 'data-testid="print-letters"' in page and "Żółkiewska" in page
    assert "31-042 Kraków" in page
    url = reverse("retention:letters")
    done = r.post(url, {"key": "page-1", "branch": world.a.pk}, follow=True)
    text = done.content.decode()
    batch = LetterBatch.objects.get()
    assert 'data-testid="batch-pdf"' in text and batch.number in text
    r.post(url, {"key": "page-1", "branch": world.a.pk})  # a second click
    assert LetterBatch.objects.count() == 1
    pdf = r.get(reverse("retention:letter_batch_pdf", args=[batch.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client_as(world.manager_b).get(
        reverse("retention:letter_batch_pdf", args=[batch.pk])).status_code == 404
    # The API: list, print with a key (replayed), nothing left → 409; roles first.
    services.send_template(actor=world.retention_a, contract_id=unreachable(world, 25).pk,
                           template_code="retention-letter")
    waiting = r.get(f"/api/v1/retention/letters?branch_id={world.a.pk}")
    assert waiting.status_code == 200 and len(waiting.json()) == 1
    assert waiting.json()[0]["address"][-1] == "31-042 Kraków"
    api = "/api/v1/retention/letters/batches"
    first = r.post(api, {"branch_id": world.a.pk}, content_type="application/json",
                   headers={"Idempotency-Key": "api-1"})
    assert first.status_code == 201, first.content
    assert first.json()["count"] == 1 and len(first.json()["letter_ids"]) == 1
    again = r.post(api, {"branch_id": world.a.pk}, content_type="application/json",
                   headers={"Idempotency-Key": "api-1"})
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    empty = r.post(api, {"branch_id": world.a.pk}, content_type="application/json",
                   headers={"Idempotency-Key": "api-2"})
    assert empty.status_code == 409 and empty.json()["code"] == "nothing_to_print"
    cashier = client_as(world.cashier_a)
    assert cashier.post(api, {"branch_id": world.a.pk}, content_type="application/json",
                        headers={"Idempotency-Key": "api-3"}).status_code == 403
    assert cashier.get(f"/api/v1/retention/letters?branch_id={world.a.pk}").status_code == 403
    other = client_as(world.manager_b).get(f"/api/v1/retention/letters?branch_id={world.a.pk}")
    assert other.status_code == 404


def test_erasing_a_customer_prints_the_run_again_without_their_letter(
        world: Any, django_capture_on_commit_callbacks: Any) -> None:
    """GDPR art. 17: the print run's PDF is printed again without the erased customer's
    letter; the other letters stay; a run with no letter left keeps no PDF."""
    from punkt.contracts.tests.factories import customer
    from punkt.core import files
    from punkt.customers.gdpr import customer_anonymise
    from punkt.messaging.services import AREA

    first = unreachable(world)
    other = customer(world, first_name="Jan", last_name="Brzęczyszczykiewicz",
                     email="jan@example.pl", street="ul. Długa 5", postal_code="80-831",
                     city="Gdańsk")
    second = active(world, 25, cust=other)
    Customer.objects.filter(pk=other.pk).update(email="", phone="")
    for c in (first, second):
        services.send_template(actor=world.retention_a, contract_id=c.pk,
                               template_code="retention-letter")
    batch = letters.print_batch(actor=world.retention_a, branch_id=world.a.pk, key="k1")
    old = batch.pdf_stored
    assert "Żółkiewska" in pdf_text(letters.batch_pdf(batch))

    with django_capture_on_commit_callbacks(execute=True):
        customer_anonymise(actor=world.admin, customer_id=first.customer_id, reason="art. 17")
    batch.refresh_from_db()
    text = pdf_text(letters.batch_pdf(batch))
    assert "Żółkiewska" not in text and "Floriańska" not in text and first.number not in text
    assert "Brzęczyszczykiewicz" in text and "80-831 Gdańsk" in text
    assert batch.pdf_stored != old and batch.count == 2
    assert not files.path_of(old, area=AREA).exists()

    customer_anonymise(actor=world.admin, customer_id=other.pk, reason="art. 17")
    batch.refresh_from_db()
    assert batch.pdf_stored == ""
    with pytest.raises(NotFound):
        letters.batch_pdf(batch)
