"""Landlord self-inspection (房东自查): submitting (a replay is one, one per period, only the premises' own
landlord), the seeded and stratified verification draw, a contradiction found by a real inspection, the
drawn item in the grid worker's queue, and the monthly job."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from firegrid import testing as t
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.longterm import services
from firegrid.longterm.choices import QueueKind, SelfInspectionStatus
from firegrid.longterm.models import SelfInspection, Verification, VerificationDraw
from firegrid.longterm.queue import work_queue
from firegrid.longterm.selfcheck import SELF_CHECK_CODES, add_months, period_of, self_check_items
from firegrid.longterm.signals import self_inspection_contradicted
from firegrid.rectification.testing import inspect
from firegrid.risk.choices import RiskGrade
from firegrid.risk.models import PremisesGrade

from .scene import grade
from .self_checks import all_pass, make_self_inspection, photos_for, submit

pytestmark = pytest.mark.django_db


def this_period() -> dt.date:
    return period_of(timezone.localdate())


def test_self_check_list_is_the_published_templates_self_checkable_items(district, checklist):
    items = self_check_items(district.premises_a)
    codes = [item.code for item in items]
    assert 8 <= len(codes) <= 12
    assert set(codes) <= set(SELF_CHECK_CODES)
    assert {"EQUIP-01", "EQUIP-03", "EXIT-01", "EBIKE-04"} <= set(codes)
    # Bedroom items are a rental's: a shop's list leaves them out.
    assert "ELEC-05" not in {item.code for item in self_check_items(district.shop_a)}


def test_submit_and_replay_is_one(district, personas, checklist):
    key = uuid.uuid4()
    answers = all_pass(district.premises_a)
    first = services.submit_self_inspection(
        district.premises_a,
        answers,
        actor=personas.landlord,
        client_uuid=key,
        photos=photos_for(district.premises_a),
    )
    again = services.submit_self_inspection(
        district.premises_a, answers, actor=personas.landlord, client_uuid=str(key)
    )
    assert again.pk == first.pk
    assert SelfInspection.objects.count() == 1
    assert first.period == this_period() and first.status == SelfInspectionStatus.SUBMITTED
    assert first.answers.count() == len(answers)
    entry = AuditEntry.objects.for_object(first).get()
    assert (entry.action, entry.actor, entry.premises_id) == (
        AuditAction.CREATE,
        personas.landlord,
        district.premises_a.pk,
    )


def test_second_self_inspection_in_a_period_is_refused(district, personas, checklist):
    answers = all_pass(district.premises_a)
    submit(district.premises_a, personas.landlord)
    with pytest.raises(ValidationError, match="本期已提交"):
        services.submit_self_inspection(
            district.premises_a, answers, actor=personas.landlord, client_uuid=uuid.uuid4()
        )


def test_unanswered_or_unknown_items_are_refused_by_field(district, personas, checklist):
    answers = all_pass(district.premises_a)
    missing = dict(list(answers.items())[1:])
    with pytest.raises(ValidationError) as exc:
        services.submit_self_inspection(
            district.premises_a, missing, actor=personas.landlord, client_uuid=uuid.uuid4()
        )
    assert "answers" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.submit_self_inspection(
            district.premises_a,
            {**answers, "SEP-01": "pass"},
            actor=personas.landlord,
            client_uuid=uuid.uuid4(),
        )
    assert not SelfInspection.objects.exists()


def test_another_landlords_premises_and_officers_are_refused(district, personas, checklist):
    with pytest.raises(PermissionDenied):
        services.submit_self_inspection(
            district.premises_b,
            all_pass(district.premises_b),
            actor=personas.landlord,
            client_uuid=uuid.uuid4(),
        )
    with pytest.raises(PermissionDenied):
        services.submit_self_inspection(
            district.premises_a,
            all_pass(district.premises_a),
            actor=personas.grid_worker,
            client_uuid=uuid.uuid4(),
        )
    assert not SelfInspection.objects.exists()


# --- the draw ---------------------------------------------------------------------------------------------


@pytest.fixture
def population(district, checklist):
    """40 self-inspections of March 2026: 10 red, 10 yellow, 20 green premises in grid A."""
    period = dt.date(2026, 3, 1)
    building = t.make_building(district.grid_a)
    rows = []
    for i in range(40):
        premises = t.make_premises(building, district.landlord_a)
        grade(premises, RiskGrade.RED if i < 10 else RiskGrade.YELLOW if i < 20 else RiskGrade.GREEN)
        rows.append(make_self_inspection(premises, period))
    return period, rows


def drawn_ids(draw: VerificationDraw) -> set[int]:
    return set(draw.self_inspections.values_list("pk", flat=True))


def test_draw_is_stratified_by_grade_and_recorded(population):
    period, _rows = population
    draw = services.draw_verifications(period, actor=None, rate=0.1, seed=7)
    assert (draw.period, draw.rate, draw.seed, draw.population, draw.drawn_by) == (
        period,
        Decimal("0.100"),
        7,
        40,
        None,
    )
    # ceil(10 % × n) in each grade.
    assert {k: v["drawn"] for k, v in draw.strata.items()} == {"red": 1, "yellow": 1, "green": 2}
    grades = dict(PremisesGrade.objects.values_list("premises_id", "grade"))
    drawn = SelfInspection.objects.filter(draw=draw)
    assert sorted(grades[row.premises_id] for row in drawn) == ["green", "green", "red", "yellow"]
    # Drawn once: the job running again returns the recorded draw.
    assert services.draw_verifications(period, actor=None, rate=0.5, seed=8).pk == draw.pk
    assert AuditEntry.objects.for_object(draw).count() == 1


def test_same_seed_and_population_draw_the_same(population):
    period, _rows = population
    first = drawn_ids(services.draw_verifications(period, actor=None, rate=0.25, seed=2026))
    population_rows = list(
        SelfInspection.objects.filter(period=period).values_list(
            "pk", "premises_id", "premises__risk_grade__grade"
        )
    )
    again, _strata = services.draw_sample(
        population_rows, rate=Decimal("0.25"), seed=2026, period=period, watched=set()
    )
    assert set(again) == first
    other, _strata = services.draw_sample(
        population_rows, rate=Decimal("0.25"), seed=2027, period=period, watched=set()
    )
    assert set(other) != first


def test_a_person_without_the_right_may_not_draw(population, personas):
    with pytest.raises(PermissionDenied):
        services.draw_verifications(population[0], actor=personas.grid_worker)
    draw = services.draw_verifications(population[0], actor=personas.admin, rate=0, seed=1)
    assert draw.drawn_by == personas.admin and not drawn_ids(draw)


# --- verification -------------------------------------------------------------------------------------------


@pytest.fixture
def drawn(district, personas, checklist):
    """The landlord's self-inspection of premises_a this period, declared all fine, drawn at rate 1."""
    row = submit(district.premises_a, personas.landlord)
    services.draw_verifications(row.period, actor=None, rate=1, seed=1)
    row.refresh_from_db()
    assert row.draw is not None
    return row


def test_drawn_self_inspection_is_in_the_grid_workers_queue(drawn, district, personas):
    page = work_queue(personas.grid_worker, today=timezone.localdate())
    item = next(i for i in page.items if i.id == district.premises_a.pk)
    assert QueueKind.VERIFICATION in item.kinds
    assert any(reason.startswith("自查抽检核实") for reason in item.reasons)
    # Not in another grid's queue.
    assert district.premises_a.pk not in {
        i.id for i in work_queue(personas.outsider, today=timezone.localdate()).items
    }


def test_inspection_contradicting_a_self_report_is_recorded(
    drawn, district, personas, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, verification, actor, **kwargs):
        received.append((verification.pk, actor))

    self_inspection_contradicted.connect(listener, dispatch_uid="test-contradicted")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            inspection = inspect(district.premises_a, actor=personas.grid_worker, fail=("EQUIP-03", "SEP-01"))
    finally:
        self_inspection_contradicted.disconnect(dispatch_uid="test-contradicted")
    verification = Verification.objects.get()
    # SEP-01 was not on the landlord's list: only the declared smoke alarm contradicts.
    assert (verification.inspection, verification.contradicted, verification.contradicted_items) == (
        inspection,
        True,
        ["EQUIP-03"],
    )
    drawn.refresh_from_db()
    assert drawn.status == SelfInspectionStatus.CONTRADICTED
    assert received == [(verification.pk, personas.grid_worker)]
    # The grade was recomputed, and the queue item is gone.
    assert PremisesGrade.objects.filter(premises=district.premises_a).exists()
    assert QueueKind.VERIFICATION not in {
        k for i in work_queue(personas.grid_worker, today=timezone.localdate()).items for k in i.kinds
    }


def test_inspection_agreeing_with_the_self_report_verifies_it(drawn, district, personas):
    inspect(district.premises_a, actor=personas.grid_worker, fail=("SEP-01",))
    drawn.refresh_from_db()
    assert drawn.status == SelfInspectionStatus.VERIFIED
    assert Verification.objects.get().contradicted is False


def test_a_contradicted_premises_is_always_drawn_while_watched(drawn, district, personas, checklist):
    inspect(district.premises_a, actor=personas.grid_worker, fail=("EQUIP-01",))
    next_period = add_months(drawn.period, 1)
    watched = make_self_inspection(district.premises_a, next_period)
    others = [
        make_self_inspection(t.make_premises(district.building_a, district.landlord_a), next_period)
        for _ in range(5)
    ]
    draw = services.draw_verifications(next_period, actor=None, rate=0, seed=3)
    assert drawn_ids(draw) == {watched.pk}
    assert draw.strata["ungraded"]["watch"] == 1 or sum(s["watch"] for s in draw.strata.values()) == 1
    assert len(others) == 5


def test_monthly_job_draws_the_period_just_ended(population):
    from firegrid.jobs.models import JobRun
    from firegrid.longterm.jobs import draw_verifications

    _period, _rows = population
    run = JobRun(key="2026-04-01")
    result = draw_verifications(run)
    assert result["period"] == "2026-03-01" and result["population"] == 40
    assert VerificationDraw.objects.get().seed == 202603
    assert draw_verifications(JobRun(key="2026-04-02")) == {"drawn": 0, "period": None}
