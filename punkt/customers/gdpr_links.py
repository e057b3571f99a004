"""What the customers area declares for the register of processing activities (its GDPR
links are in ``punkt/customers/gdpr.py``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.processing import BASE_MEASURES, activity

activity("customers.records",
         name=pgettext_lazy("processing activity", "Customer records"),
         purpose=_("Concluding and performing contracts with customers, customer service"),
         legal_basis=_("GDPR art. 6(1)(b) (contract) and (f) (customer service)"),
         subjects=_("Customers: consumers, sole traders, company representatives"),
         data=_("Name, PESEL or NIP and REGON, addresses, phone, e-mail, bank account, "
                "contact history"),
         recipients=_("Employees of the customer's branch, HQ; IT service providers "
                      "(processors)"),
         retention=_("Former customers without contracts: 3 years after the last "
                     "contract or contact (Civil Code art. 118)"),
         measures=BASE_MEASURES)
activity("customers.consents",
         name=_("Marketing consents"),
         purpose=_("Direct marketing by e-mail, SMS and phone; proof of consent"),
         legal_basis=_("GDPR art. 6(1)(a) and art. 7; Electronic Communications Law art. 398"),
         subjects=_("Customers"),
         data=_("Consent per purpose and channel, its time, source and text version"),
         recipients=_("Employees of the customer's branch, HQ"),
         retention=_("While valid; after withdrawal 6 years as proof (Civil Code art. 118)"),
         measures=BASE_MEASURES)
activity("customers.requests",
         name=_("Data-subject requests"),
         purpose=_("Answering requests for access, erasure, rectification and others"),
         legal_basis=_("GDPR art. 6(1)(c) with art. 12–22"),
         subjects=_("Customers"),
         data=_("The request, its dates and resolution"),
         recipients=_("HQ and the branch handling the request"),
         retention=_("The accountability record is kept; notes are cleared on erasure"),
         measures=BASE_MEASURES)
