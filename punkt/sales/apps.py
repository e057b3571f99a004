from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class SalesConfig(areas.AreaConfig):
    name = "punkt.sales"
    verbose_name = _("Sales")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "sales/"
