from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class WebformConfig(areas.AreaConfig):
    name = "punkt.webform"
    verbose_name = _("Contact form")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "contact/"
    also_import = ("services", "origins")
