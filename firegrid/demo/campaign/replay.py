"""The replay itself: its working state (the seed's random stream, the demo users, the district, the
departments, the checklist) and the phases in the order they happened — the order is part of the recipe,
since every phase draws from the same stream and the rows' ids follow the order they are written in."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import translation

from firegrid.areas.choices import AreaLevel, DepartmentKind
from firegrid.areas.models import Area, Department, User
from firegrid.campaigns.models import Campaign
from firegrid.inspections import services as inspections
from firegrid.inspections.return_visits import answer_return_visits
from firegrid.registry.models import Building, Premises

from ..data import DISTRICT_CODE
from ..generator import BUILDINGS, seeded_rng
from . import documents, enforcement, outreach, rectification, setup, survey
from .doors import knock_every_door
from .facts import CODE, at
from .reports import take_daily_snapshots
from .schedule import schedule
from .stories import Story


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


class Replay:
    """The state the phases share while 铁拳行动 is replayed for a seed."""

    campaign: Campaign
    stories: list[Story]

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
        self.applicable_items: dict[tuple[str, bool], list] = {}
        # The survey round knocks on every door of one district (scale 1, as in 2019); a registry larger
        # than that (a load test) keeps the replay's cost flat: only the targets are visited.
        self.everyone = Building.objects.count() <= BUILDINGS

    def run(self) -> Campaign:
        self.campaign = setup.create_campaign(self)
        setup.create_work_groups(self)
        stories = setup.choose_targets(self)
        setup.claim_four_category(self, [s for s in stories if s.four_category])
        doors = knock_every_door(self, stories)
        schedule(self, stories)
        # The history, written in bulk: inspections, plans, sanctions, targets, then their dates.
        survey_answers = survey.write_inspections(self, stories, doors)
        rectification.write_plans(self, stories, survey_answers)
        enforcement.write_enforcement(stories)
        setup.add_targets(self, stories)
        survey.date_inspections(self, stories, doors)
        # Written in bulk, the visits did not answer each other's return visits as the submit service does.
        answer_return_visits()
        rectification.date_plans(self)
        self.stories = stories
        documents.issue_documents(self, stories)
        outreach.record_outreach(self)
        setup.date_campaign(self)
        return self.campaign

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def applicable(self, premises: Premises) -> list:
        """The checklist items that apply to a premises of its kind (cached per kind and shared flag)."""
        key = (premises.kind, premises.is_shared_rental)
        if key not in self.applicable_items:
            self.applicable_items[key] = [i for i in self.items if i.applies_to_premises(premises)]
        return self.applicable_items[key]

    def time(self, day: dt.date, after: dt.datetime | None = None) -> dt.datetime:
        """A working-hours time on `day`, later than `after` (which may be the same day)."""
        if after is not None and after.astimezone(at(day, 0).tzinfo).date() >= day:
            return after + dt.timedelta(minutes=self.rng.randint(5, 40))
        return at(day, self.rng.randint(8, 15), self.rng.randrange(60))
