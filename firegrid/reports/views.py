"""Daily report pages: the list of days, one day's report (page, .xlsx, PDF bulletin), the premises behind
a figure, and the command's 立即生成 button."""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from firegrid.campaigns import status
from firegrid.campaigns.models import Campaign
from firegrid.core.exports import _cell_value
from firegrid.core.pdf import render_pdf

from . import layout, services, survey
from .models import FIGURES, DailySnapshot, Dimension, SnapshotRow

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.http import AuthedHttpRequest

# Sections in the order shown and printed.
SECTIONS = [
    Dimension.TOTAL,
    Dimension.WORK_GROUP,
    Dimension.SUBDISTRICT,
    Dimension.COMMUNITY,
    Dimension.GRID,
    Dimension.UNIT,
    Dimension.FOUR_CATEGORY,
]
# The bulletin prints the rankings the issue asks for, plus the totals and the four-category section.
BULLETIN_SECTIONS = [
    Dimension.TOTAL,
    Dimension.WORK_GROUP,
    Dimension.GRID,
    Dimension.UNIT,
    Dimension.FOUR_CATEGORY,
]


def _figure_label(name: str) -> str | Promise:
    field = SnapshotRow._meta.get_field(name)
    assert isinstance(field, models.Field)  # every figure is a column of the row
    return field.verbose_name


FIGURE_LABELS = {name: _figure_label(name) for name in FIGURES}
OUTREACH_TITLE = gettext_lazy("宣传发动")
OUTREACH_HEADER = [
    gettext_lazy("宣传形式"),
    gettext_lazy("次数"),
    gettext_lazy("参加人数"),
    gettext_lazy("份数"),
]


def _require_viewer(user: User) -> None:
    if not services.may_view(user):
        raise PermissionDenied(_("您的角色无权查看日报。"))


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


def _snapshot(request: HttpRequest, code: str, day: str) -> DailySnapshot:
    """The day's newest version, or the one asked for with ?version=."""
    campaign = get_object_or_404(Campaign, code=code)
    snapshots = DailySnapshot.objects.filter(campaign=campaign, day=_day(day)).select_related(
        "campaign", "generated_by"
    )
    version = request.GET.get("version")
    if version:
        if not version.isdigit():
            raise Http404
        return get_object_or_404(snapshots, version=int(version))
    snapshot = snapshots.order_by("-version").first()
    if snapshot is None:
        raise Http404
    return snapshot


def drill_url(snapshot: DailySnapshot, row: SnapshotRow, figure: str) -> str:
    base = reverse("reports:premises", args=[snapshot.campaign.code, snapshot.day.isoformat()])
    query = {"dimension": row.dimension, "key": row.key, "figure": figure, "version": snapshot.version}
    return f"{base}?{urlencode(query)}"


def sections(
    snapshot: DailySnapshot, user: User, dimensions: list[Dimension] = SECTIONS
) -> list[dict[str, Any]]:
    rows = list(services.visible_rows(snapshot, user).order_by("rank", "name", "key"))
    out: list[dict[str, Any]] = []
    for dimension in dimensions:
        members = [r for r in rows if r.dimension == dimension]
        if not members:
            continue
        # The four-category section lists its categories, then their total at the end (as a table's sum).
        members.sort(key=lambda r: r.key == "all")
        for row in members:
            drill = services.may_drill(row, user)
            row.cells = [
                (
                    name,
                    FIGURE_LABELS[name],
                    getattr(row, name),
                    drill_url(snapshot, row, name) if drill else "",
                )
                for name in FIGURES
            ]
        out.append({"dimension": dimension, "label": Dimension(dimension).label, "rows": members})
    return out


# Reports per page of the index.
DAYS_PER_PAGE = 15


@login_required
def index(request: AuthedHttpRequest) -> HttpResponse:
    _require_viewer(request.user)
    campaigns = list(Campaign.objects.order_by("-starts_on", "-pk"))
    code = request.GET.get("campaign")
    campaign = next((c for c in campaigns if c.code == code), None) if code else None
    campaign = campaign or Campaign.objects.current() or (campaigns[0] if campaigns else None)
    days: list[DailySnapshot] = []
    if campaign is not None:
        newest: dict[dt.date, DailySnapshot] = {}
        snapshots = DailySnapshot.objects.filter(campaign=campaign).select_related("generated_by")
        for snapshot in snapshots.order_by("-day", "-version"):
            newest.setdefault(snapshot.day, snapshot)
        days = list(newest.values())
    # Newest first, a page at a time: a two-month campaign is sixty reports, a phone shows a few screens.
    page = Paginator(days, DAYS_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    # The days a report can be made for: the campaign's, up to today. An ended campaign's default is its
    # last day (today is always refused for it).
    last_day = min(today, campaign.ends_on) if campaign is not None else today
    return render(
        request,
        "reports/index.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "days": page,
            "campaign_query": urlencode({"campaign": campaign.code}) if campaign is not None else "",
            "today": today,
            "last_day": last_day,
            "may_generate": services.may_generate(request.user),
        },
    )


@login_required
@require_POST
def generate(request: AuthedHttpRequest, code: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign, code=code)
    if not services.may_generate(request.user):
        raise PermissionDenied(_("您的角色无权生成日报。"))
    try:
        day = dt.date.fromisoformat(request.POST.get("day") or timezone.localdate().isoformat())
    except ValueError:
        messages.error(request, _("日期格式应为 YYYY-MM-DD。"))
        return redirect(f"{reverse('reports:index')}?campaign={campaign.code}")
    try:
        snapshot = services.generate_snapshot(
            campaign,
            day,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            correction=bool(request.POST.get("correction")),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(f"{reverse('reports:index')}?campaign={campaign.code}")
    messages.success(
        request, _("已生成 %(day)s 日报（第 %(version)s 版）。") % {"day": day, "version": snapshot.version}
    )
    return redirect("reports:day", campaign.code, day.isoformat())


@login_required
def day_page(request: AuthedHttpRequest, code: str, day: str) -> HttpResponse:
    _require_viewer(request.user)
    snapshot = _snapshot(request, code, day)
    versions = DailySnapshot.objects.filter(campaign=snapshot.campaign, day=snapshot.day).order_by("-version")
    report_sections = sections(snapshot, request.user)
    survey_rows = survey.survey_section(snapshot, request.user)
    show_all = request.GET.get("all", "")
    # 展开全部 without a script: the same page with one ranking unfolded (and the version kept).
    unfold = {key: value for key, value in request.GET.items() if key != "all"}
    return render(
        request,
        "reports/day.html",
        {
            "snapshot": snapshot,
            "campaign": snapshot.campaign,
            "sections": report_sections,
            **layout.arrange(snapshot, report_sections, request.user, show_all),
            "unfold_query": urlencode(unfold),
            "figure_labels": [FIGURE_LABELS[name] for name in FIGURES],
            "outreach": services.outreach_section(snapshot, request.user),
            "survey": survey_rows,
            # The summary line of the folded section: the reader's own area's premises covered.
            "survey_lead": survey_rows[0].cells[1] if survey_rows else None,
            "survey_at": dt.datetime.fromisoformat(snapshot.survey["at"]) if snapshot.survey else None,
            "versions": versions,
            "is_newest": snapshot.pk == versions[0].pk,
            "may_generate": services.may_generate(request.user),
        },
    )


@login_required
def premises(request: AuthedHttpRequest, code: str, day: str) -> HttpResponse:
    """The premises behind one figure: their count is the figure — of any version, for ever (the list is read
    as known when that version was made)."""
    _require_viewer(request.user)
    snapshot = _snapshot(request, code, day)
    dimension, key, figure = (request.GET.get(name, "") for name in ("dimension", "key", "figure"))
    if figure not in services.FIGURE_PROGRESS:
        raise Http404
    row = services.drill_row(snapshot, request.user, dimension, key)
    queryset = (
        services.snapshot_premises(snapshot, dimension, key, figure)
        .select_related("building__grid", "landlord")
        .order_by("sort_key", "pk")
    )
    paginator = Paginator(queryset, settings.FIREGRID_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    progress_labels = dict(status.Progress.choices)
    for item in page.object_list:
        # A display label for the template, carried on the fetched row (not a model field).
        item.progress_label = progress_labels.get(item.progress, item.progress)  # type: ignore[attr-defined]
    query = {"dimension": dimension, "key": key, "figure": figure, "version": snapshot.version}
    return render(
        request,
        "reports/premises.html",
        {
            "snapshot": snapshot,
            "campaign": snapshot.campaign,
            "row": row,
            "figure": figure,
            "figure_label": FIGURE_LABELS[figure],
            "figure_value": getattr(row, figure),
            "page_obj": page,
            "paginator": paginator,
            "query_string": urlencode(query),
        },
    )


@login_required
def xlsx(request: AuthedHttpRequest, code: str, day: str) -> FileResponse:
    """One sheet per dimension, the rows the user may see, as on the page."""
    _require_viewer(request.user)
    snapshot = _snapshot(request, code, day)
    workbook = Workbook(write_only=True)
    header = [
        _("名称"),
        _("排名"),
        _("排名变化"),
        *[str(FIGURE_LABELS[name]) for name in FIGURES],
        _("完成率 (%)"),
        _("较前日完成率变化 (百分点)"),
        _("较前日验收增加"),
    ]
    for section in sections(snapshot, request.user):
        sheet = workbook.create_sheet(title=str(section["label"])[:31].replace("/", "、"))
        cells = []
        for label in header:
            cell = WriteOnlyCell(sheet, value=str(label))
            cell.font = Font(bold=True)
            cells.append(cell)
        sheet.append(cells)
        for row in section["rows"]:
            sheet.append(
                [
                    _cell_value(row.display_name),
                    row.rank,
                    row.rank_change,
                    *[getattr(row, name) for name in FIGURES],
                    row.completion,
                    row.completion_delta_percent,
                    row.accepted_delta,
                ]
            )
    outreach = services.outreach_section(snapshot, request.user)
    if outreach is not None:
        sheet = workbook.create_sheet(title=str(OUTREACH_TITLE))
        cells = []
        for heading in OUTREACH_HEADER:
            cell = WriteOnlyCell(sheet, value=str(heading))
            cell.font = Font(bold=True)
            cells.append(cell)
        sheet.append(cells)
        for row in outreach["rows"]:
            sheet.append([str(row["label"]), row["records"], row["attendance"], row["copies"]])
        total = outreach["total"]
        sheet.append([_("合计"), total["records"], total["attendance"], total["copies"]])
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"daily-report-{snapshot.campaign.code}-{snapshot.day.isoformat()}-v{snapshot.version}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def bulletin_context(snapshot: DailySnapshot, user: User) -> dict[str, Any]:
    """The bulletin in the active language (the reader's: an internal report, not a notice to a landlord)."""
    # 2019年10月8日 in Chinese (GB/T 9704, as chinese_date), Oct. 8, 2019 in English.
    day_text = formats.date_format(snapshot.day)
    title = _("%(campaign)s工作日报") % {"campaign": snapshot.campaign.name}
    serial = (
        _("%(day)s（第%(version)s版）") % {"day": day_text, "version": snapshot.version}
        if snapshot.version > 1
        else day_text
    )
    return {
        "doc": {
            "kind": "bulletin",
            "title": title,
            "serial": serial,
            "issuer": {"name": settings.FIREGRID_ISSUER, "department": "", "phone": ""},
            "issued_on": snapshot.day.isoformat(),
        },
        "snapshot": snapshot,
        "day_text": day_text,
        "sections": sections(snapshot, user, BULLETIN_SECTIONS),
        "figure_labels": [FIGURE_LABELS[name] for name in FIGURES],
        "outreach": services.outreach_section(snapshot, user),
        "page_footer": page_footer_css(),
    }


def page_footer_css() -> str:
    """The bulletin's page footer (第 1 页 共 2 页, Page 1 of 2) in the active language, as a CSS `content`
    value: the translated words as CSS strings around the page counters."""
    parts = re.split(r"\{(pages?)\}", _("第 {page} 页 共 {pages} 页"))
    css = " ".join(
        f"counter({part})" if i % 2 else json.dumps(part, ensure_ascii=False).replace("<", "\\3C ")
        for i, part in enumerate(parts)
        if part or i % 2
    )
    # Safe: the catalogue's words, each quoted as a CSS string, with no "<" left to close the style element.
    return mark_safe(css)


@login_required
def pdf(request: AuthedHttpRequest, code: str, day: str) -> HttpResponse:
    _require_viewer(request.user)
    snapshot = _snapshot(request, code, day)
    data = render_pdf(
        "documents/bulletin.html",
        bulletin_context(snapshot, request.user),
        language=translation.get_language(),
    )
    response = HttpResponse(data, content_type="application/pdf")
    name = f"bulletin-{snapshot.campaign.code}-{snapshot.day.isoformat()}-v{snapshot.version}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
