"""Who acts in a service call: the type every area's services take as ``actor``."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from punkt.core.access import SystemActor
from punkt.organization.models import Employee

#: An employee (page, API), the operator or a scheduled job (:class:`SystemActor`), or an
#: anonymous visitor — whom every permission check refuses.
type Actor = Employee | SystemActor | AnonymousUser


def employee_of(actor: Actor | None) -> Employee | None:
    """The employee to record as "done by"; None for the operator, a job or nobody."""
    return actor if isinstance(actor, Employee) else None
