"""Reading offers and contracts, branch scoping first."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from punkt.contracts import permissions as perms
from punkt.contracts.filters import ContractFilter
from punkt.contracts.models import Contract, ContractEvent, ContractStatus, Offer
from punkt.core.scoping import BranchScopedQuerySet
from punkt.customers.normalize import fold
from punkt.materials import selectors as materials
from punkt.materials.models import MaterialKind, PriceItem
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


#: The contract list's orders: newest first (the default) or oldest first.
CONTRACT_SORTS = ("-id", "id")


def contract_list(*, user: Actor, params: Mapping[str, Any], exact: bool = False,
                  sort: str = "-id") -> QuerySet[Contract]:
    """Newest first (``sort="id"``: oldest first), filtered by ``params``
    (:class:`ContractFilter`, the page's or the API's); every filter rides an index that
    starts with the branch or status, read either way. ``exact`` (the API): a status no
    contract can have matches none instead of being left out."""
    org_perms.ensure(user, perms.CONTRACT_VIEW.code)
    found = ContractFilter(params, queryset=contracts_visible_to(user), user=user)
    qs = found.qs if found.is_valid() or not exact else Contract.objects.none()
    return qs.select_related("customer", "branch").order_by(
        sort if sort in CONTRACT_SORTS else "-id")


def review_queue(*, user: Actor) -> QuerySet[Contract]:
    """Contracts waiting for this manager's check, by batch."""
    qs = Contract.objects.visible_to(user, perms.CONTRACT_APPROVE).filter(
        status=ContractStatus.IN_REVIEW)
    return qs.select_related("customer", "branch", "prepared_by", "batch").order_by(
        "batch_id", "pk")


def finalise_queue(*, user: Actor) -> QuerySet[Contract]:
    """Approved contracts waiting for HQ to finalise them, the longest waiting first."""
    qs = Contract.objects.visible_to(user, perms.CONTRACT_FINALISE).filter(
        status=ContractStatus.APPROVED)
    return qs.select_related("customer", "branch").order_by("approved_at", "pk")


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


# --- The offer form's search over the price lists in force ------------------------------

@dataclass
class PriceMatches:
    """Positions of the price lists in force at a branch that match a search."""

    items: list[PriceItem]
    #: More matched than ``items`` holds: the user narrows the search.
    more: bool
    #: How many positions the branch's price lists hold in all.
    total: int


def price_items_matching(*, branch_id: int, q: str, limit: int = 20,
                         on: datetime.date | None = None) -> PriceMatches:
    """What the offer form's search finds: positions of the price lists in force at the
    branch whose code or name holds every word typed (letter case and Polish letters
    forgiven: ``swiatlowod`` finds "Światłowód"), by price list and position. The caller
    has shown the customer of that branch."""
    versions = {v.pk: v for v in materials.in_force_for_branch(
        branch_id=branch_id, kind=MaterialKind.PRICE_LIST, on=on)}
    words = fold(q).split()
    rows = (PriceItem.objects.filter(version_id__in=versions)
            .only("pk", "version_id", "position", "code", "name", "unit", "price_gross")
            .order_by("version_id", "position"))
    total, found = 0, list[PriceItem]()
    for item in rows.iterator(chunk_size=2000):
        total += 1
        if words and len(found) <= limit and all(
                w in fold(f"{item.code} {item.name}") for w in words):
            item.version = versions[item.version_id]
            found.append(item)
    titles = {pk: v.material.title.lower() for pk, v in versions.items()}
    found.sort(key=lambda i: (titles[i.version_id], i.version_id, i.position))
    return PriceMatches(items=found[:limit], more=len(found) > limit, total=total)


def price_items_in_force(*, branch_id: int, ids: Iterable[int],
                         on: datetime.date | None = None) -> dict[int, PriceItem]:
    """Of the positions ``ids``, those in a price list in force at the branch (the others
    are left out), each with its version and material."""
    versions = {v.pk: v for v in materials.in_force_for_branch(
        branch_id=branch_id, kind=MaterialKind.PRICE_LIST, on=on)}
    items = {}
    for item in PriceItem.objects.filter(pk__in=list(ids), version_id__in=versions):
        item.version = versions[item.version_id]
        items[item.pk] = item
    return items
