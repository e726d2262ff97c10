import pytest
from django.urls import reverse

from firegrid import testing as t
from firegrid.areas.choices import Role

pytestmark = pytest.mark.django_db


def test_the_admin_finds_contractors_for_linking_an_account(login, trades):
    root = t.make_user("root", Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True)
    client = login(root)
    page = client.get(reverse("admin:outreach_contractor_changelist"), {"q": "王师傅"})
    assert page.status_code == 200 and "王师傅电工队" in page.content.decode()
    assert (
        client.get(reverse("admin:outreach_contractor_change", args=[trades.electrician.pk])).status_code
        == 200
    )
