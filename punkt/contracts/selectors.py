"""Reading offers and contracts, branch scoping first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from punkt.contracts import permissions as perms
from punkt.contracts.filters import ContractFilter
from punkt.contracts.models import Contract, ContractEvent, ContractStatus, Offer
from punkt.core.scoping import BranchScopedQuerySet
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor


def offers_visible_to(user: Actor) -> BranchScopedQuerySet[Offer]:
    return Offer.objects.visible_to(user, perms.OFFER_VIEW)


def offer_get(*, user: Actor, offer_id: int) -> Offer:
    org_perms.ensure(user, perms.OFFER_VIEW.code)
    return (offers_visible_to(user)
            .select_related("customer", "branch", "created_by", "promo__material")
            .prefetch_related("lines").get_or_not_found(offer_id, missing=_("Offer not found.")))


def contracts_visible_to(user: Actor) -> BranchScopedQuerySet[Contract]:
    return Contract.objects.visible_to(user, perms.CONTRACT_VIEW)


def contract_get(*, user: Actor, contract_id: int) -> Contract:
    org_perms.ensure(user, perms.CONTRACT_VIEW.code)
    return (contracts_visible_to(user)
            .select_related("customer", "branch", "prepared_by", "template__material")
            .get_or_not_found(contract_id, missing=_("Contract not found.")))


def contract_of_offer(*, user: Actor, offer: Offer) -> Contract | None:
    """The contract prepared from ``offer``, if any (only its number is read)."""
    return contracts_visible_to(user).filter(offer_id=offer.pk).only("pk").first()


def contract_events(contract: Contract) -> list[ContractEvent]:
    return list(contract.events.select_related("actor"))


def contract_list(*, user: Actor, params: Mapping[str, Any],
                  exact: bool = False) -> QuerySet[Contract]:
    """Newest first, filtered by ``params`` (:class:`ContractFilter`, the page's or the
    API's); every filter rides an index that starts with the branch or status. ``exact``
    (the API): a status no contract can have matches none instead of being left out."""
    org_perms.ensure(user, perms.CONTRACT_VIEW.code)
    found = ContractFilter(params, queryset=contracts_visible_to(user))
    qs = found.qs if found.is_valid() or not exact else Contract.objects.none()
    return qs.select_related("customer", "branch").order_by("-id")


def review_queue(*, user: Actor) -> QuerySet[Contract]:
    """Contracts waiting for this manager's check, by batch."""
    qs = Contract.objects.visible_to(user, perms.CONTRACT_APPROVE).filter(
        status=ContractStatus.IN_REVIEW)
    return qs.select_related("customer", "branch", "prepared_by", "batch").order_by(
        "batch_id", "pk")


def approval_counts(*, user: Actor) -> tuple[int, int]:
    """(in review, signed waiting for the batch) over the branches the user checks: the
    dashboard's counts of :func:`review_queue` and :func:`signed_waiting` in one query."""
    counts = Contract.objects.visible_to(user, perms.CONTRACT_APPROVE).filter(
        status__in=[ContractStatus.IN_REVIEW, ContractStatus.SIGNED]).aggregate(
        in_review=Count("pk", filter=Q(status=ContractStatus.IN_REVIEW)),
        signed=Count("pk", filter=Q(status=ContractStatus.SIGNED)))
    return counts["in_review"] or 0, counts["signed"] or 0


def signed_waiting(*, user: Actor) -> dict[int, int]:
    """Per branch the manager checks: how many signed contracts wait for the next batch."""
    qs = Contract.objects.visible_to(user, perms.CONTRACT_APPROVE).filter(
        status=ContractStatus.SIGNED)
    return dict(qs.values("branch_id").annotate(n=Count("pk")).values_list("branch_id", "n")
                .order_by())
