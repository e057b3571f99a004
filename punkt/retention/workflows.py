"""The retention case's workflow, one transition table (docs/workflows/retention.md).

Each contact's outcome is the step it makes: a "yes" on the phone sends the renewal
proposal, a "no" closes the case, the rest are recorded while the case stays as it is.
The customer's acceptance through the proposal's link is the one step no employee takes.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.core.errors import Conflict
from punkt.core.workflows import NOT_STAFF, STAYS, Transition, Workflow
from punkt.organization import permissions as org_perms
from punkt.retention import permissions as perms
from punkt.retention.models import CLOSED, CaseStatus, Outcome

WORK = perms.RETENTION_WORK.code
WORKED = {CaseStatus.OPEN, CaseStatus.OFFER_SENT}

#: The customer accepts the renewal proposal through the link (Consumer Rights Act art. 20).
ACCEPT = "accept"


def _closed(case: Any, t: Transition) -> Conflict | None:
    if case.status not in CLOSED:
        return None
    return Conflict("closed", _("This contract's retention is closed: %(status)s.")
                    % {"status": case.get_status_display()})


RETENTION_FLOW = Workflow(gettext_lazy("retention case"), transitions=[
    # "Yes" on the phone: the proposal goes out (from offer_sent only once the pending one
    # has expired — a rule of the service).
    Transition(Outcome.RENEWED.value, WORKED, CaseStatus.OFFER_SENT, WORK, Outcome.RENEWED.label),
    Transition(Outcome.DECLINED.value, WORKED, CaseStatus.DECLINED, WORK, Outcome.DECLINED.label),
    Transition(Outcome.UNREACHABLE.value, WORKED, STAYS, WORK, Outcome.UNREACHABLE.label),
    Transition(Outcome.CALLBACK.value, WORKED, STAYS, WORK, Outcome.CALLBACK.label),
    Transition(Outcome.MESSAGE.value, WORKED, STAYS, WORK, Outcome.MESSAGE.label),
    Transition(ACCEPT, {CaseStatus.OFFER_SENT}, CaseStatus.RENEWED, NOT_STAFF,
               CaseStatus.RENEWED.label),
], branch_of=lambda case: case.branch_id, can=org_perms.can, ensure=org_perms.ensure,
    refusal=_closed)

#: What a call can end with (the page's and the API's choices): every employee's step but
#: a message, in the table's order.
CALL_OUTCOMES: tuple[str, ...] = tuple(
    a for a in RETENTION_FLOW.actions(staff_only=True) if a != Outcome.MESSAGE)
