"""ChecklistItem.measure_en / acceptance_en: the English of 整改措施 and 验收标准, shown in the English interface.

Items already in the database get the bundled template's English by code, as 0003 gave them the Chinese — but
only where the item's Chinese text is still the bundled one: a district that rewrote a measure keeps an empty
English (the interface then shows its Chinese) rather than an English that says something else.
"""

from pathlib import Path

import yaml
from django.db import migrations, models

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "rental-fire-checklist.yaml"


def fill_english(apps, schema_editor):
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    if not BUNDLED.exists():
        return
    data = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    for item in data.get("items", []):
        for field in ("measure", "acceptance"):
            chinese, english = item.get(f"{field}_zh", ""), item.get(f"{field}_en", "")
            if chinese and english:
                ChecklistItem.objects.filter(code=item["code"], **{field: chinese, f"{field}_en": ""}).update(
                    **{f"{field}_en": english}
                )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_checklist_item_measure"),
    ]

    operations = [
        migrations.AddField(
            model_name="checklistitem",
            name="measure_en",
            field=models.TextField(blank=True, verbose_name="英文整改措施"),
        ),
        migrations.AddField(
            model_name="checklistitem",
            name="acceptance_en",
            field=models.TextField(blank=True, verbose_name="英文验收标准"),
        ),
        migrations.RunPython(fill_english, migrations.RunPython.noop),
    ]
