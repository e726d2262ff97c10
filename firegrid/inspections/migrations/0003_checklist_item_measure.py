"""ChecklistItem.measure (整改措施): what the landlord is told to do, distinct from the acceptance standard.

Items already in the database get the bundled template's measure by code (the codes of zj-2019.1, which a
district's later versions copy); an item the district wrote itself keeps an empty measure, and the plan falls
back to its acceptance standard.
"""

from pathlib import Path

import yaml
from django.db import migrations, models

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "rental-fire-checklist.yaml"


def fill_measures(apps, schema_editor):
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    if not BUNDLED.exists():
        return
    data = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    measures = {item["code"]: item.get("measure_zh", "") for item in data.get("items", [])}
    for code, measure in measures.items():
        if measure:
            ChecklistItem.objects.filter(code=code, measure="").update(measure=measure)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_hazard_newest_first"),
    ]

    operations = [
        migrations.AddField(
            model_name="checklistitem",
            name="measure",
            field=models.TextField(blank=True, verbose_name="整改措施"),
        ),
        migrations.RunPython(fill_measures, migrations.RunPython.noop),
    ]
