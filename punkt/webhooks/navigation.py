from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, nav
from punkt.webhooks import permissions as perms

nav(NavItem(_("Webhooks"), "webhooks:subscription_list", perms.WEBHOOK_MANAGE.code,
            group="organisation", order=77, active_pattern=r"^/webhooks/"))
