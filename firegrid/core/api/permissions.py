"""The API's one permission class: the role × model × action table of `firegrid.core.permissions`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from firegrid.core.permissions import Action, can

if TYPE_CHECKING:
    from .base import ScopedViewSetMixin


class RoleActionPermission(BasePermission):
    """403 when the role may not perform the view's action on this kind of object.

    Actions on one object are decided after the scoped lookup (`has_object_permission`), so an object
    outside the user's scope is 404 whatever the role; inside the scope but not allowed is 403.
    """

    message = _("您的角色无权执行此操作。")

    def has_permission(self, request: Request, view: APIView) -> bool:
        scoped = _scoped(view)
        action = scoped.required_action()
        if scoped.detail:
            # A role that sees none of this kind is refused outright; the action itself is decided
            # once the object is found in scope.
            action = Action.VIEW
        # DRF's stubs type the class attribute `queryset` as possibly a Manager, which the checker then reads
        # as a model's manager descriptor; a viewset's is a queryset.
        rows = scoped.queryset  # type: ignore[arg-type]
        if rows is None:
            raise ImproperlyConfigured(f"{type(view).__name__} has no queryset")
        return can(request.user, action, rows.model)

    def has_object_permission(self, request: Request, view: APIView, obj: models.Model) -> bool:
        return can(request.user, _scoped(view).required_action(), obj)


def _scoped(view: APIView) -> ScopedViewSetMixin:
    from .base import ScopedViewSetMixin  # base lists this permission: imported here, once both are loaded

    if not isinstance(view, ScopedViewSetMixin):
        raise ImproperlyConfigured(f"{type(view).__name__}: RoleActionPermission needs ScopedViewSetMixin")
    return view
