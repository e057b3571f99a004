"""What GDPR export, erasure and merge do with the analytics' rows (C28): they are
figures derived from the settlements, recomputed by every refresh — erased with the
person (the settlements themselves are kept by their own areas), not moved on a merge (the
next refresh counts the survivor's settlements together)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.analytics.models import ClassDrop, ProductState, SegmentMember, Standing
from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import ERASE_DELETE, on_customers_changed, register_linked

register_linked(Standing, erase=ERASE_DELETE, move_on_merge=False)
register_linked(ClassDrop, erase=ERASE_DELETE, move_on_merge=False)
# the kept segment rows (segment_state): derived, rebuilt by every refresh
register_linked(ProductState, erase=ERASE_DELETE, move_on_merge=False)
register_linked(SegmentMember, erase=ERASE_DELETE, move_on_merge=False)



def _recount_months(ids: list[int]) -> None:
    from punkt.analytics import kept

    kept.mark_dirty(ids)


# merged, unmerged, anonymised: the kept months of both are recounted by the next refresh
on_customers_changed(_recount_months)

activity("analytics.classes",
         name=_("Customer categories and ABC/XYZ classes"),
         purpose=_("Knowing which customers are new, regular, lost or restored and how much "
                   "and how steadily they buy, to look after them (seed 003)"),
         legal_basis=_("GDPR art. 6(1)(f): the company's legitimate interest in managing "
                       "its customer relations; no decision with legal effect is automated"),
         subjects=_("Customers"),
         data=_("Settlement totals per month, category, ABC/XYZ class and their history"),
         recipients=_("Employees of the customer's branch, HQ"),
         retention=_("Recomputed by every refresh; a month's figures kept as history as long "
                     "as the customer's record"),
         measures=BASE_MEASURES)
