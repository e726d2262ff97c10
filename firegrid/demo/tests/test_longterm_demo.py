"""The demo's long-term phase (firegrid.demo.longterm): the district carried from December 2019 to the day
the demo is loaded for, so that on any day the screens have today's work on them.

The demo is loaded once for the module by the command (`firegrid demo --today 2026-12-07`, the clock
travelled to that morning), inside a transaction rolled back at the end; a savepoint taken just before the
long-term phase lets the module play the phase again on the same 2019 district: for the same day (the
rows must come out as the command wrote them, ids included) and for a second day at the start of a month
(2027-03-01, the clock left where it is: `--today` alone must do). Tests are parametrised over the two
days through the module-scoped `longterm` fixture, so pytest plays each day once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import zoneinfo
from collections import Counter
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.demo import longterm as longterm_phase
from firegrid.demo.longterm import START, load_longterm
from firegrid.inspections.choices import COVERING_OUTCOMES, AnswerResult, HazardStatus, InspectionKind
from firegrid.inspections.models import Answer, Hazard, Inspection
from firegrid.longterm.choices import QueueKind, SelfCheckResult, SelfInspectionStatus
from firegrid.longterm.models import SelfInspection, SelfInspectionAnswer, Verification, VerificationDraw
from firegrid.longterm.queue import kind_counts, work_queue
from firegrid.longterm.selfcheck import add_months, due_premises, period_of
from firegrid.rectification.choices import CLOSED_STATES, MoveName, PlanState
from firegrid.rectification.machine import MOVES
from firegrid.rectification.models import Plan, PlanMove
from firegrid.registry.choices import PremisesStatus
from firegrid.registry.models import Landlord, Premises, TenantHousehold
from firegrid.risk.choices import GradeCause, RiskGrade
from firegrid.risk.models import GradeChange, PremisesGrade

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 7)
MONTH_START = dt.date(2027, 3, 1)
SEED = 2019


def digest() -> str:
    """The long-term phase's rows (and the grades), ids included; the two answer tables (hundreds of
    thousands of rows) by their sums."""
    h = hashlib.sha256()
    h.update(repr(Answer.objects.aggregate(n=Count("pk"), pk=Sum("pk"), item=Sum("item_id"))).encode())
    h.update(
        repr(SelfInspectionAnswer.objects.aggregate(n=Count("pk"), pk=Sum("self_inspection_id"))).encode()
    )
    for model, fields in (
        (
            Inspection,
            ("pk", "premises_id", "kind", "outcome", "submitted_at", "client_uuid", "return_visit_due"),
        ),
        (Hazard, ("pk", "premises_id", "item_id", "status", "found_at", "closed_at", "answer_id")),
        (Plan, ("pk", "premises_id", "state", "deadline", "public_key")),
        (PlanMove, ("pk", "plan_id", "name", "time", "actor_id")),
        (SelfInspection, ("pk", "premises_id", "period", "status", "draw_id", "submitted_at", "client_uuid")),
        (Verification, ("pk", "self_inspection_id", "inspection_id", "contradicted")),
        (VerificationDraw, ("pk", "period", "population", "strata")),
        (GradeChange, ("pk", "premises_id", "old_grade", "new_grade", "computed_at", "cause")),
        (PremisesGrade, ("pk", "grade", "score", "next_due", "last_covering_inspection_at")),
        (
            TenantHousehold,
            ("pk", "id_number", "moved_in", "moved_out", "reported_by_landlord_at", "confirmed_at"),
        ),
        (User, ("pk", "username", "date_joined")),
    ):
        h.update(repr(list(model.objects.order_by("pk").values_list(*fields))).encode())
    return h.hexdigest()


def play(today: dt.date) -> None:
    """The long-term phases (tonight's grades the last), as load_demo runs them after the replay."""
    ctx = load_longterm(seed=SEED, today=today)
    assert ctx is not None and set(ctx.written) >= {"long-term", "grades"}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """`firegrid demo --today 2026-12-07` on that morning; a savepoint from just before its long-term phase."""
    outer = transaction.atomic()
    state = SimpleNamespace(savepoint=None)
    original = longterm_phase.load_longterm

    def recording(**kwargs):
        state.savepoint = transaction.savepoint()
        return original(**kwargs)

    traveller = time_machine.travel(dt.datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI), tick=True)
    with django_db_blocker.unblock():
        outer.__enter__()
    try:
        traveller.start()
        out, err = io.StringIO(), io.StringIO()
        with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
            patch.setattr(longterm_phase, "load_longterm", recording)
            call_command("demo", "--today", DAY.isoformat(), stdout=out, stderr=err)
            state.digest = digest()
        state.out, state.err = out.getvalue(), err.getvalue()
        yield state
    finally:
        traveller.stop()
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module", params=[DAY, MONTH_START], ids=["2026-12-07", "month-start"])
def longterm(request, loaded, django_db_blocker):
    """The district on `request.param`, the phase played again from the savepoint: for the command's day
    (its rows must come out the same), then for the month's start."""
    today = request.param
    with django_db_blocker.unblock():
        transaction.savepoint_rollback(loaded.savepoint)
        play(today)
        again = digest() if today == DAY else ""
    return SimpleNamespace(today=today, loaded=loaded, digest=again)


def at(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def wanggy() -> User:
    return User.objects.get(username="wanggy")


# --- today's work ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_grid_workers_queue_holds_every_kind_today(longterm):
    today = longterm.today
    counts = kind_counts(wanggy(), today=today)
    assert counts[QueueKind.OVERDUE] >= 2
    assert 1 <= counts[QueueKind.DUE] <= 2
    assert counts[QueueKind.RETURN_VISIT] >= 1
    assert counts[QueueKind.RECHECK_REQUESTED] >= 1
    assert counts[QueueKind.VERIFICATION] >= 1
    assert counts[QueueKind.TENANT_MOVE] >= 1
    # The page lists them, each with its reason in words; all of it in wanggy's grid.
    page = work_queue(wanggy(), today=today, per_page=500)
    kinds = {kind for item in page.items for kind in item.kinds}
    assert {
        QueueKind.OVERDUE,
        QueueKind.DUE,
        QueueKind.RETURN_VISIT,
        QueueKind.RECHECK_REQUESTED,
        QueueKind.VERIFICATION,
        QueueKind.TENANT_MOVE,
    } <= kinds
    grid = wanggy().areas.get()
    assert all(item.premises.building.grid_id == grid.pk for item in page.items)
    assert all(item.reason for item in page.items)


@pytest.mark.django_db
def test_the_landlord_has_a_self_inspection_due_and_most_others_have_done_theirs(longterm):
    today = longterm.today
    landlord = User.objects.get(username="landlord")
    assert due_premises(landlord, today)
    assert SelfInspection.objects.filter(landlord=landlord.landlord, period__lt=period_of(today)).exists()
    this_month = SelfInspection.objects.filter(period=period_of(today))
    assert not this_month.filter(landlord=landlord.landlord).exists()
    owing = Premises.objects.filter(
        status=PremisesStatus.ACTIVE, landlord__user__role=Role.LANDLORD, landlord__user__is_active=True
    )
    if today.day == 1:
        assert not this_month.exists()  # nobody self-inspects before the month's first morning
    else:
        assert this_month.count() > owing.count() / 2


@pytest.mark.django_db
def test_the_districts_figures_are_alive(longterm):
    today = longterm.today
    grades = PremisesGrade.objects.all()
    total = Premises.objects.exclude(status=PremisesStatus.DEMOLISHED).count()
    assert grades.count() == total
    share = Counter(grades.values_list("grade", flat=True))
    assert share[RiskGrade.GREEN] > 0.8 * total  # most premises green …
    assert share[RiskGrade.RED] >= 5 and share[RiskGrade.YELLOW] >= 30  # … a realistic share not
    overdue = grades.filter(next_due__lt=today).count()
    # A few per cent overdue, not "all since 2019" (the 2019 survey dated every first visit in October, so
    # yearly revisits bunch in the autumn and late winter carries the most slippage: up to 10 %).
    assert 0.01 * total <= overdue <= 0.10 * total
    assert grades.filter(next_due=today).count() >= 3
    assert grades.due_state("week", today).count() >= 20
    assert not grades.filter(last_covering_inspection_at__isnull=True).exists()
    assert Plan.objects.filter(campaign=None, state=PlanState.RECHECK_REQUESTED).count() >= 2
    assert TenantHousehold.objects.awaiting_confirmation().count() >= 3


# --- history ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_grades_have_a_history_that_ends_where_they_stand(longterm):
    today = longterm.today
    changes = GradeChange.objects.all()
    causes = Counter(changes.values_list("cause", flat=True))
    assert causes[GradeCause.RULE_SET] == Premises.objects.count()  # graded on 1 December 2019
    for cause in (GradeCause.INSPECTION, GradeCause.TENANT_MOVE, GradeCause.NIGHTLY):
        assert causes[cause] > 0, cause
    # Only what the simulation could not know is changed by tonight's recomputation (the few premises of
    # the plans made through the services, landlord points): the history is not "recomputed 80 times".
    assert causes[GradeCause.COMMAND] <= 15
    first = changes.filter(cause=GradeCause.RULE_SET)
    assert set(first.values_list("computed_at", flat=True)) == {at(START, 0, 30)}
    assert not changes.filter(computed_at__gte=at(today, 1)).exists()
    latest = GradeChange.objects.filter(premises=OuterRef("premises")).order_by("-computed_at", "-pk")
    ends = PremisesGrade.objects.annotate(last=Subquery(latest.values("new_grade")[:1]))
    assert not ends.exclude(grade=F("last")).exists()
    # Each change happened when what caused it did: an inspection's change at a covering inspection.
    moments = set(
        Inspection.objects.filter(outcome__in=COVERING_OUTCOMES, submitted_at__gte=at(START)).values_list(
            "submitted_at", flat=True
        )
    )
    at_inspections = changes.filter(cause=GradeCause.INSPECTION).values_list("computed_at", flat=True)
    assert set(at_inspections) <= moments
    mixed = Counter(changes.exclude(old_grade="").values_list("old_grade", "new_grade"))
    assert mixed[(RiskGrade.GREEN, RiskGrade.YELLOW)] and mixed[(RiskGrade.YELLOW, RiskGrade.GREEN)]
    assert mixed[(RiskGrade.GREEN, RiskGrade.RED)] or mixed[(RiskGrade.YELLOW, RiskGrade.RED)]


@pytest.mark.django_db
def test_visits_plans_and_hazards_follow_the_rules(longterm):
    end = at(longterm.today)
    visits = Inspection.objects.filter(submitted_at__gte=at(START), submitted_at__lt=end)
    assert visits.count() > 20_000
    assert visits.filter(outcome__in=["locked", "not_found"]).exists()
    assert not visits.filter(started_at__gt=F("submitted_at")).exists()
    hours = Counter(t.astimezone(SHANGHAI).hour for t in visits.values_list("submitted_at", flat=True))
    assert min(hours) >= 8 and max(hours) <= 19  # in working hours
    plans = Plan.objects.filter(campaign=None, created_at__lt=end)
    assert plans.count() > 500
    chains: dict[int, list[PlanMove]] = {}
    for move in PlanMove.objects.filter(plan__in=plans).order_by("plan", "time", "pk"):
        chains.setdefault(move.plan_id, []).append(move)
    states = dict(plans.values_list("pk", "state"))
    for plan_id, moves in chains.items():
        assert (moves[0].name, moves[0].from_state) == (MoveName.CREATE, ""), plan_id
        for before, move in itertools.pairwise(moves):
            rule = MOVES[MoveName(move.name)]
            assert move.from_state == before.to_state and move.from_state in rule.sources, (
                plan_id,
                move.name,
            )
            assert move.to_state == rule.target
        assert states[plan_id] == moves[-1].to_state
        assert all(m.time < at(longterm.today, 2) for m in moves)
    assert plans.filter(moves__name=MoveName.FAIL_RECHECK).exists()
    assert plans.filter(moves__name=MoveName.EXTEND).exists()
    # One open plan per premises; the hazards of an accepted plan were closed by its acceptance visit.
    open_plans = plans.exclude(state__in=CLOSED_STATES)
    assert open_plans.values("premises").distinct().count() == open_plans.count()
    accepted = Hazard.objects.filter(plan_items__plan__in=plans.filter(state=PlanState.ACCEPTED))
    assert accepted.count() and not accepted.exclude(status=HazardStatus.ACCEPTED).exists()
    assert not accepted.exclude(closed_by__kind=InspectionKind.ACCEPTANCE).exists()
    assert not accepted.filter(closed_at__lt=F("found_at")).exists()
    # A hazard points to its failed answer.
    found = Hazard.objects.filter(plan_items__plan__in=plans)
    assert not found.filter(answer__isnull=True).exists()
    assert not found.exclude(answer__result=AnswerResult.FAIL).exists()


@pytest.mark.django_db
def test_self_inspections_are_drawn_and_verified(longterm):
    today = longterm.today
    draws = VerificationDraw.objects.order_by("period")
    assert draws.count() == 12
    assert draws.last().period == period_of(add_months(today, -1))
    for draw in draws:
        assert draw.drawn_at == at(add_months(draw.period, 1), 1)
        assert draw.self_inspections.count() >= draw.population * draw.rate
    verifications = Verification.objects.select_related("inspection", "self_inspection__draw")
    assert verifications.count() > 500
    for v in verifications.filter(contradicted=False)[:200]:
        assert v.inspection.premises_id == v.self_inspection.premises_id
        assert v.inspection.submitted_at >= v.self_inspection.draw.drawn_at
        assert v.inspection.outcome in COVERING_OUTCOMES
    contradicted = verifications.filter(contradicted=True)
    assert 5 <= contradicted.count() <= 0.1 * verifications.count()  # a few
    for v in contradicted:
        failed = set(
            v.inspection.answers.filter(result=AnswerResult.FAIL).values_list("item__code", flat=True)
        )
        declared = set(
            v.self_inspection.answers.filter(result=SelfCheckResult.PASS).values_list("item_code", flat=True)
        )
        assert set(v.contradicted_items) == failed & declared
        assert v.self_inspection.status == SelfInspectionStatus.CONTRADICTED
    assert (
        not SelfInspection.objects.filter(draw=None).exclude(status=SelfInspectionStatus.SUBMITTED).exists()
    )
    # Every self-inspection has its answers; most say 符合.
    answers = Counter(SelfInspectionAnswer.objects.values_list("result", flat=True))
    assert answers[SelfCheckResult.PASS] > 20 * answers[SelfCheckResult.FAIL] > 0
    without = SelfInspection.objects.annotate(n=Count("answers")).filter(n=0)
    assert not without.exists()


@pytest.mark.django_db
def test_tenants_move_in_and_out_and_the_registry_keeps_up(longterm):
    today = longterm.today
    moved_in = TenantHousehold.objects.filter(moved_in__gte=START)
    assert moved_in.count() > 2000
    assert TenantHousehold.objects.current(today).count() >= 3200  # about as many as in 2019
    assert TenantHousehold.objects.filter(moved_in__lt=START, moved_out__gte=START).count() > 1000
    reported = moved_in.filter(reported_by_landlord_at__isnull=False)
    assert reported.exists() and moved_in.filter(reported_by_landlord_at__isnull=True).exists()
    late = [h for h in moved_in if h.reported_late]
    assert 0 < len(late) < moved_in.count() / 2  # a few reported late
    waiting = TenantHousehold.objects.awaiting_confirmation()
    assert waiting.filter(premises__building__grid__in=wanggy().areas.all()).exists()
    assert not waiting.filter(confirmed_at__isnull=False).exists()
    assert not TenantHousehold.objects.filter(moved_in__gt=today).exists()
    assert not TenantHousehold.objects.filter(Q(created_at__gte=at(today)) & Q(moved_in__gte=START)).exists()


@pytest.mark.django_db
def test_portal_accounts_for_the_landlords_who_self_inspect(longterm):
    accounts = User.objects.filter(role=Role.LANDLORD)
    landlords = accounts.values("landlord").distinct().count()
    assert 0.3 * 2380 <= landlords <= 0.5 * 2380
    assert not accounts.exclude(username="landlord").filter(password__regex=r"^[^!]").exists()
    # Every landlord of wanggy's grid who can sign in (a mobile of their own: SMS codes) has one.
    shared = Landlord.objects.values("mobile").annotate(n=Count("pk")).filter(n__gt=1).values("mobile")
    grid = Landlord.objects.filter(premises__building__grid__in=wanggy().areas.all()).exclude(mobile="")
    reachable = set(grid.exclude(mobile__in=shared).values_list("pk", flat=True))
    assert len(reachable) > 20
    assert reachable <= set(accounts.values_list("landlord", flat=True))
    assert accounts.aggregate(last=Max("date_joined"))["last"] < at(
        period_of(add_months(longterm.today, -12))
    )


# --- the 2019 replay, running again, determinism --------------------------------------------------------


@pytest.mark.django_db
def test_the_2019_campaign_is_left_as_it_was(longterm):
    from firegrid.campaigns import status
    from firegrid.campaigns.models import Campaign
    from firegrid.demo.campaign import CODE

    campaign = Campaign.objects.get(code=CODE)
    targets = status.targets(campaign)
    done = Counter(
        status.with_progress(targets, campaign, dt.date(2019, 11, 30)).values_list("progress", flat=True)
    )
    assert done == {status.Progress.ACCEPTED: 1095}
    assert Plan.objects.filter(campaign=campaign, state=PlanState.ACCEPTED).count() == 1095
    # Nothing of the long-term phase is dated in the campaign (its daily reports were made from it): every
    # visit before the long-term phase is the campaign's, door to door between its first and last day.
    before = Inspection.objects.filter(submitted_at__lt=at(START))
    assert before.count() == before.filter(submitted_at__gte=at(campaign.starts_on)).count() > 3356


@pytest.mark.django_db
def test_a_second_run_changes_nothing(longterm):
    before = digest()
    out = io.StringIO()
    call_command("demo", "--today", longterm.today.isoformat(), stdout=out, stderr=io.StringIO())
    assert "already loaded" in out.getvalue()
    assert load_longterm(seed=SEED, today=longterm.today) is None
    assert digest() == before


@pytest.mark.django_db
def test_the_command_prints_the_phase_and_what_wanggy_has_today(longterm):
    if longterm.today != DAY:
        pytest.skip("the command's own load is the first day's")
    assert "long-term  [##############################] 100%" in longterm.loaded.err
    out = io.StringIO()
    call_command("demo_logins", "--today", DAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "今日任务 wanggy's work queue on 2026-12-07" in text and "逾期复查" in text
    assert "landlord's self-inspections due this month: 1" in text


def test_today_must_come_after_the_campaign():
    with pytest.raises(CommandError):
        call_command("demo", "--today", "2019-11-30")


@pytest.mark.django_db
def test_the_same_seed_on_the_same_day_gives_the_same_rows(longterm):
    """Played again from the savepoint for the same day: the same rows, ids included."""
    if longterm.today != DAY:
        pytest.skip("played again for the first day")
    assert longterm.digest == longterm.loaded.digest
