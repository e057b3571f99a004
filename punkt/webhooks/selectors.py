"""Reads of the webhooks area (HQ-wide: guarded by ``webhooks.subscription.manage``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from punkt.organization import permissions as org_perms
from punkt.webhooks import permissions as perms
from punkt.webhooks.models import Delivery, DeliveryStatus, Subscription


def subscriptions(*, user: Any) -> QuerySet[Subscription]:
    org_perms.ensure(user, perms.WEBHOOK_MANAGE.code)
    return (Subscription.objects.select_related("only_branch")
            .annotate(pending=Count("deliveries", filter=Q(
                deliveries__status=DeliveryStatus.PENDING)),
                failed=Count("deliveries", filter=Q(
                    deliveries__status=DeliveryStatus.FAILED)))
            .order_by("name", "pk"))


def subscription_get(*, user: Any, subscription_id: Any) -> Subscription:
    org_perms.ensure(user, perms.WEBHOOK_MANAGE.code)
    return Subscription.objects.select_related("only_branch").get_or_not_found(
        subscription_id, missing=_("Webhook not found."))


def deliveries(*, user: Any, subscription: Subscription, status: str = ""
               ) -> QuerySet[Delivery]:
    org_perms.ensure(user, perms.WEBHOOK_MANAGE.code)
    qs = Delivery.objects.filter(subscription=subscription).defer("body")
    if status in DeliveryStatus.values:
        qs = qs.filter(status=status)
    return qs


def delivery_get(*, user: Any, delivery_id: Any) -> Delivery:
    org_perms.ensure(user, perms.WEBHOOK_MANAGE.code)
    return Delivery.objects.select_related("subscription").get_or_not_found(
        delivery_id, missing=_("Delivery not found."))
