"""Satisfaction surveys (R14): HQ's experts design the questionnaires, the branch's staff
open one at the counter, retention employees call back the dissatisfied, managers and
HQ read the results of their branches."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

QUESTIONNAIRE_MANAGE = registry.register(
    "surveys.questionnaire.manage",
    gettext_lazy("Design satisfaction questionnaires and their sending rules"),
    [R.HQ_EXPERT, R.ADMIN], scope="global")
SURVEY_VIEW = registry.register(
    "surveys.invitation.view",
    gettext_lazy("See the customers' surveys and answers; open a survey on the branch's "
                 "tablet"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
FOLLOWUP_HANDLE = registry.register(
    "surveys.followup.handle",
    gettext_lazy("Call back customers who gave a low score and close their follow-up"),
    [R.MANAGER, R.RETENTION, R.ADMIN])
RESULTS_VIEW = registry.register(
    "surveys.result.view",
    gettext_lazy("See survey results (response rate, scores per branch and employee)"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
RESULTS_EXPORT = registry.register(
    "surveys.result.export",
    gettext_lazy("Export survey results and the completed questionnaires (CSV)"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN], kinds=["export"])
