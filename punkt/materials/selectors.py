"""Reading materials: a branch's inbox (what is in force there), HQ's lists and the
delivery report against the seed's goal (every branch within an hour)."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core.scoping import branch_ids_visible
from punkt.materials import permissions as perms
from punkt.materials.models import (
    Delivery,
    Material,
    MaterialKind,
    MaterialVersion,
    VersionStatus,
)
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

#: The seed's goal: current materials reach every branch within an hour "od chwili ich
#: utworzenia" — of their creation (the version's ``created_at``, draft time included).
GOAL = datetime.timedelta(hours=1)


def _in_force(on: datetime.date) -> Q:
    return (Q(version__status=VersionStatus.PUBLISHED) & Q(version__valid_from__lte=on)
            & (Q(version__valid_to__isnull=True) | Q(version__valid_to__gte=on)))


def current_for_branch(*, branch_id: int, material_id: int,
                       on: datetime.date | None = None) -> MaterialVersion | None:
    """The version of a material in force at a branch: of the published ones sent there
    whose validity covers the day, the one that started last (a fix published later
    for an earlier start does not hide a version planned for a later day)."""
    on = on or timezone.localdate()
    delivery = (Delivery.objects.filter(_in_force(on), branch_id=branch_id,
                                        version__material_id=material_id)
                .select_related("version__material")
                .order_by("-version__valid_from", "-version__number").first())
    return delivery.version if delivery else None


def in_force_for_branch(*, branch_id: int, kind: str,
                        on: datetime.date | None = None) -> list[MaterialVersion]:
    """The versions of one kind of material in force at a branch, by title."""
    on = on or timezone.localdate()
    newest: dict[int, MaterialVersion] = {}
    for d in (Delivery.objects.filter(_in_force(on), branch_id=branch_id,
                                      version__material__kind=kind)
              .select_related("version__material")
              .order_by("-version__valid_from", "-version__number")):
        newest.setdefault(d.version.material_id, d.version)
    return sorted(newest.values(), key=lambda v: v.material.title.lower())


def price_lists_in_force(*, branch_id: int,
                         on: datetime.date | None = None) -> list[MaterialVersion]:
    """Every price list in force at the branch, with its positions: what an offer or a
    contract may take products and prices from."""
    versions = in_force_for_branch(branch_id=branch_id, kind=MaterialKind.PRICE_LIST, on=on)
    prefetch_related_objects(versions, "items")
    return versions


@dataclass
class InboxItem:
    material: Material
    version: MaterialVersion
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        """Nobody at the user's branch has opened it yet."""
        return any(d.opened_at is None for d in self.deliveries)


@dataclass
class Inbox:
    current: list[InboxItem]
    upcoming: list[InboxItem]

    @property
    def delivery_ids(self) -> list[int]:
        return [d.pk for item in self.current + self.upcoming for d in item.deliveries]


#: What a branch must not miss comes first in "New from HQ": price lists, then the
#: templates contracts and forms are made from, manuals, and leaflets and promotions last.
NEWS_RANK: dict[str, int] = {
    MaterialKind.PRICE_LIST: 0, MaterialKind.CONTRACT_TEMPLATE: 1,
    MaterialKind.FORM_TEMPLATE: 1, MaterialKind.MANUAL: 2,
    MaterialKind.LEAFLET_TEMPLATE: 3, MaterialKind.PROMO: 3,
    MaterialKind.OFFER_TEMPLATE: 1, MaterialKind.MINUTES_TEMPLATE: 1,
    MaterialKind.ACCEPTANCE_TEMPLATE: 1, MaterialKind.SURVEY_TEMPLATE: 1}


def news_order(items: list[InboxItem]) -> list[InboxItem]:
    """Unopened items for the dashboard: by :data:`NEWS_RANK`, newest first within a rank."""
    def key(i: InboxItem) -> tuple[int, float, int]:
        published = i.version.published_at
        return (NEWS_RANK.get(i.material.kind, len(NEWS_RANK)),
                -(published.timestamp() if published else 0.0), -i.version.pk)

    return sorted(items, key=key)


def sees_every_branch(user: Actor) -> bool:
    """HQ staff: the inbox shows everything published, and their reading is not a
    branch's."""
    return branch_ids_visible(user, perms.MATERIAL_VIEW.code) is None


def inbox(*, user: Actor, kind: str = "", on: datetime.date | None = None) -> Inbox:
    """What the user's branches have in force now (newest version per material) and what
    comes into force later. HQ staff see everything published."""
    org_perms.ensure(user, perms.MATERIAL_VIEW.code)
    on = on or timezone.localdate()
    if sees_every_branch(user):
        return _hq_inbox(kind, on)
    qs = (Delivery.objects.visible_to(user, perms.MATERIAL_VIEW.code)
          .filter(version__status=VersionStatus.PUBLISHED)
          .filter(Q(version__valid_to__isnull=True) | Q(version__valid_to__gte=on))
          .select_related("version__material", "branch")
          .order_by("-version__valid_from", "-version__number", "pk"))
    if kind:
        qs = qs.filter(version__material__kind=kind)
    current: dict[tuple[int, int], InboxItem] = {}  # (branch, material) → newest in force
    upcoming: dict[int, InboxItem] = {}
    for d in qs:
        v = d.version
        if v.valid_from > on:
            upcoming.setdefault(v.pk, InboxItem(v.material, v)).deliveries.append(d)
        elif (d.branch_id, v.material_id) not in current:
            current[(d.branch_id, v.material_id)] = InboxItem(v.material, v, [d])
    merged: dict[int, InboxItem] = {}  # one row per version, over the user's branches
    for item in current.values():
        merged.setdefault(item.version.pk, InboxItem(item.material, item.version)) \
            .deliveries.extend(item.deliveries)
    key = lambda i: (i.material.kind, i.material.title.lower(), -i.version.number)  # noqa: E731
    return Inbox(sorted(merged.values(), key=key), sorted(upcoming.values(), key=key))


def _hq_inbox(kind: str, on: datetime.date) -> Inbox:
    versions = (MaterialVersion.objects.filter(status=VersionStatus.PUBLISHED)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
                .select_related("material").order_by("material_id", "-valid_from", "-number"))
    if kind:
        versions = versions.filter(material__kind=kind)
    current: dict[int, InboxItem] = {}
    upcoming: list[InboxItem] = []
    for v in versions:
        if v.valid_from > on:
            upcoming.append(InboxItem(v.material, v))
        elif v.material_id not in current:
            current[v.material_id] = InboxItem(v.material, v)
    key = lambda i: (i.material.kind, i.material.title.lower(), -i.version.number)  # noqa: E731
    return Inbox(sorted(current.values(), key=key), sorted(upcoming, key=key))


def material_list(*, user: Actor, kind: str = "", q: str = "") -> QuerySet[Material]:
    org_perms.ensure(user, perms.MATERIAL_MANAGE.code)
    qs = Material.objects.filter(is_archived=False)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(title__icontains=q.strip()[:100])
    return qs.order_by("kind", "title", "pk")


def material_get(*, user: Actor, material_id: int) -> Material:
    org_perms.ensure(user, perms.MATERIAL_MANAGE.code)
    return Material.objects.get_or_not_found(material_id, missing=_("Material not found."))


def delivery_counts(*, user: Actor, version_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Branches reached, received and opened per version (one query)."""
    rows = (Delivery.objects.visible_to(user, perms.MATERIAL_MANAGE.code)
            .filter(version_id__in=version_ids).values("version_id")
            .annotate(branches=Count("pk"), received=Count("received_at"),
                      opened=Count("opened_at")))
    return {r["version_id"]: dict(r) for r in rows}


def clock_start(version: MaterialVersion, delivery: Delivery) -> datetime.datetime:
    """When the one-hour clock starts for a branch: the version's creation; for a branch
    that opened after the publication (delivered later), the delivery to it."""
    if version.published_at is not None and delivery.delivered_at > version.published_at:
        return delivery.delivered_at
    return version.created_at


@dataclass
class DeliveryReport:
    version: MaterialVersion
    rows: list[Delivery]
    branches: int
    received: int
    opened: int
    within_goal: int
    median_minutes: float | None
    slowest_minutes: float | None

    @property
    def within_goal_share(self) -> float:
        return self.within_goal / self.branches if self.branches else 0.0


def delivery_report(*, user: Actor, version_id: int) -> DeliveryReport:
    """Per branch: received and first opened, and the delay from the version's creation
    (the seed's clock; a branch opened after the publication: from its delivery there).
    A branch counts as reached within the goal when it opened the material within an
    hour."""
    org_perms.ensure(user, perms.MATERIAL_MANAGE.code)
    version = MaterialVersion.objects.select_related("material").get_or_not_found(
        version_id, missing=_("Version not found."))
    rows = list(Delivery.objects.visible_to(user, perms.MATERIAL_MANAGE.code)
                .filter(version=version).select_related("branch", "opened_by")
                .order_by("opened_at", "branch__code"))
    delays = [(d.opened_at - clock_start(version, d)).total_seconds() / 60 for d in rows
              if d.opened_at is not None]
    return DeliveryReport(
        version=version, rows=rows, branches=len(rows),
        received=sum(1 for d in rows if d.received_at is not None),
        opened=len(delays),
        within_goal=sum(1 for m in delays if m <= GOAL.total_seconds() / 60),
        median_minutes=statistics.median(delays) if delays else None,
        slowest_minutes=max(delays) if delays else None)
