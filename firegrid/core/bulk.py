"""Actions on rows ticked in a list (批量操作): a checkbox per row the action can take, a button in the
toolbar that posts the ticked ids (`selected`) to the action's own view, which calls a service.

The list only offers; the action's view and service decide again (scope, role, state), because a form
can be tampered with. A list whose actions belong to a higher app gets them through that app's
registration (e.g. the hazard list's 起草整改方案 from rectification).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.functional import Promise

if TYPE_CHECKING:
    from firegrid.areas.models import User

# The name of the ticked rows' ids in the action's POST, and in the list's query string when an action
# refused and sent the user back with their ticks kept.
SELECTED = "selected"


@dataclass(frozen=True)
class BulkAction:
    name: str
    label: str | Promise
    url_name: str  # the view the ticked ids are posted to
    allowed: Callable[[User], bool]  # may this user use it at all (the role table)
    selectable: Callable[[User, Sequence[Any]], set[int]]  # which of a page's rows it can take
    help: str | Promise = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def selected_ids(values: Sequence[str]) -> list[int]:
    """The ids of a POST or query string, the ones that are not numbers left out."""
    return sorted({int(v) for v in values if v.strip().isdigit()})
