"""Return visits answered (`Inspection.answered_at`): a visit that ended locked, not found or renovating is
answered by the next visit of its premises. Filled for the existing visits by one UPDATE
(firegrid.inspections.return_visits.answer_return_visits), then indexed for the owed ones: the work queue
and the return-visit list read "owed" from the index instead of searching every visit for a later one."""

from django.db import migrations, models

from firegrid.inspections.return_visits import answer_return_visits


def answer(apps, schema_editor):
    answer_return_visits(apps.get_model("inspections", "Inspection"))


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0004_checklist_item_english_measure"),
    ]

    operations = [
        migrations.AddField(
            model_name="inspection",
            name="answered_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="回访完成时间"),
        ),
        migrations.RunPython(answer, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="inspection",
            index=models.Index(
                condition=models.Q(("answered_at__isnull", True), ("status", "submitted"), ("return_visit_due__isnull", False)),
                fields=["return_visit_due", "premises"],
                name="inspection_owed_return",
            ),
        ),
    ]
