"""Dated membership of a campaign's targets: joined_on / left_on (with who, why and when the removal was
recorded). Existing rows joined on the day they were added (Asia/Shanghai); nobody had left: removals used
to delete the row."""

import zoneinfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q


def joined_when_added(apps, schema_editor):
    CampaignTarget = apps.get_model("campaigns", "CampaignTarget")
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    rows = CampaignTarget.objects.using(schema_editor.connection.alias).only("pk", "added_at")
    changed = []
    for row in rows.iterator(chunk_size=2000):
        row.joined_on = row.added_at.astimezone(zone).date()
        changed.append(row)
        if len(changed) >= 2000:
            CampaignTarget.objects.bulk_update(changed, ["joined_on"])
            changed = []
    if changed:
        CampaignTarget.objects.bulk_update(changed, ["joined_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_claim_pledge_content_claim_pledge_serial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="campaigntarget",
            name="joined_on",
            field=models.DateField(
                null=True,
                help_text="发现隐患或手工加入的日期：自该日起计入整治对象。",
                verbose_name="加入日期",
            ),
        ),
        migrations.AddField(
            model_name="campaigntarget",
            name="left_on",
            field=models.DateField(
                blank=True, help_text="自该日起不再计入整治对象。", null=True, verbose_name="移出日期"
            ),
        ),
        migrations.AddField(
            model_name="campaigntarget",
            name="left_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="移出登记时间"),
        ),
        migrations.AddField(
            model_name="campaigntarget",
            name="left_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="移出人",
            ),
        ),
        migrations.AddField(
            model_name="campaigntarget",
            name="left_reason",
            field=models.CharField(blank=True, max_length=200, verbose_name="移出原因"),
        ),
        migrations.RunPython(joined_when_added, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="campaigntarget",
            name="joined_on",
            field=models.DateField(
                help_text="发现隐患或手工加入的日期：自该日起计入整治对象。", verbose_name="加入日期"
            ),
        ),
        migrations.RemoveConstraint(model_name="campaigntarget", name="campaign_target_once"),
        migrations.AddConstraint(
            model_name="campaigntarget",
            constraint=models.UniqueConstraint(
                condition=Q(left_on__isnull=True),
                fields=("campaign", "premises"),
                name="campaign_target_once",
                violation_error_message="该出租户已是本次行动的整治对象。",
            ),
        ),
        migrations.AddConstraint(
            model_name="campaigntarget",
            constraint=models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="campaign_target_left_after_joined",
                violation_error_message="移出日期不能早于加入日期。",
            ),
        ),
        migrations.AddConstraint(
            model_name="campaigntarget",
            constraint=models.CheckConstraint(
                condition=Q(left_on__isnull=True, left_at__isnull=True)
                | Q(left_on__isnull=False, left_at__isnull=False),
                name="campaign_target_left_recorded",
                violation_error_message="移出日期与移出登记时间须同时填写。",
            ),
        ),
        migrations.AddIndex(
            model_name="campaigntarget",
            index=models.Index(fields=["campaign", "joined_on"], name="campaign_target_joined"),
        ),
    ]
