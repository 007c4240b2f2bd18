"""On PostgreSQL, a varchar_pattern_ops index so that `name LIKE '张%'` (search by leading
characters) uses an index whatever the database collation. SQLite uses the plain index."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS person_name_pattern ON registry_person (name varchar_pattern_ops, region_code)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_name_pattern")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
