"""Domain operations every record shares: create, update with a version check, delete, reveal — each
permission-checked, scope-checked after the write, and audited in the same transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, runtime_checkable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from .masking import MASKERS
from .middleware import current_request_id
from .models import AuditAction, AuditEntry, Record
from .permissions import Action, can
from .querysets import scoped_rows
from .tables import enumerate_items

if TYPE_CHECKING:
    # Users belong to the areas app, above core: a type-only import, allowed by the layer contract.
    from firegrid.areas.models import User

R = TypeVar("R", bound=models.Model)
# A versioned record (`Record`): what `save_update` moves on.
V = TypeVar("V", bound=Record)


@runtime_checkable
class Versioned(Protocol):
    """A row with a `version` (a `Record`, or another model that keeps one): edits are checked against it."""

    version: int


# Not changes anyone made: timestamps, secrets, and keys derived from other fields (the natural-order
# sort_key, the area tree's path).
SNAPSHOT_SKIP = {"created_at", "updated_at", "password", "path", "sort_key"}


class ConcurrentEditError(Exception, Generic[R]):
    """Someone saved the record after the editor loaded it; their change must not be overwritten.
    `current` is the row as stored now."""

    def __init__(self, current: R, expected_version: int | None) -> None:
        self.current = current
        self.expected_version = expected_version
        last = AuditEntry.objects.for_object(current).filter(action=AuditAction.UPDATE).first()
        self.changed_by = last.actor_name if last else ""
        self.changed_at = last.time if last else None
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.changed_by and self.changed_at:
            from django.utils import timezone

            return _(
                "此记录已被 %(who)s 于 %(when)s 修改（当前版本 %(version)s），您的修改未保存。"
                "请查看最新内容后重新修改；您填写的内容仍保留在表单中。"
            ) % {
                "who": self.changed_by,
                "when": timezone.localtime(self.changed_at).strftime("%Y-%m-%d %H:%M:%S"),
                "version": getattr(self.current, "version", "?"),
            }
        return _("此记录已被他人修改，您的修改未保存。请查看最新内容后重新修改。")


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name
    return value


def snapshot(obj: models.Model, *, masked: bool = True) -> dict[str, Any]:
    """The record's field values as JSON, personal data masked (the audit log is itself personal data)."""
    personal = getattr(obj, "personal_fields", ()) if masked else ()
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in SNAPSHOT_SKIP:
            continue
        value = getattr(obj, field.attname)
        if field.name in personal and value:
            value = MASKERS[field.name](value)
        data[field.attname] = _json_value(value)
    return data


def record_change(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    premises = obj.premises_for_audit() if hasattr(obj, "premises_for_audit") else None
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if actor else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        premises_id=getattr(premises, "pk", None),
        before=before,
        after=after,
        reason=reason[:200],
        request_id=current_request_id(),
    )


def save_update(obj: V, before: dict[str, Any], *, actor: User | None, reason: str = "") -> V:
    """Save a versioned record changed in place and audit it against `before`, its snapshot as read.

    The version moves on, so an editor still holding the old one gets a conflict, not an overwrite.
    """
    obj.version += 1
    obj.save()
    record_change(
        actor=actor, action=AuditAction.UPDATE, obj=obj, before=before, after=snapshot(obj), reason=reason
    )
    return obj


def require(actor: User, action: str, model: type[models.Model] | models.Model) -> None:
    if not can(actor, action, model):
        raise PermissionDenied(_("您的角色无权执行此操作。"))


def lock_in_scope(obj: R, actor: User, action: str) -> R:
    """The stored row, locked for this transaction, if it is in the actor's scope for `action`."""
    rows = scoped_rows(type(obj)).visible_to(actor, action).select_for_update()
    try:
        return rows.get(pk=obj.pk)
    except ObjectDoesNotExist:  # the model's DoesNotExist: the row is not in scope (or gone)
        raise PermissionDenied(_("该记录不在您的管辖范围内。")) from None


def require_visible(obj: models.Model, actor: User, action: str = Action.VIEW) -> None:
    if not scoped_rows(type(obj)).visible_to(actor, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("该记录不在您的管辖范围内。"))


def _ensure_in_scope(obj: models.Model, actor: User, action: str) -> None:
    """Re-check scope inside the transaction: the written row must still be the actor's to act on."""
    if not scoped_rows(type(obj)).visible_to(actor, action).filter(pk=obj.pk).exists():
        field = getattr(obj, "scope_field", None)
        message = _("保存后该记录将不在您的管辖范围内，未保存。")
        raise ValidationError({field: message} if field else message)


@transaction.atomic
def create_record(model: type[R], data: dict[str, Any], *, actor: User, reason: str = "") -> R:
    require(actor, Action.ADD, model)
    obj = model(**data)
    obj.full_clean()
    obj.save()
    _ensure_in_scope(obj, actor, Action.ADD)
    record_change(actor=actor, action=AuditAction.CREATE, obj=obj, after=snapshot(obj), reason=reason)
    return obj


def _many_to_many_names(obj: models.Model, data: dict[str, Any]) -> list[str]:
    return [f.name for f in obj._meta.many_to_many if f.name in data]


def _related_ids(values: Any) -> list[Any]:
    """Sorted ids of many-to-many values given as rows or ids (how the audit entry records them)."""
    return sorted(getattr(value, "pk", value) for value in values)


@transaction.atomic
def update_record(
    obj: R, data: dict[str, Any], *, actor: User, expected_version: int | None, reason: str = ""
) -> R:
    """Apply `data` to the stored row if nobody has changed it since `expected_version` was read.

    Many-to-many fields in `data` (rows or ids) are set after the row is saved, before the scope
    re-check (a scope may follow them); the audit entry holds their sorted ids before and after.
    """
    require(actor, Action.CHANGE, obj)
    current = lock_in_scope(obj, actor, Action.CHANGE)
    # A model without a version (a user, edited in the admin) is saved without the concurrent-edit check.
    if isinstance(current, Versioned) and current.version != expected_version:
        raise ConcurrentEditError(current, expected_version)
    related = _many_to_many_names(current, data)
    related_before = {name: _related_ids(getattr(current, name).all()) for name in related}
    related_after = {name: _related_ids(data[name]) for name in related}
    before = {**snapshot(current), **related_before}
    unmasked_before = snapshot(current, masked=False)
    for name, value in data.items():
        if name not in related:
            setattr(current, name, value)
    current.full_clean()
    after = {**snapshot(current), **related_after}
    # Compare unmasked values: a corrected birth date or middle digits of a phone number are hidden
    # by the mask, yet they are a change.
    if snapshot(current, masked=False) == unmasked_before and related_after == related_before:
        return current
    if isinstance(current, Versioned):
        current.version += 1
    current.save()
    for name in related:
        getattr(current, name).set(data[name])
    _ensure_in_scope(current, actor, Action.CHANGE)
    record_change(
        actor=actor, action=AuditAction.UPDATE, obj=current, before=before, after=after, reason=reason
    )
    return current


@transaction.atomic
def delete_record(
    obj: models.Model, *, actor: User, reason: str = "", expected_version: int | None = None
) -> None:
    """Delete a record. With `expected_version`, refuse if someone changed it since it was read."""
    require(actor, Action.DELETE, obj)
    obj = lock_in_scope(obj, actor, Action.DELETE)
    if expected_version is not None and getattr(obj, "version", expected_version) != expected_version:
        raise ConcurrentEditError(obj, expected_version)
    before = snapshot(obj)
    entry = record_change(actor=actor, action=AuditAction.DELETE, obj=obj, before=before, reason=reason)
    try:
        obj.delete()
    except models.ProtectedError as exc:
        names = enumerate_items(sorted({str(o._meta.verbose_name) for o in exc.protected_objects}))
        raise ValidationError(
            _("还有关联的%(names)s，不能删除。请先处理关联记录。") % {"names": names}
        ) from exc
    if entry.premises_id and isinstance(obj, Record) and obj.premises_for_audit() is obj:
        # The premises is gone; keep the entry (its repr and snapshot say what it was).
        AuditEntry.objects.filter(pk=entry.pk).update(premises=None)


@transaction.atomic
def reveal_personal_data(obj: models.Model, field: str, *, actor: User) -> str:
    """Return an unmasked personal value and record who looked at it."""
    if field not in getattr(obj, "personal_fields", ()):
        raise ValidationError(_("字段 %(field)s 不是个人信息字段。") % {"field": field})
    require(actor, Action.REVEAL, obj)
    require_visible(obj, actor)
    record_change(actor=actor, action=AuditAction.REVEAL, obj=obj, after={"field": field})
    value: str = getattr(obj, field)
    return value
