"""What GDPR export, erasure and merge do with the campaigns' link to customers (C28):
the customer registered with a campaign's code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.campaigns.models import CampaignCustomer
from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import ERASE_KEEP, register_linked

# One row per customer: a merge leaves it with the merged record (the survivor may have
# its own); erasure keeps it — it holds no personal data besides the link to the record,
# which is itself anonymised, and the campaign's count of new customers stays true.
register_linked(CampaignCustomer, erase=ERASE_KEEP, move_on_merge=False,
                keep_reason="campaign effectiveness: which campaign brought the customer "
                "(no personal data besides the link to the anonymised record)")

activity("campaigns.codes",
         name=_("Campaign codes at registration"),
         purpose=_("Measuring which campaign brought a new customer (the code on the "
                   "leaflet given at registration)"),
         legal_basis=_("GDPR art. 6(1)(f) (the company's legitimate interest in measuring "
                       "its marketing)"),
         subjects=_("Customers"),
         data=_("The campaign the customer named at registration and when"),
         recipients=_("Employees of the branch, HQ's experts"),
         retention=_("As long as the customer record"),
         measures=BASE_MEASURES)
