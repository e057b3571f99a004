"""Working the retention list (R5): contact attempts and their outcomes, messages from
templates, the renewal offer confirmed on a durable medium, end-of-term notices."""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.contracts import documents
from punkt.contracts import services as offers
from punkt.contracts.models import Contract, ContractStatus, Offer, OfferStatus
from punkt.core import files
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.pdf import render_pdf
from punkt.core.values import iso_date
from punkt.customers.models import Customer, Direction, TimelineKind
from punkt.customers.timeline import register_kind, timeline_add
from punkt.materials import selectors as materials
from punkt.messaging import letters
from punkt.messaging import services as messaging
from punkt.messaging.models import Channel, Message, MessageKind
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.retention import permissions as perms
from punkt.retention.models import (
    CaseStatus,
    ContactAttempt,
    ContactChannel,
    Outcome,
    RenewalConfirmation,
    RetentionCase,
)
from punkt.retention.workflows import ACCEPT, CALL_OUTCOMES, RETENTION_FLOW

register_kind("retention", gettext_lazy("Retention"))
logger = logging.getLogger("punkt.retention")

CONFIRMATION_DAYS = 14
MAX_CALLBACK = datetime.timedelta(days=90)


def _clean(text: Any, limit: int) -> str:
    return " ".join(str(text or "").split())[:limit]


def _case_for(actor: Actor, contract_id: int) -> RetentionCase:
    """The contract's case (created at the first contact), locked; only active contracts
    of the actor's branches are worked."""
    contract = Contract.objects.select_related("customer", "branch").locked(
        contract_id, missing=_("Contract not found."))
    org_perms.ensure(actor, perms.RETENTION_WORK.code, contract.branch_id)
    if contract.status != ContractStatus.ACTIVE:
        raise Conflict("not_active", _("Only active contracts are worked in retention."))
    case, _created = RetentionCase.objects.select_for_update().get_or_create(
        contract=contract, defaults={"branch_id": contract.branch_id,
                                     "customer_id": contract.customer_id})
    case.contract = contract
    return case


def _callback(value: Any, today: datetime.date) -> datetime.date:
    if value in (None, ""):
        raise ValidationFailed("required", _("Give the date to call back."), field="callback_on")
    day = iso_date(value, field="callback_on", message=_("Give the date as YYYY-MM-DD."))
    if not today <= day <= today + MAX_CALLBACK:
        raise ValidationFailed("invalid", _("Call back within the next 90 days."),
                               field="callback_on")
    return day


@transaction.atomic
def log_call(*, actor: Actor, contract_id: int, outcome: str, reason: str = "",
             callback_on: Any = None, note: str = "",
             today: datetime.date | None = None) -> ContactAttempt:
    """A phone call and its outcome (required), the step it makes in RETENTION_FLOW.
    "Renewed" sends the renewal proposal for the customer to accept on a durable medium;
    it is not yet a contract."""
    today = today or timezone.localdate()
    case = _case_for(actor, contract_id)
    known = outcome in CALL_OUTCOMES
    # A closed case refuses before the outcome is looked at (the table says why).
    t = RETENTION_FLOW.ensure_can(case, outcome if known else Outcome.UNREACHABLE, actor=actor)
    if not known:
        raise ValidationFailed("required", _("Choose the outcome of the call."), field="outcome")
    reason, note = _clean(reason, 500), _clean(note, 2000)
    day = None
    if outcome == Outcome.DECLINED and not reason:
        raise ValidationFailed("required", _("Say why the customer declined."), field="reason")
    if outcome == Outcome.CALLBACK:
        day = _callback(callback_on, today)
    if outcome == Outcome.RENEWED:
        _check_can_propose(case)
    attempt = ContactAttempt.objects.create(
        case=case, channel=ContactChannel.PHONE, outcome=outcome, reason=reason,
        callback_on=day, note=note, actor=employee_of(actor))
    case.last_outcome, case.callback_on, case.reason = outcome, day, reason
    case.attempts += 1
    case.updated_by = employee_of(actor)
    if outcome == Outcome.DECLINED:
        if case.renewal_offer_id:  # the pending proposal can no longer be accepted
            offers.renewal_withdraw(offer_id=case.renewal_offer_id, reason=reason, actor=actor)
    elif outcome == Outcome.RENEWED:
        _renewal_offer(actor, case, today)
    case.status = t.next_state(case.status)
    case.save()
    label = Outcome(outcome).label
    timeline_add(customer_id=case.customer_id, kind=TimelineKind.CALL, actor=actor,
                 branch_id=case.branch_id, direction=Direction.OUTBOUND, source=case.contract,
                 subject=_("Retention call about %(number)s: %(outcome)s") % {
                     "number": case.contract.number, "outcome": label},
                 body=" — ".join(p for p in (reason, note) if p))
    audit_record(action="retention.call", obj=case.contract, actor=actor,
                 branch_id=case.branch_id, message=outcome)
    return attempt


def _values(case: RetentionCase, actor: Actor | None, link: str = "") -> dict[str, str]:
    contract, branch = case.contract, case.contract.branch
    return {"klient": contract.customer.display_name, "numer_umowy": contract.number,
            "data_konca": contract.ends_on.strftime("%d.%m.%Y"), "oddzial": branch.name,
            "telefon_oddzialu": branch.phone, "link": link,
            "pracownik": getattr(actor, "full_name", "") or ""}


@transaction.atomic
def send_template(*, actor: Actor, contract_id: int, template_code: str) -> ContactAttempt:
    """An e-mail or SMS from an HQ template; marketing ones need the channel's consent.
    A letter template queues a printed letter for the branch's next print run ("today's
    letters"): for customers with neither e-mail nor phone."""
    case = _case_for(actor, contract_id)
    RETENTION_FLOW.ensure_can(case, Outcome.MESSAGE, actor=actor)
    template = messaging.from_template(template_code)
    if template.kind != MessageKind.MARKETING:
        # Proposals and legal notices are sent by the system when due, not by hand.
        raise ValidationFailed("invalid", _("Choose a retention template."), field="template")
    values = _values(case, actor)
    customer = case.contract.customer
    if template.channel == Channel.LETTER:
        if customer.email or customer.phone:
            raise ValidationFailed("reachable", _(
                "Letters are for customers with neither e-mail nor phone: write an e-mail or "
                "an SMS instead."), field="template")
        message = letters.letter_queue(
            customer=customer, kind=template.kind,
            subject=messaging.fill(template.subject, values),
            body=messaging.fill(template.body, values), actor=actor, source=case.contract)
    else:
        message = messaging.message_queue(
            customer=customer, channel=template.channel, kind=template.kind,
            subject=messaging.fill(template.subject, values),
            body=messaging.fill(template.body, values), actor=actor, source=case.contract)
    attempt = ContactAttempt.objects.create(
        case=case, channel=template.channel, outcome=Outcome.MESSAGE, message=message,
        note=template.name, actor=employee_of(actor))
    case.last_outcome, case.attempts = Outcome.MESSAGE, case.attempts + 1
    case.updated_by = employee_of(actor)
    case.save()
    audit_record(action="retention.message", obj=case.contract, actor=actor,
                 branch_id=case.branch_id, message=template.code)
    if template.channel == Channel.LETTER:  # on the timeline once printed and sent
        return attempt
    timeline_add(customer_id=case.customer_id,
                 kind=TimelineKind.EMAIL if template.channel == Channel.EMAIL
                 else TimelineKind.SMS, actor=actor, branch_id=case.branch_id,
                 direction=Direction.OUTBOUND, source=case.contract,
                 subject=message.subject or template.name, body=message.body[:2000])
    return attempt


# --- Renewal: proposal on a durable medium, acceptance by the customer -----------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _renewal_lines(contract: Contract) -> list[dict[str, Any]]:
    """The old contract's positions at today's prices (same codes in the price lists in
    force at the branch)."""
    current = {item.code: item for version in
               materials.price_lists_in_force(branch_id=contract.branch_id)
               for item in version.items.all()}
    old = [row for row in (contract.values.get("pozycje") or []) if row]
    lines = [{"price_item_id": current[row[0]].pk, "quantity": int(row[4] or 1)}
             for row in old if row[0] in current]
    if not lines:
        raise Conflict("no_positions", _(
            "None of this contract's services is in the price list in force: record a new "
            "offer on the customer's profile instead."), field="outcome")
    return lines


def _proposal_pdf(offer: Offer, contract: Contract, link: str) -> bytes:
    from django.template.loader import render_to_string

    html = render_to_string("retention/proposal_pdf.html", {
        "offer": offer, "contract": contract, "link": link,
        "lines": list(offer.lines.all()), "days": CONFIRMATION_DAYS})
    return render_pdf(html)


def _check_can_propose(case: RetentionCase) -> None:
    """One proposal at a time; an expired one is withdrawn before a new one is sent."""
    customer = case.contract.customer
    if not customer.email and not customer.phone:
        raise ValidationFailed("no_address", _(
            "The customer has neither e-mail nor phone: add one to the customer's record so "
            "the proposal can be sent."), field="outcome")
    if case.status != CaseStatus.OFFER_SENT or case.renewal_offer_id is None:
        return
    pending = RenewalConfirmation.objects.filter(offer_id=case.renewal_offer_id).first()
    if pending is not None and pending.expires_at > timezone.now():
        raise Conflict("pending", _(
            "A renewal proposal was sent on %(day)s and is valid until %(until)s: wait for "
            "the customer's acceptance.") % {
            "day": timezone.localtime(pending.created_at).strftime("%d.%m.%Y"),
            "until": timezone.localtime(pending.expires_at).strftime("%d.%m.%Y")})
    offers.renewal_withdraw(offer_id=case.renewal_offer_id, reason="expired")
    audit_record(action="retention.renewal.expire", obj=case.contract,
                 branch_id=case.branch_id, message=f"offer {case.renewal_offer_id}")


def _renewal_offer(actor: Actor, case: RetentionCase, today: datetime.date) -> None:
    contract = case.contract
    offer = offers.renewal_offer_create(
        actor=actor, contract=contract, lines=_renewal_lines(contract),
        note=_("Renewal of %(number)s") % {"number": contract.number})
    # The link's token is made when the message is sent (proposal_link): neither the
    # stored message nor the PDF holds it, only the hash is kept.
    pdf = _proposal_pdf(offer, contract, "")
    stored = files.write(pdf, area=messaging.AREA, ext="pdf")
    RenewalConfirmation.objects.create(
        offer=offer, case=case, token_hash=_token_hash(secrets.token_urlsafe(32)),
        pdf_stored=stored,
        expires_at=timezone.now() + datetime.timedelta(days=CONFIRMATION_DAYS))
    customer = contract.customer
    values = _values(case, actor, messaging.LINK)
    # The art. 20 confirmation is required by law, not marketing: no consent needed.
    if customer.email:
        template = messaging.from_template("renewal-proposal-email")
        messaging.message_queue(
            customer=customer, channel=Channel.EMAIL, kind=MessageKind.SERVICE,
            subject=messaging.fill(template.subject, values),
            body=messaging.fill(template.body, values), actor=actor, source=offer,
            attachment=(f"propozycja-{offer.number}.pdf", pdf))
    elif customer.phone:
        template = messaging.from_template("renewal-proposal-sms")
        messaging.message_queue(customer=customer, channel=Channel.SMS,
                                kind=MessageKind.SERVICE,
                                body=messaging.fill(template.body, values), actor=actor,
                                source=offer)
    case.renewal_offer = offer


def proposal_link(offer_id: Any) -> str:
    """A fresh link for the proposal of offer ``offer_id`` (any earlier one stops
    working); called by messaging when the proposal is sent."""
    token = secrets.token_urlsafe(32)
    RenewalConfirmation.objects.filter(offer_id=int(offer_id), accepted_at__isnull=True).update(
        token_hash=_token_hash(token))
    return f"{settings.PUNKT_PUBLIC_URL}/potwierdzenie/{token}/"


messaging.LINKS["contracts.offer"] = proposal_link


def confirmation_for(token: str) -> RenewalConfirmation:
    confirmation = (RenewalConfirmation.objects
                    .select_related("offer__customer", "offer__renews", "offer__branch")
                    .filter(token_hash=_token_hash(str(token)[:100])).first())
    if confirmation is None:
        raise NotFound(_("This link is not valid."))
    return confirmation


def is_open(confirmation: RenewalConfirmation) -> bool:
    return (confirmation.accepted_at is None and confirmation.expires_at > timezone.now()
            and confirmation.offer.status == OfferStatus.PRESENTED)


@transaction.atomic
def confirmation_accept(*, token: str, ip: str | None, agent: str) -> RenewalConfirmation:
    """The customer accepts the renewal through the link: the offer is accepted, the case
    renewed, and a confirmation of the acceptance goes to the customer (durable medium).
    The new contract is then prepared from the accepted offer, linked to the old one."""
    found = confirmation_for(token)
    confirmation = RenewalConfirmation.objects.locked(found.pk)
    offer = Offer.objects.locked(confirmation.offer_id)
    if confirmation.accepted_at is not None:
        raise Conflict("accepted", _("You have already accepted this proposal. Thank you."))
    case = RetentionCase.objects.select_related("contract").locked(confirmation.case_id)
    if (confirmation.expires_at < timezone.now() or offer.status != OfferStatus.PRESENTED
            or case.status != CaseStatus.OFFER_SENT
            or case.contract.status != ContractStatus.ACTIVE):
        raise Conflict("expired", _("This proposal is no longer valid: please contact your "
                                    "branch."))
    now = timezone.now()
    confirmation.accepted_at, confirmation.accepted_ip = now, ip
    confirmation.accepted_agent = agent[:300]
    confirmation.save(update_fields=["accepted_at", "accepted_ip", "accepted_agent"])
    offers.renewal_accept(offer=offer, at=now)
    case.status = RETENTION_FLOW.ensure_state(case, ACCEPT).target
    case.save(update_fields=["status", "updated_at"])
    customer = offer.customer
    timeline_add(customer_id=customer.pk, kind="retention", branch_id=offer.branch_id,
                 source=offer, subject=_("Renewal offer %(number)s accepted through the link")
                 % {"number": offer.number},
                 body=_("Accepted %(when)s from %(ip)s") % {
                     "when": timezone.localtime(now).strftime("%d.%m.%Y %H:%M"),
                     "ip": ip or "?"})
    if customer.email:
        messaging.message_queue(
            customer=customer, channel=Channel.EMAIL, kind=MessageKind.SERVICE,
            subject=_("We have received your acceptance of offer %(number)s")
            % {"number": offer.number},
            body=_("On %(when)s you accepted the renewal offer %(number)s (total %(total)s "
                   "gross). Your branch will prepare the contract; you may withdraw within "
                   "14 days of its conclusion.") % {
                "when": timezone.localtime(now).strftime("%d.%m.%Y %H:%M"),
                "number": offer.number, "total": documents.money(offer.total_gross)},
            source=offer, key=f"renewal-accepted:{offer.pk}")
    audit_record(action="retention.renewal.accept", obj=offer, branch_id=offer.branch_id,
                 actor_label="customer", message=ip or "")
    return confirmation


# --- End-of-term notices (telecom: EECC art. 105(3)) ------------------------------------

def notices_due(today: datetime.date) -> Any:
    days = int(getattr(settings, "PUNKT_END_OF_TERM_NOTICE_DAYS", 30))
    return (Contract.objects.filter(status=ContractStatus.ACTIVE, ends_on__gte=today,
                                    ends_on__lte=today + datetime.timedelta(days=days))
            .select_related("customer", "branch").order_by("ends_on", "pk"))


def send_end_of_term_notices(today: datetime.date | None = None) -> int:
    """Queue the notice for every active contract ending within the notice period that
    has not had one; the message key makes it once per contract (C9). Customers without
    e-mail get an SMS; without either, a letter (printed with the branch's letters of the
    day); without a postal address too, the branch sees it on the timeline."""
    if getattr(settings, "PUNKT_COMPANY_PROFILE", "telecom") != "telecom":
        return 0
    today = today or timezone.localdate()
    sent = 0
    for contract in notices_due(today).iterator(chunk_size=500):
        key = f"eot:{contract.pk}"
        if Message.objects.filter(key=key).exists():
            continue
        try:
            with transaction.atomic():
                sent += _notice(contract, key)
        except Exception as exc:  # noqa: BLE001 - one bad contract must not stop the rest
            logger.exception("End-of-term notice for contract %s failed", contract.pk)
            Message.objects.get_or_create(key=key, defaults={
                "customer": contract.customer, "branch_id": contract.branch_id,
                "channel": Channel.EMAIL, "kind": MessageKind.SERVICE, "to": "", "body": "",
                "status": "failed", "error": str(exc)[:500]})
    return sent


def _notice(contract: Contract, key: str) -> int:
    customer: Customer = contract.customer
    values = {"klient": customer.display_name, "numer_umowy": contract.number,
              "data_konca": contract.ends_on.strftime("%d.%m.%Y"),
              "oddzial": contract.branch.name, "telefon_oddzialu": contract.branch.phone,
              "pracownik": "", "link": ""}
    channel = Channel.EMAIL if customer.email else Channel.SMS if customer.phone else ""
    if not channel and len(letters.postal_address(customer)) >= 3:
        # Neither e-mail nor phone: a letter, printed with the branch's letters of the day.
        template = messaging.from_template("end-of-term-letter")
        letter = letters.letter_queue(
            customer=customer, kind=MessageKind.SERVICE,
            subject=messaging.fill(template.subject, values),
            body=messaging.fill(template.body, values), key=key, source=contract)
        return 0 if getattr(letter, "already_queued", False) else 1
    if not channel:
        timeline_add(customer_id=customer.pk, kind="retention", branch_id=contract.branch_id,
                     source=contract, subject=_(
                         "End-of-term notice for %(number)s: no e-mail or phone — send it "
                         "by letter") % {"number": contract.number})
        Message.objects.create(customer=customer, branch_id=contract.branch_id,
                               channel=Channel.EMAIL, kind=MessageKind.SERVICE, to="",
                               body="", status="failed", error="no address", key=key)
        return 0
    template = messaging.from_template(f"end-of-term-{channel}")
    attachment = None
    if channel == Channel.EMAIL:
        from django.template.loader import render_to_string

        offers_in_force = [item for version in
                           materials.price_lists_in_force(branch_id=contract.branch_id)
                           for item in version.items.all()][:10]
        html = render_to_string("retention/notice_pdf.html", {
            "contract": contract, "customer": customer, "offers": offers_in_force})
        attachment = (f"informacja-{contract.number}.pdf", render_pdf(html))
    message = messaging.message_queue(
        customer=customer, channel=channel, kind=MessageKind.SERVICE,
        subject=messaging.fill(template.subject, values),
        body=messaging.fill(template.body, values), attachment=attachment, key=key,
        source=contract)
    if getattr(message, "already_queued", False):  # another run queued it: not again
        return 0
    timeline_add(customer_id=customer.pk, kind="retention", branch_id=contract.branch_id,
                 source=contract, subject=_("End-of-term notice for %(number)s sent")
                 % {"number": contract.number})
    return 1
