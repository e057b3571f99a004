"""Forms of the campaign pages; the services validate (the views show their message next
to the field it names)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from punkt.catalog.models import Product, ProductKind
from punkt.organization.models import Branch, BranchKind


class CampaignForm(forms.Form):
    branch = forms.TypedChoiceField(label=_("Planned by"), coerce=int, choices=[])
    name = forms.CharField(label=_("Name"), max_length=200)
    goal = forms.CharField(label=_("Goal"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    budget = forms.CharField(label=_("Budget (PLN)"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    code = forms.CharField(label=_("Campaign code"), max_length=12, required=False,
                           help_text=_("Printed on leaflets and typed at registration; 4–12 "
                                       "letters, digits and hyphens. Empty: generated."),
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    all_branches = forms.BooleanField(label=_("All branches"), required=False)
    branch_ids = forms.TypedMultipleChoiceField(
        label=_("Chosen branches"), coerce=int, required=False, choices=[],
        widget=forms.SelectMultiple(attrs={"size": 6}))
    product_ids = forms.TypedMultipleChoiceField(
        label=_("Products promoted"), coerce=int, required=False, choices=[],
        widget=forms.SelectMultiple(attrs={"size": 8}))

    def __init__(self, *args: Any, owners: list[Branch], hq: bool, editing: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["branch"]).choices = [(b.pk, b.name) for b in owners]
        if len(owners) == 1 or editing:
            self.fields["branch"].required = False
            self.fields["branch"].widget = forms.HiddenInput()
        if hq:
            cast(forms.ChoiceField, self.fields["branch_ids"]).choices = [
                (b.pk, b.name) for b in Branch.objects.filter(
                    kind=BranchKind.BRANCH, is_active=True).order_by("name")]
        else:
            del self.fields["all_branches"]
            del self.fields["branch_ids"]
        cast(forms.ChoiceField, self.fields["product_ids"]).choices = [
            (p.pk, f"{p.name} ({p.code})") for p in Product.objects.filter(
                is_active=True).exclude(kind=ProductKind.LEAFLET).order_by("name")]


class PrintShopForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.CharField(label=_("E-mail for orders"), max_length=254,
                            widget=forms.EmailInput())
    prices = forms.CharField(
        label=_("Prices per run"), max_length=2000,
        help_text=_("One run size a line with its gross price, e.g. “1000; 190,00”."),
        widget=forms.Textarea(attrs={"rows": 4}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("Active (branches may order)"), required=False,
                                   initial=True)


class PrintOrderForm(forms.Form):
    shop = forms.TypedChoiceField(label=_("Print shop"), coerce=int, choices=[])
    quantity = forms.CharField(label=_("Run size (leaflets)"), max_length=10,
                               widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label=_("Note for the print shop"), max_length=500, required=False)

    def __init__(self, *args: Any, shops: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["shop"]).choices = [(s.pk, s.name) for s in shops]


class DistributionForm(forms.Form):
    kind = forms.ChoiceField(label=_("How"), choices=[], widget=forms.RadioSelect)
    quantity = forms.CharField(label=_("Leaflets handed out"), max_length=10,
                               widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    day = forms.DateField(label=_("Day"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    distributor = forms.CharField(label=_("Distributor (contract of mandate)"),
                                  max_length=200, required=False)
    area = forms.CharField(label=_("Streets or area"), max_length=300, required=False)
    pay = forms.CharField(label=_("Pay (PLN)"), max_length=20, required=False,
                          widget=forms.TextInput(attrs={"inputmode": "decimal"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from punkt.campaigns.models import DistributionKind

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = DistributionKind.choices
