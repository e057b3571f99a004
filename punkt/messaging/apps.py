from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class MessagingConfig(areas.AreaConfig):
    name = "punkt.messaging"
    verbose_name = _("Messages to customers")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "messages/"
