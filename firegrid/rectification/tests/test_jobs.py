"""The daily jobs: overdue marking with the ladder, landlord reminders, the officers' digest, and batch
printing — each idempotent, run through the job framework."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage

from firegrid.core import sms
from firegrid.core.models import Notification, NotificationKind
from firegrid.jobs.models import JobRun
from firegrid.jobs.services import enqueue
from firegrid.rectification import services as s
from firegrid.rectification.choices import MoveName, PlanState
from firegrid.rectification.models import EscalationStep, Plan
from firegrid.rectification.testing import plan_with_hazards

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.FIREGRID_SMS_BACKEND = "firegrid.core.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


def notified(district, personas, premises=None):
    gw = personas.grid_worker
    return s.notify_plan(plan_with_hazards(premises or district.premises_a, actor=gw), actor=gw)


def test_mark_overdue_runs_once_per_day_and_moves_up_the_ladder(checklist, district, personas):
    plan = notified(district, personas)
    EscalationStep.objects.create(district=district.d, days_overdue=0, move=MoveName.ESCALATE)
    day = plan.deadline + dt.timedelta(days=1)
    run = enqueue("rectification.mark_overdue", key=day.isoformat(), inline=True)
    assert run.status == "done", run.error
    assert run.result == {"marked_overdue": 1, "moved_up_the_ladder": 1}
    again = enqueue("rectification.mark_overdue", key=day.isoformat(), inline=True)
    assert again.pk == run.pk and JobRun.objects.filter(name="rectification.mark_overdue").count() == 1
    plan.refresh_from_db()
    assert plan.state == PlanState.ESCALATED
    assert list(plan.moves.values_list("actor_name", flat=True))[-2:] == ["系统", "系统"]


def test_landlords_are_reminded_three_days_and_one_day_before_once(
    checklist, district, personas, outbox, django_capture_on_commit_callbacks
):
    district.landlord_a.mobile = "13800001111"
    district.landlord_a.save()
    plan = notified(district, personas)
    for days_before in (5, 3, 2, 1):
        day = plan.deadline - dt.timedelta(days=days_before)
        with django_capture_on_commit_callbacks(execute=True):
            enqueue("rectification.remind_landlords", key=day.isoformat(), inline=True)
    assert [m.mobile for m in outbox] == ["13800001111", "13800001111"]
    assert "还有 3 天" in outbox[0].text and "还有 1 天" in outbox[1].text
    assert str(plan.public_key) in outbox[0].text
    # A second run for the same day (a retry by hand) sends nothing more.
    from firegrid.rectification.jobs import remind_landlords

    with django_capture_on_commit_callbacks(execute=True):
        remind_landlords(JobRun(key=(plan.deadline - dt.timedelta(days=3)).isoformat()))
    assert len(outbox) == 2


def test_officers_get_one_digest_not_one_message_per_plan(checklist, district, personas):
    from firegrid import testing as t

    gw = personas.grid_worker
    notified(district, personas)
    second = t.make_premises(district.building_a, district.landlord_a, unit_label="3楼")
    notified(district, personas, premises=second)
    day = max(Plan.objects.values_list("deadline", flat=True)) + dt.timedelta(days=1)
    s.mark_overdue(day)
    enqueue("rectification.overdue_digest", key=day.isoformat(), inline=True)
    digests = Notification.objects.filter(kind=NotificationKind.OVERDUE_DIGEST)
    assert digests.count() == 1
    digest = digests.get()
    assert digest.recipient == gw and "2 户" in digest.title
    assert "state=overdue" in digest.link
    from firegrid.rectification.jobs import overdue_digest

    overdue_digest(JobRun(key=day.isoformat()))
    assert digests.count() == 1
    assert Notification.objects.visible_to(gw).count() == 1
    assert Notification.objects.visible_to(personas.outsider).count() == 0


def test_batch_printing_joins_the_notices_with_progress(checklist, district, personas):
    from pypdf import PdfReader

    from firegrid import testing as t

    plans = [notified(district, personas)]
    for n in range(2):
        premises = t.make_premises(district.building_a, district.landlord_a, unit_label=f"{n + 3}楼")
        plans.append(notified(district, personas, premises=premises))
    ids = [p.documents.get().pk for p in plans]
    run = enqueue(
        "rectification.print_documents", params={"document_ids": ids}, actor=personas.grid_worker, inline=True
    )
    assert run.status == "done", run.error
    assert (run.progress_done, run.progress_total) == (3, 3)
    with default_storage.open(run.result["file"], "rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 3
    for plan in plans:
        assert plan.documents.get().serial in text
