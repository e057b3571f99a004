"""Product help on a customer's timeline links to the product."""

from __future__ import annotations

from punkt.catalog import permissions as perms
from punkt.customers.profile import register_source_link, route

# No API endpoint reads one product: the entries link to its page only.
register_source_link("catalog.product", route("catalog:product_detail"),
                     permission=perms.PRODUCT_VIEW.code)
