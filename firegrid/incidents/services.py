"""Domain operations of the fire incident register: record an incident (its address matched at once),
match a batch, confirm or reject a proposed match. Each checks the role and the scope, locks the row,
checks the version read and writes the audit entry (`core.services`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from firegrid.areas.models import Area, User
from firegrid.core.permissions import Action
from firegrid.core.services import (
    ConcurrentEditError,
    create_record,
    lock_in_scope,
    require,
    save_update,
    snapshot,
)
from firegrid.registry.models import Premises

from .choices import MatchMethod, MatchState
from .matching import Match, Matcher, matcher_for
from .models import FireIncident


def _grids_of(area: Area) -> set[int]:
    return set(area.grid_ids())


def apply_match(incident: FireIncident, match: Match, grids: dict[int, int]) -> None:
    """Set the match on `incident` (not saved): a match moves it to its premises' grid; a proposal names
    the premises for the officer but leaves the area as recorded."""
    incident.match_method, incident.match_score = match.method, match.score
    if match.premises_id is None:
        incident.premises_id, incident.match_state = None, MatchState.UNMATCHED
    elif match.method == MatchMethod.FUZZY:
        incident.premises_id, incident.match_state = match.premises_id, MatchState.PROPOSED
    else:
        incident.premises_id, incident.match_state = match.premises_id, MatchState.MATCHED
        incident.area_id = grids[match.premises_id]


def match_incidents(incidents: Sequence[FireIncident], matcher: Matcher | None = None) -> dict[str, int]:
    """Match unmatched incidents (a batch written without the audit: an import, the demo's history) and
    save what changed in one bulk update; returns the count per state."""
    matcher = matcher or matcher_for()
    grids = {c.premises_id: c.grid_id for c in matcher.candidates}
    area_grids: dict[int, set[int]] = {}
    counts = dict.fromkeys(MatchState.values, 0)
    for incident in incidents:
        if incident.area_id not in area_grids:
            area_grids[incident.area_id] = _grids_of(incident.area)
        apply_match(incident, matcher.match(incident.address, area_grids[incident.area_id]), grids)
        counts[incident.match_state] += 1
    FireIncident.objects.bulk_update(
        incidents, ["premises", "match_state", "match_method", "match_score", "area"], batch_size=1000
    )
    return counts


@transaction.atomic
def record_incident(data: dict[str, Any], *, actor: User, reason: str = "") -> FireIncident:
    """A new incident (the form): recorded, then its address matched within the recorded area."""
    incident = create_record(FireIncident, data, actor=actor, reason=reason)
    matcher = matcher_for(_grids_of(incident.area))
    grids = {c.premises_id: c.grid_id for c in matcher.candidates}
    before = snapshot(incident)
    apply_match(incident, matcher.match(incident.address), grids)
    if incident.match_state != MatchState.UNMATCHED:
        save_update(incident, before, actor=actor, reason=_("地址匹配"))
    return incident


def _locked(incident: FireIncident, actor: User, expected_version: int | None) -> FireIncident:
    require(actor, Action.CHANGE, FireIncident)
    current = lock_in_scope(incident, actor, Action.CHANGE)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current, expected_version)
    return current


@transaction.atomic
def confirm_match(
    incident: FireIncident,
    *,
    actor: User,
    premises: Premises | None = None,
    expected_version: int | None = None,
) -> FireIncident:
    """待确认 → 已匹配: the proposed premises (or `premises`, chosen by the officer within their scope); the
    incident then counts in that premises' grid."""
    current = _locked(incident, actor, expected_version)
    chosen = premises or current.premises
    if chosen is None:
        raise ValidationError({"premises": _("没有建议匹配的出租户，请选择出租户。")})
    # The proposal too: an incident of a subdistrict is seen by each of its communities' officers, who
    # confirm only what lies in their own.
    if not Premises.objects.visible_to(actor).filter(pk=chosen.pk).exists():
        raise ValidationError({"premises": _("请选择您管辖范围内的出租户。")})
    before = snapshot(current)
    current.premises = chosen
    current.area_id = chosen.building.grid_id
    current.match_state, current.match_method = MatchState.MATCHED, MatchMethod.OFFICER
    return save_update(current, before, actor=actor, reason=_("确认地址匹配"))


@transaction.atomic
def reject_match(
    incident: FireIncident, *, actor: User, not_a_rental: bool, expected_version: int | None = None
) -> FireIncident:
    """A proposal (or a match) is wrong: unmatched, or — the officer knows the place — not a rental."""
    current = _locked(incident, actor, expected_version)
    before = snapshot(current)
    current.premises = None
    current.match_state = MatchState.NOT_A_RENTAL if not_a_rental else MatchState.UNMATCHED
    current.match_method, current.match_score = MatchMethod.OFFICER, None
    return save_update(current, before, actor=actor, reason=_("否定地址匹配"))


def incidents_of(premises_ids: Iterable[int]) -> list[FireIncident]:
    return list(
        FireIncident.objects.filter(
            premises_id__in=list(premises_ids), match_state=MatchState.MATCHED
        ).order_by("-occurred_at")
    )
