from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class CampaignsConfig(areas.AreaConfig):
    name = "punkt.campaigns"
    verbose_name = _("Campaigns")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "campaigns/"
    also_import = ("services",)
