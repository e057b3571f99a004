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


class CardIssueForm(forms.Form):
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, choices=[])

    def __init__(self, *args: Any, programmes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["programme"]).choices = [
            (p.pk, f"{p.name} ({p.get_kind_display()})") for p in programmes]


class BlockForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
