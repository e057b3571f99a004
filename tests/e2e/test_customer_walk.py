"""Browser: a customer-service employee registers a customer with consents, finds them by
a misspelt name, adds a note and sees it on the timeline; another branch cannot open it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_dashboard_walk import seed_demo, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def test_register_find_note_and_isolation(page: Any, problems: Any, browser: Any,
                                          live_server: Any) -> None:
    seed_demo()
    sign_in(page, "obsluga@demo.punkt.pl")
    page.click('nav.mainnav a[href="/customers/"]')
    page.click("text=Nowy klient" if page.locator("text=Nowy klient").count()
               else 'a[href="/customers/new/"]')
    business = page.locator("fieldset[data-for-kind='company sole_trader']")
    page.check('input[name=kind][value=person]')
    assert business.is_hidden()  # a person's form shows no company profile
    page.check('input[name=kind][value=company]')
    assert business.is_visible()
    page.check('input[name=kind][value=person]')
    assert business.is_hidden()
    page.fill("input[name=first_name]", "Grzegorz")
    page.fill("input[name=last_name]", "Brzęczyszczykiewicz")
    page.fill("input[name=pesel]", "85010112345")
    page.fill("input[name=phone]", "601 234 567")
    page.fill("input[name=city]", "Łódź")
    page.check("input[name=consent_contract]")
    page.check("input[name=consent_marketing_email]")
    with page.expect_navigation():  # Enter in a field saves (not the recommender's "Find")
        page.press("input[name=city]", "Enter")
    assert re.search(r"/customers/\d+/$", page.url), page.url
    profile_url = page.url
    assert page.locator("[data-testid=pesel]").inner_text() == "850101*****"
    assert page.locator("[data-testid=consents] .badge.ok").count() == 2  # basis + e-mail

    # Find by a misspelt name, with and without Polish letters.
    page.goto("/customers/")
    page.fill("input[name=q]", "brzeczyszczykiewic")
    page.wait_for_selector("[data-testid=customer-table] a:has-text('Brzęczyszczykiewicz')")
    page.click("[data-testid=customer-table] a:has-text('Brzęczyszczykiewicz')")
    page.wait_for_url(profile_url)

    # A note in a couple of keystrokes: it appears on the timeline without a reload.
    page.fill("textarea[name=body]", "Klient prosi o ofertę światłowodu <b>pilne</b>")
    page.click("form[hx-post*='/notes/'] button[type=submit]")
    page.wait_for_selector("[data-testid=timeline] :text('Klient prosi o ofertę światłowodu')")
    assert "<b>pilne</b>" in page.locator("[data-testid=timeline]").inner_text()
    problems.assert_clean()

    # Another branch's employee gets "not found".
    other = browser.new_context(base_url=live_server.url, locale="pl-PL")
    other_page = other.new_page()
    sign_in(other_page, "obsluga.lodz@demo.punkt.pl")
    response = other_page.goto(profile_url)
    assert response is not None and response.status == 404
    assert "Brzęczyszczykiewicz" not in other_page.content()
    other.close()
