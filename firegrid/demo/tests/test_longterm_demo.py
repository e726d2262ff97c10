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
from django.db import connection, transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from firegrid.areas.choices import AreaLevel, Role
from firegrid.areas.models import Area, User
from firegrid.conftest import assert_status
from firegrid.core.models import Notification
from firegrid.demo import longterm as longterm_phase
from firegrid.demo.longterm import START, Context, load_longterm
from firegrid.inspections.choices import COVERING_OUTCOMES, AnswerResult, HazardStatus, InspectionKind
from firegrid.inspections.models import Answer, Hazard, Inspection
from firegrid.longterm.choices import QueueKind, SelfCheckResult, SelfInspectionStatus
from firegrid.longterm.models import (
    SelfInspection,
    SelfInspectionAnswer,
    SelfInspectionMiss,
    SelfInspectionPhoto,
    Verification,
    VerificationDraw,
)
from firegrid.longterm.owed import owed_q
from firegrid.longterm.queue import kind_counts, work_queue
from firegrid.longterm.selfcheck import PHOTO_CODES, add_months, due_premises, period_of
from firegrid.longterm.services.misses import REMINDER_KIND
from firegrid.monitoring.choices import FOLLOW_UP_OUTCOMES, CaseState
from firegrid.monitoring.models import AlertCase
from firegrid.patrols import checks
from firegrid.patrols import figures as patrol_figures
from firegrid.patrols.choices import FlagKind, FlagStatus, PatrolKind, PatrolStatus, TeamKind
from firegrid.patrols.coverage import patrolled_q
from firegrid.patrols.models import FabricationFlag, Patrol, PatrolFinding, PatrolScan, PatrolTeam
from firegrid.points import receivers
from firegrid.points.choices import MANUAL_RULES, AwardKind, PointsRule
from firegrid.points.models import Nomination, PointsEntry, YearEndEvaluation
from firegrid.points.services import landlord_points, points_of
from firegrid.rectification.choices import CLOSED_STATES, MoveName, PlanState
from firegrid.rectification.machine import MOVES
from firegrid.rectification.models import Plan, PlanMove
from firegrid.registry.choices import PremisesStatus
from firegrid.registry.models import Building, Landlord, Premises, TenantHousehold
from firegrid.reports.models import LongtermReport
from firegrid.risk.choices import GradeCause, RiskGrade
from firegrid.risk.models import GradeChange, PremisesGrade

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 7)
MONTH_START = dt.date(2027, 3, 1)
SEED = 2019


def digest(ids: bool = True) -> str:
    """The long-term phase's rows (and the grades), ids included; the two answer tables (hundreds of
    thousands of rows) by their sums. `ids=False`: without primary and foreign keys — PostgreSQL's
    sequences do not roll back with a savepoint, so rows played again after one take new ids there."""
    h = hashlib.sha256()
    if ids:
        h.update(repr(Answer.objects.aggregate(n=Count("pk"), pk=Sum("pk"), item=Sum("item_id"))).encode())
        h.update(
            repr(SelfInspectionAnswer.objects.aggregate(n=Count("pk"), pk=Sum("self_inspection_id"))).encode()
        )
    else:
        h.update(repr((Answer.objects.count(), SelfInspectionAnswer.objects.count())).encode())
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
        (SelfInspectionMiss, ("pk", "premises_id", "period", "reminded_at")),
        (
            PatrolScan,
            ("pk", "building_id", "scanned_by_id", "scanned_at", "latitude", "longitude", "client_uuid"),
        ),
        (PatrolFinding, ("pk", "premises_id", "status", "inspection_id", "reported_at")),
        (FabricationFlag, ("pk", "key", "status", "details")),
        (PointsEntry, ("pk", "landlord_id", "rule", "amount", "source_id", "occurred_on", "created_at")),
        (Nomination, ("pk", "landlord_id", "award", "points", "serial", "issued_at")),
    ):
        if not ids:
            fields = tuple(f for f in fields if f != "pk" and not f.endswith("_id"))
        h.update(repr(sorted(map(repr, model.objects.values_list(*fields)))).encode())
    return h.hexdigest()


def play(today: dt.date) -> Context:
    """The long-term phases (tonight's grades the last but the report), as load_demo runs them after the
    replay."""
    ctx = load_longterm(seed=SEED, today=today)
    assert ctx is not None and set(ctx.written) >= {"long-term", "patrols", "points", "grades"}
    return ctx


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
            state.digest = digest(ids=connection.vendor != "postgresql")
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
        ctx = play(today)
        again = digest(ids=connection.vendor != "postgresql") if today == DAY else ""
    return SimpleNamespace(today=today, loaded=loaded, digest=again, ctx=ctx)


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
    # the plans made through the services, landlord points, and the alarms of the last year that found
    # something, which the monitoring phase writes after the simulation): the history is not
    # "recomputed 80 times".
    alarmed = (
        AlertCase.objects.filter(state=CaseState.CLOSED, outcome__in=FOLLOW_UP_OUTCOMES)
        .values("premises_id")
        .distinct()
        .count()
    )
    assert causes[GradeCause.COMMAND] <= 15 + alarmed
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


# --- patrols, points, self-inspection misses and photos, the long-term daily report ---------------------------


@pytest.mark.django_db
def test_a_patrol_finding_waits_in_wanggys_queue(longterm):
    today = longterm.today
    assert kind_counts(wanggy(), today=today)[QueueKind.PATROL_FINDING] >= 1
    page = work_queue(wanggy(), today=today, kind=QueueKind.PATROL_FINDING, per_page=50)
    assert page.items and all("巡查发现" in item.reason for item in page.items)
    # Last night's volunteers found it (their patrol is still under way); earlier ones were followed up by
    # the visit that came, or closed by the grid's worker.
    finding = PatrolFinding.objects.get(premises__building__grid__in=wanggy().areas.all(), status="open")
    assert (
        finding.patrol.status == PatrolStatus.IN_PROGRESS and finding.patrol.team.kind == TeamKind.LANDLORDS
    )
    assert at(today - dt.timedelta(days=1), 21) <= finding.reported_at < at(today, 2)
    followed = PatrolFinding.objects.filter(status="followed_up").select_related("inspection")
    assert followed.count() > 20
    assert all(
        f.inspection.premises_id == f.premises_id and f.inspection.submitted_at >= f.reported_at
        for f in followed
    )
    assert PatrolFinding.objects.filter(status="closed", closed_by__role=Role.GRID_WORKER).exists()


@pytest.mark.django_db
def test_wanggy_has_a_night_patrol_to_start_tonight_and_the_volunteers_one_under_way(longterm, login):
    today, worker = longterm.today, wanggy()
    tonight = Patrol.objects.visible_to(worker).get(team__members=worker, status=PatrolStatus.PLANNED)
    assert at(today, 18) <= tonight.window_start < tonight.window_end <= at(today, 23, 59)
    assert tonight.created_at < at(today)
    grid = worker.areas.get()
    route = Building.objects.filter(pk__in=tonight.stops.values("building"))
    assert route.exists() and not route.exclude(grid=grid).exists()
    assert not route.filter(patrolled_q(today)).exists()  # the buildings not yet patrolled this week
    under_way = Patrol.objects.get(status=PatrolStatus.IN_PROGRESS)
    landlord = User.objects.get(username="landlord")
    assert under_way.team.members.filter(pk=landlord.pk).exists()
    assert under_way.participants.filter(pk=landlord.pk).exists()
    if today == DAY:  # the phone pages read the clock: travelled to the first day
        mine = login(worker).get(reverse("patrols:mine"))
        assert_status(mine, 200)
        assert mine.context["coming"] == [tonight]
        portal = login(landlord).get(reverse("portal:patrols"))
        assert_status(portal, 200)
        assert portal.context["running"] == [under_way]


@pytest.mark.django_db
def test_this_weeks_patrol_coverage_is_partial_and_the_weeks_before_higher(longterm):
    today, worker = longterm.today, wanggy()
    this_week = patrol_figures.figure_rows(worker, week_of=today)[0]
    last_week = patrol_figures.figure_rows(worker, week_of=today - dt.timedelta(days=7))[0]
    assert this_week.rate is not None and 0 < this_week.rate < 100
    assert last_week.rate is not None and last_week.rate > 80 > this_week.rate
    # Patrols are day and night, by grid workers' teams in every grid and a few landlord volunteer teams.
    assert (
        PatrolTeam.objects.filter(kind=TeamKind.GRID_WORKERS).count()
        == Area.objects.filter(level=AreaLevel.GRID).count()
    )
    assert PatrolTeam.objects.filter(kind=TeamKind.LANDLORDS).count() >= 2
    kinds = Counter(Patrol.objects.filter(status=PatrolStatus.FINISHED).values_list("kind", flat=True))
    assert kinds[PatrolKind.DAY] > 1000 and kinds[PatrolKind.NIGHT] > 100
    scans = PatrolScan.objects.filter(scanned_at__gte=at(today) - dt.timedelta(days=7 * 12))
    assert not scans.filter(scanned_at__gte=at(today, 2)).exists()
    assert scans.filter(latitude__isnull=False).count() > 0.7 * scans.count()


@pytest.mark.django_db
def test_open_fabrication_flags_are_those_the_checks_raise(longterm):
    flags = FabricationFlag.objects.filter(key__contains=":scan:")
    assert flags.filter(status=FlagStatus.OPEN, kind=FlagKind.IMPOSSIBLE_SPEED).count() == 1
    assert flags.filter(status=FlagStatus.OPEN, kind=FlagKind.OFF_ROUTE).exists()
    assert flags.filter(status=FlagStatus.CLEARED).exclude(reviewed_by=None).exists()
    assert not flags.filter(scan__on_route=True, kind=FlagKind.OFF_ROUTE).exists()
    # The checks, run again over the scans of the demo community's grids in the last three weeks and over
    # every flagged scan, find nothing they have not flagged already (same keys, nothing new) …
    community = wanggy().areas.get().parent
    recent = PatrolScan.objects.filter(
        building__grid__parent=community, scanned_at__gte=at(longterm.today) - dt.timedelta(days=21)
    )
    flagged = PatrolScan.objects.filter(flags__isnull=False)
    before = FabricationFlag.objects.count()
    for scan in (recent | flagged).distinct().select_related("building", "patrol", "scanned_by"):
        assert checks.check_scan(scan) == []
    assert FabricationFlag.objects.count() == before
    # … and the speed flag holds what they compute.
    speed = flags.get(kind=FlagKind.IMPOSSIBLE_SPEED)
    with transaction.atomic():
        expected = {k: getattr(speed, k) for k in ("key", "details", "user_id", "grid_id", "other_scan_id")}
        FabricationFlag.objects.filter(pk=speed.pk).delete()
        again = checks.check_scan(PatrolScan.objects.get(pk=speed.scan_id))
        assert [{k: getattr(f, k) for k in expected} for f in again] == [expected]
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_landlord_has_points_with_reasons_and_a_total(longterm, login):
    today = longterm.today
    landlord = User.objects.get(username="landlord")
    entries = PointsEntry.objects.filter(landlord=landlord.landlord, year=today.year)
    assert entries.filter(amount__gt=0).count() >= 3 and all(e.reason for e in entries)
    missed = entries.get(amount__lt=0)  # last month's self-inspection, let pass
    assert missed.rule == PointsRule.SELF_INSPECTION_MISSED and isinstance(missed.source, SelfInspectionMiss)
    assert missed.source.period == period_of(add_months(today, -1))
    total = landlord_points(landlord.landlord, today.year)
    assert total == 100 + sum(entries.values_list("amount", flat=True))
    if today == DAY:
        page = login(landlord).get(reverse("portal:points"))
        assert_status(page, 200)
        assert str(total) in page.content.decode() and missed.reason in page.content.decode()


@pytest.mark.django_db
def test_the_ledger_is_what_the_receivers_write_and_the_grades_saw(longterm):
    """For one entry of each rule the system records: without it, the receiver of its cause writes the same
    entry (rule, amount, reason, links, once-per-cause key); and tonight's grading read the same points as
    the simulation's overlay."""
    rules = set(PointsEntry.objects.values_list("rule", flat=True))
    assert rules >= set(PointsRule.values) - {PointsRule.ENFORCEMENT, PointsRule.CORRECTION}
    fields = ("landlord_id", "rule", "amount", "reason", "reason_msgid", "reason_params", "occurred_on")
    fields += ("premises_id", "source_type_id", "source_id", "source_key", "source_url", "source_label")
    for rule in rules - set(MANUAL_RULES):
        entry = PointsEntry.objects.filter(rule=rule, created_by=None).order_by("-pk").first()
        source = entry.source
        with transaction.atomic(), time_machine.travel(entry.created_at, tick=False):
            expected = {f: getattr(entry, f) for f in fields}
            PointsEntry.objects.filter(pk=entry.pk).delete()
            _replay_cause(rule, source)
            again = PointsEntry.objects.get(
                rule=rule, source_type=entry.source_type, source_id=entry.source_id, landlord=entry.landlord
            )
            assert {f: getattr(again, f) for f in fields} == expected, rule
            transaction.set_rollback(True)
    overlay = longterm.ctx.fact_overlays["landlord_points"]
    ids = list(Landlord.objects.values_list("pk", flat=True))
    graded = longterm.ctx.graded_at
    assert points_of(ids, longterm.today.year) == {pk: overlay.points(pk, graded) for pk in ids}


def _replay_cause(rule: str, source) -> None:
    if rule == PointsRule.SELF_INSPECTION_ON_TIME:
        receivers.self_inspection_on_time(sender=SelfInspection, instance=source, created=True)
    elif rule == PointsRule.SELF_INSPECTION_MISSED:
        receivers.missed_self_inspection(
            sender=SelfInspection,
            premises=source.premises,
            landlord=source.landlord,
            period=source.period,
            miss=source,
        )
    elif rule == PointsRule.FALSE_SELF_REPORT:
        receivers.false_self_report(sender=Verification, verification=source, actor=None)
    elif rule in (PointsRule.FIXED_BEFORE_DEADLINE, PointsRule.OVERDUE):
        plan = source.plan
        if rule == PointsRule.OVERDUE:  # the deadline that passed, before a supervisor extended it
            plan.deadline = timezone.localdate(source.time) - dt.timedelta(days=1)
        receivers.plan_move_points(sender=Plan, plan=plan, move=MoveName(source.name), actor=None)
    elif rule == PointsRule.REPEAT_HAZARD:
        receivers.repeat_hazards(sender=Inspection, inspection=source.inspection, actor=None)
    elif rule in (PointsRule.TENANT_ON_TIME, PointsRule.TENANT_LATE):
        receivers.tenant_registration(sender=TenantHousehold, household=source, move="in", actor=None)
    elif rule == PointsRule.PATROL_PARTICIPATION:
        participants = list(source.participants.all())
        receivers.patrol_participation(sender=type(source), patrol=source, participants=participants)


@pytest.mark.django_db
def test_last_years_evaluation_is_confirmed_with_nominees_and_certificates(longterm, login):
    today = longterm.today
    evaluation = YearEndEvaluation.objects.get(year=today.year - 1)
    assert evaluation.is_confirmed and at(dt.date(today.year, 1, 1)) < evaluation.confirmed_at < at(today)
    assert not YearEndEvaluation.objects.filter(year=today.year).exists()
    nominations = Nomination.objects.filter(evaluation=evaluation)
    assert {n.award for n in nominations} == set(AwardKind.values)
    first = nominations.order_by("pk").first()
    assert (
        first.serial.startswith(f"衢江文明〔{today.year - 1}〕")
        and first.issued_at == evaluation.confirmed_at
    )
    assert first.content["issued_on"] == timezone.localdate(evaluation.confirmed_at).isoformat()
    if today == DAY:  # rendering once is enough
        commander = User.objects.get(username="commander")
        pdf = login(commander).get(reverse("points:certificate_pdf", args=[first.pk]))
        assert_status(pdf, 200)
        assert (pdf["Content-Type"], pdf.content[:4]) == ("application/pdf", b"%PDF")


@pytest.mark.django_db
def test_misses_reminders_and_photos_of_the_self_inspections(longterm):
    today = longterm.today
    last = period_of(add_months(today, -1))
    owed = Premises.objects.filter(owed_q(last, today))
    missed = SelfInspectionMiss.objects.filter(period=last)
    assert owed.count() == SelfInspection.objects.filter(period=last).count() + missed.count()
    assert missed.count() > 20 and set(missed.values_list("premises", flat=True)) == set(
        owed.exclude(self_inspections__period=last).values_list("pk", flat=True)
    )
    assert not missed.filter(created_at__lt=at(period_of(today), 0, 15)).exists()
    reminded = Notification.objects.filter(kind=REMINDER_KIND, key__endswith=f":{last.isoformat()}")
    sent = dict(reminded.values_list("recipient__landlord_id", "created_at"))
    assert all(sent[m.landlord_id] == m.reminded_at for m in missed)
    # Photos: one per photo item answered 符合, all pointing at one stored picture.
    photos = SelfInspectionPhoto.objects.all()
    passes = SelfInspectionAnswer.objects.filter(item_code__in=PHOTO_CODES, result=SelfCheckResult.PASS)
    assert photos.count() == passes.count() > 10_000
    assert photos.values("image").distinct().count() == 1
    one = photos.select_related("self_inspection").first()
    assert (one.uploaded_at, one.client_uuid) == (
        one.self_inspection.submitted_at,
        one.self_inspection.client_uuid,
    )
    assert one.image.name.startswith(f"{SelfInspectionPhoto.upload_folder}/") and one.thumbnail.name


@pytest.mark.django_db
def test_the_longterm_page_shows_every_section_and_each_figure_opens_a_list_of_that_many(longterm, login):
    if longterm.today != DAY:
        pytest.skip("the page reads the clock: travelled to the first day")
    client = login(User.objects.get(username="commander"))
    response = client.get(reverse("dashboards:longterm"))
    assert_status(response, 200)
    sections = {section.key: section for section in response.context["sections"]}
    assert list(sections) == [
        "grades",
        "due",
        "self_inspection",
        "verification",
        "patrols",
        "flags",
        "points",
    ]
    checked = 0
    for section in sections.values():
        district = section.rows[0]
        assert any(value for column, value, _link in district.cells if column.rate_of is None), section.key
        for column, value, link in district.cells:
            if column.rate_of is None:
                listed = client.get(link)
                assert_status(listed, 200)
                assert listed.context["paginator"].count == value, (section.key, column.key)
                checked += 1
    figures = {s.key: s.rows[0].figures for s in sections.values()}
    assert figures["patrols"]["patrolled"] > 0 and figures["patrols"]["not_patrolled"] > 0
    assert figures["flags"]["flags_open"] > 0 and figures["points"]["good"] > 0
    assert figures["verification"]["missed"] > 0 and checked > 25


@pytest.mark.django_db
def test_this_mornings_longterm_report_is_made(longterm):
    report = LongtermReport.objects.filter(day=longterm.today).first()
    if longterm.today != DAY:  # only today's can be made: a demo loaded for another day has none
        assert report is None
        return
    assert report is not None and report.generated_by is None and report.version == 1
    district = next(k for k, a in report.content["areas"].items() if a["level"] == AreaLevel.DISTRICT)
    figures = report.content["figures"][district]
    assert figures["patrols"]["scans"] > 0 and figures["points"]["landlords"] > 0
