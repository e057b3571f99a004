from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class MailboxConfig(areas.AreaConfig):
    name = "punkt.mailbox"
    verbose_name = _("Mailboxes")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "mailbox/"
    also_import = ("services",)
