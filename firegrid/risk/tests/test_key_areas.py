"""Key areas (重点区域): the district command designates an area with a reason and a period; inside it
every premises is graded higher (a reason with the designation's weight) and re-inspected sooner (the
interval × interval_percent / 100), while the designation is in force. Designating, changing or ending one
grades the area's premises again. Only the command (and the system admin) designates; everyone who reads
grades reads the designations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from firegrid.conftest import PORTAL, assert_status
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.rectification.testing import inspect
from firegrid.risk import key_areas, services
from firegrid.risk.models import KeyArea, PremisesGrade
from firegrid.risk.rules import interval_days

pytestmark = pytest.mark.django_db


def designate(area, *, actor, starts=None, ends=None, weight=10, percent=50, reason="2018年火警284起"):
    data = {
        "area": area,
        "reason": reason,
        "starts_on": starts or timezone.localdate() - dt.timedelta(days=30),
        "ends_on": ends,
        "weight": weight,
        "interval_percent": percent,
    }
    return services.save_key_area(None, data, actor=actor)


def test_a_premises_inside_a_key_area_in_force_has_the_fact_and_one_outside_has_none(district, personas):
    d, today = district, timezone.localdate()
    designate(d.s1, actor=personas.commander)
    facts = key_areas.key_area_facts([d.premises_a.pk, d.premises_b.pk], today)
    assert facts == {
        d.premises_a.pk: {"area": d.s1.name, "reason": "2018年火警284起", "weight": 10, "factor": "0.5"}
    }
    # Not yet in force, and no longer in force.
    assert key_areas.key_area_facts([d.premises_a.pk], today - dt.timedelta(days=31)) == {}
    KeyArea.objects.update(ends_on=today - dt.timedelta(days=1))
    assert key_areas.key_area_facts([d.premises_a.pk], today) == {}
    KeyArea.objects.update(ends_on=today)  # the last day counts
    assert d.premises_a.pk in key_areas.key_area_facts([d.premises_a.pk], today)


def test_nested_key_areas_give_the_heaviest_weight_and_the_shortest_interval(district, personas):
    d = district
    designate(d.s1, actor=personas.commander, weight=10, percent=80)
    designate(d.grid_a, actor=personas.commander, weight=25, percent=60, reason="群租集中")
    designate(d.c1, actor=personas.commander, weight=5, percent=40)
    fact = key_areas.key_area_facts([d.premises_a.pk], timezone.localdate())[d.premises_a.pk]
    assert (fact["area"], fact["weight"], fact["factor"]) == (d.grid_a.name, 25, "0.4")


def test_the_grade_carries_the_reason_and_the_interval_is_shortened(
    district, personas, checklist, django_capture_on_commit_callbacks
):
    d = district
    inspect(d.premises_a, actor=personas.grid_worker)  # passes everything: green
    before = PremisesGrade.objects.get(premises=d.premises_a)
    with django_capture_on_commit_callbacks(execute=True):
        designate(d.s1, actor=personas.commander, weight=10, percent=50)
    after = PremisesGrade.objects.get(premises=d.premises_a)
    assert {"msgid": key_areas.REASON, "params": {"area": d.s1.name}, "weight": 10} in after.reasons
    assert after.score == before.score + 10
    full = interval_days(after.grade, services.default_rule_set().parameters)
    last = timezone.localdate(after.last_covering_inspection_at)
    assert before.next_due == last + dt.timedelta(days=full)
    assert (after.next_due - last).days == (full + 1) // 2  # half, rounded half up
    # Only the area's premises were graded again (premises_b, in the other subdistrict, never was).
    assert not PremisesGrade.objects.filter(premises=d.premises_b).exists()


def test_ending_a_designation_grades_the_area_again(
    district, personas, checklist, django_capture_on_commit_callbacks
):
    d = district
    inspect(d.premises_a, actor=personas.grid_worker)
    with django_capture_on_commit_callbacks(execute=True):
        key_area = designate(d.s1, actor=personas.commander)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_key_area(
            key_area,
            {"ends_on": timezone.localdate() - dt.timedelta(days=1)},
            actor=personas.commander,
            expected_version=key_area.version,
            reason="整治完成",
        )
    grade = PremisesGrade.objects.get(premises=d.premises_a)
    assert not [r for r in grade.reasons if r["msgid"] == key_areas.REASON]
    entry = AuditEntry.objects.for_object(key_area).filter(action=AuditAction.UPDATE).get()
    assert entry.reason == "整治完成" and entry.actor == personas.commander


def test_only_the_command_designates(district, personas):
    for persona in ("subdistrict_officer", "community_officer", "grid_worker", "fire_officer"):
        with pytest.raises(PermissionDenied):
            designate(district.s1, actor=getattr(personas, persona))
    assert designate(district.s1, actor=personas.admin).pk


def test_a_district_or_a_reversed_period_is_refused_on_its_field(district, personas):
    with pytest.raises(ValidationError) as refused:
        designate(district.d, actor=personas.commander)
    assert "area" in refused.value.message_dict
    today = timezone.localdate()
    with pytest.raises(ValidationError) as reversed_period:
        designate(district.s1, actor=personas.commander, starts=today, ends=today - dt.timedelta(days=1))
    assert "ends_on" in reversed_period.value.message_dict


def test_the_pages_designate_for_the_command_and_show_to_the_field(district, personas, login):
    commander = login(personas.commander)
    today = timezone.localdate()
    response = commander.post(
        reverse("risk:keyarea_add"),
        {
            "area": district.s1.pk,
            "reason": "2018年火警284起，占全区51.4%",
            "starts_on": "2015-01-01",
            "ends_on": "",
            "weight": "10",
            "interval_percent": "50",
        },
    )
    key_area = KeyArea.objects.get()
    assert_status(response, 302)
    assert response["Location"] == reverse("risk:keyarea_detail", args=[key_area.pk])
    assert key_area.starts_on == dt.date(2015, 1, 1) and key_area.ends_on is None
    # A bad period keeps what was typed and names the field.
    bad = commander.post(
        reverse("risk:keyarea_add"),
        {
            "area": district.s2.pk,
            "reason": "试点",
            "starts_on": f"{today}",
            "ends_on": "2000-01-01",
            "weight": "10",
            "interval_percent": "50",
        },
    )
    assert_status(bad, 200)
    assert "结束日期不能早于开始日期" in bad.content.decode() and "试点" in bad.content.decode()
    # The field reads the list; it may not designate.
    worker = login(personas.grid_worker)
    listing = worker.get(reverse("risk:keyarea_list")).content.decode()
    assert district.s1.name in listing and "现行" in listing
    assert_status(worker.get(reverse("risk:keyarea_add")), 403)
    assert_status(worker.post(reverse("risk:keyarea_edit", args=[key_area.pk]), {"reason": "x"}), 403)
    assert_status(login(personas.landlord).get(reverse("risk:keyarea_list")), PORTAL)
    assert KeyArea.objects.get().reason == "2018年火警284起，占全区51.4%"
