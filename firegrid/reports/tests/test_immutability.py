"""Stored reports cannot be changed or removed, not even by a bulk UPDATE or DELETE: the database refuses
(triggers on SQLite and PostgreSQL; this file runs on both). Only a database wipe (flush) removes them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from firegrid.reports import immutability, services
from firegrid.reports.models import DailySnapshot, ImmutableSnapshot, LongtermReport, SnapshotRow
from firegrid.reports.testing import make_campaign, target


@pytest.fixture
def stored(district, today):
    campaign = make_campaign()
    target(campaign, district.premises_a, district.premises_b)
    snapshot = services.generate_snapshot(campaign, today - dt.timedelta(days=1))
    report = LongtermReport.objects.create(day=today, generated_at=timezone.now(), content={"areas": {}})
    return snapshot, report


def refused(statement) -> str:
    """Run `statement` in its own savepoint; the database must refuse it. Returns the message."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        statement()
    assert "immutable" in str(error.value)
    return str(error.value)


@pytest.mark.django_db
def test_the_triggers_are_in_place():
    names = immutability.installed(connection)
    for table in immutability.TABLES:
        if connection.vendor == "sqlite":
            assert {f"{table}_no_update", f"{table}_no_delete"} <= names
        else:
            assert f"{table}_immutable" in names


@pytest.mark.django_db
def test_a_bulk_update_of_a_stored_snapshot_is_refused(stored):
    snapshot, report = stored
    rows = SnapshotRow.objects.filter(snapshot=snapshot)
    before = list(rows.order_by("pk").values())
    refused(lambda: rows.update(in_scope=999))
    refused(lambda: DailySnapshot.objects.filter(pk=snapshot.pk).update(reason="悄悄改"))
    refused(lambda: LongtermReport.objects.filter(pk=report.pk).update(content={}))
    assert list(rows.order_by("pk").values()) == before


@pytest.mark.django_db
def test_a_bulk_delete_of_a_stored_snapshot_is_refused(stored):
    snapshot, report = stored
    count = SnapshotRow.objects.filter(snapshot=snapshot).count()
    refused(lambda: SnapshotRow.objects.filter(snapshot=snapshot).delete())
    refused(lambda: DailySnapshot.objects.filter(pk=snapshot.pk).delete())
    refused(lambda: LongtermReport.objects.filter(pk=report.pk).delete())
    assert SnapshotRow.objects.filter(snapshot=snapshot).count() == count
    assert DailySnapshot.objects.filter(pk=snapshot.pk).exists()


@pytest.mark.django_db
def test_raw_sql_is_refused_too(stored):
    with connection.cursor() as cursor:
        refused(lambda: cursor.execute("UPDATE reports_snapshotrow SET accepted = 0"))
        refused(lambda: cursor.execute("DELETE FROM reports_dailysnapshot"))


@pytest.mark.django_db
def test_the_models_refuse_before_the_database(stored):
    snapshot, report = stored
    with pytest.raises(ImmutableSnapshot):
        snapshot.save()
    with pytest.raises(ImmutableSnapshot):
        snapshot.delete()
    with pytest.raises(ImmutableSnapshot):
        report.delete()


@pytest.mark.django_db
def test_a_campaign_with_reports_cannot_be_deleted(stored):
    snapshot, _report = stored
    with pytest.raises(ProtectedError), transaction.atomic():
        snapshot.campaign.delete()
    assert DailySnapshot.objects.filter(pk=snapshot.pk).exists()


@pytest.mark.django_db
def test_the_guard_lets_only_its_own_transaction_delete(stored):
    snapshot, _report = stored
    with transaction.atomic(), immutability.deletion_allowed(connection):
        SnapshotRow.objects.filter(snapshot=snapshot).delete()
        assert not SnapshotRow.objects.filter(snapshot=snapshot).exists()
        transaction.set_rollback(True)
    # Closed again once the transaction is over: refused as before.
    refused(lambda: SnapshotRow.objects.filter(snapshot=snapshot).delete())


@pytest.mark.django_db(transaction=True)
def test_a_database_wipe_removes_stored_reports(district, today):
    """flush (run after every transactional test) empties the tables, reports included, and the triggers
    stay: afterwards a stored report is refused again."""
    campaign = make_campaign()
    target(campaign, district.premises_a)
    services.generate_snapshot(campaign, today - dt.timedelta(days=1))
    call_command("flush", interactive=False, verbosity=0)
    assert not DailySnapshot.objects.exists() and not SnapshotRow.objects.exists()
    assert immutability.installed(connection)
    campaign = make_campaign()
    snapshot = services.generate_snapshot(campaign, today - dt.timedelta(days=1))
    refused(lambda: DailySnapshot.objects.filter(pk=snapshot.pk).update(reason="x"))
