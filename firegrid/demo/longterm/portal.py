"""The landlord portal in the long-term phase: accounts and monthly self-inspections (房东自查).

**Accounts** (role landlord, no usable password: they sign in with SMS codes) for `PORTAL_SHARE` of the
landlords with a mobile of their own — every landlord of the demo grid worker's grid among them, the first
to sign in — opened from the portal's launch (March 2020) until self-inspection began (the demo `landlord`
user is one of them). From then on they sign plans and report tenant moves there.

**Self-inspections** for the last `SELF_INSPECTION_MONTHS` months: each premises in use of a landlord with
an account, most months (`SUBMIT_SHARE`), early in the month more often than late; answers mostly 符合, an
item honestly 不符合 when a hazard on it is open (most landlords say so). The current period is under way:
those who submitted before today have, the demo `landlord` has not (the portal's home asks for it). The
month's verification draw and the visits that verify are the simulation's (simulation.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.longterm.choices import SelfCheckResult, SelfInspectionStatus
from firegrid.longterm.models import SelfInspection, SelfInspectionAnswer
from firegrid.longterm.selfcheck import add_months, next_period, period_of
from firegrid.registry.models import Landlord

from .context import BATCH_SIZE, START, Context, days
from .records import Place, SelfCheck
from .rows import insert_objects, insert_rows, update_rows

if TYPE_CHECKING:
    from .world import World

PORTAL_SHARE = 0.4
PORTAL_LAUNCHED = dt.date(2020, 3, 1)  # the landlord portal opened (notices, tenant reports)
SELF_INSPECTION_MONTHS = 12
SUBMIT_SHARE = 0.92
HONEST_SHARE = 0.7  # of landlords with an open hazard on a self-check item, those who say so


def open_accounts(ctx: Context, world: World) -> int:
    """Portal accounts, opened before the first self-inspection period. Returns how many were made."""
    rng = ctx.rng("portal")
    first = first_period(ctx)
    shared = set(
        Landlord.objects.order_by()
        .values("mobile")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("mobile", flat=True)
    )
    in_grid = {p.landlord_id for p in world.places if p.wanggy}
    demo = ctx.users.get("landlord")
    made: list[User] = []
    launched = min(PORTAL_LAUNCHED, first)
    for pk, name, mobile in Landlord.objects.order_by("pk").values_list("pk", "name", "mobile"):
        chosen = (
            rng.random() < PORTAL_SHARE
        )  # drawn for every landlord: the stream does not depend on the rest
        # The demo grid's landlords were the first to sign in; the others over the years since.
        spread = 240 if pk in in_grid else max(1, (first - launched).days)
        opened = min(launched + days(int(spread * rng.random())), first - days(1))
        since = ctx.at(opened, rng.randint(8, 21), rng.randrange(60))
        if demo is not None and demo.landlord_id == pk:
            world.accounts[pk] = demo
            User.objects.filter(pk=demo.pk).update(date_joined=since)
            demo.date_joined = since
            continue
        if not mobile or mobile in shared or not (chosen or pk in in_grid):
            continue
        user = User(
            username=f"landlord-{pk}",
            role=Role.LANDLORD,
            full_name=name[:32],
            mobile=mobile,
            landlord_id=pk,
            password=f"!{rng.getrandbits(160):040x}",  # unusable: SMS codes only
            date_joined=since,
        )
        made.append(user)
        world.accounts[pk] = user
    User.objects.bulk_create(made, batch_size=BATCH_SIZE)
    for place in world.places:
        place.portal = world.accounts.get(place.landlord_id or 0)
    return len(made)


def first_period(ctx: Context) -> dt.date:
    """The first period with self-inspections: a year back (never before the long-term phase began)."""
    return max(period_of(add_months(ctx.today, -SELF_INSPECTION_MONTHS)), period_of(START))


def submissions(ctx: Context, world: World) -> list[tuple[dt.datetime, Place, dt.date]]:
    """(when, place, period) of every self-inspection from the first period to today."""
    rng = ctx.rng("self-inspections")
    demo = ctx.users.get("landlord")
    current = period_of(ctx.today)
    result = []
    period = first_period(ctx)
    while period <= current:
        span = (next_period(period) - period).days
        for place in world.places:
            if place.portal is None or not place.active or not place.self_codes:
                continue
            submits = rng.random() < SUBMIT_SHARE
            offset = int(span * rng.random() ** 4)  # most in the first week (the reminder)
            when = ctx.at(period + days(offset), rng.randint(7, 21), rng.randrange(60))
            if demo is not None and place.portal.pk == demo.pk:
                submits = period < current  # the demo landlord has this month's still to do
            if submits and when < ctx.end:
                result.append((when, place, period))
        period = next_period(period)
    result.sort(key=lambda r: (r[0], r[1].pk))
    return result


def answers(ctx: Context, place: Place) -> dict[str, str]:
    """The landlord's answers: 符合, but an item with an open hazard on it (most say so), or now and then
    one they found wrong themselves."""
    rng = ctx.rng("self-inspection-answers")
    open_codes = {h.item.code for h in place.open}
    result: dict[str, str] = {}
    for code in place.self_codes:
        fail = code in open_codes and rng.random() < HONEST_SHARE
        result[code] = SelfCheckResult.FAIL if fail else SelfCheckResult.PASS
    if rng.random() < 0.02:
        result[rng.choice(place.self_codes)] = SelfCheckResult.FAIL
    return result


def write_self_checks(world: World, checks: list[SelfCheck]) -> None:
    """SelfInspection rows (those not written yet), in the order they were submitted."""
    rows = []
    for check in checks:
        if check.row is not None:
            continue
        assert check.place.landlord_id is not None  # only landlords with an account self-inspect
        check.row = SelfInspection(
            premises_id=check.place.pk,
            landlord_id=check.place.landlord_id,
            template=world.template,
            period=check.period,
            submitted_at=check.time,
            submitted_by=check.user,
            client_uuid=check.client_uuid,
            created_at=check.time,
            updated_at=check.time,
        )
        rows.append(check.row)
    insert_objects(SelfInspection, rows)


def finish_self_checks(world: World) -> int:
    """Every self-inspection written, with its answers and its status after verification."""
    write_self_checks(world, world.self_checks)
    insert_rows(
        SelfInspectionAnswer,
        ["self_inspection", "item_code", "result"],
        (
            (check.row.pk, code, result)
            for check in world.self_checks
            if check.row is not None
            for code, result in check.answers.items()
        ),
    )
    verified = []
    for check in world.self_checks:
        if check.verified is not None and check.row is not None:
            status = (
                SelfInspectionStatus.CONTRADICTED if check.contradicted else SelfInspectionStatus.VERIFIED
            )
            verified.append((check.row.pk, status, 2, check.verified.time))
    update_rows(SelfInspection, ["status", "version", "updated_at"], verified)
    return len(world.self_checks)


def misses_and_photos(ctx: Context, world: World) -> int:
    """Where the self-inspections owed and not made (SelfInspectionMiss, 逾期未自查) and the photos of the
    items that ask for one (SelfInspectionPhoto) will be written: those models are being added to
    firegrid.longterm now; the periods a landlord skipped are the places with an account and no
    `world.self_checks` row for a period before the current one. Nothing yet."""
    return 0
