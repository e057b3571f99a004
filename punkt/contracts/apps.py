from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class ContractsConfig(areas.AreaConfig):
    name = "punkt.contracts"
    verbose_name = _("Offers and contracts")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "contracts/"
    also_import = ("services",)
