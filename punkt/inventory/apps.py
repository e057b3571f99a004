from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "punkt.inventory"
    verbose_name = _("Stock")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from punkt.inventory import dashboard, permissions  # noqa: F401
