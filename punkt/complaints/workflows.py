"""The complaint's workflow (docs/workflows/complaint.md), ISO 10002's steps in one table:
registered → acknowledged → decided in the branch (small matters, the manager) or sent to
HQ → investigation (the cause) → decision → remedy carried out (a replacement from the
branch's stock at once; a refund ordered by the handler and paid out by a cashier from the
till) → customer informed → closed; an appeal reopens a decided or closed complaint with a
new clock."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, pgettext_lazy

from punkt.complaints import permissions as perms
from punkt.complaints.models import ActionStatus as A
from punkt.complaints.models import ComplaintStatus as S
from punkt.core.workflows import Transition, Workflow
from punkt.organization import permissions as org_perms

HANDLE = perms.COMPLAINT_HANDLE.code
DECIDE = perms.COMPLAINT_DECIDE.code
INVESTIGATE = perms.COMPLAINT_INVESTIGATE.code
VIEW = perms.COMPLAINT_VIEW.code
PAY = perms.COMPLAINT_REFUND_PAY.code
CAPA = perms.CAPA_MANAGE.code

COMPLAINT_FLOW = Workflow(gettext_lazy("complaint"), transitions=[
    Transition("acknowledge", {S.REGISTERED}, S.ACKNOWLEDGED, HANDLE,
               pgettext_lazy("complaint", "Acknowledge")),
    Transition("decide_in_branch", {S.ACKNOWLEDGED}, S.DECIDED, DECIDE,
               gettext_lazy("Decide in the branch")),
    Transition("send_to_hq", {S.ACKNOWLEDGED}, S.AT_HQ, HANDLE, gettext_lazy("Send to HQ")),
    Transition("investigate", {S.AT_HQ}, S.INVESTIGATION, INVESTIGATE,
               gettext_lazy("Record the cause")),
    Transition("decide", {S.INVESTIGATION}, S.DECIDED, INVESTIGATE, gettext_lazy("Decide")),
    Transition("remedy", {S.DECIDED}, S.REMEDIED, HANDLE,
               gettext_lazy("Record the remedy carried out")),
    Transition("order_refund", {S.DECIDED}, S.REFUND_DUE, HANDLE,
               gettext_lazy("Refund at the till")),
    Transition("pay_refund", {S.REFUND_DUE}, S.REMEDIED, PAY,
               gettext_lazy("Pay out the refund from my till")),
    Transition("inform", {S.DECIDED, S.REMEDIED}, S.INFORMED, HANDLE,
               gettext_lazy("Record that the customer was informed")),
    Transition("close", {S.INFORMED}, S.CLOSED, HANDLE, gettext_lazy("Close")),
    Transition("appeal", {S.DECIDED, S.REMEDIED, S.INFORMED, S.CLOSED}, S.ACKNOWLEDGED,
               HANDLE, gettext_lazy("Register an appeal")),
], branch_of=lambda complaint: complaint.branch_id, can=org_perms.can,
    ensure=org_perms.ensure)

#: a corrective or preventive action (CAPA) on a complaint: the owner records what was done
#: (``complete``, checked in the service: the owner only); someone else verifies it or
#: sends it back
ACTION_FLOW = Workflow(gettext_lazy("corrective action"), transitions=[
    Transition("complete", {A.OPEN}, A.DONE, VIEW,
               gettext_lazy("Record what was done")),
    Transition("verify", {A.DONE}, A.VERIFIED, CAPA, gettext_lazy("Verify")),
    Transition("send_back", {A.DONE}, A.OPEN, CAPA, gettext_lazy("Send back: not effective")),
], branch_of=lambda action: action.complaint.branch_id, can=org_perms.can,
    ensure=org_perms.ensure)
