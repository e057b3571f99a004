"""factory_boy factories of the organisation: branches, employees and their roles.

    BranchFactory(code="KRK-01", name="Kraków")
    EmployeeFactory(email="anna@test.pl", membership__branch=branch,
                    membership__role=Role.MANAGER)      # one role in one branch
    EmployeeFactory(membership=None)                     # no role at all

Employees sign in with ``tests.world.PASSWORD``. ``tests/world.py`` builds the test
organisation with these.
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from punkt.core.roles import Role
from punkt.organization.models import Branch, BranchKind, Employee, Membership
from tests.world import PASSWORD


class BranchFactory(DjangoModelFactory[Branch]):
    class Meta:
        model = Branch

    kind = BranchKind.BRANCH
    code = factory.Sequence(lambda n: f"TST-{n:03d}")
    name = factory.Sequence(lambda n: f"Oddział {n}")
    street = "ul. Testowa 1"
    postal_code = "00-001"
    city = "Warszawa"


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    employee = factory.SubFactory("punkt.organization.tests.factories.EmployeeFactory",
                                  membership=None)
    branch = factory.SubFactory(BranchFactory)
    role = Role.SERVICE


class EmployeeFactory(DjangoModelFactory[Employee]):
    """An employee (password ``PASSWORD``) with one role: ``membership__role`` in
    ``membership__branch`` (default: customer service in a new branch)."""

    class Meta:
        model = Employee
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pracownik{n}@test.pl")
    first_name = "Jan"
    last_name = "Test"
    password = PASSWORD
    membership = factory.RelatedFactory(MembershipFactory, factory_related_name="employee")

    @classmethod
    def _create(cls, model_class: type[Employee], *args: Any, **kwargs: Any) -> Employee:
        return model_class.objects.create_user(*args, **kwargs)
