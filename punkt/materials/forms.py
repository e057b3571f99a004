from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from punkt.materials.models import MaterialKind
from punkt.organization.models import Branch, BranchKind


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=MaterialKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, DOCX, XLSX, PPTX, PNG, JPG, CSV; up to 20 MB)"))
    valid_from = forms.DateField(label=_("Valid from"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Valid to"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=_("Empty: until a newer version replaces it."))
    note = forms.CharField(label=_("What changed"), required=False, max_length=500)
    all_branches = forms.BooleanField(label=_("All branches"), required=False, initial=True)
    branches = forms.ModelMultipleChoiceField(
        label=_("Chosen branches"), required=False,
        queryset=Branch.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branches"].queryset = Branch.objects.filter(  # type: ignore[attr-defined]
            kind=BranchKind.BRANCH, is_active=True).order_by("name")


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
