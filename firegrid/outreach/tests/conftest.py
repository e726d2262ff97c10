"""Contractors and bookings on the shared test district (firegrid/conftest.py).

`electrician` serves subdistrict S1 (so grid A and its premises_a), `mason` serves S2 (grid B).
`plan_a` is the open plan of premises_a, whose landlord is the `personas.landlord`.
"""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.outreach.choices import Trade
from firegrid.outreach.models import Contractor, Slot
from firegrid.rectification.testing import plan_with_hazards


def make_contractor(name: str, trade: str, areas, mobile: str, **kw) -> Contractor:
    contractor = Contractor.objects.create(name=name, trade=trade, mobile=mobile, **kw)
    contractor.areas.set(areas)
    return contractor


def make_slot(contractor: Contractor, *, days: float = 1, hours: float = 2) -> Slot:
    """A slot starting `days` from now (negative: in the past), `hours` long, on the minute."""
    start = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    return Slot.objects.create(
        contractor=contractor, starts_at=start, ends_at=start + dt.timedelta(hours=hours)
    )


def jpeg(name: str = "done.jpg", colour=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def trades(district):
    d = district
    electrician = make_contractor(
        "王师傅电工队", Trade.ELECTRICIAN, [d.s1], "13900000001", company="衢江电力安装"
    )
    mason = make_contractor("李师傅", Trade.MASON, [d.s2], "13900000002")
    return SimpleNamespace(
        electrician=electrician,
        mason=mason,
        electrician_user=t.make_user("dian", Role.CONTRACTOR, contractor=electrician),
        mason_user=t.make_user("niwa", Role.CONTRACTOR, contractor=mason),
    )


@pytest.fixture
def plan_a(checklist, district, personas):
    return plan_with_hazards(district.premises_a, actor=personas.grid_worker)


@pytest.fixture
def other_landlord(district):
    return t.make_user("landlord_b", Role.LANDLORD, landlord=district.landlord_b)
