from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class LoyaltyConfig(areas.AreaConfig):
    name = "punkt.loyalty"
    verbose_name = _("Loyalty programmes")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "loyalty/"
    also_import = ("services",)
