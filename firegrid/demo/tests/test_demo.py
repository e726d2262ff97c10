"""The demo district: `manage.py demo` builds 衢江区 with the 2019 campaign's figures, valid data and one
user per role; it is deterministic, idempotent and scales.

The scale-1 demo is loaded once for the module inside a transaction that is rolled back at the end (each
test still runs in its own savepoint). The scale-2 test asks for the same fixture with another parameter,
so pytest tears the scale-1 load down first; it is last in the file so that happens only once.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import random
import re
import zoneinfo
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Avg, Count, F, Max, Min, Q, Sum

from firegrid.areas.choices import AreaLevel, DepartmentKind, Role
from firegrid.areas.models import Area, Department, Unit, User
from firegrid.core.models import AuditEntry
from firegrid.core.validators import validate_mobile, validate_resident_id
from firegrid.demo import DEMO_PASSWORD, DISTRICT_CODE, SITE_URL, data
from firegrid.demo.generator import (
    BUILDINGS,
    FOUR_CATEGORY,
    LANDLORD_BORN,
    MIXED_USE,
    RESIDENTIAL,
    SHOPS,
    IdNumbers,
    RegistryGenerator,
    district_plan,
)
from firegrid.demo.loader import DEMO_USERS
from firegrid.demo.progress import Progress
from firegrid.registry.choices import PremisesKind
from firegrid.registry.models import Building, Landlord, Premises, Room, TenantHousehold

REGISTRY = (Landlord, Building, Premises, Room, TenantHousehold)
ZHANGTAN = DISTRICT_CODE + "001"
FUSHI = DISTRICT_CODE + "002"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def demo(request, django_db_setup, django_db_blocker):
    """The demo loaded by the command at `request.param` scale (1 unless parametrised), rolled back after."""
    scale = getattr(request, "param", 1)
    outer = transaction.atomic()

    def roll_back():
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)

    with django_db_blocker.unblock():
        outer.__enter__()
    request.addfinalizer(roll_back)
    out, err = io.StringIO(), io.StringIO()
    with django_db_blocker.unblock():
        call_command("demo", "--scale", str(scale), stdout=out, stderr=err)
    return SimpleNamespace(scale=scale, out=out.getvalue(), err=err.getvalue())


def current_tenants():
    return TenantHousehold.objects.filter(moved_out__isnull=True)


def premises_under(code: str):
    return Premises.objects.filter(building__grid__path__startswith=Area.objects.get(code=code).path)


# --- the registry's figures ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_campaign_figures(demo):
    assert Building.objects.count() == 1644
    assert Premises.objects.filter(kind=PremisesKind.SHOP).count() == 1175
    assert Premises.objects.filter(kind=PremisesKind.MIXED_USE).count() == 81
    assert Premises.objects.filter(kind=PremisesKind.RESIDENTIAL).count() == RESIDENTIAL
    assert current_tenants().count() >= 3200
    assert not current_tenants().filter(premises__kind=PremisesKind.SHOP).exists()
    assert Landlord.objects.four_category().count() == 211
    assert not Landlord.objects.four_category().filter(employer_unit=None).exists()
    assert Premises.objects.filter(is_shared_rental=True).exists()
    assert "1644/1644 buildings" in demo.err


@pytest.mark.django_db
def test_every_premises_has_rooms_and_a_landlord_owns_one_to_three(demo):
    assert not Premises.objects.filter(rooms=None).exists()
    per_landlord = set(Landlord.objects.annotate(n=Count("premises")).values_list("n", flat=True))
    assert per_landlord <= {1, 2, 3}
    assert not Premises.objects.filter(is_shared_rental=True).annotate(n=Count("rooms")).filter(n__lt=10)
    # Landlord.area is the grid of their (first) premises.
    assert not Landlord.objects.exclude(premises__building__grid=F("area")).exists()


@pytest.mark.django_db
def test_area_tree(demo):
    district = Area.objects.get(code=DISTRICT_CODE)
    subdistricts = Area.objects.filter(parent=district)
    assert sorted(subdistricts.values_list("name", flat=True)) == sorted(s.name for s in data.SUBDISTRICTS)
    assert Area.objects.get(code=ZHANGTAN).name == "樟潭街道"
    for area in Area.objects.exclude(level=AreaLevel.DISTRICT):
        assert area.path == f"{area.parent.path}{area.pk}/"
        assert area.code.startswith(area.parent.code)
    assert {
        len(c) for c in Area.objects.filter(level=AreaLevel.COMMUNITY).values_list("code", flat=True)
    } == {12}
    assert {len(c) for c in Area.objects.filter(level=AreaLevel.GRID).values_list("code", flat=True)} == {15}
    assert Area.objects.filter(parent__code=ZHANGTAN).count() == 8
    for community in Area.objects.filter(level=AreaLevel.COMMUNITY):
        assert 2 <= community.children.count() <= 5
    assert not Area.objects.filter(level=AreaLevel.GRID, buildings=None).exists()


@pytest.mark.django_db
def test_zhangtan_holds_the_largest_share(demo):
    by_subdistrict = {
        s.code: premises_under(s.code).count() for s in Area.objects.filter(level=AreaLevel.SUBDISTRICT)
    }
    ranked = sorted(by_subdistrict, key=by_subdistrict.get, reverse=True)
    assert ranked[:2] == [ZHANGTAN, FUSHI]
    assert 0.4 <= by_subdistrict[ZHANGTAN] / Premises.objects.count() <= 0.6


@pytest.mark.django_db
def test_departments_and_units(demo):
    assert set(Department.objects.values_list("kind", flat=True)) == set(DepartmentKind)
    offices = Department.objects.filter(kind=DepartmentKind.SUBDISTRICT_OFFICE)
    assert sorted(offices.values_list("area__name", flat=True)) == ["樟潭街道", "浮石街道"]
    assert 50 <= Unit.objects.count() <= 70
    assert all(name.startswith("衢江区") for name in Unit.objects.values_list("name", flat=True))
    # Officials and public payroll work for the state.
    state = Landlord.objects.filter(Q(is_official=True) | Q(is_public_payroll=True))
    assert not state.filter(employer_unit__kind="enterprise").exists()
    party = Landlord.objects.filter(is_party_member=True).count()
    for flag in ("is_official", "is_deputy", "is_public_payroll"):
        assert party > Landlord.objects.filter(**{flag: True}).count()


# --- users -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_user_per_role(demo):
    for role in Role:
        assert User.objects.filter(role=role).exists(), role
    for user in User.objects.filter(username__in=[d.username for d in DEMO_USERS]):
        assert user.check_password(DEMO_PASSWORD)
        assert user.full_name
    # The other landlords' portal accounts (the long-term phase) sign in with SMS codes only.
    portal = User.objects.filter(role=Role.LANDLORD).exclude(username="landlord")
    assert portal.exists() and not any(u.has_usable_password() for u in portal)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="fire").department.kind == DepartmentKind.FIRE
    assert [a.name for a in User.objects.get(username="zhangtan").areas.all()] == ["樟潭街道"]
    assert [a.name for a in User.objects.get(username="shequ").areas.all()] == ["樟树潭社区"]


@pytest.mark.django_db
def test_grid_worker_liaison_and_landlord_share_premises(demo):
    grid = User.objects.get(username="wanggy").areas.get()
    assert grid.name == "樟树潭社区第一网格"
    assert Building.objects.filter(grid=grid).exists()
    unit = User.objects.get(username="liaison").unit
    assert Landlord.objects.four_category().filter(employer_unit=unit).count() >= 3
    landlord = User.objects.get(username="landlord").landlord
    assert landlord.premises.filter(building__grid=grid, tenant_households__moved_out=None).exists()
    assert User.objects.get(username="landlord").full_name == landlord.name


@pytest.mark.django_db
def test_demo_logins_prints_the_users(demo):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert SITE_URL in text
    for username in ("admin", "commander", "fire", "zhangtan", "shequ", "wanggy", "liaison", "landlord"):
        assert f" {username} " in text
    assert "网格员" in text and DEMO_PASSWORD in text


# --- validity ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sample_of_every_model_passes_full_clean(demo):
    rng = random.Random(7)
    for model in (Area, Department, Unit, User, *REGISTRY):
        pks = sorted(model.objects.values_list("pk", flat=True))
        for pk in rng.sample(pks, min(40, len(pks))):
            obj = model.objects.get(pk=pk)
            try:
                obj.full_clean()
            except ValidationError as exc:  # pragma: no cover - shows which row
                pytest.fail(f"{model.__name__} {pk} {obj}: {exc.message_dict}")


@pytest.mark.django_db
def test_identity_numbers_and_mobiles_are_valid(demo):
    for model in (Landlord, TenantHousehold):
        for id_number, mobile in model.objects.values_list("id_number", "mobile"):
            validate_resident_id(id_number)
            validate_mobile(mobile)
    assert not Landlord.objects.exclude(id_number__startswith=data.LOCAL_REGION).exists()


@pytest.mark.django_db
def test_buildings_lie_in_the_district(demo):
    box = Building.objects.aggregate(
        lat_min=Min("latitude"), lat_max=Max("latitude"), lng_min=Min("longitude"), lng_max=Max("longitude")
    )
    assert 28.8 <= box["lat_min"] and box["lat_max"] <= 29.2
    assert 118.8 <= box["lng_min"] and box["lng_max"] <= 119.2
    zhangtan = Building.objects.filter(grid__path__startswith=Area.objects.get(code=ZHANGTAN).path)
    centre = zhangtan.aggregate(lat=Avg("latitude"), lng=Avg("longitude"))
    assert abs(centre["lat"] - Decimal("28.98")) < Decimal("0.02")
    assert abs(centre["lng"] - Decimal("118.93")) < Decimal("0.02")


@pytest.mark.django_db
def test_areas_carry_their_outlines_and_buildings_stand_in_their_grid(demo):
    from firegrid.demo.generator.outlines import contains, district_outlines

    outlines = district_outlines(district_plan(2019), 2019, DISTRICT_CODE)
    for code, outline in Area.objects.values_list("code", "outline"):
        ring = outline["coordinates"][0]
        assert outline["type"] == "Polygon" and ring[0] == ring[-1]
        assert [tuple(p) for p in ring[:-1]] == outlines.polygons[code]
    pks = sorted(Building.objects.values_list("pk", flat=True))
    for building in Building.objects.filter(pk__in=random.Random(3).sample(pks, 200)).select_related("grid"):
        ring = [tuple(p) for p in building.grid.outline["coordinates"][0]]
        assert contains(ring, (float(building.longitude), float(building.latitude))), building.address


@pytest.mark.django_db
def test_rooms_fit_their_premises(demo):
    assert not Premises.objects.annotate(total=Sum("rooms__area_m2")).filter(total__gt=F("floor_area_m2"))
    assert not Premises.objects.filter(floor_to__gt=F("building__floors")).exists()
    assert not Room.objects.filter(occupants__gt=3).exists()
    assert not Premises.objects.filter(kind__in=[PremisesKind.SHOP, PremisesKind.MIXED_USE], business_name="")


# --- running it again, determinism -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_run_changes_nothing(demo):
    models = (Area, Department, Unit, User, AuditEntry, *REGISTRY)
    before = [m.objects.count() for m in models]
    out = io.StringIO()
    call_command("demo", stdout=out, stderr=io.StringIO())
    assert "already loaded" in out.getvalue()
    assert [m.objects.count() for m in models] == before


def test_scale_must_be_positive():
    with pytest.raises(CommandError):
        call_command("demo", "--scale", "0")


def registry_digest(rows_by_model: dict[str, list[tuple]]) -> str:
    digest = hashlib.sha256()
    for name in sorted(rows_by_model):
        digest.update(name.encode())
        for row in rows_by_model[name]:
            # str() turns choices enums into their stored values.
            digest.update(repr(tuple(str(v) if isinstance(v, str) else v for v in row)).encode())
    return digest.hexdigest()


DIGEST_FIELDS = {
    "landlord": (
        "name",
        "id_number",
        "mobile",
        "address",
        "area__code",
        "is_party_member",
        "is_official",
        "is_deputy",
        "is_public_payroll",
        "employer_unit__name",
    ),
    "building": ("grid__code", "address", "floors", "latitude", "longitude", "use", "structure"),
    "premises": ("unit_label", "kind", "floor_area_m2", "business_name", "is_shared_rental", "status"),
    "room": ("number", "area_m2", "use", "occupants"),
    "tenant": ("head_name", "id_number", "people", "moved_in", "moved_out"),
}


def generated_rows(seed: int, scale: int = 1) -> dict[str, list[tuple]]:
    """The registry the generator makes for `seed`, without a database (made-up primary keys)."""
    plan = district_plan(seed)
    grids = [g for sub in plan for g in sub.grids]
    generator = RegistryGenerator(
        plan,
        seed=seed,
        scale=scale,
        grid_pks={g.code: i for i, g in enumerate(grids)},
        unit_pks={u.name: i for i, u in enumerate(data.UNITS)},
    )
    related = {  # the made-up primary keys back to what the database query reads
        "grid__code": lambda o: grids[o.grid_id].code,
        "area__code": lambda o: grids[o.area_id].code,
        "employer_unit__name": lambda o: (
            None if o.employer_unit_id is None else data.UNITS[o.employer_unit_id].name
        ),
    }

    def value(obj, name):
        return related[name](obj) if name in related else getattr(obj, name)

    rows: dict[str, list[tuple]] = {name: [] for name in DIGEST_FIELDS}
    for chunk in generator.chunks():
        for name, objs in (
            ("landlord", chunk.landlords),
            ("building", chunk.buildings),
            ("premises", chunk.premises),
            ("room", chunk.rooms),
            ("tenant", chunk.tenants),
        ):
            rows[name] += [tuple(value(o, f) for f in DIGEST_FIELDS[name]) for o in objs]
    return rows


def test_same_seed_same_data():
    first, again, other = generated_rows(2019), generated_rows(2019), generated_rows(2020)
    assert registry_digest(first) == registry_digest(again)
    assert registry_digest(first) != registry_digest(other)
    assert len(first["building"]) == BUILDINGS
    ids = [row[1] for row in first["landlord"]]
    assert len(set(ids)) == len(ids)


@pytest.mark.django_db
def test_the_database_holds_what_the_generator_makes(demo):
    models = {
        "landlord": Landlord,
        "building": Building,
        "premises": Premises,
        "room": Room,
        "tenant": TenantHousehold,
    }
    stored = {
        name: list(model.objects.order_by("pk").values_list(*DIGEST_FIELDS[name]))
        for name, model in models.items()
    }
    # The registry as loaded, before the long-term phase's tenant moves (households that moved in from
    # December 2019 on; move-outs it recorded on the loaded ones).
    start = date(2019, 12, 1)
    stored["tenant"] = [
        (*row[:4], row[4] if row[4] is None or row[4] < start else None)
        for row in stored["tenant"]
        if row[3] < start
    ]
    assert registry_digest(stored) == registry_digest(generated_rows(2019))


def test_id_numbers_are_unique_by_construction_into_the_millions():
    ids = IdNumbers(LANDLORD_BORN, 2019, "landlord-ids")
    made = [ids.make(n, "330803")[0] for n in range(300_000)]
    assert len(set(made)) == len(made)
    for n in (*range(0, 300_000, 997), 5_000_000, 12_345_678, ids.size - 1):
        validate_resident_id(ids.make(n, "330803")[0])
    with pytest.raises(ValueError):
        ids.make(ids.size, "330803")


def test_progress_bar():
    class Clock:
        now = 0.0

        def __call__(self):
            return self.now

    clock, stream = Clock(), io.StringIO()
    bar = Progress(200, stream=stream, tty=False, clock=clock)
    for done in range(0, 201, 5):
        clock.now += 0.5
        bar.update(done)
    bar.finish()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11  # 0%, 10%, … 100%
    assert lines[-1] == "registry  [##############################] 100%  200/200 buildings  20s"
    stream = io.StringIO()
    bar = Progress(10, stream=stream, tty=True, clock=clock)
    bar.update(5)
    bar.finish()
    assert stream.getvalue().startswith("\rregistry  [###############...............]  50%  5/10")
    assert stream.getvalue().endswith("\n")


# --- the 2019 campaign replay (firegrid.demo.campaign) ------------------------------------------------


def replayed():
    from firegrid.campaigns.models import Campaign
    from firegrid.demo.campaign import CODE

    return Campaign.objects.get(code=CODE)


@pytest.mark.django_db
def test_campaign_replay_targets_claims_and_work_groups(demo):
    from firegrid.campaigns.choices import CampaignStatus, ClaimStatus, MilestoneScope

    campaign = replayed()
    assert (campaign.name, campaign.status) == ("铁拳行动", CampaignStatus.ENDED)
    assert (campaign.starts_on.isoformat(), campaign.ends_on.isoformat()) == ("2019-10-01", "2019-11-30")
    assert list(campaign.areas.values_list("code", flat=True)) == [DISTRICT_CODE]
    assert sorted(campaign.milestones.values_list("scope", "due_on")) == sorted(
        [(MilestoneScope.FOUR_CATEGORY, date(2019, 10, 31)), (MilestoneScope.ALL, date(2019, 11, 30))]
    )
    targets = Premises.objects.filter(campaign_targets__campaign=campaign)
    assert targets.count() == 1095
    four = targets.filter(landlord__in=Landlord.objects.four_category())
    assert four.count() == 211
    assert four.values("landlord").distinct().count() == 211
    # Most targets are in the town centre next to the industrial zones.
    assert (
        targets.filter(building__grid__path__startswith=Area.objects.get(code=ZHANGTAN).path).count()
        > 1095 / 2
    )
    claims = campaign.claims.all()
    assert claims.count() == claims.filter(status=ClaimStatus.ACTIVE).count() == 211
    assert set(claims.values_list("landlord", flat=True)) == set(four.values_list("landlord", flat=True))
    assert not claims.exclude(unit=F("landlord__employer_unit")).exists()
    assert {c.claimed_at.astimezone(SHANGHAI).date() for c in claims} <= {
        date(2019, 10, d) for d in range(1, 8)
    }
    groups = list(campaign.work_groups.prefetch_related("areas"))
    assert {g.name for g in groups} == {"第一工作组", "第二工作组", "第三工作组", "第四工作组", "第五工作组"}
    assert len(groups) == 5 and all(g.leader_id for g in groups)
    paths = [a.path for g in groups for a in g.areas.all()]
    # Every grid of the district lies in a work group, and every target with it.
    for grid in Area.objects.filter(level=AreaLevel.GRID):
        assert any(grid.path.startswith(p) for p in paths), grid


@pytest.mark.django_db
def test_campaign_replay_progress_has_the_real_shape(demo):
    from firegrid.campaigns import status

    campaign = replayed()
    targets = status.targets(campaign)
    four = targets.filter(landlord__in=Landlord.objects.four_category())

    def progress(premises, day):
        return Counter(status.with_progress(premises, campaign, day).values_list("progress", flat=True))

    assert progress(targets, date(2019, 11, 30)) == {status.Progress.ACCEPTED: 1095}
    assert progress(four, date(2019, 10, 31)) == {status.Progress.ACCEPTED: 211}
    assert progress(four, date(2019, 10, 20))[status.Progress.ACCEPTED] < 211
    assert progress(targets, date(2019, 11, 29))[status.Progress.ACCEPTED] < 1095
    first = progress(targets, date(2019, 10, 1))
    assert first[status.Progress.ACCEPTED] == 0 and first[status.Progress.NOT_SURVEYED] > 500
    # An S-curve: slow in October, fastest in mid-November.
    accepted = {
        d: progress(targets, d)[status.Progress.ACCEPTED]
        for d in (date(2019, 10, 31), date(2019, 11, 10), date(2019, 11, 20), date(2019, 11, 30))
    }
    assert 211 <= accepted[date(2019, 10, 31)] < 400
    gains = [b - a for a, b in zip(list(accepted.values()), list(accepted.values())[1:], strict=False)]
    assert gains[1] > gains[0] and gains[1] > gains[2] > 0
    assert progress(targets, date(2019, 11, 10))[status.Progress.OVERDUE] >= 1


@pytest.mark.django_db
def test_campaign_replay_history_is_consistent(demo):
    from firegrid.inspections.choices import HazardStatus, InspectionKind
    from firegrid.inspections.models import Hazard
    from firegrid.rectification.choices import VISIT_STEPS, MoveName, PlanState
    from firegrid.rectification.machine import MOVES
    from firegrid.rectification.models import Document, EnforcementAction, Plan, PlanMove

    campaign = replayed()
    plans = Plan.objects.filter(campaign=campaign)
    assert plans.count() == 1095 and set(plans.values_list("state", flat=True)) == {PlanState.ACCEPTED}
    assert plans.values("premises").distinct().count() == 1095  # one plan per premises
    start, end = datetime(2019, 10, 1, tzinfo=SHANGHAI), datetime(2019, 12, 1, tzinfo=SHANGHAI)
    chains: dict[int, list] = {}
    for move in PlanMove.objects.filter(plan__campaign=campaign).order_by("plan", "time", "pk"):
        chains.setdefault(move.plan_id, []).append(move)
    for plan_id, moves in chains.items():
        assert (moves[0].name, moves[0].from_state, moves[0].to_state) == (
            MoveName.CREATE,
            "",
            PlanState.DRAFT,
        )
        for before, move in itertools.pairwise(moves):
            assert move.from_state == before.to_state, (plan_id, move.name)
            rule = MOVES[MoveName(move.name)]
            assert move.from_state in rule.sources and move.to_state == rule.target, (plan_id, move.name)
        assert moves[-1].name == MoveName.ACCEPT and all(start <= m.time < end for m in moves)
    failed = plans.filter(moves__name=MoveName.FAIL_RECHECK).distinct()
    assert 90 <= failed.count() <= 120
    enforced = plans.filter(moves__name=MoveName.ENFORCE).distinct()
    assert 5 <= enforced.count() <= 8
    for plan in enforced:
        names = list(plan.moves.order_by("time", "pk").values_list("name", flat=True))
        assert (
            names.index(MoveName.MARK_OVERDUE)
            < names.index(MoveName.ESCALATE)
            < names.index(MoveName.ENFORCE)
        )
        assert names.index(MoveName.ENFORCE) < names.index(MoveName.RESUME) < names.index(MoveName.ACCEPT)
        sanctions = EnforcementAction.objects.filter(plan=plan).exclude(kind__in=VISIT_STEPS)
        assert sanctions.count() == 1
        sanctions.get().full_clean()
        assert plan.escalated_to.exists()
    # Hazards were closed by the acceptance inspection that accepted their plan.
    hazards = Hazard.objects.filter(plan_items__plan__campaign=campaign)
    assert hazards.count() >= 1095 and set(hazards.values_list("status", flat=True)) == {
        HazardStatus.ACCEPTED
    }
    accepts = {m.plan_id: m for m in PlanMove.objects.filter(plan__campaign=campaign, name=MoveName.ACCEPT)}
    for hazard in hazards.select_related("closed_by").annotate(plan_id=F("plan_items__plan")):
        assert hazard.closed_by.kind == InspectionKind.ACCEPTANCE
        assert hazard.closed_by_id == accepts[hazard.plan_id].inspection_id
        assert hazard.closed_by.premises_id == hazard.premises_id
        assert hazard.found_at <= hazard.closed_at == hazard.closed_by.submitted_at
    assert all(p.closed_at == accepts[p.pk].time for p in plans)
    documents = Document.objects.filter(plan__campaign=campaign)
    assert documents.filter(kind="notice").count() == documents.filter(kind="acceptance").count() == 1095
    assert documents.filter(kind="pledge").count() == 211
    assert documents.filter(serial="衢江消整〔2019〕第0001号").exists()


@pytest.mark.django_db
def test_campaign_replay_outreach_and_daily_reports(demo):
    from django.apps import apps

    campaign = replayed()
    from firegrid.outreach import models as outreach

    if hasattr(outreach, "OutreachRecord"):
        records = outreach.OutreachRecord.objects.filter(campaign=campaign)
        assert records.filter(kind="materials").aggregate(n=Sum("copies"))["n"] == 12000
        assert records.filter(kind="cards").aggregate(n=Sum("copies"))["n"] >= 1000
        assert records.filter(kind="meeting").count() == 2
    if apps.is_installed("firegrid.reports"):
        from firegrid.reports.models import DailySnapshot

        snapshots = DailySnapshot.objects.filter(campaign=campaign)
        assert snapshots.count() == 61
        total = {s.day: s.rows.get(dimension="total") for s in snapshots}
        assert total[date(2019, 10, 1)].accepted == 0
        assert total[date(2019, 11, 30)].accepted == 1095
        days = sorted(total)
        assert all(total[a].accepted <= total[b].accepted for a, b in itertools.pairwise(days))


@pytest.mark.django_db
def test_campaign_replay_scope_grows_as_targets_are_found(demo):
    """Each target joins on the day its survey found its hazards: 2019-10-01's report counts only the
    targets found that day, and the scope grows through October to 1,095."""
    from firegrid.campaigns import status
    from firegrid.inspections.models import Hazard
    from firegrid.reports.models import DailySnapshot

    campaign = replayed()
    targets = list(campaign.targets.all())
    end = status.day_end(campaign.ends_on)
    found = dict(
        Hazard.objects.filter(premises__in=[t.premises_id for t in targets], found_at__lt=end)
        .order_by()
        .values("premises_id")
        .annotate(first=Min("found_at"))
        .values_list("premises_id", "first")
    )
    assert all(found[t.premises_id].astimezone(SHANGHAI).date() == t.joined_on for t in targets)
    assert all(t.added_at.astimezone(SHANGHAI).date() == t.joined_on for t in targets)
    assert not campaign.targets.filter(left_on__isnull=False).exists()
    in_scope = {
        s.day: s.rows.get(dimension="total").in_scope
        for s in DailySnapshot.objects.filter(campaign=campaign).order_by("day")
    }
    first = in_scope[date(2019, 10, 1)]
    assert 0 < first < 300 and first == status.members_on(campaign, date(2019, 10, 1)).count()
    assert all(in_scope[a] <= in_scope[b] for a, b in itertools.pairwise(sorted(in_scope)))
    assert in_scope[date(2019, 10, 31)] == in_scope[date(2019, 11, 30)] == 1095


def replay_visits():
    """The inspections of the 2019 campaign (everything submitted before 1 December 2019)."""
    from firegrid.campaigns import status
    from firegrid.inspections.models import Inspection

    return Inspection.objects.filter(submitted_at__lt=status.day_end(replayed().ends_on))


@pytest.mark.django_db
def test_campaign_replay_surveys_every_door(demo):
    """社不漏户、户不漏房、房不漏间: the survey phase visited every building, premises and room. The coverage
    page's own figures (inspections.coverage), as they stood when the campaign ended — the visits made
    since are set aside in this test's savepoint — and as they stand today, after the years since."""
    from firegrid.demo.campaign.facts import STARTS_ON, SURVEY_ENDS_ON
    from firegrid.inspections.choices import COVERING_OUTCOMES, InspectionKind, InspectionStatus, VisitOutcome
    from firegrid.inspections.coverage import coverage_rows
    from firegrid.inspections.models import Inspection

    commander = User.objects.get(username="commander")
    everything = {"buildings": 1644, "premises": Premises.objects.count(), "rooms": Room.objects.count()}
    assert everything["premises"] == 3356 and everything["rooms"] > 10_000
    today = coverage_rows(commander)[0]
    assert (today.figures["buildings_surveyed"], today.survey_rate) == (1644, 100.0)
    assert today.figures["rooms_inspected"] == everything["rooms"]
    Inspection.objects.exclude(pk__in=replay_visits().values("pk")).update(status=InspectionStatus.DRAFT)
    ended = coverage_rows(commander)[0]
    assert ended.area.code == DISTRICT_CODE
    for name, total in everything.items():
        assert ended.figures[name] == total, name
    assert ended.figures["buildings_surveyed"] == 1644
    assert ended.figures["premises_covered"] == everything["premises"] and ended.survey_rate == 100.0
    assert ended.figures["rooms_inspected"] == everything["rooms"]
    assert ended.figures["premises_never"] == ended.figures["premises_return"] == 0
    # Realistic doors: most inspected at the first knock; locked, not found and renovating doors visited
    # again; premises not rented recorded as such, then opened by their landlords (no room missed).
    outcomes = ended.outcomes
    for outcome in (
        VisitOutcome.LOCKED,
        VisitOutcome.NOT_FOUND,
        VisitOutcome.RENOVATING,
        VisitOutcome.VACANT,
        VisitOutcome.OWNER_OCCUPIED,
    ):
        assert outcomes[outcome] > 0, outcome
    missed = sum(n for o, n in outcomes.items() if o != VisitOutcome.INSPECTED)
    assert 0.05 * everything["premises"] <= missed <= 0.2 * everything["premises"]
    survey = replay_visits().filter(kind=InspectionKind.SURVEY)
    days = {v.astimezone(SHANGHAI).date() for v in survey.values_list("submitted_at", flat=True)}
    assert min(days) == STARTS_ON and max(days) <= SURVEY_ENDS_ON
    for visit in survey.exclude(outcome__in=COVERING_OUTCOMES):
        later = survey.filter(premises=visit.premises_id, submitted_at__gt=visit.submitted_at)
        assert visit.return_visit_due is not None and later.exists(), visit
    # One inspected survey visit per premises, listing every room of its premises and no other.
    inspected = survey.filter(outcome=VisitOutcome.INSPECTED)
    assert inspected.count() == inspected.values("premises").distinct().count() == everything["premises"]
    listed = Inspection.rooms_inspected.through.objects.filter(inspection__in=inspected)
    assert listed.count() == everything["rooms"]
    assert not listed.exclude(room__premises=F("inspection__premises")).exists()


@pytest.mark.django_db
def test_campaign_replay_targets_are_what_the_survey_found(demo):
    """The 1,095 targets are exactly the premises whose survey visit found hazards, each a member from that
    day; every other visit of the survey found nothing. Every inspected visit answered every item that
    applies to its premises."""
    from firegrid.inspections.choices import AnswerResult, InspectionKind, VisitOutcome
    from firegrid.inspections.models import Answer, Hazard
    from firegrid.inspections.services import default_template

    campaign = replayed()
    survey = replay_visits().filter(kind=InspectionKind.SURVEY)
    found = Hazard.objects.filter(inspection__in=survey)
    targets = dict(campaign.targets.values_list("premises_id", "joined_on"))
    assert set(found.values_list("premises_id", flat=True)) == set(targets)
    for premises_id, submitted_at in found.values_list("premises_id", "inspection__submitted_at").distinct():
        assert targets[premises_id] == submitted_at.astimezone(SHANGHAI).date()
    failed = Answer.objects.filter(inspection__in=survey, result=AnswerResult.FAIL)
    assert set(failed.values_list("inspection__premises", flat=True)) == set(targets)
    assert not failed.filter(hazard=None).exists()
    inspected = replay_visits().filter(outcome=VisitOutcome.INSPECTED)
    answered = set(
        inspected.annotate(n=Count("answers")).values_list(
            "premises__kind", "premises__is_shared_rental", "n"
        )
    )
    items = list(default_template().items.all())
    for kind, shared, n in answered:
        probe = Premises(kind=kind, is_shared_rental=shared)
        assert n == sum(1 for item in items if item.applies_to_premises(probe)), (kind, shared)
    assert not replay_visits().exclude(outcome=VisitOutcome.INSPECTED).filter(answers__isnull=False).exists()


@pytest.mark.django_db
def test_campaign_replay_survey_curve_rises_day_by_day(demo):
    """The daily reports' surveyed figure (in scope: a target joins when its survey finds it) rises every
    day of the survey round, reaches 1,095 by the survey phase's end and stays there."""
    from firegrid.demo.campaign.facts import STARTS_ON, SURVEY_ENDS_ON, SURVEY_FIRST_ROUND_DAYS
    from firegrid.reports.models import DailySnapshot

    rows = {
        s.day: s.rows.get(dimension="total")
        for s in DailySnapshot.objects.filter(campaign=replayed()).order_by("day")
    }
    surveyed = {day: row.surveyed for day, row in rows.items()}
    assert all(row.surveyed == row.in_scope for row in rows.values())
    first_round = [STARTS_ON + timedelta(days=n) for n in range(SURVEY_FIRST_ROUND_DAYS)]
    assert 0 < surveyed[STARTS_ON] < 300
    assert all(surveyed[a] < surveyed[b] for a, b in itertools.pairwise(first_round))
    assert all(surveyed[a] <= surveyed[b] for a, b in itertools.pairwise(sorted(surveyed)))
    assert surveyed[SURVEY_ENDS_ON] == surveyed[max(surveyed)] == 1095


@pytest.mark.django_db
def test_nothing_after_its_end_belongs_to_the_2019_campaign(demo):
    """The district lives on to today (plans, patrols, hazards at 2019 targets), but the 2019 campaign's
    figures and dashboard hold only what happened between 2019-10-01 and 2019-11-30."""
    from firegrid.campaigns import status
    from firegrid.dashboards import figures
    from firegrid.rectification.models import Plan, PlanMove
    from firegrid.reports.models import DailySnapshot

    campaign = replayed()
    end = status.day_end(campaign.ends_on)
    commander = User.objects.get(username="commander")
    assert not Plan.objects.filter(campaign=campaign, created_at__gte=end).exists()
    assert not PlanMove.objects.filter(plan__campaign=campaign, time__gte=end).exists()
    assert not campaign.targets.filter(Q(joined_on__gt=campaign.ends_on) | Q(added_at__gte=end)).exists()
    assert not campaign.claims.filter(Q(claimed_at__gte=end) | Q(ended_at__gte=end)).exists()
    assert not DailySnapshot.objects.filter(campaign=campaign, day__gt=campaign.ends_on).exists()
    hazards = figures.campaign_hazards(campaign, commander)
    assert hazards.exists() and not hazards.filter(found_at__gte=end).exists()
    # The dashboard: 100 % and nothing left open beside it.
    headline, _links = figures.summary(
        figures.newest_snapshot(campaign), figures.scope_rows(figures.newest_snapshot(campaign), commander)
    )
    assert (headline["completion"], headline["open"]) == (100.0, 0)
    buckets = [row["counts"] for row in figures.hazards_by_category(campaign, commander)]
    assert sum(c["to_fix"] + c["to_recheck"] for c in buckets) == 0
    assert all(row["value"] == 0 for row in figures.overdue_ageing(campaign, commander))


@pytest.mark.django_db
def test_campaign_replay_past_figures_survive_the_commands_changes(demo):
    """Issue 12's scenario on the demo: the commander adds one target to the ended campaign and removes a
    four-category one; the stored 2019-10-31 figures (211 four-category accepted, 1,095 in scope) and their
    lists still agree, and the change is a correction of 2019-11-30."""
    from firegrid.campaigns import services as campaigns
    from firegrid.reports import services as reports
    from firegrid.reports.models import DailySnapshot

    campaign = replayed()
    commander = User.objects.get(username="commander")
    milestone = reports.newest(campaign, date(2019, 10, 31))
    four = milestone.rows.get(dimension="four_category", key="all")
    total = milestone.rows.get(dimension="total")
    assert (four.accepted, total.in_scope) == (211, 1095)
    outside = Premises.objects.exclude(pk__in=campaign.targets.values("premises_id")).order_by("pk").first()
    campaigns.add_target(campaign, outside, actor=commander, reason="漏报补录")
    removed = campaign.targets.filter(premises__landlord__in=Landlord.objects.four_category()).first()
    campaigns.remove_target(removed, actor=commander, reason="登记有误")
    milestone = DailySnapshot.objects.get(pk=milestone.pk)
    for row, figure, value in ((four, "accepted", 211), (total, "in_scope", 1095)):
        assert getattr(milestone.rows.get(pk=row.pk), figure) == value
        assert reports.snapshot_premises(milestone, row.dimension, row.key, figure).count() == value
    last = reports.newest(campaign, campaign.ends_on)
    assert last.version == 3 and "登记有误" in last.reason
    assert last.rows.get(dimension="four_category", key="all").accepted == 210


@pytest.mark.django_db
def test_campaign_replay_a_second_run_changes_nothing(demo):
    from firegrid.campaigns.models import Campaign, Claim
    from firegrid.demo.campaign import load_campaign_replay
    from firegrid.inspections.models import Inspection
    from firegrid.rectification.models import Document, Plan, PlanMove

    models = (Campaign, Claim, Plan, PlanMove, Document, Inspection, AuditEntry)
    before = [m.objects.count() for m in models]
    assert load_campaign_replay(2019) is None
    assert [m.objects.count() for m in models] == before
    out = io.StringIO()
    call_command("demo", stdout=out, stderr=io.StringIO())
    assert "campaign targets (铁拳行动)" in out.getvalue() and "1,095" in out.getvalue()


# --- scale (last: it replaces the scale-1 load) ----------------------------------------------------------


@pytest.mark.django_db
def test_the_bulk_load_fills_the_natural_sort_keys(demo):
    """Natural order (1号, 2号, 10号): every building, premises and room the demo writes in bulk carries
    its sort key, and a street's buildings list by house number."""
    from firegrid.registry.sort_keys import building_sort_key, premises_sort_key, room_sort_key

    for model in (Building, Premises, Room):
        assert not model.objects.filter(sort_key="").exists(), model
    for premises in Premises.objects.select_related("building").order_by("pk")[:300]:
        assert premises.building.sort_key == building_sort_key(premises.building.address)
        assert premises.sort_key == premises_sort_key(premises.building.address, premises.unit_label)
    for room in Room.objects.order_by("pk")[:300]:
        assert room.sort_key == room_sort_key(room.number)
    streets: dict[str, list[int]] = {}
    for address in Building.objects.values_list("address", flat=True):  # the model's order: the key
        numbered = re.fullmatch(r"(.*?)(\d+)号", address)
        if numbered:
            streets.setdefault(numbered[1], []).append(int(numbered[2]))
    assert max(len(numbers) for numbers in streets.values()) > 10  # past 9号: where raw order goes wrong
    for numbers in streets.values():
        assert numbers == sorted(numbers)


@pytest.mark.django_db
@pytest.mark.parametrize("demo", [2], indirect=True)
def test_scale_two_doubles_the_registry(demo):
    assert Building.objects.count() == 2 * BUILDINGS
    assert Premises.objects.filter(kind=PremisesKind.SHOP).count() == 2 * SHOPS
    assert Premises.objects.filter(kind=PremisesKind.MIXED_USE).count() == 2 * MIXED_USE
    assert Premises.objects.filter(kind=PremisesKind.RESIDENTIAL).count() == 2 * RESIDENTIAL
    assert Landlord.objects.four_category().count() == 2 * FOUR_CATEGORY
    one = generated_rows(2019)
    for name, model in (("room", Room), ("landlord", Landlord), ("tenant", TenantHousehold)):
        assert 1.9 <= model.objects.count() / len(one[name]) <= 2.1, name
    assert current_tenants().count() >= 2 * 3200
    # The area tree, departments, units and users stay the same size.
    assert Area.objects.filter(level=AreaLevel.GRID).count() == len(
        [g for s in district_plan(2019) for g in s.grids]
    )
    assert Unit.objects.count() == len(data.UNITS)
    assert User.objects.count() == len(Role)
