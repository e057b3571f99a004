"""The manager's batches (R4.3): the signed contracts of a branch handed over together, at
the end of the day by the scheduler or when the manager asks."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from punkt.contracts import permissions as perms
from punkt.contracts.models import Contract, ContractBatch, ContractStatus
from punkt.contracts.services.contracts import _move, _note
from punkt.contracts.workflows import CONTRACT_FLOW
from punkt.core.errors import NotFound
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of


def _collect(branch_id: int, actor: Actor) -> ContractBatch | None:
    t = CONTRACT_FLOW.transition("submit")
    signed = list(Contract.objects.select_for_update().filter(
        branch_id=branch_id, status=ContractStatus.SIGNED).order_by("pk"))
    if not signed:
        return None
    batch = ContractBatch.objects.create(branch_id=branch_id, created_by=employee_of(actor),
                                         size=len(signed))
    for contract in signed:
        _move(contract, t, actor, batch=batch)
        _note(contract, _("Contract %(number)s handed to the manager"), actor)
    return batch


@transaction.atomic
def batch_collect(*, actor: Actor, branch_id: int) -> ContractBatch | None:
    """The manager asks for the signed contracts now (instead of the day's end)."""
    from punkt.organization.models import Branch

    if not Branch.objects.filter(pk=branch_id).exists():
        raise NotFound(_("Branch not found."))
    org_perms.ensure(actor, perms.CONTRACT_APPROVE.code, branch_id)
    return _collect(branch_id, actor)


def collect_day(*, actor: Actor) -> int:
    """The scheduler's end-of-day batches, one per branch with signed contracts. Running
    it twice creates nothing twice: a collected contract is no longer "signed" (C9)."""
    branches = (Contract.objects.filter(status=ContractStatus.SIGNED)
                .values_list("branch_id", flat=True).distinct().order_by())
    made = 0
    for branch_id in sorted(set(branches)):
        with transaction.atomic():
            made += _collect(branch_id, actor) is not None
    return made

