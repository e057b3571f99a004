from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CashdeskConfig(AppConfig):
    name = "punkt.cashdesk"
    verbose_name = _("Cashier's desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from punkt.cashdesk import dashboard, demo, gdpr_links, permissions, tasks  # noqa: F401
