"""Submitting a self-inspection (房东自查): the landlord's answers and, for the items that ask for one, a photo
each (`selfcheck.PHOTO_CODES`: an item answered 符合 needs its photo).

Photos are checked by their content as every photo is (`core.uploads`' photo rule, then decoded, resized
and stripped of EXIF by `inspections.photos.process_photo`) and kept at once, pending, for the submission
they came with (its `client_uuid`): when anything else is refused, the next try with the same client_uuid
needs only what was missing, so a landlord who forgot one photo does not take the others again. A
successful submission takes its pending photos; pending photos nobody submitted are discarded by the
monthly miss job (`discard_pending_photos`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import record_change, require, require_visible, snapshot
from firegrid.core.tables import enumerate_items, join_sentences
from firegrid.registry.models import Premises

from ..choices import SelfCheckResult
from ..models import SelfInspection, SelfInspectionAnswer, SelfInspectionPhoto
from ..selfcheck import PHOTO_CODES, current_template, period_of, self_check_items


def photo_field(code: str) -> str:
    """The error key (and the API's multipart field) of an item's photo: `photos.EQUIP-02`."""
    return f"photos.{code}"


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise ValidationError({"client_uuid": _("客户端编号格式不正确。")}) from None


def submit_self_inspection(
    premises: Premises,
    answers: Mapping[str, str],
    *,
    actor: User,
    client_uuid: uuid.UUID | str,
    photos: Mapping[str, IO[bytes]] | None = None,
    now: dt.datetime | None = None,
) -> SelfInspection:
    """The landlord's self-inspection of `premises` for the current period: `answers` maps each item code
    of its self-check list to pass or fail, `photos` an item code to its uploaded photo.

    A replay (the same `client_uuid`, e.g. a phone that lost the answer) returns the first submission; a
    second self-inspection of the same premises in one period is refused. Refusals are per field:
    `answers`, `photos.<code>` (each naming the item in the user's language), `client_uuid`.
    """
    key = _as_uuid(client_uuid)
    replayed = SelfInspection.objects.filter(client_uuid=key).first()
    if replayed is not None:
        return _replay(replayed, premises, actor)
    require(actor, Action.ADD, SelfInspection)
    require_visible(premises, actor)
    # Only the premises' own landlord answers for it (not an officer on their behalf).
    if (
        actor.role != Role.LANDLORD
        or premises.landlord_id is None
        or premises.landlord_id != actor.landlord_id
    ):
        raise PermissionDenied(_("只有该出租房屋的房东可以提交自查。"))
    now = now or timezone.now()
    period = period_of(timezone.localdate(now))
    template = current_template()
    items = self_check_items(premises, template)
    if template is None or not items:
        raise ValidationError(_("当前检查表没有适用于该出租房屋的自查项。"))
    if SelfInspection.objects.filter(premises=premises, period=period).exists():
        raise ValidationError(_("该出租户本期已提交自查。"))
    titles = {item.code: item.display_title for item in items}
    errors: dict[str, list[str]] = {}
    if photos:
        errors.update(_keep_photos(premises, photos, titles, actor=actor, key=key, now=now))
    try:
        results = _check_answers(answers, list(titles))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    pending = {
        photo.item_code: photo
        for photo in SelfInspectionPhoto.objects.pending().filter(client_uuid=key, premises=premises)
    }
    for code in PHOTO_CODES:
        field = photo_field(code)
        if code in titles and answers.get(code) == SelfCheckResult.PASS and code not in pending:
            errors.setdefault(field, [_("“%(item)s”答“符合”，请拍照上传。") % {"item": titles[code]}])
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            row = SelfInspection.objects.create(
                premises=premises,
                landlord_id=premises.landlord_id,
                template=template,
                period=period,
                submitted_at=now,
                submitted_by=actor,
                client_uuid=key,
            )
            SelfInspectionAnswer.objects.bulk_create(
                SelfInspectionAnswer(self_inspection=row, item_code=code, result=result)
                for code, result in results.items()
            )
            taken = SelfInspectionPhoto.objects.pending().filter(pk__in=[p.pk for p in pending.values()])
            if taken.update(self_inspection=row) != len(pending):
                # Taken by a submission made at the same moment with the same client_uuid.
                raise IntegrityError("pending photos taken by another submission")
            after = {
                **snapshot(row),
                "answers": dict(results),
                "photos": {code: photo.pk for code, photo in sorted(pending.items())},
            }
            record_change(actor=actor, action=AuditAction.CREATE, obj=row, after=after)
    except IntegrityError:
        # Submitted at the same moment from another tab or phone: the first one stands.
        replayed = SelfInspection.objects.filter(client_uuid=key).first()
        if replayed is not None:
            return _replay(replayed, premises, actor)
        raise ValidationError(_("该出租户本期已提交自查。")) from None
    return row


def _replay(row: SelfInspection, premises: Premises, actor: User) -> SelfInspection:
    if row.premises_id != premises.pk or row.submitted_by_id != actor.pk:
        raise ValidationError({"client_uuid": _("该客户端编号已被另一次自查使用。")})
    return row


def _check_answers(answers: Mapping[str, str], codes: list[str]) -> dict[str, str]:
    unknown = sorted(set(answers) - set(codes))
    if unknown:
        raise ValidationError(
            {"answers": _("不是本户的自查项：%(codes)s") % {"codes": enumerate_items(unknown)}}
        )
    missing = [code for code in codes if code not in answers]
    if missing:
        raise ValidationError(
            {"answers": _("请回答全部自查项（缺 %(codes)s）。") % {"codes": enumerate_items(missing)}}
        )
    bad = [code for code in codes if answers[code] not in SelfCheckResult.values]
    if bad:
        raise ValidationError(
            {"answers": _("自查结果只能是“符合”或“不符合”：%(codes)s") % {"codes": enumerate_items(bad)}}
        )
    return {code: answers[code] for code in codes}


# --- photos -------------------------------------------------------------------------------------------------


def _keep_photos(
    premises: Premises,
    photos: Mapping[str, IO[bytes]],
    titles: Mapping[str, str],
    *,
    actor: User,
    key: uuid.UUID,
    now: dt.datetime,
) -> dict[str, list[str]]:
    """Check and keep each photo (pending, for submission `key`), each in its own transaction so a refusal
    of the submission keeps them; a new photo of an item replaces its pending one. Returns the refusals,
    keyed `photos.<code>`."""
    # Imported here: Pillow and the HEIF decoder load only in processes that take photos.
    from firegrid.inspections.photos import attach, process_photo

    require(actor, Action.ADD, SelfInspectionPhoto)
    errors: dict[str, list[str]] = {}
    for code, upload in photos.items():
        field = photo_field(code)
        if code not in titles:
            errors[field] = [_("%(code)s 不是本户的自查项。") % {"code": code}]
            continue
        if code not in PHOTO_CODES:
            errors[field] = [_("“%(item)s”无需拍照。") % {"item": titles[code]}]
            continue
        try:
            processed = process_photo(upload)
        except ValidationError as exc:
            errors[field] = [
                _("“%(item)s”的照片：%(reason)s")
                % {"item": titles[code], "reason": join_sentences(exc.messages)}
            ]
            continue
        try:
            with transaction.atomic():
                earlier = list(
                    SelfInspectionPhoto.objects.pending()
                    .select_for_update()
                    .filter(client_uuid=key, item_code=code)
                )
                if any(photo.uploaded_by_id != actor.pk for photo in earlier):
                    errors["client_uuid"] = [_("该客户端编号已被另一次自查使用。")]
                    continue
                _discard(earlier)
                photo = SelfInspectionPhoto(
                    premises=premises, client_uuid=key, item_code=code, uploaded_by=actor, uploaded_at=now
                )
                attach(photo, processed).save()
        except IntegrityError:
            continue  # the same photo sent at the same moment: the other one stands
    return errors


def _discard(photos: list[SelfInspectionPhoto]) -> None:
    """Delete pending photos and, once committed, their files."""
    if not photos:
        return
    files = [(f.storage, f.name) for photo in photos for f in (photo.image, photo.thumbnail) if f.name]
    SelfInspectionPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()

    def delete_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)


@transaction.atomic
def discard_pending_photos(*, before: dt.datetime) -> int:
    """Photos uploaded before `before` with a submission never made: their files go (the monthly miss job
    calls this with the start of the period just ended)."""
    stale = list(SelfInspectionPhoto.objects.pending().filter(uploaded_at__lt=before).select_for_update())
    _discard(stale)
    return len(stale)
