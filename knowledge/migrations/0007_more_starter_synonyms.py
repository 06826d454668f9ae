from django.db import migrations

# Added to knowledge.synonyms.STARTER_GROUPS after 0003 ran: flare joints, flare nuts, drain pans.
GROUPS = ["喇叭口, 扩口", "纳子, 螺母", "接水盘, 积水盘, 水盘"]


def add_groups(apps, schema_editor):
    SynonymGroup = apps.get_model("knowledge", "SynonymGroup")
    for terms in GROUPS:
        SynonymGroup.objects.get_or_create(terms=terms)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0006_case_related_pages_parental")]
    operations = [migrations.RunPython(add_groups, migrations.RunPython.noop)]
