"""What GDPR export, erasure and merge do with offers and contracts (C28)."""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from punkt.contracts.models import Contract, ContractEvent, ContractStatus, Offer
from punkt.core.processing import (
    BASE_MEASURES,
    FROM_YEAR_END,
    Period,
    activity,
    retention_category,
)
from punkt.customers.gdpr import register_linked


def _scrub(qs: Any) -> None:
    qs.update(note="", decline_reason="")


register_linked(Offer, erase=_scrub, keep_reason="commercial record of what was offered "
                "(no personal data once the notes are cleared)")
def _scrub_contracts(qs: Any) -> None:
    """Erasure keeps the signed contract (its data, PDF and scan) but not the staff's
    notes on it: the reasons it was returned or rejected."""
    qs.update(reasons="")


def _scrub_events(qs: Any) -> None:
    """The workflow steps stay (who moved the contract, when); their notes go. The
    append-only guard lets exactly this through (``erasable`` in migration 0007)."""
    ContractEvent.objects.filter(pk__in=qs.values("pk")).exclude(note="").update(note="")


register_linked(Contract, erase=_scrub_contracts, keep_reason=(
    "signed contract kept with the data it was signed with until claims under it are "
    "time-barred (GDPR art. 17(3)(b) and (e); Civil Code art. 118)"),
    export_exclude=("pdf_stored", "scan_stored"))
register_linked(ContractEvent, field="contract__customer", erase=_scrub_events,
                keep_reason="workflow history of a kept contract (notes removed)",
                move_on_merge=False)

#: The keys of ``Contract.values`` that hold the customer's data.
PERSONAL_VALUES = ("klient", "identyfikator", "adres", "adres_korespondencyjny", "telefon",
                   "email")
#: Contracts no longer in force: ended, or never concluded.
CLOSED = [ContractStatus.REJECTED, ContractStatus.CANCELLED]


def _closed_contracts(cutoff: datetime.date) -> Any:
    ended = Q(status=ContractStatus.ACTIVE, ends_on__lt=cutoff)
    never = Q(status__in=CLOSED, ends_on__lt=cutoff)
    held = (Q(values__has_key="klient") & ~Q(values__klient="")) | ~Q(pdf_stored="") | \
        ~Q(scan_stored="") | ~Q(reasons="")
    return Contract.objects.filter(ended | never).filter(held)


def _unlink(name: str) -> None:
    from punkt.contracts import documents
    from punkt.core import files

    files.path_of(name, area=documents.AREA).unlink(missing_ok=True)


def purge_contracts(ids: list[Any]) -> int:
    """Past the limitation period: the customer's data leave the contract's values, its
    PDF and scan are deleted; number, items, dates and amounts stay for the statistics."""
    from django.db import transaction

    done = 0
    for contract in Contract.objects.filter(pk__in=ids).only("pk", "values", "pdf_stored",
                                                               "scan_stored"):
        values = {k: ("" if k in PERSONAL_VALUES else v)
                  for k, v in (contract.values or {}).items()}
        stored = [n for n in (contract.pdf_stored, contract.scan_stored) if n]
        Contract.objects.filter(pk=contract.pk).update(
            values=values, reasons="", pdf_stored="", scan_stored="", scan_name="")
        ContractEvent.objects.filter(contract_id=contract.pk).exclude(note="").update(note="")
        for name in stored:
            transaction.on_commit(partial(_unlink, name))
        done += 1
    return done


retention_category(
    "contracts.closed", label=_("Closed contracts: the customer's data, PDF and scan"),
    rule=_("6 years from the end of the year the contract ended: the general limitation "
           "period, ending on the last day of a year (Civil Code art. 118)"),
    default=Period(years=6, counted_from=FROM_YEAR_END),
    expired=_closed_contracts, date_field="ends_on", purge=purge_contracts,
    action=_("customer data, notes, PDF and scan removed; items and amounts kept"))

activity("contracts.contracts",
         name=_("Offers and contracts"),
         purpose=_("Preparing offers, concluding and performing contracts"),
         legal_basis=_("GDPR art. 6(1)(b); claims: art. 6(1)(f)"),
         subjects=_("Customers"),
         data=_("Identity and address data in the contract, its items, signatures, scans"),
         recipients=_("Employees of the branch, HQ; courier and archive providers"),
         retention=_("6 years after the end of the year the contract ended (Civil Code "
                     "art. 118)"),
         measures=BASE_MEASURES)
