"""PostgreSQL guards: a card's points entries and its sales are never changed or deleted."""

from django.db import migrations

from punkt.core.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]
    operations = [append_only("loyalty_pointsentry", "loyalty_cardsale")]
