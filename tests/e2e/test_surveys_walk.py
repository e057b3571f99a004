"""Browser: a survey answered with a 2 → a follow-up → the retention employee records the
call. The customer opens the link on a phone (390×844, no sign-in) and answers; the
retention employee finds the low score in "My work", opens the follow-up (1366×768) and
closes it with the call's outcome; the callback task is done."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_contract_walk import signed_in  # noqa: F401 - fixture
from tests.world import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(Path(os.environ.get("PUNKT_E2E_SHOTS", tmp_path)) / name),
                    full_page=True)


def test_a_low_score_is_called_back(browser: Any, live_server: Any, signed_in: Any,  # noqa: F811
                                    problems: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from punkt.surveys.models import FollowUp
    from punkt.surveys.tests.factories import invitation
    from punkt.work.models import Task

    world = make_world()
    inv, token = invitation(world)
    phone = browser.new_context(base_url=live_server.url, locale="pl-PL",
                                viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.goto(f"/survey/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jak oceniasz naszą obsługę?")
    first, second = page.locator("fieldset").all()
    first.get_by_label("4").check()
    second.get_by_label("2").check()
    page.get_by_label("Czy chcesz coś dodać?").fill("Faktura nadal błędna.")
    _shot(page, tmp_path, "survey-answer-390.png")
    page.get_by_test_id("survey-submit").click()
    expect(page.get_by_test_id("survey-thanks")).to_contain_text("Dziękujemy")
    phone.close()
    followup = FollowUp.objects.get()

    work = signed_in(world.retention_a.email)
    work.set_viewport_size({"width": 1366, "height": 768})
    work.goto("/work/")
    section = work.get_by_test_id("survey-followups")
    expect(section).to_contain_text(inv.customer.display_name)
    with work.expect_navigation():
        section.get_by_role("link", name=inv.customer.display_name).click()
    expect(work.get_by_test_id("answers")).to_contain_text("Czy sprawa została załatwiona?")
    expect(work.get_by_test_id("comment")).to_contain_text("Faktura nadal błędna.")
    work.get_by_label("rozmowa odbyta, sprawa wyjaśniona").check()
    work.get_by_label("Notatka").fill("Korekta faktury wysłana.")
    _shot(work, tmp_path, "survey-followup-1366.png")
    with work.expect_navigation():
        work.get_by_test_id("close").click()
    expect(work.get_by_test_id("outcome")).to_contain_text("rozmowa odbyta, sprawa wyjaśniona")
    followup.refresh_from_db()
    assert (followup.status, followup.note) == ("closed", "Korekta faktury wysłana.")
    assert Task.objects.get(pk=followup.task_id).status == "done"
