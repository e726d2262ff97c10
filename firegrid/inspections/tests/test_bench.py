"""bench/hazards.py and bench/run.py's hazard-list and inspection-submit sections on the small test district:
what they load and what they report — structure, never timings (benchmarks are not pass/fail)."""

from __future__ import annotations

import sys

import pytest
from django.conf import settings

from firegrid.inspections.choices import HazardStatus, InspectionStatus, VisitOutcome
from firegrid.inspections.models import Answer, Hazard, Inspection, Photo

if str(settings.BASE_DIR) not in sys.path:
    sys.path.insert(0, str(settings.BASE_DIR))

from bench import hazards as bench_hazards
from bench import run

pytestmark = pytest.mark.django_db


def test_hazards_load_as_a_campaign_under_way(district, personas, checklist):
    result = bench_hazards.load_hazards(per_premises=2.0, surveyed=1.0, seed=7)
    premises = [district.premises_a, district.shop_a, district.premises_b]
    assert result["premises"] == 3 and result["inspections"] == 3 and result["hazards"] == 6
    assert Hazard.objects.count() == 6
    for inspection in Inspection.objects.all():
        assert (
            inspection.status == InspectionStatus.SUBMITTED and inspection.outcome == VisitOutcome.INSPECTED
        )
        assert inspection.premises in premises and inspection.building_id == inspection.premises.building_id
    for hazard in Hazard.objects.select_related("item", "premises", "inspection"):
        assert hazard.item.applies_to_premises(hazard.premises), hazard.item.code
        assert hazard.severity == hazard.item.severity and hazard.inspection.premises_id == hazard.premises_id
        assert hazard.status in HazardStatus.values
        assert (hazard.closed_at is not None) == (hazard.status in bench_hazards.CLOSED)
    # The ids the database hands out next follow the loaded ones.
    from firegrid.inspections import services as s

    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    assert inspection.pk > max(Inspection.objects.exclude(pk=inspection.pk).values_list("pk", flat=True))
    with pytest.raises(SystemExit, match="already holds the bench hazards"):
        bench_hazards.load_hazards()


def test_hazard_list_measures_against_its_baselines(district, personas, checklist):
    bench_hazards.load_hazards(per_premises=2.0, surveyed=1.0, seed=7)
    subjects = run.pick_subjects()
    result = run.measure_hazard_latency(subjects, requests=1)
    endpoints = result["endpoints"]
    assert list(endpoints) == [
        "bare",
        *(f"orm_json_hazards_{k}" for k in run.AREA_KEYS),
        *(f"web_hazards_{k}" for k in run.AREA_KEYS),
        *(f"api_hazards_{k}" for k in run.AREA_KEYS),
    ]
    # Grid A holds premises_a and shop_a (two hazards each); the district also premises_b.
    assert result["hazards_by_area"] == {"grid": 4, "community": 4, "subdistrict": 4, "district": 6}
    for key, rows in (("grid", 4), ("district", 6)):
        for group in ("web_hazards", "api_hazards"):
            e = endpoints[f"{group}_{key}"]
            assert e["rows"] == rows and e["same_rows_as_orm_json"], (group, key)
            assert e["orm_json_baseline"] == f"orm_json_hazards_{key}" and e["ratio_to_orm_json"] > 0
    # The floor of every signed-in request: the session, the user (the forced password change check) and,
    # for a district role, whether they have a second factor (core.otp.pending_step).
    assert endpoints["bare"]["queries"] <= 3
    assert set(result["queries"]["detail"]) == {"hazard_web_list", "hazard_api_list"}
    assert isinstance(result["queries"]["constant"], bool)


def test_inspection_submission_goes_through_the_api(district, personas, checklist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    subjects = run.pick_subjects()
    result = run.measure_submission(subjects, rounds=1, photo_size=(800, 600))
    assert result["answers"] == run.SUBMIT_ANSWERS
    assert result["last_submission"] == {
        "inspections": 1,
        "answers": run.SUBMIT_ANSWERS,
        "photos": run.SUBMIT_PHOTOS,
        "hazards": run.SUBMIT_PHOTOS,
        "status": InspectionStatus.SUBMITTED,
    }
    inspection = Inspection.objects.get()
    assert inspection.premises.building.grid == district.grid_a
    assert set(inspection.inspectors.all()) == {personas.grid_worker}
    failed = set(result["failed_items"])
    assert (
        set(Answer.objects.filter(inspection=inspection, result="fail").values_list("item__code", flat=True))
        == failed
    )
    assert (
        set(Photo.objects.filter(inspection=inspection).values_list("answer__item__code", flat=True))
        == failed
    )
    photo = Photo.objects.filter(inspection=inspection).first()
    assert photo.latitude is not None and photo.taken_at is not None  # the EXIF was read …
    assert max(photo.width, photo.height) <= 1600
    for name in ("submission", "decode_photos", "upload_bare", "bare", *run.SUBMIT_STEPS):
        assert result["figures"][name]["median_ms"] > 0
    assert result["ratio_to_decode_photos"] > 0 and result["ratio_to_upload_bare"] > 0
    assert "inspection submit" in run.table(
        {
            "scale": 1,
            "requests": 1,
            "timestamp": "now",
            "database": {"engine": "sqlite"},
            "load": None,
            "areas": {},
            "endpoints": {},
            "queries": {"constant": True, "detail": {}},
            "targets": {},
            "inspection_submit": result,
        }
    )
