"""Checklist templates: the bundled default, new versions, district parameters, publishing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.models import User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import (
    record_change,
    require,
    save_update,
    snapshot,
)

from ..choices import (
    TemplateStatus,
)
from ..models import ChecklistItem, ChecklistTemplate

DEFAULT_TEMPLATE_FILE = Path(__file__).resolve().parent.parent / "data" / "rental-fire-checklist.yaml"


# --- templates ---------------------------------------------------------------------------------


@transaction.atomic
def load_template(
    data: dict[str, Any], *, actor: User | None = None, publish: bool = True
) -> ChecklistTemplate:
    """Create a template from its YAML form. Loading a code that exists changes nothing."""
    existing = ChecklistTemplate.objects.filter(code=data["version"]).first()
    if existing is not None:
        return existing
    template = ChecklistTemplate.objects.create(
        code=data["version"],
        name=data.get("name_zh", data["version"]),
        name_en=data.get("name_en", ""),
        standard=data.get("standard", ""),
        parameters=data.get("parameters", {}),
        severities=data.get("severities", []),
        categories=data.get("categories", []),
        notes=data.get("notes", ""),
        status=TemplateStatus.PUBLISHED if publish else TemplateStatus.DRAFT,
        published_at=timezone.now() if publish else None,
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            template=template,
            code=item["code"],
            category=item["category"],
            position=position,
            title=item["title_zh"],
            title_en=item.get("title_en", ""),
            requirement=item.get("requirement_zh", ""),
            requirement_en=item.get("requirement_en", ""),
            applies_to=list(item.get("applies_to", [])),
            shared_rental_only=bool(item.get("shared_rental_only")),
            area_level=bool(item.get("area_level")),
            severity=item["severity"],
            gb35181_element=item.get("gb35181_element") or "",
            rule=dict(item.get("check") or {"kind": "yes_no"}),
            default_deadline_days=item.get("default_deadline_days"),
            measure=item.get("measure_zh", ""),
            measure_en=item.get("measure_en", ""),
            acceptance=item.get("acceptance_zh", ""),
            acceptance_en=item.get("acceptance_en", ""),
            basis=list(item.get("basis", [])),
            confidence=item.get("confidence", ""),
        )
        for position, item in enumerate(data.get("items", []), start=1)
    )
    record_change(actor=actor, action=AuditAction.CREATE, obj=template, after=snapshot(template))
    return template


def default_template() -> ChecklistTemplate:
    """The published template new inspections use; the bundled `zj-2019.1` is loaded the first time."""
    template = ChecklistTemplate.objects.current()
    if template is None:
        template = load_template(yaml.safe_load(DEFAULT_TEMPLATE_FILE.read_text(encoding="utf-8")))
    return template


@transaction.atomic
def create_template_version(template: ChecklistTemplate, *, code: str, actor: User) -> ChecklistTemplate:
    """A new draft copying `template`: the way a district changes its thresholds."""
    require(actor, Action.ADD, ChecklistTemplate)
    if ChecklistTemplate.objects.filter(code=code).exists():
        raise ValidationError({"code": _("版本号 %(code)s 已存在。") % {"code": code}})
    draft = ChecklistTemplate.objects.create(
        code=code,
        name=template.name,
        name_en=template.name_en,
        standard=template.standard,
        parameters=template.parameters,
        severities=template.severities,
        categories=template.categories,
        notes=template.notes,
        based_on=template,
        status=TemplateStatus.DRAFT,
    )
    items = list(template.items.all())
    for item in items:
        item.pk, item.template = None, draft
    ChecklistItem.objects.bulk_create(items)
    record_change(actor=actor, action=AuditAction.CREATE, obj=draft, after=snapshot(draft))
    return draft


def _parameter_value(current: object, raw: object) -> str | int | float:
    """A numeric parameter stays numeric (4 or 4.5 alike); any other keeps its text."""
    if isinstance(current, bool) or not isinstance(current, int | float):
        return str(raw)
    number = float(str(raw).strip())
    return int(number) if number.is_integer() and isinstance(current, int) else number


@transaction.atomic
def update_template_parameters(
    template: ChecklistTemplate, values: dict[str, Any], *, actor: User
) -> ChecklistTemplate:
    """Set threshold values on a draft template; a published one never changes."""
    require(actor, Action.CHANGE, ChecklistTemplate)
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    if template.status != TemplateStatus.DRAFT:
        raise ValidationError(_("已发布的检查表不能修改，请先基于它创建新版本。"))
    before = snapshot(template)
    parameters = dict(template.parameters)
    errors: dict[str, str] = {}
    for name, raw in values.items():
        if name not in parameters:
            errors[name] = _("没有名为 %(name)s 的参数。") % {"name": name}
            continue
        current = parameters[name].get("value")
        try:
            value = _parameter_value(current, raw)
        except (TypeError, ValueError):
            errors[name] = _("%(name)s 应为数字。") % {"name": name}
            continue
        if isinstance(value, int | float) and value < 0:
            errors[name] = _("%(name)s 不能为负数。") % {"name": name}
            continue
        parameters[name] = {**parameters[name], "value": value}
    if errors:
        raise ValidationError(errors)
    template.parameters = parameters
    return save_update(template, before, actor=actor)


@transaction.atomic
def publish_template(template: ChecklistTemplate, *, actor: User) -> ChecklistTemplate:
    require(actor, Action.CHANGE, ChecklistTemplate)
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    if template.status != TemplateStatus.DRAFT:
        raise ValidationError(_("只有草稿可以发布。"))
    before = snapshot(template)
    template.status, template.published_at = TemplateStatus.PUBLISHED, timezone.now()
    return save_update(template, before, actor=actor)
