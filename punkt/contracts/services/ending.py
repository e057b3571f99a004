"""How a contract stops being in force: at the end of its term (the daily job
:func:`contracts_end_due`, no employee's step) or terminated early by the manager
(:func:`contract_terminate`, with a reason and the last day in force).

Either way the customer may be left with no active contract and no renewal: that is a
customer who left (churn, R5.3, seed 000's −15 % goal). It is decided when the contract
stops, under the customer's row lock (two contracts of one customer ending at once
count the customer once), and kept on the contract (``left_on``) so the monthly figures
can be rebuilt from the contracts alone. A renewal cancelled or rejected after the old
contract stopped decides it again (:func:`rejudge_after_dead_renewal`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.contracts.models import DEAD, Contract, ContractStatus
from punkt.contracts.services.contracts import _clean, _lock, _move, _note
from punkt.contracts.workflows import CONTRACT_FLOW
from punkt.core.errors import ValidationFailed
from punkt.core.values import iso_date
from punkt.customers.models import Customer
from punkt.organization.actors import Actor
from punkt.organization.permissions import SystemActor

#: Contracts ended per transaction by the daily job.
END_BATCH = 500


def _lock_customers(customer_ids: set[int]) -> None:
    """Lock the customers' rows in one order (two jobs never wait on each other)."""
    list(Customer.objects.select_for_update().filter(pk__in=sorted(customer_ids))
         .order_by("pk").values_list("pk", flat=True))


def _customer_stays(contract: Contract) -> bool:
    """Does the customer keep a contract once ``contract`` stops: another active one, or
    a renewal of this one on its way or in force?"""
    others_active = Contract.objects.filter(
        customer_id=contract.customer_id, status=ContractStatus.ACTIVE).exclude(pk=contract.pk)
    renewal = Contract.objects.filter(renews_id=contract.pk).exclude(status__in=DEAD)
    return others_active.exists() or renewal.exists()


def contract_terminate(*, actor: Actor, contract_id: int, reason: str, terminated_on: Any,
                       today: datetime.date | None = None) -> Contract:
    """The manager ends an active contract early: why, and its last day in force (today
    or earlier, not before it became active, not after its term)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        contract = _lock(contract_id)
        t = CONTRACT_FLOW.ensure_can(contract, "terminate", actor=actor)
        reason = _clean(reason, 1000)
        if not reason:
            raise ValidationFailed("required", _("Say why the contract is terminated."),
                                   field="reason")
        if terminated_on in (None, ""):
            raise ValidationFailed("required", _("Give the contract's last day in force."),
                                   field="terminated_on")
        day = iso_date(terminated_on, field="terminated_on",
                       message=_("Give the last day in force as YYYY-MM-DD."))
        if day > today:
            raise ValidationFailed("invalid", _(
                "The last day in force cannot be in the future."), field="terminated_on")
        if day > contract.ends_on:
            raise ValidationFailed("invalid", _(
                "The term ends on %(end)s: the contract ends on its own then.")
                % {"end": contract.ends_on.strftime("%d.%m.%Y")}, field="terminated_on")
        since = timezone.localtime(contract.finalised_at).date() \
            if contract.finalised_at else contract.starts_on
        if day < since:
            raise ValidationFailed("invalid", _(
                "The contract has been active since %(since)s: the last day in force "
                "cannot be earlier.") % {"since": since.strftime("%d.%m.%Y")},
                field="terminated_on")
        _lock_customers({contract.customer_id})
        left_on = None if _customer_stays(contract) else day
        _move(contract, t, actor, note=reason, reasons=reason, terminated_on=day,
              left_on=left_on)
        _note(contract, _("Contract %(number)s terminated early"), actor,
              body=_("Last day in force: %(day)s. %(reason)s") % {
                  "day": day.strftime("%d.%m.%Y"), "reason": reason})
        return contract


def _end_batch(today: datetime.date, size: int, actor: Actor) -> int:
    qs = (Contract.objects.select_related("template__material")
          .filter(status=ContractStatus.ACTIVE, ends_on__lt=today).order_by("ends_on", "pk"))
    if connection.vendor == "postgresql":  # two jobs at once share the work
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    batch = list(qs[:size])
    if not batch:
        return 0
    _lock_customers({c.customer_id for c in batch})
    t = CONTRACT_FLOW.transition("end")
    for contract in batch:
        CONTRACT_FLOW.ensure_state(contract, "end")
        left_on = None if _customer_stays(contract) else contract.ends_on
        _move(contract, t, actor, left_on=left_on)
        _note(contract, _("Contract %(number)s ended: its term is over"), actor)
    return len(batch)


def contracts_end_due(*, today: datetime.date | None = None, batch_size: int = END_BATCH,
                      actor: Actor | None = None) -> int:
    """The daily job: every active contract whose term ended before ``today`` becomes
    "ended", in batches of ``batch_size`` (one transaction each). Idempotent: an ended
    contract is no longer active, so a second run finds nothing (C9)."""
    today = today or timezone.localdate()
    actor = actor or SystemActor("scheduler")
    done = 0
    while True:
        with transaction.atomic():
            n = _end_batch(today, batch_size, actor)
        done += n
        if n < batch_size:
            return done


def rejudge_after_dead_renewal(contract: Contract, today: datetime.date) -> None:
    """``contract`` (a renewal) was just cancelled or rejected: if the contract it renews
    has stopped and its customer now has nothing, the customer left today."""
    from punkt.contracts import figures

    if contract.renews_id is None:
        return
    _lock_customers({contract.customer_id})
    old = Contract.objects.filter(pk=contract.renews_id).first()
    if (old is None or old.left_on is not None
            or old.status not in (ContractStatus.ENDED, ContractStatus.TERMINATED)
            or _customer_stays(old)):
        return
    before = figures.snapshot(old)
    Contract.objects.filter(pk=old.pk).update(left_on=today)
    old.left_on = today
    figures.apply(figures.diff(before, figures.snapshot(old)))
