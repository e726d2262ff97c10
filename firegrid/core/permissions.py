"""Who may do what: `can(user, action, model)`, over one table of role × model × action.

The table names roles, and roles belong to the areas app (it owns users), which sits above core. So the
table lives in `firegrid.areas.permissions`, and `AreasConfig.ready()` hands it to this module with
`register_role_actions`; core keeps the actions and the question. Scope (which rows) is answered by
each model's `visible_to(user, action)`; the table answers only whether the role may perform the action
on that kind of object at all. Out of scope is 404, in scope but not allowed is 403 (see
`firegrid.core.views`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from firegrid.areas.models import User


class Action(models.TextChoices):
    VIEW = "view", _("查看")
    ADD = "add", _("新增")
    CHANGE = "change", _("修改")
    DELETE = "delete", _("删除")
    EXPORT = "export", _("导出")
    REVEAL = "reveal", _("查看完整个人信息")
    VOID = "void", _("作废")


# role → model label → the actions that role may perform on that kind of object.
RoleActions = Mapping[str, Mapping[str, frozenset[str]]]

_role_actions: RoleActions | None = None


def register_role_actions(table: RoleActions) -> None:
    """Install the role table (called once, by `AreasConfig.ready()`)."""
    global _role_actions
    _role_actions = table


def role_actions() -> RoleActions:
    if _role_actions is None:
        # Without the table every answer would be a silent "no": say what is missing instead.
        raise ImproperlyConfigured("No role table registered: firegrid.areas must be in INSTALLED_APPS.")
    return _role_actions


def model_label(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def can(user: User | AnonymousUser | None, action: str, model: type[models.Model] | models.Model) -> bool:
    """May this user perform `action` on this kind of object at all (ignoring which row)? Never for no
    user or an anonymous one."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return action in role_actions().get(user.role, {}).get(model_label(model), frozenset())
