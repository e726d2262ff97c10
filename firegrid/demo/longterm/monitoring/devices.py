"""The sensors: where they are fitted (weights by premises), their serials, rooms and the grid workers who
handle a grid's cases; the messages they send (events)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from firegrid.areas.choices import AreaLevel, Role
from firegrid.areas.models import Area, User
from firegrid.inspections.models import Hazard
from firegrid.monitoring.choices import DeviceKind
from firegrid.monitoring.models import Device
from firegrid.registry.choices import PremisesKind, PremisesStatus, RoomUse
from firegrid.registry.models import Premises, Room

from ...data import DISTRICT_CODE
from ..context import Context, days
from ..rows import next_pk
from .data import (
    DEVICE_MODELS,
    FOOD_WORDS,
    INSTALLER_WEIGHTS,
    INSTALLERS,
    SERIAL_PREFIX,
    SHARES,
    Event,
    Sensor,
)

# --- devices -------------------------------------------------------------------------------------------------

# A premises in use: kind, grid id, shared rental, business name, sleeping rooms, has a kitchen.
Place = tuple[str, int, bool, str, int, bool]


def _places() -> dict[int, Place]:
    """Every premises in use (devices are in premises people live or work in), read in two queries."""
    sleeping: dict[int, int] = {}
    kitchens: set[int] = set()
    for premises_id, use in Room.objects.filter(premises__status=PremisesStatus.ACTIVE).values_list(
        "premises_id", "use"
    ):
        if use == RoomUse.SLEEPING:
            sleeping[premises_id] = sleeping.get(premises_id, 0) + 1
        elif use == RoomUse.KITCHEN:
            kitchens.add(premises_id)
    rows = (
        Premises.objects.filter(status=PremisesStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", "kind", "building__grid_id", "is_shared_rental", "business_name")
    )
    return {
        pk: (kind, grid_id, shared, name, sleeping.get(pk, 0), pk in kitchens)
        for pk, kind, grid_id, shared, name in rows
    }


def _weights(places: dict[int, Place], ebike_failed: set[int]) -> dict[str, dict[int, float]]:
    """How likely each premises is to have a sensor of each kind."""
    weights: dict[str, dict[int, float]] = {kind: {} for kind in SHARES}
    for pk, (kind, _grid, shared, name, sleeping, kitchen) in places.items():
        shop = kind in (PremisesKind.SHOP, PremisesKind.MIXED_USE)
        food = shop and any(word in name for word in FOOD_WORDS)
        smoke = 3.0 if shared else 2.5 if kind == PremisesKind.MIXED_USE else 1.0 if sleeping else 0.5
        weights[DeviceKind.SMOKE][pk] = smoke
        ebike = 8.0 if pk in ebike_failed else 1.0 if sleeping else 0.2
        weights[DeviceKind.EBIKE_CHARGING][pk] = ebike * (1.5 if shared else 1.0)
        if shop:
            weights[DeviceKind.ELECTRICAL_FIRE][pk] = 2.0 if kind == PremisesKind.MIXED_USE else 1.0
        if food or kitchen or shop:
            weights[DeviceKind.GAS][pk] = 10.0 if food else 2.0 if kitchen else 0.3
    return weights


def _sample(rng: random.Random, weights: dict[int, float], k: int) -> list[int]:
    """`k` premises drawn without replacement, each as likely as its weight (Efraimidis–Spirakis)."""
    keyed = sorted(((rng.random() ** (1 / w), pk) for pk, w in weights.items() if w > 0), reverse=True)
    return sorted(pk for _key, pk in keyed[:k])


def _install(ctx: Context, rng: random.Random, places: dict[int, Place]) -> list[Sensor]:
    ebike_failed = set(
        Hazard.objects.filter(item__code__startswith="EBIKE", premises__isnull=False)
        .order_by()
        .values_list("premises_id", flat=True)
        .distinct()
    )
    weights = _weights(places, ebike_failed)
    total = Premises.objects.count()
    chosen = {kind: _sample(rng, weights[kind], round(share * total)) for kind, share in SHARES.items()}
    rooms = _rooms(chosen[DeviceKind.SMOKE] + chosen[DeviceKind.GAS])
    last = ctx.today.replace(day=1) - days(1)  # the end of last month
    first = min(dt.date(2020, 1, 1), last - days(30))
    span = (last - first).days
    sensors = []
    for kind, premises_ids in chosen.items():
        for pk in premises_ids:
            on = first + days(int(span * rng.random() ** 0.8))  # more installed lately
            room = None
            if kind == DeviceKind.SMOKE and rooms[pk][RoomUse.SLEEPING] and rng.random() < 0.6:
                room = rng.choice(rooms[pk][RoomUse.SLEEPING])
            elif kind == DeviceKind.GAS and rooms[pk][RoomUse.KITCHEN]:
                room = rooms[pk][RoomUse.KITCHEN][0]
            sensors.append(
                Sensor(
                    kind=kind,
                    premises_id=pk,
                    grid_id=places[pk][1],
                    room_id=room,
                    installed_at=ctx.work_time(rng, on),
                    model=rng.choice(DEVICE_MODELS[kind]),
                    installer=rng.choices(INSTALLERS, INSTALLER_WEIGHTS)[0],
                )
            )
    return sensors


def _rooms(premises_ids: list[int]) -> dict[int, dict[str, list[int]]]:
    rooms: dict[int, dict[str, list[int]]] = {
        pk: {RoomUse.SLEEPING: [], RoomUse.KITCHEN: []} for pk in premises_ids
    }
    rows = Room.objects.filter(premises_id__in=premises_ids, use__in=[RoomUse.SLEEPING, RoomUse.KITCHEN])
    for pk, premises_id, use in rows.order_by("pk").values_list("pk", "premises_id", "use"):
        rooms[premises_id][use].append(pk)
    return rooms


def _number(rng: random.Random, sensors: list[Sensor]) -> dict[str, int]:
    """Ids in installation order; serials numbered per kind in that order (with the gaps of devices
    returned or never fitted). Returns the last number of each kind."""
    sensors.sort(key=lambda s: (s.installed_at, s.premises_id, s.kind))
    first = next_pk(Device)
    numbers = {kind: rng.randint(100, 900) for kind in SERIAL_PREFIX}
    for n, sensor in enumerate(sensors):
        sensor.pk = first + n
        numbers[sensor.kind] += rng.choice((1, 1, 1, 2, 3))
        sensor.serial = f"{SERIAL_PREFIX[sensor.kind]}-{DISTRICT_CODE}-{numbers[sensor.kind]:06d}"
    return numbers


# --- who handles a grid's cases ------------------------------------------------------------------------------


def _grid_workers(ctx: Context, grid_ids: set[int]) -> dict[int, int]:
    """Grid id → the user who handles its cases: its grid worker (wanggy in his grid, the patrols phase's
    `gw-<code>` accounts in the others), else its community or subdistrict officer, else the commander."""
    workers: dict[int, int] = {}
    rows = (
        User.objects.filter(role=Role.GRID_WORKER, is_active=True, areas__level=AreaLevel.GRID)
        .order_by("pk")
        .values_list("areas__pk", "pk")
    )
    for grid_id, user_id in rows:
        workers.setdefault(grid_id, user_id)
    wanggy = ctx.users.get("wanggy")
    if wanggy is not None:
        for grid in wanggy.areas.all():
            workers[grid.pk] = wanggy.pk
    missing = grid_ids - set(workers)
    if missing:
        officers = [ctx.users[name] for name in ("shequ", "zhangtan") if name in ctx.users]
        fallback = ctx.users.get("commander") or ctx.users["fire"]
        scoped = [(area.path, user) for user in officers for area in user.areas.all()]
        paths = dict(Area.objects.filter(pk__in=missing).values_list("pk", "path"))
        for grid_id in missing:
            user = next((u for path, u in scoped if paths[grid_id].startswith(path)), fallback)
            workers[grid_id] = user.pk
    return workers


# --- events ---------------------------------------------------------------------------------------------------


def _seq(sensor: Sensor, ts: dt.datetime) -> int:
    """The device's message counter at `ts` (about one a minute since it was installed), never repeated."""
    seq = max(0, int((ts - sensor.installed_at).total_seconds() // 60))
    while seq in sensor.seqs:
        seq += 1
    sensor.seqs.add(seq)
    return seq


def _message(
    events: list[Event],
    rng: random.Random,
    sensor: Sensor,
    kind: str,
    ts: dt.datetime,
    payload: dict[str, Any] | None = None,
    received: dt.datetime | None = None,
) -> None:
    """A message the ingester accepted: received a moment after the device sent it."""
    received = received or ts + dt.timedelta(milliseconds=rng.randint(150, 1800))
    payload = payload or {}
    events.append((sensor, kind, ts, received, _seq(sensor, ts), payload))
    if "values" in payload and (sensor.reading_at is None or ts >= sensor.reading_at):
        sensor.reading, sensor.reading_at = {**payload["values"], "ts": ts.isoformat()}, ts


def _alarm_values(rng: random.Random, kind: str) -> dict[str, Any]:
    if kind == DeviceKind.SMOKE:
        return {"smoke_db_m": round(rng.uniform(0.15, 0.6), 2)}
    if kind == DeviceKind.EBIKE_CHARGING:
        current = round(rng.uniform(2.5, 8.5), 1)
        return {"current_a": current, "power_w": round(current * 220)}
    if kind == DeviceKind.ELECTRICAL_FIRE:
        return {"residual_ma": round(rng.uniform(300, 800), 1), "temp_c": round(rng.uniform(60, 95), 1)}
    return {"lel_pct": rng.randint(10, 40)}


def _reading(rng: random.Random, kind: str) -> dict[str, Any]:
    """What a mains-powered or gas sensor reads on an ordinary day."""
    if kind == DeviceKind.EBIKE_CHARGING:
        return {"current_a": 0.0, "power_w": 0}
    if kind == DeviceKind.ELECTRICAL_FIRE:
        return {"residual_ma": round(rng.uniform(5, 40), 1), "temp_c": round(rng.uniform(18, 45), 1)}
    return {"lel_pct": 0}
