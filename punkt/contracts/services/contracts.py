"""The contract's life (R4.2–R4.4): prepared from an accepted offer and the HQ template
in force, signed, checked by the manager in a batch, finalised (or rejected) at HQ.

Every move goes through :data:`CONTRACT_FLOW` and :func:`_move`: the row is locked and
updated only if it is still in the source state, so two managers approving at once make
one transition, one event, one timeline entry (C10); the loser gets "already approved".
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from punkt.contracts import documents, figures
from punkt.contracts import permissions as perms
from punkt.contracts.models import (
    Contract,
    ContractEvent,
    ContractStatus,
    Offer,
    OfferStatus,
)
from punkt.contracts.workflows import CONTRACT_FLOW
from punkt.core import files
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.values import iso_date
from punkt.core.workflows import Transition
from punkt.customers import referrals
from punkt.customers.models import Customer, CustomerStatus
from punkt.customers.timeline import register_kind, timeline_add
from punkt.materials import contract_template
from punkt.materials import services as materials
from punkt.materials.models import MaterialKind, MaterialVersion
from punkt.materials.selectors import current_for_branch
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of

register_kind("contract", gettext_lazy("Contract"))

MAX_TERM_MONTHS = 120
MAX_START_AHEAD = datetime.timedelta(days=90)
SCAN_KINDS = frozenset({"pdf", "png", "jpeg"})


def four_eyes_threshold() -> Decimal:
    """Contracts worth at least this much may not be approved by their author (C11)."""
    return Decimal(str(getattr(settings, "PUNKT_FOUR_EYES_THRESHOLD", "1000.00")))


def _clean(text: Any, limit: int) -> str:
    return " ".join(str(text or "").split())[:limit]


def _term(value: Any) -> int:
    try:
        term = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", _("Give the term as a whole number of months."),
                               field="term_months") from None
    if not 1 <= term <= MAX_TERM_MONTHS:
        raise ValidationFailed("invalid", _("The term must be between 1 and %(max)d months.")
                               % {"max": MAX_TERM_MONTHS}, field="term_months")
    return term


def _start(value: Any, today: datetime.date) -> datetime.date:
    if value in (None, ""):
        return today
    day = iso_date(value, field="starts_on", message=_("Give the start date as YYYY-MM-DD."))
    if day < today:
        raise ValidationFailed("invalid", _("The contract cannot start in the past."),
                               field="starts_on")
    if day > today + MAX_START_AHEAD:
        raise ValidationFailed("invalid", _("The contract must start within 90 days."),
                               field="starts_on")
    return day


def _renewal_start(renews: Contract, today: datetime.date) -> datetime.date:
    """A renewal starts the day after the contract it continues ends (today at the latest)."""
    return max(renews.ends_on + datetime.timedelta(days=1), today)


def default_start(*, offer: Offer, today: datetime.date) -> datetime.date:
    """The start the form proposes for a contract from ``offer``: today, or for a renewal
    the day after the old contract ends."""
    renews = (Contract.objects.filter(pk=offer.renews_id).only("ends_on").first()
              if offer.renews_id else None)
    return today if renews is None else _renewal_start(renews, today)


def _template(version_id: Any, branch_id: int) -> MaterialVersion:
    try:
        version = materials.ensure_current(version_id=int(version_id), branch_id=branch_id)
    except (TypeError, ValueError, NotFound):
        raise ValidationFailed("invalid", _("Choose a contract template of this branch."),
                               field="template") from None
    if version.material.kind != MaterialKind.CONTRACT_TEMPLATE or not version.template:
        raise ValidationFailed("invalid", _("Choose a contract template."), field="template")
    return version


def _fill(contract: Contract, customer: Customer, actor: Actor, lines: list[Any],
          today: datetime.date) -> None:
    contract.values = documents.values_for(
        number=contract.number, customer=customer, branch=contract.branch, employee=actor,
        lines=lines, total=contract.total_gross, term_months=contract.term_months,
        starts_on=contract.starts_on, ends_on=contract.ends_on, today=today)
    lacking = documents.missing(contract.values, contract.template.template.get("fields", []))
    if lacking:
        labels = ", ".join(str(contract_template.FIELDS[f]) for f in lacking)
        raise ValidationFailed("missing_data", _(
            "The template needs data this customer's record lacks: %(fields)s. Complete "
            "the customer's record first.") % {"fields": labels}, field="customer")


def _event(contract: Contract, action: str, source: str, actor: Actor, note: str = "") -> None:
    ContractEvent.objects.create(contract=contract, action=action, from_status=source,
                                 to_status=contract.status, actor=employee_of(actor),
                                 actor_label="" if employee_of(actor) else str(actor or ""),
                                 note=note)


def _note(contract: Contract, subject: str, actor: Actor, body: str = "") -> None:
    timeline_add(customer_id=contract.customer_id, kind="contract", actor=actor,
                 branch_id=contract.branch_id, source=contract,
                 subject=subject % {"number": contract.number}, body=body)


def _enqueue_pdf(contract: Contract) -> None:
    from punkt.contracts.tasks import render_contract_pdf

    # The database queue shares the transaction: a rollback leaves no task behind (C12).
    render_contract_pdf.enqueue(contract.pk, contract.revision)


@transaction.atomic
def contract_prepare(*, actor: Actor, offer_id: int, template_version_id: Any,
                     term_months: Any, starts_on: Any = None,
                     today: datetime.date | None = None, campaign_code: Any = "") -> Contract:
    """A contract from an accepted offer and the contract template in force at the
    branch; its PDF is rendered in the background. ``campaign_code``: a leaflet's code the
    customer gave, of a campaign running at the branch (R10.3; refused on the field)."""
    today = today or timezone.localdate()
    offer = Offer.objects.locked(offer_id, missing=_("Offer not found."))
    org_perms.ensure(actor, perms.CONTRACT_PREPARE.code, offer.branch_id)
    if offer.status != OfferStatus.ACCEPTED:
        raise Conflict("not_accepted", _("A contract is prepared only from an accepted offer."))
    if Contract.objects.filter(offer_id=offer.pk).exists():
        raise Conflict("exists", _("A contract has already been prepared from this offer."))
    customer = Customer.objects.select_related("branch").get(pk=offer.customer_id)
    if customer.status != CustomerStatus.ACTIVE:
        raise Conflict("not_active", _("This customer is not active."))
    if customer.branch_id != offer.branch_id:  # C4: the customer moved to another branch
        raise Conflict("branch_changed", _(
            "The customer now belongs to another branch: record a new offer there."))
    lines = list(offer.lines.select_related("price_item"))
    for version_id in {line.price_item.version_id for line in lines}:
        try:
            materials.ensure_current(version_id=version_id, branch_id=offer.branch_id)
        except (NotFound, Conflict):
            raise Conflict("superseded", _(
                "The price list of this offer is no longer in force: record a new offer "
                "with the current prices."), field="offer") from None
    template = _template(template_version_id, offer.branch_id)
    campaign = referrals.campaign_for(offer.branch_id, campaign_code)
    renews = Contract.objects.filter(pk=offer.renews_id).first() if offer.renews_id else None
    if renews is not None:
        # What the customer accepted: the old term, starting the day after the old end.
        term, start = renews.term_months, _renewal_start(renews, today)
    else:
        term, start = _term(term_months), _start(starts_on, today)
    contract = Contract(customer=customer, branch=customer.branch, offer=offer,
                        renews=renews, template=template,
                        term_months=term, starts_on=start,
                        ends_on=documents.end_of_term(start, term),
                        total_gross=offer.total_gross, prepared_by=employee_of(actor), values={},
                        campaign_code=campaign[0] if campaign else "",
                        campaign_ref=campaign[1] if campaign else None)
    contract.save()
    _fill(contract, customer, actor, lines, today)
    contract.save(update_fields=["values"])
    figures.track(contract, None)
    _event(contract, "prepare", "", actor)
    _note(contract, _("Contract %(number)s prepared"), actor,
          body=_("%(template)s, %(months)d months from %(start)s") % {
              "template": template.material.title, "months": term,
              "start": start.strftime("%d.%m.%Y")})
    audit_record(action="contracts.contract.prepare", obj=contract, actor=actor,
                 branch_id=contract.branch_id, message=f"offer {offer.number}")
    _enqueue_pdf(contract)
    return contract


def _lock(contract_id: int) -> Contract:
    return Contract.objects.select_related("template__material").locked(
        contract_id, missing=_("Contract not found."))


def _move(contract: Contract, t: Transition, actor: Actor, *, note: str = "",
          **fields: Any) -> Contract:
    """Apply ``t`` if the row is still in a source state (the lock already waits out a
    concurrent move; the conditional update guards where rows are not locked); the
    monthly figures follow in the same transaction."""
    source = contract.status
    before = figures.snapshot(contract)
    fields["status"] = t.target
    fields["updated_at"] = timezone.now()
    moved = Contract.objects.filter(pk=contract.pk, status__in=t.sources).update(**fields)
    if moved != 1:
        raise Conflict("invalid_state", _("Someone else has just changed this contract: "
                                          "reload the page."))
    for name, value in fields.items():
        setattr(contract, name, value)
    figures.track(contract, before)
    _event(contract, t.action, source, actor, note)
    audit_record(action=f"contracts.contract.{t.action}", obj=contract, actor=actor,
                 branch_id=contract.branch_id, message=note[:200])
    return contract


def _with_scan(uploaded: UploadedFile | None,
               work: Callable[[dict[str, str]], Contract]) -> Contract:
    """Store the upload, then run ``work(fields)`` in a transaction; the file is removed
    again if the work fails, and the scan it replaces once it commits."""
    if uploaded is None:
        with transaction.atomic():
            return work({})
    name, stored, content_type, _size = files.store(
        uploaded, area=documents.AREA, kinds=SCAN_KINDS,
        refused=_("Send the signed scan as PDF, JPG or PNG."))
    try:
        with transaction.atomic():
            contract = work({"scan_stored": stored, "scan_name": name,
                             "scan_type": content_type})
    except BaseException:
        files.path_of(stored, area=documents.AREA).unlink(missing_ok=True)
        raise
    return contract


def _drop_file_on_commit(stored: str) -> None:
    if stored:
        transaction.on_commit(
            lambda: files.path_of(stored, area=documents.AREA).unlink(missing_ok=True))


def contract_sign(*, actor: Actor, contract_id: int,
                  scan: UploadedFile | None = None) -> Contract:
    """The customer signed the printed contract; the scan may come with it or later."""

    def work(extra: dict[str, str]) -> Contract:
        contract = _lock(contract_id)
        t = CONTRACT_FLOW.ensure_can(contract, "sign", actor=actor)
        if not contract.pdf_ready:
            raise Conflict("pdf_not_ready", _(
                "The contract document is still being prepared: print it and let the "
                "customer sign it first."))
        if extra:
            _drop_file_on_commit(contract.scan_stored)
        _move(contract, t, actor, signed_at=timezone.now(), **extra)
        _note(contract, _("Contract %(number)s signed"), actor)
        return contract

    return _with_scan(scan, work)


#: The signed scan is attached or replaced before the manager's check, never during it.
SCAN_STATES = frozenset({ContractStatus.SIGNED})


def contract_attach_scan(*, actor: Actor, contract_id: int,
                         scan: UploadedFile | None) -> Contract:
    if scan is None:
        raise ValidationFailed("required", _("Choose a file."), field="file")

    def work(extra: dict[str, str]) -> Contract:
        contract = _lock(contract_id)
        org_perms.ensure(actor, perms.CONTRACT_PREPARE.code, contract.branch_id)
        if contract.status not in SCAN_STATES:
            raise Conflict("invalid_state", _(
                "The scan is attached to a signed contract before it goes to the manager."))
        _drop_file_on_commit(contract.scan_stored)
        Contract.objects.filter(pk=contract.pk).update(updated_at=timezone.now(), **extra)
        for name, value in extra.items():
            setattr(contract, name, value)
        audit_record(action="contracts.contract.scan", obj=contract, actor=actor,
                     branch_id=contract.branch_id, message=extra["scan_name"])
        return contract

    return _with_scan(scan, work)


def _worked_on(contract: Contract, user_id: int | None) -> bool:
    """Did this user prepare, correct or mark signed the contract (C11: four eyes)?"""
    if user_id is None:
        return False
    return contract.prepared_by_id == user_id or ContractEvent.objects.filter(
        contract=contract, actor_id=user_id, action__in=("prepare", "fix", "sign")).exists()


@transaction.atomic
def contract_review(*, actor: Actor, contract_id: int, approve: bool,
                    signatures: list[str] | None = None, problems: list[str] | None = None,
                    note: str = "") -> Contract:
    """The manager's check against the template: every signature place confirmed and no
    required data missing → approved (sent to HQ); otherwise returned with reasons."""
    contract = _lock(contract_id)
    t = CONTRACT_FLOW.ensure_can(contract, "approve" if approve else "return", actor=actor)
    note = _clean(note, 1000)
    required = contract.template.template.get("signatures", [])
    if approve:
        if (contract.total_gross >= four_eyes_threshold()
                and _worked_on(contract, getattr(employee_of(actor), "pk", None))):
            raise ActionDenied(_(
                "You prepared this contract and it is worth %(value)s or more: another "
                "manager must approve it.") % {"value": documents.money(
                    four_eyes_threshold())}, action=perms.CONTRACT_APPROVE.code)
        unconfirmed = [s for s in required if s not in set(signatures or [])]
        if unconfirmed:
            raise ValidationFailed("signatures", _(
                "Confirm every signature before approving: %(missing)s.")
                % {"missing": ", ".join(  # quoted: a place may end with "S.A."
                    pgettext("quoted name", "“%(name)s”") % {"name": s}
                    for s in unconfirmed)}, field="signatures")
        lacking = documents.missing(contract.values, contract.template.template.get("fields", []))
        if lacking:
            raise ValidationFailed("missing_data", _(
                "Required data are missing on the contract: return it for correction."),
                field="values")
        _move(contract, t, actor, note=note, approved_at=timezone.now(),
              approved_by=employee_of(actor))
        _note(contract, _("Contract %(number)s approved by the manager, sent to HQ"), actor,
              body=note)
        return contract
    reasons = [_clean(p, 200) for p in problems or [] if _clean(p, 200)]
    if note:
        reasons.append(note)
    if not reasons:
        raise ValidationFailed("required", _("Say what has to be corrected."), field="note")
    text = "\n".join(reasons)
    _move(contract, t, actor, note=text, reasons=text)
    _note(contract, _("Contract %(number)s returned for correction"), actor, body=text)
    return contract


@transaction.atomic
def contract_fix(*, actor: Actor, contract_id: int, term_months: Any = None,
                 starts_on: Any = None, today: datetime.date | None = None) -> Contract:
    """The employee corrects a returned contract: data taken again from the customer's
    record (corrected meanwhile), the template in force now, a new PDF to sign."""
    today = today or timezone.localdate()
    contract = _lock(contract_id)
    t = CONTRACT_FLOW.ensure_can(contract, "fix", actor=actor)
    old_scan = contract.scan_stored
    customer = Customer.objects.get(pk=contract.customer_id)
    if customer.status != CustomerStatus.ACTIVE:
        raise Conflict("not_active", _("This customer is not active."))
    if customer.branch_id != contract.branch_id:  # C4
        raise Conflict("branch_changed", _(
            "The customer now belongs to another branch: cancel this contract and prepare "
            "a new one there."))
    template = current_for_branch(branch_id=contract.branch_id,
                                  material_id=contract.template.material_id, on=today)
    if template is None:
        raise Conflict("superseded", _("This contract template has been withdrawn: cancel "
                                       "the contract and prepare a new one."), field="template")
    contract.template = template
    renews = contract.renews
    if renews is not None:  # a renewal keeps the accepted term and follows the old one
        contract.term_months = renews.term_months
        contract.starts_on = _renewal_start(renews, today)
    else:
        contract.term_months = _term(term_months if term_months not in (None, "")
                                     else contract.term_months)
        contract.starts_on = _start(starts_on, today) if starts_on not in (None, "") else \
            max(contract.starts_on, today)
    contract.ends_on = documents.end_of_term(contract.starts_on, contract.term_months)
    lines = list(contract.offer.lines.all()) if contract.offer is not None else []
    _fill(contract, customer, actor, lines, today)
    _move(contract, t, actor, template=template, term_months=contract.term_months,
          starts_on=contract.starts_on, ends_on=contract.ends_on, values=contract.values,
          revision=contract.revision + 1, signed_at=None, reasons="", scan_stored="",
          scan_name="", scan_type="")
    # The returned revision's scan is void: the corrected document is signed anew.
    _drop_file_on_commit(old_scan)
    _note(contract, _("Contract %(number)s corrected"), actor)
    _enqueue_pdf(contract)
    return contract


@transaction.atomic
def contract_finalise(*, actor: Actor, contract_id: int, approve: bool,
                      reason: str = "") -> Contract:
    """HQ's last word: the contract becomes active for its term, or is rejected."""
    contract = _lock(contract_id)
    t = CONTRACT_FLOW.ensure_can(contract, "finalise" if approve else "reject", actor=actor)
    reason = _clean(reason, 1000)
    if approve:
        _move(contract, t, actor, note=reason, finalised_at=timezone.now(),
              finalised_by=employee_of(actor))
        _note(contract, _("Contract %(number)s active"), actor, body=_(
            "From %(start)s to %(end)s") % {"start": contract.starts_on.strftime("%d.%m.%Y"),
                                           "end": contract.ends_on.strftime("%d.%m.%Y")})
        return contract
    if not reason:
        raise ValidationFailed("required", _("Say why HQ rejects the contract."),
                               field="reason")
    _move(contract, t, actor, note=reason, reasons=reason, finalised_at=timezone.now(),
          finalised_by=employee_of(actor))
    _note(contract, _("Contract %(number)s rejected by HQ"), actor, body=reason)
    _renewal_gone(contract)
    return contract


@transaction.atomic
def contract_cancel(*, actor: Actor, contract_id: int, reason: str) -> Contract:
    contract = _lock(contract_id)
    t = CONTRACT_FLOW.ensure_can(contract, "cancel", actor=actor)
    reason = _clean(reason, 1000)
    if not reason:
        raise ValidationFailed("required", _("Say why the contract is cancelled."),
                               field="reason")
    _move(contract, t, actor, note=reason, reasons=reason)
    _note(contract, _("Contract %(number)s cancelled"), actor, body=reason)
    _renewal_gone(contract)
    return contract


def _renewal_gone(contract: Contract) -> None:
    """A renewal that will never be in force: did its customer leave after all?"""
    from punkt.contracts.services.ending import rejudge_after_dead_renewal

    rejudge_after_dead_renewal(contract, timezone.localdate())


def store_pdf(*, contract_id: int, revision: int) -> bool:
    """Render and keep the PDF of ``revision`` unless it is there already or the contract
    has moved on (idempotent: a retried task does nothing twice)."""
    contract = (Contract.objects.select_related("template", "branch")
                .filter(pk=contract_id).first())
    if contract is None or contract.revision != revision or contract.pdf_revision >= revision:
        return False
    stored = files.write(documents.render(contract), area=documents.AREA, ext="pdf")
    with transaction.atomic():
        updated = Contract.objects.filter(pk=contract_id, revision=revision,
                                          pdf_revision__lt=revision).update(
            pdf_stored=stored, pdf_revision=revision)
        if updated:
            _drop_file_on_commit(contract.pdf_stored)
    if not updated:  # another worker was quicker, or a correction came in between
        files.path_of(stored, area=documents.AREA).unlink(missing_ok=True)
    return bool(updated)
