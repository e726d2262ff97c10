"""Rule sets (default, draft, publish, immutable once published) and grade recomputation (on inspection
submit and plan move, history only on change, the nightly job, query count flat in the premises)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from firegrid import testing as t
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.jobs.models import JobRun
from firegrid.jobs.services import enqueue
from firegrid.rectification import services as rectification
from firegrid.rectification.testing import inspect, plan_with_hazards
from firegrid.registry.choices import PremisesKind, PremisesStatus
from firegrid.risk import services
from firegrid.risk.choices import GradeCause, RiskGrade, RuleSetStatus
from firegrid.risk.models import GradeChange, PremisesGrade, RiskRuleSet

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 0))


def grade_of(premises) -> PremisesGrade:
    return PremisesGrade.objects.get(premises=premises)


# --- rule sets -------------------------------------------------------------------------------------------


def test_default_rule_set_is_made_and_published_once():
    first = services.default_rule_set()
    assert (first.code, first.status) == (services.DEFAULT_RULE_SET_CODE, RuleSetStatus.PUBLISHED)
    assert services.default_rule_set() == first
    assert RiskRuleSet.objects.count() == 1


def test_a_draft_is_edited_and_published_and_the_previous_version_retires(personas):
    current = services.default_rule_set()
    draft = services.create_rule_set_draft(current, code="risk-2026.2", actor=personas.admin)
    assert (draft.status, draft.based_on) == (RuleSetStatus.DRAFT, current)
    draft = services.update_rule_set_parameters(
        draft, {"intervals_days": {"red": 14}}, actor=personas.admin, expected_version=draft.version
    )
    assert draft.full_parameters()["intervals_days"]["red"] == 14
    published = services.publish_rule_set(draft, actor=personas.admin)
    current.refresh_from_db()
    assert (published.status, current.status) == (RuleSetStatus.PUBLISHED, RuleSetStatus.RETIRED)
    assert RiskRuleSet.objects.current() == published
    assert published.published_by == personas.admin
    actions = list(AuditEntry.objects.for_object(published).values_list("action", flat=True))
    assert sorted(actions) == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.UPDATE]


def test_a_published_rule_set_never_changes(personas):
    current = services.default_rule_set()
    before = current.parameters
    with pytest.raises(ValidationError, match="已发布的风险规则不能修改"):
        services.update_rule_set_parameters(current, {"cut_offs": {"red": 99}}, actor=personas.admin)
    with pytest.raises(ValidationError, match="已发布的风险规则不能修改"):
        services.publish_rule_set(current, actor=personas.admin)
    current.refresh_from_db()
    assert current.parameters == before


def test_bad_parameters_are_refused_per_key(personas):
    draft = services.create_rule_set_draft(services.default_rule_set(), code="risk-x", actor=personas.admin)
    with pytest.raises(ValidationError) as error:
        services.update_rule_set_parameters(draft, {"cut_offs": {"red": 5}}, actor=personas.admin)
    assert "cut_offs.red" in error.value.message_dict


def test_only_the_system_admin_edits_rule_sets(personas):
    current = services.default_rule_set()
    with pytest.raises(PermissionDenied):
        services.create_rule_set_draft(current, code="risk-y", actor=personas.commander)


# --- recomputation ---------------------------------------------------------------------------------------


def test_recompute_grades_every_premises_with_reasons_and_due_dates(district):
    result = services.recompute_grades([district.premises_a.pk, district.shop_a.pk], cause="command", now=NOW)
    assert (result.premises, result.created, result.grade_changes) == (2, 2, 2)
    grade = grade_of(district.premises_a)
    assert (grade.grade, grade.next_due, grade.last_covering_inspection_at) == (
        RiskGrade.YELLOW,
        NOW.date(),
        None,
    )
    assert grade.explanation == "黄: 从未检查"
    assert grade.rule_set == services.default_rule_set()


def test_a_submitted_inspection_grades_its_premises_in_its_own_transaction(district, personas):
    # No after-commit callback runs in this test: the grade (the work queue's next_due) is written with the
    # inspection, so it leaves the queue as it commits.
    inspect(district.premises_a, actor=personas.grid_worker, fail=("SEP-01", "SEP-06"))
    grade = grade_of(district.premises_a)
    assert grade.grade == RiskGrade.RED
    assert grade.reason_texts() == ["2 项红线隐患未消除"]
    assert grade.next_due == timezone.localdate(grade.last_covering_inspection_at) + dt.timedelta(days=30)
    change = GradeChange.objects.get(premises=district.premises_a)
    assert (change.old_grade, change.new_grade, change.cause) == ("", RiskGrade.RED, GradeCause.INSPECTION)


def test_a_plan_move_grades_its_premises(district, personas, django_capture_on_commit_callbacks):
    plan = plan_with_hazards(district.premises_a, actor=personas.grid_worker)
    assert GradeChange.objects.get(premises=district.premises_a).cause == GradeCause.INSPECTION
    PremisesGrade.objects.all().delete()  # as if never graded: the plan move grades it
    with django_capture_on_commit_callbacks(execute=True):
        rectification.notify_plan(plan, actor=personas.community_officer)
    assert GradeChange.objects.latest("pk").cause == GradeCause.PLAN_MOVE


def test_a_tenant_moving_in_grades_its_premises(district, personas, django_capture_on_commit_callbacks):
    from firegrid.registry.services import register_move_in

    with django_capture_on_commit_callbacks(execute=True):
        register_move_in(
            district.premises_a,
            head_name="陈小红",
            id_number=t.valid_id_number(903, born="19920303"),
            people=3,
            moved_in=timezone.localdate(),
            actor=personas.landlord,
        )
    assert GradeChange.objects.get(premises=district.premises_a).cause == GradeCause.TENANT_MOVE


def test_history_is_written_only_when_the_grade_changes(district, personas):
    premises = district.premises_a
    services.recompute_grades([premises.pk], cause="command", now=NOW)
    # A new score without a new grade: the row changes, the history does not.
    premises.is_shared_rental = True
    premises.save()
    result = services.recompute_grades([premises.pk], cause="command", now=NOW)
    assert (result.updated, result.grade_changes) == (1, 0)
    assert grade_of(premises).score == 35
    premises.kind, premises.business_name = PremisesKind.MIXED_USE, "小吃店"
    premises.save()
    result = services.recompute_grades([premises.pk], cause="command", now=NOW)
    assert (result.updated, result.grade_changes) == (1, 1)
    old, new = (
        GradeChange.objects.filter(premises=premises).order_by("id").values_list("old_grade", "new_grade")
    )
    assert (old, new) == (("", RiskGrade.YELLOW), (RiskGrade.YELLOW, RiskGrade.RED))


def test_a_second_run_changes_nothing_and_never_inspected_stays_due_since_first_graded(district):
    services.recompute_grades([district.premises_a.pk], cause="nightly", now=NOW)
    later = NOW + dt.timedelta(days=3)
    result = services.recompute_grades([district.premises_a.pk], cause="nightly", now=later)
    assert (result.updated, result.unchanged, result.grade_changes) == (0, 1, 0)
    grade = grade_of(district.premises_a)
    assert grade.next_due == NOW.date()
    assert grade.days_overdue(later.date()) == 3


def test_a_demolished_premises_loses_its_grade_but_keeps_its_history(district):
    services.recompute_grades([district.premises_b.pk], cause="command", now=NOW)
    district.premises_b.status = PremisesStatus.DEMOLISHED
    district.premises_b.save()
    result = services.recompute_grades([district.premises_b.pk], cause="command", now=NOW)
    assert result.removed == 1
    assert not PremisesGrade.objects.filter(premises=district.premises_b).exists()
    assert GradeChange.objects.filter(premises=district.premises_b).count() == 1


def test_the_nightly_job_grades_everything_once_and_a_rerun_changes_nothing(district):
    run = enqueue("risk.recompute_grades", key="2026-03-01", inline=True)
    run.refresh_from_db()
    assert run.result["created"] == 3
    again = enqueue("risk.recompute_grades", key="2026-03-01-retry", inline=True)
    again.refresh_from_db()
    assert (again.result["created"], again.result["updated"], again.result["unchanged"]) == (0, 0, 3)
    assert GradeChange.objects.count() == 3
    assert JobRun.objects.filter(name="risk.recompute_grades").count() == 2


def test_publishing_a_rule_set_grades_everything_again(
    district, personas, django_capture_on_commit_callbacks
):
    services.recompute_grades([district.premises_a.pk], cause="command", now=NOW)
    draft = services.create_rule_set_draft(services.default_rule_set(), code="risk-z", actor=personas.admin)
    services.update_rule_set_parameters(draft, {"weights": {"never_inspected": 60}}, actor=personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_rule_set(draft, actor=personas.admin)
    grade = grade_of(district.premises_a)
    assert (grade.grade, grade.rule_set.code) == (RiskGrade.RED, "risk-z")
    assert GradeChange.objects.filter(premises=district.premises_a, cause=GradeCause.RULE_SET).exists()


def test_bulk_recompute_query_count_is_flat_in_the_number_of_premises(district, personas):
    def make(n):
        building = t.make_building(district.grid_a)
        made = []
        for _ in range(n):
            premises = t.make_premises(building, district.landlord_a)
            room = t.make_room(premises, "101", occupants=2)
            t.make_tenant(premises, room=room, people=3)
            made.append(premises.pk)
        return made

    inspect(district.premises_a, actor=personas.grid_worker, fail=("SEP-01",))
    services.default_rule_set()

    def measure(ids):
        with CaptureQueriesContext(connection) as queries:
            services.recompute_grades(ids, cause="command", now=NOW)
        return len(queries)

    # Each run grades new premises and the inspected one again (hazards, rooms, tenants, inspections).
    few = measure([*make(3), district.premises_a.pk])
    many = measure([*make(30), district.premises_a.pk])
    assert many == few


def test_a_grading_error_neither_fails_the_inspection_nor_skips_later_callbacks(
    district, personas, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("grading failed")

    monkeypatch.setattr(services, "recompute_grades", broken)
    after: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        inspection = inspect(district.premises_a, actor=personas.grid_worker, fail=("SEP-01",))
        transaction.on_commit(lambda: after.append("ran"))
    inspection.refresh_from_db()
    assert inspection.submitted_at is not None
    assert after == ["ran"]
    assert not PremisesGrade.objects.exists()
