"""The area tree's rules, units, and users' role rules."""

import pytest
from django.core.exceptions import ValidationError

from firegrid import testing as t
from firegrid.areas.choices import AreaLevel, Role
from firegrid.areas.models import Area, Unit, User

pytestmark = pytest.mark.django_db


def errors(obj, **kw) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        obj.full_clean(**kw)
    return info.value.message_dict


class TestAreaLevels:
    def test_district_cannot_have_a_parent(self, district):
        area = Area(level=AreaLevel.DISTRICT, name="另一区", code="330804", parent=district.d)
        assert errors(area) == {"parent": ["区级区域不能有上级区域。"]}

    def test_district_without_parent_is_valid(self, district):
        Area(level=AreaLevel.DISTRICT, name="柯城区", code="330802").full_clean()

    @pytest.mark.parametrize(
        ("level", "parent_name", "message"),
        [
            (AreaLevel.SUBDISTRICT, None, "街道/乡镇的上级必须是区。"),
            (AreaLevel.SUBDISTRICT, "c1", "街道/乡镇的上级必须是区。"),
            (AreaLevel.COMMUNITY, "d", "社区/村的上级必须是街道/乡镇。"),
            (AreaLevel.COMMUNITY, "grid_a", "社区/村的上级必须是街道/乡镇。"),
            (AreaLevel.GRID, None, "网格的上级必须是社区/村。"),
            (AreaLevel.GRID, "s1", "网格的上级必须是社区/村。"),
            (AreaLevel.GRID, "grid_a", "网格的上级必须是社区/村。"),
        ],
    )
    def test_child_must_sit_exactly_one_level_below_its_parent(self, district, level, parent_name, message):
        parent = getattr(district, parent_name) if parent_name else None
        area = Area(level=level, name="新区域", code="330803009009", parent=parent)
        assert errors(area) == {"parent": [message]}

    @pytest.mark.parametrize(
        ("level", "parent_name"),
        [(AreaLevel.SUBDISTRICT, "d"), (AreaLevel.COMMUNITY, "s1"), (AreaLevel.GRID, "c1")],
    )
    def test_child_one_level_below_is_valid(self, district, level, parent_name):
        Area(
            level=level, name="新区域", code="330803009009", parent=getattr(district, parent_name)
        ).full_clean()

    @pytest.mark.parametrize("code", ["33080", "abcdef", "330803-01", "1" * 21])
    def test_code_must_be_six_to_twenty_digits(self, district, code):
        area = Area(level=AreaLevel.GRID, name="新网格", code=code, parent=district.c1)
        assert "代码应为6至20位数字。" in errors(area)["code"]

    def test_code_is_unique(self, district):
        area = Area(level=AreaLevel.GRID, name="新网格", code=district.grid_a.code, parent=district.c1)
        assert list(errors(area)) == ["code"]

    def test_name_is_unique_within_a_parent(self, district):
        area = Area(
            level=AreaLevel.GRID, name=district.grid_a.name, code="330803001001009", parent=district.c1
        )
        assert errors(area) == {"__all__": ["同一上级区域下已有同名区域。"]}

    def test_same_name_under_another_parent_is_allowed(self, district):
        Area(
            level=AreaLevel.GRID, name=district.grid_a.name, code="330803002001009", parent=district.c2
        ).full_clean()


class TestAreaTreeQuestions:
    def test_ancestors_are_listed_from_the_top(self, district):
        assert district.grid_a.ancestor_ids == [
            district.d.pk,
            district.s1.pk,
            district.c1.pk,
            district.grid_a.pk,
        ]
        assert list(district.grid_a.ancestors()) == [district.d, district.s1, district.c1]
        assert list(district.d.ancestors()) == []

    def test_grid_ids_of_an_area_are_the_grids_below_it(self, district):
        assert set(district.s1.grid_ids()) == {district.grid_a.pk, district.grid_a2.pk}
        assert set(district.d.grid_ids()) == {district.grid_a.pk, district.grid_a2.pk, district.grid_b.pk}
        assert district.grid_b.grid_ids() == [district.grid_b.pk]

    def test_subtree_and_grids(self, district):
        assert set(Area.objects.subtree(district.c1)) == {district.c1, district.grid_a, district.grid_a2}
        assert set(Area.objects.subtree(district.s2).grids()) == {district.grid_b}


class TestUnit:
    def test_credit_code_format_is_checked(self, db):
        unit = Unit(name="某公司", credit_code="123")
        assert errors(unit) == {"credit_code": ["统一社会信用代码应为18位。"]}

    def test_credit_code_is_unique_but_many_units_may_leave_it_empty(self, db):
        t.make_unit("甲单位", credit_code="91330803MA2DJ1234X")
        t.make_unit("乙单位")
        Unit(name="丙单位").full_clean()
        duplicate = Unit(name="丁单位", credit_code="91330803MA2DJ1234X")
        assert errors(duplicate) == {"__all__": ["该统一社会信用代码已登记。"]}

    def test_contact_mobile_is_checked(self, db):
        unit = Unit(name="某单位", contact_mobile="12345678901")
        assert errors(unit) == {"contact_mobile": ["手机号码应为以1开头的11位数字。"]}


class TestUserRoleRules:
    def user(self, role, **kw) -> User:
        return User(username=f"u_{role}", role=role, password="x", **kw)

    def test_department_officer_needs_a_department(self, db):
        assert errors(self.user(Role.DEPARTMENT_OFFICER)) == {"department": ["部门人员必须选择所属部门。"]}

    def test_unit_liaison_needs_a_unit(self, db):
        assert errors(self.user(Role.UNIT_LIAISON)) == {"unit": ["单位联络人必须选择单位。"]}

    def test_landlord_account_needs_a_landlord_record(self, db):
        assert errors(self.user(Role.LANDLORD)) == {"landlord": ["房东账号必须关联房东档案。"]}

    def test_roles_with_their_link_are_valid(self, district):
        self.user(Role.DEPARTMENT_OFFICER, department=district.fire).full_clean()
        self.user(Role.UNIT_LIAISON, unit=district.unit).full_clean()
        self.user(Role.LANDLORD, landlord=district.landlord_b).full_clean()
        self.user(Role.GRID_WORKER).full_clean()
        self.user(Role.DISTRICT_COMMANDER).full_clean()

    def test_user_mobile_is_checked(self, db):
        assert errors(self.user(Role.GRID_WORKER, mobile="1234"))["mobile"] == [
            "手机号码应为以1开头的11位数字。"
        ]

    def test_str_prefers_full_name(self, db):
        assert str(User(username="wanggy", full_name="王网格")) == "王网格"
        assert str(User(username="wanggy")) == "wanggy"


class TestUserAreas:
    @pytest.mark.parametrize(
        ("role", "area_names"),
        [
            (Role.SUBDISTRICT_OFFICER, ["s1"]),
            (Role.COMMUNITY_OFFICER, ["c1", "c2"]),
            (Role.GRID_WORKER, ["grid_a", "grid_a2"]),
        ],
    )
    def test_area_role_with_areas_of_its_level_is_valid(self, district, role, area_names):
        User(role=role).validate_areas([getattr(district, n) for n in area_names])

    @pytest.mark.parametrize("role", [Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_OFFICER, Role.GRID_WORKER])
    def test_area_role_without_areas_is_refused(self, db, role):
        with pytest.raises(ValidationError) as info:
            User(role=role).validate_areas([])
        assert info.value.message_dict == {"areas": ["该角色必须指定负责区域。"]}

    def test_grid_worker_given_a_community_is_refused_naming_it(self, district):
        with pytest.raises(ValidationError) as info:
            User(role=Role.GRID_WORKER).validate_areas([district.grid_a, district.c1, district.s2])
        assert info.value.message_dict == {"areas": ["网格员只能负责网格：樟树潭社区、浮石街道 不符合。"]}

    def test_subdistrict_officer_given_a_grid_is_refused(self, district):
        with pytest.raises(ValidationError) as info:
            User(role=Role.SUBDISTRICT_OFFICER).validate_areas([district.grid_b])
        assert info.value.message_dict == {"areas": ["街道人员只能负责街道/乡镇：浮石一网格 不符合。"]}

    @pytest.mark.parametrize(
        "role", [Role.DISTRICT_COMMANDER, Role.DEPARTMENT_OFFICER, Role.UNIT_LIAISON, Role.LANDLORD]
    )
    def test_roles_without_an_area_level_need_no_areas(self, db, role):
        User(role=role).validate_areas([])


class TestUserScope:
    def test_scope_grid_ids_follow_the_role(self, district, personas):
        assert set(personas.subdistrict_officer.scope_grid_ids) == {district.grid_a.pk, district.grid_a2.pk}
        assert set(personas.community_officer.scope_grid_ids) == {district.grid_a.pk, district.grid_a2.pk}
        assert personas.grid_worker.scope_grid_ids == [district.grid_a.pk]
        assert personas.commander.scope_grid_ids is None
        assert personas.admin.scope_grid_ids is None
        assert personas.liaison.scope_grid_ids == []
        assert personas.landlord.scope_grid_ids == []

    def test_district_wide_roles_are_rooted_at_the_district(self, district, personas):
        assert personas.fire_officer.is_district_wide
        assert personas.fire_officer.scope_paths == [district.d.path]
        assert not personas.subdistrict_officer.is_district_wide

    def test_superuser_is_district_wide_whatever_the_role(self, district):
        user = t.make_user("root", Role.GRID_WORKER, is_superuser=True)
        assert user.is_district_wide
        assert user.scope_grid_ids is None

    def test_forget_scope_picks_up_new_areas(self, district, personas):
        gw = personas.grid_worker
        assert gw.scope_grid_ids == [district.grid_a.pk]
        gw.areas.add(district.grid_a2)
        assert gw.scope_grid_ids == [district.grid_a.pk]  # cached for the request
        gw.forget_scope()
        assert set(gw.scope_grid_ids) == {district.grid_a.pk, district.grid_a2.pk}
