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


def _segment_choices() -> list[tuple[str, Any]]:
    """The registry's segmentation fields as ``field:value`` options, grouped."""
    from punkt.customers.filters import SEGMENT_FIELDS
    from punkt.customers.models import Customer

    groups: list[tuple[str, Any]] = [("", "—")]
    for name in SEGMENT_FIELDS:
        field = Customer._meta.get_field(name)
        options = [(f"{name}:{v}", label) for v, label in field.choices or []]  # type: ignore[union-attr]
        if options:
            groups.append((str(field.verbose_name).capitalize(), options))  # type: ignore[union-attr]
    return groups


class MailingForm(forms.Form):
    """The mailing and its segment; ``segment_*`` fields become ``segment`` (the names are
    the fields the service's refusals name)."""

    branch = forms.TypedChoiceField(label=_("Planned by"), coerce=int, choices=[])
    name = forms.CharField(label=_("Name"), max_length=200,
                           help_text=_("For you and your colleagues; customers do not see it."))
    channel = forms.ChoiceField(label=_("Channel"), choices=[], widget=forms.RadioSelect)
    campaign = forms.TypedChoiceField(label=_("Campaign"), coerce=int, required=False,
                                      empty_value=None, choices=[])
    subject = forms.CharField(label=_("Subject (e-mail)"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("Fields: {{ klient }}, {{ oddzial }}, "
                                       "{{ telefon_oddzialu }}, {{ kod_kampanii }}. The "
                                       "unsubscribe link is added to every message."))
    send_at = forms.DateTimeField(label=_("Send at (empty: as soon as you send it)"),
                                  required=False, widget=forms.DateTimeInput(
                                      attrs={"type": "datetime-local"}))
    segment_branch = forms.TypedChoiceField(label=_("Customers of the branch"), coerce=int,
                                            required=False, empty_value=None, choices=[])
    segment_kind = forms.ChoiceField(label=_("Customer type"), required=False, choices=[])
    segment_city = forms.CharField(label=_("City"), max_length=100, required=False)
    segment_segment = forms.ChoiceField(label=_("Segment"), required=False, choices=[])
    segment_created_from = forms.DateField(
        label=_("Registered from"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}))
    segment_created_to = forms.DateField(
        label=_("Registered to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    segment_abc = forms.MultipleChoiceField(
        label=_("ABC class"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(v, v) for v in ("A", "B", "C")])
    segment_xyz = forms.MultipleChoiceField(
        label=_("XYZ class"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(v, v) for v in ("X", "Y", "Z")])
    segment_category = forms.MultipleChoiceField(
        label=_("Customer category"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[])

    def __init__(self, *args: Any, owners: list[Branch], hq: bool, campaigns: list[Any],
                 classes: bool, categories: list[tuple[str, Any]], editing: bool = False,
                 **kwargs: Any) -> None:
        from punkt.campaigns.models import MailingChannel
        from punkt.customers.models import CustomerKind

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["branch"]).choices = [(b.pk, b.name) for b in owners]
        if len(owners) == 1 or editing:
            self.fields["branch"].required = False
            self.fields["branch"].widget = forms.HiddenInput()
        cast(forms.ChoiceField, self.fields["channel"]).choices = MailingChannel.choices
        cast(forms.ChoiceField, self.fields["campaign"]).choices = [("", "—")] + [
            (c.pk, f"{c.code} {c.name}") for c in campaigns]
        if hq:
            cast(forms.ChoiceField, self.fields["segment_branch"]).choices = [
                ("", _("all branches"))] + [(b.pk, b.name) for b in Branch.objects.filter(
                    kind=BranchKind.BRANCH, is_active=True).order_by("name")]
        else:
            del self.fields["segment_branch"]
        cast(forms.ChoiceField, self.fields["segment_kind"]).choices = [
            ("", _("all types"))] + list(CustomerKind.choices)
        cast(forms.ChoiceField, self.fields["segment_segment"]).choices = _segment_choices()
        cast(forms.ChoiceField, self.fields["segment_category"]).choices = categories
        if not classes:
            for name in ("segment_abc", "segment_xyz", "segment_category"):
                del self.fields[name]

    def data_for_service(self) -> dict[str, Any]:
        d = self.cleaned_data
        segment = {"branch_id": d.get("segment_branch"), "kind": d.get("segment_kind"),
                   "city": d.get("segment_city"), "segment": d.get("segment_segment"),
                   "created_from": d.get("segment_created_from"),
                   "created_to": d.get("segment_created_to"),
                   "abc": d.get("segment_abc") or [], "xyz": d.get("segment_xyz") or [],
                   "category": d.get("segment_category") or []}
        return {"branch": d.get("branch"), "name": d.get("name", ""),
                "channel": d.get("channel", ""), "campaign": d.get("campaign"),
                "subject": d.get("subject", ""), "body": d.get("body", ""),
                "send_at": d.get("send_at"), "segment": segment}

    @staticmethod
    def initial_from(mailing: Any) -> dict[str, Any]:
        s = mailing.segment or {}
        return {"branch": mailing.branch_id, "name": mailing.name, "channel": mailing.channel,
                "campaign": mailing.campaign_id, "subject": mailing.subject,
                "body": mailing.body, "send_at": mailing.send_at,
                "segment_branch": s.get("branch_id"), "segment_kind": s.get("kind", ""),
                "segment_city": s.get("city", ""), "segment_segment": s.get("segment", ""),
                "segment_created_from": s.get("created_from"),
                "segment_created_to": s.get("created_to"),
                "segment_abc": s.get("abc", []), "segment_xyz": s.get("xyz", []),
                "segment_category": s.get("category", [])}


class LeafletUploadForm(forms.Form):
    """A leaflet made locally: the print-ready PDF with its headline and the code it
    prints (the service checks the file by its bytes and the code against the campaign)."""

    branch = forms.TypedChoiceField(label=_("Branch"), coerce=int, choices=[])
    title = forms.CharField(label=_("Headline"), max_length=120)
    text = forms.CharField(label=_("Offer text (optional)"), max_length=600, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    code = forms.CharField(label=_("Campaign code printed on the leaflet"), max_length=12,
                           help_text=_("The campaign's code, as the leaflet prints it (text "
                                       "or QR code)."),
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    pdf = forms.FileField(label=_("Print-ready PDF (at most 15 MB)"),
                          widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    def __init__(self, *args: Any, branches: list[Branch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["branch"]).choices = [
            (b.pk, b.name) for b in branches]
        if len(branches) == 1:
            self.fields["branch"].widget = forms.HiddenInput()
            self.fields["branch"].initial = branches[0].pk


class LeafletReplaceForm(forms.Form):
    title = forms.CharField(label=_("Headline"), max_length=120)
    text = forms.CharField(label=_("Offer text (optional)"), max_length=600, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    pdf = forms.FileField(label=_("Corrected print-ready PDF (at most 15 MB)"),
                          widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))
