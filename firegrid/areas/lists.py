"""What every list gets from the area tree: the areas a user may filter by, and the tree panel.

Core's list machinery (`FiregridFilterSet`'s `area` filter, `ObjectListView`'s tree panel) sits below this
app; `AreasConfig.ready()` hands these two functions to `firegrid.core.area_tree`.
"""

from __future__ import annotations

from typing import Any

from .models import Area, AreaQuerySet, User


def visible_areas(user: User | None) -> AreaQuerySet:
    """The areas a user may pick in a list's area filter (none without a user)."""
    if user is None:
        return Area.objects.none()
    return Area.objects.visible_to(user)


def area_tree(user: User) -> list[dict[str, Any]]:
    """The user's visible areas as nested nodes for the tree panel beside each list, siblings by code."""
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for pk, name, level, parent_id, code in (
        Area.objects.visible_to(user).order_by("path").values_list("pk", "name", "level", "parent_id", "code")
    ):
        node: dict[str, Any] = {"pk": pk, "name": name, "level": level, "code": code, "children": []}
        nodes[pk] = node
        (nodes[parent_id]["children"] if parent_id in nodes else roots).append(node)
    parents: list[dict[str, Any]] = [*nodes.values(), {"children": roots}]
    for parent in parents:
        parent["children"].sort(key=lambda child: child["code"])
    return roots
