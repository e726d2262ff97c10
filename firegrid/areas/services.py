"""Operations on the area tree. The materialised path is written only here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import record_change, require, snapshot

from .choices import PARENT_LEVEL
from .models import Area, User


@transaction.atomic
def create_area(
    *,
    actor: User | None,
    level: str,
    name: str,
    code: str,
    parent: Area | None = None,
    outline: dict[str, Any] | None = None,
) -> Area:
    if actor is not None:
        require(actor, Action.ADD, Area)
    area = Area(parent=parent, level=level, name=name, code=code, outline=outline)
    area.full_clean(exclude=["path"])
    area.save()
    area.path = f"{parent.path if parent else '/'}{area.pk}/"
    area.save(update_fields=["path"])
    record_change(actor=actor, action=AuditAction.CREATE, obj=area, after=snapshot(area))
    return area


@transaction.atomic
def move_area(area: Area, new_parent: Area, *, actor: User, reason: str = "") -> Area:
    """Hang `area` (and its whole subtree) under `new_parent`, rewriting every path below it."""
    require(actor, Action.CHANGE, Area)
    area = Area.objects.select_for_update().get(pk=area.pk)
    new_parent = Area.objects.get(pk=new_parent.pk)
    if PARENT_LEVEL.get(area.level) != new_parent.level:
        raise ValidationError(
            {
                "parent": _("%(name)s不能移到%(parent)s下：层级不符。")
                % {"name": area.name, "parent": new_parent.name}
            }
        )
    if new_parent.path.startswith(area.path):
        raise ValidationError({"parent": _("不能把区域移到它自己的下级区域中。")})
    if Area.objects.filter(parent=new_parent, name=area.name).exclude(pk=area.pk).exists():
        raise ValidationError({"parent": _("目标区域下已有同名区域。")})
    before = snapshot(area)
    old_path, new_path = area.path, f"{new_parent.path}{area.pk}/"
    Area.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
    )
    Area.objects.filter(pk=area.pk).update(parent=new_parent, version=area.version + 1)
    area.refresh_from_db()
    record_change(
        actor=actor, action=AuditAction.MOVE, obj=area, before=before, after=snapshot(area), reason=reason
    )
    return area
