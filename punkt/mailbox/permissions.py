"""Mailboxes: HQ and the administrator see how the team mailboxes are read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

MAILBOX_VIEW = registry.register(
    "mailbox.mailbox.view",
    gettext_lazy("See the team mailboxes: when they were read, their errors and counts"),
    [R.HQ_EXPERT, R.ADMIN], scope="global")

MAILBOX_MANAGE = registry.register(
    "mailbox.mailbox.manage",
    gettext_lazy("Set up the team mailboxes: address, IMAP server, sign-in, folder"),
    [R.ADMIN], scope="global")
