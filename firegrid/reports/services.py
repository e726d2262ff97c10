"""The daily report: generating a frozen snapshot of a campaign's figures for a day (computed by
computing.py), who may read which rows, the frozen outreach section, and the premises behind each figure
(the drill-down).

A snapshot's figures are as known at the instant it is made (`generated_at`), and so are its drill-down
lists (which pass that instant): a stored snapshot's figures, its lists and a recomputation with the same
instant always agree, whatever is added, removed or corrected later.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.query import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from firegrid.areas.choices import AREA_ROLES, DISTRICT_WIDE_ROLES, Role
from firegrid.areas.models import Area
from firegrid.campaigns import status
from firegrid.campaigns.models import Campaign, Claim, WorkGroup
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action, can
from firegrid.core.services import record_change
from firegrid.outreach.models import OutreachKind, OutreachRecord
from firegrid.registry.choices import FourCategory
from firegrid.registry.models import Premises, four_category_q

from .computing import ALL as ALL
from .computing import AREA_DIMENSIONS as AREA_DIMENSIONS
from .computing import FIGURE_PROGRESS as FIGURE_PROGRESS
from .computing import Line as Line
from .computing import active_claim_q, build_rows, work_group_grids
from .computing import area_rows as area_rows
from .computing import competition_ranks as competition_ranks
from .computing import compute_lines as compute_lines
from .computing import rank_key as rank_key
from .models import FIGURES, DailySnapshot, Dimension, GeneratedVia, SnapshotRow
from .survey import freeze_survey

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.campaigns.status import PremisesWithProgress

Progress = status.Progress

# --- generating --------------------------------------------------------------------------------------


def newest(campaign: Campaign, day: dt.date) -> DailySnapshot | None:
    return DailySnapshot.objects.filter(campaign=campaign, day=day).order_by("-version").first()


def check_day(campaign: Campaign, day: dt.date) -> None:
    if day > timezone.localdate():
        raise ValidationError({"day": _("不能生成未来日期的日报")})
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise ValidationError(
            {
                "day": _("日期必须在行动期间内（%(start)s 至 %(end)s）。")
                % {"start": campaign.starts_on, "end": campaign.ends_on}
            }
        )


def may_generate(user: User) -> bool:
    """The command (and the system administrator) publish the report; everyone else reads it."""
    return can(user, Action.CHANGE, Campaign) and (user.is_superuser or user.role in DISTRICT_WIDE_ROLES)


def generate_snapshot(
    campaign: Campaign,
    day: dt.date,
    *,
    actor: User | None = None,
    reason: str = "",
    correction: bool = False,
    via: GeneratedVia | str | None = None,
) -> DailySnapshot:
    """The day's snapshot: made if the day has none; else the existing one, unchanged — unless this is a
    correction (`correction=True` or a reason given), which makes version + 1 and needs a reason.

    `actor=None` is the scheduler, the management command or the demo (trusted); `via` says which (default:
    a person when there is an actor, else the job). The figures, the ranks and the outreach section are
    frozen as known at the instant it is made (`generated_at`), and so is the survey section (survey.py).
    """
    if actor is not None and not may_generate(actor):
        raise PermissionDenied(_("您的角色无权生成日报。"))
    check_day(campaign, day)
    reason = reason.strip()
    wants_new_version = correction or bool(reason)
    via = via or (GeneratedVia.PERSON if actor is not None else GeneratedVia.JOB)
    with transaction.atomic():
        # One generation at a time per campaign: two clicks must not make two versions.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        latest = newest(campaign, day)
        if latest is not None and not wants_new_version:
            return latest
        if latest is not None and not reason:
            raise ValidationError({"reason": _("更正日报必须填写原因。")})
        generated_at = timezone.now()
        before = newest(campaign, day - dt.timedelta(days=1))
        previous = {(r.dimension, r.key): r for r in before.rows.all()} if before else {}
        # Rows are stored in Chinese (the fixed names: 全区合计 …) whoever asked; pages translate them.
        with translation.override(settings.LANGUAGE_CODE):
            rows = build_rows(compute_lines(campaign, day, generated_at), previous)
        snapshot = DailySnapshot.objects.create(
            campaign=campaign,
            day=day,
            version=latest.version + 1 if latest else 1,
            generated_at=generated_at,
            generated_by=actor,
            generated_via=via,
            reason=reason[:200],
            outreach=freeze_outreach(campaign, day),
            survey=freeze_survey(campaign, day, generated_at),
        )
        for row in rows:
            row.snapshot = snapshot
        SnapshotRow.objects.bulk_create(rows, batch_size=1000)
        record_change(
            actor=actor,
            action=AuditAction.CREATE,
            obj=snapshot,
            after={
                "campaign": campaign.code,
                "day": day.isoformat(),
                "version": snapshot.version,
                "rows": len(rows),
                "via": str(via),
            },
            reason=reason,
        )
    return snapshot


def correct_last_day(campaign: Campaign, actor: User, reason: str) -> DailySnapshot:
    """The correction of an ended campaign's last daily report after a change to its targets (registered
    with campaigns.corrections): a new version of the last day, made by the actor, with the reason."""
    return generate_snapshot(
        campaign,
        status.last_day(campaign),
        actor=actor,
        reason=reason,
        correction=True,
        via=GeneratedVia.PERSON,
    )


# --- who sees which rows ------------------------------------------------------------------------------
# The command, departments and the system administrator: every row. An area officer (subdistrict,
# community, grid): the rows of the areas inside their scope, with their district-wide rank — not the
# district total, the work groups (which span areas outside their scope), the units or the four-category
# section, whose premises they may not list. A unit liaison: the unit ranking (every unit's row, as the
# bulletin publishes it), with the drill-down of their own unit's row only. Nobody else.


def may_view(user: User) -> bool:
    if not can(user, Action.VIEW, Campaign):
        return False
    return user.is_superuser or user.role in DISTRICT_WIDE_ROLES | AREA_ROLES | {Role.UNIT_LIAISON}


def visible_rows(snapshot: DailySnapshot, user: User) -> QuerySet[SnapshotRow]:
    rows = snapshot.rows.all()
    if user.is_superuser or user.role in DISTRICT_WIDE_ROLES:
        return rows
    if user.role in AREA_ROLES:
        return rows.filter(
            dimension__in=AREA_DIMENSIONS.values(), key__in=[str(pk) for pk in _scope_area_ids(user)]
        )
    if user.role == Role.UNIT_LIAISON:
        return rows.filter(dimension=Dimension.UNIT)
    return rows.none()


def may_drill(row: SnapshotRow, user: User) -> bool:
    """May this user list the premises behind this row's figures?"""
    if user.is_superuser or user.role in DISTRICT_WIDE_ROLES:
        return True
    if user.role in AREA_ROLES:
        return row.dimension in AREA_DIMENSIONS.values() and int(row.key) in _scope_area_ids(user)
    if user.role == Role.UNIT_LIAISON:
        return row.dimension == Dimension.UNIT and user.unit_id is not None and row.key == str(user.unit_id)
    return False


def drill_row(snapshot: DailySnapshot, user: User, dimension: str, key: str) -> SnapshotRow:
    """The row a drill-down lists, checked: out of the user's scope 404 (as if it did not exist),
    visible but not theirs to list 403."""
    row = snapshot.rows.filter(dimension=dimension, key=key).first()
    if row is None or not visible_rows(snapshot, user).filter(pk=row.pk).exists():
        raise Http404
    if not may_drill(row, user):
        raise PermissionDenied(_("您只能查看本单位的出租户清单。"))
    return row


def _scope_area_ids(user: User) -> set[int]:
    # Kept on the user object for the request, as a cached_property would be (several rows ask).
    cached: set[int] | None = user.__dict__.get("_report_area_ids")
    if cached is None:
        cached = set(Area.objects.visible_to(user).values_list("pk", flat=True))
        user.__dict__["_report_area_ids"] = cached
    return cached


# --- outreach (宣传发动) ---------------------------------------------------------------------------------


def may_view_outreach(user: User) -> bool:
    """The outreach section is for those who read the area figures: the command and area officers."""
    return can(user, Action.VIEW, OutreachRecord) and (
        user.is_superuser or user.role in DISTRICT_WIDE_ROLES | AREA_ROLES
    )


def freeze_outreach(campaign: Campaign, day: dt.date) -> dict[str, Any]:
    """The campaign's outreach up to the end of `day`, per record area and kind, as frozen in a snapshot:
    {"by_area": {area id: {kind: {"records", "attendance", "copies"}}}} (one grouped query)."""
    by_area: dict[str, dict[str, dict[str, int]]] = {}
    rows = (
        OutreachRecord.objects.filter(campaign=campaign, held_on__lte=day)
        .order_by()
        .values("area_id", "kind")
        .annotate(records=Count("pk"), attendance=Sum("attendance"), copies=Sum("copies"))
    )
    for row in rows:
        by_area.setdefault(str(row["area_id"]), {})[row["kind"]] = {
            "records": row["records"],
            "attendance": row["attendance"] or 0,
            "copies": row["copies"] or 0,
        }
    return {"by_area": by_area}


def outreach_section(snapshot: DailySnapshot, user: User) -> dict[str, Any] | None:
    """The snapshot's outreach totals per kind (frozen when it was made), over the areas the user may see
    (the command: all; an area officer: the records of their areas). None for users who do not get the
    section."""
    if not may_view_outreach(user):
        return None
    frozen: dict[str, dict[str, dict[str, int]]] = (snapshot.outreach or {}).get("by_area", {})
    if not (user.is_superuser or user.role in DISTRICT_WIDE_ROLES):
        areas = {str(pk) for pk in _scope_area_ids(user)}
        frozen = {area: kinds for area, kinds in frozen.items() if area in areas}
    names = ("records", "attendance", "copies")
    rows = []
    for kind in OutreachKind:
        figures = {
            name: sum(kinds.get(kind.value, {}).get(name, 0) for kinds in frozen.values()) for name in names
        }
        rows.append({"kind": kind.value, "label": kind.label, **figures})
    return {"rows": rows, "total": {name: sum(row[name] for row in rows) for name in names}}


# --- drill-down ---------------------------------------------------------------------------------------


def row_premises(
    campaign: Campaign, day: dt.date, dimension: str, key: str, known_at: dt.datetime | None = None
) -> QuerySet[Premises]:
    """The campaign's target premises on `day` counted in one row (before filtering by progress), as known at
    `known_at` (a stored snapshot's `generated_at`: its lists then count what its figures counted)."""
    premises = status.members_on(campaign, day, known_at)
    if dimension == Dimension.TOTAL:
        return premises
    if dimension == Dimension.GRID:
        return premises.filter(building__grid_id=int(key))
    if dimension in (Dimension.COMMUNITY, Dimension.SUBDISTRICT):
        area = Area.objects.get(pk=int(key))
        return premises.filter(building__grid__path__startswith=area.path)
    if dimension == Dimension.WORK_GROUP:
        group = WorkGroup.objects.get(campaign=campaign, pk=int(key))
        return premises.filter(building__grid_id__in=work_group_grids(group))
    if dimension == Dimension.UNIT:
        claims = Claim.objects.filter(
            active_claim_q(campaign, day, known_at=known_at), unit_id=int(key), landlord=OuterRef("landlord")
        )
        return premises.filter(Exists(claims))
    if dimension == Dimension.FOUR_CATEGORY:
        if key == ALL:
            return premises.filter(four_category_q("landlord__"))
        if key in FourCategory.values:
            return premises.filter(**{f"landlord__{key}": True})
    raise ValueError(f"unknown row {dimension}:{key}")


def figure_premises(
    campaign: Campaign,
    day: dt.date,
    dimension: str,
    key: str,
    figure: str,
    known_at: dt.datetime | None = None,
) -> QuerySet[PremisesWithProgress]:
    """The premises behind one figure of one row, as known at `known_at`: its count equals the figure."""
    if figure not in FIGURE_PROGRESS:
        raise ValueError(f"unknown figure {figure}")
    return status.in_progress(
        row_premises(campaign, day, dimension, key, known_at),
        campaign,
        list(FIGURE_PROGRESS[figure]),
        day,
        known_at,
    )


def snapshot_premises(
    snapshot: DailySnapshot, dimension: str, key: str, figure: str
) -> QuerySet[PremisesWithProgress]:
    """The premises behind one figure of a stored snapshot (its day, as known when it was made)."""
    return figure_premises(snapshot.campaign, snapshot.day, dimension, key, figure, snapshot.generated_at)


__all__ = [
    "FIGURES",
    "FIGURE_PROGRESS",
    "compute_lines",
    "correct_last_day",
    "figure_premises",
    "freeze_outreach",
    "generate_snapshot",
    "may_drill",
    "may_view",
    "outreach_section",
    "snapshot_premises",
    "visible_rows",
]
