"""What the organisation area declares for the register of processing activities."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.processing import BASE_MEASURES, activity

activity("organization.staff",
         name=_("Staff accounts and schedules"),
         purpose=_("Giving employees access to Punkt, planning working hours and absences"),
         legal_basis=_("GDPR art. 6(1)(b) and (c): employment contract, Labour Code"),
         subjects=_("Employees"),
         data=_("Name, e-mail, phone, roles, working hours, absences, sign-in history"),
         recipients=_("Managers of the employee's branch, HQ administrators"),
         retention=_("While employed; sign-in history as the audit log"),
         measures=BASE_MEASURES)
