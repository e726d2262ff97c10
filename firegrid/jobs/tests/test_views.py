"""The progress endpoint (the run's creator and the system admin; 404 to anyone else) and the system
admin's job page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from firegrid.conftest import PORTAL, assert_status
from firegrid.jobs import services
from firegrid.jobs.models import JobRun, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def printing(personas):
    """A batch print the community officer started, halfway."""
    return JobRun.objects.create(
        name="tests.record",
        key="print-1",
        status=JobStatus.RUNNING,
        progress_done=120,
        progress_total=480,
        message="正在生成通知书",
        created_by=personas.community_officer,
        claimed_by="web-1:311",
        heartbeat_at=timezone.now(),
    )


def test_the_creator_follows_progress(login, personas, printing):
    response = login(personas.community_officer).get(f"/jobs/{printing.pk}/progress")
    assert_status(response, 200)
    data = response.json()
    assert {k: data[k] for k in ("status", "done", "total", "message", "percent", "finished")} == {
        "status": "running",
        "done": 120,
        "total": 480,
        "message": "正在生成通知书",
        "percent": 25,
        "finished": False,
    }
    assert data["result"] is None


def test_the_result_is_given_once_done(login, personas):
    run = services.enqueue("tests.record", params={"value": "notices.pdf"}, actor=personas.grid_worker)
    data = login(personas.grid_worker).get(reverse("jobs:progress", args=[run.pk])).json()
    assert data["status"] == "done" and data["finished"] and data["result"]["value"] == "notices.pdf"


def test_the_system_admin_sees_every_run(login, personas, printing):
    assert_status(login(personas.admin).get(f"/jobs/{printing.pk}/progress"), 200)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("commander", 404),
        ("grid_worker", 404),
        ("subdistrict_officer", 404),
        ("landlord", PORTAL),
        ("outsider", 404),
    ],
)
def test_anyone_else_gets_404(login, personas, printing, who, expected):
    # Even the district commander: a run is its creator's (it may name their premises and landlords).
    assert_status(login(getattr(personas, who)).get(f"/jobs/{printing.pk}/progress"), expected)


def test_anonymous_is_sent_to_sign_in(client, printing):
    response = client.get(f"/jobs/{printing.pk}/progress")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_unknown_run_is_404(login, personas):
    assert_status(login(personas.admin).get("/jobs/999999/progress"), 404)


# --- the system admin's page --------------------------------------------------------------------------------


def test_job_page_lists_runs_with_status_progress_and_error(login, personas, printing):
    failed = services.enqueue("tests.fail", actor=personas.commander)
    response = login(personas.admin).get(reverse("jobs:run_list"))
    assert_status(response, 200)
    html = response.content.decode()
    assert "后台任务" in html and "tests.daily" in html and "5 0 * * *" in html  # the registered jobs
    assert "120 / 480" in html and "正在生成通知书" in html
    assert "RuntimeError: the printer caught fire" in html
    assert reverse("jobs:retry", args=[failed.pk]) in html
    assert reverse("jobs:retry", args=[printing.pk]) not in html  # running and alive: no retry


def test_job_page_offers_retry_for_a_run_that_stopped_responding(login, personas, printing):
    JobRun.objects.filter(pk=printing.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=11))
    html = login(personas.admin).get(reverse("jobs:run_list")).content.decode()
    assert "已停止响应" in html and reverse("jobs:retry", args=[printing.pk]) in html


def test_job_page_filters_by_status_and_name(login, personas, printing):
    services.enqueue("tests.fail")
    client = login(personas.admin)
    html = client.get(reverse("jobs:run_list"), {"status": "failed"}).content.decode()
    assert "the printer caught fire" in html and "正在生成通知书" not in html
    html = client.get(reverse("jobs:run_list"), {"name": "tests.record"}).content.decode()
    assert "正在生成通知书" in html and "the printer caught fire" not in html


@pytest.mark.parametrize(
    ("who", "expected"), [("commander", 403), ("grid_worker", 403), ("landlord", PORTAL)]
)
def test_job_page_is_the_system_admins(login, personas, who, expected):
    assert_status(login(getattr(personas, who)).get(reverse("jobs:run_list")), expected)


def test_retry_from_the_page(login, personas):
    run = services.enqueue("tests.flaky", actor=personas.commander)
    response = login(personas.admin).post(reverse("jobs:retry", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == JobStatus.DONE and run.attempts == 2


def test_retry_of_a_done_run_says_why(login, personas):
    run = services.enqueue("tests.record")
    response = login(personas.admin).post(reverse("jobs:retry", args=[run.pk]), follow=True)
    assert "只能重新运行失败或已停止响应的任务" in response.content.decode()
    run.refresh_from_db()
    assert run.attempts == 1


def test_retry_is_the_system_admins(login, personas):
    run = services.enqueue("tests.flaky", actor=personas.commander)
    assert_status(login(personas.commander).post(reverse("jobs:retry", args=[run.pk])), 403)
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED


def test_job_runs_in_django_admin(login, personas, printing):
    admin = personas.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = login(admin)
    assert_status(client.get(reverse("admin:jobs_jobrun_changelist")), 200)
    assert_status(client.get(reverse("admin:jobs_jobrun_change", args=[printing.pk])), 200)
    assert_status(client.get(reverse("admin:jobs_jobrun_add")), 403)
