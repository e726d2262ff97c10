"""Fabrication checks (疑似造假提示): hints for a supervisor, never an automatic penalty, never a ranking.

- **The same photo used twice**: every inspection photo (when its inspection is submitted) and every patrol
  finding photo (when it is added) gets a 64-bit difference hash (dHash: grey, 9 × 8, each pixel compared
  with its right neighbour). A photo within `FIREGRID_PHOTO_REUSE_DISTANCE` bits of a photo of another
  inspection or finding in the same grid, uploaded within `FIREGRID_PHOTO_REUSE_DAYS`, is flagged. The
  hash survives re-encoding and resizing (a screenshot of a photo, the same photo sent again through a chat
  app); a different picture is 20–30 bits away.
- **Impossible speed**: two scans by one person, in one patrol or on one day, farther apart than
  `FIREGRID_PATROL_MAX_SPEED_KMH` allows for the time between them (haversine distance, less the phones'
  position error `GPS_SLACK_M`). Only scans with a position count: a position is optional evidence.
- **Too fast**: an inspection submitted less than `FIREGRID_INSPECTION_MIN_SECONDS_PER_ITEM` seconds per
  answered item after it was started.
- **Off the route / outside the window**: a scan of a building not on the patrol's route, or at a time
  outside its window — recorded, never refused, and flagged.

Each flag has a `key` naming its evidence, so running a check again raises nothing new. Flags are computed,
not user actions: they write no audit entry (the scan or submit that caused them is audited).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from .choices import FingerprintKind, FlagKind
from .models import FabricationFlag, FindingPhoto, PatrolScan, PhotoFingerprint

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.inspections.models import Inspection

log = logging.getLogger(__name__)

HASH_BITS = 64
# A phone's position in town is off by tens of metres, sometimes a hundred: two scans of neighbouring
# buildings seconds apart must not look like a flight.
GPS_SLACK_M = 100.0
EARTH_RADIUS_M = 6_371_008.8
# The reuse check compares a new photo with the photos of its grid in the last FIREGRID_PHOTO_REUSE_DAYS,
# at most this many (the newest). Bounded because a comparison set that grew with the whole district's
# archive (millions of photos) would make every submit slower year after year, while the reuse it looks
# for is local: the same worker or team, the same grid, recent months. A grid takes a few thousand photos
# in half a year; comparing 20,000 hashes in Python takes a few milliseconds.
MAX_REUSE_CANDIDATES = 20_000


# --- the perceptual hash --------------------------------------------------------------------------------


def dhash(image: Image.Image) -> int:
    """The 64-bit difference hash of a picture: grey, shrunk to 9 × 8, one bit per pixel that is brighter
    than its right neighbour (row by row, the first bit the highest)."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            i = row * 9 + col
            bits = (bits << 1) | (pixels[i] > pixels[i + 1])
    return bits


def dhash_file(stream: IO[bytes]) -> int:
    """The dHash of an image file. A JPEG is decoded at a reduced scale (libjpeg's 1/2 … 1/8): the hash
    needs 9 × 8 pixels, not 1600 × 1200."""
    with Image.open(stream) as image:
        image.draft("L", (64, 64))
        return dhash(image)


def to_signed(value: int) -> int:
    """64 bits as the signed 64-bit integer a database BIGINT holds."""
    return value - 2**HASH_BITS if value >= 2 ** (HASH_BITS - 1) else value


def hamming(a: int, b: int) -> int:
    """Bits that differ between two hashes (signed or not)."""
    return ((a ^ b) & (2**HASH_BITS - 1)).bit_count()


# --- flags ----------------------------------------------------------------------------------------------


def raise_flag(
    kind: str, *, user: User, grid_id: int, key: str, details: dict[str, Any], **evidence: Any
) -> FabricationFlag | None:
    """A new open flag for a supervisor, unless this evidence (`key`) was flagged before.

    No audit entry: a flag is a computation, like a risk grade; what caused it (the scan, the submitted
    inspection) is audited, and so is the supervisor's review."""
    flag, created = FabricationFlag.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "user": user,
            "grid_id": grid_id,
            "raised_at": timezone.now(),
            "details": details,
            **evidence,
        },
    )
    return flag if created else None


# --- scans ----------------------------------------------------------------------------------------------


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (latitude, longitude) points (haversine)."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _position(scan: PatrolScan) -> tuple[float, float]:
    assert scan.latitude is not None and scan.longitude is not None  # by the callers' filters
    return (float(scan.latitude), float(scan.longitude))


def check_scan(scan: PatrolScan) -> list[FabricationFlag]:
    """The checks of a new scan: off the route, outside the window, too far from the same person's
    neighbouring scans for the time between them."""
    flags: list[FabricationFlag | None] = []
    grid_id = scan.building.grid_id
    if not scan.on_route:
        flags.append(
            raise_flag(
                FlagKind.OFF_ROUTE,
                user=scan.scanned_by,
                grid_id=grid_id,
                key=f"off_route:scan:{scan.pk}",
                details={"building": scan.building_id, "patrol": scan.patrol_id},
                scan=scan,
            )
        )
    if not scan.in_window:
        patrol = scan.patrol
        flags.append(
            raise_flag(
                FlagKind.OUTSIDE_WINDOW,
                user=scan.scanned_by,
                grid_id=grid_id,
                key=f"outside_window:scan:{scan.pk}",
                details={
                    "scanned_at": scan.scanned_at.isoformat(),
                    "window_start": patrol.window_start.isoformat(),
                    "window_end": patrol.window_end.isoformat(),
                },
                scan=scan,
            )
        )
    if scan.has_position:
        flags += [_check_speed(scan, other) for other in _neighbours(scan)]
    return [flag for flag in flags if flag is not None]


def _neighbours(scan: PatrolScan) -> list[PatrolScan]:
    """The same person's scans with a position just before and just after this one, in the same patrol
    or on the same day."""
    day = timezone.localdate(scan.scanned_at)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    same = (
        PatrolScan.objects.filter(
            scanned_by_id=scan.scanned_by_id, latitude__isnull=False, longitude__isnull=False
        )
        .filter(
            Q(patrol_id=scan.patrol_id)
            | Q(scanned_at__gte=start, scanned_at__lt=start + dt.timedelta(days=1))
        )
        .exclude(pk=scan.pk)
        .select_related("building")
    )
    before = same.filter(scanned_at__lte=scan.scanned_at).order_by("-scanned_at", "-pk").first()
    after = same.filter(scanned_at__gt=scan.scanned_at).order_by("scanned_at", "pk").first()
    return [other for other in (before, after) if other is not None]


def _check_speed(scan: PatrolScan, other: PatrolScan) -> FabricationFlag | None:
    earlier, later = sorted((scan, other), key=lambda s: (s.scanned_at, s.pk))
    metres = distance_m(_position(earlier), _position(later))
    seconds = max(1.0, (later.scanned_at - earlier.scanned_at).total_seconds())
    limit = float(settings.FIREGRID_PATROL_MAX_SPEED_KMH)
    speed = max(0.0, metres - GPS_SLACK_M) / seconds * 3.6
    if speed <= limit:
        return None
    return raise_flag(
        FlagKind.IMPOSSIBLE_SPEED,
        user=later.scanned_by,
        grid_id=later.building.grid_id,
        key=f"impossible_speed:scan:{earlier.pk}:{later.pk}",
        details={
            "distance_m": round(metres),
            "seconds": round(seconds),
            "speed_kmh": round(speed, 1),
            "limit_kmh": limit,
        },
        scan=later,
        other_scan=earlier,
    )


# --- inspections ----------------------------------------------------------------------------------------


def check_inspection_pace(inspection: Inspection, *, actor: User) -> FabricationFlag | None:
    """Flag an inspected visit submitted faster than its answered items can be answered at the door."""
    if inspection.submitted_at is None or inspection.outcome != "inspected":
        return None
    items = inspection.answers.count()
    if not items:
        return None
    seconds = (inspection.submitted_at - inspection.started_at).total_seconds()
    per_item = int(settings.FIREGRID_INSPECTION_MIN_SECONDS_PER_ITEM)
    if seconds >= items * per_item:
        return None
    return raise_flag(
        FlagKind.TOO_FAST,
        user=actor,
        grid_id=inspection.building.grid_id,
        key=f"too_fast:inspection:{inspection.pk}",
        details={"seconds": max(0, round(seconds)), "items": items, "min_seconds": items * per_item},
        inspection=inspection,
    )


def fingerprint_inspection(inspection: Inspection) -> list[FabricationFlag]:
    """Fingerprint the inspection's photos not yet fingerprinted and look for each among the grid's recent
    photos. A photo whose file cannot be read is skipped (logged): a check never fails a submission."""
    done = PhotoFingerprint.objects.filter(
        kind=FingerprintKind.INSPECTION, inspection=inspection
    ).values_list("photo_id", flat=True)
    flags: list[FabricationFlag] = []
    for photo in inspection.photos.exclude(pk__in=list(done)):
        name = photo.image.name
        if not name:
            continue
        try:
            with photo.image.storage.open(name, "rb") as stream:
                value = dhash_file(stream)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            log.warning("photo %s of inspection %s could not be fingerprinted", photo.pk, inspection.pk)
            continue
        fingerprint = PhotoFingerprint.objects.create(
            kind=FingerprintKind.INSPECTION,
            photo_id=photo.pk,
            dhash=to_signed(value),
            user_id=photo.uploaded_by_id,
            grid_id=inspection.building.grid_id,
            inspection=inspection,
            taken_at=photo.taken_at,
            uploaded_at=photo.uploaded_at,
        )
        flag = check_photo_reuse(fingerprint)
        if flag is not None:
            flags.append(flag)
    return flags


def fingerprint_finding_photo(photo: FindingPhoto, value: int) -> FabricationFlag | None:
    """Record a finding photo's hash (computed from the stored JPEG) and look for it."""
    finding = photo.finding
    fingerprint = PhotoFingerprint.objects.create(
        kind=FingerprintKind.FINDING,
        photo_id=photo.pk,
        dhash=to_signed(value),
        user_id=photo.uploaded_by_id,
        grid_id=finding.building.grid_id,
        finding=finding,
        taken_at=photo.taken_at,
        uploaded_at=photo.uploaded_at,
    )
    return check_photo_reuse(fingerprint)


def check_photo_reuse(fingerprint: PhotoFingerprint) -> FabricationFlag | None:
    """Flag the photo if a photo of another inspection or finding in its grid, within the reuse window, is
    within the reuse distance (the nearest one is named). A patrol finding's photo reused by the inspection
    that followed the finding up is the same evidence, not a reuse."""
    window = dt.timedelta(days=int(settings.FIREGRID_PHOTO_REUSE_DAYS))
    candidates = PhotoFingerprint.objects.filter(
        grid_id=fingerprint.grid_id,
        uploaded_at__gte=fingerprint.uploaded_at - window,
        uploaded_at__lte=fingerprint.uploaded_at + window,
    ).exclude(pk=fingerprint.pk)
    if fingerprint.inspection_id is not None:
        candidates = candidates.exclude(inspection_id=fingerprint.inspection_id).exclude(
            finding__inspection_id=fingerprint.inspection_id
        )
    if fingerprint.finding_id is not None:
        candidates = candidates.exclude(finding_id=fingerprint.finding_id)
        followed_up_by = fingerprint.finding.inspection_id if fingerprint.finding else None
        if followed_up_by is not None:
            candidates = candidates.exclude(inspection_id=followed_up_by)
    rows = candidates.order_by("-uploaded_at", "-pk").values_list("pk", "dhash")[:MAX_REUSE_CANDIDATES]
    nearest = min(((hamming(fingerprint.dhash, value), pk) for pk, value in rows), default=None)
    if nearest is None or nearest[0] > int(settings.FIREGRID_PHOTO_REUSE_DISTANCE):
        return None
    distance, other_pk = nearest
    other = PhotoFingerprint.objects.get(pk=other_pk)
    low, high = sorted((fingerprint.pk, other.pk))
    return raise_flag(
        FlagKind.PHOTO_REUSED,
        user=fingerprint.user,
        grid_id=fingerprint.grid_id,
        key=f"photo_reused:{low}:{high}",
        details={
            "hamming_distance": distance,
            "limit": int(settings.FIREGRID_PHOTO_REUSE_DISTANCE),
            "other_inspection": other.inspection_id,
            "other_finding": other.finding_id,
        },
        inspection_id=fingerprint.inspection_id,
        photo=fingerprint,
        other_photo=other,
    )


def describe(flag: FabricationFlag) -> str:
    """The flag's evidence in words, in the reader's language."""
    d = flag.details or {}
    if flag.kind == FlagKind.PHOTO_REUSED:
        return _("与较早的一张照片几乎相同（差异 %(bits)s 位，阈值 %(limit)s 位）") % {
            "bits": d.get("hamming_distance", "?"),
            "limit": d.get("limit", "?"),
        }
    if flag.kind == FlagKind.IMPOSSIBLE_SPEED:
        return _("两次打卡相距 %(m)s 米、间隔 %(s)s 秒，约 %(v)s 公里/小时（上限 %(limit)s）") % {
            "m": d.get("distance_m", "?"),
            "s": d.get("seconds", "?"),
            "v": d.get("speed_kmh", "?"),
            "limit": d.get("limit_kmh", "?"),
        }
    if flag.kind == FlagKind.TOO_FAST:
        return _("%(items)s 项检查在 %(s)s 秒内提交（至少需 %(min)s 秒）") % {
            "items": d.get("items", "?"),
            "s": d.get("seconds", "?"),
            "min": d.get("min_seconds", "?"),
        }
    if flag.kind == FlagKind.OFF_ROUTE:
        return _("打卡的建筑不在本次巡查路线上")
    return _("打卡时间不在巡查计划时段内")
