"""Who brought whom (R12.7): "recommended by" an existing customer, given at registration
(form and API) and changed later by a manager.

The recommender is a customer the employee sees (``customers.customer.view``), active, and
never the customer himself (refused on ``recommended_by``). The link keeps the date and who
recorded it; both customers' timelines get an entry, every change is audited. GDPR: the
link holds no personal data besides the two records; erasure keeps it, a merge moves the
merged record's recommendations (as recommender) to the survivor (``gdpr_links.py``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import values
from punkt.core.audit import audit_record
from punkt.core.errors import NotFound, ValidationFailed
from punkt.customers import permissions as perms
from punkt.customers.models import (
    Customer,
    CustomerStatus,
    Recommendation,
    TimelineKind,
)
from punkt.customers.timeline import timeline_add
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of

FIELD = "recommended_by"


def clean_recommender(actor: Actor, value: Any, *, customer_id: int | None = None
                      ) -> Customer | None:
    """The recommending customer named by ``value`` (an id); ``None`` when empty.
    Refused on ``recommended_by``: not visible to ``actor``, not active, or the customer."""
    pk = values.record_id(value, field=FIELD, message=_("Choose the recommending customer "
                                                         "from the search results."))
    if pk is None:
        return None
    if customer_id is not None and pk == customer_id:
        raise ValidationFailed("self", _("A customer cannot recommend himself."), field=FIELD)
    try:
        found = (Customer.objects.visible_to(actor, perms.CUSTOMER_VIEW)
                 .get_or_not_found(pk))
    except NotFound:
        raise ValidationFailed("invalid", _("Choose the recommending customer from the "
                                            "search results."), field=FIELD) from None
    if found.status != CustomerStatus.ACTIVE:
        raise ValidationFailed("not_active", _("%(number)s is not an active customer.")
                               % {"number": found.number}, field=FIELD)
    return found


def _log(customer: Customer, recommender: Customer, actor: Actor, *, removed: bool = False
         ) -> None:
    if removed:
        subject = _("No longer recorded as recommended by %(name)s") % {
            "name": recommender.display_name}
        other = _("No longer recorded as having recommended %(name)s") % {
            "name": customer.display_name}
    else:
        subject = _("Recommended by %(name)s") % {"name": recommender.display_name}
        other = _("Recommended %(name)s") % {"name": customer.display_name}
    timeline_add(customer_id=customer.pk, kind=TimelineKind.SYSTEM, subject=subject,
                 actor=actor, branch_id=customer.branch_id, source=recommender)
    timeline_add(customer_id=recommender.pk, kind=TimelineKind.SYSTEM, subject=other,
                 actor=actor, branch_id=customer.branch_id, source=customer)


def record(actor: Actor, customer: Customer, recommender: Customer | None) -> None:
    """Link a customer just registered (inside the registration's transaction)."""
    if recommender is None:
        return
    Recommendation.objects.create(customer=customer, recommender=recommender,
                                  recorded_by=employee_of(actor))
    _log(customer, recommender, actor)


@transaction.atomic
def recommendation_set(*, actor: Actor, customer_id: Any, recommender_id: Any
                       ) -> Recommendation | None:
    """The manager's correction: name another recommender, or none (``recommender_id``
    empty). Audited; both customers' timelines say it."""
    customer = Customer.objects.locked(customer_id, missing=_("Customer not found."))
    org_perms.ensure(actor, perms.RECOMMENDATION_EDIT.code, customer.branch_id)
    if customer.status != CustomerStatus.ACTIVE:
        raise ValidationFailed("not_active", _("This customer record is closed."))
    recommender = clean_recommender(actor, recommender_id, customer_id=customer.pk)
    current = (Recommendation.objects.select_for_update().select_related("recommender")
               .filter(customer=customer).first())
    before = current.recommender if current else None
    if (before.pk if before else None) == (recommender.pk if recommender else None):
        return current
    if current is not None and before is not None:
        _log(customer, before, actor, removed=True)
    if recommender is None:
        if current is not None:
            current.delete()
        result = None
    elif current is None:
        result = Recommendation.objects.create(customer=customer, recommender=recommender,
                                               recorded_by=employee_of(actor))
    else:
        current.recommender = recommender
        current.recorded_by = employee_of(actor)
        current.recorded_at = timezone.now()
        current.save(update_fields=["recommender", "recorded_by", "recorded_at"])
        result = current
    if recommender is not None:
        _log(customer, recommender, actor)
    audit_record(action="customers.recommendation.change", obj=customer, actor=actor,
                 branch_id=customer.branch_id,
                 changes={"recommended_by": [before.number if before else None,
                                             recommender.number if recommender else None]})
    return result


def recommendation_of(user: Actor, customer: Customer
                      ) -> tuple[Recommendation, bool] | None:
    """Who recommended ``customer``, and whether ``user`` sees the recommender (a link to
    his profile only then)."""
    found = (Recommendation.objects.select_related("recommender", "recorded_by")
             .filter(customer=customer).first())
    if found is None:
        return None
    return found, (Customer.objects.visible_to(user, perms.CUSTOMER_VIEW)
                   .filter(pk=found.recommender_id).exists())


def brought_by(user: Actor, customer: Customer) -> QuerySet[Recommendation]:
    """The customers ``customer`` recommended that ``user`` sees, newest first."""
    return (Recommendation.objects.visible_to(user, perms.CUSTOMER_VIEW)
            .filter(recommender=customer).select_related("customer", "customer__branch")
            .order_by("-recorded_at", "-pk"))


def candidates(user: Actor, text: str, *, exclude: int | None = None, limit: int = 10
               ) -> list[Customer]:
    """Active customers ``user`` sees whom the customer search box finds for ``text``."""
    from punkt.customers.search import customers_named

    text = " ".join(str(text or "").split())[:100]
    if len(text) < 2:
        return []
    ids = [pk for pk in customers_named(user=user, text=text, limit=limit + 1) if pk != exclude]
    return list(Customer.objects.filter(pk__in=ids[:limit]).select_related("branch")
                .order_by("sort_key", "pk"))


def profile_summary(user: Actor, customer: Customer
                    ) -> tuple[tuple[Recommendation, bool] | None, int]:
    """What the profile's summary shows: who recommended ``customer`` (and whether
    ``user`` sees him), and how many customers ``customer`` brought that ``user`` sees —
    one query, two when the customer came recommended."""
    from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    brought = (Recommendation.objects.visible_to(user, perms.CUSTOMER_VIEW)
               .filter(recommender=OuterRef("pk")).values("recommender")
               .annotate(c=Count("pk")).values("c")[:1])
    row = (Customer.objects.filter(pk=customer.pk)
           .annotate(brought=Coalesce(Subquery(brought, output_field=IntegerField()),
                                      Value(0)),
                     came=Exists(Recommendation.objects.filter(customer=OuterRef("pk"))))
           .values_list("brought", "came").first())
    count, came = row if row else (0, False)
    if not came:
        return None, count
    found = (Recommendation.objects.select_related("recommender", "recorded_by")
             .filter(customer=customer)
             .annotate(seen=Exists(Customer.objects.visible_to(user, perms.CUSTOMER_VIEW)
                                   .filter(pk=OuterRef("recommender_id"))))
             .first())
    if found is None:
        return None, count
    return (found, bool(getattr(found, "seen", False))), count
