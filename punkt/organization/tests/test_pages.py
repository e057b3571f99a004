"""The pages people use, through HTTP: happy paths and errors next to fields."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from punkt.organization.models import Absence, BranchDayOff, Membership, WorkingHours


def test_admin_grants_a_role_from_the_employee_page(world: Any, client_as: Any) -> None:
    client = client_as(world.admin)
    url = reverse("organization:membership_add", kwargs={"employee_id": world.service_a.pk})
    response = client.post(url, {"branch": world.b.pk, "role": "cashier"}, follow=True)
    assert Membership.objects.filter(employee=world.service_a, branch=world.b,
                                     role="cashier").exists()
    assert response.status_code == 200
    # Granting it again explains why it cannot.
    response = client.post(url, {"branch": world.b.pk, "role": "cashier"}, follow=True)
    assert "msg-error" in response.content.decode()


def test_manager_records_absence_with_substitute(world: Any, client_as: Any) -> None:
    client = client_as(world.manager_a)
    url = reverse("organization:absence_create", kwargs={"branch_id": world.a.pk})
    response = client.post(url, {"employee": world.cashier_a.pk, "kind": "sick",
                                 "starts_on": "2026-12-01", "ends_on": "2026-11-30",
                                 "substitute": world.service_a.pk})
    assert response.status_code == 200 and 'id="id_ends_on_error"' in response.content.decode()
    assert not Absence.objects.exists()
    response = client.post(url, {"employee": world.cashier_a.pk, "kind": "sick",
                                 "starts_on": "2026-12-01", "ends_on": "2026-12-03",
                                 "substitute": world.service_a.pk})
    assert response.status_code == 302
    schedule = client.get(response["Location"] + "?week=2026-11-30").content.decode()
    assert world.service_a.full_name in schedule


def test_manager_sets_working_hours(world: Any, client_as: Any) -> None:
    url = reverse("organization:working_hours_edit",
                  kwargs={"branch_id": world.a.pk, "employee_id": world.cashier_a.pk})
    client = client_as(world.manager_a)
    response = client.post(url, {"0_starts": "08:00", "0_ends": ""})
    assert response.status_code == 200 and "0_ends" in response.content.decode()
    response = client.post(url, {"0_starts": "08:00", "0_ends": "16:00"})
    assert response.status_code == 302
    assert WorkingHours.objects.get(employee=world.cashier_a).weekday == 0


def test_hq_adds_branch_day_off(world: Any, client_as: Any) -> None:
    url = reverse("organization:day_off_add", kwargs={"branch_id": world.a.pk})
    client_as(world.expert).post(url, {"date": "2026-12-31", "name": "Inwentaryzacja"})
    assert BranchDayOff.objects.get(branch=world.a).name == "Inwentaryzacja"
    page = client_as(world.expert).get(
        reverse("organization:branch_detail", kwargs={"branch_id": world.a.pk}))
    assert "Inwentaryzacja" in page.content.decode()


def test_employee_list_paging_sorting_and_htmx_fragment(world: Any, client_as: Any,
                                                        django_assert_max_num_queries: Any
                                                        ) -> None:
    client = client_as(world.admin)
    client.get("/")
    with django_assert_max_num_queries(10):
        page = client.get("/organisation/employees/?sort=-name&per_page=3")
    html = page.content.decode()
    # Last names descending: Test, Test, B | B, A, A …
    assert "@test.pl" in html and ".a@test.pl" not in html and ".b@test.pl" in html
    fragment = client.get("/organisation/employees/?page=2&per_page=3", HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert 'id="results"' in text and "<html" not in text


def test_dashboard_absence_panels(world: Any, client_as: Any) -> None:
    """"My week" and "My branch today" each read their absences in one statement and split
    them: today's absent (covered or not), the next 14 days, the user's own, stand-ins."""
    import datetime

    from punkt.organization import services

    today = datetime.date.today()
    day = datetime.timedelta(days=1)
    for employee, start, end, substitute in [
        (world.cashier_a, today - day, today + day, world.service_b),  # away, covered
        (world.service_a, today, today, None),  # away today, uncovered
        (world.manager_a, today + 3 * day, today + 4 * day, None),  # own, coming
        (world.cashier_a, today + 10 * day, today + 11 * day, None),  # in 14 days
        (world.service_a, today + 20 * day, today + 21 * day, None),  # later
    ]:
        services.absence_create(actor=world.admin, employee_id=employee.pk,
                                branch_id=world.a.pk, kind="leave", starts_on=start,
                                ends_on=end, substitute_id=substitute and substitute.pk)

    def panels(user: Any) -> dict[str, Any]:
        response = client_as(user).get("/")
        assert response.status_code == 200
        return {p["template"].rsplit("/", 1)[-1]: p["ctx"] for p in response.context["panels"]}

    manager = panels(world.manager_a)
    branch = manager["branch_today.html"]
    assert {a.employee_id for a in branch["absent"]} == {world.cashier_a.pk, world.service_a.pk}
    assert [a.employee_id for a in branch["uncovered"]] == [world.service_a.pk]
    assert branch["upcoming"] == 2
    assert [a.starts_on for a in manager["my_week.html"]["absences"]] == [today + 3 * day]
    substitute = panels(world.service_b)["my_week.html"]
    assert [a.employee_id for a in substitute["covering"]] == [world.cashier_a.pk]
    assert substitute["absences"] == []
