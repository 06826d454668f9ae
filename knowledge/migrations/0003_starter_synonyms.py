from django.db import migrations

from knowledge.synonyms import STARTER_GROUPS


def add_starter_synonyms(apps, schema_editor):
    SynonymGroup = apps.get_model("knowledge", "SynonymGroup")
    for terms in STARTER_GROUPS:
        SynonymGroup.objects.get_or_create(terms=terms)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_synonyms_and_search_log")]
    operations = [migrations.RunPython(add_starter_synonyms, migrations.RunPython.noop)]
