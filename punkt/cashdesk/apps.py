from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class CashdeskConfig(areas.AreaConfig):
    name = "punkt.cashdesk"
    verbose_name = _("Cashier's desk")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "cashdesk/"
