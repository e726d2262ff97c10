"""Monitoring figures per area: devices offline, cases open, cases closed by outcome, and the median
minutes from alarm to acknowledgement and to closing — over the cases opened in a window of days
(default the last 30). Every count links to the list with the filters that count it, so the list's count
equals the figure (tested); a median links to the list of the cases it is the median of (its `n`).
Outcomes of areas: no person is ranked.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from firegrid.areas.figures import GridRollup, figure_areas
from firegrid.areas.models import Area, User
from firegrid.core.filters import filtered_list_url

from .choices import OPEN_STATES, CaseOutcome, DeviceState
from .models import AlertCase, Device

DEVICES = "monitoring:device_list"
CASES = "monitoring:alertcase_list"
DEFAULT_DAYS = 30


@dataclass
class FigureRow:
    area: Area
    since: dt.date
    until: dt.date
    figures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    medians: dict[str, float | None] = field(default_factory=dict)  # minutes

    def _window(self) -> dict[str, str]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat()}

    @property
    def links(self) -> dict[str, str]:
        area = {"area": self.area.pk}
        links = {
            "devices_offline": filtered_list_url(DEVICES, **area, state=DeviceState.OFFLINE),
            "cases_open": filtered_list_url(CASES, **area, open="true"),
            "cases": filtered_list_url(CASES, **area, **self._window()),
            "acknowledged": filtered_list_url(CASES, **area, acknowledged="true", **self._window()),
            "closed": filtered_list_url(CASES, **area, closed="true", **self._window()),
        }
        for outcome in CaseOutcome.values:
            links[f"outcome_{outcome}"] = filtered_list_url(CASES, **area, outcome=outcome, **self._window())
        return links

    @property
    def outcome_cells(self) -> list[tuple[str, int, str]]:
        """(outcome label, count, link) per outcome, in the outcomes' order."""
        links = self.links
        return [
            (str(label), self.figures.get(f"outcome_{value}", 0), links[f"outcome_{value}"])
            for value, label in CaseOutcome.choices
        ]


def figure_rows(
    user: User, area: Area | None = None, *, since: dt.date | None = None, until: dt.date | None = None
) -> list[FigureRow]:
    """The figures of `area` (or the user's scope roots) first, then of each child area. A fixed number
    of queries; the medians read the window's acknowledged and closed cases (bounded by the window)."""
    until = until or timezone.localdate()
    since = since or until - dt.timedelta(days=DEFAULT_DAYS - 1)
    rows = [FigureRow(area=a, since=since, until=until) for a in figure_areas(user, area)]
    if not rows:
        return []
    rollup = GridRollup(rows)
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))

    offline = (
        Device.objects.visible_to(user)
        .filter(state=DeviceState.OFFLINE)
        .order_by()
        .values_list("premises__building__grid_id")
        .annotate(n=Count("pk"))
    )
    rollup.add(offline, ("devices_offline",))
    open_cases = (
        AlertCase.objects.visible_to(user)
        .filter(state__in=OPEN_STATES)
        .order_by()
        .values_list("premises__building__grid_id")
        .annotate(n=Count("pk"))
    )
    rollup.add(open_cases, ("cases_open",))
    outcome_keys = [f"outcome_{o}" for o in CaseOutcome.values]
    window = AlertCase.objects.visible_to(user).filter(opened_at__gte=start, opened_at__lt=end)
    by_outcome = (
        window.order_by()
        .values_list("premises__building__grid_id")
        .annotate(
            n=Count("pk"),
            n_acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            n_closed=Count("pk", filter=Q(closed_at__isnull=False)),
            **{
                f"n_{key}": Count("pk", filter=Q(outcome=o))
                for key, o in zip(outcome_keys, CaseOutcome.values, strict=True)
            },
        )
    )
    rollup.add(by_outcome, ("cases", "acknowledged", "closed", *outcome_keys))

    durations: dict[str, dict[int, list[float]]] = {"ack": defaultdict(list), "close": defaultdict(list)}
    rows_by_area = {row.area.pk: row for row in rows}
    timed = window.filter(acknowledged_at__isnull=False).values_list(
        "premises__building__grid_id", "opened_at", "acknowledged_at", "closed_at"
    )
    for grid_id, opened, acknowledged, closed in timed.iterator(chunk_size=2000):
        if acknowledged is None:  # by the filter; said for the type checker
            continue
        for inside in rollup.membership.get(grid_id, []):
            durations["ack"][inside.pk].append((acknowledged - opened).total_seconds() / 60)
            if closed is not None:
                durations["close"][inside.pk].append((closed - opened).total_seconds() / 60)
    for pk, row in rows_by_area.items():
        for key in ("ack", "close"):
            values = durations[key].get(pk)
            row.medians[key] = round(statistics.median(values), 1) if values else None
    return rows
