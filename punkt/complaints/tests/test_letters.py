"""Letters to the customer about a complaint: the answer from HQ's text for the decision
(sent by e-mail with the PDF, into the branch's print run, or handed over), which informs
the customer in the same step, and the request to complete with the customer's term and
the handler's task; proof of dispatch; HQ's texts."""

from __future__ import annotations

import datetime
import subprocess
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from punkt.complaints import letters, services
from punkt.complaints.models import ComplaintLetter, LetterTemplate
from punkt.complaints.tests.factories import complaint
from punkt.complaints.tests.test_remedies import decided
from punkt.core.errors import ActionDenied, Conflict, ValidationFailed

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode()


def remedied(world: Any) -> Any:
    c = decided(world)
    return services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="remedy",
                                   remedy_kind="repair", remedy_note="Wymieniono zasilacz.")


def test_the_draft_fills_hqs_text_for_the_decision(world: Any) -> None:
    c = remedied(world)
    subject, body = letters.draft(c, world.service_a, "answer")
    assert subject == f"Odpowiedź na reklamację {c.number}"
    assert "została uznana w całości" in body and "Wymieniono zasilacz." in body
    assert "{{" not in body and world.a.name in body


def test_a_rejection_gets_the_rejection_text_with_its_reason_and_basis(world: Any) -> None:
    c = complaint(world)
    services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="acknowledge")
    c = services.complaint_move(actor=world.manager_a, complaint_id=c.pk,
                                action="decide_in_branch", outcome="rejected",
                                decision_reason="Uszkodzenie mechaniczne obudowy.",
                                legal_basis="art. 43d ust. 1 ustawy o prawach konsumenta")
    _, body = letters.draft(c, world.manager_a, "answer")
    assert "nie została uznana" in body and "Uszkodzenie mechaniczne obudowy." in body
    assert "art. 43d ust. 1" in body


def test_the_answer_by_email_sends_the_pdf_and_informs_the_customer(world: Any) -> None:
    from punkt.messaging.services import deliver_now

    c = remedied(world)
    subject, body = letters.draft(c, world.service_a, "answer")
    letter = letters.answer_send(actor=world.service_a, complaint_id=c.pk, channel="email",
                                 subject=subject, body=body + "\nDopisek.", key="k1")
    c.refresh_from_db()
    assert (c.status, c.informed_how) == ("informed", "email")
    assert letter.message is not None and letter.message.to == "zofia@example.pl"
    assert deliver_now(letter.message.pk) == "sent"
    sent = mail.outbox[-1]
    assert sent.subject == subject and sent.to == ["zofia@example.pl"]
    name, data, kind = sent.attachments[0]
    assert kind == "application/pdf" and name == letter.file_name
    text = pdf_text(data)
    assert "Dopisek." in text and c.number in text and "ul. Floriańska 1" in text
    # kept as sent, in the history and the audit
    assert ComplaintLetter.objects.get(pk=letter.pk).body.endswith("Dopisek.")
    assert c.events.filter(action="inform").exists()
    from punkt.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="complaints.letter.send").exists()


def test_a_second_click_with_the_same_key_sends_nothing_more(world: Any) -> None:
    c = remedied(world)
    subject, body = letters.draft(c, world.service_a, "answer")
    first = letters.answer_send(actor=world.service_a, complaint_id=c.pk, channel="email",
                                subject=subject, body=body, key="same")
    again = letters.answer_send(actor=world.service_a, complaint_id=c.pk, channel="email",
                                subject=subject, body=body, key="same")
    assert again.pk == first.pk and ComplaintLetter.objects.count() == 1
    with pytest.raises(Conflict):  # without the key: the step is no longer allowed
        letters.answer_send(actor=world.service_a, complaint_id=c.pk, channel="email",
                            subject=subject, body=body)


def test_by_post_the_letter_waits_for_the_print_run_and_its_posting_is_recorded(
        world: Any) -> None:
    from punkt.messaging.models import Channel, Message

    c = remedied(world)
    subject, body = letters.draft(c, world.service_a, "answer")
    letter = letters.answer_send(actor=world.service_a, complaint_id=c.pk, channel="post",
                                 subject=subject, body=body)
    message = Message.objects.get(pk=letter.message_id or 0)
    assert message.channel == Channel.LETTER and message.kind == "service"
    assert "ul. Floriańska 1" in message.to
    today = datetime.date.today()
    with pytest.raises(ValidationFailed) as refused:
        letters.posting_record(actor=world.service_a, complaint_id=c.pk, letter_id=letter.pk,
                               posted_on=str(today + datetime.timedelta(days=1)))
    assert refused.value.field == "posted_on"
    done = letters.posting_record(actor=world.service_a, complaint_id=c.pk,
                                  letter_id=letter.pk, posted_on=today.isoformat(),
                                  tracking_number="RR123456789PL")
    assert (done.posted_on, done.tracking_number) == (today, "RR123456789PL")
    assert c.events.filter(action="letter_posted").exists()


def test_a_placeholder_left_in_the_text_is_refused_on_the_body(world: Any) -> None:
    c = remedied(world)
    with pytest.raises(ValidationFailed) as refused:
        letters.answer_send(actor=world.service_a, complaint_id=c.pk, channel="email",
                            subject="Odpowiedź", body="Dzień dobry {{ klient }}")
    assert refused.value.field == "body"
    c.refresh_from_db()
    assert c.status == "remedied" and not ComplaintLetter.objects.exists()


def test_no_email_address_is_refused_on_the_channel_and_nothing_is_kept(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    c = decided(world, cust=customer(world, email=""))
    c = services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="remedy",
                                remedy_kind="repair", remedy_note="Naprawa.")
    with pytest.raises(ValidationFailed) as refused:
        letters.answer_send(actor=world.service_a, complaint_id=c.pk, channel="email",
                            subject="Odpowiedź", body="Treść")
    assert refused.value.field == "channel"
    assert not ComplaintLetter.objects.exists()


def test_before_the_remedy_an_upheld_complaint_gets_no_answer(world: Any) -> None:
    c = decided(world)
    with pytest.raises(Conflict):
        letters.answer_send(actor=world.service_a, complaint_id=c.pk, channel="in_person",
                            subject="Odpowiedź", body="Treść")


def test_another_branch_cannot_send_a_letter(world: Any) -> None:
    from punkt.core.errors import NotFound

    c = remedied(world)
    with pytest.raises(NotFound):
        letters.answer_send(actor=world.service_b, complaint_id=c.pk, channel="in_person",
                            subject="Odpowiedź", body="Treść")


@time_machine.travel(datetime.datetime(2026, 12, 18, 10, tzinfo=datetime.UTC), tick=False)
def test_the_request_to_complete_gives_7_days_past_weekends_and_a_task(world: Any) -> None:
    from punkt.work.models import Task

    c = complaint(world)
    letter = letters.completion_request(actor=world.service_a, complaint_id=c.pk,
                                        channel="in_person", missing="Kopia paragonu.")
    # 18 Dec 2026 (Friday) + 7 days = 25 Dec (Christmas), 26th Saturday, 27th Sunday → 28th
    assert letter.complete_by == datetime.date(2026, 12, 28)
    assert "Kopia paragonu." in letter.body and "28.12.2026" in letter.body
    task = Task.objects.get(pk=letter.task_id or 0)
    assert task.assignee == world.service_a and task.subject_id == str(c.pk)
    assert "Kopia paragonu." in pdf_text((letters.files.path_of(
        letter.pdf_stored, area="complaints")).read_bytes())
    c.refresh_from_db()
    assert c.deadline.date() >= datetime.date(2027, 1, 1)  # the answer's deadline stays
    with pytest.raises(Conflict):  # one request at a time
        letters.completion_request(actor=world.service_a, complaint_id=c.pk,
                                   channel="in_person", missing="Zdjęcie.")
    done = letters.completion_record(actor=world.service_a, complaint_id=c.pk,
                                     letter_id=letter.pk, note="Klient przyniósł paragon.")
    assert done.completed_note == "Klient przyniósł paragon."
    assert Task.objects.get(pk=letter.task_id or 0).status == "done"
    with pytest.raises(Conflict):
        letters.completion_record(actor=world.service_a, complaint_id=c.pk,
                                  letter_id=letter.pk, note="Drugi raz.")
    assert c.events.filter(action="completion_record").exists()


def test_a_decided_complaint_asks_for_nothing(world: Any) -> None:
    c = decided(world)
    with pytest.raises(Conflict):
        letters.completion_request(actor=world.service_a, complaint_id=c.pk,
                                   channel="in_person", missing="Paragon.")


def test_braces_typed_in_what_is_missing_go_into_the_letter(world: Any) -> None:
    c = complaint(world)
    letter = letters.completion_request(actor=world.service_a, complaint_id=c.pk,
                                        channel="in_person", missing="Paragon {{ nr }}.")
    assert "Paragon {{ nr }}." in letter.body


def test_deciding_closes_the_open_request_and_cancels_its_task(world: Any) -> None:
    from punkt.work.models import Task

    c = complaint(world)
    letter = letters.completion_request(actor=world.service_a, complaint_id=c.pk,
                                        channel="in_person", missing="Kopia paragonu.")
    services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="acknowledge")
    assert ComplaintLetter.objects.get(pk=letter.pk).completed_at is None  # still undecided
    services.complaint_move(actor=world.manager_a, complaint_id=c.pk,
                            action="decide_in_branch", outcome="upheld")
    letter.refresh_from_db()
    assert letter.completed_at is not None
    assert "decyzj" in letter.completed_note
    assert Task.objects.get(pk=letter.task_id or 0).status == "cancelled"
    actions = list(c.events.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["decide_in_branch", "completion_withdrawn"]


def test_hqs_request_text_keeps_what_is_missing_and_the_term(world: Any) -> None:
    from punkt.complaints import defaults

    defaults.install()
    template = LetterTemplate.objects.get(code="completion")
    with pytest.raises(ValidationFailed) as refused:
        letters.template_update(actor=world.expert, template_id=template.pk, name="Prośba",
                                subject="Reklamacja {{ numer }}",
                                body="Prosimy o: {{ brakujace }}.")
    assert refused.value.field == "body"
    assert "termin_uzupelnienia" in str(refused.value)
    letters.template_update(actor=world.expert, template_id=template.pk, name="Prośba",
                            subject="Reklamacja {{ numer }}",
                            body="Prosimy o: {{ brakujace }} do {{ termin_uzupelnienia }}.")


def test_what_is_missing_is_required(world: Any) -> None:
    c = complaint(world)
    with pytest.raises(ValidationFailed) as refused:
        letters.completion_request(actor=world.service_a, complaint_id=c.pk,
                                   channel="in_person", missing="  ")
    assert refused.value.field == "missing"


def test_hq_edits_the_letters_and_an_unknown_field_is_refused(world: Any) -> None:
    from punkt.complaints import defaults

    defaults.install()
    template = LetterTemplate.objects.get(code="answer-upheld")
    with pytest.raises(ValidationFailed) as refused:
        letters.template_update(actor=world.expert, template_id=template.pk, name="X",
                                subject="S", body="Dzień dobry {{ imie }}")
    assert refused.value.field == "body"
    saved = letters.template_update(actor=world.expert, template_id=template.pk,
                                    name="Uznana", subject="Re: {{ numer }}",
                                    body="Uznajemy. {{ sposob_zalatwienia }}")
    assert saved.body == "Uznajemy. {{ sposob_zalatwienia }}"
    with pytest.raises(ActionDenied):
        letters.template_update(actor=world.manager_a, template_id=template.pk, name="X",
                                subject="S", body="B")
    c = remedied(world)
    assert letters.draft(c, world.service_a, "answer") == (
        f"Re: {c.number}", "Uznajemy. naprawa — Wymieniono zasilacz")


# -- through the pages ----------------------------------------------------------------------

def test_the_page_offers_the_answer_and_sends_it(world: Any, client_as: Any) -> None:
    c = remedied(world)
    client = client_as(world.service_a)
    page = client.get(reverse("complaints:complaint_detail", args=[c.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="letter-answer"' in html and "została uznana w całości" in html
    preview = client.post(reverse("complaints:letter_preview", args=[c.pk]),
                          {"subject": "Podgląd", "body": "Tekst podglądu", "channel": "post"})
    assert preview["Content-Type"] == "application/pdf"
    assert "Tekst podglądu" in pdf_text(preview.content)
    assert not ComplaintLetter.objects.exists()
    refused = client.post(reverse("complaints:letter_answer", args=[c.pk]),
                          {"channel": "email", "subject": "Odpowiedź", "body": "",
                           "key": "x1"})
    assert refused.status_code == 400 and 'aria-invalid="true"' in refused.content.decode()
    sent = client.post(reverse("complaints:letter_answer", args=[c.pk]),
                       {"channel": "in_person", "subject": "Odpowiedź", "body": "Uznajemy.",
                        "key": "x2"})
    assert sent.status_code == 302
    letter = ComplaintLetter.objects.get()
    pdf = client.get(reverse("complaints:letter_pdf", args=[c.pk, letter.pk]))
    assert "Uznajemy." in pdf_text(b"".join(pdf.streaming_content)
                                   if hasattr(pdf, "streaming_content") else pdf.content)
    assert client_as(world.service_b).get(
        reverse("complaints:letter_pdf", args=[c.pk, letter.pk])).status_code == 404


def test_the_letters_page_is_hqs(world: Any, client_as: Any) -> None:
    url = reverse("complaints:letter_templates")
    assert client_as(world.manager_a).get(url).status_code == 403
    page = client_as(world.expert).get(url)
    assert page.status_code == 200 and "Odpowiedź: reklamacja uznana" in page.content.decode()


def test_the_api_drafts_sends_and_lists_letters(world: Any, client_as: Any) -> None:
    c = remedied(world)
    client = client_as(world.service_a)
    base = f"/api/v1/complaints/{c.pk}/letters"
    draft = client.get(base + "/draft").json()
    assert draft["subject"] == f"Odpowiedź na reklamację {c.number}"
    refused = client.post(base, {"kind": "answer", "channel": "email", "subject": "S",
                                 "body": ""}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["field"] == "body"
    sent = client.post(base, {"kind": "answer", "channel": "post", "key": "api-1", **draft},
                       content_type="application/json")
    assert sent.status_code == 201, sent.content
    letter = sent.json()
    again = client.post(base, {"kind": "answer", "channel": "post", "key": "api-1", **draft},
                        content_type="application/json")
    assert again.json()["id"] == letter["id"]
    posted = client.post(f"{base}/{letter['id']}/steps",
                         {"step": "posted", "posted_on": datetime.date.today().isoformat(),
                          "tracking_number": "RR1"}, content_type="application/json")
    assert posted.status_code == 200 and posted.json()["tracking_number"] == "RR1"
    listed = client.get(base).json()
    assert [r["id"] for r in listed] == [letter["id"]]
    assert client_as(world.service_b).get(base).status_code == 404


def test_a_key_names_one_letter_of_one_kind(world: Any) -> None:
    c = complaint(world)
    letters.completion_request(actor=world.service_a, complaint_id=c.pk, channel="in_person",
                               missing="Paragon.", key="k-1")
    with pytest.raises(Conflict) as refused:
        letters.answer_send(actor=world.service_a, complaint_id=c.pk, channel="in_person",
                            subject="Odpowiedź", body="Treść", key="k-1")
    assert refused.value.field == "key"


def test_the_posting_is_recorded_once(world: Any) -> None:
    c = remedied(world)
    letter = letters.answer_send(actor=world.service_a, complaint_id=c.pk, channel="post",
                                 subject="Odpowiedź", body="Treść")
    day = datetime.date.today().isoformat()
    letters.posting_record(actor=world.service_a, complaint_id=c.pk, letter_id=letter.pk,
                           posted_on=day, tracking_number="RR1")
    with pytest.raises(Conflict):
        letters.posting_record(actor=world.service_a, complaint_id=c.pk, letter_id=letter.pk,
                               posted_on=day, tracking_number="RR2")


def test_a_refused_step_leaves_no_letter_file(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    c = remedied(world)
    with pytest.raises(ValidationFailed) as refused:
        letters.answer_send(actor=world.service_a, complaint_id=c.pk, channel="email",
                            subject="Odpowiedź", body="Treść", note="x" * 10001)
    assert refused.value.field == "note"
    assert not list(tmp_path.rglob("*.pdf")) and not ComplaintLetter.objects.exists()
