"""Points services: rule sets versioned like risk's (draft → publish, a published version never changes,
one in force), officers' entries (attendance, corrections) with their rules, scope and role, and a
landlord's points for a year."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from firegrid.core.models import AuditAction, AuditEntry
from firegrid.outreach.models import OutreachKind, OutreachRecord
from firegrid.points import rules, services
from firegrid.points.choices import PointsRule
from firegrid.points.models import PointsEntry, PointsRuleSet, YearEndEvaluation
from firegrid.risk.choices import RuleSetStatus

from .scene import TODAY, YEAR, give

pytestmark = pytest.mark.django_db


def meeting(area, recorder, **kw) -> OutreachRecord:
    return OutreachRecord.objects.create(
        kind=OutreachKind.MEETING,
        held_on=kw.pop("held_on", TODAY),
        area=area,
        attendance=30,
        recorded_by=recorder,
    )


# --- rule sets ----------------------------------------------------------------------------------------------


def test_the_default_rule_set_is_made_and_published_once(db):
    first = services.default_rule_set()
    assert (first.code, first.status) == ("points-2026.1", RuleSetStatus.PUBLISHED)
    assert services.default_rule_set() == first
    assert PointsRuleSet.objects.count() == 1
    assert first.full_parameters() == rules.default_parameters()
    assert rules.amount(PointsRule.ENFORCEMENT, first.full_parameters()) == -10


def test_a_draft_is_edited_published_and_then_never_changes(personas):
    admin = personas.admin
    current = services.default_rule_set()
    draft = services.create_rule_set_draft(current, code="points-2027.1", actor=admin)
    assert draft.status == RuleSetStatus.DRAFT and draft.based_on == current
    with pytest.raises(ValidationError) as bad:
        services.update_rule_set_parameters(draft, {"amounts": {"overdue": 5}}, actor=admin)
    assert "amounts.overdue" in bad.value.message_dict
    with pytest.raises(ValidationError) as crossed:
        services.update_rule_set_parameters(draft, {"interval": {"poor_points": 120}}, actor=admin)
    assert "interval.poor_points" in crossed.value.message_dict
    draft = services.update_rule_set_parameters(
        draft, {"year": {"base": 80}}, actor=admin, expected_version=draft.version
    )
    services.publish_rule_set(draft, actor=admin)
    current.refresh_from_db()
    assert current.status == RuleSetStatus.RETIRED
    assert PointsRuleSet.objects.current() == draft
    with pytest.raises(ValidationError, match="已发布的积分规则不能修改"):
        services.update_rule_set_parameters(draft, {"year": {"base": 90}}, actor=admin)
    assert PointsRuleSet.objects.filter(status=RuleSetStatus.PUBLISHED).count() == 1
    assert [e.action for e in AuditEntry.objects.for_object(draft)] == [AuditAction.UPDATE] * 2 + [
        AuditAction.CREATE
    ]


def test_only_the_system_admin_writes_rule_sets(personas):
    current = services.default_rule_set()
    with pytest.raises(PermissionDenied):
        services.create_rule_set_draft(current, code="x", actor=personas.commander)
    with pytest.raises(ValidationError) as taken:
        services.create_rule_set_draft(current, code="points-2026.1", actor=personas.admin)
    assert "code" in taken.value.message_dict


def test_unknown_or_malformed_parameters_are_refused_by_name():
    with pytest.raises(ValidationError) as exc:
        rules.validate_parameters({"amounts": {"made_up": 1, "overdue": "x"}, "bonus": {}})
    assert set(exc.value.message_dict) == {"amounts.made_up", "amounts.overdue", "bonus"}
    assert rules.validate_parameters({"amounts": {"overdue": "-7"}})["amounts"]["overdue"] == -7


@pytest.mark.parametrize(
    ("points", "band", "factor"), [(85, "poor", "0.5"), (100, "middle", "1"), (110, "good", "1.2")]
)
def test_bands_and_the_interval_factor_follow_the_thresholds(points, band, factor):
    parameters = rules.default_parameters()
    assert rules.band(points, parameters) == band
    assert str(rules.interval_factor(points, parameters).normalize()) == factor


def test_the_nomination_cap_rounds_down():
    assert [rules.nomination_cap(n, 5) for n in (0, 19, 20, 39, 40)] == [0, 0, 1, 1, 2]


# --- a landlord's points ------------------------------------------------------------------------------------


def test_points_are_the_base_plus_the_years_entries(district):
    give(district.landlord_a, 5)
    give(district.landlord_a, -3)
    give(district.landlord_a, 40, on=dt.date(YEAR - 1, 12, 31))
    give(district.landlord_b, -10)
    assert services.landlord_points(district.landlord_a, YEAR) == 102
    assert services.landlord_points(district.landlord_a, YEAR - 1) == 140
    assert services.points_of([district.landlord_a.pk, district.landlord_b.pk], YEAR) == {
        district.landlord_a.pk: 102,
        district.landlord_b.pk: 90,
    }
    assert services.yearly_points(district.landlord_a.pk, [YEAR, YEAR - 1, YEAR - 2]) == {
        YEAR: 102,
        YEAR - 1: 140,
        YEAR - 2: 100,
    }


# --- officers' entries --------------------------------------------------------------------------------------


def test_meeting_attendance_takes_the_rule_sets_amount_and_links_the_meeting_once(district, personas):
    officer = personas.community_officer
    record = meeting(district.c1, officer)
    entry = services.add_manual_entry(
        district.landlord_a, PointsRule.MEETING_ATTENDANCE, actor=officer, occurred_on=TODAY, source=record
    )
    assert (entry.amount, entry.source, entry.created_by) == (2, record, officer)
    assert entry.source_url == record.get_absolute_url()
    assert str(record) in entry.reason
    log = AuditEntry.objects.for_object(entry).get()
    assert (log.action, log.actor) == (AuditAction.CREATE, officer)
    with pytest.raises(ValidationError, match="已记过积分"):
        services.add_manual_entry(
            district.landlord_a,
            PointsRule.MEETING_ATTENDANCE,
            actor=officer,
            occurred_on=TODAY,
            source=record,
        )
    assert PointsEntry.objects.count() == 1


def test_training_without_a_record_needs_a_note_naming_it(district, personas):
    officer = personas.subdistrict_officer
    with pytest.raises(ValidationError) as exc:
        services.add_manual_entry(
            district.landlord_a, PointsRule.TRAINING_ATTENDANCE, actor=officer, occurred_on=TODAY
        )
    assert "note" in exc.value.message_dict
    entry = services.add_manual_entry(
        district.landlord_a,
        PointsRule.TRAINING_ATTENDANCE,
        actor=officer,
        occurred_on=TODAY,
        note="樟潭街道消防安全培训（第二期）",
    )
    note = "樟潭街道消防安全培训（第二期）"
    assert (entry.amount, entry.reason, entry.reason_text, entry.source) == (2, note, note, None)


def test_a_correction_is_a_new_entry_linked_to_the_one_it_corrects(district, personas):
    officer = personas.subdistrict_officer
    wrong = give(district.landlord_a, -10, rule=PointsRule.ENFORCEMENT)
    correction = services.add_manual_entry(
        district.landlord_a,
        PointsRule.CORRECTION,
        actor=officer,
        occurred_on=TODAY,
        amount_typed=10,
        note="执法决定已撤销",
        source=wrong,
    )
    wrong.refresh_from_db()
    assert wrong.amount == -10  # the entry corrected stays as it was
    assert (correction.amount, correction.source) == (10, wrong)
    assert "执法决定已撤销" in correction.reason and "转入执法" in correction.reason
    assert services.landlord_points(district.landlord_a, YEAR) == 100
    with pytest.raises(ValidationError):
        services.add_manual_entry(
            district.landlord_a,
            PointsRule.CORRECTION,
            actor=officer,
            occurred_on=TODAY,
            amount_typed=5,
            note="再改",
            source=correction,
        )


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"amount_typed": 5}, "note"),
        ({"note": "少记"}, "amount"),
        ({"note": "少记", "amount_typed": 0}, "amount"),
        ({"note": "少记", "amount_typed": 51}, "amount"),
        ({"note": "少记", "amount_typed": 5, "occurred_on": TODAY + dt.timedelta(days=1)}, "occurred_on"),
        ({"note": "少记", "amount_typed": 5, "occurred_on": dt.date(YEAR - 2, 12, 31)}, "occurred_on"),
    ],
)
def test_a_correction_needs_a_reason_and_a_bounded_amount(district, personas, kw, field):
    kw.setdefault("occurred_on", TODAY)
    with pytest.raises(ValidationError) as exc:
        services.add_manual_entry(
            district.landlord_a, PointsRule.CORRECTION, actor=personas.subdistrict_officer, **kw
        )
    assert field in exc.value.message_dict
    assert not PointsEntry.objects.exists()


def test_rules_the_system_records_cannot_be_added_by_hand(district, personas):
    with pytest.raises(ValidationError) as exc:
        services.add_manual_entry(
            district.landlord_a,
            PointsRule.OVERDUE,
            actor=personas.subdistrict_officer,
            occurred_on=TODAY,
            note="x",
        )
    assert "rule" in exc.value.message_dict


def test_manual_entries_stay_in_the_officers_scope_and_role(district, personas):
    def add(actor, landlord):
        return services.add_manual_entry(
            landlord, PointsRule.TRAINING_ATTENDANCE, actor=actor, occurred_on=TODAY, note="培训"
        )

    for refused in (personas.grid_worker, personas.liaison, personas.landlord, personas.admin):
        with pytest.raises(PermissionDenied):
            add(refused, district.landlord_a)
    with pytest.raises(PermissionDenied, match="管辖范围"):
        add(personas.subdistrict_officer, district.landlord_b)
    other = meeting(district.c2, personas.outsider)
    with pytest.raises(ValidationError) as exc:
        services.add_manual_entry(
            district.landlord_a,
            PointsRule.MEETING_ATTENDANCE,
            actor=personas.community_officer,
            occurred_on=TODAY,
            source=other,
        )
    assert "record" in exc.value.message_dict
    assert not PointsEntry.objects.exists()
    for allowed in (personas.community_officer, personas.commander, personas.fire_officer):
        add(allowed, district.landlord_a)
    assert PointsEntry.objects.count() == 3


def test_no_entry_is_added_by_hand_to_a_year_whose_evaluation_is_confirmed(district, personas):
    YearEndEvaluation.objects.create(
        year=YEAR - 1,
        rule_set=services.default_rule_set(),
        computed_at=timezone.now(),
        confirmed_at=timezone.now(),
        status="confirmed",
    )
    with pytest.raises(ValidationError) as exc:
        services.add_manual_entry(
            district.landlord_a,
            PointsRule.TRAINING_ATTENDANCE,
            actor=personas.community_officer,
            occurred_on=dt.date(YEAR - 1, 12, 30),
            note="培训",
        )
    assert "occurred_on" in exc.value.message_dict
