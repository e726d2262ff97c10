"""The year-end evaluation (年度评选): rank the district's landlords by the year's points, nominate those at
or above each award's minimum up to its share, and — once the district commander confirms it — freeze the
ranking and issue a certificate (荣誉证书) for each nominee.

Groups: 文明家庭 ranks the landlords of residential rentals, 文明商户 the landlords of shops and mixed-use
premises (premises not demolished); a landlord with both kinds is ranked in both. Ranking: points, highest
first; the same points share a rank (1, 2, 2, 4). Nominated: at least the minimum points and a rank within
the cap (the share of the group's landlords, rounded down), so landlords tied at the last place are all
nominated. Certificates are frozen like the rectification documents: serial and content at confirmation,
the PDF rendered on first print and kept, so a reprint is the same file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from firegrid.areas.models import User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import ConcurrentEditError, record_change, require, save_update, snapshot
from firegrid.registry.choices import BUSINESS_KINDS, PremisesKind, PremisesStatus
from firegrid.registry.models import Landlord, Premises

from .choices import AwardKind, EvaluationStatus
from .models import Nomination, YearEndEvaluation
from .rules import Parameters, nomination_cap, nomination_threshold
from .services import default_rule_set, with_points

AWARD_KINDS: dict[str, frozenset[str]] = {
    AwardKind.CIVILISED_FAMILY: frozenset({PremisesKind.RESIDENTIAL}),
    AwardKind.CIVILISED_SHOP: frozenset(BUSINESS_KINDS),
}
CERTIFICATE_TITLE = "荣誉证书"


def award_landlords(award: str) -> QuerySet[Landlord]:
    """The landlords ranked for `award`: owners of a premises of its kinds that is not demolished."""
    holds = Premises.objects.filter(landlord=OuterRef("pk"), kind__in=AWARD_KINDS[award]).exclude(
        status=PremisesStatus.DEMOLISHED
    )
    return Landlord.objects.filter(Exists(holds))


def rank(year: int, parameters: Parameters) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]]]:
    """The rows (landlords at or above each award's minimum, ranked) and the summary per award."""
    rows: list[dict[str, Any]] = []
    summary: dict[str, dict[str, int]] = {}
    for award in AwardKind:
        group = award_landlords(award)
        landlords = group.count()
        minimum, share = nomination_threshold(award, parameters)
        cap = nomination_cap(landlords, share)
        # "points" is the annotation with_points adds, which the type checker cannot see.
        qualified = list(
            with_points(group, year, parameters)  # type: ignore[misc]
            .filter(Q(points__gte=minimum))
            .order_by(F("points").desc(), "pk")
            .values_list("pk", "name", "points")
        )
        nominated = 0
        previous: int | None = None
        place = 0
        for index, (pk, name, points) in enumerate(qualified, start=1):
            if points != previous:
                place, previous = index, points
            chosen = place <= cap
            nominated += chosen
            rows.append(
                {
                    "award": str(award),
                    "landlord": pk,
                    "name": name,
                    "points": points,
                    "rank": place,
                    "nominated": chosen,
                }
            )
        summary[str(award)] = {
            "landlords": landlords,
            "min_points": minimum,
            "share_percent": share,
            "cap": cap,
            "qualified": len(qualified),
            "nominated": nominated,
        }
    return rows, summary


def _open_year(year: int, today: dt.date) -> None:
    if year > today.year:
        raise ValidationError({"year": _("不能评选尚未开始的年度。")})
    if year < 2000:
        raise ValidationError({"year": _("年度不正确。")})


@transaction.atomic
def evaluate(year: int, *, actor: User, now: dt.datetime | None = None) -> YearEndEvaluation:
    """Compute (or compute again) the year's evaluation as a draft with the rule set in force. A confirmed
    evaluation never changes."""
    require(actor, Action.ADD, YearEndEvaluation)
    now = now or timezone.now()
    _open_year(year, timezone.localdate(now))
    rule_set = default_rule_set()
    rows, summary = rank(year, rule_set.full_parameters())
    existing = YearEndEvaluation.objects.select_for_update().filter(year=year).first()
    if existing is None:
        evaluation = YearEndEvaluation.objects.create(
            year=year,
            rule_set=rule_set,
            computed_at=now,
            computed_by=actor,
            summary=summary,
            rows=rows,
        )
        record_change(actor=actor, action=AuditAction.CREATE, obj=evaluation, after=snapshot(evaluation))
        return evaluation
    if existing.is_confirmed:
        raise ValidationError(_("%(year)s 年度评选已确认，不能重新计算。") % {"year": year})
    before = snapshot(existing)
    existing.rule_set, existing.computed_at, existing.computed_by = rule_set, now, actor
    existing.summary, existing.rows = summary, rows
    return save_update(existing, before, actor=actor, reason=_("重新计算"))


@transaction.atomic
def confirm_evaluation(
    evaluation: YearEndEvaluation, *, actor: User, expected_version: int | None = None
) -> YearEndEvaluation:
    """The district commander confirms the evaluation as computed (the version they read): its rows are
    frozen and each nominee gets a nomination with its certificate's serial and content."""
    require(actor, Action.CHANGE, YearEndEvaluation)
    locked = YearEndEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked, expected_version)
    if locked.is_confirmed:
        raise ValidationError(_("%(year)s 年度评选已确认。") % {"year": locked.year})
    now = timezone.now()
    before = snapshot(locked)
    locked.status, locked.confirmed_at, locked.confirmed_by = EvaluationStatus.CONFIRMED, now, actor
    confirmed = save_update(locked, before, actor=actor, reason=_("确认年度评选"))
    chosen = [row for row in confirmed.rows if row["nominated"]]
    landlords = Landlord.objects.in_bulk([row["landlord"] for row in chosen])
    for row in chosen:
        landlord = landlords.get(row["landlord"])
        if landlord is None:  # removed since it was computed: nothing to certify
            continue
        serial = allocate_certificate_serial(confirmed.year)
        nomination = Nomination.objects.create(
            evaluation=confirmed,
            landlord=landlord,
            award=row["award"],
            points=row["points"],
            rank=row["rank"],
            serial=serial,
            content=certificate_content(
                landlord, row["award"], year=confirmed.year, points=row["points"], serial=serial, on=now
            ),
            issued_at=now,
        )
        record_change(actor=actor, action=AuditAction.CREATE, obj=nomination, after=snapshot(nomination))
    return confirmed


# --- certificates -------------------------------------------------------------------------------------------


def allocate_certificate_serial(year: int) -> str:
    """The next certificate number of the evaluation's year: 衢江文明〔2026〕第0001号."""
    from firegrid.rectification.documents import allocate_serial

    return allocate_serial("certificate", year)


def _places(landlord: Landlord, award: str) -> list[str]:
    premises = (
        Premises.objects.filter(landlord=landlord, kind__in=AWARD_KINDS[award])
        .exclude(status=PremisesStatus.DEMOLISHED)
        .select_related("building")
        .order_by("sort_key", "pk")
    )
    return [str(p) for p in premises]


def certificate_content(
    landlord: Landlord, award: str, *, year: int, points: int, serial: str, on: dt.datetime
) -> dict[str, Any]:
    """The certificate as printed (schema: `firegrid.core.pdf`, kind "certificate"), in Chinese."""
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "kind": "certificate",
            "title": CERTIFICATE_TITLE,
            "serial": serial,
            "issuer": {"name": settings.FIREGRID_ISSUER, "department": "", "phone": ""},
            "issued_on": timezone.localdate(on).isoformat(),
            "addressee": {"name": landlord.name, "address": "", "masked_mobile": ""},
            "award": str(AwardKind(award).label),
            "year": year,
            "points": points,
            "places": _places(landlord, award),
        }


def certificate_pdf(nomination: Nomination) -> bytes:
    """The certificate's PDF: rendered from its frozen content the first time, then always the kept file."""
    from firegrid.core.pdf import render_document

    if nomination.pdf:
        with nomination.pdf.open("rb") as f:
            return f.read()
    data = render_document(nomination.content)
    with transaction.atomic():
        locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if not locked.pdf:
            locked.sha256 = hashlib.sha256(data).hexdigest()
            locked.pdf.save(f"{locked.pk}.pdf", ContentFile(data), save=False)
            locked.save(update_fields=["pdf", "sha256"])
        nomination.pdf, nomination.sha256 = locked.pdf, locked.sha256
    return data


def rows_visible_to(evaluation: YearEndEvaluation, user: User) -> list[dict[str, Any]]:
    """The evaluation's rows of the landlords the user may see (an officer sees their area's nominees)."""
    ids = {row["landlord"] for row in evaluation.rows}
    visible = set(Landlord.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [row for row in evaluation.rows if row["landlord"] in visible]
