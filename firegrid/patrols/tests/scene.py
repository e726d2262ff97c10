"""Builders for the patrol tests: teams, patrols, scans, findings and flags written as scenes (rows, no
services, no audit), and real photos made by Pillow."""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from firegrid import testing as t
from firegrid.patrols.choices import FindingKind, FlagKind, PatrolKind, PatrolStatus, TeamKind
from firegrid.patrols.models import (
    FabricationFlag,
    Patrol,
    PatrolFinding,
    PatrolScan,
    PatrolStop,
    PatrolTeam,
)


def make_team(area, members, *, kind=TeamKind.GRID_WORKERS, name=None, leader=None) -> PatrolTeam:
    team = PatrolTeam.objects.create(
        name=name or f"巡查队{uuid.uuid4().hex[:6]}", kind=kind, area=area, leader=leader
    )
    team.members.set(members)
    return team


def make_patrol(
    team,
    buildings,
    *,
    status=PatrolStatus.IN_PROGRESS,
    created_by=None,
    kind=PatrolKind.DAY,
    start=None,
    hours=4,
) -> Patrol:
    """A patrol whose window began an hour ago (or at `start`) and lasts `hours`."""
    start = start or timezone.now() - dt.timedelta(hours=1)
    patrol = Patrol.objects.create(
        team=team,
        area=team.area,
        kind=kind,
        window_start=start,
        window_end=start + dt.timedelta(hours=hours),
        status=status,
        started_at=start if status != PatrolStatus.PLANNED else None,
        created_by=created_by or team.members.first(),
    )
    PatrolStop.objects.bulk_create(
        PatrolStop(patrol=patrol, building=b, position=i) for i, b in enumerate(buildings, start=1)
    )
    return patrol


def make_scan(patrol, building, user, *, at=None, lat=None, lng=None, on_route=True) -> PatrolScan:
    return PatrolScan.objects.create(
        patrol=patrol,
        building=building,
        scanned_by=user,
        scanned_at=at or timezone.now(),
        latitude=Decimal(lat) if lat else None,
        longitude=Decimal(lng) if lng else None,
        on_route=on_route,
    )


def make_finding(
    patrol, building, user, *, premises=None, kind=FindingKind.NOTE, note="楼道堆放杂物"
) -> PatrolFinding:
    return PatrolFinding.objects.create(
        patrol=patrol,
        building=building,
        premises=premises,
        kind=kind,
        note=note,
        reported_by=user,
        reported_at=timezone.now(),
    )


def make_flag(grid, user, *, kind=FlagKind.OFF_ROUTE, scan=None) -> FabricationFlag:
    return FabricationFlag.objects.create(
        kind=kind,
        user=user,
        grid=grid,
        key=f"test:{uuid.uuid4()}",
        raised_at=timezone.now(),
        scan=scan,
    )


def picture(seed: int = 0, size: tuple[int, int] = (800, 600)) -> Image.Image:
    """A picture with structure (blocks of light and dark) that differs from seed to seed, as two photos
    of different doors do; the same seed draws the same picture."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 8, width // 2), rng.randrange(height // 8, height // 2)
        shade = rng.randrange(256)
        draw.rectangle([x, y, x + w, y + h], fill=(shade, rng.randrange(256), 255 - shade))
    return image


def jpeg(image: Image.Image, *, quality: int = 90, size: tuple[int, int] | None = None) -> bytes:
    if size is not None:
        image = image.resize(size, Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture
def patrol_scene(district, personas):
    """Grid A: a grid workers' team (the grid worker) with a patrol under way over building A and a
    second building A1; a landlord volunteer team (the landlord) with its own patrol under way. Grid B:
    the outsider's team and patrol."""
    d = district
    building_a1 = t.make_building(d.grid_a, "樟潭街道樟树潭村14号")
    workers = make_team(
        d.grid_a, [personas.grid_worker], name="樟树潭一网格巡查组", leader=personas.grid_worker
    )
    volunteers = make_team(d.grid_a, [personas.landlord], kind=TeamKind.LANDLORDS, name="樟树潭房东巡查队")
    team_b = make_team(d.grid_b, [personas.outsider], name="浮石巡查组")
    patrol = make_patrol(workers, [d.building_a, building_a1], created_by=personas.grid_worker)
    volunteer_patrol = make_patrol(volunteers, [d.building_a], created_by=personas.community_officer)
    patrol_b = make_patrol(team_b, [d.building_b], created_by=personas.outsider)
    return SimpleNamespace(
        d=d,
        building_a1=building_a1,
        workers=workers,
        volunteers=volunteers,
        team_b=team_b,
        patrol=patrol,
        volunteer_patrol=volunteer_patrol,
        patrol_b=patrol_b,
    )
