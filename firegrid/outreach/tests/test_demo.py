"""The demo's contractors: every trade, serving subdistricts, free slots over the next two weeks."""

import datetime as dt

import pytest
from django.utils import timezone

from firegrid.demo.contractors import CONTRACTORS, DAYS_AHEAD, create_contractors
from firegrid.outreach.choices import Trade
from firegrid.outreach.models import Contractor, Slot

pytestmark = pytest.mark.django_db


def test_demo_contractors_cover_every_trade_with_slots_ahead(district):
    areas = {a.code: a for a in (district.d, district.s1, district.s2, district.c1, district.grid_a)}
    first = create_contractors(areas, seed=2019)
    assert Contractor.objects.count() == len(CONTRACTORS)
    assert set(Contractor.objects.values_list("trade", flat=True)) == set(Trade.values)
    assert first.trade == Trade.ELECTRICIAN and first.serves(district.grid_a)
    for contractor in Contractor.objects.all():
        assert contractor.areas.exists() and not contractor.areas.exclude(level="subdistrict").exists()
        contractor.full_clean()
    now = timezone.now()
    assert Slot.objects.count() > len(CONTRACTORS)
    assert not Slot.objects.filter(starts_at__lte=now).exists()
    assert not Slot.objects.filter(starts_at__gt=now + dt.timedelta(days=DAYS_AHEAD + 1)).exists()
    assert Slot.objects.free().count() == Slot.objects.count()
