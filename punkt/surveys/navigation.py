"""Surveys in the menu: the follow-ups beside retention, the results among the reports,
the questionnaires among HQ's pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, nav
from punkt.surveys import permissions as perms

nav(NavItem(_("Survey call-backs"), "surveys:followup_list", perms.FOLLOWUP_HANDLE.code,
            group="service", order=26, active_pattern=r"^/surveys/followups/"))
nav(NavItem(_("Survey results"), "surveys:results", perms.RESULTS_VIEW.code, group="reports",
            order=82, active_pattern=r"^/surveys/$"))
nav(NavItem(_("Questionnaires"), "surveys:questionnaire_list", perms.QUESTIONNAIRE_MANAGE.code,
            group="hq", order=60, active_pattern=r"^/surveys/questionnaires/"))
