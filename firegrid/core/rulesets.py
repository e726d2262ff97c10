"""Versioned rule sets: a district's parameters for a computation (risk grades' 风险规则, landlord points'
积分规则), kept as numbered versions like checklist templates.

What every rule set shares lives here: the fields and status of a version (`VersionedRuleSet`), the check
of its parameters against a schema of (default, lowest, highest) per key (`RuleSetSchema`), and the
services a district changes its rules with — the default version made on first use, a draft copied from
a version, its parameters set, and its publication. A published version never changes; publishing one
retires the one before (at most one published: a partial unique constraint per concrete model,
`one_published_constraint`). Each app declares what differs: its schema, its default code and name, the
message refusing an edit of a published version, and what a publication sets off after the commit.
The API's side is `core/api/rulesets.py`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, Record
from .permissions import Action
from .querysets import ScopedQuerySet
from .services import ConcurrentEditError, record_change, require, save_update, snapshot

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # Users belong to the areas app, above core: a type-only import, allowed by the layer contract.
    from firegrid.areas.models import User

# --- parameters ------------------------------------------------------------------------------------------

V = TypeVar("V", bound=float)
# section → {key → value}: a rule set's parameters with every default filled in.
Parameters = dict[str, dict[str, V]]
# The checks between keys (cut-offs in order, bounds around intervals …), run once every key is valid:
# the full parameters → errors keyed `section.key`.
CrossCheck = Callable[[dict[str, dict[str, Any]]], dict[str, list[str]]]


def _number(default: int | float, raw: object) -> int | float:
    """`raw` as the kind of number `default` is: a whole number where the default is an integer."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise ValueError
    number = float(str(raw).strip())
    if isinstance(default, int):
        if not number.is_integer():
            raise ValueError
        return int(number)
    return number


@dataclass(frozen=True)
class RuleSetSchema(Generic[V]):
    """What a rule set's JSON may hold: section → key → (default, lowest allowed, highest allowed).

    Every key missing from a stored rule set takes its default, so a key added later reads old versions.
    `integers_only`: every value is a whole number (the message then says 整数, else 数字)."""

    sections: Mapping[str, Mapping[str, tuple[V, V, V]]]
    cross_check: CrossCheck | None = None
    integers_only: bool = False

    def defaults(self) -> Parameters[V]:
        return {
            section: {str(key): spec[0] for key, spec in keys.items()}
            for section, keys in self.sections.items()
        }

    def validate(self, raw: Mapping[str, Any] | None) -> Parameters[V]:
        """The full parameters from a (partial) rule-set JSON: defaults filled in, every value checked.

        Errors are keyed `section.key` (e.g. `cut_offs.red`), as a form or the API shows them per field."""
        raw = raw or {}
        errors: dict[str, list[str]] = {}
        result = self.defaults()
        for section, values in raw.items():
            if section not in self.sections:
                errors[section] = [gettext("没有名为 %(name)s 的参数。") % {"name": section}]
                continue
            if not isinstance(values, Mapping):
                errors[section] = [gettext("%(name)s 应为 {参数名: 值}。") % {"name": section}]
                continue
            for key, value in values.items():
                name = f"{section}.{key}"
                if key not in self.sections[section]:
                    errors[name] = [gettext("没有名为 %(name)s 的参数。") % {"name": name}]
                    continue
                default, low, high = self.sections[section][key]
                try:
                    number = _number(default, value)
                except (TypeError, ValueError):
                    message = (
                        gettext("%(name)s 应为整数。")
                        if self.integers_only
                        else gettext("%(name)s 应为数字。")
                    )
                    errors[name] = [message % {"name": name}]
                    continue
                if not low <= number <= high:
                    errors[name] = [
                        gettext("%(name)s 应在 %(low)s 与 %(high)s 之间。")
                        % {"name": name, "low": low, "high": high}
                    ]
                    continue
                result[section][key] = cast(V, number)
        if not errors and self.cross_check is not None:
            errors = self.cross_check(result)
        if errors:
            raise ValidationError(errors)
        return result

    def merge(self, current: Mapping[str, Any], changes: Mapping[str, Any]) -> Parameters[V]:
        """`current` with `changes` ({section: {key: value}}) laid over it, checked."""
        merged: dict[str, Any] = copy.deepcopy(dict(current))
        for section, values in changes.items():
            if isinstance(values, Mapping) and isinstance(merged.get(section), Mapping):
                merged[section] = {**merged[section], **values}
            else:
                merged[section] = values
        return self.validate(merged)


# --- the model ---------------------------------------------------------------------------------------------


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


R = TypeVar("R", bound="VersionedRuleSet")


class VersionedRuleSetQuerySet(ScopedQuerySet[R]):
    def scope_q(self, user: User) -> Q:
        # The district's rules: the same for everyone allowed to read them.
        return Q()

    def current(self) -> R | None:
        """The published version (publishing one retires the one before)."""
        return self.filter(status=RuleSetStatus.PUBLISHED).order_by("-published_at", "-pk").first()


class VersionedRuleSet(Record):
    """One version of a district's rules, e.g. `risk-2026.1`: a code, a name, a status, who published it
    when, the version it was copied from, and its parameters (JSON checked against the model's `schema`).

    A published version never changes: a district copies it into a draft, edits the draft and publishes
    it, which retires the version before. What was computed with a version keeps it.
    """

    # The parameters' schema, and the refusal of an edit of a version no longer a draft.
    schema: ClassVar[RuleSetSchema[Any]]
    published_is_final: ClassVar[StrOrPromise]

    code = models.CharField(_("版本号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=16, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("基于版本")
    )
    # {section: {key: value}} as the model's `schema` describes; missing keys take their defaults.
    parameters = models.JSONField(_("参数"), default=dict, blank=True)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-published_at", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def full_parameters(self) -> Parameters[Any]:
        """The parameters with every default filled in (what the rules read)."""
        return self.schema.validate(self.parameters)


def one_published_constraint(name: str, message: StrOrPromise) -> models.UniqueConstraint:
    """At most one version in force: publishing retires the one before in the same transaction."""
    return models.UniqueConstraint(
        fields=["status"],
        condition=Q(status=RuleSetStatus.PUBLISHED),
        name=name,
        violation_error_message=message,
    )


def rule_sets(model: type[R]) -> VersionedRuleSetQuerySet[R]:
    """All versions of a rule-set model (its one manager is a `VersionedRuleSetQuerySet`'s)."""
    return cast(VersionedRuleSetQuerySet[R], model._default_manager.all())


# --- services ----------------------------------------------------------------------------------------------


def default_rule_set(model: type[R], *, code: str, name: str) -> R:
    """The published version; the default one (`code`) is made and published the first time."""
    current = rule_sets(model).current()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            rule_set, _created = rule_sets(model).get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "parameters": model.schema.defaults(),
                    "status": RuleSetStatus.PUBLISHED,
                    "published_at": timezone.now(),
                },
            )
    except IntegrityError:  # made at the same moment by another process
        return rule_sets(model).current() or rule_sets(model).get(code=code)
    return rule_set


@transaction.atomic
def create_rule_set_draft(base: R, *, code: str, actor: User, name: str = "") -> R:
    """A new draft copying `base`'s parameters: the way a district changes its rules."""
    model = type(base)
    require(actor, Action.ADD, model)
    code = code.strip()
    if not code:
        raise ValidationError({"code": gettext("请填写版本号。")})
    if rule_sets(model).filter(code=code).exists():
        raise ValidationError({"code": gettext("版本号 %(code)s 已存在。") % {"code": code}})
    draft = rule_sets(model).create(
        code=code,
        name=name or base.name,
        parameters=base.full_parameters(),
        notes=base.notes,
        based_on=base,
        status=RuleSetStatus.DRAFT,
    )
    record_change(actor=actor, action=AuditAction.CREATE, obj=draft, after=snapshot(draft))
    return draft


def _locked_draft(rule_set: R, expected_version: int | None) -> R:
    locked = rule_sets(type(rule_set)).select_for_update().get(pk=rule_set.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked, expected_version)
    if locked.status != RuleSetStatus.DRAFT:
        raise ValidationError(str(locked.published_is_final))
    return locked


@transaction.atomic
def update_rule_set_parameters(
    rule_set: R, changes: Mapping[str, Any], *, actor: User, expected_version: int | None = None
) -> R:
    """Set parameters ({section: {key: value}}) of a draft; a published or retired version never changes."""
    require(actor, Action.CHANGE, type(rule_set))
    draft = _locked_draft(rule_set, expected_version)
    before = snapshot(draft)
    draft.parameters = draft.schema.merge(draft.full_parameters(), changes)
    return save_update(draft, before, actor=actor)


@transaction.atomic
def publish_rule_set(
    rule_set: R,
    *,
    actor: User,
    expected_version: int | None = None,
    after_commit: Callable[[R, User], None] | None = None,
) -> R:
    """Publish a draft: it is the version in force from now on; the one before retires.

    `after_commit(published, actor)` runs once the publication is committed (what it sets off: the
    grades computed again)."""
    model = type(rule_set)
    require(actor, Action.CHANGE, model)
    draft = _locked_draft(rule_set, expected_version)
    draft.parameters = draft.schema.validate(draft.parameters)
    for previous in rule_sets(model).select_for_update().filter(status=RuleSetStatus.PUBLISHED):
        before = snapshot(previous)
        previous.status = RuleSetStatus.RETIRED
        save_update(previous, before, actor=actor)
    before = snapshot(draft)
    draft.status, draft.published_at, draft.published_by = RuleSetStatus.PUBLISHED, timezone.now(), actor
    published = save_update(draft, before, actor=actor)
    if after_commit is not None:
        transaction.on_commit(lambda: after_commit(published, actor))
    return published
