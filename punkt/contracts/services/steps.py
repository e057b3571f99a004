"""A contract's workflow steps by name, for the page and the API alike.

The names are :data:`CONTRACT_FLOW`'s; :data:`STEPS` says which service takes each one a
person takes on one contract ("submit" is taken for a whole branch by the manager's
batch). The API's list of actions and both dispatchers come from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.contracts.models import Contract
from punkt.contracts.services.contracts import (
    contract_cancel,
    contract_finalise,
    contract_fix,
    contract_review,
    contract_sign,
)
from punkt.contracts.services.ending import contract_terminate
from punkt.contracts.workflows import CONTRACT_FLOW
from punkt.core.errors import NotFound
from punkt.organization.actors import Actor


@dataclass(frozen=True)
class StepInput:
    """What a step may come with, from a page's form or the API's body."""

    #: sign: the signed scan (pages only)
    scan: Any = None
    #: approve: the template's signature places checked on paper
    signatures: list[str] = field(default_factory=list)
    #: return: what has to be corrected (plus ``note``)
    problems: list[str] = field(default_factory=list)
    note: str = ""
    #: reject, cancel
    reason: str = ""
    #: fix: a new term or start date
    term_months: Any = None
    starts_on: Any = None
    #: terminate: the last day in force (with ``reason``)
    terminated_on: Any = None


@dataclass(frozen=True)
class Step:
    run: Callable[[Actor, int, StepInput], Contract]
    #: What the page says once it is done.
    done: str | Promise


STEPS: dict[str, Step] = {
    "sign": Step(lambda actor, pk, data: contract_sign(
        actor=actor, contract_id=pk, scan=data.scan),
        gettext_lazy("Contract marked as signed.")),
    "approve": Step(lambda actor, pk, data: contract_review(
        actor=actor, contract_id=pk, approve=True, signatures=data.signatures,
        problems=data.problems, note=data.note),
        gettext_lazy("Approved and sent to HQ.")),
    "return": Step(lambda actor, pk, data: contract_review(
        actor=actor, contract_id=pk, approve=False, signatures=data.signatures,
        problems=data.problems, note=data.note),
        gettext_lazy("Returned to the employee with your reasons.")),
    "fix": Step(lambda actor, pk, data: contract_fix(
        actor=actor, contract_id=pk, term_months=data.term_months, starts_on=data.starts_on),
        gettext_lazy("Corrected: print the new document and let the customer sign it.")),
    "finalise": Step(lambda actor, pk, data: contract_finalise(
        actor=actor, contract_id=pk, approve=True, reason=data.reason),
        gettext_lazy("The contract is active.")),
    "reject": Step(lambda actor, pk, data: contract_finalise(
        actor=actor, contract_id=pk, approve=False, reason=data.reason),
        gettext_lazy("The contract is rejected.")),
    "cancel": Step(lambda actor, pk, data: contract_cancel(
        actor=actor, contract_id=pk, reason=data.reason),
        gettext_lazy("The contract is cancelled.")),
    "terminate": Step(lambda actor, pk, data: contract_terminate(
        actor=actor, contract_id=pk, reason=data.reason, terminated_on=data.terminated_on),
        gettext_lazy("The contract is terminated.")),
}
#: Taken for a whole branch by the manager's batch (:mod:`.batches`), never one by one.
BATCH_STEPS = frozenset({"submit"})
#: Taken by the daily job (:mod:`.ending`), never by an employee.
JOB_STEPS = frozenset({"end"})

if (set(STEPS) | BATCH_STEPS | JOB_STEPS != set(CONTRACT_FLOW.transitions)
        or set(STEPS) & (BATCH_STEPS | JOB_STEPS)):
    raise ImportError("contracts.services.steps: STEPS, BATCH_STEPS and JOB_STEPS must "
                      "split CONTRACT_FLOW's actions")

#: The steps taken one contract at a time, in the table's order (the API's choices).
CONTRACT_ACTIONS: tuple[str, ...] = tuple(a for a in CONTRACT_FLOW.actions() if a in STEPS)


def contract_step(*, actor: Actor, contract_id: int, action: str,
                  data: StepInput | None = None) -> tuple[Contract, str]:
    """Take step ``action`` of the contract: the contract, and what the page says."""
    step = STEPS.get(action)
    if step is None:
        raise NotFound(_("Unknown action."))
    return step.run(actor, contract_id, data or StepInput()), str(step.done)
