"""The area tree as every list sees it: the areas a user may filter by, and the tree panel beside a list.

Lists filter by area (an area includes its descendants) and show the user's areas as a tree. The list
machinery is groundwork (`FiregridFilterSet`'s `area` filter, `ObjectListView`'s tree panel), but the
area tree belongs to the areas app, which sits above core. So `AreasConfig.ready()` registers the two
answers here (`firegrid.areas.lists`), and core asks them without importing the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

if TYPE_CHECKING:
    # The areas app sits above core: type-only imports, allowed by the layer contract.
    from firegrid.areas.models import Area, User

# The areas a user may pick (none for no user), and the same as nested nodes
# {"pk", "name", "level", "code", "children"} for the tree panel.
VisibleAreas = Callable[["User | None"], "QuerySet[Area]"]
AreaNodes = Callable[["User"], list[dict[str, Any]]]


@dataclass(frozen=True)
class _AreaTree:
    visible: VisibleAreas
    nodes: AreaNodes


_registered: _AreaTree | None = None


def register_area_tree(*, visible: VisibleAreas, nodes: AreaNodes) -> None:
    """Install the areas app's answers (called once, by `AreasConfig.ready()`)."""
    global _registered
    _registered = _AreaTree(visible=visible, nodes=nodes)


def _tree() -> _AreaTree:
    if _registered is None:
        raise ImproperlyConfigured("No area tree registered: firegrid.areas must be in INSTALLED_APPS.")
    return _registered


def visible_areas(user: User | None) -> QuerySet[Area]:
    return _tree().visible(user)


def area_tree(user: User) -> list[dict[str, Any]]:
    """The user's visible areas as nested nodes, siblings by code."""
    return _tree().nodes(user)
