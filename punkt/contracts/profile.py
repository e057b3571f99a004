"""What offers and contracts put on a customer's profile: the "New offer" button, the
Contracts and Offers tabs, the open matters of the summary, links from the timeline and
contract numbers found by the customer search box."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from punkt.contracts import permissions as perms
from punkt.contracts.models import Contract, ContractStatus, Offer, OfferStatus
from punkt.customers.profile import (
    TAB_ROWS,
    Found,
    Matter,
    api_route,
    register_number_lookup,
    register_profile_matter,
    register_profile_panel,
    register_source_link,
    route,
)
from punkt.customers.timeline import register_profile_action
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

#: A contract on its way to being active: prepared … approved at the branch, not yet at HQ.
IN_PROGRESS = [ContractStatus.PREPARED, ContractStatus.SIGNED, ContractStatus.IN_REVIEW,
               ContractStatus.RETURNED, ContractStatus.APPROVED]


@register_profile_action
def _new_offer(user: Actor, customer: Any) -> tuple[Any, str] | None:
    if not org_perms.can(user, perms.OFFER_CREATE.code, customer.branch_id):
        return None
    return _("New offer"), reverse("contracts:offer_create", args=[customer.pk])


def _contracts(user: Actor, customer: Any) -> dict[str, Any]:
    rows = list(Contract.objects.visible_to(user, perms.CONTRACT_VIEW).filter(customer=customer)
                .select_related("branch").order_by("-id")[:TAB_ROWS + 1])
    return {"contracts": rows[:TAB_ROWS], "more": len(rows) > TAB_ROWS,
            "all_url": reverse("contracts:contract_list") + f"?customer_id={customer.pk}"}


def _offers(user: Actor, customer: Any) -> dict[str, Any]:
    rows = list(Offer.objects.visible_to(user, perms.OFFER_VIEW).filter(customer=customer)
                .select_related("branch", "created_by")
                .order_by("-created_at", "-id")[:TAB_ROWS + 1])
    return {"offers": rows[:TAB_ROWS], "more": len(rows) > TAB_ROWS}


register_profile_panel("contracts", _("Contracts"), "contracts/profile/contracts_tab.html",
                       _contracts, perms.CONTRACT_VIEW.code, order=10)
register_profile_panel("offers", _("Offers"), "contracts/profile/offers_tab.html",
                       _offers, perms.OFFER_VIEW.code, order=20)


@register_profile_matter
def _open_contracts(user: Actor, customer: Any) -> list[Matter]:
    """Active contracts and those on their way (one query), offers awaiting an answer (one)."""
    out: list[Matter] = []
    tab = reverse("customers:customer_detail", args=[customer.pk])
    if org_perms.can(user, perms.CONTRACT_VIEW.code, customer.branch_id):
        counts = Contract.objects.visible_to(user, perms.CONTRACT_VIEW).filter(
            customer=customer).aggregate(
            active=Count("pk", filter=Q(status=ContractStatus.ACTIVE)),
            going=Count("pk", filter=Q(status__in=IN_PROGRESS)))
        if counts["active"] or counts["going"]:
            parts = []
            if counts["active"]:
                parts.append(ngettext("%(n)d active", "%(n)d active", counts["active"])
                             % {"n": counts["active"]})
            if counts["going"]:
                parts.append(ngettext("%(n)d in progress", "%(n)d in progress",
                                      counts["going"]) % {"n": counts["going"]})
            out.append(Matter(_("Contracts"), ", ".join(parts), tab + "?tab=contracts#tabs",
                              "warn" if counts["going"] else ""))
    if org_perms.can(user, perms.OFFER_VIEW.code, customer.branch_id):
        waiting = Offer.objects.visible_to(user, perms.OFFER_VIEW).filter(
            customer=customer, status=OfferStatus.PRESENTED).count()
        if waiting:
            out.append(Matter(_("Offers"), ngettext(
                "%(n)d awaiting an answer", "%(n)d awaiting an answer", waiting)
                % {"n": waiting}, tab + "?tab=offers#tabs", "info"))
    return out


register_source_link("contracts.contract", route("contracts:contract_detail"),
                     permission=perms.CONTRACT_VIEW.code, api=api_route("contract_get"))
register_source_link("contracts.offer", route("contracts:offer_detail"),
                     permission=perms.OFFER_VIEW.code, api=api_route("offer_get"))


@register_number_lookup
def _contract_number(user: Actor, number: str) -> Found | None:
    """``U00000123``: the contract, if the user sees it; else its customer, if visible."""
    digits = number.removeprefix("U")
    if number == digits or not digits.isdecimal() or len(digits) > 12:
        return None
    found = Contract.objects.filter(pk=int(digits)).only("pk", "customer_id", "branch_id").first()
    if found is None:
        return None
    if Contract.objects.visible_to(user, perms.CONTRACT_VIEW).filter(pk=found.pk).exists():
        return Found(_("Contract"), found.number,
                     reverse("contracts:contract_detail", args=[found.pk]))
    from punkt.customers.selectors import customers_visible_to

    if customers_visible_to(user, include_closed=True).filter(pk=found.customer_id).exists():
        return Found(_("Contract"), found.number,
                     reverse("customers:customer_detail", args=[found.customer_id]))
    return None
