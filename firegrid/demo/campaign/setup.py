"""Set-up: the campaign with its milestones, the five work groups, the 1,095 target premises (most in
樟潭街道, 211 of four-category landlords), the officer of each, and the units' claims of the
four-category landlords in the first days of October."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import F

from firegrid.areas.choices import AreaLevel, DepartmentKind
from firegrid.areas.models import Area, User
from firegrid.campaigns.choices import CampaignStatus, ClaimStatus, MilestoneScope, TargetSource
from firegrid.campaigns.models import Campaign, CampaignTarget, Claim, Milestone, WorkGroup
from firegrid.rectification.models import Plan
from firegrid.registry.choices import PremisesKind, PremisesStatus
from firegrid.registry.models import Landlord, Premises

from ..data import DISTRICT_CODE
from .facts import (
    BATCH_SIZE,
    CODE,
    ENDS_ON,
    FOUR_CATEGORY_DUE,
    FOUR_CATEGORY_TARGETS,
    NAME,
    STARTS_ON,
    TARGETS,
    at,
    days,
)
from .stories import Story

if TYPE_CHECKING:
    from .replay import Replay


# How likely a premises is to be among the targets: the town centre next to the industrial zones holds
# most of them (樟潭街道 001, then 浮石街道 002); mixed-use premises and shared rentals most often fail.
SUBDISTRICT_WEIGHT = {"001": 3.0, "002": 1.6}
OTHER_SUBDISTRICT_WEIGHT = 0.6
KIND_WEIGHT = {PremisesKind.RESIDENTIAL: 1.0, PremisesKind.MIXED_USE: 2.0, PremisesKind.SHOP: 0.45}
SHARED_RENTAL_WEIGHT = 1.5

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


def create_campaign(replay: Replay) -> Campaign:
    """铁拳行动 over the whole district, with its two milestones."""
    campaign = Campaign.objects.create(
        name=NAME, code=CODE, starts_on=STARTS_ON, ends_on=ENDS_ON, status=CampaignStatus.ENDED
    )
    campaign.areas.set([replay.district])
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
    return campaign


def create_work_groups(replay: Replay) -> None:
    subdistricts = {a.code[len(DISTRICT_CODE) :]: a for a in Area.objects.filter(level=AreaLevel.SUBDISTRICT)}
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
        group = WorkGroup.objects.create(campaign=replay.campaign, name=name, leader=replay.users.get(leader))
        group.areas.set(areas)
        group.members.set([replay.users[m] for m in members if m in replay.users])
        group.departments.set([replay.departments[k] for k in kinds if k in replay.departments])


def choose_targets(replay: Replay) -> list[Story]:
    """211 premises of four-category landlords (one each) and 884 others, most in 樟潭街道."""
    rng = replay.rng
    every_four = sorted(Landlord.objects.four_category().values_list("pk", flat=True))
    four_pks = every_four
    if len(four_pks) > FOUR_CATEGORY_TARGETS:  # a larger scale: the 2019 campaign had 211
        four_pks = sorted(rng.sample(four_pks, FOUR_CATEGORY_TARGETS))
    four, all_four = set(four_pks), set(every_four)
    wanted = TARGETS - len(four_pks)
    columns = ("pk", "kind", "is_shared_rental", "landlord_id", "status", "building__grid__code")
    by_landlord: dict[int, list[tuple]] = {}
    best: list[tuple[float, int]] = []  # a heap of the highest weighted keys (Efraimidis–Spirakis)
    # Premises with a plan already hold the demo's present-day plans (made before the replay, dated today):
    # not among the 2019 targets, so nothing dated today sits on them. (A four-category landlord's only
    # premises stays theirs: the 211 are one per landlord.)
    present_day = set(Plan.objects.values_list("premises_id", flat=True))
    rows = Premises.objects.order_by("pk").values_list(*columns)
    for row in rows.iterator(chunk_size=5000):
        pk, kind, shared, landlord_id, state, grid_code = row
        if landlord_id in all_four:  # four-category landlords count only as the 211
            if landlord_id in four:
                by_landlord.setdefault(landlord_id, []).append(row)
            continue
        if state != PremisesStatus.ACTIVE:
            continue
        sub = grid_code[len(DISTRICT_CODE) : len(DISTRICT_CODE) + 3]
        weight = SUBDISTRICT_WEIGHT.get(sub, OTHER_SUBDISTRICT_WEIGHT) * KIND_WEIGHT.get(kind, 1.0)
        weight *= SHARED_RENTAL_WEIGHT if shared else 1.0
        key = rng.random() ** (1.0 / weight)  # drawn for every premises: the stream stays as it was
        if pk in present_day:
            continue
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
        free = [r for r in theirs if r[0] not in present_day] or theirs
        active = [r for r in free if r[4] == PremisesStatus.ACTIVE] or free
        four_premises[rng.choice(active)[0]] = landlord_id
    premises = Premises.objects.filter(pk__in=[*chosen, *four_premises]).select_related(
        "building__grid", "landlord"
    )
    officers = officer_of_grid(replay)
    stories = [
        Story(premises=p, four_category=p.pk in four_premises, officer=officers(p.building.grid.path))
        for p in sorted(premises, key=lambda p: p.pk)
    ]
    return stories


def officer_of_grid(replay: Replay) -> Callable[[str], User]:
    """The most local demo officer whose scope holds a grid: grid worker, community, subdistrict, fire."""
    scoped = []
    for username in ("wanggy", "shequ", "zhangtan"):
        user = replay.users.get(username)
        if user is not None:
            scoped += [(a.path, user) for a in user.areas.all()]
    fire = replay.users["fire"]

    def officer(grid_path: str) -> User:
        return next((user for path, user in scoped if grid_path.startswith(path)), fire)

    return officer


def claim_four_category(replay: Replay, stories: list[Story]) -> None:
    """Each four-category landlord claimed by their employer unit in the first days of October."""
    liaison = replay.users.get("liaison")
    commander = replay.users.get("commander") or replay.users["fire"]
    claims = []
    for story in stories:
        landlord = story.premises.landlord
        if landlord.employer_unit_id is None:
            continue
        by = liaison if liaison is not None and liaison.unit_id == landlord.employer_unit_id else commander
        day = STARTS_ON + days(replay.rng.choice((0, 1, 1, 2, 2, 3, 4)))
        claims.append(
            Claim(
                campaign=replay.campaign,
                landlord=landlord,
                unit_id=landlord.employer_unit_id,
                status=ClaimStatus.ACTIVE,
                claimed_by=by,
                claimed_at=at(day, replay.rng.randint(9, 16), replay.rng.randrange(60)),
                reason="单位认领四类人员房东，签订整改承诺书",
            )
        )
    Claim.objects.bulk_create(claims, batch_size=BATCH_SIZE)
    Claim.objects.filter(campaign=replay.campaign).update(
        created_at=F("claimed_at"), updated_at=F("claimed_at")
    )


def add_targets(replay: Replay, stories: list[Story]) -> None:
    """The premises as the campaign's targets, each a member from the day its survey found its hazards (so
    the campaign's scope grows through October as the survey goes on), recorded then."""
    targets = [
        CampaignTarget(
            campaign=replay.campaign,
            premises=s.premises,
            source=TargetSource.HAZARDS,
            added_at=s.surveyed().submitted_at,
            joined_on=s.surveyed().submitted_at.astimezone(at(STARTS_ON, 0).tzinfo).date(),
        )
        for s in stories
    ]
    CampaignTarget.objects.bulk_create(targets, batch_size=BATCH_SIZE)


def date_campaign(replay: Replay) -> None:
    """Rows written in bulk were stamped now; the history says when they were made."""
    Campaign.objects.filter(pk=replay.campaign.pk).update(
        created_at=at(dt.date(2019, 9, 26), 15, 30), updated_at=at(ENDS_ON + days(2), 10)
    )
    WorkGroup.objects.filter(campaign=replay.campaign).update(
        created_at=at(dt.date(2019, 9, 29), 10), updated_at=at(dt.date(2019, 9, 29), 10)
    )
