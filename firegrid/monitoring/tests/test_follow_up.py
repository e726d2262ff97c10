"""An alarm that found something (e-bike charging indoors, an electrical fault, a real fire) asks for an
inspection of its premises (报警后待检查): a work-queue item of the grid's workers until a covering
inspection is submitted, whose failed items open the hazards the normal way; and it counts in the
premises' risk grade for a year. A false alarm, cooking smoke or a faulty device asks for nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from firegrid.core.models import AuditEntry
from firegrid.inspections import services as inspections
from firegrid.inspections.choices import HazardStatus, VisitOutcome
from firegrid.inspections.models import Hazard
from firegrid.longterm.choices import KIND_PRIORITY, QueueKind
from firegrid.longterm.queue import kind_counts, kind_qs, work_queue
from firegrid.monitoring import risk_hooks, services
from firegrid.monitoring.choices import CaseOutcome
from firegrid.monitoring.tests.scene import plan_of
from firegrid.rectification.testing import inspect
from firegrid.registry.models import Premises
from firegrid.risk.choices import GradeCause, RiskGrade
from firegrid.risk.models import GradeChange, PremisesGrade

pytestmark = pytest.mark.django_db


def items(user):
    return {item.premises.pk: item for item in work_queue(user, today=timezone.localdate()).items}


def close(case, outcome, actor):
    services.visit_case(case, actor=actor)
    return services.close_case(case, outcome=outcome, note="到场核查", actor=actor)


def test_the_follow_up_kind_comes_right_after_the_alarms():
    assert KIND_PRIORITY[QueueKind.ALARM_FOLLOW_UP] == KIND_PRIORITY[QueueKind.ALARM] + 1


@pytest.mark.parametrize(
    "outcome", [CaseOutcome.ELECTRICAL_FAULT, CaseOutcome.EBIKE_INDOORS, CaseOutcome.REAL_FIRE]
)
def test_a_case_that_found_something_waits_for_an_inspection_then_the_inspection_opens_the_hazards(
    monitoring_scene, personas, checklist, outcome
):
    s, worker = monitoring_scene, personas.grid_worker
    case = close(s.case_a, outcome, worker)
    mine = items(worker)
    assert set(mine) == {s.d.premises_a.pk}
    item = mine[s.d.premises_a.pk]
    assert item.kind == QueueKind.ALARM_FOLLOW_UP
    assert str(CaseOutcome(outcome).label) in item.reason
    assert [e.link for e in item.entries] == [reverse("monitoring:alertcase_detail", args=[case.pk])]
    assert s.d.premises_a.pk not in items(personas.outsider)  # the other grid's worker
    assert kind_counts(worker, today=timezone.localdate())[QueueKind.ALARM_FOLLOW_UP] == 1

    inspection = inspect(s.d.premises_a, actor=worker, fail=["ELEC-01"])
    hazard = Hazard.objects.get(premises=s.d.premises_a)
    assert (hazard.item.code, hazard.inspection, hazard.status) == ("ELEC-01", inspection, HazardStatus.OPEN)
    case.refresh_from_db()
    assert case.followed_up_by == inspection
    assert s.d.premises_a.pk not in items(worker)
    entry = AuditEntry.objects.filter(object_id=str(case.pk), reason="报警后跟进检查已提交").get()
    assert entry.after["followed_up_by_id"] == inspection.pk and entry.actor == worker


@pytest.mark.parametrize(
    "outcome", [CaseOutcome.FALSE_ALARM, CaseOutcome.COOKING_SMOKE, CaseOutcome.DEVICE_FAULT]
)
def test_an_alarm_that_found_nothing_asks_for_no_inspection(monitoring_scene, personas, outcome):
    close(monitoring_scene.case_a, outcome, personas.grid_worker)
    assert items(personas.grid_worker) == {}


def test_a_door_not_opened_does_not_follow_the_case_up(monitoring_scene, personas, checklist):
    s, worker = monitoring_scene, personas.grid_worker
    case = close(s.case_a, CaseOutcome.ELECTRICAL_FAULT, worker)
    locked = inspections.start_inspection(actor=worker, premises=s.d.premises_a)
    inspections.submit_inspection(locked, actor=worker, outcome=VisitOutcome.LOCKED)
    case.refresh_from_db()
    assert case.followed_up_by is None
    assert QueueKind.ALARM_FOLLOW_UP in items(worker)[s.d.premises_a.pk].kinds


def test_an_inspection_of_another_premises_follows_nothing_up(monitoring_scene, personas, checklist):
    s = monitoring_scene
    case = close(s.case_b, CaseOutcome.EBIKE_INDOORS, personas.outsider)
    inspect(s.d.premises_a, actor=personas.grid_worker)
    case.refresh_from_db()
    assert case.followed_up_by is None
    assert set(items(personas.outsider)) == {s.d.premises_b.pk}


def test_the_grade_counts_what_the_alarm_found_as_the_case_closes(
    monitoring_scene, personas, django_capture_on_commit_callbacks
):
    s, worker = monitoring_scene, personas.grid_worker
    with django_capture_on_commit_callbacks(execute=True):
        close(s.case_a, CaseOutcome.ELECTRICAL_FAULT, worker)
    grade = PremisesGrade.objects.get(premises=s.d.premises_a)
    assert {"msgid": risk_hooks.HAZARD_REASON, "params": {"n": 1}, "weight": 20} in grade.reasons
    assert grade.grade in {RiskGrade.YELLOW, RiskGrade.RED}
    assert GradeChange.objects.filter(premises=s.d.premises_a, cause=GradeCause.ALARM).exists()

    with django_capture_on_commit_callbacks(execute=True):
        close(s.case_b, CaseOutcome.REAL_FIRE, personas.outsider)
    fire = PremisesGrade.objects.get(premises=s.d.premises_b)
    assert fire.grade == RiskGrade.RED
    assert {"msgid": risk_hooks.FIRE_REASON, "params": {"n": 1}, "weight": 50} in fire.reasons


def test_a_false_alarm_leaves_the_grade_alone(monitoring_scene, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        close(monitoring_scene.case_a, CaseOutcome.FALSE_ALARM, personas.grid_worker)
    grade = PremisesGrade.objects.get(premises=monitoring_scene.d.premises_a)
    assert not [r for r in grade.reasons if r["msgid"] in {risk_hooks.HAZARD_REASON, risk_hooks.FIRE_REASON}]


def test_a_case_counts_for_a_year_after_it_closed(monitoring_scene, personas):
    s = monitoring_scene
    case = close(s.case_a, CaseOutcome.EBIKE_INDOORS, personas.grid_worker)
    closed_on = timezone.localdate(case.closed_at)
    pk = s.d.premises_a.pk
    assert risk_hooks.confirmed_alarm_facts([pk], closed_on)[pk]["hazards"] == 1
    assert risk_hooks.confirmed_alarm_facts([pk], closed_on + dt.timedelta(days=364))[pk]["hazards"] == 1
    assert risk_hooks.confirmed_alarm_facts([pk], closed_on + dt.timedelta(days=366)) == {}
    assert risk_hooks.confirmed_alarm_facts([pk], closed_on - dt.timedelta(days=1)) == {}  # not yet closed


def test_the_follow_up_candidate_set_is_read_from_its_partial_index(monitoring_scene):
    sql = str(Premises.objects.filter(kind_qs(timezone.localdate())[QueueKind.ALARM_FOLLOW_UP]).query)
    assert "IN (SELECT" in sql.upper().replace('"', "")
    if connection.vendor == "postgresql":
        plan = plan_of(
            "SELECT premises_id FROM monitoring_alertcase WHERE state = 'closed' AND outcome IN "
            "('ebike_indoors', 'electrical_fault', 'real_fire') AND followed_up_by_id IS NULL"
        )
        assert "alertcase_follow_up_premises" in plan


def test_the_case_page_asks_for_the_inspection_then_links_it(monitoring_scene, personas, checklist, login):
    s, worker = monitoring_scene, personas.grid_worker
    case = close(s.case_a, CaseOutcome.ELECTRICAL_FAULT, worker)
    url = reverse("monitoring:alertcase_detail", args=[case.pk])
    page = login(worker).get(url).content.decode()
    assert "报警后待检查" in page and reverse("registry:premises_detail", args=[s.d.premises_a.pk]) in page
    inspection = inspect(s.d.premises_a, actor=worker)
    page = login(worker).get(url).content.decode()
    assert "报警后待检查" not in page
    assert reverse("inspections:inspection_detail", args=[inspection.pk]) in page


def test_the_bulk_fill_picks_the_first_covering_inspection_after_the_closing(
    monitoring_scene, personas, checklist
):
    """Loads that write cases and visits directly (the demo, the migration) fill `followed_up_by` with the
    same rule as the receiver: the earliest covering inspection of the premises since the case closed."""
    from firegrid.inspections.models import Inspection
    from firegrid.monitoring.followup import fill_follow_ups
    from firegrid.monitoring.models import AlertCase

    s, worker = monitoring_scene, personas.grid_worker
    before = inspect(s.d.premises_a, actor=worker)
    case = close(s.case_a, CaseOutcome.ELECTRICAL_FAULT, worker)
    first, second = inspect(s.d.premises_a, actor=worker), inspect(s.d.premises_a, actor=worker)
    locked = inspections.start_inspection(actor=worker, premises=s.d.premises_a)
    inspections.submit_inspection(locked, actor=worker, outcome=VisitOutcome.LOCKED)
    t = case.closed_at
    Inspection.objects.filter(pk=before.pk).update(submitted_at=t - dt.timedelta(days=1))
    Inspection.objects.filter(pk=locked.pk).update(submitted_at=t + dt.timedelta(hours=1))
    Inspection.objects.filter(pk=second.pk).update(submitted_at=t + dt.timedelta(days=2))
    Inspection.objects.filter(pk=first.pk).update(submitted_at=t + dt.timedelta(days=3))
    AlertCase.objects.filter(pk=case.pk).update(followed_up_by=None)  # as a load writes it
    other = close(s.case_b, CaseOutcome.REAL_FIRE, personas.outsider)  # nothing inspected since: stays owed
    assert fill_follow_ups() == 1
    case.refresh_from_db()
    other.refresh_from_db()
    assert case.followed_up_by == second and other.followed_up_by is None
    assert fill_follow_ups() == 0
