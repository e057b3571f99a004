from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from punkt.core.roles import Role
from punkt.organization.models import LANGUAGES, AbsenceKind, Branch, Employee, Weekday


class BranchForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    street = forms.CharField(label=_("Street and number"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=6,
                                  widget=forms.TextInput(attrs={"placeholder": "00-950"}))
    city = forms.CharField(label=_("City"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class WeekHoursForm(forms.Form):
    """Seven optional (from, to) pairs; an empty day is closed / not worked."""

    def __init__(self, *args: Any, start_key: str = "opens", end_key: str = "closes",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_key, self.end_key = start_key, end_key
        for day in Weekday:
            self.fields[f"{day.value}_{start_key}"] = forms.TimeField(
                label=day.label, required=False, widget=forms.TimeInput(attrs={"type": "time"}))
            self.fields[f"{day.value}_{end_key}"] = forms.TimeField(
                label=day.label, required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(day.label, self[f"{day.value}_{self.start_key}"],
                 self[f"{day.value}_{self.end_key}"]) for day in Weekday]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in Weekday:
            s = data.get(f"{day.value}_{self.start_key}")
            e = data.get(f"{day.value}_{self.end_key}")
            if bool(s) != bool(e):
                self.add_error(f"{day.value}_{self.end_key}",
                               _("Give both times, or leave both empty for a day off."))
        return data

    def hours(self) -> list[dict[str, Any]]:
        out = []
        for day in Weekday:
            s = self.cleaned_data.get(f"{day.value}_{self.start_key}")
            e = self.cleaned_data.get(f"{day.value}_{self.end_key}")
            if s and e:
                out.append({"weekday": day.value, self.start_key: s, self.end_key: e})
        return out

    @classmethod
    def initial_from(cls, rows: Any, start_key: str, end_key: str) -> dict[str, Any]:
        return {f"{r.weekday}_{start_key}": getattr(r, start_key) for r in rows} | {
            f"{r.weekday}_{end_key}": getattr(r, end_key) for r in rows}


class EmployeeForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class EmployeeCreateForm(EmployeeForm):
    password = forms.CharField(
        label=_("Initial password"), required=False, widget=forms.PasswordInput,
        help_text=_("At least 12 characters. Leave empty to let the employee set it by the "
                    "password-reset e-mail."))
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none(),
                                    required=False, empty_label="—")
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices],
                             required=False)

    def __init__(self, *args: Any, branches: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if branches is not None:
            self.fields["branch"].queryset = branches  # type: ignore[attr-defined]


class MembershipForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none(),
                                    empty_label="—")
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, branches: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if branches is not None:
            self.fields["branch"].queryset = branches  # type: ignore[attr-defined]


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


class AbsenceForm(forms.Form):
    employee = forms.ModelChoiceField(label=_("Employee"), queryset=Employee.objects.none(),
                                      empty_label="—")
    kind = forms.ChoiceField(label=_("Kind"), choices=AbsenceKind.choices)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    substitute = forms.ModelChoiceField(label=_("Substitute"), queryset=Employee.objects.none(),
                                        required=False, empty_label="—")
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, staff: Any = None, substitutes: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["employee"].queryset = staff  # type: ignore[attr-defined]
        if substitutes is not None:
            self.fields["substitute"].queryset = substitutes  # type: ignore[attr-defined]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. “billing sync”."))
    expires_in_days = forms.IntegerField(label=_("Valid for (days)"), required=False,
                                         min_value=1, max_value=730)


class RolePolicyForm(forms.Form):
    def __init__(self, *args: Any, current: dict[str, bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from punkt.core.permissions import mfa_mandatory_roles

        mandatory = mfa_mandatory_roles()
        for role in Role:
            self.fields[role.value] = forms.BooleanField(
                label=role.label, required=False, initial=current.get(role.value, False),
                help_text=_("Mandatory: the role can export data, handle cash or manage "
                            "access.") if role.value in mandatory else "")

    def clean(self) -> dict[str, Any]:
        from punkt.core.permissions import mfa_mandatory_roles

        data = super().clean() or {}
        for role in sorted(mfa_mandatory_roles()):
            if role in self.fields and not data.get(role):
                self.add_error(role, _("MFA cannot be switched off for this role: it can "
                                       "export data, handle cash or manage access."))
        return data


class DayOffForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. inventory")}))
