from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.customers.models import (
    CONTACT_KINDS,
    AgeBand,
    CompanySize,
    ConsentPurpose,
    ConsentSource,
    ContactKind,
    CustomerKind,
    Direction,
    Education,
    IncomeBand,
    MainCustomerType,
    RequestKind,
    TimelineKind,
    Vehicle,
)

BLANK = [("", "—")]
YES_NO = [("", "—"), ("1", _("yes")), ("0", _("no"))]


def _choices(enum: Any) -> list[tuple[str, Any]]:
    return BLANK + list(enum.choices)


class CustomerForm(forms.Form):
    """All editable fields; the service validates them (PESEL, NIP, phone …) and the view
    shows its message next to the field it names."""

    kind = forms.ChoiceField(label=_("Customer type"), choices=CustomerKind.choices,
                             widget=forms.RadioSelect, initial=CustomerKind.PERSON)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    company_name = forms.CharField(label=_("Company name"), max_length=250, required=False)
    consumer_like = forms.BooleanField(
        label=_("Buys outside their professional profile (consumer protection)"),
        required=False)
    pesel = forms.CharField(label=_("PESEL"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                          "autocomplete": "off"}))
    birth_date = forms.DateField(label=_("Date of birth"), required=False,
                                 help_text=_("Filled in from the PESEL when left empty."),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    nip = forms.CharField(label=_("NIP"), max_length=20, required=False)
    regon = forms.CharField(label=_("REGON"), max_length=20, required=False)
    bank_account = forms.CharField(label=_("Bank account (IBAN)"), max_length=40,
                                   required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel",
                                                          "placeholder": "601 234 567"}))
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False,
                            widget=forms.EmailInput())
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=12, required=False,
                                  widget=forms.TextInput(attrs={"placeholder": "00-950"}))
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, required=False, initial="PL")
    corr_street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    corr_postal_code = forms.CharField(label=_("Postal code"), max_length=12, required=False)
    corr_city = forms.CharField(label=_("City"), max_length=100, required=False)
    corr_country = forms.CharField(label=_("Country"), max_length=2, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    activity = forms.CharField(label=_("Activity"), max_length=200, required=False)
    has_branches = forms.ChoiceField(label=_("Has branches"), choices=YES_NO, required=False)
    company_size = forms.ChoiceField(label=_("Size"), choices=_choices(CompanySize),
                                     required=False)
    main_customer_type = forms.ChoiceField(label=_("Main customer type"),
                                           choices=_choices(MainCustomerType), required=False)
    founding_year = forms.IntegerField(label=_("Founding year"), required=False)
    age_band = forms.ChoiceField(label=_("Age band"), choices=_choices(AgeBand), required=False)
    education = forms.ChoiceField(label=_("Education"), choices=_choices(Education),
                                  required=False)
    income_band = forms.ChoiceField(label=_("Income band"), choices=_choices(IncomeBand),
                                    required=False)
    vehicle = forms.ChoiceField(label=_("Vehicle"), choices=_choices(Vehicle), required=False)
    employer = forms.CharField(label=_("Employer"), max_length=200, required=False)

    GROUPS = {
        "identity": ["first_name", "last_name", "company_name", "consumer_like", "pesel",
                     "birth_date", "nip", "regon", "bank_account"],
        "contact": ["phone", "email"],
        "address": ["street", "postal_code", "city", "country"],
        "correspondence": ["corr_street", "corr_postal_code", "corr_city", "corr_country"],
        "business": ["industry", "activity", "has_branches", "company_size",
                     "main_customer_type", "founding_year"],
        "person": ["age_band", "education", "income_band", "vehicle", "employer"],
    }

    def group(self, name: str) -> list[Any]:
        return [self[f] for f in self.GROUPS[name]]

    def groups(self) -> dict[str, list[Any]]:
        return {name: self.group(name) for name in self.GROUPS}

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["has_branches"] = {"1": True, "0": False}.get(data.get("has_branches") or "")
        for key in ("confirm_duplicate", "source", "branch", "campaign_code",
                    "recommended_by", "recommender_q"):
            data.pop(key, None)
        for purpose in ConsentPurpose.values:
            data.pop(f"consent_{purpose}", None)
        return data


class CustomerCreateForm(CustomerForm):
    branch = forms.TypedChoiceField(label=_("Branch"), coerce=int, choices=[])
    source = forms.ChoiceField(label=_("How the consents were given"),
                               choices=ConsentSource.choices, initial=ConsentSource.COUNTER)
    confirm_duplicate = forms.BooleanField(
        label=_("I checked the similar customers; register a new one anyway"), required=False)
    campaign_code = forms.CharField(
        label=_("Campaign code / where did you hear of us"), max_length=12, required=False,
        help_text=_("The code printed on the customer's leaflet, if they came with one."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}))

    recommender_q = forms.CharField(
        label=_("Recommended by"), max_length=100, required=False,
        help_text=_("An existing customer who recommended us: type a name, customer number, "
                    "phone or e-mail and press Find."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}))
    recommended_by = forms.TypedChoiceField(
        label=_("Recommending customer"), coerce=int, required=False, empty_value=None,
        choices=[], widget=forms.RadioSelect)

    def __init__(self, *args: Any, branches: list[tuple[int, str]],
                 recommenders: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("nobody")), *(recommenders or [])]
        cast(forms.ChoiceField, self.fields["recommended_by"]).choices = choices
        cast(forms.ChoiceField, self.fields["branch"]).choices = branches
        if len(branches) == 1:
            self.fields["branch"].initial = branches[0][0]
            self.fields["branch"].widget = forms.HiddenInput()
        for purpose in ConsentPurpose:
            self.fields[f"consent_{purpose.value}"] = forms.BooleanField(
                label=purpose.label, required=False)

    def consent_fields(self) -> list[Any]:
        return [self[f"consent_{p}"] for p in ConsentPurpose.values]

    def consents(self) -> list[dict[str, Any]]:
        """Ticked purposes as given; unticked ones are simply not asked (no event)."""
        return [{"purpose": p, "granted": True} for p in ConsentPurpose.values
                if self.cleaned_data.get(f"consent_{p}")]


class NoteForm(forms.Form):
    body = forms.CharField(label=pgettext_lazy("customer note", "Note"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ContactLogForm(forms.Form):
    kind = forms.ChoiceField(label=_("Contact"), choices=[
        (k.value, TimelineKind(k).label) for k in CONTACT_KINDS])
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices,
                                  initial=Direction.INBOUND)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(label=_("What was agreed"), max_length=10_000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(choices=ConsentPurpose.choices)
    granted = forms.TypedChoiceField(choices=[("1", pgettext_lazy("consent", "give")),
                                                       ("0", pgettext_lazy("consent", "withdraw"))],
                                     coerce=lambda v: v == "1")
    source = forms.ChoiceField(label=_("Source"), choices=ConsentSource.choices,
                               initial=ConsentSource.COUNTER)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=ContactKind.choices)
    value = forms.CharField(label=_("Phone or e-mail"), max_length=254)
    label = forms.CharField(label=_("Label"), max_length=60, required=False)


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    received_on = forms.DateField(label=_("Received"),
                                  widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=pgettext_lazy("customer note", "Note"), required=False,
                           max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    branch = forms.TypedChoiceField(label=_("Branch the customers belong to"), coerce=int,
                                    choices=[])
    file = forms.FileField(label=_("CSV or XLSX file"),
                           help_text=_("First row: column names. Up to 20 MB, 200,000 rows."))
    basis_confirmed = forms.BooleanField(
        label=_("The customers in this file gave consent to processing their data for the "
                "contract, and the signed consents are kept."), required=True)

    recommender_q = forms.CharField(
        label=_("Recommended by"), max_length=100, required=False,
        help_text=_("An existing customer who recommended us: type a name, customer number, "
                    "phone or e-mail and press Find."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}))
    recommended_by = forms.TypedChoiceField(
        label=_("Recommending customer"), coerce=int, required=False, empty_value=None,
        choices=[], widget=forms.RadioSelect)

    def __init__(self, *args: Any, branches: list[tuple[int, str]],
                 recommenders: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("nobody")), *(recommenders or [])]
        cast(forms.ChoiceField, self.fields["recommended_by"]).choices = choices
        cast(forms.ChoiceField, self.fields["branch"]).choices = branches
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"


class RecommendationForm(forms.Form):
    """A manager's correction of who recommended the customer."""

    recommended_by = forms.TypedChoiceField(
        label=_("Recommending customer"), coerce=int, required=False, empty_value=None,
        choices=[], widget=forms.RadioSelect)

    def __init__(self, *args: Any, recommenders: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("nobody")), *recommenders]
        cast(forms.ChoiceField, self.fields["recommended_by"]).choices = choices
