"""Reads of programmes, cards and entries, every one from ``visible_to``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from punkt.core.errors import NotFound
from punkt.customers.search import customers_named
from punkt.loyalty import permissions as perms
from punkt.loyalty.models import Card, PointsEntry, Programme
from punkt.organization.actors import Actor

MAX_TEXT = 100


def programmes(*, active_only: bool = False) -> QuerySet[Programme]:
    qs = Programme.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def programme_get(programme_id: Any) -> Programme:
    return Programme.objects.get_or_not_found(programme_id,
                                              missing=_("Programme not found."))


def card_list(*, user: Actor, branch_id: int | None = None, status: str = "",
              programme_id: int | None = None, q: str = "") -> QuerySet[Card]:
    """The cards issued at the branches where ``user`` sees cards; ``q`` is a card number
    (or its start) or the customer's name as the customer search finds it."""
    qs = (Card.objects.visible_to(user, perms.CARD_VIEW, branch_id=branch_id)
          .select_related("programme", "customer", "branch"))
    if status:
        qs = qs.filter(status=status)
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    text = " ".join(str(q or "").split())[:MAX_TEXT]
    if text:
        compact = text.replace(" ", "")
        if compact.isdigit() and compact.startswith("29") and len(compact) <= 13:
            qs = qs.filter(number__startswith=compact)
        else:
            qs = qs.filter(Q(customer_id__in=customers_named(user=user, text=text)))
    return qs


def card_get(*, user: Actor, card_id: Any) -> Card:
    return (Card.objects.visible_to(user, perms.CARD_VIEW)
            .select_related("programme", "customer", "branch")
            .get_or_not_found(card_id, missing=_("Card not found.")))


def card_by_number(*, user: Actor, number: str) -> Card:
    card = (Card.objects.visible_to(user, perms.CARD_VIEW)
            .filter(number="".join(str(number or "").split())).first())
    if card is None:
        raise NotFound(_("Card not found."))
    return card


def entries(*, user: Actor, card: Card) -> QuerySet[PointsEntry]:
    return (PointsEntry.objects.visible_to(user, perms.CARD_VIEW).filter(card=card)
            .select_related("sale", "redemption__reward").order_by("-created_at", "-pk"))


def cards_of_customer(*, user: Actor, customer_id: int, limit: int) -> list[Card]:
    return list(Card.objects.visible_to(user, perms.CARD_VIEW)
                .filter(customer_id=customer_id).select_related("programme")
                .order_by("-issued_at", "-pk")[:limit])
