"""The customer profile as a 360° view: what later areas put on it.

Customers imports no later area; each area registers here from its own ``profile.py``
(imported at start-up, see ``punkt/core/areas.py``), as ``timeline.register_profile_action``:

* :func:`register_profile_panel` — a tab of the profile (contracts, offers, invoices and
  payments, sales …), loaded by htmx from ``customers:customer_tab``;
* :func:`register_profile_matter` — lines of the summary header: the balance and the open
  matters (contracts in progress, offers awaiting an answer, a retention case …);
* :func:`register_source_link` — where a timeline entry's source record lives, so that
  every entry links to it;
* :func:`register_number_lookup` — a document number typed into the customer search box
  (an invoice, a contract) jumps to its record.

Every callback gets the signed-in user and answers only what that user may see; each
runs a fixed number of queries, so the profile's query count does not grow with data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from punkt.core.errors import NotFound
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

#: A tab lists at most this many rows (the newest), then links to the area's list.
TAB_ROWS = 20


@dataclass(frozen=True)
class ProfilePanel:
    """One tab: ``selector(user, customer)`` returns the context of ``template``."""

    key: str
    label: Any
    template: str
    selector: Callable[[Actor, Any], dict[str, Any]]
    permission: str
    order: int = 50


PANELS: dict[str, ProfilePanel] = {}


def register_profile_panel(key: str, label: Any, template: str,
                           selector: Callable[[Actor, Any], dict[str, Any]], permission: str,
                           *, order: int = 50) -> ProfilePanel:
    panel = ProfilePanel(key, label, template, selector, permission, order)
    PANELS[key] = panel
    return panel


def profile_panels(user: Actor, customer: Any) -> list[ProfilePanel]:
    """The tabs ``user`` may open on ``customer``'s profile, in order."""
    return sorted((p for p in PANELS.values()
                   if org_perms.can(user, p.permission, customer.branch_id)),
                  key=lambda p: (p.order, p.key))


def panel_get(user: Actor, customer: Any, key: str) -> ProfilePanel:
    """The tab ``key``: not found when no area registered it, refused (403) when the user's
    role does not see its records."""
    from django.utils.translation import gettext as _

    panel = PANELS.get(key)
    if panel is None:
        raise NotFound(_("No such tab on the customer's profile."))
    org_perms.ensure(user, panel.permission, customer.branch_id)
    return panel


@dataclass(frozen=True)
class Matter:
    """A line of the profile's summary: ``label`` — ``text``, linked to ``url``;
    ``tone`` a badge colour ("", "ok", "info", "warn", "err"); ``key`` groups the line
    (``balance`` or ``open``)."""

    label: Any
    text: Any
    url: str = ""
    tone: str = ""
    key: str = "open"


MATTERS: list[Callable[[Actor, Any], Iterable[Matter]]] = []


def register_profile_matter(matter: Callable[[Actor, Any], Iterable[Matter]]
                            ) -> Callable[[Actor, Any], Iterable[Matter]]:
    MATTERS.append(matter)
    return matter


def profile_matters(user: Actor, customer: Any) -> list[Matter]:
    return [m for matter in MATTERS for m in matter(user, customer)]


#: Maps source ids (as the timeline stores them) to URLs.
UrlBuilder = Callable[[list[str]], dict[str, str]]


@dataclass(frozen=True)
class SourceLink:
    """``urls(ids)`` maps source ids (as the timeline stores them) to the record's page,
    ``api(ids)`` to its API endpoint (None: the record has none), each reading at most
    one query for the whole page; ``permission`` is needed to follow either link."""

    urls: UrlBuilder
    permission: str
    api: UrlBuilder | None = None


SOURCE_LINKS: dict[str, SourceLink] = {}


def register_source_link(source_type: str, urls: UrlBuilder, *, permission: str,
                         api: UrlBuilder | None = None) -> None:
    """Link timeline entries whose source is ``source_type`` (the model's
    ``app_label.modelname``, as :func:`punkt.customers.timeline.timeline_add` stores it:
    one kind of entry may come from several models, e.g. a payment or a credit use) to
    the record's page (``urls``) and, for API clients, its endpoint (``api``, e.g.
    ``api_route("contract_get")``)."""
    SOURCE_LINKS[source_type] = SourceLink(urls, permission, api)


def route(name: str) -> UrlBuilder:
    """The URL builder of a source whose page takes the source's id: ``route("x:y")``."""
    return lambda ids: {i: reverse(name, args=[int(i)]) for i in ids if i.isdecimal()}


def api_route(operation: str) -> UrlBuilder:
    """The API builder of a source whose endpoint takes the source's id: the operation's
    view function name, e.g. ``api_route("contract_get")`` → ``/api/v1/contracts/<id>``."""
    return route(f"api:{operation}")


def link_entries(user: Actor, customer: Any, entries: Iterable[Any], *,
                 api: bool = False) -> None:
    """Set ``entry.link`` (a URL or "") on each timeline entry — and with ``api``
    ``entry.api_link`` (the record's API endpoint or "") —: one query at most per source
    type and builder on the page, none for entries without a source."""
    entries = list(entries)
    by_type: dict[str, list[Any]] = {}
    for e in entries:
        e.link = ""
        if api:
            e.api_link = ""
        if e.source_type and e.source_id:
            by_type.setdefault(e.source_type, []).append(e)
    for source_type, found in by_type.items():
        link = SOURCE_LINKS.get(source_type)
        if link is None or not org_perms.can(user, link.permission, customer.branch_id):
            continue
        ids = sorted({e.source_id for e in found})
        urls = link.urls(ids)
        for e in found:
            e.link = urls.get(e.source_id, "")
        if api and link.api is not None:
            api_urls = link.api(ids)
            for e in found:
                e.api_link = api_urls.get(e.source_id, "")


def link_sources(user: Actor, branch_id: int, rows: Iterable[Any]) -> None:
    """Set ``row.source_link`` (the page of the record the row came from, or "") on rows
    of another area's ledger that name their source as the timeline does
    (``source_type``, ``source_id``: a stock movement, a till entry): one query at most
    per source type; only for a reader holding the source's permission at ``branch_id``."""
    rows = list(rows)
    by_type: dict[str, list[Any]] = {}
    for row in rows:
        row.source_link = ""
        if row.source_type and row.source_id:
            by_type.setdefault(row.source_type, []).append(row)
    for source_type, found in by_type.items():
        link = SOURCE_LINKS.get(source_type)
        if link is None or not org_perms.can(user, link.permission, branch_id):
            continue
        urls = link.urls(sorted({row.source_id for row in found}))
        for row in found:
            row.source_link = urls.get(row.source_id, "")


def link_entries_for_api(user: Actor, customer: Any, entries: Iterable[Any]) -> None:
    """Set ``entry.url`` (the page of the record the entry names, a path; a link within
    the profile, such as ``#consents``, made the profile's path with it) and
    ``entry.api_url`` (its API endpoint) — "" when there is none or ``user`` may not
    follow it."""
    entries = list(entries)
    link_entries(user, customer, entries, api=True)
    page = reverse("customers:customer_detail", args=[customer.pk])
    for e in entries:
        e.url = page + e.link if e.link.startswith("#") else e.link
        e.api_url = e.api_link


@dataclass(frozen=True)
class Found:
    """A record found by its number: what it is, its number and where to go."""

    label: Any
    number: str
    url: str


NUMBER_LOOKUPS: list[Callable[[Actor, str], Found | None]] = []


def register_number_lookup(lookup: Callable[[Actor, str], Found | None]
                           ) -> Callable[[Actor, str], Found | None]:
    """``lookup(user, number)`` — ``number`` stripped and upper-cased — returns the record
    with exactly that number, linked to its page if the user may open it, else to its
    customer's profile if visible; None when nothing (visible) has the number."""
    NUMBER_LOOKUPS.append(lookup)
    return lookup


def looks_like_a_number(text: str) -> bool:
    """One token with a digit and something besides digits and ``+`` (``FV/2026/11/7``,
    ``U00000123``), not an e-mail — worth asking the lookups (a PESEL or a phone number
    is left to the customer search)."""
    text = text.strip()
    return (0 < len(text) <= 60 and " " not in text and "@" not in text
            and any(ch.isdigit() for ch in text)
            and any(not (ch.isdigit() or ch == "+") for ch in text))


def find_number(user: Actor, text: str) -> Found | None:
    """The record whose number is ``text`` (exact, upper-cased), or None."""
    if not looks_like_a_number(text):
        return None
    number = text.strip().upper()
    for lookup in NUMBER_LOOKUPS:
        found = lookup(user, number)
        if found is not None:
            return found
    return None


def _register_own_sources() -> None:
    from punkt.customers import permissions as perms

    register_source_link("customers.customerimport", route("customers:import_detail"),
                         permission=perms.CUSTOMER_IMPORT.code,
                         api=api_route("customer_import_get"))

    def consents_api(ids: list[str]) -> dict[str, str]:
        """A consent's change: its customer's consents (state and history)."""
        from punkt.customers.models import ConsentEvent

        pks = [int(i) for i in ids if i.isdecimal()]
        return {str(pk): reverse("api:customer_consents", args=[customer_id])
                for pk, customer_id in ConsentEvent.objects.filter(pk__in=pks)
                .values_list("pk", "customer_id")}

    # A consent's change: its current state and history are on the same page.
    register_source_link("customers.consentevent", lambda ids: dict.fromkeys(ids, "#consents"),
                         permission=perms.CUSTOMER_VIEW.code, api=consents_api)

    def merges(ids: list[str]) -> dict[str, str]:
        from punkt.customers.models import MergeRecord

        pks = [int(i) for i in ids if i.isdecimal()]
        return {str(pk): reverse("customers:merge", args=[survivor]) for pk, survivor
                in MergeRecord.objects.filter(pk__in=pks).values_list("pk", "survivor_id")}

    # A recommendation's entry links to the other customer (who brought / was brought).
    register_source_link("customers.customer", route("customers:customer_detail"),
                         permission=perms.CUSTOMER_VIEW.code, api=api_route("customer_get"))

    # A merge has no API (merging and undoing are HQ's pages only).
    register_source_link("customers.mergerecord", merges, permission=perms.CUSTOMER_MERGE.code)


_register_own_sources()
