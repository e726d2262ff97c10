import datetime as dt
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from firegrid.campaigns.models import Claim, WorkGroup
from firegrid.conftest import PORTAL, assert_status
from firegrid.jobs import services as jobs
from firegrid.outreach.models import OutreachKind, OutreachRecord
from firegrid.reports import services
from firegrid.reports.models import FIGURES, DailySnapshot, Dimension, ImmutableSnapshot, SnapshotRow
from firegrid.reports.testing import at, history, make_campaign, target
from firegrid.testing import make_building, make_landlord, make_premises, pdf_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
D1 = TODAY - dt.timedelta(days=2)
D2 = TODAY - dt.timedelta(days=1)


@pytest.fixture
def scene(district, personas):
    """Grid A: premises_a accepted on D2 (notified on D1), shop_a overdue; grid A2: one notified on D2;
    grid B: premises_b not surveyed. Unit: landlord_a claimed by d.unit. Work group 1 owns c1."""
    d = district
    c = make_campaign()
    gw = personas.grid_worker
    a2_building = make_building(d.grid_a2, "樟潭街道二号路1号")
    a2 = make_premises(a2_building, make_landlord("钱多多", area=d.grid_a2, is_official=True))
    target(c, d.premises_a, d.shop_a, d.premises_b, a2)
    history(c, d.premises_a, gw, [(at(D1), "draft"), (at(D1, 15), "notified"), (at(D2), "accepted")])
    history(c, d.shop_a, gw, [(at(D1), "notified"), (at(D2), "rectifying"), (at(D2, 16), "overdue")])
    history(c, a2, gw, [(at(D2), "notified")])
    group = WorkGroup.objects.create(campaign=c, name="第一工作组")
    group.areas.set([d.c1])
    other_group = WorkGroup.objects.create(campaign=c, name="第二工作组")
    other_group.areas.set([d.s2])
    Claim.objects.create(
        campaign=c, landlord=d.landlord_a, unit=d.unit, claimed_by=personas.commander, claimed_at=at(D1, 8)
    )
    return SimpleNamespace(campaign=c, a2=a2, group=group, other_group=other_group)


def rows_of(snapshot):
    return {(r.dimension, r.key): r for r in snapshot.rows.all()}


def test_figures_roll_up_and_rank(scene, district):
    d = district
    snap = services.generate_snapshot(scene.campaign, D2)
    rows = rows_of(snap)
    total = rows[(Dimension.TOTAL, "all")]
    assert (total.in_scope, total.surveyed, total.accepted, total.overdue, total.notified) == (4, 3, 1, 1, 1)
    assert total.completion_permille == 250
    grid_a = rows[(Dimension.GRID, str(d.grid_a.pk))]
    assert (grid_a.in_scope, grid_a.accepted, grid_a.overdue, grid_a.completion_permille) == (2, 1, 1, 500)
    assert grid_a.parent_key == str(d.c1.pk)
    c1 = rows[(Dimension.COMMUNITY, str(d.c1.pk))]
    assert (c1.in_scope, c1.accepted, c1.notified) == (3, 1, 1)
    assert rows[(Dimension.SUBDISTRICT, str(d.s1.pk))].in_scope == 3
    assert rows[(Dimension.WORK_GROUP, str(scene.group.pk))].in_scope == 3
    assert rows[(Dimension.WORK_GROUP, str(scene.other_group.pk))].in_scope == 1
    unit = rows[(Dimension.UNIT, str(d.unit.pk))]
    assert (unit.in_scope, unit.accepted) == (2, 1)
    assert (Dimension.UNIT, str(d.other_unit.pk)) not in rows
    four = rows[(Dimension.FOUR_CATEGORY, "all")]
    assert (four.in_scope, four.accepted) == (3, 1)  # landlord_a (party member, 2) + the official (1)
    assert rows[(Dimension.FOUR_CATEGORY, "is_official")].in_scope == 1
    # Grid ranking: A (50 %) first, then A2 and B both at 0 %: they share rank 2 (competition ranking) and
    # are listed by the name's code points, which is what `sorted` does (stable whatever the collation).
    ranked = sorted(
        (r for r in rows.values() if r.dimension == Dimension.GRID), key=lambda r: (r.rank, r.name, r.key)
    )
    assert ranked[0].key == str(d.grid_a.pk)
    assert [r.name for r in ranked[1:]] == sorted([d.grid_a2.name, d.grid_b.name])
    assert [r.rank for r in ranked] == [1, 2, 2]
    # No day before: change is blank.
    assert grid_a.accepted_delta is None and grid_a.rank_change is None


def test_change_since_the_day_before(scene, district):
    services.generate_snapshot(scene.campaign, D1)
    snap = services.generate_snapshot(scene.campaign, D2)
    grid_a = rows_of(snap)[(Dimension.GRID, str(district.grid_a.pk))]
    assert grid_a.accepted_delta == 1
    assert grid_a.completion_delta == 500
    # On D1 every grid is at 0 %: all share rank 1; on D2 grid A is alone at 50 %, still 1 — no move.
    before = rows_of(services.newest(scene.campaign, D1))[(Dimension.GRID, str(district.grid_a.pk))]
    assert (before.rank, grid_a.rank, grid_a.rank_change) == (1, 1, 0)
    other = rows_of(snap)[(Dimension.GRID, str(district.grid_b.pk))]
    assert (other.rank, other.rank_change) == (2, -1)


def test_competition_ranking_shares_ranks_and_skips():
    rows = [
        SnapshotRow(dimension=Dimension.GRID, key=str(k), name=name, completion_permille=permille, accepted=k)
        for k, (name, permille) in enumerate(
            [("丁", 1000), ("甲", 1000), ("乙", 800), ("丙", 800), ("戊", 200)], start=1
        )
    ]
    services.competition_ranks(rows)
    assert {r.name: r.rank for r in rows} == {"丁": 1, "甲": 1, "乙": 3, "丙": 3, "戊": 5}
    # The accepted count (a row's size) never breaks a tie: swapping it changes no rank.
    for row in rows:
        row.accepted = 100 - row.accepted
    services.competition_ranks(rows)
    assert {r.name: r.rank for r in rows} == {"丁": 1, "甲": 1, "乙": 3, "丙": 3, "戊": 5}


def test_future_day_and_day_outside_the_period_are_refused(scene):
    with pytest.raises(ValidationError) as error:
        services.generate_snapshot(scene.campaign, TODAY + dt.timedelta(days=1))
    assert error.value.message_dict["day"] == ["不能生成未来日期的日报"]
    with pytest.raises(ValidationError) as error:
        services.generate_snapshot(scene.campaign, scene.campaign.starts_on - dt.timedelta(days=1))
    assert "行动期间" in error.value.message_dict["day"][0]
    assert not DailySnapshot.objects.exists()


def test_idempotent_and_correction_makes_a_new_version(scene, personas):
    first = services.generate_snapshot(scene.campaign, D2)
    assert services.generate_snapshot(scene.campaign, D2, actor=personas.commander) == first
    with pytest.raises(ValidationError) as error:
        services.generate_snapshot(scene.campaign, D2, actor=personas.commander, correction=True)
    assert "reason" in error.value.message_dict
    second = services.generate_snapshot(
        scene.campaign, D2, actor=personas.commander, correction=True, reason="补录"
    )
    assert (second.version, second.reason, second.generated_by) == (2, "补录", personas.commander)
    assert services.newest(scene.campaign, D2) == second
    assert DailySnapshot.objects.filter(campaign=scene.campaign, day=D2).count() == 2


def test_a_past_day_regenerates_the_same_figures(scene, district, personas):
    first = services.generate_snapshot(scene.campaign, D1)
    before = {k: [getattr(r, f) for f in FIGURES] for k, r in rows_of(first).items()}
    stored = list(SnapshotRow.objects.filter(snapshot=first).values())
    # Later moves (today) must not change D1's figures.
    history(scene.campaign, district.premises_b, personas.grid_worker, [(at(TODAY, 0), "accepted")])
    again = services.generate_snapshot(scene.campaign, D1, correction=True, reason="复核")
    assert {k: [getattr(r, f) for f in FIGURES] for k, r in rows_of(again).items()} == before
    assert list(SnapshotRow.objects.filter(snapshot=first).values()) == stored


def test_snapshots_refuse_updates(scene):
    snap = services.generate_snapshot(scene.campaign, D2)
    snap.reason = "改"
    with pytest.raises(ImmutableSnapshot):
        snap.save()
    row = snap.rows.first()
    row.accepted = 99
    with pytest.raises(ImmutableSnapshot):
        row.save()
    assert DailySnapshot.objects.get(pk=snap.pk).reason == ""
    assert SnapshotRow.objects.get(pk=row.pk).accepted != 99


def test_every_figure_links_to_a_list_of_that_many_premises(scene, personas, login):
    snap = services.generate_snapshot(scene.campaign, D2)
    client = login(personas.commander)
    page = client.get(reverse("reports:day", args=[scene.campaign.code, D2.isoformat()]))
    assert_status(page, 200)
    html = page.content.decode()
    checked = 0
    for row in snap.rows.all():
        for figure in FIGURES:
            url = reverse("reports:premises", args=[scene.campaign.code, D2.isoformat()])
            query = (
                f"?dimension={row.dimension}&amp;key={row.key}&amp;figure={figure}&amp;version={snap.version}"
            )
            assert url + query in html, (row, figure)
            response = client.get(url, {"dimension": row.dimension, "key": row.key, "figure": figure})
            assert_status(response, 200)
            assert response.context["paginator"].count == getattr(row, figure), (row, figure)
            checked += 1
    assert checked == snap.rows.count() * len(FIGURES)


def test_unit_figures_follow_claims_in_force_that_day(scene, district, personas):
    claim = Claim.objects.get(landlord=district.landlord_a)
    Claim.objects.filter(pk=claim.pk).update(status="transferred", ended_at=at(D2, 9))
    Claim.objects.create(
        campaign=scene.campaign,
        landlord=district.landlord_a,
        unit=district.other_unit,
        claimed_by=personas.commander,
        claimed_at=at(D2, 9),
    )
    d1 = rows_of(services.generate_snapshot(scene.campaign, D1))
    d2 = rows_of(services.generate_snapshot(scene.campaign, D2))
    assert d1[(Dimension.UNIT, str(district.unit.pk))].in_scope == 2
    assert (Dimension.UNIT, str(district.other_unit.pk)) not in d1
    assert d2[(Dimension.UNIT, str(district.other_unit.pk))].in_scope == 2
    assert (Dimension.UNIT, str(district.unit.pk)) not in d2


def test_scope_of_the_page_and_drill_down(scene, district, personas, login):
    snap = services.generate_snapshot(scene.campaign, D2)
    url = reverse("reports:day", args=[scene.campaign.code, D2.isoformat()])
    drill = reverse("reports:premises", args=[scene.campaign.code, D2.isoformat()])

    def keys(user):
        response = login(user).get(url)
        assert_status(response, 200)
        return {(r.dimension, r.key) for s in response.context["sections"] for r in s["rows"]}

    everything = {(r.dimension, r.key) for r in snap.rows.all()}
    assert keys(personas.commander) == everything
    assert keys(personas.admin) == everything
    grid_worker = keys(personas.grid_worker)
    assert grid_worker == {(Dimension.GRID, str(district.grid_a.pk))}
    assert keys(personas.subdistrict_officer) == {
        (Dimension.SUBDISTRICT, str(district.s1.pk)),
        (Dimension.COMMUNITY, str(district.c1.pk)),
        (Dimension.GRID, str(district.grid_a.pk)),
        (Dimension.GRID, str(district.grid_a2.pk)),
    }
    assert keys(personas.liaison) == {k for k in everything if k[0] == Dimension.UNIT}
    assert_status(login(personas.landlord).get(url), PORTAL)
    assert_status(login(personas.landlord).get(reverse("reports:index")), PORTAL)

    own = {"dimension": Dimension.GRID, "key": str(district.grid_a.pk), "figure": "in_scope"}
    other = {"dimension": Dimension.GRID, "key": str(district.grid_b.pk), "figure": "in_scope"}
    assert_status(login(personas.grid_worker).get(drill, own), 200)
    assert_status(login(personas.grid_worker).get(drill, other), 404)  # outside their scope
    assert_status(login(personas.grid_worker).get(drill, {**own, "dimension": "total", "key": "all"}), 404)
    unit = {"dimension": Dimension.UNIT, "key": str(district.unit.pk), "figure": "accepted"}
    assert_status(login(personas.liaison).get(drill, unit), 200)
    # Another unit's liaison sees the ranking row but may not list that unit's landlords.
    other_unit_liaison = personas.other_liaison
    assert (Dimension.UNIT, str(district.unit.pk)) in keys(other_unit_liaison)
    assert_status(login(other_unit_liaison).get(drill, unit), 403)
    assert_status(login(personas.commander).get(drill, {**own, "figure": "nonsense"}), 404)


def test_an_ended_campaigns_generate_form_defaults_to_its_last_day(district, personas, login):
    """Today is always refused for a campaign that has ended: the form offers its last day instead."""
    ended = make_campaign("ended", days_before=40, days_after=-10, status="ended")
    response = login(personas.commander).get(reverse("reports:index"), {"campaign": "ended"})
    assert_status(response, 200)
    last = ended.ends_on.isoformat()
    assert f'value="{last}" min="{ended.starts_on.isoformat()}" max="{last}"' in response.content.decode()
    # And the day it offers is one the command can generate.
    generated = login(personas.commander).post(reverse("reports:generate", args=["ended"]), {"day": last})
    assert generated.status_code == 302
    assert DailySnapshot.objects.filter(campaign=ended, day=ended.ends_on).exists()


def test_generate_button_and_permissions(scene, personas, login):
    url = reverse("reports:generate", args=[scene.campaign.code])
    assert_status(login(personas.grid_worker).post(url, {"day": D2.isoformat()}), 403)
    assert_status(login(personas.fire_officer).post(url, {"day": D2.isoformat()}), 403)
    with pytest.raises(PermissionDenied):
        services.generate_snapshot(scene.campaign, D2, actor=personas.subdistrict_officer)
    assert not DailySnapshot.objects.exists()
    response = login(personas.commander).post(url, {"day": D2.isoformat()})
    assert response.status_code == 302
    assert DailySnapshot.objects.get().generated_by == personas.commander
    index = login(personas.commander).get(reverse("reports:index"))
    assert "立即生成" in index.content.decode()
    assert "立即生成" not in login(personas.grid_worker).get(reverse("reports:index")).content.decode()
    future = login(personas.commander).post(
        url, {"day": (TODAY + dt.timedelta(days=3)).isoformat()}, follow=True
    )
    assert "不能生成未来日期的日报" in future.content.decode()
    assert DailySnapshot.objects.count() == 1


def test_daily_job_generates_every_running_campaign_once(scene, settings):
    settings.FIREGRID_JOBS_INLINE = True
    make_campaign(code="ended", status="ended")
    run = jobs.enqueue("reports.daily_snapshot", key=TODAY.isoformat(), inline=True)
    assert run.result == {"day": TODAY.isoformat(), "snapshots": {"tq": 1}}
    jobs.enqueue("reports.daily_snapshot", key=TODAY.isoformat(), inline=True)
    assert DailySnapshot.objects.count() == 1


def test_job_schedule_comes_from_the_setting():
    from firegrid.jobs.registry import registry
    from firegrid.reports.jobs import daily_cron

    assert daily_cron("17:00") == "0 17 * * *"
    assert daily_cron("6:05") == "5 6 * * *"
    assert registry.get("reports.daily_snapshot").schedule is not None


def test_management_command(scene, capsys):
    call_command("reports", "snapshot", "--campaign", "tq", "--day", D2.isoformat())
    assert "v1" in capsys.readouterr().out
    call_command(
        "reports", "snapshot", "--campaign", "tq", "--day", D2.isoformat(), "--correction", "--reason", "x"
    )
    assert services.newest(scene.campaign, D2).version == 2
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不能生成未来日期的日报"):
        call_command(
            "reports", "snapshot", "--campaign", "tq", "--day", (TODAY + dt.timedelta(days=1)).isoformat()
        )


def test_xlsx_has_a_sheet_per_dimension_and_pdf_bulletin(scene, personas, login):
    services.generate_snapshot(scene.campaign, D2)
    client = login(personas.commander)
    response = client.get(reverse("reports:xlsx", args=["tq", D2.isoformat()]))
    assert_status(response, 200)
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [
        "全区合计",
        "工作组",
        "街道、乡镇",
        "社区、村",
        "网格",
        "单位",
        "四类人员",
        "宣传发动",
    ]
    grid_sheet = list(book["网格"].values)
    assert grid_sheet[1][0] == "樟树潭一网格" and grid_sheet[1][1] == 1
    response = client.get(reverse("reports:pdf", args=["tq", D2.isoformat()]))
    assert_status(response, 200)
    text = pdf_text(response.content)
    assert "铁拳行动工作日报" in text and "樟树潭一网格" in text and "排名规则" in text
    # An area officer's bulletin holds only their rows.
    text = pdf_text(
        login(personas.grid_worker).get(reverse("reports:pdf", args=["tq", D2.isoformat()])).content
    )
    assert "樟树潭一网格" in text and "浮石一网格" not in text


def outreach(campaign, area, user, kind, held_on, **figures):
    return OutreachRecord.objects.create(
        campaign=campaign, kind=kind, area=area, held_on=held_on, recorded_by=user, **figures
    )


def test_outreach_section_on_page_xlsx_and_bulletin(scene, district, personas, login):
    """The report's 宣传发动 section: records up to the report day, the user's scope, every kind listed."""
    d, c, gw = district, scene.campaign, personas.grid_worker
    outreach(c, d.grid_a, gw, OutreachKind.MEETING, D1, attendance=40)
    outreach(c, d.grid_a, gw, OutreachKind.MATERIALS, D2, copies=300, material="告知书")
    outreach(c, d.grid_b, gw, OutreachKind.MEETING, D2, attendance=25)  # another subdistrict
    outreach(c, d.grid_a, gw, OutreachKind.MEETING, TODAY, attendance=99)  # after the report day
    other = make_campaign(code="other")
    outreach(other, d.grid_a, gw, OutreachKind.MEETING, D1, attendance=7)  # another campaign
    services.generate_snapshot(c, D2)
    url = reverse("reports:day", args=["tq", D2.isoformat()])

    section = login(personas.commander).get(url).context["outreach"]
    by_kind = {row["kind"]: row for row in section["rows"]}
    assert list(by_kind) == list(OutreachKind.values)
    assert by_kind["meeting"] == {**by_kind["meeting"], "records": 2, "attendance": 65, "copies": 0}
    assert by_kind["materials"]["records"] == 1 and by_kind["materials"]["copies"] == 300
    assert by_kind["video"]["records"] == 0
    assert section["total"] == {"records": 3, "attendance": 65, "copies": 300}
    # The day before: only what was held by then.
    services.generate_snapshot(c, D1)
    earlier = login(personas.commander).get(reverse("reports:day", args=["tq", D1.isoformat()]))
    assert earlier.context["outreach"]["total"] == {"records": 1, "attendance": 40, "copies": 0}

    # An area officer: their areas only. A unit liaison and a landlord get no section.
    mine = login(personas.subdistrict_officer).get(url).context["outreach"]
    assert mine["total"] == {"records": 2, "attendance": 40, "copies": 300}
    page = login(personas.liaison).get(url)
    assert_status(page, 200)
    assert page.context["outreach"] is None and 'id="outreach"' not in page.content.decode()
    assert_status(login(personas.landlord).get(url), PORTAL)

    page = login(personas.commander).get(url).content.decode()
    assert 'id="outreach"' in page and "发放宣传资料" in page
    response = login(personas.commander).get(reverse("reports:xlsx", args=["tq", D2.isoformat()]))
    sheet = list(load_workbook(BytesIO(b"".join(response.streaming_content)))["宣传发动"].values)
    assert sheet[0] == ("宣传形式", "次数", "参加人数", "份数")
    assert sheet[1] == ("动员会", 2, 65, 0) and sheet[-1] == ("合计", 3, 65, 300)
    liaison_book = load_workbook(
        BytesIO(
            b"".join(
                login(personas.liaison)
                .get(reverse("reports:xlsx", args=["tq", D2.isoformat()]))
                .streaming_content
            )
        )
    )
    assert "宣传发动" not in liaison_book.sheetnames
    text = pdf_text(
        login(personas.commander).get(reverse("reports:pdf", args=["tq", D2.isoformat()])).content
    )
    assert "宣传发动" in text and "发放宣传资料" in text and "300" in text
    text = pdf_text(login(personas.liaison).get(reverse("reports:pdf", args=["tq", D2.isoformat()])).content)
    assert "宣传发动" not in text


def test_api_lists_retrieves_scoped_rows_and_generates(scene, district, personas):
    def client(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    assert APIClient().get("/api/v1/daily-reports/").status_code == 401
    response = client(personas.grid_worker).post(
        "/api/v1/daily-reports/generate/", {"campaign": "tq", "day": D2.isoformat()}, format="json"
    )
    assert_status(response, 403)
    response = client(personas.commander).post(
        "/api/v1/daily-reports/generate/", {"campaign": "tq", "day": D2.isoformat()}, format="json"
    )
    assert_status(response, 201)
    again = client(personas.commander).post(
        "/api/v1/daily-reports/generate/", {"campaign": "tq", "day": D2.isoformat()}, format="json"
    )
    assert_status(again, 200)
    assert again.data["id"] == response.data["id"]
    future = client(personas.commander).post(
        "/api/v1/daily-reports/generate/",
        {"campaign": "tq", "day": (TODAY + dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert_status(future, 400)
    assert future.data["day"] == ["不能生成未来日期的日报"]
    listing = client(personas.grid_worker).get("/api/v1/daily-reports/", {"campaign": "tq"})
    assert_status(listing, 200)
    assert [s["version"] for s in listing.data["results"]] == [1]
    detail = client(personas.grid_worker).get(f"/api/v1/daily-reports/{response.data['id']}/")
    assert [(r["dimension"], r["key"]) for r in detail.data["rows"]] == [("grid", str(district.grid_a.pk))]
    full = client(personas.commander).get(f"/api/v1/daily-reports/{response.data['id']}/")
    assert len(full.data["rows"]) == SnapshotRow.objects.count()
    assert_status(client(personas.landlord).get("/api/v1/daily-reports/"), 403)


def test_the_four_category_total_row_ends_its_table(scene, personas):
    from firegrid.reports.views import sections

    snap = services.generate_snapshot(scene.campaign, D2)
    four = next(s for s in sections(snap, personas.commander) if s["dimension"] == Dimension.FOUR_CATEGORY)
    assert len(four["rows"]) > 1
    assert four["rows"][-1].key == "all" and all(r.key != "all" for r in four["rows"][:-1])


def test_the_index_pages_its_reports_newest_first(scene, personas, login, monkeypatch):
    monkeypatch.setattr("firegrid.reports.views.DAYS_PER_PAGE", 1)
    services.generate_snapshot(scene.campaign, D1)
    services.generate_snapshot(scene.campaign, D2)
    client = login(personas.commander)
    first = client.get(reverse("reports:index"))
    assert [s.day for s in first.context["days"]] == [D2]
    assert "第 1 / 2 页" in first.content.decode()
    second = client.get(reverse("reports:index"), {"campaign": scene.campaign.code, "page": 2})
    assert [s.day for s in second.context["days"]] == [D1]
