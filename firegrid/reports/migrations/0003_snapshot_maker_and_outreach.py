"""Who or what made a report (generated_via), and the outreach section frozen in it. Reports stored before
this migration: made by a person when one is named, else by the job; their outreach section is counted as
the page counted it then (the campaign's records held by the report's day)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, Sum


def backfill(apps, schema_editor):
    DailySnapshot = apps.get_model("reports", "DailySnapshot")
    OutreachRecord = apps.get_model("outreach", "OutreachRecord")
    db = schema_editor.connection.alias
    DailySnapshot.objects.using(db).filter(generated_by__isnull=False).update(generated_via="person")
    for snapshot in DailySnapshot.objects.using(db).only("pk", "campaign_id", "day"):
        by_area = {}
        rows = (
            OutreachRecord.objects.using(db)
            .filter(campaign_id=snapshot.campaign_id, held_on__lte=snapshot.day)
            .order_by()
            .values("area_id", "kind")
            .annotate(records=Count("pk"), attendance=Sum("attendance"), copies=Sum("copies"))
        )
        for row in rows:
            by_area.setdefault(str(row["area_id"]), {})[row["kind"]] = {
                "records": row["records"],
                "attendance": row["attendance"] or 0,
                "copies": row["copies"] or 0,
            }
        DailySnapshot.objects.using(db).filter(pk=snapshot.pk).update(outreach={"by_area": by_area})


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0004_campaigntarget_membership'),
        ('reports', '0002_longterm_report'),
        ('outreach', '0003_outreachrecord'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='dailysnapshot',
            name='generated_via',
            field=models.CharField(choices=[('job', '定时任务'), ('command', '管理命令'), ('person', '人工生成'), ('demo', '演示数据')], default='job', max_length=16, verbose_name='生成方式'),
        ),
        migrations.AddField(
            model_name='dailysnapshot',
            name='outreach',
            field=models.JSONField(blank=True, default=dict, verbose_name='宣传发动'),
        ),
        migrations.AlterField(
            model_name='dailysnapshot',
            name='campaign',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='snapshots', to='campaigns.campaign', verbose_name='专项整治行动'),
        ),
        migrations.AlterField(
            model_name='dailysnapshot',
            name='generated_by',
            field=models.ForeignKey(blank=True, help_text='空：定时任务、管理命令或演示数据生成（见生成方式）。', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='生成人'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
