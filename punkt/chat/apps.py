from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class ChatConfig(areas.AreaConfig):
    name = "punkt.chat"
    verbose_name = _("Live chat")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "chat/"
    #: registers the chat's reply sender (a public reply on a chat ticket reaches the widget)
    also_import = ("services",)
