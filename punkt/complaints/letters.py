"""Letters to the customer about a complaint, on a durable medium (art. 7a; the Electronic
Communications Law): the **answer** — HQ's text for the decision, filled with the
complaint's data and edited by the handler — sent with the step "customer informed", and
the **request to complete** a complaint that lacks something, with the customer's term
(``PUNKT_COMPLAINT_COMPLETE_DAYS``, 7 days as in the telecom rules, moved past weekends
and holidays).

Each letter is kept as sent — its text and its PDF — with the proof of dispatch: the
e-mail's message (sent, when), the branch's print run and the posting (date, registered
mail number), or the hand-over at the counter (a copy signed by the customer). Values are
inserted as plain text and the PDF is built from escaped parts (C22); it fetches nothing
(C23). A second click with the same key sends nothing more.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override

from punkt.complaints import clock, selectors
from punkt.complaints import permissions as perms
from punkt.complaints.models import (
    Complaint,
    ComplaintLetter,
    ComplaintStatus,
    LetterChannel,
    LetterKind,
    LetterTemplate,
    Outcome,
)
from punkt.core import files, values
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.money import format_pln
from punkt.core.pdf import render_pdf
from punkt.messaging import letters as post
from punkt.messaging import services as messaging
from punkt.messaging.models import Channel, MessageKind
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.work.models import Task, TaskStatus

AREA = "complaints"
SUBJECT_MAX, TEXT_MAX, NOTE_MAX = 200, 20000, 10000
TRACKING_MAX = 40
#: the placeholders a letter's text may use, each filled from the complaint
PLACEHOLDERS = ("numer", "data", "data_przyjecia", "klient", "produkt", "rodzaj", "zadanie",
                "kwota", "rozstrzygniecie", "uzasadnienie", "podstawa_prawna",
                "sposob_zalatwienia", "termin_odpowiedzi", "brakujace",
                "termin_uzupelnienia", "oddzial", "telefon_oddzialu", "pracownik")
#: states in which something may still be asked of the customer: not decided yet
UNDECIDED = (ComplaintStatus.REGISTERED, ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.AT_HQ,
             ComplaintStatus.INVESTIGATION)
DUE_HOUR = 9


#: what a kind of letter cannot do without: the request names what is missing and the term
REQUIRED: dict[str, tuple[str, ...]] = {
    LetterKind.COMPLETION: ("brakujace", "termin_uzupelnienia")}


def withdraw_open_requests(complaint: Complaint, actor: Actor) -> int:
    """A decided complaint no longer waits for the customer: its open request to complete
    is closed with a note and the handler's task is cancelled."""
    now = timezone.now()
    open_requests = list(complaint.letters.filter(kind=LetterKind.COMPLETION,
                                                  completed_at__isnull=True)
                         .values_list("pk", "task_id"))
    if not open_requests:
        return 0
    with override("pl"):
        note = str(_("Closed without the customer's reply: the complaint was decided."))
    ComplaintLetter.objects.filter(pk__in=[pk for pk, _task in open_requests],
                                   completed_at__isnull=True).update(
        completed_at=now, completed_note=note)
    Task.objects.filter(pk__in=[task for _pk, task in open_requests if task],
                        status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED,
                                                       updated_at=now)
    _record(complaint, actor, "completion_withdrawn", note)
    return len(open_requests)


def complete_days() -> int:
    return int(getattr(settings, "PUNKT_COMPLAINT_COMPLETE_DAYS", 7))


def completion_term(today: datetime.date | None = None) -> datetime.date:
    """The last day for the customer: ``complete_days()`` after today, past weekends and
    holidays (KC art. 111, 115)."""
    start = datetime.datetime.combine(today or timezone.localdate(), datetime.time(12),
                                      tzinfo=clock.WARSAW)
    return clock.deadline(start, complete_days()).date()


def _day(day: datetime.date | datetime.datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = day.astimezone(clock.WARSAW).date()
    return f"{day:%d.%m.%Y}"


def remedy_text(complaint: Complaint) -> str:
    parts = [str(complaint.get_remedy_kind_display())] if complaint.remedy_kind else []
    if complaint.refund_amount:
        parts.append(_("refund of %(amount)s zł") % {
            "amount": format_pln(complaint.refund_amount)})
    if complaint.remedy_note:
        parts.append(complaint.remedy_note.strip())
    return " — ".join(parts).rstrip(".") or "—"  # HQ's sentence ends with its own full stop


def fill_values(complaint: Complaint, actor: Actor, *, missing: str = "",
                complete_by: datetime.date | None = None) -> dict[str, str]:
    """What each placeholder is filled with (in Polish: the letters are Polish)."""
    me = employee_of(actor)
    branch = complaint.branch
    with override("pl"):
        return {
            "numer": complaint.number, "data": _day(timezone.localdate()),
            "data_przyjecia": _day(complaint.received_at),
            "klient": complaint.customer.display_name, "produkt": complaint.product_label,
            "rodzaj": str(complaint.get_kind_display()),
            "zadanie": str(complaint.get_demand_display()),
            "kwota": format_pln(complaint.amount) + " zł" if complaint.amount is not None
            else "—",
            "rozstrzygniecie": str(complaint.get_outcome_display()) if complaint.outcome
            else "",
            "uzasadnienie": complaint.decision_reason or "—",
            "podstawa_prawna": complaint.legal_basis or "—",
            "sposob_zalatwienia": remedy_text(complaint),
            "termin_odpowiedzi": _day(complaint.deadline),
            "brakujace": missing, "termin_uzupelnienia": _day(complete_by),
            "oddzial": branch.name, "telefon_oddzialu": branch.phone or "",
            "pracownik": getattr(me, "full_name", "") or branch.name,
        }


def template_for(kind: str, outcome: str = "") -> LetterTemplate:
    """HQ's text for an answer to ``outcome`` or for the request to complete."""
    rows = LetterTemplate.objects.filter(kind=kind, outcome=outcome if kind == LetterKind.ANSWER
                                         else "")
    found = rows.order_by("pk").first()  # seeded by the migration; a read never writes
    if found is None:
        raise NotFound(_("No letter template for this decision: ask HQ to add one."))
    return found


def draft(complaint: Complaint, actor: Actor, kind: str, *, missing: str = "",
          complete_by: datetime.date | None = None) -> tuple[str, str]:
    """The subject and text HQ's template gives for this complaint, to be edited."""
    if kind == LetterKind.ANSWER and not complaint.outcome:
        raise Conflict("not_decided", _("The complaint is not decided yet: there is no "
                                        "answer to write."))
    template = template_for(kind, complaint.outcome)
    filled = fill_values(complaint, actor, missing=missing or "…",
                         complete_by=complete_by or completion_term())
    return (messaging.fill(template.subject, filled)[:SUBJECT_MAX],
            messaging.fill(template.body, filled))


# -- the document ---------------------------------------------------------------------------

LETTER_CSS = """
.head { display: flex; justify-content: space-between; font-size: 9pt; color: #444; }
.address { margin: 14mm 0 12mm 90mm; font-size: 11pt; line-height: 1.35; }
.subject { font-weight: bold; margin: 0 0 6mm; font-size: 11pt; }
.body p { margin: 0 0 3mm; font-size: 11pt; line-height: 1.4; }
.receipt { margin-top: 18mm; font-size: 9pt; border-top: 1px solid #999; padding-top: 3mm; }
"""


def letter_html(complaint: Complaint, *, subject: str, body: str, on: datetime.date,
                channel: str) -> str:
    branch = complaint.branch
    sender = [settings.PUNKT_SELLER_NAME, branch.name, branch.street,
              f"{branch.postal_code} {branch.city}".strip(),
              (_("phone %(phone)s") % {"phone": branch.phone}) if branch.phone else ""]
    address = post.postal_address(complaint.customer)
    paragraphs = "".join(f"<p>{'<br>'.join(escape(line) for line in block.splitlines())}</p>"
                         for block in body.replace("\r\n", "\n").split("\n\n") if block.strip())
    receipt = ""
    if channel == LetterChannel.IN_PERSON:
        receipt = ('<div class="receipt">' + escape(_(
            "I received this letter on ______________   The customer's signature: "
            "______________________")) + "</div>")
    return (
        '<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head><body>"
        f'<div class="head"><div>{"<br>".join(escape(s) for s in sender if s)}</div>'
        f"<div>{escape(branch.city)}, {escape(_day(on))}<br>{escape(complaint.number)}</div>"
        "</div>"
        f'<div class="address">{"<br>".join(escape(a) for a in address)}</div>'
        f'<p class="subject">{escape(subject)}</p><div class="body">{paragraphs}</div>'
        f"{receipt}</body></html>")


def letter_pdf(complaint: Complaint, *, subject: str, body: str, on: datetime.date,
               channel: str) -> bytes:
    with override("pl"):
        return render_pdf(letter_html(complaint, subject=subject, body=body, on=on,
                                      channel=channel), extra_css=LETTER_CSS)


# -- sending --------------------------------------------------------------------------------

def _fields(channel: Any, subject: Any, body: Any, *, filled: bool = False
            ) -> tuple[str, str, str]:
    """``filled``: the text was made here from HQ's checked template, so a ``{{ … }}``
    left in it came from what the employee typed into a field, not from the template."""
    channel = str(channel or "").strip()
    if channel not in LetterChannel.values:
        raise ValidationFailed("invalid", _("Choose how the letter reaches the customer."),
                               field="channel")
    subject = values.text(subject, field="subject", limit=SUBJECT_MAX, required=True)
    body = values.text(body, field="body", limit=TEXT_MAX, required=True)
    left = None if filled else messaging.PLACEHOLDER.search(subject + body)
    if left:  # a field HQ's text names that is not filled (or a typo in an edit)
        raise ValidationFailed("invalid_template", _(
            "The letter still has the placeholder %(name)s: write the text in its place.")
            % {"name": left.group(0)}, field="body")
    return channel, subject, body


def _check_address(complaint: Complaint, channel: str) -> None:
    customer = complaint.customer
    if channel == LetterChannel.EMAIL and not customer.email:
        raise ValidationFailed("no_address", _(
            "The customer has no e-mail address: send the letter by post or hand it over "
            "at the counter."), field="channel")
    if channel == LetterChannel.POST and len(post.postal_address(customer)) < 3:
        raise ValidationFailed("no_address", _(
            "The customer has no postal address: add it to the customer's record, or choose "
            "e-mail or the counter."), field="channel")


def _replay(key: str | None, complaint_id: Any, kind: str) -> ComplaintLetter | None:
    """The letter sent with ``key`` — of this complaint and this kind, else refused."""
    if not key:
        return None
    found = ComplaintLetter.objects.filter(key=key).select_related("complaint").first()
    if found is not None and (str(found.complaint_id) != str(complaint_id)
                              or found.kind != kind):
        raise Conflict("key_used", _("This key was used for another letter."), field="key")
    return found


def _key(value: Any) -> str | None:
    key = str(value or "").strip()
    if len(key) > 100:
        raise ValidationFailed("invalid", _("The key may have at most 100 characters."),
                               field="key")
    return key or None


def _dispatch(complaint: Complaint, actor: Actor, *, kind: str, channel: str, subject: str,
              body: str, key: str | None, **extra: Any) -> ComplaintLetter:
    """Render, keep and send one letter (inside the caller's transaction)."""
    today = timezone.localdate()
    pdf = letter_pdf(complaint, subject=subject, body=body, on=today, channel=channel)
    stored = files.write(pdf, area=AREA, ext="pdf")
    try:
        return _keep(complaint, actor, kind=kind, channel=channel, subject=subject, body=body,
                     key=key, pdf=pdf, stored=stored, **extra)
    except BaseException:  # refused: no file without its row
        files.path_of(stored, area=AREA).unlink(missing_ok=True)
        raise


def _keep(complaint: Complaint, actor: Actor, *, kind: str, channel: str, subject: str,
          body: str, key: str | None, pdf: bytes, stored: str, **extra: Any
          ) -> ComplaintLetter:
    try:
        with transaction.atomic():
            letter = ComplaintLetter.objects.create(
                complaint=complaint, round=complaint.round, kind=kind, channel=channel,
                subject=subject, body=body, pdf_stored=stored, key=key,
                created_by=employee_of(actor), **extra)
    except IntegrityError:
        raise Conflict("changed", _("This letter was already sent: reload the page."),
                       field="key") from None
    message = None
    if channel == LetterChannel.EMAIL:
        message = messaging.message_queue(
            customer=complaint.customer, channel=Channel.EMAIL, kind=MessageKind.SERVICE,
            subject=subject, body=body, actor=actor, attachment=(letter.file_name, pdf),
            key=f"complaint-letter:{letter.pk}", source=complaint)
    elif channel == LetterChannel.POST:
        message = post.letter_queue(customer=complaint.customer, kind=MessageKind.SERVICE,
                                    subject=subject, body=body, actor=actor,
                                    key=f"complaint-letter:{letter.pk}", source=complaint)
    if message is not None:
        ComplaintLetter.objects.filter(pk=letter.pk).update(message=message)
        letter.message = message
    return letter


def _locked(actor: Actor, complaint_id: Any) -> Complaint:
    selectors.complaint_get(user=actor, complaint_id=complaint_id)  # another branch's: 404
    return Complaint.objects.locked(complaint_id, missing=_("Complaint not found."))


@transaction.atomic
def answer_send(*, actor: Actor, complaint_id: Any, channel: Any, subject: Any, body: Any,
                key: Any = None, note: Any = "") -> ComplaintLetter:
    """Send the answer and record that the customer was informed (one step): the letter
    by e-mail with the PDF, into the branch's print run for the post, or printed for the
    counter."""
    key = _key(key)
    if (found := _replay(key, complaint_id, LetterKind.ANSWER)) is not None:
        return found
    from punkt.complaints import services
    from punkt.complaints.workflows import COMPLAINT_FLOW

    complaint = _locked(actor, complaint_id)
    if (found := _replay(key, complaint_id, LetterKind.ANSWER)) is not None:
        return found  # a second click that waited for the first one's lock
    COMPLAINT_FLOW.ensure_can(complaint, "inform", actor=actor)
    channel, subject, body = _fields(channel, subject, body)
    note = values.text(note, field="note", limit=NOTE_MAX)
    if complaint.status == ComplaintStatus.DECIDED and complaint.outcome != Outcome.REJECTED:
        raise Conflict("remedy_first", _("Record the remedy carried out before informing "
                                         "the customer."))
    _check_address(complaint, channel)
    letter = _dispatch(complaint, actor, kind=LetterKind.ANSWER, channel=channel,
                       subject=subject, body=body, key=key)
    with _files_removed_if_refused(letter):
        services.complaint_move(actor=actor, complaint_id=complaint.pk, action="inform",
                                informed_how=channel, note=note)
        audit_record(action="complaints.letter.send", obj=letter, actor=actor,
                     branch_id=complaint.branch_id,
                     changes={"kind": [None, letter.kind], "channel": [None, channel]})
    return letter


@contextlib.contextmanager
def _files_removed_if_refused(letter: ComplaintLetter) -> Iterator[None]:
    """The steps after the letter was written: if one is refused, the transaction drops
    the rows, and the files (the PDF, the e-mail's attachment) go with them."""
    try:
        yield
    except BaseException:
        files.path_of(letter.pdf_stored, area=AREA).unlink(missing_ok=True)
        message = letter.message
        if message is not None and message.attachment_stored:
            files.path_of(message.attachment_stored, area=messaging.AREA).unlink(
                missing_ok=True)
        raise


@transaction.atomic
def completion_request(*, actor: Actor, complaint_id: Any, channel: Any, missing: Any,
                       subject: Any = "", body: Any = "", key: Any = None
                       ) -> ComplaintLetter:
    """Ask the customer to complete the complaint by the term; the handler gets a task for
    that day. The answer's deadline does not move (the safe reading of the law)."""
    key = _key(key)
    if (found := _replay(key, complaint_id, LetterKind.COMPLETION)) is not None:
        return found
    complaint = _locked(actor, complaint_id)
    if (found := _replay(key, complaint_id, LetterKind.COMPLETION)) is not None:
        return found
    org_perms.ensure(actor, perms.COMPLAINT_HANDLE.code, complaint.branch_id)
    if complaint.status not in UNDECIDED:
        raise Conflict("decided", _("The complaint is decided: there is nothing to ask the "
                                    "customer for any more."))
    if complaint.letters.filter(kind=LetterKind.COMPLETION, completed_at__isnull=True).exists():
        raise Conflict("open_request", _("A request to complete is already waiting for the "
                                         "customer: record what they added first."))
    missing = values.text(missing, field="missing", limit=NOTE_MAX, required=True)
    term = completion_term()
    from_template = not str(body or "").strip()
    if from_template:
        template = template_for(LetterKind.COMPLETION)
        filled = fill_values(complaint, actor, missing=missing, complete_by=term)
        subject = messaging.fill(template.subject, filled)[:SUBJECT_MAX]
        body = messaging.fill(template.body, filled)
    channel, subject, body = _fields(channel, subject, body, filled=from_template)
    _check_address(complaint, channel)
    handler = complaint.handler or employee_of(actor)
    task = None
    if handler is not None:
        due = datetime.datetime.combine(term + datetime.timedelta(days=1),
                                        datetime.time(DUE_HOUR), tzinfo=clock.WARSAW)
        with override(getattr(handler, "language", "") or "pl"):
            title = _("%(number)s: has the customer completed the complaint?") % {
                "number": complaint.number}
        task = Task.objects.create(
            branch_id=complaint.branch_id, assignee=handler,
            created_by=employee_of(actor) or handler, title=title[:200],
            customer_id=complaint.customer_id, subject_type="complaints.complaint",
            subject_id=str(complaint.pk), due_at=due, remind_at=due)
    letter = _dispatch(complaint, actor, kind=LetterKind.COMPLETION, channel=channel,
                       subject=subject, body=body, key=key, complete_by=term, task=task)
    with _files_removed_if_refused(letter):
        _record(complaint, actor, "completion_request", missing)
        audit_record(action="complaints.letter.send", obj=letter, actor=actor,
                     branch_id=complaint.branch_id,
                     changes={"kind": [None, letter.kind], "channel": [None, channel],
                              "complete_by": [None, str(term)]})
    return letter


def _record(complaint: Complaint, actor: Actor, action: str, note: str) -> None:
    from punkt.complaints import services

    services.record_step(complaint, actor, action, note)


def _letter_locked(actor: Actor, complaint_id: Any, letter_id: Any) -> ComplaintLetter:
    complaint = _locked(actor, complaint_id)
    org_perms.ensure(actor, perms.COMPLAINT_HANDLE.code, complaint.branch_id)
    letter_pk = values.record_id(letter_id, field="letter_id",
                                 message=_("Choose a letter of this complaint."))
    letter = (ComplaintLetter.objects.select_for_update()
              .filter(pk=letter_pk or 0, complaint=complaint).first())
    if letter is None:
        raise NotFound(_("Letter not found."))
    letter.complaint = complaint
    return letter


@transaction.atomic
def completion_record(*, actor: Actor, complaint_id: Any, letter_id: Any, note: Any
                      ) -> ComplaintLetter:
    """What the customer added (in the branch, by e-mail, by post): kept with the request
    and in the history; the handler's task is done."""
    letter = _letter_locked(actor, complaint_id, letter_id)
    if letter.kind != LetterKind.COMPLETION:
        raise Conflict("not_request", _("This letter is not a request to complete."))
    note = values.text(note, field="note", limit=NOTE_MAX, required=True)
    now = timezone.now()
    if not ComplaintLetter.objects.filter(pk=letter.pk, completed_at__isnull=True).update(
            completed_at=now, completed_note=note):
        raise Conflict("changed", _("What the customer added is already recorded."))
    if letter.task_id:
        Task.objects.filter(pk=letter.task_id, status=TaskStatus.OPEN).update(
            status=TaskStatus.DONE, progress=100, updated_at=now)
    _record(letter.complaint, actor, "completion_record", note)
    letter.refresh_from_db()
    return letter


@transaction.atomic
def posting_record(*, actor: Actor, complaint_id: Any, letter_id: Any, posted_on: Any,
                   tracking_number: Any = "") -> ComplaintLetter:
    """The proof of dispatch of a posted letter: the day it was posted and, for a
    registered letter, its number from the post office's receipt."""
    letter = _letter_locked(actor, complaint_id, letter_id)
    if letter.channel != LetterChannel.POST:
        raise Conflict("not_post", _("Only a letter sent by post is posted."),
                       field="posted_on")
    if letter.posted_on is not None:
        raise Conflict("posted", _("The posting of this letter is already recorded."),
                       field="posted_on")
    day = values.text(posted_on, field="posted_on", limit=10, required=True)
    try:
        on = datetime.date.fromisoformat(day)
    except ValueError:
        raise ValidationFailed("invalid", _("Give the date as YYYY-MM-DD."),
                               field="posted_on") from None
    if on > timezone.localdate() or on < timezone.localtime(letter.created_at).date():
        raise ValidationFailed("invalid", _(
            "The letter was posted between the day it was written and today."),
            field="posted_on")
    tracking = values.text(tracking_number, field="tracking_number", limit=TRACKING_MAX)
    ComplaintLetter.objects.filter(pk=letter.pk).update(posted_on=on, tracking_number=tracking)
    _record(letter.complaint, actor, "letter_posted",
            f"{letter.subject} · {_day(on)}" + (f" · {tracking}" if tracking else ""))
    letter.refresh_from_db()
    return letter


def letters_of(complaint: Complaint) -> list[ComplaintLetter]:
    return list(complaint.letters.select_related("message", "message__letter_batch",
                                                 "created_by")[:50])


# -- HQ's texts -----------------------------------------------------------------------------

@transaction.atomic
def template_update(*, actor: Actor, template_id: Any, name: Any, subject: Any, body: Any
                    ) -> LetterTemplate:
    org_perms.ensure(actor, perms.LETTER_MANAGE.code)
    pk = values.record_id(template_id, field="template_id", message=_("Choose a letter."))
    template = LetterTemplate.objects.select_for_update().filter(pk=pk or 0).first()
    if template is None:
        raise NotFound(_("Letter template not found."))
    name = values.text(name, field="name", limit=100, required=True)
    subject = values.text(subject, field="subject", limit=SUBJECT_MAX, required=True)
    body = values.text(body, field="body", limit=TEXT_MAX, required=True)
    messaging.check_template(subject, field="subject", placeholders=PLACEHOLDERS)
    messaging.check_template(body, field="body", placeholders=PLACEHOLDERS,
                             required=REQUIRED.get(template.kind, ()))
    before = {"name": template.name, "subject": template.subject, "body": template.body}
    LetterTemplate.objects.filter(pk=template.pk).update(
        name=name, subject=subject, body=body, updated_by=employee_of(actor),
        updated_at=timezone.now())
    template.refresh_from_db()
    audit_record(action="complaints.letter_template.update", obj=template, actor=actor,
                 changes={k: [v, getattr(template, k)] for k, v in before.items()
                          if v != getattr(template, k)})
    return template
