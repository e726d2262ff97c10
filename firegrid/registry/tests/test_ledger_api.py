"""/api/v1/ledger-imports/ and /api/v1/ledger-mappings/: the ledger import through the API — the same
services, scope and permissions as the pages, the job its uploader's (another user's is 404)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from firegrid import testing as t
from firegrid.api_testing import API, ApiScopeMatrix, api_client
from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.conftest import assert_status
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.registry.ledger import samples
from firegrid.registry.models import ImportJob, LedgerMapping, Premises

from . import ledgers

pytestmark = pytest.mark.django_db

GRID_A = "樟树潭一网格"
GRID_A_CODE = "330803001001001"
IMPORTS = f"{API}/ledger-imports/"
MAPPINGS = f"{API}/ledger-mappings/"


@pytest.fixture(autouse=True)
def ledger_settings(settings):
    settings.FIREGRID_LEDGER_INLINE = True  # checks and commits run inside the request


def rows(n: int, grid: str = GRID_A, **kw) -> list[list]:
    return [samples.community_row(i, grid, **kw) for i in range(n)]


def _importer(username: str = "wanggy") -> User:
    user = User.objects.filter(username=username).first()
    return user or t.make_user(f"{username}-walk", Role.GRID_WORKER)


def upload(client, data: bytes, *, name: str = "台账.xlsx", kind: str = "premises", area: str = GRID_A_CODE):
    return client.post(
        IMPORTS, {"file": SimpleUploadedFile(name, data), "kind": kind, "area": area}, format="multipart"
    )


def proposed_columns(job: dict) -> dict[str, str]:
    return {str(c["index"]): c["field"] for c in job["columns"] if c["field"]}


# --- the walks ----------------------------------------------------------------------------------------


class TestImportJobWalk(ApiScopeMatrix):
    """A job is its uploader's: another grid worker does not see it (404); a role that may not import
    anything gets 403 before any lookup. Uploads are tested below (multipart, not the walk's JSON)."""

    prefix = "ledger-imports"
    has_history = False
    writes = frozenset()
    reader = None
    forbidden = "fire_officer"

    def target(self, district) -> ImportJob:
        return ImportJob.objects.create(
            kind="premises",
            original_name="台账.xlsx",
            format="xlsx",
            file="imports/x.xlsx",
            created_by=_importer(),
        )

    def add_rows(self, district, n: int) -> None:
        for _ in range(n):
            self.target(district)


class TestLedgerMappingWalk(ApiScopeMatrix):
    """A mapping saved for 樟树潭社区 is its grid workers' and officers'; the other community's grid worker
    does not see it."""

    prefix = "ledger-mappings"
    has_history = False
    writes = frozenset()
    reader = None
    forbidden = "fire_officer"

    def target(self, district) -> LedgerMapping:
        n = LedgerMapping.objects.count()
        return LedgerMapping.objects.create(
            kind="premises",
            signature=f"sig{n}",
            headers=["地址", "房东"],
            mapping={"columns": {"0": "building.address", "1": "landlord.name"}, "default_grid": None},
            owner_area=district.c1,
        )

    def add_rows(self, district, n: int) -> None:
        for _ in range(n):
            self.target(district)


# --- upload, mapping, check, commit ----------------------------------------------------------------------


def test_upload_proposes_the_mapping_with_masked_samples(district, personas):
    client = api_client(personas.grid_worker)
    response = upload(client, samples.write_xlsx(rows(3)))
    assert_status(response, 201)
    job = response.data
    assert (job["status"], job["sheet_name"], job["header_row"]) == ("uploaded", "台账", 2)
    by_header = {c["header"]: c for c in job["columns"]}
    assert by_header["房屋地址"]["field"] == "building.address"
    assert by_header["身份证号码"]["samples"][0] == "330803********" + samples.landlord_id(0)[-4:]
    assert by_header["联系电话"]["samples"][0] == "138****0000"
    assert by_header["身份证号码"]["letter"] == "F"
    assert (job["default_grid"], job["area"]) == (district.grid_a.pk, GRID_A_CODE)
    assert ImportJob.objects.get(pk=job["id"]).created_by == personas.grid_worker


def test_upload_refusals_name_the_field(district, personas):
    client = api_client(personas.grid_worker)
    response = upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert_status(response, 400)
    assert "另存为" in str(response.data["file"])
    response = upload(client, samples.write_xlsx(rows(1)), area="330803002001001")  # the other community
    assert_status(response, 400)
    assert "不存在或不在您的辖区内" in str(response.data["area"])
    response = upload(client, samples.write_xlsx(rows(1)), kind="nonsense")
    assert_status(response, 400)
    assert "kind" in response.data
    assert not ImportJob.objects.exists()
    # A role that may not import: 403, nothing stored.
    assert_status(upload(api_client(personas.fire_officer), samples.write_xlsx(rows(1))), 403)
    assert_status(upload(api_client(), samples.write_xlsx(rows(1))), 401)
    assert not ImportJob.objects.exists()


def test_check_then_commit_through_the_api(district, personas):
    client = api_client(personas.grid_worker)
    job = upload(client, samples.write_xlsx(rows(6, messy=True), blank_every=2)).data
    url = f"{IMPORTS}{job['id']}/"
    # Committing before a clean check is refused with the service's message.
    assert_status(client.post(f"{url}commit/"), 400)
    response = client.post(f"{url}mapping/", {"columns": proposed_columns(job)}, format="json")
    assert_status(response, 200)
    assert response.data["status"] == "mapped"
    response = client.post(f"{url}check/")
    assert_status(response, 200)
    assert (response.data["status"], response.data["error_count"]) == ("validated", 0)
    assert response.data["counts"]["premises"]["created"] == 6
    assert not Premises.objects.filter(building__address__startswith="樟潭街道测试村").exists()
    progress = client.get(f"{url}progress/")
    assert_status(progress, 200)
    assert progress.data["running"] is False and progress.data["status"] == "validated"
    response = client.post(f"{url}commit/")
    assert_status(response, 200)
    assert (response.data["status"], response.data["committed"]) == ("committed", True)
    assert Premises.objects.filter(building__address__startswith="樟潭街道测试村").count() == 6
    entry = AuditEntry.objects.get(reason__contains="台账.xlsx")
    assert (entry.action, entry.actor) == (AuditAction.CREATE, personas.grid_worker)
    # A double commit commits once.
    assert_status(client.post(f"{url}commit/"), 400)
    assert AuditEntry.objects.filter(reason__contains="台账.xlsx").count() == 1


def test_problems_are_paged_and_the_report_is_the_sheet_with_an_error_column(district, personas):
    client = api_client(personas.grid_worker)
    data = rows(4)
    data[1][5] = "330803198001010010"  # wrong check character
    data[3][6] = "1380000"  # too short
    job = upload(client, samples.write_xlsx(data)).data
    url = f"{IMPORTS}{job['id']}/"
    assert_status(client.get(f"{url}report/"), 404)  # not checked yet
    client.post(f"{url}mapping/", {"columns": proposed_columns(job)}, format="json")
    checked = client.post(f"{url}check/").data
    assert checked["error_count"] == 2
    first = client.get(f"{url}problems/", {"page_size": 1})
    assert_status(first, 200)
    assert first.data["count"] >= 2 and first.data["next"]
    found = first.data["results"]
    following = first.data["next"]
    while following:
        page = client.get(following).data
        found += page["results"]
        following = page["next"]
    assert len(found) == first.data["count"]
    errors = [p for p in found if p["level"] == "error"]
    assert [(p["row"], p["column"], p["header"], p["level"]) for p in errors] == [
        (4, "F", "身份证号码", "error"),
        (6, "G", "联系电话", "error"),
    ]
    assert "校验位" in errors[0]["message"]
    assert_status(client.post(f"{url}commit/"), 400)
    report = client.get(f"{url}report/")
    assert_status(report, 200)
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).worksheets[0]
    header = [c.value for c in sheet[2]]
    assert header[-1] == "错误"
    assert "校验位" in str(sheet.cell(row=4, column=len(header)).value)


def test_another_users_job_is_404_and_absent_from_the_list(district, personas):
    job = upload(api_client(personas.grid_worker), samples.write_xlsx(rows(2))).data
    url = f"{IMPORTS}{job['id']}/"
    for user in (personas.outsider, personas.community_officer, personas.subdistrict_officer):
        client = api_client(user)
        assert job["id"] not in {j["id"] for j in client.get(IMPORTS).data["results"]}
        for path in ("", "progress/", "problems/", "report/"):
            assert_status(client.get(f"{url}{path}"), 404)
        for path in ("check/", "commit/"):
            assert_status(client.post(f"{url}{path}"), 404)
        assert_status(client.post(f"{url}mapping/", {"columns": {}}, format="json"), 404)
    assert ImportJob.objects.get(pk=job["id"]).status == "uploaded"
    # The system admin sees every job (as on the pages).
    assert_status(api_client(personas.admin).get(url), 200)


def test_mapping_errors_name_the_field(district, personas):
    client = api_client(personas.grid_worker)
    job = upload(client, samples.write_xlsx(rows(2))).data
    url = f"{IMPORTS}{job['id']}/mapping/"
    columns = proposed_columns(job)
    # A landlord is known by ID number, or by name and mobile: without both columns it is not known.
    without_id = {i: k for i, k in columns.items() if k not in ("landlord.id_number", "landlord.mobile")}
    response = client.post(url, {"columns": without_id}, format="json")
    assert_status(response, 400)
    assert "身份证号码或联系电话" in str(response.data)
    response = client.post(url, {"columns": {"x": "building.address"}}, format="json")
    assert_status(response, 400)
    assert "columns" in response.data
    response = client.post(url, {"columns": columns, "default_grid": district.grid_b.pk}, format="json")
    assert_status(response, 400)
    assert "管辖范围" in str(response.data)


def test_rows_outside_the_users_scope_are_row_errors(district, personas):
    client = api_client(personas.grid_worker)
    job = upload(client, samples.write_xlsx(rows(2, grid="浮石一网格"))).data
    url = f"{IMPORTS}{job['id']}/"
    client.post(f"{url}mapping/", {"columns": proposed_columns(job)}, format="json")
    checked = client.post(f"{url}check/").data
    assert checked["error_count"] == 2
    problems = client.get(f"{url}problems/").data["results"]
    assert [(p["row"], p["column"]) for p in problems if p["level"] == "error"] == [(3, "B"), (4, "B")]


def test_the_import_area_limits_the_rows_even_inside_the_users_scope(district, personas):
    """The community officer may import into both of 樟树潭社区's grids; limited to 樟树潭一网格, the row of
    樟树潭二网格 is an error naming both, and nothing of the file is written."""
    client = api_client(personas.community_officer)
    data = rows(3)
    data[1][1] = "樟树潭二网格"
    job = upload(client, samples.write_xlsx(data), area=GRID_A_CODE).data
    assert job["area"] == GRID_A_CODE
    assert ImportJob.objects.get(pk=job["id"]).area == district.grid_a
    # The area's only grid is proposed as the default grid (the officer's scope has two).
    assert job["default_grid"] == district.grid_a.pk
    url = f"{IMPORTS}{job['id']}/"
    response = client.post(
        f"{url}mapping/",
        {"columns": proposed_columns(job), "default_grid": district.grid_a2.pk},
        format="json",
    )
    assert_status(response, 400)  # a default grid outside the import area would place rows outside it
    assert "不在本次导入的区域「樟树潭一网格」内" in str(response.data)
    assert_status(client.post(f"{url}mapping/", {"columns": proposed_columns(job)}, format="json"), 200)
    checked = client.post(f"{url}check/").data
    assert checked["error_count"] == 1
    problems = [p for p in client.get(f"{url}problems/").data["results"] if p["level"] == "error"]
    assert [(p["row"], p["column"], p["message"]) for p in problems] == [
        (4, "B", "网格「樟树潭二网格」不在本次导入的区域「樟树潭一网格」内。")
    ]
    assert_status(client.post(f"{url}commit/"), 400)
    # The same file for the whole community: every row passes.
    job = upload(client, samples.write_xlsx(data), area="330803001001").data
    assert (job["area"], job["default_grid"]) == ("330803001001", None)
    url = f"{IMPORTS}{job['id']}/"
    client.post(f"{url}mapping/", {"columns": proposed_columns(job)}, format="json")
    assert client.post(f"{url}check/").data["error_count"] == 0


def test_saving_a_jobs_mapping_is_explicit_and_scoped(district, personas):
    client = api_client(personas.grid_worker)
    job = upload(client, samples.write_xlsx(rows(2))).data
    url = f"{IMPORTS}{job['id']}/"
    # Nothing is saved by uploading, mapping or checking; a proposal not yet confirmed cannot be saved.
    response = client.post(f"{url}save-mapping/", {}, format="json")
    assert_status(response, 400)
    assert "请先确认列对应关系" in str(response.data)
    client.post(f"{url}mapping/", {"columns": proposed_columns(job)}, format="json")
    client.post(f"{url}check/")
    assert not LedgerMapping.objects.exists()
    # Publishing is a district role's: refused, nothing saved.
    response = client.post(f"{url}save-mapping/", {"publish": True}, format="json")
    assert_status(response, 403)
    assert not LedgerMapping.objects.exists()
    # Another user's job: 404, whatever their role.
    for other in (personas.outsider, personas.community_officer, personas.subdistrict_officer):
        assert_status(api_client(other).post(f"{url}save-mapping/", {}, format="json"), 404)
    assert not LedgerMapping.objects.exists()
    response = client.post(f"{url}save-mapping/", {}, format="json")
    assert_status(response, 200)
    saved = LedgerMapping.objects.get()
    # Owned by the grid worker's community (their scope root), not published, with the job's columns.
    assert (saved.pk, saved.owner_area, saved.published) == (response.data["id"], district.c1, False)
    assert response.data["columns"]["身份证号码"] == "landlord.id_number"
    assert saved.mapping["default_grid"] == district.grid_a.pk
    # Saving again replaces the area's mapping of that layout.
    assert_status(client.post(f"{url}save-mapping/", {}, format="json"), 200)
    assert LedgerMapping.objects.count() == 1
    # The other community's grid worker is not offered it on upload.
    other = upload(api_client(personas.outsider), samples.write_xlsx(rows(1)), area="330803002001001").data
    assert ImportJob.objects.get(pk=other["id"]).mapping["saved_mapping"] is None


def test_a_district_role_saves_and_publishes_its_own_jobs_mapping(district, personas):
    client = api_client(personas.admin)  # the district role that may import
    job = upload(client, samples.write_xlsx(rows(2)), area="330803").data
    assert job["area"] == "330803"
    url = f"{IMPORTS}{job['id']}/"
    client.post(
        f"{url}mapping/",
        {"columns": proposed_columns(job), "default_grid": district.grid_a.pk},
        format="json",
    )
    response = client.post(f"{url}save-mapping/", {"publish": True}, format="json")
    assert_status(response, 200)
    saved = LedgerMapping.objects.get()
    assert (saved.owner_area, saved.published) == (district.d, True)
    # Published: offered to the other community's grid worker too.
    other = upload(api_client(personas.outsider), samples.write_xlsx(rows(1)), area="330803002001001").data
    assert ImportJob.objects.get(pk=other["id"]).mapping["saved_mapping"] == saved.pk


def test_publishing_a_mapping_is_a_district_roles_and_out_of_scope_is_404(district, personas):
    ours = TestLedgerMappingWalk().target(district)  # 樟树潭社区's
    url = f"{MAPPINGS}{ours.pk}/publish/"
    # Not visible to the other community's grid worker: 404 (the mapping's existence is not confirmed).
    assert_status(api_client(personas.outsider).post(url, {}, format="json"), 404)
    # Visible, but not a district role: 403.
    for user in (personas.grid_worker, personas.community_officer, personas.subdistrict_officer):
        response = api_client(user).post(url, {}, format="json")
        assert_status(response, 403)
        assert "区级角色" in str(response.data)
    # A role that may not import at all (a district-wide one too): 403 before any lookup.
    for user in (personas.fire_officer, personas.commander):
        assert_status(api_client(user).post(url, {}, format="json"), 403)
    ours.refresh_from_db()
    assert ours.published is False
    client = api_client(personas.admin)
    response = client.post(url, {}, format="json")
    assert_status(response, 200)
    assert response.data["published"] is True
    ours.refresh_from_db()
    assert ours.published is True
    # Now offered (and listed) beyond its area; withdrawn, it is its area's again.
    assert ours.pk in {m["id"] for m in api_client(personas.outsider).get(MAPPINGS).data["results"]}
    response = client.post(url, {"published": False}, format="json")
    assert_status(response, 200)
    ours.refresh_from_db()
    assert ours.published is False
    assert ours.pk not in {m["id"] for m in api_client(personas.outsider).get(MAPPINGS).data["results"]}


# --- saved mappings ----------------------------------------------------------------------------------


def test_mappings_are_listed_only_within_the_area(district, personas):
    ours = TestLedgerMappingWalk().target(district)
    theirs = LedgerMapping.objects.create(
        kind="premises", signature="other", headers=["地址"], mapping={"columns": {}}, owner_area=district.c2
    )
    published = LedgerMapping.objects.create(
        kind="premises",
        signature="pub",
        headers=["地址"],
        mapping={"columns": {}},
        owner_area=district.d,
        published=True,
    )
    district_only = LedgerMapping.objects.create(
        kind="premises", signature="dist", headers=["地址"], mapping={"columns": {}}, owner_area=district.d
    )

    def seen(user) -> set[int]:
        response = api_client(user).get(MAPPINGS)
        assert_status(response, 200)
        return {m["id"] for m in response.data["results"]}

    assert seen(personas.grid_worker) == {ours.pk, published.pk}
    assert seen(personas.community_officer) == {ours.pk, published.pk}
    assert seen(personas.subdistrict_officer) == {ours.pk, published.pk}
    assert seen(personas.outsider) == {theirs.pk, published.pk}
    assert seen(personas.admin) == {ours.pk, theirs.pk, published.pk, district_only.pk}
    detail = api_client(personas.grid_worker).get(f"{MAPPINGS}{ours.pk}/").data
    assert detail["columns"] == {"地址": "building.address", "房东": "landlord.name"}
    assert_status(api_client(personas.outsider).get(f"{MAPPINGS}{ours.pk}/yaml/"), 404)


# --- the test ledgers (tests/ledgers.py): exactly their errors, as through the command ----------------------


def _ledger_param(ledger: ledgers.Ledger):
    marks = [pytest.mark.xfail(reason=ledger.needs, strict=True)] if ledger.needs else []
    return pytest.param(ledger, id=ledger.name, marks=marks)


@pytest.mark.parametrize("ledger", [_ledger_param(x) for x in ledgers.LEDGERS])
def test_each_test_ledger_reports_exactly_its_errors(district, personas, ledger):
    client = api_client(User.objects.get(username=ledger.user))
    response = upload(client, ledger.data(), name=ledger.filename, kind=ledger.kind, area=ledger.area)
    assert_status(response, 201)
    job = response.data
    url = f"{IMPORTS}{job['id']}/"
    if ledger.columns is None:
        columns = proposed_columns(job)
    else:
        index = {c["header"]: str(c["index"]) for c in job["columns"]}
        columns = {index[header]: key for header, key in ledger.columns.items()}
    body = {"columns": columns, **({"values": ledger.values} if ledger.values else {})}
    assert_status(client.post(f"{url}mapping/", body, format="json"), 200)
    checked = client.post(f"{url}check/")
    assert_status(checked, 200)
    found = []
    page = client.get(f"{url}problems/", {"page_size": 2})
    while True:
        assert_status(page, 200)
        found += [
            (p["row"], p["column"], p["message"]) for p in page.data["results"] if p["level"] == "error"
        ]
        if not page.data["next"]:
            break
        page = client.get(page.data["next"])
    assert found == ledger.errors
    assert checked.data["error_count"] == len(ledger.errors)
    if not ledger.errors:  # a clean ledger commits
        assert_status(client.post(f"{url}commit/"), 200)
        assert ImportJob.objects.get(pk=job["id"]).committed


def test_the_report_fixed_and_uploaded_again_imports_and_a_second_import_changes_nothing(district, personas):
    """The issue's "done when" through the API: every bad row named, fixed in the returned report, the
    report uploaded as it is, committed; the same file again changes nothing."""
    client = api_client(personas.grid_worker)
    data = rows(4)
    data[1][5] = "330803198001010010"  # wrong check character, row 4
    job = upload(client, samples.write_xlsx(data)).data
    url = f"{IMPORTS}{job['id']}/"
    client.post(f"{url}mapping/", {"columns": proposed_columns(job)}, format="json")
    assert client.post(f"{url}check/").data["error_count"] == 1
    report = client.get(f"{url}report/")
    book = load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    book.worksheets[0]["F4"] = samples.landlord_id(0)  # the officer fixes the row in the report
    fixed = io.BytesIO()
    book.save(fixed)

    def import_file(content: bytes) -> dict:
        job = upload(client, content, name="台账-问题清单.xlsx").data
        url = f"{IMPORTS}{job['id']}/"
        # The report's own 错误 column is not mapped: it is the report's, not the ledger's.
        assert "错误" not in {c["header"] for c in job["columns"] if c["field"]}
        assert_status(client.post(f"{url}mapping/", {"columns": proposed_columns(job)}, format="json"), 200)
        checked = client.post(f"{url}check/").data
        assert checked["error_count"] == 0, client.get(f"{url}problems/").data
        committed = client.post(f"{url}commit/").data
        assert committed["status"] == "committed"
        return committed["counts"]

    assert import_file(fixed.getvalue())["premises"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert import_file(fixed.getvalue())["premises"] == {"created": 0, "updated": 0, "unchanged": 4}
