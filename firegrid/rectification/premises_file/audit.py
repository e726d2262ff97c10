"""The audit entries of a premises file: registry changes, hazards found and moved, plan edits — and
the audit entries the other sources already tell, left out."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.fields.json import KT
from django.utils.translation import gettext as _

from firegrid.core.models import AuditAction, AuditEntry
from firegrid.core.permissions import Action, can, model_label
from firegrid.inspections.choices import BUCKET_STATUSES, HazardStatus
from firegrid.inspections.models import Hazard
from firegrid.registry.models import Premises

from ..models import Plan
from .timeline import AUDIT_KINDS, SOURCES, Entry, _display, _lines, safe_reverse

if TYPE_CHECKING:
    from firegrid.areas.models import User

AuditRows = QuerySet[AuditEntry]


def _viewable_audit_models(user: User) -> list[type[models.Model]]:
    # Audit entries are filed under a premises by `premises_for_audit`; each is shown only to roles that
    # may view that kind of record (a unit liaison never sees a tenant household's changes).
    return [m for m in apps.get_models() if hasattr(m, "premises_for_audit") and can(user, Action.VIEW, m)]


def _audit_rows(premises: Premises, user: User) -> AuditRows | None:
    viewable = _viewable_audit_models(user)
    if not viewable:
        return None
    types = ContentType.objects.get_for_models(*viewable, for_concrete_models=False).values()
    rows: AuditRows = AuditEntry.objects.filter(premises=premises, content_type__in=list(types)).exclude(
        action__in=[AuditAction.REVEAL, AuditAction.EXPORT]
    )
    for source in SOURCES.values():
        if source.dedupe_audit is not None:
            rows = source.dedupe_audit(rows)
    return rows


def _audit_kind(model: type[models.Model] | None) -> str:
    if model is None:
        return "change"
    label = model_label(model)
    if label in AUDIT_KINDS:
        return AUDIT_KINDS[label]
    return "registry" if model._meta.app_label == "registry" else "change"


def _hazard_entry(entry: AuditEntry) -> tuple[str, str, list[tuple[str, str]]]:
    before, after = entry.before or {}, entry.after or {}
    status = after.get("status") or before.get("status") or ""
    label = _display(Hazard, "status", status) if status else ""
    tags = [(_bucket(status), label)] if status else []
    if entry.action == AuditAction.CREATE:
        return _("发现隐患：%(hazard)s") % {"hazard": entry.object_repr}, "", tags
    if entry.action == AuditAction.UPDATE and before.get("status") != after.get("status"):
        title = _("隐患%(hazard)s：%(before)s → %(after)s") % {
            "hazard": entry.object_repr,
            "before": _display(Hazard, "status", before.get("status")),
            "after": label,
        }
        text = after.get("void_reason") if status == HazardStatus.VOID else ""
        return title, text or "", tags
    return "", "", tags


def _bucket(status: str) -> str:
    # The colour users know for a hazard status (待整改 red, 待复核 orange, 已消除 green); void has none.
    return next((str(bucket) for bucket, statuses in BUCKET_STATUSES.items() if status in statuses), status)


def _audit_entries(pks: list[int], user: User) -> dict[int, Entry]:
    result: dict[int, Entry] = {}
    for entry in AuditEntry.objects.filter(pk__in=pks).select_related("content_type"):
        model = entry.content_type.model_class()
        kind = _audit_kind(model)
        name = str(model._meta.verbose_name) if model is not None else entry.content_type.model
        title, text = "", ""
        tags: list[tuple[str, str]] = []
        changes: list[tuple[str, str, str]] = []
        if model is Hazard:
            title, text, tags = _hazard_entry(entry)
        after = entry.after or {}
        if model is Plan and "added_hazards" in after:
            title = _("整改方案新增隐患")
            text = "、".join(after["added_hazards"])
        elif model is Plan and "reissued" in after:
            title = _("重新出具文书 %(serial)s") % {"serial": after["reissued"]}
        if not title:
            title = _("%(action)s%(model)s：%(object)s") % {
                "action": entry.get_action_display(),
                "model": name,
                "object": entry.object_repr,
            }
        if entry.action == AuditAction.UPDATE and entry.before:
            # As AuditEntry.changed_fields, with values as a person reads them (still masked).
            before = entry.before
            changes = [
                (
                    entry.field_label(key),
                    _display(model, key, before.get(key)),
                    _display(model, key, after.get(key)),
                )
                for key in (after or before)
                if before.get(key) != after.get(key)
            ]
        if entry.reason and entry.reason not in text:
            text = _lines(text, _("原因：%(reason)s") % {"reason": entry.reason})
        link = ""
        if entry.action != AuditAction.DELETE and model is not None:
            link = safe_reverse(f"{model._meta.app_label}:{model._meta.model_name}_detail", entry.object_id)
        result[entry.pk] = Entry(
            time=entry.time,
            kind=kind,
            title=title,
            text=text,
            actor=entry.actor_name,
            link=link,
            tags=tags,
            changes=changes,
        )
    return result


def _dedupe_plan_audit(rows: AuditRows) -> AuditRows:
    # The plan's creation and its moves are told by PlanMove; an update that changed `state` is a move.
    plan_type = ContentType.objects.get_for_model(Plan)
    moved = Q(fg_before_state__isnull=False, fg_after_state__isnull=False) & ~Q(
        fg_before_state=F("fg_after_state")
    )
    return rows.alias(fg_before_state=KT("before__state"), fg_after_state=KT("after__state")).exclude(
        Q(content_type=plan_type) & (Q(action=AuditAction.CREATE) | moved)
    )


def _dedupe(
    model: type[models.Model], actions: Collection[str] | None = None
) -> Callable[[AuditRows], AuditRows]:
    def dedupe(rows: AuditRows) -> AuditRows:
        kept = Q(content_type=ContentType.objects.get_for_model(model))
        if actions is not None:
            kept &= Q(action__in=actions)
        return rows.exclude(kept)

    return dedupe
