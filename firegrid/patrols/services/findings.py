"""巡查发现: what a patrol noticed — a note or a hazard lead, with an optional photo. It waits in the grid
workers' work queue (`followup.py`) until an inspection of its premises (or, for a building-wide finding,
of its building) covers it, or an area role closes it with a note. A grid worker who finds a hazard starts
the normal inspection of that premises from the patrol page; a landlord volunteer's finding is followed
up by a grid worker."""

from __future__ import annotations

import io
import uuid
from typing import IO, TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import AREA_ROLES
from firegrid.areas.models import User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import (
    ConcurrentEditError,
    lock_in_scope,
    record_change,
    require,
    require_visible,
    save_update,
    snapshot,
)
from firegrid.inspections.choices import COVERING_OUTCOMES
from firegrid.registry.models import Building, Premises

from ..checks import dhash_file, fingerprint_finding_photo
from ..choices import FindingKind, FindingStatus, PatrolStatus
from ..models import FindingPhoto, Patrol, PatrolFinding
from .scans import as_uuid, current, is_member, scannable_buildings

if TYPE_CHECKING:
    from firegrid.inspections.models import Inspection
    from firegrid.inspections.photos import ProcessedPhoto

NOTE_MAX = 1000


def _process(upload: IO[bytes] | None) -> ProcessedPhoto | None:
    if upload is None:
        return None
    # Imported here: Pillow and the HEIF decoder load only in processes that take photos.
    from firegrid.inspections.photos import process_photo

    try:
        return process_photo(upload)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc


def _store_photo(finding: PatrolFinding, processed: ProcessedPhoto, actor: User) -> FindingPhoto:
    from firegrid.inspections.photos import attach

    # Hashed from the JPEG as it is stored, as an inspection's photos are (fabrication checks).
    processed.image.seek(0)
    value = dhash_file(io.BytesIO(processed.image.read()))
    processed.image.seek(0)
    photo = FindingPhoto(finding=finding, uploaded_by=actor, uploaded_at=timezone.now())
    attach(photo, processed).save()
    record_change(actor=actor, action=AuditAction.CREATE, obj=photo, after=snapshot(photo))
    fingerprint_finding_photo(photo, value)
    return photo


def _replay(finding: PatrolFinding, patrol: Patrol, actor: User) -> PatrolFinding:
    if finding.patrol_id != patrol.pk or finding.reported_by_id != actor.pk:
        raise ValidationError({"client_uuid": _("该客户端编号已被另一条巡查发现使用。")})
    return finding


@transaction.atomic
def add_finding(
    patrol: Patrol,
    *,
    building: Building,
    kind: str,
    note: str,
    actor: User,
    client_uuid: uuid.UUID | str,
    premises: Premises | None = None,
    photo: IO[bytes] | None = None,
) -> PatrolFinding:
    """Record what `actor` (a team member) found at `building` (and `premises`) on a patrol under way.

    A refused photo refuses the finding (an error on `photo`; nothing stored), so the form comes back with
    what was typed. A replay with the same `client_uuid` returns the first finding.
    """
    key = as_uuid(client_uuid)
    replayed = PatrolFinding.objects.filter(client_uuid=key).first()
    if replayed is not None:
        return _replay(replayed, patrol, actor)
    require(actor, Action.ADD, PatrolFinding)
    patrol = current(patrol, actor)
    if not is_member(patrol.team, actor):
        raise PermissionDenied(_("只有本巡查队的队员可以记录巡查发现。"))
    if not scannable_buildings(patrol, actor).filter(pk=building.pk).exists():
        raise PermissionDenied(_("该建筑不在您的巡查范围内。"))
    if patrol.status != PatrolStatus.IN_PROGRESS:
        raise ValidationError(
            _("巡查当前为“%(state)s”，不能记录巡查发现。") % {"state": patrol.get_status_display()}
        )
    errors: dict[str, str] = {}
    if kind not in FindingKind.values:
        errors["kind"] = _("请选择情况记录或隐患线索。")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("请写明发现的情况。")
    elif len(note) > NOTE_MAX:
        errors["note"] = _("情况说明不超过 %(n)s 字。") % {"n": NOTE_MAX}
    if premises is not None and premises.building_id != building.pk:
        errors["premises"] = _("出租户不在所选建筑内。")
    if errors:
        raise ValidationError(errors)
    processed = _process(photo)
    finding = PatrolFinding(
        patrol=patrol,
        building=building,
        premises=premises,
        kind=kind,
        note=note,
        reported_by=actor,
        reported_at=timezone.now(),
        client_uuid=key,
    )
    finding.full_clean(exclude=["client_uuid"])
    try:
        with transaction.atomic():
            finding.save()
    except IntegrityError:
        replayed = PatrolFinding.objects.filter(client_uuid=key).first()
        if replayed is None:
            raise
        return _replay(replayed, patrol, actor)
    record_change(actor=actor, action=AuditAction.CREATE, obj=finding, after=snapshot(finding))
    if processed is not None:
        _store_photo(finding, processed, actor)
    return finding


@transaction.atomic
def add_finding_photo(finding: PatrolFinding, upload: IO[bytes], *, actor: User) -> FindingPhoto:
    """Another photo of an open finding, by its team's member or an area role in scope."""
    require(actor, Action.ADD, FindingPhoto)
    require_visible(finding, actor)
    if actor.role not in AREA_ROLES and not is_member(finding.patrol.team, actor):
        raise PermissionDenied(_("只有本巡查队的队员可以添加照片。"))
    if finding.status != FindingStatus.OPEN:
        raise ValidationError({"photo": _("该巡查发现已处理，不能再添加照片。")})
    processed = _process(upload)
    assert processed is not None  # an upload was given
    return _store_photo(finding, processed, actor)


@transaction.atomic
def close_finding(
    finding: PatrolFinding, *, actor: User, note: str, expected_version: int | None = None
) -> PatrolFinding:
    """待处理 → 已关闭 with a note (nothing to follow up, handled another way), by an area role in scope."""
    require(actor, Action.CHANGE, PatrolFinding)
    locked = lock_in_scope(finding, actor, Action.CHANGE)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked, expected_version)
    if locked.status != FindingStatus.OPEN:
        raise ValidationError(
            {"status": _("该巡查发现当前为“%(state)s”，不能关闭。") % {"state": locked.get_status_display()}}
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"close_note": _("请填写处理说明。")})
    before = snapshot(locked)
    locked.status = FindingStatus.CLOSED
    locked.closed_by = actor
    locked.closed_at = timezone.now()
    locked.close_note = note[:200]
    return save_update(locked, before, actor=actor, reason=_("关闭巡查发现"))


def follow_up_findings(inspection: Inspection, *, actor: User) -> list[PatrolFinding]:
    """A submitted inspection that covers a premises answers its open findings reported before it (a
    building-wide finding: an inspection of the building as a whole). Run inside the inspection's
    transaction (the receiver of `inspection_submitted`): the queue item goes with it, for everyone."""
    if inspection.outcome not in COVERING_OUTCOMES or inspection.submitted_at is None:
        return []
    findings = PatrolFinding.objects.filter(
        status=FindingStatus.OPEN, reported_at__lte=inspection.submitted_at
    ).select_for_update()
    if inspection.premises_id is not None:
        findings = findings.filter(premises_id=inspection.premises_id)
    else:
        findings = findings.filter(building_id=inspection.building_id, premises__isnull=True)
    answered = []
    for finding in findings:
        before = snapshot(finding)
        finding.status = FindingStatus.FOLLOWED_UP
        finding.inspection = inspection
        answered.append(save_update(finding, before, actor=actor, reason=_("已跟进检查")))
    return answered
