"""The customer import's states: core's import table with the customer-import permission
(docs/workflows/import.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.imports import import_flow
from punkt.customers import permissions as perms

#: queued → checked (the dry run) → running (confirmed) → done; failed when the file cannot
#: be read, or is left unconfirmed for a week. The valid rows are imported, the others
#: listed (never "rejected" as a whole).
IMPORT_FLOW = import_flow(_("Import"), permission=perms.CUSTOMER_IMPORT.code,
                          branch_of=lambda job: job.branch_id)
