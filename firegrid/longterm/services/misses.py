"""Reminders and misses (提醒与逾期未自查): near the end of a period each landlord still owing
self-inspections gets one reminder listing their premises (inbox and SMS, once per landlord per period);
at the start of the next period every premises that owed one and has none gets a `SelfInspectionMiss`
(once per premises per period) and `signals.self_inspection_missed` is sent for it (points listen).

Who owes is `owed.outstanding_q` (in use, the landlord with a portal account, nothing submitted). Both run
as daily / monthly jobs (`jobs.py`) and are idempotent: the reminder is a notification keyed by landlord
and period (`core.notifications.send` sends a key once), a miss is unique per premises and period.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from firegrid.areas.models import User
from firegrid.core import notifications
from firegrid.core.models import AuditAction, Notification
from firegrid.core.services import record_change, snapshot
from firegrid.core.tables import enumerate_items
from firegrid.registry.models import Premises

from ..models import SelfInspection, SelfInspectionMiss
from ..owed import is_ended, missed_q, outstanding_q
from ..selfcheck import period_end, period_of
from ..signals import self_inspection_missed

# The notification kind of a reminder (core.NotificationKind names the rectification ones; a kind outside
# its choices is stored and sent the same, shown by its title).
REMINDER_KIND = "self_inspection_reminder"
# Premises named in one reminder; more are counted ("等 N 处").
REMINDER_LISTED = 3
# Premises recorded as missed per transaction.
MISS_CHUNK = 1000


def reminder_key(landlord_id: int, period: dt.date) -> str:
    return f"self-inspection:{landlord_id}:{period.isoformat()}"


def remind_days() -> int:
    return int(settings.FIREGRID_SELF_INSPECTION_REMIND_DAYS)


def portal_url() -> str:
    """Where a reminder sends the landlord: the portal's self-inspection page (absolute, for an SMS)."""
    return f"{settings.FIREGRID_SITE_URL.rstrip('/')}{reverse('portal:self_inspection')}"


def remind_self_inspections(today: dt.date, *, days: int | None = None) -> int:
    """Remind every landlord who still owes self-inspections for today's period, once `days` (default
    `FIREGRID_SELF_INSPECTION_REMIND_DAYS`) or fewer days are left of it; one message per landlord per
    period, listing their premises. Returns how many were sent (0 on a second run)."""
    days = remind_days() if days is None else days
    period = period_of(today)
    end = period_end(period)
    if (end - today).days > days:
        return 0
    owing = (
        Premises.objects.filter(outstanding_q(period))
        .select_related("building", "landlord__user")
        .order_by("landlord_id", "sort_key", "pk")
    )
    sent = 0
    for _landlord_id, group in groupby(owing.iterator(chunk_size=2000), key=lambda p: p.landlord_id):
        premises = list(group)
        landlord = premises[0].landlord
        user: User | None = getattr(landlord, "user", None)
        if user is None:  # outstanding_q needs an account: only a concurrent change gets here
            continue
        listed = enumerate_items(f"{p.building.address} {p.unit_label}" for p in premises[:REMINDER_LISTED])
        with override("zh-hans"):
            title = _("房东自查提醒")
            if len(premises) > REMINDER_LISTED:
                listed = _("%(listed)s 等 %(n)s 处") % {"listed": listed, "n": len(premises)}
            body = _(
                "您的出租房屋 %(premises)s 本期（%(period)s）尚未自查，请于 %(end)s 前登录房东服务完成自查：%(url)s"
            ) % {
                "premises": listed,
                "period": f"{period:%Y-%m}",
                "end": end.isoformat(),
                "url": portal_url(),
            }
        if notifications.send(
            kind=REMINDER_KIND,
            key=reminder_key(landlord.pk, period),
            recipient=user,
            mobile=landlord.mobile,
            title=title,
            body=body,
            link=reverse("portal:self_inspection"),
        ):
            sent += 1
    return sent


def record_missed_self_inspections(
    period: dt.date, *, today: dt.date | None = None, actor: User | None = None
) -> list[SelfInspectionMiss]:
    """Record a `SelfInspectionMiss` for every premises that owes `period`'s self-inspection and has none,
    and send `self_inspection_missed` for each inside its transaction. Only an ended period; a premises
    recorded before is not recorded again (a second run records nothing). `actor` None is the job."""
    period = period_of(period)
    today = today or timezone.localdate()
    if not is_ended(period, today):
        raise ValidationError(_("本期尚未结束，不能记录逾期未自查。"))
    owing = list(
        Premises.objects.filter(outstanding_q(period))
        .exclude(missed_q(period))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    recorded: list[SelfInspectionMiss] = []
    for start in range(0, len(owing), MISS_CHUNK):
        recorded += _record_chunk(owing[start : start + MISS_CHUNK], period, actor=actor)
    return recorded


@transaction.atomic
def _record_chunk(ids: list[int], period: dt.date, *, actor: User | None) -> list[SelfInspectionMiss]:
    # Read again inside the transaction: a submission or a miss recorded since the list was made wins.
    premises = list(
        Premises.objects.filter(pk__in=ids)
        .filter(outstanding_q(period))
        .exclude(missed_q(period))
        .select_related("building", "landlord")
        .order_by("pk")
    )
    keys = {reminder_key(p.landlord_id, period): p.landlord_id for p in premises}
    reminded = {
        keys[key]: created
        for key, created in Notification.objects.filter(kind=REMINDER_KIND, key__in=keys).values_list(
            "key", "created_at"
        )
    }
    misses = SelfInspectionMiss.objects.bulk_create(
        SelfInspectionMiss(
            premises=p, landlord=p.landlord, period=period, reminded_at=reminded.get(p.landlord_id)
        )
        for p in premises
    )
    for miss in misses:
        record_change(actor=actor, action=AuditAction.CREATE, obj=miss, after=snapshot(miss))
        self_inspection_missed.send(
            sender=SelfInspection,
            premises=miss.premises,
            landlord=miss.landlord,
            period=period,
            miss=miss,
            actor=actor,
        )
    return misses
