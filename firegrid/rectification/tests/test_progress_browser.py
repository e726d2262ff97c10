"""In headless Chromium: a progress page stops polling on its own — when its job ends, and after a bounded
time when the job never answers — and a file that takes time to make shows a busy link until it arrives."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from firegrid.jobs.models import JobRun, JobStatus
from firegrid.rectification.views.documents import PRINT_JOB

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _run(user, key: str) -> JobRun:
    # Queued and never picked up: no job runs in this test, the rows are moved by hand.
    return JobRun.objects.create(name=PRINT_JOB, key=key, created_by=user, progress_total=3)


def _polls(page, url: str) -> list[float]:
    """Times of the page's requests to url (the htmx polls), appended as they happen."""
    seen: list[float] = []
    page.on("request", lambda request: seen.append(time.monotonic()) if request.url.endswith(url) else None)
    return seen


def test_the_batch_print_page_stops_polling_when_the_job_ends(page_for, live_server, personas):
    run = _run(personas.grid_worker, "ends")
    url = reverse("rectification:batch_print", args=[run.pk])
    page = page_for(personas.grid_worker)
    polls = _polls(page, url)
    page.goto(f"{live_server.url}{url}")
    expect(page.locator("#batch-progress")).to_have_attribute("hx-trigger", "every 1s")
    page.wait_for_timeout(2500)
    assert len(polls) >= 2  # it polls while the job has not ended

    JobRun.objects.filter(pk=run.pk).update(
        status=JobStatus.DONE, progress_done=3, finished_at=timezone.now(), result={"file": "x.pdf"}
    )
    expect(page.get_by_text("打开 PDF 打印")).to_be_visible()
    expect(page.locator("#batch-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    after = len(polls)
    page.wait_for_timeout(3000)
    assert len(polls) == after  # no request once the job has ended


def test_a_job_that_never_answers_stops_the_polling_with_a_message(page_for, live_server, personas):
    run = _run(personas.grid_worker, "stuck")
    url = reverse("rectification:batch_print", args=[run.pk])
    page = page_for(personas.grid_worker)
    page.add_init_script("window.firegridPollStall = 3")  # seconds without any change (300 by default)
    polls = _polls(page, url)
    page.goto(f"{live_server.url}{url}")

    alert = page.locator("#batch-progress [role=alert]")
    expect(alert).to_contain_text("已停止自动刷新", timeout=10000)
    assert len(polls) >= 2  # it did poll before giving up
    stopped = len(polls)
    page.wait_for_timeout(3000)
    assert len(polls) == stopped  # and asks no more
    # Looking again reloads the page, which polls again.
    alert.get_by_role("button", name="重新查看").click()
    page.wait_for_timeout(2500)
    assert len(polls) > stopped


def test_the_premises_file_export_shows_a_busy_link_until_the_file_arrives(
    page_for, live_server, personas, district
):
    page = page_for(personas.commander)
    page.goto(f"{live_server.url}{reverse('rectification:premises_file', args=[district.premises_a.pk])}")
    held = []
    pdf_url = reverse("rectification:premises_dossier", args=[district.premises_a.pk])
    page.route(f"**{pdf_url}", lambda route: held.append(route))  # answered below, when we say so

    link = page.get_by_role("link", name="导出 PDF 档案")
    link.click()
    page.wait_for_timeout(300)
    assert len(held) == 1
    busy = page.locator("a[data-busy][aria-busy=true]")
    expect(busy).to_have_text("正在生成，请稍候…")  # while the file is being made

    with page.expect_download() as download:
        held[0].continue_()
    assert download.value.suggested_filename.endswith(".pdf")
    expect(page.locator("a[data-busy]")).to_have_text("导出 PDF 档案")
    expect(page.locator("a[data-busy]")).not_to_have_attribute("aria-busy", "true")
