"""Importing area outlines (区域边界) from GeoJSON: all or nothing, every problem reported per feature, only
by those who may change areas and only for areas in their scope — by the page and by the command."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from firegrid import testing as t
from firegrid.areas import outlines
from firegrid.areas.choices import AreaLevel, Role
from firegrid.areas.models import Area
from firegrid.conftest import assert_status
from firegrid.core.models import AuditEntry
from firegrid.core.permissions import Action

pytestmark = pytest.mark.django_db

SQUARE = [[[118.90, 28.95], [118.91, 28.95], [118.91, 28.96], [118.90, 28.96], [118.90, 28.95]]]


def feature(value, geometry=None, prop="code"):
    return {
        "type": "Feature",
        "properties": {prop: value},
        "geometry": geometry if geometry is not None else {"type": "Polygon", "coordinates": SQUARE},
    }


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def errors_of(report):
    return {row.number: row.errors for row in report.rows if row.errors}


def test_admin_imports_outlines_by_code(district, personas):
    d = district
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE, SQUARE]}
    report = outlines.import_outlines(
        collection(feature(d.grid_a.code), feature(d.c1.code, multi)),
        actor=personas.admin,
        source="q.geojson",
    )
    assert report.error_count == 0 and report.written == 2
    grid = Area.objects.get(pk=d.grid_a.pk)
    assert grid.outline == {"type": "Polygon", "coordinates": SQUARE}
    assert grid.version == d.grid_a.version + 1
    assert Area.objects.get(pk=d.c1.pk).outline["type"] == "MultiPolygon"
    entry = AuditEntry.objects.filter(object_id=str(d.grid_a.pk)).latest("pk")
    assert entry.actor == personas.admin and "q.geojson" in entry.reason
    assert entry.after["outline"]["coordinates"] == SQUARE


def test_match_by_name_and_heights_are_dropped(district, personas):
    with_height = {"type": "Polygon", "coordinates": [[[*p, 12.5] for p in SQUARE[0]]]}
    report = outlines.import_outlines(
        collection(feature("浮石一网格", with_height, prop="name")), actor=personas.admin, match="name"
    )
    assert report.written == 1
    assert Area.objects.get(pk=district.grid_b.pk).outline["coordinates"] == SQUARE


def test_a_code_kept_as_a_number_matches(district, personas):
    report = outlines.import_outlines(collection(feature(float(district.grid_b.code))), actor=personas.admin)
    assert report.written == 1


def test_dry_run_checks_and_writes_nothing(district, personas):
    report = outlines.import_outlines(
        collection(feature(district.grid_a.code)), actor=personas.admin, dry_run=True
    )
    assert report.error_count == 0 and report.written == 0 and report.rows[0].area == district.grid_a
    assert Area.objects.get(pk=district.grid_a.pk).outline is None


def test_every_problem_is_reported_per_feature_and_nothing_is_written(district, personas):
    d = district
    mercator = [
        [[13236000.0, 3370000.0], [13237000.0, 3370000.0], [13237000.0, 3371000.0], [13236000.0, 3370000.0]]
    ]
    data = collection(
        feature(d.grid_a.code),  # fine, but not written: the file has problems
        feature("330803999999999"),  # no such area
        feature(d.grid_b.code, {"type": "Point", "coordinates": [118.9, 28.9]}),
        feature(
            d.c1.code, {"type": "Polygon", "coordinates": [[[118.9, 28.9], [118.91, 28.9], [118.9, 28.9]]]}
        ),
        feature(
            d.c2.code,
            {"type": "Polygon", "coordinates": [[[118.9, 28.9], ["x", 28.9], [1, 2], [118.9, 28.9]]]},
        ),
        feature(d.s1.code, {"type": "Polygon", "coordinates": mercator}),
        feature(d.s2.code, {"type": "Polygon", "coordinates": [[*SQUARE[0][:-1], [118.95, 28.99]]]}),
        feature(d.grid_a.code),  # the same area again
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": SQUARE}},
        feature(d.grid_a2.code, None) | {"geometry": None},
    )
    report = outlines.import_outlines(data, actor=personas.admin)
    problems = errors_of(report)
    assert sorted(problems) == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert problems[2] == ["没有代码为 330803999999999 的区域，或它不在您的管辖范围内。"]
    assert problems[3] == ["几何类型为 Point，应为 Polygon 或 MultiPolygon。"]
    assert problems[4] == ["坐标无效：每个环至少要有 4 个点（首尾相同）。"]
    assert problems[5] == ["坐标无效：第 2 个点不是 [经度, 纬度]。"]
    assert problems[6] == [
        "坐标超出 WGS-84 经纬度范围（经度 -180～180，纬度 -90～90）：第 1 个点 (13236000.0, 3370000.0)。"
    ]
    assert problems[7] == ["坐标无效：环的首尾两点应相同（闭合）。"]
    assert problems[8] == ["与第 1 个要素是同一区域。"]
    assert problems[9] == ["要素没有 code 属性，无法对应到区域。"]
    assert problems[10] == ["要素没有几何图形（geometry）。"]
    assert report.rows[0].errors == [] and report.written == 0
    assert not Area.objects.exclude(outline=None).exists()


def test_a_name_two_areas_share_must_be_matched_by_code(district, personas):
    t.make_area(AreaLevel.GRID, "樟树潭一网格", district.c2, code="330803002001009")
    report = outlines.import_outlines(
        collection(feature("樟树潭一网格", prop="name")), actor=personas.admin, match="name"
    )
    assert errors_of(report) == {1: ["有 2 个区域名为 樟树潭一网格，请改用行政区划代码对应。"]}


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe not text",
        b"{not json",
        b'{"type": "Feature"}',
        b'{"type": "FeatureCollection", "features": []}',
    ],
)
def test_a_file_that_is_not_a_feature_collection_is_refused(content):
    with pytest.raises(ValidationError):
        outlines.read_feature_collection(content)


def test_a_projected_crs_is_refused_with_its_name():
    data = collection(feature("1")) | {"crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}
    with pytest.raises(ValidationError, match="EPSG:3857"):
        outlines.read_feature_collection(json.dumps(data).encode())
    wgs84 = collection(feature("1")) | {
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    }
    assert outlines.read_feature_collection(json.dumps(wgs84).encode())["type"] == "FeatureCollection"


# --- who may, and which areas -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["commander", "subdistrict_officer", "grid_worker", "landlord"])
def test_roles_that_may_not_change_areas_may_not_import(district, personas, who):
    with pytest.raises(PermissionDenied):
        outlines.import_outlines(collection(feature(district.grid_a.code)), actor=getattr(personas, who))


@pytest.fixture
def officers_may_change_areas(monkeypatch):
    """A deployment that lets subdistrict officers keep their own areas (the role table says who may)."""
    from firegrid.core import permissions

    table = {role: dict(models) for role, models in permissions.role_actions().items()}
    table[Role.SUBDISTRICT_OFFICER]["areas.area"] = frozenset({Action.VIEW, Action.CHANGE})
    monkeypatch.setattr(permissions, "_role_actions", table)


def test_only_areas_in_the_users_scope_are_imported(district, personas, officers_may_change_areas):
    d, officer = district, personas.subdistrict_officer  # 樟潭街道: c1, grid_a, grid_a2
    report = outlines.import_outlines(
        collection(feature(d.grid_a.code), feature(d.grid_b.code)), actor=officer
    )
    assert errors_of(report) == {2: [f"没有代码为 {d.grid_b.code} 的区域，或它不在您的管辖范围内。"]}
    assert not Area.objects.exclude(outline=None).exists()
    report = outlines.import_outlines(collection(feature(d.grid_a.code), feature(d.c1.code)), actor=officer)
    assert report.written == 2


# --- the page ---------------------------------------------------------------------------------------------


def upload(data, name="outlines.geojson"):
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/geo+json")


def test_the_page_is_for_those_who_may_change_areas(client, district, personas, login):
    url = reverse("areas:outline_import")
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    assert_status(login(personas.commander).get(url), 403)
    assert_status(login(personas.subdistrict_officer).post(url, {"file": upload(collection())}), 403)
    assert_status(login(personas.admin).get(url), 200)
    listed = login(personas.admin).get(reverse("areas:area_list"))
    assert url in listed.content.decode()
    assert url not in login(personas.commander).get(reverse("areas:area_list")).content.decode()


def test_the_page_reports_each_problem_and_imports_a_clean_file(district, personas, login):
    client, url = login(personas.admin), reverse("areas:outline_import")
    bad = collection(feature(district.grid_a.code), feature("330803999999999"))
    page = client.post(url, {"file": upload(bad), "match": "code"})
    assert_status(page, 200)
    text = page.content.decode()
    assert "1 个要素有问题，未导入任何边界。" in text and "没有代码为 330803999999999 的区域" in text
    assert Area.objects.get(pk=district.grid_a.pk).outline is None
    page = client.post(url, {"file": upload(collection(feature(district.grid_a.code))), "match": "code"})
    assert "已导入 1 个区域的边界。" in page.content.decode()
    assert Area.objects.get(pk=district.grid_a.pk).outline is not None


def test_the_page_refuses_a_file_that_is_not_geojson(district, personas, login):
    page = login(personas.admin).post(
        reverse("areas:outline_import"), {"file": upload(b"PK\x03\x04 a shapefile zip"), "match": "code"}
    )
    assert_status(page, 200)
    assert page.context["form"].errors["file"] == ["文件不是 UTF-8 编码的 GeoJSON（JSON）文件。"]


# --- the command ------------------------------------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command("areas", "import-outlines", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def write(tmp_path, data):
    path = tmp_path / "outlines.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_command_dry_run_then_import(tmp_path, district, personas):
    path = write(tmp_path, collection(feature(district.grid_a.code), feature("浮石社区", prop="code")))
    with pytest.raises(CommandError) as failed:
        run(path, "--dry-run")
    assert failed.value.returncode == 2
    path = write(tmp_path, collection(feature("樟树潭一网格", prop="name"), feature("浮石社区", prop="name")))
    assert "2 features, 2 outlines checked (dry run)" in run(path, "--match-property", "name", "--dry-run")
    assert not Area.objects.exclude(outline=None).exists()
    report = json.loads(run(path, "--match-property", "name", "--user", "admin", "--json"))
    assert report["written"] == 2 and report["errors"] == 0
    assert set(Area.objects.exclude(outline=None).values_list("pk", flat=True)) == {
        district.grid_a.pk,
        district.c2.pk,
    }


def test_command_as_a_user_without_the_right_is_refused(tmp_path, district, personas):
    path = write(tmp_path, collection(feature(district.grid_a.code)))
    with pytest.raises(CommandError) as failed:
        run(path, "--user", "commander")
    assert failed.value.returncode == 1
    with pytest.raises(CommandError):
        run(str(tmp_path / "missing.geojson"))
