"""Ledger value mapping and scoped mappings (issue 13, items 2 and 5): the sheet's own area names and
choice words proposed (exact / normalised / fuzzy / none) and mapped; an area outside the importer's
scope is a row error; mappings saved by choice per area, never offered in another area; a district role
publishes; mappings as YAML."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from firegrid import testing as t
from firegrid.areas.choices import AreaLevel, Role
from firegrid.registry.ledger import samples, services
from firegrid.registry.ledger.choices import ImportStatus
from firegrid.registry.ledger.mapping_file import from_yaml, to_yaml
from firegrid.registry.ledger.messages import render
from firegrid.registry.ledger.value_map import AREA, name_match, normalise_area_name
from firegrid.registry.models import Building, ImportJob, LedgerMapping

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "社区", "网格", *samples.COMMUNITY_HEADERS[2:]]


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIREGRID_LEDGER_INLINE = True


@pytest.fixture
def tree(db):
    """The issue's example: the system says 樟树潭社区 第一网格; the ledgers say 樟潭社区 / 网格1."""
    d = t.make_area(AreaLevel.DISTRICT, "衢江区", code="330803")
    s = t.make_area(AreaLevel.SUBDISTRICT, "樟潭街道", d, code="330803001")
    c1 = t.make_area(AreaLevel.COMMUNITY, "樟树潭社区", s, code="330803001001")
    c2 = t.make_area(AreaLevel.COMMUNITY, "浮石社区", s, code="330803001002")
    g11 = t.make_area(AreaLevel.GRID, "第一网格", c1, code="330803001001001")
    g12 = t.make_area(AreaLevel.GRID, "第二网格", c1, code="330803001001002")
    g21 = t.make_area(AreaLevel.GRID, "第一网格", c2, code="330803001002001")
    return SimpleNamespace(
        **locals(),
        officer_a=t.make_user("officer_a", Role.COMMUNITY_OFFICER, [c1]),
        officer_b=t.make_user("officer_b", Role.COMMUNITY_OFFICER, [c2]),
        sub=t.make_user("sub", Role.SUBDISTRICT_OFFICER, [s]),
        admin=t.make_user("admin", Role.SYSTEM_ADMIN),
    )


def sheet(areas: list[tuple[str, str]], *, shared: list[str] | None = None) -> bytes:
    rows = []
    for n, (community, grid) in enumerate(areas):
        row = samples.community_row(n, "", per_building=1)
        row[1:2] = [community, grid]
        if shared:
            row[12] = shared[n % len(shared)]
        rows.append(row)
    return samples.write_xlsx(rows, headers=HEADERS)


def upload(user, data: bytes, name: str = "台账.xlsx") -> ImportJob:
    return services.create_import_job(actor=user, kind="premises", upload=SimpleUploadedFile(name, data))


def columns_of(job: ImportJob) -> dict[int, str]:
    return {int(i): key for i, key in job.mapping["columns"].items()}


def confirm(job: ImportJob, user, **kw) -> ImportJob:
    return services.confirm_mapping(
        job, actor=user, columns=columns_of(job), default_grid=kw.pop("default_grid", None), **kw
    )


def proposals(job: ImportJob, entry: str = AREA) -> dict[str, tuple[str, str, int, int]]:
    return {
        p["value"]: (p["target"], p["match"], p["score"], p["count"])
        for p in job.mapping["value_proposals"][entry]
    }


ISSUE_SHEET = [
    ("樟潭社区", "网格1"),
    ("樟潭社区", "网格1"),
    ("樟潭社区", "网格1"),
    ("樟树潭社区", "第二网格"),
    ("樟树潭 社区", "网格２"),
    ("河西村", "网格9"),
]


# --- proposals -----------------------------------------------------------------------------------------------


def test_name_matching_exact_normalised_fuzzy_none():
    assert name_match("第一网格", "第一网格") == ("exact", 100)
    assert name_match("网格1", "第一网格") == ("normalised", 100)
    assert name_match("1网格", "樟树潭一网格", prefix=normalise_area_name("樟树潭社区")) == (
        "normalised",
        100,
    )
    assert name_match("樟树潭村", "樟树潭社区") == ("normalised", 100)
    assert name_match("樟潭社区", "樟树潭社区") == ("fuzzy", 80)
    assert name_match("河西村", "樟树潭社区") == ("none", 0)
    assert normalise_area_name("第十二网格") == normalise_area_name("网格12") == "12"


def test_area_and_choice_values_are_proposed_with_their_row_counts(tree):
    job = confirm(upload(tree.officer_a, sheet(ISSUE_SHEET, shared=["√", "否", "是"])), tree.officer_a)
    area = proposals(job)
    assert area["樟潭社区 / 网格1"] == (tree.g11.code, "fuzzy", 80, 3)  # the issue's example
    assert area["樟树潭社区 / 第二网格"] == (tree.g12.code, "exact", 100, 1)
    assert area["樟树潭 社区 / 网格2"] == (tree.g12.code, "normalised", 100, 1)  # spaces, full-width 2
    assert area["河西村 / 网格9"] == ("", "none", 0, 1)
    shared = proposals(job, "premises.is_shared_rental")
    assert shared["√"][:2] == ("是", "normalised") and shared["否"][:2] == ("否", "exact")
    assert proposals(job, "premises.kind")["出租房"][:2] == ("residential", "exact")
    # Exact and normalised proposals are taken until the officer says otherwise; a fuzzy one only once
    # confirmed (the API and command path confirm with a mapping file).
    assert job.mapping["values"][AREA] == {
        "樟树潭社区 / 第二网格": tree.g12.code,
        "樟树潭 社区 / 网格2": tree.g12.code,
    }


def test_a_column_with_too_many_distinct_values_is_capped_with_a_note(tree, monkeypatch):
    monkeypatch.setattr("firegrid.registry.ledger.value_map.VALUE_LIMIT", 2)
    job = confirm(upload(tree.officer_a, sheet(ISSUE_SHEET)), tree.officer_a)
    assert len(job.mapping["value_proposals"][AREA]) == 2
    assert job.mapping["value_truncated"][AREA] is True
    assert job.mapping["value_truncated"]["premises.kind"] is False


# --- applying the value map -----------------------------------------------------------------------------


def test_confirmed_values_place_rows_and_an_area_outside_scope_is_a_row_error(tree):
    areas = [("樟潭社区", "网格1"), ("樟潭社区", "网格1"), ("浮石社区", "第一网格")]
    user = tree.officer_a
    job = confirm(upload(user, sheet(areas, shared=["√"])), user)
    # 浮石社区 is proposed as it is (exact), outside the officer's scope: kept so its row says so.
    assert proposals(job)["浮石社区 / 第一网格"][:2] == (tree.g21.code, "exact")
    services.confirm_values(
        job,
        actor=user,
        values={
            AREA: {"樟潭社区 / 网格1": tree.g11.code, "浮石社区 / 第一网格": tree.g21.code},
            "premises.is_shared_rental": {"√": "是"},
        },
    )
    services.start_validation(job, actor=user)
    job.refresh_from_db()
    errors = [(p["row"], p["header"], render(p["message"])) for p in job.report if p["level"] == "error"]
    assert errors == [(5, "网格", "网格「第一网格」不在您的管辖范围内，不能导入。")]

    # Without the foreign row the sheet commits, its rows in 樟树潭社区 第一网格, 群租 read from √.
    job = confirm(upload(user, sheet(areas[:2], shared=["√"])), user)
    services.confirm_values(job, actor=user, values={AREA: {"樟潭社区 / 网格1": tree.g11.code}})
    services.start_validation(job, actor=user)
    job.refresh_from_db()
    assert job.error_count == 0, job.report
    services.start_commit(job, actor=user)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED
    buildings = Building.objects.filter(address__startswith="樟潭街道测试村")
    assert {b.grid_id for b in buildings} == {tree.g11.pk} and buildings.count() == 2
    assert all(p.is_shared_rental for b in buildings for p in b.premises.all())


def test_a_value_outside_scope_cannot_be_picked_unless_it_was_the_proposal(tree):
    user = tree.officer_a
    job = confirm(upload(user, sheet([("樟潭社区", "网格1")])), user)
    with pytest.raises(ValidationError, match="社区/网格「樟潭社区 / 网格1」不能对应为"):
        services.confirm_values(job, actor=user, values={AREA: {"樟潭社区 / 网格1": tree.g21.code}})
    with pytest.raises(ValidationError, match="不是需要对应取值的列"):
        services.confirm_values(job, actor=user, values={"landlord.name": {"x": "y"}})
    options = dict(services.value_options(job, user)[AREA])
    assert tree.g11.code in options and tree.g21.code not in options and tree.c2.code not in options


# --- saved mappings: explicit, per area, published by a district role ---------------------------------------


def save_for(user, data: bytes, *, default_grid=None, publish=False) -> LedgerMapping:
    job = confirm(upload(user, data), user, default_grid=default_grid)
    values = {AREA: {p["value"]: p["target"] for p in job.mapping["value_proposals"][AREA] if p["target"]}}
    services.confirm_values(job, actor=user, values=values, remember=True, publish=publish)
    return LedgerMapping.objects.get(signature=job.signature, owner_area=services.scope_root(user))


def test_saving_is_an_explicit_choice(tree):
    user = tree.officer_a
    job = confirm(upload(user, sheet(ISSUE_SHEET)), user)
    services.confirm_values(job, actor=user, values={AREA: {"樟潭社区 / 网格1": tree.g11.code}})
    assert not LedgerMapping.objects.exists()


def test_value_map_is_saved_with_the_mapping_and_offered_again(tree):
    user = tree.officer_a
    saved = save_for(user, sheet(ISSUE_SHEET), default_grid=tree.g12.pk)
    assert saved.owner_area == tree.c1 and not saved.published
    assert saved.mapping["values"][AREA]["樟潭社区 / 网格1"] == tree.g11.code
    again = upload(user, sheet(ISSUE_SHEET), name="下个月.xlsx")
    assert again.mapping["saved_mapping"] == saved.pk and again.mapping["default_grid"] == tree.g12.pk
    again = confirm(again, user)
    assert proposals(again)["樟潭社区 / 网格1"][:2] == (tree.g11.code, "saved")
    assert again.mapping["values"][AREA]["樟潭社区 / 网格1"] == tree.g11.code


def test_one_communitys_mapping_and_default_grid_never_reach_another(tree):
    """The leak the issue describes, both ways."""
    data = sheet(ISSUE_SHEET)
    saved_a = save_for(tree.officer_a, data, default_grid=tree.g12.pk)
    job_b = upload(tree.officer_b, data)
    assert job_b.mapping["saved_mapping"] is None and job_b.mapping["saved_values"] == {}
    assert job_b.mapping["default_grid"] == tree.g21.pk  # b's only grid, never a's default
    assert services.saved_mapping_for(tree.officer_b, "premises", job_b.signature) is None

    saved_b = save_for(tree.officer_b, data, default_grid=tree.g21.pk)
    assert saved_b.pk != saved_a.pk and saved_b.owner_area == tree.c2
    assert services.saved_mapping_for(tree.officer_a, "premises", job_b.signature) == saved_a
    assert services.saved_mapping_for(tree.officer_b, "premises", job_b.signature) == saved_b
    job_a = upload(tree.officer_a, data)
    assert job_a.mapping["saved_mapping"] == saved_a.pk and job_a.mapping["default_grid"] == tree.g12.pk


def test_an_ancestor_areas_mapping_is_offered_after_the_users_own(tree):
    data = sheet(ISSUE_SHEET)
    saved_sub = save_for(tree.sub, data)
    assert saved_sub.owner_area == tree.s
    signature = upload(tree.officer_a, data).signature
    assert services.saved_mapping_for(tree.officer_a, "premises", signature) == saved_sub
    own = save_for(tree.officer_a, data)
    assert services.saved_mapping_for(tree.officer_a, "premises", signature) == own
    # Not the other way: a community's mapping is not offered to its subdistrict.
    assert services.saved_mapping_for(tree.sub, "premises", signature) == saved_sub


def test_only_a_district_role_publishes_and_a_published_mapping_reaches_every_community(tree):
    data = sheet(ISSUE_SHEET)
    with pytest.raises(PermissionDenied):
        save_for(tree.officer_a, data, publish=True)
    unpublished = save_for(tree.admin, data)
    signature = unpublished.signature
    # The district's own unpublished mapping stays with the district's staff.
    assert services.saved_mapping_for(tree.officer_b, "premises", signature) is None
    with pytest.raises(PermissionDenied):
        services.publish_mapping(unpublished, actor=tree.officer_a)
    services.publish_mapping(unpublished, actor=tree.admin)
    assert services.saved_mapping_for(tree.officer_b, "premises", signature) == unpublished
    assert services.saved_mapping_for(tree.officer_a, "premises", signature) == unpublished
    # A community's own mapping still comes before the published one.
    own = save_for(tree.officer_b, data)
    assert services.saved_mapping_for(tree.officer_b, "premises", signature) == own


def test_publish_checkbox_is_shown_to_district_roles_only(tree, login):
    for user, shown in ((tree.officer_a, False), (tree.admin, True)):
        job = upload(user, sheet(ISSUE_SHEET))
        page = login(user).get(reverse("registry:ledger_mapping", args=[job.pk])).content.decode()
        assert ('name="publish"' in page) is shown
        assert "保存此对应关系供本辖区下次使用" in page and 'name="remember" checked' not in page


def test_every_way_of_saving_a_mapping_follows_the_same_rules(tree):
    """A job's mapping (the pages, the API) and a YAML file read by the command (batch.save_mapping_file):
    both through services.save_layout_mapping — owned by the saver's community (a grid worker's too), one
    per area and layout, published only by a district role."""
    from firegrid.registry.ledger import batch

    worker = t.make_user("gw", Role.GRID_WORKER, [tree.g12])
    data = sheet(ISSUE_SHEET)
    job = confirm(upload(worker, data), worker, default_grid=tree.g12.pk)
    by_job = services.save_mapping(job, actor=worker)
    assert (by_job.owner_area, by_job.published, by_job.used_count) == (tree.c1, False, 1)
    text = to_yaml(by_job)
    by_file = batch.save_mapping_file(from_yaml(text, worker), actor=worker)
    assert by_file.pk == by_job.pk  # the same area's mapping of that layout, replaced
    assert LedgerMapping.objects.count() == 1
    for save in (
        lambda: services.save_mapping(job, actor=worker, publish=True),
        lambda: batch.save_mapping_file(from_yaml(text, worker), actor=worker, publish=True),
    ):
        with pytest.raises(PermissionDenied):
            save()
    assert not LedgerMapping.objects.filter(published=True).exists()
    published = batch.save_mapping_file(from_yaml(text, tree.admin), actor=tree.admin, publish=True)
    assert (published.owner_area, published.published) == (tree.d, True)
    # Saving again without publishing does not withdraw a publication.
    assert batch.save_mapping_file(from_yaml(text, tree.admin), actor=tree.admin).published is True
    # A job whose mapping is not confirmed yet has nothing to save.
    with pytest.raises(ValidationError, match="请先确认列对应关系"):
        services.save_mapping(upload(worker, data), actor=worker)


def test_the_import_area_narrows_the_grid_lookup(tree):
    """The subdistrict officer's scope holds both communities' 第一网格; an import limited to 浮石社区 tells
    them apart, and a row of 樟树潭社区 is an error naming the import area."""
    from firegrid.registry.ledger.importer import GridResolver

    whole = GridResolver(tree.sub, None)
    assert "重复" in str(whole.resolve("第一网格", "")[2])
    limited = GridResolver(tree.sub, None, tree.c2)
    assert limited.resolve("第一网格", "") == (tree.g21.pk, "", "")
    assert limited.resolve("", "") == (tree.g21.pk, "", "")  # the area's only grid
    pk, fault, message = limited.resolve("第一网格", "樟树潭社区")
    assert (pk, fault, str(message)) == (None, "grid", "网格「第一网格」不在本次导入的区域「浮石社区」内。")
    pk, fault, message = limited.resolve("", "樟树潭社区")
    assert (pk, fault, str(message)) == (
        None,
        "community",
        "社区「樟树潭社区」不在本次导入的区域「浮石社区」内。",
    )
    pk, fault, message = limited.resolve(tree.g12.code, "")
    assert (pk, fault) == (None, "grid") and "不在本次导入的区域「浮石社区」内" in str(message)
    # A default grid outside the area is not used.
    assert GridResolver(tree.sub, tree.g11.pk, tree.c2).resolve("", "") == (tree.g21.pk, "", "")
    # Outside the user's scope is still said as such, before the area.
    _pk, _fault, message = GridResolver(tree.officer_a, None, tree.g11).resolve(tree.g21.code, "")
    assert "不在您的管辖范围内" in str(message)


# --- YAML ---------------------------------------------------------------------------------------------------


def test_mapping_round_trips_through_yaml_and_bad_keys_are_named(tree):
    saved = save_for(tree.officer_a, sheet(ISSUE_SHEET), default_grid=tree.g11.pk)
    text = to_yaml(saved)
    assert "kind: premises" in text and "B: community" in text and tree.g11.code in text
    assert "樟潭社区 / 网格1" in text
    loaded = from_yaml(text, tree.officer_a)
    assert loaded.signature == saved.signature and loaded.mapping == saved.mapping

    def error_of(old: str, new: str, user=tree.officer_a) -> str:
        with pytest.raises(ValidationError) as exc:
            from_yaml(text.replace(old, new, 1), user)
        return exc.value.messages[0]

    assert "「kind」" in error_of("kind: premises", "kind: shops")
    assert "「columns.B」" in error_of("B: community", "B: nonsense")
    assert "「columns.ZZ」" in error_of("B: community", "ZZ: community")
    assert "「default_grid」" in error_of(f"default_grid: '{tree.g11.code}'", "default_grid: '999'")
    # Another community's officer may not make a grid of community A their default.
    assert "不在您的辖区内" in error_of("kind: premises", "kind: premises", user=tree.officer_b)
    assert "「values.area.樟潭社区 / 网格1」" in error_of(f"网格1: '{tree.g11.code}'", "网格1: '000'")
    assert "「colour」" in error_of("kind: premises", "colour: red\nkind: premises")
    with pytest.raises(ValidationError, match="YAML"):
        from_yaml("kind: [", tree.officer_a)


# --- the web flow ---------------------------------------------------------------------------------------------


def test_web_flow_upload_columns_values_check(tree, login):
    user = tree.officer_a
    client = login(user)
    data = sheet([("樟潭社区", "网格1"), ("樟潭社区", "网格1"), ("浮石社区", "第一网格")], shared=["√"])
    response = client.post(
        reverse("registry:ledger_home"), {"kind": "premises", "file": SimpleUploadedFile("台账.xlsx", data)}
    )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("registry:ledger_mapping", args=[job.pk])
    post = {f"col_{i}": key for i, key in job.mapping["columns"].items()}
    response = client.post(reverse("registry:ledger_mapping", args=[job.pk]), post)
    assert response["Location"] == reverse("registry:ledger_values", args=[job.pk])

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "樟潭社区 / 网格1" in html and "相近 80%" in html and "不在您的辖区内" in html
    form = page.context["form"]
    names = {group["entry"]: [r["name"] for r in group["rows"]] for group in form.groups}
    first, foreign = names[AREA]
    assert form[first].initial == tree.g11.code  # the fuzzy proposal preselected, to be confirmed
    codes = {value for value, _label in form.fields[first].choices}
    assert tree.g11.code in codes and tree.g12.code in codes and tree.g21.code not in codes
    assert tree.g21.code in {value for value, _label in form.fields[foreign].choices}

    # A forged pick outside the user's scope is refused by the form.
    data = {name: form[name].initial or "" for name in form.fields if name.startswith("v_")}
    response = client.post(reverse("registry:ledger_values", args=[job.pk]), {**data, first: tree.g21.code})
    assert response.status_code == 200 and first in response.context["form"].errors

    # The officer leaves out the foreign row's area: it is checked as written and names that community.
    response = client.post(
        reverse("registry:ledger_values", args=[job.pk]), {**data, foreign: "", "remember": "on"}
    )
    assert response["Location"] == reverse("registry:ledger_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert [(p["row"], render(p["message"])) for p in job.report if p["level"] == "error"] == [
        (5, "网格「第一网格」不在您的管辖范围内，不能导入。")
    ]
    saved = LedgerMapping.objects.get()
    assert saved.owner_area == tree.c1 and saved.mapping["values"][AREA] == {
        "樟潭社区 / 网格1": tree.g11.code
    }


def test_a_yaml_mapping_is_saved_for_the_users_area_and_exported_for_it_only(tree):
    from firegrid.registry.ledger import batch

    text = to_yaml(save_for(tree.officer_a, sheet(ISSUE_SHEET)))
    LedgerMapping.objects.all().delete()
    with pytest.raises(PermissionDenied):
        batch.save_mapping_file(from_yaml(text, tree.officer_b), actor=tree.officer_b, publish=True)
    saved_b = batch.save_mapping_file(from_yaml(text, tree.officer_b), actor=tree.officer_b)
    assert saved_b.owner_area == tree.c2 and not saved_b.published
    assert batch.mapping_for_area(tree.officer_b, "premises", tree.c2.code) == saved_b
    # Never another area's, and the same answer as for an area with none.
    for user, code in ((tree.officer_a, tree.c1.code), (tree.officer_a, tree.c2.code)):
        with pytest.raises(ValidationError, match="没有您可使用的此类台账对应关系"):
            batch.mapping_for_area(user, "premises", code)
    # A published district-wide mapping is what an area without its own is offered, and its own wins.
    published = batch.save_mapping_file(from_yaml(text, tree.admin), actor=tree.admin, publish=True)
    assert batch.mapping_for_area(tree.officer_a, "premises", tree.c1.code) == published
    assert batch.mapping_for_area(tree.officer_b, "premises", tree.c2.code) == saved_b
