"""The 2019 campaign 铁拳行动 replayed on the demo registry (1 October – 30 November 2019).

The survey round visits every premises of the district in October, door to door (locked doors visited
again, premises not rented opened by their landlords), and lists every room: the survey-progress page
shows 100 % of buildings, premises and rooms. It finds 1,095 target premises with hazards — most in
樟潭街道 — of which 211 belong to the four-category landlords, each claimed by their employer unit in the
first days of October; five work groups; the plans,
their notices, rechecks and acceptances at realistic times of day (Asia/Shanghai), so that the campaign's
figures for any day, read from history by `firegrid.campaigns.status`, have the real shape: every
four-category premises accepted by 31 October, the rest accelerating through November (an S-curve), all
1,095 by 30 November. About a hundred landlords fail a recheck once; a handful go overdue, are escalated
to a joint team, meet enforcement (interview, fine, sealing, detention) and are then accepted.

The services stamp "now", so the history is written directly with bulk inserts (a data load, not user
actions: no audit entries), keeping every invariant the services keep: one open plan per premises per
campaign; a plan's moves chain (each from_state is the previous to_state) along the moves the machine
allows; hazards accepted and closed by the acceptance inspection that accepted their plan; documents
with content frozen by `rectification.documents.build_content`; serial counters moved on.

Each target is a member of the campaign from the day its survey found its hazards (`joined_on`), so the
scope grows through October as the survey goes on. Premises that already hold the demo's present-day
plans (made before the replay) are not drawn as targets, but for a four-category landlord's only premises.

Deterministic for a seed. Then one daily snapshot per day of the campaign (when the reports app is
installed), credited to the demo (`generated_via` demo), so the burn-down and the rankings can be shown
for every day.

By phase: `setup` (the campaign, work groups, targets, claims), `doors` (the survey round: every door,
and the day each target's hazards were found), `schedule` (each target's timeline), `survey` (findings,
the survey, the plan and its notice; every inspection written), `rectification` (rechecks and acceptance),
`enforcement` (overdue, escalated, sanctioned), `documents` (notices, pledges, acceptance forms),
`outreach`, `reports` (the daily snapshots); `replay` runs them in order over the shared state, `facts`
holds the campaign's dates and figures, `stories` the in-memory history of a target.
"""

from .facts import CODE, ENDS_ON, FOUR_CATEGORY_DUE, FOUR_CATEGORY_TARGETS, NAME, STARTS_ON, TARGETS
from .replay import Replay, load_campaign_replay
from .reports import take_daily_snapshots

__all__ = [
    "CODE",
    "ENDS_ON",
    "FOUR_CATEGORY_DUE",
    "FOUR_CATEGORY_TARGETS",
    "NAME",
    "STARTS_ON",
    "TARGETS",
    "Replay",
    "load_campaign_replay",
    "take_daily_snapshots",
]
