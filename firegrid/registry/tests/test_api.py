"""The registry API: every endpoint walked through the personas, then validation, versions, scope of
writes, personal data, filters, pagination."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from firegrid import testing as t
from firegrid.api_testing import API, ApiScopeMatrix, api_client, audit_actions, list_ids
from firegrid.conftest import assert_status
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.registry.choices import PremisesKind
from firegrid.registry.models import Building, Landlord, Premises, Room, TenantHousehold

pytestmark = pytest.mark.django_db


# --- the walk: anonymous → outsider → in scope without the right → allowed ---


class TestBuildingApi(ApiScopeMatrix):
    prefix = "buildings"

    def target(self, district):
        return district.building_a

    def deletable(self, district):
        return t.make_building(district.grid_a, "樟潭街道空楼1号")

    def create_payload(self, district):
        return {"grid": district.grid_a.pk, "address": "樟潭街道新建路1号", "floors": 3}

    def change_payload(self, district):
        return {"name": "东幢"}

    def add_rows(self, district, n):
        for _ in range(n):
            t.make_building(district.grid_a)


class TestPremisesApi(ApiScopeMatrix):
    prefix = "premises"

    def target(self, district):
        return district.premises_a

    def deletable(self, district):
        return district.shop_a

    def create_payload(self, district):
        return {
            "building": district.building_a.pk,
            "unit_label": "3楼",
            "floor_area_m2": "80",
            "landlord": district.landlord_a.pk,
        }

    def change_payload(self, district):
        return {"unit_label": "整幢（含阁楼）"}

    def add_rows(self, district, n):
        for _ in range(n):
            t.make_premises(district.building_a, t.make_landlord(area=district.grid_a))


class TestRoomApi(ApiScopeMatrix):
    prefix = "rooms"

    def target(self, district):
        return district.room_a

    def create_payload(self, district):
        return {"premises": district.premises_a.pk, "number": "301", "area_m2": "12.5"}

    def change_payload(self, district):
        return {"number": "202"}

    def add_rows(self, district, n):
        for i in range(n):
            t.make_room(district.premises_a, f"R{i}", area_m2=Decimal("5"))


class TestLandlordApi(ApiScopeMatrix):
    prefix = "landlords"

    def target(self, district):
        return district.landlord_a

    def deletable(self, district):
        return t.make_landlord("无房户", area=district.grid_a)

    def create_payload(self, district):
        return {
            "name": "陈新",
            "id_number": t.valid_id_number(901),
            "mobile": "13812345678",
            "area": district.grid_a.pk,
        }

    def change_payload(self, district):
        return {"address": "樟树潭村3组"}

    def add_rows(self, district, n):
        for _ in range(n):
            t.make_landlord(area=district.grid_a, employer_unit=district.unit)


class TestTenantHouseholdApi(ApiScopeMatrix):
    prefix = "tenant-households"

    def target(self, district):
        return district.tenant_a

    def create_payload(self, district):
        return {
            "premises": district.premises_a.pk,
            "room": district.room_a.pk,
            "head_name": "刘一",
            "id_number": t.valid_id_number(902, born="19900202"),
            "mobile": "13900001111",
            "people": 2,
            "moved_in": "2024-01-01",
        }

    def change_payload(self, district):
        return {"people": 3}

    def add_rows(self, district, n):
        for _ in range(n):
            t.make_tenant(district.premises_a, room=district.room_a)


def test_liaison_reads_the_registry_of_their_units_landlords_but_writes_nothing(district, personas):
    client = api_client(personas.liaison)
    assert list_ids(client.get(f"{API}/premises/")) == {district.premises_a.pk, district.shop_a.pk}
    url = f"{API}/premises/{district.premises_a.pk}/"
    assert_status(client.patch(url, {"unit_label": "x", "version": 1}, format="json"), 403)
    assert_status(client.get(f"{API}/premises/{district.premises_b.pk}/"), 404)


def test_liaison_gets_403_on_tenant_households(district, personas):
    client = api_client(personas.liaison)
    assert_status(client.get(f"{API}/tenant-households/"), 403)
    assert_status(client.get(f"{API}/tenant-households/{district.tenant_a.pk}/"), 403)


def test_landlord_keeps_their_own_tenant_register(district, personas):
    client = api_client(personas.landlord)
    assert list_ids(client.get(f"{API}/tenant-households/")) == {district.tenant_a.pk}
    payload = TestTenantHouseholdApi().create_payload(district)
    assert_status(client.post(f"{API}/tenant-households/", payload, format="json"), 201)
    payload["premises"] = district.premises_b.pk
    payload["room"] = None
    response = client.post(f"{API}/tenant-households/", payload, format="json")
    assert_status(response, 400)
    assert "premises" in response.data


def test_protected_delete_is_refused_with_a_message(district, personas):
    response = api_client(personas.community_officer).delete(f"{API}/buildings/{district.building_a.pk}/")
    assert_status(response, 400)
    assert "不能删除" in response.data["non_field_errors"][0]
    assert Building.objects.filter(pk=district.building_a.pk).exists()
    assert audit_actions(district.building_a) == []


# --- per-field validation, in Chinese ---


def post(user, prefix, payload):
    return api_client(user).post(f"{API}/{prefix}/", payload, format="json")


def test_bad_resident_id_checksum_is_a_field_error(district, personas):
    payload = TestLandlordApi().create_payload(district)
    good = payload["id_number"]
    payload["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")
    response = post(personas.grid_worker, "landlords", payload)
    assert_status(response, 400)
    assert response.data["id_number"] == ["身份证号码校验位不正确，请核对后重新输入。"]
    assert not Landlord.objects.filter(name="陈新").exists()


def test_bad_mobile_is_a_field_error(district, personas):
    payload = {**TestTenantHouseholdApi().create_payload(district), "mobile": "2391234567"}
    response = post(personas.grid_worker, "tenant-households", payload)
    assert_status(response, 400)
    assert response.data["mobile"] == ["手机号码应为以1开头的11位数字。"]


@pytest.mark.parametrize("area", ["0", "-3"])
def test_zero_or_negative_room_area_is_a_field_error(district, personas, area):
    payload = {**TestRoomApi().create_payload(district), "area_m2": area}
    response = post(personas.grid_worker, "rooms", payload)
    assert_status(response, 400)
    assert set(response.data) == {"area_m2"}
    assert "0.5" in response.data["area_m2"][0]


def test_rooms_above_the_premises_area_are_refused_on_area(district, personas):
    # premises_a: 120 m², room_a: 15 m².
    payload = {**TestRoomApi().create_payload(district), "area_m2": "110"}
    response = post(personas.grid_worker, "rooms", payload)
    assert_status(response, 400)
    assert response.data["area_m2"] == ["各房间面积之和（125.00 m²）超过出租户建筑面积（120.00 m²）。"]
    assert district.premises_a.rooms.count() == 1


def test_shrinking_premises_below_its_rooms_is_refused_on_floor_area(district, personas):
    url = f"{API}/premises/{district.premises_a.pk}/"
    response = api_client(personas.grid_worker).patch(
        url, {"floor_area_m2": "10", "version": 1}, format="json"
    )
    assert_status(response, 400)
    assert "已登记房间面积之和" in response.data["floor_area_m2"][0]


def test_moved_out_before_moved_in_is_a_field_error(district, personas):
    payload = {**TestTenantHouseholdApi().create_payload(district), "moved_out": "2023-12-31"}
    response = post(personas.grid_worker, "tenant-households", payload)
    assert_status(response, 400)
    assert response.data["moved_out"] == ["搬离日期不能早于入住日期。"]


def test_coordinates_outside_china_are_field_errors(district, personas):
    payload = {**TestBuildingApi().create_payload(district), "latitude": "-33.86", "longitude": "151.2"}
    response = post(personas.grid_worker, "buildings", payload)
    assert_status(response, 400)
    assert response.data["latitude"] == ["纬度 -33.860000 不在中国境内（应在 3.8 至 53.6 之间）。"]
    assert response.data["longitude"] == ["经度 151.200000 不在中国境内（应在 73.4 至 135.1 之间）。"]


def test_model_rules_come_back_on_their_fields(district, personas):
    # Rules only the model knows (clean()): a shop needs its business name.
    payload = {**TestPremisesApi().create_payload(district), "kind": PremisesKind.SHOP}
    response = post(personas.grid_worker, "premises", payload)
    assert_status(response, 400)
    assert response.data == {"business_name": ["商铺和合用场所必须填写字号/经营名称。"]}


def test_duplicate_door_label_is_refused(district, personas):
    payload = {**TestPremisesApi().create_payload(district), "unit_label": district.premises_a.unit_label}
    response = post(personas.grid_worker, "premises", payload)
    assert_status(response, 400)
    assert response.data["non_field_errors"] == ["该建筑内已有相同门牌的出租户。"]


def test_a_room_of_another_premises_is_refused_on_room(district, personas):
    extra = t.make_premises(district.building_a, district.landlord_a, unit_label="4楼")
    payload = {**TestTenantHouseholdApi().create_payload(district), "premises": extra.pk}
    response = post(personas.grid_worker, "tenant-households", payload)
    assert_status(response, 400)
    assert response.data["room"] == ["所选房间不属于该出租户。"]


# --- versions ---


def test_update_without_version_is_a_400_on_version(district, personas):
    client = api_client(personas.grid_worker)
    url = f"{API}/buildings/{district.building_a.pk}/"
    response = client.patch(url, {"name": "东幢"}, format="json")
    assert_status(response, 400)
    assert response.data["version"] == ["该字段是必填项。"]
    payload = {**TestBuildingApi().create_payload(district), "address": district.building_a.address}
    assert_status(client.put(url, payload, format="json"), 400)
    district.building_a.refresh_from_db()
    assert (district.building_a.name, district.building_a.version) == ("", 1)


def test_stale_version_gets_409_then_succeeds_after_rereading(district, personas):
    url = f"{API}/premises/{district.premises_a.pk}/"
    mine, theirs = api_client(personas.grid_worker), api_client(personas.community_officer)
    read = mine.get(url).data
    assert_status(theirs.patch(url, {"unit_label": "整幢A", "version": read["version"]}, format="json"), 200)

    response = mine.patch(url, {"unit_label": "整幢B", "version": read["version"]}, format="json")
    assert_status(response, 409)
    assert "已被 shequ" in response.data["version"][0]
    assert Premises.objects.get(pk=district.premises_a.pk).unit_label == "整幢A"

    reread = mine.get(url).data
    assert reread["version"] == read["version"] + 1
    response = mine.patch(url, {"unit_label": "整幢B", "version": reread["version"]}, format="json")
    assert_status(response, 200)
    assert response.data["unit_label"] == "整幢B"


def test_put_replaces_the_record(district, personas):
    url = f"{API}/buildings/{district.building_a.pk}/"
    payload = {
        "grid": district.grid_a2.pk,
        "address": "樟潭街道樟树潭村12号",
        "floors": 5,
        "structure": "frame",
        "version": 1,
    }
    response = api_client(personas.grid_worker).put(url, payload, format="json")
    # The grid worker's scope is grid A only: A2 is not theirs to pick.
    assert_status(response, 400)
    assert set(response.data) == {"grid"}
    response = api_client(personas.community_officer).put(url, payload, format="json")
    assert_status(response, 200)
    assert (response.data["grid"], response.data["floors"], response.data["version"]) == (
        district.grid_a2.pk,
        5,
        2,
    )


# --- scope of writes ---


def test_grid_worker_cannot_move_a_building_into_grid_b(district, personas):
    url = f"{API}/buildings/{district.building_a.pk}/"
    response = api_client(personas.grid_worker).patch(
        url, {"grid": district.grid_b.pk, "version": 1}, format="json"
    )
    assert_status(response, 400)
    assert "不在您的管辖范围内" in response.data["grid"][0]
    building = Building.objects.get(pk=district.building_a.pk)
    assert (building.grid_id, building.version) == (district.grid_a.pk, 1)
    assert audit_actions(building) == []


def test_grid_worker_cannot_create_a_building_in_grid_b(district, personas):
    payload = {**TestBuildingApi().create_payload(district), "grid": district.grid_b.pk}
    response = post(personas.grid_worker, "buildings", payload)
    assert_status(response, 400)
    assert set(response.data) == {"grid"}
    assert not Building.objects.filter(address=payload["address"]).exists()


def test_premises_may_only_be_created_in_a_visible_building(district, personas):
    payload = {**TestPremisesApi().create_payload(district), "building": district.building_b.pk}
    response = post(personas.grid_worker, "premises", payload)
    assert_status(response, 400)
    assert set(response.data) == {"building"}
    assert not Premises.objects.filter(unit_label="3楼").exists()


def test_a_grid_is_required_to_be_a_grid(district, personas):
    payload = {**TestBuildingApi().create_payload(district), "grid": district.c1.pk}
    response = post(personas.community_officer, "buildings", payload)
    assert_status(response, 400)
    assert set(response.data) == {"grid"}


def test_service_scope_recheck_is_the_backstop(district, personas, monkeypatch):
    # Were the serializer to let an out-of-scope grid through, the service still refuses it.
    from firegrid.core.api.fields import ScopedPrimaryKeyRelatedField

    monkeypatch.setattr(ScopedPrimaryKeyRelatedField, "get_queryset", lambda self: self.queryset.all())
    payload = {**TestBuildingApi().create_payload(district), "grid": district.grid_b.pk}
    response = post(personas.grid_worker, "buildings", payload)
    assert_status(response, 400)
    assert response.data["grid"] == ["保存后该记录将不在您的管辖范围内，未保存。"]
    assert not Building.objects.filter(address=payload["address"]).exists()


# --- personal data ---


def test_personal_data_is_masked_in_list_and_detail(district, personas):
    client = api_client(personas.commander)
    landlord = district.landlord_a
    rows = {row["id"]: row for row in client.get(f"{API}/landlords/").data["results"]}
    detail = client.get(f"{API}/landlords/{landlord.pk}/").data
    for row in (rows[landlord.pk], detail):
        assert row["id_number"] == landlord.id_number[:6] + "********" + landlord.id_number[-4:]
        assert row["mobile"] == landlord.mobile[:3] + "****" + landlord.mobile[-4:]
    tenant = client.get(f"{API}/tenant-households/{district.tenant_a.pk}/").data
    assert "*" in tenant["id_number"] and "*" in tenant["mobile"]
    assert district.tenant_a.id_number not in str(client.get(f"{API}/tenant-households/").content)


def test_writes_take_full_values_and_answer_masked(district, personas):
    payload = TestLandlordApi().create_payload(district)
    response = post(personas.grid_worker, "landlords", payload)
    assert_status(response, 201)
    assert response.data["id_number"] == payload["id_number"][:6] + "********" + payload["id_number"][-4:]
    assert response.data["mobile"] == "138****5678"
    stored = Landlord.objects.get(pk=response.data["id"])
    assert (stored.id_number, stored.mobile) == (payload["id_number"], payload["mobile"])


def test_full_width_id_numbers_are_normalised(district, personas):
    payload = TestLandlordApi().create_payload(district)
    full = payload["id_number"]
    payload["id_number"] = full[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + full[17]
    response = post(personas.grid_worker, "landlords", payload)
    assert_status(response, 201)
    assert Landlord.objects.get(pk=response.data["id"]).id_number == full


def test_reveal_returns_the_full_value_and_is_audited(district, personas):
    landlord = district.landlord_a
    client = api_client(personas.grid_worker)
    response = client.post(f"{API}/landlords/{landlord.pk}/reveal/", {"field": "id_number"}, format="json")
    assert_status(response, 200)
    assert response.data == {"field": "id_number", "value": landlord.id_number}
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.for_object(landlord).get()
    assert (entry.action, entry.actor, entry.after) == (
        AuditAction.REVEAL,
        personas.grid_worker,
        {"field": "id_number"},
    )
    history = client.get(f"{API}/landlords/{landlord.pk}/history/").data["results"]
    assert [row["action"] for row in history] == [AuditAction.REVEAL]


def test_reveal_of_a_tenants_mobile(district, personas):
    tenant = district.tenant_a
    response = api_client(personas.landlord).post(
        f"{API}/tenant-households/{tenant.pk}/reveal/", {"field": "mobile"}, format="json"
    )
    assert_status(response, 200)
    assert response.data["value"] == tenant.mobile
    assert audit_actions(tenant) == [AuditAction.REVEAL]


@pytest.mark.parametrize("persona", ["liaison", "fire_officer"])
def test_reveal_is_forbidden_for_liaison_and_department_officer(district, personas, persona):
    url = f"{API}/landlords/{district.landlord_a.pk}/reveal/"
    response = api_client(getattr(personas, persona)).post(url, {"field": "id_number"}, format="json")
    assert_status(response, 403)
    assert "value" not in response.data
    assert audit_actions(district.landlord_a) == []


def test_reveal_out_of_scope_is_404_and_of_tenants_for_liaison_403(district, personas):
    url = f"{API}/landlords/{district.landlord_a.pk}/reveal/"
    assert_status(api_client(personas.outsider).post(url, {"field": "mobile"}, format="json"), 404)
    url = f"{API}/tenant-households/{district.tenant_a.pk}/reveal/"
    assert_status(api_client(personas.liaison).post(url, {"field": "mobile"}, format="json"), 403)
    assert AuditEntry.objects.count() == 0


def test_reveal_of_a_field_that_is_not_personal_is_refused(district, personas):
    url = f"{API}/landlords/{district.landlord_a.pk}/reveal/"
    response = api_client(personas.grid_worker).post(url, {"field": "name"}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"field"}


def test_history_snapshots_keep_personal_data_masked(district, personas):
    client = api_client(personas.grid_worker)
    url = f"{API}/landlords/{district.landlord_a.pk}/"
    assert_status(client.patch(url, {"mobile": "13700001111", "version": 1}, format="json"), 200)
    (entry,) = client.get(f"{url}history/").data["results"]
    assert entry["after"]["mobile"] == "137****1111"
    assert district.landlord_a.mobile not in str(entry)


# --- read-only display fields ---


def test_premises_carry_display_fields(district, personas):
    row = api_client(personas.grid_worker).get(f"{API}/premises/{district.shop_a.pk}/").data
    assert row["kind_display"] == "出租商铺"
    assert row["building_address"] == district.building_a.address
    assert (row["grid"], row["grid_name"]) == (district.grid_a.pk, district.grid_a.name)
    assert row["landlord_name"] == "张建国"
    assert row["version"] == 1


def test_landlord_lists_its_four_categories(district, personas):
    row = api_client(personas.grid_worker).get(f"{API}/landlords/{district.landlord_a.pk}/").data
    assert row["four_category"] == ["党员"]
    assert row["employer_unit_name"] == district.unit.name


def test_read_only_fields_are_ignored_on_write(district, personas):
    payload = {**TestPremisesApi().create_payload(district), "grid": district.grid_b.pk, "version": 7}
    response = post(personas.grid_worker, "premises", payload)
    assert_status(response, 201)
    assert (response.data["grid"], response.data["version"]) == (district.grid_a.pk, 1)


# --- filters, sort, pagination ---


def ids_of(user, prefix, **params):
    return list_ids(api_client(user).get(f"{API}/{prefix}/", params))


def test_area_filter_includes_descendants(district, personas):
    d = district
    assert ids_of(personas.commander, "premises", area=d.s1.pk) == {d.premises_a.pk, d.shop_a.pk}
    assert ids_of(personas.commander, "premises", area=d.d.pk) == {
        d.premises_a.pk,
        d.shop_a.pk,
        d.premises_b.pk,
    }
    assert ids_of(personas.commander, "rooms", area=d.c2.pk) == {d.room_b.pk}
    assert ids_of(personas.commander, "buildings", area=d.grid_b.pk) == {d.building_b.pk}


def test_area_filter_outside_scope_is_a_400(district, personas):
    response = api_client(personas.grid_worker).get(f"{API}/premises/", {"area": district.s2.pk})
    assert_status(response, 400)
    assert set(response.data) == {"area"}


def test_kind_and_q_filters(district, personas):
    d = district
    assert ids_of(personas.commander, "premises", kind="shop") == {d.shop_a.pk}
    assert ids_of(personas.commander, "premises", q="浮石路") == {d.premises_b.pk}
    assert ids_of(personas.commander, "premises", q="张建国") == {d.premises_a.pk, d.shop_a.pk}
    assert ids_of(personas.commander, "landlords", four_category="true") == {d.landlord_a.pk}
    assert ids_of(personas.commander, "tenant-households", current="true") == {d.tenant_a.pk, d.tenant_b.pk}


def test_sort_parameter_orders_the_list(district, personas):
    Premises.objects.filter(pk=district.shop_a.pk).update(floor_area_m2=Decimal("30"))
    client = api_client(personas.commander)
    rows = client.get(f"{API}/premises/", {"sort": "floor_area_m2"}).data["results"]
    assert rows[0]["id"] == district.shop_a.pk
    rows = client.get(f"{API}/premises/", {"sort": "-floor_area_m2"}).data["results"]
    assert rows[-1]["id"] == district.shop_a.pk


def test_lists_are_paginated(district, personas):
    client = api_client(personas.commander)
    first = client.get(f"{API}/premises/", {"page_size": 2}).data
    assert (first["count"], len(first["results"])) == (3, 2)
    assert first["previous"] is None and "page=2" in first["next"]
    second = client.get(f"{API}/premises/", {"page_size": 2, "page": 2}).data
    assert len(second["results"]) == 1
    assert {r["id"] for r in first["results"] + second["results"]} == {
        district.premises_a.pk,
        district.shop_a.pk,
        district.premises_b.pk,
    }


def test_room_and_tenant_writes_follow_the_premises_scope(district, personas):
    response = post(
        personas.grid_worker,
        "rooms",
        {**TestRoomApi().create_payload(district), "premises": district.premises_b.pk},
    )
    assert_status(response, 400)
    assert set(response.data) == {"premises"}
    assert not Room.objects.filter(number="301").exists()
    tenant = TestTenantHouseholdApi().create_payload(district)
    response = post(personas.grid_worker, "tenant-households", {**tenant, "room": district.room_b.pk})
    assert_status(response, 400)
    assert set(response.data) == {"room"}
    assert not TenantHousehold.objects.filter(head_name="刘一").exists()


def test_tenant_moving_in_far_in_the_future_is_refused(district, personas):
    later = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    response = post(
        personas.grid_worker,
        "tenant-households",
        {**TestTenantHouseholdApi().create_payload(district), "moved_in": later},
    )
    assert_status(response, 400)
    assert set(response.data) == {"moved_in"}


def test_put_of_what_was_read_keeps_the_masked_personal_data(district, personas):
    client = api_client(personas.grid_worker)
    url = f"{API}/landlords/{district.landlord_a.pk}/"
    read = client.get(url).data
    payload = {k: v for k, v in read.items() if k not in {"id", "created_at", "updated_at"}}
    response = client.put(url, {**payload, "address": "樟树潭村5组"}, format="json")
    assert_status(response, 200)
    stored = Landlord.objects.get(pk=district.landlord_a.pk)
    assert (stored.id_number, stored.mobile) == (district.landlord_a.id_number, district.landlord_a.mobile)
    assert stored.address == "樟树潭村5组"
    # A different masked-looking value is not an echo: it is validated like any input.
    response = client.patch(url, {"mobile": "139****0000", "version": stored.version}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"mobile"}


def test_403_says_the_role_may_not(district, personas):
    url = f"{API}/premises/{district.premises_a.pk}/"
    response = api_client(personas.fire_officer).patch(url, {"version": 1}, format="json")
    assert_status(response, 403)
    assert response.data["detail"] == "您的角色无权执行此操作。"


def test_form_encoded_writes_work_too(district, personas):
    client = api_client(personas.grid_worker)
    url = f"{API}/landlords/{district.landlord_a.pk}/"
    masked = client.get(url).data["mobile"]
    response = client.patch(url, {"mobile": masked, "address": "樟树潭村6组", "version": 1})
    assert_status(response, 200)
    stored = Landlord.objects.get(pk=district.landlord_a.pk)
    assert (stored.mobile, stored.address) == (district.landlord_a.mobile, "樟树潭村6组")
