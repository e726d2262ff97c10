"""待办优先 (needs action first): the default order of the lists people work from.

One shape for every such list: the rows someone is waiting on — a landlord's recheck request, a tenant
move a landlord reported — on top, each with a badge; then the rows still open, nearest deadline first (a
deadline that has passed is nearer than any to come, so overdue rows lead); then the closed rows; newest
first inside each group. Only SQL expressions: the lists are paged, so the database sorts (the same on
SQLite and PostgreSQL) and a page costs the same queries however long the list is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import BooleanField, Case, ExpressionWrapper, F, IntegerField, OrderBy, Q, Value, When
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# What the sort control calls the default order of such a list.
TODO_FIRST_LABEL = _("待办优先（默认）")
# The API's `sort` parameter says the same (its description in the OpenAPI schema).
TODO_FIRST_HELP = _(
    "不传时按待办优先排序：有人等着处理的（如房东申请复查、房东新上报）在最前，其次是未办结的，"
    "按期限由近到远（已逾期的在前），最后是已办结的；同组内新的在前。"
)
# The annotation that marks a row with the badge.
FLAGGED = "todo_flagged"


@dataclass(frozen=True)
class TodoFirst:
    """A list's 待办优先 order: which rows are open, which are flagged (on top, with `badge`), the field
    whose nearest date leads among the open rows, and the order inside each group (newest first)."""

    open: Q
    newest: tuple[str, ...]
    deadline: str = ""
    flagged: Q | None = None
    badge: StrOrPromise = ""

    def rank(self) -> Case:
        """0 flagged, 1 open, 2 closed."""
        flagged = [When(self.flagged, then=Value(0))] if self.flagged is not None else []
        return Case(*flagged, When(self.open, then=Value(1)), default=Value(2), output_field=IntegerField())

    def ordering(self) -> list[OrderBy | str]:
        order: list[OrderBy | str] = [self.rank().asc()]
        if self.deadline:
            # Only an open row's deadline counts: a closed row's old deadline must not order the closed.
            due = Case(When(self.open, then=F(self.deadline)), default=None)
            order.append(due.asc(nulls_last=True))
        return [*order, *self.newest]

    def flag(self) -> ExpressionWrapper[Q] | None:
        """The badge's condition as a column (`todo_flagged`), or None when the list flags nothing."""
        if self.flagged is None:
            return None
        return ExpressionWrapper(self.flagged, output_field=BooleanField())
