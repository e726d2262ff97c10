"""Web pages of the registry: the scope matrix (anonymous → outsider 404 → not allowed 403 → allowed),
editing through services with field errors, version conflicts, reveal, export."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from firegrid.conftest import assert_status
from firegrid.core.models import AuditEntry
from firegrid.registry.models import Building, Premises

pytestmark = pytest.mark.django_db

MODELS = ["building", "premises", "room", "landlord", "tenanthousehold"]


def obj_for(district, model):
    return {
        "building": district.building_a,
        "premises": district.premises_a,
        "room": district.room_a,
        "landlord": district.landlord_a,
        "tenanthousehold": district.tenant_a,
    }[model]


@pytest.mark.parametrize("model", MODELS)
def test_anonymous_is_sent_to_login(client, district, model):
    response = client.get(reverse(f"registry:{model}_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("page", ["detail", "edit", "history", "delete"])
def test_outsider_gets_404(login, district, personas, model, page):
    obj = obj_for(district, model)
    response = login(personas.outsider).get(reverse(f"registry:{model}_{page}", args=[obj.pk]))
    assert_status(response, 404)


@pytest.mark.parametrize("model", ["building", "premises", "room", "landlord"])
def test_department_officer_sees_but_may_not_edit(login, district, personas, model):
    client = login(personas.fire_officer)
    obj = obj_for(district, model)
    assert_status(client.get(reverse(f"registry:{model}_detail", args=[obj.pk])), 200)
    assert_status(client.get(reverse(f"registry:{model}_edit", args=[obj.pk])), 403)
    assert_status(client.post(reverse(f"registry:{model}_edit", args=[obj.pk]), {}), 403)
    assert_status(client.get(reverse(f"registry:{model}_add")), 403)


def test_grid_worker_may_not_delete(login, district, personas):
    response = login(personas.grid_worker).post(
        reverse("registry:building_delete", args=[district.building_a.pk]), {"reason": "x"}
    )
    assert_status(response, 403)
    assert Building.objects.filter(pk=district.building_a.pk).exists()


def test_liaison_cannot_open_tenants(login, district, personas):
    client = login(personas.liaison)
    assert_status(client.get(reverse("registry:tenanthousehold_detail", args=[district.tenant_a.pk])), 404)
    assert_status(client.get(reverse("registry:premises_detail", args=[district.premises_a.pk])), 200)


@pytest.mark.parametrize("model", MODELS)
def test_lists_show_only_scope(login, district, personas, model):
    response = login(personas.grid_worker).get(reverse(f"registry:{model}_list"))
    assert_status(response, 200)
    pks = {obj.pk for obj in response.context["object_list"]}
    assert obj_for(district, model).pk in pks
    assert response.context["paginator"].count == len(pks)


def test_premises_list_area_filter_includes_descendants(login, district, personas):
    client = login(personas.admin)
    response = client.get(reverse("registry:premises_list"), {"area": district.s1.pk})
    pks = {p.pk for p in response.context["object_list"]}
    assert pks == {district.premises_a.pk, district.shop_a.pk}
    response = client.get(reverse("registry:premises_list"), {"area": district.s2.pk, "kind": "residential"})
    assert {p.pk for p in response.context["object_list"]} == {district.premises_b.pk}


def test_area_outside_scope_is_not_a_filter_choice(login, district, personas):
    response = login(personas.grid_worker).get(
        reverse("registry:premises_list"), {"area": district.grid_b.pk}
    )
    assert response.context["paginator"].count == 0
    assert "area" in response.context["filterset"].errors


def test_htmx_request_gets_only_the_table(login, district, personas):
    response = login(personas.admin).get(
        reverse("registry:premises_list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results"
    )
    assert_status(response, 200)
    assert b"<html" not in response.content
    assert "樟潭街道樟树潭村12号".encode() in response.content


def test_list_queries_do_not_grow_with_rows(login, district, personas, django_assert_max_num_queries):
    from firegrid import testing as t

    client = login(personas.admin)
    client.get(reverse("registry:premises_list"))  # warm up session and content types
    for _ in range(15):
        t.make_premises(district.building_b, district.landlord_b)
    with django_assert_max_num_queries(12):
        client.get(reverse("registry:premises_list"))


def test_export_returns_the_filtered_rows_as_xlsx(login, district, personas):
    response = login(personas.admin).get(
        reverse("registry:premises_list"), {"area": district.s1.pk, "export": "xlsx"}
    )
    assert_status(response, 200)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "地址"
    assert len(rows) == 1 + 2


def test_export_masks_personal_data(login, district, personas):
    response = login(personas.admin).get(reverse("registry:landlord_list"), {"export": "xlsx"})
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    id_column = rows[0].index("身份证号码")
    assert all("*" in row[id_column] for row in rows[1:])


def test_grid_worker_edits_premises_and_sees_history(login, district, personas):
    client = login(personas.grid_worker)
    premises = district.premises_a
    url = reverse("registry:premises_edit", args=[premises.pk])
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
    data = {k: ("" if v is None else (v.pk if hasattr(v, "pk") else v)) for k, v in data.items()}
    data.update(unit_label="整幢（含阁楼）", change_reason="现场核实", is_shared_rental="on")
    response = client.post(url, data)
    assert_status(response, 302)
    premises.refresh_from_db()
    assert premises.unit_label == "整幢（含阁楼）"
    assert premises.version == 2
    history = client.get(reverse("registry:premises_history", args=[premises.pk]))
    assert "整幢（含阁楼）" in history.content.decode()
    assert "现场核实" in history.content.decode()


def _form_data(client, url):
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "pk"):
            value = value.pk
        if value is None or value is False:
            continue
        data[name] = value
    return data


def test_bad_input_is_named_and_kept(login, district, personas):
    client = login(personas.grid_worker)
    url = reverse("registry:room_edit", args=[district.room_a.pk])
    data = _form_data(client, url)
    data.update(area_m2="-3", number="201-甲")
    response = client.post(url, data)
    assert_status(response, 200)
    form = response.context["form"]
    assert "area_m2" in form.errors
    assert 'value="201-甲"' in response.content.decode()


def test_bad_resident_id_gets_a_chinese_message(login, district, personas):
    client = login(personas.grid_worker)
    url = reverse("registry:landlord_edit", args=[district.landlord_a.pk])
    data = _form_data(client, url)
    data["id_number"] = "330803198001010010"  # wrong check digit
    response = client.post(url, data)
    assert "校验位" in " ".join(response.context["form"].errors["id_number"])


def test_concurrent_edit_is_detected_and_typed_values_kept(login, district, personas):
    first = login(personas.grid_worker)
    second = login(personas.community_officer)
    url = reverse("registry:premises_edit", args=[district.premises_a.pk])
    data_first, data_second = _form_data(first, url), _form_data(second, url)
    data_first["unit_label"] = "第一人修改"
    assert_status(first.post(url, data_first), 302)
    data_second["unit_label"] = "第二人修改"
    response = second.post(url, data_second)
    assert_status(response, 200)
    page = response.content.decode()
    assert "第一人修改" in page and 'value="第二人修改"' in page
    assert Premises.objects.get(pk=district.premises_a.pk).unit_label == "第一人修改"
    # Saving again on top of the latest version is the second editor's explicit choice.
    data_second["version"] = 2
    assert_status(second.post(url, data_second), 302)


def test_grid_worker_cannot_move_building_out_of_scope(login, district, personas):
    client = login(personas.grid_worker)
    url = reverse("registry:building_edit", args=[district.building_a.pk])
    data = _form_data(client, url)
    data["grid"] = district.grid_b.pk
    response = client.post(url, data)
    assert_status(response, 200)
    assert "grid" in response.context["form"].errors
    assert Building.objects.get(pk=district.building_a.pk).grid_id == district.grid_a.pk


def test_reveal_is_recorded(login, district, personas):
    client = login(personas.grid_worker)
    url = reverse("registry:landlord_reveal", args=[district.landlord_a.pk, "id_number"])
    response = client.post(url)
    assert_status(response, 200)
    assert district.landlord_a.id_number in response.content.decode()
    assert AuditEntry.objects.filter(action="reveal", actor=personas.grid_worker).count() == 1


def test_reveal_refused_for_department_officer(login, district, personas):
    url = reverse("registry:landlord_reveal", args=[district.landlord_a.pk, "id_number"])
    assert_status(login(personas.fire_officer).post(url), 403)
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_detail_masks_personal_data(login, district, personas):
    page = (
        login(personas.admin)
        .get(reverse("registry:landlord_detail", args=[district.landlord_a.pk]))
        .content.decode()
    )
    assert district.landlord_a.id_number not in page
    assert district.landlord_a.id_number[-4:] in page


def test_edit_form_does_not_send_personal_data_and_blank_keeps_it(login, district, personas):
    client = login(personas.grid_worker)
    url = reverse("registry:landlord_edit", args=[district.landlord_a.pk])
    page = client.get(url).content.decode()
    assert district.landlord_a.id_number not in page
    data = _form_data(client, url)
    data.update(id_number="", mobile="", address="樟潭街道新地址1号")
    assert_status(client.post(url, data), 302)
    district.landlord_a.refresh_from_db()
    assert district.landlord_a.address == "樟潭街道新地址1号"
    assert len(district.landlord_a.id_number) == 18


def test_community_officer_deletes_room_with_reason(login, district, personas):
    client = login(personas.community_officer)
    url = reverse("registry:room_delete", args=[district.room_a.pk])
    response = client.post(url, {"reason": ""})
    assert "请填写删除原因" in response.content.decode()
    assert_status(client.post(url, {"reason": "房间已合并"}), 302)
    assert AuditEntry.objects.filter(action="delete", reason="房间已合并").exists()


def test_create_premises_from_building(login, district, personas):
    client = login(personas.grid_worker)
    url = reverse("registry:premises_add") + f"?building={district.building_a.pk}"
    assert_status(client.get(url), 200)
    response = client.post(
        reverse("registry:premises_add"),
        {
            "building": district.building_a.pk,
            "kind": "residential",
            "unit_label": "3楼",
            "floor_from": 3,
            "floor_to": 3,
            "floor_area_m2": "80",
            "landlord": district.landlord_a.pk,
            "status": "active",
        },
    )
    assert_status(response, 302)
    created = Premises.objects.get(unit_label="3楼")
    assert AuditEntry.objects.filter(action="create", object_id=str(created.pk), premises=created).exists()


def test_stale_delete_is_refused(login, district, personas):
    client = login(personas.community_officer)
    url = reverse("registry:room_delete", args=[district.room_a.pk])
    response = client.post(url, {"reason": "合并", "version": 7})
    assert "已被" in response.content.decode()
    assert district.room_a.__class__.objects.filter(pk=district.room_a.pk).exists()


def test_filter_by_out_of_scope_building_looks_like_a_missing_one(login, district, personas):
    client = login(personas.grid_worker)
    other = client.get(reverse("registry:premises_list"), {"building": district.building_b.pk})
    missing = client.get(reverse("registry:premises_list"), {"building": 999999})
    assert other.context["paginator"].count == missing.context["paginator"].count == 0
    assert set(other.context["filterset"].errors) == set(missing.context["filterset"].errors) == {"building"}


def test_whole_district_list_is_newest_first_and_an_area_list_by_address(login, district, personas):
    from firegrid import testing as t

    newest = t.make_premises(district.building_b, district.landlord_b, unit_label="新登记")
    admin = login(personas.admin)
    rows = list(admin.get(reverse("registry:premises_list")).context["object_list"])
    assert rows[0] == newest
    rows = list(admin.get(reverse("registry:premises_list"), {"area": district.d.pk}).context["object_list"])
    addresses = [p.building.address for p in rows]
    assert addresses == sorted(addresses)
    rows = list(login(personas.grid_worker).get(reverse("registry:premises_list")).context["object_list"])
    assert [p.unit_label for p in rows] == sorted(p.unit_label for p in rows)


def test_unit_list_counts_the_four_category_landlords_the_registry_hands_it(login, district, personas):
    rows = login(personas.admin).get(reverse("areas:unit_list")).context["rows"]
    counts = {unit.pk: unit.landlord_count for unit, *_rest in rows}
    assert counts[district.unit.pk] == 1
