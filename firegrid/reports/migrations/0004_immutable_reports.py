"""The database refuses UPDATE and DELETE of stored reports (daily snapshots, their rows, long-term reports):
triggers on PostgreSQL (a plpgsql function) and SQLite (RAISE(ABORT)), with a guard that lets a database
wipe delete them (firegrid/reports/immutability.py, which also explains the choice)."""

from django.db import migrations


def install(apps, schema_editor):
    from firegrid.reports.immutability import install as install_triggers

    install_triggers(schema_editor.connection)


def uninstall(apps, schema_editor):
    from firegrid.reports.immutability import uninstall as uninstall_triggers

    uninstall_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_snapshot_maker_and_outreach"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
