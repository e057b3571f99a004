from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "punkt.organization"
    label = "organization"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from punkt.organization import dashboard, demo, permissions  # noqa: F401  (registers)
