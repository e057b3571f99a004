from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Staff roles from seed 000's table, plus HQ expert and administrator."""

    MANAGER = "manager", _("Branch manager")
    SERVICE = "service", _("Customer-service employee")
    RETENTION = "retention", _("Retention employee")
    CASHIER = "cashier", _("Cashier")
    HQ_EXPERT = "hq_expert", _("HQ expert")
    ADMIN = "admin", _("Administrator")


#: Roles held at headquarters; their holders see every branch.
HQ_ROLES = frozenset({Role.HQ_EXPERT, Role.ADMIN})
#: Roles that handle cash or administration: MFA required by default (C17).
MFA_DEFAULT_ROLES = frozenset({Role.ADMIN, Role.CASHIER})
