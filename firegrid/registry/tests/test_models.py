"""Registry model rules through full_clean, field by field, with the messages users see."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from firegrid import testing as t
from firegrid.registry.choices import PremisesKind
from firegrid.registry.models import Building, Landlord, Premises, Room, TenantHousehold

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    """Messages are checked as users see them; a request in an earlier test may leave another language active."""
    with translation.override("zh-hans"):
        yield


def errors(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    return info.value.message_dict


def building(district, **kw) -> Building:
    data = {"grid": district.grid_a, "address": "樟潭街道新路1号", "floors": 4}
    data.update(kw)
    return Building(**data)


def premises(district, **kw) -> Premises:
    data = {
        "building": district.building_a,
        "landlord": district.landlord_a,
        "unit_label": "3楼",
        "floor_from": 3,
        "floor_to": 3,
        "floor_area_m2": Decimal("100"),
    }
    data.update(kw)
    return Premises(**data)


def room(district, **kw) -> Room:
    data = {"premises": district.premises_a, "number": "301", "area_m2": Decimal("12"), "occupants": 1}
    data.update(kw)
    return Room(**data)


def landlord(**kw) -> Landlord:
    data = {"name": "陈立新", "id_number": t.valid_id_number(555), "mobile": "13912345678"}
    data.update(kw)
    return Landlord(**data)


def tenant(district, **kw) -> TenantHousehold:
    data = {
        "premises": district.premises_a,
        "head_name": "周新",
        "id_number": t.valid_id_number(556, born="19900101"),
        "moved_in": dt.date(2024, 1, 1),
    }
    data.update(kw)
    return TenantHousehold(**data)


class TestBuilding:
    def test_valid_building_passes(self, district):
        building(
            district, latitude=Decimal("28.97"), longitude=Decimal("118.87"), height_m=Decimal("12")
        ).full_clean()

    @pytest.mark.parametrize(
        ("floors", "message"), [(0, "确保该值大于或等于1。"), (121, "确保该值小于或等于120。")]
    )
    def test_floors_between_1_and_120(self, district, floors, message):
        assert errors(building(district, floors=floors)) == {"floors": [message]}

    @pytest.mark.parametrize("year", [1799, "next"])
    def test_year_built_out_of_range_is_refused(self, district, year):
        if year == "next":
            year = timezone.localdate().year + 1
        assert errors(building(district, year_built=year)) == {
            "year_built": ["建成年份应在1800年至今年之间。"]
        }

    @pytest.mark.parametrize("year", [1800, "this"])
    def test_year_built_at_the_bounds_is_accepted(self, district, year):
        if year == "this":
            year = timezone.localdate().year
        building(district, year_built=year).full_clean()

    def test_height_above_eight_metres_a_floor_is_refused(self, district):
        assert errors(building(district, floors=4, height_m=Decimal("32.01"))) == {
            "height_m": ["建筑高度与层数不符（每层超过8米）。"]
        }
        building(district, floors=4, height_m=Decimal("32")).full_clean()

    def test_building_must_sit_on_a_grid(self, district):
        # limit_choices_to adds Django's own message, which its zh_Hans catalogue leaves untranslated.
        assert "建筑必须登记在网格上。" in errors(building(district, grid=district.c1))["grid"]

    def test_coordinates_outside_china_are_refused_per_field(self, district):
        found = errors(building(district, latitude=Decimal("118.87"), longitude=Decimal("28.97")))
        assert set(found) == {"latitude", "longitude"}
        assert found["latitude"] == ["纬度 118.87 不在中国境内（应在 3.8 至 53.6 之间）。"]

    def test_address_is_unique_within_a_grid(self, district):
        duplicate = building(district, address=district.building_a.address)
        assert errors(duplicate) == {"__all__": ["该网格内已登记相同地址的建筑。"]}

    def test_same_address_in_another_grid_is_allowed(self, district):
        building(district, grid=district.grid_a2, address=district.building_a.address).full_clean()

    def test_database_refuses_zero_floors(self, district):
        with pytest.raises(IntegrityError), transaction.atomic():
            Building.objects.create(grid=district.grid_a, address="零层路1号", floors=0)


class TestPremises:
    def test_valid_premises_passes(self, district):
        premises(district).full_clean()

    def test_floor_to_below_floor_from_is_refused(self, district):
        assert errors(premises(district, floor_from=3, floor_to=2)) == {
            "floor_to": ["结束楼层不能低于起始楼层。"]
        }

    def test_floor_to_above_the_buildings_floors_is_refused(self, district):
        assert errors(premises(district, floor_from=3, floor_to=5)) == {
            "floor_to": ["结束楼层（5）超过建筑的层数（4）。"]
        }

    def test_floors_up_to_the_top_and_basement_are_accepted(self, district):
        premises(district, floor_from=-2, floor_to=4).full_clean()

    def test_floor_below_minus_five_is_refused(self, district):
        assert errors(premises(district, floor_from=-6, floor_to=1)) == {
            "floor_from": ["确保该值大于或等于-5。"]
        }

    @pytest.mark.parametrize("area", [Decimal("0"), Decimal("0.99"), Decimal("100001")])
    def test_floor_area_out_of_range_is_refused(self, district, area):
        assert list(errors(premises(district, floor_area_m2=area))) == ["floor_area_m2"]

    @pytest.mark.parametrize("kind", [PremisesKind.SHOP, PremisesKind.MIXED_USE])
    @pytest.mark.parametrize("name", ["", "   "])
    def test_shop_and_mixed_use_need_a_business_name(self, district, kind, name):
        assert errors(premises(district, kind=kind, business_name=name)) == {
            "business_name": ["商铺和合用场所必须填写字号/经营名称。"]
        }

    def test_residential_needs_no_business_name(self, district):
        premises(district, kind=PremisesKind.RESIDENTIAL, business_name="").full_clean()
        premises(district, kind=PremisesKind.SHOP, business_name="老王小吃").full_clean()

    def test_unit_label_is_unique_within_a_building(self, district):
        assert errors(premises(district, unit_label="整幢")) == {
            "__all__": ["该建筑内已有相同门牌的出租户。"]
        }
        premises(
            district, building=district.building_b, unit_label="整幢", floor_to=1, floor_from=1
        ).full_clean()

    def test_shrinking_below_the_rooms_total_is_refused(self, district):
        p = district.premises_a  # 120 m² with room 201 of 15 m²
        t.make_room(p, "202", area_m2=Decimal("20"))
        p.floor_area_m2 = Decimal("34")
        found = errors(p)
        assert list(found) == ["floor_area_m2"]
        [message] = found["floor_area_m2"]
        assert message.startswith("建筑面积（34 m²）小于已登记房间面积之和（35")
        p.floor_area_m2 = Decimal("35")
        p.full_clean()

    def test_database_refuses_floors_out_of_order(self, district):
        with pytest.raises(IntegrityError), transaction.atomic():
            Premises.objects.create(
                building=district.building_a,
                landlord=district.landlord_a,
                unit_label="倒序",
                floor_from=3,
                floor_to=2,
                floor_area_m2=Decimal("50"),
            )

    def test_str_shows_address_label_and_business_name(self, district):
        assert str(district.premises_a) == "樟潭街道樟树潭村12号 整幢"
        assert str(district.shop_a).startswith("樟潭街道樟树潭村12号 1楼店面（")


class TestRoom:
    @pytest.mark.parametrize(
        ("occupants", "message"), [(-1, "确保该值大于或等于0。"), (51, "确保该值小于或等于50。")]
    )
    def test_occupants_between_0_and_50(self, district, occupants, message):
        assert errors(room(district, occupants=occupants)) == {"occupants": [message]}

    @pytest.mark.parametrize("occupants", [0, 50])
    def test_occupants_at_the_bounds_are_accepted(self, district, occupants):
        room(district, occupants=occupants).full_clean()

    @pytest.mark.parametrize("area", [Decimal("0"), Decimal("-3"), Decimal("0.49")])
    def test_room_area_must_be_positive(self, district, area):
        assert errors(room(district, area_m2=area)) == {"area_m2": ["确保该值大于或等于0.5。"]}

    def test_room_area_above_500_is_refused(self, district):
        big = t.make_premises(
            district.building_a, district.landlord_a, unit_label="仓库", floor_area_m2=Decimal("2000")
        )
        assert errors(room(district, premises=big, area_m2=Decimal("500.01"))) == {
            "area_m2": ["确保该值小于或等于500。"]
        }
        room(district, premises=big, area_m2=Decimal("500")).full_clean()

    def test_rooms_total_above_the_premises_area_is_refused(self, district):
        # premises_a is 120 m² and already has room 201 of 15 m².
        found = errors(room(district, area_m2=Decimal("105.01")))
        assert list(found) == ["area_m2"]
        assert found["area_m2"][0].startswith("各房间面积之和（120.01 m²）超过出租户建筑面积（120")
        room(district, area_m2=Decimal("105")).full_clean()

    def test_editing_a_room_does_not_count_it_twice(self, district):
        r = district.room_a
        r.area_m2 = Decimal("120")
        r.full_clean()

    def test_number_is_unique_within_a_premises(self, district):
        assert errors(room(district, number="201")) == {"__all__": ["该出租户内已有相同房间号。"]}
        room(district, premises=district.shop_a, number="201").full_clean()

    def test_database_refuses_zero_area(self, district):
        with pytest.raises(IntegrityError), transaction.atomic():
            Room.objects.create(premises=district.premises_a, number="000", area_m2=Decimal("0"))

    def test_database_refuses_negative_occupants(self, district):
        with pytest.raises(IntegrityError), transaction.atomic():
            Room.objects.create(
                premises=district.premises_a, number="neg", area_m2=Decimal("5"), occupants=-1
            )


class TestLandlord:
    def test_valid_landlord_passes(self, district):
        landlord().full_clean()

    @pytest.mark.parametrize("flag", ["is_party_member", "is_official", "is_deputy", "is_public_payroll"])
    def test_four_category_landlord_needs_an_employer_unit(self, district, flag):
        assert errors(landlord(**{flag: True})) == {
            "employer_unit": ["四类人员必须填写工作单位，以便单位认领。"]
        }
        landlord(**{flag: True}, employer_unit=district.unit).full_clean()

    def test_four_category_labels(self, district):
        flagged = landlord(is_party_member=True, is_deputy=True)
        assert flagged.is_four_category
        assert flagged.four_category_labels() == ["党员", "两代表一委员"]
        assert not landlord().is_four_category
        assert set(Landlord.objects.four_category()) == {district.landlord_a}

    def test_bad_id_number_is_refused_on_its_field(self, district):
        good = t.valid_id_number(9)
        bad = good[:17] + next(c for c in "0123456789X" if c != good[17])
        assert errors(landlord(id_number=bad)) == {
            "id_number": ["身份证号码校验位不正确，请核对后重新输入。"]
        }

    def test_bad_mobile_is_refused_on_its_field(self, district):
        assert errors(landlord(mobile="1234567")) == {"mobile": ["手机号码应为以1开头的11位数字。"]}

    def test_id_number_is_stored_normalised(self, district):
        lower = landlord(id_number="11010519491231002x")
        lower.full_clean()
        assert lower.id_number == "11010519491231002X"
        full = landlord(id_number="１１０１０５１９４９１２３１００２Ｘ")
        full.full_clean()
        assert full.id_number == "11010519491231002X"

    def test_id_number_is_unique(self, district):
        found = errors(landlord(id_number=district.landlord_a.id_number))
        assert found == {"id_number": ["具有 身份证号码 的 房东 已存在。"]}

    def test_id_number_unique_check_sees_through_lower_case_and_full_width(self, district):
        Landlord.objects.create(name="已登记", id_number="11010519491231002X")
        assert list(errors(landlord(id_number="11010519491231002x"))) == ["id_number"]
        assert list(errors(landlord(id_number="１１０１０５１９４９１２３１００２Ｘ"))) == ["id_number"]


class TestTenantHousehold:
    def test_valid_tenant_passes(self, district):
        tenant(district, room=district.room_a, moved_out=dt.date(2024, 6, 1)).full_clean()

    def test_moved_out_before_moved_in_is_refused(self, district):
        assert errors(tenant(district, moved_out=dt.date(2023, 12, 31))) == {
            "moved_out": ["搬离日期不能早于入住日期。"]
        }

    def test_moving_out_on_the_day_of_moving_in_is_allowed(self, district):
        tenant(district, moved_out=dt.date(2024, 1, 1)).full_clean()

    def test_database_refuses_moved_out_before_moved_in(self, district):
        with pytest.raises(IntegrityError), transaction.atomic():
            TenantHousehold.objects.create(
                premises=district.premises_a,
                head_name="倒序",
                id_number=t.valid_id_number(1),
                moved_in=dt.date(2024, 1, 2),
                moved_out=dt.date(2024, 1, 1),
            )

    def test_moved_in_far_in_the_future_is_refused(self, district):
        later = timezone.localdate() + dt.timedelta(days=91)
        assert errors(tenant(district, moved_in=later)) == {"moved_in": ["入住日期不能晚于今天90天以上。"]}
        tenant(district, moved_in=timezone.localdate() + dt.timedelta(days=90)).full_clean()

    def test_room_must_belong_to_the_premises(self, district):
        assert errors(tenant(district, room=district.room_b)) == {"room": ["所选房间不属于该出租户。"]}

    @pytest.mark.parametrize(("people", "field_ok"), [(0, False), (1, True), (30, True), (31, False)])
    def test_household_size_between_1_and_30(self, district, people, field_ok):
        household = tenant(district, people=people)
        if field_ok:
            household.full_clean()
        else:
            assert list(errors(household)) == ["people"]

    def test_id_number_is_stored_normalised(self, district):
        tn = tenant(district, id_number="11010519491231002x")
        tn.full_clean()
        assert tn.id_number == "11010519491231002X"

    def test_current_households(self, district):
        today = timezone.localdate()
        gone = t.make_tenant(
            district.premises_a, moved_in=dt.date(2020, 1, 1), moved_out=today - dt.timedelta(days=1)
        )
        leaving_later = t.make_tenant(district.premises_a, moved_out=today + dt.timedelta(days=10))
        coming = t.make_tenant(district.premises_a, moved_in=today + dt.timedelta(days=5))
        current = set(TenantHousehold.objects.filter(premises=district.premises_a).current())
        assert current == {district.tenant_a, leaving_later}
        assert gone not in current and coming not in current


class TestAuditLinks:
    def test_each_record_names_the_premises_file_it_belongs_to(self, district):
        assert district.premises_a.premises_for_audit() == district.premises_a
        assert district.room_a.premises_for_audit() == district.premises_a
        assert district.tenant_a.premises_for_audit() == district.premises_a
        assert district.building_a.premises_for_audit() is None
        assert district.landlord_a.premises_for_audit() is None

    def test_new_records_start_at_version_one(self, district):
        assert district.building_a.version == district.premises_a.version == district.room_a.version == 1
