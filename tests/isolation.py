"""C1 registry: how to reach another branch's object through every scoped route.

Every route marked ``branch`` needs an entry here: a function that takes the test
``World`` and returns the URL kwargs (pages) or path (API) of an object belonging to
branch B. The test signs in as branch A's manager (who holds view/edit rights in A) and
expects 404 — or 403 for routes a manager may never use. ``list`` routes need a marker:
text of branch B's object that must not appear in A's list.

Later areas add their routes here; a route without an entry fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

BranchCase = Callable[[Any], dict[str, Any]]


def _absence_b(w: Any) -> dict[str, Any]:
    from punkt.organization.models import Absence

    today = timezone.localdate()
    a = Absence.objects.create(employee=w.service_b, branch=w.b, kind="leave", starts_on=today,
                               ends_on=today)
    return {"branch_id": w.b.pk, "absence_id": a.pk}


def _membership_b(w: Any) -> dict[str, Any]:
    return {"membership_id": w.service_b.memberships.get().pk}


def _day_off_b(w: Any) -> dict[str, Any]:
    from punkt.organization.models import BranchDayOff

    d = BranchDayOff.objects.create(branch=w.b, date=timezone.localdate(), name="Inwentaryzacja")
    return {"branch_id": w.b.pk, "day_off_id": d.pk}


def customer_b(w: Any) -> Any:
    """A customer registered at branch B (with a contact, a note and a merge record)."""
    from punkt.customers import services
    from punkt.customers.models import Customer, CustomerContact, MergeRecord

    existing = Customer.objects.filter(branch=w.b, last_name="Bekowski").first()
    if existing:
        return existing
    c = services.customer_create(actor=w.manager_b, branch_id=w.b.pk, data={
        "kind": "person", "first_name": "Bartosz", "last_name": "Bekowski",
        "phone": "+48601999888", "city": "Bydgoszcz"},
        consents=[{"purpose": "contract", "granted": True}])
    CustomerContact.objects.create(customer=c, kind="email", value="bekowski@example.pl")
    MergeRecord.objects.create(survivor=c, merged=c)
    return c


def material_b(w: Any) -> Any:
    """A leaflet HQ sent to branch B only."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from punkt.materials import services
    from punkt.materials.models import MaterialVersion

    existing = MaterialVersion.objects.filter(material__title="Cennik Bydgoszcz").first()
    if existing:
        return existing
    m = services.material_create(actor=w.expert, kind="promo", title="Cennik Bydgoszcz")
    v = services.version_create(actor=w.expert, material_id=m.pk, valid_from=timezone.localdate(),
                                all_branches=False, branch_ids=[w.b.pk],
                                uploaded=SimpleUploadedFile("b.pdf", b"%PDF-1.4\n%%EOF\n"))
    return services.version_publish(actor=w.expert, version_id=v.pk)


def offer_b(w: Any) -> Any:
    """An offer presented to branch B's customer from a price list in force at B."""
    from punkt.contracts import services as offers
    from punkt.contracts.models import Offer
    from punkt.materials import services as materials

    existing = Offer.objects.filter(branch=w.b).first()
    if existing:
        return existing
    m = materials.material_create(actor=w.expert, kind="price_list", title="Cennik B")
    v = materials.version_create(
        actor=w.expert, material_id=m.pk, valid_from=timezone.localdate(),
        all_branches=False, branch_ids=[w.b.pk],
        uploaded=SimpleUploadedFile("b.csv", b"kod;nazwa;cena;vat\nX-1;Usluga;10;23\n"))
    materials.version_publish(actor=w.expert, version_id=v.pk)
    return offers.offer_create(actor=w.manager_b, customer_id=customer_b(w).pk,
                               lines=[{"price_item_id": v.items.get().pk}])


def contract_b(w: Any) -> Any:
    """Branch B's contract with its PDF and a signed scan, waiting for B's manager."""
    from punkt.contracts import services
    from punkt.contracts.models import Contract
    from punkt.contracts.tests.factories import TEMPLATE, publish

    existing = Contract.objects.filter(branch=w.b).first()
    if existing:
        return existing
    item = offer_b(w).lines.get().price_item_id
    offer = services.offer_create(actor=w.manager_b, customer_id=customer_b(w).pk,
                                  lines=[{"price_item_id": item}])
    services.offer_decide(actor=w.manager_b, offer_id=offer.pk, accepted=True)
    template = publish(w, "contract_template", TEMPLATE, "umowa.txt", branch=w.b,
                       title="Umowa B")
    from punkt.customers.models import Customer

    Customer.objects.filter(pk=offer.customer_id).update(email="b@example.pl",
                                                         pesel="85010112345")
    c = services.contract_prepare(actor=w.manager_b, offer_id=offer.pk,
                                  template_version_id=template.pk, term_months=12)
    services.store_pdf(contract_id=c.pk, revision=1)
    services.contract_sign(actor=w.manager_b, contract_id=c.pk,
                           scan=SimpleUploadedFile("skan.pdf", b"%PDF-1.4\n%%EOF\n"))
    services.batch_collect(actor=w.manager_b, branch_id=w.b.pk)
    return Contract.objects.get(pk=c.pk)


def active_b(w: Any) -> Any:
    """Branch B's active contract ending in 20 days (on B's retention worklist)."""
    import datetime

    from punkt.contracts import services
    from punkt.contracts.models import Contract

    existing = Contract.objects.filter(branch=w.b, status="active").first()
    if existing:
        return existing
    template = contract_b(w).template
    offer = services.offer_create(actor=w.manager_b, customer_id=customer_b(w).pk,
                                  lines=[{"price_item_id": offer_b(w).lines.get().price_item_id}])
    services.offer_decide(actor=w.manager_b, offer_id=offer.pk, accepted=True)
    c = services.contract_prepare(actor=w.manager_b, offer_id=offer.pk,
                                  template_version_id=template.pk, term_months=12)
    services.store_pdf(contract_id=c.pk, revision=1)
    services.contract_sign(actor=w.manager_b, contract_id=c.pk)
    services.batch_collect(actor=w.manager_b, branch_id=w.b.pk)
    services.contract_review(actor=w.manager_b, contract_id=c.pk, approve=True,
                             signatures=["Klient", "Pracownik"])
    services.contract_finalise(actor=w.expert, contract_id=c.pk, approve=True)
    Contract.objects.filter(pk=c.pk).update(
        ends_on=timezone.localdate() + datetime.timedelta(days=20))
    return Contract.objects.get(pk=c.pk)


def _active_b(w: Any) -> dict[str, Any]:
    return {"contract_id": active_b(w).pk}


def _contract_b(w: Any) -> dict[str, Any]:
    return {"contract_id": contract_b(w).pk}


def _customer_b(w: Any) -> dict[str, Any]:
    return {"customer_id": customer_b(w).pk}


def _contact_b(w: Any) -> dict[str, Any]:
    c = customer_b(w)
    return {"customer_id": c.pk, "contact_id": c.contacts.get().pk}


def _merge_b(w: Any) -> dict[str, Any]:
    from punkt.customers.models import MergeRecord

    c = customer_b(w)
    return {"customer_id": c.pk, "record_id": MergeRecord.objects.get(survivor=c).pk}


def _import_b(w: Any) -> int:
    from punkt.customers.models import CustomerImport

    return CustomerImport.objects.create(branch=w.b, created_by=w.manager_b,
                                         original_name="b.csv", stored_name="b-test.csv").pk


def shop_b(w: Any) -> Any:
    """Branch B's counter: a product stocked only at B, an adjustment, an order to HQ and a
    sale to B's customer."""
    from punkt.catalog import services as catalog
    from punkt.catalog.models import Product
    from punkt.contracts.tests.factories import publish
    from punkt.inventory import services as inventory
    from punkt.inventory.models import StockOrder
    from punkt.sales import services as sales
    from punkt.sales.models import Sale

    existing = Sale.objects.filter(branch=w.b).first()
    if existing:
        return existing
    publish(w, "price_list", b"kod;nazwa;cena brutto;VAT\nTYLKO-B;Tylko-B-modem;99;23\n",
            "b.csv", branch=w.b, title="Cennik B")
    product = Product.objects.filter(code="TYLKO-B").first() or catalog.product_create(
        actor=w.expert, code="TYLKO-B", name="Tylko-B-modem", vat_rate="23")
    inventory.adjustment_record(actor=w.manager_b, branch_id=w.b.pk, product_id=product.pk,
                                quantity=3, reason="Bydgoszcz-inwentaryzacja")
    inventory.norm_set(actor=w.manager_b, branch_id=w.b.pk, product_id=product.pk,
                       min_norm=10)
    if not StockOrder.objects.filter(branch=w.b).exists():
        inventory.order_create(actor=w.manager_b, branch_id=w.b.pk, lines={product.pk: 7})
    return sales.sale_create(actor=w.service_b, branch_id=w.b.pk, payment_method="cash",
                             customer_id=customer_b(w).pk,
                             lines=[{"product_id": product.pk, "quantity": 1}])


def order_b(w: Any) -> Any:
    from punkt.inventory.models import StockOrder

    shop_b(w)
    return StockOrder.objects.filter(branch=w.b).first()


def till_b(w: Any) -> Any:
    """A till of branch B (its own cashier) with one payment taken (10 zł overpaid, paid
    out in cash on a KW) and closed."""
    from punkt.cashdesk import services as cashdesk
    from punkt.cashdesk.models import TillSession
    from punkt.core.roles import Role
    from tests.world import make_user

    existing = TillSession.objects.filter(branch=w.b).first()
    if existing:
        return existing
    cashier = make_user("kasjer.b@test.pl", Role.CASHIER, w.b)
    inv = cashdesk.invoice_create(
        actor=w.expert, customer_id=customer_b(w).pk, number="FV/B/1", issued_on="2026-11-01",
        due_on="2026-11-30", lines=[{"name": "Internet", "vat_rate": "23", "net": "50"}])
    session = cashdesk.till_open(actor=cashier, branch_id=w.b.pk, opening_float="0")
    cashdesk.payment_register(actor=cashier, invoice_id=inv.pk, amount="71.50", method="cash")
    cashdesk.credit_refund(actor=cashier, customer_id=inv.customer_id, amount="10.00")
    return cashdesk.till_close(actor=cashier, session_id=session.pk, counted={"50": "1",
                               "10": "1", "1": "1", "0.50": "1"})


def letter_b(w: Any) -> Any:
    """A letter queued at branch B for its customer (printed with B's letters of the day)."""
    from punkt.messaging.models import Message

    existing = Message.objects.filter(branch=w.b, channel="letter").first()
    if existing:
        return existing
    return Message.objects.create(
        customer=customer_b(w), branch=w.b, channel="letter", kind="marketing",
        to="Bartosz Bekowski\nul. Bydgoska 1\n85-001 Bydgoszcz", subject="List-TYLKO-B",
        body="Szanowni Państwo")


def letter_batch_b(w: Any) -> Any:
    """Branch B's letters printed as one batch by its manager."""
    from punkt.messaging.models import LetterBatch
    from punkt.retention import letters

    existing = LetterBatch.objects.filter(branch=w.b).first()
    if existing:
        return existing
    letter_b(w)
    return letters.print_batch(actor=w.manager_b, branch_id=w.b.pk, key="isolation-b")


def task_b(w: Any) -> Any:
    """A task B's manager gave B's service employee about B's customer."""
    from punkt.work import services as work
    from punkt.work.models import Task

    title = "Oddzwonić do klienta B-zadanie"
    existing = Task.objects.filter(branch=w.b, title=title).first()  # not a survey's task
    if existing:
        return existing
    return work.task_create(actor=w.manager_b, title=title,
                            assignee_id=w.service_b.pk, customer_id=customer_b(w).pk)


def team_b(w: Any) -> Any:
    """Branch B's service office (B's service employee a member) and a ticket type."""
    from punkt.servicedesk.models import Team, TeamMember, TicketType

    existing = Team.objects.filter(branch=w.b).first()
    if existing:
        return existing
    team = Team.objects.create(name="Biuro obsługi B-zespół", kind="branch", branch=w.b,
                               hours={"mon": "8:00-16:00", "tue": "8:00-16:00"})
    TeamMember.objects.create(team=team, employee=w.service_b, is_lead=True)
    TicketType.objects.get_or_create(name="Pytanie")
    return team


def desk_b(w: Any) -> Any:
    """Branch B's office chat on B's website."""
    from punkt.chat.models import ChatDesk

    team = team_b(w)
    existing = ChatDesk.objects.filter(team=team).first()
    if existing:
        return existing
    return ChatDesk.objects.create(team=team, title="Czat Biura B-czat",
                                   allowed_origins="https://b.example.pl")


def mail_attachment_b(w: Any) -> Any:
    """An attachment of the e-mail that opened B's ticket."""
    from punkt.core import files
    from punkt.mailbox.models import InboundMail, MailAttachment, Mailbox, Outcome

    ticket = ticket_b(w)
    box = Mailbox.objects.create(team=ticket.team, address="biuro-b@punkt.test",
                                 host="imap.invalid", username="b", password="b")
    mail = InboundMail.objects.create(mailbox=box, uidvalidity=1, uid=1, key="b1",
                                      outcome=Outcome.TICKET, ticket=ticket)
    stored = files.write(b"%PDF-1.4\nB", area="mailbox", ext="pdf")
    return MailAttachment.objects.create(mail=mail, name="skan-b.pdf", stored=stored,
                                         content_type="application/pdf", size=10)


def reply_b(w: Any) -> Any:
    """A ready answer of branch B's service office."""
    from punkt.servicedesk.models import CannedReply

    team = team_b(w)
    return CannedReply.objects.get_or_create(team=team, title="Odpowiedź B-zespołu",
                                             defaults={"body": "Dzień dobry {klient}"})[0]


def resolved_b_last_week(w: Any) -> Any:
    """A ticket B's service employee resolved alone last week (B's control list)."""
    import datetime

    from django.utils import timezone

    from punkt.servicedesk import services as desk
    from punkt.servicedesk.models import Ticket

    t = ticket_b(w)
    desk.ticket_move(actor=w.service_b, ticket_id=t.pk, action="resolve")
    today = timezone.localdate()
    wednesday = today - datetime.timedelta(days=today.weekday() + 5)
    Ticket.objects.filter(pk=t.pk).update(resolved_at=datetime.datetime.combine(
        wednesday, datetime.time(12), tzinfo=timezone.get_current_timezone()))
    return t


def web_contact_b(w: Any) -> Any:
    """The contact form's sender of B's ticket, with the attachment they sent."""
    import secrets

    from punkt.core import files
    from punkt.webform.models import WebContact

    ticket = ticket_b(w)
    existing = WebContact.objects.filter(ticket=ticket).first()
    if existing:
        return existing
    stored = files.write(b"%PDF-1.4\nB", area="webform", ext="pdf")
    return WebContact.objects.create(ticket=ticket, name="Klient B", email="b@example.pl",
                                     secret=secrets.token_hex(16), attachment_name="skan-b.pdf",
                                     attachment_stored=stored,
                                     attachment_type="application/pdf", attachment_size=10)


def ticket_b(w: Any) -> Any:
    """A ticket B's service employee opened at B's counter for B's customer."""
    from punkt.servicedesk import services as desk
    from punkt.servicedesk.models import Ticket, TicketType

    existing = Ticket.objects.filter(branch=w.b).first()
    if existing:
        return existing
    team = team_b(w)
    return desk.ticket_create(actor=w.service_b, subject="Brak sygnału B-zgłoszenie",
                              channel="counter", type_id=TicketType.objects.get(name="Pytanie").pk,
                              team_id=team.pk, customer_id=customer_b(w).pk,
                              body="Klient B zgłasza brak sygnału.")


def complaint_letter_b(w: Any) -> Any:
    """B's request to complete B's complaint (handed over at B's counter)."""
    from punkt.complaints import letters
    from punkt.complaints.models import ComplaintLetter

    complaint = complaint_b(w)
    found = ComplaintLetter.objects.filter(complaint=complaint).first()
    return found or letters.completion_request(actor=w.service_b, complaint_id=complaint.pk,
                                               channel="in_person", missing="Paragon")


def complaint_b(w: Any) -> Any:
    """A complaint B's service employee registered at B's counter about B's sale, with a
    photo of the warranty card."""
    from punkt.complaints import services as complaints
    from punkt.complaints.models import Complaint

    existing = Complaint.objects.filter(branch=w.b).first()
    if existing:
        return existing
    sale = shop_b(w)
    return complaints.complaint_create(
        actor=w.service_b, customer_id=customer_b(w).pk, kind="consumer_goods",
        demand="repair", sale_line_id=sale.lines.get().pk,
        customer_account="Reklamacja-B: modem nie łączy", terms_version="Regulamin B",
        terms_shown=True, attachments=[("warranty", SimpleUploadedFile(
            "karta-b.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32))])


def followup_b(w: Any) -> Any:
    """A survey of B's customer (after a sale at B) answered with a 2: the follow-up it
    opened for B (B's manager: B has no retention employee)."""
    from punkt.surveys import services as surveys
    from punkt.surveys.models import FollowUp, Invitation, Questionnaire

    existing = FollowUp.objects.filter(branch=w.b).first()
    if existing:
        return existing
    q = Questionnaire.objects.filter(name="Ankieta izolacji").first() or \
        surveys.questionnaire_save(actor=w.expert, name="Ankieta izolacji",
                                   title_pl="Jak oceniasz obsługę?",
                                   questions=[("Jak oceniasz obsługę?", "")], is_active=True)
    cust = customer_b(w)
    surveys.invite_events(q, "first_sale", "sales.sale", [(cust.pk, w.b.pk, "1", None)],
                          timezone.now())
    inv = Invitation.objects.get(questionnaire=q, customer=cust)
    token = surveys.survey_link(inv.pk).rstrip("/").rpartition("/")[2]
    surveys.answer_submit(token=token, scores={f"q{q.questions.get().pk}": 2})
    return FollowUp.objects.get(response__invitation=inv)


def opportunity_b(w: Any) -> Any:
    """A sale B's service employee opened with B's customer, its minutes a control date."""
    from punkt.pipeline import services as pipeline
    from punkt.pipeline.models import Opportunity

    existing = Opportunity.objects.filter(branch=w.b).first()
    if existing:
        return existing
    made = pipeline.opportunity_create(actor=w.service_b, customer_id=customer_b(w).pk,
                                       title="Szansa-B: internet dla firmy")
    pipeline.control_set(actor=w.service_b, opportunity_id=made.pk, kind="minutes",
                         on="2027-01-04")
    return made


def sales_document_b(w: Any) -> Any:
    """A questionnaire prepared for branch B's sale (a document of the opportunity)."""
    from punkt.pipeline import sales_documents as docs
    from punkt.pipeline.models import SalesDocument

    existing = SalesDocument.objects.filter(opportunity__branch=w.b).first()
    if existing:
        return existing
    return docs.document_create(actor=w.service_b, opportunity_id=opportunity_b(w).pk,
                                kind="survey", text="Ankieta-B")


def lost_sale_b(w: Any) -> Any:
    """Another customer of B whose sale B lost, with no next contact: "between sales"
    with no next step."""
    from punkt.customers import services as customers
    from punkt.customers.models import Customer
    from punkt.pipeline import services as pipeline

    existing = Customer.objects.filter(branch=w.b, last_name="Bezkrokowa").first()
    if existing:
        return existing
    cust = customers.customer_create(actor=w.manager_b, branch_id=w.b.pk, data={
        "kind": "person", "first_name": "Beata", "last_name": "Bezkrokowa",
        "city": "Bydgoszcz"}, consents=[{"purpose": "contract", "granted": True}],
        confirm_duplicate=True)
    made = pipeline.opportunity_create(actor=w.service_b, customer_id=cust.pk,
                                       title="Szansa-B utracona")
    pipeline.opportunity_lose(actor=w.service_b, opportunity_id=made.pk,
                              reason_id=_any_loss_reason())
    return cust


def deal_import_b(w: Any) -> Any:
    """B's manager's file of deals, checked."""
    from punkt.pipeline.models import DealImport

    existing = DealImport.objects.filter(branch=w.b).first()
    if existing:
        return existing
    return DealImport.objects.create(branch=w.b, created_by=w.manager_b,
                                     original_name="Transakcje-B.csv",
                                     stored_name="transakcje-b.csv", status="checked")


def _any_loss_reason() -> int:
    from punkt.pipeline.models import LossReason

    return LossReason.objects.filter(stage__isnull=True).values_list("pk", flat=True)[0]


def plan_b(w: Any) -> Any:
    """Branch B's plan of this month and its employee's share."""
    from punkt.pipeline import plans
    from punkt.pipeline.models import SalesPlan

    month = plans.current_month()
    row = SalesPlan.objects.filter(branch=w.b, month=month, employee__isnull=True).first()
    if row is None:
        row = SalesPlan.objects.create(branch=w.b, month=month, won=3)
        SalesPlan.objects.create(branch=w.b, month=month, employee=w.service_b, won=3)
    return row


def pack_b(w: Any) -> Any:
    """Branch B's stored pack of the previous month."""
    from punkt.pipeline import packs, plans
    from punkt.pipeline.models import MonthlyPack

    month = plans.previous_month(plans.current_month())
    row = MonthlyPack.objects.filter(branch=w.b, month=month).first()
    return row or packs.recompute(actor=w.manager_b, branch_id=w.b.pk, month=month)


def analytics_b(w: Any) -> Any:
    """B's customer in the current analytics refresh (potential: no settlements)."""
    from punkt.analytics import refresh
    from punkt.analytics.models import Snapshot, Standing

    cust = customer_b(w)
    snap = Snapshot.objects.current()
    if snap is None or not Standing.objects.filter(snapshot=snap, customer=cust).exists():
        snap = refresh.refresh()
    return cust


def segment_b(w: Any) -> Any:
    """A segment ("Izolacja", industry "Izolacja") whose only customer is B's, with one
    product not offered yet: B's customer is in its matrix and cross-sell list."""
    from punkt.analytics import segments as seg
    from punkt.analytics.models import Segment
    from punkt.catalog.models import Product
    from punkt.customers.models import Customer

    existing = Segment.objects.filter(name="Izolacja").first()
    if existing:
        return existing
    cust = customer_b(w)
    Customer.objects.filter(pk=cust.pk).update(industry="Izolacja")
    product, _made = Product.objects.get_or_create(code="IZO-1",
                                                   defaults={"name": "Produkt izolacji"})
    made = seg.segment_save(actor=w.expert, name="Izolacja", rules={"industry": ["Izolacja"]})
    seg.target_add(actor=w.expert, segment_id=made.pk, product_id=product.pk, value="100")
    return made


def mailing_b(w: Any) -> Any:
    """B's manager's draft e-mail mailing to B's customers (one with the consent)."""
    from punkt.campaigns.models import Mailing
    from punkt.campaigns.services import mailing as mailings
    from punkt.customers import services as customers

    existing = Mailing.objects.filter(branch=w.b).first()
    if existing:
        return existing
    customers.customer_create(
        actor=w.service_b, branch_id=w.b.pk, confirm_duplicate=True,
        consents=[{"purpose": "contract", "granted": True},
                  {"purpose": "marketing_email", "granted": True}],
        data={"kind": "person", "first_name": "Bożena", "last_name": "Wysyłkowa",
              "email": "bozena.wysylkowa@example.pl"})
    return mailings.mailing_create(actor=w.manager_b, data={
        "name": "Bydgoska-mailing", "channel": "email", "subject": "Oferta",
        "body": "Dzień dobry {{ klient }}"})


def campaign_b(w: Any) -> Any:
    """B's own campaign (running), a leaflet for B from an HQ template sent to B only, a
    print order of it and a customer registered at B with its code."""
    from punkt.campaigns import services as campaigns
    from punkt.campaigns.models import Campaign, PrintShop
    from punkt.contracts.tests.factories import publish

    existing = Campaign.objects.filter(branch=w.b).first()
    if existing:
        return existing
    today = timezone.localdate()
    campaign = campaigns.campaign_create(actor=w.manager_b, data={
        "name": "Bydgoska-kampania", "starts_on": today, "ends_on": today, "budget": "900",
        "code": "BYDG-KAMP"})
    campaigns.campaign_move(actor=w.manager_b, campaign_id=campaign.pk, action="start")
    template = publish(w, "leaflet_template", b"%PDF-1.4\n%%EOF\n", "ulotka-b.pdf",
                       branch=w.b, title="Ulotka-Bydgoszcz")
    leaflet = campaigns.leaflet_create(actor=w.service_b, campaign_id=campaign.pk,
                                       branch_id=w.b.pk, template_id=template.pk,
                                       title="Bydgoska-ulotka")
    shop = PrintShop.objects.first() or campaigns.shop_save(actor=w.expert, data={
        "name": "Drukarnia", "email": "druk@example.pl", "prices": "500; 100"})
    campaigns.print_order_create(actor=w.service_b, leaflet_id=leaflet.pk, shop_id=shop.pk,
                                 quantity=500)
    return campaign


def print_order_b(w: Any) -> Any:
    from punkt.campaigns.models import PrintOrder

    return PrintOrder.objects.get(campaign=campaign_b(w))


def distribution_b(w: Any) -> Any:
    """Leaflets of B's campaign distributed by a person on a contract of mandate, waiting
    for B's manager."""
    from punkt.campaigns.models import Distribution
    from punkt.campaigns.services import distribution
    from punkt.inventory.services import stock_move

    existing = Distribution.objects.filter(branch=w.b).first()
    if existing:
        return existing
    leaflet = leaflet_b(w)
    stock_move(branch_id=w.b.pk, product_id=leaflet.product_id, delta=500, kind="receipt")
    return distribution.distribution_record(
        actor=w.service_b, leaflet_id=leaflet.pk, kind="mandate", quantity=200,
        distributor="Bydgoski-kolporter", area="ul. Gdańska", pay="50")


def leaflet_b(w: Any) -> Any:
    return campaign_b(w).leaflets.get(source="template")


def local_leaflet_b(w: Any) -> Any:
    """A leaflet B's service employee made locally (an uploaded PDF), waiting for B's
    manager."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from punkt.campaigns.models import Leaflet
    from punkt.campaigns.services import leaflets

    campaign = campaign_b(w)
    existing = Leaflet.objects.filter(campaign=campaign, source="local").first()
    if existing:
        return existing
    return leaflets.leaflet_upload(
        actor=w.service_b, campaign_id=campaign.pk, branch_id=w.b.pk,
        title="Bydgoska-ulotka-lokalna", code=campaign.code,
        pdf=SimpleUploadedFile("lokalna.pdf", b"%PDF-1.4\n%%EOF\n"))


def display_guidance_b(w: Any) -> Any:
    """B's manager's display guidance for B (an HQ display guide sent to B only, a
    reference photo), its task completed by B's service employee with a photo."""
    from punkt.contracts.tests.factories import publish
    from punkt.displays import services as displays
    from punkt.displays.images import png
    from punkt.displays.models import Guidance

    existing = Guidance.objects.filter(branch=w.b).first()
    if existing:
        return existing
    guide = publish(w, "display_guide", png(), "witryna-b.png", branch=w.b,
                    title="Witryna-Bydgoszcz-wzor")
    guidance = displays.guidance_issue(actor=w.manager_b, data={
        "title": "Witryna-Bydgoszcz", "instructions": "Plakat", "material": guide.material_id,
        "due_on": timezone.localdate()},
        photos=[SimpleUploadedFile("wzor-b.png", png())])
    task = guidance.tasks.get()
    displays.task_complete(actor=w.service_b, task_id=task.pk,
                           photos=[SimpleUploadedFile("witryna-b.png", png())])
    return guidance


def display_task_b(w: Any) -> Any:
    return display_guidance_b(w).tasks.get()


def draw(w: Any) -> Any:
    """A planned prize draw among B's programme's cards (draws are HQ's, company-wide)."""
    import datetime

    from django.utils import timezone

    from punkt.loyalty import draws
    from punkt.loyalty.models import PrizeDraw

    existing = PrizeDraw.objects.first()
    if existing:
        return existing
    today = timezone.localdate()
    return draws.draw_save(actor=w.expert, data={
        "name": "Losowanie", "programme": card_b(w).programme_id, "period_from": today,
        "period_to": today, "draw_on": today + datetime.timedelta(days=1),
        "prizes": "Kubek; 1", "rules": "Każda karta z zakupami bierze udział raz."})


def card_b(w: Any) -> Any:
    """A personal points card of B's customer, issued at B."""
    from punkt.loyalty import services as loyalty
    from punkt.loyalty.models import Card, Programme

    existing = Card.objects.filter(branch=w.b).first()
    if existing:
        return existing
    programme = Programme.objects.filter(name="Punkty-B").first() or loyalty.programme_save(
        actor=w.expert, data={"name": "Punkty-B", "kind": "points", "points_per_zloty": "1",
                              "point_value": "0,01"})
    return loyalty.card_issue(actor=w.service_b, branch_id=w.b.pk, programme_id=programme.pk,
                              customer_id=customer_b(w).pk)


# Page routes (URL name → kwargs of a branch-B object).
PAGE_CASES: dict[str, BranchCase] = {
    "organization:branch_detail": lambda w: {"branch_id": w.b.pk},
    "organization:branch_edit": lambda w: {"branch_id": w.b.pk},
    "organization:opening_hours_edit": lambda w: {"branch_id": w.b.pk},
    "organization:schedule": lambda w: {"branch_id": w.b.pk},
    "organization:working_hours_edit": lambda w: {"branch_id": w.b.pk,
                                                  "employee_id": w.service_b.pk},
    "organization:absence_create": lambda w: {"branch_id": w.b.pk},
    "organization:absence_delete": _absence_b,
    "organization:employee_detail": lambda w: {"employee_id": w.service_b.pk},
    "organization:employee_edit": lambda w: {"employee_id": w.service_b.pk},
    "organization:employee_password": lambda w: {"employee_id": w.service_b.pk},
    "organization:membership_add": lambda w: {"employee_id": w.service_b.pk},
    "organization:membership_remove": _membership_b,
    "organization:day_off_add": lambda w: {"branch_id": w.b.pk},
    "organization:day_off_remove": _day_off_b,
    "customers:customer_detail": _customer_b,
    "customers:customer_edit": _customer_b,
    "customers:customer_tab": lambda w: {**_customer_b(w), "tab": "contracts"},
    "customers:note_add": _customer_b,
    "customers:contact_log": _customer_b,
    "customers:consent_change": _customer_b,
    "customers:contact_add": _customer_b,
    "customers:contact_remove": _contact_b,
    "customers:gdpr": _customer_b,
    "customers:gdpr_export": _customer_b,
    "customers:merge": _customer_b,
    "customers:recommendation_edit": _customer_b,
    "customers:unmerge": _merge_b,
    "customers:import_detail": lambda w: {"import_id": _import_b(w)},
    "customers:information_clause": lambda w: {"branch_id": w.b.pk},
    "materials:version_file": lambda w: {"version_id": material_b(w).pk},
    "materials:version_detail": lambda w: {"version_id": material_b(w).pk},
    "materials:version_open": lambda w: {"version_id": material_b(w).pk},
    "contracts:offer_create": _customer_b,
    "contracts:offer_detail": lambda w: {"offer_id": offer_b(w).pk},
    "contracts:offer_decide": lambda w: {"offer_id": offer_b(w).pk},
    "contracts:contract_prepare": lambda w: {"offer_id": contract_b(w).offer_id},
    "contracts:contract_detail": _contract_b,
    "contracts:contract_pdf": _contract_b,
    "contracts:contract_scan": _contract_b,
    "contracts:contract_action": lambda w: {"contract_id": contract_b(w).pk,
                                            "action": "approve"},
    "contracts:contract_terminate": _active_b,
    "retention:case": _active_b,
    "retention:call": _active_b,
    "retention:send": _active_b,
    "catalog:help_record": _customer_b,
    "inventory:norm": lambda w: {"branch_id": w.b.pk},
    "inventory:adjust": lambda w: {"branch_id": w.b.pk},
    "inventory:order_new": lambda w: {"branch_id": w.b.pk},
    "inventory:order_detail": lambda w: {"order_id": order_b(w).pk},
    "inventory:order_action": lambda w: {"order_id": order_b(w).pk, "action": "cancel"},
    "sales:sale_detail": lambda w: {"sale_id": shop_b(w).pk},
    "sales:sale_return": lambda w: {"sale_id": shop_b(w).pk},
    "sales:receipt_retry": lambda w: {"sale_id": shop_b(w).pk},
    "cashdesk:kp": lambda w: {"payment_id": till_b(w).payments.get().pk},
    "cashdesk:reverse": lambda w: {"payment_id": till_b(w).payments.get().pk},
    "cashdesk:kw": lambda w: {"refund_id": till_b(w).refunds.get().pk},
    "retention:letter_batch_pdf": lambda w: {"batch_id": letter_batch_b(w).pk},
    "cashdesk:till_detail": lambda w: {"session_id": till_b(w).pk},
    "cashdesk:acknowledge": lambda w: {"session_id": till_b(w).pk},
    "cashdesk:cash_report": lambda w: {"session_id": till_b(w).pk},
    "work:task_detail": lambda w: {"task_id": task_b(w).pk},
    "work:task_act": lambda w: {"task_id": task_b(w).pk, "action": "complete"},
    "servicedesk:ticket_detail": lambda w: {"ticket_id": ticket_b(w).pk},
    "servicedesk:ticket_reply": lambda w: {"ticket_id": ticket_b(w).pk},
    "servicedesk:ticket_assign": lambda w: {"ticket_id": ticket_b(w).pk},
    "servicedesk:ticket_act": lambda w: {"ticket_id": ticket_b(w).pk, "action": "resolve"},
    "servicedesk:ticket_transfer": lambda w: {"ticket_id": ticket_b(w).pk},
    "servicedesk:ticket_propose": lambda w: {"ticket_id": ticket_b(w).pk},
    "servicedesk:ticket_decide": lambda w: {"ticket_id": ticket_b(w).pk},
    "servicedesk:ticket_amount": lambda w: {"ticket_id": ticket_b(w).pk},
    "servicedesk:ticket_merge": lambda w: {"ticket_id": ticket_b(w).pk},
    "servicedesk:ticket_split": lambda w: {"ticket_id": ticket_b(w).pk},
    "servicedesk:team_edit": lambda w: {"team_id": team_b(w).pk},
    "mailbox:attachment": lambda w: {"attachment_id": mail_attachment_b(w).pk},
    "webform:attachment": lambda w: {"ticket_id": web_contact_b(w).ticket_id},
    "webform:revoke": lambda w: {"ticket_id": web_contact_b(w).ticket_id},
    "servicedesk:reply_edit": lambda w: {"reply_id": reply_b(w).pk},
    "chat:desk_edit": lambda w: {"desk_id": desk_b(w).pk},
    "chat:desk_preview": lambda w: {"desk_id": desk_b(w).pk},
    "complaints:complaint_detail": lambda w: {"complaint_id": complaint_b(w).pk},
    "loyalty:card_detail": lambda w: {"card_id": card_b(w).pk},
    "loyalty:card_pdf": lambda w: {"card_id": card_b(w).pk},
    "loyalty:card_act": lambda w: {"card_id": card_b(w).pk, "action": "block"},
    "loyalty:reward_redeem": lambda w: {"card_id": card_b(w).pk},
    "campaigns:mailing_detail": lambda w: {"mailing_id": mailing_b(w).pk},
    "campaigns:mailing_edit": lambda w: {"mailing_id": mailing_b(w).pk},
    "campaigns:mailing_test": lambda w: {"mailing_id": mailing_b(w).pk},
    "campaigns:mailing_act": lambda w: {"mailing_id": mailing_b(w).pk, "action": "send"},
    "campaigns:campaign_detail": lambda w: {"campaign_id": campaign_b(w).pk},
    "campaigns:campaign_edit": lambda w: {"campaign_id": campaign_b(w).pk},
    "campaigns:campaign_act": lambda w: {"campaign_id": campaign_b(w).pk, "action": "end"},
    "campaigns:leaflet_new": lambda w: {"campaign_id": campaign_b(w).pk},
    "campaigns:leaflet_pdf": lambda w: {"leaflet_id": leaflet_b(w).pk},
    "campaigns:leaflet_upload": lambda w: {"campaign_id": campaign_b(w).pk},
    "campaigns:leaflet_detail": lambda w: {"leaflet_id": local_leaflet_b(w).pk},
    "campaigns:leaflet_replace": lambda w: {"leaflet_id": local_leaflet_b(w).pk},
    "campaigns:leaflet_norm": lambda w: {"leaflet_id": local_leaflet_b(w).pk},
    "campaigns:leaflet_act": lambda w: {"leaflet_id": local_leaflet_b(w).pk,
                                        "action": "approve"},
    "campaigns:order_new": lambda w: {"leaflet_id": leaflet_b(w).pk},
    "campaigns:order_detail": lambda w: {"print_order_id": print_order_b(w).pk},
    "campaigns:distribution_new": lambda w: {"leaflet_id": leaflet_b(w).pk},
    "campaigns:distribution_act": lambda w: {"distribution_id": distribution_b(w).pk,
                                             "action": "confirm"},
    "displays:guidance_detail": lambda w: {"guidance_id": display_guidance_b(w).pk},
    "displays:guidance_photo": lambda w: {"guidance_id": display_guidance_b(w).pk,
                                          "photo_id": display_guidance_b(w).photos.get().pk},
    "displays:task_detail": lambda w: {"task_id": display_task_b(w).pk},
    "displays:task_complete": lambda w: {"task_id": display_task_b(w).pk},
    "displays:task_photo": lambda w: {"task_id": display_task_b(w).pk,
                                      "photo_id": display_task_b(w).photos.get().pk},
    "displays:task_act": lambda w: {"task_id": display_task_b(w).pk, "action": "accept"},
    "campaigns:order_act": lambda w: {"print_order_id": print_order_b(w).pk,
                                      "action": "deliver"},
    "complaints:complaint_receipt": lambda w: {"complaint_id": complaint_b(w).pk},
    "complaints:complaint_attach": lambda w: {"complaint_id": complaint_b(w).pk},
    "complaints:complaint_file": lambda w: {"complaint_id": complaint_b(w).pk,
                                            "file_id": complaint_b(w).attachments.get().pk},
    "complaints:refund_pay": lambda w: {"complaint_id": complaint_b(w).pk},
    "complaints:capa_add": lambda w: {"complaint_id": complaint_b(w).pk},
    "complaints:capa_move": lambda w: {"complaint_id": complaint_b(w).pk, "action_id": 1,
                                       "step": "verify"},
    "complaints:letter_answer": lambda w: {"complaint_id": complaint_b(w).pk},
    "complaints:letter_preview": lambda w: {"complaint_id": complaint_b(w).pk},
    "complaints:letter_completion": lambda w: {"complaint_id": complaint_b(w).pk},
    "complaints:letter_pdf": lambda w: {"complaint_id": complaint_b(w).pk,
                                        "letter_id": complaint_letter_b(w).pk},
    "complaints:letter_step": lambda w: {"complaint_id": complaint_b(w).pk,
                                         "letter_id": complaint_letter_b(w).pk,
                                         "step": "completed"},
    "complaints:complaint_act": lambda w: {"complaint_id": complaint_b(w).pk,
                                           "action": "acknowledge"},
    "pipeline:deal_import": lambda w: {"import_id": deal_import_b(w).pk},
    "pipeline:opportunity_detail": lambda w: {"opportunity_id": opportunity_b(w).pk},
    "pipeline:opportunity_act": lambda w: {"opportunity_id": opportunity_b(w).pk,
                                           "action": "lose"},
    "pipeline:offer_create": lambda w: {"opportunity_id": opportunity_b(w).pk},
    "pipeline:document_create": lambda w: {"opportunity_id": opportunity_b(w).pk},
    "pipeline:document_pdf": lambda w: {"document_id": sales_document_b(w).pk},
    "pipeline:document_send": lambda w: {"document_id": sales_document_b(w).pk},
    "pipeline:document_approve": lambda w: {"document_id": sales_document_b(w).pk},
    "contracts:offer_approve": lambda w: {"offer_id": offer_b(w).pk},
    "pipeline:plan_year": lambda w: {"branch_id": (plan_b(w), w.b.pk)[1]},
    "pipeline:plan_split": lambda w: {"branch_id": (plan_b(w), w.b.pk)[1],
                                      "month": f"{plan_b(w).month:%Y-%m}"},
    "pipeline:pack_detail": lambda w: {"branch_id": w.b.pk,
                                       "month": f"{pack_b(w).month:%Y-%m}"},
    "pipeline:pack_recompute": lambda w: {"branch_id": w.b.pk,
                                          "month": f"{pack_b(w).month:%Y-%m}"},
    "pipeline:pack_pdf": lambda w: {"branch_id": w.b.pk, "month": f"{pack_b(w).month:%Y-%m}"},
    "surveys:followup_detail": lambda w: {"followup_id": followup_b(w).pk},
    "surveys:followup_move": lambda w: {"followup_id": followup_b(w).pk, "action": "close"},
    "surveys:counter": lambda w: {"customer_id": customer_b(w).pk},
}

# List routes (URL name → text of branch B's data that A must not see).
PAGE_LISTS: dict[str, Callable[[Any], str]] = {
    "organization:branch_list": lambda w: w.b.code,
    "organization:employee_list": lambda w: w.service_b.email,
    "customers:customer_list": lambda w: customer_b(w).display_name,
    "customers:customer_export": lambda w: customer_b(w).last_name,
    "materials:inbox": lambda w: material_b(w).material.title,
    "contracts:contract_list": lambda w: contract_b(w).number,
    "contracts:review": lambda w: contract_b(w).number,
    "retention:worklist": lambda w: active_b(w).number,
    "contracts:report": lambda w: w.b.name,
    "retention:churn": lambda w: w.b.name,
    "retention:letters": lambda w: letter_b(w).subject,
    "inventory:stock": lambda w: (shop_b(w), "qty-TYLKO-B")[1],  # its row in B's stock
    "inventory:movements": lambda w: (shop_b(w), "Bydgoszcz-inwentaryzacja")[1],
    "inventory:order_list": lambda w: order_b(w).number,
    "inventory:report": lambda w: (shop_b(w), w.b.name)[1],
    "sales:counter": lambda w: shop_b(w).number,
    "sales:sale_list": lambda w: shop_b(w).number,
    "sales:report": lambda w: (shop_b(w), w.b.name)[1],
    "cashdesk:till_list": lambda w: till_b(w).cashier.get_full_name(),
    "cashdesk:takings": lambda w: till_b(w).cashier.get_full_name(),
    "work:task_list": lambda w: task_b(w).title,
    "servicedesk:queue": lambda w: ticket_b(w).subject,
    "servicedesk:team_list": lambda w: team_b(w).name,
    "servicedesk:report": lambda w: (ticket_b(w), team_b(w).name)[1],
    "servicedesk:reply_list": lambda w: reply_b(w).title,
    "servicedesk:control_list": lambda w: resolved_b_last_week(w).number,
    "chat:desk_list": lambda w: desk_b(w).title,
    "chat:desk_new": lambda w: team_b(w).name,
    "complaints:complaint_list": lambda w: complaint_b(w).number,
    "complaints:complaint_statistics": lambda w: complaint_b(w).branch.name,
    "campaigns:campaign_list": lambda w: campaign_b(w).name,
    "campaigns:mailing_list": lambda w: mailing_b(w).name,
    "analytics:campaigns": lambda w: campaign_b(w).name,
    "loyalty:card_list": lambda w: card_b(w).number,
    "loyalty:card_new": lambda w: card_b(w).number,
    "campaigns:order_list": lambda w: print_order_b(w).number,
    "campaigns:distribution_list": lambda w: distribution_b(w).distributor,
    "displays:task_list": lambda w: display_guidance_b(w).title,
    "displays:guidance_list": lambda w: display_guidance_b(w).title,
    "pipeline:board": lambda w: opportunity_b(w).title,
    "pipeline:opportunity_list": lambda w: opportunity_b(w).title,
    "pipeline:between_sales": lambda w: lost_sale_b(w).display_name,
    "pipeline:plans": lambda w: (plan_b(w), w.b.name)[1],
    "pipeline:packs": lambda w: pack_b(w).branch.name,
    "pipeline:funnel": lambda w: (lost_sale_b(w), w.b.name)[1],
    "pipeline:funnel_export": lambda w: (lost_sale_b(w), w.b.name)[1],
    "pipeline:deal_imports": lambda w: deal_import_b(w).original_name,
    "pipeline:deal_import_sample": lambda w: (lost_sale_b(w), w.b.code)[1],
    "analytics:matrix": lambda w: (analytics_b(w), w.b.name)[1],
    "analytics:customers": lambda w: analytics_b(w).display_name,
    "analytics:export": lambda w: analytics_b(w).display_name,
    "analytics:goals": lambda w: w.b.name,
    "analytics:goals_export": lambda w: w.b.name,
    "analytics:kpis": lambda w: w.b.name,
    "analytics:kpis_export": lambda w: w.b.name,
    "analytics:campaigns_export": lambda w: campaign_b(w).name,
    "analytics:loyalty": lambda w: w.b.name,
    "analytics:loyalty_export": lambda w: w.b.name,
    "analytics:segments": lambda w: (segment_b(w), customer_b(w).display_name)[1],
    "analytics:segments_export": lambda w: (segment_b(w), customer_b(w).display_name)[1],
    "analytics:crosssell": lambda w: (segment_b(w), customer_b(w).display_name)[1],
    "surveys:results": lambda w: followup_b(w).customer.last_name,
    "surveys:results_export": lambda w: (followup_b(w), w.b.name)[1],
    "surveys:followup_list": lambda w: followup_b(w).customer.last_name,
}

# API operations (operation id → (method, path) of a branch-B object).
API_CASES: dict[str, Callable[[Any], tuple[str, str]]] = {
    "branch_get": lambda w: ("GET", f"/api/v1/branches/{w.b.pk}"),
    "payment_reverse": lambda w: ("POST", "/api/v1/payments/"
                                  f"{till_b(w).payments.get().pk}/reversal"),
    "customer_balance": lambda w: ("GET", f"/api/v1/customers/{customer_b(w).pk}/balance"),
    "stock_levels": lambda w: ("GET", f"/api/v1/branches/{w.b.pk}/stock"),
    "stock_movements": lambda w: ("GET", f"/api/v1/branches/{w.b.pk}/stock-movements"),
    "stock_adjust": lambda w: ("POST", f"/api/v1/branches/{w.b.pk}/stock-adjustments"),
    "stock_order_create": lambda w: ("POST", f"/api/v1/branches/{w.b.pk}/stock-orders"),
    "stock_order_get": lambda w: ("GET", f"/api/v1/stock-orders/{order_b(w).pk}"),
    "stock_order_action": lambda w: ("POST", f"/api/v1/stock-orders/{order_b(w).pk}/actions"),
    "sale_create": lambda w: ("POST", f"/api/v1/branches/{w.b.pk}/sales"),
    "sale_get": lambda w: ("GET", f"/api/v1/sales/{shop_b(w).pk}"),
    "sale_return": lambda w: ("POST", f"/api/v1/sales/{shop_b(w).pk}/returns"),
    "branch_update": lambda w: ("PATCH", f"/api/v1/branches/{w.b.pk}"),
    "branch_opening_hours_set": lambda w: ("PUT", f"/api/v1/branches/{w.b.pk}/opening-hours"),
    "employee_get": lambda w: ("GET", f"/api/v1/employees/{w.service_b.pk}"),
    "employee_update": lambda w: ("PATCH", f"/api/v1/employees/{w.service_b.pk}"),
    "membership_create": lambda w: ("POST", "/api/v1/memberships"),
    "membership_delete": lambda w: ("DELETE",
                                    f"/api/v1/memberships/{w.service_b.memberships.get().pk}"),
    "customer_get": lambda w: ("GET", f"/api/v1/customers/{customer_b(w).pk}"),
    "customer_update": lambda w: ("PATCH", f"/api/v1/customers/{customer_b(w).pk}"),
    "customer_consents": lambda w: ("GET", f"/api/v1/customers/{customer_b(w).pk}/consents"),
    "customer_consent_record": lambda w: ("POST",
                                          f"/api/v1/customers/{customer_b(w).pk}/consents"),
    "customer_timeline": lambda w: ("GET", f"/api/v1/customers/{customer_b(w).pk}/timeline"),
    "customer_recommended": lambda w: ("GET",
                                       f"/api/v1/customers/{customer_b(w).pk}/recommended"),
    "customer_recommendation_set": lambda w: (
        "PUT", f"/api/v1/customers/{customer_b(w).pk}/recommendation"),
    "customer_note_add": lambda w: ("POST", f"/api/v1/customers/{customer_b(w).pk}/notes"),
    "customer_contact_log": lambda w: ("POST",
                                       f"/api/v1/customers/{customer_b(w).pk}/contacts-log"),
    "customer_import_get": lambda w: ("GET", f"/api/v1/customer-imports/{_import_b(w)}"),
    "material_version_file": lambda w: ("GET",
                                        f"/api/v1/material-versions/{material_b(w).pk}/file"),
    "material_version_items": lambda w: ("GET",
                                         f"/api/v1/material-versions/{material_b(w).pk}/items"),
    "material_version_opened": lambda w: (
        "POST", f"/api/v1/material-versions/{material_b(w).pk}/opened"),
    "offer_create": lambda w: ("POST", f"/api/v1/customers/{customer_b(w).pk}/offers"),
    "offer_get": lambda w: ("GET", f"/api/v1/offers/{offer_b(w).pk}"),
    "offer_decide": lambda w: ("POST", f"/api/v1/offers/{offer_b(w).pk}/decision"),
    "contract_prepare": lambda w: ("POST", f"/api/v1/offers/{offer_b(w).pk}/contract"),
    "contract_get": lambda w: ("GET", f"/api/v1/contracts/{contract_b(w).pk}"),
    "contract_action": lambda w: ("POST", f"/api/v1/contracts/{contract_b(w).pk}/actions"),
    "contract_scan_attach": lambda w: ("POST", f"/api/v1/contracts/{contract_b(w).pk}/scan"),
    "contract_pdf": lambda w: ("GET", f"/api/v1/contracts/{contract_b(w).pk}/pdf"),
    "contract_scan": lambda w: ("GET", f"/api/v1/contracts/{contract_b(w).pk}/scan"),
    "contract_batch_collect": lambda w: ("POST", f"/api/v1/branches/{w.b.pk}/contract-batches"),
    "retention_call": lambda w: ("POST", f"/api/v1/contracts/{active_b(w).pk}/retention/calls"),
    "retention_send": lambda w: ("POST",
                                 f"/api/v1/contracts/{active_b(w).pk}/retention/messages"),
    "retention_letters": lambda w: ("GET", f"/api/v1/retention/letters?branch_id={w.b.pk}"),
    "retention_letters_print": lambda w: ("POST", "/api/v1/retention/letters/batches"),
    "work_task_get": lambda w: ("GET", f"/api/v1/work/tasks/{task_b(w).pk}"),
    "work_task_update": lambda w: ("PATCH", f"/api/v1/work/tasks/{task_b(w).pk}"),
    "work_task_move": lambda w: ("POST", f"/api/v1/work/tasks/{task_b(w).pk}/complete"),
    "servicedesk_ticket_get": lambda w: ("GET", f"/api/v1/servicedesk/tickets/{ticket_b(w).pk}"),
    "servicedesk_message_list": lambda w: (
        "GET", f"/api/v1/servicedesk/tickets/{ticket_b(w).pk}/messages"),
    "servicedesk_message_post": lambda w: (
        "POST", f"/api/v1/servicedesk/tickets/{ticket_b(w).pk}/messages"),
    "servicedesk_ticket_assign": lambda w: (
        "POST", f"/api/v1/servicedesk/tickets/{ticket_b(w).pk}/assign"),
    "servicedesk_ticket_move": lambda w: (
        "POST", f"/api/v1/servicedesk/tickets/{ticket_b(w).pk}/resolve"),
    "servicedesk_ticket_amount": lambda w: (
        "POST", f"/api/v1/servicedesk/tickets/{ticket_b(w).pk}/amount"),
    "servicedesk_ticket_propose": lambda w: (
        "POST", f"/api/v1/servicedesk/tickets/{ticket_b(w).pk}/propose"),
    "servicedesk_ticket_decide": lambda w: (
        "POST", f"/api/v1/servicedesk/tickets/{ticket_b(w).pk}/decide"),
    "servicedesk_ticket_merge": lambda w: (
        "POST", f"/api/v1/servicedesk/tickets/{ticket_b(w).pk}/merge"),
    "servicedesk_ticket_split": lambda w: (
        "POST", f"/api/v1/servicedesk/tickets/{ticket_b(w).pk}/split"),
    "servicedesk_ticket_transfer": lambda w: (
        "POST", f"/api/v1/servicedesk/tickets/{ticket_b(w).pk}/transfer"),
    "complaint_get": lambda w: ("GET", f"/api/v1/complaints/{complaint_b(w).pk}"),
    "loyalty_card_get": lambda w: ("GET", f"/api/v1/loyalty/cards/{card_b(w).pk}"),
    "loyalty_card_entries": lambda w: ("GET",
                                       f"/api/v1/loyalty/cards/{card_b(w).pk}/entries"),
    "loyalty_card_move": lambda w: ("POST", f"/api/v1/loyalty/cards/{card_b(w).pk}/moves"),
    "loyalty_card_rewards": lambda w: ("GET", f"/api/v1/loyalty/cards/{card_b(w).pk}/rewards"),
    "loyalty_card_closed_products": lambda w: (
        "GET", f"/api/v1/loyalty/cards/{card_b(w).pk}/closed-products"),
    "loyalty_reward_redeem": lambda w: ("POST",
                                        f"/api/v1/loyalty/cards/{card_b(w).pk}/rewards"),
    "campaign_get": lambda w: ("GET", f"/api/v1/campaigns/{campaign_b(w).pk}"),
    "mailing_get": lambda w: ("GET", f"/api/v1/mailings/{mailing_b(w).pk}"),
    "mailing_move": lambda w: ("POST", f"/api/v1/mailings/{mailing_b(w).pk}/moves"),
    "mailing_test": lambda w: ("POST", f"/api/v1/mailings/{mailing_b(w).pk}/test"),
    "campaign_update": lambda w: ("PATCH", f"/api/v1/campaigns/{campaign_b(w).pk}"),
    "campaign_move": lambda w: ("POST", f"/api/v1/campaigns/{campaign_b(w).pk}/moves"),
    "display_guidance_get": lambda w: ("GET",
                                       f"/api/v1/displays/guidance/{display_guidance_b(w).pk}"),
    "display_task_get": lambda w: ("GET", f"/api/v1/displays/tasks/{display_task_b(w).pk}"),
    "display_task_complete": lambda w: (
        "POST", f"/api/v1/displays/tasks/{display_task_b(w).pk}/completion"),
    "display_task_accept": lambda w: (
        "POST", f"/api/v1/displays/tasks/{display_task_b(w).pk}/acceptance"),
    "display_task_return": lambda w: (
        "POST", f"/api/v1/displays/tasks/{display_task_b(w).pk}/return"),
    "display_task_photo": lambda w: (
        "GET", f"/api/v1/displays/tasks/{display_task_b(w).pk}/photos/"
        f"{display_task_b(w).photos.get().pk}"),
    "campaign_leaflet_list": lambda w: ("GET", f"/api/v1/campaigns/{campaign_b(w).pk}/leaflets"),
    "campaign_leaflet_create": lambda w: ("POST",
                                          f"/api/v1/campaigns/{campaign_b(w).pk}/leaflets"),
    "campaign_leaflet_upload": lambda w: (
        "POST", f"/api/v1/campaigns/{campaign_b(w).pk}/local-leaflets"),
    "leaflet_get": lambda w: ("GET", f"/api/v1/leaflets/{local_leaflet_b(w).pk}"),
    "leaflet_move": lambda w: ("POST", f"/api/v1/leaflets/{local_leaflet_b(w).pk}/moves"),
    "leaflet_replace": lambda w: ("POST",
                                  f"/api/v1/leaflets/{local_leaflet_b(w).pk}/replacement"),
    "leaflet_norm_set": lambda w: ("PUT", f"/api/v1/leaflets/{local_leaflet_b(w).pk}/norm"),
    "print_order_get": lambda w: ("GET", f"/api/v1/print-orders/{print_order_b(w).pk}"),
    "distribution_get": lambda w: ("GET",
                                   f"/api/v1/leaflet-distribution/{distribution_b(w).pk}"),
    "distribution_move": lambda w: (
        "POST", f"/api/v1/leaflet-distribution/{distribution_b(w).pk}/moves"),
    "print_order_move": lambda w: ("POST", f"/api/v1/print-orders/{print_order_b(w).pk}/moves"),
    "complaint_move": lambda w: ("POST", f"/api/v1/complaints/{complaint_b(w).pk}/moves"),
    "opportunity_get": lambda w: ("GET", f"/api/v1/opportunities/{opportunity_b(w).pk}"),
    "monthly_pack_get": lambda w: ("GET", f"/api/v1/monthly-packs/{w.b.pk}/"
                                   f"{pack_b(w).month:%Y-%m}"),
    "opportunity_step": lambda w: ("POST", f"/api/v1/opportunities/{opportunity_b(w).pk}/steps"),
    "opportunity_control_date": lambda w: (
        "PUT", f"/api/v1/opportunities/{opportunity_b(w).pk}/control-dates"),
    "opportunity_documents": lambda w: (
        "GET", f"/api/v1/opportunities/{opportunity_b(w).pk}/documents"),
    "opportunity_offer_create": lambda w: (
        "POST", f"/api/v1/opportunities/{opportunity_b(w).pk}/offers"),
    "opportunity_document_create": lambda w: (
        "POST", f"/api/v1/opportunities/{opportunity_b(w).pk}/documents"),
    "sales_document_approve": lambda w: (
        "POST", f"/api/v1/sales-documents/{sales_document_b(w).pk}/approval"),
    "sales_document_send": lambda w: (
        "POST", f"/api/v1/sales-documents/{sales_document_b(w).pk}/sending"),
    "offer_approve": lambda w: ("POST", f"/api/v1/offers/{offer_b(w).pk}/approval"),
    "complaint_refund_pay": lambda w: ("POST",
                                       f"/api/v1/complaints/{complaint_b(w).pk}/refund-payout"),
    "complaint_capa_list": lambda w: ("GET", f"/api/v1/complaints/{complaint_b(w).pk}/capa"),
    "complaint_letter_list": lambda w: ("GET",
                                        f"/api/v1/complaints/{complaint_b(w).pk}/letters"),
    "complaint_letter_draft": lambda w: (
        "GET", f"/api/v1/complaints/{complaint_b(w).pk}/letters/draft"),
    "complaint_letter_send": lambda w: ("POST",
                                        f"/api/v1/complaints/{complaint_b(w).pk}/letters"),
    "complaint_letter_step": lambda w: (
        "POST", f"/api/v1/complaints/{complaint_b(w).pk}/letters/{complaint_letter_b(w).pk}/steps"),
    "complaint_capa_add": lambda w: ("POST", f"/api/v1/complaints/{complaint_b(w).pk}/capa"),
    "complaint_capa_move": lambda w: (
        "POST", f"/api/v1/complaints/{complaint_b(w).pk}/capa/1/moves"),
    "analytics_customer": lambda w: ("GET", f"/api/v1/analytics/customers/{analytics_b(w).pk}"),
    "analytics_segments_customer": lambda w: (
        "GET", f"/api/v1/analytics/segments/customers/{(segment_b(w), customer_b(w))[1].pk}"),
    "survey_invitation_get": lambda w: (
        "GET", f"/api/v1/survey-invitations/{followup_b(w).response.invitation_id}"),
    "survey_followup_get": lambda w: ("GET", f"/api/v1/survey-followups/{followup_b(w).pk}"),
    "survey_followup_move": lambda w: ("POST",
                                       f"/api/v1/survey-followups/{followup_b(w).pk}/moves"),
}
API_BODIES: dict[str, Callable[[Any], Any]] = {
    "loyalty_card_move": lambda w: {"action": "block", "reason": "zgubiona"},
    "loyalty_reward_redeem": lambda w: {"reward_id": 1, "branch_id": w.a.pk},
    "branch_update": lambda w: {"name": "Hacked"},
    "branch_opening_hours_set": lambda w: [],
    "employee_update": lambda w: {"first_name": "Hacked"},
    "membership_create": lambda w: {"employee_id": w.service_b.pk, "branch_id": w.a.pk,
                                    "role": "service"},
    "customer_update": lambda w: {"first_name": "Hacked"},
    "customer_consent_record": lambda w: {"purpose": "marketing_sms", "granted": True},
    "customer_recommendation_set": lambda w: {"recommended_by_id": None},
    "customer_note_add": lambda w: {"body": "hacked"},
    "customer_contact_log": lambda w: {"kind": "call"},
    "material_version_opened": lambda w: {"branch_id": w.b.pk},
    "offer_create": lambda w: {"lines": [{"price_item_id": offer_b(w).lines.get().price_item_id}]},
    "offer_decide": lambda w: {"accepted": True},
    "contract_prepare": lambda w: {"template_version_id": contract_b(w).template_id,
                                   "term_months": 12},
    "contract_action": lambda w: {"action": "approve", "signatures": ["Klient", "Pracownik"]},
    "retention_call": lambda w: {"outcome": "unreachable"},
    "retention_send": lambda w: {"template": "retention-sms"},
    "retention_letters_print": lambda w: (letter_b(w), {"branch_id": w.b.pk})[1],
    "payment_reverse": lambda w: {"reason": "hacked"},
    "work_task_update": lambda w: {"progress": 50},
    "servicedesk_message_post": lambda w: {"body": "hacked"},
    "servicedesk_ticket_assign": lambda w: {"assignee_id": w.service_b.pk},
    "servicedesk_ticket_transfer": lambda w: {"team_id": team_b(w).pk, "reason": "hacked"},
    "servicedesk_ticket_amount": lambda w: {"amount": "99999.00"},
    "servicedesk_ticket_propose": lambda w: {"proposal": "hacked"},
    "servicedesk_ticket_decide": lambda w: {"decision": "accept"},
    "servicedesk_ticket_merge": lambda w: {"target": str(ticket_b(w).pk)},
    "servicedesk_ticket_split": lambda w: {
        "message_id": ticket_b(w).messages.first().pk, "subject": "hacked"},
    "stock_adjust": lambda w: {"product_id": shop_b(w).lines.get().product_id, "quantity": -1,
                               "reason": "hacked"},
    "stock_order_create": lambda w: {"lines": [{"product_id": shop_b(w).lines.get().product_id,
                                                "quantity": 1}]},
    "stock_order_action": lambda w: {"action": "cancel", "reason": "hacked"},
    "sale_create": lambda w: {"lines": [{"product_id": shop_b(w).lines.get().product_id}],
                              "payment_method": "cash"},
    "sale_return": lambda w: {"quantities": {str(shop_b(w).lines.get().pk): 1},
                              "reason": "hacked"},
    "complaint_move": lambda w: {"action": "acknowledge"},
    "campaign_update": lambda w: {"name": "Hacked", "budget": "1"},
    "campaign_move": lambda w: {"action": "cancel", "reason": "hacked"},
    "mailing_move": lambda w: {"action": "send"},
    "mailing_test": lambda w: {},
    "display_task_return": lambda w: {"reason": "hacked"},
    "campaign_leaflet_create": lambda w: {"branch_id": w.b.pk,
                                          "template_id": leaflet_b(w).template_id},
    "print_order_move": lambda w: {"action": "deliver"},
    "leaflet_move": lambda w: {"action": "approve"},
    "leaflet_norm_set": lambda w: {"min_norm": 5},
    "distribution_move": lambda w: {"action": "confirm"},
    "opportunity_step": lambda w: {"action": "lose", "reason_id": _any_loss_reason()},
    "opportunity_control_date": lambda w: {"kind": "minutes", "on": "2027-02-01"},
    "opportunity_offer_create": lambda w: {
        "lines": [{"price_item_id": offer_b(w).lines.get().price_item_id, "discount": "50"}],
        "valid_until": "2030-01-01"},
    "opportunity_document_create": lambda w: {"kind": "minutes", "text": "hacked"},
    "complaint_capa_add": lambda w: {"kind": "corrective", "description": "x", "owner_id": 1,
                                     "due_on": "2030-01-01"},
    "complaint_capa_move": lambda w: {"step": "verify", "note": "ok"},
    "complaint_letter_send": lambda w: {"kind": "completion", "channel": "in_person",
                                        "missing": "hacked"},
    "complaint_letter_step": lambda w: {"step": "completed", "note": "hacked"},
    "survey_followup_move": lambda w: {"action": "close", "outcome": "resolved"},
}
API_LISTS: dict[str, Callable[[Any], tuple[str, str]]] = {
    "sale_list": lambda w: ("/api/v1/sales", shop_b(w).number),
    "branch_list": lambda w: ("/api/v1/branches", w.b.code),
    "employee_list": lambda w: ("/api/v1/employees", w.service_b.email),
    "customer_list": lambda w: ("/api/v1/customers", customer_b(w).display_name),
    "material_inbox": lambda w: ("/api/v1/materials/inbox", material_b(w).material.title),
    "contract_list": lambda w: ("/api/v1/contracts", contract_b(w).number),
    "retention_worklist": lambda w: ("/api/v1/retention/worklist", active_b(w).number),
    "servicedesk_ticket_list": lambda w: ("/api/v1/servicedesk/tickets?queue=all",
                                          ticket_b(w).number),
    "callerid": lambda w: ("/api/v1/callerid?number=%2B48601999888",
                           customer_b(w).display_name),
    "complaint_list": lambda w: ("/api/v1/complaints", complaint_b(w).number),
    "campaign_list": lambda w: ("/api/v1/campaigns", campaign_b(w).name),
    "mailing_list": lambda w: ("/api/v1/mailings", mailing_b(w).name),
    "display_guidance_list": lambda w: ("/api/v1/displays/guidance",
                                        display_guidance_b(w).title),
    "display_task_list": lambda w: ("/api/v1/displays/tasks?status=all",
                                    display_guidance_b(w).title),
    "loyalty_card_list": lambda w: ("/api/v1/loyalty/cards", card_b(w).number),
    "print_order_list": lambda w: ("/api/v1/print-orders", print_order_b(w).number),
    "distribution_list": lambda w: ("/api/v1/leaflet-distribution",
                                    distribution_b(w).distributor),
    "opportunity_list": lambda w: ("/api/v1/opportunities", opportunity_b(w).title),
    "sales_plan_list": lambda w: ("/api/v1/sales-plans",
                                  f'"branch_id": {plan_b(w).branch_id},'),
    "pipeline_funnel": lambda w: ("/api/v1/pipeline/funnel",
                                  (lost_sale_b(w), w.service_b.get_full_name())[1]),
    "monthly_pack_list": lambda w: ("/api/v1/monthly-packs",
                                    f'"branch_id": {pack_b(w).branch_id},'),
    "analytics_matrix": lambda w: ("/api/v1/analytics/matrix", (analytics_b(w), w.b.code)[1]),
    "analytics_customers": lambda w: ("/api/v1/analytics/customers",
                                      analytics_b(w).display_name),
    "analytics_goals": lambda w: ("/api/v1/analytics/goals", f'"branch_id": {w.b.pk},'),
    "analytics_kpis": lambda w: ("/api/v1/analytics/kpis", f'"branch_id": {w.b.pk},'),
    "analytics_campaigns": lambda w: ("/api/v1/analytics/campaigns", campaign_b(w).name),
    # B's only sale (to B's customer) is the whole revenue HQ sees; A's manager sees none.
    "analytics_loyalty": lambda w: ("/api/v1/analytics/loyalty",
                                    f'"revenue": "{shop_b(w).total_gross}"'),
    "analytics_segments_maturity": lambda w: (
        "/api/v1/analytics/segments/maturity",
        (segment_b(w), '"segment_name": "Izolacja", "customers": 1,')[1]),
    "analytics_segments_cross_sell": lambda w: (
        "/api/v1/analytics/segments/cross-sell", (segment_b(w), customer_b(w).display_name)[1]),
    "analytics_segment_matrix": lambda w: (
        f"/api/v1/analytics/segments/{segment_b(w).pk}/matrix", customer_b(w).display_name),
    "survey_invitation_list": lambda w: ("/api/v1/survey-invitations",
                                         followup_b(w).customer.last_name),
    "survey_followup_list": lambda w: ("/api/v1/survey-followups",
                                       followup_b(w).customer.last_name),
}
#: Who sees a list's marker, where it is not HQ's administrator (World attribute).
API_LIST_VIEWERS: dict[str, str] = {"retention_worklist": "manager_b"}
