"""Contractors sign in like landlords: mobile + one-time code, and land on their bookings."""

import pytest
from django.test import Client
from django.urls import reverse

from firegrid.areas.choices import Role
from firegrid.core import sms
from firegrid.outreach.choices import Trade
from firegrid.portal import services
from firegrid.portal.tests.helpers import last_code

from .conftest import make_contractor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_sms(settings):
    settings.FIREGRID_SMS_BACKEND = "firegrid.core.sms.LocmemBackend"
    sms.outbox.clear()


def test_a_listed_contractor_signs_in_with_a_code_and_sees_their_bookings(district):
    contractor = make_contractor("赵师傅", Trade.CARPENTER, [district.s1], "13900000011")
    client = Client()
    client.post(reverse("portal:login"), {"action": "send", "mobile": "139 0000 0011"})
    assert [m.mobile for m in sms.outbox] == ["13900000011"]
    response = client.post(
        reverse("portal:login"),
        {"action": "login", "mobile": "13900000011", "code": last_code("13900000011")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("outreach:my_bookings")
    user = contractor.user
    assert (user.role, user.username) == (Role.CONTRACTOR, f"contractor-{contractor.pk}")
    assert client.get(reverse("outreach:my_bookings")).status_code == 200


def test_a_mobile_shared_by_a_landlord_and_a_contractor_is_refused(district):
    make_contractor("孙师傅", Trade.MASON, [district.s1], district.landlord_a.mobile or "13900000012")
    if not district.landlord_a.mobile:
        district.landlord_a.mobile = "13900000012"
        district.landlord_a.save()
    with pytest.raises(Exception) as exc:
        services.find_portal_account(district.landlord_a.mobile)
    assert "施工单位" in str(exc.value)
