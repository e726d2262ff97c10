"""Who owes a self-inspection (应自查) in a period: one definition for the reminders, the misses, the owed
list and the figures, as `Q`s over `Premises` (subqueries only, so they combine with any scope).

**Owed** while a period runs: every premises in use (在租) whose landlord has a portal account (a landlord
user, active) — a landlord without one cannot self-inspect, so their premises are counted apart
(`no_account`, "房东未开通账号") — plus any premises that did submit (a premises vacated after its landlord
submitted still counts as submitted, so the rate never passes 100 %).

**Owed** once a period has ended: what was recorded for it — the self-inspections submitted and the misses
the monthly job recorded (`SelfInspectionMiss`) — so a past period's figures never move when premises or
accounts change later. Until the job has run (00:15 on the first day of the next period) an ended period
counts its submissions only.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.registry.choices import PremisesStatus

from .choices import OwedState
from .models import SelfInspection, SelfInspectionMiss
from .selfcheck import period_of


def in_use_q() -> Q:
    return Q(status=PremisesStatus.ACTIVE)


def has_portal_account() -> Exists:
    """The premises' landlord can sign in to the portal (an active landlord user holds their record)."""
    return Exists(
        User.objects.filter(landlord_id=OuterRef("landlord_id"), role=Role.LANDLORD, is_active=True)
    )


def submitted(period: dt.date) -> Exists:
    return Exists(SelfInspection.objects.filter(premises=OuterRef("pk"), period=period))


def missed(period: dt.date) -> Exists:
    return Exists(SelfInspectionMiss.objects.filter(premises=OuterRef("pk"), period=period))


def has_portal_account_q() -> Q:
    return Q(has_portal_account())


def submitted_q(period: dt.date) -> Q:
    return Q(submitted(period))


def missed_q(period: dt.date) -> Q:
    return Q(missed(period))


def is_ended(period: dt.date, today: dt.date) -> bool:
    return period_of(period) < period_of(today)


def outstanding_q(period: dt.date) -> Q:
    """Owing `period`'s self-inspection now and not yet submitted: whom the reminder asks, and whom the
    monthly job records as missed once the period is over."""
    return in_use_q() & has_portal_account_q() & ~submitted_q(period)


def owed_q(period: dt.date, today: dt.date) -> Q:
    """The premises that owe `period`'s self-inspection, as seen on `today` (see the module docstring)."""
    period = period_of(period)
    if is_ended(period, today):
        return submitted_q(period) | missed_q(period)
    return (in_use_q() & has_portal_account_q()) | submitted_q(period)


def state_q(state: str, period: dt.date, today: dt.date) -> Q:
    """The premises of the owed list's `state` (`OwedState`; blank: every premises that owes one)."""
    period = period_of(period)
    owed = owed_q(period, today)
    if state == OwedState.SUBMITTED:
        return submitted_q(period)
    if state == OwedState.NOT_SUBMITTED:
        return owed & ~submitted_q(period)
    if state == OwedState.MISSED:
        return missed_q(period)
    if state == OwedState.NO_ACCOUNT:
        return in_use_q() & ~has_portal_account_q() & ~owed
    return owed
