"""Signals other apps listen to, so rectification need not know them.

`plan_moved(sender=Plan, plan, move, actor)`: sent by `services.moves._move` inside the move's transaction,
after the plan's history row is written; `move` is a `MoveName`, `actor` None for the scheduler. A
receiver that raises rolls the move back, so receivers do only what must succeed with it (e.g.
`firegrid.tasks` opens the joint-team task of an escalated plan).
"""

from django.dispatch import Signal

plan_moved = Signal()
