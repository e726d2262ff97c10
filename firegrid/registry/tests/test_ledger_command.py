"""`firegrid ledger import …` and the mapping commands: the same services and scope as the pages, the job
run here, exit codes 0 (committed or a clean dry run) / 2 (row errors, the JSON report) / 1 (broken file)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from firegrid.core.models import AuditEntry
from firegrid.registry.ledger import samples
from firegrid.registry.ledger.choices import ImportStatus
from firegrid.registry.ledger.mapping import header_signature
from firegrid.registry.models import ImportJob, Landlord, LedgerMapping, Premises

from . import ledgers

pytestmark = pytest.mark.django_db

GRID_A = "樟树潭一网格"
GRID_A_CODE = "330803001001001"
COMMUNITY_CODE = "330803001001"


def rows(n: int, grid: str = GRID_A, **kw) -> list[list]:
    return [samples.community_row(i, grid, **kw) for i in range(n)]


def run(*args: str) -> tuple[int, str, str]:
    """The command's exit code, stdout and stderr."""
    out, err = StringIO(), StringIO()
    try:
        call_command("ledger", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), f"{err.getvalue()}{exc}"
    return 0, out.getvalue(), err.getvalue()


def import_args(path: Path, user: str = "wanggy", area: str = GRID_A_CODE, *more: str) -> list[str]:
    return ["import", str(path), "--type", "premises", "--area", area, "--user", user, *more]


@pytest.fixture
def ledger_file(tmp_path):
    def write(data: bytes, name: str = "台账.xlsx") -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


def test_a_clean_ledger_is_committed_with_exit_0(district, personas, ledger_file):
    path = ledger_file(samples.write_xlsx(rows(6, messy=True), blank_every=2))
    code, out, err = run(*import_args(path, "wanggy", GRID_A_CODE, "--json"))
    assert code == 0, err
    report = json.loads(out)
    job = ImportJob.objects.get(pk=report["job"])
    assert (job.status, job.created_by) == (ImportStatus.COMMITTED, personas.grid_worker)
    assert report["status"] == "committed" and report["committed"] is True
    assert report["counts"]["premises"] == {"created": 6, "updated": 0, "unchanged": 0}
    assert report["errors"] == 0 and not [p for p in report["problems"] if p["level"] == "error"]
    assert Premises.objects.filter(building__address="樟潭街道测试村1号").count() == 3
    # Progress on stderr; one audit entry for the import, as from the page.
    assert "check:" in err and "commit:" in err
    assert AuditEntry.objects.filter(reason__contains="台账.xlsx").count() == 1


def test_a_dry_run_writes_nothing_and_exits_0(district, personas, ledger_file):
    path = ledger_file(samples.write_xlsx(rows(3)))
    code, out, err = run(*import_args(path, "wanggy", GRID_A_CODE, "--dry-run", "--json"))
    assert code == 0, err
    report = json.loads(out)
    assert (report["status"], report["dry_run"], report["committed"]) == ("validated", True, False)
    assert report["counts"]["premises"]["created"] == 3
    assert not Premises.objects.filter(building__address__startswith="樟潭街道测试村").exists()


def test_row_errors_exit_2_with_every_problem_in_json(district, personas, ledger_file):
    data = rows(3)
    data[1][5] = "330803198001010010"  # a wrong check character
    data[2][6] = "1380000"  # too short for a mobile
    path = ledger_file(samples.write_xlsx(data))
    code, out, err = run(*import_args(path))  # no --json: the report is JSON all the same
    assert code == 2
    report = json.loads(out)
    assert report["errors"] == 2 and report["committed"] is False
    errors = [p for p in report["problems"] if p["level"] == "error"]
    assert [(p["row"], p["column"], p["header"]) for p in errors] == [
        (4, "F", "身份证号码"),
        (5, "G", "联系电话"),
    ]
    assert all(p["message"] for p in errors)
    assert not Landlord.objects.filter(id_number=samples.landlord_id(0)).exists()  # all or nothing
    assert "2 row error" in err


def test_a_broken_file_exits_1_with_the_reason(district, personas, ledger_file):
    code, out, err = run(*import_args(ledger_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)))
    assert (code, out) == (1, "")
    assert "另存为" in err
    code, _out, err = run(*import_args(ledger_file(b"%PDF-1.4 not a ledger", "a.pdf")))
    assert code == 1 and ".xlsx 或 .csv" in err
    code, _out, err = run(*import_args(Path("/nonexistent/台账.xlsx")))
    assert code == 1 and "/nonexistent/台账.xlsx" in err
    assert not ImportJob.objects.exists()


def test_the_area_must_be_inside_the_users_scope(district, personas, ledger_file):
    path = ledger_file(samples.write_xlsx(rows(2)))
    # The grid worker's community is above their scope; the other community's grid is outside it.
    for area in (COMMUNITY_CODE, "330803002001001", "999999"):
        code, _out, err = run(*import_args(path, "wanggy", area))
        assert code == 1 and f"区域代码「{area}」不存在或不在您的辖区内" in err
    assert not ImportJob.objects.exists()
    # The community officer imports into their community (grid column names the grid).
    code, _out, err = run(*import_args(path, "shequ", COMMUNITY_CODE))
    assert code == 0, err


def test_the_area_limits_the_rows_even_inside_the_users_scope(district, personas, ledger_file):
    """--area is a limit, not only a default: the community officer may import into both of their grids,
    but a ledger imported for 樟树潭一网格 may not place a row in 樟树潭二网格 (exit 2, that row named)."""
    data = rows(3)
    data[2][1] = "樟树潭二网格"
    path = ledger_file(samples.write_xlsx(data))
    code, out, _err = run(*import_args(path, "shequ", GRID_A_CODE))
    assert code == 2
    report = json.loads(out)
    assert report["area"] == GRID_A_CODE
    assert [(p["row"], p["column"], p["message"]) for p in report["problems"] if p["level"] == "error"] == [
        (5, "B", "网格「樟树潭二网格」不在本次导入的区域「樟树潭一网格」内。")
    ]
    assert not Premises.objects.filter(building__address__startswith="樟潭街道测试村").exists()
    # For the whole community the same file imports.
    code, out, err = run(*import_args(path, "shequ", COMMUNITY_CODE, "--json"))
    assert code == 0, err
    assert ImportJob.objects.get(pk=json.loads(out)["job"]).area == district.c1


def test_the_user_needs_the_right_to_import(district, personas, ledger_file):
    path = ledger_file(samples.write_xlsx(rows(2)))
    for username in ("fire", "landlord", "liaison"):
        code, _out, err = run(*import_args(path, username, GRID_A_CODE))
        assert code == 1 and "无权导入" in err
    code, _out, err = run(*import_args(path, "nobody", GRID_A_CODE))
    assert code == 1 and "nobody" in err
    assert not ImportJob.objects.exists()


def test_rows_outside_the_users_scope_are_row_errors(district, personas, ledger_file):
    path = ledger_file(samples.write_xlsx(rows(2, grid="浮石一网格")))
    code, out, _err = run(*import_args(path))
    assert code == 2
    report = json.loads(out)
    assert [(p["row"], p["column"]) for p in report["problems"] if p["level"] == "error"] == [
        (3, "B"),
        (4, "B"),
    ]
    assert not Premises.objects.filter(building__address__startswith="樟潭街道测试村").exists()


def test_a_second_import_changes_nothing(district, personas, ledger_file):
    path = ledger_file(samples.write_xlsx(rows(3)))
    assert run(*import_args(path))[0] == 0
    code, out, err = run(*import_args(path, "wanggy", GRID_A_CODE, "--json"))
    assert code == 0, err
    counts = json.loads(out)["counts"]
    assert counts["premises"] == {"created": 0, "updated": 0, "unchanged": 3}


# --- mappings as YAML files --------------------------------------------------------------------------------


def saved_mapping(district, owner=None) -> LedgerMapping:
    headers = samples.COMMUNITY_HEADERS
    columns = {"1": "grid", "2": "building.address", "3": "premises.unit_label", "4": "landlord.name"}
    columns |= {"5": "landlord.id_number", "6": "landlord.mobile", "10": "premises.floor_area_m2"}
    return LedgerMapping.objects.create(
        kind="premises",
        signature=header_signature(headers),
        headers=headers,
        mapping={"columns": columns, "default_grid": district.grid_a.pk, "values": {}},
        owner_area=owner or district.c1,
    )


def test_export_mapping_prints_the_areas_mapping_as_yaml(district, personas):
    saved_mapping(district)
    code, out, err = run("export-mapping", "--type", "premises", "--area", COMMUNITY_CODE, "--user", "wanggy")
    assert code == 0, err
    document = yaml.safe_load(out)
    assert document["kind"] == "premises" and document["default_grid"] == GRID_A_CODE
    assert document["columns"]["C"] == "building.address" and document["headers"][2] == "房屋地址"
    # Another community's officer cannot export it: one answer for "none" and "not yours".
    code, out, err = run(
        "export-mapping", "--type", "premises", "--area", COMMUNITY_CODE, "--user", "outsider"
    )
    assert (code, out) == (1, "")
    assert "没有您可使用的" in err


def test_import_mapping_saves_for_the_users_own_area_and_only_district_roles_publish(
    district, personas, tmp_path
):
    saved_mapping(district)
    _code, out, _err = run(
        "export-mapping", "--type", "premises", "--area", COMMUNITY_CODE, "--user", "wanggy"
    )
    text = out.replace(GRID_A_CODE, "330803002001001")  # the other community's grid as the default
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run("import-mapping", str(path), "--user", "outsider")
    assert code == 0, err
    theirs = LedgerMapping.objects.get(owner_area=district.c2)
    assert theirs.mapping["default_grid"] == district.grid_b.pk and not theirs.published
    # A grid worker may not publish; the default grid must be inside the importer's scope.
    code, _out, err = run("import-mapping", str(path), "--user", "outsider", "--publish")
    assert code == 1 and "区级角色" in err
    code, _out, err = run("import-mapping", str(path), "--user", "wanggy")
    assert code == 1 and "default_grid" in err
    assert not LedgerMapping.objects.filter(owner_area=district.c1).exclude(pk__lt=theirs.pk).exists()
    code, _out, err = run("import-mapping", str(path), "--user", "admin", "--publish")
    assert code == 0, err
    assert LedgerMapping.objects.get(owner_area=district.d).published


def test_a_mapping_file_maps_another_copys_columns_by_header(district, personas, ledger_file, tmp_path):
    """A community's copy of the layout in another column order, with a header no synonym knows: the
    mapping file's columns are found by their header text."""
    headers = ["房东姓名", "门牌（自编）", "身份证号码", "联系电话", "户号", "所属网格"]
    data = [[r[4], r[2], r[5], r[6], r[3], r[1]] for r in rows(3)]
    path = ledger_file(samples.write_xlsx(data, headers=headers, totals=False, sign_off=False))
    mapping_path = tmp_path / "m.yaml"
    mapping_path.write_text(
        yaml.safe_dump(
            {
                "kind": "premises",
                "headers": headers,
                "columns": {
                    "A": "landlord.name",
                    "B": "building.address",
                    "C": "landlord.id_number",
                    "D": "landlord.mobile",
                    "E": "premises.unit_label",
                    "F": "grid",
                },
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    code, out, err = run(*import_args(path, "wanggy", GRID_A_CODE, "--mapping", str(mapping_path), "--json"))
    assert code == 0, err
    report = json.loads(out)
    assert report["mapping"]["门牌（自编）"] == "building.address"
    assert Premises.objects.filter(building__address="樟潭街道测试村1号").count() == 3
    # A mapping file naming a column the sheet lacks is refused, naming it.
    headers[1] = "地址"
    mapping_path.write_text(
        mapping_path.read_text(encoding="utf-8").replace("门牌（自编）", "门牌号"), encoding="utf-8"
    )
    code, _out, err = run(*import_args(path, "wanggy", GRID_A_CODE, "--mapping", str(mapping_path)))
    assert code == 1 and "门牌号" in err


def test_a_mapping_files_area_values_place_the_rows(district, personas, ledger_file, tmp_path):
    """The sheet's own area words (樟潭社区 / 网格1) mapped by the file's value map to the system's grid."""
    headers = ["社区", "网格", "房屋地址", "户号", "房东姓名", "身份证号码", "联系电话"]
    data = [["樟潭社区", "网格1", r[2], r[3], r[4], r[5], r[6]] for r in rows(3)]
    path = ledger_file(samples.write_xlsx(data, headers=headers, totals=False, sign_off=False))
    mapping_path = tmp_path / "m.yaml"
    mapping_path.write_text(
        yaml.safe_dump(
            {
                "kind": "premises",
                "headers": headers,
                "columns": {
                    "A": "community",
                    "B": "grid",
                    "C": "building.address",
                    "D": "premises.unit_label",
                    "E": "landlord.name",
                    "F": "landlord.id_number",
                    "G": "landlord.mobile",
                },
                "values": {"area": {"樟潭社区 / 网格1": GRID_A_CODE}},
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    code, out, err = run(
        *import_args(path, "shequ", COMMUNITY_CODE, "--mapping", str(mapping_path), "--json")
    )
    assert code == 0, err
    assert json.loads(out)["values"]["area"]["樟潭社区 / 网格1"] == GRID_A_CODE
    assert set(
        Premises.objects.filter(building__address__startswith="樟潭街道测试村").values_list(
            "building__grid", flat=True
        )
    ) == {district.grid_a.pk}


# --- the test ledgers (tests/ledgers.py): exactly their errors -----------------------------------------------


def _ledger_param(ledger: ledgers.Ledger):
    marks = [pytest.mark.xfail(reason=ledger.needs, strict=True)] if ledger.needs else []
    return pytest.param(ledger, id=ledger.name, marks=marks)


@pytest.mark.parametrize("ledger", [_ledger_param(x) for x in ledgers.LEDGERS])
def test_each_test_ledger_reports_exactly_its_errors(district, personas, ledger_file, tmp_path, ledger):
    path = ledger_file(ledger.data(), ledger.filename)
    args = ["import", str(path), "--type", ledger.kind, "--area", ledger.area, "--user", ledger.user]
    text = ledger.mapping_yaml()
    if text is not None:
        mapping_path = tmp_path / "mapping.yaml"
        mapping_path.write_text(text, encoding="utf-8")
        args += ["--mapping", str(mapping_path)]
    code, out, err = run(*args, "--dry-run", "--json")
    report = json.loads(out) if out else {"problems": [], "errors": None}
    found = [(p["row"], p["column"], p["message"]) for p in report["problems"] if p["level"] == "error"]
    assert found == ledger.errors, err
    assert report["errors"] == len(ledger.errors)
    assert code == (2 if ledger.errors else 0)
