"""Forms of the loyalty pages; the rules are the services'."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from punkt.loyalty.models import ProgrammeKind


def _text(label: Any, help_text: Any = "", **attrs: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=20, help_text=help_text,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", **attrs}))


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgrammeKind.choices)
    is_active = forms.BooleanField(label=_("Active (cards are issued and honoured)"),
                                   required=False, initial=True)
    discount_percent = _text(_("Discount % (personal and bearer cards)"))
    silver_from = _text(_("Silver from (PLN of purchases in 12 months)"))
    silver_percent = _text(_("Silver discount %"))
    gold_from = _text(_("Gold from (PLN)"))
    gold_percent = _text(_("Gold discount %"))
    platinum_from = _text(_("Platinum from (PLN)"))
    platinum_percent = _text(_("Platinum discount %"))
    scale = forms.CharField(
        label=_("Progressive scale"), required=False, max_length=500,
        help_text=_("Steps “basket amount: discount %”, e.g. “200: 2; 500: 4”."))
    points_per_zloty = _text(_("Points per złoty paid"),
                             _("Points are earned on what the customer pays, rounded down; "
                               "0: no points."))
    point_value = _text(_("Value of a point (PLN)"), _("E.g. 0,01: 100 points take 1 zł off."))
    points_valid_months = forms.CharField(
        label=_("Points valid (months)"), max_length=3, initial="24",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    vip_from = _text(_("VIP from (PLN of purchases in 12 months)"),
                     _("0: no VIP level. A card reaching it is marked VIP on the profile."))
    vip_benefits = forms.CharField(
        label=_("VIP service conditions"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What a VIP customer gets, e.g. served without queueing, a personal "
                    "adviser, free delivery."))
    rewards = forms.CharField(
        label=_("Rewards for points"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: “name | points” or “name | points | product code” (the "
                    "product is handed over from the branch's stock). A reward left out is "
                    "switched off."))
    closed = forms.CharField(
        label=_("Resources closed to members"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Products sold only to the programme's card holders, one a line: "
                    "“product code”, “product code | tier” (silver, gold or platinum: from "
                    "that tier up; tiered programmes only) or “product code | tier | note”. "
                    "A product left out is open to everyone again."))


class DrawForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, choices=[])
    period_from = forms.DateField(label=_("Purchases from"),
                                  widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label=_("Purchases until"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    min_purchases = _text(_("Minimum purchases in the period (PLN)"),
                          _("Every active card reaching it takes part once; 0: any purchase."))
    draw_on = forms.DateField(label=_("Draw on"), widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("At the earliest the day after the period."))
    prizes = forms.CharField(
        label=_("Prizes"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One line each: the prize and how many, e.g. “Tablet; 1”. The first "
                    "line's prizes are drawn first."))
    rules = forms.CharField(
        label=_("Rules"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Who takes part, the prizes, how and when the winners are drawn and "
                    "told, how a prize is collected."))

    def __init__(self, *args: Any, programmes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["programme"]).choices = [
            (p.pk, p.name) for p in programmes]


class DrawRunForm(forms.Form):
    witness = forms.CharField(label=_("Drawn in the presence of"), max_length=200,
                              help_text=_("The name and role of the witness (e.g. a member of "
                                          "the draw committee)."))


class DrawCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CardIssueForm(forms.Form):
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, choices=[])

    def __init__(self, *args: Any, programmes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["programme"]).choices = [
            (p.pk, f"{p.name} ({p.get_kind_display()})") for p in programmes]


class BlockForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
