"""Forms of the display pages; the services validate (the views show their message next
to the field it names)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from punkt.organization.models import Branch, BranchKind


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several image files under one name; the service checks each (type by content,
    size, count)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={
            "accept": "image/jpeg,image/png", "multiple": True}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [d for d in data if d]
        return [data] if data else []


class GuidanceForm(forms.Form):
    branch = forms.TypedChoiceField(label=_("Issued by"), coerce=int, choices=[])
    title = forms.CharField(label=_("Title"), max_length=200)
    instructions = forms.CharField(label=_("Instructions"), max_length=4000,
                                   widget=forms.Textarea(attrs={"rows": 5}))
    material = forms.TypedChoiceField(label=_("HQ material"), coerce=int, choices=[],
                                      help_text=_("A display guide or promotional material "
                                                  "in force at the branches."))
    campaign = forms.TypedChoiceField(label=_("Campaign"), coerce=int, choices=[],
                                      required=False, empty_value=None)
    due_on = forms.DateField(label=_("Due date"),
                             widget=forms.DateInput(attrs={"type": "date"}))
    all_branches = forms.BooleanField(label=_("All branches"), required=False)
    branch_ids = forms.TypedMultipleChoiceField(
        label=_("Chosen branches"), coerce=int, required=False, choices=[],
        widget=forms.SelectMultiple(attrs={"size": 6}))
    photos = PhotosField(label=_("Reference photos"), required=False,
                         help_text=_("JPG or PNG, up to 10 photos of 10 MB each."))

    def __init__(self, *args: Any, owners: list[Branch], hq: bool, materials: list[Any],
                 campaigns: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["branch"]).choices = [(b.pk, b.name) for b in owners]
        if len(owners) == 1:
            self.fields["branch"].required = False
            self.fields["branch"].widget = forms.HiddenInput()
        cast(forms.ChoiceField, self.fields["material"]).choices = [
            ("", "—"), *[(m.pk, f"{m.title} ({m.get_kind_display()})") for m in materials]]
        cast(forms.ChoiceField, self.fields["campaign"]).choices = [
            ("", _("— none —")), *[(c.pk, f"{c.name} ({c.code})") for c in campaigns]]
        if hq:
            cast(forms.ChoiceField, self.fields["branch_ids"]).choices = [
                (b.pk, b.name) for b in Branch.objects.filter(
                    kind=BranchKind.BRANCH, is_active=True).order_by("name")]
        else:
            del self.fields["all_branches"]
            del self.fields["branch_ids"]


class CompleteForm(forms.Form):
    photos = PhotosField(label=_("Photos of the display"), required=False,
                         help_text=_("JPG or PNG, 1–10 photos of 10 MB each."))
    comment = forms.CharField(label=_("Comment"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
