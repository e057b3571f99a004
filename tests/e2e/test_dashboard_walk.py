"""Browser walk-throughs: sign in as each demo role, walk the menu, sign out.

Run: ``pytest tests/e2e -m e2e``. Uses Debian's /usr/bin/chromium (see conftest.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from punkt.core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]

DASHBOARD = "/"
SCHEDULE = "/organisation/schedule/"
EMPLOYEES = "/organisation/employees/"
BRANCHES = "/organisation/branches/"
AUDIT = "/audit/"
ROLES = "/organisation/roles/"
LOGIN = "/accounts/login/"
CUSTOMERS = "/customers/"
GDPR = "/customers/data-requests/"
FROM_HQ = "/materials/"
PUBLISH = "/materials/manage/"
CONTRACTS = "/contracts/"
TO_CHECK = "/contracts/review/"
RETENTION = "/retention/"
CHURN = "/retention/churn/"
REPORTS = "/contracts/reports/"
TEMPLATES = "/messages/templates/"
CATALOG = "/catalog/"
STOCK = "/stock/"
ORDERS = "/stock/orders/"
SALES = "/sales/"
SALES_REPORT = "/sales/report/"
COUNTER = "/sales/counter/"
TILL = "/cashdesk/"
TILLS = "/cashdesk/tills/"
INVOICE_FILES = "/cashdesk/invoices/import/"
BREACHES = "/privacy/breaches/"
REGISTER = "/privacy/register/"
BRANCH_TASKS = "/work/tasks/"
TICKETS = "/servicedesk/"
TEAMS = "/servicedesk/teams/"
TYPES = "/servicedesk/types/"
DESK_REPORT = "/servicedesk/report/"
MAILBOXES = "/mailbox/"
WEBHOOKS = "/webhooks/"
CHAT = "/chat/"
CHAT_DESKS = "/chat/desks/"
COMPLAINTS = "/complaints/"
PIPELINE = "/pipeline/"
STAGES = "/pipeline/stages/"
PLANS = "/pipeline/plans/"
PACKS = "/pipeline/packs/"
FUNNEL = "/pipeline/funnel/"
ANALYTICS = "/analytics/"
GOALS = "/analytics/goals/"
KPIS = "/analytics/kpis/"
EFFECT = "/analytics/campaigns/"
LOYALTY_INDEX = "/analytics/loyalty/"
SEGMENTS = "/analytics/segments/"
COMPLAINT_LETTERS = "/complaints/letters/"
COMPLAINT_STATS = "/complaints/statistics/"
SURVEY_RESULTS = "/surveys/"
QUESTIONNAIRES = "/surveys/questionnaires/"
FOLLOWUPS = "/surveys/followups/"
CAMPAIGNS = "/campaigns/"
MAILINGS = "/campaigns/mailings/"
PRINT_SHOPS = "/campaigns/print-shops/"
LOYALTY = "/loyalty/"
PROGRAMMES = "/loyalty/programmes/"
DRAWS = "/loyalty/draws/"
DISPLAYS = "/displays/"
DISPLAY_GUIDANCE = "/displays/guidance/"

#: demo e-mail → the main-menu hrefs that role must see (and no others).
ROLE_MENUS = {
    "admin": ("admin@demo.punkt.pl", {DASHBOARD, CUSTOMERS, SCHEDULE, EMPLOYEES, BRANCHES, AUDIT,
                                      ROLES, GDPR, FROM_HQ, CONTRACTS, CHURN, REPORTS, CATALOG,
                                      STOCK, SALES, SALES_REPORT, TILLS, BREACHES,
                                      REGISTER, BRANCH_TASKS, TICKETS, TEAMS, TYPES,
                                      DESK_REPORT, MAILBOXES, WEBHOOKS, CHAT,
                                      CHAT_DESKS, COMPLAINTS, PIPELINE, STAGES,
                                      ANALYTICS, GOALS, KPIS, EFFECT, COMPLAINT_LETTERS,
                                      COMPLAINT_STATS, LOYALTY_INDEX,
                                      PLANS, PACKS, FUNNEL, CAMPAIGNS, MAILINGS, PRINT_SHOPS,
                                      SURVEY_RESULTS,
                                      QUESTIONNAIRES, FOLLOWUPS, LOYALTY, DRAWS, PROGRAMMES,
                                      DISPLAYS, DISPLAY_GUIDANCE, SEGMENTS}),
    "hq_expert": ("ekspert@demo.punkt.pl", {DASHBOARD, CUSTOMERS, SCHEDULE, EMPLOYEES, BRANCHES,
                                            GDPR, FROM_HQ, PUBLISH, CONTRACTS, CHURN, REPORTS,
                                            TEMPLATES, CATALOG, STOCK, ORDERS, SALES,
                                            SALES_REPORT, TILLS, INVOICE_FILES, REGISTER,
                                            BRANCH_TASKS, TICKETS, DESK_REPORT, MAILBOXES,
                                            CHAT, TYPES, COMPLAINTS, PIPELINE, STAGES,
                                            ANALYTICS, GOALS, KPIS, EFFECT, COMPLAINT_LETTERS,
                                            COMPLAINT_STATS, FUNNEL, LOYALTY_INDEX,
                                            PLANS, PACKS, CAMPAIGNS, MAILINGS, PRINT_SHOPS,
                                            SURVEY_RESULTS,
                                            QUESTIONNAIRES, LOYALTY, DRAWS, PROGRAMMES, DISPLAYS,
                                            DISPLAY_GUIDANCE, SEGMENTS}),
    "manager": ("kierownik@demo.punkt.pl", {DASHBOARD, CUSTOMERS, SCHEDULE, EMPLOYEES, FROM_HQ,
                                            CONTRACTS, TO_CHECK, RETENTION, CHURN, REPORTS,
                                            CATALOG, STOCK, SALES, SALES_REPORT, COUNTER, TILLS,
                                            BRANCH_TASKS, TICKETS, TEAMS, DESK_REPORT, CHAT,
                                            CHAT_DESKS, COMPLAINTS, PIPELINE, ANALYTICS, GOALS,
                                            KPIS, EFFECT, COMPLAINT_STATS, PLANS, PACKS,
                                            FUNNEL, CAMPAIGNS, MAILINGS, LOYALTY_INDEX,
                                            SURVEY_RESULTS, FOLLOWUPS, LOYALTY, DRAWS, DISPLAYS,
                                            DISPLAY_GUIDANCE, SEGMENTS}),
    "service": ("obsluga@demo.punkt.pl", {DASHBOARD, CUSTOMERS, SCHEDULE, FROM_HQ, CONTRACTS,
                                          CATALOG, STOCK, SALES, COUNTER, TICKETS, CHAT,
                                          COMPLAINTS, PIPELINE, ANALYTICS, CAMPAIGNS, LOYALTY,
                                          DRAWS,
                                          FUNNEL, DISPLAYS, DISPLAY_GUIDANCE, SEGMENTS}),
    "retention": ("retencja@demo.punkt.pl", {DASHBOARD, CUSTOMERS, SCHEDULE, FROM_HQ, CONTRACTS,
                                             RETENTION, CATALOG, STOCK, COMPLAINTS, PIPELINE,
                                             ANALYTICS, CAMPAIGNS, FOLLOWUPS, LOYALTY, DRAWS,
                                             FUNNEL, SEGMENTS}),
    "cashier": ("kasjer@demo.punkt.pl", {DASHBOARD, CUSTOMERS, SCHEDULE, FROM_HQ, CATALOG,
                                         STOCK, TILL, TILLS}),
}


def seed_demo() -> None:
    from punkt.organization.demo import seed_organization
    from punkt.organization.permissions import SystemActor

    seed_organization(SystemActor("e2e"))


def sign_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    response = page.goto(LOGIN)
    assert response is not None and response.status == 200
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form:has(input[name=password]) button[type=submit]")
    page.wait_for_selector("[data-testid=dashboard]")
    assert _path(page.url) == DASHBOARD


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0]


def menu_hrefs(page: Any) -> list[str]:
    return page.eval_on_selector_all("nav.mainnav a", "els => els.map(a => a.getAttribute('href'))")


def open_menu_for(page: Any, href: str) -> None:
    """Open the drop-down holding the entry, as a person would (entries on the bar are
    visible already)."""
    link = page.locator(f'nav.mainnav a[href="{href}"]')
    if not link.is_visible():
        page.locator(f'nav.mainnav details:has(a[href="{href}"]) > summary').click()
        assert link.is_visible(), f"{href} does not show when its menu opens"


@pytest.mark.parametrize("role", list(ROLE_MENUS))
def test_role_walks_dashboard_menu_and_signs_out(page: Any, problems: Any, role: str) -> None:
    seed_demo()
    email, expected_menu = ROLE_MENUS[role]
    sign_in(page, email)

    hrefs = menu_hrefs(page)
    assert len(hrefs) == len(set(hrefs)), f"duplicate menu entries: {hrefs}"
    assert set(hrefs) == expected_menu, f"{role} menu: {hrefs}"
    assert page.locator('nav.mainnav a[href="/"][aria-current=page]').count() == 1
    if role == "admin":
        open_menu_for(page, AUDIT)
        assert page.locator(f'nav.mainnav a[href="{AUDIT}"]').is_visible()
    else:
        assert page.locator(f'a[href="{AUDIT}"]').count() == 0

    for href in hrefs:
        link = page.locator(f'nav.mainnav a[href="{href}"]')
        open_menu_for(page, href)
        with page.expect_navigation() as nav:
            link.click()
        response = nav.value
        assert response is not None, f"{role}: no response for {href}"
        assert response.status < 400, f"{role}: {href} → {response.status} ({page.url})"
        assert page.locator("[data-testid=forbidden]").count() == 0, f"{role}: {href} forbidden"
        assert page.locator(".error-page").count() == 0, f"{role}: {href} shows an error page"
        assert page.locator("nav.mainnav").count() == 1, f"{role}: {href} lost the menu"
        if _path(page.url) == href:
            # The entry just followed is marked as the current page. (Not checked after a
            # redirect: Schedule lands on /organisation/branches/<id>/schedule/, where the
            # prefix match marks nothing, or "Branches" for HQ roles.)
            current = page.eval_on_selector_all(
                "nav.mainnav a[aria-current=page]", "els => els.map(a => a.getAttribute('href'))"
            )
            assert current == [href], f"{role}: on {page.url} current menu entry is {current}"

    page.click("[data-testid=user-menu]")
    with page.expect_navigation():
        page.click("[data-testid=logout]")
    assert _path(page.url) == LOGIN
    assert page.locator("input[name=password]").is_visible()
    assert page.locator("nav.mainnav").count() == 0
    # Signed out for real: the dashboard now sends us back to the login page.
    page.goto(DASHBOARD)
    assert _path(page.url) == LOGIN

    problems.assert_clean()


def test_manager_sees_own_branch_schedule_but_not_another(page: Any, problems: Any) -> None:
    from punkt.organization.models import Branch

    seed_demo()
    krakow = Branch.objects.get(code="KRK-01")
    lodz = Branch.objects.get(code="LDZ-01")
    sign_in(page, "kierownik@demo.punkt.pl")

    open_menu_for(page, SCHEDULE)
    with page.expect_navigation() as nav:
        page.click(f'nav.mainnav a[href="{SCHEDULE}"]')
    assert nav.value.status == 200
    own = f"/organisation/branches/{krakow.pk}/schedule/"
    assert _path(page.url) == own
    assert page.get_by_text("Katarzyna", exact=False).first.is_visible()

    other = f"/organisation/branches/{lodz.pk}/schedule/"
    problems.expect_failure(other)
    response = page.goto(other)
    assert response is not None and response.status == 404
    assert page.locator(".error-page").count() == 1
    assert page.locator("[data-testid=forbidden]").count() == 0
    body = page.locator("main").inner_text()
    assert "Łódź" not in body and "Łucja" not in body, "404 page leaks the other branch"
    problems.assert_clean()


def test_language_switch_to_english_and_back(page: Any, problems: Any) -> None:
    seed_demo()
    sign_in(page, "admin@demo.punkt.pl")
    assert page.get_attribute("html", "lang") == "pl"
    assert page.input_value("select#lang") == "pl"
    polish_heading = page.locator("main h1").inner_text()
    polish_menu = page.locator(f'nav.mainnav a[href="{DASHBOARD}"]').inner_text()
    # Polish by default (the app's own catalogue, not just allauth's).
    assert polish_heading != "Hello, Anna" and "Anna" in polish_heading
    assert polish_menu != "Dashboard"

    with page.expect_navigation():
        page.select_option("select#lang", "en")
    page.wait_for_selector("[data-testid=dashboard]")
    assert _path(page.url) == DASHBOARD
    assert page.get_attribute("html", "lang") == "en"
    assert page.input_value("select#lang") == "en"
    assert page.locator("main h1").inner_text() == "Hello, Anna"
    assert page.locator(f'nav.mainnav a[href="{DASHBOARD}"]').inner_text() == "Dashboard"
    assert page.get_by_test_id("menu-organisation").inner_text() == "Organisation"
    open_menu_for(page, AUDIT)
    assert page.locator(f'nav.mainnav a[href="{AUDIT}"]').inner_text() == "Audit log"
    assert page.locator(f'nav.mainnav a[href="{SCHEDULE}"]').inner_text() == "Schedule"
    # The choice sticks across pages.
    page.click(f'nav.mainnav a[href="{SCHEDULE}"]')
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"

    with page.expect_navigation():
        page.select_option("select#lang", "pl")
    assert page.get_attribute("html", "lang") == "pl"
    assert page.input_value("select#lang") == "pl"
    page.goto(DASHBOARD)
    assert page.get_attribute("html", "lang") == "pl"
    assert page.locator("main h1").inner_text() == polish_heading
    assert page.locator(f'nav.mainnav a[href="{DASHBOARD}"]').inner_text() == polish_menu
    problems.assert_clean()
