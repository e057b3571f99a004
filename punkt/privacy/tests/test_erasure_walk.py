"""Erasure leaves no personal data behind (C28): a walk over EVERY text column of every
model reachable from a customer — following foreign keys transitively through the model
graph (contract → its events, invoice → its payments → till entries, offer → its renewal
confirmation …), not only direct ones — plus the stores linked to no customer (the audit
rows about the record, background job payloads, import error lists).

Each reachable model gets at least one row of one customer (and of a duplicate merged
into them); a marker ("Zzyzxqw") goes into every text column of those rows; after
``customer_anonymise`` no column holds it, except the columns declared in ``KEPT`` with
the reason the law or the design keeps them. A new model or column linked to customers
fails here until erasure handles it or it is declared."""

from __future__ import annotations

import datetime
from collections import deque
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.utils import timezone

from punkt.core.access import SystemActor
from punkt.core.models import AuditEvent, JobProgress
from punkt.customers import gdpr
from punkt.customers.models import Customer, CustomerContact

pytestmark = pytest.mark.django_db

MARKER = "Zzyzxqw"

#: (model label, column) → why erasure keeps it.
KEPT: dict[tuple[str, str], str] = {
    ("contracts.contract", "values"): "the data the contract was signed with, kept until "
    "claims are time-barred (KC art. 118); the retention purge contracts.closed clears it",
    ("contracts.contract", "scan_name"): "name of the signed scan, kept with the contract",
    ("contracts.contract", "scan_type"): "content type of the scan (not personal)",
    ("contracts.contract", "pdf_stored"): "random stored file name of the contract PDF",
    ("contracts.contract", "scan_stored"): "random stored file name of the scan",
    ("contracts.contractevent", "action"): "workflow step code",
    ("contracts.contractevent", "actor_label"): "who acted (an employee or a job)",
    ("contracts.offerline", "code"): "price list item code (not personal)",
    ("contracts.offerline", "name"): "price list item name (not personal)",
    ("contracts.offerline", "unit"): "unit of the item (not personal)",
    ("contracts.offerline", "vat_rate"): "VAT rate (not personal)",
    ("cashdesk.invoice", "number"): "invoice number, an accounting record (VAT art. 112)",
    ("cashdesk.invoice", "period"): "billing period, accounting record",
    ("cashdesk.invoice", "lines"): "invoiced services and amounts, accounting record",
    ("cashdesk.invoice", "ksef_number"): "KSeF number, accounting record",
    ("cashdesk.invoice", "verification_url"): "KSeF verification link, accounting record",
    ("cashdesk.invoice", "delivery_channel"): "how the invoice was delivered (a code)",
    ("cashdesk.payment", "reason"): "cashier's reason for a reversal, accounting record "
    "on an append-only ledger (Accounting Act art. 74)",
    ("cashdesk.payment", "key"): "idempotency key (random)",
    ("cashdesk.credituse", "reason"): "HQ's reason for undoing a credit settlement, "
    "accounting record on an append-only ledger",
    ("cashdesk.creditrefund", "number"): "KW number of a cash refund, accounting record",
    ("cashdesk.creditrefund", "reason"): "reason of a cash refund, accounting record",
    ("cashdesk.creditrefund", "key"): "idempotency key (random)",
    ("complaints.complaintletter", "key"): "once-only key of the page or API client (random)",
    ("work.task", "subject_type"): "type of the record the task is about (a code)",
    ("servicedesk.ticket", "number"): "ticket number (ZG/<year>/<n>, not personal)",
    ("complaints.complaint", "number"): "complaint number (RK/<year>/<n>, not personal)",
    ("complaints.complaint", "terms_version"): "the company's complaint terms shown (a "
    "document's version, not personal)",
    ("complaints.complaint", "legal_basis"): "the provision a rejection rests on, kept with "
    "the decision while claims are not time-barred",
    ("complaints.complaintletter", "tracking_number"): "the post office's registered-mail "
    "number, the proof of dispatch of an answer (not personal)",
    ("complaints.complaintaction", "procedure"): "the name of the company procedure a "
    "preventive action changed (not personal)",
    ("complaints.countedcomplaint", "cause"): "the statistics' copy of the cause (a code)",
    ("complaints.countedcomplaint", "kind"): "the statistics' copy of the kind (a code)",
    ("complaints.countedcomplaint", "channel"): "the statistics' copy of the channel (a code)",
    ("complaints.complaintevent", "action"): "workflow step code",
    ("complaints.complaintevent", "from_status"): "workflow state (a code)",
    ("complaints.complaintevent", "to_status"): "workflow state (a code)",
    ("pipeline.opportunity", "number"): "opportunity number (SZ/<year>/<n>, not personal)",
    ("pipeline.opportunityevent", "action"): "workflow step code",
    ("chat.chatsession", "nonce"): "random part of the chat visitor's token (not personal)",
    ("work.task", "subject_id"): "id of the record the task is about (a number)",
    ("cashdesk.tillentry", "reason"): "cash movement reason, append-only cash ledger",
    ("cashdesk.tillentry", "source_type"): "the kind of record cash was paid out for (a "
    "model's label, e.g. a complaint's refund)",
    ("cashdesk.tillentry", "source_id"): "the id of the record cash was paid out for",
    ("sales.sale", "reason"): "return reason, sales document (Accounting Act art. 74)",
    ("sales.sale", "key"): "idempotency key (random)",
    ("sales.sale", "key_fingerprint"): "hash of the request",
    ("sales.sale", "receipt_number"): "fiscal receipt number",
    ("sales.sale", "receipt_error"): "fiscal printer error (not personal)",
    ("sales.saleline", "name"): "product name (not personal)",
    ("sales.sale", "campaign_code"): "the leaflet's campaign code given (not personal)",
    ("pipeline.opportunity", "campaign_code"): "the leaflet's campaign code given (not "
    "personal)",
    ("contracts.contract", "campaign_code"): "the leaflet's campaign code given (not "
    "personal)",
    ("loyalty.card", "number"): "the card's generated number (not personal), kept with "
    "the points ledger tied to sales documents",
    ("loyalty.drawwinner", "prize"): "the prize's name as HQ wrote it (not personal)",
    ("loyalty.rewardredemption", "key"): "the exchange's once-only request key (random, "
    "not personal)",
    ("customers.timelineentry", "kind"): "entry kind code",
    ("customers.timelineentry", "source_type"): "the linked record's type",
    ("customers.timelineentry", "source_id"): "the linked record's id",
    ("customers.customer", "country"): "country code of the address (not identifying)",
    ("messaging.message", "key"): "idempotency key of the message",
    ("surveys.invitation", "source_type"): "the type of the record the survey was about",
    ("surveys.invitation", "source_id"): "the id of the record the survey was about",
    ("surveys.invitation", "language"): "the language of the survey (a code)",
    ("surveys.invitation", "channel"): "how the invitation went (a code)",
    ("surveys.invitation", "token_hash"): "hash of the survey link's random token",
    ("mailbox.inboundmail", "key"): "hash of the Message-ID: keeps the mail taken once",
    ("mailbox.outboundmail", "key"): "hash of our Message-ID: threads the answer",
    ("mailbox.outboundmail", "message_id"): "our random Message-ID (not personal)",
    ("messaging.message", "source_type"): "the linked record's type",
    ("messaging.message", "source_id"): "the linked record's id",
    ("messaging.message", "provider_id"): "the provider's message id (not personal)",
    ("cashdesk.idempotencykey", "key"): "idempotency key of a payment (random)",
    ("cashdesk.idempotencykey", "fingerprint"): "hash of the payment request",
    ("cashdesk.idempotencykey", "claim"): "claim token of the key (random)",
    ("retention.renewalconfirmation", "token_hash"): "hash of the acceptance link",
    ("retention.renewalconfirmation", "pdf_stored"): "random stored file name of the "
    "proposal accepted on a durable medium (Consumer Rights Act art. 20)",
}


def _is_text(field: Any) -> bool:
    """Free text: char, text and JSON columns; columns with choices hold codes."""
    return (isinstance(field, (models.CharField, models.TextField, models.JSONField))
            and not field.choices and field.concrete and not field.primary_key)


def reachable() -> dict[type[models.Model], list[str]]:
    """Every model whose rows belong to a customer, with the lookup paths from it to the
    customer (``contract__customer``), found by following foreign keys transitively."""
    found: dict[type[models.Model], list[str]] = {Customer: ["pk"]}
    queue: deque[type[models.Model]] = deque([Customer])
    while queue:
        target = queue.popleft()
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not field.is_relation or field.related_model is not target:
                    continue
                if model is target:
                    continue  # self links (renews, reverses, merged_into) add no rows
                    # of another customer; merged duplicates are walked as customers
                # Cycles (offer ↔ contract) would go on for ever: four links are enough.
                paths = [field.name if p == "pk" else f"{field.name}__{p}"
                         for p in found[target] if p.count("__") < 3]
                known = found.setdefault(model, [])
                new = [p for p in paths if p not in known]
                if new:
                    known.extend(new)
                    queue.append(model)
    return found


def rows_of(model: type[models.Model], paths: list[str], ids: list[int]) -> Any:
    q = models.Q()
    for path in paths:
        q |= models.Q(**{f"{path}__in": ids})
    return model._default_manager.filter(q)


def marker_for(field: Any) -> Any:
    limit = getattr(field, "max_length", None)
    return MARKER[:limit] if limit else MARKER


def _marked(value: Any, field: Any) -> Any:
    if isinstance(field, models.JSONField):
        if isinstance(value, dict):
            return {**value, "zz": MARKER}
        if isinstance(value, list):
            return [*value, MARKER]
        return MARKER
    mark = marker_for(field)
    return mark if len(mark) < len(MARKER) else f"{MARKER} {value or ''}"[:field.max_length
                                                                       or 10_000]


def _holds_marker(value: Any, field: Any) -> bool:
    if value is None:
        return False
    text = str(value)
    return (MARKER in text) if isinstance(field, models.JSONField) else \
        marker_for(field) in text


def build(world: Any) -> tuple[Customer, Customer]:
    """One customer with a row in every model reachable from customers."""
    from punkt.cashdesk import services as cash
    from punkt.cashdesk.tests.factories import invoice
    from punkt.contracts.tests.factories import customer
    from punkt.inventory.tests.factories import shop as make_shop
    from punkt.retention import services as retention
    from punkt.retention.tests.test_retention import active
    from punkt.sales import services as sales

    cust = customer(world, email="zzyzxqw.osoba@example.pl", phone="+48600100200")
    dup = customer(world, first_name="Zofia", last_name="Żółkiewska")
    CustomerContact.objects.create(customer=cust, kind="email", value="druga@example.pl")
    CustomerContact.objects.create(customer=dup, kind="phone", value="+48600999888")
    gdpr.customer_merge(actor=world.expert, survivor_id=cust.pk, merged_id=dup.pk)
    gdpr.data_request_create(actor=world.admin, customer_id=cust.pk, kind="erasure",
                             received_on=timezone.localdate(), note="prośba")
    contract = active(world, 30, cust=cust)
    retention.log_call(actor=world.retention_a, contract_id=contract.pk, outcome="renewed")
    old = invoice(world, cust)
    cash.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="100.00")
    cash.payment_register(actor=world.cashier_a, invoice_id=old.pk, amount="200.00",
                          method="cash", key="0b6c2f9e-walk-0000-0000-000000000001")
    cash.credit_refund(actor=world.cashier_a, customer_id=cust.pk, amount="10.00")
    cash.credit_apply(actor=world.cashier_a, invoice_id=invoice(world, cust).pk)
    cash.duplicate_issue(actor=world.cashier_a, invoice_id=old.pk)
    shop = make_shop(world)
    sales.sale_create(actor=world.service_a, branch_id=world.a.pk, payment_method="card",
                      customer_id=cust.pk, lines=[{"product_id": shop.router.pk}])
    # A loyalty card earning points at a sale, blocked with a reason, its expiry run.
    from punkt.loyalty import services as loyalty
    from punkt.loyalty.models import ExpiryRun

    programme = loyalty.programme_save(actor=world.expert, data={
        "name": "Punkty", "kind": "points", "points_per_zloty": "1", "point_value": "0,01",
        "rewards": "Smycz | 1"})
    card = loyalty.card_issue(actor=world.service_a, branch_id=world.a.pk,
                              programme_id=programme.pk, customer_id=cust.pk)
    sales.sale_create(actor=world.service_a, branch_id=world.a.pk, payment_method="card",
                      lines=[{"product_id": shop.cable.pk}], card=card.number)
    from punkt.loyalty import draws, rewards

    rewards.reward_redeem(actor=world.service_a, card_id=card.pk, branch_id=world.a.pk,
                          reward_id=programme.rewards.get().pk)  # a RewardRedemption
    today = timezone.localdate()
    draw = draws.draw_save(actor=world.expert, data={
        "name": "Losowanie", "programme": programme.pk, "period_from": today,
        "period_to": today, "draw_on": today + datetime.timedelta(days=1),
        "prizes": "Kubek; 1", "rules": "Każda karta z zakupami bierze udział raz."})
    draws.draw_run(actor=world.expert, draw_id=draw.pk, witness="Komisja",
                   today=draw.draw_on)  # the card wins: a DrawWinner of the customer's card
    loyalty.card_move(actor=world.manager_a, card_id=card.pk, action="block",
                      reason="zgubiona przez Zofię")
    ExpiryRun.objects.create(card=card, day=timezone.localdate())
    from punkt.work import services as work

    work.task_create(actor=world.manager_a, title="Oddzwonić", assignee_id=world.service_a.pk,
                     customer_id=cust.pk, notes="klient prosi o kontakt")
    from punkt.servicedesk import services as desk
    from punkt.servicedesk.tests.factories import desk as make_desk

    d = make_desk(world)
    ticket = desk.ticket_create(actor=world.service_a, subject="Brak faktury", channel="phone",
                                type_id=d.question.pk, team_id=d.team_a.pk, customer_id=cust.pk,
                                body="Klientka pyta o fakturę")
    desk.reply(actor=world.service_a, ticket_id=ticket.pk, body="Wysłaliśmy ponownie")
    from punkt.servicedesk.models import TicketDecision

    TicketDecision.objects.create(ticket=ticket, proposal="Zwrot dla klientki",
                                  proposed_by=world.service_a)
    from punkt.mailbox import services as mail_services
    from punkt.mailbox.models import InboundMail, MailAttachment, Mailbox
    from punkt.servicedesk.models import Ticket, TicketMessage

    box = Mailbox.objects.create(team=d.team_a, address="biuro@punkt.test", host="imap.x",
                                 username="u", password="p")
    Ticket.objects.filter(pk=ticket.pk).update(channel="email")
    ticket.refresh_from_db()
    taken = InboundMail.objects.create(
        mailbox=box, uidvalidity=1, uid=1, key="k1", message_id="m1@example.pl",
        from_address=cust.email, from_name="Klientka", subject="Brak faktury",
        html="<p>Klientka</p>", outcome="ticket", ticket=ticket,
        ticket_message=TicketMessage.objects.filter(ticket=ticket).first())
    MailAttachment.objects.create(mail=taken, name="skan.pdf", stored="x.pdf",
                                  content_type="application/pdf", size=1)
    desk.reply(actor=world.service_a, ticket_id=ticket.pk, body="Odpowiedź e-mailem")
    assert mail_services.OutboundMail.objects.filter(ticket=ticket).exists()
    # A ticket the customer wrote through the contact form, answered (the notice queued).
    from punkt.webform import services as webform
    from punkt.webform.tests.factories import filled

    sent = webform.submit(data=filled(email=cust.email, topic=str(d.question.pk)),
                          upload=SimpleUploadedFile("skan.pdf", b"%PDF-1.4\n%%EOF\n"))
    Ticket.objects.filter(pk=sent.ticket.pk).update(customer=cust)
    desk.reply(actor=world.service_a, ticket_id=sent.ticket.pk, body="Odpowiedź na formularz")
    from punkt.chat.models import ChatDesk, ChatSession

    chat = ChatDesk.objects.create(team=d.team_a, title="Czat", allowed_origins="")
    ChatSession.objects.create(desk=chat, ticket=ticket, visitor_name=cust.display_name,
                               visitor_email=cust.email)
    # A complaint about the ticket's matter, with a photo and its receipt queued.
    from punkt.complaints import services as complaints

    complaint = complaints.complaint_create(
        actor=world.service_a, customer_id=cust.pk, kind="consumer_goods", demand="repair",
        product_text="Router", customer_account="Klientka opisuje usterkę",
        employee_opinion="Widać pęknięcie", terms_version="Regulamin", terms_shown=True,
        ticket_id=ticket.pk, attachments=[("photo", SimpleUploadedFile(
            "karta.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32))])
    # ...a request to complete it, answered...
    from punkt.complaints import letters

    asked = letters.completion_request(actor=world.service_a, complaint_id=complaint.pk,
                                       channel="email", missing="Kopia paragonu")
    letters.completion_record(actor=world.service_a, complaint_id=complaint.pk,
                              letter_id=asked.pk, note="Klientka doniosła paragon")
    # ...and a corrective action on its cause (made directly: the walk's setup).
    from punkt.complaints.models import ComplaintAction

    ComplaintAction.objects.create(
        complaint=complaint, kind="preventive", description="Szkolenie po skardze klientki",
        owner=world.service_a, due_on=datetime.date(2030, 1, 1), procedure="Wydawanie sprzętu",
        done_note="Zrobione", verification_note="Sprawdzone")
    # ...counted by the statistics' kept figures (their row of the complaint).
    from punkt.complaints import figures

    figures.refresh(now=timezone.now() + figures.SETTLE + datetime.timedelta(minutes=1))
    # A sale in progress with notes, lost once (its note) and reopened, a control date.
    from punkt.pipeline import services as pipeline
    from punkt.pipeline.models import LossReason

    sale_chance = pipeline.opportunity_create(
        actor=world.service_a, customer_id=cust.pk, title="Internet dla domu",
        notes="Klientka pracuje zdalnie")
    pipeline.control_set(actor=world.service_a, opportunity_id=sale_chance.pk, kind="minutes",
                         on="2027-01-04")
    # ...its meeting minutes, e-mailed to her (the PDF's values carry her name and address)
    from punkt.pipeline import sales_documents

    minutes = sales_documents.document_create(
        actor=world.service_a, opportunity_id=sale_chance.pk, kind="minutes",
        text="Klientka pracuje zdalnie, chce 600 Mb/s")
    sales_documents.document_send(actor=world.service_a, document_id=minutes.pk)
    pipeline.opportunity_lose(actor=world.service_a, opportunity_id=sale_chance.pk,
                              reason_id=LossReason.objects.filter(stage__isnull=True)[0].pk,
                              note="Klientka wyjeżdża")
    # A survey answered with a 2 and a comment; its follow-up closed with a note.
    from punkt.surveys import services as surveys

    q = surveys.questionnaire_save(actor=world.expert, name="Ankieta", title_pl="Ankieta",
                                   questions=[("Jak oceniasz obsługę?", "")], is_active=True)
    survey_token = surveys.counter_open(actor=world.service_a, customer_id=cust.pk,
                                        questionnaire_id=q.pk)
    surveys.answer_submit(token=survey_token, scores={f"q{q.questions.get().pk}": 2},
                          comment="Pani w okienku była niemiła")
    from punkt.surveys.models import FollowUp

    surveys.followup_move(actor=world.retention_a, followup_id=FollowUp.objects.get(
        customer=cust).pk, action="close", outcome="resolved", note="Klientka przeproszona")
    # Customer analytics: the customer's row in a refresh and an A → C drop's record.
    from punkt.analytics import refresh
    from punkt.analytics.models import ClassDrop, Segment, SegmentProduct
    from punkt.analytics.tests.segment_world import product as catalogue_product

    # … and its kept segment rows (a segment of its kind with one target product)
    SegmentProduct.objects.create(
        segment=Segment.objects.create(name="Wszyscy", rules={"kind": [cust.kind]}),
        product=catalogue_product("SEG-1", "Internet"), value=100)
    refresh.refresh()
    ClassDrop.objects.create(customer=cust, branch_id=cust.branch_id, month=0)
    # The customer came with a campaign's leaflet (its code at registration).
    from punkt.campaigns.models import Campaign, CampaignCustomer

    leaflet_campaign = Campaign.objects.create(
        branch=world.a, name="Jesień", code="JESIEN-24", starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 9, 30))
    CampaignCustomer.objects.create(campaign=leaflet_campaign, customer=cust,
                                    branch_id=cust.branch_id)
    # Who brought whom: the customer recommended by another and recommending the duplicate.
    from punkt.customers.models import Recommendation

    friend = Customer.objects.create(branch=world.a, kind="person", first_name="Ala",
                                     last_name="Znajoma", display_name="Ala Znajoma")
    Recommendation.objects.create(customer=cust, recommender=friend)
    Recommendation.objects.create(customer=dup, recommender=cust)
    # Past the tax period the buyer snapshot goes too (see test_recent_invoice_...).
    from punkt.cashdesk.models import Invoice

    Invoice.objects.filter(customer=cust).update(issued_on=datetime.date(2015, 3, 1))
    # A mass e-mail that bounced hard: its address on the suppression list.
    from punkt.messaging.models import Message, Suppression

    bounced = Message.objects.filter(customer=cust).order_by("pk").first()
    assert bounced is not None
    Suppression.objects.create(channel="email", address=cust.email, message=bounced,
                               reason="5.1.1 User unknown")
    return Customer.objects.get(pk=cust.pk), Customer.objects.get(pk=dup.pk)


def payloads(world: Any, cust: Customer) -> None:
    """Copies of the customer's data in stores linked to no customer, as they are now."""
    from punkt.cashdesk.models import InvoiceImport
    from punkt.customers.models import CustomerImport

    cust.refresh_from_db()
    JobProgress.objects.create(kind="customers.import", result={"rows": [
        {"row": 3, "error": f"PESEL {cust.pesel} zajęty: {cust.email}"}]},
        message=f"Wiersz 3: {cust.email}")
    CustomerImport.objects.create(branch=world.a, original_name="k.csv", stored_name="k-1.csv",
                                  errors=[{"row": 2, "column": "email", "value": cust.email}])
    from punkt.work.models import Notification

    Notification.objects.create(recipient=world.manager_a, kind="test",
                                title=f"Oddzwonić: {cust.email}")
    InvoiceImport.objects.create(original_name="f.csv", stored_name="f-1.csv", errors=[
        {"row": 2, "column": "nabywca", "value": f"{cust.first_name} {cust.last_name}"}])


def _mark_everything(graph: dict[type[models.Model], list[str]], ids: list[int]) -> None:
    """Write the marker into every text column of the customer's rows, around the ORM's
    and the database's append-only guards (this is the test's setup, not a service)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
    try:
        for model, paths in graph.items():
            fields = [f for f in model._meta.concrete_fields if _is_text(f)]
            for row in rows_of(model, paths, ids):
                values = {f.attname: _marked(getattr(row, f.attname), f) for f in fields}
                if values:
                    models.QuerySet(model).filter(pk=row.pk).update(**values)
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = origin")


def test_erasure_leaves_no_marker_in_any_column_reachable_from_the_customer(
        world: Any, settings: Any, tmp_path: Any) -> None:
    """(C28)"""
    settings.VAR_DIR = tmp_path
    graph = reachable()
    cust, dup = build(world)
    ids = [cust.pk, dup.pk]
    empty = sorted(m._meta.label_lower for m, paths in graph.items()
                   if not rows_of(m, paths, ids).exists())
    assert not empty, f"build() makes no row of {empty}: add one so the walk covers it"
    assert len(graph) >= 20
    # The record's own change log: an edit that wrote the marker as a value.
    from punkt.customers import services as customers

    customers.customer_update(actor=world.service_a, customer_id=cust.pk,
                              data={"city": f"{MARKER}owo"})
    _mark_everything(graph, ids)
    payloads(world, cust)

    gdpr.customer_anonymise(actor=SystemActor("test"), customer_id=cust.pk,
                            reason="żądanie usunięcia")

    left = []
    for model, paths in graph.items():
        label = model._meta.label_lower
        fields = [f for f in model._meta.concrete_fields if _is_text(f)
                  and (label, f.name) not in KEPT]
        for row in rows_of(model, paths, ids):
            left += [f"{label}.{f.name}" for f in fields
                     if _holds_marker(getattr(row, f.attname), f)]
    for event in AuditEvent.objects.filter(object_type="customers.customer",
                                           object_id__in=[str(i) for i in ids]):
        if MARKER in str(event.changes) + event.message:
            left.append(f"core.auditevent #{event.pk} ({event.action})")
    needles = [MARKER]
    from django_tasks_db.models import DBTaskResult

    from punkt.cashdesk.models import InvoiceImport
    from punkt.customers.models import CustomerImport, CustomerWord, SearchWord
    from punkt.work.models import Notification

    for model, columns in ((JobProgress, ("message", "result")),
                           (CustomerImport, ("errors",)), (InvoiceImport, ("errors",)),
                           (Notification, ("title",)),
                           (DBTaskResult, ("args_kwargs", "return_value", "traceback"))):
        for row in model._default_manager.all():
            for column in columns:
                text = str(getattr(row, column)).lower()
                left += [f"{model._meta.label_lower}.{column} ({n})" for n in needles
                         if n and n.lower() in text]
    words = set(SearchWord.objects.values_list("word", flat=True))
    left += [f"search word {w}" for w in words if w.startswith(("zzyzxqw", "zolkiew"))]
    assert not CustomerWord.objects.filter(customer_id__in=ids).exists()
    assert not left, f"personal data left after erasure: {sorted(set(left))}"


def test_every_kept_column_exists_and_says_why() -> None:
    graph = {m._meta.label_lower: m for m in reachable()}
    for (label, column), reason in KEPT.items():
        assert label in graph, f"{label} is no longer reachable from customers"
        assert _is_text(graph[label]._meta.get_field(column)), (label, column)
        assert len(reason) > 10


def test_recent_invoice_keeps_the_buyer_until_the_tax_period_ends(world: Any) -> None:
    """The buyer's name, NIP and address stay on an invoice within its tax period (VAT
    art. 112); its search columns go at once."""
    from punkt.cashdesk.models import Invoice
    from punkt.cashdesk.tests.factories import invoice

    inv = invoice(world)
    assert inv.buyer_lookup
    gdpr.customer_anonymise(actor=SystemActor("test"), customer_id=inv.customer_id,
                            reason="żądanie")
    inv = Invoice.objects.get(pk=inv.pk)
    assert inv.buyer_name and not inv.buyer_lookup and not inv.buyer_street_key
