"""The 2019 campaign 铁拳行动 replayed on the demo registry (1 October – 30 November 2019).

1,095 target premises with hazards — most in 樟潭街道 — of which 211 belong to the four-category landlords,
each claimed by their employer unit in the first days of October; five work groups; the survey, the plans,
their notices, rechecks and acceptances at realistic times of day (Asia/Shanghai), so that the campaign's
figures for any day, read from history by `firegrid.campaigns.status`, have the real shape: every
four-category premises accepted by 31 October, the rest accelerating through November (an S-curve), all
1,095 by 30 November. About a hundred landlords fail a recheck once; a handful go overdue, are escalated
to a joint team, meet enforcement (interview, fine, sealing, detention) and are then accepted.

The services stamp "now", so the history is written directly with bulk inserts (a data load, not user
actions: no audit entries), keeping every invariant the services keep: one open plan per premises per
campaign; a plan's moves chain (each from_state is the previous to_state) along the moves the machine
allows; hazards accepted and closed by the acceptance inspection that accepted their plan; documents
with content frozen by `rectification.documents.build_content`; serial counters moved on.

Deterministic for a seed. Then one daily snapshot per day of the campaign (when the reports app is
installed), so the burn-down and the rankings can be shown for every day.
"""

from __future__ import annotations

import datetime as dt
import heapq
import uuid
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import translation

from firegrid.areas.choices import AreaLevel, DepartmentKind
from firegrid.areas.models import Area, Department, User
from firegrid.campaigns.choices import CampaignStatus, ClaimStatus, MilestoneScope, TargetSource
from firegrid.campaigns.models import Campaign, CampaignTarget, Claim, Milestone, WorkGroup
from firegrid.core.pdf import document_serial
from firegrid.inspections import services as inspections
from firegrid.inspections.choices import (
    NOT_A_HAZARD,
    AnswerResult,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    Severity,
    VisitOutcome,
)
from firegrid.inspections.models import Answer, Hazard, Inspection
from firegrid.rectification.choices import DocumentKind, EnforcementKind, MoveName, PlanState
from firegrid.rectification.documents import build_content
from firegrid.rectification.models import (
    Document,
    EnforcementAction,
    EscalationStep,
    Plan,
    PlanItem,
    PlanMove,
    SerialCounter,
)
from firegrid.registry.choices import PremisesKind, PremisesStatus
from firegrid.registry.models import Landlord, Premises

from .data import DISTRICT_CODE
from .generator import seeded_rng

CODE = "tiequan-2019"
NAME = "铁拳行动"
STARTS_ON = dt.date(2019, 10, 1)
FOUR_CATEGORY_DUE = dt.date(2019, 10, 31)
ENDS_ON = dt.date(2019, 11, 30)
TARGETS = 1095
FOUR_CATEGORY_TARGETS = 211
FAILED_RECHECKS = 106  # "100+ landlords not fixing things as required"
ENFORCED = 6  # a handful: overdue → escalated → enforcement, then accepted
LEAFLETS = 12_000
CONTACT_CARDS = 1_080
BATCH_SIZE = 2000
SYSTEM_NAME = "系统"

# How likely a premises is to be among the targets: the town centre next to the industrial zones holds
# most of them (樟潭街道 001, then 浮石街道 002); mixed-use premises and shared rentals most often fail.
SUBDISTRICT_WEIGHT = {"001": 3.0, "002": 1.6}
OTHER_SUBDISTRICT_WEIGHT = 0.6
KIND_WEIGHT = {PremisesKind.RESIDENTIAL: 1.0, PremisesKind.MIXED_USE: 2.0, PremisesKind.SHOP: 0.45}
SHARED_RENTAL_WEIGHT = 1.5
# The campaign's most frequent findings weigh more when a survey's failures are drawn.
COMMON_FINDINGS = {
    "SEP-08": 6,
    "EXIT-03": 6,
    "EXIT-04": 5,
    "EXIT-10": 4,
    "ELEC-01": 8,
    "ELEC-03": 6,
    "ELEC-04": 4,
    "EBIKE-02": 7,
    "EBIKE-04": 7,
    "EQUIP-01": 8,
    "EQUIP-03": 7,
    "EQUIP-05": 4,
    "GAS-01": 3,
    "GAS-03": 3,
    "GAS-05": 3,
    "FIRE-03": 3,
    "MGMT-02": 4,
    "SEP-06": 2,
    "SEP-01": 1,
}

# The five work groups (工作组): the town centre split four ways, the rest of the district the fifth.
# (name, leader's username, member usernames, department kinds, areas: community names under 樟潭街道,
# or subdistrict codes; "*" is every subdistrict but the two urban ones.)
WORK_GROUPS = (
    ("第一工作组", "shequ", ("wanggy",), (DepartmentKind.POLICE, DepartmentKind.HOUSING), ("樟树潭社区", "东港社区")),
    ("第二工作组", "zhangtan", ("shequ",), (DepartmentKind.FIRE, DepartmentKind.MARKET), ("沿江社区", "樟潭村", "花园社区")),
    ("第三工作组", "fire", ("zhangtan",), (DepartmentKind.FIRE, DepartmentKind.EMERGENCY), ("城东社区", "江滨社区", "新樟村")),
    ("第四工作组", "commander", ("fire",), (DepartmentKind.ENFORCEMENT, DepartmentKind.MARKET), ("002",)),
    ("第五工作组", "fire", (), (DepartmentKind.HOUSING, DepartmentKind.EMERGENCY, DepartmentKind.POLICE), ("*",)),
)  # fmt: skip

# The handful met enforcement, in this order (kind, department, legal basis, fine, period in days).
ENFORCEMENT_STORIES = (
    (EnforcementKind.INTERVIEW, DepartmentKind.FIRE, "《浙江省消防条例》第二十六条", None, None),
    (EnforcementKind.FINE, DepartmentKind.FIRE, "《中华人民共和国消防法》第六十条第一款", "5000", None),
    (EnforcementKind.SEALING, DepartmentKind.FIRE, "《中华人民共和国消防法》第五十四条、第七十条", None, 10),
    (EnforcementKind.FINE, DepartmentKind.ENFORCEMENT, "《浙江省出租房屋消防安全管理办法》", "2000", None),
    (EnforcementKind.DETENTION, DepartmentKind.POLICE, "《中华人民共和国消防法》第六十四条", None, 5),
    (EnforcementKind.INTERVIEW, DepartmentKind.FIRE, "《浙江省消防条例》第二十六条", None, None),
)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@dataclass
class Step:
    """One move of a plan, before it is written."""

    name: str
    to_state: str
    time: dt.datetime
    actor: User | None
    reason: str = ""
    deadline: dt.date | None = None
    inspection: Visit | None = None


@dataclass
class Visit:
    """One inspection, before it is written: which items failed, and by whom, when."""

    kind: str
    submitted_at: dt.datetime
    inspectors: list[User]
    failed: set[str] = field(default_factory=set)
    row: Inspection | None = None


@dataclass
class Story:
    """One target premises through the campaign."""

    premises: Premises
    four_category: bool
    officer: User
    survey: Visit | None = None
    findings: list = field(default_factory=list)  # checklist items failed at the survey
    steps: list[Step] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    first_deadline: dt.date | None = None
    deadline: dt.date | None = None
    notified_on: dt.date | None = None
    accepted_at: dt.datetime | None = None
    awaiting_at_recheck: set[str] = field(default_factory=set)  # items passed at a failed recheck
    enforcement: list[EnforcementAction] = field(default_factory=list)
    escalated_to: list[Department] = field(default_factory=list)
    plan: Plan | None = None


def load_campaign_replay(seed: int) -> Campaign | None:
    """Replay 铁拳行动 once; returns the campaign (None when it exists or the demo users are missing)."""
    if Campaign.objects.filter(code=CODE).exists():
        return None
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["commander", "fire", "zhangtan", "shequ", "wanggy", "liaison"]
        )
    }
    if "fire" not in users or not Area.objects.filter(code=DISTRICT_CODE).exists():
        return None
    with translation.override("zh-hans"), transaction.atomic():
        campaign = Replay(seed, users).run()
        take_daily_snapshots(campaign)
    return campaign


def take_daily_snapshots(campaign: Campaign) -> int:
    """One daily report per day of the campaign, from the history just written (reports app)."""
    if not apps.is_installed("firegrid.reports"):
        return 0  # the daily reports come with firegrid.reports; nothing to snapshot without it
    from firegrid.reports.services import generate_snapshot

    day, made = campaign.starts_on, 0
    while day <= campaign.ends_on:
        generate_snapshot(campaign, day, actor=None)
        day += days(1)
        made += 1
    return made


class Replay:
    def __init__(self, seed: int, users: dict[str, User]):
        self.seed = seed
        self.rng = seeded_rng(seed, "campaign-2019")
        self.users = users
        self.district = Area.objects.get(code=DISTRICT_CODE, level=AreaLevel.DISTRICT)
        self.departments = {
            d.kind: d for d in Department.objects.exclude(kind=DepartmentKind.SUBDISTRICT_OFFICE)
        }
        self.template = inspections.default_template()
        self.items = list(self.template.items.all())
        self.applicable: dict[tuple[str, bool], list] = {}

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # --- the campaign and its organisation ---------------------------------------------------------

    def run(self) -> Campaign:
        campaign = Campaign.objects.create(
            name=NAME, code=CODE, starts_on=STARTS_ON, ends_on=ENDS_ON, status=CampaignStatus.ENDED
        )
        campaign.areas.set([self.district])
        Milestone.objects.bulk_create(
            [
                Milestone(
                    campaign=campaign,
                    name="四类人员房东整改完成",
                    due_on=FOUR_CATEGORY_DUE,
                    scope=MilestoneScope.FOUR_CATEGORY,
                ),
                Milestone(
                    campaign=campaign, name="全部整治对象整改完成", due_on=ENDS_ON, scope=MilestoneScope.ALL
                ),
            ]
        )
        self.campaign = campaign
        self._work_groups()
        stories = self._choose_targets()
        self._claims([s for s in stories if s.four_category])
        self._schedule(stories)
        self._write(stories)
        self._documents(stories)
        self._outreach()
        # Rows written in bulk were stamped now; the history says when they were made.
        Campaign.objects.filter(pk=campaign.pk).update(
            created_at=at(dt.date(2019, 9, 26), 15, 30), updated_at=at(ENDS_ON + days(2), 10)
        )
        WorkGroup.objects.filter(campaign=campaign).update(
            created_at=at(dt.date(2019, 9, 29), 10), updated_at=at(dt.date(2019, 9, 29), 10)
        )
        return campaign

    def _work_groups(self) -> None:
        subdistricts = {
            a.code[len(DISTRICT_CODE) :]: a for a in Area.objects.filter(level=AreaLevel.SUBDISTRICT)
        }
        zhangtan = subdistricts["001"]
        communities = {a.name: a for a in Area.objects.filter(parent=zhangtan)}
        for name, leader, members, kinds, places in WORK_GROUPS:
            areas = []
            for place in places:
                if place == "*":
                    areas += [a for code, a in sorted(subdistricts.items()) if code not in ("001", "002")]
                elif place in subdistricts:
                    areas.append(subdistricts[place])
                elif place in communities:
                    areas.append(communities[place])
            group = WorkGroup.objects.create(campaign=self.campaign, name=name, leader=self.users.get(leader))
            group.areas.set(areas)
            group.members.set([self.users[m] for m in members if m in self.users])
            group.departments.set([self.departments[k] for k in kinds if k in self.departments])

    def _choose_targets(self) -> list[Story]:
        """211 premises of four-category landlords (one each) and 884 others, most in 樟潭街道."""
        rng = self.rng
        every_four = sorted(Landlord.objects.four_category().values_list("pk", flat=True))
        four_pks = every_four
        if len(four_pks) > FOUR_CATEGORY_TARGETS:  # a larger scale: the 2019 campaign had 211
            four_pks = sorted(rng.sample(four_pks, FOUR_CATEGORY_TARGETS))
        four, every_four = set(four_pks), set(every_four)
        wanted = TARGETS - len(four_pks)
        columns = ("pk", "kind", "is_shared_rental", "landlord_id", "status", "building__grid__code")
        by_landlord: dict[int, list[tuple]] = {}
        best: list[tuple[float, int]] = []  # a heap of the highest weighted keys (Efraimidis–Spirakis)
        rows = Premises.objects.order_by("pk").values_list(*columns)
        for row in rows.iterator(chunk_size=5000):
            pk, kind, shared, landlord_id, state, grid_code = row
            if landlord_id in every_four:  # four-category landlords count only as the 211
                if landlord_id in four:
                    by_landlord.setdefault(landlord_id, []).append(row)
                continue
            if state != PremisesStatus.ACTIVE:
                continue
            sub = grid_code[len(DISTRICT_CODE) : len(DISTRICT_CODE) + 3]
            weight = SUBDISTRICT_WEIGHT.get(sub, OTHER_SUBDISTRICT_WEIGHT) * KIND_WEIGHT.get(kind, 1.0)
            weight *= SHARED_RENTAL_WEIGHT if shared else 1.0
            key = rng.random() ** (1.0 / weight)
            if len(best) < wanted:
                heapq.heappush(best, (key, pk))
            elif key > best[0][0]:
                heapq.heapreplace(best, (key, pk))
        chosen = {pk for _key, pk in best}
        four_premises = {}
        for landlord_id in four_pks:
            theirs = by_landlord.get(landlord_id, [])
            if not theirs:
                continue
            active = [r for r in theirs if r[4] == PremisesStatus.ACTIVE] or theirs
            four_premises[rng.choice(active)[0]] = landlord_id
        premises = Premises.objects.filter(pk__in=[*chosen, *four_premises]).select_related(
            "building__grid", "landlord"
        )
        officers = self._officers()
        stories = [
            Story(premises=p, four_category=p.pk in four_premises, officer=officers(p.building.grid.path))
            for p in sorted(premises, key=lambda p: p.pk)
        ]
        return stories

    def _officers(self):
        """The most local demo officer whose scope holds a grid: grid worker, community, subdistrict, fire."""
        scoped = []
        for username in ("wanggy", "shequ", "zhangtan"):
            user = self.users.get(username)
            if user is not None:
                scoped += [(a.path, user) for a in user.areas.all()]
        fire = self.users["fire"]

        def officer(grid_path: str) -> User:
            return next((user for path, user in scoped if grid_path.startswith(path)), fire)

        return officer

    def _claims(self, stories: list[Story]) -> None:
        """Each four-category landlord claimed by their employer unit in the first days of October."""
        liaison = self.users.get("liaison")
        commander = self.users.get("commander") or self.users["fire"]
        claims = []
        for story in stories:
            landlord = story.premises.landlord
            if landlord.employer_unit_id is None:
                continue
            by = (
                liaison if liaison is not None and liaison.unit_id == landlord.employer_unit_id else commander
            )
            day = STARTS_ON + days(self.rng.choice((0, 1, 1, 2, 2, 3, 4)))
            claims.append(
                Claim(
                    campaign=self.campaign,
                    landlord=landlord,
                    unit_id=landlord.employer_unit_id,
                    status=ClaimStatus.ACTIVE,
                    claimed_by=by,
                    claimed_at=at(day, self.rng.randint(9, 16), self.rng.randrange(60)),
                    reason="单位认领四类人员房东，签订整改承诺书",
                )
            )
        Claim.objects.bulk_create(claims, batch_size=BATCH_SIZE)
        Claim.objects.filter(campaign=self.campaign).update(
            created_at=F("claimed_at"), updated_at=F("claimed_at")
        )

    # --- the history of each target ------------------------------------------------------------------

    def _applicable(self, premises: Premises) -> list:
        key = (premises.kind, premises.is_shared_rental)
        if key not in self.applicable:
            self.applicable[key] = [i for i in self.items if i.applies_to_premises(premises)]
        return self.applicable[key]

    def _findings(self, premises: Premises) -> list:
        """1–4 failed items that become hazards (never advice, never on-the-spot fixes)."""
        candidates = [
            i
            for i in self._applicable(premises)
            if i.severity not in NOT_A_HAZARD and i.severity != Severity.IMMEDIATE
        ]
        weights = [COMMON_FINDINGS.get(i.code, 0.5) for i in candidates]
        n = self.rng.choices((1, 2, 3, 4), weights=(30, 40, 22, 8))[0]
        found: list = []
        while len(found) < min(n, len(candidates)):
            item = self.rng.choices(candidates, weights=weights)[0]
            if item not in found:
                found.append(item)
        return sorted(found, key=lambda i: i.position)

    def _time(self, day: dt.date, after: dt.datetime | None = None) -> dt.datetime:
        """A working-hours time on `day`, later than `after` (which may be the same day)."""
        if after is not None and after.astimezone(at(day, 0).tzinfo).date() >= day:
            return after + dt.timedelta(minutes=self.rng.randint(5, 40))
        return at(day, self.rng.randint(8, 15), self.rng.randrange(60))

    def _schedule(self, stories: list[Story]) -> None:
        rng = self.rng
        for story in stories:
            story.findings = self._findings(story.premises)
        others = [s for s in stories if not s.four_category]
        enforced = set(rng.sample(range(len(others)), min(ENFORCED, len(others))))
        enforced_stories = [others[i] for i in sorted(enforced)]
        for story in stories:
            if story.four_category:
                # They went first: surveyed in the first week, done by 31 October.
                accept = dt.date(2019, 10, 9) + days(round(22 * (rng.random() + rng.random()) / 2))
                survey = min(STARTS_ON + days(rng.randint(0, 6)), accept - days(4))
            else:
                # Everyone else: surveyed through October, accepted on an S-curve through November.
                t = ((rng.random() + rng.random() + rng.random()) / 3) ** 0.6
                accept = dt.date(2019, 10, 25) + days(min(36, round(38 * t)))  # the last push on 30 November
                survey = min(STARTS_ON + days(int(23 * min(rng.random(), rng.random()))), accept - days(4))
            story.accept_day, story.survey_day = min(accept, ENDS_ON), max(survey, STARTS_ON)
        eligible = [
            i
            for i, s in enumerate(stories)
            if s not in enforced_stories and (s.accept_day - s.survey_day).days >= 10
        ]
        failing = {stories[i].premises.pk for i in rng.sample(eligible, min(FAILED_RECHECKS, len(eligible)))}
        for story in stories:
            if story in enforced_stories:
                self._enforced_story(story, enforced_stories.index(story))
            else:
                self._story(story, fails=story.premises.pk in failing)

    def _begin(self, story: Story, survey_day: dt.date, notify_day: dt.date) -> Step:
        """Survey, plan, notice: the common start of every story. Returns the notify step."""
        officer = story.officer
        story.survey = Visit(
            InspectionKind.SURVEY, self._time(survey_day), [officer], failed={i.code for i in story.findings}
        )
        story.visits.append(story.survey)
        created = story.survey.submitted_at + dt.timedelta(minutes=self.rng.randint(15, 90))
        story.steps.append(Step(MoveName.CREATE, PlanState.DRAFT, created, officer))
        notify = Step(MoveName.NOTIFY, PlanState.NOTIFIED, self._time(notify_day, created), officer)
        story.steps.append(notify)
        story.notified_on = notify.time.astimezone(created.tzinfo).date()
        return notify

    def _natural_deadline(self, story: Story) -> dt.date:
        return max(story.survey_day + days(i.default_deadline_days or 15) for i in story.findings)

    def _story(self, story: Story, *, fails: bool) -> None:
        rng, officer = self.rng, story.officer
        accept_day, survey_day = story.accept_day, story.survey_day
        notify_day = min(survey_day + days(rng.choice((0, 1, 1, 2))), accept_day - days(2))
        notify = self._begin(story, survey_day, notify_day)
        start_day = min(notify_day + days(rng.choice((0, 0, 1, 2))), accept_day - days(1))
        reason = "房东签署整改承诺书" if story.four_category else "房东签收通知并承诺整改"
        start = Step(
            MoveName.START, PlanState.RECTIFYING, self._time(start_day, notify.time), officer, reason
        )
        story.steps.append(start)
        milestone = FOUR_CATEGORY_DUE if story.four_category else ENDS_ON
        last = start.time
        if fails:
            recheck_day = max(start_day + days(1), accept_day - days(rng.randint(2, 6)))
            request_day = max(start_day, recheck_day - days(rng.randint(0, 1)))
            story.first_deadline = min(
                milestone, max(self._natural_deadline(story), request_day + days(rng.randint(0, 4)))
            )
            request = Step(
                MoveName.REQUEST_RECHECK,
                PlanState.RECHECK_REQUESTED,
                self._time(request_day, last),
                officer,
                "房东电话申请复查",
            )
            recheck = Visit(InspectionKind.RECHECK, self._time(recheck_day, request.time), [officer])
            # One hazard (at least) is found not fixed as required; the others await acceptance.
            failed = [rng.choice(story.findings)]
            recheck.failed = {i.code for i in failed}
            story.awaiting_at_recheck = {i.code for i in story.findings} - recheck.failed
            new_deadline = recheck_day + days(min(i.default_deadline_days or 15 for i in failed))
            codes = "、".join(sorted(recheck.failed))
            story.visits.append(recheck)
            story.steps += [
                request,
                Step(
                    MoveName.FAIL_RECHECK,
                    PlanState.RECTIFYING,
                    recheck.submitted_at,
                    officer,
                    f"复查发现隐患未整改：{codes}",
                    deadline=new_deadline,
                    inspection=recheck,
                ),
            ]
            story.deadline = new_deadline
            last = recheck.submitted_at
            request_day = max(recheck_day, accept_day - days(rng.randint(0, 1)))
        else:
            request_day = max(start_day, accept_day - days(rng.choice((0, 1, 1, 2))))
            story.first_deadline = min(
                milestone, max(self._natural_deadline(story), request_day + days(rng.randint(0, 4)))
            )
            story.deadline = story.first_deadline
        request = Step(
            MoveName.REQUEST_RECHECK,
            PlanState.RECHECK_REQUESTED,
            self._time(request_day, last),
            officer,
            "房东申请复查验收",
        )
        story.steps.append(request)
        self._accept(story, accept_day, request.time, [officer])

    def _accept(self, story: Story, day: dt.date, after: dt.datetime, inspectors: list[User]) -> None:
        visit = Visit(InspectionKind.ACCEPTANCE, self._time(day, after), inspectors)
        story.visits.append(visit)
        story.steps.append(
            Step(MoveName.ACCEPT, PlanState.ACCEPTED, visit.submitted_at, story.officer, inspection=visit)
        )
        story.accepted_at = visit.submitted_at

    def _enforced_story(self, story: Story, n: int) -> None:
        """Notified, not fixed by the deadline: overdue at the nightly run, escalated by the ladder after
        3 days, a sanction recorded (moving the plan into enforcement), rectification resumed, accepted."""
        rng, officer, fire = self.rng, story.officer, self.users["fire"]
        kind, department_kind, basis, fine, period = ENFORCEMENT_STORIES[n % len(ENFORCEMENT_STORIES)]
        story.survey_day = dt.date(2019, 10, 8) + days(rng.randint(0, 6))
        self._begin(story, story.survey_day, story.survey_day + days(1))
        refused = n % 2 == 1  # these never started: the notice was ignored
        if not refused:
            start = Step(
                MoveName.START,
                PlanState.RECTIFYING,
                self._time(story.survey_day + days(2)),
                officer,
                "房东签收通知",
            )
            story.steps.append(start)
        deadline = dt.date(2019, 11, 4) + days(n)
        story.first_deadline = deadline
        overdue_at = at(deadline + days(1), 0, 5)
        story.steps.append(
            Step(
                MoveName.MARK_OVERDUE,
                PlanState.OVERDUE,
                overdue_at,
                None,
                f"已超过整改期限 {deadline.isoformat()}",
            )
        )
        ladder = EscalationStep.objects.filter(district=self.district, move=MoveName.ESCALATE).first()
        story.escalated_to = (
            list(ladder.departments.all()) if ladder else [self.departments[DepartmentKind.FIRE]]
        )
        story.steps.append(
            Step(
                MoveName.ESCALATE,
                PlanState.ESCALATED,
                at(deadline + days(3), 0, 5),
                None,
                "逾期 3 天，按处置阶梯提级联合处置",
            )
        )
        day = deadline + days(4 + n % 3)
        department = self.departments.get(department_kind) or self.departments[DepartmentKind.FIRE]
        if refused:
            # The joint team at the door the day before: the landlord refused (a visit step, no sanction).
            story.enforcement.append(
                EnforcementAction(
                    premises=story.premises,
                    kind=EnforcementKind.REFUSED,
                    department=self.departments[DepartmentKind.FIRE],
                    date=day - days(1),
                    note="联合处置组上门，房东拒不整改",
                    recorded_by=fire,
                )
            )
        action = EnforcementAction(
            premises=story.premises,
            kind=kind,
            department=department,
            legal_basis=basis,
            document_number=f"衢江{'公' if department_kind == DepartmentKind.POLICE else '消'}罚〔2019〕{101 + n}号",
            date=day,
            fine_amount=Decimal(fine) if fine else None,
            period_days=period,
            note=f"{EnforcementKind(kind).label}：逾期未整改出租房屋消防安全隐患",
            recorded_by=fire,
        )
        story.enforcement.append(action)
        enforced_at = self._time(day)
        story.steps.append(
            Step(
                MoveName.ENFORCE,
                PlanState.ENFORCEMENT,
                enforced_at,
                fire,
                f"{EnforcementKind(kind).label} {day.isoformat()}",
            )
        )
        resume_day = day + days(period or rng.randint(1, 2))
        new_deadline = min(resume_day + days(7), ENDS_ON - days(1))
        resume = Step(
            MoveName.RESUME,
            PlanState.RECTIFYING,
            self._time(resume_day, enforced_at),
            fire,
            "当事人接受处理，承诺限期整改",
            deadline=new_deadline,
        )
        story.steps.append(resume)
        story.deadline = new_deadline
        request_day = max(resume_day, new_deadline - days(rng.randint(1, 2)))
        request = Step(
            MoveName.REQUEST_RECHECK,
            PlanState.RECHECK_REQUESTED,
            self._time(request_day, resume.time),
            officer,
            "房东申请复查验收",
        )
        story.steps.append(request)
        story.accept_day = min(request_day + days(rng.randint(0, 1)), ENDS_ON)
        self._accept(story, story.accept_day, request.time, [officer, fire] if officer != fire else [fire])

    # --- writing it ----------------------------------------------------------------------------------

    def _write(self, stories: list[Story]) -> None:
        visits = [v for s in stories for v in s.visits]
        for s in stories:
            for v in s.visits:
                v.row = Inspection(
                    premises=s.premises,
                    building_id=s.premises.building_id,
                    kind=v.kind,
                    template=self.template,
                    status=InspectionStatus.SUBMITTED,
                    outcome=VisitOutcome.INSPECTED,
                    started_at=v.submitted_at - dt.timedelta(minutes=self.rng.randint(15, 45)),
                    submitted_at=v.submitted_at,
                    client_uuid=self.uuid(),
                    version=2,
                )
        Inspection.objects.bulk_create([v.row for v in visits], batch_size=BATCH_SIZE)
        Through = Inspection.inspectors.through
        Through.objects.bulk_create(
            [Through(inspection_id=v.row.pk, user_id=u.pk) for v in visits for u in v.inspectors],
            batch_size=BATCH_SIZE,
        )
        Joint = Inspection.departments.through
        Joint.objects.bulk_create(
            [
                Joint(inspection_id=v.row.pk, department_id=u.department_id)
                for v in visits
                for u in v.inspectors
                if u.department_id
            ],
            batch_size=BATCH_SIZE,
        )
        # Every applicable item answered (an inspected visit needs them all); failures as drawn.
        answers, survey_answers = [], {}
        for s in stories:
            for v in s.visits:
                for item in self._applicable(s.premises):
                    failed = item.code in v.failed
                    answer = Answer(
                        inspection=v.row,
                        item=item,
                        result=AnswerResult.FAIL if failed else AnswerResult.PASS,
                        note=("复查仍未整改" if v.kind == InspectionKind.RECHECK else "") if failed else "",
                    )
                    answers.append(answer)
                    if v is s.survey and failed:
                        survey_answers[(s.premises.pk, item.code)] = answer
        Answer.objects.bulk_create(answers, batch_size=BATCH_SIZE)

        plans, items, hazards = [], [], []
        for s in stories:
            acceptance = s.visits[-1]
            s.plan = Plan(
                premises=s.premises,
                campaign=self.campaign,
                landlord=s.premises.landlord,
                officer=s.officer,
                state=PlanState.ACCEPTED,
                deadline=s.first_deadline,  # the notice's; moved on below once the notices are frozen
                notified_on=s.notified_on,
                closed_at=s.accepted_at,
                public_key=self.uuid(),
                version=len(s.steps),
            )
            plans.append(s.plan)
            found = s.survey.submitted_at
            for item in s.findings:
                natural = found.date() + days(item.default_deadline_days or 15)
                hazards.append(
                    Hazard(
                        premises=s.premises,
                        building_id=s.premises.building_id,
                        item=item,
                        inspection=s.survey.row,
                        answer=survey_answers[(s.premises.pk, item.code)],
                        severity=item.severity,
                        status=HazardStatus.ACCEPTED,
                        found_at=found,
                        deadline=natural,
                        closed_at=acceptance.submitted_at,
                        closed_by=acceptance.row,
                        # open → awaiting acceptance (a passed recheck) → accepted: one version per change
                        version=3 if item.code in s.awaiting_at_recheck else 2,
                    )
                )
        Plan.objects.bulk_create(plans, batch_size=BATCH_SIZE)
        Hazard.objects.bulk_create(hazards, batch_size=BATCH_SIZE)
        by_premises_item = {(h.premises_id, h.item_id): h for h in hazards}
        for s in stories:
            for item in s.findings:
                hazard = by_premises_item[(s.premises.pk, item.pk)]
                acceptance = item.acceptance or item.requirement
                items.append(
                    PlanItem(
                        plan=s.plan,
                        hazard=hazard,
                        measure=acceptance,
                        acceptance=acceptance,
                        deadline=min(max(hazard.deadline, s.survey_day), s.first_deadline),
                    )
                )
        PlanItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
        Plan.escalated_to.through.objects.bulk_create(
            [
                Plan.escalated_to.through(plan_id=s.plan.pk, department_id=d.pk)
                for s in stories
                for d in s.escalated_to
            ]
        )
        moves = []
        for s in stories:
            state = ""
            for step in s.steps:
                moves.append(
                    PlanMove(
                        plan=s.plan,
                        name=step.name,
                        from_state=state,
                        to_state=step.to_state,
                        actor=step.actor,
                        actor_name=str(step.actor) if step.actor else SYSTEM_NAME,
                        time=step.time,
                        reason=step.reason,
                        deadline=step.deadline,
                        inspection=step.inspection.row if step.inspection else None,
                    )
                )
                state = step.to_state
        PlanMove.objects.bulk_create(moves, batch_size=BATCH_SIZE)
        for s in stories:
            for action in s.enforcement:
                action.plan = s.plan
                action.full_clean()
                action.save()
                recorded = at(action.date, 17, 30)
                EnforcementAction.objects.filter(pk=action.pk).update(
                    created_at=recorded, updated_at=recorded
                )
        targets = [
            CampaignTarget(
                campaign=self.campaign,
                premises=s.premises,
                source=TargetSource.HAZARDS,
                added_at=s.survey.submitted_at,
            )
            for s in stories
        ]
        CampaignTarget.objects.bulk_create(targets, batch_size=BATCH_SIZE)
        # When the rows were made, by the history (bulk inserts stamp now).
        end = at(ENDS_ON + days(1), 0)
        Inspection.objects.filter(
            premises__campaign_targets__campaign=self.campaign, submitted_at__lt=end
        ).update(created_at=F("started_at"), updated_at=F("submitted_at"))
        Hazard.objects.filter(plan_items__plan__campaign=self.campaign).update(
            created_at=F("found_at"), updated_at=F("closed_at")
        )
        created = PlanMove.objects.filter(plan=OuterRef("pk"), name=MoveName.CREATE).values("time")[:1]
        Plan.objects.filter(campaign=self.campaign).update(
            created_at=Subquery(created), updated_at=F("closed_at")
        )
        self.stories = stories

    def _documents(self, stories: list[Story]) -> None:
        """The notices (frozen with the plan as it was served), the four-category landlords' pledges and
        the acceptance forms, numbered in the order they were issued; PDFs are made on first download."""
        issued: list[tuple[dt.datetime, str, Story, dict]] = []
        for s in stories:
            steps = {step.name: step for step in s.steps}
            issued.append((steps[MoveName.NOTIFY].time, DocumentKind.NOTICE, s, {}))
            if s.four_category and MoveName.START in steps:
                issued.append((steps[MoveName.START].time, DocumentKind.PLEDGE, s, {}))
            issued.append(
                (steps[MoveName.ACCEPT].time, DocumentKind.ACCEPTANCE, s, {"inspection": s.visits[-1].row})
            )
        order = {DocumentKind.NOTICE: 0, DocumentKind.PLEDGE: 1, DocumentKind.ACCEPTANCE: 2}
        issued.sort(key=lambda d: (order[d[1]], d[0], d[2].premises.pk))
        numbers: Counter = Counter()
        for time, kind, s, extra in issued:
            numbers[kind] += 1
            prefix = settings.FIREGRID_DOCUMENT_SERIALS[kind]
            serial = document_serial(prefix, time.year, numbers[kind])
            if kind == DocumentKind.ACCEPTANCE and s.deadline != s.first_deadline:
                self._move_deadline(s)
            signature = None
            if kind == DocumentKind.PLEDGE:
                signature = {"name": s.premises.landlord.name, "at": time, "ip": None}
            content = build_content(
                s.plan,
                kind,
                serial=serial,
                issued_on=time.astimezone(at(STARTS_ON, 0).tzinfo).date(),
                signature=signature,
                **extra,
            )
            document = Document(
                plan=s.plan, kind=kind, serial=serial, content=content, issued_at=time, issued_by=s.officer
            )
            if signature:
                document.issued_by = None
                document.signed_name, document.signed_at = signature["name"], time
            document.save()
        for kind, last in numbers.items():
            counter, _created = SerialCounter.objects.get_or_create(
                prefix=settings.FIREGRID_DOCUMENT_SERIALS[kind], year=STARTS_ON.year
            )
            if counter.last < last:
                counter.last = last
                counter.save(update_fields=["last"])

    def _move_deadline(self, story: Story) -> None:
        """After the notice: a failed recheck or a resumed rectification set a new deadline for the plan
        and for its hazards not yet removed (all of them, until the acceptance)."""
        if story.plan.deadline == story.deadline:
            return
        story.plan.deadline = story.deadline
        Plan.objects.filter(pk=story.plan.pk).update(deadline=story.deadline)
        PlanItem.objects.filter(plan=story.plan).update(deadline=story.deadline)

    def _outreach(self) -> None:
        """Mobilisation meetings (one for landlords on the public payroll), 12,000 leaflets handed out
        across the areas, videos, boards, the equipment fair and 1,000+ contact cards for tradesmen."""
        from firegrid.outreach import models as outreach

        Record = getattr(outreach, "OutreachRecord", None)
        if Record is None:
            return  # the outreach records come with firegrid.outreach's OutreachRecord
        Kind = outreach.OutreachKind
        rng = seeded_rng(self.seed, "campaign-2019-outreach")
        recorder = self.users.get("zhangtan") or self.users["fire"]
        subdistricts = sorted(Area.objects.filter(level=AreaLevel.SUBDISTRICT), key=lambda a: a.code)
        zhangtan = subdistricts[0]
        communities = sorted(Area.objects.filter(parent=zhangtan), key=lambda a: a.code)
        rows = [
            Record(
                kind=Kind.MEETING,
                held_on=dt.date(2019, 10, 8),
                area=self.district,
                audience="全区出租房东",
                attendance=1260,
                note="铁拳行动动员大会",
            ),
            Record(
                kind=Kind.MEETING,
                held_on=dt.date(2019, 10, 9),
                area=self.district,
                audience="公职人员房东（四类人员）",
                attendance=211,
                note="四类人员房东专题会，单位认领并签订承诺书",
            ),
            Record(
                kind=Kind.VIDEO,
                held_on=dt.date(2019, 10, 10),
                area=zhangtan,
                audience="出租房东、租户",
                attendance=420,
                note="出租房火灾警示教育片",
            ),
            Record(
                kind=Kind.FAIR,
                held_on=dt.date(2019, 10, 19),
                area=zhangtan,
                audience="出租房东",
                attendance=560,
                note="消防器材展销会：灭火器、独立式感烟报警器",
            ),
        ]
        rows += [
            Record(
                kind=Kind.BOARD,
                held_on=dt.date(2019, 10, 12) + days(i % 5),
                area=c,
                audience="居民、租户",
                note="宣传展板：出租房屋消防安全“八严禁”",
            )
            for i, c in enumerate(communities)
        ]
        # 12,000 leaflets: half in 樟潭街道's communities, the rest over the other subdistricts.
        places = communities + subdistricts[1:]
        weights = [6] * len(communities) + [4] + [1] * (len(subdistricts) - 2)
        shares = [LEAFLETS * w // sum(weights) for w in weights]
        shares[0] += LEAFLETS - sum(shares)
        materials = ("《出租房屋消防安全“八严禁”》", "《出租房火灾典型案例》")
        for i, (area, copies) in enumerate(zip(places, shares, strict=True)):
            first = copies // 2
            for material, n in zip(materials, (first, copies - first), strict=True):
                rows.append(
                    Record(
                        kind=Kind.MATERIALS,
                        held_on=STARTS_ON + days(2 + (i + rng.randrange(10)) % 20),
                        area=area,
                        audience="出租房东、租户",
                        material=material,
                        copies=n,
                    )
                )
        cards = [CONTACT_CARDS // len(communities)] * len(communities)
        cards[0] += CONTACT_CARDS - sum(cards)
        rows += [
            Record(
                kind=Kind.CARDS,
                held_on=dt.date(2019, 10, 20) + days(i % 6),
                area=c,
                audience="出租房东",
                material="电工、泥瓦工、木工联系卡",
                copies=n,
            )
            for i, (c, n) in enumerate(zip(communities, cards, strict=True))
        ]
        for row in rows:
            row.campaign, row.recorded_by = self.campaign, recorder
            row.full_clean()
        Record.objects.bulk_create(rows)
        for row in rows:  # recorded the evening it happened
            Record.objects.filter(pk=row.pk).update(
                created_at=at(row.held_on, 18), updated_at=at(row.held_on, 18)
            )
