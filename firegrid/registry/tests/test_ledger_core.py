"""Ledger import core (issue 13): unknown fields allowed and flagged 待核实, every error of a row at once,
the problem report's round trip, data rows vs skipped rows, and planned counts without rows in error."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from firegrid.registry.ledger import samples, services
from firegrid.registry.ledger.choices import ImportStatus, ProblemLevel
from firegrid.registry.ledger.messages import render
from firegrid.registry.ledger.report import load_problems, problem_report
from firegrid.registry.models import ImportJob, LedgerMapping, Premises, Room

pytestmark = pytest.mark.django_db

GRID_A = "樟树潭一网格"
# The community sheet without 建筑面积 (and without its 出租间数 and 备注): what rental ledgers look like.
NO_AREA = [h for h in samples.COMMUNITY_HEADERS if h not in ("建筑面积（㎡）",)]
AREA = samples.COMMUNITY_HEADERS.index("建筑面积（㎡）")


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIREGRID_LEDGER_INLINE = True


def upload(actor, data: bytes, name: str = "台账.xlsx", kind: str = "premises") -> ImportJob:
    return services.create_import_job(actor=actor, kind=kind, upload=SimpleUploadedFile(name, data))


def check(job: ImportJob, actor, *, save: bool = False) -> ImportJob:
    columns = {int(i): key for i, key in job.mapping["columns"].items()}
    services.confirm_mapping(
        job, actor=actor, columns=columns, default_grid=job.mapping.get("default_grid"), remember=save
    )
    services.start_validation(job, actor=actor)
    job.refresh_from_db()
    return job


def commit(job: ImportJob, actor) -> ImportJob:
    services.start_commit(job, actor=actor)
    job.refresh_from_db()
    return job


def rows(n: int, grid: str = GRID_A) -> list[list]:
    return [samples.community_row(i, grid) for i in range(n)]


def without_area(data_rows: list[list]) -> list[list]:
    return [[v for i, v in enumerate(r) if i != AREA] for r in data_rows]


def errors(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(p["row"], p["col"], render(p["message"])) for p in job.report if p["level"] == "error"]


# --- unknown allowed, flagged (待核实) -------------------------------------------------------------------


def test_a_ledger_without_area_imports_and_flags_the_area_to_verify(district, personas):
    user = personas.grid_worker
    job = upload(user, samples.write_xlsx(without_area(rows(3)), headers=NO_AREA))
    assert "premises.floor_area_m2" not in job.mapping["columns"].values()
    job = check(job, user)
    assert job.status == ImportStatus.VALIDATED and job.error_count == 0, errors(job)
    job = commit(job, user)
    assert job.status == ImportStatus.COMMITTED
    imported = Premises.objects.filter(building__address__startswith="樟潭街道测试村")
    assert imported.count() == 3
    for premises in imported:
        assert premises.floor_area_m2 is None
        assert premises.to_verify == ["floor_area_m2"]


def test_a_shop_without_its_name_is_flagged_not_refused(district, personas):
    user = personas.grid_worker
    data_rows = rows(1)
    data_rows[0][7] = "出租商铺"
    job = commit(check(upload(user, samples.write_xlsx(data_rows)), user), user)
    assert job.status == ImportStatus.COMMITTED, errors(job)
    shop = Premises.objects.get(building__address="樟潭街道测试村1号")
    assert shop.business_name == "" and shop.to_verify == ["business_name"]


def test_filling_a_field_later_clears_its_flag(district, personas):
    from firegrid.core.services import update_record

    user = personas.grid_worker
    commit(check(upload(user, samples.write_xlsx(without_area(rows(1)), headers=NO_AREA)), user), user)
    premises = Premises.objects.get(building__address="樟潭街道测试村1号")
    saved = update_record(
        premises, {"floor_area_m2": Decimal("55")}, actor=user, expected_version=premises.version
    )
    saved.refresh_from_db()
    assert saved.floor_area_m2 == Decimal("55") and saved.to_verify == []


def test_a_later_ledger_with_the_area_fills_it_and_clears_the_flag(district, personas):
    user = personas.grid_worker
    commit(check(upload(user, samples.write_xlsx(without_area(rows(2)), headers=NO_AREA)), user), user)
    job = commit(check(upload(user, samples.write_xlsx(rows(2))), user), user)
    assert job.status == ImportStatus.COMMITTED
    assert job.counts["premises"]["updated"] == 2
    for premises in Premises.objects.filter(building__address__startswith="樟潭街道测试村"):
        assert premises.floor_area_m2 == Decimal("60.5") and premises.to_verify == []


def test_a_form_still_needs_the_area_of_a_premises_not_flagged(district):
    from django.core.exceptions import ValidationError

    premises = district.premises_a
    premises.floor_area_m2 = None
    with pytest.raises(ValidationError) as raised:
        premises.full_clean()
    assert "floor_area_m2" in raised.value.message_dict


def test_rooms_of_a_premises_of_unknown_area_are_not_bounded_by_it(district):
    premises = district.premises_a
    Premises.objects.filter(pk=premises.pk).update(floor_area_m2=None, to_verify=["floor_area_m2"])
    room = Room(premises=Premises.objects.get(pk=premises.pk), number="909", area_m2=Decimal("400"))
    room.full_clean()  # no "sum of rooms exceeds the area" against an unknown area


def test_premises_file_says_unknown_area_not_none(district, personas):
    from firegrid.rectification.premises_file.dossier import dossier_content

    Premises.objects.filter(pk=district.premises_a.pk).update(floor_area_m2=None, to_verify=["floor_area_m2"])
    content = dossier_content(Premises.objects.get(pk=district.premises_a.pk), personas.grid_worker)
    text = repr(content)
    assert "None m²" not in text and "待核实" in text


def test_area_per_person_of_an_unknown_area_is_unknown():
    import datetime as dt

    from firegrid.risk.rules import Facts

    facts = Facts(premises_id=1, on=dt.date(2024, 1, 1), people=4)
    assert facts.area_per_person is None  # unknown, never "0 m² per person"


# --- every error of a row at once ------------------------------------------------------------------------


def test_unknown_community_bad_id_and_bad_mobile_are_all_reported_on_the_row(district, personas):
    user = personas.community_officer
    headers = ["序号", "社区", "网格", "房屋地址", "房东姓名", "身份证号码", "联系电话", "建筑面积"]
    good = samples.landlord_id(1)
    bad_id = good[:-1] + ("1" if good[-1] != "1" else "2")
    data = samples.write_xlsx(
        [
            [1, "樟潭社区", "网格1", "樟潭街道测试村1号", "张三", bad_id, "0570-1234567", 60],
            [2, "樟树潭社区", GRID_A, "樟潭街道测试村2号", "李四", samples.landlord_id(2), "13800000002", 60],
        ],
        headers=headers,
    )
    job = check(upload(user, data), user)
    row3 = sorted((col, text) for row, col, text in errors(job) if row == 3)
    assert row3 == [
        ("B", "没有找到社区「樟潭社区」（本行网格「网格1」），请填写系统中的社区名称。"),
        ("F", "身份证号码校验位不正确，请核对后重新输入。"),
        ("G", "手机号码应为以1开头的11位数字。"),
    ]
    assert not [e for e in errors(job) if e[0] == 4]


def test_a_duplicate_names_the_key_and_the_right_earlier_row(district, personas):
    user = personas.grid_worker
    data_rows = rows(6)
    data_rows[5] = list(data_rows[1])  # row 8 repeats row 4 (not row 3, the first of its building)
    data_rows[5][0] = 6
    job = check(upload(user, samples.write_xlsx(data_rows)), user)
    assert errors(job) == [(8, "D", "与第 4 行重复：同一建筑内相同的门牌/户号（樟潭街道测试村1号 202室）。")]


def test_a_row_placed_outside_the_importers_area_is_an_error_on_that_row(district, personas):
    user = personas.grid_worker
    data_rows = rows(2)
    data_rows[1][1] = "浮石一网格"
    job = check(upload(user, samples.write_xlsx(data_rows)), user)
    assert errors(job) == [(4, "B", "网格「浮石一网格」不在您的管辖范围内，不能导入。")]
    assert job.counts["premises"] == {"created": 1, "updated": 0, "unchanged": 0}


def test_planned_counts_leave_out_rows_with_errors(district, personas):
    user = personas.grid_worker
    data_rows = rows(6)  # two buildings of three premises, one landlord each
    for row in data_rows[3:]:
        row[10] = "八十"  # every premises of the second building has an error
    job = check(upload(user, samples.write_xlsx(data_rows)), user)
    assert job.error_count == 3
    assert job.counts["premises"]["created"] == 3
    assert job.counts["building"]["created"] == 1
    assert job.counts["landlord"]["created"] == 1


# --- data rows, skipped rows, the report's round trip -------------------------------------------------


def test_data_rows_exclude_totals_and_sign_off_which_are_listed_as_skipped(district, personas):
    user = personas.grid_worker
    job = check(upload(user, samples.write_xlsx(rows(4))), user)
    assert job.progress_total == 4  # the figure shown as 数据行数: records, not sheet lines
    skipped = [
        (p["row"], render(p["message"])) for p in load_problems(job) if p["level"] == ProblemLevel.SKIPPED
    ]
    assert skipped == [(7, "合计行"), (8, "落款或说明行")]
    assert job.error_count == 0 and job.warning_count == 0


def test_the_problem_report_reimports_as_the_original_with_its_mapping(district, personas):
    user = personas.grid_worker
    data_rows = rows(3)
    data_rows[1][10] = "八十"
    original = samples.write_xlsx(data_rows)
    first = check(upload(user, original), user, save=True)
    assert first.error_count == 1
    LedgerMapping.objects.update(used_count=0)
    report = load_workbook(problem_report(first))
    sheet = report.worksheets[0]
    assert sheet.title == "台账"
    assert "A1:M1" in [str(r) for r in sheet.merged_cells.ranges]  # the merged title is kept
    assert sheet.cell(row=2, column=14).value == "错误"
    assert sheet.cell(row=4, column=14).value  # the bad row says why
    sheet.cell(row=4, column=11).value = 80  # the officer fixes the row in the report
    fixed = io.BytesIO()
    report.save(fixed)
    again = upload(user, fixed.getvalue(), name="台账-问题报告.xlsx")
    assert again.headers == first.headers  # the 错误 column is not part of the ledger
    assert again.signature == first.signature
    assert again.mapping["columns"] == first.mapping["columns"]
    assert again.sheet_name == "台账"  # not the 问题清单 sheet
    again = check(again, user)
    assert again.error_count == 0, errors(again)
    again = commit(again, user)
    assert again.status == ImportStatus.COMMITTED
    assert Premises.objects.filter(building__address__startswith="樟潭街道测试村").count() == 3


def test_the_problem_report_keeps_formulas_as_formulas(district, personas):
    user = personas.grid_worker
    data_rows = rows(2)
    data_rows[0][10] = "abc"
    data = samples.write_xlsx(data_rows, formulas={"M4": "2"})  # 备注 column: a formula with its value
    job = check(upload(user, data), user)
    sheet = load_workbook(problem_report(job)).worksheets[0]
    assert sheet["M4"].value == "=1+1"


def test_english_report_cells_name_the_column_in_one_message(district, personas):
    from django.utils import translation

    from firegrid.registry.ledger.report import where_text

    problem = {"col": "G", "header": "联系电话"}
    assert where_text(problem) == "G列「联系电话」"
    with translation.override("en"):
        assert not where_text(problem).startswith("GColumns")


# --- 待核实 in the lists, on the premises page and in the work queue -------------------------------------


def flag_area(premises: Premises) -> Premises:
    Premises.objects.filter(pk=premises.pk).update(floor_area_m2=None, to_verify=["floor_area_m2"])
    return Premises.objects.get(pk=premises.pk)


def test_the_premises_list_filters_and_counts_what_is_to_verify(district, personas, login):
    from django.urls import reverse

    flag_area(district.premises_a)
    flag_area(district.premises_b)  # the outsider's grid: not counted for the grid worker
    client = login(personas.grid_worker)
    page = client.get(reverse("registry:premises_list")).content.decode()
    assert "待核实 1" in page
    listed = client.get(reverse("registry:premises_list") + "?to_verify=1").content.decode()
    assert district.premises_a.unit_label in listed
    assert reverse("registry:premises_detail", args=[district.shop_a.pk]) not in listed


def test_the_premises_page_shows_what_is_to_verify_and_the_ledgers_extra_columns(district, personas, login):
    from django.urls import reverse

    premises = flag_area(district.premises_a)
    Premises.objects.filter(pk=premises.pk).update(ledger_extra={"备注": "房东常住杭州", "出租间数": 6})
    page = login(personas.grid_worker).get(reverse("registry:premises_detail", args=[premises.pk]))
    text = page.content.decode()
    assert "台账导入时未知，请下次走访时核实：建筑面积 (m²)。" in text
    assert "房东常住杭州" in text and "出租间数" in text


def test_premises_to_verify_wait_in_the_grid_workers_queue(district, personas):
    import datetime as dt

    from firegrid.longterm.choices import QueueKind
    from firegrid.longterm.queue import work_queue

    premises = flag_area(district.premises_a)
    flag_area(district.premises_b)
    items = work_queue(personas.grid_worker, today=dt.date.today(), kind=QueueKind.TO_VERIFY).items
    mine = [i for i in items if i.id == premises.pk]
    assert mine and "台账导入待核实：建筑面积 (m²)" in mine[0].reason
    assert district.premises_b.pk not in {i.id for i in items}  # scope: the outsider's premises


# --- 出租房屋台账: one row feeds every table -----------------------------------------------------------

RENTAL_HEADERS = [
    "序号",
    "所属网格",
    "出租房屋地址",
    "房东姓名",
    "身份证号码",
    "联系电话",
    "四类人员类别",
    "工作单位",
    "是否四类人员",
    "出租间数",
    "居住人数",
    "备注",
    "消防器材",
]


def rental_rows(unit_name: str) -> list[list]:
    return [
        [
            1,
            GRID_A,
            "樟潭街道租赁村1号",
            "周一",
            samples.landlord_id(11),
            "13800000011",
            "党员",
            unit_name,
            "是",
            6,
            9,
            "有电动车",
            "灭火器2具",
        ],
        [
            2,
            GRID_A,
            "樟潭街道租赁村2号",
            "吴二",
            samples.landlord_id(12),
            "13800000012",
            "否",
            "",
            "否",
            3,
            4,
            "",
            "",
        ],
        [
            3,
            GRID_A,
            "樟潭街道租赁村3号",
            "郑三",
            samples.landlord_id(13),
            "13800000013",
            "干部",
            "",
            "是",
            2,
            2,
            "",
            "",
        ],
    ]


def test_a_rental_ledger_feeds_every_table_and_keeps_the_other_columns(district, personas):
    from firegrid.registry.models import Building, Landlord

    user = personas.grid_worker
    unit_name = district.unit.name
    data = samples.write_xlsx(rental_rows(unit_name), headers=RENTAL_HEADERS)
    job = upload(user, data, kind="rental_ledger")
    job = check(job, user)
    assert job.error_count == 0, errors(job)
    job = commit(job, user)
    assert job.status == ImportStatus.COMMITTED
    assert job.counts["premises"]["created"] == 3 and job.counts["building"]["created"] == 3
    assert job.counts["landlord"]["created"] == 3
    first = Premises.objects.get(building__address="樟潭街道租赁村1号")
    assert first.to_verify == ["floor_area_m2"] and first.floor_area_m2 is None
    assert first.ledger_extra == {
        "是否四类人员": "是",
        "备注": "有电动车",
        "消防器材": "灭火器2具",
        "出租间数": 6,
        "居住人数": 9,
    }
    zhou = Landlord.objects.get(id_number=samples.landlord_id(11))
    assert zhou.is_party_member and zhou.employer_unit == district.unit and zhou.to_verify == []
    zheng = Landlord.objects.get(id_number=samples.landlord_id(13))
    assert zheng.is_official and zheng.employer_unit is None and zheng.to_verify == ["employer_unit"]
    assert not Landlord.objects.get(id_number=samples.landlord_id(12)).is_four_category
    assert Building.objects.filter(address__startswith="樟潭街道租赁村").count() == 3


def test_a_rental_ledger_imported_twice_changes_nothing(district, personas):
    user = personas.grid_worker
    data = samples.write_xlsx(rental_rows(district.unit.name), headers=RENTAL_HEADERS)
    commit(check(upload(user, data, kind="rental_ledger"), user), user)
    versions = list(Premises.objects.order_by("pk").values_list("pk", "version"))
    again = commit(check(upload(user, data, kind="rental_ledger"), user), user)
    assert again.status == ImportStatus.COMMITTED
    for target in ("premises", "building", "landlord"):
        assert again.counts[target]["created"] == 0 and again.counts[target]["updated"] == 0, again.counts
    assert list(Premises.objects.order_by("pk").values_list("pk", "version")) == versions


def test_a_rental_ledger_with_an_unknown_unit_names_it_on_the_row(district, personas):
    user = personas.grid_worker
    job = check(
        upload(
            user,
            samples.write_xlsx(rental_rows("没有这个单位"), headers=RENTAL_HEADERS),
            kind="rental_ledger",
        ),
        user,
    )
    assert errors(job) == [(3, "H", "没有找到单位「没有这个单位」，请先登记该单位或检查名称。")]
