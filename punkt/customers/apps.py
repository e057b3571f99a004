from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "punkt.customers"
    verbose_name = _("Customers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from punkt.customers import dashboard, demo, permissions, search, tasks  # noqa: F401

        search.install_sqlite_function()
