"""What surveys put on a customer's profile: the Surveys tab (invitations and answers), the
"Survey at the counter" button, an open follow-up among the open matters, and links from
the timeline and from tasks to the survey's records."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from punkt.customers.profile import (
    TAB_ROWS,
    Matter,
    register_profile_matter,
    register_profile_panel,
    register_source_link,
    route,
)
from punkt.customers.timeline import register_kind, register_profile_action
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.surveys import permissions as perms
from punkt.surveys.models import FollowUp, FollowUpStatus, Invitation

register_kind("survey", _("Survey"))


@register_profile_action
def _counter(user: Actor, customer: Any) -> tuple[Any, str] | None:
    if not org_perms.can(user, perms.SURVEY_VIEW.code, customer.branch_id):
        return None
    return _("Survey at the counter"), reverse("surveys:counter", args=[customer.pk])


def _surveys(user: Actor, customer: Any) -> dict[str, Any]:
    rows = list(Invitation.objects.visible_to(user, perms.SURVEY_VIEW).filter(customer=customer)
                .select_related("questionnaire", "branch", "response", "response__followup")
                .prefetch_related("response__scores__question")
                .order_by("-created_at", "-pk")[:TAB_ROWS + 1])
    return {"invitations": rows[:TAB_ROWS], "more": len(rows) > TAB_ROWS,
            "can_handle": org_perms.can(user, perms.FOLLOWUP_HANDLE.code, customer.branch_id)}


register_profile_panel("surveys", _("Surveys"), "surveys/profile/surveys_tab.html", _surveys,
                       perms.SURVEY_VIEW.code, order=90)


@register_profile_matter
def _open_followup(user: Actor, customer: Any) -> list[Matter]:
    if not org_perms.can(user, perms.FOLLOWUP_HANDLE.code, customer.branch_id):
        return []
    f = (FollowUp.objects.visible_to(user, perms.FOLLOWUP_HANDLE)
         .filter(customer=customer, status=FollowUpStatus.OPEN).select_related("response")
         .order_by("created_at").first())
    if f is None:
        return []
    return [Matter(_("Low survey score"), _("score %(n)d: call back") % {
        "n": f.response.lowest}, reverse("surveys:followup_detail", args=[f.pk]), "warn")]


def _invitation_urls(ids: list[str]) -> dict[str, str]:
    """An invitation's page is its follow-up's when it has one, else the customer's tab."""
    rows = Invitation.objects.filter(pk__in=[int(i) for i in ids if i.isdecimal()]).values_list(
        "pk", "customer_id", "response__followup")
    return {str(pk): reverse("surveys:followup_detail", args=[f]) if f else
            reverse("customers:customer_detail", args=[c]) + "#surveys" for pk, c, f in rows}


register_source_link("surveys.invitation", _invitation_urls, permission=perms.SURVEY_VIEW.code)
register_source_link("surveys.followup", route("surveys:followup_detail"),
                     permission=perms.FOLLOWUP_HANDLE.code)
