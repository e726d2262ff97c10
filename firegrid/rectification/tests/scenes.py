"""Scenes and small helpers the rectification API tests share: plans written directly (no audit entry,
as a builder), API URLs, a move posted with the version the plan has now."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from firegrid import testing as t
from firegrid.api_testing import API
from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.inspections.choices import HazardStatus
from firegrid.inspections.models import Hazard
from firegrid.rectification.choices import MoveName, PlanState
from firegrid.rectification.models import (
    Plan,
    PlanItem,
    PlanMove,
)
from firegrid.rectification.testing import FAILING, inspect


def scene_actor() -> User:
    return User.objects.filter(username="scene").first() or t.make_user("scene", Role.SYSTEM_ADMIN)


def scene_plan(premises, fail=FAILING) -> Plan:
    """A draft plan over the premises' open hazards, written directly: no audit entry, as a builder."""
    inspect(premises, actor=scene_actor(), fail=fail)
    deadline = timezone.localdate() + dt.timedelta(days=15)
    plan = Plan.objects.create(
        premises=premises, landlord=premises.landlord, officer=scene_actor(), deadline=deadline
    )
    hazards = Hazard.objects.filter(premises=premises, status=HazardStatus.OPEN).select_related("item")
    PlanItem.objects.bulk_create(
        PlanItem(
            plan=plan, hazard=h, measure=h.item.requirement, acceptance=h.item.requirement, deadline=deadline
        )
        for h in hazards
    )
    PlanMove.objects.create(plan=plan, name=MoveName.CREATE, to_state=PlanState.DRAFT, actor_name="scene")
    return plan


def plan_of(district) -> Plan:
    if not hasattr(district, "plan_a"):
        district.plan_a = scene_plan(district.premises_a)
    return district.plan_a


def jpeg(name="after.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def url(prefix, obj=None, suffix="") -> str:
    return f"{API}/{prefix}/" + (f"{obj.pk}/{suffix}" if obj is not None else suffix)


def move(client, plan, name, **body):
    """POST a move with the version the plan has now (re-read), unless the test gives one."""
    if "version" not in body:
        body["version"] = Plan.objects.get(pk=plan.pk).version
    return client.post(url("plans", plan, "moves/"), {"move": name, **body}, format="json")


def state_of(plan) -> str:
    return Plan.objects.get(pk=plan.pk).state


def in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()
