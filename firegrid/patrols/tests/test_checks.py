"""The fabrication checks with real work: photos are JPEG bytes made by Pillow and go through the
inspections' own upload and submit; scans go through `record_scan`."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.utils import timezone

from firegrid import testing as t
from firegrid.inspections import services as inspections
from firegrid.inspections.choices import AnswerResult, VisitOutcome
from firegrid.inspections.models import Inspection
from firegrid.patrols import services
from firegrid.patrols.checks import dhash_file, distance_m, hamming, to_signed
from firegrid.patrols.choices import FindingKind, FingerprintKind, FlagKind
from firegrid.patrols.models import FabricationFlag, PhotoFingerprint

from .scene import jpeg, picture, upload

pytestmark = pytest.mark.django_db


def hash_of(data: bytes) -> int:
    return dhash_file(io.BytesIO(data))


def test_the_same_picture_re_encoded_or_resized_keeps_its_hash_and_another_does_not():
    original = jpeg(picture(0), quality=92)
    again = jpeg(picture(0), quality=40)
    smaller = jpeg(picture(0), quality=75, size=(400, 300))
    other = jpeg(picture(1))
    assert hamming(hash_of(original), hash_of(again)) <= 4
    assert hamming(hash_of(original), hash_of(smaller)) <= 4
    assert hamming(hash_of(original), hash_of(other)) > 10
    assert hamming(to_signed(hash_of(original)), hash_of(original)) == 0  # stored signed, compared the same


def test_distance_is_the_great_circle_one():
    assert distance_m((28.97, 118.87), (28.97, 118.87)) == 0
    # One hundredth of a degree of latitude is about 1.11 km.
    assert 1100 < distance_m((28.97, 118.87), (28.98, 118.87)) < 1125


def submitted(premises, actor, photo: bytes | None, *, started_ago=dt.timedelta(minutes=30)) -> Inspection:
    """A real inspection with a photo on its first item, started `started_ago`, submitted now."""
    inspection = inspections.start_inspection(actor=actor, premises=premises)
    Inspection.objects.filter(pk=inspection.pk).update(started_at=timezone.now() - started_ago)
    inspection.refresh_from_db()
    answers = [
        inspections.AnswerInput(item.code, AnswerResult.PASS) for item in inspection.applicable_items()
    ]
    inspections.save_answers(inspection, answers, actor=actor)
    if photo is not None:
        inspections.add_photo(inspection, upload(photo), actor=actor, item_code=answers[0].item_code)
    return inspections.submit_inspection(
        inspection, actor=actor, outcome=VisitOutcome.INSPECTED, answers=answers
    )


def test_the_same_photo_handed_in_for_two_inspections_is_flagged(district, personas, checklist):
    first = submitted(district.premises_a, personas.grid_worker, jpeg(picture(0)))
    assert PhotoFingerprint.objects.filter(kind=FingerprintKind.INSPECTION, inspection=first).count() == 1
    assert not FabricationFlag.objects.exists()
    # The same picture, sent again smaller and re-compressed (a chat app's copy), for another premises.
    second = submitted(district.shop_a, personas.grid_worker, jpeg(picture(0), quality=60, size=(640, 480)))
    flag = FabricationFlag.objects.get()
    assert (flag.kind, flag.user, flag.grid, flag.inspection) == (
        FlagKind.PHOTO_REUSED,
        personas.grid_worker,
        district.grid_a,
        second,
    )
    assert flag.other_photo.inspection == first and flag.details["hamming_distance"] <= 4


def test_a_different_photo_another_grid_or_an_old_photo_is_not_flagged(
    district, personas, checklist, settings
):
    submitted(district.premises_a, personas.grid_worker, jpeg(picture(0)))
    submitted(district.shop_a, personas.grid_worker, jpeg(picture(1)))
    submitted(district.premises_b, personas.outsider, jpeg(picture(0)))  # grid B
    assert not FabricationFlag.objects.exists()
    settings.FIREGRID_PHOTO_REUSE_DAYS = 30
    PhotoFingerprint.objects.update(uploaded_at=timezone.now() - dt.timedelta(days=60))
    third = t.make_premises(district.building_a, district.landlord_a, unit_label="3楼")
    submitted(third, personas.grid_worker, jpeg(picture(1), quality=50))
    assert not FabricationFlag.objects.exists()


def test_a_finding_photo_reused_as_an_inspection_photo_elsewhere_is_flagged(
    patrol_scene, personas, checklist
):
    s = patrol_scene
    services.add_finding(
        s.patrol,
        building=s.building_a1,
        kind=FindingKind.NOTE,
        note="楼道杂物",
        actor=personas.grid_worker,
        client_uuid=uuid.uuid4(),
        photo=upload(jpeg(picture(2))),
    )
    assert PhotoFingerprint.objects.filter(kind=FingerprintKind.FINDING).count() == 1
    submitted(s.d.premises_a, personas.grid_worker, jpeg(picture(2), quality=70))
    assert FabricationFlag.objects.get().kind == FlagKind.PHOTO_REUSED


def test_the_follow_up_inspection_may_use_the_findings_own_photo(patrol_scene, personas, checklist):
    s = patrol_scene
    services.add_finding(
        s.patrol,
        building=s.d.building_a,
        premises=s.d.premises_a,
        kind=FindingKind.HAZARD,
        note="私拉电线",
        actor=personas.grid_worker,
        client_uuid=uuid.uuid4(),
        photo=upload(jpeg(picture(4))),
    )
    submitted(s.d.premises_a, personas.grid_worker, jpeg(picture(4)))
    assert not FabricationFlag.objects.exists()


def test_an_inspection_submitted_faster_than_its_items_is_flagged(district, personas, checklist, settings):
    settings.FIREGRID_INSPECTION_MIN_SECONDS_PER_ITEM = 3
    quick = submitted(district.premises_a, personas.grid_worker, None, started_ago=dt.timedelta(seconds=20))
    flag = FabricationFlag.objects.get()
    items = quick.answers.count()
    assert (flag.kind, flag.inspection, flag.details["items"]) == (FlagKind.TOO_FAST, quick, items)
    assert flag.details["min_seconds"] == items * 3 > 20
    submitted(district.shop_a, personas.grid_worker, None, started_ago=dt.timedelta(minutes=20))
    assert FabricationFlag.objects.count() == 1


def test_a_locked_door_is_not_too_fast(district, personas, checklist):
    inspection = inspections.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    inspections.submit_inspection(inspection, actor=personas.grid_worker, outcome=VisitOutcome.LOCKED)
    assert not FabricationFlag.objects.exists()


def scan_at(patrol, building, user, minutes_ago, lat, lng):
    return services.record_scan(
        patrol,
        building,
        actor=user,
        client_uuid=uuid.uuid4(),
        latitude=lat,
        longitude=lng,
        scanned_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


def test_two_scans_too_far_apart_for_the_time_between_them_are_flagged(patrol_scene, personas, settings):
    settings.FIREGRID_PATROL_MAX_SPEED_KMH = 40
    s = patrol_scene
    first = scan_at(s.patrol, s.d.building_a, personas.grid_worker, 10, "28.970000", "118.870000")
    # 5.5 km north two minutes later: 165 km/h.
    second = scan_at(s.patrol, s.building_a1, personas.grid_worker, 8, "29.020000", "118.870000")
    flag = FabricationFlag.objects.get()
    assert (flag.kind, flag.scan, flag.other_scan) == (FlagKind.IMPOSSIBLE_SPEED, second, first)
    assert flag.details["speed_kmh"] > 100 and flag.details["limit_kmh"] == 40


def test_walking_speed_and_scans_without_a_position_raise_nothing(patrol_scene, personas):
    s = patrol_scene
    scan_at(s.patrol, s.d.building_a, personas.grid_worker, 10, "28.970000", "118.870000")
    scan_at(s.patrol, s.building_a1, personas.grid_worker, 5, "28.972000", "118.870000")  # 220 m in 5 minutes
    scan_at(s.patrol, s.building_a1, personas.grid_worker, 4, None, None)
    assert not FabricationFlag.objects.exists()


def test_a_late_scan_sent_out_of_order_is_checked_against_both_neighbours(patrol_scene, personas):
    s = patrol_scene
    scan_at(s.patrol, s.d.building_a, personas.grid_worker, 20, "28.970000", "118.870000")
    scan_at(s.patrol, s.d.building_a, personas.grid_worker, 10, "28.970000", "118.870000")
    # Sent last, made between the two, 11 km away.
    scan_at(s.patrol, s.building_a1, personas.grid_worker, 15, "29.070000", "118.870000")
    assert FabricationFlag.objects.filter(kind=FlagKind.IMPOSSIBLE_SPEED).count() == 2
