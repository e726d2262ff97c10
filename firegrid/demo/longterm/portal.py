"""The landlord portal in the long-term phase: accounts and monthly self-inspections (房东自查).

**Accounts** (role landlord, no usable password: they sign in with SMS codes) for `PORTAL_SHARE` of the
landlords with a mobile of their own — every landlord of the demo grid worker's grid among them, the first
to sign in — opened from the portal's launch (March 2020) until self-inspection began (the demo `landlord`
user is one of them). From then on they sign plans and report tenant moves there.

**Self-inspections** for the last `SELF_INSPECTION_MONTHS` months: each premises in use of a landlord with
an account, most months (`SUBMIT_SHARE`), early in the month more often than late; answers mostly 符合, an
item honestly 不符合 when a hazard on it is open (most landlords say so). The current period is under way:
those who submitted before today have, the demo `landlord` has not (the portal's home asks for it) — nor
last month's (one 未按时自查 in their points). The month's verification draw and the visits that verify are the
simulation's (simulation.py).

**Misses, reminders and photos** (`misses_and_photos`): a `SelfInspectionMiss` for each premises that owed an
ended period's self-inspection and made none (`missed`: the monthly job's definition, at its hour), the
reminders sent in each period's last days (inbox entries; a miss keeps when it was reminded), and one photo per
photo item answered 符合, all pointing at one stored sample picture.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core.models import Notification
from firegrid.core.tables import enumerate_items
from firegrid.longterm.builders import photo_rows, sample_photo_files
from firegrid.longterm.choices import SelfCheckResult, SelfInspectionStatus
from firegrid.longterm.models import (
    SelfInspection,
    SelfInspectionAnswer,
    SelfInspectionMiss,
    SelfInspectionPhoto,
)
from firegrid.longterm.selfcheck import (
    PHOTO_CODES,
    add_months,
    next_period,
    period_end,
    period_of,
    previous_period,
)
from firegrid.longterm.services.misses import (
    REMINDER_KIND,
    REMINDER_LISTED,
    portal_url,
    remind_days,
    reminder_key,
)
from firegrid.registry.models import Landlord, Premises

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
    # The demo landlord let last month pass (one 未按时自查 in their points ledger) and has this month's to do.
    skipped = previous_period(ctx.today)
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
                submits = period < current and period != skipped
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


def missed(ctx: Context, world: World) -> list[tuple[Place, dt.date, dt.datetime]]:
    """(place, period, when recorded) of every self-inspection owed and not made, as the monthly job
    (`longterm.record_missed_self_inspections`, 00:15 on the first day of the next period) records them:
    a premises in use whose landlord has a portal account, without a submission for an ended period (from
    the first period with self-inspections on). One definition for the misses and the points overlay."""
    submitted = {(place.pk, period) for _when, place, period in world.submissions}
    current = period_of(ctx.today)
    result = []
    period = first_period(ctx)
    while period < current:
        recorded = ctx.at(next_period(period), 0, 15)
        for place in world.places:
            account = world.accounts.get(place.landlord_id or 0)
            owed = place.active and account is not None and account.date_joined <= recorded
            if owed and (place.pk, period) not in submitted:
                result.append((place, period, recorded))
        period = next_period(period)
    return result


def misses_and_photos(ctx: Context, world: World) -> int:
    """The self-inspections owed and not made (SelfInspectionMiss, 逾期未自查, with the reminder that came
    before), the reminders themselves (the inbox entries the 09:30 job sent in each period's last days), and
    the photos of the items that ask for one (SelfInspectionPhoto: every item of `PHOTO_CODES` answered
    符合), all pointing at one sample picture stored once (`builders.sample_photo_files`): no image work
    per row. Returns the rows written."""
    reminded = write_reminders(ctx, world)
    misses = [
        (place.pk, place.landlord_id, period, reminded.get((place.landlord_id, period)), 1, when, when)
        for place, period, when in missed(ctx, world)
    ]
    fields = ["premises", "landlord", "period", "reminded_at", "version", "created_at", "updated_at"]
    written = insert_rows(SelfInspectionMiss, fields, misses)
    return written + len(reminded) + write_photos(world)


def write_photos(world: World) -> int:
    """Each self-inspection's photos as `builders.photo_rows` makes them — one per photo item answered 符合,
    all pointing at the sample picture — as plain rows: the unsaved instances of a first one give the
    columns, the rest differ only in who, when and which item (building fifty thousand instances would
    cost more than writing them)."""
    checks = [c for c in world.self_checks if c.row is not None]
    if not checks:
        return 0
    files = sample_photo_files()
    first = checks[0].row
    assert first is not None
    template = photo_rows(first, dict.fromkeys(PHOTO_CODES, SelfCheckResult.PASS), files)[0]
    columns = ["image", "thumbnail", "original_format", "sha256"]
    shared = (template.image.name, template.thumbnail.name, template.original_format, template.sha256)
    names = [
        "premises",
        "self_inspection",
        "client_uuid",
        "item_code",
        "uploaded_by",
        "uploaded_at",
        *columns,
    ]
    rows = (
        (row.premises_id, row.pk, row.client_uuid, code, row.submitted_by_id, row.submitted_at, *shared)
        for check in checks
        if (row := check.row) is not None
        for code, result in check.answers.items()
        if code in PHOTO_CODES and result == SelfCheckResult.PASS  # as photo_rows chooses them
    )
    return insert_rows(SelfInspectionPhoto, names, rows)


def write_reminders(ctx: Context, world: World) -> dict[tuple[int | None, dt.date], dt.datetime]:
    """The reminders (房东自查提醒) the daily job sent from `FIREGRID_SELF_INSPECTION_REMIND_DAYS` before
    each period's end, up to yesterday: one per landlord still owing that morning (09:30), listing their
    premises then owing — written as `longterm.services.remind_self_inspections` writes them (inbox entry;
    the SMS went out then). Returns (landlord id, period) → when it was sent."""
    submitted = {(place.pk, period): when for when, place, period in world.submissions}
    labels = {
        pk: (address, unit)
        for pk, address, unit in Premises.objects.order_by().values_list(
            "pk", "building__address", "unit_label"
        )
    }
    owing: dict[int, list[Place]] = {}
    for place in world.places:
        account = world.accounts.get(place.landlord_id or 0)
        if place.active and account is not None:
            owing.setdefault(account.pk, []).append(place)
    link = reverse("portal:self_inspection")
    sent: dict[tuple[int | None, dt.date], dt.datetime] = {}
    rows = []
    period = first_period(ctx)
    while period <= period_of(ctx.today):
        end = period_end(period)
        start = max(period, end - days(remind_days()))
        mornings = [
            ctx.at(start + days(n), 9, 30) for n in range((min(end, ctx.today - days(1)) - start).days + 1)
        ]
        for places in owing.values() if mornings else ():
            done = max(submitted.get((p.pk, period), ctx.horizon) for p in places)
            if done <= mornings[0]:
                continue  # all submitted before the reminders began
            for when in mornings:
                still = [
                    p
                    for p in places
                    if p.portal is not None
                    and p.portal.date_joined <= when
                    and submitted.get((p.pk, period), ctx.horizon) > when
                ]
                if not still:
                    continue
                landlord_id = places[0].landlord_id
                sent[(landlord_id, period)] = when
                account = world.accounts[landlord_id or 0]
                still.sort(key=lambda p: (*labels[p.pk], p.pk))
                title, body = _reminder(period, [" ".join(labels[p.pk]) for p in still])
                key = reminder_key(landlord_id or 0, period)
                rows.append((REMINDER_KIND, key, account.pk, account.mobile, title, body, link, when))
                break
        period = next_period(period)
    fields = ["kind", "key", "recipient", "mobile", "title", "body", "link", "created_at"]
    insert_rows(Notification, fields, rows)
    return sent


def _reminder(period: dt.date, listed: list[str]) -> tuple[str, str]:
    """The reminder's title and body, worded as `longterm.services.remind_self_inspections` words them."""
    names = enumerate_items(listed[:REMINDER_LISTED])
    title = gettext("房东自查提醒")
    if len(listed) > REMINDER_LISTED:
        names = gettext("%(listed)s 等 %(n)s 处") % {"listed": names, "n": len(listed)}
    body = gettext(
        "您的出租房屋 %(premises)s 本期（%(period)s）尚未自查，请于 %(end)s 前登录房东服务完成自查：%(url)s"
    ) % {
        "premises": names,
        "period": f"{period:%Y-%m}",
        "end": period_end(period).isoformat(),
        "url": portal_url(),
    }
    return title, body
