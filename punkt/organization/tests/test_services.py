from __future__ import annotations

import datetime
from typing import Any

import pytest

from punkt.core.errors import ActionDenied, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.core.roles import Role
from punkt.organization import services
from punkt.organization.models import Absence, Branch, Employee, Membership
from punkt.organization.permissions import access_of, compute_access

GOOD_BRANCH = {"code": "waw-02", "name": "Warszawa Mokotów", "street": "ul. Puławska 1",
               "postal_code": "02-515", "city": "Warszawa"}


def test_branch_create_normalises_and_audits(world: Any) -> None:
    branch = services.branch_create(actor=world.admin, **GOOD_BRANCH)
    assert branch.code == "WAW-02"
    event = AuditEvent.objects.get(action="organization.branch.create")
    assert event.actor_id == world.admin.pk and event.changes["city"] == [None, "Warszawa"]


@pytest.mark.parametrize("field,value,code", [
    ("postal_code", "02515", "invalid"), ("postal_code", "", "required"),
    ("code", "ŁÓDŹ 1", "invalid"), ("name", "  ", "required"), ("email", "nie-mail", "invalid"),
    ("phone", "abc", "invalid"), ("code", "AAA-01", "duplicate"),
])
def test_branch_create_names_the_bad_field(world: Any, field: str, value: str,
                                           code: str) -> None:
    before = Branch.objects.count()
    with pytest.raises(ValidationFailed) as err:
        services.branch_create(actor=world.admin, **{**GOOD_BRANCH, field: value})
    assert err.value.field == field and err.value.code == code
    assert Branch.objects.count() == before


def test_manager_cannot_create_branch(world: Any) -> None:
    with pytest.raises(ActionDenied):
        services.branch_create(actor=world.manager_a, **GOOD_BRANCH)


def test_second_hq_refused(world: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.branch_create(actor=world.admin, kind="hq", **GOOD_BRANCH)
    assert err.value.field == "kind"


def test_employee_create_is_all_or_nothing(world: Any) -> None:
    """An invalid membership rolls back the new employee too."""
    with pytest.raises(ValidationFailed) as err:
        services.employee_create(actor=world.admin, email="nowy@test.pl", first_name="Jan",
                                 last_name="Nowak", password="Dlugie-Haslo-2026!",
                                 memberships=[(world.hq.pk, Role.SERVICE)])
    assert err.value.field == "branch"
    assert not Employee.objects.filter(email="nowy@test.pl").exists()
    assert not AuditEvent.objects.filter(action="organization.employee.create").exists()


def test_employee_create_rejects_weak_password(world: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.employee_create(actor=world.admin, email="nowy@test.pl", first_name="Jan",
                                 last_name="Nowak", password="krotkie")
    assert err.value.field == "password"


def test_employee_email_unique_case_insensitive(world: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.employee_create(actor=world.admin, email="OBSLUGA.A@test.pl",
                                 first_name="X", last_name="Y")
    assert err.value.code == "duplicate" and err.value.field == "email"


def test_hq_roles_only_at_hq(world: Any) -> None:
    with pytest.raises(ValidationFailed):
        services.membership_add(actor=world.admin, employee_id=world.service_a.pk,
                                branch_id=world.a.pk, role=Role.ADMIN)


def test_membership_add_and_remove(world: Any) -> None:
    m = services.membership_add(actor=world.admin, employee_id=world.service_a.pk,
                                branch_id=world.b.pk, role=Role.CASHIER)
    assert compute_access(world.service_a).can("organization.schedule.view", world.b.pk)
    services.membership_remove(actor=world.admin, membership_id=m.pk)
    assert not compute_access(world.service_a).can("organization.schedule.view", world.b.pk)
    assert Membership.objects.filter(pk=m.pk, is_active=False).exists()


def test_cannot_remove_own_admin_role(world: Any) -> None:
    m = world.admin.memberships.get()
    with pytest.raises(ValidationFailed):
        services.membership_remove(actor=world.admin, membership_id=m.pk)


def test_manager_edits_only_own_branch_schedule(world: Any) -> None:
    hours = [{"weekday": 0, "starts": "08:00", "ends": "16:00"}]
    services.working_hours_set(actor=world.manager_a, employee_id=world.service_a.pk,
                               branch_id=world.a.pk, hours=hours)
    with pytest.raises(ActionDenied):
        services.working_hours_set(actor=world.manager_a, employee_id=world.service_b.pk,
                                   branch_id=world.b.pk, hours=hours)


def test_working_hours_validation(world: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.working_hours_set(actor=world.manager_a, employee_id=world.service_a.pk,
                                   branch_id=world.a.pk,
                                   hours=[{"weekday": 1, "starts": "16:00", "ends": "08:00"}])
    assert err.value.field == "1_ends"


def test_absence_substitute_gets_roles_for_the_period(world: Any) -> None:
    today = datetime.date.today()
    services.absence_create(actor=world.manager_a, employee_id=world.cashier_a.pk,
                            branch_id=world.a.pk, kind="sick", starts_on=today,
                            ends_on=today + datetime.timedelta(days=2),
                            substitute_id=world.service_b.pk)
    access = compute_access(world.service_b, today)
    assert (world.a.pk, Role.CASHIER) in access.delegated
    later = compute_access(world.service_b, today + datetime.timedelta(days=3))
    assert not later.delegated


def test_access_with_substitution_is_one_query(world: Any,
                                               django_assert_num_queries: Any) -> None:
    """Read on every request: own memberships and the roles held for absent colleagues
    come from one statement, and own roles are never reported as delegated."""
    today = datetime.date.today()
    services.absence_create(actor=world.manager_a, employee_id=world.cashier_a.pk,
                            branch_id=world.a.pk, kind="sick", starts_on=today,
                            ends_on=today, substitute_id=world.service_b.pk)
    with django_assert_num_queries(1):
        access = compute_access(world.service_b, today)
    own = set(Membership.objects.filter(employee=world.service_b, is_active=True)
              .values_list("branch_id", "role"))
    assert own <= access.pairs
    assert access.delegated == {(world.a.pk, Role.CASHIER)} - own
    with django_assert_num_queries(1):
        assert not compute_access(world.cashier_a, today).delegated


def test_absence_overlap_and_self_substitute_refused(world: Any) -> None:
    today = datetime.date.today()
    services.absence_create(actor=world.manager_a, employee_id=world.cashier_a.pk,
                            branch_id=world.a.pk, kind="leave", starts_on=today, ends_on=today)
    with pytest.raises(ValidationFailed) as err:
        services.absence_create(actor=world.manager_a, employee_id=world.cashier_a.pk,
                                branch_id=world.a.pk, kind="leave", starts_on=today,
                                ends_on=today)
    assert err.value.code == "overlap"
    with pytest.raises(ValidationFailed) as err:
        services.absence_create(actor=world.manager_a, employee_id=world.service_a.pk,
                                branch_id=world.a.pk, kind="leave", starts_on=today,
                                ends_on=today, substitute_id=world.service_a.pk)
    assert err.value.field == "substitute"
    assert Absence.objects.count() == 1


def test_absence_end_before_start(world: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.absence_create(actor=world.manager_a, employee_id=world.cashier_a.pk,
                                branch_id=world.a.pk, kind="leave", starts_on="2026-05-10",
                                ends_on="2026-05-01")
    assert err.value.field == "ends_on"


def test_opening_hours_replace_week(world: Any) -> None:
    services.opening_hours_set(actor=world.expert, branch_id=world.a.pk, hours=[
        {"weekday": 0, "opens": "09:00", "closes": "17:00"},
        {"weekday": 5, "opens": "10:00", "closes": "13:00"}])
    assert [h.weekday for h in world.a.opening_hours.all()] == [0, 5]
    with pytest.raises(ValidationFailed):
        services.opening_hours_set(actor=world.expert, branch_id=world.a.pk, hours=[
            {"weekday": 0, "opens": "09:00", "closes": "17:00"},
            {"weekday": 0, "opens": "10:00", "closes": "13:00"}])
    assert world.a.opening_hours.count() == 2


def test_api_token_lifecycle(world: Any) -> None:
    token, secret = services.api_token_create(actor=world.service_a, name="sync")
    assert secret.startswith("pkt_") and token.key_hash != secret
    assert services.api_token_authenticate(secret) == world.service_a
    services.api_token_revoke(actor=world.service_a, token_id=token.pk)
    assert services.api_token_authenticate(secret) is None


def test_other_users_token_is_not_found(world: Any) -> None:
    from punkt.core.errors import NotFound

    token, _ = services.api_token_create(actor=world.service_a, name="sync")
    with pytest.raises(NotFound):
        services.api_token_revoke(actor=world.service_b, token_id=token.pk)


def test_deactivated_employee_loses_access(world: Any) -> None:
    services.employee_update(actor=world.admin, employee_id=world.service_a.pk, is_active=False)
    world.service_a.refresh_from_db()
    assert not compute_access(world.service_a).roles


def test_role_policy_change_audited(world: Any) -> None:
    services.role_policy_set(actor=world.admin, role=Role.MANAGER, mfa_required=True)
    assert Role.MANAGER in services.mfa_required_roles()
    assert AuditEvent.objects.filter(action="organization.role_policy.set").count() == 1
    with pytest.raises(ActionDenied):
        services.role_policy_set(actor=world.expert, role=Role.MANAGER, mfa_required=False)


def test_access_is_cached_per_user_object(world: Any, django_assert_num_queries: Any) -> None:
    access_of(world.manager_a)
    with django_assert_num_queries(0):
        access_of(world.manager_a)


def test_days_off_company_and_branch(world: Any) -> None:
    services.day_off_add(actor=world.admin, date="2026-12-31", name="Inwentaryzacja")
    services.day_off_add(actor=world.expert, branch_id=world.a.pk, date="2026-12-30",
                         name="Remont")
    with pytest.raises(ValidationFailed) as err:
        services.day_off_add(actor=world.expert, branch_id=world.a.pk, date="2026-12-30",
                             name="Remont")
    assert err.value.field == "date"
    with pytest.raises(ActionDenied):
        services.day_off_add(actor=world.manager_a, branch_id=world.a.pk, date="2026-12-29",
                             name="X")


def test_polish_holidays_built_in() -> None:
    from punkt.core.calendar import holiday_name, is_working_day, next_working_day

    assert holiday_name(datetime.date(2026, 12, 24))  # Wigilia is a holiday from 2025
    assert holiday_name(datetime.date(2026, 4, 6))  # Easter Monday 2026
    assert not is_working_day(datetime.date(2026, 11, 11))
    assert next_working_day(datetime.date(2026, 12, 24)) == datetime.date(2026, 12, 28)


def test_access_sql_gives_what_the_orm_definition_gives(world: Any) -> None:
    """The hand-written statement of compute_access against its ORM definition: own
    roles, HQ roles, an inactive branch and membership, substitutions before, during and
    after an absence, a substitute who already holds the role."""
    from punkt.organization.models import Branch
    from punkt.organization.permissions import compute_access_reference, employee_with_access

    today = datetime.date(2026, 12, 4)
    services.absence_create(actor=world.manager_a, employee_id=world.cashier_a.pk,
                            branch_id=world.a.pk, kind="sick", starts_on=today,
                            ends_on=today + datetime.timedelta(days=1),
                            substitute_id=world.service_b.pk)
    services.absence_create(actor=world.manager_a, employee_id=world.manager_a.pk,
                            branch_id=world.a.pk, kind="leave", starts_on=today,
                            ends_on=today, substitute_id=world.service_a.pk)
    extra = Branch.objects.create(code="ZZZ-01", name="Zamknięty", kind="branch",
                                  is_active=False)
    Membership.objects.create(employee=world.service_a, branch=extra, role=Role.SERVICE)
    Membership.objects.create(employee=world.retention_a, branch=world.b, role=Role.RETENTION,
                              is_active=False)
    for user in world.by_role().values():
        for day in (today - datetime.timedelta(days=1), today,
                    today + datetime.timedelta(days=1), today + datetime.timedelta(days=2)):
            assert compute_access(user, day) == compute_access_reference(user, day), \
                (user.email, day)
            # What the sign-in backend loads per request: the same employee and access.
            loaded = employee_with_access(user.pk, day)
            assert loaded == user and loaded.email == user.email
            assert loaded.date_joined == user.date_joined and loaded.date_joined.tzinfo
            assert loaded._punkt_access == compute_access_reference(user, day), (user.email, day)
    for user in (world.service_b, world.service_a, world.retention_a, world.cashier_a):
        assert compute_access(user, today) == compute_access_reference(user, today)
    assert compute_access(world.service_b, today).delegated == {(world.a.pk, Role.CASHIER)}


def test_the_backend_loads_no_one_for_a_missing_or_inactive_employee(world: Any) -> None:
    from punkt.organization.backends import EmployeeBackend
    from punkt.organization.permissions import employee_with_access

    backend = EmployeeBackend()
    assert backend.get_user(world.manager_a.pk) == world.manager_a
    assert backend.get_user(10**9) is None and employee_with_access("x") is None
    world.manager_a.is_active = False
    world.manager_a.save(update_fields=["is_active"])
    assert backend.get_user(world.manager_a.pk) is None
    # No memberships at all: the employee is loaded, with no access.
    lonely = Employee.objects.create_user("nikt@example.com", "x" * 12)
    loaded = employee_with_access(lonely.pk)
    assert loaded == lonely and not loaded._punkt_access.pairs and not loaded._punkt_access.hq_roles
