"""Offer and contract workflows, each one transition table (docs/workflows/offer.md,
docs/workflows/contract.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.contracts import permissions as perms
from punkt.contracts.models import ContractStatus as C
from punkt.contracts.models import OfferStatus as S
from punkt.core.workflows import NOT_STAFF, Transition, Workflow
from punkt.organization import permissions as org_perms

#: awaiting (a discount above the limit) → presented (approved by another person, C11)
#: → accepted / declined; an opportunity's offer awaiting or presented is superseded by
#: its next version (no employee's step: the new version does it).
OFFER_FLOW = Workflow(_("offer"), transitions=[
    Transition("approve", {S.AWAITING}, S.PRESENTED, perms.OFFER_DISCOUNT_APPROVE.code,
               _("Approve the discount")),
    Transition("accept", {S.PRESENTED}, S.ACCEPTED, perms.OFFER_CREATE.code, _("Accepted")),
    Transition("decline", {S.PRESENTED}, S.DECLINED, perms.OFFER_CREATE.code, _("Declined")),
    Transition("supersede", {S.AWAITING, S.PRESENTED}, S.SUPERSEDED, NOT_STAFF,
               _("Replaced by a newer version")),
], branch_of=lambda offer: offer.branch_id, can=org_perms.can, ensure=org_perms.ensure)

PREPARE, APPROVE, FINALISE, TERMINATE = (
    perms.CONTRACT_PREPARE.code, perms.CONTRACT_APPROVE.code, perms.CONTRACT_FINALISE.code,
    perms.CONTRACT_TERMINATE.code)

#: prepared → signed → in_review (the manager's batch) → approved (at HQ) → active;
#: the manager may return it (→ returned → prepared again after the fix), HQ may reject
#: it; before the manager's approval the employee may cancel it. An active contract ends
#: at the end of its term (the daily job: no employee's step) or is terminated early by
#: the manager, with a reason and a date.
CONTRACT_FLOW = Workflow(_("contract"), transitions=[
    Transition("sign", {C.PREPARED}, C.SIGNED, PREPARE, _("Mark as signed")),
    Transition("submit", {C.SIGNED}, C.IN_REVIEW, APPROVE, _("Hand to the manager")),
    Transition("approve", {C.IN_REVIEW}, C.APPROVED, APPROVE, _("Approve")),
    Transition("return", {C.IN_REVIEW}, C.RETURNED, APPROVE, _("Return for correction")),
    Transition("fix", {C.RETURNED}, C.PREPARED, PREPARE, _("Correct")),
    Transition("finalise", {C.APPROVED}, C.ACTIVE, FINALISE, _("Finalise")),
    Transition("reject", {C.APPROVED}, C.REJECTED, FINALISE, _("Reject")),
    Transition("cancel", {C.PREPARED, C.SIGNED, C.RETURNED}, C.CANCELLED, PREPARE,
               _("Cancel")),
    Transition("terminate", {C.ACTIVE}, C.TERMINATED, TERMINATE, _("Terminate early")),
    Transition("end", {C.ACTIVE}, C.ENDED, NOT_STAFF, _("End of term")),
], branch_of=lambda contract: contract.branch_id, can=org_perms.can, ensure=org_perms.ensure)
