from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class MaterialsConfig(areas.AreaConfig):
    name = "punkt.materials"
    verbose_name = _("HQ materials")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "materials/"
    also_import = ("services",)  # registers the delivery to branches opened later
