from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class CustomersConfig(areas.AreaConfig):
    name = "punkt.customers"
    verbose_name = _("Customers")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "customers/"

    def ready(self) -> None:
        super().ready()
        from punkt.customers import search

        search.install_sqlite_function()
