"""What loyalty puts on a customer's profile: the Loyalty tab (cards, tier, points, the
last entries), a fact line with the active card, the "Issue a loyalty card" action and
links from the timeline to the card."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.customers.profile import (
    TAB_ROWS,
    register_profile_panel,
    register_source_link,
    route,
)
from punkt.customers.timeline import register_kind, register_profile_action, register_profile_fact
from punkt.loyalty import closed
from punkt.loyalty import permissions as perms
from punkt.loyalty.draws import is_vip
from punkt.loyalty.models import CardStatus, PointsEntry
from punkt.loyalty.selectors import cards_of_customer
from punkt.loyalty.services import purchases_of
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

register_kind("loyalty", gettext_lazy("Loyalty card"))

ENTRIES = 10


def _loyalty(user: Actor, customer: Any) -> dict[str, Any]:
    cards = cards_of_customer(user=user, customer_id=customer.pk, limit=TAB_ROWS)
    entries = list(PointsEntry.objects.visible_to(user, perms.CARD_VIEW)
                   .filter(card__customer=customer).select_related("card", "sale")
                   .order_by("-created_at", "-pk")[:ENTRIES])
    shut = closed.closed_of({c.programme_id for c in cards})
    access = [(c, closed.access_of(c, shut.get(c.programme_id, []))) for c in cards
              if shut.get(c.programme_id)]
    return {"cards": cards, "entries": entries, "access": access,
            "can_products": closed.can_see_products(user),
            "issue_url": (reverse("loyalty:card_new") + f"?customer={customer.pk}"
                          if org_perms.can(user, perms.CARD_ISSUE.code, customer.branch_id)
                          else "")}


register_profile_panel("loyalty", gettext_lazy("Loyalty"), "loyalty/profile/loyalty_tab.html",
                       _loyalty, perms.CARD_VIEW.code, order=45)
register_source_link("loyalty.card", route("loyalty:card_detail"),
                     permission=perms.CARD_VIEW.code)
register_source_link("loyalty.prizedraw", route("loyalty:draw_detail"),
                     permission=perms.CARD_VIEW.code)


@register_profile_action
def _issue_card(user: Actor, customer: Any) -> tuple[Any, str] | None:
    if not org_perms.can(user, perms.CARD_ISSUE.code, customer.branch_id):
        return None
    return _("Issue a loyalty card"), reverse("loyalty:card_new") + f"?customer={customer.pk}"


@register_profile_fact
def _card_fact(user: Actor, customer: Any) -> tuple[Any, str] | None:
    cards = [c for c in cards_of_customer(user=user, customer_id=customer.pk, limit=3)
             if c.status == CardStatus.ACTIVE]
    if not cards:
        return None
    card = cards[0]
    text = _("%(number)s, %(points)d points") % {"number": card.number,
                                                  "points": card.points_balance}
    if card.tier:
        text += f", {card.get_tier_display()}"
    if card.programme.vip_from and is_vip(card.programme, purchases_of(card.pk)):
        text += " · VIP: " + (card.programme.vip_benefits or "")
    return _("Loyalty card"), text
