"""Every change of a complaint: intake (with its clock, attachments and the receipt
queued for the customer's e-mail), the workflow's steps, the daily clock job.

Each step checks the right, locks the row, asks the workflow on the locked row,
validates (refusals name the field), updates conditionally on the state read under the
lock (C10: two managers deciding at once decide once), then writes the history row, the
audit row and the customer's timeline entry — in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from punkt.complaints import clock, selectors
from punkt.complaints import permissions as perms
from punkt.complaints.models import (
    UNDECIDED,
    AttachmentKind,
    Cause,
    Complaint,
    ComplaintAttachment,
    ComplaintChannel,
    ComplaintCounter,
    ComplaintEvent,
    ComplaintKind,
    ComplaintMail,
    ComplaintStatus,
    Demand,
    InformedBy,
    Outcome,
    RemedyKind,
)
from punkt.complaints.workflows import COMPLAINT_FLOW
from punkt.core import files, outbox, values
from punkt.core.access import SystemActor
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.money import AmountTooLarge, format_pln, parse_amount
from punkt.core.numbering import next_in_year
from punkt.core.roles import Role
from punkt.customers import picking
from punkt.customers.models import Customer
from punkt.customers.timeline import timeline_add
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, Membership
from punkt.work.services import notify

AREA = "complaints"
TEXT_MAX = 10_000
SHORT_MAX = 300
MAX_ATTEMPTS = 5
MAX_ATTACHMENTS = 10
JOB = SystemActor("complaints")
#: a complaint's files: photos of the warranty card and receipt, or scans as PDF
ATTACHMENT_KINDS = frozenset({"pdf", "png", "jpeg"})
#: what a customer may demand by kind (goods: the non-conformity remedies; services:
#: correction or compensation, or a lower price)
DEMANDS: dict[str, set[str]] = {
    ComplaintKind.CONSUMER_GOODS: {Demand.REPAIR, Demand.REPLACEMENT, Demand.PRICE_REDUCTION,
                                   Demand.WITHDRAWAL},
    ComplaintKind.TELECOM: {Demand.CORRECTION, Demand.COMPENSATION, Demand.PRICE_REDUCTION},
    ComplaintKind.BUSINESS: {str(v) for v in Demand.values},
}
#: the steps that take fields of their own (the others take an optional note)
FORM_FIELDS = {
    "decide_in_branch": ("outcome", "decision_reason", "legal_basis", "cause", "cause_note"),
    "decide": ("outcome", "decision_reason", "legal_basis"),
    "investigate": ("cause", "cause_note"),
    "remedy": ("remedy_kind", "remedy_note", "product_id"),
    "order_refund": ("refund_amount", "remedy_note"),
    "inform": ("informed_how",),
}


def complaint_url(complaint: Complaint) -> str:
    return reverse("complaints:complaint_detail", args=[complaint.pk])


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    return values.text(value, field=field, limit=limit, required=required)


def _id(value: Any, field: str, message: str) -> int | None:
    return values.record_id(value, field=field, message=message)


def _choice(value: Any, field: str, choices: Iterable[str], message: str) -> str:
    text = str(value or "").strip()
    if text not in set(choices):
        raise ValidationFailed("invalid", message, field=field)
    return text


def _amount(value: Any) -> Decimal | None:
    return values.amount(value)


def _next_number(year: int) -> str:
    return next_in_year(ComplaintCounter, year, "RK")


def _customer(actor: Actor, customer_id: Any) -> Customer:
    return picking.visible_customer(actor, customer_id)


def _branch(actor: Actor, branch_id: Any, customer: Customer) -> Branch:
    return picking.acting_branch(actor, branch_id, customer, perms.COMPLAINT_CREATE)


def _event(complaint: Complaint, actor: Actor, action: str, source: str, note: str = "",
           at: datetime.datetime | None = None) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint, action=action, from_status=source, to_status=complaint.status,
        actor=employee_of(actor), at=at or timezone.now(), note=note)


def _timeline(complaint: Complaint, actor: Actor, text: str, body: str = "") -> None:
    timeline_add(customer_id=complaint.customer_id, kind="complaint", actor=actor,
                 branch_id=complaint.branch_id, subject=f"{complaint.number}: {text}",
                 body=body, source=complaint)


@transaction.atomic
def complaint_create(*, actor: Actor, customer_id: Any, kind: Any, demand: Any,
                     customer_account: Any, terms_version: Any, terms_shown: Any,
                     employee_opinion: Any = "", sale_line_id: Any = None,
                     contract_id: Any = None, product_text: Any = "", amount: Any = None,
                     contract_days: Any = None, channel: Any = ComplaintChannel.COUNTER,
                     ticket_id: Any = None, branch_id: Any = None,
                     attachments: Iterable[tuple[str, Any]] = ()) -> Complaint:
    """Register a complaint: the product picked from the customer's own purchases or
    contracts (a description only when nothing fits), the kind's legal clock started,
    the files stored, the receipt queued to the customer's e-mail."""
    org_perms.ensure(actor, perms.COMPLAINT_CREATE.code)
    customer = _customer(actor, customer_id)
    branch = _branch(actor, branch_id, customer)
    kind = _choice(kind, "kind", ComplaintKind.values, _("Choose the kind of complaint."))
    demand = _choice(demand, "demand", Demand.values, _("Choose what the customer demands."))
    if demand not in DEMANDS[kind]:
        raise ValidationFailed("invalid", _("This demand does not fit the kind of complaint: "
                                            "goods are repaired, replaced, reduced in price "
                                            "or returned; services corrected or "
                                            "compensated."), field="demand")
    channel = _choice(channel or ComplaintChannel.COUNTER, "channel",
                      ComplaintChannel.values, _("Choose the channel."))
    account = _text(customer_account, "customer_account", TEXT_MAX, required=True)
    opinion = _text(employee_opinion, "employee_opinion", TEXT_MAX)
    terms = _text(terms_version, "terms_version", 100, required=True)
    if terms_shown not in (True, "1", "on", "true", "yes"):
        raise ValidationFailed("required", _("Confirm that the customer was shown the "
                                             "complaint terms."), field="terms_shown")
    days_agreed = None
    if kind == ComplaintKind.BUSINESS:
        days_agreed = _id(contract_days, "contract_days",
                          _("Give the days to answer agreed in the contract (1–365)."))
        if days_agreed is None or days_agreed > clock.CONTRACT_DAYS_MAX:
            raise ValidationFailed("required", _("Give the days to answer agreed in the "
                                                 "contract (1–365)."), field="contract_days")
    stake = _amount(amount)
    line, contract = _subject_of(actor, customer, sale_line_id, contract_id)
    described = _text(product_text, "product_text", 200)
    if line is None and contract is None and not described:
        raise ValidationFailed("required", _("Pick the product from the customer's purchases "
                                             "or contracts, or describe it when none fits."),
                               field="product")
    ticket = _ticket(actor, ticket_id, customer)
    if ticket is not None:
        channel = ComplaintChannel.TICKET
    elif channel == ComplaintChannel.TICKET:
        raise ValidationFailed("invalid", _("A complaint from a ticket is made on the ticket's "
                                            "page."), field="channel")
    files_in = [(k, f) for k, f in attachments if f is not None]
    if len(files_in) > MAX_ATTACHMENTS:
        raise ValidationFailed("too_many", _("At most %(n)d files.") % {"n": MAX_ATTACHMENTS},
                               field="file")
    now = timezone.now()
    days = clock.period(kind, days_agreed)
    due = clock.deadline(now, days)
    me = employee_of(actor)
    complaint = Complaint.objects.create(
        number=_next_number(timezone.localdate(now).year), branch=branch, customer=customer,
        kind=kind, channel=channel, sale_line=line, contract=contract,
        product_text=described if line is None and contract is None else "",
        ticket=ticket, customer_account=account, employee_opinion=opinion, demand=demand,
        amount=stake, terms_version=terms, contract_days=days_agreed, handler=me,
        received_at=now, clock_started_at=now, days=days, deadline=due,
        remind_at=clock.reminder(due), created_by=me)
    for attachment_kind, uploaded in files_in:
        _attach(complaint, actor, attachment_kind, uploaded)
    _event(complaint, actor, "register", "", account[:500], at=now)
    audit_record(action="complaints.complaint.create", obj=complaint, actor=actor,
                 branch_id=branch.pk,
                 changes={"number": complaint.number, "customer": customer.pk, "kind": kind,
                          "demand": demand, "deadline": due.isoformat(),
                          "ticket": getattr(ticket, "pk", None),
                          "amount": None if stake is None else str(stake)})
    _timeline(complaint, actor, _("complaint registered, answer due %(due)s") % {
        "due": f"{due.astimezone(clock.WARSAW):%d.%m.%Y}"}, account)
    queue_receipt(complaint)
    return complaint


def _subject_of(actor: Actor, customer: Customer, sale_line_id: Any,
                contract_id: Any) -> tuple[Any, Any]:
    """The customer's own sale line or contract (among those the actor may see)."""
    line_pk = _id(sale_line_id, "sale_line", _("Pick one of the customer's purchases."))
    contract_pk = _id(contract_id, "contract", _("Pick one of the customer's contracts."))
    line = contract = None
    if line_pk is not None:
        line = selectors.customer_sale_lines(actor, customer).filter(pk=line_pk).first()
        if line is None:
            raise ValidationFailed("invalid", _("Pick one of the customer's purchases."),
                                   field="sale_line")
    if contract_pk is not None:
        contract = selectors.customer_contracts(actor, customer).filter(pk=contract_pk).first()
        if contract is None:
            raise ValidationFailed("invalid", _("Pick one of the customer's contracts."),
                                   field="contract")
    return line, contract


def _ticket(actor: Actor, ticket_id: Any, customer: Customer) -> Any:
    pk = _id(ticket_id, "ticket", _("Ticket not found."))
    if pk is None:
        return None
    from punkt.servicedesk import selectors as desk

    try:
        ticket = desk.ticket_get(user=actor, ticket_id=pk)
    except NotFound:
        raise ValidationFailed("invalid", _("Ticket not found."), field="ticket") from None
    if ticket.customer_id not in (None, customer.pk):
        raise ValidationFailed("invalid", _("The ticket is another customer's."),
                               field="ticket")
    if Complaint.objects.filter(ticket=ticket).exists():
        raise ValidationFailed("taken", _("This ticket has a complaint already."),
                               field="ticket")
    return ticket


def _attach(complaint: Complaint, actor: Actor, kind: Any, uploaded: Any
            ) -> ComplaintAttachment:
    kind = kind if kind in AttachmentKind.values else AttachmentKind.OTHER
    name, stored, content_type, size = files.store(
        uploaded, area=AREA, kinds=ATTACHMENT_KINDS,
        refused=_("Attach a photo (JPG, PNG) or a PDF."))
    return ComplaintAttachment.objects.create(
        complaint=complaint, kind=kind, name=name, stored=stored, content_type=content_type,
        size=size, uploaded_by=employee_of(actor))


def record_step(complaint: Complaint, actor: Actor, action: str, note: str) -> None:
    """A step that does not change the state (a letter asking for more, what the customer
    added, a letter posted): in the history, the audit log and the customer's timeline."""
    _event(complaint, actor, action, complaint.status, note)
    audit_record(action=f"complaints.complaint.{action}", obj=complaint, actor=actor,
                 branch_id=complaint.branch_id, changes={"status": [complaint.status] * 2})
    _timeline(complaint, actor, _step_text(complaint, action), note)


@transaction.atomic
def attachment_add(*, actor: Actor, complaint_id: Any, kind: Any, uploaded: Any
                   ) -> ComplaintAttachment:
    """Another file (a photo taken later, the proof of purchase brought back)."""
    complaint = _locked(actor, complaint_id)
    org_perms.ensure(actor, perms.COMPLAINT_HANDLE.code, complaint.branch_id)
    if complaint.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationFailed("too_many", _("At most %(n)d files.") % {"n": MAX_ATTACHMENTS},
                               field="file")
    row = _attach(complaint, actor, kind, uploaded)
    _event(complaint, actor, "attach", complaint.status, row.name)
    audit_record(action="complaints.complaint.attach", obj=complaint, actor=actor,
                 branch_id=complaint.branch_id, changes={"attachment": row.pk})
    return row


def _locked(actor: Actor, complaint_id: Any) -> Complaint:
    selectors.complaint_get(user=actor, complaint_id=complaint_id)  # another branch's: 404
    return Complaint.objects.locked(complaint_id, missing=_("Complaint not found."))


def allowed_actions(complaint: Complaint, user: Any) -> list[str]:
    return COMPLAINT_FLOW.allowed_actions(complaint, user)


def _apply(complaint: Complaint, source: str, changes: dict[str, Any]) -> None:
    """The conditional update on the state read under the lock (C10)."""
    if not Complaint.objects.filter(pk=complaint.pk, status=source).update(**changes):
        raise Conflict("changed", _("The complaint changed meanwhile: reload the page."))
    complaint.refresh_from_db()


def _decision(complaint: Complaint, fields: dict[str, Any]) -> dict[str, Any]:
    outcome = _choice(fields.get("outcome"), "outcome", Outcome.values,
                      _("Choose the decision."))
    if complaint.deemed_accepted and outcome != Outcome.UPHELD:
        raise ValidationFailed("deemed", _("The complaint is deemed accepted (answered "
                                           "late): it can only be upheld."), field="outcome")
    reason = _text(fields.get("decision_reason"), "decision_reason", TEXT_MAX,
                   required=outcome != Outcome.UPHELD)
    basis = _text(fields.get("legal_basis"), "legal_basis", SHORT_MAX,
                  required=outcome == Outcome.REJECTED)
    return {"outcome": outcome, "decision_reason": reason, "legal_basis": basis}


def _cause(fields: dict[str, Any], *, required: bool) -> dict[str, Any]:
    value = str(fields.get("cause") or "").strip()
    if not value and not required:
        return {}
    cause = _choice(value, "cause", Cause.values, _("Choose the cause."))
    note = _text(fields.get("cause_note"), "cause_note", TEXT_MAX,
                 required=cause == Cause.OTHER)
    return {"cause": cause, "cause_note": note}


@transaction.atomic
def complaint_move(*, actor: Actor, complaint_id: Any, action: str, note: Any = "",
                   **fields: Any) -> Complaint:
    """One step of the workflow with the fields it takes (``FORM_FIELDS``): a decision
    (a rejection needs its reason and legal basis), the cause, the remedy carried out, how
    the customer was informed; an appeal (its reason in ``note``) starts a new round with
    a new clock. A refund is paid out by :func:`refund_pay` (the till), not here."""
    if action == "pay_refund":
        if fields:
            raise ValidationFailed("invalid", _("This step does not take this field."),
                                   field=sorted(fields)[0])
        return refund_pay(actor=actor, complaint_id=complaint_id)
    complaint = _locked(actor, complaint_id)
    t = COMPLAINT_FLOW.ensure_can(complaint, action, actor=actor)
    unknown = set(fields) - set(FORM_FIELDS.get(action, ()))
    if unknown:
        raise ValidationFailed("invalid", _("This step does not take this field."),
                               field=sorted(unknown)[0])
    note = _text(note, "note", TEXT_MAX, required=action == "appeal")
    now = timezone.now()
    me = employee_of(actor)
    source = complaint.status
    changes: dict[str, Any] = {"status": t.target}
    if action in ("decide_in_branch", "decide"):
        changes.update(_decision(complaint, fields))
        changes.update(_cause(fields, required=False))
        changes.update(decided_at=now, decided_by=me, decided_at_hq=action == "decide")
    elif action == "investigate":
        changes.update(_cause(fields, required=True))
    elif action in ("remedy", "order_refund"):
        if complaint.outcome == Outcome.REJECTED:
            raise Conflict("rejected", _("The complaint was rejected: there is no remedy to "
                                         "carry out."))
        changes.update(_remedy(complaint, actor, action, fields, now))
    elif action == "inform":
        if source == ComplaintStatus.DECIDED and complaint.outcome != Outcome.REJECTED:
            raise Conflict("remedy_first", _("Record the remedy carried out before informing "
                                             "the customer."))
        changes.update(informed_how=_choice(fields.get("informed_how"), "informed_how",
                                            InformedBy.values,
                                            _("Choose how the customer was informed.")),
                       informed_at=now)
    elif action == "close":
        changes["closed_at"] = now
    elif action == "appeal":
        due = clock.deadline(now, complaint.days)
        changes.update(round=complaint.round + 1, clock_started_at=now, deadline=due,
                       remind_at=clock.reminder(due), reminded_at=None,
                       deemed_accepted=False, deemed_at=None, outcome="",
                       decision_reason="", legal_basis="", decided_at=None,
                       decided_by=None, decided_at_hq=False, closed_at=None,
                       informed_at=None, informed_how="", remedy_kind="", remedy_note="",
                       remedied_at=None, stock_movement=None, refund_amount=None,
                       refund_entry=None)
    _apply(complaint, source, changes)
    detail = {k: str(v) for k, v in changes.items()
              if k in ("outcome", "cause", "informed_how", "legal_basis", "remedy_kind",
                       "refund_amount")}
    if changes.get("stock_movement") is not None:
        detail["stock_movement"] = str(changes["stock_movement"].pk)
    text = note or "; ".join(str(changes[k]) for k in ("decision_reason", "cause_note",
                                                       "remedy_note") if changes.get(k))
    _event(complaint, actor, action, source, text, at=now)
    audit_record(action=f"complaints.complaint.{action}", obj=complaint, actor=actor,
                 branch_id=complaint.branch_id,
                 changes={"status": [source, complaint.status], **detail})
    _timeline(complaint, actor, _step_text(complaint, action), text)
    if source in UNDECIDED and complaint.status not in UNDECIDED:
        from punkt.complaints import letters

        letters.withdraw_open_requests(complaint, actor)
    return complaint


def _remedy(complaint: Complaint, actor: Actor, action: str, fields: dict[str, Any],
            now: datetime.datetime) -> dict[str, Any]:
    """The remedy's fields. A replacement takes one unit out of the branch's stock now (a
    movement naming the complaint; refused on the product field when none is left); a
    refund is ordered here and paid out by a cashier (:func:`refund_pay`)."""
    if action == "order_refund":
        amount = _refund_amount(complaint, fields.get("refund_amount"))
        return {"remedy_kind": RemedyKind.REFUND, "refund_amount": amount,
                "refund_entry": None,
                "remedy_note": _text(fields.get("remedy_note"), "remedy_note", TEXT_MAX)}
    # without a kind the remedy is described (as before remedies had kinds)
    kind = _choice(fields.get("remedy_kind") or RemedyKind.OTHER, "remedy_kind",
                   (RemedyKind.REPLACEMENT, RemedyKind.REPAIR, RemedyKind.OTHER),
                   _("Choose the remedy: a replacement from the stock, a repair or another "
                     "(a refund is ordered with \"Refund at the till\")."))
    note = _text(fields.get("remedy_note"), "remedy_note", TEXT_MAX,
                 required=kind != RemedyKind.REPLACEMENT)
    changes: dict[str, Any] = {"remedy_kind": kind, "remedy_note": note, "remedied_at": now}
    if kind == RemedyKind.REPLACEMENT:
        changes["stock_movement"] = _replacement(complaint, actor, fields.get("product_id"))
    return changes


def _refund_amount(complaint: Complaint, value: Any) -> Decimal:
    """The refund: more than zero, at most the amount claimed (else the price paid)."""
    try:
        amount = parse_amount(value) if value not in (None, "") else None
    except (AmountTooLarge, ValueError):
        raise ValidationFailed("invalid", _("Write the amount as 1250,00."),
                               field="refund_amount") from None
    if amount is None or amount <= 0:
        raise ValidationFailed("required", _("Give the amount to refund."),
                               field="refund_amount")
    ceiling = complaint.amount
    if ceiling is None and complaint.sale_line is not None:
        ceiling = complaint.sale_line.total_gross
    if ceiling is not None and amount > ceiling:
        raise ValidationFailed("too_much", _("At most %(amount)s: what the customer claimed "
                                             "or paid.") % {"amount": format_pln(ceiling)},
                               field="refund_amount")
    return amount


def _replacement(complaint: Complaint, actor: Actor, product_id: Any) -> Any:
    """One unit of the product (by default the one bought) out of the complaint's branch's
    stock, as a movement naming the complaint (C8: the last unit goes to one complaint)."""
    from punkt.catalog.models import Product
    from punkt.inventory.models import MovementKind
    from punkt.inventory.services import stock_move

    line = complaint.sale_line
    pk = _id(product_id, "product_id", _("Choose the product handed over.")) or (
        line.product_id if line is not None else None)
    product = Product.objects.filter(pk=pk, is_active=True).first() if pk else None
    if product is None:
        raise ValidationFailed("required", _("Choose the product handed over."),
                               field="product_id")
    try:
        return stock_move(branch_id=complaint.branch_id, product_id=product.pk, delta=-1,
                          kind=MovementKind.COMPLAINT, actor=actor, source=complaint,
                          reason=_("Replacement for complaint %(number)s") % {
                              "number": complaint.number})
    except Conflict:
        raise ValidationFailed("out_of_stock", _(
            "%(product)s is out of stock at %(branch)s: order it from HQ or choose another "
            "remedy.") % {"product": product.name, "branch": complaint.branch.name},
            field="product_id") from None


def refund_get(*, user: Actor, complaint_id: Any) -> Complaint:
    """A complaint whose refund ``user`` may pay out (cashiers do not see complaints
    otherwise), else ``NotFound``; one who pays out no refunds is refused."""
    org_perms.ensure(user, perms.COMPLAINT_REFUND_PAY.code)
    return (Complaint.objects.visible_to(user, perms.COMPLAINT_REFUND_PAY)
            .select_related("customer", "branch")
            .get_or_not_found(complaint_id, missing=_("Complaint not found.")))


@transaction.atomic
def refund_pay(*, actor: Actor, complaint_id: Any) -> Complaint:
    """Pay the ordered refund out from the actor's open till: a till entry naming the
    complaint, the complaint remedied. Under the complaint's row lock and conditional on
    its state: a second click (or request) finds it paid and gives it back as it is, with
    no second payout (C10)."""
    refund_get(user=actor, complaint_id=complaint_id)  # another branch's: 404
    complaint = Complaint.objects.locked(complaint_id, missing=_("Complaint not found."))
    if complaint.refund_entry_id is not None:
        complaint.replayed = True  # type: ignore[attr-defined]
        return complaint
    t = COMPLAINT_FLOW.ensure_can(complaint, "pay_refund", actor=actor)
    from punkt.cashdesk.services import cash_payout

    assert complaint.refund_amount is not None  # noqa: S101 - set by order_refund
    now = timezone.now()
    entry = cash_payout(actor=actor, branch_id=complaint.branch_id,
                        amount=complaint.refund_amount, source=complaint,
                        reason=_("Refund for complaint %(number)s") % {
                            "number": complaint.number})
    source = complaint.status
    _apply(complaint, source, {"status": t.target, "refund_entry": entry, "remedied_at": now})
    text = _("%(amount)s paid out in cash") % {"amount": format_pln(complaint.refund_amount)}
    _event(complaint, actor, "pay_refund", source, text, at=now)
    audit_record(action="complaints.complaint.pay_refund", obj=complaint, actor=actor,
                 branch_id=complaint.branch_id,
                 changes={"status": [source, complaint.status], "till_entry": entry.pk,
                          "amount": str(complaint.refund_amount)})
    _timeline(complaint, actor, _("refund of %(amount)s paid out at the till") % {
        "amount": format_pln(complaint.refund_amount)})
    return complaint


def refunds_due(user: Actor) -> Any:
    """The refunds ``user`` may pay out, the oldest first."""
    return (Complaint.objects.visible_to(user, perms.COMPLAINT_REFUND_PAY)
            .filter(status=ComplaintStatus.REFUND_DUE).select_related("customer", "branch")
            .order_by("id"))


def _step_text(complaint: Complaint, action: str) -> str:
    if action in ("decide_in_branch", "decide"):
        return _("complaint decided: %(outcome)s") % {
            "outcome": complaint.get_outcome_display()}
    if action == "order_refund":
        return _("refund of %(amount)s to be paid out at the till") % {
            "amount": format_pln(complaint.refund_amount or Decimal(0))}
    if action == "appeal":
        return _("appeal registered, answer due %(due)s") % {
            "due": f"{complaint.deadline.astimezone(clock.WARSAW):%d.%m.%Y}"}
    return {"acknowledge": _("complaint acknowledged"),
            "send_to_hq": _("complaint sent to HQ"),
            "investigate": _("cause of the complaint found"),
            "remedy": _("replacement handed over from the branch's stock")
            if complaint.remedy_kind == RemedyKind.REPLACEMENT else _("remedy carried out"),
            "inform": _("customer informed of the decision"),
            "close": _("complaint closed"),
            "completion_request": _("customer asked to complete the complaint"),
            "completion_record": _("customer completed the complaint"),
            "completion_withdrawn": _("request to complete closed: the complaint was decided"),
            "letter_posted": _("letter posted")}[action]


# -- the daily clock job ------------------------------------------------------------------

def branch_managers(branch_id: int) -> list[int]:
    return list(Membership.objects.filter(branch_id=branch_id, role=Role.MANAGER,
                                          is_active=True, employee__is_active=True)
                .values_list("employee_id", flat=True).distinct())


def _deemed_title(number: str) -> Callable[[], str]:
    return lambda: _("Complaint %(number)s is deemed accepted: its deadline passed without a "
                     "decision. Uphold it and carry out the customer's demand.") % {
        "number": number}


def _reminder_title(number: str, day: str) -> Callable[[], str]:
    return lambda: _("Complaint %(number)s must be answered by %(day)s.") % {
        "number": number, "day": day}


def mark_overdue(now: datetime.datetime | None = None) -> int:
    """Undecided complaints past their deadline are deemed accepted (flag, history, the
    customer's timeline, the branch managers told); once per complaint and round."""
    now = now or timezone.now()
    done = 0
    ids = list(Complaint.objects.filter(status__in=UNDECIDED, deemed_accepted=False,
                                        deadline__lt=now)
               .order_by("deadline", "id").values_list("pk", flat=True)[:5000])
    for pk in ids:
        with transaction.atomic():
            complaint = Complaint.objects.locked(pk)
            if complaint.deemed_accepted or complaint.status not in UNDECIDED \
                    or complaint.deadline >= now:
                continue
            Complaint.objects.filter(pk=pk, deemed_accepted=False).update(
                deemed_accepted=True, deemed_at=now)
            complaint.refresh_from_db()
            _event(complaint, JOB, "deemed_accepted", complaint.status,
                   _("Not answered by %(due)s: deemed accepted.") % {
                       "due": f"{complaint.deadline.astimezone(clock.WARSAW):%d.%m.%Y}"},
                   at=now)
            audit_record(action="complaints.complaint.deemed_accepted", obj=complaint,
                         actor=JOB, branch_id=complaint.branch_id,
                         changes={"deadline": complaint.deadline.isoformat()})
            _timeline(complaint, JOB, _("complaint deemed accepted (not answered in time)"))
            number, url = complaint.number, complaint_url(complaint)
            for manager in branch_managers(complaint.branch_id):
                notify(recipient=manager, kind="complaint.deemed_accepted",
                       title=_deemed_title(number),
                       url=url, key=f"complaint.deemed:{pk}:{complaint.round}:{manager}")
            done += 1
    return done


def send_reminders(now: datetime.datetime | None = None) -> int:
    """The handler of each undecided complaint whose reminder time has come is reminded
    once per complaint and round (the notification's key; ``reminded_at`` set)."""
    now = now or timezone.now()
    done = 0
    rows = list(Complaint.objects.filter(status__in=UNDECIDED, reminded_at__isnull=True,
                                         remind_at__lte=now, deadline__gte=now)
                .order_by("remind_at", "id")
                .values_list("pk", "number", "handler_id", "branch_id", "deadline",
                             "round")[:5000])
    for pk, number, handler, branch_id, due, round_ in rows:
        with transaction.atomic():
            if not Complaint.objects.filter(pk=pk, reminded_at__isnull=True).update(
                    reminded_at=now):
                continue
            recipients = [handler] if handler else branch_managers(branch_id)
            day = f"{due.astimezone(clock.WARSAW):%d.%m.%Y}"
            for who in recipients:
                notify(recipient=who, kind="complaint.reminder",
                       title=_reminder_title(number, day),
                       url=reverse("complaints:complaint_detail", args=[pk]),
                       key=f"complaint.reminder:{pk}:{round_}:{who}")
            done += 1
    return done


# -- the receipt by e-mail ----------------------------------------------------------------

def queue_receipt(complaint: Complaint) -> ComplaintMail | None:
    """Queue the receipt (PDF) to the customer's e-mail, inside the intake's transaction:
    the database queue's task is seen by the worker after the commit (C12)."""
    if not complaint.customer.email:
        return None
    mail, made = ComplaintMail.objects.get_or_create(complaint=complaint,
                                                     round=complaint.round)
    if made:
        from punkt.complaints.tasks import send_receipt

        send_receipt.enqueue(mail.pk)
    return mail


def send_now(mail_id: int) -> str:
    """Send one queued receipt, once; its status after it."""
    return outbox.deliver(ComplaintMail, mail_id, _receipt_message, what="Complaint receipt")


def _receipt_message(mail: ComplaintMail) -> EmailMessage | None:
    from punkt.complaints import documents

    complaint = (Complaint.objects.select_related("customer", "branch", "sale_line",
                                                  "contract", "handler")
                 .get(pk=mail.complaint_id))
    address = complaint.customer.email
    if not address:  # erased meanwhile
        return None
    with override("pl"):
        subject = _("Your complaint %(number)s has been registered") % {
            "number": complaint.number}
        body = _("Hello,\n\nwe have registered your complaint %(number)s on %(day)s. We "
                 "will answer by %(due)s. The receipt is attached.\n\n%(branch)s\n") % {
            "number": complaint.number,
            "day": f"{complaint.clock_started_at.astimezone(clock.WARSAW):%d.%m.%Y}",
            "due": f"{complaint.deadline.astimezone(clock.WARSAW):%d.%m.%Y}",
            "branch": complaint.branch.name}
        pdf = documents.receipt_pdf(complaint)
    message = EmailMessage(subject=subject, body=body, to=[address])
    message.attach(documents.receipt_name(complaint), pdf, "application/pdf")
    return message


def resend(now: datetime.datetime | None = None) -> dict[str, int]:
    return outbox.resend(outbox.due_for_resend(ComplaintMail, max_attempts=MAX_ATTEMPTS,
                                               now=now), send_now)
