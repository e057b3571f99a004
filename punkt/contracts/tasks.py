"""Background work of contracts: the PDF of each revision, the end-of-day batches, the
end of term."""

from __future__ import annotations

import datetime

from django.tasks import task

from punkt.core.jobs import periodic
from punkt.organization.permissions import SystemActor


@task()
def render_contract_pdf(contract_id: int, revision: int) -> bool:
    from punkt.contracts.services import store_pdf

    return store_pdf(contract_id=contract_id, revision=revision)


@task()
def collect_signed_contracts(slot: str) -> int:
    from punkt.contracts.services import collect_day

    return collect_day(actor=SystemActor("scheduler"))


periodic("contracts.collect_signed_contracts", datetime.timedelta(days=1),
         lambda slot: collect_signed_contracts.enqueue(slot=slot.isoformat()))


@task()
def end_due_contracts(slot: str) -> int:
    from punkt.contracts.services import contracts_end_due

    return contracts_end_due()


periodic("contracts.end_due_contracts", datetime.timedelta(days=1),
         lambda slot: end_due_contracts.enqueue(slot=slot.isoformat()))
