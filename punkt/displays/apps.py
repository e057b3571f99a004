from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class DisplaysConfig(areas.AreaConfig):
    name = "punkt.displays"
    verbose_name = _("Shop windows and interiors")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "displays/"
