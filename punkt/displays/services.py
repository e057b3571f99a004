"""Every change of display guidance and display tasks: permission, lock, workflow,
validation, conditional update, audit — one transaction each.

- Guidance is issued by HQ (for all or chosen branches) or by a branch manager (for the
  branch); its HQ material must be of a display kind and in force at every branch it is
  for; the optional campaign must run at each of them. One task per branch is made with it.
- A task is completed with 1–10 photos (PNG or JPEG, told by their bytes, at most 10 MB
  each) and a comment; it is accepted or returned (with a reason) by someone who did not
  complete it (four eyes, C11); the returned task goes back to the branch, whose
  employee hears of it.
- Overdue tasks: the daily job reminds the branch once a day (C9)."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.campaigns import permissions as campaign_perms
from punkt.campaigns.models import Campaign, CampaignBranch, CampaignStatus
from punkt.core import batch, files, values
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.displays import permissions as perms
from punkt.displays.models import (
    OPEN_STATES,
    DisplayTask,
    Guidance,
    ReferencePhoto,
    TaskPhoto,
    TaskStatus,
)
from punkt.displays.workflows import TASK_FLOW
from punkt.materials.models import Delivery, Material, MaterialKind, MaterialVersion, VersionStatus
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, BranchKind, Employee, Membership
from punkt.work.services import notify

AREA = "displays"
#: HQ materials a display may come from
KINDS = (MaterialKind.DISPLAY_GUIDE, MaterialKind.PROMO)
IMAGE_KINDS = frozenset({"png", "jpeg"})
MAX_PHOTO_SIZE = 10 * 1024 * 1024
MAX_PHOTOS = 10
TITLE_MAX, INSTRUCTIONS_MAX, COMMENT_MAX, REASON_MAX = 200, 4000, 1000, 500
MAX_DUE_DAYS = 366


# -- photos ---------------------------------------------------------------------------------

def _store_photos(uploads: Sequence[Any], *, field: str, required: bool
                  ) -> list[tuple[str, str, str, int]]:
    """Store each upload as an image (type told by its bytes, size limited); when one is
    refused, the ones stored before it are removed and nothing stays (C24)."""
    uploads = [u for u in uploads if u is not None]
    if required and not uploads:
        raise ValidationFailed("required", _("Add at least one photo of the display."),
                               field=field)
    if len(uploads) > MAX_PHOTOS:
        raise ValidationFailed("too_many", _("At most %(n)d photos.") % {"n": MAX_PHOTOS},
                               field=field)
    stored: list[tuple[str, str, str, int]] = []
    try:
        for upload in uploads:
            if upload.size > MAX_PHOTO_SIZE:
                raise ValidationFailed("too_large", _(
                    "The photo %(name)s is larger than 10 MB.") % {"name": upload.name},
                    field=field)
            try:
                stored.append(files.store(upload, area=AREA, kinds=IMAGE_KINDS, refused=_(
                    "The file %(name)s is not a photo: send JPG or PNG images.")
                    % {"name": upload.name}))
            except ValidationFailed as exc:
                exc.field = field
                raise
    except ValidationFailed:
        forget_files([s[1] for s in stored])
        raise
    return stored


def forget_files(names: Iterable[str]) -> None:
    for name in names:
        with contextlib.suppress(ValueError):  # a stored name is ours: never outside
            files.path_of(name, area=AREA).unlink(missing_ok=True)


# -- guidance --------------------------------------------------------------------------------

def _hq() -> Branch:
    hq = Branch.objects.filter(kind=BranchKind.HQ).first()
    if hq is None:
        raise NotFound(_("The company has no HQ record."))
    return hq


def issuing_branches(actor: Actor) -> list[Branch]:
    """Where ``actor`` may issue guidance: HQ (for HQ roles), else their branches."""
    hq = _hq()
    if org_perms.can(actor, perms.DISPLAY_ISSUE.code, hq.pk):
        return [hq]
    return list(Branch.objects.visible_to(actor, perms.DISPLAY_ISSUE)
                .filter(is_active=True, kind=BranchKind.BRANCH).order_by("name"))


def _owner(actor: Actor, branch_id: Any) -> Branch:
    choices = issuing_branches(actor)
    if not choices:
        org_perms.ensure(actor, perms.DISPLAY_ISSUE.code, _hq().pk)
    wanted = values.record_id(branch_id, field="branch", message=_("Choose the branch."))
    if wanted is None:
        if len(choices) == 1:
            return choices[0]
        raise ValidationFailed("required", _("Choose the branch."), field="branch")
    found = next((b for b in choices if b.pk == wanted), None)
    if found is None:
        raise ValidationFailed("invalid", _("Choose a branch you issue guidance for."),
                               field="branch")
    return found


def versions_in_force(material_id: int, on: datetime.date | None = None
                      ) -> dict[int, MaterialVersion]:
    """Branch id → the version of the material in force there (the rule of
    ``materials.selectors.current_for_branch``, for every branch in one query)."""
    on = on or timezone.localdate()
    newest: dict[int, MaterialVersion] = {}
    for d in (Delivery.objects.filter(
            version__material_id=material_id, version__status=VersionStatus.PUBLISHED,
            version__valid_from__lte=on)
            .filter(Q(version__valid_to__isnull=True) | Q(version__valid_to__gte=on))
            .select_related("version").order_by("-version__valid_from", "-version__number")):
        newest.setdefault(d.branch_id, d.version)
    return newest


def material_choices(owner: Branch) -> list[Material]:
    """The HQ materials of a display kind a guidance of ``owner`` may come from: in force
    at the branch (HQ: at some branch)."""
    today = timezone.localdate()
    live = (Delivery.objects.filter(
        version__status=VersionStatus.PUBLISHED, version__valid_from__lte=today,
        version__material__kind__in=KINDS)
        .filter(Q(version__valid_to__isnull=True) | Q(version__valid_to__gte=today)))
    if owner.kind != BranchKind.HQ:
        live = live.filter(branch_id=owner.pk)
    return list(Material.objects.filter(pk__in=live.values("version__material_id"),
                                        is_archived=False).order_by("title"))


def campaign_choices(actor: Actor) -> list[Campaign]:
    return list(Campaign.objects.visible_to(actor, campaign_perms.CAMPAIGN_VIEW)
                .filter(status__in=(CampaignStatus.PLANNED, CampaignStatus.RUNNING))
                .order_by("-starts_on", "-pk")[:100])


def _names(branches: Iterable[Branch]) -> str:
    names = [b.name for b in branches]
    more = len(names) - 5
    return ", ".join(names[:5]) + (_(" and %(n)d more") % {"n": more} if more > 0 else "")


def _clean(actor: Actor, data: dict[str, Any], owner: Branch) -> dict[str, Any]:
    title = values.text(data.get("title"), field="title", limit=TITLE_MAX, required=True)
    instructions = values.text(data.get("instructions"), field="instructions",
                               limit=INSTRUCTIONS_MAX, required=True)
    due_raw = data.get("due_on")
    if due_raw in (None, ""):
        raise ValidationFailed("required", _("Give the due date."), field="due_on")
    due_on = values.iso_date(due_raw, field="due_on", message=_("Give the date as YYYY-MM-DD."))
    today = timezone.localdate()
    if due_on < today:
        raise ValidationFailed("invalid", _("The due date cannot be in the past."),
                               field="due_on")
    if due_on > today + datetime.timedelta(days=MAX_DUE_DAYS):
        raise ValidationFailed("invalid", _("The due date is more than a year away."),
                               field="due_on")
    all_branches = owner.kind == BranchKind.HQ and bool(data.get("all_branches"))
    if owner.kind != BranchKind.HQ:
        targets = [owner]
    elif all_branches:
        targets = list(Branch.objects.filter(kind=BranchKind.BRANCH, is_active=True)
                       .order_by("name"))
        if not targets:
            raise ValidationFailed("required", _("The company has no active branches."),
                                   field="branch_ids")
    else:
        raw = data.get("branch_ids") or []
        raw = raw if isinstance(raw, list | tuple | set) else [raw]
        ids = []
        for item in raw:
            pk = values.record_id(item, field="branch_ids", message=_("Choose the branches."))
            if pk is not None and pk not in ids:
                ids.append(pk)
        targets = list(Branch.objects.filter(pk__in=ids, kind=BranchKind.BRANCH,
                                             is_active=True).order_by("name"))
        if len(targets) != len(ids):
            raise ValidationFailed("invalid", _("Choose active branches."), field="branch_ids")
        if not targets:
            raise ValidationFailed("required", _(
                "Choose the branches the guidance is for, or all branches."), field="branch_ids")
    material_pk = values.record_id(data.get("material"), field="material",
                                   message=_("Choose the HQ material."))
    material = Material.objects.filter(pk=material_pk or 0, kind__in=KINDS,
                                       is_archived=False).first()
    if material is None:
        raise ValidationFailed("invalid" if material_pk else "required", _(
            "Choose an HQ display guide or promotional material."), field="material")
    in_force = versions_in_force(material.pk)
    missing = [b for b in targets if b.pk not in in_force]
    if missing:
        raise ValidationFailed("not_in_force", _(
            "“%(material)s” is not in force at: %(branches)s. Publish it there first or "
            "choose other branches.") % {"material": material.title,
                                          "branches": _names(missing)}, field="material")
    campaign = None
    campaign_pk = values.record_id(data.get("campaign"), field="campaign",
                                   message=_("Choose the campaign."))
    if campaign_pk is not None:
        campaign = (Campaign.objects.visible_to(actor, campaign_perms.CAMPAIGN_VIEW)
                    .filter(pk=campaign_pk).first())
        if campaign is None or campaign.status not in (CampaignStatus.PLANNED,
                                                       CampaignStatus.RUNNING):
            raise ValidationFailed("invalid", _("Choose a planned or running campaign."),
                                   field="campaign")
        if not campaign.all_branches:
            runs = set(CampaignBranch.objects.filter(campaign=campaign)
                       .values_list("branch_id", flat=True)) | {campaign.branch_id}
            outside = [b for b in targets if b.pk not in runs]
            if outside:
                raise ValidationFailed("invalid", _(
                    "The campaign does not run at: %(branches)s.")
                    % {"branches": _names(outside)}, field="campaign")
    return {"title": title, "instructions": instructions, "due_on": due_on,
            "all_branches": all_branches, "targets": targets, "material": material,
            "in_force": in_force, "campaign": campaign}


@transaction.atomic
def guidance_issue(*, actor: Actor, data: dict[str, Any], photos: Sequence[Any] = ()
                   ) -> Guidance:
    """Issue guidance from ``data`` (title, instructions, material, campaign, due_on;
    HQ: all_branches or branch_ids; branch: the manager's ``branch``) with reference
    ``photos``; one display task per branch."""
    org_perms.ensure(actor, perms.DISPLAY_ISSUE.code)
    owner = _owner(actor, data.get("branch"))
    org_perms.ensure(actor, perms.DISPLAY_ISSUE.code, owner.pk)
    clean = _clean(actor, data, owner)
    stored = _store_photos(list(photos), field="photos", required=False)
    me = employee_of(actor)
    try:
        guidance = Guidance.objects.create(
            branch=owner, title=clean["title"], instructions=clean["instructions"],
            material=clean["material"], campaign=clean["campaign"], due_on=clean["due_on"],
            all_branches=clean["all_branches"], created_by=me)
        DisplayTask.objects.bulk_create([
            DisplayTask(guidance=guidance, branch=b, material_version=clean["in_force"][b.pk],
                        due_on=clean["due_on"]) for b in clean["targets"]])
        ReferencePhoto.objects.bulk_create([
            ReferencePhoto(guidance=guidance, name=n, stored=s, content_type=t, size=z,
                           uploaded_by=me) for n, s, t, z in stored])
    except Exception:
        forget_files([s[1] for s in stored])
        raise
    audit_record(action="displays.guidance.issue", obj=guidance, actor=actor,
                 branch_id=owner.pk, changes={
                     "title": [None, guidance.title], "due_on": [None, str(guidance.due_on)],
                     "material": [None, clean["material"].pk],
                     "campaign": [None, clean["campaign"].pk if clean["campaign"] else None],
                     "branches": [None, [b.code for b in clean["targets"]][:50]],
                     "photos": [None, len(stored)]})
    return guidance


# -- tasks -----------------------------------------------------------------------------------

def _locked(actor: Actor, task_id: Any) -> DisplayTask:
    DisplayTask.objects.visible_to(actor, perms.DISPLAY_VIEW).get_or_not_found(
        task_id, missing=_("Display task not found."))  # another branch's: 404
    return DisplayTask.objects.locked(task_id, missing=_("Display task not found."))


@transaction.atomic
def task_complete(*, actor: Actor, task_id: Any, photos: Sequence[Any],
                  comment: Any = "") -> DisplayTask:
    """The branch arranged the display: its photos (one or more) and a comment; the task
    waits for the manager's or HQ's check."""
    task = _locked(actor, task_id)
    step = TASK_FLOW.ensure_can(task, "complete", actor=actor)
    text = values.text(comment, field="comment", limit=COMMENT_MAX)
    stored = _store_photos(list(photos), field="photos", required=True)
    me = employee_of(actor)
    now = timezone.now()
    try:
        if not DisplayTask.objects.filter(pk=task.pk, status__in=step.sources).update(
                status=step.target, round=task.round + 1, completed_at=now, completed_by=me,
                comment=text, checked_at=None, checked_by=None):
            raise Conflict("changed", _("The display task was changed meanwhile; try again."))
        TaskPhoto.objects.bulk_create([
            TaskPhoto(task=task, round=task.round + 1, name=n, stored=s, content_type=t,
                      size=z, uploaded_by=me, uploaded_at=now) for n, s, t, z in stored])
    except Exception:
        forget_files([s[1] for s in stored])
        raise
    audit_record(action="displays.task.complete", obj=task, actor=actor,
                 branch_id=task.branch_id, changes={"status": [task.status, step.target],
                                                    "photos": [None, len(stored)]},
                 message=text)
    task.refresh_from_db()
    return task


def did_it(task: DisplayTask, actor: Actor) -> bool:
    """Did ``actor`` complete the task (four eyes, C11: they may not check it)?"""
    return task.completed_by_id is not None and task.completed_by_id == getattr(actor, "pk",
                                                                                None)


@transaction.atomic
def task_check(*, actor: Actor, task_id: Any, action: str, reason: Any = "") -> DisplayTask:
    """Accept the completed display, or return it to be redone with a reason (the one who
    completed it is told). Not by the one who completed it (C11)."""
    if action not in ("accept", "return"):
        raise ValidationFailed("invalid", _("Unknown step."), field="action")
    task = _locked(actor, task_id)
    step = TASK_FLOW.ensure_can(task, action, actor=actor)
    if did_it(task, actor):
        raise ActionDenied(_("You completed this display yourself: another manager or HQ "
                             "must check it."), action=perms.DISPLAY_CHECK.code)
    message = ""
    fields: dict[str, Any] = {"status": step.target, "checked_at": timezone.now(),
                              "checked_by": employee_of(actor)}
    if action == "return":
        message = values.text(reason, field="reason", limit=REASON_MAX, required=True)
        fields["return_reason"] = message
    # the lock makes the state read above current; the condition keeps it honest (C10)
    if not DisplayTask.objects.filter(pk=task.pk, status=TaskStatus.COMPLETED).update(**fields):
        raise Conflict("changed", _("The display task was changed meanwhile; try again."))
    audit_record(action=f"displays.task.{action}", obj=task, actor=actor,
                 branch_id=task.branch_id, changes={"status": [task.status, step.target]},
                 message=message)
    task.refresh_from_db()
    if action == "return" and task.completed_by_id:
        title = task.guidance.title
        notify(recipient=task.completed_by_id, kind="displays.returned",
               title=_returned_title(title, message), url=task_url(task),
               key=f"displays.returned:{task.pk}:{task.round}")
    return task


def _returned_title(title: str, reason: str) -> Callable[[], str]:
    return lambda: _("Display “%(title)s” returned to redo: %(reason)s") % {
        "title": title, "reason": reason}


def _overdue_title(title: str, day: str) -> Callable[[], str]:
    return lambda: _("Display “%(title)s” was due %(day)s and is not done yet.") % {
        "title": title, "day": day}


def allowed_actions(task: DisplayTask, user: Actor) -> list[str]:
    """The steps ``user`` may take now (the one who completed it does not check it)."""
    return [a for a in TASK_FLOW.allowed_actions(task, user)
            if a == "complete" or not did_it(task, user)]


def branch_staff(branch_id: int) -> list[int]:
    """Who arranges the branch's displays: active employees holding a role that may
    complete display tasks there."""
    return list(Membership.objects.filter(branch_id=branch_id,
                                          role__in=sorted(perms.DISPLAY_COMPLETE.roles),
                                          is_active=True, employee__is_active=True)
                .values_list("employee_id", flat=True).distinct())


def remind_overdue(today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: each task still to do (or returned) after its due date rings the
    bell of its branch's staff once a day — the day is claimed by a conditional update of
    ``reminded_on`` and each notification has a key of the task and the day, so a job run
    twice, or two at once, reminds once (C9, C13)."""
    today = today or timezone.localdate()
    rows = list(DisplayTask.objects.filter(status__in=OPEN_STATES, due_on__lt=today)
                .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
                .order_by("due_on", "pk")
                .values_list("pk", "branch_id", "due_on", "guidance__title")[:20_000])
    staff = {b: branch_staff(b) for b in {r[1] for r in rows}}
    people = Employee.objects.only("pk", "language").in_bulk(
        {e for ids in staff.values() for e in ids})
    tasks = reminded = 0
    with batch.one_transaction():
        for pk, branch_id, due, title in rows:
            claimed = DisplayTask.objects.filter(
                Q(reminded_on__isnull=True) | Q(reminded_on__lt=today), pk=pk,
                status__in=OPEN_STATES).update(reminded_on=today)
            if not claimed:
                continue
            tasks += 1
            url = reverse("displays:task_detail", args=[pk])
            for employee in staff[branch_id]:
                notify(recipient=people.get(employee), kind="displays.overdue",
                       title=_overdue_title(title, f"{due:%d.%m.%Y}"), url=url,
                       key=f"displays.overdue:{pk}:{today.isoformat()}")
                reminded += 1
    return {"tasks": tasks, "notified": reminded}


def task_url(task: DisplayTask) -> str:
    return reverse("displays:task_detail", args=[task.pk])


def guidance_url(guidance: Guidance) -> str:
    return reverse("displays:guidance_detail", args=[guidance.pk])
