"""GIN indexes for Chinese full-text search (portal.search, PostgreSQL only), and the standard
suggestion categories (建言分类) a city starts with; administrators edit them afterwards."""

from django.db import migrations

from portal.search import gin_index

INDEXES = (
    ("search_document", "suggestion_search_gin"),
    ("public_search_document", "suggestion_public_search_gin"),
)

CATEGORIES = (
    ("经济发展", "Economic development", "JJ"),
    ("社会民生", "Livelihood and social services", "SM"),
    ("环境保护", "Environmental protection", "HB"),
    ("文化教育", "Culture and education", "WJ"),
    ("城乡建设", "Urban and rural development", "CJ"),
    ("交通出行", "Transport", "JT"),
    ("政务服务", "Government services", "ZW"),
    ("其他", "Other", "QT"),
)


def create(apps, schema_editor):
    Category = apps.get_model("suggestions", "Category")
    for order, (name, name_en, code) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order * 10})
    if schema_editor.connection.vendor != "postgresql":
        return
    Suggestion = apps.get_model("suggestions", "Suggestion")
    for field, name in INDEXES:
        schema_editor.add_index(Suggestion, gin_index(field, name))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Suggestion = apps.get_model("suggestions", "Suggestion")
    for field, name in INDEXES:
        schema_editor.remove_index(Suggestion, gin_index(field, name))


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
