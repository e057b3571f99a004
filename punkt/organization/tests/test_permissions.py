"""C2: the role matrix, generated from the one registry."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from punkt.core import permissions as registry
from punkt.core.roles import HQ_ROLES, Role
from punkt.organization.permissions import Access

ALL_ROLES = [r.value for r in Role]


@pytest.mark.parametrize("code", sorted(registry.REGISTRY))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_registry_grants_exactly_the_listed_roles(code: str, role: str) -> None:
    action = registry.get(code)
    if role in HQ_ROLES:
        access = Access(user_id=1, hq_roles={role})
    else:
        access = Access(user_id=1, pairs={(10, role)})
    assert access.can(code) == (role in action.roles)
    if action.scope == "branch" and role not in HQ_ROLES:
        assert access.can(code, 10) == (role in action.roles)
        assert access.can(code, 11) is False  # never in another branch


def test_seed_000_highlights() -> None:
    """Examples straight from seed 000's table of roles."""
    cashier = Access(user_id=1, pairs={(10, Role.CASHIER)})
    manager = Access(user_id=1, pairs={(10, Role.MANAGER)})
    assert not cashier.can("organization.employee.view")
    assert manager.can("organization.schedule.edit", 10)
    assert not manager.can("organization.branch.manage", 10)
    assert not manager.can("core.audit.view")


# Pages guarded by exactly one action: (url name, kwargs maker, action).
GUARDED_PAGES = [
    ("analytics:matrix", lambda w: {}, "analytics.classes.view"),
    ("analytics:customers", lambda w: {}, "analytics.classes.view"),
    ("analytics:export", lambda w: {}, "analytics.classes.export"),
    ("analytics:goals", lambda w: {}, "analytics.goals.view"),
    ("analytics:kpis", lambda w: {}, "analytics.goals.view"),
    ("organization:branch_create", lambda w: {}, "organization.branch.manage"),
    ("organization:employee_list", lambda w: {}, "organization.employee.view"),
    ("organization:employee_create", lambda w: {}, "organization.employee.manage"),
    ("organization:opening_hours_edit", lambda w: {"branch_id": w.a.pk},
     "organization.branch.manage"),
    ("organization:absence_create", lambda w: {"branch_id": w.a.pk},
     "organization.schedule.edit"),
    ("organization:schedule", lambda w: {"branch_id": w.a.pk}, "organization.schedule.view"),
    ("organization:role_policies", lambda w: {}, "organization.role_policy.manage"),
    ("core:audit_list", lambda w: {}, "core.audit.view"),
    ("organization:token_list", lambda w: {}, "organization.token.manage_own"),
    ("privacy:breach_list", lambda w: {}, "privacy.breach.manage"),
    ("mailbox:mailbox_list", lambda w: {}, "mailbox.mailbox.view"),
    ("mailbox:mailbox_new", lambda w: {}, "mailbox.mailbox.manage"),
    ("webhooks:subscription_list", lambda w: {}, "webhooks.subscription.manage"),
    ("webhooks:subscription_new", lambda w: {}, "webhooks.subscription.manage"),
    ("privacy:register", lambda w: {}, "privacy.register.view"),
    ("work:task_list", lambda w: {}, "work.task.manage"),
    ("servicedesk:queue", lambda w: {}, "servicedesk.ticket.view"),
    ("servicedesk:ticket_new", lambda w: {}, "servicedesk.ticket.create"),
    ("servicedesk:team_list", lambda w: {}, "servicedesk.team.manage"),
    ("servicedesk:team_new", lambda w: {}, "servicedesk.team.manage"),
    ("servicedesk:type_list", lambda w: {}, "servicedesk.type.manage"),
    ("customers:sender_erase", lambda w: {}, "customers.gdpr.manage"),
    ("servicedesk:type_new", lambda w: {}, "servicedesk.type.manage"),
    ("servicedesk:report", lambda w: {}, "servicedesk.report.view"),
    ("servicedesk:control_list", lambda w: {}, "servicedesk.ticket.decide"),
    ("chat:console", lambda w: {}, "chat.chat.handle"),
    ("chat:desk_list", lambda w: {}, "chat.desk.manage"),
    ("chat:desk_new", lambda w: {}, "chat.desk.manage"),
    ("complaints:complaint_list", lambda w: {}, "complaints.complaint.view"),
    ("complaints:complaint_new", lambda w: {}, "complaints.complaint.create"),
    ("campaigns:campaign_list", lambda w: {}, "campaigns.campaign.view"),
    ("campaigns:campaign_new", lambda w: {}, "campaigns.campaign.manage"),
    ("campaigns:order_list", lambda w: {}, "campaigns.campaign.view"),
    ("campaigns:distribution_list", lambda w: {}, "campaigns.campaign.view"),
    ("analytics:campaigns", lambda w: {}, "analytics.goals.view"),
    ("analytics:loyalty", lambda w: {}, "analytics.goals.view"),
    ("analytics:segments", lambda w: {}, "analytics.segments.view"),
    ("analytics:crosssell", lambda w: {}, "analytics.segments.view"),
    ("analytics:segment_setup", lambda w: {}, "analytics.segments.manage"),
    ("campaigns:shop_list", lambda w: {}, "campaigns.printshop.manage"),
    ("campaigns:mailing_list", lambda w: {}, "campaigns.mailing.view"),
    ("campaigns:mailing_new", lambda w: {}, "campaigns.mailing.manage"),
    ("loyalty:card_list", lambda w: {}, "loyalty.card.view"),
    ("loyalty:card_new", lambda w: {}, "loyalty.card.issue"),
    ("loyalty:programme_list", lambda w: {}, "loyalty.programme.manage"),
    ("loyalty:programme_new", lambda w: {}, "loyalty.programme.manage"),
    ("loyalty:draw_list", lambda w: {}, "loyalty.card.view"),
    ("loyalty:draw_new", lambda w: {}, "loyalty.draw.manage"),
    ("campaigns:shop_new", lambda w: {}, "campaigns.printshop.manage"),
    ("pipeline:board", lambda w: {}, "pipeline.opportunity.view"),
    ("surveys:results", lambda w: {}, "surveys.result.view"),
    ("surveys:followup_list", lambda w: {}, "surveys.followup.handle"),
    ("surveys:questionnaire_list", lambda w: {}, "surveys.questionnaire.manage"),
    ("surveys:questionnaire_create", lambda w: {}, "surveys.questionnaire.manage"),
    ("pipeline:opportunity_list", lambda w: {}, "pipeline.opportunity.view"),
    ("pipeline:opportunity_new", lambda w: {}, "pipeline.opportunity.edit"),
    ("pipeline:stage_settings", lambda w: {}, "pipeline.stage.manage"),
    ("pipeline:plans", lambda w: {}, "pipeline.pack.view"),
    ("pipeline:packs", lambda w: {}, "pipeline.pack.view"),
    ("pipeline:deal_imports", lambda w: {}, "pipeline.deal.import"),
    ("displays:task_list", lambda w: {}, "displays.task.view"),
    ("displays:guidance_list", lambda w: {}, "displays.task.view"),
    ("displays:guidance_new", lambda w: {}, "displays.guidance.issue"),
    ("campaigns:leaflet_upload", lambda w: {"campaign_id": _campaign_of_a(w).pk},
     "campaigns.printorder.manage"),
]


def _campaign_of_a(w: Any) -> Any:
    from punkt.campaigns.models import Campaign
    from punkt.campaigns.tests.factories import campaign

    return Campaign.objects.filter(branch=w.a).first() or campaign(w)


@pytest.mark.parametrize("url_name,kwargs,code", GUARDED_PAGES,
                         ids=[p[0] for p in GUARDED_PAGES])
@pytest.mark.parametrize("role", ALL_ROLES)
def test_http_matrix(url_name: str, kwargs: Any, code: str, role: str, world: Any,
                     client_as: Any) -> None:
    user = world.by_role()[role]
    response = client_as(user).get(reverse(url_name, kwargs=kwargs(world)))
    allowed = role in registry.get(code).roles
    assert response.status_code == (200 if allowed else 403), response.status_code
    if not allowed:
        # A refusal names the reason and says nothing changed.
        assert response.templates[0].name == "403.html"


def test_anonymous_is_sent_to_sign_in(world: Any, client: Any) -> None:
    for url_name, kwargs, _code in GUARDED_PAGES:
        response = client.get(reverse(url_name, kwargs=kwargs(world)))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_api_anonymous_gets_401_with_error_body(client: Any) -> None:
    response = client.get("/api/v1/employees")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_refusal_is_audited(world: Any, client_as: Any) -> None:
    from punkt.core.models import AuditEvent

    client_as(world.cashier_a).get(reverse("core:audit_list"))
    row = AuditEvent.objects.get(outcome="denied")
    assert row.actor_id == world.cashier_a.pk and row.action == "core.audit.view"
    assert "/audit/" in row.message


def test_permissions_doc_is_current() -> None:
    from pathlib import Path

    from punkt.core.management.commands.permissions_table import render_table

    doc = (Path(__file__).resolve().parents[3] / "docs" / "permissions.md").read_text()
    assert render_table() in doc, "run: punkt permissions_table and update docs/permissions.md"


# --- C2, written by hand -------------------------------------------------------------
# The matrix below is typed from seed 000's table "Odpowiedzialność i uprawnienia" (the
# tasks 1–15 each role is entitled to) and the permission names, NOT read from the
# registry: a change to a role's grants must be made in both places, and a new permission
# without a row here fails. Roles: M manager (Kierownik), S customer-service employee
# (Pracownik ds. obsługi klienta), R retention employee (Pracownik ds. utrzymania klienta),
# C cashier (Kasjer) — the seed's four — plus E HQ expert and A administrator (HQ roles
# Punkt adds: the seed's "centrala").
M, S, R, C, E, A = "manager", "service", "retention", "cashier", "hq_expert", "admin"
EXPECTED: dict[str, set[str]] = {
    # Task 12: the cashier finds the customer's invoice (HQ issues them) and takes payment.
    "cashdesk.credit.correct": {E},  # a mistaken credit settlement: an HQ correction
    "cashdesk.invoice.manage": {E},
    "cashdesk.invoice.view": {C, E, A},
    "cashdesk.payment.take": {C},  # only the cashier "dysponuje pieniędzmi z kasy"
    "cashdesk.report.view": {M, C, E, A},  # the cashier counts her till; M task 1 reports
    "cashdesk.till.acknowledge": {M},
    # Task 10: products, accessories and their manuals for whoever serves customers.
    "catalog.help.record": {M, S, R},
    "catalog.product.manage": {E},
    "catalog.product.view": {M, S, R, C, E, A},
    # Tasks 4–7: S/R prepare, M approves the day's contracts (6), HQ receives them (7).
    "contracts.contract.approve": {M},
    "contracts.contract.finalise": {E},
    "contracts.contract.prepare": {M, S, R},
    # Ending a contract early is the branch's decision: its manager (task 6's authority).
    "contracts.contract.terminate": {M},
    "contracts.contract.view": {M, S, R, E, A},
    # Task 2 (offer), task 9 (retention's renewal offer).
    "contracts.offer.create": {M, S, R},
    # C11: a discount above the company's limit, approved by another person — the
    # branch's manager or HQ ("kierownik zatwierdza"), never the offer's author.
    "contracts.offer.approve_discount": {M, E},
    "contracts.offer.view": {M, S, R, E, A},
    "contracts.report.view": {M, E, A},  # task 1: the manager's sales analysis
    "core.audit.view": {A},
    # Task 3 (customer data), 8 (CRM access for retention), 12 (cashier finds customers).
    "customers.consent.record": {M, S, R, E},
    "customers.customer.edit": {M, S, R, E},
    "customers.customer.export": {M, E},
    "customers.customer.import": {M, E},
    "customers.customer.merge": {E},
    "customers.customer.view": {M, S, R, C, E, A},
    "customers.gdpr.manage": {E, A},
    # R12.7: who recommended a customer, corrected after registration by the manager.
    "customers.recommendation.edit": {M, E},
    "customers.timeline.add": {M, S, R, C, E},  # task 12: "aktualizacja systemu CRM"
    # Task 13: the manager monitors stock and orders from HQ.
    # Issue 16: HQ watches how the team mailboxes are read.
    "mailbox.mailbox.view": {E, A},
    "mailbox.mailbox.manage": {A},
    # Issue 16: outgoing webhooks carry customers' data out — the administrator decides.
    "webhooks.subscription.manage": {A},
    "inventory.order.create": {M},
    "inventory.order.fulfil": {E},
    "inventory.stock.manage": {M, E},
    "inventory.stock.view": {M, S, R, C, E, A},
    # Tasks 2 and 14: price lists, promotional material and leaflets from HQ.
    "materials.material.manage": {E},
    "materials.material.view": {M, S, R, C, E, A},
    "messaging.template.manage": {E},
    "organization.admin.manage": {A},
    "organization.branch.manage": {E, A},
    "organization.branch.view": {M, S, R, C, E, A},
    "organization.employee.manage": {E, A},
    "organization.employee.view": {M, E, A},  # task 1: the manager meets their staff
    "organization.role_policy.manage": {A},
    "organization.schedule.edit": {M, E, A},
    "organization.schedule.view": {M, S, R, C, E, A},
    "organization.token.manage_own": {M, S, R, C, E, A},
    # Not in the seed's table: GDPR art. 30 register (HQ and admin), art. 33 breaches
    # (the administrator, who answers to the supervisory authority).
    "privacy.breach.manage": {A},
    "privacy.register.view": {E, A},
    # Tasks 8–9: retention finds ending contracts and calls; the manager may too.
    "retention.contract.work": {M, R},
    "retention.report.view": {M, E, A},
    # Tasks 10 and 1: S hands goods over; the manager sells, discounts more and reports.
    "sales.discount.large": {M},
    "sales.report.view": {M, E, A},
    "sales.sale.create": {M, S},
    "sales.sale.view": {M, S, E, A},
    # Seed 002 / R15.1: the office manager gives and checks the staff's tasks; HQ sees all.
    "work.task.manage": {M, E, A},
    # Seed 002 / R9: the service office opens and handles tickets; retention sees them
    # (the customer's matters) and opens them from a call; the cashier only takes money.
    "servicedesk.ticket.view": {M, S, R, E, A},
    "servicedesk.ticket.create": {M, S, R, E, A},
    "servicedesk.ticket.handle": {M, S, E, A},
    # the office manager (and HQ) gives tickets to colleagues; team leads by membership
    "servicedesk.ticket.assign": {M, E, A},
    # the branch manager keeps the branch office's hours and members; HQ teams: admin
    "servicedesk.team.manage": {M, A},
    "servicedesk.report.view": {M, E, A},
    # ticket types and their SLA targets are the company's: HQ keeps them
    "servicedesk.type.manage": {E, A},
    # R9.4: the office manager decides weighty matters and checks what staff resolved
    # alone (HQ teams: their leads, by membership)
    "servicedesk.ticket.decide": {M, A},
    # Issue 16, live chat: whoever answers tickets answers the website's visitors (in the
    # chat of their team); the branch manager (admin for HQ teams) keeps the team's chat.
    "chat.chat.handle": {M, S, E, A},
    "chat.desk.manage": {M, A},
    # Issue 17, R7: service and retention staff register and handle complaints in the
    # branch; the manager decides small ones there (R9.4); HQ's experts investigate and
    # decide those sent to HQ and see every branch's (seed 002, seed 003).
    "complaints.complaint.view": {M, S, R, E, A},
    "complaints.complaint.create": {M, S, R, A},
    "complaints.complaint.handle": {M, S, R, E, A},
    "complaints.complaint.decide": {M, A},
    "complaints.complaint.investigate": {E, A},
    # Issue 18, R11: the branch's sellers (service and retention staff, the manager) keep
    # their sales; the manager works on any of the branch's and gives them to others; HQ's
    # experts see every branch's and set the stages (seed 003).
    "pipeline.opportunity.view": {M, S, R, E, A},
    "pipeline.opportunity.edit": {M, S, R, A},
    "pipeline.opportunity.manage": {M, A},
    "pipeline.stage.manage": {E, A},
    # R11.6 and seed 000 step 1: HQ sets the branches' monthly plans, the manager splits
    # the branch's among its staff and holds the monthly meeting with its pack (HQ sees
    # every branch's); each employee sees their own plan against what they did.
    "pipeline.plan.set": {E, A},
    "pipeline.plan.split": {M, A},
    "pipeline.plan.own": {M, S, R, C},
    "pipeline.pack.view": {M, E, A},
    # R12.6: the funnel report is the manager's (his branches) and HQ's (every branch); a
    # seller sees his own opportunities' funnel; exporting it is the manager's and HQ's.
    # Existing deals are imported by the manager into his branch or by HQ.
    "pipeline.funnel.view": {M, E, A},
    "pipeline.funnel.own": {S, R},
    "pipeline.funnel.export": {M, E, A},
    "pipeline.deal.import": {M, E, A},
    # the refund of an upheld complaint leaves the till: only the cashier pays it out
    "complaints.refund.pay": {C},
    # ISO 9001 10.2: the manager (in the branch) and HQ set corrective and preventive
    # actions and verify those others carried out
    "complaints.capa.manage": {M, E, A},
    # the company's letters (answers, requests to complete) are HQ's, as templates are
    "complaints.letter.manage": {E, A},
    # R7.4: the statistics are the manager's (the branch) and HQ's (every branch)
    "complaints.report.view": {M, E, A},
    # Seed 003: categories and ABC/XYZ classes guide everyone who serves the customer
    # (the profile); exporting them is the manager's and HQ's, as customer lists are.
    "analytics.classes.view": {M, S, R, E, A},
    "analytics.classes.export": {M, E, A},
    "analytics.goals.view": {M, E, A},
    # R12.1-R12.2: the matrix and "what else to sell" guide everyone who sells to the
    # branch's customers; the segments and their ideal sets are HQ's marketing decision.
    "analytics.segments.view": {M, S, R, E, A},
    "analytics.segments.manage": {E, A},
    # Issue 19: HQ starts the nightly analytics refresh at once (a new price list, a
    # corrected import): the whole company's figures, so HQ only
    "analytics.refresh.run": {E, A},
    # Issue 20, R10.1 (seed 000 steps 14-15): the service employee prepares leaflets from
    # HQ's templates and orders them from a print shop; the manager plans the branch's
    # campaigns and approves their budget; HQ's experts run company campaigns and keep the
    # list of print shops.
    "campaigns.campaign.view": {M, S, R, E, A},
    "campaigns.campaign.manage": {M, E, A},
    "campaigns.printorder.manage": {M, S, E, A},
    "campaigns.printshop.manage": {E, A},
    "campaigns.distribution.record": {M, S, E, A},
    "campaigns.distribution.confirm": {M, E, A},
    "campaigns.leaflet.approve": {M, A},
    # Issue 20 item 6, R15.2: mass e-mails and SMS to a segment — HQ's experts to every
    # branch's customers, a branch manager to the branch's own (not the service staff).
    "campaigns.mailing.view": {M, E, A},
    "campaigns.mailing.manage": {M, E, A},
    # Issue 20, R13 (seed 003): HQ defines the loyalty programmes; those who sell at the
    # counter issue cards (as they sell); the retention employee and HQ see them (the
    # profile); blocking a lost card is the manager's, as larger discounts are.
    "loyalty.card.view": {M, S, R, E, A},
    "loyalty.card.issue": {M, S},
    "loyalty.reward.redeem": {M, S},
    "loyalty.card.block": {M, E, A},
    "loyalty.programme.manage": {E, A},
    # Prize draws (seed 003) are announced and drawn by HQ, as the programmes are defined.
    "loyalty.draw.manage": {E, A},
    # Issue 20, R10.2 (seed 000 step 15): the service employee (and the manager) arrange
    # the branch's windows and prove it with photos; the manager or HQ issue the guidance
    # and check the displays (never one's own: four eyes).
    "displays.task.view": {M, S, E, A},
    "displays.guidance.issue": {M, E, A},
    "displays.task.complete": {M, S},
    "displays.task.check": {M, E, A},
    # Issue 17, R14: HQ designs the questionnaires; everyone who serves the customer sees
    # their surveys and opens one on the tablet; retention (the manager when the branch
    # has none) calls back low scores; managers and HQ read the results.
    "surveys.questionnaire.manage": {E, A},
    "surveys.invitation.view": {M, S, R, E, A},
    "surveys.followup.handle": {M, R, A},
    "surveys.result.view": {M, E, A},
    "surveys.result.export": {M, E, A},
}


def test_every_permission_has_a_hand_written_row() -> None:
    """Both ways: no registered permission without an EXPECTED row, no row without one."""
    assert sorted(set(registry.REGISTRY) - set(EXPECTED)) == [], \
        "a new permission: add its row to EXPECTED (from the seed's table)"
    assert sorted(set(EXPECTED) - set(registry.REGISTRY)) == [], "EXPECTED names a gone one"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_registry_grants_match_the_hand_written_matrix(role: str) -> None:
    """Each role's grants, compared with the matrix typed from seed 000, through the same
    ``Access.can`` the pages use (for a branch role: in its branch, never in another)."""
    if role in HQ_ROLES:
        access = Access(user_id=1, hq_roles={role})
    else:
        access = Access(user_id=1, pairs={(10, role)})
    expected = {code for code, roles in EXPECTED.items() if role in roles}
    granted = {code for code in registry.REGISTRY if access.can(code)}
    assert sorted(granted - expected) == [], f"{role} holds more than the seed's table gives"
    assert sorted(expected - granted) == [], f"{role} lacks what the seed's table gives"
    for code in expected & granted:
        if registry.get(code).scope == "branch" and role not in HQ_ROLES:
            assert access.can(code, 10) and not access.can(code, 11)
