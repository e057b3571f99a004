from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class InventoryConfig(areas.AreaConfig):
    name = "punkt.inventory"
    verbose_name = _("Stock")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "stock/"
