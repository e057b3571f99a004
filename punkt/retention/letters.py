"""Today's letters ("Listy na dziś"): the letters a branch has queued for customers with
neither e-mail nor phone, printed as one batch — one PDF, every letter marked sent, a
"letter sent" entry on each customer's timeline.

Printing is a POST with a once-only key (the page's, or the API's ``Idempotency-Key``):
the same key again gives the same batch back; two people printing at once print each
letter once (the letters are locked, the second run finds none left)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import files
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.customers.models import Direction, TimelineKind
from punkt.customers.timeline import timeline_add
from punkt.messaging import letters
from punkt.messaging.models import LetterBatch, Message, MessageStatus
from punkt.messaging.services import AREA
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch
from punkt.retention import permissions as perms

#: Letters of one print run at most (a PDF of this many pages still renders in seconds).
MAX_BATCH = 300


def waiting(*, user: Actor, branch_id: int) -> QuerySet[Message]:
    """The branch's letters not printed yet (the branch is one of the user's)."""
    org_perms.ensure(user, perms.RETENTION_WORK.code, branch_id)
    return letters.waiting(branch_id)


def batches(*, user: Actor, branch_id: int, days: int = 7) -> QuerySet[LetterBatch]:
    """The branch's recent print runs, newest first."""
    since = timezone.now() - datetime.timedelta(days=days)
    return (LetterBatch.objects.visible_to(user, perms.RETENTION_WORK, branch_id=branch_id)
            .filter(created_at__gte=since).select_related("created_by"))


def batch_get(*, user: Actor, batch_id: int) -> LetterBatch:
    org_perms.ensure(user, perms.RETENTION_WORK.code)
    return (LetterBatch.objects.visible_to(user, perms.RETENTION_WORK)
            .select_related("branch").get_or_not_found(batch_id,
                                                       missing=_("Print run not found.")))


def _replay(key: str, branch_id: int) -> LetterBatch | None:
    done = LetterBatch.objects.filter(key=key).first()
    if done is None:
        return None
    if done.branch_id != branch_id:
        raise ValidationFailed("key_reused", _(
            "This idempotency key was used for a different request."), field="Idempotency-Key")
    done.replayed = True  # type: ignore[attr-defined]
    return done


def print_batch(*, actor: Actor, branch_id: Any, key: Any) -> LetterBatch:
    """Print the branch's waiting letters as one PDF and mark them sent (see the module)."""
    org_perms.ensure(actor, perms.RETENTION_WORK.code)
    branch = Branch.objects.filter(pk=branch_id if isinstance(branch_id, int) else -1).first()
    if branch is None or not org_perms.can(actor, perms.RETENTION_WORK.code, branch.pk):
        raise NotFound(_("Branch not found."))  # another branch's letters do not exist
    key = str(key or "").strip()
    if not key or len(key) > 100:
        raise ValidationFailed("invalid", _("Send a once-only key of at most 100 characters."),
                               field="Idempotency-Key")
    done = _replay(key, branch.pk)
    if done is not None:
        return done
    stored = ""
    try:
        with transaction.atomic():
            rows = list(letters.waiting(branch.pk).select_for_update(of=("self",))[:MAX_BATCH])
            done = _replay(key, branch.pk)  # finished meanwhile by a parallel request
            if done is not None:
                return done
            if not rows:
                raise Conflict("nothing_to_print", _("No letters are waiting to be printed."))
            now = timezone.now()
            pdf = letters.letters_pdf(rows, branch=branch,
                                      printed_on=timezone.localdate(now))
            stored = files.write(pdf, area=AREA, ext="pdf")
            batch = LetterBatch.objects.create(key=key, branch=branch,
                                               created_by=employee_of(actor), count=len(rows),
                                               pdf_stored=stored)
            Message.objects.filter(pk__in=[m.pk for m in rows]).update(
                status=MessageStatus.SENT, sent_at=now, letter_batch=batch)
            for m in rows:
                if m.customer_id is None:
                    continue
                timeline_add(customer_id=m.customer_id, kind=TimelineKind.LETTER,
                             actor=actor, branch_id=branch.pk, direction=Direction.OUTBOUND,
                             source=m, subject=_("Letter sent: %(subject)s")
                             % {"subject": m.subject or _("letter")}, body=m.body[:2000])
            audit_record(action="retention.letters.print", obj=batch, actor=actor,
                         branch_id=branch.pk, message=f"{batch.number}: {len(rows)}")
    except BaseException as exc:
        if stored:
            files.path_of(stored, area=AREA).unlink(missing_ok=True)
        if isinstance(exc, IntegrityError):  # the same key committed by a parallel request
            done = _replay(key, branch.pk)
            if done is not None:
                return done
        raise
    return batch


def batch_pdf(batch: LetterBatch) -> bytes:
    if not batch.pdf_stored:  # every letter in it was erased (GDPR art. 17)
        raise NotFound(_("This print run has no letters left to show: their customers' "
                         "data were erased."))
    return files.path_of(batch.pdf_stored, area=AREA).read_bytes()
