"""The main menu fits one row at 1366 px for every role (the manager's is the longest):
the top bar stays at most 56 px high, every entry and the user menu on one line.

Run: ``pytest tests/e2e -m e2e``. Uses Debian's /usr/bin/chromium (see conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_dashboard_walk import ROLE_MENUS, seed_demo, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]

WIDTH, HEIGHT = 1366, 768
MAX_BAR_PX = 56

MEASURE = """() => {
  const box = e => e.getBoundingClientRect();
  const bar = document.querySelector('header.topbar');
  const tops = [...document.querySelectorAll(
      'nav.mainnav > ul > li, header.topbar .usermenu, header.topbar .langswitch')]
    .map(e => Math.round(box(e).top + box(e).height / 2));
  return {height: box(bar).height, rows: [...new Set(tops)].length,
          overflow: document.documentElement.scrollWidth - window.innerWidth};
}"""


@pytest.mark.parametrize("role", list(ROLE_MENUS))
def test_the_menu_fits_one_row_at_1366(page: Any, problems: Any, role: str) -> None:
    seed_demo()
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    sign_in(page, ROLE_MENUS[role][0])
    found = page.evaluate(MEASURE)
    assert found["height"] <= MAX_BAR_PX, f"{role}: the top bar is {found['height']} px high"
    assert found["rows"] == 1, f"{role}: the menu breaks into {found['rows']} rows"
    assert found["overflow"] <= 0, f"{role}: the page scrolls sideways by {found['overflow']} px"
    # The user menu still names the user (for screen readers and on hover) and opens.
    page.click("[data-testid=user-menu]")
    assert page.locator(".usermenu .whoami").is_visible()
    problems.assert_clean()
