from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from punkt.core import context
from punkt.core.access import SystemActor
from punkt.core.audit import audit_refusal
from punkt.core.errors import ActionDenied, DomainError


class PunktCommand(BaseCommand):
    """A command that acts as the operator and turns business errors into clear messages."""

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            user = getpass.getuser()
        except Exception:  # noqa: BLE001 - no passwd entry in some containers
            user = "unknown"
        token = context.set_context(context.RequestContext(channel="cli"))
        self.actor = SystemActor(f"cli:{user}")
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            if isinstance(exc, ActionDenied):
                audit_refusal(exc, actor=self.actor, where=self.__module__.rsplit(".", 1)[-1])
            where = f" (field: {exc.field})" if exc.field else ""
            raise CommandError(f"{exc.message}{where}") from None
        finally:
            context.reset_context(token)
