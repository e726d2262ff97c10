"""Inspection services: templates, starting, autosave, idempotent submit, outcomes, hazards."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from firegrid.core.models import AuditEntry
from firegrid.inspections import services as s
from firegrid.inspections.choices import (
    AnswerResult,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    VisitOutcome,
)
from firegrid.inspections.models import ChecklistTemplate, Hazard, Inspection
from firegrid.registry.choices import PremisesKind

pytestmark = pytest.mark.django_db

A = s.AnswerInput


def all_pass(inspection, **overrides):
    answers = []
    for item in inspection.applicable_items():
        answers.append(overrides.get(item.code) or A(item.code, AnswerResult.PASS))
    return answers


def test_default_template_loads_the_whole_checklist(checklist):
    assert checklist.code == "zj-2019.1"
    assert checklist.items.count() == 62
    assert checklist.parameter("min_area_per_person_m2") == 6
    assert s.default_template().pk == checklist.pk  # loading twice changes nothing


def test_items_apply_by_kind_shared_rental_and_area_level(checklist, district):
    residential, shop = district.premises_a, district.shop_a
    codes = {i.code for i in checklist.items.all() if i.applies_to_premises(residential)}
    assert "SEP-02" not in codes  # mixed-use only
    assert "MGMT-04" not in codes  # shared rentals only
    assert not any(i.area_level for i in checklist.items.all() if i.code in codes)
    residential.is_shared_rental = True
    assert checklist.items.get(code="MGMT-04").applies_to_premises(residential)
    assert checklist.items.get(code="SEP-02").applies_to_premises(None) is False
    building_items = [i for i in checklist.items.all() if i.applies_to_premises(None)]
    assert len(building_items) == 5
    assert shop.kind == PremisesKind.SHOP


def test_publishing_a_new_version_never_changes_past_inspections(checklist, district, personas):
    gw = personas.grid_worker
    old = s.start_inspection(actor=gw, premises=district.premises_a)
    draft = s.create_template_version(checklist, code="qj-2026.1", actor=personas.admin)
    s.update_template_parameters(draft, {"min_area_per_person_m2": 4}, actor=personas.admin)
    with pytest.raises(ValidationError):
        s.update_template_parameters(checklist, {"min_area_per_person_m2": 4}, actor=personas.admin)
    s.publish_template(draft, actor=personas.admin)
    new = s.start_inspection(actor=gw, premises=district.premises_a)
    assert old.template.code == "zj-2019.1" and new.template.code == "qj-2026.1"
    assert ChecklistTemplate.objects.get(code="zj-2019.1").parameter("min_area_per_person_m2") == 6
    # The old inspection is validated against its own version: 5 m² per person fails there.
    item = "MGMT-03"
    s.submit_inspection(
        old,
        actor=gw,
        outcome=VisitOutcome.INSPECTED,
        answers=all_pass(old, **{item: A(item, AnswerResult.PASS, measured_value="5")}),
    )
    assert Hazard.objects.filter(inspection=old, item__code=item).exists()


def test_grid_worker_cannot_change_templates(checklist, personas):
    with pytest.raises(PermissionDenied):
        s.create_template_version(checklist, code="x", actor=personas.grid_worker)


def test_failed_items_become_hazards_with_deadlines(checklist, district, personas):
    gw = personas.grid_worker
    inspection = s.start_inspection(actor=gw, premises=district.premises_a)
    with time_machine.travel(dt.datetime(2019, 10, 8, 10, tzinfo=dt.UTC)):
        s.submit_inspection(
            inspection,
            actor=gw,
            outcome=VisitOutcome.INSPECTED,
            answers=all_pass(inspection, **{"ELEC-01": A("ELEC-01", AnswerResult.FAIL, note="飞线")}),
        )
    hazard = Hazard.objects.get(inspection=inspection)
    assert hazard.item.code == "ELEC-01" and hazard.status == HazardStatus.OPEN
    days = hazard.item.default_deadline_days
    assert hazard.deadline == dt.date(2019, 10, 8) + dt.timedelta(days=days)
    assert AuditEntry.objects.filter(
        object_id=str(hazard.pk), action="create", premises=district.premises_a
    ).exists()


def test_inspected_outcome_needs_every_applicable_item(checklist, district, personas):
    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    answers = all_pass(inspection)[:-1]
    with pytest.raises(ValidationError) as exc:
        s.submit_inspection(
            inspection, actor=personas.grid_worker, outcome=VisitOutcome.INSPECTED, answers=answers
        )
    assert "未检查" in str(exc.value)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT


def test_answering_an_item_that_does_not_apply_is_refused(checklist, district, personas):
    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    with pytest.raises(ValidationError) as exc:
        s.save_answers(inspection, [A("SEP-02", AnswerResult.FAIL)], actor=personas.grid_worker)
    assert "SEP-02" in exc.value.message_dict and "不适用" in exc.value.message_dict["SEP-02"][0]
    s.save_answers(inspection, [A("SEP-02", AnswerResult.NOT_APPLICABLE)], actor=personas.grid_worker)


def test_submit_replayed_three_times_makes_one_inspection(checklist, district, personas):
    gw = personas.grid_worker
    client_id = uuid.uuid4()
    for _ in range(3):
        inspection = s.start_inspection(actor=gw, premises=district.premises_a, client_uuid=client_id)
        s.submit_inspection(
            inspection,
            actor=gw,
            outcome=VisitOutcome.INSPECTED,
            answers=all_pass(inspection, **{"ELEC-01": A("ELEC-01", AnswerResult.FAIL)}),
        )
    assert Inspection.objects.filter(client_uuid=client_id).count() == 1
    assert Hazard.objects.count() == 1


def test_locked_door_schedules_a_return_visit_and_does_not_cover(checklist, district, personas):
    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    with time_machine.travel(dt.datetime(2019, 10, 8, 10, tzinfo=dt.UTC)):
        s.submit_inspection(inspection, actor=personas.grid_worker, outcome=VisitOutcome.LOCKED)
    inspection.refresh_from_db()
    assert inspection.return_visit_due == dt.date(2019, 10, 11)
    assert not inspection.answers.exists()


def test_the_next_visit_answers_the_return_visit_owed_whatever_it_found(checklist, district, personas):
    gw = personas.grid_worker
    first = s.start_inspection(actor=gw, premises=district.premises_a)
    with time_machine.travel(dt.datetime(2019, 10, 8, 10, tzinfo=dt.UTC)):
        s.submit_inspection(first, actor=gw, outcome=VisitOutcome.LOCKED)
    other = s.start_inspection(actor=gw, premises=district.shop_a)  # another premises answers nothing
    s.submit_inspection(other, actor=gw, outcome=VisitOutcome.LOCKED)
    assert set(Inspection.objects.return_visits_owed()) == {first, other}
    assert list(Inspection.objects.return_visits_owed(due_by=dt.date(2019, 10, 10))) == []
    assert list(Inspection.objects.return_visits_owed(due_by=dt.date(2019, 10, 11))) == [first]
    second = s.start_inspection(actor=gw, premises=district.premises_a)
    s.submit_inspection(second, actor=gw, outcome=VisitOutcome.LOCKED)  # locked again: its own return visit
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.answered_at == second.submitted_at
    assert set(Inspection.objects.return_visits_owed()) == {second, other}


def test_visits_written_directly_are_answered_by_one_update(district):
    """The demo's and the benchmarks' loaders write visits without the submit service."""
    from firegrid.inspections.return_visits import answer_return_visits
    from firegrid.longterm.tests.scene import visit

    locked = visit(district.premises_a, VisitOutcome.LOCKED, days_ago=9)
    renovating = visit(district.premises_a, VisitOutcome.RENOVATING, days_ago=5)
    inspected = visit(district.premises_a, VisitOutcome.INSPECTED, days_ago=1)
    owed = visit(district.shop_a, VisitOutcome.NOT_FOUND, days_ago=4)
    Inspection.objects.update(answered_at=None)  # as a loader leaves them
    assert answer_return_visits() == 2
    locked.refresh_from_db()
    renovating.refresh_from_db()
    assert locked.answered_at == renovating.submitted_at  # the earliest later visit
    assert renovating.answered_at == inspected.submitted_at
    assert list(Inspection.objects.return_visits_owed()) == [owed]
    assert answer_return_visits() == 0  # nothing left to answer


def test_fixed_on_spot_needs_an_immediate_item_and_an_after_photo(checklist, district, personas):
    gw = personas.grid_worker
    inspection = s.start_inspection(actor=gw, premises=district.premises_a)
    immediate = next(i for i in inspection.applicable_items() if i.severity == "immediate")
    ordinary = next(i for i in inspection.applicable_items() if i.severity == "ordinary")
    with pytest.raises(ValidationError):
        s.save_answers(inspection, [A(ordinary.code, AnswerResult.FAIL, fixed_on_spot=True)], actor=gw)
    answers = all_pass(
        inspection, **{immediate.code: A(immediate.code, AnswerResult.FAIL, fixed_on_spot=True)}
    )
    with pytest.raises(ValidationError) as exc:
        s.submit_inspection(inspection, actor=gw, outcome=VisitOutcome.INSPECTED, answers=answers)
    assert "整改后照片" in str(exc.value)


def test_recheck_moves_to_awaiting_acceptance_and_only_acceptance_closes(checklist, district, personas):
    gw = personas.grid_worker
    survey = s.start_inspection(actor=gw, premises=district.premises_a)
    s.submit_inspection(
        survey,
        actor=gw,
        outcome=VisitOutcome.INSPECTED,
        answers=all_pass(survey, **{"ELEC-01": A("ELEC-01", AnswerResult.FAIL)}),
    )
    hazard = Hazard.objects.get()
    recheck = s.start_inspection(actor=gw, premises=district.premises_a, kind=InspectionKind.RECHECK)
    s.submit_inspection(recheck, actor=gw, outcome=VisitOutcome.INSPECTED, answers=all_pass(recheck))
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.AWAITING_ACCEPTANCE
    patrol = s.start_inspection(actor=gw, premises=district.premises_a, kind=InspectionKind.PATROL)
    s.submit_inspection(patrol, actor=gw, outcome=VisitOutcome.INSPECTED, answers=all_pass(patrol))
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.AWAITING_ACCEPTANCE  # a patrol does not close it
    acceptance = s.start_inspection(actor=gw, premises=district.premises_a, kind=InspectionKind.ACCEPTANCE)
    s.submit_inspection(acceptance, actor=gw, outcome=VisitOutcome.INSPECTED, answers=all_pass(acceptance))
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.ACCEPTED and hazard.closed_by == acceptance


def test_a_failure_already_open_is_not_duplicated(checklist, district, personas):
    gw = personas.grid_worker
    for _ in range(2):
        i = s.start_inspection(actor=gw, premises=district.premises_a, kind=InspectionKind.PATROL)
        s.submit_inspection(
            i,
            actor=gw,
            outcome=VisitOutcome.INSPECTED,
            answers=all_pass(i, **{"ELEC-01": A("ELEC-01", AnswerResult.FAIL)}),
        )
    assert Hazard.objects.count() == 1


def test_advice_items_are_not_hazards(checklist, district, personas):
    gw = personas.grid_worker
    district.premises_a.is_shared_rental = True  # the advice items apply to shared rentals
    district.premises_a.save()
    inspection = s.start_inspection(actor=gw, premises=district.premises_a)
    advice = next(i for i in inspection.applicable_items() if i.severity == "advice")
    s.submit_inspection(
        inspection,
        actor=gw,
        outcome=VisitOutcome.INSPECTED,
        answers=all_pass(inspection, **{advice.code: A(advice.code, AnswerResult.FAIL)}),
    )
    assert not Hazard.objects.exists()


def test_measurement_decides_the_result(checklist, district, personas):
    gw = personas.grid_worker
    inspection = s.start_inspection(actor=gw, premises=district.premises_a)
    s.save_answers(inspection, [A("MGMT-03", AnswerResult.PASS, measured_value="4.5")], actor=gw)
    assert inspection.answers.get(item__code="MGMT-03").result == AnswerResult.FAIL


def test_suggestions_from_the_registry(checklist, district, personas):
    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    suggestion = s.suggestions(inspection)["MGMT-03"]
    # room_a: 15 m², 2 occupants → 7.5 m² per person, 2 per room: passes.
    assert suggestion.measured_value == Decimal("7.50") and suggestion.result == AnswerResult.PASS
    room = district.room_a
    room.occupants = 3
    room.save()
    assert s.suggestions(inspection)["MGMT-03"].result == AnswerResult.FAIL


def test_outsider_cannot_inspect(checklist, district, personas):
    with pytest.raises(PermissionDenied):
        s.start_inspection(actor=personas.outsider, premises=district.premises_a)
    with pytest.raises(PermissionDenied):
        s.start_inspection(actor=personas.liaison, premises=district.premises_a)


def test_void_needs_a_supervisor_and_a_reason(checklist, district, personas):
    gw = personas.grid_worker
    i = s.start_inspection(actor=gw, premises=district.premises_a)
    s.submit_inspection(
        i,
        actor=gw,
        outcome=VisitOutcome.INSPECTED,
        answers=all_pass(i, **{"ELEC-01": A("ELEC-01", AnswerResult.FAIL)}),
    )
    hazard = Hazard.objects.get()
    with pytest.raises(PermissionDenied):
        s.void_hazard(hazard, actor=gw, reason="录入错误")
    with pytest.raises(ValidationError):
        s.void_hazard(hazard, actor=personas.community_officer, reason=" ")
    s.void_hazard(hazard, actor=personas.community_officer, reason="录入错误")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.VOID
    assert AuditEntry.objects.filter(object_id=str(hazard.pk), reason="录入错误").exists()


def test_building_inspection_answers_area_level_items(checklist, district, personas):
    gw = personas.grid_worker
    inspection = s.start_inspection(actor=gw, building=district.building_a)
    codes = [i.code for i in inspection.applicable_items()]
    assert len(codes) == 5
    s.submit_inspection(
        inspection,
        actor=gw,
        outcome=VisitOutcome.INSPECTED,
        answers=all_pass(inspection, **{codes[0]: A(codes[0], AnswerResult.FAIL)}),
    )
    hazard = Hazard.objects.get()
    assert hazard.premises is None and hazard.building == district.building_a
