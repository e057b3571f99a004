from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, nav
from punkt.messaging import permissions

nav(NavItem(_("Message templates"), "messaging:template_list",
            permissions.TEMPLATE_MANAGE.code, group="hq", order=86))
