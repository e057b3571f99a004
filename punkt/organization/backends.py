"""Sign-in backends: Django's and allauth's, with one change — the signed-in employee and
their access (:func:`punkt.organization.permissions.compute_access`) are read in one
statement per request instead of two.

Every page and API call starts by loading the session's user and then their access; the
two round trips were a fifth of the cheapest signed-in request. Sign-in itself (checking
the password) is unchanged.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend

from punkt.organization.permissions import employee_with_access


class _EmployeeWithAccess:
    def get_user(self, user_id: Any) -> Any:
        user = employee_with_access(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class EmployeeBackend(_EmployeeWithAccess, ModelBackend):
    """Django's model backend (e-mail and password, ``force_login`` in tests)."""


class EmployeeAllauthBackend(_EmployeeWithAccess, AuthenticationBackend):
    """allauth's backend (the sign-in form)."""
