"""Natural order (1号, 2号, 10号): a stored `sort_key` on buildings, premises and rooms, filled for the
existing rows by primary-key ranges (firegrid.registry.sort_keys.fill_sort_keys: one UPDATE per 2,000
rows, memory flat at millions of rows), then indexed (building lists per grid, premises lists, a
premises' rooms). The lists order by it instead of the raw address."""

import firegrid.core.natural
from django.db import migrations, models

from firegrid.registry.sort_keys import fill_sort_keys


def fill(apps, schema_editor):
    fill_sort_keys(
        apps.get_model("registry", "Building"),
        apps.get_model("registry", "Premises"),
        apps.get_model("registry", "Room"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0005_user_must_change_password"),
        ("registry", "0008_landlord_id_number_optional"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="building",
            options={"ordering": ["sort_key", "id"], "verbose_name": "建筑", "verbose_name_plural": "建筑"},
        ),
        migrations.AlterModelOptions(
            name="premises",
            options={"ordering": ["sort_key", "id"], "verbose_name": "出租户", "verbose_name_plural": "出租户"},
        ),
        migrations.AlterModelOptions(
            name="room",
            options={
                "ordering": ["premises__sort_key", "premises_id", "sort_key", "id"],
                "verbose_name": "房间",
                "verbose_name_plural": "房间",
            },
        ),
        migrations.AddField(
            model_name="building",
            name="sort_key",
            field=firegrid.core.natural.SortKeyField(
                blank=True, editable=False, max_length=255, verbose_name="排序键"
            ),
        ),
        migrations.AddField(
            model_name="premises",
            name="sort_key",
            field=firegrid.core.natural.SortKeyField(
                blank=True, editable=False, max_length=255, verbose_name="排序键"
            ),
        ),
        migrations.AddField(
            model_name="room",
            name="sort_key",
            field=firegrid.core.natural.SortKeyField(
                blank=True, editable=False, max_length=255, verbose_name="排序键"
            ),
        ),
        # Filled before the indexes are built: one index build, not millions of index updates.
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="building",
            index=models.Index(fields=["grid", "sort_key"], name="building_grid_sort_key"),
        ),
        migrations.AddIndex(
            model_name="premises",
            index=models.Index(fields=["sort_key"], name="premises_sort_key"),
        ),
        migrations.AddIndex(
            model_name="room",
            index=models.Index(fields=["premises", "sort_key"], name="room_premises_sort_key"),
        ),
    ]
