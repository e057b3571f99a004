"""Loyalty programmes (R13, seed 003): HQ defines the programmes; the branch's staff
issue cards at the counter, see a card's points and tier; the manager blocks a card."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

CARD_VIEW = registry.register(
    "loyalty.card.view",
    gettext_lazy("See the branch's loyalty cards, their tier, points and entries"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
CARD_ISSUE = registry.register(
    "loyalty.card.issue",
    gettext_lazy("Issue a loyalty card at the counter and print it"),
    [R.MANAGER, R.SERVICE])
REWARD_REDEEM = registry.register(
    "loyalty.reward.redeem",
    gettext_lazy("Exchange a card's points for a reward at the counter (a product leaves "
                 "the branch's stock)"),
    [R.MANAGER, R.SERVICE])
CARD_BLOCK = registry.register(
    "loyalty.card.block",
    gettext_lazy("Block a lost loyalty card and unblock it"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
PROGRAMME_MANAGE = registry.register(
    "loyalty.programme.manage",
    gettext_lazy("Define the company's loyalty programmes: kinds, discounts, tiers, "
                 "points and their validity"),
    [R.HQ_EXPERT, R.ADMIN], scope="global")
DRAW_MANAGE = registry.register(
    "loyalty.draw.manage",
    gettext_lazy("Announce prize draws among a programme's cards with their rules, draw "
                 "the winners and cancel a draw"),
    [R.HQ_EXPERT, R.ADMIN], scope="global")
