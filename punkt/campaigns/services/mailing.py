"""Mass e-mails and SMS to a segment of customers (R15.2, issue 20 item 6).

* **Who:** HQ's experts plan mailings at HQ's row (every branch's customers, or one
  branch's); a branch manager at the branch (its own customers only — the segment is
  always narrowed to it, whatever it says: C1).
* **Segment:** the customer registry's filters (branch, type, city, segmentation field,
  registration dates) and, when a finished analytics snapshot exists, its classes (ABC,
  XYZ, category). Read from the ``analytics`` tables by model name (analytics is a higher
  layer: it reads campaigns, campaigns never import it).
* **C14:** :func:`punkt.messaging.mass.queue` queues only the customers with the
  channel's marketing consent and an address, and ``mass.claim`` skips anyone who
  withdrew (e.g. through the unsubscribe link) before their batch goes.
* **Steps** (docs/workflows/mailing.md): draft → scheduled (``send``) → sending (the job
  queued the segment) → sent (nothing left queued); cancel from any of the first three
  stops what is still queued.
* **Throttle:** the job :func:`step` sends at most ``PUNKT_MAILING_RATE_EMAIL`` /
  ``_SMS`` messages per minute: the mailing's row, locked while a batch is claimed, keeps
  the current minute's count, so two workers together stay under the rate; a full minute
  re-enqueues the job ``run_after`` the minute's end.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from punkt.campaigns import permissions as perms
from punkt.campaigns.models import (
    Campaign,
    CampaignBranch,
    Mailing,
    MailingChannel,
    MailingStatus,
)
from punkt.campaigns.workflows import MAILING_FLOW
from punkt.core import values
from punkt.core.audit import audit_record
from punkt.core.errors import ValidationFailed
from punkt.customers.filters import SEGMENT_FIELDS
from punkt.customers.models import Customer, CustomerKind
from punkt.messaging import mass
from punkt.messaging.services import check_template
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, BranchKind

SOURCE = "campaigns.mailing"
NAME_MAX, SUBJECT_MAX, BODY_MAX = 200, 200, 20_000
CLASSES = {"abc": ("A", "B", "C"), "xyz": ("X", "Y", "Z"),
           "category": ("potential", "new", "regular", "lost", "restored")}
#: analytics' customer categories (the same texts: their translations are shared)
CATEGORY_CHOICES = [("potential", pgettext_lazy("customer category", "potential")),
                    ("new", pgettext_lazy("customer category", "new")),
                    ("regular", pgettext_lazy("customer category", "regular")),
                    ("lost", pgettext_lazy("customer category", "lost")),
                    ("restored", pgettext_lazy("customer category", "restored"))]
#: how many a worker claims at once (the rest of the minute's allowance: the next run)
BATCH = 200
#: the next run when a minute still has room but another worker holds the last rows
RECHECK = datetime.timedelta(seconds=5)


def rate_for(channel: str) -> int:
    """Messages per minute the gateway takes (settings, at least 1)."""
    name = "PUNKT_MAILING_RATE_SMS" if channel == MailingChannel.SMS else \
        "PUNKT_MAILING_RATE_EMAIL"
    return max(1, int(getattr(settings, name, 600)))


# -- who plans where ------------------------------------------------------------------------

def planning_branches(actor: Actor) -> list[Branch]:
    """HQ for HQ roles, else the branches the actor manages."""
    hq = Branch.objects.filter(kind=BranchKind.HQ).first()
    if hq is not None and org_perms.can(actor, perms.MAILING_MANAGE.code, hq.pk):
        return [hq]
    return list(Branch.objects.visible_to(actor, perms.MAILING_MANAGE)
                .filter(is_active=True, kind=BranchKind.BRANCH).order_by("name"))


def _owner(actor: Actor, branch_id: Any) -> Branch:
    choices = planning_branches(actor)
    if not choices:
        org_perms.ensure(actor, perms.MAILING_MANAGE.code)
        raise ValidationFailed("invalid", _("Choose the branch."), field="branch")
    wanted = values.record_id(branch_id, field="branch", message=_("Choose the branch."))
    if wanted is None:
        if len(choices) == 1:
            return choices[0]
        raise ValidationFailed("required", _("Choose the branch."), field="branch")
    found = next((b for b in choices if b.pk == wanted), None)
    if found is None:
        raise ValidationFailed("invalid", _("Choose a branch you plan mailings for."),
                               field="branch")
    return found


# -- the segment ---------------------------------------------------------------------------

def _choice(value: Any, allowed: tuple[str, ...] | list[str], field: str) -> str:
    text = str(value or "").strip()
    if text and text not in allowed:
        raise ValidationFailed("invalid", _("Choose one of the offered values."), field=field)
    return text


def clean_segment(data: dict[str, Any] | None, *, owner: Branch) -> dict[str, Any]:
    """The segment as stored: only known keys, checked; empty values left out."""
    data = dict(data or {})
    out: dict[str, Any] = {}
    branch = values.record_id(data.get("branch_id"), field="segment_branch",
                              message=_("Choose the branch."))
    if branch is not None:
        if owner.kind != BranchKind.HQ and branch != owner.pk:
            raise ValidationFailed("invalid", _("A branch sends only to its own customers."),
                                   field="segment_branch")
        if not Branch.objects.filter(pk=branch, kind=BranchKind.BRANCH).exists():
            raise ValidationFailed("invalid", _("Choose the branch."), field="segment_branch")
        out["branch_id"] = branch
    if kind := _choice(data.get("kind"), CustomerKind.values, "segment_kind"):
        out["kind"] = kind
    city = " ".join(str(data.get("city") or "").split())[:100]
    if city:
        out["city"] = city
    segment = str(data.get("segment") or "").strip()[:60]
    if segment:
        field, sep, _value = segment.partition(":")
        if not sep or field not in SEGMENT_FIELDS:
            raise ValidationFailed("invalid", _("Choose one of the offered values."),
                                   field="segment_segment")
        out["segment"] = segment
    for key in ("created_from", "created_to"):
        if data.get(key):
            out[key] = str(values.iso_date(data[key], field=f"segment_{key}",
                                           message=_("Give the date as YYYY-MM-DD.")))
    for key, allowed in CLASSES.items():
        raw = data.get(key) or []
        items = [raw] if isinstance(raw, str) else list(raw)
        picked = sorted({_choice(v, allowed, f"segment_{key}") for v in items} - {""})
        if picked:
            out[key] = picked
    return out


def _standing() -> tuple[Any, Any]:
    """The analytics snapshot and its per-customer rows, if the area is installed."""
    try:
        snapshot_model = apps.get_model("analytics", "Snapshot")
        standing_model = apps.get_model("analytics", "Standing")
    except LookupError:  # pragma: no cover - analytics is part of every install
        return None, None
    return snapshot_model.objects.current(), standing_model


def has_classes() -> bool:
    return _standing()[0] is not None


def segment_customers(owner: Branch | int, segment: dict[str, Any]) -> QuerySet[Customer]:
    """The customers of the segment (consent not yet applied): HQ's mailing reaches every
    branch, a branch's only its own."""
    owner = owner if isinstance(owner, Branch) else Branch.objects.get(pk=owner)
    qs = Customer.objects.all()
    if owner.kind != BranchKind.HQ:
        qs = qs.filter(branch_id=owner.pk)
    if segment.get("branch_id"):
        qs = qs.filter(branch_id=segment["branch_id"])
    if segment.get("kind"):
        qs = qs.filter(kind=segment["kind"])
    if segment.get("city"):
        qs = qs.filter(city__iexact=segment["city"])
    if segment.get("segment"):
        field, _sep, wanted = segment["segment"].partition(":")
        if field in SEGMENT_FIELDS:
            qs = qs.filter(**{field: wanted})
    if segment.get("created_from"):
        qs = qs.filter(created_at__date__gte=segment["created_from"])
    if segment.get("created_to"):
        qs = qs.filter(created_at__date__lte=segment["created_to"])
    wanted = {k: segment[k] for k in CLASSES if segment.get(k)}
    if wanted:
        snapshot, standing = _standing()
        if snapshot is None:
            return qs.none()  # classes asked for but no refresh finished yet
        rows = standing.objects.filter(snapshot=snapshot, customer=OuterRef("pk"))
        for key, picked in wanted.items():
            rows = rows.filter(**{f"{key}__in": picked})
        qs = qs.filter(Exists(rows))
    return qs


def segment_counts(*, actor: Actor, channel: str, segment: dict[str, Any],
                   branch_id: Any = None) -> dict[str, int]:
    """The preview before sending: the segment, its consenting and reachable part."""
    org_perms.ensure(actor, perms.MAILING_MANAGE.code)
    owner = _owner(actor, branch_id)
    if channel not in MailingChannel.values:
        raise ValidationFailed("invalid", _("Choose e-mail or SMS."), field="channel")
    clean = clean_segment(segment, owner=owner)
    return mass.counts(segment_customers(owner, clean), channel)


def counts_of(mailing: Mailing) -> dict[str, int]:
    return mass.counts(segment_customers(mailing.branch, mailing.segment), mailing.channel)


# -- the mailing ---------------------------------------------------------------------------

def _clean(data: dict[str, Any], *, owner: Branch) -> dict[str, Any]:
    channel = str(data.get("channel") or "")
    if channel not in MailingChannel.values:
        raise ValidationFailed("invalid", _("Choose e-mail or SMS."), field="channel")
    name = values.text(data.get("name"), field="name", limit=NAME_MAX, required=True)
    subject = " ".join(str(data.get("subject") or "").split())
    body = str(data.get("body") or "").strip()
    if channel == MailingChannel.EMAIL and not subject:
        raise ValidationFailed("required", _("An e-mail needs a subject."), field="subject")
    if len(subject) > SUBJECT_MAX:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": SUBJECT_MAX},
                               field="subject")
    if not body:
        raise ValidationFailed("required", _("Write the message."), field="body")
    limit = mass.SMS_BODY_MAX if channel == MailingChannel.SMS else BODY_MAX
    if len(body) > limit:
        raise ValidationFailed("too_long", _(
            "At most %(n)d characters (an SMS keeps room for the opt-out link).") % {
            "n": limit} if channel == MailingChannel.SMS else
            _("At most %(n)d characters.") % {"n": limit}, field="body")
    check_template(subject, field="subject", placeholders=mass.PLACEHOLDERS)
    check_template(body, field="body", placeholders=mass.PLACEHOLDERS)
    campaign = None
    campaign_id = values.record_id(data.get("campaign_id") or data.get("campaign"),
                                   field="campaign", message=_("Choose the campaign."))
    if campaign_id is not None:
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None or not (owner.kind == BranchKind.HQ
                                    or campaign.branch_id == owner.pk
                                    or campaign.all_branches
                                    or campaign.branches.filter(pk=owner.pk).exists()):
            raise ValidationFailed("invalid", _("Choose a campaign run at the branch."),
                                   field="campaign")
    if "kod_kampanii" in body + subject and campaign is None:
        raise ValidationFailed("invalid", _(
            "The text uses the campaign code: choose the campaign."), field="campaign")
    send_at = data.get("send_at") or None
    if send_at is not None and not isinstance(send_at, datetime.datetime):
        try:
            send_at = datetime.datetime.fromisoformat(str(send_at))
        except ValueError:
            raise ValidationFailed("invalid", _("Give the date and time."),
                                   field="send_at") from None
    if send_at is not None and timezone.is_naive(send_at):
        send_at = timezone.make_aware(send_at)
    return {"channel": channel, "name": name, "subject": subject, "body": body,
            "campaign": campaign, "send_at": send_at,
            "segment": clean_segment(data.get("segment"), owner=owner)}


@transaction.atomic
def mailing_create(*, actor: Actor, data: dict[str, Any]) -> Mailing:
    org_perms.ensure(actor, perms.MAILING_MANAGE.code)
    owner = _owner(actor, data.get("branch") or data.get("branch_id"))
    org_perms.ensure(actor, perms.MAILING_MANAGE.code, owner.pk)
    mailing = Mailing.objects.create(branch=owner, created_by=employee_of(actor),
                                     **_clean(data, owner=owner))
    audit_record(action="campaigns.mailing.create", obj=mailing, actor=actor,
                 branch_id=owner.pk, changes={"name": [None, mailing.name],
                                              "channel": [None, mailing.channel]})
    return mailing


def _locked(actor: Actor, mailing_id: Any) -> Mailing:
    mailing = (Mailing.objects.visible_to(actor, perms.MAILING_VIEW)
               .select_for_update(of=("self",))
               .get_or_not_found(mailing_id, missing=_("Mailing not found.")))
    return mailing


@transaction.atomic
def mailing_update(*, actor: Actor, mailing_id: Any, data: dict[str, Any]) -> Mailing:
    mailing = _locked(actor, mailing_id)
    MAILING_FLOW.ensure_can(mailing, "edit", actor=actor)
    for key, value in _clean(data, owner=mailing.branch).items():
        setattr(mailing, key, value)
    mailing.save()
    audit_record(action="campaigns.mailing.update", obj=mailing, actor=actor,
                 branch_id=mailing.branch_id)
    return mailing


@transaction.atomic
def mailing_move(*, actor: Actor, mailing_id: Any, action: str) -> Mailing:
    """``send`` (queued by the job now or at ``send_at``) or ``cancel`` (what is still
    queued is not sent; a batch already taken by a worker finishes)."""
    if action not in MAILING_FLOW.actions() or action == "edit":
        raise ValidationFailed("invalid", _("Unknown step."), field="action")
    mailing = _locked(actor, mailing_id)
    step = MAILING_FLOW.ensure_can(mailing, action, actor=actor)
    before = mailing.status
    mailing.status = step.target
    now = timezone.now()
    if action == "send":
        if mailing.send_at is not None and mailing.send_at < now - datetime.timedelta(
                minutes=5):
            raise ValidationFailed("past", _("The sending time has passed; change it or "
                                             "leave it empty to send now."), field="send_at")
        mailing.save(update_fields=["status"])
        from punkt.campaigns.tasks import mailing_step

        run_after = mailing.send_at if mailing.send_at and mailing.send_at > now else None
        transaction.on_commit(lambda: (mailing_step.using(run_after=run_after)
                                       if run_after else mailing_step).enqueue(mailing.pk))
    else:
        mailing.finished_at = now
        mailing.save(update_fields=["status", "finished_at"])
        mass.cancel_queued(mailing.source)
    audit_record(action=f"campaigns.mailing.{action}", obj=mailing, actor=actor,
                 branch_id=mailing.branch_id, changes={"status": [before, mailing.status]})
    return mailing


def constants_of(mailing: Mailing) -> dict[str, str]:
    return {"kod_kampanii": mailing.campaign.code if mailing.campaign else ""}


def mailing_test(*, actor: Actor, mailing_id: Any, to: str = "") -> str:
    """A sample of the text to the planner (e-mail: their address; SMS: ``to``)."""
    mailing = (Mailing.objects.visible_to(actor, perms.MAILING_VIEW).select_related(
        "branch", "campaign").get_or_not_found(mailing_id, missing=_("Mailing not found.")))
    org_perms.ensure(actor, perms.MAILING_MANAGE.code, mailing.branch_id)
    if mailing.channel == MailingChannel.EMAIL:
        to = str(getattr(actor, "email", "") or "")
        if not to:
            raise ValidationFailed("no_address", _("Your account has no e-mail address."),
                                   field="to")
    else:
        from punkt.customers import identifiers

        to = identifiers.clean_phone(to, field="to")
        if not to:
            raise ValidationFailed("required", _("Enter your phone number."), field="to")
    mass.send_test(channel=mailing.channel, to=to, subject=mailing.subject, body=mailing.body,
                   constants={**constants_of(mailing), "oddzial": mailing.branch.name,
                              "telefon_oddzialu": mailing.branch.phone})
    audit_record(action="campaigns.mailing.test", obj=mailing, actor=actor,
                 branch_id=mailing.branch_id)
    return to


# -- the job -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    status: str
    sent: int = 0
    #: when the job runs next (None: it is done)
    next_at: datetime.datetime | None = None


def _queue(mailing: Mailing, now: datetime.datetime) -> int:
    customers = segment_customers(mailing.branch, mailing.segment)
    n = mass.queue(customers, channel=mailing.channel, subject=mailing.subject,
                   body=mailing.body, source=mailing.source,
                   created_by_id=mailing.created_by_id)
    Mailing.objects.filter(pk=mailing.pk).update(status=MailingStatus.SENDING, queued=n,
                                                 queued_at=now)
    return n


def step(mailing_id: int, now: datetime.datetime | None = None) -> Step:
    """One run of the job: queue the segment when due, then send one batch within the
    rate; returns what it did and when it should run again."""
    now = now or timezone.now()
    with transaction.atomic():
        # of=self: the campaign is an outer join, which PostgreSQL cannot lock
        mailing = (Mailing.objects.select_for_update(of=("self",))
                   .select_related("branch", "campaign").filter(pk=mailing_id).first())
        if mailing is None:
            return Step("missing")
        if mailing.status == MailingStatus.SCHEDULED:
            if mailing.send_at and mailing.send_at > now:
                return Step(mailing.status, next_at=mailing.send_at)
            _queue(mailing, now)
            return Step(MailingStatus.SENDING, next_at=now)
        if mailing.status != MailingStatus.SENDING:
            return Step(mailing.status)
        mass.release_stale(mailing.source, now)
        rate = rate_for(mailing.channel)
        window = datetime.timedelta(minutes=1)
        if mailing.window_start is None or now >= mailing.window_start + window:
            mailing.window_start, mailing.window_count = now, 0
        room = rate - mailing.window_count
        ids = mass.claim(mailing.source, min(room, BATCH))
        mailing.window_count += len(ids)
        mailing.save(update_fields=["window_start", "window_count"])
        window_end = mailing.window_start + window
    if ids:
        mass.send(ids, constants=constants_of(mailing))
        full = mailing.window_count >= rate
        return Step(MailingStatus.SENDING, sent=len(ids), next_at=window_end if full else now)
    if room <= 0:
        return Step(MailingStatus.SENDING, next_at=window_end)
    if mass.has_open(mailing.source):  # another worker's batch still going
        return Step(MailingStatus.SENDING, next_at=now + RECHECK)
    finished = Mailing.objects.filter(pk=mailing.pk, status=MailingStatus.SENDING).update(
        status=MailingStatus.SENT, finished_at=timezone.now())
    return Step(MailingStatus.SENT if finished else MailingStatus.CANCELLED)


# -- reads ---------------------------------------------------------------------------------

def allowed_actions(mailing: Mailing, user: Actor) -> list[str]:
    return MAILING_FLOW.allowed_actions(mailing, user)


def mailing_url(mailing: Mailing) -> str:
    return reverse("campaigns:mailing_detail", args=[mailing.pk])


def progress(mailing: Mailing) -> dict[str, int]:
    counts = mass.progress(mailing.source)
    return {"queued": counts["queued"] + counts["sending"], "sent": counts["sent"],
            "skipped": counts["skipped"], "failed": counts["failed"] + counts["uncertain"],
            "bounced": counts["bounced"], "cancelled": counts["cancelled"],
            "delivered": counts["delivered"]}


def mailing_list(*, user: Actor, status: str = "", branch_id: int | None = None
                 ) -> QuerySet[Mailing]:
    org_perms.ensure(user, perms.MAILING_VIEW.code)
    qs = Mailing.objects.visible_to(user, perms.MAILING_VIEW, branch_id=branch_id)
    if status in MailingStatus.values:
        qs = qs.filter(status=status)
    return qs.select_related("branch", "campaign").order_by("-created_at", "-pk")


def mailing_get(*, user: Actor, mailing_id: Any) -> Mailing:
    org_perms.ensure(user, perms.MAILING_VIEW.code)
    return (Mailing.objects.visible_to(user, perms.MAILING_VIEW)
            .select_related("branch", "campaign", "created_by")
            .get_or_not_found(mailing_id, missing=_("Mailing not found.")))


def recipients_sample(mailing: Mailing, limit: int = 50) -> list[Any]:
    """The first messages of the mailing with their customers (the page's sample)."""
    from punkt.messaging.models import Message

    return list(Message.objects.filter(source_type=SOURCE, source_id=str(mailing.pk))
                .select_related("customer").order_by("id")[:limit])


def campaigns_for(owner: Branch) -> list[Campaign]:
    """Campaigns a mailing of ``owner`` may name: open ones run at it (HQ: every one)."""
    from punkt.campaigns.models import CampaignStatus

    qs = Campaign.objects.filter(status__in=(CampaignStatus.PLANNED, CampaignStatus.RUNNING))
    if owner.kind != BranchKind.HQ:
        qs = qs.filter(Q(branch=owner) | Q(all_branches=True)
                       | Q(pk__in=CampaignBranch.objects.filter(branch=owner)
                           .values("campaign_id")))
    return list(qs.order_by("-starts_on", "-pk")[:200])
