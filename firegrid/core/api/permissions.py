"""The API's one permission class: the role × model × action table of `firegrid.core.permissions`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from firegrid.core.permissions import Action, can


class RoleActionPermission(BasePermission):
    """403 when the role may not perform the view's action on this kind of object.

    Actions on one object are decided after the scoped lookup (`has_object_permission`), so an object
    outside the user's scope is 404 whatever the role; inside the scope but not allowed is 403.
    """

    message = _("您的角色无权执行此操作。")

    def has_permission(self, request, view) -> bool:
        action = view.required_action()
        if view.detail:
            # A role that sees none of this kind is refused outright; the action itself is decided
            # once the object is found in scope.
            action = Action.VIEW
        return can(request.user, action, view.queryset.model)

    def has_object_permission(self, request, view, obj) -> bool:
        return can(request.user, view.required_action(), obj)
