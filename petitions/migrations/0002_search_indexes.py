"""GIN indexes for Chinese full-text search (portal.search), on PostgreSQL only.

They are expression indexes on to_tsvector('simple', <jieba-segmented document>), built from the
same expression the queries use (portal.search.vector), so PostgreSQL uses them. SQLite, the
embedded default, searches with LIKE instead and gets no index.
"""

from django.db import migrations

from portal.search import gin_index

INDEXES = (
    ("search_document", "petition_search_gin"),
    ("public_search_document", "petition_public_search_gin"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Petition = apps.get_model("petitions", "Petition")
    for field, name in INDEXES:
        schema_editor.add_index(Petition, gin_index(field, name))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Petition = apps.get_model("petitions", "Petition")
    for field, name in INDEXES:
        schema_editor.remove_index(Petition, gin_index(field, name))


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
