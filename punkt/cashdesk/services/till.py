"""The till: opened with a float, cash in and out, counted and closed by its cashier,
checked by a manager. Every move goes through :data:`punkt.cashdesk.workflows.TILL_FLOW`
(docs/workflows/till.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.cashdesk import permissions as perms
from punkt.cashdesk.models import EntryKind, TillEntry, TillSession
from punkt.cashdesk.parsing import amount_value, text_value
from punkt.cashdesk.workflows import ensure_can
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.money import cents
from punkt.core.workflows import Transition
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, Employee

#: Notes and coins of the złoty, in grosz-exact strings (the till count's keys).
DENOMINATIONS = ("500", "200", "100", "50", "20", "10", "5", "2", "1", "0.50", "0.20", "0.10",
                 "0.05", "0.02", "0.01")


def cashier_of(actor: Actor) -> Employee:
    """The employee at the till: only employees hold the cashier's role."""
    employee = employee_of(actor)
    if employee is None:
        raise ActionDenied(_("Your role does not allow you to “%(action)s”.")
                           % {"action": perms.PAYMENT_TAKE.label}, action=perms.PAYMENT_TAKE.code)
    return employee


def today() -> datetime.date:
    """The business day: the date in Europe/Warsaw (DST days included)."""
    return timezone.localdate()


def till_current(actor: Actor) -> TillSession | None:
    """The actor's open till (her own: no branch to choose), or None."""
    return TillSession.objects.open_of(actor).select_related("branch").first()


@transaction.atomic
def till_open(*, actor: Actor, branch_id: int, opening_float: Any) -> TillSession:
    branch = Branch.objects.filter(pk=branch_id, is_active=True).first()
    if branch is None:
        raise NotFound(_("Branch not found."))
    org_perms.ensure(actor, perms.PAYMENT_TAKE.code, branch.pk)
    amount = amount_value(opening_float, field="opening_float", allow_zero=True)
    if till_current(actor) is not None:
        raise Conflict("till_open", _("Your till is already open: close it first."))
    try:
        with transaction.atomic():
            session = TillSession.objects.create(branch=branch, cashier=cashier_of(actor),
                                                 business_day=today(), opening_float=amount)
    except IntegrityError:  # the same cashier opening twice at once
        raise Conflict("till_open", _("Your till is already open: close it first.")) from None
    TillEntry.objects.create(session=session, kind=EntryKind.FLOAT, amount=amount, cash=amount,
                             actor=employee_of(actor))
    audit_record(action="cashdesk.till.open", obj=session, actor=actor, branch_id=branch.pk,
                 message=str(amount))
    return session


def till_in_use(actor: Actor, action: str, *, lock: bool = True,
                with_branch: bool = False) -> TillSession:
    """The actor's open till, today's, for ``action`` (``pay``, ``cash_in`` … — the
    table allows them while it is open). The role comes first: one who may not run a till
    is told so, not "open your till first". ``with_branch``: its branch read in the same
    query (only the till's row is locked)."""
    org_perms.ensure(actor, perms.PAYMENT_TAKE.code)
    qs = TillSession.objects.select_for_update(of=("self",)) if lock else TillSession.objects.all()
    if with_branch:
        qs = qs.select_related("branch")
    session = qs.open_of(actor).first()
    if session is None:
        raise Conflict("till_closed", _("Open your till first."))
    ensure_can(session, action, actor=actor)
    if session.business_day != today():
        raise Conflict("till_stale", _(
            "Your till is still open for %(day)s: count and close it before taking payments "
            "today.") % {"day": session.business_day.strftime("%d.%m.%Y")})
    return session


def expected_cash(session: TillSession) -> Decimal:
    """Float + cash in − cash out + cash payments − cash refunds."""
    total = session.entries.aggregate(s=Sum("cash"))["s"] or Decimal(0)
    return cents(Decimal(total))  # SQLite sums decimals as floats: back to the grosz


@transaction.atomic
def cash_move(*, actor: Actor, kind: str, amount: Any, reason: Any) -> TillEntry:
    """Cash put into the drawer or taken out of it (to the safe, the bank), with a reason."""
    if kind not in (EntryKind.CASH_IN, EntryKind.CASH_OUT):
        raise ValidationFailed("invalid", _("Choose cash in or cash out."), field="kind")
    session = till_in_use(actor, kind)
    value = amount_value(amount)
    text = text_value(reason, field="reason", limit=300, required=True)
    cash = value if kind == EntryKind.CASH_IN else -value
    if cash < 0 and expected_cash(session) + cash < 0:
        raise Conflict("not_enough_cash", _("There is not that much cash in the till."))
    entry = TillEntry.objects.create(session=session, kind=kind, amount=cash, cash=cash,
                                     reason=text, actor=employee_of(actor))
    audit_record(action=f"cashdesk.till.{kind}", obj=session, actor=actor,
                 branch_id=session.branch_id, message=f"{cash}: {text}")
    return entry


def cash_payout(*, actor: Actor, branch_id: int, amount: Decimal, reason: str,
                source: Any) -> TillEntry:
    """Cash paid out to a customer from the actor's open till for another area's record
    (a complaint's refund): a till entry pointing at ``source``. The caller holds that
    record's row lock and checks it is not paid already; this checks the till (open,
    today's, at ``branch_id``) and that the drawer has the cash. Call inside a
    transaction."""
    session = till_in_use(actor, "cash_out")
    if session.branch_id != branch_id:
        raise Conflict("till_elsewhere", _("Your open till is at another branch: the refund "
                                           "is paid out at the complaint's branch."))
    if amount <= 0:
        raise ValidationFailed("invalid", _("The amount must be greater than zero."),
                               field="amount")
    if expected_cash(session) - amount < 0:
        raise Conflict("not_enough_cash", _("There is not that much cash in the till."))
    entry = TillEntry.objects.create(
        session=session, kind=EntryKind.COMPLAINT, amount=-amount, cash=-amount,
        reason=reason[:300], actor=employee_of(actor),
        source_type=source._meta.label_lower, source_id=str(source.pk))
    audit_record(action="cashdesk.till.complaint", obj=session, actor=actor,
                 branch_id=session.branch_id, message=f"{-amount}: {reason[:200]}")
    return entry


def count_total(counted: dict[str, Any]) -> tuple[dict[str, int], Decimal]:
    """The count by denomination: {"200": 3, "0.50": 4} → ({…}, 601.00)."""
    clean: dict[str, int] = {}
    for key in counted:
        if key not in DENOMINATIONS:
            raise ValidationFailed("invalid", _("%(d)s is not a note or coin of the złoty "
                                                "(use 500 … 1, 0.50 … 0.01).")
                                   % {"d": key}, field=f"count-{key}")
    for denomination in DENOMINATIONS:
        raw = str(counted.get(denomination, "") or "0").strip()
        if not raw.isdecimal() or not raw.isascii() or int(raw) > 100_000:
            raise ValidationFailed("invalid", _("%(d)s zł: give how many, a whole number.")
                                   % {"d": denomination.replace(".", ",")},
                                   field=f"count-{denomination}")
        if int(raw):
            clean[denomination] = int(raw)
    total = sum((Decimal(d) * n for d, n in clean.items()), Decimal(0))
    return clean, total


def _move(session: TillSession, t: Transition, **fields: Any) -> TillSession:
    """Apply ``t`` to the locked ``session``."""
    TillSession.objects.filter(pk=session.pk).update(status=t.target, **fields)
    session.refresh_from_db()
    return session


@transaction.atomic
def till_close(*, actor: Actor, session_id: int, counted: dict[str, Any],
               note: Any = "") -> TillSession:
    """Count the drawer and close. Closing an already closed till changes nothing: it is
    refused, saying so (C7)."""
    session = TillSession.objects.locked(session_id, missing=_("Till not found."))
    t = ensure_can(session, "close", actor=actor)
    clean, total = count_total(counted)
    expected = expected_cash(session)
    text = text_value(note, field="note", limit=500, required=False)
    if total != expected and not text:  # the count stays blind: no amounts here
        raise ValidationFailed("required", _(
            "The count differs from the till's records: count again, or describe the "
            "difference in the note."), field="note")
    _move(session, t, closed_at=timezone.now(), counted=clean, counted_total=total,
          expected_cash=expected, difference=total - expected, close_note=text)
    audit_record(action="cashdesk.till.close", obj=session, actor=actor,
                 branch_id=session.branch_id,
                 message=f"expected {expected}, counted {total}, difference {total - expected}")
    return session


@transaction.atomic
def till_acknowledge(*, actor: Actor, session_id: int, note: Any = "") -> TillSession:
    """The manager checks a closed till; a difference needs their note."""
    session = TillSession.objects.locked(session_id, missing=_("Till not found."))
    t = ensure_can(session, "acknowledge", actor=actor)
    text = text_value(note, field="note", limit=500, required=bool(session.difference),
                      message=_("The till has a difference: write what you decided."))
    _move(session, t, acknowledged_by=employee_of(actor), acknowledged_at=timezone.now(),
          acknowledge_note=text)
    audit_record(action="cashdesk.till.acknowledge", obj=session, actor=actor,
                 branch_id=session.branch_id, message=f"difference {session.difference}: "
                 f"{text}")
    return session
