"""Ledger import (台账导入) through its services: reading real-world sheets, proposing the column mapping,
the dry run's row-by-row report, all-or-nothing commits, idempotent re-imports, scope."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from firegrid import testing as t
from firegrid.core.models import AuditEntry
from firegrid.registry.ledger import samples, services
from firegrid.registry.ledger.choices import ImportStatus
from firegrid.registry.ledger.messages import render
from firegrid.registry.ledger.report import problem_report, template_workbook
from firegrid.registry.models import Building, ImportJob, Landlord, LedgerMapping, Premises

pytestmark = pytest.mark.django_db

GRID_A = "樟树潭一网格"


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIREGRID_LEDGER_INLINE = True  # jobs run synchronously in tests


def upload(actor, data: bytes, name: str = "台账.xlsx", kind: str = "premises") -> ImportJob:
    return services.create_import_job(actor=actor, kind=kind, upload=SimpleUploadedFile(name, data))


def check(
    job: ImportJob, actor, *, columns: dict | None = None, default_grid: int | None = None
) -> ImportJob:
    """Confirm the proposed (or given) mapping and run the dry run."""
    if columns is None:
        columns = {int(i): key for i, key in job.mapping["columns"].items()}
    services.confirm_mapping(
        job, actor=actor, columns=columns, default_grid=default_grid or job.mapping.get("default_grid")
    )
    services.start_validation(job, actor=actor)
    job.refresh_from_db()
    return job


def commit(job: ImportJob, actor) -> ImportJob:
    services.start_commit(job, actor=actor)
    job.refresh_from_db()
    return job


def rows(n: int, grid: str = GRID_A, **kw) -> list[list]:
    return [samples.community_row(i, grid, **kw) for i in range(n)]


def problems(job: ImportJob) -> list[tuple]:
    return [(p["row"], p["col"], render(p["message"])) for p in job.report]


def message(problem: dict) -> str:
    """A stored problem's message as a user of the active language (Chinese in tests) reads it."""
    return render(problem["message"])


# --- reading and header detection --------------------------------------------------------------------


def test_header_found_under_merged_title_and_caption(district, personas):
    data = samples.write_xlsx(rows(3), caption="填报单位：樟树潭社区    填报日期：2024年3月1日")
    job = upload(personas.grid_worker, data)
    assert job.format == "xlsx"
    assert job.header_row == 3
    assert job.headers[:4] == ["序号", "所属网格", "房屋地址", "户号"]
    assert job.samples[2] == ["樟潭街道测试村1号", "樟潭街道测试村1号", "樟潭街道测试村1号"]
    assert job.samples[5][0] == "330803********" + samples.landlord_id(0)[-4:]  # masked on the page
    assert job.samples[6][0] == "138****0000"


def test_two_level_header_is_merged():
    from firegrid.registry.ledger.mapping import _choose_header

    head = [
        (1, ["出租房屋台账"]),
        (2, ["序号", "地址", "房东信息", None, None, "建筑面积"]),
        (3, [None, None, "姓名", "身份证号", "电话", None]),
        (4, [1, "测试村1号", "张三", samples.landlord_id(1), "13800000000", 80]),
    ]
    preview = _choose_header(head, "premises", None)
    assert (preview.header_row, preview.header_rows) == (2, 2)
    assert preview.headers == [
        "序号",
        "地址",
        "房东信息 / 姓名",
        "房东信息 / 身份证号",
        "房东信息 / 电话",
        "建筑面积",
    ]
    from firegrid.registry.ledger.mapping import propose_mapping

    proposal = propose_mapping("premises", preview)
    assert proposal.columns == {
        1: "building.address",
        2: "landlord.name",
        3: "landlord.id_number",
        4: "landlord.mobile",
        5: "premises.floor_area_m2",
    }


def test_the_sheet_with_the_ledger_is_chosen_over_a_cover_sheet(district, personas):
    book = Workbook()
    book.active.title = "封面"
    book.active.append(["樟树潭社区 2024 年出租房屋台账"])
    data = book.create_sheet("房东台账")
    data.append(samples.COMMUNITY_HEADERS)
    for r in rows(3):
        data.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    job = upload(personas.grid_worker, buffer.getvalue())
    assert (job.sheet_name, job.header_row, job.mapping["sheets"]) == ("房东台账", 1, ["封面", "房东台账"])
    assert job.progress_total == 4


def test_sheet_without_known_headers_is_refused(district, personas):
    data = samples.write_xlsx(
        [[1, 2, 3]], headers=["甲", "乙", "丙"], title=None, totals=False, sign_off=False
    )
    with pytest.raises(ValidationError, match="没有找到表头"):
        upload(personas.grid_worker, data)


def test_old_xls_and_non_tables_are_refused_by_content(district, personas):
    with pytest.raises(ValidationError, match="另存为"):
        upload(personas.grid_worker, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="a.xlsx")
    with pytest.raises(ValidationError, match=r"\.xlsx 或 \.csv"):
        upload(personas.grid_worker, b"%PDF-1.4", name="a.pdf")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encoding_is_detected(district, personas, encoding):
    data = samples.write_csv(rows(4), encoding=encoding)
    job = upload(personas.grid_worker, data, name="台账.csv")
    assert job.format == "csv"
    assert job.encoding == ("gb18030" if encoding == "gbk" else "utf-8-sig")
    job = commit(check(job, personas.grid_worker), personas.grid_worker)
    assert job.status == ImportStatus.COMMITTED, job.report
    assert Premises.objects.filter(building__address="樟潭街道测试村1号").count() == 3
    assert Landlord.objects.get(id_number=samples.landlord_id(0)).name == "房东1"


def test_gbk_is_detected_when_the_first_100_kb_are_ascii(tmp_path):
    from firegrid.registry.ledger.reading import detect_encoding

    path = tmp_path / "ledger.csv"
    path.write_bytes(b"1,2,3\n" * 20_000 + "樟树潭,张三\n".encode("gbk"))
    assert detect_encoding(path) == ("gb18030", 20_002)
    path.write_bytes(b"1,2,3\n" * 20_000 + "樟树潭,张三\n".encode())
    assert detect_encoding(path)[0] == "utf-8-sig"


# --- mapping -------------------------------------------------------------------------------------------


def test_mapping_proposed_from_community_headers(district, personas):
    job = upload(personas.grid_worker, samples.write_xlsx(rows(3)))
    assert job.mapping["columns"] == {
        "1": "grid",
        "2": "building.address",
        "3": "premises.unit_label",
        "4": "landlord.name",
        "5": "landlord.id_number",
        "6": "landlord.mobile",
        "7": "premises.kind",
        "8": "premises.floors",
        "9": "premises.room_count",
        "10": "premises.floor_area_m2",
        "11": "premises.is_shared_rental",
    }
    assert set(job.mapping["reasons"].values()) == {"name"}
    assert job.mapping["default_grid"] == district.grid_a.pk  # a grid worker's only grid


def test_mapping_proposed_from_sample_values(district, personas):
    headers = ["地址", "建筑面积", "业主", "证件", "号码"]
    data_rows = [[f"测试村{i}号", 80, f"房东{i}", samples.landlord_id(i), f"1390000000{i}"] for i in range(5)]
    job = upload(personas.grid_worker, samples.write_xlsx(data_rows, headers=headers, totals=False))
    assert job.mapping["columns"]["3"] == "landlord.id_number"
    assert job.mapping["columns"]["4"] == "landlord.mobile"
    assert job.mapping["reasons"]["3"] == job.mapping["reasons"]["4"] == "sample"


def test_confirmed_mapping_is_saved_and_proposed_next_time(district, personas):
    user = personas.grid_worker
    headers = ["门牌", "业主", "身份证", "电话", "面积", "自编列"]
    data_rows = [
        [f"测试村{i}号", f"房东{i}", samples.landlord_id(i), "13900000000", 80, "整幢"] for i in range(3)
    ]
    data = samples.write_xlsx(data_rows, headers=headers, totals=False)
    first = upload(user, data)
    assert "5" not in first.mapping["columns"]
    corrected = {**{int(i): k for i, k in first.mapping["columns"].items()}, 5: "premises.unit_label"}
    # Saving is the officer's explicit choice (issue 13): 保存此对应关系供本辖区下次使用.
    services.confirm_mapping(first, actor=user, columns=corrected, default_grid=None, remember=True)
    saved = LedgerMapping.objects.get(kind="premises", signature=first.signature)
    assert saved.used_count == 1 and saved.created_by == user

    second = upload(user, data, name="下个月.xlsx")
    assert second.mapping["saved_mapping"] == saved.pk
    assert second.mapping["columns"]["5"] == "premises.unit_label"
    assert set(second.mapping["reasons"].values()) == {"saved"}


def test_mapping_must_cover_required_fields_once(district, personas):
    job = upload(personas.grid_worker, samples.write_xlsx(rows(2)))
    columns = {int(i): k for i, k in job.mapping["columns"].items()}
    # A landlord is known by ID number or by name and mobile: one of the two columns is required.
    with pytest.raises(ValidationError, match="身份证号码或联系电话"):
        services.confirm_mapping(
            job,
            actor=personas.grid_worker,
            columns={i: k for i, k in columns.items() if k not in ("landlord.id_number", "landlord.mobile")},
            default_grid=None,
        )
    services.confirm_mapping(
        job,
        actor=personas.grid_worker,
        columns={i: k for i, k in columns.items() if k != "landlord.id_number"},
        default_grid=None,
    )
    with pytest.raises(ValidationError, match="只能对应一列"):
        services.confirm_mapping(
            job, actor=personas.grid_worker, columns={**columns, 12: "building.address"}, default_grid=None
        )


# --- the dry run ---------------------------------------------------------------------------------------


def test_messy_cells_are_cleaned(district, personas):
    """Full-width digits, trailing and ideographic spaces, blank rows, a totals row and a sign-off line."""
    user = personas.grid_worker
    data = samples.write_xlsx(rows(6, messy=True), blank_every=2)
    job = commit(check(upload(user, data), user), user)
    assert job.status == ImportStatus.COMMITTED, job.report
    assert job.counts["premises"] == {"created": 6, "updated": 0, "unchanged": 0}
    assert job.counts["building"]["created"] == 2 and job.counts["landlord"]["created"] == 2
    landlord = Landlord.objects.get(id_number=samples.landlord_id(0))
    assert (landlord.name, landlord.mobile, landlord.area_id) == ("房东1", "13800000000", district.grid_a.pk)
    building = Building.objects.get(address="樟潭街道测试村1号")
    assert building.floors == 3  # no 层数 column: the highest premises floor
    assert sorted(building.premises.values_list("unit_label", "floor_from", "floor_area_m2")) == [
        ("101室", 1, Decimal("60.50")),
        ("202室", 2, Decimal("60.50")),
        ("303室", 3, Decimal("60.50")),
    ]
    assert any("层数" in note for note in services.job_notes(job))


def test_formula_with_cached_value_imports_and_without_one_is_an_error(district, personas):
    user = personas.grid_worker
    data = samples.write_xlsx(rows(4), formulas={"K3": "120", "K5": None})
    job = check(upload(user, data), user)
    assert job.samples[10] == ["120", "60.5", "（公式，无计算结果）"]
    assert problems(job) == [
        (5, "K", "单元格是公式但没有计算结果，请在 Excel 中打开并保存后重新上传，或改为填写数值。")
    ]
    data = samples.write_xlsx(rows(4), formulas={"K3": "120"})
    job = commit(check(upload(user, data), user), user)
    assert (
        Premises.objects.get(building__address="樟潭街道测试村1号", unit_label="101室").floor_area_m2 == 120
    )


def test_dry_run_reports_every_problem_with_row_column_and_message(district, personas):
    user = personas.grid_worker
    data_rows = rows(9)
    data_rows[0][5] = data_rows[0][5][:-1] + ("1" if data_rows[0][5][-1] != "1" else "2")  # checksum
    data_rows[1][6] = "0570-1234567"  # a landline, not a mobile
    data_rows[2][10] = "八十"  # not a number
    data_rows[3][1] = "浮石一网格"  # the outsider's grid
    data_rows[4][7] = "出租商铺"  # a shop without its name: registered with the name to verify, no error
    data_rows[5][1] = "不存在网格"
    data_rows[7] = list(data_rows[6])  # the same premises twice
    data_rows[8][5] = samples.landlord_id(2)  # row 9's landlord (building 2) under another name
    data_rows[8][4] = "别的名字"
    job = check(upload(user, samples.write_xlsx(data_rows)), user)
    assert job.status == ImportStatus.VALIDATED
    errors = [(p["row"], p["col"], p["header"], message(p)) for p in job.report if p["level"] == "error"]
    assert errors == [
        (3, "F", "身份证号码", "身份证号码校验位不正确，请核对后重新输入。"),
        (4, "G", "联系电话", "手机号码应为以1开头的11位数字。"),
        (5, "K", "建筑面积（㎡）", "应填写数字，而不是「八十」。"),
        (6, "B", "所属网格", "网格「浮石一网格」不在您的管辖范围内，不能导入。"),
        (8, "B", "所属网格", "没有找到网格「不存在网格」，请填写系统中的网格名称或编码。"),
        (10, "D", "户号", "与第 9 行重复：同一建筑内相同的门牌/户号（樟潭街道测试村3号 101室）。"),
    ]
    warnings = [(p["row"], p["col"], message(p)) for p in job.report if p["level"] == "warning"]
    assert warnings == [
        # Row 4's landline is refused in its cell, so row 5's mobile is the landlord's, without a conflict.
        (11, "E", "同一身份证号码在第 9 行的姓名是「房东3」，本行是「别的名字」，以第 9 行为准。"),
    ]
    assert job.error_count == 6 and job.warning_count == 1
    assert not Premises.objects.filter(building__address__startswith="樟潭街道测试村").exists()


def test_a_new_landlord_needs_a_name(district, personas):
    user = personas.grid_worker
    data_rows = rows(2)
    data_rows[0][4] = " "
    job = check(upload(user, samples.write_xlsx(data_rows)), user)
    assert problems(job) == [(3, "E", "必须填写房东姓名。")]


def test_excel_number_id_is_reported(district, personas):
    user = personas.grid_worker
    data_rows = rows(2)
    data_rows[0][5] = 3.30803195001010e17  # what Excel keeps of an ID typed into a number cell
    job = check(upload(user, samples.write_xlsx(data_rows)), user)
    assert [(p["row"], p["col"]) for p in job.report] == [(3, "F")]
    assert "存成了数字" in message(job.report[0])


def test_dry_run_changes_nothing_and_counts_what_commit_would_do(district, personas):
    user = personas.grid_worker
    before = (
        Premises.objects.count(),
        Building.objects.count(),
        Landlord.objects.count(),
        AuditEntry.objects.count(),
    )
    job = check(upload(user, samples.write_xlsx(rows(12))), user)
    assert job.counts["premises"] == {"created": 12, "updated": 0, "unchanged": 0}
    assert before == (
        Premises.objects.count(),
        Building.objects.count(),
        Landlord.objects.count(),
        AuditEntry.objects.count(),
    )


# --- commit --------------------------------------------------------------------------------------------


def test_one_bad_row_among_2000_commits_nothing_and_names_it(district, personas):
    user = personas.grid_worker
    data_rows = rows(2000)
    data_rows[1536][10] = "-5"  # row 1538 in Excel (header in row 1)
    data = samples.write_xlsx(data_rows, write_only=True, title=None, totals=False, sign_off=False)
    before = Premises.objects.count()
    job = check(upload(user, data), user)
    assert problems(job) == [(1538, "K", "确保该值大于或等于1。")]
    assert job.counts["premises"]["created"] == 1999  # what the good rows would do
    with pytest.raises(ValidationError):
        services.start_commit(job, actor=user)
    assert Premises.objects.count() == before
    assert not Building.objects.filter(address__startswith="樟潭街道测试村").exists()


def test_commit_checks_again_and_writes_nothing_when_a_row_has_become_wrong(district, personas):
    user = personas.grid_worker
    data = samples.write_xlsx(rows(2000), write_only=True, title=None, totals=False, sign_off=False)
    job = check(upload(user, data), user)
    assert job.error_count == 0
    # Meanwhile someone registers the building of rows 1538-1540 (premises on floors 1, 2, 3) with 1 floor.
    t.make_building(district.grid_a, "樟潭街道测试村513号", floors=1)
    before = (Premises.objects.count(), Landlord.objects.count(), AuditEntry.objects.count())
    job = commit(job, user)
    assert job.status == ImportStatus.VALIDATED and not job.committed
    assert [(p["row"], p["col"]) for p in job.report] == [(1539, "I"), (1540, "I")]
    assert "超过建筑的层数" in message(job.report[0])
    assert "未导入任何数据" in services.job_notes(job)[0]
    assert before == (Premises.objects.count(), Landlord.objects.count(), AuditEntry.objects.count())
    assert Building.objects.filter(address__startswith="樟潭街道测试村").count() == 1


def test_reimporting_the_same_file_changes_nothing(district, personas):
    user = personas.grid_worker
    data = samples.write_xlsx(rows(30, messy=True), blank_every=7)
    first = commit(check(upload(user, data), user), user)
    assert first.status == ImportStatus.COMMITTED, first.report
    snapshot = sorted(Premises.objects.values_list("pk", "version", "updated_at"))
    landlords = sorted(Landlord.objects.values_list("pk", "version", "updated_at"))
    audit_before = AuditEntry.objects.count()

    again = commit(check(upload(user, data), user), user)
    assert again.status == ImportStatus.COMMITTED
    assert again.counts == {
        "premises": {"created": 0, "updated": 0, "unchanged": 30},
        "building": {"created": 0, "updated": 0, "unchanged": 10},
        "landlord": {"created": 0, "updated": 0, "unchanged": 10},
    }
    assert sorted(Premises.objects.values_list("pk", "version", "updated_at")) == snapshot
    assert sorted(Landlord.objects.values_list("pk", "version", "updated_at")) == landlords
    entries = AuditEntry.objects.order_by("id")[audit_before:]
    assert [(e.object_id, e.action) for e in entries] == [(str(again.pk), "create")]  # the job's own entry


def test_commit_writes_one_audit_entry_on_the_job(district, personas):
    user = personas.grid_worker
    before = AuditEntry.objects.count()
    job = commit(check(upload(user, samples.write_xlsx(rows(6)), name="樟树潭三月.xlsx"), user), user)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.first()
    assert entry.content_type.model == "importjob" and entry.object_id == str(job.pk)
    assert entry.actor == user and "樟树潭三月.xlsx" in entry.reason
    assert entry.after["premises_created"] == 6 and entry.after["original_name"] == "樟树潭三月.xlsx"


def test_changed_values_update_the_registered_records(district, personas):
    user = personas.grid_worker
    data_rows = rows(3)
    commit(check(upload(user, samples.write_xlsx(data_rows)), user), user)
    premises = Premises.objects.get(building__address="樟潭街道测试村1号", unit_label="101室")
    data_rows[0][10] = "75"
    data_rows[0][6] = "13912345678"  # the landlord's new mobile
    job = commit(check(upload(user, samples.write_xlsx(data_rows)), user), user)
    assert job.counts["premises"] == {"created": 0, "updated": 1, "unchanged": 2}
    assert job.counts["landlord"] == {"created": 0, "updated": 1, "unchanged": 0}
    premises.refresh_from_db()
    assert (premises.floor_area_m2, premises.version) == (Decimal("75"), 2)
    assert premises.landlord.mobile == "13912345678"


def test_registered_landlord_with_another_name_is_a_warning(district, personas):
    user = personas.grid_worker
    data_rows = rows(1)
    data_rows[0][5] = district.landlord_a.id_number
    data_rows[0][4] = "张国建"
    job = check(upload(user, samples.write_xlsx(data_rows)), user)
    assert job.error_count == 0 and job.warning_count == 1
    assert "已登记为「张建国」" in message(job.report[0])
    job = commit(job, user)
    assert job.status == ImportStatus.COMMITTED
    assert Landlord.objects.get(pk=district.landlord_a.pk).name == "张建国"
    assert Premises.objects.get(building__address="樟潭街道测试村1号").landlord == district.landlord_a


def test_existing_building_and_premises_are_matched_by_address_and_unit_label(district, personas):
    user = personas.grid_worker
    row = samples.community_row(0, GRID_A)
    row[2], row[3] = district.building_a.address, "整幢"
    row[5], row[4] = district.landlord_a.id_number, district.landlord_a.name
    job = commit(check(upload(user, samples.write_xlsx([row])), user), user)
    assert job.counts["building"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert job.counts["premises"]["updated"] == 1  # area and floors from the ledger
    district.premises_a.refresh_from_db()
    assert district.premises_a.floor_area_m2 == Decimal("60.5")


def test_grid_worker_cannot_import_into_another_grid(district, personas):
    user = personas.grid_worker
    job = check(upload(user, samples.write_xlsx(rows(3, grid="浮石一网格"))), user)
    assert job.error_count == 3
    assert {message(p) for p in job.report} == {"网格「浮石一网格」不在您的管辖范围内，不能导入。"}
    with pytest.raises(ValidationError):
        services.start_commit(job, actor=user)
    # The subdistrict officer of 樟潭街道 may not either; a system admin may.
    job = check(
        upload(personas.subdistrict_officer, samples.write_xlsx(rows(3, grid="浮石一网格"))),
        personas.subdistrict_officer,
    )
    assert job.error_count == 3
    admin = personas.admin
    job = commit(check(upload(admin, samples.write_xlsx(rows(3, grid="浮石一网格"))), admin), admin)
    assert job.status == ImportStatus.COMMITTED
    assert Premises.objects.filter(building__grid=district.grid_b).count() == 4


def test_grid_names_repeat_across_communities_the_community_decides(district, personas):
    other = t.make_area("grid", GRID_A, district.c2, code="330803002001009")  # same name, other community
    admin = personas.admin
    job = check(upload(admin, samples.write_xlsx(rows(1))), admin)
    assert "多个社区中重复" in message(job.report[0])
    headers = [*samples.COMMUNITY_HEADERS[:-1], "社区"]
    data_rows = [[*r[:-1], "浮石社区"] for r in rows(2)]
    job = commit(check(upload(admin, samples.write_xlsx(data_rows, headers=headers)), admin), admin)
    assert job.status == ImportStatus.COMMITTED, job.report
    assert set(
        Building.objects.filter(address__startswith="樟潭街道测试村").values_list("grid", flat=True)
    ) == {other.pk}


def test_an_interrupted_job_may_be_checked_again(district, personas):
    import datetime as dt

    from django.utils import timezone

    user = personas.grid_worker
    job = upload(user, samples.write_xlsx(rows(2)))
    services.confirm_mapping(
        job, actor=user, columns={int(i): k for i, k in job.mapping["columns"].items()}, default_grid=None
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.COMMITTING)
    with pytest.raises(ValidationError):  # still running
        services.start_validation(job, actor=user)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    job.refresh_from_db()
    assert services.is_stale(job)
    services.start_validation(job, actor=user)
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and job.error_count == 0


def test_a_collision_with_a_concurrent_change_fails_the_job_cleanly(district, personas, monkeypatch):
    from django.db import IntegrityError

    from firegrid.registry.ledger import kinds

    user = personas.grid_worker
    job = check(upload(user, samples.write_xlsx(rows(3))), user)

    def collide(self, rows):
        raise IntegrityError("UNIQUE constraint failed: registry_building.grid_id, registry_building.address")

    monkeypatch.setattr(kinds.PremisesImporter, "process", collide)
    job = commit(job, user)
    assert job.status == ImportStatus.FAILED and "同时登记" in services.job_notes(job)[0]
    assert not Premises.objects.filter(building__address__startswith="樟潭街道测试村").exists()
    monkeypatch.undo()
    services.start_validation(job, actor=user)  # a failed job may be checked again
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED


def test_department_officer_may_not_import(district, personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        upload(personas.fire_officer, samples.write_xlsx(rows(1)))
    assert services.importable_kinds(personas.fire_officer) == []
    assert services.importable_kinds(personas.landlord) == []
    assert "premises" in services.importable_kinds(personas.grid_worker)


# --- reports and templates -------------------------------------------------------------------------------


def test_problem_report_has_the_rows_and_an_error_column(district, personas):
    user = personas.grid_worker
    data_rows = rows(5)
    data_rows[2][10] = "abc"
    job = check(upload(user, samples.write_xlsx(data_rows, blank_every=2)), user)
    book = load_workbook(problem_report(job), read_only=True)
    sheet = book.worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "樟树潭社区出租房屋消防安全排查台账"
    assert values[1][:3] == ["序号", "所属网格", "房屋地址"] and values[1][13] == "错误"
    row6 = values[5]  # rows keep their numbers: row 6 of the report is row 6 of the ledger
    assert row6[0] == 3 and "K列「建筑面积（㎡）」" in row6[13] and "应填写数字" in row6[13]
    # Other rows have no 错误 cell, but for the rows skipped as not records (blank lines between
    # records, the totals and sign-off rows), which say so.
    assert all(
        len(v) < 14 or v[13] is None or v[13].startswith("已跳过：")
        for i, v in enumerate(values)
        if i not in (1, 5)
    )
    assert [v[13] for v in values if len(v) > 13 and v[13] and v[13].startswith("已跳过：")] == [
        "已跳过：合计行",
        "已跳过：落款或说明行",
    ]
    listing = [list(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert listing[0] == ["行", "列", "表头", "级别", "问题"]
    assert listing[1][:4] == [6, "K", "建筑面积（㎡）", "错误"]


@pytest.mark.parametrize("kind", ["premises", "building", "room", "landlord", "tenant_household"])
def test_template_has_headers_an_example_row_and_notes(kind):
    book = load_workbook(io.BytesIO(template_workbook(kind)))
    data, notes = book.worksheets
    headers = [c.value for c in data[1]]
    assert headers[0] == "序号" and data["A2"].value == "示例"
    assert [r[0] for r in notes.iter_rows(min_row=2, max_row=len(headers), values_only=True)] == [
        h.lstrip("*") for h in headers[1:]
    ]


def test_a_filled_template_maps_by_itself_and_skips_its_example(district, personas):
    user = personas.grid_worker
    book = load_workbook(io.BytesIO(template_workbook("premises")))
    sheet = book.active
    headers = [c.value.lstrip("*") for c in sheet[1]]
    row = dict.fromkeys(headers, None)
    row.update(
        {
            "序号": 1,
            "网格": GRID_A,
            "地址": "樟潭街道模板路1号",
            "门牌/户号": "整幢",
            "建筑面积": 200,
            "房东姓名": "模板房东",
            "身份证号码": samples.landlord_id(77),
            "层数": 3,
            "楼层": "整幢",
        }
    )
    sheet.append([row[h] for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    job = upload(user, buffer.getvalue())
    assert len(job.mapping["columns"]) == len(headers) - 1  # every column but 序号
    job = commit(check(job, user), user)
    assert job.counts["premises"] == {"created": 1, "updated": 0, "unchanged": 0}, job.report
    premises = Premises.objects.get(building__address="樟潭街道模板路1号")
    assert (premises.floor_from, premises.floor_to, premises.building.floors) == (1, 3, 3)
    assert (
        not Building.objects.filter(address="樟潭街道樟树潭村12号", grid=district.grid_a)
        .exclude(pk=district.building_a.pk)
        .exists()
    )


# --- the other kinds -------------------------------------------------------------------------------------


def sheet_bytes(headers: list[str], data_rows: list[list]) -> bytes:
    book = Workbook()
    book.active.append(headers)
    for r in data_rows:
        book.active.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_buildings_ledger(district, personas):
    user = personas.grid_worker
    data = sheet_bytes(
        ["网格", "地址", "层数", "结构", "建成年份"],
        [
            [GRID_A, "樟潭街道新路1号", 5, "框架结构", 2008],
            [GRID_A, "樟潭街道新路2号", None, "砖混", 1990],
            [GRID_A, district.building_a.address, 5, "砖混", None],
            [GRID_A, "樟潭街道新路1号", 5, "框架", 2008],
        ],
    )
    job = check(upload(user, data, kind="building"), user)
    assert problems(job) == [
        (3, "C", "必须填写层数。"),
        (5, "B", "与第 2 行重复：同一网格内相同的地址「樟潭街道新路1号」。"),
    ]
    data = sheet_bytes(
        ["网格", "地址", "层数", "结构"],
        [[GRID_A, "樟潭街道新路1号", 5, "框架"], [GRID_A, district.building_a.address, 5, "砖混"]],
    )
    job = commit(check(upload(user, data, kind="building"), user), user)
    assert job.counts["building"] == {"created": 1, "updated": 1, "unchanged": 0}
    district.building_a.refresh_from_db()
    assert district.building_a.floors == 5 and district.building_a.version == 2


def test_landlords_ledger_and_a_landlord_outside_scope(district, personas):
    user = personas.grid_worker
    data = sheet_bytes(
        ["姓名", "身份证号码", "手机号码", "党员", "工作单位"],
        [
            ["新房东", samples.landlord_id(501), "13700000000", "是", "衢江区住建局"],
            ["李秀英", district.landlord_b.id_number, "13700000001", "否", None],
            ["无单位", samples.landlord_id(502), None, "是", "不存在的单位"],
        ],
    )
    job = check(upload(user, data, kind="landlord"), user)
    assert problems(job) == [
        (3, "B", "该证件号码属于您辖区外的房东，请联系上级"),
        (4, "E", "没有找到单位「不存在的单位」，请先登记该单位或检查名称。"),
    ]
    assert job.counts["landlord"] == {"created": 1, "updated": 0, "unchanged": 0}
    job = commit(
        check(
            upload(
                user,
                sheet_bytes(
                    ["姓名", "身份证号码", "党员", "工作单位"],
                    [["新房东", samples.landlord_id(501), "是", "衢江区住建局"]],
                ),
                kind="landlord",
            ),
            user,
        ),
        user,
    )
    landlord = Landlord.objects.get(id_number=samples.landlord_id(501))
    assert (landlord.is_party_member, landlord.employer_unit, landlord.area) == (
        True,
        district.unit,
        district.grid_a,
    )


def test_rooms_ledger(district, personas):
    user = personas.grid_worker
    headers = ["地址", "户号", "房间号", "使用面积", "居住人数"]
    address = district.building_a.address
    data = sheet_bytes(
        headers,
        [[address, "整幢", "202", 20, 2], [address, "整幢", "201", 18, 3], [address, "9楼", "1", 10, 1]],
    )
    job = check(upload(user, data, kind="room"), user)
    assert [(r, c) for r, c, _ in problems(job)] == [(4, "B")]
    assert "没有找到出租户" in message(job.report[0])
    data = sheet_bytes(headers, [[address, "整幢", "202", 20, 2], [address, "整幢", "201", 18, 3]])
    job = commit(check(upload(user, data, kind="room"), user), user)
    assert job.counts["room"] == {"created": 1, "updated": 1, "unchanged": 0}
    district.room_a.refresh_from_db()
    assert (district.room_a.area_m2, district.room_a.occupants) == (Decimal("18"), 3)
    too_big = sheet_bytes(headers, [[address, "整幢", "203", 90, 1]])
    job = check(upload(user, too_big, kind="room"), user)
    assert problems(job) == [(2, "D", "各房间面积之和（128.00 m²）超过出租户建筑面积（120.00 m²）。")]


def test_tenant_households_ledger(district, personas):
    user = personas.grid_worker
    headers = ["地址", "户号", "房间", "租户姓名", "身份证号码", "入住日期", "人数"]
    address = district.building_a.address
    data = sheet_bytes(
        headers,
        [
            [address, "整幢", "201", "刘一", samples.id_number(11, born="19900101"), "2024/3/1", 2],
            [address, "整幢", "999", "刘二", samples.id_number(12, born="19900101"), "2024年3月2日", 1],
            [
                address,
                "整幢",
                None,
                district.tenant_a.head_name,
                district.tenant_a.id_number,
                district.tenant_a.moved_in,
                3,
            ],
        ],
    )
    job = check(upload(user, data, kind="tenant_household"), user)
    assert problems(job) == [(3, "C", "该出租户没有登记房间「999」，请先导入房间。")]
    data = sheet_bytes(
        headers,
        [
            data_row
            for data_row in [
                [address, "整幢", "201", "刘一", samples.id_number(11, born="19900101"), "2024/3/1", 2],
                [
                    address,
                    "整幢",
                    None,
                    district.tenant_a.head_name,
                    district.tenant_a.id_number,
                    district.tenant_a.moved_in,
                    3,
                ],
            ]
        ],
    )
    job = commit(check(upload(user, data, kind="tenant_household"), user), user)
    assert job.counts["tenant_household"] == {"created": 1, "updated": 1, "unchanged": 0}
    district.tenant_a.refresh_from_db()
    assert district.tenant_a.people == 3 and district.tenant_a.room == district.room_a
