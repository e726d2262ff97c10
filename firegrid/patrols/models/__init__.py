"""Models of patrols (巡查): `patrols.py` (teams, patrols, route stops, scans, findings and their photos) and
`flags.py` (the fabrication checks: photo fingerprints and the flags a supervisor reviews)."""

from .flags import FabricationFlag, FabricationFlagQuerySet, PhotoFingerprint
from .patrols import (
    FindingPhoto,
    Patrol,
    PatrolFinding,
    PatrolQuerySet,
    PatrolScan,
    PatrolStop,
    PatrolTeam,
    area_scope_q,
    patrol_scope_q,
)

__all__ = [
    "FabricationFlag",
    "FabricationFlagQuerySet",
    "FindingPhoto",
    "Patrol",
    "PatrolFinding",
    "PatrolQuerySet",
    "PatrolScan",
    "PatrolStop",
    "PatrolTeam",
    "PhotoFingerprint",
    "area_scope_q",
    "patrol_scope_q",
]
