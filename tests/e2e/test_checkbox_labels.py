"""Checkbox and radio labels sit beside their boxes, on the same line, on every form that
has them (filters, the customer form, the role policy, HQ's product form …): the label's
first line starts right of the box and the box is centred on that line.

Run: ``pytest tests/e2e -m e2e``. Uses Debian's /usr/bin/chromium (see conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_dashboard_walk import seed_demo, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]

#: demo user → pages with checkboxes or radios that need no further data.
PAGES = {
    "obsluga@demo.punkt.pl": ["/customers/new/"],
    "retencja@demo.punkt.pl": ["/retention/"],
    "kierownik@demo.punkt.pl": ["/stock/"],
    "admin@demo.punkt.pl": ["/organisation/roles/", "/organisation/employees/new/"],
    "ekspert@demo.punkt.pl": ["/catalog/new/"],
    "kasjer@demo.punkt.pl": ["/cashdesk/"],  # the till's search, once the till is open
}


def open_the_till(email: str) -> None:
    from punkt.cashdesk import services
    from punkt.organization.models import Branch, Employee

    services.till_open(actor=Employee.objects.get(email=email),
                       branch_id=Branch.objects.get(code="KRK-01").pk, opening_float="100")

#: Every visible box in <main>: where it is and where its label's first line of text is.
MEASURE = """() => [...document.querySelectorAll(
    'main input[type=checkbox], main input[type=radio]')].filter(b => b.offsetParent).map(b => {
  const label = b.closest('label') || (b.id && document.querySelector(`label[for="${b.id}"]`));
  if (!label) { return {name: b.name, label: null}; }
  const range = document.createRange();
  const texts = [...label.childNodes].filter(n => n !== b && n.textContent.trim());
  range.setStartBefore(texts[0]); range.setEndAfter(texts[texts.length - 1]);
  const line = range.getClientRects()[0], box = b.getBoundingClientRect();
  return {name: b.name, label: label.textContent.trim().slice(0, 40),
          gap: line.left - box.right, box_mid: box.top + box.height / 2,
          line_top: line.top, line_bottom: line.bottom};
})"""


@pytest.mark.parametrize("email", list(PAGES))
def test_labels_sit_beside_their_boxes(page: Any, problems: Any, email: str) -> None:
    seed_demo()
    if email.startswith("kasjer@"):
        open_the_till(email)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, email)
    for url in PAGES[email]:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        boxes = page.evaluate(MEASURE)
        assert boxes, f"{url}: no checkbox to check"
        for b in boxes:
            assert b["label"], f"{url}: {b['name']} has no label"
            assert 0 <= b["gap"] <= 16, f"{url}: “{b['label']}” is not right beside its box {b}"
            assert b["line_top"] <= b["box_mid"] <= b["line_bottom"], (
                f"{url}: “{b['label']}” is not on its box's line {b}")
    problems.assert_clean()
