"""A landlord known by name and mobile only (issue 13): the ID number may be left out where a mobile is
given, through the form, the API and the admin alike (`Landlord.clean`, the constraint
landlord_id_number_or_mobile), and the ID number is then to verify (待核实) as a ledger row's; both missing is one clear error naming both fields; the uniqueness of a
given ID number still holds; pages, exports and the portal cope with the empty ID number."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from firegrid import testing as t
from firegrid.api_testing import API, api_client
from firegrid.conftest import assert_status
from firegrid.registry.models import Landlord

pytestmark = pytest.mark.django_db

BOTH_MISSING = "必须填写身份证号码或手机号码。"


def landlord_form(district, **values) -> dict:
    return {"name": "陈新", "id_number": "", "mobile": "13812340001", "area": district.grid_a.pk, **values}


def test_the_model_asks_for_an_id_number_or_a_mobile_on_both_fields(district):
    landlord = Landlord(name="无号", area=district.grid_a)
    with pytest.raises(ValidationError) as raised:
        landlord.full_clean()
    assert raised.value.message_dict == {"id_number": [BOTH_MISSING], "mobile": [BOTH_MISSING]}
    Landlord(name="只有手机", mobile="13812340002", area=district.grid_a).full_clean()


def test_many_landlords_without_id_numbers_are_not_duplicates(district):
    for n in range(3):
        landlord = Landlord(name=f"无号{n}", mobile=f"1381234001{n}", area=district.grid_a)
        landlord.full_clean()
        landlord.save()
    assert Landlord.objects.filter(id_number="").count() == 3


def test_form_registers_a_landlord_by_name_and_mobile(login, district, personas):
    # An ID-less landlord outside the grid worker's scope does not make the empty ID number "outside".
    t.make_landlord("外网格", area=district.grid_b, id_number="", mobile="13812340009")
    client = login(personas.grid_worker)
    page = client.get(reverse("registry:landlord_add")).content.decode()
    assert "没有身份证号码时须填写手机号码。" in page
    response = client.post(reverse("registry:landlord_add"), landlord_form(district))
    assert_status(response, 302)
    landlord = Landlord.objects.get(name="陈新")
    # Its ID number is to verify at the next visit, as a ledger row's would be.
    assert (landlord.id_number, landlord.mobile, landlord.to_verify) == ("", "13812340001", ["id_number"])


def test_form_without_id_number_and_mobile_names_both_fields(login, district, personas):
    response = login(personas.grid_worker).post(
        reverse("registry:landlord_add"), landlord_form(district, mobile="")
    )
    assert_status(response, 200)
    errors = response.context["form"].errors
    assert errors["id_number"] == [BOTH_MISSING] and errors["mobile"] == [BOTH_MISSING]
    assert not Landlord.objects.filter(name="陈新").exists()


def test_form_gives_the_id_number_later_and_the_flag_drops(login, district, personas):
    landlord = t.make_landlord(
        "待核实房东", area=district.grid_a, id_number="", mobile="13812340003", to_verify=["id_number"]
    )
    client = login(personas.grid_worker)
    url = reverse("registry:landlord_edit", args=[landlord.pk])
    form = client.get(url).context["form"]
    assert "已登记：—" in str(form.fields["id_number"].help_text)
    data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
    data = {k: getattr(v, "pk", v) for k, v in data.items() if v not in (None, False)}
    data["id_number"] = t.valid_id_number(931)
    assert_status(client.post(url, data), 302)
    landlord.refresh_from_db()
    assert (landlord.id_number, landlord.mobile, landlord.to_verify) == (
        t.valid_id_number(931),
        "13812340003",
        [],
    )


def test_api_registers_a_landlord_by_name_and_mobile_and_names_both_fields_when_both_are_missing(
    district, personas
):
    client = api_client(personas.grid_worker)
    response = client.post(f"{API}/landlords/", landlord_form(district), format="json")
    assert_status(response, 201)
    assert response.data["id_number"] == "" and response.data["mobile"] == "138****0001"
    assert Landlord.objects.get(name="陈新").to_verify == ["id_number"]
    response = client.post(
        f"{API}/landlords/", landlord_form(district, name="另一位", mobile=""), format="json"
    )
    assert_status(response, 400)
    assert response.data == {"id_number": [BOTH_MISSING], "mobile": [BOTH_MISSING]}


def test_api_duplicate_id_number_is_still_refused(district, personas):
    response = api_client(personas.grid_worker).post(
        f"{API}/landlords/", landlord_form(district, id_number=district.landlord_a.id_number), format="json"
    )
    assert_status(response, 400)
    assert "已存在" in response.data["id_number"][0]


def test_api_junk_id_number_is_a_format_error_not_a_lookup(district, personas):
    """Found by the API fuzzing: an ID number holding a NUL byte reached the uniqueness query, which
    PostgreSQL refuses (500). The format is checked first; nothing is looked up."""
    client = api_client(personas.grid_worker)
    for junk in ("\x04\x0b¾\x00K%", "1234"):
        response = client.post(
            f"{API}/landlords/", landlord_form(district, id_number=junk, mobile=""), format="json"
        )
        assert_status(response, 400)
        assert "id_number" in response.data


def test_pages_and_exports_show_an_empty_id_number_as_nothing(login, district, personas):
    landlord = t.make_landlord("无号房东", area=district.grid_a, id_number="", mobile="13812340004")
    client = login(personas.grid_worker)
    detail = client.get(reverse("registry:landlord_detail", args=[landlord.pk]))
    assert_status(detail, 200)
    text = detail.content.decode()
    assert reverse("registry:landlord_reveal", args=[landlord.pk, "id_number"]) not in text
    assert reverse("registry:landlord_reveal", args=[landlord.pk, "mobile"]) in text
    assert_status(client.get(reverse("registry:landlord_list")), 200)
    export = login(personas.admin).get(reverse("registry:landlord_list"), {"export": "xlsx"})
    assert_status(export, 200)
    content = b"".join(export.streaming_content) if export.streaming else export.content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True)}
    assert rows["无号房东"][1] in ("", None)
