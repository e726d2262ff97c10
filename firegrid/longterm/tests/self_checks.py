"""Builders for the self-inspection tests: a submitted self-inspection without going through a landlord
account (population for draws), and the answers a landlord gives."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.inspections.models import ChecklistTemplate
from firegrid.longterm.choices import SelfCheckResult
from firegrid.longterm.models import SelfInspection, SelfInspectionAnswer
from firegrid.longterm.selfcheck import self_check_items
from firegrid.registry.models import Premises


def all_pass(premises: Premises, fail: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        item.code: SelfCheckResult.FAIL if item.code in fail else SelfCheckResult.PASS
        for item in self_check_items(premises)
    }


def submitter() -> User:
    user, _created = User.objects.get_or_create(
        username="self-check-submitter", defaults={"role": Role.LANDLORD, "full_name": "房东"}
    )
    return user


def make_self_inspection(premises: Premises, period: dt.date, **kw) -> SelfInspection:
    """A self-inspection of `premises` for `period`, every item answered pass, written directly."""
    row = SelfInspection.objects.create(
        premises=premises,
        landlord_id=premises.landlord_id,
        template=ChecklistTemplate.objects.current(),
        period=period,
        submitted_at=kw.pop("submitted_at", timezone.now()),
        submitted_by=kw.pop("submitted_by", None) or submitter(),
        client_uuid=uuid.uuid4(),
        **kw,
    )
    SelfInspectionAnswer.objects.bulk_create(
        SelfInspectionAnswer(self_inspection=row, item_code=code, result=result)
        for code, result in all_pass(premises).items()
    )
    return row
