"""Every change of the surveys area: questionnaires (HQ), the invitations the sending rules
make (a periodic job, set-based and in bulk), the customer's answer through the link, and
the follow-up a low score opens for the branch's retention employee (R14.2).

* One invitation per customer, questionnaire and occasion (a unique key); none to a
  customer invited to any survey within the questionnaire's ``quiet_days``; none without
  the channel's marketing consent when the questionnaire promotes offers (C14 — messaging
  checks the consent again when it sends).
* The link's token is made when the message is sent (``survey_link``): only its hash is
  stored. A reminder sends a fresh link; the earlier one then stops working.
* One answer per invitation: a conditional update of ``answered_at`` and the response's
  unique row make a second submit — even at the same moment — "already answered".
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from punkt.catalog.models import Product
from punkt.complaints.models import Complaint, ComplaintStatus
from punkt.contracts.models import ContractEvent, ContractStatus
from punkt.core import bulk
from punkt.core.audit import audit_record
from punkt.core.calendar import next_working_day
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.roles import Role
from punkt.core.values import record_id
from punkt.core.worktime import WARSAW
from punkt.customers.models import Consent, ConsentPurpose, Customer, CustomerStatus
from punkt.customers.timeline import timeline_add
from punkt.messaging import services as messaging
from punkt.messaging.models import Channel, Message, MessageKind
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Employee, Membership
from punkt.sales.models import Sale, SaleKind, SaleLine
from punkt.servicedesk.models import Ticket
from punkt.surveys import permissions as perms
from punkt.surveys.models import (
    LOW_SCORE,
    RULES,
    SCALE,
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    Invitation,
    Question,
    Questionnaire,
    Response,
    Rule,
    Score,
    Watermark,
)
from punkt.surveys.workflows import FOLLOWUP_FLOW
from punkt.work.models import Task, TaskStatus
from punkt.work.services import notify

#: A rule switched on for the first time looks this far back.
FIRST_LOOKBACK = datetime.timedelta(days=7)
#: The yearly rule invites at most this many customers per run (the rest on the next runs).
YEARLY_PER_RUN = 100_000
#: Messages per delivery task (one task row per chunk, not per message).
SEND_CHUNK = 500
QUESTIONS_MAX = 20
COMMENT_MAX = 2000
NOTE_MAX = 2000
CALLBACK_HOUR = 12
SOURCE_YEAR = "surveys.year"
SOURCE_COUNTER = "surveys.counter"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _text(value: Any, field: str, limit: int, *, required: str = "") -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationFailed("required", required, field=field)
    if len(text) > limit:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": limit},
                               field=field)
    return text


def _days(value: Any, field: str) -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", _("Give a number of days."), field=field) from None
    if not 1 <= days <= 365:
        raise ValidationFailed("invalid", _("Give a number of days from 1 to 365."),
                               field=field)
    return days


def language_of(customer: Customer) -> str:
    """The customer's language: Polish for customers in Poland, English otherwise (the
    customer record has no language of its own yet)."""
    return "pl" if (customer.country or "PL").upper() == "PL" else "en"


# --- Questionnaires (HQ) ------------------------------------------------------------------

def parse_questions(text: str) -> list[tuple[str, str]]:
    """The page's question box: one question a line, "Polish | English" (the English part
    may be left out: the Polish one is shown instead)."""
    out = []
    for line in str(text or "").splitlines():
        if not line.strip():
            continue
        pl, _sep, en = line.partition("|")
        out.append((pl.strip(), en.strip()))
    return out


def _questions(questions: Iterable[Any]) -> list[tuple[str, str]]:
    rows = []
    for n, item in enumerate(questions, start=1):
        pl, en = (item if isinstance(item, (list, tuple)) else (item, ""))[:2]
        field = f"questions.{n}"
        rows.append((_text(pl, field, 300, required=_("Write question %(n)d in Polish.")
                           % {"n": n}), _text(en, field, 300)))
    if not rows:
        raise ValidationFailed("required", _("Add at least one question."), field="questions")
    if len(rows) > QUESTIONS_MAX:
        raise ValidationFailed("too_many", _("At most %(n)d questions.") % {"n": QUESTIONS_MAX},
                               field="questions")
    return rows


def _rules(rules: Iterable[Any]) -> list[str]:
    chosen = [str(r) for r in rules or []]
    unknown = [r for r in chosen if r not in RULES]
    if unknown:
        raise ValidationFailed("invalid", _("Unknown sending rule: %(rule)s.")
                               % {"rule": ", ".join(unknown)}, field="rules")
    return [r for r in RULES if r in chosen]


def _product(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        pk = int(str(value))
    except ValueError:
        pk = 0
    if not Product.objects.filter(pk=pk).exists():
        raise ValidationFailed("invalid", _("Choose a product or service from the catalogue."),
                               field="product")
    return pk


@transaction.atomic
def questionnaire_save(*, actor: Actor, questionnaire_id: int | None = None, name: Any,
                       title_pl: Any, title_en: Any = "", intro_pl: Any = "", intro_en: Any = "",
                       questions: Iterable[Any], product_id: Any = None,
                       comment_box: bool = True, is_active: bool = False,
                       promotes_offers: bool = False, rules: Iterable[Any] = (),
                       quiet_days: Any = 30, reminder_days: Any = 7,
                       valid_days: Any = 30) -> Questionnaire:
    """Create or change a questionnaire. Its questions change only while nobody has been
    invited; after that the change needs a new version (:func:`questionnaire_new_version`)."""
    org_perms.ensure(actor, perms.QUESTIONNAIRE_MANAGE.code)
    values = {
        "name": _text(name, "name", 120, required=_("Give the questionnaire a name.")),
        "title_pl": _text(title_pl, "title_pl", 200,
                          required=_("Give the title the customer sees in Polish.")),
        "title_en": _text(title_en, "title_en", 200),
        "intro_pl": str(intro_pl or "").strip()[:2000],
        "intro_en": str(intro_en or "").strip()[:2000],
        "product_id": _product(product_id),
        "comment_box": bool(comment_box), "is_active": bool(is_active),
        "promotes_offers": bool(promotes_offers), "rules": _rules(rules),
        "quiet_days": _days(quiet_days, "quiet_days"),
        "reminder_days": _days(reminder_days, "reminder_days"),
        "valid_days": _days(valid_days, "valid_days"),
    }
    rows = _questions(questions)
    if questionnaire_id is None:
        q = Questionnaire.objects.create(updated_by=employee_of(actor), **values)
        _set_questions(q, rows)
        audit_record(action="surveys.questionnaire.create", obj=q, actor=actor)
        return q
    q = Questionnaire.objects.locked(questionnaire_id, missing=_("Questionnaire not found."))
    if values["is_active"] and getattr(q, "next_version", None) is not None:
        raise Conflict("replaced", _("A newer version replaces this questionnaire: activate "
                                     "that one."))
    current = [(x.text_pl, x.text_en) for x in q.questions.all()]
    if rows != current:
        if Invitation.objects.filter(questionnaire=q).exists():
            raise ValidationFailed("in_use", _(
                "Customers have been invited to this questionnaire: make a new version to "
                "change its questions."), field="questions")
        q.questions.all().delete()
        _set_questions(q, rows)
    for key, value in values.items():
        setattr(q, key, value)
    q.updated_by = employee_of(actor)
    q.save()
    audit_record(action="surveys.questionnaire.update", obj=q, actor=actor,
                 changes={"is_active": q.is_active, "rules": q.rules})
    return q


def _set_questions(q: Questionnaire, rows: list[tuple[str, str]]) -> None:
    Question.objects.bulk_create([Question(questionnaire=q, position=n, text_pl=pl, text_en=en)
                                  for n, (pl, en) in enumerate(rows, start=1)])


@transaction.atomic
def questionnaire_new_version(*, actor: Actor, questionnaire_id: int) -> Questionnaire:
    """A copy of the questionnaire to change freely; the old version is switched off (its
    invitations and answers stay with it) and the new one starts inactive."""
    org_perms.ensure(actor, perms.QUESTIONNAIRE_MANAGE.code)
    old = Questionnaire.objects.locked(questionnaire_id, missing=_("Questionnaire not found."))
    if Questionnaire.objects.filter(previous=old).exists():
        raise Conflict("replaced", _("This questionnaire already has a newer version."))
    fields = ("name", "product_id", "title_pl", "title_en", "intro_pl", "intro_en",
              "comment_box", "promotes_offers", "rules", "quiet_days", "reminder_days",
              "valid_days")
    new = Questionnaire.objects.create(previous=old, version=old.version + 1, is_active=False,
                                       updated_by=employee_of(actor),
                                       **{f: getattr(old, f) for f in fields})
    _set_questions(new, [(x.text_pl, x.text_en) for x in old.questions.all()])
    Questionnaire.objects.filter(pk=old.pk).update(is_active=False)
    audit_record(action="surveys.questionnaire.version", obj=new, actor=actor,
                 message=f"replaces {old.pk}")
    return new


# --- Invitations: the sending rules ----------------------------------------------------

@dataclass(frozen=True)
class Event:
    customer_id: int
    branch_id: int
    source_id: str
    employee_id: int | None


def _events(q: Questionnaire, rule: str, since: datetime.datetime, upto: datetime.datetime
            ) -> tuple[str, QuerySet[Any]]:
    """(source type, rows of customer ``c``, branch ``b``, source ``s``, employee ``e``) of
    what happened under ``rule`` in (since, upto] — one query."""
    if rule == Rule.TICKET:
        return "servicedesk.ticket", (
            Ticket.objects.filter(resolved_at__gt=since, resolved_at__lte=upto,
                                  customer__isnull=False)
            .order_by("resolved_at", "pk")
            .values_list("customer_id", "branch_id", "pk", "assignee_id"))
    if rule == Rule.COMPLAINT:
        return "complaints.complaint", (
            Complaint.objects.filter(status=ComplaintStatus.CLOSED, closed_at__gt=since,
                                     closed_at__lte=upto)
            .order_by("closed_at", "pk")
            .values_list("customer_id", "branch_id", "pk", "handler_id"))
    if rule == Rule.FIRST_SALE:
        earlier = Sale.objects.filter(customer_id=OuterRef("customer_id"),
                                      kind=SaleKind.SALE, created_at__lt=OuterRef("created_at"))
        qs = Sale.objects.filter(kind=SaleKind.SALE, created_at__gt=since,
                                 created_at__lte=upto, customer__isnull=False
                                 ).filter(~Exists(earlier))
        if q.product_id:
            qs = qs.filter(Exists(SaleLine.objects.filter(sale=OuterRef("pk"),
                                                          product_id=q.product_id)))
        return "sales.sale", (qs.order_by("created_at", "pk")
                              .values_list("customer_id", "branch_id", "pk", "seller_id"))
    if rule == Rule.CONTRACT:
        return "contracts.contract", (
            ContractEvent.objects.filter(to_status=ContractStatus.ACTIVE, at__gt=since,
                                         at__lte=upto)
            .exclude(from_status=ContractStatus.ACTIVE)
            .order_by("at", "pk")
            .values_list("contract__customer_id", "contract__branch_id", "contract_id",
                         "contract__prepared_by_id"))
    raise ValueError(rule)  # pragma: no cover


def _yearly(q: Questionnaire, year: int) -> QuerySet[Any]:
    done = Invitation.objects.filter(questionnaire=q, customer_id=OuterRef("pk"),
                                     source_type=SOURCE_YEAR, source_id=str(year))
    return (Customer.objects.filter(status=CustomerStatus.ACTIVE).filter(~Exists(done))
            .order_by("pk").values_list("pk", "branch_id", Value(str(year)),
                                        Value(None, output_field=IntegerField()))
            [:YEARLY_PER_RUN])


def _contactable(q: Questionnaire, customer_ids: list[int], now: datetime.datetime, *,
                 quiet: bool = True) -> dict[int, tuple[str, str, str]]:
    """customer id → (channel, address, language) for those who may be invited now: active,
    with an e-mail (else a phone), not invited to any survey within ``quiet_days``, and —
    when the questionnaire promotes offers — with the channel's marketing consent. One
    query per 10,000 customers."""
    out: dict[int, tuple[str, str, str]] = {}
    recent = Invitation.objects.filter(
        customer_id=OuterRef("pk"), created_at__gte=now - datetime.timedelta(days=q.quiet_days))

    def consent(purpose: str) -> Exists:
        return Exists(Consent.objects.filter(customer_id=OuterRef("pk"), purpose=purpose,
                                             granted=True))

    for start in range(0, len(customer_ids), 10_000):
        chunk = Customer.objects.filter(pk__in=customer_ids[start:start + 10_000],
                                        status=CustomerStatus.ACTIVE)
        if quiet:
            chunk = chunk.filter(~Exists(recent))
        rows = (chunk
                .annotate(mail_ok=consent(ConsentPurpose.MARKETING_EMAIL),
                          sms_ok=consent(ConsentPurpose.MARKETING_SMS))
                .values_list("pk", "email", "phone", "country", "mail_ok", "sms_ok"))
        for pk, email, phone, country, mail_ok, sms_ok in rows:
            language = "pl" if (country or "PL").upper() == "PL" else "en"
            if email and (mail_ok or not q.promotes_offers):
                out[pk] = (Channel.EMAIL, email, language)
            elif phone and (sms_ok or not q.promotes_offers):
                out[pk] = (Channel.SMS, phone, language)
    return out


def invite_events(q: Questionnaire, rule: str, source_type: str, events: Iterable[tuple[Any, ...]],
            now: datetime.datetime) -> int:
    """Invitations and their messages for ``events``, in bulk (C12: the messages and their
    delivery tasks are written in the caller's transaction)."""
    rows = [Event(int(c), int(b), str(s), e) for c, b, s, e in events if c is not None]
    if not rows:
        return 0
    done = set(Invitation.objects.filter(
        questionnaire=q, source_type=source_type,
        source_id__in=sorted({r.source_id for r in rows})).values_list("customer_id",
                                                                       "source_id"))
    reach = _contactable(q, sorted({r.customer_id for r in rows}), now)
    chosen: dict[int, Event] = {}  # one invitation per customer per run
    for r in rows:
        if r.customer_id in reach and r.customer_id not in chosen and \
                (r.customer_id, r.source_id) not in done:
            chosen[r.customer_id] = r
    if not chosen:
        return 0
    expires = now + datetime.timedelta(days=q.valid_days)
    invitations = Invitation.objects.bulk_create([
        Invitation(questionnaire=q, customer_id=e.customer_id, branch_id=e.branch_id, rule=rule,
                   source_type=source_type, source_id=e.source_id, employee_id=e.employee_id,
                   language=reach[e.customer_id][2], channel=reach[e.customer_id][0],
                   token_hash=_hash(secrets.token_urlsafe(24)), created_at=now,
                   expires_at=expires) for e in chosen.values()], batch_size=2000)
    if invitations and invitations[0].pk is None:  # a backend without RETURNING
        by_customer = dict(Invitation.objects.filter(
            questionnaire=q, source_type=source_type, created_at=now,
            customer_id__in=list(chosen)).values_list("customer_id", "pk"))
        for inv in invitations:
            inv.pk = by_customer[inv.customer_id]
    _queue_messages(q, invitations, {c: (ch, to) for c, (ch, to, _l) in reach.items()},
                    reminder=False)
    return len(invitations)


def _message_text(q: Questionnaire, language: str, *, reminder: bool) -> tuple[str, str]:
    with translation.override(language):
        subject = (_("Reminder: %(title)s") if reminder else "%(title)s") % {
            "title": q.title(language)}
        lines = [_("Your opinion matters to us. Please answer %(n)s short questions — it "
                   "takes a minute:") % {"n": q.questions.count()} if not q.intro(language)
                 else q.intro(language), messaging.LINK,
                 _("The link is personal; please do not pass it on.")]
    return subject[:200], "\n\n".join(lines)


def _queue_messages(q: Questionnaire, invitations: list[Invitation],
                    reach: dict[int, tuple[str, str]], *, reminder: bool) -> None:
    from punkt.surveys.tasks import deliver_messages

    kind = MessageKind.MARKETING if q.promotes_offers else MessageKind.SERVICE
    texts = {lang: _message_text(q, lang, reminder=reminder) for lang in ("pl", "en")}
    prefix = "survey-reminder" if reminder else "survey"
    messages = []
    for inv in invitations:
        channel, to = reach[inv.customer_id]
        subject, body = texts.get(inv.language, texts["pl"])
        if channel == Channel.SMS:
            subject, body = "", f"{subject}: {messaging.LINK}"
        messages.append(Message(
            customer_id=inv.customer_id, branch_id=inv.branch_id, channel=channel, kind=kind,
            to=to, subject=subject if channel == Channel.EMAIL else "", body=body,
            key=f"{prefix}:{inv.pk}", source_type="surveys.invitation", source_id=str(inv.pk)))
    made = Message.objects.bulk_create(messages, batch_size=2000)
    ids = [m.pk for m in made if m.pk is not None]
    if len(ids) < len(made):
        ids = list(Message.objects.filter(key__in=[m.key for m in made]).values_list("pk",
                                                                                    flat=True))
    for start in range(0, len(ids), SEND_CHUNK):
        deliver_messages.enqueue(ids[start:start + SEND_CHUNK])


def run_rule(q: Questionnaire, rule: str, now: datetime.datetime | None = None) -> int:
    """One rule of one questionnaire: what happened since the rule's watermark, invited in
    bulk, and the watermark moved — one transaction, the watermark's row locked so that
    two runs at once do not invite twice (C9)."""
    now = now or timezone.now()
    with transaction.atomic():
        Watermark.objects.get_or_create(questionnaire=q, rule=rule,
                                        defaults={"upto": now - FIRST_LOOKBACK})
        mark = Watermark.objects.select_for_update().get(questionnaire=q, rule=rule)
        if rule == Rule.YEARLY:
            made = invite_events(q, rule, SOURCE_YEAR, _yearly(q, now.year), now)
        else:
            source_type, rows = _events(q, rule, mark.upto, now)
            made = invite_events(q, rule, source_type, rows, now)
        Watermark.objects.filter(pk=mark.pk).update(upto=max(now, mark.upto))
    return made


def run_rules(now: datetime.datetime | None = None) -> dict[str, int]:
    """The periodic job's body: every active questionnaire's rules, then the reminders."""
    now = now or timezone.now()
    made = 0
    for q in Questionnaire.objects.filter(is_active=True).order_by("pk"):
        for rule in q.rules:
            if rule in RULES:
                made += run_rule(q, rule, now)
    return {"invited": made, "reminded": send_reminders(now)}


def send_reminders(now: datetime.datetime | None = None) -> int:
    """One reminder, ``reminder_days`` after the invitation, to those who did not answer
    and whose link is still valid; marked by a conditional update (a second run finds
    nothing left)."""
    now = now or timezone.now()
    sent = 0
    for q in Questionnaire.objects.filter(is_active=True).order_by("pk"):
        with transaction.atomic():
            due = list(Invitation.objects.select_for_update(skip_locked=True).filter(
                questionnaire=q, answered_at__isnull=True, reminded_at__isnull=True,
                created_at__lte=now - datetime.timedelta(days=q.reminder_days),
                expires_at__gt=now).exclude(rule=Rule.COUNTER)[:50_000])
            if not due:
                continue
            Invitation.objects.filter(pk__in=[i.pk for i in due], reminded_at__isnull=True
                                      ).update(reminded_at=now)
            # the quiet period does not stop a reminder; the consent still does
            reach = _contactable(q, [i.customer_id for i in due], now, quiet=False)
            due = [i for i in due if i.customer_id in reach]
            _queue_messages(q, due, {c: (ch, to) for c, (ch, to, _l) in reach.items()},
                            reminder=True)
            sent += len(due)
    return sent


def survey_link(invitation_id: Any) -> str:
    """A fresh link for the invitation (any earlier one stops working); called by
    messaging when the invitation or its reminder is sent."""
    token = secrets.token_urlsafe(32)
    Invitation.objects.filter(pk=int(invitation_id), answered_at__isnull=True).update(
        token_hash=_hash(token))
    return f"{settings.PUNKT_PUBLIC_URL}/survey/{token}/"


def survey_links(invitation_ids: list[str]) -> dict[str, str]:
    """:func:`survey_link` for a chunk of invitations at once: one statement."""
    tokens = {int(pk): secrets.token_urlsafe(32) for pk in invitation_ids}
    if tokens:
        bulk.update_each(Invitation.objects.filter(answered_at__isnull=True), "token_hash",
                         {pk: _hash(t) for pk, t in tokens.items()})
    return {str(pk): f"{settings.PUNKT_PUBLIC_URL}/survey/{t}/" for pk, t in tokens.items()}


messaging.LINKS["surveys.invitation"] = survey_link
messaging.LINKS_MANY["surveys.invitation"] = survey_links


# --- The counter (tablet) -------------------------------------------------------------------

@transaction.atomic
def counter_open(*, actor: Actor, customer_id: Any, questionnaire_id: Any) -> str:
    """An employee opens a survey for the customer at the counter; the customer answers on
    the branch's tablet. Returns the token (the tablet's page address)."""
    try:
        customer = Customer.objects.get(pk=int(str(customer_id)))
    except (ValueError, Customer.DoesNotExist):
        raise NotFound(_("Customer not found.")) from None
    org_perms.ensure(actor, perms.SURVEY_VIEW.code, customer.branch_id)
    try:
        q = Questionnaire.objects.get(pk=int(str(questionnaire_id)), is_active=True)
    except (ValueError, Questionnaire.DoesNotExist):
        raise ValidationFailed("invalid", _("Choose an active questionnaire."),
                               field="questionnaire") from None
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    inv = Invitation.objects.create(
        questionnaire=q, customer=customer, branch_id=customer.branch_id, rule=Rule.COUNTER,
        source_type=SOURCE_COUNTER, source_id=now.strftime("%Y%m%d%H%M%S%f"),
        employee=employee_of(actor), language=language_of(customer), token_hash=_hash(token),
        created_at=now, expires_at=now + datetime.timedelta(hours=2),
        created_by=employee_of(actor))
    audit_record(action="surveys.counter.open", obj=inv, actor=actor,
                 branch_id=customer.branch_id)
    return token


# --- Answering --------------------------------------------------------------------------------

def invitation_for(token: str) -> Invitation:
    inv = (Invitation.objects.select_related("questionnaire", "branch", "customer")
           .filter(token_hash=_hash(str(token)[:100])).first())
    if inv is None:
        raise NotFound(_("This link is not valid."))
    return inv


def is_open(inv: Invitation) -> bool:
    return inv.answered_at is None and inv.expires_at > timezone.now()


def _score(value: Any, field: str) -> int:
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        score = 0
    if score not in SCALE:
        raise ValidationFailed("required", _("Choose a score from 1 to 5."), field=field)
    return score


@transaction.atomic
def answer_submit(*, token: str, scores: dict[str, Any], comment: Any = "",
                  at_counter: bool = False) -> Response:
    """The customer's answers. Every question needs a score 1–5 (``scores["q<id>"]``);
    a score of 3 or less opens a follow-up (R14.2)."""
    inv = invitation_for(token)
    if inv.answered_at is not None:
        raise Conflict("answered", _("You have already answered this survey. Thank you."))
    if inv.expires_at <= timezone.now():
        raise Conflict("expired", _("This survey link has expired."))
    questions = list(inv.questionnaire.questions.all())
    values = {x.pk: _score(scores.get(f"q{x.pk}"), f"q{x.pk}") for x in questions}
    note = str(comment or "").strip() if inv.questionnaire.comment_box else ""
    if len(note) > COMMENT_MAX:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": COMMENT_MAX},
                               field="comment")
    now = timezone.now()
    # The conditional update waits for a submit at the same moment and then finds the
    # invitation answered: one answer per link (C10).
    if not Invitation.objects.filter(pk=inv.pk, answered_at__isnull=True).update(
            answered_at=now):
        raise Conflict("answered", _("You have already answered this survey. Thank you."))
    response = Response.objects.create(invitation=inv, submitted_at=now, comment=note,
                                       lowest=min(values.values()), at_counter=at_counter)
    Score.objects.bulk_create([Score(response=response, question_id=pk, value=v)
                               for pk, v in values.items()])
    timeline_add(customer_id=inv.customer_id, kind="survey", branch_id=inv.branch_id,
                 source=inv, subject=_("Survey „%(name)s” answered: lowest score %(n)d")
                 % {"name": inv.questionnaire.name, "n": response.lowest})
    audit_record(action="surveys.response.submit", obj=response, branch_id=inv.branch_id,
                 actor_label="customer")
    if response.lowest <= LOW_SCORE:
        _open_followup(inv, response, now)
    return response


def followup_assignee(branch_id: int) -> Employee | None:
    """The branch's active retention employee with the fewest open follow-ups (one query);
    the branch's manager when it has none."""
    open_cases = (FollowUp.objects.filter(assignee_id=OuterRef("pk"), status=FollowUpStatus.OPEN)
                  .values("assignee_id").annotate(n=Count("pk")).values("n"))
    for role in (Role.RETENTION, Role.MANAGER):
        staff = Membership.objects.filter(branch_id=branch_id, role=role, is_active=True,
                                          employee_id=OuterRef("pk"))
        found = (Employee.objects.filter(is_active=True).filter(Exists(staff))
                 .annotate(n=Coalesce(Subquery(open_cases, output_field=IntegerField()), 0))
                 .order_by("n", "pk").first())
        if found is not None:
            return found
    return None


def _open_followup(inv: Invitation, response: Response, now: datetime.datetime) -> FollowUp:
    assignee = followup_assignee(inv.branch_id)
    followup = FollowUp.objects.create(response=response, branch_id=inv.branch_id,
                                       customer_id=inv.customer_id, assignee=assignee,
                                       created_at=now)
    url = reverse("surveys:followup_detail", args=[followup.pk])
    if assignee is not None:
        day = next_working_day(timezone.localdate(now) + datetime.timedelta(days=1))
        due = datetime.datetime.combine(day, datetime.time(CALLBACK_HOUR), tzinfo=WARSAW)
        customer = inv.customer
        with translation.override(assignee.language or "pl"):
            title = _("Call back %(customer)s: score %(n)d in the survey „%(name)s”") % {
                "customer": customer, "n": response.lowest, "name": inv.questionnaire.name}
        task = Task.objects.create(branch_id=inv.branch_id, assignee=assignee, title=title[:200],
                                   customer_id=inv.customer_id, subject_type="surveys.followup",
                                   subject_id=str(followup.pk), due_at=due, remind_at=due)
        FollowUp.objects.filter(pk=followup.pk).update(task=task)
        followup.task = task
        notify(recipient=assignee, kind="survey.low_score",
               title=lambda: _("Low score in a survey: %(customer)s (%(n)d)") % {
                   "customer": customer, "n": response.lowest},
               url=url, key=f"survey.followup:{followup.pk}")
    audit_record(action="surveys.followup.open", obj=followup, branch_id=inv.branch_id,
                 actor_label="customer", message=f"lowest {response.lowest}")
    return followup


# --- Follow-ups ---------------------------------------------------------------------------

@transaction.atomic
def _complaint_of(actor: Actor, followup: FollowUp, outcome: str, complaint_id: Any) -> Any:
    """The complaint the call ended with: one of this customer's that ``actor`` may open;
    required for the outcome "complaint", refused with any other."""
    from punkt.complaints import permissions as complaint_perms

    if complaint_id in (None, ""):
        if outcome == FollowUpOutcome.COMPLAINT:
            raise ValidationFailed("required", _(
                "Register the complaint first, then choose it here."), field="complaint_id")
        return None
    if outcome != FollowUpOutcome.COMPLAINT:
        raise ValidationFailed("invalid", _(
            "A complaint is named only when the call ended with one."), field="complaint_id")
    pk = record_id(complaint_id, field="complaint_id",
                   message=_("Choose one of the customer's complaints."))
    found = (Complaint.objects.visible_to(actor, complaint_perms.COMPLAINT_VIEW)
             .filter(pk=pk or 0, customer_id=followup.customer_id).first())
    if found is None:
        raise ValidationFailed("invalid", _("Choose one of the customer's complaints."),
                               field="complaint_id")
    return found


def followup_move(*, actor: Actor, followup_id: int, action: str, outcome: Any = "",
                  note: Any = "", complaint_id: Any = None) -> FollowUp:
    """``close`` with the call's outcome (and a note; with the outcome "complaint", the
    complaint registered), or ``reopen``; the callback task follows (done on close)."""
    org_perms.ensure(actor, perms.FOLLOWUP_HANDLE.code)  # the role first (403), then the row
    followup = (FollowUp.objects.visible_to(actor, perms.FOLLOWUP_HANDLE)
                .get_or_not_found(followup_id, missing=_("Follow-up not found.")))
    followup = FollowUp.objects.locked(followup.pk)
    t = FOLLOWUP_FLOW.ensure_can(followup, str(action), actor=actor)
    now = timezone.now()
    changes: dict[str, Any] = {"status": t.target}
    if t.action == "close":
        outcome = str(outcome or "")
        if outcome not in FollowUpOutcome.values:
            raise ValidationFailed("required", _("Choose how the call went."), field="outcome")
        text = str(note or "").strip()
        if len(text) > NOTE_MAX:
            raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": NOTE_MAX},
                                   field="note")
        complaint = _complaint_of(actor, followup, outcome, complaint_id)
        changes.update(outcome=outcome, note=text, closed_at=now, closed_by=employee_of(actor),
                       complaint=complaint)
    else:
        changes.update(closed_at=None, closed_by=None, complaint=None)
    if not FollowUp.objects.filter(pk=followup.pk, status=followup.status).update(**changes):
        raise Conflict("changed", _("The follow-up changed meanwhile."))  # pragma: no cover
    if t.action == "close" and followup.task_id:
        Task.objects.filter(pk=followup.task_id, status=TaskStatus.OPEN).update(
            status=TaskStatus.DONE, done_at=now, progress=100, updated_at=now)
    followup.refresh_from_db()
    if t.action == "close":
        timeline_add(customer_id=followup.customer_id, kind="survey", actor=actor,
                     branch_id=followup.branch_id, source=followup,
                     subject=_("Call after a low survey score: %(outcome)s") % {
                         "outcome": followup.get_outcome_display()},
                     body="\n".join(filter(None, [
                         followup.note, followup.complaint.number if followup.complaint_id
                         and followup.complaint else ""])))
    audit_record(action=f"surveys.followup.{t.action}", obj=followup, actor=actor,
                 branch_id=followup.branch_id,
                 changes={"outcome": followup.outcome, "complaint_id": followup.complaint_id})
    return followup


def open_followups_of(user: Actor) -> QuerySet[FollowUp]:
    me = employee_of(user)
    return (FollowUp.objects.visible_to(user, perms.FOLLOWUP_HANDLE)
            .filter(status=FollowUpStatus.OPEN).filter(Q(assignee=me) | Q(assignee__isnull=True))
            .select_related("customer", "response").order_by("created_at", "pk"))


