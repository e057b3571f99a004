"""The till's day as one transition table (docs/workflows/till.md).

open → closed (the cashier counts the drawer) → acknowledged (a manager checks it). While
it is open the cashier takes payments, reverses them, settles credit, pays credit out in
cash (KW) and moves cash in and out: actions that leave it open. The table says in which
state each action is allowed and who holds it; two rules of who lie beside it — a till is
run by its own cashier only, and checked by someone else.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.cashdesk import permissions as perms
from punkt.cashdesk.models import TillSession
from punkt.cashdesk.models import TillStatus as T
from punkt.core.errors import ActionDenied, Conflict, NotFound
from punkt.core.workflows import Transition, Workflow
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

TAKE, CHECK = perms.PAYMENT_TAKE.code, perms.TILL_ACKNOWLEDGE.code

TILL_FLOW = Workflow(gettext_lazy("till"), transitions=[
    Transition("pay", {T.OPEN}, T.OPEN, TAKE, gettext_lazy("Take the payment")),
    Transition("reverse", {T.OPEN}, T.OPEN, TAKE, gettext_lazy("reverse")),
    Transition("credit", {T.OPEN}, T.OPEN, TAKE,
               gettext_lazy("Settle the credit against this invoice")),
    Transition("cash_in", {T.OPEN}, T.OPEN, TAKE, gettext_lazy("cash in")),
    Transition("cash_out", {T.OPEN}, T.OPEN, TAKE, gettext_lazy("cash out")),
    Transition("refund", {T.OPEN}, T.OPEN, TAKE,
               gettext_lazy("Pay the credit out in cash (KW)")),
    Transition("close", {T.OPEN}, T.CLOSED, TAKE, gettext_lazy("Count and close")),
    Transition("acknowledge", {T.CLOSED}, T.ACKNOWLEDGED, CHECK, gettext_lazy("Acknowledge")),
], branch_of=lambda session: session.branch_id, can=org_perms.can, ensure=org_perms.ensure)

#: What the till's own cashier does; every other action (the check) is someone else's.
CASHIERS_OWN = frozenset({"pay", "reverse", "credit", "cash_in", "cash_out", "refund",
                          "close"})


def _refusal(action: str, status: str) -> str | None:
    """Plainer words than the table's "cannot be done now" where the state says it all
    (C7: closing twice changes nothing and says so)."""
    if action == "close" and status != T.OPEN:
        return _("This till is already closed.")
    if action == "acknowledge":
        if status == T.ACKNOWLEDGED:
            return _("This till was already checked.")
        if status == T.OPEN:
            return _("The till is still open.")
    return None


def ensure_can(session: TillSession, action: str, *, actor: Actor) -> Transition:
    """The transition for ``action``, or an error saying why not: another cashier's till
    does not exist for her (404), a wrong state is a :class:`Conflict`, a missing role or
    one's own till to check an :class:`ActionDenied`."""
    own = session.cashier_id == actor.pk
    if action in CASHIERS_OWN and not own:
        raise NotFound(_("Till not found."))
    refusal = _refusal(action, session.status)
    if refusal and session.status not in TILL_FLOW.transition(action).sources:
        raise Conflict("invalid_state", refusal)
    t = TILL_FLOW.ensure_can(session, action, actor=actor)  # the table's own refusal else
    if action not in CASHIERS_OWN and own:
        raise ActionDenied(_("Someone else must check your own till."), action=t.permission)
    return t


def allowed_actions(session: TillSession | None, user: Actor) -> list[str]:
    """What ``user`` may do with ``session`` now (the buttons of the pages, the API's
    ``allowed_actions``)."""
    if session is None:
        return []
    own = session.cashier_id == user.pk
    return [a for a in TILL_FLOW.allowed_actions(session, user) if (a in CASHIERS_OWN) == own]
