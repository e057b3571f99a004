"""A business area is a Django app whose config derives from :class:`AreaConfig`.

The area registers itself: at start-up its config imports the area's modules that declare
things by convention (permissions, menu entries and dashboard panels, demo data, profile
and timeline hooks, GDPR links, periodic jobs); the project's ``urls.py`` mounts its pages
at ``url_prefix`` and ``api.py`` adds its ``api.router``. Adding an area is therefore: the
app, its config, one line in ``INSTALLED_APPS`` — see ``docs/adding-an-area.md``.
"""

from __future__ import annotations

import importlib
import importlib.util

from django.apps import AppConfig, apps
from ninja import Router

#: Modules an area may have that register something when imported, in this order.
REGISTERING_MODULES = ("permissions", "navigation", "dashboard", "demo", "profile",
                       "gdpr_links", "tasks", "origins", "events")


class AreaConfig(AppConfig):
    """Subclass it as ``areas.AreaConfig`` (import the module, not the class: Django picks
    the one AppConfig class an apps.py names)."""

    #: Where the area's pages live (``"contracts/"``); None: the area has no pages.
    url_prefix: str | None = None
    #: Extra modules to import at start-up besides :data:`REGISTERING_MODULES`.
    also_import: tuple[str, ...] = ()

    def ready(self) -> None:
        for module in (*REGISTERING_MODULES, *self.also_import):
            if self.has_module(module):
                importlib.import_module(f"{self.name}.{module}")

    def has_module(self, module: str) -> bool:
        return importlib.util.find_spec(f"{self.name}.{module}") is not None

    @property
    def api_router(self) -> Router | None:
        """The area's ``api.router`` (django-ninja), if it has an API."""
        if not self.has_module("api"):
            return None
        return getattr(importlib.import_module(f"{self.name}.api"), "router", None)


def areas() -> list[AreaConfig]:
    """The installed business areas, in ``INSTALLED_APPS`` order."""
    return [c for c in apps.get_app_configs() if isinstance(c, AreaConfig)]
