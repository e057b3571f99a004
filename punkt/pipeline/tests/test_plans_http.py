"""Pages and API of the sales plans and monthly packs: who sees and sets what, another
branch's a 404, refusals naming the field with the input kept, the locked month said, the
sum warning, the pack's PDF text, "My plan" on the dashboard."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from punkt.pipeline import packs
from punkt.pipeline import plans as P
from punkt.pipeline.models import MonthlyPack, SalesPlan

pytestmark = pytest.mark.django_db


def _key(month: Any) -> str:
    return f"{month:%Y-%m}"


def test_who_may_open_the_plans_and_packs(world: Any, client_as: Any) -> None:
    for user, status in ((world.service_a, 403), (world.cashier_a, 403),
                         (world.manager_a, 200), (world.expert, 200)):
        c = client_as(user)
        assert c.get(reverse("pipeline:plans")).status_code == status
        assert c.get(reverse("pipeline:packs")).status_code == status
    page = client_as(world.manager_a).get(reverse("pipeline:plans")).content.decode()
    assert "Oddział A" in page and "Oddział B" not in page
    every = client_as(world.expert).get(reverse("pipeline:plans")).content.decode()
    assert "Oddział A" in every and "Oddział B" in every
    month = _key(P.current_month())
    for name, kwargs in (("pipeline:plan_year", {"branch_id": world.b.pk}),
                         ("pipeline:plan_split", {"branch_id": world.b.pk, "month": month}),
                         ("pipeline:pack_detail", {"branch_id": world.b.pk, "month": month}),
                         ("pipeline:pack_pdf", {"branch_id": world.b.pk, "month": month})):
        assert client_as(world.manager_a).get(reverse(name, kwargs=kwargs)).status_code == 404
        assert client_as(world.service_b).get(reverse(name, kwargs=kwargs)).status_code == 404


def test_hq_saves_the_year_and_a_bad_cell_names_its_field(world: Any, client_as: Any) -> None:
    month = P.next_month(P.current_month())
    year = month.year
    url = reverse("pipeline:plan_year", args=[world.a.pk]) + f"?year={year}"
    c = client_as(world.expert)
    cell = f"sales_net-{_key(month)}"
    refused = c.post(url, {"year": year, cell: "12 000,00", f"won-{_key(month)}": "x"})
    body = refused.content.decode()
    assert refused.status_code == 200 and not SalesPlan.objects.exists()
    assert 'value="12 000,00"' in body
    assert f'name="won-{_key(month)}" value="x"' in body and 'aria-invalid="true"' in body
    assert "liczbę całkowitą" in body
    saved = c.post(url, {"year": year, cell: "12 000,00", f"won-{_key(month)}": "4"})
    assert saved.status_code == 302
    plan = SalesPlan.objects.get()
    assert plan.sales_net == Decimal("12000.00") and plan.won == 4 and plan.month == month
    # the manager sees the year but cannot change it
    page = client_as(world.manager_a).get(url).content.decode()
    assert "12\xa0000,00" in page and f'name="{cell}"' not in page
    assert client_as(world.manager_a).post(url, {"year": year, cell: "1"}).status_code == 403
    assert SalesPlan.objects.get().sales_net == Decimal("12000.00")


def test_the_past_month_is_shown_locked(world: Any, client_as: Any) -> None:
    past = P.previous_month(P.current_month())
    SalesPlan.objects.create(branch=world.a, month=past, won=2)
    page = client_as(world.manager_a).get(reverse(
        "pipeline:plan_split", args=[world.a.pk, _key(past)])).content.decode()
    assert 'data-testid="locked"' in page and "zablokowane" in page
    assert f'name="won-{world.service_a.pk}"' not in page
    refused = client_as(world.manager_a).post(reverse(
        "pipeline:plan_split", args=[world.a.pk, _key(past)]),
        {f"won-{world.service_a.pk}": "2"}, follow=True)
    assert "zablokowany" in refused.content.decode()
    assert not SalesPlan.objects.filter(employee__isnull=False).exists()


def test_the_manager_splits_the_plan_and_is_warned_of_the_sum(world: Any,
                                                              client_as: Any) -> None:
    month = P.current_month()
    SalesPlan.objects.create(branch=world.a, month=month, won=5, new_customers=4)
    url = reverse("pipeline:plan_split", args=[world.a.pk, _key(month)])
    c = client_as(world.manager_a)
    done = c.post(url, {f"won-{world.service_a.pk}": "3", f"won-{world.retention_a.pk}": "1",
                        f"new_customers-{world.service_a.pk}": "4"})
    assert done.status_code == 302
    assert SalesPlan.objects.filter(employee__isnull=False).count() == 2
    page = c.get(url).content.decode()
    assert 'data-testid="sum-warning"' in page and "pracownicy 4, oddział 5" in page
    assert client_as(world.expert).post(url, {f"won-{world.service_a.pk}": "9"}
                                        ).status_code == 403
    assert SalesPlan.objects.get(employee=world.service_a).won == 3


def test_the_pack_page_recompute_and_pdf(world: Any, client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer

    month = P.current_month()
    SalesPlan.objects.create(branch=world.a, month=month, new_customers=2,
                             sales_net=Decimal("1000.00"))
    customer(world)
    c = client_as(world.manager_a)
    url = reverse("pipeline:pack_detail", args=[world.a.pk, _key(month)])
    page = c.get(url).content.decode()
    assert "Nie przygotowano jeszcze" in page and "Nowi klienci" in page and "50%" in page
    assert c.post(reverse("pipeline:pack_recompute", args=[world.a.pk, _key(month)])
                  ).status_code == 302
    kept = MonthlyPack.objects.get(branch=world.a, month=month)
    assert kept.prepared_by_id == world.manager_a.pk
    assert "Przygotowano" in c.get(url).content.decode()
    pdf = c.get(reverse("pipeline:pack_pdf", args=[world.a.pk, _key(month)]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.content,
                              capture_output=True, check=True).stdout.decode()
        assert "Pakiet miesięczny: Oddział A" in text and "Nowi klienci" in text
        assert "Cel: o 20 procent więcej nowych klientów" in text and "Lejek sprzedaży" in text
    listing = client_as(world.expert).get(reverse("pipeline:packs") + f"?month={_key(month)}")
    assert "Oddział A" in listing.content.decode()


def test_my_plan_on_the_dashboard(world: Any, client_as: Any) -> None:
    SalesPlan.objects.create(branch=world.a, month=P.current_month(),
                             employee=world.service_a, won=2)
    page = client_as(world.service_a).get(reverse("core:dashboard")).content.decode()
    assert "Mój plan na ten miesiąc" in page and 'data-testid="my-plan"' in page
    other = client_as(world.retention_a).get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="my-plan"' not in other


def _api(c: Any, method: str, url: str, body: Any = None) -> Any:
    return getattr(c, method)(url, data=json.dumps(body) if body is not None else None,
                              content_type="application/json")


def test_api_sets_and_lists_plans_by_role(world: Any, client_as: Any) -> None:
    month = _key(P.current_month())
    body = {"branch_id": world.a.pk, "month": month, "sales_net": "1500.00",
            "collected": "0", "contracts": 1, "new_customers": 2, "won": 1}
    assert _api(client_as(world.manager_a), "put", "/api/v1/sales-plans", body
                ).status_code == 403
    made = _api(client_as(world.expert), "put", "/api/v1/sales-plans", body)
    assert made.status_code == 200 and made.json()["sales_net"] == "1500.00"
    share = _api(client_as(world.manager_a), "put", "/api/v1/sales-plans",
                 {**body, "employee_id": world.service_a.pk})
    assert share.status_code == 200 and share.json()["employee_id"] == world.service_a.pk
    wrong = _api(client_as(world.manager_a), "put", "/api/v1/sales-plans",
                 {**body, "employee_id": world.service_b.pk})
    assert wrong.status_code == 422 and wrong.json()["field"] == "employee_id"
    past = _api(client_as(world.expert), "put", "/api/v1/sales-plans",
                {**body, "month": _key(P.previous_month(P.current_month()))})
    assert past.status_code == 422 and past.json()["field"] == "month"
    mine = _api(client_as(world.service_a), "get", "/api/v1/sales-plans").json()["items"]
    assert [p["employee_id"] for p in mine] == [world.service_a.pk]
    assert len(_api(client_as(world.manager_a), "get", "/api/v1/sales-plans"
                    ).json()["items"]) == 2
    assert _api(client_as(world.manager_b), "get", "/api/v1/sales-plans").json()["items"] == []


def test_api_monthly_packs(world: Any, client_as: Any) -> None:
    month = P.previous_month(P.current_month())
    packs.prepare_all(month)
    listed = _api(client_as(world.manager_a), "get", "/api/v1/monthly-packs").json()["items"]
    assert [p["branch_id"] for p in listed] == [world.a.pk]
    assert len(_api(client_as(world.expert), "get", "/api/v1/monthly-packs").json()["items"]) == 2
    one = _api(client_as(world.manager_a), "get",
               f"/api/v1/monthly-packs/{world.a.pk}/{_key(month)}").json()
    assert one["stored"] and one["figures"]["goal"]["target"] == 0
    live = _api(client_as(world.manager_a), "get",
                f"/api/v1/monthly-packs/{world.a.pk}/{_key(P.current_month())}").json()
    assert not live["stored"] and "measures" in live["figures"]
    assert _api(client_as(world.manager_a), "get",
                f"/api/v1/monthly-packs/{world.b.pk}/{_key(month)}").status_code == 404
    assert _api(client_as(world.service_a), "get", "/api/v1/monthly-packs").status_code == 403
