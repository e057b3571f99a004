from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class CatalogConfig(areas.AreaConfig):
    name = "punkt.catalog"
    verbose_name = _("Catalogue")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "catalog/"
