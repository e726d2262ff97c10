"""Rectification's background and scheduled jobs (times in Asia/Shanghai).

Each is idempotent by design: overdue marking and the ladder move only plans still in the source state;
reminders and digests are notifications keyed by what they are about, sent once per key. The job
framework (firegrid.jobs) adds the claim, so two workers never both run a day's job.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from firegrid.core import notifications
from firegrid.core.models import NotificationKind
from firegrid.jobs import job

from . import documents, services
from .choices import DEADLINE_STATES, PlanState
from .models import Document, Plan

if TYPE_CHECKING:
    from firegrid.jobs.models import JobRun

# Days before a deadline on which the landlord is reminded.
REMINDER_DAYS = (3, 1)
# Plans that are overdue in the officers' digest: past the deadline and not yet back on track.
DIGEST_STATES = (PlanState.OVERDUE, PlanState.ESCALATED, PlanState.ENFORCEMENT)
DIGEST_LISTED = 20
# Documents laid out together in one batch chunk: bounds the memory of a large batch print.
PRINT_CHUNK = 20


def run_day(run: JobRun) -> dt.date:
    """The day a scheduled run is for (its key), or today for a run started by hand."""
    try:
        return dt.date.fromisoformat(run.key)
    except (TypeError, ValueError):
        return timezone.localdate()


@job("rectification.mark_overdue", schedule="5 0 * * *", label=gettext_lazy("标记逾期方案并按阶梯提级"))
def mark_overdue(run: JobRun, **params: Any) -> dict[str, Any]:
    day = run_day(run)
    return {
        "marked_overdue": services.mark_overdue(day),
        "moved_up_the_ladder": services.apply_escalation_ladder(day),
    }


@job("rectification.remind_landlords", schedule="0 9 * * *", label=gettext_lazy("提醒房东整改期限"))
def remind_landlords(run: JobRun, **params: Any) -> dict[str, Any]:
    day = run_day(run)
    sent = 0
    for days in REMINDER_DAYS:
        plans = Plan.objects.filter(
            state__in=DEADLINE_STATES, deadline=day + dt.timedelta(days=days)
        ).select_related("landlord__user", "premises__building")
        for plan in plans.iterator(chunk_size=500):
            landlord = plan.landlord
            if landlord is None or not landlord.mobile:
                continue
            url = documents.landlord_url(plan)
            with override("zh-hans"):
                title = _("整改期限提醒")
                body = _(
                    "您的出租房 %(premises)s 的消防隐患整改期限为 %(deadline)s，还有 %(days)s 天。请按期整改并申请复查：%(url)s"
                ) % {
                    "premises": plan.premises,
                    "deadline": plan.deadline.isoformat(),
                    "days": days,
                    "url": url,
                }
            if notifications.send(
                kind=NotificationKind.DEADLINE_REMINDER,
                key=f"plan:{plan.pk}:{plan.deadline.isoformat()}:{days}",
                recipient=getattr(landlord, "user", None),
                mobile=landlord.mobile,
                title=title,
                body=body,
                link=url,
            ):
                sent += 1
    return {"reminders_sent": sent}


@job("rectification.overdue_digest", schedule="30 8 * * *", label=gettext_lazy("逾期方案日报"))
def overdue_digest(run: JobRun, **params: Any) -> dict[str, Any]:
    """One message per responsible officer listing their overdue plans — never one per plan."""
    day = run_day(run)
    overdue = Plan.objects.filter(state__in=DIGEST_STATES)
    sent = 0
    for row in overdue.values("officer").annotate(n=Count("pk")).order_by("officer"):
        plans = list(
            overdue.filter(officer_id=row["officer"])
            .select_related("officer", "premises__building")
            .order_by("deadline")[:DIGEST_LISTED]
        )
        officer = plans[0].officer
        lines = [
            f"{p.premises}（{p.get_state_display()}，{_('逾期 %(d)s 天') % {'d': (day - p.deadline).days}}）"
            for p in plans
        ]
        more = row["n"] - len(plans)
        if more > 0:
            lines.append(_("……另有 %(n)s 户") % {"n": more})
        if notifications.send(
            kind=NotificationKind.OVERDUE_DIGEST,
            key=f"digest:{row['officer']}:{day.isoformat()}",
            recipient=officer,
            title=_("%(day)s 逾期整改方案 %(n)s 户") % {"day": day.isoformat(), "n": row["n"]},
            body="\n".join(lines),
            link=f"{reverse('rectification:plan_list')}?state=overdue&officer={row['officer']}",
        ):
            sent += 1
    return {"digests_sent": sent}


@job("rectification.print_documents", label=gettext_lazy("批量打印文书"), stale_minutes=30)
def print_documents(run: JobRun, *, document_ids: list[int]) -> dict[str, Any]:
    """The documents as one PDF to print, in the order given. Rendered in chunks (memory stays flat),
    each chunk written with its fonts embedded once, the chunks then joined."""
    from firegrid.core.pdf import render_documents

    total = len(document_ids)
    by_id = Document.objects.in_bulk(document_ids)
    contents = [by_id[pk].content for pk in document_ids if pk in by_id]
    chunks: list[bytes] = []
    for start in range(0, len(contents), PRINT_CHUNK):
        chunks.append(render_documents(contents[start : start + PRINT_CHUNK]))
        run.progress(min(start + PRINT_CHUNK, total), total)
    name = default_storage.save(f"batches/{run.pk}.pdf", ContentFile(_join(chunks)))
    return {"file": name, "documents": len(contents)}


def _join(chunks: list[bytes]) -> bytes:
    if len(chunks) == 1:
        return chunks[0]
    from pypdf import PdfWriter

    writer = PdfWriter()
    for chunk in chunks:
        writer.append(io.BytesIO(chunk))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
