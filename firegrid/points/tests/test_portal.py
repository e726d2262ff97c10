"""我的积分 in the portal: the landlord sees this year's points with each entry's reason and date, the rules
explained, earlier years and their certificates — their own only; the home page links to it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from firegrid.conftest import assert_status
from firegrid.points.choices import PointsRule

from .scene import TODAY, YEAR, give

pytestmark = pytest.mark.django_db

URL = reverse("portal:points")


def test_the_landlord_sees_their_points_the_reasons_and_the_rules(district, personas, login):
    give(
        district.landlord_a,
        5,
        rule=PointsRule.FIXED_BEFORE_DEADLINE,
        reason="整改期限前验收通过（樟树潭村12号）",
    )
    give(district.landlord_a, -3, rule=PointsRule.TENANT_LATE, reason="租户入住，走访时发现未按时登记")
    give(district.landlord_a, 7, on=dt.date(YEAR - 1, 5, 1))
    give(district.landlord_b, -30, reason="另一位房东的记录")
    client = login(personas.landlord)
    home = client.get(reverse("portal:home")).content.decode()
    assert URL in home and "102 分" in home
    response = client.get(URL)
    assert_status(response, 200)
    page = response.content.decode()
    assert "<script>" not in page and "style=" not in page
    for text in (
        "102",
        "整改期限前验收通过",
        "租户入住，走访时发现未按时登记",
        TODAY.isoformat(),
        "+5",
        "-3",
    ):
        assert text in page, text
    assert "另一位房东的记录" not in page
    # The rules explained: what earns and what costs points.
    assert "按时自查" in page and "转入执法" in page and "-10" in page
    # Earlier years, each opening its own ledger.
    assert f"?year={YEAR - 1}" in page
    earlier = client.get(URL, {"year": YEAR - 1}).content.decode()
    assert "107" in earlier


def test_the_page_is_the_landlords_only(district, personas, login):
    assert login(personas.grid_worker).get(URL).status_code == 403
    assert (
        login(personas.grid_worker)
        .get(reverse("points:landlord_points", args=[district.landlord_a.pk]))
        .status_code
        == 200
    )
