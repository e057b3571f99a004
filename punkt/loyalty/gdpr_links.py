"""What GDPR export, erasure and merge do with loyalty cards (C28): a merge moves the
merged record's cards (and their points) to the survivor; erasure blocks the customer's
cards and empties the reason for blocking — the card and its points ledger stay, tied to
the anonymised record and to the sales kept for the accounting period."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import register_linked
from punkt.loyalty.models import Card, CardStatus


def _erase_cards(cards: Any) -> None:
    cards.update(status=CardStatus.BLOCKED, blocked_reason="")


register_linked(Card, erase=_erase_cards)

activity("loyalty.cards",
         name=_("Loyalty programmes"),
         purpose=_("Discounts and bonus points for the holders of loyalty cards; the "
                   "tier from the purchases of the last 12 months"),
         legal_basis=_("GDPR art. 6(1)(b) (the programme's terms accepted when the card "
                       "is issued)"),
         subjects=_("Customers holding a personal loyalty card"),
         data=_("Card number, tier, points earned and redeemed with the sales they came "
                "from"),
         recipients=_("Employees of the branches, HQ"),
         retention=_("As long as the card; the points entries with the sales documents "
                     "(5 years, Accounting Act art. 74)"),
         measures=BASE_MEASURES)
