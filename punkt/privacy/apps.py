from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class PrivacyConfig(areas.AreaConfig):
    name = "punkt.privacy"
    verbose_name = _("Data protection")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "privacy/"
