"""factory_boy factory of customers, registered as at the counter.

    CustomerFactory(actor=world.service_a, branch=world.a, last_name="Nowak",
                    pesel="85010112345")

Goes through ``services.customer_create`` — derived columns, search words, the
data-processing basis among the consents, the timeline entry and the audit row —
so a test's customer is what the counter would have registered. ``actor`` (default: the
operator) registers it, ``consents`` (default: the basis only) are recorded with it; a
likely duplicate is registered anyway.
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from punkt.core.access import SystemActor
from punkt.customers import services
from punkt.customers.models import Customer, CustomerKind
from punkt.organization.actors import Actor
from punkt.organization.tests.factories import BranchFactory

BASIS = [{"purpose": "contract", "granted": True}]


class CustomerFactory(DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    branch = factory.SubFactory(BranchFactory)
    kind = CustomerKind.PERSON
    first_name = "Jan"
    last_name = "Kowalski"

    @classmethod
    def _create(cls, model_class: type[Customer], *args: Any, actor: Actor | None = None,
                consents: list[dict[str, Any]] | None = None, **data: Any) -> Customer:
        branch = data.pop("branch")
        return services.customer_create(
            actor=actor or SystemActor("tests"), branch_id=branch.pk, data=data,
            consents=BASIS if consents is None else consents, confirm_duplicate=True)
