"""Django admin: only for the system admin, and every change made there is audited."""

import pytest
from django.urls import reverse

from firegrid import testing as t
from firegrid.areas.models import Area
from firegrid.conftest import assert_status
from firegrid.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def superadmin(personas):
    user = personas.admin
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_other_roles_cannot_open_admin(login, personas):
    response = login(personas.commander).get(reverse("admin:index"))
    assert response.status_code == 302  # to the admin login page: not staff


@pytest.mark.parametrize(
    "name", ["areas_area", "areas_user", "registry_premises", "registry_landlord", "core_auditentry"]
)
def test_admin_pages_open(login, superadmin, district, name):
    client = login(superadmin)
    assert_status(client.get(reverse(f"admin:{name}_changelist")), 200)


def test_admin_edit_is_audited(login, superadmin, district):
    client = login(superadmin)
    building = district.building_a
    url = reverse("admin:registry_building_change", args=[building.pk])
    data = {
        "grid": building.grid_id,
        "address": building.address,
        "name": "东楼",
        "floors": 4,
        "structure": building.structure,
        "use": building.use,
        "height_m": "",
        "year_built": "",
        "latitude": "",
        "longitude": "",
    }
    assert_status(client.post(url, data), 302)
    entry = AuditEntry.objects.get(object_id=str(building.pk), action="update")
    assert entry.after["name"] == "东楼" and entry.reason == "后台管理"
    building.refresh_from_db()
    assert building.version == 2


def test_admin_created_area_gets_its_path(login, superadmin, district):
    client = login(superadmin)
    data = {"parent": district.c1.pk, "level": "grid", "name": "樟树潭三网格", "code": "330803001001003"}
    assert_status(client.post(reverse("admin:areas_area_add"), data), 302)
    area = Area.objects.get(name="樟树潭三网格")
    assert area.path == f"{district.c1.path}{area.pk}/"


def test_admin_moving_an_area_rewrites_the_subtree(login, superadmin, district):
    client = login(superadmin)
    c1 = district.c1
    data = {"parent": district.s2.pk, "level": "community", "name": "樟树潭新社区", "code": c1.code}
    assert_status(client.post(reverse("admin:areas_area_change", args=[c1.pk]), data), 302)
    grid = Area.objects.get(pk=district.grid_a.pk)
    assert grid.path.startswith(district.s2.path)
    c1.refresh_from_db()
    assert c1.parent_id == district.s2.pk and c1.name == "樟树潭新社区"


def test_admin_user_with_wrong_area_level_is_refused(login, superadmin, district):
    client = login(superadmin)
    user = t.make_user("newgw", "grid_worker", [district.grid_a])
    data = {
        "username": "newgw",
        "full_name": "新网格员",
        "role": "grid_worker",
        "areas": [district.c1.pk],
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(reverse("admin:areas_user_change", args=[user.pk]), data)
    assert_status(response, 200)
    assert "areas" in response.context["adminform"].form.errors
