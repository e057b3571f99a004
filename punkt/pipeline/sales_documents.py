"""The documents of a sale (R11.4, R15.3): the meeting minutes, the commercial offer (in
versions), the acceptance act and the satisfaction questionnaire — each filled once from
the HQ template in force at the branch (materials of the template kinds; the built-in
text below when HQ has published none), kept as filled, rendered as a PDF, e-mailed to
the customer from the opportunity through the messaging outbox (sent after commit,
retried) with a signed, expiring link to the PDF, and the customer's opening of that link
recorded.

The agreement is not a document of its own here: it is the contract prepared from the
accepted offer in ``punkt/contracts`` (its template, signatures, the manager's check), and
the opportunity page links there.

An offer is a ``contracts.Offer`` (lines from the price lists in force at the branch, gross
prices copied, a discount per line): a discount above the company's limit leaves it
awaiting another person's approval (C11, ``OFFER_FLOW``), and it cannot be sent until
approved. A new version ("offer to clarify") supersedes the earlier ones."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override

from punkt.contracts import services as offers
from punkt.contracts.models import Offer, OfferStatus
from punkt.core import files, values
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.money import format_pln
from punkt.core.pdf import qr_svg, render_pdf
from punkt.customers.identifiers import format_phone
from punkt.materials import contract_template
from punkt.materials.models import MaterialKind, MaterialVersion
from punkt.materials.selectors import in_force_for_branch
from punkt.messaging import services as messaging
from punkt.messaging.models import Channel, MessageKind
from punkt.organization.actors import Actor, employee_of
from punkt.pipeline import permissions as perms
from punkt.pipeline.models import (
    ControlKind,
    DocumentKind,
    Opportunity,
    OpportunityEvent,
    SalesDocument,
)

#: the template kind HQ publishes for each document
TEMPLATE_KINDS: dict[str, str] = {DocumentKind.OFFER: MaterialKind.OFFER_TEMPLATE,
                  DocumentKind.MINUTES: MaterialKind.MINUTES_TEMPLATE,
                  DocumentKind.ACCEPTANCE: MaterialKind.ACCEPTANCE_TEMPLATE,
                  DocumentKind.SURVEY: MaterialKind.SURVEY_TEMPLATE}
#: the longest an offer may be valid (days from today)
VALID_MAX_DAYS = 365
TEXT_MAX = 5_000
LINK_SALT = "punkt.pipeline.document-link"

#: The built-in templates (Polish: the customer's documents), used while HQ has published
#: none of the kind; the same placeholders as HQ's (``contract_template.SALES_FIELDS``).
BUILTIN: dict[str, str] = {
    DocumentKind.OFFER: """<h1>Oferta handlowa nr {{ numer }}</h1>
<p>{{ miejscowosc }}, {{ data }}</p>
<p><strong>Dla:</strong> {{ klient }}<br>{{ adres }}</p>
<p>Dziękujemy za rozmowę. Przedstawiamy ofertę: {{ przedmiot }}.</p>
{{ pozycje }}
<p><strong>Razem brutto: {{ razem }}</strong></p>
<p>Ceny brutto według cennika obowiązującego w oddziale {{ oddzial }}, z rabatami jak
wyżej. Oferta jest ważna do {{ wazna_do }} (wersja {{ wersja }}).</p>
<p class="text">{{ tresc }}</p>
<p>Ofertę przygotował(a): {{ pracownik }}, {{ oddzial }}.</p>""",
    DocumentKind.MINUTES: """<h1>Notatka ze spotkania nr {{ numer }}</h1>
<p>{{ miejscowosc }}, {{ data }}</p>
<p>Klient: {{ klient }}<br>Sprzedawca: {{ pracownik }} ({{ oddzial }})<br>
Dotyczy: {{ przedmiot }} (sprawa {{ sprzedaz }})</p>
<h2>Przebieg i ustalenia</h2>
<p class="text">{{ tresc }}</p>""",
    DocumentKind.ACCEPTANCE: """<h1>Protokół odbioru nr {{ numer }}</h1>
<p>{{ miejscowosc }}, {{ data }}</p>
<p>Klient {{ klient }}, {{ adres }}, potwierdza odbiór: {{ przedmiot }}
(sprawa {{ sprzedaz }}).</p>
{{ pozycje }}
<p>Dotyczy faktury nr <strong>{{ faktura }}</strong>.</p>
<p class="text">{{ tresc }}</p>
<p>Uwagi klienta: ..................................................................</p>
[[podpis: Klient]] [[podpis: Sprzedawca]]""",
    DocumentKind.SURVEY: """<h1>Ankieta satysfakcji nr {{ numer }}</h1>
<p>{{ miejscowosc }}, {{ data }}</p>
<p>Szanowni Państwo, dziękujemy za zakup: {{ przedmiot }}. Będziemy wdzięczni za
odpowiedź na kilka pytań — pomoże nam to lepiej Państwa obsługiwać.</p>
<ol>
<li>Jak oceniają Państwo obsługę w oddziale {{ oddzial }}? (1–5): ......</li>
<li>Czy oferta odpowiadała Państwa potrzebom? (1–5): ......</li>
<li>Czy realizacja przebiegła zgodnie z ustaleniami? (tak / nie): ......</li>
<li>Czy polecą nas Państwo znajomym? (1–10): ......</li>
<li>Co możemy poprawić? ....................................................</li>
</ol>
<p class="text">{{ tresc }}</p>
<p>Sprzedawca: {{ pracownik }}</p>""",
}
EXTRA_CSS = """
.doc-head { display: flex; justify-content: space-between; align-items: flex-start;
            border-bottom: 0.5pt solid #999; margin-bottom: 6mm; padding-bottom: 2mm; }
.doc-head .no { font-size: 9pt; } .lines { margin: 3mm 0; font-size: 9pt; }
.text { white-space: pre-line; }
"""


def percent(value: Decimal) -> str:
    """``Decimal("12.50")`` → ``12,5`` (as Polish documents print it)."""
    return format(value.normalize(), "f").replace(".", ",")


# --- reading --------------------------------------------------------------------------

def documents_of(opportunity: Opportunity) -> list[SalesDocument]:
    """The opportunity's documents, newest version first within each kind."""
    return list(SalesDocument.objects.filter(opportunity=opportunity)
                .select_related("opportunity", "offer", "offer__created_by",
                                "offer__approved_by", "created_by", "sent_by", "message",
                                "template__material")
                .prefetch_related("offer__lines").order_by("kind", "-version"))


def latest_offer(opportunity: Opportunity) -> SalesDocument | None:
    return (SalesDocument.objects.filter(opportunity=opportunity, kind=DocumentKind.OFFER)
            .select_related("offer").order_by("-version").first())


def sent_kinds(opportunity: Opportunity) -> set[str]:
    """The kinds of document sent to the customer: an offer counts when its latest
    version was sent (an earlier version, superseded, does not)."""
    kinds = set(SalesDocument.objects.filter(opportunity=opportunity, sent_at__isnull=False)
                .exclude(kind=DocumentKind.OFFER).values_list("kind", flat=True))
    offer = latest_offer(opportunity)
    if offer is not None and offer.sent_at is not None:
        kinds.add(DocumentKind.OFFER)
    return kinds


def document_get(*, user: Actor, document_id: Any) -> SalesDocument:
    """A document of an opportunity ``user`` may see, else NotFound (another branch's)."""
    return (SalesDocument.objects.visible_to(user, perms.OPPORTUNITY_VIEW)
            .select_related("opportunity__customer", "opportunity__branch", "offer")
            .get_or_not_found(document_id, missing=_("Document not found.")))


def may_send(document: SalesDocument) -> tuple[bool, str]:
    """Whether the document may go to the customer now, and if not, why."""
    offer = document.offer
    if offer is None:
        return True, ""
    if offer.status == OfferStatus.AWAITING:
        return False, _("The discount of %(d)s%% is above the company's limit: another "
                        "person (the branch manager or HQ) must approve the offer before it "
                        "is sent.") % {"d": percent(offer.max_discount)}
    if offer.status == OfferStatus.SUPERSEDED:
        return False, _("This version was replaced by a newer one: send the latest.")
    return True, ""


# --- filling and rendering ------------------------------------------------------------

def template_in_force(kind: str, branch_id: int) -> MaterialVersion | None:
    """HQ's template of this document in force at the branch (the first by title)."""
    versions = in_force_for_branch(branch_id=branch_id, kind=TEMPLATE_KINDS[kind])
    return versions[0] if versions else None


def _template_text(document: SalesDocument) -> str:
    if document.template is None:
        return BUILTIN[document.kind]
    return files.path_of(document.template.stored_name).read_bytes().decode("utf-8-sig")


def _address(customer: Any) -> str:
    return ", ".join(p for p in (customer.street, f"{customer.postal_code} {customer.city}"
                                 .strip()) if p)


def _offer_rows(offer: Offer) -> list[list[str]]:
    return [[line.code, line.name, line.unit, format_pln(line.price_gross), str(line.quantity),
             f"{percent(line.discount_percent)}%" if line.discount_percent else "—",
             format_pln(line.total_gross)] for line in offer.lines.all()]


def _values(opportunity: Opportunity, actor: Actor, *, kind: str, version: int,
            text: str = "", offer: Offer | None = None, valid_until: datetime.date | None = None,
            invoice_ref: str = "") -> dict[str, Any]:
    customer, branch = opportunity.customer, opportunity.branch
    seller = employee_of(actor) or opportunity.owner
    letters = {"minutes": "N", "offer": "OF", "acceptance": "PO", "survey": "AN"}
    return {
        "numer": f"{opportunity.number}/{letters[kind]}/{version}", "wersja": str(version),
        "data": timezone.localdate().strftime("%d.%m.%Y"), "miejscowosc": branch.city,
        "klient": customer.display_name, "adres": _address(customer),
        "telefon": format_phone(customer.phone), "email": customer.email,
        "oddzial": branch.name,
        "pracownik": getattr(seller, "full_name", "") or str(seller or ""),
        "sprzedaz": opportunity.number, "przedmiot": opportunity.title,
        "pozycje": _offer_rows(offer) if offer is not None else [],
        "razem": format_pln(offer.total_gross) if offer is not None else "",
        "wazna_do": valid_until.strftime("%d.%m.%Y") if valid_until else "",
        "tresc": text, "faktura": invoice_ref,
    }


def _rows_html(rows: list[list[str]]) -> str:
    if not rows:
        return ""
    head = ("<table class=\"lines\"><thead><tr><th>Kod</th><th>Usługa / produkt</th>"
            "<th>J.m.</th><th class=\"num\">Cena brutto</th><th class=\"num\">Ilość</th>"
            "<th class=\"num\">Rabat</th><th class=\"num\">Wartość brutto</th></tr></thead>"
            "<tbody>")
    body = "".join("<tr>" + "".join(
        f'<td{" class=\"num\"" if i >= 3 else ""}>{escape(cell)}</td>'
        for i, cell in enumerate(row)) + "</tr>" for row in rows)
    return head + body + "</tbody></table>"


def document_html(document: SalesDocument) -> str:
    """The filled document (every value escaped, C22; the template never run through
    Django's engine), with its number and a QR code of it in the header."""
    filled = {k: v for k, v in document.values.items() if k != "pozycje"}
    rows = document.values.get("pozycje") or []
    filled["pozycje"] = "; ".join(f"{r[1]} × {r[4]}" for r in rows)
    filled["pozycje_html"] = _rows_html(rows)
    number = document.values.get("numer", "")
    html = contract_template.to_html(_template_text(document), filled,
                                     title=f"{document.get_kind_display()} {number}")
    head = (f'<div class="doc-head"><div class="no"><strong>{escape(number)}</strong><br>'
            f"{escape(document.values.get('oddzial', ''))}, "
            f"{escape(document.values.get('data', ''))}</div>{qr_svg(number)}</div>")
    return html.replace("<body>", "<body>" + head, 1)


def document_pdf(document: SalesDocument) -> bytes:
    with override("pl"):
        return render_pdf(document_html(document), extra_css=EXTRA_CSS)


# --- preparing ------------------------------------------------------------------------

def _opportunity(actor: Actor, opportunity_id: Any) -> Opportunity:
    """The opportunity locked, the step allowed and the actor its seller or manager."""
    from punkt.pipeline.services import _step

    opportunity = _step(actor, opportunity_id, "document")
    return Opportunity.objects.select_related("customer", "branch", "owner").get(
        pk=opportunity.pk)


def _next_version(opportunity: Opportunity, kind: str) -> int:
    last = (SalesDocument.objects.filter(opportunity=opportunity, kind=kind)
            .order_by("-version").values_list("version", flat=True).first())
    return (last or 0) + 1


def _event(opportunity: Opportunity, actor: Actor | None, action: str, note: str) -> None:
    OpportunityEvent.objects.create(
        opportunity=opportunity, action=action, from_stage=opportunity.stage,
        to_stage=opportunity.stage, status=opportunity.status,
        actor=employee_of(actor) if actor is not None else None, note=note[:500])


def _audit(document: SalesDocument, actor: Actor | None, action: str, **changes: Any) -> None:
    audit_record(action=f"pipeline.document.{action}", obj=document, actor=actor,
                 branch_id=document.opportunity.branch_id, changes=changes)


def _label(document: SalesDocument) -> str:
    return f"{document.get_kind_display()} {document.number}"


def _valid_until(value: Any) -> datetime.date:
    if value in (None, ""):
        raise ValidationFailed("required", _("Give the date the offer is valid until."),
                               field="valid_until")
    day = values.iso_date(value, field="valid_until",
                          message=_("Give the date as YYYY-MM-DD."))
    today = timezone.localdate()
    if day < today or day > today + datetime.timedelta(days=VALID_MAX_DAYS):
        raise ValidationFailed("invalid", _("The offer is valid from today up to a year "
                                            "ahead."), field="valid_until")
    return day


def _lines(lines: Any) -> list[dict[str, Any]]:
    if not isinstance(lines, list) or not all(isinstance(x, dict) for x in lines):
        raise ValidationFailed("invalid", _("Choose at least one position of the price "
                                            "list."), field="lines")
    return lines


@transaction.atomic
def offer_version_create(*, actor: Actor, opportunity_id: Any, lines: Any, valid_until: Any,
                         text: Any = "") -> SalesDocument:
    """A new version of the opportunity's commercial offer: positions of the price lists
    in force at the branch (gross prices copied), a discount per line, valid until a date
    (also the opportunity's control date). The earlier versions still awaiting or
    presented are superseded. A discount above the limit: awaiting approval (C11)."""
    opportunity = _opportunity(actor, opportunity_id)
    day = _valid_until(valid_until)
    text = values.text(text, field="text", limit=TEXT_MAX)
    offer = offers.offer_create(actor=actor, customer_id=opportunity.customer_id,
                                lines=_lines(lines), note=text[:2000],
                                branch_id=opportunity.branch_id)
    for earlier in SalesDocument.objects.filter(opportunity=opportunity, kind="offer",
                                                offer__isnull=False):
        offers.offer_supersede(offer_id=earlier.offer_id or 0)
    version = _next_version(opportunity, DocumentKind.OFFER)
    template = template_in_force(DocumentKind.OFFER, opportunity.branch_id)
    document = SalesDocument.objects.create(
        opportunity=opportunity, kind=DocumentKind.OFFER, version=version, offer=offer,
        template=template, valid_until=day, created_by=employee_of(actor),
        values=_values(opportunity, actor, kind=DocumentKind.OFFER, version=version,
                       text=text, offer=offer, valid_until=day))
    from punkt.pipeline.services import _set_control

    _set_control(opportunity, actor, ControlKind.OFFER_VALID, day)
    awaiting = offer.status == OfferStatus.AWAITING
    _event(opportunity, actor, "document", _("%(doc)s prepared: %(total)s, valid until "
                                             "%(day)s") % {
        "doc": _label(document), "total": format_pln(offer.total_gross),
        "day": f"{day:%d.%m.%Y}"} + (" — " + _("awaiting approval of the discount")
                                    if awaiting else ""))
    _audit(document, actor, "create", kind=document.kind, version=version, offer=offer.pk,
           total=str(offer.total_gross), max_discount=str(offer.max_discount),
           awaiting=awaiting)
    return document


@transaction.atomic
def document_create(*, actor: Actor, opportunity_id: Any, kind: Any, text: Any = "",
                    invoice_ref: Any = "") -> SalesDocument:
    """The meeting minutes (what was presented and agreed: ``text`` required), the
    acceptance act (with the invoice's number; the positions of the latest offer) or the
    satisfaction questionnaire."""
    kind = str(kind or "")
    if kind not in (DocumentKind.MINUTES, DocumentKind.ACCEPTANCE, DocumentKind.SURVEY):
        raise ValidationFailed("invalid", _("Choose the document."), field="kind")
    opportunity = _opportunity(actor, opportunity_id)
    text = values.text(text, field="text", limit=TEXT_MAX,
                       required=kind == DocumentKind.MINUTES)
    invoice_ref = values.text(invoice_ref, field="invoice_ref", limit=60,
                              required=kind == DocumentKind.ACCEPTANCE)
    offer = None
    if kind == DocumentKind.ACCEPTANCE:
        chosen = (SalesDocument.objects.filter(opportunity=opportunity, kind="offer")
                  .exclude(offer__status__in=(OfferStatus.AWAITING, OfferStatus.SUPERSEDED,
                                              OfferStatus.DECLINED))
                  .select_related("offer").order_by("-version").first())
        offer = chosen.offer if chosen is not None else None
    version = _next_version(opportunity, kind)
    document = SalesDocument.objects.create(
        opportunity=opportunity, kind=kind, version=version,
        template=template_in_force(kind, opportunity.branch_id), invoice_ref=invoice_ref,
        created_by=employee_of(actor),
        values=_values(opportunity, actor, kind=kind, version=version, text=text,
                       offer=offer, invoice_ref=invoice_ref))
    _event(opportunity, actor, "document", _("%(doc)s prepared") % {"doc": _label(document)})
    _audit(document, actor, "create", kind=kind, version=version)
    return document


@transaction.atomic
def document_approve(*, actor: Actor, document_id: Any) -> SalesDocument:
    """Another person approves the offer's discount above the limit (C11): the branch's
    manager or HQ, never the offer's author (``contracts.offer_approve``)."""
    document = document_get(user=actor, document_id=document_id)
    if document.offer_id is None:
        raise Conflict("no_approval", _("Only an offer with a discount above the limit is "
                                        "approved."))
    offer = offers.offer_approve(actor=actor, offer_id=document.offer_id)
    document.offer = offer
    opportunity = document.opportunity
    _event(opportunity, actor, "document_approved", _("%(doc)s: discount of %(d)s%% "
                                                      "approved") % {
        "doc": _label(document), "d": percent(offer.max_discount)})
    _audit(document, actor, "approve", max_discount=str(offer.max_discount))
    return document


def _email_body(document: SalesDocument) -> str:
    v = document.values
    return ("Dzień dobry,\n\n"
            f"w załączniku przesyłamy dokument: {document.get_kind_display()} nr {v['numer']} "
            f"({v['przedmiot']}).\n"
            + (f"Oferta jest ważna do {v['wazna_do']}.\n" if v.get("wazna_do") else "")
            + "\nDokument można też pobrać pod adresem (link ważny "
            f"{settings.PUNKT_DOCUMENT_LINK_DAYS} dni):\n{messaging.LINK}\n\n"
            f"Pozdrawiamy,\n{v['pracownik']}\n{v['oddzial']}\n")


@transaction.atomic
def document_send(*, actor: Actor, document_id: Any) -> SalesDocument:
    """E-mail the document's PDF to the customer (queued with the change, sent after the
    commit and tried again by the outbox), with a link to it; the time it was sent is
    kept and said in the history. An offer awaiting approval or superseded is refused."""
    found = document_get(user=actor, document_id=document_id)
    with override("pl"):
        _opportunity(actor, found.opportunity_id)  # the sale locked: one send at a time
        document = (SalesDocument.objects.select_related(
            "opportunity__customer", "opportunity__branch", "opportunity__stage",
            "template").get(pk=found.pk))
        document.offer = (Offer.objects.select_for_update().filter(pk=document.offer_id)
                          .first() if document.offer_id else None)
        allowed, why = may_send(document)
        if not allowed:
            raise Conflict("not_sendable", why)
        customer = document.opportunity.customer
        pdf = document_pdf(document)
        count = document.send_count + 1
        message = messaging.message_queue(
            customer=customer, channel=Channel.EMAIL, kind=MessageKind.SERVICE,
            subject=f"{document.get_kind_display().capitalize()} {document.values['numer']}",
            body=_email_body(document), actor=actor, attachment=(document.file_name, pdf),
            key=f"sales-document:{document.pk}:{count}", source=document)
    now = timezone.now()
    SalesDocument.objects.filter(pk=document.pk).update(
        sent_at=now, sent_to=message.to, sent_by=employee_of(actor), send_count=count,
        message=message)
    document.sent_at, document.sent_to, document.send_count = now, message.to, count
    document.message = message
    opportunity = document.opportunity
    _event(opportunity, actor, "document_sent", _("%(doc)s sent to %(to)s") % {
        "doc": _label(document), "to": message.to})
    from punkt.customers.timeline import timeline_add

    timeline_add(customer_id=customer.pk, kind="opportunity", actor=actor,
                 branch_id=opportunity.branch_id, source=opportunity,
                 subject=f"{opportunity.number}: " + _("%(doc)s sent by e-mail") % {
                     "doc": _label(document)})
    _audit(document, actor, "send", times=count)
    return document


# --- the customer's link --------------------------------------------------------------

def document_link(document_id: Any) -> str:
    """A fresh signed link to the document's PDF (no sign-in), made when the e-mail is
    sent (``messaging.LINKS``), so the stored message never holds it; valid for
    ``PUNKT_DOCUMENT_LINK_DAYS`` days."""
    token = signing.dumps({"d": int(document_id)}, salt=LINK_SALT)
    return f"{settings.PUNKT_PUBLIC_URL}/dokument/{token}/"


messaging.LINKS["pipeline.salesdocument"] = document_link


class LinkExpired(Exception):
    pass


def document_for_link(token: str) -> SalesDocument:
    """The document a link names: NotFound when the link is not one we signed (changed,
    made up), :class:`LinkExpired` when it is too old."""
    try:
        data = signing.loads(str(token)[:300], salt=LINK_SALT,
                             max_age=datetime.timedelta(
                                 days=settings.PUNKT_DOCUMENT_LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise NotFound(_("This link is not valid.")) from None
    pk = data.get("d") if isinstance(data, dict) else None
    document = (SalesDocument.objects.select_related("opportunity__branch",
                                                     "opportunity__customer", "offer")
                .filter(pk=pk, sent_at__isnull=False).first() if isinstance(pk, int) else None)
    if document is None:
        raise NotFound(_("This link is not valid."))
    return document


@transaction.atomic
def document_opened(*, token: str) -> SalesDocument:
    """The customer opened the document through the link: the first time kept, each
    opening counted and written in the opportunity's history."""
    document = document_for_link(token)
    now = timezone.now()
    SalesDocument.objects.filter(pk=document.pk, opened_at__isnull=True).update(opened_at=now)
    SalesDocument.objects.filter(pk=document.pk).update(open_count=F("open_count") + 1,
                                                        last_opened_at=now)
    document.refresh_from_db(fields=["opened_at", "open_count", "last_opened_at"])
    with override("pl"):
        _event(document.opportunity, None, "document_opened",
               _("%(doc)s opened by the customer") % {"doc": _label(document)})
    return document


def totals(document: SalesDocument) -> dict[str, Decimal]:
    """The offer's list value, its value after the discounts, and the difference."""
    offer = document.offer
    if offer is None:
        return {}
    listed = sum((line.price_gross * line.quantity for line in offer.lines.all()), Decimal(0))
    return {"listed": listed, "total": offer.total_gross, "off": listed - offer.total_gross}

