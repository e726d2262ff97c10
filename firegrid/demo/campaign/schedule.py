"""The timeline of every target: when it is surveyed (the four-category landlords' in the first week, the
rest when the survey round reached their door) and accepted (the four-category landlords' by 31 October,
the rest on an S-curve through November), which fail a recheck once and which meet enforcement."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .enforcement import enforced_story
from .facts import ENDS_ON, ENFORCED, FAILED_RECHECKS, STARTS_ON, days
from .rectification import rectified_story
from .stories import Story
from .survey import findings

if TYPE_CHECKING:
    from .replay import Replay

ENFORCED_FOUND_BY = dt.date(2019, 10, 14)


def schedule(replay: Replay, stories: list[Story]) -> None:
    """Draw each story's findings and days, pick the enforced and the failing ones, then tell each story."""
    rng = replay.rng
    for story in stories:
        story.findings = findings(replay, story.premises)
    others = [s for s in stories if not s.four_category]
    # The handful that met enforcement were found in the first two weeks (a deadline in early November).
    early = [i for i, s in enumerate(others) if s.survey_day <= ENFORCED_FOUND_BY]
    enforced = set(rng.sample(early, min(ENFORCED, len(early))))
    enforced_stories = [others[i] for i in sorted(enforced)]
    for story in stories:
        if story.four_category:
            # They went first: surveyed in the first week, done by 31 October.
            accept = dt.date(2019, 10, 9) + days(round(22 * (rng.random() + rng.random()) / 2))
            survey = min(STARTS_ON + days(rng.randint(0, 6)), accept - days(4))
        else:
            # Everyone else: found when the survey round opened their door (doors.py), accepted on an
            # S-curve through November, at least four days after.
            t = ((rng.random() + rng.random() + rng.random()) / 3) ** 0.6
            accept = dt.date(2019, 10, 25) + days(min(36, round(38 * t)))  # the last push on 30 November
            survey = story.survey_day
            accept = max(accept, survey + days(4))
        story.accept_day, story.survey_day = min(accept, ENDS_ON), max(survey, STARTS_ON)
    eligible = [
        i
        for i, s in enumerate(stories)
        if s not in enforced_stories and (s.accept_day - s.survey_day).days >= 10
    ]
    failing = {stories[i].premises.pk for i in rng.sample(eligible, min(FAILED_RECHECKS, len(eligible)))}
    for story in stories:
        if story in enforced_stories:
            enforced_story(replay, story, enforced_stories.index(story))
        else:
            rectified_story(replay, story, fails=story.premises.pk in failing)
