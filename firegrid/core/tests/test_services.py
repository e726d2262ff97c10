"""The shared record services: permission, version check, scope re-check and audit, in one transaction."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from firegrid import testing as t
from firegrid.core.masking import mask_id_number, mask_mobile
from firegrid.core.middleware import RequestIdMiddleware
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.core.services import (
    ConcurrentEditError,
    create_record,
    delete_record,
    reveal_personal_data,
    update_record,
)
from firegrid.registry.choices import PremisesKind
from firegrid.registry.models import Building, Landlord, Premises, Room, TenantHousehold

pytestmark = pytest.mark.django_db

SCOPE_MESSAGE = "保存后该记录将不在您的管辖范围内，未保存。"


def entries_for(obj):
    return list(AuditEntry.objects.for_object(obj))


def landlord_data(**kw):
    data = {"name": "陈立新", "id_number": t.valid_id_number(321), "mobile": "13912345678"}
    data.update(kw)
    return data


class TestCreate:
    def test_create_writes_one_entry_naming_the_actor(self, district, personas):
        gw = personas.grid_worker
        building = create_record(
            Building,
            {"grid": district.grid_a, "address": "樟潭街道新建路1号", "floors": 3},
            actor=gw,
            reason="入户排查新发现",
        )
        assert building.version == 1
        [entry] = AuditEntry.objects.all()
        assert entry.actor == gw
        assert entry.actor_name == str(gw)
        assert entry.action == AuditAction.CREATE
        assert entry.object_id == str(building.pk)
        assert entry.object_repr == str(building)
        assert entry.reason == "入户排查新发现"
        assert entry.before is None
        assert entry.after["address"] == "樟潭街道新建路1号"
        assert entry.after["grid_id"] == district.grid_a.pk
        assert entry.premises is None  # a building belongs to no single premises file

    def test_actor_name_is_copied_so_a_rename_does_not_rewrite_history(self, district, personas):
        gw = personas.grid_worker
        create_record(Building, {"grid": district.grid_a, "address": "新建路2号", "floors": 2}, actor=gw)
        original = str(gw)
        gw.full_name = "改名后"
        gw.save()
        assert AuditEntry.objects.get().actor_name == original

    def test_personal_data_is_masked_in_the_snapshot(self, district, personas):
        data = landlord_data(area=district.grid_a)
        landlord = create_record(Landlord, data, actor=personas.grid_worker)
        entry = AuditEntry.objects.get()
        assert entry.after["id_number"] == mask_id_number(data["id_number"])
        assert entry.after["mobile"] == mask_mobile(data["mobile"])
        dumped = json.dumps([entry.before, entry.after], ensure_ascii=False)
        assert data["id_number"] not in dumped
        assert data["mobile"] not in dumped
        # The record itself keeps the real values.
        landlord.refresh_from_db()
        assert landlord.id_number == data["id_number"]

    def test_room_and_tenant_entries_are_filed_under_their_premises(self, district, personas):
        gw = personas.grid_worker
        room = create_record(
            Room, {"premises": district.premises_a, "number": "301", "area_m2": Decimal("12")}, actor=gw
        )
        tenant = create_record(
            TenantHousehold,
            {
                "premises": district.premises_a,
                "room": room,
                "head_name": "周新",
                "id_number": t.valid_id_number(77, born="19900101"),
                "moved_in": "2024-01-01",
            },
            actor=gw,
        )
        assert [e.premises for e in entries_for(room)] == [district.premises_a]
        assert [e.premises for e in entries_for(tenant)] == [district.premises_a]
        assert district.premises_a.audit_entries.count() == 2

    def test_premises_entry_is_filed_under_itself(self, district, personas):
        premises = create_record(
            Premises,
            {
                "building": district.building_a,
                "landlord": district.landlord_a,
                "unit_label": "3楼",
                "floor_from": 3,
                "floor_to": 3,
                "floor_area_m2": Decimal("80"),
            },
            actor=personas.grid_worker,
        )
        assert [e.premises for e in entries_for(premises)] == [premises]

    def test_invalid_data_saves_nothing_and_writes_nothing(self, district, personas):
        with pytest.raises(ValidationError) as info:
            create_record(
                Premises,
                {
                    "building": district.building_a,
                    "landlord": district.landlord_a,
                    "kind": PremisesKind.SHOP,
                    "unit_label": "2楼店面",
                    "floor_area_m2": Decimal("50"),
                },
                actor=personas.grid_worker,
            )
        assert "business_name" in info.value.message_dict
        assert not Premises.objects.filter(unit_label="2楼店面").exists()
        assert not AuditEntry.objects.exists()

    def test_department_officer_cannot_create(self, district, personas):
        with pytest.raises(PermissionDenied):
            create_record(
                Building,
                {"grid": district.grid_a, "address": "部门新建路1号", "floors": 2},
                actor=personas.fire_officer,
            )
        assert not Building.objects.filter(address="部门新建路1号").exists()
        assert not AuditEntry.objects.exists()

    def test_creating_outside_own_scope_is_refused_on_the_scope_field(self, district, personas):
        with pytest.raises(ValidationError) as info:
            create_record(
                Building,
                {"grid": district.grid_b, "address": "浮石路99号", "floors": 2},
                actor=personas.grid_worker,
            )
        assert info.value.message_dict == {"grid": [SCOPE_MESSAGE]}
        assert not Building.objects.filter(address="浮石路99号").exists()
        assert not AuditEntry.objects.exists()

    def test_landlord_without_area_in_scope_is_refused_on_area(self, district, personas):
        with pytest.raises(ValidationError) as info:
            create_record(Landlord, landlord_data(), actor=personas.grid_worker)
        assert info.value.message_dict == {"area": [SCOPE_MESSAGE]}
        assert not Landlord.objects.filter(name="陈立新").exists()

    def test_entry_carries_the_request_id(self, district, personas):
        def view(request):
            create_record(
                Building,
                {"grid": district.grid_a, "address": "请求路1号", "floors": 2},
                actor=personas.grid_worker,
            )
            return {}

        from django.test import RequestFactory

        request = RequestFactory().post("/", HTTP_X_REQUEST_ID="req-123")
        response = RequestIdMiddleware(view)(request)
        assert response["X-Request-ID"] == "req-123"
        assert AuditEntry.objects.get().request_id == "req-123"


class TestUpdate:
    def test_update_increments_version_and_records_before_and_after(self, district, personas):
        building = district.building_a
        updated = update_record(
            building, {"floors": 5}, actor=personas.grid_worker, expected_version=1, reason="复核层数"
        )
        assert updated.version == 2
        building.refresh_from_db()
        assert building.floors == 5
        assert building.version == 2
        [entry] = AuditEntry.objects.all()
        assert entry.action == AuditAction.UPDATE
        assert entry.actor == personas.grid_worker
        assert entry.reason == "复核层数"
        assert entry.before["floors"] == 4
        assert entry.after["floors"] == 5
        assert ("地上层数", 4, 5) in entry.changed_fields()

    def test_each_update_increments_the_version_again(self, district, personas):
        building = district.building_a
        update_record(building, {"floors": 5}, actor=personas.grid_worker, expected_version=1)
        update_record(building, {"floors": 6}, actor=personas.grid_worker, expected_version=2)
        building.refresh_from_db()
        assert (building.floors, building.version) == (6, 3)
        assert AuditEntry.objects.filter(action=AuditAction.UPDATE).count() == 2

    def test_update_of_personal_data_is_masked_in_both_snapshots(self, district, personas):
        landlord = district.landlord_a
        old_mobile = landlord.mobile
        update_record(landlord, {"mobile": "13700001111"}, actor=personas.grid_worker, expected_version=1)
        entry = AuditEntry.objects.get()
        assert entry.before["mobile"] == mask_mobile(old_mobile)
        assert entry.after["mobile"] == "137****1111"
        assert entry.before["id_number"] == mask_id_number(landlord.id_number)
        dumped = json.dumps([entry.before, entry.after])
        assert old_mobile not in dumped
        assert "13700001111" not in dumped
        assert landlord.id_number not in dumped

    def test_change_hidden_by_the_mask_is_still_saved(self, district, personas):
        # Only the masked middle digits differ: the masked snapshots are equal, the change is real.
        landlord = district.landlord_a
        landlord.mobile = "13812345678"
        landlord.save()
        update_record(landlord, {"mobile": "13899995678"}, actor=personas.grid_worker, expected_version=1)
        landlord.refresh_from_db()
        assert landlord.mobile == "13899995678"
        assert landlord.version == 2
        assert AuditEntry.objects.filter(action=AuditAction.UPDATE).count() == 1

    def test_id_number_birth_date_correction_is_saved(self, district, personas):
        # A corrected birth date with the same check character: the mask cannot tell them apart.
        landlord = district.landlord_a
        serial = int(landlord.id_number[14:17])
        corrected = next(
            c
            for day in range(1, 29)
            if (c := t.valid_id_number(serial, born=f"198102{day:02d}")) != landlord.id_number
            and mask_id_number(c) == mask_id_number(landlord.id_number)
        )
        update_record(landlord, {"id_number": corrected}, actor=personas.grid_worker, expected_version=1)
        landlord.refresh_from_db()
        assert landlord.id_number == corrected

    def test_update_that_changes_nothing_writes_no_entry(self, district, personas):
        building = district.building_a
        result = update_record(
            building, {"floors": building.floors}, actor=personas.grid_worker, expected_version=1
        )
        assert result.version == 1
        building.refresh_from_db()
        assert building.version == 1
        assert not AuditEntry.objects.exists()

    def test_many_to_many_fields_are_set_after_the_save_and_audited_as_ids(self, district, personas):
        from firegrid.campaigns.models import Campaign

        today = dt.date.today()
        campaign = Campaign.objects.create(
            name="铁拳行动", code="tq", starts_on=today, ends_on=today + dt.timedelta(days=30)
        )
        campaign.areas.set([district.s1])
        updated = update_record(
            campaign,
            {"name": "铁拳行动（二期）", "areas": [district.s2, district.s1.pk]},
            actor=personas.commander,
            expected_version=1,
            reason="扩大范围",
        )
        assert updated.version == 2
        assert set(Campaign.objects.get(pk=campaign.pk).areas.all()) == {district.s1, district.s2}
        [entry] = AuditEntry.objects.all()
        assert entry.before["areas"] == [district.s1.pk]
        assert entry.after["areas"] == sorted([district.s1.pk, district.s2.pk])
        assert (entry.before["name"], entry.after["name"]) == ("铁拳行动", "铁拳行动（二期）")

    def test_a_change_of_many_to_many_alone_is_a_change(self, district, personas):
        from firegrid.campaigns.models import Campaign

        today = dt.date.today()
        campaign = Campaign.objects.create(
            name="铁拳行动", code="tq", starts_on=today, ends_on=today + dt.timedelta(days=30)
        )
        same = update_record(campaign, {"areas": []}, actor=personas.commander, expected_version=1)
        assert same.version == 1 and not AuditEntry.objects.exists()
        moved = update_record(
            campaign, {"areas": [district.s2]}, actor=personas.commander, expected_version=1
        )
        assert moved.version == 2
        [entry] = AuditEntry.objects.all()
        assert (entry.before["areas"], entry.after["areas"]) == ([], [district.s2.pk])
        with pytest.raises(ConcurrentEditError):
            update_record(campaign, {"areas": []}, actor=personas.commander, expected_version=1)
        assert list(Campaign.objects.get(pk=campaign.pk).areas.all()) == [district.s2]

    def test_stale_version_is_refused_and_nothing_changes(self, district, personas):
        building = district.building_a
        update_record(building, {"floors": 5}, actor=personas.grid_worker, expected_version=1)
        with pytest.raises(ConcurrentEditError) as info:
            update_record(building, {"floors": 3}, actor=personas.community_officer, expected_version=1)
        building.refresh_from_db()
        assert (building.floors, building.version) == (5, 2)
        assert AuditEntry.objects.filter(action=AuditAction.UPDATE).count() == 1
        assert info.value.current.version == 2
        assert info.value.changed_by == str(personas.grid_worker)

    def test_stale_version_message_names_who_changed_it(self, district, personas):
        personas.grid_worker.full_name = "王网格"
        personas.grid_worker.save()
        update_record(district.building_a, {"floors": 5}, actor=personas.grid_worker, expected_version=1)
        with pytest.raises(ConcurrentEditError) as info:
            update_record(
                district.building_a, {"floors": 3}, actor=personas.community_officer, expected_version=1
            )
        message = str(info.value)
        assert "王网格" in message
        assert "当前版本 2" in message
        assert "您的修改未保存" in message

    def test_stale_version_without_history_still_explains(self, district, personas):
        Building.objects.filter(pk=district.building_a.pk).update(version=4)
        with pytest.raises(ConcurrentEditError) as info:
            update_record(district.building_a, {"floors": 3}, actor=personas.grid_worker, expected_version=1)
        assert str(info.value) == "此记录已被他人修改，您的修改未保存。请查看最新内容后重新修改。"

    def test_invalid_update_saves_nothing(self, district, personas):
        with pytest.raises(ValidationError) as info:
            update_record(district.building_a, {"floors": 0}, actor=personas.grid_worker, expected_version=1)
        assert "floors" in info.value.message_dict
        district.building_a.refresh_from_db()
        assert (district.building_a.floors, district.building_a.version) == (4, 1)
        assert not AuditEntry.objects.exists()

    def test_grid_worker_moving_a_building_to_another_grid_is_refused(self, district, personas):
        building = district.building_a
        with pytest.raises(ValidationError) as info:
            update_record(building, {"grid": district.grid_b}, actor=personas.grid_worker, expected_version=1)
        assert info.value.message_dict == {"grid": [SCOPE_MESSAGE]}
        building.refresh_from_db()
        assert building.grid_id == district.grid_a.pk
        assert building.version == 1
        assert not AuditEntry.objects.exists()

    def test_grid_worker_moving_a_premises_into_another_grid_is_refused(self, district, personas):
        with pytest.raises(ValidationError) as info:
            update_record(
                district.premises_a,
                {"building": district.building_b, "floor_to": 1},
                actor=personas.grid_worker,
                expected_version=1,
            )
        assert info.value.message_dict == {"building": [SCOPE_MESSAGE]}
        district.premises_a.refresh_from_db()
        assert district.premises_a.building_id == district.building_a.pk
        assert not AuditEntry.objects.exists()

    def test_community_officer_may_move_a_building_between_own_grids(self, district, personas):
        update_record(
            district.building_a,
            {"grid": district.grid_a2},
            actor=personas.community_officer,
            expected_version=1,
        )
        district.building_a.refresh_from_db()
        assert district.building_a.grid_id == district.grid_a2.pk

    def test_out_of_scope_record_cannot_be_updated(self, district, personas):
        with pytest.raises(PermissionDenied):
            update_record(district.building_b, {"floors": 5}, actor=personas.grid_worker, expected_version=1)
        district.building_b.refresh_from_db()
        assert district.building_b.floors == 3

    def test_department_officer_cannot_update(self, district, personas):
        with pytest.raises(PermissionDenied):
            update_record(district.building_a, {"floors": 5}, actor=personas.fire_officer, expected_version=1)


class TestDelete:
    def test_grid_worker_cannot_delete(self, district, personas):
        with pytest.raises(PermissionDenied) as info:
            delete_record(district.room_a, actor=personas.grid_worker)
        # The role is refused as such, not told the record is out of scope.
        assert str(info.value) == "您的角色无权执行此操作。"
        assert Room.objects.filter(pk=district.room_a.pk).exists()
        assert not AuditEntry.objects.exists()

    def test_community_officer_deletes_a_room_with_one_entry(self, district, personas):
        room = district.room_a
        room_pk = room.pk
        delete_record(room, actor=personas.community_officer, reason="房间已拆除")
        assert not Room.objects.filter(pk=room_pk).exists()
        [entry] = AuditEntry.objects.all()
        assert entry.action == AuditAction.DELETE
        assert entry.actor == personas.community_officer
        assert entry.object_id == str(room_pk)
        assert entry.before["number"] == "201"
        assert entry.after is None
        assert entry.reason == "房间已拆除"
        assert entry.premises == district.premises_a

    def test_out_of_scope_delete_is_refused(self, district, personas):
        with pytest.raises(PermissionDenied):
            delete_record(district.room_b, actor=personas.community_officer)
        assert Room.objects.filter(pk=district.room_b.pk).exists()

    def test_deleting_a_landlord_who_owns_premises_gives_a_clear_message(self, district, personas):
        with pytest.raises(ValidationError) as info:
            delete_record(district.landlord_b, actor=personas.admin)
        assert info.value.messages == ["还有关联的出租户，不能删除。请先处理关联记录。"]
        assert Landlord.objects.filter(pk=district.landlord_b.pk).exists()
        assert not AuditEntry.objects.exists()

    def test_protected_message_names_every_kind_of_link(self, district, personas):
        # landlord_a owns premises and has a sign-in account (the landlord persona).
        with pytest.raises(ValidationError) as info:
            delete_record(district.landlord_a, actor=personas.community_officer)
        assert info.value.messages == ["还有关联的出租户、用户，不能删除。请先处理关联记录。"]
        assert Landlord.objects.filter(pk=district.landlord_a.pk).exists()
        assert not AuditEntry.objects.exists()

    def test_deleting_a_premises_keeps_its_entry_without_the_link(self, district, personas):
        premises = district.shop_a
        pk = premises.pk
        delete_record(premises, actor=personas.community_officer)
        entry = AuditEntry.objects.get(action=AuditAction.DELETE)
        assert entry.object_id == str(pk)
        assert entry.premises is None
        assert entry.object_repr == str(premises)

    def test_deleted_landlord_snapshot_is_masked(self, district, personas):
        landlord = t.make_landlord("孤立房东", area=district.grid_a)
        raw = landlord.id_number
        delete_record(landlord, actor=personas.community_officer)
        entry = AuditEntry.objects.get()
        assert entry.before["id_number"] == mask_id_number(raw)
        assert raw not in json.dumps(entry.before)


class TestReveal:
    def test_reveal_returns_the_value_and_records_who_looked(self, district, personas):
        officer = personas.subdistrict_officer
        value = reveal_personal_data(district.landlord_a, "id_number", actor=officer)
        assert value == district.landlord_a.id_number
        [entry] = AuditEntry.objects.all()
        assert entry.action == AuditAction.REVEAL
        assert entry.actor == officer
        assert entry.after == {"field": "id_number"}
        assert entry.object_id == str(district.landlord_a.pk)

    def test_reveal_of_tenant_data_is_filed_under_the_premises(self, district, personas):
        reveal_personal_data(district.tenant_a, "mobile", actor=personas.grid_worker)
        assert AuditEntry.objects.get().premises == district.premises_a

    def test_landlord_may_reveal_own_data(self, district, personas):
        assert (
            reveal_personal_data(district.landlord_a, "mobile", actor=personas.landlord)
            == district.landlord_a.mobile
        )

    def test_non_personal_field_is_refused(self, district, personas):
        with pytest.raises(ValidationError):
            reveal_personal_data(district.landlord_a, "name", actor=personas.subdistrict_officer)
        assert not AuditEntry.objects.exists()

    @pytest.mark.parametrize("persona", ["liaison", "fire_officer"])
    def test_roles_without_reveal_are_refused(self, district, personas, persona):
        with pytest.raises(PermissionDenied):
            reveal_personal_data(district.landlord_a, "id_number", actor=getattr(personas, persona))
        assert not AuditEntry.objects.exists()

    def test_out_of_scope_user_is_refused(self, district, personas):
        with pytest.raises(PermissionDenied):
            reveal_personal_data(district.landlord_a, "id_number", actor=personas.outsider)
        with pytest.raises(PermissionDenied):
            reveal_personal_data(district.tenant_b, "id_number", actor=personas.landlord)
        assert not AuditEntry.objects.exists()


class TestDistrictCommander:
    def test_commander_reads_and_reveals_but_does_not_edit(self, district, personas):
        commander = personas.commander
        assert (
            reveal_personal_data(district.tenant_b, "id_number", actor=commander)
            == district.tenant_b.id_number
        )
        with pytest.raises(PermissionDenied):
            create_record(
                Building, {"grid": district.grid_a, "address": "指挥部路1号", "floors": 2}, actor=commander
            )
        with pytest.raises(PermissionDenied):
            update_record(district.building_a, {"floors": 5}, actor=commander, expected_version=1)
        with pytest.raises(PermissionDenied):
            delete_record(district.room_b, actor=commander)
        assert list(AuditEntry.objects.values_list("action", flat=True)) == [AuditAction.REVEAL]
