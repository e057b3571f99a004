"""A ticket's conversation is never changed or deleted; GDPR erasure may only empty a
message's texts (C26)."""

from django.db import migrations

from punkt.core.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0001_initial")]
    operations = [append_only("servicedesk_ticketmessage", erasable=("body", "author_label"))]
