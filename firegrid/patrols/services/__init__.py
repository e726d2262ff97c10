"""Patrol operations (巡查): teams, planning a patrol and moving it (start, finish, cancel), scans, findings
and their photos, and the supervisor's review of a fabrication flag. Each checks the actor's role and
scope, runs in one transaction and writes its audit entries in it."""

from __future__ import annotations

from .findings import add_finding, add_finding_photo, close_finding, follow_up_findings
from .flags import review_flag
from .patrols import cancel_patrol, finish_patrol, plan_patrol, route_from_area, start_patrol
from .scans import is_member, record_scan, scannable_buildings
from .teams import create_team, member_candidates, update_team

__all__ = [
    "add_finding",
    "add_finding_photo",
    "cancel_patrol",
    "close_finding",
    "create_team",
    "finish_patrol",
    "follow_up_findings",
    "is_member",
    "member_candidates",
    "plan_patrol",
    "record_scan",
    "review_flag",
    "route_from_area",
    "scannable_buildings",
    "start_patrol",
    "update_team",
]
