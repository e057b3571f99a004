from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "punkt.contracts"
    verbose_name = _("Offers and contracts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from punkt.contracts import (  # noqa: F401
            dashboard,
            demo,
            gdpr_links,
            lifecycle,
            permissions,
            profile,
            services,
            tasks,
        )
