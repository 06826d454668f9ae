from django.db import migrations

# The outside licence types the issue names as a contract (import files use these codes).
LICENCE_TYPES = [
    ("refrigeration", "制冷与空调作业"),
    ("height", "高处作业"),
    ("electrician", "低压电工作业"),
    ("brazing", "钎焊/焊接作业"),
    ("gas", "燃气具安装维修"),
]


def create_licence_types(apps, schema_editor):
    LicenceType = apps.get_model("certification", "LicenceType")
    for code, name in LICENCE_TYPES:
        LicenceType.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]

    operations = [migrations.RunPython(create_licence_types, migrations.RunPython.noop)]
