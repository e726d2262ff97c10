"""长效管理日报: today's long-term figures frozen per area; who makes and reads it; a later change never
moves a stored figure; the change since the day before; the nightly job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from firegrid.conftest import PORTAL, assert_status
from firegrid.jobs import services as jobs
from firegrid.reports.longterm_report import generate_longterm_report, report_sections
from firegrid.reports.models import ImmutableSnapshot, LongtermReport
from firegrid.risk.models import PremisesGrade

pytestmark = pytest.mark.django_db

INDEX = reverse("reports:longterm_index")


def _figure(report: LongtermReport, area, section: str, key: str) -> int:
    return report.content["figures"][str(area.pk)][section][key]


def test_the_report_freezes_every_areas_figures(graded, personas):
    d = graded
    report = generate_longterm_report(actor=personas.commander)
    assert report.day == timezone.localdate() and report.version == 1
    assert report.generated_by == personas.commander
    assert {str(a.pk) for a in (d.d, d.s1, d.s2, d.c1, d.c2, d.grid_a, d.grid_a2, d.grid_b)} <= set(
        report.content["areas"]
    )
    assert _figure(report, d.d, "grades", "graded") == 3
    assert _figure(report, d.grid_a, "grades", "red") == 1
    assert _figure(report, d.s2, "grades", "graded") == 1
    # Frozen: a later change to a grade moves the live figures, not the report's.
    PremisesGrade.objects.filter(premises=d.premises_b).delete()
    report.refresh_from_db()
    assert _figure(report, d.d, "grades", "graded") == 3
    with pytest.raises(ImmutableSnapshot):
        report.save()


def test_made_once_a_day_a_correction_needs_a_reason_and_the_past_cannot_be_made(graded, personas):
    first = generate_longterm_report(actor=personas.commander)
    assert generate_longterm_report(actor=personas.commander) == first
    with pytest.raises(ValidationError) as error:
        generate_longterm_report(actor=personas.commander, correction=True)
    assert "reason" in error.value.message_dict
    second = generate_longterm_report(actor=personas.commander, reason="网格调整后重算")
    assert second.version == 2
    with pytest.raises(ValidationError) as error:
        generate_longterm_report(timezone.localdate() - dt.timedelta(days=1), actor=personas.commander)
    assert "day" in error.value.message_dict


@pytest.mark.parametrize("who", ["grid_worker", "community_officer", "liaison", "landlord"])
def test_only_the_command_makes_it(graded, personas, login, who):
    with pytest.raises(PermissionDenied):
        generate_longterm_report(actor=getattr(personas, who))
    response = login(getattr(personas, who)).post(reverse("reports:longterm_generate"))
    assert_status(response, PORTAL if who == "landlord" else 403)
    assert not LongtermReport.objects.exists()


def test_each_reader_sees_the_rows_of_their_own_areas(graded, personas, login):
    d = graded
    report = generate_longterm_report()
    url = reverse("reports:longterm_day", args=[report.day.isoformat()])
    commander = login(personas.commander).get(url)
    assert_status(commander, 200)
    grades = commander.context["sections"][0]
    assert [r.name for r in grades.rows] == ["衢江区", "樟潭街道", "浮石街道"]
    community = login(personas.community_officer).get(url).context["sections"][0]
    assert [r.name for r in community.rows] == ["樟树潭社区", "樟树潭一网格", "樟树潭二网格"]
    # Another area's rows: 404, not an empty page.
    assert_status(login(personas.community_officer).get(url, {"area": d.c2.pk}), 404)
    assert_status(login(personas.grid_worker).get(url, {"area": d.grid_a.pk}), 200)
    assert_status(login(personas.liaison).get(url), 403)
    assert_status(login(personas.landlord).get(url), PORTAL)
    assert login(personas.commander).get(url, {"area": d.s1.pk}).status_code == 200


def test_each_figure_shows_its_change_since_the_day_before(graded, personas):
    d = graded
    today = timezone.localdate()
    yesterday = LongtermReport.objects.create(
        day=today - dt.timedelta(days=1),
        generated_at=timezone.now(),
        content={
            "areas": {},
            "figures": {str(d.d.pk): {"grades": {"graded": 1, "red": 0}}},
            "sections": {"grades": ["graded"]},
        },
    )
    report = generate_longterm_report()
    grades = report_sections(report, personas.commander, previous=yesterday)[0]
    total = {column.key: (value, delta) for column, value, delta in grades.rows[0].cells}
    assert total["graded"] == (3, 2)
    assert total["red"] == (1, 1)
    # A subdistrict absent from yesterday's report has no change to show.
    assert all(delta is None for _c, _v, delta in grades.rows[1].cells)


def test_the_nightly_job_makes_todays_report_once(graded):
    run = jobs.enqueue("reports.longterm_report", key=timezone.localdate().isoformat(), inline=True)
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.result["version"] == 1
    jobs.enqueue("reports.longterm_report", inline=True)  # by hand, a second time today
    assert LongtermReport.objects.count() == 1
    past = jobs.enqueue("reports.longterm_report", key="2020-01-01", inline=True)
    past.refresh_from_db()
    assert past.result == {"day": "2020-01-01", "made": False}


def test_the_index_lists_days_and_offers_the_command_a_button(graded, personas, login, client):
    generate_longterm_report()
    assert client.get(INDEX).status_code == 302
    html = login(personas.commander).get(INDEX).content.decode()
    assert "重新生成今日日报" in html
    html = login(personas.grid_worker).get(INDEX).content.decode()
    assert timezone.localdate().isoformat() in html and "重新生成今日日报" not in html
