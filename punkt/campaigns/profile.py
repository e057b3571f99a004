"""The customer's timeline links its mass messages (kind "mailing", written by
``messaging.mass`` when a message goes out or comes back) to the mailing's page."""

from __future__ import annotations

from punkt.campaigns import permissions as perms
from punkt.campaigns.services import mailing  # noqa: F401 - registers the timeline kind
from punkt.customers.profile import api_route, register_source_link, route

register_source_link("campaigns.mailing", route("campaigns:mailing_detail"),
                     permission=perms.MAILING_VIEW.code, api=api_route("mailing_get"))
