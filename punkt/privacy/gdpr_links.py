"""What the privacy area declares: its own processing (the breach log) and the
platform's (the audit log, background jobs), which have no area of their own."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.processing import BASE_MEASURES, activity

activity("privacy.audit",
         name=_("Audit log"),
         purpose=_("Accountability and security: who did what and when"),
         legal_basis=_("GDPR art. 5(2), 32; art. 6(1)(c) and (f)"),
         subjects=_("Employees; customers named in changes"),
         data=_("Actor, time, IP address, action, object number, changed fields"),
         recipients=_("Administrators"),
         retention=_("5 years, then deleted by the retention purge"),
         measures=BASE_MEASURES)
activity("privacy.breaches",
         name=_("Breach log"),
         purpose=_("Documenting personal data breaches and notifying UODO"),
         legal_basis=_("GDPR art. 33(5), art. 6(1)(c)"),
         subjects=_("Customers and employees affected by a breach"),
         data=_("Description of the breach, categories and number of people affected"),
         recipients=_("Administrators; UODO"),
         retention=_("Kept as accountability records"),
         measures=BASE_MEASURES)
