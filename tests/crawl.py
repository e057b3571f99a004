"""C21: the GET crawl — every GET route of the URLconf, with real ids, as every role.

:func:`seed` builds a realistic branch (branch B of the test ``World``): a customer with a
contact, a merge record and consents; offers (presented and accepted), a contract waiting
for the manager (PDF and scan) and an active one on the retention worklist with a renewal
proposal out; HQ materials (a leaflet, a price list, a contract template, a draft);
a product with stock, a norm, an adjustment, an order to HQ and a sale; an HQ invoice paid
at a closed till; customer and invoice imports; absences, days off, API tokens and jobs.
It signs in one employee per role of :class:`punkt.core.roles.Role` at that branch (HQ
roles at HQ).

:func:`crawl` then visits every GET route — pages, htmx fragments, API operations, file
and PDF downloads — filling each URL argument from the seeded ids (by name, or through
``punkt/core/tests/crawl_probe_urls.py``), and records every SQL statement each request
ran. A route whose arguments cannot be filled raises :class:`UnfilledRoute` unless it is
listed with a reason, so a new route cannot slip by.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

#: Statements that read (or only mark transactions/cursors): everything else is a write.
READ_STATEMENTS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK TO SAVEPOINT", "SET", "SHOW",
                   "DECLARE", "FETCH", "CLOSE", "EXPLAIN", "VALUES")
#: GET reads of personal data that are themselves audited (C26): each may write its ONE
#: audit row (an access log a client could skip would prove nothing) and nothing else.
AUDITED_READS: dict[str, str] = {
    "customers:customer_detail": "the profile's access-log row",
    "customers:customer_export": "the export of a customer list",
    "customers:gdpr_export": "the export of everything held on a person",
    "api:customer_get": "the API's read of a customer",
    "contracts:contract_pdf": "the contract's PDF (personal data) read",
    "contracts:contract_scan": "the signed scan read",
    "api:contract_pdf": "the contract's PDF read through the API",
    "api:contract_scan": "the signed scan read through the API",
    "cashdesk:kp": "a cash receipt (KP) printed",
    "cashdesk:kw": "a cash payout (KW) of a refunded credit printed",
    "cashdesk:cash_report": "a till's cash report printed",
    "analytics:export": "the export of customers' classes",
    "surveys:results_export": "the export of survey results and answers",
    "analytics:goals_export": "the export of the three goals",
    "analytics:kpis_export": "the export of the sales KPIs",
    "analytics:campaigns_export": "the export of the campaign effectiveness",
    "analytics:loyalty_export": "the export of the loyalty index and sources",
    "analytics:segments_export": "the export of the segment × product matrix",
    "pipeline:funnel_export": "the export of the funnel and refusals report",
}
#: A refusal (403) is audited (C26): its one write is that row.
AUDIT_TABLE = "core_auditevent"
#: Third-party GET writes, each the only write of its route: (statement, table, reason).
OTHER_GET_WRITES: dict[str, tuple[str, str, str]] = {
    "mfa_view_recovery_codes": ("UPDATE", "mfa_authenticator",
                                "allauth records that the codes were seen (show-once)"),
    "mfa_download_recovery_codes": ("UPDATE", "mfa_authenticator",
                                    "allauth records that the codes were seen (show-once)"),
}
#: The session store is not business data: the idle timeout's last-seen stamp
#: (``SessionTimeoutMiddleware``) and allauth's per-flow state live there.
SESSION_TABLE = "django_session"
#: Namespaces outside the crawl, with the reason.
SKIPPED_NAMESPACES = {
    "admin": "Django's admin is mounted only with DEBUG or PUNKT_DJANGO_ADMIN",
}
#: API operations are crawled from the API's own table (GET operations, their paths); the
#: API's other URLs (schema, docs, root) as pages.
API_NAMESPACE = "api"


#: The crawl's name for a visitor nobody signed in as.
ANONYMOUS = "anonymous"


class UnfilledRoute(AssertionError):
    """Routes whose URL arguments the crawl cannot fill (and no reason says why)."""

    def __init__(self, routes: list[str]) -> None:
        super().__init__(
            "The crawl cannot fill these routes' arguments; add a probe to "
            f"punkt/core/tests/crawl_probe_urls.py (PROBES) or a reason (UNFILLABLE): {routes}")
        self.routes = routes


@dataclass
class Route:
    name: str
    params: list[str]
    kind: str  # "page" or "api"
    template: str = ""  # an API operation's path


@dataclass
class Visit:
    route: str
    role: str
    url: str
    htmx: bool
    status: int
    content_type: str
    csp: str
    sql: list[str]
    error: str = ""

    @property
    def writes(self) -> list[str]:
        return [s for s in self.sql if is_write(s)]


@dataclass
class Seeded:
    world: Any
    users: dict[str, Any]
    ids: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)
    per_user: dict[tuple[str, int], Any] = field(default_factory=dict)


def is_write(sql: str) -> bool:
    # Leading blanks, comments and parentheses ("(SELECT …) UNION (SELECT …)") say nothing.
    text = re.sub(r"^(\s|\(|/\*.*?\*/|--[^\n]*\n)+", "", sql, flags=re.S).upper()
    if text.startswith("WITH"):  # a CTE may hide a data-changing statement
        return bool(re.search(r"\)\s*(INSERT|UPDATE|DELETE|MERGE)\b", text))
    return not text.startswith(READ_STATEMENTS)


def table_of(sql: str) -> str:
    m = re.search(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', sql, re.I)
    return m.group(1) if m else ""


# --- The routes ----------------------------------------------------------------------

def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from _walk(p.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern) and p.name:
            if namespace == f"{API_NAMESPACE}:" and p.callback.__module__ == "ninja.operation":
                continue
            yield f"{namespace}{p.name}", p


def _unsubscribe_token(w: Any) -> str:
    """The unsubscribe link of a message B's mailing sent (no sign-in)."""
    from punkt.customers.models import Customer
    from punkt.messaging import mass
    from punkt.messaging.models import Message
    from tests import isolation

    mailing = isolation.mailing_b(w)
    customer = Customer.objects.get(email="bozena.wysylkowa@example.pl")
    message = Message.objects.create(
        customer=customer, branch_id=customer.branch_id, channel="email", kind="marketing",
        to=customer.email, subject="Oferta", body="Dzień dobry", status="sent",
        source_type="campaigns.mailing", source_id=str(mailing.pk))
    return mass.unsubscribe_token(message.pk)


def routes() -> list[Route]:
    """Every named page route of the URLconf and every GET operation of the API."""
    from punkt.api import api

    out = []
    seen = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        if name in seen:
            continue
        seen.add(name)
        regex = pattern.pattern.regex
        out.append(Route(name, sorted(regex.groupindex), "page"))
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                if "GET" in op.methods:
                    template = "/api/" + f"{prefix}{path}".strip("/")
                    params = re.findall(r"{(?:\w+:)?(\w+)}", template)
                    out.append(Route(f"api:{op.operation_id}", params, "api", template))
    return out


def url_of(route: Route, kwargs: dict[str, Any]) -> str:
    if route.kind == "api":
        return re.sub(r"{(?:\w+:)?(\w+)}", lambda m: str(kwargs[m.group(1)]), route.template)
    return reverse(route.name, kwargs=kwargs)


# --- The data ------------------------------------------------------------------------

def seed(world: Any) -> Seeded:
    """Branch B full of records, one signed-in employee per role (see the module text)."""
    from punkt.contracts import services as contracts
    from punkt.contracts.models import Offer
    from punkt.contracts.tests.factories import PRICES, publish
    from punkt.core.models import JobProgress
    from punkt.core.roles import Role
    from punkt.customers.models import CustomerImport, MergeRecord
    from punkt.materials import services as materials
    from punkt.messaging.models import MessageTemplate
    from punkt.organization.models import Absence, BranchDayOff
    from punkt.organization.services import api_token_create
    from punkt.retention import services as retention
    from punkt.sales.models import Sale
    from tests import isolation
    from tests.world import make_user

    w = world
    customer = isolation.customer_b(w)
    version = isolation.material_b(w)  # a leaflet sent to B
    offer = isolation.offer_b(w)  # presented, not answered
    contract = isolation.contract_b(w)  # signed, waiting for B's manager
    active = isolation.active_b(w)  # active, ending in 20 days
    sale = isolation.shop_b(w)
    order = isolation.order_b(w)
    till = isolation.till_b(w)
    payment = till.payments.get()
    retention_b = make_user("retencja.b@test.pl", Role.RETENTION, w.b)
    cashier_b = till.cashier
    # Today's till is open (yesterday's closed one is the cash report's).
    from punkt.cashdesk import services as cashdesk

    cashdesk.till_open(actor=cashier_b, branch_id=w.b.pk, opening_float="100")
    # Credit: an invoice overpaid by 10 zł, the credit settled against another one.
    overpaid = cashdesk.invoice_create(
        actor=w.expert, customer_id=customer.pk, number="FV/B/2", issued_on="2026-11-02",
        due_on="2026-11-30", lines=[{"name": "Internet", "vat_rate": "23", "net": "50"}])
    cashdesk.payment_register(actor=cashier_b, invoice_id=overpaid.pk, amount="71.50",
                              method="cash")
    settled = cashdesk.invoice_create(
        actor=w.expert, customer_id=customer.pk, number="FV/B/3", issued_on="2026-11-03",
        due_on="2026-11-30", lines=[{"name": "Router", "vat_rate": "23", "net": "20"}])
    credit_use = cashdesk.credit_apply(actor=cashier_b, invoice_id=settled.pk)
    # Retention's letters of the day, printed; a data breach in HQ's log.
    letter_batch = isolation.letter_batch_b(w)
    import datetime

    from punkt.privacy import services as privacy

    breach = privacy.breach_record(
        actor=w.admin, discovered_at=timezone.now() - datetime.timedelta(hours=5),
        title="Zgubiony laptop", description="Laptop z bazą klientów zgubiony w pociągu",
        data_categories="imiona, adresy", subjects_count=12, measures="Zdalne wymazanie")
    # The administrator has an authenticator app and recovery codes (C17).
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(w.admin, generate_totp_secret())
    RecoveryCodes.activate(w.admin)
    # A renewal proposal out for the active contract: its link's token.
    retention.log_call(actor=retention_b, contract_id=active.pk, outcome="renewed")
    renewal = Offer.objects.get(renews=active)
    token = retention.proposal_link(renewal.pk).rstrip("/").rsplit("/", 1)[1]
    from punkt.surveys import services as surveys

    followup = isolation.followup_b(w)  # a survey answered with a 2 and its follow-up
    survey_token = surveys.counter_open(  # an open survey: the public page's form
        actor=w.manager_b, customer_id=customer.pk,
        questionnaire_id=followup.response.invitation.questionnaire_id)
    # A document of a sale e-mailed to the customer: its link's token.
    from punkt.pipeline import sales_documents

    sales_document = isolation.sales_document_b(w)
    sales_documents.document_send(actor=w.service_b, document_id=sales_document.pk)
    document_token = sales_documents.document_link(sales_document.pk).rstrip("/").rsplit(
        "/", 1)[1]
    # An accepted offer waiting for its contract.
    accepted = contracts.offer_create(actor=w.manager_b, customer_id=customer.pk,
                                      lines=[{"price_item_id": offer.lines.get().price_item_id}])
    contracts.offer_decide(actor=w.manager_b, offer_id=accepted.pk, accepted=True)
    # HQ's materials: the price list in force, a draft not yet published.
    price_list = publish(w, "price_list", PRICES, "cennik.csv", title="Cennik ogólny")
    draft_material = materials.material_create(actor=w.expert, kind="promo", title="Szkic")
    draft = materials.version_create(
        actor=w.expert, material_id=draft_material.pk, valid_from=timezone.localdate(),
        all_branches=True, branch_ids=None,
        uploaded=SimpleUploadedFile("szkic.pdf", b"%PDF-1.4\n%%EOF\n"))
    # The organisation's records.
    today = timezone.localdate()
    absence = Absence.objects.create(employee=w.service_b, branch=w.b, kind="leave",
                                     starts_on=today, ends_on=today)
    day_off = BranchDayOff.objects.create(branch=w.b, date=today, name="Inwentaryzacja")
    customer_import = CustomerImport.objects.create(
        branch=w.b, created_by=w.manager_b, original_name="klienci.csv",
        stored_name="klienci-crawl.csv")
    from punkt.cashdesk.imports import import_upload

    invoice_import = import_upload(actor=w.expert, uploaded=SimpleUploadedFile(
        "faktury.csv", b"numer;netto\nFV/1;10\n"))
    from punkt.pipeline.models import DealImport

    deal_import = DealImport.objects.create(  # B's file of deals, checked
        branch=w.b, created_by=w.manager_b, original_name="transakcje.csv",
        stored_name="transakcje-crawl.csv", status="checked", deals_total=1)
    task = isolation.task_b(w)  # B's manager gave B's service employee a task
    from punkt.work.models import Notification

    notification = Notification.objects.get(recipient=w.service_b, key=f"task.assigned:{task.pk}")
    ticket = isolation.ticket_b(w)  # B's counter ticket, handled by B's office
    mail_attachment = isolation.mail_attachment_b(w)  # of the e-mail on B's ticket
    from punkt.webhooks import services as webhooks  # a webhook with a delivery in its log
    from punkt.webhooks.models import Delivery

    hook, _secret = webhooks.subscription_create(
        actor=w.admin, name="CRM", url="http://127.0.0.1:9/crawl", events=["ticket.created"])
    delivery = Delivery.objects.create(subscription=hook, event="ticket.created", body="{}")
    from punkt.webform import services as webform

    web_contact = isolation.web_contact_b(w)  # the contact form's sender of B's ticket
    complaint = isolation.complaint_b(w)  # B's complaint about B's sale, with a photo
    from punkt.complaints import letters as complaint_letters

    complaint_letter = complaint_letters.completion_request(  # a letter asking for more
        actor=w.service_b, complaint_id=complaint.pk, channel="in_person",
        missing="Kopia paragonu")
    campaign = isolation.campaign_b(w)  # B's running campaign, its leaflet and print order
    display = isolation.display_task_b(w)  # B's display task, completed with a photo
    segment = isolation.segment_b(w)  # HQ's segment whose only customer is B's
    users = {Role.ADMIN.value: w.admin, Role.HQ_EXPERT.value: w.expert,
             Role.MANAGER.value: w.manager_b, Role.SERVICE.value: w.service_b,
             Role.RETENTION.value: retention_b, Role.CASHIER.value: cashier_b}
    assert set(users) == {r.value for r in Role}, "a new role: give it an employee here"
    from punkt.servicedesk.models import CannedReply

    seeded = Seeded(world=w, users=users, ids={
        "branch_id": w.b.pk,
        "segment_id": segment.pk,
        "employee_id": w.service_b.pk,
        "membership_id": w.service_b.memberships.get().pk,
        "absence_id": absence.pk,
        "day_off_id": day_off.pk,
        "customer_id": customer.pk,
        "contact_id": customer.contacts.get().pk,
        "record_id": MergeRecord.objects.get(survivor=customer).pk,
        "import_id": customer_import.pk,
        "version_id": version.pk,
        "material_id": version.material_id,
        "contract_id": contract.pk,
        "offer_id": offer.pk,
        "template_id": MessageTemplate.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
        "product_id": sale.lines.get().product_id,
        "order_id": order.pk,
        "sale_id": sale.pk,
        "invoice_id": payment.invoice_id,
        "payment_id": payment.pk,
        "session_id": till.pk,
        "refund_id": till.refunds.get().pk,
        "use_id": credit_use.pk,
        "batch_id": letter_batch.pk,
        "breach_id": breach.pk,
        "task_id": task.pk,
        "notification_id": notification.pk,
        "ticket_id": ticket.pk,
        "team_id": ticket.team_id,
        "type_id": ticket.type_id,
        "desk_id": isolation.desk_b(w).pk,
        "attachment_id": mail_attachment.pk,
        "mailbox_id": mail_attachment.mail.mailbox_id,
        "reply_id": CannedReply.objects.create(team_id=ticket.team_id, title="Dziękujemy",
                                               body="Dzień dobry {klient}").pk,
        "token": token,
        "subscription_id": hook.pk,
        "delivery_id": delivery.pk,
        "webform_token": webform.token_for(web_contact),
        "complaint_id": complaint.pk,
        "file_id": complaint.attachments.get().pk,
        "complaint_letter_id": complaint_letter.pk,
        "opportunity_id": isolation.opportunity_b(w).pk,
        "document_id": sales_document.pk,
        "document_token": document_token,
        "campaign_id": campaign.pk,
        "mailing_id": isolation.mailing_b(w).pk,
        "unsubscribe_token": _unsubscribe_token(w),
        "card_id": isolation.card_b(w).pk,
        "programme_id": isolation.card_b(w).programme_id,
        "draw_id": isolation.draw(w).pk,
        "leaflet_id": isolation.leaflet_b(w).pk,
        "print_order_id": isolation.print_order_b(w).pk,
        "distribution_id": isolation.distribution_b(w).pk,
        "guidance_id": display.guidance_id,
        "display_task_id": display.pk,
        "display_photo_id": display.photos.get().pk,
        "reference_photo_id": display.guidance.photos.get().pk,
        "shop_id": isolation.print_order_b(w).shop_id,
        "followup_id": followup.pk,
        "invitation_id": followup.response.invitation_id,
        "questionnaire_id": followup.response.invitation.questionnaire_id,
        "survey_token": survey_token,
    }, objects={
        "active": active, "accepted_offer": accepted, "renewal_offer": renewal,
        "price_list": price_list, "draft": draft, "template": contract.template,
        "invoice_import": invoice_import, "deal_import": deal_import,
        "sale": Sale.objects.get(pk=sale.pk),
    })
    for role, user in users.items():
        job = JobProgress.objects.create(kind="crawl", owner=user, total=2, done=1)
        api_token, _secret = api_token_create(actor=user, name=f"crawl-{role}")
        seeded.per_user[("job_id", user.pk)] = job.pk
        seeded.per_user[("token_id", user.pk)] = api_token.pk
    return seeded


def fill(route: Route, seeded: Seeded, user: Any) -> dict[str, Any] | None:
    """The route's URL kwargs for ``user``, or None when they cannot be filled."""
    from punkt.core.tests import crawl_probe_urls as probes

    if route.name in probes.PROBES:
        try:
            return probes.PROBES[route.name](seeded, user)
        except KeyError:  # the probe names something the seed did not make
            return None
    kwargs = {}
    for name in route.params:
        if (name, user.pk) in seeded.per_user:
            kwargs[name] = seeded.per_user[(name, user.pk)]
        elif name in seeded.ids:
            kwargs[name] = seeded.ids[name]
        else:
            return None
    return kwargs


def unfilled(seeded: Seeded, only: Callable[[Route], bool] | None = None) -> list[str]:
    from punkt.core.tests import crawl_probe_urls as probes

    user = seeded.world.admin
    return sorted(r.name for r in routes()
                  if r.name not in probes.UNFILLABLE and (only is None or only(r))
                  and fill(r, seeded, user) is None)


# --- The crawl -----------------------------------------------------------------------

def signed_in(user: Any) -> Client:
    from tests.world import stamp_reauthentication

    client = Client(raise_request_exception=False)
    if user is None:  # nobody signed in: the customer's links, the sign-in pages
        return client
    client.force_login(user, backend="punkt.organization.backends.EmployeeBackend")
    stamp_reauthentication(client, user)
    client.get("/")  # settle the session's last-seen stamp
    return client


def _visit(client: Client, route: str, role: str, url: str, htmx: bool) -> Visit:
    headers = {"HX-Request": "true"} if htmx else {}
    # Each request in its own savepoint, rolled back: a write found cannot hide another
    # route's (and a failing statement on PostgreSQL cannot poison the rest).
    with transaction.atomic():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, headers=headers)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
        transaction.set_rollback(True)
    error = ""
    if response.status_code >= 500:
        exc = getattr(response, "exc_info", None)
        error = repr(exc[1]) if exc else "server error"
    return Visit(route=route, role=role, url=url, htmx=htmx, status=response.status_code,
                 content_type=response.get("Content-Type", ""),
                 csp=response.get("Content-Security-Policy", ""),
                 sql=[q["sql"] for q in ctx.captured_queries], error=error)


def crawl(seeded: Seeded, role: str, *, only: Callable[[Route], bool] | None = None,
          ) -> list[Visit]:
    """Visit every GET route (plain and as htmx, plus the probes' fragments) as ``role``
    (a key of ``seeded.users``, or :data:`ANONYMOUS`)."""
    from punkt.core.tests import crawl_probe_urls as probes

    missing = unfilled(seeded, only)
    if missing:
        raise UnfilledRoute(missing)
    user = None if role == ANONYMOUS else seeded.users[role]
    client = signed_in(user)
    user = user or seeded.world.admin  # whose ids fill the URLs
    visits = []
    for route in routes():
        if route.name in probes.UNFILLABLE or (only is not None and not only(route)):
            continue
        kwargs = fill(route, seeded, user)
        assert kwargs is not None
        url = url_of(route, kwargs)
        plain = _visit(client, route.name, role, url, htmx=False)
        visits.append(plain)
        if route.kind == "page" and plain.status == 200 \
                and plain.content_type.startswith("text/html"):  # its htmx fragments
            visits.append(_visit(client, route.name, role, url, htmx=True))
            for query in probes.FRAGMENTS.get(route.name, []):
                visits.append(_visit(client, route.name, role, f"{url}?{query}", htmx=True))
        if route.name == "account_logout" and role != ANONYMOUS:  # signed in again, in case
            client = signed_in(user)
    return visits


def problems(visits: list[Visit]) -> list[str]:
    """What is wrong with the visits: writes on GET (beyond the audited ones), server
    errors, files without a strict CSP."""
    out = []
    for v in visits:
        where = f"{v.role} GET {v.url}{' (htmx)' if v.htmx else ''} [{v.route}] → {v.status}"
        if v.error:
            out.append(f"{where}: {v.error}")
        writes = [s for s in v.writes if table_of(s) != SESSION_TABLE]
        allowed = (("INSERT", AUDIT_TABLE) if v.route in AUDITED_READS or v.status == 403
                   else OTHER_GET_WRITES.get(v.route, ("", "", ""))[:2])
        if len(writes) == 1 and (writes[0].lstrip().split()[0].upper(),
                                 table_of(writes[0])) == allowed:
            writes = []  # the one write allowed, and nothing else
        if writes:
            out.append(f"{where}: writes {[w[:120] for w in writes]}")
        if v.status == 200 and is_file(v.content_type) and not strict_file_csp(v.csp):
            out.append(f"{where}: a file ({v.content_type}) without a strict CSP: {v.csp!r}")
    return out


def is_file(content_type: str) -> bool:
    return not content_type.startswith(("text/html", "application/json"))


def strict_file_csp(csp: str) -> bool:
    parts = {p.strip() for p in csp.split(";")}
    return "default-src 'none'" in parts and ("sandbox" in parts
                                              or "frame-ancestors 'self'" in parts)
